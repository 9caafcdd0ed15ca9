//! Raw command-line flags (clap derive). Nothing past `config` sees these.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::model::cost::Volumes;

const EXAMPLES: &str = "\
Examples:
  trailctl init -o trailctl.yaml         A starter spec
  trailctl init --from-account --region eu-west-1 -o trailctl.yaml
  trailctl validate                      Check ./trailctl.yaml
  trailctl plan -f examples/baseline.yaml
  trailctl apply --auto-approve          In CI, after review of the plan
  trailctl plan --out plan.json --format markdown > plan.md
  trailctl apply plan.json               Apply exactly the saved plan, or refuse if it is stale
  trailctl show plan.json --format json
  trailctl drift --format json           Nightly drift check: exit 2 when the account drifted
  trailctl validate -f examples/baseline.yaml
  trailctl completions bash > /etc/bash_completion.d/trailctl
  trailctl schema > trailctl.schema.json  For editors (README, Editor support)
  trailctl test --format junit > alerts.xml
  trailctl events match --pattern pattern.json 123456789012_CloudTrail_*.json.gz
  trailctl events match --filter '{ $.eventName = \"DeleteTable\" }' records.json
  trailctl backtest --trail acme-audit --since 30d --max-per-day 50
  trailctl query \"SELECT eventname, count(*) FROM cloudtrail WHERE timestamp >= '2026/11/01' GROUP BY 1\"
  trailctl presets show cis-4.10-security-group-changes
  trailctl policy -f trailctl.yaml --role apply > trailctl-apply.json

Exit codes:
  0  success (validate: the spec is valid; plan: planned, with or without changes
     (with --detailed-exitcode: no changes); drift: no drift;
     test: every alert test passed; events match: at least one event matched)
  1  error: invalid spec, bad usage, a conflict in the plan, a failed AWS call,
     another account than the spec's, apply refused, stale or not converged,
     an unusable plan file, an invalid pattern or event file
  2  plan --detailed-exitcode, drift: the account differs from the spec
  3  test: an alert test failed; events match: no event matched;
     backtest --max-per-day: an alert would have delivered more than N on a day
  (backtest exits 1 when an object or record could not be read, after reading the rest)

Spec reference: docs/spec.md";

