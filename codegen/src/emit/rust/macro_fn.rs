//! A function-like macro of the spec (`macros:`) as a Rust `const fn`.

use proc_macro2::TokenStream;
use quote::quote;

use super::tokens::{alias_for, docs, ident, int_ty};

/// A function-like macro as a `const fn`: parameters of the macro's `type`, the result of
/// C's type of the body, the body computing C's value (translated by the resolver).
pub(crate) fn macro_fn(x: &crate::ir::Macro) -> TokenStream {
    let name = ident(&x.rust_name);
    let a = alias_for(&x.c_name, &x.rust_name);
    let d = docs(&x.doc);
    let c = format!(
        " C: `#define {}({}) {}`",
        x.c_name,
        x.params.join(", "),
        x.body.to_c_macro_params(&x.params)
    );
    let sep = if x.doc.is_some() {
        quote!(#[doc = ""])
    } else {
        quote!()
    };
    let panics = if crate::expr::may_panic(&x.body, &x.params) {
        quote! {
            #[doc = ""]
            #[doc = " # Panics"]
            #[doc = ""]
            #[doc = " Where C leaves the result undefined: a divisor that is zero, or a shift count"]
            #[doc = " below zero or not below the width of the value shifted."]
        }
    } else {
        quote!()
    };
    let ty = int_ty(x.param_ty);
    let params = x.params.iter().map(|p| {
        let p = ident(&crate::names::field_name(p));
        quote!(#p: #ty)
    });
    let ret = ident(crate::expr::rust_type(x.result));
    // A parameter the body does not use (C allows it) is named still, and allowed unused.
    let mut used = Vec::new();
    x.body.names(&mut used);
    let unused = if x.params.iter().all(|p| used.contains(p)) {
        quote!()
    } else {
        quote!(#[allow(unused_variables)])
    };
    let body = crate::expr::strip_outer_parens(&x.rust_body);
    let body: TokenStream = body.parse().unwrap_or_else(|_| {
        let msg = format!("uapigen could not print the body of {}", x.c_name);
        quote!(compile_error!(#msg))
    });
    quote! {
        #d
        #sep
        #[doc = #c]
        #panics
        #a
        #[inline]
        #[must_use]
        #unused
        pub const fn #name(#(#params),*) -> #ret {
            #body
        }
    }
}
