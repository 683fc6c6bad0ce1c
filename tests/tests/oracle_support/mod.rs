//! The kernel-oracle bookkeeping: inputs, their kernel answers, the generated validators'
//! answers (Rust here, C through a compiled harness at the end) and the summary.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};

use uapigen_runtime::Reject;
use uapigen_tests::{Compiler, root};

pub type Validator = fn(&[u8]) -> Result<(), Reject>;

/// An 8-aligned byte buffer for an ioctl argument.
#[repr(C, align(8))]
pub struct Arg(pub [u8; 4096]);

impl Arg {
    pub fn from(bytes: &[u8]) -> Box<Arg> {
        let mut a = Box::new(Arg([0; 4096]));
        a.0[..bytes.len()].copy_from_slice(bytes);
        a
    }
}

/// Native-endian store of the low `size` bytes of `v` at `off`.
pub fn put(buf: &mut [u8], off: usize, size: usize, v: u64) {
    buf[off..off + size].copy_from_slice(&v.to_ne_bytes()[..size]);
}

/// The errno name of an ioctl result (`"0"` for success).
pub fn kernel_name(r: rustix::io::Result<i32>) -> String {
    match r {
        Ok(_) => "0".into(),
        Err(e) => errno_name(e.raw_os_error()),
    }
}

pub fn errno_name(e: i32) -> String {
    match e {
        1 => "EPERM",
        2 => "ENOENT",
        9 => "EBADF",
        12 => "ENOMEM",
        14 => "EFAULT",
        16 => "EBUSY",
        17 => "EEXIST",
        22 => "EINVAL",
        7 => "E2BIG",
        25 => "ENOTTY",
        75 => "EOVERFLOW",
        95 => "EOPNOTSUPP",
        _ => return format!("errno {e}"),
    }
    .into()
}

struct Input {
    ioctl: &'static str,
    class: &'static str,
    /// The struct whose validators judge it, and their Rust function (none: a value argument
    /// judged by `expect`).
    judge: Option<(&'static str, Validator)>,
    expect: Option<String>,
    bytes: Vec<u8>,
    kernel: String,
    /// Why the validators cannot know the answer.
    state: Option<&'static str>,
    /// `(field, bit)` when the input sets exactly one flag bit on a valid argument.
    single_bit: Option<(&'static str, u32)>,
}

/// Every input tried, and the listed newer-kernel flags.
pub struct Oracle {
    inputs: Vec<Input>,
    newer: Vec<(String, String, u32, String, String)>,
}

impl Oracle {
    pub fn new() -> Oracle {
        let path = root().join("tests/fixtures/kernel_oracle_newer_flags.txt");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let newer = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                assert_eq!(w.len(), 5, "{}: `{l}`", path.display());
                let bit = w[2].parse().unwrap_or_else(|e| panic!("`{l}`: {e}"));
                (w[0].into(), w[1].into(), bit, w[3].into(), w[4].into())
            })
            .collect();
        Oracle {
            inputs: Vec::new(),
            newer,
        }
    }