/// CloudTrail trails and real-time CloudTrail alerts as code, with no state file.
#[derive(Debug, Parser)]
#[command(name = "trailctl", version = env!("TRAILCTL_VERSION"), about, after_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// AWS shared-config profile (default: the standard credential chain)
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// AWS Region for calls that need one (default: the profile's or AWS_REGION)
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// Send every AWS call to this endpoint, e.g. a local emulator
    #[arg(long, global = true, env = "AWS_ENDPOINT_URL", value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Never colour output (also when NO_COLOR is set)
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Attempts per AWS call, first included: throttling, server errors and dropped connections
    /// are retried with backoff and jitter
    #[arg(long, global = true, value_name = "N", default_value_t = crate::live::aws::config::DEFAULT_MAX_ATTEMPTS,
          value_parser = clap::value_parser!(u32).range(1..=25))]
    pub max_attempts: u32,
    /// Log what trailctl does to stderr (-v info, -vv debug, -vvv trace)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a starter spec, or (--from-account) one that says what an account already has
    Init(InitArgs),
    /// Check a spec offline and report every problem at once
    Validate(ValidateArgs),
    /// Read the account and show what apply would change
    Plan(PlanArgs),
    /// Make the account match the spec: plan, confirm, apply, verify
    Apply(ApplyArgs),
    /// Render a plan saved with `plan --out`, as `plan` shows it
    Show(ShowArgs),
    /// Read the account and show only what drifted from the spec; exit 2 on drift
    Drift(DriftArgs),
    /// Run the tests the spec's alerts carry, offline, with EventBridge's matching rules
    Test(TestArgs),
    /// Run the spec's alerts over a trail's archived logs (S3 or disk): what each would have
    /// delivered, and which never fire
    Backtest(BacktestArgs),
    /// Who did what to one resource, and when: a timeline from CloudTrail event history (the
    /// last 90 days, every Region at once) and the trail's archives
    Investigate(InvestigateArgs),
    /// Run SQL over a trail's logs in its Athena workgroup (the trail's `athena:`)
    Query(QueryArgs),
    /// Print the least-privilege IAM policy a spec needs for one role (plan, apply, read), or
    /// the permissions boundary of the stack's roles
    Policy(PolicyArgs),
    /// Match events against a pattern, or validate a pattern, offline
    #[command(subcommand)]
    Events(EventsCommand),
    /// Turn detection rules written elsewhere into alerts, offline
    #[command(subcommand)]
    Import(ImportCommand),
    /// The preset alerts trailctl carries (CIS 4.1–4.15, strict variants, the seed's scenarios)
    #[command(subcommand)]
    Presets(PresetsCommand),
    /// Print a shell completion script
    Completions {
        /// bash, elvish, fish, powershell or zsh
        shell: clap_complete::Shell,
    },
    /// Print the spec's JSON Schema (draft 2020-12), for editors: keys, types, enums, defaults
    Schema,
    /// Print the manual page (roff), or write one page per command into a directory
    Man {
        /// Write trailctl.1 and a trailctl-COMMAND.1 per command here instead
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Describe what the account has: the trails homed in the home Region (--region), their
    /// buckets, the CloudTrail rules and the topics they notify; `plan --adopt` of the result
    /// adds the ownership tags and nothing else
    #[arg(long)]
    pub from_account: bool,
    /// The spec's stack: the value of the trailctl:stack tag on what it owns
    #[arg(long, default_value = "audit", value_name = "NAME")]
    pub stack: String,
    /// Write the spec to FILE (never over an existing file) instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// With --from-account: also read the rules of these Regions (comma-separated); they
    /// become the spec's regions
    #[arg(long, value_delimiter = ',', value_name = "REGION,...")]
    pub regions: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct SpecFile {
    /// The spec file
    #[arg(
        short = 'f',
        long = "file",
        default_value = "trailctl.yaml",
        value_name = "FILE"
    )]
    pub file: PathBuf,
    /// Fail (exit 1) when the spec has warnings, lints included (notes never fail)
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub spec: SpecFile,
    /// Text for people, one JSON document, or SARIF 2.1.0 (GitHub code scanning shows each
    /// finding on the spec's line)
    #[arg(long, value_enum, default_value = "human")]
    pub format: ValidateFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ValidateFormat {
    Human,
    Json,
    Sarif,
}

