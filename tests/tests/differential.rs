//! Differential layout testing: random valid specs, our layout model against real compilers
//! for every ABI of `uapigen::abi::ABIS`, and against rustc on the host.
//!
//! A small xorshift generator, deterministic from a seed, writes one spec per seed (`rnd17`,
//! header `linux/rnd17.h`): constants with expressions (forward references, hex, octal,
//! binary, character literals, suffixes, shifts), string constants, value groups, flag sets,
//! enums, named and inline (named or anonymous) structs and unions nested a few levels,
//! every scalar (`u8`..`s64`, `aligned_u64`, `aligned_s64`, `char`, kernel spellings),
//! pointers, fixed and multi-dimensional arrays (lengths may be expressions over constants),
//! flexible arrays last in a struct, explicit padding, and ioctls of every direction with
//! random type and number bytes. The generator also evaluates every expression the way C
//! does (C11 literal types, usual arithmetic conversions, undefined behaviour), for ILP32 and
//! LP64, to know when a spec's value and C's differ.
//!
//! Every spec must compile (`uapigen::compile_str`; a rejected valid spec is a failure too);
//! its generated header goes into a scratch include directory, and one C file per ABI and
//! batch of specs (40 by default) stores every fact (`uapigen::emit::c::facts`, plus `sizeof`
//! of each string constant) of every spec of the batch, one array per spec. The file is
//! compiled with that ABI's compiler (`-c`, no libc, as in `conformance_abis.rs`, jobs in
//! parallel), the arrays are read back out of the object file, and every value must equal
//! the model's; a batch that does not compile is split to find the spec to blame. The first
//! specs (20 by default, half of them with C-name aliases) and every fixture also go through
//! `uapigen::emit::rust::module` into a scratch cargo workspace (one crate for the random
//! specs, one per fixture, `--keep-going`, `CARGO_TARGET_DIR=target/differential`) built for
//! the host: the generated `#[uapi(layout(...))]` assertions make that build prove that
//! rustc agrees too.
//!
//! On a failure the test prints the seed, the spec, the ABI(s), the item and both values (or
//! the compiler's errors). Every `*.yaml` of `tests/fixtures/differential/` is checked first
//! on every run, so a fixture fails until the bug it shows is fixed.
//!
//! Known bugs (`KNOWN_BUGS` below, each with a minimal `min-*.yaml` fixture) are kept out of
//! the random specs by default, so that the random part keeps finding new ones; a run that
//! keeps every known bug out saves the smallest three failing random specs as
//! `tests/fixtures/differential/seed-<n>.yaml`. When a bug is fixed, remove its entry from
//! `KNOWN_BUGS` (the generator then produces such specs again).
//!
//! Knobs (environment variables):
//!
//! - `UAPIGEN_DIFF_SPECS=5000`: how many random specs (default 300);
//! - `UAPIGEN_DIFF_SEED=N`: the first seed (default 1); specs use seeds `N..N+SPECS`, so
//!   `UAPIGEN_DIFF_SEED=1234 UAPIGEN_DIFF_SPECS=1` reproduces the spec of seed 1234;
//! - `UAPIGEN_DIFF_BATCH=40`: specs per C compile;
//! - `UAPIGEN_DIFF_RUST=20`: random specs also built as Rust (0: only the fixtures);
//! - `UAPIGEN_DIFF_AVOID=none` (or a comma list of `KNOWN_BUGS` names): which known bugs the
//!   generator stays away from (default: all; setting it also turns fixture saving off);
//! - `UAPIGEN_DIFF_NO_SAVE=1`: report failures without writing fixture files;
//! - `UAPIGEN_DIFF_PRINT=N`: print the spec of seed N and stop (a debugging aid).
//!
//! For example `UAPIGEN_DIFF_SPECS=5000 cargo test -p uapigen-tests --test differential --
//! --nocapture` (about 100 s of C compiles on 2 cores). No ABI is ever skipped: a missing
//! compiler or header fails with what to install (`scripts/install-deps.sh` installs all of
//! them).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use uapigen::Model;
use uapigen::abi::ABIS;
use uapigen::emit::c::Fact;
use uapigen::ir::ConstValue;
use uapigen_tests::{AbiToolchain, abi_toolchain, par_map, read_array, root};

// ---------------------------------------------------------------------------------------
// The pseudo-random generator.

use uapigen_tests::Rng;

// ---------------------------------------------------------------------------------------
// Integer expressions, evaluated the way the model evaluates them (i128, checked).

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Mul,
    Div,
    Rem,
    Add,
    Sub,
    Shl,
    Shr,
    And,
    Xor,
    Or,
}

impl Op {
    fn prec(self) -> u8 {
        match self {
            Op::Mul | Op::Div | Op::Rem => 10,
            Op::Add | Op::Sub => 9,
            Op::Shl | Op::Shr => 8,
            Op::And => 7,
            Op::Xor => 6,
            Op::Or => 5,
        }
    }

    fn sym(self) -> &'static str {
        match self {
            Op::Mul => "*",
            Op::Div => "/",
            Op::Rem => "%",
            Op::Add => "+",
            Op::Sub => "-",
            Op::Shl => "<<",
            Op::Shr => ">>",
            Op::And => "&",
            Op::Xor => "^",
            Op::Or => "|",
        }
    }
}

#[derive(Clone)]
enum Ex {
    /// A literal: its spelling and value.
    Lit(String, i128),
    /// A name: spelling, and its value and type in C (ILP32, LP64) where known.
    Name(String, [Option<CVal>; 2]),
    Neg(Box<Ex>),
    Not(Box<Ex>),
    Paren(Box<Ex>),
    Bin(Op, Box<Ex>, Box<Ex>),
    /// A cast `(T)e` to one of [`CASTS`].
    Cast(&'static str, Box<Ex>),
}

/// The casts an expression may use, with each type on (ILP32, LP64).
const CASTS: [(&str, [CTy; 2]); 9] = [
    ("int", [C_INT, C_INT]),
    ("unsigned int", [C_UINT, C_UINT]),
    ("__u32", [C_UINT, C_UINT]),
    ("__s32", [C_INT, C_INT]),
    ("__u64", [C_ULLONG, C_ULLONG]),
    ("__s64", [C_LLONG, C_LLONG]),
    ("long long", [C_LLONG, C_LLONG]),
    ("unsigned long long", [C_ULLONG, C_ULLONG]),
    (
        "unsigned long",
        [
            CTy {
                bits: 32,
                signed: false,
                rank: 2,
            },
            CTy {
                bits: 64,
                signed: false,
                rank: 2,
            },
        ],
    ),
];

impl Ex {
    /// The value as the model computes it: C's value, which must be the same for ILP32 and
    /// LP64 (`None`: uapigen rejects the expression).
    fn eval(&self) -> Option<i128> {
        let (a, b) = (self.c_eval(false)?, self.c_eval(true)?);
        (a.v == b.v).then_some(b.v)
    }

    /// C's value and type of a macro of this expression as the header prints it (ILP32,
    /// LP64): the expression itself, with C's type on each (`1UL` is 4 bytes on ILP32, 8 on
    /// LP64), when C90 types it as C99 does; else a literal of the LP64 type (`U`, `LL`,
    /// `ULL` suffixes).
    fn printed(&self) -> [Option<CVal>; 2] {
        let (Some(a), Some(b)) = (self.c_eval(false), self.c_eval(true)) else {
            return [None, None];
        };
        if !self.has_c90_literal() {
            return [Some(a), Some(b)];
        }
        let ty = CTy {
            rank: if b.ty.bits == 32 { 1 } else { 3 },
            ..b.ty
        };
        let lit = Some(CVal { ty, v: b.v });
        [lit, lit]
    }

    /// Holds a decimal literal past INT_MAX without `U` or `LL`, which C90 types otherwise.
    fn has_c90_literal(&self) -> bool {
        match self {
            Ex::Lit(s, v) => {
                let lower = s.to_ascii_lowercase();
                let digits = lower.trim_end_matches(['u', 'l']);
                let suffix = &lower[digits.len()..];
                let octal_or_hex = digits.starts_with('0') && digits.len() > 1;
                let decimal = !(s.starts_with('\'') || octal_or_hex);
                decimal
                    && !suffix.contains('u')
                    && suffix.matches('l').count() < 2
                    && *v > i128::from(i32::MAX)
            }
            Ex::Name(..) => false,
            Ex::Neg(e) | Ex::Not(e) | Ex::Paren(e) | Ex::Cast(_, e) => e.has_c90_literal(),
            Ex::Bin(_, a, b) => a.has_c90_literal() || b.has_c90_literal(),
        }
    }

