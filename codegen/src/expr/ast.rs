//! The expression AST, its parser and its C spelling.

use std::fmt::Write as _;

/// A byte position in the expression text.
pub type Pos = usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
    /// `!`
    LNot,
}

impl UnOp {
    fn symbol(self) -> char {
        match self {
            UnOp::Neg => '-',
            UnOp::Not => '~',
            UnOp::LNot => '!',
        }
    }
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
    Lt,
    Gt,
    Le,
    Ge,
    Eq,
    Ne,
    And,
    Xor,
    Or,
}

impl BinOp {
    /// C's precedence: higher binds tighter (`*` 12 ... `|` 5).
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Mul | BinOp::Div | BinOp::Rem => 12,
            BinOp::Add | BinOp::Sub => 11,
            BinOp::Shl | BinOp::Shr => 10,
            BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => 9,
            BinOp::Eq | BinOp::Ne => 8,
            BinOp::And => 7,
            BinOp::Xor => 6,
            BinOp::Or => 5,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::Lt => "<",
            BinOp::Gt => ">",
            BinOp::Le => "<=",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::And => "&",
            BinOp::Xor => "^",
            BinOp::Or => "|",
        }
    }

    fn from_symbol(s: &str) -> Option<BinOp> {
        Some(match s {
            "*" => BinOp::Mul,
            "/" => BinOp::Div,
            "%" => BinOp::Rem,
            "+" => BinOp::Add,
            "-" => BinOp::Sub,
            "<<" => BinOp::Shl,
            ">>" => BinOp::Shr,
            "<" => BinOp::Lt,
            ">" => BinOp::Gt,
            "<=" => BinOp::Le,
            ">=" => BinOp::Ge,
            "==" => BinOp::Eq,
            "!=" => BinOp::Ne,
            "&" => BinOp::And,
            "^" => BinOp::Xor,
            "|" => BinOp::Or,
            _ => return None,
        })
    }

    pub(super) fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge | BinOp::Eq | BinOp::Ne
        )
    }
}

/// An expression. Positions are byte offsets into the text it was parsed from (0 for
/// expressions uapigen builds itself, such as the `(1 << n)` of a flag's `bit:`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// A number literal with its original spelling.
    Num(i128, String, Pos),
    /// A character literal with its original spelling (including quotes).
    Char(i128, String, Pos),
    Name(String, Pos),
    /// A parenthesised expression, with the positions of `(` and `)`.
    Paren(Box<Expr>, Pos, Pos),
    /// A unary operator at its position.
    Unary(UnOp, Box<Expr>, Pos),
    /// A binary operator (at its position) and its operands.
    Binary(BinOp, Box<Expr>, Box<Expr>, Pos),
    /// A cast `(type)operand`, with the position of `(`.
    Cast(CastTy, Box<Expr>, Pos),
    /// The conditional operator `cond ? then : else`, with the positions of `?` and `:`.
    Cond(Box<Expr>, Box<Expr>, Box<Expr>, Pos, Pos),
}

/// The integer types an expression can cast to: C's `int`, `long` and `long long` in their
/// signed and unsigned forms, and the kernel's fixed-width `__u32`, `__s32`, `__u64`, `__s64`.
/// Narrower types are refused: they promote back to `int` in every expression, and the
/// header's literal of such a macro would need the cast spelled again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CastTy {
    /// `int` (0), `long` (1) or `long long` (2), signed or not.
    Std { unsigned: bool, longs: u8 },
    /// `__u32`, `__s32`, `__u64` or `__s64` (`signed`, 32 or 64 bits).
    Fixed { signed: bool, bits: u32 },
}

impl CastTy {
    /// The type named by the words between a cast's parentheses, if they name one it supports.
    fn from_words(words: &[&str]) -> Option<CastTy> {
        let fixed = |signed, bits| Some(CastTy::Fixed { signed, bits });
        match words {
            ["__u32"] => return fixed(false, 32),
            ["__s32"] => return fixed(true, 32),
            ["__u64"] => return fixed(false, 64),
            ["__s64"] => return fixed(true, 64),
            _ => {}
        }
        let mut unsigned = None;
        let mut longs = 0u8;
        let mut int = false;
        for w in words {
            match *w {
                "unsigned" | "signed" if unsigned.is_none() => unsigned = Some(*w == "unsigned"),
                "long" if longs < 2 => longs += 1,
                "int" if !int => int = true,
                _ => return None,
            }
        }
        if words.is_empty() {
            return None;
        }
        Some(CastTy::Std {
            unsigned: unsigned.unwrap_or(false),
            longs,
        })
    }

