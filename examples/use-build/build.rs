//! Generate the nsfs bindings into OUT_DIR. A spec error fails the build with
//! `file:line:col: error[E...]: message (hint: ...)` lines.

fn main() {
    let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/nsfs.yaml");
    if let Err(e) = uapigen::Builder::new().spec(spec).generate() {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
