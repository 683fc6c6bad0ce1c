//! bindgen's output for the system's <linux/vfio.h>, written to src/vfio_bindgen.rs by the
//! benchmark driver before it builds this crate.

#[rustfmt::skip]
#[allow(non_camel_case_types, non_upper_case_globals, non_snake_case, dead_code, unsafe_op_in_unsafe_fn, clippy::all)]
pub mod vfio {
    include!("vfio_bindgen.rs");
}
