//! Which Rust targets an item is for: the ABIs Rust compiles for, grouped by an equal key,
//! each group behind its `cfg` predicate; and whether C-name aliases are emitted.

use proc_macro2::TokenStream;
use quote::quote;

use crate::abi::{ABIS, group_by};

/// Split the Rust ABIs into groups with equal `key`; the group holding x86_64 becomes the
/// default (`not(any(...))`) so that every target gets exactly one item. Each group comes
/// with its `cfg` predicate (`None` when there is a single group).
pub fn cfg_pred_groups<K: PartialEq + Clone>(
    key: impl Fn(usize) -> K,
) -> Vec<(Option<TokenStream>, K)> {
    let rust_abis = (0..ABIS.len()).filter(|&i| ABIS[i].rust_cfg.is_some());
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
pub fn cfg_groups<K: PartialEq + Clone>(key: impl Fn(usize) -> K) -> Vec<(TokenStream, K)> {
    cfg_pred_groups(key)
        .into_iter()
        .map(|(p, k)| (p.map_or_else(TokenStream::new, |p| quote!(#[cfg(#p)])), k))
        .collect()
}

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
