//! Emitters: each prints what the [`Model`](crate::model::Model) holds, in one output
//! language, and computes nothing (layouts come from the layout pass, derive decisions and
//! payload types from [`analysis`](crate::analysis)).
//!
//! - [`c`]: the uapi header, the validation header, the assertion file, the probe source;
//! - [`rust`]: the Rust module and its probe table.

pub mod c;
pub mod rust;

/// An emission failed: a bug in uapigen, reported instead of a panic.
#[derive(Debug)]
pub struct EmitError(pub String);

impl std::fmt::Display for EmitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "internal error while emitting Rust: {}", self.0)
    }
}

impl std::error::Error for EmitError {}
