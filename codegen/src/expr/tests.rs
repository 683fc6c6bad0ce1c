//! Unit tests of parsing, C evaluation and C spelling.

use super::*;

/// Names: `BASE` is the int 100, `N2_B31` the unsigned int `(1U << 31)`, `FLAG` the int 8.
fn names(n: &str) -> Result<CValue, NameError> {
    match n {
        "BASE" => Ok(CValue::int(100)),
        "N2_B31" => Ok(CValue::new(1 << 31, CType::UINT)),
        "FLAG" => Ok(CValue::int(8)),
        _ => Err(NameError::Unknown),
    }
}

fn c(t: &str) -> Result<Evaluated, String> {
    let e = parse(t).map_err(|e| e.message)?;
    e.eval(&mut names).map_err(|e| format!("{:?}", e.kind))
}

fn eval(t: &str) -> i128 {
    c(t).map_or(i128::MIN, |e| e.c.value)
}

fn ty(t: &str) -> Option<CType> {
    c(t).ok().map(|e| e.c.ty)
}

/// The error's message and the text it points at.
fn err(t: &str) -> (String, String) {
    let r = parse(t).map(|e| e.eval(&mut names));
    match r {
        Ok(Err(e)) => {
            let m = match e.kind {
                EvalKind::Arith { message, .. } => message,
                k => format!("{k:?}"),
            };
            (m, t[e.at..e.at + e.len].to_owned())
        }
        other => panic!("{t}: expected an evaluation error, got {other:?}"),
    }
}

#[test]
fn precedence_follows_c() {
    assert_eq!(eval("1 + 2 * 3"), 7);
    assert_eq!(eval("1 << 2 + 1"), 8);
    assert_eq!(eval("1 | 2 & 3"), 3);
    assert_eq!(eval("BASE + 7"), 107);
    assert_eq!(eval("';'"), 59);
    assert_eq!(eval("0xffff"), 65535);
    assert_eq!(eval("~0 & 0xff"), 255);
    assert_eq!(eval("-(1 << 3)"), -8);
    assert_eq!(eval("010"), 8);
    assert_eq!(eval("1 < 2 == 1"), 1);
    assert_eq!(eval("1 | 2 == 2"), 1);
    assert_eq!(eval("!0 + !5"), 1);
    assert_eq!(eval("3 >= 3 != 0"), 1);
}

#[test]
fn literals_have_c_types() {
    assert_eq!(ty("1"), Some(CType::INT));
    assert_eq!(ty("1U"), Some(CType::UINT));
    assert_eq!(ty("0x7fffffff"), Some(CType::INT));
    assert_eq!(ty("0x80000000"), Some(CType::UINT));
    assert_eq!(ty("0xffffffffff"), Some(CType::LLONG));
    assert_eq!(ty("0xffffffffffffffff"), Some(CType::ULLONG));
    assert_eq!(ty("2147483648"), Some(CType::LLONG));
    assert_eq!(ty("1ULL"), Some(CType::ULLONG));
    assert_eq!(ty("'a'"), Some(CType::INT));
    assert_eq!(ty("1 < 2U"), Some(CType::INT));
    // `long` differs between ABIs: printed as written, with C's type on each (8 bytes on
    // 64-bit ABIs, 4 on 32-bit ones), as the kernel's `(1UL << 0)` macros have.
    assert!(c("1UL << 3").is_ok_and(|e| e.as_written
        && e.c.ty == CType::ULLONG
        && e.c.ty32 == CType::UINT
        && e.c.ty_on(4) == CType::UINT
        && e.c.ty_on(8) == CType::ULLONG));
    assert!(c("1L").is_ok_and(|e| e.c.ty == CType::LLONG && e.c.ty32 == CType::INT));
    assert!(c("1U << 3").is_ok_and(|e| e.as_written));
    // C90 reads a decimal past INT_MAX as `unsigned long`, C99 as `long long`.
    assert!(c("3000000000").is_ok_and(|e| !e.as_written && e.c.value == 3_000_000_000));
    assert!(c("3000000000LL").is_ok_and(|e| e.as_written));
    // No C type at all.
    assert!(err("18446744073709551615").0.contains("too large"));
    assert_eq!(eval("18446744073709551615ULL"), i128::from(u64::MAX));
    assert!(parse("1uu").is_err() && parse("1lul").is_err() && parse("1lL").is_err());
    assert!(parse("1llu").is_ok() && parse("1LLU").is_ok() && parse("1uL").is_ok());
}

