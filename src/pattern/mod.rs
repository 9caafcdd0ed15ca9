//! The EventBridge pattern language, as a leaf library: parse and validate a pattern with the
//! service's rules, and match patterns against JSON events the way EventBridge does.

mod caseless;
mod cidr;
mod compile;
mod complexity;
mod engine;
mod event;
mod explain;
pub mod json;
mod matcher;
mod number;
mod scan;
mod wildcard;

pub use caseless::Caseless;
pub use cidr::ambiguous_ipv4;
pub use compile::{
    Branch, Field, MAX_OR_COMBINATIONS, MAX_PATTERN_CHARS, Pattern, PatternError, Step,
};
pub use engine::{RuleSet, Scratch};
pub use event::EventError;
pub use explain::FieldCheck;
pub use matcher::{AnythingBut, Matcher, Range};
pub use wildcard::Wildcard;

#[cfg(test)]
mod tests;
