//! Who owns a resource (by its tags), and the changes every kind's planner builds from that:
//! a create, a comparison, or a conflict when the resource is not this stack's.

use crate::model::desired::Desired;
use crate::model::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE, STACK_KEY, Tags};
use crate::plan::change::{Action, Address, Change, Conflict, Plan, Resource};

/// Choices that change what a plan may do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Take over same-named resources that exist without trailctl's tags.
    pub adopt: bool,
}

/// Who owns a resource, by its tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// This stack.
    Us,
    /// trailctl, for another stack.
    Stack(String),
    /// Nobody we know: not created by trailctl.
    Untagged,
}

pub fn owner(tags: &Tags, stack: &str) -> Owner {
    if tags.get(MANAGED_BY_KEY).map(String::as_str) != Some(MANAGED_BY_VALUE) {
        return Owner::Untagged;
    }
    match tags.get(STACK_KEY) {
        Some(s) if s == stack => Owner::Us,
        Some(s) => Owner::Stack(s.clone()),
        None => Owner::Untagged,
    }
}

/// A create, or the comparison with what exists (`live`, and the tags that say who owns it):
/// ownership checked, adoption marked.
pub(crate) fn owned_change(
    d: &Desired,
    options: Options,
    p: &mut Plan,
    address: Address,
    live: Option<(Resource, &Tags)>,
    after: Resource,
) {
    let Some((before, tags)) = live else {
        p.changes
            .push(change(address, Action::Create, None, Some(after)));
        return;
    };
    let who = owner(tags, &d.stack);
    if ownership_conflict(p, &address, &who, &d.stack, options.adopt) {
        return;
    }
    let mut c = compared(address, before, after);
    c.adopt = who == Owner::Untagged;
    p.changes.push(c);
}

pub(crate) fn ownership_conflict(
    p: &mut Plan,
    address: &Address,
    owner: &Owner,
    stack: &str,
    adopt: bool,
) -> bool {
    let (message, hint) = match owner {
        Owner::Us => return false,
        Owner::Untagged if adopt => return false,
        Owner::Untagged => (
            format!("exists but is not managed by stack {stack}"),
            "add --adopt to take it over (its tags are added and its settings changed to the spec's)",
        ),
        Owner::Stack(other) => (
            format!("exists and is managed by stack {other}, not {stack}"),
            "remove it from that stack's spec first, or give this one another name",
        ),
    };
    p.conflicts.push(Conflict {
        address: Some(address.clone()),
        message,
        hint: Some(hint.to_owned()),
    });
    true
}

/// The change for a resource that exists and is wanted: an update when anything must be
/// written (`Resource::differs`, the rule the executor follows), else a no-op.
pub(crate) fn compared(address: Address, before: Resource, after: Resource) -> Change {
    let action = if before.differs(&after) {
        Action::Update
    } else {
        Action::NoOp
    };
    change(address, action, Some(before), Some(after))
}

pub(crate) fn change(
    address: Address,
    action: Action,
    before: Option<Resource>,
    after: Option<Resource>,
) -> Change {
    Change {
        address,
        action,
        before,
        after,
        destructive: Vec::new(),
        forces_replacement: Vec::new(),
        adopt: false,
    }
}
