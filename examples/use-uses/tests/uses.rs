//! [ecosystem] point 3: a spec in another crate `uses: [linux_uapi::vfio]`, found through
//! `DEP_LINUX_UAPI_SPEC_DIR` with nothing configured; its Rust refers to linux-uapi's types
//! (one type, not a copy), its C header includes the kernel's `<linux/vfio.h>` and gcc
//! agrees on the layout.

use std::process::Command;

use linux_uapi::vfio::IommuType1DmaMap;
use uapigen_example_uses::vfio_batch::{VFIO_DMA_BATCH, VfioDmaBatch as DmaBatch};

#[test]
fn members_are_linux_uapis_own_types() {
    // A value of linux-uapi's type goes into the downstream struct as it is: this compiles
    // only if `maps` holds `linux_uapi::vfio::IommuType1DmaMap` itself.
    let map = IommuType1DmaMap {
        argsz: 32,
        iova: 0x1000,
        size: 0x2000,
        ..IommuType1DmaMap::default()
    };
    let mut batch = DmaBatch::default();
    batch.maps[1] = map;
    batch.count = 2;
    let back: &IommuType1DmaMap = &batch.maps[1];
    assert_eq!(back.iova, 0x1000);
    // By hand from <linux/vfio.h>: vfio_iommu_type1_dma_map is __u32 argsz, flags and
    // __u64 vaddr, iova, size (32 bytes); count, flags and four of them: 8 + 128.
    assert_eq!(size_of::<DmaBatch>(), 136);
    // _IOW(';', 100 + 40, struct vfio_dma_batch) on x86_64: write (1 << 30), size 136
    // (<< 16), type ';' (0x3b << 8), nr 140.
    #[cfg(target_arch = "x86_64")]
    assert_eq!(VFIO_DMA_BATCH, 1 << 30 | 136 << 16 | 0x3b << 8 | 140);
}

#[test]
fn gcc_agrees_with_the_kernels_header() {
    // The generated header includes the system's <linux/vfio.h> (the used spec's header);
    // the assertion file checks every size and offset for the host ABI.
    let dir = std::path::Path::new(uapigen_example_uses::GENERATED_DIR);
    let header = std::fs::read_to_string(dir.join("include/linux/vfio_batch.h"))
        .unwrap_or_else(|e| panic!("generated header: {e}"));
    assert!(header.contains("#include <linux/vfio.h>"), "{header}");
    let out = Command::new("gcc")
        .args(["-std=c11", "-Wall", "-Werror", "-fsyntax-only", "-I"])
        .arg(dir.join("include"))
        .arg(dir.join("vfio_batch_layout.c"))
        .output()
        .unwrap_or_else(|e| panic!("gcc is missing ({e}): the test needs it"));
    assert!(
        out.status.success(),
        "gcc refuses the layout assertions:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_wrapper_is_unsafe_for_the_used_types_user_address() {
    // vfio_iommu_type1_dma_map.vaddr is a user address the kernel keeps (linux-uapi's spec
    // marks it): a batch of them makes this crate's wrapper unsafe, as linux-uapi's own
    // iommu_map_dma is, with the field named.
    let dir = std::path::Path::new(uapigen_example_uses::GENERATED_DIR);
    let rust = std::fs::read_to_string(dir.join("vfio_batch.rs"))
        .unwrap_or_else(|e| panic!("generated module: {e}"));
    assert!(rust.contains("pub unsafe fn vfio_dma_batch("), "{rust}");
    assert!(rust.contains("user addresses (`maps.vaddr`)"), "{rust}");
}

#[cfg(feature = "serde")]
#[test]
fn serde_goes_through_the_used_types() {
    let mut batch = DmaBatch {
        count: 1,
        ..DmaBatch::default()
    };
    batch.maps[0].vaddr = 0x7f00_0000_0000;
    let json = serde_json::to_value(batch).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json["maps"].as_array().map(Vec::len), Some(4));
    assert_eq!(
        json["maps"][0]["vaddr"],
        serde_json::Value::from(0x7f00_0000_0000u64)
    );
    let back: DmaBatch = serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, batch);
}
