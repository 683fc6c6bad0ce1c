//! A header's types from clang's AST: structs and unions (with anonymous members and their
//! attributes), enums and typedefs, each with where the header writes it.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::ctype;
use super::draft::{Enum, EnumValue, Field, Item, Note, Struct, Typedef};
use super::json::{J, Loc};

/// The header's files' text, to read expressions as written (array lengths, enumerator
/// values), which clang's AST gives only as numbers.
#[derive(Default)]
pub struct Texts {
    files: BTreeMap<Rc<str>, Option<String>>,
    /// Never read a file (input that names arbitrary files: the fuzz target).
    pub offline: bool,
}

impl Texts {
    /// Texts that never read a file.
    pub fn offline() -> Self {
        Texts {
            offline: true,
            ..Texts::default()
        }
    }

    fn get(&mut self, file: &Rc<str>) -> Option<&str> {
        let offline = self.offline;
        self.files
            .entry(file.clone())
            .or_insert_with(|| {
                if offline {
                    None
                } else {
                    std::fs::read_to_string(&**file).ok()
                }
            })
            .as_deref()
    }
}

/// What the AST gave for one header: items with their line, and notes.
#[derive(Default)]
pub struct Types {
    pub items: Vec<(u64, Item)>,
    /// The file each item is written in (as clang names it), one per item.
    pub files: Vec<Rc<str>>,
    pub notes: Vec<Note>,
}

/// Read the top-level declarations of `root` written in a file for which `mine` holds.
pub fn read(root: &J, mine: &dyn Fn(&str) -> bool, texts: &mut Texts) -> Types {
    let mut out = Types::default();
    // The header's own typedef names, which field types may use.
    let typedefs: Vec<String> = root
        .inner()
        .iter()
        .filter(|d| d.kind() == "TypedefDecl" && d.at().is_some_and(|l| mine(&l.file)))
        .filter_map(|d| d.str("name").map(str::to_owned))
        .collect();
    let all = root.inner();
    for (i, d) in all.iter().enumerate() {
        let Some(at) = d.at() else { continue };
        if !mine(&at.file) || d.flag("isImplicit") {
            continue;
        }
        read_decl(d, at, all.get(i + 1), &typedefs, texts, &mut out);
        let n = out.items.len();
        out.files.resize(n, at.file.clone());
    }
    out
}

/// One top-level declaration (`next`: the one after it).
fn read_decl(
    d: &J,
    at: &Loc,
    next: Option<&J>,
    typedefs: &[String],
    texts: &mut Texts,
    out: &mut Types,
) {
    {
        match d.kind() {
            "TypedefDecl" if owned_record(d) => {}
            "RecordDecl" => {
                // `typedef struct { ... } NAME;`: clang puts the typedef right after the
                // struct, which takes its name.
                let named = next
                    .filter(|t| t.kind() == "TypedefDecl" && owned_record(t))
                    .and_then(|t| t.str("name"));
                record_top(d, at, typedefs, named, texts, out);
            }
            "EnumDecl" => {
                if let Some(e) = enumeration(d, texts) {
                    out.items.push((at.line, Item::Enum(e)));
                }
            }
            "TypedefDecl" => {
                let name = d.str("name").unwrap_or("").to_owned();
                // `typedef enum { ... } NAME;`: the untagged enum just read gets the typedef.
                if anonymous_enum(d)
                    && let Some((_, Item::Enum(e))) = out.items.last_mut()
                    && e.name.is_none()
                    && e.typedef.is_none()
                {
                    e.typedef = Some(name);
                    return;
                }
                match d.qual_type().map(|t| ctype::spec_type(t, &[])) {
                    Some(Ok(ty)) if !ty.contains(['[', '*']) => {
                        out.items.push((at.line, Item::Typedef(Typedef { name, ty, arch: None, is_macro: false, doc: None })));
                    }
                    Some(Ok(ty)) => out.notes.push(note(at, format!("typedef `{name}` is `{ty}`: the format's typedefs name integer types, structs and unions"))),
                    Some(Err(e)) => out.notes.push(note(at, format!("typedef `{name}`: {e}"))),
                    None => {}
                }
            }
            "VarDecl" | "FunctionDecl" => out.notes.push(note(
                at,
                format!(
                    "`{}` is a {}, which a uapi spec does not hold",
                    d.str("name").unwrap_or(""),
                    if d.kind() == "VarDecl" {
                        "variable"
                    } else {
                        "function"
                    }
                ),
            )),
            _ => {}
        }
    }
}

/// Whether the typedef `d` declares a struct or union without a tag
/// (`typedef struct { ... } NAME;`).
fn owned_record(d: &J) -> bool {
    d.inner().iter().any(|t| {
        t.get("ownedTagDecl").is_some_and(|o| {
            o.str("kind") == Some("RecordDecl") && o.str("name").is_none_or(str::is_empty)
        })
    })
}

/// Whether the typedef `d` declares an enum without a tag (`typedef enum { ... } NAME;`).
fn anonymous_enum(d: &J) -> bool {
    d.inner().iter().any(|t| {
        t.get("ownedTagDecl").is_some_and(|o| {
            o.str("kind") == Some("EnumDecl") && o.str("name").is_none_or(str::is_empty)
        })
    })
}

