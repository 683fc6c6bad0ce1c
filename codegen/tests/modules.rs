//! The module map of the `uapigen` crate: no module imports another in a cycle, and no
//! source file grows past [`MAX_LINES`].
//!
//! A module's imports are the `crate::`, `super::` and `self::` paths of its code (comments
//! and string literals left out), and the paths that start with the name of one of its own
//! child modules (`items::type_item` in `emit/rust/mod.rs`). Each path names the deepest
//! module it reaches; `crate::Model` names the crate root, which re-exports from its
//! modules, so a module that goes through the root's re-exports closes a cycle (modules use
//! `crate::model::Model`). A parent that calls its children keeps nothing they need: what
//! siblings share lives in a sibling.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The longest source file: a file past it mixes concerns.
const MAX_LINES: usize = 900;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file below `dir` (but `bin/`, whose files are crates of their own).
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "bin") {
                files(&p, out);
            }
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// `emit/rust/mod.rs` -> `["emit", "rust"]`; `lib.rs` -> `[]`.
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_owned());
    }
    parts
}

/// The code of a file without comments, string literals and char literals.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            i += 2;
            while i < b.len() && !b[i..].starts_with(b"*/") {
                i += 1;
            }
            i += 2;
        } else if b[i] == b'"'
            || (b[i] == b'r' && b.get(i + 1).is_some_and(|&c| c == b'#' || c == b'"'))
        {
            // A string (raw strings with any number of #).
            let mut hashes = 0;
            if b[i] == b'r' {
                i += 1;
                while b.get(i) == Some(&b'#') {
                    hashes += 1;
                    i += 1;
                }
            }
            if b.get(i) != Some(&b'"') {
                out.push('r');
                continue;
            }
            i += 1;
            loop {
                match b.get(i) {
                    None => break,
                    Some(b'\\') if hashes == 0 => i += 2,
                    Some(b'"')
                        if b[i + 1..]
                            .iter()
                            .take(hashes)
                            .filter(|&&c| c == b'#')
                            .count()
                            == hashes =>
                    {
                        i += 1 + hashes;
                        break;
                    }
                    _ => i += 1,
                }
            }
            out.push_str("\"\"");
        } else if b[i] == b'\'' && b.get(i + 2) == Some(&b'\'') {
            i += 3;
        } else if b[i] == b'\'' && b.get(i + 1) == Some(&b'\\') {
            i += 2;
            while i < b.len() && b[i] != b'\'' {
                i += 1;
            }
            i += 1;
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

/// The code without its inline modules (`mod tests { ... }`): their `super::` is the file's
/// module, and test code is not part of the module map.
fn without_inline_modules(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find("mod ") {
        let before_ok = rest[..at]
            .chars()
            .last()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let after = &rest[at + 4..];
        let name_len = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let tail = after[name_len..].trim_start();
        if before_ok && name_len > 0 && tail.starts_with('{') {
            out.push_str(&rest[..at]);
            let open = at + 4 + name_len + (after[name_len..].len() - tail.len());
            let mut depth = 0;
            let mut end = rest.len();
            for (i, c) in rest[open..].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = open + i + 1;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            rest = &rest[end..];
        } else {
            out.push_str(&rest[..at + 4]);
            rest = &rest[at + 4..];
        }
    }
    out.push_str(rest);
    out
}

/// Flatten the tree of a `use` declaration (`a::{b, c::{d, e}}`) into paths.
fn flatten(tree: &str, prefix: &str, out: &mut Vec<String>) {
    let tree = tree.trim();
    match tree.find('{') {
        Some(open) => {
            let head = tree[..open].trim().trim_end_matches("::");
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            let base = join(prefix, head);
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        flatten(&inner[start..i], &base, out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            flatten(&inner[start..], &base, out);
        }
        None if !tree.is_empty() => {
            let path = tree.split(" as ").next().unwrap_or(tree).trim();
            out.push(join(prefix, path));
        }
        None => {}
    }
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_owned(),
        (_, true) => a.to_owned(),
        _ => format!("{a}::{b}"),
    }
}

/// Every path the code names: the flattened `use` trees and the paths elsewhere.
fn paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    // `use` declarations, whose trees may span lines.
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().last();
        rest = &rest[at + 4..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(end) = rest.find(';') {
            flatten(&rest[..end], "", &mut out);
            rest = &rest[end..];
        }
    }
    // Paths in expressions and types.
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i] as char;
        if (c.is_ascii_alphabetic() || c == '_')
            && (i == 0
                || !(bytes[i - 1].is_ascii_alphanumeric()
                    || bytes[i - 1] == b'_'
                    || bytes[i - 1] == b':'))
        {
            let start = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric()
                    || bytes[i] == b'_'
                    || bytes[i..].starts_with(b"::"))
            {
                i += if bytes[i..].starts_with(b"::") { 2 } else { 1 };
            }
            let p = code[start..i].trim_end_matches(':');
            if p.contains("::") {
                out.push(p.to_owned());
            }
        } else {
            i += 1;
        }
    }
    out
}

