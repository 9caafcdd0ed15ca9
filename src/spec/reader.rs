//! Typed reads over a parsed YAML tree that collect every problem instead of stopping at the first.

use serde_yaml::{Mapping, Value};

use crate::model::diagnostic::{Diagnostic, SpecPath};
use crate::model::tags::{RESERVED_PREFIX, Tags};
use crate::spec::fields::{self, Field, Shape};
use crate::spec::names;
use crate::spec::suggest;

/// Collects diagnostics while a spec is decoded and checked.
#[derive(Debug, Default)]
pub struct Ctx {
    pub diagnostics: Vec<Diagnostic>,
}

impl Ctx {
    pub fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    pub fn error(&mut self, path: &SpecPath, message: impl Into<String>) {
        self.push(Diagnostic::error(path, message));
    }
}

/// "a string", "a list", …: how a value is named in messages.
pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing (null)",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

fn type_error(ctx: &mut Ctx, path: &SpecPath, expected: &str, v: &Value) {
    let mut d = Diagnostic::error(path, format!("expected {expected}, found {}", kind_of(v)));
    if expected == "a string" && matches!(v, Value::Number(_) | Value::Bool(_)) {
        d = d.with_hint("quote the value to make it a string");
    }
    if let Value::Tagged(t) = v {
        d = d.with_hint(format!(
            "YAML tags such as `{}` are not part of the spec",
            t.tag
        ));
    }
    ctx.push(d);
}

/// A string value at `path`, or a type error.
pub fn string(ctx: &mut Ctx, v: &Value, path: &SpecPath) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        _ => {
            type_error(ctx, path, "a string", v);
            None
        }
    }
}

/// A mapping being read field by field, against its table of fields (`spec::fields`).
pub struct Map<'a> {
    pub path: SpecPath,
    entries: &'a Mapping,
    fields: &'static [Field],
}

impl<'a> Map<'a> {
    /// `v` as a mapping whose keys are not checked (tags), or a type error.
    pub fn of(ctx: &mut Ctx, v: &'a Value, path: SpecPath) -> Option<Self> {
        match v {
            Value::Mapping(entries) => Some(Self {
                path,
                entries,
                fields: &[],
            }),
            _ => {
                type_error(ctx, &path, "a mapping", v);
                None
            }
        }
    }

    /// `v` as a mapping of `fields`: every other key is reported (with a "did you mean").
    pub fn object(
        ctx: &mut Ctx,
        v: &'a Value,
        path: SpecPath,
        fields: &'static [Field],
    ) -> Option<Self> {
        let mut map = Self::of(ctx, v, path)?;
        map.fields = fields;
        map.check_keys(ctx, &fields::keys(fields));
        Some(map)
    }

