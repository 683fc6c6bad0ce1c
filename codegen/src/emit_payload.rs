//! Rust output for the extensibility model: `MIN_SIZE`/`KNOWN_FLAGS` constants and a
//! `check` that mirrors the kernel's checks; tagged payload enums with encoders (no heap)
//! and decoders from untrusted bytes; capability-chain iterators.
//!
//! Decoders never index out of bounds or panic: every read goes through
//! `uapigen_runtime::get`, which returns `None` past the end.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::Model;
use crate::emit_rust::{ident, int_lit, rust_ty};
use crate::ir::{Extensible, Field, IntTy, Module, Payload, PayloadKind, Scalar, Ty, TypeId};
use crate::spec::{ErrnoName, Style};

fn errno(e: ErrnoName) -> TokenStream {
    match e {
        ErrnoName::Einval => quote!(::uapigen_runtime::Errno::Inval),
        ErrnoName::Eopnotsupp => quote!(::uapigen_runtime::Errno::OpNotSupp),
    }
}

/// The integer type of a scalar field.
fn int_of(f: &Field) -> Option<IntTy> {
    match f.ty {
        Ty::Scalar(Scalar::Int(t)) => Some(t),
        Ty::Scalar(Scalar::Aligned(t)) => Some(t),
        _ => None,
    }
}

