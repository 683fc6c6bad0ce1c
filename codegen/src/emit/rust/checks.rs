//! Rust checks of untrusted bytes: `MIN_SIZE`/`KNOWN_FLAGS` and `check` of extensible and
//! reserved-field structs, and `validate`, the same checks as the C helper.

use proc_macro2::TokenStream;
use quote::quote;

use super::tokens::{errno, ident, int_lit, int_of, int_ty, read_int, rust_ty, what};
use crate::ir::{Extensible, IntTy, Module, PayloadKind, Ty, TypeId};
use crate::model::Model;
use crate::spec::Style;

/// `validate`: every check the C helper `<name>_validate` makes, in the same order.
pub(crate) fn validate(model: &Model, id: TypeId) -> TokenStream {
    let m = &model.module;
    let t = &m.types[id];
    let h = ident(&t.rust_name);
    let c_name = t.c_name.as_deref().unwrap_or("");
    let doc = format!(
        " Check `bytes` holding a `struct {c_name}` as the kernel does (and as the C helper `{c_name}_validate` does)."
    );
    let body = match &t.payload {
        Some(p) => {
            let pn = ident(&p.rust_name);
            match p.kind {
                PayloadKind::Trailing { .. } | PayloadKind::Union { .. } => {
                    quote!(#pn::decode(bytes).map(|_| ()))
                }
                PayloadKind::Pointer { .. } | PayloadKind::Entries { .. } => {
                    let read = header_read(model, id);
                    let tags = p.variants.iter().map(|v| int_lit(v.tag, false));
                    let unknown = errno(p.unknown);
                    let tag_w = what(m, id, &t.fields[p.tag_field]);
                    quote! {
                        #read
                        let _ = bytes;
                        if [#(#tags),*].contains(&header.tag_of()) {
                            Ok(())
                        } else {
                            Err(::uapigen_runtime::Reject::new(#unknown, #tag_w, "unknown tag value"))
                        }
                    }
                }
            }
        }
        None => quote!(Self::check(bytes).map(|_| ())),
    };
    quote! {
        impl #h {
            #[doc = #doc]
            pub fn validate(bytes: &[u8]) -> ::core::result::Result<(), ::uapigen_runtime::Reject> {
                #body
            }
        }
    }
}

/// Checks of the reserved fields of a value `v` read from the bytes `buf`.
fn reserved_checks(m: &Module, id: TypeId, errno_tokens: &TokenStream) -> TokenStream {
    let t = &m.types[id];
    let name = ident(&t.rust_name);
    let checks = t.fields.iter().filter(|f| f.reserved && !matches!(f.ty, Ty::Flex(_))).map(|f| {
        let n = ident(&f.rust_name);
        let w = what(m, id, f);
        let ty = rust_ty(m, &f.ty);
        // A fixed-size compare: one load and compare for the usual small reserved fields.
        quote! {
            if !::uapigen_runtime::zero_at::<{ ::core::mem::size_of::<#ty>() }>(buf, ::core::mem::offset_of!(#name, #n)) {
                return Err(::uapigen_runtime::Reject::new(#errno_tokens, #w, "reserved field is not zero"));
            }
        }
    });
    quote!(#(#checks)*)
}

/// `check` of a fixed-size struct with reserved fields: long enough, reserved fields zero.
/// A struct with a pointer is not `FromBytes` (it cannot be read from bytes): its `check`
/// makes the same checks on the bytes and returns `()`.
pub(crate) fn plain_check(m: &Module, id: TypeId, readable: bool) -> TokenStream {
    let t = &m.types[id];
    let name = ident(&t.rust_name);
    let c_name = t.c_name.as_deref().unwrap_or("");
    let reserved = reserved_checks(m, id, &quote!(::uapigen_runtime::Errno::Inval));
    let short = quote! {
        return Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Inval, #c_name, "shorter than the struct"));
    };
    if !readable {
        let doc = format!(
            " Check untrusted bytes holding a `struct {c_name}`: long enough (EINVAL), reserved fields zero (EINVAL). The struct holds a pointer, so it is not read from the bytes."
        );
        return quote! {
            impl #name {
                #[doc = #doc]
                pub fn check(bytes: &[u8]) -> ::core::result::Result<(), ::uapigen_runtime::Reject> {
                    let Some(buf) = bytes.get(..::core::mem::size_of::<Self>()) else {
                        #short
                    };
                    // A zeroed value, only for the sizes of the reserved fields.
                    let v: Self = ::uapigen_runtime::zerocopy::FromZeros::new_zeroed();
                    #reserved
                    Ok(())
                }
            }
        };
    }
    let doc = format!(
        " Check untrusted bytes holding a `struct {c_name}` and read it: long enough (EINVAL), reserved fields zero (EINVAL)."
    );
    quote! {
        impl #name {
            #[doc = #doc]
            pub fn check(bytes: &[u8]) -> ::core::result::Result<Self, ::uapigen_runtime::Reject> {
                let (Some(v), Some(buf)) = (::uapigen_runtime::get::<Self>(bytes, 0), bytes.get(..::core::mem::size_of::<Self>())) else {
                    #short
                };
                #reserved
                Ok(v)
            }
        }
    }
}

/// `check` of an extensible struct. A struct with a pointer (not `readable`, not
/// `FromBytes`) gets the same checks on the bytes and returns `()`.
pub(crate) fn extensible(m: &Module, id: TypeId, e: &Extensible, readable: bool) -> TokenStream {
    let t = &m.types[id];
    let name = ident(&t.rust_name);
    let c_name = t.c_name.as_deref().unwrap_or("");
    let size_what = what(m, id, &t.fields[e.size_field]);
    let field_errno = errno(e.field_errno());
    let (known, flag_check) = match e.flags {
        Some((fi, mask)) => {
            let f = &t.fields[fi];
            let ft = int_ty(int_of(f).unwrap_or(IntTy::U32));
            let lit = int_lit(mask, true);
            let read = if readable {
                read_int(f, quote!(v))
            } else {
                let n = ident(&f.rust_name);
                quote!(::uapigen_runtime::get::<#ft>(buf, ::core::mem::offset_of!(#name, #n)).unwrap_or(0))
            };
            let w = what(m, id, f);
            (
                quote! {
                    /// Every flag bit this revision knows; others are rejected.
                    pub const KNOWN_FLAGS: #ft = #lit;
                },
                quote! {
                    if #read & !Self::KNOWN_FLAGS != 0 {
                        return Err(::uapigen_runtime::Reject::new(#field_errno, #w, "unknown flag bits are set"));
                    }
                },
            )
        }
        None => (quote!(), quote!()),
    };
    let reserved = reserved_checks(m, id, &field_errno);
    let tail_check = match e.style {
        Style::CopyStruct => quote! {
            if !::uapigen_runtime::all_zero(bytes, ::core::mem::size_of::<Self>(), size) {
                return Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::TooBig, #size_what, "bytes past the end this revision knows are not zero"));
            }
        },
        Style::Minsz => quote!(),
    };
    let style_doc = match e.style {
        Style::Minsz => {
            " Like the kernel (VFIO style): the size field must be at least `MIN_SIZE` (EINVAL) and no larger than `bytes` (EFAULT); unknown flags and non-zero reserved fields give EINVAL; bytes past what this revision knows are ignored."
        }
        Style::CopyStruct => {
            " Like the kernel's `copy_struct_from_user` (IOMMUFD style): the size field must be at least `MIN_SIZE` (EINVAL) and no larger than `bytes` (EFAULT); a shorter struct is zero-extended; non-zero bytes past what this revision knows give E2BIG; unknown flags and non-zero reserved fields give EOPNOTSUPP."
        }
    };
    let (c_doc, ret, read, ok) = if readable {
        (
            format!(" Check untrusted bytes holding a `struct {c_name}` and read it."),
            quote!(Self),
            quote! {
                let Some(v) = ::uapigen_runtime::get::<Self>(buf, 0) else {
                    return Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Inval, #size_what, "the buffer is too short"));
                };
            },
            quote!(Ok(v)),
        )
    } else {
        (
            format!(
                " Check untrusted bytes holding a `struct {c_name}` (it holds a pointer, so it is not read from the bytes)."
            ),
            quote!(()),
            quote! {
                // A zeroed value, only for the sizes of the reserved fields.
                let v: Self = ::uapigen_runtime::zerocopy::FromZeros::new_zeroed();
                let _ = &v;
            },
            quote!(Ok(())),
        )
    };
    quote! {
        impl #name {
            #known
            #[doc = #c_doc]
            #[doc = ""]
            #[doc = #style_doc]
            pub fn check(bytes: &[u8]) -> ::core::result::Result<#ret, ::uapigen_runtime::Reject> {
                let Some(size) = ::uapigen_runtime::get::<u32>(bytes, 0) else {
                    return Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Fault, #size_what, "the buffer does not hold the size field"));
                };
                let size = size as usize;
                if size < Self::MIN_SIZE {
                    return Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Inval, #size_what, "smaller than the minimum size"));
                }
                if size > bytes.len() {
                    return Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Fault, #size_what, "larger than the buffer"));
                }
                #tail_check
                // A struct shorter than this revision's reads as zero-extended; a whole
                // one is read in place.
                let mut short = [0u8; ::core::mem::size_of::<#name>()];
                let buf: &[u8] = if size >= short.len() {
                    bytes
                } else {
                    short[..size].copy_from_slice(&bytes[..size]);
                    &short
                };
                #read
                #flag_check
                #reserved
                #ok
            }
        }
    }
}

pub(crate) fn header_read(model: &Model, id: TypeId) -> TokenStream {
    let m = &model.module;
    let t = &m.types[id];
    let h = ident(&t.rust_name);
    let w = t.c_name.clone().unwrap_or_default();
    if t.extensible.is_none() && model.facts.has_reserved(id) {
        return quote! {
            let header = #h::check(bytes)?;
        };
    }
    if let Some(e) = &t.extensible {
        // `check` read the size field and bounded it by `bytes`.
        let sf = ident(&t.fields[e.size_field].rust_name);
        quote! {
            let header = #h::check(bytes)?;
            let size = header.#sf as usize;
            let bytes = bytes.get(..size).unwrap_or(bytes);
        }
    } else {
        quote! {
            let Some(header) = ::uapigen_runtime::get::<#h>(bytes, 0) else {
                return Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Inval, #w, "shorter than the struct"));
            };
        }
    }
}
