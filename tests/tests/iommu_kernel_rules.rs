//! Issue 16, IOMMU 5.10: each case is an argument built by hand, with the answer the
//! kernel gives derived by hand from the kernel's code (the function is named with each
//! case), never from uapigen. Every case runs through the generated Rust validator and the
//! generated C helper (`<linux/iommu_validate.h>`, compiled with gcc).
//!
//! drivers/iommu/iommu.c `iommu_uapi_cache_invalidate` and `iommu_sva_prepare_bind_data`
//! (minimum size up to the union: 16 and 56), the content checks
//! `iommu_check_cache_invl_data` and `iommu_check_bind_data`, and drivers/iommu/intel/svm.c
//! `intel_svm_bind_gpasid` (argsz up to vendor.vtd, 72).

use uapigen_runtime::Reject;
use uapigen_tests::kernel_cases::{Arg, Case, case, check};

type Validator = fn(&[u8]) -> Result<(), Reject>;

fn validator(name: &str) -> Validator {
    linux_uapi::layout_probe::iommu::VALIDATORS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .unwrap_or_else(|| panic!("no validator for {name}"))
}

fn rust(c: &Case) -> Result<(), &'static str> {
    validator(c.name)(&c.bytes).map_err(|e| e.errno.name())
}

// struct iommu_cache_invalidate_info (5.10): argsz 0, version 4, cache 8 (u8),
// granularity 9 (u8), padding[6] 10, granu 16 (pasid_info 16 bytes, addr_info 40) (56).
// DOMAIN 0, PASID 1, ADDR 2; cache IOTLB 1, DEV_IOTLB 2, PASID 4.
fn all_cases() -> Vec<Case> {
    const INV: &str = "drivers/iommu/iommu.c iommu_uapi_cache_invalidate";
    const INVCHK: &str = "drivers/iommu/iommu.c iommu_check_cache_invl_data";
    const BIND: &str = "drivers/iommu/iommu.c iommu_sva_prepare_bind_data";
    const BINDCHK: &str = "drivers/iommu/iommu.c iommu_check_bind_data";
    const VTD: &str = "drivers/iommu/intel/svm.c intel_svm_bind_gpasid";
    let n = "iommu_cache_invalidate_info";
    let inv = |argsz: u32, len: usize| Arg::new(len).u32(0, argsz).u32(4, 1).u8(8, 1);
    // struct iommu_gpasid_bind_data (5.10): argsz 0, version 4, format 8, addr_width 12,
    // flags 16, gpgd 24, hpasid 32, gpasid 40, padding[8] 48, vendor 56 (vtd 16 bytes) (72).
    let b = "iommu_gpasid_bind_data";
    let bind = |argsz: u32, len: usize| {
        Arg::new(len)
            .u32(0, argsz)
            .u32(4, 1)
            .u32(8, 1)
            .u32(12, 48)
            .u64(32, 5)
    };
    vec![
        case(
            n,
            inv(16, 16),
            "0",
            INV,
            "argsz 16 (offsetof granu) with DOMAIN granularity",
        ),
        case(n, inv(12, 16), "EINVAL", INV, "argsz 12 < minsz 16"),
        case(
            n,
            inv(16, 16).cut(8),
            "EFAULT",
            INV,
            "an 8-byte buffer: copy_from_user of minsz (16) faults",
        ),
        case(
            n,
            inv(16, 16).u32(4, 2),
            "EINVAL",
            INVCHK,
            "version 2: `info->version != IOMMU_CACHE_INVALIDATE_INFO_VERSION_1`",
        ),
        case(n, inv(16, 16).u32(4, 0), "EINVAL", INVCHK, "version 0"),
        case(
            n,
            inv(16, 16).u8(9, 1),
            "EINVAL",
            INV,
            "PASID granularity in 16 bytes: argsz < offsetofend(granu.pasid_info) (32)",
        ),
        case(
            n,
            inv(32, 32).u8(9, 1).u32(16, 1),
            "0",
            INVCHK,
            "PASID granularity in 32 bytes, pasid_info.flags PASID",
        ),
        case(
            n,
            inv(32, 32).u8(9, 2),
            "EINVAL",
            INV,
            "ADDR granularity in 32 bytes: argsz < offsetofend(granu.addr_info) (56)",
        ),
        case(
            n,
            inv(56, 56).u8(9, 2),
            "0",
            INVCHK,
            "ADDR granularity in 56 bytes",
        ),
        case(
            n,
            inv(16, 16).u8(9, 7),
            "EINVAL",
            INVCHK,
            "granularity 7 >= IOMMU_INV_GRANU_NR",
        ),
        case(
            n,
            inv(16, 16).u8(8, 8),
            "EINVAL",
            INVCHK,
            "cache bit 3: `info->cache & ~mask` (IOMMU_CACHE_INV_TYPE_NR 3)",
        ),
        case(n, inv(16, 16).u8(12, 1), "EINVAL", INVCHK, "padding[2] = 1"),
        case(
            b,
            bind(72, 72),
            "0",
            VTD,
            "argsz 72 with format INTEL_VTD, version 1, hpasid 5",
        ),
        case(
            b,
            bind(52, 56),
            "EINVAL",
            BIND,
            "argsz 52 < minsz 56 (offsetof vendor)",
        ),
        case(
            b,
            bind(56, 56),
            "EINVAL",
            VTD,
            "argsz 56: `data->argsz < offsetofend(..., vendor.vtd)` (72)",
        ),
        case(
            b,
            bind(72, 72).u32(4, 0),
            "EINVAL",
            BINDCHK,
            "version 0: `data->version != IOMMU_GPASID_BIND_VERSION_1`",
        ),
        case(
            b,
            bind(72, 72).u64(16, 2),
            "EINVAL",
            BINDCHK,
            "flags bit 1: `data->flags & ~IOMMU_SVA_GPASID_VAL`",
        ),
        case(
            b,
            bind(72, 72).u8(55, 1),
            "EINVAL",
            BINDCHK,
            "padding[7] = 1",
        ),
        case(
            b,
            bind(72, 72).u32(8, 2),
            "EINVAL",
            BINDCHK,
            "format 2 >= IOMMU_PASID_FORMAT_LAST",
        ),
        case(
            b,
            bind(56, 56).cut(40),
            "EFAULT",
            BIND,
            "a 40-byte buffer: copy_from_user of minsz (56) faults",
        ),
    ]
}

#[test]
fn rust_and_c_give_the_kernels_answer() {
    check(&["linux/iommu_validate.h"], &all_cases(), rust);
}
