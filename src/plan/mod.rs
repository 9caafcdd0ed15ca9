//! Planning: pure and deterministic, from `Desired` and `Observed` to a `Plan` of changes.

pub mod alerts;
pub mod athena;
pub mod change;
pub mod cost;
#[cfg(test)]
mod cost_tests;
pub mod logs;
pub mod order;
pub mod org;
pub mod ownership;
pub mod planner;
pub mod policy;
pub mod quota;
pub mod safety;
pub mod saved;
mod saved_v1;
pub mod state_of;

pub use change::{Action, Address, Change, Conflict, Lint, Plan, Resource, Warning};
pub use planner::{Options, plan};
