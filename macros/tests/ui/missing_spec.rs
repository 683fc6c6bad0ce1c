use uapigen_macros::UapiLayout;

#[derive(UapiLayout)]
#[repr(C)]
struct NoSpec {
    argsz: u32,
}

fn main() {}
