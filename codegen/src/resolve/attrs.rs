//! `packed` and `aligned` where they cannot apply: a packed type holding an explicitly
//! aligned one, and what a packed member (`__u64 b __attribute__((packed))`) may be.

use super::Resolver;
use crate::ctypes::CInt;
use crate::diag::Code;
use crate::ir::*;
use crate::spec::{self, Kind};

impl Resolver<'_> {
    /// `aligned: N` and `packed` on a plain member: the member's alignment (when valid) and
    /// whether it is packed. Either is refused on a member of a union, and both on one member.
    pub(super) fn member_attrs(&mut self, f: &spec::Field, kind: Kind) -> (Option<u64>, bool) {
        let union = kind == Kind::Union;
        match (f.packed, &f.aligned) {
            (true, Some(a)) => {
                self.diags
                    .error(
                        Code::Attribute,
                        a.span,
                        "`packed` together with `aligned` on one member is not supported",
                    )
                    .hint = Some(
                    "keep one of them: `packed` places the member at alignment 1, `aligned: N` at a multiple of N".into(),
                );
                (None, false)
            }
            (true, None) if union => {
                self.diags
                    .error(
                        Code::Attribute,
                        f.ty.span,
                        "`packed` on a member of a union is not supported",
                    )
                    .hint = Some("put `packed` on the union itself".into());
                (None, false)
            }
            (true, None) => (None, true),
            (false, Some(a)) if union => {
                self.diags
                    .error(
                        Code::Attribute,
                        a.span,
                        "`aligned` on a member of a union is not supported",
                    )
                    .hint = Some("put `aligned` on the union itself".into());
                (None, false)
            }
            (false, Some(_)) => (self.type_attrs(false, &f.aligned), false),
            (false, None) => (None, false),
        }
    }

    /// `bits: N` of a member: its width, when the member can be a bit-field here. Real ioctl
    /// headers use named bit-fields of integer types in plain structs (`__u32 type : 24`,
    /// `unsigned int reset : 1`, `__u64 disabled : 1`); the rest is refused.
    pub(super) fn bits_of(
        &mut self,
        f: &spec::Field,
        ty: &Ty,
        kind: Kind,
        owner: TypeId,
    ) -> Option<u32> {
        let b = f.bits.as_ref()?;
        let refuse = |this: &mut Self, why: String, hint: &str| {
            this.diags.error(Code::Attribute, b.span, why).hint = Some(hint.into());
            None
        };
        if kind != Kind::Struct {
            return refuse(
                self,
                "a bit-field in a union is not supported".into(),
                "use a plain integer member and mask it",
            );
        }
        if self.types[owner].packed
            || self.types[owner].aligned.is_some()
            || f.packed
            || f.aligned.is_some()
        {
            return refuse(self, "a bit-field in a packed or explicitly aligned struct, or with `packed`/`aligned`, is not supported".into(), "no ioctl header needs it; use plain integer members");
        }
        if f.name.is_none() {
            return refuse(
                self,
                "an unnamed bit-field is not supported".into(),
                "name it (`reserved`, `pad`): C places named and unnamed ones alike, and a name lets user space set it to zero",
            );
        }
        let scalar = match ty {
            Ty::Scalar(s @ (Scalar::Int(_) | Scalar::C(_))) => *s,
            _ => {
                return refuse(
                    self,
                    "`bits` needs an integer type (`u32`, `unsigned int`, ...)".into(),
                    "a bit-field is of an integer type of the kernel's or of C's",
                );
            }
        };
        if matches!(scalar, Scalar::C(CInt::Int128 | CInt::UInt128)) {
            return refuse(
                self,
                "a bit-field of a 128-bit type is not supported".into(),
                "use a 64-bit type",
            );
        }
        if matches!(scalar, Scalar::C(CInt::Char)) {
            return refuse(self, "a bit-field of plain `char`, signed on some ABIs and unsigned on others, is not supported".into(), "use `signed char`, `unsigned char`, `s8` or `u8`");
        }
        // The narrowest the type is on the struct's ABIs.
        let abis = self.types[owner].abis;
        let bytes = crate::abi::ABIS
            .iter()
            .enumerate()
            .filter(|(i, _)| abis.contains(*i))
            .map(|(_, a)| scalar.size_align(a).0)
            .min()
            .unwrap_or(0);
        if b.value == 0 || u64::from(b.value) > 8 * bytes {
            return refuse(
                self,
                format!(
                    "`bits: {}` does not fit the type: it holds 1 to {} bits",
                    b.value,
                    8 * bytes
                ),
                "a width of zero (C's `:0`) is not supported; give a width the type holds on every ABI",
            );
        }
        let others = [
            (f.flags.is_some(), "flags"),
            (f.values.is_some(), "values"),
            (f.reserved, "reserved"),
            (f.since.is_some(), "since"),
            (f.flag.is_some(), "flag"),
            (f.user_address, "user-address"),
            (f.count.is_some(), "count"),
        ];
        if let Some((_, key)) = others.iter().find(|(on, _)| *on) {
            return refuse(
                self,
                format!("`{key}` on a bit-field is not supported"),
                "the typed accessors and the validators read whole members; keep the key on a plain member",
            );
        }
        Some(b.value)
    }

    /// The first explicitly aligned type (`aligned_u64`, `aligned_s64`, a type with
    /// `aligned: N` or a member with it) in `tys`, at any depth outside pointers.
    fn explicitly_aligned(&self, tys: Vec<&Ty>) -> Option<String> {
        let mut seen = vec![false; self.types.len()];
        let mut stack = tys;
        while let Some(t) = stack.pop() {
            match t {
                Ty::Scalar(Scalar::Aligned(i)) => {
                    return Some(format!("aligned_{}", i.spec_name()));
                }
                Ty::Array(e, ..) | Ty::Flex(e) => stack.push(e),
                Ty::Named(n) if self.types[*n].aligned.is_some() => {
                    return Some(self.types[*n].display_name_lite());
                }
                Ty::Named(n) if !seen[*n] => {
                    seen[*n] = true;
                    if let Some(a) = self.types[*n].fields.iter().find_map(|f| f.aligned) {
                        return Some(format!("a member aligned to {a}"));
                    }
                    stack.extend(self.types[*n].fields.iter().map(|f| &f.ty));
                }
                _ => {}
            }
        }
        None
    }

    /// A packed type may not hold (outside pointers, at any depth) an `aligned_u64`,
    /// `aligned_s64` or `aligned(N)` type: C keeps an aligned scalar's alignment inside a
    /// packed struct, and Rust refuses `repr(align)` inside `repr(packed)` (E0588). A packed
    /// member, which Rust holds in `uapigen_runtime::Packed<T>` (a `repr(C, packed)`
    /// wrapper), may not either, and may not be a pointer or end in a flexible array.
    pub(super) fn check_packed(&mut self) {
        let mut errors = Vec::new();
        for id in 0..self.types.len() {
            let t = &self.types[id];
            if t.packed {
                let found = t
                    .fields
                    .iter()
                    .find_map(|f| f.aligned.map(|a| format!("a member aligned to {a}")))
                    .or_else(|| self.explicitly_aligned(t.fields.iter().map(|f| &f.ty).collect()));
                if let Some(what) = found {
                    let name = t.display_name_lite();
                    errors.push((
                        t.span,
                        format!("packed {name} holds `{what}`, an explicitly aligned type: C keeps its alignment inside a packed type, and Rust cannot put `repr(align)` inside `repr(packed)`"),
                        "use plain `u64`/`s64` members in a packed type (the kernel's packed uapi structs do), or drop `packed`".to_owned(),
                    ));
                }
            }
            for f in t.fields.iter().filter(|f| f.packed) {
                let member = format!(
                    "{}.{}",
                    t.display_name_lite(),
                    f.c_name.as_deref().unwrap_or("")
                );
                if matches!(f.ty.element(), Ty::Ptr(_)) {
                    errors.push((
                        f.span,
                        format!("packed member `{member}` is a pointer"),
                        "carry user pointers as `u64`, or drop `packed`".to_owned(),
                    ));
                } else if self.has_flex(&f.ty) {
                    errors.push((
                        f.span,
                        format!("packed member `{member}` is or ends in a flexible array"),
                        "drop `packed`: a flexible array has no size to pack".to_owned(),
                    ));
                } else if let Some(what) = self.explicitly_aligned(vec![&f.ty]) {
                    errors.push((
                        f.span,
                        format!("packed member `{member}` holds `{what}`, an explicitly aligned type: Rust cannot put `repr(align)` inside `repr(packed)`"),
                        "use plain `u64`/`s64` in it, or drop `packed`".to_owned(),
                    ));
                }
            }
        }
        for (span, msg, hint) in errors {
            self.diags.error(Code::Attribute, span, msg).hint = Some(hint);
        }
    }

    /// A packed member cannot have a role in the generated checks and accessors (flags,
    /// values, a size field, a payload's tag, data, count or length, a capability chain's
    /// fields): they read the field in place, as its own type.
    pub(super) fn check_packed_roles(&mut self) {
        let mut errors = Vec::new();
        for t in &self.types {
            let mut roles: Vec<(usize, &str)> = Vec::new();
            for (i, f) in t.fields.iter().enumerate() {
                if f.flags.is_some() {
                    roles.push((i, "a flags field"));
                }
                if f.group.is_some() {
                    roles.push((i, "a field of a value group"));
                }
            }
            if let Some(e) = &t.extensible {
                roles.push((e.size_field, "the size field"));
            }
            if let Some(p) = &t.payload {
                roles.push((p.tag_field, "the payload's tag"));
                match p.kind {
                    PayloadKind::Trailing { data, count } => {
                        roles.push((data, "the payload's data"));
                        roles.extend(count.map(|c| (c, "the payload's count")));
                    }
                    PayloadKind::Union { data } => roles.push((data, "the payload's data")),
                    PayloadKind::Pointer { pointer, length } => {
                        roles.push((pointer, "the payload's pointer"));
                        roles.push((length, "the payload's length"));
                    }
                    PayloadKind::Entries {
                        pointer,
                        entry_len,
                        entry_num,
                    } => {
                        roles.push((pointer, "the payload's pointer"));
                        roles.push((entry_len, "the payload's entry length"));
                        roles.push((entry_num, "the payload's entry count"));
                    }
                }
            }
            let mut caps_header = Vec::new();
            if let Some(c) = &t.caps {
                roles.push((c.offset_field, "the capability chain's offset"));
                caps_header.push((c.header, c.id_field, "a capability's id"));
                caps_header.push((c.header, c.version_field, "a capability's version"));
                caps_header.push((c.header, c.next_field, "a capability's next offset"));
            }
            let own = roles.into_iter().map(|(i, r)| (t, i, r));
            let header = caps_header
                .into_iter()
                .map(|(h, i, r)| (&self.types[h], i, r));
            for (owner, i, role) in own.chain(header) {
                if let Some(f) = owner.fields.get(i).filter(|f| f.packed) {
                    errors.push((
                        f.span,
                        format!(
                            "packed member `{}.{}` is {role}: the generated checks and accessors read it as its own type, in place",
                            owner.display_name_lite(),
                            f.c_name.as_deref().unwrap_or("")
                        ),
                    ));
                }
            }
        }
        for (span, msg) in errors {
            self.diags.error(Code::Attribute, span, msg).hint = Some(
                "drop `packed` from it (keep such fields naturally aligned), or pack the whole struct".into(),
            );
        }
    }
}
