//! The CloudTrail bucket policy: rendered from `policies/cloudtrail-bucket-policy.json`, and the
//! check that a bucket trailctl does not own lets a trail write to it.

use serde_json::Value;

use crate::model::arn;

const TEMPLATE: &str = include_str!("../../policies/cloudtrail-bucket-policy.json");

/// One trail delivering to a bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery<'a> {
    pub trail_arn: String,
    pub prefix: Option<&'a str>,
    /// The organization's id (`o-…`) for an organization trail, which also writes every
    /// member account's logs under `AWSLogs/o-ORGID/`.
    pub organization: Option<&'a str>,
}

/// The S3 key prefix CloudTrail writes a trail's logs under, as an ARN pattern.
fn log_objects(bucket_arn: &str, prefix: Option<&str>, account: &str) -> String {
    match prefix {
        Some(p) => format!("{bucket_arn}/{p}/AWSLogs/{account}/*"),
        None => format!("{bucket_arn}/AWSLogs/{account}/*"),
    }
}

/// The policy of `bucket` for the trails that deliver to it, or `None` when none does (or the
/// template cannot be read, which a unit test rules out).
pub fn render(
    bucket: &str,
    region: &str,
    account: &str,
    deliveries: &[Delivery<'_>],
) -> Option<Value> {
    if deliveries.is_empty() {
        return None;
    }
    let bucket_arn = arn::bucket(region, bucket);
    let mut trail_arns: Vec<String> = deliveries.iter().map(|d| d.trail_arn.clone()).collect();
    trail_arns.sort();
    trail_arns.dedup();
    let mut objects: Vec<String> = deliveries
        .iter()
        .flat_map(|d| {
            let org = d
                .organization
                .map(|o| log_objects(&bucket_arn, d.prefix, o));
            std::iter::once(log_objects(&bucket_arn, d.prefix, account)).chain(org)
        })
        .collect();
    objects.sort();
    objects.dedup();
    let template: Value = serde_json::from_str(TEMPLATE).ok()?;
    let strings = |v: Vec<String>| Value::Array(v.into_iter().map(Value::String).collect());
    Some(substitute(&template, &|name| match name {
        "bucket_arn" => Some(Value::String(bucket_arn.clone())),
        "trail_arns" => Some(strings(trail_arns.clone())),
        "log_object_arns" => Some(strings(objects.clone())),
        _ => None,
    }))
}

/// S3's server access logging principal.
pub const ACCESS_LOGS_PRINCIPAL: &str = "logging.s3.amazonaws.com";

/// `policy` (or, without one, a policy that denies insecure transport) with a statement per
/// bucket whose access logs go to `bucket`: S3's logging service may put objects under the
/// source's prefix, for that source bucket of this account only (the statement of the S3 User
/// Guide, "Enabling Amazon S3 server access logging").
pub fn with_access_logs(
    policy: Option<Value>,
    bucket: &str,
    region: &str,
    account: &str,
    sources: &[(&str, &str)],
) -> Option<Value> {
    if sources.is_empty() {
        return policy;
    }
    let bucket_arn = arn::bucket(region, bucket);
    let mut policy = policy.unwrap_or_else(|| {
        serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [bucket_arn.clone(), format!("{bucket_arn}/*")],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}
            }]
        })
    });
    let mut sources = sources.to_vec();
    sources.sort();
    if let Some(Value::Array(statements)) = policy.get_mut("Statement") {
        for (i, (source, prefix)) in sources.iter().enumerate() {
            statements.push(serde_json::json!({
                "Sid": format!("S3ServerAccessLogs{}", i + 1),
                "Effect": "Allow",
                "Principal": {"Service": ACCESS_LOGS_PRINCIPAL},
                "Action": "s3:PutObject",
                "Resource": format!("{bucket_arn}/{prefix}*"),
                "Condition": {
                    "ArnLike": {"aws:SourceArn": arn::bucket(region, source)},
                    "StringEquals": {"aws:SourceAccount": account}
                }
            }));
        }
    }
    Some(policy)
}

