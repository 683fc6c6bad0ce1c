//! `uapigen compat OLD NEW`: every difference between two revisions of a spec, classified
//! as breaking or compatible by the IOMMU uapi extension rules and the tolerances of the
//! kernel's `scripts/check-uapi.sh`: extensible (argsz/size) structs may grow at the end
//! and re-purpose reserved or padding bytes; new flags, values, constants, ioctls and
//! payload variants are fine; anything that moves, resizes, retypes, removes or
//! re-numbers what old user space relies on breaks it, and so does a function-like macro
//! removed or computing something else. Compared on every ABI.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::abi::AbiSet;
use crate::ir::{ConstValue, Module, Ty, TypeId, kind_word};
use crate::layout::{field_paths, type_size};
use crate::model::Model;
use crate::spec::Span;

mod change;
mod rules;

use change::describe;
pub use change::{Change, Class};

struct Cmp<'a> {
    old: &'a Model,
    new: &'a Model,
    out: Vec<Change>,
}

impl Cmp<'_> {
    fn push(
        &mut self,
        class: Class,
        kind: &'static str,
        message: String,
        old: Option<Span>,
        new: Option<Span>,
    ) {
        self.out.push(Change::new(class, kind, message, old, new));
    }
}

/// The named types by C name: one per architecture set where a spec declares a type once
/// per architecture.
fn named(m: &Module) -> BTreeMap<&str, Vec<TypeId>> {
    let mut out: BTreeMap<&str, Vec<TypeId>> = BTreeMap::new();
    for (id, t) in m.named_types() {
        if let Some(n) = t.c_name.as_deref() {
            out.entry(n).or_default().push(id);
        }
    }
    out
}

/// The ABIs `ids` exist on together.
fn abis_of(m: &Module, ids: &[TypeId]) -> AbiSet {
    ids.iter()
        .fold(AbiSet::EMPTY, |s, &id| s | m.types[id].abis)
}

/// A field path's facts on one ABI: offset, size, type description, reserved.
#[derive(Clone, Debug, PartialEq)]
struct FieldFacts {
    offset: u64,
    size: u64,
    ty: String,
    reserved: bool,
    /// The field is (inside) a member of a union.
    in_union: bool,
    span: Span,
}

/// Every named field path of a type with its facts on ABI `abi`.
fn paths(model: &Model, id: TypeId, abi: usize) -> BTreeMap<String, FieldFacts> {
    let m = &model.module;
    let l = &model.layouts[abi];
    type Found = BTreeMap<String, (Ty, bool, bool, Span)>;
    let mut fields: Found = BTreeMap::new();
    fn walk(m: &Module, id: TypeId, prefix: &str, in_union: bool, out: &mut Found) {
        let union = in_union || m.types[id].kind == crate::spec::Kind::Union;
        for f in &m.types[id].fields {
            let path = f.c_name.as_ref().map(|n| format!("{prefix}{n}"));
            if let Some(p) = &path {
                out.insert(p.clone(), (f.ty.clone(), f.reserved, union, f.span));
            }
            if let Ty::Named(inner) = f.ty
                && m.types[inner].parent.is_some()
            {
                let pre = path.map_or_else(|| prefix.to_owned(), |p| format!("{p}."));
                walk(m, inner, &pre, union, out);
            }
        }
    }
    walk(m, id, "", false, &mut fields);
    let mut bits = BTreeMap::new();
    bit_paths(model, abi, id, "", 0, &mut bits);
    field_paths(m, l, id)
        .into_iter()
        .filter_map(|p| {
            let (ty, reserved, in_union, span) = fields.get(&p.path)?.clone();
            Some((
                p.path,
                FieldFacts {
                    offset: p.offset,
                    size: type_size(l, &ty),
                    ty: describe(m, &ty),
                    reserved,
                    in_union,
                    span,
                },
            ))
        })
        .chain(bits)
        .collect()
}

