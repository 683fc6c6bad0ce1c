//! Function-like macros: parameters checked, the body translated into a Rust expression
//! that computes C's value (see [`crate::expr::rust_body`]).

use std::collections::HashMap;

use super::{Def, Resolver, doc};
use crate::diag::Code;
use crate::expr::{self, CType, CValue, MacroError, NameError};
use crate::ir::{IntTy, Macro};
use crate::names;
use crate::spec::Span;

impl Resolver<'_> {
    pub(super) fn macros(&mut self) -> Vec<Macro> {
        let spec = self.spec;
        let mut out = Vec::new();
        for mac in &spec.macros {
            let name = mac.name.as_str();
            let what = format!("macro `{name}`");
            let param_ty = self.int_ty(&mac.ty).unwrap_or(IntTy::U32);
            let mut params: Vec<String> = Vec::new();
            let mut idents: Vec<String> = Vec::new();
            let mut ok = true;
            if mac.params.is_empty() {
                self.macro_error(
                    mac.params.span,
                    format!("{what} has no parameters"),
                    "a macro without parameters is a constant: write it under `constants`",
                );
                ok = false;
            }
            let mut seen: HashMap<String, Span> = HashMap::new();
            for p in mac.params.iter() {
                let ident = names::field_name(p);
                let why = if !names::is_c_identifier(p) || names::C_KEYWORDS.contains(&p.as_str()) {
                    Some("is not a C identifier (or is a C keyword)".to_owned())
                } else if p.len() > super::MAX_NAME_LEN {
                    Some(format!("is {} characters long", p.len()))
                } else if self.values.contains_key(p.as_str()) {
                    Some(
                        "is also the name of a value of the spec, which it would hide in the body"
                            .to_owned(),
                    )
                } else if names::unusable_rust_name(&ident).is_some()
                    || ident != p.as_str() && ident != format!("r#{}", p.as_str())
                {
                    Some(format!(
                        "is not a snake_case Rust parameter name (it would be `{ident}`)"
                    ))
                } else {
                    seen.insert(ident.clone(), p.span).map(|first| {
                        format!(
                            "is the second parameter of that name (the first is at line {}:{})",
                            first.line, first.column
                        )
                    })
                };
                if let Some(why) = why {
                    let shown: String = p.chars().take(80).collect();
                    self.macro_error(
                        p.span,
                        format!("parameter `{shown}` of {what} {why}"),
                        "name parameters in lowercase letters, digits and `_`, e.g. `state`, each once, apart from the spec's values",
                    );
                    ok = false;
                }
                params.push(p.value.clone());
                idents.push(ident);
            }
            let rust_name = self.rust_or(
                &mac.rust_name,
                names::wrapper_name(&names::const_name(name, self.prefix.as_deref())),
            );
            let Some(body) = self.parse_expr(&mac.body) else {
                continue;
            };
            if !ok {
                continue;
            }
            let o = self.origin(mac.body.span, &mac.body.0);
            let declared = param_ty.rust_name();
            let promoted = expr::promoted(param_ty.bytes() * 8, param_ty.signed());
            let r = {
                let mut lookup = |n: &str| -> Result<CValue, NameError> {
                    // A macro is one function on every ABI: a constant declared per
                    // architecture is an error here, not its first declaration.
                    if self.arch_values.contains_key(n) {
                        return Err(NameError::Untyped {
                            message: format!("`{n}` is declared per architecture"),
                            hint: "a function-like macro has one body on every ABI; name a constant declared once".into(),
                        });
                    }
                    match self.values.get(n).map(|v| v.0) {
                        Some(def) if self.untyped.contains(&def) => Err(NameError::Untyped {
                            message: format!("`{n}` is an enumerator of an enum with values outside `int`, whose type C compilers do not agree on"),
                            hint: "use a constant for the value, or keep the enum's values within `int`".into(),
                        }),
                        Some(def) => {
                            let v = self.eval_def(def)?;
                            if matches!(def, Def::Enum(..)) && !CType::INT.fits(v.value) {
                                return Err(NameError::Untyped {
                                    message: format!("the enumerator `{n}` is {}, outside `int`, and C compilers do not agree on its type", v.value),
                                    hint: "use a constant for the value, or keep the enum's values within `int`".into(),
                                });
                            }
                            Ok(v)
                        }
                        None => Err(NameError::Unknown),
                    }
                };
                expr::rust_body(&body, &params, &idents, declared, promoted, &mut lookup)
            };
            let (rust_body, result) = match r {
                Ok(x) => x,
                Err(MacroError::Eval(e)) => {
                    self.report(e, o, &format!("the body of {what}"));
                    continue;
                }
                Err(MacroError::Refused(e)) => {
                    let span = self.sub_span(o, e.at, e.len);
                    if let expr::EvalKind::Arith { message, hint } = e.kind {
                        self.macro_error(
                            span,
                            format!("the body of {what} cannot be a Rust function: {message}"),
                            &hint,
                        );
                    }
                    continue;
                }
            };
            out.push(Macro {
                c_name: name.to_owned(),
                rust_name,
                params,
                param_ty,
                body,
                result,
                rust_body,
                doc: doc(&mac.doc),
                span: mac.name.span,
            });
        }
        out
    }

    fn macro_error(&mut self, span: Span, message: String, hint: &str) {
        self.diags.error(Code::Macro, span, message).hint = Some(hint.to_owned());
    }
}
