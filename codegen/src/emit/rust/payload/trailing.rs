//! Payloads in a trailing flexible array.

use proc_macro2::TokenStream;
use quote::quote;

use super::super::checks::{after_payload_rules, header_read, ops_check};
use super::super::tokens::{errno, ident, int_lit, int_of, int_ty, what};
use super::parts::{fixed_arm, size_put, tag_put, variant_ty, write_fields};
use crate::ir::{IntTy, Payload, Ty, TypeId};
use crate::model::Model;

pub(crate) fn trailing(
    model: &Model,
    id: TypeId,
    p: &Payload,
    data: usize,
    count: Option<usize>,
    counted: bool,
) -> TokenStream {
    let m = &model.module;
    let t = &m.types[id];
    let h = ident(&t.rust_name);
    let data_n = ident(&t.fields[data].rust_name);
    let tag_w = what(m, id, &t.fields[p.tag_field]);
    let data_w = what(m, id, &t.fields[data]);
    let unknown = errno(p.unknown);
    let fast = model.facts.into_bytes(&Ty::Named(id));
    let write = write_fields(m, id, None);
    let (size_check, size_put) = size_put(m, id);
    let tag_put = tag_put(m, id, p);
    // The count: checked to fit its field before anything is written (`count_check`),
    // written with the other fields (`count_put`).
    let (count_check, count_put, count_read) = match count {
        Some(ci) => {
            let cf = &t.fields[ci];
            let cn = ident(&cf.rust_name);
            let ct = int_ty(int_of(cf).unwrap_or(IntTy::U32));
            let cw = what(m, id, cf);
            (
                quote! {
                    let count: Option<#ct> = match count {
                        Some(c) => Some(::uapigen_runtime::fit(c, #cw)?),
                        None => None,
                    };
                },
                // `None`: the count field stays as the header has it (already copied).
                quote! {
                    if let Some(n) = count {
                        ok &= ::uapigen_runtime::put(out, ::core::mem::offset_of!(#h, #cn), &n);
                    }
                },
                quote!(let n = header.#cn as usize;),
            )
        }
        None => (quote!(), quote!(), quote!()),
    };
    let read = header_read(model, id);
    let ops = ops_check(model, id);
    let after = after_payload_rules(model, id, &quote!(bytes));
    let arms = p.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let tag = int_lit(v.tag, false);
        match (&v.ty, variant_ty(m, id, p, v)) {
            (Some(_), Some(rt)) if counted => quote! {
                #tag => {
                    let need = n.saturating_mul(::core::mem::size_of::<#rt>());
                    match tail.get(..need).and_then(::uapigen_runtime::ElemSlice::from_bytes) {
                        Some(e) => Self::#vn(e),
                        None => return Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Inval, #data_w, "the payload is shorter than its count of elements")),
                    }
                }
            },
            (Some(ty), Some(rt)) => fixed_arm(
                model,
                ty,
                &rt,
                (&tag, &vn),
                quote!(tail),
                &data_w,
                "the payload is shorter than its type",
            ),
            _ => quote!(#tag => Self::#vn,),
        }
    });
    // A variant without data leaves the count field as the header has it (`None`): for
    // VFIO's DATA_NONE it says how many sub-indices the action applies to, not a length.
    let none_arms: Vec<TokenStream> = p
        .variants
        .iter()
        .filter(|v| variant_ty(m, id, p, v).is_none())
        .map(|v| {
            let vn = ident(&v.rust_name);
            quote!(Self::#vn)
        })
        .collect();
    let count_of = if none_arms.is_empty() {
        quote!(Some(self.count()))
    } else {
        quote!(match self { #(#none_arms)|* => None, _ => Some(self.count()) })
    };
    let count_var = if count.is_some() {
        quote!(count)
    } else {
        quote!(_)
    };
    let parts_arms = p.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let lit = int_lit(v.tag, false);
        match variant_ty(m, id, p, v) {
            Some(_) if counted => quote!(Self::#vn(e) => Self::encode_parts(header, out, #lit, e.as_bytes(), Some(e.len()))),
            Some(_) => quote!(Self::#vn(x) => Self::encode_parts(header, out, #lit, ::uapigen_runtime::AsBytes::as_bytes(x), Some(1))),
            None => quote!(Self::#vn => Self::encode_parts(header, out, #lit, &[], None)),
        }
    });
    let tag_t = int_ty(int_of(&t.fields[p.tag_field]).unwrap_or(IntTy::U32));
    let small = quote!(Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Inval, #data_w, "the output buffer is too small")));
    let too_small = quote!(return #small);
    let tag_n = ident(&t.fields[p.tag_field].rust_name);
    let encode_into = if fast {
        // No padding in the header: one match for the variant, the header's bytes up to
        // the payload in one copy, the size, tag and count patched in, then the payload
        // and zeros past it (the header's tail padding, if any).
        quote! {
            #[inline] pub fn encode_into(&self, header: &#h, out: &mut [u8]) -> ::core::result::Result<usize, ::uapigen_runtime::Reject> {
                match self { #(#parts_arms,)* }
            }

            /// `encode_into` for one variant: inlined into each arm, so that every size is
            /// a constant there.
            #[inline(always)]
            fn encode_parts(header: &#h, out: &mut [u8], tag: #tag_t, payload: &[u8], #count_var: Option<usize>) -> ::core::result::Result<usize, ::uapigen_runtime::Reject> {
                let at = ::core::mem::offset_of!(#h, #data_n);
                let end = at + payload.len();
                let len = ::uapigen_runtime::max(end, ::core::mem::size_of::<#h>());
                #size_check
                #count_check
                let Some(out) = out.get_mut(..len) else { #too_small };
                let head = ::uapigen_runtime::AsBytes::as_bytes(header);
                let mut ok = ::uapigen_runtime::put(out, 0, head.get(..at).unwrap_or(head));
                #size_put
                let tag = (header.#tag_n & !#h::TAG_MASK) | tag;
                ok &= ::uapigen_runtime::put(out, ::core::mem::offset_of!(#h, #tag_n), &tag);
                #count_put
                ok &= ::uapigen_runtime::put(out, at, payload);
                if end < len && let Some(rest) = out.get_mut(end..) {
                    rest.fill(0);
                }
                if ok { Ok(len) } else { #small }
            }
        }
    } else {
        quote! {
            #[inline] pub fn encode_into(&self, header: &#h, out: &mut [u8]) -> ::core::result::Result<usize, ::uapigen_runtime::Reject> {
                let len = self.encoded_len();
                #size_check
                let #count_var = #count_of;
                #count_check
                let Some(out) = out.get_mut(..len) else { #too_small };
                out.fill(0);
                let h = header;
                let mut ok = true;
                #write
                #size_put
                #tag_put
                #count_put
                ok &= self.put_payload(out, ::core::mem::offset_of!(#h, #data_n));
                if ok { Ok(len) } else { #small }
            }
        }
    };
    let lt = if counted { quote!('a) } else { quote!('_) };
    let fixed_encode = if counted {
        quote! {
            /// Encode into a stack buffer of `N` bytes (no heap); EINVAL if it does not fit.
            pub fn encode<const N: usize>(&self, header: &#h) -> ::core::result::Result<::uapigen_runtime::ArgBuf<N>, ::uapigen_runtime::Reject> {
                let Some(mut buf) = ::uapigen_runtime::ArgBuf::<N>::zeroed(self.encoded_len()) else {
                    return Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Inval, #data_w, "the buffer is too small"));
                };
                self.encode_into(header, buf.as_mut_bytes())?;
                Ok(buf)
            }
        }
    } else {
        let sizes = p
            .variants
            .iter()
            .filter_map(|v| variant_ty(m, id, p, v))
            .map(|t| quote!(::core::mem::size_of::<#t>()));
        quote! {
            /// The largest encoded argument of any variant.
            pub const MAX_LEN: usize = {
                let mut n = 0;
                #( n = ::uapigen_runtime::max(n, #sizes); )*
                ::uapigen_runtime::max(::core::mem::offset_of!(#h, #data_n) + n, ::core::mem::size_of::<#h>())
            };

            /// Encode header and payload into an aligned stack buffer (no heap).
            pub fn encode(&self, header: &#h) -> ::uapigen_runtime::ArgBuf<{ Self::MAX_LEN }> {
                let mut buf = match ::uapigen_runtime::ArgBuf::zeroed(self.encoded_len()) {
                    Some(b) => b,
                    None => ::uapigen_runtime::ArgBuf::empty(),
                };
                let _ = self.encode_into(header, buf.as_mut_bytes());
                buf
            }
        }
    };
    quote! {
        /// Size of the encoded argument: header up to the payload, then the payload.
        #[inline] pub fn encoded_len(&self) -> usize {
            ::uapigen_runtime::max(::core::mem::offset_of!(#h, #data_n) + self.payload_len(), ::core::mem::size_of::<#h>())
        }

        /// Write the complete argument into `out` (at least `encoded_len()` bytes): the
        /// header's fields, the size field, the tag, the count and the payload. Returns the
        /// number of bytes written.
        #encode_into

        #fixed_encode

        /// Decode untrusted bytes the way the kernel checks them: the header (size, flags,
        /// reserved fields), the tag (unknown tags are rejected), and that the payload is
        /// as long as its type (and count) say.
        pub fn decode(bytes: &#lt [u8]) -> ::core::result::Result<(#h, Self), ::uapigen_runtime::Reject> {
            #read
            #count_read
            #ops
            let tail = bytes.get(::core::mem::offset_of!(#h, #data_n)..).unwrap_or(&[]);
            let payload = match header.tag_of() {
                #(#arms)*
                _ => return Err(::uapigen_runtime::Reject::new(#unknown, #tag_w, "unknown tag value")),
            };
            #after
            Ok((header, payload))
        }
    }
}
