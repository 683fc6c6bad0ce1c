//! Expressions against gcc: random constant expressions (literals of every form, every
//! operator, `?:`, references to earlier constants), kept when uapigen accepts them, must have in
//! the model exactly the value and type that the C compiler computes from the generated
//! header: `(unsigned long long)(NAME)`, `sizeof(NAME)`, whether `NAME`'s type is signed,
//! whether `NAME < 0`, and `(unsigned long long)(__u32)(NAME)` (or the constant's own type),
//! which is the Rust constant's value.
//!
//! One spec per batch of constants, one compile per batch and ABI: x86_64 with the host's
//! gcc, and i386 with the toolchain of `uapigen_tests::abi_toolchain` (clang-19
//! `--target=i686-linux-gnu -nostdinc`), where `long` has 32 bits. The seed is fixed; set
//! `UAPIGEN_EXPR_SEED` and `UAPIGEN_EXPR_COUNT` (constants per batch) to explore.

use std::fmt::Write as _;
use std::path::Path;

use uapigen::Model;
use uapigen::ir::ConstValue;
use uapigen_tests::{Compiler, Rng, abi_toolchain, probe_values};

const SUFFIXES: &[&str] = &[
    "", "", "", "u", "U", "L", "UL", "lu", "LL", "ULL", "ull", "llu", "uLL",
];

const VALUES: &[u64] = &[
    0,
    1,
    2,
    3,
    7,
    8,
    31,
    32,
    63,
    64,
    255,
    0x7fff,
    0xffff,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x1_0000_0000,
    0x7fff_ffff_ffff_ffff,
    0x8000_0000_0000_0000,
    0xffff_ffff_ffff_ffff,
];

fn literal(r: &mut Rng) -> String {
    let small = r.below(41);
    match r.below(10) {
        0..=2 => format!("{small}{}", r.pick(SUFFIXES)),
        3 => format!("{}{}", r.pick(VALUES), r.pick(SUFFIXES)),
        4 | 5 => format!("0x{:x}{}", r.pick(VALUES), r.pick(SUFFIXES)),
        6 => format!("0X{:X}", r.below(0x1_0000)),
        7 => format!("0{:o}{}", r.below(512) + 1, r.pick(SUFFIXES)),
        8 => {
            let c = *r.pick(&["'a'", "'Z'", "'0'", "';'", "' '", "'\\n'", "'\\0'", "'~'"]);
            c.to_owned()
        }
        _ => format!("{small}"),
    }
}

const BINARY: &[&str] = &[
    "+", "+", "-", "-", "*", "*", "/", "%", "<<", "<<", ">>", "&", "|", "|", "^", "<", ">", "<=",
    ">=", "==", "!=",
];

fn expr(r: &mut Rng, depth: u32, names: &[String]) -> String {
    if depth == 0 || r.below(100) < 30 {
        return if !names.is_empty() && r.below(100) < 35 {
            r.pick(names).clone()
        } else {
            literal(r)
        };
    }
    match r.below(11) {
        0 => format!("-{}", operand(r, depth, names)),
        1 => format!("~{}", operand(r, depth, names)),
        2 => format!("!{}", operand(r, depth, names)),
        3 => format!("({})", expr(r, depth - 1, names)),
        // `?:`: branches of any types (the usual arithmetic conversions), an unchosen one
        // possibly undefined; parenthesised mostly, C's precedence deciding otherwise.
        4 => {
            let c = expr(r, depth - 1, names);
            let a = expr(r, depth - 1, names);
            let b = expr(r, depth - 1, names);
            if r.below(100) < 70 {
                format!("(({c}) ? ({a}) : ({b}))")
            } else {
                format!("{c} ? {a} : {b}")
            }
        }
        _ => {
            let op = *r.pick(BINARY);
            let a = expr(r, depth - 1, names);
            let b = match op {
                "<<" | ">>" if r.below(100) < 75 => r.below(40).to_string(),
                "/" | "%" if r.below(100) < 75 => (r.below(9) + 1).to_string(),
                _ => expr(r, depth - 1, names),
            };
            // Parentheses mostly; sometimes C's precedence decides.
            if r.below(100) < 70 {
                format!("({a}) {op} ({b})")
            } else {
                format!("{a} {op} {b}")
            }
        }
    }
}

/// An operand of a unary operator: an atom, or a parenthesised expression. `- -x` keeps
/// its space (the spec has no `--`).
fn operand(r: &mut Rng, depth: u32, names: &[String]) -> String {
    let e = expr(r, depth - 1, names);
    let atom = e
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '\'' || c == '\\');
    if atom { e } else { format!("({e})") }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn spec_text(name: &str, constants: &[(String, String)]) -> String {
    let mut y = format!("name: {name}\nheader: linux/{name}.h\nconstants:\n");
    for (n, e) in constants {
        let _ = writeln!(y, "  - {{ name: {n}, value: {} }}", quote(e));
    }
    y
}