#[test]
fn unsigned_arithmetic_wraps_like_c() {
    // Borrows keep C's value (the two's complement), as `~0U` does.
    assert_eq!(eval("0U - 1"), 0xffff_ffff);
    assert_eq!(ty("0U - 1"), Some(CType::UINT));
    assert_eq!(eval("-1U"), 0xffff_ffff);
    assert_eq!(eval("0ULL - 1"), i128::from(u64::MAX));
    assert_eq!(eval("~0U"), 0xffff_ffff);
    assert_eq!(eval("~0"), -1);
    // The usual arithmetic conversions: `-1` becomes UINT_MAX next to an unsigned int.
    assert_eq!(eval("-1 / 2U"), 0x7fff_ffff);
    assert_eq!(eval("-1 < 0U"), 0);
    assert_eq!(eval("-1 < 0"), 1);
    assert_eq!(eval("~N2_B31"), 0x7fff_ffff);
    assert_eq!(eval("~FLAG"), -9);
    assert_eq!(eval("N2_B31 >> 31"), 1);
    assert_eq!(eval("-16 >> 2"), -4);
    assert_eq!(eval("(0ULL - 1) / 2"), i128::from(u64::MAX / 2));
}

#[test]
fn a_silent_unsigned_wrap_is_an_error() {
    // `(1U << 31) * 2` is 0 in C: rejected, pointing at the operator.
    let (m, at) = err("N2_B31 * 2");
    assert!(
        m.contains("overflows unsigned int") && m.contains("wraps to 0"),
        "{m}"
    );
    assert_eq!(at, "*");
    assert_eq!(eval("N2_B31 * 2ULL"), 1 << 32);
    assert_eq!(ty("N2_B31 * 2ULL"), Some(CType::ULLONG));
    assert_eq!(err("0xffffffffU + 1").1, "+");
    assert_eq!(err("(1U << 31) << 1").1, "<<");
    assert_eq!(err("(0ULL - 1) * (0ULL - 1)").1, "*");
    assert!(
        err("0xffffffffffffffff + 1")
            .0
            .contains("unsigned long long")
    );
}

#[test]
fn signed_overflow_is_an_error() {
    let (m, at) = err("2 << 31");
    assert!(m.contains("overflows int"), "{m}");
    assert_eq!(at, "<<");
    assert_eq!(err("3 << 31").1, "<<");
    assert_eq!(err("1LL << 63 << 1").1, "<<");
    assert_eq!(err("2147483647 + 1").1, "+");
    assert_eq!(err("BASE * 0x7fffffff").1, "*");
    assert_eq!(err("-(-2147483647 - 1)").1, "-");
    assert_eq!(err("(-2147483647 - 1) / -1").1, "/");
    assert_eq!(err("(-2147483647 - 1) % -1").1, "%");
    assert_eq!(err("0x7fffffffffffffff + 1").1, "+");
    assert_eq!(err("-1 << 2").1, "<<");
    assert_eq!(eval("(1U << 31)"), 1 << 31);
    assert_eq!(eval("-2147483647 - 1"), i128::from(i32::MIN));
}

#[test]
fn undefined_shifts_and_division_point_at_the_operand() {
    assert_eq!(err("1 << 32").1, "32");
    assert_eq!(err("1ULL << (60 + 4)").1, "(60 + 4)");
    assert_eq!(err("1 >> -1").1, "-1");
    assert_eq!(err("BASE / (1 - 1)").1, "(1 - 1)");
    assert_eq!(err("BASE % 0").1, "0");
    assert_eq!(eval("1ULL << 63"), 1 << 63);
    // On ILP32 a `long` has 32 bits.
    assert!(err("1L << 40").0.starts_with("on 32-bit ABIs"));
    let (m, at) = err("~0UL");
    assert!(m.contains("32-bit ABIs"), "{m}");
    assert_eq!(at, "~0UL");
    assert_eq!(err("1 + NOPE").1, "NOPE");
}

