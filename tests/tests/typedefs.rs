//! A header's own typedefs (`typedefs:`): the generated header defines each as the integer
//! type, struct or union it names and spells members with it, on every ABI the real
//! compiler of that ABI agrees (the checks below are C's own: `__builtin_types_compatible_p`
//! against the type written in the spec, not values from the model), the assertion file
//! (the model's sizes and signedness of each typedef, the layouts of the structs) holds on
//! every ABI, and Rust gets type aliases.
//!
//! `macro: true` makes the C header define the name as a macro of the type (`#define
//! lirc_t int` of `<linux/lirc.h>`): `unsigned NAME` compiles only then, which the checks
//! use to tell a macro from a typedef.
//!
//! C99's `uint8_t` ... `int64_t` and `size_t` as members, with the compiler's freestanding
//! `<stdint.h>` and `<stddef.h>`: the same checks on every ABI.

use uapigen::abi::ABIS;
use uapigen_tests::{abi_toolchain, par_map, syntax_check_every_abi};

const SPEC: &str = r#"
name: tdemo
header: linux/tdemo.h
prefix: tdemo
typedefs:
  - { name: tdemo_state_t, type: u32, doc: A state number. }
  - { name: tdemo_off_t, type: long }
  - { name: tdemo_pid_t, type: __kernel_pid_t }
  - { name: tdemo_char_t, type: char }
  - { name: tdemo_x86_t, type: unsigned long long, arch: [x86] }
  - { name: tdemo_uid_t, type: __kernel_uid32_t, doc: No member uses it. }
  - { name: tdemo_req_t, type: struct tdemo_req, doc: "As <linux/cm4000_cs.h>'s atreq_t." }
  - { name: tdemo_any, type: union tdemo_u }
  - { name: tdemo_req, type: struct tdemo_req }
  - { name: tdemo_word, type: __u16, macro: true, doc: "As <linux/cciss_defs.h>'s `#define WORD __u16`." }
  - { name: tdemo_lirc_t, type: int, macro: true }
structs:
  - name: tdemo_s
    fields:
      - { name: state, type: tdemo_state_t }
      - { name: pid, type: tdemo_pid_t }
      - { name: offs, type: "tdemo_off_t[2]" }
      - { name: tag, type: "tdemo_char_t[8]" }
      - { name: reqs, type: "tdemo_req_t[2]" }
      - { name: any, type: tdemo_any }
      - { name: last, type: tdemo_req }
      - { name: word, type: tdemo_word }
  - name: tdemo_req
    fields:
      - { name: lc, type: s32 }
      - { name: data, type: "u8[4]" }
  - name: tdemo_u
    kind: union
    fields:
      - { name: a, type: u64 }
      - { name: r, type: tdemo_req_t }
ioctls:
  - { name: TDEMO_GET, dir: read, type: 0x54, nr: 1, arg: tdemo_state_t }
  - { name: TDEMO_REQ, dir: write, type: 0x54, nr: 2, arg: tdemo_req_t }
"#;

/// C's own checks for one ABI.
fn checks(abi: &str) -> String {
    let x86 = matches!(abi, "x86_64" | "i386" | "x32");
    let mut c = String::from(
        "#include <linux/tdemo.h>\n\
         #define SAME(a, b) _Static_assert(__builtin_types_compatible_p(a, b), #a \" is \" #b)\n\
         SAME(tdemo_state_t, __u32);\n\
         SAME(tdemo_off_t, long);\n\
         SAME(tdemo_pid_t, __kernel_pid_t);\n\
         SAME(tdemo_char_t, char);\n\
         SAME(tdemo_uid_t, __kernel_uid32_t);\n\
         SAME(__typeof__(((struct tdemo_s *)0)->state), tdemo_state_t);\n\
         SAME(__typeof__(((struct tdemo_s *)0)->offs[0]), long);\n\
         SAME(tdemo_req_t, struct tdemo_req);\n\
         SAME(tdemo_req, struct tdemo_req);\n\
         SAME(tdemo_any, union tdemo_u);\n\
         SAME(__typeof__(((struct tdemo_s *)0)->reqs[1]), struct tdemo_req);\n\
         SAME(__typeof__(((union tdemo_u *)0)->r), tdemo_req_t);\n\
         SAME(tdemo_word, __u16);\n\
         SAME(tdemo_lirc_t, int);\n\
         SAME(__typeof__(((struct tdemo_s *)0)->word), __u16);\n\
         _Static_assert(sizeof(unsigned tdemo_lirc_t) == sizeof(unsigned int), \"a macro\");\n\
         _Static_assert(TDEMO_GET == _IOR(0x54, 1, __u32), \"number\");\n\
         _Static_assert(TDEMO_REQ == _IOW(0x54, 2, tdemo_req_t), \"number\");\n",
    );
    if x86 {
        c.push_str("SAME(tdemo_x86_t, unsigned long long);\n");
    } else {
        // Not defined here: the name is free.
        c.push_str("typedef int tdemo_x86_t;\n");
    }
    c
}