/// `self.flags` in its own integer type (through `.0` for aligned fields).
fn read_int(f: &Field, base: TokenStream) -> TokenStream {
    let n = ident(&f.rust_name);
    match f.ty {
        Ty::Scalar(Scalar::Aligned(_)) => quote!(#base.#n.0),
        _ => quote!(#base.#n),
    }
}

fn what(m: &Module, id: TypeId, f: &Field) -> String {
    format!(
        "{}.{}",
        m.types[id]
            .c_name
            .as_deref()
            .unwrap_or(&m.types[id].rust_name),
        f.c_name.as_deref().unwrap_or("")
    )
}

/// Everything generated for one struct's extensions (empty when it has none).
pub fn extensions(model: &Model, id: TypeId) -> TokenStream {
    let m = &model.module;
    let t = &m.types[id];
    let mut out = TokenStream::new();
    // A struct with a pointer is not `FromBytes`: its `check` cannot read it from bytes.
    let readable = crate::emit_rust::from_bytes(model, &Ty::Named(id));
    if let Some(e) = &t.extensible {
        out.extend(extensible(m, id, e, readable));
    } else if has_reserved(m, id) {
        out.extend(plain_check(m, id, readable));
    }
    if let Some(p) = &t.payload {
        out.extend(payload(model, id, p));
    }
    if let Some(c) = &t.caps {
        out.extend(caps(m, id, c));
    }
    if crate::emit_validate::validated(m, id) {
        out.extend(validate(m, id));
    }
    out
}

/// `validate`: every check the C helper `<name>_validate` makes, in the same order.
fn validate(m: &Module, id: TypeId) -> TokenStream {
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
                    let read = header_read(m, id);
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

/// Whether a struct has reserved fields that must be zero.
pub(crate) fn has_reserved(m: &Module, id: TypeId) -> bool {
    // A reserved member of a union overlaps the others: it cannot be checked on its own.
    m.types[id].kind == crate::spec::Kind::Struct
        && m.types[id]
            .fields
            .iter()
            .any(|f| f.reserved && !matches!(f.ty, Ty::Flex(_)))
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
fn plain_check(m: &Module, id: TypeId, readable: bool) -> TokenStream {
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
fn extensible(m: &Module, id: TypeId, e: &Extensible, readable: bool) -> TokenStream {
    let t = &m.types[id];
    let name = ident(&t.rust_name);
    let c_name = t.c_name.as_deref().unwrap_or("");
    let size_what = what(m, id, &t.fields[e.size_field]);
    let field_errno = errno(e.field_errno());
    let (known, flag_check) = match e.flags {
        Some((fi, mask)) => {
            let f = &t.fields[fi];
            let ft = int_ty_tokens(int_of(f).unwrap_or(IntTy::U32));
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

fn int_ty_tokens(t: IntTy) -> TokenStream {
    let i = format_ident!("{}", t.rust_name());
    quote!(#i)
}

/// Write every direct field of `h` (a value of type `id`) except `skip` into `out`,
/// field by field, so that padding stays zero.
fn write_fields(m: &Module, id: TypeId, skip: Option<usize>) -> TokenStream {
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

fn payload(model: &Model, id: TypeId, p: &Payload) -> TokenStream {
    let m = &model.module;
    let t = &m.types[id];
    let h = ident(&t.rust_name);
    let c_name = t.c_name.as_deref().unwrap_or("");
    let enum_name = ident(&p.rust_name);
    let tag_f = &t.fields[p.tag_field];
    let tag_n = ident(&tag_f.rust_name);
    let tag_t = int_ty_tokens(int_of(tag_f).unwrap_or(IntTy::U32));
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
    let pdoc = crate::emit_rust::docs(&p.doc);

    let variants = p.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let d = crate::emit_rust::docs(&v.doc);
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
    if !encodable(model, id) {
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

/// Whether a payload struct can be encoded: every header field (but the payload itself)
/// and every variant type derive `IntoBytes`.
pub(crate) fn encodable(model: &Model, id: TypeId) -> bool {
    let m = &model.module;
    let t = &m.types[id];
    let Some(p) = &t.payload else { return false };
    let data = match p.kind {
        PayloadKind::Trailing { data, .. } | PayloadKind::Union { data } => Some(data),
        _ => None,
    };
    let header_ok = t
        .fields
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != data)
        .all(|(_, f)| crate::emit_rust::into_bytes(model, &f.ty));
    let variants_ok = p.variants.iter().all(|v| {
        let ty = match (&p.kind, v.member) {
            (PayloadKind::Union { data }, Some(mi)) => match &t.fields[*data].ty {
                Ty::Named(u) => Some(m.types[*u].fields[mi].ty.clone()),
                _ => None,
            },
            _ => v.ty.clone(),
        };
        ty.is_none_or(|ty| crate::emit_rust::into_bytes(model, &ty))
    });
    header_ok && variants_ok
}

/// The Rust type of a variant's payload (the union member's type for union payloads).
fn variant_ty(
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
fn fixed_arm(
    m: &Module,
    ty: &Ty,
    rt: &TokenStream,
    (tag, vn): (&TokenStream, &TokenStream),
    src: TokenStream,
    what: &str,
    short: &str,
) -> TokenStream {
    let dec = decode_fixed(m, ty, rt, src.clone(), what);
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
fn decode_fixed(
    m: &Module,
    ty: &Ty,
    t: &TokenStream,
    bytes: TokenStream,
    what: &str,
) -> TokenStream {
    // Nested structs with checks of their own (in this spec or a used one) run them.
    if let Ty::Named(inner) = ty
        && (m.types[*inner].extensible.is_some()
            || m.types[*inner].payload.is_some()
            || has_reserved(m, *inner))
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

fn header_read(m: &Module, id: TypeId) -> TokenStream {
    let t = &m.types[id];
    let h = ident(&t.rust_name);
    let w = t.c_name.clone().unwrap_or_default();
    if t.extensible.is_none() && has_reserved(m, id) {
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

fn size_put(m: &Module, id: TypeId) -> TokenStream {
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

fn tag_put(m: &Module, id: TypeId, p: &Payload) -> TokenStream {
    let t = &m.types[id];
    let h = ident(&t.rust_name);
    let f = &t.fields[p.tag_field];
    let n = ident(&f.rust_name);
    quote! {
        let tag = (header.#n & !#h::TAG_MASK) | self.tag();
        ok &= ::uapigen_runtime::put(out, ::core::mem::offset_of!(#h, #n), &tag);
    }
}

fn trailing(
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
    let fast = crate::emit_rust::into_bytes(model, &Ty::Named(id));
    let write = write_fields(m, id, None);
    let size_put = size_put(m, id);
    let tag_put = tag_put(m, id, p);
    let (count_put, count_read) = match count {
        Some(ci) => {
            let cf = &t.fields[ci];
            let cn = ident(&cf.rust_name);
            let ct = int_ty_tokens(int_of(cf).unwrap_or(IntTy::U32));
            let cw = what(m, id, cf);
            (
                // `None`: the count field stays as the header has it (already copied).
                quote! {
                    if let Some(count) = count {
                        let n = match #ct::try_from(count) { Ok(n) => n, Err(_) => return Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Inval, #cw, "too many elements")) };
                        ok &= ::uapigen_runtime::put(out, ::core::mem::offset_of!(#h, #cn), &n);
                    }
                },
                quote!(let n = header.#cn as usize;),
            )
        }
        None => (quote!(), quote!()),
    };
    let read = header_read(m, id);
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
                m,
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
            Some(_) => quote!(Self::#vn(x) => Self::encode_parts(header, out, #lit, ::uapigen_runtime::zerocopy::IntoBytes::as_bytes(x), Some(1))),
            None => quote!(Self::#vn => Self::encode_parts(header, out, #lit, &[], None)),
        }
    });
    let tag_t = int_ty_tokens(int_of(&t.fields[p.tag_field]).unwrap_or(IntTy::U32));
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
                let Some(out) = out.get_mut(..len) else { #too_small };
                let head = ::uapigen_runtime::zerocopy::IntoBytes::as_bytes(header);
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
                let Some(out) = out.get_mut(..len) else { #too_small };
                out.fill(0);
                let h = header;
                let mut ok = true;
                let #count_var = #count_of;
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
            let tail = bytes.get(::core::mem::offset_of!(#h, #data_n)..).unwrap_or(&[]);
            let payload = match header.tag_of() {
                #(#arms)*
                _ => return Err(::uapigen_runtime::Reject::new(#unknown, #tag_w, "unknown tag value")),
            };
            Ok((header, payload))
        }
    }
}

fn union_payload(model: &Model, id: TypeId, p: &Payload, data: usize) -> TokenStream {
    let m = &model.module;
    let t = &m.types[id];
    let h = ident(&t.rust_name);
    let data_n = ident(&t.fields[data].rust_name);
    let tag_w = what(m, id, &t.fields[p.tag_field]);
    let data_w = what(m, id, &t.fields[data]);
    let unknown = errno(p.unknown);
    let size_put = size_put(m, id);
    let tag_put = tag_put(m, id, p);
    let read = header_read(m, id);
    let arms = p.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let tag = int_lit(v.tag, false);
        match variant_ty(m, id, p, v) {
            Some(rt) => {
                let ty = match (t.fields[data].ty.clone(), v.member) {
                    (Ty::Named(u), Some(mi)) => Some(m.types[u].fields[mi].ty.clone()),
                    _ => None,
                };
                let dec = match ty {
                    Some(ty) => decode_fixed(m, &ty, &rt, quote!(at), &data_w),
                    None => quote!(return Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Inval, #data_w, "no member"))),
                };
                quote!(#tag => Self::#vn(#dec),)
            }
            None => quote!(#tag => Self::#vn,),
        }
    });
    let small = quote!(Err(::uapigen_runtime::Reject::new(::uapigen_runtime::Errno::Inval, #data_w, "the output buffer is too small")));
    let encode_into = if crate::emit_rust::into_bytes(model, &Ty::Named(id)) {
        // No padding: one match for the variant, then per variant (with constant sizes) the
        // header's bytes around the union, the member, zeros for the rest of the union.
        let tag_n = ident(&t.fields[p.tag_field].rust_name);
        let tag_t = int_ty_tokens(int_of(&t.fields[p.tag_field]).unwrap_or(IntTy::U32));
        let member_arms = p.variants.iter().map(|v| {
            let vn = ident(&v.rust_name);
            let lit = int_lit(v.tag, false);
            match variant_ty(m, id, p, v) {
                Some(_) => quote!(Self::#vn(x) => Self::encode_member(header, out, #lit, ::uapigen_runtime::zerocopy::IntoBytes::as_bytes(x))),
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
                let Some(out) = out.get_mut(..len) else { return #small };
                let head = ::uapigen_runtime::zerocopy::IntoBytes::as_bytes(header);
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
            let at = bytes.get(::core::mem::offset_of!(#h, #data_n)..).unwrap_or(&[]);
            let payload = match header.tag_of() {
                #(#arms)*
                _ => return Err(::uapigen_runtime::Reject::new(#unknown, #tag_w, "unknown tag value")),
            };
            Ok((header, payload))
        }
    }
}

fn pointer_payload(
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
    let tag_t = int_ty_tokens(int_of(&t.fields[p.tag_field]).unwrap_or(IntTy::U32));
    match (length, entries) {
        (Some(li), _) => {
            let lf = &t.fields[li];
            let ln = ident(&lf.rust_name);
            let lw = what(m, id, lf);
            let lt = int_ty_tokens(int_of(lf).unwrap_or(IntTy::U32));
            let arms = p.variants.iter().map(|v| {
                let vn = ident(&v.rust_name);
                let tag = int_lit(v.tag, false);
                match (&v.ty, variant_ty(m, id, p, v)) {
                    (Some(ty), Some(rt)) => fixed_arm(
                        m,
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
                #[inline] pub fn fill(&self, header: &mut #h, ptr: u64) {
                    header.#tag_n = (header.#tag_n & !#h::TAG_MASK) | self.tag();
                    header.#ln = self.payload_len() as #lt;
                    #ptr_set
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
            let elt = int_ty_tokens(int_of(elf).unwrap_or(IntTy::U32));
            let ent = int_ty_tokens(int_of(enf).unwrap_or(IntTy::U32));
            let elw = what(m, id, elf);
            let enw = what(m, id, enf);
            let arms = p.variants.iter().map(|v| {
                let vn = ident(&v.rust_name);
                let tag = int_lit(v.tag, false);
                match variant_ty(m, id, p, v) {
                    Some(rt) => quote! {
                        #tag => {
                            if header.#eln as usize != ::core::mem::size_of::<#rt>() {
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
                /// bytes, `ElemSlice::as_bytes`).
                #[inline] pub fn fill(&self, header: &mut #h, ptr: u64) {
                    header.#tag_n = (header.#tag_n & !#h::TAG_MASK) | self.tag();
                    header.#eln = self.entry_len() as #elt;
                    header.#enn = self.count() as #ent;
                    #ptr_set
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

fn caps(m: &Module, id: TypeId, c: &crate::ir::Caps) -> TokenStream {
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
        let d = crate::emit_rust::docs(&v.doc);
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
    let id_t = int_ty_tokens(int_of(&hf[c.id_field]).unwrap_or(IntTy::U16));
    let ver_t = int_ty_tokens(int_of(&hf[c.version_field]).unwrap_or(IntTy::U16));
    let cd = crate::emit_rust::docs(&c.doc);
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
