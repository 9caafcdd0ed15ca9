//! Plan files: written by `plan --out`, read by `show` and `apply PLAN_FILE`.

use crate::cli::error::CliError;
use crate::cli::io::Io;
use crate::plan::saved::SavedFile;

/// Writes a plan file (`text`, or why it could not be made) to `out`; in the human format, says
/// so (`saved`: "Saved the plan", with what precedes it) and how to apply exactly it.
pub(super) fn save(
    out: &std::path::Path,
    text: Result<String, crate::plan::saved::SavedPlanError>,
    saved: &str,
    format: crate::cli::args::OutputFormat,
    io: &mut Io<'_>,
) -> Result<(), CliError> {
    let text = text.map_err(|e| CliError::SavedPlan(format!("cannot save the plan: {e}")))?;
    std::fs::write(out, text).map_err(|e| CliError::write_to(out, e))?;
    if format == crate::cli::args::OutputFormat::Human {
        writeln!(
            io.stdout,
            "{saved} to {}. To apply exactly it: trailctl apply {}",
            out.display(),
            out.display()
        )?;
    }
    Ok(())
}

/// Reads and checks a plan file.
pub(super) fn read(path: &std::path::Path) -> Result<SavedFile, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Read(format!("cannot read {}: {e}", path.display())))?;
    SavedFile::decode(&text).map_err(|e| CliError::SavedPlan(format!("{}: {e}", path.display())))
}
