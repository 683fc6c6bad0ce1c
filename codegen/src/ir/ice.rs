//! Which macros are integer constant expressions (C's, for where gcc needs a constant).

use std::collections::HashMap;

use crate::expr::{CValue, Expr};

/// Whether the macro `name` is an integer constant expression (memoized; names of other
/// specs and enumerators are, and the resolver bounds reference depth).
pub(super) fn ice_of<'a>(
    name: &'a str,
    exprs: &HashMap<&'a str, &'a Expr>,
    values: &HashMap<&str, CValue>,
    memo: &mut HashMap<&'a str, bool>,
    depth: usize,
) -> bool {
    if let Some(&v) = memo.get(name) {
        return v;
    }
    let Some(e) = exprs.get(name) else {
        return true;
    };
    // Acyclic and at most 100 deep after resolving; the bound only guards the recursion.
    memo.insert(name, true);
    let mut names = Vec::new();
    e.names(&mut names);
    let own = e
        .eval(&mut |n| {
            values
                .get(n)
                .copied()
                .ok_or(crate::expr::NameError::Unknown)
        })
        .map_or(true, |x| x.ice);
    let ice = own
        && (depth > 200
            || names.iter().all(|n| match exprs.get_key_value(n.as_str()) {
                Some((k, _)) => ice_of(k, exprs, values, memo, depth + 1),
                None => true,
            }));
    memo.insert(name, ice);
    ice
}
