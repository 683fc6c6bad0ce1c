//! The generated C passes the kernel's own uapi header test: standalone, included twice,
//! `-std=c90 -Wall -Werror`, no libc headers; also as C++98; and the generated assertion file
//! compiles (as C11 and C++11) for the host.

use std::path::{Path, PathBuf};

use uapigen_tests::{Compiler, kernel_only_includes, root};

fn headers() -> Vec<(PathBuf, String)> {
    let inc = root().join("generated/include");
    let mut out = Vec::new();
    let mut stack = vec![inc.clone()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "h") {
                let rel = p
                    .strip_prefix(&inc)
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                out.push((p, rel.display().to_string()));
            }
        }
    }
    out.sort();
    assert!(
        !out.is_empty(),
        "no generated headers under {}",
        inc.display()
    );
    out
}

fn kernel_includes() -> tempfile::TempDir {
    let sys = Path::new("/usr/include");
    assert!(
        sys.join("linux/types.h").exists(),
        "/usr/include/linux/types.h is missing: install linux-libc-dev"
    );
    match kernel_only_includes(sys, &sys.join("x86_64-linux-gnu")) {
        Ok(d) => d,
        Err(e) => panic!("cannot build the kernel-only include dir: {e}"),
    }
}

fn twice(dir: &Path, header: &str, ext: &str) -> PathBuf {
    let p = dir.join(format!("twice.{ext}"));
    let body = format!("#include <{header}>\n#include <{header}>\n");
    if let Err(e) = std::fs::write(&p, body) {
        panic!("{}: {e}", p.display());
    }
    p
}

#[test]
fn headers_pass_the_kernel_header_test() {
    let gcc = Compiler::new("gcc", &[]);
    gcc.require();
    let gxx = Compiler::new("g++", &[]);
    gxx.require();
    let k = kernel_includes();
    let gen_inc = root().join("generated/include");
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut checked = 0;
    // A header that includes <linux/virtio_ring.h> (as <linux/vhost_types.h> does) needs
    // <stdint.h>: the compiler's freestanding one, still no libc.
    let (gcc_f, gxx_f) = (
        gcc.with_freestanding_headers(),
        gxx.with_freestanding_headers(),
    );
    let mut c_only = Vec::new();
    for (_, rel) in headers() {
        let system = uapigen_tests::includes_system_headers(&rel);
        let (gcc, gxx) = if system {
            (&gcc_f, &gxx_f)
        } else {
            (&gcc, &gxx)
        };
        let inc_gen = format!("-I{}", gen_inc.display());
        let inc_k = format!("-I{}", k.path().display());
        let c = twice(tmp.path(), &rel, "c");
        let c = c.display().to_string();
        if let Err(e) = gcc.run(&[
            "-std=c90",
            "-Wall",
            "-Werror",
            "-nostdinc",
            &inc_gen,
            &inc_k,
            "-fsyntax-only",
            &c,
        ]) {
            panic!("{rel} fails the C90 header test:\n{e}");
        }
        let cc = twice(tmp.path(), &rel, "cc");
        let cc = cc.display().to_string();
        let cxx = |inc: &str, cc: &str| {
            gxx.run(&[
                "-std=c++98",
                "-Wall",
                "-Werror",
                "-nostdinc",
                "-nostdinc++",
                inc,
                &inc_k,
                "-fsyntax-only",
                cc,
            ])
        };
        match cxx(&inc_gen, &cc) {
            Ok(()) => {}
            // <linux/virtio_ring.h> converts `void *` implicitly, which C++ refuses: a
            // header that includes it cannot pass, and the real header fails just so.
            Err(e) if system && e.contains("virtio_ring.h") => {
                // The real header of a validation header is the spec's own.
                let real_rel = rel.replace("_validate.h", ".h");
                let real_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
                let real_cc = twice(real_dir.path(), &real_rel, "cc");
                let real = cxx("-I/nonexistent", &real_cc.display().to_string());
                assert!(
                    real.as_ref().is_err_and(|r| r.contains("virtio_ring.h")),
                    "{rel} fails C++98 in <linux/virtio_ring.h>, but the real header does not:\n{e}\n{real:?}"
                );
                c_only.push(rel.clone());
            }
            Err(e) => panic!("{rel} fails the C++98 header test:\n{e}"),
        }
        checked += 1;
    }
    println!(
        "{checked} generated headers pass C90 and C++98 (twice included, no libc); as the real ones, {c_only:?} fail C++98 in <linux/virtio_ring.h>"
    );
}

