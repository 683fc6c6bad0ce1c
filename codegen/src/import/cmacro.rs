//! A header's macros as spec items: constants (the expression kept as written), strings,
//! ioctls (`_IO`, `_IOR`, `_IOW`, `_IOWR`, `_IOC`, the header's own wrappers of them, and
//! literal numbers), ioctl wrapper macros and function-like integer macros. What is none of
//! these is a note, never a guess.

use super::ctype;
use super::draft::{Constant, FnMacro, Ioctl, IoctlMacro, Item};
use super::macros::MacroDef;

/// What one macro became.
pub enum Read {
    Item(Box<Item>),
    /// Not imported, with the reason.
    Skip(String),
}

/// Split `a, b, (c, d)` at the commas outside parentheses.
pub fn split_args(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    let mut in_str: Option<char> = None;
    let mut prev = '\0';
    for c in s.chars() {
        if let Some(q) = in_str {
            cur.push(c);
            if c == q && prev != '\\' {
                in_str = None;
            }
            prev = c;
            continue;
        }
        match c {
            '"' | '\'' => {
                in_str = Some(c);
                cur.push(c);
            }
            '(' | '[' => {
                depth += 1;
                cur.push(c);
            }
            ')' | ']' => {
                depth -= 1;
                cur.push(c);
            }
            ',' if depth == 0 => {
                out.push(cur.trim().to_owned());
                cur.clear();
            }
            _ => cur.push(c),
        }
        prev = c;
    }
    out.push(cur.trim().to_owned());
    out
}

/// `NAME(args)` filling the whole text (outer parentheses removed): the name and args.
pub fn call(s: &str) -> Option<(&str, Vec<String>)> {
    let s = strip_parens(s);
    let open = s.find('(')?;
    let name = s[..open].trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let inner = s[open + 1..].strip_suffix(')')?;
    // The closing parenthesis must be the one of this call.
    let mut depth = 0i32;
    for c in inner.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            _ => {}
        }
    }
    (depth == 0).then(|| (name, split_args(inner)))
}

/// `(x)` -> `x`, as often as the parentheses enclose everything.
pub fn strip_parens(s: &str) -> &str {
    let mut s = s.trim();
    while s.starts_with('(') && s.ends_with(')') {
        let inner = &s[1..s.len() - 1];
        let mut depth = 0i32;
        let mut ok = true;
        for c in inner.chars() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth < 0 {
                        ok = false;
                        break;
                    }
                }
                _ => {}
            }
        }
        if !ok || depth != 0 {
            break;
        }
        s = inner.trim();
    }
    s
}

fn dir_of(m: &str) -> Option<&'static str> {
    Some(match m {
        "_IO" => "none",
        "_IOR" => "read",
        "_IOW" => "write",
        "_IOWR" => "read-write",
        _ => return None,
    })
}

/// `_IOC_READ|_IOC_WRITE` and friends.
fn ioc_dir(s: &str) -> Option<&'static str> {
    let mut parts: Vec<&str> = strip_parens(s).split('|').map(strip_parens).collect();
    parts.sort_unstable();
    Some(match parts.as_slice() {
        ["_IOC_NONE"] => "none",
        ["_IOC_READ"] => "read",
        ["_IOC_WRITE"] => "write",
        ["_IOC_READ", "_IOC_WRITE"] => "read-write",
        _ => return None,
    })
}

/// `sizeof(T)` -> T.
fn sizeof_arg(s: &str) -> Option<&str> {
    let s = strip_parens(s);
    let rest = s.strip_prefix("sizeof")?.trim_start();
    let inner = rest.strip_prefix('(')?.strip_suffix(')')?;
    Some(inner.trim())
}

/// Expand the few macros of `<linux/const.h>` that uapi headers use in values.
pub fn expand_const_h(body: &str) -> String {
    let mut s = body.to_owned();
    for (name, suffix) in [
        ("_BITULL", "ULL"),
        ("__BITULL", "ULL"),
        ("_BITUL", "UL"),
        ("__BITUL", "UL"),
    ] {
        while let Some(at) = find_call(&s, name) {
            let Some((_, args)) = call(&s[at..end_of_call(&s, at)]) else {
                break;
            };
            let [x] = args.as_slice() else { break };
            let end = end_of_call(&s, at);
            s = format!("{}(1{suffix} << ({x})){}", &s[..at], &s[end..]);
        }
    }
    s
}

fn find_call(s: &str, name: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find(name) {
        let at = from + i;
        let before_ok = at == 0
            || !s[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        let after = &s[at + name.len()..];
        if before_ok && after.trim_start().starts_with('(') {
            return Some(at);
        }
        from = at + name.len();
    }
    None
}

fn end_of_call(s: &str, at: usize) -> usize {
    let mut depth = 0i32;
    for (i, c) in s[at..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return at + i + 1;
                }
            }
            _ => {}
        }
    }
    s.len()
}

