//! The `uapigen` command line.

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use uapigen::builder_api::{BuildError, compile_all, compile_with_uses, spec_files};
use uapigen::emit::Mode;
use uapigen::files::{self, OutputDirs};

#[derive(Parser)]
#[command(
    name = "uapigen",
    version,
    about = "Linux uapi specs (YAML) to Rust bindings, C headers and layout assertions"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate the bindings crate (Rust, C headers, assertions) from the specs.
    Generate {
        /// Spec files; default: every spec/*.yaml.
        specs: Vec<PathBuf>,
        /// Directory of specs used when no file is named.
        #[arg(long, default_value = "spec")]
        spec_dir: PathBuf,
        /// Output directory (the `linux-uapi` crate).
        #[arg(long, short, default_value = "generated")]
        out: PathBuf,
        /// Write nothing; exit 1 and print a diff when an output is stale.
        #[arg(long)]
        check: bool,
        /// Print the wall time of each phase (parse, resolve, layout, render, write) on
        /// stderr at the end.
        #[arg(long)]
        timings: bool,
    },
    /// Write the Markdown reference page of each spec: every ioctl with its argument and
    /// number per ABI group, every struct with its layout per ABI group, payload variants
    /// and validator checks, the flags, value groups and constants.
    Doc {
        /// Spec files; default: every spec/*.yaml.
        specs: Vec<PathBuf>,
        /// Directory of specs used when no file is named.
        #[arg(long, default_value = "spec")]
        spec_dir: PathBuf,
        /// Output directory: NAME.md per spec and README.md, the index.
        #[arg(long, short, default_value = "docs/spec")]
        out: PathBuf,
        /// Write nothing; exit 1 and print a diff when a page is stale.
        #[arg(long)]
        check: bool,
    },
    /// Report sizes, offsets, holes and tail padding (pahole-like), per ABI or across ABIs.
    Layout {
        /// The spec file.
        spec: PathBuf,
        /// One ABI (default: x86_64); an unknown name lists the known ones.
        #[arg(long, conflicts_with = "all_abis")]
        abi: Option<String>,
        /// Every ABI, with a table of the structs and ioctl sizes that differ between them.
        #[arg(long)]
        all_abis: bool,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Check specs against the kernel's uapi rules (exit 1 on findings that are not allowed).
    Lint {
        /// Spec files; default: every spec/*.yaml.
        specs: Vec<PathBuf>,
        /// Directory of specs used when no file is named.
        #[arg(long, default_value = "spec")]
        spec_dir: PathBuf,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
        /// Explain a rule (e.g. L0101) or an error code (E0103) and exit; as `uapigen explain`.
        #[arg(long)]
        explain: Option<String>,
    },
    /// Explain an error code (E0103) or lint rule (L0101): what it means, with an example.
    Explain {
        /// The code, e.g. E0113 or L0101.
        code: String,
    },
    /// Write a starter spec NAME.yaml (a struct, a flag set and an ioctl) that passes
    /// `check` and `lint`.
    Init {
        /// The spec's name (lower_snake_case): its header is linux/NAME.h.
        name: String,
        /// The folder to write NAME.yaml into.
        #[arg(long, short, default_value = ".")]
        out: PathBuf,
    },
    /// Compare two revisions of a spec: exit 0 when every change is compatible, 1 when one
    /// breaks old user space, 2 on errors. OLD and NEW are files or `REV:path` (git).
    Compat {
        /// The older revision: a spec file, or `REV:path` for the spec at a git revision.
        old: String,
        /// The newer revision: a spec file, or `REV:path`.
        new: String,
        /// Machine-readable output: every change with its class, kind and spans.
        #[arg(long)]
        json: bool,
    },
    /// Write a draft spec from a C uapi header, parsed by clang for every ABI (items
    /// that differ between ABIs get `arch`); what the format cannot say is reported with
    /// the header's file:line and left out.
    #[cfg(feature = "import")]
    Import {
        /// A header on the include path (`linux/userfaultfd.h`) or a file.
        header: String,
        /// Write the spec here (atomically) instead of to stdout.
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// More include folders, searched before the kernel headers.
        #[arg(short = 'I', long = "include")]
        include: Vec<PathBuf>,
        /// Parse for these ABIs only (comma-separated names, e.g. x86_64,aarch64); the
        /// spec is then limited to them.
        #[arg(long, value_delimiter = ',')]
        abi: Vec<String>,
        /// Take HEADER, a newer version of the spec's header, into this spec: keep what a
        /// person wrote, take the header's facts, add `since` to new items, and print the
        /// `uapigen compat` classification of the change.
        #[arg(long, value_name = "SPEC")]
        update: Option<PathBuf>,
        /// With --update: the kernel version new items arrived in (default: from the
        /// `linux/version.h` of the newer header's tree).
        #[arg(long, value_name = "VERSION", requires = "update")]
        since: Option<String>,
        /// Also import the kernel headers HEADER includes (transitively, but those
        /// uapigen models itself), each as a spec the including one `uses`; -o names the
        /// folder all of them go to.
        #[arg(long, conflicts_with = "update", requires = "out")]
        deps: bool,
    },
    /// Validate specs without writing anything.
    Check {
        /// Spec files; default: every spec/*.yaml.
        specs: Vec<PathBuf>,
        /// Directory of specs used when no file is named.
        #[arg(long, default_value = "spec")]
        spec_dir: PathBuf,
    },
}