#[test]
fn c_spelling_is_kept() {
    let e = parse("(1<<3)|  BASE").map_err(|e| e.message);
    assert_eq!(e.map(|e| e.to_c()), Ok("(1 << 3) | BASE".to_string()));
    let e = parse("0b101 + 0o17 + 1_000 + 0xff_ffU").map_err(|e| e.message);
    assert_eq!(
        e.map(|e| e.to_c()),
        Ok("0x5 + 017 + 1000 + 0xffffU".to_string())
    );
    let e = parse("!(1 <= 2)").map_err(|e| e.message);
    assert_eq!(e.map(|e| e.to_c()), Ok("!(1 <= 2)".to_string()));
}

#[test]
fn neg_neg_is_not_a_decrement() {
    let e = parse("- -1").map_err(|e| e.message);
    assert_eq!(e.map(|e| e.to_c()), Ok("- -1".to_string()));
}

#[test]
fn long_binary_chains_are_rejected() {
    assert_eq!(eval(&vec!["1"; 64].join("+")), 64);
    let err = parse(&vec!["1"; 2000].join("+")).map(|_| ());
    assert!(err.is_err_and(|e| e.message.contains("nests deeper")));
    let err = parse(&vec!["1"; 66].join("|")).map(|_| ());
    assert!(err.is_err());
}

#[test]
fn sizeof_and_calls_are_parse_errors_at_the_name() {
    let e = parse("1 + sizeof(struct foo)");
    assert!(e.as_ref().is_err_and(|e| e.message.contains("`sizeof`")));
    assert_eq!(e.err().map(|e| (e.at, e.len)), Some((4, 6)));
    let e = parse("FOO(1)");
    assert_eq!(e.err().map(|e| (e.at, e.len)), Some((0, 3)));
}

#[test]
fn casts_convert_as_c_does() {
    assert_eq!(eval("(__u64)1 << 40"), 1 << 40);
    assert_eq!(eval("(__u32)-1"), 0xffff_ffff);
    assert_eq!(eval("(int)0xffffffffU"), -1);
    assert_eq!(eval("(unsigned long long)-1"), i128::from(u64::MAX));
    assert_eq!(eval("(__s64)(unsigned int)-1"), 0xffff_ffff);
    // The cast binds tighter than `<<`, as in C.
    assert_eq!(eval("(unsigned int)1 << 31"), 1 << 31);
    let names = |n: &str| (n == "BASE").then_some(CValue::int(100));
    let typed = |t: &str| {
        parse(t)
            .ok()
            .and_then(|e| e.eval(&mut |n| names(n).ok_or(NameError::Unknown)).ok())
            .map(|e| (e.c.ty.bits, e.c.ty.signed, e.as_written))
    };
    assert_eq!(typed("(__u64)1"), Some((64, false, true)));
    assert_eq!(typed("(__s32)BASE"), Some((32, true, true)));
    // `long` is 32 or 64 bits by ABI: the header prints the cast, whose type is C's on each.
    assert_eq!(typed("(unsigned long)1"), Some((64, false, true)));
    assert_eq!(
        parse("(__u64)1 << 3").map(|e| e.to_c()).ok().as_deref(),
        Some("(__u64)1 << 3")
    );
    assert_eq!(
        parse("(unsigned   long)BASE")
            .map(|e| e.to_c())
            .ok()
            .as_deref(),
        Some("(unsigned long)BASE")
    );
}

#[test]
fn unsupported_casts_are_errors() {
    for (text, what) in [
        ("(__u8)1", "__u8"),
        ("(short)1", "short"),
        ("(unsigned char)1", "unsigned char"),
        ("(long long long)1", "long long long"),
        ("(int int)1", "int int"),
    ] {
        let e = parse(text).err().map(|e| e.message).unwrap_or_default();
        assert!(
            e.contains(&format!("a cast to `{what}` is not supported")),
            "{text}: {e}"
        );
    }
    // A parenthesised name is not a cast.
    assert!(parse("(BASE) + 1").is_ok());
}

