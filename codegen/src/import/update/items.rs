//! The items of `--update` besides values: enums, typedefs, structs (field by field),
//! ioctl macros, ioctls and function-like macros; and how new entries are written, in the
//! spec's own style (one-line flow mappings where the neighbours are, block otherwise).

use super::render::{arch_list, block, dir_text, flow_line, ioctl_keys, ty_text};
use super::text::{self, Extent};
use super::{Merge, Val, values_of};
use crate::ir::{Module, Ty, TypeId};
use crate::spec::{self, Sp, Span};

/// A field's facts: name, type, attributes, members (`;`-joined), for comparison.
fn field_sig(m: &Module, f: &crate::ir::Field) -> String {
    let mut ty = match &f.ty {
        Ty::Named(id) if m.types[*id].parent.is_some() => type_sig(m, *id),
        t => crate::emit::c::c_type_name(m, t),
    };
    let mut aligned = f.aligned;
    // `__aligned_u64` is `__u64` aligned to 8 (the importer writes it so).
    if aligned.is_none()
        && let Some(base) = ty.strip_prefix("__aligned_")
    {
        ty = format!("__{base}");
        aligned = Some(8);
    }
    format!(
        "{}:{ty}:{}:{aligned:?}",
        f.c_name.as_deref().unwrap_or("-"),
        f.packed,
    )
}

fn type_sig(m: &Module, id: TypeId) -> String {
    let t = &m.types[id];
    let fields: Vec<String> = t.fields.iter().map(|f| field_sig(m, f)).collect();
    format!(
        "{:?}{}{:?}{{{}}}",
        t.kind,
        t.packed,
        t.aligned,
        fields.join(";")
    )
}

/// The named (not inline) type `name` of a module: the `n`-th declaration.
fn named_type(m: &Module, name: &str, n: usize) -> Option<TypeId> {
    m.types
        .iter()
        .enumerate()
        .filter(|(_, t)| {
            t.parent.is_none() && t.origin.is_none() && t.c_name.as_deref() == Some(name)
        })
        .map(|(i, _)| i)
        .nth(n)
}

/// A field's keys that a person wrote, in the order the specs write them.
fn annotations(f: &spec::Field) -> Vec<(&'static str, String)> {
    let mut k: Vec<(&'static str, String)> = Vec::new();
    if !f.allow.0.is_empty() {
        let e: Vec<String> = f
            .allow
            .0
            .iter()
            .map(|a| format!("{}: {}", *a.rule, text::scalar(&a.reason)))
            .collect();
        k.push(("allow", format!("{{ {} }}", e.join(", "))));
    }
    if let Some(d) = &f.data {
        let d = match d.value {
            spec::Data::In => "in",
            spec::Data::Out => "out",
            spec::Data::InOut => "in-out",
        };
        k.push(("data", d.to_owned()));
    }
    if let Some(x) = &f.flags {
        k.push(("flags", text::scalar(x)));
    }
    if let Some(x) = &f.values {
        k.push(("values", text::scalar(x)));
    }
    if f.reserved {
        k.push(("reserved", "true".into()));
    }
    if let Some(x) = &f.since {
        k.push(("since", x.to_string()));
    }
    if let Some(x) = &f.flag {
        k.push(("flag", text::scalar(x)));
    }
    if f.user_address {
        k.push(("user-address", "true".into()));
    }
    if let Some(x) = &f.rust_name {
        k.push(("rust-name", text::scalar(x)));
    }
    if let Some(x) = &f.doc {
        k.push(("doc", text::scalar(x.trim_end())));
    }
    k
}

/// Find the old field named `name` anywhere in `fields` (inside anonymous members too).
fn find_field<'s>(fields: &'s [spec::Field], name: &str) -> Option<&'s spec::Field> {
    fields.iter().find_map(|f| {
        if f.name.as_deref().map(String::as_str) == Some(name) {
            Some(f)
        } else {
            f.fields
                .as_deref()
                .and_then(|inner| find_field(inner, name))
        }
    })
}

