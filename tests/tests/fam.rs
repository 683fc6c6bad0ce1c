//! Counted flexible arrays (issue 17, scope 2): a struct whose flexible array has a `count`
//! field gets `FamCount`, and `FlexBuf` keeps the count equal to its elements, refuses more
//! than the kernel's maximum, never reads past its buffer whatever count the kernel writes
//! back, and compares, clones, prints and converts from and to slices. The maxima and byte
//! layouts here are derived by hand from the kernel's code and headers. The KVM guest whose
//! CPUID is set through it is `examples/use-crate/tests/kvm.rs`.

use linux_uapi::kvm::{Cpuid2, CpuidEntry2, MsrEntry, Msrs};
use linux_uapi::vfio::PciHotReset;
use uapigen_runtime::{FamCount, FamError, FlexBuf};

fn msr(index: u32, data: u64) -> MsrEntry {
    MsrEntry {
        index,
        data,
        ..Default::default()
    }
}

#[test]
fn maxima_are_the_kernels() {
    // arch/x86/kvm/x86.c msr_io: `msrs.nmsrs >= MAX_IO_MSRS` (256) is E2BIG.
    assert_eq!(<Msrs as FamCount>::MAX, 255);
    // arch/x86/kvm/cpuid.c: `cpuid->nent > KVM_MAX_CPUID_ENTRIES` (256) is E2BIG.
    assert_eq!(<Cpuid2 as FamCount>::MAX, 256);
    assert!(FlexBuf::<Msrs>::with_count(255).is_ok());
    assert_eq!(
        FlexBuf::<Msrs>::with_count(256).err(),
        Some(FamError::TooMany { n: 256, max: 255 })
    );
    assert_eq!(
        FlexBuf::<Cpuid2>::from_entries(&vec![CpuidEntry2::default(); 257]).err(),
        Some(FamError::TooMany { n: 257, max: 256 })
    );
}

#[test]
fn the_count_and_the_bytes_are_the_kernels() {
    let b = FlexBuf::<Msrs>::from_entries(&[msr(0x174, 7), msr(0x175, 9)])
        .unwrap_or_else(|e| panic!("{e}"));
    // struct kvm_msrs: nmsrs, pad, then 16-byte kvm_msr_entry (index, reserved, data).
    let bytes = b.as_bytes();
    assert_eq!(bytes.len(), 8 + 2 * 16);
    assert_eq!(&bytes[0..4], &2u32.to_ne_bytes());
    assert_eq!(&bytes[8..12], &0x174u32.to_ne_bytes());
    assert_eq!(&bytes[16..24], &7u64.to_ne_bytes());
    assert_eq!(&bytes[24..28], &0x175u32.to_ne_bytes());
    assert_eq!(b.header().nmsrs, 2);
    assert_eq!(b.entries(), &[msr(0x174, 7), msr(0x175, 9)]);
}

#[test]
fn entries_follow_the_count_the_kernel_writes_back() {
    let mut b = FlexBuf::<Msrs>::with_count(5).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.entries().len(), 5);
    // A query that answers with fewer entries lowers the count.
    b.header_mut().nmsrs = 2;
    assert_eq!(b.entries().len(), 2);
    // A count past the buffer (E2BIG answers say how many are needed) is not read past.
    b.header_mut().nmsrs = 300;
    assert_eq!(b.entries().len(), 5);
    b.header_mut().nmsrs = u32::MAX;
    assert_eq!(b.entries_mut().len(), 5);
}

