//! Names and types of the specs a spec `uses`: their values become known names (already
//! evaluated), and their types are copied in on first reference, marked with their origin
//! so that emitters refer to them instead of defining them again. Also the `includes` of
//! system kernel headers that are not specs, checked as paths.

use std::collections::HashMap;

use super::{Def, MAX_NAME_LEN, Resolver, State, header_path_ok};
use crate::abi::AbiSet;
use crate::diag::Code;
use crate::expr::CValue;
use crate::ir::{ConstValue, Module, Ty, TypeId};

impl<'a> Resolver<'a> {
    /// Make the values of used specs known by name.
    pub(super) fn register_imports(&mut self) {
        let imports = self.imports;
        for m in imports {
            // C values and types as the used spec's header defines them; `None`: an
            // enumerator of an enum wider than `int`, which C23 and C++ do not type as `int`.
            // With the ABIs each exists on: what refers to it must exist on no others.
            let mut vals: Vec<(String, Option<CValue>, AbiSet)> = Vec::new();
            for c in &m.constants {
                if let ConstValue::Int(v) = &c.value {
                    vals.push((c.c_name.clone(), Some(v.c), c.abis));
                }
            }
            for g in &m.groups {
                vals.extend(
                    g.values
                        .iter()
                        .map(|v| (v.c_name.clone(), Some(v.value.c), v.abis)),
                );
            }
            for f in &m.flag_sets {
                vals.extend(
                    f.bits
                        .iter()
                        .map(|v| (v.c_name.clone(), Some(v.value.c), v.abis)),
                );
            }
            for e in &m.enums {
                let int = e.is_int();
                vals.extend(
                    e.values
                        .iter()
                        .map(|v| (v.c_name.clone(), int.then(|| CValue::int(v.value)), v.abis)),
                );
            }
            self.imported.extend(
                vals.iter()
                    .filter_map(|(n, c, _)| c.map(|c| (n.clone(), c))),
            );
            for (name, c, abis) in vals {
                let def = Def::Import(self.import_count);
                self.import_count += 1;
                self.def_abis.insert(def, abis);
                match c {
                    Some(c) => {
                        self.state.insert(def, State::Done(c));
                    }
                    None => {
                        self.state.insert(def, State::Failed);
                        self.untyped.insert(def);
                    }
                }
                match self.values.get(&name).copied() {
                    None => {
                        self.values
                            .insert(name, (def, crate::spec::Span::default()));
                    }
                    Some((prev, at)) => self.imported_variant(&name, prev, at, def, &m.name),
                }
            }
        }
    }

    /// E0101 for a value of this spec that a used spec defines too; unless this one is a
    /// constant with its own `arch`, which may declare the name for other architectures
    /// than the used spec does (`O_CLOEXEC` of `asm/fcntl.h` on alpha, of
    /// `asm-generic/fcntl.h` elsewhere): [`Self::imported_variant`] decides.
    pub(super) fn check_not_imported(&mut self, name: &crate::spec::Sp<String>, def: Def) {
        let own_arch = matches!(def, Def::Const(i) if self.spec.constants[i].arch.is_some());
        if let Some(other) = self.imported_by(name).filter(|_| !own_arch) {
            let other = other.to_owned();
            self.already_imported(name, name.span, &other);
        }
    }

    /// The used spec that defines a struct or union `name` on some of `abis`.
    pub(super) fn imported_type_on(&self, name: &str, abis: AbiSet) -> Option<String> {
        self.imports.iter().find_map(|m| {
            m.types
                .iter()
                .any(|t| {
                    t.parent.is_none() && t.c_name.as_deref() == Some(name) && t.abis.overlaps(abis)
                })
                .then(|| m.name.clone())
        })
    }

    pub(super) fn already_imported(&mut self, name: &str, span: crate::spec::Span, other: &str) {
        self.diags
            .error(
                Code::DuplicateName,
                span,
                format!("`{name}` is already defined by the used spec `{other}`"),
            )
            .hint = Some("use that definition, or rename this one".into());
    }

    /// A value `def` of the used spec `from` whose name is known already (`prev`, defined at
    /// `at`): another declaration of it when the ABIs do not overlap (a used spec's
    /// per-architecture constant, or this spec's constant with its own `arch`). Otherwise
    /// the first stays; a constant of this spec is then a duplicate (E0101).
    fn imported_variant(
        &mut self,
        name: &str,
        prev: Def,
        at: crate::spec::Span,
        def: Def,
        from: &str,
    ) {
        let abis = |r: &Self, d: &Def| r.def_abis.get(d).copied().unwrap_or(AbiSet::EMPTY);
        let known = self
            .arch_values
            .get(name)
            .cloned()
            .unwrap_or_else(|| vec![prev]);
        if known
            .iter()
            .any(|d| abis(self, d).overlaps(abis(self, &def)))
        {
            if matches!(prev, Def::Const(i) if self.spec.constants[i].arch.is_some()) {
                self.already_imported(name, at, from);
            }
            return;
        }
        self.arch_values
            .entry(name.to_owned())
            .or_insert(known)
            .push(def);
    }

