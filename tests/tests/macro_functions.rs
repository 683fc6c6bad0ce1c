//! Function-like macros against gcc: for a spec whose macros cover every operator, cast and
//! parameter type the format accepts, gcc computes each generated C macro (the header's
//! `#define NAME(x) (...)`) on the sample arguments (`-fwrapv`: the Rust functions wrap
//! where C's signed overflow is undefined), with the value and the C type (size and
//! signedness) of the result. The generated Rust `const fn`s, compiled by rustc with
//! `-D warnings` and run, must return exactly those values in the Rust type of that C type,
//! and the model's facts (`call:` and `ctype:`, which the conformance tests compare with the
//! real kernel headers) must equal them too.
//!
//! Four macros are copies of real ones: `<linux/kvm.h>`'s `KVM_S390_INT_IO(ai, cssid, ssid,
//! schid)` and `KVM_VM_TYPE_ARM_IPA_SIZE(x)`, and, with `?:`, `<linux/comedi.h>`'s
//! `NI_USUAL_PFI_SELECT(x)` and `<linux/vfio.h>`'s `VFIO_DEVICE_STATE_VALID(state)`: gcc
//! computes the real ones on the same arguments too. The `MAC_COND_*` macros cover `?:`
//! with branches of different C types (the usual arithmetic conversions) and nested.
//!
//! A divisor or shift count that depends on a parameter (`<linux/fb.h>`'s
//! `PICOS2KHZ(a)` divides by `a`, `<linux/kfd_ioctl.h>`'s `KFD_SMI_EVENT_MASK_FROM_INDEX(i)`
//! shifts by `i - 1`) is C's where C defines the call, and the Rust function panics where C
//! does not (a zero divisor, a count out of range): the model has no fact there, gcc is not
//! asked, and the compiled Rust must panic.
//!
//! The real macros of `spec/vfio.yaml` are compared with Debian's `<linux/vfio.h>` by the
//! conformance tests (`conformance_abis.rs` on every ABI, `conformance_x86_64.rs` for the
//! Rust functions).

use std::fmt::Write as _;

use uapigen::emit::c::facts::macro_call;

const SPEC: &str = r#"
name: mac
header: linux/mac.h
prefix: mac
constants:
  - { name: MAC_BIT, value: 1 << 4 }
  - { name: MAC_MASK, value: 0xf0 }
  - { name: MAC_BIG, value: 1ULL << 40 }
  - { name: MAC_NEG, value: -3 }
  - { name: MAC_IPA_MASK, value: 0xffULL }
  - { name: MAC_V1_RESUMING, value: 1 << 2 }
  - { name: MAC_STATE_MASK, value: 1 << 0 | 1 << 1 | 1 << 2 }
