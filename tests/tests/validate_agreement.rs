//! The generated C validation helpers (`<name>_validate.h`) are compiled and run on good and
//! bad inputs, and agree with the generated Rust `validate` on the very same bytes: valid
//! arguments built for every payload variant, and thousands of mutations of them (size
//! field, flags, reserved bytes, tags, counts, truncation, random bytes).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};

use uapigen::ir::{PayloadKind, Scalar, Ty};
use uapigen_runtime::Reject;
use uapigen_tests::{Compiler, model, root};

const SPECS: &[&str] = &["vfio", "iommu", "iommufd", "vfio_nesting", "kvm"];

type Validator = fn(&[u8]) -> Result<(), Reject>;

fn validators() -> BTreeMap<&'static str, Validator> {
    let mut v: BTreeMap<&'static str, Validator> = BTreeMap::new();
    for table in [
        linux_uapi::layout_probe::vfio::VALIDATORS,
        linux_uapi::layout_probe::iommu::VALIDATORS,
        linux_uapi::layout_probe::iommufd::VALIDATORS,
        linux_uapi::layout_probe::vfio_nesting::VALIDATORS,
        linux_uapi::layout_probe::kvm::VALIDATORS,
    ] {
        for (name, f) in table {
            v.insert(name, *f);
        }
    }
    v
}

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
}

fn put(buf: &mut [u8], off: u64, size: u64, v: u64) {
    let b = v.to_ne_bytes();
    let start = off as usize;
    for i in 0..size as usize {
        if let Some(x) = buf.get_mut(start + i) {
            // Native-endian: the low `size` bytes of the value on little-endian hosts.
            *x = if cfg!(target_endian = "little") {
                b[i]
            } else {
                b[8 - size as usize + i]
            };
        }
    }
}

fn int_size(ty: &Ty) -> u64 {
    match ty {
        Ty::Scalar(Scalar::Int(t) | Scalar::Aligned(t)) => t.bytes(),
        _ => 4,
    }
}

/// Inputs for one struct: valid ones per variant, then mutations.
fn inputs(spec: &str, name: &str, rng: &mut Rng) -> Vec<Vec<u8>> {
    let m = model(spec);
    let module = &m.module;
    let host = m.host();
    let Some((id, t)) = module
        .named_types()
        .find(|(_, t)| t.c_name.as_deref() == Some(name))
    else {
        panic!("{spec}: no struct {name}");
    };
    let tl = &host.types[id];
    let room = tl.size + 96;
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    let mut base = vec![0u8; room as usize];
    if t.extensible.is_some() {
        put(&mut base, 0, 4, tl.size);
    }
    seeds.push(base.clone());
    if let Some(p) = &t.payload {
        let tag_off = tl.offsets[p.tag_field];
        let tag_size = int_size(&t.fields[p.tag_field].ty);
        for v in &p.variants {
            for count in 0..3u64 {
                let mut b = base.clone();
                put(&mut b, tag_off, tag_size, v.tag as u64);
                let mut len = tl.size;
                if let PayloadKind::Trailing { data, count: c } = &p.kind {
                    {
                        let off = tl.offsets[*data];
                        let elem =
                            v.ty.as_ref()
                                .map_or(0, |ty| uapigen::layout::type_size(host, ty));
                        let n = if c.is_some() { count } else { 1 };
                        if let Some(ci) = c {
                            put(&mut b, tl.offsets[*ci], int_size(&t.fields[*ci].ty), n);
                        }
                        len = (off + elem * n).max(tl.size);
                        // A nested extensible payload gets its own valid size field.
                        if let Some(Ty::Named(inner)) = &v.ty
                            && module.types[*inner].extensible.is_some()
                        {
                            put(&mut b, off, 4, host.types[*inner].size);
                        }
                    }
                }
                if t.extensible.is_some() {
                    put(&mut b, 0, 4, len);
                }
                b.truncate(len as usize + rng.below(3) as usize);
                seeds.push(b);
            }
        }
    }
    let mut out = seeds.clone();
    let field_ranges: Vec<(u64, u64)> = t
        .fields
        .iter()
        .zip(&tl.offsets)
        .map(|(f, o)| (*o, uapigen::layout::type_size(host, &f.ty).max(1)))
        .collect();
    for _ in 0..120 {
        let mut b = seeds[rng.below(seeds.len() as u64) as usize].clone();
        let mutations = 1 + rng.below(3);
        for _ in 0..mutations {
            match rng.below(7) {
                0 => {
                    // The size field: small, minimum-ish, exact, over.
                    let choices = [
                        0,
                        3,
                        tl.size / 2,
                        tl.size.saturating_sub(1),
                        tl.size,
                        b.len() as u64,
                        b.len() as u64 + 1,
                        rng.below(4096),
                    ];
                    put(
                        &mut b,
                        0,
                        4,
                        choices[rng.below(choices.len() as u64) as usize],
                    );
                }
                1 => {
                    // A random field gets a random value.
                    let (o, s) = field_ranges[rng.below(field_ranges.len() as u64) as usize];
                    put(
                        &mut b,
                        o,
                        s.min(8),
                        rng.next() & if rng.below(2) == 0 { 0xff } else { u64::MAX },
                    );
                }
                2 => {
                    let cut = rng.below(b.len() as u64 + 1) as usize;
                    b.truncate(cut);
                }
                3 => {
                    if !b.is_empty() {
                        let i = rng.below(b.len() as u64) as usize;
                        b[i] ^= 1 << rng.below(8);
                    }
                }
                4 => {
                    // Reserved fields non-zero.
                    for (f, (o, s)) in t.fields.iter().zip(&field_ranges) {
                        if f.reserved && rng.below(2) == 0 {
                            put(&mut b, *o, (*s).min(8), 1 + rng.below(255));
                        }
                    }
                }
                5 => {
                    // Bytes after the known struct (E2BIG for copy-struct).
                    let at = tl.size as usize + rng.below(16) as usize;
                    if at < b.len() {
                        b[at] = 1 + rng.below(255) as u8;
                        // ... and a size field that covers them.
                        if t.extensible.is_some() && rng.below(2) == 0 {
                            let len = b.len() as u64;
                            put(&mut b, 0, 4, len);
                        }
                    }
                }
                _ => {
                    let extra = rng.below(40) as usize;
                    b.extend((0..extra).map(|_| rng.next() as u8));
                }
            }
        }
        out.push(b);
    }
    out
}

