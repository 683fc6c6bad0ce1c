//! The checked-in `linux_uapi::kvm` built for other architectures with rustc
//! (`cargo check --target`): on aarch64 `KVM_GET_REGS` is arm64's number with arm64's
//! 864-byte `kvm_regs`, and nothing x86-only exists; on riscv64 only the generic part
//! exists; on x86_64 the x86 part is there and arm64's is not.
//!
//! The expected numbers are worked out by hand from the kernel's encoding
//! (`_IOR(KVMIO, 0x81, struct kvm_regs)` = read (2) << 30 | 864 << 16 | 0xAE << 8 | 0x81)
//! and arm64's `asm/kvm.h` (`user_pt_regs` 272 bytes, two u64, `spsr[5]`, 8 bytes of
//! padding to the 16-aligned `user_fpsimd_state` of 528 bytes); the conformance test
//! compares the same facts with clang's for each target.

use std::path::PathBuf;
use std::process::Command;

use uapigen_tests::root;

/// A crate of one `lib.rs` that depends on the checked-in `linux-uapi`, checked for
/// `target`: the compiler's exit status and its messages.
fn check(name: &str, target: &str, lib: &str) -> (bool, String) {
    let krate: PathBuf = root().join("target/arch-check").join(name);
    std::fs::create_dir_all(krate.join("src")).unwrap_or_else(|e| panic!("{e}"));
    let generated = root().join("generated").display().to_string();
    std::fs::write(
        krate.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\nlinux-uapi = {{ path = {generated:?} }}\n\n[workspace]\n"
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(krate.join("src/lib.rs"), lib).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::copy(root().join("Cargo.lock"), krate.join("Cargo.lock"));
    let out = Command::new(env!("CARGO"))
        .args(["check", "--offline", "--quiet", "--lib", "--target", target])
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", root().join("target/arch-check-target"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo: {e}"));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !err.contains("target may not be installed")
            && !err.contains("can't find crate for `core`"),
        "the Rust standard library for {target} is missing: run `rustup target add {target}` \
         (scripts/install-deps.sh does):\n{err}"
    );
    (out.status.success(), err)
}

fn assert_builds(name: &str, target: &str, lib: &str) {
    let (ok, err) = check(name, target, lib);
    assert!(ok, "{name} does not build for {target}:\n{err}");
}

/// Each item is used in a function of its own; every one must be missing (E0425/E0412/
/// E0433: not found), and nothing else may fail.
fn assert_missing(name: &str, target: &str, items: &[&str]) {
    let lib: String = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            format!("pub fn use_{i}() {{ let _ = core::mem::size_of_val(&{item}); }}\n")
        })
        .collect();
    let (ok, err) = check(name, target, &lib);
    assert!(!ok, "{name}: {items:?} all exist on {target}");
    for item in items {
        // The item's own name: the segment after the module (`Sregs` of `kvm::Sregs::default()`).
        let last = item
            .trim_start_matches("linux_uapi::kvm::")
            .split([':', '('])
            .next()
            .unwrap_or(item);
        assert!(
            err.contains(&format!("`{last}`")),
            "{name}: `{item}` is not reported missing on {target}:\n{err}"
        );
    }
    let errors = err.matches("error[").count();
    assert_eq!(
        errors,
        items.len(),
        "{name}: other errors than the missing items on {target}:\n{err}"
    );
}

const AARCH64: &str = "aarch64-unknown-linux-gnu";
const RISCV64: &str = "riscv64gc-unknown-linux-gnu";
const X86_64: &str = "x86_64-unknown-linux-gnu";

#[test]
fn aarch64_has_arm64_registers_and_numbers() {
    assert_builds(
        "kvm_arm64",
        AARCH64,
        r#"
use linux_uapi::kvm;
const _: () = assert!(kvm::GET_REGS == 0x8360_AE81);
const _: () = assert!(kvm::SET_REGS == 0x4360_AE82);
const _: () = assert!(core::mem::size_of::<kvm::Regs>() == 864);
const _: () = assert!(core::mem::offset_of!(kvm::Regs, fp_regs) == 336);
const _: () = assert!(core::mem::align_of::<kvm::Regs>() == 16);
// _IOW(KVMIO, 0xae, struct kvm_vcpu_init): write (1) << 30 | 32 << 16 | 0xAEAE.
const _: () = assert!(kvm::ARM_VCPU_INIT == 0x4020_AEAE);
const _: () = assert!(kvm::ARM_PREFERRED_TARGET == 0x8020_AEAF);
const _: () = assert!(core::mem::size_of::<kvm::VcpuInit>() == 32);
const _: () = assert!(kvm::REG_ARM64_SYSREG == 0x13 << 16);
// The generic part is there too, and the capability only x86 and arm64 define.
const _: () = assert!(kvm::CREATE_VM == 0xAE01);
const _: () = assert!(kvm::CAP_VCPU_EVENTS == 41);
pub fn wrappers_take_arm64_types(fd: std::os::fd::BorrowedFd<'_>, r: &mut kvm::Regs, i: &kvm::VcpuInit) {
    let _ = kvm::get_regs(fd, r);
    let _ = kvm::arm_vcpu_init(fd, i);
}
"#,
    );
}

#[test]
fn aarch64_has_nothing_x86_only() {
    assert_missing(
        "kvm_arm64_no_x86",
        AARCH64,
        &[
            "linux_uapi::kvm::NR_INTERRUPTS",
            "linux_uapi::kvm::GET_SREGS",
            "linux_uapi::kvm::GET_VCPU_EVENTS",
            "linux_uapi::kvm::get_sregs",
            "linux_uapi::kvm::Sregs::default()",
            "linux_uapi::kvm::Run::default()",
            "linux_uapi::kvm::SyncRegsFlags::empty()",
        ],
    );
}

#[test]
fn riscv64_has_the_generic_part_only() {
    assert_builds(
        "kvm_riscv64",
        RISCV64,
        "const _: () = assert!(linux_uapi::kvm::CREATE_VM == 0xAE01);\n\
         const _: () = assert!(linux_uapi::kvm::SET_USER_MEMORY_REGION == 0x4020_AE46);\n",
    );
    assert_missing(
        "kvm_riscv64_no_regs",
        RISCV64,
        &[
            "linux_uapi::kvm::GET_REGS",
            "linux_uapi::kvm::Regs::default()",
            "linux_uapi::kvm::ARM_VCPU_INIT",
            "linux_uapi::kvm::Sregs::default()",
            "linux_uapi::kvm::CAP_VCPU_EVENTS",
        ],
    );
}

#[test]
fn x86_64_has_x86_registers_and_no_arm64_items() {
    assert_builds(
        "kvm_x86_64",
        X86_64,
        // _IOR(KVMIO, 0x81, struct kvm_regs): 144 bytes of x86 registers.
        "const _: () = assert!(linux_uapi::kvm::GET_REGS == 0x8090_AE81);\n\
         const _: () = assert!(core::mem::size_of::<linux_uapi::kvm::Regs>() == 144);\n",
    );
    assert_missing(
        "kvm_x86_64_no_arm64",
        X86_64,
        &[
            "linux_uapi::kvm::ARM_VCPU_INIT",
            "linux_uapi::kvm::VcpuInit::default()",
            "linux_uapi::kvm::NR_SPSR",
        ],
    );
}
