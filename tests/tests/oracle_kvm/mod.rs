//! The KVM part of the kernel oracle: KVM_CREATE_VM types, KVM_SET_USER_MEMORY_REGION flags,
//! slots and ranges, KVM_ENABLE_CAP, KVM_IRQFD, KVM_IOEVENTFD, KVM_SET_MSRS/GET_MSRS counts,
//! KVM_SET_CPUID2 counts and KVM_SET_CLOCK flags.

use std::os::fd::{AsFd, AsRawFd, OwnedFd};

use linux_uapi::kvm;
use uapigen_runtime::ioctl::{call_ptr, call_value};

use crate::oracle_support::{Arg, Oracle, Validator, kernel_name, put};
use crate::oracle_uffd_loop::bytes_of;

fn v(name: &'static str) -> (&'static str, Validator) {
    let f = linux_uapi::layout_probe::kvm::VALIDATORS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .unwrap_or_else(|| panic!("no validator of {name}"));
    (name, f)
}

fn call(fd: &OwnedFd, opcode: u32, bytes: &[u8]) -> String {
    let mut a = Arg::from(bytes);
    // SAFETY: the buffer holds 4096 bytes, more than the kernel reads for these arguments;
    // a memory slot's host memory is a mapping the test keeps until the VM is closed.
    kernel_name(unsafe { call_ptr(fd.as_fd(), opcode, &mut a.0[..]) })
}

fn bits32(seed: &mut u64) -> Vec<(u32, Option<u32>)> {
    let mut v: Vec<(u32, Option<u32>)> = (0..32).map(|b| (1u32 << b, Some(b))).collect();
    v.push((0, None));
    for _ in 0..6 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        v.push((*seed as u32 & 0xff, None));
    }
    v
}

