//! `uapigen import` on hostile and broken headers, through the command line: every failure
//! is a clear error or a note with the header's file:line, never a panic or a half-written
//! file; and `-o` writes exactly what stdout shows. Each runs clang for x86_64 only.

use std::path::Path;
use std::process::{Command, Output};

fn import(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_uapigen"))
        .current_dir(dir)
        .arg("import")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run uapigen: {e}"))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn header(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("{e}"));
    p.display().to_string()
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_header_that_does_not_compile_is_an_error_with_its_line() {
    let d = tmp();
    let h = header(
        d.path(),
        "broken.h",
        "#include <linux/types.h>\nstruct broken {\n\tno_such_type a;\n};\n",
    );
    let o = import(d.path(), &[&h, "--abi", "x86_64"]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains("broken.h:3:"), "no file:line in: {e}");
    assert!(e.contains("does not compile"), "{e}");
    assert!(!e.contains("panicked"), "{e}");
    assert!(o.stdout.is_empty(), "a failed import printed a spec");
}

#[test]
fn a_header_that_includes_itself_is_an_error() {
    let d = tmp();
    let h = header(
        d.path(),
        "loop.h",
        "#include \"loop.h\"\n#define LOOP_A 1\n",
    );
    let o = import(d.path(), &[&h, "--abi", "x86_64"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("loop.h"), "{}", stderr(&o));
}

#[test]
fn what_the_format_cannot_say_is_a_note_with_file_and_line() {
    let d = tmp();
    let h = header(
        d.path(),
        "odd.h",
        "#ifndef ODD_H\n#define ODD_H\n#include <linux/types.h>\n#include <linux/ioctl.h>\n\
         #define ODD_A ODD_B\n#define ODD_B ODD_A\n\
         struct odd_bits {\n\t__u32 a : 3;\n\t__u32 : 29;\n};\n\
         #define ODD_EMPTY\n\
         struct odd_ok {\n\t__u32 x;\n\t__u64 y;\n\t__u32 t : 24;\n\t__u32 s : 8;\n};\n\
         #define ODD_GET _IOR('o', 1, struct odd_ok)\n\
         #define ODD_BAD _IOR('o', 2, struct odd_bits)\n#endif\n",
    );
    let o = import(d.path(), &[&h, "--abi", "x86_64"]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{e}");
    let spec = String::from_utf8_lossy(&o.stdout);
    // The macro cycle: both left out with the compiler's reason, at their lines.
    assert!(e.contains("odd.h:5: `ODD_A` left out"), "{e}");
    assert!(e.contains("odd.h:6: `ODD_B` left out"), "{e}");
    // The struct with an unnamed bit-field, and the ioctl that needs it; named bit-fields
    // come in with `bits`.
    assert!(
        e.contains("odd.h:7: struct `odd_bits`: an unnamed bit-field"),
        "{e}"
    );
    assert!(
        spec.contains("bits: 24") && spec.contains("bits: 8"),
        "{spec}"
    );
    assert!(e.contains("`ODD_BAD` left out"), "{e}");
    assert!(e.contains("odd.h:11: `ODD_EMPTY` is defined empty"), "{e}");
    // What it can say is there, and compiles.
    assert!(
        spec.contains("name: odd_ok") && spec.contains("name: ODD_GET"),
        "{spec}"
    );
    assert!(
        !spec.contains("odd_bits") && !spec.contains("ODD_A"),
        "{spec}"
    );
    assert!(spec.contains("guard: ODD_H"), "{spec}");
    uapigen::compile_str("odd.yaml", &spec).unwrap_or_else(|d| panic!("{}", d.plain()));
}

#[test]
fn output_file_is_what_stdout_shows() {
    let d = tmp();
    let out = d.path().join("nsfs.yaml");
    let a = import(d.path(), &["linux/nsfs.h", "--abi", "x86_64"]);
    assert!(a.status.success(), "{}", stderr(&a));
    let b = import(
        d.path(),
        &[
            "linux/nsfs.h",
            "--abi",
            "x86_64",
            "-o",
            &out.display().to_string(),
        ],
    );
    assert!(b.status.success(), "{}", stderr(&b));
    let written = std::fs::read(&out).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(written, a.stdout);
    // Limited to the ABI it was parsed for.
    assert!(
        String::from_utf8_lossy(&written).contains("arch:\n- x86_64"),
        "{}",
        String::from_utf8_lossy(&written)
    );
    // No staging file is left next to it.
    // (`.uapigen.lock` is the lock every writer of outputs takes.)
    let left: Vec<_> = std::fs::read_dir(d.path())
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .filter(|e| e.file_name() != ".uapigen.lock")
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
}

#[test]
fn usage_errors_say_what_is_wrong() {
    let d = tmp();
    let o = import(d.path(), &["linux/no_such_header.h", "--abi", "x86_64"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("linux/no_such_header.h: not found"),
        "{}",
        stderr(&o)
    );
    let o = import(d.path(), &["linux/nsfs.h", "--abi", "vax"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown ABI `vax`") && stderr(&o).contains("x86_64"),
        "{}",
        stderr(&o)
    );
}

/// A large header: 3,000 macros and 600 structs; the draft has all of them. The work grows
/// with the header, it does not stop (no wall-clock limit: the count is what is checked).
#[test]
fn a_large_header_is_imported_whole() {
    let d = tmp();
    let mut text = String::from(
        "#ifndef BIG_H\n#define BIG_H\n#include <linux/types.h>\n#include <linux/ioctl.h>\n",
    );
    for i in 0..3000 {
        text.push_str(&format!("#define BIG_C{i} ({i} + 1)\n"));
    }
    for i in 0..600 {
        text.push_str(&format!(
            "struct big_s{i} {{\n\t__u32 a;\n\t__u32 b[BIG_C{i}];\n}};\n"
        ));
    }
    text.push_str("#endif\n");
    let h = header(d.path(), "big.h", &text);
    let o = import(d.path(), &[&h, "--abi", "x86_64"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let spec = String::from_utf8_lossy(&o.stdout);
    assert_eq!(spec.matches("- name: BIG_C").count(), 3000);
    assert_eq!(spec.matches("- name: big_s").count(), 600);
    assert!(
        spec.contains("type: __u32[BIG_C599]"),
        "array lengths as written"
    );
}
