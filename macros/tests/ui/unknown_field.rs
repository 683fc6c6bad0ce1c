use uapigen_macros::UapiLayout;

#[derive(UapiLayout)]
#[uapi(spec = "spec/vfio.yaml", c_name = "vfio_group_status")]
#[repr(C)]
struct GroupStatus {
    argsz: u32,
    flagz: u32,
}

fn main() {}
