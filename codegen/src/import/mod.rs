//! `uapigen import`: a draft spec from a C uapi header, through clang.
//!
//! For every ABI uapigen models, clang preprocesses the header (`-E -dD`: the macros in
//! place, with the file and line of each) and dumps its AST as JSON (the types). Each
//! header's items are read per ABI ([`cmacro`], [`ast`]), then folded ([`fold`]): an item
//! that is the same wherever it exists gets the `arch` of those ABIs (none when it is
//! everywhere), a constant, struct or ioctl that differs gets one declaration per
//! architecture (and so does one that names such a declaration: [`fold`]), and anything
//! else that differs is a note. With `deps`, a header that names what another header
//! defines without including it uses that header's draft ([`missing`]). The draft is then
//! compiled as a spec; an item the compiler refuses (a name from another header, an
//! expression the format cannot evaluate) is left out with the compiler's message as its
//! note, and the rest compiled again, so that what `import` writes is always a spec
//! `uapigen generate` takes.
//!
//! Nothing is guessed: what the format cannot say is a note with the header's file:line.

mod ast;
mod cmacro;
mod ctype;
mod deps;
pub mod draft;
mod fold;
pub mod frontend;
mod json;
mod macros;
mod missing;
pub mod update;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::abi::{ABIS, Abi};
pub use draft::Note;
use draft::{Head, Item};
pub use fold::spec_name;

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
    /// Also import the kernel headers they include (transitively, but those uapigen models
    /// itself: `<linux/types.h>`, `<linux/ioctl.h>`, ...), each as a draft the including
    /// ones `use`, so that their names resolve.
    pub deps: bool,
}

impl Options {
    pub fn new(header: impl Into<String>) -> Self {
        Options {
            headers: vec![header.into()],
            include: Vec::new(),
            abis: ABIS.iter().collect(),
            deps: false,
        }
    }
}

/// One imported header.
#[derive(Clone, Debug)]
pub struct Imported {
    pub header: String,
    /// The spec's name (unique among the headers of one import).
    pub name: String,
    /// Imported because a requested header includes it (with `deps`).
    pub dependency: bool,
    /// The draft spec.
    pub yaml: String,
    /// What was left out, sorted by place.
    pub notes: Vec<Note>,
    /// The items in the draft.
    pub items: usize,
}

