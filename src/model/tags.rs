//! Tags, and the ownership tags that replace a state file.

use std::collections::BTreeMap;

/// Tag key on everything trailctl creates; its value is always [`MANAGED_BY_VALUE`].
pub const MANAGED_BY_KEY: &str = "trailctl:managed-by";
/// Value of [`MANAGED_BY_KEY`].
pub const MANAGED_BY_VALUE: &str = "trailctl";
/// Tag key naming the stack (the spec's `stack:`) that owns a resource.
pub const STACK_KEY: &str = "trailctl:stack";
/// Prefix reserved for trailctl's own tags: a spec may not set tags under it.
pub const RESERVED_PREFIX: &str = "trailctl:";

/// Tags as an ordered map, so that rendering and comparison are deterministic.
pub type Tags = BTreeMap<String, String>;

/// The ownership tags for `stack`.
pub fn ownership(stack: &str) -> Tags {
    Tags::from([
        (MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned()),
        (STACK_KEY.to_owned(), stack.to_owned()),
    ])
}
