//! The comparable state of the Athena side of a trail: the Glue database, the CloudTrail table
//! and the workgroup. Glue tables take no tags, so a table's ownership marks are two table
//! parameters with the ownership tags' keys and values.

use std::collections::BTreeMap;

use crate::model::athena::is_managed_parameter;
use crate::model::state::{Compared, FieldValue, Fields, Writes};
use crate::model::tags::{TagChanges, Tags};

/// A Glue database as plans compare it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DatabaseState {
    pub name: String,
    pub region: String,
    pub tags: Tags,
}

impl Compared for DatabaseState {
    type Writes = DatabaseWrites;

    fn fields(&self) -> Fields {
        vec![
            ("region", FieldValue::Text(self.region.clone())),
            ("tags", FieldValue::Map(self.tags.clone())),
        ]
    }

    fn writes(&self, want: &DatabaseState) -> DatabaseWrites {
        DatabaseWrites {
            tags: TagChanges::between(&self.tags, &want.tags),
        }
    }
}

/// A Glue table as plans compare it: its definition, and the ownership marks in its parameters.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TableState {
    pub database: String,
    pub name: String,
    pub region: String,
    /// `(name, Hive type)`, in order.
    pub columns: Vec<(String, String)>,
    pub partition_keys: Vec<(String, String)>,
    pub location: String,
    pub input_format: String,
    pub output_format: String,
    pub serde: String,
    /// The parameters trailctl decides (`athena::is_managed_parameter`); others are not read.
    pub parameters: BTreeMap<String, String>,
    /// The ownership marks (parameters named like the ownership tags).
    pub tags: Tags,
}

/// An Athena workgroup as plans compare it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WorkgroupState {
    pub name: String,
    pub region: String,
    /// `ResultConfiguration.OutputLocation`: `s3://BUCKET/`.
    pub output_location: String,
    pub bytes_scanned_cutoff: Option<u64>,
    /// `EnforceWorkGroupConfiguration`: clients cannot send results elsewhere.
    pub enforce_configuration: bool,
    pub tags: Tags,
}

impl Compared for WorkgroupState {
    type Writes = WorkgroupWrites;

    fn fields(&self) -> Fields {
        vec![
            ("region", FieldValue::Text(self.region.clone())),
            (
                "output_location",
                FieldValue::Text(self.output_location.clone()),
            ),
            (
                "bytes_scanned_cutoff",
                self.bytes_scanned_cutoff
                    .map_or(FieldValue::Absent, FieldValue::Number),
            ),
            (
                "enforce_configuration",
                FieldValue::Bool(self.enforce_configuration),
            ),
            ("tags", FieldValue::Map(self.tags.clone())),
        ]
    }

    fn writes(&self, want: &WorkgroupState) -> WorkgroupWrites {
        WorkgroupWrites {
            configuration: self.output_location != want.output_location
                || self.bytes_scanned_cutoff != want.bytes_scanned_cutoff
                || self.enforce_configuration != want.enforce_configuration,
            tags: TagChanges::between(&self.tags, &want.tags),
        }
    }
}

fn pairs(list: &[(String, String)]) -> FieldValue {
    FieldValue::List(list.iter().map(|(n, t)| format!("{n} {t}")).collect())
}

impl TableState {
    /// The parameters trailctl reads and writes from all of a table's parameters: the managed
    /// ones, and the ownership marks apart.
    pub fn split_parameters(all: &BTreeMap<String, String>) -> (BTreeMap<String, String>, Tags) {
        let managed = all
            .iter()
            .filter(|(k, _)| is_managed_parameter(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let tags = all
            .iter()
            .filter(|(k, _)| k.starts_with(crate::model::tags::RESERVED_PREFIX))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        (managed, tags)
    }

    /// Every parameter the table is written with: the managed ones and the ownership marks.
    pub fn all_parameters(&self) -> BTreeMap<String, String> {
        let mut p = self.parameters.clone();
        p.extend(self.tags.iter().map(|(k, v)| (k.clone(), v.clone())));
        p
    }
}

impl Compared for TableState {
    type Writes = TableWrites;

    fn fields(&self) -> Fields {
        vec![
            ("region", FieldValue::Text(self.region.clone())),
            ("location", FieldValue::Text(self.location.clone())),
            ("columns", pairs(&self.columns)),
            ("partition_keys", pairs(&self.partition_keys)),
            ("serde", FieldValue::Text(self.serde.clone())),
            ("input_format", FieldValue::Text(self.input_format.clone())),
            (
                "output_format",
                FieldValue::Text(self.output_format.clone()),
            ),
            ("parameters", FieldValue::Map(self.parameters.clone())),
            ("tags", FieldValue::Map(self.tags.clone())),
        ]
    }

    fn writes(&self, want: &TableState) -> TableWrites {
        TableWrites {
            definition: self.columns != want.columns
                || self.partition_keys != want.partition_keys
                || self.location != want.location
                || self.input_format != want.input_format
                || self.output_format != want.output_format
                || self.serde != want.serde
                || self.parameters != want.parameters,
            tags: self.tags != want.tags,
        }
    }
}

/// The parts of a database to write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DatabaseWrites {
    pub tags: TagChanges,
}

impl Writes for DatabaseWrites {
    fn no_tags(&self) -> bool {
        self.tags.is_empty()
    }

    fn beyond_tags(&self) -> bool {
        false
    }
}

/// A table is written whole (`UpdateTable`): its definition, or only its ownership marks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableWrites {
    pub definition: bool,
    pub tags: bool,
}

impl Writes for TableWrites {
    fn no_tags(&self) -> bool {
        !self.tags
    }

    fn beyond_tags(&self) -> bool {
        self.definition
    }
}

/// The parts of a workgroup to write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkgroupWrites {
    pub configuration: bool,
    pub tags: TagChanges,
}

impl Writes for WorkgroupWrites {
    fn no_tags(&self) -> bool {
        self.tags.is_empty()
    }

    fn beyond_tags(&self) -> bool {
        self.configuration
    }
}
