//! `investigate`: who did what to one resource, and when — a timeline of the CloudTrail records
//! that concern it, from event history (the last 90 days) or the trail's archives, the same
//! whichever they came from. Pure: the records come from `live` or `archive`.

pub mod target;
pub mod timeline;

pub use target::Target;
pub use timeline::{Entry, Mark, Timeline, Who};
