//! C output: the uapi header (`header`), its validation helpers (`validate`), the fact
//! catalogue (`facts`) with the assertion file printed from it (`asserts`), and the
//! conformance probe source (`probe`).

pub mod asserts;
pub mod facts;
pub mod header;
pub mod probe;
pub mod validate;

pub use asserts::asserts;
pub use facts::{Fact, facts};
pub use header::{c_type, c_type_name, header};
