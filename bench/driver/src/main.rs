//! `uapigen-bench`: runs the benchmarks of BENCHMARKS.md side by side, in one run, and
//! writes the report. `scripts/bench.sh` installs what it needs and runs it.
//!
//! Every figure is a median over interleaved runs (A, B, A, B, ...), so that a noisy
//! neighbour slows both sides alike; ratios are of medians from the same run.

mod growth;
mod measure;
mod report;
mod rustc;
mod sections;

use std::path::PathBuf;
use std::process::ExitCode;

/// What the driver needs to find.
pub struct Env {
    /// The repository's root.
    pub root: PathBuf,
    /// `target/release/uapigen` of the main workspace.
    pub uapigen: PathBuf,
    /// bindgen-cli.
    pub bindgen: PathBuf,
    /// Scratch space, removed at the end.
    pub tmp: PathBuf,
    /// Runs per measured figure.
    pub rounds: usize,
    /// Rounds of the cold builds (each compiles every dependency).
    pub build_rounds: usize,
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut out = None;
    let mut quick = false;
    let mut only: Vec<String> = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--out" => out = args.next().map(PathBuf::from),
            "--quick" => quick = true,
            "--only" => only.extend(args.next()),
            "-h" | "--help" => {
                println!(
                    "usage: uapigen-bench [--quick] [--only generation|scaling|growth|builds|rustc|payloads]... [--out FILE]\n\
                     Run from scripts/bench.sh, which installs bindgen-cli and libclang."
                );
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("error: unknown argument `{other}` (see --help)");
                return ExitCode::from(2);
            }
        }
    }
    let root = match std::env::var_os("UAPIGEN_ROOT") {
        Some(r) => PathBuf::from(r),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.."),
    };
    let root = root.canonicalize().unwrap_or(root);
    let bindgen = std::env::var_os("BINDGEN")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("bench/tools/bin/bindgen"));
    let tmp = std::env::temp_dir().join(format!("uapigen-bench-{}", std::process::id()));
    let env = Env {
        uapigen: root.join("target/release/uapigen"),
        bindgen,
        tmp,
        rounds: if quick { 3 } else { 21 },
        build_rounds: if quick { 1 } else { 3 },
        root,
    };
    for (what, p) in [
        ("uapigen (cargo build --release -p uapigen)", &env.uapigen),
        ("bindgen-cli", &env.bindgen),
    ] {
        if !p.exists() {
            eprintln!(
                "error: {what} is missing at {}; run scripts/bench.sh",
                p.display()
            );
            return ExitCode::from(2);
        }
    }
    if let Err(e) = std::fs::create_dir_all(&env.tmp) {
        eprintln!("error: cannot create {}: {e}", env.tmp.display());
        return ExitCode::from(2);
    }
    let want = |s: &str| only.is_empty() || only.iter().any(|o| o == s);
    let mut sections = Vec::new();
    let mut failed = Vec::new();
    type Section = fn(&Env) -> Result<report::Section, String>;
    let all: [(&str, Section); 6] = [
        ("generation", sections::generation),
        ("scaling", sections::scaling),
        ("growth", growth::growth),
        ("builds", sections::builds),
        ("rustc", rustc::rustc),
        ("payloads", sections::payloads),
    ];
    for (name, run) in all {
        if !want(name) {
            continue;
        }
        eprintln!("== {name}");
        match run(&env) {
            Ok(s) => sections.push(s),
            Err(e) => {
                eprintln!("error: benchmark `{name}` failed: {e}");
                failed.push((name.to_owned(), e));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&env.tmp);
    let text = report::render(&env, &sections, &failed, quick);
    let out = out.unwrap_or_else(|| env.root.join("BENCHMARKS.md"));
    if let Err(e) = std::fs::write(&out, text) {
        eprintln!("error: cannot write {}: {e}", out.display());
        return ExitCode::from(2);
    }
    eprintln!("wrote {}", out.display());
    if !failed.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
