//! Everything `check` accepts generates output that gcc and rustc accept ([harden] 3): the
//! specs of `tests/fixtures/hostile_output/` (one per class of name, string and doc that
//! once broke the output) and specs a deterministic generator draws from the same classes
//! (Rust keywords raw and not, `self`/`crate`/`super`, underscores, primitive type names,
//! names that collide with generated ones, strings with quotes, backslashes and trigraphs,
//! docs with comment ends, trigraphs, bidi controls and bare carriage returns).
//!
//! A spec may be rejected (then with complete diagnostics); an accepted one is rendered as
//! the checked-in crate renders (`OutputDirs::crate_layout`: C headers, validation headers,
//! assertion files, Rust modules with C-name aliases behind `c-names` and the probe tables
//! behind `layout-probe`), and:
//! - each spec's C is one gcc run, `-std=c90 -Wall -Werror -fsyntax-only`, no libc: its
//!   header included twice, its validation header, and its assertion file;
//! - all accepted specs' Rust is one crate, built once with every feature and
//!   `-D warnings` (`cargo rustc`, so only the generated crate gets the flag).

use std::fmt::Write as _;
use std::path::PathBuf;

use uapigen_tests::accepted::{self, Accepted};
use uapigen_tests::{Rng, root};

/// Random specs per run (more with `UAPIGEN_HOSTILE_SPECS`).
const SPECS: u64 = 200;

struct Case {
    label: String,
    text: String,
}

fn fixtures() -> Vec<Case> {
    let dir = root().join("tests/fixtures/hostile_output");
    let mut out: Vec<Case> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| Case {
            label: p.display().to_string(),
            text: std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
        })
        .collect();
    out.sort_by(|a, b| a.label.cmp(&b.label));
    assert!(out.len() >= 20, "hostile fixtures: {}", out.len());
    out
}

