//! Every documented rejection of the generated decoders, each on bytes built by hand, with
//! the errno the kernel gives (values derived from the C layout by hand, not from the
//! generator): size field too small (EINVAL) or beyond the buffer (EFAULT), unknown flags
//! (EINVAL / EOPNOTSUPP), non-zero reserved fields, unknown tags, payloads shorter than
//! their type or count, non-zero bytes past what the revision knows (E2BIG), and the
//! capability-chain walker.

use linux_uapi::iommu::{CacheInvalidateInfo, CacheInvalidateInfoPayload, InvPasidInfo};
use linux_uapi::iommufd::{
    HwptAlloc, HwptAllocPayload, HwptInvalidate, HwptInvalidatePayload, HwptVtdS1,
    HwptVtdS1Invalidate,
};
use linux_uapi::vfio::{
    DeviceFeature, DeviceFeaturePayload, IrqSet, IrqSetPayload, RegionInfo, RegionInfoCap,
};
use linux_uapi::vfio_nesting::{IommuType1NestingOp, IommuType1NestingOpPayload};
use uapigen_runtime::{ElemSlice, Errno};

fn u32s(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_ne_bytes()).collect()
}

fn errno<T>(r: Result<T, uapigen_runtime::Reject>) -> Option<Errno> {
    r.err().map(|e| e.errno)
}

// struct vfio_irq_set: argsz, flags, index, start, count (5 x u32 = 20 bytes), data[].
const DATA_NONE: u32 = 1 << 0;
const DATA_BOOL: u32 = 1 << 1;
const DATA_EVENTFD: u32 = 1 << 2;
const ACTION_TRIGGER: u32 = 1 << 5;

