//! Issue 16, IOMMUFD: each case is an argument built by hand, with the
//! answer the kernel gives derived by hand from the kernel's code (the function is named
//! with each case), never from uapigen. Every case runs through the generated Rust
//! validator and through the generated C helper (`<linux/iommufd_validate.h>`, compiled
//! with gcc); both must give the kernel's answer.
//!
//! IOMMUFD: drivers/iommu/iommufd/ of the 6.17 cycle (all 21 commands; `main.c`
//! `iommufd_fops_ioctl` reads the size with `get_user` (EFAULT), refuses `size <
//! op->min_size` (EINVAL, `IOCTL_OP(..., last)`), then `copy_struct_from_user` (E2BIG for
//! a non-zero byte past the struct, EFAULT past the buffer) before the command's function.
//! A 64-bit kernel: `ULONG_MAX` is `U64_MAX`. Where the answer depends on objects at run
//! time (IDs that exist, the driver's support), the case assumes the IDs name objects of
//! the right type and says what else it assumes.
//!

use uapigen_runtime::Reject;
use uapigen_tests::kernel_cases::{Arg, Case, case, check};

type Validator = fn(&[u8]) -> Result<(), Reject>;

fn validator(name: &str) -> Validator {
    linux_uapi::layout_probe::iommufd::VALIDATORS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .unwrap_or_else(|| panic!("no validator for {name}"))
}

fn rust(c: &Case) -> Result<(), &'static str> {
    validator(c.name)(&c.bytes).map_err(|e| e.errno.name())
}

const MAIN: &str = "drivers/iommu/iommufd/main.c iommufd_fops_ioctl";
const U64_MAX: u64 = u64::MAX;

// struct iommu_hwpt_alloc: size 0, flags 4, dev_id 8, pt_id 12, out_hwpt_id 16,
// __reserved 20, data_type 24, data_len 28, data_uptr 32, fault_id 40, __reserved2 44 (48).
fn hwpt_alloc_cases() -> Vec<Case> {
    const F: &str = "drivers/iommu/iommufd/hw_pagetable.c iommufd_hwpt_alloc";
    let n = "iommu_hwpt_alloc";
    let past_buffer = Arg::new(48).u32(0, 64);
    vec![
        case(
            n,
            Arg::new(2),
            "EFAULT",
            MAIN,
            "2 bytes: get_user of the u32 size faults",
        ),
        case(
            n,
            Arg::sized(20),
            "EINVAL",
            MAIN,
            "size 20 < min_size 24 (IOCTL_OP(..., __reserved))",
        ),
        case(
            n,
            Arg::sized(24),
            "0",
            F,
            "size 24: the 6.2 struct; data_type and data_len read as 0 (NONE, no data) on an IOAS",
        ),
        case(
            n,
            Arg::sized(24).u32(20, 1),
            "EOPNOTSUPP",
            F,
            "`if (cmd->__reserved) return -EOPNOTSUPP`",
        ),
        case(
            n,
            Arg::sized(48).u32(28, 8),
            "EINVAL",
            F,
            "data_type NONE with data_len 8",
        ),
        case(
            n,
            Arg::sized(48).u32(24, 1),
            "EINVAL",
            F,
            "data_type VTD_S1 with data_len 0",
        ),
        case(
            n,
            Arg::sized(48).u32(24, 1).u32(28, 24).u64(32, 0x1000),
            "0",
            F,
            "VTD_S1 with 24 bytes of data (a nesting parent that takes it)",
        ),
        case(
            n,
            Arg::sized(48).u32(44, 7),
            "0",
            F,
            "__reserved2 = 7: only __reserved is read",
        ),
        case(
            n,
            Arg::sized(56).u8(52, 1),
            "E2BIG",
            MAIN,
            "size 56: copy_struct_from_user finds a non-zero byte past the 48-byte struct",
        ),
        case(
            n,
            Arg::sized(56),
            "0",
            MAIN,
            "size 56 with a zero tail: accepted as the 48-byte struct",
        ),
        case(
            n,
            past_buffer,
            "EFAULT",
            MAIN,
            "size 64 in a 48-byte buffer: copy_struct_from_user reads past it",
        ),
    ]
}

