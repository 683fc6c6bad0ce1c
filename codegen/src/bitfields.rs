//! Bit-fields (`bits: N`): the runs of consecutive bit-fields of a struct, where their bits
//! are on an ABI, and what the outputs cannot carry. C places each bit-field (the layout
//! pass); Rust gets one byte array per run with accessors, which needs the run to sit at
//! the same place relative to the members around it, with the same bits, on every ABI of
//! the struct.

use crate::diag::{Code, Diagnostics};
use crate::ir::{Cond, Module, TypeId};
use crate::layout::{Layout, type_size};

/// Whether some bit-field of struct `id` is a plain field by `Abi::bitfield_mode_align` on the ABI of `l`
/// where the bit-fields' types do not align the struct.
pub fn mode_aligned(m: &Module, l: &Layout, id: TypeId) -> bool {
    !l.abi.bitfield_type_matters()
        && m.types[id].fields.iter().enumerate().any(|(i, f)| {
            match (f.bits, l.types[id].bits.get(i).copied().flatten()) {
                (Some(w), Some(pos)) => l.abi.bitfield_mode_align(pos, u64::from(w)).is_some(),
                _ => false,
            }
        })
}

/// One run of consecutive bit-fields on one ABI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// Field indices of the first and the last bit-field.
    pub first: usize,
    pub last: usize,
    /// The byte of the run's first bit, and how many bytes hold its bits.
    pub start: u64,
    pub len: u64,
    /// Bytes between the member before the run and `start` (the compiler's padding).
    pub hole: u64,
    /// Each bit-field's first bit, counted from bit 0 of `start` in allocation order.
    pub rel: Vec<u64>,
}

/// The bit-field runs of struct `id` on the ABI of `l`.
pub fn runs(m: &Module, l: &Layout, id: TypeId) -> Vec<Run> {
    let t = &m.types[id];
    let tl = &l.types[id];
    let mut out: Vec<Run> = Vec::new();
    for (i, f) in t.fields.iter().enumerate() {
        let (Some(w), Some(Some(pos))) = (f.bits, tl.bits.get(i)) else {
            continue;
        };
        let end = pos + u64::from(w);
        match out.last_mut() {
            Some(r) if r.last + 1 == i => {
                r.last = i;
                r.len = r.len.max(end.div_ceil(8) - r.start);
                r.rel.push(pos - 8 * r.start);
            }
            _ => {
                let start = pos / 8;
                let prev_end = match i.checked_sub(1) {
                    Some(p) => tl.offsets[p] + type_size(l, &t.fields[p].ty),
                    None => 0,
                };
                out.push(Run {
                    first: i,
                    last: i,
                    start,
                    len: end.div_ceil(8) - start,
                    hole: start.saturating_sub(prev_end),
                    rel: vec![pos - 8 * start],
                });
            }
        }
    }
    out
}

/// Refuse what the outputs cannot carry: a run placed differently on some ABI, padding
/// before a run, a bit-field that a size field, rule, count or capability chain reads as
/// a whole member, bit-fields in a payload struct, clashing accessor names.
pub fn check(m: &Module, layouts: &[Layout], diags: &mut Diagnostics) {
    for id in 0..m.types.len() {
        check_type(m, layouts, id, diags);
    }
    diags.attach(&m.file);
}

