//! Tagged payload enums with encoders (no heap) and decoders from untrusted bytes, by where
//! the payload lives: a trailing array (`trailing`), a union member (`union`), behind a user
//! pointer (`pointer`).
//!
//! Decoders never index out of bounds or panic: every read goes through
//! `uapigen_runtime::get`, which returns `None` past the end.

mod parts;
mod pointer;
mod trailing;
mod union;

use pointer::pointer_payload;
use trailing::trailing;
use union::union_payload;

use proc_macro2::TokenStream;
use quote::quote;

use super::tokens::{ident, int_lit, int_of, int_ty};
use crate::ir::{IntTy, Payload, PayloadKind, TypeId};
use crate::model::Model;
use parts::variant_ty;

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

    let derives = quote!(#[derive(Clone, Copy, Debug, PartialEq, Eq)]);
    // Without `AsBytes` on every piece, only decoding is generated (the kernel fills such
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