// struct iommu_hwpt_invalidate: size 0, hwpt_id 4, data_uptr 8, data_type 16,
// entry_len 20, entry_num 24, __reserved 28 (32).
fn hwpt_invalidate_cases() -> Vec<Case> {
    const F: &str = "drivers/iommu/iommufd/hw_pagetable.c iommufd_hwpt_invalidate";
    let n = "iommu_hwpt_invalidate";
    vec![
        case(
            n,
            Arg::sized(32),
            "0",
            F,
            "entry_num 0, entry_len 0, data_uptr 0: the documented probe of data_type",
        ),
        case(
            n,
            Arg::sized(32).u32(24, 1).u32(20, 32),
            "EINVAL",
            F,
            "entry_num 1 with data_uptr 0: `entry_num && (!data_uptr || !entry_len)`",
        ),
        case(
            n,
            Arg::sized(32).u32(24, 1).u64(8, 0x1000),
            "EINVAL",
            F,
            "entry_num 1 with entry_len 0",
        ),
        case(
            n,
            Arg::sized(32).u32(24, 2).u32(20, 64).u64(8, 0x1000),
            "0",
            F,
            "entry_len 64 > sizeof the 32-byte entry: the core does not compare it with a size",
        ),
        case(
            n,
            Arg::sized(32).u32(28, 1),
            "EOPNOTSUPP",
            F,
            "`if (cmd->__reserved)`",
        ),
        case(
            n,
            Arg::sized(24),
            "EINVAL",
            MAIN,
            "size 24 < min_size 32 (IOCTL_OP(..., __reserved))",
        ),
    ]
}

