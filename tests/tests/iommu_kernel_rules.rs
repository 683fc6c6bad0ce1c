//! Issue 16, IOMMUFD and IOMMU 5.10: each case is an argument built by hand, with the
//! answer the kernel gives derived by hand from the kernel's code (the function is named
//! with each case), never from uapigen. Every case runs through the generated Rust
//! validator and through the generated C helper (`<linux/iommufd_validate.h>`,
//! `<linux/iommu_validate.h>`, compiled with gcc); both must give the kernel's answer.
//!
//! IOMMUFD: drivers/iommu/iommufd/ of the 6.17 cycle (all 21 commands; `main.c`
//! `iommufd_fops_ioctl` reads the size with `get_user` (EFAULT), refuses `size <
//! op->min_size` (EINVAL, `IOCTL_OP(..., last)`), then `copy_struct_from_user` (E2BIG for
//! a non-zero byte past the struct, EFAULT past the buffer) before the command's function.
//! A 64-bit kernel: `ULONG_MAX` is `U64_MAX`. Where the answer depends on objects at run
//! time (IDs that exist, the driver's support), the case assumes the IDs name objects of
//! the right type and says what else it assumes.
//!
//! IOMMU 5.10: drivers/iommu/iommu.c `iommu_uapi_cache_invalidate` and
//! `iommu_sva_prepare_bind_data` (minimum size up to the union: 16 and 56), the content
//! checks `iommu_check_cache_invl_data` and `iommu_check_bind_data`, and
//! drivers/iommu/intel/svm.c `intel_svm_bind_gpasid` (argsz up to vendor.vtd).

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};

use uapigen_runtime::Reject;
use uapigen_tests::{Compiler, root};

type Validator = fn(&[u8]) -> Result<(), Reject>;

fn validator(name: &str) -> Validator {
    linux_uapi::layout_probe::iommufd::VALIDATORS
        .iter()
        .chain(linux_uapi::layout_probe::iommu::VALIDATORS)
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .unwrap_or_else(|| panic!("no validator for {name}"))
}

/// A little-endian-agnostic builder: native-endian fields at offsets of a zeroed buffer.
struct Arg(Vec<u8>);

impl Arg {
    fn new(len: usize) -> Self {
        Arg(vec![0; len])
    }
    fn u8(mut self, off: usize, v: u8) -> Self {
        self.0[off] = v;
        self
    }
    fn u16(mut self, off: usize, v: u16) -> Self {
        self.0[off..off + 2].copy_from_slice(&v.to_ne_bytes());
        self
    }
    fn u32(mut self, off: usize, v: u32) -> Self {
        self.0[off..off + 4].copy_from_slice(&v.to_ne_bytes());
        self
    }
    fn u64(mut self, off: usize, v: u64) -> Self {
        self.0[off..off + 8].copy_from_slice(&v.to_ne_bytes());
        self
    }
    /// The first `len` bytes only (a buffer shorter than its size field says).
    fn cut(mut self, len: usize) -> Self {
        self.0.truncate(len);
        self
    }
    /// An IOMMUFD argument: `size` at 0 is the buffer's length.
    fn sized(len: usize) -> Self {
        Arg::new(len).u32(0, len as u32)
    }
}

struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    kernel: &'static str,
    function: &'static str,
    what: &'static str,
}

