//! Integer expressions of the spec: parsed into a small AST that the C emitter prints back
//! symbolically and the resolver evaluates the way C evaluates the macro on Linux ABIs.
//!
//! Every subexpression has a C type (`int`, `unsigned int`, `long long`, `unsigned long long`;
//! `long` is 64 bits on LP64 and 32 on ILP32): literals get the type C11 6.4.4.1 gives them,
//! `'c'` is an `int`, a name has the type of its macro as the header prints it, and operators
//! apply the integer promotions and the usual arithmetic conversions. The model's value is
//! C's value, or the spec is an error ([`EvalKind::Arith`]):
//!
//! - signed overflow, shifts by a negative count or by the width or more, a negative left
//!   operand of `<<`, division by zero: undefined in C;
//! - unsigned `+`, `*` and `<<` whose exact result is past the type's maximum: C wraps it
//!   silently (`(1U << 31) * 2` is 0), which in a uapi header is almost surely a bug; the
//!   error says to widen an operand (`2ULL`). An unsigned `-` below zero (`0U - 1`, `-1U`)
//!   keeps C's value: the two's complement of the negative result, as `~0U` is;
//! - a value that differs between LP64 and ILP32 (`~0UL`), and a decimal literal too large
//!   for `long long`.
//!
//! The value is computed for `long` of 64 and of 32 bits; when the two agree on the value
//! but not on the type, or a decimal literal past `INT_MAX` has another type in C90 than in
//! C99, the header prints a literal of the value with a suffix of its LP64 type
//! ([`c_literal`]) instead of the expression ([`Evaluated::as_written`]).

mod ast;
mod c;
mod rust;
#[cfg(test)]
mod tests;

pub use ast::{BinOp, CastTy, Expr, ParseError, Pos, UnOp, parse};
pub use c::{CType, CValue, EvalError, EvalKind, Evaluated, NameError, c_literal};
pub use rust::{
    MacroError, may_panic, promoted, rust_body, rust_literal, rust_type, strip_outer_parens,
};
