//! Types: named types registered, fields and type strings resolved, the C declaration order.

use super::{
    MAX_NAME_LEN, MAX_SUGGESTIONS, MAX_TYPE_LEVELS, Resolver, closing_bracket, doc, edit_distance,
    find_named,
};
use crate::abi::ABIS;
use crate::ctypes::{CInt, kernel_type};
use crate::diag::Code;
use crate::expr::{self, Expr};
use crate::ir::*;
use crate::names;
use crate::rules::Rule;
use crate::spec::{self, Kind, Sp, Span};

/// The type names a spec may use without defining them, for "did you mean" hints.
const BUILTIN_TYPES: &[&str] = &[
    "u8",
    "u16",
    "u32",
    "u64",
    "s8",
    "s16",
    "s32",
    "s64",
    "char",
    "aligned_u64",
    "aligned_s64",
    "int",
    "short",
    "long",
    "unsigned",
];

impl Resolver<'_> {
    pub(super) fn register_types(&mut self) {
        let spec = self.spec;
        for s in &spec.structs {
            self.check_ident(&s.name, "struct name");
            let kind = s.kind.as_ref().map_or(Kind::Struct, |k| k.value);
            let abis = self.arch_set(&s.arch, &format!("`{}`", *s.name));
            // One name may be declared once per architecture: the sets must not overlap.
            let prev = self.type_ids.get(s.name.as_str()).and_then(|ids| {
                ids.iter()
                    .find(|&&id| self.types[id].abis.overlaps(abis))
                    .copied()
            });
            if let Some(prev) = prev {
                let p = self.types[prev].span;
                self.diags
                    .error(
                        Code::DuplicateName,
                        s.name.span,
                        format!("struct or union `{}` is defined twice", *s.name),
                    )
                    .hint = Some(format!(
                    "the first definition is at line {}:{}; one name may be declared once per architecture, with `arch` lists that do not overlap",
                    p.line, p.column
                ));
            } else if let Some(other) = self.imported_type_on(&s.name, abis) {
                // Both headers would define it where their ABIs overlap: C refuses that.
                self.already_imported(&s.name, s.name.span, &other);
            } else {
                let id = self.types.len();
                self.add_type_id(&s.name, id);
            }
            let rust_name = self.rust_or(
                &s.rust_name,
                names::type_name(&s.name, self.prefix.as_deref()),
            );
            let allow = self.allow(&s.allow);
            let aligned = self.type_attrs(s.packed, &s.aligned);
            self.types.push(TypeDef {
                c_name: Some(s.name.value.clone()),
                rust_name,
                kind,
                doc: doc(&s.doc),
                fields: Vec::new(),
                parent: None,
                origin: None,
                extensible: None,
                payload: None,
                caps: None,
                rules: Vec::new(),
                runtime: Vec::new(),
                packed: s.packed,
                aligned,
                tagless: s.tagless,
                allow,
                abis,
                span: s.name.span,
            });
        }
    }

    /// Check `aligned: N` (with `packed`): the alignment when it is valid.
    pub(super) fn type_attrs(&mut self, packed: bool, aligned: &Option<Sp<u64>>) -> Option<u64> {
        let a = aligned.as_ref()?;
        if !(1..=4096).contains(&a.value) || !a.value.is_power_of_two() {
            self.diags
                .error(
                    Code::Attribute,
                    a.span,
                    format!(
                        "`aligned: {}` is not a power of two from 1 to 4096",
                        a.value
                    ),
                )
                .hint = Some("C's `aligned(N)` takes a power of two, e.g. `aligned: 8`".into());
            return None;
        }
        if packed {
            self.diags
                .error(
                    Code::Attribute,
                    a.span,
                    "`packed` together with `aligned` is not supported: Rust's `repr` cannot say both".to_owned(),
                )
                .hint = Some("keep one of them; a packed type is 1-aligned".into());
            return None;
        }
        Some(a.value)
    }

    pub(super) fn fields(
        &mut self,
        owner: TypeId,
        fields: &[spec::Field],
        kind: Kind,
        span: Span,
    ) -> Vec<Field> {
        if fields.is_empty() {
            self.diags
                .error(Code::EmptyType, span, format!("{} has no members", self.types[owner].rust_name))
                .hint = Some("C does not allow an empty struct or union; add the members, or an explicit `__u8 reserved` field".into());
        }
        let mut out = Vec::new();
        for (i, f) in fields.iter().enumerate() {
            let allow = self.allow(&f.allow);
            let ty_text = f.ty.trim();
            let inline_kind = match ty_text {
                "struct" => Some(Kind::Struct),
                "union" => Some(Kind::Union),
                _ => None,
            };
            let ty = match (inline_kind, &f.fields) {
                (Some(k), Some(members)) => {
                    let id = self.types.len();
                    let aligned = self.type_attrs(f.packed, &f.aligned);
                    self.types.push(TypeDef {
                        c_name: None,
                        // Named below, once the member's Rust name is known.
                        rust_name: String::new(),
                        kind: k,
                        doc: doc(&f.doc),
                        fields: Vec::new(),
                        parent: Some((owner, out.len())),
                        origin: None,
                        extensible: None,
                        payload: None,
                        caps: None,
                        rules: Vec::new(),
                        runtime: Vec::new(),
                        packed: f.packed,
                        tagless: false,
                        aligned,
                        allow: allow.clone(),
                        abis: self.types[owner].abis,
                        span: f.ty.span,
                    });
                    let inner = self.fields(id, members, k, f.ty.span);
                    self.types[id].fields = inner;
                    Some(Ty::Named(id))
                }
                (Some(_), None) => {
                    self.diags
                        .error(Code::InlineFields, f.ty.span, format!("`type: {ty_text}` needs `fields` with the members of the inline {ty_text}"))
                        .hint = Some("add `fields:`, or name an existing type: `type: struct NAME`".into());
                    None
                }
                (None, Some(_)) => {
                    self.diags
                        .error(
                            Code::InlineFields,
                            f.ty.span,
                            format!("`fields` given, but the type is `{ty_text}`"),
                        )
                        .hint = Some(
                        "an inline type is written `type: struct` or `type: union` with `fields:`"
                            .into(),
                    );
                    None
                }
                (None, None) => {
                    self.last_typedef = None;
                    self.last_enum = None;
                    self.parse_type(&f.ty)
                }
            };
            // `aligned: N` on a plain member raises its alignment and `packed` lowers it to 1
            // (C's attributes on the member; what its type may be: `check_packed_members`).
            let (member_aligned, member_packed) = if f.fields.is_none() {
                self.member_attrs(f, kind)
            } else {
                (None, false)
            };
            let name = match &f.name {
                Some(n) => {
                    self.check_ident(n, "field name");
                    Some(n.value.clone())
                }
                None => {
                    if inline_kind.is_none() {
                        self.diags
                            .error(
                                Code::AnonymousMember,
                                f.ty.span,
                                "a member without a name must be an inline struct or union",
                            )
                            .hint =
                            Some("add `name:`, or make it `type: union` with `fields:`".into());
                    }
                    None
                }
            };
            let Some(ty) = ty else { continue };
            // Flexible arrays: last member of a struct only.
            if let Ty::Flex(elem) = &ty {
                if kind == Kind::Union {
                    self.diags
                        .error(
                            Code::FlexInvalid,
                            f.ty.span,
                            "a union cannot have a flexible array member",
                        )
                        .hint = Some(
                        "move the flexible array into the enclosing struct, after the union".into(),
                    );
                } else if i + 1 != fields.len() {
                    self.diags
                        .error(
                            Code::FlexNotLast,
                            f.ty.span,
                            "a flexible array member must be the last member",
                        )
                        .hint = Some("move it to the end of the struct".into());
                } else if i == 0 {
                    self.diags
                        .error(
                            Code::FlexInvalid,
                            f.ty.span,
                            "a flexible array member cannot be a struct's only member (C needs a named member before it)",
                        )
                        .hint = Some(
                        "put the fields that describe the array (a count, a size) before it".into(),
                    );
                }
                if self.has_flex(elem) {
                    self.diags
                        .error(
                            Code::FlexInvalid,
                            f.ty.span,
                            "the elements of an array cannot end in a flexible array",
                        )
                        .hint = Some("use a fixed-size element type".into());
                }
            } else if self.has_flex(&ty) {
                // C allows it as a struct's last member and as any member of a union (which
                // then ends in a flexible array itself: `fw_cdev_event`'s members).
                let last_of_struct = kind == Kind::Struct && i + 1 == fields.len();
                if !(last_of_struct || kind == Kind::Union) || matches!(ty, Ty::Array(..)) {
                    self.diags
                        .error(Code::FlexInvalid, f.ty.span, "a type ending in a flexible array can only be the last member of a struct")
                        .hint = Some("move this member to the end, or give the inner array a fixed size".into());
                }
            }
            let flags = f.flags.as_ref().and_then(|n| {
                find_named(
                    &self.flag_ids,
                    &mut self.diags,
                    n,
                    Code::UnknownFlagSet,
                    "flag set",
                    "flags",
                )
            });
            if let (Some(id), Ty::Scalar(Scalar::Int(t) | Scalar::Aligned(t))) = (flags, &ty) {
                self.flag_field_ty.entry(id).or_insert(*t);
            }
            let group = f.values.as_ref().and_then(|n| {
                find_named(
                    &self.group_ids,
                    &mut self.diags,
                    n,
                    Code::UnknownGroup,
                    "value group",
                    "groups",
                )
            });
            if let (Some(id), Some(n)) = (flags, &f.flags) {
                let have = self.flag_abis.get(id).copied().unwrap_or(self.abis);
                self.check_exists(n.span, &format!("flag set `{}`", **n), have);
            }
            if let (Some(id), Some(n)) = (group, &f.values) {
                let have = self.group_abis.get(id).copied().unwrap_or(self.abis);
                self.check_exists(n.span, &format!("value group `{}`", **n), have);
            }
            let rust_name = match (&f.rust_name, &f.name) {
                (Some(_), _) => self.rust_or(&f.rust_name, String::new()),
                (None, Some(n)) => names::field_name(n),
                (None, None) => match &ty {
                    Ty::Named(id) => {
                        let members: Vec<String> = self.types[*id]
                            .fields
                            .iter()
                            .map(|m| m.rust_name.trim_start_matches("r#").to_owned())
                            .collect();
                        let joiner = if inline_kind == Some(Kind::Union) {
                            "_or_"
                        } else {
                            "_and_"
                        };
                        names::rust_ident(members.join(joiner))
                    }
                    _ => format!("anon{i}"),
                },
            };
            let flag = f.flag.as_ref().and_then(|n| {
                let def = self.values.get(n.as_str()).map(|v| v.0);
                match def {
                    Some(d) => self
                        .value_of_def(d, n.span, "the field's flag")
                        .map(|v| (n.value.clone(), v.value)),
                    None => {
                        self.diags
                            .error(
                                Code::UnknownName,
                                n.span,
                                format!("`flag: {}` names no flag of this spec", **n),
                            )
                            .hint = Some(self.suggest(n));
                        None
                    }
                }
            });
            let count = self.count_of(f, &ty, kind, &out);
            let bits = self.bits_of(f, &ty, kind, owner);
            out.push(Field {
                c_name: name,
                rust_name,
                ty,
                doc: doc(&f.doc),
                flags,
                group,
                reserved: f.reserved,
                since: f.since.as_ref().map(|s| s.value),
                flag,
                data: f.data.as_ref().map_or(spec::Data::InOut, |d| d.value),
                user_address: f.user_address,
                typedef: self.last_typedef.take(),
                enum_tag: self.last_enum.take(),
                aligned: member_aligned,
                packed: member_packed,
                bits,
                count,
                allow,
                span: f.name.as_ref().map_or(f.ty.span, |n| n.span),
            });
        }
        out
    }

    /// The lint rules an item allows. An unknown rule ID and an empty reason are errors
    /// (E0601), at the entry.
    pub(super) fn allow(&mut self, allow: &spec::Allow) -> Allow {
        let mut out = Allow::new();
        for e in &allow.0 {
            let rule = Rule::from_id(&e.rule);
            // Rule IDs are short: a long key is not quoted back.
            let long = e.rule.len() > MAX_NAME_LEN;
            if rule.is_none() {
                let ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
                let message = if long {
                    format!(
                        "`allow` names a key of {} characters, which is no lint rule",
                        e.rule.len()
                    )
                } else {
                    format!("`allow` names `{}`, which is no lint rule", *e.rule)
                };
                self.diags
                    .error(Code::UnknownLint, e.rule.span, message)
                    .hint = Some(format!("the rules are {}", ids.join(", ")));
            }
            if e.reason.trim().is_empty() && !long {
                self.diags
                    .error(
                        Code::UnknownLint,
                        e.rule.span,
                        format!("`allow: {}` needs a reason", *e.rule),
                    )
                    .hint = Some("write why the finding is acceptable here".into());
            }
            if let Some(r) = rule {
                out.insert(r, e.reason.value.clone());
            }
        }
        out
    }

    /// `count` (and `max`) of a field: the count field's index among the fields before it.
    fn count_of(
        &mut self,
        f: &spec::Field,
        ty: &Ty,
        kind: Kind,
        before: &[Field],
    ) -> Option<(usize, Option<u64>)> {
        let Some(n) = &f.count else {
            if let Some(m) = &f.max {
                self.diags
                    .error(
                        Code::FlexInvalid,
                        m.span,
                        "`max` without `count`: it bounds the count of a flexible array",
                    )
                    .hint =
                    Some("add `count: FIELD` naming the field that counts the elements".into());
            }
            return None;
        };
        if !matches!(ty, Ty::Flex(_)) || kind != Kind::Struct {
            self.diags
                .error(
                    Code::FlexInvalid,
                    n.span,
                    "`count` is a key of a struct's flexible array member (`type: \"T[]\"`)",
                )
                .hint =
                Some("put it on the last member, the array whose length the field gives".into());
            return None;
        }
        let Some(i) = before
            .iter()
            .position(|o| o.c_name.as_deref() == Some(n.as_str()))
        else {
            self.diags
                .error(
                    Code::UnknownName,
                    n.span,
                    format!("`count: {}` names no member before the array", **n),
                )
                .hint =
                Some("name the member of this struct that holds the number of elements".into());
            return None;
        };
        match &before[i].ty {
            Ty::Scalar(Scalar::Int(t)) if !t.signed() => {
                let top = u64::try_from(t.max()).unwrap_or(u64::MAX);
                if let Some(m) = &f.max
                    && m.value > top
                {
                    self.diags
                        .error(
                            Code::FlexInvalid,
                            m.span,
                            format!("`max: {}` does not fit the count field `{}`", m.value, **n),
                        )
                        .hint = Some(format!("the count field holds at most {top}"));
                    return None;
                }
                Some((i, f.max.as_ref().map(|m| m.value)))
            }
            _ => {
                self.diags
                    .error(
                        Code::FlexInvalid,
                        n.span,
                        format!("the count field `{}` is not an unsigned integer (`u8` to `u64`, not `aligned_u64`)", **n),
                    )
                    .hint = Some("count the elements in an unsigned fixed-size field".into());
                None
            }
        }
    }

    pub(super) fn has_flex(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Flex(_) => true,
            Ty::Array(t, ..) => self.has_flex(t),
            Ty::Named(id) => self.types[*id]
                .fields
                .last()
                .is_some_and(|f| self.has_flex(&f.ty)),
            _ => false,
        }
    }

    /// A type of C99's freestanding headers (`uint64_t`, `size_t`) needs its header in the
    /// spec's `includes`: the generated header must compile as it is (E0103 otherwise).
    fn check_c99_header(&mut self, k: crate::ctypes::KernelTypeId, span: Span) {
        let kt = &crate::ctypes::KERNEL_TYPES[usize::from(k)];
        let Some(h) = kt.header else {
            return;
        };
        if self.spec.includes.iter().any(|i| i.as_str() == h) {
            return;
        }
        self.diags
            .error(
                Code::UnknownType,
                span,
                format!(
                    "`{}` is defined by `<{h}>`, which the spec does not include",
                    kt.name
                ),
            )
            .hint = Some(format!(
            "add `includes: [{h}]` to the spec (the compiler's freestanding header), or use the kernel's type (`__u64`, `__kernel_size_t`)"
        ));
    }

    /// `u32`, `aligned_u64`, `struct foo`, `u64 *`, `u8[16]`, `struct bar[]`, `u32[2][3]`.
    pub(super) fn parse_type(&mut self, text: &Sp<String>) -> Option<Ty> {
        let bad = |this: &mut Self, msg: String| {
            this.diags
                .error(Code::BadTypeSyntax, text.span, msg)
                .hint = Some("write a type like `u32`, `aligned_u64`, `struct NAME`, `enum NAME`, `u8[16]`, `u8[]`, `u64 *` or `const void *`".into());
            None
        };
        let s = text.trim();
        let (base, dims) = match s.find('[') {
            Some(i) => (s[..i].trim(), &s[i..]),
            None => (s, ""),
        };
        let (base, pointers) = {
            let stars = base
                .chars()
                .rev()
                .take_while(|c| *c == '*' || c.is_whitespace())
                .filter(|c| *c == '*')
                .count();
            (
                base.trim_end_matches(|c: char| c == '*' || c.is_whitespace()),
                stars,
            )
        };
        if pointers > MAX_TYPE_LEVELS {
            return bad(
                self,
                format!("the type has {pointers} levels of pointers, more than {MAX_TYPE_LEVELS}"),
            );
        }
        // `const T *` (what the pointer points at is `const`), `const T` (a `const` member).
        let (base, is_const) = match base.strip_prefix("const ") {
            Some(b) => (b.trim(), true),
            None => (base, false),
        };
        let c_int = CInt::parse(base);
        if let Some(t) = c_int {
            let missing: Vec<&str> = self
                .ctx
                .iter()
                .filter(|&a| !t.exists(&ABIS[a]))
                .map(|a| ABIS[a].name)
                .collect();
            if !missing.is_empty() {
                self.diags
                    .error(
                        Code::UnknownType,
                        text.span,
                        format!("`{base}` does not exist on {}", missing.join(", ")),
                    )
                    .hint = Some(
                    "limit the item to the architectures that have it (`arch: [x86, arm64]`)"
                        .into(),
                );
                return None;
            }
        }
        let mut words = base.split_whitespace();
        let (tag, name) = match (words.next(), words.next(), words.next()) {
            _ if c_int.is_some() => (None, base),
            (Some(t @ ("struct" | "union" | "enum")), Some(n), None) => (Some(t), n),
            (Some(n), None, None) => (None, n),
            _ => return bad(self, format!("cannot read the type `{s}`")),
        };
        let mut ty = match (tag, name) {
            (None, _) if c_int.is_some() => Ty::Scalar(Scalar::C(c_int?)),
            (Some("enum"), n) => Ty::Scalar(self.enum_type(n, text.span)?),
            (None, "void") if pointers > 0 => Ty::Void,
            (None, "void") => {
                return bad(
                    self,
                    format!("`{s}`: `void` has no size; only a pointer can point at it (`void *`)"),
                );
            }
            (None, n) if kernel_type(n).is_some() => {
                let k = kernel_type(n)?;
                self.check_c99_header(k, text.span);
                Ty::Scalar(Scalar::Kernel(k))
            }
            (None, "aligned_u64" | "__aligned_u64") => Ty::Scalar(Scalar::Aligned(IntTy::U64)),
            (None, "aligned_s64" | "__aligned_s64") => Ty::Scalar(Scalar::Aligned(IntTy::S64)),
            (None, n) if IntTy::parse(n).is_some() => Ty::Scalar(Scalar::Int(IntTy::parse(n)?)),
            (None, n) if self.typedef_ids.contains_key(n) => {
                let i = self.typedef_ids.get(n).copied()?;
                let have = self.typedefs[i].abis;
                self.check_exists(text.span, &format!("typedef `{n}`"), have);
                self.last_typedef = Some(i);
                match self.typedefs[i].ty {
                    TypedefTy::Int(s) => Ty::Scalar(s),
                    TypedefTy::Record(id) => Ty::Named(id),
                }
            }
            (None, n) if self.has_imported_typedef(n) => self.imported_typedef(n, text.span)?,
            (_, n) => match self.lookup_type(n, text.span).or_else(|| {
                // Every declaration of a used spec's type is copied in; the item takes the
                // one of its ABIs, as with its own spec's types.
                self.import_type(n)?;
                self.lookup_type(n, text.span)
            }) {
                Some(id) => {
                    let k = self.types[id].kind;
                    let want = match tag {
                        Some("struct") => Some(Kind::Struct),
                        Some("union") => Some(Kind::Union),
                        _ => None,
                    };
                    if want.is_some_and(|w| w != k) {
                        self.diags
                            .error(
                                Code::UnknownType,
                                text.span,
                                format!("`{n}` is a {}, not a {}", kind_word(k), tag.unwrap_or("")),
                            )
                            .hint = Some(format!("write `{} {n}`", kind_word(k)));
                        return None;
                    }
                    Ty::Named(id)
                }
                None => {
                    let lower = n.to_ascii_lowercase();
                    self.suggestions += 1;
                    let keys = if self.suggestions > MAX_SUGGESTIONS || n.len() > MAX_NAME_LEN {
                        None
                    } else {
                        Some(self.type_ids.keys())
                    };
                    // The spec's own types, and (for a bare name) the built-in ones.
                    let builtins = tag.is_none().then_some(BUILTIN_TYPES.iter().copied());
                    let best = keys
                        .into_iter()
                        .flatten()
                        .map(String::as_str)
                        .chain(builtins.into_iter().flatten())
                        .filter(|k| k.len().abs_diff(n.len()) <= 3)
                        .map(|k| (edit_distance(&lower, k), k))
                        .filter(|(d, _)| *d <= 3)
                        .min();
                    let hint = match best {
                        Some((_, k)) => format!("did you mean `{k}`?"),
                        None if names::is_c_identifier(n) => "define it under `structs:`; integer types are u8..u64, s8..s64, aligned_u64, C's own (`int`, `unsigned long`, `char`, ...) and the kernel's typedefs (`__kernel_pid_t`, `__le32`, ...)".into(),
                        None => "write a type like `u32` or `struct NAME`".into(),
                    };
                    self.diags
                        .error(Code::UnknownType, text.span, format!("unknown type `{n}`"))
                        .hint = Some(hint);
                    return None;
                }
            },
        };
        if pointers > 0 && matches!(ty, Ty::Scalar(Scalar::Aligned(_))) {
            self.diags
                .error(
                    Code::BadTypeSyntax,
                    text.span,
                    format!("`{s}` is a pointer to `{name}`, which C lays out differently from what it says"),
                )
                .hint = Some(
                "the kernel's `__aligned_u64` is a macro, so `__aligned_u64 *p` makes the pointer member itself 8-aligned; \
                 write `aligned_u64` for a user address, or `u64 *`"
                    .into(),
            );
            return None;
        }
        if is_const {
            ty = Ty::Const(Box::new(ty));
        }
        for _ in 0..pointers {
            ty = Ty::Ptr(Box::new(ty));
        }
        // Array suffixes, outermost first: `T[2][3]` is an array of 2 arrays of 3.
        let mut lens: Vec<Option<(u64, Expr)>> = Vec::new();
        let mut rest = dims.trim();
        while !rest.is_empty() {
            let Some(inner) = rest.strip_prefix('[') else {
                return bad(self, format!("unexpected `{rest}` in the type `{s}`"));
            };
            if lens.len() >= MAX_TYPE_LEVELS {
                return bad(
                    self,
                    format!("the type has more than {MAX_TYPE_LEVELS} array dimensions"),
                );
            }
            let Some(close) = closing_bracket(inner) else {
                return bad(self, format!("missing `]` in the type `{s}`"));
            };
            let len_text = inner[..close].trim();
            rest = inner[close + 1..].trim_start();
            if len_text.is_empty() {
                if !lens.is_empty() {
                    return bad(
                        self,
                        "only the first array dimension can be flexible (`[]`)".into(),
                    );
                }
                lens.push(None);
                continue;
            }
            let e = match expr::parse(len_text) {
                Ok(e) => e,
                Err(err) => {
                    return bad(
                        self,
                        format!("cannot read the array length `{len_text}`: {}", err.message),
                    );
                }
            };
            let o = self.origin(text.span, &text.value);
            let k = (len_text.as_ptr() as usize).wrapping_sub(text.value.as_ptr() as usize);
            let o = if k <= text.value.len() {
                self.shifted(o, k)
            } else {
                o
            };
            let v = self.value_of_expr(&e, o, "the array length")?.value;
            if !(1..=(1i128 << 32)).contains(&v) {
                self.diags
                    .error(
                        Code::ArrayLength,
                        text.span,
                        format!("array length {v} is not between 1 and 2^32"),
                    )
                    .hint = Some("for a variable-length tail use a flexible array `T[]`".into());
                return None;
            }
            lens.push(Some((v as u64, e)));
        }
        for l in lens.into_iter().rev() {
            ty = match l {
                Some((n, e)) => Ty::Array(Box::new(ty), n, e),
                None => Ty::Flex(Box::new(ty)),
            };
        }
        Some(ty)
    }

    /// Named types ordered so that every type comes after the types it embeds.
    pub(super) fn order(&mut self) -> Vec<TypeId> {
        fn root(types: &[TypeDef], mut id: TypeId) -> TypeId {
            while let Some((p, _)) = types[id].parent {
                id = p;
            }
            id
        }
        fn deps(types: &[TypeDef], id: TypeId, out: &mut Vec<TypeId>) {
            for f in &types[id].fields {
                let mut t = &f.ty;
                while let Ty::Array(e, ..) | Ty::Flex(e) = t {
                    t = e;
                }
                if let Ty::Named(d) = t {
                    if types[*d].parent.is_some() {
                        deps(types, *d, out);
                    } else {
                        out.push(*d);
                    }
                }
            }
        }
        let n = self.types.len();
        let mut mark = vec![0u8; n]; // 0 new, 1 in progress, 2 done
        let mut order = Vec::new();
        let mut reported = false;
        let named: Vec<TypeId> = (0..n)
            .filter(|&i| self.types[i].parent.is_none() && self.types[i].origin.is_none())
            .collect();
        for start in named {
            let mut stack = vec![(start, None::<Vec<TypeId>>)];
            while let Some((id, pending)) = stack.pop() {
                let pending = match pending {
                    Some(p) => p,
                    None => {
                        if mark[id] == 2 {
                            continue;
                        }
                        if mark[id] == 1 {
                            continue;
                        }
                        mark[id] = 1;
                        let mut d = Vec::new();
                        deps(&self.types, id, &mut d);
                        d.reverse();
                        d
                    }
                };
                let mut pending = pending;
                match pending.pop() {
                    Some(d) => {
                        stack.push((id, Some(pending)));
                        let d = root(&self.types, d);
                        if mark[d] == 1 {
                            if !reported {
                                reported = true;
                                let t = &self.types[d];
                                self.diags
                                    .error(Code::RecursiveType, t.span, format!("{} contains itself", t.display_name_lite()))
                                    .hint = Some("a struct cannot embed itself; use a pointer (`u64` user address) instead".into());
                            }
                        } else if mark[d] == 0 {
                            stack.push((d, None));
                        }
                    }
                    None => {
                        mark[id] = 2;
                        // A used spec's type is declared by its own header.
                        if self.types[id].origin.is_none() {
                            order.push(id);
                        }
                    }
                }
            }
        }
        order
    }
}