pub fn kvm(o: &mut Oracle) {
    let sys: OwnedFd = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/kvm")
        .unwrap_or_else(|e| {
            panic!("/dev/kvm is not usable ({e}): the kernel-oracle test needs KVM")
        })
        .into();
    let mut seed = 0x0ddb_a11c_0ffe_e001_u64;

    // KVM_CREATE_VM: a value argument, no generated validator; the spec says 0 on x86.
    for t in [0u64, 1, 2, 3, 4, 5, 6, 7, 8, 16, 0x100, 0x8000_0000] {
        // SAFETY: KVM_CREATE_VM takes the machine type by value.
        let r = unsafe { call_value(sys.as_fd(), kvm::KVM_CREATE_VM, t as usize) };
        if let Ok(fd) = r {
            // SAFETY: KVM_CREATE_VM returned a new fd that nothing else owns.
            drop(unsafe { <OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) });
        }
        // x86 VM types of newer kernels (KVM_X86_SW_PROTECTED_VM 6.8, SEV 6.10, ...) are
        // values, listed in the fixture.
        let expect = if t == 0 { "0" } else { "EINVAL" };
        let single = (1..=5).contains(&t).then_some(("type", t as u32));
        o.record_value(
            "KVM_CREATE_VM",
            "tags",
            t,
            expect,
            kernel_name(r.map(|_| 0)),
            single,
        );
    }

    let vm = kvm::create_vm(sys.as_fd(), 0).unwrap_or_else(|e| panic!("KVM_CREATE_VM: {e}"));
    // SAFETY: KVM_CHECK_EXTENSION takes the capability by value.
    let slots = unsafe {
        call_value(
            vm.as_fd(),
            kvm::KVM_CHECK_EXTENSION,
            kvm::KVM_CAP_NR_MEMSLOTS as usize,
        )
    }
    .unwrap_or(0) as u32;
    let spaces = unsafe {
        call_value(
            vm.as_fd(),
            kvm::KVM_CHECK_EXTENSION,
            kvm::KVM_CAP_MULTI_ADDRESS_SPACE as usize,
        )
    }
    .unwrap_or(1)
    .max(1) as u32;
    println!("KVM: {slots} memory slots per address space, {spaces} address spaces");
    let mem_len = 16 * 4096;
    // SAFETY: a fresh private anonymous mapping the VM's slots point at.
    let mem = unsafe {
        rustix::mm::mmap_anonymous(
            core::ptr::null_mut(),
            mem_len,
            rustix::mm::ProtFlags::READ | rustix::mm::ProtFlags::WRITE,
            rustix::mm::MapFlags::PRIVATE,
        )
    }
    .unwrap_or_else(|e| panic!("mmap: {e}"));
    let base = kvm::UserspaceMemoryRegion {
        slot: 0,
        flags: 0,
        guest_phys_addr: 0x10_0000,
        memory_size: mem_len as u64,
        userspace_addr: mem as u64,
    };
    let mut cases: Vec<(
        kvm::UserspaceMemoryRegion,
        &'static str,
        Option<&'static str>,
        Option<u32>,
    )> = Vec::new();
    for _ in 0..12 {
        for (f, bit) in bits32(&mut seed) {
            cases.push((
                kvm::UserspaceMemoryRegion { flags: f, ..base },
                "flags",
                None,
                bit,
            ));
        }
        for s in [
            0u32,
            1,
            2,
            100,
            slots.saturating_sub(1),
            slots,
            slots + 1,
            0x7fff,
            0x8000,
            0xffff,
            0x1_0000,
            0x1_0001,
            0x2_0000,
            u32::MAX,
        ] {
            let st = ((s >> 16) >= spaces || (s & 0xffff) >= slots)
                .then_some("past the slot limits KVM_CHECK_EXTENSION reports (NR_MEMSLOTS, MULTI_ADDRESS_SPACE)");
            cases.push((
                kvm::UserspaceMemoryRegion { slot: s, ..base },
                "tags",
                st,
                None,
            ));
        }
        for g in [
            u64::MAX - mem_len as u64 + 1,
            !0xfff,
            (1 << 63) & !0xfff,
            1 << 40,
        ] {
            let wraps = g.checked_add(mem_len as u64).is_none();
            let st = (!wraps)
                .then_some("above the guest physical address width of the host (kvm_mmu_max_gfn)");
            cases.push((
                kvm::UserspaceMemoryRegion {
                    guest_phys_addr: g,
                    ..base
                },
                "wrap-around",
                st,
                None,
            ));
        }
        cases.push((
            kvm::UserspaceMemoryRegion {
                memory_size: 100,
                ..base
            },
            "sizes",
            Some("the page size is the running kernel's"),
            None,
        ));
        cases.push((base, "sizes", None, None));
    }
    for (c, class, st, bit) in &cases {
        let b = bytes_of(c);
        let k = call(&vm, kvm::KVM_SET_USER_MEMORY_REGION, &b);
        if k == "0" {
            let del = bytes_of(&kvm::UserspaceMemoryRegion {
                memory_size: 0,
                ..*c
            });
            assert_eq!(
                call(&vm, kvm::KVM_SET_USER_MEMORY_REGION, &del),
                "0",
                "deleting slot {}",
                c.slot
            );
        }
        o.record(
            "KVM_SET_USER_MEMORY_REGION",
            class,
            v("kvm_userspace_memory_region"),
            &b,
            k,
            *st,
            bit.map(|b| ("flags", b)),
        );
    }

    // KVM_ENABLE_CAP of HALT_POLL: flags, padding, and other capabilities (tags).
    let cap = |c: u32, flags: u32, pad: u8| {
        let mut e = kvm::EnableCap {
            cap: c,
            flags,
            ..Default::default()
        };
        e.args[0] = 1000;
        e.pad[(pad as usize) % 64] = pad;
        bytes_of(&e)
    };
    for round in 0..32u8 {
        let mut cs: Vec<(Vec<u8>, &'static str, Option<&'static str>)> = Vec::new();
        for (f, _) in bits32(&mut seed) {
            cs.push((cap(kvm::KVM_CAP_HALT_POLL, f, 0), "flags", None));
        }
        for p in 0..8u8 {
            cs.push((
                cap(kvm::KVM_CAP_HALT_POLL, 0, p * 31 + round),
                "reserved",
                None,
            ));
        }
        for c in [0u32, 1, 10, 118, 5000, u32::MAX] {
            cs.push((
                cap(c, 0, 0),
                "tags",
                Some("which capabilities a VM can enable is the kernel's (KVM_CHECK_EXTENSION)"),
            ));
        }
        for (b, class, st) in cs {
            let k = call(&vm, kvm::KVM_ENABLE_CAP, &b);
            o.record(
                "KVM_ENABLE_CAP",
                class,
                v("kvm_enable_cap"),
                &b,
                k,
                st,
                None,
            );
        }
    }

    // KVM_IRQFD and KVM_IOEVENTFD on a VM with an in-kernel irqchip.
    kvm::create_irqchip(vm.as_fd()).unwrap_or_else(|e| panic!("KVM_CREATE_IRQCHIP: {e}"));
    let efd = rustix::event::eventfd(0, rustix::event::EventfdFlags::CLOEXEC)
        .unwrap_or_else(|e| panic!("eventfd: {e}"));
    let rfd = rustix::event::eventfd(0, rustix::event::EventfdFlags::CLOEXEC)
        .unwrap_or_else(|e| panic!("eventfd: {e}"));
    let irq = kvm::Irqfd {
        fd: efd.as_raw_fd() as u32,
        gsi: 5,
        flags: 0,
        resamplefd: rfd.as_raw_fd() as u32,
        pad: [0; 16],
    };
    for round in 0..32u32 {
        let mut cs: Vec<(kvm::Irqfd, &'static str, Option<u32>)> = Vec::new();
        for (f, bit) in bits32(&mut seed) {
            cs.push((kvm::Irqfd { flags: f, ..irq }, "flags", bit));
        }
        for g in [0u32, 1, 23, round + 2] {
            cs.push((kvm::Irqfd { gsi: g, ..irq }, "tags", None));
        }
        let mut p = irq;
        p.pad[(round % 16) as usize] = 0xa5;
        cs.push((p, "reserved", None));
        for (c, class, bit) in cs {
            let b = bytes_of(&c);
            let k = call(&vm, kvm::KVM_IRQFD, &b);
            if k == "0" && c.flags & kvm::KVM_IRQFD_FLAG_DEASSIGN == 0 {
                let d = bytes_of(&kvm::Irqfd {
                    flags: kvm::KVM_IRQFD_FLAG_DEASSIGN,
                    ..c
                });
                assert_eq!(call(&vm, kvm::KVM_IRQFD, &d), "0", "KVM_IRQFD deassign");
            }
            o.record(
                "KVM_IRQFD",
                class,
                v("kvm_irqfd"),
                &b,
                k,
                None,
                bit.map(|b| ("flags", b)),
            );
        }
    }

    let ioe = kvm::Ioeventfd {
        datamatch: 0,
        addr: 0xd000_0000,
        len: 4,
        fd: efd.as_raw_fd(),
        flags: 0,
        pad: [0; 36],
    };
    for round in 0..32u64 {
        let mut cs: Vec<(kvm::Ioeventfd, &'static str, Option<u32>)> = Vec::new();
        for (f, bit) in bits32(&mut seed) {
            cs.push((kvm::Ioeventfd { flags: f, ..ioe }, "flags", bit));
        }
        for l in [0u32, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 0x8000_0000, u32::MAX] {
            cs.push((kvm::Ioeventfd { len: l, ..ioe }, "sizes", None));
            cs.push((
                kvm::Ioeventfd {
                    len: l,
                    flags: kvm::KVM_IOEVENTFD_FLAG_DATAMATCH,
                    ..ioe
                },
                "sizes",
                None,
            ));
        }
        for a in [u64::MAX - 3, u64::MAX - 7, u64::MAX, 0x1000 + round * 8] {
            cs.push((
                kvm::Ioeventfd {
                    addr: a,
                    len: 8,
                    ..ioe
                },
                "wrap-around",
                None,
            ));
        }
        let mut p = ioe;
        p.pad[(round % 36) as usize] = 0x5a;
        cs.push((p, "reserved", None));
        for (c, class, bit) in cs {
            let b = bytes_of(&c);
            let k = call(&vm, kvm::KVM_IOEVENTFD, &b);
            if k == "0" && c.flags & kvm::KVM_IOEVENTFD_FLAG_DEASSIGN == 0 {
                let d = bytes_of(&kvm::Ioeventfd {
                    flags: c.flags | kvm::KVM_IOEVENTFD_FLAG_DEASSIGN,
                    ..c
                });
                assert_eq!(
                    call(&vm, kvm::KVM_IOEVENTFD, &d),
                    "0",
                    "KVM_IOEVENTFD deassign"
                );
            }
            let st = (c.flags & kvm::KVM_IOEVENTFD_FLAG_DEASSIGN != 0)
                .then_some("removing an ioeventfd that is not registered (kvm_deassign_ioeventfd)");
            o.record(
                "KVM_IOEVENTFD",
                class,
                v("kvm_ioeventfd"),
                &b,
                k,
                st,
                bit.map(|b| ("flags", b)),
            );
        }
    }

    // KVM_SET_MSRS and KVM_GET_MSRS on a vCPU: the count of entries.
    let vcpu = kvm::create_vcpu(vm.as_fd(), 0).unwrap_or_else(|e| panic!("KVM_CREATE_VCPU: {e}"));
    for round in 0..12u32 {
        for n in (0..12).chain([100, 254, 255, 256, 257, 300, 1000, 0x8000_0000, u32::MAX]) {
            let mut b = vec![0u8; 8 + 16 * (n.min(255) as usize)];
            put(&mut b, 0, 4, u64::from(n));
            put(&mut b, 4, 4, u64::from(round));
            for i in 0..n.min(255) as usize {
                put(&mut b, 8 + 16 * i, 4, 0x174); // IA32_SYSENTER_CS
                put(&mut b, 8 + 16 * i + 4, 4, u64::from(round));
            }
            for (name, op) in [
                ("KVM_SET_MSRS", kvm::KVM_SET_MSRS),
                ("KVM_GET_MSRS", kvm::KVM_GET_MSRS),
            ] {
                let k = call(&vcpu, op, &b);
                o.record(name, "counts", v("kvm_msrs"), &b, k, None, None);
            }
        }
    }

    // KVM_SET_CPUID2 on the vCPU (which never runs, so any set is taken again): the count,
    // and the padding and entry fields the kernel does not check. The leaves are 0, 1 and 7
    // with random registers (the kernel's content checks are of leaves 0xd and 0x80000008).
    let entry = 40;
    for round in 0..12u32 {
        for n in (0..12).chain([100, 255, 256, 257, 300, 1000, 0x8000_0000, u32::MAX]) {
            let held = n.min(256) as usize;
            let mut b = vec![0u8; 8 + entry * held];
            put(&mut b, 0, 4, u64::from(n));
            put(&mut b, 4, 4, u64::from(round) << 16);
            for i in 0..held {
                let e = 8 + entry * i;
                put(&mut b, e, 4, [0, 1, 7][i % 3]);
                for reg in 0..4 {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    put(&mut b, e + 12 + 4 * reg, 4, seed & 0xffff_ffff);
                }
            }
            let k = call_big(&vcpu, kvm::KVM_SET_CPUID2, &b);
            o.record(
                "KVM_SET_CPUID2",
                "counts",
                v("kvm_cpuid2"),
                &b,
                k,
                None,
                None,
            );
        }
    }
    for _ in 0..100 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let n = (seed % 4) as usize;
        let mut b = vec![0u8; 8 + entry * n];
        put(&mut b, 0, 4, n as u64);
        put(&mut b, 4, 4, seed >> 32);
        for i in 0..n {
            let e = 8 + entry * i;
            put(&mut b, e + 4, 4, (seed >> 8) & 0xf); // index
            put(&mut b, e + 8, 4, (seed >> 16) & 0x7); // flags
            put(&mut b, e + 28, 4, seed >> 24);
            put(&mut b, e + 32, 8, seed.rotate_left(i as u32 * 7));
        }
        let k = call_big(&vcpu, kvm::KVM_SET_CPUID2, &b);
        o.record(
            "KVM_SET_CPUID2",
            "reserved",
            v("kvm_cpuid2"),
            &b,
            k,
            None,
            None,
        );
    }

    // KVM_SET_CLOCK on the VM: the flags, and the padding the kernel does not check.
    for round in 0..24u32 {
        for (f, bit) in bits32(&mut seed) {
            let mut b = vec![0u8; 48];
            put(&mut b, 0, 8, u64::from(round) * 1_000_000_007);
            put(&mut b, 8, 4, u64::from(f));
            put(&mut b, 16, 8, seed);
            let k = call(&vm, kvm::KVM_SET_CLOCK, &b);
            o.record(
                "KVM_SET_CLOCK",
                "flags",
                v("kvm_clock_data"),
                &b,
                k,
                None,
                bit.map(|b| ("flags", b)),
            );
        }
    }
    for _ in 0..100 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut b = vec![0u8; 48];
        put(&mut b, 8, 4, seed & 0xe); // known bits only (bit 0 is not one)
        put(&mut b, 12, 4, seed >> 32);
        put(&mut b, 32, 8, seed.rotate_left(17));
        put(&mut b, 40, 8, seed.rotate_left(41));
        let k = call(&vm, kvm::KVM_SET_CLOCK, &b);
        o.record(
            "KVM_SET_CLOCK",
            "reserved",
            v("kvm_clock_data"),
            &b,
            k,
            None,
            None,
        );
    }
}

