//! The in-memory account's CloudWatch Logs log groups with their metric filters, and its
//! CloudWatch alarms, for the planner's and applier's unit tests. A filter put twice under one
//! name replaces the first, as in CloudWatch Logs.

use std::collections::BTreeSet;

use crate::live::aws::operations as ops;
use crate::live::error::{ErrorKind, LiveError, LiveResult};
use crate::live::fake::Fake;
use crate::live::services::{CloudWatch, Logs};
use crate::model::logs_state::{AlarmState, LogGroupState, MetricFilterState};
use crate::model::tags::Tags;

fn missing(op: &'static str, region: &str, what: &str) -> LiveError {
    LiveError::new(
        op,
        Some(region),
        ErrorKind::Service("ResourceNotFoundException".into()),
        what,
    )
}

fn key(region: &str, name: &str) -> (String, String) {
    (region.to_owned(), name.to_owned())
}

impl Fake {
    fn with_group<T>(
        &self,
        op: &'static str,
        region: &str,
        name: &str,
        f: impl FnOnce(&mut LogGroupState) -> T,
    ) -> LiveResult<T> {
        self.call(op, region)?;
        let mut s = self.state.borrow_mut();
        let g = s
            .log_groups
            .get_mut(&key(region, name))
            .ok_or_else(|| missing(op, region, name))?;
        Ok(f(g))
    }
}

impl Logs for Fake {
    async fn log_group(&self, region: &str, name: &str) -> LiveResult<Option<LogGroupState>> {
        self.call(ops::LOGS_DESCRIBE_LOG_GROUPS, region)?;
        Ok(self
            .state
            .borrow()
            .log_groups
            .get(&key(region, name))
            .cloned())
    }

    async fn create_log_group(&self, group: &LogGroupState) -> LiveResult<()> {
        self.call(ops::LOGS_CREATE_LOG_GROUP, &group.region)?;
        let k = key(&group.region, &group.name);
        let mut s = self.state.borrow_mut();
        if s.log_groups.contains_key(&k) {
            return Err(LiveError::new(
                ops::LOGS_CREATE_LOG_GROUP,
                Some(&group.region),
                ErrorKind::Service("ResourceAlreadyExistsException".into()),
                &group.name,
            ));
        }
        s.log_groups.insert(k, group.clone());
        Ok(())
    }

    async fn set_retention(&self, region: &str, name: &str, days: Option<u32>) -> LiveResult<()> {
        let op = if days.is_some() {
            ops::LOGS_PUT_RETENTION_POLICY
        } else {
            ops::LOGS_DELETE_RETENTION_POLICY
        };
        self.with_group(op, region, name, |g| g.retention_days = days)
    }

    async fn set_log_group_key(
        &self,
        region: &str,
        name: &str,
        key: Option<&str>,
    ) -> LiveResult<()> {
        let op = if key.is_some() {
            ops::LOGS_ASSOCIATE_KMS_KEY
        } else {
            ops::LOGS_DISASSOCIATE_KMS_KEY
        };
        self.with_group(op, region, name, |g| g.kms_key = key.map(str::to_owned))
    }

    async fn tag_log_group(&self, region: &str, name: &str, tags: &Tags) -> LiveResult<()> {
        self.with_group(ops::LOGS_TAG_RESOURCE, region, name, |g| {
            g.tags.extend(tags.clone())
        })
    }

    async fn untag_log_group(
        &self,
        region: &str,
        name: &str,
        keys: &BTreeSet<String>,
    ) -> LiveResult<()> {
        self.with_group(ops::LOGS_UNTAG_RESOURCE, region, name, |g| {
            g.tags.retain(|k, _| !keys.contains(k))
        })
    }

    async fn delete_log_group(&self, region: &str, name: &str) -> LiveResult<()> {
        self.call(ops::LOGS_DELETE_LOG_GROUP, region)?;
        let mut s = self.state.borrow_mut();
        s.log_groups
            .remove(&key(region, name))
            .ok_or_else(|| missing(ops::LOGS_DELETE_LOG_GROUP, region, name))?;
        s.metric_filters
            .retain(|f| !(f.region == region && f.log_group == name));
        Ok(())
    }

