//! How `--update` writes new entries: in the spec's own style (one-line flow mappings
//! where they fit, block mappings otherwise), with the spelling the specs use.

use super::text;
use crate::spec::{self, Sp};

/// `- { a: x, b: y }` at `indent`.
pub(super) fn flow_line(indent: usize, keys: &[(&str, String)]) -> String {
    let body: Vec<String> = keys.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{}- {{ {} }}\n", " ".repeat(indent), body.join(", "))
}

/// A block mapping entry at `indent`.
pub(super) fn block(indent: usize, keys: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in keys.iter().enumerate() {
        let lead = if i == 0 { "- " } else { "  " };
        out.push_str(&format!("{}{lead}{k}: {v}\n", " ".repeat(indent)));
    }
    out
}

/// An `arch` list as a flow sequence.
pub(super) fn arch_list(a: &Sp<Vec<Sp<String>>>) -> String {
    let v: Vec<String> = a.iter().map(|x| text::scalar(x)).collect();
    format!("[{}]", v.join(", "))
}

/// The spec's spelling of a draft type: `u32` for `__u32`, `aligned_u64` for
/// `__aligned_u64` (both are accepted; the specs write the short one).
pub(super) fn ty_text(t: &str) -> String {
    let mut out = t.to_owned();
    for k in [
        "aligned_u64",
        "aligned_s64",
        "u8",
        "u16",
        "u32",
        "u64",
        "s8",
        "s16",
        "s32",
        "s64",
    ] {
        let long = format!("__{k}");
        if out == long
            || out.starts_with(&format!("{long}["))
            || out.starts_with(&format!("{long} "))
        {
            out = format!("{k}{}", &out[long.len()..]);
        }
    }
    out
}

pub(super) fn dir_text(d: spec::Dir) -> &'static str {
    match d {
        spec::Dir::None => "none",
        spec::Dir::Read => "read",
        spec::Dir::Write => "write",
        spec::Dir::ReadWrite => "read-write",
    }
}

/// A new ioctl's keys, in the order the specs write them.
pub(super) fn ioctl_keys(n: &spec::Ioctl, since: &str) -> Vec<(&'static str, String)> {
    let mut k = vec![("name", n.name.value.clone())];
    if let Some(x) = &n.number {
        k.push(("number", text::expr(&x.value.0)));
    }
    if let Some(x) = &n.dir {
        k.push(("dir", dir_text(x.value).to_owned()));
    }
    if let Some(x) = &n.mac {
        k.push(("macro", text::scalar(x)));
    }
    if let Some(x) = &n.ty {
        k.push(("type", text::expr(&x.value.0)));
    }
    if let Some(x) = &n.nr {
        k.push(("nr", text::expr(&x.value.0)));
    }
    if let Some(x) = &n.size {
        k.push(("size", text::expr(&x.value.0)));
    }
    if let Some(x) = &n.arg {
        k.push(("arg", text::scalar(&ty_text(x))));
    }
    if let Some(a) = &n.arch {
        k.push(("arch", arch_list(a)));
    }
    k.push(("since", since.to_owned()));
    k
}
