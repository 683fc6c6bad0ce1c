//! The check program: each validated struct lowered once to the list of checks the kernel
//! makes on its argument, in the kernel's order, each with its errno. The Rust printer
//! (`emit::rust::checks` and the payload decoders) and the C printer (`emit::c::validate`)
//! print this list and decide nothing of their own, so the two validators cannot disagree.
//!
//! A program reads a buffer `buf` of `len` bytes and keeps one running value, `size`: the
//! size field of an extensible struct once it is read, `len` otherwise. Later checks read no
//! further than `size`.

use crate::analysis::{Facts, variant_ty};
use crate::ir::{Module, PayloadKind, Ty, TypeId};
use crate::layout::{Layout, type_size};
use crate::spec::{Data, ErrnoName, Style};

/// The errors a check can give, as the kernel's errno names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Errno {
    /// `EFAULT`: the buffer does not hold what the arguments say it does.
    Fault,
    /// `EINVAL`: a field has a wrong value.
    Inval,
    /// `E2BIG`: bytes this revision does not know are not zero.
    TooBig,
    /// `EOPNOTSUPP`: a known field holds a value this revision does not support.
    OpNotSupp,
    /// `ENOTTY`: the driver has no such operation (VFIO's unknown feature or IRQ action).
    NotTty,
    /// `EOVERFLOW`: a value does not fit where the kernel puts it.
    Overflow,
    /// `ENOSPC`: a buffer or table is full.
    NoSpc,
}

impl Errno {
    /// The C name, e.g. `EINVAL`.
    pub fn c_name(self) -> &'static str {
        match self {
            Errno::Fault => "EFAULT",
            Errno::Inval => "EINVAL",
            Errno::TooBig => "E2BIG",
            Errno::OpNotSupp => "EOPNOTSUPP",
            Errno::NotTty => "ENOTTY",
            Errno::Overflow => "EOVERFLOW",
            Errno::NoSpc => "ENOSPC",
        }
    }
}

impl From<ErrnoName> for Errno {
    fn from(e: ErrnoName) -> Self {
        match e {
            ErrnoName::Einval => Errno::Inval,
            ErrnoName::Eopnotsupp => Errno::OpNotSupp,
            ErrnoName::Enotty => Errno::NotTty,
            ErrnoName::Eoverflow => Errno::Overflow,
            ErrnoName::Enospc => Errno::NoSpc,
            ErrnoName::E2big => Errno::TooBig,
            ErrnoName::Efault => Errno::Fault,
        }
    }
}

/// The smallest valid value of an extensible struct's size field: the end of its last
/// mandatory member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MinSize {
    /// The last mandatory member (a field index of the struct).
    pub field: usize,
    /// Its end on each ABI, in the order of [`crate::abi::ABIS`], from the layout pass.
    pub per_abi: Vec<u64>,
    /// A named member whose end is that end on every ABI, as field indices from the struct
    /// down through anonymous members (`[field]` itself when it has a name): what C can
    /// measure with `offsetofend`. `None` when no named member ends there on every ABI.
    pub measure: Option<Vec<usize>>,
}

/// One check, in program order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    /// The buffer holds the size field (a `u32` at offset 0): `len < 4` gives `errno`.
    /// Then `size` is the size field.
    SizeField { field: usize, errno: Errno },
    /// `size < min` gives `errno`.
    MinSize { min: MinSize, errno: Errno },
    /// `size > len` gives `errno` (`copy_struct_from_user` reads `size` bytes).
    WithinBuffer { errno: Errno },
    /// `len < min` gives `errno`: the kernel copies the mandatory part whatever the size
    /// field says (`minsz` style), and faults when the buffer does not hold it.
    MandatoryInBuffer { errno: Errno },
    /// `size = min(size, len)`: the kernel reads only what it needs, so a size field larger
    /// than the buffer is no error by itself (`minsz` style); later checks read no further.
    ClampToBuffer,
    /// `copy_struct_from_user`: any non-zero byte in `[sizeof(struct), size)` gives `errno`.
    UnknownTailZero { errno: Errno },
    /// A struct without a size field: `len < sizeof(struct)` gives `errno`.
    WholeStruct { errno: Errno },
    /// `field & ~mask != 0` (bits this revision does not know) gives `errno`.
    KnownFlags {
        field: usize,
        mask: i128,
        errno: Errno,
    },
    /// The reserved `field` (as far as `size` reaches) must be all zero, else `errno`.
    ReservedZero { field: usize, errno: Errno },
    /// The payload: the tag selects an arm; an unknown tag gives `unknown`.
    Payload(PayloadCheck),
    /// A rule of the spec (`rules:`): `cond` must hold unless `unless` bits are set.
    Rule(RuleCheck),
}

