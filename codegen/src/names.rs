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

/// Rust's primitive types: a type alias of that name would shadow the primitive.
pub const RUST_PRIMITIVES: &[&str] = &[
    "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64",
    "i128", "isize", "f32", "f64",
];

/// Rust's naming conventions, which rustc's style lints check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RustCase {
    /// `UPPER_CASE` (constants).
    Upper,
    /// `UpperCamelCase` (types, variants).
    Camel,
    /// `snake_case` (fields, functions).
    Snake,
}

/// Whether rustc's style lints accept `name` in `case` (`non_upper_case_globals`,
/// `non_camel_case_types`, `non_snake_case`), as rustc decides it: leading and trailing
/// underscores do not count.
pub fn has_case(name: &str, case: RustCase) -> bool {
    let bare = name.trim_start_matches("r#");
    let t = bare.trim_matches('_');
    let chars: Vec<char> = t.chars().collect();
    match case {
        RustCase::Upper => !t.chars().any(|c| c.is_lowercase()),
        RustCase::Snake => !t.chars().any(|c| c.is_uppercase()) && !t.contains("__"),
        RustCase::Camel => {
            let cased = |c: char| c.is_uppercase() || c.is_lowercase();
            !bare
                .trim_start_matches('_')
                .starts_with(|c: char| c.is_lowercase())
                && !t.contains("__")
                && !chars
                    .windows(2)
                    .any(|w| (cased(w[0]) && w[1] == '_') || (cased(w[1]) && w[0] == '_'))
        }
    }
}

/// Names the generated Rust takes from Rust's prelude without a path (`Ok(..)`, `Some(..)`,
/// `Option<..>`): an item of the module with one of them would capture those uses.
pub const RUST_PRELUDE_USED: &[&str] = &["Ok", "Err", "Some", "None", "Option", "Result"];

/// Keywords that cannot be raw identifiers (`r#self` is not an identifier).
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Why `s` (as the emitters print it: `r#kw` for a keyword) cannot name a Rust item or
/// field (a clause: "is not an identifier"), or `None` when it can.
pub fn unusable_rust_name(s: &str) -> Option<&'static str> {
    let (raw, bare) = match s.strip_prefix("r#") {
        Some(b) => (true, b),
        None => (false, s),
    };
    if !is_c_identifier(bare) {
        Some("is not an identifier")
    } else if NOT_RAW.contains(&bare) {
        Some("cannot name an item, raw or not (like `self`, `Self`, `super`, `crate`, `_`)")
    } else if bare.chars().all(|c| c == '_') {
        Some("is underscores only")
    } else if !raw && is_rust_keyword(bare) {
        Some("is a Rust keyword")
    } else {
        None
    }
}

/// How Rust names a generated module: `loop` (a keyword) is `r#loop`; its file stays
/// `loop.rs`.
pub fn module_ident(name: &str) -> String {
    if is_rust_keyword(name) {
        format!("r#{name}")
    } else {
        name.to_owned()
    }
}

/// `CRATE::NAME` of a `uses` entry that names another crate's spec: two identifiers (the
/// crate's as Rust spells it, not a keyword; the spec's name) joined by `::`.
pub fn rust_path_ok(path: &str) -> bool {
    let ident = |s: &str| {
        let mut c = s.chars();
        s.len() <= 64
            && c.next()
                .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
            && c.all(|c| c.is_ascii_alphanumeric() || c == '_')
            && s != "_"
    };
    match path.split_once("::") {
        Some((krate, name)) => ident(krate) && !is_rust_keyword(krate) && ident(name),
        None => false,
    }
}

/// The name of an ioctl's wrapper function: its constant's name in snake case
/// (`IOMMU_MAP_DMA` -> `iommu_map_dma`).
pub fn wrapper_name(ioctl_rust_name: &str) -> String {
    rust_ident(ioctl_rust_name.trim_start_matches("r#").to_lowercase())
}

/// The Rust spelling of a C name used as a Rust name (a C-name alias): raw for a keyword
/// that can be raw, `None` when it cannot name a Rust item at all.
pub fn as_rust_name(c: &str) -> Option<String> {
    let name = if is_rust_keyword(c) {
        format!("r#{c}")
    } else {
        c.to_owned()
    };
    unusable_rust_name(&name).is_none().then_some(name)
}

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