fn inputs(specs: Vec<PathBuf>, dir: &Path) -> Result<Vec<PathBuf>, BuildError> {
    if specs.is_empty() {
        spec_files(dir)
    } else {
        Ok(specs)
    }
}

fn report(e: &BuildError) -> ExitCode {
    match e {
        BuildError::Spec(d) => {
            eprint!("{}", d.fancy());
            eprintln!("error: {} problem(s) in the specs", d.list.len());
            ExitCode::from(1)
        }
        other => {
            eprintln!("error: {other}");
            ExitCode::from(2)
        }
    }
}

/// `uapigen explain CODE` (and `lint --explain`).
fn explain_code(code: &str) -> ExitCode {
    match uapigen::explain::explain(code) {
        Some(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        None => {
            eprintln!(
                "error: `{code}` is no error code (E0001 ...) or lint rule (L0101 ...) of uapigen\n  hint: the codes are listed in docs/errors.md"
            );
            ExitCode::from(2)
        }
    }
}

/// `uapigen init NAME`: a starter spec, written atomically, never over an existing file.
fn init(name: &str, out: &Path) -> ExitCode {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        eprintln!(
            "error: `{name}` is not a spec name\n  hint: lower_snake_case, starting with a letter (`demo`, `my_dev`)"
        );
        return ExitCode::from(2);
    }
    // As given: `my_dev.yaml` for the current folder, `specs/my_dev.yaml` under -o specs.
    let path = match out == Path::new(".") {
        true => PathBuf::from(format!("{name}.yaml")),
        false => out.join(format!("{name}.yaml")),
    };
    if path.exists() {
        eprintln!(
            "error: {} exists; init writes only new files\n  hint: pick another name or folder (-o)",
            path.display()
        );
        return ExitCode::from(2);
    }
    let text = uapigen::explain::starter_spec(name);
    let outputs = uapigen::files::Outputs::from([(PathBuf::from(format!("{name}.yaml")), text)]);
    match uapigen::files::write_all(out, &outputs) {
        Ok(_) => {
            println!(
                "wrote {}: check it with `uapigen check {0}`, then `uapigen generate {0}`",
                path.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Explain { code } => explain_code(&code),
        Command::Init { name, out } => init(&name, &out),
        #[cfg(feature = "import")]
        Command::Import {
            header,
            out,
            include,
            abi,
            update,
            since,
            deps,
        } => match update {
            Some(spec) => import_update(spec, header, out, include, abi, since),
            None if deps => import_deps(header, out, include, abi),
            None => import(header, out, include, abi),
        },
        Command::Compat { old, new, json } => {
            let load = |arg: &str| -> Result<uapigen::Model, ExitCode> {
                match load_revision(arg) {
                    Ok((path, text)) => {
                        uapigen::compile_str(&path, &text).map_err(|d| report(&BuildError::Spec(d)))
                    }
                    Err(e) => {
                        eprintln!("error: {e}");
                        Err(ExitCode::from(2))
                    }
                }
            };
            let (o, n) = match (load(&old), load(&new)) {
                (Ok(o), Ok(n)) => (o, n),
                (Err(e), _) | (_, Err(e)) => return e,
            };
            let changes = uapigen::compat::compare(&o, &n);
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&uapigen::compat::json(&o, &n, &changes))
                        .unwrap_or_default()
                );
            } else {
                print!("{}", uapigen::compat::render(&o, &n, &changes));
            }
            if changes
                .iter()
                .any(|c| c.class == uapigen::compat::Class::Breaking)
            {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Lint {
            specs,
            spec_dir,
            json,
            explain,
        } => {
            if let Some(id) = explain {
                return explain_code(&id);
            }
            let models = match inputs(specs, &spec_dir).and_then(|i| compile_all(&i)) {
                Ok(m) => m,
                Err(e) => return report(&e),
            };
            let mut failing = 0;
            let mut all = Vec::new();
            for m in &models {
                match uapigen::lint::lint(m) {
                    Ok(f) => {
                        failing += f.iter().filter(|f| f.allowed.is_none()).count();
                        if json {
                            all.push(uapigen::lint::json(m, &f));
                        } else {
                            print!("{}", uapigen::lint::render(m, &f));
                        }
                    }
                    Err(d) => return report(&BuildError::Spec(d)),
                }
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&all).unwrap_or_default());
            }
            eprintln!("{failing} finding(s) not allowed");
            if failing > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Layout {
            spec,
            abi,
            all_abis,
            json,
        } => {
            let model = match compile_all(&[spec]) {
                Ok(mut m) if m.len() == 1 => m.remove(0),
                Ok(_) => return ExitCode::from(2),
                Err(e) => return report(&e),
            };
            let name = abi.as_deref().unwrap_or("x86_64");
            let Some(one) = model.layout(name) else {
                let names: Vec<&str> = uapigen::abi::ABIS.iter().map(|a| a.name).collect();
                eprintln!("error: unknown ABI `{name}`; known: {}", names.join(", "));
                return ExitCode::from(2);
            };
            let selected: Vec<&uapigen::layout::Layout> = if all_abis {
                model.layouts.iter().collect()
            } else {
                vec![one]
            };
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&uapigen::report::json(&model, &selected))
                        .unwrap_or_default()
                );
            } else if all_abis {
                print!("{}", uapigen::report::cross_abi_text(&model));
            } else {
                print!("{}", uapigen::report::layout_text(&model, one));
            }
            ExitCode::SUCCESS
        }
        Command::Doc {
            specs,
            spec_dir,
            out,
            check,
        } => {
            let models = match inputs(specs, &spec_dir).and_then(|i| compile_all(&i)) {
                Ok(m) => m,
                Err(e) => return report(&e),
            };
            let mut pages = files::Outputs::new();
            let mut index = String::from(
                "<!-- @generated by uapigen doc. Do not edit. -->\n\n# Reference pages of the specs\n\n\
                 One page per spec, written by `uapigen doc` from the spec (the test command keeps them current).\n\n\
                 | spec | header | ioctls | structs and unions |\n|---|---|---|---|\n",
            );
            for m in &models {
                let md = &m.module;
                let named = (0..md.types.len())
                    .filter(|&id| md.types[id].parent.is_none() && md.origin(id).is_none())
                    .count();
                index.push_str(&format!(
                    "| [{0}]({0}.md) | `<{1}>` | {2} | {named} |\n",
                    md.name,
                    md.header,
                    md.ioctls.len()
                ));
                pages.insert(
                    PathBuf::from(format!("{}.md", md.name)),
                    uapigen::emit::doc::reference(m),
                );
            }
            pages.insert(PathBuf::from("README.md"), index);
            write_or_check(&[(&out, &pages)], check, "uapigen doc")
        }
        Command::Check { specs, spec_dir } => {
            match inputs(specs, &spec_dir).and_then(|i| compile_all(&i)) {
                Ok(models) => {
                    for m in &models {
                        eprintln!(
                            "ok: {} ({} types, {} ioctls)",
                            m.module.file.path.display(),
                            m.module.types.len(),
                            m.module.ioctls.len()
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => report(&e),
            }
        }
        Command::Generate {
            specs,
            spec_dir,
            out,
            check,
            timings,
        } => {
            let start = std::time::Instant::now();
            if timings {
                uapigen::timing::enable();
            }
            let code = generate(specs, &spec_dir, out, check);
            if timings {
                eprintln!("timings (wall; the two render phases overlap):");
                for (name, took) in uapigen::timing::totals() {
                    eprintln!("  {name:<40} {:>9.1} ms", took.as_secs_f64() * 1e3);
                }
                eprintln!(
                    "  {:<40} {:>9.1} ms",
                    "total",
                    start.elapsed().as_secs_f64() * 1e3
                );
            }
            code
        }
    }
}

/// `uapigen generate`.
fn generate(specs: Vec<PathBuf>, spec_dir: &Path, out: PathBuf, check: bool) -> ExitCode {
    // The schema of the format sits next to the project's specs: it is written (and
    // checked) when the specs are the spec folder's, not for specs named one by one.
    let with_schema = specs.is_empty();
    let models = match inputs(specs, spec_dir).and_then(|i| compile_with_uses(&i)) {
        Ok(m) => m,
        Err(e) => return report(&e),
    };
    // The crate's guide, when the spec folder has one (spec/GUIDE.md).
    let mut dirs = OutputDirs::crate_layout();
    if with_schema {
        let guide = spec_dir.join("GUIDE.md");
        match std::fs::read_to_string(&guide) {
            Ok(text) => dirs.guide = Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return report(&BuildError::Io {
                    path: guide,
                    source,
                });
            }
        }
    }
    let outputs = match files::render(&models, &dirs, Mode::Build) {
        Ok(o) => o,
        Err(e) => return report(&BuildError::Emit(e)),
    };
    // The schema of the format sits next to the specs.
    let schema: files::Outputs = if with_schema {
        [(PathBuf::from("schema.json"), uapigen::schema_json())].into()
    } else {
        files::Outputs::new()
    };
    write_or_check(
        &[(&out, &outputs), (spec_dir, &schema)],
        check,
        "uapigen generate",
    )
}

