//! Safe ioctl wrappers: one function per ioctl, typed by direction and argument, built on
//! `uapigen_runtime::ioctl` (rustix). The wrapper is what makes the call sound: it passes an
//! argument of the spec's type and, for argsz-style structs, sets the size field to the
//! size of the memory it hands to the kernel.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::tokens::{docs, ident, rust_ty};
use crate::ir::{Ioctl, Module, PayloadKind, Scalar, Ty};
use crate::model::Model;
use crate::names;
use crate::spec::{Data, Pass, Returns};

pub(crate) fn ret(r: Returns) -> (TokenStream, TokenStream) {
    match r {
        Returns::Value => (quote!(::uapigen_runtime::ioctl::Result<i32>), quote!(Ok(r))),
        Returns::Zero => (
            quote!(::uapigen_runtime::ioctl::Result<()>),
            quote!({
                let _ = r;
                Ok(())
            }),
        ),
        Returns::Fd => (
            quote!(::uapigen_runtime::ioctl::Result<::uapigen_runtime::ioctl::OwnedFd>),
            // SAFETY: the spec says this ioctl returns a new file descriptor.
            quote!(Ok(unsafe { ::uapigen_runtime::ioctl::owned_fd(r) })),
        ),
    }
}

/// The wrappers of the given ioctls of a module.
pub fn wrappers<'a>(model: &Model, ioctls: impl Iterator<Item = &'a Ioctl>) -> TokenStream {
    let fns = ioctls.map(|io| {
        let f = wrapper(model, io);
        let i = model.module.ioctls.iter().position(|x| std::ptr::eq(x, io));
        match i.map(|i| model.facts.user_addresses(i)) {
            Some(fields) if !fields.is_empty() => unsafe_wrapper(f, io, fields),
            _ => f,
        }
    });
    quote!(#(#fns)*)
}

/// A wrapper whose argument hands the kernel user addresses the caller provides: `unsafe`,
/// with a `# Safety` section that names them.
fn unsafe_wrapper(f: TokenStream, io: &Ioctl, fields: &[String]) -> TokenStream {
    let list = fields
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ");
    make_unsafe(
        f,
        &[
            format!(
                " The argument hands the kernel user addresses ({list}): `{}` reads or writes the",
                io.c_name
            ),
            " memory there, during the call or, for mappings it keeps, after it. The caller"
                .to_owned(),
            " guarantees that each is valid for that use for as long as the kernel uses it, and"
                .to_owned(),
            " that nothing Rust owns is written through it behind Rust's back.".to_owned(),
        ],
    )
}

/// Make every `fn` of `f` an `unsafe fn` with a `# Safety` section of `safety` lines. A
/// wrapper that cannot be made `unsafe` must not be safe instead: a compile error.
fn make_unsafe(f: TokenStream, safety: &[String]) -> TokenStream {
    let Ok(mut file) = syn::parse2::<syn::File>(f) else {
        return quote!(::core::compile_error!(
            "uapigen: a wrapper that must be unsafe could not be made unsafe"
        ););
    };
    let lines = [String::new(), " # Safety".to_owned(), String::new()];
    for item in &mut file.items {
        if let syn::Item::Fn(func) = item {
            func.sig.safety = syn::parse_quote!(unsafe);
            for l in lines.iter().chain(safety) {
                func.attrs.push(syn::parse_quote!(#[doc = #l]));
            }
        }
    }
    let items = file.items;
    quote!(#(#items)*)
}

/// A flexible-array wrapper whose struct says neither its size nor its count (no
/// `extensible` size field, no `count` on the array): the kernel reads a length the
/// generated code cannot check, so the wrapper is `unsafe`.
fn unbounded_wrapper(f: TokenStream, io: &Ioctl) -> TokenStream {
    make_unsafe(
        f,
        &[
            format!(
                " `{}` reads the number of elements from the header, which the spec does not name",
                io.c_name
            ),
            " (no `count` on the array, no size field): the caller guarantees that the header's"
                .to_owned(),
            " count is at most `arg.count()`, so that the kernel stays inside the buffer."
                .to_owned(),
        ],
    )
}

/// Set the size field of an extensible argument to `len`; a `dynamic` length (a buffer's)
/// that does not fit in `u32` fails with `EINVAL`.
fn size_field_set(
    m: &Module,
    ty: &Ty,
    target: TokenStream,
    len: TokenStream,
    dynamic: bool,
) -> TokenStream {
    if let Ty::Named(id) = ty
        && let Some(e) = &m.types[*id].extensible
    {
        let f = ident(&m.types[*id].fields[e.size_field].rust_name);
        if !dynamic {
            // `size_of` of an ioctl argument: the ioctl encoding keeps it far below 4 GiB.
            return quote!(#target.#f = #len as u32;);
        }
        return quote! {
            #target.#f = u32::try_from(#len)
                .map_err(|_| ::uapigen_runtime::ioctl::IoErrno::INVAL)?;
        };
    }
    quote!()
}

pub(crate) fn wrapper(model: &Model, io: &Ioctl) -> TokenStream {
    // The constant's name in snake case: `IOMMU_MAP_DMA` -> `iommu_map_dma`.
    let name = ident(&names::wrapper_name(&io.rust_name));
    let op = ident(&io.rust_name);
    let d = docs(&io.doc);
    let rust = io.rust_name.trim_start_matches("r#");
    let call_doc = if io.c_name == rust {
        format!(" Calls [`{rust}`].")
    } else {
        format!(" Calls [`{}`]({rust}).", io.c_name)
    };
    let (ret_ty, ret_expr) = ret(io.returns);
    let head = quote! {
        #[doc = #call_doc]
        #[doc = ""]
        #d
    };
    match (&io.arg, io.pass) {
        (None, _) => quote! {
            #head
            pub fn #name(fd: impl ::uapigen_runtime::ioctl::AsFd) -> #ret_ty {
                // SAFETY: the spec says this ioctl takes no argument.
                let r = unsafe { ::uapigen_runtime::ioctl::call_none(fd, #op) }?;
                #ret_expr
            }
        },
        (Some(Ty::Scalar(Scalar::Int(t))), Pass::Value) => {
            let rt = format_ident!("{}", t.rust_name());
            let conv = if t.signed() {
                quote!(arg as isize as usize)
            } else {
                quote!(arg as usize)
            };
            quote! {
                #head
                pub fn #name(fd: impl ::uapigen_runtime::ioctl::AsFd, arg: #rt) -> #ret_ty {
                    // SAFETY: the spec says this ioctl takes an integer by value.
                    let r = unsafe { ::uapigen_runtime::ioctl::call_value(fd, #op, #conv) }?;
                    #ret_expr
                }
            }
        }
        (Some(Ty::Flex(e)), _) if matches!(**e, Ty::Scalar(Scalar::CHAR | Scalar::Int(_))) => {
            quote! {
                #head
                pub fn #name(fd: impl ::uapigen_runtime::ioctl::AsFd, arg: &::core::ffi::CStr) -> #ret_ty {
                    // SAFETY: the spec says the argument is a string the kernel reads.
                    let r = unsafe { ::uapigen_runtime::ioctl::call_cstr(fd, #op, arg) }?;
                    #ret_expr
                }
            }
        }
        (Some(ty), _) => pointer_wrapper(model, io, ty, name, op, head, ret_ty, ret_expr),
    }
}

#[allow(clippy::too_many_arguments)]
fn pointer_wrapper(
    model: &Model,
    io: &Ioctl,
    ty: &Ty,
    name: TokenStream,
    op: TokenStream,
    head: TokenStream,
    ret_ty: TokenStream,
    ret_expr: TokenStream,
) -> TokenStream {
    let m = &model.module;
    let rt = rust_ty(m, ty);
    let payload = match ty {
        Ty::Named(id) => m.types[*id]
            .payload
            .as_ref()
            .filter(|_| m.origin(*id).is_none() && model.facts.encodable(*id)),
        _ => None,
    };
    let flexible = matches!(ty, Ty::Named(id) if matches!(m.types[*id].fields.last().map(|f| &f.ty), Some(Ty::Flex(_))));
    if let Some(p) = payload {
        let pn = ident(&p.rust_name);
        let lt = match p.kind {
            PayloadKind::Trailing { count: Some(_), .. } | PayloadKind::Entries { .. } => {
                quote!(<'_>)
            }
            _ => quote!(),
        };
        let body = match p.kind {
            PayloadKind::Trailing { .. } | PayloadKind::Union { .. } => quote! {
                let len = payload.encoded_len();
                // An argument whose size the size field cannot hold: EINVAL before allocating.
                if u32::try_from(len).is_err() {
                    return Err(::uapigen_runtime::ioctl::IoErrno::INVAL);
                }
                let mut words = ::uapigen_runtime::ioctl::aligned_buf(len)?;
                let bytes = &mut ::uapigen_runtime::AsBytes::as_mut_bytes(words.as_mut_slice())[..len];
                payload.encode_into(header, bytes).map_err(|r| ::uapigen_runtime::ioctl::IoErrno::from_raw_os_error(r.errno.raw()))?;
                // SAFETY: `bytes` holds the whole encoded argument and its size field says
                // `len`, so the kernel stays within it.
                let r = unsafe { ::uapigen_runtime::ioctl::call_ptr(fd, #op, bytes) }?;
            },
            PayloadKind::Pointer { .. } => quote! {
                let data = payload.encode_data();
                let mut h = *header;
                payload.fill(&mut h, data.as_bytes().as_ptr() as u64).map_err(|r| ::uapigen_runtime::ioctl::IoErrno::from_raw_os_error(r.errno.raw()))?;
                // SAFETY: the header points to `data`, whose length it states; both outlive the call.
                let r = unsafe { ::uapigen_runtime::ioctl::call_ptr(fd, #op, &mut h) }?;
            },
            PayloadKind::Entries { .. } => quote! {
                let mut h = *header;
                payload.fill(&mut h, payload_bytes(payload).as_ptr() as u64).map_err(|r| ::uapigen_runtime::ioctl::IoErrno::from_raw_os_error(r.errno.raw()))?;
                // SAFETY: the header points to the entries, whose size and count it states.
                let r = unsafe { ::uapigen_runtime::ioctl::call_ptr(fd, #op, &mut h) }?;
            },
        };
        let entries_helper = if matches!(p.kind, PayloadKind::Entries { .. }) {
            let arms = p.variants.iter().map(|v| {
                let vn = ident(&v.rust_name);
                if v.ty.is_some() {
                    quote!(#pn::#vn(e) => e.as_bytes())
                } else {
                    quote!(#pn::#vn => &[])
                }
            });
            quote! {
                fn payload_bytes<'a>(p: &#pn<'a>) -> &'a [u8] {
                    match p { #(#arms,)* }
                }
            }
        } else {
            quote!()
        };
        let payload_doc = format!(
            " The argument is `header` with `payload` encoded into it (size field, tag and count filled in); `{}` is not called with anything else.",
            io.c_name
        );
        return quote! {
            #head
            #[doc = ""]
            #[doc = #payload_doc]
            pub fn #name(fd: impl ::uapigen_runtime::ioctl::AsFd, header: &#rt, payload: &#pn #lt) -> #ret_ty {
                #entries_helper
                #body
                #ret_expr
            }
        };
    }
    // `FlexBuf<T>` needs `T: FlexHeader`, implemented (like `AsBytes`) only without a
    // pointer or padding: other flexible structs are passed as bytes, or (with a pointer,
    // which bytes must not forge) get no wrapper.
    if flexible && !model.facts.into_bytes(ty) {
        if !model.facts.from_bytes(ty) {
            return quote!();
        }
        let Ty::Named(id) = ty else {
            return quote!();
        };
        let t = &m.types[*id];
        let set = match &t.extensible {
            Some(e) => {
                let f = ident(&t.fields[e.size_field].rust_name);
                quote! {
                    let Ok(n) = u32::try_from(len) else {
                        return Err(::uapigen_runtime::ioctl::IoErrno::INVAL);
                    };
                    if !::uapigen_runtime::put(arg, ::core::mem::offset_of!(#rt, #f), &n) {
                        return Err(::uapigen_runtime::ioctl::IoErrno::INVAL);
                    }
                }
            }
            None => quote!(),
        };
        let bytes_doc = format!(
            " The argument is the whole `{}` (header and flexible array) as bytes: it has padding, so it has no `FlexBuf`. Fails with `EINVAL` if `arg` is shorter than the struct.",
            t.display_name(m)
        );
        return quote! {
            #head
            #[doc = ""]
            #[doc = #bytes_doc]
            pub fn #name(fd: impl ::uapigen_runtime::ioctl::AsFd, arg: &mut [u8]) -> #ret_ty {
                let len = arg.len();
                // The ioctl number encodes `sizeof`, and the kernel copies that much in and
                // out: the buffer must hold the whole struct, padding included.
                if len < ::core::mem::size_of::<#rt>() {
                    return Err(::uapigen_runtime::ioctl::IoErrno::INVAL);
                }
                #set
                // SAFETY: the buffer holds the whole struct and `len` bytes in all (the size field,
                // if any, says so); the struct has no pointer for the kernel to follow.
                let r = unsafe { ::uapigen_runtime::ioctl::call_ptr(fd, #op, arg) }?;
                #ret_expr
            }
        };
    }
    if flexible {
        // A flexible array: the caller provides the whole buffer. The kernel goes by the
        // size field (set here), or by the count field: a counted struct's count is checked
        // against the elements the buffer holds (safe code can raise it through
        // `header_mut`); with neither, nothing bounds the kernel and the wrapper is unsafe.
        let set = size_field_set(m, ty, quote!(arg.header_mut()), quote!(len), true);
        // The length only goes into a size field (without one, binding it would warn).
        let len = (!set.is_empty()).then(|| quote!(let len = arg.len();));
        let counted = match ty {
            Ty::Named(id) => m.types[*id].counted().is_some(),
            _ => false,
        };
        let check = counted.then(|| {
            quote! {
                if ::uapigen_runtime::FamCount::count(arg.header()) > arg.count() {
                    return Err(::uapigen_runtime::ioctl::IoErrno::INVAL);
                }
            }
        });
        let f = quote! {
            #head
            pub fn #name(fd: impl ::uapigen_runtime::ioctl::AsFd, arg: &mut ::uapigen_runtime::FlexBuf<#rt>) -> #ret_ty {
                #len
                #set
                #check
                // SAFETY: the buffer holds `len` bytes, and the size field says so or the
                // count field is at most the elements it holds (else the caller vouched for
                // the count: the wrapper is unsafe).
                let r = unsafe { ::uapigen_runtime::ioctl::call_ptr(fd, #op, arg.as_mut_bytes()) }?;
                #ret_expr
            }
        };
        if set.is_empty() && !counted {
            return unbounded_wrapper(f, io);
        }
        return f;
    }
    let set = size_field_set(
        m,
        ty,
        quote!(arg),
        quote!(::core::mem::size_of::<#rt>()),
        false,
    );
    match io.data {
        Data::In => quote! {
            #head
            pub fn #name(fd: impl ::uapigen_runtime::ioctl::AsFd, arg: &#rt) -> #ret_ty {
                let mut arg = *arg;
                #set
                // SAFETY: the argument has the spec's type; the kernel only reads it.
                let r = unsafe { ::uapigen_runtime::ioctl::call_ptr(fd, #op, &mut arg) }?;
                #ret_expr
            }
        },
        _ => quote! {
            #head
            pub fn #name(fd: impl ::uapigen_runtime::ioctl::AsFd, arg: &mut #rt) -> #ret_ty {
                #set
                // SAFETY: the argument has the spec's type and (for argsz-style structs) its
                // size field states its size, so the kernel stays within it.
                let r = unsafe { ::uapigen_runtime::ioctl::call_ptr(fd, #op, arg) }?;
                #ret_expr
            }
        },
    }
}