#[test]
fn c_exactness_follows_c_types() {
    let names = |n: &str| (n == "BASE").then_some(CValue::int(100));
    let exact = |t: &str, v: i128| parse(t).is_ok_and(|e| e.c_exact(v, None, &names));
    assert!(exact("1 << 3", 8));
    assert!(exact("BASE + 7", 107));
    assert!(exact("- -1", 1));
    assert!(exact("(1ULL << 40)", 1 << 40));
    assert!(exact("(1U << 31)", 1 << 31));
    assert!(exact("0xffffffff", 0xffff_ffff));
    assert!(exact("1U", 1));
    assert!(exact("0b101", 5));
    assert!(!exact("1 << 40", 1 << 40));
    assert!(!exact("1 << 31", 1 << 31));
    // Into the sign bit, as the kernel writes it: gcc and clang give INT_MIN.
    assert!(exact("1 << 31", i128::from(i32::MIN)));
    assert!(exact("3 << 30", -(1 << 30)));
    assert!(exact("1LL << 63", i128::from(i64::MIN)));
    assert!(!exact("OTHER + 1", 2));
    assert!(!exact("-3000000000", -3_000_000_000));
    assert!(exact("-3000000000LL", -3_000_000_000));
    assert!(exact("1UL", 1));
    assert!(parse("1U").is_ok_and(
        |e| !e.c_exact(1, Some(CType::INT), &names) && e.c_exact(1, Some(CType::UINT), &names)
    ));
    assert_eq!(c_literal(CValue::int(-1), false), "-1");
    assert_eq!(
        c_literal(CValue::int(-(1 << 31)), false),
        "(-2147483647 - 1)"
    );
    assert_eq!(
        c_literal(CValue::new(1 << 40, CType::LLONG), true),
        "0x10000000000LL"
    );
    assert_eq!(
        c_literal(CValue::new(0xffff_ffff, CType::UINT), false),
        "4294967295U"
    );
    assert_eq!(c_literal(CValue::new(8, CType::ULLONG), false), "8ULL");
    assert_eq!(
        c_literal(CValue::new(i128::from(i64::MIN), CType::LLONG), false),
        "(-9223372036854775807LL - 1)"
    );
}

#[test]
fn errors_do_not_panic() {
    for t in [
        "",
        "(",
        "1 +",
        "1 $ 2",
        "'ab'",
        "1 << 99",
        "1/0",
        "99999999999999999999999",
        "1 < < 2",
        "!",
        "0x",
        "1_",
    ] {
        let r = parse(t).map(|e| e.eval(&mut |_| Ok(CValue::int(0))));
        assert!(!matches!(r, Ok(Ok(_))), "{t} should fail");
    }
}

