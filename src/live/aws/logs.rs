//! CloudWatch Logs through the SDK: log groups (tagged through their ARN) and their metric
//! filters.

use std::collections::BTreeSet;

use aws_sdk_cloudwatchlogs::types::MetricTransformation;

use crate::live::aws::account::AwsAccount;
use crate::live::aws::error::{build, code, map};
use crate::live::aws::operations as ops;
use crate::live::aws::paging::all_pages;
use crate::live::error::{ErrorKind, LiveResult};
use crate::live::services::Logs;
use crate::model::logs_state::{LogGroupState, MetricFilterState};
use crate::model::tags::Tags;

const NOT_FOUND: &str = "ResourceNotFoundException";

impl AwsAccount {
    /// A log group's ARN as `TagResource` takes it (without the `:*` that DescribeLogGroups
    /// appends).
    async fn log_group_arn(&self, region: &str, name: &str) -> LiveResult<String> {
        Ok(format!(
            "arn:aws:logs:{region}:{}:log-group:{name}",
            self.id().await?
        ))
    }
}

impl Logs for AwsAccount {
    async fn log_group(&self, region: &str, name: &str) -> LiveResult<Option<LogGroupState>> {
        let client = self.logs(region);
        let groups = all_pages(ops::LOGS_DESCRIBE_LOG_GROUPS, region, |token| {
            let call = client
                .describe_log_groups()
                .log_group_name_prefix(name)
                .set_next_token(token);
            async move {
                let out = call
                    .send()
                    .await
                    .map_err(|e| map(ops::LOGS_DESCRIBE_LOG_GROUPS, region, e))?;
                let next = out.next_token().map(str::to_owned);
                Ok((out.log_groups.unwrap_or_default(), next))
            }
        })
        .await?;
        let Some(g) = groups
            .into_iter()
            .find(|g| g.log_group_name() == Some(name))
        else {
            return Ok(None);
        };
        let arn = self.log_group_arn(region, name).await?;
        let tags = match client
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
        {
            Ok(out) => out.tags.unwrap_or_default().into_iter().collect(),
            Err(e) if code(&e) == Some(NOT_FOUND) => return Ok(None),
            Err(e) => return Err(map(ops::LOGS_LIST_TAGS_FOR_RESOURCE, region, e)),
        };
        Ok(Some(LogGroupState {
            name: name.to_owned(),
            region: region.to_owned(),
            retention_days: g.retention_in_days().and_then(|d| u32::try_from(d).ok()),
            kms_key: g.kms_key_id().filter(|k| !k.is_empty()).map(str::to_owned),
            tags,
        }))
    }

    async fn create_log_group(&self, group: &LogGroupState) -> LiveResult<()> {
        let region = &group.region;
        self.logs(region)
            .create_log_group()
            .log_group_name(&group.name)
            .set_kms_key_id(group.kms_key.clone())
            .set_tags(Some(group.tags.clone().into_iter().collect()))
            .send()
            .await
            .map_err(|e| map(ops::LOGS_CREATE_LOG_GROUP, region, e))?;
        if group.retention_days.is_some() {
            self.set_retention(region, &group.name, group.retention_days)
                .await?;
        }
        Ok(())
    }

    async fn set_retention(&self, region: &str, name: &str, days: Option<u32>) -> LiveResult<()> {
        let client = self.logs(region);
        match days {
            Some(d) => {
                client
                    .put_retention_policy()
                    .log_group_name(name)
                    .retention_in_days(i32::try_from(d).unwrap_or(i32::MAX))
                    .send()
                    .await
                    .map_err(|e| map(ops::LOGS_PUT_RETENTION_POLICY, region, e))?;
            }
            None => {
                client
                    .delete_retention_policy()
                    .log_group_name(name)
                    .send()
                    .await
                    .map_err(|e| map(ops::LOGS_DELETE_RETENTION_POLICY, region, e))?;
            }
        }
        Ok(())
    }

    async fn set_log_group_key(
        &self,
        region: &str,
        name: &str,
        key: Option<&str>,
    ) -> LiveResult<()> {
        let client = self.logs(region);
        match key {
            Some(k) => {
                client
                    .associate_kms_key()
                    .log_group_name(name)
                    .kms_key_id(k)
                    .send()
                    .await
                    .map_err(|e| map(ops::LOGS_ASSOCIATE_KMS_KEY, region, e))?;
            }
            None => {
                client
                    .disassociate_kms_key()
                    .log_group_name(name)
                    .send()
                    .await
                    .map_err(|e| map(ops::LOGS_DISASSOCIATE_KMS_KEY, region, e))?;
            }
        }
        Ok(())
    }