    /// Whether a used spec has a typedef `name` (and this spec no type of that name).
    pub(super) fn has_imported_typedef(&self, name: &str) -> bool {
        !self.type_ids.contains_key(name)
            && self
                .imports
                .iter()
                .any(|m| m.typedefs.iter().any(|t| t.c_name == name))
    }

    /// A used spec's typedef `name`, referred to at `span`: the type it names (its integer
    /// type, or its struct or union, copied in). C then spells the type itself, which is
    /// the same type.
    pub(super) fn imported_typedef(&mut self, name: &str, span: crate::spec::Span) -> Option<Ty> {
        let imports = self.imports;
        let (m, t) = imports
            .iter()
            .find_map(|m| m.typedefs.iter().find(|t| t.c_name == name).map(|t| (m, t)))?;
        if !self.check_exists(span, &format!("typedef `{name}`"), t.abis) {
            return None;
        }
        match t.ty {
            crate::ir::TypedefTy::Int(s) => Some(Ty::Scalar(s)),
            crate::ir::TypedefTy::Record(id) => {
                let n = m.types[id].c_name.clone()?;
                self.import_type(&n).map(Ty::Named)
            }
        }
    }

    /// The name is defined by a used spec (for duplicate-name hints).
    pub(super) fn imported_by(&self, name: &str) -> Option<&str> {
        self.imports.iter().find_map(|m| {
            let has = m.constants.iter().any(|c| c.c_name == name)
                || m.groups
                    .iter()
                    .any(|g| g.values.iter().any(|v| v.c_name == name))
                || m.flag_sets
                    .iter()
                    .any(|f| f.bits.iter().any(|v| v.c_name == name))
                || m.enums
                    .iter()
                    .any(|e| e.values.iter().any(|v| v.c_name == name))
                || m.ioctls.iter().any(|i| i.c_name == name);
            has.then_some(m.name.as_str())
        })
    }

    /// Find a named type of a used spec and copy it (and what it embeds) in: every
    /// declaration of the name (one per architecture where the used spec declares it so).
    pub(super) fn import_type(&mut self, name: &str) -> Option<TypeId> {
        let imports = self.imports;
        for (mi, m) in imports.iter().enumerate() {
            // Its own types, and the types it copied in from the specs it uses.
            let ids: Vec<TypeId> = (0..m.types.len())
                .filter(|&id| {
                    m.types[id].parent.is_none() && m.types[id].c_name.as_deref() == Some(name)
                })
                .collect();
            if ids.is_empty() {
                continue;
            }
            let mut first = None;
            for id in ids {
                let mut memo = HashMap::new();
                let new = self.copy_type(mi, m, id, &mut memo);
                self.add_type_id(name, new);
                first.get_or_insert(new);
            }
            return first;
        }
        None
    }

    fn copy_type(
        &mut self,
        mi: usize,
        m: &Module,
        id: TypeId,
        memo: &mut HashMap<TypeId, TypeId>,
    ) -> TypeId {
        if let Some(&n) = memo.get(&id) {
            return n;
        }
        // A named type already copied (through another path) is reused: the declaration
        // of the same ABIs.
        if let Some(c) = &m.types[id].c_name
            && m.types[id].parent.is_none()
            && let Some(&existing) = self.type_ids.get(c.as_str()).and_then(|ids| {
                ids.iter().find(|&&i| {
                    self.types[i].origin.is_some() && self.types[i].abis == m.types[id].abis
                })
            })
        {
            memo.insert(id, existing);
            return existing;
        }
        let new = self.types.len();
        memo.insert(id, new);
        let mut t = m.types[id].clone();
        t.origin = Some(m.types[id].origin.clone().unwrap_or_else(|| m.name.clone()));
        t.caps = None;
        t.fields = Vec::new();
        t.parent = None;
        self.types.push(t);
        let parent = m.types[id]
            .parent
            .map(|(p, f)| (self.copy_type(mi, m, p, memo), f));
        self.types[new].parent = parent;
        let mut fields = m.types[id].fields.clone();
        for f in &mut fields {
            f.ty = self.remap(mi, m, &f.ty, memo);
            f.flags = None;
            f.group = None;
        }
        self.types[new].fields = fields;
        // Keep the payload (its variant types remapped): it says the type has a `validate`.
        if let Some(mut p) = m.types[id].payload.clone() {
            for v in &mut p.variants {
                v.ty = v.ty.as_ref().map(|t| self.remap(mi, m, t, memo));
            }
            self.types[new].payload = Some(p);
        }
        if let Some(c) = &m.types[id].c_name
            && m.types[id].parent.is_none()
        {
            self.add_type_id(c, new);
        }
        new
    }

