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

use std::fmt;
use std::path::{Path, PathBuf};

use crate::diag::Diagnostics;
use crate::emit::{EmitError, Mode};
use crate::files::{self, Layout};
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
}

/// Configures and runs generation from a build script.
#[derive(Clone, Debug, Default)]
pub struct Builder {
    specs: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
    out_dir: Option<PathBuf>,
    cargo: bool,
    c_names: bool,
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

    /// Whether to print `cargo:rerun-if-changed` lines (default: yes).
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
    /// output directory. Nothing is written when any spec has an error.
    pub fn generate(self) -> Result<Generated, BuildError> {
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
        let models = compile_all(&inputs)?;
        let mut layout = Layout::flat();
        if self.c_names {
            layout.c_names = crate::emit::rust::CNames::Always;
        }
        let outputs = files::render(&models, &layout, Mode::Build).map_err(BuildError::Emit)?;
        let written = files::write_all(&out, &outputs).map_err(|source| BuildError::Io {
            path: out.clone(),
            source,
        })?;
        Ok(Generated {
            inputs,
            outputs: outputs.keys().map(|k| out.join(k)).collect(),
            written,
        })
    }
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

/// Compile every spec in one [`Session`](crate::Session), so that a spec used by several
/// (or given as well) is compiled once; all errors of all specs are collected.
pub fn compile_all(paths: &[PathBuf]) -> Result<Vec<Model>, BuildError> {
    let mut session = crate::compile::Session::default();
    let mut models = Vec::new();
    let mut diags = Diagnostics::default();
    for p in paths {
        match session.compile_file(p) {
            Ok(m) => models.push(m),
            Err(d) => diags.list.extend(d.list),
        }
    }
    let mut names: Vec<(&str, &Path)> = Vec::new();
    for m in &models {
        if let Some((_, other)) = names.iter().find(|(n, _)| *n == m.module.name) {
            diags
                .error(
                    crate::Code::DuplicateName,
                    crate::spec::Span {
                        line: 1,
                        column: 1,
                        ..Default::default()
                    },
                    format!(
                        "spec `{}` has the same `name` as {}",
                        m.module.name,
                        other.display()
                    ),
                )
                .hint = Some("every spec needs its own module name".into());
            if let Some(d) = diags.list.last_mut() {
                d.file = Some(m.module.file.clone());
            }
        }
        names.push((&m.module.name, &m.module.file.path));
    }
    if diags.is_empty() {
        Ok(models)
    } else {
        Err(BuildError::Spec(diags))
    }
}
