//! Executing updates of the CloudWatch side: a log group's retention, key and tags, and an
//! alarm (rewritten whole, its tags apart). Creates and deletes are single calls, made by the
//! executor directly.

use crate::apply::execute::Executor;
use crate::live::error::LiveResult;
use crate::live::services::Account;
use crate::model::logs_state::{AlarmState, LogGroupState};

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
