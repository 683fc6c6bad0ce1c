//! Small printers shared by the Rust emitters: identifiers, docs, literals, types.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::check::Errno;
use crate::ir::{Field, IntTy, IntValue, Module, Scalar, Ty, TypeId};
use crate::spec::ErrnoName;

pub(crate) fn ident(s: &str) -> TokenStream {
    let i = ident_of(s);
    quote!(#i)
}

/// An identifier, raw (`r#type`) when the name says so.
pub(crate) fn ident_of(s: &str) -> proc_macro2::Ident {
    match s.strip_prefix("r#") {
        Some(raw) => proc_macro2::Ident::new_raw(raw, proc_macro2::Span::call_site()),
        None => format_ident!("{}", s),
    }
}

/// A spec's doc text as doc comments. It is prose, not rustdoc Markdown: brackets
/// (`args[0]`) are escaped so that rustdoc does not take them for links.
pub(crate) fn docs(doc: &Option<String>) -> TokenStream {
    let Some(d) = doc else { return quote!() };
    let lines = d.lines().map(|l| {
        let l = format!(" {}", l.trim_end().replace('[', "\\[").replace(']', "\\]"));
        quote!(#[doc = #l])
    });
    quote!(#(#lines)*)
}

/// `#[doc(alias = "c_name")]`, unless the Rust name is the C name (rustdoc rejects that).
pub(crate) fn alias_for(c: &str, rust: &str) -> TokenStream {
    if c == rust.trim_start_matches("r#") {
        quote!()
    } else {
        quote!(#[doc(alias = #c)])
    }
}

pub(crate) fn int_ty(t: IntTy) -> TokenStream {
    let i = format_ident!("{}", t.rust_name());
    quote!(#i)
}

/// An integer literal, in hex where the spec's expression reads best in hex.
pub(crate) fn int_lit(v: i128, hex: bool) -> TokenStream {
    let neg = v < 0;
    let mag = v.unsigned_abs();
    let text = if hex && !neg {
        let h = format!("{mag:x}");
        let mut grouped = String::new();
        for (i, c) in h.chars().enumerate() {
            if i > 0 && (h.len() - i) % 4 == 0 {
                grouped.push('_');
            }
            grouped.push(c);
        }
        format!("0x{grouped}")
    } else {
        mag.to_string()
    };
    let lit: Literal = text
        .parse()
        .unwrap_or_else(|_| Literal::u128_unsuffixed(mag));
    if neg { quote!(-#lit) } else { quote!(#lit) }
}

pub(crate) fn value_lit(v: &IntValue) -> TokenStream {
    int_lit(v.value, v.expr.prefers_hex())
}

pub(crate) fn usize_lit(v: u64) -> TokenStream {
    let l = Literal::u64_unsuffixed(v);
    quote!(#l)
}

/// The Rust type of a field type.
pub(crate) fn rust_ty(m: &Module, ty: &Ty) -> TokenStream {
    match ty {
        Ty::Scalar(Scalar::Int(t)) => int_ty(*t),
        Ty::Scalar(Scalar::Aligned(t)) if t.signed() => quote!(::uapigen_runtime::AlignedI64),
        Ty::Scalar(Scalar::Aligned(_)) => quote!(::uapigen_runtime::AlignedU64),
        Ty::Scalar(Scalar::C(t)) => t.rust_path().parse().unwrap_or_default(),
        // The module defines each kernel typedef it uses, per target (`kernel_type_aliases`).
        Ty::Scalar(Scalar::Kernel(k)) => ident(crate::ctypes::KERNEL_TYPES[usize::from(*k)].name),
        Ty::Ptr(t) => match &**t {
            Ty::Const(t) => {
                let t = rust_ty(m, t);
                quote!(*const #t)
            }
            t => {
                let t = rust_ty(m, t);
                quote!(*mut #t)
            }
        },
        Ty::Const(t) => rust_ty(m, t),
        Ty::Void => quote!(::core::ffi::c_void),
        Ty::Named(id) => match m.origin(*id) {
            // A type of a used spec lives in that spec's sibling module, or in the module
            // of the crate that holds it.
            Some(module) => {
                let n = ident(&m.types[*id].rust_name);
                match m.crate_modules.iter().find(|(c, _)| c == module) {
                    Some((_, path)) => {
                        let path: TokenStream = path.parse().unwrap_or_default();
                        quote!(#path::#n)
                    }
                    None => {
                        let md = ident(&crate::names::module_ident(module));
                        quote!(super::#md::#n)
                    }
                }
            }
            None => ident(&m.types[*id].rust_name),
        },
        Ty::Array(t, n, _) => {
            let t = rust_ty(m, t);
            let n = usize_lit(*n);
            quote!([#t; #n])
        }
        Ty::Flex(t) => {
            let t = rust_ty(m, t);
            quote!(::uapigen_runtime::FlexArray<#t>)
        }
    }
}

pub(crate) fn errno(e: ErrnoName) -> TokenStream {
    check_errno(e.into())
}

/// The integer type of a scalar field.
pub(crate) fn int_of(f: &Field) -> Option<IntTy> {
    match f.ty {
        Ty::Scalar(Scalar::Int(t)) => Some(t),
        Ty::Scalar(Scalar::Aligned(t)) => Some(t),
        _ => None,
    }
}

/// `self.flags` in its own integer type (through `.0` for aligned fields).
pub(crate) fn read_int(f: &Field, base: TokenStream) -> TokenStream {
    let n = ident(&f.rust_name);
    match f.ty {
        Ty::Scalar(Scalar::Aligned(_)) => quote!(#base.#n.0),
        _ => quote!(#base.#n),
    }
}

pub(crate) fn what(m: &Module, id: TypeId, f: &Field) -> String {
    format!(
        "{}.{}",
        m.types[id]
            .c_name
            .as_deref()
            .unwrap_or(&m.types[id].rust_name),
        f.c_name.as_deref().unwrap_or("")
    )
}

/// A check's errno as the runtime's `Errno`.
pub(crate) fn check_errno(e: Errno) -> TokenStream {
    match e {
        Errno::Fault => quote!(::uapigen_runtime::Errno::Fault),
        Errno::Inval => quote!(::uapigen_runtime::Errno::Inval),
        Errno::TooBig => quote!(::uapigen_runtime::Errno::TooBig),
        Errno::OpNotSupp => quote!(::uapigen_runtime::Errno::OpNotSupp),
        Errno::NotTty => quote!(::uapigen_runtime::Errno::NotTty),
        Errno::Overflow => quote!(::uapigen_runtime::Errno::Overflow),
        Errno::NoSpc => quote!(::uapigen_runtime::Errno::NoSpc),
    }
}