    /// The value and type C gives the expression as uapigen prints it (`None`: undefined
    /// behaviour, or a literal without a C type).
    fn c_eval(&self, lp64: bool) -> Option<CVal> {
        match self {
            Ex::Lit(s, v) => c_literal(s, *v, lp64),
            Ex::Name(_, c) => c[usize::from(lp64)],
            Ex::Paren(e) => e.c_eval(lp64),
            Ex::Cast(name, e) => {
                let a = e.c_eval(lp64)?;
                let ty = CASTS.iter().find(|(n, _)| n == name)?.1[usize::from(lp64)];
                // C converts modulo 2^bits (gcc and clang define it for signed types too).
                let m = a.v.rem_euclid(1i128 << ty.bits);
                let v = if ty.signed && m >= 1i128 << (ty.bits - 1) {
                    m - (1i128 << ty.bits)
                } else {
                    m
                };
                Some(CVal { ty, v })
            }
            Ex::Neg(e) => {
                let a = e.c_eval(lp64)?;
                a.ty.make(-a.v)
            }
            Ex::Not(e) => {
                let a = e.c_eval(lp64)?;
                a.ty.make(!a.v)
            }
            Ex::Bin(op, a, b) => {
                let (a, b) = (a.c_eval(lp64)?, b.c_eval(lp64)?);
                match op {
                    Op::Shl | Op::Shr => {
                        let t = a.ty;
                        if b.v < 0 || b.v >= i128::from(t.bits) {
                            return None;
                        }
                        match op {
                            // A negative left operand is undefined; so is signed overflow.
                            Op::Shl if t.signed && a.v < 0 => None,
                            // Bits shifted out of an unsigned type: rejected, as a carry is.
                            Op::Shl if !t.signed && !t.fits(a.v << b.v) => None,
                            // Into the sign bit (`1 << 31`) is defined by gcc and clang: the
                            // bits are kept; out of the type is not.
                            Op::Shl if t.signed && a.v << b.v >= 1i128 << t.bits => None,
                            Op::Shl if t.signed && a.v << b.v >= 1i128 << (t.bits - 1) => {
                                Some(CVal {
                                    ty: t,
                                    v: (a.v << b.v) - (1i128 << t.bits),
                                })
                            }
                            Op::Shl => t.make(a.v << b.v),
                            _ => t.make(a.v >> b.v),
                        }
                    }
                    _ => {
                        let t = common(a.ty, b.ty);
                        let (x, y) = (t.convert(a.v), t.convert(b.v));
                        let r = match op {
                            // An unsigned carry (C wraps it silently) is rejected like signed
                            // overflow; a borrow (`0U - 1`) keeps C's value.
                            Op::Mul => x.checked_mul(y).filter(|p| t.fits(*p))?,
                            Op::Add if !t.fits(x + y) => return None,
                            Op::Div if y == 0 => return None,
                            Op::Rem if y == 0 => return None,
                            Op::Div => x / y,
                            // `INT_MIN % -1` is undefined like `INT_MIN / -1`.
                            Op::Rem if !t.fits(x / y) => return None,
                            Op::Rem => x % y,
                            Op::Add => x + y,
                            Op::Sub => x - y,
                            Op::And => x & y,
                            Op::Xor => x ^ y,
                            _ => x | y,
                        };
                        t.make(r)
                    }
                }
            }
        }
    }

    /// Whether C computes exactly the model's value, on ILP32 and LP64 alike.
    fn c_agrees(&self) -> bool {
        let v = self.eval();
        v.is_some()
            && [false, true]
                .iter()
                .all(|&lp| self.c_eval(lp).map(|c| c.v) == v)
    }

    fn text(&self) -> String {
        match self {
            Ex::Lit(s, _) | Ex::Name(s, ..) => s.clone(),
            // `- -1`: the spec has no `--` operator.
            Ex::Neg(e) if matches!(**e, Ex::Neg(_)) => format!("- {}", e.text()),
            Ex::Neg(e) => format!("-{}", e.text()),
            Ex::Not(e) => format!("~{}", e.text()),
            Ex::Paren(e) => format!("({})", e.text()),
            Ex::Bin(op, a, b) => format!("{} {} {}", a.text(), op.sym(), b.text()),
            Ex::Cast(t, e) => format!("({t}){}", e.text()),
        }
    }

    fn is_bin(&self) -> bool {
        matches!(self, Ex::Bin(..))
    }

    /// Contains `-` directly applied to `-`.
    fn has_neg_neg(&self) -> bool {
        match self {
            Ex::Neg(e) if matches!(**e, Ex::Neg(_)) => true,
            Ex::Neg(e) | Ex::Not(e) | Ex::Paren(e) | Ex::Cast(_, e) => e.has_neg_neg(),
            Ex::Bin(_, a, b) => a.has_neg_neg() || b.has_neg_neg(),
            _ => false,
        }
    }
}

/// A C integer type: width, signedness, conversion rank (int 1, long 2, long long 3).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct CTy {
    bits: u32,
    signed: bool,
    rank: u8,
}

/// A C value: a type and a value in its range.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct CVal {
    ty: CTy,
    v: i128,
}

const C_INT: CTy = CTy {
    bits: 32,
    signed: true,
    rank: 1,
};
const C_UINT: CTy = CTy {
    bits: 32,
    signed: false,
    rank: 1,
};
const C_ULLONG: CTy = CTy {
    bits: 64,
    signed: false,
    rank: 3,
};
const C_LLONG: CTy = CTy {
    bits: 64,
    signed: true,
    rank: 3,
};

impl CTy {
    fn fits(self, v: i128) -> bool {
        if self.signed {
            (-(1i128 << (self.bits - 1))..(1i128 << (self.bits - 1))).contains(&v)
        } else {
            (0..(1i128 << self.bits)).contains(&v)
        }
    }

    /// Conversion to this type (only to unsigned types or of representable values, as the
    /// usual arithmetic conversions do).
    fn convert(self, v: i128) -> i128 {
        if self.signed {
            v
        } else {
            v.rem_euclid(1i128 << self.bits)
        }
    }

    /// The result of an operation: unsigned arithmetic wraps, signed overflow is undefined.
    fn make(self, v: i128) -> Option<CVal> {
        let v = self.convert(v);
        self.fits(v).then_some(CVal { ty: self, v })
    }
}

/// The usual arithmetic conversions (both operands are at least `int`).
fn common(a: CTy, b: CTy) -> CTy {
    if a == b {
        return a;
    }
    if a.signed == b.signed {
        return if a.rank >= b.rank { a } else { b };
    }
    let (u, s) = if a.signed { (b, a) } else { (a, b) };
    if u.rank >= s.rank {
        u
    } else if s.bits > u.bits {
        s
    } else {
        CTy { signed: false, ..s }
    }
}

/// The C type of an integer literal (C11 6.4.4.1; `0b` like hex).
fn c_literal(s: &str, v: i128, lp64: bool) -> Option<CVal> {
    if s.starts_with('\'') {
        return Some(CVal { ty: C_INT, v });
    }
    let lower = s.to_ascii_lowercase();
    let digits = lower.trim_end_matches(['u', 'l']);
    let suffix = &lower[digits.len()..];
    let unsigned = suffix.contains('u');
    let longs = suffix.matches('l').count();
    let decimal = !(digits.starts_with('0') && digits.len() > 1);
    let long = CTy {
        bits: if lp64 { 64 } else { 32 },
        signed: true,
        rank: 2,
    };
    let llong = CTy {
        bits: 64,
        signed: true,
        rank: 3,
    };
    let mut candidates = Vec::new();
    for (ty, l) in [(C_INT, 0), (long, 1), (llong, 2)] {
        if longs > l {
            continue;
        }
        if !unsigned {
            candidates.push(ty);
        }
        if unsigned || !decimal {
            candidates.push(CTy {
                signed: false,
                ..ty
            });
        }
    }
    candidates
        .into_iter()
        .find(|t| t.fits(v))
        .map(|ty| CVal { ty, v })
}

// ---------------------------------------------------------------------------------------
// The spec generator.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Struct,
    Union,
}

/// Size and alignment on the largest ABI (LP64, 8-aligned 64-bit integers): every ABI's
/// size is at most this, so it bounds ioctl argument sizes.
#[derive(Clone, Copy, Debug)]
struct Shape {
    size: u64,
    align: u64,
    /// Ends in a flexible array (may only be the last member of a struct).
    flex: bool,
    /// Its last member is a flexible array (not one inside a nested struct).
    last_flex: bool,
    /// Holds a pointer somewhere.
    ptr: bool,
}

impl Shape {
    fn plain(size: u64, align: u64) -> Self {
        Shape {
            size,
            align,
            flex: false,
            last_flex: false,
            ptr: false,
        }
    }
}

struct NamedTy {
    name: String,
    kind: Kind,
    shape: Shape,
    /// Holds an explicitly aligned type (`aligned_u64`, an `aligned(N)` struct), which a
    /// packed type may not.
    holds_aligned: bool,
}

/// What a value (a name an expression may use) is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    Const,
    Group,
    /// A flag of a flag set (by index).
    Flag(usize),
    /// An enumerator of enum (by index).
    Enum(usize),
}

struct Value {
    name: String,
    value: i128,
    kind: ValueKind,
    /// Its C value and type where it is used (ILP32, LP64).
    c: [Option<CVal>; 2],
}

/// Generator bugs found by this test and not fixed yet: each has a switch that keeps the
/// random specs away from it (so that the random part finds new bugs), and a minimal spec
/// in `tests/fixtures/differential/` that fails until the bug is fixed. When one is fixed,
/// remove its entry here (and its fixture keeps guarding it).
///
/// None is open: the eleven this test found (signed facts, C arithmetic, scope of macros,
/// `- -1`, `']'` in lengths, multi-line `source`, reserved fields next to pointers, the
/// flexible-array wrapper, and the three now rejected as invalid) are fixed, and their
/// `min-*.yaml` fixtures (or codegen/tests/errors fixtures) guard them. The switches of
/// [`Avoid`] stay, to bisect a future bug.
const KNOWN_BUGS: &[(&str, &str)] = &[];

/// Which known bugs the generator stays away from: `UAPIGEN_DIFF_AVOID=none`, a comma
/// list of `KNOWN_BUGS` names, or (default) all of them.
#[derive(Clone, Copy, Debug)]
struct Avoid {
    sign: bool,
    cexpr: bool,
    alignptr: bool,
    scope: bool,
    negneg: bool,
    bracket: bool,
    enumnext: bool,
    srcline: bool,
    rsvptr: bool,
    flexwrap: bool,
}

/// Nothing avoided but invalid specs, which uapigen rejects with E0104 and E0205 (see
/// codegen/tests/errors): pointers to aligned_u64/aligned_s64 (the kernel's macro aligns
/// the pointer member itself) and an enumerator without a value past INT_MAX (compilers
/// reject the header). The generator only makes valid specs.
impl Default for Avoid {
    fn default() -> Self {
        Avoid {
            sign: false,
            cexpr: false,
            alignptr: true,
            scope: false,
            negneg: false,
            bracket: false,
            enumnext: true,
            srcline: false,
            rsvptr: false,
            flexwrap: false,
        }
    }
}

