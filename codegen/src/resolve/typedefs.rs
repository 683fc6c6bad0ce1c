//! Typedefs: each names an integer type, a struct or union, or an enum.

use super::{Resolver, doc};
use crate::ctypes::CInt;
use crate::diag::Code;
use crate::ir::*;
use crate::names;

impl Resolver<'_> {
    /// The spec's typedefs: each names an integer type, or a struct or union (of the spec
    /// or a used one).
    pub(super) fn register_typedefs(&mut self) {
        let spec = self.spec;
        for td in &spec.typedefs {
            self.check_ident(&td.name, "typedef name");
            let abis = self.arch_set(&td.arch, &format!("typedef `{}`", *td.name));
            let ctx = self.ctx;
            self.ctx = abis;
            self.last_enum = None;
            let ty = self.parse_type(&td.ty);
            self.ctx = ctx;
            self.last_typedef = None;
            let enum_tag = self.last_enum.take();
            let target = match ty {
                Some(Ty::Scalar(s @ (Scalar::Int(_) | Scalar::C(_) | Scalar::Kernel(_)))) => {
                    TypedefTy::Int(s)
                }
                Some(Ty::Named(id)) if self.types[id].c_name.is_some() => TypedefTy::Record(id),
                Some(_) => {
                    self.diags
                        .error(
                            Code::BadTypeSyntax,
                            td.ty.span,
                            format!("typedef `{}` names `{}`, not an integer type or a struct or union", *td.name, *td.ty),
                        )
                        .hint = Some("a typedef names an integer type (`u32`, `int`, `unsigned long`, `__kernel_pid_t`) or a struct or union (`struct atreq`); arrays and pointers are not supported".into());
                    continue;
                }
                None => continue,
            };
            let is_macro = td.is_macro.as_ref().is_some_and(|m| m.value);
            if let (Some(m), true, TypedefTy::Record(_)) = (&td.is_macro, is_macro, target) {
                self.diags
                    .error(
                        Code::BadTypeSyntax,
                        m.span,
                        format!("typedef `{}` with `macro` names a struct or union", *td.name),
                    )
                    .hint = Some("`macro: true` is for a header's `#define NAME TYPE` of an integer type (`#define lirc_t int`); a struct or union gets a plain typedef".into());
                continue;
            }
            if crate::ctypes::kernel_type(&td.name).is_some()
                || IntTy::parse(&td.name).is_some()
                || CInt::parse(&td.name).is_some()
            {
                self.diags
                    .error(
                        Code::DuplicateName,
                        td.name.span,
                        format!("typedef `{}` redefines a type that C already has", *td.name),
                    )
                    .hint = Some("the kernel's, C's and C99's `<stdint.h>` types are known by their names: use the type itself, or give the typedef another name".into());
                continue;
            }
            if let Some(&prev) = self.typedef_ids.get(td.name.as_str()) {
                let p = self.typedefs[prev].span;
                self.defined_twice(td.name.span, format!("typedef `{}`", *td.name), p);
                continue;
            }
            let rust_name = self.rust_or(
                &td.rust_name,
                names::type_name(&td.name, self.prefix.as_deref()),
            );
            self.typedef_ids
                .insert(td.name.value.clone(), self.typedefs.len());
            self.typedefs.push(Typedef {
                c_name: td.name.value.clone(),
                rust_name,
                ty: target,
                enum_tag,
                is_macro,
                doc: doc(&td.doc),
                abis,
                span: td.name.span,
            });
        }
        self.register_enum_typedefs();
    }
}
