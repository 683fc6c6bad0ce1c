//! Conformance of `spec/kvm.yaml` and `spec/nsfs.yaml` against the real headers of Debian's
//! linux-libc-dev (Linux 6.1) on x86_64, like `conformance_x86_64.rs` does for vfio: every
//! constant, ioctl number, struct size and alignment and field offset of the model equals
//! what gcc computes from the real header, the generated header gives the same values, and
//! the generated Rust (`linux_uapi::layout_probe::<spec>::VALUES`) agrees with both.
//!
//! Coverage is counted from the header text, not from the spec: nsfs must have every macro
//! of `<linux/nsfs.h>`; kvm must have every `KVM_EXIT_*` macro and every member of
//! `struct kvm_run` except the two RISC-V exit members made of `unsigned long`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use uapigen::ir::ConstValue;
use uapigen::probe::probe;
use uapigen_tests::{Compiler, count_kinds, mismatches, model, probe_values, root};

const KVM_HEADER: &str = "/usr/include/linux/kvm.h";
const KVM_ASM_HEADER: &str = "/usr/include/x86_64-linux-gnu/asm/kvm.h";
const NSFS_HEADER: &str = "/usr/include/linux/nsfs.h";

/// One spec under test: its name, the system header it describes, the number of facts of
/// each kind, and the Rust values of its generated bindings.
struct Case {
    spec: &'static str,
    header: &'static str,
    kinds: &'static [(&'static str, usize)],
    rust: &'static [(&'static str, u64)],
}

const KVM: Case = Case {
    spec: "kvm",
    header: KVM_HEADER,
    kinds: &[
        ("const", 126),
        ("size", 11),
        ("align", 11),
        ("offset", 242),
        ("ioctl", 15),
    ],
    rust: linux_uapi::layout_probe::kvm::VALUES,
};

const NSFS: Case = Case {
    spec: "nsfs",
    header: NSFS_HEADER,
    kinds: &[("const", 1), ("ioctl", 4)],
    rust: linux_uapi::layout_probe::nsfs::VALUES,
};

fn gcc() -> Compiler {
    let cc = Compiler::new("gcc", &[]);
    cc.require();
    cc
}

fn read_header(path: &str) -> String {
    match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => panic!(
            "{path} is missing ({e}): install Debian's linux-libc-dev (the README's test command does)"
        ),
    }
}

/// Compile the probe of `case` against `includes` (nothing: the system header) and compare
/// every value with the model; the values by fact key.
fn check_against(case: &Case, includes: &[&Path], what: &str) -> BTreeMap<String, u64> {
    read_header(case.header);
    let m = model(case.spec);
    let (src, facts) = probe(&m, 0);
    let values = match probe_values(&gcc(), &src, includes, facts.len()) {
        Ok(v) => v,
        Err(e) => panic!("{}: {what}: the probe does not compile:\n{e}", case.spec),
    };
    let bad = mismatches(&facts, &values);
    let kinds = count_kinds(&facts);
    println!(
        "{} x86_64 ({what}): {} items checked: {kinds:?}",
        case.spec,
        facts.len()
    );
    assert!(
        bad.is_empty(),
        "{}: {what}: {} of {} items differ (item, model, compiler):\n{:#?}",
        case.spec,
        bad.len(),
        facts.len(),
        bad
    );
    let expected: BTreeMap<String, usize> = case
        .kinds
        .iter()
        .map(|(k, n)| ((*k).to_owned(), *n))
        .collect();
    assert_eq!(kinds, expected, "{}: facts of each kind", case.spec);
    facts.iter().map(|f| f.key.clone()).zip(values).collect()
}

fn system(case: &Case) -> BTreeMap<String, u64> {
    check_against(case, &[], &format!("system <{}>", header_name(case)))
}

fn generated(case: &Case) -> BTreeMap<String, u64> {
    let inc = root().join("generated/include");
    check_against(case, &[&inc], &format!("generated <{}>", header_name(case)))
}

fn header_name(case: &Case) -> String {
    model(case.spec).module.header.clone()
}

fn rust_matches_c(case: &Case) {
    let c = system(case);
    let rust: BTreeMap<String, u64> = case
        .rust
        .iter()
        .map(|(k, v)| ((*k).to_owned(), *v))
        .collect();
    assert_eq!(
        rust.keys().collect::<Vec<_>>(),
        c.keys().collect::<Vec<_>>(),
        "{}: the Rust table and the C probe cover the same items",
        case.spec
    );
    let diffs: Vec<(String, u64, Option<u64>)> = c
        .iter()
        .filter(|(k, v)| rust.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), *v, rust.get(k).copied()))
        .collect();
    println!(
        "{} x86_64: {} Rust values compared with gcc",
        case.spec,
        c.len()
    );
    assert!(
        diffs.is_empty(),
        "{}: Rust vs C (item, C, Rust):\n{diffs:#?}",
        case.spec
    );
}