impl Avoid {
    fn from_env() -> Self {
        let list = match std::env::var("UAPIGEN_DIFF_AVOID") {
            Ok(v) => v,
            Err(_) => KNOWN_BUGS
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(","),
        };
        let mut a = Avoid::default();
        for w in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            match w {
                "none" => {}
                "sign" => a.sign = true,
                "cexpr" => a.cexpr = true,
                "alignptr" => a.alignptr = true,
                "scope" => a.scope = true,
                "negneg" => a.negneg = true,
                "bracket" => a.bracket = true,
                "enumnext" => a.enumnext = true,
                "srcline" => a.srcline = true,
                "rsvptr" => a.rsvptr = true,
                "flexwrap" => a.flexwrap = true,
                _ => panic!("UAPIGEN_DIFF_AVOID: unknown `{w}`; known: {KNOWN_BUGS:?}"),
            }
        }
        a
    }
}

/// Scalars: spec spelling, size, LP64 alignment, the integer type a flag set of the field
/// takes (`None`: not an integer).
const SCALARS: &[(&str, u64, u64, Option<&str>)] = &[
    ("u8", 1, 1, Some("u8")),
    ("u16", 2, 2, Some("u16")),
    ("u32", 4, 4, Some("u32")),
    ("u64", 8, 8, Some("u64")),
    ("s8", 1, 1, Some("s8")),
    ("s16", 2, 2, Some("s16")),
    ("s32", 4, 4, Some("s32")),
    ("s64", 8, 8, Some("s64")),
    ("aligned_u64", 8, 8, Some("u64")),
    ("aligned_s64", 8, 8, Some("s64")),
    ("char", 1, 1, None),
    ("__u8", 1, 1, Some("u8")),
    ("__u16", 2, 2, Some("u16")),
    ("__u32", 4, 4, Some("u32")),
    ("__u64", 8, 8, Some("u64")),
    ("__s32", 4, 4, Some("s32")),
    ("__s64", 8, 8, Some("s64")),
    ("__aligned_u64", 8, 8, Some("u64")),
    ("__aligned_s64", 8, 8, Some("s64")),
];

/// Fragments of doc text that need care in C comments and Rust doc attributes.
const DOC_BITS: &[&str] = &[
    "Plain words.",
    "Ends a C comment */ early?",
    "Opens /* a nested comment.",
    "Back\\slash and \"quotes\" and 'ticks'.",
    "A `code span` and <angle> brackets & ampersands.",
    "Non-ASCII: ünïcödé, 日本, ✓.",
    "#define NOT_A_MACRO 1",
    "Trailing backslash \\",
    "[a link](http://example.invalid) and *emphasis*",
    "percent %d and %s",
];

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn align_up(v: u64, a: u64) -> u64 {
    v.next_multiple_of(a.max(1))
}

/// Signed and unsigned range of an integer type of `bits` bits together, the way the model
/// fits values (`~0` in a u32 is fine).
fn fits_bits(v: i128, bits: u32) -> bool {
    (-(1i128 << (bits - 1))..1i128 << bits).contains(&v)
}

fn int_bits(t: &str) -> u32 {
    match t.trim_start_matches("__") {
        "u8" | "s8" => 8,
        "u16" | "s16" => 16,
        "u32" | "s32" => 32,
        _ => 64,
    }
}

struct Gen {
    rng: Rng,
    avoid: Avoid,
    low: String,
    up: String,
    values: Vec<Value>,
    types: Vec<NamedTy>,
    /// Named types whose layout is known (generated before the current one).
    done: usize,
    /// Flag sets: name and the integer type of fields it may be attached to.
    flag_sets: Vec<(String, &'static str)>,
    groups: Vec<String>,
    next_field: usize,
    next_pad: usize,
    /// Pointers are not allowed in the type being generated.
    no_ptr: bool,
}

impl Gen {
    fn new(seed: u64, avoid: Avoid) -> Self {
        Gen {
            rng: Rng::new(seed),
            avoid,
            low: format!("rnd{seed}"),
            up: format!("RND{seed}"),
            values: Vec::new(),
            types: Vec::new(),
            done: 0,
            flag_sets: Vec::new(),
            groups: Vec::new(),
            next_field: 0,
            next_pad: 0,
            no_ptr: false,
        }
    }

    fn doc(&mut self) -> Option<String> {
        if !self.rng.chance(15) {
            return None;
        }
        let n = self.rng.range(1, 3);
        let mut parts = Vec::new();
        for _ in 0..n {
            parts.push(*self.rng.pick(DOC_BITS));
        }
        let sep = if self.rng.chance(30) { "\n\n" } else { " " };
        Some(parts.join(sep))
    }

    fn doc_line(&mut self, y: &mut String, ind: &str) {
        if let Some(d) = self.doc() {
            let _ = writeln!(y, "{ind}doc: {}", quote(&d));
        }
    }

    /// A literal.
    fn literal(&mut self) -> Ex {
        let r = &mut self.rng;
        match r.below(13) {
            0..=3 => {
                let v = r.below(21);
                Ex::Lit(v.to_string(), v.into())
            }
            4 => {
                let v = r.below(100_001);
                Ex::Lit(v.to_string(), v.into())
            }
            5 => {
                let v = *r.pick(&[
                    0xffu64,
                    0xffff,
                    0x7fff_ffff,
                    0x8000_0000,
                    0xffff_ffff,
                    0x1_0000_0000,
                    0xffff_ffff_ffff_ffff,
                    0x8000_0000_0000_0000,
                    0x10,
                    0x1000,
                ]);
                Ex::Lit(format!("0x{v:x}"), v.into())
            }
            6 => {
                let v = r.below(0x1_0000);
                Ex::Lit(format!("0X{v:X}"), v.into())
            }
            7 => {
                let v = r.range(1, 511);
                Ex::Lit(format!("0{v:o}"), v.into())
            }
            8 => {
                let v = r.below(256);
                Ex::Lit(format!("0b{v:b}"), v.into())
            }
            9 => {
                let chars: &[u8] = if self.avoid.bracket {
                    b"AZaz09;:!#$%&()*+,-./<=>?@[^_`{|}~ "
                } else {
                    b"AZaz09;:!#$%&()*+,-./<=>?@[]^_`{|}~ "
                };
                let c = *r.pick(chars);
                Ex::Lit(format!("'{}'", c as char), c.into())
            }
            10 => {
                let v = r.below(33);
                let suffix = *r.pick(&["u", "U", "UL", "ULL", "ull", "L", "LL"]);
                Ex::Lit(format!("{v}{suffix}"), v.into())
            }
            11 => {
                let v = *r.pick(&[
                    4_294_967_295u64,
                    4_294_967_296,
                    2_147_483_647,
                    2_147_483_648,
                    18_446_744_073_709_551_615,
                    9_223_372_036_854_775_807,
                ]);
                Ex::Lit(v.to_string(), v.into())
            }
            _ => {
                let v = r.below(16);
                Ex::Lit(format!("0x{v:x}u"), v.into())
            }
        }
    }

    /// A leaf: a literal or one of `names`.
    fn leaf(&mut self, names: &[usize]) -> Ex {
        if !names.is_empty() && self.rng.chance(40) {
            let v = &self.values[*self.rng.pick(names)];
            Ex::Name(v.name.clone(), v.c)
        } else {
            self.literal()
        }
    }

    fn ex(&mut self, depth: u32, names: &[usize]) -> Ex {
        if depth == 0 || self.rng.chance(35) {
            return self.leaf(names);
        }
        match self.rng.below(13) {
            0 => {
                let e = self.unary_operand(depth, names);
                Ex::Neg(Box::new(e))
            }
            12 => {
                let e = self.unary_operand(depth, names);
                let (t, _) = *self.rng.pick(&CASTS);
                Ex::Cast(t, Box::new(e))
            }
            1 => {
                let e = self.unary_operand(depth, names);
                Ex::Not(Box::new(e))
            }
            2 => Ex::Paren(Box::new(self.ex(depth - 1, names))),
            _ => {
                let op = *self.rng.pick(&[
                    Op::Add,
                    Op::Add,
                    Op::Sub,
                    Op::Mul,
                    Op::Div,
                    Op::Rem,
                    Op::Shl,
                    Op::Shl,
                    Op::Shr,
                    Op::And,
                    Op::Or,
                    Op::Or,
                    Op::Xor,
                ]);
                let a = self.ex(depth - 1, names);
                let b = match op {
                    Op::Shl | Op::Shr if self.rng.chance(80) => {
                        let v = if self.rng.chance(70) {
                            self.rng.below(33)
                        } else {
                            self.rng.below(64)
                        };
                        Ex::Lit(v.to_string(), v.into())
                    }
                    Op::Div | Op::Rem if self.rng.chance(80) => {
                        let v = self.rng.range(1, 16);
                        Ex::Lit(v.to_string(), v.into())
                    }
                    _ => self.ex(depth - 1, names),
                };
                // Parentheses where C precedence needs them, sometimes where it does not.
                let a = if a.is_bin() && (Self::prec(&a) < op.prec() || self.rng.chance(40)) {
                    Ex::Paren(Box::new(a))
                } else {
                    a
                };
                let b = if b.is_bin() && (Self::prec(&b) <= op.prec() || self.rng.chance(40)) {
                    Ex::Paren(Box::new(b))
                } else {
                    b
                };
                Ex::Bin(op, Box::new(a), Box::new(b))
            }
        }
    }

    fn unary_operand(&mut self, depth: u32, names: &[usize]) -> Ex {
        let e = self.ex(depth - 1, names);
        if e.is_bin() || (self.avoid.negneg && matches!(e, Ex::Neg(_))) {
            Ex::Paren(Box::new(e))
        } else {
            e
        }
    }

    fn prec(e: &Ex) -> u8 {
        match e {
            Ex::Bin(op, ..) => op.prec(),
            _ => u8::MAX,
        }
    }

    /// An expression over `names` whose value is in `lo..=hi`; falls back to a literal.
    /// Returns the text, the value and its C value on ILP32 and LP64.
    fn expr_in(
        &mut self,
        lo: i128,
        hi: i128,
        names: &[usize],
    ) -> (String, i128, [Option<CVal>; 2]) {
        for _ in 0..60 {
            let depth = self.rng.range(0, 3) as u32;
            let e = self.ex(depth, names);
            if let Some(v) = e.eval()
                && (lo..=hi).contains(&v)
                && (!self.avoid.cexpr || e.c_agrees())
                && (!self.avoid.negneg || !e.has_neg_neg())
            {
                return (e.text(), v, e.printed());
            }
        }
        let base = if lo <= 0 && hi >= 0 { 0 } else { lo };
        let span = u64::try_from((hi - base).min(20)).unwrap_or(0);
        let v = base + i128::from(self.rng.below(span + 1));
        let e = Ex::Lit(v.to_string(), v);
        (e.text(), v, e.printed())
    }

