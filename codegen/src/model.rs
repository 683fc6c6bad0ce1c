//! The [`Model`]: everything every consumer of a spec needs (the CLI, `Builder`, the macros,
//! lint, compat, the layout report and every emitter), computed once by
//! [`compile`](crate::compile).

use crate::analysis::Facts;
use crate::check::Program;
use crate::ir;
use crate::layout::Layout;

/// A resolved spec laid out for every ABI uapigen knows, with the facts derived from it.
#[derive(Clone, Debug)]
pub struct Model {
    pub module: ir::Module,
    /// One layout per entry of [`crate::abi::ABIS`], in that order.
    pub layouts: Vec<Layout>,
    /// Facts derived once from the module and its layouts.
    pub facts: Facts,
    /// The check program of each validated type, indexed like the module's types.
    pub checks: Vec<Option<Program>>,
}

impl Model {
    /// The layout for the named ABI.
    pub fn layout(&self, abi: &str) -> Option<&Layout> {
        self.layouts.iter().find(|l| l.abi.name == abi)
    }

    /// The check program of a type, when it is validated.
    pub fn program(&self, id: crate::ir::TypeId) -> Option<&Program> {
        self.checks.get(id).and_then(Option::as_ref)
    }

    /// The x86_64 layout.
    pub fn host(&self) -> &Layout {
        &self.layouts[0]
    }
}