    /// The table entry of `key`. A key the reader asks for that its table lacks is trailctl's
    /// own mistake, reported as such (and caught by the corpus tests).
    fn field(&self, ctx: &mut Ctx, key: &str) -> Option<&'static Field> {
        let found = fields::find(self.fields, key);
        if found.is_none() {
            ctx.error(
                &self.path_of(key),
                format!("internal: `{key}` is not in the table of this mapping's keys"),
            );
        }
        found
    }

    /// Reports every key not in `allowed` (with a "did you mean" for near misses) and every
    /// key that is not a string.
    fn check_keys(&self, ctx: &mut Ctx, allowed: &[&str]) {
        for k in self.entries.keys() {
            let Value::String(name) = k else {
                ctx.push(
                    Diagnostic::error(
                        &self.path,
                        format!("mapping keys must be strings, found {}", kind_of(k)),
                    )
                    .at_non_string_key(),
                );
                continue;
            };
            if allowed.contains(&name.as_str()) {
                continue;
            }
            let hint = suggest::hint(name, allowed);
            let path = self.path.key(name);
            ctx.push(
                Diagnostic::error(&path, format!("unknown key `{name}`"))
                    .with_hint(hint)
                    .at_key(),
            );
        }
    }

    /// The value under `key`; an explicit `null` (a key with nothing after it) counts as absent.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.entries.get(key).filter(|v| !v.is_null())
    }

    pub fn path_of(&self, key: &str) -> SpecPath {
        self.path.key(key)
    }

    pub fn missing(&self, ctx: &mut Ctx, key: &str) {
        ctx.error(&self.path, format!("missing required key `{key}`"));
    }

    pub fn string(&self, ctx: &mut Ctx, key: &str) -> Option<String> {
        let v = self.get(key)?;
        string(ctx, v, &self.path_of(key))
    }

    pub fn required_string(&self, ctx: &mut Ctx, key: &str) -> Option<String> {
        if self.get(key).is_none() {
            self.missing(ctx, key);
            return None;
        }
        self.string(ctx, key)
    }

    /// A boolean; absent, the table's default (`false` when it has none).
    /// A required string, checked with `check` when it is there (empty when it is not).
    pub fn required_checked(
        &self,
        ctx: &mut Ctx,
        key: &str,
        check: impl Fn(&str) -> Result<(), String>,
    ) -> String {
        let value = self.required_string(ctx, key);
        if let Some(v) = &value
            && let Err(message) = check(v)
        {
            ctx.error(&self.path_of(key), message);
        }
        value.unwrap_or_default()
    }

    pub fn bool(&self, ctx: &mut Ctx, key: &str) -> bool {
        let default = match self.field(ctx, key).and_then(|f| f.default) {
            Some(fields::Default::Bool(b)) => b,
            _ => false,
        };
        match self.get(key) {
            None => default,
            Some(Value::Bool(b)) => *b,
            Some(v) => {
                let mut d = Diagnostic::error(
                    &self.path_of(key),
                    format!("expected true or false, found {}", kind_of(v)),
                );
                let yaml11 = ["yes", "no", "on", "off", "True", "False"];
                if v.as_str().is_some_and(|s| yaml11.contains(&s)) {
                    d = d.with_hint("YAML 1.2 reads yes/no/on/off as strings: write true or false");
                }
                ctx.push(d);
                default
            }
        }
    }

    /// A whole number within the table's limits.
    pub fn integer(&self, ctx: &mut Ctx, key: &str) -> Option<u64> {
        let v = self.get(key)?;
        let field = self.field(ctx, key)?;
        let Shape::Integer { min, max } = field.shape else {
            ctx.error(
                &self.path_of(key),
                format!("internal: `{key}` is not a number in the table"),
            );
            return None;
        };
        let path = self.path_of(key);
        match v.as_u64() {
            Some(n) if (min..=max).contains(&n) => Some(n),
            Some(_) | None if v.is_number() => {
                ctx.error(
                    &path,
                    format!("expected a whole number from {min} to {max}"),
                );
                None
            }
            _ => {
                type_error(ctx, &path, "a whole number", v);
                None
            }
        }
    }

    /// A whole number within the table's limits, or the table's default when absent.
    pub fn integer_or_default(&self, ctx: &mut Ctx, key: &str) -> Option<u64> {
        match self.get(key) {
            Some(_) => self.integer(ctx, key),
            None => match self.field(ctx, key)?.default {
                Some(fields::Default::Integer(n)) => Some(n),
                _ => None,
            },
        }
    }

    /// A string that must be one of the table's values for `key` (with a "did you mean");
    /// absent, the table's default.
    pub fn choice(&self, ctx: &mut Ctx, key: &str) -> Option<String> {
        let field = self.field(ctx, key)?;
        let Some(v) = self.get(key) else {
            return match field.default {
                Some(fields::Default::Text(t)) => Some(t.to_owned()),
                _ => None,
            };
        };
        let Shape::OneOf(names) = field.shape else {
            ctx.error(
                &self.path_of(key),
                format!("internal: `{key}` is not a choice in the table"),
            );
            return None;
        };
        one_of(ctx, v, &self.path_of(key), names)
    }

    /// A string, or the table's default text when absent.
    pub fn text_or_default(&self, ctx: &mut Ctx, key: &str) -> String {
        match self.string(ctx, key) {
            Some(s) => s,
            None => match self.field(ctx, key).and_then(|f| f.default) {
                Some(fields::Default::Text(t)) => t.to_owned(),
                _ => String::new(),
            },
        }
    }

    /// The items of a list under `key` (empty when absent), each with its path.
    pub fn list(&self, ctx: &mut Ctx, key: &str) -> Vec<(SpecPath, &'a Value)> {
        let Some(v) = self.get(key) else {
            return Vec::new();
        };
        let path = self.path_of(key);
        match v {
            Value::Sequence(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| (path.index(i), item))
                .collect(),
            _ => {
                type_error(ctx, &path, "a list", v);
                Vec::new()
            }
        }
    }

    /// A list of strings under `key`, each with its path; wrong items are reported and skipped.
    pub fn string_list(&self, ctx: &mut Ctx, key: &str) -> Vec<(SpecPath, String)> {
        self.list(ctx, key)
            .into_iter()
            .filter_map(|(p, v)| string(ctx, v, &p).map(|s| (p, s)))
            .collect()
    }

    /// The string entries of a mapping under `key` (tags), each with its path.
    pub fn string_map(&self, ctx: &mut Ctx, key: &str) -> Vec<(SpecPath, String, String)> {
        let Some(v) = self.get(key) else {
            return Vec::new();
        };
        let Some(map) = Map::of(ctx, v, self.path_of(key)) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, v) in map.entries {
            let Value::String(k) = k else {
                ctx.push(
                    Diagnostic::error(
                        &map.path,
                        format!("mapping keys must be strings, found {}", kind_of(k)),
                    )
                    .at_non_string_key(),
                );
                continue;
            };
            let path = map.path.key(k);
            if let Some(v) = string(ctx, v, &path) {
                out.push((path, k.clone(), v));
            }
        }
        out
    }
}

/// A string that must be one of `names`, with a suggestion when it is not.
pub fn one_of(ctx: &mut Ctx, v: &Value, path: &SpecPath, names: &[&str]) -> Option<String> {
    let s = string(ctx, v, path)?;
    if names.contains(&s.as_str()) {
        return Some(s);
    }
    let hint = suggest::hint(&s, names);
    ctx.push(Diagnostic::error(path, format!("unknown value `{s}`")).with_hint(hint));
    None
}

/// Pushes the message of a failed shape check, if any, at `path`.
pub fn check(ctx: &mut Ctx, path: &SpecPath, result: Result<(), String>) {
    if let Err(message) = result {
        ctx.error(path, message);
    }
}

/// The tags under `key`, each checked, with trailctl's own prefix refused.
pub fn tags(ctx: &mut Ctx, map: &Map<'_>, key: &str) -> Tags {
    let mut out = Tags::new();
    for (path, k, v) in map.string_map(ctx, key) {
        if k.starts_with(RESERVED_PREFIX) {
            ctx.push(
                Diagnostic::error(
                    &path,
                    format!("tag key `{k}` uses the reserved prefix `{RESERVED_PREFIX}`"),
                )
                .with_hint("trailctl sets its ownership tags itself")
                .at_key(),
            );
            continue;
        }
        if let Err(message) = names::tag_key(&k) {
            ctx.push(Diagnostic::error(&path, message).at_key());
        }
        check(ctx, &path, names::tag_value(&v));
        out.insert(k, v);
    }
    out
}
