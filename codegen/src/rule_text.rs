//! A `rules:` entry of a struct as one line of text with the fields' C names: what `compat`
//! compares between two revisions (the same text is the same check) and what `uapigen doc`
//! prints.

use std::fmt::Write as _;

use crate::ir::{Module, Ty, TypeId, kind_word};

/// A type as the rule text names it: its C spelling, or `struct`/`union` for an inline one.
fn describe(m: &Module, ty: &Ty) -> String {
    match ty {
        Ty::Named(id) if m.types[*id].parent.is_some() => kind_word(m.types[*id].kind).to_owned(),
        _ => crate::emit::c::c_type_name(m, ty),
    }
}

/// A rule written with field names, so that two revisions compare: the same text is the
/// same check (field indices move when a field is added before them).
pub(crate) fn rule_text(m: &Module, id: TypeId, r: &crate::ir::ArgRule) -> String {
    use crate::ir::{BitCount, Cond};
    let (owner, prefix) = match r.member {
        Some((fi, ty)) => (ty, format!("{}.", field_name(m, id, fi))),
        None => (id, String::new()),
    };
    let f = |i: usize| format!("{prefix}{}", field_name(m, owner, i));
    let fs = |v: &[usize]| v.iter().map(|i| f(*i)).collect::<Vec<_>>().join(", ");
    let mut t = match &r.cond {
        Cond::Bits { field, mask, count } => {
            let how = match count {
                BitCount::ExactlyOne => "exactly one",
                BitCount::AtMostOne => "at most one",
                BitCount::AtLeastOne => "at least one",
            };
            format!("{how} bit of {mask:#x} in {}", f(*field))
        }
        Cond::IfSet {
            field,
            if_set,
            bits,
            requires,
        } => format!(
            "{} {if_set:#x} set {} {bits:#x}",
            f(*field),
            if *requires { "requires" } else { "excludes" }
        ),
        Cond::ZeroIf {
            flag_field,
            if_set,
            zero,
        } => format!("{} {if_set:#x} set: zero {}", f(*flag_field), fs(zero)),
        Cond::NonZero { field } => format!("{} non-zero", f(*field)),
        Cond::SumMax { a, b, max } => format!("{} + {} <= {max:#x}", f(*a), f(*b)),
        Cond::In { field, values } => format!("{} in {values:?}", f(*field)),
        Cond::Below { field, bound } => format!("{} < {bound:#x}", f(*field)),
        Cond::ZeroTogether { a, b } => format!("{} and {} zero together", f(*a), f(*b)),
        Cond::Known { field, mask } => format!("{} within {mask:#x}", f(*field)),
        Cond::Equals { field, value } => format!("{} == {value:#x}", f(*field)),
        Cond::Nested { field, ty } => {
            format!("{} passes {}'s checks", f(*field), type_name(m, *ty))
        }
        Cond::NonZeroIf {
            flag_field,
            if_set,
            non_zero,
        } => format!(
            "{} {if_set:#x} set: non-zero {}",
            f(*flag_field),
            fs(non_zero)
        ),
        Cond::SumLimit { a, b, limit } => format!(
            "{} + {} <= run-time {}",
            f(*a),
            f(*b),
            limit_name(m, id, *limit)
        ),
        Cond::BelowLimit { field, limit } => {
            format!("{} < run-time {}", f(*field), limit_name(m, id, *limit))
        }
        Cond::Room {
            flag_field,
            if_set,
            ty,
        } => format!(
            "{} {if_set:#x} set: room for {}",
            f(*flag_field),
            describe(m, ty)
        ),
    };
    if let Some((fi, mask)) = r.unless {
        let _ = write!(t, ", unless {} & {mask:#x}", f(fi));
    }
    if let Some(fi) = r.if_non_zero {
        let _ = write!(t, ", if {} non-zero", f(fi));
    }
    if r.after_payload {
        t.push_str(", after the payload");
    }
    t
}

pub(crate) fn field_name(m: &Module, id: TypeId, i: usize) -> String {
    m.types[id]
        .fields
        .get(i)
        .and_then(|f| f.c_name.clone())
        .unwrap_or_else(|| format!("#{i}"))
}

pub(crate) fn type_name(m: &Module, id: TypeId) -> String {
    m.types
        .get(id)
        .and_then(|t| t.c_name.clone())
        .unwrap_or_else(|| format!("#{id}"))
}

pub(crate) fn limit_name(m: &Module, id: TypeId, i: usize) -> String {
    m.types[id]
        .runtime
        .get(i)
        .map_or_else(|| format!("#{i}"), |l| l.name.clone())
}
