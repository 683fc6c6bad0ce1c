//! C's types and values, and the evaluation of an expression the way C computes it.

use super::ast::{BinOp, CastTy, Expr, Pos, UnOp, split_number};

/// A C integer type after the integer promotions: `int`, `unsigned int`, `long long`,
/// `unsigned long long` (a `long` is one of these on each ABI).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CType {
    pub bits: u32,
    pub signed: bool,
}

impl CType {
    pub const INT: CType = CType {
        bits: 32,
        signed: true,
    };
    pub const UINT: CType = CType {
        bits: 32,
        signed: false,
    };
    pub const LLONG: CType = CType {
        bits: 64,
        signed: true,
    };
    pub const ULLONG: CType = CType {
        bits: 64,
        signed: false,
    };

    /// The C name (a 64-bit type is named `long long`, as the header spells it).
    pub fn name(self) -> &'static str {
        match (self.bits, self.signed) {
            (32, true) => "int",
            (32, false) => "unsigned int",
            (_, true) => "long long",
            (_, false) => "unsigned long long",
        }
    }

    pub fn min(self) -> i128 {
        if self.signed {
            -(1i128 << (self.bits - 1))
        } else {
            0
        }
    }

    pub fn max(self) -> i128 {
        if self.signed {
            (1i128 << (self.bits - 1)) - 1
        } else {
            (1i128 << self.bits) - 1
        }
    }

    pub fn fits(self, v: i128) -> bool {
        (self.min()..=self.max()).contains(&v)
    }

    /// C's conversion to this type: modulo 2^bits (for signed types the way gcc and clang
    /// define it).
    pub fn convert(self, v: i128) -> i128 {
        let m = v & ((1i128 << self.bits) - 1);
        if self.signed && m > self.max() {
            m - (1i128 << self.bits)
        } else {
            m
        }
    }

    /// The usual arithmetic conversions of two promoted operands.
    pub fn common(a: CType, b: CType) -> CType {
        if a.signed == b.signed {
            return if a.bits >= b.bits { a } else { b };
        }
        let (s, u) = if a.signed { (a, b) } else { (b, a) };
        if u.bits >= s.bits { u } else { s }
    }

    /// The type of the literal [`c_literal`] prints for `value`: `int` when the value fits,
    /// then `unsigned int`, `long long`, `unsigned long long`.
    pub fn of_value(value: i128) -> CType {
        [CType::INT, CType::UINT, CType::LLONG]
            .into_iter()
            .find(|t| t.fits(value))
            .unwrap_or(CType::ULLONG)
    }
}

/// A value of a C type (in its range).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CValue {
    pub value: i128,
    /// The type on 64-bit ABIs (LP64).
    pub ty: CType,
    /// The type on 32-bit ABIs (ILP32), where `long` has 32 bits: `1UL << 3` is an
    /// `unsigned long` of 4 bytes there. The value is the same on both (see [`Expr::eval`]).
    pub ty32: CType,
}

impl CValue {
    /// A value whose type is the same on every ABI.
    pub fn new(value: i128, ty: CType) -> Self {
        CValue {
            value,
            ty,
            ty32: ty,
        }
    }

    /// Its type on an ABI whose `long` has `long_bytes` bytes.
    pub fn ty_on(&self, long_bytes: u64) -> CType {
        if long_bytes == 4 { self.ty32 } else { self.ty }
    }

    pub fn int(value: i128) -> Self {
        CValue::new(value, CType::INT)
    }
}

/// Why a name has no value, as the resolver's lookup reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NameError {
    /// Not defined.
    Unknown,
    /// The item failed, and its error was reported where it is defined.
    Reported,
    /// It depends on itself (through the given name; empty: the name itself).
    Cycle(String),
    /// References nest too deep.
    Depth(String),
    /// It has a value but no C type an expression can rely on.
    Untyped { message: String, hint: String },
}

/// What went wrong evaluating an expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvalKind {
    Unknown(String),
    Reported,
    Cycle(String),
    Depth(String),
    /// C leaves the result undefined, computes something the spec surely does not mean, or
    /// computes different values on different ABIs.
    Arith {
        message: String,
        hint: String,
    },
}

