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

/// A VM with 64 KiB of memory at guest address 0 holding `code` at 0x1000 (and `data` at
/// 0x1010), and one vCPU in real mode about to run it. Every KVM call goes through
/// `linux_uapi::kvm`.
struct Guest {
    kvm: rustix::fd::OwnedFd,
    // The VM and the vCPU before the mappings: the kernel drops the VM's use of the memory
    // when they close, then the mappings go.
    _vm: rustix::fd::OwnedFd,
    vcpu: rustix::fd::OwnedFd,
    mem: Mapping,
    run: Mapping,
    api_version: i32,
}

impl Guest {
    fn new(code: &[u8], data: &[u8]) -> io::Result<Guest> {
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
        mem[0x1000..0x1000 + code.len()].copy_from_slice(code);
        mem[0x1010..0x1010 + data.len()].copy_from_slice(data);
        let region = kvm::UserspaceMemoryRegion {
            slot: 0,
            guest_phys_addr: 0,
            memory_size: MEM_SIZE as u64,
            userspace_addr: mem_map.ptr as u64,
            ..Default::default()
        };
        // SAFETY: the slot's memory is the MEM_SIZE-byte mapping above, which the Guest
        // owns and unmaps only after the VM's fd is closed (field order); the guest writes
        // only there, and Rust reads it only through `Guest::memory`, while the guest is
        // stopped.
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
        Ok(Guest {
            kvm: kvm_fd,
            _vm: vm,
            vcpu,
            mem: mem_map,
            run: run_map,
            api_version,
        })
    }

    /// The guest's memory, while the vCPU is stopped.
    fn memory(&self) -> &[u8] {
        // SAFETY: the mapping is `len` bytes and lives as long as `self`; the vCPU runs only
        // inside `Guest::run`, which borrows `self` mutably, so no such slice is alive then.
        unsafe { core::slice::from_raw_parts(self.mem.ptr.cast::<u8>(), self.mem.len) }
    }

    /// Run until the next exit and decode it.
    fn run(&mut self) -> io::Result<(kvm::RunPayload, &[u8])> {
        kvm::run(&self.vcpu).map_err(errno)?;
        // SAFETY: the kvm_run mapping is `len` bytes and the vCPU is stopped while we read.
        let bytes = unsafe { core::slice::from_raw_parts(self.run.ptr.cast::<u8>(), self.run.len) };
        let (_, exit) =
            kvm::RunPayload::decode(bytes).map_err(|e| io::Error::other(e.to_string()))?;
        Ok((exit, bytes))
    }
}

/// Create a VM with 64 KiB of memory, run one vCPU in real mode until it halts, and report
/// what it wrote and the exits it took. Every KVM call goes through `linux_uapi::kvm`.
pub fn kvm_hello() -> io::Result<GuestReport> {
    let mut g = Guest::new(GUEST_CODE, GUEST_MESSAGE)?;
    let api_version = g.api_version;
    let mut report = GuestReport {
        api_version,
        ..GuestReport::default()
    };
    for _ in 0..1000 {
        let (exit, bytes) = g.run()?;
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

/// 16-bit real-mode code at guest address 0x1000: CPUID leaf 0, then its vendor string
/// (EBX, EDX, ECX) stored at 0x2000, then halt.
const CPUID_CODE: &[u8] = &[
    0x66, 0x31, 0xc0, // xor eax, eax
    0x0f, 0xa2, // cpuid
    0x66, 0x89, 0x1e, 0x00, 0x20, // mov [0x2000], ebx
    0x66, 0x89, 0x16, 0x04, 0x20, // mov [0x2004], edx
    0x66, 0x89, 0x0e, 0x08, 0x20, // mov [0x2008], ecx
    0xf4, // hlt
];

/// What [`kvm_cpuid_vendor`] saw.
#[derive(Debug)]
pub struct CpuidReport {
    /// How many leaves KVM_GET_SUPPORTED_CPUID gave.
    pub supported: usize,
    /// The vendor string the guest read with CPUID.
    pub guest_vendor: [u8; 12],
    /// What KVM_GET_CPUID2 gives back after KVM_SET_CPUID2.
    pub read_back: Vec<kvm::CpuidEntry2>,
    /// What was set.
    pub set: Vec<kvm::CpuidEntry2>,
}

/// Set a vCPU's CPUID to what KVM supports with leaf 0's vendor string replaced by
/// `vendor`, through the counted flexible-array buffers (`FlexBuf<Cpuid2>`), and run a
/// guest that reads it back with the CPUID instruction.
pub fn kvm_cpuid_vendor(vendor: [u8; 12]) -> io::Result<CpuidReport> {
    use uapigen_runtime::FlexBuf;
    let mut g = Guest::new(CPUID_CODE, &[])?;
    let room = <kvm::Cpuid2 as uapigen_runtime::FamCount>::MAX;
    let mut supported = FlexBuf::<kvm::Cpuid2>::with_count(room).map_err(io::Error::other)?;
    kvm::get_supported_cpuid(&g.kvm, &mut supported).map_err(errno)?;
    let mut leaves = supported.to_vec();
    let word =
        |i: usize| u32::from_le_bytes([vendor[i], vendor[i + 1], vendor[i + 2], vendor[i + 3]]);
    let leaf0 = leaves
        .iter_mut()
        .find(|e| e.function == 0)
        .ok_or_else(|| io::Error::other("KVM_GET_SUPPORTED_CPUID has no leaf 0"))?;
    // The vendor string is EBX, EDX, ECX.
    (leaf0.ebx, leaf0.edx, leaf0.ecx) = (word(0), word(4), word(8));
    let mut set = FlexBuf::<kvm::Cpuid2>::from_entries(&leaves).map_err(io::Error::other)?;
    kvm::set_cpuid2(&g.vcpu, &mut set).map_err(errno)?;
    let mut back = FlexBuf::<kvm::Cpuid2>::with_count(room).map_err(io::Error::other)?;
    kvm::get_cpuid2(&g.vcpu, &mut back).map_err(errno)?;
    // The code runs straight to HLT: the first exit is it.
    match g.run()?.0 {
        kvm::RunPayload::Hlt => {
            let mut guest_vendor = [0u8; 12];
            guest_vendor.copy_from_slice(&g.memory()[0x2000..0x200c]);
            Ok(CpuidReport {
                supported: supported.entries().len(),
                guest_vendor,
                read_back: back.to_vec(),
                set: leaves,
            })
        }
        other => Err(io::Error::other(format!("unexpected exit {other:?}"))),
    }
}
