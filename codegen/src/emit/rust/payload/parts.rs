//! Pieces the payload printers share: writing header fields, the type of a variant, and
//! the decoding of one fixed-size variant.

use proc_macro2::TokenStream;
use quote::quote;

use super::super::tokens::{ident, rust_ty, what};
use crate::ir::{Module, Payload, Ty, TypeId};
use crate::model::Model;

/// Write every direct field of `h` (a value of type `id`) except `skip` into `out`,
/// field by field, so that padding stays zero.
pub(crate) fn write_fields(m: &Module, id: TypeId, skip: Option<usize>) -> TokenStream {
    let t = &m.types[id];
    let name = ident(&t.rust_name);
    let puts = t
        .fields
        .iter()
        .enumerate()
        .filter(|(i, f)| Some(*i) != skip && !matches!(f.ty, Ty::Flex(_)))
        .map(|(_, f)| {
            let n = ident(&f.rust_name);
            quote!(ok &= ::uapigen_runtime::put(out, ::core::mem::offset_of!(#name, #n), &h.#n);)
        });
    quote!(#(#puts)*)
}

/// The Rust type of a variant's payload (the union member's type for union payloads).
pub(crate) fn variant_ty(
    m: &Module,
    id: TypeId,
    p: &Payload,
    v: &crate::ir::PayloadVariant,
) -> Option<TokenStream> {
    crate::analysis::variant_ty(m, id, p, v).map(|t| rust_ty(m, t))
}

/// The match arm `tag => Self::Variant(value)` of a fixed-size variant read from `src`,
/// which must hold at least the variant's type (`short`: the rejection's message).
pub(crate) fn fixed_arm(
    model: &Model,
    ty: &Ty,
    rt: &TokenStream,
    (tag, vn): (&TokenStream, &TokenStream),
    src: TokenStream,
    what: &str,
    short: &str,
) -> TokenStream {
    let dec = decode_fixed(model, ty, rt, src.clone(), what);
    quote! {
        #tag => {
            if #src.len() < ::core::mem::size_of::<#rt>() {
                return Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Inval, #what, #short));
            }
            Self::#vn(#dec)
        }
    }
}

/// Decoding of one fixed-size value of a variant from `bytes` (already bounds-checked to
/// hold at least its size): extensible types run their own `check`.
pub(crate) fn decode_fixed(
    model: &Model,
    ty: &Ty,
    t: &TokenStream,
    bytes: TokenStream,
    what: &str,
) -> TokenStream {
    // Nested structs with checks of their own (in this spec or a used one) run them.
    if let Ty::Named(inner) = ty
        && model.facts.has_checks(&model.module, *inner)
    {
        return quote! {{
            #t::validate(#bytes)?;
            match ::uapigen_runtime::get::<#t>(#bytes, 0) {
                Some(x) => x,
                None => return Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Inval, #what, "the payload is shorter than its type")),
            }
        }};
    }
    quote! {
        match ::uapigen_runtime::get::<#t>(#bytes, 0) {
            Some(x) => x,
            None => return Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Inval, #what, "the payload is shorter than its type")),
        }
    }
}

/// The size field of an encoded argument: `.0` checks that `len` fits it (`let size`,
/// `EINVAL` when it does not: 2^30 eventfds make 4 GiB, more than `__u32 argsz` holds), to be
/// placed before anything is written; `.1` writes it.
pub(crate) fn size_put(m: &Module, id: TypeId) -> (TokenStream, TokenStream) {
    match &m.types[id].extensible {
        Some(e) => {
            let t = &m.types[id];
            let h = ident(&t.rust_name);
            let f = &t.fields[e.size_field];
            let n = ident(&f.rust_name);
            let w = what(m, id, f);
            (
                quote!(let size: u32 = ::uapigen_runtime::fit(len, #w)?;),
                quote!(ok &= ::uapigen_runtime::put(out, ::core::mem::offset_of!(#h, #n), &size);),
            )
        }
        None => (quote!(), quote!()),
    }
}

pub(crate) fn tag_put(m: &Module, id: TypeId, p: &Payload) -> TokenStream {
    let t = &m.types[id];
    let h = ident(&t.rust_name);
    let f = &t.fields[p.tag_field];
    let n = ident(&f.rust_name);
    quote! {
        let tag = (header.#n & !#h::TAG_MASK) | self.tag();
        ok &= ::uapigen_runtime::put(out, ::core::mem::offset_of!(#h, #n), &tag);
    }
}
