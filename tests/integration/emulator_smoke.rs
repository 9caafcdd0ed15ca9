//! Proves the harness: real SDK clients, built from trailctl's AWS configuration, create a bucket
//! and a trail in the emulator, read them back, and each test's account is isolated.

use crate::emulator::{self, MotoAccount};

#[tokio::test]
async fn creates_a_bucket_and_a_trail_and_reads_them_back() {
    let emu = emulator::shared();
    let account = emulator::account();
    let config = emu.sdk_config("us-east-1").await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .interceptor(MotoAccount(account.clone()))
            .build(),
    );
    let cloudtrail = |acct: &str| {
        aws_sdk_cloudtrail::Client::from_conf(
            aws_sdk_cloudtrail::config::Builder::from(&config)
                .interceptor(MotoAccount(acct.to_owned()))
                .build(),
        )
    };

    s3.create_bucket()
        .bucket("smoke-logs")
        .send()
        .await
        .unwrap();
    let created = cloudtrail(&account)
        .create_trail()
        .name("smoke-trail")
        .s3_bucket_name("smoke-logs")
        .is_multi_region_trail(true)
        .send()
        .await
        .unwrap();
    let arn = created.trail_arn().unwrap();
    assert!(
        arn.starts_with(&format!("arn:aws:cloudtrail:us-east-1:{account}:trail/")),
        "{arn}"
    );

    let trails = cloudtrail(&account).describe_trails().send().await.unwrap();
    let trail = trails
        .trail_list()
        .iter()
        .find(|t| t.name() == Some("smoke-trail"))
        .expect("the trail just created");
    assert_eq!(trail.s3_bucket_name(), Some("smoke-logs"));
    assert_eq!(trail.is_multi_region_trail(), Some(true));
    assert_eq!(trail.home_region(), Some("us-east-1"));

    let buckets = s3.list_buckets().send().await.unwrap();
    let names: Vec<_> = buckets.buckets().iter().filter_map(|b| b.name()).collect();
    assert_eq!(names, ["smoke-logs"]);

    let other = cloudtrail(&emulator::account())
        .describe_trails()
        .send()
        .await
        .unwrap();
    assert!(other.trail_list().is_empty(), "accounts must be isolated");
}
