// A spec path that would reach a file above the workspace root (here the trybuild crate's
// folder): not searched there, not opened.
mod up {
    uapigen_macros::include_spec!("etc/hostname");
}
mod dots {
    uapigen_macros::include_spec!("../../../../../../../../../../etc/passwd");
}
mod absolute {
    uapigen_macros::include_spec!("/etc/hostname");
}

fn main() {}
