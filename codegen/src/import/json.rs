//! clang's JSON AST as an ordered tree, with the location of every node resolved.
//!
//! clang writes a location's `file` and `line` only where they differ from the location
//! it wrote before, in document order. serde_json's own map sorts keys, which loses that
//! order, so this reads the JSON (through serde_json's parser) into a tree that keeps it,
//! then walks it once in document order to give every node its full location.

use std::fmt;
use std::rc::Rc;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A JSON value that keeps the order of object keys.
#[derive(Debug)]
pub enum J {
    Null,
    Bool(bool),
    Int(i64),
    /// A number beyond `i64` or with a fraction (never read).
    Float,
    Str(String),
    Arr(Vec<J>),
    Obj(Obj),
}

/// A JSON object; `at` is the node's resolved location (from its `loc`), after [`resolve`].
#[derive(Debug, Default)]
pub struct Obj {
    pub entries: Vec<(String, J)>,
    pub at: Option<Loc>,
}

/// A resolved source location: file, 1-based line and column, byte offset in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loc {
    pub file: Rc<str>,
    pub line: u64,
    pub col: u64,
    pub offset: u64,
}

impl J {
    pub fn get(&self, key: &str) -> Option<&J> {
        match self {
            J::Obj(o) => o.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    pub fn str(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(J::Str(s)) => Some(s),
            _ => None,
        }
    }
    pub fn int(&self, key: &str) -> Option<i64> {
        match self.get(key) {
            Some(J::Int(i)) => Some(*i),
            _ => None,
        }
    }
    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some(J::Bool(true)))
    }
    /// The node's `inner` children.
    pub fn inner(&self) -> &[J] {
        match self.get("inner") {
            Some(J::Arr(a)) => a,
            _ => &[],
        }
    }
    pub fn kind(&self) -> &str {
        self.str("kind").unwrap_or("")
    }
    pub fn at(&self) -> Option<&Loc> {
        match self {
            J::Obj(o) => o.at.as_ref(),
            _ => None,
        }
    }
    /// `type.qualType`.
    pub fn qual_type(&self) -> Option<&str> {
        self.get("type").and_then(|t| t.str("qualType"))
    }
}

impl<'de> Deserialize<'de> for J {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JVisitor)
    }
}

struct JVisitor;

impl<'de> Visitor<'de> for JVisitor {
    type Value = J;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON")
    }
    fn visit_unit<E>(self) -> Result<J, E> {
        Ok(J::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<J, E> {
        Ok(J::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<J, E> {
        Ok(J::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<J, E> {
        Ok(i64::try_from(v).map_or(J::Float, J::Int))
    }
    fn visit_f64<E>(self, _: f64) -> Result<J, E> {
        Ok(J::Float)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<J, E> {
        Ok(J::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<J, E> {
        Ok(J::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<J, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(J::Arr(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<J, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, J>()? {
            // Ids and references are never read: drop them to keep the tree small.
            if k == "id"
                || k == "typeAliasDeclId"
                || k == "previousDecl"
                || k == "parentDeclContextId"
            {
                continue;
            }
            entries.push((k, v));
        }
        Ok(J::Obj(Obj { entries, at: None }))
    }
}

/// Parse clang's JSON dump. A long `A | B | C ...` enumerator nests its AST deeper than
/// serde_json's default limit of 128: the limit is off, and the stack grows as needed
/// (serde_stacker) instead of overflowing; the tree is walked and dropped without
/// recursion.
pub fn parse(text: &str) -> Result<J, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    de.disable_recursion_limit();
    let de = serde_stacker::Deserializer::new(&mut de);
    J::deserialize(de).map_err(|e| format!("cannot read clang's AST: {e}"))
}

impl Drop for J {
    /// Drop the children from a list, not by recursion: a deep tree would overflow the
    /// stack otherwise.
    fn drop(&mut self) {
        let mut stack = Vec::new();
        take_children(self, &mut stack);
        while let Some(mut j) = stack.pop() {
            take_children(&mut j, &mut stack);
        }
    }
}

fn take_children(j: &mut J, stack: &mut Vec<J>) {
    match j {
        J::Arr(a) => stack.append(a),
        J::Obj(o) => stack.extend(o.entries.drain(..).map(|(_, v)| v)),
        _ => {}
    }
}

/// The last file and line clang wrote.
#[derive(Default)]
struct Track {
    file: Option<Rc<str>>,
    line: u64,
}

impl Track {
    /// Read one bare location (`offset`, `file`?, `line`?, `col`, ...) and return it whole.
    fn bare(&mut self, j: &J) -> Option<Loc> {
        if let Some(f) = j.str("file")
            && self.file.as_deref() != Some(f)
        {
            self.file = Some(Rc::from(f));
        }
        if let Some(l) = j.int("line") {
            self.line = u64::try_from(l).unwrap_or(0);
        }
        let offset = u64::try_from(j.int("offset")?).ok()?;
        Some(Loc {
            file: self.file.clone()?,
            line: self.line,
            col: j
                .int("col")
                .and_then(|c| u64::try_from(c).ok())
                .unwrap_or(0),
            offset,
        })
    }

    /// A location that may be a macro expansion: `spellingLoc` then `expansionLoc` (the
    /// place in the header's text, which is the one returned).
    fn loc(&mut self, j: &J) -> Option<Loc> {
        match (j.get("spellingLoc"), j.get("expansionLoc")) {
            (Some(s), Some(e)) => {
                self.bare(s);
                self.bare(e)
            }
            _ => self.bare(j),
        }
    }
}

/// Give every node its location, walking the tree in the order clang wrote it (with a
/// list of pending children, not recursion).
pub fn resolve(root: &mut J) {
    let mut t = Track::default();
    let mut stack: Vec<&mut J> = vec![root];
    while let Some(j) = stack.pop() {
        match j {
            J::Obj(o) => {
                let mut at = None;
                let mut children = Vec::new();
                for (k, v) in &mut o.entries {
                    match k.as_str() {
                        "loc" => at = t.loc(v),
                        "range" => {
                            if let Some(b) = v.get("begin") {
                                t.loc(b);
                            }
                            if let Some(e) = v.get("end") {
                                t.loc(e);
                            }
                        }
                        _ => children.push(v),
                    }
                }
                o.at = at;
                // The children come after the node's own location in clang's order, and
                // each one's subtree before the next one's: push them in reverse.
                stack.extend(children.into_iter().rev());
            }
            J::Arr(a) => stack.extend(a.iter_mut().rev()),
            _ => {}
        }
    }
}
