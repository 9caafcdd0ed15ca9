//! Shape checks for names, ids and ARNs, each returning what is wrong in a sentence.

use crate::model::region;

type Check = Result<(), String>;

fn is_ipv4_shaped(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
}

fn starts_and_ends_alnum(s: &str) -> bool {
    let ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    ok(s.chars().next()) && ok(s.chars().last())
}

/// Glue database and table names as Athena reads them: 1-255 lowercase letters, digits and
/// `_` (Athena User Guide, "Name databases, tables, and columns": Athena lowercases names, and
/// only the underscore is a special character it accepts).
pub fn glue_name(s: &str, what: &str) -> Check {
    let len = s.chars().count();
    if !(1..=255).contains(&len) {
        return Err(format!("a {what} name has 1 to 255 characters"));
    }
    match s
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
    {
        Some(c) => Err(format!(
            "a {what} name may contain only lowercase letters, digits and `_` (Athena), not `{c}`"
        )),
        None => Ok(()),
    }
}

/// Athena workgroup names (CreateWorkGroup `Name`): 1-128 letters, digits, `.`, `-` and `_`.
pub fn workgroup_name(s: &str) -> Check {
    let len = s.chars().count();
    if !(1..=128).contains(&len) {
        return Err("a workgroup name has 1 to 128 characters".to_owned());
    }
    match s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        Some(c) => Err(format!(
            "a workgroup name may contain only letters, digits, `.`, `_` and `-`, not `{c}`"
        )),
        None => Ok(()),
    }
}

/// CloudTrail trail names (CreateTrail `Name`).
pub fn trail_name(s: &str) -> Check {
    let len = s.chars().count();
    if !(3..=128).contains(&len) {
        return Err(format!(
            "a trail name has 3 to 128 characters, this one has {len}"
        ));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(format!(
            "a trail name may contain only letters, digits, `.`, `_` and `-`, not `{c}`"
        ));
    }
    if !starts_and_ends_alnum(s) {
        return Err("a trail name must start and end with a letter or digit".into());
    }
    let punct = |c: char| matches!(c, '.' | '_' | '-');
    let chars: Vec<char> = s.chars().collect();
    if let Some(w) = chars.windows(2).find(|w| punct(w[0]) && punct(w[1])) {
        return Err(format!(
            "a trail name may not have adjacent punctuation (`{}{}`)",
            w[0], w[1]
        ));
    }
    if is_ipv4_shaped(s) {
        return Err("a trail name may not be shaped like an IP address".into());
    }
    Ok(())
}

/// S3 general purpose bucket names (S3 User Guide, "General purpose bucket naming rules").
pub fn bucket_name(s: &str) -> Check {
    let len = s.len();
    if !(3..=63).contains(&len) {
        return Err(format!(
            "a bucket name has 3 to 63 characters, this one has {len}"
        ));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-')))
    {
        return Err(format!(
            "a bucket name may contain only lowercase letters, digits, `.` and `-`, not `{c}`"
        ));
    }
    if !starts_and_ends_alnum(s) {
        return Err("a bucket name must start and end with a letter or digit".into());
    }
    if s.contains("..") {
        return Err("a bucket name may not contain two adjacent periods".into());
    }
    if is_ipv4_shaped(s) {
        return Err("a bucket name may not be shaped like an IP address".into());
    }
    for p in ["xn--", "sthree-", "amzn-s3-demo-"] {
        if s.starts_with(p) {
            return Err(format!("bucket names starting with `{p}` are reserved"));
        }
    }
    for p in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] {
        if s.ends_with(p) {
            return Err(format!("bucket names ending with `{p}` are reserved"));
        }
    }
    Ok(())
}

/// A 12-digit AWS account id.
pub fn account_id(s: &str) -> Check {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("an account id is 12 digits, not `{s}`"))
    }
}

/// A Region of the `aws` partition.
pub fn region(s: &str) -> Check {
    if region::is_known(s) {
        Ok(())
    } else if region::is_other_partition(s) {
        Err(format!(
            "`{s}` is outside the aws partition; trailctl supports commercial Regions only"
        ))
    } else {
        Err(format!("unknown Region `{s}`"))
    }
}

