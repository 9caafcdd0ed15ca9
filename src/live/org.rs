//! Which accounts of the organization a spec is for: `organization:` resolved through
//! Organizations (accounts listed, OUs walked recursively, exclusions and suspended accounts
//! taken out), checked against what the spec needs of them.

use std::collections::{BTreeMap, BTreeSet};

use crate::live::error::{ErrorKind, LiveError};
use crate::live::services::Organizations;
use crate::model::desired::Desired;
use crate::model::org::{CLOUDTRAIL_PRINCIPAL, OrgAccount, OrgInfo, Organization, Target, Targets};

/// The organization's accounts the spec is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fleet {
    pub info: OrgInfo,
    /// Active target accounts, by id.
    pub targets: Vec<OrgAccount>,
    /// Targets that are not active (suspended, closing): left out, and said so.
    pub skipped: Vec<OrgAccount>,
    /// Whether CloudTrail has trusted access (`None`: not asked, the spec has no organization
    /// trail).
    pub cloudtrail_trusted: Option<bool>,
}

/// Why the spec's accounts could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error(
        "account {caller} is not in an organization (Organizations: AWSOrganizationsNotInUseException)"
    )]
    NoOrganization { caller: String },
    #[error(
        "the credentials are for account {caller}, but organization {org} is managed by account {management}, and Organizations refused to list its accounts ({cause}): run trailctl with the management account's credentials or a delegated administrator's"
    )]
    NotAdministrator {
        caller: String,
        org: String,
        management: String,
        cause: LiveError,
    },
    #[error("{what} {id} is not in the organization {org}")]
    Unknown {
        what: &'static str,
        id: String,
        org: String,
    },
    #[error("the security account {id} is not an active target account")]
    SecurityNotTarget { id: String },
    #[error(
        "the spec's trails and buckets are planned in the management account {id}, which is not a target"
    )]
    ManagementNotTarget { id: String },
    #[error("{0}")]
    Live(LiveError),
}

impl From<LiveError> for ResolveError {
    fn from(e: LiveError) -> Self {
        ResolveError::Live(e)
    }
}

/// Resolves `organization:` for the caller's account `caller`.
pub async fn resolve<O: Organizations>(
    orgs: &O,
    spec: &Desired,
    org: &Organization,
    caller: &str,
) -> Result<Fleet, ResolveError> {
    let Some(info) = orgs.organization().await? else {
        return Err(ResolveError::NoOrganization {
            caller: caller.to_owned(),
        });
    };
    let all = match orgs.accounts().await {
        Ok(a) => a,
        Err(cause)
            if cause.kind == ErrorKind::AccessDenied || caller != info.management_account =>
        {
            return Err(ResolveError::NotAdministrator {
                caller: caller.to_owned(),
                org: info.id.clone(),
                management: info.management_account.clone(),
                cause,
            });
        }
        Err(e) => return Err(e.into()),
    };
    let by_id: BTreeMap<&str, &OrgAccount> = all.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    match &org.accounts {
        Targets::All => wanted.extend(all.iter().map(|a| a.id.clone())),
        Targets::Listed(list) => {
            for t in list {
                match t {
                    Target::Account(id) if by_id.contains_key(id.as_str()) => {
                        wanted.insert(id.clone());
                    }
                    Target::Account(id) => {
                        return Err(ResolveError::Unknown {
                            what: "account",
                            id: id.clone(),
                            org: info.id.clone(),
                        });
                    }
                    Target::Unit(unit) => wanted.extend(under(orgs, unit, &info.id).await?),
                }
            }
        }
    }
    let (targets, skipped): (Vec<OrgAccount>, Vec<OrgAccount>) = wanted
        .iter()
        .filter(|id| !org.exclude.contains(*id))
        .filter_map(|id| by_id.get(id.as_str()).map(|a| (*a).clone()))
        .partition(OrgAccount::active);
    let targeted = |id: &str| targets.iter().any(|a| a.id == id);
    if !targeted(&org.security_account) {
        return Err(ResolveError::SecurityNotTarget {
            id: org.security_account.clone(),
        });
    }
    if (!spec.trails.is_empty() || !spec.buckets.is_empty()) && !targeted(&info.management_account)
    {
        return Err(ResolveError::ManagementNotTarget {
            id: info.management_account.clone(),
        });
    }
    let cloudtrail_trusted = if spec.trails.iter().any(|t| t.settings.organization) {
        Some(
            orgs.trusted_services()
                .await?
                .contains(CLOUDTRAIL_PRINCIPAL),
        )
    } else {
        None
    };
    Ok(Fleet {
        info,
        targets,
        skipped,
        cloudtrail_trusted,
    })
}

/// Every account under a root or OU, however deep.
async fn under<O: Organizations>(
    orgs: &O,
    unit: &str,
    org: &str,
) -> Result<Vec<String>, ResolveError> {
    let mut out = Vec::new();
    let mut queue = vec![unit.to_owned()];
    let mut seen = BTreeSet::new();
    while let Some(parent) = queue.pop() {
        if !seen.insert(parent.clone()) {
            continue;
        }
        let (accounts, units) =
            tokio::join!(orgs.accounts_for_parent(&parent), orgs.child_units(&parent));
        let unknown = |e: LiveError| match &e.kind {
            ErrorKind::Service(code) if code == "ParentNotFoundException" => {
                ResolveError::Unknown {
                    what: "OU",
                    id: parent.clone(),
                    org: org.to_owned(),
                }
            }
            _ => ResolveError::Live(e),
        };
        out.extend(accounts.map_err(unknown)?);
        queue.extend(units.map_err(unknown)?);
    }
    Ok(out)
}