/// Write each set of outputs under its folder (atomically, only what changed), or with
/// `check` write nothing and fail with a diff of what is stale; `command` is what makes
/// them current.
fn write_or_check(sets: &[(&Path, &files::Outputs)], check: bool, command: &str) -> ExitCode {
    let total: usize = sets.iter().map(|(_, o)| o.len()).sum();
    if check {
        let stale: Vec<(PathBuf, String)> = sets
            .iter()
            .flat_map(|(root, o)| files::stale(root, o))
            .collect();
        if stale.is_empty() {
            eprintln!("{} is up to date ({total} files)", sets[0].0.display());
            return ExitCode::SUCCESS;
        }
        for (p, diff) in &stale {
            eprintln!("stale: {}", p.display());
            print!("{diff}");
        }
        eprintln!(
            "error: {} generated file(s) are stale; run `{command}`",
            stale.len()
        );
        return ExitCode::from(1);
    }
    match files::write_sets(sets) {
        Ok(written) => {
            for p in &written {
                eprintln!("wrote {}", p.display());
            }
            eprintln!("{} of {total} files changed", written.len());
            ExitCode::SUCCESS
        }
        Err(source) => report(&BuildError::Io {
            path: sets[0].0.to_path_buf(),
            source,
        }),
    }
}

/// A spec file's text: `path`, or `REV:path` read from git (`git show REV:path`). Specs it
/// `uses` are read next to `path` in the working tree.
fn load_revision(arg: &str) -> Result<(PathBuf, String), String> {
    if std::path::Path::new(arg).exists() {
        let cap = uapigen::parse::MAX_SPEC_BYTES;
        return match uapigen::diag::read_spec_bytes(std::path::Path::new(arg), cap) {
            Ok(Some(b)) => String::from_utf8(b)
                .map(|t| (PathBuf::from(arg), t))
                .map_err(|_| format!("{arg}: not valid UTF-8")),
            Ok(None) => Err(format!("{arg}: larger than the {cap} bytes uapigen reads")),
            Err(e) => Err(format!("{arg}: {e}")),
        };
    }
    let Some((rev, path)) = arg.split_once(':') else {
        return Err(format!("`{arg}` is neither a file nor REV:path"));
    };
    // Whatever the argument says, git reads it as one object name, never as an option.
    if rev.is_empty() || rev.starts_with('-') || path.starts_with('-') {
        return Err(format!(
            "`{arg}`: a revision is a commit, branch or tag name, not an option"
        ));
    }
    let out = std::process::Command::new("git")
        .args(["show", "--end-of-options", &format!("{rev}:{path}")])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git show {rev}:{path}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok((
        PathBuf::from(path),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ))
}

