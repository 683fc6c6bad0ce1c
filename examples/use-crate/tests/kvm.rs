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
