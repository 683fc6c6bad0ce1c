//! The four benchmarks of issue [perf]: generation against bindgen, scaling, builds, and
//! the generated payload code at run time.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Env;
use crate::measure::{Run, median, medians, output, run, run_logged};
use crate::report::{Section, Target};

/// The system's VFIO header, from Debian's linux-libc-dev: what bindgen reads.
const VFIO_H: &str = "/usr/include/linux/vfio.h";

fn libclang_path() -> String {
    std::env::var("LIBCLANG_PATH").unwrap_or_else(|_| "/usr/lib/llvm-19/lib".into())
}

fn bindgen_cmd(env: &Env, header: &str, out: &Path) -> Command {
    let mut c = Command::new(&env.bindgen);
    c.arg(header)
        .arg("-o")
        .arg(out)
        .env("LIBCLANG_PATH", libclang_path());
    c
}

fn uapigen_cmd(env: &Env, spec: &Path, out: &Path) -> Command {
    let mut c = Command::new(&env.uapigen);
    c.arg("generate").arg("-o").arg(out).arg(spec);
    c
}

/// Total bytes and number of files under `dir` (or of one file).
fn bytes_under(p: &Path) -> (u64, usize) {
    if p.is_file() {
        return (std::fs::metadata(p).map_or(0, |m| m.len()), 1);
    }
    let mut total = (0, 0);
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            let (b, n) = bytes_under(&e.path());
            total.0 += b;
            total.1 += n;
        }
    }
    total
}

fn ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0} ms")
    } else {
        format!("{v:.1} ms")
    }
}

fn mib(v: f64) -> String {
    format!("{v:.1} MiB")
}

/// `--timings` of one `uapigen generate`, as a fenced block.
fn timings(env: &Env, spec: &Path, out: &Path) -> Result<String, String> {
    let mut c = uapigen_cmd(env, spec, out);
    c.arg("--timings");
    let (_, err) = output(&mut c)?;
    let _ = std::fs::remove_dir_all(out);
    let lines: Vec<&str> = err
        .lines()
        .skip_while(|l| !l.starts_with("timings"))
        .collect();
    Ok(format!("```\n{}\n```", lines.join("\n")))
}

