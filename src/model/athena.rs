//! A trail's Athena side: the Glue database and the CloudTrail table over the trail's S3 layout
//! (partition projection, so new days need no `MSCK REPAIR` and no crawler), and the workgroup
//! queries run in, its results in a bucket of their own.
//!
//! The table is the one the Athena User Guide defines in "Create the table for CloudTrail logs
//! in Athena using partition projection": its columns, the JSON SerDe and CloudTrail's input
//! format, plus `insightdetails` for Insights events. trailctl projects four partitions instead
//! of the guide's one, so that one table covers every account, kind of log and Region of the
//! trail: `account`, `logtype` (`CloudTrail`, and `CloudTrail-Insight` for a trail with
//! Insights), `region` (every Region the trail's records carry) and `timestamp` (days,
//! `yyyy/MM/dd`).

use std::collections::BTreeMap;

use crate::model::diagnostic::SpecPath;

/// `athena:` of a trail, as the spec declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Athena {
    pub database: String,
    pub table: String,
    pub workgroup: String,
    pub results_bucket: String,
    pub results_retention_days: u32,
    /// `BytesScannedCutoffPerQuery`, in bytes.
    pub bytes_scanned_cutoff: Option<u64>,
    pub path: SpecPath,
}

pub const DEFAULT_TABLE: &str = "cloudtrail";
pub const DEFAULT_RESULTS_RETENTION_DAYS: u64 = 30;
/// Athena: `BytesScannedCutoffPerQuery` is at least 10 MB (10,000,000 bytes).
pub const MIN_BYTES_SCANNED_CUTOFF: u64 = 10_000_000;

pub const SERDE: &str = "org.apache.hive.hcatalog.data.JsonSerDe";
pub const INPUT_FORMAT: &str = "com.amazon.emr.cloudtrail.CloudTrailInputFormat";
pub const OUTPUT_FORMAT: &str = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";

/// The partition keys, in the order of the S3 layout: `logtype` is the folder of the kind of log
/// (`CloudTrail`, and `CloudTrail-Insight` for a trail with Insights, whose events EventBridge
/// receives too).
pub const PARTITION_KEYS: [&str; 4] = ["account", "logtype", "region", "timestamp"];

/// The folders of the kinds of log the table reads: Insights events only for a trail with
/// Insights.
pub fn log_types(insights: bool) -> &'static [&'static str] {
    if insights {
        &["CloudTrail", "CloudTrail-Insight"]
    } else {
        &["CloudTrail"]
    }
}

/// The first day partitions are projected for: CloudTrail's launch (2013-11-13). Queries always
/// name a day range, so an early start costs nothing.
pub const PROJECTION_START: &str = "2013/11/13";

/// The CloudTrail table's columns and their Hive types (the Athena User Guide's table).
pub const COLUMNS: &[(&str, &str)] = &[
    ("eventversion", "string"),
    (
        "useridentity",
        "struct<type:string,principalid:string,arn:string,accountid:string,invokedby:string,\
         accesskeyid:string,username:string,onbehalfof:struct<userid:string,identitystorearn:string>,\
         sessioncontext:struct<attributes:struct<mfaauthenticated:string,creationdate:string>,\
         sessionissuer:struct<type:string,principalid:string,arn:string,accountid:string,username:string>,\
         ec2roledelivery:string,webidfederationdata:struct<federatedprovider:string,attributes:map<string,string>>>>",
    ),
    ("eventtime", "string"),
    ("eventsource", "string"),
    ("eventname", "string"),
    ("awsregion", "string"),
    ("sourceipaddress", "string"),
    ("useragent", "string"),
    ("errorcode", "string"),
    ("errormessage", "string"),
    ("requestparameters", "string"),
    ("responseelements", "string"),
    ("additionaleventdata", "string"),
    ("requestid", "string"),
    ("eventid", "string"),
    ("readonly", "string"),
    (
        "resources",
        "array<struct<arn:string,accountid:string,type:string>>",
    ),
    ("eventtype", "string"),
    ("apiversion", "string"),
    ("recipientaccountid", "string"),
    ("serviceeventdetails", "string"),
    ("sharedeventid", "string"),
    ("vpcendpointid", "string"),
    ("vpcendpointaccountid", "string"),
    ("eventcategory", "string"),
    (
        "addendum",
        "struct<reason:string,updatedfields:string,originalrequestid:string,originaleventid:string>",
    ),
    ("sessioncredentialfromconsole", "string"),
    // Insights events (`CloudTrail-Insight/`): what the Insight is about, as JSON text.
    ("insightdetails", "string"),
    ("edgedevicedetails", "string"),
    (
        "tlsdetails",
        "struct<tlsversion:string,ciphersuite:string,clientprovidedhostheader:string>",
    ),
];

