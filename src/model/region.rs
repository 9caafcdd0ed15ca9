//! AWS Regions of the commercial partition that trailctl knows.

/// Regions enabled by default in every account (launched before 20 March 2019, per the AWS Account
/// Management Reference Guide, "Enable or disable AWS Regions in your account"). This is what
/// `regions: all` means.
pub const DEFAULT_ENABLED: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "sa-east-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
];

/// The Regions of `spec` a trail homed in `home` logs in: all of them, or its home Region.
pub fn logged_in<'a>(
    spec: &'a [String],
    home: &'a str,
    all_regions: bool,
) -> impl Iterator<Item = &'a str> {
    spec.iter()
        .map(String::as_str)
        .filter(move |r| all_regions || *r == home)
}

/// Opt-in Regions: usable only once the account enables them, so only when a spec lists them.
pub const OPT_IN: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-south-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-west-1",
    "eu-central-2",
    "eu-south-1",
    "eu-south-2",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
];

/// Whether `name` is a Region trailctl knows (default-enabled or opt-in).
pub fn is_known(name: &str) -> bool {
    DEFAULT_ENABLED.contains(&name) || OPT_IN.contains(&name)
}

/// Region codes of partitions trailctl does not support (GovCloud, China, ISO).
pub fn is_other_partition(name: &str) -> bool {
    ["us-gov-", "cn-", "us-iso", "eu-isoe-"]
        .iter()
        .any(|p| name.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_disjoint_and_well_formed() {
        for r in DEFAULT_ENABLED {
            assert!(!OPT_IN.contains(r), "{r} in both lists");
        }
        assert_eq!(DEFAULT_ENABLED.len(), 17);
        assert!(is_known("eu-west-1") && is_known("mx-central-1") && !is_known("eu-west-9"));
        assert!(is_other_partition("us-gov-west-1") && !is_other_partition("us-east-1"));
    }
}
