//! Bit-fields (`bits: N`, issue 14 scope 2), in the shapes the real ioctl headers use them
//! (`<linux/watch_queue.h>`, `<linux/usb/raw_gadget.h>`, `<linux/fd.h>`,
//! `<linux/ppp-ioctl.h>`, `<linux/perf_event.h>`):
//!
//! - the model's bit positions, sizes and alignments by hand for x86_64, i386 and m68k;
//! - each ABI's compiler as the oracle of every bit: for every bit-field a constant of the
//!   struct with that field all ones (and one with it 1) is compiled to an object file,
//!   whose bytes (read with the `object` crate) must have exactly the field's bits set where
//!   the model says, in the ABI's allocation order; `sizeof`/`_Alignof` are the assertion
//!   file's, compiled too;
//! - the runtime's accessors (`uapigen_runtime::bitfield`, which the generated `name()` and
//!   `set_name()` call) read those compiler-made bytes back and write the same bytes, for
//!   little- and big-endian ABIs;
//! - the generated C and Rust compile (rustc checks the layout assertions of the storage
//!   members), and what the outputs cannot carry is refused with E0113.

use object::{Object, ObjectSection, ObjectSymbol};
use uapigen::abi::ABIS;
use uapigen::ir::{Scalar, Ty};
use uapigen_tests::accepted::{Accepted, compile};
use uapigen_tests::{abi_toolchain, par_map};

const SPEC: &str = r#"
name: bfdemo
header: linux/bfdemo.h
structs:
  - name: bfdemo_watch
    fields:
      - { name: type, type: u32, bits: 24 }
      - { name: subtype, type: u32, bits: 8 }
      - { name: info, type: u32 }
  - name: bfdemo_caps
    fields:
      - { name: type_control, type: u32, bits: 1 }
      - { name: type_iso, type: u32, bits: 1 }
      - { name: type_bulk, type: u32, bits: 1 }
      - { name: type_int, type: u32, bits: 1 }
      - { name: dir_in, type: u32, bits: 1 }
      - { name: dir_out, type: u32, bits: 1 }
  - name: bfdemo_fdc
    fields:
      - { name: version, type: u8 }
      - { name: address, type: unsigned long }
      - { name: rawcmd, type: unsigned int, bits: 2 }
      - { name: reset, type: unsigned int, bits: 1 }
      - { name: perp_mode, type: unsigned int, bits: 2 }
      - { name: driver_version, type: unsigned int }
  - name: bfdemo_ppp
    fields:
      - { name: tunnel_id, type: u16 }
      - { name: session_id, type: u16 }
      - { name: using_ipsec, type: u32, bits: 1 }
      - { name: tx_packets, type: aligned_u64 }
  - name: bfdemo_perf
    fields:
      - { name: config, type: u64 }
      - { name: disabled, type: u64, bits: 1 }
      - { name: inherit, type: u64, bits: 1 }
      - { name: precise_ip, type: u64, bits: 2 }
      - { name: big, type: u64, bits: 33 }
      - { name: reserved_1, type: u64, bits: 27 }
      - { name: wakeup, type: u32 }
  - name: bfdemo_mode
    fields:
      - { name: a, type: u32, bits: 16 }
      - { name: b, type: u8 }
  - name: bfdemo_signed
    fields:
      - { name: s, type: s32, bits: 5 }
      - { name: t, type: int, bits: 11 }
      - { name: u, type: u16 }
"#;

fn model() -> uapigen::Model {
    uapigen::compile_str("bfdemo.yaml", SPEC).unwrap_or_else(|d| panic!("{}", d.plain()))
}

