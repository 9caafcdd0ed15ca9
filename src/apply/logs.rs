//! Executing changes to the CloudWatch side: a log group (its retention, key and tags), a
//! metric filter (written whole; moved to another log group by deleting the old one first) and
//! an alarm (rewritten whole, its tags apart).

use crate::apply::execute::{Executor, impossible};
use crate::live::error::LiveResult;
use crate::live::services::Account;
use crate::model::logs_state::{AlarmState, LogGroupState};
use crate::plan::{Action, Address, Change, Resource};

impl<A: Account> Executor<'_, A> {
    /// One change to a log group, a metric filter or an alarm.
    pub(super) async fn cloudwatch_change(&self, c: &Change) -> LiveResult<()> {
        use Resource as R;
        let (before, after) = (c.before.as_ref(), c.after.as_ref());
        match &c.address {
            Address::LogGroup(_) => match (c.action, before, after) {
                (Action::Create, None, Some(R::LogGroup(a))) => {
                    self.account.create_log_group(a).await
                }
                (Action::Update, Some(R::LogGroup(b)), Some(R::LogGroup(a))) => {
                    self.update_log_group(b, a).await
                }
                (Action::Delete, Some(R::LogGroup(b)), None) => {
                    self.account.delete_log_group(&b.region, &b.name).await
                }
                _ => Err(impossible(c)),
            },
            Address::MetricFilter(_) => match (c.action, before, after) {
                (Action::Create | Action::Update, _, Some(R::MetricFilter(a))) => {
                    self.account.put_metric_filter(a).await
                }
                (Action::Replace, Some(R::MetricFilter(b)), Some(R::MetricFilter(a))) => {
                    self.account
                        .delete_metric_filter(&b.region, &b.log_group, &b.name)
                        .await?;
                    self.account.put_metric_filter(a).await
                }
                (Action::Delete, Some(R::MetricFilter(b)), None) => {
                    self.account
                        .delete_metric_filter(&b.region, &b.log_group, &b.name)
                        .await
                }
                _ => Err(impossible(c)),
            },
            Address::Alarm(_) => match (c.action, before, after) {
                (Action::Create, None, Some(R::Alarm(a))) => self.account.put_alarm(a, true).await,
                (Action::Update, Some(R::Alarm(b)), Some(R::Alarm(a))) => {
                    self.update_alarm(b, a).await
                }
                (Action::Delete, Some(R::Alarm(b)), None) => {
                    self.account.delete_alarm(&b.region, &b.name).await
                }
                _ => Err(impossible(c)),
            },
            _ => Err(impossible(c)),
        }
    }

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
