//! Reading a record for filters without building all of it: only the members some selector
//! goes through are kept, everything else is skipped while parsing (`IgnoredAny`). A CloudTrail
//! record's bulk is in `requestParameters` and `responseElements`, which most filters never
//! name, so `backtest` with metric filters parses a fraction of each record.
//!
//! What a filter sees is unchanged: a member no selector names is never looked at; a value a
//! selector goes through but that is neither an object nor (for an index step) an array is
//! kept as `null` or as itself, and selecting through either fails as it would on the original.

use std::collections::BTreeMap;
use std::fmt;

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::parse::{Expr, Filter, Step};

/// The paths a set of filters goes through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needed {
    keys: BTreeMap<String, Needed>,
    /// An index step: every element, read with this.
    items: Option<Box<Needed>>,
    /// A selector ends here: the whole value is kept.
    whole: bool,
}

impl Needed {
    /// What `filters` need of a record.
    pub fn of<'a>(filters: impl IntoIterator<Item = &'a Filter>) -> Needed {
        let mut root = Needed::default();
        for f in filters {
            root.add(&f.expr);
        }
        root
    }

    fn add(&mut self, e: &Expr) {
        match e {
            Expr::And(parts) | Expr::Or(parts) => parts.iter().for_each(|p| self.add(p)),
            Expr::Cmp(c) => {
                let mut at = self;
                for step in &c.selector.steps {
                    at = match step {
                        Step::Key(k) => at.keys.entry(k.clone()).or_default(),
                        Step::Index(_) => at.items.get_or_insert_with(Box::default),
                    };
                }
                at.whole = true;
            }
        }
    }

    /// The record `text` with only what the filters need.
    pub fn read(&self, text: &str) -> Result<Value, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        let v = self.deserialize(&mut de)?;
        de.end()?;
        Ok(v)
    }
}

impl<'de> DeserializeSeed<'de> for &Needed {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        if self.whole {
            return Value::deserialize(d);
        }
        d.deserialize_any(self)
    }
}

/// A member's name, borrowed from the text when it has no escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

impl<'de> Visitor<'de> for &Needed {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key_seed(Key)? {
            match self.keys.get(key.as_ref()) {
                Some(child) => {
                    out.insert(key.into_owned(), map.next_value_seed(child)?);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(out))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let Some(items) = &self.items else {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(Value::Null);
        };
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(&**items)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}
