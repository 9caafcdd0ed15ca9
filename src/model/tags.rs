//! Tags, and the ownership tags that replace a state file.

use std::collections::{BTreeMap, BTreeSet};

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

/// The tag calls that turn one resource's tags into another's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagChanges {
    /// Tags to set (new, or with another value).
    pub add: Tags,
    /// Keys to remove.
    pub remove: BTreeSet<String>,
}

impl TagChanges {
    pub fn between(before: &Tags, after: &Tags) -> TagChanges {
        TagChanges {
            add: after
                .iter()
                .filter(|(k, v)| before.get(*k) != Some(*v))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            remove: before
                .keys()
                .filter(|k| !after.contains_key(*k))
                .cloned()
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.remove.is_empty()
    }
}