/// A lowered `rules:` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleCheck {
    pub cond: crate::ir::Cond,
    /// Skipped when `field & mask != 0`.
    pub unless: Option<(usize, i128)>,
    /// Checked only when this field is not zero.
    pub if_non_zero: Option<usize>,
    pub errno: Errno,
    /// The fields are those of this struct member (field index, its type).
    pub member: Option<(usize, TypeId)>,
}

/// The payload part of a program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayloadCheck {
    pub tag_field: usize,
    /// The bits of the tag field that select the variant (all when `None`).
    pub tag_mask: Option<i128>,
    /// Where the payload starts, for payloads inside the argument (trailing array or union
    /// member): `avail` is then what `size` leaves past its offset.
    pub data: Option<usize>,
    /// The field counting the payload's elements (trailing arrays with a count).
    pub count: Option<usize>,
    pub arms: Vec<Arm>,
    pub unknown: Errno,
    /// With any of these bits in the tag field only the tag is checked (a probe).
    pub unless: Option<i128>,
    /// The errno of an operation bit an arm does not support (its `denied_ops`).
    pub ops_errno: Errno,
}

/// What one tag value requires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arm {
    pub tag: i128,
    pub tag_name: Option<String>,
    /// Operation bits of the tag field this arm does not support: any of them set gives
    /// `ops_errno`, before the probe returns (the kernel's `vfio_check_feature`).
    pub denied_ops: i128,
    pub need: Need,
    /// A struct with a validator of its own that the payload holds: it is checked on what
    /// `avail` leaves, and its answer is the answer.
    pub nested: Option<TypeId>,
}

/// The room a variant needs in the argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Need {
    /// Nothing is checked (no data, or data behind a pointer).
    Nothing,
    /// `count` elements of this type: `count * sizeof(elem) > avail` gives `EINVAL`.
    Elements(Ty),
    /// One value of this type: `avail < sizeof(type)` gives `EINVAL`.
    Value(Ty),
    /// A member of the union at field `data`: `avail < sizeof(member)` gives `EINVAL`.
    UnionMember { member: usize },
}

/// The checks of one validated struct.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    pub ty: TypeId,
    pub checks: Vec<Check>,
}

impl Program {
    /// The minimum size check, when the struct is extensible.
    pub fn min_size(&self) -> Option<&MinSize> {
        self.checks.iter().find_map(|c| match c {
            Check::MinSize { min, .. } => Some(min),
            _ => None,
        })
    }

    /// The known-flags check, when the struct has one.
    pub fn known_flags(&self) -> Option<(usize, i128)> {
        self.checks.iter().find_map(|c| match c {
            Check::KnownFlags { field, mask, .. } => Some((*field, *mask)),
            _ => None,
        })
    }

    /// Whether a rule reads a run-time limit (so `validate_with` exists).
    pub fn has_limits(&self) -> bool {
        self.checks
            .iter()
            .any(|c| matches!(c, Check::Rule(r) if r.cond.limit().is_some()))
    }

    /// The payload check, when the struct carries a payload.
    pub fn payload(&self) -> Option<&PayloadCheck> {
        self.checks.iter().find_map(|c| match c {
            Check::Payload(p) => Some(p),
            _ => None,
        })
    }
}

/// Lower every validated struct of `m` (see [`Facts::validated`]), indexed by type.
pub fn lower(m: &Module, layouts: &[Layout], facts: &Facts) -> Vec<Option<Program>> {
    (0..m.types.len())
        .map(|id| facts.validated(id).then(|| program(m, layouts, facts, id)))
        .collect()
}

