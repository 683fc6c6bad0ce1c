//! Integer expressions of the spec: parsed into a small AST that the C emitter prints back
//! symbolically and the resolver evaluates (in `i128`, then checked against the item's type).

use std::fmt::Write as _;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Mul,
    Div,
    Rem,
    Add,
    Sub,
    Shl,
    Shr,
    And,
    Xor,
    Or,
}

impl BinOp {
    fn precedence(self) -> u8 {
        match self {
            BinOp::Mul | BinOp::Div | BinOp::Rem => 10,
            BinOp::Add | BinOp::Sub => 9,
            BinOp::Shl | BinOp::Shr => 8,
            BinOp::And => 7,
            BinOp::Xor => 6,
            BinOp::Or => 5,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::And => "&",
            BinOp::Xor => "^",
            BinOp::Or => "|",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// A number literal with its original spelling.
    Num(i128, String),
    /// A character literal with its original spelling (including quotes).
    Char(i128, String),
    Name(String),
    Paren(Box<Expr>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
}

/// A parse error: what went wrong and at which character of the expression text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub at: usize,
}

/// Evaluation errors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvalError {
    Unknown(String),
    Cycle(String),
    Overflow(String),
}

/// Longest accepted expression text; longer input is rejected before parsing.
const MAX_LEN: usize = 4096;
/// Deepest accepted nesting of parentheses, unary operators and binary-operator trees.
const MAX_DEPTH: usize = 64;

pub fn parse(text: &str) -> Result<Expr, ParseError> {
    if text.len() > MAX_LEN {
        return Err(ParseError {
            message: format!("expression is longer than {MAX_LEN} bytes"),
            at: 0,
        });
    }
    let tokens = lex(text)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
        end: text.len(),
    };
    let (e, _) = p.expr(0)?;
    if let Some((_, at)) = p.tokens.get(p.pos) {
        return Err(ParseError {
            message: "unexpected text after the end of the expression".into(),
            at: *at,
        });
    }
    Ok(e)
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Num(i128, String),
    Char(i128, String),
    Name(String),
    Op(&'static str),
    LParen,
    RParen,
}

fn lex(text: &str) -> Result<Vec<(Tok, usize)>, ParseError> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            let word = &text[start..i];
            let v = parse_number(word).ok_or_else(|| ParseError {
                message: format!("`{word}` is not a valid integer literal"),
                at: start,
            })?;
            out.push((Tok::Num(v, word.to_owned()), start));
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push((Tok::Name(text[start..i].to_owned()), start));
            continue;
        }
        if c == b'\'' {
            let (v, len) = lex_char(&text[i..]).ok_or_else(|| ParseError {
                message: "invalid character literal (use one ASCII character or a simple escape like '\\n')".into(),
                at: start,
            })?;
            out.push((Tok::Char(v, text[i..i + len].to_owned()), start));
            i += len;
            continue;
        }
        let two = text.get(i..i + 2).unwrap_or("");
        let (tok, len) = match two {
            "<<" => (Tok::Op("<<"), 2),
            ">>" => (Tok::Op(">>"), 2),
            _ => match c {
                b'(' => (Tok::LParen, 1),
                b')' => (Tok::RParen, 1),
                b'+' => (Tok::Op("+"), 1),
                b'-' => (Tok::Op("-"), 1),
                b'*' => (Tok::Op("*"), 1),
                b'/' => (Tok::Op("/"), 1),
                b'%' => (Tok::Op("%"), 1),
                b'&' => (Tok::Op("&"), 1),
                b'|' => (Tok::Op("|"), 1),
                b'^' => (Tok::Op("^"), 1),
                b'~' => (Tok::Op("~"), 1),
                _ => {
                    let ch = text[i..].chars().next().unwrap_or('?');
                    return Err(ParseError {
                        message: format!("unexpected character `{ch}` in expression"),
                        at: start,
                    });
                }
            },
        };
        out.push((tok, start));
        i += len;
    }
    Ok(out)
}