/// 1. `uapigen generate spec/vfio.yaml` against `bindgen <linux/vfio.h>`.
pub fn generation(env: &Env) -> Result<Section, String> {
    let spec = env.root.join("spec/vfio.yaml");
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    let mut sizes = None;
    for r in 0..env.rounds {
        let out = env.tmp.join(format!("gen-{r}"));
        let rs = env.tmp.join(format!("bindgen-{r}.rs"));
        let a = || run(&mut uapigen_cmd(env, &spec, &out));
        let b = || run(&mut bindgen_cmd(env, VFIO_H, &rs));
        let (x, y): (Run, Run) = if r % 2 == 0 {
            let x = a()?;
            (x, b()?)
        } else {
            let y = b()?;
            (a()?, y)
        };
        ours.push(x);
        theirs.push(y);
        if sizes.is_none() {
            sizes = Some((bytes_under(&out), bytes_under(&rs)));
        }
        let _ = std::fs::remove_dir_all(&out);
        let _ = std::fs::remove_file(&rs);
    }
    let ((ob, of), (tb, _)) = sizes.unwrap_or_default();
    let (ow, om) = medians(&ours);
    let (tw, tm) = medians(&theirs);
    let wall_ratio = ow / tw;
    let mem_ratio = om / tm;
    let breakdown = timings(env, &spec, &env.tmp.join("gen-timings"))?;
    Ok(Section {
        title: "Generation vs bindgen",
        what: format!(
            "Whole-process wall time and peak memory (`wait4` max RSS, children included) of \
             `uapigen generate spec/vfio.yaml` into an empty directory (Rust module, C header, \
             validation header, per-ABI assertion file and probe table) against bindgen-cli on \
             the system's `{VFIO_H}` with libclang from Debian, its default options (which \
             format with rustfmt). {} interleaved runs each.",
            env.rounds
        ),
        command: "scripts/bench.sh --only generation".into(),
        header: vec!["Tool", "Wall (median)", "Peak memory (median)", "Output"],
        rows: vec![
            vec![
                "uapigen generate".into(),
                ms(ow),
                mib(om),
                format!(
                    "{of} files, {} KiB (Rust, C, assertions for 18 ABIs, ioctl numbers)",
                    ob / 1024
                ),
            ],
            vec![
                "bindgen".into(),
                ms(tw),
                mib(tm),
                format!(
                    "1 file, {} KiB (Rust types and constants; no ioctl numbers)",
                    tb / 1024
                ),
            ],
            vec![
                "ratio uapigen / bindgen".into(),
                format!("{wall_ratio:.3}"),
                format!("{mem_ratio:.3}"),
                String::new(),
            ],
        ],
        targets: vec![
            Target {
                what: "wall time at most 1/10 of bindgen's".into(),
                met: wall_ratio <= 0.10,
                measured: format!("{wall_ratio:.3} ({} vs {})", ms(ow), ms(tw)),
                why: format!(
                    "uapigen writes {of} files ({} KiB, {:.0}x bindgen's output) where bindgen \
                     writes one. Most of the time is the Rust module: its token streams are parsed \
                     by syn and printed by prettyplease (the formatter this project requires), \
                     already split in chunks over both cores; the YAML parse (serde-saphyr) is next. \
                     The phase table in the section below is the profile. Reaching 1/10 would take \
                     printing the Rust without syn and prettyplease, or a faster YAML reader.",
                    ob / 1024,
                    ob as f64 / tb.max(1) as f64
                ),
            },
            Target {
                what: "peak memory at most 1/4 of bindgen's".into(),
                met: mem_ratio <= 0.25,
                measured: format!("{mem_ratio:.3} ({} vs {})", mib(om), mib(tm)),
                why: "Peak memory is the token trees and syn trees of the Rust chunks being \
                      formatted at once on each core, plus the outputs held until they are written."
                    .into(),
            },
        ],
        notes: vec![format!(
            "Where uapigen's time goes (`uapigen generate --timings spec/vfio.yaml`, one run):\n\n{breakdown}"
        )],
    })
}

/// A synthetic spec of `n` structs and `n` ioctls, each struct like a typical argsz-style
/// ioctl argument.
pub fn synthetic_spec(n: usize) -> String {
    let mut s = format!(
        "name: synth\nheader: linux/synth.h\nprefix: synth\n\
         doc: Synthetic spec of {n} structs and ioctls for the scaling benchmark.\nstructs:\n"
    );
    for i in 0..n {
        let _ = write!(
            s,
            "  - name: synth_s{i}\n    doc: Argument of SYNTH_OP{i}.\n    fields:\n\
             \x20     - {{ name: argsz, type: u32, doc: Size set by the caller. }}\n\
             \x20     - {{ name: flags, type: u32, doc: Flag bits. }}\n\
             \x20     - {{ name: index, type: u32, doc: Which item. }}\n\
             \x20     - {{ name: pad, type: u32, doc: Reserved. }}\n\
             \x20     - {{ name: addr, type: u64, doc: User address. }}\n\
             \x20     - {{ name: data, type: \"u8[8]\", doc: Bytes. }}\n"
        );
    }
    s.push_str("ioctls:\n");
    for i in 0..n {
        let _ = writeln!(
            s,
            "  - {{ name: SYNTH_OP{i}, dir: read-write, type: {}, nr: {}, arg: synth_s{i}, doc: Operation {i}. }}",
            0x20 + i / 256,
            i % 256
        );
    }
    s
}

