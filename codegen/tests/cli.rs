//! The `uapigen` command line: exit statuses, `--check`, determinism, atomic and
//! write-if-changed output; and the build.rs `Builder`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn uapigen(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_uapigen"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run uapigen: {e}"))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A copy of `spec/` in a temporary directory.
fn spec_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dst = tmp.path().join("spec");
    std::fs::create_dir_all(&dst).unwrap_or_else(|e| panic!("{e}"));
    for e in std::fs::read_dir(root().join("spec"))
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
    {
        if e.path().is_file() {
            std::fs::copy(e.path(), dst.join(e.file_name())).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    tmp
}

fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if e.file_name() == ".uapigen.lock" {
                // The lock a run holds while it writes (files::write_sets), not an output.
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                out.push((rel, std::fs::read(&p).unwrap_or_default()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn committed_generated_tree_is_current() {
    let o = uapigen(&root(), &["generate", "--check"]);
    assert!(
        o.status.success(),
        "generated/ is stale; run `cargo run -p uapigen -- generate`:\n{}",
        text(&o)
    );
}

#[test]
fn two_runs_give_identical_output() {
    let a = spec_copy();
    let b = spec_copy();
    for t in [&a, &b] {
        let o = uapigen(t.path(), &["generate", "--out", "gen"]);
        assert!(o.status.success(), "{}", text(&o));
    }
    let ta = tree(&a.path().join("gen"));
    assert!(ta.len() >= 5, "generate wrote {} files", ta.len());
    assert_eq!(ta, tree(&b.path().join("gen")));
    // And identical to the committed tree.
    let committed = root().join("generated");
    for (rel, bytes) in &ta {
        assert_eq!(
            std::fs::read(committed.join(rel)).ok().as_ref(),
            Some(bytes),
            "{} differs from generated/",
            rel.display()
        );
    }
}

/// `--timings` names every phase once, with a time, and leaves the output as without it.
#[test]
fn timings_name_every_phase() {
    let a = spec_copy();
    let o = uapigen(a.path(), &["generate", "--out", "gen", "--timings"]);
    assert!(o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    for phase in [
        "parse (YAML)",
        "resolve",
        "layout (18 ABIs)",
        "render Rust module (all cores)",
        "render C, assertions, probe (thread)",
        "write files",
        "total",
    ] {
        let lines: Vec<&str> = err
            .lines()
            .filter(|l| l.trim_start().starts_with(phase))
            .collect();
        assert_eq!(lines.len(), 1, "phase `{phase}` in:\n{err}");
        assert!(lines[0].trim_end().ends_with(" ms"), "{}", lines[0]);
    }
    let b = spec_copy();
    let o = uapigen(b.path(), &["generate", "--out", "gen"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("timings"));
    assert_eq!(tree(&a.path().join("gen")), tree(&b.path().join("gen")));
}

#[test]
fn unchanged_output_is_not_rewritten() {
    let t = spec_copy();
    let o = uapigen(t.path(), &["generate", "--out", "gen"]);
    assert!(o.status.success(), "{}", text(&o));
    let f = t.path().join("gen/src/vfio.rs");
    let before = std::fs::metadata(&f)
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    let o = uapigen(t.path(), &["generate", "--out", "gen"]);
    assert!(
        text(&o).contains("0 of "),
        "second run changed files:\n{}",
        text(&o)
    );
    let after = std::fs::metadata(&f)
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(before, after);
}

#[test]
fn check_reports_a_stale_file_with_a_diff() {
    let t = spec_copy();
    assert!(
        uapigen(t.path(), &["generate", "--out", "gen"])
            .status
            .success()
    );
    let h = t.path().join("gen/include/linux/vfio.h");
    let old = std::fs::read_to_string(&h).unwrap_or_default();
    std::fs::write(
        &h,
        old.replace(
            "#define VFIO_BASE                       100",
            "#define VFIO_BASE 101",
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = uapigen(t.path(), &["generate", "--out", "gen", "--check"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = text(&o);
    assert!(
        out.contains("-#define VFIO_BASE 101") && out.contains("+#define VFIO_BASE"),
        "unified diff expected:\n{out}"
    );
}

#[test]
fn exit_statuses() {
    let t = spec_copy();
    // 1: spec errors, rendered with file:line:column.
    let bad = t.path().join("spec/bad.yaml");
    std::fs::write(
        &bad,
        "name: bad\nheader: linux/bad.h\nconstants:\n  - { name: BAD_A, value: NOPE }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = uapigen(t.path(), &["check"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("spec/bad.yaml:4:"), "{}", text(&o));
    // 2: I/O errors and usage errors.
    let o = uapigen(t.path(), &["check", "spec/missing.yaml"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = uapigen(t.path(), &["generate", "--frobnicate"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    // 0: valid specs.
    std::fs::remove_file(&bad).unwrap_or_else(|e| panic!("{e}"));
    let o = uapigen(t.path(), &["check"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn a_failing_spec_leaves_every_output_untouched() {
    let t = spec_copy();
    assert!(
        uapigen(t.path(), &["generate", "--out", "gen"])
            .status
            .success()
    );
    let before = tree(&t.path().join("gen"));
    // Change a good spec (its output would change) and add a bad one.
    let vfio = t.path().join("spec/vfio.yaml");
    let s = std::fs::read_to_string(&vfio).unwrap_or_default();
    std::fs::write(&vfio, s.replace("value: 100", "value: 101")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        t.path().join("spec/zzz.yaml"),
        "name: zzz\nheader: linux/zzz.h\nstructs:\n  - name: zzz_s\n    fields: []\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = uapigen(t.path(), &["generate", "--out", "gen"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(
        before,
        tree(&t.path().join("gen")),
        "nothing may be written when a spec fails"
    );
}

#[test]
fn builder_writes_into_out_dir() {
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let g = uapigen::Builder::new()
        .spec(root().join("spec/vfio.yaml"))
        .out_dir(out.path())
        .emit_rerun_if_changed(false)
        .generate()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(g.inputs.len(), 1);
    for f in ["vfio.rs", "include/linux/vfio.h", "vfio_layout.c"] {
        assert!(out.path().join(f).exists(), "{f} missing");
    }
    assert_eq!(g.written.len(), g.outputs.len());
    // The committed crate module is the same code plus C-name aliases behind a feature.
    let built = std::fs::read_to_string(out.path().join("vfio.rs")).unwrap_or_default();
    let committed =
        std::fs::read_to_string(root().join("generated/src/vfio.rs")).unwrap_or_default();
    assert!(
        !built.contains("feature = \"c-names\"") && committed.contains("feature = \"c-names\"")
    );
    assert!(
        built.lines().all(|l| committed.contains(l)),
        "every line of the build.rs output is in the committed module"
    );
    let again = uapigen::Builder::new()
        .spec(root().join("spec/vfio.yaml"))
        .out_dir(out.path())
        .emit_rerun_if_changed(false)
        .generate();
    assert!(
        again.is_ok_and(|g| g.written.is_empty()),
        "a second build rewrites nothing"
    );
}

#[test]
fn builder_reports_spec_errors_as_plain_lines() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let spec = dir.path().join("x.yaml");
    std::fs::write(
        &spec,
        "name: x\nheader: linux/x.h\nconstants:\n  - { name: X_A, value: 1 << }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let err = uapigen::Builder::new()
        .spec(&spec)
        .out_dir(dir.path())
        .emit_rerun_if_changed(false)
        .generate()
        .err();
    let msg = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        msg.contains("x.yaml:4:") && msg.contains("error[E0201]") && msg.contains("hint:"),
        "{msg}"
    );
    assert!(!dir.path().join("x.rs").exists());
}

#[test]
fn layout_report_names_the_structs_that_differ_on_i386_and_m68k() {
    let o = uapigen(&root(), &["layout", "spec/vfio.yaml", "--all-abis"]);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    // Hand-derived: argsz, flags (4+4), iova_pgsizes (8 at 8), cap_offset (4 at 16) = 20 bytes;
    // 8-aligned u64 pads it to 24, a 4-aligned one (i386, sh4) or 2-aligned (m68k) does not.
    let section = out
        .split("struct vfio_iommu_type1_info\n")
        .nth(1)
        .unwrap_or_default();
    assert!(section.starts_with("    size   24: x86_64,"), "{out}");
    assert!(
        section
            .lines()
            .nth(1)
            .is_some_and(|l| l.contains("size   20: i386, m68k, sh4")),
        "{out}"
    );
    // u32 flags at 8 then a u64: 4 on i386 puts it at 12 instead of 16.
    assert!(
        out.contains("moved: pgsize_bitmap at 12, max_dirty_bitmap_size at 20"),
        "{out}"
    );
    assert!(
        out.contains("Structs that differ in alignment only"),
        "{out}"
    );
}

#[test]
fn layout_report_shows_holes_and_json() {
    let o = uapigen(&root(), &["layout", "spec/vfio.yaml"]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    // vfio_iommu_type1_info on x86_64: 4 bytes of tail padding after cap_offset.
    let s = out
        .split("struct vfio_iommu_type1_info {")
        .nth(1)
        .unwrap_or_default();
    assert!(s.contains("tail padding: 4 bytes"), "{out}");
    // vfio_iommu_type1_info_cap_migration: a 4-byte hole before pgsize_bitmap.
    let s = out
        .split("struct vfio_iommu_type1_info_cap_migration {")
        .nth(1)
        .unwrap_or_default();
    assert!(s.contains("XXX 4 byte hole at 12"), "{out}");
    let o = uapigen(
        &root(),
        &["layout", "spec/vfio.yaml", "--abi", "i386", "--json"],
    );
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)));
    assert_eq!(v["abis"][0]["abi"], "i386");
    let o = uapigen(&root(), &["layout", "spec/vfio.yaml", "--abi", "vax"]);
    assert_eq!(o.status.code(), Some(2));
}

/// [harden] 8: `generate -o D spec.yaml` writes below D only (the schema goes next to the
/// spec folder's specs, and only when generating that folder), and `--check` names D.
#[test]
fn generate_writes_only_below_its_output() {
    let t = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        t.path().join("one.yaml"),
        "name: one\nheader: linux/one.h\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = uapigen(t.path(), &["generate", "-o", "out", "one.yaml"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        !t.path().join("spec").exists(),
        "generate wrote ./spec: {}",
        text(&o)
    );
    let mut top: Vec<String> = std::fs::read_dir(t.path())
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["one.yaml", "out"], "{}", text(&o));
    let o = uapigen(t.path(), &["generate", "--check", "-o", "out", "one.yaml"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("out is up to date"), "{}", text(&o));
}

/// [harden] 8: the revision of `compat REV:path` never reaches git as an option.
#[test]
fn compat_revision_is_never_an_option() {
    let t = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let target = t.path().join("written-by-git");
    let arg = format!("--output={}:spec/vfio.yaml", target.display());
    let spec = root().join("spec/vfio.yaml");
    let o = uapigen(
        &root(),
        &["compat", "--", &arg, &spec.display().to_string()],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("not an option"), "{}", text(&o));
    assert!(!target.exists(), "git wrote {}", target.display());
}

/// [harden] 6: a FIFO, a device and a link to one are refused before they are read (a
/// FIFO would hang the read, /dev/zero would grow it without bound).
#[test]
fn non_regular_specs_are_refused() {
    let t = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let fifo = t.path().join("fifo.yaml");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap_or_else(|e| panic!("mkfifo (coreutils) is needed: {e}"));
    assert!(made.success());
    let link = t.path().join("zero.yaml");
    std::os::unix::fs::symlink("/dev/zero", &link).unwrap_or_else(|e| panic!("{e}"));
    for p in [fifo, link, PathBuf::from("/dev/zero")] {
        let o = uapigen(t.path(), &["check", &p.display().to_string()]);
        assert_eq!(o.status.code(), Some(2), "{}: {}", p.display(), text(&o));
        assert!(
            text(&o).contains("not a regular file") || text(&o).contains("symbolic link"),
            "{}",
            text(&o)
        );
    }
    // A used spec that is a FIFO: a diagnostic at the `uses`, no hang.
    std::fs::write(
        t.path().join("top.yaml"),
        "name: top\nheader: linux/top.h\nuses: [fifo]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = uapigen(t.path(), &["check", "top.yaml"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("not a regular file"), "{}", text(&o));
}

/// [harden] 8: a spec that is a symbolic link is not followed, so a link to a secret in a
/// folder of specs (given directly, found by `--spec-dir`, or reached through `uses`) is
/// never read, and never quoted in a diagnostic.
#[test]
fn symlinked_specs_are_not_followed() {
    let t = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let secret = t.path().join("secret.txt");
    std::fs::write(&secret, "TOKEN=hunter2-secret\n").unwrap_or_else(|e| panic!("{e}"));
    let specs = t.path().join("spec");
    std::fs::create_dir(&specs).unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink(&secret, specs.join("leak.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let runs: [&[&str]; 3] = [
        &["check", "spec/leak.yaml"],
        &["check", "--spec-dir", "spec"],
        &["generate", "--spec-dir", "spec", "-o", "out"],
    ];
    for args in runs {
        let o = uapigen(t.path(), args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(text(&o).contains("symbolic link"), "{args:?}: {}", text(&o));
        assert!(
            !text(&o).contains("hunter2"),
            "{args:?} quoted the secret: {}",
            text(&o)
        );
    }
    // Reached through `uses`: an error at the `uses` entry, the secret not quoted.
    std::fs::write(
        specs.join("top.yaml"),
        "name: top\nheader: linux/top.h\nuses: [leak]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = uapigen(t.path(), &["check", "spec/top.yaml"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("symbolic link"), "{}", text(&o));
    assert!(text(&o).contains("top.yaml:3:"), "{}", text(&o));
    assert!(
        !text(&o).contains("hunter2"),
        "quoted the secret: {}",
        text(&o)
    );
    // The link's target, named itself, is read as the user asked.
    let o = uapigen(t.path(), &["check", &secret.display().to_string()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}

/// [real-c] 7: generating one spec also generates the specs it uses (transitively), so the
/// crate it writes has every module its `super::` paths name; `lib.rs` lists them all.
#[test]
fn generating_a_spec_generates_what_it_uses() {
    let t = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let specs = t.path().join("spec");
    std::fs::create_dir(&specs).unwrap_or_else(|e| panic!("{e}"));
    let write = |name: &str, text: &str| {
        std::fs::write(specs.join(name), text).unwrap_or_else(|e| panic!("{e}"));
    };
    write(
        "base.yaml",
        "name: base\nheader: linux/base.h\nstructs:\n  - name: base_s\n    fields:\n      - { name: a, type: u32 }\n",
    );
    write(
        "mid.yaml",
        "name: mid\nheader: linux/mid.h\nuses: [base]\nstructs:\n  - name: mid_s\n    fields:\n      - { name: b, type: struct base_s }\n",
    );
    write(
        "top.yaml",
        "name: top\nheader: linux/top.h\nuses: [mid]\nstructs:\n  - name: top_s\n    fields:\n      - { name: c, type: struct mid_s }\n",
    );
    let o = uapigen(t.path(), &["generate", "spec/top.yaml", "-o", "out"]);
    assert!(o.status.success(), "{}", text(&o));
    let lib = std::fs::read_to_string(t.path().join("out/src/lib.rs")).unwrap_or_default();
    for m in ["base", "mid", "top"] {
        assert!(
            lib.contains(&format!("pub mod {m};")),
            "lib.rs lacks {m}:\n{lib}"
        );
        assert!(
            t.path().join(format!("out/src/{m}.rs")).is_file(),
            "no {m}.rs"
        );
        assert!(
            t.path().join(format!("out/include/linux/{m}.h")).is_file(),
            "no {m}.h"
        );
    }
    let top = std::fs::read_to_string(t.path().join("out/src/top.rs")).unwrap_or_default();
    assert!(top.contains("super::mid::MidS"), "{top}");
    let o = uapigen(
        t.path(),
        &["generate", "--check", "spec/top.yaml", "-o", "out"],
    );
    assert!(o.status.success(), "{}", text(&o));
}

/// Every argument and option of every subcommand says what it is in `--help`.
#[test]
fn every_argument_has_help() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let top = text(&uapigen(tmp.path(), &["--help"]));
    let subs: Vec<String> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|s| s != "help")
        .collect();
    assert!(subs.len() >= 8, "{top}");
    let mut bare = Vec::new();
    for s in &subs {
        let help = text(&uapigen(tmp.path(), &[s, "--help"]));
        let mut section = false;
        for l in help.lines() {
            if l == "Arguments:" || l == "Options:" {
                section = true;
                continue;
            }
            if l.trim().is_empty() {
                section = false;
                continue;
            }
            // An entry starts with two spaces and `<`, `[` or `-`; its help follows after
            // at least two spaces on the same line (clap's layout).
            let t = l.trim_start();
            if section && l.starts_with("  ") && t.starts_with(['<', '[', '-']) {
                let described = t.split("  ").filter(|p| !p.trim().is_empty()).count() >= 2;
                if !described {
                    bare.push(format!("{s}: {t}"));
                }
            }
        }
    }
    assert!(
        bare.is_empty(),
        "arguments without help:\n{}",
        bare.join("\n")
    );
}

/// `uapigen explain` for an error code, a lint rule, and a code that does not exist.
#[test]
fn explain_says_what_a_code_means() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let e = uapigen(tmp.path(), &["explain", "E0103"]);
    assert!(e.status.success(), "{}", text(&e));
    let t = text(&e);
    assert!(
        t.contains("E0103: a type name does not refer") && t.contains("error[E0103]"),
        "{t}"
    );
    let l = uapigen(tmp.path(), &["lint", "--explain", "L0101"]);
    assert!(
        l.status.success() && text(&l).contains("implicit-padding"),
        "{}",
        text(&l)
    );
    let also = uapigen(tmp.path(), &["lint", "--explain", "E0103"]);
    assert!(also.status.success(), "{}", text(&also));
    let bad = uapigen(tmp.path(), &["explain", "E9999"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad).contains("no error code"), "{}", text(&bad));
}

/// `uapigen init NAME` writes a spec that `check`, `lint` (no finding) and `generate`
/// accept, prints its path as given, and never overwrites a file.
#[test]
fn init_writes_a_starter_spec_that_passes() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = tmp.path();
    let o = uapigen(d, &["init", "my_dev"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("wrote my_dev.yaml"), "{}", text(&o));
    let c = uapigen(d, &["check", "my_dev.yaml"]);
    assert!(c.status.success(), "{}", text(&c));
    let l = uapigen(d, &["lint", "my_dev.yaml"]);
    assert!(l.status.success(), "{}", text(&l));
    assert!(
        text(&l).contains("0 finding(s) not allowed"),
        "{}",
        text(&l)
    );
    let g = uapigen(d, &["generate", "my_dev.yaml", "-o", "out"]);
    assert!(g.status.success(), "{}", text(&g));
    assert!(d.join("out/include/linux/my_dev.h").exists());
    let again = uapigen(d, &["init", "my_dev"]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    let bad = uapigen(d, &["init", "My-Dev"]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    std::fs::create_dir_all(d.join("specs")).unwrap_or_else(|e| panic!("{e}"));
    let sub = uapigen(d, &["init", "other", "-o", "specs"]);
    assert!(
        text(&sub).contains("wrote specs/other.yaml"),
        "{}",
        text(&sub)
    );
}

/// `uapigen doc`: a reference page per spec and an index; `--check` fails on a stale page
/// with a diff and passes on a current one. The numbers on the page are the kernel's:
/// NS_GET_USERNS is `_IO(0xb7, 0x1)`, 0xb701 where _IO is 0 and 0x2000b701 where it is
/// 0x20000000 (powerpc, mips, sparc, alpha), written here by hand from <linux/nsfs.h> and
/// the architectures' ioctl.h.
#[test]
fn doc_writes_a_reference_page_per_spec() {
    let tmp = spec_copy();
    let o = uapigen(tmp.path(), &["doc", "spec/nsfs.yaml", "-o", "pages"]);
    assert!(o.status.success(), "{}", text(&o));
    let page = std::fs::read_to_string(tmp.path().join("pages/nsfs.md")).unwrap_or_default();
    let row = page
        .lines()
        .find(|l| l.starts_with("| `NS_GET_USERNS` |"))
        .unwrap_or_else(|| panic!("no NS_GET_USERNS row:\n{page}"));
    assert!(
        row.contains("`0x0000b701` (x86, arm64, arm, s390, riscv, m68k, parisc, sh)")
            && row.contains("`0x2000b701` (powerpc, mips, sparc, alpha)"),
        "{row}"
    );
    let index = std::fs::read_to_string(tmp.path().join("pages/README.md")).unwrap_or_default();
    assert!(
        index.contains("| [nsfs](nsfs.md) | `<linux/nsfs.h>` |"),
        "{index}"
    );

    let check = uapigen(
        tmp.path(),
        &["doc", "spec/nsfs.yaml", "-o", "pages", "--check"],
    );
    assert!(check.status.success(), "{}", text(&check));
    std::fs::write(
        tmp.path().join("pages/nsfs.md"),
        page.replace("0x0000b701", "0x0"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let stale = uapigen(
        tmp.path(),
        &["doc", "spec/nsfs.yaml", "-o", "pages", "--check"],
    );
    assert_eq!(stale.status.code(), Some(1), "{}", text(&stale));
    assert!(
        text(&stale).contains("+| `NS_GET_USERNS`"),
        "{}",
        text(&stale)
    );
}
