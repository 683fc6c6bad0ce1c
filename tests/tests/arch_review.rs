//! Review of the `arch` feature: one failing case per bug found, each a minimal spec. A
//! case passes when uapigen either rejects the spec with a diagnostic or generates output
//! that the real compilers accept on every ABI (and that reports the right facts). They
//! fail on the commit that introduced `arch` (50d3083).

use std::path::Path;

use uapigen::abi::ABIS;
use uapigen::{Model, compile_str};
use uapigen_tests::{abi_toolchain, par_map};

/// The ABIs (by name) whose compiler rejects `source` with the generated headers of
/// `headers` (file name under `linux/`, text) on `-I`, with the messages.
fn failing_abis(headers: &[(String, String)], source: &str, std: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let inc = dir.path().join("include");
    std::fs::create_dir_all(inc.join("linux")).unwrap_or_else(|e| panic!("{e}"));
    for (name, text) in headers {
        std::fs::write(inc.join("linux").join(name), text).unwrap_or_else(|e| panic!("{e}"));
    }
    let indices: Vec<usize> = (0..ABIS.len()).collect();
    let results = par_map(&indices, |&i| {
        let abi = &ABIS[i];
        let tc = abi_toolchain(abi).unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join(format!("{}.c", abi.name));
        std::fs::write(&file, source).unwrap_or_else(|e| panic!("{e}"));
        let inc = format!("-I{}", inc.display());
        let file = file.display().to_string();
        let mut args = vec![inc.as_str(), "-fsyntax-only", file.as_str()];
        args.extend(std.split_whitespace());
        tc.cc.run(&args).err().map(|e| format!("{}: {e}", abi.name))
    });
    results.into_iter().flatten().collect()
}

fn header_of(model: &Model) -> (String, String) {
    let h = &model.module.header;
    let name = Path::new(h)
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    (name, uapigen::emit::c::header(model))
}

/// Found by the hostile review: an enum whose every enumerator is limited to fewer ABIs than the enum is accepted,
/// and the C header has `enum e { };` (an error in C) on every other ABI.
#[test]
fn enum_with_only_limited_enumerators() {
    const SPEC: &str = "name: ae\nheader: linux/ae.h\nenums:\n  - name: ae_e\n    values:\n      - { name: AE_ARM, arch: [arm64] }\n";
    let Ok(model) = compile_str("ae.yaml", SPEC) else {
        return; // rejected: fine
    };
    let errs = failing_abis(&[header_of(&model)], "#include <linux/ae.h>\n", "-std=c11");
    assert!(
        errs.is_empty(),
        "accepted, but the header does not compile:\n{}",
        errs.join("\n")
    );
}

/// Found by the hostile review: a union (or struct) on [x86, arm64] that embeds a type declared once for x86 and
/// once for arm64 is accepted (the README says E0115: no declaration exists on all of its
/// ABIs); the model then lays it out with arm64's declaration on x86, so the Rust crate
/// does not build and the assertion file fails on x86 (size of s1_u 32, real 16).
#[test]
fn union_spanning_per_arch_declarations() {
    const SPEC: &str = r#"
name: s1
header: linux/s1.h
structs:
  - name: s1_regs
    arch: [arm64]
    fields:
      - { name: pc, type: u64 }
      - { name: v, type: "u64[3]" }
  - name: s1_regs
    arch: [x86]
    fields:
      - { name: rax, type: u64 }
  - name: s1_u
    kind: union
    arch: [x86, arm64]
    fields:
      - { name: r, type: struct s1_regs }
      - { name: raw, type: "u8[8]" }
"#;
    let Ok(model) = compile_str("s1.yaml", SPEC) else {
        return;
    };
    let asserts = uapigen::emit::c::asserts(&model);
    let errs = failing_abis(&[header_of(&model)], &asserts, "-std=gnu11");
    assert!(
        errs.is_empty(),
        "accepted, but the assertions fail:\n{}",
        errs.join("\n")
    );
}