fn parse_number(word: &str) -> Option<i128> {
    let w = word.replace('_', "");
    // C suffixes u, l, ul, ull are accepted and ignored: the item's type decides.
    let w = w.trim_end_matches(['u', 'U', 'l', 'L']);
    let (digits, radix) = if let Some(h) = w.strip_prefix("0x").or_else(|| w.strip_prefix("0X")) {
        (h, 16)
    } else if let Some(b) = w.strip_prefix("0b").or_else(|| w.strip_prefix("0B")) {
        (b, 2)
    } else if let Some(o) = w.strip_prefix("0o") {
        (o, 8)
    } else if w.len() > 1 && w.starts_with('0') {
        (&w[1..], 8)
    } else {
        (w, 10)
    };
    if digits.is_empty() {
        return None;
    }
    u64::from_str_radix(digits, radix).ok().map(i128::from)
}

/// A character literal at the start of `s`: its value and byte length.
fn lex_char(s: &str) -> Option<(i128, usize)> {
    let mut chars = s.char_indices();
    chars.next()?; // opening quote
    let (_, c) = chars.next()?;
    let value = if c == '\\' {
        let (_, e) = chars.next()?;
        match e {
            'n' => 10,
            't' => 9,
            'r' => 13,
            '0' => 0,
            '\\' => 92,
            '\'' => 39,
            '"' => 34,
            _ => return None,
        }
    } else if c.is_ascii() && c != '\'' {
        i128::from(c as u8)
    } else {
        return None;
    };
    let (end, close) = chars.next()?;
    (close == '\'').then_some((value, end + 1))
}

struct Parser {
    tokens: Vec<(Tok, usize)>,
    pos: usize,
    depth: usize,
    end: usize,
}

impl Parser {
    fn at(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.end, |t| t.1)
    }

    /// An expression and the height of its tree (a leaf is 1).
    fn expr(&mut self, min_prec: u8) -> Result<(Expr, usize), ParseError> {
        let (mut lhs, mut height) = self.unary()?;
        while let Some((Tok::Op(s), _)) = self.tokens.get(self.pos) {
            let op = match *s {
                "*" => BinOp::Mul,
                "/" => BinOp::Div,
                "%" => BinOp::Rem,
                "+" => BinOp::Add,
                "-" => BinOp::Sub,
                "<<" => BinOp::Shl,
                ">>" => BinOp::Shr,
                "&" => BinOp::And,
                "^" => BinOp::Xor,
                "|" => BinOp::Or,
                _ => break,
            };
            let prec = op.precedence();
            if prec < min_prec {
                break;
            }
            let op_at = self.at();
            self.pos += 1;
            let (rhs, rhs_height) = self.expr(prec + 1)?;
            // Evaluating, printing and dropping recurse through the tree: a long chain of
            // binary operators nests as deep as parentheses do.
            height = 1 + height.max(rhs_height);
            if height > MAX_DEPTH {
                return Err(ParseError {
                    message: format!(
                        "expression nests deeper than {MAX_DEPTH} levels (operators included)"
                    ),
                    at: op_at,
                });
            }
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        Ok((lhs, height))
    }

    fn unary(&mut self) -> Result<(Expr, usize), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError {
                message: format!("expression nests deeper than {MAX_DEPTH} levels"),
                at: self.at(),
            });
        }
        let at = self.at();
        let tok = self.tokens.get(self.pos).map(|t| t.0.clone());
        let e = match tok {
            Some(Tok::Op("-")) => {
                self.pos += 1;
                let (inner, h) = self.unary()?;
                (Expr::Unary(UnOp::Neg, Box::new(inner)), h + 1)
            }
            Some(Tok::Op("~")) => {
                self.pos += 1;
                let (inner, h) = self.unary()?;
                (Expr::Unary(UnOp::Not, Box::new(inner)), h + 1)
            }
            Some(Tok::Num(v, s)) => {
                self.pos += 1;
                (Expr::Num(v, s), 1)
            }
            Some(Tok::Char(v, s)) => {
                self.pos += 1;
                (Expr::Char(v, s), 1)
            }
            Some(Tok::Name(n)) => {
                self.pos += 1;
                (Expr::Name(n), 1)
            }
            Some(Tok::LParen) => {
                self.pos += 1;
                let (inner, h) = self.expr(0)?;
                match self.tokens.get(self.pos) {
                    Some((Tok::RParen, _)) => self.pos += 1,
                    _ => {
                        return Err(ParseError {
                            message: "missing `)`".into(),
                            at: self.at(),
                        });
                    }
                }
                (Expr::Paren(Box::new(inner)), h + 1)
            }
            Some(_) => {
                return Err(ParseError {
                    message: "expected a number, a name, `(`, `-` or `~`".into(),
                    at,
                });
            }
            None => {
                return Err(ParseError {
                    message: "the expression ends too early".into(),
                    at,
                });
            }
        };
        self.depth -= 1;
        Ok(e)
    }
}

