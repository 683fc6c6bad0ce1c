//! `uapigen::Builder`: generate bindings from `build.rs`, in the style of prost-build.
//!
//! In `build.rs`:
//!
//! ```no_run
//! if let Err(e) = uapigen::Builder::new().spec("spec/vfio.yaml").generate() {
//!     eprintln!("{e}");
//!     std::process::exit(1);
//! }
//! ```
//!
//! and in the crate: `pub mod vfio { include!(concat!(env!("OUT_DIR"), "/vfio.rs")); }`.
//!
//! The builder can also run `uapigen lint` on the specs ([`Builder::lint`]): with
//! [`LintLevel::Warn`] each finding the spec does not `allow` becomes a `cargo:warning` line
//! (and is returned in [`Generated::warnings`]); with [`LintLevel::Deny`] it fails the build
//! ([`BuildError::Lint`]) before anything is written:
//!
//! ```no_run
//! use uapigen::{Builder, LintLevel};
//!
//! if let Err(e) = Builder::new().spec("spec/vfio.yaml").lint(LintLevel::Deny).generate() {
//!     eprintln!("{e}");
//!     std::process::exit(1);
//! }
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use crate::diag::Diagnostics;
use crate::emit::{EmitError, Mode};
use crate::files::{self, OutputDirs};
use crate::model::Model;

