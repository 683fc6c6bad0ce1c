//! Capability-chain iterators of INFO structs.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::tokens::{ident, int_lit, int_of, int_ty, read_int};
use crate::ir::IntTy;
use crate::ir::{Module, TypeId};

pub(crate) fn caps(m: &Module, id: TypeId, c: &crate::ir::Caps) -> TokenStream {
    let t = &m.types[id];
    let h = ident(&t.rust_name);
    let c_name = t.c_name.as_deref().unwrap_or("");
    let enum_name = ident(&c.rust_name);
    let iter_name = format_ident!("{}Iter", c.rust_name);
    let hdr = ident(&m.types[c.header].rust_name);
    let hf = &m.types[c.header].fields;
    let (idn, vern, nextn) = (
        ident(&hf[c.id_field].rust_name),
        ident(&hf[c.version_field].rust_name),
        ident(&hf[c.next_field].rust_name),
    );
    let off_n = ident(&t.fields[c.offset_field].rust_name);
    let w = format!("{c_name} capability chain");
    let flag_check = match &c.flag {
        Some((_, v)) => {
            let flags = t
                .fields
                .iter()
                .find(|f| f.flags.is_some())
                .map(|f| read_int(f, quote!(self)));
            let lit = Literal::u64_unsuffixed(*v as u64);
            match flags {
                Some(fl) => quote!(if #fl & #lit == 0 { 0 } else { self.#off_n as usize }),
                None => quote!(self.#off_n as usize),
            }
        }
        None => quote!(self.#off_n as usize),
    };
    let variants = c.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let ty = ident(&m.types[v.ty].rust_name);
        let d = super::tokens::docs(&v.doc);
        let id_doc = format!(
            " Capability `{}` ({}).",
            v.id_name.as_deref().unwrap_or(""),
            v.id
        );
        quote!(#d #[doc = #id_doc] #vn { cap: #ty, bytes: &'a [u8] })
    });
    let arms = c.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let ty = ident(&m.types[v.ty].rust_name);
        let idl = int_lit(v.id, false);
        quote! {
            #idl => match ::uapigen_runtime::get::<#ty>(bytes, 0) {
                Some(cap) => #enum_name::#vn { cap, bytes },
                None => return Some(Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Inval, #w, "a capability is cut short"))),
            },
        }
    });
    let enum_doc = format!(" A capability in the chain behind `struct {c_name}`.");
    let id_t = int_ty(int_of(&hf[c.id_field]).unwrap_or(IntTy::U16));
    let ver_t = int_ty(int_of(&hf[c.version_field]).unwrap_or(IntTy::U16));
    let cd = super::tokens::docs(&c.doc);
    quote! {
        #[doc = #enum_doc]
        #cd
        #[derive(Clone, Copy, Debug)]
        pub enum #enum_name<'a> {
            #(#variants,)*
            /// A capability this revision does not know (user space skips it).
            Unknown { id: #id_t, version: #ver_t, bytes: &'a [u8] },
        }

        /// Walks the capability chain of a reply buffer.
        #[derive(Clone, Debug)]
        pub struct #iter_name<'a> {
            buf: &'a [u8],
            next: usize,
        }

        impl #h {
            /// The capabilities in `buf`, the whole reply buffer this struct heads.
            pub fn caps<'a>(&self, buf: &'a [u8]) -> #iter_name<'a> {
                #iter_name { buf, next: #flag_check }
            }
        }

        impl<'a> ::core::iter::Iterator for #iter_name<'a> {
            type Item = ::core::result::Result<#enum_name<'a>, ::uapigen_runtime::Reject>;

            fn next(&mut self) -> ::core::option::Option<Self::Item> {
                if self.next == 0 {
                    return None;
                }
                let at = self.next;
                self.next = 0;
                let Some(header) = ::uapigen_runtime::get::<#hdr>(self.buf, at) else {
                    return Some(Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Inval, #w, "a capability header lies outside the buffer")));
                };
                let next = header.#nextn as usize;
                if next != 0 && (next <= at || next >= self.buf.len()) {
                    return Some(Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Inval, #w, "the next offset does not move forward inside the buffer")));
                }
                let end = if next == 0 { self.buf.len() } else { next };
                let bytes = self.buf.get(at..end).unwrap_or(&[]);
                self.next = next;
                Some(Ok(match header.#idn {
                    #(#arms)*
                    _ => #enum_name::Unknown { id: header.#idn, version: header.#vern, bytes },
                }))
            }
        }
    }
}
