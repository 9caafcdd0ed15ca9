//! The archive flags of the commands that read archives (`backtest`, `investigate`), checked.

use crate::archive::layout::{self, Window};
pub use crate::archive::source::{Source, find, read, show};

/// The archive flags every command that reads archives takes, checked: `--since` after
/// `--until`, account ids, and the sources as given. Problems are added to `problems` (all at
/// once); the sources that parse are returned.
pub fn check_flags(
    window: &Window,
    accounts: &[String],
    sources: &[String],
    problems: &mut Vec<String>,
) -> Vec<Source> {
    if let (Some(s), Some(u)) = (window.since, window.until)
        && s > u
    {
        problems.push(format!("--since {s} is after --until {u}"));
    }
    for acc in accounts {
        if !layout::is_account(acc) {
            problems.push(format!("--accounts: {acc:?} is not a 12-digit account id"));
        }
    }
    let mut out = Vec::new();
    for s in sources {
        match Source::parse(s) {
            Ok(src) => out.push(src),
            Err(e) => problems.push(e),
        }
    }
    out
}
