//! S3 through the SDK: a delivery bucket's settings, policy and tags.

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::RequestId;
use aws_sdk_s3::types::{
    BucketLifecycleConfiguration, BucketLocationConstraint, BucketLoggingStatus,
    CreateBucketConfiguration, ExpirationStatus, LifecycleExpiration, LifecycleRule,
    LifecycleRuleFilter, LoggingEnabled, ObjectOwnership, OwnershipControls, OwnershipControlsRule,
    PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule, Tag, Tagging,
};
use serde_json::Value;

use crate::live::aws::account::AwsAccount;
use crate::live::aws::error::{build, code, map};
use crate::live::aws::operations as ops;
use crate::live::error::{ErrorKind, LiveResult};
use crate::live::services::S3;
use crate::model::observed::{LiveBucket, PolicyObservation};
use crate::model::state::{AccessLogging, Encryption};
use crate::model::tags::Tags;

/// The ID of the lifecycle rule trailctl owns on its buckets.
const RETENTION_RULE: &str = "trailctl-retention";

/// A bucket setting that may not be configured: the `absent` error code means `Ok(None)`.
fn optional<T, E, R>(
    result: Result<T, SdkError<E, R>>,
    operation: &'static str,
    region: &str,
    absent: &str,
) -> LiveResult<Option<T>>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
    SdkError<E, R>: RequestId,
{
    match result {
        Ok(out) => Ok(Some(out)),
        Err(e) if code(&e) == Some(absent) => Ok(None),
        Err(e) => Err(map(operation, region, e)),
    }
}

impl AwsAccount {
    /// The Region of an existing bucket, `Ok(None)` if there is no such bucket.
    pub(super) async fn bucket_region(&self, name: &str) -> LiveResult<Option<String>> {
        let region = self.default_region().to_owned();
        match self
            .s3(&region)
            .get_bucket_location()
            .bucket(name)
            .send()
            .await
        {
            Ok(out) => Ok(Some(match out.location_constraint().map(|c| c.as_str()) {
                None | Some("") => "us-east-1".to_owned(),
                Some("EU") => "eu-west-1".to_owned(),
                Some(r) => r.to_owned(),
            })),
            Err(e) if code(&e) == Some("NoSuchBucket") => Ok(None),
            Err(e) => Err(map(ops::S3_GET_BUCKET_LOCATION, &region, e)),
        }
    }
}

/// Tags as S3 takes them (on a bucket's creation or its tagging).
fn tag_set(op: &'static str, region: &str, tags: &Tags) -> LiveResult<Vec<Tag>> {
    tags.iter()
        .map(|(k, v)| {
            Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| build(op, region, e))
        })
        .collect()
}

fn policy_json(op: &'static str, region: &str, text: &str) -> LiveResult<Value> {
    serde_json::from_str(text)
        .map_err(|e| build(op, region, format!("the bucket policy is not JSON: {e}")))
}

