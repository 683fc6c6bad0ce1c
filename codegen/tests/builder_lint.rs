//! `Builder::lint`: Off (the default) reports nothing, Warn returns the findings the spec
//! does not allow, Deny fails before anything is written; allowed findings never warn or
//! fail; an `allow` naming no rule is a spec error at every level.

use std::path::{Path, PathBuf};

use uapigen::{BuildError, Builder, Code, LintLevel};

/// One finding: L0101, a 4 byte hole before `b` (line 4, column 11 is `demo_s`).
const PADDED: &str = "name: demo\nheader: linux/demo.h\nstructs:\n  - name: demo_s\n    fields:\n      - { name: a, type: u32 }\n      - { name: b, type: aligned_u64 }\n";

/// The same struct with the finding allowed.
const ALLOWED: &str = "name: demo\nheader: linux/demo.h\nstructs:\n  - name: demo_s\n    allow: { L0101: \"kept for compatibility with the shipped ABI\" }\n    fields:\n      - { name: a, type: u32 }\n      - { name: b, type: aligned_u64 }\n";

/// A spec in its own directory, and an empty output directory next to it.
struct Case {
    _dir: tempfile::TempDir,
    spec: PathBuf,
    out: PathBuf,
}

fn case(text: &str) -> Case {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let spec = dir.path().join("demo.yaml");
    std::fs::write(&spec, text).unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap_or_else(|e| panic!("{e}"));
    Case {
        _dir: dir,
        spec,
        out,
    }
}

fn builder(c: &Case, level: Option<LintLevel>) -> Builder {
    let b = Builder::new()
        .spec(&c.spec)
        .out_dir(&c.out)
        .emit_rerun_if_changed(false);
    match level {
        Some(l) => b.lint(l),
        None => b,
    }
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .map(|e| e.path())
        .collect();
    v.sort();
    v
}

#[test]
fn off_is_the_default_and_reports_nothing() {
    for level in [None, Some(LintLevel::Off)] {
        let c = case(PADDED);
        let g = builder(&c, level)
            .generate()
            .unwrap_or_else(|e| panic!("{level:?}: {e}"));
        assert!(g.warnings.is_empty(), "{level:?}: {:?}", g.warnings);
        assert!(!g.written.is_empty(), "{level:?}: writes the outputs");
    }
    assert_eq!(LintLevel::default(), LintLevel::Off);
}

#[test]
fn warn_returns_the_finding_and_still_writes() {
    let c = case(PADDED);
    let g = builder(&c, Some(LintLevel::Warn))
        .generate()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(g.warnings.len(), 1, "{:?}", g.warnings);
    let want = format!(
        "{}:4:11: L0101 implicit-padding: struct demo_s has 4 byte hole before `b` on ",
        c.spec.display()
    );
    assert!(g.warnings[0].starts_with(&want), "{}", g.warnings[0]);
    assert!(g.warnings[0].contains("(hint: "), "{}", g.warnings[0]);
    assert!(!g.warnings[0].contains('\n'), "{}", g.warnings[0]);
    assert!(c.out.join("demo.rs").is_file());
    assert!(g.outputs.iter().all(|p| p.is_file()));
}

#[test]
fn deny_fails_and_writes_nothing() {
    let c = case(PADDED);
    match builder(&c, Some(LintLevel::Deny)).generate() {
        Err(BuildError::Lint(lines)) => {
            assert_eq!(lines.len(), 1, "{lines:?}");
            assert!(
                lines[0].starts_with(&format!("{}:4:11: L0101 ", c.spec.display())),
                "{lines:?}"
            );
            let shown = BuildError::Lint(lines.clone()).to_string();
            assert!(
                shown.contains("1 lint finding(s)") && shown.contains(&lines[0]),
                "{shown}"
            );
        }
        Err(e) => panic!("another error: {e}"),
        Ok(g) => panic!("Deny built with findings: {:?}", g.written),
    }
    assert_eq!(files_in(&c.out), Vec::<PathBuf>::new(), "nothing written");
}

#[test]
fn allowed_findings_never_warn_or_fail() {
    for level in [LintLevel::Off, LintLevel::Warn, LintLevel::Deny] {
        let c = case(ALLOWED);
        let g = builder(&c, Some(level))
            .generate()
            .unwrap_or_else(|e| panic!("{level:?}: {e}"));
        assert!(g.warnings.is_empty(), "{level:?}: {:?}", g.warnings);
        assert!(c.out.join("demo.rs").is_file(), "{level:?}");
    }
}

#[test]
fn an_unknown_rule_in_allow_fails_at_every_level() {
    let text = ALLOWED.replace("L0101", "L9999");
    for level in [LintLevel::Off, LintLevel::Warn, LintLevel::Deny] {
        let c = case(&text);
        match builder(&c, Some(level)).generate() {
            Err(BuildError::Spec(d)) => {
                assert!(
                    d.list
                        .iter()
                        .any(|x| x.code == Code::UnknownLint
                            && (x.span.line, x.span.column) == (5, 14)),
                    "{level:?}: {}",
                    d.plain()
                );
            }
            Err(e) => panic!("{level:?}: another error: {e}"),
            Ok(_) => panic!("{level:?}: built"),
        }
        assert_eq!(files_in(&c.out), Vec::<PathBuf>::new(), "{level:?}");
    }
}

#[test]
fn compile_str_reports_an_unknown_rule_at_the_entry() {
    let text = "name: demo\nheader: linux/demo.h\nflags:\n  - name: demo_flags\n    allow: { L9999: \"x\" }\n    bits:\n      - { name: DEMO_A, bit: 0 }\nioctls:\n  - name: DEMO_IO\n    dir: none\n    type: 0x3b\n    nr: 1\n    allow: { L0107: \"\" }\n";
    let d = match uapigen::compile_str("demo.yaml", text) {
        Ok(_) => panic!("compiles"),
        Err(d) => d,
    };
    let at: Vec<(Code, u32, u32)> = d
        .list
        .iter()
        .map(|x| (x.code, x.span.line, x.span.column))
        .collect();
    assert_eq!(
        at,
        [(Code::UnknownLint, 5, 14), (Code::UnknownLint, 13, 14)],
        "{}",
        d.plain()
    );
    assert!(d.list[0].message.contains("`L9999`"), "{}", d.plain());
    assert!(
        d.list[1].message.contains("needs a reason"),
        "{}",
        d.plain()
    );
    assert!(d.list.iter().all(|x| x.hint.is_some()), "{}", d.plain());
}
