//! Scaling per input shape ([perf] target 2): each shape the hostile tests grow (chains,
//! payload variants, flag sets, ioctls, macros, fd kinds, ...) at size N and 2N, through
//! `uapigen generate`, `check`, `lint` and `compat`, with wall time and peak memory.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use crate::Env;
use crate::measure::{Run, medians, run_accepting};
use crate::report::{Section, Target};

#[path = "../../../codegen/tests/shapes/mod.rs"]
mod shapes;

/// The most time or memory may grow for twice the input.
const MAX_GROWTH: f64 = 2.4;

/// The commands measured, with the arguments after the spec's path.
const COMMANDS: &[&str] = &["generate", "check", "lint", "compat"];

fn command(env: &Env, which: &str, spec: &Path, out: &Path) -> Command {
    let mut c = Command::new(&env.uapigen);
    match which {
        "generate" => {
            let _ = std::fs::remove_dir_all(out);
            c.arg("generate").arg("-o").arg(out).arg(spec);
        }
        // A spec against itself: every item compared, none changed.
        "compat" => {
            c.arg("compat").arg(spec).arg(spec);
        }
        other => {
            c.arg(other).arg(spec);
        }
    }
    c
}

/// Median wall (ms) and peak memory (MiB) of `rounds` runs of each size, interleaved.
fn measure(
    env: &Env,
    which: &str,
    specs: [&Path; 2],
    rounds: usize,
) -> Result<[(f64, f64); 2], String> {
    let out = env.tmp.join("growth-out");
    let mut runs: [Vec<Run>; 2] = [Vec::new(), Vec::new()];
    for r in 0..rounds {
        let order: [usize; 2] = if r % 2 == 0 { [0, 1] } else { [1, 0] };
        for k in order {
            // Findings (lint) and spec errors (a shape made of errors) exit 1 or 2: the
            // work is measured all the same; a crash is not accepted.
            let (run, _) = run_accepting(&mut command(env, which, specs[k], &out), &[0, 1, 2])?;
            runs[k].push(run);
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    Ok([medians(&runs[0]), medians(&runs[1])])
}

/// 2. Time and memory growth for twice the input, per shape and command.
pub fn growth(env: &Env) -> Result<Section, String> {
    let dir = env.tmp.join("growth");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let rounds = env.rounds.min(7);
    let mut rows = Vec::new();
    let mut worst = (0.0f64, String::new());
    for (name, n) in shapes::SHAPES {
        let mut paths = Vec::new();
        for size in [*n, 2 * n] {
            let text = shapes::shape(name, size).ok_or_else(|| format!("no shape {name}"))?;
            let p = dir.join(format!("{name}_{size}.yaml"));
            std::fs::write(&p, text).map_err(|e| format!("{}: {e}", p.display()))?;
            paths.push(p);
        }
        let mut row = vec![format!("`{name}`"), format!("{n} / {}", 2 * n)];
        for which in COMMANDS {
            let [(t1, m1), (t2, m2)] = measure(env, which, [&paths[0], &paths[1]], rounds)?;
            let (tg, mg) = (t2 / t1, m2 / m1);
            for (g, what) in [(tg, "time"), (mg, "memory")] {
                if g > worst.0 {
                    worst = (g, format!("{name}, {which}, {what}"));
                }
            }
            let mut cell = String::new();
            let _ = write!(cell, "{t1:.0} → {t2:.0} ms ({tg:.2}x); {mg:.2}x mem");
            row.push(cell);
        }
        rows.push(row);
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Section {
        title: "Scaling per input shape",
        what: format!(
            "Each input shape that the hostile tests grow (`codegen/tests/shapes/mod.rs`, shared \
             with them) written at size N and 2N, and run through `uapigen generate` (into an \
             empty directory), `check`, `lint` and `compat` (the spec against itself); {rounds} \
             interleaved rounds, medians. Each cell: wall time at N and 2N, its growth, and the \
             growth of the peak memory (`wait4`, the process's baseline of about 9 MiB \
             included). `import` reads C headers, not specs: its scaling is not in this table."
        ),
        command: "scripts/bench.sh --only growth".into(),
        header: vec!["Shape", "N / 2N", "generate", "check", "lint", "compat"],
        rows,
        targets: vec![Target {
            what: format!(
                "twice the input: time and memory at most {MAX_GROWTH}x, every shape and command"
            ),
            met: worst.0 <= MAX_GROWTH,
            measured: format!("highest {:.2}x ({})", worst.0, worst.1),
            why: "The shape and command named grew faster than linearly here; the hostile \
                  test of the same shape counts its work (allocations, instructions) to tell \
                  a superlinear path from the machine's noise."
                .into(),
        }],
        notes: Vec::new(),
    })
}
