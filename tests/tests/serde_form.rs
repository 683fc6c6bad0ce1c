//! The `serde` feature of `linux-uapi` ([ecosystem] point 1): every struct, union and
//! flexible-array type serialises and deserialises, round trips keep every byte, and the
//! form is the one the runtime documents: a struct is a map of its members (the member
//! names of the kernel's headers, written down here from them), an array of any length is a
//! sequence of exactly its length, a union is its bytes, a `FlexBuf` is its header and
//! entries. Nothing else is accepted back (wrong lengths are errors, not truncations).
#![cfg(target_arch = "x86_64")]

use linux_uapi::{kvm, r#loop, userfaultfd, vfio};
use serde_json::Value;
use uapigen_runtime::FlexBuf;
use uapigen_runtime::{AsBytes, FromBytes, Zeroable};

/// A value whose every byte is `seed`-derived (xorshift), so that a member swapped, dropped
/// or truncated on the way shows in the bytes.
fn patterned<T: Zeroable + FromBytes + AsBytes>(seed: u64) -> T {
    let mut v = T::zeroed();
    let mut x = seed | 1;
    for b in v.as_mut_bytes() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    v
}

/// JSON and back: the same bytes, and the JSON read again gives the same JSON.
fn round_trip<T>(v: &T) -> Value
where
    T: AsBytes + uapigen_runtime::serde::Serialize + uapigen_runtime::serde::de::DeserializeOwned,
{
    let json = serde_json::to_value(v).expect("serialise");
    let back: T = serde_json::from_value(json.clone()).expect("deserialise");
    assert_eq!(
        back.as_bytes(),
        v.as_bytes(),
        "round trip changed bytes: {json}"
    );
    assert_eq!(serde_json::to_value(&back).expect("serialise again"), json);
    json
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .expect("a struct is a map")
        .keys()
        .map(String::as_str)
        .collect()
}

#[test]
fn kvm_regs_is_a_map_of_the_header_members() {
    let r: kvm::Regs = patterned(1);
    let json = round_trip(&r);
    // arch/x86/include/uapi/asm/kvm.h, struct kvm_regs, in order.
    let mut want = vec![
        "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp", "r8", "r9", "r10", "r11", "r12",
        "r13", "r14", "r15", "rip", "rflags",
    ];
    let mut got = keys(&json);
    want.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, want);
    assert_eq!(json["rip"], Value::from(r.rip));
}

#[test]
fn nested_structs_and_arrays() {
    let s: kvm::Sregs = patterned(2);
    let json = round_trip(&s);
    // struct kvm_sregs: __u64 interrupt_bitmap[(KVM_NR_INTERRUPTS + 63) / 64], 256 / 64 = 4.
    assert_eq!(json["interrupt_bitmap"].as_array().map(Vec::len), Some(4));
    assert_eq!(json["cs"]["selector"], Value::from(s.cs.selector));
    assert_eq!(json["gdt"]["limit"], Value::from(s.gdt.limit));
}

#[test]
fn arrays_longer_than_serde_supports() {
    // struct loop_info64: __u8 lo_file_name[LO_NAME_SIZE] (64), lo_encrypt_key[LO_KEY_SIZE]
    // (32), __u64 lo_init[2]; serde itself stops at 32 elements.
    let mut l: r#loop::LoopInfo64 = patterned(3);
    l.lo_file_name[..9].copy_from_slice(b"/dev/sdz\0");
    let json = round_trip(&l);
    let name = json["lo_file_name"].as_array().expect("a sequence");
    assert_eq!(name.len(), 64);
    assert_eq!(name[0], Value::from(b'/'));
    assert_eq!(json["lo_encrypt_key"].as_array().map(Vec::len), Some(32));

    // One element short or one too many is an error, never a silent truncation.
    for delta in [-1i64, 1] {
        let mut bad = json.clone();
        let arr = bad["lo_file_name"].as_array_mut().expect("a sequence");
        if delta < 0 {
            arr.pop();
        } else {
            arr.push(Value::from(0));
        }
        let e = serde_json::from_value::<r#loop::LoopInfo64>(bad)
            .expect_err("a wrong length must be refused")
            .to_string();
        assert!(e.contains("64 elements"), "{e}");
    }
}

