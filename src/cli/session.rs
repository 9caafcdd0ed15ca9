//! What `plan`, `apply`, `drift` and `show` share: load the spec, connect to the account once,
//! check it is the spec's account, read it, plan; and print a plan in the format asked for.

use crate::cli::args::{OutputFormat, SpecFile};
use crate::cli::config::Config;
use crate::cli::error::CliError;
use crate::cli::io::Io;
use crate::cli::validate;
use crate::live::aws::pacing::RetryCounts;
use crate::live::aws::{AwsAccount, connect};
use crate::live::error::LiveResult;
use crate::live::observe;
use crate::live::services::Account;
use crate::model::desired::Desired;
use crate::plan::{self, Lint, Plan};
use crate::render;
use crate::render::view::PlanView;

/// A spec connected to the account it is for: AWS's, or in a build with the test-only `fake`
/// feature, an in-memory one.
pub struct Session<A = AwsAccount> {
    pub desired: Desired,
    /// `sha256:…` of the spec file.
    pub spec_digest: String,
    pub account: A,
    /// The account the credentials belong to (STS).
    pub account_id: String,
    pub runtime: tokio::runtime::Runtime,
    /// The spec's warnings and notes, carried into the plan.
    pub lints: Vec<Lint>,
}

/// An account a session works on: its services, and how many calls it retried.
pub trait Connection: Account {
    fn retries(&self) -> RetryCounts;
}

impl Connection for AwsAccount {
    fn retries(&self) -> RetryCounts {
        AwsAccount::retries(self)
    }
}

#[cfg(feature = "fake")]
impl Connection for crate::live::fake::Fake {
    fn retries(&self) -> RetryCounts {
        RetryCounts::default()
    }
}

/// The session of a spec, on the account it reached.
pub enum Connected {
    Aws(Box<Session>),
    /// The account in the file `TRAILCTL_FAKE_ACCOUNT` names (test-only `fake` feature).
    #[cfg(feature = "fake")]
    Fake(Box<Session<crate::live::fake::Fake>>),
}

/// Runs `$body` with `$s` bound to the session, whichever account it reached: the body is
/// compiled once per kind of account.
macro_rules! on_account {
    ($connected:expr, $s:ident => $body:expr) => {
        match $connected {
            $crate::cli::session::Connected::Aws($s) => $body,
            #[cfg(feature = "fake")]
            $crate::cli::session::Connected::Fake($s) => $body,
        }
    };
}
pub(crate) use on_account;

impl Connected {
    pub fn desired(&self) -> &Desired {
        on_account!(self, s => &s.desired)
    }

    pub fn desired_mut(&mut self) -> &mut Desired {
        on_account!(self, s => &mut s.desired)
    }

    /// The session on AWS, for what reaches beyond one account (an organization's members).
    pub fn aws(self) -> Result<Session, CliError> {
        match self {
            Connected::Aws(s) => Ok(*s),
            #[cfg(feature = "fake")]
            Connected::Fake(_) => Err(CliError::Live(
                "an organization's spec needs AWS: the in-memory account has no members to reach"
                    .to_owned(),
            )),
        }
    }
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
pub fn connect_for(
    spec: &SpecFile,
    config: &Config,
    io: &mut Io<'_>,
) -> Result<Connected, CliError> {
    let loaded = validate::load(spec, config, io)?;
    let runtime = runtime()?;
    #[cfg(feature = "fake")]
    if let Some(file) = std::env::var_os(crate::live::fake::FAKE_ACCOUNT_VAR) {
        let account = crate::live::fake::Fake::open(std::path::Path::new(&file))
            .map_err(|e| CliError::Live(e.to_string()))?;
        return guarded(loaded, account, runtime).map(|s| Connected::Fake(Box::new(s)));
    }
    let account = runtime
        .block_on(connect(&config.aws, &loaded.desired.home_region))
        .map_err(|e| CliError::Live(e.message))?;
    guarded(loaded, account, runtime).map(|s| Connected::Aws(Box::new(s)))
}

/// The session, once STS said the credentials are for the spec's account.
fn guarded<A: Connection>(
    loaded: crate::spec::Loaded,
    account: A,
    runtime: tokio::runtime::Runtime,
) -> Result<Session<A>, CliError> {
    let desired = loaded.desired;
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

impl<A: Account> Session<A> {
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
