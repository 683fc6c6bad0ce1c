//! Flexible array members of the generated bindings, used through `FlexBuf`: header and
//! elements land where the C layout puts them (offsets checked by hand against the header:
//! `vfio_irq_set` has five `__u32` before `data[]`, so the data starts at 20; the sparse-mmap
//! capability has an 8-byte header and two `__u32`, so `areas[]` starts at 16).

use linux_uapi::vfio::{IrqSet, RegionInfoCapSparseMmap, RegionSparseMmapArea};
use uapigen_runtime::{FlexBuf, FlexHeader};

#[test]
fn irq_set_eventfds_follow_the_header() {
    assert_eq!(<IrqSet as FlexHeader>::FLEX_OFFSET, 20);
    let mut buf = FlexBuf::<IrqSet>::new(8).unwrap_or_else(|| panic!("allocation"));
    assert_eq!(buf.len(), 28, "20-byte header and 8 bytes of data");
    buf.header_mut().argsz = buf.len() as u32;
    buf.header_mut().count = 2;
    buf.elems_mut()[..4].copy_from_slice(&7i32.to_ne_bytes());
    buf.elems_mut()[4..].copy_from_slice(&9i32.to_ne_bytes());
    let b = buf.as_bytes();
    assert_eq!(&b[0..4], &28u32.to_ne_bytes());
    assert_eq!(&b[16..20], &2u32.to_ne_bytes());
    assert_eq!(&b[20..24], &7i32.to_ne_bytes());
    assert_eq!(&b[24..28], &9i32.to_ne_bytes());
    assert_eq!(buf.elems().get(8), None, "indexing past the end is checked");
}

#[test]
fn sparse_mmap_areas_are_typed_elements() {
    assert_eq!(<RegionInfoCapSparseMmap as FlexHeader>::FLEX_OFFSET, 16);
    let areas = [
        RegionSparseMmapArea {
            offset: 0x1000,
            size: 0x2000,
        },
        RegionSparseMmapArea {
            offset: 0x8000,
            size: 0x100,
        },
    ];
    let h = RegionInfoCapSparseMmap {
        nr_areas: 2,
        ..Default::default()
    };
    let buf = FlexBuf::from_parts(&h, &areas).unwrap_or_else(|| panic!("allocation"));
    assert_eq!(buf.len(), 16 + 2 * 16);
    assert_eq!(buf.count(), 2);
    assert_eq!(buf.elems()[1].offset, 0x8000);
    assert_eq!(&buf.as_bytes()[32..40], &0x8000u64.to_ne_bytes());
    assert_eq!(buf.header().nr_areas, 2);
    assert_eq!(
        buf.as_bytes().as_ptr() as usize % 8,
        0,
        "8-byte aligned storage"
    );
}