// struct iommu_ioas_map: size 0, flags 4, ioas_id 8, __reserved 12, user_va 16, length 24,
// iova 32 (40). FIXED_IOVA 1, WRITEABLE 2, READABLE 4.
fn ioas_cases() -> Vec<Case> {
    const MAP: &str = "drivers/iommu/iommufd/ioas.c iommufd_ioas_map";
    const FILE: &str = "drivers/iommu/iommufd/ioas.c iommufd_ioas_map_file";
    const COPY: &str = "drivers/iommu/iommufd/ioas.c iommufd_ioas_copy";
    const UNMAP: &str = "drivers/iommu/iommufd/ioas.c iommufd_ioas_unmap";
    let map = || Arg::sized(40).u64(16, 0x10000).u64(24, 0x1000);
    vec![
        case(
            "iommu_ioas_map",
            map().u32(4, 6),
            "0",
            MAP,
            "READABLE | WRITEABLE, the kernel picks the iova",
        ),
        case(
            "iommu_ioas_map",
            map().u32(4, 8 | 6),
            "EOPNOTSUPP",
            MAP,
            "unknown flag bit 3",
        ),
        case(
            "iommu_ioas_map",
            map().u32(4, 6).u32(12, 1),
            "EOPNOTSUPP",
            MAP,
            "`cmd->__reserved`",
        ),
        case(
            "iommu_ioas_map",
            map().u32(4, 6).u64(32, U64_MAX),
            "EOVERFLOW",
            MAP,
            "iova >= ULONG_MAX (checked without FIXED_IOVA too)",
        ),
        case(
            "iommu_ioas_map",
            map().u32(4, 6).u64(24, U64_MAX),
            "EOVERFLOW",
            MAP,
            "length >= ULONG_MAX",
        ),
        case(
            "iommu_ioas_map",
            map().u32(4, 1),
            "EINVAL",
            MAP,
            "FIXED_IOVA without READABLE or WRITEABLE",
        ),
        case(
            "iommu_ioas_map",
            map().u32(4, 8).u64(32, U64_MAX),
            "EOPNOTSUPP",
            MAP,
            "unknown flag and iova overflow: the flags come first",
        ),
        case(
            "iommu_ioas_map_file",
            Arg::sized(40).u32(4, 4).u64(24, 0x1000),
            "0",
            FILE,
            "READABLE of a memfd (fd 0 assumed a memfd)",
        ),
        case(
            "iommu_ioas_map_file",
            Arg::sized(40).u64(24, 0x1000),
            "EINVAL",
            FILE,
            "neither READABLE nor WRITEABLE",
        ),
        case(
            "iommu_ioas_copy",
            Arg::sized(40).u32(4, 5).u64(16, U64_MAX),
            "EOVERFLOW",
            COPY,
            "length >= ULONG_MAX",
        ),
        case(
            "iommu_ioas_copy",
            Arg::sized(40).u32(4, 5).u64(16, 0x1000).u64(32, U64_MAX),
            "EOVERFLOW",
            COPY,
            "src_iova >= ULONG_MAX",
        ),
        case(
            "iommu_ioas_copy",
            Arg::sized(40).u32(4, 5).u64(16, 0x1000),
            "0",
            COPY,
            "FIXED_IOVA | READABLE (a mapped source range)",
        ),
        // struct iommu_ioas_unmap: size 0, ioas_id 4, iova 8, length 16 (24).
        case(
            "iommu_ioas_unmap",
            Arg::sized(24).u64(16, U64_MAX),
            "0",
            UNMAP,
            "iova 0 with length U64_MAX: iopt_unmap_all",
        ),
        case(
            "iommu_ioas_unmap",
            Arg::sized(24).u64(8, 0x1000).u64(16, U64_MAX),
            "EOVERFLOW",
            UNMAP,
            "iova 0x1000 with length U64_MAX: length >= ULONG_MAX",
        ),
        case(
            "iommu_ioas_unmap",
            Arg::sized(24).u64(8, U64_MAX).u64(16, 1),
            "EOVERFLOW",
            UNMAP,
            "iova >= ULONG_MAX",
        ),
        // struct iommu_ioas_alloc: size 0, flags 4, out_ioas_id 8 (12).
        case(
            "iommu_ioas_alloc",
            Arg::sized(12),
            "0",
            "drivers/iommu/iommufd/ioas.c iommufd_ioas_alloc_ioctl",
            "no flags",
        ),
        case(
            "iommu_ioas_alloc",
            Arg::sized(12).u32(4, 1),
            "EOPNOTSUPP",
            "drivers/iommu/iommufd/ioas.c iommufd_ioas_alloc_ioctl",
            "`if (cmd->flags)`",
        ),
        // struct iommu_ioas_iova_ranges: __reserved at 12 (32); allow_iovas: __reserved at 12 (24).
        case(
            "iommu_ioas_iova_ranges",
            Arg::sized(32).u32(12, 1),
            "EOPNOTSUPP",
            "drivers/iommu/iommufd/ioas.c iommufd_ioas_iova_ranges",
            "`cmd->__reserved`",
        ),
        case(
            "iommu_ioas_allow_iovas",
            Arg::sized(24).u32(12, 1),
            "EOPNOTSUPP",
            "drivers/iommu/iommufd/ioas.c iommufd_ioas_allow_iovas",
            "`cmd->__reserved`",
        ),
        case(
            "iommu_ioas_change_process",
            Arg::sized(8).u32(4, 1),
            "EOPNOTSUPP",
            "drivers/iommu/iommufd/ioas.c iommufd_ioas_change_process",
            "`cmd->__reserved`",
        ),
        case(
            "iommu_ioas_change_process",
            Arg::sized(8),
            "0",
            "drivers/iommu/iommufd/ioas.c iommufd_ioas_change_process",
            "memfd-backed mappings only (assumed)",
        ),
        // struct iommu_destroy: size 0, id 4 (8).
        case(
            "iommu_destroy",
            Arg::sized(8),
            "0",
            "drivers/iommu/iommufd/main.c iommufd_destroy",
            "an existing object",
        ),
        case(
            "iommu_destroy",
            Arg::sized(4),
            "EINVAL",
            MAIN,
            "size 4 < min_size 8 (IOCTL_OP(..., id))",
        ),
        // struct iommu_vdevice_alloc: size, viommu_id, dev_id, out_vdevice_id, virt_id 16 (24).
        case(
            "iommu_vdevice_alloc",
            Arg::sized(24).u64(16, U64_MAX),
            "0",
            "drivers/iommu/iommufd/viommu.c iommufd_vdevice_alloc_ioctl",
            "virt_id U64_MAX is not > ULONG_MAX on a 64-bit kernel",
        ),
    ]
}

