//! Executing changes to the CloudWatch side: a log group (its retention, key and tags), a
//! metric filter (written whole; moved to another log group by deleting the old one first) and
//! an alarm (rewritten whole, its tags apart).

use crate::apply::execute::{Executor, Progress, Written, impossible};
use crate::live::error::LiveResult;
use crate::live::services::Account;
use crate::model::logs_state::{AlarmState, LogGroupState, MetricFilterState};
use crate::model::state::Compared;
use crate::plan::{Action, Change};

impl<A: Account> Executor<'_, A> {
    pub(super) async fn update_log_group(
        &self,
        b: &LogGroupState,
        a: &LogGroupState,
    ) -> LiveResult<()> {
        let w = b.writes(a);
        let (region, name) = (&a.region, &a.name);
        if w.retention {
            self.account
                .set_retention(region, name, a.retention_days)
                .await?;
        }
        if w.kms_key {
            self.account
                .set_log_group_key(region, name, a.kms_key.as_deref())
                .await?;
        }
        if !w.tags.add.is_empty() {
            self.account
                .tag_log_group(region, name, &w.tags.add)
                .await?;
        }
        if !w.tags.remove.is_empty() {
            self.account
                .untag_log_group(region, name, &w.tags.remove)
                .await?;
        }
        Ok(())
    }

    pub(super) async fn update_alarm(&self, b: &AlarmState, a: &AlarmState) -> LiveResult<()> {
        let w = b.writes(a);
        if w.alarm {
            self.account.put_alarm(a, false).await?;
        }
        if !w.tags.add.is_empty() {
            self.account
                .tag_alarm(&a.region, &a.name, &w.tags.add)
                .await?;
        }
        if !w.tags.remove.is_empty() {
            self.account
                .untag_alarm(&a.region, &a.name, &w.tags.remove)
                .await?;
        }
        Ok(())
    }
}

impl Written for LogGroupState {
    async fn write<A: Account>(
        ex: &Executor<'_, A>,
        c: &Change,
        before: Option<&Self>,
        after: Option<&Self>,
        _: &Progress<'_, '_>,
    ) -> LiveResult<()> {
        match (c.action, before, after) {
            (Action::Create, None, Some(a)) => ex.account.create_log_group(a).await,
            (Action::Update, Some(b), Some(a)) => ex.update_log_group(b, a).await,
            (Action::Delete, Some(b), None) => {
                ex.account.delete_log_group(&b.region, &b.name).await
            }
            _ => Err(impossible(c)),
        }
    }
}

/// A metric filter's name and log group cannot change in place: it is replaced.
impl Written for MetricFilterState {
    async fn write<A: Account>(
        ex: &Executor<'_, A>,
        c: &Change,
        before: Option<&Self>,
        after: Option<&Self>,
        _: &Progress<'_, '_>,
    ) -> LiveResult<()> {
        match (c.action, before, after) {
            (Action::Create | Action::Update, _, Some(a)) => ex.account.put_metric_filter(a).await,
            (Action::Replace, Some(b), Some(a)) => {
                ex.account
                    .delete_metric_filter(&b.region, &b.log_group, &b.name)
                    .await?;
                ex.account.put_metric_filter(a).await
            }
            (Action::Delete, Some(b), None) => {
                ex.account
                    .delete_metric_filter(&b.region, &b.log_group, &b.name)
                    .await
            }
            _ => Err(impossible(c)),
        }
    }
}

impl Written for AlarmState {
    async fn write<A: Account>(
        ex: &Executor<'_, A>,
        c: &Change,
        before: Option<&Self>,
        after: Option<&Self>,
        _: &Progress<'_, '_>,
    ) -> LiveResult<()> {
        match (c.action, before, after) {
            (Action::Create, None, Some(a)) => ex.account.put_alarm(a, true).await,
            (Action::Update, Some(b), Some(a)) => ex.update_alarm(b, a).await,
            (Action::Delete, Some(b), None) => ex.account.delete_alarm(&b.region, &b.name).await,
            _ => Err(impossible(c)),
        }
    }
}
