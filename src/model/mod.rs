//! The domain model: what the spec asks for and what the account has, with no I/O and no AWS
//! SDK types.

pub mod arn;
pub mod desired;
pub mod diagnostic;
pub mod json;
pub mod observed;
pub mod region;
pub mod selector;
pub mod state;
pub mod tags;
