//! Planning the Athena side of trails: the Glue database, the CloudTrail table and the
//! workgroup of each `athena:` (the results bucket is planned with the other buckets), matched by
//! name and owned through tags (a table through its ownership parameters). Dropping a database,
//! table or workgroup is destructive.

use crate::model::athena::{
    COLUMNS, INPUT_FORMAT, OUTPUT_FORMAT, PARTITION_KEYS, SERDE, location, parameters,
};
use crate::model::athena_state::{DatabaseState, TableState, WorkgroupState};
use crate::model::desired::{Desired, Trail};
use crate::model::observed::Observed;
use crate::model::tags::{Tags, ownership};
use crate::plan::change::{Action, Address, Plan, Resource};
use crate::plan::planner::{Options, Owner, change, owned_change, owner};
use crate::plan::safety::Reduction;
use crate::plan::state_of::desired_tags;

pub fn plan_athena(d: &Desired, o: &Observed, options: Options, p: &mut Plan) {
    let wanted: Vec<(&Trail, &crate::model::athena::Athena)> = d
        .trails
        .iter()
        .filter_map(|t| t.athena.as_ref().map(|a| (t, a)))
        .collect();
    let mut databases: Vec<DatabaseState> = Vec::new();
    for (_, a) in &wanted {
        if !databases.iter().any(|db| db.name == a.database) {
            databases.push(DatabaseState {
                name: a.database.clone(),
                region: d.home_region.clone(),
                tags: desired_tags(d, &Tags::new()),
            });
        }
    }
    for after in databases {
        let address = Address::Database(after.name.clone());
        let live = o.databases.iter().find(|l| l.name == after.name);
        owned_change(
            d,
            options,
            p,
            address,
            live.map(|l| (Resource::Database(l.clone()), &l.tags)),
            Resource::Database(after),
        );
    }
    for (t, a) in &wanted {
        let after = desired_table(d, t, a, &o.account);
        let address = Address::Table(format!("{}.{}", a.database, a.table));
        let live = o
            .tables
            .iter()
            .find(|l| l.database == a.database && l.name == a.table);
        owned_change(
            d,
            options,
            p,
            address,
            live.map(|l| (Resource::Table(l.clone()), &l.tags)),
            Resource::Table(after),
        );
    }
    for (_, a) in &wanted {
        let after = WorkgroupState {
            name: a.workgroup.clone(),
            region: d.home_region.clone(),
            output_location: format!("s3://{}/", a.results_bucket),
            bytes_scanned_cutoff: a.bytes_scanned_cutoff,
            enforce_configuration: true,
            tags: desired_tags(d, &Tags::new()),
        };
        let address = Address::Workgroup(a.workgroup.clone());
        let live = o.workgroups.iter().find(|l| l.name == a.workgroup);
        owned_change(
            d,
            options,
            p,
            address,
            live.map(|l| (Resource::Workgroup(l.clone()), &l.tags)),
            Resource::Workgroup(after),
        );
    }
    // This stack's own, gone from the spec.
    let ours = |tags: &Tags| owner(tags, &d.stack) == Owner::Us;
    for t in o.tables.iter().filter(|t| ours(&t.tags)) {
        if !wanted
            .iter()
            .any(|(_, a)| a.database == t.database && a.table == t.name)
        {
            delete(
                p,
                Address::Table(format!("{}.{}", t.database, t.name)),
                Resource::Table(t.clone()),
                "table",
            );
        }
    }
    for db in o.databases.iter().filter(|db| ours(&db.tags)) {
        if !wanted.iter().any(|(_, a)| a.database == db.name) {
            delete(
                p,
                Address::Database(db.name.clone()),
                Resource::Database(db.clone()),
                "database",
            );
        }
    }
    for w in o.workgroups.iter().filter(|w| ours(&w.tags)) {
        if !wanted.iter().any(|(_, a)| a.workgroup == w.name) {
            delete(
                p,
                Address::Workgroup(w.name.clone()),
                Resource::Workgroup(w.clone()),
                "workgroup",
            );
        }
    }
}

/// The table over trail `t`'s logs, in every account and Region of the spec.
pub fn desired_table(
    d: &Desired,
    t: &Trail,
    a: &crate::model::athena::Athena,
    account: &str,
) -> TableState {
    let at = location(&t.settings.bucket, t.settings.prefix.as_deref());
    TableState {
        database: a.database.clone(),
        name: a.table.clone(),
        region: d.home_region.clone(),
        columns: COLUMNS
            .iter()
            .map(|(n, ty)| ((*n).to_owned(), (*ty).to_owned()))
            .collect(),
        partition_keys: PARTITION_KEYS
            .iter()
            .map(|k| ((*k).to_owned(), "string".to_owned()))
            .collect(),
        parameters: parameters(&at, account, &d.regions),
        location: at,
        input_format: INPUT_FORMAT.to_owned(),
        output_format: OUTPUT_FORMAT.to_owned(),
        serde: SERDE.to_owned(),
        tags: ownership(&d.stack),
    }
}

fn delete(p: &mut Plan, address: Address, before: Resource, kind: &str) {
    let mut c = change(address, Action::Delete, Some(before), None);
    c.destructive = vec![Reduction::DropsQueries {
        kind: kind.to_owned(),
    }];
    p.changes.push(c);
}