/// 2. Synthetic specs of 100, 1,000 and 10,000 structs and ioctls.
pub fn scaling(env: &Env) -> Result<Section, String> {
    let sizes = [100usize, 1000, 10_000];
    let specs: Vec<PathBuf> = sizes
        .iter()
        .map(|&n| {
            let p = env.tmp.join(format!("synth-{n}.yaml"));
            std::fs::write(&p, synthetic_spec(n))
                .map(|_| p)
                .map_err(|e| e.to_string())
        })
        .collect::<Result<_, _>>()?;
    let rounds = env.rounds.min(11);
    let mut runs: Vec<Vec<Run>> = vec![Vec::new(); sizes.len()];
    for r in 0..rounds {
        for k in 0..sizes.len() {
            // Rotate the order from round to round.
            let k = (k + r) % sizes.len();
            let out = env.tmp.join(format!("scale-{k}"));
            runs[k].push(run(&mut uapigen_cmd(env, &specs[k], &out))?);
            let _ = std::fs::remove_dir_all(&out);
        }
    }
    let meds: Vec<(f64, f64)> = runs.iter().map(|r| medians(r)).collect();
    // What the largest spec writes, measured (MB): everything, the Rust module, the
    // assertion file.
    let big = env.tmp.join("scale-sizes");
    run(&mut uapigen_cmd(env, &specs[sizes.len() - 1], &big))?;
    let mb = |p: &Path| bytes_under(p).0 as f64 / 1e6;
    let (all_mb, rust_mb, asserts_mb) = (
        mb(&big),
        mb(&big.join("src/synth.rs")),
        mb(&big.join("layout/synth_layout.c")),
    );
    let _ = std::fs::remove_dir_all(&big);
    let mut rows = Vec::new();
    for (k, &n) in sizes.iter().enumerate() {
        let (w, m) = meds[k];
        let (tr, mr) = if k == 0 {
            (String::from("-"), String::from("-"))
        } else {
            (
                format!("{:.2}x", w / meds[k - 1].0),
                format!("{:.2}x", m / meds[k - 1].1),
            )
        };
        rows.push(vec![
            n.to_string(),
            ms(w),
            format!("{:.1} µs", w * 1e3 / n as f64),
            tr,
            mib(m),
            mr,
        ]);
    }
    let mut targets = Vec::new();
    for k in 1..sizes.len() {
        let growth = [
            (
                "time",
                meds[k].0 / meds[k - 1].0,
                "See the phase table of the largest spec below.",
            ),
            (
                "memory",
                meds[k].1 / meds[k - 1].1,
                "Output is held in memory until it is written (see the sizes above).",
            ),
        ];
        for (what, g, why) in growth {
            targets.push(Target {
                what: format!(
                    "{}x the spec ({} -> {}): {what} at most 12x",
                    sizes[k] / sizes[k - 1],
                    sizes[k - 1],
                    sizes[k]
                ),
                met: g <= 12.0,
                measured: format!("{g:.2}x"),
                why: why.into(),
            });
        }
    }
    let (w10k, _) = meds[sizes.len() - 1];
    targets.push(Target {
        what: "10,000 structs and ioctls in under a second".into(),
        met: w10k < 1000.0,
        measured: ms(w10k),
        why: format!(
            "Growth is linear (see the growth columns), but the constant is too high: the \
             phase table below is the profile. The Rust module ({rust_mb:.0} MB) is formatted \
             by syn and prettyplease, on both cores, and takes most of the time; the YAML \
             parse (serde-saphyr) comes next; the C assertion file ({asserts_mb:.0} MB for 18 \
             ABIs) is rendered on another thread at the same time. Under a second needs \
             printing most of the Rust without syn/prettyplease and a faster YAML reader; \
             neither is done yet."
        ),
    });
    let breakdown = timings(env, &specs[sizes.len() - 1], &env.tmp.join("scale-timings"))?;
    Ok(Section {
        title: "Scaling",
        what: format!(
            "`uapigen generate` of synthetic specs with N structs (argsz, flags, index, pad, \
             u64 addr, u8[8]) and N read-write ioctls, into an empty directory; every output \
             grows with N (the 10,000 spec writes {all_mb:.0} MB: a {rust_mb:.0} MB Rust module, \
             a {asserts_mb:.0} MB assertion file for 18 ABIs, the C header and the probe \
             table). {rounds} rounds, sizes interleaved."
        ),
        command: "scripts/bench.sh --only scaling".into(),
        header: vec![
            "Structs + ioctls",
            "Wall (median)",
            "Per struct",
            "Time growth",
            "Peak memory",
            "Memory growth",
        ],
        rows,
        targets,
        notes: vec![format!(
            "Where the time of the 10,000 spec goes (`uapigen generate --timings`, one run; the two render \
             phases run at the same time, the Rust module itself on every core):\n\n{breakdown}"
        )],
    })
}

