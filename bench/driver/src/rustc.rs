//! rustc's time on each generated module whose header Debian ships, against bindgen's
//! output for the same header ([perf] target 1), and rustc's own profile of the VFIO
//! module with and without zerocopy's derives.
//!
//! Two scratch crates in the driver's temporary directory (a workspace of their own, built
//! into `bench/target/rustc-section`, the bench lock file copied so versions stay pinned):
//! one includes the generated module by path, the other bindgen's output. For each module
//! both are built once, then rebuilt after touching their lib.rs, interleaved.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Env;
use crate::measure::{medians, output, run};
use crate::report::{Section, Target};

/// The most a generated module may cost rustc, as a multiple of bindgen's output.
const TARGET_RATIO: f64 = 2.0;

/// One module measured: its spec name, the generated modules it needs (itself and those it
/// names through `super::`), and its system header.
struct Module {
    name: String,
    needs: Vec<String>,
    header: PathBuf,
}

/// The specs whose header is in /usr/include, in name order.
fn modules(root: &Path) -> Result<Vec<Module>, String> {
    let spec = root.join("spec");
    let mut names: Vec<String> = std::fs::read_dir(&spec)
        .map_err(|e| format!("{}: {e}", spec.display()))?
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().into_string().ok()?;
            n.strip_suffix(".yaml").map(str::to_owned)
        })
        .collect();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        let text = std::fs::read_to_string(spec.join(format!("{name}.yaml"))).unwrap_or_default();
        let Some(header) = text
            .lines()
            .find_map(|l| l.strip_prefix("header:").map(|h| h.trim().to_owned()))
        else {
            continue;
        };
        let header = Path::new("/usr/include").join(header);
        let generated = root.join(format!("generated/src/{name}.rs"));
        if !header.is_file() || !generated.is_file() {
            continue;
        }
        let rust = std::fs::read_to_string(&generated).unwrap_or_default();
        let mut needs = vec![name.clone()];
        for (i, _) in rust.match_indices("super::") {
            let rest = &rust[i + "super::".len()..];
            let m: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if rest[m.len()..].starts_with("::") && !needs.contains(&m) {
                needs.push(m);
            }
        }
        out.push(Module {
            name,
            needs,
            header,
        });
    }
    Ok(out)
}

fn write(p: &Path, text: &str) -> Result<(), String> {
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    std::fs::write(p, text).map_err(|e| format!("{}: {e}", p.display()))
}

/// The scratch workspace: `ours` (the generated module) and `theirs` (bindgen's output).
fn scratch(env: &Env) -> Result<PathBuf, String> {
    let ws = env.tmp.join("rustc-section");
    let runtime = env.root.join("runtime");
    write(
        &ws.join("Cargo.toml"),
        "[workspace]\nresolver = \"3\"\nmembers = [\"ours\", \"theirs\"]\n",
    )?;
    write(
        &ws.join("ours/Cargo.toml"),
        &format!(
            "[package]\nname = \"ours\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\nuapigen-runtime = {{ path = {:?} }}\n\n\
             [features]\nc-names = []\nserde = []\nlayout-probe = []\n\
             zerocopy = [\"uapigen-runtime/zerocopy\"]\n",
            runtime.display().to_string()
        ),
    )?;
    write(
        &ws.join("theirs/Cargo.toml"),
        "[package]\nname = \"theirs\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n",
    )?;
    let lock = env.root.join("Cargo.lock");
    let text = std::fs::read_to_string(&lock).map_err(|e| format!("{}: {e}", lock.display()))?;
    write(&ws.join("Cargo.lock"), &text)?;
    Ok(ws)
}

fn cargo(env: &Env, ws: &Path) -> Command {
    cargo_named(
        env,
        ws,
        std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()),
    )
}

/// `cargo` run as `program` (rustup's proxy `cargo` for `+nightly`).
fn cargo_named(env: &Env, ws: &Path, program: String) -> Command {
    let mut c = Command::new(program);
    c.current_dir(ws).env(
        "CARGO_TARGET_DIR",
        env.root.join("bench/target/rustc-section"),
    );
    for v in [
        "RUSTFLAGS",
        "CARGO_BUILD_TARGET_DIR",
        "CARGO_ENCODED_RUSTFLAGS",
    ] {
        c.env_remove(v);
    }
    c
}

