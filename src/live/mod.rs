//! The live account: one async trait per AWS service, reading into `model` types. `live/aws` is
//! the only code that touches the SDK; `live/fake` is an in-memory account for unit tests (and,
//! with the test-only `fake` feature, for the binary: `live/fake_state`).

pub mod aws;
pub mod error;
#[cfg(any(test, feature = "fake"))]
pub mod fake;
#[cfg(any(test, feature = "fake"))]
mod fake_alerts;
#[cfg(any(test, feature = "fake"))]
mod fake_athena;
#[cfg(any(test, feature = "fake"))]
mod fake_logs;
#[cfg(any(test, feature = "fake"))]
mod fake_state;
pub mod observe;
pub mod org;
#[cfg(test)]
pub(crate) mod org_tests;
pub mod services;

pub use error::{ErrorKind, LiveError, LiveResult};
pub use observe::observe;
