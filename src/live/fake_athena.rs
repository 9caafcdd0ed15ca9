//! The in-memory account's Glue catalog and Athena workgroups, for the planner's and applier's
//! unit tests, and what carries a tag (the Resource Groups Tagging API over the fake's rules,
//! databases and workgroups).

use std::collections::BTreeSet;

use crate::live::aws::operations as ops;
use crate::live::error::{ErrorKind, LiveError, LiveResult};
use crate::live::fake::Fake;
use crate::live::services::{Athena, Glue, QueryState, QueryStatus, ResultPage, Tagged, Tagging};
use crate::model::athena_state::{DatabaseState, TableState, WorkgroupState};
use crate::model::tags::Tags;

fn missing(op: &'static str, region: &str, what: &str) -> LiveError {
    LiveError::new(
        op,
        Some(region),
        ErrorKind::Service("EntityNotFoundException".into()),
        what,
    )
}

fn key(region: &str, name: &str) -> (String, String) {
    (region.to_owned(), name.to_owned())
}

impl Glue for Fake {
    async fn databases(&self, region: &str) -> LiveResult<Vec<DatabaseState>> {
        self.call(ops::GLUE_GET_DATABASES, region)?;
        Ok(self
            .state
            .borrow()
            .databases
            .iter()
            .filter(|((r, _), _)| r == region)
            .map(|((r, n), tags)| DatabaseState {
                name: n.clone(),
                region: r.clone(),
                tags: tags.clone(),
            })
            .collect())
    }

    async fn create_database(&self, region: &str, name: &str, tags: &Tags) -> LiveResult<()> {
        self.call(ops::GLUE_CREATE_DATABASE, region)?;
        self.state
            .borrow_mut()
            .databases
            .insert(key(region, name), tags.clone());
        Ok(())
    }

    async fn tag_database(&self, region: &str, name: &str, tags: &Tags) -> LiveResult<()> {
        self.call(ops::GLUE_TAG_RESOURCE, region)?;
        let mut s = self.state.borrow_mut();
        let t = s
            .databases
            .get_mut(&key(region, name))
            .ok_or_else(|| missing(ops::GLUE_TAG_RESOURCE, region, name))?;
        t.extend(tags.clone());
        Ok(())
    }

    async fn untag_database(
        &self,
        region: &str,
        name: &str,
        keys: &BTreeSet<String>,
    ) -> LiveResult<()> {
        self.call(ops::GLUE_UNTAG_RESOURCE, region)?;
        let mut s = self.state.borrow_mut();
        let t = s
            .databases
            .get_mut(&key(region, name))
            .ok_or_else(|| missing(ops::GLUE_UNTAG_RESOURCE, region, name))?;
        t.retain(|k, _| !keys.contains(k));
        Ok(())
    }

    async fn delete_database(&self, region: &str, name: &str) -> LiveResult<()> {
        self.call(ops::GLUE_DELETE_DATABASE, region)?;
        let mut s = self.state.borrow_mut();
        s.databases.remove(&key(region, name));
        s.tables.retain(|(r, d, _), _| !(r == region && d == name));
        Ok(())
    }

    async fn tables(&self, region: &str, database: &str) -> LiveResult<Vec<TableState>> {
        self.call(ops::GLUE_GET_TABLES, region)?;
        Ok(self
            .state
            .borrow()
            .tables
            .iter()
            .filter(|((r, d, _), _)| r == region && d == database)
            .map(|(_, t)| t.clone())
            .collect())
    }

    async fn put_table(&self, table: &TableState, create: bool) -> LiveResult<()> {
        let op = if create {
            ops::GLUE_CREATE_TABLE
        } else {
            ops::GLUE_UPDATE_TABLE
        };
        self.call(op, &table.region)?;
        let mut s = self.state.borrow_mut();
        if !s
            .databases
            .contains_key(&key(&table.region, &table.database))
        {
            return Err(missing(op, &table.region, &table.database));
        }
        let k = (
            table.region.clone(),
            table.database.clone(),
            table.name.clone(),
        );
        if !create && !s.tables.contains_key(&k) {
            return Err(missing(op, &table.region, &table.name));
        }
        s.tables.insert(k, table.clone());
        Ok(())
    }

    async fn delete_table(&self, region: &str, database: &str, name: &str) -> LiveResult<()> {
        self.call(ops::GLUE_DELETE_TABLE, region)?;
        self.state.borrow_mut().tables.remove(&(
            region.to_owned(),
            database.to_owned(),
            name.to_owned(),
        ));
        Ok(())
    }
}

impl Athena for Fake {
    async fn workgroups(&self, region: &str) -> LiveResult<Vec<WorkgroupState>> {
        self.call(ops::ATHENA_LIST_WORK_GROUPS, region)?;
        Ok(self
            .state
            .borrow()
            .workgroups
            .iter()
            .filter(|((r, _), _)| r == region)
            .map(|(_, w)| w.clone())
            .collect())
    }

