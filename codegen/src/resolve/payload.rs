//! Resolution of the extensibility model (size field, mandatory fields, known flags), tagged
//! payloads and capability chains: field names become field indices, tags become values.

use std::collections::HashMap;

use heck::ToUpperCamelCase;

use super::{Resolver, doc};
use crate::diag::Code;
use crate::expr;
use crate::ir::*;
use crate::names;
use crate::spec::{self, ErrnoName, Kind, Sp, Style};

impl Resolver<'_> {
    /// Resolve `extensible`, `payload` and `caps` of every struct.
    pub(super) fn extensions(&mut self, flag_sets: &[FlagSet]) {
        let spec = self.spec;
        for (id, s) in spec.structs.iter().enumerate() {
            self.ctx = self.types[id].abis;
            if let Some(e) = &s.extensible {
                self.types[id].extensible = self.extensible(id, e, flag_sets);
            }
            if let Some(p) = &s.payload {
                self.types[id].payload = self.payload(id, p);
            }
            if let Some(c) = &s.caps {
                self.types[id].caps = self.caps(id, c);
            }
            if !s.runtime.is_empty() {
                self.types[id].runtime = self.runtime_limits(id, &s.runtime);
            }
            if !s.rules.is_empty() {
                self.types[id].rules = self.arg_rules(id, &s.rules);
            }
        }
        self.ctx = self.abis;
    }

    /// The name a payload key uses for a direct field: its C name, or for an anonymous member
    /// its `rust-name`.
    fn field_key(f: &Field) -> &str {
        match f.c_name.as_deref() {
            Some(c) => c,
            None => f.rust_name.trim_start_matches("r#"),
        }
    }

    /// The direct fields of `id` by [`Self::field_key`] (the first of a name), for a lookup
    /// per variant that does not scan every member (40,000 union members: quadratic).
    fn field_keys(&self, id: TypeId) -> HashMap<String, usize> {
        let mut keys = HashMap::new();
        for (i, f) in self.types[id].fields.iter().enumerate() {
            keys.entry(Self::field_key(f).to_owned()).or_insert(i);
        }
        keys
    }

    /// Index of the direct field `name` of type `id`.
    pub(super) fn field_index(
        &mut self,
        id: TypeId,
        name: &Sp<String>,
        role: &str,
    ) -> Option<usize> {
        let found = self.types[id]
            .fields
            .iter()
            .position(|f| Self::field_key(f) == name.as_str());
        if found.is_none() {
            let have: Vec<String> = self.types[id]
                .fields
                .iter()
                .filter_map(|f| f.c_name.clone())
                .collect();
            self.diags
                .error(
                    Code::PayloadField,
                    name.span,
                    format!(
                        "{role} `{}` is not a field of {}",
                        **name, self.types[id].rust_name
                    ),
                )
                .hint = Some(format!("the fields are: {}", have.join(", ")));
        }
        found
    }

    pub(super) fn int_field(&mut self, id: TypeId, name: &Sp<String>, role: &str) -> Option<usize> {
        let i = self.field_index(id, name, role)?;
        match self.types[id].fields[i].ty {
            Ty::Scalar(Scalar::Int(_) | Scalar::Aligned(_)) => Some(i),
            _ => {
                self.diags
                    .error(
                        Code::PayloadField,
                        name.span,
                        format!("{role} `{}` must be an integer field", **name),
                    )
                    .hint = Some("point it at a u32 or u64 field".into());
                None
            }
        }
    }

    fn extensible(
        &mut self,
        id: TypeId,
        e: &spec::Extensible,
        flag_sets: &[FlagSet],
    ) -> Option<Extensible> {
        let size_field = self.field_index(id, &e.size_field, "the size field")?;
        let fields = &self.types[id].fields;
        if size_field != 0 || !matches!(fields[0].ty, Ty::Scalar(Scalar::Int(IntTy::U32))) {
            self.diags
                .error(
                    Code::Extensible,
                    e.size_field.span,
                    format!(
                        "the size field `{}` must be the first field and a u32",
                        *e.size_field
                    ),
                )
                .hint = Some(
                "an extensible struct starts with `__u32 argsz` (VFIO) or `__u32 size` (IOMMUFD)"
                    .into(),
            );
            return None;
        }
        // Mandatory fields come first; a trailing flexible array does not count.
        let end = match fields.last().map(|f| &f.ty) {
            Some(Ty::Flex(_)) => fields.len() - 1,
            _ => fields.len(),
        };
        let revised = fields[..end]
            .iter()
            .position(|f| f.since.is_some())
            .unwrap_or(end);
        let mut bad = None;
        for f in &fields[revised..end] {
            if f.since.is_none() {
                bad = Some(f.span);
            }
        }
        if let Some(span) = bad {
            self.diags
                .error(
                    Code::Extensible,
                    span,
                    "a mandatory field follows a field added in a later revision",
                )
                .hint = Some(
                "fields added later (`since:`) go at the end; give this one a `since:` too".into(),
            );
        }
        let mut last = 0;
        for (i, f) in fields.iter().enumerate().take(end).skip(revised) {
            let s = f.since.unwrap_or(0);
            if s < last || s < 2 {
                let span = self.spec.structs[id]
                    .fields
                    .get(i)
                    .and_then(|f| f.since.as_ref())
                    .map_or(f.span, |s| s.span);
                self.diags
                    .error(Code::Extensible, span, format!("`since: {s}` is out of order"))
                    .hint = Some("revisions start at 2 (1 is the original struct) and do not decrease down the struct".into());
                break;
            }
            last = s;
        }
        // The kernel's own minimum: the end of `last-mandatory`, at or before the fields
        // of later revisions.
        let mandatory = match &e.last_mandatory {
            Some(name) => {
                let i = self.field_index(id, name, "the last mandatory field")?;
                if i >= revised || i == 0 {
                    self.diags
                        .error(
                            Code::Extensible,
                            name.span,
                            format!("`last-mandatory: {}` is the size field or a field of a later revision (`since`)", **name),
                        )
                        .hint = Some("name the last field the kernel requires (IOCTL_OP's last member, or the field before a variable union)".into());
                    return None;
                }
                i + 1
            }
            None => revised,
        };
        let flags_field = match &e.flags_field {
            Some(n) => Some(self.int_field(id, n, "the flags field")?),
            None => self.types[id].fields.iter().position(|f| f.flags.is_some()),
        };
        let flags = match (flags_field, &e.known_flags) {
            (Some(i), Some(k)) => Some((i, self.eval_text(k, "the known flags")?.0)),
            (Some(i), None) => {
                let set = self.types[id].fields[i]
                    .flags
                    .and_then(|s| flag_sets.get(s));
                // One mask for every ABI of the struct: a flag of fewer ABIs would be known
                // where the kernel does not have it.
                // A flag on none of the struct's ABIs is not in its mask at all.
                if let Some(b) = set.and_then(|s| {
                    s.bits
                        .iter()
                        .find(|b| b.abis.overlaps(self.ctx) && !self.ctx.within(b.abis))
                }) {
                    let missing = self.ctx & !b.abis;
                    self.diags
                        .error(
                            Code::ArchMismatch,
                            b.span,
                            format!(
                                "`{}` is a known flag of the extensible {} but does not exist on {}",
                                b.c_name,
                                self.types[id].display_name_lite(),
                                missing.describe()
                            ),
                        )
                        .hint = Some("the known flags are one mask for every ABI of the struct: give the struct the flag's `arch`, the flag the struct's, or the mask in `known-flags`".into());
                }
                let mask = set.map_or(0, |s| {
                    s.bits
                        .iter()
                        .filter(|b| b.abis.overlaps(self.ctx))
                        .fold(0, |m, b| m | b.value.value)
                });
                Some((i, mask))
            }
            (None, Some(k)) => {
                self.diags
                    .error(
                        Code::Extensible,
                        k.span,
                        "`known-flags` needs a flags field",
                    )
                    .hint = Some("name it with `flags-field:`".into());
                None
            }
            (None, None) => None,
        };
        Some(Extensible {
            size_field,
            style: e.style.value,
            mandatory,
            flags,
        })
    }

    pub(super) fn eval_text(
        &mut self,
        e: &Sp<spec::ExprText>,
        what: &str,
    ) -> Option<(i128, Option<String>)> {
        let parsed = self.parse_expr(e)?;
        let o = self.origin(e.span, &e.0);
        let v = self.value_of_expr(&parsed, o, what)?.value;
        let name = match &parsed {
            expr::Expr::Name(n, _) => Some(n.clone()),
            _ => None,
        };
        Some((v, name))
    }

    /// Rust names of variants from their tags' C names: the common prefix dropped.
    fn variant_names(
        &self,
        tags: &[(i128, Option<String>)],
        given: &[Option<&Sp<String>>],
    ) -> Vec<String> {
        let names: Vec<&str> = tags
            .iter()
            .map(|(_, n)| n.as_deref().unwrap_or(""))
            .collect();
        let all_named = names.iter().all(|n| !n.is_empty());
        let derived = if all_named {
            names::member_names(&names, self.prefix.as_deref())
        } else {
            Vec::new()
        };
        tags.iter()
            .enumerate()
            .map(|(i, (v, _))| match given.get(i).copied().flatten() {
                Some(g) => g.value.clone(),
                None if all_named => derived[i].to_lowercase().to_upper_camel_case(),
                None => format!("Tag{v}"),
            })
            .collect()
    }

    fn payload(&mut self, id: TypeId, p: &spec::Payload) -> Option<Payload> {
        let tag_field = self.int_field(id, &p.tag, "the tag")?;
        let tag_mask = match &p.tag_mask {
            Some(m) => Some(self.eval_text(m, "the tag mask")?.0),
            None => None,
        };
        let kind = match (&p.pointer, &p.data) {
            (Some(ptr), None) => {
                let pointer = self.int_field(id, ptr, "the pointer")?;
                match (&p.length, &p.entry_len, &p.entry_num) {
                    (Some(l), None, None) => PayloadKind::Pointer {
                        pointer,
                        length: self.int_field(id, l, "the length")?,
                    },
                    (None, Some(el), Some(en)) => PayloadKind::Entries {
                        pointer,
                        entry_len: self.int_field(id, el, "the entry length")?,
                        entry_num: self.int_field(id, en, "the entry count")?,
                    },
                    _ => {
                        self.diags
                            .error(
                                Code::PayloadField,
                                ptr.span,
                                "a pointer payload needs `length`, or `entry-len` and `entry-num`",
                            )
                            .hint =
                            Some("IOMMUFD style: `pointer: data_uptr`, `length: data_len`".into());
                        return None;
                    }
                }
            }
            (None, Some(d)) => {
                let data = self.field_index(id, d, "the payload data")?;
                let count = match &p.count {
                    Some(c) => Some(self.int_field(id, c, "the count")?),
                    None => None,
                };
                if self.types[id].fields[data].count.is_some() {
                    // The tag decides the element type, so one count field cannot say how
                    // many bytes follow (vmm-sys-util's FamStructWrapper confuses the two on
                    // vfio_irq_set).
                    self.diags
                        .error(
                            Code::PayloadField,
                            d.span,
                            format!("the payload data `{}` also has `count`: its elements are the variant's type, not the array's", **d),
                        )
                        .hint = Some("drop `count` from the array; the payload's own `count:` names the field the encoder sets".into());
                }
                match &self.types[id].fields[data].ty {
                    Ty::Flex(_) => PayloadKind::Trailing { data, count },
                    Ty::Named(u) if self.types[*u].kind == Kind::Union && count.is_none() => {
                        PayloadKind::Union { data }
                    }
                    _ => {
                        self.diags
                            .error(Code::PayloadField, d.span, format!("the payload data `{}` must be a flexible array (`u8[]`) or a union", **d))
                            .hint = Some("a trailing `__u8 data[]` or a union member selected by the tag".into());
                        return None;
                    }
                }
            }
            _ => {
                self.diags
                    .error(
                        Code::PayloadField,
                        p.tag.span,
                        "a payload needs exactly one of `data` and `pointer`",
                    )
                    .hint = Some(
                    "`data:` names a trailing array or union; `pointer:` a user pointer field"
                        .into(),
                );
                return None;
            }
        };
        let mut tags = Vec::new();
        for v in &p.variants {
            tags.push(
                self.eval_text(&v.tag, "the variant's tag")
                    .unwrap_or((i128::MIN, None)),
            );
        }
        let given: Vec<Option<&Sp<String>>> =
            p.variants.iter().map(|v| v.rust_name.as_ref()).collect();
        let rust_names = self.variant_names(&tags, &given);
        let mut seen: HashMap<i128, usize> = HashMap::new();
        let members = match &kind {
            PayloadKind::Union { data } => match self.types[id].fields[*data].ty {
                Ty::Named(u) => Some((u, self.field_keys(u))),
                _ => None,
            },
            _ => None,
        };
        // The operation bits of the tag field a variant may not support (`ops`).
        let ops = match &p.ops {
            Some(o) if p.data.is_none() => {
                self.diags
                    .error(
                        Code::PayloadField,
                        o.span,
                        "`ops` is for payloads in `data`",
                    )
                    .hint = Some("a trailing array or union selected by the tag".into());
                None
            }
            Some(o) => Some(self.eval_text(o, "the payload's `ops` bits")?.0),
            None => None,
        };
        let mut variants = Vec::new();
        for (i, v) in p.variants.iter().enumerate() {
            let (tag, tag_name) = tags[i].clone();
            if tag == i128::MIN {
                continue;
            }
            if let Some(&prev) = seen.get(&tag) {
                self.diags
                    .error(
                        Code::DuplicateTag,
                        v.tag.span,
                        format!("tag value {tag} already selects variant {}", prev + 1),
                    )
                    .hint = Some("each variant needs its own tag value".into());
            }
            seen.insert(tag, i);
            if let Some(m) = tag_mask
                && tag & !m != 0
            {
                self.diags
                    .error(
                        Code::PayloadVariant,
                        v.tag.span,
                        format!("tag {tag:#x} has bits outside the tag mask {m:#x}"),
                    )
                    .hint = Some("the tag is compared with `field & mask`".into());
            }
            let ty = match &v.ty {
                Some(t) if t.trim() != "none" => self.parse_type(t),
                _ => None,
            };
            let member = match (&kind, &v.member) {
                (PayloadKind::Union { .. }, Some(m)) => {
                    let Some((u, keys)) = &members else {
                        continue;
                    };
                    match keys.get(m.as_str()) {
                        Some(&i) => Some(i),
                        // Not a member: the lookup that reports it.
                        None => self.field_index(*u, m, "the union member"),
                    }
                }
                // A union payload variant without a member carries nothing.
                (_, Some(m)) => {
                    self.diags
                        .error(
                            Code::PayloadVariant,
                            m.span,
                            "`member:` is for union payloads only",
                        )
                        .hint = Some("give the variant a `type:` instead".into());
                    None
                }
                (_, None) => None,
            };
            if let Some(t) = &ty
                && (matches!(t, Ty::Flex(_)) || self.has_flex(t))
                && let Some(sp) = &v.ty
            {
                self.diags
                    .error(
                        Code::PayloadVariant,
                        sp.span,
                        "a payload type cannot end in a flexible array",
                    )
                    .hint = Some("use the element type with `count:` on the payload".into());
            }
            let denied_ops = match (&v.ops, ops) {
                (None, _) => 0,
                (Some(vo), Some(all)) => {
                    let supported = self
                        .eval_text(vo, "the variant's `ops` bits")
                        .map_or(all, |x| x.0);
                    if supported & !all != 0 {
                        self.diags
                            .error(
                                Code::PayloadVariant,
                                vo.span,
                                format!("the variant's ops {supported:#x} have bits outside the payload's `ops` {all:#x}"),
                            )
                            .hint = Some("name bits of the payload's `ops`".into());
                    }
                    all & !supported
                }
                (Some(vo), None) => {
                    self.diags
                        .error(
                            Code::PayloadVariant,
                            vo.span,
                            "a variant's `ops` needs the payload's `ops`",
                        )
                        .hint =
                        Some("`ops: GET | SET` on the payload names the operation bits".into());
                    0
                }
            };
            variants.push(PayloadVariant {
                denied_ops,
                rust_name: rust_names[i].clone(),
                tag_name,
                tag,
                ty,
                member,
                doc: doc(&v.doc),
                span: v.tag.span,
            });
        }
        let style = self.spec.structs[id]
            .extensible
            .as_ref()
            .map(|e| e.style.value);
        let unknown = match (&p.unknown_errno, style) {
            (Some(e), _) => e.value,
            (None, Some(Style::CopyStruct)) => ErrnoName::Eopnotsupp,
            _ => ErrnoName::Einval,
        };
        let rust_name = match &p.rust_name {
            Some(n) => n.value.clone(),
            None => format!("{}Payload", self.types[id].rust_name),
        };
        let unless = match &p.unless {
            Some(u) => Some(self.eval_text(u, "the payload's `unless` bits")?.0),
            None => None,
        };
        Some(Payload {
            rust_name,
            doc: doc(&p.doc),
            tag_field,
            tag_mask,
            kind,
            unknown,
            unless,
            variants,
            span: p.tag.span,
        })
    }

    fn caps(&mut self, id: TypeId, c: &spec::Caps) -> Option<Caps> {
        let offset_field = self.int_field(id, &c.offset, "the capability offset")?;
        let flag = match &c.flag {
            Some(f) => {
                let (v, n) = self.eval_text(f, "the capability flag")?;
                Some((n.unwrap_or_else(|| format!("{v:#x}")), v))
            }
            None => None,
        };
        let Some(header) = self.lookup_type(c.header.as_str(), c.header.span) else {
            self.diags
                .error(
                    Code::UnknownType,
                    c.header.span,
                    format!("unknown capability header struct `{}`", *c.header),
                )
                .hint = Some(
                "name the struct that starts every capability, e.g. `vfio_info_cap_header`".into(),
            );
            return None;
        };
        let mut idx = [0usize; 3];
        for (k, name) in ["id", "version", "next"].iter().enumerate() {
            let sp = Sp::new((*name).to_owned(), c.header.span);
            idx[k] = self.int_field(header, &sp, "the capability header field")?;
        }
        let mut tags = Vec::new();
        for v in &c.variants {
            tags.push(
                self.eval_text(&v.id, "the capability id")
                    .unwrap_or((i128::MIN, None)),
            );
        }
        let given: Vec<Option<&Sp<String>>> =
            c.variants.iter().map(|v| v.rust_name.as_ref()).collect();
        let rust_names = self.variant_names(&tags, &given);
        let mut variants = Vec::new();
        for (i, v) in c.variants.iter().enumerate() {
            let (id_value, id_name) = tags[i].clone();
            let ty = match self.parse_type(&v.ty) {
                Some(Ty::Named(t))
                    if t == header
                        || self.types[t]
                            .fields
                            .first()
                            .is_some_and(|f| f.ty == Ty::Named(header)) =>
                {
                    t
                }
                Some(_) => {
                    self.diags
                        .error(
                            Code::PayloadVariant,
                            v.ty.span,
                            format!(
                                "a capability must be a struct whose first field is `struct {}`",
                                *c.header
                            ),
                        )
                        .hint = Some("start the capability struct with the header".into());
                    continue;
                }
                None => continue,
            };
            if id_value == i128::MIN {
                continue;
            }
            variants.push(CapVariant {
                rust_name: rust_names[i].clone(),
                id_name,
                id: id_value,
                version: v.version.as_ref().map(|s| s.value),
                ty,
                doc: doc(&v.doc),
            });
        }
        Some(Caps {
            rust_name: format!("{}Cap", self.types[id].rust_name),
            doc: doc(&c.doc),
            offset_field,
            flag,
            header,
            id_field: idx[0],
            version_field: idx[1],
            next_field: idx[2],
            variants,
        })
    }
}