/// Why a build failed.
#[derive(Debug)]
pub enum BuildError {
    /// The specs have errors; each has a file, line, column, message and hint.
    Spec(Diagnostics),
    /// A file or directory could not be read or written.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// No output directory: neither `out_dir` nor `OUT_DIR` is set.
    NoOutDir,
    /// No spec was given.
    NoSpecs,
    /// Rust output could not be produced (a uapigen bug).
    Emit(EmitError),
    /// With [`LintLevel::Deny`]: the lint findings the specs do not allow, one line each
    /// (`file:line:col: L0101 implicit-padding: ... (hint: ...)`). Nothing was written.
    Lint(Vec<String>),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Spec(d) => write!(f, "{d}"),
            BuildError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            BuildError::NoOutDir => {
                f.write_str("uapigen: no output directory (set OUT_DIR or call Builder::out_dir)")
            }
            BuildError::NoSpecs => {
                f.write_str("uapigen: no spec given (call Builder::spec or Builder::spec_dir)")
            }
            BuildError::Emit(e) => write!(f, "{e}"),
            BuildError::Lint(lines) => {
                write!(
                    f,
                    "uapigen: {} lint finding(s) not allowed (fix them, or `allow:` them in the spec with a reason):",
                    lines.len()
                )?;
                for l in lines {
                    write!(f, "\n{l}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for BuildError {}

/// What a build produced.
#[derive(Debug, Default)]
pub struct Generated {
    /// Every file read (also announced with `cargo:rerun-if-changed`).
    pub inputs: Vec<PathBuf>,
    /// Every output file, written or already up to date.
    pub outputs: Vec<PathBuf>,
    /// The outputs that were (re)written in this run.
    pub written: Vec<PathBuf>,
    /// With [`LintLevel::Warn`]: the lint findings the specs do not allow, one line each
    /// (`file:line:col: L0101 implicit-padding: ... (hint: ...)`), as printed after
    /// `cargo:warning=`. Empty otherwise.
    pub warnings: Vec<String>,
}

/// What [`Builder::generate`] does about lint findings (the rules of `uapigen lint`) that
/// the specs do not `allow`. Allowed findings never warn or fail.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LintLevel {
    /// Do not lint (the default).
    #[default]
    Off,
    /// Print each finding as a `cargo:warning=` line (when the builder prints cargo lines,
    /// see [`Builder::emit_rerun_if_changed`]) and return them in [`Generated::warnings`].
    Warn,
    /// Fail with [`BuildError::Lint`], before anything is written.
    Deny,
}

/// Configures and runs generation from a build script.
#[derive(Clone, Debug, Default)]
pub struct Builder {
    specs: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
    out_dir: Option<PathBuf>,
    cargo: bool,
    c_names: bool,
    serde: crate::emit::rust::Gate,
    zerocopy: crate::emit::rust::Gate,
    crates: std::collections::BTreeMap<String, PathBuf>,
    lint: LintLevel,
}

impl Builder {
    pub fn new() -> Self {
        Builder {
            cargo: true,
            ..Builder::default()
        }
    }

    /// Add one spec file.
    pub fn spec(mut self, path: impl AsRef<Path>) -> Self {
        self.specs.push(path.as_ref().to_owned());
        self
    }

    /// Add every `*.yaml` file of a directory (sorted by name).
    pub fn spec_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.dirs.push(dir.as_ref().to_owned());
        self
    }

    /// Where to write (default: `OUT_DIR`).
    pub fn out_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.out_dir = Some(dir.as_ref().to_owned());
        self
    }

    /// Also emit C-name aliases (`pub type vfio_iommu_type1_dma_map = IommuType1DmaMap;`,
    /// `pub const VFIO_IOMMU_MAP_DMA: u32 = IOMMU_MAP_DMA;`), for code written against
    /// bindgen-generated crates (default: no).
    pub fn c_name_aliases(mut self, on: bool) -> Self {
        self.c_names = on;
        self
    }

    /// `Serialize` and `Deserialize` on every generated type without pointers (default:
    /// none). `Some("serde")` puts them behind the crate's own `serde` feature, `None`
    /// emits them always; either way the crate enables `uapigen-runtime`'s `serde` feature
    /// (the derives come from `uapigen_runtime::serde`), in that feature for `Some`.
    pub fn serde(mut self, feature: Option<&str>) -> Self {
        self.serde = match feature {
            Some(f) => crate::emit::rust::Gate::Feature(f.to_owned()),
            None => crate::emit::rust::Gate::Always,
        };
        self
    }

    /// zerocopy's derives (`FromBytes`, `IntoBytes`, `Immutable`, `KnownLayout`) on every
    /// generated type as well (default: none; the runtime's own `FromBytes`, `AsBytes` and
    /// `Zeroable` are implemented either way, and cost rustc far less). `Some("zerocopy")`
    /// puts them behind the crate's own `zerocopy` feature, `None` emits them always;
    /// either way the crate enables `uapigen-runtime`'s `zerocopy` feature (the derives
    /// come from `uapigen_runtime::zerocopy`), in that feature for `Some`.
    pub fn zerocopy(mut self, feature: Option<&str>) -> Self {
        self.zerocopy = match feature {
            Some(f) => crate::emit::rust::Gate::Feature(f.to_owned()),
            None => crate::emit::rust::Gate::Always,
        };
        self
    }

    /// Where the specs of crate `name` are, for `uses: name::SPEC` (the used types are
    /// that crate's: `::name::SPEC::Type`, not generated again). Not needed for a crate
    /// this package depends on that ships its specs (`linux-uapi`): cargo gives its folder
    /// to this build script in `DEP_<NAME>_SPEC_DIR`, which is read by default.
    pub fn crate_specs(mut self, name: &str, dir: impl AsRef<Path>) -> Self {
        self.crates.insert(name.to_owned(), dir.as_ref().to_owned());
        self
    }

    /// Check the specs against the lint rules of `uapigen lint` (default:
    /// [`LintLevel::Off`]). Findings the spec allows (`allow: { L0101: "why" }`) are never
    /// reported; an `allow` naming no rule is a spec error at every level.
    pub fn lint(mut self, level: LintLevel) -> Self {
        self.lint = level;
        self
    }

    /// Whether to print `cargo:rerun-if-changed` lines, and with [`LintLevel::Warn`]
    /// `cargo:warning` lines (default: yes).
    pub fn emit_rerun_if_changed(mut self, on: bool) -> Self {
        self.cargo = on;
        self
    }

    /// The spec files this builder reads, in order.
    fn inputs(&self) -> Result<Vec<PathBuf>, BuildError> {
        let mut all = self.specs.clone();
        for d in &self.dirs {
            all.extend(spec_files(d)?);
        }
        if all.is_empty() {
            return Err(BuildError::NoSpecs);
        }
        Ok(all)
    }

    /// Generate `<name>.rs`, `include/<header>` and `<name>_layout.c` for every spec into the
    /// output directory. Nothing is written when any spec has an error, or with
    /// [`LintLevel::Deny`] a lint finding that is not allowed. When the builder prints cargo
    /// lines, an error is also printed as `cargo::error=` lines (one per line of its text),
    /// which cargo shows first: `error: spec/x.yaml:3:5: error[E0103]: ...`.
    pub fn generate(self) -> Result<Generated, BuildError> {
        let cargo = self.cargo;
        let r = self.run();
        if cargo && let Err(e) = &r {
            for line in e.to_string().lines().filter(|l| !l.trim().is_empty()) {
                println!("cargo::error={line}");
            }
        }
        r
    }

    fn run(self) -> Result<Generated, BuildError> {
        let out = match &self.out_dir {
            Some(d) => d.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(BuildError::NoOutDir)?,
        };
        let inputs = self.inputs()?;
        if self.cargo {
            for d in &self.dirs {
                println!("cargo:rerun-if-changed={}", d.display());
            }
            for p in &inputs {
                println!("cargo:rerun-if-changed={}", p.display());
            }
        }
        let models = compile_set(&inputs, true, &self.crates)?;
        if self.cargo {
            // The specs the inputs use, generated with them.
            for m in models.iter().skip(inputs.len()) {
                println!("cargo:rerun-if-changed={}", m.module.file.path.display());
            }
        }
        let warnings = match self.lint {
            LintLevel::Off => Vec::new(),
            LintLevel::Warn | LintLevel::Deny => lint_lines(&models)?,
        };
        if self.lint == LintLevel::Deny && !warnings.is_empty() {
            return Err(BuildError::Lint(warnings));
        }
        if self.cargo {
            for w in &warnings {
                println!("cargo:warning={w}");
            }
        }
        let mut dirs = OutputDirs::flat();
        if self.c_names {
            dirs.rust.c_names = crate::emit::rust::Gate::Always;
        }
        dirs.rust.serde = self.serde.clone();
        dirs.rust.zerocopy = self.zerocopy.clone();
        let outputs = files::render(&models, &dirs, Mode::Build).map_err(BuildError::Emit)?;
        let written = files::write_all(&out, &outputs).map_err(|source| BuildError::Io {
            path: out.clone(),
            source,
        })?;
        Ok(Generated {
            inputs,
            outputs: outputs.keys().map(|k| out.join(k)).collect(),
            written,
            warnings,
        })
    }
}

/// The lint findings of every model that are not allowed, one line each.
fn lint_lines(models: &[Model]) -> Result<Vec<String>, BuildError> {
    let mut lines = Vec::new();
    for m in models {
        let findings = crate::lint::lint(m).map_err(BuildError::Spec)?;
        lines.extend(
            findings
                .iter()
                .filter(|f| f.allowed.is_none())
                .map(|f| crate::lint::line(m, f)),
        );
    }
    Ok(lines)
}

/// The `*.yaml` files of a directory, sorted.
pub fn spec_files(dir: &Path) -> Result<Vec<PathBuf>, BuildError> {
    let rd = std::fs::read_dir(dir).map_err(|source| BuildError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut v: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    v.sort();
    Ok(v)
}

/// Compile every spec in one [`Session`](crate::compile::Session), so that a spec used by several
/// (or given as well) is compiled once; all errors of all specs are collected.
pub fn compile_all(paths: &[PathBuf]) -> Result<Vec<Model>, BuildError> {
    compile_set(paths, false, &Default::default())
}

/// [`compile_all`], and the specs those `use` (transitively) after them, for generating:
/// `generate spec/top.yaml` must write the module of the spec `top` uses too, or
/// `super::base` in `top.rs` names nothing.
pub fn compile_with_uses(paths: &[PathBuf]) -> Result<Vec<Model>, BuildError> {
    compile_set(paths, true, &Default::default())
}

fn compile_set(
    paths: &[PathBuf],
    follow_uses: bool,
    crates: &std::collections::BTreeMap<String, PathBuf>,
) -> Result<Vec<Model>, BuildError> {
    let mut session = crate::compile::Session::with_crates(crates.clone());
    let mut models = Vec::new();
    let mut diags = Diagnostics::default();
    let key = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let mut queue: Vec<PathBuf> = paths.to_vec();
    let mut seen: std::collections::BTreeSet<PathBuf> = paths.iter().map(|p| key(p)).collect();
    let mut next = 0;
    while next < queue.len() {
        let p = queue[next].clone();
        next += 1;
        // A spec that cannot be read is an I/O error of the run (exit status 2), not a
        // diagnostic of the spec.
        if let Err(source) = crate::diag::read_spec_bytes(&p, crate::parse::MAX_SPEC_BYTES) {
            return Err(BuildError::Io {
                path: p.clone(),
                source,
            });
        }
        match session.compile_file(&p) {
            Ok(m) => {
                if follow_uses {
                    let dir = p.parent().unwrap_or(Path::new(".")).to_path_buf();
                    // Another crate's modules are that crate's to generate.
                    for (name, _) in &m.module.uses {
                        if m.module.crate_modules.iter().any(|(c, _)| c == name) {
                            continue;
                        }
                        let used = dir.join(format!("{name}.yaml"));
                        if seen.insert(key(&used)) {
                            queue.push(used);
                        }
                    }
                }
                models.push(m);
            }
            Err(d) => diags.list.extend(d.list),
        }
    }
    // Module names and headers are the generated files' names: two specs cannot share one.
    let mut names: Vec<(&str, &Path)> = Vec::new();
    let mut headers: Vec<(&str, &Path)> = Vec::new();
    for m in &models {
        let module = &m.module;
        let mut clash = |span, what: &str, value: &str, other: &Path, hint: &str| {
            diags
                .error(
                    crate::diag::Code::DuplicateName,
                    span,
                    format!(
                        "spec `{}` has the same `{what}` ({value}) as {}",
                        module.name,
                        other.display()
                    ),
                )
                .hint = Some(hint.into());
            if let Some(d) = diags.list.last_mut() {
                d.file = Some(module.file.clone());
            }
        };
        if let Some((_, other)) = names.iter().find(|(n, _)| *n == module.name) {
            clash(
                module.name_span,
                "name",
                &module.name,
                other,
                "every spec needs its own module name",
            );
        }
        if let Some((_, other)) = headers.iter().find(|(h, _)| *h == module.header) {
            clash(
                module.header_span,
                "header",
                &module.header,
                other,
                "every spec writes its own header: give this one another `header`",
            );
        }
        names.push((&module.name, &module.file.path));
        headers.push((&module.header, &module.file.path));
    }
    diags.finish(models).map_err(BuildError::Spec)
}
