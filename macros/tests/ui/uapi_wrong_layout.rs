// What generated code derives: a layout attribute that does not hold fails the build.
#[derive(uapigen_macros::Uapi)]
#[uapi(c_name = "struct demo")]
#[uapi(layout(size = 12, align = 4, offsets(a = 0, b = 8)))]
#[repr(C)]
struct Demo {
    a: u32,
    b: u32,
}

fn main() {}
