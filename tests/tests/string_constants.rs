//! String constants with bytes a C string literal must escape (`<sound/asound_fm.h>`'s
//! `FM_KEY_SBI` is `"SBI\032"`): the generated C header spells them so that gcc reads the
//! same bytes (octal escapes, `\"`, `\\`, `\?`), the Rust `&str` has them too, and both are
//! compared here with the bytes written by hand. A NUL is refused.

use std::fmt::Write as _;

const SPEC: &str = r#"
name: sdemo
header: linux/sdemo.h
constants:
  - { name: SDEMO_SBI, string: "SBI\x1A" }
  - { name: SDEMO_QUOTE, string: "a\"b\\c??=d" }
  - { name: SDEMO_TAB, string: "x\ty\n7" }
  - { name: SDEMO_UTF8, string: "é1" }
  - { name: SDEMO_BIDI, string: "<\u202E>" }
"#;

/// The bytes of each string, by hand.
const BYTES: &[(&str, &[u8])] = &[
    ("SDEMO_SBI", &[0x53, 0x42, 0x49, 0x1a]),
    ("SDEMO_QUOTE", b"a\"b\\c??=d"),
    ("SDEMO_TAB", &[b'x', 9, b'y', 10, b'7']),
    ("SDEMO_UTF8", &[0xc3, 0xa9, b'1']),
    // A bidi control character, which rustc refuses raw in a literal.
    ("SDEMO_BIDI", &[b'<', 0xe2, 0x80, 0xae, b'>']),
];

#[test]
fn strings_reach_c_and_rust_byte_for_byte() {
    let model =
        uapigen::compile_str("sdemo.yaml", SPEC).unwrap_or_else(|d| panic!("{}", d.plain()));
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let inc = tmp.path().join("include/linux");
    std::fs::create_dir_all(&inc).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(inc.join("sdemo.h"), uapigen::emit::c::header(&model))
        .unwrap_or_else(|e| panic!("{e}"));

    // gcc (C90 and C11, every warning an error): the bytes and the size of each string.
    let mut c = String::from("#include <stdio.h>\n#include <linux/sdemo.h>\nint main(void) {\n");
    for (name, _) in BYTES {
        let _ = writeln!(
            c,
            "\t{{ unsigned i; printf(\"%u\", (unsigned)sizeof({name})); for (i = 0; i < sizeof({name}); i++) printf(\" %u\", (unsigned)(unsigned char){name}[i]); printf(\"\\n\"); }}"
        );
    }
    c.push_str("\treturn 0;\n}\n");
    let mut printed = Vec::new();
    for std in ["-std=c90", "-std=c11"] {
        let flags = [std, "-Wall", "-Wextra", "-Werror", "-pedantic"];
        printed.push(
            uapigen_tests::run_c_program(tmp.path(), &c, &tmp.path().join("include"), &flags)
                .unwrap_or_else(|e| panic!("{e}")),
        );
    }
    assert_eq!(printed[0], printed[1], "C90 and C11 read the same bytes");
    let want: Vec<String> = BYTES
        .iter()
        .map(|(_, b)| {
            let mut s = format!("{}", b.len() + 1);
            for x in b.iter().chain([&0u8]) {
                let _ = write!(s, " {x}");
            }
            s
        })
        .collect();
    let got: Vec<String> = printed[0].lines().map(str::to_owned).collect();
    assert_eq!(got, want, "C's bytes (size, then each byte with the NUL)");

    // The model's facts say the same (the conformance probes compare them with real headers).
    let facts: std::collections::BTreeMap<String, u64> = uapigen::emit::c::facts(&model, 0)
        .into_iter()
        .map(|f| (f.key, f.value))
        .collect();
    for (name, b) in BYTES {
        assert_eq!(
            facts.get(&format!("strsize:{name}")),
            Some(&(b.len() as u64 + 1))
        );
        for (i, x) in b.iter().enumerate() {
            assert_eq!(
                facts.get(&format!("strbyte:{name}[{i}]")),
                Some(&u64::from(*x)),
                "{name}[{i}]"
            );
        }
    }

    // rustc (-D warnings): the constants of the generated module, their bytes.
    let module = uapigen::emit::rust::module(&model, uapigen::emit::Mode::Build)
        .unwrap_or_else(|e| panic!("{e}"));
    let consts: String = module
        .lines()
        .filter(|l| l.starts_with("pub const ") && l.contains(": &str"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(consts.lines().count(), BYTES.len(), "{module}");
    let mut r = format!("#![allow(dead_code)]\n{consts}fn main() {{\n");
    for (name, _) in BYTES {
        let _ = writeln!(r, "    println!(\"{{:?}}\", {name}.as_bytes());");
    }
    r.push_str("}\n");
    let printed = uapigen_tests::run_rust_program(tmp.path(), &r).unwrap_or_else(|e| panic!("{e}"));
    let want: Vec<String> = BYTES.iter().map(|(_, b)| format!("{b:?}")).collect();
    let got: Vec<String> = printed.lines().map(str::to_owned).collect();
    assert_eq!(got, want, "Rust's bytes");
}

#[test]
fn a_nul_in_a_string_is_refused() {
    let spec =
        "name: bad\nheader: linux/bad.h\nconstants:\n  - { name: BAD_S, string: \"a\\0b\" }\n";
    let e = match uapigen::compile_str("bad.yaml", spec) {
        Ok(_) => panic!("a NUL is accepted"),
        Err(d) => d.plain(),
    };
    assert!(e.contains("bad.yaml:4:") && e.contains("NUL"), "{e}");
}
