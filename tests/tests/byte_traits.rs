//! The runtime's byte traits on generated types (`Zeroable`, `FromBytes`, `AsBytes`),
//! implemented by `unsafe impl` next to a compile-time check instead of zerocopy's derives.
//! Which type gets which trait is checked against facts derived by hand from Linux 6.1's
//! `<linux/vfio.h>`; that a wrong impl does not compile is shown by the runtime's
//! `compile_fail` examples (`runtime/src/bytes.rs`).

use std::marker::PhantomData;

use linux_uapi::{userfaultfd, vfio};
use uapigen_runtime::{AsBytes, FromBytes, Zeroable};

/// Whether a type has a trait, asked in a non-generic context: an inherent constant whose
/// impl needs the trait is chosen over the trait constant every type has.
struct Probe<T>(PhantomData<T>);

trait Lacks {
    const ZEROABLE: bool = false;
    const FROM_BYTES: bool = false;
    const AS_BYTES: bool = false;
}

impl<T> Lacks for Probe<T> {}

impl<T: Zeroable> Probe<T> {
    const ZEROABLE: bool = true;
}

impl<T: FromBytes> Probe<T> {
    const FROM_BYTES: bool = true;
}

impl<T: AsBytes> Probe<T> {
    const AS_BYTES: bool = true;
}

macro_rules! traits {
    ($t:ty) => {
        (
            Probe::<$t>::ZEROABLE,
            Probe::<$t>::FROM_BYTES,
            Probe::<$t>::AS_BYTES,
        )
    };
}

#[test]
fn the_probe_tells_a_missing_trait() {
    // bool: zero is false, but not every byte is a bool; a raw pointer: zero only.
    assert_eq!(traits!(u32), (true, true, true));
    assert_eq!(traits!(bool), (true, false, true));
    assert_eq!(traits!(*mut u8), (true, false, false));
    assert_eq!(traits!(String), (false, false, false));
}

#[test]
fn traits_follow_the_c_layout() {
    // struct vfio_iommu_type1_dma_map: __u32 argsz, __u32 flags, __u64 vaddr, iova, size:
    // 4 + 4 + 8 + 8 + 8 = 32 bytes of members in a 32-byte struct on every ABI.
    assert_eq!(traits!(vfio::IommuType1DmaMap), (true, true, true));
    // struct vfio_iommu_type1_info: __u32 argsz, flags; __u64 iova_pgsizes; __u32
    // cap_offset: 20 bytes of members, 24 with the tail padding where a __u64 is 8-aligned
    // (x86_64): any bytes are a value, but the padding cannot be viewed as bytes.
    assert_eq!(core::mem::size_of::<vfio::IommuType1Info>(), 24);
    assert_eq!(traits!(vfio::IommuType1Info), (true, true, false));
    // struct vfio_bitmap: __u64 pgsize, size; __u64 __user *data: a pointer is not any
    // bytes, but null is all zeroes.
    assert_eq!(traits!(vfio::Bitmap), (true, false, false));
    // struct uffd_msg is __packed (32 bytes: 8 of header and a 24-byte union), so it has
    // no padding even though one member of its union (pagefault: 20 bytes) does.
    assert_eq!(core::mem::size_of::<userfaultfd::UffdMsg>(), 32);
    assert_eq!(traits!(userfaultfd::UffdMsg), (true, true, true));
    assert_eq!(
        traits!(userfaultfd::UffdMsgArgPagefault),
        (true, true, false)
    );
}

#[test]
fn bytes_are_the_c_layout() {
    let map = vfio::IommuType1DmaMap {
        argsz: 32,
        flags: 3,
        vaddr: 0x1000,
        iova: 0x2000,
        size: 0x3000,
    };
    // The bytes at the header's offsets (0, 4, 8, 16, 24), written by hand.
    let mut expect = Vec::new();
    expect.extend(32u32.to_ne_bytes());
    expect.extend(3u32.to_ne_bytes());
    expect.extend(0x1000u64.to_ne_bytes());
    expect.extend(0x2000u64.to_ne_bytes());
    expect.extend(0x3000u64.to_ne_bytes());
    assert_eq!(map.as_bytes(), &expect[..]);
    assert_eq!(vfio::IommuType1DmaMap::read_from_bytes(&expect), Some(map));
    assert_eq!(vfio::IommuType1DmaMap::read_from_bytes(&expect[1..]), None);
    let (read, rest) = vfio::IommuType1DmaMap::read_from_prefix(&[&expect[..], &[9]].concat())
        .map(|(m, rest)| (m, rest.to_vec()))
        .unwrap();
    assert_eq!((read, rest), (map, vec![9]));
    assert_eq!(vfio::IommuType1DmaMap::zeroed().as_bytes(), &[0u8; 32]);
    let mut z = vfio::IommuType1DmaMap::zeroed();
    z.as_mut_bytes().copy_from_slice(&expect);
    assert_eq!(z, map);
    // Default is the zeroed value, for a type with a pointer too.
    assert_eq!(vfio::Bitmap::default().data, core::ptr::null_mut());
}

/// With the `zerocopy` feature, zerocopy's derives (a peer implementation that checks the
/// layout itself) agree with the runtime's traits: the same bytes viewed and read.
#[test]
fn zerocopy_agrees_with_the_runtime_traits() {
    use uapigen_runtime::zerocopy;
    let mut rng = uapigen_tests::Rng::new(7);
    for _ in 0..64 {
        let raw: Vec<u8> = (0..32).map(|_| rng.next() as u8).collect();
        let ours = <vfio::IommuType1DmaMap as FromBytes>::read_from_bytes(&raw).unwrap();
        let theirs =
            <vfio::IommuType1DmaMap as zerocopy::FromBytes>::read_from_bytes(&raw).unwrap();
        assert_eq!(ours, theirs);
        assert_eq!(
            AsBytes::as_bytes(&ours),
            zerocopy::IntoBytes::as_bytes(&theirs)
        );
        let msg = <userfaultfd::UffdMsg as FromBytes>::read_from_bytes(&raw).unwrap();
        assert_eq!(AsBytes::as_bytes(&msg), &raw[..]);
        assert_eq!(zerocopy::IntoBytes::as_bytes(&msg), &raw[..]);
        let info = <vfio::IommuType1Info as FromBytes>::read_from_bytes(&raw[..24]).unwrap();
        let zc =
            <vfio::IommuType1Info as zerocopy::FromBytes>::read_from_bytes(&raw[..24]).unwrap();
        assert_eq!(
            (info.argsz, info.flags, info.iova_pgsizes, info.cap_offset),
            (zc.argsz, zc.flags, zc.iova_pgsizes, zc.cap_offset)
        );
    }
}