/// Bit-fields, which `field_paths` leaves out (no `offsetof`): their offset and size in
/// bits, so that a bit-field that moves, narrows or goes is seen like a member.
fn bit_paths(
    model: &Model,
    abi: usize,
    id: TypeId,
    prefix: &str,
    base: u64,
    out: &mut BTreeMap<String, FieldFacts>,
) {
    let m = &model.module;
    let tl = &model.layouts[abi].types[id];
    for (i, f) in m.types[id].fields.iter().enumerate() {
        let path = f.c_name.as_ref().map(|n| format!("{prefix}{n}"));
        if let (Some(w), Some(Some(pos)), Some(p)) = (f.bits, tl.bits.get(i), &path) {
            out.insert(
                p.clone(),
                FieldFacts {
                    offset: base + pos,
                    size: u64::from(w),
                    ty: format!(
                        "{} : {w} (a bit-field; offset and size in bits)",
                        describe(m, &f.ty)
                    ),
                    reserved: false,
                    in_union: false,
                    span: f.span,
                },
            );
        }
        if let Ty::Named(inner) = f.ty
            && m.types[inner].parent.is_some()
        {
            let pre = path.map_or_else(|| prefix.to_owned(), |p| format!("{p}."));
            let off = base + 8 * tl.offsets.get(i).copied().unwrap_or(0);
            bit_paths(model, abi, inner, &pre, off, out);
        }
    }
}

/// Compare two revisions. Changes come sorted: breaking first, then by where they are.
pub fn compare(old: &Model, new: &Model) -> Vec<Change> {
    let mut c = Cmp {
        old,
        new,
        out: Vec::new(),
    };
    structs(&mut c);
    values(&mut c);
    ioctls(&mut c);
    macros(&mut c);
    c.out
        .sort_by_key(|ch| (ch.class, ch.new.or(ch.old).map(|s| (s.line, s.column))));
    c.out
}