    async fn create_workgroup(&self, w: &WorkgroupState) -> LiveResult<()> {
        self.call(ops::ATHENA_CREATE_WORK_GROUP, &w.region)?;
        self.state
            .borrow_mut()
            .workgroups
            .insert(key(&w.region, &w.name), w.clone());
        Ok(())
    }

    async fn update_workgroup(&self, w: &WorkgroupState) -> LiveResult<()> {
        self.call(ops::ATHENA_UPDATE_WORK_GROUP, &w.region)?;
        let mut s = self.state.borrow_mut();
        let had = s
            .workgroups
            .get_mut(&key(&w.region, &w.name))
            .ok_or_else(|| missing(ops::ATHENA_UPDATE_WORK_GROUP, &w.region, &w.name))?;
        let tags = had.tags.clone();
        *had = WorkgroupState { tags, ..w.clone() };
        Ok(())
    }

    async fn tag_workgroup(&self, region: &str, name: &str, tags: &Tags) -> LiveResult<()> {
        self.call(ops::ATHENA_TAG_RESOURCE, region)?;
        let mut s = self.state.borrow_mut();
        let w = s
            .workgroups
            .get_mut(&key(region, name))
            .ok_or_else(|| missing(ops::ATHENA_TAG_RESOURCE, region, name))?;
        w.tags.extend(tags.clone());
        Ok(())
    }

    async fn untag_workgroup(
        &self,
        region: &str,
        name: &str,
        keys: &BTreeSet<String>,
    ) -> LiveResult<()> {
        self.call(ops::ATHENA_UNTAG_RESOURCE, region)?;
        let mut s = self.state.borrow_mut();
        let w = s
            .workgroups
            .get_mut(&key(region, name))
            .ok_or_else(|| missing(ops::ATHENA_UNTAG_RESOURCE, region, name))?;
        w.tags.retain(|k, _| !keys.contains(k));
        Ok(())
    }

    async fn start_query(
        &self,
        region: &str,
        workgroup: &str,
        database: &str,
        sql: &str,
    ) -> LiveResult<String> {
        self.call(ops::ATHENA_START_QUERY_EXECUTION, region)?;
        let mut s = self.state.borrow_mut();
        s.queries
            .push((workgroup.to_owned(), database.to_owned(), sql.to_owned()));
        Ok(format!("q-{}", s.queries.len()))
    }

    async fn query_status(&self, region: &str, _id: &str) -> LiveResult<QueryStatus> {
        self.call(ops::ATHENA_GET_QUERY_EXECUTION, region)?;
        let mut s = self.state.borrow_mut();
        if s.query_polls > 0 {
            s.query_polls -= 1;
            return Ok(QueryStatus {
                state: QueryState::Running,
                reason: None,
                bytes_scanned: None,
                millis: None,
            });
        }
        Ok(s.query_end.clone().unwrap_or(QueryStatus {
            state: QueryState::Succeeded,
            reason: None,
            bytes_scanned: Some(0),
            millis: Some(1),
        }))
    }

    async fn query_page(
        &self,
        region: &str,
        _id: &str,
        token: Option<String>,
    ) -> LiveResult<ResultPage> {
        self.call(ops::ATHENA_GET_QUERY_RESULTS, region)?;
        let i: usize = token.and_then(|t| t.parse().ok()).unwrap_or(0);
        let s = self.state.borrow();
        let mut page = s.query_pages.get(i).cloned().unwrap_or_default();
        page.next = (i + 1 < s.query_pages.len()).then(|| (i + 1).to_string());
        Ok(page)
    }

    async fn delete_workgroup(&self, region: &str, name: &str) -> LiveResult<()> {
        self.call(ops::ATHENA_DELETE_WORK_GROUP, region)?;
        self.state
            .borrow_mut()
            .workgroups
            .remove(&key(region, name));
        Ok(())
    }
}

impl Tagging for Fake {
    async fn tagged(&self, region: &str, key: &str, value: &str) -> LiveResult<Tagged> {
        self.call(ops::RESOURCEGROUPSTAGGING_GET_RESOURCES, region)?;
        let s = self.state.borrow();
        let has = |tags: &Tags| tags.get(key).is_some_and(|v| v == value);
        let mut out = Tagged::default();
        for ((r, name), rule) in &s.rules {
            if r == region && has(&rule.tags) {
                out.rules.insert(name.clone());
            }
        }
        for ((r, name), tags) in &s.databases {
            if r == region && has(tags) {
                out.databases.insert(name.clone());
            }
        }
        for ((r, name), w) in &s.workgroups {
            if r == region && has(&w.tags) {
                out.workgroups.insert(name.clone());
            }
        }
        Ok(out)
    }
}

impl crate::live::services::Quotas for Fake {
    async fn rules_per_bus(&self, region: &str) -> LiveResult<Option<u32>> {
        self.call(ops::SERVICEQUOTAS_GET_SERVICE_QUOTA, region)?;
        Ok(self.state.borrow().rule_quotas.get(region).copied())
    }
}
