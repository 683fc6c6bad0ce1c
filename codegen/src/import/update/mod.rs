//! `uapigen import --update SPEC HEADER`: take a newer header into an existing spec.
//!
//! The newer header is imported to a draft ([`super::import`]); then the old spec's text
//! and the draft are walked item by item, matched by C name (an anonymous enum by its
//! enumerators, a struct's fields by name, its anonymous members in order). What a person
//! wrote stays: docs, `rust-name`, `allow`, `extensible`, `payload`, `caps`, `rules`, the
//! flag sets and value groups and who is in them, a field's `flags`, `values`, `reserved`,
//! `data`, `user-address`, `since`, `flag`, an ioctl's `arg` where the number does not
//! encode it, `pass`, `data`, `returns`, and the comments and layout of the text. What the
//! header says is taken from the draft: values, types, fields, ioctl numbers, macro bodies.
//!
//! Facts are compared by what they mean, through both compiled models (`bit: 3` is
//! `(1 << 3)`, `u32` is `__u32`), so an item whose facts did not change keeps its text to
//! the byte. The spec is edited in place (its text, not a re-serialization): a changed
//! scalar is replaced, a changed struct gets its list of fields rebuilt from its old
//! entries and new ones, new items go after the item the header defines before them (new
//! values join a flag set or value group when the header defines them next to a member
//! and with its name's stem), and items gone from the header are removed (`uapigen compat`
//! then calls that breaking). An item the importer could not read but the header still
//! names is kept as it is. Every new item gets `since` (the version from `--since` or the
//! newer tree's `<linux/version.h>`).

mod items;
mod render;
mod text;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::abi::Abi;
use crate::diag::SourceFile;
use crate::ir::{ConstValue, Module};
use crate::model::Model;
use crate::spec::{Sp, Spec};
use text::{Extent, Text};

/// What to update.
#[derive(Clone, Debug)]
pub struct Options {
    /// The spec to update.
    pub spec: PathBuf,
    /// The newer header: a file, or a name on the include path.
    pub header: String,
    pub include: Vec<PathBuf>,
    pub abis: Vec<&'static Abi>,
    /// The version new items arrived in (default: the newer tree's `<linux/version.h>`).
    pub since: Option<String>,
}

/// The updated spec.
pub struct Updated {
    pub yaml: String,
    /// The version recorded in `since`.
    pub version: String,
    /// What was added, changed, removed or kept, one line each.
    pub report: Vec<String>,
    /// What the importer left out of the newer header.
    pub notes: Vec<super::Note>,
    /// The old spec and the updated one, compiled (for `uapigen compat`).
    pub old: Model,
    pub new: Model,
}

