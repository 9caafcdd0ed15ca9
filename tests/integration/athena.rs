//! A trail's `athena:` against the emulator: the Glue database, the CloudTrail table with
//! partition projection, the workgroup and its results bucket — plan → apply → clean re-plan;
//! drift by another client (a column's type, a projection property, the workgroup's cutoff)
//! shown and repaired; dropping them destructive.

use aws_sdk_glue::types::{Column, SerDeInfo, StorageDescriptor, TableInput};

use crate::emulator::{self, Account};
use crate::trails::{NO_CHANGES, apply, exited, fails, ok, plan, spec, text};

const ATHENA: &str = "
version: 1
stack: it
home_region: us-east-1
regions: [us-east-1, eu-west-1]
buckets:
  - name: logs-ACCOUNT
trails:
  - name: audit
    bucket: logs-ACCOUNT
    prefix: org
    athena:
      database: audit_logs
      workgroup: audit-queries
      results_bucket: results-ACCOUNT
      results_retention_days: 7
      bytes_scanned_cutoff: 10GB
";

async fn glue(a: &Account) -> aws_sdk_glue::Client {
    aws_sdk_glue::Client::new(&a.sdk_config("us-east-1").await)
}

async fn athena(a: &Account) -> aws_sdk_athena::Client {
    aws_sdk_athena::Client::new(&a.sdk_config("us-east-1").await)
}

