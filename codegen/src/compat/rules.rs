//! The kernel's argument checks of a struct compared between two revisions: `rules` (by
//! field names), run-time limits and the operations of payload variants.

use std::collections::BTreeMap;

use super::change::{Change, Class};
use crate::ir::{Module, TypeId};
use crate::rule_text::rule_text;
use crate::spec::Span;

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
    let new_tags = first_by(&np.variants, |v| v.tag);
    for ov in &op.variants {
        let Some(nv) = new_tags.get(&ov.tag).map(|&i| &np.variants[i]) else {
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

/// The first index of each key among `items`: looked up instead of scanning the other spec's
/// items for each item, which made comparing n items take n² steps.
pub(super) fn first_by<'a, K: Ord, T>(
    items: &'a [T],
    key: impl Fn(&'a T) -> K,
) -> BTreeMap<K, usize> {
    let mut map = BTreeMap::new();
    for (i, t) in items.iter().enumerate() {
        map.entry(key(t)).or_insert(i);
    }
    map
}
