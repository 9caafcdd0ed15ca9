//! The validated run configuration built from the raw flags and the environment.

use crate::cli::args::GlobalArgs;
use crate::live::aws::AwsSettings;
use crate::render::style::Color;

/// What every command needs besides its own arguments.
#[derive(Debug, Clone)]
pub struct Config {
    /// Colour for what goes to stdout and to stderr, each decided once.
    pub stdout_color: Color,
    pub stderr_color: Color,
    /// `-v` count: `-v` also lists what the stack does not manage.
    pub verbose: u8,
    pub aws: AwsSettings,
}

/// Whether terminals are attached, and the `NO_COLOR` convention (set and not empty).
#[derive(Debug, Clone, Copy)]
pub struct Terminal {
    pub stdout: bool,
    pub stderr: bool,
    pub no_color_env: bool,
}

impl Config {
    /// Decides colour and AWS settings from the flags and the terminal.
    pub fn new(global: &GlobalArgs, term: Terminal) -> Self {
        let allow = !global.no_color && !term.no_color_env;
        let pick = |tty: bool| {
            if allow && tty {
                Color::Always
            } else {
                Color::Never
            }
        };
        Self {
            stdout_color: pick(term.stdout),
            stderr_color: pick(term.stderr),
            verbose: global.verbose,
            aws: AwsSettings {
                profile: global.profile.clone(),
                region: global.region.clone(),
                endpoint_url: global.endpoint_url.clone().filter(|u| !u.is_empty()),
                max_attempts: global.max_attempts,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn config(args: &[&str], tty: bool, no_color_env: bool) -> Config {
        let parsed = crate::cli::args::Args::try_parse_from(args).unwrap();
        let term = Terminal {
            stdout: tty,
            stderr: tty,
            no_color_env,
        };
        Config::new(&parsed.global, term)
    }

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert_eq!(
            config(&["t", "validate"], true, false).stderr_color,
            Color::Always
        );
        assert_eq!(
            config(&["t", "validate"], false, false).stderr_color,
            Color::Never
        );
        assert_eq!(
            config(&["t", "validate"], true, true).stderr_color,
            Color::Never
        );
        assert_eq!(
            config(&["t", "--no-color", "validate"], true, false).stdout_color,
            Color::Never
        );
    }

    #[test]
    fn aws_flags_reach_the_settings() {
        let c = config(
            &[
                "t",
                "validate",
                "--profile",
                "p",
                "--region",
                "eu-west-1",
                "--endpoint-url",
                "http://127.0.0.1:5000",
            ],
            false,
            false,
        );
        assert_eq!(c.aws.profile.as_deref(), Some("p"));
        assert_eq!(c.aws.region.as_deref(), Some("eu-west-1"));
        assert_eq!(c.aws.endpoint_url.as_deref(), Some("http://127.0.0.1:5000"));
    }
}
