//! Tagged payload enums with encoders (no heap) and decoders from untrusted bytes, by where
//! the payload lives: a trailing array (`trailing`), a union member (`union`), behind a user
//! pointer (`pointer`).
//!
//! Decoders never index out of bounds or panic: every read goes through
//! `uapigen_runtime::get`, which returns `None` past the end.

mod pointer;
mod trailing;
mod union;

use pointer::pointer_payload;
use trailing::trailing;
use union::union_payload;

use proc_macro2::TokenStream;
use quote::quote;

use super::checks::header_read;
use super::tokens::{errno, ident, int_lit, int_of, int_ty, rust_ty, what};
use crate::ir::{IntTy, Module, Payload, PayloadKind, Scalar, Ty, TypeId};
use crate::model::Model;

pub(crate) fn payload(model: &Model, id: TypeId, p: &Payload) -> TokenStream {
    let m = &model.module;
    let t = &m.types[id];
    let h = ident(&t.rust_name);
    let c_name = t.c_name.as_deref().unwrap_or("");
    let enum_name = ident(&p.rust_name);
    let tag_f = &t.fields[p.tag_field];
    let tag_n = ident(&tag_f.rust_name);
    let tag_t = int_ty(int_of(tag_f).unwrap_or(IntTy::U32));
    let mask = p.tag_mask.map_or_else(|| quote!(!0), |v| int_lit(v, true));
    let counted = matches!(
        p.kind,
        PayloadKind::Trailing { count: Some(_), .. } | PayloadKind::Entries { .. }
    );
    let lt = if counted { quote!(<'a>) } else { quote!() };
    let enum_doc = format!(
        " What `struct {c_name}` carries, selected by `{}`.",
        tag_f.c_name.as_deref().unwrap_or("")
    );
    let pdoc = super::tokens::docs(&p.doc);

    let variants = p.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let d = super::tokens::docs(&v.doc);
        let tag_doc = format!(
            " Tag `{}` ({}).",
            v.tag_name.as_deref().unwrap_or(""),
            v.tag
        );
        let ty = variant_ty(m, id, p, v);
        match ty {
            Some(t) if counted => {
                quote!(#d #[doc = #tag_doc] #vn(::uapigen_runtime::ElemSlice<'a, #t>))
            }
            Some(t) => quote!(#d #[doc = #tag_doc] #vn(#t)),
            None => quote!(#d #[doc = #tag_doc] #vn),
        }
    });
    let tag_arms = p.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let lit = int_lit(v.tag, false);
        match variant_ty(m, id, p, v) {
            Some(_) => quote!(Self::#vn(_) => #lit),
            None => quote!(Self::#vn => #lit),
        }
    });
    // Payload bytes of each variant.
    let len_arms = p.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        match variant_ty(m, id, p, v) {
            Some(_) if counted => quote!(Self::#vn(e) => e.as_bytes().len()),
            Some(t) => quote!(Self::#vn(_) => ::core::mem::size_of::<#t>()),
            None => quote!(Self::#vn => 0),
        }
    });
    let bytes_arms = p.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        match variant_ty(m, id, p, v) {
            Some(_) if counted => {
                quote!(Self::#vn(e) => ::uapigen_runtime::put(out, at, e.as_bytes()))
            }
            Some(_) => quote!(Self::#vn(x) => ::uapigen_runtime::put(out, at, x)),
            None => quote!(Self::#vn => true),
        }
    });
    let count_arms = p.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        match variant_ty(m, id, p, v) {
            Some(_) if counted => quote!(Self::#vn(e) => e.len()),
            Some(_) => quote!(Self::#vn(_) => 1),
            None => quote!(Self::#vn => 0),
        }
    });

    let common = quote! {
        /// The tag value that selects this variant.
        #[inline] pub fn tag(&self) -> #tag_t {
            match self { #(#tag_arms,)* }
        }

        /// Bytes of the payload itself.
        #[inline] pub fn payload_len(&self) -> usize {
            match self { #(#len_arms,)* }
        }

        /// Number of elements (1 for a single value, 0 for none).
        #[inline] pub fn count(&self) -> usize {
            match self { #(#count_arms,)* }
        }

        /// Write the payload's bytes at `at` of `out`; false if they do not fit.
        #[inline] pub fn put_payload(&self, out: &mut [u8], at: usize) -> bool {
            match self { #(#bytes_arms,)* }
        }

    };

    let body = match &p.kind {
        PayloadKind::Trailing { data, count } => trailing(model, id, p, *data, *count, counted),
        PayloadKind::Union { data } => union_payload(model, id, p, *data),
        PayloadKind::Pointer { pointer, length } => {
            pointer_payload(model, id, p, *pointer, Some(*length), None)
        }
        PayloadKind::Entries {
            pointer,
            entry_len,
            entry_num,
        } => pointer_payload(model, id, p, *pointer, None, Some((*entry_len, *entry_num))),
    };

    let derives = payload_derives(model, p);
    // Without `IntoBytes` on every piece, only decoding is generated (the kernel fills such
    // structs in; user space reads them).
    let mut imp: syn::ItemImpl =
        match syn::parse2(quote!(impl #lt #enum_name #lt { #common #body })) {
            Ok(i) => i,
            Err(e) => {
                let msg = format!("internal error: payload code does not parse: {e}");
                return quote!(compile_error!(#msg););
            }
        };
    if !model.facts.encodable(id) {
        let encoders = [
            "put_payload",
            "encode_parts",
            "encode_member",
            "encode",
            "encode_into",
            "encode_data",
            "MAX_LEN",
        ];
        imp.items.retain(|item| match item {
            syn::ImplItem::Fn(f) => !encoders.contains(&f.sig.ident.to_string().as_str()),
            syn::ImplItem::Const(c) => !encoders.contains(&c.ident.to_string().as_str()),
            _ => true,
        });
    }
    quote! {
        #[doc = #enum_doc]
        #pdoc
        #derives
        pub enum #enum_name #lt {
            #(#variants,)*
        }

        #imp

        impl #h {
            /// The bits of the tag field that select the payload.
            pub const TAG_MASK: #tag_t = #mask;

            #[inline] fn tag_of(&self) -> #tag_t {
                self.#tag_n & Self::TAG_MASK
            }
        }
    }
}

fn payload_derives(_model: &Model, _p: &Payload) -> TokenStream {
    quote!(#[derive(Clone, Copy, Debug, PartialEq, Eq)])
}

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
    match (&p.kind, v.member) {
        (PayloadKind::Union { data }, Some(mi)) => {
            let Ty::Named(u) = m.types[id].fields[*data].ty else {
                return None;
            };
            Some(rust_ty(m, &m.types[u].fields[mi].ty))
        }
        _ => v.ty.as_ref().map(|t| rust_ty(m, t)),
    }
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
    let m = &model.module;
    // Nested structs with checks of their own (in this spec or a used one) run them.
    if let Ty::Named(inner) = ty
        && (m.types[*inner].extensible.is_some()
            || m.types[*inner].payload.is_some()
            || model.facts.has_reserved(*inner))
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

pub(crate) fn size_put(m: &Module, id: TypeId) -> TokenStream {
    match &m.types[id].extensible {
        Some(e) => {
            let t = &m.types[id];
            let h = ident(&t.rust_name);
            let n = ident(&t.fields[e.size_field].rust_name);
            quote!(ok &= ::uapigen_runtime::put(out, ::core::mem::offset_of!(#h, #n), &(len as u32));)
        }
        None => quote!(),
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
