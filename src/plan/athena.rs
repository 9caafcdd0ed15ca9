//! Planning the Athena side of trails: the Glue database, the CloudTrail table and the
//! workgroup of each `athena:` (the results bucket is planned with the other buckets), matched by
//! name and owned through tags (a table through its ownership parameters). Dropping a database,
//! table or workgroup is destructive.

use crate::model::athena::{
    COLUMNS, INPUT_FORMAT, OUTPUT_FORMAT, PARTITION_KEYS, SERDE, location, log_types, parameters,
};
use crate::model::athena_state::{DatabaseState, TableState, WorkgroupState};
use crate::model::desired::{Desired, Trail};
use crate::model::observed::Observed;
use crate::model::observed::Scope;
use crate::model::tags::{Tags, ownership};
use crate::plan::change::{Action, Address, Change, Kind, Plan, Resource};
use crate::plan::ownership::{Options, Owner, change, owned_change, owner};
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
            p.changes.push(change(
                Address::Table(format!("{}.{}", t.database, t.name)),
                Action::Delete,
                Some(Resource::Table(t.clone())),
                None,
            ));
        }
    }
    for db in o.databases.iter().filter(|db| ours(&db.tags)) {
        if !wanted.iter().any(|(_, a)| a.database == db.name) {
            p.changes.push(change(
                Address::Database(db.name.clone()),
                Action::Delete,
                Some(Resource::Database(db.clone())),
                None,
            ));
        }
    }
    for w in o.workgroups.iter().filter(|w| ours(&w.tags)) {
        if !wanted.iter().any(|(_, a)| a.workgroup == w.name) {
            p.changes.push(change(
                Address::Workgroup(w.name.clone()),
                Action::Delete,
                Some(Resource::Workgroup(w.clone())),
                None,
            ));
        }
    }
}

/// The Regions trail `t`'s records can carry, which the table's `region` partition projects: a
/// trail of all Regions logs every Region the account has (not only the spec's, where rules
/// go), and global services' events (IAM, STS, sign-in, Organizations) are logged in us-east-1,
/// so a trail with global service events projects us-east-1 whatever its home Region. A
/// Region the projection leaves out counts nothing, silently.
pub fn projected_regions(d: &Desired, t: &Trail) -> Vec<String> {
    let mut regions: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    regions.insert(d.home_region.clone());
    if t.settings.all_regions {
        regions.extend(d.regions.iter().cloned());
        regions.extend(
            crate::model::region::DEFAULT_ENABLED
                .iter()
                .chain(crate::model::region::OPT_IN)
                .map(|r| (*r).to_owned()),
        );
    }
    if t.settings.global_service_events {
        regions.insert(crate::model::event_sources::GLOBAL_REGION.to_owned());
    }
    regions.into_iter().collect()
}

/// The table over trail `t`'s logs, in every account and every Region its records carry.
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
        parameters: parameters(
            &at,
            account,
            log_types(!t.insights.is_empty()),
            &projected_regions(d, t),
        ),
        location: at,
        input_format: INPUT_FORMAT.to_owned(),
        output_format: OUTPUT_FORMAT.to_owned(),
        serde: SERDE.to_owned(),
        tags: ownership(&d.stack),
    }
}

/// Deleting the Athena side stops the queries over the trail's logs.
fn drops_queries(action: Action, kind: &str) -> Vec<Reduction> {
    let kind = kind.to_owned();
    (action == Action::Delete)
        .then_some(Reduction::DropsQueries { kind })
        .into_iter()
        .collect()
}

impl Kind for DatabaseState {
    const SCOPE: Scope = Scope::Athena;

    fn reductions(action: Action, _: Option<&Self>, _: Option<&Self>) -> Vec<Reduction> {
        drops_queries(action, "database")
    }

    /// A database is deleted only after its tables.
    fn waits_for(this: &Change, first: &Change) -> bool {
        this.action == Action::Delete
            && matches!(&first.address, Address::Table(t) if database_of(t) == this.address.parts().1)
    }
}

impl Kind for TableState {
    const SCOPE: Scope = Scope::Athena;

    fn reductions(action: Action, _: Option<&Self>, _: Option<&Self>) -> Vec<Reduction> {
        drops_queries(action, "table")
    }

    /// A table is written after its database.
    fn waits_for(this: &Change, first: &Change) -> bool {
        first.both_keep(this)
            && match (&first.address, &this.address) {
                (Address::Database(db), Address::Table(t)) => database_of(t) == db,
                _ => false,
            }
    }
}

/// The database of a table's address name (`DATABASE.TABLE`).
fn database_of(table: &str) -> &str {
    table.split_once('.').map_or("", |(d, _)| d)
}

impl Kind for WorkgroupState {
    const SCOPE: Scope = Scope::Athena;

    fn reductions(action: Action, _: Option<&Self>, _: Option<&Self>) -> Vec<Reduction> {
        drops_queries(action, "workgroup")
    }

    /// A workgroup is written after the bucket its results go to.
    fn waits_for(this: &Change, first: &Change) -> bool {
        first.both_keep(this)
            && matches!((&first.address, &this.after), (Address::Bucket(bucket), Some(Resource::Workgroup(w)))
                if w.output_location == format!("s3://{bucket}/"))
    }
}

#[cfg(test)]
mod tests {
    use super::projected_regions;

    fn spec(trail: &str) -> crate::model::desired::Desired {
        let dir = std::env::temp_dir().join(format!("trailctl-proj-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("{}.yaml", trail.len()));
        std::fs::write(
            &file,
            format!(
                "version: 1\nstack: s\nhome_region: eu-west-1\nregions: [eu-west-1]\nbuckets:\n  - name: logs-x\ntrails:\n  - name: audit\n    bucket: logs-x\n{trail}    athena: {{database: d, workgroup: w, results_bucket: results-x}}\n"
            ),
        )
        .unwrap();
        crate::spec::load(&file).unwrap().desired
    }

    #[test]
    fn the_projection_holds_every_region_the_records_carry() {
        // One Region, with global service events: those are logged in us-east-1.
        let d = spec("    all_regions: false\n");
        assert_eq!(
            projected_regions(&d, &d.trails[0]),
            ["eu-west-1", "us-east-1"]
        );
        let d = spec("    all_regions: false\n    global_service_events: false\n");
        assert_eq!(projected_regions(&d, &d.trails[0]), ["eu-west-1"]);
        // All Regions: every Region the account may have, beyond the spec's.
        let d = spec("");
        let all = projected_regions(&d, &d.trails[0]);
        assert!(all.len() > 30, "{all:?}");
        assert!(all.contains(&"us-east-1".to_owned()));
    }

    /// A trail with Insights: its table reads the CloudTrail-Insight folders too.
    #[test]
    fn a_trail_with_insights_has_its_insights_in_the_table() {
        for (trail, want) in [
            (
                "    insights: [api_call_rate]\n",
                "CloudTrail,CloudTrail-Insight",
            ),
            ("", "CloudTrail"),
        ] {
            let d = spec(trail);
            let t = &d.trails[0];
            let table = super::desired_table(&d, t, t.athena.as_ref().unwrap(), "111122223333");
            assert_eq!(table.parameters["projection.logtype.values"], want);
        }
    }
}
