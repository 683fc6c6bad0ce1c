//! Emitters: each prints what the [`Model`](crate::model::Model) holds, in one output
//! language, and computes nothing (layouts come from the layout pass, derive decisions and
//! payload types from [`analysis`](crate::analysis)).
//!
//! - [`c`]: the uapi header, the validation header, the assertion file, the probe source;
//! - [`rust`]: the Rust module and its probe table;
//! - [`doc`]: the Markdown reference page of a spec.

pub mod c;
pub mod doc;
pub mod rust;

/// How the generator may run, as its caller says: the generator does not guess.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A program of its own (the CLI, a build script): the Rust module is formatted on
    /// every core and the C outputs are rendered on a thread of their own meanwhile.
    Build,
    /// Inside a proc macro: token streams then belong to the compiler and work only on the
    /// macro's own thread, so everything runs on the caller's thread.
    Macro,
}

impl Mode {
    /// Whether work may go to other threads.
    pub fn threads(self) -> bool {
        self == Mode::Build
    }
}

/// An emission failed: a bug in uapigen, reported instead of a panic.
#[derive(Debug)]
pub struct EmitError(pub String);

impl std::fmt::Display for EmitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "internal error while emitting Rust: {}", self.0)
    }
}

impl std::error::Error for EmitError {}