fn structs(c: &mut Cmp) {
    let (om, nm) = (&c.old.module, &c.new.module);
    let (on, nn) = (named(om), named(nm));
    let none = Vec::new();
    for (name, oids) in &on {
        for &oid in oids {
            let ot = &om.types[oid];
            let what = format!("{} {name}", kind_word(ot.kind));
            let news = nn.get(name).unwrap_or(&none);
            let lost = ot.abis & !abis_of(nm, news);
            if !lost.is_empty() {
                let on_some = match news.is_empty() {
                    true => String::new(),
                    false => format!(" on {}", lost.describe()),
                };
                c.push(
                    Class::Breaking,
                    "struct-removed",
                    format!("{what} was removed{on_some}"),
                    Some(ot.span),
                    None,
                );
            }
            for &nid in news.iter().filter(|&&n| nm.types[n].abis.overlaps(ot.abis)) {
                let nt = &nm.types[nid];
                let extensible = nt.extensible.is_some();
                let both = ot.abis & nt.abis;
                for abi in
                    (0..c.old.layouts.len().min(c.new.layouts.len())).filter(|&a| both.contains(a))
                {
                    let abi_name = c.old.layouts[abi].abi.name;
                    let (ol, nl) = (
                        &c.old.layouts[abi].types[oid],
                        &c.new.layouts[abi].types[nid],
                    );
                    let (op, np) = (paths(c.old, oid, abi), paths(c.new, nid, abi));
                    let mut changed = false;
                    for (p, of) in &op {
                        match np.get(p) {
                            None => {
                                // Reserved bytes may be re-purposed; other fields may not vanish.
                                let covered = of.reserved
                                    && np.values().any(|nf| {
                                        nf.offset < of.offset + of.size
                                            && of.offset < nf.offset + nf.size
                                    });
                                if covered || (of.reserved && nl.size >= ol.size) {
                                    c.push(Class::Compatible, "reserved-repurposed", format!("reserved `{p}` of {what} was given a meaning without a size change"), Some(of.span), Some(nt.span));
                                } else {
                                    c.push(
                                        Class::Breaking,
                                        "field-removed",
                                        format!("field `{p}` of {what} was removed"),
                                        Some(of.span),
                                        Some(nt.span),
                                    );
                                }
                                changed = true;
                            }
                            Some(nf) => {
                                if nf.size != of.size && !(of.reserved || nf.reserved) {
                                    c.push(Class::Breaking, "field-resized", format!("field `{p}` of {what} changed size from {} to {} bytes on {abi_name}", of.size, nf.size), Some(of.span), Some(nf.span));
                                    changed = true;
                                } else if nf.offset != of.offset {
                                    c.push(Class::Breaking, "field-moved", format!("field `{p}` of {what} moved from offset {} to {} on {abi_name}", of.offset, nf.offset), Some(of.span), Some(nf.span));
                                    changed = true;
                                } else if nf.ty != of.ty && !(of.reserved || nf.reserved) {
                                    c.push(
                                        Class::Breaking,
                                        "field-retyped",
                                        format!(
                                            "field `{p}` of {what} changed type from `{}` to `{}`",
                                            of.ty, nf.ty
                                        ),
                                        Some(of.span),
                                        Some(nf.span),
                                    );
                                    changed = true;
                                }
                            }
                        }
                    }
                    for (p, nf) in &np {
                        if op.contains_key(p) {
                            continue;
                        }
                        let in_reserved = op.values().any(|of| {
                            of.reserved
                                && nf.offset >= of.offset
                                && nf.offset + nf.size <= of.offset + of.size
                        });
                        if in_reserved {
                            // Reported with the reserved field it replaces.
                            continue;
                        }
                        let appended = nf.offset >= ol.size;
                        let union_member = nf.in_union;
                        if appended && extensible {
                            let announced = nm.types[nid].fields.iter().any(|f| {
                                f.c_name.as_deref() == Some(p.as_str())
                                    && (f.flag.is_some() || f.since.is_some())
                            });
                            let note = if announced {
                                ""
                            } else {
                                " (no `flag`/`since` says when it is valid)"
                            };
                            c.push(
                                Class::Compatible,
                                "field-appended",
                                format!("field `{p}` was appended to extensible {what}{note}"),
                                None,
                                Some(nf.span),
                            );
                        } else if union_member && nl.size == ol.size {
                            c.push(
                        Class::Compatible,
                        "union-member-added",
                        format!(
                            "member `{p}` was added to a union in {what} without changing its size"
                        ),
                        None,
                        Some(nf.span),
                    );
                        } else {
                            c.push(
                        Class::Breaking,
                        "field-added",
                        format!(
                            "field `{p}` was added to {what}, which has no size field to grow with"
                        ),
                        None,
                        Some(nf.span),
                    );
                        }
                        changed = true;
                    }
                    if nl.size < ol.size {
                        c.push(
                            Class::Breaking,
                            "struct-shrunk",
                            format!(
                                "{what} shrank from {} to {} bytes on {abi_name}",
                                ol.size, nl.size
                            ),
                            Some(ot.span),
                            Some(nt.span),
                        );
                        changed = true;
                    } else if nl.size > ol.size && !extensible {
                        c.push(
                    Class::Breaking,
                    "struct-grew",
                    format!(
                        "{what} grew from {} to {} bytes on {abi_name} but has no size field",
                        ol.size, nl.size
                    ),
                    Some(ot.span),
                    Some(nt.span),
                );
                        changed = true;
                    } else if nl.align != ol.align {
                        c.push(
                            Class::Breaking,
                            "struct-realigned",
                            format!(
                                "{what} changed alignment from {} to {} on {abi_name}",
                                ol.align, nl.align
                            ),
                            Some(ot.span),
                            Some(nt.span),
                        );
                        changed = true;
                    }
                    // One ABI tells the story; the others repeat it.
                    if changed {
                        break;
                    }
                }
                payloads(c, oid, nid, &what);
                let more = rules::changes(om, oid, nm, nid, &what);
                c.out.extend(more);
            }
        }
    }
    for (name, nids) in &nn {
        let had = on.get(name).map_or(AbiSet::EMPTY, |o| abis_of(om, o));
        for &nid in nids {
            let nt = &nm.types[nid];
            let gained = nt.abis & !had;
            if gained.is_empty() {
                continue;
            }
            let on_some = match had.is_empty() {
                true => String::new(),
                false => format!(" on {}", gained.describe()),
            };
            c.push(
                Class::Compatible,
                "struct-added",
                format!("{} {name} was added{on_some}", kind_word(nt.kind)),
                None,
                Some(nt.span),
            );
        }
    }
}

