//! Proc macros of uapigen. They reuse the `uapigen` crate's parser, resolver and layout pass
//! (nothing is implemented twice):
//!
//! - `include_spec!("spec/kvm.yaml")` expands to the bindings of a spec at compile time;
//! - `#[derive(UapiLayout)]` with `#[uapi(spec = "...", c_name = "...")]` checks a
//!   hand-written `#[repr(C)]` struct against a spec: a field at the wrong offset is a
//!   compile error at that field, naming the expected and the actual offset.
//!
//! Spec paths are relative to the crate's `CARGO_MANIFEST_DIR` or, if not found there, to
//! one of its parent folders up to the root of the crate's workspace, never higher (see the
//! `find` module).

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

#[cfg(feature = "spec")]
use std::path::{Path, PathBuf};

use proc_macro::TokenStream;
#[cfg(feature = "spec")]
use proc_macro2::TokenStream as TokenStream2;
#[cfg(feature = "spec")]
use quote::{quote, quote_spanned};
#[cfg(feature = "spec")]
use syn::spanned::Spanned;
#[cfg(feature = "spec")]
use syn::{Data, Fields, LitStr};
use syn::{DeriveInput, parse_macro_input};

#[cfg(feature = "spec")]
mod find;
mod uapi;

/// What generated types derive: layout assertions, `MIN_SIZE`, an argsz-initialising
/// `new()` and typed flag accessors, from `#[uapi(...)]` attributes (see the `uapi` module).
#[proc_macro_derive(Uapi, attributes(uapi))]
pub fn derive_uapi(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match uapi::derive(&input) {
        Ok(t) => t.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

#[cfg(feature = "spec")]
/// Find a spec named relative to the crate being built (see the `find` module).
fn find_spec(rel: &str) -> Result<PathBuf, String> {
    let base = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_default();
    find::find_spec(&base, rel)
}

#[cfg(feature = "spec")]
fn compile(rel: &LitStr) -> Result<(PathBuf, uapigen::Model), syn::Error> {
    let path = find_spec(&rel.value()).map_err(|e| syn::Error::new(rel.span(), e))?;
    match uapigen::compile_file(&path) {
        Ok(m) => Ok((path, m)),
        Err(d) => Err(syn::Error::new(
            rel.span(),
            format!("the spec has errors:\n{}", d.plain().trim_end()),
        )),
    }
}

#[cfg(feature = "spec")]
/// Expand to the Rust bindings of a spec, as `uapigen generate` would write them. Use it
/// inside a module: `pub mod kvm { uapigen_macros::include_spec!("spec/kvm.yaml"); }`.
/// The crate is rebuilt when the spec (or a spec it uses) changes. Specs that `use` others
/// refer to them as sibling modules (`super::vfio`).
#[proc_macro]
pub fn include_spec(input: TokenStream) -> TokenStream {
    let lit = parse_macro_input!(input as LitStr);
    match include_spec_impl(&lit) {
        Ok(t) => t.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

#[cfg(feature = "spec")]
fn include_spec_impl(lit: &LitStr) -> Result<TokenStream2, syn::Error> {
    let (path, model) = compile(lit)?;
    // The module's items as tokens, made on this thread (so no `Mode` to pass: the token
    // path spawns nothing), neither formatted nor parsed back.
    let items =
        uapigen::emit::rust::module_tokens(&model, &uapigen::emit::rust::RustOptions::default());
    // include_bytes! makes cargo track the spec files.
    let mut tracked = vec![path.display().to_string()];
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    for (name, _) in &model.module.uses {
        tracked.push(dir.join(format!("{name}.yaml")).display().to_string());
    }
    Ok(quote! {
        #(const _: &[u8] = include_bytes!(#tracked);)*
        #items
    })
}

#[cfg(feature = "spec")]
/// Check a hand-written `#[repr(C)]` struct against a struct of a spec, on every ABI Rust
/// targets: size, alignment and the offset of every field. Attributes:
/// `#[uapi(spec = "spec/vfio.yaml", c_name = "vfio_iommu_type1_dma_map")]`.
#[proc_macro_derive(UapiLayout, attributes(uapi))]
pub fn derive_uapi_layout(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match layout_impl(&input) {
        Ok(t) => t.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

#[cfg(feature = "spec")]
fn layout_impl(input: &DeriveInput) -> Result<TokenStream2, syn::Error> {
    let mut spec: Option<LitStr> = None;
    let mut c_name: Option<LitStr> = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("uapi")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("spec") {
                spec = Some(meta.value()?.parse()?);
                Ok(())
            } else if meta.path.is_ident("c_name") {
                c_name = Some(meta.value()?.parse()?);
                Ok(())
            } else {
                Err(meta
                    .error("unknown `uapi` key; expected `spec = \"...\"` or `c_name = \"...\"`"))
            }
        })?;
    }
    let Some(spec) = spec else {
        return Err(syn::Error::new(
            input.ident.span(),
            "missing `#[uapi(spec = \"path/to/spec.yaml\", c_name = \"...\")]`",
        ));
    };
    let c_name = c_name.map_or_else(|| input.ident.to_string(), |l| l.value());
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(
            input.ident.span(),
            "UapiLayout checks structs only",
        ));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new(
            input.ident.span(),
            "UapiLayout needs a struct with named fields",
        ));
    };
    if !input
        .attrs
        .iter()
        .any(|a| a.path().is_ident("repr") && a.to_token_stream_string().contains('C'))
    {
        return Err(syn::Error::new(
            input.ident.span(),
            "UapiLayout needs `#[repr(C)]`: without it Rust may reorder the fields",
        ));
    }
    let (_, model) = compile(&spec)?;
    let m = &model.module;
    let Some((id, t)) = m
        .named_types()
        .find(|(_, t)| t.c_name.as_deref() == Some(c_name.as_str()))
    else {
        let names: Vec<String> = m
            .named_types()
            .filter_map(|(_, t)| t.c_name.clone())
            .collect();
        return Err(syn::Error::new(
            spec.span(),
            format!(
                "{} has no struct `{c_name}` (it has: {})",
                spec.value(),
                names.join(", ")
            ),
        ));
    };
    let ty = &input.ident;
    if let Some(b) = t.fields.iter().find(|f| f.bits.is_some()) {
        return Err(syn::Error::new(
            spec.span(),
            format!(
                "struct {c_name} has bit-fields (`{}`), which a Rust struct cannot hold field by field: use the generated type, whose accessors read them",
                b.c_name.as_deref().unwrap_or_default()
            ),
        ));
    }
    // Every field of the spec must be there, by its C or its Rust name.
    let spec_fields: Vec<(String, String, usize)> = t
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            (
                f.c_name.clone().unwrap_or_default(),
                f.rust_name.trim_start_matches("r#").to_owned(),
                i,
            )
        })
        .collect();
    let mut errors: Option<syn::Error> = None;
    let mut push = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };
    let mut matched = Vec::new();
    for f in &fields.named {
        let Some(ident) = &f.ident else { continue };
        let name = ident.to_string();
        let name = name.trim_start_matches("r#");
        match spec_fields.iter().find(|(c, r, _)| c == name || r == name) {
            Some((c, _, i)) => matched.push((ident.clone(), c.clone(), *i, f.span())),
            None => push(syn::Error::new(
                ident.span(),
                format!(
                    "`{name}` is not a field of struct {c_name} in {} (its fields: {})",
                    spec.value(),
                    spec_fields
                        .iter()
                        .map(|(c, _, _)| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }
    for (c, _, i) in &spec_fields {
        if !matched.iter().any(|(_, _, j, _)| j == i) {
            push(syn::Error::new(
                input.ident.span(),
                format!("field `{c}` of struct {c_name} is missing"),
            ));
        }
    }
    if let Some(e) = errors {
        return Err(e);
    }
    // Grouped by the struct's layout and its fields' sizes on each ABI.
    let groups = uapigen::emit::rust::cfg_groups(model.module.types[id].abis, |abi| {
        let l = &model.layouts[abi];
        let sizes: Vec<u64> = t
            .fields
            .iter()
            .map(|f| uapigen::layout::type_size(l, &f.ty))
            .collect();
        (l.types[id].clone(), sizes)
    });
    let spec_name = spec.value();
    // The Rust type of each field where the spec's type names one on every target (an
    // integer, a pointer, an array of them): a trait only that type implements, whose
    // message names the spec's type.
    let types = matched.iter().filter_map(|(ident, c, i, _)| {
        let f = &t.fields[*i];
        let (impls, rust) = expected_type(&f.ty)?;
        let c_ty = uapigen::emit::c::c_type_name(m, &f.ty);
        let msg = format!(
            "`{{Self}}` is not the type of {c_name}.{c} in {spec_name}: the spec says `{c_ty}` (Rust `{rust}`)"
        );
        let label = format!("the spec's type is `{rust}`");
        let span = fields
            .named
            .iter()
            .find(|x| x.ident.as_ref() == Some(ident))
            .map_or(ident.span(), |x| x.ty.span());
        Some(quote_spanned! {span=>
            const _: () = {
                #[diagnostic::on_unimplemented(message = #msg, label = #label)]
                trait SpecType {}
                #impls
                const fn spec_type<T: SpecType + ?Sized>(_: fn(&#ty) -> &T) {}
                spec_type(|s: &#ty| &s.#ident);
            };
        })
    });
    let types: Vec<TokenStream2> = types.collect();
    let checks = groups.into_iter().map(|(cfg, (l, sizes))| {
        let size = l.size as usize;
        let align = l.align as usize;
        let align_msg = format!("alignment of struct {c_name}: expected {align}");
        let per_field = matched.iter().map(|(ident, c, i, span)| {
            let off = l.offsets.get(*i).copied().unwrap_or(0) as usize;
            let msg = format!("{c_name}.{c} is at offset {off} in the spec; the array sizes below show expected (spec) and found (this struct)");
            // The array-length check shows both numbers: "expected an array with a size of
            // <spec offset>, found one with a size of <actual offset>".
            let fsize = sizes.get(*i).copied().unwrap_or(0) as usize;
            let size_msg = format!("{c_name}.{c} is {fsize} bytes in the spec; the array sizes below show expected (spec) and found (this struct)");
            quote_spanned! {*span=>
                const _: () = assert!(::core::mem::offset_of!(#ty, #ident) == #off, #msg);
                const _: [(); #off] = [(); ::core::mem::offset_of!(#ty, #ident)];
                const _: () = assert!(field_size(|s: &#ty| &s.#ident) == #fsize, #size_msg);
                const _: [(); #fsize] = [(); field_size(|s: &#ty| &s.#ident)];
            }
        });
        quote! {
            #cfg
            const _: () = {
                const fn field_size<T>(_: fn(&#ty) -> &T) -> usize {
                    ::core::mem::size_of::<T>()
                }
                #(#per_field)*
                const _: [(); #size] = [(); ::core::mem::size_of::<#ty>()];
                const _: () = assert!(::core::mem::align_of::<#ty>() == #align, #align_msg);
            };
        }
    });
    Ok(quote!(#(#checks)* #(#types)*))
}

#[cfg(feature = "spec")]
/// The impls of `SpecType` for the Rust type a field of spec type `ty` must have, and that
/// type as text; `None` where the spec's type names no Rust type a hand-written struct
/// shares (a struct, a kernel typedef, a flexible array: only their sizes are checked).
fn expected_type(ty: &uapigen::ir::Ty) -> Option<(TokenStream2, String)> {
    use uapigen::ir::{Scalar, Ty};
    let (path, text) = match ty {
        Ty::Scalar(Scalar::Int(t) | Scalar::Aligned(t)) => {
            let n = t.rust_name();
            (n.parse::<TokenStream2>().ok()?, n.to_owned())
        }
        Ty::Scalar(Scalar::C(c)) => (c.rust_path().parse().ok()?, c.rust_path().to_owned()),
        Ty::Ptr(_) => {
            let impls = quote! {
                impl<T: ?Sized> SpecType for *mut T {}
                impl<T: ?Sized> SpecType for *const T {}
            };
            return Some((impls, "*mut _".to_owned()));
        }
        Ty::Array(elem, n, _) => {
            // Arrays of integers only: the element's impl, as an array type.
            let (_, e) = expected_type(elem).filter(|_| !matches!(**elem, Ty::Ptr(_)))?;
            let e_path: TokenStream2 = e.parse().ok()?;
            let n = *n as usize;
            return Some((
                quote!(impl SpecType for [#e_path; #n] {}),
                format!("[{e}; {n}]"),
            ));
        }
        _ => return None,
    };
    Some((quote!(impl SpecType for #path {}), text))
}

#[cfg(feature = "spec")]
trait AttrText {
    fn to_token_stream_string(&self) -> String;
}

#[cfg(feature = "spec")]
impl AttrText for syn::Attribute {
    fn to_token_stream_string(&self) -> String {
        quote!(#self).to_string()
    }
}
