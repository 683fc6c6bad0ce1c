//! Conformance of `spec/vfio.yaml` on every ABI uapigen models (`uapigen::abi::ABIS`): for
//! each one, the real `<linux/vfio.h>` of Debian's `linux-libc-dev-<arch>-cross` (Linux 6.1)
//! and our generated header, compiled by a real compiler for that target (clang-19 where it
//! has a backend, Debian's cross gcc for alpha, hppa and sh4), give exactly the values of our
//! layout model: every constant, enumerator, ioctl number, struct size, alignment and field
//! offset. The generated assertion file and the kernel's header test (C90, included twice)
//! pass for every ABI too, and each ABI's `c_cond` selects that ABI and no other.
//!
//! No ABI is ever skipped: a missing compiler or header fails with what to install
//! (`scripts/install-deps.sh` installs all of them).

use std::path::{Path, PathBuf};
use std::time::Instant;

use uapigen::abi::{ABIS, Abi, IoctlEncoding};
use uapigen::emit::c::probe::probe;
use uapigen_tests::{
    AbiToolchain, abi_toolchain, count_kinds, mismatches, model, par_map, probe_values, root,
};

/// Every ABI's toolchain; panics naming everything that is missing.
fn toolchains() -> Vec<AbiToolchain> {
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for abi in ABIS {
        match abi_toolchain(abi) {
            Ok(t) => {
                let h = t.include.join("linux/vfio.h");
                if h.exists() {
                    out.push(t);
                } else {
                    missing.push(format!(
                        "{}: {} is missing: install Debian's linux-libc-dev-{}-cross (scripts/install-deps.sh)",
                        abi.name,
                        h.display(),
                        abi.debian
                    ));
                }
            }
            Err(e) => missing.push(e),
        }
    }
    assert!(
        missing.is_empty(),
        "cannot test every ABI:\n{}",
        missing.join("\n")
    );
    assert_eq!(out.len(), 18, "uapigen models 18 ABIs");
    out
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"))
}

fn write(path: &Path, text: &str) {
    if let Err(e) = std::fs::write(path, text) {
        panic!("{}: {e}", path.display());
    }
}

