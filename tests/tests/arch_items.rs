//! Items limited to some architectures (`arch`), end to end in C: a spec written for this
//! test is generated into a temporary folder, and for each of the 18 ABIs the real compiler
//! of that ABI compiles a file that includes the generated header and asserts, with the
//! preprocessor and `_Static_assert`, which items exist there and what they are. The
//! expectations are written below by hand from the spec text (which item is on which
//! architecture, and its size on each), not taken from the model.

use std::path::Path;

use uapigen::abi::ABIS;
use uapigen_tests::{abi_toolchain, par_map};

const SPEC: &str = r#"
name: archdemo
header: linux/archdemo.h
prefix: archdemo
constants:
  - { name: ARCHDEMO_TYPE, value: 0xAD }
  - { name: ARCHDEMO_X86_ONLY, value: 1, arch: [x86] }
  - { name: ARCHDEMO_ARM64_ONLY, value: 2, arch: [arm64] }
  - { name: ARCHDEMO_NOT_32BIT_X86, value: 3, arch: [x86_64, x32, arm64, powerpc, mips, s390, riscv, sparc, m68k, alpha, parisc, sh, arm] }
groups:
  - name: archdemo_mode
    arch: [powerpc, mips]
    values:
      - { name: ARCHDEMO_MODE_A, value: 0 }
      - { name: ARCHDEMO_MODE_PPC, value: 1, arch: [powerpc] }
flags:
  - name: archdemo_flags
    arch: [x86, arm64]
    bits:
      - { name: ARCHDEMO_FLAG_X, bit: 0 }
      - { name: ARCHDEMO_FLAG_ARM64, bit: 1, arch: [arm64] }
enums:
  - name: archdemo_state
    arch: [s390]
    values:
      - { name: ARCHDEMO_STATE_IDLE }
  - name: archdemo_event
    values:
      - { name: ARCHDEMO_EVENT_A }
      - { name: ARCHDEMO_EVENT_X86, arch: [x86] }
      - { name: ARCHDEMO_EVENT_B }
structs:
  - name: archdemo_regs
    arch: [x86]
    fields:
      - { name: flags, type: u32, flags: archdemo_flags }
      - { name: pad, type: u32 }
      - { name: rax, type: u64 }
  - name: archdemo_regs
    arch: [arm64]
    fields:
      - { name: flags, type: u32, flags: archdemo_flags }
      - { name: pad, type: u32 }
      - { name: x, type: "u64[3]" }
      - { name: v, type: "__uint128_t[2]" }
  - name: archdemo_plain
    fields:
      - { name: a, type: u32 }
ioctls:
  - { name: ARCHDEMO_GET_REGS, dir: read, type: ARCHDEMO_TYPE, nr: 1, arg: struct archdemo_regs, arch: [x86, arm64] }
  - { name: ARCHDEMO_PLAIN, dir: write, type: ARCHDEMO_TYPE, nr: 2, arg: struct archdemo_plain }
"#;