    /// Record one input of a struct argument and the kernel's answer.
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &mut self,
        ioctl: &'static str,
        class: &'static str,
        judge: (&'static str, Validator),
        bytes: &[u8],
        kernel: String,
        state: Option<&'static str>,
        single_bit: Option<(&'static str, u32)>,
    ) {
        self.inputs.push(Input {
            ioctl,
            class,
            judge: Some(judge),
            expect: None,
            bytes: bytes.to_vec(),
            kernel,
            state,
            single_bit,
        });
    }

    /// Record an input of a value argument, which has no generated validator: `expect` is
    /// what the spec says of the value.
    pub fn record_value(
        &mut self,
        ioctl: &'static str,
        class: &'static str,
        value: u64,
        expect: &str,
        kernel: String,
        single_bit: Option<(&'static str, u32)>,
    ) {
        self.inputs.push(Input {
            ioctl,
            class,
            judge: None,
            expect: Some(expect.into()),
            bytes: value.to_ne_bytes().to_vec(),
            kernel,
            state: None,
            single_bit,
        });
    }

    /// Judge every input with the validators, print the summary and fail on disagreement.
    pub fn finish(self) {
        let c = c_answers(&self.inputs);
        let mut per_ioctl: BTreeMap<&str, (usize, usize, usize, usize)> = BTreeMap::new();
        let mut per_class: BTreeMap<(&str, &str), (usize, usize, usize)> = BTreeMap::new();
        let mut reasons: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        let mut bad = Vec::new();
        let mut excused: BTreeMap<String, usize> = BTreeMap::new();
        for (i, inp) in self.inputs.iter().enumerate() {
            let e = per_ioctl.entry(inp.ioctl).or_default();
            let k = per_class.entry((inp.ioctl, inp.class)).or_default();
            if inp.kernel == "0" {
                k.0 += 1;
            } else {
                k.1 += 1;
            }
            if let Some(reason) = inp.state {
                e.2 += 1;
                k.2 += 1;
                *reasons.entry((inp.ioctl, reason)).or_default() += 1;
                continue;
            }
            e.0 += 1;
            let rust = match (inp.judge, &inp.expect) {
                (Some((_, f)), _) => match f(&inp.bytes) {
                    Ok(()) => "0".to_owned(),
                    Err(r) => r.errno.name().to_owned(),
                },
                (None, Some(x)) => x.clone(),
                (None, None) => "none".into(),
            };
            let c_ans = c[i].clone().unwrap_or_else(|| rust.clone());
            if rust == inp.kernel && c_ans == inp.kernel {
                e.1 += 1;
                continue;
            }
            // A listed newer flag: the kernel accepts, the validators reject EINVAL.
            let listed = inp.single_bit.and_then(|(field, bit)| {
                self.newer
                    .iter()
                    .find(|n| n.0 == inp.ioctl && n.1 == field && n.2 == bit)
            });
            if let (Some(n), "0") = (listed, inp.kernel.as_str()) {
                e.3 += 1;
                *excused
                    .entry(format!(
                        "{} {} bit {} ({}, Linux {})",
                        n.0, n.1, n.2, n.4, n.3
                    ))
                    .or_default() += 1;
                continue;
            }
            let hex: String = inp.bytes.iter().map(|b| format!("{b:02x}")).collect();
            bad.push(format!(
                "{} [{}]: kernel {}, Rust {rust}, C {c_ans}: {hex}",
                inp.ioctl, inp.class, inp.kernel
            ));
        }
        println!("\ninputs per class (kernel accepted / rejected / state-dependent):");
        for ((io, class), (a, r, s)) in &per_class {
            println!("  {io:<28} {class:<16} {a:>6} {r:>6} {s:>6}");
        }
        println!("\nstate-dependent inputs, excluded from the agreement count:");
        for ((io, reason), n) in &reasons {
            println!("  {io:<28} {n:>6}  {reason}");
        }
        println!("\nnewer-kernel flags excused (listed in the fixture):");
        for (what, n) in &excused {
            println!("  {what}: {n}");
        }
        println!("\nagreement per ioctl (agree / compared, excused, state-dependent):");
        let (mut all, mut agree) = (0, 0);
        for (io, (n, a, s, x)) in &per_ioctl {
            println!("  {io:<28} {a:>6} / {n:<6} excused {x:<4} state {s}");
            all += n - x;
            agree += a;
        }
        println!(
            "\n{} inputs over {} ioctls; {agree} of {all} compared inputs agree",
            self.inputs.len(),
            per_ioctl.len()
        );
        let show: Vec<&String> = bad.iter().take(30).collect();
        assert!(
            bad.is_empty(),
            "{} disagreements between the kernel and the validators:\n{show:#?}",
            bad.len()
        );
    }
}

/// The C validators' answers (None for value arguments), from one harness run.
fn c_answers(inputs: &[Input]) -> Vec<Option<String>> {
    let mut names: Vec<&str> = inputs.iter().filter_map(|i| i.judge.map(|j| j.0)).collect();
    names.sort_unstable();
    names.dedup();
    let mut src = String::new();
    for h in ["userfaultfd", "loop", "kvm"] {
        let _ = writeln!(src, "#include <linux/{h}_validate.h>");
    }
    src.push_str("#include <stdio.h>\n#include <string.h>\n#include <errno.h>\n");
    src.push_str("struct entry { const char *name; int (*f)(const void *, __u32); };\n");
    src.push_str("static const struct entry table[] = {\n");
    for n in &names {
        let _ = writeln!(src, "\t{{ \"{n}\", {n}_validate }},");
    }
    src.push_str(
        r#"};
static const char *name_of(int r)
{
	switch (-r) {
	case 0: return "0";
	case EINVAL: return "EINVAL";
	case E2BIG: return "E2BIG";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EFAULT: return "EFAULT";
	case ENOTTY: return "ENOTTY";
	case EOVERFLOW: return "EOVERFLOW";
	case ENOSPC: return "ENOSPC";
	default: return "OTHER";
	}
}
int main(void)
{
	static char line[1 << 16];
	static unsigned char buf[1 << 15] __attribute__((aligned(8)));
	while (fgets(line, sizeof line, stdin)) {
		char *name = strtok(line, " \n");
		char *hex = strtok(NULL, " \n");
		size_t i, n = hex ? strlen(hex) / 2 : 0, k;
		for (i = 0; i < n; i++) {
			unsigned v;
			sscanf(hex + 2 * i, "%2x", &v);
			buf[i] = (unsigned char)v;
		}
		for (k = 0; k < sizeof table / sizeof table[0]; k++)
			if (name && strcmp(table[k].name, name) == 0)
				printf("%s\n", name_of(table[k].f(buf, (__u32)n)));
	}
	return 0;
}
"#,
    );
    let gcc = Compiler::new("gcc", &[]);
    gcc.require();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (s, x) = (dir.path().join("oracle.c"), dir.path().join("oracle"));
    std::fs::write(&s, src).unwrap_or_else(|e| panic!("{e}"));
    let inc = format!("-I{}", root().join("generated/include").display());
    let (s, x) = (s.display().to_string(), x.display().to_string());
    if let Err(e) = gcc.run(&["-std=gnu11", "-O1", "-Wall", "-Werror", &inc, &s, "-o", &x]) {
        panic!("the C harness does not build:\n{e}");
    }
    let mut stdin = String::new();
    for i in inputs.iter() {
        if let Some((n, _)) = i.judge {
            let hex: String = i.bytes.iter().map(|b| format!("{b:02x}")).collect();
            let _ = writeln!(stdin, "{n} {hex}");
        }
    }
    let mut child = Command::new(&x)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run the harness: {e}"));
    // Write from a thread: the harness answers while it reads, and a full pipe each way
    // would block both.
    let writer = child.stdin.take().map(|mut w| {
        std::thread::spawn(move || {
            w.write_all(stdin.as_bytes())
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    if let Some(w) = writer {
        w.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
    }
    let mut lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect::<Vec<_>>()
        .into_iter();
    inputs
        .iter()
        .map(|i| {
            i.judge.map(|_| {
                lines
                    .next()
                    .unwrap_or_else(|| panic!("the C harness gave fewer answers than inputs"))
            })
        })
        .collect()
}
