//! Issue 16, VFIO: each case is an argument built by hand, with the answer the kernel gives
//! derived by hand from the kernel's code (the function is named with each case), never
//! from uapigen. Every case runs through the generated Rust validator and through the
//! generated C helper (`<linux/vfio_validate.h>`, compiled with gcc); both must give the
//! kernel's answer.
//!
//! Where the kernel's answer depends on the device or the container at run time (the IOMMU
//! page size, whether an fd is an eventfd, whether the device supports migration), the
//! case says what it assumes; those checks are not made by the validators (spec/README.md,
//! "What the validators do not check"). The number of IRQs of an index is a run-time limit
//! the caller passes (`validate_with`, `vfio_irq_set_validate_with`): cases with `num_irqs`
//! run through those.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};

use uapigen_runtime::Reject;
use uapigen_tests::{Compiler, root};

type Validator = fn(&[u8]) -> Result<(), Reject>;

fn validator(name: &str) -> Validator {
    linux_uapi::layout_probe::vfio::VALIDATORS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .unwrap_or_else(|| panic!("no validator for {name}"))
}

fn u32s(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_ne_bytes()).collect()
}

fn u64s(words: &[u64]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_ne_bytes()).collect()
}

/// One case: the struct, the bytes, the kernel's errno ("0" for success) and where the
/// kernel decides.
struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    kernel: &'static str,
    function: &'static str,
    what: &'static str,
    /// The run-time limit `num_irqs` the caller passes (`validate_with`).
    num_irqs: Option<u64>,
}

fn case(
    name: &'static str,
    bytes: Vec<u8>,
    kernel: &'static str,
    function: &'static str,
    what: &'static str,
) -> Case {
    Case {
        name,
        bytes,
        kernel,
        function,
        what,
        num_irqs: None,
    }
}

/// A case of VFIO_DEVICE_SET_IRQS on an index with `num_irqs` IRQs.
fn irqs(
    num_irqs: u64,
    bytes: Vec<u8>,
    kernel: &'static str,
    function: &'static str,
    what: &'static str,
) -> Case {
    Case {
        num_irqs: Some(num_irqs),
        ..case("vfio_irq_set", bytes, kernel, function, what)
    }
}

// struct vfio_irq_set: argsz, flags, index, start, count (20 bytes), data[].
const DATA_NONE: u32 = 1 << 0;
const DATA_BOOL: u32 = 1 << 1;
const DATA_EVENTFD: u32 = 1 << 2;
const ACTION_MASK: u32 = 1 << 3;
const ACTION_TRIGGER: u32 = 1 << 5;

fn irq_set(flags: u32, start: u32, count: u32, data: &[u32]) -> Vec<u8> {
    let argsz = 20 + 4 * data.len() as u32;
    let mut b = u32s(&[argsz, flags, 0, start, count]);
    b.extend(u32s(data));
    b
}

