mod m {
    // A fixture of the codegen crate: the spec names an undefined constant.
    uapigen_macros::include_spec!("codegen/tests/errors/E0202-unknown-name.yaml");
}

fn main() {}
