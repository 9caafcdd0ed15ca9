//! Proves the harness: real SDK clients, built from trailctl's AWS configuration, create a bucket
//! and a trail in the emulator, read them back, and each test's account is isolated.

use crate::emulator;

#[tokio::test]
async fn creates_a_bucket_and_a_trail_and_reads_them_back() {
    let emu = emulator::shared();
    let account = emu.account().await;
    let bucket = account.foreign_bucket("smoke-logs").await;
    let cloudtrail = account.cloudtrail("us-east-1").await;
    let created = cloudtrail
        .create_trail()
        .name("smoke-trail")
        .s3_bucket_name(&bucket)
        .is_multi_region_trail(true)
        .send()
        .await
        .unwrap();
    let arn = created.trail_arn().unwrap();
    assert!(
        arn.starts_with(&format!(
            "arn:aws:cloudtrail:us-east-1:{}:trail/",
            account.id
        )),
        "{arn}"
    );

    let trails = cloudtrail.describe_trails().send().await.unwrap();
    let trail = trails
        .trail_list()
        .iter()
        .find(|t| t.name() == Some("smoke-trail"))
        .expect("the trail just created");
    assert_eq!(trail.s3_bucket_name(), Some(bucket.as_str()));
    assert_eq!(trail.is_multi_region_trail(), Some(true));
    assert_eq!(trail.home_region(), Some("us-east-1"));

    let buckets = account.s3().await.list_buckets().send().await.unwrap();
    let names: Vec<_> = buckets.buckets().iter().filter_map(|b| b.name()).collect();
    assert_eq!(names, [bucket.as_str()]);

    let other = emu.account().await.cloudtrail("us-east-1").await;
    let seen = other.describe_trails().send().await.unwrap();
    assert!(seen.trail_list().is_empty(), "accounts must be isolated");
}
