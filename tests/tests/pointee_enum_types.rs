//! What real headers say that the format said only lately: `void *` and `const T *`
//! members and ioctl arguments, `const` members, members and typedefs of an enum's type (`enum fe_type`,
//! `typedef enum { ... } NAME;`), structs without a tag (`typedef struct { ... } NAME;`),
//! and constants declared once per architecture (with an
//! item naming one declared per architecture too). The generated header is compiled by
//! the real compiler of every ABI with C's own checks (`__builtin_types_compatible_p`
//! against the type as the kernel writes it, values written here by hand per ABI), the
//! assertion file (the model's sizes, offsets and typedef signedness) holds on every ABI,
//! and the Rust has the pointer types and `unsafe` wrappers the kernel's use of the
//! addresses needs.

use uapigen_tests::{arch_of, syntax_check_every_abi};

const SPEC: &str = r#"
name: pdemo
header: linux/pdemo.h
prefix: pdemo
constants:
  - { name: PDEMO_MAGIC, value: 0x1f, arch: [x86, arm64, riscv, s390, powerpc, arm, m68k, sh] }
  - { name: PDEMO_MAGIC, value: 0x2f, arch: [mips] }
  - { name: PDEMO_MAGIC, value: 0x3f, arch: [sparc, alpha, parisc] }
  - { name: PDEMO_NEXT, value: PDEMO_MAGIC + 1, arch: [x86, arm64, riscv, s390, powerpc, arm, m68k, sh] }
  - { name: PDEMO_NEXT, value: PDEMO_MAGIC + 1, arch: [mips] }
  - { name: PDEMO_NEXT, value: PDEMO_MAGIC + 1, arch: [sparc, alpha, parisc] }
enums:
  - name: pdemo_mode
    values: [{ name: PDEMO_OFF }, { name: PDEMO_ON }, { name: PDEMO_HIGH, value: 0x80000000 }]
  - name: pdemo_signed
    values: [{ name: PDEMO_DOWN, value: -1 }, { name: PDEMO_UP }]
  - typedef: pdemo_state_t
    values: [{ name: PDEMO_IDLE }, { name: PDEMO_BUSY }]
typedefs:
  - { name: pdemo_mode_t, type: enum pdemo_mode }
  - { name: pdemo_signed_t, type: enum pdemo_signed }
  - { name: pdemo_uuid_t, type: pdemo_guid_t }
structs:
  - name: pdemo_guid_t
    tagless: true
    fields:
      - { name: b, type: "u8[16]" }
  - name: pdemo_req
    fields:
      - { name: id, type: pdemo_guid_t }
      - { name: buf, type: "void *" }
      - { name: name, type: "const char *" }
      - { name: next, type: "const struct pdemo_req *" }
      - { name: list, type: "void **" }
      - { name: mode, type: enum pdemo_mode }
      - { name: dir, type: "enum pdemo_signed[2]" }
      - { name: kind, type: pdemo_mode_t }
      - { name: state, type: pdemo_state_t }
      - { name: ro, type: const u32 }
      - { name: rotab, type: "const u8[4]" }
      - { name: tail, type: u8 }
ioctls:
  - { name: PDEMO_SET_NAME, dir: write, type: 0x70, nr: 1, arg: "const char *" }
  - { name: PDEMO_SET_BUF, dir: write, type: 0x70, nr: 2, arg: "void *" }
  - { name: PDEMO_SET_REQ, dir: write, type: 0x70, nr: 3, arg: struct pdemo_req }
  - { name: PDEMO_SET_MODE, dir: write, type: 0x70, nr: 4, arg: enum pdemo_mode }
  - { name: PDEMO_GET_ID, dir: read, type: 0x70, nr: 5, arg: pdemo_guid_t }
  - { name: PDEMO_PER_ARCH, dir: none, type: 0x70, nr: PDEMO_NEXT, arch: [x86, arm64, riscv, s390, powerpc, arm, m68k, sh] }
  - { name: PDEMO_PER_ARCH, dir: none, type: 0x70, nr: PDEMO_NEXT, arch: [mips] }
  - { name: PDEMO_PER_ARCH, dir: none, type: 0x70, nr: PDEMO_NEXT, arch: [sparc, alpha, parisc] }
"#;

