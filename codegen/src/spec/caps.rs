//! A capability chain of a struct (`caps:`), as the spec writes it.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::Deserialize;

use super::span::Sp;
use crate::expr_text::ExprText;

/// A capability chain: `offset` gives where the first capability starts (when `flag` is
/// set); each begins with `header` and links to the next.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Caps {
    pub offset: Sp<String>,
    #[serde(default)]
    pub flag: Option<Sp<ExprText>>,
    /// The header struct (with `id`, `version` and `next` fields).
    pub header: Sp<String>,
    #[serde(default)]
    pub doc: Option<String>,
    pub variants: Vec<CapVariant>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CapVariant {
    pub id: Sp<ExprText>,
    #[serde(default)]
    pub version: Option<Sp<u32>>,
    #[serde(rename = "type")]
    pub ty: Sp<String>,
    #[serde(default)]
    pub rust_name: Option<Sp<String>>,
    #[serde(default)]
    pub doc: Option<String>,
}
