//! Bit-fields in the Rust output: each run of consecutive bit-fields is the bytes that hold
//! it (`_bitfield_1: [u8; N]`, where C puts them), a zero-sized array of each bit-field type
//! at the start of the struct gives it the alignment those types give the C struct, and
//! every bit-field gets `name()` and `set_name(v)` by its bit position
//! (`uapigen_runtime::bitfield`). `bitfields::check` made the runs the same on every ABI
//! of the struct.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::tokens::{docs, ident, rust_ty};
use crate::bitfields::{Run, mode_aligned, runs};
use crate::ir::{Scalar, Ty, TypeId};
use crate::layout::TypeLayout;
use crate::model::Model;

/// The runs of struct `id`, from its first ABI.
pub(super) fn plan(model: &Model, id: TypeId) -> Vec<Run> {
    let t = &model.module.types[id];
    if t.fields.iter().all(|f| f.bits.is_none()) {
        return Vec::new();
    }
    match (0..model.layouts.len()).find(|i| t.abis.contains(*i)) {
        Some(abi) => runs(&model.module, &model.layouts[abi], id),
        None => Vec::new(),
    }
}

fn storage(k: usize) -> proc_macro2::Ident {
    format_ident!("_bitfield_{}", k + 1)
}

/// The distinct Rust types of the bit-fields, in field order.
fn types(model: &Model, id: TypeId) -> Vec<TokenStream> {
    let mut out: Vec<TokenStream> = Vec::new();
    for f in model.module.types[id]
        .fields
        .iter()
        .filter(|f| f.bits.is_some())
    {
        let ty = rust_ty(&model.module, &f.ty);
        if !out.iter().any(|t| t.to_string() == ty.to_string()) {
            out.push(ty);
        }
    }
    out
}

/// The alignment markers, first in the struct; not on the ABIs where a bit-field's type
/// does not align the struct (m68k).
pub(super) fn markers(model: &Model, id: TypeId) -> Vec<TokenStream> {
    let not: Vec<TokenStream> = crate::abi::ABIS
        .iter()
        .filter(|a| !a.bitfield_type_matters())
        .filter_map(|a| a.rust_cfg?.parse().ok())
        .collect();
    let cfg = match not.is_empty() {
        true => quote!(),
        false => quote!(#[cfg(not(any(#(#not),*)))]),
    };
    let mut out: Vec<TokenStream> = types(model, id)
        .into_iter()
        .enumerate()
        .map(|(i, ty)| {
            let n = format_ident!("_bitfield_align_{}", i + 1);
            quote!(#cfg #[doc(hidden)] pub #n: [#ty; 0])
        })
        .collect();
    // Where a mode-wide bit-field aligns the struct by its mode (m68k: 2 bytes).
    let mode: Vec<TokenStream> = crate::abi::ABIS
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            model.module.types[id].abis.contains(*i)
                && mode_aligned(&model.module, &model.layouts[*i], id)
        })
        .filter_map(|(_, a)| a.rust_cfg?.parse().ok())
        .collect();
    if !mode.is_empty() {
        out.push(quote!(#[cfg(any(#(#mode),*))] #[doc(hidden)] pub _bitfield_align_mode: [u16; 0]));
    }
    out
}

/// The storage member that stands for field `i`: `Some` for the first bit-field of a run,
/// `None` for the others.
pub(super) fn member(model: &Model, id: TypeId, plan: &[Run], i: usize) -> Option<TokenStream> {
    let (k, r) = plan.iter().enumerate().find(|(_, r)| r.first == i)?;
    let t = &model.module.types[id];
    let names: Vec<String> = t.fields[r.first..=r.last]
        .iter()
        .map(|f| format!("`{}`", f.rust_name.trim_start_matches("r#")))
        .collect();
    let doc = format!(
        " The bits of the bit-fields {}: read and write each with its accessor.",
        names.join(", ")
    );
    let n = storage(k);
    let len = Literal::u64_unsuffixed(r.len);
    Some(quote!(#[doc = #doc] pub #n: [u8; #len]))
}

/// The type of the storage member that stands for field `i` (`[u8; N]`): `Some` for the
/// first bit-field of a run, `None` for the others.
pub(super) fn storage_ty(plan: &[Run], i: usize) -> Option<TokenStream> {
    let r = plan.iter().find(|r| r.first == i)?;
    let len = Literal::u64_unsuffixed(r.len);
    Some(quote!([u8; #len]))
}

/// The `layout(offsets(...))` entries of the storage members (and of the markers, where
/// they are) on one group of ABIs.
pub(super) fn offsets(
    model: &Model,
    id: TypeId,
    plan: &[Run],
    l: &TypeLayout,
    markers: bool,
    mode: bool,
) -> Vec<(proc_macro2::Ident, u64)> {
    let n = if markers { types(model, id).len() } else { 0 };
    let mut out: Vec<(proc_macro2::Ident, u64)> = (0..n)
        .map(|i| (format_ident!("_bitfield_align_{}", i + 1), 0))
        .collect();
    if mode {
        out.push((format_ident!("_bitfield_align_mode"), 0));
    }
    for (k, r) in plan.iter().enumerate() {
        let start = l.bits.get(r.first).copied().flatten().unwrap_or(0) / 8;
        out.push((storage(k), start));
    }
    out
}

/// `name()` and `set_name(v)` of every bit-field.
pub(super) fn accessors(model: &Model, id: TypeId, plan: &[Run]) -> TokenStream {
    let m = &model.module;
    let t = &m.types[id];
    let first_abi = (0..model.layouts.len()).find(|i| t.abis.contains(*i));
    let mut fns = Vec::new();
    for (k, r) in plan.iter().enumerate() {
        let s = storage(k);
        for (j, f) in t.fields[r.first..=r.last].iter().enumerate() {
            let Some(w) = f.bits else { continue };
            let ty = rust_ty(m, &f.ty);
            let signed = match (&f.ty, first_abi) {
                (Ty::Scalar(Scalar::Int(i)), _) => i.signed(),
                (Ty::Scalar(Scalar::C(c)), Some(a)) => c.signed(model.layouts[a].abi),
                _ => false,
            };
            let pos = Literal::u64_unsuffixed(r.rel[j]);
            let w = Literal::u32_unsuffixed(w);
            let get = ident(&f.rust_name);
            let set = format_ident!("set_{}", f.rust_name.trim_start_matches("r#"));
            let d = docs(&f.doc);
            let c = f.c_name.as_deref().unwrap_or_default();
            let what = format!(" The {w}-bit field `{c}`.");
            let read = if signed {
                quote!(::uapigen_runtime::bitfield::get_signed(&self.#s, #pos, #w) as #ty)
            } else {
                quote!(::uapigen_runtime::bitfield::get(&self.#s, #pos, #w) as #ty)
            };
            let set_doc = format!(" Set the {w}-bit field `{c}` to the low {w} bits of `v`.");
            fns.push(quote! {
                #d
                #[doc = ""]
                #[doc = #what]
                #[inline]
                pub fn #get(&self) -> #ty {
                    #read
                }
                #[doc = #set_doc]
                #[inline]
                pub fn #set(&mut self, v: #ty) {
                    ::uapigen_runtime::bitfield::set(&mut self.#s, #pos, #w, v as u64);
                }
            });
        }
    }
    if fns.is_empty() {
        return quote!();
    }
    let name = ident(&t.rust_name);
    quote! {
        impl #name {
            #(#fns)*
        }
    }
}
