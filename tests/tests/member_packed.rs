//! `packed: true` on a plain member (`__u64 b __attribute__((packed))`): the layout model
//! places it as C does on every ABI (the assertion file, the model's offsets, compiled by
//! each ABI's compiler; and C's own `offsetof`/`_Alignof` checks written by hand), the Rust
//! struct has the same layout (rustc checks `derive(Uapi)`'s assertions, with the member in
//! `uapigen_runtime::Packed<T>`), and what cannot be packed is refused with E0113.

use uapigen::abi::ABIS;
use uapigen_tests::accepted::{Accepted, compile};
use uapigen_tests::syntax_check_every_abi;

const SPEC: &str = r#"
name: pkdemo
header: linux/pkdemo.h
structs:
  - name: pkdemo_in
    fields:
      - { name: x, type: u32 }
      - { name: y, type: u8 }
  - name: pkdemo_s
    fields:
      - { name: a, type: u8 }
      - { name: b, type: u64, packed: true }
      - { name: c, type: u16 }
      - { name: g, type: u8, reserved: true }
      - { name: d, type: "u32[2]", packed: true }
      - { name: f, type: u32 }
  - name: pkdemo_t
    fields:
      - { name: x, type: u64 }
      - { name: y, type: u8 }
      - { name: z, type: s64, packed: true }
  - name: pkdemo_p
    fields:
      - { name: a, type: u8 }
      - { name: e, type: struct pkdemo_in, packed: true }
      - { name: z, type: u8 }
  - name: pkdemo_u
    kind: union
    fields:
      - { name: p, type: struct pkdemo_p }
      - { name: raw, type: "u8[2]" }
  - name: pkdemo_outer
    fields:
      - { name: x, type: u8 }
      - { name: s, type: struct pkdemo_s }
"#;

/// By hand, with `A64`/`A32` the alignment of a `__u64`/`__u32` inside a struct on the
/// compiler's ABI (i386 and sh4 align a `__u64` to 4, m68k everything to 2): a packed member
/// is 1-aligned, so it follows the member before it directly, and counts as 1 for the
/// struct's alignment (and so its tail padding); the members after it are aligned as usual.
const CHECKS: &str = "#include <linux/pkdemo.h>\n\
    #define offsetof(t, m) __builtin_offsetof(t, m)\n\
    struct al64 { __u8 c; __u64 v; };\n\
    struct al32 { __u8 c; __u32 v; };\n\
    #define A64 offsetof(struct al64, v)\n\
    #define A32 offsetof(struct al32, v)\n\
    #define UP(n, a) (((n) + (a) - 1) / (a) * (a))\n\
    _Static_assert(offsetof(struct pkdemo_s, b) == 1, \"b\");\n\
    _Static_assert(offsetof(struct pkdemo_s, c) == 10, \"c\");\n\
    _Static_assert(offsetof(struct pkdemo_s, g) == 12, \"g\");\n\
    _Static_assert(offsetof(struct pkdemo_s, d) == 13, \"d\");\n\
    _Static_assert(offsetof(struct pkdemo_s, f) == UP(21, A32), \"f\");\n\
    _Static_assert(sizeof(struct pkdemo_s) == UP(21, A32) + 4, \"s size\");\n\
    _Static_assert(_Alignof(struct pkdemo_s) == A32, \"s align\");\n\
    _Static_assert(offsetof(struct pkdemo_t, z) == 9, \"z\");\n\
    _Static_assert(sizeof(struct pkdemo_t) == UP(17, A64), \"t size\");\n\
    _Static_assert(_Alignof(struct pkdemo_t) == A64, \"t align\");\n\
    _Static_assert(offsetof(struct pkdemo_p, e) == 1, \"e\");\n\
    _Static_assert(offsetof(struct pkdemo_p, z) == 1 + sizeof(struct pkdemo_in), \"p.z\");\n\
    _Static_assert(sizeof(struct pkdemo_p) == 2 + sizeof(struct pkdemo_in), \"p size\");\n\
    _Static_assert(_Alignof(struct pkdemo_p) == 1, \"p align\");\n\
    _Static_assert(sizeof(union pkdemo_u) == sizeof(struct pkdemo_p), \"u size\");\n\
    _Static_assert(_Alignof(union pkdemo_u) == 1, \"u align\");\n\
    _Static_assert(offsetof(struct pkdemo_outer, s) == A32, \"outer\");\n";

