//! The byte traits of a generated type: the runtime's `Zeroable`, `FromBytes` and
//! `AsBytes` (always), zerocopy's derives (behind their gate).

use proc_macro2::TokenStream;
use quote::quote;

use super::cfg::Gate;
use super::tokens::rust_ty;
use crate::bitfields::Run;
use crate::ir::TypeId;
use crate::model::Model;

/// The members of a struct that hold bytes, in order (zero-sized markers aside): what the
/// byte traits' checks name. Every member left out must be a zero-length array or an
/// `align::AN` marker (no bytes, any value valid): the checks cannot see a member they are
/// not given, so a marker that held data would need to be listed here.
pub(super) fn data_members(model: &Model, id: TypeId, plan: &[Run]) -> Vec<TokenStream> {
    let m = &model.module;
    let mut data = Vec::new();
    for (i, f) in m.types[id].fields.iter().enumerate() {
        if f.bits.is_some() {
            data.extend(super::bitfields::storage_ty(plan, i));
        } else if f.packed {
            let ty = rust_ty(m, &f.ty);
            data.push(quote!(::uapigen_runtime::Packed<#ty>));
        } else {
            data.push(rust_ty(m, &f.ty));
        }
    }
    data
}

/// zerocopy's derives behind their gate (`FromBytes` also derives `FromZeros`).
pub(super) fn zerocopy_derives(gate: &Gate, pointer: bool, into_bytes: bool) -> TokenStream {
    if gate.is_off() {
        return TokenStream::new();
    }
    let mut zc = vec![
        if pointer {
            quote!(::uapigen_runtime::zerocopy::FromZeros)
        } else {
            quote!(::uapigen_runtime::zerocopy::FromBytes)
        },
        quote!(::uapigen_runtime::zerocopy::Immutable),
        quote!(::uapigen_runtime::zerocopy::KnownLayout),
    ];
    if into_bytes {
        zc.push(quote!(::uapigen_runtime::zerocopy::IntoBytes));
    }
    let derive = gate.attr(quote!(derive(#(#zc),*)));
    let krate = gate.attr(quote!(zerocopy(crate = "::uapigen_runtime::zerocopy")));
    quote!(#derive #krate)
}

/// The runtime's byte traits for a generated type, each `unsafe impl` next to the
/// compile-time check that makes it sound on the target being compiled: every member that
/// holds bytes has the trait, and (for `AsBytes`) their sizes add up to the type's, so that
/// it has no padding. The generator's layout facts decide which traits; rustc checks them.
pub(super) fn byte_traits(
    name: &TokenStream,
    pointer: bool,
    into_bytes: bool,
    data: &[TokenStream],
) -> TokenStream {
    // Each distinct member type checked once.
    let mut seen = std::collections::HashSet::new();
    let distinct: Vec<&TokenStream> = data.iter().filter(|t| seen.insert(t.to_string())).collect();
    let zeroable = quote! {
        // SAFETY: every member is `Zeroable` (checked below).
        unsafe impl ::uapigen_runtime::Zeroable for #name {}
    };
    if pointer {
        return quote! {
            #zeroable
            const _: () = { #(::uapigen_runtime::bytes::zeroable::<#distinct>();)* };
        };
    }
    let from = quote! {
        // SAFETY: every member is `FromBytes` (checked below).
        unsafe impl ::uapigen_runtime::FromBytes for #name {}
    };
    if !into_bytes {
        return quote! {
            #zeroable
            #from
            const _: () = { #(::uapigen_runtime::bytes::from_bytes::<#distinct>();)* };
        };
    }
    let sizes = data
        .iter()
        .map(|t| quote!(::uapigen_runtime::bytes::as_bytes_size::<#t>()));
    let sum = match data.is_empty() {
        true => quote!(0),
        false => quote!(#(#sizes)+*),
    };
    quote! {
        #zeroable
        #from
        // SAFETY: every member is `AsBytes` and their sizes add up to the type's: no
        // padding (checked below).
        unsafe impl ::uapigen_runtime::AsBytes for #name {}
        const _: () = {
            #(::uapigen_runtime::bytes::from_bytes::<#distinct>();)*
            ::uapigen_runtime::bytes::no_padding(
                ::core::mem::size_of::<#name>(),
                #sum,
            );
        };
    }
}
