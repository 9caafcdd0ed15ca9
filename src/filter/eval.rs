//! Does a filter match a record? As the guide says a metric filter decides it: a selector must
//! reach a value node (a string or a number) for `=`, `!=` and the numeric operators, so both
//! `$.users = 1` and `$.users != 1` fail on a list or an object, and both fail on a missing
//! field (`NOT EXISTS` is how a filter asks for absence); `IS NULL` holds only for JSON null,
//! `IS TRUE`/`IS FALSE` only for booleans.

use std::borrow::Cow;
use std::collections::HashSet;

use foldhash::fast::FixedState;

use serde_json::{Number, Value as Json};

use super::parse::{Expr, Filter, Selector, Step, Test, Value};
use crate::pattern::Picked;

impl Filter {
    /// Whether the filter matches `record` (the log event's JSON: a CloudTrail record).
    pub fn matches(&self, record: &Json) -> bool {
        self.expr.matches(record)
    }

    /// The filter with each selector replaced by the slot `slot_of` gives it: evaluated on
    /// values picked while reading the record (`Slotted::matches`), with no tree built.
    pub fn slotted(&self, slot_of: &mut impl FnMut(&Selector) -> u32) -> Slotted {
        Slotted {
            expr: slotted(&self.expr, slot_of),
        }
    }
}

impl Expr {
    fn matches(&self, record: &Json) -> bool {
        match self {
            Expr::And(parts) => parts.iter().all(|p| p.matches(record)),
            Expr::Or(parts) => parts.iter().any(|p| p.matches(record)),
            Expr::Cmp(c) => match c.selector.select(record) {
                Some(Json::Number(n)) => c.test.holds(Some(Picked::Num(&n.to_string()))),
                found => c.test.holds(found.map(picked)),
            },
        }
    }
}

/// A JSON value as a selector finds it.
fn picked(v: &Json) -> Picked<'_> {
    match v {
        Json::String(s) => Picked::Str(s),
        // Numbers are said by their text where they are compared (see `Expr::matches`).
        Json::Number(_) => Picked::Num(""),
        Json::Bool(b) => Picked::Bool(*b),
        Json::Null => Picked::Null,
        Json::Object(_) => Picked::Object,
        Json::Array(_) => Picked::Array,
    }
}

/// A filter over slots of picked values.
#[derive(Debug, Clone)]
pub struct Slotted {
    expr: SlotExpr,
}

#[derive(Debug, Clone)]
enum SlotExpr {
    And(Vec<SlotExpr>),
    Or(Vec<SlotExpr>),
    Cmp(u32, Test),
    /// `$.x = "a" || $.x = "b" || …` (exact texts, one selector), decided by one lookup.
    OneOf(u32, OneOf),
}

/// Exact texts a value may equal, as a set; the same tests one by one for a value that is
/// not a string (a number equals a text by its normal form).
#[derive(Debug, Clone)]
struct OneOf {
    texts: HashSet<Box<str>, FixedState>,
    /// Bit `n` set: some text is `n` bytes long (`n` < 63), bit 63: some is longer; most
    /// values are told apart by their length, without hashing.
    lengths: u64,
    values: Vec<Value>,
}

fn length_bit(len: usize) -> u64 {
    1 << len.min(63)
}

impl OneOf {
    fn holds(&self, found: Option<Picked<'_>>) -> bool {
        match found {
            Some(Picked::Str(s)) => {
                self.lengths & length_bit(s.len()) != 0 && self.texts.contains(s)
            }
            found => self.values.iter().any(|v| v.equals(found)),
        }
    }
}

/// An exact text that a test asks a value to equal (no wildcard).
fn exact_text(test: &Test) -> Option<&str> {
    match test {
        Test::Equal(Value::Text {
            text,
            any_before: false,
            any_after: false,
        }) => Some(text),
        _ => None,
    }
}