fn errno_name(r: &Result<(), Reject>) -> String {
    match r {
        Ok(()) => "0".into(),
        Err(e) => e.errno.name().into(),
    }
}

fn c_harness(names: &[&str]) -> String {
    let mut s = String::new();
    for spec in SPECS {
        let _ = writeln!(s, "#include <linux/{spec}_validate.h>");
    }
    s.push_str(
        "#include <stdio.h>\n#include <string.h>\n#include <stdlib.h>\n#include <errno.h>\n\n",
    );
    s.push_str("struct entry { const char *name; int (*f)(const void *, __u32); };\n");
    s.push_str("static const struct entry table[] = {\n");
    for n in names {
        let _ = writeln!(s, "\t{{\"{n}\", {n}_validate}},");
    }
    s.push_str("};\n\n");
    s.push_str(
        r#"static const char *name_of(int r)
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
	static unsigned char buf[1 << 15];
	while (fgets(line, sizeof line, stdin)) {
		char *name = strtok(line, " \n");
		char *hex = strtok(NULL, " \n");
		size_t i, n = hex ? strlen(hex) / 2 : 0, k;
		int found = 0;
		for (i = 0; i < n; i++) {
			unsigned v;
			sscanf(hex + 2 * i, "%2x", &v);
			buf[i] = (unsigned char)v;
		}
		for (k = 0; k < sizeof table / sizeof table[0]; k++) {
			if (name && strcmp(table[k].name, name) == 0) {
				printf("%s\n", name_of(table[k].f(buf, (__u32)n)));
				found = 1;
			}
		}
		if (!found)
			printf("MISSING\n");
	}
	return 0;
}
"#,
    );
    s
}

#[test]
fn c_helpers_agree_with_rust_decoders() {
    let gcc = Compiler::new("gcc", &[]);
    gcc.require();
    let v = validators();
    let names: Vec<&str> = v.keys().copied().collect();
    assert!(names.len() >= 20, "validated structs: {names:?}");
    // Every struct with a check program has a Rust validator in the probe tables (and the
    // C helper the harness calls): the test covers the whole program list of the host
    // (x86_64, ABI 0; an arm64-only struct's validator exists on arm64 only).
    for spec in SPECS {
        let m = model(spec);
        for program in m
            .checks
            .iter()
            .flatten()
            .filter(|p| m.module.types[p.ty].abis.contains(0))
        {
            let name = m.module.types[program.ty].c_name.as_deref().unwrap_or("");
            assert!(
                v.contains_key(name),
                "{spec}: `{name}` has a check program but no validator in the probe table"
            );
        }
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let src = dir.path().join("harness.c");
    let exe = dir.path().join("harness");
    std::fs::write(&src, c_harness(&names)).unwrap_or_else(|e| panic!("{e}"));
    let inc = format!("-I{}", root().join("generated/include").display());
    let (s, e) = (src.display().to_string(), exe.display().to_string());
    if let Err(err) = gcc.run(&["-std=gnu11", "-O1", "-Wall", "-Werror", &inc, &s, "-o", &e]) {
        panic!("the C harness does not build:\n{err}");
    }

    // Inputs for every validated struct, with the spec that defines it.
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
    for spec in SPECS {
        let m = model(spec);
        for (_, t) in m.module.named_types() {
            let Some(n) = t.c_name.as_deref() else {
                continue;
            };
            if let Some((&name, _)) = v.get_key_value(n) {
                for b in inputs(spec, name, &mut rng) {
                    cases.push((name, b));
                }
            }
        }
    }
    let mut input = String::new();
    for (name, b) in &cases {
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        let _ = writeln!(input, "{name} {hex}");
    }
    let mut child = Command::new(&exe)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run the harness: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    let c_results: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(c_results.len(), cases.len(), "one C answer per input");

    let mut histogram: BTreeMap<String, usize> = BTreeMap::new();
    let mut disagreements = Vec::new();
    for ((name, b), c) in cases.iter().zip(&c_results) {
        let r = errno_name(&v[name](b));
        *histogram.entry(r.clone()).or_default() += 1;
        if &r != c {
            let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
            disagreements.push(format!(
                "{name}: Rust {r}, C {c}: {hex} ({:?})",
                v[name](b).err()
            ));
        }
    }
    println!(
        "{} inputs over {} structs; answers: {histogram:?}",
        cases.len(),
        names.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    for errno in ["0", "EINVAL", "E2BIG", "EOPNOTSUPP", "EFAULT", "ENOTTY"] {
        assert!(
            histogram.get(errno).copied().unwrap_or(0) > 0,
            "no input produced {errno}: {histogram:?}"
        );
    }
}
