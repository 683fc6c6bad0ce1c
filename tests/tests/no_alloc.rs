//! The checked-in crate's code builds against `uapigen-runtime` without its default
//! features (no `alloc`, no `std`), with every feature of the crate (serde too) and
//! `-D warnings`:
//! payload wrappers then encode into a stack buffer (`ENOMEM` beyond 4 KiB), and the
//! wrappers of flexible-array ioctls take a `FlexBuf` that cannot be made. It failed before
//! (`aligned_buf` and `FlexBuf` did not exist without `alloc`).

use std::process::Command;

use uapigen_tests::root;

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    for e in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let p = e.unwrap_or_else(|e| panic!("{e}")).path();
        let dest = to.join(p.file_name().unwrap_or_default());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        }
    }
}

#[test]
fn generated_crate_builds_without_alloc() {
    let krate = root().join("target/no-alloc");
    let _ = std::fs::remove_dir_all(krate.join("src"));
    copy_dir(&root().join("generated/src"), &krate.join("src"));
    // The crate's front page includes its guide.
    std::fs::copy(root().join("generated/GUIDE.md"), krate.join("GUIDE.md"))
        .unwrap_or_else(|e| panic!("GUIDE.md: {e}"));
    let runtime = root().join("runtime").display().to_string();
    std::fs::write(
        krate.join("Cargo.toml"),
        format!(
            "[package]\nname = \"linux-uapi-no-alloc\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
             publish = false\n\n[features]\nlayout-probe = []\nc-names = []\n\
             serde = [\"uapigen-runtime/serde\"]\nzerocopy = [\"uapigen-runtime/zerocopy\"]\n\n[dependencies]\nuapigen-runtime = {{ path = {runtime:?}, default-features = false }}\n\n\
             [workspace]\n"
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::copy(root().join("Cargo.lock"), krate.join("Cargo.lock"));
    // Every feature, and none (the byte traits without zerocopy's derives).
    for features in ["--all-features", "--no-default-features"] {
        let out = Command::new(env!("CARGO"))
            .args([
                "rustc",
                "--offline",
                "--quiet",
                "--lib",
                features,
                "--",
                "-D",
                "warnings",
            ])
            .current_dir(&krate)
            .env("CARGO_TARGET_DIR", root().join("target/no-alloc-target"))
            .output()
            .unwrap_or_else(|e| panic!("cannot run cargo: {e}"));
        assert!(
            out.status.success(),
            "the generated crate does not build without uapigen-runtime's alloc feature ({features}):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
