//! One header's items on each ABI, and the fold of them into one spec: an item the same
//! wherever it exists once (with `arch` where that is not everywhere), a struct or ioctl
//! that differs once per architecture, anything else that differs a note.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::ast::{self, Texts};
use super::cmacro::{self, Read};
use super::draft::{Head, Item, Note};
use super::json;
use super::macros;
use crate::abi::{ABIS, ARCHES, Abi};

/// An item with the place the header writes it.
#[derive(Clone, Debug)]
pub struct Placed {
    pub item: Item,
    pub file: String,
    pub line: u64,
}

/// One header on one ABI.
#[derive(Clone, Debug, Default)]
pub struct AbiItems {
    pub guard: Option<String>,
    pub includes: Vec<String>,
    pub items: Vec<Placed>,
    pub notes: Vec<Note>,
}

/// Read every header (`found`: its file on this ABI, if it exists here) from one clang run.
pub fn read_abi(
    pre: &str,
    ast_json: &str,
    headers: &[String],
    found: &[Option<PathBuf>],
    include: &Path,
) -> Vec<Option<AbiItems>> {
    let mut pre = macros::read(pre);
    // The files each file entered (line markers), before the spelled includes are added.
    let entered = pre.includes.clone();
    spelled_includes(&mut pre, include);
    let tree = json::parse(ast_json).map(|mut t| {
        json::resolve(&mut t);
        t
    });
    let mut canon: BTreeMap<Rc<str>, Option<PathBuf>> = BTreeMap::new();
    let mut canonical = |f: &Rc<str>| -> Option<PathBuf> {
        canon
            .entry(f.clone())
            .or_insert_with(|| Path::new(&**f).canonicalize().ok())
            .clone()
    };
    // Which clang file names are which header.
    let mut names: BTreeMap<Rc<str>, usize> = BTreeMap::new();
    let mut all_files: Vec<Rc<str>> = pre.macros.keys().cloned().collect();
    all_files.extend(pre.includes.keys().cloned());
    all_files.extend(pre.includes.values().flatten().cloned());
    for f in &all_files {
        if let Some(c) = canonical(f)
            && let Some(i) = found.iter().position(|x| x.as_ref() == Some(&c))
        {
            names.insert(f.clone(), i);
        }
    }
    let known: std::collections::BTreeSet<Rc<str>> = all_files.iter().cloned().collect();
    let mut texts = Texts::default();
    let mut out: Vec<Option<AbiItems>> = found
        .iter()
        .map(|f| f.as_ref().map(|_| AbiItems::default()))
        .collect();
    for (i, slot) in out.iter_mut().enumerate() {
        let Some(items) = slot else { continue };
        let Some(file) = &found[i] else { continue };
        // Notes name the header as the user did, so that they are the same on every ABI.
        let file_name = headers.get(i).cloned().unwrap_or_default();
        let own = |f: &str| {
            names.get(f) == Some(&i)
                || (!names.contains_key(f)
                    && Path::new(f).canonicalize().ok().as_ref() == Some(file))
        };
        let generic = generic_part(file, include, &entered);
        // The names clang gives the generic header (found once; a name the preprocessor did
        // not show is looked up on its own).
        let generic_files: std::collections::BTreeSet<Rc<str>> = match &generic {
            Some((g, _)) => all_files
                .iter()
                .filter(|f| canonical(f).as_ref() == Some(g))
                .cloned()
                .collect(),
            None => Default::default(),
        };
        let is_generic = |f: &str| {
            generic.as_ref().is_some_and(|(g, _)| {
                generic_files.contains(f)
                    || (!known.contains(f) && Path::new(f).canonicalize().ok().as_ref() == Some(g))
            })
        };
        let mine = |f: &str| own(f) || is_generic(f);
        // The file an item of the header was written in, as notes name it.
        let place = |f: &str| match &generic {
            Some((_, name)) if is_generic(f) => name.clone(),
            _ => file_name.clone(),
        };
        // Types first: macros name the header's typedefs.
        let types = match &tree {
            Ok(t) => ast::read(t, &mine, &mut texts),
            Err(e) => {
                items.notes.push(Note {
                    file: file_name.clone(),
                    line: 1,
                    message: e.clone(),
                });
                ast::Types::default()
            }
        };
        let typedefs: Vec<String> = types
            .items
            .iter()
            .filter_map(|(_, it)| match it {
                Item::Typedef(t) => Some(t.name.clone()),
                _ => None,
            })
            .collect();
        for ((line, item), f) in types.items.into_iter().zip(&types.files) {
            items.items.push(Placed {
                item,
                file: place(f),
                line,
            });
        }
        items.notes.extend(types.notes.into_iter().map(|n| Note {
            file: place(&n.file),
            ..n
        }));
        // Macros of the header's file(s) in the order written: its own, then those of the
        // generic header it completes.
        let defs: Vec<&macros::MacroDef> = pre
            .macros
            .iter()
            .filter(|(f, _)| own(f))
            .chain(pre.macros.iter().filter(|(f, _)| !own(f) && is_generic(f)))
            .flat_map(|(_, l)| l.iter())
            .collect();
        let wrappers: Vec<_> = defs.iter().filter_map(|m| cmacro::ioctl_macro(m)).collect();
        let fns: Vec<&macros::MacroDef> = defs
            .iter()
            .copied()
            .filter(|m| m.params.is_some())
            .collect();
        for (n, m) in defs.iter().enumerate() {
            if n == 0 && m.body.is_empty() && m.params.is_none() && own(&m.file) {
                items.guard = Some(m.name.clone());
                continue;
            }
            // The generic header's own guard.
            if is_generic(&m.file)
                && m.body.is_empty()
                && m.params.is_none()
                && defs.iter().find(|d| d.file == m.file).map(|d| &d.name) == Some(&m.name)
            {
                continue;
            }
            if let Some(w) = wrappers.iter().find(|w| w.name == m.name) {
                items.items.push(Placed {
                    item: Item::IoctlMacro(w.clone()),
                    file: place(&m.file),
                    line: m.line,
                });
                continue;
            }
            match cmacro::read(m, &wrappers, &typedefs, &fns) {
                Read::Item(item) => items.items.push(Placed {
                    item: *item,
                    file: place(&m.file),
                    line: m.line,
                }),
                Read::Skip(why) if why.is_empty() => {}
                Read::Skip(why) => items.notes.push(Note {
                    file: place(&m.file),
                    line: m.line,
                    message: why,
                }),
            }
        }
        // The header's own items first, then the generic header's, each in written order.
        items.items.sort_by_key(|p| (p.file != file_name, p.line));
        // The header's own includes, as include names.
        let inc = include
            .canonicalize()
            .unwrap_or_else(|_| include.to_path_buf());
        for (f, list) in &pre.includes {
            if !mine(f) {
                continue;
            }
            for inc_file in list {
                let Some(c) = canonical(inc_file) else {
                    continue;
                };
                // The compiler's own <stdint.h> and <stddef.h> (C99's fixed-width types and
                // size_t) are includes a spec may have.
                let file = c.file_name().and_then(|f| f.to_str()).unwrap_or("");
                if !c.starts_with(&inc) && matches!(file, "stdint.h" | "stddef.h") {
                    if !items.includes.iter().any(|i| i == file) {
                        items.includes.push(file.to_owned());
                    }
                    continue;
                }
                let Ok(rel) = c.strip_prefix(&inc) else {
                    items.notes.push(Note {
                        file: file_name.clone(),
                        line: 1,
                        message: format!(
                            "includes {}, which is not a kernel header: left out of `includes`",
                            inc_file
                        ),
                    });
                    continue;
                };
                let rel = rel.display().to_string();
                if generic.as_ref().is_some_and(|(g, _)| *g == c) {
                    continue;
                }
                if rel != "linux/types.h"
                    && rel != "linux/ioctl.h"
                    && !items.includes.contains(&rel)
                {
                    items.includes.push(rel);
                }
            }
        }
    }
    out
}