    /// The YAML for an expression value: a plain number sometimes, a quoted string mostly.
    fn expr_yaml(&mut self, text: &str) -> String {
        if text.bytes().all(|b| b.is_ascii_digit()) && self.rng.chance(50) {
            text.to_owned()
        } else {
            quote(text)
        }
    }

    /// Names of values an expression may use. Macros (constants, groups, flags) expand where
    /// they are used, so they may refer to anything defined; enumerators must be declared
    /// before the enumerator that uses them.
    fn names_for(&self, filter: impl Fn(&Value) -> bool) -> Vec<usize> {
        (0..self.values.len())
            .filter(|&i| filter(&self.values[i]))
            .collect()
    }

    fn constants(&mut self, y: &mut String) {
        let n = self.rng.below(7);
        if n == 0 {
            return;
        }
        let mut items = Vec::new();
        for i in 0..n {
            let name = format!("{}_C{i}", self.up);
            let mut t = String::new();
            let _ = writeln!(t, "  - name: {name}");
            if self.rng.chance(10) {
                let pool = [
                    "drv-name",
                    "a b c",
                    "x=1;y=2",
                    "p%sq",
                    "{braces}",
                    "semi;colon",
                    "tab-less",
                ];
                let s = *self.rng.pick(&pool);
                let _ = writeln!(t, "    string: {}", quote(s));
            } else {
                let names = self.names_for(|v| v.kind == ValueKind::Const);
                let (text, v, c) = self.expr_in(-(1i128 << 63), (1i128 << 64) - 1, &names);
                let _ = writeln!(t, "    value: {}", self.expr_yaml(&text));
                // Without `type`, a negative value makes a signed constant.
                let must_type = self.avoid.sign && v < 0;
                if must_type || self.rng.chance(40) {
                    let sign = self.avoid.sign;
                    let fitting: Vec<&str> = ["u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64"]
                        .into_iter()
                        .filter(|ty| fits_bits(v, int_bits(ty)))
                        .filter(|ty| {
                            !sign
                                || !ty.starts_with('s')
                                || (0..1i128 << (int_bits(ty) - 1)).contains(&v)
                        })
                        .collect();
                    if !fitting.is_empty() {
                        let ty = *self.rng.pick(&fitting);
                        let _ = writeln!(t, "    type: {ty}");
                    }
                }
                self.values.push(Value {
                    name: name.clone(),
                    value: v,
                    kind: ValueKind::Const,
                    c,
                });
            }
            if let Some(d) = self.doc() {
                let _ = writeln!(t, "    doc: {}", quote(&d));
            }
            items.push(t);
        }
        // Written in another order than generated: references go forward and backward.
        self.rng.shuffle(&mut items);
        y.push_str("constants:\n");
        for t in items {
            y.push_str(&t);
        }
    }

    fn groups(&mut self, y: &mut String) {
        let n = self.rng.below(3);
        if n == 0 {
            return;
        }
        y.push_str("groups:\n");
        for g in 0..n {
            let name = format!("{}_g{g}", self.low);
            let _ = writeln!(y, "  - name: {name}");
            let ty = self
                .rng
                .chance(40)
                .then(|| *self.rng.pick(&["u8", "u16", "u32", "u64", "s32"]));
            if let Some(t) = ty {
                let _ = writeln!(y, "    type: {t}");
            }
            self.doc_line(y, "    ");
            let (lo, hi) = match ty {
                Some(t) if self.avoid.sign && t.starts_with('s') => {
                    (0, (1i128 << (int_bits(t) - 1)) - 1)
                }
                Some(t) => {
                    let b = int_bits(t);
                    (-(1i128 << (b - 1)), (1i128 << b) - 1)
                }
                None if self.avoid.sign => (0, (1i128 << 64) - 1),
                None => (-(1i128 << 63), (1i128 << 64) - 1),
            };
            y.push_str("    values:\n");
            for i in 0..self.rng.range(1, 4) {
                let vname = format!("{}_G{g}_V{i}", self.up);
                let names = self.names_for(|v| matches!(v.kind, ValueKind::Const));
                let (text, v, c) = self.expr_in(lo, hi, &names);
                let _ = writeln!(
                    y,
                    "      - {{ name: {vname}, value: {} }}",
                    self.expr_yaml(&text)
                );
                self.values.push(Value {
                    name: vname,
                    value: v,
                    kind: ValueKind::Group,
                    c,
                });
            }
            self.groups.push(name);
        }
    }

    fn flags(&mut self, y: &mut String) {
        let n = self.rng.below(3);
        if n == 0 {
            return;
        }
        y.push_str("flags:\n");
        for f in 0..n {
            let name = format!("{}_f{f}", self.low);
            let _ = writeln!(y, "  - name: {name}");
            // Without `type`, a flag set takes the type of its first field: attach those
            // only to u32 fields, so that the type is u32 in any case.
            let types: &[&'static str] = if self.avoid.sign {
                &["u8", "u16", "u32", "u64"]
            } else {
                &["u8", "u16", "u32", "u64", "s32"]
            };
            let (ty, explicit) = if self.rng.chance(60) {
                (*self.rng.pick(types), true)
            } else {
                ("u32", false)
            };
            if explicit {
                let _ = writeln!(y, "    type: {ty}");
            }
            self.doc_line(y, "    ");
            let bits = int_bits(ty);
            y.push_str("    bits:\n");
            let mut mine: Vec<usize> = Vec::new();
            for i in 0..self.rng.range(1, 5) {
                let bname = format!("{}_F{f}_B{i}", self.up);
                let (value, c) = if mine.is_empty() || self.rng.chance(65) {
                    let b = self.rng.below(u64::from(bits));
                    let _ = writeln!(y, "      - {{ name: {bname}, bit: {b} }}");
                    // Printed `((__u64)1 << b)` in a set whose `type` is 64-bit, else
                    // `(1 << b)`, `(1U << 31)` or `(1ULL << b)`.
                    let ty = match b {
                        _ if explicit && bits == 64 => C_ULLONG,
                        0..=30 => C_INT,
                        31 => C_UINT,
                        _ => C_ULLONG,
                    };
                    let c = Some(CVal { ty, v: 1i128 << b });
                    (1i128 << b, [c, c])
                } else {
                    // A mask or a multi-bit value over the set's own flags and constants.
                    let mut names = mine.clone();
                    names.extend(self.names_for(|v| v.kind == ValueKind::Const));
                    let (text, v, c) =
                        self.expr_in(-(1i128 << (bits - 1)), (1i128 << bits) - 1, &names);
                    let _ = writeln!(
                        y,
                        "      - {{ name: {bname}, value: {} }}",
                        self.expr_yaml(&text)
                    );
                    (v, c)
                };
                mine.push(self.values.len());
                self.values.push(Value {
                    name: bname,
                    value,
                    kind: ValueKind::Flag(f as usize),
                    c,
                });
            }
            self.flag_sets.push((name, ty));
        }
    }

    fn enums(&mut self, y: &mut String) {
        let n = self.rng.below(3);
        if n == 0 {
            return;
        }
        y.push_str("enums:\n");
        for e in 0..n {
            let mut first = true;
            let named = self.rng.chance(60);
            if named {
                let _ = writeln!(y, "  - name: {}_e{e}", self.low);
            }
            if let Some(d) = self.doc() {
                let lead = if named { "    " } else { "  - " };
                let _ = writeln!(y, "{lead}doc: {}", quote(&d));
                first = false;
            }
            let lead = if named || !first { "    " } else { "  - " };
            let _ = writeln!(y, "{lead}values:");
            let mut prev: Option<i128> = None;
            // C enumerators are `int`; values past INT_MAX are a GNU extension the model
            // allows up to UINT_MAX, in a "wide" enum whose enumerators no expression names
            // (compilers do not agree on their type).
            let wide = self.rng.chance(10);
            for i in 0..self.rng.range(1, 4) {
                let vname = format!("{}_E{e}_V{i}", self.up);
                let hi = if !wide || self.rng.chance(50) {
                    i128::from(i32::MAX)
                } else {
                    i128::from(u32::MAX)
                };
                let lo = if self.avoid.sign {
                    0
                } else {
                    i128::from(i32::MIN)
                };
                let implicit_next = prev.map_or(0, |p| p + 1);
                let implicit_ok = if self.avoid.enumnext {
                    implicit_next <= i128::from(i32::MAX)
                } else {
                    implicit_next <= hi
                };
                let value = if implicit_ok && self.rng.chance(40) {
                    let _ = writeln!(y, "      - {{ name: {vname} }}");
                    implicit_next
                } else {
                    // Constants, and enumerators declared before this one (C declares an
                    // enumerator where it is written).
                    let names = self.names_for(|v| {
                        matches!(v.kind, ValueKind::Const)
                            || (matches!(v.kind, ValueKind::Enum(x) if x <= e as usize))
                    });
                    let (text, v, _) = self.expr_in(lo, hi, &names);
                    let _ = writeln!(
                        y,
                        "      - {{ name: {vname}, value: {} }}",
                        self.expr_yaml(&text)
                    );
                    v
                };
                prev = Some(value);
                // An enumerator is an `int` in C (of a wide enum: not to be named).
                let c = (!wide && C_INT.fits(value)).then_some(CVal {
                    ty: C_INT,
                    v: value,
                });
                self.values.push(Value {
                    name: vname,
                    value,
                    kind: ValueKind::Enum(e as usize),
                    c: [c, c],
                });
            }
        }
    }

