//! Hostile input: every spec below must give a clean `Err(Diagnostics)` (a code, a line and
//! column, a message and a hint on each diagnostic; both renderings work), never a panic or
//! a crash, with moderate memory. Where an input is valid after all (a long chain of
//! constants), success is fine too, and the generated files are rendered as well
//! (`uapigen::files::render`, and the tokens of `include_spec!`).
//!
//! No check here reads a clock (a loaded machine would fail it). Work is counted instead:
//! this binary's global allocator counts heap allocations, bytes allocated and the peak of
//! live bytes ([`Work`]). Each input shape that a size parameter grows (chains, fan-outs,
//! many errors, ...) is compiled at two sizes, n and 4n, and the work of the larger may be
//! at most [`MAX_GROWTH`] times the work of the smaller ([`scales`]): a quadratic path
//! shows as up to 16x. Every input, shaped or not, stays under [`MAX_PEAK`] live bytes.
//! Allocations do not show a loop that only compares (lint's old scan of every earlier
//! ioctl, a payload variant's lookup of its union member): for such shapes callgrind counts
//! the instructions of compiling, linting or only resolving ([`Stage`]) at n and 4n
//! instead ([`scales_in_instructions`], in a child process; valgrind is required and
//! installed by the test command). Instructions are deterministic, not a clock.
//!
//! A panic in the library fails the test as it is, and nothing here catches one. A stack
//! overflow aborts the whole process, so each group of inputs runs in a child process (this
//! test binary again, running one `#[ignore]`d `child_*` test on a normal 2 MiB test thread):
//! a crash fails that group's test, with the child's output, and the other groups still run.
//! `cargo test -p uapigen --test hostile -- --ignored` runs the groups in-process.

use std::alloc::{GlobalAlloc, Layout as AllocLayout, System};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use uapigen::emit::Mode;
use uapigen::files::{OutputDirs, render};
use uapigen::{Diagnostics, Model};

#[allow(dead_code)]
mod shapes;

/// The longest diagnostic message that makes sense: quoting a 5 MB value back is not one.
const MAX_MESSAGE: usize = 64 << 10;

/// How much more work an input of four times the size may take: linear work gives about 4
/// (a little more from the logarithmic factors of ordered maps), quadratic work 16. Four
/// times, not two, so that a quadratic term still shows when linear work hides it at the
/// smaller size.
const MAX_GROWTH: f64 = 5.0;

/// The most live heap memory one hostile input may use (the largest inputs are 20 MB).
const MAX_PEAK: u64 = 1 << 30;

/// Counts every allocation of this test binary, on every thread (the library formats on
/// several).
struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);
static LIVE: AtomicU64 = AtomicU64::new(0);
static PEAK: AtomicU64 = AtomicU64::new(0);

fn grew(by: usize) {
    let by = by as u64;
    ALLOCS.fetch_add(1, Ordering::Relaxed);
    BYTES.fetch_add(by, Ordering::Relaxed);
    let live = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every call is passed on to the system allocator unchanged; the counters are
// atomics that never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: AllocLayout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: AllocLayout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: AllocLayout) {
        LIVE.fetch_sub(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: AllocLayout, new_size: usize) -> *mut u8 {
        LIVE.fetch_sub(layout.size() as u64, Ordering::Relaxed);
        grew(new_size);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// The work one call did, as the allocator counted it.
#[derive(Clone, Copy, Debug, Default)]
struct Work {
    allocs: u64,
    bytes: u64,
    /// The most live bytes above what was live when the call began.
    peak: u64,
}

impl std::fmt::Display for Work {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:>9} allocs {:>7} KiB allocated {:>7} KiB peak",
            self.allocs,
            self.bytes >> 10,
            self.peak >> 10
        )
    }
}