fn check_type(m: &Module, layouts: &[Layout], id: TypeId, diags: &mut Diagnostics) {
    let t = &m.types[id];
    // A union's member of a struct type with bit-fields and padding is written field by
    // field by its constructor, which bit-fields do not have.
    if t.kind == crate::spec::Kind::Union {
        for f in &t.fields {
            if let crate::ir::Ty::Named(inner) = f.ty
                && m.types[inner].fields.iter().any(|g| g.bits.is_some())
                && layouts.iter().any(|l| !l.types[inner].holes.is_empty())
            {
                refuse(
                    diags,
                    f,
                    format!(
                        "the union member `{}` is a struct with bit-fields and padding, which the union's accessors cannot write",
                        f.c_name.as_deref().unwrap_or_default()
                    ),
                    "make the padding explicit members of that struct",
                );
            }
        }
    }
    if t.fields.iter().all(|f| f.bits.is_none()) {
        return;
    }
    if let Some(f) = names_clash(m, id) {
        refuse(
            diags,
            &t.fields[f.0],
            f.1,
            "rename the member (`rust-name`): a bit-field's accessors are `NAME()` and `set_NAME()`, its bytes `_bitfield_N`",
        );
        return;
    }
    if t.payload.is_some() {
        let f = t
            .fields
            .iter()
            .find(|f| f.bits.is_some())
            .unwrap_or(&t.fields[0]);
        refuse(diags, f, "a struct with a `payload` cannot have bit-fields: its encoder writes the header member by member".into(), "keep bit-fields out of payload headers");
        return;
    }
    if let Some(e) = &t.extensible
        && let Some(last) = e.mandatory.checked_sub(1)
        && t.fields.get(last).is_some_and(|f| f.bits.is_some())
    {
        refuse(diags, &t.fields[last], "the last mandatory member of an extensible struct is a bit-field: its minimum size is `offsetof` + `sizeof` of that member, which C cannot take".into(), "end the mandatory members with a plain member");
        return;
    }
    if let Some(c) = &t.caps {
        let header = &m.types[c.header];
        let bad = [
            t.fields.get(c.offset_field),
            header.fields.get(c.id_field),
            header.fields.get(c.version_field),
            header.fields.get(c.next_field),
        ];
        if let Some(f) = bad.into_iter().flatten().find(|f| f.bits.is_some()) {
            refuse(
                diags,
                f,
                format!(
                    "the capability chain reads `{}`, a bit-field",
                    f.c_name.as_deref().unwrap_or_default()
                ),
                "keep a capability chain's offset, id, version and next in plain members",
            );
            return;
        }
    }
    let on: Vec<&Layout> = layouts
        .iter()
        .enumerate()
        .filter(|(i, _)| t.abis.contains(*i))
        .map(|(_, l)| l)
        .collect();
    let Some(first) = on.first() else { return };
    let base = runs(m, first, id);
    for l in &on {
        let here = runs(m, l, id);
        for (a, b) in base.iter().zip(&here) {
            if b.hole > 0 {
                let f = &t.fields[b.first];
                let name = f.c_name.as_deref().unwrap_or_default();
                let why = format!(
                    "the compiler puts {} byte(s) of padding before the bit-field `{name}` on {}",
                    b.hole, l.abi.name
                );
                refuse(
                    diags,
                    f,
                    why,
                    "write the padding as a member (`reserved`) so that every ABI has the bits at the same place",
                );
                return;
            }
            if (a.len, &a.rel) != (b.len, &b.rel) {
                let f = &t.fields[a.first];
                let name = f.c_name.as_deref().unwrap_or_default();
                let why = format!(
                    "the bit-fields from `{name}` are placed differently on {} than on {}",
                    l.abi.name, first.abi.name
                );
                refuse(
                    diags,
                    f,
                    why,
                    "the Rust output has one layout of the bits for every ABI: fill each storage unit of the bit-fields' type, or limit the struct with `arch`",
                );
                return;
            }
        }
    }
    let mut reads: Vec<(usize, &str)> = Vec::new();
    if let Some(e) = &t.extensible {
        reads.push((e.size_field, "the size field"));
        if let Some((f, _)) = e.flags {
            reads.push((f, "the flags field"));
        }
    }
    if let Some((_, c, _)) = t.counted() {
        reads.push((c, "the count of the flexible array"));
    }
    for r in &t.rules {
        let fields = rule_fields(&r.cond)
            .into_iter()
            .chain(r.unless.map(|u| u.0))
            .chain(r.if_non_zero);
        match r.member {
            // The rule reads the member's own fields.
            Some((_, ty)) => {
                if let Some(f) = fields
                    .filter_map(|i| m.types.get(ty)?.fields.get(i))
                    .find(|f| f.bits.is_some())
                {
                    refuse_read(diags, f, "a rule");
                }
            }
            None => reads.extend(fields.map(|f| (f, "a rule"))),
        }
    }
    if let Some((i, what)) = reads
        .into_iter()
        .find(|(i, _)| t.fields.get(*i).is_some_and(|f| f.bits.is_some()))
    {
        refuse_read(diags, &t.fields[i], what);
    }
}

