//! Typed fds (the spec's `fds`): one owned-fd type per kind (`VmFd`), whose methods are the
//! ioctls the kernel takes on that kind, each calling the ioctl's free function (which stays,
//! taking any fd: the raw form). An ioctl that `gives` a kind returns that type.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::cfg::{arch_attr, behind};
use super::wrappers::wrappers;
use crate::model::Model;

/// The fd types of a module and their methods; nothing when the spec lists no `fds`.
pub(crate) fn fd_types(model: &Model) -> TokenStream {
    let m = &model.module;
    // The ioctls of each kind, in one pass (many kinds and many ioctls stay linear).
    let mut of_kind: Vec<Vec<usize>> = vec![Vec::new(); m.fds.len()];
    for (i, io) in m.ioctls.iter().enumerate() {
        for &k in &io.fds {
            if let Some(list) = of_kind.get_mut(k) {
                list.push(i);
            }
        }
    }
    let items = m.fds.iter().enumerate().map(|(k, (name, rust, doc))| {
        let ty = format_ident!("{}", rust);
        let lead = match doc {
            Some(d) => format!(" {}", d.lines().collect::<Vec<_>>().join(" ")),
            None => format!(" A `{name}` fd."),
        };
        let methods = of_kind[k].iter().map(|&i| {
            let io = &m.ioctls[i];
            let gives = io.gives.map(|g| format_ident!("{}", m.fds[g].1));
            behind(io.abis, method(model, i, gives.as_ref()))
        });
        let abis = arch_attr(m.abis);
        quote! {
            #[doc = #lead]
            #[doc = ""]
            #[doc = " An owned fd with a method per ioctl the kernel takes on this kind of fd; each calls the module's function of that ioctl, which takes any fd (the raw form). Wrapping another fd (`From<OwnedFd>`) is safe: the kernel checks what the fd is."]
            #abis
            #[derive(Debug)]
            pub struct #ty(::uapigen_runtime::ioctl::OwnedFd);
            #abis
            impl #ty {
                /// The fd itself.
                pub fn into_inner(self) -> ::uapigen_runtime::ioctl::OwnedFd {
                    self.0
                }
                #(#methods)*
            }
            #abis
            impl ::core::convert::From<::uapigen_runtime::ioctl::OwnedFd> for #ty {
                fn from(fd: ::uapigen_runtime::ioctl::OwnedFd) -> Self {
                    #ty(fd)
                }
            }
            #abis
            impl ::uapigen_runtime::ioctl::AsFd for #ty {
                fn as_fd(&self) -> ::uapigen_runtime::ioctl::BorrowedFd<'_> {
                    self.0.as_fd()
                }
            }
        }
    });
    quote!(#(#items)*)
}

/// The method of ioctl `i`: the free function's signature without its `fd`, `&self`
/// instead, the body a call of the free function (unsafe where it is), the returned fd
/// wrapped in the type of the kind it `gives`.
fn method(model: &Model, i: usize, gives: Option<&proc_macro2::Ident>) -> TokenStream {
    let io = &model.module.ioctls[i];
    let Ok(file) = syn::parse2::<syn::File>(wrappers(model, std::iter::once(io))) else {
        return quote!(::core::compile_error!("uapigen: a wrapper could not be read back"););
    };
    let mut out = Vec::new();
    for item in file.items {
        let syn::Item::Fn(f) = item else { continue };
        let mut sig = f.sig.clone();
        let name = sig.ident.clone();
        let mut inputs = sig.inputs.clone().into_iter();
        // The free function's first parameter is the fd.
        if inputs.next().is_none() {
            continue;
        }
        let rest: Vec<syn::FnArg> = inputs.collect();
        let args: Vec<TokenStream> = rest
            .iter()
            .filter_map(|a| match a {
                syn::FnArg::Typed(t) => match &*t.pat {
                    syn::Pat::Ident(p) => {
                        let id = &p.ident;
                        Some(quote!(#id))
                    }
                    _ => None,
                },
                syn::FnArg::Receiver(_) => None,
            })
            .collect();
        if args.len() != rest.len() {
            out.push(quote!(::core::compile_error!("uapigen: a wrapper parameter is not a name");));
            continue;
        }
        sig.inputs = std::iter::once(syn::parse_quote!(&self))
            .chain(rest)
            .collect();
        let call = quote!(#name(&self.0, #(#args),*));
        let call = if matches!(sig.safety, syn::Safety::Unsafe(_)) {
            quote!(unsafe { #call })
        } else {
            call
        };
        let body = match gives {
            Some(g) => {
                sig.output = syn::parse_quote!(-> ::uapigen_runtime::ioctl::Result<#g>);
                quote!(#call.map(#g::from))
            }
            None => call,
        };
        let docs = f.attrs.iter().filter(|a| a.path().is_ident("doc"));
        out.push(quote! {
            #(#docs)*
            #[inline]
            pub #sig {
                #body
            }
        });
    }
    quote!(#(#out)*)
}