/// Run `f` and count its work. The child processes run one test on one thread, so only
/// `f` (and the threads it starts) allocate meanwhile.
fn counted<R>(f: impl FnOnce() -> R) -> (R, Work) {
    let (a, b, live) = (
        ALLOCS.load(Ordering::SeqCst),
        BYTES.load(Ordering::SeqCst),
        LIVE.load(Ordering::SeqCst),
    );
    PEAK.store(live, Ordering::SeqCst);
    let r = f();
    let w = Work {
        allocs: ALLOCS.load(Ordering::SeqCst) - a,
        bytes: BYTES.load(Ordering::SeqCst) - b,
        peak: PEAK.load(Ordering::SeqCst).saturating_sub(live),
    };
    (r, w)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Expect {
    /// Must be rejected.
    Err,
    /// Either outcome is fine; neither may crash.
    Either,
    /// Must be accepted (and then rendered).
    Ok,
}

thread_local! {
    /// Problems found so far by the current test: checks do not stop at the first one, so
    /// that one test reports every input it gets wrong. (Panics and crashes do stop it.)
    static PROBLEMS: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn problem(p: String) {
    println!("PROBLEM: {}", p.lines().next().unwrap_or(""));
    PROBLEMS.with(|v| v.borrow_mut().push(p));
}

/// Fail the test with every problem found.
fn finish() {
    let all = PROBLEMS.with(|v| std::mem::take(&mut *v.borrow_mut()));
    assert!(
        all.is_empty(),
        "{} problems:\n{}",
        all.len(),
        all.join("\n")
    );
}

/// Every diagnostic is complete: a code, a position, a message, a hint, and the file.
fn check_diagnostics(case: &str, d: &Diagnostics) {
    if d.list.is_empty() {
        problem(format!("{case}: an error without diagnostics"));
    }
    let mut bad = 0;
    for x in &d.list {
        let code = x.code.as_str();
        let what = if !(code.len() == 5 && code.starts_with('E')) {
            "a bad code"
        } else if x.span.line < 1 || x.span.column < 1 {
            "no line and column"
        } else if x.message.trim().is_empty() {
            "an empty message"
        } else if x.message.len() > MAX_MESSAGE {
            "a message quoting too much of the input"
        } else if x.hint.as_deref().is_none_or(|h| h.trim().is_empty()) {
            "no hint"
        } else if x.file.is_none() {
            "no file"
        } else {
            continue;
        };
        bad += 1;
        if bad <= 3 {
            let mut shown = x.plain();
            if shown.len() > 300 {
                let cut = (0..=300)
                    .rev()
                    .find(|&i| shown.is_char_boundary(i))
                    .unwrap_or(0);
                shown = format!("{}... ({} bytes)", &shown[..cut], x.plain().len());
            }
            problem(format!("{case}: a diagnostic with {what}: {shown}"));
        }
    }
    // Both renderings work on what was reported (the fancy one quotes the source).
    let plain = d.plain();
    if !plain.contains("error[") {
        problem(format!("{case}: plain rendering lacks the code: {plain}"));
    }
    let first = Diagnostics {
        list: d.list.iter().take(20).cloned().collect(),
    };
    if first.fancy().is_empty() {
        problem(format!("{case}: empty fancy rendering"));
    }
}

/// Render every output of a model that compiled, in both layouts, and the tokens that
/// `include_spec!` expands to.
fn render_all(case: &str, m: Model) {
    if uapigen::emit::rust::module_tokens(
        &m,
        &uapigen::emit::rust::RustOptions {
            c_names: uapigen::emit::rust::Gate::Always,
            serde: uapigen::emit::rust::Gate::Always,
            zerocopy: uapigen::emit::rust::Gate::Always,
        },
    )
    .is_empty()
    {
        problem(format!("{case}: no tokens"));
    }
    let models = [m];
    for layout in [OutputDirs::flat(), OutputDirs::crate_layout()] {
        match render(&models, &layout, Mode::Build) {
            Ok(out) if out.is_empty() => problem(format!("{case}: nothing rendered")),
            Ok(_) => {}
            Err(e) => problem(format!(
                "{case}: the spec compiles but does not render: {e}"
            )),
        }
    }
}

/// Lint a model that compiled and render the findings, as text and as JSON.
fn lint_all(case: &str, m: &Model) {
    match uapigen::lint::lint(m) {
        Ok(findings) => {
            let text = uapigen::lint::render(m, &findings);
            let json = uapigen::lint::json(m, &findings);
            let listed = json["findings"].as_array().map_or(0, Vec::len);
            if text.lines().count() != findings.len() || listed != findings.len() {
                problem(format!("{case}: the renderings of the lint lose findings"));
            }
        }
        Err(d) => problem(format!("{case}: lint fails: {}", d.plain())),
    }
}

fn summary(text: &str) -> String {
    let head: String = text.chars().take(120).collect();
    format!("{} bytes: {head:?}...", text.len())
}

/// Compile `text` as a spec and check the outcome against `expect`, within [`MAX_PEAK`].
fn hostile(case: &str, text: &str, expect: Expect) -> Result<(), Diagnostics> {
    hostile_counted(case, text, expect).0
}

/// [`hostile`], with the work it took.
fn hostile_counted(case: &str, text: &str, expect: Expect) -> (Result<(), Diagnostics>, Work) {
    compile_counted(case, text, expect, false)
}

/// [`hostile_counted`]; with `lint`, a model that compiles is also linted (and its findings
/// rendered), within the counted work.
fn compile_counted(
    case: &str,
    text: &str,
    expect: Expect,
    lint: bool,
) -> (Result<(), Diagnostics>, Work) {
    let (outcome, work) = counted(|| {
        let r = uapigen::compile_str(format!("spec/{case}.yaml"), text);
        match r {
            Ok(m) => {
                if expect == Expect::Err {
                    problem(format!(
                        "{case}: accepted, but must be rejected ({})",
                        summary(text)
                    ));
                }
                if lint {
                    lint_all(case, &m);
                }
                render_all(case, m);
                Ok(())
            }
            Err(d) => {
                if expect == Expect::Ok {
                    let first: Vec<String> = d.list.iter().take(3).map(|x| x.plain()).collect();
                    problem(format!(
                        "{case}: rejected, but must be accepted:\n{}",
                        first.join("\n")
                    ));
                }
                check_diagnostics(case, &d);
                Err(d)
            }
        }
    });
    println!(
        "{case:<40} {:>9} bytes  {work}  {}",
        text.len(),
        match &outcome {
            Ok(()) => "compiles".to_owned(),
            Err(d) => {
                let codes: std::collections::BTreeSet<&str> =
                    d.list.iter().map(|x| x.code.as_str()).collect();
                format!("{} errors {codes:?}", d.list.len())
            }
        }
    );
    within_peak(case, work);
    (outcome, work)
}

fn within_peak(case: &str, work: Work) {
    if work.peak > MAX_PEAK {
        problem(format!(
            "{case}: {} MiB of live memory (at most {} MiB)",
            work.peak >> 20,
            MAX_PEAK >> 20
        ));
    }
}

/// A shape of input at two sizes, `n` and `4n` (`make` writes the spec of a size): each must
/// pass [`hostile`] with `expect` (and, when rejected, give one of `codes` if any are named),
/// and the larger may take at most [`MAX_GROWTH`] times the allocations and the bytes of the
/// smaller.
fn scales(case: &str, n: usize, expect: Expect, codes: &[&str], make: impl Fn(usize) -> String) {
    scales_with(case, n, expect, codes, false, make);
}

/// [`scales`]; with `lint`, the lint of each model that compiles is counted too.
fn scales_with(
    case: &str,
    n: usize,
    expect: Expect,
    codes: &[&str],
    lint: bool,
    make: impl Fn(usize) -> String,
) {
    let mut works = Vec::new();
    for size in [n, 4 * n] {
        let name = format!("{case}_{size}");
        let text = make(size);
        let (outcome, work) = compile_counted(&name, &text, expect, lint);
        if let Err(d) = &outcome
            && !codes.is_empty()
            && !d.list.iter().any(|x| codes.contains(&x.code.as_str()))
        {
            let first: Vec<String> = d.list.iter().take(3).map(|x| x.plain()).collect();
            problem(format!(
                "{name}: expected one of {codes:?}, got:\n{}",
                first.join("\n")
            ));
        }
        works.push(work);
    }
    let ratio = |f: fn(&Work) -> u64| f(&works[1]) as f64 / f(&works[0]).max(1) as f64;
    let (allocs, bytes) = (ratio(|w| w.allocs), ratio(|w| w.bytes));
    println!("{case:<40} 4x the input: {allocs:.2}x the allocations, {bytes:.2}x the bytes");
    if allocs > MAX_GROWTH || bytes > MAX_GROWTH {
        problem(format!(
            "{case}: worse than linear: from {n} to {} the allocations grow {allocs:.2}x and \
             the bytes {bytes:.2}x (at most {MAX_GROWTH}x)",
            4 * n
        ));
    }
}

/// Must be rejected with one of `codes`.
fn rejected(case: &str, text: &str, codes: &[&str]) {
    if let Err(d) = hostile(case, text, Expect::Err)
        && !d.list.iter().any(|x| codes.contains(&x.code.as_str()))
    {
        let first: Vec<String> = d.list.iter().take(3).map(|x| x.plain()).collect();
        problem(format!(
            "{case}: expected one of {codes:?}, got:\n{}",
            first.join("\n")
        ));
    }
}

use shapes::HEAD;

#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_deep_nesting_of_flow_collections() {
    let n = 10_000;
    let text = format!("{HEAD}constants: {}{}\n", "[".repeat(n), "]".repeat(n));
    rejected("brackets_10k", &text, &["E0001"]);
    let text = format!("{HEAD}constants: {}1{}\n", "{a: ".repeat(n), "}".repeat(n));
    rejected("braces_10k", &text, &["E0001"]);
    // Unclosed, and mixed.
    let text = format!("{HEAD}constants: {}\n", "[{a: ".repeat(n));
    rejected("unclosed_10k", &text, &["E0001"]);
    let text = format!("{}\n", "[".repeat(100_000));
    rejected("brackets_100k_alone", &text, &["E0001"]);
    finish();
}

#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_deep_nesting_of_block_mappings() {
    let mut text = String::from(HEAD);
    text.push_str("constants:\n");
    for i in 0..1000 {
        let _ = writeln!(text, "{}a:", " ".repeat(2 + i));
    }
    rejected("block_1000_levels", &text, &["E0001"]);
    let mut text = String::from(HEAD);
    text.push_str("constants:\n");
    for i in 0..1000 {
        let _ = writeln!(text, "{}-", " ".repeat(2 + i));
    }
    rejected("block_seq_1000_levels", &text, &["E0001"]);
    finish();
}