impl Expr {
    /// Evaluate with a resolver for names.
    pub fn eval(
        &self,
        names: &mut dyn FnMut(&str) -> Result<i128, EvalError>,
    ) -> Result<i128, EvalError> {
        let ovf = || EvalError::Overflow("the value overflows 128-bit arithmetic".into());
        Ok(match self {
            Expr::Num(v, _) | Expr::Char(v, _) => *v,
            Expr::Name(n) => names(n)?,
            Expr::Paren(e) => e.eval(names)?,
            Expr::Unary(UnOp::Neg, e) => e.eval(names)?.checked_neg().ok_or_else(ovf)?,
            Expr::Unary(UnOp::Not, e) => !e.eval(names)?,
            Expr::Binary(op, a, b) => {
                let a = a.eval(names)?;
                let b = b.eval(names)?;
                match op {
                    BinOp::Mul => a.checked_mul(b).ok_or_else(ovf)?,
                    BinOp::Div | BinOp::Rem if b == 0 => {
                        return Err(EvalError::Overflow("division by zero".into()));
                    }
                    BinOp::Div => a.checked_div(b).ok_or_else(ovf)?,
                    BinOp::Rem => a.checked_rem(b).ok_or_else(ovf)?,
                    BinOp::Add => a.checked_add(b).ok_or_else(ovf)?,
                    BinOp::Sub => a.checked_sub(b).ok_or_else(ovf)?,
                    BinOp::Shl | BinOp::Shr if !(0..64).contains(&b) => {
                        return Err(EvalError::Overflow(format!(
                            "shift by {b}: shifts must be between 0 and 63"
                        )));
                    }
                    BinOp::Shl => a
                        .checked_shl(b as u32)
                        .filter(|r| r >> b == a)
                        .ok_or_else(ovf)?,
                    BinOp::Shr => a >> b,
                    BinOp::And => a & b,
                    BinOp::Xor => a ^ b,
                    BinOp::Or => a | b,
                }
            }
        })
    }

    /// Every name the expression uses, in order.
    pub fn names(&self, out: &mut Vec<String>) {
        match self {
            Expr::Num(..) | Expr::Char(..) => {}
            Expr::Name(n) => out.push(n.clone()),
            Expr::Paren(e) | Expr::Unary(_, e) => e.names(out),
            Expr::Binary(_, a, b) => {
                a.names(out);
                b.names(out);
            }
        }
    }

    /// True for a literal, a name or a parenthesised expression.
    pub fn is_atom(&self) -> bool {
        matches!(
            self,
            Expr::Num(..) | Expr::Char(..) | Expr::Name(_) | Expr::Paren(_)
        )
    }

    /// True when the value reads best in hex (bit shifts, masks, hex literals).
    pub fn prefers_hex(&self) -> bool {
        match self {
            Expr::Num(_, s) => s.starts_with("0x") || s.starts_with("0X"),
            Expr::Char(..) | Expr::Name(_) => false,
            Expr::Paren(e) | Expr::Unary(_, e) => e.prefers_hex(),
            Expr::Binary(op, a, b) => {
                matches!(op, BinOp::Shl | BinOp::Or | BinOp::And | BinOp::Xor)
                    || a.prefers_hex()
                    || b.prefers_hex()
            }
        }
    }

    /// C spelling, as written (parentheses kept, spacing normalised).
    pub fn to_c(&self) -> String {
        let mut s = String::new();
        self.write_c(&mut s);
        s
    }

    /// C spelling for a macro body: parenthesised unless it is an atom.
    pub fn to_c_macro(&self) -> String {
        if self.is_atom() {
            match self {
                Expr::Char(..) => format!("({})", self.to_c()),
                _ => self.to_c(),
            }
        } else {
            format!("({})", self.to_c())
        }
    }

