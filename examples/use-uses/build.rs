//! Generate `spec/vfio_batch.yaml`, which `uses: [linux_uapi::vfio]`. Nothing says where
//! linux-uapi's specs are: cargo gives this build script `DEP_LINUX_UAPI_SPEC_DIR` because
//! this package depends on linux-uapi, and `uapigen::Builder` reads it.

fn main() {
    let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/vfio_batch.yaml");
    if let Err(e) = uapigen::Builder::new()
        .spec(spec)
        .serde(Some("serde"))
        .generate()
    {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
