//! AWS SDK adapters: configuration, and the table of every operation trailctl can call.

pub mod config;
pub mod operations;

pub use config::{AwsSettings, sdk_config};