    fn write_c(&self, s: &mut String) {
        match self {
            Expr::Num(_, t) | Expr::Char(_, t) | Expr::Name(t) => s.push_str(t),
            Expr::Paren(e) => {
                s.push('(');
                e.write_c(s);
                s.push(')');
            }
            Expr::Unary(op, e) => {
                s.push(if *op == UnOp::Neg { '-' } else { '~' });
                // `- -1` must not become `--1`, a decrement in C.
                if *op == UnOp::Neg && matches!(**e, Expr::Unary(UnOp::Neg, _)) {
                    s.push(' ');
                }
                e.write_c(s);
            }
            Expr::Binary(op, a, b) => {
                a.write_c(s);
                let _ = write!(s, " {} ", op.symbol());
                b.write_c(s);
            }
        }
    }
}

/// A C integer type after promotion: `int`, `unsigned int`, or a 64-bit `long`/`long long`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct CTy {
    bits: u32,
    signed: bool,
}

impl CTy {
    const INT: CTy = CTy {
        bits: 32,
        signed: true,
    };

    fn min(self) -> i128 {
        if self.signed {
            -(1i128 << (self.bits - 1))
        } else {
            0
        }
    }

    fn max(self) -> i128 {
        if self.signed {
            (1i128 << (self.bits - 1)) - 1
        } else {
            (1i128 << self.bits) - 1
        }
    }

    fn fits(self, v: i128) -> bool {
        (self.min()..=self.max()).contains(&v)
    }

    /// C's conversion to this type (modulo 2^bits; gcc and clang wrap for signed types too).
    fn convert(self, v: i128) -> i128 {
        let m = v & ((1i128 << self.bits) - 1);
        if self.signed && m > self.max() {
            m - (1i128 << self.bits)
        } else {
            m
        }
    }

    /// The usual arithmetic conversions of two promoted operands.
    fn common(a: CTy, b: CTy) -> CTy {
        if a.signed == b.signed {
            return if a.bits >= b.bits { a } else { b };
        }
        let (s, u) = if a.signed { (a, b) } else { (b, a) };
        if u.bits >= s.bits { u } else { s }
    }

    /// The result of an arithmetic operation: an overflowing signed result is undefined.
    fn result(self, v: i128) -> Option<(i128, CTy)> {
        if self.signed {
            self.fits(v).then_some((v, self))
        } else {
            Some((self.convert(v), self))
        }
    }
}

/// The C type of an integer literal as written (C11 6.4.4.1), for `long` of `long_bits`.
fn literal_type(v: i128, spelling: &str, long_bits: u32) -> Option<CTy> {
    if spelling.contains('_') || spelling.starts_with("0o") {
        return None; // not C syntax
    }
    if spelling.starts_with("0b") || spelling.starts_with("0B") {
        return None; // a GNU extension before C23: printed as a literal instead
    }
    let body = spelling.trim_end_matches(['u', 'U', 'l', 'L']);
    let suffix = &spelling[body.len()..];
    let unsigned = suffix.contains(['u', 'U']);
    let longs = suffix.replace(['u', 'U'], "");
    let rank = match longs.as_str() {
        "" => 0,
        "l" | "L" => 1,
        "ll" | "LL" => 2,
        _ => return None,
    };
    if suffix.matches(['u', 'U']).count() > 1
        || (unsigned && !(suffix.starts_with(['u', 'U']) || suffix.ends_with(['u', 'U'])))
    {
        return None;
    }
    let decimal = !(body.len() > 1 && body.starts_with('0'));
    if decimal && !unsigned && rank < 2 && v > i128::from(i32::MAX) {
        // C90 makes such a literal `unsigned long` where C99 makes it `long long`: the
        // value differs on 32-bit-long ABIs, so it is printed as a suffixed literal.
        return None;
    }
    let ty = |bits, signed| CTy { bits, signed };
    let ranks = [32, long_bits, 64];
    let mut candidates = Vec::new();
    for &bits in &ranks[rank..] {
        if !unsigned {
            candidates.push(ty(bits, true));
        }
        if unsigned || !decimal {
            candidates.push(ty(bits, false));
        }
    }
    candidates.into_iter().find(|t| t.fits(v))
}

