//! Which Rust targets an item is for: the ABIs Rust compiles for, grouped by an equal key,
//! each group behind its `cfg` predicate; and whether C-name aliases are emitted.

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::Parser;

use crate::abi::{ABIS, AbiSet, group_by};

/// `#[cfg(...)]` for an item that exists on `abis` only; nothing for an item of every ABI.
pub fn arch_attr(abis: AbiSet) -> TokenStream {
    match abis.rust_pred() {
        Some(p) => {
            let p: TokenStream = p.parse().unwrap_or_default();
            quote!(#[cfg(#p)])
        }
        None => TokenStream::new(),
    }
}

/// Every item of `tokens` behind [`arch_attr`] of `abis`: an item limited to some
/// architectures does not exist on the others.
pub fn behind(abis: AbiSet, tokens: TokenStream) -> TokenStream {
    if abis.is_all() {
        return tokens;
    }
    // An item that cannot be limited must not exist everywhere instead: a compile error.
    let refused = quote!(::core::compile_error!(
        "uapigen: an item limited to some architectures could not be put behind its cfg"
    ););
    let attr = arch_attr(abis);
    let (Ok(mut file), Ok(attr)) = (
        syn::parse2::<syn::File>(tokens),
        syn::Attribute::parse_outer.parse2(attr),
    ) else {
        return refused;
    };
    for item in &mut file.items {
        match item_attrs(item) {
            Some(attrs) => attrs.splice(0..0, attr.iter().cloned()).for_each(drop),
            None => return refused,
        }
    }
    let items = file.items;
    quote!(#(#items)*)
}

/// The attributes of an item, for the kinds the emitters print.
fn item_attrs(item: &mut syn::Item) -> Option<&mut Vec<syn::Attribute>> {
    use syn::Item;
    Some(match item {
        Item::Const(i) => &mut i.attrs,
        Item::Enum(i) => &mut i.attrs,
        Item::Fn(i) => &mut i.attrs,
        Item::Impl(i) => &mut i.attrs,
        Item::Macro(i) => &mut i.attrs,
        Item::Mod(i) => &mut i.attrs,
        Item::Static(i) => &mut i.attrs,
        Item::Struct(i) => &mut i.attrs,
        Item::Trait(i) => &mut i.attrs,
        Item::Type(i) => &mut i.attrs,
        Item::Union(i) => &mut i.attrs,
        Item::Use(i) => &mut i.attrs,
        _ => return None,
    })
}

/// Split the Rust ABIs of `abis` into groups with equal `key`; the first group (the one
/// holding x86_64 when the item exists there) becomes the default (`not(any(...))`) so that
/// every target gets exactly one item. Each group comes with its `cfg` predicate (`None`
/// when there is a single group).
pub fn cfg_pred_groups<K: PartialEq + Clone>(
    abis: AbiSet,
    key: impl Fn(usize) -> K,
) -> Vec<(Option<TokenStream>, K)> {
    let rust_abis = abis.iter().filter(|&i| ABIS[i].rust_cfg.is_some());
    let groups: Vec<(K, Vec<&'static str>)> = group_by(rust_abis, key)
        .into_iter()
        .map(|(k, abis)| {
            let mut cfgs: Vec<&'static str> = Vec::new();
            for cfg in abis.iter().filter_map(|&i| ABIS[i].rust_cfg) {
                if !cfgs.contains(&cfg) {
                    cfgs.push(cfg);
                }
            }
            (k, cfgs)
        })
        .collect();
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
pub fn cfg_groups<K: PartialEq + Clone>(
    abis: AbiSet,
    key: impl Fn(usize) -> K,
) -> Vec<(TokenStream, K)> {
    cfg_pred_groups(abis, key)
        .into_iter()
        .map(|(p, k)| (p.map_or_else(TokenStream::new, |p| quote!(#[cfg(#p)])), k))
        .collect()
}

/// Whether generated code has an optional part: never, behind a cargo feature of the crate
/// that compiles it, or always.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Gate {
    /// Not generated.
    #[default]
    Off,
    /// Behind `#[cfg(feature = "<name>")]`.
    Feature(String),
    /// Always there.
    Always,
}

/// Whether to emit C-name aliases (`vfio_iommu_type1_dma_map`, `VFIO_IOMMU_MAP_DMA`) for
/// projects migrating from bindgen-generated crates.
pub type CNames = Gate;

/// The optional parts of a generated Rust module.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RustOptions {
    /// C-name aliases.
    pub c_names: Gate,
    /// `Serialize` and `Deserialize` for every type without pointers (through
    /// `uapigen_runtime::serde`: the crate that compiles the module enables
    /// `uapigen-runtime`'s `serde` feature).
    pub serde: Gate,
    /// zerocopy's derives (`FromBytes`/`FromZeros`, `IntoBytes`, `Immutable`,
    /// `KnownLayout`) on every type, through `uapigen_runtime::zerocopy` (the crate that
    /// compiles the module enables `uapigen-runtime`'s `zerocopy` feature). The runtime's
    /// own byte traits are implemented either way.
    pub zerocopy: Gate,
}

impl Gate {
    /// The predicate of the gate: `None` when it is always on, `Some(cfg)` for a feature;
    /// [`Gate::Off`] gives `None` too (callers check [`Gate::is_off`] first).
    pub(crate) fn predicate(&self) -> Option<TokenStream> {
        match self {
            Gate::Feature(f) => Some(quote!(feature = #f)),
            Gate::Off | Gate::Always => None,
        }
    }

    pub(crate) fn is_off(&self) -> bool {
        *self == Gate::Off
    }

    /// `attr` (the inside of `#[...]`) behind the gate: `#[cfg_attr(feature = "f", attr)]`,
    /// `#[attr]`, or nothing.
    pub(crate) fn attr(&self, attr: TokenStream) -> TokenStream {
        match (self.is_off(), self.predicate()) {
            (true, _) => TokenStream::new(),
            (false, Some(p)) => quote!(#[cfg_attr(#p, #attr)]),
            (false, None) => quote!(#[#attr]),
        }
    }

    /// `#[cfg(feature = "f")]` or nothing.
    pub(crate) fn cfg(&self) -> TokenStream {
        self.predicate()
            .map_or_else(TokenStream::new, |p| quote!(#[cfg(#p)]))
    }
}
