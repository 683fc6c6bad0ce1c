//! Arguments built by hand with the kernel's answer, run through a generated Rust validator
//! and the generated C helper (compiled with gcc): the harness of the `*_kernel_rules`
//! tests.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::{Compiler, root};

/// A little-endian-agnostic builder: native-endian fields at offsets of a zeroed buffer.
pub struct Arg(pub Vec<u8>);

impl Arg {
    pub fn new(len: usize) -> Self {
        Arg(vec![0; len])
    }
    pub fn u8(mut self, off: usize, v: u8) -> Self {
        self.0[off] = v;
        self
    }
    pub fn u16(mut self, off: usize, v: u16) -> Self {
        self.0[off..off + 2].copy_from_slice(&v.to_ne_bytes());
        self
    }
    pub fn u32(mut self, off: usize, v: u32) -> Self {
        self.0[off..off + 4].copy_from_slice(&v.to_ne_bytes());
        self
    }
    pub fn u64(mut self, off: usize, v: u64) -> Self {
        self.0[off..off + 8].copy_from_slice(&v.to_ne_bytes());
        self
    }
    /// The first `len` bytes only (a buffer shorter than its size field says).
    pub fn cut(mut self, len: usize) -> Self {
        self.0.truncate(len);
        self
    }
    /// An IOMMUFD argument: `size` at 0 is the buffer's length.
    pub fn sized(len: usize) -> Self {
        Arg::new(len).u32(0, len as u32)
    }
}

pub struct Case {
    pub name: &'static str,
    pub bytes: Vec<u8>,
    pub kernel: &'static str,
    pub function: &'static str,
    pub what: &'static str,
}

pub fn case(
    name: &'static str,
    arg: Arg,
    kernel: &'static str,
    function: &'static str,
    what: &'static str,
) -> Case {
    Case {
        name,
        bytes: arg.0,
        kernel,
        function,
        what,
    }
}

/// The C helpers on every case, through a harness reading `name hex` lines.
pub fn c_answers(headers: &[&str], cases: &[Case]) -> Vec<String> {
    let gcc = Compiler::new("gcc", &[]);
    gcc.require();
    let mut names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    let mut src = String::new();
    for h in headers {
        let _ = writeln!(src, "#include <{h}>");
    }
    src.push_str("#include <stdio.h>\n#include <string.h>\n#include <errno.h>\n\n");
    src.push_str("static int run(const char *name, const void *buf, __u32 len)\n{\n");
    for n in &names {
        let _ = writeln!(
            src,
            "\tif (!strcmp(name, \"{n}\"))\n\t\treturn {n}_validate(buf, len);"
        );
    }
    src.push_str("\treturn 1;\n}\n\n");
    src.push_str(
        r#"static const char *errno_name(int r)
{
	switch (-r) {
	case 0: return "0";
	case EINVAL: return "EINVAL";
	case EFAULT: return "EFAULT";
	case ENOTTY: return "ENOTTY";
	case E2BIG: return "E2BIG";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EOVERFLOW: return "EOVERFLOW";
	case ENOSPC: return "ENOSPC";
	default: return "OTHER";
	}
}

int main(void)
{
	static char line[1 << 14];
	static unsigned char buf[1 << 12];
	while (fgets(line, sizeof line, stdin)) {
		char *name = strtok(line, " \n");
		char *hex = strtok(NULL, " \n");
		size_t i, n = hex ? strlen(hex) / 2 : 0;
		for (i = 0; i < n; i++) {
			unsigned v;
			sscanf(hex + 2 * i, "%2x", &v);
			buf[i] = (unsigned char)v;
		}
		printf("%s\n", errno_name(run(name ? name : "", buf, (__u32)n)));
	}
	return 0;
}
"#,
    );
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (c, exe) = (dir.path().join("rules.c"), dir.path().join("rules"));
    std::fs::write(&c, src).unwrap_or_else(|e| panic!("{e}"));
    let inc = format!("-I{}", root().join("generated/include").display());
    let (cs, es) = (c.display().to_string(), exe.display().to_string());
    if let Err(e) = gcc.run(&["-std=gnu11", "-Wall", "-Werror", &inc, &cs, "-o", &es]) {
        panic!("the C harness does not build:\n{e}");
    }
    let mut input = String::new();
    for c in cases {
        let hex: String = c.bytes.iter().map(|x| format!("{x:02x}")).collect();
        let _ = writeln!(input, "{} {hex}", c.name);
    }
    let mut child = Command::new(&exe)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Run every case through `rust` (the Rust validator of a struct, by C name) and the C
/// helpers of `headers`; panics with every case where either differs from the kernel.
pub fn check(headers: &[&str], cases: &[Case], rust: impl Fn(&Case) -> Result<(), &'static str>) {
    let c = c_answers(headers, cases);
    assert_eq!(c.len(), cases.len(), "one C answer per case");
    let mut wrong = Vec::new();
    for (case, c_answer) in cases.iter().zip(&c) {
        let r = match rust(case) {
            Ok(()) => "0",
            Err(e) => e,
        };
        if r != case.kernel || *c_answer != case.kernel {
            wrong.push(format!(
                "{} ({}): {}: kernel {}, Rust {r}, C {c_answer}",
                case.name, case.function, case.what, case.kernel
            ));
        }
    }
    println!("{} cases", cases.len());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