    /// The C spelling, canonical (`unsigned long`, `__u64`).
    pub fn c_name(self) -> &'static str {
        match self {
            CastTy::Std { unsigned, longs } => match (unsigned, longs) {
                (false, 0) => "int",
                (true, 0) => "unsigned int",
                (false, 1) => "long",
                (true, 1) => "unsigned long",
                (false, _) => "long long",
                (true, _) => "unsigned long long",
            },
            CastTy::Fixed { signed, bits } => match (signed, bits) {
                (false, 32) => "__u32",
                (true, 32) => "__s32",
                (false, _) => "__u64",
                (true, _) => "__s64",
            },
        }
    }
}

/// Words that start a type name a cast can use, supported or not (so that `(__u8)x` and
/// `(short)x` are reported as unsupported casts, not as unknown names).
const TYPE_WORDS: [&str; 16] = [
    "unsigned", "signed", "int", "long", "short", "char", "__u8", "__s8", "__u16", "__s16",
    "__u32", "__s32", "__u64", "__s64", "__le32", "__be32",
];

/// A parse error: what went wrong and at which bytes of the expression text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub at: Pos,
    pub len: usize,
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
            len: 0,
        });
    }
    let tokens = lex(text)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
        end: text.len(),
    };
    let (e, _) = p.cond()?;
    if let Some((tok, at)) = p.tokens.get(p.pos) {
        return Err(ParseError {
            message: "unexpected text after the end of the expression".into(),
            at: *at,
            len: tok.len(),
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

impl Tok {
    fn len(&self) -> usize {
        match self {
            Tok::Num(_, s) | Tok::Char(_, s) | Tok::Name(s) => s.len(),
            Tok::Op(s) => s.len(),
            Tok::LParen | Tok::RParen => 1,
        }
    }
}

const OPS: [&str; 22] = [
    "<<", ">>", "<=", ">=", "==", "!=", "(", ")", "+", "-", "*", "/", "%", "&", "|", "^", "~", "!",
    "<", ">", "?", ":",
];

fn lex(text: &str) -> Result<Vec<(Tok, Pos)>, ParseError> {
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
                len: word.len(),
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
                len: 1,
            })?;
            out.push((Tok::Char(v, text[i..i + len].to_owned()), start));
            i += len;
            continue;
        }
        let Some(op) = OPS.iter().find(|op| text[i..].starts_with(**op)) else {
            let ch = text[i..].chars().next().unwrap_or('?');
            return Err(ParseError {
                message: format!("unexpected character `{ch}` in expression"),
                at: start,
                len: ch.len_utf8(),
            });
        };
        let tok = match *op {
            "(" => Tok::LParen,
            ")" => Tok::RParen,
            op => Tok::Op(op),
        };
        out.push((tok, start));
        i += op.len();
    }
    Ok(out)
}

/// The digits, radix and suffix of an integer literal (`_` separators and `0o`/`0b`
/// prefixes allowed), `None` for a malformed one. The suffix is one of C's: `u`, `l`, `ll`,
/// `ul`, `lu`, `ull`, `llu`, in either case (`ll` in one case).
pub(super) fn split_number(word: &str) -> Option<(String, u32, &str)> {
    let body = word.trim_end_matches(['u', 'U', 'l', 'L']);
    let suffix = &word[body.len()..];
    let longs = suffix.replace(['u', 'U'], "");
    let unsigned = suffix.len() - longs.len();
    if unsigned > 1
        || (unsigned == 1 && !(suffix.starts_with(['u', 'U']) || suffix.ends_with(['u', 'U'])))
        || !matches!(longs.as_str(), "" | "l" | "L" | "ll" | "LL")
    {
        return None;
    }
    let w = body.replace('_', "");
    let (digits, radix) = if let Some(h) = w.strip_prefix("0x").or_else(|| w.strip_prefix("0X")) {
        (h, 16)
    } else if let Some(b) = w.strip_prefix("0b").or_else(|| w.strip_prefix("0B")) {
        (b, 2)
    } else if let Some(o) = w.strip_prefix("0o") {
        (o, 8)
    } else if w.len() > 1 && w.starts_with('0') {
        (&w[1..], 8)
    } else {
        (w.as_str(), 10)
    };
    if digits.is_empty() || body.ends_with('_') {
        return None;
    }
    Some((digits.to_owned(), radix, suffix))
}

