//! Values: expressions parsed and evaluated, constants, value groups, flag sets and enums.

use std::collections::HashMap;

use super::{
    Def, MAX_NAME_LEN, MAX_REF_DEPTH, MAX_SUGGESTIONS, Origin, Resolver, State, doc, edit_distance,
};
use crate::diag::Code;
use crate::expr::{
    self, BinOp, CType, CValue, CastTy, EvalError, EvalKind, Evaluated, Expr, NameError,
};
use crate::ir::*;
use crate::names;
use crate::spec::{self, Sp, Span};

impl Resolver<'_> {
    /// Where the text of an expression written at `span` sits in the file.
    pub(super) fn origin(&self, span: Span, text: &str) -> Origin {
        let src: &str = &self.file.text;
        let known = span.offset > 0 || (span.line <= 1 && span.column <= 1);
        let base = if !known || text.contains(['\n', '\r']) {
            None
        } else {
            src.get(span.offset..).and_then(|rest| {
                if rest.starts_with(text) {
                    return Some((span.offset, span.column));
                }
                let q = rest.chars().next().filter(|q| matches!(q, '"' | '\''))?;
                let inner = rest.get(1..)?;
                (inner.starts_with(text) && inner[text.len()..].starts_with(q))
                    .then_some((span.offset + 1, span.column.saturating_add(1)))
            })
        };
        Origin { span, base }
    }

    /// The origin of the text `k` bytes into the text of `o`.
    pub(super) fn shifted(&self, o: Origin, k: usize) -> Origin {
        Origin {
            span: o.span,
            base: o.base.map(|(off, col)| {
                let chars = self
                    .file
                    .text
                    .get(off..off + k)
                    .map_or(0, |s| s.chars().count());
                (
                    off + k,
                    col.saturating_add(u32::try_from(chars).unwrap_or(0)),
                )
            }),
        }
    }

    /// The span of bytes `at..at + len` of the expression text of `o` (the whole item when
    /// the text is not in the file as written). Line, column and underline agree.
    pub(super) fn sub_span(&self, o: Origin, at: usize, len: usize) -> Span {
        match o.base {
            Some((off, col)) => {
                let chars = self
                    .file
                    .text
                    .get(off..off + at)
                    .map_or(0, |s| s.chars().count());
                Span {
                    line: o.span.line,
                    column: col.saturating_add(u32::try_from(chars).unwrap_or(0)),
                    offset: off + at,
                    len: len.max(1),
                }
            }
            None => o.span,
        }
    }

    pub(super) fn parse_expr(&mut self, e: &Sp<spec::ExprText>) -> Option<Expr> {
        match expr::parse(&e.0) {
            Ok(x) => Some(x),
            Err(err) => {
                let o = self.origin(e.span, &e.0);
                let span = self.sub_span(o, err.at, err.len);
                self.diags
                    .error(Code::ExprSyntax, span, format!("cannot parse `{}`: {}", e.0, err.message))
                    .hint = Some("expressions use integers, names, parentheses and C operators, e.g. `VFIO_BASE + 1` or `1 << 3`".into());
                None
            }
        }
    }

    pub(super) fn register_values(&mut self) {
        let spec = self.spec;
        self.register_arches();
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
                        let o = self.origin(bit.span, &bit.0);
                        self.origins.insert(Def::Flag(f, i), o);
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
        self.register_ioctl_names();
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

    /// How errors name a value.
    fn what_of(&self, def: Def) -> String {
        let spec = self.spec;
        match def {
            Def::Const(i) => format!("constant `{}`", *spec.constants[i].name),
            Def::Group(g, i) => format!("value `{}`", *spec.groups[g].values[i].name),
            Def::Flag(f, i) => format!("flag `{}`", *spec.flags[f].bits[i].name),
            Def::Enum(e, i) => format!("enumerator `{}`", *spec.enums[e].values[i].name),
            Def::Import(_) => "a value of a used spec".into(),
        }
    }

    /// Evaluate the value of a definition, following references: C's value and type of the
    /// name where an expression uses it. Its own errors are reported where it is written;
    /// cycles and too-deep references go up to the expression that started the evaluation.
    pub(super) fn eval_def(&mut self, def: Def) -> Result<CValue, NameError> {
        match self.state.get(&def) {
            Some(State::Done(v)) => return Ok(*v),
            Some(State::Busy) => return Err(NameError::Cycle(String::new())),
            Some(State::Failed) => return Err(NameError::Reported),
            None => {}
        }
        if self.depth >= MAX_REF_DEPTH {
            return Err(NameError::Depth(format!(
                "constants refer to each other more than {MAX_REF_DEPTH} levels deep"
            )));
        }
        self.state.insert(def, State::Busy);
        self.depth += 1;
        // A definition's expression refers to what exists on the definition's ABIs.
        let ctx = self.ctx;
        self.ctx = self.def_abis.get(&def).copied().unwrap_or(self.abis);
        let r = self.eval_def_inner(def);
        self.ctx = ctx;
        self.depth -= 1;
        self.state.insert(
            def,
            match r {
                Ok(v) => State::Done(v),
                Err(_) => State::Failed,
            },
        );
        r.map_err(|e| match e.kind {
            EvalKind::Cycle(n) => NameError::Cycle(n),
            EvalKind::Depth(m) => NameError::Depth(m),
            _ => {
                let o = self.origin_of(def);
                let what = self.what_of(def);
                self.report(e, o, &what);
                NameError::Reported
            }
        })
    }

    fn origin_of(&self, def: Def) -> Origin {
        self.origins
            .get(&def)
            .copied()
            .unwrap_or(Origin::whole(Span::default()))
    }

    /// C's value and type of the flag `bit: b` of set `f`. Apart from
    /// [`Self::eval_def_inner`] to keep its stack frame small: names nest evaluations deeply.
    #[inline(never)]
    fn flag_bit(&self, f: usize, b: i128, bit: &Expr) -> Result<CValue, EvalError> {
        if !(0..64).contains(&b) {
            let (at, len) = bit.extent();
            return Err(EvalError {
                kind: EvalKind::Arith {
                    message: format!("bit {b} is outside 0..=63"),
                    hint: "a flag is one of the 64 bits of a u64 at most".into(),
                },
                at,
                len,
            });
        }
        // The header prints `((__u64)1 << b)` in a set whose `type` is 64-bit, else
        // `(1 << b)`, `(1U << 31)` or `(1ULL << b)`.
        let ty = match b {
            _ if self.flag_set_wide(f) => CType::ULLONG,
            0..=30 => CType::INT,
            31 => CType::UINT,
            _ => CType::ULLONG,
        };
        Ok(CValue::new(1i128 << b, ty))
    }

    fn eval_def_inner(&mut self, def: Def) -> Result<CValue, EvalError> {
        let e = self.exprs.get(&def).cloned().flatten();
        let o = self.origin_of(def);
        let reported = EvalError {
            kind: EvalKind::Reported,
            at: 0,
            len: 0,
        };
        match (def, e) {
            (d @ Def::Flag(f, _), Some(bit)) if self.bit_defs.contains(&d) => {
                let b = self.eval_expr(&bit, o)?.c.value;
                self.flag_bit(f, b, &bit)
            }
            (Def::Enum(e, i), None) if i > 0 => {
                let prev = self.eval_def(Def::Enum(e, i - 1)).map_err(|_| reported)?;
                let v = prev.value + 1;
                Ok(CValue::new(v, CType::of_value(v)))
            }
            (Def::Enum(..), None) => Ok(CValue::int(0)),
            (Def::Enum(..), Some(x)) => {
                // An enumerator is an `int` where it is used (when its value fits).
                let v = self.eval_expr(&x, o)?.c.value;
                Ok(CValue::new(v, CType::of_value(v)))
            }
            (_, Some(x)) => Ok(self.eval_expr(&x, o)?.c),
            (_, None) => Err(reported),
        }
    }

    /// Evaluate an expression written at `o` the way C does.
    pub(super) fn eval_expr(&mut self, e: &Expr, o: Origin) -> Result<Evaluated, EvalError> {
        let r = e.eval(&mut |name: &str| match self.value_on(name).map_err(|message| {
            NameError::Untyped {
                message,
                hint: "declare this item once per architecture of that name (each with its `arch`), or limit it to one of them".into(),
            }
        })? {
            Some(def) if self.untyped.contains(&def) => Err(NameError::Untyped {
                message: format!("`{name}` is an enumerator of an enum with values outside `int`, whose type C compilers do not agree on"),
                hint: "use a constant for the value, or keep the enum's values within `int`".into(),
            }),
            Some(def) => {
                let v = self.eval_def(def)?;
                if matches!(def, Def::Enum(..)) && !CType::INT.fits(v.value) {
                    return Err(NameError::Untyped {
                        message: format!("the enumerator `{name}` is {}, outside `int`, and C compilers do not agree on its type", v.value),
                        hint: "use a constant for the value, or keep the enum's values within `int`".into(),
                    });
                }
                Ok(v)
            }
            None => Err(NameError::Unknown),
        })?;
        let mut names = Vec::new();
        e.names_at(&mut names);
        for (n, at) in names {
            let Ok(Some(def)) = self.value_on(&n) else {
                continue;
            };
            if let Def::Enum(en, _) = def {
                let span = self.sub_span(o, at, n.len());
                self.enum_uses.push((span, en, n.clone()));
            }
            if let Some(have) = self.value_abis(&n, def)
                && !self.ctx.within(have)
            {
                let span = self.sub_span(o, at, n.len());
                self.check_exists(span, &format!("`{n}`"), have);
            }
        }
        Ok(r)
    }

    /// Report an evaluation error of the expression written at `o`.
    pub(super) fn report(&mut self, err: EvalError, o: Origin, what: &str) {
        let span = self.sub_span(o, err.at, err.len);
        match err.kind {
            EvalKind::Reported => {}
            EvalKind::Unknown(n) => {
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
            }
            EvalKind::Cycle(n) => {
                self.diags
                    .error(
                        Code::ExprCycle,
                        span,
                        format!("{what} depends on itself through `{n}`"),
                    )
                    .hint = Some(
                    "break the cycle: one of the constants must have a value of its own".into(),
                );
            }
            EvalKind::Depth(m) => {
                self.diags
                    .error(
                        Code::ExprArith,
                        span,
                        format!("{what} cannot be computed: {m}"),
                    )
                    .hint = Some("define some of the values directly".into());
            }
            EvalKind::Arith { message, hint } => {
                self.diags
                    .error(
                        Code::ExprArith,
                        span,
                        format!("{what} cannot be computed: {message}"),
                    )
                    .hint = Some(hint);
            }
        }
    }

    /// The C value of a definition; a failure is reported at `span` (or where it is written).
    pub(super) fn value_of_def(&mut self, def: Def, span: Span, what: &str) -> Option<CValue> {
        match self.eval_def(def) {
            Ok(v) => Some(v),
            Err(NameError::Cycle(n)) => {
                let kind = EvalKind::Cycle(if n.is_empty() { what.to_owned() } else { n });
                self.report_whole(kind, span, what);
                None
            }
            Err(NameError::Depth(m)) => {
                self.report_whole(EvalKind::Depth(m), span, what);
                None
            }
            Err(NameError::Untyped { message, hint }) => {
                self.report_whole(EvalKind::Arith { message, hint }, span, what);
                None
            }
            // Failures of a referenced item were reported where that item is defined.
            Err(NameError::Reported | NameError::Unknown) => None,
        }
    }

    fn report_whole(&mut self, kind: EvalKind, span: Span, what: &str) {
        let err = EvalError {
            kind,
            at: 0,
            len: 0,
        };
        self.report(err, Origin::whole(span), what);
    }

    /// Evaluate an expression written at `o` (not a named value) and report any failure.
    pub(super) fn value_of_expr(&mut self, e: &Expr, o: Origin, what: &str) -> Option<CValue> {
        match self.eval_expr(e, o) {
            Ok(v) => Some(v.c),
            Err(err) => {
                self.report(err, o, what);
                None
            }
        }
    }

    /// Enumerators are `int`s in C only when every value of their enum fits in `int` (an
    /// enum with a wider value gives them the enum's type in C23 and C++, and gcc gives
    /// those outside `int` another type): an expression must not rely on the others.
    pub(super) fn check_enum_uses(&mut self, enums: &[Enum]) {
        for (span, en, name) in std::mem::take(&mut self.enum_uses) {
            let Some(e) = enums.get(en) else { continue };
            if !e.is_int() {
                self.diags
                    .error(
                        Code::ExprArith,
                        span,
                        format!("an expression names `{name}`, an enumerator of an enum with values outside `int`, whose type C compilers do not agree on"),
                    )
                    .hint = Some("use a constant for the value, or keep the enum's values within `int`".into());
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

    /// A flag set whose `type:` is 64 bits: its `bit:` flags are `((__u64)1 << n)` in C.
    /// Only the written type decides (a set that takes the type of its field keeps C's
    /// `int`), so the C type of a flag never depends on the order items are resolved in.
    fn flag_set_wide(&self, f: usize) -> bool {
        self.spec.flags[f]
            .ty
            .as_ref()
            .and_then(|t| IntTy::parse(t))
            .is_some_and(|t| t.bytes() == 8)
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

    /// Fit C's value of an item to the item's type: a value that fits the type, or its
    /// unsigned/signed counterpart of the same width, converts to it without losing a bit
    /// and is accepted, converted as C converts it (`~0`, the `int` -1, is 0xffffffff in a
    /// u32, and so is `~FLAG` of an `int` flag in a u32 flag set its complement there).
    pub(super) fn fit(&mut self, c: CValue, ty: IntTy, span: Span, what: &str) -> i128 {
        let v = c.value;
        let bits = ty.bytes() * 8;
        let lo = -(1i128 << (bits - 1));
        let hi = (1i128 << bits) - 1;
        if v < lo || v > hi {
            let other = IntTy::parse(
                &ty.spec_name()
                    .replace(['u', 's'], if ty.signed() { "u" } else { "s" }),
            )
            .unwrap_or(ty);
            self.diags
                .error(
                    Code::ValueRange,
                    span,
                    format!(
                        "{what} is {v} ({} in C), which does not fit in {}",
                        c.ty.name(),
                        ty.spec_name()
                    ),
                )
                .hint = Some(format!(
                "a {ty} takes C's value of the expression when it fits {ty} or {other}, which convert \
                 to {ty} without losing a bit (so `~0`, the int -1, and `~FLAG` of an int flag fit a u32, \
                 and a 64-bit `~0ULL` does not); give the item a wider `type`, or correct the value",
                ty = ty.spec_name(),
                other = other.spec_name()
            ));
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
        let c = self.value_of_def(def, span, what).unwrap_or(CValue::int(0));
        // An untyped item whose C type is 64 bits (`(__u64)1 << 3`, `8ULL`) is 64-bit in
        // Rust too; otherwise the smallest of u32, u64, s32, s64 that holds the value.
        let ty = ty.unwrap_or_else(|| match c.ty {
            CType { bits: 64, signed } => {
                if signed {
                    IntTy::S64
                } else {
                    IntTy::U64
                }
            }
            _ => IntTy::infer(c.value),
        });
        let value = self.fit(c, ty, span, what);
        let expr = self.exprs.get(&def).cloned().flatten().unwrap_or(Expr::Num(
            c.value,
            c.value.to_string(),
            0,
        ));
        IntValue { expr, value, ty, c }
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
                    if s.contains('\0') {
                        self.diags
                            .error(Code::ValueRange, s.span, format!("string constant `{}` holds a NUL character, which would end the C string early", *c.name))
                            .hint = Some("a string constant is a C string: leave the NUL out (C adds one at the end)".into());
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
                abis: self.const_abis[i],
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
                    self.value_of_def(
                        Def::Group(g, i),
                        v.value.span,
                        &format!("value `{}`", *v.name),
                    )
                    .map_or(0, |c| c.value)
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
                        abis: self
                            .def_abis
                            .get(&Def::Group(g, i))
                            .copied()
                            .unwrap_or(self.abis),
                        span: v.name.span,
                    }
                })
                .collect();
            out.push(Group {
                c_name: group.name.value.clone(),
                rust_name: self.rust_or(
                    &group.rust_name,
                    names::type_name(&group.name, self.prefix.as_deref()),
                ),
                ty,
                doc: doc(&group.doc),
                values,
                abis: self.group_abis[g],
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
            let wide = self.flag_set_wide(f);
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
                let c = self
                    .value_of_def(Def::Flag(f, i), span, &what)
                    .unwrap_or(CValue::int(0));
                let v = c.value;
                let value = self.fit(c, ty, span, &what);
                let (expr, bit) =
                    match (&b.bit, self.exprs.get(&Def::Flag(f, i)).cloned().flatten()) {
                        (Some(_), Some(bit_expr)) => {
                            let n = v.trailing_zeros();
                            let one = match n {
                                0..=30 => "1",
                                31 => "1U",
                                _ => "1ULL",
                            };
                            // `1 << A | B` would shift by `A` only.
                            let bit_expr = match bit_expr {
                                Expr::Binary(op, ..) if op.precedence() <= 10 => {
                                    Expr::Paren(Box::new(bit_expr), 0, 0)
                                }
                                Expr::Cond(..) => Expr::Paren(Box::new(bit_expr), 0, 0),
                                e => e,
                            };
                            // A bit of a 64-bit set is `((__u64)1 << n)`, as the kernel
                            // writes such flags: the macro has the set's C type.
                            let one = Expr::Num(1, one.into(), 0);
                            let one = if wide {
                                let t = CastTy::Fixed {
                                    signed: ty.signed(),
                                    bits: 64,
                                };
                                Expr::Cast(t, Box::new(Expr::Num(1, "1".into(), 0)), 0)
                            } else {
                                one
                            };
                            let e = Expr::Paren(
                                Box::new(Expr::Binary(
                                    BinOp::Shl,
                                    Box::new(one),
                                    Box::new(bit_expr),
                                    0,
                                )),
                                0,
                                0,
                            );
                            (e, Some(n))
                        }
                        (_, Some(e)) => (e, None),
                        (_, None) => (Expr::Num(v, v.to_string(), 0), None),
                    };
                bits.push(NamedValue {
                    c_name: b.name.value.clone(),
                    rust_name: self.rust_or(&b.rust_name, derived[i].clone()),
                    value: IntValue { expr, value, ty, c },
                    bit,
                    doc: doc(&b.doc),
                    abis: self
                        .def_abis
                        .get(&Def::Flag(f, i))
                        .copied()
                        .unwrap_or(self.abis),
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
                abis: self.flag_abis[f],
                span: set.name.span,
            });
        }
        out
    }
}
