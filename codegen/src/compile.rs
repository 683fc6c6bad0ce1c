//! The pipeline in one place: parse (YAML, with spans) → resolve (names, expressions,
//! types: the IR) → layout (every ABI) → analysis (derived facts). Its result, a
//! [`Model`], is what every consumer starts from.
//!
//! A [`Session`] is one run: a spec named in `uses` by several specs (or also given itself)
//! is compiled once in it, however many paths reach it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analysis::Facts;
use crate::diag::{Code, Diagnostics, SourceFile};
use crate::model::Model;
use crate::{abi, check, ir, layout, parse, resolve, spec, timing};

/// Deepest chain of specs using specs.
const MAX_USES_DEPTH: usize = 16;

/// Parse, resolve and lay out one spec given as text. Specs it `uses` are read from the
/// same directory.
pub fn compile_str(path: impl AsRef<Path>, text: &str) -> Result<Model, Diagnostics> {
    Session::default().compile_str(path, text)
}

/// Read and compile one spec file. I/O errors become a diagnostic at line 1.
pub fn compile_file(path: impl AsRef<Path>) -> Result<Model, Diagnostics> {
    Session::default().compile_file(path)
}

/// One run of the compiler: the specs compiled so far, each once.
#[derive(Default)]
pub struct Session {
    /// Every spec compiled in this run, by path: its model, or `None` when it had errors
    /// (reported where it was first compiled).
    done: BTreeMap<PathBuf, Option<Arc<Model>>>,
    /// The specs being compiled, outermost first (to find cycles of `uses`).
    stack: Vec<PathBuf>,
    /// Where the specs of other crates are (`uses: linux_uapi::vfio`), by crate name.
    crates: BTreeMap<String, PathBuf>,
}

impl Session {
    /// A session in which `uses: CRATE::NAME` reads `NAME.yaml` from the given folder of
    /// each crate (see [`Session::crate_dir`]).
    pub fn with_crates(crates: BTreeMap<String, PathBuf>) -> Self {
        Session {
            crates,
            ..Session::default()
        }
    }

    /// The folder of the specs a crate ships: given to the session, or else the
    /// `DEP_<CRATE>_SPEC_DIR` cargo gives the build script of a crate that depends on it
    /// (`linux-uapi` says `links = "linux_uapi"` and prints its `spec_dir`).
    pub fn crate_dir(&self, krate: &str) -> Option<PathBuf> {
        self.crates.get(krate).cloned().or_else(|| {
            let var = format!("DEP_{}_SPEC_DIR", krate.to_ascii_uppercase());
            std::env::var_os(var).map(PathBuf::from)
        })
    }

    /// Compile a spec given as text (see [`compile_str`]).
    pub fn compile_str(
        &mut self,
        path: impl AsRef<Path>,
        text: &str,
    ) -> Result<Model, Diagnostics> {
        let path = path.as_ref();
        let m = self.compile_text(path, text)?;
        self.done.insert(key(path), Some(Arc::new(m.clone())));
        Ok(m)
    }

    /// Read and compile a spec file (see [`compile_file`]); a spec compiled before in this
    /// run (as a used spec) is not compiled again.
    pub fn compile_file(&mut self, path: impl AsRef<Path>) -> Result<Model, Diagnostics> {
        let path = path.as_ref();
        if let Some(Some(m)) = self.done.get(&key(path)) {
            return Ok((**m).clone());
        }
        let text = read_spec(path)?;
        self.compile_str(path, &text)
    }

