//! Acceptance test "one place": a new operation of a tagged payload needs an edit of one
//! spec and nothing else. The test copies `vfio.yaml`, `iommu.yaml` and `vfio_nesting.yaml`
//! into a temporary directory, adds to the copy of `vfio_nesting.yaml` one op value
//! (`VFIO_IOMMU_NESTING_OP_PAGE_RESP` = 3), one payload struct
//! (`vfio_iommu_nesting_page_resp`) and one variant of the payload of
//! `vfio_iommu_type1_nesting_op`, regenerates with the uapigen library, and checks the
//! regenerated output only:
//!
//! - Rust: the payload enum has the new variant (tag, length, encode and decode arms), and a
//!   `#[uapi(layout(...))]` assertions for the new struct exist;
//! - Rust, for real: a scratch crate that `include!`s the regenerated modules runs an
//!   encode/decode round trip of the new variant (`fixtures/one_place/scratch_tests.rs`);
//! - C: the header defines the op and declares the struct, the validation helper has a case
//!   for the op, and a small program that runs the helper accepts a valid argument and
//!   rejects a short one (`fixtures/one_place/validate.c`);
//! - the layout assertion file asserts the new struct's size and compiles.
//!
//! The scratch crate builds in `target/one-place` (kept between runs), so only the first
//! run pays for compiling `uapigen-runtime` and its dependencies.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use uapigen_tests::{Compiler, root};

/// The specs copied into the temporary spec directory.
const SPECS: [&str; 3] = ["vfio", "iommu", "vfio_nesting"];

/// The new op value, added after `VFIO_IOMMU_NESTING_OP_CACHE_INVLD`.
const NEW_VALUE: &str = "{ name: VFIO_IOMMU_NESTING_OP_PAGE_RESP, value: 3, doc: Respond to a page request the IOMMU reported. }";

/// The new payload struct: 4 + 4 + 4 + 4 + 8 bytes, no implicit padding on any ABI.
const NEW_STRUCT: &str = concat!(
    "  - name: vfio_iommu_nesting_page_resp\n",
    "    doc: Payload of VFIO_IOMMU_NESTING_OP_PAGE_RESP.\n",
    "    fields:\n",
    "      - { name: pasid, type: u32, doc: PASID of the page request. }\n",
    "      - { name: grpid, type: u32, doc: Page request group index. }\n",
    "      - { name: code, type: u32, doc: Response code. }\n",
    "      - { name: __reserved, type: u32, reserved: true, doc: Unused; zero. }\n",
    "      - { name: addr, type: u64, doc: Faulting address. }\n",
);

/// The new variant of the payload of `vfio_iommu_type1_nesting_op`.
const NEW_VARIANT: &str =
    "{ tag: VFIO_IOMMU_NESTING_OP_PAGE_RESP, type: struct vfio_iommu_nesting_page_resp }";

/// Rust names the generator derives (`prefix: vfio` is stripped, then UpperCamelCase).
const RUST_STRUCT: &str = "IommuNestingPageResp";
const RUST_VARIANT: &str = "PageResp";
const RUST_CONST: &str = "IOMMU_NESTING_OP_PAGE_RESP";
/// Size of the new struct on every ABI.
const NEW_SIZE: usize = 24;

/// Regenerated output of the edited specs, in a temporary directory.
struct Regenerated {
    dir: tempfile::TempDir,
    /// The outputs of the unedited copies, for "nothing else changed".
    before: uapigen::files::Outputs,
    after: uapigen::files::Outputs,
}

impl Regenerated {
    fn gen_dir(&self) -> PathBuf {
        self.dir.path().join("gen")
    }

    fn read(&self, rel: &str) -> String {
        let p = self.gen_dir().join(rel);
        std::fs::read_to_string(&p)
            .unwrap_or_else(|e| panic!("regenerated file {} is missing: {e}", p.display()))
    }
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn write(p: &Path, content: &str) {
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
    }
    std::fs::write(p, content).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
}

/// Insert `new` as a line of its own after the single line of `text` that contains
/// `anchor`, with that line's indentation (and `- ` when the anchor line is a list item).
fn insert_after_line(text: &str, anchor: &str, new: &str) -> String {
    let hits: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(anchor))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "vfio_nesting.yaml: expected exactly one line containing `{anchor}`, found {}: the \
         spec changed; update the edits of tests/tests/one_place.rs",
        hits.len()
    );
    let mut out = String::with_capacity(text.len() + new.len() + 16);
    for (i, line) in text.lines().enumerate() {
        out.push_str(line);
        out.push('\n');
        if i == hits[0] {
            let indent = &line[..line.len() - line.trim_start().len()];
            let dash = if line.trim_start().starts_with("- ") {
                "- "
            } else {
                ""
            };
            out.push_str(&format!("{indent}{dash}{new}\n"));
        }
    }
    out
}

