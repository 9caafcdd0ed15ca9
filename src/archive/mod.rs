//! A trail's archived logs: the S3 key layout and which objects a window needs, decoding an
//! object, and splitting a log file into records. Reading from disk or S3 is the caller's.

pub mod decode;
pub mod layout;
pub mod listing;
pub mod split;
