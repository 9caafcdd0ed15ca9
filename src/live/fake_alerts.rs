//! The in-memory account's SNS, EventBridge and IAM: enough of each service for the planner's
//! and applier's unit tests (topics by ARN, rules by Region and name, roles by name).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::live::aws::operations as ops;
use crate::live::error::{ErrorKind, LiveError, LiveResult};
use crate::live::fake::Fake;
use crate::live::services::{Events, Iam, Sns};
use crate::model::alert_state::{RuleState, TargetState};
use crate::model::arn;
use crate::model::bus_state::BusPolicyState;
use crate::model::observed::{LiveRole, LiveRule, LiveSubscription, LiveTopic};
use crate::model::tags::Tags;

fn not_found(op: &'static str, region: &str, what: &str) -> LiveError {
    LiveError::new(
        op,
        Some(region),
        ErrorKind::Service("NotFound".into()),
        what,
    )
}

impl Fake {
    fn with_topic<T>(
        &self,
        op: &'static str,
        region: &str,
        arn: &str,
        f: impl FnOnce(&mut LiveTopic) -> T,
    ) -> LiveResult<T> {
        self.call(op, region)?;
        let mut s = self.state.borrow_mut();
        s.topics
            .get_mut(arn)
            .map(f)
            .ok_or_else(|| not_found(op, region, arn))
    }

    fn with_rule<T>(
        &self,
        op: &'static str,
        region: &str,
        name_or_arn: &str,
        f: impl FnOnce(&mut LiveRule) -> T,
    ) -> LiveResult<T> {
        self.call(op, region)?;
        let mut s = self.state.borrow_mut();
        s.rules
            .iter_mut()
            .find(|((r, _), rule)| {
                r == region && (rule.name == name_or_arn || rule.arn == name_or_arn)
            })
            .map(|(_, rule)| f(rule))
            .ok_or_else(|| not_found(op, region, name_or_arn))
    }

    fn with_role<T>(
        &self,
        op: &'static str,
        name: &str,
        f: impl FnOnce(&mut LiveRole) -> T,
    ) -> LiveResult<T> {
        self.call(op, "global")?;
        let mut s = self.state.borrow_mut();
        s.roles
            .get_mut(name)
            .map(f)
            .ok_or_else(|| not_found(op, "global", name))
    }
}

impl Sns for Fake {
    async fn list_topics(&self, region: &str) -> LiveResult<Vec<String>> {
        self.call(ops::SNS_LIST_TOPICS, region)?;
        let prefix = arn::topic(region, &self.state.borrow().account, "");
        Ok(self
            .state
            .borrow()
            .topics
            .keys()
            .filter(|a| a.starts_with(&prefix))
            .cloned()
            .collect())
    }

    async fn topic_tags(&self, region: &str, arn: &str) -> LiveResult<Tags> {
        self.with_topic(ops::SNS_LIST_TAGS_FOR_RESOURCE, region, arn, |t| {
            t.tags.clone()
        })
    }

    async fn topic(&self, region: &str, arn: &str, tags: Tags) -> LiveResult<Option<LiveTopic>> {
        self.call(ops::SNS_GET_TOPIC_ATTRIBUTES, region)?;
        let found = self.state.borrow().topics.get(arn).cloned();
        Ok(found.map(|t| LiveTopic { tags, ..t }))
    }

    async fn create_topic(&self, region: &str, name: &str, tags: &Tags) -> LiveResult<String> {
        self.call(ops::SNS_CREATE_TOPIC, region)?;
        let mut s = self.state.borrow_mut();
        let arn = arn::topic(region, &s.account, name);
        s.topics.entry(arn.clone()).or_insert_with(|| LiveTopic {
            name: name.to_owned(),
            arn: arn.clone(),
            display_name: None,
            kms_key: None,
            policy: None,
            subscriptions: Vec::new(),
            tags: tags.clone(),
        });
        Ok(arn)
    }

    async fn set_topic_attribute(
        &self,
        region: &str,
        arn: &str,
        name: &str,
        value: &str,
    ) -> LiveResult<()> {
        let v = (!value.is_empty()).then(|| value.to_owned());
        self.with_topic(ops::SNS_SET_TOPIC_ATTRIBUTES, region, arn, |t| match name {
            "DisplayName" => t.display_name = v,
            "KmsMasterKeyId" => t.kms_key = v,
            "Policy" => t.policy = v.and_then(|p| serde_json::from_str(&p).ok()),
            _ => {}
        })
    }