    async fn metric_filters(
        &self,
        region: &str,
        log_group: &str,
        prefix: &str,
    ) -> LiveResult<Vec<MetricFilterState>> {
        self.call(ops::LOGS_DESCRIBE_METRIC_FILTERS, region)?;
        Ok(self
            .state
            .borrow()
            .metric_filters
            .iter()
            .filter(|f| f.region == region && f.log_group == log_group)
            .filter(|f| f.name.starts_with(prefix))
            .cloned()
            .collect())
    }

    async fn put_metric_filter(&self, filter: &MetricFilterState) -> LiveResult<()> {
        self.call(ops::LOGS_PUT_METRIC_FILTER, &filter.region)?;
        let mut s = self.state.borrow_mut();
        if !s
            .log_groups
            .contains_key(&key(&filter.region, &filter.log_group))
        {
            return Err(missing(
                ops::LOGS_PUT_METRIC_FILTER,
                &filter.region,
                &filter.log_group,
            ));
        }
        s.metric_filters.retain(|f| {
            !(f.region == filter.region && f.log_group == filter.log_group && f.name == filter.name)
        });
        s.metric_filters.push(filter.clone());
        Ok(())
    }

    async fn delete_metric_filter(
        &self,
        region: &str,
        log_group: &str,
        name: &str,
    ) -> LiveResult<()> {
        self.call(ops::LOGS_DELETE_METRIC_FILTER, region)?;
        let mut s = self.state.borrow_mut();
        let before = s.metric_filters.len();
        s.metric_filters
            .retain(|f| !(f.region == region && f.log_group == log_group && f.name == name));
        if s.metric_filters.len() == before {
            return Err(missing(ops::LOGS_DELETE_METRIC_FILTER, region, name));
        }
        Ok(())
    }
}

impl CloudWatch for Fake {
    async fn alarms(&self, region: &str, prefix: &str) -> LiveResult<Vec<AlarmState>> {
        self.call(ops::CLOUDWATCH_DESCRIBE_ALARMS, region)?;
        Ok(self
            .state
            .borrow()
            .alarms
            .iter()
            .filter(|((r, n), _)| r == region && n.starts_with(prefix))
            .map(|(_, a)| a.clone())
            .collect())
    }

    async fn put_alarm(&self, alarm: &AlarmState, create: bool) -> LiveResult<()> {
        self.call(ops::CLOUDWATCH_PUT_METRIC_ALARM, &alarm.region)?;
        let mut s = self.state.borrow_mut();
        let k = key(&alarm.region, &alarm.name);
        let tags = match (create, s.alarms.get(&k)) {
            (false, Some(old)) => old.tags.clone(),
            _ => alarm.tags.clone(),
        };
        s.alarms.insert(
            k,
            AlarmState {
                tags,
                ..alarm.clone()
            },
        );
        Ok(())
    }

    async fn tag_alarm(&self, region: &str, name: &str, tags: &Tags) -> LiveResult<()> {
        self.call(ops::CLOUDWATCH_TAG_RESOURCE, region)?;
        let mut s = self.state.borrow_mut();
        let a = s
            .alarms
            .get_mut(&key(region, name))
            .ok_or_else(|| missing(ops::CLOUDWATCH_TAG_RESOURCE, region, name))?;
        a.tags.extend(tags.clone());
        Ok(())
    }

    async fn untag_alarm(
        &self,
        region: &str,
        name: &str,
        keys: &BTreeSet<String>,
    ) -> LiveResult<()> {
        self.call(ops::CLOUDWATCH_UNTAG_RESOURCE, region)?;
        let mut s = self.state.borrow_mut();
        let a = s
            .alarms
            .get_mut(&key(region, name))
            .ok_or_else(|| missing(ops::CLOUDWATCH_UNTAG_RESOURCE, region, name))?;
        a.tags.retain(|k, _| !keys.contains(k));
        Ok(())
    }

    async fn delete_alarm(&self, region: &str, name: &str) -> LiveResult<()> {
        self.call(ops::CLOUDWATCH_DELETE_ALARMS, region)?;
        self.state.borrow_mut().alarms.remove(&key(region, name));
        Ok(())
    }
}