#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_alias_bombs() {
    // Billion laughs: ten levels of ten aliases each.
    let mut text = String::from(HEAD);
    text.push_str("lol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        let _ = writeln!(text, "lol{i}: &a{i} [{refs}]");
    }
    rejected("billion_laughs_top", &text, &["E0001"]);

    // The same bomb as the value of a real key.
    let mut text = String::from(HEAD);
    text.push_str("doc: &a0 lol\nconstants:\n  - name: X\n    value: 1\n    doc: [");
    let mut anchors = Vec::new();
    for i in 1..10 {
        let prev = if i == 1 {
            "*a0".to_owned()
        } else {
            format!("*a{}", i - 1)
        };
        anchors.push(format!("&a{i} [{}]", vec![prev; 10].join(", ")));
    }
    text.push_str(&anchors.join(", "));
    text.push_str("]\n");
    rejected("billion_laughs_in_doc", &text, &["E0001"]);

    // Wide: one valid mapping aliased 100 000 times (each would be a duplicate constant).
    scales(
        "wide_alias",
        25_000,
        Expect::Err,
        &["E0001", "E0101"],
        |n| {
            let mut text = String::from(HEAD);
            text.push_str("constants:\n  - &c { name: A, value: 1 }\n");
            for _ in 0..n {
                text.push_str("  - *c\n");
            }
            text
        },
    );

    // Merge keys and an alias of a mapping holding aliases.
    scales("merge_keys", 500, Expect::Either, &[], |n| {
        let mut text = String::from(HEAD);
        text.push_str("constants:\n  - &m { name: A, value: 1 }\n");
        for i in 0..n {
            let _ = writeln!(text, "  - {{ <<: *m, name: A{i} }}");
        }
        text
    });

    // An alias of an undefined anchor, and a recursive-looking anchor.
    rejected(
        "undefined_alias",
        &format!("{HEAD}constants: *nowhere\n"),
        &["E0001"],
    );
    rejected(
        "self_alias",
        &format!("{HEAD}constants: &x [*x]\n"),
        &["E0001"],
    );
    finish();
}

#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_huge_numbers() {
    let c = |v: &str| format!("{HEAD}constants:\n  - name: BIG\n    value: {v}\n");
    rejected(
        "value_30_digits",
        &c("999999999999999999999999999999"),
        &["E0001", "E0201"],
    );
    rejected(
        "value_30_digits_quoted",
        &c("\"999999999999999999999999999999\""),
        &["E0201"],
    );
    rejected(
        "value_negative_huge",
        &c("-99999999999999999999999"),
        &["E0001", "E0201"],
    );
    rejected("value_float", &c("1.5e300"), &["E0001", "E0201"]);
    rejected("value_inf", &c(".inf"), &["E0001", "E0201"]);
    rejected("value_nan", &c(".nan"), &["E0001", "E0201"]);
    rejected(
        "value_i128_overflow",
        &c("\"18446744073709551615 * 18446744073709551615 * 18446744073709551615\""),
        &["E0204"],
    );
    // C's values fit in 64 bits: past them is an overflow of the expression's type.
    rejected("value_past_u64", &c("\"1ULL << 63 << 1\""), &["E0204"]);
    rejected(
        "value_past_s8",
        &format!("{HEAD}constants:\n  - {{ name: B, value: -129, type: s8 }}\n"),
        &["E0205"],
    );
    rejected("shift_by_1000", &c("\"1 << 1000\""), &["E0204"]);
    rejected("shift_negative", &c("\"1 << -1\""), &["E0204"]);
    rejected("divide_by_zero", &c("\"1 / (2 - 2)\""), &["E0204"]);
    rejected("modulo_by_zero", &c("\"1 % 0\""), &["E0204"]);
    rejected(
        "u8_too_big",
        &format!("{HEAD}constants:\n  - {{ name: B, value: 256, type: u8 }}\n"),
        &["E0205"],
    );

    let bit = |b: &str| {
        format!("{HEAD}flags:\n  - name: f\n    bits:\n      - {{ name: F_A, bit: {b} }}\n")
    };
    rejected("bit_1000", &bit("1000"), &["E0204"]);
    rejected("bit_negative", &bit("-1"), &["E0204"]);
    rejected(
        "bit_huge",
        &bit("99999999999999999999999999"),
        &["E0001", "E0201"],
    );
    rejected("bit_64", &bit("64"), &["E0204"]);

    let arr = |t: &str| {
        format!("{HEAD}structs:\n  - name: s\n    fields:\n      - {{ name: a, type: \"{t}\" }}\n")
    };
    rejected(
        "array_1e30_digits",
        &arr("u8[1000000000000000000000000000000]"),
        &["E0104"],
    );
    rejected("array_1e30_float", &arr("u8[1e30]"), &["E0104"]);
    rejected("array_2_pow_62", &arr("u8[1ULL << 62]"), &["E0305"]);
    rejected("array_zero", &arr("u8[0]"), &["E0305"]);
    rejected("array_negative", &arr("u8[-1]"), &["E0305"]);
    rejected("array_8_gib", &arr("u64[1 << 30]"), &["E0306"]);
    rejected("array_unclosed", &arr("u8[[[[[["), &["E0104"]);

    let ioctl = |t: &str, nr: &str| {
        format!("{HEAD}ioctls:\n  - {{ name: IO, dir: none, type: {t}, nr: {nr} }}\n")
    };
    rejected(
        "ioctl_nr_huge",
        &ioctl("1", "999999999999999999999999999999"),
        &["E0001", "E0201"],
    );
    rejected("ioctl_type_256", &ioctl("256", "1"), &["E0401"]);
    rejected("ioctl_nr_negative", &ioctl("1", "-1"), &["E0401"]);
    let big = format!(
        "{HEAD}structs:\n  - name: s\n    fields:\n      - {{ name: a, type: \"u8[100000]\" }}\n\
         ioctls:\n  - {{ name: IO, dir: read, type: 1, nr: 1, arg: struct s }}\n"
    );
    rejected("ioctl_arg_too_big", &big, &["E0402"]);
    rejected(
        "enum_past_u32",
        &format!("{HEAD}enums:\n  - values:\n      - {{ name: E, value: 4294967296 }}\n"),
        &["E0205"],
    );
    finish();
}

#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_very_long_strings() {
    let five_mb = 5 << 20;
    // (A 5 MB module name that is an identifier: `long_module_name`.)
    // A 5 MB name that is not even an identifier.
    let name = "a b".repeat(five_mb / 3);
    rejected(
        "name_5mb_words",
        &format!("name: {name}\nheader: linux/x.h\n"),
        &["E0001", "E0102"],
    );
    // A 5 MB constant name, struct name, header path, expression and type string.
    let long = "A".repeat(five_mb);
    let _ = hostile(
        "constant_name_5mb",
        &format!("{HEAD}constants:\n  - {{ name: {long}, value: 1 }}\n"),
        Expect::Either,
    );
    let _ = hostile(
        "header_5mb",
        &format!("name: x\nheader: linux/{}.h\n", "h".repeat(five_mb)),
        Expect::Either,
    );
    rejected(
        "expression_5mb",
        &format!(
            "{HEAD}constants:\n  - {{ name: A, value: \"{}\" }}\n",
            "1 + ".repeat(five_mb / 4) + "1"
        ),
        &["E0201"],
    );
    // (A 5 MB type string of pointer stars: `deep_pointers`.)
    // A 20 MB file is refused before parsing.
    let text = format!("{HEAD}doc: \"{}\"\n", "x".repeat(20 << 20));
    rejected("file_20mb", &text, &["E0001"]);
    // A 5 MB string constant with a quote in it.
    let text = format!(
        "{HEAD}constants:\n  - {{ name: S, string: \"{}\\u0000\" }}\n",
        "s".repeat(five_mb)
    );
    rejected("string_constant_5mb_nul", &text, &["E0205"]);
    finish();
}