    async fn tag_topic(&self, region: &str, arn: &str, tags: &Tags) -> LiveResult<()> {
        self.with_topic(ops::SNS_TAG_RESOURCE, region, arn, |t| {
            t.tags.extend(tags.clone())
        })
    }

    async fn untag_topic(
        &self,
        region: &str,
        arn: &str,
        keys: &BTreeSet<String>,
    ) -> LiveResult<()> {
        self.with_topic(ops::SNS_UNTAG_RESOURCE, region, arn, |t| {
            t.tags.retain(|k, _| !keys.contains(k))
        })
    }

    async fn subscribe(
        &self,
        region: &str,
        arn: &str,
        protocol: &str,
        endpoint: &str,
    ) -> LiveResult<()> {
        self.with_topic(ops::SNS_SUBSCRIBE, region, arn, |t| {
            // Email waits for confirmation, as in SNS.
            let sub_arn = (protocol != "email").then(|| format!("{arn}:{}", t.subscriptions.len()));
            t.subscriptions.push(LiveSubscription {
                protocol: protocol.to_owned(),
                endpoint: endpoint.to_owned(),
                arn: sub_arn,
            });
        })
    }

    async fn unsubscribe(&self, region: &str, subscription_arn: &str) -> LiveResult<()> {
        self.call(ops::SNS_UNSUBSCRIBE, region)?;
        for t in self.state.borrow_mut().topics.values_mut() {
            t.subscriptions
                .retain(|s| s.arn.as_deref() != Some(subscription_arn));
        }
        Ok(())
    }

    async fn delete_topic(&self, region: &str, arn: &str) -> LiveResult<()> {
        self.call(ops::SNS_DELETE_TOPIC, region)?;
        self.state.borrow_mut().topics.remove(arn);
        Ok(())
    }
}

impl Events for Fake {
    async fn list_rules(&self, region: &str, prefix: &str) -> LiveResult<Vec<LiveRule>> {
        self.call(ops::EVENTBRIDGE_LIST_RULES, region)?;
        Ok(self
            .state
            .borrow()
            .rules
            .iter()
            .filter(|((r, n), _)| r == region && n.starts_with(prefix))
            .map(|(_, rule)| rule.clone())
            .collect())
    }

    async fn put_rule(&self, region: &str, name: &str, rule: &RuleState) -> LiveResult<String> {
        self.call(ops::EVENTBRIDGE_PUT_RULE, region)?;
        let mut s = self.state.borrow_mut();
        let arn = format!("arn:aws:events:{region}:{}:rule/{name}", s.account);
        let entry = s
            .rules
            .entry((region.to_owned(), name.to_owned()))
            .or_insert_with(|| LiveRule {
                region: region.to_owned(),
                name: name.to_owned(),
                arn: arn.clone(),
                pattern: None,
                description: None,
                state: String::new(),
                managed_by: None,
                targets: Vec::new(),
                tags: rule.tags.clone(),
            });
        entry.pattern = Some(rule.pattern.clone());
        entry.description = rule.description.clone();
        entry.state = rule.state.clone();
        Ok(arn)
    }

    async fn tag_rule(&self, region: &str, arn: &str, tags: &Tags) -> LiveResult<()> {
        self.with_rule(ops::EVENTBRIDGE_TAG_RESOURCE, region, arn, |r| {
            r.tags.extend(tags.clone())
        })
    }

    async fn untag_rule(&self, region: &str, arn: &str, keys: &BTreeSet<String>) -> LiveResult<()> {
        self.with_rule(ops::EVENTBRIDGE_UNTAG_RESOURCE, region, arn, |r| {
            r.tags.retain(|k, _| !keys.contains(k))
        })
    }

    async fn put_targets(
        &self,
        region: &str,
        rule: &str,
        targets: &[TargetState],
    ) -> LiveResult<()> {
        self.with_rule(ops::EVENTBRIDGE_PUT_TARGETS, region, rule, |r| {
            for t in targets {
                r.targets.retain(|x| x.id != t.id);
                r.targets.push(t.clone());
            }
        })
    }

    async fn remove_targets(&self, region: &str, rule: &str, ids: &[String]) -> LiveResult<()> {
        self.with_rule(ops::EVENTBRIDGE_REMOVE_TARGETS, region, rule, |r| {
            r.targets.retain(|t| !ids.contains(&t.id))
        })
    }