/// C's own checks for one ABI (`arch`: the kernel's name of its architecture).
fn checks(arch: &str) -> String {
    let magic = match arch {
        "mips" => 0x2f,
        "sparc" | "alpha" | "parisc" => 0x3f,
        _ => 0x1f,
    };
    format!(
        "#include <linux/pdemo.h>\n\
         #define SAME(a, b) _Static_assert(__builtin_types_compatible_p(a, b), #a \" is \" #b)\n\
         #define M(f) __typeof__(((struct pdemo_req *)0)->f)\n\
         SAME(M(buf), void *);\n\
         SAME(M(name), const char *);\n\
         SAME(M(next), const struct pdemo_req *);\n\
         SAME(M(list), void **);\n\
         SAME(M(mode), enum pdemo_mode);\n\
         SAME(M(dir[0]), enum pdemo_signed);\n\
         SAME(pdemo_mode_t, enum pdemo_mode);\n\
         SAME(M(kind), pdemo_mode_t);\n\
         SAME(M(state), pdemo_state_t);\n\
         SAME(M(id), pdemo_guid_t);\n\
         SAME(M(ro), const __u32);\n\
         SAME(M(rotab[0]), const __u8);\n\
         SAME(pdemo_uuid_t, pdemo_guid_t);\n\
         _Static_assert(sizeof(pdemo_guid_t) == 16, \"guid\");\n\
         _Static_assert(PDEMO_GET_ID == _IOR(0x70, 5, pdemo_guid_t), \"guid ioctl\");\n\
         /* What C makes of the enums: unsigned without a negative value, else signed. */\n\
         _Static_assert(sizeof(enum pdemo_mode) == 4 && (enum pdemo_mode)-1 > 0, \"mode\");\n\
         _Static_assert(sizeof(enum pdemo_signed) == 4 && (enum pdemo_signed)-1 < 0, \"signed\");\n\
         _Static_assert(sizeof(pdemo_state_t) == 4 && PDEMO_BUSY == 1, \"state\");\n\
         _Static_assert(PDEMO_MAGIC == {magic} && PDEMO_NEXT == {magic} + 1, \"per arch\");\n\
         _Static_assert(PDEMO_PER_ARCH == _IO(0x70, {magic} + 1), \"per arch ioctl\");\n\
         _Static_assert(PDEMO_SET_NAME == _IOW(0x70, 1, const char *), \"name\");\n\
         _Static_assert(PDEMO_SET_BUF == _IOW(0x70, 2, void *), \"buf\");\n\
         _Static_assert(PDEMO_SET_MODE == _IOW(0x70, 4, enum pdemo_mode), \"mode ioctl\");\n"
    )
}

