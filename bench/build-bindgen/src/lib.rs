//! <linux/nsfs.h> bound by bindgen in build.rs (the counterpart of examples/use-build).

#[allow(non_camel_case_types, non_upper_case_globals, dead_code, clippy::all)]
pub mod nsfs {
    include!(concat!(env!("OUT_DIR"), "/nsfs.rs"));
}
