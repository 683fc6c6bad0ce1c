//! A downstream crate's own uapi extension, generated in its build script from a spec that
//! `uses` linux-uapi's VFIO spec: `vfio_batch::DmaBatch::maps` holds
//! `linux_uapi::vfio::IommuType1DmaMap` values, the very type linux-uapi's wrappers take.

pub mod vfio_batch {
    include!(concat!(env!("OUT_DIR"), "/vfio_batch.rs"));
}

/// Where the build script wrote the C header and the layout assertions (for the tests).
#[doc(hidden)]
pub const GENERATED_DIR: &str = env!("OUT_DIR");
