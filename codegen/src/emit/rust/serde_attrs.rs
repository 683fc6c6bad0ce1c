//! The serde attributes of a generated type and its members (the `serde` option): derives
//! through `uapigen_runtime::serde`, arrays through the runtime's `array`, markers skipped.

use proc_macro2::TokenStream;
use quote::quote;

use super::cfg::Gate;

/// The serde attributes of one type's members, behind the module's gate.
pub(super) struct SerdeAttrs {
    /// `#[derive(Serialize, Deserialize)]` and the crate path, on the type.
    pub(super) derive: TokenStream,
    /// `Elem` for the type, so that arrays and packed members of it have a serde form.
    pub(super) elem: TokenStream,
    /// On an array member.
    pub(super) array: TokenStream,
    /// On a zero-sized marker.
    pub(super) skip: TokenStream,
}

impl SerdeAttrs {
    pub(super) fn new(gate: &Gate) -> Self {
        let derive = gate.attr(quote!(derive(
            ::uapigen_runtime::serde::Serialize,
            ::uapigen_runtime::serde::Deserialize
        )));
        // A member this version does not know is an error, not data dropped.
        let krate = gate.attr(quote!(serde(
            crate = "::uapigen_runtime::serde",
            deny_unknown_fields
        )));
        SerdeAttrs {
            derive: quote!(#derive #krate),
            elem: gate.cfg(),
            array: gate.attr(quote!(serde(with = "::uapigen_runtime::serde_form::array"))),
            skip: gate.attr(quote!(serde(skip))),
        }
    }
}
