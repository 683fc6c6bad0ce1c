//! `kvm-hello` runs a real guest on this machine's KVM. /dev/kvm is usable on the project's
//! machines and in CI; if it is not, the test fails and says so (it is never skipped).

#[test]
fn kvm_hello_runs_a_real_guest() {
    if let Err(e) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/kvm")
    {
        panic!(
            "/dev/kvm is not usable ({e}): this test needs KVM (a machine with /dev/kvm, root or the kvm group)"
        );
    }
    let report =
        uapigen_example_crate::kvm_hello().unwrap_or_else(|e| panic!("kvm-hello failed: {e}"));
    assert_eq!(
        report.api_version, 12,
        "KVM_API_VERSION is 12 since Linux 2.6.22"
    );
    assert_eq!(report.output, "Hello from a uapigen guest!\n");
    // One OUT per byte, then HLT.
    assert_eq!(
        report.exits.len(),
        report.output.len() + 1,
        "{:?}",
        report.exits
    );
    assert!(
        report.exits[..report.output.len()]
            .iter()
            .all(|e| e == "IO")
    );
    assert_eq!(report.exits.last().map(String::as_str), Some("HLT"));
}

/// A vCPU's CPUID set through the counted flexible-array buffers: KVM_GET_SUPPORTED_CPUID
/// into `FlexBuf::<Cpuid2>::with_count(256)`, leaf 0's vendor string replaced, back in
/// with `from_entries` and KVM_SET_CPUID2; the guest's own CPUID instruction reads the new
/// vendor, and KVM_GET_CPUID2 gives back what was set.
#[test]
fn a_guest_sees_the_cpuid_set_through_a_counted_buffer() {
    if let Err(e) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/kvm")
    {
        panic!("/dev/kvm is not usable ({e}): this test needs KVM (root or the kvm group)");
    }
    let vendor = *b"uapigenTests";
    let r = uapigen_example_crate::kvm_cpuid_vendor(vendor)
        .unwrap_or_else(|e| panic!("the CPUID guest failed: {e}"));
    // KVM supports many leaves on any x86 host (leaf 0, 1, 7, 0xd, 0x80000000, ...).
    assert!(r.supported > 5, "{} supported leaves", r.supported);
    assert_eq!(
        &r.guest_vendor, &vendor,
        "the guest reads the vendor that was set"
    );
    assert_eq!(r.read_back.len(), r.set.len());
    let key = |e: &linux_uapi::kvm::CpuidEntry2| (e.function, e.index);
    for s in &r.set {
        let b = r
            .read_back
            .iter()
            .find(|b| key(b) == key(s))
            .unwrap_or_else(|| panic!("leaf {:#x}.{} not read back", s.function, s.index));
        if s.function == 0 {
            assert_eq!((b.ebx, b.edx, b.ecx), (s.ebx, s.edx, s.ecx));
        }
    }
}

/// Typed fds: /dev/kvm as a `SystemFd`, whose `create_vm` gives a `VmFd`, whose
/// `create_vcpu` gives a `VcpuFd`; the ioctls of each kind are its methods. A fresh x86 vCPU
/// is at the reset vector: RIP 0xfff0 with CS base 0xffff0000 and selector 0xf000 (the
/// processor's documented reset state, which KVM sets in kvm_vcpu_reset).
#[cfg(target_arch = "x86_64")]
#[test]
fn typed_fds_from_the_system_fd_to_a_vcpu() {
    use linux_uapi::kvm::{self, SystemFd};
    let dev = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/kvm")
        .unwrap_or_else(|e| {
            panic!("/dev/kvm is not usable ({e}): this test needs KVM (root or the kvm group)")
        });
    let sys = SystemFd::from(std::os::fd::OwnedFd::from(dev));
    assert_eq!(sys.get_api_version(), Ok(12));
    let vm: kvm::VmFd = sys
        .create_vm(0)
        .unwrap_or_else(|e| panic!("KVM_CREATE_VM: {e}"));
    // KVM_CAP_USER_MEMORY (3) is there since the beginning, on the VM fd as on the system's.
    assert_eq!(vm.check_extension(3), Ok(1));
    let vcpu: kvm::VcpuFd = vm
        .create_vcpu(0)
        .unwrap_or_else(|e| panic!("KVM_CREATE_VCPU: {e}"));
    let mut regs = kvm::Regs::default();
    vcpu.get_regs(&mut regs)
        .unwrap_or_else(|e| panic!("KVM_GET_REGS: {e}"));
    assert_eq!(regs.rip, 0xfff0);
    let mut sregs = kvm::Sregs::default();
    vcpu.get_sregs(&mut sregs)
        .unwrap_or_else(|e| panic!("KVM_GET_SREGS: {e}"));
    assert_eq!((sregs.cs.base, sregs.cs.selector), (0xffff_0000, 0xf000));
    // The raw form stays: the free functions take the typed fd as any fd.
    assert_eq!(kvm::get_api_version(&sys), Ok(12));
}
