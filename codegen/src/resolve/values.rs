//! Values: expressions parsed and evaluated, constants, value groups, flag sets and enums.

use std::collections::HashMap;

use super::{
    Def, MAX_NAME_LEN, MAX_REF_DEPTH, MAX_SUGGESTIONS, Resolver, State, doc, edit_distance,
};
use crate::diag::Code;
use crate::expr::{self, BinOp, EvalError, Expr};
use crate::ir::*;
use crate::names;
use crate::spec::{self, Sp, Span};

impl Resolver<'_> {
    pub(super) fn parse_expr(&mut self, e: &Sp<spec::ExprText>) -> Option<Expr> {
        match expr::parse(&e.0) {
            Ok(x) => Some(x),
            Err(err) => {
                let mut span = e.span;
                span.column = span
                    .column
                    .saturating_add(u32::try_from(err.at).unwrap_or(0));
                self.diags
                    .error(Code::ExprSyntax, span, format!("cannot parse `{}`: {}", e.0, err.message))
                    .hint = Some("expressions use integers, names, parentheses and C operators, e.g. `VFIO_BASE + 1` or `1 << 3`".into());
                None
            }
        }
    }

    pub(super) fn register_values(&mut self) {
        let spec = self.spec;
        for (i, c) in spec.constants.iter().enumerate() {
            match (&c.value, &c.string) {
                (Some(v), None) => self.add_value(&c.name, Def::Const(i), Some(v)),
                (None, Some(_)) => {
                    self.check_ident(&c.name, "name");
                    if let Some((_, prev)) = self.values.get(c.name.as_str()) {
                        let prev = *prev;
                        self.defined_twice(c.name.span, format!("`{}`", *c.name), prev);
                    } else {
                        // Strings are not integers: registered so that names stay unique and an
                        // expression naming one gets a clear error.
                        self.values
                            .insert(c.name.value.clone(), (Def::Const(i), c.name.span));
                        self.state.insert(Def::Const(i), State::Failed);
                    }
                }
                _ => {
                    self.diags
                        .error(
                            Code::ValueOrString,
                            c.name.span,
                            format!(
                                "constant `{}` needs exactly one of `value` and `string`",
                                *c.name
                            ),
                        )
                        .hint = Some(
                        "write `value: 1` for an integer or `string: text` for a string".into(),
                    );
                }
            }
        }
        for (g, group) in spec.groups.iter().enumerate() {
            for (i, v) in group.values.iter().enumerate() {
                self.add_value(&v.name, Def::Group(g, i), Some(&v.value));
            }
        }
        for (f, set) in spec.flags.iter().enumerate() {
            for (i, b) in set.bits.iter().enumerate() {
                match (&b.bit, &b.value) {
                    (Some(bit), None) => {
                        self.add_value(&b.name, Def::Flag(f, i), None);
                        let e = self.parse_expr(bit);
                        self.exprs.insert(Def::Flag(f, i), e);
                        self.bit_defs.insert(Def::Flag(f, i));
                    }
                    (None, Some(v)) => self.add_value(&b.name, Def::Flag(f, i), Some(v)),
                    _ => {
                        self.diags
                            .error(Code::BitOrValue, b.name.span, format!("flag `{}` needs exactly one of `bit` and `value`", *b.name))
                            .hint = Some("`bit: 3` is the flag `1 << 3`; `value:` takes any expression, e.g. a mask".into());
                    }
                }
            }
        }
        for (e, en) in spec.enums.iter().enumerate() {
            for (i, v) in en.values.iter().enumerate() {
                self.add_value(&v.name, Def::Enum(e, i), v.value.as_ref());
            }
        }
        let mut ioctls: HashMap<&str, Span> = HashMap::new();
        for io in &spec.ioctls {
            self.check_ident(&io.name, "ioctl name");
            if let Some((_, prev)) = self.values.get(io.name.as_str()) {
                let prev = *prev;
                self.defined_twice(io.name.span, format!("`{}`", *io.name), prev);
            } else if let Some(prev) = ioctls.insert(io.name.as_str(), io.name.span) {
                self.defined_twice(io.name.span, format!("ioctl `{}`", *io.name), prev);
            }
        }
        for (names, what) in [
            (
                spec.groups.iter().map(|g| &g.name).collect::<Vec<_>>(),
                "group",
            ),
            (
                spec.flags.iter().map(|g| &g.name).collect::<Vec<_>>(),
                "flag set",
            ),
        ] {
            let mut seen: HashMap<&str, Span> = HashMap::new();
            for n in names {
                self.check_ident(n, what);
                if let Some(prev) = seen.insert(n.as_str(), n.span) {
                    self.defined_twice(n.span, format!("{what} `{}`", **n), prev);
                }
            }
        }
        for (i, g) in spec.groups.iter().enumerate() {
            self.group_ids.entry(g.name.value.clone()).or_insert(i);
        }
        for (i, f) in spec.flags.iter().enumerate() {
            self.flag_ids.entry(f.name.value.clone()).or_insert(i);
        }
    }

    /// Evaluate the value of a definition, following references.
    pub(super) fn eval_def(&mut self, def: Def) -> Result<i128, EvalError> {
        match self.state.get(&def) {
            Some(State::Done(v)) => return Ok(*v),
            Some(State::Busy) => return Err(EvalError::Cycle(String::new())),
            Some(State::Failed) => return Err(EvalError::Unknown(String::new())),
            None => {}
        }
        if self.depth >= MAX_REF_DEPTH {
            return Err(EvalError::Overflow(format!(
                "constants refer to each other more than {MAX_REF_DEPTH} levels deep"
            )));
        }
        self.state.insert(def, State::Busy);
        self.depth += 1;
        let r = self.eval_def_inner(def);
        self.depth -= 1;
        self.state.insert(
            def,
            match r {
                Ok(v) => State::Done(v),
                Err(_) => State::Failed,
            },
        );
        r
    }

    pub(super) fn eval_def_inner(&mut self, def: Def) -> Result<i128, EvalError> {
        let e = self.exprs.get(&def).cloned().flatten();
        match (def, e) {
            (d @ Def::Flag(..), Some(bit)) if self.bit_defs.contains(&d) => {
                let b = self.eval_expr(&bit)?;
                if !(0..64).contains(&b) {
                    return Err(EvalError::Overflow(format!("bit {b} is outside 0..=63")));
                }
                Ok(1i128 << b)
            }
            (Def::Enum(e, i), None) if i > 0 => Ok(self.eval_def(Def::Enum(e, i - 1))? + 1),
            (Def::Enum(..), None) => Ok(0),
            (_, Some(x)) => self.eval_expr(&x),
            (_, None) => Err(EvalError::Unknown(String::new())),
        }
    }

    pub(super) fn eval_expr(&mut self, e: &Expr) -> Result<i128, EvalError> {
        e.eval(&mut |name: &str| match self.values.get(name).map(|v| v.0) {
            Some(def) => self.eval_def(def).map_err(|err| match err {
                EvalError::Cycle(s) if s.is_empty() => EvalError::Cycle(name.to_owned()),
                other => other,
            }),
            None => Err(EvalError::Unknown(name.to_owned())),
        })
    }

    /// Evaluate the expression of `def` (or `e`) and report any failure at `span`.
    pub(super) fn value_of(
        &mut self,
        def: Option<Def>,
        e: Option<&Expr>,
        span: Span,
        what: &str,
    ) -> Option<i128> {
        let r = match (def, e) {
            (Some(d), _) => self.eval_def(d),
            (None, Some(e)) => self.eval_expr(e),
            (None, None) => return None,
        };
        match r {
            Ok(v) => Some(v),
            // Failures of a referenced item were reported where that item is defined.
            Err(EvalError::Unknown(n)) if n.is_empty() => None,
            Err(EvalError::Unknown(n)) => {
                let hint = match self.spec.constants.iter().find(|c| *c.name == n) {
                    Some(c) if c.string.is_some() => {
                        format!("`{n}` is a string constant; expressions take integers")
                    }
                    _ => self.suggest(&n),
                };
                self.diags
                    .error(
                        Code::UnknownName,
                        span,
                        format!("{what} names `{n}`, which this spec does not define"),
                    )
                    .hint = Some(hint);
                None
            }
            Err(EvalError::Cycle(n)) => {
                self.diags
                    .error(
                        Code::ExprCycle,
                        span,
                        format!("{what} depends on itself through `{n}`"),
                    )
                    .hint = Some(
                    "break the cycle: one of the constants must have a value of its own".into(),
                );
                None
            }
            Err(EvalError::Overflow(m)) => {
                self.diags
                    .error(
                        Code::ExprArith,
                        span,
                        format!("{what} cannot be computed: {m}"),
                    )
                    .hint = Some("check the operands; uapi values fit in 64 bits".into());
                None
            }
        }
    }

    pub(super) fn suggest(&mut self, n: &str) -> String {
        let lower = n.to_ascii_lowercase();
        let mut best: Option<(&str, usize)> = None;
        self.suggestions += 1;
        let keys = if self.suggestions > MAX_SUGGESTIONS || n.len() > MAX_NAME_LEN {
            None
        } else {
            Some(self.values.keys())
        };
        for k in keys.into_iter().flatten() {
            if k.len().abs_diff(n.len()) > 3 {
                continue;
            }
            let d = edit_distance(&lower, &k.to_ascii_lowercase());
            if d <= 3 && best.is_none_or(|(b, bd)| d < bd || (d == bd && k.as_str() < b)) {
                best = Some((k, d));
            }
        }
        match best {
            Some((k, _)) => format!("did you mean `{k}`?"),
            None => "define it under `constants`, a group, a flag set or an enum".into(),
        }
    }

    pub(super) fn int_ty(&mut self, t: &Option<Sp<String>>) -> Option<IntTy> {
        let t = t.as_ref()?;
        match IntTy::parse(t) {
            Some(ty) => Some(ty),
            None => {
                self.diags
                    .error(
                        Code::UnknownIntType,
                        t.span,
                        format!("`{}` is not an integer type", **t),
                    )
                    .hint = Some("use one of u8, u16, u32, u64, s8, s16, s32, s64".into());
                None
            }
        }
    }

    /// Fit a value to its type: values that fit the type, or its unsigned/signed
    /// counterpart of the same width (`~0` in a u32), are accepted and wrapped like C casts.
    pub(super) fn fit(&mut self, v: i128, ty: IntTy, span: Span, what: &str) -> i128 {
        let bits = ty.bytes() * 8;
        let lo = -(1i128 << (bits - 1));
        let hi = (1i128 << bits) - 1;
        if v < lo || v > hi {
            self.diags
                .error(
                    Code::ValueRange,
                    span,
                    format!("{what} is {v}, which does not fit in {}", ty.spec_name()),
                )
                .hint = Some("give the item a wider `type`, or correct the value".into());
        }
        ty.wrap(v)
    }

    pub(super) fn int_value(
        &mut self,
        def: Def,
        span: Span,
        ty: Option<IntTy>,
        what: &str,
    ) -> IntValue {
        let v = self.value_of(Some(def), None, span, what).unwrap_or(0);
        let ty = ty.unwrap_or_else(|| IntTy::infer(v));
        let value = self.fit(v, ty, span, what);
        let expr = self
            .exprs
            .get(&def)
            .cloned()
            .flatten()
            .unwrap_or(Expr::Num(v, v.to_string()));
        IntValue { expr, value, ty }
    }

    pub(super) fn constants(&mut self) -> Vec<Const> {
        let spec = self.spec;
        let mut out = Vec::new();
        for (i, c) in spec.constants.iter().enumerate() {
            let ty = self.int_ty(&c.ty);
            let value = match (&c.value, &c.string) {
                (Some(_), None) => ConstValue::Int(self.int_value(
                    Def::Const(i),
                    c.name.span,
                    ty,
                    &format!("constant `{}`", *c.name),
                )),
                (None, Some(s)) => {
                    if s.contains(|ch: char| ch == '\0' || !(ch.is_ascii_graphic() || ch == ' ')) {
                        self.diags
                            .error(Code::ValueRange, s.span, format!("string constant `{}` holds characters a C string literal would need escaped", *c.name))
                            .hint = Some("use printable ASCII only".into());
                    }
                    ConstValue::Str(s.value.clone())
                }
                _ => continue,
            };
            out.push(Const {
                c_name: c.name.value.clone(),
                rust_name: self.rust_or(
                    &c.rust_name,
                    names::const_name(&c.name, self.prefix.as_deref()),
                ),
                value,
                doc: doc(&c.doc),
                span: c.name.span,
            });
        }
        out
    }

    pub(super) fn rust_or(&mut self, given: &Option<Sp<String>>, derived: String) -> String {
        match given {
            Some(n) => {
                let bare = n.strip_prefix("r#").unwrap_or(n);
                let name = names::rust_ident(bare.to_owned());
                if !names::is_c_identifier(bare) {
                    self.diags
                        .error(
                            Code::BadIdentifier,
                            n.span,
                            format!("rust-name `{}` is not a Rust identifier", **n),
                        )
                        .hint = Some("use letters, digits and `_`".into());
                } else if let Some(why) = names::unusable_rust_name(&name)
                    .or_else(|| names::unusable_rust_name(n).filter(|_| n.starts_with("r#")))
                {
                    self.diags
                        .error(
                            Code::BadIdentifier,
                            n.span,
                            format!("rust-name `{}` {why}", **n),
                        )
                        .hint = Some("choose another name, e.g. with a trailing `_`".into());
                    return "invalid_rust_name".into();
                }
                name
            }
            None => derived,
        }
    }

    pub(super) fn groups(&mut self) -> Vec<Group> {
        let spec = self.spec;
        let mut out = Vec::new();
        for (g, group) in spec.groups.iter().enumerate() {
            let explicit = self.int_ty(&group.ty);
            let raw: Vec<i128> = (0..group.values.len())
                .map(|i| {
                    let v = &group.values[i];
                    self.value_of(
                        Some(Def::Group(g, i)),
                        None,
                        v.value.span,
                        &format!("value `{}`", *v.name),
                    )
                    .unwrap_or(0)
                })
                .collect();
            let ty = explicit.unwrap_or_else(|| {
                raw.iter()
                    .map(|v| IntTy::infer(*v))
                    .max_by_key(|t| (t.bytes(), t.signed()))
                    .unwrap_or(IntTy::U32)
            });
            let values = group
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let value = self.int_value(
                        Def::Group(g, i),
                        v.value.span,
                        Some(ty),
                        &format!("value `{}`", *v.name),
                    );
                    NamedValue {
                        c_name: v.name.value.clone(),
                        rust_name: self.rust_or(
                            &v.rust_name,
                            names::const_name(&v.name, self.prefix.as_deref()),
                        ),
                        value,
                        bit: None,
                        doc: doc(&v.doc),
                        span: v.name.span,
                    }
                })
                .collect();
            out.push(Group {
                c_name: group.name.value.clone(),
                rust_name: self.rust_or(&group.rust_name, names::type_name(&group.name, None)),
                ty,
                doc: doc(&group.doc),
                values,
                span: group.name.span,
            });
        }
        out
    }

    pub(super) fn flag_sets(&mut self) -> Vec<FlagSet> {
        let spec = self.spec;
        let mut out = Vec::new();
        for (f, set) in spec.flags.iter().enumerate() {
            let ty = self
                .int_ty(&set.ty)
                .or_else(|| self.flag_field_ty.get(&f).copied())
                .unwrap_or(IntTy::U32);
            let c_names: Vec<&str> = set.bits.iter().map(|b| b.name.as_str()).collect();
            let derived = names::member_names(&c_names, self.prefix.as_deref());
            let mut bits = Vec::new();
            for (i, b) in set.bits.iter().enumerate() {
                let span = b
                    .bit
                    .as_ref()
                    .or(b.value.as_ref())
                    .map_or(b.name.span, |s| s.span);
                let what = format!("flag `{}`", *b.name);
                let v = self
                    .value_of(Some(Def::Flag(f, i)), None, span, &what)
                    .unwrap_or(0);
                let value = self.fit(v, ty, span, &what);
                let (expr, bit) =
                    match (&b.bit, self.exprs.get(&Def::Flag(f, i)).cloned().flatten()) {
                        (Some(_), Some(bit_expr)) => {
                            let n = v.trailing_zeros();
                            let one = match n {
                                0..=30 => "1",
                                31 => "1U",
                                _ => "1ULL",
                            };
                            let e = Expr::Paren(Box::new(Expr::Binary(
                                BinOp::Shl,
                                Box::new(Expr::Num(1, one.into())),
                                Box::new(bit_expr),
                            )));
                            (e, Some(n))
                        }
                        (_, Some(e)) => (e, None),
                        (_, None) => (Expr::Num(v, v.to_string()), None),
                    };
                bits.push(NamedValue {
                    c_name: b.name.value.clone(),
                    rust_name: self.rust_or(&b.rust_name, derived[i].clone()),
                    value: IntValue { expr, value, ty },
                    bit,
                    doc: doc(&b.doc),
                    span: b.name.span,
                });
            }
            out.push(FlagSet {
                c_name: set.name.value.clone(),
                rust_name: self.rust_or(
                    &set.rust_name,
                    names::type_name(&set.name, self.prefix.as_deref()),
                ),
                ty,
                doc: doc(&set.doc),
                bits,
                allow: self.allow(&set.allow),
                span: set.name.span,
            });
        }
        out
    }

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
                    .value_of(Some(Def::Enum(e, i)), None, span, &what)
                    .unwrap_or(0);
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
                    span: v.name.span,
                });
            }
            let ty = if values.iter().any(|v| v.value < 0) {
                IntTy::S32
            } else {
                IntTy::U32
            };
            out.push(Enum {
                c_name: en.name.as_ref().map(|n| n.value.clone()),
                ty,
                doc: doc(&en.doc),
                values,
                span: en.name.as_ref().map_or_else(
                    || en.values.first().map_or(Span::default(), |v| v.name.span),
                    |n| n.span,
                ),
            });
        }
        out
    }
}