/// Import every header of `opts` (one clang run per ABI for all of them). The outer error
/// is a missing tool; each header has its own result (a header clang cannot compile on
/// some ABI fails alone: a batch that fails is split until the failing headers are found).
pub fn import(opts: &Options) -> Result<Vec<Result<Imported, String>>, String> {
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
    // Per ABI, per header: absent there (None), its items, or clang's error. With `deps`,
    // the kernel headers they include come in too, round by round.
    let mut names: Vec<String> = opts.headers.clone();
    let mut views: Vec<Vec<Option<Result<fold::AbiItems, String>>>> = vec![Vec::new(); fes.len()];
    let mut done = 0;
    // With `deps`, headers that define names a header uses without including them, found
    // once the includes are all read (see [`missing`]).
    let index = opts.deps.then(|| {
        let dirs: Vec<&Path> = fes.iter().map(|f| f.include.as_path()).collect();
        missing::Index::new(&dirs)
    });
    let mut extra: BTreeMap<usize, Vec<(String, Note)>> = BTreeMap::new();
    for _ in 0..deps::MAX_ROUNDS {
        if names.len() == done
            && let Some(index) = &index
        {
            for (h, list) in missing::find(&names, &views, index).into_iter().enumerate() {
                for (header, note) in list {
                    for v in views.iter_mut() {
                        if let Some(Some(Ok(x))) = v.get_mut(h)
                            && !x.includes.contains(&header)
                        {
                            x.includes.push(header.clone());
                        }
                    }
                    if !names.contains(&header) {
                        names.push(header.clone());
                    }
                    extra.entry(h).or_default().push((header, note));
                }
            }
        }
        let new: Vec<String> = names[done..].to_vec();
        if new.is_empty() {
            break;
        }
        let round = par_map(&fes, 2, |fe| {
            let found: Vec<Option<PathBuf>> = new
                .iter()
                .map(|h| find(h, &opts.include, &fe.include))
                .collect();
            let mut out: Vec<Option<Result<fold::AbiItems, String>>> = vec![None; new.len()];
            let present: Vec<usize> = (0..found.len()).filter(|&i| found[i].is_some()).collect();
            read_batch(fe, &new, &found, &present, &mut out);
            out
        });
        for (v, r) in views.iter_mut().zip(round) {
            v.extend(r);
        }
        done = names.len();
        if !opts.deps {
            break;
        }
        for v in &views {
            for x in v.iter().flatten().flatten() {
                for inc in &x.includes {
                    if !deps::modelled(inc) && !names.contains(inc) {
                        names.push(inc.clone());
                    }
                }
            }
        }
    }
    let version = kernel_version(&fes[0].include);
    let spec_names = deps::unique_names(&names);
    let mut results: Vec<Option<Result<Imported, String>>> = vec![None; names.len()];
    let mut session = crate::Session::default();
    let mut decls: Vec<deps::Decls> = vec![deps::Decls::new(); names.len()];
    let mut defined: Vec<BTreeSet<String>> = vec![BTreeSet::new(); names.len()];
    for h in deps::order(&names, &views) {
        let header = &names[h];
        let mut abis: Vec<(&'static Abi, &fold::AbiItems)> = Vec::new();
        let mut failed = Vec::new();
        for (fe, v) in fes.iter().zip(&views) {
            match v.get(h).and_then(Option::as_ref) {
                Some(Ok(x)) => abis.push((fe.abi, x)),
                Some(Err(e)) => failed.push(e.clone()),
                None => {}
            }
        }
        if let Some(first) = failed.first() {
            results[h] = Some(Err(format!(
                "{header} does not compile on {} of the ABIs; the first error:\n{first}",
                failed.len()
            )));
            continue;
        }
        if abis.is_empty() {
            results[h] = Some(Err(format!(
                "{header}: not found on the include path of any ABI"
            )));
            continue;
        }
        let external = deps::external(&deps::closure(h, &names, &views), &decls);
        let (mut head, mut items, mut notes) = fold::fold(header, &abis, &opts.abis, &external);
        let present: Vec<&'static Abi> = abis.iter().map(|(a, _)| *a).collect();
        decls[h] = deps::declarations(&items, &present);
        defined[h] = items.iter().flat_map(|p| p.item.defines()).collect();
        head.name.clone_from(&spec_names[h]);
        // What the format has built in comes with `<linux/types.h>` and `<linux/ioctl.h>`,
        // which every generated header includes; some of those headers exist on a few ABIs
        // only (`asm/sgidefs.h`), and `includes` holds for every ABI.
        head.includes.retain(|i| !deps::modelled(i));
        deps::c99_includes(&mut head, &items);
        deps::typedef_args(&mut items);
        if !Path::new(header).is_absolute() {
            head.source = version
                .as_ref()
                .map(|v| format!("Linux {v} include/uapi/{header}"));
        }
        // An included header imported with at least one item is used, not included.
        let imported = |d: usize| matches!(&results[d], Some(Ok(im)) if im.items > 0);
        let mut used: Vec<usize> = head
            .includes
            .iter()
            .filter_map(|inc| names.iter().position(|n| n == inc))
            .filter(|&d| imported(d))
            .collect();
        // A name that comes from a header included through another (`O_CLOEXEC` of
        // <asm/fcntl.h>, which <linux/inotify.h> sees through <linux/fcntl.h>): C sees it,
        // so the draft uses that header too.
        let closure = deps::closure(h, &names, &views);
        for name in items.iter().flat_map(|p| p.item.names()) {
            let known =
                defined[h].contains(name) || used.iter().any(|&d| defined[d].contains(name));
            if let Some(d) = closure
                .iter()
                .copied()
                .find(|&d| !known && imported(d) && defined[d].contains(name))
            {
                used.push(d);
            }
        }
        head.includes
            .retain(|inc| !used.iter().any(|&d| &names[d] == inc));
        // A header found for a name it uses without including is used, or else left out
        // (it did not import: the items that need it are left out with their reasons).
        let mut found = extra.remove(&h).unwrap_or_default();
        head.includes
            .retain(|inc| !found.iter().any(|(f, _)| f == inc));
        found.retain(|(f, _)| used.iter().any(|&d| &names[d] == f));
        head.uses = used.iter().map(|&d| spec_names[d].clone()).collect();
        results[h] = Some(
            prune(&mut session, &head, items).map(|(yaml, items, more)| {
                notes.extend(more);
                notes.extend(found.into_iter().map(|(_, n)| n));
                notes.sort();
                notes.dedup();
                Imported {
                    header: header.clone(),
                    name: head.name.clone(),
                    dependency: h >= opts.headers.len(),
                    yaml,
                    notes,
                    items,
                }
            }),
        );
    }
    Ok(results.into_iter().flatten().collect())
}

/// Run clang on the headers `which` together; when it fails, on each half, down to the
/// single headers that fail, whose slot gets clang's error.
fn read_batch(
    fe: &frontend::Frontend,
    names: &[String],
    found: &[Option<PathBuf>],
    which: &[usize],
    out: &mut [Option<Result<fold::AbiItems, String>>],
) {
    if which.is_empty() {
        return;
    }
    let files: Vec<String> = which
        .iter()
        .filter_map(|&i| found[i].as_ref().map(|p| p.display().to_string()))
        .collect();
    let run = fe
        .macros(&files)
        .and_then(|pre| fe.ast(&files).map(|ast| (pre, ast)));
    match run {
        Ok((pre, ast)) => {
            let mine: Vec<Option<PathBuf>> = (0..found.len())
                .map(|i| {
                    if which.contains(&i) {
                        found[i].clone()
                    } else {
                        None
                    }
                })
                .collect();
            let read = fold::read_abi(&pre, &ast, names, &mine, &fe.include);
            for (i, r) in read.into_iter().enumerate() {
                if let Some(r) = r {
                    out[i] = Some(Ok(r));
                }
            }
        }
        Err(e) if which.len() == 1 => out[which[0]] = Some(Err(e.0)),
        Err(e) => {
            // clang names the unit's line whose include led to each error: those headers
            // run alone (where they fail for themselves, or succeed without the others),
            // the rest together again. When no line is named, split the batch in two.
            let blamed: Vec<usize> = which
                .iter()
                .enumerate()
                .filter(|&(k, _)| e.0.contains(&format!("<stdin>:{}:", fe.line_of(k))))
                .map(|(_, &i)| i)
                .collect();
            if blamed.is_empty() || blamed.len() == which.len() {
                let (a, b) = which.split_at(which.len() / 2);
                read_batch(fe, names, found, a, out);
                read_batch(fe, names, found, b, out);
            } else {
                for &i in &blamed {
                    read_batch(fe, names, found, &[i], out);
                }
                let rest: Vec<usize> = which
                    .iter()
                    .copied()
                    .filter(|i| !blamed.contains(i))
                    .collect();
                read_batch(fe, names, found, &rest, out);
            }
        }
    }
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
fn prune(
    session: &mut crate::Session,
    head: &Head,
    items: Vec<fold::Placed>,
) -> Result<(String, usize, Vec<Note>), String> {
    let mut items = items;
    let mut notes = Vec::new();
    loop {
        let list: Vec<Item> = items.iter().map(|p| p.item.clone()).collect();
        let (yaml, lines) = draft::to_yaml(head, &list)?;
        // A folder that does not exist: the drafts it uses are found in the session only.
        let path = format!("<import>/{}.yaml", head.name);
        let diags = match session.compile_str(&path, &yaml) {
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