/// How `plan`, `show`, `drift` and `apply` print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Text for people (colour only on a terminal)
    Human,
    /// One versioned JSON document (apply: JSON lines of progress, then a summary)
    Json,
    /// A pull-request comment
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TestFormat {
    Human,
    Junit,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct PolicyArgs {
    #[command(flatten)]
    pub spec: SpecFile,
    /// Whose policy: `plan` (plan, drift, init --from-account), `apply`, `read` (backtest,
    /// investigate, query), or `boundary` (the permissions boundary an administrator creates
    /// once as the managed policy trailctl-STACK-boundary)
    #[arg(long, value_enum)]
    pub role: PolicyRole,
    /// The account the ARNs name (default: the spec's `account:`, else the caller's, from STS)
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PolicyRole {
    Plan,
    Apply,
    Read,
    Boundary,
}

#[derive(Debug, clap::Args)]
pub struct TestArgs {
    #[command(flatten)]
    pub spec: SpecFile,
    /// How to report: a line per test, JUnit XML, or one JSON document
    #[arg(long, value_enum, default_value = "human")]
    pub format: TestFormat,
}

#[derive(Debug, clap::Args)]
pub struct BacktestArgs {
    #[command(flatten)]
    pub spec: SpecFile,
    /// Archives to read: s3://BUCKET[/PREFIX] (the trail's bucket and key prefix), or files and
    /// directories in the CloudTrail S3 layout (walked recursively)
    #[arg(value_name = "SOURCE")]
    pub sources: Vec<String>,
    /// Read the bucket and prefix of this trail of the spec
    #[arg(long, value_name = "NAME")]
    pub trail: Option<String>,
    /// First day read (UTC): YYYY-MM-DD, or a number of days back, as 30d
    #[arg(long, value_name = "DAY")]
    pub since: Option<String>,
    /// Last day read (UTC, included): YYYY-MM-DD, or a number of days back
    #[arg(long, value_name = "DAY")]
    pub until: Option<String>,
    /// Only these Regions (comma-separated)
    #[arg(long, value_name = "REGIONS", value_delimiter = ',')]
    pub regions: Vec<String>,
    /// Only these accounts (comma-separated 12-digit ids); default: every account the archive holds
    #[arg(long, value_name = "ACCOUNTS", value_delimiter = ',')]
    pub accounts: Vec<String>,
    /// Exit 3 when an alert would have delivered more than N messages on some day
    #[arg(long, value_name = "N")]
    pub max_per_day: Option<u64>,
    /// Reader threads (default: every core)
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Count over the trail's Athena table (its `athena:`; --trail names the trail) instead of
    /// reading the archive: each alert's pattern as SQL where that is exact, said per alert
    /// where it is not (default window: the last 30 days)
    #[arg(long)]
    pub athena: bool,
    /// With --athena: print the SQL instead of running it
    #[arg(long, requires = "athena")]
    pub print_sql: bool,
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
}

#[derive(Debug, clap::Args)]
pub struct InvestigateArgs {
    #[command(flatten)]
    pub spec: SpecFile,
    /// The resource: a name or id (orders, sg-0abc123, a bucket, a role) or an ARN
    #[arg(value_name = "TARGET")]
    pub target: String,
    /// First day searched (UTC): YYYY-MM-DD, or a number of days back, as 30d
    #[arg(long, value_name = "DAY", default_value = "7d")]
    pub since: String,
    /// Last day searched (UTC, included; default: today)
    #[arg(long, value_name = "DAY")]
    pub until: Option<String>,
    /// Also look up these event names (DeleteTable…): calls that list no resource are found
    /// this way (comma-separated)
    #[arg(long = "event", value_name = "NAME", value_delimiter = ',')]
    pub events: Vec<String>,
    /// Only calls made by this ARN (the caller, or the role its session was issued from)
    #[arg(long, value_name = "ARN")]
    pub user: Option<String>,
    /// Search these Regions (default: the ARN's, us-east-1 for global services, else the
    /// spec's)
    #[arg(long, value_name = "REGIONS", value_delimiter = ',')]
    pub regions: Vec<String>,
    /// Also search these archives: s3://BUCKET[/PREFIX] or directories in the CloudTrail S3
    /// layout
    #[arg(long = "archive", value_name = "SOURCE")]
    pub archives: Vec<String>,
    /// Also search the archives of this trail of the spec
    #[arg(long, value_name = "NAME")]
    pub trail: Option<String>,
    /// Only these accounts of the archives (comma-separated 12-digit ids)
    #[arg(long, value_name = "ACCOUNTS", value_delimiter = ',')]
    pub accounts: Vec<String>,
    /// Search the trail's Athena table (its `athena:`; --trail names the trail) over the whole
    /// window instead of event history and archives
    #[arg(long)]
    pub athena: bool,
    /// With --athena: print the SQL instead of running it
    #[arg(long, requires = "athena")]
    pub print_sql: bool,
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum QueryFormat {
    /// Aligned columns
    Table,
    /// An array of objects, a key per column (NULL as null)
    Json,
    /// RFC 4180 CSV with a header line
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct QueryArgs {
    #[command(flatten)]
    pub spec: SpecFile,
    /// The trail whose table to query (default: the spec's only trail with `athena:`)
    #[arg(long, value_name = "NAME")]
    pub trail: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: QueryFormat,
    /// Stop waiting after this many seconds (the query may go on running in Athena)
    #[arg(long, value_name = "SECONDS", default_value_t = 900)]
    pub timeout: u64,
    /// The SQL (the trail's database is the default schema), or `-` to read it from standard
    /// input
    #[arg(value_name = "SQL")]
    pub sql: String,
}

#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Print `match` or `no match` for each event (CloudTrail records are wrapped as
    /// EventBridge delivers them); exit 3 when none matched
    Match(MatchArgs),
    /// Check a pattern with EventBridge's rules; exit 1 with the error when it is invalid
    ValidatePattern {
        /// The pattern: inline JSON, or a file holding it
        pattern: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Sigma rules for CloudTrail as alerts with the same meaning under EventBridge: each rule
    /// exact, approximate (the difference said) or refused (the reason said); exit 4 when some
    /// were refused and the rest written
    Sigma(SigmaArgs),
}

#[derive(Debug, clap::Args)]
pub struct SigmaArgs {
    /// Sigma rule files, or directories searched for .yml and .yaml files
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The topics the alerts notify (comma-separated; they must be under the spec's topics:)
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "security-alerts",
        value_name = "TOPIC"
    )]
    pub notify: Vec<String>,
    /// Write the alerts to FILE (never over an existing file) instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The report on standard error: human or json
    #[arg(long, value_enum, default_value = "human")]
    pub format: PresetFormat,
    /// Also write the rules EventBridge can say only approximately (each difference is kept in
    /// the alert's sigma.differences)
    #[arg(long)]
    pub approximate: bool,
    /// Deploy on eventbridge, metric_filter or both; a rule stays on eventbridge alone where no
    /// exact metric filter says it
    #[arg(long, value_enum, default_value = "eventbridge")]
    pub backend: ImportBackend,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportBackend {
    Eventbridge,
    #[value(name = "metric_filter")]
    MetricFilter,
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PresetFormat {
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum PresetsCommand {
    /// One line per preset: id, CIS numbers, Security Hub control, scope, title
    List {
        #[arg(long, value_enum, default_value = "human")]
        format: PresetFormat,
    },
    /// A preset in full: pattern, scope, rule state, message, fixtures, references
    Show {
        /// The preset's id, e.g. cis-4.10-security-group-changes
        id: String,
        #[arg(long, value_enum, default_value = "human")]
        format: PresetFormat,
    },
}

#[derive(Debug, clap::Args)]
pub struct MatchArgs {
    /// The EventBridge pattern: inline JSON, or a file holding it
    #[arg(
        long,
        value_name = "PATTERN",
        required_unless_present = "filter",
        conflicts_with = "filter"
    )]
    pub pattern: Option<String>,
    /// A CloudWatch Logs JSON filter pattern instead ({ $.eventName = "DeleteTable" }), inline
    /// or a file holding it: matched against each record as a metric filter sees it
    #[arg(long, value_name = "FILTER")]
    pub filter: Option<String>,
    /// Files of events: a record or event, a JSON array, a CloudTrail log file
    /// ({"Records": [...]}) or JSON lines; .gz is read as gzip
    #[arg(required = true, value_name = "EVENT_FILE")]
    pub files: Vec<PathBuf>,
    /// Match every input exactly as given (no CloudTrail → EventBridge envelope)
    #[arg(long)]
    pub raw: bool,
}

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub spec: SpecFile,
    /// Take over same-named trails and buckets that exist without trailctl's tags
    #[arg(long)]
    pub adopt: bool,
    /// Exit 0 when there is nothing to change, 2 when there is (drift checks), 1 on error
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Also save the plan to FILE, for `apply FILE` (which applies exactly it, or refuses when
    /// the account changed since)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
    /// Detail the cost estimate: each trail's charges before and after, and the assumptions
    #[arg(long)]
    pub cost: bool,
    /// Monthly event volumes for the cost estimate, overriding the spec's `cost:`:
    /// management_read=N,management_write=N,data=N (any of them; N like 250k, 4M, 1_000_000)
    #[arg(long, value_name = "VOLUMES", value_parser = Volumes::parse)]
    pub events_per_month: Option<Volumes>,
    /// With `organization:`: stop at the first account that fails (default: report it, go on)
    #[arg(long)]
    pub fail_fast: bool,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// A plan file written by `plan --out`
    #[arg(value_name = "PLAN_FILE")]
    pub plan: PathBuf,
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
    /// Detail the cost estimate saved with the plan
    #[arg(long)]
    pub cost: bool,
}

#[derive(Debug, clap::Args)]
pub struct DriftArgs {
    #[command(flatten)]
    pub spec: SpecFile,
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
    /// With `organization:`: stop at the first account that fails (default: report it, go on)
    #[arg(long)]
    pub fail_fast: bool,
}

#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub spec: SpecFile,
    /// Take over same-named trails and buckets that exist without trailctl's tags (with
    /// PLAN_FILE: consent to the take-overs it holds)
    #[arg(long)]
    pub adopt: bool,
    /// Apply without asking (required when there is no terminal to ask on)
    #[arg(long)]
    pub auto_approve: bool,
    /// Allow changes that reduce audit logging (delete a trail, stop logging, fewer events…)
    #[arg(long)]
    pub allow_destroy: bool,
    /// Apply exactly this plan (from `plan --out`): refused unless the spec and the account still
    /// plan exactly it; no prompt
    #[arg(value_name = "PLAN_FILE")]
    pub plan: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
    /// With `organization:`: stop at the first account that fails (default: report it, go on)
    #[arg(long)]
    pub fail_fast: bool,
}