#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_invalid_utf8_files() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let cases: [(&str, Vec<u8>); 4] = [
        (
            "bad_utf8_first_line",
            b"name: a\xff\xfe\nheader: linux/a.h\n".to_vec(),
        ),
        (
            "bad_utf8_third_line",
            b"name: a\nheader: linux/a.h\ndoc: \"caf\xc3\x28\"\n".to_vec(),
        ),
        ("bad_utf8_only", vec![0xff; 1000]),
        (
            "bad_utf8_truncated_sequence",
            b"name: a\nheader: linux/a.h\ndoc: \xe6\x97".to_vec(),
        ),
    ];
    for (case, bytes) in cases {
        let p = dir.path().join(format!("{case}.yaml"));
        std::fs::write(&p, &bytes).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let (r, work) = counted(|| uapigen::compile_file(&p));
        let Err(d) = r else {
            panic!("{case}: invalid UTF-8 accepted");
        };
        check_diagnostics(case, &d);
        assert!(
            d.list.iter().any(|x| x.code.as_str() == "E0001"),
            "{case}: {}",
            d.plain()
        );
        println!(
            "{case:<40} {:>9} bytes  {work}  {}",
            bytes.len(),
            d.plain().trim()
        );
        within_peak(case, work);
    }
    // A file that is not there, and a directory.
    let Err(d) = uapigen::compile_file(dir.path().join("missing.yaml")) else {
        panic!("a missing file compiled");
    };
    check_diagnostics("missing_file", &d);
    let Err(d) = uapigen::compile_file(dir.path()) else {
        panic!("a directory compiled");
    };
    check_diagnostics("directory", &d);
    finish();
}

#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_malformed_documents() {
    rejected(
        "duplicate_top_key",
        "name: a\nname: b\nheader: linux/a.h\n",
        &["E0001"],
    );
    rejected(
        "duplicate_nested_key",
        &format!("{HEAD}constants:\n  - {{ name: A, name: B, value: 1 }}\n"),
        &["E0001"],
    );
    rejected(
        "duplicate_key_1000_times",
        &format!("{HEAD}{}", "doc: x\n".repeat(1000)),
        &["E0001"],
    );
    rejected(
        "tab_indentation",
        &format!("{HEAD}constants:\n\t- {{ name: A, value: 1 }}\n"),
        &["E0001"],
    );
    rejected(
        "tab_in_mapping",
        &format!("{HEAD}constants:\n  - name: A\n\tvalue: 1\n"),
        &["E0001"],
    );
    rejected(
        "odd_indentation",
        &format!("{HEAD}constants:\n  - name: A\n     value: 1\n   - name: B\n"),
        &["E0001"],
    );
    rejected("empty_file", "", &["E0001"]);
    rejected("only_whitespace", "   \n\n\t\n", &["E0001"]);
    rejected("only_comment", "# nothing\n", &["E0001"]);
    rejected("only_document_marker", "---\n...\n", &["E0001"]);
    rejected("null_document", "~\n", &["E0001"]);
    rejected("two_documents", &format!("{HEAD}---\n{HEAD}"), &["E0001"]);
    rejected("list_instead_of_mapping", "- a\n- b\n", &["E0001"]);
    rejected("scalar_document", "hello\n", &["E0001"]);
    rejected("number_document", "42\n", &["E0001"]);
    rejected("missing_header", "name: a\n", &["E0001"]);
    rejected(
        "wrong_kind_of_value",
        &format!("{HEAD}constants: {{ name: A }}\n"),
        &["E0001"],
    );
    rejected("unknown_key", &format!("{HEAD}constantz: []\n"), &["E0001"]);
    rejected(
        "yaml_tags",
        &format!("{HEAD}constants: !!binary aGVsbG8=\n"),
        &["E0001"],
    );
    rejected("bom_then_list", "\u{feff}- a\n", &["E0001"]);
    rejected(
        "nul_in_name",
        "name: \"a\\0b\"\nheader: linux/a.h\n",
        &["E0001", "E0102"],
    );
    rejected(
        "control_characters",
        "name: a\u{1}\u{2}\u{7f}\nheader: linux/a.h\n",
        &["E0001", "E0102"],
    );
    finish();
}

/// A few KB of pseudo-random bytes (xorshift, fixed seed), as text and as a file.
#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_binary_blobs() {
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let mut bytes = Vec::with_capacity(64 << 10);
    for _ in 0..(64 << 10) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.push((x >> 24) as u8);
    }
    let lossy = String::from_utf8_lossy(&bytes).into_owned();
    rejected("blob_64k_lossy", &lossy, &["E0001"]);
    // Printable noise of YAML punctuation.
    let punct = b"[]{}:,-?&*!|>'\"%@` \n\t#abc";
    let noise: String = bytes
        .iter()
        .map(|b| punct[usize::from(*b) % punct.len()] as char)
        .collect();
    let _ = hostile("punctuation_noise_64k", &noise, Expect::Err);
    // The same blob appended to a valid head.
    let text = format!("{HEAD}doc: {lossy}");
    let _ = hostile("valid_head_then_blob", &text, Expect::Err);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let p = dir.path().join("blob.yaml");
    std::fs::write(&p, &bytes).unwrap_or_else(|e| panic!("{e}"));
    let (r, work) = counted(|| uapigen::compile_file(&p));
    let Err(d) = r else {
        panic!("a binary blob compiled");
    };
    check_diagnostics("blob_file", &d);
    within_peak("blob_file", work);
    // An ELF header and NUL bytes as text.
    let elf = "\u{7f}ELF\u{2}\u{1}\u{1}\0\0\0\0\0\0\0\0\0";
    rejected("elf_header", elf, &["E0001"]);
    rejected("nul_bytes", &"\0".repeat(4096), &["E0001"]);
    finish();
}

/// `depth` levels of inline structs and unions, alternating.
fn nested_inline(depth: usize) -> String {
    let mut text = format!("{HEAD}structs:\n  - name: outer\n    fields:\n");
    for d in 0..depth {
        let ind = " ".repeat(6 + 4 * d);
        let kind = if d % 2 == 0 { "struct" } else { "union" };
        let _ = writeln!(text, "{ind}- {{ name: x{d}, type: u32 }}");
        let _ = writeln!(
            text,
            "{ind}- name: n{d}\n{ind}  type: {kind}\n{ind}  fields:"
        );
    }
    let ind = " ".repeat(6 + 4 * depth);
    let _ = writeln!(text, "{ind}- {{ name: leaf, type: u64 }}");
    text
}

#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_deeply_nested_inline_types() {
    rejected("inline_200_levels", &nested_inline(200), &["E0001"]);
    rejected("inline_1000_levels", &nested_inline(1000), &["E0001"]);
    // As deep as the YAML budget lets through: compiles, and renders.
    let _ = hostile("inline_20_levels", &nested_inline(20), Expect::Either);
    // Anonymous members all the way down.
    let mut text = format!("{HEAD}structs:\n  - name: outer\n    fields:\n");
    for d in 0..25 {
        let ind = " ".repeat(6 + 4 * d);
        let _ = writeln!(text, "{ind}- {{ name: y{d}, type: u8 }}");
        let _ = writeln!(text, "{ind}- type: union\n{ind}  fields:");
    }
    let _ = writeln!(text, "{}- {{ name: leaf, type: u8 }}", " ".repeat(6 + 100));
    let _ = hostile("anonymous_25_levels", &text, Expect::Either);
    finish();
}

