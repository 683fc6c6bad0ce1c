//! `uapigen layout`: a pahole-like report of sizes, offsets, holes and tail padding per
//! struct on one ABI, and a cross-ABI table of the structs and ioctl sizes that differ
//! between ABIs (what would need `compat_ioctl`). Text or JSON; printed from the laid-out IR.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::abi::AbiSet;
use crate::emit::c::c_type;
use crate::ir::{Module, Ty, TypeId, kind_word};
use crate::layout::{Layout, type_size};
use crate::model::Model;

fn type_label(m: &Module, ty: &Ty) -> String {
    match ty {
        Ty::Named(id) if m.types[*id].parent.is_some() => {
            kind_word(m.types[*id].kind).to_owned() + " {...}"
        }
        _ => {
            let (l, r) = c_type(m, ty);
            format!("{}{r}", l.trim_end())
        }
    }
}

/// The pahole-like report of every named type on one ABI.
/// The index in [`crate::abi::ABIS`] of a layout's ABI.
fn abi_index(l: &Layout) -> usize {
    crate::abi::ABIS
        .iter()
        .position(|a| a.name == l.abi.name)
        .unwrap_or(0)
}

pub fn layout_text(model: &Model, l: &Layout) -> String {
    let m = &model.module;
    let mut out = String::new();
    let _ = writeln!(out, "# {} on {}", m.spec_label(), l.abi.name);
    let abi = abi_index(l);
    for (id, t) in m.named_types().filter(|(_, t)| t.abis.contains(abi)) {
        let _ = writeln!(out);
        type_text(&mut out, m, l, id, 0, 0);
        let tl = &l.types[id];
        let holes: u64 = tl
            .holes
            .iter()
            .filter(|h| h.before.is_some())
            .map(|h| h.size)
            .sum();
        let tail: u64 = tl
            .holes
            .iter()
            .filter(|h| h.before.is_none())
            .map(|h| h.size)
            .sum();
        let _ = writeln!(
            out,
            "\t/* size: {}, align: {}, members: {}, holes: {holes} bytes, tail padding: {tail} bytes */",
            tl.size,
            tl.align,
            t.fields.len()
        );
        let _ = writeln!(out, "}};");
    }
    out
}

fn type_text(out: &mut String, m: &Module, l: &Layout, id: TypeId, depth: usize, base: u64) {
    let t = &m.types[id];
    let indent = "\t".repeat(depth);
    if t.parent.is_none() {
        let _ = writeln!(
            out,
            "{} {} {{",
            kind_word(t.kind),
            t.c_name.as_deref().unwrap_or("")
        );
    }
    let tl = &l.types[id];
    for (i, f) in t.fields.iter().enumerate() {
        for h in tl.holes.iter().filter(|h| h.before == Some(i)) {
            let _ = writeln!(
                out,
                "{indent}\t/* XXX {} byte hole at {} */",
                h.size,
                base + h.offset
            );
        }
        let off = base + tl.offsets.get(i).copied().unwrap_or(0);
        let size = type_size(l, &f.ty);
        let name = f.c_name.as_deref().unwrap_or("");
        // A bit-field as pahole shows one: `: width`, with its first bit in the byte.
        if let (Some(w), Some(Some(pos))) = (f.bits, tl.bits.get(i)) {
            let decl = format!("{} {name}:{w};", type_label(m, &f.ty));
            let bit = pos % 8;
            let _ = writeln!(out, "{indent}\t{decl:<44} /* {off:>5}: {bit} {size:>3} */");
            continue;
        }
        let decl = format!("{} {name};", type_label(m, &f.ty));
        let _ = writeln!(out, "{indent}\t{decl:<44} /* {off:>5} {size:>5} */");
        if let Ty::Named(inner) = f.ty
            && m.types[inner].parent.is_some()
        {
            type_text(out, m, l, inner, depth + 1, off);
            let _ = writeln!(out, "{indent}\t}}");
        }
    }
    if t.parent.is_some() {
        for h in tl.holes.iter().filter(|h| h.before.is_none()) {
            let _ = writeln!(out, "{indent}\t/* XXX {} bytes tail padding */", h.size);
        }
    }
}

