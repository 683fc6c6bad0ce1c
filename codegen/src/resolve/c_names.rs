//! C's namespaces: tags, members and macros of one header must not collide.

use std::collections::BTreeMap;

use super::Resolver;
use crate::diag::Code;
use crate::ir::*;
use crate::spec::Span;

impl Resolver<'_> {
    /// Names C keeps apart only in part: struct, union and enum tags share one namespace
    /// (`enum same` and `struct same` clash), and a macro (a constant, group value, flag or
    /// ioctl) replaces every later use of its name, so it cannot also name a tag, a field or
    /// an enumerator of the header.
    pub(super) fn check_c_names(&mut self, m: &Module) {
        let mut tags: BTreeMap<&str, (&str, Span)> = BTreeMap::new();
        let mut tag_list: Vec<(&str, &str, Span)> = Vec::new();
        for (_, t) in m.named_types() {
            if let Some(c) = &t.c_name {
                tag_list.push((c, kind_word(t.kind), t.span));
            }
        }
        for e in &m.enums {
            if let Some(c) = &e.c_name {
                tag_list.push((c, "enum", e.span));
            }
        }
        for (name, kind, span) in tag_list {
            match tags.get(name) {
                Some((other, first)) if *other != kind => {
                    let first = *first;
                    self.defined_twice(
                        span,
                        format!("the tag `{kind} {name}` (also `{other} {name}`)"),
                        first,
                    );
                }
                _ => {
                    tags.insert(name, (kind, span));
                }
            }
        }
        // The members of a struct or union, with those of its anonymous members (C makes
        // them members of the parent): one name once.
        for (id, _) in m.named_types() {
            let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
            let mut stack = vec![id];
            while let Some(t) = stack.pop() {
                for f in &m.types[t].fields {
                    match (&f.c_name, &f.ty) {
                        (Some(c), _) => {
                            if let Some(first) = seen.insert(c, f.span) {
                                self.defined_twice(f.span, format!("the member `{c}`"), first);
                            }
                        }
                        (None, Ty::Named(inner)) => stack.push(*inner),
                        (None, _) => {}
                    }
                }
            }
        }
        // Every identifier of the header that a macro of the same name would replace.
        let mut idents: BTreeMap<&str, String> = BTreeMap::new();
        for t in m.types.iter().filter(|t| t.origin.is_none()) {
            if let Some(c) = &t.c_name {
                idents
                    .entry(c)
                    .or_insert_with(|| format!("the tag of {}", t.display_name_lite()));
            }
            for f in &t.fields {
                if let Some(c) = &f.c_name {
                    idents
                        .entry(c)
                        .or_insert_with(|| format!("a field of {}", t.display_name_lite()));
                }
            }
        }
        for e in &m.enums {
            if let Some(c) = &e.c_name {
                idents.entry(c).or_insert_with(|| "an enum tag".to_owned());
            }
        }
        for t in &m.typedefs {
            idents
                .entry(&t.c_name)
                .or_insert_with(|| "a typedef".to_owned());
        }
        let mut macros: Vec<(&str, Span)> = Vec::new();
        macros.extend(m.constants.iter().map(|c| (c.c_name.as_str(), c.span)));
        macros.extend(
            m.groups
                .iter()
                .flat_map(|g| &g.values)
                .map(|v| (v.c_name.as_str(), v.span)),
        );
        macros.extend(
            m.flag_sets
                .iter()
                .flat_map(|f| &f.bits)
                .map(|b| (b.c_name.as_str(), b.span)),
        );
        macros.extend(m.ioctls.iter().map(|io| (io.c_name.as_str(), io.span)));
        macros.extend(m.macros.iter().map(|x| (x.c_name.as_str(), x.span)));
        for (name, span) in macros {
            if let Some(what) = idents.get(name) {
                self.diags
                    .error(
                        Code::DuplicateName,
                        span,
                        format!("the macro `{name}` would replace {what} of the same name in C"),
                    )
                    .hint = Some("rename one of them".into());
            }
        }
    }
}
