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

use uapigen::emit::c::probe::probe;
use uapigen::ir::ConstValue;
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
    // On x86_64: 116 constants and values of the x86 part, and the 21 KVM_REG_* register-id
    // macros of <linux/kvm.h> (10 architectures, the size shift and mask, 9 sizes); the 6
    // enumerators of the ioeventfd flag numbers; 19 structs.
    kinds: &[
        ("const", 137),
        ("enum", 6),
        ("size", 19),
        ("align", 19),
        ("offset", 270),
        ("ioctl", 27),
        ("ctype", 164),
    ],
    rust: linux_uapi::layout_probe::kvm::VALUES,
};

const USERFAULTFD: Case = Case {
    spec: "userfaultfd",
    header: "/usr/include/linux/userfaultfd.h",
    kinds: &[
        ("const", 47),
        ("size", 8),
        ("align", 8),
        ("offset", 44),
        ("ioctl", 9),
        ("ctype", 56),
    ],
    rust: linux_uapi::layout_probe::userfaultfd::VALUES,
};

/// Counted by hand from Debian's <linux/loop.h>: 16 integer macros, 4 enumerators, 3
/// structs with 12 + 13 + 4 members, 14 ioctls (plain numbers).
const LOOP: Case = Case {
    spec: "loop",
    header: "/usr/include/linux/loop.h",
    kinds: &[
        ("const", 16),
        ("enum", 4),
        ("size", 3),
        ("align", 3),
        ("offset", 29),
        ("ioctl", 14),
        ("ctype", 30),
    ],
    rust: linux_uapi::layout_probe::r#loop::VALUES,
};

const NSFS: Case = Case {
    spec: "nsfs",
    header: NSFS_HEADER,
    kinds: &[("const", 1), ("ioctl", 4), ("ctype", 5)],
    rust: linux_uapi::layout_probe::nsfs::VALUES,
};

/// Counted by hand from Debian's <linux/vhost_types.h>: 20 integer macros, 11 structs with
/// 2 + 2 + 6 + 5 + 3 + 4 + 4 + 3 + 4 + 3 + 2 named members.
const VHOST_TYPES: Case = Case {
    spec: "vhost_types",
    header: "/usr/include/linux/vhost_types.h",
    kinds: &[
        ("const", 20),
        ("size", 11),
        ("align", 11),
        ("offset", 38),
        ("ctype", 20),
    ],
    rust: linux_uapi::layout_probe::vhost_types::VALUES,
};