fn program(m: &Module, layouts: &[Layout], facts: &Facts, id: TypeId) -> Program {
    let t = &m.types[id];
    let mut checks = Vec::new();
    // The errno of a wrong field value: EOPNOTSUPP under copy_struct_from_user.
    let field_errno = t
        .extensible
        .as_ref()
        .map_or(Errno::Inval, |e| e.field_errno().into());
    match &t.extensible {
        Some(e) => {
            checks.push(Check::SizeField {
                field: e.size_field,
                errno: Errno::Fault,
            });
            let last = e.mandatory.saturating_sub(1);
            let per_abi: Vec<u64> = layouts
                .iter()
                .map(|l| end_of(m, l, id, &[last]).unwrap_or(0))
                .collect();
            let measure = measure(m, layouts, id, vec![last], &per_abi);
            let min = Check::MinSize {
                min: MinSize {
                    field: last,
                    per_abi,
                    measure,
                },
                errno: Errno::Inval,
            };
            if e.style == Style::CopyStruct {
                checks.push(min);
                checks.push(Check::WithinBuffer {
                    errno: Errno::Fault,
                });
                checks.push(Check::UnknownTailZero {
                    errno: Errno::TooBig,
                });
            } else {
                // copy_from_user(&x, arg, minsz) comes before `argsz < minsz`.
                checks.push(Check::MandatoryInBuffer {
                    errno: Errno::Fault,
                });
                checks.push(min);
                checks.push(Check::ClampToBuffer);
            }
            // Unknown flags of a field the kernel writes (and ignores on input) are not
            // refused: `data: out`.
            if let Some((field, mask)) = e.flags.filter(|(f, _)| !written_by_kernel(t, *f)) {
                checks.push(Check::KnownFlags {
                    field,
                    mask,
                    errno: field_errno,
                });
            }
        }
        None => checks.push(Check::WholeStruct {
            errno: Errno::Inval,
        }),
    }
    if facts.has_reserved(id) {
        for (field, _) in t
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.reserved && !matches!(f.ty, Ty::Flex(_)) && f.data != Data::Out)
        {
            checks.push(Check::ReservedZero {
                field,
                errno: field_errno,
            });
        }
    }
    let rule = |r: &crate::ir::ArgRule| {
        Check::Rule(RuleCheck {
            cond: r.cond.clone(),
            unless: r.unless,
            if_non_zero: r.if_non_zero,
            errno: r.errno.into(),
            member: r.member,
        })
    };
    checks.extend(t.rules.iter().filter(|r| !r.after_payload).map(rule));
    if let Some(p) = &t.payload {
        let (data, count) = match &p.kind {
            PayloadKind::Trailing { data, count } => (Some(*data), *count),
            PayloadKind::Union { data } => (Some(*data), None),
            _ => (None, None),
        };
        let arms = p
            .variants
            .iter()
            .map(|v| {
                let vty = variant_ty(m, id, p, v);
                let need = match (&p.kind, vty, v.member) {
                    (PayloadKind::Trailing { count: Some(_), .. }, Some(ty), _) => {
                        Need::Elements(ty.clone())
                    }
                    (PayloadKind::Trailing { .. }, Some(ty), _) => Need::Value(ty.clone()),
                    (PayloadKind::Union { .. }, Some(_), Some(member)) => {
                        Need::UnionMember { member }
                    }
                    _ => Need::Nothing,
                };
                // A nested struct with checks of its own (in this spec or a used one).
                let nested = match (&need, vty) {
                    (Need::Value(_) | Need::UnionMember { .. }, Some(Ty::Named(inner)))
                        if facts.has_checks(m, *inner) =>
                    {
                        Some(*inner)
                    }
                    _ => None,
                };
                Arm {
                    tag: v.tag,
                    tag_name: v.tag_name.clone(),
                    denied_ops: v.denied_ops,
                    need,
                    nested,
                }
            })
            .collect();
        checks.push(Check::Payload(PayloadCheck {
            tag_field: p.tag_field,
            tag_mask: p.tag_mask,
            data,
            count,
            arms,
            unknown: p.unknown.into(),
            unless: p.unless,
            ops_errno: field_errno,
        }));
    }
    checks.extend(t.rules.iter().filter(|r| r.after_payload).map(rule));
    Program { ty: id, checks }
}

/// Whether field `f` of `t` is one the kernel only writes (`data: out`).
fn written_by_kernel(t: &crate::ir::TypeDef, f: usize) -> bool {
    t.fields.get(f).is_some_and(|f| f.data == Data::Out)
}

/// The end (offset + size) of the member at `path` (field indices from type `id` down) on
/// one ABI.
fn end_of(m: &Module, l: &Layout, id: TypeId, path: &[usize]) -> Option<u64> {
    let mut ty = id;
    let mut offset = 0;
    let (last, inner) = path.split_last()?;
    for &f in inner {
        offset += l.types[ty].offsets.get(f)?;
        ty = match &m.types[ty].fields.get(f)?.ty {
            Ty::Named(next) => *next,
            _ => return None,
        };
    }
    let f = m.types[ty].fields.get(*last)?;
    Some(offset + l.types[ty].offsets.get(*last)? + type_size(l, &f.ty))
}

/// The last named member at or below `path` (through anonymous members only) that ends at
/// `ends` on every ABI.
fn measure(
    m: &Module,
    layouts: &[Layout],
    id: TypeId,
    path: Vec<usize>,
    ends: &[u64],
) -> Option<Vec<usize>> {
    let mut ty = id;
    for &f in &path[..path.len().saturating_sub(1)] {
        ty = match &m.types[ty].fields.get(f)?.ty {
            Ty::Named(next) => *next,
            _ => return None,
        };
    }
    let f = m.types[ty].fields.get(*path.last()?)?;
    if f.c_name.is_some() {
        let all = layouts
            .iter()
            .zip(ends)
            .all(|(l, &end)| end_of(m, l, id, &path) == Some(end));
        return all.then_some(path);
    }
    let Ty::Named(anon) = &f.ty else { return None };
    (0..m.types[*anon].fields.len()).rev().find_map(|i| {
        let mut p = path.clone();
        p.push(i);
        measure(m, layouts, id, p, ends)
    })
}
