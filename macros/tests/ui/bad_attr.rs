use uapigen_macros::UapiLayout;

#[derive(UapiLayout)]
#[uapi(spec = "spec/vfio.yaml", name = "vfio_group_status")]
#[repr(C)]
struct GroupStatus {
    argsz: u32,
    flags: u32,
}

fn main() {}
