//! C's own integer types, the kernel's typedefs and C99's `int8_t` ... `uint64_t` and
//! `size_t` (`uapigen::ctypes`) against the real compilers and headers: for every ABI,
//! Debian's cross kernel headers and the compiler's own freestanding `<stdint.h>` and
//! `<stddef.h>`, compiled by that ABI's compiler, give each type's size, alignment inside a
//! struct and signedness, and the table must say the same. A type the table says an ABI lacks (`__int128` on 32-bit ABIs)
//! must fail to compile there. No ABI is skipped: a missing compiler or header fails with
//! what to install.

use uapigen::abi::ABIS;
use uapigen::ctypes::{CInt, KERNEL_TYPES};
use uapigen_tests::{abi_toolchain, par_map, probe_values};

/// `sizeof`, alignment inside a struct, and signedness of `c` as the probe's three values.
fn probe_lines(c: &str) -> String {
    format!("sizeof({c}), __builtin_offsetof(struct {{ char c; {c} x; }}, x), ({c})-1 < ({c})0,\n")
}

#[test]
fn every_c_type_and_kernel_typedef_is_what_the_compiler_says_on_every_abi() {
    let tools: Vec<_> = ABIS
        .iter()
        .map(|a| abi_toolchain(a).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let results = par_map(&tools, |t| {
        let abi = t.abi;
        // C99's `uint64_t` and `size_t` come from the compiler's own freestanding headers.
        let cc = t.cc.with_freestanding_headers();
        let c_types: Vec<CInt> = CInt::ALL.into_iter().filter(|c| c.exists(abi)).collect();
        let mut src = String::from(
            "#include <linux/types.h>\n#include <stdint.h>\n#include <stddef.h>\n\
             const unsigned long long uapigen_probe_values[] = {\n",
        );
        let mut want = Vec::new();
        let mut names = Vec::new();
        for c in &c_types {
            src.push_str(&probe_lines(c.c_name()));
            want.extend([c.size(abi), c.align(abi), c.signed(abi) as u64]);
            names.push(c.c_name().to_owned());
        }
        for k in KERNEL_TYPES {
            let b = k.base(abi);
            src.push_str(&probe_lines(k.name));
            want.extend([b.size(abi), b.align(abi), b.signed(abi) as u64]);
            names.push(k.name.to_owned());
        }
        src.push_str("};\n");
        let got = probe_values(&cc, &src, &[], want.len())
            .unwrap_or_else(|e| panic!("{}: {e}", abi.name));
        let mut bad = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let (w, g) = (&want[3 * i..3 * i + 3], &got[3 * i..3 * i + 3]);
            if w != g {
                bad.push(format!(
                    "{}: {name}: table (size, align, signed) {w:?}, compiler {g:?}",
                    abi.name
                ));
            }
        }
        // What the table says is absent must be absent.
        for c in CInt::ALL.into_iter().filter(|c| !c.exists(abi)) {
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
            let file = dir.path().join("absent.c");
            std::fs::write(&file, format!("{} x;\n", c.c_name()))
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let path = file.display().to_string();
            if t.cc.run(&["-fsyntax-only", &path]).is_ok() {
                bad.push(format!(
                    "{}: `{}` compiles, the table says it does not exist",
                    abi.name,
                    c.c_name()
                ));
            }
        }
        (names.len(), bad)
    });
    let mut bad = Vec::new();
    let mut checked = 0;
    for (n, b) in results {
        checked += n;
        bad.extend(b);
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // 13 C types (11 on ABIs without __int128) and every kernel typedef on 18 ABIs.
    assert!(checked >= 18 * (11 + KERNEL_TYPES.len()), "{checked}");
}
