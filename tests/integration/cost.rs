//! The cost estimate, on the in-memory account: a trail outside the stack holds the free copy, so
//! the spec's trail is a paid copy; volumes from the spec, overridden per kind on the command
//! line; the details, the JSON, the saved plan, and no cost change once applied.

use crate::in_memory::Memory;
use crate::trails::{NO_CHANGES, Runs, apply, exited, ok, plan, spec, text};

const SPEC: &str = "
version: 1
stack: costs
home_region: us-east-1
buckets:
  - name: costs-logs-ACCOUNT
trails:
  - name: costs-audit
    bucket: costs-logs-ACCOUNT
    insights: [api_call_rate]
cost:
  events_per_month: {management_read: 4M, management_write: 1M}
";

#[test]
fn a_second_copy_is_priced_from_the_given_volumes() {
    let a = Memory::new();
    // Another client's trail, logging every Region's management events.
    a.edit(|s| {
        let trail = serde_json::json!({
            "settings": {
                "all_regions": true, "global_service_events": true,
                "bucket": format!("org-{}", a.id), "prefix": null, "kms_key": null,
                "log_file_validation": false, "cloudwatch_logs": null,
                "delivery_topic": null, "organization": false,
            },
            "logging": true, "selectors": [], "insights": [],
        });
        s.trails.insert(
            ("us-east-1".to_owned(), "org-trail".to_owned()),
            serde_json::from_value(trail).unwrap(),
        );
    });
    let f = spec(&a, "costs", SPEC);

    // 5M management events a second time at $2.00 per 100,000, and 1M writes analysed by
    // call-rate Insights at $0.35.
    let planned = ok(&plan(&a, &f, &["--cost"]));
    assert!(
        planned.contains("\nCost: +$103.50 a month in CloudTrail charges ($0.00 → $103.50), an estimate at list prices of 2026-11.\n"),
        "{planned}"
    );
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    for row in [
        "costs-audit paid copy 4,000,000 read management $0.00 $80.00",
        "costs-audit paid copy 1,000,000 write management $0.00 $20.00",
        "costs-audit Insights: API call rate 1,000,000 write management $0.00 $3.50",
        "total: $0.00 → $103.50 a month",
        "trails outside this stack whose selectors were not read (org-trail)",
    ] {
        assert!(words(&planned).contains(row), "{row}\n{planned}");
    }

    // The command line overrides the spec's writes only.
    let out = plan(
        &a,
        &f,
        &[
            "--events-per-month",
            "management_write=2M",
            "--format",
            "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(json["cost"]["monthly_usd_after"], serde_json::json!(127.0));
    assert_eq!(
        json["cost"]["volumes"],
        serde_json::json!({"management_read": 4_000_000, "management_write": 2_000_000, "data": null})
    );

    // A saved plan keeps its estimate.
    let saved = format!("{f}.plan.json");
    ok(&plan(&a, &f, &["--out", &saved]));
    let shown = ok(&a.trailctl(&["show", &saved, "--cost"]));
    assert!(shown.contains("total: $0.00 → $103.50 a month"), "{shown}");

    let bad = a.trailctl(&["plan", "-f", &f, "--events-per-month", "reads=4M"]);
    assert_ne!(bad.status.code(), Some(0));
    assert!(
        text(&bad.stderr).contains("unknown kind `reads`"),
        "{}",
        text(&bad.stderr)
    );

    ok(&apply(&a, &f, &[]));
    assert_eq!(ok(&plan(&a, &f, &[])), NO_CHANGES);
    exited(&plan(&a, &f, &["--detailed-exitcode"]), 0);
}