macros:
  - { name: MAC_ADD_U8, params: [x], type: u8, body: x + 1 }
  - { name: MAC_SUB_U16, params: [x], type: u16, body: x - 3 }
  - { name: MAC_MUL_S8, params: [x], type: s8, body: x * 7 }
  - { name: MAC_NEG_S16, params: [x], type: s16, body: -x }
  - { name: MAC_NOT_U32, params: [x], body: ~x }
  - { name: MAC_LNOT_S32, params: [x], type: s32, body: "!x" }
  - { name: MAC_DIV_S32, params: [x], type: s32, body: x / 3 }
  - { name: MAC_REM_S64, params: [x], type: s64, body: x % 5 }
  - { name: MAC_DIV_NEG_S32, params: [x], type: s32, body: x / MAC_NEG }
  - { name: MAC_SHL_U32, params: [x], body: x << 3 }
  - { name: MAC_SHR_S32, params: [x], type: s32, body: x >> 2 }
  - { name: MAC_SHL_U8, params: [x], type: u8, body: x << 30 }
  - { name: MAC_FIELD, params: [x], body: (x & MAC_MASK) >> 4 }
  - { name: MAC_HAS_BIT, params: [x], type: u64, body: (x & MAC_BIT) != 0 }
  - { name: MAC_LT, params: [x], type: s32, body: x < MAC_NEG }
  - { name: MAC_GE_U, params: [x], body: x >= 0x80000000 }
  - { name: MAC_WIDE, params: [x], body: (__u64)x << 33 }
  - { name: MAC_MIX, params: [x], type: s32, body: x + 1U }
  - { name: MAC_MIX64, params: [x], type: u32, body: x + MAC_BIG }
  - { name: MAC_SIGNED64, params: [x], type: u32, body: x - 5LL }
  - { name: MAC_CAST_INT, params: [x], type: u64, body: (int)x + 1 }
  - { name: MAC_CAST_UINT, params: [x], type: s64, body: (unsigned int)x }
  - { name: MAC_CAST_S64, params: [x], type: u32, body: (__s64)x * -2 }
  - { name: MAC_CLEAR, params: [x], body: (x & ~MAC_MASK) | MAC_BIT }
  - { name: MAC_TWO, params: [a, b], type: s16, body: a * b + a - b }
  - { name: MAC_THREE, params: [a, b, c], type: u64, body: (a ^ b) | ((c & 0xff) == 3) }
  - { name: MAC_CONST, params: [x], body: MAC_MASK | MAC_BIT }
  - { name: MAC_INT_IO, params: [ai, cssid, ssid, schid], body: (schid) | (ssid << 16) | (cssid << 18) | (ai << 26) }
  - { name: MAC_IPA_SIZE, params: [x], type: u64, body: x & MAC_IPA_MASK }
  - { name: MAC_PFI_SELECT, params: [x], body: "(((x) < 10) ? (0x1 + (x)) : (0xb + (x)))" }
  - { name: MAC_STATE_VALID, params: [state], body: "(state & MAC_V1_RESUMING ? (state & MAC_STATE_MASK) == MAC_V1_RESUMING : 1)" }
  - { name: MAC_COND_MIX, params: [x], type: u8, body: "x & MAC_BIT ? x : -1LL" }
  - { name: MAC_COND_UNSIGNED, params: [x], type: s32, body: "x ? 1U : MAC_NEG" }
  - { name: MAC_COND_NESTED, params: [x], type: s16, body: "x < 0 ? -x : x > 100 ? 100 : x" }
  - { name: MAC_COND_LNOT, params: [x], type: u32, body: "!x ? MAC_BIG : x" }
  - { name: MAC_COND_TWO, params: [a, b], type: s16, body: "a - b ? (a > b ? a : b) * 2 : 0U" }
  - { name: MAC_COND_CONST, params: [x], body: "MAC_BIT > 8 ? x : 0ULL" }
  - { name: MAC_DIV_BY, params: [x], body: 1000000000U / x }
  - { name: MAC_REM_BY, params: [x], type: s32, body: 100 % x }
  - { name: MAC_SHL_BY, params: [x], body: 1ULL << ((x) - 1) }
  - { name: MAC_SHR_BY, params: [x], type: s16, body: 0x4000 >> x }
  - { name: MAC_SHL_BARE_BY, params: [x], body: 1U << x }
"#;

/// Macros of the spec written as the real `<linux/kvm.h>` defines them: gcc computes the
/// real macro on the same arguments, and ours must give the same value and type.
const REAL: &[(&str, &str)] = &[
    ("MAC_INT_IO", "KVM_S390_INT_IO"),
    ("MAC_IPA_SIZE", "KVM_VM_TYPE_ARM_IPA_SIZE"),
    ("MAC_PFI_SELECT", "NI_USUAL_PFI_SELECT"),
    ("MAC_STATE_VALID", "VFIO_DEVICE_STATE_VALID"),
];

/// The Rust type name of a `ctype:` code (`sizeof * 10 + signed`).
fn rust_type_of(code: u64) -> &'static str {
    match code {
        41 => "i32",
        40 => "u32",
        81 => "i64",
        80 => "u64",
        _ => "?",
    }
}

