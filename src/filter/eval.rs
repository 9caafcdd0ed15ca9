//! Does a filter match a record? As the guide says a metric filter decides it: a selector must
//! reach a value node (a string or a number) for `=`, `!=` and the numeric operators, so both
//! `$.users = 1` and `$.users != 1` fail on a list or an object, and both fail on a missing
//! field (`NOT EXISTS` is how a filter asks for absence); `IS NULL` holds only for JSON null,
//! `IS TRUE`/`IS FALSE` only for booleans.

use serde_json::Value as Json;

use super::parse::{Comparison, Expr, Filter, Selector, Step, Test, Value};

impl Filter {
    /// Whether the filter matches `record` (the log event's JSON: a CloudTrail record).
    pub fn matches(&self, record: &Json) -> bool {
        self.expr.matches(record)
    }
}

impl Expr {
    fn matches(&self, record: &Json) -> bool {
        match self {
            Expr::And(parts) => parts.iter().all(|p| p.matches(record)),
            Expr::Or(parts) => parts.iter().any(|p| p.matches(record)),
            Expr::Cmp(c) => c.matches(record),
        }
    }
}

impl Selector {
    /// The value the selector reaches, if any.
    pub fn select<'a>(&self, record: &'a Json) -> Option<&'a Json> {
        self.steps.iter().try_fold(record, |v, step| match step {
            Step::Key(k) => v.as_object()?.get(k),
            Step::Index(i) => v.as_array()?.get(*i),
        })
    }
}

impl Comparison {
    fn matches(&self, record: &Json) -> bool {
        let found = self.selector.select(record);
        match &self.test {
            Test::NotExists => found.is_none(),
            Test::IsNull => found.is_some_and(Json::is_null),
            Test::IsTrue => found == Some(&Json::Bool(true)),
            Test::IsFalse => found == Some(&Json::Bool(false)),
            Test::Equal(v) => found.is_some_and(|f| node(f) && v.equals(f)),
            Test::NotEqual(v) => found.is_some_and(|f| node(f) && !v.equals(f)),
            Test::Less(n) => number(found).is_some_and(|x| x < *n),
            Test::LessOrEqual(n) => number(found).is_some_and(|x| x <= *n),
            Test::Greater(n) => number(found).is_some_and(|x| x > *n),
            Test::GreaterOrEqual(n) => number(found).is_some_and(|x| x >= *n),
        }
    }
}

/// A value node: what `=` and `!=` compare.
fn node(v: &Json) -> bool {
    v.is_string() || v.is_number()
}

fn number(v: Option<&Json>) -> Option<f64> {
    v?.as_f64()
}

impl Value {
    /// Whether a value node equals this value.
    fn equals(&self, found: &Json) -> bool {
        let text = match found {
            Json::String(s) => s.clone(),
            Json::Number(n) => n.to_string(),
            _ => return false,
        };
        match self {
            Value::Any => true,
            Value::Number { value, text: t } => match found {
                Json::Number(n) => n.as_f64() == Some(*value),
                _ => text == *t,
            },
            Value::Text {
                text: t,
                any_before,
                any_after,
            } => match (any_before, any_after) {
                (false, false) => text == *t,
                (true, false) => text.ends_with(t.as_str()),
                (false, true) => text.starts_with(t.as_str()),
                (true, true) => text.contains(t.as_str()),
            },
        }
    }
}

impl Filter {
    /// Each selector of the filter (once, in order) with the value it reaches in `record`: what
    /// a verdict shows.
    pub fn explain(&self, record: &Json) -> Vec<(String, Option<String>)> {
        let mut seen: Vec<&Selector> = Vec::new();
        collect(&self.expr, &mut seen);
        seen.into_iter()
            .map(|s| (s.to_string(), s.select(record).map(Json::to_string)))
            .collect()
    }
}

fn collect<'a>(e: &'a Expr, out: &mut Vec<&'a Selector>) {
    match e {
        Expr::And(parts) | Expr::Or(parts) => parts.iter().for_each(|p| collect(p, out)),
        Expr::Cmp(c) => {
            if !out.contains(&&c.selector) {
                out.push(&c.selector);
            }
        }
    }
}
