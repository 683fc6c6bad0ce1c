//! Facts derived once from the laid-out IR, asked by every emitter and computed by none:
//! what each type contains transitively (a pointer, a union, padding on an ABI that Rust
//! compiles for, which decides the byte-safety traits it derives), which structs have
//! reserved fields, which are validated, which payload structs can be encoded, and the
//! resolved type of every payload variant.

use crate::ir::{Module, Payload, PayloadKind, PayloadVariant, Ty, TypeId};
use crate::layout::Layout;
use crate::spec::Kind;

/// What a type contains, transitively: decides which traits can be derived.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Traits {
    /// A pointer somewhere in it (not every bit pattern is valid, no `FromBytes`).
    pub pointer: bool,
    /// A union somewhere in it (or it is one).
    pub union: bool,
    /// Padding on some ABI that Rust compiles for (no `AsBytes`).
    pub padding: bool,
}

impl Traits {
    fn join(&mut self, other: Traits) {
        self.pointer |= other.pointer;
        self.union |= other.union;
        self.padding |= other.padding;
    }
}

/// A C-name alias the Rust module can define (with the `c-names` option): the C name as
/// Rust spells it, and what it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CAlias {
    /// The alias, e.g. `VFIO_IOMMU_MAP_DMA` or `r#match`.
    pub alias: String,
    pub target: AliasTarget,
}

/// What a C-name alias stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AliasTarget {
    Constant(usize),
    /// Value `.1` of group `.0`.
    GroupValue(usize, usize),
    /// Enumerator `.1` of enum `.0`.
    Enumerator(usize, usize),
    /// Bit `.1` of flag set `.0`.
    Flag(usize, usize),
    Ioctl(usize),
    Type(TypeId),
}

/// The facts of one spec, indexed like [`Module::types`].
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// The C-name aliases that can be made, in the order they are printed.
    pub aliases: Vec<CAlias>,
    traits: Vec<Traits>,
    reserved: Vec<bool>,
    validated: Vec<bool>,
    encodable: Vec<bool>,
    /// Per ioctl: the members of its argument that hand the kernel a user address the
    /// caller provides (see [`Facts::user_addresses`]).
    addresses: Vec<Vec<String>>,
    /// Per type: the ioctls whose argument it is (see [`Facts::argument_of`]).
    arg_of: Vec<Vec<usize>>,
}

impl Facts {
    /// Derive the facts of `m` from its layouts (one per ABI). Linear in the size of the
    /// spec: each type is visited once, its fields once.
    pub fn derive(m: &Module, layouts: &[Layout]) -> Facts {
        let own: Vec<Traits> = (0..m.types.len())
            .map(|id| own_traits(m, layouts, id))
            .collect();
        // Post-order over the "embeds" graph (acyclic: the resolver rejects cycles), with an
        // explicit stack so that a long chain of structs cannot overflow the thread's stack.
        let mut done: Vec<Option<Traits>> = vec![None; m.types.len()];
        for root in 0..m.types.len() {
            if done[root].is_some() {
                continue;
            }
            let mut stack = vec![(root, false)];
            while let Some((id, expanded)) = stack.pop() {
                if done[id].is_some() {
                    continue;
                }
                if expanded {
                    let mut t = own[id];
                    let is_union = m.types[id].kind == Kind::Union;
                    for inner in embedded(m, id) {
                        // Every embedded type was finished before `id` was popped again;
                        // a cycle (rejected earlier) would only lose its own contribution.
                        if let Some(mut i) = done[inner] {
                            // A union is stored as bytes, every one initialised: a member's
                            // padding is not the union's (its own tail padding is, above).
                            if is_union {
                                i.padding = false;
                            }
                            t.join(i);
                        }
                    }
                    done[id] = Some(t);
                } else {
                    stack.push((id, true));
                    for inner in embedded(m, id) {
                        if done[inner].is_none() {
                            stack.push((inner, false));
                        }
                    }
                }
            }
        }
        let mut facts = Facts {
            traits: done.into_iter().map(Option::unwrap_or_default).collect(),
            ..Facts::default()
        };
        facts.reserved = (0..m.types.len()).map(|id| has_reserved(m, id)).collect();
        facts.validated = (0..m.types.len())
            .map(|id| {
                let t = &m.types[id];
                t.parent.is_none() && t.origin.is_none() && facts.has_checks(m, id)
            })
            .collect();
        facts.encodable = (0..m.types.len())
            .map(|id| facts.derive_encodable(m, id))
            .collect();
        facts.aliases = c_aliases(m);
        facts.addresses = m
            .ioctls
            .iter()
            .map(|io| ioctl_addresses(m, &facts, io))
            .collect();
        facts.arg_of = vec![Vec::new(); m.types.len()];
        for (i, io) in m.ioctls.iter().enumerate() {
            if let Some(Ty::Named(id)) = &io.arg
                && let Some(list) = facts.arg_of.get_mut(*id)
            {
                list.push(i);
            }
        }
        facts
    }