/// Counted by hand from Debian's <linux/vhost.h>: 4 integer macros and 44 ioctls.
const VHOST: Case = Case {
    spec: "vhost",
    header: "/usr/include/linux/vhost.h",
    kinds: &[("const", 4), ("ioctl", 44), ("ctype", 48)],
    rust: linux_uapi::layout_probe::vhost::VALUES,
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
    // The probe casts to `__u32` and friends but includes only the header under test, and
    // the real <linux/nsfs.h> includes <linux/ioctl.h> without <linux/types.h>.
    // (and <linux/userfaultfd.h> uses `_IOWR` without including <linux/ioctl.h>).
    let src = format!("#include <linux/types.h>\n#include <linux/ioctl.h>\n{src}");
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

/// `offset:` keys of fields inside a member of a union (`kvm_run.io.port`: `io` is a member
/// of the anonymous exit union). The generated Rust stores a union as bytes with accessors,
/// and its layout table (`rust_paths` in codegen/src/emit/rust/probe.rs) lists the union's own
/// members but does not descend into them, so these offsets have no Rust value.
fn inside_union_members(spec: &str) -> BTreeSet<String> {
    fn walk(
        m: &uapigen::ir::Module,
        id: usize,
        prefix: &str,
        inside: bool,
        out: &mut BTreeSet<String>,
    ) {
        let t = &m.types[id];
        for f in &t.fields {
            let path = f.c_name.as_ref().map(|n| format!("{prefix}{n}"));
            if inside && let Some(p) = &path {
                out.insert(p.clone());
            }
            if let uapigen::ir::Ty::Named(inner) = f.ty
                && m.types[inner].parent.is_some()
            {
                let pre = path.map_or_else(|| prefix.to_owned(), |p| format!("{p}."));
                let child_inside = inside || t.kind == uapigen::spec::Kind::Union;
                walk(m, inner, &pre, child_inside, out);
            }
        }
    }
    let m = model(spec);
    let mut out = BTreeSet::new();
    for (id, t) in m.module.named_types() {
        let name = t.c_name.clone().unwrap_or_default();
        let mut paths = BTreeSet::new();
        walk(&m.module, id, "", false, &mut paths);
        out.extend(paths.into_iter().map(|p| format!("offset:{name}.{p}")));
    }
    out
}

fn rust_matches_c(case: &Case, no_rust_value: usize) {
    let c = system(case);
    let rust: BTreeMap<String, u64> = case
        .rust
        .iter()
        .map(|(k, v)| ((*k).to_owned(), *v))
        .collect();
    let skipped = inside_union_members(case.spec);
    assert_eq!(
        skipped.len(),
        no_rust_value,
        "{}: fields inside union members",
        case.spec
    );
    // A macro's C type has no Rust counterpart: the Rust constant has the item's `type`.
    let expected: Vec<&String> = c
        .keys()
        .filter(|k| !skipped.contains(*k) && !k.starts_with("ctype:"))
        .collect();
    assert_eq!(
        rust.keys().collect::<Vec<_>>(),
        expected,
        "{}: the Rust table covers every C item but the fields inside union members",
        case.spec
    );
    let diffs: Vec<(String, u64, Option<u64>)> = c
        .iter()
        .filter(|(k, v)| {
            !skipped.contains(*k) && !k.starts_with("ctype:") && rust.get(*k) != Some(*v)
        })
        .map(|(k, v)| (k.clone(), *v, rust.get(k).copied()))
        .collect();
    println!(
        "{} x86_64: {} Rust values compared with gcc ({} offsets inside union members have no Rust value)",
        case.spec,
        rust.len(),
        skipped.len()
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
    rust_matches_c(&KVM, 89);
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
    rust_matches_c(&NSFS, 0);
}

#[test]
fn loop_generated_header_gives_the_same_values() {
    assert_eq!(system(&LOOP), generated(&LOOP));
}

#[test]
fn loop_rust_layout_matches_the_c_compiler() {
    rust_matches_c(&LOOP, 0);
}

#[test]
fn userfaultfd_generated_header_gives_the_same_values() {
    assert_eq!(system(&USERFAULTFD), generated(&USERFAULTFD));
}

#[test]
fn userfaultfd_rust_layout_matches_the_c_compiler() {
    // The members of uffd_msg.arg's structs: pagefault (flags, address, feat, feat.ptid),
    // fork.ufd, remap (from, to, len), remove (start, end), reserved (three).
    rust_matches_c(&USERFAULTFD, 13);
}

#[test]
fn vhost_types_generated_header_gives_the_same_values() {
    assert_eq!(system(&VHOST_TYPES), generated(&VHOST_TYPES));
}

#[test]
fn vhost_types_rust_layout_matches_the_c_compiler() {
    rust_matches_c(&VHOST_TYPES, 0);
}

#[test]
fn vhost_generated_header_gives_the_same_values() {
    assert_eq!(system(&VHOST), generated(&VHOST));
}

#[test]
fn vhost_rust_layout_matches_the_c_compiler() {
    rust_matches_c(&VHOST, 0);
}

// ---------------------------------------------------------------------------------------
// Coverage, counted from the header text.

/// The text without `/* ... */` comments (line structure kept) and with continuation
/// lines joined.
fn strip_comments(text: &str) -> String {
    uapigen_tests::strip_c_comments(text).replace("\\\n", " ")
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
    // Every other macro of the spec is a macro of the real headers too (the arm64 part:
    // of arm64's own asm/kvm.h).
    header.extend(value_macros(&read_header(
        "/usr/aarch64-linux-gnu/include/asm/kvm.h",
    )));
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

/// Field paths of a struct in the header text, in the form of the model's `offset:` facts
/// (`io.port` for a member of a named inline struct; members of anonymous ones appear
/// directly), skipping what `#ifdef` leaves out on x86_64.
fn struct_paths(text: &str, name: &str, defined: &BTreeSet<String>) -> Vec<String> {
    let text = strip_comments(text);
    let head = format!("struct {name} {{");
    let start = text
        .lines()
        .position(|l| l.trim() == head)
        .unwrap_or_else(|| panic!("no `{head}` at the start of a line"));
    // One frame per open brace: the paths declared in it so far.
    let mut frames: Vec<Vec<String>> = Vec::new();
    let mut skipping: Vec<bool> = Vec::new();
    for line in text.lines().skip(start) {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix('#') {
            let rest = rest.trim_start();
            if let Some(m) = rest.strip_prefix("ifdef") {
                skipping.push(!defined.contains(m.trim()));
            } else if let Some(m) = rest.strip_prefix("ifndef") {
                skipping.push(defined.contains(m.trim()));
            } else if rest.starts_with("endif") {
                skipping.pop();
            }
            continue;
        }
        if t.is_empty() || skipping.iter().any(|s| *s) {
            continue;
        }
        if t.ends_with('{') {
            frames.push(Vec::new());
            continue;
        }
        if let Some(rest) = t.strip_prefix('}') {
            let inner = frames.pop().unwrap_or_default();
            let member = ident_prefix(rest.trim());
            let Some(parent) = frames.last_mut() else {
                return inner; // the end of the struct
            };
            if member.is_empty() {
                parent.extend(inner);
            } else {
                parent.push(member.clone());
                parent.extend(inner.into_iter().map(|p| format!("{member}.{p}")));
            }
            continue;
        }
        if let (Some(frame), Some(decl)) = (frames.last_mut(), t.strip_suffix(';')) {
            // The kernel's macro for a flexible array member: `__DECLARE_FLEX_ARRAY(T, name)`.
            if let Some(args) = decl
                .strip_prefix("__DECLARE_FLEX_ARRAY(")
                .and_then(|a| a.strip_suffix(')'))
            {
                let member = args.rsplit(',').next().unwrap_or(args).trim();
                frame.push(member.to_owned());
                continue;
            }
            for (i, d) in decl.split(',').enumerate() {
                let d = d.split('[').next().unwrap_or(d).trim();
                let n = if i == 0 {
                    d.split_whitespace().last().unwrap_or("")
                } else {
                    d
                };
                frame.push(n.trim_start_matches('*').to_owned());
            }
        }
    }
    panic!("struct {name} does not end");
}

/// Every macro the headers define, with or without a value (for `#ifdef`).
fn defined_macros(text: &str) -> BTreeSet<String> {
    strip_comments(text)
        .lines()
        .filter_map(|l| {
            let rest = l.trim_start().strip_prefix('#')?;
            let def = rest.trim_start().strip_prefix("define")?;
            Some(ident_prefix(def.trim_start()))
        })
        .collect()
}

#[test]
fn kvm_structs_have_every_field_of_the_header() {
    let text = format!(
        "{}\n{}",
        read_header(KVM_ASM_HEADER),
        read_header(KVM_HEADER)
    );
    let (total, mut left_out, structs) = kvm_fields_against(&text, "x86_64");
    let riscv: Vec<String> = [
        "riscv_sbi",
        "riscv_sbi.extension_id",
        "riscv_sbi.function_id",
        "riscv_sbi.args",
        "riscv_sbi.ret",
        "riscv_csr",
        "riscv_csr.csr_num",
        "riscv_csr.new_value",
        "riscv_csr.write_mask",
        "riscv_csr.ret_value",
    ]
    .iter()
    .map(|p| format!("kvm_run.{p}"))
    .collect();
    left_out.sort();
    let mut expected = riscv.clone();
    expected.sort();
    assert_eq!(
        left_out, expected,
        "the only fields left out are the RISC-V exit members (made of `unsigned long`)"
    );
    println!(
        "kvm on x86_64: {structs} structs, {total} field paths in the header, {} in the spec",
        total - riscv.len()
    );
    assert_eq!(total - riscv.len(), 270);
}

/// The arm64 structs of the spec against arm64's own headers (`asm/kvm.h` and the
/// `asm/ptrace.h` it includes): every field path of each, nothing left out.
#[test]
fn kvm_arm64_structs_have_every_field_of_the_header() {
    let text = [
        "/usr/aarch64-linux-gnu/include/asm/ptrace.h",
        "/usr/aarch64-linux-gnu/include/asm/kvm.h",
        "/usr/aarch64-linux-gnu/include/linux/kvm.h",
    ]
    .map(read_header)
    .join("\n");
    let (total, left_out, structs) = kvm_fields_against(&text, "aarch64");
    assert!(left_out.is_empty(), "left out on aarch64: {left_out:?}");
    // user_pt_regs (4), user_fpsimd_state (4), kvm_regs (5), kvm_vcpu_init (2), and the
    // generic kvm_userspace_memory_region (5), kvm_hyperv_exit and kvm_xen_exit.
    assert!(
        structs >= 7 && total > 20,
        "{structs} structs, {total} paths"
    );
    println!("kvm on aarch64: {structs} structs, {total} field paths, all in the spec");
}

/// The field paths of the spec's structs that exist on `abi`, against the header text:
/// (paths in the header, paths the spec leaves out, structs compared). A field the spec
/// has and the header does not fails here.
fn kvm_fields_against(text: &str, abi: &str) -> (usize, Vec<String>, usize) {
    let defined = defined_macros(text);
    let m = model("kvm");
    let i = uapigen::abi::ABIS
        .iter()
        .position(|a| a.name == abi)
        .unwrap_or_else(|| panic!("no ABI {abi}"));
    let facts = uapigen::emit::c::facts(&m, i);
    let mut total = 0;
    let mut structs = 0;
    let mut left_out = Vec::new();
    for (_, t) in m.module.named_types().filter(|(_, t)| t.abis.contains(i)) {
        structs += 1;
        let name = t.c_name.clone().unwrap_or_default();
        let prefix = format!("offset:{name}.");
        let spec: BTreeSet<String> = facts
            .iter()
            .filter_map(|f| f.key.strip_prefix(&prefix).map(str::to_owned))
            .collect();
        let header = struct_paths(text, &name, &defined);
        let header_set: BTreeSet<String> = header.iter().cloned().collect();
        assert_eq!(header.len(), header_set.len(), "{name}: duplicate paths");
        let extra: Vec<&String> = spec.difference(&header_set).collect();
        assert!(
            extra.is_empty(),
            "{name} on {abi}: fields not in the header: {extra:?}"
        );
        for p in header_set.difference(&spec) {
            left_out.push(format!("{name}.{p}"));
        }
        total += header.len();
    }
    (total, left_out, structs)
}