#[test]
fn a_union_is_its_bytes() {
    // struct uffd_msg: the union arg is 24 bytes (its largest members, remap and reserved,
    // are three __u64 each).
    let m: userfaultfd::UffdMsg = patterned(4);
    let json = round_trip(&m);
    assert_eq!(json["arg"]["bytes"].as_array().map(Vec::len), Some(24));
    assert_eq!(
        keys(&json["arg"]),
        ["bytes"],
        "only the bytes, no alignment markers"
    );
}

#[test]
fn kvm_run_whole() {
    // The biggest struct here: a union of 256 bytes and the synced registers' union.
    let r: kvm::Run = patterned(5);
    round_trip(&r);
}

#[test]
fn flexbuf_is_header_and_entries() {
    let entries: Vec<kvm::MsrEntry> = (0..3u32)
        .map(|i| kvm::MsrEntry {
            index: 0x10 + i,
            reserved: 0,
            data: u64::from(i) << 40,
        })
        .collect();
    let b = FlexBuf::<kvm::Msrs>::from_entries(&entries).expect("three entries");
    let json = serde_json::to_value(&b).expect("serialise");
    assert_eq!(json["header"]["nmsrs"], Value::from(3));
    assert_eq!(json["entries"].as_array().map(Vec::len), Some(3));
    assert_eq!(json["entries"][2]["index"], Value::from(0x12));
    assert_eq!(json["entries"][2]["data"], Value::from(2u64 << 40));
    let back: FlexBuf<kvm::Msrs> = serde_json::from_value(json).expect("deserialise");
    assert!(back == b, "FlexBuf round trip changed it");
    assert_eq!(back.as_bytes(), b.as_bytes());

    // vfio_irq_set: argsz, flags, index, start, count and the bytes of data[].
    let mut irq = FlexBuf::<vfio::IrqSet>::new(8).expect("8 bytes of data");
    irq.header_mut().argsz = irq.len() as u32;
    irq.header_mut().count = 2;
    irq.elems_mut().copy_from_slice(&[1, 0, 0, 0, 2, 0, 0, 0]);
    let json = serde_json::to_value(&irq).expect("serialise");
    assert_eq!(json["header"]["data"], Value::Array(Vec::new()));
    let back: FlexBuf<vfio::IrqSet> = serde_json::from_value(json.clone()).expect("deserialise");
    assert_eq!(back.as_bytes(), irq.as_bytes());

    // The flexible array member itself holds nothing: data in the header is refused.
    let mut bad = json;
    bad["header"]["data"] = Value::Array(vec![Value::from(1)]);
    assert!(serde_json::from_value::<FlexBuf<vfio::IrqSet>>(bad).is_err());
}

#[test]
fn text_through_a_reader() {
    // Serialised to a string and read back through `io::Read`: the same value.
    let r: kvm::Regs = patterned(6);
    let text = serde_json::to_string(&r).expect("serialise");
    let back: kvm::Regs = serde_json::from_reader(text.as_bytes()).expect("deserialise");
    assert_eq!(back, r);
}

#[test]
fn unknown_or_missing_members_are_errors() {
    // A snapshot from a newer layout (a member this one does not know) or an older one (a
    // member missing) is refused rather than read with data dropped or made up.
    let r: kvm::Regs = patterned(7);
    let json = serde_json::to_value(r).expect("serialise");
    let mut extra = json.clone();
    extra["r16"] = Value::from(1);
    let e = serde_json::from_value::<kvm::Regs>(extra).expect_err("unknown member");
    assert!(e.to_string().contains("unknown field `r16`"), "{e}");
    let mut missing = json;
    missing.as_object_mut().expect("a map").remove("rip");
    let e = serde_json::from_value::<kvm::Regs>(missing).expect_err("missing member");
    assert!(e.to_string().contains("missing field `rip`"), "{e}");
}