/// An evaluation error at bytes `at..at + len` of the expression text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    pub kind: EvalKind,
    pub at: Pos,
    pub len: usize,
}

/// The value of an expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Evaluated {
    /// C's value and type: of the expression as written, or (when not `as_written`) of the
    /// literal the header prints instead.
    pub c: CValue,
    /// The header can print the expression itself: its type is the same in C90 and C99 (on
    /// 32- and 64-bit ABIs it is C's for each, `c.ty32` and `c.ty`: `1UL` is 4 or 8 bytes).
    pub as_written: bool,
    /// No part of the expression itself shifts into the sign bit (`1 << 31`): gcc, from
    /// C99 on, does not take such an expression as an integer constant expression, so it
    /// cannot be an array length or an enumerator there (names are the caller's to check).
    pub ice: bool,
}

fn arith(at: Pos, len: usize, message: String, hint: String) -> EvalError {
    EvalError {
        kind: EvalKind::Arith { message, hint },
        at,
        len,
    }
}

/// The C type of an integer literal (C11 6.4.4.1) for `long` of `long_bits`. Sets `c90` for a
/// decimal literal that C90 types differently (`unsigned long` where C99 has `long long`).
fn literal_type(
    v: i128,
    spelling: &str,
    long_bits: u32,
    c90: &mut bool,
) -> Result<CType, (String, String)> {
    let Some((_, radix, suffix)) = split_number(spelling) else {
        return Err((
            format!("`{spelling}` is not a valid integer literal"),
            "write a decimal, hex or octal integer".into(),
        ));
    };
    let decimal = radix == 10;
    let unsigned = suffix.contains(['u', 'U']);
    let rank = suffix.matches(['l', 'L']).count().min(2);
    if decimal && !unsigned && rank < 2 && v > i128::from(i32::MAX) {
        *c90 = true;
    }
    let ranks = [32, long_bits, 64];
    let mut candidates = Vec::new();
    for &bits in &ranks[rank..] {
        if !unsigned {
            candidates.push(CType { bits, signed: true });
        }
        if unsigned || !decimal {
            candidates.push(CType {
                bits,
                signed: false,
            });
        }
    }
    candidates.into_iter().find(|t| t.fits(v)).ok_or_else(|| {
        (
            format!(
                "`{spelling}` is too large for `long long`, and C gives a decimal literal without `U` no unsigned type"
            ),
            format!("write `{spelling}ULL`, or the value in hex"),
        )
    })
}

/// The error of an expression's name `n` at `at` that has no value.
#[inline(never)]
fn name_error(e: NameError, n: &str, at: Pos) -> EvalError {
    EvalError {
        kind: match e {
            NameError::Unknown => EvalKind::Unknown(n.to_owned()),
            NameError::Reported => EvalKind::Reported,
            NameError::Cycle(s) if s.is_empty() => EvalKind::Cycle(n.to_owned()),
            NameError::Cycle(s) => EvalKind::Cycle(s),
            NameError::Depth(s) => EvalKind::Depth(s),
            NameError::Untyped { message, hint } => EvalKind::Arith { message, hint },
        },
        at,
        len: n.len(),
    }
}

/// `(t)a` with `long` of `long_bits`: C converts modulo 2^bits (for signed targets the way
/// gcc and clang define it). Apart from [`Expr::eval_abi`] to keep its stack frame small:
/// names nest evaluations deeply.
#[inline(never)]
fn cast(t: CastTy, a: CValue, long_bits: u32) -> CValue {
    let ty = match t {
        CastTy::Std { unsigned, longs } => CType {
            bits: match longs {
                0 => 32,
                1 => long_bits,
                _ => 64,
            },
            signed: !unsigned,
        },
        CastTy::Fixed { signed, bits } => CType { bits, signed },
    };
    CValue::new(ty.convert(a.value), ty)
}