fn cargo(root: &Path) -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root).env("LIBCLANG_PATH", libclang_path());
    // The driver's own build settings must not leak into the builds it measures.
    for v in [
        "RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET_DIR",
        "CARGO_ENCODED_RUSTFLAGS",
    ] {
        c.env_remove(v);
    }
    c
}

/// Whether a `cargo build -v` log shows a build script being run.
fn reran_build_script(log: &str) -> bool {
    log.lines()
        .any(|l| l.trim_start().starts_with("Running") && l.contains("build-script-build"))
}

/// Cold builds of one crate: their runs, the no-op rebuilds after them, and whether any
/// no-op rebuild ran a build script again.
#[derive(Default)]
struct Cold {
    runs: Vec<Run>,
    noop: Vec<Run>,
    reran: bool,
}

/// Round `round` of the cold build of `package`: a build into an empty target directory,
/// then a no-op build in the same one, added to `cold`.
fn cold_build(
    env: &Env,
    (manifest, package): (&Path, &str),
    round: usize,
    cold: &mut Cold,
) -> Result<(), String> {
    let target = env.tmp.join(format!("cold-{package}-{round}"));
    let build = || {
        let mut c = cargo(&env.root);
        c.args(["build", "--locked", "-p", package, "--manifest-path"])
            .arg(manifest)
            .env("CARGO_TARGET_DIR", &target);
        c
    };
    cold.runs.push(run(&mut build())?);
    // The first no-op build is the one that shows a build script rerunning once.
    let mut noop = build();
    noop.arg("-v");
    let (r, log) = run_logged(&mut noop)?;
    cold.noop.push(r);
    cold.reran |= reran_build_script(&log);
    let _ = std::fs::remove_dir_all(&target);
    Ok(())
}

/// Rebuild one crate of the bench workspace after touching its lib.rs: rustc's time for
/// that crate, its dependencies already built.
fn rebuild_crate(env: &Env, package: &str, lib: &Path) -> Result<Run, String> {
    let text = std::fs::read(lib).map_err(|e| format!("{}: {e}", lib.display()))?;
    std::fs::write(lib, text).map_err(|e| format!("{}: {e}", lib.display()))?;
    let mut c = cargo(&env.root);
    c.args(["build", "--locked", "-p", package, "--manifest-path"])
        .arg(env.root.join("bench/Cargo.toml"));
    run(&mut c)
}