#[tokio::test]
async fn the_athena_table_round_trips_and_drift_is_repaired() {
    let a = emulator::shared().account().await;
    let f = spec(&a, "athena", ATHENA);
    let planned = ok(&plan(&a, &f, &[]));
    for wanted in [
        "+ database.audit_logs",
        "+ table.audit_logs.cloudtrail",
        "+ workgroup.audit-queries",
        &format!("+ bucket.results-{}", a.id),
    ] {
        assert!(
            planned.contains(wanted),
            "missing `{wanted}` in:\n{planned}"
        );
    }
    ok(&apply(&a, &f, &[]));
    assert_eq!(ok(&plan(&a, &f, &[])), NO_CHANGES);

    // What apply made, read with plain SDK clients.
    let g = glue(&a).await;
    let table = g
        .get_table()
        .database_name("audit_logs")
        .name("cloudtrail")
        .send()
        .await
        .unwrap();
    let t = table.table().unwrap();
    let params = t.parameters().unwrap();
    assert_eq!(
        params["storage.location.template"],
        format!(
            "s3://logs-{}/org/AWSLogs/${{account}}/${{logtype}}/${{region}}/${{timestamp}}",
            a.id
        )
    );
    // A trail of all Regions: every Region its records can carry, not only the spec's.
    let projected: Vec<&str> = params["projection.region.values"].split(',').collect();
    for r in ["us-east-1", "eu-west-1", "ap-southeast-2", "me-central-1"] {
        assert!(projected.contains(&r), "{projected:?}");
    }
    assert_eq!(params["projection.account.values"], a.id);
    assert_eq!(params["trailctl:stack"], "it");
    let keys: Vec<&str> = t.partition_keys().iter().map(|c| c.name()).collect();
    assert_eq!(keys, ["account", "logtype", "region", "timestamp"]);
    // No Insights on this trail: only the CloudTrail folders.
    assert_eq!(params["projection.logtype.values"], "CloudTrail");
    let sd = t.storage_descriptor().unwrap();
    assert_eq!(
        sd.serde_info().unwrap().serialization_library(),
        Some("org.apache.hive.hcatalog.data.JsonSerDe")
    );
    let wg = athena(&a)
        .await
        .get_work_group()
        .work_group("audit-queries")
        .send()
        .await
        .unwrap();
    let config = wg.work_group().unwrap().configuration().unwrap();
    assert_eq!(
        config.bytes_scanned_cutoff_per_query(),
        Some(10_000_000_000)
    );
    assert_eq!(
        config.result_configuration().unwrap().output_location(),
        Some(format!("s3://results-{}/", a.id).as_str())
    );

    // Another client changes a column's type and a projection property, and the cutoff.
    let mut columns: Vec<Column> = sd.columns().to_vec();
    columns[0] = Column::builder()
        .name("eventversion")
        .r#type("int")
        .build()
        .unwrap();
    let mut changed = params.clone();
    changed.insert(
        "projection.region.values".to_owned(),
        "us-east-1".to_owned(),
    );
    g.update_table()
        .database_name("audit_logs")
        .table_input(
            TableInput::builder()
                .name("cloudtrail")
                .set_partition_keys(Some(t.partition_keys().to_vec()))
                .storage_descriptor(
                    StorageDescriptor::builder()
                        .set_columns(Some(columns))
                        .set_location(sd.location().map(str::to_owned))
                        .set_input_format(sd.input_format().map(str::to_owned))
                        .set_output_format(sd.output_format().map(str::to_owned))
                        .serde_info(
                            SerDeInfo::builder()
                                .serialization_library("org.apache.hive.hcatalog.data.JsonSerDe")
                                .build(),
                        )
                        .build(),
                )
                .set_parameters(Some(changed))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    athena(&a)
        .await
        .update_work_group()
        .work_group("audit-queries")
        .configuration_updates(
            aws_sdk_athena::types::WorkGroupConfigurationUpdates::builder()
                .bytes_scanned_cutoff_per_query(50_000_000)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let drift = a.trailctl(&["drift", "-f", &f]);
    exited(&drift, 2);
    let shown = String::from_utf8_lossy(&drift.stdout).into_owned();
    assert!(shown.contains("table.audit_logs.cloudtrail"), "{shown}");
    assert!(shown.contains("eventversion"), "{shown}");
    assert!(shown.contains("projection.region.values"), "{shown}");
    assert!(shown.contains("workgroup.audit-queries"), "{shown}");
    assert!(shown.contains("bytes_scanned_cutoff"), "{shown}");
    // Repaired from a saved plan: the new kinds round-trip through the plan file.
    let saved = format!(
        "{}/athena-repair-{}.json",
        env!("CARGO_TARGET_TMPDIR"),
        a.id
    );
    ok(&plan(&a, &f, &["--out", &saved]));
    let shown_again = ok(&a.trailctl(&["show", &saved]));
    assert!(
        shown_again.contains("~ table.audit_logs.cloudtrail"),
        "{shown_again}"
    );
    ok(&a.trailctl(&["apply", "-f", &f, &saved]));
    assert_eq!(ok(&plan(&a, &f, &[])), NO_CHANGES);

    // Dropping the Athena side is destructive; the results bucket stays.
    let without = spec(
        &a,
        "athena-removed",
        &ATHENA.replace(
            "    athena:\n      database: audit_logs\n      workgroup: audit-queries\n      results_bucket: results-ACCOUNT\n      results_retention_days: 7\n      bytes_scanned_cutoff: 10GB\n",
            "    athena:\n      database: audit_logs\n      table: events\n      workgroup: audit-queries\n      results_bucket: results-ACCOUNT\n      results_retention_days: 7\n",
        ),
    );
    let planned = ok(&plan(&a, &without, &[]));
    assert!(
        planned.contains("- table.audit_logs.cloudtrail"),
        "{planned}"
    );
    assert!(
        planned.contains("deletes the Athena table: queries over the trail's logs stop working"),
        "{planned}"
    );
    assert!(planned.contains("+ table.audit_logs.events"), "{planned}");
    let refused = fails(&apply(&a, &without, &[]));
    assert!(refused.contains("--allow-destroy"), "{refused}");
    ok(&apply(&a, &without, &["--allow-destroy"]));
    assert_eq!(ok(&plan(&a, &without, &[])), NO_CHANGES);

    // The whole `athena:` section removed: what the stack owns there is still found (by its
    // tag, through the Resource Groups Tagging API), listed by drift as not in the spec, and
    // deleted only with --allow-destroy.
    let gone = spec(
        &a,
        "athena-gone",
        &ATHENA.replace(
            "    athena:\n      database: audit_logs\n      workgroup: audit-queries\n      results_bucket: results-ACCOUNT\n      results_retention_days: 7\n      bytes_scanned_cutoff: 10GB\n",
            "",
        ),
    );
    let drift = a.trailctl(&["drift", "-f", &gone]);
    exited(&drift, 2);
    let shown = text(&drift.stdout);
    for owned in [
        "database.audit_logs",
        "table.audit_logs.events",
        "workgroup.audit-queries",
    ] {
        assert!(shown.contains(owned), "{shown}");
    }
    assert!(shown.contains("not in the spec"), "{shown}");
    let planned = ok(&plan(&a, &gone, &[]));
    for owned in [
        "- database.audit_logs",
        "- table.audit_logs.events",
        "- workgroup.audit-queries",
    ] {
        assert!(planned.contains(owned), "{planned}");
    }
    let refused = fails(&apply(&a, &gone, &[]));
    assert!(refused.contains("--allow-destroy"), "{refused}");
    ok(&apply(&a, &gone, &["--allow-destroy"]));
    assert_eq!(ok(&plan(&a, &gone, &[])), NO_CHANGES);
    let left = glue(&a).await.get_databases().send().await.unwrap();
    assert!(
        left.database_list()
            .iter()
            .all(|d| d.name() != "audit_logs"),
        "{left:?}"
    );
}

#[tokio::test]
async fn query_runs_sql_in_the_workgroup_and_investigate_reads_the_table() {
    let a = emulator::shared().account().await;
    let f = spec(&a, "athena-query", ATHENA);
    ok(&apply(&a, &f, &[]));

    // `query`: the rows moto was told to give, in each format; the SQL ran in the workgroup.
    a.queue_query_results(
        "us-east-1",
        &[(
            vec!["eventname", "calls"],
            vec![vec!["DeleteTable", "3"], vec!["AssumeRole", "12"]],
        )],
    );
    let out = a.trailctl(&[
        "query",
        "-f",
        &f,
        "--format",
        "csv",
        "SELECT eventname, count(*) AS calls FROM cloudtrail WHERE timestamp >= '2026/11/01' GROUP BY 1",
    ]);
    assert_eq!(
        ok(&out),
        "eventname,calls\r\nDeleteTable,3\r\nAssumeRole,12\r\n"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("2 rows; scanned"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let executions = athena(&a)
        .await
        .list_query_executions()
        .work_group("audit-queries")
        .send()
        .await
        .unwrap();
    assert_eq!(executions.query_execution_ids().len(), 1);

    // `investigate --athena --print-sql`: the SQL, partition filters first.
    let sql = ok(&a.trailctl(&[
        "investigate",
        "orders",
        "-f",
        &f,
        "--athena",
        "--print-sql",
        "--since",
        "2026-08-01",
        "--until",
        "2026-11-30",
    ]));
    assert!(sql.contains("FROM \"audit_logs\".\"cloudtrail\""), "{sql}");
    assert!(
        sql.contains("WHERE \"timestamp\" BETWEEN '2026/08/01' AND '2026/12/01'\n  AND substr(eventtime, 1, 10) BETWEEN '2026-08-01' AND '2026-11-30'\n  AND region IN ('us-east-1', 'eu-west-1')"),
        "{sql}"
    );

    // `investigate --athena`: the records the table gives, in the timeline every source gives.
    let columns = vec![
        "eventTime",
        "awsRegion",
        "eventSource",
        "eventName",
        "eventID",
        "recipientAccountId",
        "sourceIPAddress",
        "userAgent",
        "errorCode",
        "readOnly",
        "requestParameters",
        "responseElements",
        "userIdentity.type",
        "userIdentity.arn",
        "userIdentity.accessKeyId",
        "userIdentity.sessionContext.sessionIssuer.arn",
        "userIdentity.sessionContext.attributes.mfaAuthenticated",
        "resources",
    ];
    let account = a.id.clone();
    let arn = format!("arn:aws:dynamodb:eu-west-1:{account}:table/orders");
    let resources = format!("[\"{arn}\"]");
    let row = |time: &'static str, event: &'static str, id: &'static str| {
        vec![
            time,
            "eu-west-1",
            "dynamodb.amazonaws.com",
            event,
            id,
            account.as_str(),
            "203.0.113.7",
            "aws-cli/2",
            "",
            "false",
            "{\"tableName\":\"orders\"}",
            "",
            "AssumedRole",
            "arn:aws:sts::1:assumed-role/admin/alice",
            "ASIAEXAMPLE",
            "arn:aws:iam::1:role/admin",
            "true",
            resources.as_str(),
        ]
    };
    a.queue_query_results(
        "us-east-1",
        &[(
            columns,
            vec![
                row("2026-09-02T10:00:00Z", "DeleteTable", "e2"),
                row("2026-09-01T09:00:00Z", "UpdateTable", "e1"),
            ],
        )],
    );
    let timeline = ok(&a.trailctl(&[
        "investigate",
        "orders",
        "-f",
        &f,
        "--athena",
        "--since",
        "2026-08-01",
        "--until",
        "2026-11-30",
        "--format",
        "json",
    ]));
    let doc: serde_json::Value = serde_json::from_str(timeline.trim()).unwrap();
    let entries = doc["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{doc:#}");
    assert_eq!(entries[0]["event"], "DeleteTable");
    assert_eq!(
        entries[0]["who"]["session_issuer"],
        "arn:aws:iam::1:role/admin"
    );
    assert_eq!(entries[0]["mark"], "deletion");
    assert_eq!(entries[1]["mark"], "last_change");
}

#[tokio::test]
async fn backtest_counts_over_the_table_as_over_the_archive() {
    let a = emulator::shared().account().await;
    let yaml = format!(
        "{ATHENA}topics:\n  - name: alerts\nalerts:\n  - preset: seed\n    notify: [alerts]\n  - name: bucket-policy\n    pattern:\n      source: [aws.s3]\n      detail:\n        requestParameters:\n          bucketName: [logs]\n    notify: [alerts]\n  - name: odd\n    pattern:\n      detail:\n        serviceEventDetails:\n          x: [y]\n    notify: [alerts]\n"
    );
    let f = spec(&a, "athena-backtest", &yaml);

    let sql = a.trailctl(&[
        "backtest",
        "-f",
        &f,
        "--athena",
        "--print-sql",
        "--since",
        "2026-11-01",
        "--until",
        "2026-11-30",
    ]);
    let printed = ok(&sql);
    assert!(printed.contains("count_if("), "{printed}");
    assert!(
        printed.contains("AS a3_last"),
        "four alerts are counted: {printed}"
    );
    assert!(!printed.contains("AS a4"), "{printed}");
    let notes = String::from_utf8_lossy(&sql.stderr).into_owned();
    assert!(
        notes.contains("alert bucket-policy: counted on Athena approximately"),
        "{notes}"
    );
    assert!(
        notes.contains("alert odd: not counted on Athena"),
        "{notes}"
    );
    // A metric-filter alert: it has no rule, and its filter is counted, translated to SQL.
    let filtered = spec(
        &a,
        "athena-backtest-filter",
        &format!(
            "{}topics:\n  - name: alerts\nalerts:\n  - preset: seed-dynamodb-table-deleted\n    notify: [alerts]\n    backend: metric_filter\n",
            ATHENA.replace(
                "    prefix: org\n",
                "    prefix: org\n    cloudwatch_logs: {log_group: /it/audit}\n"
            )
        ),
    );
    let out = a.trailctl(&[
        "backtest",
        "-f",
        &filtered,
        "--athena",
        "--print-sql",
        "--since",
        "2026-11-01",
        "--until",
        "2026-11-30",
    ]);
    ok(&out);
    let notes = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!notes.contains("not counted"), "{notes}");
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        printed.contains("AS a0"),
        "the filter is counted: {printed}"
    );
    assert!(!printed.contains("AS a1"), "{printed}");
    assert!(
        printed.contains("COALESCE(eventname = 'DeleteTable', FALSE)"),
        "{printed}"
    );

    ok(&apply(&a, &f, &[]));
    let mut columns = vec!["day", "region", "event", "principal", "read_only"];
    let names: Vec<String> = (0..4)
        .flat_map(|i| [format!("a{i}"), format!("a{i}_first"), format!("a{i}_last")])
        .collect();
    columns.extend(names.iter().map(String::as_str));
    let group = |region: &'static str, who: &'static str, n: &'static str, first: &'static str| {
        let mut row = vec![
            "2026-11-02",
            region,
            "DeleteTable",
            who,
            "false",
            n,
            first,
            "2026-11-02T11:00:00Z",
        ];
        row.extend(["0", "", "", "0", "", "", "0", "", ""]);
        row
    };
    a.queue_query_results(
        "us-east-1",
        &[
            (
                vec!["events", "first_day", "last_day"],
                vec![vec!["1234", "2026-11-01", "2026-11-30"]],
            ),
            (
                columns,
                vec![
                    group(
                        "eu-west-1",
                        "arn:aws:iam::1:user/alice",
                        "3",
                        "2026-11-02T10:00:00Z e1",
                    ),
                    group(
                        "ap-south-1",
                        "arn:aws:iam::1:user/bob",
                        "2",
                        "2026-11-02T09:00:00Z e0",
                    ),
                ],
            ),
        ],
    );
    let out = a.trailctl(&[
        "backtest",
        "-f",
        &f,
        "--athena",
        "--since",
        "2026-11-01",
        "--until",
        "2026-11-30",
        "--format",
        "json",
    ]);
    let view: serde_json::Value = serde_json::from_str(ok(&out).trim()).unwrap();
    assert_eq!(view["events"], 1234, "{view:#}");
    let fired = view["alerts"].as_array().unwrap();
    assert_eq!(fired.len(), 1, "{view:#}");
    assert_eq!(fired[0]["name"], "seed-dynamodb-table-deleted");
    assert_eq!(fired[0]["delivered"], 3);
    assert_eq!(fired[0]["withheld"]["region_without_rule"], 2);
    assert_eq!(fired[0]["sample_event_id"], "e1");
    let never: Vec<&str> = view["never_fired"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        never,
        [
            "seed-role-assumed",
            "seed-security-group-ingress-opened",
            "bucket-policy"
        ]
    );
}
