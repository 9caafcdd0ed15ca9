//! The cost estimate through the real planner on the in-memory account: the free first copy,
//! paid copies per Region, data events, Insights, trails outside the stack, and what deleting a
//! trail saves.

use crate::apply::tests::{apply_ok, desired as parse, plan_of};
use crate::live::fake::Fake;
use crate::model::desired::Desired;
use crate::plan::Plan;
use crate::render::cost::CostView;

fn desired(trails: &str, extra: &str) -> Desired {
    stack_desired("c", trails, extra)
}

/// A spec of stack `stack` in two Regions, with its bucket `STACK-logs`.
fn stack_desired(stack: &str, trails: &str, extra: &str) -> Desired {
    let yaml = format!(
        "version: 1\nstack: {stack}\nhome_region: us-east-1\nregions: [us-east-1, eu-west-1]\n\
         buckets: [{{name: {stack}-logs}}]\ntrails:\n{trails}{extra}"
    );
    parse(&yaml)
}

const VOLUMES: &str =
    "cost:\n  events_per_month: {management_read: 4M, management_write: 1M, data: 20M}\n";

/// Plans `d` and applies it, destructive changes allowed.
fn apply_all(f: &Fake, d: &Desired) {
    apply_ok(f, &plan_of(f, d, false), true);
}

fn totals(p: &Plan) -> Option<(f64, f64)> {
    p.cost.totals()
}

#[test]
fn the_first_copy_of_management_events_is_free() {
    let d = desired("  - {name: one, bucket: c-logs}\n", VOLUMES);
    let p = plan_of(&Fake::new("111122223333"), &d, false);
    assert_eq!(totals(&p), Some((0.0, 0.0)));
    assert_eq!(
        CostView::new(&p.cost).summary,
        "Cost: no change to CloudTrail charges."
    );
}

#[test]
fn a_second_all_regions_trail_pays_for_every_management_event() {
    let trails = "  - {name: one, bucket: c-logs}\n  - {name: two, bucket: c-logs}\n";
    let p = plan_of(&Fake::new("111122223333"), &desired(trails, VOLUMES), false);
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
    let p = plan_of(&Fake::new("111122223333"), &desired(trails, VOLUMES), false);
    // Half the volume is in us-east-1 (two Regions, spread evenly).
    assert_eq!(totals(&p), Some((0.0, 50.0)));
}

#[test]
fn without_volumes_the_line_gives_rates_per_event() {
    let trails = "  - {name: one, bucket: c-logs}\n  - name: two\n    bucket: c-logs\n    management_events: write_only\n";
    let p = plan_of(&Fake::new("111122223333"), &desired(trails, ""), false);
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
    let p = plan_of(&Fake::new("111122223333"), &desired(trails, VOLUMES), false);
    // Data: 20M × $0.10; call rate: 1M writes × $0.35; error rate: 5M × $0.35.
    assert_eq!(totals(&p), Some((0.0, 20.0 + 3.5 + 17.5)));
    let reads_only = "  - name: one\n    bucket: c-logs\n    management_events: read_only\n    insights: [api_error_rate]\n";
    let p = plan_of(
        &Fake::new("111122223333"),
        &desired(reads_only, VOLUMES),
        false,
    );
    assert_eq!(
        totals(&p),
        Some((0.0, 14.0)),
        "error-rate Insights on 4M reads only"
    );
}

#[test]
fn insights_on_data_events_are_charged_on_the_data_events_analysed() {
    let trails = "  - name: one\n    bucket: c-logs\n    data_events: [{resource: lambda_function}]\n    insights: [{type: api_call_rate, events: [management, data]}]\n";
    let p = plan_of(&Fake::new("111122223333"), &desired(trails, VOLUMES), false);
    // Data: 20M × $0.10; call rate on 1M writes and on 20M data events × $0.35.
    assert_eq!(totals(&p), Some((0.0, 20.0 + 3.5 + 70.0)));
    let data_only = "  - name: one\n    bucket: c-logs\n    data_events: [{resource: lambda_function}]\n    insights: [{type: api_error_rate, events: [data]}]\n";
    let p = plan_of(
        &Fake::new("111122223333"),
        &desired(data_only, VOLUMES),
        false,
    );
    assert_eq!(totals(&p), Some((0.0, 20.0 + 70.0)));
    // Applied, the categories come back as written: nothing left to change.
    let f = Fake::new("111122223333");
    let d = desired(trails, VOLUMES);
    apply_all(&f, &d);
    assert!(
        plan_of(&f, &d, false)
            .changes
            .iter()
            .all(|c| c.action == crate::plan::Action::NoOp)
    );
}

#[test]
fn a_trail_outside_the_stack_holds_the_free_copy() {
    let f = Fake::new("111122223333");
    // Another stack's all-Regions trail: its selectors are not read.
    apply_all(
        &f,
        &stack_desired("org", "  - {name: org-trail, bucket: org-logs}\n", ""),
    );
    let p = plan_of(
        &f,
        &desired("  - {name: one, bucket: c-logs}\n", VOLUMES),
        false,
    );
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
    apply_all(&f, &both);
    let p = plan_of(
        &f,
        &desired("  - {name: one, bucket: c-logs}\n", VOLUMES),
        false,
    );
    assert_eq!(totals(&p), Some((100.0, 0.0)));
    assert!(
        CostView::new(&p.cost)
            .summary
            .starts_with("Cost: -$100.00 a month")
    );
}

#[test]
fn cloudwatch_delivery_metrics_and_alarms_are_charged() {
    let trails = "  - name: one\n    bucket: c-logs\n    cloudwatch_logs: {log_group: /c/one}\n";
    let alerts = "topics: [{name: sec}]\nalerts:\n  - name: gone\n    on: {service: dynamodb, events: [DeleteTable]}\n    notify: [sec]\n    backend: metric_filter\n  - name: both\n    on: {service: s3, events: [DeleteBucket]}\n    notify: [sec]\n    backend: both\n";
    let d = desired(trails, &format!("{alerts}{VOLUMES}"));
    let p = plan_of(&Fake::new("111122223333"), &d, false);
    // Delivery: 5M management events × $0.10 per 100,000; 2 metrics × $0.30, 2 alarms × $0.10.
    assert_eq!(totals(&p), Some((0.0, 5.0 + 0.6 + 0.2)));
    let view = CostView::new(&p.cost);
    assert!(
        view.summary
            .contains("in CloudTrail and CloudWatch charges"),
        "{}",
        view.summary
    );
    let mut details = Vec::new();
    view.write_details(&mut details).unwrap();
    let details = String::from_utf8(details).unwrap();
    assert!(details.contains("CloudWatch Logs delivery"), "{details}");
    assert!(
        details.contains("0 → 2 metric filters' metrics, 0 → 2 alarms: $0.00 → $0.80 a month"),
        "{details}"
    );
}
