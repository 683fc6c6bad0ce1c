//! BENCHMARKS.md: the machine, then one section per benchmark with its command, a table
//! of medians and ratios, and each target said plainly met or not.

use std::fmt::Write as _;
use std::process::Command;

use crate::Env;

/// One benchmark's results.
pub struct Section {
    pub title: &'static str,
    /// What was measured and how, in a sentence or two.
    pub what: String,
    /// The command that reproduces just this section.
    pub command: String,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
    pub targets: Vec<Target>,
    /// Free text after the table: where the time goes, caveats.
    pub notes: Vec<String>,
}

/// A target of the issue and whether this run met it.
pub struct Target {
    pub what: String,
    pub met: bool,
    pub measured: String,
    /// Why it is missed and where the time goes, shown when it is.
    pub why: String,
}

fn first_line(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .map(|o| {
            let s = if o.stdout.is_empty() {
                o.stderr
            } else {
                o.stdout
            };
            String::from_utf8_lossy(&s)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_owned()
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

fn machine(env: &Env) -> Vec<(String, String)> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .and_then(|r| r.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse::<u64>().ok())
        .map_or_else(
            || "unknown".into(),
            |k| format!("{:.1} GiB", k as f64 / 1024.0 / 1024.0),
        );
    let bindgen = env.bindgen.display().to_string();
    vec![
        ("CPU".into(), format!("{cpu}, {cores} cores usable")),
        ("Memory".into(), mem),
        ("Kernel".into(), first_line("uname", &["-srm"])),
        ("rustc".into(), first_line("rustc", &["-V"])),
        ("bindgen".into(), first_line(&bindgen, &["--version"])),
        (
            "libclang".into(),
            first_line(
                "dpkg-query",
                &["-W", "-f", "${Package} ${Version}", "libclang1-19"],
            ),
        ),
        (
            "Kernel headers".into(),
            first_line(
                "dpkg-query",
                &["-W", "-f", "${Package} ${Version}", "linux-libc-dev"],
            ),
        ),
    ]
}

/// The whole report.
pub fn render(env: &Env, sections: &[Section], failed: &[(String, String)], quick: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Benchmarks\n");
    let _ = writeln!(
        s,
        "Written by `scripts/bench.sh` (the `uapigen-bench` driver in `bench/`); do not edit by hand.\n\
         Every figure is a median over runs interleaved with its counterpart's (A, B, A, B, ...),\n\
         and every ratio is of two medians from the same run: the machines are noisy, and a\n\
         neighbour's load then slows both sides alike. Timings live here, never in the tests.\n"
    );
    if quick {
        let _ = writeln!(
            s,
            "**Quick run (`--quick`): few rounds, figures are rough.**\n"
        );
    }
    let _ = writeln!(s, "## Machine\n");
    let _ = writeln!(s, "| | |\n|---|---|");
    for (k, v) in machine(env) {
        let _ = writeln!(s, "| {k} | {v} |");
    }
    let _ = writeln!(
        s,
        "| Rounds | {} per figure, {} per cold build |",
        env.rounds, env.build_rounds
    );
    let _ = writeln!(s);
    let _ = writeln!(s, "## Targets\n");
    let _ = writeln!(
        s,
        "| Benchmark | Target | Measured | Met |\n|---|---|---|---|"
    );
    for sec in sections {
        for t in &sec.targets {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                sec.title,
                t.what,
                t.measured,
                if t.met { "yes" } else { "**no**" }
            );
        }
    }
    let _ = writeln!(s);
    let missed: Vec<(&Section, &Target)> = sections
        .iter()
        .flat_map(|sec| sec.targets.iter().filter(|t| !t.met).map(move |t| (sec, t)))
        .collect();
    for (name, why) in failed {
        let _ = writeln!(
            s,
            "**The `{name}` benchmark failed in this run; its targets are not measured:**\n\n```\n{why}\n```\n"
        );
    }
    if missed.is_empty() && failed.is_empty() {
        let _ = writeln!(s, "Every target is met in this run.\n");
    } else if !missed.is_empty() {
        let _ = writeln!(s, "### Targets not met in this run, and why\n");
        for (sec, t) in missed {
            let _ = writeln!(
                s,
                "- **{}: {}** ({}). {}",
                sec.title, t.what, t.measured, t.why
            );
        }
        let _ = writeln!(s);
    }
    for sec in sections {
        let _ = writeln!(s, "## {}\n", sec.title);
        let _ = writeln!(s, "{}\n", sec.what);
        let _ = writeln!(s, "Command: `{}`\n", sec.command);
        if !sec.rows.is_empty() {
            let _ = writeln!(s, "| {} |", sec.header.join(" | "));
            let _ = writeln!(s, "|{}", "---|".repeat(sec.header.len()));
            for r in &sec.rows {
                let _ = writeln!(s, "| {} |", r.join(" | "));
            }
            let _ = writeln!(s);
        }
        for n in &sec.notes {
            let _ = writeln!(s, "{n}\n");
        }
    }
    s
}