fn irq_set_cases() -> Vec<Case> {
    const VALIDATE: &str = "drivers/vfio/vfio_main.c vfio_set_irqs_validate_and_prepare";
    const INTRS: &str = "drivers/vfio/pci/vfio_pci_intrs.c vfio_pci_set_irqs_ioctl";
    let n = "vfio_irq_set";
    let mut big_argsz = irq_set(DATA_NONE | ACTION_TRIGGER, 0, 1, &[]);
    big_argsz[..4].copy_from_slice(&4096u32.to_ne_bytes());
    vec![
        case(
            n,
            irq_set(DATA_NONE | ACTION_TRIGGER, 5, !0, &[]),
            "EINVAL",
            VALIDATE,
            "start=5, count=~0: `hdr->count >= (U32_MAX - hdr->start)`",
        ),
        case(
            n,
            irq_set(DATA_NONE | ACTION_TRIGGER, 0, !0, &[]),
            "EINVAL",
            VALIDATE,
            "start=0, count=U32_MAX: count >= U32_MAX - 0",
        ),
        case(
            n,
            irq_set(DATA_NONE | ACTION_TRIGGER, 1, 0xffff_fffd, &[]),
            "0",
            VALIDATE,
            "start + count = U32_MAX - 1 passes the overflow check (num_irqs, a run-time limit, is not checked)",
        ),
        case(
            n,
            irq_set(ACTION_TRIGGER, 0, 1, &[]),
            "EINVAL",
            VALIDATE,
            "no DATA bit: the switch on flags & VFIO_IRQ_SET_DATA_TYPE_MASK takes `default`",
        ),
        case(
            n,
            irq_set(DATA_NONE | DATA_BOOL | ACTION_TRIGGER, 0, 1, &[0]),
            "EINVAL",
            VALIDATE,
            "two DATA bits: `default` of the same switch",
        ),
        case(
            n,
            irq_set(0, 0, 1, &[]),
            "EINVAL",
            VALIDATE,
            "no DATA and no ACTION bit: the DATA switch (EINVAL) comes before the driver",
        ),
        case(
            n,
            irq_set(DATA_NONE, 0, 1, &[]),
            "ENOTTY",
            INTRS,
            "no ACTION bit: no case of flags & VFIO_IRQ_SET_ACTION_TYPE_MASK, `func` stays NULL",
        ),
        case(
            n,
            irq_set(DATA_NONE | ACTION_MASK | ACTION_TRIGGER, 0, 1, &[]),
            "ENOTTY",
            INTRS,
            "two ACTION bits: no case matches, `func` stays NULL",
        ),
        case(
            n,
            irq_set(DATA_EVENTFD | ACTION_TRIGGER, 0, 2, &[7, 9]),
            "0",
            VALIDATE,
            "two eventfds in 8 bytes of data (on an index with 2 IRQs)",
        ),
        case(
            n,
            irq_set(DATA_EVENTFD | ACTION_TRIGGER, 0, 2, &[7]),
            "EINVAL",
            VALIDATE,
            "`hdr->argsz - minsz < hdr->count * size`: 4 bytes for 2 eventfds",
        ),
        case(
            n,
            big_argsz,
            "0",
            "drivers/vfio/pci/vfio_pci_core.c vfio_pci_ioctl_set_irqs",
            "argsz 4096 in a 20-byte buffer with DATA_NONE: only minsz bytes are copied, data_size is 0",
        ),
    ]
}

// struct vfio_device_feature: argsz, flags (index in bits 0..16; GET 16, SET 17, PROBE 18).
const GET: u32 = 1 << 16;
const SET: u32 = 1 << 17;
const PROBE: u32 = 1 << 18;
const MIG_DEVICE_STATE: u32 = 2;
const LOW_POWER_ENTRY: u32 = 3;
const LOW_POWER_ENTRY_WITH_WAKEUP: u32 = 4;

fn feature(flags: u32, data: &[u32]) -> Vec<u8> {
    let mut b = u32s(&[8 + 4 * data.len() as u32, flags]);
    b.extend(u32s(data));
    b
}

fn device_feature_cases() -> Vec<Case> {
    const CORE: &str = "drivers/vfio/vfio_main.c vfio_ioctl_device_feature";
    const CHECK: &str = "include/linux/vfio.h vfio_check_feature";
    const PCI: &str = "drivers/vfio/pci/vfio_pci_core.c vfio_pci_core_ioctl_feature";
    let n = "vfio_device_feature";
    vec![
        case(
            n,
            feature(GET | SET | MIG_DEVICE_STATE, &[2, 0]),
            "EINVAL",
            CORE,
            "GET|SET without PROBE: `GET & SET are mutually exclusive except with PROBE`",
        ),
        case(
            n,
            feature(PROBE | GET | SET | MIG_DEVICE_STATE, &[]),
            "0",
            CHECK,
            "PROBE|GET|SET of MIG_DEVICE_STATE (a device with migration): PROBE returns 0",
        ),
        case(
            n,
            feature(LOW_POWER_ENTRY, &[]),
            "EINVAL",
            CHECK,
            "neither GET nor SET without PROBE: `one of GET or SET must be requested`",
        ),
        case(
            n,
            feature(PROBE | SET | MIG_DEVICE_STATE, &[]),
            "0",
            CHECK,
            "PROBE|SET with no data: `if (flags & VFIO_DEVICE_FEATURE_PROBE) return 0` before argsz < minsz",
        ),
        case(
            n,
            feature(PROBE | LOW_POWER_ENTRY, &[]),
            "0",
            CHECK,
            "PROBE alone: returns 0 before the GET/SET test",
        ),
        case(
            n,
            feature(SET | 99, &[]),
            "ENOTTY",
            PCI,
            "unknown feature 99: `default: return -ENOTTY`",
        ),
        case(
            n,
            feature(PROBE | SET | 99, &[]),
            "ENOTTY",
            PCI,
            "a probe of unknown feature 99: the same default",
        ),
        case(
            n,
            feature(SET | MIG_DEVICE_STATE, &[2]),
            "EINVAL",
            CHECK,
            "SET with 4 of the 8 bytes of vfio_device_feature_mig_state: argsz < minsz",
        ),
        case(
            n,
            feature(SET | LOW_POWER_ENTRY_WITH_WAKEUP, &[5, 1]),
            "0",
            "drivers/vfio/pci/vfio_pci_core.c vfio_pci_core_pm_entry_with_wakeup",
            "reserved = 1: only wakeup_eventfd is read (fd 5 an eventfd)",
        ),
    ]
}