fn option_cases() -> Vec<Case> {
    // struct iommu_option: size 0, option_id 4, op 8 (u16), __reserved 10 (u16), object_id 12,
    // val64 16 (24). RLIMIT_MODE 0, HUGE_PAGES 1; SET 0, GET 1.
    const OPT: &str = "drivers/iommu/iommufd/main.c iommufd_option";
    const RL: &str = "drivers/iommu/iommufd/ioas.c iommufd_option_rlimit_mode";
    // struct iommu_vfio_ioas: size 0, ioas_id 4, op 8 (u16), __reserved 10 (u16) (12).
    const VF: &str = "drivers/iommu/iommufd/vfio_compat.c iommufd_vfio_ioas";
    vec![
        case(
            "iommu_option",
            Arg::sized(24).u16(8, 1),
            "0",
            RL,
            "GET of RLIMIT_MODE, object_id 0",
        ),
        case(
            "iommu_option",
            Arg::sized(24).u32(4, 2),
            "EOPNOTSUPP",
            OPT,
            "option_id 2: `default: return -EOPNOTSUPP`",
        ),
        case(
            "iommu_option",
            Arg::sized(24).u16(8, 2),
            "EOPNOTSUPP",
            RL,
            "op 2: neither GET nor SET",
        ),
        case(
            "iommu_option",
            Arg::sized(24).u16(8, 1).u16(10, 1),
            "EOPNOTSUPP",
            OPT,
            "`if (cmd->__reserved)`",
        ),
        case(
            "iommu_vfio_ioas",
            Arg::sized(12).u16(8, 2),
            "0",
            VF,
            "CLEAR",
        ),
        case(
            "iommu_vfio_ioas",
            Arg::sized(12).u16(8, 3),
            "EOPNOTSUPP",
            VF,
            "op 3: `default: return -EOPNOTSUPP`",
        ),
        case(
            "iommu_vfio_ioas",
            Arg::sized(12).u16(8, 2).u16(10, 1),
            "EOPNOTSUPP",
            VF,
            "`if (cmd->__reserved)`",
        ),
    ]
}

fn hw_cases() -> Vec<Case> {
    // struct iommu_hw_info: size 0, flags 4, dev_id 8, data_len 12, data_uptr 16,
    // in/out_data_type 24, out_max_pasid_log2 28, __reserved[3] 29, out_capabilities 32 (40).
    const HW: &str = "drivers/iommu/iommufd/device.c iommufd_get_hw_info";
    // struct iommu_hwpt_set_dirty_tracking: size, flags 4, hwpt_id 8, __reserved 12 (16).
    const SET: &str = "drivers/iommu/iommufd/hw_pagetable.c iommufd_hwpt_set_dirty_tracking";
    // struct iommu_hwpt_get_dirty_bitmap: size, hwpt_id 4, flags 8, __reserved 12, ... (48).
    const GET: &str = "drivers/iommu/iommufd/hw_pagetable.c iommufd_hwpt_get_dirty_bitmap";
    // struct iommu_fault_alloc: size, flags 4, out_fault_id 8, out_fault_fd 12 (16).
    const FAULT: &str = "drivers/iommu/iommufd/eventq.c iommufd_fault_alloc";
    vec![
        case(
            "iommu_hw_info",
            Arg::sized(32),
            "0",
            HW,
            "size 32, the 6.9 struct (min_size: IOCTL_OP(..., __reserved))",
        ),
        case(
            "iommu_hw_info",
            Arg::sized(28),
            "EINVAL",
            MAIN,
            "size 28 < min_size 32",
        ),
        case(
            "iommu_hw_info",
            Arg::sized(40).u32(4, 1).u32(24, 1),
            "0",
            HW,
            "INPUT_TYPE asking for VT-d (a VT-d device)",
        ),
        case(
            "iommu_hw_info",
            Arg::sized(40).u32(4, 2),
            "EOPNOTSUPP",
            HW,
            "`cmd->flags & ~SUPPORTED_FLAGS`",
        ),
        case(
            "iommu_hw_info",
            Arg::sized(40).u8(30, 1),
            "EOPNOTSUPP",
            HW,
            "`cmd->__reserved[1]`",
        ),
        case(
            "iommu_hw_info",
            Arg::sized(40).u8(28, 5).u64(32, !0),
            "0",
            HW,
            "out_max_pasid_log2 and out_capabilities are written, not read",
        ),
        case(
            "iommu_hwpt_set_dirty_tracking",
            Arg::sized(16).u32(4, 1),
            "0",
            SET,
            "ENABLE",
        ),
        case(
            "iommu_hwpt_set_dirty_tracking",
            Arg::sized(16).u32(4, 2),
            "EOPNOTSUPP",
            SET,
            "`cmd->flags & ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE`",
        ),
        case(
            "iommu_hwpt_set_dirty_tracking",
            Arg::sized(16).u32(12, 5),
            "0",
            SET,
            "__reserved = 5: never read",
        ),
        case(
            "iommu_hwpt_get_dirty_bitmap",
            Arg::sized(48).u32(8, 2),
            "EOPNOTSUPP",
            GET,
            "flags other than NO_CLEAR",
        ),
        case(
            "iommu_hwpt_get_dirty_bitmap",
            Arg::sized(48).u32(12, 1),
            "EOPNOTSUPP",
            GET,
            "`cmd->__reserved`",
        ),
        case(
            "iommu_hwpt_get_dirty_bitmap",
            Arg::sized(48).u32(8, 1).u64(24, 0x1000).u64(32, 0x1000),
            "0",
            GET,
            "NO_CLEAR over one page (bitmap at 0 never written: no dirty bit, assumed)",
        ),
        case(
            "iommu_fault_alloc",
            Arg::sized(16).u32(4, 1),
            "EOPNOTSUPP",
            FAULT,
            "`if (cmd->flags)`",
        ),
        case("iommu_fault_alloc", Arg::sized(16), "0", FAULT, "no flags"),
    ]
}

