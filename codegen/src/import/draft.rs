//! The draft spec the importer writes: the spec format's items, as plain data that can be
//! compared between ABIs and printed as YAML.

use serde::Serialize;

/// Something the importer left out or could not read, where the header writes it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Note {
    pub file: String,
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// One item of a spec section; `arch` is filled by the fold over the ABIs.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Item {
    Constant(Constant),
    Enum(Enum),
    Typedef(Typedef),
    Struct(Struct),
    IoctlMacro(IoctlMacro),
    Ioctl(Ioctl),
    Macro(FnMacro),
}

impl Item {
    pub fn name(&self) -> &str {
        match self {
            Item::Constant(c) => &c.name,
            Item::Enum(e) => e.name.as_deref().unwrap_or(""),
            Item::Typedef(t) => &t.name,
            Item::Struct(s) => &s.name,
            Item::IoctlMacro(m) => &m.name,
            Item::Ioctl(i) => &i.name,
            Item::Macro(m) => &m.name,
        }
    }

    /// What identifies the item in its section: its name, or an anonymous enum's first
    /// enumerator.
    pub fn key(&self) -> String {
        match self {
            Item::Enum(Enum {
                name: None, values, ..
            }) => {
                format!("enum {}", values.first().map_or("", |v| v.name.as_str()))
            }
            _ => self.name().to_owned(),
        }
    }

    /// The spec section the item goes in.
    pub fn section(&self) -> &'static str {
        match self {
            Item::Constant(_) => "constants",
            Item::Enum(_) => "enums",
            Item::Typedef(_) => "typedefs",
            Item::Struct(_) => "structs",
            Item::IoctlMacro(_) => "ioctl-macros",
            Item::Ioctl(_) => "ioctls",
            Item::Macro(_) => "macros",
        }
    }

    pub fn set_arch(&mut self, arch: Option<Vec<String>>) {
        match self {
            Item::Constant(c) => c.arch = arch,
            Item::Enum(e) => e.arch = arch,
            Item::Typedef(t) => t.arch = arch,
            Item::Struct(s) => s.arch = arch,
            Item::IoctlMacro(_) | Item::Macro(_) => {}
            Item::Ioctl(i) => i.arch = arch,
        }
    }

    pub fn set_doc(&mut self, doc: Option<String>) {
        match self {
            Item::Constant(c) => c.doc = doc,
            Item::Enum(e) => e.doc = doc,
            Item::Typedef(t) => t.doc = doc,
            Item::Struct(s) => s.doc = doc,
            Item::IoctlMacro(m) => m.doc = doc,
            Item::Ioctl(i) => i.doc = doc,
            Item::Macro(m) => m.doc = doc,
        }
    }

    /// Whether the item may be declared once per architecture.
    pub fn per_arch(&self) -> bool {
        matches!(self, Item::Struct(_) | Item::Ioctl(_) | Item::Constant(_))
    }

    /// The names the item defines: its own, and an enum's enumerators.
    pub fn defines(&self) -> Vec<String> {
        let mut out = vec![self.name().to_owned()];
        if let Item::Enum(e) = self {
            out.extend(e.values.iter().map(|v| v.name.clone()));
        }
        out
    }

    /// The identifiers its expressions and types name (a constant's value, an ioctl's parts
    /// and argument, a member's type and array length, ...).
    pub fn names(&self) -> Vec<&str> {
        let texts: Vec<&str> = match self {
            Item::Constant(c) => c.value.iter().map(String::as_str).collect(),
            Item::Enum(e) => e.values.iter().filter_map(|v| v.value.as_deref()).collect(),
            Item::Typedef(t) => vec![t.ty.as_str()],
            Item::Struct(s) => s.fields.iter().map(|f| f.ty.as_str()).collect(),
            Item::IoctlMacro(m) => vec![m.ty.as_str()],
            Item::Ioctl(i) => [&i.number, &i.ty, &i.nr, &i.size, &i.arg]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect(),
            Item::Macro(m) => vec![m.body.as_str()],
        };
        texts
            .into_iter()
            .flat_map(|t| t.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
            .filter(|w| w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
            .collect()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Constant {
    pub name: String,
    #[serde(rename = "rust-name", skip_serializing_if = "Option::is_none")]
    pub rust_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub string: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arch: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Enum {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arch: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// `typedef enum { ... } NAME;`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub typedef: Option<String>,
    pub values: Vec<EnumValue>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EnumValue {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Typedef {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arch: Option<Vec<String>>,
    /// `#define NAME TYPE` in the header.
    #[serde(rename = "macro", skip_serializing_if = "std::ops::Not::not")]
    pub is_macro: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Struct {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub packed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aligned: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arch: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// `typedef struct { ... } NAME;`: no tag, `name` is the typedef's.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub tagless: bool,
    pub fields: Vec<Field>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Field {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub packed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aligned: Option<u64>,
    /// A bit-field's width.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bits: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// For a member named only with underscores (`_` of `atm_kptr_t`), which Rust cannot
    /// name: `_` and its position.
    #[serde(rename = "rust-name", skip_serializing_if = "Option::is_none")]
    pub rust_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<Field>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IoctlMacro {
    pub name: String,
    pub dir: &'static str,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Ioctl {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<&'static str>,
    #[serde(rename = "macro", skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arg: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arch: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FnMacro {
    pub name: String,
    pub params: Vec<String>,
    pub body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

/// The spec's top level (without its items).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Head {
    pub name: String,
    pub header: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guard: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arch: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub uses: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub includes: Vec<String>,
}

/// The order of the sections in the YAML.
pub const SECTIONS: &[&str] = &[
    "constants",
    "enums",
    "typedefs",
    "structs",
    "ioctl-macros",
    "ioctls",
    "macros",
];

/// The YAML of a draft, and for every item the lines it takes (1-based, inclusive), to
/// find the item a diagnostic points at.
pub fn to_yaml(head: &Head, items: &[Item]) -> Result<(String, Vec<(u32, u32)>), String> {
    let mut out = String::from("# yaml-language-server: $schema=schema.json\n");
    out.push_str(&ser(head)?);
    let mut lines = vec![(0, 0); items.len()];
    for section in SECTIONS {
        let mut first = true;
        for (i, item) in items
            .iter()
            .enumerate()
            .filter(|(_, it)| it.section() == *section)
        {
            if first {
                out.push_str(&format!("\n{section}:\n"));
                first = false;
            }
            let text = ser(&[item])?;
            let start = line_count(&out) + 1;
            for l in text.lines() {
                out.push_str("  ");
                out.push_str(l);
                out.push('\n');
            }
            lines[i] = (start, line_count(&out));
        }
    }
    Ok((out, lines))
}

fn line_count(s: &str) -> u32 {
    u32::try_from(s.matches('\n').count()).unwrap_or(u32::MAX)
}

fn ser<T: Serialize>(v: &T) -> Result<String, String> {
    serde_saphyr::to_string(v).map_err(|e| format!("cannot write the spec: {e}"))
}
