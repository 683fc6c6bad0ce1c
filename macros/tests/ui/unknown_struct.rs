use uapigen_macros::UapiLayout;

#[derive(UapiLayout)]
#[uapi(spec = "spec/vfio.yaml", c_name = "vfio_no_such_struct")]
#[repr(C)]
struct Nope {
    argsz: u32,
}

fn main() {}