pub fn note(at: &Loc, message: String) -> Note {
    Note {
        file: at.file.to_string(),
        line: at.line,
        message,
    }
}

fn record_top(
    d: &J,
    at: &Loc,
    typedefs: &[String],
    typedef_name: Option<&str>,
    texts: &mut Texts,
    out: &mut Types,
) {
    if !d.flag("completeDefinition") {
        return;
    }
    let tagless = d.str("name").is_none_or(str::is_empty) && typedef_name.is_some();
    let Some(name) = d.str("name").filter(|n| !n.is_empty()).or(typedef_name) else {
        out.notes.push(note(
            at,
            "a struct or union without a tag at the top level (the format names every type)"
                .to_owned(),
        ));
        return;
    };
    let mut hoisted = Vec::new();
    match record(d, typedefs, texts, &mut hoisted) {
        Ok((packed, aligned, fields)) => {
            // Named types defined inside a struct are C file-scope types: before it.
            out.items.extend(hoisted);
            out.items.push((
                at.line,
                Item::Struct(Struct {
                    name: name.to_owned(),
                    kind: (d.str("tagUsed") == Some("union")).then_some("union"),
                    packed,
                    aligned,
                    arch: None,
                    doc: None,
                    tagless,
                    fields,
                }),
            ));
        }
        Err(e) => out.notes.push(note(
            at,
            format!("{} `{name}`: {e}", d.str("tagUsed").unwrap_or("struct")),
        )),
    }
}

/// `packed`, `aligned` and the fields of a record.
fn record(
    d: &J,
    typedefs: &[String],
    texts: &mut Texts,
    hoisted: &mut Vec<(u64, Item)>,
) -> Result<(bool, Option<u64>, Vec<Field>), String> {
    let (packed, aligned) = attrs(d)?;
    let mut fields = Vec::new();
    // The last nested record definition, for the member that declares it.
    let mut nested: Option<&J> = None;
    for c in d.inner() {
        match c.kind() {
            "PackedAttr" | "AlignedAttr" | "IndirectFieldDecl" => {}
            k if k.ends_with("Comment") => {}
            "RecordDecl" => {
                if let (Some(n), Some(at)) = (c.str("name"), c.at()) {
                    let mut inner_hoisted = Vec::new();
                    let (p, a, f) = record(c, typedefs, texts, &mut inner_hoisted)?;
                    hoisted.extend(inner_hoisted);
                    hoisted.push((
                        at.line,
                        Item::Struct(Struct {
                            name: n.to_owned(),
                            kind: (c.str("tagUsed") == Some("union")).then_some("union"),
                            packed: p,
                            aligned: a,
                            arch: None,
                            doc: None,
                            tagless: false,
                            fields: f,
                        }),
                    ));
                    nested = None;
                } else {
                    nested = Some(c);
                }
            }
            "FieldDecl" => {
                let mut f = field(c, nested.take(), typedefs, texts, hoisted)?;
                // Rust has no name `_` (or `__`) for a member: `_` and its position.
                if f.name
                    .as_deref()
                    .is_some_and(|n| n.chars().all(|c| c == '_'))
                {
                    f.rust_name = Some(format!("_{}", fields.len()));
                }
                fields.push(f);
            }
            other => {
                return Err(format!(
                    "holds a `{other}`, which the format has no key for"
                ));
            }
        }
    }
    Ok((packed, aligned, fields))
}

fn attrs(d: &J) -> Result<(bool, Option<u64>), String> {
    let mut packed = false;
    let mut aligned = None;
    for c in d.inner() {
        match c.kind() {
            "PackedAttr" => packed = true,
            "AlignedAttr" => {
                let v = c
                    .inner()
                    .first()
                    .and_then(|e| e.str("value"))
                    .and_then(|v| v.parse::<u64>().ok())
                    .ok_or("has `aligned` without a number (the largest alignment), which the format has no key for")?;
                aligned = Some(v);
            }
            _ => {}
        }
    }
    Ok((packed, aligned))
}

