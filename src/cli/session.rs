//! What `plan`, `apply`, `drift` and `show` share: load the spec, connect to the account once,
//! check it is the spec's account, read it, plan; and print a plan in the format asked for.

use crate::cli::args::{OutputFormat, SpecFile};
use crate::cli::config::Config;
use crate::cli::run::Io;
use crate::cli::validate;
use crate::live::aws::{AwsAccount, connect};
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

/// Prints an error line to stderr.
pub fn error(config: &Config, io: &mut Io<'_>, message: impl std::fmt::Display) {
    let _ = writeln!(io.stderr, "{}: {message}", config.stderr_color.red("error"));
}

/// The async runtime AWS calls run on (one thread), or `None` with the reason printed.
pub fn runtime(config: &Config, io: &mut Io<'_>) -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => Some(r),
        Err(e) => {
            error(config, io, format!("cannot start the async runtime: {e}"));
            None
        }
    }
}

/// Loads the spec and connects; then, before anything else is read, asks STS whose credentials
/// these are and refuses, naming both, when the spec's `account:` is another. On any failure the
/// reason is printed and `None` returned. An invalid spec stops before any AWS call.
pub fn connect_for(spec: &SpecFile, config: &Config, io: &mut Io<'_>) -> Option<Session> {
    let loaded = validate::load(spec, config, io)?;
    let runtime = runtime(config, io)?;
    let desired = loaded.desired;
    let account = match runtime.block_on(connect(&config.aws, &desired.home_region)) {
        Ok(a) => a,
        Err(e) => {
            error(config, io, e.message);
            return None;
        }
    };
    let account_id = match runtime.block_on(account.account_id()) {
        Ok(id) => id,
        Err(e) => {
            error(
                config,
                io,
                format!("cannot tell which account the credentials are for: {e}"),
            );
            return None;
        }
    };
    if let Some(want) = &desired.account
        && want != &account_id
    {
        error(
            config,
            io,
            format!(
                "the spec is for account {want}, but the credentials are for account {account_id}; nothing was read or changed"
            ),
        );
        let _ = writeln!(
            io.stderr,
            "  hint: check --profile / AWS_PROFILE, or the spec's `account:`"
        );
        return None;
    }
    Some(Session {
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
    pub fn plan(&self, adopt: bool, config: &Config, io: &mut Io<'_>) -> Option<Plan> {
        match self.runtime.block_on(observe(&self.account, &self.desired)) {
            Ok(observed) => {
                let mut p = plan::plan(&self.desired, &observed, plan::Options { adopt });
                p.lints = self.lints.clone();
                Some(p)
            }
            Err(e) => {
                error(config, io, format!("reading the account failed: {e}"));
                None
            }
        }
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
) {
    let view = PlanView::new(plan);
    match format {
        OutputFormat::Human => {
            let _ = render::plan::write(io.stdout, &view, config.stdout_color);
            if cost {
                let _ = view.cost.write_details(io.stdout);
            }
            if config.verbose > 0 {
                let _ = render::plan::write_unmanaged(io.stderr, plan);
            }
            let _ = render::plan::write_problems(io.stderr, &view, config.stderr_color);
        }
        OutputFormat::Json => json_line(io, &view, true),
        OutputFormat::Markdown => {
            let _ = render::markdown::write(io.stdout, title, &view);
        }
    }
}

/// Writes one JSON document (pretty) or one JSON line to stdout.
pub fn json_line(io: &mut Io<'_>, value: &impl serde::Serialize, pretty: bool) {
    let text = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    match text {
        Ok(t) => {
            let _ = writeln!(io.stdout, "{t}");
        }
        Err(e) => {
            let _ = writeln!(io.stderr, "error: cannot write JSON: {e}");
        }
    }
}