/// `s3://BUCKET/[PREFIX/]AWSLogs/`: where the trail's log files are.
pub fn location(bucket: &str, prefix: Option<&str>) -> String {
    match prefix {
        Some(p) => format!("s3://{bucket}/{}/AWSLogs/", p.trim_matches('/')),
        None => format!("s3://{bucket}/AWSLogs/"),
    }
}

/// The table parameters: external, and partitions projected over the trail's layout
/// (`AWSLogs/ACCOUNT/LOGTYPE/REGION/YYYY/MM/DD/`, LOGTYPE `CloudTrail` or `CloudTrail-Insight`).
pub fn parameters(
    location: &str,
    account: &str,
    log_types: &[&str],
    regions: &[String],
) -> BTreeMap<String, String> {
    let mut p = BTreeMap::new();
    let mut set = |k: &str, v: &str| {
        p.insert(k.to_owned(), v.to_owned());
    };
    set("EXTERNAL", "TRUE");
    set("classification", "cloudtrail");
    set("projection.enabled", "true");
    set("projection.account.type", "enum");
    set("projection.account.values", account);
    set("projection.logtype.type", "enum");
    set("projection.logtype.values", &log_types.join(","));
    set("projection.region.type", "enum");
    set("projection.region.values", &regions.join(","));
    set("projection.timestamp.type", "date");
    set("projection.timestamp.format", "yyyy/MM/dd");
    set("projection.timestamp.interval", "1");
    set("projection.timestamp.interval.unit", "DAYS");
    set(
        "projection.timestamp.range",
        &format!("{PROJECTION_START},NOW"),
    );
    set(
        "storage.location.template",
        &format!("{location}${{account}}/${{logtype}}/${{region}}/${{timestamp}}"),
    );
    p
}

/// Whether a table parameter is one trailctl decides (the others, such as those Glue or Athena
/// add themselves, are left alone and never compared).
pub fn is_managed_parameter(key: &str) -> bool {
    key == "EXTERNAL"
        || key == "classification"
        || key.starts_with("projection.")
        || key.starts_with("storage.")
}

/// A size such as `10GB`, `500 MB`, `1TB` or a number of bytes (decimal units, as Athena's
/// console shows them).
pub fn size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    let unit = t[digits.len()..].trim().to_ascii_uppercase();
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size (like 10GB, 500MB, 1TB)"))?;
    let factor: u64 = match unit.as_str() {
        "" | "B" => 1,
        "KB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        "TB" => 1_000_000_000_000,
        _ => return Err(format!("`{text}`: the unit is B, KB, MB, GB or TB")),
    };
    n.checked_mul(factor)
        .ok_or_else(|| format!("`{text}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_athena_counts_bytes() {
        assert_eq!(size("10GB"), Ok(10_000_000_000));
        assert_eq!(size("500 MB"), Ok(500_000_000));
        assert_eq!(size("12345"), Ok(12_345));
        assert!(size("10 GiB").is_err());
        assert!(size("lots").is_err());
    }

    #[test]
    fn projection_follows_the_trail_layout() {
        let loc = location("logs", Some("audit/"));
        assert_eq!(loc, "s3://logs/audit/AWSLogs/");
        let p = parameters(
            &loc,
            "123456789012",
            log_types(true),
            &["us-east-1".into(), "eu-west-1".into()],
        );
        assert_eq!(
            p["storage.location.template"],
            "s3://logs/audit/AWSLogs/${account}/${logtype}/${region}/${timestamp}"
        );
        assert_eq!(
            p["projection.logtype.values"],
            "CloudTrail,CloudTrail-Insight"
        );
        assert_eq!(p["projection.region.values"], "us-east-1,eu-west-1");
        assert!(p.keys().all(|k| is_managed_parameter(k)));
    }
}