fn slotted(e: &Expr, slot_of: &mut impl FnMut(&Selector) -> u32) -> SlotExpr {
    match e {
        Expr::And(parts) => SlotExpr::And(parts.iter().map(|p| slotted(p, slot_of)).collect()),
        Expr::Or(parts) => {
            // Exact equalities on one selector become one set per selector (an `||` has no
            // order that matters); every other part stays as it is.
            let mut sets: Vec<(u32, OneOf)> = Vec::new();
            let mut rest = Vec::new();
            for part in parts {
                match part {
                    Expr::Cmp(c) if exact_text(&c.test).is_some() => {
                        let slot = slot_of(&c.selector);
                        let i = match sets.iter().position(|(s, _)| *s == slot) {
                            Some(i) => i,
                            None => {
                                sets.push((
                                    slot,
                                    OneOf {
                                        texts: HashSet::default(),
                                        lengths: 0,
                                        values: Vec::new(),
                                    },
                                ));
                                sets.len() - 1
                            }
                        };
                        if let (Some(text), Test::Equal(value)) = (exact_text(&c.test), &c.test) {
                            sets[i].1.texts.insert(text.into());
                            sets[i].1.lengths |= length_bit(text.len());
                            sets[i].1.values.push(value.clone());
                        }
                    }
                    part => rest.push(slotted(part, slot_of)),
                }
            }
            let mut out: Vec<SlotExpr> = sets
                .into_iter()
                .map(|(slot, set)| match set.values.as_slice() {
                    [one] => SlotExpr::Cmp(slot, Test::Equal(one.clone())),
                    _ => SlotExpr::OneOf(slot, set),
                })
                .collect();
            out.extend(rest);
            match out.len() {
                1 => out.pop().unwrap_or(SlotExpr::Or(Vec::new())),
                _ => SlotExpr::Or(out),
            }
        }
        Expr::Cmp(c) => SlotExpr::Cmp(slot_of(&c.selector), c.test.clone()),
    }
}

impl Slotted {
    /// Whether the filter matches the record whose selectors found `found(slot)`.
    pub fn matches<'a>(&self, found: &impl Fn(u32) -> Option<Picked<'a>>) -> bool {
        self.expr.matches(found)
    }
}

impl SlotExpr {
    fn matches<'a>(&self, found: &impl Fn(u32) -> Option<Picked<'a>>) -> bool {
        match self {
            SlotExpr::And(parts) => parts.iter().all(|p| p.matches(found)),
            SlotExpr::Or(parts) => parts.iter().any(|p| p.matches(found)),
            SlotExpr::Cmp(slot, test) => test.holds(found(*slot)),
            SlotExpr::OneOf(slot, set) => set.holds(found(*slot)),
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

/// A number as written in the record, as the log event's parsed JSON holds it.
fn number(found: Option<Picked<'_>>) -> Option<Number> {
    match found {
        Some(Picked::Num(raw)) => raw.parse().ok(),
        _ => None,
    }
}

impl Test {
    /// Whether the test holds of what a selector found (`None`: nothing there).
    fn holds(&self, found: Option<Picked<'_>>) -> bool {
        let value = || number(found).and_then(|n| n.as_f64());
        match self {
            Test::NotExists => found.is_none(),
            Test::IsNull => found == Some(Picked::Null),
            Test::IsTrue => found == Some(Picked::Bool(true)),
            Test::IsFalse => found == Some(Picked::Bool(false)),
            Test::Equal(v) => v.equals(found),
            Test::NotEqual(v) => {
                matches!(found, Some(Picked::Str(_) | Picked::Num(_))) && !v.equals(found)
            }
            Test::Less(n) => value().is_some_and(|x| x < *n),
            Test::LessOrEqual(n) => value().is_some_and(|x| x <= *n),
            Test::Greater(n) => value().is_some_and(|x| x > *n),
            Test::GreaterOrEqual(n) => value().is_some_and(|x| x >= *n),
        }
    }
}

impl Value {
    /// Whether a value node (a string, or a number as written) equals this value; anything
    /// else equals nothing.
    fn equals(&self, found: Option<Picked<'_>>) -> bool {
        // A string against an exact text, the most common test: compared as it is.
        if let (
            Some(Picked::Str(s)),
            Value::Text {
                text,
                any_before: false,
                any_after: false,
            },
        ) = (found, self)
        {
            return s == text;
        }
        let (text, number): (Cow<'_, str>, Option<Number>) = match found {
            Some(Picked::Str(s)) => (Cow::Borrowed(s), None),
            Some(Picked::Num(raw)) => match raw.parse::<Number>() {
                Ok(n) => (Cow::Owned(n.to_string()), Some(n)),
                Err(_) => return false,
            },
            _ => return false,
        };
        match self {
            Value::Any => true,
            Value::Number { value, text: t } => match number {
                Some(n) => n.as_f64() == Some(*value),
                None => text == t.as_str(),
            },
            Value::Text {
                text: t,
                any_before,
                any_after,
            } => match (any_before, any_after) {
                (false, false) => text == t.as_str(),
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
