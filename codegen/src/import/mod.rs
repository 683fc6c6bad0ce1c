//! `uapigen import`: a draft spec from a C uapi header, through clang.
//!
//! For every ABI uapigen models, clang preprocesses the header (`-E -dD`: the macros in
//! place, with the file and line of each) and dumps its AST as JSON (the types). Each
//! header's items are read per ABI ([`cmacro`], [`ast`]), then folded ([`fold`]): an item
//! that is the same wherever it exists gets the `arch` of those ABIs (none when it is
//! everywhere), a struct or an ioctl that differs gets one declaration per architecture,
//! and anything else that differs is a note. The draft is then compiled as a spec; an item
//! the compiler refuses (a name from another header, an expression the format cannot
//! evaluate) is left out with the compiler's message as its note, and the rest compiled
//! again, so that what `import` writes is always a spec `uapigen generate` takes.
//!
//! Nothing is guessed: what the format cannot say is a note with the header's file:line.

mod ast;
mod cmacro;
mod ctype;
pub mod draft;
mod fold;
pub mod frontend;
mod json;
mod macros;
pub mod update;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::abi::{ABIS, Abi};
use draft::{Head, Item};

/// What to import.
#[derive(Clone, Debug)]
pub struct Options {
    /// The headers: names on the include path (`linux/vfio.h`) or paths of files.
    pub headers: Vec<String>,
    /// More include folders, searched before the kernel headers.
    pub include: Vec<PathBuf>,
    /// The ABIs to parse (default: every one uapigen models). A spec imported from fewer
    /// is limited to them (`arch`).
    pub abis: Vec<&'static Abi>,
}

impl Options {
    pub fn new(header: impl Into<String>) -> Self {
        Options {
            headers: vec![header.into()],
            include: Vec::new(),
            abis: ABIS.iter().collect(),
        }
    }
}

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

/// One imported header.
#[derive(Clone, Debug)]
pub struct Imported {
    pub header: String,
    /// The draft spec.
    pub yaml: String,
    /// What was left out, sorted by place.
    pub notes: Vec<Note>,
    /// The items in the draft.
    pub items: usize,
}