/// Builds (benchmark 3): cold build of the build.rs example against the same crate done
/// with bindgen; no-op rebuilds; rustc time for the generated VFIO module against bindgen's.
pub fn builds(env: &Env) -> Result<Section, String> {
    let main_manifest = env.root.join("Cargo.toml");
    let bench_manifest = env.root.join("bench/Cargo.toml");
    let ours_pkg = (main_manifest.as_path(), "uapigen-example-build");
    let theirs_pkg = (bench_manifest.as_path(), "uapigen-bench-bindgen-build");
    let (mut ours, mut theirs) = (Cold::default(), Cold::default());
    for r in 0..env.build_rounds {
        if r % 2 == 0 {
            cold_build(env, ours_pkg, r, &mut ours)?;
            cold_build(env, theirs_pkg, r, &mut theirs)?;
        } else {
            cold_build(env, theirs_pkg, r, &mut theirs)?;
            cold_build(env, ours_pkg, r, &mut ours)?;
        }
    }
    // rustc time for one module: bindgen's VFIO output into the crate that includes it.
    let bg_rs = env.root.join("bench/compile-bindgen/src/vfio_bindgen.rs");
    run(&mut bindgen_cmd(env, VFIO_H, &bg_rs))?;
    let mut warm = cargo(&env.root);
    warm.args([
        "build",
        "--locked",
        "-p",
        "uapigen-bench-compile-uapigen",
        "-p",
        "uapigen-bench-compile-bindgen",
        "--manifest-path",
    ])
    .arg(&bench_manifest);
    run(&mut warm)?;
    let (mut cu, mut cb) = (Vec::new(), Vec::new());
    let ul = env.root.join("bench/compile-uapigen/src/lib.rs");
    let bl = env.root.join("bench/compile-bindgen/src/lib.rs");
    for r in 0..env.rounds.min(11) {
        if r % 2 == 0 {
            cu.push(rebuild_crate(env, "uapigen-bench-compile-uapigen", &ul)?);
            cb.push(rebuild_crate(env, "uapigen-bench-compile-bindgen", &bl)?);
        } else {
            cb.push(rebuild_crate(env, "uapigen-bench-compile-bindgen", &bl)?);
            cu.push(rebuild_crate(env, "uapigen-bench-compile-uapigen", &ul)?);
        }
    }
    let (ucb, _) = bytes_under(&env.root.join("generated/src/vfio.rs"));
    let (bcb, _) = bytes_under(&bg_rs);
    let (ow, om) = medians(&ours.runs);
    let (tw, tm) = medians(&theirs.runs);
    let (on, _) = medians(&ours.noop);
    let (tn, _) = medians(&theirs.noop);
    let (uw, _) = medians(&cu);
    let (bw, _) = medians(&cb);
    let rows = vec![
        vec![
            "cold `cargo build` (dev)".into(),
            ms(ow),
            ms(tw),
            format!("{:.2}", ow / tw),
            format!("peak memory {} vs {}", mib(om), mib(tm)),
        ],
        vec![
            "no-op rebuild".into(),
            ms(on),
            ms(tn),
            format!("{:.2}", on / tn),
            format!(
                "build script rerun: {} vs {}",
                if ours.reran { "yes" } else { "no" },
                if theirs.reran { "yes" } else { "no" }
            ),
        ],
        vec![
            "rustc, VFIO module alone (dev)".into(),
            ms(uw),
            ms(bw),
            format!("{:.2}", uw / bw),
            format!(
                "{} KiB of generated Rust vs {} KiB; uapigen's carries ioctl numbers, wrappers, payload enums and layout assertions for every ABI",
                ucb / 1024,
                bcb / 1024
            ),
        ],
    ];
    Ok(Section {
        title: "Builds",
        what: format!(
            "Cold `cargo build` (empty target directory, dev profile, sources already downloaded) of \
             `examples/use-build` (uapigen's `Builder` generating `spec/nsfs.yaml` in build.rs) against \
             `bench/build-bindgen` (bindgen in build.rs on the system's `<linux/nsfs.h>`), {} interleaved \
             rounds; then a no-op `cargo build` in the same target directory, checked with `-v` for a \
             build script being run again. Last, rustc's time for the VFIO bindings alone: \
             `bench/compile-uapigen` holds `generated/src/vfio.rs`, `bench/compile-bindgen` bindgen's \
             output for `{VFIO_H}`; each is rebuilt after touching its lib.rs, dependencies warm, {} \
             interleaved rounds.",
            env.build_rounds,
            env.rounds.min(11)
        ),
        command: "scripts/bench.sh --only builds".into(),
        header: vec![
            "Build",
            "uapigen (median)",
            "bindgen (median)",
            "Ratio",
            "Notes",
        ],
        rows,
        targets: vec![Target {
            what: "a no-op rebuild does not rerun the build script".into(),
            met: !ours.reran,
            why: "The build script printed a `rerun-if-changed` that cargo considers stale; \
                  see `Builder` in codegen/src/builder.rs."
                .into(),
            measured: if ours.reran {
                "build script rerun".into()
            } else {
                format!("not rerun; {}", ms(on))
            },
        }],
        notes: vec![
            "No target is set for the cold build or for rustc's time; they are here so that \
             their cost is seen (the next section compares rustc's time per module, with a \
             target). The generated module costs rustc more than bindgen's because every \
             struct derives `Uapi` (compile-time layout assertions for each ABI group) and \
             implements the runtime's byte traits with their checks, and the module carries \
             ioctl wrappers, payload enums with their encoders and decoders, and validators \
             that bindgen's output does not have."
                .into(),
        ],
    })
}

