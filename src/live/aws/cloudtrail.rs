//! CloudTrail through the SDK: trails, tags, selectors, Insights and logging, in `model` types.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_cloudtrail::types::{
    AdvancedEventSelector, AdvancedFieldSelector, EventSelector, InsightSelector,
    InsightType as ApiInsight, ReadWriteType, SourceEventCategory, Tag,
};

use crate::live::aws::account::AwsAccount;
use crate::live::aws::error::{build, code, map};
use crate::live::aws::operations as ops;
use crate::live::error::LiveResult;
use crate::live::services::{CloudTrail, EventHistory, Lookup, TrailListing};
use crate::model::desired::{Insight, InsightType};
use crate::model::observed::TrailDetails;
use crate::model::selector::{
    AdvancedSelector, ClassicSelector, FieldSelector, ManagementEvents, classic_to_advanced,
};
use crate::model::state::TrailSettings;
use crate::model::tags::Tags;

fn some(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.is_empty()).map(str::to_owned)
}

fn tag_list(op: &'static str, region: &str, tags: &Tags) -> LiveResult<Vec<Tag>> {
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

fn selector_from_api(s: &AdvancedEventSelector) -> AdvancedSelector {
    AdvancedSelector {
        name: some(s.name()),
        fields: s
            .field_selectors()
            .iter()
            .map(|f| FieldSelector {
                field: f.field().to_owned(),
                equals: f.equals().to_vec(),
                starts_with: f.starts_with().to_vec(),
                ends_with: f.ends_with().to_vec(),
                not_equals: f.not_equals().to_vec(),
                not_starts_with: f.not_starts_with().to_vec(),
                not_ends_with: f.not_ends_with().to_vec(),
            })
            .collect(),
    }
}

fn selector_to_api(region: &str, s: &AdvancedSelector) -> LiveResult<AdvancedEventSelector> {
    const OP: &str = ops::CLOUDTRAIL_PUT_EVENT_SELECTORS;
    let fields = s
        .fields
        .iter()
        .map(|f| {
            let list = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
            AdvancedFieldSelector::builder()
                .field(&f.field)
                .set_equals(list(&f.equals))
                .set_starts_with(list(&f.starts_with))
                .set_ends_with(list(&f.ends_with))
                .set_not_equals(list(&f.not_equals))
                .set_not_starts_with(list(&f.not_starts_with))
                .set_not_ends_with(list(&f.not_ends_with))
                .build()
                .map_err(|e| build(OP, region, e))
        })
        .collect::<LiveResult<Vec<_>>>()?;
    AdvancedEventSelector::builder()
        .set_name(s.name.clone())
        .set_field_selectors(Some(fields))
        .build()
        .map_err(|e| build(OP, region, e))
}

fn classic_from_api(e: &EventSelector) -> ClassicSelector {
    ClassicSelector {
        read_write: match e.read_write_type() {
            Some(ReadWriteType::ReadOnly) => ManagementEvents::ReadOnly,
            Some(ReadWriteType::WriteOnly) => ManagementEvents::WriteOnly,
            _ => ManagementEvents::All,
        },
        include_management_events: e.include_management_events().unwrap_or(true),
        excluded_sources: e.exclude_management_event_sources().to_vec(),
        data_resources: e
            .data_resources()
            .iter()
            .map(|d| {
                (
                    d.r#type().unwrap_or_default().to_owned(),
                    d.values().to_vec(),
                )
            })
            .collect(),
    }
}

fn insight_from_api(i: &InsightSelector) -> Option<Insight> {
    let kind = match i.insight_type()? {
        ApiInsight::ApiCallRateInsight => InsightType::ApiCallRate,
        ApiInsight::ApiErrorRateInsight => InsightType::ApiErrorRate,
        _ => return None,
    };
    let categories = i.event_categories();
    // No categories is the API's default: management events.
    if categories.is_empty() {
        return Some(Insight::management(kind));
    }
    Some(Insight {
        kind,
        management: categories.contains(&SourceEventCategory::Management),
        data: categories.contains(&SourceEventCategory::Data),
    })
}

impl CloudTrail for AwsAccount {
    async fn list_trails(&self, region: &str) -> LiveResult<Vec<(String, String, String)>> {
        let client = self.cloudtrail(region);
        let mut out = Vec::new();
        let mut token = None;
        loop {
            let page = client
                .list_trails()
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| map(ops::CLOUDTRAIL_LIST_TRAILS, region, e))?;
            out.extend(page.trails().iter().map(|t| {
                (
                    t.name().unwrap_or_default().to_owned(),
                    t.trail_arn().unwrap_or_default().to_owned(),
                    t.home_region().unwrap_or_default().to_owned(),
                )
            }));
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                return Ok(out);
            }
        }
    }

    async fn describe_trails(&self, region: &str) -> LiveResult<Vec<TrailListing>> {
        let out = self
            .cloudtrail(region)
            .describe_trails()
            .include_shadow_trails(false)
            .send()
            .await
            .map_err(|e| map(ops::CLOUDTRAIL_DESCRIBE_TRAILS, region, e))?;
        Ok(out
            .trail_list()
            .iter()
            // Shadow copies (and organization trails of other accounts) are read where they live.
            .filter(|t| t.home_region().is_none_or(|h| h == region))
            .map(|t| TrailListing {
                name: t.name().unwrap_or_default().to_owned(),
                arn: t.trail_arn().unwrap_or_default().to_owned(),
                region: region.to_owned(),
                settings: TrailSettings {
                    all_regions: t.is_multi_region_trail().unwrap_or(false),
                    global_service_events: t.include_global_service_events().unwrap_or(true),
                    bucket: t.s3_bucket_name().unwrap_or_default().to_owned(),
                    prefix: some(t.s3_key_prefix()),
                    kms_key: some(t.kms_key_id()),
                    log_file_validation: t.log_file_validation_enabled().unwrap_or(false),
                    cloudwatch_logs: match (
                        some(t.cloud_watch_logs_log_group_arn()),
                        some(t.cloud_watch_logs_role_arn()),
                    ) {
                        (Some(log_group_arn), Some(role_arn)) => {
                            Some(crate::model::desired::CloudWatchLogs {
                                log_group_arn,
                                role_arn,
                            })
                        }
                        _ => None,
                    },
                    delivery_topic: some(t.sns_topic_arn()),
                    organization: t.is_organization_trail().unwrap_or(false),
                },
            })
            .collect())
    }

    async fn list_tags(&self, region: &str, arns: &[String]) -> LiveResult<BTreeMap<String, Tags>> {
        let client = self.cloudtrail(region);
        let mut out = BTreeMap::new();
        let mut token = None;
        loop {
            let page = client
                .list_tags()
                .set_resource_id_list(Some(arns.to_vec()))
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| map(ops::CLOUDTRAIL_LIST_TAGS, region, e))?;
            for r in page.resource_tag_list() {
                let tags: &mut Tags = out
                    .entry(r.resource_id().unwrap_or_default().to_owned())
                    .or_default();
                for t in r.tags_list() {
                    tags.insert(t.key().to_owned(), t.value().unwrap_or_default().to_owned());
                }
            }
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                return Ok(out);
            }
        }
    }

    async fn details(&self, region: &str, arn: &str) -> LiveResult<TrailDetails> {
        let client = self.cloudtrail(region);
        let (status, selectors, insights) = tokio::join!(
            client.get_trail_status().name(arn).send(),
            client.get_event_selectors().trail_name(arn).send(),
            client.get_insight_selectors().trail_name(arn).send(),
        );
        let status = status.map_err(|e| map(ops::CLOUDTRAIL_GET_TRAIL_STATUS, region, e))?;
        let selectors =
            selectors.map_err(|e| map(ops::CLOUDTRAIL_GET_EVENT_SELECTORS, region, e))?;
        let insights = match insights {
            Ok(out) => out
                .insight_selectors()
                .iter()
                .filter_map(insight_from_api)
                .collect(),
            Err(e) if code(&e) == Some("InsightNotEnabledException") => BTreeSet::new(),
            Err(e) => return Err(map(ops::CLOUDTRAIL_GET_INSIGHT_SELECTORS, region, e)),
        };
        let advanced: Vec<AdvancedSelector> = selectors
            .advanced_event_selectors()
            .iter()
            .map(selector_from_api)
            .collect();
        let selectors = if !advanced.is_empty() {
            advanced
        } else if selectors.event_selectors().is_empty() {
            classic_to_advanced(&[ClassicSelector::default()])
        } else {
            classic_to_advanced(
                &selectors
                    .event_selectors()
                    .iter()
                    .map(classic_from_api)
                    .collect::<Vec<_>>(),
            )
        };
        Ok(TrailDetails {
            logging: status.is_logging().unwrap_or(false),
            selectors,
            insights,
        })
    }

    async fn create_trail(
        &self,
        region: &str,
        name: &str,
        s: &TrailSettings,
        tags: &Tags,
    ) -> LiveResult<String> {
        const OP: &str = ops::CLOUDTRAIL_CREATE_TRAIL;
        let out = self
            .cloudtrail(region)
            .create_trail()
            .name(name)
            .s3_bucket_name(&s.bucket)
            .set_s3_key_prefix(s.prefix.clone())
            .set_sns_topic_name(s.delivery_topic.clone())
            .include_global_service_events(s.global_service_events)
            .is_multi_region_trail(s.all_regions)
            .is_organization_trail(s.organization)
            .enable_log_file_validation(s.log_file_validation)
            .set_cloud_watch_logs_log_group_arn(
                s.cloudwatch_logs.as_ref().map(|c| c.log_group_arn.clone()),
            )
            .set_cloud_watch_logs_role_arn(s.cloudwatch_logs.as_ref().map(|c| c.role_arn.clone()))
            .set_kms_key_id(s.kms_key.clone())
            .set_tags_list(Some(tag_list(OP, region, tags)?))
            .send()
            .await
            .map_err(|e| map(OP, region, e))?;
        Ok(out.trail_arn().unwrap_or_default().to_owned())
    }

    async fn update_trail(&self, region: &str, name: &str, s: &TrailSettings) -> LiveResult<()> {
        // An empty string clears an optional setting.
        let or_clear = |v: &Option<String>| Some(v.clone().unwrap_or_default());
        self.cloudtrail(region)
            .update_trail()
            .name(name)
            .s3_bucket_name(&s.bucket)
            .set_s3_key_prefix(or_clear(&s.prefix))
            .set_sns_topic_name(or_clear(&s.delivery_topic))
            .include_global_service_events(s.global_service_events)
            .is_multi_region_trail(s.all_regions)
            .is_organization_trail(s.organization)
            .enable_log_file_validation(s.log_file_validation)
            .set_cloud_watch_logs_log_group_arn(or_clear(
                &s.cloudwatch_logs.as_ref().map(|c| c.log_group_arn.clone()),
            ))
            .set_cloud_watch_logs_role_arn(or_clear(
                &s.cloudwatch_logs.as_ref().map(|c| c.role_arn.clone()),
            ))
            .set_kms_key_id(or_clear(&s.kms_key))
            .send()
            .await
            .map_err(|e| map(ops::CLOUDTRAIL_UPDATE_TRAIL, region, e))?;
        Ok(())
    }

    async fn delete_trail(&self, region: &str, name: &str) -> LiveResult<()> {
        match self
            .cloudtrail(region)
            .delete_trail()
            .name(name)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if code(&e) == Some("TrailNotFoundException") => Ok(()),
            Err(e) => Err(map(ops::CLOUDTRAIL_DELETE_TRAIL, region, e)),
        }
    }

    async fn add_tags(&self, region: &str, arn: &str, tags: &Tags) -> LiveResult<()> {
        const OP: &str = ops::CLOUDTRAIL_ADD_TAGS;
        self.cloudtrail(region)
            .add_tags()
            .resource_id(arn)
            .set_tags_list(Some(tag_list(OP, region, tags)?))
            .send()
            .await
            .map_err(|e| map(OP, region, e))?;
        Ok(())
    }

    async fn remove_tags(
        &self,
        region: &str,
        arn: &str,
        keys: &BTreeSet<String>,
    ) -> LiveResult<()> {
        const OP: &str = ops::CLOUDTRAIL_REMOVE_TAGS;
        let tags = keys
            .iter()
            .map(|k| {
                Tag::builder()
                    .key(k)
                    .build()
                    .map_err(|e| build(OP, region, e))
            })
            .collect::<LiveResult<Vec<_>>>()?;
        self.cloudtrail(region)
            .remove_tags()
            .resource_id(arn)
            .set_tags_list(Some(tags))
            .send()
            .await
            .map_err(|e| map(OP, region, e))?;
        Ok(())
    }

    async fn put_selectors(
        &self,
        region: &str,
        name: &str,
        selectors: &[AdvancedSelector],
    ) -> LiveResult<()> {
        let call = self
            .cloudtrail(region)
            .put_event_selectors()
            .trail_name(name);
        let call = if selectors.is_empty() {
            // Advanced selectors cannot be an empty list: log nothing with a classic selector.
            let none = EventSelector::builder()
                .read_write_type(ReadWriteType::All)
                .include_management_events(false)
                .build();
            call.event_selectors(none)
        } else {
            let api = selectors
                .iter()
                .map(|s| selector_to_api(region, s))
                .collect::<LiveResult<Vec<_>>>()?;
            call.set_advanced_event_selectors(Some(api))
        };
        call.send()
            .await
            .map_err(|e| map(ops::CLOUDTRAIL_PUT_EVENT_SELECTORS, region, e))?;
        Ok(())
    }

    async fn put_insights(
        &self,
        region: &str,
        name: &str,
        insights: &BTreeSet<Insight>,
    ) -> LiveResult<()> {
        // The categories are always written: a selector without them means management only,
        // and each call replaces what was there.
        let list = insights
            .iter()
            .map(|i| {
                let mut categories = Vec::new();
                if i.management {
                    categories.push(SourceEventCategory::Management);
                }
                if i.data {
                    categories.push(SourceEventCategory::Data);
                }
                InsightSelector::builder()
                    .insight_type(ApiInsight::from(i.kind.api_name()))
                    .set_event_categories(Some(categories))
                    .build()
            })
            .collect();
        self.cloudtrail(region)
            .put_insight_selectors()
            .trail_name(name)
            .set_insight_selectors(Some(list))
            .send()
            .await
            .map_err(|e| map(ops::CLOUDTRAIL_PUT_INSIGHT_SELECTORS, region, e))?;
        Ok(())
    }

    async fn set_logging(&self, region: &str, name: &str, on: bool) -> LiveResult<()> {
        let client = self.cloudtrail(region);
        if on {
            client
                .start_logging()
                .name(name)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| map(ops::CLOUDTRAIL_START_LOGGING, region, e))
        } else {
            client
                .stop_logging()
                .name(name)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| map(ops::CLOUDTRAIL_STOP_LOGGING, region, e))
        }
    }
}