fn payloads(c: &mut Cmp, oid: TypeId, nid: TypeId, what: &str) {
    let (om, nm) = (&c.old.module, &c.new.module);
    let (Some(op), Some(np)) = (&om.types[oid].payload, &nm.types[nid].payload) else {
        return;
    };
    let variant_ty =
        |m: &Module, id: TypeId, p: &crate::ir::Payload, v: &crate::ir::PayloadVariant| -> String {
            match (&p.kind, v.member) {
                (crate::ir::PayloadKind::Union { data }, Some(mi)) => {
                    match &m.types[id].fields[*data].ty {
                        Ty::Named(u) => m.types[*u].fields[mi].c_name.clone().unwrap_or_default(),
                        _ => String::new(),
                    }
                }
                _ => {
                    v.ty.as_ref()
                        .map_or_else(|| "nothing".into(), |t| describe(m, t))
                }
            }
        };
    let (old_tags, new_tags) = (
        rules::first_by(&op.variants, |v| v.tag),
        rules::first_by(&np.variants, |v| v.tag),
    );
    for ov in &op.variants {
        let tag = ov.tag_name.clone().unwrap_or_else(|| ov.tag.to_string());
        match new_tags.get(&ov.tag).map(|&i| &np.variants[i]) {
            None => c.push(
                Class::Breaking,
                "payload-variant-removed",
                format!("payload tag `{tag}` of {what} was removed"),
                Some(ov.span),
                None,
            ),
            Some(nv) => {
                let (ot, nt) = (variant_ty(om, oid, op, ov), variant_ty(nm, nid, np, nv));
                if ot != nt {
                    c.push(
                        Class::Breaking,
                        "payload-type-changed",
                        format!(
                            "payload tag `{tag}` of {what} now carries `{nt}` instead of `{ot}`"
                        ),
                        Some(ov.span),
                        Some(nv.span),
                    );
                }
            }
        }
    }
    for nv in &np.variants {
        if !old_tags.contains_key(&nv.tag) {
            let tag = nv.tag_name.clone().unwrap_or_else(|| nv.tag.to_string());
            c.push(
                Class::Compatible,
                "payload-variant-added",
                format!("payload tag `{tag}` was added to {what}"),
                None,
                Some(nv.span),
            );
        }
    }
}

/// Every named value: constants, group values, flags, enumerators.
fn all_values(m: &Module) -> BTreeMap<String, (i128, Span, String)> {
    let mut v = BTreeMap::new();
    for c in &m.constants {
        if let ConstValue::Int(i) = &c.value {
            v.insert(c.c_name.clone(), (i.value, c.span, "constant".to_owned()));
        }
    }
    for g in &m.groups {
        for x in &g.values {
            v.insert(
                x.c_name.clone(),
                (x.value.value, x.span, "value".to_owned()),
            );
        }
    }
    for f in &m.flag_sets {
        for x in &f.bits {
            v.insert(
                x.c_name.clone(),
                (x.value.value, x.span, format!("flag of {}", f.c_name)),
            );
        }
    }
    for e in &m.enums {
        for x in &e.values {
            v.insert(x.c_name.clone(), (x.value, x.span, "enumerator".to_owned()));
        }
    }
    v
}

/// The ABIs each value exists on.
fn value_abis(m: &Module) -> BTreeMap<&str, AbiSet> {
    let mut v = BTreeMap::new();
    for c in &m.constants {
        v.insert(c.c_name.as_str(), c.abis);
    }
    for g in &m.groups {
        v.extend(g.values.iter().map(|x| (x.c_name.as_str(), x.abis)));
    }
    for f in &m.flag_sets {
        v.extend(f.bits.iter().map(|x| (x.c_name.as_str(), x.abis)));
    }
    for e in &m.enums {
        v.extend(e.values.iter().map(|x| (x.c_name.as_str(), x.abis)));
    }
    v
}

