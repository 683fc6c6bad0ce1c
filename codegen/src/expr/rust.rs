//! The body of a function-like macro as a Rust expression that computes C's value.
//!
//! C gives every subexpression a type from the types of its parts alone, so the body is
//! translated node by node with that type known: the parameters have the promoted type of
//! the macro's `type`, the parts without parameters are evaluated here (with every check
//! of [`Expr::eval`]) and become literals of their C type, and each operator applies C's
//! conversions explicitly (`as`) before the Rust operator of the same meaning. Where C
//! leaves a result with a parameter undefined (signed overflow), the Rust function wraps,
//! as gcc's code does; a division or remainder by a parameter that is zero, or a shift
//! count that depends on a parameter and is out of range, which C leaves undefined, makes
//! the Rust function panic ([`may_panic`] says where, for its `# Panics` doc). A cast to
//! `long`, whose width differs between ABIs, is refused.

use super::ast::{BinOp, CastTy, Expr, UnOp};
use super::c::{CType, CValue, EvalError, EvalKind, NameError};

/// C's type of a value of `bits` bits after the integer promotions: narrower than `int`
/// becomes `int`.
pub fn promoted(bits: u64, signed: bool) -> CType {
    match (bits, signed) {
        (64, true) => CType::LLONG,
        (64, false) => CType::ULLONG,
        (32, false) => CType::UINT,
        _ => CType::INT,
    }
}

/// The Rust type of a promoted C type.
pub fn rust_type(t: CType) -> &'static str {
    match (t.bits, t.signed) {
        (32, true) => "i32",
        (32, false) => "u32",
        (_, true) => "i64",
        (_, false) => "u64",
    }
}

/// A Rust literal of `v` in the Rust type of `t` (parenthesised when negative).
pub fn rust_literal(v: i128, t: CType, hex: bool) -> String {
    let ty = rust_type(t);
    if v < 0 {
        format!("(-{}{ty})", -v)
    } else if hex && v > 9 {
        let h = format!("{v:x}");
        let mut grouped = String::new();
        for (i, c) in h.chars().enumerate() {
            if i > 0 && (h.len() - i) % 4 == 0 {
                grouped.push('_');
            }
            grouped.push(c);
        }
        format!("0x{grouped}_{ty}")
    } else {
        format!("{v}{ty}")
    }
}

/// A translated part: its Rust text (an identifier, a literal, a method call or a
/// parenthesised expression) and its C type; for a part without parameters, its value (and
/// whether it reads best in hex), so that a conversion prints another literal, not a cast.
struct Part {
    text: String,
    ty: CType,
    constant: Option<(i128, bool)>,
    /// For a comparison or `!`, the Rust `bool` it converts to `i32` (what `?:` tests).
    test: Option<String>,
}

impl Part {
    fn new(text: String, ty: CType) -> Part {
        Part {
            text,
            ty,
            constant: None,
            test: None,
        }
    }

    /// The Rust `bool` of C's test of the part against 0.
    fn test(self) -> String {
        self.test.unwrap_or_else(|| {
            let zero = rust_literal(0, self.ty, false);
            format!("{} != {zero}", self.text)
        })
    }
}

/// Why a body cannot become a Rust function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MacroError {
    /// A part fails as any expression would (an unknown name, undefined arithmetic).
    Eval(EvalError),
    /// C would compute it, but not one way on every ABI (a cast to `long`); the error's kind
    /// is [`EvalKind::Arith`] with the message and hint.
    Refused(EvalError),
}

impl From<EvalError> for MacroError {
    fn from(e: EvalError) -> Self {
        MacroError::Eval(e)
    }
}

fn refuse(e: &Expr, message: String, hint: &str) -> MacroError {
    let (at, len) = e.extent();
    MacroError::Refused(EvalError {
        kind: EvalKind::Arith {
            message,
            hint: hint.to_owned(),
        },
        at,
        len,
    })
}

/// A part converted to `to` the way C converts it.
fn convert(p: Part, to: CType) -> String {
    match p.constant {
        _ if p.ty == to => p.text,
        Some((v, hex)) => rust_literal(to.convert(v), to, hex),
        None => format!("({} as {})", p.text, rust_type(to)),
    }
}

struct Translator<'a> {
    params: &'a [String],
    /// The Rust identifiers of the parameters, in order.
    idents: &'a [String],
    /// The Rust type of the parameters as declared (before promotion).
    declared: &'a str,
    /// Their promoted C type.
    param: CType,
    names: &'a mut dyn FnMut(&str) -> Result<CValue, NameError>,
}