fn refuse(diags: &mut Diagnostics, f: &crate::ir::Field, message: String, hint: &str) {
    diags.error(Code::Attribute, f.span, message).hint = Some(hint.into());
}

/// Names the Rust output of a struct with bit-fields would have twice: a bit-field's
/// `NAME()`/`set_NAME()` against another such method, a typed accessor of a `flags` or
/// `values` member, or the struct's own methods; and a member named like the storage.
fn names_clash(m: &Module, id: TypeId) -> Option<(usize, String)> {
    const OWN: [&str; 9] = [
        "check",
        "validate",
        "validate_with",
        "new",
        "caps",
        "clone",
        "eq",
        "hash",
        "fmt",
    ];
    let t = &m.types[id];
    let bare = |n: &str| n.trim_start_matches("r#").to_owned();
    let mut seen: Vec<(String, usize)> =
        OWN.iter().map(|n| ((*n).to_owned(), usize::MAX)).collect();
    for (i, f) in t.fields.iter().enumerate() {
        if bare(&f.rust_name).starts_with("_bitfield_") {
            return Some((
                i,
                format!(
                    "the member `{}` is named like the bytes of a run of bit-fields",
                    bare(&f.rust_name)
                ),
            ));
        }
        if f.bits.is_none() && f.flags.is_none() && f.group.is_none() {
            continue;
        }
        let n = bare(&f.rust_name);
        for method in [n.clone(), format!("set_{n}")] {
            if let Some((_, j)) = seen.iter().find(|(s, _)| *s == method) {
                let other = match t.fields.get(*j) {
                    Some(g) => format!("the accessor of `{}`", bare(&g.rust_name)),
                    None => "a method of the struct".into(),
                };
                return Some((
                    i,
                    format!("the accessor `{method}()` of `{n}` is also {other}"),
                ));
            }
            seen.push((method, i));
        }
    }
    None
}

fn refuse_read(diags: &mut Diagnostics, f: &crate::ir::Field, what: &str) {
    diags
        .error(
            Code::Attribute,
            f.span,
            format!(
                "{what} reads the bit-field `{}`, which the generated code cannot read as a member",
                f.c_name.as_deref().unwrap_or_default()
            ),
        )
        .hint = Some("keep sizes, tags, counts and the fields of rules in plain members".into());
}

/// The fields a rule's condition reads.
fn rule_fields(c: &Cond) -> Vec<usize> {
    match c {
        Cond::Bits { field, .. }
        | Cond::IfSet { field, .. }
        | Cond::NonZero { field }
        | Cond::In { field, .. }
        | Cond::Below { field, .. }
        | Cond::Known { field, .. }
        | Cond::Equals { field, .. }
        | Cond::Nested { field, .. }
        | Cond::BelowLimit { field, .. } => vec![*field],
        Cond::ZeroIf {
            flag_field, zero, ..
        } => std::iter::once(*flag_field)
            .chain(zero.iter().copied())
            .collect(),
        Cond::NonZeroIf {
            flag_field,
            non_zero,
            ..
        } => std::iter::once(*flag_field)
            .chain(non_zero.iter().copied())
            .collect(),
        Cond::SumMax { a, b, .. } | Cond::ZeroTogether { a, b } | Cond::SumLimit { a, b, .. } => {
            vec![*a, *b]
        }
        Cond::Room { flag_field, .. } => vec![*flag_field],
    }
}
