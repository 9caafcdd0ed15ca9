//! The CI workflow with the real binary on the in-memory account (no emulator: these test
//! trailctl, not AWS): saved plans (apply exactly them, refuse them stale, tampered, for another
//! spec or account), `show`, `drift`, the JSON and Markdown formats (snapshotted), the account
//! guard, that bad input makes no call at all, and the GitHub Actions example.

use std::path::PathBuf;

use serde_json::Value;
use trailctl::model::observed::LiveBucket;
use trailctl::model::state::Encryption;

use crate::in_memory::Memory;
use crate::trails::{BASE, NO_CHANGES, Runs, apply, exited, fails, ok, plan, spec, text};

const SPEC: &str = "
version: 1
stack: ci
home_region: us-east-1
buckets:
  - name: ci-logs-ACCOUNT
trails:
  - name: audit
    bucket: ci-logs-ACCOUNT
    tags: {owner: secops}
";

/// A path for a plan file of this account's.
fn plan_file(a: &Memory, name: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("plans-{}", a.id));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name).display().to_string()
}

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"))
}

/// The stack's bucket, trail: whether each exists in the account.
fn exists(a: &Memory) -> (bool, bool) {
    let state = a.state();
    (
        state.buckets.contains_key(&format!("ci-logs-{}", a.id)),
        !state.trails.is_empty(),
    )
}

/// Another client turns the trail's logging off.
fn stop_logging(a: &Memory) {
    a.edit(|s| {
        s.trails
            .get_mut(&("us-east-1".to_owned(), "audit".to_owned()))
            .unwrap()
            .logging = false;
    });
}

#[test]
fn a_saved_plan_is_shown_as_planned_and_applied_exactly_once() {
    let a = Memory::new();
    let f = spec(&a, "ci", SPEC);
    let saved = plan_file(&a, "plan.json");
    let planned = ok(&plan(&a, &f, &["--out", &saved]));
    assert!(planned.contains("Saved the plan to"), "{planned}");
    let shown = ok(&a.trailctl(&["show", &saved]));
    assert!(
        planned.starts_with(&shown),
        "show:\n{shown}\nplan:\n{planned}"
    );
    let as_json = ok(&a.trailctl(&["show", &saved, "--format", "json"]));
    assert_eq!(as_json, ok(&plan(&a, &f, &["--format", "json"])));

    let applied = ok(&a.trailctl(&["apply", "-f", &f, &saved]));
    assert!(applied.contains("Apply complete: 2 added"), "{applied}");
    assert_eq!(ok(&plan(&a, &f, &[])), NO_CHANGES);
    // The same plan again: its resources no longer are as planned (absent).
    let again = fails(&a.trailctl(&["apply", "-f", &f, &saved]));
    assert!(
        again.contains("saved plan is stale: bucket.ci-logs-")
            && again.contains("changed since the plan was made"),
        "{again}"
    );
}

#[test]
fn drift_between_plan_and_apply_refuses_the_saved_plan_and_writes_nothing() {
    let a = Memory::new();
    let f = spec(&a, "ci", SPEC);
    ok(&apply(&a, &f, &[]));
    let changed = spec(&a, "retagged", &SPEC.replace("secops", "platform"));
    let saved = plan_file(&a, "retag.json");
    exited(
        &plan(&a, &changed, &["--out", &saved, "--detailed-exitcode"]),
        2,
    );
    stop_logging(&a);

    let err = fails(&a.trailctl(&["apply", "-f", &changed, &saved]));
    assert!(
        err.contains("error: saved plan is stale: trail.audit changed since the plan was made"),
        "{err}"
    );
    let arn = format!("arn:aws:cloudtrail:us-east-1:{}:trail/audit", a.id);
    assert_eq!(
        a.state().trail_tags[&arn]["owner"],
        "secops",
        "nothing was written"
    );
}

