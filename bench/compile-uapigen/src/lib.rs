//! generated/src/vfio.rs, as it is in the linux-uapi crate.
#![no_std]

#[rustfmt::skip]
#[path = "../../../generated/src/vfio.rs"]
pub mod vfio;