/// Update the spec `opts.spec` from the header `opts.header`.
pub fn update(opts: &Options) -> Result<Updated, String> {
    let spec_path = &opts.spec;
    let old_text = std::fs::read_to_string(spec_path)
        .map_err(|e| format!("cannot read {}: {e}", spec_path.display()))?;
    let old_ast = parse(spec_path, &old_text)?;
    let old_model = crate::compile_str(spec_path, &old_text).map_err(|d| {
        format!(
            "{} does not compile; fix it before updating it:\n{}",
            spec_path.display(),
            d.plain()
        )
    })?;
    let header_file = locate(&opts.header, &opts.include).ok_or_else(|| {
        format!(
            "{}: no such file, nor a header of that name on the include path",
            opts.header
        )
    })?;
    let header_text = std::fs::read_to_string(&header_file)
        .map_err(|e| format!("cannot read {}: {e}", header_file.display()))?;
    let version = match &opts.since {
        Some(v) => v.clone(),
        None => tree_version(&header_file, &old_ast.header).ok_or_else(|| {
            format!(
                "{}: no <linux/version.h> in its tree tells the version the new items arrived in; give it with --since VERSION (e.g. --since 6.2)",
                header_file.display()
            )
        })?,
    };
    if !version
        .split('.')
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        || version.len() > 16
    {
        return Err(format!(
            "`{version}` is not a kernel version; give numbers joined by dots (--since 6.2)"
        ));
    }
    // A file is given to the importer by its absolute path (a relative one would be
    // looked up on the include path).
    let import_name = if Path::new(&opts.header).is_file() {
        header_file
            .canonicalize()
            .map_err(|e| format!("{}: {e}", header_file.display()))?
            .display()
            .to_string()
    } else {
        opts.header.clone()
    };
    let mut iopts = super::Options::new(import_name);
    iopts.include = opts.include.clone();
    iopts.abis = opts.abis.clone();
    let imported = super::import(&iopts)?
        .into_iter()
        .next()
        .ok_or_else(|| format!("{}: nothing imported", opts.header))??;
    let draft_path = spec_path.with_extension("draft.yaml");
    let draft_ast = parse(&draft_path, &imported.yaml)?;
    let draft_model = crate::compile_str(&draft_path, &imported.yaml).map_err(|d| {
        format!(
            "the draft of the newer header does not compile:\n{}",
            d.plain()
        )
    })?;
    let words: BTreeSet<&str> = header_text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut m = Merge {
        text: Text::new(&old_text),
        old: &old_ast,
        new: &draft_ast,
        om: &old_model,
        nm: &draft_model,
        words,
        since: version.clone(),
        report: Vec::new(),
    };
    m.values();
    m.new_values();
    m.enums();
    m.typedefs();
    m.structs();
    m.ioctl_macros();
    m.ioctls();
    m.macros();
    m.source();
    let report = std::mem::take(&mut m.report);
    let yaml = m.text.finish();
    let new_model = crate::compile_str(spec_path, &yaml).map_err(|d| {
        format!(
            "the updated spec does not compile (a change --update cannot make; edit the spec by hand and run it again):\n{}",
            d.plain()
        )
    })?;
    Ok(Updated {
        yaml,
        version,
        report,
        notes: imported.notes,
        old: old_model,
        new: new_model,
    })
}

fn parse(path: &Path, text: &str) -> Result<Spec, String> {
    let file = Arc::new(SourceFile::new(path, text));
    crate::parse::parse(&file).map_err(|d| d.plain())
}

/// The header as a file: itself, or the first include folder (then `/usr/include`) that
/// has it.
fn locate(header: &str, include: &[PathBuf]) -> Option<PathBuf> {
    let p = Path::new(header);
    if p.is_file() {
        return Some(p.to_path_buf());
    }
    include
        .iter()
        .map(PathBuf::as_path)
        .chain([Path::new("/usr/include")])
        .map(|d| d.join(header))
        .find(|p| p.is_file())
}

/// The version of the tree the header is in: `NEWER/linux/vfio.h` for the spec's
/// `linux/vfio.h` is in `NEWER/`, whose `linux/version.h` says it.
fn tree_version(file: &Path, spec_header: &str) -> Option<String> {
    let mut dir = file.parent()?;
    for _ in Path::new(spec_header).components().skip(1) {
        dir = dir.parent()?;
    }
    super::kernel_version(dir)
}

/// A value's facts: C's value, or a string.
#[derive(Clone, Debug, PartialEq)]
enum Val {
    Int(i128),
    Str(String),
}

/// Every named value of a module: constants, group values, flags, enumerators.
fn values_of(m: &Module) -> BTreeMap<&str, Val> {
    let mut v = BTreeMap::new();
    for c in &m.constants {
        let x = match &c.value {
            ConstValue::Int(i) => Val::Int(i.c.value),
            ConstValue::Str(s) => Val::Str(s.clone()),
        };
        v.insert(c.c_name.as_str(), x);
    }
    for g in &m.groups {
        for x in &g.values {
            v.insert(x.c_name.as_str(), Val::Int(x.value.c.value));
        }
    }
    for f in &m.flag_sets {
        for x in &f.bits {
            v.insert(x.c_name.as_str(), Val::Int(x.value.c.value));
        }
    }
    for e in &m.enums {
        for x in &e.values {
            v.insert(x.c_name.as_str(), Val::Int(x.value));
        }
    }
    v
}