#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_long_chains_of_constants() {
    let n = 1250;
    // Each refers to the one before: shallow to evaluate in order.
    scales("constant_chain_forward", n, Expect::Either, &[], |n| {
        let mut text = format!("{HEAD}constants:\n  - {{ name: C0, value: 1 }}\n");
        for i in 1..n {
            let _ = writeln!(text, "  - {{ name: C{i}, value: \"C{} + 1\" }}", i - 1);
        }
        text
    });
    // Each refers to the one after: the first one needs the whole chain.
    scales("constant_chain_backward", n, Expect::Either, &[], |n| {
        let mut text = format!("{HEAD}constants:\n");
        for i in 0..n - 1 {
            let _ = writeln!(text, "  - {{ name: C{i}, value: \"C{} + 1\" }}", i + 1);
        }
        let _ = writeln!(text, "  - {{ name: C{}, value: 1 }}", n - 1);
        text
    });
    // A cycle through all of them.
    scales("constant_cycle", n, Expect::Err, &["E0203", "E0204"], |n| {
        let mut text = format!("{HEAD}constants:\n");
        for i in 0..n {
            let _ = writeln!(
                text,
                "  - {{ name: C{i}, value: \"C{} + 1\" }}",
                (i + 1) % n
            );
        }
        text
    });
    // Enumerators counting up from the one before (implicit values).
    scales("enum_implicit", n, Expect::Either, &[], |n| {
        let mut text = format!("{HEAD}enums:\n  - values:\n");
        for i in 0..n {
            let _ = writeln!(text, "      - {{ name: E{i} }}");
        }
        text
    });
    // Every constant refers to all earlier ones.
    let mut text = format!("{HEAD}constants:\n  - {{ name: D0, value: 1 }}\n");
    for i in 1..300 {
        let refs: Vec<String> = (0..i).map(|k| format!("D{k}")).collect();
        let _ = writeln!(
            text,
            "  - {{ name: D{i}, value: \"({}) & 1\" }}",
            refs.join(" | ")
        );
    }
    let _ = hostile("fan_in_300", &text, Expect::Either);
    // Each constant named by the next: the C header printed each name's value after a scan
    // of every constant (16,000 constants: 0.8 s of a 0.25 s run).
    scales_in_instructions("constant_chain", 500, Stage::RenderC);
    finish();
}

#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_long_chains_of_structs() {
    // Each struct embeds the one before it (see `struct_chain_forward` for the other way).
    scales("struct_chain_backward", 625, Expect::Either, &[], |n| {
        shape("struct_chain_backward", n)
    });
    // A cycle through all the structs.
    scales("struct_cycle", 1250, Expect::Err, &["E0304"], |n| {
        let mut text = format!("{HEAD}structs:\n");
        for i in 0..n {
            let _ = writeln!(
                text,
                "  - {{ name: s{i}, fields: [{{ name: next, type: struct s{} }}] }}",
                (i + 1) % n
            );
        }
        text
    });
    // Arrays doubling the size at each step: 2^40 bytes after 40 steps.
    let mut text =
        format!("{HEAD}structs:\n  - {{ name: t0, fields: [{{ name: a, type: u64 }}] }}\n");
    for i in 1..60 {
        let _ = writeln!(
            text,
            "  - {{ name: t{i}, fields: [{{ name: a, type: \"struct t{}[2]\" }}] }}",
            i - 1
        );
    }
    rejected("doubling_60_times", &text, &["E0306"]);
    finish();
}

#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_deeply_nested_expressions() {
    let c = |e: &str| format!("{HEAD}constants:\n  - name: X\n    value: \"{e}\"\n");
    let n = 10_000;
    rejected(
        "parens_10k",
        &c(&format!("{}1{}", "(".repeat(n), ")".repeat(n))),
        &["E0201"],
    );
    rejected(
        "parens_2000",
        &c(&format!("{}1{}", "(".repeat(2000), ")".repeat(2000))),
        &["E0201"],
    );
    rejected("parens_unclosed_10k", &c(&"(".repeat(n)), &["E0201"]);
    rejected("closing_10k", &c(&")".repeat(n)), &["E0201"]);
    rejected(
        "unary_not_4000",
        &c(&format!("{}1", "~".repeat(4000))),
        &["E0201"],
    );
    rejected(
        "unary_minus_4000",
        &c(&format!("{}1", "- ".repeat(2000))),
        &["E0201"],
    );
    // Alternating precedence levels.
    let ops = ["|", "^", "&", "<<", "+", "*"];
    let mut e = String::from("1");
    let mut i = 0;
    while e.len() < 4000 {
        let _ = write!(e, "{}1", ops[i % ops.len()]);
        i += 1;
    }
    let _ = hostile("mixed_precedence_4000", &c(&e), Expect::Either);
    // The same depth in an array length, an ioctl number and a flag bit.
    let deep = format!("{}1{}", "(".repeat(n), ")".repeat(n));
    rejected(
        "parens_10k_array",
        &format!(
            "{HEAD}structs:\n  - name: s\n    fields:\n      - {{ name: a, type: \"u8[{deep}]\" }}\n"
        ),
        &["E0104", "E0201"],
    );
    rejected(
        "parens_10k_ioctl",
        &format!("{HEAD}ioctls:\n  - {{ name: IO, dir: none, type: 1, nr: \"{deep}\" }}\n"),
        &["E0201"],
    );
    rejected(
        "parens_10k_bit",
        &format!("{HEAD}flags:\n  - name: f\n    bits:\n      - {{ name: F, bit: \"{deep}\" }}\n"),
        &["E0201"],
    );
    finish();
}

/// Many errors at once: every one reported, still in bounded time.
#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_many_errors() {
    let make = |n: usize| {
        let mut text = String::from(HEAD);
        text.push_str("constants:\n");
        for i in 0..n {
            let _ = writeln!(text, "  - {{ name: 9bad{i}, value: \"nope{i} +\" }}");
        }
        text
    };
    scales("errors", 5000, Expect::Err, &["E0102"], make);
    if let Err(d) = hostile("errors_20000_all_reported", &make(20_000), Expect::Err)
        && d.list.len() < 20_000
    {
        problem(format!(
            "errors_20000: only {} errors reported",
            d.list.len()
        ));
    }
    finish();
}

/// Each unknown name gets a "did you mean" hint: linear work even with many of them. Every
/// unknown name is one letter away from a defined one of the same length, so that each
/// hint compares it with every name (the resolver caps the number of such hints).
#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_many_unknown_names() {
    scales("unknown_types", 500, Expect::Err, &["E0103"], |n| {
        let mut text = String::from(HEAD);
        text.push_str("structs:\n");
        for i in 0..n {
            let _ = writeln!(
                text,
                "  - {{ name: s{i:06}, fields: [{{ name: a, type: \"struct t{i:06}\" }}] }}"
            );
        }
        text
    });
    scales("unknown_names", 500, Expect::Err, &["E0202"], |n| {
        let mut text = String::from(HEAD);
        text.push_str("constants:\n");
        for i in 0..n {
            let _ = writeln!(text, "  - {{ name: C{i:06}, value: \"D{i:06} + 1\" }}");
        }
        text
    });
    finish();
}

/// Array sizes that overflow 64 bits: a clean E0306, not an overflow.
#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_array_size_overflow() {
    let arr = |t: &str| {
        format!("{HEAD}structs:\n  - name: s\n    fields:\n      - {{ name: a, type: \"{t}\" }}\n")
    };
    rejected(
        "array_product_overflow",
        &arr("u64[4294967296][4294967296][4294967296]"),
        &["E0306"],
    );
    let text = format!(
        "{HEAD}structs:\n  - name: s\n    fields:\n      - {{ name: a, type: u8 }}\n\
         \x20     - {{ name: big, type: \"u8[4294967296][4294967296]\" }}\n\
         \x20     - {{ name: c, type: u64 }}\n"
    );
    rejected("array_overflow_then_field", &text, &["E0306"]);
    finish();
}