    /// An array length: a literal, or an expression over values that evaluates to 1..=max.
    fn array_len(&mut self, max: u64) -> (String, u64) {
        if self.rng.chance(25) {
            // Values visible where the type is declared: constants and free-standing group
            // and flag values are macros defined before every struct; enumerators too.
            let scope = self.avoid.scope;
            let names = self.names_for(|v| {
                let visible = match v.kind {
                    ValueKind::Const | ValueKind::Enum(_) => true,
                    ValueKind::Group | ValueKind::Flag(_) => !scope,
                };
                visible && (1..=i128::from(max)).contains(&v.value)
            });
            if !names.is_empty() {
                let (text, v, _) = self.expr_in(1, i128::from(max), &names);
                return (text, v as u64);
            }
        }
        let v = self.rng.range(1, max.clamp(1, 5));
        (v.to_string(), v)
    }

    /// The type string and shape of a scalar or pointer, with the flag-set type of integers.
    fn scalar(&mut self) -> (String, Shape, Option<&'static str>) {
        let (name, size, align, int) = *self.rng.pick(SCALARS);
        (name.to_owned(), Shape::plain(size, align), int)
    }

    /// A pointer type (a scalar where pointers are not allowed).
    fn pointer(&mut self) -> (String, Shape) {
        if self.no_ptr {
            let (t, s, _) = self.scalar();
            return (t, s);
        }
        let base = if !self.types.is_empty() && self.rng.chance(40) {
            // Any named type, also one defined later or the one being defined.
            let t = &self.types[self.rng.below(self.types.len() as u64) as usize];
            match (t.kind, self.rng.chance(20)) {
                (_, true) => t.name.clone(),
                (Kind::Struct, false) => format!("struct {}", t.name),
                (Kind::Union, false) => format!("union {}", t.name),
            }
        } else {
            let ok: Vec<&str> = SCALARS
                .iter()
                .map(|s| s.0)
                .filter(|n| !self.avoid.alignptr || !n.contains("aligned"))
                .collect();
            (*self.rng.pick(&ok)).to_owned()
        };
        let stars = *self.rng.pick(&[" *", " *", "*", " **", "  *"]);
        (
            format!("{base}{stars}"),
            Shape {
                ptr: true,
                ..Shape::plain(8, 8)
            },
        )
    }

    /// A named type defined before the current one, by value; `None` when there is none that
    /// fits (`no_flex`: the type must not end in a flexible array).
    fn named(&mut self, no_flex: bool, max_size: u64) -> Option<(String, Shape)> {
        let ok: Vec<usize> = (0..self.done)
            .filter(|&i| {
                let s = self.types[i].shape;
                let flex_ok = !no_flex || !s.flex;
                let ptr_ok = !self.no_ptr || !s.ptr;
                flex_ok && ptr_ok && s.size <= max_size
            })
            .collect();
        if ok.is_empty() {
            return None;
        }
        let t = &self.types[*self.rng.pick(&ok)];
        let text = match (t.kind, self.rng.chance(15)) {
            (_, true) => t.name.clone(),
            (Kind::Struct, false) => format!("struct {}", t.name),
            (Kind::Union, false) => format!("union {}", t.name),
        };
        Some((text, t.shape))
    }

    /// An array of scalars, pointers or named types, one to three dimensions.
    fn array(&mut self) -> (String, Shape) {
        let (elem, shape) = match self.rng.below(5) {
            0 => self.pointer(),
            1 => self.named(true, 256).unwrap_or_else(|| {
                let (t, s, _) = self.scalar();
                (t, s)
            }),
            _ => {
                let (t, s, _) = self.scalar();
                (t, s)
            }
        };
        let dims = *self.rng.pick(&[1, 1, 1, 2, 2, 3]);
        let mut text = elem;
        if self.rng.chance(10) {
            text.push(' ');
        }
        let mut size = shape.size;
        for _ in 0..dims {
            let max = (1024 / size.max(1)).clamp(1, 8);
            let (len, n) = self.array_len(max);
            let _ = write!(text, "[{len}]");
            size *= n;
        }
        (
            text,
            Shape {
                ptr: shape.ptr,
                ..Shape::plain(size, shape.align)
            },
        )
    }

    /// A flexible array member type.
    fn flex(&mut self) -> (String, Shape) {
        let (elem, shape) = match self.rng.below(6) {
            0 => self.pointer(),
            1 => self.named(true, 256).unwrap_or_else(|| {
                let (t, s, _) = self.scalar();
                (t, s)
            }),
            _ => {
                let (t, s, _) = self.scalar();
                (t, s)
            }
        };
        let mut text = format!("{elem}[]");
        // `T[][N]`: only the first dimension is flexible.
        if self.rng.chance(15) {
            let (len, _) = self.array_len(4);
            let _ = write!(text, "[{len}]");
        }
        (
            text,
            Shape {
                flex: true,
                last_flex: true,
                ptr: shape.ptr,
                ..Shape::plain(0, shape.align)
            },
        )
    }

    /// Members of a struct or union at YAML indentation `ind`; returns the shape.
    /// `flex_tail`: the last member may be (or end in) a flexible array.
    fn fields(
        &mut self,
        y: &mut String,
        ind: usize,
        kind: Kind,
        depth: u32,
        flex_tail: bool,
    ) -> Shape {
        let pad = " ".repeat(ind);
        let n = match depth {
            0 => self.rng.range(1, 7),
            1 => self.rng.range(1, 4),
            _ => self.rng.range(1, 3),
        };
        let mut end = 0u64;
        let mut align = 1u64;
        let mut flex = false;
        let mut last_flex = false;
        let mut ptr = false;
        let mut named_before = false;
        // Reserved fields, or pointers, but not both (when avoiding `rsvptr`).
        let outer_no_ptr = self.no_ptr;
        let reserved_ok = if !self.avoid.rsvptr || self.no_ptr {
            true
        } else {
            self.no_ptr = self.rng.chance(50);
            self.no_ptr
        };
        for i in 0..n {
            let last = i + 1 == n;
            let _ = write!(y, "{pad}- ");
            let mut lead = String::new();
            let mut key = |y: &mut String, text: String| {
                let _ = writeln!(y, "{lead}{text}");
                lead = format!("{pad}  ");
            };
            let roll = self.rng.below(100);
            let shape;
            // A flexible array needs a named member before it (C has no flexible array in an
            // otherwise empty struct).
            if last && flex_tail && kind == Kind::Struct && named_before && roll < 25 {
                let name = self.field_name();
                key(y, format!("name: {name}"));
                if roll < 18 {
                    let (t, s) = self.flex();
                    key(y, format!("type: {}", quote(&t)));
                    shape = s;
                } else if let Some((t, s)) = self.named(false, 4096).filter(|(_, s)| s.flex) {
                    key(y, format!("type: {}", quote(&t)));
                    shape = s;
                } else {
                    let (t, s) = self.flex();
                    key(y, format!("type: {}", quote(&t)));
                    shape = s;
                }
                named_before = true;
            } else if roll < 12 && depth < 3 {
                // An inline struct or union, named or anonymous.
                let ik = if self.rng.chance(50) {
                    Kind::Struct
                } else {
                    Kind::Union
                };
                let anonymous = self.rng.chance(40);
                if !anonymous {
                    let name = self.field_name();
                    key(y, format!("name: {name}"));
                }
                key(
                    y,
                    format!(
                        "type: {}",
                        if ik == Kind::Struct {
                            "struct"
                        } else {
                            "union"
                        }
                    ),
                );
                if let Some(d) = self.doc() {
                    key(y, format!("doc: {}", quote(&d)));
                }
                key(y, "fields:".into());
                let inner_flex = last && flex_tail && kind == Kind::Struct && ik == Kind::Struct;
                shape = self.fields(y, ind + 4, ik, depth + 1, inner_flex && named_before);
                named_before = true;
            } else {
                let is_pad = (12..18).contains(&roll);
                let name = if is_pad {
                    self.next_pad += 1;
                    format!("__pad{}", self.next_pad)
                } else {
                    self.field_name()
                };
                key(y, format!("name: {name}"));
                let mut int = None;
                let (t, s) = if is_pad {
                    if self.rng.chance(60) {
                        let n = self.rng.range(1, 7);
                        (format!("u8[{n}]"), Shape::plain(n, 1))
                    } else {
                        let (t, s, _) = self.scalar();
                        (t, s)
                    }
                } else {
                    match roll {
                        18..=57 => {
                            let (t, s, i) = self.scalar();
                            int = i;
                            (t, s)
                        }
                        58..=67 => self.pointer(),
                        68..=81 => self.named(true, 2048).unwrap_or_else(|| {
                            let (t, s, i) = self.scalar();
                            int = i;
                            (t, s)
                        }),
                        _ => self.array(),
                    }
                };
                key(y, format!("type: {}", quote(&t)));
                if reserved_ok && (is_pad || self.rng.chance(5)) {
                    key(y, "reserved: true".into());
                }
                if let Some(it) = int {
                    let sets: Vec<String> = self
                        .flag_sets
                        .iter()
                        .filter(|(_, ft)| *ft == it)
                        .map(|(n, _)| n.clone())
                        .collect();
                    if !sets.is_empty() && self.rng.chance(30) {
                        let s = self.rng.pick(&sets).clone();
                        key(y, format!("flags: {s}"));
                    }
                    if !self.groups.is_empty() && self.rng.chance(20) {
                        let g = self.rng.pick(&self.groups).clone();
                        key(y, format!("values: {g}"));
                    }
                }
                if let Some(d) = self.doc() {
                    key(y, format!("doc: {}", quote(&d)));
                }
                shape = s;
                named_before = true;
            }
            align = align.max(shape.align);
            match kind {
                Kind::Struct => end = align_up(end, shape.align) + shape.size,
                Kind::Union => end = end.max(shape.size),
            }
            flex = shape.flex;
            last_flex = shape.last_flex && shape.size == 0;
            ptr |= shape.ptr;
        }
        self.no_ptr = outer_no_ptr;
        Shape {
            size: align_up(end, align),
            align,
            flex: kind == Kind::Struct && flex,
            last_flex: kind == Kind::Struct && last_flex,
            ptr,
        }
    }