#[test]
fn typedefs_are_the_types_they_name_on_every_abi() {
    let model =
        uapigen::compile_str("tdemo.yaml", SPEC).unwrap_or_else(|d| panic!("{}", d.plain()));
    let header = uapigen::emit::c::header(&model);
    // Members are spelled with the typedef, as the kernel writes them.
    for decl in [
        "tdemo_state_t\tstate;",
        "tdemo_off_t\toffs[2];",
        "typedef long tdemo_off_t;",
        "typedef struct tdemo_req tdemo_req_t;",
        "typedef union tdemo_u tdemo_any;",
        "tdemo_req_t\treqs[2];",
        "tdemo_any\tany;",
        "tdemo_req_t\tr;",
        // `macro: true`: a macro of the type, as the kernel's headers write some.
        "#define tdemo_word __u16",
        "#define tdemo_lirc_t int",
        "tdemo_word\tword;",
    ] {
        assert!(header.contains(decl), "no `{decl}` in:\n{header}");
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let inc = dir.path().join("include");
    std::fs::create_dir_all(inc.join("linux")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(inc.join("linux/tdemo.h"), &header).unwrap_or_else(|e| panic!("{e}"));
    let asserts = dir.path().join("tdemo_layout.c");
    std::fs::write(&asserts, uapigen::emit::c::asserts(&model)).unwrap_or_else(|e| panic!("{e}"));
    let errors = syntax_check_every_abi(&inc, &[], |abi| {
        let file = dir.path().join(format!("{}.c", abi.name));
        std::fs::write(&file, checks(abi.name)).unwrap_or_else(|e| panic!("{e}"));
        vec![file, asserts.clone()]
    });
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // Rust: an alias per typedef, the x86 one behind its cfg.
    let rust = uapigen::emit::rust::module(&model, uapigen::emit::Mode::Build)
        .unwrap_or_else(|e| panic!("{e:?}"));
    for alias in [
        "pub type StateT = u32;",
        "pub type OffT = ::core::ffi::c_long;",
        "pub type PidT = __kernel_pid_t;",
        "pub type UidT = __kernel_uid32_t;",
        // The kernel typedef an unused typedef names is defined too.
        "pub type __kernel_uid32_t = ",
        // A typedef of a struct or union is an alias of its Rust type; members have the
        // type itself.
        "pub type ReqT = Req;",
        "pub type Any = U;",
        "pub reqs: [Req; 2],",
        "pub type Word = u16;",
        "pub type LircT = ::core::ffi::c_int;",
    ] {
        assert!(
            rust.contains(alias),
            "no `{alias}` in the Rust module:\n{rust}"
        );
    }
    assert!(
        rust.contains(
            "#[cfg(any(target_arch = \"x86\", target_arch = \"x86_64\"))]\npub type X86T"
        ),
        "{rust}"
    );
}

const STDINT: &str = r#"
name: sdemo
header: linux/sdemo.h
includes: [stdint.h, stddef.h]
typedefs:
  - { name: sdemo_len_t, type: size_t }
structs:
  - name: sdemo_s
    fields:
      - { name: a8, type: int8_t }
      - { name: u64, type: uint64_t }
      - { name: u8, type: uint8_t }
      - { name: s64, type: int64_t }
      - { name: s16, type: int16_t }
      - { name: u16, type: "uint16_t[3]" }
      - { name: s32, type: int32_t }
      - { name: u32, type: uint32_t }
      - { name: len, type: sdemo_len_t }
      - { name: size, type: size_t }
ioctls:
  - { name: SDEMO_SET, dir: write, type: 0x53, nr: 1, arg: struct sdemo_s }
"#;

#[test]
fn c99_fixed_width_types_are_the_compilers_on_every_abi() {
    let model =
        uapigen::compile_str("sdemo.yaml", STDINT).unwrap_or_else(|d| panic!("{}", d.plain()));
    let header = uapigen::emit::c::header(&model);
    for decl in [
        "#include <stdint.h>\n#include <stddef.h>",
        "uint64_t\tu64;",
        "uint16_t\tu16[3];",
        "typedef size_t sdemo_len_t;",
    ] {
        assert!(header.contains(decl), "no `{decl}` in:\n{header}");
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let inc = dir.path().join("include");
    std::fs::create_dir_all(inc.join("linux")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(inc.join("linux/sdemo.h"), &header).unwrap_or_else(|e| panic!("{e}"));
    let asserts = dir.path().join("sdemo_layout.c");
    std::fs::write(&asserts, uapigen::emit::c::asserts(&model)).unwrap_or_else(|e| panic!("{e}"));
    let checks = dir.path().join("checks.c");
    std::fs::write(
        &checks,
        "#include <linux/sdemo.h>\n\
         #define SAME(a, b) _Static_assert(__builtin_types_compatible_p(a, b), #a \" is \" #b)\n\
         SAME(__typeof__(((struct sdemo_s *)0)->u64), uint64_t);\n\
         SAME(__typeof__(((struct sdemo_s *)0)->len), size_t);\n\
         SAME(sdemo_len_t, __kernel_size_t);\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let indices: Vec<usize> = (0..ABIS.len()).collect();
    let results = par_map(&indices, |&i| {
        let abi = &ABIS[i];
        let tc = abi_toolchain(abi).unwrap_or_else(|e| panic!("{e}"));
        let cc = tc.cc.with_freestanding_headers();
        let inc = format!("-I{}", inc.display());
        let mut errors = Vec::new();
        for f in [checks.display().to_string(), asserts.display().to_string()] {
            let args = [inc.as_str(), "-std=gnu11", "-fsyntax-only", f.as_str()];
            if let Err(e) = cc.run(&args) {
                errors.push(format!("{}: {e}", abi.name));
            }
        }
        errors
    });
    let errors: Vec<String> = results.into_iter().flatten().collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let rust = uapigen::emit::rust::module(&model, uapigen::emit::Mode::Build)
        .unwrap_or_else(|e| panic!("{e:?}"));
    for alias in [
        "pub type uint64_t = ::core::ffi::c_ulong;",
        "pub type uint64_t = ::core::ffi::c_ulonglong;",
        "pub type size_t = ::core::ffi::c_uint;",
        "pub type SdemoLenT = size_t;",
        "pub u64: uint64_t,",
    ] {
        assert!(
            rust.contains(alias),
            "no `{alias}` in the Rust module:\n{rust}"
        );
    }
}

#[test]
fn a_macro_typedef_names_an_integer_type() {
    let spec = "name: bad\nheader: linux/bad.h\ntypedefs:\n  - { name: bad_t, type: struct bad_s, macro: true }\nstructs:\n  - name: bad_s\n    fields: [{ name: a, type: u32 }]\n";
    let e = match uapigen::compile_str("bad.yaml", spec) {
        Ok(_) => panic!("a macro typedef of a struct is accepted"),
        Err(d) => d.plain(),
    };
    assert!(
        e.contains("bad.yaml:4:") && e.contains("with `macro` names a struct or union"),
        "{e}"
    );
}