/// Instructions per call of one loop of `alloc-count`, counted by callgrind: the loop run
/// `n` times less the loop run zero times (start-up), divided by `n`. Deterministic, so
/// it tells a real difference from noise in the timings.
fn instructions_per_call(env: &Env, payload: &str, op: &str) -> Result<f64, String> {
    let bin = env.root.join("bench/target/release/alloc-count");
    let n = 20_000u64;
    let mut ir = [0u64; 2];
    for (k, runs) in [0, n].into_iter().enumerate() {
        let mut c = Command::new("valgrind");
        c.args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
            .arg(&bin)
            .env("UAPIGEN_BENCH_ONLY", format!("{payload} {op}"))
            .env("UAPIGEN_BENCH_RUNS", runs.to_string());
        let (_, err) = output(&mut c)?;
        ir[k] = err
            .lines()
            .find_map(|l| {
                l.split_once("Collected :")
                    .map(|(_, v)| v.trim().replace(',', ""))
            })
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("no instruction count from callgrind for {payload} {op}"))?;
    }
    Ok(ir[1].saturating_sub(ir[0]) as f64 / n as f64)
}

/// Median (ns) of a criterion benchmark from its `estimates.json`.
fn criterion_median(dir: &Path) -> Result<f64, String> {
    let p = dir.join("new/estimates.json");
    let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?;
    v["median"]["point_estimate"]
        .as_f64()
        .ok_or_else(|| format!("{}: no median", p.display()))
}