/// A 5 MB module name that is a valid identifier: not a usable one (5 MB file names, 5 MB
/// Rust module path, C header guard).
#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_long_module_name() {
    let name = "a".repeat(5 << 20);
    let _ = hostile(
        "name_5mb_identifier",
        &format!("name: {name}\nheader: linux/x.h\n"),
        Expect::Err,
    );
    finish();
}

/// Odd but small inputs that reach each later stage: names, paths, `uses`.
#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_hostile_names_and_paths() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let inner = dir.path().join("spec");
    std::fs::create_dir_all(&inner).unwrap_or_else(|e| panic!("{e}"));
    let at = |name: &str| inner.join(format!("{name}.yaml"));
    let compile_at = |case: &str, path: &Path, text: &str, codes: &[&str]| {
        std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
        let (r, work) = counted(|| uapigen::compile_file(path));
        let Err(d) = r else {
            problem(format!("{case}: accepted"));
            return;
        };
        check_diagnostics(case, &d);
        if !d.list.iter().any(|x| codes.contains(&x.code.as_str())) {
            problem(format!("{case}: expected {codes:?}, got:\n{}", d.plain()));
        }
        within_peak(case, work);
        println!("{case:<40} {}", d.plain().lines().next().unwrap_or(""));
    };
    // `uses` that leave the directory, name itself, or go around in a circle.
    compile_at(
        "uses_parent_path",
        &at("a"),
        "name: a\nheader: linux/a.h\nuses: [\"../../../../../../etc/passwd\"]\n",
        &["E0102", "E0505"],
    );
    compile_at(
        "uses_absolute_path",
        &at("b"),
        "name: b\nheader: linux/b.h\nuses: [\"/etc/passwd\"]\n",
        &["E0102", "E0505"],
    );
    compile_at(
        "uses_itself",
        &at("c"),
        "name: c\nheader: linux/c.h\nuses: [c]\n",
        &["E0505"],
    );
    std::fs::write(at("d2"), "name: d2\nheader: linux/d2.h\nuses: [d1]\n")
        .unwrap_or_else(|e| panic!("{e}"));
    compile_at(
        "uses_cycle",
        &at("d1"),
        "name: d1\nheader: linux/d1.h\nuses: [d2]\n",
        &["E0505"],
    );
    // A used spec that is a binary blob.
    std::fs::write(at("blob"), [0xffu8, 0, 1, 2, 0xfe]).unwrap_or_else(|e| panic!("{e}"));
    compile_at(
        "uses_blob",
        &at("e"),
        "name: e\nheader: linux/e.h\nuses: [blob]\n",
        &["E0505", "E0001"],
    );
    // Bad names and paths.
    let bad = [
        ("header_parent", "name: x\nheader: ../../x.h\n", "E0102"),
        (
            "header_absolute",
            "name: x\nheader: /usr/include/x.h\n",
            "E0102",
        ),
        ("header_not_h", "name: x\nheader: linux/x.c\n", "E0102"),
        (
            "header_empty_part",
            "name: x\nheader: linux//x.h\n",
            "E0102",
        ),
        ("name_keyword", "name: struct\nheader: linux/x.h\n", "E0102"),
        ("name_lib", "name: lib\nheader: linux/x.h\n", "E0102"),
        (
            "name_layout_probe",
            "name: layout_probe\nheader: linux/x.h\n",
            "E0102",
        ),
        (
            "header_backslashes",
            "name: x\nheader: '..\\..\\evil.h'\n",
            "E0102",
        ),
        ("header_no_stem", "name: x\nheader: .h\n", "E0102"),
        ("header_dot_stem", "name: x\nheader: linux/..h\n", "E0102"),
        ("header_option", "name: x\nheader: -rf.h\n", "E0102"),
        ("header_hidden", "name: x\nheader: linux/.x.h\n", "E0102"),
        (
            "name_rust_path_keyword",
            "name: self\nheader: linux/x.h\n",
            "E0102",
        ),
        ("name_upper", "name: Xyz\nheader: linux/x.h\n", "E0102"),
        ("name_digit", "name: 1x\nheader: linux/x.h\n", "E0102"),
        (
            "name_unicode",
            "name: \u{e9}t\u{e9}\nheader: linux/x.h\n",
            "E0102",
        ),
        (
            "guard_bad",
            "name: x\nheader: linux/x.h\nguard: \"A B\"\n",
            "E0102",
        ),
        (
            "prefix_bad",
            "name: x\nheader: linux/x.h\nprefix: \"a-b\"\n",
            "E0102",
        ),
        (
            "rust_name_bad",
            "name: x\nheader: linux/x.h\nconstants:\n  - { name: A, value: 1, rust-name: \"a b\" }\n",
            "E0102",
        ),
        (
            "string_with_nul",
            "name: x\nheader: linux/x.h\nconstants:\n  - { name: S, string: \"a\\u0000b\" }\n",
            "E0205",
        ),
        (
            "empty_struct",
            "name: x\nheader: linux/x.h\nstructs:\n  - { name: s, fields: [] }\n",
            "E0301",
        ),
        (
            "empty_enum",
            "name: x\nheader: linux/x.h\nenums:\n  - values: []\n  - { name: e, values: [] }\n",
            "E0301",
        ),
    ];
    for (case, text, code) in bad {
        let r = hostile(case, text, Expect::Either);
        match r {
            Err(d) => {
                if !d.list.iter().any(|x| x.code.as_str() == code) {
                    problem(format!("{case}: expected {code}, got:\n{}", d.plain()));
                }
            }
            Ok(()) => problem(format!("{case}: accepted")),
        }
    }
    finish();
}

/// Each struct embeds the next one: the layout pass recurses once per struct.
#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_struct_chain_forward() {
    scales("struct_chain_forward", 2500, Expect::Either, &[], |n| {
        shape("struct_chain_forward", n)
    });
    finish();
}

/// A long but flat expression: a left-deep tree of 2000 additions (3999 bytes, under the
/// 4096-byte limit of an expression) is evaluated, printed and dropped recursively.
#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_binary_chain_of_2000_additions() {
    scales("flat_sum", 500, Expect::Either, &[], |n| {
        format!(
            "{HEAD}constants:\n  - name: X\n    value: \"{}\"\n",
            vec!["1"; n].join("+")
        )
    });
    finish();
}

/// An error far into one long line (minified YAML): both renderings must still work.
#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_error_far_into_a_long_line() {
    scales(
        "error_far_into_a_line",
        1000,
        Expect::Err,
        &["E0102"],
        |n| {
            let mut text = format!("{HEAD}constants: [");
            for i in 0..n {
                let _ = write!(text, "{{name: C{i}, value: 1}}, ");
            }
            text.push_str("{name: 1bad, value: 1}]\n");
            text
        },
    );
    // The same through an alias budget breach at the end of a long flow sequence.
    scales(
        "wide_alias_uses",
        15_000,
        Expect::Err,
        &["E0001", "E0505"],
        |n| {
            let mut text = String::from(HEAD);
            text.push_str("doc: &d lol\nuses: [");
            text.push_str(&vec!["*d"; n].join(", "));
            text.push_str("]\n");
            text
        },
    );
    finish();
}

