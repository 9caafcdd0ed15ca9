//! SNS through the SDK: topics, their attributes, tags and subscriptions.

use std::collections::BTreeSet;

use aws_sdk_sns::types::Tag;

use crate::live::aws::account::AwsAccount;
use crate::live::aws::error::{build, code, map};
use crate::live::aws::operations as ops;
use crate::live::aws::paging::all_pages;
use crate::live::error::LiveResult;
use crate::live::services::Sns;
use crate::model::observed::{LiveSubscription, LiveTopic};
use crate::model::tags::Tags;

/// What SNS reports as the ARN of a subscription that waits for confirmation.
const PENDING: &str = "PendingConfirmation";

fn tags_to_api(op: &'static str, region: &str, tags: &Tags) -> LiveResult<Vec<Tag>> {
    tags.iter()
        .map(|(k, v)| {
            Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| build(op, region, e))
        })
        .collect()
}

impl Sns for AwsAccount {
    async fn list_topics(&self, region: &str) -> LiveResult<Vec<String>> {
        const OP: &str = ops::SNS_LIST_TOPICS;
        let client = self.sns(region);
        all_pages(OP, region, |token| {
            let call = client.list_topics().set_next_token(token);
            async move {
                let page = call.send().await.map_err(|e| map(OP, region, e))?;
                let arns = page
                    .topics()
                    .iter()
                    .filter_map(|t| t.topic_arn().map(str::to_owned))
                    .collect();
                Ok((arns, page.next_token().map(str::to_owned)))
            }
        })
        .await
    }

    async fn topic_tags(&self, region: &str, arn: &str) -> LiveResult<Tags> {
        let out = self
            .sns(region)
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .map_err(|e| map(ops::SNS_LIST_TAGS_FOR_RESOURCE, region, e))?;
        Ok(out
            .tags()
            .iter()
            .map(|t| (t.key().to_owned(), t.value().to_owned()))
            .collect())
    }

    async fn topic(&self, region: &str, arn: &str, tags: Tags) -> LiveResult<Option<LiveTopic>> {
        const OP: &str = ops::SNS_LIST_SUBSCRIPTIONS_BY_TOPIC;
        let client = self.sns(region);
        let attributes = match client.get_topic_attributes().topic_arn(arn).send().await {
            Ok(out) => out.attributes().cloned().unwrap_or_default(),
            Err(e) if code(&e) == Some("NotFound") => return Ok(None),
            Err(e) => return Err(map(ops::SNS_GET_TOPIC_ATTRIBUTES, region, e)),
        };
        let subscriptions = all_pages(OP, region, |token| {
            let call = client
                .list_subscriptions_by_topic()
                .topic_arn(arn)
                .set_next_token(token);
            async move {
                let page = call.send().await.map_err(|e| map(OP, region, e))?;
                let subs = page
                    .subscriptions()
                    .iter()
                    .map(|s| LiveSubscription {
                        protocol: s.protocol().unwrap_or_default().to_owned(),
                        endpoint: s.endpoint().unwrap_or_default().to_owned(),
                        arn: s
                            .subscription_arn()
                            .filter(|a| a.starts_with("arn:"))
                            .map(str::to_owned),
                    })
                    .collect();
                Ok((subs, page.next_token().map(str::to_owned)))
            }
        })
        .await?;
        let attr = |k: &str| attributes.get(k).filter(|v| !v.is_empty()).cloned();
        Ok(Some(LiveTopic {
            name: arn.rsplit(':').next().unwrap_or_default().to_owned(),
            arn: arn.to_owned(),
            display_name: attr("DisplayName"),
            kms_key: attr("KmsMasterKeyId"),
            policy: attr("Policy").and_then(|p| serde_json::from_str(&p).ok()),
            subscriptions,
            tags,
        }))
    }

    async fn create_topic(&self, region: &str, name: &str, tags: &Tags) -> LiveResult<String> {
        const OP: &str = ops::SNS_CREATE_TOPIC;
        let mut call = self
            .sns(region)
            .create_topic()
            .name(name)
            .set_tags(Some(tags_to_api(OP, region, tags)?));
        if name.ends_with(".fifo") {
            call = call.attributes("FifoTopic", "true");
        }
        let out = call.send().await.map_err(|e| map(OP, region, e))?;
        Ok(out.topic_arn().unwrap_or_default().to_owned())
    }

    async fn set_topic_attribute(
        &self,
        region: &str,
        arn: &str,
        name: &str,
        value: &str,
    ) -> LiveResult<()> {
        self.sns(region)
            .set_topic_attributes()
            .topic_arn(arn)
            .attribute_name(name)
            .attribute_value(value)
            .send()
            .await
            .map_err(|e| map(ops::SNS_SET_TOPIC_ATTRIBUTES, region, e))?;
        Ok(())
    }

    async fn tag_topic(&self, region: &str, arn: &str, tags: &Tags) -> LiveResult<()> {
        const OP: &str = ops::SNS_TAG_RESOURCE;
        self.sns(region)
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(tags_to_api(OP, region, tags)?))
            .send()
            .await
            .map_err(|e| map(OP, region, e))?;
        Ok(())
    }

    async fn untag_topic(
        &self,
        region: &str,
        arn: &str,
        keys: &BTreeSet<String>,
    ) -> LiveResult<()> {
        self.sns(region)
            .untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(keys.iter().cloned().collect()))
            .send()
            .await
            .map_err(|e| map(ops::SNS_UNTAG_RESOURCE, region, e))?;
        Ok(())
    }

    async fn subscribe(
        &self,
        region: &str,
        arn: &str,
        protocol: &str,
        endpoint: &str,
    ) -> LiveResult<()> {
        self.sns(region)
            .subscribe()
            .topic_arn(arn)
            .protocol(protocol)
            .endpoint(endpoint)
            .send()
            .await
            .map_err(|e| map(ops::SNS_SUBSCRIBE, region, e))?;
        Ok(())
    }

    async fn unsubscribe(&self, region: &str, subscription_arn: &str) -> LiveResult<()> {
        if subscription_arn == PENDING {
            return Ok(());
        }
        self.sns(region)
            .unsubscribe()
            .subscription_arn(subscription_arn)
            .send()
            .await
            .map_err(|e| map(ops::SNS_UNSUBSCRIBE, region, e))?;
        Ok(())
    }

    async fn delete_topic(&self, region: &str, arn: &str) -> LiveResult<()> {
        self.sns(region)
            .delete_topic()
            .topic_arn(arn)
            .send()
            .await
            .map_err(|e| map(ops::SNS_DELETE_TOPIC, region, e))?;
        Ok(())
    }
}