/// The generic header an `asm/NAME.h` completes: `asm-generic/NAME.h`, where the header
/// entered it (was the first to include it in the unit). Such a header sets some of its
/// values (`#define O_DIRECT` on arm) before it includes the generic one, which defines what
/// is not yet defined (`#ifndef O_DIRECT`): only the two together say the values of an ABI,
/// so both are read as the one header (its file and the generic one's path, as notes name
/// it).
fn generic_part(
    file: &Path,
    include: &Path,
    entered: &BTreeMap<Rc<str>, Vec<Rc<str>>>,
) -> Option<(PathBuf, String)> {
    let inc = include.canonicalize().ok()?;
    let rel = file.strip_prefix(&inc).ok()?;
    let name = rel.strip_prefix("asm").ok()?.to_str()?;
    let generic_name = format!("asm-generic/{name}");
    let generic = inc.join(&generic_name).canonicalize().ok()?;
    entered
        .iter()
        .filter(|(f, _)| Path::new(&***f).canonicalize().ok().as_deref() == Some(file))
        .flat_map(|(_, list)| list.iter())
        .any(|g| Path::new(&**g).canonicalize().ok().as_ref() == Some(&generic))
        .then_some((generic, generic_name))
}

/// Each file's includes from its `#include` directives, in their order: clang gives a file it
/// skips for its include guard no line marker, so in a batch of headers the second one to
/// include a file would seem not to include it. A directive is found the way the
/// preprocessor finds it (a quoted name next to the file first, then the kernel headers);
/// one found nowhere there keeps the file clang entered for it (the compiler's `stddef.h`).
fn spelled_includes(pre: &mut macros::Preprocessed, include: &Path) {
    for (file, list) in &pre.directives {
        let entered = pre.includes.get(file).cloned().unwrap_or_default();
        let mut out: Vec<Rc<str>> = Vec::new();
        for (name, angled) in list {
            let beside = (!*angled)
                .then(|| Path::new(&**file).parent().map(|d| d.join(name)))
                .flatten()
                .filter(|p| p.is_file());
            let found = beside.or_else(|| Some(include.join(name)).filter(|p| p.is_file()));
            let f: Option<Rc<str>> = match found {
                Some(p) => Some(Rc::from(p.display().to_string().as_str())),
                None => entered
                    .iter()
                    .find(|e| e.ends_with(&format!("/{name}")))
                    .cloned(),
            };
            if let Some(f) = f
                && !out.contains(&f)
            {
                out.push(f);
            }
        }
        for e in entered {
            if !out.contains(&e) {
                out.push(e);
            }
        }
        pre.includes.insert(file.clone(), out);
    }
}