/// A value and the ABIs that share it.
pub type AbiGroups<K> = Vec<(K, Vec<&'static str>)>;

/// Groups of the ABIs of `abis` (where an item exists) with equal values of `key`, in ABI
/// table order.
fn groups<K: PartialEq>(
    model: &Model,
    abis: crate::abi::AbiSet,
    key: impl Fn(&Layout) -> K,
) -> AbiGroups<K> {
    let mut g: AbiGroups<K> = Vec::new();
    for (_, l) in model
        .layouts
        .iter()
        .enumerate()
        .filter(|(i, _)| abis.contains(*i))
    {
        let k = key(l);
        match g.iter_mut().find(|(x, _)| *x == k) {
            Some((_, v)) => v.push(l.abi.name),
            None => g.push((k, vec![l.abi.name])),
        }
    }
    g
}

/// Named types whose layout differs between ABIs: (type, [(size, align, offsets), ABIs]).
#[allow(clippy::type_complexity)]
pub fn differing_types(
    model: &Model,
) -> Vec<(TypeId, Vec<((u64, u64, Vec<u64>), Vec<&'static str>)>)> {
    model
        .module
        .named_types()
        .filter_map(|(id, t)| {
            let g = groups(model, t.abis, |l| {
                let t = &l.types[id];
                (t.size, t.align, flat_offsets(model, l, id))
            });
            (g.len() > 1).then_some((id, g))
        })
        .collect()
}

fn flat_offsets(model: &Model, l: &Layout, id: TypeId) -> Vec<u64> {
    crate::layout::field_paths(&model.module, l, id)
        .iter()
        .map(|p| p.offset)
        .collect()
}

/// Ioctls whose encoded argument size differs between ABIs of one architecture (where a
/// 64-bit kernel serves 32-bit programs through compat_ioctl): (index of the first
/// declaration, [(size, ABIs)] over every ABI the ioctl exists on). An ioctl declared once
/// per architecture (its `arg` a per-architecture type) counts as one.
pub fn differing_ioctl_sizes(model: &Model) -> Vec<(usize, AbiGroups<u64>)> {
    let m = &model.module;
    let mut out = Vec::new();
    for (i, io) in m.ioctls.iter().enumerate() {
        if !io.encodes_arg_size() || m.ioctls[..i].iter().any(|o| o.c_name == io.c_name) {
            continue;
        }
        let parts: Vec<&crate::ir::Ioctl> =
            m.ioctls.iter().filter(|o| o.c_name == io.c_name).collect();
        let all = parts.iter().fold(AbiSet::EMPTY, |s, p| s | p.abis);
        let size = |l: &Layout| {
            let abi = abi_index(l);
            parts
                .iter()
                .find(|p| p.abis.contains(abi))
                .and_then(|p| p.arg.as_ref())
                .map_or(0, |a| type_size(l, a))
        };
        let within_an_arch = crate::abi::ARCHES
            .iter()
            .any(|a| groups(model, a.set() & all, size).len() > 1);
        if within_an_arch {
            out.push((i, groups(model, all, size)));
        }
    }
    out
}

/// The cross-ABI table.
pub fn cross_abi_text(model: &Model) -> String {
    let m = &model.module;
    let mut out = String::new();
    let names: Vec<&str> = model
        .layouts
        .iter()
        .filter(|l| m.abis.contains(abi_index(l)))
        .map(|l| l.abi.name)
        .collect();
    let _ = writeln!(
        out,
        "# {} across {} ABIs: {}",
        m.spec_label(),
        names.len(),
        names.join(", ")
    );
    let types = differing_types(model);
    // Size or offsets differ: a compat hazard. Alignment alone: listed by name only.
    let mut layout_differs = Vec::new();
    let mut align_only = Vec::new();
    for (id, _) in &types {
        let g = groups(model, m.types[*id].abis, |l| {
            (l.types[*id].size, flat_offsets(model, l, *id))
        });
        if g.len() > 1 {
            layout_differs.push((*id, g));
        } else {
            align_only.push(*id);
        }
    }
    let _ = writeln!(out);
    if layout_differs.is_empty() {
        let _ = writeln!(
            out,
            "Every struct has the same size and field offsets on every ABI."
        );
    } else {
        let _ = writeln!(
            out,
            "Structs whose size or field offsets differ between ABIs ({}):",
            layout_differs.len()
        );
        for (id, g) in &layout_differs {
            let t = &m.types[*id];
            let _ = writeln!(out, "  {}", t.display_name(m));
            let paths = crate::layout::field_paths(m, &model.layouts[0], *id);
            let first = &g[0].0.1;
            for ((size, offs), abis) in g {
                let _ = writeln!(out, "    size {size:>4}: {}", abis.join(", "));
                let moved: Vec<String> = paths
                    .iter()
                    .zip(offs.iter().zip(first))
                    .filter(|(_, (a, b))| a != b)
                    .map(|(p, (a, _))| format!("{} at {a}", p.path))
                    .collect();
                if !moved.is_empty() {
                    let _ = writeln!(out, "      moved: {}", moved.join(", "));
                }
            }
        }
    }
    if !align_only.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Structs that differ in alignment only ({}):",
            align_only.len()
        );
        for id in &align_only {
            let g = groups(model, m.types[*id].abis, |l| l.types[*id].align);
            let parts: Vec<String> = g
                .iter()
                .map(|(a, abis)| format!("{a} on {}", abis.join(", ")))
                .collect();
            let _ = writeln!(
                out,
                "  {}: {}",
                m.types[*id].display_name(m),
                parts.join("; ")
            );
        }
    }
    let ioctls = differing_ioctl_sizes(model);
    let _ = writeln!(out);
    if ioctls.is_empty() {
        let _ = writeln!(
            out,
            "No ioctl encodes a size that differs between ABIs (numbers differ only by the \
             architecture's encoding), so none needs a compat_ioctl translation."
        );
    } else {
        let _ = writeln!(
            out,
            "Ioctls whose encoded size differs (need compat_ioctl) ({}):",
            ioctls.len()
        );
        for (i, g) in &ioctls {
            let parts: Vec<String> = g
                .iter()
                .map(|(s, abis)| format!("{s} on {}", abis.join(", ")))
                .collect();
            let _ = writeln!(out, "  {}: {}", m.ioctls[*i].c_name, parts.join("; "));
        }
    }
    out
}

