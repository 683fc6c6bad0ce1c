//! The build.rs route, end to end with real cargo: a crate whose build script runs
//! `uapigen::Builder` builds; a second `cargo build` with nothing changed does not rerun the
//! build script; touching the spec reruns it but leaves the unchanged output file alone
//! (same modification time); changing the spec rewrites it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use uapigen_tests::root;

fn write(p: &Path, text: &str) {
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(p, text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
}

/// `cargo build -v` in `dir`; returns stderr (where cargo reports what it runs).
fn build(dir: &Path, target: &Path) -> String {
    let out = Command::new(env!("CARGO"))
        .args(["build", "-v", "--offline"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .unwrap_or_else(|e| panic!("cargo: {e}"));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "cargo build failed:\n{err}");
    err
}

fn ran_build_script(log: &str) -> bool {
    log.lines()
        .any(|l| l.contains("Running `") && l.contains("build-script-build"))
}

fn generated_file(target: &Path) -> PathBuf {
    let build = target.join("debug/build");
    let mut found = Vec::new();
    for e in std::fs::read_dir(&build)
        .unwrap_or_else(|e| panic!("{}: {e}", build.display()))
        .flatten()
    {
        let p = e.path().join("out/nsfs.rs");
        if e.file_name()
            .to_string_lossy()
            .starts_with("uapigen-buildrs-probe-")
            && p.exists()
        {
            found.push(p);
        }
    }
    assert_eq!(found.len(), 1, "one OUT_DIR with nsfs.rs: {found:?}");
    found.remove(0)
}

fn mtime(p: &Path) -> SystemTime {
    std::fs::metadata(p)
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn build_script_reruns_only_when_the_spec_changes() {
    let ws = root().canonicalize().unwrap_or_else(|e| panic!("{e}"));
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = tmp.path();
    let target = ws.join("target/build-rs-test");
    let _ = std::fs::remove_dir_all(target.join("debug/build"));
    write(
        &dir.join("Cargo.toml"),
        &format!(
            r#"[package]
name = "uapigen-buildrs-probe"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
uapigen-runtime = {{ path = "{ws}/runtime" }}

[features]
serde = ["uapigen-runtime/serde"]

[build-dependencies]
uapigen = {{ path = "{ws}/codegen" }}
"#,
            ws = ws.display()
        ),
    );
    std::fs::copy(ws.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap_or_else(|e| panic!("{e}"));
    let spec = dir.join("spec/nsfs.yaml");
    let spec_text =
        std::fs::read_to_string(ws.join("spec/nsfs.yaml")).unwrap_or_else(|e| panic!("{e}"));
    write(&spec, &spec_text);
    write(
        &dir.join("spec/loop.yaml"),
        &std::fs::read_to_string(ws.join("spec/loop.yaml")).unwrap_or_else(|e| panic!("{e}")),
    );
    write(
        &dir.join("build.rs"),
        r#"fn main() {
    if let Err(e) = uapigen::Builder::new().spec("spec/nsfs.yaml").spec("spec/loop.yaml").serde(Some("serde")).generate() {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
"#,
    );
    write(
        &dir.join("src/lib.rs"),
        "pub mod nsfs {\n    include!(concat!(env!(\"OUT_DIR\"), \"/nsfs.rs\"));\n}\n\
         pub mod r#loop {\n    include!(concat!(env!(\"OUT_DIR\"), \"/loop.rs\"));\n}\n",
    );

    let first = build(dir, &target);
    assert!(
        ran_build_script(&first),
        "the first build runs the build script:\n{first}"
    );
    let out = generated_file(&target);
    let t0 = mtime(&out);

    // `.serde(Some("serde"))`: the derives are behind the crate's feature, and build with it.
    let text = std::fs::read_to_string(out.with_file_name("loop.rs")).unwrap_or_default();
    assert!(
        text.contains(
            "#[cfg_attr(\n    feature = \"serde\",\n    derive(::uapigen_runtime::serde::Serialize"
        ),
        "{text}"
    );
    let with_serde = Command::new(env!("CARGO"))
        .args(["build", "--offline", "--features", "serde"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap_or_else(|e| panic!("cargo: {e}"));
    assert!(
        with_serde.status.success(),
        "the serde feature does not build:\n{}",
        String::from_utf8_lossy(&with_serde.stderr)
    );

    let second = build(dir, &target);
    assert!(
        !ran_build_script(&second),
        "nothing changed, yet the build script ran:\n{second}"
    );

    // Touch the spec: same content, newer mtime. The script reruns; the output stays.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    write(&spec, &spec_text);
    let third = build(dir, &target);
    assert!(
        ran_build_script(&third),
        "touching the spec reruns the build script:\n{third}"
    );
    assert_eq!(mtime(&out), t0, "unchanged output is not rewritten");

    // Change the spec: the output is rewritten.
    write(
        &spec,
        &spec_text.replace(
            "Ioctl type byte of the namespace ioctls.",
            "The namespace ioctls' type byte.",
        ),
    );
    let fourth = build(dir, &target);
    assert!(ran_build_script(&fourth));
    assert_ne!(mtime(&out), t0, "changed output is rewritten");
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    assert!(text.contains("The namespace ioctls' type byte."));

    // A spec error: the first error cargo prints is the spec's file:line:col.
    write(
        &spec,
        &spec_text.replacen("type: NSIO\n", "type: NSIOX\n", 1),
    );
    let failed = Command::new(env!("CARGO"))
        .args(["build", "--offline"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap_or_else(|e| panic!("cargo: {e}"));
    let err = String::from_utf8_lossy(&failed.stderr);
    assert!(!failed.status.success(), "a broken spec built:\n{err}");
    let first = err
        .lines()
        .find(|l| l.starts_with("error"))
        .unwrap_or_else(|| panic!("no error line:\n{err}"));
    assert!(
        first.contains("spec/nsfs.yaml:") && first.contains("error[E0"),
        "the first error cargo shows is not the spec's:\n{err}"
    );
}
