//! Resolving `organization:` against the in-memory account's organization.

use std::collections::BTreeMap;

use crate::live::error::{ErrorKind, LiveError, LiveResult};
use crate::live::fake::{Fake, FakeOrg};
use crate::live::org::{ResolveError, resolve};
use crate::live::services::Organizations;
use crate::model::org::{OrgAccount, OrgInfo};

impl Organizations for Fake {
    async fn organization(&self) -> LiveResult<Option<OrgInfo>> {
        self.call("Organizations:DescribeOrganization", "us-east-1")?;
        Ok(self.state.borrow().org.as_ref().map(|o| o.info.clone()))
    }

    async fn accounts(&self) -> LiveResult<Vec<OrgAccount>> {
        self.call("Organizations:ListAccounts", "us-east-1")?;
        let s = self.state.borrow();
        match &s.org {
            Some(o) if o.info.management_account == s.account => Ok(o.accounts.clone()),
            _ => Err(LiveError::new(
                "Organizations:ListAccounts",
                Some("us-east-1"),
                ErrorKind::AccessDenied,
                "not the management account",
            )),
        }
    }

    async fn accounts_for_parent(&self, parent: &str) -> LiveResult<Vec<String>> {
        self.call("Organizations:ListAccountsForParent", "us-east-1")?;
        self.children(parent, true)
    }

    async fn child_units(&self, parent: &str) -> LiveResult<Vec<String>> {
        self.call("Organizations:ListChildren", "us-east-1")?;
        self.children(parent, false)
    }

    async fn trusted_services(&self) -> LiveResult<std::collections::BTreeSet<String>> {
        self.call(
            "Organizations:ListAWSServiceAccessForOrganization",
            "us-east-1",
        )?;
        Ok(self
            .state
            .borrow()
            .org
            .as_ref()
            .map(|o| o.trusted.clone())
            .unwrap_or_default())
    }
}

impl Fake {
    fn children(&self, parent: &str, accounts: bool) -> LiveResult<Vec<String>> {
        let s = self.state.borrow();
        let known = |o: &FakeOrg| parent.starts_with("r-") || o.parents.contains_key(parent);
        let Some(o) = s.org.as_ref().filter(|o| known(o)) else {
            return Err(LiveError::new(
                "Organizations:ListChildren",
                Some("us-east-1"),
                ErrorKind::Service("ParentNotFoundException".to_owned()),
                "no such parent",
            ));
        };
        Ok(o.parents
            .iter()
            .filter(|(child, p)| *p == parent && child.starts_with("ou-") != accounts)
            .map(|(child, _)| child.clone())
            .collect())
    }
}

fn account(id: &str, status: &str) -> OrgAccount {
    OrgAccount {
        id: id.to_owned(),
        name: format!("acct-{id}"),
        status: status.to_owned(),
    }
}

/// Management 111…, security 222… under ou-root-security, workloads 333… (suspended 444…) two
/// OUs deep.
pub(crate) fn organization(caller: &str) -> Fake {
    let fake = Fake::new(caller);
    let parents: BTreeMap<String, String> = [
        ("111111111111", "r-root"),
        ("222222222222", "ou-root-security"),
        ("ou-root-security", "r-root"),
        ("ou-root-workload", "r-root"),
        ("ou-root-prodprod", "ou-root-workload"),
        ("333333333333", "ou-root-prodprod"),
        ("444444444444", "ou-root-prodprod"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_owned(), b.to_owned()))
    .collect();
    fake.state.borrow_mut().org = Some(FakeOrg {
        info: OrgInfo {
            id: "o-abc123defg".to_owned(),
            management_account: "111111111111".to_owned(),
        },
        accounts: vec![
            account("111111111111", "ACTIVE"),
            account("222222222222", "ACTIVE"),
            account("333333333333", "ACTIVE"),
            account("444444444444", "SUSPENDED"),
        ],
        parents,
        trusted: Default::default(),
    });
    fake
}

fn spec(organization: &str, trails: &str) -> crate::model::desired::Desired {
    crate::apply::tests::desired(&format!(
        "version: 1\nstack: s\nhome_region: us-east-1\n{trails}organization:\n{organization}"
    ))
}

fn ids(fleet: &crate::live::org::Fleet) -> Vec<&str> {
    fleet.targets.iter().map(|a| a.id.as_str()).collect()
}

#[tokio::test]
async fn all_accounts_but_the_excluded_and_the_suspended() {
    let fake = organization("111111111111");
    let d = spec(
        "  accounts: all\n  exclude: [\"333333333333\"]\n  security_account: \"222222222222\"\n",
        "",
    );
    let org = d.organization.clone().expect("org");
    let fleet = resolve(&fake, &d, &org, "111111111111")
        .await
        .expect("fleet");
    assert_eq!(ids(&fleet), ["111111111111", "222222222222"]);
    assert_eq!(fleet.skipped.len(), 1);
    assert_eq!(fleet.skipped[0].id, "444444444444");
    assert_eq!(fleet.cloudtrail_trusted, None);
}

#[tokio::test]
async fn ous_are_walked_recursively() {
    let fake = organization("111111111111");
    let d = spec(
        "  accounts: [\"ou-root-workload\", \"ou-root-security\"]\n  security_account: \"222222222222\"\n",
        "",
    );
    let org = d.organization.clone().expect("org");
    let fleet = resolve(&fake, &d, &org, "111111111111")
        .await
        .expect("fleet");
    assert_eq!(ids(&fleet), ["222222222222", "333333333333"]);
    assert_eq!(fleet.skipped[0].id, "444444444444");
}

#[tokio::test]
async fn what_the_spec_needs_of_the_organization_is_checked() {
    let fake = organization("111111111111");
    let trail = "buckets: [{name: org-logs}]\ntrails:\n  - {name: org, bucket: org-logs, organization: true}\n";
    // The trails need the management account among the targets.
    let d = spec(
        "  accounts: [\"ou-root-security\"]\n  security_account: \"222222222222\"\n",
        trail,
    );
    let org = d.organization.clone().expect("org");
    let err = resolve(&fake, &d, &org, "111111111111").await.unwrap_err();
    assert!(
        matches!(err, ResolveError::ManagementNotTarget { .. }),
        "{err}"
    );
    // An OU that does not exist.
    let d = spec(
        "  accounts: [\"ou-root-nonexistent\"]\n  security_account: \"222222222222\"\n",
        "",
    );
    let org = d.organization.clone().expect("org");
    let err = resolve(&fake, &d, &org, "111111111111").await.unwrap_err();
    assert!(err.to_string().contains("ou-root-nonexistent"), "{err}");
    // An organization trail asks whether CloudTrail has trusted access.
    let d = spec(
        "  accounts: all\n  security_account: \"222222222222\"\n",
        trail,
    );
    let org = d.organization.clone().expect("org");
    let fleet = resolve(&fake, &d, &org, "111111111111")
        .await
        .expect("fleet");
    assert_eq!(fleet.cloudtrail_trusted, Some(false));
}

#[tokio::test]
async fn a_member_account_is_told_who_manages_the_organization() {
    let fake = organization("333333333333");
    let d = spec(
        "  accounts: all\n  security_account: \"222222222222\"\n",
        "",
    );
    let org = d.organization.clone().expect("org");
    let err = resolve(&fake, &d, &org, "333333333333").await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("account 333333333333") && text.contains("managed by account 111111111111"),
        "{text}"
    );
    let none = Fake::new("555555555555");
    let err = resolve(&none, &d, &org, "555555555555").await.unwrap_err();
    assert!(matches!(err, ResolveError::NoOrganization { .. }));
}