fn describe(t: &AbiToolchain) -> String {
    format!(
        "{} {}",
        t.cc.program,
        t.cc.args
            .first()
            .filter(|a| a.starts_with("--target"))
            .map_or("", String::as_str)
    )
    .trim_end()
    .to_owned()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Variant {
    Real,
    Generated,
}

impl Variant {
    fn label(self, header: &str) -> String {
        match self {
            Variant::Real => format!("Debian <{header}>"),
            Variant::Generated => format!("generated <{header}>"),
        }
    }
}

/// The specs compared with Debian's headers on every ABI they exist on (kvm's header
/// exists on the architectures with KVM; its x86 and arm64 parts on those alone).
const SPECS: &[&str] = &[
    "vfio",
    "userfaultfd",
    "loop",
    "vhost_types",
    "vhost",
    "kvm",
    "seccomp",
    "nsfs",
    "if_tun",
];

/// The specs that hold every item of their real header (see
/// `every_macro_and_type_of_the_real_headers_is_in_the_specs`).
const COMPLETE: &[&str] = &[
    "vfio",
    "userfaultfd",
    "loop",
    "vhost_types",
    "vhost",
    "seccomp",
    "nsfs",
];

#[test]
fn model_matches_real_and_generated_headers_on_every_abi() {
    let start = Instant::now();
    let tcs = toolchains();
    let models: Vec<_> = SPECS.iter().map(|s| model(s)).collect();
    let gen_inc = root().join("generated/include");

    // A spec limited to some architectures is compared there; elsewhere the real header
    // must not exist either (the model's `arch` is checked against Debian's packages).
    let mut errors = Vec::new();
    for (s, m) in models.iter().enumerate() {
        for (i, tc) in tcs.iter().enumerate() {
            let real = tc.include.join(&m.module.header);
            if m.module.abis.contains(i) != real.exists() {
                errors.push(format!(
                    "{}: the spec says its header {} on {}, but {} {}",
                    SPECS[s],
                    if m.module.abis.contains(i) {
                        "exists"
                    } else {
                        "does not exist"
                    },
                    tc.abi.name,
                    real.display(),
                    if real.exists() { "exists" } else { "does not" }
                ));
            }
        }
    }
    let mut jobs: Vec<(usize, usize, Variant)> = Vec::new();
    for (s, m) in models.iter().enumerate() {
        for i in (0..tcs.len()).filter(|&i| m.module.abis.contains(i)) {
            jobs.extend([(s, i, Variant::Real), (s, i, Variant::Generated)]);
        }
    }
    let results = par_map(&jobs, |&(s, i, v)| {
        let (src, facts) = probe(&models[s], i);
        // The real <linux/userfaultfd.h> uses `_IOWR` without including <linux/ioctl.h>
        // (programs include <sys/ioctl.h> first).
        let src = format!("#include <linux/types.h>\n#include <linux/ioctl.h>\n{src}");
        let includes: Vec<&Path> = match v {
            Variant::Real => vec![],
            Variant::Generated => vec![gen_inc.as_path()],
        };
        // <linux/vhost_types.h> (real and ours) includes <linux/virtio_ring.h>, which needs
        // <stdint.h>: the compiler's own, as no libc is installed for every ABI.
        let cc = if uapigen_tests::includes_system_headers(&models[s].module.header) {
            tcs[i].cc.with_freestanding_headers()
        } else {
            tcs[i].cc.clone()
        };
        let values = probe_values(&cc, &src, &includes, facts.len());
        (facts, values)
    });

    let mut bad: Vec<(&str, String, String, u64, u64)> = Vec::new();
    let mut checked = 0;
    for (&(s, i, v), (facts, values)) in jobs.iter().zip(&results) {
        let abi = tcs[i].abi;
        let m = &models[s];
        let label = v.label(&m.module.header);
        // Every item of the spec that exists on this ABI has its facts in the probe.
        let on = |a: uapigen::abi::AbiSet| a.contains(i);
        let items = m.module.named_types().filter(|(_, t)| on(t.abis)).count()
            + m.module.ioctls.iter().filter(|io| on(io.abis)).count();
        let probed = facts
            .iter()
            .filter(|f| f.key.starts_with("size:") || f.key.starts_with("ioctl:"))
            .count();
        if probed != items {
            errors.push(format!(
                "{} {}: {probed} types and ioctls probed, the spec has {items} there",
                SPECS[s], abi.name
            ));
        }
        match values {
            Ok(values) => {
                let diff = mismatches(facts, values);
                println!(
                    "{:<8} {:<34} {:<42} {} items checked, {} differ: {:?}",
                    abi.name,
                    label,
                    describe(&tcs[i]),
                    facts.len(),
                    diff.len(),
                    count_kinds(facts)
                );
                checked += facts.len();
                bad.extend(
                    diff.into_iter()
                        .map(|(k, e, a)| (abi.name, label.clone(), k, e, a)),
                );
            }
            Err(e) => errors.push(format!(
                "{} ({label}): the probe does not compile:\n{e}",
                abi.name,
            )),
        }
    }
    println!(
        "{checked} values from {} compiles ({} specs on the {} ABIs each exists on, x 2 headers) compared with the model in {:.1?}",
        jobs.len(),
        models.len(),
        tcs.len(),
        start.elapsed()
    );
    let mut report = errors.join("\n");
    if !bad.is_empty() {
        report.push_str(&format!("\n{} values differ from the model:\n", bad.len()));
        for (abi, what, key, model, actual) in &bad {
            report.push_str(&format!("  {abi} ({what}): {key}: model {model} (0x{model:x}), compiler {actual} (0x{actual:x})\n"));
        }
    }
    assert!(errors.is_empty() && bad.is_empty(), "{report}");
}

/// Every `*.c` assertion file of `generated/layout/`.
fn assertion_files() -> Vec<PathBuf> {
    let dir = root().join("generated/layout");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "c"))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no assertion files in {}", dir.display());
    out
}

#[test]
fn assertion_file_compiles_for_every_abi() {
    let tcs = toolchains();
    let files = assertion_files();
    let gen_inc = format!("-I{}", root().join("generated/include").display());
    // The spec of `NAME_layout.c` includes system kernel headers that need <stdint.h>?
    let needs: Vec<bool> = files
        .iter()
        .map(|f| {
            let stem = f.file_stem().map(|s| s.to_string_lossy().into_owned());
            let name = stem.as_deref().and_then(|s| s.strip_suffix("_layout"));
            name.is_some_and(|n| uapigen_tests::includes_system_headers(&model(n).module.header))
        })
        .collect();
    let results = par_map(&tcs, |t| {
        let mut errs = Vec::new();
        let freestanding = t.cc.with_freestanding_headers();
        for (f, need) in files.iter().zip(&needs) {
            let f = f.display().to_string();
            let cc = if *need { &freestanding } else { &t.cc };
            if let Err(e) = cc.run(&[
                &gen_inc,
                "-std=c11",
                "-Wall",
                "-Werror",
                "-fsyntax-only",
                &f,
            ]) {
                errs.push(format!("{}: {f} fails:\n{e}", t.abi.name));
            }
        }
        errs
    });
    let errs: Vec<String> = results.into_iter().flatten().collect();
    println!(
        "{} assertion files x {} ABIs compiled",
        files.len(),
        tcs.len()
    );
    assert!(errs.is_empty(), "{}", errs.join("\n"));
}

/// `linux/vfio.h`-style names of every generated header.
fn generated_headers() -> Vec<String> {
    let inc = root().join("generated/include/linux");
    let mut out: Vec<String> = std::fs::read_dir(&inc)
        .unwrap_or_else(|e| panic!("{}: {e}", inc.display()))
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.ends_with(".h").then(|| format!("linux/{name}"))
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no generated headers in {}", inc.display());
    out
}