/// Import every header of `opts` (one clang run per ABI for all of them).
pub fn import(opts: &Options) -> Result<Vec<Imported>, String> {
    if opts.abis.is_empty() {
        return Err("no ABI to parse the header for".to_owned());
    }
    let mut fes = Vec::new();
    let mut missing = Vec::new();
    for abi in &opts.abis {
        match frontend::Frontend::new(abi, &opts.include) {
            Ok(f) => fes.push(f),
            Err(e) => missing.push(e.0),
        }
    }
    if !missing.is_empty() {
        return Err(format!(
            "cannot parse for every ABI:\n{}",
            missing.join("\n")
        ));
    }
    // Per ABI: the headers that exist there, each read into items.
    let per_abi: Vec<Result<Vec<Option<fold::AbiItems>>, String>> = par_map(&fes, 2, |fe| {
        let found: Vec<Option<PathBuf>> = opts
            .headers
            .iter()
            .map(|h| find(h, &opts.include, &fe.include))
            .collect();
        let present: Vec<String> = opts
            .headers
            .iter()
            .zip(&found)
            .filter(|(_, f)| f.is_some())
            .map(|(h, f)| {
                if Path::new(h).is_absolute() {
                    h.clone()
                } else {
                    f.as_ref()
                        .map_or_else(String::new, |p| p.display().to_string())
                }
            })
            .collect();
        if present.is_empty() {
            return Ok(vec![None; opts.headers.len()]);
        }
        let pre = fe.macros(&present).map_err(|e| e.0)?;
        let ast = fe.ast(&present).map_err(|e| e.0)?;
        Ok(fold::read_abi(
            &pre,
            &ast,
            &opts.headers,
            &found,
            &fe.include,
        ))
    });
    let mut views: Vec<Vec<Option<fold::AbiItems>>> = Vec::new();
    let mut errs = Vec::new();
    for r in per_abi {
        match r {
            Ok(v) => views.push(v),
            Err(e) => errs.push(e),
        }
    }
    if !errs.is_empty() {
        return Err(errs.join("\n"));
    }
    let version = kernel_version(&fes[0].include);
    let mut out = Vec::new();
    for (h, header) in opts.headers.iter().enumerate() {
        let abis: Vec<(&'static Abi, &fold::AbiItems)> = fes
            .iter()
            .zip(&views)
            .filter_map(|(fe, v)| v.get(h).and_then(Option::as_ref).map(|x| (fe.abi, x)))
            .collect();
        if abis.is_empty() {
            return Err(format!(
                "{header}: not found on the include path of any ABI"
            ));
        }
        let (mut head, items, mut notes) = fold::fold(header, &abis, &opts.abis);
        if !Path::new(header).is_absolute() {
            head.source = version
                .as_ref()
                .map(|v| format!("Linux {v} include/uapi/{header}"));
        }
        let (yaml, items, more) = prune(&head, items)?;
        notes.extend(more);
        notes.sort();
        notes.dedup();
        out.push(Imported {
            header: header.clone(),
            yaml,
            notes,
            items,
        });
    }
    Ok(out)
}

/// The importer's parsing of clang's output (`clang -E -dD` text, the JSON AST) on
/// untrusted input, for the fuzz target: never panics. Returns the items and notes read.
#[doc(hidden)]
pub fn read_clang_output(preprocessed: &str, ast_json: &str) -> usize {
    fold::read_untrusted(preprocessed, ast_json)
}

/// The header's path on an ABI: a file, or the first include folder that has it.
fn find(header: &str, extra: &[PathBuf], include: &Path) -> Option<PathBuf> {
    let p = Path::new(header);
    if p.is_absolute() || header.starts_with("./") || header.starts_with("../") {
        return p.canonicalize().ok();
    }
    extra
        .iter()
        .map(PathBuf::as_path)
        .chain([include])
        .map(|d| d.join(header))
        .find(|p| p.is_file())
        .and_then(|p| p.canonicalize().ok())
}

/// `6.1` from `<linux/version.h>`.
fn kernel_version(include: &Path) -> Option<String> {
    let text = std::fs::read_to_string(include.join("linux/version.h")).ok()?;
    let get = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("#define {name} ")))
            .map(|v| v.trim().to_owned())
    };
    Some(format!(
        "{}.{}",
        get("LINUX_VERSION_MAJOR")?,
        get("LINUX_VERSION_PATCHLEVEL")?
    ))
}

/// Compile the draft; leave out each item the compiler refuses, with its message as the
/// note, until it compiles.
fn prune(head: &Head, items: Vec<fold::Placed>) -> Result<(String, usize, Vec<Note>), String> {
    let mut items = items;
    let mut notes = Vec::new();
    loop {
        let list: Vec<Item> = items.iter().map(|p| p.item.clone()).collect();
        let (yaml, lines) = draft::to_yaml(head, &list)?;
        let path = format!("{}.yaml", head.name);
        let diags = match crate::compile_str(&path, &yaml) {
            Ok(_) => return Ok((yaml, items.len(), notes)),
            Err(d) => d,
        };
        let mut drop: BTreeMap<usize, String> = BTreeMap::new();
        for d in &diags.list {
            let line = d.span.line;
            match lines.iter().position(|&(a, b)| a <= line && line <= b) {
                Some(i) => {
                    drop.entry(i)
                        .or_insert_with(|| format!("{} {}", d.code.as_str(), d.message));
                }
                None => {
                    return Err(format!(
                        "the draft spec of {} does not compile (a bug of the importer):\n{}\n{yaml}",
                        head.header,
                        diags.plain()
                    ));
                }
            }
        }
        for (i, why) in drop.iter().rev() {
            let p = items.remove(*i);
            notes.push(Note {
                file: p.file.clone(),
                line: p.line,
                message: format!("`{}` left out: {why}", p.item.name()),
            });
        }
    }
}

/// `f` over `items` on `threads` threads, in order.
fn par_map<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<R>>> =
        items.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    if let Ok(mut slot) = slots[i].lock() {
                        *slot = Some(r);
                    }
                }
            });
        }
    });
    slots
        .into_iter()
        .filter_map(|m| m.into_inner().ok().flatten())
        .collect()
}
