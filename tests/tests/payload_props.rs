//! Property tests of the generated payload encoders and decoders: for every variant of every
//! tagged payload, encode then decode gives back the same header fields and payload; and
//! decoding arbitrary bytes never panics, for every decoder and validator.
//!
//! Random values are made valid the way the spec says (size fields set, known flags only,
//! reserved bytes zero, a known tag), using the spec's model, not the code under test.

use proptest::prelude::*;
use uapigen::ir::{Scalar, Ty};
use uapigen_runtime::ElemSlice;
use uapigen_runtime::FromBytes;
use uapigen_tests::model;

use linux_uapi::iommu::{
    CacheInvalidateInfo, CacheInvalidateInfoPayload, GpasidBindData, GpasidBindDataPayload,
};
use linux_uapi::iommufd::{HwptAlloc, HwptAllocPayload, HwptInvalidate, HwptInvalidatePayload};
use linux_uapi::vfio::{DeviceFeature, DeviceFeaturePayload, IrqSet, IrqSetPayload};
use linux_uapi::vfio_nesting::{IommuType1NestingOp, IommuType1NestingOpPayload};

fn put(b: &mut [u8], off: u64, size: u64, v: u64) {
    let bytes = v.to_ne_bytes();
    for i in 0..size as usize {
        let src = if cfg!(target_endian = "little") {
            i
        } else {
            8 - size as usize + i
        };
        if let Some(x) = b.get_mut(off as usize + i) {
            *x = bytes[src];
        }
    }
}

fn get(b: &[u8], off: u64, size: u64) -> u64 {
    let mut v = [0u8; 8];
    for i in 0..size as usize {
        let dst = if cfg!(target_endian = "little") {
            i
        } else {
            8 - size as usize + i
        };
        v[dst] = b.get(off as usize + i).copied().unwrap_or(0);
    }
    u64::from_ne_bytes(v)
}

/// Make `raw` a valid `struct name` of `spec` following the spec's rules, then read it.
fn valid<T: FromBytes>(spec: &str, name: &str, mut raw: Vec<u8>, pick: usize) -> T {
    raw.resize(core::mem::size_of::<T>(), 0);
    let m = model(spec);
    let host = m.host();
    let Some((id, t)) = m
        .module
        .named_types()
        .find(|(_, t)| t.c_name.as_deref() == Some(name))
    else {
        panic!("{spec}: no {name}");
    };
    let tl = &host.types[id];
    assert_eq!(
        tl.size as usize,
        raw.len(),
        "{name}: model and Rust agree on the size"
    );
    let int = |ty: &Ty| match ty {
        Ty::Scalar(Scalar::Int(t) | Scalar::Aligned(t)) => t.bytes(),
        _ => 4,
    };
    for (f, off) in t.fields.iter().zip(&tl.offsets) {
        if f.reserved && t.kind == uapigen::spec::Kind::Struct {
            let sz = uapigen::layout::type_size(host, &f.ty);
            raw[*off as usize..(*off + sz) as usize].fill(0);
        }
    }
    if let Some(e) = &t.extensible {
        put(&mut raw, 0, 4, tl.size);
        if let Some((fi, mask)) = e.flags {
            let (o, s) = (tl.offsets[fi], int(&t.fields[fi].ty));
            let v = get(&raw, o, s) & mask as u64;
            put(&mut raw, o, s, v);
        }
    }
    if let Some(p) = &t.payload {
        let (o, s) = (tl.offsets[p.tag_field], int(&t.fields[p.tag_field].ty));
        let v = &p.variants[pick % p.variants.len()];
        let mask = p.tag_mask.map_or(u64::MAX, |m| m as u64);
        let old = get(&raw, o, s);
        put(&mut raw, o, s, (old & !mask) | v.tag as u64);
    }
    match T::read_from_bytes(&raw) {
        Some(v) => v,
        None => panic!("{name}: not readable"),
    }
}

