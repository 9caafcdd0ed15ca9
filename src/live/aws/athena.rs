//! Athena through the SDK: workgroups, their result configuration and tags.

use std::collections::BTreeSet;

use aws_sdk_athena::types::{
    QueryExecutionContext, QueryExecutionState, ResultConfiguration, ResultConfigurationUpdates,
    Tag, WorkGroupConfiguration, WorkGroupConfigurationUpdates,
};

use crate::live::aws::account::AwsAccount;
use crate::live::aws::error::{build, code, map};
use crate::live::aws::operations as ops;
use crate::live::aws::paging::all_pages;
use crate::live::error::LiveResult;
use crate::live::services::{Athena, QueryState, QueryStatus, ResultPage};
use crate::model::athena_state::WorkgroupState;
use crate::model::tags::Tags;

/// The workgroup every account has in every Region: never trailctl's.
const PRIMARY: &str = "primary";

impl AwsAccount {
    async fn workgroup_arn(&self, region: &str, name: &str) -> LiveResult<String> {
        Ok(format!(
            "arn:aws:athena:{region}:{}:workgroup/{name}",
            self.id().await?
        ))
    }

    async fn workgroup(&self, region: &str, name: &str) -> LiveResult<Option<WorkgroupState>> {
        let client = self.athena(region);
        let out = match client.get_work_group().work_group(name).send().await {
            Ok(o) => o,
            Err(e) if code(&e) == Some("InvalidRequestException") => return Ok(None),
            Err(e) => return Err(map(ops::ATHENA_GET_WORK_GROUP, region, e)),
        };
        let Some(w) = out.work_group() else {
            return Ok(None);
        };
        let config = w.configuration();
        let arn = self.workgroup_arn(region, name).await?;
        let tags = all_pages(ops::ATHENA_LIST_TAGS_FOR_RESOURCE, region, |token| {
            let call = client
                .list_tags_for_resource()
                .resource_arn(&arn)
                .set_next_token(token);
            async move {
                let page = call
                    .send()
                    .await
                    .map_err(|e| map(ops::ATHENA_LIST_TAGS_FOR_RESOURCE, region, e))?;
                let tags: Vec<(String, String)> = page
                    .tags()
                    .iter()
                    .filter_map(|t| {
                        Some((
                            t.key()?.to_owned(),
                            t.value().unwrap_or_default().to_owned(),
                        ))
                    })
                    .collect();
                Ok((tags, page.next_token().map(str::to_owned)))
            }
        })
        .await?;
        Ok(Some(WorkgroupState {
            name: name.to_owned(),
            region: region.to_owned(),
            output_location: config
                .and_then(|c| c.result_configuration())
                .and_then(|r| r.output_location())
                .unwrap_or_default()
                .to_owned(),
            bytes_scanned_cutoff: config
                .and_then(|c| c.bytes_scanned_cutoff_per_query())
                .and_then(|n| u64::try_from(n).ok()),
            enforce_configuration: config
                .and_then(|c| c.enforce_work_group_configuration())
                .unwrap_or(false),
            tags: tags.into_iter().collect(),
        }))
    }
}

fn cutoff(op: &'static str, w: &WorkgroupState) -> LiveResult<Option<i64>> {
    w.bytes_scanned_cutoff
        .map(|n| i64::try_from(n).map_err(|e| build(op, &w.region, e)))
        .transpose()
}

