//! `trailctl policy`: the least-privilege IAM policy a spec needs for one role, or the
//! permissions boundary of the stack's roles, as one JSON document on standard output.

use crate::access::names::Names;
use crate::access::policy::{self, Role};
use crate::cli::args::{PolicyArgs, PolicyRole};
use crate::cli::config::Config;
use crate::cli::error::{CliError, CliResult};
use crate::cli::io::Io;
use crate::cli::{session, validate};
use crate::exit::Exit;
use crate::live::aws::connect;
use crate::live::services::Sts;

pub fn run(a: &PolicyArgs, config: &Config, io: &mut Io<'_>) -> CliResult {
    let desired = validate::load(&a.spec, config, io)?.desired;
    let account = match (&a.account, &desired.account) {
        (Some(given), Some(spec)) if given != spec => {
            return Err(CliError::Flags(vec![format!(
                "--account {given}: the spec is for account {spec}"
            )]));
        }
        (Some(id), _) | (None, Some(id)) => {
            if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(CliError::Flags(vec![format!(
                    "--account {id}: an account id is 12 digits"
                )]));
            }
            id.clone()
        }
        // An organization spec's policies name every member account (`*`).
        (None, None) if desired.organization.is_some() => "*".to_owned(),
        (None, None) => {
            let runtime = session::runtime()?;
            runtime
                .block_on(async {
                    let account = connect(&config.aws, &desired.home_region).await?;
                    account.account_id().await
                })
                .map_err(|e| {
                    CliError::Live(format!(
                        "{e} (the account the policy names comes from the spec's `account:`, --account, or STS)"
                    ))
                })?
        }
    };
    let names = Names::of(&desired, &account);
    let document = match a.role {
        PolicyRole::Plan => policy::document(&names, Role::Plan),
        PolicyRole::Apply => policy::document(&names, Role::Apply),
        PolicyRole::Read => policy::document(&names, Role::Read),
        PolicyRole::Boundary => policy::boundary(&desired, &names).ok_or_else(|| {
            CliError::refused(format!(
                "{}: the spec builds no IAM role (no alert forwards from another Region, no `cloudwatch_logs.log_group`), so it needs no permissions boundary",
                a.spec.file.display()
            ))
        })?,
    };
    let text = serde_json::to_string_pretty(&document)
        .map_err(|e| CliError::Input(format!("the policy could not be encoded: {e}")))?;
    writeln!(io.stdout, "{text}")?;
    Ok(Exit::Success)
}
