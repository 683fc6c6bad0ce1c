//! Bind <linux/nsfs.h> into OUT_DIR with bindgen, as a crate without uapigen would.

fn main() {
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let bindings = bindgen::Builder::default()
        .header("/usr/include/linux/nsfs.h")
        .parse_callbacks(Box::new(bindgen::CargoCallbacks::new()))
        .generate();
    match bindings.map(|b| b.write_to_file(out.join("nsfs.rs"))) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("cannot write the bindings: {e}"),
        Err(e) => panic!("bindgen failed on <linux/nsfs.h>: {e}"),
    }
}