#[test]
fn irq_set_valid_eventfds_decode() {
    let mut b = u32s(&[28, DATA_EVENTFD | ACTION_TRIGGER, 1, 0, 2]);
    b.extend(u32s(&[7, 9]));
    let (h, p) = IrqSetPayload::decode(&b).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((h.argsz, h.count), (28, 2));
    match p {
        IrqSetPayload::Eventfd(fds) => assert_eq!(fds.iter().collect::<Vec<i32>>(), [7, 9]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn irq_set_rejections() {
    // argsz below the 20-byte minimum.
    assert_eq!(
        errno(IrqSetPayload::decode(&u32s(&[16, DATA_NONE, 0, 0, 0, 0]))),
        Some(Errno::Inval)
    );
    // argsz claims more than the buffer holds: with DATA_NONE the kernel reads only the
    // 20-byte header (vfio_pci_ioctl_set_irqs copies minsz, data_size is 0), so that is
    // no fault; an ACTION bit makes it a valid argument.
    assert_eq!(
        errno(IrqSetPayload::decode(&u32s(&[
            24,
            DATA_NONE | ACTION_TRIGGER,
            0,
            0,
            0
        ]))),
        None
    );
    // Not even the size field.
    assert_eq!(errno(IrqSetPayload::decode(&[20, 0])), Some(Errno::Fault));
    // Unknown flag bit 6 (the known ones are bits 0..=5).
    assert_eq!(
        errno(IrqSetPayload::decode(&u32s(&[
            20,
            DATA_NONE | (1 << 6),
            0,
            0,
            0
        ]))),
        Some(Errno::Inval)
    );
    // No DATA bit: an unknown tag.
    assert_eq!(
        errno(IrqSetPayload::decode(&u32s(&[20, ACTION_TRIGGER, 0, 0, 0]))),
        Some(Errno::Inval)
    );
    // Two DATA bits: also not a known tag.
    assert_eq!(
        errno(IrqSetPayload::decode(&u32s(&[
            21,
            DATA_BOOL | DATA_EVENTFD,
            0,
            0,
            0,
            0
        ]))),
        Some(Errno::Inval)
    );
    // count 2 eventfds (8 bytes) but only 4 bytes of data.
    assert_eq!(
        errno(IrqSetPayload::decode(&u32s(&[
            24,
            DATA_EVENTFD | ACTION_TRIGGER,
            0,
            0,
            2,
            5
        ]))),
        Some(Errno::Inval)
    );
    // The C-side limits agree: MIN_SIZE is the end of `count`.
    assert_eq!(IrqSet::MIN_SIZE, 20);
    assert_eq!(IrqSet::KNOWN_FLAGS, 0x3f);
}

#[test]
fn irq_set_encoding_fills_argsz_flags_and_count() {
    let fds = [3i32, 4, 5];
    let header = IrqSet {
        flags: ACTION_TRIGGER,
        index: 2,
        ..Default::default()
    };
    let buf = IrqSetPayload::Eventfd(ElemSlice::new(&fds))
        .encode::<64>(&header)
        .unwrap_or_else(|e| panic!("{e}"));
    let b = buf.as_bytes();
    assert_eq!(b.len(), 32);
    assert_eq!(
        &b[..20],
        &u32s(&[32, ACTION_TRIGGER | DATA_EVENTFD, 2, 0, 3])[..]
    );
    assert_eq!(&b[20..], &u32s(&[3, 4, 5])[..]);
    // A buffer too small for the payload is refused, not overrun.
    assert_eq!(
        errno(IrqSetPayload::Eventfd(ElemSlice::new(&fds)).encode::<16>(&header)),
        Some(Errno::Inval)
    );
    assert_eq!(buf.as_bytes().as_ptr() as usize % 8, 0);
}

// struct vfio_device_feature: argsz, flags (index in bits 0..16, GET 16, SET 17, PROBE 18).
#[test]
fn device_feature_rejections() {
    const SET: u32 = 1 << 17;
    // MIG_DEVICE_STATE (index 2) carries 8 bytes; argsz 8 + 8.
    let mut b = u32s(&[16, SET | 2]);
    b.extend(u32s(&[2, 0xffff_ffff]));
    let (_, p) = DeviceFeaturePayload::decode(&b).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(p, DeviceFeaturePayload::MigDeviceState(s) if s.device_state == 2 && s.data_fd == -1)
    );
    // Payload shorter than the 8-byte state struct.
    assert_eq!(
        errno(DeviceFeaturePayload::decode(&u32s(&[12, SET | 2, 2]))),
        Some(Errno::Inval)
    );
    // Feature index 99 is unknown: vfio-pci's vfio_pci_core_ioctl_feature answers ENOTTY.
    assert_eq!(
        errno(DeviceFeaturePayload::decode(&u32s(&[8, SET | 99]))),
        Some(Errno::NotTty)
    );
    // Bit 19 is no known flag.
    assert_eq!(
        errno(DeviceFeaturePayload::decode(&u32s(&[8, (1 << 19) | 3]))),
        Some(Errno::Inval)
    );
    // LOW_POWER_WITH_WAKEUP's reserved field is not read by the kernel
    // (vfio_pci_core_pm_entry_with_wakeup copies the struct and reads wakeup_eventfd only).
    let mut b = u32s(&[16, SET | 4]);
    b.extend(u32s(&[5, 1]));
    assert_eq!(errno(DeviceFeaturePayload::decode(&b)), None);
    assert_eq!(DeviceFeature::MIN_SIZE, 8);
}

// struct iommu_cache_invalidate_info (5.10): argsz, version (u32), cache, granularity (u8),
// padding[6], then the 8-aligned union granu at 16 (pasid_info 16 bytes, addr_info 40).
fn cache_info(argsz: u32, granu: u8, padding0: u8) -> Vec<u8> {
    let mut b = u32s(&[argsz, 1]);
    b.extend([0x3, granu, padding0, 0, 0, 0, 0, 0]);
    b.extend([0u8; 40]);
    b.truncate(argsz.max(16) as usize);
    b
}

#[test]
fn cache_invalidate_info_rejections() {
    assert_eq!(core::mem::size_of::<CacheInvalidateInfo>(), 56);
    let (h, p) =
        CacheInvalidateInfoPayload::decode(&cache_info(56, 1, 0)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(h.granularity, 1);
    assert_eq!(
        p,
        CacheInvalidateInfoPayload::Pasid(InvPasidInfo::default())
    );
    // padding must be zero.
    assert_eq!(
        errno(CacheInvalidateInfoPayload::decode(&cache_info(56, 1, 7))),
        Some(Errno::Inval)
    );
    // granularity 3 (IOMMU_INV_GRANU_NR) selects nothing.
    assert_eq!(
        errno(CacheInvalidateInfoPayload::decode(&cache_info(56, 3, 0))),
        Some(Errno::Inval)
    );
    // 5.10's iommu_uapi_cache_invalidate: argsz from 16 (offsetof granu) up; ADDR wants
    // argsz up to the end of granu.addr_info (56), DOMAIN nothing past 16. Buffers that
    // hold the whole struct.
    let with_argsz = |argsz: u32, granu: u8| {
        let mut b = cache_info(56, granu, 0);
        b[..4].copy_from_slice(&argsz.to_ne_bytes());
        b
    };
    assert_eq!(
        errno(CacheInvalidateInfoPayload::decode(&with_argsz(40, 2))),
        Some(Errno::Inval)
    );
    assert_eq!(
        errno(CacheInvalidateInfoPayload::decode(&with_argsz(12, 0))),
        Some(Errno::Inval)
    );
    assert_eq!(
        errno(CacheInvalidateInfoPayload::decode(&with_argsz(40, 0))),
        None
    );
}

#[test]
fn nesting_op_checks_the_nested_iommu_struct() {
    // struct vfio_iommu_type1_nesting_op: argsz, flags, op (12 bytes), data[].
    let good = {
        let mut b = u32s(&[12 + 56, 0, 2]);
        b.extend(cache_info(56, 0, 0));
        b
    };
    let (_, p) = IommuType1NestingOpPayload::decode(&good).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(p, IommuType1NestingOpPayload::CacheInvld(c) if c.argsz == 56));
    // The nested argsz is checked too (12 is below its minimum, 16).
    let mut bad = good.clone();
    bad[12..16].copy_from_slice(&12u32.to_ne_bytes());
    assert_eq!(
        errno(IommuType1NestingOpPayload::decode(&bad)),
        Some(Errno::Inval)
    );
    // data[] shorter than the IOMMU struct.
    let mut short = good[..40].to_vec();
    short[..4].copy_from_slice(&40u32.to_ne_bytes());
    assert_eq!(
        errno(IommuType1NestingOpPayload::decode(&short)),
        Some(Errno::Inval)
    );
    // op 3 is no operation; no flag is defined.
    assert_eq!(
        errno(IommuType1NestingOpPayload::decode(&u32s(&[12, 0, 3]))),
        Some(Errno::Inval)
    );
    assert_eq!(
        errno(IommuType1NestingOpPayload::decode(&u32s(&[12, 1, 1]))),
        Some(Errno::Inval)
    );
    assert_eq!(IommuType1NestingOp::MIN_SIZE, 12);
}

// struct iommu_hwpt_alloc (7.1): size, flags, dev_id, pt_id, out_hwpt_id, __reserved,
// data_type, data_len (8 x u32), data_uptr (u64 at 32), fault_id, __reserved2: 48 bytes.
fn hwpt_alloc(size: u32) -> Vec<u8> {
    // data_type 1 (VTD_S1), data_len 24: struct iommu_hwpt_vtd_s1 is two u64 and two u32.
    let mut b = u32s(&[size, 0, 1, 2, 0, 0, 1, 24]);
    b.extend(0x1000u64.to_ne_bytes());
    b.extend(u32s(&[0, 0]));
    b
}

#[test]
fn hwpt_alloc_copy_struct_rules() {
    assert_eq!(core::mem::size_of::<HwptAlloc>(), 48);
    let h = HwptAlloc::check(&hwpt_alloc(48)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((h.dev_id, h.data_type, h.data_len), (1, 1, 24));
    // A shorter (older) struct is zero-extended: 40 bytes end before fault_id.
    let mut short = hwpt_alloc(40);
    short.truncate(40);
    assert_eq!(HwptAlloc::check(&short).map(|h| h.fault_id), Ok(0));
    // A longer struct whose extra bytes are zero is fine; non-zero extra bytes: E2BIG.
    let mut long = hwpt_alloc(56);
    long.extend([0u8; 8]);
    assert!(HwptAlloc::check(&long).is_ok());
    long[50] = 1;
    assert_eq!(errno(HwptAlloc::check(&long)), Some(Errno::TooBig));
    // __reserved (at 20) non-zero, or an unknown flag: EOPNOTSUPP, the IOMMUFD convention.
    let mut r = hwpt_alloc(48);
    r[20] = 1;
    assert_eq!(errno(HwptAlloc::check(&r)), Some(Errno::OpNotSupp));
    let mut f = hwpt_alloc(48);
    f[4..8].copy_from_slice(&(1u32 << 9).to_ne_bytes());
    assert_eq!(errno(HwptAlloc::check(&f)), Some(Errno::OpNotSupp));
    // Unknown data_type.
    let mut t = hwpt_alloc(48);
    t[24..28].copy_from_slice(&77u32.to_ne_bytes());
    assert_eq!(errno(HwptAlloc::validate(&t)), Some(Errno::OpNotSupp));
    // The data behind the pointer must be as long as data_len says.
    let mut data = [0u8; 24];
    assert!(matches!(
        HwptAllocPayload::decode(&h, &data),
        Ok(HwptAllocPayload::VtdS1(_))
    ));
    assert_eq!(
        errno(HwptAllocPayload::decode(&h, &data[..8])),
        Some(Errno::Inval)
    );
    // The VT-d data's own reserved field (at 20) must be zero.
    data[20] = 1;
    assert_eq!(
        errno(HwptAllocPayload::decode(&h, &data)),
        Some(Errno::Inval)
    );
}

#[test]
fn hwpt_alloc_fill_sets_type_length_and_pointer() {
    let p = HwptAllocPayload::VtdS1(HwptVtdS1 {
        addr_width: 48,
        ..Default::default()
    });
    let mut h = HwptAlloc {
        size: 48,
        ..Default::default()
    };
    p.fill(&mut h, 0xdead_0000).unwrap();
    assert_eq!(
        (h.data_type, h.data_len, h.data_uptr.get()),
        (1, core::mem::size_of::<HwptVtdS1>() as u32, 0xdead_0000)
    );
    let data = p.encode_data();
    assert_eq!(HwptAllocPayload::decode(&h, data.as_bytes()), Ok(p));
}

#[test]
fn hwpt_invalidate_entries() {
    let entries = [HwptVtdS1Invalidate {
        addr: 0x1000.into(),
        npages: 1.into(),
        ..Default::default()
    }; 2];
    let p = HwptInvalidatePayload::HwptInvalidateDataVtdS1(ElemSlice::new(&entries));
    let mut h = HwptInvalidate {
        size: core::mem::size_of::<HwptInvalidate>() as u32,
        ..Default::default()
    };
    p.fill(&mut h, 0x2000).unwrap();
    assert_eq!(
        (h.entry_num, h.entry_len as usize),
        (2, core::mem::size_of::<HwptVtdS1Invalidate>())
    );
    let bytes = ElemSlice::new(&entries).as_bytes();
    assert_eq!(HwptInvalidatePayload::decode(&h, bytes), Ok(p));
    // entry_len not the size of the entry type.
    let mut wrong = h;
    wrong.entry_len += 8;
    wrong.entry_num = 1;
    let long = [bytes, &[0u8; 8][..]].concat();
    assert_eq!(
        errno(HwptInvalidatePayload::decode(
            &wrong,
            &long[..wrong.entry_len as usize]
        )),
        Some(Errno::Inval)
    );
    // entry_len x entry_num must match the data.
    assert_eq!(
        errno(HwptInvalidatePayload::decode(&h, &bytes[..8])),
        Some(Errno::Inval)
    );
}

#[test]
fn region_info_capability_chain() {
    // struct vfio_region_info is 32 bytes; caps follow: SPARSE_MMAP (id 1) at 32 with one
    // area (header 8 + nr_areas 4 + reserved 4 + area 16 = 32 bytes), TYPE (id 2) at 64.
    const FLAG_CAPS: u32 = 1 << 3;
    let mut b = u32s(&[96, FLAG_CAPS, 0, 32]);
    b.extend([0u8; 16]); // size, offset
    b.extend([1u8, 0, 1, 0]); // id 1, version 1
    b.extend(64u32.to_ne_bytes()); // next
    b.extend(u32s(&[1, 0]));
    b.extend(0x1000u64.to_ne_bytes());
    b.extend(0x2000u64.to_ne_bytes());
    b.extend([2u8, 0, 1, 0]);
    b.extend(0u32.to_ne_bytes());
    b.extend(u32s(&[3, 1]));
    b.extend([0u8; 16]);
    let info = RegionInfo::check(&b).unwrap_or_else(|e| panic!("{e}"));
    let caps: Vec<_> = info.caps(&b).collect();
    assert_eq!(caps.len(), 2);
    match caps[0] {
        Ok(RegionInfoCap::SparseMmap { cap, bytes }) => {
            assert_eq!(cap.nr_areas, 1);
            assert_eq!(bytes.len(), 32);
        }
        ref other => panic!("{other:?}"),
    }
    assert!(
        matches!(caps[1], Ok(RegionInfoCap::Type { cap, .. }) if cap.r#type == 3 && cap.subtype == 1)
    );
    // Without the CAPS flag there is no chain.
    let mut no = b.clone();
    no[4..8].copy_from_slice(&0u32.to_ne_bytes());
    assert_eq!(RegionInfo::check(&no).map(|i| i.caps(&no).count()), Ok(0));
    // A next offset that points backwards is an error, not a loop.
    let mut cyc = b.clone();
    cyc[36..40].copy_from_slice(&16u32.to_ne_bytes());
    let walked: Vec<_> = info.caps(&cyc).collect();
    assert_eq!(walked.len(), 1);
    assert!(walked[0].is_err());
}

/// [harden] 9: 2^30 eventfds make an argument of 20 + 2^32 bytes, which `argsz` (a `__u32`)
/// cannot hold: `encode_into` fails with EINVAL (what the kernel gives for an argsz that does
/// not cover the data) and writes nothing, where it returned Ok(4294967316) and wrote
/// `argsz = 20` (the low bits); the wrapper fails the same way before allocating or calling.
/// The vectors are zeroed allocations that nothing touches (the kernel maps their pages
/// only when written), so the test needs address space, not 8 GiB of memory.
#[cfg(target_pointer_width = "64")]
#[test]
fn irq_set_larger_than_argsz_holds_is_einval() {
    let n = 1usize << 30;
    let fds = vec![0i32; n];
    let p = IrqSetPayload::Eventfd(ElemSlice::new(&fds));
    assert_eq!(p.encoded_len(), 20 + 4 * n);
    let mut out = vec![0u8; p.encoded_len()];
    let header = IrqSet {
        index: 1,
        ..Default::default()
    };
    let r = p.encode_into(&header, &mut out);
    assert_eq!(
        r.map_err(|e| (e.errno, e.what)),
        Err((Errno::Inval, "vfio_irq_set.argsz"))
    );
    assert!(
        out[..4096].iter().all(|&b| b == 0),
        "wrote into the buffer before failing"
    );
    let null = std::fs::File::open("/dev/null").unwrap_or_else(|e| panic!("/dev/null: {e}"));
    let r = linux_uapi::vfio::device_set_irqs(&null, &header, &p);
    assert_eq!(r, Err(uapigen_runtime::ioctl::IoErrno::INVAL));
}

/// The runtime's check of a length against its field, on both sides of each limit.
#[test]
fn fit_checks_the_field_type() {
    let f = uapigen_runtime::fit::<u32>;
    assert_eq!(f(u32::MAX as usize, "s.argsz"), Ok(u32::MAX));
    let e = f(u32::MAX as usize + 1, "s.argsz").unwrap_err();
    assert_eq!((e.errno, e.what), (Errno::Inval, "s.argsz"));
    assert_eq!(uapigen_runtime::fit::<u16>(65_535, "s.len"), Ok(65_535));
    assert!(uapigen_runtime::fit::<u16>(65_536, "s.len").is_err());
    assert!(uapigen_runtime::fit::<u8>(256, "s.n").is_err());
}

/// Fields the kernel only writes (`data: out`) are not checked on input. The kernel's
/// VFIO_DEVICE_GET_INFO (vfio_pci_core_ioctl, drivers/vfio/pci/vfio_pci_core.c, Linux 6.1)
/// copies `minsz = offsetofend(struct vfio_device_info, num_irqs)` bytes, returns EINVAL
/// when `argsz < minsz`, and then overwrites flags, num_regions and num_irqs: flags it
/// does not know are not an error. VFIO_GROUP_GET_STATUS (vfio_group_ioctl_get_status,
/// drivers/vfio/vfio_main.c) does the same with `offsetofend(struct vfio_group_status,
/// flags)` and sets flags itself.
#[test]
fn output_fields_are_not_checked() {
    use linux_uapi::vfio::{DeviceInfo, GroupStatus};
    // struct vfio_device_info: argsz, flags, num_regions, num_irqs, cap_offset (20 bytes,
    // 16 of them mandatory).
    let unknown_flags = u32s(&[20, 0xffff_ffff, 7, 7, 0]);
    assert_eq!(errno(DeviceInfo::validate(&unknown_flags)), None);
    assert_eq!(
        errno(DeviceInfo::validate(&u32s(&[12, 0, 0, 0, 0]))),
        Some(Errno::Inval)
    );
    // struct vfio_group_status: argsz, flags (8 bytes).
    assert_eq!(errno(GroupStatus::validate(&u32s(&[8, 0xffff_ffff]))), None);
    assert_eq!(
        errno(GroupStatus::validate(&u32s(&[4, 0]))),
        Some(Errno::Inval)
    );
    // Input fields still are: vfio_irq_set's flags are read by the kernel.
    assert_eq!(
        errno(IrqSetPayload::decode(&u32s(&[20, 1 << 31, 0, 0, 0]))),
        Some(Errno::Inval)
    );
}