impl EventHistory for AwsAccount {
    async fn lookup_events(
        &self,
        region: &str,
        lookup: &Lookup,
        start: i64,
        end: i64,
        token: Option<String>,
    ) -> LiveResult<(Vec<serde_json::Value>, Option<String>)> {
        use aws_sdk_cloudtrail::primitives::DateTime;
        use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
        const OP: &str = ops::CLOUDTRAIL_LOOKUP_EVENTS;
        let (key, value) = match lookup {
            Lookup::ResourceName(v) => (LookupAttributeKey::ResourceName, v),
            Lookup::EventName(v) => (LookupAttributeKey::EventName, v),
        };
        let attribute = LookupAttribute::builder()
            .attribute_key(key)
            .attribute_value(value)
            .build()
            .map_err(|e| build(OP, region, e))?;
        let out = self
            .cloudtrail(region)
            .lookup_events()
            .lookup_attributes(attribute)
            .start_time(DateTime::from_secs(start))
            .end_time(DateTime::from_secs(end))
            .max_results(50)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| map(OP, region, e))?;
        let records = out
            .events()
            .iter()
            .filter_map(|e| e.cloud_trail_event())
            .filter_map(|text| serde_json::from_str(text).ok())
            .collect();
        Ok((records, some(out.next_token())))
    }
}