/// The three edits of the one place: op value, payload struct, payload variant.
fn edit_nesting_spec(text: &str) -> String {
    let t = insert_after_line(
        text,
        "{ name: VFIO_IOMMU_NESTING_OP_CACHE_INVLD,",
        NEW_VALUE,
    );
    // The struct goes first in `structs:` (a top-level line of its own).
    assert_eq!(
        t.lines().filter(|l| *l == "structs:").count(),
        1,
        "vfio_nesting.yaml: expected one top-level `structs:` line"
    );
    let t = t.replacen("\nstructs:\n", &format!("\nstructs:\n{NEW_STRUCT}\n"), 1);
    insert_after_line(&t, "{ tag: VFIO_IOMMU_NESTING_OP_CACHE_INVLD,", NEW_VARIANT)
}

fn render(spec_dir: &Path) -> uapigen::files::Outputs {
    let paths: Vec<PathBuf> = SPECS
        .iter()
        .map(|n| spec_dir.join(format!("{n}.yaml")))
        .collect();
    let models = match uapigen::builder_api::compile_all(&paths) {
        Ok(m) => m,
        Err(e) => panic!("the specs of {} do not compile:\n{e}", spec_dir.display()),
    };
    match uapigen::files::render(
        &models,
        &uapigen::files::OutputDirs::crate_layout(),
        uapigen::emit::Mode::Build,
    ) {
        Ok(o) => o,
        Err(e) => panic!("rendering the specs of {} failed: {e}", spec_dir.display()),
    }
}

/// Steps 1 to 3: copy the specs, edit the copy of `vfio_nesting.yaml`, regenerate.
fn regenerate() -> Regenerated {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    // Same directory name, so that "generated from spec/NAME.yaml" lines agree.
    let orig = dir.path().join("orig/spec");
    let spec = dir.path().join("spec");
    for n in SPECS {
        let text = read(&root().join("spec").join(format!("{n}.yaml")));
        write(&orig.join(format!("{n}.yaml")), &text);
        let text = if n == "vfio_nesting" {
            edit_nesting_spec(&text)
        } else {
            text
        };
        write(&spec.join(format!("{n}.yaml")), &text);
    }
    let before = render(&orig);
    let after = render(&spec);
    let gen_dir = dir.path().join("gen");
    if let Err(e) = uapigen::files::write_all(&gen_dir, &after) {
        panic!("writing {}: {e}", gen_dir.display());
    }
    Regenerated { dir, before, after }
}

/// The text from `start` to the next `end` after it (both included).
fn block<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let Some(s) = text.find(start) else {
        panic!("`{start}` not found");
    };
    let rest = &text[s..];
    let e = rest
        .find(end)
        .unwrap_or_else(|| panic!("no `{end}` after `{start}`"));
    &rest[..e + end.len()]
}

fn assert_contains(text: &str, needle: &str, what: &str) {
    assert!(
        text.contains(needle),
        "{what}: expected to find\n    {needle}\n(regenerated output only)"
    );
}

