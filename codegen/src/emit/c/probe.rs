//! Conformance probes: a C file that includes a header (the real kernel one, or ours) and
//! stores the compiler's value of every fact in one array, so that a test can compile it
//! for any target with `-c` and read the values back out of the object file.

use std::fmt::Write as _;

use super::facts::{Fact, facts};
use crate::model::Model;

/// Name of the array symbol in the probe object.
pub const SYMBOL: &str = "uapigen_probe_values";

/// The probe source and the facts it checks, in array order.
pub fn probe(model: &Model, abi: usize) -> (String, Vec<Fact>) {
    let facts = facts(model, abi);
    let mut src = String::new();
    let _ = writeln!(
        src,
        "/* uapigen conformance probe for {} */",
        model.module.spec_label()
    );
    // The facts cast to __u32 and friends; not every uapi header includes <linux/types.h>.
    let _ = writeln!(src, "#include <linux/types.h>");
    let _ = writeln!(src, "#include <{}>", model.module.header);
    let _ = writeln!(
        src,
        "const unsigned long long {SYMBOL}[{}] = {{",
        facts.len().max(1)
    );
    for f in &facts {
        let _ = writeln!(src, "\t{}, /* {} */", f.c_expr, f.key);
    }
    if facts.is_empty() {
        let _ = writeln!(src, "\t0");
    }
    let _ = writeln!(src, "}};");
    (src, facts)
}
