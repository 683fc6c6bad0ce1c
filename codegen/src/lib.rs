//! uapigen: one YAML spec per Linux uapi header in; Rust bindings, a C uapi header,
//! layout assertions and argument validators out.
//!
//! The pipeline ([`compile`]): [`parse`] (YAML with spans, into the AST of [`spec`]) →
//! [`resolve`] (into the IR of [`ir`]) → [`layout`] (every ABI of [`abi`]) → [`analysis`]
//! (derived facts) → [`check`] (the check program of each validated struct). The result is
//! a [`Model`], the single source of truth: [`emit`] prints it as C and Rust, and
//! [`files`], [`Builder`], [`lint`], [`compat`] and [`report`] all start from it. Use
//! [`Builder`] from `build.rs`, or the `uapigen` CLI.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod abi;
pub mod analysis;
pub mod bitfields;
mod builder;
pub mod check;
pub mod compat;
/// Lower-level pieces of the build API, used by the CLI.
pub mod builder_api {
    pub use crate::builder::{BuildError, Generated, compile_all, compile_with_uses, spec_files};
}
pub mod compile;
pub mod ctypes;
pub mod diag;
pub mod emit;
pub mod explain;
mod explain_examples;
pub mod expr;
mod expr_text;
pub mod files;
#[cfg(feature = "import")]
pub mod import;
pub mod ir;
pub mod layout;
pub mod lint;
pub mod model;
pub mod names;
pub mod parse;
pub mod report;
pub mod resolve;
mod rule_text;
mod rules;
pub mod spec;
pub mod timing;

pub use builder::{BuildError, Builder, Generated, LintLevel};
pub use compile::{Session, compile_file, compile_str};
pub use diag::{Code, Diagnostic, Diagnostics, SourceFile};
pub use model::Model;

/// The JSON schema of the spec format (`spec/schema.json`), from the AST types (the
/// `schema` feature, on with `cli`).
#[cfg(feature = "schema")]
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(spec::Spec);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}