/// `c ? a : b` with `long` of `long_bits`: the condition is compared with 0 and only the
/// branch it chooses is evaluated (what is undefined in the other does not count, as in C);
/// the result has the type of the usual arithmetic conversions of both branches (`c90` is
/// set when the other branch would be undefined: see below). Apart from
/// [`Expr::eval_abi`] to keep its stack frame small.
#[inline(never)]
fn cond(
    c: &Expr,
    a: &Expr,
    b: &Expr,
    long_bits: u32,
    names: &mut dyn FnMut(&str) -> Result<CValue, NameError>,
    c90: &mut bool,
) -> Result<CValue, EvalError> {
    let test = c.eval_abi(long_bits, names, c90)?;
    let t = CType::common(
        a.ty_abi(long_bits, names, c90)?,
        b.ty_abi(long_bits, names, c90)?,
    );
    let (chosen, other) = if test.value != 0 { (a, b) } else { (b, a) };
    let v = chosen.eval_abi(long_bits, names, c90)?;
    // C does not evaluate the other branch, but g++ (and gcc's C++ header test) warns about
    // what would be undefined there: the header then prints the value as a literal, as it
    // does for an expression whose type differs between C90 and C99.
    if other.eval_abi(long_bits, names, c90).is_err() {
        *c90 = true;
    }
    Ok(CValue::new(t.convert(v.value), t))
}

impl Expr {
    /// Evaluate the way C does, with `names` giving the C value of each name. The value is
    /// computed for LP64 and ILP32; an error when the two differ.
    pub fn eval(
        &self,
        names: &mut dyn FnMut(&str) -> Result<CValue, NameError>,
    ) -> Result<Evaluated, EvalError> {
        let mut c90 = false;
        let lp64 = self.eval_abi(64, names, &mut c90)?;
        let ice = !self.shifts_into_sign_bit(names);
        let ilp32 = self.eval_abi(32, names, &mut c90).map_err(|mut e| {
            if let EvalKind::Arith { message, .. } = &mut e.kind {
                *message = format!("on 32-bit ABIs, where `long` has 32 bits, {message}");
            }
            e
        })?;
        if lp64.value != ilp32.value {
            let (at, len) = self.extent();
            return Err(arith(
                at,
                len,
                format!(
                    "`{}` is {} on 64-bit ABIs but {} on 32-bit ABIs, where `long` has 32 bits",
                    self.to_c(),
                    lp64.value,
                    ilp32.value
                ),
                "write 64-bit values with `ULL` or `LL` and 32-bit ones with `U` or no suffix: `long` changes size between ABIs".into(),
            ));
        }
        Ok(Evaluated {
            // Not as written, the header prints a literal of the LP64 type on every ABI.
            c: CValue {
                ty32: if c90 { lp64.ty } else { ilp32.ty },
                ..lp64
            },
            as_written: !c90,
            ice,
        })
    }

    /// Some `<<` of the expression shifts a 1 into the sign bit of a signed type (on LP64;
    /// the caller has evaluated the whole expression there already).
    fn shifts_into_sign_bit(
        &self,
        names: &mut dyn FnMut(&str) -> Result<CValue, NameError>,
    ) -> bool {
        let mut c90 = false;
        match self {
            Expr::Num(..) | Expr::Char(..) | Expr::Name(..) => false,
            Expr::Paren(e, ..) | Expr::Unary(_, e, _) | Expr::Cast(_, e, _) => {
                e.shifts_into_sign_bit(names)
            }
            // Either branch, chosen or not: whether gcc takes a shift into the sign bit in
            // the other branch as constant does not matter for what the header can print.
            Expr::Cond(c, a, b, ..) => {
                c.shifts_into_sign_bit(names)
                    || a.shifts_into_sign_bit(names)
                    || b.shifts_into_sign_bit(names)
            }
            Expr::Binary(op, a, b, _) => {
                if a.shifts_into_sign_bit(names) || b.shifts_into_sign_bit(names) {
                    return true;
                }
                if *op != BinOp::Shl {
                    return false;
                }
                let (Ok(x), Ok(y)) = (
                    a.eval_abi(64, names, &mut c90),
                    b.eval_abi(64, names, &mut c90),
                ) else {
                    return false;
                };
                x.ty.signed
                    && x.value >= 0
                    && (0..i128::from(x.ty.bits)).contains(&y.value)
                    && x.value << y.value > x.ty.max()
            }
        }
    }