/// `call` for arguments larger than the 4096 bytes of [`Arg`] (KVM_SET_CPUID2's 256
/// entries): a buffer of the kernel's largest read plus room.
fn call_big(fd: &OwnedFd, opcode: u32, bytes: &[u8]) -> String {
    let mut a = vec![0u8; (8 + 40 * 257).max(bytes.len())];
    a[..bytes.len()].copy_from_slice(bytes);
    // SAFETY: the buffer holds more than the kernel reads (at most 256 entries of 40 bytes
    // after the 8-byte header).
    kernel_name(unsafe { call_ptr(fd.as_fd(), opcode, &mut a[..]) })
}

/// TUNSETOFFLOAD on a tun interface in a new network namespace: a value argument without a
/// generated validator, judged by the spec's flag set (`TunOffloadFlags`); TUNSETIFF makes
/// the interface first.
pub fn tun(o: &mut Oracle) {
    let answers = std::thread::spawn(|| {
        // SAFETY: NEWNET moves only this thread to a new network namespace.
        unsafe { rustix::thread::unshare_unsafe(rustix::thread::UnshareFlags::NEWNET) }
            .unwrap_or_else(|e| panic!("unshare(CLONE_NEWNET): {e}: the oracle needs root"));
        let dev: OwnedFd = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/net/tun")
            .unwrap_or_else(|e| panic!("/dev/net/tun is not usable ({e}): the oracle needs it"))
            .into();
        let mut req = [0u8; 40];
        req[16..18].copy_from_slice(&linux_uapi::if_tun::TunIffFlags::TUN.bits().to_ne_bytes());
        linux_uapi::if_tun::tunsetiff(dev.as_fd(), &mut req)
            .unwrap_or_else(|e| panic!("TUNSETIFF: {e}"));
        // A valid base (CSUM and TSO4: set_offload consumes TSO bits only with CSUM, and
        // TSO_ECN only with a TSO bit), then one more bit or random known bits.
        let known = linux_uapi::if_tun::TunOffloadFlags::all().bits();
        let base = (linux_uapi::if_tun::TunOffloadFlags::CSUM
            | linux_uapi::if_tun::TunOffloadFlags::TSO4)
            .bits();
        let mut out: Vec<(u32, Option<u32>, String)> = Vec::new();
        let mut seed = 0x7e57_0ff1_0ad5_u64;
        for round in 0..24u32 {
            for bit in 0..32u32 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let (v, single) = if round % 2 == 0 {
                    (base | 1 << bit, (base & 1 << bit == 0).then_some(bit))
                } else {
                    (base | (seed as u32 & known), None)
                };
                // SAFETY: TUNSETOFFLOAD takes the offload bits by value.
                let r = unsafe {
                    call_value(dev.as_fd(), linux_uapi::if_tun::TUNSETOFFLOAD, v as usize)
                };
                out.push((v, single, kernel_name(r)));
            }
        }
        out
    })
    .join()
    .unwrap_or_else(|e| std::panic::resume_unwind(e));
    for (v, single, k) in answers {
        let known = linux_uapi::if_tun::TunOffloadFlags::from_bits(v).is_some();
        let expect = if known { "0" } else { "EINVAL" };
        o.record_value(
            "TUNSETOFFLOAD",
            "flags",
            u64::from(v),
            expect,
            k,
            single.map(|b| ("value", b)),
        );
    }
}
