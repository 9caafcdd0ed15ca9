//! What `plan`, `apply`, `drift` and `show` share: load the spec, connect to the account once,
//! check it is the spec's account, read it, plan; and print a plan in the format asked for.

use crate::cli::args::{OutputFormat, SpecFile};
use crate::cli::config::Config;
use crate::cli::error::CliError;
use crate::cli::io::Io;
use crate::cli::validate;
use crate::live::aws::{AwsAccount, connect};
use crate::live::error::LiveResult;
use crate::live::observe;
use crate::live::services::Sts;
use crate::model::desired::Desired;
use crate::plan::{self, Lint, Plan};
use crate::render;
use crate::render::view::PlanView;

/// A spec connected to the account it is for.
pub struct Session {
    pub desired: Desired,
    /// `sha256:…` of the spec file.
    pub spec_digest: String,
    pub account: AwsAccount,
    /// The account the credentials belong to (STS).
    pub account_id: String,
    pub runtime: tokio::runtime::Runtime,
    /// The spec's warnings and notes, carried into the plan.
    pub lints: Vec<Lint>,
}

/// The async runtime AWS calls run on (one thread).
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Live(format!("cannot start the async runtime: {e}")))
}

/// Loads the spec and connects; then, before anything else is read, asks STS whose credentials
/// these are and refuses, naming both, when the spec's `account:` is another. An invalid spec
/// stops before any AWS call.
pub fn connect_for(spec: &SpecFile, config: &Config, io: &mut Io<'_>) -> Result<Session, CliError> {
    let loaded = validate::load(spec, config, io)?;
    let runtime = runtime()?;
    let desired = loaded.desired;
    let account = runtime
        .block_on(connect(&config.aws, &desired.home_region))
        .map_err(|e| CliError::Live(e.message))?;
    let account_id = runtime.block_on(account.account_id()).map_err(|e| {
        CliError::Live(format!(
            "cannot tell which account the credentials are for: {e}"
        ))
    })?;
    if let Some(want) = &desired.account
        && want != &account_id
    {
        return Err(CliError::Refused {
            message: format!(
                "the spec is for account {want}, but the credentials are for account {account_id}; nothing was read or changed"
            ),
            details: vec![
                "hint: check --profile / AWS_PROFILE, or the spec's `account:`".to_owned(),
            ],
        });
    }
    Ok(Session {
        desired,
        spec_digest: loaded.digest,
        lints: loaded.warnings.iter().map(Lint::of).collect(),
        account,
        account_id,
        runtime,
    })
}

impl Session {
    /// Reads the account and plans the spec against it.
    pub fn plan(&self, adopt: bool) -> Result<Plan, CliError> {
        self.runtime
            .block_on(self.read(adopt))
            .map_err(|e| CliError::Live(format!("reading the account failed: {e}")))
    }

    /// Reads the account and plans the spec against it, on the session's runtime.
    pub async fn read(&self, adopt: bool) -> LiveResult<Plan> {
        let observed = observe(&self.account, &self.desired).await?;
        let mut p = plan::plan(&self.desired, &observed, plan::Options { adopt });
        p.lints = self.lints.clone();
        Ok(p)
    }

    /// What a saved plan made from this spec must match.
    pub fn context(&self) -> plan::saved::Context {
        plan::saved::Context {
            spec_digest: self.spec_digest.clone(),
            stack: self.desired.stack.clone(),
            home_region: self.desired.home_region.clone(),
            regions: self.desired.regions.clone(),
        }
    }
}

/// Prints the plan to stdout in `format`. Human: its warnings and conflicts go to stderr (with
/// `-v`, also what the stack does not manage), and `cost` adds the cost details; JSON and
/// Markdown carry all of it in the document.
pub fn show(
    plan: &Plan,
    title: &str,
    format: OutputFormat,
    cost: bool,
    config: &Config,
    io: &mut Io<'_>,
) -> Result<(), CliError> {
    let view = PlanView::new(plan);
    match format {
        OutputFormat::Human => {
            render::plan::write(io.stdout, &view, config.stdout_color)?;
            if cost {
                view.cost.write_details(io.stdout)?;
            }
            if config.verbose > 0 {
                render::plan::write_unmanaged(io.stderr, plan)?;
            }
            render::plan::write_problems(io.stderr, &view, config.stderr_color)?;
        }
        OutputFormat::Json => json_line(io, &view, true)?,
        OutputFormat::Markdown => render::markdown::write(io.stdout, title, &view)?,
    }
    Ok(())
}

/// Writes one JSON document (pretty) or one JSON line to stdout.
pub fn json_line(
    io: &mut Io<'_>,
    value: &impl serde::Serialize,
    pretty: bool,
) -> Result<(), CliError> {
    let text = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    let text = text.map_err(|e| CliError::Write("JSON".to_owned(), e.into()))?;
    writeln!(io.stdout, "{text}")?;
    Ok(())
}
