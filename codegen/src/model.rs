//! The [`Model`]: everything every consumer of a spec needs (the CLI, `Builder`, the macros,
//! lint, compat, the layout report and every emitter), computed once by
//! [`compile`](crate::compile).

use crate::analysis::Facts;
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
}

impl Model {
    /// The layout for the named ABI.
    pub fn layout(&self, abi: &str) -> Option<&Layout> {
        self.layouts.iter().find(|l| l.abi.name == abi)
    }

    /// The x86_64 layout.
    pub fn host(&self) -> &Layout {
        &self.layouts[0]
    }
}