// struct vfio_iommu_type1_dma_map: argsz, flags, vaddr, iova, size (32 bytes).
const READ: u32 = 1 << 0;
const WRITE: u32 = 1 << 1;
const MAP_VADDR: u32 = 1 << 2;
const TOP_PAGE: u64 = 0u64.wrapping_sub(4096);

fn map(flags: u32, vaddr: u64, iova: u64, size: u64) -> Vec<u8> {
    let mut b = u32s(&[32, flags]);
    b.extend(u64s(&[vaddr, iova, size]));
    b
}

fn dma_map_cases() -> Vec<Case> {
    const MAP: &str = "drivers/vfio/vfio_iommu_type1.c vfio_dma_do_map";
    let n = "vfio_iommu_type1_dma_map";
    vec![
        case(
            n,
            map(MAP_VADDR | READ, 0x1000, 0, 0x1000),
            "EINVAL",
            MAP,
            "VADDR with READ: `(prot && set_vaddr)`",
        ),
        case(
            n,
            map(MAP_VADDR | WRITE, 0x1000, 0, 0x1000),
            "EINVAL",
            MAP,
            "VADDR with WRITE: `(prot && set_vaddr)`",
        ),
        case(
            n,
            map(0, 0x1000, 0, 0x1000),
            "EINVAL",
            MAP,
            "no READ, WRITE or VADDR: `(!prot && !set_vaddr)`",
        ),
        case(
            n,
            map(READ | WRITE, 0x1000, 0, 0),
            "EINVAL",
            MAP,
            "size 0: `!size`",
        ),
        case(
            n,
            map(READ, 0x1000, TOP_PAGE, 0x2000),
            "EINVAL",
            MAP,
            "iova + size wraps: `iova + size - 1 < iova`",
        ),
        case(
            n,
            map(READ, 0x1000, TOP_PAGE, 0x1000),
            "0",
            MAP,
            "the last page of the IOVA space: iova + size - 1 = U64_MAX does not wrap",
        ),
        case(
            n,
            map(READ, TOP_PAGE, 0, 0x2000),
            "EINVAL",
            MAP,
            "vaddr + size wraps: `vaddr + size - 1 < vaddr`",
        ),
        case(
            n,
            map(READ | WRITE, 0x1000, 0, 0x1000),
            "0",
            MAP,
            "a valid mapping",
        ),
        case(
            n,
            map(MAP_VADDR, 0x1000, 0, 0x1000),
            "0",
            MAP,
            "VADDR alone (an invalidated mapping at that iova and size)",
        ),
    ]
}

// struct vfio_iommu_type1_dma_unmap: argsz, flags, iova, size (24 bytes), data[].
const DIRTY: u32 = 1 << 0;
const ALL: u32 = 1 << 1;
const UNMAP_VADDR: u32 = 1 << 2;

fn unmap(flags: u32, iova: u64, size: u64) -> Vec<u8> {
    let mut b = u32s(&[24, flags]);
    b.extend(u64s(&[iova, size]));
    b
}

