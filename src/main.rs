//! Process entry: hand the arguments and standard streams to `trailctl::run`, exit with its code.

use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    let (stdin, stdout, mut stderr) = (std::io::stdin(), std::io::stdout(), std::io::stderr());
    let mut io = trailctl::Io {
        stdin_is_terminal: stdin.is_terminal(),
        stdin: &mut stdin.lock(),
        stdout_is_terminal: stdout.is_terminal(),
        stderr_is_terminal: std::io::stderr().is_terminal(),
        stdout: &mut stdout.lock(),
        // Not held locked: stderr is unbuffered, and a progress bar draws on it from its own
        // thread (a held lock would block that thread for the whole run).
        stderr: &mut stderr,
    };
    // `run` flushes standard output and reports what could not be written.
    let code = trailctl::run(std::env::args_os(), &mut io);
    ExitCode::from(code.as_u8())
}