/// Found by the hostile review: with `arch` on the spec, `<linux/NAME_validate.h>` is not guarded like the main
/// header: on every ABI outside the spec's it uses the struct, which does not exist there.
#[test]
fn validate_header_of_a_spec_with_arch() {
    const SPEC: &str = r#"
name: av
header: linux/av.h
arch: [arm64]
structs:
  - name: av_s
    extensible: { size-field: argsz, style: minsz }
    fields:
      - { name: argsz, type: u32 }
      - { name: op, type: u32 }
"#;
    let model = compile_str("av.yaml", SPEC).unwrap_or_else(|d| panic!("{}", d.plain()));
    let validate =
        uapigen::emit::c::validate::header(&model).unwrap_or_else(|| panic!("no validate header"));
    let headers = [header_of(&model), ("av_validate.h".to_owned(), validate)];
    let errs = failing_abis(&headers, "#include <linux/av_validate.h>\n", "-std=c11");
    assert!(errs.is_empty(), "{}", errs.join("\n"));
}

/// Found by the hostile review: E0402 (argument too large for the size field) is checked on every ABI, not on the
/// ioctl's: an x86-only ioctl with a 10000-byte argument is rejected because of powerpc.
#[test]
fn ioctl_size_limit_checked_on_its_abis_only() {
    const SPEC: &str = r#"
name: az
header: linux/az.h
constants:
  - { name: AZ_T, value: 0xAF }
structs:
  - name: az_big
    fields:
      - { name: a, type: "u8[10000]" }
ioctls:
  - { name: AZ_IO, dir: read, type: AZ_T, nr: 1, arg: struct az_big, arch: [x86] }
"#;
    if let Err(d) = compile_str("az.yaml", SPEC) {
        panic!(
            "an x86-only ioctl is checked against powerpc's size field:\n{}",
            d.plain()
        );
    }
}

/// Found by the hostile review: an arch-limited constant of a used spec is not checked (no E0115) where a spec
/// without `arch` uses it: the C header defines `UC_N` as `UA_X86` on every ABI, an
/// undeclared identifier outside x86, and Rust defines `UC_N = 4` on every target.
#[test]
fn used_spec_arch_limited_constant_is_checked() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("ua.yaml"),
        "name: ua\nheader: linux/ua.h\nconstants:\n  - { name: UA_X86, value: 4, arch: [x86] }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let uc = dir.path().join("uc.yaml");
    std::fs::write(
        &uc,
        "name: uc\nheader: linux/uc.h\nuses: [ua]\nconstants:\n  - { name: UC_N, value: UA_X86 }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    if uapigen::compile_file(&uc).is_ok() {
        panic!("`UC_N` (every ABI) uses `UA_X86` (x86 only) and is accepted");
    }
}

/// Found by the hostile review: of a type a used spec declares once per architecture, only the first declaration is
/// imported: an arm64 struct that embeds the arm64 declaration gets "`ua_regs` does not
/// exist on aarch64".
#[test]
fn used_spec_per_arch_type() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("ua.yaml"),
        r#"name: ua
header: linux/ua.h
structs:
  - name: ua_regs
    arch: [x86]
    fields:
      - { name: rax, type: u32 }
  - name: ua_regs
    arch: [arm64]
    fields:
      - { name: pc, type: u64 }
      - { name: v, type: "u64[3]" }
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let ud = dir.path().join("ud.yaml");
    std::fs::write(
        &ud,
        "name: ud\nheader: linux/ud.h\nuses: [ua]\nstructs:\n  - name: ud_arm\n    arch: [arm64]\n    fields:\n      - { name: r, type: struct ua_regs }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let model = uapigen::compile_file(&ud).unwrap_or_else(|d| panic!("{}", d.plain()));
    let l = model
        .layout("aarch64")
        .unwrap_or_else(|| panic!("no aarch64"));
    let (id, _) = model
        .module
        .named_types()
        .find(|(_, t)| t.c_name.as_deref() == Some("ud_arm"))
        .unwrap_or_else(|| panic!("no ud_arm"));
    assert_eq!(
        l.types[id].size, 32,
        "ud_arm on aarch64 embeds arm64's 32-byte ua_regs"
    );
}

