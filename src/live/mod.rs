//! The live account: AWS access set up once. `live/aws` is the only code that touches the SDK.

pub mod aws;