#[test]
fn unusable_plan_files_are_refused_before_any_write() {
    let a = Memory::new();
    let f = spec(&a, "ci", SPEC);
    let saved = plan_file(&a, "plan.json");
    ok(&plan(&a, &f, &["--out", &saved]));
    let good = std::fs::read_to_string(&saved).unwrap();
    let write = |name: &str, text: &str| {
        let p = plan_file(&a, name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let cases = [
        (
            write("not-json.json", "plan: yes\n"),
            "not a trailctl plan file: not JSON",
        ),
        (
            write(
                "v9.json",
                &good.replace("\"format_version\": 3", "\"format_version\": 9"),
            ),
            "plan file format version 9 is not supported",
        ),
        (
            write("edited.json", &good.replace("\"secops\"", "\"attacker\"")),
            "the plan file was modified after it was written",
        ),
    ];
    for (file, message) in &cases {
        let err = fails(&a.trailctl(&["apply", "-f", &f, file]));
        assert!(err.contains(message), "{file}: {err}");
        let shown = fails(&a.trailctl(&["show", file]));
        assert!(shown.contains(message), "{file}: {shown}");
    }
    // Another spec than the one planned.
    let other = spec(&a, "other", &SPEC.replace("secops", "platform"));
    let err = fails(&a.trailctl(&["apply", "-f", &other, &saved]));
    assert!(err.contains("the plan was made from another spec"), "{err}");
    // Another account's credentials.
    let b = Memory::new();
    let err = fails(&b.trailctl(&["apply", "-f", &f, &saved]));
    assert!(
        err.contains(&format!(
            "the plan is for account {}, but the credentials are for account {}",
            a.id, b.id
        )),
        "{err}"
    );
    assert_eq!(exists(&a), (false, false), "nothing was written");
    let writes: Vec<String> = a.take_calls().into_iter().filter(|c| writes(c)).collect();
    assert!(writes.is_empty(), "{writes:?}");
}

/// Whether an operation (`Service:Operation`) changes the account.
fn writes(operation: &str) -> bool {
    let (_, name) = operation.split_once(':').unwrap();
    [
        "Create",
        "Put",
        "Delete",
        "Update",
        "Add",
        "Remove",
        "Tag",
        "Untag",
        "Start",
        "Stop",
        "Set",
        "Attach",
        "Detach",
        "Subscribe",
        "Enable",
        "Disable",
    ]
    .iter()
    .any(|verb| name.starts_with(verb))
}

/// An invalid spec is refused before any call: not even STS is asked whose the credentials are.
#[test]
fn an_invalid_spec_makes_no_call_at_all() {
    let a = Memory::new();
    let invalid = "tests/specs/invalid/trail-names.yaml";
    for command in [
        vec!["plan", "-f", invalid],
        vec!["apply", "-f", invalid, "--auto-approve"],
        vec!["drift", "-f", invalid],
    ] {
        let err = fails(&a.trailctl(&command));
        assert!(err.contains(invalid), "{command:?}: {err}");
        assert_eq!(a.take_calls(), Vec::<String>::new(), "{command:?}");
    }
    // The same commands on a valid spec do call: the count above could have seen them.
    let f = spec(&a, "ci", SPEC);
    ok(&plan(&a, &f, &[]));
    assert!(a.take_calls().contains(&"STS:GetCallerIdentity".to_owned()));
}

#[test]
fn the_account_guard_refuses_another_account_before_reading_it() {
    let a = Memory::new();
    let theirs = spec(&a, "theirs", &format!("{SPEC}account: '999999999999'\n"));
    for command in [["plan"], ["drift"]] {
        let err = fails(&a.trailctl(&[&command[..], &["-f", &theirs]].concat()));
        assert!(
            err.contains(&format!(
                "the spec is for account 999999999999, but the credentials are for account {}",
                a.id
            )),
            "{err}"
        );
    }
    let err = fails(&apply(&a, &theirs, &[]));
    assert!(err.contains("999999999999"), "{err}");
    assert_eq!(exists(&a), (false, false));
    let ours = spec(&a, "ours", &format!("{SPEC}account: 'ACCOUNT'\n"));
    ok(&apply(&a, &ours, &[]));
    assert_eq!(exists(&a), (true, true));
}

#[test]
fn drift_shows_what_differs_field_by_field_and_exits_2() {
    let a = Memory::new();
    let f = spec(&a, "ci", SPEC);
    // Nothing exists yet: everything is missing.
    let missing = a.trailctl(&["drift", "-f", &f]);
    exited(&missing, 2);
    assert!(
        text(&missing.stdout).contains("trail.audit: missing"),
        "{}",
        text(&missing.stdout)
    );
    ok(&apply(&a, &f, &[]));
    assert_eq!(
        ok(&a.trailctl(&["drift", "-f", &f])),
        "No drift: the account matches the spec.\n"
    );
    stop_logging(&a);
    let human = a.trailctl(&["drift", "-f", &f]);
    exited(&human, 2);
    let out = text(&human.stdout);
    assert!(out.contains("~ trail.audit: differs"), "{out}");
    assert!(out.contains("      logging: true → false\n"), "{out}");
    assert!(!out.contains("bucket."), "only what drifted:\n{out}");
    let j = a.trailctl(&["drift", "-f", &f, "--format", "json"]);
    exited(&j, 2);
    let doc = json(&text(&j.stdout));
    assert_eq!(doc["format_version"], 1);
    assert_eq!(doc["drifted"], true);
    assert_eq!(
        doc["resources"],
        serde_json::json!([{"address": "trail.audit", "status": "differs",
            "fields": [{"name": "logging", "spec": true, "account": false}]}])
    );
    exited(
        &a.trailctl(&["drift", "-f", "tests/specs/invalid/trail-names.yaml"]),
        1,
    );
}

#[test]
fn json_and_markdown_plans_and_json_apply_progress() {
    let a = Memory::new();
    let f = spec(&a, "ci", SPEC);
    let created = ok(&plan(&a, &f, &["--format", "json"])).replace(&a.id, "ACCOUNT");
    json(&created);
    insta::assert_snapshot!("plan_json_create", created);

    let lines = ok(&apply(&a, &f, &["--format", "json"]));
    let events: Vec<Value> = lines.lines().map(json).collect();
    assert_eq!(events[0]["event"], "plan");
    assert_eq!(events[0]["plan"]["summary"]["add"], 2);
    let finished: Vec<_> = events
        .iter()
        .filter(|e| e["event"] == "finished")
        .map(|e| e["address"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        finished,
        [format!("bucket.ci-logs-{}", a.id), "trail.audit".into()]
    );
    let last = events.last().unwrap();
    assert_eq!(last["event"], "summary");
    assert_eq!(last["result"], "applied");

    // A destructive change and an update, as a pull-request comment.
    let quieter = SPEC.replace(
        "    tags: {owner: secops}",
        "    logging: false\n    tags: {owner: platform}",
    );
    let q = spec(&a, "quieter", &quieter);
    let md = ok(&plan(&a, &q, &["--format", "markdown"])).replace(&a.id, "ACCOUNT");
    insta::assert_snapshot!("plan_markdown_destructive", md);
    let refused = a.trailctl(&["apply", "-f", &q, "--auto-approve", "--format", "json"]);
    exited(&refused, 1);
    let last: Value = json(text(&refused.stdout).lines().last().unwrap());
    assert_eq!(last["result"], "refused");
}

#[test]
fn destructive_changes_need_allow_destroy() {
    let a = Memory::new();
    let two = format!("{BASE}  - name: second\n    bucket: logs-ACCOUNT\n");
    ok(&apply(&a, &spec(&a, "two", &two), &[]));
    // Drop `audit`, stop logging on `second`.
    let f = spec(
        &a,
        "one",
        "
version: 1
stack: it
home_region: us-east-1
tags: {team: sec}
buckets:
  - name: logs-ACCOUNT
    retention_days: 90
trails:
  - name: second
    bucket: logs-ACCOUNT
    logging: false
",
    );
    let planned = ok(&plan(&a, &f, &[]));
    assert!(planned.contains("  - trail.audit\n"), "{planned}");
    assert!(
        planned.contains("! destructive: deletes the trail"),
        "{planned}"
    );
    assert!(
        planned.contains("! destructive: stops logging"),
        "{planned}"
    );
    let err = fails(&apply(&a, &f, &[]));
    assert!(err.contains("re-run with --allow-destroy"), "{err}");
    assert!(err.contains("trail.audit: deletes the trail"), "{err}");
    let names = || -> Vec<String> { a.state().trails.into_keys().map(|(_, n)| n).collect() };
    assert_eq!(names(), ["audit", "second"], "nothing deleted");
    ok(&apply(&a, &f, &["--allow-destroy"]));
    assert_eq!(names(), ["second"]);
    assert_eq!(ok(&plan(&a, &f, &[])), NO_CHANGES);
}

#[test]
fn apply_without_a_terminal_needs_auto_approve() {
    let a = Memory::new();
    let f = spec(&a, "base", BASE);
    let err = fails(&a.trailctl(&["apply", "-f", &f]));
    assert!(err.contains("no terminal to confirm on"), "{err}");
    assert!(
        ok(&plan(&a, &f, &[])).contains("Plan: 2 to add"),
        "nothing was applied"
    );
}

/// Every `trailctl` command line in the GitHub Actions example, as words.
fn example_invocations() -> Vec<Vec<String>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/ci/github-actions.yml"
    );
    let doc: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out = Vec::new();
    for (_, job) in doc["jobs"].as_mapping().unwrap() {
        for step in job["steps"].as_sequence().unwrap() {
            let Some(run) = step.get("run").and_then(|r| r.as_str()) else {
                continue;
            };
            for line in run
                .lines()
                .map(str::trim)
                .filter(|l| l.starts_with("trailctl "))
            {
                let command = line.split(['>', '|', ';']).next().unwrap();
                out.push(command.split_whitespace().map(str::to_owned).collect());
            }
        }
    }
    out
}

#[test]
fn the_github_actions_example_uses_only_flags_that_exist() {
    let invocations = example_invocations();
    let commands: Vec<&str> = invocations.iter().map(|w| w[1].as_str()).collect();
    for needed in ["validate", "test", "plan", "show", "apply", "drift"] {
        assert!(
            commands.contains(&needed),
            "no `trailctl {needed}` in the example"
        );
    }
    for words in &invocations {
        // clap parses every flag and value before it reaches `--help`: an unknown flag or value
        // fails here, a known one prints the help and exits 0.
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_trailctl"))
            .args(&words[1..])
            .arg("--help")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "`{}`: {}",
            words.join(" "),
            text(&out.stderr)
        );
    }
    let plan = invocations.iter().find(|w| w[1] == "plan").unwrap();
    assert!(plan.contains(&"--out".to_owned()) && plan.contains(&"markdown".to_owned()));
    let apply = invocations.iter().find(|w| w[1] == "apply").unwrap();
    assert!(
        apply.contains(&"plan.json".to_owned()),
        "apply takes the saved plan"
    );
}

