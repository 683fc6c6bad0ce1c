//! How C names become Rust names.

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

/// Rust keywords (strict and reserved, edition 2024).
const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// C keywords that cannot name anything in a header.
pub const C_KEYWORDS: &[&str] = &[
    "auto",
    "break",
    "case",
    "char",
    "const",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extern",
    "float",
    "for",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "register",
    "restrict",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "struct",
    "switch",
    "typedef",
    "union",
    "unsigned",
    "void",
    "volatile",
    "while",
    "_Bool",
    "_Complex",
    "_Imaginary",
    "_Alignas",
    "_Alignof",
    "_Atomic",
    "_Static_assert",
    "_Noreturn",
    "_Thread_local",
    "bool",
    "class",
    "new",
    "delete",
    "template",
    "this",
    "private",
    "public",
    "protected",
    "virtual",
    "namespace",
    "operator",
    "friend",
    "true",
    "false",
];

pub fn is_rust_keyword(s: &str) -> bool {
    RUST_KEYWORDS.contains(&s)
}

pub fn is_c_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `name` without `prefix_` (case-insensitive), if what is left is a usable name.
fn strip<'a>(name: &'a str, prefix: Option<&str>) -> &'a str {
    let Some(p) = prefix else { return name };
    let n = name.trim_start_matches('_');
    if n.len() > p.len() + 1
        && n[..p.len()].eq_ignore_ascii_case(p)
        && n.as_bytes()[p.len()] == b'_'
    {
        let rest = &n[p.len() + 1..];
        if rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return rest;
        }
    }
    name
}

/// Make an identifier usable in Rust: keywords become raw identifiers (or get a `_` suffix
/// where a raw identifier is not allowed).
pub fn rust_ident(s: String) -> String {
    if matches!(s.as_str(), "self" | "Self" | "super" | "crate" | "_") {
        format!("{s}_")
    } else if is_rust_keyword(&s) {
        format!("r#{s}")
    } else if s.starts_with(|c: char| c.is_ascii_digit()) || s.is_empty() {
        format!("_{s}")
    } else {
        s
    }
}

/// `VFIO_API_VERSION` with prefix `vfio` -> `API_VERSION`.
pub fn const_name(c: &str, prefix: Option<&str>) -> String {
    rust_ident(strip(c, prefix).to_shouty_snake_case())
}

/// `vfio_iommu_type1_dma_map` with prefix `vfio` -> `IommuType1DmaMap`.
pub fn type_name(c: &str, prefix: Option<&str>) -> String {
    rust_ident(strip(c, prefix).to_upper_camel_case())
}

/// `__reserved` -> `reserved`, `type` -> `r#type`.
pub fn field_name(c: &str) -> String {
    let snake = c.trim_start_matches('_').to_snake_case();
    rust_ident(if snake.is_empty() {
        c.to_snake_case()
    } else {
        snake
    })
}

/// The names of flags inside their bitflags type: the common `_`-ended prefix of all
/// members is dropped (`VFIO_DMA_MAP_FLAG_READ` -> `READ`); a name that would start with a
/// digit keeps the last word of the prefix (`VFIO_DEVICE_IOEVENTFD_8` -> `IOEVENTFD_8`).
pub fn member_names(names: &[&str], prefix: Option<&str>) -> Vec<String> {
    let common = if names.len() >= 2 {
        let first = names[0];
        let mut len = first.len();
        for n in &names[1..] {
            len = len.min(
                first
                    .bytes()
                    .zip(n.bytes())
                    .take_while(|(a, b)| a == b)
                    .count(),
            );
        }
        first[..len].rfind('_').map_or(0, |i| i + 1)
    } else {
        0
    };
    names
        .iter()
        .map(|n| {
            let rest = if common > 0 && n.len() > common {
                &n[common..]
            } else {
                strip(n, prefix)
            };
            let rest = if rest.starts_with(|c: char| c.is_ascii_digit()) {
                let head = &n[..common.saturating_sub(1)];
                let word = head.rsplit('_').next().unwrap_or("");
                format!("{word}_{rest}")
            } else {
                rest.to_owned()
            };
            rust_ident(rest.to_shouty_snake_case())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_rust_conventions() {
        assert_eq!(const_name("VFIO_API_VERSION", Some("vfio")), "API_VERSION");
        assert_eq!(
            type_name("vfio_iommu_type1_dma_map", Some("vfio")),
            "IommuType1DmaMap"
        );
        assert_eq!(type_name("kvm_run", None), "KvmRun");
        assert_eq!(field_name("__reserved"), "reserved");
        assert_eq!(field_name("type"), "r#type");
        assert_eq!(
            member_names(
                &["VFIO_DEVICE_IOEVENTFD_8", "VFIO_DEVICE_IOEVENTFD_16"],
                None
            ),
            ["IOEVENTFD_8", "IOEVENTFD_16"]
        );
        assert_eq!(member_names(&["VFIO_EEH_ONLY"], Some("vfio")), ["EEH_ONLY"]);
    }
}