/// Point the scratch crates at one module and bindgen's output for its header.
fn select(env: &Env, ws: &Path, m: &Module) -> Result<(), String> {
    let mut ours = String::from("#![no_std]\n#![allow(unused)]\n");
    for n in &m.needs {
        let p = env.root.join(format!("generated/src/{n}.rs"));
        let id = if n == "loop" {
            "r#loop".to_owned()
        } else {
            n.clone()
        };
        let _ = writeln!(
            ours,
            "#[rustfmt::skip]\n#[path = {:?}]\npub mod {id};",
            p.display().to_string()
        );
    }
    write(&ws.join("ours/src/lib.rs"), &ours)?;
    let bg = ws.join("theirs/src/bindgen.rs");
    write(&bg, "")?;
    let mut c = Command::new(&env.bindgen);
    c.arg(&m.header).arg("-o").arg(&bg).env(
        "LIBCLANG_PATH",
        std::env::var("LIBCLANG_PATH").unwrap_or_else(|_| "/usr/lib/llvm-19/lib".into()),
    );
    run(&mut c)?;
    write(
        &ws.join("theirs/src/lib.rs"),
        "#[rustfmt::skip]\n#[allow(non_camel_case_types, non_upper_case_globals, non_snake_case, dead_code, unsafe_op_in_unsafe_fn, clippy::all)]\npub mod bindings {\n    include!(\"bindgen.rs\");\n}\n",
    )
}

/// Rebuild one scratch crate after touching its lib.rs.
fn rebuild(
    env: &Env,
    ws: &Path,
    krate: &str,
    features: &[&str],
) -> Result<crate::measure::Run, String> {
    let lib = ws.join(krate).join("src/lib.rs");
    let text = std::fs::read(&lib).map_err(|e| format!("{}: {e}", lib.display()))?;
    std::fs::write(&lib, text).map_err(|e| format!("{}: {e}", lib.display()))?;
    let mut c = cargo(env, ws);
    c.args(["build", "--offline", "-p", krate]);
    if !features.is_empty() {
        c.arg("--features").arg(features.join(","));
    }
    run(&mut c)
}

/// rustc's `-Ztime-passes` of the `ours` crate (nightly, no incremental cache): the passes
/// that take most of the time, in ms.
fn passes(env: &Env, ws: &Path, features: &[&str]) -> Result<Vec<(String, f64)>, String> {
    // `cargo +nightly <sub> -p ours`, without an incremental cache.
    let nightly = |sub: &str| {
        let mut c = cargo_named(env, ws, "cargo".into());
        c.env_remove("RUSTUP_TOOLCHAIN")
            .env("CARGO_INCREMENTAL", "0")
            .env(
                "CARGO_TARGET_DIR",
                env.root.join("bench/target/rustc-section-nightly"),
            )
            .args(["+nightly", sub, "--offline", "-p", "ours"]);
        if !features.is_empty() {
            c.arg("--features").arg(features.join(","));
        }
        c
    };
    // Dependencies first, so that only the crate itself is profiled.
    run(&mut nightly("build"))?;
    let lib = ws.join("ours/src/lib.rs");
    let text = std::fs::read(&lib).map_err(|e| format!("{}: {e}", lib.display()))?;
    std::fs::write(&lib, text).map_err(|e| format!("{}: {e}", lib.display()))?;
    let mut c = nightly("rustc");
    c.args(["--", "-Ztime-passes"]);
    let (_, err) = output(&mut c)?;
    let wanted = [
        "total",
        "expand_crate",
        "resolve_crate",
        "type_check_crate",
        "coherence_checking",
        "MIR_borrow_checking",
        "codegen_crate",
        "LLVM_passes",
        "generate_crate_metadata",
    ];
    let mut out = Vec::new();
    for w in wanted {
        let v = err.lines().find_map(|l| {
            let (time, name) = l.strip_prefix("time:")?.split_once('\t')?;
            (name.trim() == w).then(|| time.split(';').next()?.trim().parse::<f64>().ok())?
        });
        out.push((w.to_owned(), v.map_or(f64::NAN, |s| s * 1e3)));
    }
    Ok(out)
}

fn ms(v: f64) -> String {
    format!("{v:.0} ms")
}