    fn compile_text(&mut self, path: &Path, text: &str) -> Result<Model, Diagnostics> {
        let file = Arc::new(SourceFile::new(path, text));
        let spec = {
            let _t = timing::phase("parse (YAML)");
            parse::parse(&file)?
        };
        let mut imports = Vec::new();
        let mut diags = Diagnostics::default();
        let dir = path.parent().unwrap_or(Path::new("."));
        self.stack.push(key(path));
        for u in &spec.uses {
            let fail = |diags: &mut Diagnostics, msg: String, hint: String| {
                diags.error(Code::Uses, u.span, msg).hint = Some(hint);
            };
            // `CRATE::NAME`: a spec another crate ships (its module is that crate's).
            let (used, place) = match u.value.split_once("::") {
                None => (
                    dir.join(format!("{}.yaml", u.value)),
                    "next to this spec".to_owned(),
                ),
                Some((krate, name)) => {
                    match (crate::names::rust_path_ok(&u.value), self.crate_dir(krate)) {
                        (false, _) => {
                            fail(
                            &mut diags,
                            format!("`uses: {}` is neither a spec name nor `CRATE::NAME`", u.value),
                            "name a spec next to this one (`vfio`) or a crate's spec as `linux_uapi::vfio`: two identifiers joined by `::`".into(),
                        );
                            continue;
                        }
                        (true, None) => {
                            fail(
                                &mut diags,
                                format!(
                                    "`uses: {}` names a spec of the crate `{krate}`, whose specs were not given",
                                    u.value
                                ),
                                format!(
                                    "a build script of a crate that depends on `{krate}` finds them by itself (DEP_{}_SPEC_DIR); elsewhere give the folder with `Builder::crate_specs` or in DEP_{}_SPEC_DIR",
                                    krate.to_ascii_uppercase(),
                                    krate.to_ascii_uppercase()
                                ),
                            );
                            continue;
                        }
                        (true, Some(d)) => (
                            d.join(format!("{name}.yaml")),
                            format!("in `{}` (the specs of the crate `{krate}`)", d.display()),
                        ),
                    }
                }
            };
            if self.stack.contains(&key(&used)) || self.stack.len() > MAX_USES_DEPTH {
                fail(
                    &mut diags,
                    format!(
                        "`uses: {}` makes a cycle of specs using each other",
                        u.value
                    ),
                    "a spec cannot use itself, directly or through others".into(),
                );
                continue;
            }
            match self.used(&used) {
                Ok(m) => imports.push(m.module.clone()),
                Err(Used::Errors(d)) => {
                    fail(
                        &mut diags,
                        format!("the used spec `{}` has errors", used.display()),
                        "fix the errors reported for that file".into(),
                    );
                    diags.list.extend(d.list);
                }
                Err(Used::Unreadable(e)) => fail(
                    &mut diags,
                    format!("cannot read the used spec `{}`: {e}", used.display()),
                    format!(
                        "put `{}` {place}, as a regular file (not a link, FIFO or device)",
                        used.file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default()
                    ),
                ),
            }
        }
        self.stack.pop();
        diags.attach(&file);
        diags.finish(())?;
        let module = {
            let _t = timing::phase("resolve");
            resolve::resolve_with(&spec, file, &imports)?
        };
        lay_out(module)
    }

    /// A used spec, compiled the first time it is asked for. Its errors are returned the
    /// first time only: later users report that it has errors, without repeating them.
    fn used(&mut self, path: &Path) -> Result<Arc<Model>, Used> {
        match self.done.get(&key(path)) {
            Some(Some(m)) => return Ok(m.clone()),
            Some(None) => return Err(Used::Errors(Diagnostics::default())),
            None => {}
        }
        let bytes = crate::diag::read_spec_bytes(path, crate::parse::MAX_SPEC_BYTES)
            .and_then(|b| b.ok_or_else(|| std::io::Error::other("it is larger than uapigen reads")))
            .map_err(Used::Unreadable)?;
        let text = String::from_utf8(bytes).map_err(|_| {
            Used::Unreadable(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            ))
        })?;
        match self.compile_text(path, &text) {
            Ok(m) => {
                let m = Arc::new(m);
                self.done.insert(key(path), Some(m.clone()));
                Ok(m)
            }
            Err(d) => {
                self.done.insert(key(path), None);
                Err(Used::Errors(d))
            }
        }
    }
}

/// Why a used spec cannot be used.
enum Used {
    Unreadable(std::io::Error),
    Errors(Diagnostics),
}

