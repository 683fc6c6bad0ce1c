//! Conformance of `spec/vfio.yaml` against the real `<linux/vfio.h>` of Debian's
//! linux-libc-dev (Linux 6.1) on x86_64: every constant, enumerator, ioctl number, struct
//! size and alignment and field offset, as gcc computes them, equals our layout model; the
//! generated header gives the same values; and the generated Rust agrees with both.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use uapigen::emit::c::probe::probe;
use uapigen_tests::{Compiler, count_kinds, mismatches, model, probe_values, root};

const SYSTEM_HEADER: &str = "/usr/include/linux/vfio.h";

fn gcc() -> Compiler {
    let cc = Compiler::new("gcc", &[]);
    cc.require();
    cc
}

fn require_header() -> String {
    match std::fs::read_to_string(SYSTEM_HEADER) {
        Ok(t) => t,
        Err(e) => panic!(
            "{SYSTEM_HEADER} is missing ({e}): install Debian's linux-libc-dev (the README's test command does)"
        ),
    }
}

/// What the real header contains, counted from its text (not from our spec).
struct HeaderCensus {
    int_macros: BTreeSet<String>,
    string_macros: BTreeSet<String>,
    enumerators: BTreeSet<String>,
    structs: BTreeSet<String>,
    named_fields: usize,
}

fn census(text: &str) -> HeaderCensus {
    let text = uapigen_tests::strip_c_comments(text);
    let mut c = HeaderCensus {
        int_macros: BTreeSet::new(),
        string_macros: BTreeSet::new(),
        enumerators: BTreeSet::new(),
        structs: BTreeSet::new(),
        named_fields: 0,
    };
    let lines: Vec<String> = text
        .replace("\\\n", " ")
        .lines()
        .map(str::to_owned)
        .collect();
    for l in &lines {
        let t = l.trim_start();
        if let Some(rest) = t.strip_prefix('#') {
            let rest = rest.trim_start();
            if let Some(def) = rest.strip_prefix("define") {
                let def = def.trim_start();
                let name: String = def
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let after = &def[name.len()..];
                if after.starts_with('(') {
                    continue; // function-like
                }
                let value = after.trim();
                if value.is_empty() {
                    continue; // header guard
                }
                if value.starts_with('"') {
                    c.string_macros.insert(name);
                } else {
                    c.int_macros.insert(name);
                }
            }
        }
    }
    // Enumerators and struct members, by brace depth.
    let mut in_enum = false;
    let mut depth = 0usize;
    let mut in_struct = false;
    for l in &lines {
        let t = l.trim();
        if t.starts_with('#') || t.is_empty() {
            continue;
        }
        if depth == 0 && t.starts_with("enum") && t.ends_with('{') {
            in_enum = true;
            depth = 1;
            continue;
        }
        if depth == 0 && t.starts_with("struct ") && t.ends_with('{') {
            let name = t.trim_start_matches("struct ").trim_end_matches('{').trim();
            c.structs.insert(name.to_owned());
            in_struct = true;
            depth = 1;
            continue;
        }
        if in_enum {
            if t.starts_with('}') {
                in_enum = false;
                depth = 0;
                continue;
            }
            for part in t.split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    c.enumerators.insert(name);
                }
            }
        } else if in_struct {
            if t.ends_with('{') {
                depth += 1;
                continue;
            }
            if t.starts_with('}') {
                depth -= 1;
                // `} name;` closes a named member of an inline type.
                if t.trim_start_matches('}')
                    .trim()
                    .trim_end_matches(';')
                    .trim()
                    .chars()
                    .any(|c| c.is_ascii_alphanumeric())
                {
                    c.named_fields += 1;
                }
                if depth == 0 {
                    in_struct = false;
                }
                continue;
            }
            if t.ends_with(';') {
                c.named_fields += 1;
            }
        }
    }
    c
}