/// The module a path in module `at` reaches, if it names one (itself excluded).
fn target(path: &str, at: &[String], modules: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    let segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let (mut base, rest): (Vec<String>, &[&str]) = match segs.first().copied() {
        Some("crate") => (Vec::new(), &segs[1..]),
        Some("self") => (at.to_vec(), &segs[1..]),
        Some("super") => {
            let mut b = at.to_vec();
            let mut k = 0;
            while segs.get(k) == Some(&"super") {
                b.pop();
                k += 1;
            }
            (b, &segs[k..])
        }
        Some(first) => {
            let mut child = at.to_vec();
            child.push(first.to_owned());
            if !modules.contains(&child) {
                return None;
            }
            (child, &segs[1..])
        }
        None => return None,
    };
    for s in rest {
        let mut next = base.clone();
        next.push((*s).to_owned());
        if modules.contains(&next) {
            base = next;
        } else {
            break;
        }
    }
    (base != at).then_some(base)
}

fn show(m: &[String]) -> String {
    if m.is_empty() {
        "crate (lib.rs)".to_owned()
    } else {
        m.join("::")
    }
}

#[test]
fn no_module_imports_another_in_a_cycle() {
    let root = src();
    let mut all = Vec::new();
    files(&root, &mut all);
    let mut modules = BTreeSet::new();
    let mut code = BTreeMap::new();
    for f in &all {
        let rel = f.strip_prefix(&root).unwrap_or(f);
        let m = module_of(rel);
        let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        modules.insert(m.clone());
        code.insert(m, without_inline_modules(&code_only(&text)));
    }
    assert!(modules.len() > 20, "modules found: {modules:?}");
    let mut edges: BTreeMap<Vec<String>, BTreeMap<Vec<String>, String>> = BTreeMap::new();
    for (m, c) in &code {
        for p in paths(c) {
            if let Some(t) = target(&p, m, &modules) {
                edges.entry(m.clone()).or_default().entry(t).or_insert(p);
            }
        }
    }
    // Every cycle, found by a walk from each module (small graph).
    let mut cycles = BTreeSet::new();
    for start in &modules {
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        while let Some((at, trail)) = stack.pop() {
            for next in edges.get(&at).map(|e| e.keys()).into_iter().flatten() {
                if next == start {
                    let mut c: Vec<String> = trail.iter().map(|m| show(m)).collect();
                    // One rotation per cycle.
                    let min = (0..c.len()).min_by_key(|&i| c[i].clone()).unwrap_or(0);
                    c.rotate_left(min);
                    cycles.insert(c);
                } else if !trail.contains(next) && trail.len() < 8 {
                    let mut t = trail.clone();
                    t.push(next.clone());
                    stack.push((next.clone(), t));
                }
            }
        }
    }
    let report: Vec<String> = cycles
        .iter()
        .map(|c| {
            let mut steps = Vec::new();
            for (i, m) in c.iter().enumerate() {
                let n = &c[(i + 1) % c.len()];
                let key = |s: &str| -> Vec<String> {
                    if s == "crate (lib.rs)" {
                        Vec::new()
                    } else {
                        s.split("::").map(str::to_owned).collect()
                    }
                };
                let via = edges
                    .get(&key(m))
                    .and_then(|e| e.get(&key(n)))
                    .cloned()
                    .unwrap_or_default();
                steps.push(format!("{m} -> {n} (`{via}`)"));
            }
            steps.join(", ")
        })
        .collect();
    assert!(
        report.is_empty(),
        "{} import cycles:\n{}",
        report.len(),
        report.join("\n")
    );
}

#[test]
fn no_source_file_is_longer_than_the_limit() {
    let root = src();
    let mut all = Vec::new();
    files(&root, &mut all);
    files(&root.join("bin"), &mut all);
    let long: Vec<String> = all
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).ok()?.lines().count();
            (n > MAX_LINES).then(|| format!("{}: {n} lines", f.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "files over {MAX_LINES} lines:\n{}",
        long.join("\n")
    );
}

/// The test's own reader of paths, on a sample.
#[test]
fn paths_are_read_from_use_trees_and_code() {
    let code = code_only(
        "use crate::{a::b, c::{d, e as f}};\n// crate::comment::x\nfn g() { super::h::i(); let s = \"crate::str\"; }",
    );
    let p = paths(&code);
    for want in ["crate::a::b", "crate::c::d", "crate::c::e", "super::h::i"] {
        assert!(p.iter().any(|x| x == want), "{want} missing from {p:?}");
    }
    assert!(
        !p.iter().any(|x| x.contains("comment") || x.contains("str")),
        "{p:?}"
    );
}
