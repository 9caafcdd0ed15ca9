//! EventBridge through the SDK: rules on the default bus, their targets and tags, and the one
//! statement of the bus policy that admits an organization.

use std::collections::BTreeSet;

use aws_sdk_eventbridge::types::{
    Condition, InputTransformer as ApiTransformer, RuleState as ApiState, Tag, Target,
};
use futures_util::future::try_join_all;
use serde_json::Value;

use crate::live::aws::account::AwsAccount;
use crate::live::aws::error::{build, code, map};
use crate::live::aws::operations as ops;
use crate::live::aws::paging::all_pages;
use crate::live::error::{ErrorKind, LiveError, LiveResult};
use crate::live::services::Events;
use crate::model::alert_state::{RuleState, TargetInput, TargetState};
use crate::model::bus_state::BusPolicyState;
use crate::model::message::InputTransformer;
use crate::model::observed::LiveRule;
use crate::model::tags::Tags;

impl AwsAccount {
    async fn targets(&self, region: &str, rule: &str) -> LiveResult<Vec<TargetState>> {
        const OP: &str = ops::EVENTBRIDGE_LIST_TARGETS_BY_RULE;
        let client = self.events(region);
        all_pages(OP, region, |token| {
            let call = client
                .list_targets_by_rule()
                .rule(rule)
                .set_limit(self.page_size())
                .set_next_token(token);
            async move {
                let page = call.send().await.map_err(|e| map(OP, region, e))?;
                let items = page.targets().iter().map(target_from_api).collect();
                Ok((items, page.next_token().map(str::to_owned)))
            }
        })
        .await
    }

    async fn rule_tags(&self, region: &str, arn: &str) -> LiveResult<Tags> {
        let out = self
            .events(region)
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .map_err(|e| map(ops::EVENTBRIDGE_LIST_TAGS_FOR_RESOURCE, region, e))?;
        Ok(out
            .tags()
            .iter()
            .map(|t| (t.key().to_owned(), t.value().to_owned()))
            .collect())
    }
}

fn target_from_api(t: &Target) -> TargetState {
    TargetState {
        id: t.id().to_owned(),
        arn: t.arn().to_owned(),
        role_arn: t.role_arn().filter(|r| !r.is_empty()).map(str::to_owned),
        transformer: t.input_transformer().map(|it| InputTransformer {
            paths: it
                .input_paths_map()
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
            template: it.input_template().to_owned(),
        }),
        input: match (t.input(), t.input_path()) {
            (Some(c), _) if !c.is_empty() => Some(TargetInput::Constant(c.to_owned())),
            (_, Some(p)) if !p.is_empty() => Some(TargetInput::Path(p.to_owned())),
            _ => None,
        },
    }
}

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

impl Events for AwsAccount {
    async fn list_rules(&self, region: &str, prefix: &str) -> LiveResult<Vec<LiveRule>> {
        const OP: &str = ops::EVENTBRIDGE_LIST_RULES;
        let client = self.events(region);
        let rules = all_pages(OP, region, |token| {
            let call = client
                .list_rules()
                .set_name_prefix((!prefix.is_empty()).then(|| prefix.to_owned()))
                .set_limit(self.page_size())
                .set_next_token(token);
            async move {
                let page = call.send().await.map_err(|e| map(OP, region, e))?;
                Ok((page.rules().to_vec(), page.next_token().map(str::to_owned)))
            }
        })
        .await?;
        let reads = rules.into_iter().map(|r| async move {
            let name = r.name().unwrap_or_default().to_owned();
            let arn = r.arn().unwrap_or_default().to_owned();
            let managed_by = r.managed_by().filter(|m| !m.is_empty()).map(str::to_owned);
            // A rule an AWS service manages is never touched, so its details are not read.
            let (targets, tags) = if managed_by.is_some() {
                (Vec::new(), Tags::new())
            } else {
                tokio::try_join!(self.targets(region, &name), self.rule_tags(region, &arn))?
            };
            Ok::<_, crate::live::error::LiveError>(LiveRule {
                region: region.to_owned(),
                pattern: r.event_pattern().and_then(|p| serde_json::from_str(p).ok()),
                description: r.description().filter(|d| !d.is_empty()).map(str::to_owned),
                state: r.state().map_or("ENABLED", ApiState::as_str).to_owned(),
                managed_by,
                name,
                arn,
                targets,
                tags,
            })
        });
        try_join_all(reads).await
    }

    async fn put_rule(&self, region: &str, name: &str, rule: &RuleState) -> LiveResult<String> {
        const OP: &str = ops::EVENTBRIDGE_PUT_RULE;
        let out = self
            .events(region)
            .put_rule()
            .name(name)
            .event_pattern(rule.pattern.to_string())
            .description(rule.description.clone().unwrap_or_default())
            .state(ApiState::from(rule.state.as_str()))
            .set_tags(Some(tags_to_api(OP, region, &rule.tags)?))
            .send()
            .await
            .map_err(|e| map(OP, region, e))?;
        Ok(out.rule_arn().unwrap_or_default().to_owned())
    }

