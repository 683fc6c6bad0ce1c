//! After a fuzzing run: a bounded sample of what the spec target accepts, through gcc and
//! rustc ([`uapigen_tests::accepted::compile`]). `scripts/fuzz.sh smoke` runs it on the
//! target's seed corpus and the inputs the run found:
//!
//!     fuzz-sample [--max N] DIR...
//!
//! Files are taken in name order (libFuzzer names them by their content's hash, so the
//! sample is deterministic for a given corpus), at most 64 KiB each, valid UTF-8; the first
//! N (default 40) that compile are kept. Each is given a module name and header of its own
//! (`fuzz_<i>`, `linux/fuzz_<i>.h`) so that all fit in one crate. Exit status 1 when any
//! fails a compiler (the report names the input file and quotes it), 2 on bad usage or
//! when no input is accepted (the sample would prove nothing).

use std::path::PathBuf;
use std::process::ExitCode;

use uapigen_tests::accepted::{self, Accepted};

/// Largest input looked at: the fuzzer's inputs are small; a large file is not a sample.
const MAX_INPUT: u64 = 64 << 10;

/// Most files read, accepted or not.
const MAX_SCANNED: usize = 20_000;

fn main() -> ExitCode {
    let mut max = 40usize;
    let mut dirs = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--max" {
            match args.next().and_then(|v| v.parse().ok()) {
                Some(n) => max = n,
                None => {
                    eprintln!("fuzz-sample: --max needs a number");
                    return ExitCode::from(2);
                }
            }
        } else {
            dirs.push(PathBuf::from(a));
        }
    }
    if dirs.is_empty() {
        eprintln!("usage: fuzz-sample [--max N] DIR...");
        return ExitCode::from(2);
    }
    let mut files = Vec::new();
    for d in &dirs {
        match std::fs::read_dir(d) {
            Ok(rd) => files.extend(rd.flatten().map(|e| e.path())),
            Err(e) => {
                eprintln!("fuzz-sample: {}: {e}", d.display());
                return ExitCode::from(2);
            }
        }
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    files.dedup_by(|a, b| a.file_name() == b.file_name());
    let mut specs = Vec::new();
    let mut scanned = 0;
    for f in files.iter().take(MAX_SCANNED) {
        scanned += 1;
        let small = std::fs::symlink_metadata(f).is_ok_and(|m| m.is_file() && m.len() <= MAX_INPUT);
        let Some(text) = small
            .then(|| std::fs::read(f).ok())
            .flatten()
            .and_then(|b| String::from_utf8(b).ok())
        else {
            continue;
        };
        let Ok(mut model) = uapigen::compile_str("fuzz/spec.yaml", &text) else {
            continue;
        };
        let i = specs.len();
        model.module.name = format!("fuzz_{i}");
        model.module.header = format!("linux/fuzz_{i}.h");
        specs.push(Accepted {
            label: f.display().to_string(),
            text,
            model,
        });
        if specs.len() >= max {
            break;
        }
    }
    if specs.is_empty() {
        eprintln!(
            "fuzz-sample: none of the {scanned} inputs in {dirs:?} is a spec uapigen accepts: \
             nothing to compile"
        );
        return ExitCode::from(2);
    }
    match accepted::compile(&specs, "fuzz-sample") {
        Ok(ran) => {
            println!(
                "fuzz-sample: {} accepted specs of {scanned} inputs compile: {} gcc runs, {} \
                 rustc run",
                specs.len(),
                ran.gcc_runs,
                ran.rustc_runs
            );
            ExitCode::SUCCESS
        }
        Err(report) => {
            eprintln!("fuzz-sample: accepted specs that do not compile:\n{report}");
            ExitCode::from(1)
        }
    }
}
