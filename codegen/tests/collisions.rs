//! Specs whose outputs would be the same files ([harden] 5): two specs of one `name` or one
//! `header` are an error at that key of the second spec, and nothing is generated.

use uapigen::builder_api::{BuildError, compile_all};

fn write(dir: &std::path::Path, file: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(file);
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("{e}"));
    p
}

fn diagnostics(r: Result<Vec<uapigen::Model>, BuildError>) -> uapigen::Diagnostics {
    match r {
        Err(BuildError::Spec(d)) => d,
        Err(e) => panic!("expected spec errors, got {e}"),
        Ok(_) => panic!("two specs with one output were accepted"),
    }
}

#[test]
fn two_specs_with_one_header_are_an_error_at_the_header() {
    let t = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let a = write(t.path(), "a.yaml", "name: a\nheader: linux/same.h\n");
    let b = write(t.path(), "b.yaml", "name: b\nheader: linux/same.h\n");
    let d = diagnostics(compile_all(&[a, b.clone()]));
    let x = &d.list[0];
    assert_eq!(x.code.as_str(), "E0101", "{}", d.plain());
    assert_eq!((x.span.line, x.span.column), (2, 9), "{}", d.plain());
    assert!(
        d.plain().contains(&format!("{}:2:9", b.display())),
        "{}",
        d.plain()
    );
    assert!(
        x.message.contains("`header` (linux/same.h)"),
        "{}",
        x.message
    );
}

#[test]
fn two_specs_with_one_name_are_an_error_at_the_name() {
    let t = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let a = write(t.path(), "a.yaml", "name: same\nheader: linux/a.h\n");
    let b = write(t.path(), "b.yaml", "name: same\nheader: linux/b.h\n");
    let d = diagnostics(compile_all(&[a, b]));
    let x = &d.list[0];
    assert_eq!(x.code.as_str(), "E0101", "{}", d.plain());
    assert_eq!((x.span.line, x.span.column), (1, 7), "{}", d.plain());
}