/// The model's own numbers for x86_64, i386 and m68k (the hand checks above hold them on
/// every ABI; these say what they are).
#[test]
fn the_model_places_packed_members_at_alignment_one() {
    let model =
        uapigen::compile_str("pkdemo.yaml", SPEC).unwrap_or_else(|d| panic!("{}", d.plain()));
    let id = |n: &str| {
        model
            .module
            .types
            .iter()
            .position(|t| t.c_name.as_deref() == Some(n))
            .unwrap_or_else(|| panic!("{n}"))
    };
    let abi = |n: &str| {
        ABIS.iter()
            .position(|a| a.name == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    let (s, t) = (id("pkdemo_s"), id("pkdemo_t"));
    for (name, s_off, s_size, s_align, t_size, t_align) in [
        ("x86_64", 24, 28, 4, 24, 8),
        ("i386", 24, 28, 4, 20, 4),
        ("m68k", 22, 26, 2, 18, 2),
    ] {
        let l = &model.layouts[abi(name)];
        assert_eq!(l.types[s].offsets, [0, 1, 10, 12, 13, s_off], "{name}");
        assert_eq!(
            (l.types[s].size, l.types[s].align),
            (s_size, s_align),
            "{name}"
        );
        assert_eq!(l.types[t].offsets, [0, 8, 9], "{name}");
        assert_eq!(
            (l.types[t].size, l.types[t].align),
            (t_size, t_align),
            "{name}"
        );
    }
}

#[test]
fn packed_members_are_placed_as_c_places_them() {
    let model =
        uapigen::compile_str("pkdemo.yaml", SPEC).unwrap_or_else(|d| panic!("{}", d.plain()));
    let header = uapigen::emit::c::header(&model);
    for decl in [
        "__u64\tb __attribute__((packed));",
        "__u32\td[2] __attribute__((packed));",
        "struct pkdemo_in\te __attribute__((packed));",
    ] {
        assert!(header.contains(decl), "{decl}:\n{header}");
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let inc = dir.path().join("include");
    std::fs::create_dir_all(inc.join("linux")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(inc.join("linux/pkdemo.h"), &header).unwrap_or_else(|e| panic!("{e}"));
    let asserts = dir.path().join("pkdemo_layout.c");
    std::fs::write(&asserts, uapigen::emit::c::asserts(&model)).unwrap_or_else(|e| panic!("{e}"));
    let checks = dir.path().join("checks.c");
    std::fs::write(&checks, CHECKS).unwrap_or_else(|e| panic!("{e}"));
    // -Werror: GCC's "`packed` attribute ignored" warning would fail here.
    let errors = syntax_check_every_abi(&inc, &["-ffreestanding", "-Wall"], |_| {
        vec![asserts.clone(), checks.clone()]
    });
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // The Rust structs with their layout assertions, the union's accessors (which write a
    // packed member by copy), and the C header again under -std=c90 -Wall -Werror.
    let rust = uapigen::emit::rust::module(&model, uapigen::emit::Mode::Build)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        rust.contains("::uapigen_runtime::Packed<u64>"),
        "no Packed<u64> member:\n{rust}"
    );
    let specs = [Accepted {
        label: "pkdemo".into(),
        text: SPEC.into(),
        model,
    }];
    let ran = compile(&specs, "member-packed").unwrap_or_else(|e| panic!("{e}"));
    assert!(
        ran.gcc_runs >= 1 && ran.rustc_runs >= 1,
        "nothing was compiled"
    );
}

/// Every refused combination: E0113 at the member, with a hint.
#[test]
fn what_cannot_be_packed_is_refused() {
    let base = "name: demo\nheader: linux/demo.h\n";
    let flags = "flags:\n  - name: demo_flags\n    type: u32\n    bits:\n      - { name: DEMO_A, bit: 0 }\n";
    let groups = "groups:\n  - name: demo_kind\n    type: u32\n    values:\n      - { name: DEMO_K0, value: 0 }\n";
    let cases: [(&str, &str, &str); 9] = [
        (
            "union member",
            "",
            "  - name: demo_s\n    kind: union\n    fields:\n      - { name: y, type: u32 }\n      - { name: x, type: u64, packed: true }\n",
        ),
        (
            "with aligned",
            "",
            "  - name: demo_s\n    fields:\n      - { name: a, type: u8 }\n      - { name: x, type: u64, packed: true, aligned: 8 }\n",
        ),
        (
            "aligned_u64",
            "",
            "  - name: demo_s\n    fields:\n      - { name: a, type: u8 }\n      - { name: x, type: aligned_u64, packed: true }\n",
        ),
        (
            "holds an aligned member",
            "",
            "  - name: demo_in\n    fields:\n      - { name: v, type: u32, aligned: 8 }\n  - name: demo_s\n    fields:\n      - { name: a, type: u8 }\n      - { name: x, type: struct demo_in, packed: true }\n",
        ),
        (
            "pointer",
            "",
            "  - name: demo_s\n    fields:\n      - { name: a, type: u8 }\n      - { name: x, type: \"u64 *\", packed: true }\n",
        ),
        (
            "flexible array",
            "",
            "  - name: demo_s\n    fields:\n      - { name: a, type: u8 }\n      - { name: x, type: \"u32[]\", packed: true }\n",
        ),
        (
            "1-aligned",
            "",
            "  - name: demo_s\n    fields:\n      - { name: a, type: u32 }\n      - { name: x, type: u8, packed: true }\n",
        ),
        (
            "flags field",
            flags,
            "  - name: demo_s\n    fields:\n      - { name: a, type: u8 }\n      - { name: x, type: u32, flags: demo_flags, packed: true }\n",
        ),
        (
            "value group field",
            groups,
            "  - name: demo_s\n    fields:\n      - { name: a, type: u8 }\n      - { name: x, type: u32, values: demo_kind, packed: true }\n",
        ),
    ];
    for (what, extra, structs) in cases {
        let text = format!("{base}{extra}structs:\n{structs}");
        let d = match uapigen::compile_str("bad.yaml", &text) {
            Ok(_) => panic!("{what}: a packed member accepted:\n{text}"),
            Err(d) => d,
        };
        let shown = d.plain();
        assert!(
            d.list
                .iter()
                .any(|x| x.code == uapigen::Code::Attribute && x.hint.is_some()),
            "{what}: no E0113 with a hint:\n{shown}"
        );
        // At the member's line (the last line of the spec).
        let line = u32::try_from(text.lines().count()).unwrap_or(0);
        assert!(
            d.list.iter().any(|x| x.span.line == line),
            "{what}: not reported at line {line}:\n{shown}"
        );
    }
    // A role the generated checks read: an extensible struct's size field.
    let text = format!(
        "{base}structs:\n  - name: demo_s\n    extensible: {{ size-field: argsz, style: minsz }}\n    fields:\n      - {{ name: argsz, type: u32, packed: true }}\n      - {{ name: a, type: u32 }}\n"
    );
    match uapigen::compile_str("bad.yaml", &text) {
        Ok(_) => panic!("a packed size field accepted"),
        Err(d) => assert!(
            d.plain().contains("E0113") && d.plain().contains("the size field"),
            "{}",
            d.plain()
        ),
    }
}