#[test]
fn kvm_model_matches_the_real_header_on_x86_64() {
    system(&KVM);
}

#[test]
fn kvm_generated_header_gives_the_same_values() {
    assert_eq!(system(&KVM), generated(&KVM));
}

#[test]
fn kvm_rust_layout_matches_the_c_compiler() {
    rust_matches_c(&KVM);
}

#[test]
fn nsfs_model_matches_the_real_header_on_x86_64() {
    system(&NSFS);
}

#[test]
fn nsfs_generated_header_gives_the_same_values() {
    assert_eq!(system(&NSFS), generated(&NSFS));
}

#[test]
fn nsfs_rust_layout_matches_the_c_compiler() {
    rust_matches_c(&NSFS);
}

// ---------------------------------------------------------------------------------------
// Coverage, counted from the header text.

/// The text without `/* ... */` comments (line structure kept) and with continuation
/// lines joined.
fn strip_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("/*") {
        out.push_str(&rest[..i]);
        match rest[i..].find("*/") {
            Some(j) => {
                out.extend(rest[i..i + j].chars().filter(|c| *c == '\n'));
                rest = &rest[i + j + 2..];
            }
            None => rest = "",
        }
    }
    out.push_str(rest);
    out.replace("\\\n", " ")
}

fn ident_prefix(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// Names of the object-like macros with a value (`#define NAME value`) of a header text:
/// no function-like macros, no empty ones (the include guard, `__KVM_HAVE_*` selectors).
fn value_macros(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in strip_comments(text).lines() {
        let Some(rest) = line.trim_start().strip_prefix('#') else {
            continue;
        };
        let Some(def) = rest.trim_start().strip_prefix("define") else {
            continue;
        };
        let def = def.trim_start();
        let name = ident_prefix(def);
        let after = &def[name.len()..];
        if name.is_empty() || after.starts_with('(') || after.trim().is_empty() {
            continue;
        }
        out.insert(name);
    }
    out
}

/// C names of every integer constant, group value, flag and ioctl of a spec.
fn spec_macros(spec: &str) -> BTreeSet<String> {
    let m = model(spec);
    let module = &m.module;
    let mut out = BTreeSet::new();
    for c in &module.constants {
        if let ConstValue::Int(_) = c.value {
            out.insert(c.c_name.clone());
        }
    }
    out.extend(
        module
            .groups
            .iter()
            .flat_map(|g| g.values.iter().map(|v| v.c_name.clone())),
    );
    out.extend(
        module
            .flag_sets
            .iter()
            .flat_map(|f| f.bits.iter().map(|b| b.c_name.clone())),
    );
    out.extend(module.ioctls.iter().map(|i| i.c_name.clone()));
    out
}

#[test]
fn nsfs_spec_is_the_whole_header() {
    let text = read_header(NSFS_HEADER);
    let header = value_macros(&text);
    assert_eq!(
        header.len(),
        5,
        "Linux 6.1 <linux/nsfs.h> has NSIO and four ioctls: {header:?}"
    );
    assert_eq!(
        spec_macros("nsfs"),
        header,
        "macros of spec/nsfs.yaml vs the header"
    );
    let stripped = strip_comments(&text);
    assert!(
        !stripped.contains("struct") && !stripped.contains("enum"),
        "the header declares no types"
    );
    let m = model("nsfs");
    assert_eq!(m.module.named_types().count(), 0);
    assert!(m.module.enums.is_empty());
    let owner = m
        .module
        .ioctls
        .iter()
        .find(|i| i.c_name == "NS_GET_OWNER_UID");
    assert!(
        owner.is_some(),
        "NS_GET_OWNER_UID is in the spec (it writes a uid_t through its argument)"
    );
}

#[test]
fn nsfs_ioctl_numbers_agree_with_linux_raw_sys() {
    // An independent source: linux-raw-sys's bindgen output of the kernel headers.
    use linux_raw_sys::ioctl as raw;
    assert_eq!(linux_uapi::nsfs::GET_USERNS, raw::NS_GET_USERNS);
    assert_eq!(linux_uapi::nsfs::GET_PARENT, raw::NS_GET_PARENT);
    assert_eq!(linux_uapi::nsfs::GET_NSTYPE, raw::NS_GET_NSTYPE);
    assert_eq!(linux_uapi::nsfs::GET_OWNER_UID, raw::NS_GET_OWNER_UID);
}

#[test]
fn kvm_spec_has_every_exit_macro_of_the_header() {
    let mut header: BTreeSet<String> = value_macros(&read_header(KVM_HEADER));
    header.extend(value_macros(&read_header(KVM_ASM_HEADER)));
    let exits: BTreeSet<String> = header
        .iter()
        .filter(|n| n.starts_with("KVM_EXIT_"))
        .cloned()
        .collect();
    // 38 exit reasons (0 to 37), the I/O directions, three Hyper-V and one Xen exit type.
    assert_eq!(exits.len(), 44, "KVM_EXIT_* macros of Linux 6.1: {exits:?}");
    let spec = spec_macros("kvm");
    let spec_exits: BTreeSet<String> = spec
        .iter()
        .filter(|n| n.starts_with("KVM_EXIT_"))
        .cloned()
        .collect();
    assert_eq!(spec_exits, exits, "KVM_EXIT_* macros: spec vs header");
    // Every other macro of the spec is a macro of the real headers too.
    let unknown: Vec<&String> = spec.difference(&header).collect();
    assert!(
        unknown.is_empty(),
        "macros of spec/kvm.yaml that the headers lack: {unknown:?}"
    );
}

/// Member names of the anonymous exit union of `struct kvm_run`, from the header text:
/// a declaration at union depth (`__u64 s390_reset_flags;`) or the name after the closing
/// brace of an inline struct (`} io;`).
fn kvm_run_exit_members(text: &str) -> Vec<String> {
    let text = strip_comments(text);
    let start = text
        .find("struct kvm_run {")
        .unwrap_or_else(|| panic!("no struct kvm_run in {KVM_HEADER}"));
    let mut depth = 0usize;
    let mut in_union = false;
    let mut out = Vec::new();
    for line in text[start..].lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let opens = t.ends_with('{');
        let closes = t.starts_with('}');
        if closes {
            depth -= 1;
            if in_union && depth == 2 {
                let name = ident_prefix(t.trim_start_matches('}').trim());
                if !name.is_empty() {
                    out.push(name);
                }
            }
            if depth == 1 && in_union {
                break; // the end of the exit union
            }
            if depth == 0 {
                break;
            }
            continue;
        }
        if opens {
            if depth == 1 && t == "union {" {
                in_union = true;
            }
            depth += 1;
            continue;
        }
        if in_union && depth == 2 && t.ends_with(';') {
            let decl = t.trim_end_matches(';');
            let decl = decl.split('[').next().unwrap_or(decl);
            if let Some(name) = decl.split_whitespace().last() {
                out.push(name.to_owned());
            }
        }
    }
    out
}