#[test]
fn the_spec_covers_the_whole_header() {
    let text = require_header();
    let h = census(&text);
    let m = model("vfio");
    let module = &m.module;
    let mut spec_ints = BTreeSet::new();
    let mut spec_strings = BTreeSet::new();
    for c in &module.constants {
        match c.value {
            uapigen::ir::ConstValue::Int(_) => spec_ints.insert(c.c_name.clone()),
            uapigen::ir::ConstValue::Str(_) => spec_strings.insert(c.c_name.clone()),
        };
    }
    spec_ints.extend(
        module
            .groups
            .iter()
            .flat_map(|g| g.values.iter().map(|v| v.c_name.clone())),
    );
    spec_ints.extend(
        module
            .flag_sets
            .iter()
            .flat_map(|g| g.bits.iter().map(|v| v.c_name.clone())),
    );
    spec_ints.extend(module.ioctls.iter().map(|i| i.c_name.clone()));
    let enumerators: BTreeSet<String> = module
        .enums
        .iter()
        .flat_map(|e| e.values.iter().map(|v| v.c_name.clone()))
        .collect();
    let structs: BTreeSet<String> = module
        .named_types()
        .filter_map(|(_, t)| t.c_name.clone())
        .collect();

    assert_eq!(
        h.int_macros.len(),
        153,
        "the Linux 6.1 header has 153 integer macros"
    );
    assert_eq!(spec_ints, h.int_macros, "integer macros: spec vs header");
    assert_eq!(
        spec_strings, h.string_macros,
        "string macros: spec vs header"
    );
    assert_eq!(enumerators, h.enumerators, "enumerators: spec vs header");
    assert_eq!(structs, h.structs, "structs: spec vs header");
    assert_eq!(module.ioctls.len(), 30);
    assert_eq!(h.string_macros.len(), 5);
    assert_eq!(h.enumerators.len(), 28);
    assert_eq!(h.structs.len(), 42);
    let offsets = uapigen::emit::c::facts(&m, 0)
        .iter()
        .filter(|f| f.key.starts_with("offset:"))
        .count();
    assert_eq!(h.named_fields, 167, "named fields counted in the header");
    assert_eq!(offsets, h.named_fields, "named fields: spec vs header");
}

/// Compile the probe against the given include path and compare every value.
fn check_against(includes: &[&Path], what: &str) -> BTreeMap<String, u64> {
    require_header();
    let m = model("vfio");
    let (src, facts) = probe(&m, 0);
    let values = match probe_values(&gcc(), &src, includes, facts.len()) {
        Ok(v) => v,
        Err(e) => panic!("{what}: the probe does not compile:\n{e}"),
    };
    let bad = mismatches(&facts, &values);
    let kinds = count_kinds(&facts);
    println!("x86_64 ({what}): {} items checked: {kinds:?}", facts.len());
    assert!(
        bad.is_empty(),
        "{what}: {} of {} items differ (item, model, compiler):\n{:#?}",
        bad.len(),
        facts.len(),
        bad
    );
    assert_eq!(
        kinds.get("const"),
        Some(&123),
        "constants, group values and flags"
    );
    assert_eq!(kinds.get("enum"), Some(&28));
    assert_eq!(kinds.get("ioctl"), Some(&30));
    assert_eq!(kinds.get("size"), Some(&42));
    assert_eq!(kinds.get("align"), Some(&42));
    assert_eq!(kinds.get("offset"), Some(&167));
    // VFIO_DEVICE_STATE_VALID, _IS_ERROR and _SET_ERROR, each on 18 `__u32` arguments:
    // 0 to 9, 15, 16, 0x55, 0xaa, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff.
    assert_eq!(kinds.get("call"), Some(&(3 * 18)));
    facts.iter().map(|f| f.key.clone()).zip(values).collect()
}

#[test]
fn model_matches_the_real_header_on_x86_64() {
    check_against(&[], "system <linux/vfio.h>");
}

#[test]
fn generated_header_gives_the_same_values() {
    let real = check_against(&[], "system <linux/vfio.h>");
    let ours = check_against(
        &[&root().join("generated/include")],
        "generated <linux/vfio.h>",
    );
    assert_eq!(real, ours);
}

#[test]
fn rust_layout_matches_the_c_compiler() {
    // A macro's C type has no Rust counterpart: the Rust constant has the item's `type`.
    let mut c = check_against(&[], "system <linux/vfio.h>");
    c.retain(|k, _| !k.starts_with("ctype:"));
    let rust: BTreeMap<String, u64> = linux_uapi::layout_probe::vfio::VALUES
        .iter()
        .map(|(k, v)| ((*k).to_owned(), *v))
        .collect();
    assert_eq!(
        rust.len(),
        c.len(),
        "the Rust table and the C probe cover the same items"
    );
    let mut diffs = Vec::new();
    for (k, v) in &c {
        match rust.get(k) {
            Some(r) if r == v => {}
            other => diffs.push((k.clone(), *v, other.copied())),
        }
    }
    println!("x86_64: {} Rust values compared with gcc", c.len());
    assert!(diffs.is_empty(), "Rust vs C (item, C, Rust):\n{diffs:#?}");
}