    async fn delete_rule(&self, region: &str, name: &str) -> LiveResult<()> {
        self.call(ops::EVENTBRIDGE_DELETE_RULE, region)?;
        self.state
            .borrow_mut()
            .rules
            .remove(&(region.to_owned(), name.to_owned()));
        Ok(())
    }

    async fn bus_policy(&self, region: &str) -> LiveResult<Option<Value>> {
        self.call(ops::EVENTBRIDGE_DESCRIBE_EVENT_BUS, region)?;
        let s = self.state.borrow();
        let statements: Vec<Value> = s
            .bus_statements
            .iter()
            .filter(|((r, _), _)| r == region)
            .map(|(_, v)| v.clone())
            .collect();
        Ok((!statements.is_empty())
            .then(|| serde_json::json!({"Version": "2012-10-17", "Statement": statements})))
    }

    async fn put_bus_statement(&self, statement: &BusPolicyState) -> LiveResult<()> {
        self.call(ops::EVENTBRIDGE_PUT_PERMISSION, &statement.region)?;
        self.state.borrow_mut().bus_statements.insert(
            (statement.region.clone(), statement.sid.clone()),
            statement.statement.clone(),
        );
        Ok(())
    }

    async fn remove_bus_statement(&self, region: &str, sid: &str) -> LiveResult<()> {
        self.call(ops::EVENTBRIDGE_REMOVE_PERMISSION, region)?;
        self.state
            .borrow_mut()
            .bus_statements
            .remove(&(region.to_owned(), sid.to_owned()));
        Ok(())
    }
}

impl Iam for Fake {
    async fn role(&self, name: &str, _policy_name: &str) -> LiveResult<Option<LiveRole>> {
        self.call(ops::IAM_GET_ROLE, "global")?;
        Ok(self.state.borrow().roles.get(name).cloned())
    }

    async fn create_role(
        &self,
        name: &str,
        trust: &Value,
        boundary: Option<&str>,
        tags: &Tags,
    ) -> LiveResult<()> {
        self.call(ops::IAM_CREATE_ROLE, "global")?;
        let mut s = self.state.borrow_mut();
        let arn = format!("arn:aws:iam::{}:role/{name}", s.account);
        s.roles.insert(
            name.to_owned(),
            LiveRole {
                name: name.to_owned(),
                arn,
                trust: trust.clone(),
                policy: None,
                boundary: boundary.map(str::to_owned),
                tags: tags.clone(),
            },
        );
        Ok(())
    }

    async fn policy_exists(&self, arn: &str) -> LiveResult<bool> {
        self.call(ops::IAM_GET_POLICY, "global")?;
        Ok(!self.state.borrow().missing_policies.contains(arn))
    }

    async fn put_role_boundary(&self, name: &str, boundary: &str) -> LiveResult<()> {
        self.with_role(ops::IAM_PUT_ROLE_PERMISSIONS_BOUNDARY, name, |r| {
            r.boundary = Some(boundary.to_owned());
        })
    }

    async fn update_trust(&self, name: &str, trust: &Value) -> LiveResult<()> {
        self.with_role(ops::IAM_UPDATE_ASSUME_ROLE_POLICY, name, |r| {
            r.trust = trust.clone()
        })
    }

    async fn put_role_policy(
        &self,
        name: &str,
        _policy_name: &str,
        policy: &Value,
    ) -> LiveResult<()> {
        self.with_role(ops::IAM_PUT_ROLE_POLICY, name, |r| {
            r.policy = Some(policy.clone())
        })
    }

    async fn tag_role(&self, name: &str, tags: &Tags) -> LiveResult<()> {
        self.with_role(ops::IAM_TAG_ROLE, name, |r| r.tags.extend(tags.clone()))
    }

    async fn untag_role(&self, name: &str, keys: &BTreeSet<String>) -> LiveResult<()> {
        self.with_role(ops::IAM_UNTAG_ROLE, name, |r| {
            r.tags.retain(|k, _| !keys.contains(k))
        })
    }

    async fn delete_role(&self, name: &str, _policy_name: &str) -> LiveResult<()> {
        self.call(ops::IAM_DELETE_ROLE, "global")?;
        self.state.borrow_mut().roles.remove(name);
        Ok(())
    }
}
