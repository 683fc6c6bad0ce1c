//! Resolved `rules:` of a struct: field indices and mask values.

use crate::spec::ErrnoName;
use crate::spec::Span;

/// What a rule requires of the argument; a violation gives the rule's errno. `T` is the
/// IR's type (`crate::ir::Cond` names it), generic here so that this module does not
/// import its parent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cond<T> {
    /// `popcount(field & mask)` is exactly one, at most one or at least one.
    Bits {
        field: usize,
        mask: i128,
        count: BitCount,
    },
    /// When `field & if_set != 0`: `field & bits == 0` (excludes) or `field & bits == bits`
    /// (requires).
    IfSet {
        field: usize,
        if_set: i128,
        bits: i128,
        requires: bool,
    },
    /// When `flag_field & if_set != 0`: every field of `zero` is zero.
    ZeroIf {
        flag_field: usize,
        if_set: i128,
        zero: Vec<usize>,
    },
    /// `field != 0`.
    NonZero { field: usize },
    /// `a + b <= max`, computed without wrap-around (`max` at most 2^64).
    SumMax { a: usize, b: usize, max: i128 },
    /// `field` holds one of `values` (a `version` constant, the values of a group).
    In { field: usize, values: Vec<i128> },
    /// `field < bound` (as unsigned; `bound` at most 2^64).
    Below { field: usize, bound: i128 },
    /// `a` and `b` are both zero or both non-zero.
    ZeroTogether { a: usize, b: usize },
    /// `field & !mask == 0`: no bit outside `mask`.
    Known { field: usize, mask: i128 },
    /// `field == value`.
    Equals { field: usize, value: i128 },
    /// The member `field`, of struct type `ty` (a type index; with a validator of its own), passes its
    /// checks; a failure gives the nested check's errno.
    Nested { field: usize, ty: usize },
    /// When `flag_field & if_set != 0`: no field of `non_zero` is zero.
    NonZeroIf {
        flag_field: usize,
        if_set: i128,
        non_zero: Vec<usize>,
    },
    /// `a + b <= limit`, computed without wrap-around, where `limit` is the caller's run-time
    /// limit of that index (the struct's `runtime`); not checked without it.
    SumLimit { a: usize, b: usize, limit: usize },
    /// `field < limit` (unsigned), the caller's run-time limit of that index.
    BelowLimit { field: usize, limit: usize },
    /// When `flag_field & if_set != 0`: the size field is at least the minimum size plus the
    /// size of `ty` (else the rule's errno), and the buffer holds that much (else EFAULT).
    Room {
        flag_field: usize,
        if_set: i128,
        ty: T,
    },
}

impl<T> Cond<T> {
    /// The run-time limit the condition reads, if any.
    pub fn limit(&self) -> Option<usize> {
        match self {
            Cond::SumLimit { limit, .. } | Cond::BelowLimit { limit, .. } => Some(*limit),
            _ => None,
        }
    }
}

/// A limit the kernel knows only at run time (`num_irqs`), passed by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeLimit {
    pub name: String,
    pub doc: Option<String>,
}

/// How many bits of a group may be set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BitCount {
    ExactlyOne,
    AtMostOne,
    AtLeastOne,
}

/// One argument rule of a struct (`T`: the IR's type, as in [`Cond`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgRule<T> {
    pub cond: Cond<T>,
    /// The rule is skipped when `field & mask != 0`.
    pub unless: Option<(usize, i128)>,
    /// The rule applies only when this field is not zero.
    pub if_non_zero: Option<usize>,
    pub errno: ErrnoName,
    /// Checked after the payload rather than before it.
    pub after_payload: bool,
    /// The rule's fields are those of this struct member (field index, its type).
    pub member: Option<(usize, usize)>,
    /// Where the kernel makes the check.
    pub kernel: Option<String>,
    pub span: Span,
}