#[test]
fn the_conditional_operator_follows_c() {
    // The condition is compared with 0; the result has the common type of both branches.
    assert_eq!(eval("1 ? 2 : 3"), 2);
    assert_eq!(eval("0 ? 2 : 3"), 3);
    assert_eq!(eval("BASE - 100 ? 2 : 3"), 3);
    assert_eq!(ty("1 ? 2 : 3U"), Some(CType::UINT));
    assert_eq!(eval("1 ? -1 : 0U"), 0xffff_ffff);
    assert_eq!(eval("(1 ? -1 : 0U) >> 31"), 1);
    assert_eq!(ty("0 ? 1ULL : 2"), Some(CType::ULLONG));
    assert_eq!(ty("1 ? 2 : 3LL"), Some(CType::LLONG));
    assert_eq!(ty("1ULL ? 2 : 3"), Some(CType::INT));
    // Lowest precedence, right-associative, the middle operand a whole expression.
    assert_eq!(eval("1 | 2 ? 3 + 4 : 5"), 7);
    assert_eq!(eval("0 ? 1 : 0 ? 2 : 3"), 3);
    assert_eq!(eval("1 ? 0 ? 4 : 5 : 6"), 5);
    assert_eq!(eval("(0 ? 1 : 2) + 1"), 3);
    // Only the chosen branch's undefined behaviour counts, as in C; its type still does.
    assert_eq!(eval("0 ? 1 / 0 : 5"), 5);
    // ... but g++ warns about it: the header prints a literal.
    assert!(c("0 ? 1 / 0 : 5").is_ok_and(|e| !e.as_written));
    assert!(c("0 ? 1 / 1 : 5").is_ok_and(|e| e.as_written));
    assert_eq!(eval("1 ? 5 : 1 << 40"), 5);
    assert_eq!(ty("1 ? 5 : (1ULL << 70)"), Some(CType::ULLONG));
    assert_eq!(err("1 ? 1 / 0 : 5").1, "0");
    assert_eq!(err("1 / 0 ? 1 : 5").1, "0");
    assert_eq!(err("0 ? 1 : 2147483647 + 1").1, "+");
    // A literal with no type and an unknown name are errors in either branch.
    assert!(err("1 ? 1 : 18446744073709551615").0.contains("too large"));
    assert_eq!(err("1 ? 1 : NOPE").1, "NOPE");
    // `long`: C's type on each ABI; the value must agree.
    assert!(c("1 ? 1UL : 2").is_ok_and(|e| e.c.ty == CType::ULLONG && e.c.ty32 == CType::UINT));
    assert!(err("1 ? ~0UL : 0").0.contains("32-bit ABIs"));
    // C spelling as written; positions of the operators.
    let e = parse("(x)<10?(0x1+(x)):(0xb+(x))").map_err(|e| e.message);
    assert_eq!(
        e.as_ref().map(|e| e.to_c_macro_params(&["x".into()])),
        Ok("((x) < 10 ? (0x1 + (x)) : (0xb + (x)))".to_string())
    );
    let e = e.map(|e| (matches!(e, Expr::Cond(_, _, _, 6, 16)), e.extent()));
    assert_eq!(e, Ok((true, (0, 26))));
    for (t, at) in [
        ("1 ? 2", 5),
        ("1 ? 2 3", 6),
        ("? 1 : 2", 0),
        ("1 : 2", 2),
        ("1 ? : 2", 4),
    ] {
        assert_eq!(parse(t).err().map(|e| e.at), Some(at), "{t}");
    }
    assert!(parse("1 ? 2").is_err_and(|e| e.message.contains("missing `:`")));
    let deep = format!("{}0{}", "1 ? ".repeat(70), " : 0".repeat(70));
    assert!(parse(&deep).is_err_and(|e| e.message.contains("nests deeper")));
}

#[test]
fn conditional_macro_bodies_become_rust_if() {
    let body = |t: &str, ty: CType, declared: &str| {
        let e = parse(t).map_err(|e| e.message)?;
        let (params, idents) = (["x".to_string()], ["x".to_string()]);
        rust_body(&e, &params, &idents, declared, ty, &mut names)
            .map(|(s, t)| (s, t.name()))
            .map_err(|e| format!("{e:?}"))
    };
    assert_eq!(
        body("(x) < 10 ? (0x1 + (x)) : (0xb + (x))", CType::UINT, "u32"),
        Ok((
            "(if x < 10u32 { 1u32.wrapping_add(x) } else { 0xb_u32.wrapping_add(x) })".into(),
            "unsigned int"
        ))
    );
    // The test of a non-comparison is `!= 0`; the branches convert to the common type.
    assert_eq!(
        body("x & FLAG ? x : -1LL", CType::INT, "u8"),
        Ok((
            "(if ((x as i32) & 8i32) != 0i32 { (x as i32) as i64 } else { -1i64 })".into(),
            "long long"
        ))
    );
    assert_eq!(
        body("!x ? 1 : 2U", CType::INT, "i32"),
        Ok((
            "(if x == 0i32 { 1u32 } else { 2u32 })".into(),
            "unsigned int"
        ))
    );
    // A branch without parameters whose value is undefined is refused, as anywhere.
    assert!(body("x ? 1 : 1 / 0", CType::UINT, "u32").is_err());
}
