//! `spec/iommufd.yaml` against the `iommufd-bindings` crate (bindgen output of the kernel's
//! `<linux/iommufd.h>`), struct by struct and field by field: bindgen's layout assertions
//! (libclang's values), its enumerator values, and the real types compared with ours. Both
//! sides describe Linux 7.1.

use std::collections::BTreeMap;

use uapigen::emit::c::facts;
use uapigen_tests::{bindgen_layout, model, package_src};

/// `pub const NAME: ty = N;` items (bindgen may break them over two lines).
fn bindgen_consts(text: &str) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for chunk in text.split("pub const ").skip(1) {
        let item = chunk.split(';').next().unwrap_or("");
        let (Some((name, _)), Some((_, value))) = (item.split_once(':'), item.rsplit_once('='))
        else {
            continue;
        };
        let digits: String = value
            .trim()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let Ok(n) = digits.parse::<u64>() {
            out.insert(name.trim().to_owned(), n);
        }
    }
    out
}

#[test]
fn iommufd_layouts_match_the_bindgen_crate() {
    let m = model("iommufd");
    let source = m.module.source.clone().unwrap_or_default();
    let src = package_src("iommufd-bindings", "0.2");
    let readme = std::fs::read_to_string(src.join("../README.md")).unwrap_or_default();
    assert!(
        readme.contains("kernel version [v7.1]"),
        "iommufd-bindings 0.2 describes Linux 7.1"
    );
    assert!(
        source.contains("Linux 7.1"),
        "spec/iommufd.yaml describes Linux 7.1: {source}"
    );
    println!(
        "kernel version on both sides: Linux 7.1 (iommufd-bindings 0.2 README; spec source: {source})"
    );

    let text = std::fs::read_to_string(src.join("iommufd.rs")).unwrap_or_else(|e| panic!("{e}"));
    let theirs = bindgen_layout(&text);
    let ours: BTreeMap<String, u64> = facts(&m, 0).into_iter().map(|f| (f.key, f.value)).collect();
    let mut compared = BTreeMap::<&str, usize>::new();
    let mut bad = Vec::new();
    let mut missing = Vec::new();
    for (k, v) in &theirs {
        // bindgen names anonymous members `__bindgen_anon_N` and their types `X__bindgen_ty_N`;
        // we name their members directly, so those rows have no counterpart.
        if k.contains("__bindgen") || k.contains(":__kernel_") {
            // ... and the `__kernel_*` types come from <linux/types.h>, not this header.
            continue;
        }
        // bindgen appends `_` to fields named like Rust keywords (`type` -> `type_`).
        let k = k
            .strip_suffix("type_")
            .map_or_else(|| k.clone(), |p| format!("{p}type"));
        let kind = if k.starts_with("size:") {
            "size"
        } else if k.starts_with("align:") {
            "align"
        } else {
            "offset"
        };
        match ours.get(&k) {
            Some(o) if o == v => *compared.entry(kind).or_default() += 1,
            Some(o) => bad.push(format!("{k}: ours {o}, bindgen {v}")),
            None => missing.push(k),
        }
    }
    println!("compared with bindgen: {compared:?}");
    assert!(bad.is_empty(), "layouts differ:\n{}", bad.join("\n"));
    assert!(
        missing.is_empty(),
        "bindgen has items the spec lacks: {missing:?}"
    );
    let structs = m.module.named_types().count();
    assert_eq!(
        compared.get("size").copied(),
        Some(structs),
        "every struct of the spec is in the bindings"
    );
    assert!(
        compared.get("offset").copied().unwrap_or(0) >= 170,
        "field by field"
    );

    // Enumerators: bindgen spells them `<enum>_<NAME>` (named enums) or `<NAME>`.
    let consts = bindgen_consts(&text);
    let mut n = 0;
    for e in &m.module.enums {
        for v in &e.values {
            let key = match &e.c_name {
                Some(en) => format!("{en}_{}", v.c_name),
                None => v.c_name.clone(),
            };
            let theirs = consts.get(&key).or_else(|| consts.get(&v.c_name));
            assert_eq!(
                theirs.copied(),
                Some(v.value as u64),
                "enumerator {}",
                v.c_name
            );
            n += 1;
        }
    }
    println!("{n} enumerators equal");
    assert!(n >= 70);
}

#[test]
fn the_real_types_agree() {
    use core::mem::{align_of, offset_of, size_of};
    use iommufd_bindings::iommufd as b;
    use linux_uapi::iommufd as ours;
    assert_eq!(
        size_of::<b::iommu_hwpt_alloc>(),
        size_of::<ours::HwptAlloc>()
    );
    assert_eq!(
        align_of::<b::iommu_hwpt_alloc>(),
        align_of::<ours::HwptAlloc>()
    );
    assert_eq!(
        offset_of!(b::iommu_hwpt_alloc, data_type),
        offset_of!(ours::HwptAlloc, data_type)
    );
    assert_eq!(
        offset_of!(b::iommu_hwpt_alloc, data_uptr),
        offset_of!(ours::HwptAlloc, data_uptr)
    );
    assert_eq!(
        offset_of!(b::iommu_hwpt_alloc, fault_id),
        offset_of!(ours::HwptAlloc, fault_id)
    );
    assert_eq!(
        size_of::<b::iommu_hwpt_invalidate>(),
        size_of::<ours::HwptInvalidate>()
    );
    assert_eq!(
        offset_of!(b::iommu_hwpt_invalidate, entry_num),
        offset_of!(ours::HwptInvalidate, entry_num)
    );
    assert_eq!(
        size_of::<b::iommu_hwpt_vtd_s1>(),
        size_of::<ours::HwptVtdS1>()
    );
    assert_eq!(
        size_of::<b::iommu_hwpt_vtd_s1_invalidate>(),
        size_of::<ours::HwptVtdS1Invalidate>()
    );
    assert_eq!(u32::from(b::IOMMUFD_TYPE), ours::TYPE);
}
