//! The items of a module: constants, group values and enumerators, bitflags types, structs
//! and unions with their derives and accessors, C-name aliases.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use uapigen_attr::{FlagsAttr, LayoutAttr, UapiAttrs};

use super::caps::caps;
use super::cfg::{CNames, Gate, RustOptions, arch_attr, cfg_pred_groups};
use super::checks::{check_fn, validate};
use super::links::type_links;
use super::payload::payload;
use super::serde_attrs::SerdeAttrs;
use super::tokens::{alias_for, docs, ident, ident_of, int_lit, int_ty, rust_ty, value_lit};
use crate::analysis::{AliasTarget, Traits};
use crate::ir::{ConstValue, FlagSet, IntTy, Module, Scalar, Ty, TypeId};
use crate::model::Model;
use crate::spec::Kind;

/// The constants, group values and enumerators that open a module.
pub(crate) fn head_tokens(m: &Module) -> TokenStream {
    let mut items = Vec::new();

    for c in &m.constants {
        let name = ident(&c.rust_name);
        let d = docs(&c.doc);
        let a = alias_for(&c.c_name, &c.rust_name);
        let cfg = arch_attr(c.abis);
        items.push(match &c.value {
            ConstValue::Int(v) => {
                let t = int_ty(v.ty);
                let lit = value_lit(v);
                quote!(#d #a #cfg pub const #name: #t = #lit;)
            }
            ConstValue::Str(s) => quote!(#d #a #cfg pub const #name: &str = #s;),
        });
    }
    for g in &m.groups {
        let t = int_ty(g.ty);
        for v in &g.values {
            let cfg = arch_attr(v.abis);
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
            items.push(quote!(#d #sep #[doc = #group_doc] #a #cfg pub const #name: #t = #lit;));
        }
    }
    items.push(super::values::group_enums(m));
    for t in &m.typedefs {
        let ty = match t.ty {
            crate::ir::TypedefTy::Int(s) => crate::ir::Ty::Scalar(s),
            // `typedef struct foo foo;`: the Rust type is already `Foo`.
            crate::ir::TypedefTy::Record(id) if m.types[id].rust_name == t.rust_name => continue,
            crate::ir::TypedefTy::Record(id) => crate::ir::Ty::Named(id),
        };
        let name = ident(&t.rust_name);
        let d = docs(&t.doc);
        let a = alias_for(&t.c_name, &t.rust_name);
        let cfg = arch_attr(t.abis);
        let base = super::tokens::rust_ty(m, &ty);
        items.push(quote!(#d #a #cfg pub type #name = #base;));
    }
    for e in &m.enums {
        let t = int_ty(e.ty);
        for v in &e.values {
            let cfg = arch_attr(v.abis);
            let name = ident(&v.rust_name);
            let d = docs(&v.doc);
            let a = alias_for(&v.c_name, &v.rust_name);
            let lit = int_lit(v.value, false);
            items.push(quote!(#d #a #cfg pub const #name: #t = #lit;));
        }
    }
    quote!(#(#items)*)
}

/// `pub type c_name = RustName;` and `pub const C_NAME: T = RUST_NAME;` for every item.
pub(crate) fn c_name_aliases(model: &Model, c_names: &CNames) -> TokenStream {
    if c_names.is_off() {
        return quote!();
    }
    let cfg = c_names.cfg();
    let m = &model.module;
    let items = model.facts.aliases.iter().map(|a| {
        let abis = match a.target {
            AliasTarget::Constant(i) => m.constants[i].abis,
            AliasTarget::GroupValue(g, i) => m.groups[g].values[i].abis,
            AliasTarget::Enumerator(e, i) => m.enums[e].values[i].abis,
            AliasTarget::Flag(f, i) => m.flag_sets[f].bits[i].abis,
            AliasTarget::Ioctl(i) => m.ioctls[i].abis,
            AliasTarget::Type(id) => m.types[id].abis,
        };
        let arch = arch_attr(abis);
        let cfg = quote!(#cfg #arch);
        let c = ident(&a.alias);
        let constant = |rust: TokenStream, ty: IntTy| {
            let ty = int_ty(ty);
            quote!(#cfg #[allow(non_upper_case_globals)] pub const #c: #ty = #rust;)
        };
        match a.target {
            AliasTarget::Constant(i) => match &m.constants[i].value {
                ConstValue::Int(v) => constant(ident(&m.constants[i].rust_name), v.ty),
                ConstValue::Str(_) => quote!(),
            },
            AliasTarget::GroupValue(g, i) => {
                constant(ident(&m.groups[g].values[i].rust_name), m.groups[g].ty)
            }
            AliasTarget::Enumerator(e, i) => {
                constant(ident(&m.enums[e].values[i].rust_name), m.enums[e].ty)
            }
            AliasTarget::Flag(f, i) => {
                let set = ident(&m.flag_sets[f].rust_name);
                let n = ident(&m.flag_sets[f].bits[i].rust_name);
                constant(quote!(#set::#n.bits()), m.flag_sets[f].ty)
            }
            AliasTarget::Ioctl(i) => {
                let rust = ident(&m.ioctls[i].rust_name);
                quote!(#cfg #[allow(non_upper_case_globals)] pub const #c: u32 = #rust;)
            }
            AliasTarget::Type(id) => {
                let n = ident(&m.types[id].rust_name);
                quote!(#cfg #[allow(non_camel_case_types)] pub type #c = #n;)
            }
        }
    });
    quote!(#(#items)*)
}

/// A `bitflags!` block, described once and printed two ways: as text for the formatted
/// module (prettyplease cannot lay out the bitflags DSL) and as tokens for `include_spec!`.
pub(crate) struct Bitflags {
    /// The `cfg` of a set limited to some architectures.
    cfg: Option<String>,
    /// The text of each doc line, as in `#[doc = "..."]`.
    doc: Vec<String>,
    alias: Option<String>,
    name: String,
    ty: &'static str,
    bits: Vec<Bit>,
}

struct Bit {
    /// The `cfg` of a flag of fewer architectures than its set.
    cfg: Option<String>,
    doc: Vec<String>,
    alias: Option<String>,
    name: String,
    value: BitValue,
}

enum BitValue {
    /// `1 << N`, for flags given as `bit:`.
    Shift(u32),
    Lit(TokenStream),
}

/// Each line of a doc as the text of its `#[doc = "..."]` (`///` followed by it).
fn doc_texts(doc: &Option<String>) -> Vec<String> {
    doc.iter()
        .flat_map(|d| d.lines())
        .map(|l| match l.trim_end() {
            "" => String::new(),
            l => format!(" {l}"),
        })
        .collect()
}

fn alias_of(c: &str, rust: &str) -> Option<String> {
    (c != rust).then(|| c.to_owned())
}

impl Bitflags {
    pub(crate) fn new(f: &FlagSet) -> Self {
        Bitflags {
            cfg: f.abis.rust_pred(),
            doc: doc_texts(&f.doc),
            alias: alias_of(&f.c_name, &f.rust_name),
            name: f.rust_name.clone(),
            ty: f.ty.rust_name(),
            bits: f
                .bits
                .iter()
                .map(|b| Bit {
                    cfg: (b.abis != f.abis).then(|| b.abis.rust_pred()).flatten(),
                    doc: doc_texts(&b.doc),
                    alias: alias_of(&b.c_name, &b.rust_name),
                    name: b.rust_name.clone(),
                    value: match b.bit {
                        Some(bit) => BitValue::Shift(bit),
                        None => BitValue::Lit(value_lit(&b.value)),
                    },
                })
                .collect(),
        }
    }

    const DERIVES: &str = "Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash";

    pub(crate) fn text(&self) -> String {
        let attrs = |s: &mut String, indent: &str, doc: &[String], alias: &Option<String>| {
            for d in doc {
                s.push_str(&format!("{indent}///{d}\n"));
            }
            if let Some(a) = alias {
                s.push_str(&format!("{indent}#[doc(alias = \"{a}\")]\n"));
            }
        };
        let mut s = String::new();
        if let Some(c) = &self.cfg {
            s.push_str(&format!("#[cfg({c})]\n"));
        }
        s.push_str("::uapigen_runtime::bitflags::bitflags! {\n");
        attrs(&mut s, "    ", &self.doc, &self.alias);
        s.push_str("    #[repr(transparent)]\n");
        s.push_str(&format!("    #[derive({})]\n", Self::DERIVES));
        s.push_str(&format!("    pub struct {}: {} {{\n", self.name, self.ty));
        for b in &self.bits {
            attrs(&mut s, "        ", &b.doc, &b.alias);
            if let Some(c) = &b.cfg {
                s.push_str(&format!("        #[cfg({c})]\n"));
            }
            let value = match &b.value {
                BitValue::Shift(bit) => format!("1 << {bit}"),
                BitValue::Lit(l) => l.to_string().replace(' ', ""),
            };
            s.push_str(&format!("        const {} = {value};\n", b.name));
        }
        s.push_str("    }\n}\n");
        s
    }

    pub(crate) fn tokens(&self) -> TokenStream {
        let attrs = |doc: &[String], alias: &Option<String>| {
            let alias = alias.as_ref().map(|a| quote!(#[doc(alias = #a)]));
            quote!(#(#[doc = #doc])* #alias)
        };
        let head = attrs(&self.doc, &self.alias);
        let derives: TokenStream = Self::DERIVES.parse().unwrap_or_default();
        let name = ident_of(&self.name);
        let ty = format_ident!("{}", self.ty);
        let bits = self.bits.iter().map(|b| {
            let a = attrs(&b.doc, &b.alias);
            let a = match &b.cfg {
                Some(c) => {
                    let c: TokenStream = c.parse().unwrap_or_default();
                    quote!(#a #[cfg(#c)])
                }
                None => a,
            };
            let n = ident_of(&b.name);
            let v = match &b.value {
                BitValue::Shift(bit) => {
                    let bit = Literal::u32_unsuffixed(*bit);
                    quote!(1 << #bit)
                }
                BitValue::Lit(l) => l.clone(),
            };
            quote!(#a const #n = #v;)
        });
        let cfg = self.cfg.as_ref().map(|c| {
            let c: TokenStream = c.parse().unwrap_or_default();
            quote!(#[cfg(#c)])
        });
        quote! {
            #cfg
            ::uapigen_runtime::bitflags::bitflags! {
                #head
                #[repr(transparent)]
                #[derive(#derives)]
                pub struct #name: #ty {
                    #(#bits)*
                }
            }
        }
    }
}

pub(crate) fn type_item(model: &Model, id: TypeId, opts: &RustOptions) -> TokenStream {
    let serde = &opts.serde;
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
    let links = type_links(model, id);
    let tr = model.facts.traits(id);
    let is_union = t.kind == Kind::Union;
    let mut derives = vec![quote!(Clone), quote!(Copy)];
    if !is_union {
        derives.push(quote!(Debug));
    }
    derives.extend([quote!(PartialEq), quote!(Eq), quote!(Hash)]);
    let into_bytes = !tr.pointer && !tr.padding;
    let zerocopy = super::byte_traits::zerocopy_derives(&opts.zerocopy, tr.pointer, into_bytes);
    let plan = super::bitfields::plan(model, id);
    // serde: no form for pointers; arrays of any length through the runtime's `array`;
    // the zero-sized alignment markers skipped.
    let serde = if tr.pointer { &Gate::Off } else { serde };
    let ser = SerdeAttrs::new(serde);
    // The members that hold bytes (zero-sized markers aside), for the byte traits' checks.
    let mut data: Vec<TokenStream> = Vec::new();
    let body = if is_union {
        let (body, bytes) = union_body(model, id, &ser);
        data.push(bytes);
        body
    } else {
        data = super::byte_traits::data_members(model, id, &plan);
        let markers = super::bitfields::markers(model, id).into_iter().map(|mk| {
            let skip = &ser.skip;
            quote!(#skip #mk)
        });
        let fields = t.fields.iter().enumerate().filter_map(|(i, f)| {
            if f.bits.is_some() {
                let arr = &ser.array;
                return super::bitfields::member(model, id, &plan, i).map(|mb| quote!(#arr #mb));
            }
            let n = ident(&f.rust_name);
            let mut ty = rust_ty(m, &f.ty);
            // `packed` on the member: a `repr(C, packed)` wrapper of alignment 1 places it
            // right after the member before it, as C does; read and write it by copy
            // (`get`, `set`).
            if f.packed {
                ty = quote!(::uapigen_runtime::Packed<#ty>);
            }
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
            // `aligned(N)` on the member: a zero-sized N-aligned marker right before it puts
            // it at a multiple of N, as C does (and raises the struct's alignment).
            let marker = f.aligned.map(|a| {
                let mn = quote::format_ident!("_align_{}", f.rust_name.trim_start_matches("r#"));
                let an = quote::format_ident!("A{a}");
                let skip = &ser.skip;
                quote!(#skip #[doc(hidden)] pub #mn: ::uapigen_runtime::align::#an,)
            });
            let with = match (&f.ty, f.packed) {
                (Ty::Array(..), false) => ser.array.clone(),
                _ => quote!(),
            };
            Some(quote!(#marker #fd #with pub #n: #ty))
        });
        quote!({ #(#markers,)* #(#fields,)* })
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
        (quote!(), super::bitfields::accessors(model, id, &plan))
    };
    let flex =
        match t.fields.last().map(|f| &f.ty) {
            Some(Ty::Flex(elem)) if into_bytes && t.kind == Kind::Struct => {
                let e = rust_ty(m, elem);
                let f = ident(
                    &t.fields
                        .last()
                        .map_or(String::new(), |f| f.rust_name.clone()),
                );
                let counted = t.counted().map(|(_, ci, max)| {
                let c = ident(&t.fields[ci].rust_name);
                let cty = rust_ty(m, &t.fields[ci].ty);
                // usize has at least 32 bits on every Linux target: only a u64 can fail.
                let count_read = match &t.fields[ci].ty {
                    Ty::Scalar(Scalar::Int(IntTy::U64)) => quote! {
                        ::core::convert::TryFrom::try_from(self.#c).unwrap_or(usize::MAX)
                    },
                    _ => quote!(self.#c as usize),
                };
                // usize has at least 32 bits on every Linux target.
                let max = match u32::try_from(max) {
                    Ok(m) => {
                        let m = Literal::u32_unsuffixed(m);
                        quote!(#m)
                    }
                    Err(_) => {
                        let m = Literal::u64_suffixed(max);
                        quote!(if #m > usize::MAX as u64 { usize::MAX } else { #m as usize })
                    }
                };
                let doc = format!(
                    " `{}` counts the elements of `{}`.",
                    t.fields[ci].c_name.as_deref().unwrap_or_default(),
                    t.fields.last().and_then(|f| f.c_name.as_deref()).unwrap_or_default()
                );
                // A struct that also carries its size (`argsz`) gets it set with the count.
                let size = t.extensible.as_ref().map(|e| {
                    let sf = ident(&t.fields[e.size_field].rust_name);
                    let sty = rust_ty(m, &t.fields[e.size_field].ty);
                    quote! {
                        self.#sf = <Self as ::uapigen_runtime::FlexHeader>::size_with(n)
                            .and_then(|s| ::core::convert::TryFrom::try_from(s).ok())
                            .unwrap_or(#sty::MAX);
                    }
                });
                quote! {
                    #[doc = #doc]
                    impl ::uapigen_runtime::FamCount for #name {
                        const MAX: usize = #max;
                        #[inline]
                        fn count(&self) -> usize {
                            #count_read
                        }
                        #[inline]
                        fn set_count(&mut self, n: usize) {
                            self.#c = ::core::convert::TryFrom::try_from(n).unwrap_or(#cty::MAX);
                            #size
                        }
                    }
                }
            });
                quote! {
                    impl ::uapigen_runtime::FlexHeader for #name {
                        type Elem = #e;
                        const FLEX_OFFSET: usize = ::core::mem::offset_of!(#name, #f);
                    }
                    #counted
                }
            }
            _ => quote!(),
        };
    // What `derive(Uapi)` makes of the struct: layout assertions, one `layout(...)` per
    // group of ABIs, `new()` and `MIN_SIZE` of an extensible struct, typed flag accessors.
    // With bit-fields, whether the alignment markers are there (not on m68k) splits too.
    let markers = |abi: usize| plan.is_empty() || crate::abi::ABIS[abi].bitfield_type_matters();
    let mode =
        |abi: usize| !plan.is_empty() && crate::bitfields::mode_aligned(m, &model.layouts[abi], id);
    let layouts = cfg_pred_groups(t.abis, |abi| {
        (
            model.layouts[abi].types[id].clone(),
            markers(abi),
            mode(abi),
        )
    })
    .into_iter()
    .map(|(cfg, (l, with_markers, with_mode))| LayoutAttr {
        cfg,
        size: l.size,
        align: l.align,
        offsets: if is_union {
            Vec::new()
        } else {
            let mut o: Vec<_> = t
                .fields
                .iter()
                .zip(&l.offsets)
                .filter(|(f, _)| f.bits.is_none())
                .map(|(f, o)| (ident_of(&f.rust_name), *o))
                .collect();
            o.extend(super::bitfields::offsets(
                model,
                id,
                &plan,
                &l,
                with_markers,
                with_mode,
            ));
            o
        },
    })
    .collect();
    let extensible = t.extensible.as_ref();
    let flags = t
        .fields
        .iter()
        .filter(|_| !is_union)
        .filter_map(|f| {
            let set = &m.flag_sets[f.flags?];
            // Typed accessors for plain integer fields of the flag set's own type.
            (f.ty == Ty::Scalar(Scalar::Int(set.ty))).then(|| FlagsAttr {
                field: ident_of(&f.rust_name),
                ty: ident_of(&set.rust_name).into(),
            })
        })
        .collect();
    let uapi_attrs = UapiAttrs {
        c_name: Some(t.display_name(m)),
        layouts,
        size_field: extensible.map(|e| ident_of(&t.fields[e.size_field].rust_name)),
        last_mandatory: extensible
            .map(|e| ident_of(&t.fields[e.mandatory.saturating_sub(1)].rust_name)),
        flags,
    };
    let ext = extensions(model, id);
    // C's `packed` and `aligned(N)`: Rust's own. A packed struct's fields are read by copy
    // (`{ msg.arg }`): Rust refuses references to fields that may be unaligned.
    let repr = match (t.packed, t.aligned) {
        (true, _) => quote!(#[repr(C, packed)]),
        (false, Some(n)) => {
            let n = proc_macro2::Literal::u64_unsuffixed(n);
            quote!(#[repr(C, align(#n))])
        }
        (false, None) => quote!(#[repr(C)]),
    };
    let bytes_impls = super::byte_traits::byte_traits(&name, tr.pointer, into_bytes, &data);
    let serde_derive = &ser.derive;
    let serde_elem = match serde.is_off() {
        true => quote!(),
        false => {
            let cfg = &ser.elem;
            quote!(#cfg ::uapigen_runtime::serde_elem!(#name);)
        }
    };
    quote! {
        #d #a #links
        #repr
        #[derive(#(#derives,)* ::uapigen_runtime::Uapi)]
        #zerocopy
        #serde_derive
        #uapi_attrs
        pub struct #name #body
        #bytes_impls
        #serde_elem
        impl ::core::default::Default for #name {
            fn default() -> Self {
                ::uapigen_runtime::Zeroable::zeroed()
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
fn union_body(model: &Model, id: TypeId, ser: &SerdeAttrs) -> (TokenStream, TokenStream) {
    let m = &model.module;
    let t = &m.types[id];
    let aligns = t.fields.iter().enumerate().map(|(i, f)| {
        let n = format_ident!("_align{}", i);
        let (ty, extra) = align_marker(model, &f.ty);
        let extra = extra.into_iter().enumerate().map(|(j, t)| {
            let n = match j {
                0 => format_ident!("_align{}x", i),
                j => format_ident!("_align{}x{}", i, j),
            };
            let skip = &ser.skip;
            quote!(, #skip #n: [#t; 0])
        });
        let skip = &ser.skip;
        quote!(#skip #n: [#ty; 0] #(#extra)*)
    });
    let sizes = t.fields.iter().map(|f| {
        let ty = rust_ty(m, &f.ty);
        quote!(::core::mem::size_of::<#ty>())
    });
    let arr = &ser.array;
    let bytes = quote!([u8; { let mut n = 0; #( n = ::uapigen_runtime::max(n, #sizes); )* n }]);
    let body = quote!({
        #(#aligns,)*
        /// The union's bytes; use the accessors to read or write a member.
        #arr
        pub bytes: #bytes,
    });
    (body, bytes)
}

/// The type whose zero-length array gives a union a member's alignment: the member's own
/// type, or for a member with padding (which would keep the union from `AsBytes`) the
/// most aligned scalar in it, and (the second value) the largest `aligned(N)` of a type in
/// it, for a zero-sized `uapigen_runtime::align::AN` beside. On every Linux ABI an integer
/// is at least as aligned as any narrower one and `aligned_u64` is 8-aligned, so the two
/// give the member's alignment there; a packed type inside counts as a `u8` (it holds no
/// aligned type). C's `long` sits between `__u32` and `__u64` on every ABI and `__int128`
/// above `aligned_u64`; a kernel typedef, whose rank differs by ABI, gets a marker of its
/// own beside. The union's layout assertions check the result on every ABI.
fn align_marker(model: &Model, ty: &Ty) -> (TokenStream, Vec<TokenStream>) {
    let m = &model.module;
    if model.facts.into_bytes(ty) || !model.facts.from_bytes(ty) {
        return (rust_ty(m, ty), Vec::new());
    }
    let mut best: Option<(u64, Scalar)> = None;
    let mut explicit: Option<u64> = None;
    let mut kernel: Vec<Scalar> = Vec::new();
    let mut stack = vec![ty];
    while let Some(t) = stack.pop() {
        match t {
            Ty::Scalar(s) => {
                use crate::ctypes::CInt;
                let rank = match s {
                    Scalar::Int(i) => i.bytes(),
                    Scalar::Aligned(_) => 9,
                    Scalar::C(CInt::Long | CInt::ULong) => 5,
                    Scalar::C(CInt::Int128 | CInt::UInt128) => 10,
                    Scalar::C(c) => c.size(&crate::abi::ABIS[0]),
                    Scalar::Kernel(_) => {
                        if !kernel.contains(s) {
                            kernel.push(*s);
                        }
                        continue;
                    }
                };
                if best.is_none_or(|(r, _)| rank > r) {
                    best = Some((rank, *s));
                }
            }
            Ty::Array(e, ..) | Ty::Flex(e) => stack.push(e),
            Ty::Named(id) if m.types[*id].packed => {
                if best.is_none() {
                    best = Some((1, Scalar::Int(crate::ir::IntTy::U8)));
                }
            }
            Ty::Named(id) => {
                if let Some(n) = m.types[*id].aligned {
                    explicit = Some(explicit.map_or(n, |e| e.max(n)));
                }
                // A packed member counts as a `u8`, as a packed type does.
                for f in &m.types[*id].fields {
                    if let Some(n) = f.aligned {
                        explicit = Some(explicit.map_or(n, |e| e.max(n)));
                    }
                    if !f.packed {
                        stack.push(&f.ty);
                    } else if best.is_none() {
                        best = Some((1, Scalar::Int(crate::ir::IntTy::U8)));
                    }
                }
            }
            Ty::Const(e) => stack.push(e),
            Ty::Ptr(_) | Ty::Void => {}
        }
    }
    if best.is_none() && !kernel.is_empty() {
        best = Some((0, kernel.remove(0)));
    }
    let mut extra: Vec<TokenStream> = explicit
        .map(|n| {
            let a = format_ident!("A{}", n);
            quote!(::uapigen_runtime::align::#a)
        })
        .into_iter()
        .collect();
    extra.extend(kernel.into_iter().map(|s| rust_ty(m, &Ty::Scalar(s))));
    match best {
        Some((_, s)) => (rust_ty(m, &Ty::Scalar(s)), extra),
        None => (rust_ty(m, ty), Vec::new()),
    }
}

/// Statements writing `value` (of type `ty`) into `self.bytes` at byte `at`, leaf by leaf
/// where `ty` has padding (its padding bytes are not written), so that the bytes stay
/// initialised: `AsBytes` scalars and padding-free parts in one `put` each.
/// (`at`: `None` for byte 0, which keeps `0 + ...` out of the output.)
fn put_leaves(
    model: &Model,
    ty: &Ty,
    at: Option<TokenStream>,
    value: TokenStream,
    depth: usize,
) -> TokenStream {
    let m = &model.module;
    let plus = |x: TokenStream| match &at {
        Some(a) => quote!(#a + #x),
        None => x,
    };
    let here = at.clone().unwrap_or_else(|| quote!(0));
    if model.facts.into_bytes(ty) {
        return quote!(let _ = ::uapigen_runtime::put(&mut self.bytes, #here, &#value););
    }
    match ty {
        Ty::Array(e, ..) => {
            let et = rust_ty(m, e);
            let i = format_ident!("i{}", depth);
            let x = format_ident!("x{}", depth);
            let inner = put_leaves(
                model,
                e,
                Some(plus(quote!(#i * ::core::mem::size_of::<#et>()))),
                quote!((*#x)),
                depth + 1,
            );
            quote! {
                for (#i, #x) in #value.iter().enumerate() {
                    #inner
                }
            }
        }
        Ty::Named(id) if m.types[*id].kind == Kind::Struct => {
            let name = ident(&m.types[*id].rust_name);
            let puts = m.types[*id]
                .fields
                .iter()
                .filter(|f| !matches!(f.ty, Ty::Flex(_)))
                .map(|f| {
                    let n = ident(&f.rust_name);
                    // A packed member is read by copy.
                    let v = if f.packed {
                        quote!((#value.#n.get()))
                    } else {
                        quote!(#value.#n)
                    };
                    put_leaves(
                        model,
                        &f.ty,
                        Some(plus(quote!(::core::mem::offset_of!(#name, #n)))),
                        v,
                        depth + 1,
                    )
                });
            quote!(#(#puts)*)
        }
        // A union is its bytes (AsBytes unless it has tail padding): those bytes.
        Ty::Named(_) => {
            quote!(let _ = ::uapigen_runtime::put(&mut self.bytes, #here, &#value.bytes);)
        }
        // Not reached: members with pointers get no setter.
        _ => quote!(),
    }
}

fn union_accessors(model: &Model, id: TypeId) -> TokenStream {
    let m = &model.module;
    let t = &m.types[id];
    let name = ident(&t.rust_name);
    // What each member's type allows: reading needs FromBytes, writing AsBytes.
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
        let get = ident(&f.rust_name);
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
                        .unwrap_or_else(::uapigen_runtime::Zeroable::zeroed)
                }
            }
        };
        let set_doc = format!(" Set the member `{member}` (the other bytes are kept).");
        let from_doc = format!(" A union holding `{member}`, the other bytes zero.");
        if tr.pointer {
            return getter;
        }
        let body = put_leaves(model, &f.ty, None, quote!(v), 0);
        quote! {
            #getter
            #[doc = #set_doc]
            pub fn #set(&mut self, v: #ty) {
                #body
            }
            #[doc = #from_doc]
            pub fn #from(v: #ty) -> Self {
                let mut u: Self = ::uapigen_runtime::Zeroable::zeroed();
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

/// Everything generated for one struct's extensions (empty when it has none).
pub fn extensions(model: &Model, id: TypeId) -> TokenStream {
    let m = &model.module;
    let t = &m.types[id];
    let mut out = TokenStream::new();
    // A struct with a pointer is not `FromBytes`: its `check` cannot read it from bytes.
    let readable = model.facts.from_bytes(&Ty::Named(id));
    if t.extensible.is_some() || model.facts.has_reserved(id) || !t.rules.is_empty() {
        out.extend(check_fn(model, id, readable));
    }
    out.extend(super::values::accessors(model, id));
    if let Some(p) = &t.payload {
        out.extend(payload(model, id, p));
    }
    if let Some(c) = &t.caps {
        out.extend(caps(m, id, c));
    }
    if model.facts.validated(id) {
        out.extend(validate(model, id));
    }
    out
}
