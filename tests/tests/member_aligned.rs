//! `aligned: N` on a plain member (`__u64 b __attribute__((aligned(8)))`): the layout model
//! places it as C does on every ABI (the assertion file, the model's offsets, compiled by
//! each ABI's compiler; and C's own `offsetof`/`_Alignof` checks written by hand), and the
//! Rust struct has the same layout (rustc checks `derive(Uapi)`'s assertions).

use uapigen_tests::accepted::{Accepted, compile};
use uapigen_tests::syntax_check_every_abi;

const SPEC: &str = r#"
name: aldemo
header: linux/aldemo.h
structs:
  - name: aldemo_s
    fields:
      - { name: a, type: u8 }
      - { name: b, type: u64, aligned: 8 }
      - { name: c, type: u16 }
      - { name: d, type: "u32[2]", aligned: 16 }
  - name: aldemo_outer
    fields:
      - { name: x, type: u8 }
      - { name: s, type: struct aldemo_s }
"#;

/// By hand: `b` is 8-aligned on every ABI (i386 and m68k align a plain __u64 to 4 and 2),
/// `d` 16-aligned, so the struct is 16-aligned: a 0, b 8, c 16, d 32, size 48; in
/// aldemo_outer, `s` is at 16 and the size is 64.
const CHECKS: &str = "#include <linux/aldemo.h>\n\
    #define offsetof(t, m) __builtin_offsetof(t, m)\n\
    _Static_assert(offsetof(struct aldemo_s, b) == 8, \"b\");\n\
    _Static_assert(offsetof(struct aldemo_s, c) == 16, \"c\");\n\
    _Static_assert(offsetof(struct aldemo_s, d) == 32, \"d\");\n\
    _Static_assert(sizeof(struct aldemo_s) == 48, \"size\");\n\
    _Static_assert(_Alignof(struct aldemo_s) == 16, \"align\");\n\
    _Static_assert(offsetof(struct aldemo_outer, s) == 16, \"outer\");\n\
    _Static_assert(sizeof(struct aldemo_outer) == 64, \"outer size\");\n";

#[test]
fn aligned_members_are_placed_as_c_places_them() {
    let model =
        uapigen::compile_str("aldemo.yaml", SPEC).unwrap_or_else(|d| panic!("{}", d.plain()));
    let header = uapigen::emit::c::header(&model);
    assert!(
        header.contains("__u64\tb __attribute__((aligned(8)));"),
        "{header}"
    );
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let inc = dir.path().join("include");
    std::fs::create_dir_all(inc.join("linux")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(inc.join("linux/aldemo.h"), &header).unwrap_or_else(|e| panic!("{e}"));
    let asserts = dir.path().join("aldemo_layout.c");
    std::fs::write(&asserts, uapigen::emit::c::asserts(&model)).unwrap_or_else(|e| panic!("{e}"));
    let checks = dir.path().join("checks.c");
    std::fs::write(&checks, CHECKS).unwrap_or_else(|e| panic!("{e}"));
    // <stddef.h> for offsetof: the compiler's own freestanding header.
    let errors = syntax_check_every_abi(&inc, &["-ffreestanding"], |_| {
        vec![asserts.clone(), checks.clone()]
    });
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // The Rust struct with its layout assertions (size, alignment and offsets per ABI group).
    let specs = [Accepted {
        label: "aldemo".into(),
        text: SPEC.into(),
        model,
    }];
    let ran = compile(&specs, "member-aligned").unwrap_or_else(|e| panic!("{e}"));
    assert!(
        ran.gcc_runs >= 1 && ran.rustc_runs >= 1,
        "nothing was compiled"
    );
}