    fn field_name(&mut self) -> String {
        self.next_field += 1;
        format!("f{}", self.next_field)
    }

    fn structs(&mut self, y: &mut String) {
        let n = self.rng.range(1, 6);
        for i in 0..n {
            let kind = if self.rng.chance(25) {
                Kind::Union
            } else {
                Kind::Struct
            };
            let name = match kind {
                Kind::Struct => format!("{}_s{i}", self.low),
                Kind::Union => format!("{}_u{i}", self.low),
            };
            self.types.push(NamedTy {
                name,
                kind,
                shape: Shape::plain(0, 1),
                holds_aligned: false,
            });
        }
        let mut items = Vec::new();
        for i in 0..n as usize {
            let mut t = String::new();
            let _ = writeln!(t, "  - name: {}", self.types[i].name);
            if self.types[i].kind == Kind::Union {
                t.push_str("    kind: union\n");
            } else if self.rng.chance(10) {
                t.push_str("    kind: struct\n");
            }
            self.doc_line(&mut t, "    ");
            let kind = self.types[i].kind;
            let mut body = String::new();
            let mut shape = self.fields(&mut body, 6, kind, 0, true);
            let uses_aligned = body.contains("aligned_")
                || self.types[..i].iter().any(|o| {
                    o.holds_aligned
                        && body.match_indices(o.name.as_str()).any(|(at, _)| {
                            !body[at + o.name.len()..]
                                .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                        })
                });
            // C's attributes: packed (members at alignment 1; not around an explicitly
            // aligned type, which uapigen refuses) or aligned(N).
            let roll = self.rng.below(100);
            let mut holds_aligned = uses_aligned;
            match roll {
                0..=9 if !uses_aligned => {
                    t.push_str("    packed: true\n");
                    // The size stays an upper bound.
                    shape.align = 1;
                }
                10..=17 => {
                    let n = 1u64 << self.rng.below(6);
                    let _ = writeln!(t, "    aligned: {n}");
                    shape.align = shape.align.max(n);
                    shape.size = align_up(shape.size, shape.align);
                    holds_aligned = true;
                }
                _ => {}
            }
            t.push_str("    fields:\n");
            t.push_str(&body);
            self.types[i].holds_aligned = holds_aligned;
            self.types[i].shape = shape;
            self.done = i + 1;
            items.push(t);
        }
        // Written in another order than generated: the resolver orders the C header.
        self.rng.shuffle(&mut items);
        y.push_str("structs:\n");
        for t in items {
            y.push_str(&t);
        }
    }

    /// A type or number byte: a literal, a character, or an expression in 0..=255.
    fn ioctl_byte(&mut self) -> String {
        match self.rng.below(4) {
            0 => self.rng.below(256).to_string(),
            1 => {
                let chars = b"AZaz09;:!#$%&()*+,-./<=>?@[]^_`{|}~";
                format!("'{}'", *self.rng.pick(chars) as char)
            }
            _ => {
                let names = self.names_for(|v| (0..=255).contains(&v.value));
                self.expr_in(0, 255, &names).0
            }
        }
    }

    fn ioctls(&mut self, y: &mut String) {
        let n = self.rng.below(6);
        if n == 0 {
            return;
        }
        y.push_str("ioctls:\n");
        for i in 0..n {
            let name = format!("{}_IO{i}", self.up);
            let dir = *self.rng.pick(&["none", "read", "write", "read-write"]);
            let _ = writeln!(y, "  - name: {name}");
            // How the number is made: _IO*, _IOC (maybe with an explicit size), a literal.
            let form = self.rng.below(10);
            // Whether the number encodes the argument's size (then no flexible array).
            let sized = match form {
                0 => {
                    // A literal number as the kernel writes some (`0x4C00`).
                    let _ = writeln!(y, "    number: {:#x}", self.rng.below(1 << 32));
                    false
                }
                1 | 2 => {
                    let _ = writeln!(y, "    dir: {dir}");
                    let _ = writeln!(y, "    macro: _IOC");
                    if self.rng.chance(50) {
                        let _ = writeln!(y, "    size: {}", self.rng.below(8192));
                        false
                    } else {
                        true
                    }
                }
                _ => {
                    let _ = writeln!(y, "    dir: {dir}");
                    dir != "none"
                }
            };
            if form != 0 {
                let t = self.ioctl_byte();
                let _ = writeln!(y, "    type: {}", self.expr_yaml(&t));
                let nr = self.ioctl_byte();
                let _ = writeln!(y, "    nr: {}", self.expr_yaml(&nr));
            }
            let flexwrap = self.avoid.flexwrap;
            let fitting: Vec<usize> = (0..self.types.len())
                .filter(|&k| {
                    let s = self.types[k].shape;
                    s.size < 8191 && !(flexwrap && s.last_flex)
                })
                .collect();
            let roll = self.rng.below(10);
            let mut by_value = false;
            let arg = match roll {
                0..=5 if !fitting.is_empty() => {
                    let t = &self.types[*self.rng.pick(&fitting)];
                    Some(match t.kind {
                        Kind::Struct => format!("struct {}", t.name),
                        Kind::Union => format!("union {}", t.name),
                    })
                }
                6 => Some(self.pointer().0),
                7 if !sized => {
                    by_value = true;
                    Some(self.rng.pick(&["u32", "s32", "u16", "u8"]).to_string())
                }
                8 if !sized => Some(self.rng.pick(&["char[]", "u8[]"]).to_string()),
                9 if (!sized || form == 1 || form == 2) && self.rng.chance(50) => None,
                _ => Some(self.scalar().0),
            };
            let pointer = arg.is_some() && !by_value;
            if let Some(a) = arg {
                let _ = writeln!(y, "    arg: {}", quote(&a));
            }
            if by_value {
                y.push_str("    pass: value\n");
            }
            if pointer && self.rng.chance(30) {
                let d = *self.rng.pick(&["in", "out", "in-out"]);
                let _ = writeln!(y, "    data: {d}");
            }
            if self.rng.chance(30) {
                let r = *self.rng.pick(&["value", "zero", "fd"]);
                let _ = writeln!(y, "    returns: {r}");
            }
            self.doc_line(y, "    ");
        }
    }
}

/// The spec of one seed.
fn spec_text(seed: u64, avoid: Avoid) -> String {
    let mut g = Gen::new(seed, avoid);
    let mut y = String::new();
    let _ = writeln!(y, "# differential test spec, seed {seed}");
    let _ = writeln!(y, "name: {}", g.low);
    let _ = writeln!(y, "header: linux/{}.h", g.low);
    if g.rng.chance(20) {
        let _ = writeln!(y, "prefix: {}", g.low);
    }
    if g.rng.chance(10) {
        let _ = writeln!(y, "guard: _UAPI_{}_GUARD_H", g.up);
    }
    if g.rng.chance(10) {
        // Sometimes two lines: the generated files keep it in comments.
        let source = if !g.avoid.srcline && g.rng.chance(50) {
            format!("differential test\nseed {seed}")
        } else {
            format!("differential test, seed {seed}")
        };
        let _ = writeln!(y, "source: {}", quote(&source));
    }
    g.doc_line(&mut y, "");
    g.constants(&mut y);
    g.groups(&mut y);
    g.flags(&mut y);
    g.enums(&mut y);
    g.structs(&mut y);
    g.ioctls(&mut y);
    y
}

// ---------------------------------------------------------------------------------------
// Running compilers.

/// One spec to check.
struct Case {
    /// The seed, for generated specs; `None` for a fixture.
    seed: Option<u64>,
    /// Where it comes from: `seed 17` or the fixture's path.
    label: String,
    text: String,
    model: Model,
}

impl Case {
    fn name(&self) -> &str {
        &self.model.module.name
    }
}

/// Every ABI's toolchain; panics naming everything that is missing.
fn toolchains() -> Vec<AbiToolchain> {
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for abi in ABIS {
        match abi_toolchain(abi) {
            Ok(t) => out.push(t),
            Err(e) => missing.push(e),
        }
    }
    assert!(
        missing.is_empty(),
        "cannot test every ABI (nothing is skipped):\n{}",
        missing.join("\n")
    );
    assert_eq!(out.len(), 18, "uapigen models 18 ABIs");
    out
}

/// The facts of a spec on one ABI: the model's, plus `sizeof` of each string constant.
fn all_facts(model: &Model, abi: usize) -> Vec<Fact> {
    let mut facts = uapigen::emit::c::facts(model, abi);
    for c in &model.module.constants {
        if let ConstValue::Str(s) = &c.value {
            facts.push(Fact {
                key: format!("sizeof-string:{}", c.c_name),
                c_expr: format!("(unsigned long long)sizeof({})", c.c_name),
                value: s.len() as u64 + 1,
            });
        }
    }
    facts
}

fn symbol(k: usize) -> String {
    format!("uapigen_diff_{k}")
}

/// One C file storing every fact of `cases` in one array per case.
fn batch_source(cases: &[&Case], abi: usize) -> (String, Vec<Vec<Fact>>) {
    let mut src = String::from("/* uapigen differential probe */\n#include <linux/types.h>\n");
    for c in cases {
        let _ = writeln!(src, "#include <{}>", c.model.module.header);
    }
    let mut all = Vec::new();
    for (k, c) in cases.iter().enumerate() {
        let facts = all_facts(&c.model, abi);
        let _ = writeln!(
            src,
            "\n/* {} */\nconst unsigned long long {}[{}] = {{",
            c.label,
            symbol(k),
            facts.len().max(1)
        );
        for f in &facts {
            let _ = writeln!(src, "\t{}, /* {} */", f.c_expr, f.key);
        }
        if facts.is_empty() {
            src.push_str("\t0\n");
        }
        src.push_str("};\n");
        all.push(facts);
    }
    (src, all)
}

/// The compiler's values of each case of a batch, or why the batch does not compile.
type Values = Result<Vec<Vec<u64>>, String>;

/// Compile a batch for one ABI and read each case's values.
fn compile_batch(
    tc: &AbiToolchain,
    include: &Path,
    cases: &[&Case],
    abi: usize,
) -> (Vec<Vec<Fact>>, Values) {
    let (src, facts) = batch_source(cases, abi);
    let run = || -> Result<Vec<Vec<u64>>, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let c = dir.path().join("probe.c");
        let o = dir.path().join("probe.o");
        std::fs::write(&c, &src).map_err(|e| e.to_string())?;
        let inc = format!("-I{}", include.display());
        let (c, o) = (c.display().to_string(), o.display().to_string());
        tc.cc
            .run(&[&inc, "-std=gnu11", "-O0", "-fno-common", "-c", &c, "-o", &o])?;
        let bytes = std::fs::read(&o).map_err(|e| e.to_string())?;
        facts
            .iter()
            .enumerate()
            .map(|(k, f)| read_array(&bytes, &symbol(k), f.len()))
            .collect()
    };
    let r = run();
    (facts, r)
}