#[test]
fn generated_headers_pass_the_kernel_header_test_on_every_abi() {
    let tcs = toolchains();
    let headers = generated_headers();
    let gen_inc = format!("-I{}", root().join("generated/include").display());
    let tmp = tempdir();
    let mut sources = Vec::new();
    for (n, h) in headers.iter().enumerate() {
        let p = tmp.path().join(format!("twice{n}.c"));
        write(&p, &format!("#include <{h}>\n#include <{h}>\n"));
        sources.push((h, p.display().to_string()));
    }
    let results = par_map(&tcs, |t| {
        let mut errs = Vec::new();
        let freestanding = t.cc.with_freestanding_headers();
        for (h, src) in &sources {
            let cc = if uapigen_tests::includes_system_headers(h) {
                &freestanding
            } else {
                &t.cc
            };
            if let Err(e) = cc.run(&[
                &gen_inc,
                "-std=c90",
                "-Wall",
                "-Werror",
                "-fsyntax-only",
                src,
            ]) {
                errs.push(format!(
                    "{}: {h} fails the C90 header test (included twice):\n{e}",
                    t.abi.name
                ));
            }
        }
        errs
    });
    let errs: Vec<String> = results.into_iter().flatten().collect();
    println!(
        "{} generated headers x {} ABIs pass C90, included twice, no libc",
        headers.len(),
        tcs.len()
    );
    assert!(errs.is_empty(), "{}", errs.join("\n"));
}

#[test]
fn each_c_cond_selects_its_abi_and_no_other() {
    let tcs = toolchains();
    let tmp = tempdir();
    let results = par_map(&tcs, |t| {
        let mut src = String::from("typedef int uapigen_nonempty;\n");
        src.push_str(&format!(
            "#if !({})\n#error \"the c_cond of {} is false\"\n#endif\n",
            t.abi.c_cond, t.abi.name
        ));
        for other in ABIS.iter().filter(|a| a.name != t.abi.name) {
            src.push_str(&format!(
                "#if {}\n#error \"the c_cond of {} is true too\"\n#endif\n",
                other.c_cond, other.name
            ));
        }
        let p = tmp.path().join(format!("cond_{}.c", t.abi.name));
        write(&p, &src);
        let p = p.display().to_string();
        t.cc.run(&["-std=c11", "-Wall", "-Werror", "-fsyntax-only", &p])
            .map_err(|e| format!("{}: {e}", t.abi.name))
    });
    let errs: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    assert!(errs.is_empty(), "{}", errs.join("\n"));
}

#[test]
fn a_missing_toolchain_says_what_to_install() {
    static NOWHERE: Abi = Abi {
        name: "nowhere",
        debian: "nowhere",
        triplet: "nowhere-linux-gnu",
        clang: None,
        c_cond: "0",
        rust_cfg: None,
        pointer: 8,
        align_u64: 8,
        max_align: 8,
        char_signed: true,
        int128_align: 16,
        ioctl: IoctlEncoding::GENERIC,
    };
    let e = abi_toolchain(&NOWHERE).map(|t| t.cc.program).unwrap_err();
    assert!(e.contains("linux-libc-dev-nowhere-cross"), "{e}");
    assert!(e.contains("gcc-nowhere-linux-gnu"), "{e}");
    assert!(e.contains("scripts/install-deps.sh"), "{e}");
}

/// Coverage counted from the real headers' text, not from the specs: every macro (but the
/// include guard) and every struct and union defined at the top level of Debian's header is
/// an item of the spec, whose facts the test above compares on every ABI. The only
/// exceptions are listed here with the reason.
#[test]
fn every_macro_and_type_of_the_real_headers_is_in_the_specs() {
    // Every definition is in the specs.
    let not_yet: &[(&str, &str)] = &[];
    let mut missing = Vec::new();
    for spec in COMPLETE {
        let m = model(spec);
        let path = format!("/usr/include/{}", m.module.header);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("{path}: {e}: install Debian's linux-libc-dev (scripts/install-deps.sh)")
        });
        let keys = uapigen_tests::covered_names(&m, 0);
        let names = uapigen_tests::defined_names(&text, &m.module.guard);
        let defined = names.len();
        let found: std::collections::BTreeSet<String> = names.iter().cloned().collect();
        for name in names {
            if !keys.contains(&name) && !not_yet.contains(&(*spec, name.as_str())) {
                missing.push(format!("{spec}: {name} ({path})"));
            }
        }
        println!("{spec}: {defined} macros and types of {path}, all in the spec");
        // The reading above works: it finds each constant and ioctl of the spec (a header
        // read as nothing would pass the check above).
        let unseen: Vec<&str> = m
            .module
            .constants
            .iter()
            .map(|c| c.c_name.as_str())
            .chain(m.module.ioctls.iter().map(|i| i.c_name.as_str()))
            .filter(|n| !found.contains(*n))
            .collect();
        assert!(
            defined > 0 && unseen.is_empty(),
            "{path}: {defined} definitions found, not {unseen:?}"
        );
    }
    assert!(
        missing.is_empty(),
        "not in the specs:\n{}",
        missing.join("\n")
    );
}
