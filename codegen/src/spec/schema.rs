//! The schema of the spec types that are not derived (the `schema` feature).

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator};

use super::Allow;

/// In the schema, an `allow` is a map from rule IDs to reasons.
impl JsonSchema for Allow {
    fn inline_schema() -> bool {
        <BTreeMap<String, String>>::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        <BTreeMap<String, String>>::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        <BTreeMap<String, String>>::schema_id()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        <BTreeMap<String, String>>::json_schema(generator)
    }
}