/// A plan file edited with its digest recomputed (a change altered or dropped) is not what the
/// spec and the account plan now: refused as stale, nothing written.
#[test]
fn an_edited_plan_with_a_recomputed_digest_is_refused() {
    use trailctl::plan::saved::{Context, SavedPlan};

    let a = Memory::new();
    let f = spec(&a, "ci", SPEC);
    let saved = plan_file(&a, "plan.json");
    ok(&plan(&a, &f, &["--out", &saved]));
    let good = std::fs::read_to_string(&saved).unwrap();
    // Re-saved through the library: the digest matches the edited changes.
    let resave = |name: &str, text: &str, edit: &dyn Fn(&mut SavedPlan)| {
        let mut sp: SavedPlan = serde_json::from_str(text).unwrap();
        edit(&mut sp);
        let context = Context {
            spec_digest: sp.spec_digest.clone(),
            stack: sp.stack.clone(),
            home_region: sp.home_region.clone(),
            regions: sp.regions.clone(),
        };
        let out = SavedPlan::new(&sp.plan(), &context)
            .unwrap()
            .encode()
            .unwrap();
        let p = plan_file(&a, name);
        std::fs::write(&p, out).unwrap();
        p
    };
    assert!(good.contains("\"trailctl:stack\": \"ci\""), "{good}");
    let cases = [
        resave(
            "blanked.json",
            &good.replace("\"trailctl:stack\": \"ci\"", "\"trailctl:stack\": \"\""),
            &|_| {},
        ),
        resave(
            "retagged.json",
            &good.replace("\"secops\"", "\"attacker\""),
            &|_| {},
        ),
        resave("dropped.json", &good, &|sp| {
            sp.changes.remove(0);
        }),
    ];
    for file in &cases {
        let err = fails(&a.trailctl(&["apply", "-f", &f, file]));
        assert!(err.contains("saved plan is stale: "), "{file}: {err}");
        assert!(err.contains("nothing was written"), "{file}: {err}");
    }
    assert_eq!(exists(&a), (false, false), "nothing was written");
    // The untouched file still applies.
    assert!(ok(&a.trailctl(&["apply", "-f", &f, &saved])).contains("Apply complete: 2 added"));
}

