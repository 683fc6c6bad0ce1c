#[derive(uapigen_macros::Uapi)]
#[uapi(layout(align = 4, offsets(a = 0)))]
#[repr(C)]
struct Demo {
    a: u32,
}

fn main() {}