#[test]
fn pointers_enums_and_per_arch_constants_are_what_c_says_on_every_abi() {
    let model =
        uapigen::compile_str("pdemo.yaml", SPEC).unwrap_or_else(|d| panic!("{}", d.plain()));
    let header = uapigen::emit::c::header(&model);
    for decl in [
        "void *buf;",
        "const char *name;",
        "void **list;",
        "enum pdemo_mode\tmode;",
        "enum pdemo_signed\tdir[2];",
        "typedef enum pdemo_mode pdemo_mode_t;",
        "typedef enum {",
        "} pdemo_state_t;",
        "pdemo_state_t\tstate;",
        "typedef struct {\n\t__u8\tb[16];\n} pdemo_guid_t;\ntypedef pdemo_guid_t pdemo_uuid_t;",
        "pdemo_guid_t\tid;",
    ] {
        assert!(header.contains(decl), "no `{decl}` in:\n{header}");
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let inc = dir.path().join("include");
    std::fs::create_dir_all(inc.join("linux")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(inc.join("linux/pdemo.h"), &header).unwrap_or_else(|e| panic!("{e}"));
    let asserts = dir.path().join("pdemo_layout.c");
    std::fs::write(&asserts, uapigen::emit::c::asserts(&model)).unwrap_or_else(|e| panic!("{e}"));
    let errors = syntax_check_every_abi(&inc, &[], |abi| {
        let file = dir.path().join(format!("{}.c", abi.name));
        std::fs::write(&file, checks(arch_of(abi))).unwrap_or_else(|e| panic!("{e}"));
        vec![file, asserts.clone()]
    });
    assert!(errors.is_empty(), "{}", errors.join("\n"));

    let rust = uapigen::emit::rust::module(&model, uapigen::emit::Mode::Build)
        .unwrap_or_else(|e| panic!("{e:?}"));
    for item in [
        "pub buf: *mut ::core::ffi::c_void,",
        "pub name: *const ::core::ffi::c_char,",
        "pub id: GuidT,",
        "pub ro: u32,",
        "pub rotab: [u8; 4],",
        "pub next: *const Req,",
        "pub list: *mut *mut ::core::ffi::c_void,",
        "pub mode: ::core::ffi::c_uint,",
        "pub dir: [::core::ffi::c_int; 2],",
        "pub type ModeT = ::core::ffi::c_uint;",
        "pub type SignedT = ::core::ffi::c_int;",
        "pub type StateT = ::core::ffi::c_uint;",
        // The kernel takes the address the argument holds: the caller vouches for it.
        "pub unsafe fn set_name(",
        "pub unsafe fn set_buf(",
        "pub unsafe fn set_req(",
        // An enum's value is data.
        "pub fn set_mode(",
    ] {
        assert!(
            rust.contains(item),
            "no `{item}` in the Rust module:\n{rust}"
        );
    }
}

/// What the format refuses, each with its reason: `void` other than what a pointer points
/// at, `volatile`, an enum the spec lacks or whose values C compilers size differently,
/// a `typedef` on a named enum, a name declared per architecture from an item of all of
/// them or from a function-like macro (one body on every ABI), and declarations whose
/// architectures overlap.
#[test]
fn misuses_are_clear_errors() {
    let cases: [(&str, &str); 8] = [
        (
            "structs:\n  - name: s\n    fields:\n      - { name: a, type: void }\n",
            "only a pointer can point at it",
        ),
        (
            "structs:\n  - name: s\n    fields:\n      - { name: a, type: volatile u32 }\n",
            "cannot read the type `volatile u32`",
        ),
        (
            "structs:\n  - name: s\n    fields:\n      - { name: a, type: enum nope }\n",
            "unknown enum `nope`",
        ),
        (
            "enums:\n  - { name: w, values: [{ name: W_A, value: -1 }, { name: W_B, value: 0x80000000 }] }\nstructs:\n  - name: s\n    fields:\n      - { name: a, type: enum w }\n",
            "beyond 32 bits",
        ),
        (
            "enums:\n  - { name: w, typedef: w_t, values: [{ name: W_A }] }\n",
            "has a name and a `typedef`",
        ),
        (
            "constants:\n  - { name: A, value: 1, arch: [x86] }\n  - { name: A, value: 2, arch: [mips] }\n  - { name: B, value: A + 1, arch: [x86, mips] }\n",
            "declared per architecture, and no one declaration exists on all of",
        ),
        (
            "constants:\n  - { name: A, value: 1, arch: [x86, mips] }\n  - { name: A, value: 2, arch: [mips] }\n",
            "`A` is defined twice",
        ),
        (
            "constants:\n  - { name: A, value: 1, arch: [x86] }\n  - { name: A, value: 2, arch: [mips] }\nmacros:\n  - { name: M, params: [x], body: x + A }\n",
            "`A` is declared per architecture",
        ),
    ];
    for (body, want) in cases {
        let spec = format!("name: bad\nheader: linux/bad.h\n{body}");
        match uapigen::compile_str("bad.yaml", &spec) {
            Ok(_) => panic!("accepted:\n{spec}"),
            Err(d) => {
                let text = d.plain();
                assert!(
                    text.contains(want),
                    "`{want}` not in:\n{text}\nfor:\n{spec}"
                );
                assert!(text.contains("bad.yaml:"), "no place in:\n{text}");
            }
        }
    }
}

const BASE: &str = r#"
name: pbase
header: linux/pbase.h
constants:
  - { name: PB_FLAG, value: 1, arch: [x86, arm64, riscv, s390, powerpc, arm, m68k, sh, sparc, parisc] }
  - { name: PB_FLAG, value: 2, arch: [mips] }
  - { name: PB_FLAG, value: 4, arch: [alpha] }
  - { name: PB_ONLY, value: 7, arch: [x86, arm64, riscv, s390, powerpc, arm, m68k, sh, sparc, parisc, mips] }
typedefs:
  - { name: pb_len_t, type: u32 }
  - { name: pb_id_t, type: pb_guid }
structs:
  - { name: pb_guid, tagless: true, fields: [{ name: b, type: "u8[16]" }] }
enums:
  - { name: pb_speed, values: [{ name: PB_SLOW }, { name: PB_FAST }] }
"#;

const USER: &str = r#"
name: puser
header: linux/puser.h
uses: [pbase]
constants:
  - { name: PU_FLAG, value: PB_FLAG << 4, arch: [x86, arm64, riscv, s390, powerpc, arm, m68k, sh, sparc, parisc] }
  - { name: PU_FLAG, value: PB_FLAG << 4, arch: [mips] }
  - { name: PU_FLAG, value: PB_FLAG << 4, arch: [alpha] }
  # Where the used spec has none (as `asm/fcntl.h` beside `asm-generic/fcntl.h`).
  - { name: PB_ONLY, value: 9, arch: [alpha] }
  - { name: PU_ONLY, value: PB_ONLY + 1, arch: [x86, arm64, riscv, s390, powerpc, arm, m68k, sh, sparc, parisc, mips] }
  - { name: PU_ONLY, value: PB_ONLY + 1, arch: [alpha] }
structs:
  # Typedefs of the used spec: the types they name.
  - name: pu_req
    fields:
      - { name: len, type: pb_len_t }
      - { name: id, type: pb_id_t }
      - { name: speed, type: enum pb_speed }
"#;

/// A used spec's constant declared per architecture is every one of its declarations to
/// the spec that uses it, that spec may declare a name of the used spec for the
/// architectures the used spec leaves it out on, and it may name the used spec's typedefs
/// (of an integer type and of a struct without a tag) and enums: both headers compiled on every ABI, the
/// values written here by hand.
#[test]
fn per_arch_constants_across_used_specs() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let spec = dir.path().join("spec");
    std::fs::create_dir_all(&spec).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(spec.join("pbase.yaml"), BASE).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(spec.join("puser.yaml"), USER).unwrap_or_else(|e| panic!("{e}"));
    let inc = dir.path().join("include");
    std::fs::create_dir_all(inc.join("linux")).unwrap_or_else(|e| panic!("{e}"));
    for name in ["pbase", "puser"] {
        let m = uapigen::compile_file(spec.join(format!("{name}.yaml")))
            .unwrap_or_else(|d| panic!("{}", d.plain()));
        std::fs::write(
            inc.join(format!("linux/{name}.h")),
            uapigen::emit::c::header(&m),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let errors = syntax_check_every_abi(&inc, &[], |abi| {
        let (flag, only) = match arch_of(abi) {
            "mips" => (2, 7),
            "alpha" => (4, 9),
            _ => (1, 7),
        };
        let file = dir.path().join(format!("{}.c", abi.name));
        let src = format!(
            "#include <linux/puser.h>\n\
             _Static_assert(PB_FLAG == {flag} && PU_FLAG == ({flag} << 4), \"flag\");\n\
             _Static_assert(PB_ONLY == {only} && PU_ONLY == {only} + 1, \"only\");\n\
             _Static_assert(sizeof(struct pu_req) == 24, \"req\");\n\
             _Static_assert(__builtin_types_compatible_p(__typeof__(((struct pu_req *)0)->speed), enum pb_speed), \"speed\");\n\
             _Static_assert(__builtin_types_compatible_p(__typeof__(((struct pu_req *)0)->id), pb_id_t), \"id\");\n\
             _Static_assert(__builtin_types_compatible_p(__typeof__(((struct pu_req *)0)->len), pb_len_t), \"len\");\n"
        );
        std::fs::write(&file, src).unwrap_or_else(|e| panic!("{e}"));
        vec![file]
    });
    assert!(errors.is_empty(), "{}", errors.join("\n"));

    // Where the used spec has the name too, it is a duplicate.
    let clash = USER.replace("value: 9, arch: [alpha]", "value: 9, arch: [alpha, mips]");
    std::fs::write(spec.join("puser.yaml"), clash).unwrap_or_else(|e| panic!("{e}"));
    let text = match uapigen::compile_file(spec.join("puser.yaml")) {
        Ok(_) => panic!("a name the used spec defines on mips too was accepted"),
        Err(d) => d.plain(),
    };
    assert!(
        text.contains("`PB_ONLY` is already defined by the used spec `pbase`"),
        "{text}"
    );
}
