//! Applying the Athena side: a database's tags, a workgroup's configuration and tags, and a
//! database deleted only once no table is left in it (Glue's `DeleteDatabase` would take every
//! table with it, trailctl's or not).

use crate::apply::execute::{Executor, Progress, Written, impossible};
use crate::live::aws::operations as ops;
use crate::live::error::{ErrorKind, LiveError, LiveResult};
use crate::live::services::Account;
use crate::model::athena_state::{DatabaseState, TableState, WorkgroupState};
use crate::model::state::Compared;
use crate::model::state::Writes;
use crate::plan::{Action, Change};

impl<A: Account> Executor<'_, A> {
    pub(super) async fn put_database(
        &self,
        b: Option<&DatabaseState>,
        a: &DatabaseState,
    ) -> LiveResult<()> {
        let Some(b) = b else {
            return self
                .account
                .create_database(&a.region, &a.name, &a.tags)
                .await;
        };
        let w = b.writes(a);
        if !w.tags.add.is_empty() {
            self.account
                .tag_database(&a.region, &a.name, &w.tags.add)
                .await?;
        }
        if !w.tags.remove.is_empty() {
            self.account
                .untag_database(&a.region, &a.name, &w.tags.remove)
                .await?;
        }
        Ok(())
    }

    pub(super) async fn delete_database(&self, b: &DatabaseState) -> LiveResult<()> {
        let left = self.account.tables(&b.region, &b.name).await?;
        if !left.is_empty() {
            let names: Vec<&str> = left.iter().map(|t| t.name.as_str()).collect();
            return Err(LiveError::new(
                ops::GLUE_DELETE_DATABASE,
                Some(&b.region),
                ErrorKind::Service("DatabaseNotEmpty".to_owned()),
                format!(
                    "database {} still has tables trailctl does not delete ({}): it is left in place",
                    b.name,
                    names.join(", ")
                ),
            ));
        }
        self.account.delete_database(&b.region, &b.name).await
    }

    pub(super) async fn update_workgroup(
        &self,
        b: &WorkgroupState,
        a: &WorkgroupState,
    ) -> LiveResult<()> {
        let w = b.writes(a);
        if w.beyond_tags() {
            self.account.update_workgroup(a).await?;
        }
        if !w.tags.add.is_empty() {
            self.account
                .tag_workgroup(&a.region, &a.name, &w.tags.add)
                .await?;
        }
        if !w.tags.remove.is_empty() {
            self.account
                .untag_workgroup(&a.region, &a.name, &w.tags.remove)
                .await?;
        }
        Ok(())
    }
}

impl Written for DatabaseState {
    async fn write<A: Account>(
        ex: &Executor<'_, A>,
        c: &Change,
        before: Option<&Self>,
        after: Option<&Self>,
        _: &Progress<'_, '_>,
    ) -> LiveResult<()> {
        match (c.action, before, after) {
            (Action::Create, None, Some(a)) => ex.put_database(None, a).await,
            (Action::Update, Some(b), Some(a)) => ex.put_database(Some(b), a).await,
            (Action::Delete, Some(b), None) => ex.delete_database(b).await,
            _ => Err(impossible(c)),
        }
    }
}

impl Written for TableState {
    async fn write<A: Account>(
        ex: &Executor<'_, A>,
        c: &Change,
        before: Option<&Self>,
        after: Option<&Self>,
        _: &Progress<'_, '_>,
    ) -> LiveResult<()> {
        match (c.action, before, after) {
            (Action::Create, None, Some(a)) => ex.account.put_table(a, true).await,
            (Action::Update, Some(_), Some(a)) => ex.account.put_table(a, false).await,
            (Action::Delete, Some(b), None) => {
                ex.account
                    .delete_table(&b.region, &b.database, &b.name)
                    .await
            }
            _ => Err(impossible(c)),
        }
    }
}

impl Written for WorkgroupState {
    async fn write<A: Account>(
        ex: &Executor<'_, A>,
        c: &Change,
        before: Option<&Self>,
        after: Option<&Self>,
        _: &Progress<'_, '_>,
    ) -> LiveResult<()> {
        match (c.action, before, after) {
            (Action::Create, None, Some(a)) => ex.account.create_workgroup(a).await,
            (Action::Update, Some(b), Some(a)) => ex.update_workgroup(b, a).await,
            (Action::Delete, Some(b), None) => {
                ex.account.delete_workgroup(&b.region, &b.name).await
            }
            _ => Err(impossible(c)),
        }
    }
}