/// Expand the calls of the header's own function-like macros (`fns`) in an integer
/// expression, as the preprocessor would (each argument parenthesized), since the spec's
/// expressions have no calls: `NI_CtrZ(-1)` becomes its body. Macros that stringize or
/// paste (`#`) are not expanded; expansion stops after 16 rounds (a macro that expands to
/// itself is left as it is, and the expression is refused later with the compiler's
/// message).
pub fn expand_calls(body: &str, fns: &[&MacroDef]) -> String {
    let mut s = body.to_owned();
    for _ in 0..16 {
        let mut changed = false;
        for m in fns {
            let Some(params) = &m.params else { continue };
            if m.body.contains('#') {
                continue;
            }
            while let Some(at) = find_call(&s, &m.name) {
                let end = end_of_call(&s, at);
                let Some((_, args)) = call(&s[at..end]) else {
                    break;
                };
                if args.len() != params.len() && !(params.is_empty() && args == [""]) {
                    break;
                }
                let mut out = String::with_capacity(m.body.len() + 16);
                let mut rest = m.body.as_str();
                while let Some(c) = rest.chars().next() {
                    if c.is_ascii_alphabetic() || c == '_' {
                        let n = rest
                            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                            .unwrap_or(rest.len());
                        let word = &rest[..n];
                        match params.iter().position(|p| p == word) {
                            Some(i) => {
                                out.push('(');
                                out.push_str(&args[i]);
                                out.push(')');
                            }
                            None => out.push_str(word),
                        }
                        rest = &rest[n..];
                    } else {
                        out.push(c);
                        rest = &rest[c.len_utf8()..];
                    }
                }
                s = format!("{}({}){}", &s[..at], out.trim(), &s[end..]);
                changed = true;
                if s.len() > 1 << 16 {
                    return s;
                }
            }
        }
        if !changed {
            break;
        }
    }
    s
}

/// An ioctl wrapper macro of the header: `NAME(nr, type)` -> `_IOx(T, nr, type)`.
pub fn ioctl_macro(m: &MacroDef) -> Option<IoctlMacro> {
    let params = m.params.as_ref()?;
    let (inner, args) = call(&m.body)?;
    let dir = dir_of(inner)?;
    let expected: Vec<&str> = params.iter().map(String::as_str).collect();
    let ok = match (dir, expected.as_slice(), args.as_slice()) {
        ("none", [nr], [_, n]) => strip_parens(n) == *nr,
        (_, [nr, ty], [_, n, t]) => strip_parens(n) == *nr && strip_parens(t) == *ty,
        _ => false,
    };
    ok.then(|| IoctlMacro {
        name: m.name.clone(),
        dir,
        ty: args[0].clone(),
        doc: None,
    })
}

/// Read one object-like or function-like macro of the header.
pub fn read(m: &MacroDef, wrappers: &[IoctlMacro], typedefs: &[String], fns: &[&MacroDef]) -> Read {
    let body = m.body.trim();
    if let Some(params) = &m.params {
        if ioctl_macro(m).is_some() {
            return Read::Skip(String::new());
        }
        if body.is_empty() || body.contains('#') {
            return Read::Skip(format!(
                "function-like macro `{}` is not an integer expression",
                m.name
            ));
        }
        return Read::Item(Box::new(Item::Macro(FnMacro {
            name: m.name.clone(),
            params: params.clone(),
            body: expand_const_h(&expand_calls(body, fns)),
            doc: None,
        })));
    }
    if strip_parens(body) == m.name {
        return Read::Skip(format!(
            "`{}` is defined as itself (so that #ifdef sees the enumerator): the spec has the enumerator only",
            m.name
        ));
    }
    if body.is_empty() {
        return Read::Skip(format!(
            "`{}` is defined empty (a flag for the preprocessor)",
            m.name
        ));
    }
    // `#define lirc_t int`: a name for an integer type, as a macro.
    if let Some(ty) = super::ctype::integer_type(body) {
        return Read::Item(Box::new(Item::Typedef(super::draft::Typedef {
            name: m.name.clone(),
            ty,
            arch: None,
            is_macro: true,
            doc: None,
        })));
    }
    if body.starts_with('"') {
        return match string_literal(body) {
            Some(s) => Read::Item(Box::new(Item::Constant(Constant {
                name: m.name.clone(),
                rust_name: None,
                value: None,
                string: Some(s),
                arch: None,
                doc: None,
            }))),
            None => Read::Skip(format!("`{}` is not one plain string literal", m.name)),
        };
    }
    if let Some((callee, args)) = call(body) {
        if let Some(dir) = dir_of(callee) {
            return ioctl(m, dir, None, &args, typedefs);
        }
        if callee == "_IOC" {
            return ioc(m, &args, typedefs);
        }
        if let Some(w) = wrappers.iter().find(|w| w.name == callee) {
            return ioctl(m, w.dir, Some(w), &args, typedefs);
        }
        if callee.starts_with("_IO") {
            return Read::Skip(format!(
                "`{}` uses `{callee}`, which the format has no form for",
                m.name
            ));
        }
    }
    Read::Item(Box::new(Item::Constant(Constant {
        name: m.name.clone(),
        rust_name: None,
        value: Some(expand_const_h(&expand_calls(body, fns))),
        string: None,
        arch: None,
        doc: None,
    })))
}