/// A new field: its facts from the draft, the annotations of the old field of its name
/// (a member that moved into an anonymous union keeps its doc), then `extra` keys.
fn render_field(
    d: &spec::Field,
    old_all: &[spec::Field],
    indent: usize,
    extra: &[(&'static str, String)],
) -> String {
    let old = d.name.as_ref().and_then(|n| find_field(old_all, n));
    let mut keys: Vec<(&str, String)> = Vec::new();
    if let Some(n) = &d.name {
        keys.push(("name", text::scalar(n)));
    }
    keys.push(("type", text::scalar(&ty_text(&d.ty))));
    if d.packed {
        keys.push(("packed", "true".into()));
    }
    if let Some(a) = &d.aligned {
        keys.push(("aligned", a.to_string()));
    }
    if let Some(o) = old {
        keys.extend(annotations(o));
    }
    keys.extend(extra.iter().cloned());
    match &d.fields {
        None => flow_line(indent, &keys),
        Some(inner) => {
            let mut out = block(indent, &keys);
            out.push_str(&format!("{}  fields:\n", " ".repeat(indent)));
            for f in inner {
                out.push_str(&render_field(f, old_all, indent + 4, &[]));
            }
            out
        }
    }
}

/// The span an entry of a field is found by: its name, or its type.
fn field_span(f: &spec::Field) -> Span {
    f.name.as_ref().map_or(f.ty.span, |n| n.span)
}

impl Merge<'_> {
    fn ext(&self, span: Span) -> Option<Extent> {
        self.text.extent(span)
    }

    /// Insert `body` after the old item `anchor`, or (none) after the section's last item,
    /// or as a new section; `blank` puts a blank line between items (structs).
    fn place(
        &mut self,
        anchor: Option<Span>,
        last: Option<Span>,
        section: &str,
        body: String,
        blank: bool,
    ) {
        let at = anchor.or(last).and_then(|s| self.ext(s));
        match at {
            Some(e) => {
                let sep = if blank { "\n" } else { "" };
                self.text.insert(e.end, format!("{sep}{body}"));
            }
            None => self.new_section(section, body),
        }
    }

    /// Enums, matched by name or (anonymous) by an enumerator they share.
    pub(super) fn enums(&mut self) {
        let (old, new) = (self.old, self.new);
        let ov = values_of(&self.om.module);
        let nv = values_of(&self.nm.module);
        let find_new = |e: &spec::Enum| {
            new.enums.iter().position(|n| match (&e.name, &n.name) {
                (Some(a), Some(b)) => a.value == b.value,
                (None, None) => e
                    .values
                    .iter()
                    .any(|v| n.values.iter().any(|w| w.name.value == v.name.value)),
                _ => false,
            })
        };
        let mut matched = vec![false; new.enums.len()];
        let mut anchors: Vec<Option<Span>> = vec![None; new.enums.len()];
        for e in &old.enums {
            let what = e.name.as_ref().map_or_else(
                || {
                    format!(
                        "enum of {}",
                        e.values.first().map_or("", |v| v.name.value.as_str())
                    )
                },
                |n| format!("enum {}", n.value),
            );
            let span = e.name.as_ref().map_or(e.values.span, |n| n.span);
            let Some(j) = find_new(e) else {
                let named = e.values.iter().any(|v| self.still_named(&v.name));
                if named || e.name.as_ref().is_some_and(|n| self.still_named(n)) {
                    self.report.push(format!(
                        "kept {what}: the header still names it but the importer did not read it"
                    ));
                } else {
                    if let Some(x) = self.ext(span) {
                        self.text.remove(x);
                    }
                    self.report
                        .push(format!("removed {what}: the header no longer defines it"));
                }
                continue;
            };
            matched[j] = true;
            anchors[j] = Some(span);
            let n = &new.enums[j];
            // Old enumerators gone from the header.
            for v in e.values.iter() {
                if !n.values.iter().any(|w| w.name.value == v.name.value) {
                    if let Some(x) = self.ext(v.name.span) {
                        self.text.remove(x);
                    }
                    self.report.push(format!(
                        "removed enumerator `{}` of {what}: the header no longer defines it",
                        *v.name
                    ));
                }
            }
            // Changed and new enumerators, in the header's order.
            let mut prev: Option<Span> = None;
            for w in n.values.iter() {
                let name = w.name.value.as_str();
                match e.values.iter().find(|v| v.name.value == name) {
                    Some(v) => {
                        if ov.get(name) != nv.get(name) {
                            let t = w.value.as_ref().map_or_else(
                                || match nv.get(name) {
                                    Some(Val::Int(i)) => i.to_string(),
                                    _ => String::new(),
                                },
                                |x| x.value.0.clone(),
                            );
                            match (&v.value, self.ext(v.name.span)) {
                                (Some(s), _) => self.text.set_scalar(s.span, text::expr(&t)),
                                (None, Some(x)) => {
                                    self.text.add_key(x, v.name.span, "value", &text::expr(&t))
                                }
                                _ => {}
                            }
                            self.report
                                .push(format!("changed enumerator `{name}` of {what}"));
                        }
                        prev = Some(v.name.span);
                    }
                    None => {
                        let mut keys = vec![("name", name.to_owned())];
                        if let Some(x) = &w.value {
                            keys.push(("value", text::expr(&x.value.0)));
                        }
                        keys.push(("since", self.since_scalar()));
                        let at = prev
                            .or_else(|| e.values.first().map(|v| v.name.span))
                            .and_then(|s| self.ext(s));
                        if let Some(x) = at {
                            let line = self.entry(x, &keys);
                            if prev.is_some() {
                                self.text.insert(x.end, line);
                            } else {
                                self.text.insert(x.start, line);
                            }
                        }
                        self.report
                            .push(format!("added enumerator `{name}` to {what}"));
                    }
                }
            }
        }
        for (j, n) in new.enums.iter().enumerate() {
            if matched[j] {
                continue;
            }
            let mut out = String::new();
            let first = n.name.as_ref().map(|x| ("name", text::scalar(x)));
            let mut keys: Vec<(&str, String)> = first.into_iter().collect();
            if let Some(a) = &n.arch {
                keys.push(("arch", arch_list(a)));
            }
            keys.push(("since", self.since_scalar()));
            out.push_str(&block(2, &keys));
            out.push_str("    values:\n");
            for w in n.values.iter() {
                let mut k = vec![("name", w.name.value.clone())];
                if let Some(x) = &w.value {
                    k.push(("value", text::expr(&x.value.0)));
                }
                out.push_str(&flow_line(6, &k));
            }
            let anchor = (0..j).rev().find_map(|i| anchors[i]);
            let last = old
                .enums
                .last()
                .map(|e| e.name.as_ref().map_or(e.values.span, |n| n.span));
            self.place(anchor, last, "enums", out, false);
            anchors[j] = anchor;
            let first = n.values.first().map_or("", |v| v.name.value.as_str());
            self.report.push(match &n.name {
                Some(x) => format!("added enum {}", **x),
                None => format!("added the enum of `{first}`"),
            });
        }
    }

    pub(super) fn typedefs(&mut self) {
        let (old, new) = (self.old, self.new);
        for t in &old.typedefs {
            match new.typedefs.iter().find(|n| n.name.value == t.name.value) {
                Some(n) => {
                    let a = self
                        .om
                        .module
                        .typedefs
                        .iter()
                        .find(|x| x.c_name == *t.name)
                        .map(|x| format!("{:?}", x.ty));
                    let b = self
                        .nm
                        .module
                        .typedefs
                        .iter()
                        .find(|x| x.c_name == *t.name)
                        .map(|x| format!("{:?}", x.ty));
                    if a != b {
                        self.text.set_scalar(t.ty.span, text::scalar(&n.ty));
                        self.report
                            .push(format!("changed typedef {} to `{}`", *t.name, *n.ty));
                    }
                    // `typedef int lirc_t;` became `#define lirc_t int`, or back.
                    let flag = |x: &spec::Typedef| x.is_macro.as_ref().is_some_and(|m| m.value);
                    if flag(t) != flag(n)
                        && let Some(e) = self.ext(t.name.span)
                    {
                        let span = t.is_macro.as_ref().map(|m| m.span);
                        let value = flag(n).then(|| "true".to_owned());
                        self.set(e, t.ty.span, "macro", span, value);
                        self.report.push(format!(
                            "typedef {} is now {}",
                            *t.name,
                            if flag(n) { "a macro" } else { "a typedef" }
                        ));
                    }
                }
                None => self.gone(&t.name, "typedef"),
            }
        }
        let mut anchor = None;
        for n in &new.typedefs {
            if let Some(t) = old.typedefs.iter().find(|t| t.name.value == n.name.value) {
                anchor = Some(t.name.span);
                continue;
            }
            let mut keys = vec![
                ("name", n.name.value.clone()),
                ("type", text::scalar(&n.ty)),
            ];
            if n.is_macro.as_ref().is_some_and(|m| m.value) {
                keys.push(("macro", "true".to_owned()));
            }
            if let Some(a) = &n.arch {
                keys.push(("arch", arch_list(a)));
            }
            keys.push(("since", self.since_scalar()));
            let last = old.typedefs.last().map(|t| t.name.span);
            self.place(anchor, last, "typedefs", flow_line(2, &keys), false);
            self.report.push(format!("added typedef {}", *n.name));
        }
    }

    /// An old item the draft does not have: kept when the header still names it, removed
    /// otherwise.
    fn gone(&mut self, name: &Sp<String>, what: &str) {
        if self.still_named(name) {
            self.report.push(format!(
                "kept {what} {}: the header still names it but the importer did not read it (see the notes)",
                **name
            ));
        } else {
            if let Some(e) = self.ext(name.span) {
                self.text.remove(e);
            }
            self.report.push(format!(
                "removed {what} {}: the header no longer defines it",
                **name
            ));
        }
    }

    pub(super) fn structs(&mut self) {
        let (old, new) = (self.old, self.new);
        let mut anchor: Option<Span> = None;
        let mut seen: std::collections::BTreeMap<&str, usize> = Default::default();
        for n in &new.structs {
            let k = seen.entry(n.name.value.as_str()).or_default();
            let nth = *k;
            *k += 1;
            let o = old
                .structs
                .iter()
                .filter(|s| s.name.value == n.name.value)
                .nth(nth);
            match o {
                Some(s) => {
                    self.struct_fields(s, n, nth);
                    anchor = Some(s.name.span);
                }
                None => {
                    let mut keys = vec![("name", n.name.value.clone())];
                    if let Some(k) = &n.kind
                        && k.value == spec::Kind::Union
                    {
                        keys.push(("kind", "union".into()));
                    }
                    if n.packed {
                        keys.push(("packed", "true".into()));
                    }
                    if let Some(a) = &n.aligned {
                        keys.push(("aligned", a.to_string()));
                    }
                    if let Some(a) = &n.arch {
                        keys.push(("arch", arch_list(a)));
                    }
                    keys.push(("since", self.since_scalar()));
                    let mut out = block(2, &keys);
                    out.push_str("    fields:\n");
                    for f in &n.fields {
                        out.push_str(&render_field(f, &[], 6, &[]));
                    }
                    let last = old.structs.last().map(|s| s.name.span);
                    self.place(anchor, last, "structs", out, true);
                    self.report.push(format!("added struct {}", *n.name));
                }
            }
        }
        for s in &old.structs {
            let count = old
                .structs
                .iter()
                .filter(|x| x.name.value == s.name.value)
                .count();
            let have = new
                .structs
                .iter()
                .filter(|x| x.name.value == s.name.value)
                .count();
            if have == 0
                || (have < count
                    && old
                        .structs
                        .iter()
                        .filter(|x| x.name.value == s.name.value)
                        .position(|x| std::ptr::eq(x, s))
                        .is_some_and(|i| i >= have))
            {
                self.gone(&s.name, "struct");
            }
        }
    }

    /// Rebuild the fields of `s` when the draft's `n` has other ones: old entries whose
    /// facts stay are kept as written, changed and new ones written from the draft with
    /// the old field's annotations; a field appended to an extensible struct is a new
    /// revision (`since`).
    fn struct_fields(&mut self, s: &spec::Struct, n: &spec::Struct, nth: usize) {
        let (om, nm) = (&self.om.module, &self.nm.module);
        let (Some(oid), Some(nid)) = (named_type(om, &s.name, nth), named_type(nm, &n.name, nth))
        else {
            return;
        };
        if type_sig(om, oid) == type_sig(nm, nid) {
            return;
        }
        let (ot, nt) = (&om.types[oid], &nm.types[nid]);
        if (ot.kind, ot.packed, ot.aligned) != (nt.kind, nt.packed, nt.aligned) {
            self.report.push(format!(
                "struct {}: its kind or attributes changed in the header; edit `kind`, `packed` or `aligned` by hand",
                *s.name
            ));
        }
        let exts: Vec<Option<Extent>> = s.fields.iter().map(|f| self.ext(field_span(f))).collect();
        let (Some(Some(first)), Some(Some(last))) = (exts.first(), exts.last()) else {
            return;
        };
        let indent = first.dash;
        let old_sigs: Vec<String> = ot.fields.iter().map(|f| field_sig(om, f)).collect();
        let revision = s
            .fields
            .iter()
            .filter_map(|f| f.since.as_ref().map(|x| x.value))
            .max()
            .map_or(2, |m| m + 1);
        let mut out = String::new();
        let mut used = vec![false; s.fields.len()];
        let mut changes = Vec::new();
        let mut anon = 0;
        for (j, d) in n.fields.iter().enumerate() {
            let oi = match &d.name {
                Some(name) => s
                    .fields
                    .iter()
                    .position(|f| f.name.as_ref().map(|x| &x.value) == Some(&name.value)),
                None => {
                    anon += 1;
                    s.fields
                        .iter()
                        .enumerate()
                        .filter(|(_, f)| f.name.is_none())
                        .nth(anon - 1)
                        .map(|(i, _)| i)
                }
            };
            let new_sig = nt.fields.get(j).map(|f| field_sig(nm, f));
            match oi {
                Some(i) if new_sig.as_ref() == old_sigs.get(i) => {
                    used[i] = true;
                    if let Some(Some(e)) = exts.get(i) {
                        out.push_str(self.text.slice(*e));
                    }
                }
                Some(i) => {
                    used[i] = true;
                    out.push_str(&render_field(
                        d,
                        std::slice::from_ref(&s.fields[i]),
                        indent,
                        &[],
                    ));
                    changes.push(format!(
                        "`{}` changed",
                        d.name.as_deref().map_or("(anonymous)", |x| x.as_str())
                    ));
                }
                None => {
                    let appended = !s.fields.is_empty() && used.iter().all(|u| *u);
                    let mut extra = Vec::new();
                    if appended
                        && s.extensible.is_some()
                        && find_field(&s.fields, d.name.as_deref().map_or("", |x| x.as_str()))
                            .is_none()
                    {
                        extra.push(("since", revision.to_string()));
                    }
                    let line = render_field(d, &s.fields, indent, &extra);
                    let note = format!("  # Linux {}\n", self.since);
                    match line.strip_suffix('\n') {
                        Some(l) if !l.contains('\n') => out.push_str(&format!("{l}{note}")),
                        _ => out.push_str(&line),
                    }
                    changes.push(format!(
                        "`{}` added",
                        d.name.as_deref().map_or("(anonymous)", |x| x.as_str())
                    ));
                }
            }
        }
        for (i, f) in s.fields.iter().enumerate() {
            if !used[i] {
                changes.push(format!(
                    "`{}` removed",
                    f.name.as_deref().map_or("(anonymous)", |x| x.as_str())
                ));
            }
        }
        self.text.replace(first.start, last.end, out);
        self.report.push(format!(
            "changed the fields of struct {}: {}",
            *s.name,
            changes.join(", ")
        ));
    }

    pub(super) fn ioctl_macros(&mut self) {
        let (old, new) = (self.old, self.new);
        for o in &old.ioctl_macros {
            match new
                .ioctl_macros
                .iter()
                .find(|n| n.name.value == o.name.value)
            {
                Some(n) => {
                    if o.dir.value != n.dir.value || o.ty.value != n.ty.value {
                        self.text.set_scalar(o.ty.span, text::expr(&n.ty.value.0));
                        self.text
                            .set_scalar(o.dir.span, dir_text(n.dir.value).to_owned());
                        self.report.push(format!("changed ioctl macro {}", *o.name));
                    }
                }
                None => self.gone(&o.name, "ioctl macro"),
            }
        }
        let mut anchor = None;
        for n in &new.ioctl_macros {
            if let Some(o) = old
                .ioctl_macros
                .iter()
                .find(|o| o.name.value == n.name.value)
            {
                anchor = Some(o.name.span);
                continue;
            }
            let keys = vec![
                ("name", n.name.value.clone()),
                ("dir", dir_text(n.dir.value).to_owned()),
                ("type", text::expr(&n.ty.value.0)),
                ("since", self.since_scalar()),
            ];
            let last = old.ioctl_macros.last().map(|t| t.name.span);
            self.place(anchor, last, "ioctl-macros", flow_line(2, &keys), false);
            self.report.push(format!("added ioctl macro {}", *n.name));
        }
    }

    pub(super) fn ioctls(&mut self) {
        let (old, new) = (self.old, self.new);
        let (om, nm) = (self.om, self.nm);
        let mut anchor: Option<Span> = None;
        for (j, n) in new.ioctls.iter().enumerate() {
            let Some(oi) = old.ioctls.iter().position(|o| o.name.value == n.name.value) else {
                let e = anchor
                    .or_else(|| old.ioctls.last().map(|o| o.name.span))
                    .and_then(|s| self.ext(s));
                let keys = ioctl_keys(n, &self.since_scalar());
                let body = match e {
                    Some(e) if self.text.is_flow(e) => flow_line(e.dash, &keys),
                    _ => block(2, &keys),
                };
                let last = old.ioctls.last().map(|o| o.name.span);
                self.place(anchor, last, "ioctls", body, false);
                let hint = match &n.dir {
                    Some(d) if d.value == spec::Dir::None && n.arg.is_none() => {
                        " (its number encodes no argument: add `arg` if it takes one)"
                    }
                    _ => "",
                };
                self.report.push(format!("added ioctl {}{hint}", *n.name));
                continue;
            };
            let o = &old.ioctls[oi];
            anchor = Some(o.name.span);
            let same =
                om.module
                    .ioctls
                    .get(oi)
                    .zip(nm.module.ioctls.get(j))
                    .is_some_and(|(a, b)| {
                        a.dir == b.dir
                            && a.abis == b.abis
                            && om.layouts.iter().zip(&nm.layouts).enumerate().all(
                                |(abi, (x, y))| {
                                    !a.abis.contains(abi) || x.ioctls.get(oi) == y.ioctls.get(j)
                                },
                            )
                            && (a.dir == spec::Dir::None
                                || a.arg
                                    .as_ref()
                                    .map(|t| crate::emit::c::c_type_name(&om.module, t))
                                    == b.arg
                                        .as_ref()
                                        .map(|t| crate::emit::c::c_type_name(&nm.module, t)))
                    });
            if same {
                continue;
            }
            let Some(e) = self.ext(o.name.span) else {
                continue;
            };
            let new_dir = n.dir.as_ref().map(|d| dir_text(d.value).to_owned());
            let exprs = [
                ("type", &o.ty, &n.ty),
                ("nr", &o.nr, &n.nr),
                ("number", &o.number, &n.number),
                ("size", &o.size, &n.size),
            ];
            for (key, a, b) in exprs {
                let new = b.as_ref().map(|x| text::expr(&x.value.0));
                self.set(e, o.name.span, key, a.as_ref().map(|s| s.span), new);
            }
            self.set(
                e,
                o.name.span,
                "dir",
                o.dir.as_ref().map(|d| d.span),
                new_dir,
            );
            self.set(
                e,
                o.name.span,
                "macro",
                o.mac.as_ref().map(|d| d.span),
                n.mac.as_ref().map(|m| text::scalar(m)),
            );
            if n.dir.as_ref().is_some_and(|d| d.value != spec::Dir::None) || n.arg.is_some() {
                self.set(
                    e,
                    o.name.span,
                    "arg",
                    o.arg.as_ref().map(|d| d.span),
                    n.arg.as_ref().map(|m| text::scalar(&ty_text(m))),
                );
            }
            self.report
                .push(format!("changed the number of ioctl {}", *o.name));
        }
        for o in &old.ioctls {
            if !new.ioctls.iter().any(|n| n.name.value == o.name.value) {
                self.gone(&o.name, "ioctl");
            }
        }
    }

    /// Make key `key` of the entry `e` hold `new` (or remove it).
    fn set(&mut self, e: Extent, name: Span, key: &str, old: Option<Span>, new: Option<String>) {
        match (old, new) {
            (Some(s), Some(v)) => {
                if self.text.src.get(s.offset..s.offset + s.len) != Some(v.as_str()) {
                    self.text.set_scalar(s, v);
                }
            }
            (Some(s), None) => {
                self.text.remove_key(e, s);
            }
            (None, Some(v)) => self.text.add_key(e, name, key, &v),
            (None, None) => {}
        }
    }

    pub(super) fn macros(&mut self) {
        let (old, new) = (self.old, self.new);
        let (om, nm) = (&self.om.module, &self.nm.module);
        for o in &old.macros {
            let Some(n) = new.macros.iter().find(|n| n.name.value == o.name.value) else {
                self.gone(&o.name, "macro");
                continue;
            };
            let (a, b) = (
                om.macros.iter().find(|x| x.c_name == *o.name),
                nm.macros.iter().find(|x| x.c_name == *o.name),
            );
            let same = a.zip(b).is_some_and(|(a, b)| {
                a.params.len() == b.params.len()
                    && a.param_ty == b.param_ty
                    && a.result == b.result
                    && a.samples().into_iter().all(|args| {
                        a.call(om, &args).map(|v| v.value) == b.call(nm, &args).map(|v| v.value)
                    })
            });
            if same {
                continue;
            }
            self.text
                .set_scalar(o.body.span, text::scalar(&n.body.value.0));
            let params: Vec<String> = n.params.iter().map(|p| p.value.clone()).collect();
            let ps = o.params.span;
            if self.text.src.get(ps.offset..ps.offset + 1) == Some("[") {
                let end = self
                    .text
                    .src
                    .get(ps.offset..)
                    .unwrap_or("")
                    .find(']')
                    .map_or(ps.offset, |i| ps.offset + i + 1);
                self.text
                    .replace(ps.offset, end, format!("[{}]", params.join(", ")));
            }
            self.report.push(format!("changed macro {}", *o.name));
        }
        let mut anchor = None;
        for n in &new.macros {
            if let Some(o) = old.macros.iter().find(|o| o.name.value == n.name.value) {
                anchor = Some(o.name.span);
                continue;
            }
            let params: Vec<String> = n.params.iter().map(|p| p.value.clone()).collect();
            let keys = vec![
                ("name", n.name.value.clone()),
                ("params", format!("[{}]", params.join(", "))),
                ("body", text::scalar(&n.body.value.0)),
                ("since", self.since_scalar()),
            ];
            let last = old.macros.last().map(|t| t.name.span);
            self.place(anchor, last, "macros", block(2, &keys), false);
            self.report.push(format!("added macro {}", *n.name));
        }
    }
}
