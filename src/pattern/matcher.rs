//! One condition on one value of an event (`"x"`, `{"prefix": "x"}`, `{"numeric": [">", 0]}`…),
//! and the leaf values of an event it is tested against.

use super::caseless::Caseless;
use super::cidr::IpRange;
use super::number::within_decimals;
use super::wildcard::Wildcard;

/// A leaf value of an event, as EventBridge distinguishes them: a string is never equal to a
/// number or to `true`, and a number is compared both as written and by value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar<'a> {
    Str(&'a str),
    /// As written, and its value when a double can hold it.
    Num(&'a str, Option<f64>),
    Bool(bool),
    Null,
}

impl Scalar<'_> {
    /// The literal JSON token of a non-string value.
    fn literal(&self) -> Option<&str> {
        match self {
            Scalar::Str(_) => None,
            Scalar::Num(raw, _) => Some(raw),
            Scalar::Bool(true) => Some("true"),
            Scalar::Bool(false) => Some("false"),
            Scalar::Null => Some("null"),
        }
    }
}

/// One accepted form of a field's value; a field matches when any of its matchers does.
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// `"text"`: this exact string.
    String(String),
    /// `true`, `false`, `null` or a number as written: this exact token.
    Literal(String),
    /// A number in the pattern also matches every number of the same value (300 = 3.0e2), within
    /// the range EventBridge compares by value (`number::equality_value`); beyond it, a number
    /// matches only its own text (`Literal`).
    Number(f64),
    Prefix(String),
    Suffix(String),
    PrefixIgnoreCase(Caseless),
    SuffixIgnoreCase(Caseless),
    EqualsIgnoreCase(Caseless),
    Wildcard(Wildcard),
    Range(Range),
    Cidr(IpRange),
    AnythingBut(AnythingBut),
    /// `{"exists": true}` / `{"exists": false}`: decided by the presence of the field, not by a
    /// value (see `Branch`).
    Exists(bool),
}

/// The `anything-but` forms: a value matches when it is none of these.
#[derive(Debug, Clone, PartialEq)]
pub enum AnythingBut {
    /// Strings (any non-string value is "anything but" them too).
    Strings(Vec<String>),
    /// Numbers, by value (a value that is no number is "anything but" them too).
    Numbers(Vec<f64>),
    Prefix(Vec<String>),
    Suffix(Vec<String>),
    IgnoreCase(Vec<Caseless>),
    Wildcard(Vec<Wildcard>),
}

/// A numeric range; an open end is infinite.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub low: f64,
    pub low_open: bool,
    pub high: f64,
    pub high_open: bool,
}

impl Range {
    fn contains(&self, v: f64) -> bool {
        let above = if self.low_open {
            v > self.low
        } else {
            v >= self.low
        };
        let below = if self.high_open {
            v < self.high
        } else {
            v <= self.high
        };
        above && below
    }
}

impl Matcher {
    /// Whether one leaf value is accepted. `Exists` accepts every value (it asks for presence).
    pub fn matches(&self, v: &Scalar<'_>) -> bool {
        match (self, v) {
            (Matcher::String(s), Scalar::Str(x)) => s == x,
            (Matcher::Literal(t), v) => v.literal() == Some(t),
            (Matcher::Number(n), Scalar::Num(raw, Some(x))) => n == x && within_decimals(raw),
            (Matcher::Prefix(p), Scalar::Str(x)) => x.starts_with(p.as_str()),
            (Matcher::Suffix(p), Scalar::Str(x)) => x.ends_with(p.as_str()),
            (Matcher::PrefixIgnoreCase(p), Scalar::Str(x)) => p.prefix_of(x),
            (Matcher::SuffixIgnoreCase(p), Scalar::Str(x)) => p.suffix_of(x),
            (Matcher::EqualsIgnoreCase(p), Scalar::Str(x)) => p.equals(x),
            (Matcher::Wildcard(w), Scalar::Str(x)) => w.matches(x),
            (Matcher::Range(r), Scalar::Num(_, Some(x))) => r.contains(*x),
            (Matcher::Cidr(r), Scalar::Str(x)) => r.contains(x),
            (Matcher::AnythingBut(a), v) => a.matches(v),
            (Matcher::Exists(_), _) => true,
            _ => false,
        }
    }

    /// The exact string this matcher stands for, when it accepts nothing else (used to index).
    pub fn exact_string(&self) -> Option<&str> {
        match self {
            Matcher::String(s) => Some(s),
            _ => None,
        }
    }
}

impl AnythingBut {
    fn matches(&self, v: &Scalar<'_>) -> bool {
        match (self, v) {
            (AnythingBut::Strings(set), Scalar::Str(x)) => !set.iter().any(|s| s == x),
            (AnythingBut::Strings(_), _) => true,
            (AnythingBut::Numbers(set), Scalar::Num(_, Some(x))) => !set.contains(x),
            (AnythingBut::Prefix(set), Scalar::Str(x)) => {
                !set.iter().any(|p| x.starts_with(p.as_str()))
            }
            (AnythingBut::Suffix(set), Scalar::Str(x)) => {
                !set.iter().any(|p| x.ends_with(p.as_str()))
            }
            (AnythingBut::IgnoreCase(set), Scalar::Str(x)) => !set.iter().any(|c| c.equals(x)),
            (AnythingBut::Wildcard(set), Scalar::Str(x)) => !set.iter().any(|w| w.matches(x)),
            _ => true,
        }
    }
}
