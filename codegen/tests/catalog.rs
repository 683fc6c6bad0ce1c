//! The error catalog, docs/errors.md: every error code and lint rule with a minimal bad spec
//! and the exact message uapigen prints for it. The file is rendered from the fixtures
//! (tests/errors, tests/lints) by this test and must match; a code without an entry fails.
//! Regenerate with `UAPIGEN_UPDATE_CATALOG=1 cargo test -p uapigen --test catalog`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(sub)
}

fn fixtures(sub: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir(sub))
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    v.sort();
    v
}

fn render_error(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let rel = Path::new("bad.yaml");
    let r = uapigen::compile_str(rel, &text).and_then(|m| uapigen::lint::lint(&m).map(|_| m));
    match r {
        Ok(_) => panic!("{} is not an error", path.display()),
        Err(d) => d.plain(),
    }
}

fn render_lint(path: &Path, rule: uapigen::lint::Rule) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let m = uapigen::compile_str("bad.yaml", &text).unwrap_or_else(|d| panic!("{}", d.plain()));
    let f = uapigen::lint::lint(&m).unwrap_or_else(|d| panic!("{}", d.plain()));
    let mine: Vec<_> = f.into_iter().filter(|x| x.rule == rule).collect();
    uapigen::lint::render(&m, &mine)
}

/// `uapigen check` on `file` in `dir`: its exit status and what it prints.
fn check_output(dir: &Path, file: &str) -> String {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_uapigen"))
        .args(["check", file])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("uapigen: {e}"));
    let mut text = String::from_utf8_lossy(&o.stderr).into_owned();
    text.push_str(&String::from_utf8_lossy(&o.stdout));
    format!(
        "$ uapigen check {file}\n{}(exit status {})\n",
        text.trim_start(),
        o.status.code().unwrap_or(-1)
    )
}

/// Errors without a code: specs that cannot be read, the macros' spec paths, and the
/// runtime's encoders. Rendered from the real outputs (the CLI run here, the macros'
/// compile-fail expectations that trybuild checks).
fn uncoded() -> String {
    let t = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = t.path();
    std::fs::write(d.join("target.yaml"), "name: a\n").unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink("target.yaml", d.join("link.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let fifo = std::process::Command::new("mkfifo")
        .arg(d.join("fifo.yaml"))
        .status()
        .unwrap_or_else(|e| panic!("mkfifo (coreutils) is needed: {e}"));
    assert!(fifo.success());
    std::fs::write(
        d.join("top.yaml"),
        "name: top\nheader: linux/top.h\nuses: [link]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut s = String::from(
        "## Errors without a code\n\n\
         ### Specs that cannot be read\n\n\
         A spec is read only from a regular file of at most 16 MiB, and not through a symbolic \
         link (its text is quoted in diagnostics, so a link could make uapigen print a file \
         from anywhere). Given directly or in `--spec-dir`, such a spec is an I/O error of the \
         run (exit status 2, nothing written); reached through `uses`, an E0505 at the entry.\n\n",
    );
    for f in ["link.yaml", "fifo.yaml", "top.yaml"] {
        let _ = write!(s, "```\n{}```\n\n", check_output(d, f));
    }
    s.push_str(
        "### Spec paths of `include_spec!` and `#[uapi(spec = ...)]`\n\n\
         A path is relative to the crate and searched in its folder and the parent folders up \
         to the workspace root, never higher; an absolute path, or one that leaves the root \
         through `..` or a link, is refused (from `macros/tests/ui/*.stderr`, which trybuild \
         checks):\n\n",
    );
    for ui in ["spec_not_found", "spec_outside_workspace"] {
        let p = dir("../../macros/tests/ui").join(format!("{ui}.stderr"));
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let _ = write!(s, "```\n{text}```\n\n");
    }
    s.push_str(
        "### Encoders of the runtime (`uapigen_runtime::Reject`)\n\n\
         `encode_into`, `encode` and `fill` of a payload check every length and count against \
         the field that carries it before writing anything: one that does not fit (2^30 \
         eventfds make 4 GiB, more than `__u32 argsz` holds) is `EINVAL` naming the field, \
         `vfio_irq_set.argsz: the value is larger than the field holds (EINVAL)`; the \
         generated wrappers return the same errno without calling the kernel \
         (`tests/tests/payload_rejections.rs`).\n\n",
    );
    s
}

fn catalog() -> String {
    let mut s = String::from(
        "# uapigen error and lint catalog\n\n<!-- @generated by `UAPIGEN_UPDATE_CATALOG=1 cargo test -p uapigen --test catalog` from codegen/tests/errors and codegen/tests/lints. Do not edit. -->\n\nEvery error code and lint rule, with a minimal spec that triggers it and the exact\nmessage (`uapigen check` prints the same with the YAML line underlined). Each entry is\nchecked by the test suite.\n\n## Errors\n\n",
    );
    let errs = fixtures("errors");
    for code in uapigen::Code::ALL {
        let mine: Vec<&PathBuf> = errs
            .iter()
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(code.as_str()))
            })
            .collect();
        assert!(
            !mine.is_empty(),
            "no fixture for {code} in tests/errors: add one"
        );
        let _ = write!(s, "### {code}: {}\n\n", code.summary());
        // Every fixture of the code: each is one way to get it.
        for f in mine {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            let _ = write!(s, "```yaml\n{}```\n\n```\n{}```\n\n", text, render_error(f));
        }
    }
    s.push_str(&uncoded());
    s.push_str("## Lint rules (`uapigen lint`)\n\n");
    for rule in uapigen::lint::Rule::ALL {
        let f = dir("lints").join(format!("{}-trigger.yaml", rule.id()));
        let text = std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let _ = write!(
            s,
            "### {} {}: {}\n\n{}\n\n```yaml\n{}```\n\n```\n{}```\n\n",
            rule.id(),
            rule.name(),
            rule.summary(),
            rule.explanation(),
            text,
            render_lint(&f, *rule)
        );
    }
    s
}