fn dma_unmap_cases() -> Vec<Case> {
    const IOCTL: &str = "drivers/vfio/vfio_iommu_type1.c vfio_iommu_type1_unmap_dma";
    const UNMAP: &str = "drivers/vfio/vfio_iommu_type1.c vfio_dma_do_unmap";
    let n = "vfio_iommu_type1_dma_unmap";
    vec![
        case(
            n,
            unmap(DIRTY | ALL, 0, 0),
            "EINVAL",
            IOCTL,
            "GET_DIRTY_BITMAP with ALL",
        ),
        case(
            n,
            unmap(DIRTY | UNMAP_VADDR, 0, 0x1000),
            "EINVAL",
            IOCTL,
            "GET_DIRTY_BITMAP with VADDR",
        ),
        case(
            n,
            unmap(ALL, 0x1000, 0),
            "EINVAL",
            UNMAP,
            "ALL with iova != 0: `if (iova || size)`",
        ),
        case(
            n,
            unmap(ALL, 0, 0x1000),
            "EINVAL",
            UNMAP,
            "ALL with size != 0: `if (iova || size)`",
        ),
        case(n, unmap(ALL, 0, 0), "0", UNMAP, "ALL with iova = size = 0"),
        case(
            n,
            unmap(ALL | UNMAP_VADDR, 0, 0),
            "0",
            UNMAP,
            "ALL with VADDR",
        ),
        case(
            n,
            unmap(0, 0x1000, 0),
            "EINVAL",
            UNMAP,
            "size 0 without ALL: `!size`",
        ),
        case(
            n,
            unmap(0, TOP_PAGE, 0x2000),
            "EINVAL",
            UNMAP,
            "iova + size wraps: `iova + size - 1 < iova`",
        ),
        case(n, unmap(0, 0, 0x1000), "0", UNMAP, "a valid range"),
    ]
}

fn output_only_cases() -> Vec<Case> {
    // struct vfio_device_info: argsz, flags, num_regions, num_irqs (minsz 16), cap_offset.
    let mut info = u32s(&[20, 0xffff_ffff, 7, 7, 0xffff_ffff]);
    info.truncate(20);
    // struct vfio_region_info: argsz, flags, index, cap_offset, size, offset (32 bytes).
    let mut region = u32s(&[32, 0xffff_ffff, 0, 0xffff_ffff]);
    region.extend(u64s(&[!0, !0]));
    // struct vfio_group_status: argsz, flags: argsz 4096 in an 8-byte buffer.
    let status = u32s(&[4096, 0]);
    vec![
        case(
            "vfio_device_info",
            info,
            "0",
            "drivers/vfio/pci/vfio_pci_core.c vfio_pci_ioctl_get_info",
            "unknown input flags: the kernel sets info.flags itself",
        ),
        case(
            "vfio_region_info",
            region,
            "0",
            "drivers/vfio/pci/vfio_pci_core.c vfio_pci_ioctl_get_region_info",
            "unknown input flags, cap_offset, size, offset: all written by the kernel",
        ),
        case(
            "vfio_group_status",
            status,
            "0",
            "drivers/vfio/group.c vfio_group_ioctl_get_status",
            "argsz 4096 in an 8-byte buffer: minsz (8) bytes are copied in and out",
        ),
        case(
            "vfio_group_status",
            u32s(&[8]),
            "EFAULT",
            "drivers/vfio/group.c vfio_group_ioctl_get_status",
            "a 4-byte buffer: copy_from_user of minsz (8) bytes faults",
        ),
    ]
}

/// `vfio_set_irqs_validate_and_prepare(hdr, num_irqs, max_irq_type, ...)`: after the
/// overflow and flags checks, `hdr->start >= num_irqs || hdr->start + hdr->count >
/// num_irqs` gives EINVAL, before the DATA switch and the driver's ACTION switch. vfio-pci
/// passes `vfio_pci_get_irq_count(vdev, hdr.index)`, 0 for an index it does not have.
fn num_irqs_cases() -> Vec<Case> {
    const VALIDATE: &str = "drivers/vfio/vfio_main.c vfio_set_irqs_validate_and_prepare";
    const INTRS: &str = "drivers/vfio/pci/vfio_pci_intrs.c vfio_pci_set_irqs_ioctl";
    let trigger = DATA_NONE | ACTION_TRIGGER;
    vec![
        irqs(
            4,
            irq_set(trigger, 0, 4, &[]),
            "0",
            VALIDATE,
            "sub-indexes 0..4 of 4 IRQs",
        ),
        irqs(
            4,
            irq_set(trigger, 2, 3, &[]),
            "EINVAL",
            VALIDATE,
            "start 2 + count 3 > num_irqs 4: `hdr->start + hdr->count > num_irqs`",
        ),
        irqs(
            4,
            irq_set(trigger, 4, 0, &[]),
            "EINVAL",
            VALIDATE,
            "start 4, count 0: `hdr->start >= num_irqs` even with no sub-index",
        ),
        irqs(
            4,
            irq_set(trigger, 3, 0, &[]),
            "0",
            VALIDATE,
            "start 3, count 0 (DATA_NONE|TRIGGER with count 0 disables the index)",
        ),
        irqs(
            0,
            irq_set(trigger, 0, 0, &[]),
            "EINVAL",
            VALIDATE,
            "an index without IRQs (num_irqs 0; vfio_pci_get_irq_count of an unknown index): start 0 >= 0",
        ),
        irqs(
            4,
            irq_set(DATA_EVENTFD | ACTION_TRIGGER, 3, 1, &[7]),
            "0",
            VALIDATE,
            "one eventfd for the last IRQ (fd 7 an eventfd)",
        ),
        irqs(
            4,
            irq_set(DATA_EVENTFD | ACTION_TRIGGER, 3, 2, &[7]),
            "EINVAL",
            VALIDATE,
            "3 + 2 > 4 comes before the data's size (also short here)",
        ),
        irqs(
            1,
            irq_set(DATA_NONE, 1, 1, &[]),
            "EINVAL",
            VALIDATE,
            "no ACTION bit and start past the IRQs: the core's num_irqs check (EINVAL) comes before the driver's ACTION switch (ENOTTY)",
        ),
        irqs(
            1,
            irq_set(DATA_NONE, 0, 1, &[]),
            "ENOTTY",
            INTRS,
            "no ACTION bit within the IRQs: the driver's `func` stays NULL",
        ),
        irqs(
            8,
            irq_set(trigger, 5, !0, &[]),
            "EINVAL",
            VALIDATE,
            "count ~0: the overflow check of the first `if`",
        ),
        irqs(
            8,
            irq_set(trigger, 0, 1, &[]).into_iter().take(12).collect(),
            "EFAULT",
            "drivers/vfio/pci/vfio_pci_core.c vfio_pci_ioctl_set_irqs",
            "a 12-byte buffer: copy_from_user of minsz (20) faults first",
        ),
    ]
}