fn type_id(m: &uapigen::Model, name: &str) -> usize {
    m.module
        .types
        .iter()
        .position(|t| t.c_name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no {name}"))
}

fn abi(name: &str) -> usize {
    ABIS.iter()
        .position(|a| a.name == name)
        .unwrap_or_else(|| panic!("no ABI {name}"))
}

/// By hand from GCC's rule (a bit-field follows the bits before it unless it would span
/// more alignment units of its type than the type has; its type's alignment counts for the
/// struct's): the first bit of each bit-field, the size and the alignment.
#[test]
fn the_model_places_bit_fields_as_gcc_does() {
    let m = model();
    #[allow(clippy::type_complexity)]
    let cases: &[(&str, &str, &[u64], u64, u64)] = &[
        // type 0..24, subtype 24..32; info at 4.
        ("bfdemo_watch", "x86_64", &[0, 24], 8, 4),
        // Six bits of one __u32: 4 bytes, 4-aligned.
        ("bfdemo_caps", "x86_64", &[0, 1, 2, 3, 4, 5], 4, 4),
        // After the 8-byte unsigned long at 8: bits 128.. ; driver_version at 20.
        ("bfdemo_fdc", "x86_64", &[128, 130, 131], 24, 8),
        // i386: unsigned long is 4 bytes at 4, the bits from 64; driver_version at 12.
        ("bfdemo_fdc", "i386", &[64, 66, 67], 16, 4),
        // m68k aligns int and long to 2: address at 2, bits from 48, driver_version at 8.
        ("bfdemo_fdc", "m68k", &[48, 50, 51], 12, 2),
        // m68k: the type does not align the struct: 1 byte of bits, 1-aligned.
        ("bfdemo_caps", "m68k", &[0, 1, 2, 3, 4, 5], 1, 1),
        ("bfdemo_ppp", "x86_64", &[32], 16, 8),
        // The 64 bits of the __u64 run fill bytes 8..16 on every ABI.
        ("bfdemo_perf", "x86_64", &[64, 65, 66, 68, 101], 24, 8),
        ("bfdemo_perf", "i386", &[64, 65, 66, 68, 101], 20, 4),
        ("bfdemo_signed", "x86_64", &[0, 5], 4, 4),
        // A 16-bit bit-field on a 16-bit boundary is a plain HImode field: on m68k its
        // 2-byte alignment counts (m68k-linux-gnu-gcc: 4 bytes, 2-aligned).
        ("bfdemo_mode", "m68k", &[0], 4, 2),
        ("bfdemo_mode", "x86_64", &[0], 4, 4),
        ("bfdemo_signed", "m68k", &[0, 5], 4, 2),
    ];
    for (name, a, bits, size, align) in cases {
        let id = type_id(&m, name);
        let l = &m.layouts[abi(a)].types[id];
        let got: Vec<u64> = l.bits.iter().flatten().copied().collect();
        assert_eq!(&got, bits, "{name} on {a}: first bits");
        assert_eq!(
            (l.size, l.align),
            (*size, *align),
            "{name} on {a}: size, align"
        );
    }
}

/// One probe: a constant of `struct S` with one bit-field set to `value`.
struct Probe {
    ty: usize,
    field: usize,
    symbol: String,
    value: u64,
}

fn probes(m: &uapigen::Model) -> Vec<Probe> {
    let mut out = Vec::new();
    for (id, t) in m.module.types.iter().enumerate() {
        for (i, f) in t.fields.iter().enumerate() {
            let Some(w) = f.bits else { continue };
            let ones = if w == 64 { u64::MAX } else { (1 << w) - 1 };
            for (k, value) in [ones, 1].into_iter().enumerate() {
                out.push(Probe {
                    ty: id,
                    field: i,
                    symbol: format!("probe_{id}_{i}_{k}"),
                    value,
                });
            }
        }
    }
    out
}

fn signed(f: &uapigen::ir::Field) -> bool {
    match f.ty {
        Ty::Scalar(Scalar::Int(i)) => i.signed(),
        Ty::Scalar(Scalar::C(c)) => c.signed(&ABIS[0]),
        _ => false,
    }
}

/// The C source of every probe: a union of the struct and its bytes, initialised through
/// the bit-field (all ones is -1 for a signed one).
fn probe_source(m: &uapigen::Model, probes: &[Probe]) -> String {
    let mut s = String::from("#include <linux/bfdemo.h>\n");
    for p in probes {
        let t = &m.module.types[p.ty];
        let f = &t.fields[p.field];
        let name = t.c_name.as_deref().unwrap_or_default();
        let field = f.c_name.as_deref().unwrap_or_default();
        let v = if signed(f) && p.value != 1 {
            "-1".to_owned()
        } else {
            format!("{:#x}ULL", p.value)
        };
        s.push_str(&format!(
            "const union {{ struct {name} s; unsigned char b[sizeof(struct {name})]; }} {sym} \
             __attribute__((used)) = {{ .s = {{ .{field} = {v} }} }};\n",
            sym = p.symbol
        ));
    }
    s
}

/// The bytes of every probe symbol of an object file, and whether it is big-endian.
fn read_object(bytes: &[u8], probes: &[Probe]) -> (Vec<Vec<u8>>, bool) {
    let obj = object::File::parse(bytes).unwrap_or_else(|e| panic!("object file: {e}"));
    let be = obj.endianness() == object::Endianness::Big;
    let data = probes
        .iter()
        .map(|p| {
            let sym = obj
                .symbols()
                .find(|s| s.name() == Ok(p.symbol.as_str()))
                .unwrap_or_else(|| panic!("no symbol {}", p.symbol));
            let sec = obj
                .section_by_index(
                    sym.section_index()
                        .unwrap_or_else(|| panic!("{} has no section", p.symbol)),
                )
                .unwrap_or_else(|e| panic!("{e}"));
            let d = sec.data().unwrap_or_else(|e| panic!("{e}"));
            // In a relocatable object a symbol's address is its offset in its section.
            let at = (sym.address() - sec.address()) as usize;
            d[at..at + sym.size() as usize].to_vec()
        })
        .collect();
    (data, be)
}

/// Every ABI's compiler places every bit where the model says, and the runtime's accessors
/// read and write those bytes.
#[test]
fn every_abis_compiler_puts_the_bits_where_the_model_says() {
    let m = model();
    let probes = probes(&m);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let inc = dir.path().join("include");
    std::fs::create_dir_all(inc.join("linux")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(inc.join("linux/bfdemo.h"), uapigen::emit::c::header(&m))
        .unwrap_or_else(|e| panic!("{e}"));
    let src = dir.path().join("probes.c");
    std::fs::write(&src, probe_source(&m, &probes)).unwrap_or_else(|e| panic!("{e}"));
    let asserts = dir.path().join("bfdemo_layout.c");
    std::fs::write(&asserts, uapigen::emit::c::asserts(&m)).unwrap_or_else(|e| panic!("{e}"));
    let indices: Vec<usize> = (0..ABIS.len()).collect();
    let results: Vec<Result<(usize, usize), String>> = par_map(&indices, |&i| {
        let a = &ABIS[i];
        let tc = abi_toolchain(a)?;
        let inc = format!("-I{}", inc.display());
        let out = dir.path().join(format!("{}.o", a.name));
        let (src, out_s) = (src.display().to_string(), out.display().to_string());
        let base = [
            inc.as_str(),
            "-ffreestanding",
            "-std=gnu11",
            "-Wall",
            "-Werror",
        ];
        tc.cc
            .run(&[&base[..], &["-c", src.as_str(), "-o", out_s.as_str()]].concat())
            .map_err(|e| format!("{}: {e}", a.name))?;
        let asserts = asserts.display().to_string();
        tc.cc
            .run(&[&base[..], &["-fsyntax-only", asserts.as_str()]].concat())
            .map_err(|e| format!("{}: the layout assertions: {e}", a.name))?;
        let bytes = std::fs::read(&out).map_err(|e| format!("{e}"))?;
        let (data, be) = read_object(&bytes, &probes);
        let l = &m.layouts[i];
        let mut bits_checked = 0;
        for (p, d) in probes.iter().zip(&data) {
            let t = &m.module.types[p.ty];
            let f = &t.fields[p.field];
            let w = u64::from(f.bits.unwrap_or(0));
            let pos = l.types[p.ty].bits[p.field].unwrap_or(u64::MAX);
            if d.len() as u64 != l.types[p.ty].size {
                return Err(format!(
                    "{}: {}: {} bytes, model {}",
                    a.name,
                    p.symbol,
                    d.len(),
                    l.types[p.ty].size
                ));
            }
            // Every set bit, in the ABI's allocation order.
            let set: Vec<u64> = (0..8 * d.len() as u64)
                .filter(|&q| {
                    let (byte, bit) = ((q / 8) as usize, q % 8);
                    let mask = if be { 0x80 >> bit } else { 1 << bit };
                    d[byte] & mask != 0
                })
                .collect();
            let want: Vec<u64> = if p.value == 1 {
                // The value's lowest bit: the field's last bit in big-endian order.
                vec![if be { pos + w - 1 } else { pos }]
            } else {
                (pos..pos + w).collect()
            };
            if set != want {
                return Err(format!(
                    "{}: {}.{} = {:#x}: the compiler set bits {set:?}, the model says {want:?}",
                    a.name,
                    t.c_name.as_deref().unwrap_or_default(),
                    f.c_name.as_deref().unwrap_or_default(),
                    p.value
                ));
            }
            // The accessors' functions, on this ABI's byte order.
            let got = uapigen_runtime::bitfield::get_in(d, pos as u32, w as u32, be);
            let mut back = vec![0u8; d.len()];
            uapigen_runtime::bitfield::set_in(&mut back, pos as u32, w as u32, p.value, be);
            if got != p.value || &back != d {
                return Err(format!(
                    "{}: {}: get gives {got:#x} for {:#x}; set gives {back:?} for {d:?}",
                    a.name, p.symbol, p.value
                ));
            }
            bits_checked += w as usize;
        }
        Ok((probes.len(), bits_checked))
    });
    let (mut n, mut bits) = (0, 0);
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok((p, b)) => {
                n += p;
                bits += b;
            }
            Err(e) => errors.push(e),
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    println!(
        "{n} probes ({bits} bits) on {} ABIs agree with the model",
        ABIS.len()
    );
    assert_eq!(n, probes.len() * ABIS.len());
}

/// The generated Rust: one storage member per run, accessors that read and write the
/// run's bytes (here through the host's byte order), and rustc and gcc accept the outputs
/// (rustc checks the storage members' layout assertions).
#[test]
fn the_outputs_compile_and_carry_accessors() {
    let m = model();
    let rust = uapigen::emit::rust::module(&m, uapigen::emit::Mode::Build)
        .unwrap_or_else(|e| panic!("{e}"));
    for want in [
        "pub _bitfield_1: [u8; 4]",
        "pub fn r#type(&self) -> u32",
        "pub fn set_type(&mut self, v: u32)",
        "::uapigen_runtime::bitfield::get_signed(&self._bitfield_1, 0, 5) as i32",
        "pub _bitfield_align_1: [::core::ffi::c_uint; 0]",
    ] {
        assert!(rust.contains(want), "no `{want}` in:\n{rust}");
    }
    // `uapigen layout` shows them as pahole does: `subtype:8`, the byte and the first bit.
    let report = uapigen::report::layout_text(&m, &m.layouts[abi("x86_64")]);
    assert!(
        report.contains("__u32 subtype:8;") && report.contains("/*     0: 0   4 */"),
        "{report}"
    );
    let header = uapigen::emit::c::header(&m);
    for want in [
        "__u32\ttype : 24;",
        "unsigned int\trawcmd : 2;",
        "__u64\tbig : 33;",
    ] {
        assert!(header.contains(want), "no `{want}` in:\n{header}");
    }
    let ran = compile(
        &[Accepted {
            label: "bfdemo".into(),
            text: SPEC.into(),
            model: m,
        }],
        "bitfields",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(ran.gcc_runs >= 1 && ran.rustc_runs >= 1);
}

/// What the outputs cannot carry: E0113 at the member, with a hint.
#[test]
fn what_cannot_be_a_bit_field_is_refused() {
    let base = "name: demo\nheader: linux/demo.h\n";
    let cases: &[(&str, &str, &str)] = &[
        (
            "in a union",
            "structs:\n  - name: demo_u\n    kind: union\n    fields:\n      - { name: a, type: u32, bits: 3 }\n      - { name: b, type: u32 }\n",
            "union",
        ),
        (
            "too wide",
            "structs:\n  - name: demo_s\n    fields:\n      - { name: a, type: u16, bits: 17 }\n",
            "does not fit",
        ),
        (
            "zero width",
            "structs:\n  - name: demo_s\n    fields:\n      - { name: a, type: u32, bits: 0 }\n",
            "does not fit",
        ),
        (
            "not an integer",
            "structs:\n  - name: demo_s\n    fields:\n      - { name: a, type: \"u8[4]\", bits: 3 }\n",
            "integer type",
        ),
        (
            "plain char",
            "structs:\n  - name: demo_s\n    fields:\n      - { name: a, type: char, bits: 3 }\n",
            "plain `char`",
        ),
        (
            "packed struct",
            "structs:\n  - name: demo_s\n    packed: true\n    fields:\n      - { name: a, type: u32, bits: 3 }\n",
            "packed",
        ),
        (
            "reserved",
            "structs:\n  - name: demo_s\n    fields:\n      - { name: a, type: u32, bits: 3, reserved: true }\n",
            "`reserved` on a bit-field",
        ),
        // long is 4 bytes on 32-bit ABIs: 40 bits do not fit there.
        (
            "too wide on some ABI",
            "structs:\n  - name: demo_s\n    fields:\n      - { name: a, type: unsigned long, bits: 40 }\n",
            "1 to 32 bits",
        ),
        // A __u64 bit-field after a 4-byte member starts at bit 64 on x86_64: padding.
        (
            "padding before",
            "structs:\n  - name: demo_s\n    fields:\n      - { name: x, type: u32 }\n      - { name: a, type: u64, bits: 40 }\n",
            "padding before the bit-field `a` on x86_64",
        ),
        // 30 bits of a __u32, then 40 of a __u64: bit 64 on x86_64, bit 32 on i386.
        (
            "placed differently",
            "structs:\n  - name: demo_s\n    fields:\n      - { name: a, type: u32, bits: 30 }\n      - { name: b, type: u64, bits: 40 }\n",
            "placed differently",
        ),
        (
            "read by a rule",
            "structs:\n  - name: demo_s\n    fields:\n      - { name: a, type: u32, bits: 3 }\n      - { name: b, type: u32 }\n    rules:\n      - { non-zero: a }\n",
            "a rule reads the bit-field",
        ),
        (
            "accessor clash",
            "structs:\n  - name: demo_s\n    fields:\n      - { name: a, type: u32, bits: 3 }\n      - { name: set_a, type: u32, bits: 3 }\n",
            "set_a()",
        ),
        (
            "method clash",
            "structs:\n  - name: demo_s\n    fields:\n      - { name: validate, type: u32, bits: 3 }\n",
            "a method of the struct",
        ),
        (
            "storage name",
            "structs:\n  - name: demo_s\n    fields:\n      - { name: a, type: u32, bits: 3 }\n      - { name: b, type: u32, rust-name: _bitfield_1 }\n",
            "named like the bytes",
        ),
        (
            "last mandatory",
            "structs:\n  - name: demo_s\n    fields:\n      - { name: argsz, type: u32 }\n      - { name: a, type: u32, bits: 3 }\n      - { name: b, type: u32, since: 2 }\n    extensible: { size-field: argsz, style: minsz }\n",
            "last mandatory member",
        ),
        (
            "union of padded",
            "structs:\n  - name: demo_s\n    fields:\n      - { name: a, type: u32, bits: 4 }\n      - { name: p, type: u8 }\n  - name: demo_u\n    kind: union\n    fields:\n      - { name: s, type: struct demo_s }\n      - { name: raw, type: u32 }\n",
            "union member `s`",
        ),
    ];
    let mut wrong = Vec::new();
    for (what, body, message) in cases {
        let text = format!("{base}{body}");
        match uapigen::compile_str("demo.yaml", &text) {
            Ok(_) => wrong.push(format!("{what}: accepted")),
            Err(d) => {
                let p = d.plain();
                if !(p.contains("E0113") && p.contains(message) && p.contains("hint:")) {
                    wrong.push(format!("{what}: {p}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

/// `uapigen compat` sees bit-fields like members (in bits): a narrower one breaks, a
/// removed one breaks, and the same spec has no change.
#[test]
fn compat_sees_bit_fields() {
    use uapigen::compat::{Class, compare};
    let old = model();
    assert!(compare(&old, &old).is_empty());
    for (from, to, kind) in [
        (
            "{ name: subtype, type: u32, bits: 8 }",
            "{ name: subtype, type: u32, bits: 7 }",
            "field-resized",
        ),
        (
            "      - { name: reset, type: unsigned int, bits: 1 }\n",
            "",
            "field-removed",
        ),
    ] {
        assert_eq!(SPEC.matches(from).count(), 1, "{from}");
        let text = SPEC.replacen(from, to, 1);
        let new =
            uapigen::compile_str("bfdemo.yaml", &text).unwrap_or_else(|d| panic!("{}", d.plain()));
        let ch = compare(&old, &new);
        assert!(
            ch.iter()
                .any(|c| c.kind == kind && c.class == Class::Breaking),
            "{kind}: {:?}",
            ch.iter().map(|c| (c.kind, &c.message)).collect::<Vec<_>>()
        );
    }
}
