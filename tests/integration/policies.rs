//! The IAM policies trailctl prints and ships, held against the operations table, the published
//! IAM privilege-escalation methods and an IAM linter (parliament, in the emulator venv):
//! - `policies/*.json` are exactly what the generator prints for the generic template names;
//! - for every example spec, the plan policy holds no write, the reader writes only into the
//!   Athena results buckets, and `"*"` stands only for actions with no resource-level permission;
//! - no policy grants the complete set of actions of any escalation method;
//! - parliament finds nothing that `policies/lint-explained.json` does not explain.
//!
//! `TRAILCTL_BLESS=1 cargo test --features fake --test integration policies` rewrites the templates.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use trailctl::access::names::Names;
use trailctl::access::policy::{self, Document, Effect, Role};
use trailctl::live::aws::operations::{Access, OPERATIONS, Res};

const ACCOUNT: &str = "111122223333";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The templates shipped in `policies/`, and what the generator prints for them.
fn templates() -> Vec<(&'static str, Document)> {
    let t = Names::template();
    vec![
        ("trailctl-plan.json", policy::document(&t, Role::Plan)),
        ("trailctl-apply.json", policy::document(&t, Role::Apply)),
        ("trailctl-read-logs.json", policy::document(&t, Role::Read)),
        ("trailctl-boundary.json", policy::boundary_template()),
    ]
}

fn text(doc: &Document) -> String {
    format!("{}\n", serde_json::to_string_pretty(doc).unwrap())
}

#[test]
fn the_shipped_templates_are_what_the_generator_prints() {
    let bless = std::env::var_os("TRAILCTL_BLESS").is_some();
    let mut stale = Vec::new();
    for (file, doc) in templates() {
        let path = root().join("policies").join(file);
        let want = text(&doc);
        if bless {
            std::fs::write(&path, &want).unwrap();
        } else if std::fs::read_to_string(&path).unwrap_or_default() != want {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "{stale:?} differ from what the generator prints: re-bless them"
    );
}

/// Every example spec, and the fixture with every kind of resource, as specs with an account.
fn specs(dir: &Path) -> Vec<(String, trailctl::model::desired::Desired)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    let everything = std::fs::read_to_string(root().join("tests/fixtures/iam/everything.yaml"))
        .unwrap()
        .replace("ACCOUNT", ACCOUNT);
    let path = dir.join("everything.yaml");
    std::fs::write(&path, everything).unwrap();
    files.push(path);
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let loaded = trailctl::spec::load(&f)
                .unwrap_or_else(|_| panic!("{} does not load", f.display()));
            (f.display().to_string(), loaded.desired)
        })
        .collect()
}

/// Every policy trailctl can print for the examples, and the templates.
fn documents() -> Vec<(String, Document)> {
    let dir = tempdir("policies");
    let mut out = Vec::new();
    for (file, d) in specs(&dir) {
        let account = d.account.clone().unwrap_or_else(|| ACCOUNT.to_owned());
        let names = Names::of(&d, &account);
        for (role, r) in [
            ("plan", Role::Plan),
            ("apply", Role::Apply),
            ("read", Role::Read),
        ] {
            out.push((format!("{file} --role {role}"), policy::document(&names, r)));
        }
        if let Some(b) = policy::boundary(&d, &names) {
            out.push((format!("{file} --role boundary"), b));
        }
    }
    for (file, doc) in templates() {
        out.push((format!("policies/{file}"), doc));
    }
    out
}

