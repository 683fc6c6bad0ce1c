//! Expressions as C computes them (issue [harden] point 10): the model's value is C's value
//! in the C type of the expression, or the spec is an error at the offending operator or
//! operand, and the line:column of every error is where its snippet underlines.

use uapigen::ir::ConstValue;
use uapigen::{Diagnostic, Model};

const HEAD: &str = "name: demo\nheader: linux/demo.h\n";

fn compile(body: &str) -> Result<Model, Vec<Diagnostic>> {
    let text = format!("{HEAD}{body}");
    uapigen::compile_str("demo.yaml", &text).map_err(|d| d.list)
}

fn errors(body: &str) -> Vec<Diagnostic> {
    match compile(body) {
        Ok(_) => panic!("the spec compiles:\n{body}"),
        Err(d) => d,
    }
}

/// The only error, checked to point where its snippet does: its line and column are the
/// line and column of its byte offset. Returns it with the text it underlines.
fn the_error(body: &str) -> (Diagnostic, String) {
    let text = format!("{HEAD}{body}");
    let list = errors(body);
    assert_eq!(list.len(), 1, "{list:#?}");
    let d = list.into_iter().next().unwrap_or_else(|| unreachable!());
    let before = &text[..d.span.offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    assert_eq!(
        (d.span.line as usize, d.span.column as usize),
        (line, column),
        "{}: line:column differ from where the snippet points",
        d.plain()
    );
    let under = text[d.span.offset..d.span.offset + d.span.len].to_owned();
    (d, under)
}

fn int_const(m: &Model, name: &str) -> (i128, String) {
    let c = m
        .module
        .constants
        .iter()
        .find(|c| c.c_name == name)
        .unwrap_or_else(|| panic!("no constant {name}"));
    match &c.value {
        ConstValue::Int(v) => (v.value, v.ty.spec_name().to_owned()),
        ConstValue::Str(_) => panic!("{name} is a string"),
    }
}

fn header(m: &Model) -> String {
    uapigen::emit::c::header(m)
}

#[test]
fn an_unsigned_int_product_that_wraps_is_an_error() {
    let (d, under) = the_error(
        "constants:\n  - { name: N2_B31, value: (1U << 31) }\n  - { name: N2_X, value: N2_B31 * 2 }\n",
    );
    assert_eq!(d.code.as_str(), "E0204");
    assert_eq!(under, "*");
    assert!(d.message.contains("unsigned int") && d.message.contains("wraps to 0"));
    assert!(d.hint.as_deref().is_some_and(|h| h.contains("2ULL")));
    // Widened, it is the value meant, of a 64-bit type.
    let m = compile(
        "constants:\n  - { name: N2_B31, value: (1U << 31) }\n  - { name: N2_X, value: N2_B31 * 2ULL }\n",
    )
    .unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(int_const(&m, "N2_X"), (1 << 32, "u64".into()));
    assert!(header(&m).contains("(N2_B31 * 2ULL)"));
}

#[test]
fn signed_overflow_is_an_error() {
    let (d, under) = the_error("constants:\n  - { name: TOP, value: 3 << 31, type: u32 }\n");
    assert_eq!(d.code.as_str(), "E0204");
    assert_eq!(under, "<<");
    assert!(d.message.contains("overflows int"), "{}", d.message);
    let (d, under) = the_error("constants:\n  - { name: X, value: \"0x7fffffff + 1\" }\n");
    assert_eq!((d.code.as_str(), under.as_str()), ("E0204", "+"));
    let (d, under) = the_error("constants:\n  - { name: X, value: \"1 << 32\" }\n");
    assert_eq!((d.code.as_str(), under.as_str()), ("E0204", "32"));
}

#[test]
fn unsigned_borrows_keep_cs_value() {
    let m = compile(
        "constants:\n  - { name: ALL, value: 0U - 1 }\n  - { name: NEG, value: -1U }\n  - { name: HALF, value: ALL >> 1 }\n  - { name: SIGNED, value: ~0 }\n  - { name: SHIFTED, value: SIGNED >> 1, type: u64 }\n",
    )
    .unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(int_const(&m, "ALL"), (0xffff_ffff, "u32".into()));
    assert_eq!(int_const(&m, "NEG"), (0xffff_ffff, "u32".into()));
    assert_eq!(int_const(&m, "HALF"), (0x7fff_ffff, "u32".into()));
    assert_eq!(int_const(&m, "SIGNED"), (-1, "s32".into()));
    // `~0 >> 1` is the int -1 in C (an arithmetic shift), which a u64 holds as all ones.
    assert_eq!(
        int_const(&m, "SHIFTED"),
        (i128::from(u64::MAX), "u64".into())
    );
    let h = header(&m);
    assert!(h.contains("(0U - 1)") && h.contains("(SIGNED >> 1)"), "{h}");
}

#[test]
fn complement_of_a_flag_fits_a_u32_set_like_complement_of_zero() {
    let m = compile(
        "flags:\n  - name: f\n    type: u32\n    bits:\n      - { name: F_A, bit: 3 }\n      - { name: F_H, bit: 31 }\n      - { name: F_NOT_A, value: ~F_A }\n      - { name: F_NOT_H, value: ~F_H }\n      - { name: F_ALL, value: ~0 }\n",
    )
    .unwrap_or_else(|d| panic!("{d:#?}"));
    let bits = &m.module.flag_sets[0].bits;
    let v = |n: &str| {
        bits.iter()
            .find(|b| b.c_name == n)
            .map(|b| b.value.value)
            .unwrap_or_else(|| panic!("{n}"))
    };
    assert_eq!(v("F_NOT_A"), 0xffff_fff7);
    assert_eq!(v("F_NOT_H"), 0x7fff_ffff);
    assert_eq!(v("F_ALL"), 0xffff_ffff);
    let h = header(&m);
    assert!(h.contains("(~F_A)") && h.contains("(~F_H)") && h.contains("(1U << 31)"));
    // A 64-bit complement does not fit, and the hint says why.
    let (d, _) = the_error(
        "flags:\n  - name: f\n    type: u32\n    bits:\n      - { name: F_A, value: 1ULL << 3 }\n      - { name: F_NOT_A, value: ~F_A }\n",
    );
    assert_eq!(d.code.as_str(), "E0205");
    assert!(
        d.hint
            .as_deref()
            .is_some_and(|h| h.contains("`~0`") && h.contains("~FLAG")),
        "{:?}",
        d.hint
    );
}

#[test]
fn an_error_in_sizeof_is_placed_where_its_snippet_points() {
    // Line 6 of the file, inside a quoted scalar: the span is on `sizeof`.
    let (d, under) = the_error(
        "constants:\n  - { name: A, value: 1 }\n  - { name: B, value: 2 }\n  - { name: S, value: \"A + sizeof(struct foo)\" }\n",
    );
    assert_eq!(d.code.as_str(), "E0201");
    assert_eq!(under, "sizeof");
    assert_eq!((d.span.line, d.span.column), (6, 28));
    // Plain scalars and nested positions too.
    let (_, under) = the_error("constants:\n  - { name: S, value: (1 + (2 * sizeof(x))) }\n");
    assert_eq!(under, "sizeof");
    let (_, under) = the_error("constants:\n  - { name: S, value: \"(1 + (2 * NOPE))\" }\n");
    assert_eq!(under, "NOPE");
    // An error of a referenced constant is reported where that constant is written.
    let (d, under) = the_error(
        "constants:\n  - { name: A, value: B + 1 }\n  - { name: B, value: \"4 / (2 - 2)\" }\n",
    );
    assert!(d.message.starts_with("constant `B`"), "{}", d.message);
    assert_eq!(under, "(2 - 2)");
    // In an array length of a type string.
    let (d, under) = the_error(
        "structs:\n  - name: s\n    fields:\n      - { name: a, type: \"u8[1 << 40]\" }\n",
    );
    assert_eq!(d.code.as_str(), "E0204");
    assert_eq!(under, "40");
}

#[test]
fn long_must_not_change_the_value() {
    let (d, under) = the_error("constants:\n  - { name: X, value: ~0UL, type: u64 }\n");
    assert_eq!(d.code.as_str(), "E0204");
    assert_eq!(under, "~0UL");
    // The same value on both: printed as the kernel writes it, `long` and all; its C type
    // is C's on each ABI (4 bytes on 32-bit ones, as gcc gives the kernel's `(1UL << 0)`).
    let m = compile("constants:\n  - { name: X, value: 1UL << 3 }\n")
        .unwrap_or_else(|d| panic!("{d:#?}"));
    assert!(header(&m).contains("(1UL << 3)"), "{}", header(&m));
    let ctype = |abi: &str| {
        let i = uapigen::abi::ABIS
            .iter()
            .position(|a| a.name == abi)
            .unwrap_or(0);
        uapigen::emit::c::facts(&m, i)
            .into_iter()
            .find(|f| f.key == "ctype:X")
            .map(|f| f.value)
    };
    // 10 x sizeof + signed: an 8-byte `unsigned long` on x86_64, a 4-byte one on i386.
    assert_eq!(ctype("x86_64"), Some(80));
    assert_eq!(ctype("i386"), Some(40));
}

#[test]
fn what_c_leaves_undefined_or_wraps_is_rejected() {
    for (value, at) in [
        ("1 << 40", "40"),
        ("0xffffffff + 1", "+"),
        ("(2147483647 + 1) / 2", "+"),
        ("18446744073709551615 / 3", "18446744073709551615"),
        ("-(-2147483647 - 1)", "-"),
        ("(-2147483647 - 1) % -1", "%"),
        ("-1 << 1", "<<"),
    ] {
        let (d, under) = the_error(&format!(
            "constants:\n  - {{ name: X, value: \"{value}\", type: u64 }}\n"
        ));
        assert_eq!((d.code.as_str(), under.as_str()), ("E0204", at), "{value}");
    }
}
