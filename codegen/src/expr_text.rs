//! An integer expression as a spec writes it: a YAML integer, or a string holding a C-like
//! expression (parsed later by [`crate::expr`]).

#[cfg(feature = "schema")]
use std::borrow::Cow;

#[cfg(feature = "schema")]
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer};

/// An integer expression: a YAML integer, or a string holding a C-like expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprText(pub String);

impl<'de> Deserialize<'de> for ExprText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = ExprText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an integer or an integer expression such as `VFIO_BASE + 1`")
            }
            fn visit_u64<E>(self, v: u64) -> Result<ExprText, E> {
                Ok(ExprText(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<ExprText, E> {
                Ok(ExprText(v.to_string()))
            }
            fn visit_u128<E>(self, v: u128) -> Result<ExprText, E> {
                Ok(ExprText(v.to_string()))
            }
            fn visit_i128<E>(self, v: i128) -> Result<ExprText, E> {
                Ok(ExprText(v.to_string()))
            }
            fn visit_str<E>(self, v: &str) -> Result<ExprText, E> {
                Ok(ExprText(v.to_owned()))
            }
        }
        // Ask for the scalar text so that `0xffff` keeps its spelling in the C header.
        d.deserialize_str(V)
    }
}

#[cfg(feature = "schema")]
impl JsonSchema for ExprText {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Expr".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "description": "An integer, or a C-like integer expression over constants of this spec.",
            "type": ["integer", "string"]
        })
    }
}