/// `codegen/src/explain_examples.rs`: the first fixture of every error code with its
/// message, which `uapigen explain CODE` prints.
fn examples() -> String {
    let mut s = String::from(
        "//! @generated by `UAPIGEN_UPDATE_CATALOG=1 cargo test -p uapigen --test catalog` from\n//! codegen/tests/errors: the first example of every error code, for `uapigen explain`.\n//! Do not edit.\n\n/// (code, a spec that gets it, the message).\npub(crate) const EXAMPLES: &[(&str, &str, &str)] = &[\n",
    );
    let errs = fixtures("errors");
    for code in uapigen::Code::ALL {
        let Some(f) = errs.iter().find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(code.as_str()))
        }) else {
            continue;
        };
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let _ = writeln!(
            s,
            "    (\n        {:?},\n        r####\"{text}\"####,\n        r####\"{}\"####,\n    ),",
            code.as_str(),
            render_error(f)
        );
    }
    s.push_str("];\n");
    s
}

#[test]
fn explain_examples_are_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/explain_examples.rs");
    let want = examples();
    if std::env::var_os("UAPIGEN_UPDATE_CATALOG").is_some() {
        std::fs::write(&path, &want).unwrap_or_else(|e| panic!("{e}"));
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "codegen/src/explain_examples.rs is stale: run UAPIGEN_UPDATE_CATALOG=1 cargo test -p uapigen --test catalog"
    );
    // Every error and lint code has an explanation.
    for code in uapigen::Code::ALL {
        let e = uapigen::explain::explain(code.as_str())
            .unwrap_or_else(|| panic!("no explanation of {code}"));
        assert!(e.contains(code.summary()) && e.contains("error["), "{e}");
    }
    for rule in uapigen::lint::Rule::ALL {
        let e = uapigen::explain::explain(rule.id())
            .unwrap_or_else(|| panic!("no explanation of {}", rule.id()));
        assert!(e.contains(rule.explanation()), "{e}");
    }
    assert!(uapigen::explain::explain("E9999").is_none());
}

#[test]
fn catalog_covers_every_code_and_matches() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/errors.md");
    let want = catalog();
    if std::env::var_os("UAPIGEN_UPDATE_CATALOG").is_some() {
        std::fs::write(&path, &want).unwrap_or_else(|e| panic!("{e}"));
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    for code in uapigen::Code::ALL {
        assert!(
            have.contains(&format!("### {code}:")),
            "docs/errors.md has no entry for {code}"
        );
    }
    for rule in uapigen::lint::Rule::ALL {
        assert!(
            have.contains(&format!("### {} ", rule.id())),
            "docs/errors.md has no entry for {}",
            rule.id()
        );
    }
    assert!(
        have == want,
        "docs/errors.md is stale: run UAPIGEN_UPDATE_CATALOG=1 cargo test -p uapigen --test catalog"
    );
}
