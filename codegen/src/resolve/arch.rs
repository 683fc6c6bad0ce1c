//! Architecture-dependent items: the ABIs an `arch` list names, the ABIs of every item,
//! and references checked against them (what an item uses must exist wherever it does).

use super::{Def, Resolver, edit_distance};
use crate::abi::AbiSet;
use crate::diag::Code;
use crate::ir::TypeId;
use crate::spec::{Sp, Span};

impl Resolver<'_> {
    /// The ABIs of every constant, group, flag set, enum and ioctl, and of each value they
    /// define (for references from expressions).
    pub(super) fn register_arches(&mut self) {
        let spec = self.spec;
        self.const_abis = spec
            .constants
            .iter()
            .map(|c| self.arch_set(&c.arch, &format!("`{}`", *c.name)))
            .collect();
        self.group_abis = spec
            .groups
            .iter()
            .map(|g| self.arch_set(&g.arch, &format!("group `{}`", *g.name)))
            .collect();
        self.flag_abis = spec
            .flags
            .iter()
            .map(|f| self.arch_set(&f.arch, &format!("flag set `{}`", *f.name)))
            .collect();
        self.enum_abis = spec
            .enums
            .iter()
            .map(|e| {
                let what = e
                    .name
                    .as_ref()
                    .map_or("the enum".to_owned(), |n| format!("enum `{}`", **n));
                self.arch_set(&e.arch, &what)
            })
            .collect();
        self.ioctl_abis = spec
            .ioctls
            .iter()
            .map(|io| self.arch_set(&io.arch, &format!("`{}`", *io.name)))
            .collect();
        for (i, a) in self.const_abis.iter().enumerate() {
            self.def_abis.insert(Def::Const(i), *a);
        }
        // A value's own `arch` narrows its group's, set's or enum's.
        for (g, group) in spec.groups.iter().enumerate() {
            for (i, v) in group.values.iter().enumerate() {
                let what = format!("`{}`", *v.name);
                let a = self.arch_in(&v.arch, &what, self.group_abis[g], "its group");
                self.def_abis.insert(Def::Group(g, i), a);
            }
        }
        for (f, set) in spec.flags.iter().enumerate() {
            for (i, b) in set.bits.iter().enumerate() {
                let what = format!("`{}`", *b.name);
                let a = self.arch_in(&b.arch, &what, self.flag_abis[f], "its flag set");
                self.def_abis.insert(Def::Flag(f, i), a);
            }
        }
        for (e, en) in spec.enums.iter().enumerate() {
            for (i, v) in en.values.iter().enumerate() {
                let what = format!("`{}`", *v.name);
                let a = self.arch_in(&v.arch, &what, self.enum_abis[e], "its enum");
                self.def_abis.insert(Def::Enum(e, i), a);
            }
        }
    }

    /// The ABIs an `arch` list names, within the spec's; the spec's without a list.
    pub(super) fn arch_set(&mut self, arch: &Option<Sp<Vec<Sp<String>>>>, what: &str) -> AbiSet {
        self.arch_in(arch, what, self.abis, "the spec")
    }

    /// The ABIs an `arch` list names, within `outer` (those of `outer_what`); `outer`
    /// without a list.
    pub(super) fn arch_in(
        &mut self,
        arch: &Option<Sp<Vec<Sp<String>>>>,
        what: &str,
        outer: AbiSet,
        outer_what: &str,
    ) -> AbiSet {
        let Some(list) = arch else {
            return outer;
        };
        if list.is_empty() {
            self.diags
                .error(
                    Code::Arch,
                    list.span,
                    format!("the `arch` list of {what} is empty"),
                )
                .hint = Some(format!(
                "name the architectures (`arch: [x86, arm64]`), or leave `arch` out for all of {outer_what}'s"
            ));
            return outer;
        }
        let mut set = AbiSet::EMPTY;
        for a in list.iter() {
            match AbiSet::named(a) {
                Some(s) => set = set | s,
                None => {
                    let best = AbiSet::names()
                        .map(|n| (edit_distance(&a.to_ascii_lowercase(), n), n))
                        .filter(|(d, _)| *d <= 2 && *d < a.len())
                        .min();
                    let names: Vec<&str> = crate::abi::ARCHES.iter().map(|a| a.name).collect();
                    self.diags
                        .error(
                            Code::Arch,
                            a.span,
                            format!("`{}` is not an architecture uapigen knows", **a),
                        )
                        .hint = Some(match best {
                        Some((_, n)) => format!("did you mean `{n}`?"),
                        None => format!(
                            "use the kernel's names ({}) or an ABI's (`x86_64`, `aarch64`, ...)",
                            names.join(", ")
                        ),
                    });
                }
            }
        }
        if !set.within(outer) {
            self.diags
                .error(
                    Code::Arch,
                    list.span,
                    format!(
                        "{what} is for {}, which {outer_what} is not for (its `arch` gives {})",
                        (set & AbiSet::ALL & !outer).describe(),
                        outer.describe()
                    ),
                )
                .hint = Some(format!(
                "an `arch` narrows that of {outer_what}; add the architecture there"
            ));
        }
        let set = set & outer;
        if set.is_empty() { outer } else { set }
    }

    /// The named type `name` as the current item sees it: of its declarations (one per
    /// architecture set), the one that exists on every ABI of the item. While an ioctl's
    /// `arg` is resolved ([`Self::split`]), every declaration the ioctl's ABIs overlap is
    /// recorded, and the first is returned. `None` when the spec declares no such type.
    pub(super) fn lookup_type(&mut self, name: &str, span: Span) -> Option<TypeId> {
        let ids = self.type_ids.get(name)?.clone();
        if let Some(split) = &mut self.split {
            let hit: Vec<TypeId> = ids
                .iter()
                .copied()
                .filter(|&id| self.types[id].abis.overlaps(self.ctx))
                .collect();
            if hit.len() > 1 {
                let have = hit
                    .iter()
                    .fold(AbiSet::EMPTY, |s, &id| s | self.types[id].abis);
                split.clear();
                split.extend(&hit);
                self.check_exists(span, &format!("`{name}`"), have);
                return hit.first().copied();
            }
        }
        match ids.iter().find(|&&id| self.ctx.within(self.types[id].abis)) {
            Some(&id) => Some(id),
            None => {
                let have = ids
                    .iter()
                    .fold(AbiSet::EMPTY, |s, &id| s | self.types[id].abis);
                if self.ctx.within(have) {
                    // Declared per architecture: no one declaration is the type of this item.
                    self.diags
                        .error(
                            Code::ArchMismatch,
                            span,
                            format!(
                                "`{name}` is declared per architecture, and no one declaration exists on all of {}",
                                self.ctx.describe()
                            ),
                        )
                        .hint = Some(format!(
                        "declare this item once per architecture of `{name}` (each with its `arch`), or limit it to one of them"
                    ));
                } else {
                    self.check_exists(span, &format!("`{name}`"), have);
                }
                ids.first().copied()
            }
        }
    }

    /// Whether `def`, a later definition of `name` than `prev`, declares the name for other
    /// architectures: both integer constants with `arch` lists, and this one's ABIs overlap
    /// none of the name's declarations so far (then it is recorded as one of them).
    pub(super) fn arch_variant(&mut self, name: &str, prev: Def, def: Def) -> bool {
        let (Def::Const(a), Def::Const(b)) = (prev, def) else {
            return false;
        };
        let spec = self.spec;
        let own = |i: usize| spec.constants[i].arch.is_some() && spec.constants[i].value.is_some();
        if !own(a) || !own(b) {
            return false;
        }
        let abis = |d: &Def| self.def_abis.get(d).copied().unwrap_or(AbiSet::EMPTY);
        let known = self
            .arch_values
            .get(name)
            .cloned()
            .unwrap_or_else(|| vec![prev]);
        if known.iter().any(|d| abis(d).overlaps(abis(&def))) {
            return false;
        }
        let list = self.arch_values.entry(name.to_owned()).or_insert(known);
        list.push(def);
        true
    }

    /// The definition of `name` an expression of the current item refers to: for a constant
    /// declared per architecture, the declaration that exists on all of the item's ABIs
    /// (an error when none does: the item must then be declared per architecture too).
    pub(super) fn value_on(&self, name: &str) -> Result<Option<Def>, String> {
        let Some(list) = self.arch_values.get(name) else {
            return Ok(self.values.get(name).map(|v| v.0));
        };
        let abis = |d: &Def| self.def_abis.get(d).copied().unwrap_or(AbiSet::EMPTY);
        if let Some(d) = list.iter().find(|d| self.ctx.within(abis(d))) {
            return Ok(Some(*d));
        }
        let all = list.iter().fold(AbiSet::EMPTY, |acc, d| acc | abis(d));
        if !self.ctx.within(all) {
            // Reported as a name that does not exist on some of the item's ABIs.
            return Ok(list.first().copied());
        }
        Err(format!(
            "`{name}` is declared per architecture, and no one declaration exists on all of {}",
            self.ctx.describe()
        ))
    }

    /// The ABIs a name exists on: all of its declarations'.
    pub(super) fn value_abis(&self, name: &str, def: Def) -> Option<AbiSet> {
        match self.arch_values.get(name) {
            Some(list) => Some(list.iter().fold(AbiSet::EMPTY, |acc, d| {
                acc | self.def_abis.get(d).copied().unwrap_or(AbiSet::EMPTY)
            })),
            None => self.def_abis.get(&def).copied(),
        }
    }

    /// Register a named type under its C name.
    pub(super) fn add_type_id(&mut self, name: &str, id: TypeId) {
        let ids = self.type_ids.entry(name.to_owned()).or_default();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }

    /// Report a reference from the current item to `what`, which exists on `have` only.
    pub(super) fn check_exists(&mut self, span: Span, what: &str, have: AbiSet) -> bool {
        if self.ctx.within(have) {
            return true;
        }
        let missing = AbiSet::ALL & self.ctx & !have;
        self.diags
            .error(
                Code::ArchMismatch,
                span,
                format!("{what} does not exist on {}", missing.describe()),
            )
            .hint = Some(format!(
            "limit this item with `arch:` to where {what} exists ({}), or make {what} exist on the others too",
            have.describe()
        ));
        false
    }
}