fn values(c: &mut Cmp) {
    let (ov, nv) = (all_values(&c.old.module), all_values(&c.new.module));
    let (oa, na) = (value_abis(&c.old.module), value_abis(&c.new.module));
    for (name, (o, os, kind)) in &ov {
        // A value that stays, but no longer on some ABIs, is gone there.
        let lost = oa.get(name.as_str()).copied().unwrap_or(AbiSet::ALL)
            & !na.get(name.as_str()).copied().unwrap_or(AbiSet::EMPTY);
        if nv.contains_key(name) && !lost.is_empty() {
            c.push(
                Class::Breaking,
                "value-removed",
                format!("{kind} `{name}` was removed on {}", lost.describe()),
                Some(*os),
                None,
            );
        }
        match nv.get(name) {
            None => c.push(
                Class::Breaking,
                "value-removed",
                format!("{kind} `{name}` was removed"),
                Some(*os),
                None,
            ),
            Some((n, ns, _)) if n != o => c.push(
                Class::Breaking,
                "value-changed",
                format!(
                    "{kind} `{name}` changed from {o:#x} to {n:#x}: old binaries mean the old value"
                ),
                Some(*os),
                Some(*ns),
            ),
            Some(_) => {}
        }
    }
    for (name, (n, ns, kind)) in &nv {
        if ov.contains_key(name) {
            continue;
        }
        // A new flag may not reuse a bit that already means something.
        // A new flag may not reuse a bit of its own set.
        let clash = ov.iter().find(|(_, (o, _, k))| {
            k.starts_with("flag") && k == kind && *o == *n && *o != 0 && o & (o - 1) == 0
        });
        match clash {
            Some((other, _)) => c.push(
                Class::Breaking,
                "flag-reused",
                format!("new flag `{name}` reuses the bit of `{other}`"),
                None,
                Some(*ns),
            ),
            None => c.push(
                Class::Compatible,
                "value-added",
                format!("{kind} `{name}` was added"),
                None,
                Some(*ns),
            ),
        }
    }
}

/// The declarations of each ioctl name (one split by `arch` has several), found once: a
/// scan of the other spec per ioctl made comparing n ioctls take n² steps.
fn ioctls_by_name(m: &Module) -> BTreeMap<&str, Vec<usize>> {
    let mut map: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, io) in m.ioctls.iter().enumerate() {
        map.entry(io.c_name.as_str()).or_default().push(i);
    }
    map
}

fn ioctls(c: &mut Cmp) {
    let (om, nm) = (&c.old.module, &c.new.module);
    let (old_names, new_names) = (ioctls_by_name(om), ioctls_by_name(nm));
    let decls = |names: &BTreeMap<&str, Vec<usize>>, name: &str| -> Vec<usize> {
        names.get(name).cloned().unwrap_or_default()
    };
    let same = |m: &Module, names: &BTreeMap<&str, Vec<usize>>, name: &str| {
        decls(names, name)
            .into_iter()
            .fold(AbiSet::EMPTY, |s, i| s | m.ioctls[i].abis)
    };
    for (i, o) in om.ioctls.iter().enumerate() {
        let kept = same(nm, &new_names, &o.c_name);
        let lost = o.abis & !kept;
        if !lost.is_empty() {
            let on_some = match kept.is_empty() {
                true => String::new(),
                false => format!(" on {}", lost.describe()),
            };
            c.push(
                Class::Breaking,
                "ioctl-removed",
                format!("ioctl `{}` was removed{on_some}", o.c_name),
                Some(o.span),
                None,
            );
        }
        // Each declaration of the name in the new spec that shares ABIs with this one.
        for (j, n) in decls(&new_names, &o.c_name)
            .into_iter()
            .map(|j| (j, &nm.ioctls[j]))
            .filter(|(_, n)| n.abis.overlaps(o.abis))
        {
            let both = o.abis & n.abis;
            if n.dir != o.dir {
                c.push(
                    Class::Breaking,
                    "ioctl-direction-changed",
                    format!(
                        "ioctl `{}` changed direction from {:?} to {:?}",
                        o.c_name, o.dir, n.dir
                    ),
                    Some(o.span),
                    Some(n.span),
                );
                continue;
            }
            if n.data != o.data && n.arg.is_some() {
                c.push(
                Class::Breaking,
                "ioctl-data-direction-changed",
                format!(
                    "ioctl `{}` changed its data direction from {:?} to {:?} (the wrapper's borrow changes)",
                    o.c_name, o.data, n.data
                ),
                Some(o.span),
                Some(n.span),
            );
            }
            if let Some((abi, a, b)) = c
                .old
                .layouts
                .iter()
                .zip(&c.new.layouts)
                .enumerate()
                .filter(|(abi, _)| both.contains(*abi))
                .map(|(_, ab)| ab)
                .find(|(a, b)| a.ioctls[i] != b.ioctls[j])
                .map(|(a, b)| (a.abi.name, a.ioctls[i], b.ioctls[j]))
            {
                c.push(
                    Class::Breaking,
                    "ioctl-renumbered",
                    format!(
                        "ioctl `{}` changed number from {a:#x} to {b:#x} on {abi}",
                        o.c_name
                    ),
                    Some(o.span),
                    Some(n.span),
                );
            }
        }
    }
    for n in &nm.ioctls {
        let had = same(om, &old_names, &n.c_name);
        let gained = n.abis & !had;
        if !gained.is_empty() {
            let on_some = match had.is_empty() {
                true => String::new(),
                false => format!(" on {}", gained.describe()),
            };
            c.push(
                Class::Compatible,
                "ioctl-added",
                format!("ioctl `{}` was added{on_some}", n.c_name),
                None,
                Some(n.span),
            );
        }
    }
}