/// 4. The generated payload encoders and decoders against hand-written ones.
pub fn payloads(env: &Env) -> Result<Section, String> {
    let manifest = env.root.join("bench/Cargo.toml");
    let crit = env.root.join("bench/target/criterion");
    // criterion measures one function after the other: the whole suite runs several
    // times and each figure is the median of its runs' medians, so that a burst of load
    // from a neighbour moves one run, not the figure.
    let runs = if env.rounds < 21 { 1 } else { 3 };
    let mut times: std::collections::BTreeMap<(String, String, String), Vec<f64>> =
        Default::default();
    for _ in 0..runs {
        let _ = std::fs::remove_dir_all(&crit);
        let mut c = cargo(&env.root);
        c.args([
            "bench",
            "--locked",
            "-p",
            "uapigen-bench-payloads",
            "--bench",
            "payloads",
            "--manifest-path",
        ])
        .arg(&manifest);
        output(&mut c)?;
        let groups = std::fs::read_dir(&crit).map_err(|e| format!("{}: {e}", crit.display()))?;
        for g in groups.flatten().map(|e| e.path()) {
            let Some(name) = g.file_name().map(|n| n.to_string_lossy().into_owned()) else {
                continue;
            };
            if !g.is_dir() || name == "report" {
                continue;
            }
            for op in ["encode", "decode"] {
                // kvm_run is only decoded: the kernel writes it.
                if !g.join(op).is_dir() {
                    continue;
                }
                for side in ["generated", "hand"] {
                    let ns = criterion_median(&g.join(op).join(side))?;
                    times
                        .entry((name.clone(), op.to_owned(), side.to_owned()))
                        .or_default()
                        .push(ns);
                }
            }
        }
    }
    let mut c = cargo(&env.root);
    c.args([
        "run",
        "--locked",
        "--release",
        "-q",
        "-p",
        "uapigen-bench-payloads",
        "--bin",
        "alloc-count",
        "--manifest-path",
    ])
    .arg(&manifest);
    let (allocs, _) = output(&mut c)?;
    let allocs: Vec<serde_json::Value> = allocs
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let mut rows = Vec::new();
    let mut worst: Option<(f64, String)> = None;
    let mut ratios = Vec::new();
    let keys: Vec<(String, String)> = times
        .keys()
        .map(|(g, o, _)| (g.clone(), o.clone()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    for (name, op) in keys {
        let get = |side: &str| {
            times
                .get(&(name.clone(), op.clone(), side.to_owned()))
                .map(|v| median(v.clone()))
        };
        let (Some(gen_ns), Some(hand_ns)) = (get("generated"), get("hand")) else {
            continue;
        };
        // criterion spells `vfio::IrqSetPayload` as `vfio__IrqSetPayload`.
        let payload = name.replacen("__", "::", 1);
        let ratio = hand_ns / gen_ns;
        ratios.push(ratio);
        if worst.as_ref().is_none_or(|(w, _)| ratio < *w) {
            worst = Some((ratio, format!("{payload} {op}")));
        }
        let n_allocs = allocs
            .iter()
            .find(|a| a["op"] == op.as_str() && a["payload"].as_str() == Some(payload.as_str()))
            .map_or_else(
                || "?".into(),
                |a| {
                    format!(
                        "{}{}",
                        a["allocs"],
                        if a["fixed_size"] == true {
                            " (fixed size)"
                        } else {
                            ""
                        }
                    )
                },
            );
        let gen_ir = instructions_per_call(env, &payload, &op)?;
        let hand_ir = instructions_per_call(env, &payload, &format!("{op}-hand"))?;
        rows.push(vec![
            payload,
            op,
            format!("{gen_ns:.2} ns"),
            format!("{hand_ns:.2} ns"),
            format!("{ratio:.2}"),
            format!("{gen_ir:.0} / {hand_ir:.0}"),
            n_allocs,
        ]);
    }
    let fixed: Vec<&serde_json::Value> = allocs
        .iter()
        .filter(|a| {
            a["fixed_size"] == true
                && ["encode", "encode-buf", "decode"]
                    .iter()
                    .any(|o| a["op"] == *o)
        })
        .collect();
    let fixed_allocs: u64 = fixed.iter().filter_map(|a| a["allocs"].as_u64()).sum();
    let (wr, wn) = worst.unwrap_or((f64::NAN, String::new()));
    let slow: Vec<String> = rows
        .iter()
        .zip(&ratios)
        .filter(|(_, x)| **x < 0.95)
        .map(|(r, x)| format!("{} {} ({x:.3}; {} instructions)", r[0], r[1], r[5]))
        .collect();
    Ok(Section {
        title: "Generated code at run time",
        what: format!(
            "Encoding and decoding each tagged payload enum of the generated crate against a \
             hand-written equivalent over the same bytes (same checks on decode; unit tests in \
             `bench/payloads` prove both give the same bytes and the same accept/reject \
             decisions), with criterion; {runs} run(s) of the suite, each figure the median of \
             the runs' medians. Throughput ratio = hand-written time / generated time, so above \
             1 means the generated code is faster. Heap allocations counted by a counting global \
             allocator over 10,000 calls each (`bench/payloads/src/bin/alloc-count.rs`)."
        ),
        command: "scripts/bench.sh --only payloads".into(),
        header: vec![
            "Payload",
            "Op",
            "Generated (median)",
            "Hand-written (median)",
            "Throughput ratio",
            "Instructions per call (generated / hand)",
            "Heap allocations",
        ],
        rows,
        targets: vec![
            Target {
                what: "throughput at least 0.95 of hand-written, every payload".into(),
                met: ratios.iter().all(|&r| r >= 0.95) && !ratios.is_empty(),
                why: format!(
                    "Below 0.95 here: {} (instructions per call, generated / hand-written, \
                     counted by callgrind: the profile of these calls). These calls take 2 to \
                     10 nanoseconds, so a fraction of a nanosecond is 5-10%. Both sides make the \
                     same checks. Where the generated code runs more instructions (decoders), \
                     that is where its time goes: `check` is a call of its own whose `Result` \
                     carries the checked header or a 40-byte `Reject` (errno, field, reason, \
                     where the hand-written code returns `()`), and `decode` then copies the \
                     header into its own result. Where it runs as many or fewer (encoders), the \
                     gap is code layout and the machine's noise (single figures move by about \
                     5% between runs), not work.",
                    slow.join(", ")
                ),
                measured: format!(
                    "lowest {wr:.2} ({wn}); median {:.2}",
                    median(ratios.clone())
                ),
            },
            Target {
                what: "zero heap allocations for fixed-size payloads".into(),
                met: fixed_allocs == 0 && !fixed.is_empty(),
                why: "See bench/payloads/src/bin/alloc-count.rs for the allocating call.".into(),
                measured: format!(
                    "{fixed_allocs} allocations over {} fixed-size encode/decode loops",
                    fixed.len()
                ),
            },
        ],
        notes: Vec::new(),
    })
}
