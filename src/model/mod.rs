//! The domain model: what the spec asks for, with no I/O and no AWS SDK types.

pub mod desired;
pub mod diagnostic;
pub mod region;
pub mod selector;
pub mod tags;