    /// The ioctls (indices) whose argument is type `id`, in spec order: one pass over the
    /// ioctls for all types, so that the docs' links stay linear.
    pub fn argument_of(&self, id: TypeId) -> &[usize] {
        self.arg_of.get(id).map_or(&[], Vec::as_slice)
    }

    /// The members of ioctl `i`'s argument (paths such as `userspace_addr`, or
    /// `payload Bind: addr` for a payload variant's) that hand the kernel a user address the
    /// caller provides: `user-address` fields and pointer members, but not the pointer a
    /// payload wrapper fills from a borrow. Its wrapper is `unsafe` when there are any.
    pub fn user_addresses(&self, i: usize) -> &[String] {
        self.addresses.get(i).map_or(&[], Vec::as_slice)
    }

    /// Whether a payload struct can be encoded: every header field (but the payload itself)
    /// and every variant type implement `AsBytes`.
    fn derive_encodable(&self, m: &Module, id: TypeId) -> bool {
        let t = &m.types[id];
        let Some(p) = &t.payload else { return false };
        let data = match p.kind {
            PayloadKind::Trailing { data, .. } | PayloadKind::Union { data } => Some(data),
            _ => None,
        };
        let header_ok = t
            .fields
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != data)
            .all(|(_, f)| self.into_bytes(&f.ty));
        let variants_ok = p
            .variants
            .iter()
            .all(|v| variant_ty(m, id, p, v).is_none_or(|ty| self.into_bytes(ty)));
        header_ok && variants_ok
    }

    /// Whether a struct has reserved fields that must be zero (a reserved member of a union
    /// overlaps the others and cannot be checked on its own; a flexible one has no size).
    pub fn has_reserved(&self, id: TypeId) -> bool {
        self.reserved.get(id).copied().unwrap_or(false)
    }

    /// Whether a type has checks of its own (it is extensible, carries a payload, has
    /// reserved fields or `rules`), wherever it is defined: a payload that holds it runs them.
    pub fn has_checks(&self, m: &Module, id: TypeId) -> bool {
        m.types[id].extensible.is_some()
            || m.types[id].payload.is_some()
            || self.has_reserved(id)
            || !m.types[id].rules.is_empty()
    }

    /// Whether a type gets a validator (`validate` in Rust, `<name>_validate` in C): a named
    /// type of this spec that is extensible, carries a payload or has reserved fields.
    pub fn validated(&self, id: TypeId) -> bool {
        self.validated.get(id).copied().unwrap_or(false)
    }

    /// Whether a payload struct can be encoded from Rust values (see `derive_encodable`).
    pub fn encodable(&self, id: TypeId) -> bool {
        self.encodable.get(id).copied().unwrap_or(false)
    }

    /// What a named type contains, transitively.
    pub fn traits(&self, id: TypeId) -> Traits {
        self.traits.get(id).copied().unwrap_or_default()
    }

    /// Whether a type can implement `AsBytes` (no pointer, no padding on any Rust ABI).
    pub fn into_bytes(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Scalar(_) => true,
            Ty::Ptr(_) | Ty::Void => false,
            Ty::Array(e, ..) | Ty::Flex(e) | Ty::Const(e) => self.into_bytes(e),
            Ty::Named(id) => {
                let t = self.traits(*id);
                !t.pointer && !t.padding
            }
        }
    }

    /// Whether a type can derive `FromBytes` (no pointer anywhere in it).
    pub fn from_bytes(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Scalar(_) => true,
            Ty::Ptr(_) | Ty::Void => false,
            Ty::Array(e, ..) | Ty::Flex(e) | Ty::Const(e) => self.from_bytes(e),
            Ty::Named(id) => !self.traits(*id).pointer,
        }
    }
}

/// The facts of a type itself, before those of the types it embeds are added.
fn own_traits(m: &Module, layouts: &[Layout], id: TypeId) -> Traits {
    let t = &m.types[id];
    let is_union = t.kind == Kind::Union;
    Traits {
        union: is_union,
        // Padding on any ABI that Rust compiles for (and the type exists on) breaks
        // `AsBytes` there.
        padding: layouts
            .iter()
            .enumerate()
            .filter(|(abi, l)| l.abi.rust_cfg.is_some() && t.abis.contains(*abi))
            .map(|(_, l)| l)
            .any(|l| {
                let tl = &l.types[id];
                !tl.holes.is_empty()
                    // A union (stored as bytes) pads only when no member fills it.
                    || (is_union
                        && t.fields
                            .iter()
                            .map(|f| crate::layout::type_size(l, &f.ty))
                            .max()
                            != Some(tl.size))
            }),
        pointer: t
            .fields
            .iter()
            .any(|f| matches!(f.ty.element(), Ty::Ptr(_))),
    }
}

