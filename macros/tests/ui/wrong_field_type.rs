use uapigen_macros::UapiLayout;

// `flags` is a `__u32` in the spec: a `u16` (two bytes short, so every later offset moves
// too) and a signed `i32` for `argsz` (the right size, the wrong type) are both refused.
#[derive(UapiLayout)]
#[uapi(spec = "spec/vfio.yaml", c_name = "vfio_iommu_type1_dma_map")]
#[repr(C)]
struct DmaMap {
    argsz: i32,
    flags: u16,
    vaddr: u64,
    iova: u64,
    size: u64,
}

fn main() {}
