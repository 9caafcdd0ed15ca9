//! The cost estimate through the real planner on the in-memory account: the free first copy,
//! paid copies per Region, data events, Insights, trails outside the stack, and what deleting a
//! trail saves.

use crate::live::fake::{Fake, FakeTrail};
use crate::live::observe;
use crate::model::desired::Desired;
use crate::model::observed::TrailSettings;
use crate::model::tags::Tags;
use crate::plan::{self, Plan};
use crate::render::cost::CostView;

fn desired(trails: &str, extra: &str) -> Desired {
    let yaml = format!(
        "version: 1\nstack: c\nhome_region: us-east-1\nregions: [us-east-1, eu-west-1]\n\
         buckets: [{{name: c-logs}}]\ntrails:\n{trails}{extra}"
    );
    match crate::spec::parse(yaml.as_bytes()) {
        Ok(l) => l.desired,
        Err(e) => panic!("{e:#?}"),
    }
}

const VOLUMES: &str =
    "cost:\n  events_per_month: {management_read: 4M, management_write: 1M, data: 20M}\n";

fn plan_of(f: &Fake, d: &Desired) -> Plan {
    let o = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(observe(f, d))
        .unwrap();
    plan::plan(d, &o, plan::Options { adopt: false })
}

fn totals(p: &Plan) -> Option<(f64, f64)> {
    p.cost.totals()
}

#[test]
fn the_first_copy_of_management_events_is_free() {
    let d = desired("  - {name: one, bucket: c-logs}\n", VOLUMES);
    let p = plan_of(&Fake::new("111122223333"), &d);
    assert_eq!(totals(&p), Some((0.0, 0.0)));
    assert_eq!(
        CostView::new(&p.cost).summary,
        "Cost: no change to CloudTrail charges."
    );
}

#[test]
fn a_second_all_regions_trail_pays_for_every_management_event() {
    let trails = "  - {name: one, bucket: c-logs}\n  - {name: two, bucket: c-logs}\n";
    let p = plan_of(&Fake::new("111122223333"), &desired(trails, VOLUMES));
    // 4M reads and 1M writes at $2.00 per 100,000.
    assert_eq!(totals(&p), Some((0.0, 100.0)));
    assert!(
        p.cost.lines.iter().all(|l| l.trail == "two"),
        "{:?}",
        p.cost.lines
    );
    let view = CostView::new(&p.cost);
    assert!(
        view.summary
            .starts_with("Cost: +$100.00 a month in CloudTrail charges ($0.00 → $100.00)"),
        "{}",
        view.summary
    );
}

#[test]
fn a_single_region_trail_pays_only_in_its_region() {
    let trails = "  - {name: one, bucket: c-logs}\n  - {name: two, bucket: c-logs, all_regions: false, global_service_events: false}\n";
    let p = plan_of(&Fake::new("111122223333"), &desired(trails, VOLUMES));
    // Half the volume is in us-east-1 (two Regions, spread evenly).
    assert_eq!(totals(&p), Some((0.0, 50.0)));
}

#[test]
fn without_volumes_the_line_gives_rates_per_event() {
    let trails = "  - {name: one, bucket: c-logs}\n  - name: two\n    bucket: c-logs\n    management_events: write_only\n";
    let p = plan_of(&Fake::new("111122223333"), &desired(trails, ""));
    assert_eq!(totals(&p), None);
    let view = CostView::new(&p.cost);
    assert_eq!(
        view.summary,
        "Cost: +$2.00 per 100,000 write management events in CloudTrail charges, an estimate at list prices of 2026-11; give volumes (`cost:` in the spec or --events-per-month) for dollars."
    );
    assert_eq!(
        view.missing_volumes,
        vec![crate::model::cost::Kind::ManagementWrite]
    );
}

#[test]
fn data_events_and_insights_are_charged_on_every_trail_including_the_first() {
    let trails = "  - name: one\n    bucket: c-logs\n    data_events: [{resource: lambda_function}]\n    insights: [api_call_rate, api_error_rate]\n";
    let p = plan_of(&Fake::new("111122223333"), &desired(trails, VOLUMES));
    // Data: 20M × $0.10; call rate: 1M writes × $0.35; error rate: 5M × $0.35.
    assert_eq!(totals(&p), Some((0.0, 20.0 + 3.5 + 17.5)));
    let reads_only = "  - name: one\n    bucket: c-logs\n    management_events: read_only\n    insights: [api_error_rate]\n";
    let p = plan_of(&Fake::new("111122223333"), &desired(reads_only, VOLUMES));
    assert_eq!(
        totals(&p),
        Some((0.0, 14.0)),
        "error-rate Insights on 4M reads only"
    );
}

#[test]
fn a_trail_outside_the_stack_holds_the_free_copy() {
    let f = Fake::new("111122223333");
    {
        let mut s = f.state.borrow_mut();
        s.trails.insert(
            ("us-east-1".into(), "org-trail".into()),
            FakeTrail {
                settings: TrailSettings {
                    all_regions: true,
                    global_service_events: true,
                    bucket: "org-logs".into(),
                    prefix: None,
                    kms_key: None,
                    log_file_validation: true,
                    cloudwatch_logs: None,
                    delivery_topic: None,
                },
                logging: true,
                selectors: Vec::new(),
                insights: Default::default(),
            },
        );
        s.trail_tags.insert(
            crate::model::arn::trail("us-east-1", "111122223333", "org-trail"),
            Tags::new(),
        );
    }
    let p = plan_of(&f, &desired("  - {name: one, bucket: c-logs}\n", VOLUMES));
    assert_eq!(totals(&p), Some((0.0, 100.0)));
    assert_eq!(p.cost.assumed, vec!["org-trail".to_owned()]);
    assert!(p.cost.assumptions().iter().any(|a| a.contains("org-trail")));
}

#[test]
fn deleting_a_paid_copy_saves_it() {
    let f = Fake::new("111122223333");
    let both = desired(
        "  - {name: one, bucket: c-logs}\n  - {name: two, bucket: c-logs}\n",
        VOLUMES,
    );
    let p = plan_of(&f, &both);
    let options = crate::apply::Options {
        allow_destroy: true,
        policy_retry_delays: Vec::new(),
        recheck: None,
    };
    let out = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(crate::apply::apply(&f, &p, &options, &mut |_| {}))
        .unwrap();
    assert!(out.failed.is_none(), "{:?}", out.failed);
    let p = plan_of(&f, &desired("  - {name: one, bucket: c-logs}\n", VOLUMES));
    assert_eq!(totals(&p), Some((100.0, 0.0)));
    assert!(
        CostView::new(&p.cost)
            .summary
            .starts_with("Cost: -$100.00 a month")
    );
}
