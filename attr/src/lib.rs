//! The `#[uapi(...)]` attributes that `derive(Uapi)` reads, described once. The generator
//! (`uapigen`) builds a [`UapiAttrs`] for every struct and prints it with [`ToTokens`]; the
//! derive (`uapigen-macros`) gets the same value back with [`UapiAttrs::parse`]. A key
//! renamed here is renamed on both sides, and the round-trip test below holds them together.
//!
//! ```text
//! #[uapi(c_name = "struct vfio_irq_set")]
//! #[uapi(layout(size = 20, align = 4, offsets(argsz = 0, flags = 4, index = 8)))]
//! #[uapi(layout(cfg(target_arch = "m68k"), size = 20, align = 2, offsets(argsz = 0)))]
//! #[uapi(size_field = argsz, last_mandatory = count)]
//! #[uapi(flags(flags = IrqSetFlags))]
//! ```
//!
//! - `c_name`: the C name, in the messages of the layout assertions;
//! - `layout(...)`: size, alignment and field offsets, for the targets `cfg(...)` selects
//!   (all when absent);
//! - `size_field`: the field that holds the struct's size (`argsz`);
//! - `last_mandatory`: the last field every revision of the struct has;
//! - `flags(field = Type)`: fields read and written through a bitflags type.
//!
//! This crate depends on `syn`, `quote` and `proc-macro2` only, so that the derive builds
//! without the generator.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use std::fmt;

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{ToTokens, quote};
use syn::meta::ParseNestedMeta;
use syn::{Attribute, LitInt, LitStr, Path};

/// The words of the vocabulary, used by the printer and the parser alike.
pub mod key {
    /// The attribute itself: `#[uapi(...)]`.
    pub const UAPI: &str = "uapi";
    pub const C_NAME: &str = "c_name";
    pub const LAYOUT: &str = "layout";
    pub const SIZE_FIELD: &str = "size_field";
    pub const LAST_MANDATORY: &str = "last_mandatory";
    pub const FLAGS: &str = "flags";
    /// Inside `layout(...)`.
    pub const CFG: &str = "cfg";
    pub const SIZE: &str = "size";
    pub const ALIGN: &str = "align";
    pub const OFFSETS: &str = "offsets";
}

/// Every `#[uapi(...)]` attribute of one struct.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UapiAttrs {
    /// `c_name = "struct vfio_irq_set"`.
    pub c_name: Option<String>,
    /// One `layout(...)` per group of targets with the same layout.
    pub layouts: Vec<LayoutAttr>,
    /// `size_field = argsz`.
    pub size_field: Option<Ident>,
    /// `last_mandatory = count`.
    pub last_mandatory: Option<Ident>,
    /// `flags(flags = IrqSetFlags, ...)`.
    pub flags: Vec<FlagsAttr>,
}

/// `layout(cfg(...), size = N, align = N, offsets(field = N, ...))`.
#[derive(Clone, Debug)]
pub struct LayoutAttr {
    /// The `cfg` predicate of the targets this layout is for; all targets when `None`.
    pub cfg: Option<TokenStream>,
    pub size: u64,
    pub align: u64,
    /// Field offsets, in field order (none for a union).
    pub offsets: Vec<(Ident, u64)>,
}

/// `field = Type` in `flags(...)`: `field` read and written as the bitflags type `Type`.
#[derive(Clone)]
pub struct FlagsAttr {
    pub field: Ident,
    pub ty: Path,
}

impl PartialEq for LayoutAttr {
    fn eq(&self, o: &Self) -> bool {
        let cfg = |c: &Option<TokenStream>| c.as_ref().map(ToString::to_string);
        cfg(&self.cfg) == cfg(&o.cfg)
            && self.size == o.size
            && self.align == o.align
            && self.offsets == o.offsets
    }
}

impl Eq for LayoutAttr {}

impl PartialEq for FlagsAttr {
    fn eq(&self, o: &Self) -> bool {
        self.field == o.field && path_text(&self.ty) == path_text(&o.ty)
    }
}

impl Eq for FlagsAttr {}

impl fmt::Debug for FlagsAttr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlagsAttr")
            .field("field", &self.field)
            .field("ty", &path_text(&self.ty))
            .finish()
    }
}

/// A path as written, without spaces: `IrqSetFlags`, `super::vfio::Flags`.
pub fn path_text(p: &Path) -> String {
    p.to_token_stream().to_string().replace(' ', "")
}