/// Pointers to pointers and arrays of arrays: each `*` or `[N]` is one more level the layout
/// pass, the emitters (and syn, which parses the generated Rust) recurse through.
#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_deep_type_nesting() {
    let field = |stars: usize| {
        format!(
            "{HEAD}structs:\n  - name: s\n    fields:\n      - {{ name: a, type: \"u8{}\" }}\n",
            "*".repeat(stars)
        )
    };
    let _ = hostile("pointer_10_levels", &field(10), Expect::Either);
    let _ = hostile("pointer_200_levels", &field(200), Expect::Either);
    // Rejected or handled without recursion: either is fine, a crash is not.
    let _ = hostile("pointer_5mb_of_stars", &field(5 << 20), Expect::Either);
    let dims = |n: usize| format!("u8{}", "[1]".repeat(n));
    let _ = hostile(
        "array_10_dimensions",
        &field(0).replace("u8", &dims(10)),
        Expect::Either,
    );
    let _ = hostile(
        "array_10k_dimensions",
        &field(0).replace("u8", &dims(10_000)),
        Expect::Either,
    );
    finish();
}

/// A diamond of `uses`: three specs per level, each using all three of the level below.
/// Reached through every path, the bottom spec would be compiled 3^depth times; compiled
/// once per run, the work grows with the number of files: each three more levels add the
/// same work.
#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_diamond_of_uses() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let mut works = Vec::new();
    for depth in [3usize, 6, 9, 12] {
        let sub = dir.path().join(format!("d{depth}"));
        std::fs::create_dir_all(&sub).unwrap_or_else(|e| panic!("{e}"));
        for level in 0..depth {
            for k in 0..3 {
                let name = format!("l{level}_{k}");
                let mut text = format!("name: {name}\nheader: linux/{name}.h\n");
                if level + 1 < depth {
                    let used: Vec<String> = (0..3).map(|j| format!("l{}_{j}", level + 1)).collect();
                    let _ = writeln!(text, "uses: [{}]", used.join(", "));
                }
                let _ = writeln!(
                    text,
                    "constants:\n  - {{ name: C_{}, value: {level} }}",
                    name.to_ascii_uppercase()
                );
                std::fs::write(sub.join(format!("{name}.yaml")), text)
                    .unwrap_or_else(|e| panic!("{e}"));
            }
        }
        let (r, work) = counted(|| uapigen::compile_file(sub.join("l0_0.yaml")));
        if let Err(d) = r {
            problem(format!("diamond_{depth}: {}", d.plain()));
        }
        println!("diamond_{depth:<32} {:>9} files  {work}", 3 * depth);
        works.push(work);
    }
    // Three more levels cost the same at the bottom of the diamond as at its top: the
    // growth is linear (compiled once per path, each step would cost three times the last).
    let step = |i: usize| works[i + 1].allocs.saturating_sub(works[i].allocs) as f64;
    let growth = step(2) / step(0).max(1.0);
    println!("diamond: the last three levels took {growth:.2}x the allocations of the first three");
    if growth > 1.5 {
        problem(format!(
            "diamond: the levels 9 to 12 took {growth:.2}x the allocations of the levels 3 to 6 \
             (at most 1.5x): a used spec is compiled once per path, not once per run"
        ));
    }
    finish();
}

/// [`shapes::shape`], a missing shape a problem of the run.
fn shape(name: &str, n: usize) -> String {
    shapes::shape(name, n).unwrap_or_else(|| {
        problem(format!("no input shape `{name}`"));
        String::new()
    })
}

/// What [`instructions`] counts, by stage: `compile` compiles `text`, `lint` also lints the
/// model, `resolve` only resolves the parsed spec (the parse is not counted: for shapes whose
/// linear parse would hide a quadratic lookup in resolving), `compat` compares the compiled
/// spec with itself, `render-c` renders the C header and the assertion file (the compile is
/// not counted by either).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Stage {
    Compile,
    Lint,
    Resolve,
    Compat,
    RenderC,
}

impl Stage {
    fn name(self) -> &'static str {
        match self {
            Stage::Compile => "compile",
            Stage::Lint => "lint",
            Stage::Resolve => "resolve",
            Stage::Compat => "compat",
            Stage::RenderC => "render-c",
        }
    }

    fn named(name: &str) -> Stage {
        match name {
            "lint" => Stage::Lint,
            "resolve" => Stage::Resolve,
            "compat" => Stage::Compat,
            "render-c" => Stage::RenderC,
            _ => Stage::Compile,
        }
    }
}

/// What [`instructions`] counts for [`Stage::Compile`] and [`Stage::Lint`].
#[inline(never)]
fn measured(text: &str, lint: bool) -> usize {
    match uapigen::compile_str("spec/measured.yaml", text) {
        Ok(m) if lint => uapigen::lint::lint(&m).map_or(0, |f| f.len()),
        Ok(_) => 0,
        Err(d) => d.list.len(),
    }
}

/// What [`instructions`] counts for [`Stage::Resolve`]: resolving a parsed spec.
#[inline(never)]
fn measured_resolve(
    spec: &uapigen::spec::Spec,
    file: std::sync::Arc<uapigen::SourceFile>,
) -> usize {
    match uapigen::resolve::resolve_with(spec, file, &[]) {
        Ok(m) => m.types.len(),
        Err(d) => d.list.len(),
    }
}

/// What [`instructions`] counts for [`Stage::Compat`]: comparing two compiled specs.
#[inline(never)]
fn measured_compat(old: &Model, new: &Model) -> usize {
    uapigen::compat::compare(old, new).len()
}

/// What [`instructions`] counts for [`Stage::RenderC`]: the C header and assertions, on
/// this thread (the Rust module is rendered on several).
#[inline(never)]
fn measured_render_c(model: &Model) -> usize {
    uapigen::emit::c::header(model).len() + uapigen::emit::c::asserts(model).len()
}

/// The functions whose instructions callgrind counts (`--toggle-collect`), by stage.
fn measured_fn(stage: Stage) -> &'static str {
    match stage {
        Stage::Resolve => "hostile::measured_resolve",
        Stage::Compat => "hostile::measured_compat",
        Stage::RenderC => "hostile::measured_render_c",
        _ => "hostile::measured",
    }
}

/// Run by [`instructions`] under callgrind: the stage the environment names on its shape.
#[test]
#[ignore = "run under callgrind by the tests that count instructions"]
fn child_measured() {
    let Ok(name) = std::env::var("UAPIGEN_HOSTILE_SHAPE") else {
        return;
    };
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    let text = shape(&name, var("UAPIGEN_HOSTILE_N").parse().unwrap_or(0));
    let found = match Stage::named(&var("UAPIGEN_HOSTILE_STAGE")) {
        Stage::Resolve => {
            let file = std::sync::Arc::new(uapigen::SourceFile::new(
                "spec/measured.yaml",
                text.as_str(),
            ));
            match uapigen::parse::parse(&file) {
                Ok(spec) => measured_resolve(&spec, file),
                Err(d) => {
                    problem(format!("{name}: does not parse: {}", d.plain()));
                    0
                }
            }
        }
        stage @ (Stage::Compat | Stage::RenderC) => {
            match uapigen::compile_str("spec/measured.yaml", &text) {
                Ok(m) if stage == Stage::Compat => measured_compat(&m, &m),
                Ok(m) => measured_render_c(&m),
                Err(d) => {
                    problem(format!("{name}: does not compile: {}", d.plain()));
                    0
                }
            }
        }
        stage => measured(&text, stage == Stage::Lint),
    };
    println!("{name}: {found} diagnostics, findings or types");
    finish();
}