impl Expr {
    /// True when a C compiler evaluates the expression as written to exactly `value`, in type
    /// `int` whenever `value` fits in `int`, for both sizes of `long` and without undefined
    /// behaviour. `names` gives the value of a name that C sees as an `int` (`None`: unknown,
    /// or not an `int`).
    pub fn c_exact(&self, value: i128, names: &dyn Fn(&str) -> Option<i128>) -> bool {
        [32, 64].into_iter().all(|long_bits| {
            self.c_eval(long_bits, names)
                .is_some_and(|(v, t)| v == value && (!CTy::INT.fits(value) || t == CTy::INT))
        })
    }

    /// The value and type C computes, `None` for undefined or unknown.
    fn c_eval(&self, long_bits: u32, names: &dyn Fn(&str) -> Option<i128>) -> Option<(i128, CTy)> {
        match self {
            Expr::Num(v, s) => Some((*v, literal_type(*v, s, long_bits)?)),
            Expr::Char(v, _) => Some((*v, CTy::INT)),
            Expr::Name(n) => names(n)
                .filter(|v| CTy::INT.fits(*v))
                .map(|v| (v, CTy::INT)),
            Expr::Paren(e) => e.c_eval(long_bits, names),
            Expr::Unary(op, e) => {
                let (v, t) = e.c_eval(long_bits, names)?;
                match op {
                    UnOp::Neg => t.result(-v),
                    UnOp::Not => Some((t.convert(!v), t)),
                }
            }
            Expr::Binary(op, a, b) => {
                let (a, at) = a.c_eval(long_bits, names)?;
                let (b, bt) = b.c_eval(long_bits, names)?;
                if let BinOp::Shl | BinOp::Shr = op {
                    if !(0..i128::from(at.bits)).contains(&b) {
                        return None;
                    }
                    return match op {
                        BinOp::Shl if at.signed && a < 0 => None,
                        BinOp::Shl => at.result(a << b),
                        _ => Some((a >> b, at)),
                    };
                }
                let t = CTy::common(at, bt);
                let (a, b) = (t.convert(a), t.convert(b));
                match op {
                    // Unsigned products wrap: the low 64 bits of a product mod 2^128 are
                    // right, and C's unsigned arithmetic keeps only those.
                    BinOp::Mul if t.signed => a.checked_mul(b).and_then(|p| t.result(p)),
                    BinOp::Mul => Some((t.convert(a.wrapping_mul(b)), t)),
                    BinOp::Div | BinOp::Rem if b == 0 => None,
                    BinOp::Div => t.result(a / b),
                    BinOp::Rem => {
                        // `INT_MIN % -1` is undefined too.
                        t.result(a / b)?;
                        t.result(a % b)
                    }
                    BinOp::Add => t.result(a + b),
                    BinOp::Sub => t.result(a - b),
                    BinOp::And => Some((a & b, t)),
                    BinOp::Xor => Some((a ^ b, t)),
                    BinOp::Or => Some((a | b, t)),
                    BinOp::Shl | BinOp::Shr => None,
                }
            }
        }
    }
}

