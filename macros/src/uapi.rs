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

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{DeriveInput, Ident, LitInt, LitStr};

struct Layout {
    cfg: Option<TokenStream>,
    size: LitInt,
    align: LitInt,
    offsets: Vec<(Ident, LitInt)>,
}

#[derive(Default)]
struct Attrs {
    c_name: Option<LitStr>,
    layouts: Vec<Layout>,
    size_field: Option<Ident>,
    last_mandatory: Option<Ident>,
    flags: Vec<(Ident, syn::Path)>,
}

fn parse_attrs(input: &DeriveInput) -> syn::Result<Attrs> {
    let mut a = Attrs::default();
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("uapi")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("c_name") {
                a.c_name = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("size_field") {
                a.size_field = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("last_mandatory") {
                a.last_mandatory = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("flags") {
                meta.parse_nested_meta(|f| {
                    let field = f
                        .path
                        .get_ident()
                        .cloned()
                        .ok_or_else(|| f.error("expected a field name"))?;
                    let ty: syn::Path = f.value()?.parse()?;
                    a.flags.push((field, ty));
                    Ok(())
                })?;
            } else if meta.path.is_ident("layout") {
                let mut cfg = None;
                let mut size = None;
                let mut align = None;
                let mut offsets = Vec::new();
                meta.parse_nested_meta(|l| {
                    if l.path.is_ident("cfg") {
                        let content;
                        syn::parenthesized!(content in l.input);
                        let pred: TokenStream = content.parse()?;
                        cfg = Some(pred);
                    } else if l.path.is_ident("size") {
                        size = Some(l.value()?.parse()?);
                    } else if l.path.is_ident("align") {
                        align = Some(l.value()?.parse()?);
                    } else if l.path.is_ident("offsets") {
                        l.parse_nested_meta(|o| {
                            let f = o
                                .path
                                .get_ident()
                                .cloned()
                                .ok_or_else(|| o.error("expected a field name"))?;
                            offsets.push((f, o.value()?.parse()?));
                            Ok(())
                        })?;
                    } else {
                        return Err(
                            l.error("expected `cfg(...)`, `size`, `align` or `offsets(...)`")
                        );
                    }
                    Ok(())
                })?;
                let (Some(size), Some(align)) = (size, align) else {
                    return Err(meta.error("`layout` needs `size = N` and `align = N`"));
                };
                a.layouts.push(Layout {
                    cfg,
                    size,
                    align,
                    offsets,
                });
            } else {
                return Err(meta.error("unknown `uapi` key; expected `c_name`, `layout(...)`, `size_field`, `last_mandatory` or `flags(...)`"));
            }
            Ok(())
        })?;
    }
    Ok(a)
}

pub fn derive(input: &DeriveInput) -> syn::Result<TokenStream> {
    let a = parse_attrs(input)?;
    let ty = &input.ident;
    let what = a
        .c_name
        .as_ref()
        .map_or_else(|| ty.to_string(), LitStr::value);
    let layouts = a.layouts.iter().map(|l| {
        let cfg = l.cfg.as_ref().map(|c| quote!(#[cfg(#c)]));
        let (size, align) = (&l.size, &l.align);
        let size_msg = format!("size of {what}");
        let align_msg = format!("alignment of {what}");
        let offs = l.offsets.iter().map(|(f, o)| {
            let msg = format!(
                "offset of {what}.{}",
                f.to_string().trim_start_matches("r#")
            );
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
                let mut v: Self = ::uapigen_runtime::zerocopy::FromZeros::new_zeroed();
                v.#f = ::core::mem::size_of::<Self>() as _;
                v
            }
        }
    });
    let flags = a.flags.iter().map(|(f, t)| {
        let name = f.to_string();
        let name = name.trim_start_matches("r#");
        let get = format_ident!("{}", name);
        let set = format_ident!("set_{}", name);
        let get_doc = format!(
            " `{name}` as `{}`; unknown bits are kept.",
            quote!(#t).to_string().replace(' ', "")
        );
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
