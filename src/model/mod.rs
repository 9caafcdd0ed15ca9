//! The domain model: what the spec asks for and what the account has, with no I/O and no AWS
//! SDK types.

pub mod alert;
pub mod alert_state;
pub mod arn;
pub mod athena;
pub mod athena_state;
pub mod bus_state;
pub mod cis;
pub mod cost;
pub mod desired;
pub mod diagnostic;
pub mod digest;
pub mod envelope;
pub mod event_sources;
pub mod json;
pub mod logs_state;
pub mod message;
pub mod observed;
pub mod org;
pub mod presets;
pub mod prowler;
pub mod region;
pub mod selector;
pub mod services;
pub mod state;
pub mod tags;