fn viommu_cases() -> Vec<Case> {
    // struct iommu_viommu_alloc: size, flags 4, type 8, dev_id 12, hwpt_id 16,
    // out_viommu_id 20, data_len 24, __reserved 28, data_uptr 32 (40); min_size 24.
    const VI: &str = "drivers/iommu/iommufd/viommu.c iommufd_viommu_alloc_ioctl";
    // struct iommu_veventq_alloc: size, flags 4, viommu_id 8, type 12, veventq_depth 16,
    // out_veventq_id 20, out_veventq_fd 24, __reserved 28 (32); min_size 28.
    const VE: &str = "drivers/iommu/iommufd/eventq.c iommufd_veventq_alloc";
    // struct iommu_hw_queue_alloc: size, flags 4, viommu_id 8, type 12, index 16,
    // out_hw_queue_id 20, nesting_parent_iova 24, length 32 (40).
    const HQ: &str = "drivers/iommu/iommufd/viommu.c iommufd_hw_queue_alloc_ioctl";
    vec![
        case(
            "iommu_viommu_alloc",
            Arg::sized(24).u32(8, 1),
            "0",
            VI,
            "size 24 (6.13 struct), ARM_SMMUV3 on an SMMUv3 device with a nest parent",
        ),
        case(
            "iommu_viommu_alloc",
            Arg::sized(20).u32(8, 1),
            "EINVAL",
            MAIN,
            "size 20 < min_size 24 (IOCTL_OP(..., out_viommu_id))",
        ),
        case(
            "iommu_viommu_alloc",
            Arg::sized(24),
            "EOPNOTSUPP",
            VI,
            "type DEFAULT: `cmd->type == IOMMU_VIOMMU_TYPE_DEFAULT`",
        ),
        case(
            "iommu_viommu_alloc",
            Arg::sized(24).u32(8, 1).u32(4, 1),
            "EOPNOTSUPP",
            VI,
            "`cmd->flags`",
        ),
        case(
            "iommu_viommu_alloc",
            Arg::sized(40).u32(8, 1).u32(28, 9),
            "0",
            VI,
            "__reserved = 9: never read",
        ),
        case(
            "iommu_veventq_alloc",
            Arg::sized(28).u32(12, 1).u32(16, 16),
            "0",
            VE,
            "size 28, ARM_SMMUV3 events, depth 16",
        ),
        case(
            "iommu_veventq_alloc",
            Arg::sized(28).u32(12, 1),
            "EINVAL",
            VE,
            "`!cmd->veventq_depth`",
        ),
        case(
            "iommu_veventq_alloc",
            Arg::sized(28).u32(16, 16),
            "EOPNOTSUPP",
            VE,
            "type DEFAULT",
        ),
        case(
            "iommu_veventq_alloc",
            Arg::sized(28),
            "EOPNOTSUPP",
            VE,
            "type DEFAULT and depth 0: the EOPNOTSUPP test comes first",
        ),
        case(
            "iommu_veventq_alloc",
            Arg::sized(32).u32(12, 1).u32(16, 16).u32(28, 1),
            "EOPNOTSUPP",
            VE,
            "`cmd->__reserved` (past min_size, read as given)",
        ),
        case(
            "iommu_veventq_alloc",
            Arg::sized(24),
            "EINVAL",
            MAIN,
            "size 24 < min_size 28 (IOCTL_OP(..., out_veventq_fd))",
        ),
        case(
            "iommu_hw_queue_alloc",
            Arg::sized(40).u32(12, 1).u64(24, 0x10000).u64(32, 0x1000),
            "0",
            HQ,
            "a TEGRA241_CMDQV queue of one page (contiguous guest memory assumed)",
        ),
        case(
            "iommu_hw_queue_alloc",
            Arg::sized(40).u32(12, 1).u64(24, 0x10000),
            "EINVAL",
            HQ,
            "`!cmd->length`",
        ),
        case(
            "iommu_hw_queue_alloc",
            Arg::sized(40).u64(32, 0x1000),
            "EOPNOTSUPP",
            HQ,
            "type DEFAULT",
        ),
        case(
            "iommu_hw_queue_alloc",
            Arg::sized(40)
                .u32(12, 1)
                .u64(24, U64_MAX - 0xfff)
                .u64(32, 0x2000),
            "EOVERFLOW",
            HQ,
            "check_add_overflow(iova, length - 1)",
        ),
        case(
            "iommu_hw_queue_alloc",
            Arg::sized(40)
                .u32(12, 1)
                .u64(24, U64_MAX - 0xfff)
                .u64(32, 0x1000),
            "0",
            HQ,
            "the last page: iova + length - 1 = U64_MAX",
        ),
    ]
}