    fn eval_abi(
        &self,
        long_bits: u32,
        names: &mut dyn FnMut(&str) -> Result<CValue, NameError>,
        c90: &mut bool,
    ) -> Result<CValue, EvalError> {
        match self {
            Expr::Num(v, s, at) => literal_type(*v, s, long_bits, c90)
                .map(|ty| CValue::new(*v, ty))
                .map_err(|(m, h)| arith(*at, s.len(), m, h)),
            Expr::Char(v, ..) => Ok(CValue::int(*v)),
            Expr::Name(n, at) => names(n)
                .map(|c| match long_bits {
                    32 => CValue::new(c.value, c.ty32),
                    _ => CValue::new(c.value, c.ty),
                })
                .map_err(|e| name_error(e, n, *at)),
            Expr::Paren(e, ..) => e.eval_abi(long_bits, names, c90),
            Expr::Unary(op, e, at) => {
                let a = e.eval_abi(long_bits, names, c90)?;
                self.unary(*op, a, *at)
            }
            Expr::Cast(t, e, _) => {
                let a = e.eval_abi(long_bits, names, c90)?;
                Ok(cast(*t, a, long_bits))
            }
            Expr::Binary(op, a, b, at) => {
                let x = a.eval_abi(long_bits, names, c90)?;
                let y = b.eval_abi(long_bits, names, c90)?;
                self.binary(*op, x, y, *at, b)
            }
            Expr::Cond(c, a, b, ..) => cond(c, a, b, long_bits, names, c90),
        }
    }

    /// C's type of the expression for `long` of `long_bits`, without its value: the type of
    /// a branch of `?:` that is not evaluated still decides the type of the result, and
    /// what would be undefined in it does not count (C11 6.5.15, 6.6p11). A literal without
    /// a type and an unknown name are errors all the same.
    fn ty_abi(
        &self,
        long_bits: u32,
        names: &mut dyn FnMut(&str) -> Result<CValue, NameError>,
        c90: &mut bool,
    ) -> Result<CType, EvalError> {
        match self {
            Expr::Num(..) | Expr::Char(..) | Expr::Name(..) => {
                self.eval_abi(long_bits, names, c90).map(|v| v.ty)
            }
            Expr::Paren(e, ..) => e.ty_abi(long_bits, names, c90),
            Expr::Unary(UnOp::LNot, e, _) => e.ty_abi(long_bits, names, c90).map(|_| CType::INT),
            Expr::Unary(_, e, _) => e.ty_abi(long_bits, names, c90),
            Expr::Cast(t, e, _) => {
                e.ty_abi(long_bits, names, c90)?;
                Ok(cast(*t, CValue::int(0), long_bits).ty)
            }
            Expr::Binary(op, a, b, _) => {
                let x = a.ty_abi(long_bits, names, c90)?;
                let y = b.ty_abi(long_bits, names, c90)?;
                Ok(match op {
                    BinOp::Shl | BinOp::Shr => x,
                    _ if op.is_comparison() => CType::INT,
                    _ => CType::common(x, y),
                })
            }
            Expr::Cond(c, a, b, ..) => {
                c.ty_abi(long_bits, names, c90)?;
                Ok(CType::common(
                    a.ty_abi(long_bits, names, c90)?,
                    b.ty_abi(long_bits, names, c90)?,
                ))
            }
        }
    }

    #[inline(never)]
    fn unary(&self, op: UnOp, a: CValue, at: Pos) -> Result<CValue, EvalError> {
        let t = a.ty;
        Ok(match op {
            UnOp::Neg if t.signed && !t.fits(-a.value) => {
                return Err(self.overflow(at, 1, t, -a.value));
            }
            // Unsigned negation wraps: `-1U` is UINT_MAX, as C defines it.
            UnOp::Neg => CValue::new(t.convert(-a.value), t),
            UnOp::Not => CValue::new(t.convert(!a.value), t),
            UnOp::LNot => CValue::int(i128::from(a.value == 0)),
        })
    }

