//! The docs' cross-links of a generated type: the ioctls that take it and its payload enum.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::TypeId;
use crate::model::Model;

/// The docs' links from a struct to the ioctls that take it (their numbers, and their
/// wrappers by name) and to its payload enum; a link only where its target exists on every
/// ABI the struct does.
pub(super) fn type_links(model: &Model, id: TypeId) -> TokenStream {
    let m = &model.module;
    let t = &m.types[id];
    let mut lines: Vec<String> = Vec::new();
    let uses: Vec<String> = model
        .facts
        .argument_of(id)
        .iter()
        .map(|&i| {
            let io = &m.ioctls[i];
            let wrapper = crate::names::wrapper_name(&io.rust_name);
            if t.abis.within(io.abis) {
                format!(
                    "[`{}`] (wrapper `{wrapper}`)",
                    io.rust_name.trim_start_matches("r#")
                )
            } else {
                format!(
                    "`{}` (wrapper `{wrapper}`)",
                    io.rust_name.trim_start_matches("r#")
                )
            }
        })
        .collect();
    if !uses.is_empty() {
        lines.push(format!(" The argument of {}.", uses.join(", ")));
    }
    if let Some(p) = &t.payload {
        lines.push(format!(
            " What its data holds: [`{}`], encoded and decoded by the struct's payload methods.",
            p.rust_name
        ));
    }
    if lines.is_empty() {
        return quote!();
    }
    let sep = quote!(#[doc = ""]);
    let lines = lines.iter().map(|l| quote!(#[doc = #l]));
    quote!(#sep #(#lines)*)
}
