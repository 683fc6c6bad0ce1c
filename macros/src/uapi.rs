//! `#[derive(Uapi)]`: what generated types get from attributes instead of spelled-out code.
//!
//! ```ignore
//! #[derive(Uapi)]
//! #[uapi(c_name = "vfio_irq_set")]
//! #[uapi(layout(size = 20, align = 4, offsets(argsz = 0, flags = 4, index = 8)))]
//! #[uapi(layout(cfg(target_arch = "m68k"), size = 20, align = 2, offsets(argsz = 0)))]
//! #[uapi(size_field = argsz, last_mandatory = count)]
//! #[uapi(flags(flags = IrqSetFlags))]
//! struct IrqSet { ... }
//! ```
//!
//! - `layout(...)`: compile-time assertions of size, alignment and field offsets, for the
//!   targets `cfg(...)` selects (all when absent);
//! - `size_field`: `new()`, a zeroed value whose size field holds its size;
//! - `last_mandatory`: `MIN_SIZE`, the end of that field;
//! - `flags(field = Type)`: typed `field()` / `set_field()` accessors through a bitflags type.
//!
//! The attributes are described (and parsed) by the `uapigen-attr` crate, which the
//! generator prints them with.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use syn::DeriveInput;
use uapigen_attr::{FlagsAttr, UapiAttrs, path_text};

pub fn derive(input: &DeriveInput) -> syn::Result<TokenStream> {
    let a = UapiAttrs::parse(&input.attrs)?;
    let ty = &input.ident;
    let what = a.c_name.clone().unwrap_or_else(|| ty.to_string());
    let layouts = a.layouts.iter().map(|l| {
        let cfg = l.cfg.as_ref().map(|c| quote!(#[cfg(#c)]));
        let size = Literal::u64_unsuffixed(l.size);
        let align = Literal::u64_unsuffixed(l.align);
        let size_msg = format!("size of {what}");
        let align_msg = format!("alignment of {what}");
        let offs = l.offsets.iter().map(|(f, o)| {
            let msg = format!(
                "offset of {what}.{}",
                f.to_string().trim_start_matches("r#")
            );
            let o = Literal::u64_unsuffixed(*o);
            quote!(assert!(::core::mem::offset_of!(#ty, #f) == #o, #msg);)
        });
        quote! {
            #cfg
            const _: () = {
                assert!(::core::mem::size_of::<#ty>() == #size, #size_msg);
                assert!(::core::mem::align_of::<#ty>() == #align, #align_msg);
                #(#offs)*
            };
        }
    });
    let min = a.last_mandatory.as_ref().map(|f| {
        let doc = format!(" Smallest valid size: the end of `{f}`, the last field every revision has.");
        quote! {
            #[doc = #doc]
            pub const MIN_SIZE: usize = ::core::mem::offset_of!(#ty, #f) + {
                const fn size_of_field<T>(_: fn(&#ty) -> &T) -> usize { ::core::mem::size_of::<T>() }
                size_of_field(|v: &#ty| &v.#f)
            };
        }
    });
    let new = a.size_field.as_ref().map(|f| {
        quote! {
            /// A zeroed value whose size field holds the size of the struct.
            pub fn new() -> Self {
                let mut v: Self = ::uapigen_runtime::Zeroable::zeroed();
                v.#f = ::core::mem::size_of::<Self>() as _;
                v
            }
        }
    });
    let flags = a.flags.iter().map(|FlagsAttr { field: f, ty: t }| {
        let name = f.to_string();
        let name = name.trim_start_matches("r#");
        let get = format_ident!("{}", name);
        let set = format_ident!("set_{}", name);
        let get_doc = format!(" `{name}` as `{}`; unknown bits are kept.", path_text(t));
        let set_doc = format!(" Set `{name}` from typed flags.");
        quote! {
            #[doc = #get_doc]
            pub fn #get(&self) -> #t {
                #t::from_bits_retain(self.#f)
            }
            #[doc = #set_doc]
            pub fn #set(&mut self, flags: #t) {
                self.#f = flags.bits();
            }
        }
    });
    let inherent = if min.is_some() || new.is_some() || !a.flags.is_empty() {
        quote! {
            impl #ty {
                #min
                #new
                #(#flags)*
            }
        }
    } else {
        quote!()
    };
    Ok(quote! {
        #(#layouts)*
        #inherent
    })
}
