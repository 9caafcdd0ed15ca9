//! Executing changes to topics, alerts (a rule per Region with its targets) and the
//! forwarding role. Creates and updates write only what differs; a delete removes a rule's
//! targets before the rule, and an inline policy before its role.

use crate::apply::execute::{Executor, same_json, tag_changes};
use crate::live::error::LiveResult;
use crate::live::observe::FORWARD_POLICY;
use crate::live::services::Account;
use crate::model::alert_state::{AlertState, RoleState, RuleState, TopicState};
use crate::model::arn;
use crate::model::json::equivalent;

impl<A: Account> Executor<'_, A> {
    pub(super) async fn delete_topic(&self, b: &TopicState) -> LiveResult<()> {
        let topic = arn::topic(&b.region, self.account_id, &b.name);
        self.account.delete_topic(&b.region, &topic).await
    }

    /// Removes each rule of the alert (its targets first).
    pub(super) async fn delete_alert(&self, b: &AlertState) -> LiveResult<()> {
        for (region, rule) in &b.rules {
            self.delete_rule(region, &b.rule_name, rule).await?;
        }
        Ok(())
    }

    pub(super) async fn delete_role(&self, b: &RoleState) -> LiveResult<()> {
        self.account.delete_role(&b.name, FORWARD_POLICY).await
    }

    pub(super) async fn put_topic(&self, b: Option<&TopicState>, a: &TopicState) -> LiveResult<()> {
        let region = &a.region;
        let topic = match b {
            None => self.account.create_topic(region, &a.name, &a.tags).await?,
            Some(b) => {
                let topic = arn::topic(region, self.account_id, &a.name);
                let (add, remove) = tag_changes(&b.tags, &a.tags);
                if !add.is_empty() {
                    self.account.tag_topic(region, &topic, &add).await?;
                }
                if !remove.is_empty() {
                    self.account.untag_topic(region, &topic, &remove).await?;
                }
                topic
            }
        };
        let was = |f: fn(&TopicState) -> Option<&String>| b.and_then(f);
        for (attribute, want, had) in [
            (
                "DisplayName",
                a.display_name.as_ref(),
                was(|t| t.display_name.as_ref()),
            ),
            (
                "KmsMasterKeyId",
                a.kms_key.as_ref(),
                was(|t| t.kms_key.as_ref()),
            ),
        ] {
            if want != had {
                let value = want.map_or("", String::as_str);
                self.account
                    .set_topic_attribute(region, &topic, attribute, value)
                    .await?;
            }
        }
        if !same_json(a.policy.as_ref(), b.and_then(|b| b.policy.as_ref())) {
            let text = a
                .policy
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            self.account
                .set_topic_attribute(region, &topic, "Policy", &text)
                .await?;
        }
        let had = b.map(|b| b.subscriptions.clone()).unwrap_or_default();
        for (protocol, endpoint) in a.subscriptions.difference(&had) {
            self.account
                .subscribe(region, &topic, protocol, endpoint)
                .await?;
        }
        if let Some(b) = b {
            for key in had.difference(&a.subscriptions) {
                // A subscription still pending confirmation has no ARN and cannot be removed;
                // SNS deletes it when the confirmation link expires.
                if let Some(sub) = b.subscription_arns.get(key) {
                    self.account.unsubscribe(region, sub).await?;
                }
            }
        }
        Ok(())
    }

    pub(super) async fn put_alert(&self, b: Option<&AlertState>, a: &AlertState) -> LiveResult<()> {
        let name = &a.rule_name;
        // The home rule first: forwarded events then always find it.
        let mut order: Vec<(&String, &RuleState)> = a.rules.iter().collect();
        order.sort_by_key(|(r, _)| **r != a.home);
        for (region, want) in order {
            let had = b.and_then(|b| b.rules.get(region));
            let changed = had.is_none_or(|h| {
                !equivalent(&h.pattern, &want.pattern)
                    || h.description != want.description
                    || h.state != want.state
            });
            if changed {
                self.account.put_rule(region, name, want).await?;
            }
            let Some(had) = had else {
                self.account
                    .put_targets(region, name, &want.targets)
                    .await?;
                continue;
            };
            let rule_arn = arn::rule(region, self.account_id, name);
            let (add, remove) = tag_changes(&had.tags, &want.tags);
            if !add.is_empty() {
                self.account.tag_rule(region, &rule_arn, &add).await?;
            }
            if !remove.is_empty() {
                self.account.untag_rule(region, &rule_arn, &remove).await?;
            }
            let stale: Vec<String> = had
                .targets
                .iter()
                .filter(|t| !want.targets.iter().any(|w| w.id == t.id))
                .map(|t| t.id.clone())
                .collect();
            if !stale.is_empty() {
                self.account.remove_targets(region, name, &stale).await?;
            }
            let put: Vec<_> = want
                .targets
                .iter()
                .filter(|t| !had.targets.contains(t))
                .cloned()
                .collect();
            if !put.is_empty() {
                self.account.put_targets(region, name, &put).await?;
            }
        }
        if let Some(b) = b {
            for (region, rule) in b.rules.iter().filter(|(r, _)| !a.rules.contains_key(*r)) {
                self.delete_rule(region, name, rule).await?;
            }
        }
        Ok(())
    }

    async fn delete_rule(&self, region: &str, name: &str, rule: &RuleState) -> LiveResult<()> {
        let ids: Vec<String> = rule.targets.iter().map(|t| t.id.clone()).collect();
        if !ids.is_empty() {
            self.account.remove_targets(region, name, &ids).await?;
        }
        self.account.delete_rule(region, name).await
    }

    pub(super) async fn put_role(&self, b: Option<&RoleState>, a: &RoleState) -> LiveResult<()> {
        let Some(b) = b else {
            self.account.create_role(&a.name, &a.trust, &a.tags).await?;
            if let Some(p) = &a.policy {
                self.account
                    .put_role_policy(&a.name, FORWARD_POLICY, p)
                    .await?;
            }
            return Ok(());
        };
        if !equivalent(&b.trust, &a.trust) {
            self.account.update_trust(&a.name, &a.trust).await?;
        }
        if let Some(p) = a
            .policy
            .as_ref()
            .filter(|p| !same_json(Some(p), b.policy.as_ref()))
        {
            self.account
                .put_role_policy(&a.name, FORWARD_POLICY, p)
                .await?;
        }
        let (add, remove) = tag_changes(&b.tags, &a.tags);
        if !add.is_empty() {
            self.account.tag_role(&a.name, &add).await?;
        }
        if !remove.is_empty() {
            self.account.untag_role(&a.name, &remove).await?;
        }
        Ok(())
    }
}
