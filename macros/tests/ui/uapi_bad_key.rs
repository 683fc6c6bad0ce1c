#[derive(uapigen_macros::Uapi)]
#[uapi(layout(size = 8, align = 4), colour = "red")]
#[repr(C)]
struct Demo {
    a: u32,
    b: u32,
}

fn main() {}