/// The instructions of `stage` on `shape` at size `n`, counted by callgrind in a child
/// process (this test binary again, running [`child_measured`]): deterministic, and it sees
/// work that does not allocate.
fn instructions(shape: &str, n: usize, stage: Stage) -> u64 {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("current_exe: {e}"));
    let out = std::process::Command::new("valgrind")
        .args([
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            "--collect-atstart=no",
            &format!("--toggle-collect={}", measured_fn(stage)),
        ])
        .arg(exe)
        .args(["child_measured", "--exact", "--ignored", "--test-threads=1"])
        .env("UAPIGEN_HOSTILE_SHAPE", shape)
        .env("UAPIGEN_HOSTILE_N", n.to_string())
        .env("UAPIGEN_HOSTILE_STAGE", stage.name())
        .output();
    let out = match out {
        Ok(o) => o,
        Err(e) => panic!(
            "cannot run valgrind ({e}): this test counts instructions with callgrind; \
             install valgrind (scripts/install-deps.sh does)"
        ),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let collected = stderr.lines().find_map(|l| {
        let (_, v) = l.split_once("Collected :")?;
        v.trim().replace(',', "").parse::<u64>().ok()
    });
    match collected {
        Some(ir) if stdout.contains("1 passed") && ir > 0 => ir,
        _ => panic!(
            "{shape}_{n}: no instruction count from callgrind ({}):\n{stdout}\n{stderr}",
            out.status
        ),
    }
}

/// [`scales`] in instructions instead of allocations, for work that need not allocate (a
/// scan comparing every item with every other): `stage` at `n` and `4n` under callgrind
/// (valgrind is required: a missing one fails the test, saying so).
fn scales_in_instructions(shape: &str, n: usize, stage: Stage) {
    let small = instructions(shape, n, stage);
    let large = instructions(shape, 4 * n, stage);
    let growth = large as f64 / small.max(1) as f64;
    let what = format!("{shape} ({})", stage.name());
    println!(
        "{what:<40} {small:>12} instructions at {n}, {large:>12} at {}: {growth:.2}x",
        4 * n
    );
    if growth > MAX_GROWTH {
        problem(format!(
            "{what}: worse than linear: from {n} to {} the instructions grow {growth:.2}x \
             (at most {MAX_GROWTH}x)",
            4 * n
        ));
    }
}

/// Many ioctls, linted too: lint's duplicate-number rule (L0107) looks up the first ioctl of
/// each number on each ABI instead of scanning every earlier ioctl (65,536 ioctls took 95 s),
/// with and without findings; and compared by `compat`, which found each ioctl's
/// declarations in the other spec by a scan (16,000 ioctls: 2.1 s, quadratic).
#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_many_ioctls() {
    for name in ["ioctls", "ioctls_twice"] {
        scales_with(name, 1000, Expect::Either, &[], true, |n| shape(name, n));
        // The scan compared numbers without allocating: the instructions show it.
        scales_in_instructions(name, 512, Stage::Lint);
        scales_in_instructions(name, 512, Stage::Compat);
    }
    finish();
}

/// Many payload variants: a union payload of `n` members, each selected by a tag of its own,
/// and a trailing payload of `n` variants. Resolving looked up each variant's member by
/// scanning every member of the union (40,000 variants: 18.7 s); the scan does not
/// allocate, so the instructions show it, and the render is counted in allocations.
#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_many_payload_variants() {
    for name in ["union_payload", "trailing_payload"] {
        scales(name, 250, Expect::Ok, &[], |n| shape(name, n));
        scales_in_instructions(name, 512, Stage::Resolve);
        // compat found each old variant's tag among the new ones by a scan.
        scales_in_instructions(name, 512, Stage::Compat);
    }
    finish();
}

/// Many kinds of fd and many ioctls naming them: each name is looked up in one map (a scan
/// of the kinds per name does not allocate, so the instructions show it), and the fd types'
/// methods are rendered from one pass over the ioctls.
#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_many_fd_kinds() {
    scales("fd_kinds", 250, Expect::Ok, &[], |n| shape("fd_kinds", n));
    scales_in_instructions("fd_kinds", 512, Stage::Resolve);
    finish();
}

/// Function-like macros and `includes`: many macros, one macro of many parameters (each
/// call of a fact writes them all), many includes with repeats (E0506 for each): linear.
#[test]
#[ignore = "run in a child process by the test of the same name without `child_`"]
fn child_many_macros_and_includes() {
    scales("macros", 250, Expect::Ok, &[], |n| shape("macros", n));
    // compat found each old macro among the new ones by a scan.
    scales_in_instructions("macros", 256, Stage::Compat);
    scales("macro_params", 250, Expect::Ok, &[], |n| {
        shape("macro_params", n)
    });
    scales("includes", 500, Expect::Err, &["E0506"], |n| {
        shape("includes", n)
    });
    finish();
}

/// Run the ignored test `child` of this binary in a child process, so that a crash (a stack
/// overflow aborts the process) fails only the calling test, with the child's output.
fn in_child(child: &str) {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("current_exe: {e}"));
    let out = std::process::Command::new(exe)
        .args([
            child,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .output()
        .unwrap_or_else(|e| panic!("cannot run the child process: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for l in stdout.lines() {
        // The harness prints `test child_x ... ` and the child's first line after it.
        let l = match l.strip_prefix(&format!("test {child} ... ")) {
            Some(rest) => rest,
            None => l,
        };
        let noise = ["running ", "test ", "successes:", "failures:", "---- "];
        if !l.trim().is_empty() && !noise.iter().any(|n| l.starts_with(n)) {
            println!("    {l}");
        }
    }
    assert!(
        stdout.contains("1 passed"),
        "{child} failed in its child process ({}):\n{}\n{}",
        out.status,
        stdout
            .lines()
            .rev()
            .take(30)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n"),
        stderr.lines().take(40).collect::<Vec<_>>().join("\n")
    );
}

macro_rules! in_children {
    ($($test:ident => $child:ident,)*) => {
        $(
            #[test]
            fn $test() {
                in_child(stringify!($child));
            }
        )*
    };
}

in_children! {
    deep_nesting_of_flow_collections => child_deep_nesting_of_flow_collections,
    deep_nesting_of_block_mappings => child_deep_nesting_of_block_mappings,
    alias_bombs => child_alias_bombs,
    huge_numbers => child_huge_numbers,
    very_long_strings => child_very_long_strings,
    invalid_utf8_files => child_invalid_utf8_files,
    malformed_documents => child_malformed_documents,
    binary_blobs => child_binary_blobs,
    deeply_nested_inline_types => child_deeply_nested_inline_types,
    long_chains_of_constants => child_long_chains_of_constants,
    long_chains_of_structs => child_long_chains_of_structs,
    struct_chain_forward => child_struct_chain_forward,
    many_unknown_names => child_many_unknown_names,
    array_size_overflow => child_array_size_overflow,
    long_module_name => child_long_module_name,
    deep_type_nesting => child_deep_type_nesting,
    deeply_nested_expressions => child_deeply_nested_expressions,
    binary_chain_of_2000_additions => child_binary_chain_of_2000_additions,
    error_far_into_a_long_line => child_error_far_into_a_long_line,
    many_errors => child_many_errors,
    hostile_names_and_paths => child_hostile_names_and_paths,
    diamond_of_uses => child_diamond_of_uses,
    many_ioctls => child_many_ioctls,
    many_payload_variants => child_many_payload_variants,
    many_macros_and_includes => child_many_macros_and_includes,
    many_fd_kinds => child_many_fd_kinds,
}
