//! A header's own typedefs (`typedefs:`): the generated header defines each as the integer
//! type it names and spells members with it, on every ABI the real compiler of that ABI
//! agrees (the checks below are C's own: `__builtin_types_compatible_p` against the type
//! written in the spec, not values from the model), the assertion file (the model's sizes
//! and signedness of each typedef) holds on every ABI, and Rust gets type aliases.

use uapigen::abi::ABIS;
use uapigen_tests::{abi_toolchain, par_map};

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
structs:
  - name: tdemo_s
    fields:
      - { name: state, type: tdemo_state_t }
      - { name: pid, type: tdemo_pid_t }
      - { name: offs, type: "tdemo_off_t[2]" }
      - { name: tag, type: "tdemo_char_t[8]" }
ioctls:
  - { name: TDEMO_GET, dir: read, type: 0x54, nr: 1, arg: tdemo_state_t }
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
         _Static_assert(TDEMO_GET == _IOR(0x54, 1, __u32), \"number\");\n",
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
    ] {
        assert!(header.contains(decl), "no `{decl}` in:\n{header}");
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let inc = dir.path().join("include");
    std::fs::create_dir_all(inc.join("linux")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(inc.join("linux/tdemo.h"), &header).unwrap_or_else(|e| panic!("{e}"));
    let asserts = dir.path().join("tdemo_layout.c");
    std::fs::write(&asserts, uapigen::emit::c::asserts(&model)).unwrap_or_else(|e| panic!("{e}"));
    let indices: Vec<usize> = (0..ABIS.len()).collect();
    let results = par_map(&indices, |&i| {
        let abi = &ABIS[i];
        let tc = abi_toolchain(abi).unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join(format!("{}.c", abi.name));
        std::fs::write(&file, checks(abi.name)).unwrap_or_else(|e| panic!("{e}"));
        let inc = format!("-I{}", inc.display());
        let mut errors = Vec::new();
        for f in [file.display().to_string(), asserts.display().to_string()] {
            let args = [inc.as_str(), "-std=gnu11", "-fsyntax-only", f.as_str()];
            if let Err(e) = tc.cc.run(&args) {
                errors.push(format!("{}: {e}", abi.name));
            }
        }
        errors
    });
    let errors: Vec<String> = results.into_iter().flatten().collect();
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
