//! ioctls: numbers, directions and argument types.

use super::{Resolver, doc};
use crate::diag::Code;
use crate::expr::{CValue, Expr};
use crate::ir::*;
use crate::names;
use crate::spec::{self, Pass, Sp};

impl Resolver<'_> {
    pub(super) fn ioctls(&mut self) -> Vec<Ioctl> {
        let spec = self.spec;
        let mut out = Vec::new();
        for io in &spec.ioctls {
            let field = |this: &mut Self, e: &Sp<spec::ExprText>, what: &str| -> IntValue {
                let parsed = this.parse_expr(e);
                let o = this.origin(e.span, &e.0);
                let c = parsed
                    .as_ref()
                    .and_then(|x| {
                        this.value_of_expr(x, o, &format!("the {what} of `{}`", *io.name))
                    })
                    .unwrap_or(CValue::int(0));
                let v = c.value;
                if !(0..=255).contains(&v) {
                    this.diags
                        .error(
                            Code::IoctlField,
                            e.span,
                            format!(
                                "the {what} of `{}` is {v}, which does not fit in 8 bits",
                                *io.name
                            ),
                        )
                        .hint = Some("ioctl type and number are 0..=255 each".into());
                }
                IntValue {
                    expr: parsed.unwrap_or(Expr::Num(v, v.to_string(), 0)),
                    value: v,
                    ty: IntTy::U8,
                    c,
                }
            };
            let ty = field(self, &io.ty, "type");
            let nr = field(self, &io.nr, "number");
            let arg = io.arg.as_ref().and_then(|a| {
                let t = self.parse_type(a)?;
                if matches!(t, Ty::Flex(_)) && !matches!(t.element(), Ty::Scalar(_)) {
                    self.diags
                        .error(Code::IoctlArg, a.span, "an ioctl argument can be a flexible array of scalars only (a string or buffer)")
                        .hint = Some("name the struct itself: `arg: struct NAME`".into());
                }
                Some(t)
            });
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
            if io.dir.value != spec::Dir::None && io.arg.is_none() {
                self.diags
                    .error(
                        Code::IoctlArg,
                        io.dir.span,
                        format!("`{}` encodes an argument size but has no `arg`", *io.name),
                    )
                    .hint = Some("name the argument type with `arg:`, or use `dir: none`".into());
            }
            if io.dir.value != spec::Dir::None && matches!(arg, Some(Ty::Flex(_))) {
                self.diags
                    .error(
                        Code::IoctlArg,
                        io.dir.span,
                        format!(
                            "`{}` encodes the size of a flexible array, which has none",
                            *io.name
                        ),
                    )
                    .hint = Some("use `dir: none` for variable-size arguments".into());
            }
            out.push(Ioctl {
                c_name: io.name.value.clone(),
                rust_name: self.rust_or(
                    &io.rust_name,
                    names::const_name(&io.name, self.prefix.as_deref()),
                ),
                dir: io.dir.value,
                ty,
                nr,
                arg,
                pass,
                returns: io
                    .returns
                    .as_ref()
                    .map_or(spec::Returns::Value, |r| r.value),
                doc: doc(&io.doc),
                allow: self.allow(&io.allow),
                span: io.name.span,
            });
        }
        out
    }
}
