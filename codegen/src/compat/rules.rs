//! The kernel's argument checks of a struct compared between two revisions: `rules` (by
//! field names), run-time limits and the operations of payload variants.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::change::{Change, Class, describe};
use crate::ir::{Module, TypeId};
use crate::spec::Span;

/// A rule written with field names, so that two revisions compare: the same text is the
/// same check (field indices move when a field is added before them).
fn rule_text(m: &Module, id: TypeId, r: &crate::ir::ArgRule) -> String {
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

fn field_name(m: &Module, id: TypeId, i: usize) -> String {
    m.types[id]
        .fields
        .get(i)
        .and_then(|f| f.c_name.clone())
        .unwrap_or_else(|| format!("#{i}"))
}

fn type_name(m: &Module, id: TypeId) -> String {
    m.types
        .get(id)
        .and_then(|t| t.c_name.clone())
        .unwrap_or_else(|| format!("#{id}"))
}

fn limit_name(m: &Module, id: TypeId, i: usize) -> String {
    m.types[id]
        .runtime
        .get(i)
        .map_or_else(|| format!("#{i}"), |l| l.name.clone())
}

/// The kernel's argument checks of a struct (`rules`, run-time limits and the operations of
/// payload variants). A check added rejects what old user space could pass: breaking. A
/// check removed, or an errno that changed, is reported too: removing one accepts more
/// (compatible); a different errno is what old user space may test for (breaking).
pub(super) fn changes(
    om: &Module,
    oid: TypeId,
    nm: &Module,
    nid: TypeId,
    what: &str,
) -> Vec<Change> {
    let mut c: Vec<Change> = Vec::new();
    let (ot, nt) = (&om.types[oid], &nm.types[nid]);
    let keyed = |m: &Module, id: TypeId, t: &crate::ir::TypeDef| {
        t.rules
            .iter()
            .map(|r| (rule_text(m, id, r), (format!("{:?}", r.errno), r.span)))
            .collect::<BTreeMap<String, (String, Span)>>()
    };
    let (or, nr) = (keyed(om, oid, ot), keyed(nm, nid, nt));
    for (text, (oe, ospan)) in &or {
        match nr.get(text) {
            None => c.push(Change::new(
                Class::Compatible,
                "rule-removed",
                format!("the check `{text}` of {what} was removed (the kernel accepts more)"),
                Some(*ospan),
                Some(nt.span),
            )),
            Some((ne, nspan)) if ne != oe => c.push(Change::new(
                Class::Breaking,
                "rule-errno-changed",
                format!("the check `{text}` of {what} now gives {ne} instead of {oe}"),
                Some(*ospan),
                Some(*nspan),
            )),
            Some(_) => {}
        }
    }
    for (text, (_, nspan)) in &nr {
        if !or.contains_key(text) {
            c.push(Change::new(
                Class::Breaking,
                "rule-added",
                format!("the check `{text}` was added to {what} (it rejects what old user space may pass)"),
                Some(ot.span),
                Some(*nspan),
            ));
        }
    }
    let limits =
        |t: &crate::ir::TypeDef| t.runtime.iter().map(|l| l.name.clone()).collect::<Vec<_>>();
    let (ol, nl) = (limits(ot), limits(nt));
    if ol != nl {
        c.push(Change::new(
            Class::Breaking,
            "runtime-limits-changed",
            format!(
                "the run-time limits of {what} are now [{}] instead of [{}] (validate_with takes other arguments)",
                nl.join(", "),
                ol.join(", ")
            ),
            Some(ot.span),
            Some(nt.span),
        ));
    }
    let (Some(op), Some(np)) = (&ot.payload, &nt.payload) else {
        return c;
    };
    for ov in &op.variants {
        let Some(nv) = np.variants.iter().find(|nv| nv.tag == ov.tag) else {
            continue;
        };
        if ov.denied_ops == nv.denied_ops {
            continue;
        }
        let tag = ov.tag_name.clone().unwrap_or_else(|| ov.tag.to_string());
        // More operations denied: something old user space did is refused.
        let (class, kind, how) = if nv.denied_ops & !ov.denied_ops != 0 {
            (Class::Breaking, "payload-ops-narrowed", "fewer")
        } else {
            (Class::Compatible, "payload-ops-widened", "more")
        };
        c.push(Change::new(
            class,
            kind,
            format!(
                "payload tag `{tag}` of {what} supports {how} operations (denied bits {:#x}, were {:#x})",
                nv.denied_ops, ov.denied_ops
            ),
            Some(ov.span),
            Some(nv.span),
        ));
    }
    c
}