fn output_text(o: &Output) -> String {
    format!(
        "status: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn only_vfio_nesting_outputs_change() {
    let r = regenerate();
    assert_eq!(
        r.before.keys().collect::<Vec<_>>(),
        r.after.keys().collect::<Vec<_>>(),
        "the edit added or removed output files"
    );
    let changed: Vec<String> = r
        .after
        .iter()
        .filter(|(k, v)| r.before.get(*k) != Some(*v))
        .map(|(k, _)| k.display().to_string())
        .collect();
    for c in &changed {
        assert!(
            c.contains("vfio_nesting"),
            "editing vfio_nesting.yaml changed {c}, an output of another spec; changed: {changed:?}"
        );
    }
    for must in [
        "src/vfio_nesting.rs",
        "include/linux/vfio_nesting.h",
        "include/linux/vfio_nesting_validate.h",
        "layout/vfio_nesting_layout.c",
    ] {
        assert!(
            changed.iter().any(|c| c == must),
            "{must} did not change although the spec did; changed: {changed:?}"
        );
    }
}

#[test]
fn rust_module_has_the_new_variant() {
    let r = regenerate();
    let rs = r.read("src/vfio_nesting.rs");
    let f = "regenerated src/vfio_nesting.rs";
    assert_contains(&rs, &format!("pub const {RUST_CONST}: u32 = 3;"), f);
    assert_contains(&rs, &format!("pub struct {RUST_STRUCT} {{"), f);
    assert_contains(&rs, "#[doc(alias = \"vfio_iommu_nesting_page_resp\")]", f);

    let en = block(&rs, "pub enum IommuType1NestingOpPayload {", "\n}\n");
    assert_contains(
        en,
        &format!(
            "/// Tag `VFIO_IOMMU_NESTING_OP_PAGE_RESP` (3).\n    {RUST_VARIANT}({RUST_STRUCT}),"
        ),
        "enum IommuType1NestingOpPayload",
    );
    for old in [
        "BindPgtbl(super::iommu::GpasidBindData)",
        "UnbindPgtbl(super::iommu::GpasidBindData)",
        "CacheInvld(super::iommu::CacheInvalidateInfo)",
    ] {
        assert_contains(
            en,
            old,
            "enum IommuType1NestingOpPayload (existing variants)",
        );
    }
    // Every per-variant piece of the payload impl knows the new variant.
    let imp = block(&rs, "impl IommuType1NestingOpPayload {", "\n}\n");
    let what = "impl IommuType1NestingOpPayload";
    assert_contains(imp, &format!("Self::{RUST_VARIANT}(_) => 3,"), what);
    assert_contains(
        imp,
        &format!("Self::{RUST_VARIANT}(_) => ::core::mem::size_of::<{RUST_STRUCT}>(),"),
        what,
    );
    assert_contains(
        imp,
        &format!("Self::{RUST_VARIANT}(x) => ::uapigen_runtime::put(out, at, x),"),
        what,
    );
    assert_contains(
        imp,
        &format!("n = ::uapigen_runtime::max(n, ::core::mem::size_of::<{RUST_STRUCT}>());"),
        what,
    );
    assert_contains(imp, "            3 => {", what);
    assert_contains(imp, &format!("Self::{RUST_VARIANT}("), what);

    // Layout assertions for the new struct: `#[uapi(layout(...))]` attributes that
    // `derive(Uapi)` turns into const assertions, with its size and every field offset.
    let at = rs
        .find(&format!("pub struct {RUST_STRUCT} {{"))
        .unwrap_or_else(|| panic!("{f}: no struct {RUST_STRUCT}"));
    let before = &rs[..at];
    let attrs = &before[before.rfind("#[derive(").unwrap_or(0)..];
    let attrs: String = attrs.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        attrs.contains("::uapigen_runtime::Uapi"),
        "{f}: {RUST_STRUCT} derives Uapi: {attrs}"
    );
    let layouts: Vec<&str> = attrs.split("layout(").skip(1).collect();
    assert!(
        !layouts.is_empty(),
        "{f}: no layout attribute for {RUST_STRUCT}: {attrs}"
    );
    for l in &layouts {
        assert!(
            l.contains(&format!("size = {NEW_SIZE},")),
            "{f}: layout without size {NEW_SIZE}: {l}"
        );
        for (field, off) in [
            ("pasid", 0),
            ("grpid", 4),
            ("code", 8),
            ("reserved", 12),
            ("addr", 16),
        ] {
            let a = format!("{field} = {off}");
            assert!(
                l.contains(&a),
                "{f}: a layout of {RUST_STRUCT} does not assert `{a}`: {l}"
            );
        }
    }
}

