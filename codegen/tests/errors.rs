//! Every spec error the parser, resolver and layout pass can raise: one fixture per error
//! (tests/errors/<CODE>-<what>.yaml), its rendered message under snapshot, no panic, and
//! every error code covered by at least one fixture.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/errors");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    v.sort();
    v
}

fn render(path: &Path) -> (uapigen::Diagnostics, String) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let rel = Path::new("tests/errors").join(path.file_name().unwrap_or_default());
    // `allow` errors (E0601) come from compiling; lint runs too, as `uapigen lint` does.
    let result = uapigen::compile_str(&rel, &text).and_then(|m| uapigen::lint::lint(&m).map(|_| m));
    match result {
        Ok(_) => panic!(
            "{} compiles and lints, but it is an error fixture",
            rel.display()
        ),
        Err(d) => {
            let s = format!("{}\n{}", d.plain(), d.fancy());
            (d, s)
        }
    }
}

#[test]
fn each_fixture_reports_its_error() {
    for path in fixtures() {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let code = stem.split('-').next().unwrap_or_default();
        let (diags, rendered) = render(&path);
        assert!(
            diags.list.iter().any(|d| d.code.as_str() == code),
            "{stem}: expected {code}, got:\n{rendered}"
        );
        for d in &diags.list {
            assert!(
                d.span.line >= 1 && d.span.column >= 1,
                "{stem}: every error has a line and column"
            );
            assert!(
                d.hint.is_some(),
                "{stem}: every error has a hint: {}",
                d.plain()
            );
            assert!(
                d.plain().starts_with("tests/errors/"),
                "{stem}: plain form starts with the file"
            );
        }
        insta::assert_snapshot!(stem, rendered);
    }
}

#[test]
fn every_error_code_has_a_fixture() {
    let covered: BTreeSet<String> = fixtures()
        .iter()
        .filter_map(|p| {
            p.file_stem()?
                .to_str()?
                .split('-')
                .next()
                .map(str::to_owned)
        })
        .collect();
    let missing: Vec<&str> = uapigen::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !covered.contains(*c))
        .collect();
    assert!(
        missing.is_empty(),
        "error codes without a fixture in tests/errors: {missing:?}"
    );
}