/// The random names of one spec.
trait Names {
    fn name(&mut self, used: &mut Vec<&'static str>) -> &'static str;
}

impl Names for Rng {
    /// A name of the classes, mostly one not drawn before in this spec (some repeats, to
    /// reach the clash checks).
    fn name(&mut self, used: &mut Vec<&'static str>) -> &'static str {
        for _ in 0..20 {
            let n = if self.chance(1) {
                *self.pick(C_BAD)
            } else {
                *self.pick(NAMES)
            };
            if !used.contains(&n) || self.chance(5) {
                used.push(n);
                return n;
            }
        }
        "fallback_name"
    }
}

/// Names of every class that once broke an output (all valid C names).
const NAMES: &[&str] = &[
    "match",
    "type",
    "fn",
    "loop",
    "move",
    "ref",
    "dyn",
    "async",
    "gen",
    "yield",
    "self",
    "Self",
    "crate",
    "super",
    "_",
    "__",
    "___",
    "_x",
    "__x",
    "x_",
    "u32",
    "i8",
    "str",
    "usize",
    "u128",
    "f64",
    "drop",
    "self2",
    "data",
    "Data",
    "DATA",
    "ok",
    "Ok",
    "None",
    "Some",
    "Result",
    "Option",
    "core",
    "std",
    "payload",
    "x_payload",
    "x_cap",
    "iter",
    "len",
    "new_",
    "from",
    "into",
    "A",
    "a",
    "B1",
    "b_1",
    "Type",
    "TYPE",
    "r",
    "rb",
];

/// Names C rejects (keywords of C and C++), drawn now and then.
const C_BAD: &[&str] = &[
    "char", "class", "new", "this", "bool", "int", "struct", "true",
];

/// Texts of strings and docs that once broke an output.
const TEXTS: &[&str] = &[
    "a\"b",
    "back\\slash",
    "ends with a backslash\\",
    "a\\x41\\n",
    "what??/",
    "??= ??( ??) ??< ??> ??! ??' ??- ??/",
    "percent %d %s",
    "tab\there",
    "caf\u{e9}",
    "comment */ end",
    "/* open",
    "// line",
    "bidi \u{202e}reversed\u{202c}",
    "zero width \u{200b} space",
    "bare\rreturn",
    "crlf\r\nline",
    "two\n\nparagraphs",
    "trailing spaces   ",
    "`code` and [link] and <b>html</b> and # heading",
    "#define X 1",
    "*/ /*",
    "\\",
    "'single'",
];

/// A text of the classes.
fn text(r: &mut Rng) -> &'static str {
    r.pick::<&str>(TEXTS)
}

fn yaml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || (0x7f..0xa0).contains(&(c as u32)) || c as u32 > 0x7e => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One random spec: a few items of every kind, named and documented from the classes.
fn random_spec(seed: u64) -> String {
    let mut r = Rng::new(seed);
    let mut t = format!("name: hg{seed}\nheader: linux/hg{seed}.h\n");
    let mut used = Vec::new();
    if r.chance(50) {
        let _ = writeln!(t, "doc: {}", yaml_str(text(&mut r)));
    }
    let doc = |r: &mut Rng| {
        if r.chance(60) {
            format!(", doc: {}", yaml_str(text(r)))
        } else {
            String::new()
        }
    };
    // The same, as lines of a block mapping at `indent`.
    let block = |_: &mut Rng, indent: &str, flow: String| -> String {
        flow.split(", ")
            .filter(|kv| !kv.is_empty())
            .map(|kv| format!("\n{indent}{kv}"))
            .collect()
    };
    let rust_name = |r: &mut Rng| {
        if r.chance(8) {
            let n = *r.pick(NAMES);
            let raw = if r.chance(50) { "r#" } else { "" };
            format!(", rust-name: \"{raw}{n}\"")
        } else {
            String::new()
        }
    };
    t.push_str("constants:\n");
    for i in 0..3 {
        let n = r.name(&mut used);
        if r.chance(30) {
            let _ = writeln!(
                t,
                "  - {{ name: {n}, string: {}{} }}",
                yaml_str(text(&mut r)),
                doc(&mut r)
            );
        } else {
            let _ = writeln!(
                t,
                "  - {{ name: {n}, value: {}{}{} }}",
                i + 1,
                doc(&mut r),
                rust_name(&mut r)
            );
        }
    }
    if r.chance(60) {
        let set = r.name(&mut used);
        let d = doc(&mut r);
        let _ = writeln!(
            t,
            "flags:\n  - name: {set}{}\n    bits:",
            block(&mut r, "    ", d)
        );
        for b in 0..2 {
            let _ = writeln!(
                t,
                "      - {{ name: {}, bit: {b}{} }}",
                r.name(&mut used),
                doc(&mut r)
            );
        }
    }
    if r.chance(50) {
        let e = r.name(&mut used);
        let d = doc(&mut r);
        let _ = writeln!(
            t,
            "enums:\n  - name: {e}{}\n    values:",
            block(&mut r, "    ", d)
        );
        for _ in 0..2 {
            let _ = writeln!(
                t,
                "      - {{ name: {}{} }}",
                r.name(&mut used),
                doc(&mut r)
            );
        }
    }
    t.push_str("structs:\n");
    let s = r.name(&mut used);
    let kind = if r.chance(30) { ", kind: union" } else { "" };
    let extra = format!("{kind}{}{}", doc(&mut r), rust_name(&mut r));
    let _ = writeln!(
        t,
        "  - name: {s}{}\n    fields:",
        block(&mut r, "    ", extra)
    );
    for _ in 0..3 {
        let _ = writeln!(
            t,
            "      - {{ name: {}, type: u32{}{} }}",
            r.name(&mut used),
            doc(&mut r),
            rust_name(&mut r)
        );
    }
    if r.chance(40) {
        let count = if r.chance(90) {
            format!("\n      - {{ name: {}, type: u32 }}", r.name(&mut used))
        } else {
            String::new()
        };
        let _ = writeln!(
            t,
            "  - name: {}\n    fields:{count}\n      - {{ name: {}, type: \"u8[]\" }}",
            r.name(&mut used),
            r.name(&mut used)
        );
    }
    t.push_str("ioctls:\n");
    for nr in 0..2 {
        let dir = *r.pick(&["none", "read", "write", "read-write"]);
        let arg = if dir == "none" {
            String::new()
        } else {
            format!(
                ", arg: {kind_word} {s}",
                kind_word = if kind.is_empty() { "struct" } else { "union" }
            )
        };
        let _ = writeln!(
            t,
            "  - {{ name: {}, dir: {dir}, type: 1, nr: {nr}{arg}{} }}",
            r.name(&mut used),
            doc(&mut r)
        );
    }
    t
}

/// The C of one spec as one translation unit: the header twice, the validation header, the
/// assertion file.
#[test]
fn accepted_specs_compile_with_gcc_and_rustc() {
    let n: u64 = std::env::var("UAPIGEN_HOSTILE_SPECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(SPECS);
    let mut cases = fixtures();
    let fixture_count = cases.len();
    cases.extend((1..=n).map(|seed| Case {
        label: format!("random spec of seed {seed}"),
        text: random_spec(seed),
    }));

    let mut models = Vec::new();
    let mut rejected = 0;
    let mut problems = Vec::new();
    for c in &cases {
        let path = if c.label.ends_with(".yaml") {
            PathBuf::from(&c.label)
        } else {
            PathBuf::from("spec/generated.yaml")
        };
        match uapigen::compile_str(&path, &c.text) {
            Ok(m) => models.push((c, m)),
            Err(d) => {
                rejected += 1;
                if std::env::var_os("UAPIGEN_HOSTILE_SHOW").is_some() {
                    println!("rejected {}: {}", c.label, d.list[0].plain());
                }
                for x in &d.list {
                    if x.span.line < 1 || x.hint.is_none() {
                        problems.push(format!("{}: incomplete diagnostic {}", c.label, x.plain()));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        models.len() >= 20,
        "only {} of {} specs were accepted",
        models.len(),
        cases.len()
    );

    let accepted: Vec<Accepted> = models
        .into_iter()
        .map(|(c, model)| Accepted {
            label: c.label.clone(),
            text: c.text.clone(),
            model,
        })
        .collect();
    let n_accepted = accepted.len();
    let ran = accepted::compile(&accepted, "hostile-output");
    println!(
        "{} specs ({fixture_count} fixtures, {n} random): {n_accepted} accepted, {rejected} rejected; \
         {} gcc runs (one per accepted spec), {} rustc run for all {n_accepted} modules",
        cases.len(),
        ran.as_ref().map_or(0, |r| r.gcc_runs),
        ran.as_ref().map_or(0, |r| r.rustc_runs),
    );
    if let Err(report) = ran {
        panic!("{report}");
    }
}
