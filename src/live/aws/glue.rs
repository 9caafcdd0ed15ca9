//! Glue through the SDK: databases (tagged) and tables (their ownership marks are table
//! parameters: Glue tables take no tags).

use std::collections::{BTreeSet, HashMap};

use aws_sdk_glue::types::{Column, DatabaseInput, SerDeInfo, StorageDescriptor, TableInput};

use crate::live::aws::account::AwsAccount;
use crate::live::aws::error::{build, code, map};
use crate::live::aws::operations as ops;
use crate::live::aws::paging::all_pages;
use crate::live::error::LiveResult;
use crate::live::services::Glue;
use crate::model::athena_state::{DatabaseState, TableState};
use crate::model::tags::Tags;

impl AwsAccount {
    async fn database_arn(&self, region: &str, name: &str) -> LiveResult<String> {
        Ok(format!(
            "arn:aws:glue:{region}:{}:database/{name}",
            self.id().await?
        ))
    }
}

fn columns(list: &[Column]) -> Vec<(String, String)> {
    list.iter()
        .map(|c| {
            (
                c.name().to_owned(),
                c.r#type().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn to_columns(
    op: &'static str,
    region: &str,
    list: &[(String, String)],
) -> LiveResult<Vec<Column>> {
    list.iter()
        .map(|(n, t)| {
            Column::builder()
                .name(n)
                .r#type(t)
                .build()
                .map_err(|e| build(op, region, e))
        })
        .collect()
}

fn table_input(op: &'static str, t: &TableState) -> LiveResult<TableInput> {
    let serde = SerDeInfo::builder().serialization_library(&t.serde).build();
    let storage = StorageDescriptor::builder()
        .set_columns(Some(to_columns(op, &t.region, &t.columns)?))
        .location(&t.location)
        .input_format(&t.input_format)
        .output_format(&t.output_format)
        .serde_info(serde)
        .build();
    TableInput::builder()
        .name(&t.name)
        .table_type("EXTERNAL_TABLE")
        .storage_descriptor(storage)
        .set_partition_keys(Some(to_columns(op, &t.region, &t.partition_keys)?))
        .set_parameters(Some(t.all_parameters().into_iter().collect()))
        .build()
        .map_err(|e| build(op, &t.region, e))
}

impl Glue for AwsAccount {
    async fn databases(&self, region: &str) -> LiveResult<Vec<DatabaseState>> {
        const OP: &str = ops::GLUE_GET_DATABASES;
        let client = self.glue(region);
        let names = all_pages(OP, region, |token| {
            let call = client.get_databases().set_next_token(token);
            async move {
                let page = call.send().await.map_err(|e| map(OP, region, e))?;
                let names = page
                    .database_list()
                    .iter()
                    .map(|d| d.name().to_owned())
                    .collect();
                Ok((names, page.next_token().map(str::to_owned)))
            }
        })
        .await?;
        let reads = names.into_iter().map(|name| async move {
            let arn = self.database_arn(region, &name).await?;
            let out = self
                .glue(region)
                .get_tags()
                .resource_arn(arn)
                .send()
                .await
                .map_err(|e| map(ops::GLUE_GET_TAGS, region, e))?;
            let tags: Tags = out
                .tags()
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default();
            Ok::<_, crate::live::error::LiveError>(DatabaseState {
                name,
                region: region.to_owned(),
                tags,
            })
        });
        futures_util::future::try_join_all(reads).await
    }

    async fn create_database(&self, region: &str, name: &str, tags: &Tags) -> LiveResult<()> {
        const OP: &str = ops::GLUE_CREATE_DATABASE;
        let input = DatabaseInput::builder()
            .name(name)
            .description("CloudTrail logs, managed by trailctl")
            .build()
            .map_err(|e| build(OP, region, e))?;
        self.glue(region)
            .create_database()
            .database_input(input)
            .set_tags(Some(tags.clone().into_iter().collect()))
            .send()
            .await
            .map_err(|e| map(OP, region, e))?;
        Ok(())
    }

    async fn tag_database(&self, region: &str, name: &str, tags: &Tags) -> LiveResult<()> {
        let arn = self.database_arn(region, name).await?;
        let add: HashMap<String, String> = tags.clone().into_iter().collect();
        self.glue(region)
            .tag_resource()
            .resource_arn(arn)
            .set_tags_to_add(Some(add))
            .send()
            .await
            .map_err(|e| map(ops::GLUE_TAG_RESOURCE, region, e))?;
        Ok(())
    }

    async fn untag_database(
        &self,
        region: &str,
        name: &str,
        keys: &BTreeSet<String>,
    ) -> LiveResult<()> {
        let arn = self.database_arn(region, name).await?;
        self.glue(region)
            .untag_resource()
            .resource_arn(arn)
            .set_tags_to_remove(Some(keys.iter().cloned().collect()))
            .send()
            .await
            .map_err(|e| map(ops::GLUE_UNTAG_RESOURCE, region, e))?;
        Ok(())
    }

    async fn delete_database(&self, region: &str, name: &str) -> LiveResult<()> {
        match self.glue(region).delete_database().name(name).send().await {
            Ok(_) => Ok(()),
            Err(e) if code(&e) == Some("EntityNotFoundException") => Ok(()),
            Err(e) => Err(map(ops::GLUE_DELETE_DATABASE, region, e)),
        }
    }

    async fn tables(&self, region: &str, database: &str) -> LiveResult<Vec<TableState>> {
        const OP: &str = ops::GLUE_GET_TABLES;
        let client = self.glue(region);
        let pages = all_pages(OP, region, |token| {
            let call = client
                .get_tables()
                .database_name(database)
                .set_next_token(token);
            async move {
                let page = match call.send().await {
                    Ok(p) => p,
                    // The database is gone: it has no tables.
                    Err(e) if code(&e) == Some("EntityNotFoundException") => {
                        return Ok((Vec::new(), None));
                    }
                    Err(e) => return Err(map(OP, region, e)),
                };
                let tables = page.table_list().to_vec();
                Ok((tables, page.next_token().map(str::to_owned)))
            }
        })
        .await?;
        Ok(pages
            .iter()
            .map(|t| {
                let sd = t.storage_descriptor();
                let all = t
                    .parameters()
                    .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default();
                let (parameters, tags) = TableState::split_parameters(&all);
                TableState {
                    database: database.to_owned(),
                    name: t.name().to_owned(),
                    region: region.to_owned(),
                    columns: sd.map(|s| columns(s.columns())).unwrap_or_default(),
                    partition_keys: columns(t.partition_keys()),
                    location: sd.and_then(|s| s.location()).unwrap_or_default().to_owned(),
                    input_format: sd
                        .and_then(|s| s.input_format())
                        .unwrap_or_default()
                        .to_owned(),
                    output_format: sd
                        .and_then(|s| s.output_format())
                        .unwrap_or_default()
                        .to_owned(),
                    serde: sd
                        .and_then(|s| s.serde_info())
                        .and_then(|s| s.serialization_library())
                        .unwrap_or_default()
                        .to_owned(),
                    parameters,
                    tags,
                }
            })
            .collect())
    }

    async fn put_table(&self, table: &TableState, create: bool) -> LiveResult<()> {
        let region = &table.region;
        if create {
            const OP: &str = ops::GLUE_CREATE_TABLE;
            self.glue(region)
                .create_table()
                .database_name(&table.database)
                .table_input(table_input(OP, table)?)
                .send()
                .await
                .map_err(|e| map(OP, region, e))?;
        } else {
            const OP: &str = ops::GLUE_UPDATE_TABLE;
            self.glue(region)
                .update_table()
                .database_name(&table.database)
                .table_input(table_input(OP, table)?)
                .send()
                .await
                .map_err(|e| map(OP, region, e))?;
        }
        Ok(())
    }

    async fn delete_table(&self, region: &str, database: &str, name: &str) -> LiveResult<()> {
        match self
            .glue(region)
            .delete_table()
            .database_name(database)
            .name(name)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if code(&e) == Some("EntityNotFoundException") => Ok(()),
            Err(e) => Err(map(ops::GLUE_DELETE_TABLE, region, e)),
        }
    }
}
