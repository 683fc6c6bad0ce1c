//! The preprocessor's view of a header: every `#define` (and `#undef`) in place, from
//! `clang -E -dD`, with the file and line it was written at (the output's line markers say
//! which file each line comes from), and each file's own `#include`s.

use std::collections::BTreeMap;
use std::rc::Rc;

/// One macro as the preprocessor saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacroDef {
    pub name: String,
    /// `Some` for a function-like macro: its parameter names.
    pub params: Option<Vec<String>>,
    /// The body, comments removed and continuation lines joined (by the preprocessor).
    pub body: String,
    pub file: Rc<str>,
    pub line: u64,
}

/// Every file's macros in order (the ones still defined at the end) and its includes.
#[derive(Debug, Default)]
pub struct Preprocessed {
    pub macros: BTreeMap<Rc<str>, Vec<MacroDef>>,
    /// For each file, the files it includes, in order, as clang names them.
    pub includes: BTreeMap<Rc<str>, Vec<Rc<str>>>,
    /// For each file, its `#include` directives as written (`-dI`): the name, and whether
    /// it is in angle brackets.
    pub directives: BTreeMap<Rc<str>, Vec<(String, bool)>>,
}

/// Read `clang -E -dD` output.
pub fn read(text: &str) -> Preprocessed {
    let mut out = Preprocessed::default();
    let mut stack: Vec<Rc<str>> = Vec::new();
    let mut file: Rc<str> = Rc::from("<stdin>");
    let mut line: u64 = 1;
    let mut files: BTreeMap<String, Rc<str>> = BTreeMap::new();
    for l in text.lines() {
        if let Some(marker) = line_marker(l) {
            let (n, name, flags) = marker;
            let f = files
                .entry(name.to_owned())
                .or_insert_with(|| Rc::from(name))
                .clone();
            if flags.contains(&1) {
                // Entering an included file.
                out.includes
                    .entry(file.clone())
                    .or_default()
                    .push(f.clone());
                stack.push(file.clone());
            } else if flags.contains(&2) {
                stack.pop();
            }
            file = f;
            line = n;
            continue;
        }
        if let Some(rest) = l.strip_prefix("#include ") {
            if let Some(d) = directive(rest) {
                let list = out.directives.entry(file.clone()).or_default();
                if !list.contains(&d) {
                    list.push(d);
                }
            }
        } else if let Some(rest) = l.strip_prefix("#define ") {
            if let Some(m) = define(rest, &file, line) {
                let list = out.macros.entry(file.clone()).or_default();
                list.retain(|x| x.name != m.name);
                list.push(m);
            }
        } else if let Some(rest) = l.strip_prefix("#undef ") {
            let name = rest.trim();
            for list in out.macros.values_mut() {
                list.retain(|x| x.name != name);
            }
        }
        line += 1;
    }
    out
}

/// `<linux/x.h> /* clang -E -dI */` or `"x.h" /* ... */`: the name and whether it is in
/// angle brackets.
fn directive(rest: &str) -> Option<(String, bool)> {
    let rest = rest.trim_start();
    let (close, angled) = match rest.chars().next()? {
        '<' => ('>', true),
        '"' => ('"', false),
        _ => return None,
    };
    let body = &rest[1..];
    let end = body.find(close)?;
    let name = &body[..end];
    (!name.is_empty()).then(|| (name.to_owned(), angled))
}

/// `# 12 "file" 1 3`: the line number, the file, the flags.
fn line_marker(l: &str) -> Option<(u64, &str, Vec<u32>)> {
    let rest = l.strip_prefix("# ")?;
    let (n, rest) = rest.split_once(' ')?;
    let n: u64 = n.parse().ok()?;
    let rest = rest.strip_prefix('"')?;
    let end = rest.find('"')?;
    let name = &rest[..end];
    let flags = rest[end + 1..]
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    Some((n, name, flags))
}

fn define(rest: &str, file: &Rc<str>, line: u64) -> Option<MacroDef> {
    let name_end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let name = &rest[..name_end];
    if name.is_empty() {
        return None;
    }
    let after = &rest[name_end..];
    let (params, body) = if let Some(p) = after.strip_prefix('(') {
        let close = p.find(')')?;
        let params = p[..close]
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        (Some(params), p[close + 1..].trim())
    } else {
        (None, after.trim())
    };
    Some(MacroDef {
        name: name.to_owned(),
        params,
        body: body.to_owned(),
        file: file.clone(),
        line,
    })
}