    fn remap(&mut self, mi: usize, m: &Module, ty: &Ty, memo: &mut HashMap<TypeId, TypeId>) -> Ty {
        match ty {
            Ty::Named(id) => Ty::Named(self.copy_type(mi, m, *id, memo)),
            Ty::Ptr(t) => Ty::Ptr(Box::new(self.remap(mi, m, t, memo))),
            Ty::Array(t, n, e) => Ty::Array(Box::new(self.remap(mi, m, t, memo)), *n, e.clone()),
            Ty::Flex(t) => Ty::Flex(Box::new(self.remap(mi, m, t, memo))),
            Ty::Scalar(s) => Ty::Scalar(*s),
            Ty::Void => Ty::Void,
            Ty::Const(t) => Ty::Const(Box::new(self.remap(mi, m, t, memo))),
        }
    }

    /// The used modules another crate holds: each `uses: CRATE::NAME`, the specs that one
    /// uses (modules of the same crate), and those a used spec of this crate gets from
    /// crates itself.
    pub(super) fn crate_modules(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut add = |name: &str, path: String| {
            if seen.insert(name.to_owned()) {
                out.push((name.to_owned(), path));
            }
        };
        for u in &self.spec.uses {
            let Some((krate, name)) = u.value.split_once("::") else {
                continue;
            };
            add(
                name,
                format!("::{krate}::{}", crate::names::module_ident(name)),
            );
            if let Some(m) = self.imports.iter().find(|m| m.name == name) {
                for (n, _) in &m.uses {
                    let path = match m.crate_modules.iter().find(|(c, _)| c == n) {
                        Some((_, p)) => p.clone(),
                        None => format!("::{krate}::{}", crate::names::module_ident(n)),
                    };
                    add(n, path);
                }
            }
        }
        for m in self.imports {
            for (n, p) in &m.crate_modules {
                add(n, p.clone());
            }
        }
        out
    }

    /// Report a `uses` entry that names no given spec.
    pub(super) fn check_uses(&mut self) {
        let spec = self.spec;
        for u in &spec.uses {
            let name = u
                .value
                .rsplit_once("::")
                .map_or(u.value.as_str(), |(_, n)| n);
            if !self.imports.iter().any(|m| m.name == name) {
                self.diags
                    .error(
                        Code::Uses,
                        u.span,
                        format!("the used spec `{}` was not loaded", **u),
                    )
                    .hint = Some(format!("put `{}.yaml` next to this spec", **u));
            }
        }
    }

    /// The `includes` of the spec, each checked: a path C's `#include <...>` takes as it is
    /// and that stays below the include folders (E0506).
    pub(super) fn includes(&mut self) -> Vec<String> {
        let spec = self.spec;
        let mut out: Vec<String> = Vec::new();
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for inc in &spec.includes {
            let p = inc.as_str();
            let why = if p.len() > MAX_NAME_LEN {
                Some(format!("is {} characters long", p.len()))
            } else if p.is_empty() {
                Some("is empty".to_owned())
            } else if p.contains(['<', '>', '"', '\n', '\r']) {
                Some("holds a quote, an angle bracket or a line break, which `#include <...>` cannot carry".to_owned())
            } else if p.starts_with('/') {
                Some(
                    "is an absolute path: the compiler's include folders would not be searched"
                        .to_owned(),
                )
            } else if p.split('/').any(|part| part == "..") {
                Some("leaves the include folders through `..`".to_owned())
            } else if !p.ends_with(".h") {
                Some("does not name a `.h` header".to_owned())
            } else if !header_path_ok(p) {
                Some("is not made of folders and a file name of letters, digits, `_`, `-` and `.`, none starting with `-` or `.`".to_owned())
            } else if p == spec.header.as_str() {
                Some("is this spec's own header".to_owned())
            } else if p == "linux/types.h" || p == "linux/ioctl.h" {
                Some("is included by every generated header that needs it already".to_owned())
            } else if let Some(m) = self.imports.iter().find(|m| m.header == p) {
                Some(format!(
                    "is the header of the used spec `{}`, which `uses` includes already",
                    m.name
                ))
            } else if !seen.insert(p) {
                Some("is listed twice".to_owned())
            } else {
                None
            };
            match why {
                Some(why) => {
                    let shown: String = p
                        .chars()
                        .take(80)
                        .collect::<String>()
                        .escape_debug()
                        .to_string();
                    self.diags
                        .error(
                            Code::Include,
                            inc.span,
                            format!("the included header `{shown}` {why}"),
                        )
                        .hint = Some("write the path the way `#include <...>` names a system kernel header, e.g. `linux/virtio_ring.h`; a header that is a spec goes under `uses`".into());
                }
                None => out.push(p.to_owned()),
            }
        }
        out
    }
}
