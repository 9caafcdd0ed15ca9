//! ARNs trailctl computes before the resources exist, and the canonical forms compared in plans.

use std::collections::BTreeMap;

/// The parts of an ARN (`arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, the resource keeping
/// any `:` or `/` of its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts<'a> {
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

/// Splits an ARN into its parts; `None` for text that is not one.
pub fn parse(arn: &str) -> Option<Parts<'_>> {
    let mut it = arn.splitn(6, ':');
    if it.next()? != "arn" {
        return None;
    }
    let _partition = it.next()?;
    Some(Parts {
        service: it.next()?,
        region: it.next()?,
        account: it.next()?,
        resource: it.next()?,
    })
}

/// The partition of a Region: `aws`, `aws-cn` or `aws-us-gov`.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// The ARN a trail named `name` has (or will have) in its home Region.
pub fn trail(region: &str, account: &str, name: &str) -> String {
    format!(
        "arn:{}:cloudtrail:{region}:{account}:trail/{name}",
        partition(region)
    )
}

/// The ARN of the S3 bucket `name`.
pub fn bucket(region: &str, name: &str) -> String {
    format!("arn:{}:s3:::{name}", partition(region))
}

/// A topic given as a name or an ARN, as an ARN (a name is a topic in `region` of `account`).
pub fn topic(region: &str, account: &str, name_or_arn: &str) -> String {
    if name_or_arn.starts_with("arn:") {
        name_or_arn.to_owned()
    } else {
        format!(
            "arn:{}:sns:{region}:{account}:{name_or_arn}",
            partition(region)
        )
    }
}

/// The ARN of the EventBridge rule `name` on the default bus of `region`.
pub fn rule(region: &str, account: &str, name: &str) -> String {
    format!(
        "arn:{}:events:{region}:{account}:rule/{name}",
        partition(region)
    )
}

/// The ARN of the default event bus of `region`.
pub fn default_bus(region: &str, account: &str) -> String {
    format!(
        "arn:{}:events:{region}:{account}:event-bus/default",
        partition(region)
    )
}

/// The ARN of the CloudWatch Logs log group `name` (as IAM policies and `TagResource` take it,
/// without the `:*` CloudTrail's `CloudWatchLogsLogGroupArn` ends in).
pub fn log_group(region: &str, account: &str, name: &str) -> String {
    format!(
        "arn:{}:logs:{region}:{account}:log-group:{name}",
        partition(region)
    )
}

/// The ARN of the CloudWatch alarm `name`.
pub fn alarm(region: &str, account: &str, name: &str) -> String {
    format!(
        "arn:{}:cloudwatch:{region}:{account}:alarm:{name}",
        partition(region)
    )
}

/// The ARN of the IAM role `name`.
pub fn role(region: &str, account: &str, name: &str) -> String {
    format!("arn:{}:iam::{account}:role/{name}", partition(region))
}

/// The ARN of the customer managed IAM policy `name`.
pub fn policy(region: &str, account: &str, name: &str) -> String {
    format!("arn:{}:iam::{account}:policy/{name}", partition(region))
}

/// Whether `key` is a KMS key ARN (not an alias ARN).
pub fn is_kms_key_arn(key: &str) -> bool {
    key.starts_with("arn:") && key.contains(":key/")
}

/// A KMS key given as key id, key ARN, alias name or alias ARN, in the form plans compare:
/// the key ARN when `resolved` knows it (KMS `DescribeKey`), otherwise the full ARN of what was
/// given (`alias/x` → `arn:…:alias/x`, a bare key id → `arn:…:key/id`).
pub fn kms_key(
    region: &str,
    account: &str,
    key: &str,
    resolved: &BTreeMap<String, String>,
) -> String {
    if let Some(arn) = resolved.get(key) {
        return arn.clone();
    }
    let arn = if key.starts_with("arn:") {
        key.to_owned()
    } else if key.starts_with("alias/") {
        format!("arn:{}:kms:{region}:{account}:{key}", partition(region))
    } else {
        format!("arn:{}:kms:{region}:{account}:key/{key}", partition(region))
    };
    resolved.get(&arn).cloned().unwrap_or(arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computed_arns() {
        assert_eq!(
            trail("eu-west-1", "111122223333", "t"),
            "arn:aws:cloudtrail:eu-west-1:111122223333:trail/t"
        );
        assert_eq!(
            topic("cn-north-1", "1", "x"),
            "arn:aws-cn:sns:cn-north-1:1:x"
        );
        assert_eq!(
            topic("us-east-1", "1", "arn:aws:sns:r:2:y"),
            "arn:aws:sns:r:2:y"
        );
    }

    #[test]
    fn kms_keys_compare_by_key_arn_when_resolved() {
        let key = "arn:aws:kms:us-east-1:1:key/abcd";
        let resolved = BTreeMap::from([("alias/logs".to_owned(), key.to_owned())]);
        assert_eq!(kms_key("us-east-1", "1", "alias/logs", &resolved), key);
        assert_eq!(kms_key("us-east-1", "1", key, &resolved), key);
        assert_eq!(kms_key("us-east-1", "1", "abcd", &BTreeMap::new()), key);
        assert_eq!(
            kms_key("us-east-1", "1", "alias/other", &resolved),
            "arn:aws:kms:us-east-1:1:alias/other"
        );
        let by_arn = BTreeMap::from([(
            "arn:aws:kms:us-east-1:1:alias/logs".to_owned(),
            key.to_owned(),
        )]);
        assert_eq!(kms_key("us-east-1", "1", "alias/logs", &by_arn), key);
    }
}

#[cfg(test)]
mod parse_tests {
    use super::{Parts, parse};

    #[test]
    fn an_arn_splits_into_its_parts() {
        assert_eq!(
            parse("arn:aws:events:us-east-1:111122223333:rule/bus/name:x"),
            Some(Parts {
                service: "events",
                region: "us-east-1",
                account: "111122223333",
                resource: "rule/bus/name:x",
            })
        );
        assert_eq!(parse("arn:aws:events:us-east-1"), None);
        assert_eq!(parse("not:an:arn:at:all:really"), None);
    }
}
