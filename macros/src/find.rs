//! Where the macros look for a spec: `CARGO_MANIFEST_DIR`, then its parent folders, but no
//! higher than the root of the workspace the crate is built in (the nearest folder at or
//! above the crate whose `Cargo.toml` has a `[workspace]` table; for a crate outside any
//! workspace, the crate's own folder). So `include_spec!("spec/nsfs.yaml")` in a member
//! crate finds the workspace's `spec/nsfs.yaml`, and no path reaches a file outside the
//! workspace (`include_spec!("etc/hostname")` does not open `/etc/hostname`). Absolute
//! paths and paths that leave the root through `..` or a symbolic link are refused.

use std::path::{Component, Path, PathBuf};

/// Find `rel` for the crate at `manifest_dir`.
pub fn find_spec(manifest_dir: &Path, rel: &str) -> Result<PathBuf, String> {
    let p = Path::new(rel);
    if p.is_absolute() || p.components().any(|c| matches!(c, Component::Prefix(_))) {
        return Err(format!(
            "spec `{rel}` is an absolute path; spec paths are relative to the crate, \
             searched up to its workspace root"
        ));
    }
    let root = workspace_root(manifest_dir);
    let canonical_root = root
        .canonicalize()
        .map_err(|e| format!("cannot read the workspace root {}: {e}", root.display()))?;
    let mut dir = Some(manifest_dir);
    while let Some(d) = dir {
        let c = d.join(p);
        if c.is_file() {
            // `..` or a link inside the workspace may lead out of it.
            let within = c
                .canonicalize()
                .is_ok_and(|real| real.starts_with(&canonical_root));
            if !within {
                return Err(format!(
                    "spec `{rel}` ({}) is outside the workspace root {}",
                    c.display(),
                    root.display()
                ));
            }
            return Ok(c);
        }
        if d == root {
            break;
        }
        dir = d.parent();
    }
    Err(format!(
        "spec `{rel}` not found in {} or its parent folders up to the workspace root {}",
        manifest_dir.display(),
        root.display()
    ))
}

/// The nearest folder at or above `manifest_dir` whose `Cargo.toml` declares a workspace;
/// `manifest_dir` itself when none does.
pub fn workspace_root(manifest_dir: &Path) -> PathBuf {
    let mut dir = Some(manifest_dir);
    while let Some(d) = dir {
        if declares_workspace(&d.join("Cargo.toml")) {
            return d.to_path_buf();
        }
        dir = d.parent();
    }
    manifest_dir.to_path_buf()
}

/// Whether a manifest has a `[workspace]` table (or a `[workspace.*]` one). A line scan, not
/// a TOML parser: table headers are lines of their own in TOML, and a header inside a
/// multi-line string would only make the search stop lower, never higher.
fn declares_workspace(manifest: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(manifest) else {
        return false;
    };
    text.lines().any(|l| {
        let l = l.trim();
        l.strip_prefix("[workspace")
            .is_some_and(|rest| rest.starts_with(']') || rest.starts_with('.'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder tree for one test: `outer/` (a file `secret.yaml` outside the workspace),
    /// `outer/ws/Cargo.toml` with `[workspace]`, `outer/ws/spec/a.yaml`,
    /// `outer/ws/crates/c/Cargo.toml` (a member).
    fn tree(name: &str) -> PathBuf {
        let base = std::env::temp_dir().join(format!("uapigen-find-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let ws = base.join("ws");
        std::fs::create_dir_all(ws.join("spec")).unwrap();
        std::fs::create_dir_all(ws.join("crates/c")).unwrap();
        std::fs::write(base.join("secret.yaml"), "secret").unwrap();
        std::fs::write(
            ws.join("Cargo.toml"),
            "[workspace]\nmembers = [\"crates/c\"]\n",
        )
        .unwrap();
        std::fs::write(ws.join("spec/a.yaml"), "name: a\n").unwrap();
        std::fs::write(ws.join("crates/c/Cargo.toml"), "[package]\nname = \"c\"\n").unwrap();
        base
    }

    #[test]
    fn a_member_finds_the_workspace_spec() {
        let base = tree("member");
        let c = base.join("ws/crates/c");
        assert_eq!(workspace_root(&c), base.join("ws"));
        assert_eq!(
            find_spec(&c, "spec/a.yaml").unwrap(),
            base.join("ws/spec/a.yaml")
        );
    }

    #[test]
    fn nothing_above_the_root_is_found() {
        let base = tree("above");
        let c = base.join("ws/crates/c");
        let e = find_spec(&c, "secret.yaml").unwrap_err();
        assert!(
            e.contains("not found") && e.contains("up to the workspace root"),
            "{e}"
        );
        let e = find_spec(&c, "../../../secret.yaml").unwrap_err();
        assert!(e.contains("outside the workspace root"), "{e}");
        let abs = base.join("secret.yaml");
        let e = find_spec(&c, abs.to_str().unwrap()).unwrap_err();
        assert!(e.contains("absolute"), "{e}");
    }

    #[test]
    fn a_link_out_of_the_workspace_is_refused() {
        let base = tree("link");
        std::os::unix::fs::symlink(base.join("secret.yaml"), base.join("ws/spec/link.yaml"))
            .unwrap();
        let e = find_spec(&base.join("ws/crates/c"), "spec/link.yaml").unwrap_err();
        assert!(e.contains("outside the workspace root"), "{e}");
    }

    #[test]
    fn a_crate_outside_any_workspace_is_its_own_root() {
        let base = tree("alone");
        let alone = base.join("alone");
        std::fs::create_dir_all(&alone).unwrap();
        std::fs::write(alone.join("Cargo.toml"), "[package]\nname = \"alone\"\n").unwrap();
        assert_eq!(workspace_root(&alone), alone);
        assert!(find_spec(&alone, "ws/spec/a.yaml").is_err());
    }
}