/// Function-like macros: a new one is compatible; a removed one, one with other parameters
/// (their number or type: the Rust function's signature), another result type, or another
/// value on any of the old macro's sample arguments breaks code compiled against it.
fn macros(c: &mut Cmp) {
    let (om, nm) = (&c.old.module, &c.new.module);
    let (old_names, new_names) = (
        rules::first_by(&om.macros, |m| m.c_name.as_str()),
        rules::first_by(&nm.macros, |m| m.c_name.as_str()),
    );
    for o in &om.macros {
        let Some(n) = new_names.get(o.c_name.as_str()).map(|&i| &nm.macros[i]) else {
            c.push(
                Class::Breaking,
                "macro-removed",
                format!("macro `{}` was removed", o.c_name),
                Some(o.span),
                None,
            );
            continue;
        };
        let why = if n.params.len() != o.params.len() || n.param_ty != o.param_ty {
            Some(format!(
                "its parameters changed from {} of {} to {} of {}",
                o.params.len(),
                o.param_ty.spec_name(),
                n.params.len(),
                n.param_ty.spec_name()
            ))
        } else if n.result != o.result {
            Some(format!(
                "its result changed from {} to {}",
                o.result.name(),
                n.result.name()
            ))
        } else {
            o.samples().into_iter().find_map(|args| {
                let (a, b) = (o.call(om, &args)?, n.call(nm, &args)?);
                (a.value != b.value).then(|| {
                    let args: Vec<String> = args.iter().map(i128::to_string).collect();
                    format!(
                        "its value for ({}) changed from {} to {}",
                        args.join(", "),
                        a.value,
                        b.value
                    )
                })
            })
        };
        if let Some(why) = why {
            c.push(
                Class::Breaking,
                "macro-changed",
                format!("macro `{}` changed: {why}", o.c_name),
                Some(o.span),
                Some(n.span),
            );
        }
    }
    for n in &nm.macros {
        if !old_names.contains_key(n.c_name.as_str()) {
            c.push(
                Class::Compatible,
                "macro-added",
                format!("macro `{}` was added", n.c_name),
                None,
                Some(n.span),
            );
        }
    }
}

/// Human output: one line per change with the YAML location on both sides.
pub fn render(old: &Model, new: &Model, changes: &[Change]) -> String {
    let mut s = String::new();
    let at = |m: &Model, sp: Option<Span>| {
        sp.map(|sp| format!("{}:{}:{}", m.module.file.path.display(), sp.line, sp.column))
    };
    for ch in changes {
        let loc = match (at(old, ch.old), at(new, ch.new)) {
            (Some(a), Some(b)) => format!("{a} -> {b}"),
            (Some(a), None) => format!("{a} -> (gone)"),
            (None, Some(b)) => format!("(new) -> {b}"),
            (None, None) => String::new(),
        };
        let _ = writeln!(
            s,
            "{}[{}] {}: {}",
            ch.class.as_str(),
            ch.kind,
            loc,
            ch.message
        );
    }
    let b = changes
        .iter()
        .filter(|c| c.class == Class::Breaking)
        .count();
    let _ = writeln!(
        s,
        "{b} breaking, {} compatible change(s)",
        changes.len() - b
    );
    s
}

pub fn json(old: &Model, new: &Model, changes: &[Change]) -> serde_json::Value {
    let loc = |m: &Model, sp: Option<Span>| {
        sp.map(|sp| serde_json::json!({"file": m.module.file.path.display().to_string(), "line": sp.line, "column": sp.column}))
    };
    serde_json::json!({
        "breaking": changes.iter().any(|c| c.class == Class::Breaking),
        "changes": changes.iter().map(|c| serde_json::json!({
            "class": c.class.as_str(),
            "kind": c.kind,
            "message": c.message,
            "old": loc(old, c.old),
            "new": loc(new, c.new),
        })).collect::<Vec<_>>(),
    })
}