#[test]
fn kvm_run_has_every_exit_member_but_the_risc_v_ones() {
    let header = kvm_run_exit_members(&read_header(KVM_HEADER));
    assert_eq!(
        header.len(),
        29,
        "members of the kvm_run exit union in Linux 6.1: {header:?}"
    );
    let m = model("kvm");
    let module = &m.module;
    let (_, run) = module
        .named_types()
        .find(|(_, t)| t.c_name.as_deref() == Some("kvm_run"))
        .unwrap_or_else(|| panic!("spec/kvm.yaml has no struct kvm_run"));
    let exit = run
        .fields
        .iter()
        .find_map(|f| match (&f.c_name, &f.ty) {
            (None, uapigen::ir::Ty::Named(u)) => Some(*u),
            _ => None,
        })
        .unwrap_or_else(|| panic!("kvm_run has no anonymous exit union in the spec"));
    let spec: Vec<String> = module.types[exit]
        .fields
        .iter()
        .filter_map(|f| f.c_name.clone())
        .collect();
    let missing: Vec<&String> = header.iter().filter(|n| !spec.contains(n)).collect();
    assert_eq!(
        missing,
        ["riscv_sbi", "riscv_csr"],
        "exit members the spec leaves out (they are made of `unsigned long`)"
    );
    let extra: Vec<&String> = spec.iter().filter(|n| !header.contains(n)).collect();
    assert!(
        extra.is_empty(),
        "exit members not in the header: {extra:?}"
    );
    let in_order: Vec<&String> = header.iter().filter(|n| spec.contains(n)).collect();
    assert_eq!(
        in_order,
        spec.iter().collect::<Vec<_>>(),
        "same order as the header"
    );
}
