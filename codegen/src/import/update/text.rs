//! Edits on the YAML text of a spec: the extent of a sequence entry (an item, a value, a
//! field), scalar replacement, keys set and removed in flow (`{ a: 1 }`) and block
//! mappings, and YAML scalars written so that they read back as the same string.
//!
//! The edits are collected and applied at once, from the end of the text; the text between
//! them (comments, blank lines, the spec's own layout) is kept as it was.

use crate::spec::Span;

/// One replacement of `start..end` (byte offsets of the original text) by `text`.
#[derive(Clone, Debug)]
struct Edit {
    start: usize,
    end: usize,
    text: String,
    /// Order of insertions at one offset (the order they were made).
    seq: usize,
}

/// The original text and the edits made to it.
pub struct Text<'a> {
    pub src: &'a str,
    edits: Vec<Edit>,
}

/// Where a sequence entry (`- ...`) is: from the start of its `-` line to the end of its
/// last line (newline included), without the blank and comment lines after it, and the
/// column of its `-`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Extent {
    pub start: usize,
    pub end: usize,
    pub dash: usize,
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

impl<'a> Text<'a> {
    pub fn new(src: &'a str) -> Self {
        Text {
            src,
            edits: Vec::new(),
        }
    }

    /// `at` within the text and on a character boundary (moved back to one).
    fn floor(&self, at: usize) -> usize {
        let mut at = at.min(self.src.len());
        while !self.src.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    /// Byte offset of the start of the line holding `at`.
    fn line_start(&self, at: usize) -> usize {
        let at = self.floor(at);
        self.src[..at].rfind('\n').map_or(0, |i| i + 1)
    }

    /// Byte offset just past the newline of the line holding `at` (or the end of the text).
    fn line_end(&self, at: usize) -> usize {
        let at = self.floor(at);
        self.src[at..]
            .find('\n')
            .map_or(self.src.len(), |i| at + i + 1)
    }

    /// The sequence entry a key of which is at `span` (a name, or a field's type).
    pub fn extent(&self, span: Span) -> Option<Extent> {
        let mut ls = self.line_start(span.offset);
        // The entry's `-` is on this line or on one above, at a smaller indentation than
        // the key when the key is not on the `-` line.
        let own = &self.src[ls..self.line_end(ls)];
        let key_col = if own.trim_start().starts_with('-') {
            span.offset.checked_sub(ls)?
        } else {
            indent(own)
        };
        loop {
            let line = &self.src[ls..self.line_end(ls)];
            let i = indent(line);
            if line[i..].starts_with("- ") || line[i..].trim_end() == "-" {
                if i < key_col {
                    break;
                }
            } else if !is_blank_or_comment(line) && i < key_col.saturating_sub(2) {
                return None;
            }
            if ls == 0 {
                return None;
            }
            ls = self.line_start(ls - 1);
        }
        let dash = indent(&self.src[ls..self.line_end(ls)]);
        // The entry goes on while lines are indented deeper than its `-` (or blank).
        let mut end = self.line_end(ls);
        let mut last = end;
        while end < self.src.len() {
            let next = self.line_end(end);
            let line = &self.src[end..next];
            if is_blank_or_comment(line) {
                end = next;
                continue;
            }
            if indent(line) <= dash {
                break;
            }
            end = next;
            last = next;
        }
        Some(Extent {
            start: ls,
            end: last,
            dash,
        })
    }

    /// Whether the entry at `e` is a one-line flow mapping (`- { name: A, value: 1 }`).
    pub fn is_flow(&self, e: Extent) -> bool {
        let line = &self.src[e.start..self.line_end(e.start)];
        line[e.dash..]
            .trim_start_matches('-')
            .trim_start()
            .starts_with('{')
            && self.line_end(e.start) >= e.end
    }

    /// The entry's text.
    pub fn slice(&self, e: Extent) -> &'a str {
        &self.src[e.start..e.end]
    }

    /// Replace `start..end`; a range that is not one of the text (a location the parser
    /// gave wrongly) is no edit.
    pub fn replace(&mut self, start: usize, end: usize, text: impl Into<String>) {
        if start > end || self.src.get(start..end).is_none() {
            return;
        }
        let seq = self.edits.len();
        self.edits.push(Edit {
            start,
            end,
            text: text.into(),
            seq,
        });
    }

    /// Replace the scalar at `span` with `text`.
    pub fn set_scalar(&mut self, span: Span, text: impl Into<String>) {
        self.replace(span.offset, span.offset + span.len, text);
    }

    /// Insert `text` at `at`; insertions at one offset come out in the order they were made.
    pub fn insert(&mut self, at: usize, text: impl Into<String>) {
        self.replace(at, at, text);
    }

    /// Remove the entry `e` (its lines).
    pub fn remove(&mut self, e: Extent) {
        self.replace(e.start, e.end, "");
    }

