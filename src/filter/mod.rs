//! CloudWatch Logs JSON filter patterns, as a leaf library beside `pattern/`: parse and
//! validate a filter with positions, match it against a CloudTrail record the way a metric
//! filter does, and say an EventBridge pattern as a filter where that is exact.
//!
//! Source of the semantics: "Filter and pattern syntax" (CloudWatch Logs User Guide,
//! FilterAndPatternSyntax.html, "Matching terms in JSON log events"). CloudTrail delivers each
//! record to CloudWatch Logs as one JSON log event, so a filter sees the record itself
//! (`$.eventName`), not the EventBridge envelope (`detail.eventName`).

mod eval;
mod parse;
mod translate;

pub use eval::Slotted;
pub use parse::{
    Comparison, Expr, Filter, FilterError, MAX_FILTER_CHARS, Selector, Step, Test, Value,
};
pub use translate::{Translation, from_pattern};

#[cfg(test)]
mod tests;