/// The ABIs named on the command line (all when none is).
#[cfg(feature = "import")]
fn abis(names: &[String]) -> Result<Vec<&'static uapigen::abi::Abi>, ExitCode> {
    if names.is_empty() {
        return Ok(uapigen::abi::ABIS.iter().collect());
    }
    let mut out = Vec::new();
    for name in names {
        match uapigen::abi::ABIS.iter().find(|a| a.name == name) {
            Some(a) => out.push(a),
            None => {
                let known: Vec<&str> = uapigen::abi::ABIS.iter().map(|a| a.name).collect();
                eprintln!(
                    "error: unknown ABI `{name}`; the known ones: {}",
                    known.join(", ")
                );
                return Err(ExitCode::from(2));
            }
        }
    }
    Ok(out)
}

/// `import --update SPEC HEADER`: the updated spec to stdout or `-o`, what changed and
/// the compat classification to stderr (to stdout with `-o`).
#[cfg(feature = "import")]
fn import_update(
    spec: PathBuf,
    header: String,
    out: Option<PathBuf>,
    include: Vec<PathBuf>,
    abi: Vec<String>,
    since: Option<String>,
) -> ExitCode {
    let abis = match abis(&abi) {
        Ok(a) => a,
        Err(e) => return e,
    };
    let opts = uapigen::import::update::Options {
        spec,
        header,
        include,
        abis,
        since,
    };
    let up = match uapigen::import::update::update(&opts) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    for n in &up.notes {
        eprintln!("note: {n}");
    }
    for line in &up.report {
        eprintln!("{line}");
    }
    let changes = uapigen::compat::compare(&up.old, &up.new);
    let classification = uapigen::compat::render(&up.old, &up.new, &changes);
    match out {
        Some(path) => match files::write_if_changed(&path, &up.yaml) {
            Ok(_) => {
                print!("{classification}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                ExitCode::from(2)
            }
        },
        None => {
            print!("{}", up.yaml);
            eprint!("{classification}");
            ExitCode::SUCCESS
        }
    }
}

#[cfg(feature = "import")]
fn import(
    header: String,
    out: Option<PathBuf>,
    include: Vec<PathBuf>,
    abi: Vec<String>,
) -> ExitCode {
    let mut opts = uapigen::import::Options::new(header);
    opts.include = include;
    opts.abis = match abis(&abi) {
        Ok(a) => a,
        Err(e) => return e,
    };
    let imported = match uapigen::import::import(&opts) {
        Ok(mut v) if v.len() == 1 => match v.remove(0) {
            Ok(i) => i,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        },
        Ok(_) => return ExitCode::from(2),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    for n in &imported.notes {
        eprintln!("note: {n}");
    }
    eprintln!(
        "{}: {} items imported, {} notes",
        imported.header,
        imported.items,
        imported.notes.len()
    );
    match out {
        Some(path) => match files::write_if_changed(&path, &imported.yaml) {
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                ExitCode::from(2)
            }
        },
        None => {
            print!("{}", imported.yaml);
            ExitCode::SUCCESS
        }
    }
}

/// `import --deps -o DIR`: the header and the kernel headers it includes, each a spec in
/// DIR (written together, atomically).
#[cfg(feature = "import")]
fn import_deps(
    header: String,
    out: Option<PathBuf>,
    include: Vec<PathBuf>,
    abi: Vec<String>,
) -> ExitCode {
    let mut opts = uapigen::import::Options::new(header);
    opts.include = include;
    opts.deps = true;
    opts.abis = match abis(&abi) {
        Ok(a) => a,
        Err(e) => return e,
    };
    let Some(dir) = out else {
        eprintln!("error: --deps needs -o DIR");
        return ExitCode::from(2);
    };
    let results = match uapigen::import::import(&opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut outputs = files::Outputs::new();
    let mut failed = false;
    for (n, r) in results.into_iter().enumerate() {
        match r {
            Ok(im) => {
                for note in &im.notes {
                    eprintln!("note: {note}");
                }
                eprintln!(
                    "{}: {} items imported into {}.yaml{}",
                    im.header,
                    im.items,
                    im.name,
                    if im.dependency { " (included)" } else { "" }
                );
                outputs.insert(PathBuf::from(format!("{}.yaml", im.name)), im.yaml);
            }
            Err(e) if n == 0 => {
                eprintln!("error: {e}");
                failed = true;
            }
            Err(e) => eprintln!("note: an included header is left out: {e}"),
        }
    }
    if failed {
        return ExitCode::from(2);
    }
    if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| files::write_all(&dir, &outputs)) {
        eprintln!("error: cannot write into {}: {e}", dir.display());
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
