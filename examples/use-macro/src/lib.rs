//! Bindings expanded at compile time by `include_spec!`, and a hand-written struct checked
//! against the spec by `#[derive(UapiLayout)]`.

#[allow(clippy::all)]
pub mod nsfs {
    uapigen_runtime::include_spec!("spec/nsfs.yaml");
}

/// A hand-written VFIO struct, checked against the spec at compile time.
#[derive(uapigen_runtime::UapiLayout, Clone, Copy, Debug, Default)]
#[uapi(spec = "spec/vfio.yaml", c_name = "vfio_iommu_type1_dma_map")]
#[repr(C)]
pub struct DmaMap {
    pub argsz: u32,
    pub flags: u32,
    pub vaddr: u64,
    pub iova: u64,
    pub size: u64,
}

#[cfg(test)]
mod tests {
    #[test]
    fn include_spec_asks_the_kernel() {
        let f = std::fs::File::open("/proc/self/ns/ipc")
            .unwrap_or_else(|e| panic!("/proc/self/ns/ipc: {e}"));
        // CLONE_NEWIPC from <linux/sched.h>.
        assert_eq!(super::nsfs::get_nstype(&f), Ok(0x0800_0000));
    }

    #[test]
    fn derived_struct_is_the_spec_size() {
        assert_eq!(core::mem::size_of::<super::DmaMap>(), 32);
    }
}
