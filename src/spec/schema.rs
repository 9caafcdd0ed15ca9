//! The spec as a JSON Schema (draft 2020-12), rendered from the reader's own tables
//! (`spec::fields`): what an editor checks is what `validate` checks first — keys, types, enums,
//! limits and defaults. The rest (names, references between resources, patterns' operators,
//! lints) only `trailctl validate` knows.

use serde_json::{Map, Value, json};

use crate::spec::fields::{self, Default, Field, Shape};

/// The JSON Schema of spec version 1.
pub fn spec_schema() -> Value {
    let Value::Object(mut root) = object(fields::ROOT, false) else {
        return Value::Null;
    };
    let mut head = Map::new();
    head.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    head.insert("title".into(), json!("trailctl spec, version 1"));
    head.insert(
        "description".into(),
        json!("CloudTrail trails and EventBridge alerts as code: see docs/spec.md. `trailctl validate` checks what a schema cannot."),
    );
    head.append(&mut root);
    head.insert(
        "$defs".into(),
        json!({
            "eventPattern": {
                "description": "An EventBridge event pattern: a mapping whose leaves are non-empty lists of values or matchers.",
                "type": "object",
                "additionalProperties": {
                    "anyOf": [
                        {"type": "array", "minItems": 1},
                        {"$ref": "#/$defs/eventPattern"}
                    ]
                }
            }
        }),
    );
    Value::Object(head)
}

fn object(table: &[Field], one_key: bool) -> Value {
    let mut properties = Map::new();
    for f in table {
        properties.insert(f.key.to_owned(), property(f));
    }
    let required: Vec<&str> = table.iter().filter(|f| f.required).map(|f| f.key).collect();
    let mut m = Map::new();
    m.insert("type".into(), json!("object"));
    m.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        m.insert("required".into(), json!(required));
    }
    m.insert("additionalProperties".into(), json!(false));
    if one_key {
        m.insert("minProperties".into(), json!(1));
        m.insert("maxProperties".into(), json!(1));
    }
    Value::Object(m)
}

fn property(f: &Field) -> Value {
    let mut v = shape(&f.shape);
    if !f.required {
        v = nullable(v);
    }
    if let Value::Object(m) = &mut v {
        m.insert("description".into(), json!(f.doc));
        match f.default {
            Some(Default::Bool(b)) => {
                m.insert("default".into(), json!(b));
            }
            Some(Default::Text(t)) => {
                m.insert("default".into(), json!(t));
            }
            Some(Default::Integer(n)) => {
                m.insert("default".into(), json!(n));
            }
            None => {}
        }
    }
    v
}

/// An optional key may be written with no value (`prefix:`), which the reader takes as absent.
fn nullable(v: Value) -> Value {
    let Value::Object(mut m) = v else {
        return v;
    };
    if let Some(Value::Array(values)) = m.get_mut("enum") {
        values.push(Value::Null);
    }
    if let Some(Value::String(t)) = m.get("type").cloned() {
        m.insert("type".into(), json!([t, "null"]));
    } else if let Some(Value::Array(branches)) = m.get_mut("anyOf") {
        branches.push(json!({"type": "null"}));
    } else {
        return json!({"anyOf": [Value::Object(m), {"type": "null"}]});
    }
    Value::Object(m)
}

fn shape(s: &Shape) -> Value {
    match s {
        Shape::String => json!({"type": "string"}),
        Shape::Bool => json!({"type": "boolean"}),
        Shape::Integer { min, max } if min == max => json!({"type": "integer", "const": min}),
        Shape::Integer { min, max } if *max == u64::MAX => {
            json!({"type": "integer", "minimum": min})
        }
        Shape::Integer { min, max } => json!({"type": "integer", "minimum": min, "maximum": max}),
        Shape::OneOf(names) => json!({"type": "string", "enum": names}),
        Shape::List(item) => json!({"type": "array", "items": shape(item)}),
        Shape::Object(table) => object(table, false),
        Shape::OneKey(table) => object(table, true),
        Shape::StringMap => json!({"type": "object", "additionalProperties": {"type": "string"}}),
        Shape::EventPattern => json!({"$ref": "#/$defs/eventPattern"}),
        Shape::AnyMapping => json!({"type": "object"}),
        Shape::AnyOf(shapes) => json!({"anyOf": shapes.iter().map(shape).collect::<Vec<_>>()}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_a_description_and_the_root_is_closed() {
        let s = spec_schema();
        assert_eq!(s["additionalProperties"], json!(false));
        assert_eq!(s["required"], json!(["version", "stack", "home_region"]));
        let trail = &s["properties"]["trails"]["items"];
        assert_eq!(trail["properties"]["all_regions"]["default"], json!(true));
        assert_eq!(
            trail["properties"]["management_events"]["enum"],
            json!(["all", "read_only", "write_only", "none", null])
        );
        fn walk(v: &Value, at: &str) {
            if let Some(props) = v.get("properties").and_then(Value::as_object) {
                for (k, p) in props {
                    assert!(p.get("description").is_some(), "{at}.{k}");
                    walk(p, &format!("{at}.{k}"));
                }
            }
            for key in ["items", "anyOf"] {
                match v.get(key) {
                    Some(Value::Array(items)) => items.iter().for_each(|i| walk(i, at)),
                    Some(item) => walk(item, at),
                    None => {}
                }
            }
        }
        walk(&s, "");
    }
}
