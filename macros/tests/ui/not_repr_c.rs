use uapigen_macros::UapiLayout;

#[derive(UapiLayout)]
#[uapi(spec = "spec/vfio.yaml", c_name = "vfio_group_status")]
struct GroupStatus {
    argsz: u32,
    flags: u32,
}

fn main() {}