/// Replaces `"${name}"` strings with values, and `${name}` inside longer strings with text.
fn substitute(v: &Value, var: &dyn Fn(&str) -> Option<Value>) -> Value {
    match v {
        Value::String(s) => {
            if let Some(name) = s.strip_prefix("${").and_then(|r| r.strip_suffix('}'))
                && let Some(value) = var(name)
            {
                return value;
            }
            let mut out = s.clone();
            while let Some(start) = out.find("${") {
                let Some(len) = out[start..].find('}') else {
                    break;
                };
                let name = out[start + 2..start + len].to_owned();
                let Some(Value::String(text)) = var(&name) else {
                    break;
                };
                out.replace_range(start..=start + len, &text);
            }
            Value::String(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|i| substitute(i, var)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), substitute(v, var)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Whether `policy` lets CloudTrail deliver the logs of `trail_arn` to `bucket` under `prefix`:
/// an Allow for the CloudTrail service principal of `s3:GetBucketAcl` on the bucket and of
/// `s3:PutObject` on the log objects, with any `aws:SourceArn` / `aws:SourceAccount` condition
/// admitting the trail. Other conditions are not evaluated.
pub fn allows_delivery(
    policy: &Value,
    bucket: &str,
    region: &str,
    account: &str,
    trail_arn: &str,
    prefix: Option<&str>,
) -> bool {
    let bucket_arn = arn::bucket(region, bucket);
    let sample = log_objects(&bucket_arn, prefix, account)
        .replace('*', &format!("CloudTrail/{region}/2026/01/01/log.json.gz"));
    let statements = match policy.get("Statement") {
        Some(Value::Array(s)) => s.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    let allows = |action: &str, resource: &str| {
        statements.iter().any(|s| {
            s.get("Effect").and_then(Value::as_str) == Some("Allow")
                && is_cloudtrail(s.get("Principal"))
                && any_glob(s.get("Action"), action)
                && any_glob(s.get("Resource"), resource)
                && conditions_admit(s.get("Condition"), trail_arn, account)
        })
    };
    allows("s3:GetBucketAcl", &bucket_arn) && allows("s3:PutObject", &sample)
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn is_cloudtrail(principal: Option<&Value>) -> bool {
    match principal {
        Some(Value::String(s)) => s == "*",
        Some(Value::Object(m)) => strings(m.get("Service")).contains(&"cloudtrail.amazonaws.com"),
        _ => false,
    }
}

fn any_glob(patterns: Option<&Value>, value: &str) -> bool {
    strings(patterns).iter().any(|p| glob(p, value))
}

fn conditions_admit(condition: Option<&Value>, trail_arn: &str, account: &str) -> bool {
    let Some(Value::Object(ops)) = condition else {
        return true;
    };
    ops.values().all(|keys| {
        let Value::Object(keys) = keys else {
            return true;
        };
        keys.iter()
            .all(|(key, values)| match key.to_ascii_lowercase().as_str() {
                "aws:sourcearn" => any_glob(Some(values), trail_arn),
                "aws:sourceaccount" => strings(Some(values)).contains(&account),
                _ => true,
            })
    })
}

/// IAM wildcard match: `*` any run of characters, `?` one character (case-sensitive).
fn glob(pattern: &str, value: &str) -> bool {
    let (p, v): (Vec<char>, Vec<char>) = (pattern.chars().collect(), value.chars().collect());
    let (mut pi, mut vi, mut star, mut mark) = (0, 0, None, 0);
    while vi < v.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == v[vi]) {
            pi += 1;
            vi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = vi;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            vi = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "111122223333";

    fn delivery(name: &str, prefix: Option<&'static str>) -> Delivery<'static> {
        Delivery {
            trail_arn: arn::trail("us-east-1", ACCOUNT, name),
            prefix,
            organization: None,
        }
    }

    #[test]
    fn an_organization_trail_may_also_write_under_the_organization_id() {
        let org = Delivery {
            organization: Some("o-abc123defg"),
            ..delivery("org", Some("p"))
        };
        let policy = render("b", "us-east-1", ACCOUNT, &[org]).expect("policy");
        assert_eq!(
            policy["Statement"][1]["Resource"],
            serde_json::json!([
                "arn:aws:s3:::b/p/AWSLogs/111122223333/*",
                "arn:aws:s3:::b/p/AWSLogs/o-abc123defg/*"
            ])
        );
        assert_eq!(
            policy["Statement"][1]["Condition"]["StringEquals"]["aws:SourceArn"],
            serde_json::json!([arn::trail("us-east-1", ACCOUNT, "org")])
        );
    }

    #[test]
    fn rendered_policy_scopes_writes_to_the_trails_and_their_prefixes() {
        let p = render(
            "logs",
            "us-east-1",
            ACCOUNT,
            &[delivery("b", Some("x")), delivery("a", None)],
        )
        .unwrap();
        let write = &p["Statement"][1];
        assert_eq!(
            write["Resource"],
            serde_json::json!([
                "arn:aws:s3:::logs/AWSLogs/111122223333/*",
                "arn:aws:s3:::logs/x/AWSLogs/111122223333/*"
            ])
        );
        assert_eq!(
            write["Condition"]["StringEquals"]["s3:x-amz-acl"],
            "bucket-owner-full-control"
        );
        assert_eq!(
            p["Statement"][0]["Condition"]["StringEquals"]["aws:SourceArn"][0],
            "arn:aws:cloudtrail:us-east-1:111122223333:trail/a"
        );
        assert_eq!(p["Statement"][2]["Resource"][1], "arn:aws:s3:::logs/*");
        assert!(render("logs", "us-east-1", ACCOUNT, &[]).is_none());
    }

    #[test]
    fn our_own_policy_allows_delivery_and_a_narrower_one_does_not() {
        let d = delivery("t", Some("audit"));
        let p = render("logs", "us-east-1", ACCOUNT, std::slice::from_ref(&d)).unwrap();
        assert!(allows_delivery(
            &p,
            "logs",
            "us-east-1",
            ACCOUNT,
            &d.trail_arn,
            Some("audit")
        ));
        // Another prefix, another trail: not covered.
        assert!(!allows_delivery(
            &p,
            "logs",
            "us-east-1",
            ACCOUNT,
            &d.trail_arn,
            None
        ));
        let other = arn::trail("us-east-1", ACCOUNT, "other");
        assert!(!allows_delivery(
            &p,
            "logs",
            "us-east-1",
            ACCOUNT,
            &other,
            Some("audit")
        ));
        let wide = serde_json::json!({"Statement": [{"Effect": "Allow",
            "Principal": {"Service": ["cloudtrail.amazonaws.com"]},
            "Action": ["s3:GetBucketAcl", "s3:Put*"], "Resource": ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"]}]});
        assert!(allows_delivery(
            &wide,
            "logs",
            "us-east-1",
            ACCOUNT,
            &other,
            None
        ));
        assert!(!allows_delivery(
            &serde_json::json!({}),
            "logs",
            "us-east-1",
            ACCOUNT,
            &other,
            None
        ));
    }

    #[test]
    fn glob_matches_like_iam() {
        assert!(glob("s3:*", "s3:PutObject"));
        assert!(glob(
            "arn:aws:s3:::b/*/AWSLogs/*",
            "arn:aws:s3:::b/p/AWSLogs/1/x"
        ));
        assert!(!glob("s3:Get*", "s3:PutObject"));
        assert!(glob("a?c", "abc"));
        assert!(!glob("abc", "abcd"));
    }
}
