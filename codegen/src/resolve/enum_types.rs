//! Enums: their enumerators, and `enum NAME` (or an anonymous enum's `typedef`) as the type
//! of a member or typedef: the integer type C compilers give the enum on Linux (no
//! `-fshort-enums` on any of its ABIs): `unsigned int` when no enumerator is negative,
//! `int` otherwise, when every value fits in 32 bits.

use super::{Def, Resolver, doc};
use crate::ctypes::CInt;
use crate::diag::Code;
use crate::ir::{Enum, EnumValue, IntTy, Scalar, Typedef, TypedefTy};
use crate::names;
use crate::spec::Span;

impl Resolver<'_> {
    pub(super) fn enums(&mut self) -> Vec<Enum> {
        let spec = self.spec;
        let mut out = Vec::new();
        for (e, en) in spec.enums.iter().enumerate() {
            if let Some(n) = &en.name {
                self.check_ident(n, "enum name");
            }
            let mut values: Vec<EnumValue> = Vec::new();
            if en.values.is_empty() {
                self.diags
                    .error(
                        Code::EmptyType,
                        en.values.span,
                        "the enum has no enumerators",
                    )
                    .hint = Some("C does not allow an empty enum; add values or remove it".into());
            }
            for (i, v) in en.values.iter().enumerate() {
                let span = v.value.as_ref().map_or(v.name.span, |x| x.span);
                let what = format!("enumerator `{}`", *v.name);
                let value = self
                    .value_of_def(Def::Enum(e, i), span, &what)
                    .map_or(0, |c| c.value);
                if v.value.is_none() && values.last().is_some_and(|p| p.value >= IntTy::S32.max()) {
                    self.diags
                        .error(
                            Code::ValueRange,
                            v.name.span,
                            format!("{what} has no value and follows {}: C counts enumerators as `int`", values.last().map_or(0, |p| p.value)),
                        )
                        .hint = Some("compilers reject the header (`overflow in enumeration values`); give it an explicit value".into());
                }
                if value < IntTy::S32.min() || value > IntTy::U32.max() {
                    self.diags
                        .error(
                            Code::ValueRange,
                            span,
                            format!("{what} is {value}, which a C enum cannot hold"),
                        )
                        .hint =
                        Some("C enumerators are `int`; use a constant for wider values".into());
                }
                values.push(EnumValue {
                    c_name: v.name.value.clone(),
                    rust_name: self.rust_or(
                        &v.rust_name,
                        names::const_name(&v.name, self.prefix.as_deref()),
                    ),
                    expr: v
                        .value
                        .as_ref()
                        .and_then(|_| self.exprs.get(&Def::Enum(e, i)).cloned().flatten()),
                    value,
                    doc: doc(&v.doc),
                    abis: self
                        .def_abis
                        .get(&Def::Enum(e, i))
                        .copied()
                        .unwrap_or(self.abis),
                    span: v.name.span,
                });
            }
            // The first enumerator exists wherever its enum does: C has no empty enum, and
            // the header writes the enumerators after a limited one with leading commas.
            let enum_abis = self.enum_abis.get(e).copied().unwrap_or(self.abis);
            if let Some(first) = values.first().filter(|v| v.abis != enum_abis) {
                let (name, span) = (first.c_name.clone(), first.span);
                self.diags
                    .error(
                        Code::ArchMismatch,
                        span,
                        format!(
                            "`{name}`, the first enumerator, does not exist on {}, where its enum does",
                            (enum_abis & !first.abis).describe()
                        ),
                    )
                    .hint = Some("put an enumerator of all of the enum's architectures first, or limit the enum with `arch`".into());
            }
            let ty = if values.iter().any(|v| v.value < 0) {
                IntTy::S32
            } else {
                IntTy::U32
            };
            out.push(Enum {
                c_name: en.name.as_ref().map(|n| n.value.clone()),
                typedef: en.typedef.as_ref().map(|t| t.value.clone()),
                ty,
                doc: doc(&en.doc),
                values,
                abis: self.enum_abis[e],
                span: en.name.as_ref().map_or_else(
                    || en.values.first().map_or(Span::default(), |v| v.name.span),
                    |n| n.span,
                ),
            });
        }
        out
    }

    /// The integer type of the spec's enum `name`, written at `span`; `None` after an error.
    pub(super) fn enum_type(&mut self, name: &str, span: Span) -> Option<Scalar> {
        let spec = self.spec;
        let Some(e) = spec
            .enums
            .iter()
            .position(|e| e.name.as_ref().is_some_and(|n| n.as_str() == name))
        else {
            // An enum of a used spec: its values are known.
            let imports = self.imports;
            if let Some(en) = imports
                .iter()
                .flat_map(|m| &m.enums)
                .find(|e| e.c_name.as_deref() == Some(name))
            {
                if !self.check_exists(span, &format!("enum `{name}`"), en.abis) {
                    return None;
                }
                self.last_enum = Some(name.to_owned());
                let values = en.values.iter().map(|v| v.value);
                let lo = values.clone().fold(0, i128::min);
                let hi = values.fold(0, i128::max);
                return self.enum_int(lo, hi, &format!("enum `{name}`"), span);
            }
            self.diags
                .error(Code::UnknownType, span, format!("unknown enum `{name}`"))
                .hint = Some(
                "name an enum of this spec or of one it uses (under `enums:`, with `name:`)".into(),
            );
            return None;
        };
        let have = self.enum_abis.get(e).copied().unwrap_or(self.abis);
        if !self.check_exists(span, &format!("enum `{name}`"), have) {
            return None;
        }
        self.last_enum = Some(name.to_owned());
        self.enum_scalar(e, &format!("enum `{name}`"), span)
    }

    /// The `typedef` of each anonymous enum (`typedef enum { ... } NAME;`), as a typedef of
    /// the integer type C gives the enum.
    pub(super) fn register_enum_typedefs(&mut self) {
        let spec = self.spec;
        for (e, en) in spec.enums.iter().enumerate() {
            let Some(t) = &en.typedef else { continue };
            if let Some(n) = &en.name {
                self.diags
                    .error(
                        Code::BadTypeSyntax,
                        t.span,
                        format!("enum `{}` has a name and a `typedef`", **n),
                    )
                    .hint = Some(format!(
                    "`typedef` is for an enum without a name; for `enum {0}`, write a typedef `{{ name: {1}, type: enum {0} }}`",
                    **n, **t
                ));
                continue;
            }
            if !self.check_ident(t, "typedef name") {
                continue;
            }
            if let Some(&prev) = self.typedef_ids.get(t.as_str()) {
                let p = self.typedefs[prev].span;
                self.defined_twice(t.span, format!("typedef `{}`", **t), p);
                continue;
            }
            let abis = self.enum_abis.get(e).copied().unwrap_or(self.abis);
            let ctx = self.ctx;
            self.ctx = abis;
            let scalar = self.enum_scalar(e, &format!("the enum of typedef `{}`", **t), t.span);
            self.ctx = ctx;
            let Some(scalar) = scalar else { continue };
            let rust_name = names::type_name(t, self.prefix.as_deref());
            self.typedef_ids
                .insert(t.value.clone(), self.typedefs.len());
            self.typedefs.push(Typedef {
                c_name: t.value.clone(),
                rust_name,
                ty: TypedefTy::Int(scalar),
                enum_tag: None,
                is_macro: false,
                doc: doc(&en.doc),
                abis,
                span: t.span,
            });
        }
    }

    /// The integer type C gives the spec's `e`th enum (`what`), for a use at `span`.
    fn enum_scalar(&mut self, e: usize, what: &str, span: Span) -> Option<Scalar> {
        let spec = self.spec;
        let mut lo = 0i128;
        let mut hi = 0i128;
        for i in 0..spec.enums[e].values.len() {
            // An enumerator that cannot be computed was reported where it is defined.
            let v = self.eval_def(Def::Enum(e, i)).ok()?.value;
            lo = lo.min(v);
            hi = hi.max(v);
        }
        self.enum_int(lo, hi, what, span)
    }

    /// The integer type C gives an enum (`what`) whose values go from `lo` to `hi`.
    fn enum_int(&mut self, lo: i128, hi: i128, what: &str, span: Span) -> Option<Scalar> {
        if lo >= 0 && hi <= i128::from(u32::MAX) {
            return Some(Scalar::C(CInt::UInt));
        }
        if lo >= i128::from(i32::MIN) && hi <= i128::from(i32::MAX) {
            return Some(Scalar::C(CInt::Int));
        }
        self.diags
            .error(
                Code::UnknownType,
                span,
                format!("{what} has values from {lo} to {hi}, beyond 32 bits"),
            )
            .hint = Some(
            "C compilers agree on an enum's size only while its values fit in `int` or `unsigned int`; use an integer type".into(),
        );
        None
    }
}
