mod m {
    uapigen_macros::include_spec!("spec/does_not_exist.yaml");
}

fn main() {}
