//! The process's standard streams, as every command sees them.

use std::io::{BufRead, Write};

/// The process's standard streams, and whether each is a terminal.
pub struct Io<'a> {
    /// Read only to confirm `apply` on a terminal.
    pub stdin: &'a mut dyn BufRead,
    pub stdin_is_terminal: bool,
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    pub stdout_is_terminal: bool,
    pub stderr_is_terminal: bool,
}
