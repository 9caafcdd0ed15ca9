//! Audit safety: which changes reduce what is logged or kept, and why, in words.

use crate::model::selector::AdvancedSelector;
use crate::model::state::{BucketState, TrailState};

/// Why changing trail `before` into `after` reduces audit logging (empty: it does not).
pub fn trail_update(before: &TrailState, after: &TrailState) -> Vec<String> {
    let mut why = Vec::new();
    if !before.logging {
        // A trail that is not logging loses nothing by any change.
        return why;
    }
    if !after.logging {
        why.push("stops logging".to_owned());
    }
    if before.settings.all_regions && !after.settings.all_regions {
        why.push(format!("stops logging Regions other than {}", after.region));
    }
    if before.settings.global_service_events && !after.settings.global_service_events {
        why.push("stops logging global service events (IAM, STS, CloudFront)".to_owned());
    }
    let (br, bw) = crate::model::selector::coverage(&before.selectors);
    let (ar, aw) = crate::model::selector::coverage(&after.selectors);
    if br && !ar {
        why.push("stops logging read management events".to_owned());
    }
    if bw && !aw {
        why.push("stops logging write management events".to_owned());
    }
    let excluded = |t: &TrailState| -> Vec<String> {
        t.selectors
            .iter()
            .flat_map(|s| s.fields.iter())
            .filter(|f| f.field == "eventSource")
            .flat_map(|f| f.not_equals.iter().cloned())
            .collect()
    };
    let (be, ae) = (excluded(before), excluded(after));
    for source in ae.iter().filter(|s| !be.contains(s)) {
        if ar || aw {
            why.push(format!("excludes management events from {source}"));
        }
    }
    let is_data = |s: &&AdvancedSelector| {
        s.equals_of("eventCategory")
            .is_some_and(|c| c.iter().any(|x| x != "Management"))
    };
    for lost in before
        .selectors
        .iter()
        .filter(is_data)
        .filter(|b| !after.selectors.iter().any(|a| a.covers(b)))
    {
        let kind = lost
            .equals_of("resources.type")
            .map(|t| t.join(", "))
            .unwrap_or_else(|| "data".to_owned());
        why.push(format!(
            "removes or narrows the data event selector for {kind}"
        ));
    }
    for i in before.insights.difference(&after.insights) {
        why.push(format!("turns off Insights {}", i.name()));
    }
    if before.settings.log_file_validation && !after.settings.log_file_validation {
        why.push("turns off log file integrity validation".to_owned());
    }
    if before.settings.cloudwatch_logs.is_some() && after.settings.cloudwatch_logs.is_none() {
        why.push("stops delivery to CloudWatch Logs".to_owned());
    }
    why
}

/// Why changing bucket `before` into `after` loses logs sooner.
pub fn bucket_update(before: &BucketState, after: &BucketState) -> Vec<String> {
    match (before.retention_days, after.retention_days) {
        (None, Some(d)) => vec![format!("log files now expire after {d} days (were kept)")],
        (Some(b), Some(a)) if a < b => {
            vec![format!("log files expire after {a} days instead of {b}")]
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::desired::InsightType;
    use crate::model::observed::TrailSettings;
    use crate::model::selector::{ManagementEvents, management_selector};
    use crate::model::state::Encryption;

    fn trail() -> TrailState {
        TrailState {
            name: "t".into(),
            region: "us-east-1".into(),
            settings: TrailSettings {
                all_regions: true,
                global_service_events: true,
                bucket: "b".into(),
                prefix: None,
                kms_key: None,
                log_file_validation: true,
                cloudwatch_logs: None,
                delivery_topic: None,
            },
            logging: true,
            selectors: vec![management_selector(ManagementEvents::All, &[]).unwrap()],
            insights: [InsightType::ApiCallRate].into(),
            tags: Default::default(),
        }
    }

    #[test]
    fn each_reduction_is_named_and_an_increase_is_not() {
        let before = trail();
        let mut after = trail();
        after.logging = false;
        after.settings.all_regions = false;
        after.selectors = vec![
            management_selector(ManagementEvents::WriteOnly, &["kms.amazonaws.com".into()])
                .unwrap(),
        ];
        after.insights.clear();
        after.settings.log_file_validation = false;
        let why = trail_update(&before, &after);
        assert_eq!(why.len(), 6, "{why:?}");
        let mut idle = before.clone();
        idle.logging = false;
        assert!(trail_update(&idle, &after).is_empty());
        assert!(trail_update(&after, &before).is_empty());
        assert!(trail_update(&before, &before).is_empty());
    }

    #[test]
    fn shorter_retention_is_destructive_longer_is_not() {
        let b = BucketState {
            name: "b".into(),
            region: "us-east-1".into(),
            block_public_access: true,
            owner_enforced: true,
            encryption: Encryption::S3,
            retention_days: Some(400),
            policy: None,
            tags: Default::default(),
        };
        let mut shorter = b.clone();
        shorter.retention_days = Some(30);
        assert_eq!(bucket_update(&b, &shorter).len(), 1);
        assert!(bucket_update(&shorter, &b).is_empty());
        let mut forever = b.clone();
        forever.retention_days = None;
        assert!(bucket_update(&b, &forever).is_empty());
        assert_eq!(bucket_update(&forever, &b).len(), 1);
    }
}