/// A disagreement or a compile failure of one case on one ABI.
struct Failure {
    case: usize,
    abi: &'static str,
    what: String,
}

/// Check `cases` (whose headers are in `include`) on every ABI, in batches of `batch`.
/// Returns the number of values compared and the failures.
fn check(
    tcs: &[AbiToolchain],
    include: &Path,
    cases: &[Case],
    batch: usize,
) -> (usize, usize, Vec<Failure>) {
    let batches: Vec<Vec<usize>> = (0..cases.len())
        .collect::<Vec<_>>()
        .chunks(batch.max(1))
        .map(<[usize]>::to_vec)
        .collect();
    let jobs: Vec<(usize, usize)> = (0..tcs.len())
        .flat_map(|a| (0..batches.len()).map(move |b| (a, b)))
        .collect();
    let results = par_map(&jobs, |&(a, b)| {
        let members: Vec<&Case> = batches[b].iter().map(|&i| &cases[i]).collect();
        let (facts, values) = compile_batch(&tcs[a], include, &members, a);
        let mut compared = 0;
        let mut failures = Vec::new();
        let mut compiles = 1;
        match values {
            Ok(values) => {
                for (k, (f, v)) in facts.iter().zip(&values).enumerate() {
                    compared += f.len();
                    for (fact, got) in f.iter().zip(v) {
                        if fact.value != *got {
                            failures.push(Failure {
                                case: batches[b][k],
                                abi: tcs[a].abi.name,
                                what: format!(
                                    "{}: model {} (0x{:x}), compiler {} (0x{:x})",
                                    fact.key, fact.value, fact.value, got, got
                                ),
                            });
                        }
                    }
                }
            }
            Err(batch_error) => {
                // Find the culprits: compile each spec of the batch alone.
                let before = failures.len();
                for (k, c) in members.iter().enumerate() {
                    compiles += 1;
                    let (f, r) = compile_batch(&tcs[a], include, &[*c], a);
                    match r {
                        Ok(v) => {
                            compared += f[0].len();
                            for (fact, got) in f[0].iter().zip(&v[0]) {
                                if fact.value != *got {
                                    failures.push(Failure {
                                        case: batches[b][k],
                                        abi: tcs[a].abi.name,
                                        what: format!(
                                            "{}: model {} (0x{:x}), compiler {} (0x{:x})",
                                            fact.key, fact.value, fact.value, got, got
                                        ),
                                    });
                                }
                            }
                        }
                        Err(e) => failures.push(Failure {
                            case: batches[b][k],
                            abi: tcs[a].abi.name,
                            what: format!(
                                "the generated header does not compile: {}",
                                compile_errors(&e)
                            ),
                        }),
                    }
                }
                if failures.len() == before {
                    // Each spec compiles alone, the batch does not: headers clash.
                    failures.push(Failure {
                        case: batches[b][0],
                        abi: tcs[a].abi.name,
                        what: format!(
                            "the batch of {} headers does not compile together, each one alone \
                             does:\n{batch_error}",
                            members.len()
                        ),
                    });
                }
            }
        }
        (compared, compiles, failures)
    });
    let mut compared = 0;
    let mut compiles = 0;
    let mut failures = Vec::new();
    for (n, c, f) in results {
        compared += n;
        compiles += c;
        failures.extend(f);
    }
    (compared, compiles, failures)
}

/// The `error:` lines of a compiler's output, without the temporary directories, so that the
/// same error on several ABIs reads the same.
fn compile_errors(out: &str) -> String {
    let lines: Vec<String> = out
        .lines()
        .filter(|l| l.contains("error:") || l.contains("error["))
        .map(|l| {
            let l = l.trim();
            match l.find("linux/").or_else(|| l.find("probe.c")) {
                Some(i) => l[i..].to_owned(),
                None => l.to_owned(),
            }
        })
        .take(3)
        .collect();
    if lines.is_empty() {
        out.lines().take(5).collect::<Vec<_>>().join("\n")
    } else {
        lines.join("\n    ")
    }
}

fn env_num(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v} is not a number")),
        Err(_) => default,
    }
}

fn fixture_dir() -> PathBuf {
    root().join("tests/fixtures/differential")
}

/// Every fixture spec, in name order.
fn fixtures() -> Vec<(PathBuf, String)> {
    let Ok(rd) = std::fs::read_dir(fixture_dir()) else {
        return Vec::new();
    };
    let mut out: Vec<(PathBuf, String)> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| {
            let t = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, t)
        })
        .collect();
    out.sort();
    out
}

fn write_headers(include: &Path, cases: &[Case]) {
    for c in cases {
        let p = include.join(&c.model.module.header);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        }
        std::fs::write(&p, uapigen::emit::c::header(&c.model))
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    }
}

/// Groups of cases whose spec names (and so headers and Rust modules) are distinct.
fn distinct_groups(cases: Vec<Case>) -> Vec<Vec<Case>> {
    let mut groups: Vec<Vec<Case>> = Vec::new();
    for c in cases {
        match groups.iter_mut().find(|g| {
            g.iter()
                .all(|o| o.name() != c.name() && o.model.module.header != c.model.module.header)
        }) {
            Some(g) => g.push(c),
            None => groups.push(vec![c]),
        }
    }
    groups
}

/// Write `content` unless the file already holds it (keeps cargo's fingerprints fresh).
fn write_if_changed(p: &Path, content: &str) {
    if std::fs::read_to_string(p).is_ok_and(|old| old == content) {
        return;
    }
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
    }
    std::fs::write(p, content).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
}

