//! Resolution of `rules:`: field names become field indices, masks and bounds values, and
//! every misuse is an E0507 error at the key that is wrong.

use super::Resolver;
use crate::diag::Code;
use crate::ir::*;
use crate::spec::{
    After, ArgRule as Rule, ErrnoName, ExprText, Kind, RuntimeLimit as RuntimeSpec, Sp, Span, Style,
};

impl Resolver<'_> {
    /// Resolve the rules of struct `id` (after its `extensible` and `payload`).
    pub(super) fn arg_rules(&mut self, id: TypeId, rules: &[Rule]) -> Vec<ArgRule> {
        rules.iter().filter_map(|r| self.arg_rule(id, r)).collect()
    }

    /// Resolve the `runtime:` limits of struct `id`: distinct lowercase names, on a struct
    /// with a size field (whose `check` the limits extend).
    pub(super) fn runtime_limits(
        &mut self,
        id: TypeId,
        limits: &[RuntimeSpec],
    ) -> Vec<RuntimeLimit> {
        let mut out: Vec<RuntimeLimit> = Vec::new();
        for l in limits {
            let ok = l.name.starts_with(|c: char| c.is_ascii_lowercase())
                && l.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !ok || out.iter().any(|o| o.name == *l.name) {
                self.rule_error(
                    l.name.span,
                    format!(
                        "`{}` is not a new lowercase name for a run-time limit",
                        *l.name
                    ),
                    "a parameter name of the validator, such as `num_irqs`",
                );
                continue;
            }
            if self.types[id].extensible.is_none() {
                self.rule_error(
                    l.name.span,
                    "run-time limits are for `extensible` structs",
                    "the limits extend the struct's `check`, which an extensible struct has",
                );
                return Vec::new();
            }
            out.push(RuntimeLimit {
                name: l.name.value.clone(),
                doc: l.doc.clone(),
            });
        }
        out
    }

    /// `runtime NAME` in `max` or `below`: the index of the struct's run-time limit NAME.
    /// `None` when the text is an expression; `Some(None)` after an error.
    fn runtime_ref(&mut self, id: TypeId, e: &Sp<ExprText>) -> Option<Option<usize>> {
        let name = e.0.trim().strip_prefix("runtime ")?.trim();
        let found = self.types[id].runtime.iter().position(|l| l.name == name);
        if found.is_none() {
            self.rule_error(
                e.span,
                format!("`{name}` is not a run-time limit of the struct"),
                "declare it under the struct's `runtime:` (`- { name: num_irqs, doc: ... }`)",
            );
        }
        Some(found)
    }

    fn rule_error(&mut self, span: Span, message: impl Into<String>, hint: &str) {
        self.diags.error(Code::ArgRule, span, message).hint = Some(hint.into());
    }

    /// An integer field the kernel reads before the payload: a mandatory one of an
    /// extensible struct (the kernel copies `minsz` bytes), any of a fixed one.
    fn rule_field(&mut self, id: TypeId, name: &Sp<String>) -> Option<(usize, IntTy)> {
        let i = self.int_field(id, name, "the rule's field")?;
        // `copy_struct_from_user` zero-extends a shorter argument, so a field past the
        // minimum size reads as zero there; under `minsz` it is not copied at all.
        if let Some(e) = &self.types[id].extensible
            && i >= e.mandatory
            && e.style != Style::CopyStruct
        {
            self.rule_error(
                name.span,
                format!("`{}` is added in a later revision (`since`), so a shorter argument does not hold it", **name),
                "rules read the mandatory fields, which every valid argument holds",
            );
            return None;
        }
        let ty = match self.types[id].fields[i].ty {
            Ty::Scalar(Scalar::Int(t) | Scalar::Aligned(t)) => t,
            _ => return None,
        };
        Some((i, ty))
    }

    /// The flags field the bit rules read: `field:`, or the struct's flags field.
    fn rule_flags_field(
        &mut self,
        id: TypeId,
        given: &Option<Sp<String>>,
        at: Span,
    ) -> Option<(usize, IntTy)> {
        if let Some(f) = given {
            return self.rule_field(id, f);
        }
        let t = &self.types[id];
        let found = t
            .extensible
            .as_ref()
            .and_then(|e| e.flags.map(|(f, _)| f))
            .or_else(|| t.fields.iter().position(|f| f.flags.is_some()));
        let Some(f) = found else {
            self.rule_error(
                at,
                "a bit rule needs a flags field, and the struct has none",
                "name the field with `field:`",
            );
            return None;
        };
        let name = Sp::new(
            t.fields[f].c_name.clone().unwrap_or_default(),
            t.fields[f].span,
        );
        self.rule_field(id, &name)
    }

    /// The field a value rule (`in`, `below`) reads: `field:`, which it needs.
    fn rule_value_field(
        &mut self,
        id: TypeId,
        given: &Option<Sp<String>>,
        at: Span,
        key: &str,
    ) -> Option<(usize, IntTy)> {
        match given {
            Some(f) => self.rule_field(id, f),
            None => {
                self.rule_error(
                    at,
                    format!("`{key}` needs the field it reads"),
                    "name it with `field:`",
                );
                None
            }
        }
    }

    /// A non-zero mask that fits the field's type.
    fn rule_mask(&mut self, e: &Sp<ExprText>, ty: IntTy, what: &str) -> Option<i128> {
        let (v, _) = self.eval_text(e, what)?;
        let bits = ty.bytes() * 8;
        if v <= 0 || v >> bits != 0 {
            self.rule_error(
                e.span,
                format!("{what} is {v:#x}: no bit, or bits past the {bits}-bit field"),
                "give flag names of the field's flag set, joined with `|`",
            );
            return None;
        }
        Some(v)
    }

    fn arg_rule(&mut self, id: TypeId, r: &Rule) -> Option<ArgRule> {
        let kinds: Vec<(&str, Span)> = [
            r.one_of.as_ref().map(|x| ("one-of", x.span)),
            r.at_most_one.as_ref().map(|x| ("at-most-one", x.span)),
            r.at_least_one.as_ref().map(|x| ("at-least-one", x.span)),
            r.if_set.as_ref().map(|x| ("if-set", x.span)),
            r.non_zero.as_ref().map(|x| ("non-zero", x.span)),
            r.sum.as_ref().map(|x| ("sum", x.span)),
            r.r#in.as_ref().map(|x| ("in", x.span)),
            r.below.as_ref().map(|x| ("below", x.span)),
            r.zero_together.as_ref().map(|x| ("zero-together", x.span)),
            r.known.as_ref().map(|x| ("known", x.span)),
            r.equals.as_ref().map(|x| ("equals", x.span)),
            r.nested.as_ref().map(|x| ("nested", x.span)),
        ]
        .into_iter()
        .flatten()
        .collect();
        let hint = "one of `one-of`, `at-most-one`, `at-least-one`, `if-set` (with `excludes`, `requires`, `zero`, `non-zero-fields` or `room`), `non-zero`, `sum`, `in`, `below`, `zero-together`, `known`, `equals` or `nested` per entry";
        let at = match kinds.as_slice() {
            [(_, span)] => *span,
            [] => {
                let span = r
                    .field
                    .as_ref()
                    .map(|f| f.span)
                    .or(r.errno.as_ref().map(|e| e.span))
                    .unwrap_or(self.types[id].span);
                self.rule_error(span, "a rule with no kind", hint);
                return None;
            }
            [_, (second, span), ..] => {
                self.rule_error(
                    *span,
                    format!("a rule with two kinds: `{}` and `{second}`", kinds[0].0),
                    hint,
                );
                return None;
            }
        };
        // Keys that go with one kind only.
        let pairs: [(Option<Span>, &str, bool); 6] = [
            (
                r.excludes.as_ref().map(|x| x.span),
                "excludes",
                r.if_set.is_some(),
            ),
            (
                r.non_zero_fields.as_ref().map(|x| x.span),
                "non-zero-fields",
                r.if_set.is_some(),
            ),
            (
                r.requires.as_ref().map(|x| x.span),
                "requires",
                r.if_set.is_some(),
            ),
            (r.zero.as_ref().map(|x| x.span), "zero", r.if_set.is_some()),
            (r.room.as_ref().map(|x| x.span), "room", r.if_set.is_some()),
            (r.max.as_ref().map(|x| x.span), "max", r.sum.is_some()),
        ];
        for (span, key, ok) in pairs {
            if let (Some(span), false) = (span, ok) {
                let with = if key == "max" { "sum" } else { "if-set" };
                self.rule_error(span, format!("`{key}` goes with `{with}`"), hint);
                return None;
            }
        }
        // `member:` makes the rule read the fields of a struct member (`info.lo_flags`).
        let outer = id;
        let (id, member) = match &r.member {
            Some(mb) => {
                let i = self.field_index(outer, mb, "the rule's member")?;
                match self.types[outer].fields[i].ty {
                    Ty::Named(inner) if self.types[inner].kind == Kind::Struct => {
                        (inner, Some((i, inner)))
                    }
                    _ => {
                        self.rule_error(
                            mb.span,
                            format!("`{}` is not a struct member", **mb),
                            "`member` names a field whose type is a struct",
                        );
                        return None;
                    }
                }
            }
            None => (outer, None),
        };
        let cond = if let Some(m) = r
            .one_of
            .as_ref()
            .or(r.at_most_one.as_ref())
            .or(r.at_least_one.as_ref())
        {
            let (field, ty) = self.rule_flags_field(id, &r.field, at)?;
            let mask = self.rule_mask(m, ty, "the bit group")?;
            let count = if r.one_of.is_some() {
                BitCount::ExactlyOne
            } else if r.at_most_one.is_some() {
                BitCount::AtMostOne
            } else {
                BitCount::AtLeastOne
            };
            if count == BitCount::AtMostOne && mask.count_ones() < 2 {
                self.rule_error(
                    m.span,
                    "`at-most-one` of a single bit holds always",
                    "name two bits or more",
                );
                return None;
            }
            Cond::Bits { field, mask, count }
        } else if let Some(s) = &r.if_set {
            let (field, ty) = self.rule_flags_field(id, &r.field, at)?;
            let if_set = self.rule_mask(s, ty, "the `if-set` bits")?;
            match (&r.excludes, &r.requires, &r.zero) {
                (None, None, None)
                    if r.room.is_none()
                        && r.non_zero_fields.as_ref().is_some_and(|z| !z.is_empty()) =>
                {
                    let mut non_zero = Vec::new();
                    for f in r.non_zero_fields.iter().flat_map(|z| z.iter()) {
                        non_zero.push(self.rule_field(id, f)?.0);
                    }
                    Cond::NonZeroIf {
                        flag_field: field,
                        if_set,
                        non_zero,
                    }
                }
                (None, None, None) if r.room.is_some() && r.non_zero_fields.is_none() => {
                    let room = r.room.as_ref()?;
                    let minsz = self.types[id]
                        .extensible
                        .as_ref()
                        .is_some_and(|e| e.style == Style::Minsz);
                    if !minsz || r.after.is_some() || r.member.is_some() {
                        self.rule_error(
                            room.span,
                            "`room` is for `minsz` structs, checked before the payload on the struct's own fields",
                            "the kernel's `argsz < minsz + sizeof(type)` of a VFIO argument",
                        );
                        return None;
                    }
                    let ty = self.parse_type(room)?;
                    Cond::Room {
                        flag_field: field,
                        if_set,
                        ty,
                    }
                }
                (Some(b), None, None) | (None, Some(b), None)
                    if r.non_zero_fields.is_none() && r.room.is_none() =>
                {
                    let bits = self.rule_mask(b, ty, "the bits")?;
                    Cond::IfSet {
                        field,
                        if_set,
                        bits,
                        requires: r.requires.is_some(),
                    }
                }
                (None, None, Some(z))
                    if !z.is_empty() && r.non_zero_fields.is_none() && r.room.is_none() =>
                {
                    let mut zero = Vec::new();
                    for f in z.iter() {
                        zero.push(self.rule_field(id, f)?.0);
                    }
                    Cond::ZeroIf {
                        flag_field: field,
                        if_set,
                        zero,
                    }
                }
                _ => {
                    self.rule_error(
                        s.span,
                        "`if-set` needs exactly one of `excludes`, `requires`, `zero`, `non-zero-fields` (a non-empty list) and `room`",
                        "`{ if-set: A, excludes: B | C }`, `{ if-set: A, requires: B }`, `{ if-set: A, zero: [iova, size] }`, `{ if-set: A, non-zero-fields: [a, b] }` or `{ if-set: A, room: struct vfio_bitmap }`",
                    );
                    return None;
                }
            }
        } else if let Some(f) = &r.non_zero {
            Cond::NonZero {
                field: self.rule_field(id, f)?.0,
            }
        } else if let Some(list) = &r.r#in {
            let (field, ty) = self.rule_value_field(id, &r.field, list.span, "in")?;
            let mut values = Vec::new();
            for e in list.iter() {
                let (v, _) = self.eval_text(e, "a value of `in`")?;
                if !fits(v, ty) {
                    self.rule_error(
                        e.span,
                        format!("{v:#x} does not fit the {}-bit field", ty.bytes() * 8),
                        "a value the field can hold",
                    );
                    return None;
                }
                // As the emitters read it: the field's bits, unsigned.
                values.push(if v < 0 {
                    v + (1i128 << (ty.bytes() * 8))
                } else {
                    v
                });
            }
            if values.is_empty() {
                self.rule_error(list.span, "`in` with no value", "`in: [VERSION_1]`");
                return None;
            }
            Cond::In { field, values }
        } else if let Some(b) = &r.below {
            let (field, ty) = self.rule_value_field(id, &r.field, b.span, "below")?;
            if let Some(limit) = self.runtime_ref(outer, b) {
                if ty.signed() {
                    self.rule_error(b.span, "`below` on a signed field", "an unsigned field");
                    return None;
                }
                let limit = limit?;
                return self.finish_rule(
                    (outer, id, member),
                    r,
                    Cond::BelowLimit { field, limit },
                    at,
                );
            }
            let (bound, _) = self.eval_text(b, "the bound of `below`")?;
            if ty.signed() || bound <= 0 || bound > 1i128 << (ty.bytes() * 8) {
                self.rule_error(
                    b.span,
                    format!("`below: {bound}` on a field that is signed or cannot reach it"),
                    "an unsigned field and a bound from 1 to 2^bits",
                );
                return None;
            }
            Cond::Below { field, bound }
        } else if let Some(z) = &r.zero_together {
            let [a, b] = z.as_slice() else {
                self.rule_error(
                    z.span,
                    format!("`zero-together` pairs two fields, not {}", z.len()),
                    "`zero-together: [data_type, data_len]`",
                );
                return None;
            };
            Cond::ZeroTogether {
                a: self.rule_field(id, a)?.0,
                b: self.rule_field(id, b)?.0,
            }
        } else if let Some(k) = &r.known {
            let (field, ty) = self.rule_flags_field(id, &r.field, at)?;
            let mask = self.rule_mask(k, ty, "the known bits")?;
            Cond::Known { field, mask }
        } else if let Some(v) = &r.equals {
            let Some(f) = &r.field else {
                self.rule_error(
                    v.span,
                    "`equals` needs the `field` it compares",
                    "`{ equals: UFFD_API, field: api }`",
                );
                return None;
            };
            let (field, ty) = self.rule_field(id, f)?;
            let (value, _) = self.eval_text(v, "the value")?;
            let bits = ty.bytes() * 8;
            if !fits(value, ty) {
                self.rule_error(
                    v.span,
                    format!("{value:#x} does not fit the {bits}-bit field"),
                    "give a value of the field's type",
                );
                return None;
            }
            // Loads are unsigned: compare with the field's bits.
            let value = if value < 0 {
                value + (1i128 << bits)
            } else {
                value
            };
            Cond::Equals { field, value }
        } else if let Some(n) = &r.nested {
            let i = self.field_index(id, n, "the nested member")?;
            let inner = match self.types[id].fields[i].ty {
                Ty::Named(inner)
                    if self.types[inner].origin.is_none()
                        && self.types[inner].parent.is_none()
                        && self.types[inner].kind == Kind::Struct =>
                {
                    inner
                }
                _ => {
                    self.rule_error(
                        n.span,
                        format!("`{}` is not a member of a named struct type of this spec", **n),
                        "`nested` runs the checks of a struct the spec defines (with `rules` or reserved fields)",
                    );
                    return None;
                }
            };
            Cond::Nested {
                field: i,
                ty: inner,
            }
        } else {
            let s = r.sum.as_ref()?;
            let [a, b] = s.as_slice() else {
                self.rule_error(
                    s.span,
                    format!("`sum` adds two fields, not {}", s.len()),
                    "`sum: [start, count]`",
                );
                return None;
            };
            let (a_i, a_t) = self.rule_field(id, a)?;
            let (b_i, b_t) = self.rule_field(id, b)?;
            if a_t.signed() || b_t.signed() {
                self.rule_error(
                    s.span,
                    "`sum` adds unsigned fields",
                    "a signed field's sum is not what the kernel bounds",
                );
                return None;
            }
            let top = 1i128 << (a_t.bytes().max(b_t.bytes()) * 8);
            if let Some(limit) = r.max.as_ref().and_then(|m| self.runtime_ref(outer, m)) {
                let limit = limit?;
                let cond = Cond::SumLimit {
                    a: a_i,
                    b: b_i,
                    limit,
                };
                return self.finish_rule((outer, id, member), r, cond, at);
            }
            let max = match &r.max {
                Some(m) => {
                    let (v, _) = self.eval_text(m, "the sum's maximum")?;
                    if v <= 0 || v > 1i128 << 64 {
                        self.rule_error(
                            m.span,
                            format!("the sum's maximum {v} is not between 1 and 2^64"),
                            "leave `max` out for `a + b - 1` not to wrap the type",
                        );
                        return None;
                    }
                    v
                }
                None => top,
            };
            Cond::SumMax {
                a: a_i,
                b: b_i,
                max,
            }
        };
        self.finish_rule((outer, id, member), r, cond, at)
    }

    /// The keys every kind takes: `unless`, `if-non-zero`, `after`, `errno`, `kernel`. `outer`
    /// is the rule's struct, `id` the struct whose fields it reads (a `member`'s type, or `outer`).
    fn finish_rule(
        &mut self,
        (outer, id, member): (TypeId, TypeId, Option<(usize, usize)>),
        r: &Rule,
        cond: Cond,
        at: Span,
    ) -> Option<ArgRule> {
        let unless = match &r.unless {
            Some(u) => {
                let (field, ty) = self.rule_flags_field(id, &r.field, u.span)?;
                Some((field, self.rule_mask(u, ty, "the `unless` bits")?))
            }
            None => None,
        };
        let if_non_zero = match &r.if_non_zero {
            Some(f) => Some(self.rule_field(id, f)?.0),
            None => None,
        };
        let id = outer;
        let after_payload = match &r.after {
            Some(a) if a.value == After::Payload => {
                let trailing = matches!(
                    self.types[id].payload.as_ref().map(|p| &p.kind),
                    Some(PayloadKind::Trailing { .. })
                );
                if !trailing {
                    self.rule_error(
                        a.span,
                        "`after: payload` on a struct without a payload in a trailing array",
                        "only a payload in `data[]` is checked before such a rule",
                    );
                    return None;
                }
                if cond.limit().is_some() {
                    self.rule_error(
                        a.span,
                        "a rule with a run-time limit is checked before the payload",
                        "the limits extend the struct's `check`, which runs before the payload",
                    );
                    return None;
                }
                true
            }
            _ => false,
        };
        let style = self.types[id].extensible.as_ref().map(|e| e.style);
        let errno = match (&r.errno, style) {
            (Some(e), _) => e.value,
            (None, Some(Style::CopyStruct)) => ErrnoName::Eopnotsupp,
            _ => ErrnoName::Einval,
        };
        Some(ArgRule {
            cond,
            unless,
            if_non_zero,
            errno,
            after_payload,
            member,
            kernel: r.kernel.clone(),
            span: at,
        })
    }
}

/// Whether `v` is a value of an integer field of type `ty` (its C value, or the bits of a
/// negative one, as `~0` in a `u32` field).
fn fits(v: i128, ty: IntTy) -> bool {
    let bits = ty.bytes() * 8;
    if ty.signed() {
        v >= -(1i128 << (bits - 1)) && v < 1i128 << (bits - 1)
    } else {
        v >= 0 && v < 1i128 << bits
    }
}