/// The `stack` name: it becomes a tag value and a prefix of generated resource names.
pub fn stack_name(s: &str) -> Check {
    let ok_chars = s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if (1..=32).contains(&s.len()) && ok_chars && starts_and_ends_alnum(s) {
        Ok(())
    } else {
        Err(format!(
            "a stack name has 1 to 32 letters, digits and `-`, starting and ending with a letter or digit, not `{s}`"
        ))
    }
}

/// The parts of an ARN.
#[derive(Debug, PartialEq, Eq)]
pub struct Arn<'a> {
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

/// Parses `arn:aws:SERVICE:REGION:ACCOUNT:RESOURCE`.
pub fn arn(s: &str) -> Result<Arn<'_>, String> {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    let [prefix, partition, service, region, account, resource] = parts[..] else {
        return Err(format!(
            "`{s}` is not an ARN (arn:aws:SERVICE:REGION:ACCOUNT:RESOURCE)"
        ));
    };
    if prefix != "arn" || service.is_empty() || resource.is_empty() {
        return Err(format!(
            "`{s}` is not an ARN (arn:aws:SERVICE:REGION:ACCOUNT:RESOURCE)"
        ));
    }
    if partition != "aws" {
        return Err(format!(
            "`{s}` is in partition `{partition}`; trailctl supports the aws partition only"
        ));
    }
    if !region.is_empty() && !region::is_known(region) {
        return Err(format!("`{s}` names unknown Region `{region}`"));
    }
    if !account.is_empty() && account_id(account).is_err() {
        return Err(format!("`{s}` has account `{account}`, not 12 digits"));
    }
    Ok(Arn {
        service,
        region,
        account,
        resource,
    })
}

/// An ARN of `service` whose resource starts with `resource_prefix`.
pub fn arn_of(s: &str, service: &str, resource_prefix: &str, example: &str) -> Check {
    let a = arn(s)?;
    if a.service != service || !a.resource.starts_with(resource_prefix) {
        return Err(format!("`{s}` is not {example} ARN"));
    }
    Ok(())
}

