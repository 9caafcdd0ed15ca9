//! What `plan` and `apply` share: load the spec, connect to the account once, read it, plan.

use std::path::Path;

use crate::cli::config::Config;
use crate::cli::run::Io;
use crate::cli::validate;
use crate::live::aws::{AwsAccount, connect};
use crate::live::observe;
use crate::model::desired::Desired;
use crate::plan::{self, Plan};
use crate::render;

/// A spec planned against the live account.
pub struct Session {
    pub desired: Desired,
    pub account: AwsAccount,
    pub plan: Plan,
    pub runtime: tokio::runtime::Runtime,
}

/// Prints an error line to stderr.
pub fn error(config: &Config, io: &mut Io<'_>, message: impl std::fmt::Display) {
    let _ = writeln!(io.stderr, "{}: {message}", config.stderr_color.red("error"));
}

/// Loads, connects, observes and plans; on any failure the reason is printed and `None` returned.
/// An invalid spec stops before any AWS call.
pub fn start(file: &Path, adopt: bool, config: &Config, io: &mut Io<'_>) -> Option<Session> {
    let desired = validate::load(file, config, io)?.desired;
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            error(config, io, format!("cannot start the async runtime: {e}"));
            return None;
        }
    };
    let account = match runtime.block_on(connect(&config.aws, &desired.home_region)) {
        Ok(a) => a,
        Err(e) => {
            error(config, io, e.message);
            return None;
        }
    };
    let plan = plan_again(&runtime, &account, &desired, adopt, config, io)?;
    Some(Session {
        desired,
        account,
        plan,
        runtime,
    })
}

/// Reads the account and plans `desired` against it.
pub fn plan_again(
    runtime: &tokio::runtime::Runtime,
    account: &AwsAccount,
    desired: &Desired,
    adopt: bool,
    config: &Config,
    io: &mut Io<'_>,
) -> Option<Plan> {
    match runtime.block_on(observe(account, desired)) {
        Ok(observed) => Some(plan::plan(desired, &observed, plan::Options { adopt })),
        Err(e) => {
            error(config, io, format!("reading the account failed: {e}"));
            None
        }
    }
}

/// Prints the plan to stdout and its warnings and conflicts to stderr (with `-v`, also what the
/// stack does not manage).
pub fn show(plan: &Plan, config: &Config, io: &mut Io<'_>) {
    let _ = render::plan::write(io.stdout, plan, config.stdout_color);
    if config.verbose > 0 {
        let _ = render::plan::write_unmanaged(io.stderr, plan);
    }
    let _ = render::plan::write_problems(io.stderr, plan, config.stderr_color);
}