/// A C literal of exactly `value` whose type is `int` when the value fits in `int` (then
/// `unsigned int`, `long long`, `unsigned long long`); `hex` spells non-negative values in hex.
pub fn c_literal(value: i128, hex: bool) -> String {
    let (suffix, fits_int) = if CTy::INT.fits(value) {
        ("", true)
    } else if (0..=i128::from(u32::MAX)).contains(&value) {
        ("U", false)
    } else if i64::try_from(value).is_ok() {
        ("LL", false)
    } else {
        ("ULL", false)
    };
    if value < 0 {
        // `-2147483648` is `-(2147483648)`, a `long`: spell the minimum as `max - 1`.
        let min = if fits_int {
            i128::from(i32::MIN)
        } else {
            i128::from(i64::MIN)
        };
        if value == min {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(t: &str) -> i128 {
        parse(t)
            .map_err(|e| e.message)
            .and_then(|e| {
                e.eval(&mut |n| match n {
                    "BASE" => Ok(100),
                    _ => Err(EvalError::Unknown(n.into())),
                })
                .map_err(|e| format!("{e:?}"))
            })
            .unwrap_or(i128::MIN)
    }

    #[test]
    fn precedence_follows_c() {
        assert_eq!(eval("1 + 2 * 3"), 7);
        assert_eq!(eval("1 << 2 + 1"), 8);
        assert_eq!(eval("1 | 2 & 3"), 3);
        assert_eq!(eval("BASE + 7"), 107);
        assert_eq!(eval("';'"), 59);
        assert_eq!(eval("0xffff"), 65535);
        assert_eq!(eval("~0 & 0xff"), 255);
        assert_eq!(eval("-(1 << 3)"), -8);
        assert_eq!(eval("010"), 8);
        assert_eq!(eval("1 << 31"), 2_147_483_648);
    }

    #[test]
    fn c_spelling_is_kept() {
        let e = parse("(1<<3)|  BASE").map_err(|e| e.message);
        assert_eq!(e.map(|e| e.to_c()), Ok("(1 << 3) | BASE".to_string()));
    }

    #[test]
    fn neg_neg_is_not_a_decrement() {
        let e = parse("- -1").map_err(|e| e.message);
        assert_eq!(e.map(|e| e.to_c()), Ok("- -1".to_string()));
    }

    #[test]
    fn long_binary_chains_are_rejected() {
        assert_eq!(eval(&vec!["1"; 64].join("+")), 64);
        let err = parse(&vec!["1"; 2000].join("+")).map(|_| ());
        assert!(err.is_err_and(|e| e.message.contains("nests deeper")));
        let err = parse(&vec!["1"; 66].join("|")).map(|_| ());
        assert!(err.is_err());
    }

    #[test]
    fn c_exactness_follows_c_types() {
        let exact = |t: &str, v: i128| {
            parse(t).is_ok_and(|e| e.c_exact(v, &|n| (n == "BASE").then_some(100)))
        };
        assert!(exact("1 << 3", 8));
        assert!(exact("BASE + 7", 107));
        assert!(exact("- -1", 1));
        assert!(exact("(1ULL << 40)", 1 << 40));
        assert!(exact("(1U << 31)", 1 << 31));
        assert!(exact("0xffffffff", 0xffff_ffff));
        assert!(!exact("1 << 40", 1 << 40));
        assert!(!exact("1 << 31", 1 << 31));
        assert!(!exact("0xffffffff + 1", 1 << 32));
        assert!(!exact("(2147483647 + 1) / 2", 1 << 30));
        assert!(!exact(
            "18446744073709551615 / 3",
            6_148_914_691_236_517_205
        ));
        assert!(!exact("1U", 1));
        assert!(!exact("OTHER + 1", 2));
        // C90 reads a decimal past INT_MAX as `unsigned long` (32 bits on ILP32), C99 as
        // `long long`: not exact, printed as a suffixed literal.
        assert!(!exact("-3000000000", -3_000_000_000));
        assert!(exact("-3000000000LL", -3_000_000_000));
        // Binary literals are a GNU extension before C23.
        assert!(!exact("0b101", 5));
        // Unsigned products wrap (and must not overflow the evaluator): (2^64-1)^2 mod 2^64.
        assert!(!exact("(0ULL - 1) * (0ULL - 1)", 1));
        assert!(exact("(0ULL - 1) * 2ULL", i128::from(u64::MAX - 1)));
        assert_eq!(c_literal(-1, false), "-1");
        assert_eq!(c_literal(-(1 << 31), false), "(-2147483647 - 1)");
        assert_eq!(c_literal(1 << 40, true), "0x10000000000LL");
        assert_eq!(c_literal(0xffff_ffff, false), "4294967295U");
        assert_eq!(
            c_literal(i128::from(u64::MAX), true),
            "0xffffffffffffffffULL"
        );
    }

    #[test]
    fn errors_do_not_panic() {
        for t in [
            "",
            "(",
            "1 +",
            "1 $ 2",
            "'ab'",
            "1 << 99",
            "1/0",
            "99999999999999999999999",
        ] {
            let r = parse(t).map(|e| e.eval(&mut |_| Ok(0)));
            assert!(!matches!(r, Ok(Ok(_))), "{t} should fail");
        }
    }
}
