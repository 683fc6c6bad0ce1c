//! Output files: what a set of specs generates, and writing it atomically, only when the
//! content changed (so cargo does not rebuild for nothing).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::emit::{EmitError, Mode, c as emit_c, rust as emit_rust};
use crate::model::Model;

/// Generated files: path relative to the output directory -> content. Ordered, so that
/// output is deterministic.
pub type Outputs = BTreeMap<PathBuf, String>;

/// Which outputs to produce, and the folders they go to.
#[derive(Clone, Debug)]
pub struct OutputDirs {
    /// Rust module of each spec: `{rust_dir}/{name}.rs`.
    pub rust_dir: PathBuf,
    /// C headers: `{c_dir}/{header}`.
    pub c_dir: PathBuf,
    /// C assertion files: `{asserts_dir}/{name}_layout.c`.
    pub asserts_dir: PathBuf,
    /// Rust probe tables (`{probe_dir}/{name}.rs`) and the module path they refer to.
    pub probe: Option<(PathBuf, String)>,
    /// Also write `src/lib.rs` of a bindings crate that holds every module.
    pub crate_root: bool,
    /// The optional parts of the Rust modules (C-name aliases, serde).
    pub rust: crate::emit::rust::RustOptions,
    /// With `crate_root`: a guide (Markdown, its examples compiled as doctests) copied to
    /// `GUIDE.md` and made the rest of the crate's front page.
    pub guide: Option<String>,
}

impl OutputDirs {
    /// The folders of the checked-in `generated/` crate.
    pub fn crate_layout() -> Self {
        OutputDirs {
            rust_dir: "src".into(),
            c_dir: "include".into(),
            asserts_dir: "layout".into(),
            probe: Some(("src/layout_probe".into(), "crate".into())),
            crate_root: true,
            rust: crate::emit::rust::RustOptions {
                c_names: crate::emit::rust::Gate::Feature("c-names".into()),
                serde: crate::emit::rust::Gate::Feature("serde".into()),
                zerocopy: crate::emit::rust::Gate::Feature("zerocopy".into()),
            },
            guide: None,
        }
    }

    /// Everything flat in one directory (`OUT_DIR` of a build script).
    pub fn flat() -> Self {
        OutputDirs {
            rust_dir: PathBuf::new(),
            c_dir: "include".into(),
            asserts_dir: PathBuf::new(),
            probe: None,
            crate_root: false,
            rust: crate::emit::rust::RustOptions::default(),
            guide: None,
        }
    }
}

/// Render every output of the given models. In [`Mode::Build`] the C outputs are rendered
/// on a second thread while the Rust module (itself formatted on every core) is rendered;
/// in [`Mode::Macro`] everything runs on the caller's thread.
pub fn render(models: &[Model], dirs: &OutputDirs, mode: Mode) -> Result<Outputs, EmitError> {
    let mut out = Outputs::new();
    for model in models {
        let name = &model.module.name;
        if !mode.threads() {
            out.insert(
                dirs.rust_dir.join(format!("{name}.rs")),
                emit_rust::module_with(model, &dirs.rust, mode)?,
            );
            out.extend(render_c(model, dirs)?);
            continue;
        }
        let (rust, c) = std::thread::scope(|s| {
            let c = s.spawn(|| {
                let _t = crate::timing::phase("render C, assertions, probe (thread)");
                render_c(model, dirs)
            });
            let _t = crate::timing::phase("render Rust module (all cores)");
            let rust = emit_rust::module_with(model, &dirs.rust, mode);
            (rust, c.join())
        });
        out.insert(dirs.rust_dir.join(format!("{name}.rs")), rust?);
        out.extend(c.map_err(|_| EmitError("a rendering thread panicked".into()))??);
    }
    if dirs.crate_root {
        out.insert(
            PathBuf::from("src/lib.rs"),
            crate_lib(models, dirs.guide.is_some()),
        );
        if let Some(g) = &dirs.guide {
            out.insert(PathBuf::from("GUIDE.md"), g.clone());
        }
        // The specs themselves, shipped with the crate: a downstream spec that `uses:
        // linux_uapi::vfio` reads them (the crate's build script gives their folder to its
        // dependents' build scripts as DEP_LINUX_UAPI_SPEC_DIR).
        for model in models {
            let f = &model.module.file;
            out.insert(
                PathBuf::from("spec").join(format!("{}.yaml", model.module.name)),
                f.text.to_string(),
            );
        }
    }
    Ok(out)
}

/// The C header, its validation header, the assertion file and the Rust probe table of
/// one model.
fn render_c(model: &Model, dirs: &OutputDirs) -> Result<Outputs, EmitError> {
    let mut out = Outputs::new();
    let name = &model.module.name;
    out.insert(dirs.c_dir.join(&model.module.header), emit_c::header(model));
    if let Some(v) = emit_c::validate::header(model) {
        out.insert(
            dirs.c_dir
                .join(emit_c::validate::header_path(&model.module.header)),
            v,
        );
    }
    out.insert(
        dirs.asserts_dir.join(format!("{name}_layout.c")),
        emit_c::asserts(model),
    );
    if let Some((dir, root)) = &dirs.probe {
        out.insert(
            dir.join(format!("{name}.rs")),
            emit_rust::probe_module(
                model,
                &format!("{root}::{}", crate::names::module_ident(name)),
            )?,
        );
    }
    Ok(out)
}