    async fn tag_rule(&self, region: &str, arn: &str, tags: &Tags) -> LiveResult<()> {
        const OP: &str = ops::EVENTBRIDGE_TAG_RESOURCE;
        self.events(region)
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(tags_to_api(OP, region, tags)?))
            .send()
            .await
            .map_err(|e| map(OP, region, e))?;
        Ok(())
    }

    async fn untag_rule(&self, region: &str, arn: &str, keys: &BTreeSet<String>) -> LiveResult<()> {
        self.events(region)
            .untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(keys.iter().cloned().collect()))
            .send()
            .await
            .map_err(|e| map(ops::EVENTBRIDGE_UNTAG_RESOURCE, region, e))?;
        Ok(())
    }

    async fn put_targets(
        &self,
        region: &str,
        rule: &str,
        targets: &[TargetState],
    ) -> LiveResult<()> {
        const OP: &str = ops::EVENTBRIDGE_PUT_TARGETS;
        let api = targets
            .iter()
            .map(|t| {
                let transformer = t
                    .transformer
                    .as_ref()
                    .map(|it| {
                        ApiTransformer::builder()
                            .set_input_paths_map(Some(it.paths.clone().into_iter().collect()))
                            .input_template(&it.template)
                            .build()
                            .map_err(|e| build(OP, region, e))
                    })
                    .transpose()?;
                Target::builder()
                    .id(&t.id)
                    .arn(&t.arn)
                    .set_role_arn(t.role_arn.clone())
                    .set_input_transformer(transformer)
                    .build()
                    .map_err(|e| build(OP, region, e))
            })
            .collect::<LiveResult<Vec<_>>>()?;
        let out = self
            .events(region)
            .put_targets()
            .rule(rule)
            .set_targets(Some(api))
            .send()
            .await
            .map_err(|e| map(OP, region, e))?;
        if let Some(f) = out.failed_entries().first() {
            return Err(crate::live::error::LiveError::new(
                OP,
                Some(region),
                crate::live::error::ErrorKind::Service(
                    f.error_code().unwrap_or("FailedEntry").to_owned(),
                ),
                format!(
                    "target {}: {}",
                    f.target_id().unwrap_or_default(),
                    f.error_message().unwrap_or_default()
                ),
            ));
        }
        Ok(())
    }

    async fn remove_targets(&self, region: &str, rule: &str, ids: &[String]) -> LiveResult<()> {
        self.events(region)
            .remove_targets()
            .rule(rule)
            .set_ids(Some(ids.to_vec()))
            .send()
            .await
            .map_err(|e| map(ops::EVENTBRIDGE_REMOVE_TARGETS, region, e))?;
        Ok(())
    }

    async fn delete_rule(&self, region: &str, name: &str) -> LiveResult<()> {
        match self.events(region).delete_rule().name(name).send().await {
            Ok(_) => Ok(()),
            Err(e) if code(&e) == Some("ResourceNotFoundException") => Ok(()),
            Err(e) => Err(map(ops::EVENTBRIDGE_DELETE_RULE, region, e)),
        }
    }

    async fn bus_policy(&self, region: &str) -> LiveResult<Option<Value>> {
        const OP: &str = ops::EVENTBRIDGE_DESCRIBE_EVENT_BUS;
        let out = self
            .events(region)
            .describe_event_bus()
            .name("default")
            .send()
            .await
            .map_err(|e| map(OP, region, e))?;
        out.policy()
            .filter(|p| !p.is_empty())
            .map(|p| {
                serde_json::from_str(p).map_err(|e| {
                    LiveError::new(
                        OP,
                        Some(region),
                        ErrorKind::Service("InvalidPolicy".to_owned()),
                        format!("the bus policy is not JSON: {e}"),
                    )
                })
            })
            .transpose()
    }

    async fn put_bus_statement(&self, s: &BusPolicyState) -> LiveResult<()> {
        const OP: &str = ops::EVENTBRIDGE_PUT_PERMISSION;
        let region = s.region.as_str();
        let org = s.org_id.clone().unwrap_or_default();
        let condition = Condition::builder()
            .r#type("StringEquals")
            .key("aws:PrincipalOrgID")
            .value(org)
            .build()
            .map_err(|e| build(OP, region, e))?;
        self.events(region)
            .put_permission()
            .event_bus_name("default")
            .statement_id(&s.sid)
            .action("events:PutEvents")
            .principal("*")
            .condition(condition)
            .send()
            .await
            .map_err(|e| map(OP, region, e))?;
        Ok(())
    }

    async fn remove_bus_statement(&self, region: &str, sid: &str) -> LiveResult<()> {
        match self
            .events(region)
            .remove_permission()
            .event_bus_name("default")
            .statement_id(sid)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if code(&e) == Some("ResourceNotFoundException") => Ok(()),
            Err(e) => Err(map(ops::EVENTBRIDGE_REMOVE_PERMISSION, region, e)),
        }
    }
}