// struct vfio_bitmap on a 64-bit ABI: pgsize, size, data (a user pointer): 24 bytes, at
// minsz (24) of vfio_iommu_type1_dma_unmap.
fn unmap_bitmap(flags: u32, argsz: u32, size: u64, bitmap: Option<[u64; 3]>) -> Vec<u8> {
    let mut b = u32s(&[argsz, flags]);
    b.extend(u64s(&[0, size]));
    if let Some(bm) = bitmap {
        b.extend(u64s(&bm));
    }
    b
}

/// `vfio_iommu_type1_unmap_dma` with VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP: after the flags
/// and the ALL/VADDR exclusion, `unmap.argsz < (minsz + sizeof(bitmap))` gives EINVAL, then
/// `copy_from_user(&bitmap, arg + minsz, sizeof(bitmap))` EFAULT, before
/// `vfio_dma_do_unmap`'s checks of size. The cases with 0 assume a container with 4 KiB
/// pages: the bitmap's pgsize (4096), data (a user address) and size (8 bytes for one
/// page, `verify_bitmap_size`) are what the kernel then checks, which the validators do not.
fn unmap_bitmap_cases() -> Vec<Case> {
    const IOCTL: &str = "drivers/vfio/vfio_iommu_type1.c vfio_iommu_type1_unmap_dma";
    let n = "vfio_iommu_type1_dma_unmap";
    let good = Some([4096, 8, 0x7f00_0000_0000]);
    vec![
        case(
            n,
            unmap_bitmap(DIRTY, 24, 0x1000, None),
            "EINVAL",
            IOCTL,
            "GET_DIRTY_BITMAP with argsz = minsz: `unmap.argsz < (minsz + sizeof(bitmap))`",
        ),
        case(
            n,
            unmap_bitmap(DIRTY, 47, 0x1000, good)
                .into_iter()
                .take(47)
                .collect(),
            "EINVAL",
            IOCTL,
            "argsz 47 < 24 + 24",
        ),
        case(
            n,
            unmap_bitmap(DIRTY, 48, 0x1000, None),
            "EFAULT",
            IOCTL,
            "argsz 48 in a 24-byte buffer: copy_from_user of the bitmap at minsz faults",
        ),
        case(
            n,
            unmap_bitmap(DIRTY, 48, 0, good)
                .into_iter()
                .take(40)
                .collect(),
            "EFAULT",
            IOCTL,
            "size 0 and a 40-byte buffer: the bitmap's copy (EFAULT) comes before vfio_dma_do_unmap's `!size` (EINVAL)",
        ),
        case(
            n,
            unmap_bitmap(DIRTY, 48, 0x1000, good),
            "0",
            IOCTL,
            "a bitmap of one page for one page (4 KiB pages, the range mapped)",
        ),
        case(
            n,
            unmap_bitmap(DIRTY, 4096, 0x1000, good),
            "0",
            IOCTL,
            "argsz 4096 in a 48-byte buffer: the kernel copies minsz, then the bitmap at minsz, no more",
        ),
        case(
            n,
            unmap_bitmap(DIRTY | ALL, 24, 0, None),
            "EINVAL",
            IOCTL,
            "GET_DIRTY_BITMAP with ALL and no bitmap: the exclusion comes first (EINVAL either way)",
        ),
        case(
            n,
            unmap_bitmap(0, 24, 0x1000, None),
            "0",
            "drivers/vfio/vfio_iommu_type1.c vfio_dma_do_unmap",
            "without GET_DIRTY_BITMAP no bitmap is read",
        ),
    ]
}