/// The named types a type embeds directly (through arrays, not through pointers).
fn embedded(m: &Module, id: TypeId) -> impl Iterator<Item = TypeId> + '_ {
    m.types[id]
        .fields
        .iter()
        .filter_map(|f| match f.ty.element() {
            Ty::Named(inner) => Some(*inner),
            _ => None,
        })
}

/// Whether a struct has reserved fields that must be zero.
fn has_reserved(m: &Module, id: TypeId) -> bool {
    m.types[id].kind == Kind::Struct
        && m.types[id]
            .fields
            .iter()
            .any(|f| f.reserved && !matches!(f.ty, Ty::Flex(_)))
}

/// The type a payload variant carries: the union member's type for a union payload, the
/// variant's own type otherwise (`None`: the variant carries nothing).
pub fn variant_ty<'m>(
    m: &'m Module,
    id: TypeId,
    p: &'m Payload,
    v: &'m PayloadVariant,
) -> Option<&'m Ty> {
    match (&p.kind, v.member) {
        (PayloadKind::Union { data }, Some(mi)) => match &m.types[id].fields[*data].ty {
            Ty::Named(u) => m.types[*u].fields.get(mi).map(|f| &f.ty),
            _ => None,
        },
        _ => v.ty.as_ref(),
    }
}

/// The C-name aliases of a module: every C name that differs from its item's Rust name,
/// spelled as Rust allows (raw for a keyword), unless it cannot name a Rust item (`self`,
/// `crate`, underscores only), would shadow a primitive type (`u32`) or a prelude name the
/// generated code uses (`Ok`, `Option`), is a lowercase constant, or would take a name the
/// module already uses in that namespace (a wrapper function, another item, an earlier
/// alias).
fn c_aliases(m: &Module) -> Vec<CAlias> {
    use std::collections::BTreeSet;
    let prelude = crate::names::RUST_PRELUDE_USED
        .iter()
        .map(|p| (*p).to_owned());
    let mut values: BTreeSet<String> = prelude.clone().collect();
    let mut types: BTreeSet<String> = crate::names::RUST_PRIMITIVES
        .iter()
        .map(|p| (*p).to_owned())
        .chain(prelude)
        .collect();
    for c in &m.constants {
        values.insert(c.rust_name.clone());
    }
    for v in m.groups.iter().flat_map(|g| &g.values) {
        values.insert(v.rust_name.clone());
    }
    for v in m.enums.iter().flat_map(|e| &e.values) {
        values.insert(v.rust_name.clone());
    }
    for io in &m.ioctls {
        values.insert(io.rust_name.clone());
        values.insert(crate::names::wrapper_name(&io.rust_name));
    }
    for t in &m.types {
        types.insert(t.rust_name.clone());
        if let Some(p) = &t.payload {
            types.insert(p.rust_name.clone());
        }
        if let Some(c) = &t.caps {
            types.insert(c.rust_name.clone());
            types.insert(format!("{}Iter", c.rust_name));
        }
    }
    for f in &m.flag_sets {
        // A bitflags type is a tuple struct: its name is a value (the constructor) too.
        types.insert(f.rust_name.clone());
        values.insert(f.rust_name.clone());
    }
    // The typedefs' aliases, and the per-target aliases of the kernel's and C99's types
    // (`__le32`, `size_t`) that the module may define (a struct named `size_t` keeps
    // `SizeT` only).
    types.extend(m.typedefs.iter().map(|t| t.rust_name.clone()));
    types.extend(
        crate::ctypes::KERNEL_TYPES
            .iter()
            .map(|k| k.name.to_owned()),
    );
    let mut out = Vec::new();
    // The C name each alias was made for: a struct or ioctl declared once per architecture
    // gets its alias on each (the declarations exist on different targets).
    let mut made_for: std::collections::BTreeMap<String, String> = Default::default();
    let mut add = |taken: &mut BTreeSet<String>, c: &str, rust: &str, target: AliasTarget| {
        // A lowercase constant would capture the generated code's variables (`let r = ..`
        // becomes a pattern against it).
        let lowercase_value =
            !matches!(target, AliasTarget::Type(_)) && !c.chars().any(|ch| ch.is_ascii_uppercase());
        if c == rust.trim_start_matches("r#") || lowercase_value {
            return;
        }
        if let Some(alias) = crate::names::as_rust_name(c) {
            let key = alias.trim_start_matches("r#").to_owned();
            let again = made_for.get(&key).is_some_and(|first| first == c);
            if taken.insert(key.clone()) || again {
                made_for.insert(key, c.to_owned());
                out.push(CAlias { alias, target });
            }
        }
    };
    // Raw and plain spellings name the same item: the sets hold plain spellings.
    let plain = |set: &BTreeSet<String>| -> BTreeSet<String> {
        set.iter()
            .map(|s| s.trim_start_matches("r#").to_owned())
            .collect()
    };
    let mut values = plain(&values);
    let mut types = plain(&types);
    for (i, c) in m.constants.iter().enumerate() {
        if matches!(c.value, crate::ir::ConstValue::Int(_)) {
            add(
                &mut values,
                &c.c_name,
                &c.rust_name,
                AliasTarget::Constant(i),
            );
        }
    }
    for (g, group) in m.groups.iter().enumerate() {
        for (i, v) in group.values.iter().enumerate() {
            add(
                &mut values,
                &v.c_name,
                &v.rust_name,
                AliasTarget::GroupValue(g, i),
            );
        }
    }
    for (e, en) in m.enums.iter().enumerate() {
        for (i, v) in en.values.iter().enumerate() {
            add(
                &mut values,
                &v.c_name,
                &v.rust_name,
                AliasTarget::Enumerator(e, i),
            );
        }
    }
    for (f, set) in m.flag_sets.iter().enumerate() {
        for (i, b) in set.bits.iter().enumerate() {
            // A flag's Rust name is a member of its set; the alias is a module constant.
            add(&mut values, &b.c_name, "", AliasTarget::Flag(f, i));
        }
    }
    for (i, io) in m.ioctls.iter().enumerate() {
        add(
            &mut values,
            &io.c_name,
            &io.rust_name,
            AliasTarget::Ioctl(i),
        );
    }
    for (id, t) in m.named_types() {
        if let Some(c) = &t.c_name {
            add(&mut types, c, &t.rust_name, AliasTarget::Type(id));
        }
    }
    out
}

