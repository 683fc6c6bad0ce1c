//! The minimum size of an extensible struct whose last mandatory member is an anonymous
//! union (`tests/fixtures/min_size/minsz.yaml`): `union { struct { u32 x; u64 y; } a;
//! u8 b[14]; }` after `argsz` and `flags`. The C `*_MINSZ` once sized such a union "roughly,
//! on x86_64" (the member with the most bytes of fields, `b`: 22) and accepted a 22-byte
//! argument that the Rust validator rejects (the union ends at 24).
//!
//! Both validators come from the one check program; this test holds them to it: they give
//! the same answer on 21, 22, 23 and 24 bytes, and the minimum size equals what each ABI's
//! compiler gives for `offsetofend` of the union in the same struct with the union named
//! (an independent source: the compiler's layout, not uapigen's).

use std::fmt::Write as _;
use std::process::Command;

use uapigen::abi::ABIS;
use uapigen_tests::{Compiler, abi_toolchain, probe_values, root};

mod fixture {
    uapigen_runtime::include_spec!("tests/fixtures/min_size/minsz.yaml");
}

const SPEC: &str = "tests/fixtures/min_size/minsz.yaml";

/// The fixture's struct with its union named `u`, for the compiler's `offsetofend`.
const MIRROR: &str = "struct minsz_mirror {
\t__u32 argsz;
\t__u32 flags;
\tunion {
\t\tstruct {
\t\t\t__u32 x;
\t\t\t__u64 y;
\t\t} a;
\t\t__u8 b[14];
\t} u;
};
";

/// The generated C headers of the fixture, in a temporary `include/` directory.
fn generated_headers() -> tempfile::TempDir {
    let model = uapigen::compile_file(root().join(SPEC))
        .unwrap_or_else(|d| panic!("the fixture does not compile:\n{}", d.plain()));
    let outputs = uapigen::files::render(
        &[model],
        &uapigen::files::OutputDirs::flat(),
        uapigen::emit::Mode::Build,
    )
    .unwrap_or_else(|e| panic!("render: {e}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    uapigen::files::write_all(dir.path(), &outputs).unwrap_or_else(|e| panic!("write: {e}"));
    dir
}

/// A buffer of `len` bytes holding the struct with `argsz = len` and nothing else set.
fn argument(len: usize) -> Vec<u8> {
    let mut buf = vec![0u8; len];
    buf[..4].copy_from_slice(&(len as u32).to_ne_bytes());
    buf
}

#[test]
fn c_and_rust_agree_on_21_to_24_bytes() {
    let dir = generated_headers();
    let include = dir.path().join("include");
    let mut c = String::from("#include <stdio.h>\n#include <linux/minsz_validate.h>\n");
    c.push_str("int main(void)\n{\n\tunsigned char buf[32] = {0};\n\t__u32 len;\n");
    c.push_str("\tfor (len = 21; len <= 24; len++) {\n");
    c.push_str("\t\t__builtin_memcpy(buf, &len, 4);\n");
    c.push_str("\t\tprintf(\"%u %d\\n\", len, minsz_arg_validate(buf, len));\n\t}\n");
    c.push_str("\treturn 0;\n}\n");
    let src = dir.path().join("harness.c");
    let exe = dir.path().join("harness");
    std::fs::write(&src, c).unwrap_or_else(|e| panic!("{e}"));
    let gcc = Compiler::new("gcc", &[]);
    gcc.require();
    let inc = format!("-I{}", include.display());
    let (s, e) = (src.display().to_string(), exe.display().to_string());
    gcc.run(&["-std=gnu11", "-Wall", "-Werror", &inc, &s, "-o", &e])
        .unwrap_or_else(|err| panic!("the C harness does not compile: {err}"));
    let out = Command::new(&exe)
        .output()
        .unwrap_or_else(|err| panic!("cannot run the C harness: {err}"));
    let text = String::from_utf8_lossy(&out.stdout);
    let c_answers: Vec<(usize, i32)> = text
        .lines()
        .filter_map(|l| {
            let (len, r) = l.split_once(' ')?;
            Some((len.parse().ok()?, r.parse().ok()?))
        })
        .collect();
    assert_eq!(c_answers.len(), 4, "harness output: {text}");
    let efault = -14;
    for (len, c_answer) in c_answers {
        let rust = fixture::MinszArg::validate(&argument(len));
        let rust_answer = match &rust {
            Ok(()) => 0,
            Err(r) => -r.errno.raw(),
        };
        assert_eq!(
            c_answer, rust_answer,
            "{len} bytes: C says {c_answer}, Rust says {rust:?}"
        );
        // The union ends at 24 on x86_64 (its struct member is 16 bytes, aligned to 8). The
        // kernel copies the mandatory part (`copy_from_user(&x, arg, minsz)`) before it
        // compares argsz with minsz, so a buffer shorter than 24 bytes faults first.
        let expected = if len < 24 { efault } else { 0 };
        assert_eq!(rust_answer, expected, "{len} bytes: {rust:?}");
    }
    assert_eq!(fixture::MinszArg::MIN_SIZE, 24);
}

#[test]
fn min_size_is_the_compilers_offsetofend_on_every_abi() {
    let dir = generated_headers();
    let include = dir.path().join("include");
    let mut source = String::from("#include <linux/minsz_validate.h>\n");
    source.push_str(MIRROR);
    let _ = writeln!(
        source,
        "const unsigned long long {}[2] = {{ MINSZ_ARG_MINSZ, \
         __builtin_offsetof(struct minsz_mirror, u) + sizeof(((struct minsz_mirror *)0)->u) }};",
        uapigen::emit::c::probe::SYMBOL
    );
    let mut seen = Vec::new();
    for abi in ABIS {
        let tc = abi_toolchain(abi).unwrap_or_else(|e| panic!("{e}"));
        let values = probe_values(&tc.cc, &source, &[&include], 2)
            .unwrap_or_else(|e| panic!("{}: {e}", abi.name));
        assert_eq!(
            values[0], values[1],
            "{}: MINSZ_ARG_MINSZ is {}, the compiler's offsetofend of the union {}",
            abi.name, values[0], values[1]
        );
        seen.push(format!("{} {}", abi.name, values[0]));
    }
    println!("MINSZ_ARG_MINSZ per ABI: {}", seen.join(", "));
    // m68k aligns the union to 2: the 14-byte member decides there, 8 + 14.
    assert!(seen.contains(&"m68k 22".to_owned()), "{seen:?}");
    assert!(seen.contains(&"x86_64 24".to_owned()), "{seen:?}");
}