/// The crate docs' list of the `unsafe` ioctl wrappers, with the fields that make them so.
fn unsafe_wrappers_doc(models: &[Model]) -> String {
    let mut list: Vec<String> = Vec::new();
    for model in models {
        let md = crate::names::module_ident(&model.module.name);
        for (i, io) in model.module.ioctls.iter().enumerate() {
            let fields = model.facts.user_addresses(i);
            if fields.is_empty() {
                continue;
            }
            let line = format!(
                "//! - `{md}::{}`: {}\n",
                crate::names::wrapper_name(&io.rust_name),
                fields
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            // An ioctl declared once per architecture has one wrapper name.
            if !list.contains(&line) {
                list.push(line);
            }
        }
    }
    list.sort_unstable();
    let mut s = String::from(
        "//!\n\
         //! # Safe and `unsafe` wrappers\n\
         //!\n\
         //! Every ioctl has a wrapper (`vfio::iommu_map_dma(&fd, &mut map)`) typed by its\n\
         //! argument. It is safe where the kernel reads or writes only the argument Rust\n\
         //! lends it for the call (a pointer the wrapper fills from a borrowed slice stays\n\
         //! safe). It is an `unsafe fn` where the argument carries a user address the caller\n\
         //! provides (a field marked `user-address` in the spec, or a pointer member): the\n\
         //! kernel, a guest or a device may read or write that memory during and after the\n\
         //! call (a guest memory slot, a DMA mapping, a userfaultfd range), which Rust cannot\n\
         //! check. Each one's `# Safety` section names the fields; the caller must keep the\n\
         //! memory valid (and not otherwise borrowed) as long as the kernel may use it.\n\
         //! Guest and IO addresses (`iova`, `guest_phys_addr`) are not user addresses. The\n\
         //! `unsafe` wrappers, by the fields that make them so:\n\
         //!\n",
    );
    for l in list {
        s.push_str(&l);
    }
    s
}

/// `src/lib.rs` of the bindings crate.
fn crate_lib(models: &[Model], guide: bool) -> String {
    let mut mods: Vec<(&str, Option<&str>)> = models
        .iter()
        .map(|m| (m.module.name.as_str(), m.module.doc.as_deref()))
        .collect();
    mods.sort_unstable();
    let names: Vec<&str> = mods.iter().map(|(n, _)| *n).collect();
    let mut s = String::from(
        "// @generated by uapigen from spec/*.yaml. Do not edit.\n\n\
         //! Linux uapi bindings generated by uapigen: one module per spec in `spec/`, with\n\
         //! ioctl numbers and layouts for every Linux ABI Rust targets. The C headers are in\n\
         //! `include/`.\n",
    );
    if guide {
        s.push_str("#![doc = include_str!(\"../GUIDE.md\")]\n");
    }
    s.push_str(&unsafe_wrappers_doc(models));
    // On docs.rs (nightly, `--cfg docsrs`) each item behind a feature or an architecture
    // shows which one.
    s.push_str("\n#![no_std]\n#![cfg_attr(docsrs, feature(doc_cfg))]\n\n");
    // Generated modules are formatted by prettyplease; rustfmt leaves them alone. Each
    // module's docs are its spec's `doc`.
    for (n, doc) in &mods {
        for line in doc.unwrap_or_default().trim_end().lines() {
            let line = line.trim_end();
            s.push_str(if line.is_empty() { "///\n" } else { "/// " });
            if !line.is_empty() {
                s.push_str(line);
                s.push('\n');
            }
        }
        s.push_str(&format!(
            "#[rustfmt::skip]\npub mod {};\n",
            crate::names::module_ident(n)
        ));
    }
    s.push_str("\n/// Values of every fact as rustc computes them, for the conformance tests.\n#[cfg(feature = \"layout-probe\")]\n#[doc(hidden)]\npub mod layout_probe {\n");
    for n in &names {
        s.push_str(&format!(
            "    #[rustfmt::skip]\n    pub mod {};\n",
            crate::names::module_ident(n)
        ));
    }
    s.push_str("}\n");
    s
}

/// The current content of an output file, if it is a regular file no longer than a little
/// more than its new content (a longer one differs anyway).
fn read_output(path: &Path, new_len: usize) -> Option<Vec<u8>> {
    crate::diag::read_regular(path, new_len + 1).ok().flatten()
}

/// Write `content` to `path` through a temporary file in the same directory and a rename,
/// unless the file already holds exactly that. Returns whether the file was written.
pub fn write_if_changed(path: &Path, content: &str) -> std::io::Result<bool> {
    let mut outputs = Outputs::new();
    let name = path.file_name().map(PathBuf::from).unwrap_or_default();
    outputs.insert(name, content.to_owned());
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Ok(!write_all(dir, &outputs)?.is_empty())
}

/// Prefix of the temporary files a run stages its outputs in.
const TMP_PREFIX: &str = ".uapigen-tmp-";
/// The lock file a run holds in its (first) output folder.
const LOCK_FILE: &str = ".uapigen.lock";

/// An I/O error that names the file it happened on.
fn at(path: &Path) -> impl FnOnce(std::io::Error) -> std::io::Error + '_ {
    move |e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

fn tempfile_in(dir: &Path, target: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    let stem = target
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    for n in 0..1000u32 {
        let p = dir.join(format!("{TMP_PREFIX}{}-{n}-{stem}", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&p)
        {
            Ok(f) => return Ok((p, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(at(&p)(e)),
        }
    }
    Err(std::io::Error::other(format!(
        "{}: cannot create a temporary file",
        dir.display()
    )))
}

/// The folders the outputs of a set go to (those that exist), for leftovers.
fn output_dirs(root: &Path, outputs: &Outputs) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = outputs
        .keys()
        .map(|rel| {
            root.join(rel)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default()
        })
        .collect();
    dirs.sort();
    dirs.dedup();
    dirs.retain(|d| d.is_dir());
    dirs
}

/// Temporary files an interrupted run left in the folders of a set of outputs.
fn leftovers(root: &Path, outputs: &Outputs) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for d in output_dirs(root, outputs) {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            if e.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

/// Write all outputs below `root` as one set; see [`write_sets`].
pub fn write_all(root: &Path, outputs: &Outputs) -> std::io::Result<Vec<PathBuf>> {
    write_sets(&[(root, outputs)])
}

/// Write several sets of outputs (each below its root) as one set, so that after a
/// failure the files are all old or all new:
///
/// 1. a lock on `.uapigen.lock` in the first root keeps a concurrent run out (the kernel
///    drops it when a run dies);
/// 2. temporary files left by an interrupted run are removed;
/// 3. every file that changes is staged first: written whole to a temporary file next to
///    it, with the old file's mode, and synced; a failure here removes what was staged and
///    changes nothing;
/// 4. only then is each staged file renamed over its output.
///
/// A crash during step 4 can leave a mix, which the next run repairs (it writes every file
/// that differs) and `--check` reports ([`stale`] counts leftovers too). I/O errors name
/// the file. Returns the files written.
pub fn write_sets(sets: &[(&Path, &Outputs)]) -> std::io::Result<Vec<PathBuf>> {
    let _t = crate::timing::phase("write files");
    let Some((first, _)) = sets.first() else {
        return Ok(Vec::new());
    };
    std::fs::create_dir_all(first).map_err(at(first))?;
    let lock_path = first.join(LOCK_FILE);
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(at(&lock_path))?;
    lock.lock().map_err(at(&lock_path))?;
    for (root, outputs) in sets {
        for p in leftovers(root, outputs) {
            std::fs::remove_file(&p).map_err(at(&p))?;
        }
    }
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let stage = |staged: &mut Vec<(PathBuf, PathBuf)>| -> std::io::Result<()> {
        for (root, outputs) in sets {
            for (rel, content) in outputs.iter() {
                let path = root.join(rel);
                if read_output(&path, content.len()).is_some_and(|old| old == content.as_bytes()) {
                    continue;
                }
                let dir = path
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                std::fs::create_dir_all(dir).map_err(at(dir))?;
                let (tmp, mut f) = tempfile_in(dir, &path)?;
                staged.push((tmp.clone(), path.clone()));
                f.write_all(content.as_bytes()).map_err(at(&tmp))?;
                if let Ok(meta) = std::fs::metadata(&path) {
                    f.set_permissions(meta.permissions()).map_err(at(&tmp))?;
                }
                f.sync_all().map_err(at(&tmp))?;
            }
        }
        Ok(())
    };
    if let Err(e) = stage(&mut staged) {
        for (tmp, _) in &staged {
            let _ = std::fs::remove_file(tmp);
        }
        return Err(e);
    }
    let mut written = Vec::new();
    for (i, (tmp, path)) in staged.iter().enumerate() {
        if let Err(e) = std::fs::rename(tmp, path) {
            for (t, _) in &staged[i..] {
                let _ = std::fs::remove_file(t);
            }
            return Err(at(path)(e));
        }
        written.push(path.clone());
    }
    drop(lock);
    Ok(written)
}

/// Files that differ from the outputs (missing or different), with a unified diff each,
/// and temporary files an interrupted run left among them.
pub fn stale(root: &Path, outputs: &Outputs) -> Vec<(PathBuf, String)> {
    let mut out: Vec<(PathBuf, String)> = leftovers(root, outputs)
        .into_iter()
        .map(|p| {
            (
                p,
                "a temporary file of an interrupted run (the next `generate` removes it)\n"
                    .to_owned(),
            )
        })
        .collect();
    for (rel, content) in outputs {
        let p = root.join(rel);
        let old = read_output(&p, content.len())
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default();
        if old != *content {
            let diff = similar::TextDiff::from_lines(&old, content)
                .unified_diff()
                .header(
                    &format!("a/{}", rel.display()),
                    &format!("b/{}", rel.display()),
                )
                .to_string();
            out.push((p, diff));
        }
    }
    out
}
