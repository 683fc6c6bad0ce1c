//! uapigen: one YAML spec per Linux uapi header in; Rust bindings, a C uapi header and
//! layout assertions out.
//!
//! The pipeline is parse → resolve → layout → emit, over an IR ([`ir::Module`]) that is the
//! single source of truth. Use [`Builder`] from `build.rs`, or the `uapigen` CLI.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod abi;
pub mod analysis;
mod builder;
pub mod compat;
/// Lower-level pieces of the build API, used by the CLI.
pub mod builder_api {
    pub use crate::builder::{BuildError, Generated, compile_all, spec_files};
}
pub mod diag;
pub mod emit_c;
pub(crate) mod emit_payload;
pub mod emit_rust;
pub mod emit_validate;
mod emit_wrappers;
pub mod expr;
pub mod files;
pub mod ir;
pub mod layout;
pub mod lint;
pub mod names;
pub mod parse;
pub mod probe;
pub mod report;
pub mod resolve;
pub mod spec;
pub mod timing;

use std::path::Path;
use std::sync::Arc;

pub use builder::{BuildError, Builder, Generated};
pub use diag::{Code, Diagnostic, Diagnostics, SourceFile};

/// A resolved spec laid out for every ABI uapigen knows.
#[derive(Clone, Debug)]
pub struct Model {
    pub module: ir::Module,
    /// One layout per entry of [`abi::ABIS`], in that order.
    pub layouts: Vec<layout::Layout>,
    /// Facts derived once from the module and its layouts.
    pub facts: analysis::Facts,
}

impl Model {
    /// The layout for the named ABI.
    pub fn layout(&self, abi: &str) -> Option<&layout::Layout> {
        self.layouts.iter().find(|l| l.abi.name == abi)
    }

    /// The x86_64 layout.
    pub fn host(&self) -> &layout::Layout {
        &self.layouts[0]
    }
}

/// Parse, resolve and lay out one spec given as text. Specs it `uses` are read from the
/// same directory.
pub fn compile_str(path: impl AsRef<Path>, text: &str) -> Result<Model, Diagnostics> {
    compile_in(path.as_ref(), text, &mut Vec::new())
}

/// Deepest chain of specs using specs.
const MAX_USES_DEPTH: usize = 16;

fn compile_in(
    path: &Path,
    text: &str,
    stack: &mut Vec<std::path::PathBuf>,
) -> Result<Model, Diagnostics> {
    let file = Arc::new(SourceFile::new(path, text));
    let spec = {
        let _t = timing::phase("parse (YAML)");
        parse::parse(&file)?
    };
    let mut imports = Vec::new();
    let mut diags = Diagnostics::default();
    let dir = path.parent().unwrap_or(Path::new("."));
    stack.push(path.to_path_buf());
    for u in &spec.uses {
        let used = dir.join(format!("{}.yaml", u.value));
        let mut fail = |msg: String, hint: String| {
            diags.error(Code::Uses, u.span, msg).hint = Some(hint);
        };
        if stack.iter().any(|p| p == &used) || stack.len() > MAX_USES_DEPTH {
            fail(
                format!(
                    "`uses: {}` makes a cycle of specs using each other",
                    u.value
                ),
                "a spec cannot use itself, directly or through others".into(),
            );
            continue;
        }
        match std::fs::read_to_string(&used) {
            Ok(t) => match compile_in(&used, &t, stack) {
                Ok(m) => imports.push(m.module),
                Err(d) => {
                    fail(
                        format!("the used spec `{}` has errors", used.display()),
                        "fix the errors reported for that file".into(),
                    );
                    diags.list.extend(d.list);
                }
            },
            Err(e) => fail(
                format!("cannot read the used spec `{}`: {e}", used.display()),
                format!("put `{}.yaml` next to this spec", u.value),
            ),
        }
    }
    stack.pop();
    diags.attach(&file);
    if !diags.is_empty() {
        return Err(diags);
    }
    let module = {
        let _t = timing::phase("resolve");
        resolve::resolve_with(&spec, file, &imports)?
    };
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
    }
    if diags.is_empty() {
        let facts = analysis::Facts::derive(&module, &layouts);
        Ok(Model {
            module,
            layouts,
            facts,
        })
    } else {
        Err(diags)
    }
}

/// An ioctl whose encoded argument size exceeds the size field of some ABI's encoding.
fn check_ioctl_sizes(m: &ir::Module, layouts: &[layout::Layout], diags: &mut Diagnostics) {
    for io in &m.ioctls {
        let (Some(arg), true) = (&io.arg, io.dir != spec::Dir::None) else {
            continue;
        };
        let too_big: Vec<String> = layouts
            .iter()
            .filter_map(|l| {
                let size = layout::type_size(l, arg);
                (size > l.abi.ioctl.max_size())
                    .then(|| format!("{} ({size} > {})", l.abi.name, l.abi.ioctl.max_size()))
            })
            .collect();
        if !too_big.is_empty() {
            diags
                .error(
                    Code::IoctlSize,
                    io.span,
                    format!("the argument of `{}` is too large for the ioctl size field on: {}", io.c_name, too_big.join(", ")),
                )
                .hint = Some("use `dir: none` with an argsz-style struct, or pass a pointer to the data in a smaller struct".into());
        }
    }
    diags.attach(&m.file);
}

/// Read and compile one spec file. I/O errors become a diagnostic at line 1.
pub fn compile_file(path: impl AsRef<Path>) -> Result<Model, Diagnostics> {
    let path = path.as_ref();
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => compile_str(path, &text),
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

/// The JSON schema of the spec format (`spec/schema.json`), from the AST types.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(spec::Spec);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}