/// Build the generated Rust of `crates` (crate name, specs) for the host: one scratch cargo
/// workspace, one crate per entry (a syntax error in one crate does not hide the errors of
/// another), `--keep-going`. On failure, returns cargo's output and the specs it blames.
fn rust_build(crates: &[(String, Vec<&Case>)]) -> Result<(), (String, BTreeSet<String>)> {
    let ws = root()
        .canonicalize()
        .unwrap_or_else(|e| panic!("workspace root: {e}"));
    let target = ws.join("target/differential");
    let dir = target.join("probe-ws");
    let runtime = ws.join("runtime").display().to_string();
    let mut members = Vec::new();
    for (krate, cases) in crates {
        let cdir = dir.join(krate);
        let mut lib = String::from(
            "//! Scratch crate of the differential test: generated modules, built for the host.\n\
             #![allow(warnings)]\n",
        );
        let mut files = Vec::new();
        for c in cases {
            let name = c.name();
            // Odd seeds also get the C-name aliases (`c-names` feature of the bindings crate)
            // and the serde derives (`serde` feature).
            let text = if c.seed.is_some_and(|s| s % 2 == 1) {
                uapigen::emit::rust::module_with(
                    &c.model,
                    &uapigen::emit::rust::RustOptions {
                        c_names: uapigen::emit::rust::Gate::Always,
                        serde: uapigen::emit::rust::Gate::Always,
                        zerocopy: uapigen::emit::rust::Gate::Always,
                    },
                    uapigen::emit::Mode::Build,
                )
            } else {
                uapigen::emit::rust::module(&c.model, uapigen::emit::Mode::Build)
            };
            let text = text.unwrap_or_else(|e| {
                panic!("{}: emit_rust::module fails: {e}\n{}", c.label, c.text)
            });
            let file = cdir.join("src/gen").join(format!("{name}.rs"));
            write_if_changed(&file, &text);
            let _ = writeln!(
                lib,
                "pub mod {name} {{\n    include!({:?});\n}}",
                file.display().to_string()
            );
            files.push(format!("{name}.rs"));
        }
        // Modules of earlier runs are not included; remove them.
        if let Ok(rd) = std::fs::read_dir(cdir.join("src/gen")) {
            for e in rd.flatten() {
                if !files.contains(&e.file_name().to_string_lossy().into_owned()) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        write_if_changed(&cdir.join("src/lib.rs"), &lib);
        write_if_changed(
            &cdir.join("Cargo.toml"),
            &format!(
                "[package]\nname = \"uapigen-diff-{}\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
                 publish = false\n\n[dependencies]\nuapigen-runtime = {{ path = {runtime:?}, features = [\"serde\", \"zerocopy\"] }}\n",
                krate.replace('_', "-")
            ),
        );
        members.push(format!("{krate:?}"));
    }
    // Crates of earlier runs (fixtures since removed) are not members; remove them.
    if let Ok(rd) = std::fs::read_dir(&dir) {
        for e in rd.flatten() {
            let n = format!("{:?}", e.file_name().to_string_lossy());
            if e.path().is_dir() && !members.contains(&n) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    write_if_changed(
        &dir.join("Cargo.toml"),
        &format!(
            "[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    );
    if !dir.join("Cargo.lock").exists() {
        let lock = std::fs::read_to_string(ws.join("Cargo.lock"))
            .unwrap_or_else(|e| panic!("Cargo.lock: {e}"));
        write_if_changed(&dir.join("Cargo.lock"), &lock);
    }
    let out = Command::new(env!("CARGO"))
        .args([
            "build",
            "--offline",
            "--quiet",
            "--keep-going",
            "--workspace",
        ])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo: {e}"));
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    // The primary location of each error (not the notes) names the module to blame.
    let lines: Vec<&str> = err.lines().collect();
    let mut blamed = BTreeSet::new();
    for (i, l) in lines.iter().enumerate() {
        if !l.starts_with("error") {
            continue;
        }
        let at = lines[i + 1..]
            .iter()
            .take(3)
            .find(|l| l.trim_start().starts_with("--> "));
        if let Some(at) = at {
            for (krate, cases) in crates {
                for c in cases {
                    if at.contains(&format!("{krate}/src/gen/{}.rs:", c.name())) {
                        blamed.insert(c.label.clone());
                    }
                }
            }
        }
    }
    Err((err, blamed))
}

/// Compile a spec. A generated spec is valid, so an error is a bug of uapigen (or of the
/// generator): returned as the diagnostics.
fn compile_case(seed: Option<u64>, label: String, text: String) -> Result<Case, String> {
    let path = match seed {
        Some(s) => PathBuf::from(format!("spec/rnd{s}.yaml")),
        None => PathBuf::from(&label),
    };
    match uapigen::compile_str(&path, &text) {
        Ok(model) => Ok(Case {
            seed,
            label,
            text,
            model,
        }),
        Err(d) => Err(d.plain()),
    }
}

/// A failing spec, for the report and the fixture files.
struct Failed {
    seed: Option<u64>,
    fixture: bool,
    label: String,
    text: String,
    what: String,
}

impl Failed {
    fn new(c: &Case, fixture: bool, what: String) -> Self {
        Failed {
            seed: c.seed,
            fixture,
            label: c.label.clone(),
            text: c.text.clone(),
            what,
        }
    }
}

/// Specs shown in full in the report; the others are named only.
const REPORT_SPECS: usize = 12;

#[test]
fn random_specs_agree_with_every_compiler() {
    let start = Instant::now();
    let avoid = Avoid::from_env();
    if let Ok(s) = std::env::var("UAPIGEN_DIFF_PRINT") {
        let seed = s
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("UAPIGEN_DIFF_PRINT={s}"));
        println!("{}", spec_text(seed, avoid));
        return;
    }
    let count = env_num("UAPIGEN_DIFF_SPECS", 300);
    let first = env_num("UAPIGEN_DIFF_SEED", 1);
    let batch = env_num("UAPIGEN_DIFF_BATCH", 40) as usize;
    let rust_count = env_num("UAPIGEN_DIFF_RUST", 20) as usize;
    // Only runs that avoid every known bug save fixtures: their failures are new bugs.
    let save = std::env::var_os("UAPIGEN_DIFF_NO_SAVE").is_none()
        && std::env::var_os("UAPIGEN_DIFF_AVOID").is_none();
    let tcs = toolchains();
    let mut failed: Vec<Failed> = Vec::new();

    // Fixtures first, then the random specs.
    let mut fixture_cases = Vec::new();
    for (p, t) in fixtures() {
        let seed = p
            .file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.strip_prefix("seed-"))
            .and_then(|s| s.parse().ok());
        let label = p
            .strip_prefix(root())
            .map_or_else(|_| p.display().to_string(), |r| r.display().to_string());
        match compile_case(seed, label.clone(), t.clone()) {
            Ok(c) => fixture_cases.push(c),
            Err(d) => failed.push(Failed {
                seed,
                fixture: true,
                label,
                text: t,
                what: format!("uapigen rejects the spec:\n{d}"),
            }),
        }
    }
    let n_fixtures = fixtures().len();
    let gen_start = Instant::now();
    let mut generated = Vec::new();
    for s in first..first + count {
        let text = spec_text(s, avoid);
        match compile_case(Some(s), format!("seed {s}"), text.clone()) {
            Ok(c) => generated.push(c),
            Err(d) => failed.push(Failed {
                seed: Some(s),
                fixture: false,
                label: format!("seed {s}"),
                text,
                what: format!("uapigen rejects this valid spec:\n{d}"),
            }),
        }
    }
    let gen_time = gen_start.elapsed();

    let mut compared = 0;
    let mut compiles = 0;
    let mut groups: Vec<(bool, Vec<Case>)> = distinct_groups(fixture_cases)
        .into_iter()
        .map(|g| (true, g))
        .collect();
    groups.push((false, generated));
    let c_start = Instant::now();
    for (fixture, cases) in &groups {
        if cases.is_empty() {
            continue;
        }
        let include = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        write_headers(include.path(), cases);
        let (n, c, failures) = check(&tcs, include.path(), cases, batch);
        compared += n;
        compiles += c;
        let mut by_case: BTreeMap<usize, Vec<&Failure>> = BTreeMap::new();
        for f in &failures {
            by_case.entry(f.case).or_default().push(f);
        }
        for (i, fs) in by_case {
            // The same disagreement on several ABIs is one line naming them.
            let mut same: Vec<(&str, Vec<&str>)> = Vec::new();
            for f in &fs {
                match same.iter_mut().find(|(w, _)| *w == f.what) {
                    Some((_, abis)) => abis.push(f.abi),
                    None => same.push((&f.what, vec![f.abi])),
                }
            }
            let mut what = format!("{} disagreements with the model:\n", fs.len());
            for (w, abis) in same.iter().take(20) {
                let _ = writeln!(what, "  [{}] {}", abis.join(", "), w.trim_end());
            }
            if same.len() > 20 {
                let _ = writeln!(what, "  ... and {} more", same.len() - 20);
            }
            failed.push(Failed::new(&cases[i], *fixture, what));
        }
    }
    let c_time = c_start.elapsed();

    // Rust for the host: every fixture (a crate each) and the first `rust_count` random specs.
    let r_start = Instant::now();
    let mut crates: Vec<(String, Vec<&Case>)> = Vec::new();
    let mut fixture_of: BTreeMap<String, bool> = BTreeMap::new();
    for (fixture, cases) in &groups {
        if *fixture {
            for c in cases {
                crates.push((format!("fx_{}", c.name()), vec![c]));
                fixture_of.insert(c.label.clone(), true);
            }
        } else if rust_count > 0 {
            let take: Vec<&Case> = cases.iter().take(rust_count).collect();
            for c in &take {
                fixture_of.insert(c.label.clone(), false);
            }
            crates.push(("random".to_owned(), take));
        }
    }
    crates.retain(|(_, cases)| !cases.is_empty());
    let mut seen = BTreeSet::new();
    crates.retain(|(k, _)| seen.insert(k.clone()));
    let rust_specs: usize = crates.iter().map(|(_, c)| c.len()).sum();
    if !crates.is_empty()
        && let Err((err, blamed)) = rust_build(&crates)
    {
        if blamed.is_empty() {
            panic!("the scratch crates do not build, and no module is to blame:\n{err}");
        }
        for (_, cases) in &crates {
            for c in cases {
                if !blamed.contains(&c.label) {
                    continue;
                }
                // The errors located in this spec's module.
                let mine: Vec<&str> = err
                    .split("\n\n")
                    .filter(|b| b.contains(&format!("/src/gen/{}.rs:", c.name())))
                    .take(4)
                    .collect();
                let what = format!(
                    "the generated Rust does not build for the host:\n{}\n",
                    mine.join("\n\n")
                );
                let fixture = fixture_of.get(&c.label).copied().unwrap_or(false);
                failed.push(Failed::new(c, fixture, what));
            }
        }
    }
    let r_time = r_start.elapsed();

    let mut report = String::new();
    for f in failed.iter().take(REPORT_SPECS) {
        let _ = writeln!(
            report,
            "\n=== {}{}: {}--- spec ---\n{}",
            f.label,
            if f.fixture { " (fixture)" } else { "" },
            f.what,
            f.text
        );
    }
    if failed.len() > REPORT_SPECS {
        let rest: Vec<&str> = failed[REPORT_SPECS..]
            .iter()
            .map(|f| f.label.as_str())
            .collect();
        let _ = writeln!(report, "\n... and {}", rest.join(", "));
    }
    // Save the smallest few failing random specs as fixtures.
    if save {
        let mut new: Vec<&Failed> = failed
            .iter()
            .filter(|f| !f.fixture && f.seed.is_some())
            .collect();
        new.sort_by_key(|f| f.text.len());
        let mut seen = BTreeSet::new();
        new.retain(|f| seen.insert(f.seed));
        for f in new.iter().take(3) {
            let dir = fixture_dir();
            let p = dir.join(format!("seed-{}.yaml", f.seed.unwrap_or_default()));
            if !p.exists() {
                std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
                std::fs::write(&p, &f.text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                let _ = writeln!(report, "saved {}", p.display());
            }
        }
    }

    println!(
        "{} specs ({n_fixtures} fixtures, {count} random of seeds {first}..{}), {} ABIs, \
         {compared} values compared in {compiles} C compiles ({c_time:.1?}); {} specs built as \
         Rust for the host ({r_time:.1?}); generating and compiling the specs {gen_time:.1?}; \
         total {:.1?}; known bugs kept out of the random specs: {avoid:?}",
        n_fixtures as u64 + count,
        first + count,
        tcs.len(),
        rust_specs,
        start.elapsed()
    );
    let known: Vec<String> = KNOWN_BUGS
        .iter()
        .map(|(n, d)| format!("  {n}: {d}"))
        .collect();
    assert!(
        failed.is_empty(),
        "{} specs fail:{report}\nKnown bugs, kept out of the random specs (UAPIGEN_DIFF_AVOID), \
         each with a fixture that fails until it is fixed:\n{}",
        failed.len(),
        known.join("\n")
    );
}

/// The generator is deterministic, and what it writes compiles (cheap, no compiler needed).
#[test]
fn the_generator_is_deterministic_and_valid() {
    let all = Avoid::from_env();
    for avoid in [Avoid::default(), all] {
        for seed in [0, 1, 2, 3, 99, 12_345, u64::MAX - 1] {
            let a = spec_text(seed, avoid);
            assert_eq!(a, spec_text(seed, avoid), "seed {seed}");
            let c = compile_case(Some(seed), format!("seed {seed}"), a.clone())
                .unwrap_or_else(|d| panic!("seed {seed}: {d}\n{a}"));
            assert_eq!(c.name(), format!("rnd{seed}"));
        }
        assert_ne!(spec_text(1, avoid), spec_text(2, avoid));
    }
}