fn word(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

fn lit(v: u64) -> Literal {
    Literal::u64_unsuffixed(v)
}

impl ToTokens for LayoutAttr {
    /// `layout(cfg(...), size = N, align = N, offsets(...))`.
    fn to_tokens(&self, out: &mut TokenStream) {
        let (layout, size_k, align_k) = (word(key::LAYOUT), word(key::SIZE), word(key::ALIGN));
        let cfg = self.cfg.as_ref().map(|p| {
            let k = word(key::CFG);
            quote!(#k(#p),)
        });
        let (size, align) = (lit(self.size), lit(self.align));
        let offsets = (!self.offsets.is_empty()).then(|| {
            let k = word(key::OFFSETS);
            let offs = self.offsets.iter().map(|(f, o)| {
                let o = lit(*o);
                quote!(#f = #o)
            });
            quote!(, #k(#(#offs),*))
        });
        out.extend(quote!(#layout(#cfg #size_k = #size, #align_k = #align #offsets)));
    }
}

impl ToTokens for UapiAttrs {
    /// The attributes, one `#[uapi(...)]` each: `c_name`, the layouts, `size_field` with
    /// `last_mandatory`, `flags`. Several layouts repeat `size = N` and `align = N` under
    /// different `cfg`s, which clippy would call duplicated attributes: they come with the
    /// `allow` for that.
    fn to_tokens(&self, out: &mut TokenStream) {
        let uapi = word(key::UAPI);
        if self.layouts.len() > 1 {
            out.extend(quote!(#[allow(clippy::duplicated_attributes)]));
        }
        if let Some(c) = &self.c_name {
            let k = word(key::C_NAME);
            out.extend(quote!(#[#uapi(#k = #c)]));
        }
        for l in &self.layouts {
            out.extend(quote!(#[#uapi(#l)]));
        }
        let size_field = self.size_field.as_ref().map(|f| {
            let k = word(key::SIZE_FIELD);
            quote!(#k = #f)
        });
        let last = self.last_mandatory.as_ref().map(|f| {
            let k = word(key::LAST_MANDATORY);
            quote!(#k = #f)
        });
        let ext: Vec<TokenStream> = size_field.into_iter().chain(last).collect();
        if !ext.is_empty() {
            out.extend(quote!(#[#uapi(#(#ext),*)]));
        }
        if !self.flags.is_empty() {
            let k = word(key::FLAGS);
            let flags = self
                .flags
                .iter()
                .map(|FlagsAttr { field, ty }| quote!(#field = #ty));
            out.extend(quote!(#[#uapi(#k(#(#flags),*))]));
        }
    }
}

impl UapiAttrs {
    /// The `#[uapi(...)]` attributes among `attrs` (others are skipped), with an error at
    /// the first unknown key or malformed value.
    pub fn parse(attrs: &[Attribute]) -> syn::Result<Self> {
        let mut a = UapiAttrs::default();
        for attr in attrs.iter().filter(|a| a.path().is_ident(key::UAPI)) {
            attr.parse_nested_meta(|meta| a.parse_key(&meta))?;
        }
        Ok(a)
    }

    fn parse_key(&mut self, meta: &ParseNestedMeta) -> syn::Result<()> {
        let is = |k: &str| meta.path.is_ident(k);
        if is(key::C_NAME) {
            self.c_name = Some(meta.value()?.parse::<LitStr>()?.value());
        } else if is(key::SIZE_FIELD) {
            self.size_field = Some(meta.value()?.parse()?);
        } else if is(key::LAST_MANDATORY) {
            self.last_mandatory = Some(meta.value()?.parse()?);
        } else if is(key::FLAGS) {
            meta.parse_nested_meta(|f| {
                let field = field_name(&f)?;
                let ty: Path = f.value()?.parse()?;
                self.flags.push(FlagsAttr { field, ty });
                Ok(())
            })?;
        } else if is(key::LAYOUT) {
            self.layouts.push(LayoutAttr::parse(meta)?);
        } else {
            return Err(meta.error(format!(
                "unknown `{}` key; expected `{}`, `{}(...)`, `{}`, `{}` or `{}(...)`",
                key::UAPI,
                key::C_NAME,
                key::LAYOUT,
                key::SIZE_FIELD,
                key::LAST_MANDATORY,
                key::FLAGS
            )));
        }
        Ok(())
    }
}

impl LayoutAttr {
    /// The inside of `layout(...)`.
    fn parse(meta: &ParseNestedMeta) -> syn::Result<Self> {
        let mut cfg = None;
        let mut size = None;
        let mut align = None;
        let mut offsets = Vec::new();
        meta.parse_nested_meta(|l| {
            if l.path.is_ident(key::CFG) {
                let content;
                syn::parenthesized!(content in l.input);
                cfg = Some(content.parse::<TokenStream>()?);
            } else if l.path.is_ident(key::SIZE) {
                size = Some(number(&l)?);
            } else if l.path.is_ident(key::ALIGN) {
                align = Some(number(&l)?);
            } else if l.path.is_ident(key::OFFSETS) {
                l.parse_nested_meta(|o| {
                    offsets.push((field_name(&o)?, number(&o)?));
                    Ok(())
                })?;
            } else {
                return Err(l.error(format!(
                    "expected `{}(...)`, `{}`, `{}` or `{}(...)`",
                    key::CFG,
                    key::SIZE,
                    key::ALIGN,
                    key::OFFSETS
                )));
            }
            Ok(())
        })?;
        let (Some(size), Some(align)) = (size, align) else {
            return Err(meta.error(format!(
                "`{}` needs `{} = N` and `{} = N`",
                key::LAYOUT,
                key::SIZE,
                key::ALIGN
            )));
        };
        Ok(LayoutAttr {
            cfg,
            size,
            align,
            offsets,
        })
    }
}

fn field_name(meta: &ParseNestedMeta) -> syn::Result<Ident> {
    meta.path
        .get_ident()
        .cloned()
        .ok_or_else(|| meta.error("expected a field name"))
}

fn number(meta: &ParseNestedMeta) -> syn::Result<u64> {
    meta.value()?.parse::<LitInt>()?.base10_parse()
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse::Parser;

    fn print_then_parse(a: &UapiAttrs) -> UapiAttrs {
        let tokens = a.to_token_stream();
        let attrs = Attribute::parse_outer.parse2(tokens).unwrap();
        UapiAttrs::parse(&attrs).unwrap()
    }

    fn id(s: &str) -> Ident {
        syn::parse_str(s).unwrap()
    }

    /// What the generator prints for a struct of every kind: print then parse gives it back.
    #[test]
    fn round_trip() {
        let full = UapiAttrs {
            c_name: Some("struct vfio_irq_set".into()),
            layouts: vec![
                LayoutAttr {
                    cfg: Some(quote!(not(any(target_arch = "m68k", target_arch = "x86")))),
                    size: 20,
                    align: 4,
                    offsets: vec![(id("argsz"), 0), (id("flags"), 4), (id("r#type"), 8)],
                },
                LayoutAttr {
                    cfg: Some(quote!(target_arch = "m68k")),
                    size: 18,
                    align: 2,
                    offsets: vec![(id("argsz"), 0), (id("flags"), 4), (id("r#type"), 6)],
                },
            ],
            size_field: Some(id("argsz")),
            last_mandatory: Some(id("r#type")),
            flags: vec![
                FlagsAttr {
                    field: id("flags"),
                    ty: syn::parse_str("IrqSetFlags").unwrap(),
                },
                FlagsAttr {
                    field: id("r#type"),
                    ty: syn::parse_str("super::vfio::Kind").unwrap(),
                },
            ],
        };
        let union = UapiAttrs {
            c_name: Some("union kvm_run_exit".into()),
            layouts: vec![LayoutAttr {
                cfg: None,
                size: 256,
                align: 8,
                offsets: Vec::new(),
            }],
            ..UapiAttrs::default()
        };
        let only_size_field = UapiAttrs {
            size_field: Some(id("argsz")),
            ..UapiAttrs::default()
        };
        for a in [full, union, only_size_field, UapiAttrs::default()] {
            assert_eq!(print_then_parse(&a), a, "{}", a.to_token_stream());
        }
    }

    /// The printed text, as the generated crate has it.
    #[test]
    fn printed_form() {
        let a = UapiAttrs {
            c_name: Some("struct demo".into()),
            layouts: vec![LayoutAttr {
                cfg: None,
                size: 8,
                align: 4,
                offsets: vec![(id("a"), 0), (id("b"), 4)],
            }],
            size_field: Some(id("a")),
            last_mandatory: Some(id("b")),
            flags: vec![FlagsAttr {
                field: id("b"),
                ty: syn::parse_str("DemoFlags").unwrap(),
            }],
        };
        let want = quote! {
            #[uapi(c_name = "struct demo")]
            #[uapi(layout(size = 8, align = 4, offsets(a = 0, b = 4)))]
            #[uapi(size_field = a, last_mandatory = b)]
            #[uapi(flags(b = DemoFlags))]
        };
        assert_eq!(a.to_token_stream().to_string(), want.to_string());
    }

    #[test]
    fn unknown_key_and_missing_size() {
        let parse = |t: TokenStream| {
            let attrs = Attribute::parse_outer.parse2(t).unwrap();
            UapiAttrs::parse(&attrs).unwrap_err().to_string()
        };
        assert!(parse(quote!(#[uapi(colour = "red")])).starts_with("unknown `uapi` key"));
        assert_eq!(
            parse(quote!(#[uapi(layout(align = 4))])),
            "`layout` needs `size = N` and `align = N`"
        );
        // Other attributes are not ours.
        let attrs = Attribute::parse_outer
            .parse2(quote!(#[repr(C)] #[doc = "x"]))
            .unwrap();
        assert_eq!(UapiAttrs::parse(&attrs).unwrap(), UapiAttrs::default());
    }
}
