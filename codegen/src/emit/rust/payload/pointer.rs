//! Payloads behind a user pointer: a byte length, or entries of a size and a count.

use proc_macro2::TokenStream;
use quote::quote;

use super::super::tokens::{errno, ident, int_lit, int_of, int_ty, what};
use super::parts::{fixed_arm, variant_ty};
use crate::ir::{IntTy, Payload, Scalar, Ty, TypeId};
use crate::model::Model;

pub(crate) fn pointer_payload(
    model: &Model,
    id: TypeId,
    p: &Payload,
    pointer: usize,
    length: Option<usize>,
    entries: Option<(usize, usize)>,
) -> TokenStream {
    let m = &model.module;
    let t = &m.types[id];
    let h = ident(&t.rust_name);
    let tag_n = ident(&t.fields[p.tag_field].rust_name);
    let tag_w = what(m, id, &t.fields[p.tag_field]);
    let ptr_f = &t.fields[pointer];
    let ptr_n = ident(&ptr_f.rust_name);
    let ptr_set = match ptr_f.ty {
        Ty::Scalar(Scalar::Aligned(_)) => {
            quote!(header.#ptr_n = ::uapigen_runtime::AlignedU64(ptr);)
        }
        _ => quote!(header.#ptr_n = ptr;),
    };
    let unknown = errno(p.unknown);
    let tag_t = int_ty(int_of(&t.fields[p.tag_field]).unwrap_or(IntTy::U32));
    match (length, entries) {
        (Some(li), _) => {
            let lf = &t.fields[li];
            let ln = ident(&lf.rust_name);
            let lw = what(m, id, lf);
            let lt = int_ty(int_of(lf).unwrap_or(IntTy::U32));
            let arms = p.variants.iter().map(|v| {
                let vn = ident(&v.rust_name);
                let tag = int_lit(v.tag, false);
                match (&v.ty, variant_ty(m, id, p, v)) {
                    (Some(ty), Some(rt)) => fixed_arm(
                        model,
                        ty,
                        &rt,
                        (&tag, &vn),
                        quote!(data),
                        &lw,
                        "the data is shorter than its type",
                    ),
                    _ => quote!(#tag => Self::#vn,),
                }
            });
            let sizes = p
                .variants
                .iter()
                .filter_map(|v| variant_ty(m, id, p, v))
                .map(|t| quote!(::core::mem::size_of::<#t>()));
            quote! {
                /// The largest payload of any variant.
                pub const MAX_LEN: usize = {
                    let mut n = 0;
                    #( n = ::uapigen_runtime::max(n, #sizes); )*
                    n
                };

                /// The payload's bytes, to be placed in user memory that the pointer field
                /// points to.
                #[inline] pub fn encode_data(&self) -> ::uapigen_runtime::ArgBuf<{ Self::MAX_LEN }> {
                    let mut buf = match ::uapigen_runtime::ArgBuf::zeroed(self.payload_len()) {
                        Some(b) => b,
                        None => ::uapigen_runtime::ArgBuf::empty(),
                    };
                    let _ = self.put_payload(buf.as_mut_bytes(), 0);
                    buf
                }

                /// Set the tag, the length and the pointer (to where `encode_data`'s bytes are).
                /// `EINVAL`, with `header` unchanged, if the length does not fit its field.
                #[inline] pub fn fill(&self, header: &mut #h, ptr: u64) -> ::core::result::Result<(), ::uapigen_runtime::Reject> {
                    let len: #lt = ::uapigen_runtime::fit(self.payload_len(), #lw)?;
                    header.#tag_n = (header.#tag_n & !#h::TAG_MASK) | self.tag();
                    header.#ln = len;
                    #ptr_set
                    Ok(())
                }

                /// Decode the data the pointer of `header` points to (`data`, read from user
                /// memory by the caller): the tag, the length, and the payload's own checks.
                #[inline] pub fn decode(header: &#h, data: &[u8]) -> ::core::result::Result<Self, ::uapigen_runtime::Reject> {
                    if header.#ln as usize != data.len() {
                        return Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Inval, #lw, "the length field does not match the data"));
                    }
                    let _: #tag_t = header.#tag_n;
                    Ok(match header.tag_of() {
                        #(#arms)*
                        _ => return Err(::uapigen_runtime::Reject::new(#unknown, #tag_w, "unknown tag value")),
                    })
                }
            }
        }
        (None, Some((eli, eni))) => {
            let elf = &t.fields[eli];
            let enf = &t.fields[eni];
            let eln = ident(&elf.rust_name);
            let enn = ident(&enf.rust_name);
            let elt = int_ty(int_of(elf).unwrap_or(IntTy::U32));
            let ent = int_ty(int_of(enf).unwrap_or(IntTy::U32));
            let elw = what(m, id, elf);
            let enw = what(m, id, enf);
            let arms = p.variants.iter().map(|v| {
                let vn = ident(&v.rust_name);
                let tag = int_lit(v.tag, false);
                match variant_ty(m, id, p, v) {
                    Some(rt) => quote! {
                        #tag => {
                            // No entries (a probe of the tag) says nothing of their length.
                            if header.#enn != 0 && header.#eln as usize != ::core::mem::size_of::<#rt>() {
                                return Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Inval, #elw, "the entry length is not the size of the entry type"));
                            }
                            match ::uapigen_runtime::ElemSlice::from_bytes(data) {
                                Some(e) => Self::#vn(e),
                                None => return Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Inval, #enw, "the data is not a whole number of entries")),
                            }
                        }
                    },
                    None => quote!(#tag => Self::#vn,),
                }
            });
            let elen_arms = p.variants.iter().map(|v| {
                let vn = ident(&v.rust_name);
                match variant_ty(m, id, p, v) {
                    Some(rt) => quote!(Self::#vn(_) => ::core::mem::size_of::<#rt>()),
                    None => quote!(Self::#vn => 0),
                }
            });
            quote! {
                /// Size of one entry of this variant.
                #[inline] pub fn entry_len(&self) -> usize {
                    match self { #(#elen_arms,)* }
                }

                /// Set the tag, the entry length and count, and the pointer (to the entries'
                /// bytes, `ElemSlice::as_bytes`). `EINVAL`, with `header` unchanged, if the
                /// entry length or count does not fit its field.
                #[inline] pub fn fill(&self, header: &mut #h, ptr: u64) -> ::core::result::Result<(), ::uapigen_runtime::Reject> {
                    let entry_len: #elt = ::uapigen_runtime::fit(self.entry_len(), #elw)?;
                    let count: #ent = ::uapigen_runtime::fit(self.count(), #enw)?;
                    header.#tag_n = (header.#tag_n & !#h::TAG_MASK) | self.tag();
                    header.#eln = entry_len;
                    header.#enn = count;
                    #ptr_set
                    Ok(())
                }

                /// Decode the entries the pointer of `header` points to (`data`, read from
                /// user memory by the caller).
                #[inline] pub fn decode(header: &#h, data: &'a [u8]) -> ::core::result::Result<Self, ::uapigen_runtime::Reject> {
                    let want = (header.#eln as usize).checked_mul(header.#enn as usize);
                    if want != Some(data.len()) {
                        return Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Inval, #enw, "entry length times entry count does not match the data"));
                    }
                    Ok(match header.tag_of() {
                        #(#arms)*
                        _ => return Err(::uapigen_runtime::Reject::new(#unknown, #tag_w, "unknown tag value")),
                    })
                }
            }
        }
        _ => quote!(),
    }
}
