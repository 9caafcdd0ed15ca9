//! A trail's archived logs: the sources a command names, the S3 key layout and which objects a
//! window needs, reading and decoding an object, and splitting a log file into records.

pub mod decode;
pub mod layout;
pub mod listing;
pub mod source;
pub mod split;