fn field(
    c: &J,
    nested: Option<&J>,
    typedefs: &[String],
    texts: &mut Texts,
    hoisted: &mut Vec<(u64, Item)>,
) -> Result<Field, String> {
    let name = c.str("name").map(str::to_owned);
    let shown = name.as_deref().unwrap_or("(anonymous)");
    // A bit-field's width is the value of its one constant expression.
    let bits = match c.flag("isBitfield") {
        false => None,
        true if name.is_none() => {
            return Err("an unnamed bit-field, which the format has no key for".into());
        }
        true => Some(
            c.inner()
                .iter()
                .find_map(|e| e.str("value")?.parse::<u32>().ok())
                .ok_or_else(|| {
                    format!("member `{shown}` is a bit-field of a width clang does not show")
                })?,
        ),
    };
    let (packed, aligned) = attrs(c)?;
    let qt = c.qual_type().unwrap_or("");
    if qt.contains("(unnamed") || qt.contains("(anonymous") {
        let Some(n) = nested else {
            return Err(format!("member `{shown}` has a type clang does not show"));
        };
        if qt.contains('[') {
            return Err(format!("member `{shown}` is an array of an unnamed type"));
        }
        let (p, a, fields) = record(n, typedefs, texts, hoisted)?;
        if p || a.is_some() {
            return Err(format!(
                "the unnamed type of member `{shown}` has attributes, which the format has no key for there"
            ));
        }
        let kind = if n.str("tagUsed") == Some("union") {
            "union"
        } else {
            "struct"
        };
        return Ok(Field {
            name,
            ty: kind.to_owned(),
            packed,
            aligned,
            bits: None,
            doc: None,
            rust_name: None,
            fields: Some(fields),
        });
    }
    let mut ty = ctype::spec_type(qt, typedefs).map_err(|e| format!("member `{shown}`: {e}"))?;
    // Keep an array length as the header writes it (`LO_NAME_SIZE`).
    if let (Some(n), Some(at)) = (name.as_deref(), c.at())
        && let Some(open) = ty.find('[')
        && let Some(text) = texts.get(&at.file)
        && let Some(dims) = dims_as_written(text, at.offset, n)
        && dims.iter().all(|d| !d.is_empty())
        && ty[open..].matches('[').count() == dims.len()
    {
        let lens: String = dims.iter().map(|d| format!("[{d}]")).collect();
        ty = format!("{}{lens}", &ty[..open]);
    }
    // `__aligned_u64 x;` is `__u64 x __attribute__((aligned(8)));` after the preprocessor
    // (<linux/types.h> defines it as that macro): the format's type says it, also where a
    // member's own `aligned` cannot go (in a union).
    let (ty, aligned) = match (ty.as_str(), aligned) {
        ("__u64", Some(8)) if bits.is_none() => ("__aligned_u64".to_owned(), None),
        ("__s64", Some(8)) if bits.is_none() => ("__aligned_s64".to_owned(), None),
        _ => (ty, aligned),
    };
    Ok(Field {
        name,
        ty,
        packed,
        aligned,
        bits,
        doc: None,
        rust_name: None,
        fields: None,
    })
}

/// The `[...]` dimensions written after the member name at `offset`.
fn dims_as_written(text: &str, offset: u64, name: &str) -> Option<Vec<String>> {
    let at = usize::try_from(offset).ok()?;
    let rest = text.get(at..)?.strip_prefix(name)?;
    let mut dims = Vec::new();
    let mut rest = rest.trim_start();
    while let Some(r) = rest.strip_prefix('[') {
        let close = r.find(']')?;
        let d = r[..close].split_whitespace().collect::<Vec<_>>().join(" ");
        if d.contains("/*") || d.contains("//") {
            return None;
        }
        dims.push(d);
        rest = r[close + 1..].trim_start();
    }
    Some(dims)
}

fn enumeration(d: &J, texts: &mut Texts) -> Option<Enum> {
    let mut values = Vec::new();
    for c in d.inner() {
        if c.kind() != "EnumConstantDecl" {
            continue;
        }
        let name = c.str("name")?.to_owned();
        let has_init = !c.inner().is_empty();
        let value = if has_init {
            let written = c.at().and_then(|at| {
                texts
                    .get(&at.file)
                    .and_then(|t| init_as_written(t, at.offset, &name))
                    // `_BITULL(0)` of <linux/const.h>, as in a macro's body.
                    .map(|v| super::cmacro::expand_const_h(&v))
            });
            written.or_else(|| {
                c.inner()
                    .first()
                    .and_then(|e| e.str("value"))
                    .map(str::to_owned)
            })
        } else {
            None
        };
        values.push(EnumValue {
            name,
            value,
            doc: None,
        });
    }
    Some(Enum {
        name: d.str("name").map(str::to_owned),
        arch: None,
        doc: None,
        typedef: None,
        values,
    })
}

/// The initializer written after `NAME =` at `offset`, up to the next `,` or `}` outside
/// parentheses, comments removed: one scan that stops there.
fn init_as_written(text: &str, offset: u64, name: &str) -> Option<String> {
    let at = usize::try_from(offset).ok()?;
    let rest = text.get(at..)?.strip_prefix(name)?;
    let mut out = String::new();
    let mut seen_eq = false;
    let mut depth = 0i32;
    let mut chars = rest.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = '\0';
                for c in chars.by_ref() {
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
                out.push(' ');
            }
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
                out.push(' ');
            }
            '=' if !seen_eq && depth == 0 && out.trim().is_empty() => {
                seen_eq = true;
                out.clear();
            }
            _ if !seen_eq => {
                if !ch.is_whitespace() {
                    return None;
                }
            }
            '(' => {
                depth += 1;
                out.push(ch);
            }
            ')' => {
                depth -= 1;
                out.push(ch);
            }
            ',' | '}' if depth == 0 => break,
            _ => out.push(ch),
        }
    }
    let v = out.split_whitespace().collect::<Vec<_>>().join(" ");
    (seen_eq && !v.is_empty()).then_some(v)
}
