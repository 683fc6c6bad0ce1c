//! `spec/vfio.yaml` (Linux 6.1) against rust-vmm's `vfio-bindings` 0.7 (bindgen output of
//! Linux 7.2): every field both describe sits at the same offset, and no struct shrank (VFIO
//! structs only grow, at the end). Also: the C-name aliases (`c-names` feature) let code
//! written against vfio-bindings use our types under the same names.

use std::collections::BTreeMap;

use uapigen::emit::c::facts;
use uapigen_tests::{bindgen_layout, model, package_src};

#[test]
fn shared_fields_agree_with_vfio_bindings() {
    let m = model("vfio");
    let src = package_src("vfio-bindings", "0.7");
    let readme = std::fs::read_to_string(src.join("../README.md")).unwrap_or_default();
    assert!(
        readme.contains("Linux kernel version v7.2"),
        "vfio-bindings 0.7 describes Linux 7.2"
    );
    let text = std::fs::read_to_string(src.join("vfio_bindings/vfio.rs"))
        .unwrap_or_else(|e| panic!("{e}"));
    let theirs = bindgen_layout(&text);
    let ours: BTreeMap<String, u64> = facts(&m, 0).into_iter().map(|f| (f.key, f.value)).collect();
    let (mut offsets, mut sizes, mut grown) = (0, 0, Vec::new());
    let mut bad = Vec::new();
    for (k, v) in &ours {
        let Some(t) = theirs.get(k) else { continue };
        if k.starts_with("offset:") {
            offsets += 1;
            if t != v {
                bad.push(format!("{k}: 6.1 {v}, 7.2 {t}"));
            }
        } else if k.starts_with("size:") {
            sizes += 1;
            if t < v {
                bad.push(format!("{k} shrank: 6.1 {v}, 7.2 {t}"));
            } else if t > v {
                grown.push(format!("{k}: {v} -> {t}"));
            }
        }
    }
    println!(
        "vs vfio-bindings (Linux 7.2): {offsets} field offsets and {sizes} sizes compared; grown since 6.1: {grown:?}"
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(
        offsets >= 150 && sizes >= 38,
        "most of the header is shared"
    );
}

#[test]
fn c_name_aliases_match_vfio_bindings() {
    use core::mem::{offset_of, size_of};
    use linux_uapi::vfio;
    use vfio_bindings::bindings::vfio as b;
    assert_eq!(
        size_of::<vfio::vfio_iommu_type1_dma_map>(),
        size_of::<b::vfio_iommu_type1_dma_map>()
    );
    assert_eq!(
        offset_of!(vfio::vfio_iommu_type1_dma_map, iova),
        offset_of!(b::vfio_iommu_type1_dma_map, iova)
    );
    assert_eq!(
        size_of::<vfio::vfio_irq_set>(),
        size_of::<b::vfio_irq_set>()
    );
    assert_eq!(vfio::VFIO_DMA_MAP_FLAG_READ, b::VFIO_DMA_MAP_FLAG_READ);
    assert_eq!(
        vfio::VFIO_IRQ_SET_DATA_EVENTFD,
        b::VFIO_IRQ_SET_DATA_EVENTFD
    );
    assert_eq!(vfio::VFIO_TYPE1v2_IOMMU, b::VFIO_TYPE1v2_IOMMU);
    // vfio-bindings has no ioctl numbers (bindgen cannot expand _IO); ours has them by C name.
    assert_eq!(vfio::VFIO_IOMMU_MAP_DMA, vfio::IOMMU_MAP_DMA);
}