impl Translator<'_> {
    fn uses_param(&self, e: &Expr) -> bool {
        let mut names = Vec::new();
        e.names(&mut names);
        names.iter().any(|n| self.params.contains(n))
    }

    /// A part without parameters: C's value, as a literal of C's type.
    fn constant(&mut self, e: &Expr) -> Result<CValue, MacroError> {
        let v = e.eval(self.names)?;
        if !v.as_written || v.c.ty != v.c.ty32 {
            return Err(refuse(
                e,
                format!(
                    "`{}` has another C type on 32-bit ABIs than on 64-bit ones, so the macro's result would too",
                    e.to_c()
                ),
                "write the literal with a suffix that means the same width everywhere (`U`, `ULL`), not `L`",
            ));
        }
        Ok(v.c)
    }

    fn part(&mut self, e: &Expr) -> Result<Part, MacroError> {
        if !self.uses_param(e) {
            let c = self.constant(e)?;
            // Masks and large values read best in hex (`~MASK` is `0xffff_fff8_u32`).
            let hex = e.prefers_hex()
                || matches!(e, Expr::Unary(UnOp::Not, ..))
                || c.value.unsigned_abs() > 0xffff;
            return Ok(Part {
                text: rust_literal(c.value, c.ty, hex),
                ty: c.ty,
                constant: Some((c.value, hex)),
                test: None,
            });
        }
        Ok(match e {
            Expr::Num(..) | Expr::Char(..) => unreachable_part(e)?,
            Expr::Name(n, _) => {
                let i = self.params.iter().position(|p| p == n).unwrap_or(0);
                let id = self.idents.get(i).cloned().unwrap_or_default();
                let ty = self.param;
                let text = if rust_type(ty) == self.declared {
                    id
                } else {
                    format!("({id} as {})", rust_type(ty))
                };
                Part::new(text, ty)
            }
            Expr::Paren(inner, ..) => self.part(inner)?,
            Expr::Unary(op, inner, _) => {
                let p = self.part(inner)?;
                match op {
                    // C negates in the promoted type; unsigned negation is modular, signed
                    // overflow (of the minimum) undefined: Rust wraps both.
                    UnOp::Neg => Part::new(format!("{}.wrapping_neg()", p.text), p.ty),
                    UnOp::Not => Part::new(format!("(!{})", p.text), p.ty),
                    UnOp::LNot => {
                        let zero = rust_literal(0, p.ty, false);
                        let test = format!("{} == {zero}", p.text);
                        Part {
                            text: format!("(({test}) as i32)"),
                            ty: CType::INT,
                            constant: None,
                            test: Some(test),
                        }
                    }
                }
            }
            Expr::Cast(t, inner, _) => {
                let to = match *t {
                    CastTy::Std { longs: 1, .. } => {
                        return Err(refuse(
                            e,
                            format!(
                                "`{}` casts to `{}`, which has 32 bits on 32-bit ABIs and 64 on 64-bit ones",
                                e.to_c(),
                                t.c_name()
                            ),
                            "cast to a type of one width on every ABI: `int`, `long long`, `__u32`, `__u64`, ...",
                        ));
                    }
                    CastTy::Std { unsigned, longs } => CType {
                        bits: if longs == 0 { 32 } else { 64 },
                        signed: !unsigned,
                    },
                    CastTy::Fixed { signed, bits } => CType { bits, signed },
                };
                let p = self.part(inner)?;
                Part::new(convert(p, to), to)
            }
            Expr::Binary(op, a, b, _) => self.binary(e, *op, a, b)?,
            Expr::Cond(c, a, b, ..) => {
                // C converts the chosen branch to the common type of both (the usual
                // arithmetic conversions); the condition is compared with 0.
                let test = self.part(c)?.test();
                let (x, y) = (self.part(a)?, self.part(b)?);
                let t = CType::common(x.ty, y.ty);
                let (x, y) = (convert(x, t), convert(y, t));
                let (x, y) = (strip_outer_parens(&x), strip_outer_parens(&y));
                Part::new(format!("(if {test} {{ {x} }} else {{ {y} }})"), t)
            }
        })
    }

    fn binary(&mut self, e: &Expr, op: BinOp, a: &Expr, b: &Expr) -> Result<Part, MacroError> {
        let x = self.part(a)?;
        if matches!(op, BinOp::Shl | BinOp::Shr) && self.uses_param(b) {
            // A count that depends on a parameter: where C leaves the shift undefined (a
            // negative count, or the width or more) the Rust function panics; elsewhere
            // Rust's shift is C's (see below). The count's own type does not matter to the
            // result's.
            let y = self.part(b)?;
            let n = strip_outer_parens(&y.text);
            let bits = x.ty.bits;
            let test = if y.ty.signed {
                format!("({n}) >= 0 && ({n}) < {bits}")
            } else {
                format!("({n}) < {bits}")
            };
            return Ok(Part::new(
                format!(
                    "(if {test} {{ {} {} ({n}) }} else {{ panic!(\"shift count out of range\") }})",
                    x.text,
                    op.symbol()
                ),
                x.ty,
            ));
        }
        if let BinOp::Shl | BinOp::Shr = op {
            let n = self.constant(b)?.value;
            if !(0..i128::from(x.ty.bits)).contains(&n) {
                let (at, len) = b.extent();
                return Err(MacroError::Eval(EvalError {
                    kind: EvalKind::Arith {
                        message: format!(
                            "`{}` shifts by {n}, but the left operand is {} of {} bits, and C leaves a shift by a negative count or by the width or more undefined",
                            e.to_c(),
                            x.ty.name(),
                            x.ty.bits
                        ),
                        hint: format!(
                            "shift counts are 0 to {}; for a 64-bit result make the left operand 64-bit, e.g. `(__u64)x << 40`",
                            x.ty.bits - 1
                        ),
                    },
                    at,
                    len,
                }));
            }
            // The count is below the width: Rust's shifts do not panic, `<<` keeps the low
            // bits as gcc does and `>>` of a signed value is arithmetic, as with gcc.
            return Ok(Part::new(format!("({} {} {n})", x.text, op.symbol()), x.ty));
        }
        let y = self.part(b)?;
        // A divisor that depends on a parameter: `wrapping_div` panics where it is zero (C
        // leaves that undefined) and wraps the quotient of the minimum by -1 as gcc's code.
        if matches!(op, BinOp::Div | BinOp::Rem) && matches!(y.constant, Some((0, _))) {
            return Err(refuse(
                b,
                format!("`{}` divides by zero", e.to_c()),
                "C leaves division by zero undefined; correct the divisor",
            ));
        }
        let t = CType::common(x.ty, y.ty);
        let (l, r) = (convert(x, t), convert(y, t));
        // A method's argument needs no parentheses of its own (rustc's `unused_parens`).
        let arg = strip_outer_parens(&r);
        let text = match op {
            BinOp::Add => format!("{l}.wrapping_add({arg})"),
            BinOp::Sub => format!("{l}.wrapping_sub({arg})"),
            BinOp::Mul => format!("{l}.wrapping_mul({arg})"),
            // The divisor is a non-zero constant (refused above); the quotient of the
            // minimum by -1 wraps.
            BinOp::Div => format!("{l}.wrapping_div({arg})"),
            BinOp::Rem => format!("{l}.wrapping_rem({arg})"),
            BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge | BinOp::Eq | BinOp::Ne => {
                let test = format!("{l} {} {r}", op.symbol());
                return Ok(Part {
                    text: format!("(({test}) as i32)"),
                    ty: CType::INT,
                    constant: None,
                    test: Some(test),
                });
            }
            BinOp::And | BinOp::Xor | BinOp::Or => format!("({l} {} {r})", op.symbol()),
            BinOp::Shl | BinOp::Shr => String::new(),
        };
        Ok(Part::new(text, t))
    }
}

