//! `rules:` of a struct as written: the kernel's checks of field values that the flags mask
//! and the reserved fields do not say. Each entry has one kind key (`one-of`, `at-most-one`,
//! `at-least-one`, `if-set` with `excludes`, `requires` or `zero`, `non-zero`, `sum`) and
//! the common keys `field`, `unless`, `errno`, `after` and `kernel`.

use schemars::JsonSchema;
use serde::Deserialize;

use super::{ErrnoName, ExprText, Sp};

/// One rule; exactly one kind key is given (the resolver says which are missing or extra).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Rule {
    /// Exactly one bit of this mask is set in `field` (VFIO_IRQ_SET_DATA_TYPE_MASK).
    #[serde(default)]
    pub one_of: Option<Sp<ExprText>>,
    /// At most one bit of this mask is set (GET and SET of VFIO_DEVICE_FEATURE).
    #[serde(default)]
    pub at_most_one: Option<Sp<ExprText>>,
    /// At least one bit of this mask is set.
    #[serde(default)]
    pub at_least_one: Option<Sp<ExprText>>,
    /// When any of these bits is set in `field`, `excludes`, `requires` or `zero` applies.
    #[serde(default)]
    pub if_set: Option<Sp<ExprText>>,
    /// With `if-set`: none of these bits may be set as well.
    #[serde(default)]
    pub excludes: Option<Sp<ExprText>>,
    /// With `if-set`: all of these bits must be set as well.
    #[serde(default)]
    pub requires: Option<Sp<ExprText>>,
    /// With `if-set`: these fields must be zero.
    #[serde(default)]
    pub zero: Option<Sp<Vec<Sp<String>>>>,
    /// This field must not be zero.
    #[serde(default)]
    pub non_zero: Option<Sp<String>>,
    /// Two unsigned fields whose exact sum (no wrap-around) must not exceed `max`.
    #[serde(default)]
    pub sum: Option<Sp<Vec<Sp<String>>>>,
    /// With `sum`: the largest allowed sum (default: 2^N for N-bit fields: the range
    /// `[a, a + b)` ends at or below the top of the type, as `a + b - 1 < a` checks).
    #[serde(default)]
    pub max: Option<Sp<ExprText>>,
    /// The field the bit rules read (default: the flags field of the struct).
    #[serde(default)]
    pub field: Option<Sp<String>>,
    /// The rule does not apply when any of these bits is set in the flags field
    /// (VFIO_DEVICE_FEATURE_PROBE).
    #[serde(default)]
    pub unless: Option<Sp<ExprText>>,
    /// What a violation gives (default: EINVAL, or EOPNOTSUPP for `copy-struct`).
    #[serde(default)]
    pub errno: Option<Sp<ErrnoName>>,
    /// `payload`: the kernel checks this after the payload (a driver's check after the
    /// core's), so a payload error comes first.
    #[serde(default)]
    pub after: Option<Sp<After>>,
    /// Where the kernel makes this check (file and function), for the reader.
    #[serde(default)]
    pub kernel: Option<String>,
}

/// When a rule is checked relative to the payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum After {
    Payload,
}
