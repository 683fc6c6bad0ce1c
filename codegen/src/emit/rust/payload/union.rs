//! Payloads in a union member.

use proc_macro2::TokenStream;
use quote::quote;

use super::super::checks::{header_read, ops_check};
use super::super::tokens::{errno, ident, int_lit, int_of, int_ty, what};
use super::parts::{decode_fixed, size_put, tag_put, variant_ty, write_fields};
use crate::ir::{IntTy, Payload, Ty, TypeId};
use crate::model::Model;

pub(crate) fn union_payload(model: &Model, id: TypeId, p: &Payload, data: usize) -> TokenStream {
    let m = &model.module;
    let t = &m.types[id];
    let h = ident(&t.rust_name);
    let data_n = ident(&t.fields[data].rust_name);
    let tag_w = what(m, id, &t.fields[p.tag_field]);
    let data_w = what(m, id, &t.fields[data]);
    let unknown = errno(p.unknown);
    let (size_check, size_put) = size_put(m, id);
    let tag_put = tag_put(m, id, p);
    let read = header_read(model, id);
    let ops = ops_check(model, id);
    let arms = p.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let tag = int_lit(v.tag, false);
        match variant_ty(m, id, p, v) {
            Some(rt) => {
                let ty = v
                    .member
                    .and_then(|_| crate::analysis::variant_ty(m, id, p, v));
                let dec = match ty {
                    Some(ty) => decode_fixed(model, ty, &rt, quote!(at), &data_w),
                    None => quote!(return Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Inval, #data_w, "no member"))),
                };
                quote!(#tag => Self::#vn(#dec),)
            }
            None => quote!(#tag => Self::#vn,),
        }
    });
    let small = quote!(Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Inval, #data_w, "the output buffer is too small")));
    let encode_into = if model.facts.into_bytes(&Ty::Named(id)) {
        // No padding: one match for the variant, then per variant (with constant sizes) the
        // header's bytes around the union, the member, zeros for the rest of the union.
        let tag_n = ident(&t.fields[p.tag_field].rust_name);
        let tag_t = int_ty(int_of(&t.fields[p.tag_field]).unwrap_or(IntTy::U32));
        let member_arms = p.variants.iter().map(|v| {
            let vn = ident(&v.rust_name);
            let lit = int_lit(v.tag, false);
            match variant_ty(m, id, p, v) {
                Some(_) => quote!(Self::#vn(x) => Self::encode_member(header, out, #lit, ::uapigen_runtime::AsBytes::as_bytes(x))),
                None => quote!(Self::#vn => Self::encode_member(header, out, #lit, &[])),
            }
        });
        quote! {
            #[inline] pub fn encode_into(&self, header: &#h, out: &mut [u8]) -> ::core::result::Result<usize, ::uapigen_runtime::Reject> {
                match self { #(#member_arms,)* }
            }

            /// `encode_into` for one variant: inlined into each arm, so that every size is
            /// a constant there.
            #[inline(always)]
            fn encode_member(header: &#h, out: &mut [u8], tag: #tag_t, member: &[u8]) -> ::core::result::Result<usize, ::uapigen_runtime::Reject> {
                let len = ::core::mem::size_of::<#h>();
                #size_check
                let Some(out) = out.get_mut(..len) else { return #small };
                let head = ::uapigen_runtime::AsBytes::as_bytes(header);
                let at = ::core::mem::offset_of!(#h, #data_n);
                let end = at + ::core::mem::size_of_val(&header.#data_n);
                let mut ok = ::uapigen_runtime::put(out, 0, head.get(..at).unwrap_or(head));
                ok &= ::uapigen_runtime::put(out, at, member);
                if let Some(rest) = out.get_mut(at + member.len()..end) {
                    rest.fill(0);
                }
                ok &= ::uapigen_runtime::put(out, end, head.get(end..).unwrap_or(&[]));
                #size_put
                let tag = (header.#tag_n & !#h::TAG_MASK) | tag;
                ok &= ::uapigen_runtime::put(out, ::core::mem::offset_of!(#h, #tag_n), &tag);
                if ok { Ok(len) } else { #small }
            }
        }
    } else {
        let fields = write_fields(m, id, Some(data));
        quote! {
            #[inline] pub fn encode_into(&self, header: &#h, out: &mut [u8]) -> ::core::result::Result<usize, ::uapigen_runtime::Reject> {
                let len = self.encoded_len();
                #size_check
                let Some(out) = out.get_mut(..len) else { return #small };
                out.fill(0);
                let h = header;
                let mut ok = true;
                #fields
                #size_put
                #tag_put
                ok &= self.put_payload(out, ::core::mem::offset_of!(#h, #data_n));
                if ok { Ok(len) } else { #small }
            }
        }
    };
    quote! {
        /// Size of the encoded argument: the whole struct.
        #[inline] pub fn encoded_len(&self) -> usize {
            ::core::mem::size_of::<#h>()
        }

        /// Write the complete argument into `out`: the header's fields, the size field, the
        /// tag and the selected union member. Returns the number of bytes written.
        #encode_into

        /// Encode into an aligned stack buffer (no heap).
        pub fn encode(&self, header: &#h) -> ::uapigen_runtime::ArgBuf<{ ::core::mem::size_of::<#h>() }> {
            let mut buf = match ::uapigen_runtime::ArgBuf::zeroed(self.encoded_len()) {
                Some(b) => b,
                None => ::uapigen_runtime::ArgBuf::empty(),
            };
            let _ = self.encode_into(header, buf.as_mut_bytes());
            buf
        }

        /// Decode untrusted bytes: the header checks, the tag, and the selected member.
        pub fn decode(bytes: &[u8]) -> ::core::result::Result<(#h, Self), ::uapigen_runtime::Reject> {
            #read
            #ops
            let at = bytes.get(::core::mem::offset_of!(#h, #data_n)..).unwrap_or(&[]);
            let payload = match header.tag_of() {
                #(#arms)*
                _ => return Err(::uapigen_runtime::Reject::new(#unknown, #tag_w, "unknown tag value")),
            };
            Ok((header, payload))
        }
    }
}