    async fn tag_log_group(&self, region: &str, name: &str, tags: &Tags) -> LiveResult<()> {
        let arn = self.log_group_arn(region, name).await?;
        self.logs(region)
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(tags.clone().into_iter().collect()))
            .send()
            .await
            .map_err(|e| map(ops::LOGS_TAG_RESOURCE, region, e))?;
        Ok(())
    }

    async fn untag_log_group(
        &self,
        region: &str,
        name: &str,
        keys: &BTreeSet<String>,
    ) -> LiveResult<()> {
        let arn = self.log_group_arn(region, name).await?;
        self.logs(region)
            .untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(keys.iter().cloned().collect()))
            .send()
            .await
            .map_err(|e| map(ops::LOGS_UNTAG_RESOURCE, region, e))?;
        Ok(())
    }

    async fn delete_log_group(&self, region: &str, name: &str) -> LiveResult<()> {
        match self
            .logs(region)
            .delete_log_group()
            .log_group_name(name)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if code(&e) == Some(NOT_FOUND) => Ok(()),
            Err(e) => Err(map(ops::LOGS_DELETE_LOG_GROUP, region, e)),
        }
    }

    async fn metric_filters(
        &self,
        region: &str,
        log_group: &str,
        prefix: &str,
    ) -> LiveResult<Vec<MetricFilterState>> {
        let client = self.logs(region);
        let result = all_pages(ops::LOGS_DESCRIBE_METRIC_FILTERS, region, |token| {
            let call = client
                .describe_metric_filters()
                .log_group_name(log_group)
                .filter_name_prefix(prefix)
                .set_next_token(token);
            async move {
                let out = call
                    .send()
                    .await
                    .map_err(|e| map(ops::LOGS_DESCRIBE_METRIC_FILTERS, region, e))?;
                let next = out.next_token().map(str::to_owned);
                Ok((out.metric_filters.unwrap_or_default(), next))
            }
        })
        .await;
        let filters = match result {
            Ok(f) => f,
            Err(e) if e.kind == ErrorKind::Service(NOT_FOUND.to_owned()) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        Ok(filters
            .into_iter()
            .filter_map(|f| {
                // trailctl writes one transformation; a filter with several is read by its first
                // (and so differs from what trailctl would write, and is rewritten).
                let t = f.metric_transformations().first()?;
                Some(MetricFilterState {
                    name: f.filter_name()?.to_owned(),
                    region: region.to_owned(),
                    log_group: f.log_group_name().unwrap_or(log_group).to_owned(),
                    pattern: f.filter_pattern().unwrap_or_default().to_owned(),
                    namespace: t.metric_namespace().to_owned(),
                    metric: t.metric_name().to_owned(),
                    value: t.metric_value().to_owned(),
                })
            })
            .collect())
    }

    async fn put_metric_filter(&self, filter: &MetricFilterState) -> LiveResult<()> {
        let region = &filter.region;
        let op = ops::LOGS_PUT_METRIC_FILTER;
        let transformation = MetricTransformation::builder()
            .metric_name(&filter.metric)
            .metric_namespace(&filter.namespace)
            .metric_value(&filter.value)
            .build()
            .map_err(|e| build(op, region, e))?;
        self.logs(region)
            .put_metric_filter()
            .log_group_name(&filter.log_group)
            .filter_name(&filter.name)
            .filter_pattern(&filter.pattern)
            .metric_transformations(transformation)
            .send()
            .await
            .map_err(|e| map(op, region, e))?;
        Ok(())
    }

    async fn delete_metric_filter(
        &self,
        region: &str,
        log_group: &str,
        name: &str,
    ) -> LiveResult<()> {
        match self
            .logs(region)
            .delete_metric_filter()
            .log_group_name(log_group)
            .filter_name(name)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if code(&e) == Some(NOT_FOUND) => Ok(()),
            Err(e) => Err(map(ops::LOGS_DELETE_METRIC_FILTER, region, e)),
        }
    }
}