fn case(
    name: &'static str,
    arg: Arg,
    kernel: &'static str,
    function: &'static str,
    what: &'static str,
) -> Case {
    Case {
        name,
        bytes: arg.0,
        kernel,
        function,
        what,
    }
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

// struct iommu_cache_invalidate_info (5.10): argsz 0, version 4, cache 8 (u8),
// granularity 9 (u8), padding[6] 10, granu 16 (pasid_info 16 bytes, addr_info 40) (56).
// DOMAIN 0, PASID 1, ADDR 2; cache IOTLB 1, DEV_IOTLB 2, PASID 4.
fn iommu_cases() -> Vec<Case> {
    const INV: &str = "drivers/iommu/iommu.c iommu_uapi_cache_invalidate";
    const INVCHK: &str = "drivers/iommu/iommu.c iommu_check_cache_invl_data";
    const BIND: &str = "drivers/iommu/iommu.c iommu_sva_prepare_bind_data";
    const BINDCHK: &str = "drivers/iommu/iommu.c iommu_check_bind_data";
    const VTD: &str = "drivers/iommu/intel/svm.c intel_svm_bind_gpasid";
    let n = "iommu_cache_invalidate_info";
    let inv = |argsz: u32, len: usize| Arg::new(len).u32(0, argsz).u32(4, 1).u8(8, 1);
    // struct iommu_gpasid_bind_data (5.10): argsz 0, version 4, format 8, addr_width 12,
    // flags 16, gpgd 24, hpasid 32, gpasid 40, padding[8] 48, vendor 56 (vtd 16 bytes) (72).
    let b = "iommu_gpasid_bind_data";
    let bind = |argsz: u32, len: usize| {
        Arg::new(len)
            .u32(0, argsz)
            .u32(4, 1)
            .u32(8, 1)
            .u32(12, 48)
            .u64(32, 5)
    };
    vec![
        case(
            n,
            inv(16, 16),
            "0",
            INV,
            "argsz 16 (offsetof granu) with DOMAIN granularity",
        ),
        case(n, inv(12, 16), "EINVAL", INV, "argsz 12 < minsz 16"),
        case(
            n,
            inv(16, 16).cut(8),
            "EFAULT",
            INV,
            "an 8-byte buffer: copy_from_user of minsz (16) faults",
        ),
        case(
            n,
            inv(16, 16).u32(4, 2),
            "EINVAL",
            INVCHK,
            "version 2: `info->version != IOMMU_CACHE_INVALIDATE_INFO_VERSION_1`",
        ),
        case(n, inv(16, 16).u32(4, 0), "EINVAL", INVCHK, "version 0"),
        case(
            n,
            inv(16, 16).u8(9, 1),
            "EINVAL",
            INV,
            "PASID granularity in 16 bytes: argsz < offsetofend(granu.pasid_info) (32)",
        ),
        case(
            n,
            inv(32, 32).u8(9, 1).u32(16, 1),
            "0",
            INVCHK,
            "PASID granularity in 32 bytes, pasid_info.flags PASID",
        ),
        case(
            n,
            inv(32, 32).u8(9, 2),
            "EINVAL",
            INV,
            "ADDR granularity in 32 bytes: argsz < offsetofend(granu.addr_info) (56)",
        ),
        case(
            n,
            inv(56, 56).u8(9, 2),
            "0",
            INVCHK,
            "ADDR granularity in 56 bytes",
        ),
        case(
            n,
            inv(16, 16).u8(9, 7),
            "EINVAL",
            INVCHK,
            "granularity 7 >= IOMMU_INV_GRANU_NR",
        ),
        case(
            n,
            inv(16, 16).u8(8, 8),
            "EINVAL",
            INVCHK,
            "cache bit 3: `info->cache & ~mask` (IOMMU_CACHE_INV_TYPE_NR 3)",
        ),
        case(n, inv(16, 16).u8(12, 1), "EINVAL", INVCHK, "padding[2] = 1"),
        case(
            b,
            bind(72, 72),
            "0",
            VTD,
            "argsz 72 with format INTEL_VTD, version 1, hpasid 5",
        ),
        case(
            b,
            bind(52, 56),
            "EINVAL",
            BIND,
            "argsz 52 < minsz 56 (offsetof vendor)",
        ),
        case(
            b,
            bind(56, 56),
            "EINVAL",
            VTD,
            "argsz 56: `data->argsz < offsetofend(..., vendor.vtd)` (72)",
        ),
        case(
            b,
            bind(72, 72).u32(4, 0),
            "EINVAL",
            BINDCHK,
            "version 0: `data->version != IOMMU_GPASID_BIND_VERSION_1`",
        ),
        case(
            b,
            bind(72, 72).u64(16, 2),
            "EINVAL",
            BINDCHK,
            "flags bit 1: `data->flags & ~IOMMU_SVA_GPASID_VAL`",
        ),
        case(
            b,
            bind(72, 72).u8(55, 1),
            "EINVAL",
            BINDCHK,
            "padding[7] = 1",
        ),
        case(
            b,
            bind(72, 72).u32(8, 2),
            "EINVAL",
            BINDCHK,
            "format 2 >= IOMMU_PASID_FORMAT_LAST",
        ),
        case(
            b,
            bind(56, 56).cut(40),
            "EFAULT",
            BIND,
            "a 40-byte buffer: copy_from_user of minsz (56) faults",
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
    v.extend(iommu_cases());
    v
}

fn rust_answer(c: &Case) -> String {
    match validator(c.name)(&c.bytes) {
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
        "#include <linux/iommufd_validate.h>\n#include <linux/iommu_validate.h>\n#include <stdio.h>\n#include <string.h>\n#include <errno.h>\n\n",
    );
    src.push_str("static int run(const char *name, const void *buf, __u32 len)\n{\n");
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
		size_t i, n = hex ? strlen(hex) / 2 : 0;
		for (i = 0; i < n; i++) {
			unsigned v;
			sscanf(hex + 2 * i, "%2x", &v);
			buf[i] = (unsigned char)v;
		}
		printf("%s\n", errno_name(run(name ? name : "", buf, (__u32)n)));
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
        let _ = writeln!(input, "{} {hex}", c.name);
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
