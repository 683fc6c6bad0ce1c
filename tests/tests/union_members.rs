//! [real-c] 7: a union member with padding (kvm_run's `fail_entry`: a `__u64` and a
//! `__u32`, then 4 bytes of tail padding) gets a setter and a constructor like any other
//! member, writing field by field so that the union's bytes stay initialised; the union
//! itself (stored as bytes) is `AsBytes` again, so a `struct kvm_run`-style argument can
//! be built and passed without raw bytes. Offsets are from `linux/kvm.h` by hand:
//! `hardware_entry_failure_reason` at 0, `cpu` at 8.

use linux_uapi::kvm::{RunExit, RunExitFailEntry};
use uapigen_runtime::AsBytes;

#[test]
fn padded_member_constructor_writes_each_field() {
    let v = RunExitFailEntry {
        hardware_entry_failure_reason: 0x1122_3344_5566_7788,
        cpu: 0xa1b2_c3d4,
    };
    let u = RunExit::from_fail_entry(v);
    let b = u.as_bytes();
    assert_eq!(b.len(), 256);
    assert_eq!(&b[0..8], &0x1122_3344_5566_7788u64.to_ne_bytes());
    assert_eq!(&b[8..12], &0xa1b2_c3d4u32.to_ne_bytes());
    assert!(
        b[12..].iter().all(|&x| x == 0),
        "the rest of the union is zero"
    );
    assert_eq!(u.fail_entry(), v);

    // The setter keeps the bytes it does not write: the padding after `cpu` included.
    let mut u = RunExit::from_bytes_filled(0xee);
    u.set_fail_entry(v);
    let b = u.as_bytes();
    assert_eq!(&b[8..12], &0xa1b2_c3d4u32.to_ne_bytes());
    assert!(b[12..].iter().all(|&x| x == 0xee));
}

trait Filled {
    fn from_bytes_filled(byte: u8) -> Self;
}

impl Filled for RunExit {
    fn from_bytes_filled(byte: u8) -> Self {
        let mut u = RunExit::default();
        u.bytes.fill(byte);
        u
    }
}