/// One form of an item and the ABIs that have it.
type Variant = (Placed, Vec<&'static Abi>);

/// The spec's name for a header: its file name without `.h`, in snake case.
pub fn spec_name(header: &str) -> String {
    let stem = Path::new(header)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut s: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) || s.starts_with('_') {
        s = format!("h{s}");
    }
    s
}

/// The ABIs `set` as `arch` names (whole architectures where all of theirs are in).
fn arch_names(set: &[&'static Abi]) -> Vec<String> {
    let mut names = Vec::new();
    let mut left: Vec<&'static str> = set.iter().map(|a| a.name).collect();
    for arch in ARCHES {
        if arch.abis.iter().all(|a| left.contains(a)) {
            names.push(arch.name.to_owned());
            left.retain(|a| !arch.abis.contains(a));
        }
    }
    // An ABI alone by the name an `arch` list knows it (`mips32`: `mips` is the arch).
    names.extend(left.into_iter().map(|a| crate::abi::abi_name(a).to_owned()));
    names
}

fn same(a: &[&'static Abi], b: &[&'static Abi]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| y.name == x.name))
}

/// Fold one header's items on each ABI where it exists (`abis`), out of the ABIs parsed.
/// `external`: the names the headers it includes declare per architecture (see
/// [`super::deps::external`]).
pub fn fold(
    header: &str,
    abis: &[(&'static Abi, &AbiItems)],
    parsed: &[&'static Abi],
    external: &BTreeMap<String, Vec<Vec<&'static Abi>>>,
) -> (Head, Vec<Placed>, Vec<Note>) {
    let present: Vec<&'static Abi> = abis.iter().map(|(a, _)| *a).collect();
    let everywhere = same(&present, &ABIS.iter().collect::<Vec<_>>());
    let mut head = Head {
        name: spec_name(header),
        header: if Path::new(header).is_absolute() {
            Path::new(header)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default()
        } else {
            header.to_owned()
        },
        arch: (!everywhere).then(|| arch_names(&present)),
        ..Head::default()
    };
    let _ = parsed;
    let mut notes: Vec<Note> = Vec::new();
    for (_, a) in abis {
        if head.guard.is_none() {
            head.guard.clone_from(&a.guard);
        }
        for i in &a.includes {
            if !head.includes.contains(i) {
                head.includes.push(i.clone());
            }
        }
        for n in &a.notes {
            if !notes.contains(n) {
                notes.push(n.clone());
            }
        }
    }
    // Every (section, name): its variants, each with the ABIs that have it.
    let mut keys: Vec<(&'static str, String)> = Vec::new();
    let mut variants: BTreeMap<(&'static str, String), Vec<Variant>> = BTreeMap::new();
    for (abi, a) in abis {
        for p in &a.items {
            let key = (p.item.section(), p.item.key());
            let list = variants.entry(key.clone()).or_insert_with(|| {
                keys.push(key.clone());
                Vec::new()
            });
            match list.iter_mut().find(|(v, _)| v.item == p.item) {
                Some((_, on)) => on.push(abi),
                None => list.push((p.clone(), vec![abi])),
            }
        }
    }
    let split = per_arch_names(&keys, &variants, external);
    let mut out = Vec::new();
    for key in keys {
        let Some(list) = variants.remove(&key) else {
            continue;
        };
        // An item naming an item declared per architecture is declared once per declaration
        // of that item it sees.
        let list: Vec<Variant> = list
            .into_iter()
            .flat_map(|(p, on)| {
                let cells = cells(&p.item, &on, &split);
                cells.into_iter().map(move |c| (p.clone(), c))
            })
            .collect();
        if list.len() > 1 && !list[0].0.item.per_arch() {
            let p = &list[0].0;
            let shown: Vec<String> = list
                .iter()
                .map(|(_, on)| arch_names(on).join(", "))
                .collect();
            notes.push(Note {
                file: p.file.clone(),
                line: p.line,
                message: format!(
                    "`{}` left out: it differs between ABIs ({} variants: on {}), and the format has one declaration of a {} on every ABI",
                    key.1,
                    list.len(),
                    shown.join("; "),
                    key.0.trim_end_matches('s')
                ),
            });
            continue;
        }
        for (mut p, on) in list {
            p.item
                .set_arch((!same(&on, &present)).then(|| arch_names(&on)));
            out.push(p);
        }
    }
    out.sort_by_key(|p| (p.file != header, p.line));
    rename_underscored(&mut out);
    (head, out, notes)
}

/// Per architecture declared names (constants and structs whose form differs between ABIs,
/// and those that name one), each with the ABIs of each declaration. A name is settled
/// after the names it names (depth first, each name once, so a chain of n names takes n
/// steps; a cycle, which C would reject, is cut where found).
fn per_arch_names(
    keys: &[(&'static str, String)],
    variants: &BTreeMap<(&'static str, String), Vec<Variant>>,
    external: &BTreeMap<String, Vec<Vec<&'static Abi>>>,
) -> BTreeMap<String, Vec<Vec<&'static Abi>>> {
    let declared = |s: &str| matches!(s, "constants" | "structs");
    let by_name: BTreeMap<&str, &Vec<Variant>> = keys
        .iter()
        .filter(|k| declared(k.0))
        .filter_map(|k| variants.get(k).map(|v| (k.1.as_str(), v)))
        .collect();
    let mut split = external.clone();
    // Names whose names were pushed (each name once); a name is settled when it comes
    // off the stack the second time, after all of those.
    let mut expanded: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    for &root in by_name.keys() {
        // (name, whether the names it names are settled)
        let mut stack: Vec<(&str, bool)> = vec![(root, false)];
        while let Some((name, ready)) = stack.pop() {
            let Some(list) = by_name.get(name) else {
                continue;
            };
            if !ready {
                if !expanded.insert(name) {
                    continue;
                }
                stack.push((name, true));
                for (p, _) in list.iter() {
                    for n in p.item.names() {
                        if let Some((&k, _)) = by_name.get_key_value(n)
                            && !expanded.contains(k)
                        {
                            stack.push((k, false));
                        }
                    }
                }
                continue;
            }
            let all: Vec<Vec<&'static Abi>> = list
                .iter()
                .flat_map(|(p, on)| cells(&p.item, on, &split))
                .collect();
            if all.len() > 1 {
                split.insert(name.to_owned(), all);
            }
        }
    }
    split
}

/// The ABIs `on` of an item, grouped by which declaration of each per-architecture name the
/// item names exists on each: one group when it names none.
fn cells(
    item: &Item,
    on: &[&'static Abi],
    split: &BTreeMap<String, Vec<Vec<&'static Abi>>>,
) -> Vec<Vec<&'static Abi>> {
    let own = item.name();
    let named: Vec<&Vec<Vec<&'static Abi>>> = item
        .names()
        .into_iter()
        .filter(|n| *n != own)
        .filter_map(|n| split.get(n))
        .collect();
    let mut out: Vec<(Vec<usize>, Vec<&'static Abi>)> = Vec::new();
    for abi in on {
        let sig: Vec<usize> = named
            .iter()
            .map(|decls| {
                decls
                    .iter()
                    .position(|d| d.iter().any(|a| a.name == abi.name))
                    .unwrap_or(usize::MAX)
            })
            .collect();
        match out.iter_mut().find(|(s, _)| *s == sig) {
            Some((_, abis)) => abis.push(abi),
            None => out.push((sig, vec![abi])),
        }
    }
    out.into_iter().map(|(_, abis)| abis).collect()
}

/// `_UFFDIO_API` and `UFFDIO_API` would both be `UFFDIO_API` in Rust (which drops leading
/// underscores): the underscored constant gets `rust-name` `UFFDIO_API_NR` where ioctls
/// use it as their number, `UFFDIO_API_RAW` otherwise.
fn rename_underscored(items: &mut [Placed]) {
    let names: std::collections::BTreeSet<String> =
        items.iter().map(|p| p.item.name().to_owned()).collect();
    let nrs: std::collections::BTreeSet<String> = items
        .iter()
        .filter_map(|p| match &p.item {
            Item::Ioctl(i) => i.nr.clone(),
            _ => None,
        })
        .collect();
    for p in items.iter_mut() {
        if let Item::Constant(c) = &mut p.item {
            let trimmed = c.name.trim_start_matches('_');
            if trimmed.len() < c.name.len() && !trimmed.is_empty() && names.contains(trimmed) {
                let suffix = if nrs.contains(&c.name) { "NR" } else { "RAW" };
                c.rust_name = Some(format!("{}_{suffix}", heck::AsShoutySnakeCase(trimmed)));
            }
        }
    }
}

/// Read clang's two outputs as [`read_abi`] does, with every file counted as the header's
/// and no file read: the importer's own parsing, for the fuzz target. Returns the number
/// of items and notes.
pub fn read_untrusted(pre: &str, ast_json: &str) -> usize {
    let pre = macros::read(pre);
    let mut n = 0;
    if let Ok(mut tree) = json::parse(ast_json) {
        json::resolve(&mut tree);
        let mut texts = Texts::offline();
        let types = ast::read(&tree, &|_| true, &mut texts);
        n += types.items.len() + types.notes.len();
    }
    let defs: Vec<&macros::MacroDef> = pre.macros.values().flatten().collect();
    let wrappers: Vec<_> = defs.iter().filter_map(|m| cmacro::ioctl_macro(m)).collect();
    let fns: Vec<&macros::MacroDef> = defs
        .iter()
        .copied()
        .filter(|m| m.params.is_some())
        .collect();
    for m in &defs {
        if let Read::Item(_) = cmacro::read(m, &wrappers, &[], &fns) {
            n += 1;
        }
    }
    n
}
