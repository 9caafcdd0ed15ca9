//! Executing changes to topics, alerts (a rule per Region with its targets) and the
//! forwarding role. Creates and updates write only what differs; a delete removes a rule's
//! targets before the rule, and an inline policy before its role.

use crate::apply::execute::{Executor, Progress, Written, impossible};
use crate::live::error::LiveResult;
use crate::live::services::Account;
use crate::model::alert_state::{
    AlertState, AlertWrites, RoleState, RuleState, RuleWrites, TopicState,
};
use crate::model::arn;
use crate::model::state::Compared;
use crate::plan::{Action, Change};
use futures_util::future::join_all;

impl<A: Account> Executor<'_, A> {
    pub(super) async fn delete_topic(&self, b: &TopicState) -> LiveResult<()> {
        let topic = arn::topic(&b.region, self.account_id, &b.name);
        self.account.delete_topic(&b.region, &topic).await
    }

    /// Removes each rule of the alert (its targets first), in every Region at once.
    pub(super) async fn delete_alert(&self, b: &AlertState) -> LiveResult<()> {
        join_all(
            b.rules
                .iter()
                .map(|(region, rule)| self.delete_rule(region, &b.rule_name, rule)),
        )
        .await
        .into_iter()
        .collect::<LiveResult<Vec<()>>>()?;
        Ok(())
    }

    pub(super) async fn delete_role(&self, b: &RoleState) -> LiveResult<()> {
        self.account.delete_role(&b.name, &b.policy_name).await
    }

    pub(super) async fn put_topic(&self, b: Option<&TopicState>, a: &TopicState) -> LiveResult<()> {
        let region = &a.region;
        let (topic, w) = match b {
            None => {
                let topic = self.account.create_topic(region, &a.name, &a.tags).await?;
                (topic, TopicState::created(a).writes(a))
            }
            Some(b) => (arn::topic(region, self.account_id, &a.name), b.writes(a)),
        };
        if !w.tags.add.is_empty() {
            self.account.tag_topic(region, &topic, &w.tags.add).await?;
        }
        if !w.tags.remove.is_empty() {
            self.account
                .untag_topic(region, &topic, &w.tags.remove)
                .await?;
        }
        for (attribute, changed, want) in [
            ("DisplayName", w.display_name, a.display_name.as_ref()),
            ("KmsMasterKeyId", w.kms_key, a.kms_key.as_ref()),
        ] {
            if changed {
                let value = want.map_or("", String::as_str);
                self.account
                    .set_topic_attribute(region, &topic, attribute, value)
                    .await?;
            }
        }
        if w.policy {
            let text = a
                .policy
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            self.account
                .set_topic_attribute(region, &topic, "Policy", &text)
                .await?;
        }
        for (protocol, endpoint) in &w.subscribe {
            self.account
                .subscribe(region, &topic, protocol, endpoint)
                .await?;
        }
        for key in &w.unsubscribe {
            // A subscription still pending confirmation has no ARN and cannot be removed;
            // SNS deletes it when the confirmation link expires.
            if let Some(sub) = b.and_then(|b| b.subscription_arns.get(key)) {
                self.account.unsubscribe(region, sub).await?;
            }
        }
        Ok(())
    }

    /// Writes an alert's rules: the home Region's first (forwarded events then always find
    /// it), then every other Region at once; a rule's targets right after the rule. Every Region
    /// is attempted; the first failure is returned.
    pub(super) async fn put_alert(&self, b: Option<&AlertState>, a: &AlertState) -> LiveResult<()> {
        let w = AlertWrites::of(b, a);
        let (home, others): (Vec<_>, Vec<_>) = w.rules.iter().partition(|(r, _)| *r == a.home);
        for (region, rule) in home {
            self.put_rule(a, region, rule).await?;
        }
        let results = join_all(
            others
                .into_iter()
                .map(|(region, rule)| self.put_rule(a, region, rule)),
        )
        .await;
        results.into_iter().collect::<LiveResult<Vec<()>>>()?;
        let deletes = w.delete.iter().filter_map(|region| {
            b.and_then(|b| b.rules.get(region))
                .map(|rule| self.delete_rule(region, &a.rule_name, rule))
        });
        join_all(deletes)
            .await
            .into_iter()
            .collect::<LiveResult<Vec<()>>>()?;
        Ok(())
    }

    /// One Region's writes to an alert's rule, in order.
    async fn put_rule(&self, a: &AlertState, region: &str, rule: &RuleWrites) -> LiveResult<()> {
        let name = &a.rule_name;
        let Some(want) = a.rules.get(region) else {
            return Ok(());
        };
        if rule.put_rule {
            self.account.put_rule(region, name, want).await?;
        }
        let rule_arn = arn::rule(region, self.account_id, name);
        if !rule.tags.add.is_empty() {
            self.account
                .tag_rule(region, &rule_arn, &rule.tags.add)
                .await?;
        }
        if !rule.tags.remove.is_empty() {
            self.account
                .untag_rule(region, &rule_arn, &rule.tags.remove)
                .await?;
        }
        if !rule.remove_targets.is_empty() {
            self.account
                .remove_targets(region, name, &rule.remove_targets)
                .await?;
        }
        if !rule.put_targets.is_empty() {
            self.account
                .put_targets(region, name, &rule.put_targets)
                .await?;
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
            self.account
                .create_role(&a.name, &a.trust, a.boundary.as_deref(), &a.tags)
                .await?;
            if let Some(p) = &a.policy {
                self.account
                    .put_role_policy(&a.name, &a.policy_name, p)
                    .await?;
            }
            return Ok(());
        };
        let w = b.writes(a);
        if let Some(boundary) = a.boundary.as_deref().filter(|_| w.boundary) {
            self.account.put_role_boundary(&a.name, boundary).await?;
        }
        if w.trust {
            self.account.update_trust(&a.name, &a.trust).await?;
        }
        if let Some(p) = a.policy.as_ref().filter(|_| w.policy) {
            self.account
                .put_role_policy(&a.name, &a.policy_name, p)
                .await?;
        }
        if !w.tags.add.is_empty() {
            self.account.tag_role(&a.name, &w.tags.add).await?;
        }
        if !w.tags.remove.is_empty() {
            self.account.untag_role(&a.name, &w.tags.remove).await?;
        }
        Ok(())
    }
}

