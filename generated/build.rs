//! Gives the folder of the specs this crate ships (`spec/`) to the build scripts of the
//! crates that depend on it, as `DEP_LINUX_UAPI_SPEC_DIR`: a downstream spec that says
//! `uses: [linux_uapi::vfio]` is compiled against them by `uapigen::Builder`, and its Rust
//! uses this crate's types instead of generating its own.

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec");
    println!("cargo::metadata=spec_dir={}", dir.display());
    println!("cargo::rerun-if-changed=build.rs");
}