fn ioctl(
    m: &MacroDef,
    dir: &'static str,
    wrapper: Option<&IoctlMacro>,
    args: &[String],
    typedefs: &[String],
) -> Read {
    let mut io = Ioctl {
        name: m.name.clone(),
        ..Ioctl::default()
    };
    let (ty, nr, arg) = match (wrapper, dir, args) {
        (None, "none", [t, n]) => (Some(t), n, None),
        (None, _, [t, n, a]) => (Some(t), n, Some(a)),
        (Some(_), "none", [n]) => (None, n, None),
        (Some(_), _, [n, a]) => (None, n, Some(a)),
        _ => {
            return Read::Skip(format!(
                "`{}`: {} arguments, which the ioctl macro does not take",
                m.name,
                args.len()
            ));
        }
    };
    match wrapper {
        Some(w) => io.mac = Some(w.name.clone()),
        None => io.dir = Some(dir),
    }
    io.ty = ty.cloned();
    io.nr = Some(nr.clone());
    if let Some(a) = arg {
        match ctype::spec_type(a, typedefs) {
            Ok(t) => io.arg = Some(t),
            Err(e) => return Read::Skip(format!("`{}`: its argument type {e}", m.name)),
        }
    }
    Read::Item(Box::new(Item::Ioctl(io)))
}

fn ioc(m: &MacroDef, args: &[String], typedefs: &[String]) -> Read {
    let [d, t, n, size] = args else {
        return Read::Skip(format!("`{}`: `_IOC` takes four arguments", m.name));
    };
    let Some(dir) = ioc_dir(d) else {
        return Read::Skip(format!(
            "`{}`: the direction `{d}` of `_IOC` is not one of _IOC_NONE, _IOC_READ, _IOC_WRITE or both",
            m.name
        ));
    };
    let mut io = Ioctl {
        name: m.name.clone(),
        dir: Some(dir),
        mac: Some("_IOC".to_owned()),
        ty: Some(t.clone()),
        nr: Some(n.clone()),
        ..Ioctl::default()
    };
    match sizeof_arg(size) {
        Some(a) => match ctype::spec_type(a, typedefs) {
            Ok(t) => io.arg = Some(t),
            Err(e) => return Read::Skip(format!("`{}`: its argument type {e}", m.name)),
        },
        None => io.size = Some(size.clone()),
    }
    Read::Item(Box::new(Item::Ioctl(io)))
}

/// The text of one C string literal of printable ASCII without escapes but `\\` and `\"`.
fn string_literal(s: &str) -> Option<String> {
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let e = chars.next()?;
                let byte: u32 = match e {
                    '\\' | '"' | '?' | '\'' => u32::from(e),
                    'n' => 10,
                    't' => 9,
                    'r' => 13,
                    'a' => 7,
                    'b' => 8,
                    'f' => 12,
                    'v' => 11,
                    // `\032`: one to three octal digits.
                    '0'..='7' => {
                        let mut v = e.to_digit(8)?;
                        for _ in 0..2 {
                            match chars.peek().and_then(|d| d.to_digit(8)) {
                                Some(d) => {
                                    v = v * 8 + d;
                                    chars.next();
                                }
                                None => break,
                            }
                        }
                        v
                    }
                    'x' => {
                        let mut v: u32 = 0;
                        let mut n = 0;
                        while let Some(d) = chars.peek().and_then(|d| d.to_digit(16)) {
                            v = v.checked_mul(16)?.checked_add(d)?;
                            chars.next();
                            n += 1;
                        }
                        if n == 0 {
                            return None;
                        }
                        v
                    }
                    _ => return None,
                };
                // A NUL would end the C string; a byte above 0x7f is no character alone.
                if byte == 0 || byte > 0x7f {
                    return None;
                }
                out.push(char::from_u32(byte)?);
            }
            '"' => return None,
            c if c.is_ascii_graphic() || c == ' ' => out.push(c),
            _ => return None,
        }
    }
    Some(out)
}