#[test]
fn headers_include_only_kernel_headers() {
    for (p, rel) in headers() {
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        for line in text
            .lines()
            .filter(|l| l.trim_start().starts_with("#include"))
        {
            assert!(
                line.contains("<linux/") && !line.contains("<asm/types.h>"),
                "{rel}: `{line}`: a uapi header includes <linux/...> headers only (headers_check.pl)"
            );
        }
        assert!(
            text.contains("@generated by uapigen from spec/"),
            "{rel}: banner naming the spec"
        );
    }
}

/// The `#include <...>` lines of a header, in order.
fn includes_of(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let rest = l.trim_start().strip_prefix('#')?.trim_start();
            let rest = rest.strip_prefix("include")?.trim_start();
            let (h, _) = rest.strip_prefix('<')?.split_once('>')?;
            Some(h.to_owned())
        })
        .collect()
}

/// Where a generated header includes system kernel headers that are not specs (a spec's
/// `includes`), they are exactly those of Debian's real header, in the same order (the
/// headers of specs, `<linux/types.h>` and `<linux/ioctl.h>` aside). (Specs without
/// `includes` describe what their real header takes from elsewhere themselves, as kvm
/// does with `<asm/kvm.h>`.)
#[test]
fn system_includes_are_those_of_the_real_header() {
    let generated: std::collections::BTreeSet<String> =
        headers().into_iter().map(|(_, rel)| rel).collect();
    let other = |h: &String| !generated.contains(h) && h != "linux/types.h" && h != "linux/ioctl.h";
    let mut compared = 0;
    for (p, rel) in headers() {
        if rel.ends_with("_validate.h") {
            continue;
        }
        let ours: Vec<String> = includes_of(&std::fs::read_to_string(&p).unwrap_or_default())
            .into_iter()
            .filter(other)
            .collect();
        if ours.is_empty() {
            continue;
        }
        let real_path = std::path::Path::new("/usr/include").join(&rel);
        let real = std::fs::read_to_string(&real_path)
            .unwrap_or_else(|e| panic!("{}: {e} (install linux-libc-dev)", real_path.display()));
        let real: Vec<String> = includes_of(&real).into_iter().filter(other).collect();
        assert_eq!(ours, real, "{rel}: system headers included, in order");
        compared += 1;
    }
    println!("{compared} generated headers include the real header's system headers");
    assert!(
        generated.contains("linux/vhost_types.h") && compared >= 1,
        "linux/vhost_types.h includes the virtio headers"
    );
}

#[test]
fn assertion_files_compile_for_the_host() {
    let gcc = Compiler::new("gcc", &[]);
    gcc.require();
    let gxx = Compiler::new("g++", &[]);
    gxx.require();
    let gen_inc = format!("-I{}", root().join("generated/include").display());
    let dir = root().join("generated/layout");
    let mut n = 0;
    for e in std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
    {
        let p = e.path().display().to_string();
        if let Err(e) = gcc.run(&[
            "-std=c11",
            "-Wall",
            "-Werror",
            &gen_inc,
            "-fsyntax-only",
            &p,
        ]) {
            panic!("{p} fails as C11:\n{e}");
        }
        if let Err(e) = gxx.run(&[
            "-std=c++11",
            "-Wall",
            "-Werror",
            &gen_inc,
            "-fsyntax-only",
            "-x",
            "c++",
            &p,
        ]) {
            // <linux/virtio_ring.h> (through <linux/vhost_types.h>) is C only; the header
            // test above shows that the real header fails C++ the same way.
            assert!(e.contains("virtio_ring.h"), "{p} fails as C++11:\n{e}");
        }
        n += 1;
    }
    assert!(n > 0, "no assertion files in {}", dir.display());
}

