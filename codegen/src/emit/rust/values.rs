//! Value groups as Rust enums, and typed accessors of the fields that hold them.
//!
//! A group becomes a fieldless `#[repr(<type>)]` enum whose discriminants are the group's
//! constants; `from_raw` (and `TryFrom`) gives `Err(raw)` for a value this revision does
//! not know, so a newer kernel's value is never lost or confused with a known one, and
//! every known value has exactly one representation (an `Unknown(raw)` variant could hold
//! a known value too). A field with `values: GROUP` gets `field()` returning
//! `Result<Group, raw>` and `set_field(Group)`; the raw value stays the public field.

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::quote;

use super::cfg::arch_attr;
use super::tokens::{docs, ident, int_ty};
use crate::ir::{Group, Module, Scalar, Ty, TypeId};
use crate::model::Model;
use crate::spec::Kind;

/// Names a variant may not take: the generated code's prelude names and `Self`.
const RESERVED: &[&str] = &["Self", "Ok", "Err", "Some", "None", "Option", "Result"];

/// The variant name of each value: its Rust name in UpperCamelCase without the words all
/// values share (`KVM_EXIT_IO` of `kvm_exit_reason` is `Io`), unless that leaves a name
/// that is empty, starts with a digit or is taken; then the whole name.
pub(crate) fn variant_names(g: &Group) -> Vec<String> {
    let words: Vec<Vec<&str>> = g
        .values
        .iter()
        .map(|v| v.rust_name.trim_start_matches("r#").split('_').collect())
        .collect();
    let mut common = words.first().map_or(0, Vec::len);
    for w in &words {
        let first = &words[0];
        common = common.min(w.iter().zip(first).take_while(|(a, b)| a == b).count());
    }
    let camel = |w: &[&str]| w.join("_").to_upper_camel_case();
    let short: Vec<String> = words
        .iter()
        .map(|w| camel(&w[common.min(w.len())..]))
        .collect();
    let ok = g.values.len() > 1
        && short.iter().enumerate().all(|(i, s)| {
            s.starts_with(|c: char| c.is_ascii_alphabetic())
                && !RESERVED.contains(&s.as_str())
                && !short[..i].contains(s)
        });
    if ok {
        return short;
    }
    let mut out: Vec<String> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let mut n = camel(w);
        if !n.starts_with(|c: char| c.is_ascii_alphabetic()) || RESERVED.contains(&n.as_str()) {
            n = format!("V{n}");
        }
        // Names that differ only in underscores (`A_B1`, `A_B_1`) meet in UpperCamelCase.
        if out.contains(&n) {
            n = format!("{n}V{i}");
        }
        out.push(n);
    }
    out
}

/// Every group of the module as an enum.
pub(crate) fn group_enums(m: &Module) -> TokenStream {
    let items = m.groups.iter().map(group_enum);
    quote!(#(#items)*)
}

fn group_enum(g: &Group) -> TokenStream {
    let name = ident(&g.rust_name);
    let t = int_ty(g.ty);
    let cfg = arch_attr(g.abis);
    let d = docs(&g.doc);
    let doc = format!(
        " The values of `{}` as an enum: `from_raw` gives `Err(raw)` for a value this revision does not know.",
        g.c_name
    );
    let names = variant_names(g);
    let mut variants = Vec::new();
    let mut arms = Vec::new();
    let mut aliases = Vec::new();
    let mut seen: Vec<(i128, &str)> = Vec::new();
    for (v, vn) in g.values.iter().zip(&names) {
        // Only a value limited within its group's ABIs needs a cfg of its own.
        let vcfg = if v.abis == g.abis {
            quote!()
        } else {
            arch_attr(v.abis)
        };
        let (c, var) = (ident(&v.rust_name), ident(vn));
        let vd = docs(&v.doc);
        let cdoc = format!(" `{}`.", v.c_name);
        // A value given twice: the second name is an alias of the first variant.
        if let Some((_, first)) = seen.iter().find(|(x, _)| *x == v.value.value) {
            let first = ident(first);
            aliases.push(quote! {
                #vd #[doc = #cdoc] #vcfg #[allow(non_upper_case_globals)]
                pub const #var: Self = Self::#first;
            });
            continue;
        }
        seen.push((v.value.value, vn));
        variants.push(quote!(#vd #[doc = #cdoc] #vcfg #var = #c,));
        arms.push(quote!(#vcfg #c => Ok(Self::#var),));
    }
    quote! {
        #d
        #[doc = #doc]
        #cfg
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(#t)]
        pub enum #name {
            #(#variants)*
        }

        #cfg
        impl #name {
            #(#aliases)*

            /// The value as the field holds it.
            #[inline]
            pub const fn raw(self) -> #t {
                self as #t
            }

            /// The variant of a raw value; `Err(raw)` for a value this revision does not know.
            #[inline]
            pub const fn from_raw(raw: #t) -> ::core::result::Result<Self, #t> {
                match raw {
                    #(#arms)*
                    _ => Err(raw),
                }
            }
        }

        #cfg
        impl ::core::convert::From<#name> for #t {
            #[inline]
            fn from(v: #name) -> #t {
                v.raw()
            }
        }

        #cfg
        impl ::core::convert::TryFrom<#t> for #name {
            /// The raw value, which this revision does not know.
            type Error = #t;
            #[inline]
            fn try_from(raw: #t) -> ::core::result::Result<Self, #t> {
                Self::from_raw(raw)
            }
        }
    }
}

/// `field()` and `set_field()` of each field of struct `id` whose value group has the
/// field's own integer type.
pub(crate) fn accessors(model: &Model, id: TypeId) -> TokenStream {
    let m = &model.module;
    let t = &m.types[id];
    if t.kind == Kind::Union {
        return quote!();
    }
    let fns = t.fields.iter().filter_map(|f| {
        let g = &m.groups[f.group?];
        if f.ty != Ty::Scalar(Scalar::Int(g.ty)) || f.c_name.is_none() {
            return None;
        }
        let (gn, ft) = (ident(&g.rust_name), int_ty(g.ty));
        let get = ident(&f.rust_name);
        let set = ident(&format!("set_{}", f.rust_name.trim_start_matches("r#")));
        let get_doc = format!(
            " `{}` as a [`{}`]; `Err(raw)` for a value this revision does not know (the raw value is also the field itself).",
            f.c_name.as_deref().unwrap_or(""),
            g.rust_name
        );
        let set_doc = format!(" Set `{}` to a value of `{}`.", f.c_name.as_deref().unwrap_or(""), g.c_name);
        Some(quote! {
            #[doc = #get_doc]
            #[inline]
            pub fn #get(&self) -> ::core::result::Result<#gn, #ft> {
                #gn::from_raw(self.#get)
            }

            #[doc = #set_doc]
            #[inline]
            pub fn #set(&mut self, value: #gn) {
                self.#get = value.raw();
            }
        })
    });
    let fns: Vec<TokenStream> = fns.collect();
    if fns.is_empty() {
        return quote!();
    }
    let name = ident(&t.rust_name);
    let cfg = arch_attr(t.abis);
    quote! {
        #cfg
        impl #name {
            #(#fns)*
        }
    }
}
