//! Whether apply may run: refused for a plan with errors or destructive changes not allowed,
//! and confirmed on a terminal (or by `--auto-approve`).

use crate::apply::Refusal;
use crate::cli::args::ApplyArgs;
use crate::cli::error::CliError;
use crate::cli::io::Io;

/// Why apply will not run the plan.
pub(super) fn refused(refusal: &Refusal) -> CliError {
    match refusal {
        Refusal::Conflicts => CliError::refused("apply refused: the plan has errors (above)"),
        Refusal::Destructive(list) => CliError::Refused {
            message: "apply refused: these changes reduce audit logging; re-run with --allow-destroy to apply them:".to_owned(),
            details: list
                .iter()
                .flat_map(|(address, reasons)| reasons.iter().map(move |why| format!("{address}: {why}")))
                .collect(),
        },
    }
}

/// Asks on a terminal; without one, only `--auto-approve` approves.
pub(super) fn confirm(args: &ApplyArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    if args.auto_approve {
        return Ok(());
    }
    if !io.stdin_is_terminal {
        return Err(CliError::refused(
            "apply refused: no terminal to confirm on; review the plan and re-run with --auto-approve",
        ));
    }
    write!(
        io.stdout,
        "\nDo you want to perform these actions? Only 'yes' will be accepted.\n  Enter a value: "
    )?;
    io.stdout.flush()?;
    let mut answer = String::new();
    io.stdin
        .read_line(&mut answer)
        .map_err(|e| CliError::Input(format!("cannot read the answer: {e}")))?;
    if answer.trim() == "yes" {
        writeln!(io.stdout)?;
        Ok(())
    } else {
        Err(CliError::refused("apply cancelled"))
    }
}
