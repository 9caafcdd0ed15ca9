//! AWS SDK adapters: configuration, the table of every operation trailctl can call, and the
//! `live` traits implemented with the SDK. The only code that touches `aws_sdk_*`.

pub mod account;
mod athena;
mod cloudtrail;
mod cloudwatch;
pub mod config;
pub(crate) mod error;
mod events;
mod glue;
mod iam;
mod logs;
mod objects;
mod operation;
pub mod operations;
mod organizations;
pub mod pacing;
mod paging;
mod quotas;
mod s3;
mod sns;
mod tagging;

pub use account::AwsAccount;
pub use config::{AwsSettings, connect, sdk_config};
