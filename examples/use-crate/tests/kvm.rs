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