/// 5. rustc on each generated module against bindgen's output for the same header.
pub fn rustc(env: &Env) -> Result<Section, String> {
    let ws = scratch(env)?;
    let mods = modules(&env.root)?;
    let rounds = env.rounds.min(7);
    let mut rows = Vec::new();
    let mut worst: Option<(String, f64)> = None;
    let vfio_zerocopy = mods.iter().position(|m| m.name == "vfio");
    let mut cases: Vec<(usize, bool)> = (0..mods.len()).map(|i| (i, false)).collect();
    if let Some(i) = vfio_zerocopy {
        cases.push((i, true));
    }
    for (i, zerocopy) in cases {
        let m = &mods[i];
        select(env, &ws, m)?;
        let features: &[&str] = if zerocopy { &["zerocopy"] } else { &[] };
        // Warm: dependencies and a first build of both.
        rebuild(env, &ws, "ours", features)?;
        rebuild(env, &ws, "theirs", &[])?;
        let (mut o, mut t) = (Vec::new(), Vec::new());
        for r in 0..rounds {
            if r % 2 == 0 {
                o.push(rebuild(env, &ws, "ours", features)?);
                t.push(rebuild(env, &ws, "theirs", &[])?);
            } else {
                t.push(rebuild(env, &ws, "theirs", &[])?);
                o.push(rebuild(env, &ws, "ours", features)?);
            }
        }
        let (ow, _) = medians(&o);
        let (tw, _) = medians(&t);
        let ratio = ow / tw;
        let ours_kib: u64 = m
            .needs
            .iter()
            .map(|n| {
                std::fs::metadata(env.root.join(format!("generated/src/{n}.rs")))
                    .map_or(0, |md| md.len())
            })
            .sum::<u64>()
            / 1024;
        let theirs_kib =
            std::fs::metadata(ws.join("theirs/src/bindgen.rs")).map_or(0, |md| md.len()) / 1024;
        let label = if zerocopy {
            format!("{} (`zerocopy` feature)", m.name)
        } else {
            m.needs.join(" + ")
        };
        if !zerocopy && worst.as_ref().is_none_or(|(_, w)| ratio > *w) {
            worst = Some((m.name.clone(), ratio));
        }
        rows.push(vec![
            label,
            format!("`{}`", m.header.display()),
            ms(ow),
            ms(tw),
            format!("{ratio:.2}"),
            format!("{ours_kib} KiB vs {theirs_kib} KiB"),
        ]);
    }
    let before = passes(env, &ws, &["zerocopy"]).map_err(|e| format!("profile: {e}"));
    let after = passes(env, &ws, &[]).map_err(|e| format!("profile: {e}"));
    // The crate holds VFIO still: its zerocopy row was measured last.
    let profile = match (vfio_zerocopy, &before, &after) {
        (Some(_), Ok(b), Ok(a)) => {
            let mut s = String::from(
                "rustc's own profile of the VFIO module (`-Ztime-passes` on nightly, no incremental \
                 cache, one run each), with zerocopy's derives (the `zerocopy` feature, what every \
                 build paid before) and without (the default):\n\n\
                 | Pass | with zerocopy's derives | default |\n|---|---|---|\n",
            );
            for ((name, bv), (_, av)) in b.iter().zip(a) {
                let _ = writeln!(s, "| `{name}` | {} | {} |", ms(*bv), ms(*av));
            }
            s
        }
        (_, b, a) => format!(
            "rustc's profile could not be taken: {}",
            b.as_ref()
                .err()
                .or(a.as_ref().err())
                .cloned()
                .unwrap_or_default()
        ),
    };
    let (worst_name, worst_ratio) = worst.unwrap_or_default();
    Ok(Section {
        title: "rustc on the generated modules",
        what: format!(
            "rustc's time (dev profile, `cargo build` after touching lib.rs, dependencies warm, \
             {rounds} interleaved rounds) on each generated module whose header Debian ships \
             (the spec's `header:` is in /usr/include), against bindgen-cli's output for that \
             header with its default options. Each side is a crate of its own in a scratch \
             workspace; a module that names another (`vhost` uses `vhost_types`) is compiled \
             with it. The generated modules carry ioctl numbers, wrappers, payload enums, \
             validators and layout assertions for every ABI group; bindgen's output has types \
             and constants. The last row is VFIO with zerocopy's derives on."
        ),
        command: "scripts/bench.sh --only rustc".into(),
        header: vec![
            "Module",
            "Header",
            "uapigen (median)",
            "bindgen (median)",
            "Ratio",
            "Source size",
        ],
        rows,
        targets: vec![Target {
            what: format!(
                "rustc on every generated module at most {TARGET_RATIO}x bindgen's output for the same header"
            ),
            met: worst_ratio <= TARGET_RATIO,
            measured: format!("highest {worst_ratio:.2} ({worst_name})"),
            why: "zerocopy's derives are no longer on by default (their type checking was most \
                  of the cost: see the profile), but the modules still carry much more than \
                  bindgen's types: every ioctl's wrapper, the validators and payload codecs \
                  (type checking, borrow checking and code generation of their bodies) and the \
                  bitflags types (trait impls). Reaching 2x would take moving wrappers, \
                  validators and payload code behind features, or sharing them through generic \
                  runtime functions; not done yet."
                .into(),
        }],
        notes: vec![profile],
    })
}