#[test]
fn macros_compute_what_gcc_computes_in_c_and_in_rust() {
    let model =
        uapigen::compile_str("spec/mac.yaml", SPEC).unwrap_or_else(|d| panic!("{}", d.plain()));
    let m = &model.module;
    assert_eq!(m.macros.len(), 42, "every macro of the spec resolves");
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let inc = tmp.path().join("include/linux");
    std::fs::create_dir_all(&inc).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(inc.join("mac.h"), uapigen::emit::c::header(&model))
        .unwrap_or_else(|e| panic!("{e}"));

    // Every call: (key, C call text, Rust call text); those C leaves undefined (the Rust
    // function must panic) apart.
    let mut calls: Vec<(String, String)> = Vec::new();
    let mut undefined: Vec<String> = Vec::new();
    for x in &m.macros {
        let panics = uapigen::expr::may_panic(&x.body, &x.params);
        for args in x.samples() {
            let t = x.param_ty.rust_name();
            let rust_args: Vec<String> = args
                .iter()
                .map(|v| {
                    if *v < 0 {
                        format!("-{}{t}", -v)
                    } else {
                        format!("{v}{t}")
                    }
                })
                .collect();
            let rust_call = format!("{}({})", x.rust_name, rust_args.join(", "));
            if panics && x.call(m, &args).is_none() {
                undefined.push(rust_call);
                continue;
            }
            calls.push((macro_call(x, &args), rust_call));
        }
    }
    assert!(undefined.len() >= 4, "{undefined:?}");
    assert!(calls.len() > 300, "{} calls", calls.len());

    // gcc: value and C type of every call of the generated C macro.
    // Then the real <linux/kvm.h> macros on the calls of their copies.
    let real_calls: Vec<(usize, String)> = calls
        .iter()
        .enumerate()
        .filter_map(|(i, (call, _))| {
            REAL.iter().find_map(|(ours, real)| {
                call.strip_prefix(ours)
                    .filter(|rest| rest.starts_with('('))
                    .map(|rest| (i, format!("{real}{rest}")))
            })
        })
        .collect();
    let mut c = String::from(
        "#include <stdio.h>\n#include <linux/mac.h>\n#include <linux/kvm.h>\n#include <linux/comedi.h>\n#include <linux/vfio.h>\nint main(void) {\n",
    );
    for call in calls
        .iter()
        .map(|(c, _)| c)
        .chain(real_calls.iter().map(|(_, c)| c))
    {
        let _ = writeln!(
            c,
            "\tprintf(\"%llu %d\\n\", (unsigned long long)({call}), (int)(sizeof({call}) * 10 + ((__typeof__({call}))-1 < 1)));"
        );
    }
    c.push_str("\treturn 0;\n}\n");
    let c_out = uapigen_tests::run_c_program(
        tmp.path(),
        &c,
        &tmp.path().join("include"),
        &["-std=gnu11", "-Wall", "-Werror", "-fwrapv", "-O0"],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let c_lines: Vec<(u64, u64)> = c_out
        .lines()
        .map(|l| {
            let (v, t) = l.split_once(' ').unwrap_or_else(|| panic!("bad line {l}"));
            (
                v.parse().unwrap_or_else(|e| panic!("{l}: {e}")),
                t.parse().unwrap_or_else(|e| panic!("{l}: {e}")),
            )
        })
        .collect();
    assert_eq!(
        c_lines.len(),
        calls.len() + real_calls.len(),
        "one gcc line per call"
    );
    let (c_lines, real_lines) = c_lines.split_at(calls.len());
    assert!(
        real_calls.len() > 30,
        "{} calls of real macros",
        real_calls.len()
    );
    for ((i, real), r) in real_calls.iter().zip(real_lines) {
        assert_eq!(
            c_lines[*i], *r,
            "{}: ours (value, type) differs from the real {real}",
            calls[*i].0
        );
    }

    // rustc: the generated `const fn`s (self-contained: parameters and literals only),
    // taken from the generated module, with -D warnings.
    let module = uapigen::emit::rust::module(&model, uapigen::emit::Mode::Build)
        .unwrap_or_else(|e| panic!("{e}"));
    // Each function with the attributes and docs above it.
    let lines: Vec<&str> = module.lines().collect();
    let mut fns = String::new();
    for (i, l) in lines.iter().enumerate() {
        if !l.starts_with("pub const fn ") {
            continue;
        }
        let mut start = i;
        while start > 0
            && (lines[start - 1].starts_with("#[") || lines[start - 1].starts_with("///"))
        {
            start -= 1;
        }
        let end = (i..lines.len())
            .find(|&j| lines[j] == "}")
            .unwrap_or_else(|| panic!("unterminated fn at line {i}"));
        for l in &lines[start..=end] {
            fns.push_str(l);
            fns.push('\n');
        }
    }
    assert_eq!(fns.matches("pub const fn ").count(), m.macros.len());
    let mut r = String::from("#![allow(dead_code)]\n");
    r.push_str(&fns);
    r.push_str(
        "fn type_of<T>(_: &T) -> &'static str { core::any::type_name::<T>() }\nfn main() {\n",
    );
    for (_, call) in &calls {
        let _ = writeln!(
            r,
            "    {{ let v = {call}; println!(\"{{}} {{}}\", v as u64, type_of(&v)); }}"
        );
    }
    for call in &undefined {
        let _ = writeln!(
            r,
            "    assert!(std::panic::catch_unwind(|| {call}).is_err(), \"{call} did not panic\");"
        );
    }
    r.push_str("}\n");
    let r_out = uapigen_tests::run_rust_program(tmp.path(), &r).unwrap_or_else(|e| {
        panic!(
            "the Rust functions panicked where C defines the call, or did not where it does not: {e}"
        )
    });
    let r_lines: Vec<String> = r_out.lines().map(str::to_owned).collect();
    // The functions that can panic say so.
    for x in m.macros.iter().filter(|x| x.c_name.ends_with("_BY")) {
        let doc = module
            .split(&format!("pub const fn {}(", x.rust_name))
            .next()
            .and_then(|before| before.rsplit("\n\n").next())
            .unwrap_or("");
        assert!(doc.contains("# Panics"), "{}: {doc}", x.rust_name);
    }
    assert_eq!(r_lines.len(), calls.len(), "one Rust line per call");

    // The model's facts, where C defines the call.
    let facts: std::collections::BTreeMap<String, u64> = uapigen::emit::c::facts(&model, 0)
        .into_iter()
        .map(|f| (f.key, f.value))
        .collect();

    let mut bad = Vec::new();
    let mut modelled = 0;
    for (((call, _), (cv, ct)), rl) in calls.iter().zip(c_lines).zip(&r_lines) {
        let expected = format!("{cv} {}", rust_type_of(*ct));
        if *rl != expected {
            bad.push(format!("{call}: gcc {expected}, Rust {rl}"));
        }
        if let Some(v) = facts.get(&format!("call:{call}")) {
            modelled += 1;
            if v != cv {
                bad.push(format!("{call}: gcc {cv}, model {v}"));
            }
        }
        if let Some(t) = facts.get(&format!("ctype:{call}"))
            && t != ct
        {
            bad.push(format!("{call}: gcc type {ct}, model {t}"));
        }
    }
    println!(
        "{} calls of {} macros: gcc = Rust; {modelled} also in the model's facts",
        calls.len(),
        m.macros.len()
    );
    assert!(modelled > 250, "only {modelled} calls have a fact");
    assert!(
        bad.is_empty(),
        "{} differences:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn bodies_rust_cannot_compute_as_c_does_are_refused() {
    for (body, ty, what) in [
        ("(long)x + 1", "u32", "32 bits on 32-bit ABIs"),
        ("x + 1L", "u32", "another C type on 32-bit ABIs"),
        ("x << 32", "u32", "shifts by 32"),
        ("x % 0", "s32", "divides by zero"),
    ] {
        let spec = format!(
            "name: bad\nheader: linux/bad.h\nmacros:\n  - {{ name: BAD, params: [x], type: {ty}, body: \"{body}\" }}\n"
        );
        let e = match uapigen::compile_str("bad.yaml", &spec) {
            Ok(_) => panic!("`{body}` is accepted"),
            Err(d) => d.plain(),
        };
        assert!(e.contains(what), "`{body}`: {e}");
    }
}