fn is_key_id(s: &str) -> bool {
    let uuid = s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    let mrk = s
        .strip_prefix("mrk-")
        .is_some_and(|h| h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    uuid || mrk
}

fn is_alias(s: &str) -> bool {
    s.strip_prefix("alias/").is_some_and(|n| {
        (1..=250).contains(&n.len())
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-'))
    })
}

/// A KMS key: key id, multi-Region key id, `alias/NAME`, or the ARN of a key or alias.
pub fn kms_key(s: &str) -> Check {
    if is_key_id(s) || is_alias(s) {
        return Ok(());
    }
    let shape = "a KMS key id, `alias/NAME`, or a key or alias ARN";
    if s.starts_with("arn:") {
        let a = arn(s)?;
        let ok = a.service == "kms"
            && !a.region.is_empty()
            && !a.account.is_empty()
            && (a.resource.strip_prefix("key/").is_some_and(is_key_id) || is_alias(a.resource));
        return if ok {
            Ok(())
        } else {
            Err(format!("`{s}` is not {shape}"))
        };
    }
    Err(format!("`{s}` is not {shape}"))
}

/// An SNS topic name (letters, digits, `_`, `-`, 1 to 256, optionally ending in `.fifo`) or ARN.
pub fn topic_name_or_arn(s: &str) -> Check {
    if s.starts_with("arn:") {
        let a = arn(s)?;
        return if a.service == "sns" && !a.region.is_empty() && !a.account.is_empty() {
            topic_name(a.resource)
        } else {
            Err(format!("`{s}` is not an SNS topic ARN"))
        };
    }
    topic_name(s)
}

fn topic_name(s: &str) -> Check {
    let base = s.strip_suffix(".fifo").unwrap_or(s);
    let ok = (1..=256).contains(&s.len())
        && base
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{s}` is not a topic name (1 to 256 letters, digits, `_` and `-`)"
        ))
    }
}

/// A tag key: 1 to 128 characters of letters, digits, spaces and `_ . : / = + - @`.
pub fn tag_key(s: &str) -> Check {
    if !(1..=128).contains(&s.chars().count()) {
        return Err("a tag key has 1 to 128 characters".into());
    }
    if s.to_ascii_lowercase().starts_with("aws:") {
        return Err(format!(
            "tag key `{s}`: the `aws:` prefix is reserved by AWS"
        ));
    }
    tag_chars(s, "key")
}

/// A tag value: up to 256 characters of the same set as keys.
pub fn tag_value(s: &str) -> Check {
    if s.chars().count() > 256 {
        return Err("a tag value has at most 256 characters".into());
    }
    tag_chars(s, "value")
}

fn tag_chars(s: &str, what: &str) -> Check {
    match s
        .chars()
        .find(|c| !(c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(*c)))
    {
        Some(c) => Err(format!(
            "tag {what} `{s}` contains `{c}`, which tags do not allow"
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trail_names() {
        for ok in ["abc", "acme-audit", "a.b_c-d", "Trail01"] {
            assert_eq!(trail_name(ok), Ok(()), "{ok}");
        }
        for bad in [
            "ab",
            "-abc",
            "abc-",
            "my-_namespace",
            "my--ns",
            "a..b",
            "192.168.5.4",
            "a b c",
        ] {
            assert!(trail_name(bad).is_err(), "{bad}");
        }
        assert!(trail_name(&"a".repeat(129)).is_err());
    }

    #[test]
    fn bucket_names() {
        for ok in ["acme-audit-logs", "a.b.c", "abc"] {
            assert_eq!(bucket_name(ok), Ok(()), "{ok}");
        }
        for bad in [
            "Acme",
            "ab",
            "a..b",
            "-ab",
            "10.0.0.1",
            "xn--abc",
            "abc-s3alias",
            "a_b",
        ] {
            assert!(bucket_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn kms_keys() {
        for ok in [
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "mrk-1234abcd12ab34cd56ef1234567890ab",
            "alias/audit",
            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:us-east-1:123456789012:alias/audit",
        ] {
            assert_eq!(kms_key(ok), Ok(()), "{ok}");
        }
        for bad in [
            "audit",
            "alias/",
            "arn:aws:kms:us-east-1:123456789012:key/nope",
            "arn:aws:s3:::b",
            "1234abcd",
        ] {
            assert!(kms_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn arns() {
        let a = arn("arn:aws:logs:us-east-1:123456789012:log-group:trail:*").unwrap();
        assert_eq!((a.service, a.resource), ("logs", "log-group:trail:*"));
        assert!(arn("arn:aws-cn:s3:::b").unwrap_err().contains("partition"));
        assert!(
            arn("arn:aws:iam::12345:role/x")
                .unwrap_err()
                .contains("12 digits")
        );
        assert!(arn("nope").is_err());
        assert!(arn_of("arn:aws:iam::123456789012:role/R", "iam", "role/", "a role").is_ok());
        assert!(arn_of("arn:aws:iam::123456789012:user/U", "iam", "role/", "a role").is_err());
    }

    #[test]
    fn topics_tags_accounts_regions_stacks() {
        assert!(topic_name_or_arn("trail-delivery").is_ok());
        assert!(topic_name_or_arn("alerts.fifo").is_ok());
        assert!(topic_name_or_arn("arn:aws:sns:us-east-1:123456789012:t").is_ok());
        assert!(topic_name_or_arn("bad name").is_err());
        assert!(tag_key("team").is_ok() && tag_key("aws:x").is_err() && tag_key("").is_err());
        assert!(tag_value("").is_ok() && tag_value("a{b}").is_err());
        assert!(account_id("123456789012").is_ok() && account_id("12345678901").is_err());
        assert!(region("eu-west-1").is_ok() && region("cn-north-1").is_err());
        assert!(stack_name("acme-audit").is_ok() && stack_name("acme_audit").is_err());
    }
}
