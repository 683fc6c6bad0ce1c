//! Untrusted bytes into every generated decoder and validator: the code that reads what
//! user space or a guest hands the kernel (or a VMM). Rejections are fine; panics are not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use linux_uapi::{iommu, iommufd, kvm, vfio, vfio_nesting};
use uapigen_runtime::FromBytes;

fuzz_target!(|data: &[u8]| {
    for table in [
        linux_uapi::layout_probe::vfio::VALIDATORS,
        linux_uapi::layout_probe::iommu::VALIDATORS,
        linux_uapi::layout_probe::iommufd::VALIDATORS,
        linux_uapi::layout_probe::vfio_nesting::VALIDATORS,
        linux_uapi::layout_probe::kvm::VALIDATORS,
    ] {
        for (_, f) in table {
            let _ = f(data);
        }
    }
    let _ = vfio::IrqSetPayload::decode(data);
    let _ = vfio::DeviceFeaturePayload::decode(data);
    let _ = vfio_nesting::IommuType1NestingOpPayload::decode(data);
    let _ = iommu::CacheInvalidateInfoPayload::decode(data);
    let _ = iommu::GpasidBindDataPayload::decode(data);
    let _ = kvm::RunPayload::decode(data);
    let h = iommufd::HwptAlloc::read_from_prefix(data).map(|(h, _)| h).unwrap_or_default();
    let _ = iommufd::HwptAllocPayload::decode(&h, data.get(48..).unwrap_or(&[]));
    let hi = iommufd::HwptInvalidate::read_from_prefix(data).map(|(h, _)| h).unwrap_or_default();
    let _ = iommufd::HwptInvalidatePayload::decode(&hi, data.get(32..).unwrap_or(&[]));
    if let Ok(info) = vfio::RegionInfo::check(data) {
        for _ in info.caps(data).take(64) {}
    }
    if let Ok(info) = vfio::IommuType1Info::check(data) {
        for _ in info.caps(data).take(64) {}
    }
});