// struct vfio_iommu_type1_dirty_bitmap: argsz, flags (minsz 8), data[]: a struct
// vfio_iommu_type1_dirty_bitmap_get (iova, size, then a vfio_bitmap: pgsize, size, data; 40
// bytes on a 64-bit ABI) for GET_BITMAP.
fn dirty(flags: u32, argsz: u32, range: Option<[u64; 5]>) -> Vec<u8> {
    let mut b = u32s(&[argsz, flags]);
    if let Some(r) = range {
        b.extend(u64s(&r));
    }
    b
}

/// `vfio_iommu_type1_dirty_pages` (on a v2 container: `!iommu->v2` is EACCES, state the
/// validators cannot see): `dirty.flags & ~mask` and `__ffs(flags) != __fls(flags)` give
/// EINVAL, as does no flag (no branch is taken); GET_BITMAP needs `argsz - minsz >=
/// sizeof(range)` (EINVAL), then copies the range (EFAULT). START and STOP read nothing
/// more. The range's own checks (wrap-around, pgsize against the IOMMU's, the bitmap's
/// size and address, dirty tracking started) are the container's state or are not
/// stated: the GET_BITMAP case with 0 assumes tracking started on 4 KiB pages.
fn dirty_pages_cases() -> Vec<Case> {
    const F: &str = "drivers/vfio/vfio_iommu_type1.c vfio_iommu_type1_dirty_pages";
    const START: u32 = 1;
    const STOP: u32 = 2;
    const GET: u32 = 4;
    let n = "vfio_iommu_type1_dirty_bitmap";
    let range = Some([0, 0x1000, 4096, 8, 0x7f00_0000_0000]);
    vec![
        case(n, dirty(START, 8, None), "0", F, "START alone"),
        case(n, dirty(STOP, 8, None), "0", F, "STOP alone"),
        case(
            n,
            dirty(0, 8, None),
            "EINVAL",
            F,
            "no flag: no branch is taken, the function ends with -EINVAL",
        ),
        case(
            n,
            dirty(START | STOP, 8, None),
            "EINVAL",
            F,
            "START and STOP: __ffs != __fls",
        ),
        case(
            n,
            dirty(STOP | GET, 8, None),
            "EINVAL",
            F,
            "STOP and GET_BITMAP",
        ),
        case(
            n,
            dirty(8, 8, None),
            "EINVAL",
            F,
            "an unknown bit: `dirty.flags & ~mask`",
        ),
        case(
            n,
            dirty(START, 4, None),
            "EINVAL",
            F,
            "argsz below minsz (8)",
        ),
        case(
            n,
            dirty(GET, 8, None),
            "EINVAL",
            F,
            "GET_BITMAP with argsz = minsz: `!data_size`",
        ),
        case(
            n,
            dirty(GET, 47, range).into_iter().take(47).collect(),
            "EINVAL",
            F,
            "GET_BITMAP with 39 bytes of data: `data_size < sizeof(range)` (40)",
        ),
        case(
            n,
            dirty(GET, 48, None),
            "EFAULT",
            F,
            "argsz 48 in an 8-byte buffer: the range's copy faults",
        ),
        case(
            n,
            dirty(GET, 48, range),
            "0",
            F,
            "a range of one 4 KiB page and a bitmap of 8 bytes",
        ),
    ]
}

// VFIO_DEVICE_FEATURE indexes with their `supported_ops`.
const PCI_VF_TOKEN: u32 = 0;
const MIGRATION: u32 = 1;
const LOW_POWER_EXIT: u32 = 5;
const DMA_LOGGING_REPORT: u32 = 8;

