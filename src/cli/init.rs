//! `trailctl init`: a starter spec, or with `--from-account` one that says what the account
//! already has. The draft is planned against the account as `plan --adopt` would plan it; any
//! resource whose change would be more than the ownership tags is left out (with the fields it
//! would change), until the plan adds tags and nothing else. Then it is written, and its lints
//! shown as `validate` shows them.

use crate::cli::args::InitArgs;
use crate::cli::config::Config;
use crate::cli::error::{CliError, CliResult};
use crate::cli::io::Io;
use crate::cli::session;
use crate::exit::Exit;
use crate::init::discover::discover;
use crate::init::draft::{self, Draft};
use crate::init::starter::starter;
use crate::live::aws::{AwsAccount, connect, sdk_config};
use crate::live::observe;
use crate::model::diagnostic::{Segment, Severity};
use crate::model::state::diff;
use crate::plan::{Action, Options, Plan, plan};
use crate::render::diagnostics;
use crate::spec::{self, Loaded};

/// Rounds of planning and leaving out at most; each round leaves out at least one resource.
const MAX_ROUNDS: usize = 16;

/// The starter's home Region when neither `--region` nor the profile names one.
const STARTER_REGION: &str = "us-east-1";

pub fn run(a: &InitArgs, config: &Config, io: &mut Io<'_>) -> CliResult {
    check_stack(&a.stack)?;
    let runtime = session::runtime()?;
    let configured = match &config.aws.region {
        Some(r) => Some(r.clone()),
        None => runtime
            .block_on(sdk_config(&config.aws))
            .region()
            .map(|r| r.to_string()),
    };
    let (text, summary) = if a.from_account {
        let home = configured.ok_or_else(|| {
            CliError::Flags(vec![
                "init --from-account reads the trails of one home Region: give it with --region (or the profile's region)".to_owned(),
            ])
        })?;
        let account = runtime
            .block_on(connect(&config.aws, &home))
            .map_err(|e| CliError::Live(e.message))?;
        let found = runtime
            .block_on(discover(&account, &home, &a.regions))
            .map_err(|e| CliError::Live(format!("reading the account failed: {e}")))?;
        let mut d = draft::draft(&found, &a.stack);
        let (text, loaded, plan) = settle(&mut d, &account, &runtime)?;
        for c in plan.changes.iter().filter(|c| c.action != Action::NoOp) {
            let beyond = match (&c.before, &c.after) {
                (Some(b), Some(after)) => b.differs_beyond_tags(after),
                _ => true,
            };
            if beyond {
                writeln!(
                    io.stderr,
                    "warning: {}: `plan --adopt` would {} it (a resource of stack {} that this spec does not say)",
                    c.address,
                    c.action.name(),
                    a.stack
                )?;
            }
        }
        let summary = format!(
            "{}; {} left out (listed at the end)",
            counts(&d),
            d.left_out.len()
        );
        show_lints(&loaded, a, config, io)?;
        (text, summary)
    } else {
        let text = starter(&a.stack, configured.as_deref().unwrap_or(STARTER_REGION));
        // Valid as written, unless --stack or the Region is not.
        if let Err(found) = spec::parse(text.as_bytes()) {
            let messages = found
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .map(|d| format!("{} (at {})", d.message, d.path))
                .collect();
            return Err(CliError::Flags(messages));
        }
        (text, "a starter spec".to_owned())
    };
    match &a.output {
        None => io.stdout.write_all(text.as_bytes())?,
        Some(path) => {
            crate::cli::output::write_new(path, &text)?;
            writeln!(
                io.stderr,
                "wrote {}: {summary}; next: trailctl validate -f {0}, then trailctl plan{} -f {0}",
                path.display(),
                if a.from_account { " --adopt" } else { "" }
            )?;
        }
    }
    Ok(Exit::Success)
}

/// `--stack` as the spec reader checks `stack:`, before anything is read.
fn check_stack(stack: &str) -> Result<(), CliError> {
    let Err(found) = spec::parse(starter(stack, STARTER_REGION).as_bytes()) else {
        return Ok(());
    };
    let at_stack: Vec<String> = found
        .iter()
        .filter(|d| d.severity == Severity::Error && d.path.to_string() == "stack")
        .map(|d| format!("--stack: {}", d.message))
        .collect();
    if at_stack.is_empty() {
        Ok(())
    } else {
        Err(CliError::Flags(at_stack))
    }
}

