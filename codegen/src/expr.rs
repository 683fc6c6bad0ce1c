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
/// Deepest accepted nesting of parentheses and unary operators.
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
    let e = p.expr(0)?;
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

    fn expr(&mut self, min_prec: u8) -> Result<Expr, ParseError> {
        let mut lhs = self.unary()?;
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
            self.pos += 1;
            let rhs = self.expr(prec + 1)?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
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
                Expr::Unary(UnOp::Neg, Box::new(self.unary()?))
            }
            Some(Tok::Op("~")) => {
                self.pos += 1;
                Expr::Unary(UnOp::Not, Box::new(self.unary()?))
            }
            Some(Tok::Num(v, s)) => {
                self.pos += 1;
                Expr::Num(v, s)
            }
            Some(Tok::Char(v, s)) => {
                self.pos += 1;
                Expr::Char(v, s)
            }
            Some(Tok::Name(n)) => {
                self.pos += 1;
                Expr::Name(n)
            }
            Some(Tok::LParen) => {
                self.pos += 1;
                let inner = self.expr(0)?;
                match self.tokens.get(self.pos) {
                    Some((Tok::RParen, _)) => self.pos += 1,
                    _ => {
                        return Err(ParseError {
                            message: "missing `)`".into(),
                            at: self.at(),
                        });
                    }
                }
                Expr::Paren(Box::new(inner))
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