fn tags_to_api(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

impl Athena for AwsAccount {
    async fn workgroups(&self, region: &str) -> LiveResult<Vec<WorkgroupState>> {
        const OP: &str = ops::ATHENA_LIST_WORK_GROUPS;
        let client = self.athena(region);
        let names = all_pages(OP, region, |token| {
            let call = client.list_work_groups().set_next_token(token);
            async move {
                let page = call.send().await.map_err(|e| map(OP, region, e))?;
                let names: Vec<String> = page
                    .work_groups()
                    .iter()
                    .filter_map(|w| w.name().map(str::to_owned))
                    .filter(|n| n != PRIMARY)
                    .collect();
                Ok((names, page.next_token().map(str::to_owned)))
            }
        })
        .await?;
        let reads = names.iter().map(|n| self.workgroup(region, n));
        Ok(futures_util::future::try_join_all(reads)
            .await?
            .into_iter()
            .flatten()
            .collect())
    }

    async fn create_workgroup(&self, w: &WorkgroupState) -> LiveResult<()> {
        const OP: &str = ops::ATHENA_CREATE_WORK_GROUP;
        let config = WorkGroupConfiguration::builder()
            .result_configuration(
                ResultConfiguration::builder()
                    .output_location(&w.output_location)
                    .build(),
            )
            .set_bytes_scanned_cutoff_per_query(cutoff(OP, w)?)
            .enforce_work_group_configuration(w.enforce_configuration)
            .build();
        self.athena(&w.region)
            .create_work_group()
            .name(&w.name)
            .description("CloudTrail queries, managed by trailctl")
            .configuration(config)
            .set_tags(Some(tags_to_api(&w.tags)))
            .send()
            .await
            .map_err(|e| map(OP, &w.region, e))?;
        Ok(())
    }

    async fn update_workgroup(&self, w: &WorkgroupState) -> LiveResult<()> {
        const OP: &str = ops::ATHENA_UPDATE_WORK_GROUP;
        let limit = cutoff(OP, w)?;
        let updates = WorkGroupConfigurationUpdates::builder()
            .result_configuration_updates(
                ResultConfigurationUpdates::builder()
                    .output_location(&w.output_location)
                    .build(),
            )
            .set_bytes_scanned_cutoff_per_query(limit)
            .remove_bytes_scanned_cutoff_per_query(limit.is_none())
            .enforce_work_group_configuration(w.enforce_configuration)
            .build();
        self.athena(&w.region)
            .update_work_group()
            .work_group(&w.name)
            .configuration_updates(updates)
            .send()
            .await
            .map_err(|e| map(OP, &w.region, e))?;
        Ok(())
    }

    async fn tag_workgroup(&self, region: &str, name: &str, tags: &Tags) -> LiveResult<()> {
        const OP: &str = ops::ATHENA_TAG_RESOURCE;
        let arn = self.workgroup_arn(region, name).await?;
        self.athena(region)
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(tags_to_api(tags)))
            .send()
            .await
            .map_err(|e| map(OP, region, e))?;
        Ok(())
    }

    async fn untag_workgroup(
        &self,
        region: &str,
        name: &str,
        keys: &BTreeSet<String>,
    ) -> LiveResult<()> {
        let arn = self.workgroup_arn(region, name).await?;
        self.athena(region)
            .untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(keys.iter().cloned().collect()))
            .send()
            .await
            .map_err(|e| map(ops::ATHENA_UNTAG_RESOURCE, region, e))?;
        Ok(())
    }

    async fn start_query(
        &self,
        region: &str,
        workgroup: &str,
        database: &str,
        sql: &str,
    ) -> LiveResult<String> {
        const OP: &str = ops::ATHENA_START_QUERY_EXECUTION;
        let out = self
            .athena(region)
            .start_query_execution()
            .query_string(sql)
            .work_group(workgroup)
            .query_execution_context(QueryExecutionContext::builder().database(database).build())
            .send()
            .await
            .map_err(|e| map(OP, region, e))?;
        Ok(out.query_execution_id().unwrap_or_default().to_owned())
    }

    async fn query_status(&self, region: &str, id: &str) -> LiveResult<QueryStatus> {
        const OP: &str = ops::ATHENA_GET_QUERY_EXECUTION;
        let out = self
            .athena(region)
            .get_query_execution()
            .query_execution_id(id)
            .send()
            .await
            .map_err(|e| map(OP, region, e))?;
        let q = out.query_execution();
        let status = q.and_then(|q| q.status());
        let stats = q.and_then(|q| q.statistics());
        let state = match status.and_then(|s| s.state()) {
            Some(QueryExecutionState::Queued) | None => QueryState::Queued,
            Some(QueryExecutionState::Running) => QueryState::Running,
            Some(QueryExecutionState::Succeeded) => QueryState::Succeeded,
            Some(QueryExecutionState::Cancelled) => QueryState::Cancelled,
            Some(_) => QueryState::Failed,
        };
        Ok(QueryStatus {
            state,
            reason: status
                .and_then(|s| s.state_change_reason())
                .map(str::to_owned),
            bytes_scanned: stats
                .and_then(|s| s.data_scanned_in_bytes())
                .and_then(|n| u64::try_from(n).ok()),
            millis: stats
                .and_then(|s| s.total_execution_time_in_millis())
                .and_then(|n| u64::try_from(n).ok()),
        })
    }

    async fn query_page(
        &self,
        region: &str,
        id: &str,
        token: Option<String>,
    ) -> LiveResult<ResultPage> {
        const OP: &str = ops::ATHENA_GET_QUERY_RESULTS;
        let out = self
            .athena(region)
            .get_query_results()
            .query_execution_id(id)
            .max_results(1000)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| map(OP, region, e))?;
        let set = out.result_set();
        Ok(ResultPage {
            columns: set
                .and_then(|s| s.result_set_metadata())
                .map(|m| {
                    m.column_info()
                        .iter()
                        .map(|c| c.name().to_owned())
                        .collect()
                })
                .unwrap_or_default(),
            rows: set
                .map(|s| {
                    s.rows()
                        .iter()
                        .map(|r| {
                            r.data()
                                .iter()
                                .map(|d| d.var_char_value().map(str::to_owned))
                                .collect()
                        })
                        .collect()
                })
                .unwrap_or_default(),
            next: out.next_token().map(str::to_owned),
        })
    }

    async fn delete_workgroup(&self, region: &str, name: &str) -> LiveResult<()> {
        match self
            .athena(region)
            .delete_work_group()
            .work_group(name)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if code(&e) == Some("InvalidRequestException") => Ok(()),
            Err(e) => Err(map(ops::ATHENA_DELETE_WORK_GROUP, region, e)),
        }
    }
}
