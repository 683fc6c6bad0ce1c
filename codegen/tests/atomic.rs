//! [harden] 4: the outputs of a run are written as one set: a failure while staging
//! changes no file, leftovers of an interrupted run are removed by the next run and
//! reported by `--check`, a rewritten file keeps its mode, and errors name the file.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use uapigen::files::{Outputs, stale, write_all};

fn outputs(version: &str) -> Outputs {
    let mut o = Outputs::new();
    for f in ["a.rs", "include/linux/b.h", "src/c.rs", "z.txt"] {
        o.insert(PathBuf::from(f), format!("{f} {version}\n"));
    }
    o
}

fn read(root: &Path, f: &str) -> String {
    std::fs::read_to_string(root.join(f)).unwrap_or_default()
}

#[test]
fn a_failure_while_staging_changes_nothing() {
    let t = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = t.path();
    write_all(root, &outputs("old")).unwrap_or_else(|e| panic!("{e}"));
    // `src` becomes a file: `src/c.rs` cannot be staged.
    std::fs::remove_dir_all(root.join("src")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(root.join("src"), "in the way").unwrap_or_else(|e| panic!("{e}"));
    let err = write_all(root, &outputs("new"))
        .err()
        .unwrap_or_else(|| panic!("it wrote over a file"));
    assert!(
        err.to_string().contains("src"),
        "the error names the file: {err}"
    );
    // Every other output is still the old one, and no temporary file is left.
    for f in ["a.rs", "include/linux/b.h", "z.txt"] {
        assert_eq!(read(root, f), format!("{f} old\n"), "{f} changed");
    }
    let left: Vec<String> = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".uapigen-tmp-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn leftovers_are_reported_and_removed() {
    let t = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = t.path();
    let o = outputs("v1");
    write_all(root, &o).unwrap_or_else(|e| panic!("{e}"));
    // What a run killed between staging and renaming leaves behind.
    let tmp = root.join("include/linux/.uapigen-tmp-999-0-b.h");
    std::fs::write(&tmp, "half").unwrap_or_else(|e| panic!("{e}"));
    let s = stale(root, &o);
    assert_eq!(s.len(), 1, "{s:?}");
    assert_eq!(s[0].0, tmp);
    write_all(root, &o).unwrap_or_else(|e| panic!("{e}"));
    assert!(!tmp.exists(), "the next run removes the leftover");
    assert!(stale(root, &o).is_empty());
}

#[test]
fn a_rewritten_file_keeps_its_mode() {
    let t = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = t.path();
    write_all(root, &outputs("v1")).unwrap_or_else(|e| panic!("{e}"));
    let p = root.join("a.rs");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640))
        .unwrap_or_else(|e| panic!("{e}"));
    let written = write_all(root, &outputs("v2")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(written.len(), 4);
    let mode = std::fs::metadata(&p)
        .unwrap_or_else(|e| panic!("{e}"))
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
    assert_eq!(read(root, "a.rs"), "a.rs v2\n");
}