impl S3 for AwsAccount {
    async fn bucket(&self, name: &str) -> LiveResult<Option<LiveBucket>> {
        let Some(region) = self.bucket_region(name).await? else {
            return Ok(None);
        };
        let r = region.as_str();
        let c = self.s3(r);
        let (pab, own, enc, life, pol, tags, logging) = tokio::join!(
            c.get_public_access_block().bucket(name).send(),
            c.get_bucket_ownership_controls().bucket(name).send(),
            c.get_bucket_encryption().bucket(name).send(),
            c.get_bucket_lifecycle_configuration().bucket(name).send(),
            c.get_bucket_policy().bucket(name).send(),
            c.get_bucket_tagging().bucket(name).send(),
            c.get_bucket_logging().bucket(name).send(),
        );
        let access_logging = logging
            .map_err(|e| map(ops::S3_GET_BUCKET_LOGGING, r, e))?
            .logging_enabled()
            .map(|l| AccessLogging {
                bucket: l.target_bucket().to_owned(),
                prefix: l.target_prefix().to_owned(),
            });
        let pab = optional(
            pab,
            ops::S3_GET_PUBLIC_ACCESS_BLOCK,
            r,
            "NoSuchPublicAccessBlockConfiguration",
        )?;
        let own = optional(
            own,
            ops::S3_GET_BUCKET_OWNERSHIP_CONTROLS,
            r,
            "OwnershipControlsNotFoundError",
        )?;
        let enc = optional(
            enc,
            ops::S3_GET_BUCKET_ENCRYPTION,
            r,
            "ServerSideEncryptionConfigurationNotFoundError",
        )?;
        let life = optional(
            life,
            ops::S3_GET_BUCKET_LIFECYCLE_CONFIGURATION,
            r,
            "NoSuchLifecycleConfiguration",
        )?;
        let pol = optional(pol, ops::S3_GET_BUCKET_POLICY, r, "NoSuchBucketPolicy")?;
        let tags = optional(tags, ops::S3_GET_BUCKET_TAGGING, r, "NoSuchTagSet")?;
        let block_public_access = pab
            .as_ref()
            .and_then(|p| p.public_access_block_configuration())
            .is_some_and(|p| {
                [
                    p.block_public_acls(),
                    p.ignore_public_acls(),
                    p.block_public_policy(),
                    p.restrict_public_buckets(),
                ]
                .iter()
                .all(|v| *v == Some(true))
            });
        let owner_enforced = own
            .as_ref()
            .and_then(|o| o.ownership_controls())
            .is_some_and(|o| {
                o.rules()
                    .iter()
                    .any(|r| r.object_ownership() == &ObjectOwnership::BucketOwnerEnforced)
            });
        let default = enc
            .as_ref()
            .and_then(|e| e.server_side_encryption_configuration())
            .and_then(|e| e.rules().first())
            .and_then(|r| r.apply_server_side_encryption_by_default());
        let encryption = match default {
            None => Encryption::None,
            Some(d) if d.sse_algorithm() == &ServerSideEncryption::Aes256 => Encryption::S3,
            Some(d) => match d.kms_master_key_id() {
                Some(k) => Encryption::Kms(k.to_owned()),
                None => Encryption::Kms("aws/s3".to_owned()),
            },
        };
        let retention_days = life.as_ref().and_then(|l| {
            l.rules()
                .iter()
                .find(|r| {
                    r.id() == Some(RETENTION_RULE) && r.status() == &ExpirationStatus::Enabled
                })
                .and_then(|r| r.expiration())
                .and_then(|e| e.days())
                .and_then(|d| u32::try_from(d).ok())
        });
        let policy = match pol.as_ref().and_then(|p| p.policy()) {
            Some(text) => Some(policy_json(ops::S3_GET_BUCKET_POLICY, r, text)?),
            None => None,
        };
        let tags = tags
            .map(|t| {
                t.tag_set()
                    .iter()
                    .map(|t| (t.key().to_owned(), t.value().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Some(LiveBucket {
            region,
            block_public_access,
            owner_enforced,
            encryption,
            retention_days,
            policy,
            access_logging,
            tags,
        }))
    }

    async fn bucket_policy(&self, name: &str) -> LiveResult<PolicyObservation> {
        let region = match self.bucket_region(name).await {
            Ok(Some(r)) => r,
            Ok(None) => return Ok(PolicyObservation::MissingBucket),
            // Another account's bucket: we may still be allowed to read its policy.
            Err(e) if e.kind == ErrorKind::AccessDenied => self.default_region().to_owned(),
            Err(e) => return Err(e),
        };
        match self
            .s3(&region)
            .get_bucket_policy()
            .bucket(name)
            .send()
            .await
        {
            Ok(out) => Ok(PolicyObservation::Policy(policy_json(
                ops::S3_GET_BUCKET_POLICY,
                &region,
                out.policy().unwrap_or("{}"),
            )?)),
            Err(e) if code(&e) == Some("NoSuchBucketPolicy") => Ok(PolicyObservation::NoPolicy),
            Err(e) if code(&e) == Some("NoSuchBucket") => Ok(PolicyObservation::MissingBucket),
            Err(e) => {
                let e = map(ops::S3_GET_BUCKET_POLICY, &region, e);
                if e.kind == ErrorKind::AccessDenied {
                    Ok(PolicyObservation::Unreadable(e.to_string()))
                } else {
                    Err(e)
                }
            }
        }
    }

    /// Tags at creation (`CreateBucketConfiguration.Tags`, general purpose buckets; it needs
    /// `s3:TagResource`). Refused that (an older policy), the bucket is created untagged and
    /// tagged at once: the one case where a failure between the two strands it.
    async fn create_bucket(&self, region: &str, name: &str, tags: &Tags) -> LiveResult<()> {
        const OP: &str = ops::S3_CREATE_BUCKET;
        let tag_set = tag_set(OP, region, tags)?;
        let config = |tags: Option<Vec<Tag>>| {
            let location = (region != "us-east-1").then(|| BucketLocationConstraint::from(region));
            CreateBucketConfiguration::builder()
                .set_location_constraint(location)
                .set_tags(tags)
                .build()
        };
        let tagged = self
            .s3(region)
            .create_bucket()
            .bucket(name)
            .create_bucket_configuration(config(Some(tag_set)))
            .send()
            .await
            .map_err(|e| map(OP, region, e));
        match tagged {
            Ok(_) => Ok(()),
            Err(e) if e.kind == ErrorKind::AccessDenied => {
                tracing::warn!(bucket = name, error = %e, "creating the bucket with its tags was refused (s3:TagResource?); creating it, then tagging it");
                let untagged = if region == "us-east-1" {
                    None
                } else {
                    Some(config(None))
                };
                self.s3(region)
                    .create_bucket()
                    .bucket(name)
                    .set_create_bucket_configuration(untagged)
                    .send()
                    .await
                    .map_err(|e| map(OP, region, e))?;
                self.put_tags(region, name, tags).await
            }
            Err(e) => Err(e),
        }
    }

    async fn block_public_access(&self, region: &str, name: &str) -> LiveResult<()> {
        let all = PublicAccessBlockConfiguration::builder()
            .block_public_acls(true)
            .ignore_public_acls(true)
            .block_public_policy(true)
            .restrict_public_buckets(true)
            .build();
        self.s3(region)
            .put_public_access_block()
            .bucket(name)
            .public_access_block_configuration(all)
            .send()
            .await
            .map_err(|e| map(ops::S3_PUT_PUBLIC_ACCESS_BLOCK, region, e))?;
        Ok(())
    }

    async fn enforce_bucket_owner(&self, region: &str, name: &str) -> LiveResult<()> {
        const OP: &str = ops::S3_PUT_BUCKET_OWNERSHIP_CONTROLS;
        let rule = OwnershipControlsRule::builder()
            .object_ownership(ObjectOwnership::BucketOwnerEnforced)
            .build()
            .map_err(|e| build(OP, region, e))?;
        let controls = OwnershipControls::builder()
            .rules(rule)
            .build()
            .map_err(|e| build(OP, region, e))?;
        self.s3(region)
            .put_bucket_ownership_controls()
            .bucket(name)
            .ownership_controls(controls)
            .send()
            .await
            .map_err(|e| map(OP, region, e))?;
        Ok(())
    }

    async fn put_encryption(
        &self,
        region: &str,
        name: &str,
        encryption: &Encryption,
    ) -> LiveResult<()> {
        const OP: &str = ops::S3_PUT_BUCKET_ENCRYPTION;
        let default = match encryption {
            Encryption::Kms(k) => ServerSideEncryptionByDefault::builder()
                .sse_algorithm(ServerSideEncryption::AwsKms)
                .kms_master_key_id(k),
            Encryption::S3 | Encryption::None => {
                ServerSideEncryptionByDefault::builder().sse_algorithm(ServerSideEncryption::Aes256)
            }
        }
        .build()
        .map_err(|e| build(OP, region, e))?;
        let rule = ServerSideEncryptionRule::builder()
            .apply_server_side_encryption_by_default(default)
            .bucket_key_enabled(matches!(encryption, Encryption::Kms(_)))
            .build();
        let config = ServerSideEncryptionConfiguration::builder()
            .rules(rule)
            .build()
            .map_err(|e| build(OP, region, e))?;
        self.s3(region)
            .put_bucket_encryption()
            .bucket(name)
            .server_side_encryption_configuration(config)
            .send()
            .await
            .map_err(|e| map(OP, region, e))?;
        Ok(())
    }

    async fn put_retention(&self, region: &str, name: &str, days: Option<u32>) -> LiveResult<()> {
        const OP: &str = ops::S3_PUT_BUCKET_LIFECYCLE_CONFIGURATION;
        let Some(days) = days else {
            self.s3(region)
                .delete_bucket_lifecycle()
                .bucket(name)
                .send()
                .await
                .map_err(|e| map(ops::S3_DELETE_BUCKET_LIFECYCLE, region, e))?;
            return Ok(());
        };
        let rule = LifecycleRule::builder()
            .id(RETENTION_RULE)
            .status(ExpirationStatus::Enabled)
            .filter(LifecycleRuleFilter::builder().prefix("").build())
            .expiration(
                LifecycleExpiration::builder()
                    .days(i32::try_from(days).unwrap_or(i32::MAX))
                    .build(),
            )
            .build()
            .map_err(|e| build(OP, region, e))?;
        let config = BucketLifecycleConfiguration::builder()
            .rules(rule)
            .build()
            .map_err(|e| build(OP, region, e))?;
        self.s3(region)
            .put_bucket_lifecycle_configuration()
            .bucket(name)
            .lifecycle_configuration(config)
            .send()
            .await
            .map_err(|e| map(OP, region, e))?;
        Ok(())
    }

    async fn put_access_logging(
        &self,
        region: &str,
        name: &str,
        logging: Option<&AccessLogging>,
    ) -> LiveResult<()> {
        const OP: &str = ops::S3_PUT_BUCKET_LOGGING;
        let mut status = BucketLoggingStatus::builder();
        if let Some(l) = logging {
            status = status.logging_enabled(
                LoggingEnabled::builder()
                    .target_bucket(&l.bucket)
                    .target_prefix(&l.prefix)
                    .build()
                    .map_err(|e| build(OP, region, e))?,
            );
        }
        self.s3(region)
            .put_bucket_logging()
            .bucket(name)
            .bucket_logging_status(status.build())
            .send()
            .await
            .map_err(|e| map(OP, region, e))?;
        Ok(())
    }

    async fn put_policy(&self, region: &str, name: &str, policy: Option<&Value>) -> LiveResult<()> {
        let c = self.s3(region);
        match policy {
            Some(p) => c
                .put_bucket_policy()
                .bucket(name)
                .policy(p.to_string())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| map(ops::S3_PUT_BUCKET_POLICY, region, e)),
            None => c
                .delete_bucket_policy()
                .bucket(name)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| map(ops::S3_DELETE_BUCKET_POLICY, region, e)),
        }
    }

    async fn put_tags(&self, region: &str, name: &str, tags: &Tags) -> LiveResult<()> {
        const OP: &str = ops::S3_PUT_BUCKET_TAGGING;
        let set = tag_set(OP, region, tags)?;
        let tagging = Tagging::builder()
            .set_tag_set(Some(set))
            .build()
            .map_err(|e| build(OP, region, e))?;
        self.s3(region)
            .put_bucket_tagging()
            .bucket(name)
            .tagging(tagging)
            .send()
            .await
            .map_err(|e| map(OP, region, e))?;
        Ok(())
    }
}
