//! Consuming the checked-in `linux-uapi` crate: a KVM guest run with nothing but the
//! generated bindings and their safe wrappers (`kvm_hello`), used by the `kvm-hello`
//! example and by the tests.

use std::io;

use linux_uapi::kvm;
use rustix::fs::{Mode, OFlags};
use rustix::mm::{MapFlags, ProtFlags};

/// What the guest did.
#[derive(Debug, Default)]
pub struct GuestReport {
    /// Bytes the guest wrote to the serial port (0x3f8).
    pub output: String,
    /// Every exit, by name, in order.
    pub exits: Vec<String>,
    /// The KVM API version the kernel reports.
    pub api_version: i32,
}

/// 16-bit real-mode code at guest address 0x1000: print the string at 0x1010 to port
/// 0x3f8 one byte at a time, then halt.
const GUEST_CODE: &[u8] = &[
    0xba, 0xf8, 0x03, // mov dx, 0x3f8
    0xbe, 0x10, 0x10, // mov si, 0x1010
    0xac, // lodsb
    0x84, 0xc0, // test al, al
    0x74, 0x03, // jz +3 (to hlt)
    0xee, // out dx, al
    0xeb, 0xf8, // jmp -8 (to lodsb)
    0xf4, // hlt
];
const GUEST_MESSAGE: &[u8] = b"Hello from a uapigen guest!\n\0";
const MEM_SIZE: usize = 0x10000;

fn errno(e: rustix::io::Errno) -> io::Error {
    io::Error::from_raw_os_error(e.raw_os_error())
}

/// A mapping that is unmapped when dropped.
struct Mapping {
    ptr: *mut core::ffi::c_void,
    len: usize,
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: `ptr`/`len` come from a successful mmap and are unmapped once.
        let _ = unsafe { rustix::mm::munmap(self.ptr, self.len) };
    }
}

/// Create a VM with 64 KiB of memory, run one vCPU in real mode until it halts, and report
/// what it wrote and the exits it took. Every KVM call goes through `linux_uapi::kvm`.
pub fn kvm_hello() -> io::Result<GuestReport> {
    let kvm_fd = rustix::fs::open("/dev/kvm", OFlags::RDWR | OFlags::CLOEXEC, Mode::empty())
        .map_err(errno)?;
    let api_version = kvm::get_api_version(&kvm_fd).map_err(errno)?;
    if api_version != kvm::API_VERSION as i32 {
        return Err(io::Error::other(format!(
            "KVM API version {api_version}, expected {}",
            kvm::API_VERSION
        )));
    }
    let vm = kvm::create_vm(&kvm_fd, 0).map_err(errno)?;

    // Guest memory: anonymous, shared with the guest at physical address 0.
    // SAFETY: a fresh anonymous mapping; nothing else refers to it.
    let mem_ptr = unsafe {
        rustix::mm::mmap_anonymous(
            core::ptr::null_mut(),
            MEM_SIZE,
            ProtFlags::READ | ProtFlags::WRITE,
            MapFlags::PRIVATE,
        )
    }
    .map_err(errno)?;
    let mem_map = Mapping {
        ptr: mem_ptr,
        len: MEM_SIZE,
    };
    // SAFETY: the mapping is MEM_SIZE bytes, readable and writable, and only used here.
    let mem = unsafe { core::slice::from_raw_parts_mut(mem_map.ptr.cast::<u8>(), MEM_SIZE) };
    mem[0x1000..0x1000 + GUEST_CODE.len()].copy_from_slice(GUEST_CODE);
    mem[0x1010..0x1010 + GUEST_MESSAGE.len()].copy_from_slice(GUEST_MESSAGE);
    let region = kvm::UserspaceMemoryRegion {
        slot: 0,
        guest_phys_addr: 0,
        memory_size: MEM_SIZE as u64,
        userspace_addr: mem_map.ptr as u64,
        ..Default::default()
    };
    // SAFETY: the slot's memory is the MEM_SIZE-byte mapping above, which outlives the VM
    // (both end with this function); the guest writes only there, and Rust reads it only
    // through `mem`, after the guest has stopped.
    unsafe { kvm::set_user_memory_region(&vm, &region) }.map_err(errno)?;

    let vcpu = kvm::create_vcpu(&vm, 0).map_err(errno)?;
    let run_size = kvm::get_vcpu_mmap_size(&kvm_fd).map_err(errno)? as usize;
    // SAFETY: the kernel's kvm_run area of the vCPU, run_size bytes, shared.
    let run_ptr = unsafe {
        rustix::mm::mmap(
            core::ptr::null_mut(),
            run_size,
            ProtFlags::READ | ProtFlags::WRITE,
            MapFlags::SHARED,
            &vcpu,
            0,
        )
    }
    .map_err(errno)?;
    let run_map = Mapping {
        ptr: run_ptr,
        len: run_size,
    };

    // Real mode at 0x0000:0x1000 with flat segments based at 0.
    let mut sregs = kvm::Sregs::default();
    kvm::get_sregs(&vcpu, &mut sregs).map_err(errno)?;
    for seg in [&mut sregs.cs, &mut sregs.ds, &mut sregs.es, &mut sregs.ss] {
        seg.base = 0;
        seg.selector = 0;
    }
    kvm::set_sregs(&vcpu, &sregs).map_err(errno)?;
    let regs = kvm::Regs {
        rip: 0x1000,
        rflags: 0x2,
        ..Default::default()
    };
    kvm::set_regs(&vcpu, &regs).map_err(errno)?;

    let mut report = GuestReport {
        api_version,
        ..GuestReport::default()
    };
    for _ in 0..1000 {
        kvm::run(&vcpu).map_err(errno)?;
        // SAFETY: the kvm_run mapping is run_size bytes and the vCPU is stopped while we read.
        let bytes = unsafe { core::slice::from_raw_parts(run_map.ptr.cast::<u8>(), run_map.len) };
        let (_, exit) =
            kvm::RunPayload::decode(bytes).map_err(|e| io::Error::other(e.to_string()))?;
        match exit {
            kvm::RunPayload::Io(io) if io.direction == kvm::EXIT_IO_OUT && io.port == 0x3f8 => {
                report.exits.push("IO".into());
                let start = io.data_offset as usize;
                let len = usize::from(io.size) * io.count as usize;
                let data = bytes
                    .get(start..start + len)
                    .ok_or_else(|| io::Error::other("I/O data outside kvm_run"))?;
                report.output.push_str(&String::from_utf8_lossy(data));
            }
            kvm::RunPayload::Hlt => {
                report.exits.push("HLT".into());
                return Ok(report);
            }
            other => {
                report.exits.push(format!("{other:?}"));
                return Err(io::Error::other(format!(
                    "unexpected exit {other:?} after {:?}",
                    report.exits
                )));
            }
        }
    }
    Err(io::Error::other("the guest did not halt"))
}
