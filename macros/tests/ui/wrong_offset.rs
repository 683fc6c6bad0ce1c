use uapigen_macros::UapiLayout;

// `vaddr` and `iova` are swapped: both are at the wrong offset.
#[derive(UapiLayout)]
#[uapi(spec = "spec/vfio.yaml", c_name = "vfio_iommu_type1_dma_map")]
#[repr(C)]
struct DmaMap {
    argsz: u32,
    flags: u32,
    iova: u64,
    vaddr: u64,
    size: u64,
}

fn main() {}
