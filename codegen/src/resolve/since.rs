//! `since`: the kernel version an item arrived in (`since: "6.2"`, which `uapigen import
//! --update` writes on what it adds). The IR keeps it by C name ([`Module::since`]) and
//! every output shows it through the item's doc, which ends with `Since Linux 6.2.`: the
//! emitters print docs and compute nothing.

use std::collections::BTreeMap;

use crate::diag::{Code, Diagnostics};
use crate::ir::Module;
use crate::spec::{Sp, Spec};

/// Longest version accepted (`2.6.32`, `6.10`).
const MAX_LEN: usize = 16;

/// Whether `v` is a kernel version: numbers joined by dots (`6`, `6.2`, `2.6.32`).
fn is_version(v: &str) -> bool {
    v.len() <= MAX_LEN
        && v.split('.').count() <= 4
        && v.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Read every `since` of the spec into `module.since` and the items' docs; E0508 for one
/// that is no version, and for a name given two (declarations per architecture).
pub(super) fn apply(spec: &Spec, module: &mut Module, diags: &mut Diagnostics) {
    // Every named item with its own `since`, or its group's, set's or enum's.
    let mut names: Vec<(String, &Option<Sp<String>>)> = Vec::new();
    for c in &spec.constants {
        names.push((c.name.value.clone(), &c.since));
    }
    for g in &spec.groups {
        names.push((g.name.value.clone(), &g.since));
        for v in &g.values {
            names.push((
                v.name.value.clone(),
                v.since.as_ref().map_or(&g.since, |_| &v.since),
            ));
        }
    }
    for f in &spec.flags {
        names.push((f.name.value.clone(), &f.since));
        for b in &f.bits {
            names.push((
                b.name.value.clone(),
                b.since.as_ref().map_or(&f.since, |_| &b.since),
            ));
        }
    }
    for e in &spec.enums {
        if let Some(n) = &e.name {
            names.push((n.value.clone(), &e.since));
        }
        for v in e.values.iter() {
            names.push((
                v.name.value.clone(),
                v.since.as_ref().map_or(&e.since, |_| &v.since),
            ));
        }
    }
    for t in &spec.typedefs {
        names.push((t.name.value.clone(), &t.since));
    }
    for s in &spec.structs {
        names.push((s.name.value.clone(), &s.since));
    }
    for m in &spec.ioctl_macros {
        names.push((m.name.value.clone(), &m.since));
    }
    for i in &spec.ioctls {
        names.push((i.name.value.clone(), &i.since));
    }
    for m in &spec.macros {
        names.push((m.name.value.clone(), &m.since));
    }
    let mut since: BTreeMap<String, String> = BTreeMap::new();
    let mut first: BTreeMap<&str, &Sp<String>> = BTreeMap::new();
    for (name, s) in names
        .iter()
        .filter_map(|(n, s)| s.as_ref().map(|s| (n.as_str(), s)))
    {
        if !is_version(s) {
            diags
                .error(
                    Code::Since,
                    s.span,
                    format!("`since: {}` of `{name}` is not a kernel version", s.value),
                )
                .hint = Some(
                "write the version the item arrived in as numbers joined by dots, quoted: `since: \"6.2\"`"
                    .into(),
            );
            continue;
        }
        match first.get(name) {
            Some(f) if f.value != s.value => {
                diags
                    .error(
                        Code::Since,
                        s.span,
                        format!(
                            "`{name}` arrived in {} by its declaration at line {}, and in {} here",
                            f.value, f.span.line, s.value
                        ),
                    )
                    .hint = Some("give every declaration of one name the same `since`".into());
            }
            Some(_) => {}
            None => {
                first.insert(name, s);
                since.insert(name.to_owned(), s.value.clone());
            }
        }
    }
    if since.is_empty() {
        return;
    }
    let doc = |d: &mut Option<String>, name: Option<&str>| {
        if let Some(v) = name.and_then(|n| since.get(n)) {
            let line = format!("Since Linux {v}.");
            *d = Some(match d.take() {
                Some(t) => format!("{t}\n\n{line}"),
                None => line,
            });
        }
    };
    for c in &mut module.constants {
        doc(&mut c.doc, Some(&c.c_name));
    }
    for g in &mut module.groups {
        doc(&mut g.doc, Some(&g.c_name));
        for v in &mut g.values {
            doc(&mut v.doc, Some(&v.c_name));
        }
    }
    for f in &mut module.flag_sets {
        doc(&mut f.doc, Some(&f.c_name));
        for b in &mut f.bits {
            doc(&mut b.doc, Some(&b.c_name));
        }
    }
    for e in &mut module.enums {
        doc(&mut e.doc, e.c_name.as_deref());
        for v in &mut e.values {
            doc(&mut v.doc, Some(&v.c_name));
        }
    }
    for t in module.types.iter_mut().filter(|t| t.parent.is_none()) {
        doc(&mut t.doc, t.c_name.as_deref());
    }
    for t in &mut module.typedefs {
        doc(&mut t.doc, Some(&t.c_name));
    }
    for m in &mut module.ioctl_macros {
        doc(&mut m.doc, Some(&m.c_name));
    }
    for i in &mut module.ioctls {
        doc(&mut i.doc, Some(&i.c_name));
    }
    for m in &mut module.macros {
        doc(&mut m.doc, Some(&m.c_name));
    }
    module.since = since;
}