/// A literal always is a part without parameters; kept apart so that the match stays total.
fn unreachable_part(e: &Expr) -> Result<Part, MacroError> {
    Err(refuse(
        e,
        format!("`{}` cannot be translated", e.to_c()),
        "report this as a bug of uapigen",
    ))
}

/// The Rust expression that computes `body` the way C computes the macro's expansion, with
/// parameters `params` (named `idents` in Rust, of Rust type `declared`, C type `param`
/// after promotion), and C's type of the result. `names` gives the C value of every other
/// name. Errors point into the body's text.
pub fn rust_body(
    body: &Expr,
    params: &[String],
    idents: &[String],
    declared: &str,
    param: CType,
    names: &mut dyn FnMut(&str) -> Result<CValue, NameError>,
) -> Result<(String, CType), MacroError> {
    let mut t = Translator {
        params,
        idents,
        declared,
        param,
        names,
    };
    let p = t.part(body)?;
    Ok((p.text, p.ty))
}

/// Whether the Rust function of a macro with `params` and `body` panics for some
/// arguments: a divisor or remainder's right operand, or a shift count, depends on a
/// parameter (where C's result is undefined).
pub fn may_panic(body: &Expr, params: &[String]) -> bool {
    match body {
        Expr::Num(..) | Expr::Char(..) | Expr::Name(..) => false,
        Expr::Paren(e, ..) | Expr::Unary(_, e, _) | Expr::Cast(_, e, _) => may_panic(e, params),
        Expr::Binary(op, a, b, _) => {
            let mut names = Vec::new();
            b.names(&mut names);
            (matches!(op, BinOp::Div | BinOp::Rem | BinOp::Shl | BinOp::Shr)
                && names.iter().any(|n| params.contains(n)))
                || may_panic(a, params)
                || may_panic(b, params)
        }
        Expr::Cond(c, a, b, ..) => {
            may_panic(c, params) || may_panic(a, params) || may_panic(b, params)
        }
    }
}

/// `s` without one pair of parentheses around all of it.
pub fn strip_outer_parens(s: &str) -> &str {
    let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) else {
        return s;
    };
    let mut depth = 0i32;
    for c in inner.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return s;
                }
            }
            _ => {}
        }
    }
    if depth == 0 { inner } else { s }
}