    #[inline(never)]
    fn binary(
        &self,
        op: BinOp,
        x: CValue,
        y: CValue,
        at: Pos,
        rhs: &Expr,
    ) -> Result<CValue, EvalError> {
        let op_len = op.symbol().len();
        if let BinOp::Shl | BinOp::Shr = op {
            // The result has the (promoted) type of the left operand.
            let t = x.ty;
            if !(0..i128::from(t.bits)).contains(&y.value) {
                let (at, len) = rhs.extent();
                return Err(arith(
                    at,
                    len,
                    format!(
                        "`{}` shifts by {}, but the left operand is {} of {} bits, and C leaves a shift by a negative count or by the width or more undefined",
                        self.to_c(),
                        y.value,
                        t.name(),
                        t.bits
                    ),
                    format!(
                        "shift counts are 0 to {}; for a 64-bit result make the left operand 64-bit, e.g. `1ULL << 40`",
                        t.bits - 1
                    ),
                ));
            }
            return match op {
                BinOp::Shl if t.signed && x.value < 0 => Err(arith(
                    at,
                    op_len,
                    format!(
                        "`{}` shifts a negative value left, which C leaves undefined",
                        self.to_c()
                    ),
                    "shift a non-negative or unsigned value, e.g. `~0U << 4`, or write the result as a literal".into(),
                )),
                // Shifting into the sign bit (`1 << 31`, as the kernel's headers write it) is
                // defined by gcc and clang (and C++20): the bits are kept, the value wraps.
                // Shifting a bit out of the type stays an error.
                BinOp::Shl if t.signed && x.value << y.value <= 2 * t.max() + 1 => {
                    Ok(CValue::new(t.convert(x.value << y.value), t))
                }
                BinOp::Shl => self.result(t, x.value << y.value, at, op_len),
                // `>>` of a negative value is arithmetic with gcc and clang.
                _ => Ok(CValue::new(x.value >> y.value, t)),
            };
        }
        let t = CType::common(x.ty, y.ty);
        let (a, b) = (t.convert(x.value), t.convert(y.value));
        let int = |c: bool| Ok(CValue::int(i128::from(c)));
        match op {
            BinOp::Mul => match a.checked_mul(b) {
                Some(p) => self.result(t, p, at, op_len),
                None => Err(self.overflow(at, op_len, t, i128::MAX)),
            },
            BinOp::Add => self.result(t, a + b, at, op_len),
            // Unsigned subtraction below zero keeps C's value, the two's complement.
            BinOp::Sub if !t.signed => Ok(CValue::new(t.convert(a - b), t)),
            BinOp::Sub => self.result(t, a - b, at, op_len),
            BinOp::Div | BinOp::Rem if b == 0 => {
                let (at, len) = rhs.extent();
                Err(arith(
                    at,
                    len,
                    format!("`{}` divides by zero", self.to_c()),
                    "C leaves division by zero undefined; correct the divisor".into(),
                ))
            }
            // `INT_MIN / -1` overflows, and so `INT_MIN % -1` is undefined too.
            BinOp::Div | BinOp::Rem if !t.fits(a / b) => Err(self.overflow(at, op_len, t, a / b)),
            BinOp::Div => Ok(CValue::new(a / b, t)),
            BinOp::Rem => Ok(CValue::new(a % b, t)),
            BinOp::Lt => int(a < b),
            BinOp::Gt => int(a > b),
            BinOp::Le => int(a <= b),
            BinOp::Ge => int(a >= b),
            BinOp::Eq => int(a == b),
            BinOp::Ne => int(a != b),
            BinOp::And => Ok(CValue::new(a & b, t)),
            BinOp::Xor => Ok(CValue::new(a ^ b, t)),
            BinOp::Or => Ok(CValue::new(a | b, t)),
            BinOp::Shl | BinOp::Shr => Ok(CValue::new(0, t)),
        }
    }

