//! JSON compared by meaning: key order, array order and one-element arrays do not matter.
//!
//! This is the equivalence IAM policies (and EventBridge patterns) have: `"Action": "s3:Get*"`
//! equals `"Action": ["s3:Get*"]`, and statements, actions or values in another order are the
//! same policy.

use serde_json::Value;

/// The canonical form of `v`: objects with sorted keys (serde_json's map is ordered), arrays
/// sorted and de-duplicated, one-element arrays replaced by their element.
pub fn canonical(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), canonical(v))).collect())
        }
        Value::Array(items) => {
            let mut items: Vec<Value> = items.iter().map(canonical).collect();
            items.sort_by_cached_key(Value::to_string);
            items.dedup();
            if items.len() == 1 {
                items.pop().unwrap_or(Value::Null)
            } else {
                Value::Array(items)
            }
        }
        other => other.clone(),
    }
}

/// `v` with arrays sorted and de-duplicated (objects are already sorted), but kept as arrays:
/// the form shown to people, stable from run to run.
pub fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), sorted(v))).collect())
        }
        Value::Array(items) => {
            let mut items: Vec<Value> = items.iter().map(sorted).collect();
            items.sort_by_cached_key(Value::to_string);
            items.dedup();
            Value::Array(items)
        }
        other => other.clone(),
    }
}

/// Whether `a` and `b` mean the same.
pub fn equivalent(a: &Value, b: &Value) -> bool {
    canonical(a) == canonical(b)
}

/// Two optional JSON documents that mean the same (both absent, or equivalent).
pub fn same_json(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => equivalent(x, y),
        (x, y) => x.is_none() && y.is_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn policies_equal_by_meaning() {
        let a = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": ["b", "a"]},
            {"Effect": "Deny", "Action": "s3:*", "Resource": "c"}]});
        let b = json!({"Statement": [
            {"Resource": "c", "Action": ["s3:*"], "Effect": "Deny"},
            {"Action": "s3:PutObject", "Effect": "Allow", "Resource": ["a", "b", "a"]}],
            "Version": "2012-10-17"});
        assert!(equivalent(&a, &b));
        let c = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "a"}]});
        assert!(!equivalent(&a, &c));
    }
}
