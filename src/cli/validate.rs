//! `trailctl validate`: check a spec offline and report every problem at once.

use std::path::Path;

use crate::cli::config::Config;
use crate::cli::run::Io;
use crate::exit::Exit;
use crate::render::diagnostics;
use crate::spec::{self, LoadError, Loaded};

pub fn run(file: &Path, config: &Config, io: &mut Io<'_>) -> Exit {
    let name = file.display().to_string();
    match load(file, config, io) {
        Some(loaded) => {
            let d = &loaded.desired;
            let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
            let mut counts = vec![
                plural(d.trails.len(), "trail"),
                plural(d.buckets.len(), "bucket"),
            ];
            if !d.topics.is_empty() || !d.alerts.is_empty() {
                counts.push(plural(d.topics.len(), "topic"));
                counts.push(plural(d.alerts.len(), "alert"));
            }
            let _ = writeln!(
                io.stdout,
                "{name}: {} ({}; {})",
                config.stdout_color.green("valid"),
                counts.join(", "),
                plural(loaded.warnings.len(), "warning"),
            );
            Exit::Success
        }
        None => Exit::Failure,
    }
}

/// Loads the spec, printing its warnings, or every error (then `None`: no AWS call follows).
pub fn load(file: &Path, config: &Config, io: &mut Io<'_>) -> Option<Loaded> {
    let name = file.display().to_string();
    match spec::load(file) {
        Ok(loaded) => {
            let _ = diagnostics::write(io.stderr, &name, &loaded.warnings, config.stderr_color);
            Some(loaded)
        }
        Err(LoadError::Invalid(found)) => {
            let _ = diagnostics::write(io.stderr, &name, &found, config.stderr_color);
            let _ = writeln!(
                io.stderr,
                "{name}: invalid ({})",
                diagnostics::summary(&found)
            );
            None
        }
        Err(e @ LoadError::Read { .. }) => {
            let _ = writeln!(io.stderr, "{}: {e}", config.stderr_color.red("error"));
            None
        }
    }
}