/// The key a spec is remembered by: its canonical path when it has one.
fn key(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Lay out a resolved module on every ABI and derive its facts.
fn lay_out(module: ir::Module) -> Result<Model, Diagnostics> {
    let _t = timing::phase("layout (18 ABIs)");
    let mut diags = Diagnostics::default();
    let mut layouts = Vec::new();
    for abi in abi::ABIS {
        match layout::layout(&module, abi) {
            Ok(l) => layouts.push(l),
            Err(d) => diags.list.extend(d.list),
        }
    }
    if diags.is_empty() {
        check_ioctl_sizes(&module, &layouts, &mut diags);
        check_packed_members(&module, &layouts, &mut diags);
        crate::bitfields::check(&module, &layouts, &mut diags);
        check_counted(&module, &mut diags);
    }
    diags.finish(())?;
    let facts = Facts::derive(&module, &layouts);
    let checks = check::lower(&module, &layouts, &facts);
    Ok(Model {
        module,
        layouts,
        facts,
        checks,
    })
}

/// `count` of a flexible array that would count something else or contradict the rules:
/// the struct's size field (bytes, not elements), a reserved field, `max: 0`, or a `max`
/// above what a `below` rule of the count field lets through.
fn check_counted(m: &ir::Module, diags: &mut Diagnostics) {
    for t in &m.types {
        let Some(last) = t.fields.last() else {
            continue;
        };
        let Some((ci, max)) = last.count else {
            continue;
        };
        let count = &t.fields[ci];
        let name = count.c_name.as_deref().unwrap_or_default();
        let mut refuse = |why: String, hint: &str| {
            diags.error(Code::FlexInvalid, last.span, why).hint = Some(hint.into());
        };
        if t.extensible.as_ref().is_some_and(|e| e.size_field == ci) {
            refuse(
                format!("`count: {name}` names the size field, which counts bytes, not elements"),
                "name the member that holds the number of elements",
            );
        } else if count.reserved {
            refuse(
                format!("`count: {name}` names a reserved member"),
                "name the member that holds the number of elements",
            );
        } else if max == Some(0) {
            refuse(
                "`max: 0` leaves no room for any element".into(),
                "give the most elements the kernel takes, at least 1",
            );
        } else if let (Some(mx), Some(bound)) = (max, t.count_rule_max(ci))
            && mx > bound
        {
            refuse(
                format!("`max: {mx}` is more than the rules of `{name}` let through ({bound})"),
                "drop `max` (the rule gives it) or make it agree with the rule",
            );
        }
    }
    diags.attach(&m.file);
}

/// An ioctl whose encoded argument size exceeds the size field of some ABI's encoding.
fn check_ioctl_sizes(m: &ir::Module, layouts: &[layout::Layout], diags: &mut Diagnostics) {
    for io in &m.ioctls {
        if io.encoded_size(|_| 1) == 0 && io.encoded_size(|_| 0) == 0 {
            continue;
        }
        let too_big: Vec<String> = layouts
            .iter()
            .enumerate()
            .filter(|(abi, _)| io.abis.contains(*abi))
            .filter_map(|(_, l)| {
                let size = io.encoded_size(|t| layout::type_size(l, t));
                (size > l.abi.ioctl.max_size())
                    .then(|| format!("{} ({size} > {})", l.abi.name, l.abi.ioctl.max_size()))
            })
            .collect();
        if !too_big.is_empty() {
            diags
                .error(
                    Code::IoctlSize,
                    io.span,
                    format!(
                        "{} of `{}` is too large for the ioctl size field on: {}",
                        if matches!(io.number, ir::Number::Ioc { size: Some(_), .. }) { "the encoded size" } else { "the argument" },
                        io.c_name,
                        too_big.join(", ")
                    ),
                )
                .hint = Some("use `dir: none` with an argsz-style struct, or pass a pointer to the data in a smaller struct".into());
        }
    }
    diags.attach(&m.file);
}

/// A packed member whose type is 1-aligned on some ABI: GCC ignores `packed` there with a
/// warning (`-Wattributes`), which breaks the header's `-Werror` builds.
fn check_packed_members(m: &ir::Module, layouts: &[layout::Layout], diags: &mut Diagnostics) {
    for t in &m.types {
        for f in t.fields.iter().filter(|f| f.packed) {
            let ones: Vec<&str> = layouts
                .iter()
                .enumerate()
                .filter(|(abi, l)| t.abis.contains(*abi) && layout::type_align(l, &f.ty) == 1)
                .map(|(_, l)| l.abi.name)
                .collect();
            let on = if ones.len() == t.abis.iter().count() {
                "every ABI".to_owned()
            } else {
                ones.join(", ")
            };
            if !ones.is_empty() {
                diags
                    .error(
                        Code::Attribute,
                        f.span,
                        format!(
                            "packed member `{}.{}` is 1-aligned already on {}: GCC ignores `packed` there with a warning",
                            t.display_name(m),
                            f.c_name.as_deref().unwrap_or(""),
                            on
                        ),
                    )
                    .hint = Some("drop `packed` from it: it changes nothing".into());
            }
        }
    }
    diags.attach(&m.file);
}

/// Read a spec file as text. I/O errors and invalid UTF-8 become a diagnostic.
fn read_spec(path: &Path) -> Result<String, Diagnostics> {
    let read = crate::diag::read_spec_bytes(path, crate::parse::MAX_SPEC_BYTES).and_then(|b| {
        b.ok_or_else(|| {
            std::io::Error::other(format!(
                "it is larger than the {} bytes uapigen reads",
                crate::parse::MAX_SPEC_BYTES
            ))
        })
    });
    match read {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(text),
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                let before = String::from_utf8_lossy(&bytes[..valid]);
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                let file = Arc::new(SourceFile::new(path, before.into_owned()));
                let mut d = Diagnostics::default();
                d.error(
                    Code::Yaml,
                    spec::Span {
                        line: u32::try_from(line).unwrap_or(u32::MAX),
                        column: u32::try_from(column).unwrap_or(u32::MAX),
                        offset: valid,
                        len: 0,
                    },
                    format!("the file is not valid UTF-8 (byte {valid})"),
                )
                .hint = Some("save the spec as UTF-8".into());
                d.attach(&file);
                Err(d)
            }
        },
        Err(e) => {
            let file = Arc::new(SourceFile::new(path, ""));
            let mut d = Diagnostics::default();
            d.error(
                Code::Yaml,
                spec::Span {
                    line: 1,
                    column: 1,
                    offset: 0,
                    len: 0,
                },
                format!("cannot read the spec: {e}"),
            )
            .hint = Some("check the path".into());
            d.attach(&file);
            Err(d)
        }
    }
}
