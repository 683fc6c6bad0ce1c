//! The macros on real specs: a correct hand-written struct passes, `include_spec!` gives the
//! same bindings as the checked-in crate, and every error a macro can report is a
//! compile-fail test with its message (tests/ui/*.stderr).

use uapigen_macros::UapiLayout;

/// A hand-written struct, as a bindgen user would have it, checked against the spec.
#[derive(UapiLayout)]
#[uapi(spec = "spec/vfio.yaml", c_name = "vfio_iommu_type1_dma_map")]
#[repr(C)]
#[allow(dead_code)]
struct DmaMap {
    argsz: u32,
    flags: u32,
    vaddr: u64,
    iova: u64,
    size: u64,
}

// Field types are checked too: C's names for the kernel's types (as bindgen writes them)
// are the same types, a pointer may have any pointee, an array needs the spec's element
// type, and a struct-typed field is checked by its size (tests/ui/wrong_field_type.rs has
// the refusals).
#[allow(non_camel_case_types)]
type __u64 = u64;

#[derive(UapiLayout)]
#[uapi(spec = "spec/vfio.yaml", c_name = "vfio_bitmap")]
#[repr(C)]
#[allow(dead_code)]
struct Bitmap {
    pgsize: __u64,
    size: u64,
    data: *mut core::ffi::c_void,
}

#[derive(UapiLayout)]
#[uapi(spec = "spec/vfio.yaml", c_name = "vfio_region_info_cap_type")]
#[repr(C)]
#[allow(dead_code)]
struct CapType {
    header: [u32; 2],
    r#type: u32,
    subtype: u32,
}

mod nsless {
    // A whole spec at compile time.
    uapigen_macros::include_spec!("spec/vfio.yaml");
}

#[test]
fn include_spec_matches_the_checked_in_crate() {
    assert_eq!(nsless::IOMMU_MAP_DMA, linux_uapi::vfio::IOMMU_MAP_DMA);
    assert_eq!(
        core::mem::size_of::<nsless::IrqSet>(),
        core::mem::size_of::<linux_uapi::vfio::IrqSet>()
    );
    assert_eq!(nsless::IrqSet::MIN_SIZE, 20);
    assert_eq!(core::mem::size_of::<DmaMap>(), 32);
}

/// The specs the compile-fail tests name, by their path in this workspace.
const UI_SPECS: &[&str] = &[
    "spec/vfio.yaml",
    "codegen/tests/errors/E0202-unknown-name.yaml",
];

#[test]
fn compile_errors() {
    // trybuild builds the tests as a crate of their own, the root of its own workspace
    // (`target/tests/trybuild/uapigen-macros`), and the macros search no higher than a
    // workspace root: the specs the tests name are put there first.
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let target = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap();
    let project = target.join("tests/trybuild/uapigen-macros");
    for spec in UI_SPECS {
        let to = project.join(spec);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(workspace.join(spec), &to)
            .unwrap_or_else(|e| panic!("copy {spec} to {}: {e}", to.display()));
    }
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