fn parse_number(word: &str) -> Option<i128> {
    let (digits, radix, _) = split_number(word)?;
    u64::from_str_radix(&digits, radix).ok().map(i128::from)
}

/// The C spelling of a literal: `_` separators dropped, `0o17` as `017`, `0b101` as `0x5`
/// (binary literals are a GNU extension before C23; hex has the same C type).
fn c_spelling(word: &str, value: i128) -> String {
    let Some((digits, radix, suffix)) = split_number(word) else {
        return word.to_owned();
    };
    match radix {
        2 => format!("0x{value:x}{suffix}"),
        8 if word.starts_with("0o") => format!("0{digits}{suffix}"),
        _ if word.contains('_') => {
            let body = word[..word.len() - suffix.len()].replace('_', "");
            format!("{body}{suffix}")
        }
        _ => word.to_owned(),
    }
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
    tokens: Vec<(Tok, Pos)>,
    pos: usize,
    depth: usize,
    end: usize,
}

impl Parser {
    /// At a `(`: the words of a cast's type and the position of its `)`, when the
    /// parentheses hold only names and the first is a type word.
    fn cast_words(&self) -> Option<(Vec<String>, Pos)> {
        let mut words = Vec::new();
        for (tok, at) in self.tokens.get(self.pos + 1..)? {
            match tok {
                Tok::Name(n) => words.push(n.clone()),
                Tok::RParen if !words.is_empty() => {
                    return TYPE_WORDS
                        .contains(&words[0].as_str())
                        .then_some((words, *at));
                }
                _ => return None,
            }
        }
        None
    }

    fn at(&self) -> Pos {
        self.tokens.get(self.pos).map_or(self.end, |t| t.1)
    }

    /// A conditional expression (`c ? a : b`, right-associative, below every binary
    /// operator; the middle operand is a whole expression, as in C) and its height.
    fn cond(&mut self) -> Result<(Expr, usize), ParseError> {
        let (c, c_height) = self.expr(0)?;
        let Some((Tok::Op("?"), q_at)) = self.tokens.get(self.pos) else {
            return Ok((c, c_height));
        };
        let q_at = *q_at;
        self.pos += 1;
        self.enter(q_at)?;
        let (a, a_height) = self.cond()?;
        let colon = self.at();
        match self.tokens.get(self.pos) {
            Some((Tok::Op(":"), _)) => self.pos += 1,
            _ => {
                return Err(ParseError {
                    message: "missing `:` of the `?` operator (write `c ? a : b`)".into(),
                    at: colon,
                    len: 1,
                });
            }
        }
        let (b, b_height) = self.cond()?;
        self.depth -= 1;
        let height = 1 + c_height.max(a_height).max(b_height);
        if height > MAX_DEPTH {
            return Err(ParseError {
                message: format!(
                    "expression nests deeper than {MAX_DEPTH} levels (operators included)"
                ),
                at: q_at,
                len: 1,
            });
        }
        let e = Expr::Cond(Box::new(c), Box::new(a), Box::new(b), q_at, colon);
        Ok((e, height))
    }

