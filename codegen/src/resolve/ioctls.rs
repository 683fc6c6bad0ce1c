//! ioctls: numbers, directions and argument types.

use std::collections::HashMap;

use super::{Resolver, doc};
use crate::diag::Code;
use crate::expr::{CValue, Expr};
use crate::ir::*;
use crate::names;
use crate::spec::{self, Pass, Sp, Span};

impl Resolver<'_> {
    /// ioctl and macro names: unique among the values, and an ioctl once per architecture.
    pub(super) fn register_ioctl_names(&mut self) {
        let spec = self.spec;
        // An ioctl may be declared once per architecture: the `arch` lists must not overlap.
        let mut ioctls: HashMap<&str, Vec<(Span, crate::abi::AbiSet)>> = HashMap::new();
        for (i, io) in spec.ioctls.iter().enumerate() {
            self.check_ident(&io.name, "ioctl name");
            let abis = self.ioctl_abis[i];
            let earlier = ioctls.entry(io.name.as_str()).or_default();
            let clash = earlier
                .iter()
                .find(|(_, a)| a.overlaps(abis))
                .map(|(s, _)| *s);
            earlier.push((io.name.span, abis));
            if let Some((_, prev)) = self.values.get(io.name.as_str()) {
                let prev = *prev;
                self.defined_twice(io.name.span, format!("`{}`", *io.name), prev);
            } else if let Some(prev) = clash {
                self.defined_twice(io.name.span, format!("ioctl `{}`", *io.name), prev);
            }
        }
        for mac in &spec.ioctl_macros {
            self.check_ident(&mac.name, "ioctl macro name");
            if mac.name.starts_with("_IO") {
                self.diags
                    .error(
                        Code::BadIdentifier,
                        mac.name.span,
                        format!(
                            "the ioctl macro `{}` would redefine <linux/ioctl.h>'s",
                            *mac.name
                        ),
                    )
                    .hint = Some("name it as the header does, e.g. `SECCOMP_IOWR`".into());
            }
            self.macro_name_once(&mac.name, &mut ioctls);
        }
        for mac in &spec.macros {
            self.check_ident(&mac.name, "macro name");
            self.macro_name_once(&mac.name, &mut ioctls);
        }
    }

    /// A macro's name is taken by no value, ioctl or other macro (E0101); it is registered.
    fn macro_name_once<'s>(
        &mut self,
        name: &'s Sp<String>,
        taken: &mut HashMap<&'s str, Vec<(Span, crate::abi::AbiSet)>>,
    ) {
        let prev = match self.values.get(name.as_str()) {
            Some((_, prev)) => Some(*prev),
            None => taken
                .get(name.as_str())
                .and_then(|v| v.first())
                .map(|(s, _)| *s),
        };
        match prev {
            Some(prev) => self.defined_twice(name.span, format!("`{}`", **name), prev),
            None => {
                taken.insert(name.as_str(), vec![(name.span, self.abis)]);
            }
        }
    }

    /// The spec's ioctl macros: the type byte of each evaluated (0 to 255).
    pub(super) fn resolve_ioctl_macros(&mut self) -> Vec<IoctlMacro> {
        let spec = self.spec;
        let mut out = Vec::new();
        for mac in &spec.ioctl_macros {
            let what = format!("the type of `{}`", *mac.name);
            let parsed = self.parse_expr(&mac.ty);
            let o = self.origin(mac.ty.span, &mac.ty.0);
            let c = parsed
                .as_ref()
                .and_then(|x| self.value_of_expr(x, o, &what))
                .unwrap_or(CValue::int(0));
            if !(0..=255).contains(&c.value) {
                self.diags
                    .error(
                        Code::IoctlField,
                        mac.ty.span,
                        format!("{what} is {}, which does not fit in 8 bits", c.value),
                    )
                    .hint = Some("an ioctl type byte is 0..=255".into());
            }
            out.push(IoctlMacro {
                c_name: mac.name.value.clone(),
                dir: mac.dir.value,
                ty: IntValue {
                    expr: parsed.unwrap_or(Expr::Num(c.value, c.value.to_string(), 0)),
                    value: c.value,
                    ty: IntTy::U8,
                    c,
                },
                doc: doc(&mac.doc),
                span: mac.name.span,
            });
        }
        out
    }

    pub(super) fn ioctls(&mut self) -> Vec<Ioctl> {
        let spec = self.spec;
        let kinds = self.fd_map();
        let mut out = Vec::new();
        for (index, io) in spec.ioctls.iter().enumerate() {
            self.ctx = self.ioctl_abis[index];
            let name = &*io.name;
            let eval = |this: &mut Self, e: &Sp<spec::ExprText>, what: &str| -> (Expr, CValue) {
                let parsed = this.parse_expr(e);
                let o = this.origin(e.span, &e.0);
                let c = parsed
                    .as_ref()
                    .and_then(|x| this.value_of_expr(x, o, &format!("the {what} of `{name}`")))
                    .unwrap_or(CValue::int(0));
                let v = c.value;
                (parsed.unwrap_or(Expr::Num(v, v.to_string(), 0)), c)
            };
            let field = |this: &mut Self, e: &Sp<spec::ExprText>, what: &str| -> IntValue {
                let (expr, c) = eval(this, e, what);
                let v = c.value;
                if !(0..=255).contains(&v) {
                    this.diags
                        .error(
                            Code::IoctlField,
                            e.span,
                            format!("the {what} of `{name}` is {v}, which does not fit in 8 bits"),
                        )
                        .hint = Some("ioctl type and number are 0..=255 each".into());
                }
                IntValue {
                    expr,
                    value: v,
                    ty: IntTy::U8,
                    c,
                }
            };
            let wrapper = io
                .mac
                .as_ref()
                .and_then(|m| self.ioctl_macros.iter().position(|x| x.c_name == m.value));
            let number = self.ioctl_number(io, wrapper, field, eval);
            let dir = match wrapper {
                Some(w) => self.ioctl_macros[w].dir,
                None => io.dir.as_ref().map_or(spec::Dir::None, |d| d.value),
            };
            let dir_span = io.dir.as_ref().map_or(io.name.span, |d| d.span);
            // A type declared once per architecture makes one ioctl per declaration.
            self.split = Some(Vec::new());
            let arg = io.arg.as_ref().and_then(|a| {
                let t = self.parse_type(a)?;
                if matches!(t, Ty::Flex(_)) && !matches!(t.element(), Ty::Scalar(_)) {
                    self.diags
                        .error(Code::IoctlArg, a.span, "an ioctl argument can be a flexible array of scalars only (a string or buffer)")
                        .hint = Some("name the struct itself: `arg: struct NAME`".into());
                }
                Some(t)
            });
            let split = self.split.take().unwrap_or_default();
            let pass = io.pass.as_ref().map_or(Pass::Pointer, |p| p.value);
            if pass == Pass::Value {
                let ok = matches!(arg, Some(Ty::Scalar(Scalar::Int(t))) if t.bytes() <= 4);
                // An `arg` that did not resolve has its own error already.
                if !ok && (arg.is_some() || io.arg.is_none()) {
                    let span = io.pass.as_ref().map_or(io.name.span, |p| p.span);
                    self.diags
                        .error(Code::IoctlArg, span, format!("`{}` passes its argument by value, which needs an integer of at most 32 bits as `arg`", *io.name))
                        .hint = Some("use `arg: u32` (or s32), or `pass: pointer`".into());
                }
            }
            // `arg` missing, not `arg` unresolved (that has its own error already).
            if matches!(number, Number::Io { .. }) && dir != spec::Dir::None && io.arg.is_none() {
                self.diags
                    .error(
                        Code::IoctlArg,
                        dir_span,
                        format!("`{}` encodes an argument size but has no `arg`", *io.name),
                    )
                    .hint = Some("name the argument type with `arg:`, or use `dir: none`".into());
            }
            if number.takes_arg_size(dir) && matches!(arg, Some(Ty::Flex(_))) {
                self.diags
                    .error(
                        Code::IoctlArg,
                        dir_span,
                        format!(
                            "`{}` encodes the size of a flexible array, which has none",
                            *io.name
                        ),
                    )
                    .hint = Some("use `dir: none` for variable-size arguments".into());
            }
            let data = match &io.data {
                Some(d) => {
                    if io.arg.is_none() || pass == Pass::Value {
                        self.diags
                            .error(
                                Code::IoctlArg,
                                d.span,
                                format!("`{}` has `data` but passes no pointer to data", *io.name),
                            )
                            .hint = Some(
                            "`data` says which way the data behind a pointer `arg` goes; remove it"
                                .into(),
                        );
                    }
                    d.value
                }
                None => match dir {
                    spec::Dir::Write => spec::Data::In,
                    spec::Dir::Read => spec::Data::Out,
                    _ => spec::Data::InOut,
                },
            };
            let made = Ioctl {
                c_name: io.name.value.clone(),
                rust_name: self.rust_or(
                    &io.rust_name,
                    names::const_name(&io.name, self.prefix.as_deref()),
                ),
                dir,
                number,
                data,
                arg,
                pass,
                returns: io
                    .returns
                    .as_ref()
                    .map_or(spec::Returns::Value, |r| r.value),
                doc: doc(&io.doc),
                allow: self.allow(&io.allow),
                wrapper,
                fds: self.ioctl_fds(&kinds, io),
                gives: self.ioctl_gives(&kinds, io),
                abis: self.ctx,
                span: io.name.span,
            };
            match (&made.arg, split.as_slice()) {
                (Some(arg), [first, ..]) if split.len() > 1 => {
                    for &id in &split {
                        let mut one = made.clone();
                        one.arg = Some(retarget(arg, *first, id));
                        one.abis = made.abis & self.types[id].abis;
                        out.push(one);
                    }
                }
                _ => out.push(made),
            }
        }
        self.ctx = self.abis;
        out
    }

    /// How the spec gives the number: `type` and `nr` (with `dir`, and with `macro: _IOC`
    /// and `size`), or a literal `number`; exactly one of the two ways.
    fn ioctl_number(
        &mut self,
        io: &spec::Ioctl,
        wrapper: Option<usize>,
        field: impl Fn(&mut Self, &Sp<spec::ExprText>, &str) -> IntValue,
        eval: impl Fn(&mut Self, &Sp<spec::ExprText>, &str) -> (Expr, CValue),
    ) -> Number {
        let name = &*io.name;
        let err = |this: &mut Self, span, msg: String, hint: &str| {
            this.diags.error(Code::IoctlNumber, span, msg).hint = Some(hint.into());
        };
        let ioc = match &io.mac {
            Some(m) if m.as_str() == "_IOC" => true,
            Some(m) if wrapper.is_some() => {
                // The macro gives the direction and the type byte.
                for (key, span) in [
                    ("dir", io.dir.as_ref().map(|d| d.span)),
                    ("type", io.ty.as_ref().map(|d| d.span)),
                    ("size", io.size.as_ref().map(|d| d.span)),
                ] {
                    if let Some(span) = span {
                        err(
                            self,
                            span,
                            format!(
                                "`{name}` is written with `{}`, which gives its `{key}`",
                                **m
                            ),
                            "remove it: the ioctl macro of the spec says it",
                        );
                    }
                }
                false
            }
            Some(m) => {
                err(
                    self,
                    m.span,
                    format!(
                        "`{name}` names the macro `{}`, which uapigen does not know",
                        **m
                    ),
                    "name `_IOC` or one of the spec's `ioctl-macros` (`_IO`/`_IOR`/`_IOW`/`_IOWR` follow from `dir`)",
                );
                false
            }
            None => false,
        };
        if let Some(n) = &io.number {
            for (key, span) in [
                ("dir", io.dir.as_ref().map(|d| d.span)),
                ("type", io.ty.as_ref().map(|d| d.span)),
                ("nr", io.nr.as_ref().map(|d| d.span)),
                ("macro", io.mac.as_ref().map(|d| d.span)),
                ("size", io.size.as_ref().map(|d| d.span)),
            ] {
                if let Some(span) = span {
                    err(
                        self,
                        span,
                        format!("`{name}` has a literal `number` and `{key}` too"),
                        "give either `number` (the whole number as the kernel writes it) or `dir`, `type` and `nr`",
                    );
                }
            }
            let (expr, c) = eval(self, n, "number");
            let v = c.value;
            if !(0..=i128::from(u32::MAX)).contains(&v) {
                err(
                    self,
                    n.span,
                    format!("the number of `{name}` is {v}, which is not a 32-bit ioctl number"),
                    "an ioctl number is 0..=0xFFFFFFFF",
                );
            }
            return Number::Literal(IntValue {
                expr,
                value: v,
                ty: IntTy::U32,
                c,
            });
        }
        if let Some(w) = wrapper {
            let zero = Sp {
                value: spec::ExprText("0".into()),
                span: io.name.span,
            };
            if io.nr.is_none() {
                err(
                    self,
                    io.name.span,
                    format!("`{name}` has no `nr`"),
                    "give the number the ioctl macro takes: `nr: 0`",
                );
            }
            let nr = field(self, io.nr.as_ref().unwrap_or(&zero), "number");
            return Number::Io {
                ty: self.ioctl_macros[w].ty.clone(),
                nr,
            };
        }
        let missing: Vec<&str> = [
            ("dir", io.dir.is_none()),
            ("type", io.ty.is_none()),
            ("nr", io.nr.is_none()),
        ]
        .into_iter()
        .filter_map(|(k, m)| m.then_some(k))
        .collect();
        if !missing.is_empty() {
            err(
                self,
                io.name.span,
                format!("`{name}` has no `{}`", missing.join("`, `")),
                "give `dir`, `type` and `nr` (encoded with _IOC), or a literal `number: 0x4C00`",
            );
        }
        let zero = Sp {
            value: spec::ExprText("0".into()),
            span: io.name.span,
        };
        let ty = field(self, io.ty.as_ref().unwrap_or(&zero), "type");
        let nr = field(self, io.nr.as_ref().unwrap_or(&zero), "number");
        if let (Some(s), false) = (&io.size, ioc) {
            err(
                self,
                s.span,
                format!("`{name}` has a `size` without `macro: _IOC`"),
                "`_IOR`/`_IOW`/`_IOWR` encode the size of `arg`; an explicit size needs `macro: _IOC`",
            );
        }
        if !ioc {
            return Number::Io { ty, nr };
        }
        let size = io.size.as_ref().map(|s| {
            let (expr, c) = eval(self, s, "size");
            let v = c.value;
            if !(0..=0x3fff).contains(&v) {
                err(
                    self,
                    s.span,
                    format!("the size of `{name}` is {v}, which the ioctl encoding cannot carry"),
                    "the encoded size is 0..=0x3FFF (13 bits on powerpc, mips, sparc and alpha: 0..=0x1FFF)",
                );
            }
            IntValue {
                expr,
                value: v,
                ty: IntTy::U32,
                c,
            }
        });
        Number::Ioc { ty, nr, size }
    }
}

/// `ty` with the named type `from` replaced by `to`.
fn retarget(ty: &Ty, from: TypeId, to: TypeId) -> Ty {
    match ty {
        Ty::Named(id) if *id == from => Ty::Named(to),
        Ty::Ptr(t) => Ty::Ptr(Box::new(retarget(t, from, to))),
        Ty::Array(t, n, e) => Ty::Array(Box::new(retarget(t, from, to)), *n, e.clone()),
        Ty::Flex(t) => Ty::Flex(Box::new(retarget(t, from, to))),
        Ty::Const(t) => Ty::Const(Box::new(retarget(t, from, to))),
        other => other.clone(),
    }
}