fn bytes(n: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), n)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn irq_set_round_trips(raw in bytes(20), kind in 0usize..3, action in 0u32..3, bools in prop::collection::vec(any::<u8>(), 0..8), fds in prop::collection::vec(any::<i32>(), 0..8)) {
        let mut h: IrqSet = valid("vfio", "vfio_irq_set", raw, 0);
        // vfio_set_irqs_validate_and_prepare and vfio_pci_set_irqs_ioctl: exactly one
        // ACTION bit (MASK 1 << 3, UNMASK 1 << 4, TRIGGER 1 << 5), and start + count below
        // U32_MAX.
        h.flags = (h.flags & !0x38) | (0x8 << action);
        h.start &= 0x7fff_ffff;
        h.count &= 0x7fff_ffff;
        let p = match kind {
            0 => IrqSetPayload::None,
            1 => IrqSetPayload::Bool(ElemSlice::new(&bools)),
            _ => IrqSetPayload::Eventfd(ElemSlice::new(&fds)),
        };
        let buf = p.encode::<64>(&h).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (h2, p2) = IrqSetPayload::decode(buf.as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(p2, p);
        prop_assert_eq!((h2.index, h2.start), (h.index, h.start));
        prop_assert_eq!(h2.argsz as usize, buf.len());
        // A payload without data keeps the header's count (DATA_NONE: how many
        // sub-indices the action applies to); data sets it to its element count.
        let want = if p == IrqSetPayload::None { h.count as usize } else { p.count() };
        prop_assert_eq!(h2.count as usize, want);
        prop_assert_eq!(h2.flags & !IrqSet::TAG_MASK, h.flags & !IrqSet::TAG_MASK);
    }

    #[test]
    fn device_feature_round_trips(raw in bytes(8), pick in 0usize..9, op in 0usize..5, data in bytes(64)) {
        let mut h: DeviceFeature = valid("vfio", "vfio_device_feature", raw, 0);
        // The operations each feature's handler passes to vfio_check_feature (GET 1 << 16,
        // SET 1 << 17, PROBE 1 << 18): token SET; migration GET; device state GET and SET;
        // the low-power ones SET; logging start and stop SET, report GET. GET and SET
        // together only with PROBE.
        const GET: u32 = 1 << 16;
        const SET: u32 = 1 << 17;
        const PROBE: u32 = 1 << 18;
        let ops: &[u32] = match pick {
            1 | 8 => &[GET, GET | PROBE],
            2 => &[GET, SET, GET | PROBE, SET | PROBE, GET | SET | PROBE],
            _ => &[SET, SET | PROBE],
        };
        h.flags = (h.flags & !(GET | SET | PROBE)) | ops[op % ops.len()];
        let p = match pick {
            0 => DeviceFeaturePayload::PciVfToken(valid_array(&data)),
            1 => DeviceFeaturePayload::Migration(valid("vfio", "vfio_device_feature_migration", data.clone(), 0)),
            2 => DeviceFeaturePayload::MigDeviceState(valid("vfio", "vfio_device_feature_mig_state", data.clone(), 0)),
            3 => DeviceFeaturePayload::LowPowerEntry,
            4 => DeviceFeaturePayload::LowPowerEntryWithWakeup(valid("vfio", "vfio_device_low_power_entry_with_wakeup", data.clone(), 0)),
            5 => DeviceFeaturePayload::LowPowerExit,
            6 => DeviceFeaturePayload::DmaLoggingStart(valid("vfio", "vfio_device_feature_dma_logging_control", data.clone(), 0)),
            7 => DeviceFeaturePayload::DmaLoggingStop,
            _ => DeviceFeaturePayload::DmaLoggingReport(valid("vfio", "vfio_device_feature_dma_logging_report", data.clone(), 0)),
        };
        let buf = p.encode(&h);
        let (h2, p2) = DeviceFeaturePayload::decode(buf.as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(p2, p);
        prop_assert_eq!(h2.flags & 0x7_0000, h.flags & 0x7_0000, "GET/SET/PROBE bits kept");
        prop_assert_eq!(h2.flags & 0xffff, p.tag());
    }

    #[test]
    fn nesting_op_round_trips(raw in bytes(12), pick in 0usize..3, data in bytes(72), inner in 0usize..4) {
        let h: IommuType1NestingOp = valid("vfio_nesting", "vfio_iommu_type1_nesting_op", raw, 0);
        let bind = || -> GpasidBindData {
            let mut b: GpasidBindData = valid("iommu", "iommu_gpasid_bind_data", data[..core::mem::size_of::<GpasidBindData>()].to_vec(), inner);
            b.version = 1; // IOMMU_GPASID_BIND_VERSION_1, the one iommu_check_bind_data takes
            b
        };
        let p = match pick {
            0 => IommuType1NestingOpPayload::BindPgtbl(bind()),
            1 => IommuType1NestingOpPayload::UnbindPgtbl(bind()),
            _ => {
                let mut c: CacheInvalidateInfo = valid("iommu", "iommu_cache_invalidate_info", data[..core::mem::size_of::<CacheInvalidateInfo>()].to_vec(), inner);
                c.version = 1; // IOMMU_CACHE_INVALIDATE_INFO_VERSION_1 (iommu_check_cache_invl_data)
                IommuType1NestingOpPayload::CacheInvld(c)
            }
        };
        let buf = p.encode(&h);
        let (h2, p2) = IommuType1NestingOpPayload::decode(buf.as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(p2, p);
        prop_assert_eq!(h2.op, p.tag());
        prop_assert_eq!(h2.argsz as usize, buf.len());
    }

    #[test]
    fn iommu_union_payloads_round_trip(raw in bytes(72), pick in 0usize..3) {
        let mut h: CacheInvalidateInfo = valid("iommu", "iommu_cache_invalidate_info", raw[..56].to_vec(), pick);
        h.version = 1; // IOMMU_CACHE_INVALIDATE_INFO_VERSION_1 (iommu_check_cache_invl_data)
        let (_, p) = CacheInvalidateInfoPayload::decode(h.as_bytes_for_test()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let buf = p.encode(&h);
        let (h2, p2) = CacheInvalidateInfoPayload::decode(buf.as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(p2, p);
        prop_assert_eq!((h2.version, h2.cache), (h.version, h.cache));
        let mut g: GpasidBindData = valid("iommu", "iommu_gpasid_bind_data", raw, 0);
        g.version = 1; // IOMMU_GPASID_BIND_VERSION_1 (iommu_check_bind_data)
        let (_, gp) = GpasidBindDataPayload::decode(uapigen_runtime::AsBytes::as_bytes(&g)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (g2, gp2) = GpasidBindDataPayload::decode(gp.encode(&g).as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(gp2, gp);
        prop_assert_eq!(g2, g);
    }

    #[test]
    fn iommufd_pointer_payloads_round_trip(raw in bytes(48), pick in 0usize..4, data in bytes(64), n in 0usize..4) {
        let mut h: HwptAlloc = valid("iommufd", "iommu_hwpt_alloc", raw.clone(), 0);
        let p = match pick {
            0 => HwptAllocPayload::None,
            1 => HwptAllocPayload::VtdS1(valid("iommufd", "iommu_hwpt_vtd_s1", data.clone(), 0)),
            2 => HwptAllocPayload::ArmSmmuv3(valid("iommufd", "iommu_hwpt_arm_smmuv3", data.clone(), 0)),
            _ => HwptAllocPayload::AmdGuest(valid("iommufd", "iommu_hwpt_amd_guest", data.clone(), 0)),
        };
        p.fill(&mut h, 0x7000).unwrap();
        let bytes_out = p.encode_data();
        prop_assert_eq!(HwptAllocPayload::decode(&h, bytes_out.as_bytes()), Ok(p));

        let mut hi: HwptInvalidate = valid("iommufd", "iommu_hwpt_invalidate", raw[..32].to_vec(), 0);
        let entries: Vec<linux_uapi::iommufd::HwptVtdS1Invalidate> = (0..n).map(|i| valid("iommufd", "iommu_hwpt_vtd_s1_invalidate", data[i..].to_vec(), 0)).collect();
        let pi = HwptInvalidatePayload::HwptInvalidateDataVtdS1(ElemSlice::new(&entries));
        pi.fill(&mut hi, 0x8000).unwrap();
        prop_assert_eq!(HwptInvalidatePayload::decode(&hi, ElemSlice::new(&entries).as_bytes()), Ok(pi));
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(b in prop::collection::vec(any::<u8>(), 0..300)) {
        for table in [
            linux_uapi::layout_probe::vfio::VALIDATORS,
            linux_uapi::layout_probe::iommu::VALIDATORS,
            linux_uapi::layout_probe::iommufd::VALIDATORS,
            linux_uapi::layout_probe::vfio_nesting::VALIDATORS,
        ] {
            for (_, f) in table {
                let _ = f(&b);
            }
        }
        let _ = IrqSetPayload::decode(&b);
        let _ = DeviceFeaturePayload::decode(&b);
        let _ = IommuType1NestingOpPayload::decode(&b);
        let _ = CacheInvalidateInfoPayload::decode(&b);
        let _ = GpasidBindDataPayload::decode(&b);
        let h = HwptAlloc::read_from_prefix(&b).map(|(h, _)| h).unwrap_or_default();
        let _ = HwptAllocPayload::decode(&h, &b);
        let hi = HwptInvalidate::read_from_prefix(&b).map(|(h, _)| h).unwrap_or_default();
        let _ = HwptInvalidatePayload::decode(&hi, &b);
        if let Ok(info) = linux_uapi::vfio::RegionInfo::check(&b) {
            for _ in info.caps(&b).take(64) {}
        }
        if let Ok(info) = linux_uapi::vfio::IommuType1Info::check(&b) {
            for _ in info.caps(&b).take(64) {}
        }
    }
}

fn valid_array(data: &[u8]) -> [u8; 16] {
    let mut a = [0u8; 16];
    a.copy_from_slice(&data[..16]);
    a
}

trait AsBytesForTest {
    fn as_bytes_for_test(&self) -> &[u8];
}

impl AsBytesForTest for CacheInvalidateInfo {
    fn as_bytes_for_test(&self) -> &[u8] {
        uapigen_runtime::AsBytes::as_bytes(self)
    }
}
