//! Rust output: `#[repr(C)]` types with zerocopy derives, constants, bitflags types, ioctl
//! numbers and layout assertions for every ABI Rust has targets for, formatted by
//! prettyplease. Values come from the layout pass; nothing is recomputed here.

extern crate proc_macro;

use std::fmt::Write as _;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::Model;
use crate::abi::ABIS;
use crate::analysis::Traits;
use crate::ir::{ConstValue, IntTy, IntValue, Module, Scalar, Ty, TypeId};
use crate::spec::Kind;

/// A Rust emission failed: a bug in uapigen, reported instead of a panic.
#[derive(Debug)]
pub struct EmitError(pub String);

impl std::fmt::Display for EmitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "internal error while emitting Rust: {}", self.0)
    }
}

impl std::error::Error for EmitError {}

pub(crate) fn ident(s: &str) -> TokenStream {
    match s.strip_prefix("r#") {
        Some(raw) => {
            let i = proc_macro2::Ident::new_raw(raw, proc_macro2::Span::call_site());
            quote!(#i)
        }
        None => {
            let i = format_ident!("{}", s);
            quote!(#i)
        }
    }
}

pub(crate) fn docs(doc: &Option<String>) -> TokenStream {
    let Some(d) = doc else { return quote!() };
    let lines = d.lines().map(|l| {
        let l = format!(" {}", l.trim_end());
        quote!(#[doc = #l])
    });
    quote!(#(#lines)*)
}

/// `#[doc(alias = "c_name")]`, unless the Rust name is the C name (rustdoc rejects that).
fn alias_for(c: &str, rust: &str) -> TokenStream {
    if c == rust.trim_start_matches("r#") {
        quote!()
    } else {
        quote!(#[doc(alias = #c)])
    }
}

fn int_ty(t: IntTy) -> TokenStream {
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

fn value_lit(v: &IntValue) -> TokenStream {
    int_lit(v.value, v.expr.prefers_hex())
}

fn usize_lit(v: u64) -> TokenStream {
    let l = Literal::u64_unsuffixed(v);
    quote!(#l)
}

/// The Rust type of a field type.
pub(crate) fn rust_ty(m: &Module, ty: &Ty) -> TokenStream {
    match ty {
        Ty::Scalar(Scalar::Int(t)) => int_ty(*t),
        Ty::Scalar(Scalar::Aligned(t)) if t.signed() => quote!(::uapigen_runtime::AlignedI64),
        Ty::Scalar(Scalar::Aligned(_)) => quote!(::uapigen_runtime::AlignedU64),
        Ty::Scalar(Scalar::Char) => quote!(::core::ffi::c_char),
        Ty::Ptr(t) => {
            let t = rust_ty(m, t);
            quote!(*mut #t)
        }
        Ty::Named(id) => match m.origin(*id) {
            // A type of a used spec lives in that spec's sibling module.
            Some(module) => {
                let md = ident(module);
                let n = ident(&m.types[*id].rust_name);
                quote!(super::#md::#n)
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

/// Whether a type derives `IntoBytes` (no pointer, no padding on any Rust ABI).
pub(crate) fn into_bytes(model: &Model, ty: &Ty) -> bool {
    model.facts.into_bytes(ty)
}

/// Whether a type derives `FromBytes` (no pointer anywhere in it).
pub(crate) fn from_bytes(model: &Model, ty: &Ty) -> bool {
    model.facts.from_bytes(ty)
}

/// Split the Rust ABIs into groups with equal `key`; the group holding x86_64 becomes the
/// default (`not(any(...))`) so that every target gets exactly one item. Each group comes
/// with its `cfg` predicate (`None` when there is a single group).
pub fn cfg_pred_groups<K: PartialEq + Clone>(
    key: impl Fn(usize) -> K,
) -> Vec<(Option<TokenStream>, K)> {
    let mut groups: Vec<(K, Vec<&'static str>)> = Vec::new();
    for (i, abi) in ABIS.iter().enumerate() {
        let Some(cfg) = abi.rust_cfg else { continue };
        let k = key(i);
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, v)) if v.contains(&cfg) => {}
            Some((_, v)) => v.push(cfg),
            None => groups.push((k, vec![cfg])),
        }
    }
    if groups.len() <= 1 {
        return groups.into_iter().map(|(k, _)| (None, k)).collect();
    }
    let parse = |c: &str| c.parse::<TokenStream>().unwrap_or_default();
    let any = |cs: Vec<TokenStream>| match cs.as_slice() {
        [one] => one.clone(),
        _ => quote!(any(#(#cs),*)),
    };
    let mut out = Vec::new();
    let others = any(groups[1..]
        .iter()
        .flat_map(|(_, cs)| cs.iter().map(|c| parse(c)))
        .collect());
    out.push((Some(quote!(not(#others))), groups[0].0.clone()));
    for (k, cs) in &groups[1..] {
        let cond = any(cs.iter().map(|c| parse(c)).collect());
        out.push((Some(cond), k.clone()));
    }
    out
}

/// [`cfg_pred_groups`] with each predicate as a `#[cfg(...)]` attribute.
pub fn cfg_groups<K: PartialEq + Clone>(key: impl Fn(usize) -> K) -> Vec<(TokenStream, K)> {
    cfg_pred_groups(key)
        .into_iter()
        .map(|(p, k)| (p.map_or_else(TokenStream::new, |p| quote!(#[cfg(#p)])), k))
        .collect()
}

/// The Rust module for a model.
/// Whether to emit C-name aliases (`vfio_iommu_type1_dma_map`, `VFIO_IOMMU_MAP_DMA`) for
/// projects migrating from bindgen-generated crates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum CNames {
    /// No aliases.
    #[default]
    Off,
    /// Aliases behind `#[cfg(feature = "<name>")]`.
    Feature(String),
    /// Aliases always.
    Always,
}

/// The Rust module for a model, without C-name aliases.
pub fn module(model: &Model) -> Result<String, EmitError> {
    module_with(model, &CNames::Off)
}

/// `pub type c_name = RustName;` and `pub const C_NAME: T = RUST_NAME;` for every item.
fn c_name_aliases(model: &Model, c_names: &CNames) -> TokenStream {
    let cfg = match c_names {
        CNames::Off => return quote!(),
        CNames::Feature(f) => quote!(#[cfg(feature = #f)]),
        CNames::Always => quote!(),
    };
    let m = &model.module;
    let mut out = Vec::new();
    let mut alias_const = |c: &str, rust: TokenStream, ty: TokenStream| {
        if c != rust.to_string() {
            let c = format_ident!("{}", c);
            out.push(quote!(#cfg #[allow(non_upper_case_globals)] pub const #c: #ty = #rust;));
        }
    };
    for c in &m.constants {
        if let ConstValue::Int(v) = &c.value {
            alias_const(&c.c_name, ident(&c.rust_name), int_ty(v.ty));
        }
    }
    for g in &m.groups {
        for v in &g.values {
            alias_const(&v.c_name, ident(&v.rust_name), int_ty(g.ty));
        }
    }
    for e in &m.enums {
        for v in &e.values {
            alias_const(&v.c_name, ident(&v.rust_name), int_ty(e.ty));
        }
    }
    for f in &m.flag_sets {
        let set = ident(&f.rust_name);
        for b in &f.bits {
            let n = ident(&b.rust_name);
            alias_const(&b.c_name, quote!(#set::#n.bits()), int_ty(f.ty));
        }
    }
    for io in &m.ioctls {
        alias_const(&io.c_name, ident(&io.rust_name), quote!(u32));
    }
    for (_, t) in m.named_types() {
        if let Some(c) = &t.c_name
            && *c != t.rust_name
        {
            let c = format_ident!("{}", c);
            let n = ident(&t.rust_name);
            out.push(quote!(#cfg #[allow(non_camel_case_types)] pub type #c = #n;));
        }
    }
    quote!(#(#out)*)
}

/// The Rust module for a model.
pub fn module_with(model: &Model, c_names: &CNames) -> Result<String, EmitError> {
    module_in_chunks(model, c_names, CHUNKS, MAX_CHUNK)
}

/// [`module_with`], the items of each kind split into `chunks` chunks of at most
/// `max_chunk` items.
fn module_in_chunks(
    model: &Model,
    c_names: &CNames,
    chunks: usize,
    max_chunk: usize,
) -> Result<String, EmitError> {
    let m = &model.module;
    // The rest is formatted in chunks, on every core: prettyplease prints each item on its
    // own lines, so the chunks' texts put end to end are the text of the whole.
    let types: Vec<TypeId> = (0..m.types.len())
        .filter(|&id| m.origin(id).is_none())
        .collect();
    let per = |n: usize| n.div_ceil(chunks).clamp(1, max_chunk);
    let mut jobs = vec![Chunk::Head];
    jobs.extend(types.chunks(per(types.len())).map(Chunk::Types));
    let ioctls: Vec<usize> = (0..m.ioctls.len()).collect();
    jobs.extend(ioctls.chunks(per(ioctls.len())).map(Chunk::Ioctls));
    jobs.extend(ioctls.chunks(per(ioctls.len())).map(Chunk::Wrappers));
    jobs.push(Chunk::Aliases);
    let mut texts = par_map(&jobs, |job| format_items(job.tokens(model, c_names), ""))?.into_iter();
    let mut out = banner(m);
    out.push_str(&texts.next().unwrap_or_default());
    // prettyplease cannot lay out the bitflags! DSL, so those blocks are printed as text.
    for f in &m.flag_sets {
        out.push('\n');
        out.push_str(&bitflags_text(f));
    }
    out.push('\n');
    for text in texts {
        out.push_str(&text);
    }
    Ok(out)
}

/// The constants, group values and enumerators that open a module.
fn head_tokens(m: &Module) -> TokenStream {
    let mut items = Vec::new();

    for c in &m.constants {
        let name = ident(&c.rust_name);
        let d = docs(&c.doc);
        let a = alias_for(&c.c_name, &c.rust_name);
        items.push(match &c.value {
            ConstValue::Int(v) => {
                let t = int_ty(v.ty);
                let lit = value_lit(v);
                quote!(#d #a pub const #name: #t = #lit;)
            }
            ConstValue::Str(s) => quote!(#d #a pub const #name: &str = #s;),
        });
    }
    for g in &m.groups {
        let t = int_ty(g.ty);
        for v in &g.values {
            let name = ident(&v.rust_name);
            let d = docs(&v.doc);
            let group_doc = format!(" Value of `{}`.", g.c_name);
            let a = alias_for(&v.c_name, &v.rust_name);
            let lit = value_lit(&v.value);
            let sep = if v.doc.is_some() {
                quote!(#[doc = ""])
            } else {
                quote!()
            };
            items.push(quote!(#d #sep #[doc = #group_doc] #a pub const #name: #t = #lit;));
        }
    }
    for e in &m.enums {
        let t = int_ty(e.ty);
        for v in &e.values {
            let name = ident(&v.rust_name);
            let d = docs(&v.doc);
            let a = alias_for(&v.c_name, &v.rust_name);
            let lit = int_lit(v.value, false);
            items.push(quote!(#d #a pub const #name: #t = #lit;));
        }
    }
    quote!(#(#items)*)
}

/// Chunks per kind of item in a small module, so that the cores share the work evenly.
const CHUNKS: usize = 8;
/// Items per chunk at most, so that the token trees of one chunk stay small.
const MAX_CHUNK: usize = 256;

/// A slice of a module's items, turned into tokens and formatted on its own.
enum Chunk<'a> {
    Head,
    Types(&'a [TypeId]),
    Ioctls(&'a [usize]),
    Wrappers(&'a [usize]),
    Aliases,
}

impl Chunk<'_> {
    fn tokens(&self, model: &Model, c_names: &CNames) -> TokenStream {
        let m = &model.module;
        match self {
            Chunk::Head => head_tokens(m),
            Chunk::Types(ids) => {
                let items = ids.iter().map(|&id| type_item(model, id));
                quote!(#(#items)*)
            }
            Chunk::Ioctls(ioctls) => {
                let mut items = Vec::new();
                for &i in *ioctls {
                    let io = &m.ioctls[i];
                    let name = ident(&io.rust_name);
                    let a = alias_for(&io.c_name, &io.rust_name);
                    let d = docs(&io.doc);
                    for (cfg, value) in cfg_groups(|abi| model.layouts[abi].ioctls[i]) {
                        let lit = int_lit(i128::from(value), true);
                        items.push(quote!(#d #a #cfg pub const #name: u32 = #lit;));
                    }
                }
                quote!(#(#items)*)
            }
            Chunk::Wrappers(ioctls) => {
                crate::emit_wrappers::wrappers(model, ioctls.iter().map(|&i| &m.ioctls[i]))
            }
            Chunk::Aliases => c_name_aliases(model, c_names),
        }
    }
}

/// Whether we run inside a proc macro (`include_spec!`): there, token streams belong to
/// the compiler and work only on the macro's own thread.
pub(crate) fn in_proc_macro() -> bool {
    proc_macro::is_available()
}

/// `f` over every job, on every core, results in the jobs' order; the first error wins.
fn par_map<J: Sync, T: Send>(
    jobs: &[J],
    f: impl Fn(&J) -> Result<T, EmitError> + Sync,
) -> Result<Vec<T>, EmitError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len());
    if threads <= 1 || in_proc_macro() {
        return jobs.iter().map(&f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done: Vec<Vec<(usize, Result<T, EmitError>)>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(job) = jobs.get(i) else { break };
                        mine.push((i, f(job)));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join().unwrap_or_else(|_| {
                    vec![(0, Err(EmitError("a formatting thread panicked".into())))]
                })
            })
            .collect()
    });
    let mut all: Vec<(usize, Result<T, EmitError>)> = done.into_iter().flatten().collect();
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

fn doc_lines(out: &mut String, indent: &str, doc: &Option<String>) {
    if let Some(d) = doc {
        for l in d.lines() {
            let l = l.trim_end();
            if l.is_empty() {
                out.push_str(&format!("{indent}///\n"));
            } else {
                out.push_str(&format!("{indent}/// {l}\n"));
            }
        }
    }
}

fn bitflags_text(f: &crate::ir::FlagSet) -> String {
    let mut s = String::from("::uapigen_runtime::bitflags::bitflags! {\n");
    doc_lines(&mut s, "    ", &f.doc);
    if f.c_name != f.rust_name {
        s.push_str(&format!("    #[doc(alias = \"{}\")]\n", f.c_name));
    }
    s.push_str("    #[repr(transparent)]\n");
    s.push_str(
        "    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]\n",
    );
    s.push_str(&format!(
        "    pub struct {}: {} {{\n",
        f.rust_name,
        f.ty.rust_name()
    ));
    for b in &f.bits {
        doc_lines(&mut s, "        ", &b.doc);
        if b.c_name != b.rust_name {
            s.push_str(&format!("        #[doc(alias = \"{}\")]\n", b.c_name));
        }
        let value = match b.bit {
            Some(bit) => format!("1 << {bit}"),
            None => int_lit(b.value.value, b.value.expr.prefers_hex())
                .to_string()
                .replace(' ', ""),
        };
        s.push_str(&format!("        const {} = {value};\n", b.rust_name));
    }
    s.push_str("    }\n}\n");
    s
}

fn banner(m: &Module) -> String {
    let mut s = format!(
        "// @generated by uapigen from {}. Do not edit.\n",
        m.spec_label()
    );
    if let Some(src) = &m.source {
        // Every line of a multi-line `source` stays inside the comment.
        let mut lines = src.lines();
        s.push_str(&format!(
            "// Facts from: {}\n",
            lines.next().unwrap_or("").trim_end()
        ));
        for line in lines {
            let line = line.trim_end();
            if line.is_empty() {
                s.push_str("//\n");
            } else {
                s.push_str(&format!("//   {line}\n"));
            }
        }
    }
    s.push('\n');
    s
}

fn format_items(tokens: TokenStream, banner: &str) -> Result<String, EmitError> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| EmitError(e.to_string()))?;
    Ok(format!("{banner}{}", prettyplease::unparse(&file)))
}

fn type_item(model: &Model, id: TypeId) -> TokenStream {
    let m = &model.module;
    let t = &m.types[id];
    let name = ident(&t.rust_name);
    let d = docs(&t.doc);
    let a = match &t.c_name {
        Some(c) => alias_for(c, &t.rust_name),
        None => {
            let s = format!(" Inline member type of `{}`.", t.display_name(m));
            let sep = if t.doc.is_some() {
                quote!(#[doc = ""])
            } else {
                quote!()
            };
            quote!(#sep #[doc = #s])
        }
    };
    let tr = model.facts.traits(id);
    let is_union = t.kind == Kind::Union;
    let mut derives = vec![quote!(Clone), quote!(Copy)];
    if !is_union {
        derives.push(quote!(Debug));
    }
    derives.extend([quote!(PartialEq), quote!(Eq), quote!(Hash)]);
    // Deriving FromBytes also derives FromZeros and TryFromBytes.
    let mut zc = vec![
        if tr.pointer {
            quote!(::uapigen_runtime::zerocopy::FromZeros)
        } else {
            quote!(::uapigen_runtime::zerocopy::FromBytes)
        },
        quote!(::uapigen_runtime::zerocopy::Immutable),
        quote!(::uapigen_runtime::zerocopy::KnownLayout),
    ];
    let into_bytes = !tr.pointer && !tr.padding;
    if into_bytes {
        zc.push(quote!(::uapigen_runtime::zerocopy::IntoBytes));
    }
    let body = if is_union {
        union_body(m, id)
    } else {
        let fields = t.fields.iter().map(|f| {
            let n = ident(&f.rust_name);
            let ty = rust_ty(m, &f.ty);
            let mut fd = docs(&f.doc);
            if let Some(c) = &f.c_name
                && names_differ(c, &f.rust_name)
            {
                fd = quote!(#fd #[doc(alias = #c)]);
            }
            if f.reserved {
                let sep = if f.doc.is_some() {
                    quote!(#[doc = ""])
                } else {
                    quote!()
                };
                fd = quote!(#fd #sep #[doc = " Reserved: must be zero."]);
            }
            quote!(#fd pub #n: #ty)
        });
        quote!({ #(#fields,)* })
    };
    let (debug, accessors) = if is_union {
        let s = t.rust_name.clone();
        (
            quote! {
                impl ::core::fmt::Debug for #name {
                    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        f.debug_struct(#s).field("bytes", &self.bytes).finish()
                    }
                }
            },
            union_accessors(model, id),
        )
    } else {
        (quote!(), quote!())
    };
    let flex = match t.fields.last().map(|f| &f.ty) {
        Some(Ty::Flex(elem)) if into_bytes && t.kind == Kind::Struct => {
            let e = rust_ty(m, elem);
            let f = ident(
                &t.fields
                    .last()
                    .map_or(String::new(), |f| f.rust_name.clone()),
            );
            quote! {
                impl ::uapigen_runtime::FlexHeader for #name {
                    type Elem = #e;
                    const FLEX_OFFSET: usize = ::core::mem::offset_of!(#name, #f);
                }
            }
        }
        _ => quote!(),
    };
    // Layout assertions, one `#[uapi(layout(...))]` per group of ABIs, for `derive(Uapi)`.
    let layouts = cfg_pred_groups(|abi| model.layouts[abi].types[id].clone())
        .into_iter()
        .map(|(pred, l)| {
            let size = usize_lit(l.size);
            let align = usize_lit(l.align);
            let cfg = pred.map(|p| quote!(cfg(#p),));
            let offs: Vec<TokenStream> = t
                .fields
                .iter()
                .zip(&l.offsets)
                .filter(|_| !is_union)
                .map(|(f, o)| {
                    let n = ident(&f.rust_name);
                    let o = usize_lit(*o);
                    quote!(#n = #o)
                })
                .collect();
            let offs = if offs.is_empty() {
                quote!()
            } else {
                quote!(, offsets(#(#offs),*))
            };
            quote!(#[uapi(layout(#cfg size = #size, align = #align #offs))])
        });
    let c_name_attr = {
        let w = t.display_name(m);
        quote!(#[uapi(c_name = #w)])
    };
    let layouts: Vec<TokenStream> = layouts.collect();
    // Groups of ABIs repeat `size = N` and `align = N` under different `cfg`s.
    let allow = (layouts.len() > 1).then(|| quote!(#[allow(clippy::duplicated_attributes)]));
    let mut uapi_attrs = quote!(#allow #c_name_attr #(#layouts)*);
    if let Some(e) = &t.extensible {
        let sf = ident(&t.fields[e.size_field].rust_name);
        let last = ident(&t.fields[e.mandatory.saturating_sub(1)].rust_name);
        uapi_attrs.extend(quote!(#[uapi(size_field = #sf, last_mandatory = #last)]));
    }
    let flag_accessors = t.fields.iter().filter_map(|f| {
        let set = &m.flag_sets[f.flags?];
        // Typed accessors for plain integer fields of the flag set's own type.
        (f.ty == Ty::Scalar(Scalar::Int(set.ty))).then(|| {
            let n = ident(&f.rust_name);
            let st = ident(&set.rust_name);
            quote!(#n = #st)
        })
    });
    let flag_accessors: Vec<TokenStream> = flag_accessors.collect();
    if !flag_accessors.is_empty() && !is_union {
        uapi_attrs.extend(quote!(#[uapi(flags(#(#flag_accessors),*))]));
    }
    let ext = crate::emit_payload::extensions(model, id);
    quote! {
        #d #a
        #[repr(C)]
        #[derive(#(#derives,)* #(#zc,)* ::uapigen_runtime::Uapi)]
        #[zerocopy(crate = "::uapigen_runtime::zerocopy")]
        #uapi_attrs
        pub struct #name #body
        impl ::core::default::Default for #name {
            fn default() -> Self {
                ::uapigen_runtime::zerocopy::FromZeros::new_zeroed()
            }
        }
        #debug
        #accessors
        #flex
        #ext
    }
}

/// A C union as a struct of its bytes: zero-length arrays of every member type give it the
/// union's alignment, the byte array its size. Members are read and written through
/// accessors, so no `unsafe` union access is ever needed.
fn union_body(m: &Module, id: TypeId) -> TokenStream {
    let t = &m.types[id];
    let aligns = t.fields.iter().enumerate().map(|(i, f)| {
        let n = format_ident!("_align{}", i);
        let ty = rust_ty(m, &f.ty);
        quote!(#n: [#ty; 0])
    });
    let sizes = t.fields.iter().map(|f| {
        let ty = rust_ty(m, &f.ty);
        quote!(::core::mem::size_of::<#ty>())
    });
    quote!({
        #(#aligns,)*
        /// The union's bytes; use the accessors to read or write a member.
        pub bytes: [u8; { let mut n = 0; #( n = ::uapigen_runtime::max(n, #sizes); )* n }],
    })
}

fn union_accessors(model: &Model, id: TypeId) -> TokenStream {
    let m = &model.module;
    let t = &m.types[id];
    let name = ident(&t.rust_name);
    // What each member's type allows: reading needs FromBytes, writing IntoBytes.
    let member_traits: Vec<Traits> = t
        .fields
        .iter()
        .map(|f| {
            let mut ty = &f.ty;
            while let Ty::Array(e, ..) = ty {
                ty = e;
            }
            match ty {
                Ty::Named(i) => model.facts.traits(*i),
                Ty::Ptr(_) => Traits {
                    pointer: true,
                    ..Traits::default()
                },
                _ => Traits::default(),
            }
        })
        .collect();
    let fns = t.fields.iter().zip(&member_traits).map(|(f, tr)| {
        let ty = rust_ty(m, &f.ty);
        let member = f.rust_name.trim_start_matches("r#");
        let get = ident(member);
        let set = format_ident!("set_{}", member);
        let from = format_ident!("from_{}", member);
        let d = docs(&f.doc);
        let getter = if tr.pointer {
            quote!()
        } else {
            quote! {
                #d
                pub fn #get(&self) -> #ty {
                    ::uapigen_runtime::get::<#ty>(&self.bytes, 0)
                        .unwrap_or_else(::uapigen_runtime::zerocopy::FromZeros::new_zeroed)
                }
            }
        };
        let set_doc = format!(" Set the member `{member}` (the other bytes are kept).");
        let from_doc = format!(" A union holding `{member}`, the other bytes zero.");
        if tr.pointer || tr.padding {
            return getter;
        }
        quote! {
            #getter
            #[doc = #set_doc]
            pub fn #set(&mut self, v: #ty) {
                let _ = ::uapigen_runtime::put(&mut self.bytes, 0, &v);
            }
            #[doc = #from_doc]
            pub fn #from(v: #ty) -> Self {
                let mut u: Self = ::uapigen_runtime::zerocopy::FromZeros::new_zeroed();
                u.#set(v);
                u
            }
        }
    });
    quote! {
        impl #name {
            #(#fns)*
        }
    }
}

fn names_differ(c: &str, rust: &str) -> bool {
    c != rust.trim_start_matches("r#")
}

/// Every fact the C probe checks, computed by rustc from the generated Rust: a table the
/// conformance tests compare with the C compiler's values. `path` is the Rust path of the
/// generated module, e.g. `crate::vfio`.
///
/// A plain table, one row per line: it is printed as text rather than through
/// prettyplease, which would spend most of a large spec's generation time on it.
pub fn probe_module(model: &Model, path: &str) -> Result<String, EmitError> {
    let m = &model.module;
    // A path of identifiers (`crate`, `self` and `super` allowed), maybe with a leading `::`.
    let p = path;
    let segment_ok = |seg: &str| {
        crate::names::is_c_identifier(seg)
            && (matches!(seg, "crate" | "self" | "super") || !crate::names::is_rust_keyword(seg))
    };
    if !p
        .strip_prefix("::")
        .unwrap_or(p)
        .split("::")
        .all(segment_ok)
    {
        return Err(EmitError(format!("bad module path `{path}`")));
    }
    let mut out = format!(
        "// @generated by uapigen from {}. Do not edit.\n// Values computed by rustc from the generated bindings, for conformance tests.\n\n\
         /// `(fact, value)` for every constant, size, alignment, offset and ioctl number.\n\
         pub const VALUES: &[(&str, u64)] = &[\n",
        m.spec_label()
    );
    let mut row = |key: std::fmt::Arguments, value: std::fmt::Arguments| {
        let _ = writeln!(out, "    ({:?}, {value}),", key.to_string());
    };
    // The value as the C probe sees it: cast to the unsigned type of the same width.
    let cast = |t: IntTy| match (t.signed(), t.bytes()) {
        (false, 8) => "",
        (false, _) | (true, 8) => " as u64",
        (true, 1) => " as u8 as u64",
        (true, 2) => " as u16 as u64",
        (true, _) => " as u32 as u64",
    };
    for c in &m.constants {
        if let ConstValue::Int(v) = &c.value {
            row(
                format_args!("const:{}", c.c_name),
                format_args!("{p}::{}{}", c.rust_name, cast(v.ty)),
            );
        }
    }
    for g in &m.groups {
        for v in &g.values {
            row(
                format_args!("const:{}", v.c_name),
                format_args!("{p}::{}{}", v.rust_name, cast(g.ty)),
            );
        }
    }
    for f in &m.flag_sets {
        for b in &f.bits {
            row(
                format_args!("const:{}", b.c_name),
                format_args!("{p}::{}::{}.bits(){}", f.rust_name, b.rust_name, cast(f.ty)),
            );
        }
    }
    for e in &m.enums {
        for v in &e.values {
            row(
                format_args!("enum:{}", v.c_name),
                format_args!("{p}::{}{}", v.rust_name, cast(e.ty)),
            );
        }
    }
    for (id, t) in m.named_types() {
        let c = t.c_name.as_deref().unwrap_or("");
        let n = &t.rust_name;
        row(
            format_args!("size:{c}"),
            format_args!("::core::mem::size_of::<{p}::{n}>() as u64"),
        );
        row(
            format_args!("align:{c}"),
            format_args!("::core::mem::align_of::<{p}::{n}>() as u64"),
        );
        for (cpath, rpath) in rust_paths(m, id) {
            row(
                format_args!("offset:{c}.{cpath}"),
                format_args!(
                    "::core::mem::offset_of!({p}::{n}, {}) as u64",
                    rpath.join(".")
                ),
            );
        }
    }
    for io in &m.ioctls {
        row(
            format_args!("ioctl:{}", io.c_name),
            format_args!("{p}::{} as u64", io.rust_name),
        );
    }
    out.push_str(
        "];\n\
         /// A generated `validate` function.\n\
         pub type Validator = fn(&[u8]) -> ::core::result::Result<(), ::uapigen_runtime::Reject>;\n\
         /// `(struct name, validate)` of every struct with kernel-style checks.\n\
         pub const VALIDATORS: &[(&str, Validator)] = &[\n",
    );
    for (_, t) in m
        .named_types()
        .filter(|(id, _)| crate::emit_validate::validated(m, *id))
    {
        let c = t.c_name.as_deref().unwrap_or("");
        let _ = writeln!(
            out,
            "    ({c:?}, {p}::{}::validate as Validator),",
            t.rust_name
        );
    }
    out.push_str("];\n");
    Ok(out)
}

/// (C offsetof path, Rust field path) of every named field reachable from a named type.
fn rust_paths(m: &Module, id: TypeId) -> Vec<(String, Vec<String>)> {
    fn walk(
        m: &Module,
        id: TypeId,
        cpre: &str,
        rpre: &[String],
        out: &mut Vec<(String, Vec<String>)>,
    ) {
        for f in &m.types[id].fields {
            let mut r = rpre.to_vec();
            r.push(f.rust_name.clone());
            let c = f.c_name.as_ref().map(|n| format!("{cpre}{n}"));
            if let Some(c) = &c {
                out.push((c.clone(), r.clone()));
            }
            if let Ty::Named(inner) = f.ty
                && m.types[inner].parent.is_some()
            {
                let pre = c.map_or_else(|| cpre.to_owned(), |c| format!("{c}."));
                if m.types[inner].kind == Kind::Union {
                    // Union members have no Rust fields: they start where the union does.
                    for mf in &m.types[inner].fields {
                        if let Some(n) = &mf.c_name {
                            out.push((format!("{pre}{n}"), r.clone()));
                        }
                    }
                } else {
                    walk(m, inner, &pre, &r, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(m, id, "", &[], &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Formatting in chunks on several threads gives the text of formatting everything at
    /// once, on every spec of the repository.
    #[test]
    fn chunks_put_together_are_the_whole() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            let model = crate::compile_file(&path).unwrap();
            let whole = module_in_chunks(&model, &CNames::Always, 1, usize::MAX).unwrap();
            // Everything after the head, formatted by prettyplease in one go.
            let m = &model.module;
            let types: Vec<TypeId> = (0..m.types.len())
                .filter(|&id| m.origin(id).is_none())
                .collect();
            let ioctls: Vec<usize> = (0..m.ioctls.len()).collect();
            let rest: TokenStream = [
                Chunk::Types(&types),
                Chunk::Ioctls(&ioctls),
                Chunk::Wrappers(&ioctls),
                Chunk::Aliases,
            ]
            .iter()
            .map(|c| c.tokens(&model, &CNames::Always))
            .collect();
            let rest = format_items(rest, "").unwrap();
            assert!(
                rest.len() > 1000 && whole.ends_with(&rest),
                "{}: the module does not end with its items formatted in one go",
                path.display()
            );
            for (chunks, max) in [(CHUNKS, MAX_CHUNK), (usize::MAX, 1), (3, 2)] {
                let split = module_in_chunks(&model, &CNames::Always, chunks, max).unwrap();
                assert!(
                    split == whole,
                    "{}: {chunks} chunks of at most {max} items differ from one chunk",
                    path.display()
                );
            }
            seen += 1;
        }
        assert!(seen >= 6, "only {seen} specs in {dir}");
    }
}