    /// One level deeper into the recursion at `at`: an error past [`MAX_DEPTH`].
    fn enter(&mut self, at: Pos) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError {
                message: format!("expression nests deeper than {MAX_DEPTH} levels"),
                at,
                len: 1,
            });
        }
        Ok(())
    }

    /// An expression and the height of its tree (a leaf is 1).
    fn expr(&mut self, min_prec: u8) -> Result<(Expr, usize), ParseError> {
        let (mut lhs, mut height) = self.unary()?;
        while let Some((Tok::Op(s), op_at)) = self.tokens.get(self.pos) {
            let Some(op) = BinOp::from_symbol(s) else {
                break;
            };
            let op_at = *op_at;
            let prec = op.precedence();
            if prec < min_prec {
                break;
            }
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
                    len: op.symbol().len(),
                });
            }
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs), op_at);
        }
        Ok((lhs, height))
    }

    fn unary(&mut self) -> Result<(Expr, usize), ParseError> {
        self.depth += 1;
        let at = self.at();
        if self.depth > MAX_DEPTH {
            return Err(ParseError {
                message: format!("expression nests deeper than {MAX_DEPTH} levels"),
                at,
                len: 1,
            });
        }
        let tok = self.tokens.get(self.pos).map(|t| t.0.clone());
        let e = match tok {
            Some(Tok::Op(s @ ("-" | "~" | "!"))) => {
                self.pos += 1;
                let op = match s {
                    "-" => UnOp::Neg,
                    "~" => UnOp::Not,
                    _ => UnOp::LNot,
                };
                let (inner, h) = self.unary()?;
                (Expr::Unary(op, Box::new(inner), at), h + 1)
            }
            Some(Tok::Num(v, s)) => {
                self.pos += 1;
                (Expr::Num(v, s, at), 1)
            }
            Some(Tok::Char(v, s)) => {
                self.pos += 1;
                (Expr::Char(v, s, at), 1)
            }
            Some(Tok::Name(n)) => {
                self.pos += 1;
                if let Some((Tok::LParen, _)) = self.tokens.get(self.pos) {
                    let message = if n == "sizeof" {
                        "`sizeof` is not supported: an expression holds integers, names of integer values and operators".to_owned()
                    } else {
                        format!("`{n}(...)` is a call, which expressions do not support")
                    };
                    return Err(ParseError {
                        message,
                        at,
                        len: n.len(),
                    });
                }
                (Expr::Name(n, at), 1)
            }
            Some(Tok::LParen) if let Some((words, close)) = self.cast_words() => {
                let words: Vec<&str> = words.iter().map(String::as_str).collect();
                let Some(ty) = CastTy::from_words(&words) else {
                    return Err(ParseError {
                        message: format!(
                            "a cast to `{}` is not supported: casts name `int`, `long` or `long long` (signed or unsigned), or `__u32`, `__s32`, `__u64`, `__s64`",
                            words.join(" ")
                        ),
                        at,
                        len: close + 1 - at,
                    });
                };
                self.pos += words.len() + 2;
                let (inner, h) = self.unary()?;
                (Expr::Cast(ty, Box::new(inner), at), h + 1)
            }
            Some(Tok::LParen) => {
                self.pos += 1;
                let (inner, h) = self.cond()?;
                let close = self.at();
                match self.tokens.get(self.pos) {
                    Some((Tok::RParen, _)) => self.pos += 1,
                    _ => {
                        return Err(ParseError {
                            message: "missing `)`".into(),
                            at: close,
                            len: 1,
                        });
                    }
                }
                (Expr::Paren(Box::new(inner), at, close), h + 1)
            }
            Some(t) => {
                return Err(ParseError {
                    message: "expected a number, a name, `(`, `-`, `~` or `!`".into(),
                    at,
                    len: t.len(),
                });
            }
            None => {
                return Err(ParseError {
                    message: "the expression ends too early".into(),
                    at,
                    len: 0,
                });
            }
        };
        self.depth -= 1;
        Ok(e)
    }
}

impl Expr {
    /// The bytes of the text the expression spans: start and length.
    pub fn extent(&self) -> (Pos, usize) {
        let (s, e) = self.bounds();
        (s, e.saturating_sub(s))
    }

    pub(super) fn bounds(&self) -> (Pos, Pos) {
        match self {
            Expr::Num(_, s, at) | Expr::Char(_, s, at) => (*at, at + s.len()),
            Expr::Name(n, at) => (*at, at + n.len()),
            Expr::Paren(_, open, close) => (*open, close + 1),
            Expr::Unary(_, e, at) | Expr::Cast(_, e, at) => (*at, e.bounds().1),
            Expr::Binary(_, a, b, _) => (a.bounds().0, b.bounds().1),
            Expr::Cond(c, _, b, ..) => (c.bounds().0, b.bounds().1),
        }
    }

    /// Every name the expression uses, in order.
    pub fn names(&self, out: &mut Vec<String>) {
        match self {
            Expr::Num(..) | Expr::Char(..) => {}
            Expr::Name(n, _) => out.push(n.clone()),
            Expr::Paren(e, ..) | Expr::Unary(_, e, _) | Expr::Cast(_, e, _) => e.names(out),
            Expr::Binary(_, a, b, _) => {
                a.names(out);
                b.names(out);
            }
            Expr::Cond(c, a, b, ..) => {
                c.names(out);
                a.names(out);
                b.names(out);
            }
        }
    }