#[test]
fn assertion_file_catches_a_wrong_layout() {
    // The assertions are live: against a header whose struct has an extra field they fail.
    let gcc = Compiler::new("gcc", &[]);
    gcc.require();
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let linux = tmp.path().join("linux");
    std::fs::create_dir_all(&linux).unwrap_or_else(|e| panic!("{e}"));
    let real =
        std::fs::read_to_string(root().join("generated/include/linux/vfio.h")).unwrap_or_default();
    let broken = real.replacen(
        "struct vfio_info_cap_header {\n",
        "struct vfio_info_cap_header {\n\t__u32\textra;\n",
        1,
    );
    assert_ne!(real, broken, "the test edits the header");
    std::fs::write(linux.join("vfio.h"), broken).unwrap_or_else(|e| panic!("{e}"));
    let asserts = root()
        .join("generated/layout/vfio_layout.c")
        .display()
        .to_string();
    let inc = format!("-I{}", tmp.path().display());
    let err = gcc
        .run(&["-std=c11", &inc, "-fsyntax-only", &asserts])
        .err()
        .unwrap_or_default();
    assert!(
        err.contains("size:vfio_info_cap_header"),
        "the failing assertion names the item:\n{err}"
    );
}

/// A struct of a used spec embedded in this spec's struct is declared by the used spec's
/// header alone: both headers together compile (no redefinition), and the layout
/// assertions of both hold.
#[test]
fn a_used_specs_struct_is_declared_once() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let spec = |name: &str, text: &str| {
        let p = dir.path().join(format!("{name}.yaml"));
        std::fs::write(&p, text).unwrap_or_else(|e| panic!("{e}"));
        p
    };
    spec(
        "pairbase",
        "name: pairbase\nheader: linux/pairbase.h\ndoc: Base.\nstructs:\n  - name: pair_base\n    doc: Two words.\n    fields:\n      - { name: a, type: u32, doc: A. }\n      - { name: b, type: u64, doc: B. }\n",
    );
    let top = spec(
        "pairtop",
        "name: pairtop\nheader: linux/pairtop.h\nuses: [pairbase]\ndoc: Top.\nstructs:\n  - name: pair_holder\n    doc: Holds pairs.\n    fields:\n      - { name: n, type: u32, doc: N. }\n      - { name: pairs, type: \"struct pair_base[2]\", doc: Pairs. }\n",
    );
    let models = uapigen::builder_api::compile_with_uses(&[top]).unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("out");
    let outputs = uapigen::files::render(
        &models,
        &uapigen::files::OutputDirs::flat(),
        uapigen::emit::Mode::Build,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    uapigen::files::write_all(&out, &outputs).unwrap_or_else(|e| panic!("{e}"));
    let top_h = std::fs::read_to_string(out.join("include/linux/pairtop.h")).unwrap_or_default();
    assert!(!top_h.contains("struct pair_base {"), "{top_h}");
    let unit = out.join("both.c");
    std::fs::write(
        &unit,
        "#include \"pairbase_layout.c\"\n#include \"pairtop_layout.c\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let gcc = Compiler::new("gcc", &[]);
    gcc.require();
    gcc.run(&[
        "-std=c11",
        "-Wall",
        "-Werror",
        "-fsyntax-only",
        &format!("-I{}", out.join("include").display()),
        &format!("-I{}", out.display()),
        &unit.display().to_string(),
    ])
    .unwrap_or_else(|e| panic!("the two headers do not compile together:\n{e}"));
}