    /// The exact result `v` of `+`, `*` or `<<` in type `t`: an error unless it fits.
    fn result(&self, t: CType, v: i128, at: Pos, len: usize) -> Result<CValue, EvalError> {
        if t.fits(v) {
            Ok(CValue::new(v, t))
        } else {
            Err(self.overflow(at, len, t, v))
        }
    }

    /// The error of a result `exact` (`i128::MAX`: past 128 bits) that type `t` cannot hold.
    fn overflow(&self, at: Pos, len: usize, t: CType, exact: i128) -> EvalError {
        let exact_text = if exact == i128::MAX {
            "past 128 bits".to_owned()
        } else {
            exact.to_string()
        };
        if t.signed {
            arith(
                at,
                len,
                format!(
                    "`{}` overflows {}: the result {exact_text} is outside {}..={}, and C leaves signed overflow undefined",
                    self.to_c(),
                    t.name(),
                    t.min(),
                    t.max()
                ),
                if t.bits == 32 {
                    "C computes this in int, the type of its operands; make an operand unsigned or 64-bit, e.g. `1U << 31` or `1ULL << 40`".into()
                } else {
                    "the value does not fit in 64 bits; correct the expression".into()
                },
            )
        } else {
            let wrapped = if exact == i128::MAX {
                String::new()
            } else {
                format!(", which C wraps to {}", t.convert(exact))
            };
            arith(
                at,
                len,
                format!(
                    "`{}` overflows {}: the result {exact_text} is past its maximum {}{wrapped}",
                    self.to_c(),
                    t.name(),
                    t.max()
                ),
                if t.bits == 32 {
                    "C computes this in unsigned int, the type of its operands, and silently drops the high bits; make an operand 64-bit (e.g. `2ULL`, `1ULL << 32`) if the value is meant, or correct the expression".into()
                } else {
                    "C computes this in unsigned long long and silently drops the bits past 64; correct the expression".into()
                },
            )
        }
    }

    /// True when C computes exactly `value` (and type `ty`, when given) from the expression
    /// as written, on every ABI and in C90 and C99 alike. `names` gives the C value of a name
    /// the header defines (`None`: unknown).
    pub fn c_exact(
        &self,
        value: i128,
        ty: Option<CType>,
        names: &dyn Fn(&str) -> Option<CValue>,
    ) -> bool {
        self.exact(value, ty, names, false)
    }

    /// [`Expr::c_exact`], and an integer constant expression for gcc in every standard
    /// (`names` gives only names whose macros are).
    pub fn c_exact_ice(
        &self,
        value: i128,
        ty: Option<CType>,
        names: &dyn Fn(&str) -> Option<CValue>,
    ) -> bool {
        self.exact(value, ty, names, true)
    }

    fn exact(
        &self,
        value: i128,
        ty: Option<CType>,
        names: &dyn Fn(&str) -> Option<CValue>,
        need_ice: bool,
    ) -> bool {
        self.eval(&mut |n| names(n).ok_or(NameError::Unknown))
            .is_ok_and(|e| {
                e.as_written
                    && (e.ice || !need_ice)
                    && e.c.value == value
                    && ty.is_none_or(|t| t == e.c.ty)
            })
    }
}

/// A C literal of exactly `c.value` with exactly type `c.ty` (`U`, `LL` and `ULL` suffixes;
/// `hex` spells non-negative values in hex).
pub fn c_literal(c: CValue, hex: bool) -> String {
    let suffix = match (c.ty.bits, c.ty.signed) {
        (32, true) => "",
        (32, false) => "U",
        (_, true) => "LL",
        (_, false) => "ULL",
    };
    let value = c.value;
    if value < 0 {
        // `-2147483648` is `-(2147483648)`, a `long`: spell the minimum as `-max - 1`.
        if value == c.ty.min() {
            return format!("(-{}{suffix} - 1)", -value - 1);
        }
        return format!("-{}{suffix}", -value);
    }
    if hex {
        format!("0x{value:x}{suffix}")
    } else {
        format!("{value}{suffix}")
    }
}
