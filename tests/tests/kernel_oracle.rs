//! The running kernel as the oracle of the generated validators (issue 16, scope 3): valid
//! arguments of the userfaultfd, loop and KVM ioctls are mutated in named classes (flags,
//! sizes, reserved bytes, counts, tags, wrap-around); each input goes to the real ioctl on
//! fresh state and to the generated Rust `validate` and C `*_validate` of its struct, and
//! accept/reject and the errno must agree. Inputs whose answer needs kernel state or a run-time
//! limit the validators cannot know (the page size, which capabilities a VM can enable, the
//! memory slot limits KVM_CHECK_EXTENSION reports, a missing registration) are counted apart,
//! each with its reason. A disagreement is excused only for a flag listed in
//! `tests/fixtures/kernel_oracle_newer_flags.txt` with the kernel version that added it.
//! The devices are usable on the project's machines (as root); if one is not, the test fails
//! and names it.

mod oracle_kvm;
mod oracle_support;
mod oracle_uffd_loop;

use oracle_support::Oracle;

#[test]
fn kernel_and_generated_validators_agree() {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .unwrap_or_else(|e| panic!("/proc/sys/kernel/osrelease: {e}"));
    println!("kernel: Linux {}", release.trim());
    let mut o = Oracle::new();
    oracle_uffd_loop::userfaultfd(&mut o);
    oracle_uffd_loop::loop_device(&mut o);
    oracle_kvm::kvm(&mut o);
    oracle_kvm::tun(&mut o);
    o.finish();
}