/// The `_`-separated words `a` and `b` begin with alike (`VFIO_DEVICE_FLAGS_`).
fn common_stem<'s>(a: &'s str, b: &str) -> &'s str {
    let mut end = 0;
    for (i, (x, y)) in a.bytes().zip(b.bytes()).enumerate() {
        if x != y {
            break;
        }
        if x == b'_' {
            end = i + 1;
        }
    }
    &a[..end]
}

fn words_in(stem: &str) -> usize {
    stem.matches('_').count()
}

pub(super) struct Merge<'a> {
    text: Text<'a>,
    old: &'a Spec,
    new: &'a Spec,
    om: &'a Model,
    nm: &'a Model,
    /// Every identifier of the newer header's text.
    words: BTreeSet<&'a str>,
    since: String,
    report: Vec<String>,
}

/// Where an old value is: a constant, or a member of a group or flag set (by index).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Home {
    Constant(usize),
    Group(usize),
    Flags(usize),
    Enum,
}

impl<'a> Merge<'a> {
    fn since_scalar(&self) -> String {
        text::scalar(&self.since)
    }

    /// Whether the newer header still names `name` (the importer may have left it out).
    fn still_named(&self, name: &str) -> bool {
        self.words.contains(name)
    }

    fn extent(&self, span: crate::spec::Span) -> Option<Extent> {
        self.text.extent(span)
    }

