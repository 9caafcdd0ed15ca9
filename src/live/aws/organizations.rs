//! AWS Organizations through the SDK: the organization, its accounts and OUs, trusted access.

use std::collections::BTreeSet;

use aws_sdk_organizations::types::ChildType;

use crate::live::aws::account::AwsAccount;
use crate::live::aws::error::{code, map};
use crate::live::aws::operations as ops;
use crate::live::aws::paging::all_pages;
use crate::live::error::LiveResult;
use crate::live::services::Organizations;
use crate::model::org::{OrgAccount, OrgInfo};

impl Organizations for AwsAccount {
    async fn organization(&self) -> LiveResult<Option<OrgInfo>> {
        const OP: &str = ops::ORGANIZATIONS_DESCRIBE_ORGANIZATION;
        let region = self.default_region();
        match self.organizations().describe_organization().send().await {
            Ok(out) => Ok(out.organization().map(|o| OrgInfo {
                id: o.id().unwrap_or_default().to_owned(),
                management_account: o.master_account_id().unwrap_or_default().to_owned(),
            })),
            Err(e) if code(&e) == Some("AWSOrganizationsNotInUseException") => Ok(None),
            Err(e) => Err(map(OP, region, e)),
        }
    }

    async fn accounts(&self) -> LiveResult<Vec<OrgAccount>> {
        const OP: &str = ops::ORGANIZATIONS_LIST_ACCOUNTS;
        let region = self.default_region();
        let client = self.organizations();
        all_pages(OP, region, |token| {
            let call = client.list_accounts().set_next_token(token);
            async move {
                let page = call.send().await.map_err(|e| map(OP, region, e))?;
                let accounts = page
                    .accounts()
                    .iter()
                    .map(|a| OrgAccount {
                        id: a.id().unwrap_or_default().to_owned(),
                        name: a.name().unwrap_or_default().to_owned(),
                        // `State` replaces the deprecated `Status`; either says ACTIVE.
                        status: a
                            .state()
                            .map(|s| s.as_str().to_owned())
                            .or_else(|| {
                                #[allow(deprecated)]
                                a.status().map(|s| s.as_str().to_owned())
                            })
                            .unwrap_or_default(),
                    })
                    .collect();
                Ok((accounts, page.next_token().map(str::to_owned)))
            }
        })
        .await
    }

    async fn accounts_for_parent(&self, parent: &str) -> LiveResult<Vec<String>> {
        const OP: &str = ops::ORGANIZATIONS_LIST_ACCOUNTS_FOR_PARENT;
        let region = self.default_region();
        let client = self.organizations();
        all_pages(OP, region, |token| {
            let call = client
                .list_accounts_for_parent()
                .parent_id(parent)
                .set_next_token(token);
            async move {
                let page = call.send().await.map_err(|e| map(OP, region, e))?;
                let ids = page
                    .accounts()
                    .iter()
                    .filter_map(|a| a.id().map(str::to_owned))
                    .collect();
                Ok((ids, page.next_token().map(str::to_owned)))
            }
        })
        .await
    }

    async fn child_units(&self, parent: &str) -> LiveResult<Vec<String>> {
        const OP: &str = ops::ORGANIZATIONS_LIST_CHILDREN;
        let region = self.default_region();
        let client = self.organizations();
        all_pages(OP, region, |token| {
            let call = client
                .list_children()
                .parent_id(parent)
                .child_type(ChildType::OrganizationalUnit)
                .set_next_token(token);
            async move {
                let page = call.send().await.map_err(|e| map(OP, region, e))?;
                let ids = page
                    .children()
                    .iter()
                    .filter_map(|c| c.id().map(str::to_owned))
                    .collect();
                Ok((ids, page.next_token().map(str::to_owned)))
            }
        })
        .await
    }

    async fn trusted_services(&self) -> LiveResult<BTreeSet<String>> {
        const OP: &str = ops::ORGANIZATIONS_LIST_AWSSERVICE_ACCESS_FOR_ORGANIZATION;
        let region = self.default_region();
        let client = self.organizations();
        let list = all_pages(OP, region, |token| {
            let call = client
                .list_aws_service_access_for_organization()
                .set_next_token(token);
            async move {
                let page = call.send().await.map_err(|e| map(OP, region, e))?;
                let names: Vec<String> = page
                    .enabled_service_principals()
                    .iter()
                    .filter_map(|s| s.service_principal().map(str::to_owned))
                    .collect();
                Ok((names, page.next_token().map(str::to_owned)))
            }
        })
        .await?;
        Ok(list.into_iter().collect())
    }
}