    /// The start of the key whose value is at `value` (`bit` of `bit: 3`).
    fn key_start(&self, value: usize) -> Option<usize> {
        let before = self.src.get(..value)?.trim_end_matches(' ');
        let before = before.strip_suffix(':')?;
        let key = before.trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '-');
        Some(key.len())
    }

    /// Replace key and value (`bit: 3` becomes `value: (1 << 40)`).
    pub fn set_key_value(&mut self, span: Span, key: &str, value: &str) -> bool {
        match self.key_start(span.offset) {
            Some(k) => {
                self.replace(k, span.offset + span.len, format!("{key}: {value}"));
                true
            }
            None => false,
        }
    }

    /// Remove a key and its one-line value from the entry `e`: `, key: value` in a flow
    /// mapping, the key's line in a block one.
    pub fn remove_key(&mut self, e: Extent, span: Span) -> bool {
        let Some(k) = self.key_start(span.offset) else {
            return false;
        };
        if self.is_flow(e) {
            let comma = self.src[..k].trim_end_matches(' ');
            if let Some(c) = comma.strip_suffix(',') {
                self.replace(c.len(), span.offset + span.len, "");
                return true;
            }
            // The first key: drop the comma after it.
            let after = self.src.get(span.offset + span.len..).unwrap_or("");
            let skip = after.len() - after.trim_start_matches([' ', ',']).len();
            self.replace(k, span.offset + span.len + skip, "");
            return true;
        }
        let ls = self.line_start(k);
        if self.src[ls..k].trim().is_empty() {
            self.replace(ls, self.line_end(k), "");
            true
        } else {
            false
        }
    }

    /// Add `key: value` to the entry `e`, right after the key whose value is at `after`.
    pub fn add_key(&mut self, e: Extent, after: Span, key: &str, value: &str) {
        let end = after.offset + after.len;
        if self.is_flow(e) {
            self.insert(end, format!(", {key}: {value}"));
        } else {
            let ls = self.line_start(after.offset);
            let col = self.key_start(after.offset).map_or(e.dash + 2, |k| k - ls);
            let at = self.line_end(after.offset);
            self.insert(at, format!("{}{key}: {value}\n", " ".repeat(col)));
        }
    }

    /// The offset of the start of the top-level key `key:` (a section), if any.
    pub fn top_key(&self, key: &str) -> Option<usize> {
        let mut at = 0;
        for line in self.src.split_inclusive('\n') {
            if line.starts_with(key) && line[key.len()..].starts_with(':') {
                return Some(at);
            }
            at += line.len();
        }
        None
    }

    /// The text with every edit made.
    pub fn finish(mut self) -> String {
        self.edits.sort_by_key(|e| (e.start, e.end, e.seq));
        let mut out = String::with_capacity(self.src.len() + 1024);
        let mut at = 0;
        for e in &self.edits {
            if e.start < at {
                // Overlaps an earlier edit (the caller made two edits of one place): the
                // first one wins.
                continue;
            }
            out.push_str(&self.src[at..e.start]);
            out.push_str(&e.text);
            at = e.end;
        }
        out.push_str(&self.src[at..]);
        out
    }
}

/// `s` as a YAML scalar that reads back as the same string, plain where that is safe (in
/// flow mappings too), double-quoted otherwise.
pub fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.trim() == s
        && !s.starts_with([
            '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%',
            '@', '`',
        ])
        && !s.contains([',', '[', ']', '{', '}', '\n', '\r', '\t', '"', '\\'])
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && s.chars().all(|c| (' '..='~').contains(&c))
        && !looks_typed(s);
    if plain {
        return s.to_owned();
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether YAML would read the plain scalar `s` as something else than a string.
fn looks_typed(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    matches!(
        l.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~" | "y" | "n"
    ) || l.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '.')
        && l.chars()
            .all(|c| c.is_ascii_hexdigit() || "xob._+-e".contains(c))
}

/// An integer expression as a scalar: plain when YAML reads it back as the same text
/// (`VFIO_BASE + 7`, `0x10`), quoted otherwise (`"(1 << 3)"` is plain too; `"-1"` is not).
pub fn expr(s: &str) -> String {
    let decimal =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    let hex = s
        .strip_prefix("0x")
        .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()));
    if decimal || hex {
        return s.to_owned();
    }
    scalar(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_read_back() {
        assert_eq!(scalar("vfio-pci"), "vfio-pci");
        assert_eq!(scalar("a, b"), "\"a, b\"");
        assert_eq!(scalar("u8[16]"), "\"u8[16]\"");
        assert_eq!(scalar("-1"), "\"-1\"");
        assert_eq!(scalar("6.2"), "\"6.2\"");
        assert_eq!(scalar("(';')"), "(';')");
        assert_eq!(expr("100"), "100");
        assert_eq!(expr("0"), "0");
        assert_eq!(expr("0x1f"), "0x1f");
        assert_eq!(expr("010"), "\"010\"");
        assert_eq!(expr("(1 << 3)"), "(1 << 3)");
    }

    #[test]
    fn extents_of_flow_and_block_entries() {
        let src = "items:\n  - { name: A, value: 1 }\n  # about B\n  - name: B\n    value: 2\n\n  - name: C\n";
        let t = Text::new(src);
        let a = src.find("A").map(|o| Span {
            line: 2,
            column: 0,
            offset: o,
            len: 1,
        });
        let e = a.and_then(|s| t.extent(s));
        assert_eq!(e.map(|e| t.slice(e)), Some("  - { name: A, value: 1 }\n"));
        let b = src.find("value: 2").map(|o| Span {
            line: 5,
            column: 0,
            offset: o + 7,
            len: 1,
        });
        let e = b.and_then(|s| t.extent(s));
        assert_eq!(e.map(|e| t.slice(e)), Some("  - name: B\n    value: 2\n"));
    }
}