/// The C checks for one ABI: every macro that must (not) be defined, and the size of
/// `struct archdemo_regs` where it exists.
fn checks(abi: &str) -> String {
    let x86 = matches!(abi, "x86_64" | "i386" | "x32");
    let arm64 = abi == "aarch64";
    let mut c = String::from("#include <linux/archdemo.h>\n");
    let mut want = |name: &str, there: bool| {
        let (test, what) = if there {
            ("ifndef", "missing")
        } else {
            ("ifdef", "present")
        };
        c.push_str(&format!(
            "#{test} {name}\n#error \"{name} {what} on {abi}\"\n#endif\n"
        ));
    };
    want("ARCHDEMO_TYPE", true);
    want("ARCHDEMO_PLAIN", true);
    want("ARCHDEMO_X86_ONLY", x86);
    want("ARCHDEMO_ARM64_ONLY", arm64);
    want("ARCHDEMO_NOT_32BIT_X86", abi != "i386");
    want(
        "ARCHDEMO_MODE_A",
        matches!(
            abi,
            "powerpc" | "ppc64" | "ppc64le" | "mips" | "mips64" | "mipsn32"
        ),
    );
    want("ARCHDEMO_FLAG_X", x86 || arm64);
    want("ARCHDEMO_FLAG_ARM64", arm64);
    want(
        "ARCHDEMO_MODE_PPC",
        matches!(abi, "powerpc" | "ppc64" | "ppc64le"),
    );
    want("ARCHDEMO_GET_REGS", x86 || arm64);
    c.push_str("_Static_assert(sizeof(struct archdemo_plain) == 4, \"plain\");\n");
    // Enumerators: EVENT_B counts on from EVENT_X86 (2) on every ABI, as the spec's order
    // gives it, even where EVENT_X86 does not exist.
    c.push_str(
        "_Static_assert(ARCHDEMO_EVENT_A == 0 && ARCHDEMO_EVENT_B == 2, \"enum values\");\n",
    );
    if x86 {
        c.push_str("_Static_assert(ARCHDEMO_EVENT_X86 == 1, \"x86 enum value\");\n");
    } else {
        c.push_str("enum { ARCHDEMO_EVENT_X86 = 7 }; /* free here: no such enumerator */\n");
    }
    if abi == "s390x" {
        c.push_str("_Static_assert(ARCHDEMO_STATE_IDLE == 0, \"enum\");\n");
    }
    // x86: two u32 and a u64 (16); arm64: two u32, three u64, 8 bytes of padding to the
    // 16-aligned __uint128_t[2] (64).
    let size = match (x86, arm64) {
        (true, _) => Some(16),
        (_, true) => Some(64),
        _ => None,
    };
    if let Some(size) = size {
        c.push_str(&format!(
            "_Static_assert(sizeof(struct archdemo_regs) == {size}, \"regs\");\n\
             _Static_assert(ARCHDEMO_GET_REGS == (2U << 30 | {size}U << 16 | 0xAD01), \"number\");\n"
        ));
    }
    c
}

#[test]
fn limited_items_exist_exactly_on_their_architectures() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let model =
        uapigen::compile_str("archdemo.yaml", SPEC).unwrap_or_else(|d| panic!("{}", d.plain()));
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("include/linux")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        out.join("include/linux/archdemo.h"),
        uapigen::emit::c::header(&model),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let include = out.join("include");
    let indices: Vec<usize> = (0..ABIS.len()).collect();
    let results = par_map(&indices, |&i| {
        let abi = &ABIS[i];
        let tc = abi_toolchain(abi).unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join(format!("{}.c", abi.name));
        std::fs::write(&file, checks(abi.name)).unwrap_or_else(|e| panic!("{e}"));
        let inc = format!("-I{}", include.display());
        let args = [
            inc.as_str(),
            "-std=c11",
            "-fsyntax-only",
            &file.display().to_string(),
        ]
        .map(str::to_owned);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        tc.cc.run(&refs)
    });
    let errors: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert!(Path::new(&include.join("linux/archdemo.h")).exists());
}

/// ioctls whose argument is a struct of a used spec are made once each, once in the header:
/// the type's declarations are counted once however it was copied in (a regression: the
/// vhost spec's ioctls on `vhost_types` structs came out twice).
#[test]
fn ioctls_on_a_used_specs_struct_are_made_once() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let types = dir.path().join("usedtypes.yaml");
    std::fs::write(
        &types,
        "name: usedtypes\nheader: linux/usedtypes.h\nstructs:\n  - name: used_state\n    fields:\n      - { name: index, type: u32 }\n      - { name: num, type: u32 }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let top = dir.path().join("usestop.yaml");
    std::fs::write(
        &top,
        "name: usestop\nheader: linux/usestop.h\nuses: [usedtypes]\nioctls:\n  - { name: USESTOP_SET, dir: write, type: 0xAF, nr: 1, arg: struct used_state }\n  - { name: USESTOP_GET, dir: read, type: 0xAF, nr: 2, arg: struct used_state }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let models = uapigen::builder_api::compile_with_uses(&[top]).unwrap_or_else(|e| panic!("{e}"));
    let m = models
        .iter()
        .find(|m| m.module.name == "usestop")
        .unwrap_or_else(|| panic!("no model of usestop"));
    assert_eq!(m.module.ioctls.len(), 2, "{:?}", m.module.ioctls);
    let header = uapigen::emit::c::header(m);
    for name in ["USESTOP_SET", "USESTOP_GET"] {
        assert_eq!(
            header.matches(&format!("#define {name} ")).count(),
            1,
            "{header}"
        );
    }
}