/// Everything as JSON: per ABI, per type, size/align/fields/holes; and the cross-ABI diffs.
pub fn json(model: &Model, abis: &[&Layout]) -> Value {
    let m = &model.module;
    let per_abi: Vec<Value> = abis
        .iter()
        .map(|l| {
            let abi = abi_index(l);
            let types: Vec<Value> = m
                .named_types()
                .filter(|(_, t)| t.abis.contains(abi))
                .map(|(id, t)| {
                    let tl = &l.types[id];
                    let mut fields: Vec<Value> = crate::layout::field_paths(m, l, id)
                        .iter()
                        .map(|p| json!({"path": p.path, "offset": p.offset}))
                        .collect();
                    // Bit-fields (no offsetof): the byte, the first bit from the start of the
                    // struct in the ABI's allocation order, and the width.
                    for (i, f) in t.fields.iter().enumerate() {
                        if let (Some(w), Some(Some(pos)), Some(n)) =
                            (f.bits, tl.bits.get(i), &f.c_name)
                        {
                            fields.push(json!({"path": n, "offset": pos / 8, "bit": pos, "bits": w}));
                        }
                    }
                    let holes: Vec<Value> = tl
                        .holes
                        .iter()
                        .map(|h| json!({"offset": h.offset, "size": h.size, "tail": h.before.is_none()}))
                        .collect();
                    json!({
                        "name": t.c_name,
                        "kind": kind_word(t.kind),
                        "size": tl.size,
                        "align": tl.align,
                        "fields": fields,
                        "holes": holes,
                    })
                })
                .collect();
            let ioctls: Vec<Value> = m
                .ioctls
                .iter()
                .zip(&l.ioctls)
                .filter(|(io, _)| io.abis.contains(abi))
                .map(|(io, n)| json!({"name": io.c_name, "number": n}))
                .collect();
            json!({"abi": l.abi.name, "types": types, "ioctls": ioctls})
        })
        .collect();
    let differing: Vec<Value> = differing_types(model)
        .iter()
        .map(|(id, g)| {
            let groups: Vec<Value> = g
                .iter()
                .map(|((s, a, _), abis)| json!({"size": s, "align": a, "abis": abis}))
                .collect();
            json!({"name": m.types[*id].c_name, "groups": groups})
        })
        .collect();
    let ioctl_sizes: Vec<Value> = differing_ioctl_sizes(model)
        .iter()
        .map(|(i, g)| {
            let groups: Vec<Value> = g
                .iter()
                .map(|(s, abis)| json!({"size": s, "abis": abis}))
                .collect();
            json!({"name": m.ioctls[*i].c_name, "groups": groups})
        })
        .collect();
    json!({
        "spec": m.spec_label(),
        "abis": per_abi,
        "differing_types": differing,
        "differing_ioctl_sizes": ioctl_sizes,
    })
}
