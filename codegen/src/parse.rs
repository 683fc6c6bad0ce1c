//! YAML text to the spec AST, with locations, within bounded time and memory.

use std::sync::Arc;

use crate::diag::{Code, Diagnostic, Diagnostics, SourceFile};
use crate::spec::{Span, Spec};

/// Largest spec file accepted.
pub const MAX_SPEC_BYTES: usize = 16 << 20;

/// Parse one spec file. Unknown keys, duplicate keys and type mismatches are errors.
pub fn parse(file: &Arc<SourceFile>) -> Result<Spec, Diagnostics> {
    let mut diags = Diagnostics::default();
    if file.text.len() > MAX_SPEC_BYTES {
        diags.push(
            Diagnostic::new(
                Code::Yaml,
                Span {
                    line: 1,
                    column: 1,
                    ..Span::default()
                },
                format!(
                    "the spec is {} bytes, more than the {} bytes uapigen reads",
                    file.text.len(),
                    MAX_SPEC_BYTES
                ),
            )
            .hint("split it into one spec per uapi header"),
        );
        diags.attach(file);
        return Err(diags);
    }
    // The budget bounds nesting depth and alias expansion as the defaults do, but allows the
    // node and event counts of specs with tens of thousands of items (the input size is
    // already capped at MAX_SPEC_BYTES).
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_nodes: 8_000_000,
            max_events: 32_000_000,
        },
    };
    match serde_saphyr::from_str_with_options::<Spec>(&file.text, options) {
        Ok(spec) => Ok(spec),
        Err(e) => {
            let (line, column, offset) = match e.location() {
                Some(l) => (
                    u32::try_from(l.line()).unwrap_or(u32::MAX),
                    u32::try_from(l.column()).unwrap_or(u32::MAX),
                    l.span()
                        .byte_offset()
                        .and_then(|o| usize::try_from(o).ok())
                        .unwrap_or(0),
                ),
                None => (1, 1, 0),
            };
            let message = yaml_message(&e);
            let hint = yaml_hint(&message);
            let mut d = Diagnostic::new(
                Code::Yaml,
                Span {
                    line: line.max(1),
                    column: column.max(1),
                    offset,
                    len: 0,
                },
                message,
            );
            d.hint = Some(hint);
            diags.push(d);
            diags.attach(file);
            Err(diags)
        }
    }
}

/// The parser's message without its own location and snippet (we render those ourselves).
fn yaml_message(e: &serde_saphyr::Error) -> String {
    let full = e.to_string();
    let first = full.lines().next().unwrap_or("invalid YAML").trim();
    // Drop a trailing " at line X, column Y" that the parser adds.
    let msg = match first.rfind(" at line ") {
        Some(i) => &first[..i],
        None => first,
    };
    let msg = msg.trim_start_matches("error: ").trim();
    // Drop a leading "line X column Y: " (the location is rendered separately).
    let msg = match msg
        .strip_prefix("line ")
        .and_then(|r| r.find(": ").map(|i| (r, i)))
    {
        Some((r, i))
            if r[..i]
                .split(' ')
                .all(|w| w == "column" || w.chars().all(|c| c.is_ascii_digit())) =>
        {
            &r[i + 2..]
        }
        _ => msg,
    };
    let msg = msg.trim_end_matches(", set DuplicateKeyPolicy in Options if acceptable");
    if msg.is_empty() {
        "invalid YAML".to_owned()
    } else {
        msg.to_owned()
    }
}

fn yaml_hint(message: &str) -> String {
    let m = message.to_ascii_lowercase();
    let unknown = m
        .split_once("unknown field `")
        .and_then(|(_, r)| r.split_once('`'))
        .map(|(f, _)| f);
    if unknown.is_some_and(|f| f.contains([' ', ':', '(', ')', '.'])) {
        // No key has spaces or punctuation: the text after a `,` or `: ` of an unquoted
        // value inside `{ ... }` was read as a key.
        "a `,` or `: ` inside an unquoted value splits it (in `{ ... }` a `,` ends the value); quote the value (`doc: \"a, b\"`)"
            .into()
    } else if unknown == Some("arch") && m.contains("expected one of name, type, fields") {
        // `arch` on a struct's field: what differs by architecture is the struct.
        "a field has no `arch`: declare the struct once per architecture (`arch` on each declaration), the field in the ones it belongs to"
            .into()
    } else if m.contains("unknown field") {
        "keys are kebab-case; see spec/README.md or spec/schema.json for the keys each item takes"
            .into()
    } else if m.contains("missing field") {
        "add the required key; see spec/README.md".into()
    } else if m.contains("unknown variant") {
        "use one of the values listed".into()
    } else if m.contains("duplicate") {
        "each key may appear once per mapping".into()
    } else if m.contains("budget") || m.contains("depth") || m.contains("alias") {
        "the document nests too deep or expands too many aliases; write it out plainly".into()
    } else if m.contains("mapping values are not allowed") {
        "a plain value cannot contain `: `; quote it (`doc: \"a: b\"`) or use a block scalar (`doc: |`)"
            .into()
    } else if m.contains("invalid type") || m.contains("expected") {
        "check the value's kind: a string, a number, a list (`- item`) or a mapping (`key: value`)"
            .into()
    } else {
        "check the YAML syntax around this line (indentation, quotes, `:` followed by a space)"
            .into()
    }
}