/// See [`Facts::user_addresses`].
fn ioctl_addresses(m: &Module, facts: &Facts, io: &crate::ir::Ioctl) -> Vec<String> {
    let mut out = Vec::new();
    let Some(arg) = &io.arg else {
        return out;
    };
    if io.pass == crate::spec::Pass::Value {
        return out;
    }
    // The argument is itself a pointer (`_IOW(.., .., void *)`): the kernel takes the address.
    if matches!(arg.element(), Ty::Ptr(_)) {
        out.push("arg".to_owned());
        return out;
    }
    let Ty::Named(id) = arg.element() else {
        return out;
    };
    // The payload wrapper takes the header and typed data and points the header's pointer
    // at that data itself.
    let filled = m.types[*id]
        .payload
        .as_ref()
        .filter(|_| m.origin(*id).is_none() && facts.encodable(*id))
        .and_then(|p| match p.kind {
            PayloadKind::Pointer { pointer, .. } | PayloadKind::Entries { pointer, .. } => {
                Some(pointer)
            }
            _ => None,
        });
    let mut seen = vec![false; m.types.len()];
    address_fields(m, *id, "", filled, &mut seen, &mut out);
    if let Some(p) = &m.types[*id].payload {
        for v in &p.variants {
            if let Some(Ty::Named(vid)) = v.ty.as_ref().map(Ty::element) {
                let prefix = format!("payload {}: ", v.rust_name);
                address_fields(m, *vid, &prefix, None, &mut seen, &mut out);
            }
        }
    }
    out
}

/// The address members of type `id` and of the types it embeds, each type once.
fn address_fields(
    m: &Module,
    id: TypeId,
    prefix: &str,
    skip: Option<usize>,
    seen: &mut [bool],
    out: &mut Vec<String>,
) {
    if seen.get(id).copied().unwrap_or(true) {
        return;
    }
    seen[id] = true;
    for (i, f) in m.types[id].fields.iter().enumerate() {
        let name = f
            .c_name
            .clone()
            .unwrap_or_else(|| f.rust_name.trim_start_matches("r#").to_owned());
        let path = format!("{prefix}{name}");
        if Some(i) != skip && (f.user_address || matches!(f.ty.element(), Ty::Ptr(_))) {
            out.push(path.clone());
        }
        if let Ty::Named(inner) = f.ty.element() {
            address_fields(m, *inner, &format!("{path}."), None, seen, out);
        }
    }
}
