//! CloudWatch metric alarms through the SDK (the awsQuery protocol of aws-sdk-cloudwatch 1.99:
//! see Cargo.toml). Tags are read through the alarm's ARN.

use std::collections::BTreeSet;

use aws_sdk_cloudwatch::types::{ComparisonOperator, Statistic, Tag};

use crate::live::aws::account::AwsAccount;
use crate::live::aws::error::map;
use crate::live::aws::operations as ops;
use crate::live::aws::paging::all_pages;
use crate::live::error::LiveResult;
use crate::live::services::CloudWatch;
use crate::model::logs_state::AlarmState;
use crate::model::tags::Tags;

impl AwsAccount {
    async fn alarm_arn(&self, region: &str, name: &str) -> LiveResult<String> {
        Ok(format!(
            "arn:aws:cloudwatch:{region}:{}:alarm:{name}",
            self.id().await?
        ))
    }
}

fn api_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

impl CloudWatch for AwsAccount {
    async fn alarms(&self, region: &str, prefix: &str) -> LiveResult<Vec<AlarmState>> {
        let client = self.cloudwatch(region);
        let alarms = all_pages(ops::CLOUDWATCH_DESCRIBE_ALARMS, region, |token| {
            let call = client
                .describe_alarms()
                .alarm_name_prefix(prefix)
                .set_next_token(token);
            async move {
                let out = call
                    .send()
                    .await
                    .map_err(|e| map(ops::CLOUDWATCH_DESCRIBE_ALARMS, region, e))?;
                let next = out.next_token().map(str::to_owned);
                Ok((out.metric_alarms.unwrap_or_default(), next))
            }
        })
        .await?;
        let mut out = Vec::with_capacity(alarms.len());
        for a in alarms {
            let Some(name) = a.alarm_name().map(str::to_owned) else {
                continue;
            };
            let arn = match a.alarm_arn() {
                Some(arn) => arn.to_owned(),
                None => self.alarm_arn(region, &name).await?,
            };
            let tags: Tags = client
                .list_tags_for_resource()
                .resource_arn(arn)
                .send()
                .await
                .map_err(|e| map(ops::CLOUDWATCH_LIST_TAGS_FOR_RESOURCE, region, e))?
                .tags
                .unwrap_or_default()
                .into_iter()
                .filter_map(|t| Some((t.key?, t.value?)))
                .collect();
            let mut actions: Vec<String> = a.alarm_actions().to_vec();
            actions.sort();
            out.push(AlarmState {
                name,
                region: region.to_owned(),
                description: a.alarm_description().map(str::to_owned),
                namespace: a.namespace().unwrap_or_default().to_owned(),
                metric: a.metric_name().unwrap_or_default().to_owned(),
                statistic: a
                    .statistic()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                period_seconds: a.period().and_then(|p| u32::try_from(p).ok()).unwrap_or(0),
                evaluation_periods: a
                    .evaluation_periods()
                    .and_then(|p| u32::try_from(p).ok())
                    .unwrap_or(0),
                threshold: a.threshold().unwrap_or(0.0),
                comparison: a
                    .comparison_operator()
                    .map(|c| c.as_str().to_owned())
                    .unwrap_or_default(),
                treat_missing_data: a.treat_missing_data().unwrap_or("missing").to_owned(),
                actions_enabled: a.actions_enabled().unwrap_or(true),
                actions,
                tags,
            });
        }
        Ok(out)
    }

    async fn put_alarm(&self, alarm: &AlarmState, create: bool) -> LiveResult<()> {
        let region = &alarm.region;
        let op = ops::CLOUDWATCH_PUT_METRIC_ALARM;
        let tags = create.then(|| api_tags(&alarm.tags));
        self.cloudwatch(region)
            .put_metric_alarm()
            .alarm_name(&alarm.name)
            .set_alarm_description(alarm.description.clone())
            .namespace(&alarm.namespace)
            .metric_name(&alarm.metric)
            .statistic(Statistic::from(alarm.statistic.as_str()))
            .period(i32::try_from(alarm.period_seconds).unwrap_or(i32::MAX))
            .evaluation_periods(i32::try_from(alarm.evaluation_periods).unwrap_or(1))
            .threshold(alarm.threshold)
            .comparison_operator(ComparisonOperator::from(alarm.comparison.as_str()))
            .treat_missing_data(&alarm.treat_missing_data)
            .actions_enabled(alarm.actions_enabled)
            .set_alarm_actions(Some(alarm.actions.clone()))
            .set_tags(tags)
            .send()
            .await
            .map_err(|e| map(op, region, e))?;
        Ok(())
    }

    async fn tag_alarm(&self, region: &str, name: &str, tags: &Tags) -> LiveResult<()> {
        let arn = self.alarm_arn(region, name).await?;
        self.cloudwatch(region)
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(api_tags(tags)))
            .send()
            .await
            .map_err(|e| map(ops::CLOUDWATCH_TAG_RESOURCE, region, e))?;
        Ok(())
    }

    async fn untag_alarm(
        &self,
        region: &str,
        name: &str,
        keys: &BTreeSet<String>,
    ) -> LiveResult<()> {
        let arn = self.alarm_arn(region, name).await?;
        self.cloudwatch(region)
            .untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(keys.iter().cloned().collect()))
            .send()
            .await
            .map_err(|e| map(ops::CLOUDWATCH_UNTAG_RESOURCE, region, e))?;
        Ok(())
    }

    async fn delete_alarm(&self, region: &str, name: &str) -> LiveResult<()> {
        self.cloudwatch(region)
            .delete_alarms()
            .alarm_names(name)
            .send()
            .await
            .map_err(|e| map(ops::CLOUDWATCH_DELETE_ALARMS, region, e))?;
        Ok(())
    }
}