    /// Every name the expression uses with its position.
    pub fn names_at(&self, out: &mut Vec<(String, Pos)>) {
        match self {
            Expr::Num(..) | Expr::Char(..) => {}
            Expr::Name(n, at) => out.push((n.clone(), *at)),
            Expr::Paren(e, ..) | Expr::Unary(_, e, _) | Expr::Cast(_, e, _) => e.names_at(out),
            Expr::Binary(_, a, b, _) => {
                a.names_at(out);
                b.names_at(out);
            }
            Expr::Cond(c, a, b, ..) => {
                c.names_at(out);
                a.names_at(out);
                b.names_at(out);
            }
        }
    }

    /// True for a literal, a name or a parenthesised expression.
    pub fn is_atom(&self) -> bool {
        matches!(
            self,
            Expr::Num(..) | Expr::Char(..) | Expr::Name(..) | Expr::Paren(..)
        )
    }

    /// True when the value reads best in hex (bit shifts, masks, hex literals).
    pub fn prefers_hex(&self) -> bool {
        match self {
            Expr::Num(_, s, _) => s.starts_with("0x") || s.starts_with("0X"),
            Expr::Char(..) | Expr::Name(..) | Expr::Unary(UnOp::LNot, ..) => false,
            Expr::Paren(e, ..) | Expr::Unary(_, e, _) | Expr::Cast(_, e, _) => e.prefers_hex(),
            Expr::Binary(op, ..) if op.is_comparison() => false,
            Expr::Binary(op, a, b, _) => {
                matches!(op, BinOp::Shl | BinOp::Or | BinOp::And | BinOp::Xor)
                    || a.prefers_hex()
                    || b.prefers_hex()
            }
            Expr::Cond(_, a, b, ..) => a.prefers_hex() || b.prefers_hex(),
        }
    }

    /// C spelling, as written (parentheses kept, spacing normalised, literals in C syntax:
    /// no `_` separators, `0o17` as `017`, `0b101` as `0x5`).
    pub fn to_c(&self) -> String {
        let mut s = String::new();
        self.write_c(&mut s);
        s
    }

    /// C spelling for a macro body: parenthesised unless it is an atom.
    pub fn to_c_macro(&self) -> String {
        match self {
            Expr::Char(..) => format!("({})", self.to_c()),
            _ if self.is_atom() => self.to_c(),
            _ => format!("({})", self.to_c()),
        }
    }

    /// C spelling of a function-like macro's body: parenthesised (once: a body in
    /// parentheses keeps its own), each use of a parameter too, so that an argument such as
    /// `a | b` keeps its meaning.
    pub fn to_c_macro_params(&self, params: &[String]) -> String {
        if let Expr::Paren(..) = self {
            let mut s = String::new();
            self.write_c_with(&mut s, params);
            return s;
        }
        let mut s = String::from("(");
        self.write_c_with(&mut s, params);
        s.push(')');
        s
    }

    fn write_c(&self, s: &mut String) {
        self.write_c_with(s, &[]);
    }

    fn write_c_with(&self, s: &mut String, params: &[String]) {
        match self {
            Expr::Name(t, _) if params.contains(t) => {
                s.push('(');
                s.push_str(t);
                s.push(')');
            }
            Expr::Num(v, t, _) => s.push_str(&c_spelling(t, *v)),
            Expr::Char(_, t, _) | Expr::Name(t, _) => s.push_str(t),
            // `(x)` of a parameter is printed once, not `((x))`.
            Expr::Paren(e, ..) if matches!(&**e, Expr::Name(t, _) if params.contains(t)) => {
                e.write_c_with(s, params);
            }
            Expr::Paren(e, ..) => {
                s.push('(');
                e.write_c_with(s, params);
                s.push(')');
            }
            Expr::Unary(op, e, _) => {
                s.push(op.symbol());
                // `- -1` must not become `--1`, a decrement in C.
                if *op == UnOp::Neg && matches!(**e, Expr::Unary(UnOp::Neg, ..)) {
                    s.push(' ');
                }
                e.write_c_with(s, params);
            }
            Expr::Binary(op, a, b, _) => {
                a.write_c_with(s, params);
                let _ = write!(s, " {} ", op.symbol());
                b.write_c_with(s, params);
            }
            Expr::Cast(t, e, _) => {
                let _ = write!(s, "({})", t.c_name());
                e.write_c_with(s, params);
            }
            // As written: the parser keeps every parenthesis, and an operand of a binary
            // operator or a cast that is a `?:` is always a parenthesised one.
            Expr::Cond(c, a, b, ..) => {
                c.write_c_with(s, params);
                s.push_str(" ? ");
                a.write_c_with(s, params);
                s.push_str(" : ");
                b.write_c_with(s, params);
            }
        }
    }
}