/// Found by the hostile review: `uapigen layout --abi X` (and `--json`) lists every declaration and ioctl, also
/// those that do not exist on X (arm64's struct on x86_64, x86_64's ioctl number on aarch64).
#[test]
fn layout_report_lists_only_the_abis_items() {
    const SPEC: &str = r#"
name: al
header: linux/al.h
structs:
  - name: al_arm
    arch: [arm64]
    fields:
      - { name: pc, type: u64 }
"#;
    let model = compile_str("al.yaml", SPEC).unwrap_or_else(|d| panic!("{}", d.plain()));
    let l = model
        .layout("x86_64")
        .unwrap_or_else(|| panic!("no x86_64"));
    let text = uapigen::report::layout_text(&model, l);
    assert!(
        !text.contains("al_arm"),
        "arm64-only struct in the x86_64 report:\n{text}"
    );
}

/// Found by the hostile review: an ioctl made once per declaration of its argument hides that its size differs
/// between x86_64 and i386: neither lint (L0102) nor `layout --all-abis` reports the need
/// for a compat_ioctl, which the same ioctl with one `unsigned long` struct gets.
#[test]
fn split_ioctl_size_difference_is_reported() {
    const SPEC: &str = r#"
name: as4
header: linux/as4.h
arch: [x86]
constants:
  - { name: AS4_T, value: 0xAD }
structs:
  - name: as4_r
    arch: [x86_64]
    fields:
      - { name: a, type: u64 }
  - name: as4_r
    arch: [i386, x32]
    fields:
      - { name: a, type: u32 }
ioctls:
  - { name: AS4_GET, dir: read, type: AS4_T, nr: 1, arg: struct as4_r }
"#;
    let model = compile_str("as4.yaml", SPEC).unwrap_or_else(|d| panic!("{}", d.plain()));
    let sizes = uapigen::report::differing_ioctl_sizes(&model);
    assert!(
        !sizes.is_empty(),
        "AS4_GET is 8 bytes on x86_64 and 4 on i386/x32: a compat_ioctl is needed\n{}",
        uapigen::report::cross_abi_text(&model)
    );
}

/// Found by the hostile review: a flag that exists on none of an extensible struct's ABIs is reported as a known
/// flag "that does not exist on aarch64" (E0115); on the struct's ABIs the known mask is
/// the same everywhere, so nothing is wrong.
#[test]
fn flag_of_another_arch_is_not_a_known_flag() {
    const SPEC: &str = r#"
name: af
header: linux/af.h
flags:
  - name: af_flags
    bits:
      - { name: AF_F_A, bit: 0 }
      - { name: AF_F_X86, bit: 1, arch: [x86] }
structs:
  - name: af_s
    arch: [arm64]
    extensible: { size-field: argsz, style: minsz }
    fields:
      - { name: argsz, type: u32 }
      - { name: flags, type: u32, flags: af_flags }
"#;
    if let Err(d) = compile_str("af.yaml", SPEC) {
        panic!("{}", d.plain());
    }
}

/// Found by the hostile review (minor): an enum whose last enumerator is limited leaves `A,` before `};` elsewhere, a
/// C99 feature in a header meant to pass the C90 header test (-pedantic warns).
#[test]
fn enum_with_limited_last_enumerator_is_c90() {
    const SPEC: &str = "name: at\nheader: linux/at.h\nenums:\n  - name: at_e\n    values:\n      - { name: AT_A }\n      - { name: AT_X86, arch: [x86] }\n";
    let model = compile_str("at.yaml", SPEC).unwrap_or_else(|d| panic!("{}", d.plain()));
    let errs = failing_abis(
        &[header_of(&model)],
        "#include <linux/at.h>\n",
        "-std=c90 -pedantic-errors",
    );
    assert!(errs.is_empty(), "{}", errs.join("\n"));
}