    /// Where each old value is.
    fn homes(&self) -> BTreeMap<&'a str, Home> {
        let mut h = BTreeMap::new();
        for (i, c) in self.old.constants.iter().enumerate() {
            h.insert(c.name.value.as_str(), Home::Constant(i));
        }
        for (i, g) in self.old.groups.iter().enumerate() {
            for v in &g.values {
                h.insert(v.name.value.as_str(), Home::Group(i));
            }
        }
        for (i, f) in self.old.flags.iter().enumerate() {
            for b in &f.bits {
                h.insert(b.name.value.as_str(), Home::Flags(i));
            }
        }
        for e in &self.old.enums {
            for v in e.values.iter() {
                h.insert(v.name.value.as_str(), Home::Enum);
            }
        }
        h
    }

    /// The draft's text of the value of constant `name`.
    fn draft_value_text(&self, name: &str) -> Option<String> {
        self.new
            .constants
            .iter()
            .find(|c| c.name.value == name)
            .and_then(|c| c.value.as_ref().map(|v| v.value.0.clone()))
    }

    /// Old constants, group values and flags: a changed value is replaced, a value the
    /// header no longer defines removed.
    fn values(&mut self) {
        let ov = values_of(&self.om.module);
        let nv = values_of(&self.nm.module);
        let old = self.old;
        for c in &old.constants {
            let name = c.name.value.as_str();
            let value = match (&c.value, &c.string) {
                (Some(v), _) => Some((v.span, false)),
                (None, Some(s)) => Some((s.span, false)),
                _ => None,
            };
            self.value(name, &c.name, value, "constant", &ov, &nv);
        }
        for g in &old.groups {
            let gone = g
                .values
                .iter()
                .filter(|v| {
                    self.value(
                        &v.name,
                        &v.name,
                        Some((v.value.span, false)),
                        &format!("value of {}", *g.name),
                        &ov,
                        &nv,
                    )
                })
                .count();
            if gone == g.values.len() && gone > 0 {
                self.drop_item(
                    &g.name,
                    &format!("value group {}", *g.name),
                    "none of its values is defined any more",
                );
            }
        }
        for f in &old.flags {
            let gone = f
                .bits
                .iter()
                .filter(|b| {
                    let v = match (&b.bit, &b.value) {
                        (Some(bit), _) => Some((bit.span, true)),
                        (None, Some(v)) => Some((v.span, false)),
                        _ => None,
                    };
                    self.value(
                        &b.name,
                        &b.name,
                        v,
                        &format!("flag of {}", *f.name),
                        &ov,
                        &nv,
                    )
                })
                .count();
            if gone == f.bits.len() && gone > 0 {
                self.drop_item(
                    &f.name,
                    &format!("flag set {}", *f.name),
                    "none of its flags is defined any more",
                );
            }
        }
    }

    /// One old value; true when it was removed.
    fn value(
        &mut self,
        name: &str,
        name_sp: &Sp<String>,
        value: Option<(crate::spec::Span, bool)>,
        what: &str,
        ov: &BTreeMap<&str, Val>,
        nv: &BTreeMap<&str, Val>,
    ) -> bool {
        let Some(new) = nv.get(name) else {
            if self.still_named(name) {
                self.report.push(format!(
                    "kept {what} `{name}`: the header still names it but the importer did not read it (see the notes)"
                ));
                return false;
            }
            if let Some(e) = self.extent(name_sp.span) {
                self.text.remove(e);
            }
            self.report.push(format!(
                "removed {what} `{name}`: the header no longer defines it"
            ));
            return true;
        };
        if ov.get(name) == Some(new) {
            return false;
        }
        let Some((span, is_bit)) = value else {
            return false;
        };
        match new {
            Val::Str(s) => self.text.set_scalar(span, text::scalar(s)),
            Val::Int(n) => {
                let draft = self.draft_value_text(name).unwrap_or_else(|| n.to_string());
                if is_bit {
                    if *n > 0 && n & (n - 1) == 0 {
                        self.text.set_scalar(span, n.trailing_zeros().to_string());
                    } else {
                        self.text.set_key_value(span, "value", &text::expr(&draft));
                    }
                } else {
                    self.text.set_scalar(span, text::expr(&draft));
                }
            }
        }
        let show = |v: Option<&Val>| match v {
            Some(Val::Int(i)) => format!("{i:#x}"),
            Some(Val::Str(s)) => format!("{s:?}"),
            None => "nothing".into(),
        };
        self.report.push(format!(
            "changed {what} `{name}` from {} to {}",
            show(ov.get(name)),
            show(Some(new))
        ));
        false
    }

    /// Remove the item named at `name` (its whole entry), with the reason.
    fn drop_item(&mut self, name: &Sp<String>, what: &str, why: &str) {
        if let Some(e) = self.extent(name.span) {
            self.text.remove(e);
        }
        self.report.push(format!("removed {what}: {why}"));
    }

    /// The draft's constants that the old spec does not have: each joins the flag set or
    /// value group of the old value the header defines right before it when it shares that
    /// value's name stem (the set's own stem, or all of it but the last word when that
    /// leaves three words: `VFIO_DEVICE_INFO_CAP_` for the ZPCI capabilities); the rest
    /// become constants, after the old constant the header defines before them.
    fn new_values(&mut self) {
        let homes = self.homes();
        let new = self.new;
        let nv = values_of(&self.nm.module);
        let ov = values_of(&self.om.module);
        let mut prev_old: Option<&str> = None;
        let mut prev_const: Option<usize> = None;
        for c in &new.constants {
            let name = c.name.value.as_str();
            if let Some(h) = homes.get(name) {
                prev_old = Some(name);
                if let Home::Constant(i) = h {
                    prev_const = Some(*i);
                }
                continue;
            }
            let value_text = c.value.as_ref().map(|v| v.value.0.clone());
            let home = prev_old
                .and_then(|p| homes.get(p).map(|h| (p, *h)))
                .filter(|_| value_text.is_some())
                .and_then(|(p, h)| {
                    let members: Vec<&str> = match h {
                        Home::Group(g) => self.old.groups[g]
                            .values
                            .iter()
                            .map(|v| v.name.value.as_str())
                            .collect(),
                        Home::Flags(f) => self.old.flags[f]
                            .bits
                            .iter()
                            .map(|b| b.name.value.as_str())
                            .collect(),
                        _ => return None,
                    };
                    // A value the group already has (a flag's bit the set already has)
                    // belongs to something else.
                    let n = match nv.get(name) {
                        Some(Val::Int(n)) => *n,
                        _ => return None,
                    };
                    let taken = members.iter().any(|m| {
                        matches!(nv.get(m).or(ov.get(m)), Some(Val::Int(v)) if *v == n
                            && (matches!(h, Home::Group(_)) || (n > 0 && n & (n - 1) == 0)))
                    });
                    if taken {
                        return None;
                    }
                    let stem = members
                        .iter()
                        .fold(members.first().copied().unwrap_or(""), |s, m| {
                            common_stem(s, m)
                        });
                    let shared = common_stem(name, p);
                    let (w, ws) = (words_in(shared), words_in(stem));
                    (w >= 2 && (w >= ws || (w >= 3 && w + 1 >= ws))).then_some(h)
                });
            let since = self.since_scalar();
            match (home, value_text) {
                (Some(Home::Group(g)), Some(v)) => {
                    let grp = &self.old.groups[g];
                    if let Some(e) = grp.values.last().and_then(|l| self.extent(l.name.span)) {
                        let line = self.entry(
                            e,
                            &[
                                ("name", name.to_owned()),
                                ("value", text::expr(&v)),
                                ("since", since),
                            ],
                        );
                        self.text.insert(e.end, line);
                        self.report
                            .push(format!("added value `{name}` to group {}", *grp.name));
                    }
                }
                (Some(Home::Flags(f)), Some(v)) => {
                    let set = &self.old.flags[f];
                    let n = match nv.get(name) {
                        Some(Val::Int(n)) => *n,
                        _ => 0,
                    };
                    let key = if n > 0 && n & (n - 1) == 0 && v.contains("<<") {
                        ("bit", n.trailing_zeros().to_string())
                    } else {
                        ("value", text::expr(&v))
                    };
                    if let Some(e) = set.bits.last().and_then(|l| self.extent(l.name.span)) {
                        let line =
                            self.entry(e, &[("name", name.to_owned()), key, ("since", since)]);
                        self.text.insert(e.end, line);
                        self.report
                            .push(format!("added flag `{name}` to flag set {}", *set.name));
                    }
                }
                (_, value) => {
                    let mut keys = vec![("name", name.to_owned())];
                    match (value, &c.string) {
                        (Some(v), _) => keys.push(("value", text::expr(&v))),
                        (None, Some(s)) => keys.push(("string", text::scalar(s))),
                        _ => {}
                    }
                    if let Some(a) = &c.arch {
                        keys.push(("arch", render::arch_list(a)));
                    }
                    keys.push(("since", since));
                    let anchor = prev_const
                        .or_else(|| self.old.constants.len().checked_sub(1))
                        .and_then(|i| self.extent(self.old.constants[i].name.span));
                    match anchor {
                        Some(e) => {
                            let line = self.entry(e, &keys);
                            self.text.insert(e.end, line);
                        }
                        None => {
                            let line = render::flow_line(2, &keys);
                            self.new_section("constants", line);
                        }
                    }
                    self.report.push(format!("added constant `{name}`"));
                }
            }
        }
    }

    /// A value entry at the indentation of `e`: one flow line when it fits in 100
    /// columns (as the specs write values), block otherwise.
    fn entry(&self, e: Extent, keys: &[(&str, String)]) -> String {
        let line = render::flow_line(e.dash, keys);
        if line.len() <= 101 {
            line
        } else {
            render::block(e.dash, keys)
        }
    }

    /// Add `body` (entries) as a new top-level section `key`, at the end of the spec.
    fn new_section(&mut self, key: &str, body: String) {
        let end = self.text.src.len();
        let nl = if self.text.src.ends_with('\n') {
            ""
        } else {
            "\n"
        };
        self.text.insert(end, format!("{nl}\n{key}:\n{body}"));
    }

    /// `source: Linux 6.1 ...` names the newer version.
    fn source(&mut self) {
        let Some(at) = self.text.top_key("source") else {
            return;
        };
        let line = self.text.src[at..].lines().next().unwrap_or("");
        if let Some(i) = line.find("Linux ") {
            let v = &line[i + 6..];
            let len = v
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(v.len());
            if len > 0 && v[..len] != self.since {
                let start = at + i + 6;
                self.text.replace(start, start + len, self.since.clone());
                self.report
                    .push(format!("source now names Linux {}", self.since));
            }
        }
    }
}
