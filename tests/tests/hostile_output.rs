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
use std::path::{Path, PathBuf};
use std::process::Command;

use uapigen::Model;
use uapigen_tests::{Compiler, Rng, kernel_only_includes, par_map, root};

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
fn c_unit(model: &Model) -> String {
    let m = &model.module;
    let mut s = format!("#include <{0}>\n#include <{0}>\n", m.header);
    let validate = uapigen::emit::c::validate::header_path(&m.header);
    if uapigen::emit::c::validate::header(model).is_some() {
        let _ = writeln!(s, "#include <{validate}>");
    }
    let _ = writeln!(s, "#include \"{}_layout.c\"", m.name);
    s
}

#[test]
fn accepted_specs_compile_with_gcc_and_rustc() {
    let gcc = Compiler::new("gcc", &[]);
    gcc.require();
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

    // Each accepted spec renders (an error here is an internal error: a bug).
    let dirs = uapigen::files::OutputDirs::crate_layout();
    let mode = uapigen::emit::Mode::Build;
    let render_failures: Vec<String> = models
        .iter()
        .filter_map(|(c, m)| {
            let e = uapigen::files::render(std::slice::from_ref(m), &dirs, mode).err()?;
            Some(format!("{}: {e}\n{}", c.label, c.text))
        })
        .collect();
    assert!(
        render_failures.is_empty(),
        "{} accepted specs do not render:\n{}",
        render_failures.len(),
        render_failures.join("\n")
    );
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let all: Vec<Model> = models.iter().map(|(_, m)| m.clone()).collect();
    let outputs =
        uapigen::files::render(&all, &dirs, mode).unwrap_or_else(|e| panic!("render: {e}"));
    uapigen::files::write_all(dir.path(), &outputs).unwrap_or_else(|e| panic!("write: {e}"));

    // C: one gcc run per spec (their C names may collide with each other's), on both cores.
    let sys = Path::new("/usr/include");
    let kernel = kernel_only_includes(sys, &sys.join("x86_64-linux-gnu"))
        .unwrap_or_else(|e| panic!("kernel headers: {e}"));
    let inc = format!("-I{}", dir.path().join("include").display());
    let inc_k = format!("-I{}", kernel.path().display());
    let inc_layout = format!("-I{}", dir.path().join("layout").display());
    let units: Vec<(String, PathBuf)> = models
        .iter()
        .map(|(c, m)| {
            let p = dir.path().join(format!("unit_{}.c", m.module.name));
            std::fs::write(&p, c_unit(m)).unwrap_or_else(|e| panic!("{e}"));
            (c.label.clone(), p)
        })
        .collect();
    let c_failures: Vec<String> = par_map(&units, |(label, p)| {
        let p = p.display().to_string();
        gcc.run(&[
            "-std=c90",
            "-Wall",
            "-Werror",
            "-nostdinc",
            &inc,
            &inc_k,
            &inc_layout,
            "-fsyntax-only",
            &p,
        ])
        .err()
        .map(|e| format!("{label}:\n{e}"))
    })
    .into_iter()
    .flatten()
    .collect();

    // Rust: every module in one crate, every feature, -D warnings.
    let krate = root().join("target/hostile-output");
    let _ = std::fs::remove_dir_all(krate.join("src"));
    for (rel, text) in outputs.iter().filter(|(p, _)| p.starts_with("src")) {
        let p = krate.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(&p, text).unwrap_or_else(|e| panic!("{e}"));
    }
    let runtime = root().join("runtime").display().to_string();
    std::fs::write(
        krate.join("Cargo.toml"),
        format!(
            "[package]\nname = \"uapigen-hostile-output\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
             publish = false\n\n[features]\nlayout-probe = []\nc-names = []\n\n\
             [dependencies]\nuapigen-runtime = {{ path = {runtime:?} }}\n\n[workspace]\n"
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let lock = root().join("Cargo.lock");
    let _ = std::fs::copy(&lock, krate.join("Cargo.lock"));
    let out = Command::new(env!("CARGO"))
        .args([
            "rustc",
            "--offline",
            "--quiet",
            "--lib",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ])
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", root().join("target/differential"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo: {e}"));
    let rust_errors = String::from_utf8_lossy(&out.stderr).into_owned();

    println!(
        "{} specs ({fixture_count} fixtures, {n} random): {} accepted, {rejected} rejected; \
         {} gcc runs (one per accepted spec), 1 rustc run for all {} modules",
        cases.len(),
        models.len(),
        units.len(),
        models.len()
    );
    let mut report = String::new();
    if !c_failures.is_empty() {
        let _ = writeln!(
            report,
            "{} specs' C fails gcc:\n{}",
            c_failures.len(),
            c_failures.join("\n")
        );
    }
    if !out.status.success() {
        let _ = writeln!(
            report,
            "the Rust of the accepted specs fails rustc -D warnings:\n{rust_errors}"
        );
        for (c, m) in &models {
            if rust_errors.contains(&format!("src/{}.rs", m.module.name)) {
                let _ = writeln!(
                    report,
                    "--- {} (module {}):\n{}",
                    c.label, m.module.name, c.text
                );
            }
        }
    }
    assert!(report.is_empty(), "{report}");
}
