//! Accepted specs through the compilers, in batches: each spec's C in one gcc run
//! (`-std=c90 -Wall -Werror -fsyntax-only`, no libc: its header included twice, its
//! validation header, its assertion file), and every spec's Rust as one crate, built once
//! with every feature and `-D warnings`. Used by `tests/hostile_output.rs` (the hostile
//! fixtures and generated specs) and by the `fuzz-sample` binary (what the fuzzer's spec
//! target accepted, after `scripts/fuzz.sh smoke`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use uapigen::Model;

use crate::{Compiler, kernel_only_includes, par_map, root};

/// One accepted spec: where it came from (for the report), its text, its model.
pub struct Accepted {
    pub label: String,
    pub text: String,
    pub model: Model,
}

/// What [`compile`] ran.
pub struct Ran {
    pub gcc_runs: usize,
    pub rustc_runs: usize,
}

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

/// Render every spec as the checked-in crate renders (`OutputDirs::crate_layout`), then
/// compile: `Err` holds the report of every failure (the failing specs' texts included).
/// `krate` names the crate folder under `target/` (one per caller, so they do not race).
pub fn compile(specs: &[Accepted], krate: &str) -> Result<Ran, String> {
    let gcc = Compiler::new("gcc", &[]);
    gcc.require();
    let dirs = uapigen::files::OutputDirs::crate_layout();
    let mode = uapigen::emit::Mode::Build;
    // Each accepted spec renders (an error here is an internal error: a bug).
    let render_failures: Vec<String> = specs
        .iter()
        .filter_map(|s| {
            let e = uapigen::files::render(std::slice::from_ref(&s.model), &dirs, mode).err()?;
            // The error after the text: a log cut to its end still has it.
            Some(format!("{}:\n{}\n{}: {e}", s.label, s.text, s.label))
        })
        .collect();
    if !render_failures.is_empty() {
        return Err(format!(
            "{} accepted specs do not render:\n{}",
            render_failures.len(),
            render_failures.join("\n")
        ));
    }
    let dir = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
    let all: Vec<Model> = specs.iter().map(|s| s.model.clone()).collect();
    let outputs = uapigen::files::render(&all, &dirs, mode).map_err(|e| format!("render: {e}"))?;
    uapigen::files::write_all(dir.path(), &outputs).map_err(|e| format!("write: {e}"))?;

    // C: one gcc run per spec (their C names may collide with each other's), on both cores.
    let sys = Path::new("/usr/include");
    let kernel = kernel_only_includes(sys, &sys.join("x86_64-linux-gnu"))
        .map_err(|e| format!("kernel headers: {e}"))?;
    let inc = format!("-I{}", dir.path().join("include").display());
    let inc_k = format!("-I{}", kernel.path().display());
    let inc_layout = format!("-I{}", dir.path().join("layout").display());
    let mut units: Vec<(String, PathBuf, bool)> = Vec::new();
    for s in specs {
        let p = dir.path().join(format!("unit_{}.c", s.model.module.name));
        std::fs::write(&p, c_unit(&s.model)).map_err(|e| format!("{}: {e}", p.display()))?;
        // A spec that includes system headers (<linux/virtio_ring.h> needs <stdint.h>)
        // gets the compiler's own freestanding headers, still no libc.
        units.push((s.label.clone(), p, !s.model.module.includes.is_empty()));
    }
    let freestanding = gcc.with_freestanding_headers();
    let c_failures: Vec<String> = par_map(&units, |(label, p, sys)| {
        let p = p.display().to_string();
        let cc = if *sys { &freestanding } else { &gcc };
        cc.run(&[
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

    // Rust: every module in one crate, every feature (serde too), -D warnings.
    let krate = root().join("target").join(krate);
    let _ = std::fs::remove_dir_all(krate.join("src"));
    for (rel, text) in outputs.iter().filter(|(p, _)| p.starts_with("src")) {
        let p = krate.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&p, text).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    let runtime = root().join("runtime").display().to_string();
    std::fs::write(
        krate.join("Cargo.toml"),
        format!(
            "[package]\nname = \"uapigen-hostile-output\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
             publish = false\n\n[features]\nlayout-probe = []\nc-names = []\n\
             serde = [\"uapigen-runtime/serde\"]\nzerocopy = [\"uapigen-runtime/zerocopy\"]\n\n[dependencies]\nuapigen-runtime = {{ path = {runtime:?} }}\n\n[workspace]\n"
        ),
    )
    .map_err(|e| format!("Cargo.toml: {e}"))?;
    let _ = std::fs::copy(root().join("Cargo.lock"), krate.join("Cargo.lock"));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
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
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let rust_errors = String::from_utf8_lossy(&out.stderr).into_owned();

    // The failing specs' texts first and the compilers' messages last: a log cut to its
    // end (as CI shows it) still has the error.
    let mut report = String::new();
    if !out.status.success() {
        for s in specs {
            if rust_errors.contains(&format!("src/{}.rs", s.model.module.name)) {
                let _ = writeln!(
                    report,
                    "--- {} (module {}):\n{}",
                    s.label, s.model.module.name, s.text
                );
            }
        }
        let _ = writeln!(
            report,
            "the Rust of the accepted specs fails rustc -D warnings (the specs above):\n{rust_errors}"
        );
    }
    if !c_failures.is_empty() {
        let _ = writeln!(
            report,
            "{} specs' C fails gcc:\n{}",
            c_failures.len(),
            c_failures.join("\n")
        );
    }
    if report.is_empty() {
        Ok(Ran {
            gcc_runs: units.len(),
            rustc_runs: 1,
        })
    } else {
        Err(report)
    }
}
