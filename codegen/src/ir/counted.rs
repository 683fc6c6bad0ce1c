//! The counted flexible array of a struct (`count` on its last member).

use super::{Cond, Scalar, Ty, TypeDef};

impl TypeDef {
    /// A flexible array with a `count`: (array field, count field, most elements). The most
    /// is the spec's `max`, else one less than the bound of an unconditional `below` rule of
    /// the count field, else what the count field holds.
    pub fn counted(&self) -> Option<(usize, usize, u64)> {
        let ai = self.fields.len().checked_sub(1)?;
        let (ci, max) = self.fields[ai].count?;
        let top = match &self.fields.get(ci)?.ty {
            Ty::Scalar(Scalar::Int(t)) => u64::try_from(t.max()).unwrap_or(u64::MAX),
            _ => u64::MAX,
        };
        let from_rule = self.count_rule_max(ci);
        // With both, the tighter one (a larger `max` is refused when compiling).
        let max = match (max, from_rule) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Some((ai, ci, max.unwrap_or(top).min(top)))
    }

    /// The most elements the tightest unconditional `below` rule of field `ci` lets
    /// through (its bound minus one).
    pub fn count_rule_max(&self, ci: usize) -> Option<u64> {
        self.rules
            .iter()
            .filter_map(|r| match r.cond {
                Cond::Below { field, bound }
                    if field == ci
                        && r.unless.is_none()
                        && r.if_non_zero.is_none()
                        && r.member.is_none() =>
                {
                    Some(u64::try_from(bound.saturating_sub(1).max(0)).unwrap_or(u64::MAX))
                }
                _ => None,
            })
            .min()
    }
}