#[test]
fn push_grows_and_stops_at_the_maximum() {
    let mut b = FlexBuf::<Msrs>::from_entries(&[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.as_bytes().len(), 8);
    for i in 0..255 {
        b.push(msr(i, u64::from(i)))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(b.header().nmsrs, 255);
    assert_eq!(b.as_bytes().len(), 8 + 255 * 16);
    assert_eq!(b.entries()[254], msr(254, 254));
    assert_eq!(
        b.push(msr(255, 0)),
        Err(FamError::TooMany { n: 256, max: 255 })
    );
    // After the kernel lowered the count, a push appends after the counted entries.
    b.header_mut().nmsrs = 1;
    b.push(msr(9, 9)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.entries(), &[msr(0, 0), msr(9, 9)]);
    assert_eq!(b.as_bytes().len(), 8 + 2 * 16);
}

#[test]
fn clone_eq_debug_and_conversions() {
    let entries = [msr(1, 2), msr(3, 4)];
    let a = FlexBuf::<Msrs>::try_from(&entries[..]).unwrap_or_else(|e| panic!("{e}"));
    let b = a.clone();
    assert_eq!(a, b);
    assert_eq!(Vec::from(&a), entries.to_vec());
    let mut c = b.clone();
    c.entries_mut()[1].data = 5;
    assert_ne!(a, c);
    let shown = format!("{a:?}");
    assert!(
        shown.contains("nmsrs: 2") && shown.contains("index: 3"),
        "{shown}"
    );
}

#[test]
fn a_struct_with_argsz_gets_it_set_with_the_count() {
    // struct vfio_pci_hot_reset: argsz, flags, count (12 bytes), then __s32 group_fds[].
    let b = FlexBuf::<PciHotReset>::from_entries(&[10, 11, 12]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.header().count, 3);
    assert_eq!(b.header().argsz, 12 + 3 * 4);
    assert_eq!(b.as_bytes().len(), 24);
}

/// `vfio_irq_set.data` holds what the DATA bit says (bytes, or 4-byte eventfds), and
/// `count` counts those elements, not bytes: the typed payload encoder sets both right,
/// and `count:` on the array is refused, so no buffer can take the count for bytes.
#[test]
fn vfio_irq_set_counts_elements_not_bytes() {
    use linux_uapi::vfio::{IrqSet, IrqSetPayload};
    use uapigen_runtime::ElemSlice;
    let fds = [7i32, 8, 9];
    let h = IrqSet {
        flags: 1 << 5, // VFIO_IRQ_SET_ACTION_TRIGGER
        ..Default::default()
    };
    let buf = IrqSetPayload::Eventfd(ElemSlice::new(&fds))
        .encode::<64>(&h)
        .unwrap_or_else(|e| panic!("{e}"));
    let (h2, _) = IrqSetPayload::decode(buf.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    // argsz, flags, index, start, count (20 bytes), then three __s32.
    assert_eq!((h2.count, h2.argsz), (3, 20 + 12));
    assert_eq!(buf.len(), 32);

    let spec = uapigen_tests::root().join("spec/vfio.yaml");
    let text = std::fs::read_to_string(&spec).unwrap_or_else(|e| panic!("{e}"));
    let from = r#"      - { name: data, type: "u8[]", doc: "#;
    let at = text
        .find("  - name: vfio_irq_set\n")
        .unwrap_or_else(|| panic!("no vfio_irq_set"));
    let off = at + text[at..].find(from).unwrap_or_else(|| panic!("no data[]"));
    let edited = format!(
        "{}{}{}",
        &text[..off],
        r#"      - { name: data, type: "u8[]", count: count, doc: "#,
        &text[off + from.len()..]
    );
    let err = match uapigen::compile_str(&spec, &edited) {
        Ok(_) => panic!("`count` on vfio_irq_set.data was accepted"),
        Err(d) => d.plain(),
    };
    assert!(
        err.contains("its elements are the variant's type, not the array's"),
        "{err}"
    );
}

/// A wrapper of a counted struct refuses a count past its buffer before calling the kernel
/// (safe code can raise the count through `header_mut`): /dev/null answers ENOTTY to a call
/// that reaches it, so EINVAL says the wrapper stopped it.
#[test]
fn a_count_past_the_buffer_never_reaches_the_kernel() {
    let null = std::fs::File::open("/dev/null").unwrap_or_else(|e| panic!("/dev/null: {e}"));
    let mut b = FlexBuf::<Msrs>::with_count(2).unwrap_or_else(|e| panic!("{e}"));
    b.header_mut().nmsrs = 200;
    let e = linux_uapi::kvm::set_msrs(&null, &mut b).err();
    assert_eq!(e, Some(rustix::io::Errno::INVAL));
    b.header_mut().nmsrs = 2;
    let e = linux_uapi::kvm::set_msrs(&null, &mut b).err();
    assert_eq!(e, Some(rustix::io::Errno::NOTTY));
}

/// `count` that would count something else, or contradict the rules, is refused.
#[test]
fn counts_that_mean_something_else_are_refused() {
    let base = "name: demo\nheader: linux/demo.h\nstructs:\n  - name: demo_s\n    fields:\n";
    let cases = [
        (
            "      - { name: argsz, type: u32 }\n      - { name: e, type: \"u32[]\", count: argsz }\n    extensible: { size-field: argsz, style: minsz }\n",
            "counts bytes, not elements",
        ),
        (
            "      - { name: n, type: u32, reserved: true }\n      - { name: e, type: \"u32[]\", count: n }\n",
            "reserved member",
        ),
        (
            "      - { name: n, type: u32 }\n      - { name: e, type: \"u32[]\", count: n, max: 0 }\n",
            "no room",
        ),
        (
            "      - { name: n, type: u32 }\n      - { name: e, type: \"u32[]\", count: n, max: 300 }\n    rules:\n      - { field: n, below: 257 }\n",
            "more than the rules",
        ),
        (
            "      - { name: n, type: s32 }\n      - { name: e, type: \"u32[]\", count: n }\n",
            "not an unsigned integer",
        ),
        (
            "      - { name: n, type: u32 }\n      - { name: e, type: \"u32[4]\", count: n }\n",
            "flexible array member",
        ),
    ];
    for (body, want) in cases {
        let text = format!("{base}{body}");
        match uapigen::compile_str("demo.yaml", &text) {
            Ok(_) => panic!("accepted:\n{text}"),
            Err(d) => assert!(d.plain().contains(want), "{want}: {}", d.plain()),
        }
    }
    // Two `below` rules: the tighter gives the maximum.
    let text = format!(
        "{base}      - {{ name: n, type: u32 }}\n      - {{ name: e, type: \"u32[]\", count: n }}\n    rules:\n      - {{ field: n, below: 257 }}\n      - {{ field: n, below: 65 }}\n"
    );
    let m = uapigen::compile_str("demo.yaml", &text).unwrap_or_else(|d| panic!("{}", d.plain()));
    let t = m
        .module
        .types
        .iter()
        .find(|t| t.c_name.as_deref() == Some("demo_s"));
    assert_eq!(t.and_then(|t| t.counted()).map(|c| c.2), Some(64));
}