#[test]
fn rust_round_trip_in_a_scratch_crate() {
    let r = regenerate();
    let ws = root().canonicalize().unwrap_or_else(|_| root());
    let krate = r.dir.path().join("scratch");
    let gen_src = r.gen_dir().join("src");
    let runtime = ws.join("runtime");
    write(
        &krate.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"one-place-scratch\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
             publish = false\n\n[dependencies]\nuapigen-runtime = {{ path = {:?} }}\n\n\
             # Not a member of the uapigen workspace.\n[workspace]\n",
            runtime.display().to_string()
        ),
    );
    // The workspace's lock file pins the same versions and lets `--offline` resolve.
    let lock = ws.join("Cargo.lock");
    if lock.exists() {
        write(&krate.join("Cargo.lock"), &read(&lock));
    }
    let mut lib = String::from(
        "//! Scratch crate of tests/tests/one_place.rs: the regenerated modules.\n\
         #![allow(dead_code, clippy::all)]\n\n",
    );
    for n in SPECS {
        let p = gen_src.join(format!("{n}.rs"));
        assert!(p.exists(), "{} was not generated", p.display());
        lib.push_str(&format!(
            "pub mod {n} {{\n    include!({:?});\n}}\n",
            p.display().to_string()
        ));
    }
    lib.push_str("\n#[cfg(test)]\nmod one_place_tests;\n");
    write(&krate.join("src/lib.rs"), &lib);
    write(
        &krate.join("src/one_place_tests.rs"),
        &read(&ws.join("tests/fixtures/one_place/scratch_tests.rs")),
    );

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target = ws.join("target/one-place");
    let start = Instant::now();
    let out = Command::new(&cargo)
        .arg("test")
        .arg("--offline")
        // Only the unit tests: no doc tests of the generated docs, no plain lib build.
        .arg("--lib")
        .arg("--manifest-path")
        .arg(krate.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(&krate)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", cargo.to_string_lossy()));
    eprintln!(
        "one_place: scratch crate `cargo test --offline` took {:.1?} (target dir {})",
        start.elapsed(),
        target.display()
    );
    assert!(
        out.status.success(),
        "the encode/decode round trip of the new variant failed in the scratch crate {}:\n{}",
        krate.display(),
        output_text(&out)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    for l in stdout.lines().filter(|l| l.starts_with("test ")) {
        println!("scratch crate: {l}");
    }
    assert!(
        stdout.contains("page_resp_round_trip ... ok"),
        "the scratch crate did not run the round trip test:\n{}",
        output_text(&out)
    );
}

#[test]
fn c_header_and_validate_helper() {
    let r = regenerate();
    let h = r.read("include/linux/vfio_nesting.h");
    let f = "regenerated include/linux/vfio_nesting.h";
    assert_contains(&h, "#define VFIO_IOMMU_NESTING_OP_PAGE_RESP 3", f);
    let s = block(&h, "struct vfio_iommu_nesting_page_resp {", "\n};\n");
    for field in [
        "__u32\tpasid;",
        "__u32\tgrpid;",
        "__u32\tcode;",
        "__u32\t__reserved;",
        "__u64\taddr;",
    ] {
        assert_contains(s, field, "struct vfio_iommu_nesting_page_resp");
    }

    let v = r.read("include/linux/vfio_nesting_validate.h");
    let f = "regenerated include/linux/vfio_nesting_validate.h";
    let case = block(
        &v,
        "case 0x3ULL: /* VFIO_IOMMU_NESTING_OP_PAGE_RESP */",
        "default:",
    );
    assert_contains(
        case,
        "if (!probe && avail < sizeof(struct vfio_iommu_nesting_page_resp))\n\t\t\t\treturn -EINVAL;",
        f,
    );

    // Compile and run a program that uses the helper.
    let gcc = Compiler::new("gcc", &[]);
    gcc.require();
    let dir = r.dir.path().join("c");
    let src = dir.join("validate.c");
    let exe = dir.join("validate");
    write(
        &src,
        &read(&root().join("tests/fixtures/one_place/validate.c")),
    );
    let inc = format!("-I{}", r.gen_dir().join("include").display());
    if let Err(e) = gcc.run(&[
        "-std=gnu11",
        "-Wall",
        "-Wextra",
        "-Werror",
        &inc,
        &src.display().to_string(),
        "-o",
        &exe.display().to_string(),
    ]) {
        panic!("the C program using vfio_nesting_validate.h does not build:\n{e}");
    }
    let out = Command::new(&exe)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", exe.display()));
    println!("{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        out.status.success(),
        "vfio_iommu_type1_nesting_op_validate misjudged the new PAGE_RESP payload:\n{}",
        output_text(&out)
    );
}

#[test]
fn layout_assertions_cover_the_new_struct() {
    let r = regenerate();
    let c = r.read("layout/vfio_nesting_layout.c");
    let needle = format!(
        "sizeof(struct vfio_iommu_nesting_page_resp) == {NEW_SIZE}ULL, \"size:vfio_iommu_nesting_page_resp == {NEW_SIZE}\");"
    );
    let n = c.matches(&needle).count();
    assert!(
        n > 0,
        "regenerated layout/vfio_nesting_layout.c does not assert the size of \
         struct vfio_iommu_nesting_page_resp (`size:vfio_iommu_nesting_page_resp`)"
    );
    assert_eq!(
        n,
        c.matches("size:vfio_iommu_type1_nesting_op ==").count(),
        "the new struct's size is not asserted in every ABI group of the layout file"
    );
    assert_contains(
        &c,
        "\"const:VFIO_IOMMU_NESTING_OP_PAGE_RESP == 3\"",
        "regenerated layout/vfio_nesting_layout.c",
    );

    let gcc = Compiler::new("gcc", &[]);
    gcc.require();
    let inc = format!("-I{}", r.gen_dir().join("include").display());
    let file = r.gen_dir().join("layout/vfio_nesting_layout.c");
    if let Err(e) = gcc.run(&[
        "-std=c11",
        "-fsyntax-only",
        &inc,
        &file.display().to_string(),
    ]) {
        panic!("the regenerated layout assertions do not hold for the host:\n{e}");
    }
}