/// A batch: constants generated until `count` are accepted, and the model of them all.
fn batch(seed: u64, b: usize, count: usize) -> (String, Vec<(String, String)>, Model, usize) {
    let mut r = Rng::new(seed.wrapping_mul(1000).wrapping_add(b as u64));
    let name = format!("cx{b}");
    let mut accepted: Vec<(String, String)> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut tried = 0;
    while accepted.len() < count && tried < count * 20 {
        tried += 1;
        let depth = 1 + r.below(4) as u32;
        let e = expr(&mut r, depth, &names);
        let n = format!("CX{b}_{}", accepted.len());
        accepted.push((n.clone(), e));
        let text = spec_text(&name, &accepted);
        if uapigen::compile_str(format!("{name}.yaml"), &text).is_ok() {
            names.push(n);
        } else {
            accepted.pop();
        }
    }
    let text = spec_text(&name, &accepted);
    let model = uapigen::compile_str(format!("{name}.yaml"), &text)
        .unwrap_or_else(|d| panic!("the accepted constants do not compile:\n{}", d.plain()));
    (name, accepted, model, tried)
}

/// Per constant: value, size, signed type, negative, value in the item's type.
const PER: usize = 5;

/// The probe, and the model's values for an ABI whose `long` has `long_bytes` bytes (the C
/// type of `1UL` is 8 bytes on x86_64 and 4 on i386).
fn probe_source(name: &str, model: &Model, long_bytes: u64) -> (String, Vec<u64>) {
    let mut src = format!("#include <linux/{name}.h>\n\nconst unsigned long long ");
    let _ = writeln!(src, "{}[] = {{", uapigen::emit::c::probe::SYMBOL);
    let mut want = Vec::new();
    for c in &model.module.constants {
        let ConstValue::Int(v) = &c.value else {
            continue;
        };
        let n = &c.c_name;
        let _ = writeln!(
            src,
            "\t(unsigned long long)({n}),\n\t(unsigned long long)sizeof({n}),\n\t\
             (unsigned long long)(((__typeof__({n}))-1) < 0),\n\t(unsigned long long)(({n}) < 0),\n\t\
             (unsigned long long)({})({n}),",
            v.ty.c_name()
        );
        let ty = v.c.ty_on(long_bytes);
        want.extend([
            v.c.value as u64,
            u64::from(ty.bits / 8),
            u64::from(ty.signed),
            u64::from(v.c.value < 0),
            v.value as u64,
        ]);
    }
    src.push_str("};\n");
    (src, want)
}

const WHAT: [&str; PER] = [
    "(unsigned long long)(NAME)",
    "sizeof(NAME)",
    "signed type",
    "NAME < 0",
    "(item type)(NAME)",
];

#[test]
fn accepted_expressions_have_the_value_and_type_c_computes() {
    let seed = std::env::var("UAPIGEN_EXPR_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_240_610u64);
    let count = std::env::var("UAPIGEN_EXPR_COUNT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100usize);
    let gcc = Compiler::new("gcc", &[]);
    gcc.require();
    let i386 = uapigen::abi::ABIS
        .iter()
        .find(|a| a.name == "i386")
        .map(abi_toolchain);
    // (what, compiler, bytes of `long`)
    let mut compilers: Vec<(&str, Compiler, u64)> = vec![("x86_64 (gcc)", gcc, 8)];
    match i386 {
        Some(Ok(t)) => compilers.push(("i386 (clang-19 --target=i686-linux-gnu)", t.cc, 4)),
        Some(Err(e)) => panic!("i386 cannot be checked: {e}"),
        None => panic!("i386 cannot be checked: uapigen models no such ABI"),
    }
    let include = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let mut failures = Vec::new();
    let mut total = 0;
    let mut tried_total = 0;
    for b in 0..4 {
        let (name, constants, model, tried) = batch(seed, b, count);
        total += constants.len();
        tried_total += tried;
        let dir = include.path().join("linux");
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let header = uapigen::emit::c::header(&model);
        std::fs::write(dir.join(format!("{name}.h")), &header).unwrap_or_else(|e| panic!("{e}"));
        for (abi, cc, long_bytes) in &compilers {
            let (src, want) = probe_source(&name, &model, *long_bytes);
            let includes: [&Path; 1] = [include.path()];
            let got = probe_values(cc, &src, &includes, want.len())
                .unwrap_or_else(|e| panic!("{abi}: the probe does not compile: {e}\n{header}"));
            for (i, (w, g)) in want.iter().zip(&got).enumerate() {
                if w != g {
                    let (n, e) = &constants[i / PER];
                    failures.push(format!(
                        "{abi}: {n} = `{e}`: {} is {g:#x} in C, {w:#x} in the model",
                        WHAT[i % PER]
                    ));
                }
            }
        }
    }
    println!(
        "{total} constants accepted of {tried_total} generated (seed {seed}), checked on {} ABIs",
        compilers.len()
    );
    assert!(
        total >= 4 * count * 9 / 10,
        "too few accepted expressions: {total}"
    );
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