fn all_cases() -> Vec<Case> {
    let mut v = hwpt_alloc_cases();
    v.extend(hwpt_invalidate_cases());
    v.extend(ioas_cases());
    v.extend(option_cases());
    v.extend(hw_cases());
    v.extend(viommu_cases());
    v
}

#[test]
fn rust_and_c_give_the_kernels_answer() {
    check(&["linux/iommufd_validate.h"], &all_cases(), rust);
}

/// Every IOMMUFD command's argument is checked, with the kernel's minimum size (main.c's
/// IOCTL_OP table, by hand: offsetofend of the last member it names).
#[test]
fn every_iommufd_command_has_the_kernels_minimum_size() {
    let min = [
        ("iommu_destroy", 8),
        ("iommu_fault_alloc", 16),
        ("iommu_hw_info", 32),
        ("iommu_hw_queue_alloc", 40),
        ("iommu_hwpt_alloc", 24),
        ("iommu_hwpt_get_dirty_bitmap", 48),
        ("iommu_hwpt_invalidate", 32),
        ("iommu_hwpt_set_dirty_tracking", 16),
        ("iommu_ioas_alloc", 12),
        ("iommu_ioas_allow_iovas", 24),
        ("iommu_ioas_change_process", 8),
        ("iommu_ioas_copy", 40),
        ("iommu_ioas_iova_ranges", 32),
        ("iommu_ioas_map", 40),
        ("iommu_ioas_map_file", 40),
        ("iommu_ioas_unmap", 24),
        ("iommu_option", 24),
        ("iommu_vdevice_alloc", 24),
        ("iommu_veventq_alloc", 28),
        ("iommu_vfio_ioas", 12),
        ("iommu_viommu_alloc", 24),
    ];
    let mut wrong = Vec::new();
    for (name, m) in min {
        let f = validator(name);
        // One byte short is refused as too small (EINVAL); the minimum itself passes the
        // size checks (a later check may refuse its zero fields).
        let too_small = |len: usize| matches!(f(&Arg::sized(len).0), Err(e) if e.errno.name() == "EINVAL" && e.reason == "smaller than the minimum size");
        if !too_small(m - 1) || too_small(m) {
            wrong.push(format!("{name}: the minimum size is not {m}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// hw_pagetable.c iommufd_hwpt_invalidate: entry_num 0 is the documented probe of
/// data_type, whatever entry_len says; the decoder of the entries accepts it too.
#[test]
fn the_invalidate_probe_decodes() {
    use linux_uapi::iommufd::{HwptInvalidate, HwptInvalidatePayload};
    let header = HwptInvalidate {
        size: 32,
        ..Default::default()
    };
    let p = HwptInvalidatePayload::decode(&header, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.count(), 0);
    // With entries, the decoder still wants entries of the type's size (the driver's
    // copy_struct_from_user of a longer entry is not modelled).
    let two = HwptInvalidate {
        entry_num: 2,
        entry_len: 64,
        ..header
    };
    assert!(HwptInvalidatePayload::decode(&two, &[0; 128]).is_err());
}