fn tempdir(name: &str) -> PathBuf {
    let dir = root()
        .join("target/test-policies")
        .join(format!("{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn allowed_actions(doc: &Document) -> BTreeSet<&str> {
    doc.statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
        .flat_map(|s| s.actions.iter().map(String::as_str))
        .collect()
}

fn is_write(action: &str) -> bool {
    OPERATIONS
        .iter()
        .filter(|o| o.access == Access::Write)
        .any(|o| o.actions().any(|(a, _)| a == action))
}

#[test]
fn every_policy_grants_only_its_role_and_star_only_where_aws_has_no_resource() {
    let mut failures = Vec::new();
    let any: BTreeSet<&str> = OPERATIONS
        .iter()
        .flat_map(|o| o.actions())
        .filter(|(_, r)| matches!(r, Res::Any(_)))
        .map(|(a, _)| a)
        .collect();
    for (name, doc) in documents() {
        for s in &doc.statements {
            if s.resources.iter().any(|r| r == "*") {
                for a in &s.actions {
                    if !any.contains(a.as_str()) {
                        failures.push(format!("{name}: {a} on \"*\" has a resource type"));
                    }
                }
            }
        }
        let actions = allowed_actions(&doc);
        if name.ends_with("--role plan") || name.contains("trailctl-plan") {
            for a in actions.iter().filter(|a| is_write(a)) {
                failures.push(format!("{name}: the plan policy grants the write {a}"));
            }
        }
        if name.ends_with("--role read") || name.contains("read-logs") {
            for s in doc.statements.iter().filter(|s| s.effect == Effect::Allow) {
                for a in &s.actions {
                    let results_only =
                        a == "s3:PutObject" && s.resources.iter().all(|r| !r.contains("/AWSLogs/"));
                    if is_write(a) && !results_only {
                        failures.push(format!("{name}: the reader may write: {a}"));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The plan and apply policies of a spec grant every action of the table its resources need,
/// and the apply policy is the plan policy plus writes.
#[test]
fn the_apply_policy_holds_the_plan_policy() {
    let dir = tempdir("holds");
    for (file, d) in specs(&dir) {
        let names = Names::of(&d, d.account.as_deref().unwrap_or(ACCOUNT));
        let plan = policy::document(&names, Role::Plan);
        let apply = policy::document(&names, Role::Apply);
        for s in &plan.statements {
            assert!(
                apply.statements.contains(s),
                "{file}: the apply policy lacks the plan policy's {}",
                s.sid
            );
        }
        // Always read: the account, the trails, the topics, the rules.
        for a in [
            "sts:GetCallerIdentity",
            "cloudtrail:DescribeTrails",
            "sns:ListTopics",
            "events:ListRules",
        ] {
            assert!(allowed_actions(&plan).contains(a), "{file}: plan lacks {a}");
        }
        let org = d.organization.is_some();
        assert_eq!(
            allowed_actions(&plan).contains("sts:AssumeRole"),
            org,
            "{file}: sts:AssumeRole only for an organization spec"
        );
        let athena = d.trails.iter().any(|t| t.athena.is_some());
        assert_eq!(
            allowed_actions(&plan)
                .iter()
                .any(|a| a.starts_with("glue:") || a.starts_with("athena:")),
            athena,
            "{file}: Glue and Athena only with athena:"
        );
        let metric = d.alerts.iter().any(|a| a.metric.is_some());
        assert_eq!(
            allowed_actions(&apply)
                .iter()
                .any(|a| a.starts_with("cloudwatch:")),
            metric,
            "{file}: CloudWatch only with metric-filter alerts"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Privilege escalation: the published methods (Rhino Security Labs' list of IAM escalation
// methods, and the role-assumption variants the issue names), each a set of actions that
// together make the caller more than it is.

/// What a document allows and denies, as (action pattern, resource pattern) pairs.
struct Grants {
    allow: Vec<(String, String)>,
    deny: Vec<(String, String)>,
}

impl Grants {
    fn of(doc: &Document) -> Grants {
        let mut g = Grants {
            allow: Vec::new(),
            deny: Vec::new(),
        };
        for s in &doc.statements {
            for a in &s.actions {
                for r in &s.resources {
                    let pair = (a.to_ascii_lowercase(), r.clone());
                    match s.effect {
                        // Conditions are ignored: a conditioned grant counts as a grant.
                        Effect::Allow => g.allow.push(pair),
                        Effect::Deny => g.deny.push(pair),
                    }
                }
            }
        }
        g
    }

    /// The resource patterns `action` is allowed on.
    fn on(&self, action: &str) -> Vec<&str> {
        let action = action.to_ascii_lowercase();
        self.allow
            .iter()
            .filter(|(a, _)| glob(a, &action))
            .map(|(_, r)| r.as_str())
            .collect()
    }

    fn allows(&self, action: &str) -> bool {
        !self.on(action).is_empty()
    }

    /// Whether `action` is denied on every resource `pattern` stands for.
    fn denies(&self, action: &str, pattern: &str) -> bool {
        let action = action.to_ascii_lowercase();
        self.deny
            .iter()
            .any(|(a, r)| glob(a, &action) && glob(r, pattern))
    }

    /// Role patterns on which the caller may both widen a role's permissions and become it.
    fn role_escalations(&self) -> Vec<String> {
        let mut out = Vec::new();
        let widen: Vec<&str> = ["iam:PutRolePolicy", "iam:AttachRolePolicy"]
            .iter()
            .flat_map(|a| self.on(a))
            .collect();
        // Writing a role's trust policy (or creating it with one) lets the caller assume it
        // within one account even without sts:AssumeRole in its own policy.
        let trusts: Vec<&str> = ["iam:UpdateAssumeRolePolicy", "iam:CreateRole"]
            .iter()
            .flat_map(|a| self.on(a))
            .collect();
        let assume = self.on("sts:AssumeRole");
        for w in &widen {
            let becomes =
                trusts.iter().any(|t| overlap(t, w)) || assume.iter().any(|a| overlap(a, w));
            if becomes && !self.denies("sts:AssumeRole", w) {
                out.push(format!("widen and assume {w}"));
            }
        }
        for t in &trusts {
            // A role whose trust the caller writes and that already is (or could be made)
            // powerful: only with a way to widen it, checked above; an existing powerful role
            // under the pattern is outside what trailctl creates, unless the pattern is broad.
            if (*t == "*" || t.ends_with(":role/*")) && !self.denies("sts:AssumeRole", t) {
                out.push(format!("rewrite the trust of any role {t}"));
            }
        }
        out
    }
}

/// `pattern` with IAM's `*` and `?` matches `value` (case-sensitive, whole string).
fn glob(pattern: &str, value: &str) -> bool {
    fn go(p: &[u8], v: &[u8]) -> bool {
        match (p.first(), v.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], v) || (!v.is_empty() && go(p, &v[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &v[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &v[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), value.as_bytes())
}

/// Whether two resource patterns can name a common resource (either matches the other).
fn overlap(a: &str, b: &str) -> bool {
    glob(a, b) || glob(b, a)
}

/// The methods whose every action together escalates, whatever the resource.
const METHODS: &[&[&str]] = &[
    &["iam:CreatePolicyVersion"],
    &["iam:SetDefaultPolicyVersion"],
    &["iam:CreateAccessKey"],
    &["iam:CreateLoginProfile"],
    &["iam:UpdateLoginProfile"],
    &["iam:AttachUserPolicy"],
    &["iam:AttachGroupPolicy"],
    &["iam:PutUserPolicy"],
    &["iam:PutGroupPolicy"],
    &["iam:AddUserToGroup"],
    &["iam:CreateUser"],
    &["iam:DeleteRolePermissionsBoundary"],
    &["iam:DeleteUserPermissionsBoundary"],
    &["iam:PutUserPermissionsBoundary"],
    &["lambda:UpdateFunctionCode"],
    &["glue:UpdateDevEndpoint"],
    &["ssm:SendCommand"],
    &["ssm:StartSession"],
    &["ec2-instance-connect:SendSSHPublicKey"],
    &["iam:PassRole", "ec2:RunInstances"],
    &[
        "iam:PassRole",
        "lambda:CreateFunction",
        "lambda:InvokeFunction",
    ],
    &[
        "iam:PassRole",
        "lambda:CreateFunction",
        "lambda:CreateEventSourceMapping",
    ],
    &["iam:PassRole", "glue:CreateDevEndpoint"],
    &["iam:PassRole", "glue:CreateJob"],
    &["iam:PassRole", "cloudformation:CreateStack"],
    &[
        "iam:PassRole",
        "datapipeline:CreatePipeline",
        "datapipeline:PutPipelineDefinition",
    ],
    &["iam:PassRole", "ecs:RunTask"],
    &["iam:PassRole", "codebuild:CreateProject"],
    &["iam:PassRole", "sagemaker:CreateNotebookInstance"],
    &["iam:PassRole", "states:CreateStateMachine"],
];

/// Every way `doc` escalates, empty when it cannot.
fn escalations(doc: &Document) -> Vec<String> {
    let g = Grants::of(doc);
    let mut out: Vec<String> = METHODS
        .iter()
        .filter(|m| m.iter().all(|a| g.allows(a)))
        .map(|m| m.join(" + "))
        .collect();
    out.extend(g.role_escalations());
    out
}

#[test]
fn no_policy_grants_a_privilege_escalation_method() {
    let mut failures = Vec::new();
    for (name, doc) in documents() {
        for e in escalations(&doc) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The checker finds what the policies shipped before this one granted: role writes and
/// sts:AssumeRole on "*", and the same with the caller denied its own roles but another
/// role pattern broad enough.
#[test]
fn the_escalation_checker_finds_the_known_paths() {
    let doc = |statements: Value| -> Document {
        let mut d = policy::boundary_template();
        d.statements.clear();
        for s in statements.as_array().unwrap() {
            d.statements.push(policy::Statement {
                sid: "S".into(),
                effect: if s["Effect"] == "Deny" {
                    Effect::Deny
                } else {
                    Effect::Allow
                },
                actions: s["Action"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().to_owned())
                    .collect(),
                resources: vec![s["Resource"].as_str().unwrap().to_owned()],
                condition: None,
            });
        }
        d
    };
    let old = doc(serde_json::json!([{
        "Action": ["iam:CreateRole", "iam:PutRolePolicy", "sts:AssumeRole"], "Resource": "*"
    }]));
    assert!(!escalations(&old).is_empty());
    let planner = doc(serde_json::json!([{
        "Action": ["iam:GetRole", "sts:AssumeRole"], "Resource": "*"
    }]));
    // sts:AssumeRole on "*" alone: any role whose trust admits the caller.
    assert!(
        !escalations(&doc(serde_json::json!([{
            "Action": ["sts:AssumeRole", "iam:UpdateAssumeRolePolicy"], "Resource": "*"
        }])))
        .is_empty()
    );
    assert!(escalations(&planner).is_empty());
    let scoped = doc(serde_json::json!([
        {"Action": ["iam:CreateRole", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"],
         "Resource": "arn:aws:iam::1:role/trailctl-s-forwarder"},
        {"Effect": "Deny", "Action": ["sts:AssumeRole"], "Resource": "arn:aws:iam::*:role/trailctl-*"}
    ]));
    assert!(escalations(&scoped).is_empty());
    let undenied = doc(serde_json::json!([
        {"Action": ["iam:CreateRole", "iam:PutRolePolicy"],
         "Resource": "arn:aws:iam::1:role/trailctl-s-forwarder"}
    ]));
    assert!(!escalations(&undenied).is_empty());
    assert!(
        !escalations(&doc(
            serde_json::json!([{"Action": ["iam:*"], "Resource": "*"}])
        ))
        .is_empty()
    );
}

// ---------------------------------------------------------------------------------------------
// The linter.

#[test]
fn the_policies_pass_the_iam_linter_or_each_finding_is_explained() {
    let dir = tempdir("lint");
    let mut files = Vec::new();
    let mut names = std::collections::BTreeMap::new();
    for (i, (name, doc)) in documents().into_iter().enumerate() {
        let path = dir.join(format!("{i}.json"));
        std::fs::write(&path, text(&doc)).unwrap();
        names.insert(path.display().to_string(), name);
        files.push(path);
    }
    let out = Command::new(crate::emulator::venv_python())
        .arg(root().join("tests/iam/lint_policies.py"))
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the linter failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let explained: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(root().join("policies/lint-explained.json")).unwrap(),
    )
    .unwrap();
    let mut used = BTreeSet::new();
    let mut failures = Vec::new();
    let stdout = String::from_utf8(out.stdout).unwrap();
    for line in stdout.lines() {
        let f: Value = serde_json::from_str(line).unwrap();
        let issue = f["issue"].as_str().unwrap();
        let detail = f["detail"].as_str().unwrap();
        let why = explained.iter().position(|e| {
            e["issue"] == issue
                && e["detail_contains"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|c| detail.contains(c.as_str().unwrap()))
        });
        match why {
            Some(i) => {
                used.insert(i);
            }
            None => failures.push(format!(
                "{}: {issue} {detail}",
                names[f["file"].as_str().unwrap()]
            )),
        }
    }
    for (i, e) in explained.iter().enumerate() {
        if !used.contains(&i) {
            failures.push(format!("explained but never found (remove it): {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "unexplained linter findings:\n{}",
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// The table itself.

#[test]
fn the_operation_table_has_no_duplicates_and_well_formed_actions() {
    let mut seen = BTreeSet::new();
    for op in OPERATIONS {
        assert!(seen.insert(op.name), "{} listed twice", op.name);
        for (action, _) in op.actions() {
            let (service, action) = action.split_once(':').unwrap();
            assert!(
                !service.is_empty() && action.chars().next().is_some_and(char::is_uppercase),
                "{}: {service}:{action}",
                op.name
            );
        }
    }
}

/// No adapter, fake or executor spells an operation's name (`"Service:Operation"`): each names
/// the table's constant (`ops::CLOUDTRAIL_CREATE_TRAIL`), declared with its row, so the code
/// calls no operation the policies do not grant (the compiler refuses a name with no row). Test
/// code is left out: it may name what it counts.
#[test]
fn every_operation_the_code_calls_is_named_from_the_table() {
    let root = env!("CARGO_MANIFEST_DIR");
    let services: BTreeSet<&str> = OPERATIONS
        .iter()
        .filter_map(|o| o.name.split_once(':'))
        .map(|(service, _)| service)
        .collect();
    assert!(services.len() >= 12, "{services:?}");
    let mut spelled = Vec::new();
    let mut read = 0;
    for dir in ["src/live/aws", "src/live", "src/apply"] {
        for entry in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name == "operations.rs" || name.ends_with("tests.rs") || !name.ends_with(".rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("\n#[cfg(test)]\nmod tests").next().unwrap();
            read += 1;
            for quoted in code.split('"').skip(1).step_by(2) {
                let Some((service, op)) = quoted.split_once(':') else {
                    continue;
                };
                let is_op = services.contains(service)
                    && !op.is_empty()
                    && op.chars().all(|c| c.is_ascii_alphanumeric())
                    && op.starts_with(|c: char| c.is_ascii_uppercase());
                if is_op {
                    spelled.push(format!("{}: {quoted}", path.display()));
                }
            }
        }
    }
    assert!(read > 30, "only {read} files read");
    assert!(
        spelled.is_empty(),
        "spelled instead of named from live/aws/operations.rs:\n{}",
        spelled.join("\n")
    );
}

/// `policies/README.md` lists every IAM action of the table with what it is granted on.
#[test]
fn every_action_is_documented_with_its_source() {
    let readme = std::fs::read_to_string(root().join("policies/README.md")).unwrap();
    let missing: BTreeSet<&str> = OPERATIONS
        .iter()
        .flat_map(|o| o.actions())
        .map(|(a, _)| a)
        .filter(|a| !readme.contains(&format!("| `{a}` |")))
        .collect();
    assert!(missing.is_empty(), "not in policies/README.md: {missing:?}");
}