impl Written for TopicState {
    async fn write<A: Account>(
        ex: &Executor<'_, A>,
        c: &Change,
        before: Option<&Self>,
        after: Option<&Self>,
        _: &Progress<'_, '_>,
    ) -> LiveResult<()> {
        match (c.action, before, after) {
            (Action::Create, None, Some(a)) => ex.put_topic(None, a).await,
            (Action::Update, Some(b), Some(a)) => ex.put_topic(Some(b), a).await,
            (Action::Delete, Some(b), None) => ex.delete_topic(b).await,
            _ => Err(impossible(c)),
        }
    }
}

impl Written for AlertState {
    async fn write<A: Account>(
        ex: &Executor<'_, A>,
        c: &Change,
        before: Option<&Self>,
        after: Option<&Self>,
        _: &Progress<'_, '_>,
    ) -> LiveResult<()> {
        match (c.action, before, after) {
            (Action::Create, None, Some(a)) => ex.put_alert(None, a).await,
            (Action::Update, Some(b), Some(a)) => ex.put_alert(Some(b), a).await,
            (Action::Delete, Some(b), None) => ex.delete_alert(b).await,
            _ => Err(impossible(c)),
        }
    }
}

impl Written for RoleState {
    async fn write<A: Account>(
        ex: &Executor<'_, A>,
        c: &Change,
        before: Option<&Self>,
        after: Option<&Self>,
        _: &Progress<'_, '_>,
    ) -> LiveResult<()> {
        match (c.action, before, after) {
            (Action::Create, None, Some(a)) => ex.put_role(None, a).await,
            (Action::Update, Some(b), Some(a)) => ex.put_role(Some(b), a).await,
            (Action::Delete, Some(b), None) => ex.delete_role(b).await,
            _ => Err(impossible(c)),
        }
    }
}
