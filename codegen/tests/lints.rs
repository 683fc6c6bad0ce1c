//! One fixture per lint rule that triggers it (`<ID>-trigger.yaml`) and one that does not
//! (`<ID>-clean.yaml`), with the rendered findings under snapshot; an allowed finding stays
//! visible with its reason; every rule has fixtures.

use std::path::{Path, PathBuf};

use uapigen::lint::{Rule, lint, render};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/lints")
        .join(name)
}

fn findings(name: &str) -> (uapigen::Model, Vec<uapigen::lint::Finding>) {
    let path = fixture(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let model = uapigen::compile_str(Path::new("tests/lints").join(name), &text)
        .unwrap_or_else(|d| panic!("{name}: {}", d.plain()));
    let f = lint(&model).unwrap_or_else(|d| panic!("{name}: {}", d.plain()));
    (model, f)
}

#[test]
fn each_rule_triggers_and_stays_quiet() {
    for rule in Rule::ALL {
        let id = rule.id();
        let (model, f) = findings(&format!("{id}-trigger.yaml"));
        assert!(
            f.iter().any(|x| x.rule == *rule && x.allowed.is_none()),
            "{id}-trigger.yaml does not trigger {id}: {}",
            render(&model, &f)
        );
        insta::assert_snapshot!(format!("{id}-trigger"), render(&model, &f));
        let (model, f) = findings(&format!("{id}-clean.yaml"));
        assert!(
            !f.iter().any(|x| x.rule == *rule),
            "{id}-clean.yaml triggers {id}: {}",
            render(&model, &f)
        );
        assert!(!rule.explanation().is_empty() && !rule.summary().is_empty());
    }
}

#[test]
fn allowed_findings_stay_visible_with_their_reason() {
    let (model, f) = findings("L0101-allowed.yaml");
    let shown = render(&model, &f);
    assert!(f.iter().all(|x| x.allowed.is_some()), "{shown}");
    assert!(
        shown.contains("allowed[L0101]") && shown.contains("kept for compatibility"),
        "{shown}"
    );
}

#[test]
fn unknown_rules_in_allow_are_errors() {
    // Checked when the spec is compiled (so `check` and `generate` reject it too), at the
    // entry: line 5, column 14 is `L9999`.
    let text = "name: demo\nheader: linux/demo.h\nstructs:\n  - name: demo_s\n    allow: { L9999: \"no such rule\" }\n    fields:\n      - { name: a, type: u32 }\n";
    let err = match uapigen::compile_str("tests/lints/inline.yaml", text) {
        Ok(_) => panic!("an unknown rule in `allow` compiles"),
        Err(d) => d,
    };
    let shown = err.plain();
    assert!(
        shown.contains("error[E0601]") && shown.contains("L9999"),
        "{shown}"
    );
    assert_eq!(err.list.len(), 1, "{shown}");
    let d = &err.list[0];
    assert_eq!(d.code, uapigen::Code::UnknownLint, "{shown}");
    assert_eq!((d.span.line, d.span.column), (5, 14), "{shown}");
    assert!(d.hint.is_some(), "{shown}");
}

#[test]
fn every_spec_is_lint_clean_or_allowed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let mut specs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    specs.sort();
    let mut total = 0;
    for p in specs {
        let model = uapigen::compile_file(&p).unwrap_or_else(|d| panic!("{}", d.plain()));
        let f = lint(&model).unwrap_or_else(|d| panic!("{}", d.plain()));
        let open: Vec<_> = f.iter().filter(|x| x.allowed.is_none()).collect();
        assert!(
            open.is_empty(),
            "{}: findings without an allow:\n{}",
            p.display(),
            render(&model, &f)
        );
        assert!(
            f.iter()
                .all(|x| x.allowed.as_deref().is_some_and(|r| r.len() > 10)),
            "every allow has a reason"
        );
        total += f.len();
    }
    assert!(
        total > 50,
        "the real headers trigger rules (they do: VFIO's padding, IOMMUFD's enums...)"
    );
}

#[test]
fn allow_on_a_union_applies() {
    // 8 bytes on x86_64, 6 on m68k (which aligns u32 to 2): L0102, allowed on the union.
    let text = "name: demo\nheader: linux/demo.h\nstructs:\n  - name: demo_u\n    kind: union\n    allow: { L0102: \"only ever used on 64-bit ABIs\" }\n    fields:\n      - { name: a, type: \"u8[5]\" }\n      - { name: b, type: u32 }\n";
    let model = uapigen::compile_str("tests/lints/inline.yaml", text)
        .unwrap_or_else(|d| panic!("{}", d.plain()));
    let f = lint(&model).unwrap_or_else(|d| panic!("{}", d.plain()));
    let shown = render(&model, &f);
    assert!(
        f.iter().any(|x| x.rule == Rule::AbiLayoutDiffers),
        "{shown}"
    );
    assert!(f.iter().all(|x| x.allowed.is_some()), "{shown}");
}

/// A struct declared once per architecture: L0102 compares each declaration on its own
/// ABIs and names it with its architectures (in the item and the message), and so do the
/// other findings of the declaration and of its fields.
#[test]
fn per_architecture_declarations_are_named_with_their_architectures() {
    let (model, f) = findings("L0102-per-arch.yaml");
    let shown = render(&model, &f);
    let l0102: Vec<_> = f
        .iter()
        .filter(|x| x.rule == Rule::AbiLayoutDiffers)
        .collect();
    // x86's (line 7) differs on i386; powerpc's (line 17) on its 64-bit ABIs, whose `long`
    // is 8 bytes; arm64's (one ABI) cannot differ.
    let got: Vec<(u32, &str, &str)> = l0102
        .iter()
        .map(|x| (x.span.line, x.item.as_str(), x.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                7,
                "struct demo_regs (x86)",
                "struct demo_regs (x86) has another size or other field offsets on i386 than on x86_64 (24 bytes)"
            ),
            (
                17,
                "struct demo_regs (powerpc)",
                "struct demo_regs (powerpc) has another size or other field offsets on ppc64, ppc64le than on powerpc32 (8 bytes)"
            ),
        ],
        "{shown}"
    );
    assert!(
        shown.contains("`struct demo_regs.b` (x86) is not 8-byte aligned on i386"),
        "{shown}"
    );
    assert!(
        f.iter().all(|x| x.item.starts_with("struct demo_regs (")),
        "{shown}"
    );
    insta::assert_snapshot!("L0102-per-arch", shown);
}