/// A saved plan that takes over a resource trailctl does not own applies only with `--adopt`:
/// consent is given when applying, not read from the file.
#[test]
fn a_saved_plan_that_adopts_needs_adopt_to_apply() {
    let a = Memory::new();
    let f = spec(&a, "ci", SPEC);
    // Another client's bucket: no trailctl tags.
    a.edit(|s| {
        s.buckets.insert(
            format!("ci-logs-{}", a.id),
            LiveBucket {
                region: "us-east-1".to_owned(),
                block_public_access: false,
                owner_enforced: false,
                encryption: Encryption::S3,
                retention_days: None,
                policy: None,
                access_logging: None,
                tags: Default::default(),
            },
        );
    });
    let saved = plan_file(&a, "adopt.json");
    ok(&plan(&a, &f, &["--adopt", "--out", &saved]));
    let err = fails(&a.trailctl(&["apply", "-f", &f, &saved]));
    assert!(
        err.contains(&format!(
            "the saved plan takes over resources trailctl does not own (bucket.ci-logs-{})",
            a.id
        )) && err.contains("re-run with --adopt"),
        "{err}"
    );
    assert!(ok(&a.trailctl(&["apply", "-f", &f, "--adopt", &saved])).contains("Apply complete"));
    assert_eq!(ok(&plan(&a, &f, &[])), NO_CHANGES);
}