/// `vfio_check_feature(flags, argsz, supported_ops, minsz)`: `(flags & (GET | SET)) &
/// ~supported_ops` gives EINVAL before `flags & PROBE` returns 0. Each feature's function
/// passes its own `supported_ops`. The cases assume a device that has the feature
/// (`mig_ops`, `log_ops`, a VF token of an SR-IOV PF), else the kernel answers ENOTTY.
fn feature_ops_cases() -> Vec<Case> {
    const MIG: &str = "drivers/vfio/vfio_main.c vfio_ioctl_device_feature_migration";
    const PM: &str = "drivers/vfio/pci/vfio_pci_core.c vfio_pci_core_pm_exit";
    const TOKEN: &str = "drivers/vfio/pci/vfio_pci_core.c vfio_pci_core_feature_token";
    const REPORT: &str = "drivers/vfio/vfio_main.c vfio_ioctl_device_feature_logging_report";
    let n = "vfio_device_feature";
    vec![
        case(
            n,
            feature(GET | MIGRATION, &[1, 0]),
            "0",
            MIG,
            "GET of MIGRATION, supported_ops GET",
        ),
        case(
            n,
            feature(SET | MIGRATION, &[1, 0]),
            "EINVAL",
            MIG,
            "SET of MIGRATION: `(flags & (GET | SET)) & ~supported_ops`",
        ),
        case(
            n,
            feature(PROBE | SET | MIGRATION, &[]),
            "EINVAL",
            MIG,
            "a probe of SET of MIGRATION: the ops check comes before `flags & PROBE`",
        ),
        case(
            n,
            feature(PROBE | GET | MIGRATION, &[]),
            "0",
            MIG,
            "a probe of GET of MIGRATION",
        ),
        case(
            n,
            feature(PROBE | GET | SET | MIGRATION, &[]),
            "EINVAL",
            MIG,
            "a probe of GET and SET of MIGRATION: SET is not supported",
        ),
        case(
            n,
            feature(PROBE | MIGRATION, &[]),
            "0",
            MIG,
            "PROBE alone names no operation",
        ),
        case(
            n,
            feature(GET | LOW_POWER_ENTRY, &[]),
            "EINVAL",
            "drivers/vfio/pci/vfio_pci_core.c vfio_pci_core_pm_entry",
            "GET of LOW_POWER_ENTRY, supported_ops SET",
        ),
        case(
            n,
            feature(PROBE | GET | LOW_POWER_EXIT, &[]),
            "EINVAL",
            PM,
            "a probe of GET of LOW_POWER_EXIT, supported_ops SET",
        ),
        case(
            n,
            feature(SET | LOW_POWER_EXIT, &[]),
            "0",
            PM,
            "SET of LOW_POWER_EXIT (no data)",
        ),
        case(
            n,
            feature(GET | PCI_VF_TOKEN, &[0; 4]),
            "EINVAL",
            TOKEN,
            "GET of PCI_VF_TOKEN, supported_ops SET",
        ),
        case(
            n,
            feature(SET | PCI_VF_TOKEN, &[1, 2, 3, 4]),
            "0",
            TOKEN,
            "SET of PCI_VF_TOKEN with a 16-byte UUID",
        ),
        case(
            n,
            feature(SET | DMA_LOGGING_REPORT, &[0; 6]),
            "EINVAL",
            REPORT,
            "SET of DMA_LOGGING_REPORT, supported_ops GET",
        ),
        case(
            n,
            feature(PROBE | GET | DMA_LOGGING_REPORT, &[]),
            "0",
            REPORT,
            "a probe of GET of DMA_LOGGING_REPORT",
        ),
        case(
            n,
            feature(GET | DMA_LOGGING_REPORT, &[0; 2]),
            "EINVAL",
            REPORT,
            "GET of DMA_LOGGING_REPORT with 8 of its 24 bytes: `argsz < minsz`",
        ),
    ]
}

fn all_cases() -> Vec<Case> {
    let mut v = irq_set_cases();
    v.extend(num_irqs_cases());
    v.extend(unmap_bitmap_cases());
    v.extend(dirty_pages_cases());
    v.extend(feature_ops_cases());
    v.extend(device_feature_cases());
    v.extend(dma_map_cases());
    v.extend(dma_unmap_cases());
    v.extend(output_only_cases());
    v
}

fn rust_answer(c: &Case) -> String {
    let answer = match c.num_irqs {
        Some(n) => linux_uapi::vfio::IrqSet::validate_with(&c.bytes, n),
        None => validator(c.name)(&c.bytes),
    };
    match answer {
        Ok(()) => "0".into(),
        Err(e) => e.errno.name().into(),
    }
}