/// `1 trail, 1 bucket, 2 topics, 3 alerts`.
fn counts(d: &Draft) -> String {
    d.sections()
        .iter()
        .map(|(name, entries)| {
            let one = name.trim_end_matches('s');
            diagnostics::plural(entries.len(), one)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The generated spec's warnings and notes, as `validate` writes them.
fn show_lints(
    loaded: &Loaded,
    a: &InitArgs,
    config: &Config,
    io: &mut Io<'_>,
) -> Result<(), CliError> {
    let name = a
        .output
        .as_ref()
        .map_or_else(|| "<stdout>".to_owned(), |p| p.display().to_string());
    diagnostics::write(io.stderr, &name, &loaded.warnings, config.stderr_color)?;
    Ok(())
}

/// Plans the draft as `plan --adopt` would, leaving out what the spec cannot say and what the
/// plan would change beyond tags, until neither is left. Returns the spec text, the spec and
/// its plan.
fn settle(
    d: &mut Draft,
    account: &AwsAccount,
    runtime: &tokio::runtime::Runtime,
) -> Result<(String, Loaded, Plan), CliError> {
    for _ in 0..MAX_ROUNDS {
        let text = d
            .to_yaml()
            .map_err(|e| CliError::Live(format!("init could not write the spec as YAML: {e}")))?;
        let loaded = match spec::parse(text.as_bytes()) {
            Ok(l) => l,
            Err(found) => {
                let errors: Vec<_> = found
                    .into_iter()
                    .filter(|x| x.severity == Severity::Error)
                    .collect();
                let mut left = false;
                for e in &errors {
                    if let Some(address) = entry_at(d, &e.path.0) {
                        d.leave_out(&address, format!("the spec cannot say it: {}", e.message));
                        left = true;
                    }
                }
                if !left {
                    let first = errors
                        .first()
                        .map_or_else(String::new, |e| format!("{} (at {})", e.message, e.path));
                    return Err(CliError::Live(format!(
                        "init made a spec it cannot read, a trailctl bug: {first}"
                    )));
                }
                continue;
            }
        };
        let observed = runtime
            .block_on(observe(account, &loaded.desired))
            .map_err(|e| CliError::Live(format!("reading the account failed: {e}")))?;
        let plan = plan(&loaded.desired, &observed, Options { adopt: true });
        let mut left = false;
        for c in &plan.conflicts {
            if let Some(address) = &c.address
                && has(d, address)
            {
                d.leave_out(address, c.message.clone());
                left = true;
            }
        }
        for c in &plan.changes {
            let changed: Vec<&str> = match (&c.before, &c.after) {
                (Some(b), Some(a)) if !b.differs_beyond_tags(a) => continue,
                (Some(b), Some(a)) => diff(&b.fields(), &a.fields())
                    .into_iter()
                    .map(|(name, _, _)| name)
                    .filter(|n| *n != "tags")
                    .collect(),
                _ => vec![c.action.name()],
            };
            if has(d, &c.address) {
                d.leave_out(
                    &c.address,
                    format!(
                        "adopting it would change {} (declare it to have trailctl make that change)",
                        changed.join(", ")
                    ),
                );
                left = true;
            }
        }
        if !left {
            return Ok((text, loaded, plan));
        }
    }
    Err(CliError::Live(
        "init could not settle on a spec that adopts the account as it is".to_owned(),
    ))
}

/// Whether the draft declares `address`.
fn has(d: &Draft, address: &crate::plan::Address) -> bool {
    d.sections()
        .iter()
        .any(|(_, entries)| entries.iter().any(|e| &e.address == address))
}

/// The entry a diagnostic's path is in (`alerts[2].message` → the third alert).
fn entry_at(d: &Draft, path: &[Segment]) -> Option<crate::plan::Address> {
    match path {
        [Segment::Key(section), Segment::Index(i), ..] => {
            d.entry(section, *i).map(|e| e.address.clone())
        }
        _ => None,
    }
}