/// The C helpers on every case, through a harness reading `name hex` lines.
fn c_answers(cases: &[Case]) -> Vec<String> {
    let gcc = Compiler::new("gcc", &[]);
    gcc.require();
    let mut names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    let mut src = String::from(
        "#include <linux/vfio_validate.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <errno.h>\n\n",
    );
    src.push_str(
        "static int run(const char *name, const void *buf, __u32 len, const char *num_irqs)\n{\n",
    );
    src.push_str(
        "\tif (num_irqs && strcmp(num_irqs, \"-\"))\n\t\treturn vfio_irq_set_validate_with(buf, len, strtoull(num_irqs, 0, 10));\n",
    );
    for n in &names {
        let _ = writeln!(
            src,
            "\tif (!strcmp(name, \"{n}\"))\n\t\treturn {n}_validate(buf, len);"
        );
    }
    src.push_str("\treturn 1;\n}\n\n");
    src.push_str(
        r#"static const char *errno_name(int r)
{
	switch (-r) {
	case 0: return "0";
	case EINVAL: return "EINVAL";
	case EFAULT: return "EFAULT";
	case ENOTTY: return "ENOTTY";
	case E2BIG: return "E2BIG";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EOVERFLOW: return "EOVERFLOW";
	case ENOSPC: return "ENOSPC";
	default: return "OTHER";
	}
}

int main(void)
{
	static char line[1 << 14];
	static unsigned char buf[1 << 12];
	while (fgets(line, sizeof line, stdin)) {
		char *name = strtok(line, " \n");
		char *hex = strtok(NULL, " \n");
		char *num_irqs = strtok(NULL, " \n");
		size_t i, n = hex ? strlen(hex) / 2 : 0;
		for (i = 0; i < n; i++) {
			unsigned v;
			sscanf(hex + 2 * i, "%2x", &v);
			buf[i] = (unsigned char)v;
		}
		printf("%s\n", errno_name(run(name ? name : "", buf, (__u32)n, num_irqs)));
	}
	return 0;
}
"#,
    );
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (c, exe) = (dir.path().join("rules.c"), dir.path().join("rules"));
    std::fs::write(&c, src).unwrap_or_else(|e| panic!("{e}"));
    let inc = format!("-I{}", root().join("generated/include").display());
    let (cs, es) = (c.display().to_string(), exe.display().to_string());
    if let Err(e) = gcc.run(&["-std=gnu11", "-Wall", "-Werror", &inc, &cs, "-o", &es]) {
        panic!("the C harness does not build:\n{e}");
    }
    let mut input = String::new();
    for c in cases {
        let hex: String = c.bytes.iter().map(|x| format!("{x:02x}")).collect();
        let limit = c.num_irqs.map_or("-".to_owned(), |n| n.to_string());
        let _ = writeln!(input, "{} {hex} {limit}", c.name);
    }
    let mut child = Command::new(&exe)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn rust_and_c_give_the_kernels_answer() {
    let cases = all_cases();
    let c = c_answers(&cases);
    assert_eq!(c.len(), cases.len(), "one C answer per case");
    let mut wrong = Vec::new();
    for (case, c_answer) in cases.iter().zip(&c) {
        let rust = rust_answer(case);
        if rust != case.kernel || *c_answer != case.kernel {
            wrong.push(format!(
                "{} ({}): {}: kernel {}, Rust {rust}, C {c_answer}",
                case.name, case.function, case.what, case.kernel
            ));
        }
    }
    println!("{} cases", cases.len());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// `validate` (no run-time limits) does not make the `num_irqs` checks: what the kernel
/// rejects for 4 IRQs passes it, in Rust and in C (`vfio_irq_set_validate`), and
/// `validate_with` with a larger limit accepts it too.
#[test]
fn validate_without_limits_skips_them() {
    let bytes = irq_set(DATA_NONE | ACTION_TRIGGER, 2, 3, &[]);
    assert!(linux_uapi::vfio::IrqSet::validate(&bytes).is_ok());
    assert!(linux_uapi::vfio::IrqSet::check(&bytes).is_ok());
    assert!(linux_uapi::vfio::IrqSet::validate_with(&bytes, 5).is_ok());
    assert!(linux_uapi::vfio::IrqSet::validate_with(&bytes, 4).is_err());
    let c = c_answers(&[case("vfio_irq_set", bytes, "0", "", "")]);
    assert_eq!(c, ["0"]);
}
