//! S3 objects through the SDK: listing a trail's archive and reading its log files.

use crate::live::aws::account::AwsAccount;
use crate::live::aws::error::{code, map};
use crate::live::aws::operations as ops;
use crate::live::error::LiveResult;
use crate::live::services::{ObjectPage, Objects};

impl Objects for AwsAccount {
    async fn bucket_region(&self, bucket: &str) -> LiveResult<Option<String>> {
        AwsAccount::bucket_region(self, bucket).await
    }

    async fn list_page(
        &self,
        region: &str,
        bucket: &str,
        prefix: &str,
        delimiter: bool,
        token: Option<String>,
    ) -> LiveResult<ObjectPage> {
        let mut call = self
            .s3(region)
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .set_continuation_token(token);
        if delimiter {
            call = call.delimiter("/");
        }
        let out = call
            .send()
            .await
            .map_err(|e| map(ops::S3_LIST_OBJECTS_V2, region, e))?;
        Ok(ObjectPage {
            objects: out
                .contents()
                .iter()
                .filter_map(|o| {
                    let size = o.size().and_then(|s| u64::try_from(s).ok()).unwrap_or(0);
                    o.key().map(|k| (k.to_owned(), size))
                })
                .collect(),
            prefixes: out
                .common_prefixes()
                .iter()
                .filter_map(|p| p.prefix().map(str::to_owned))
                .collect(),
            next: out
                .is_truncated()
                .unwrap_or(false)
                .then(|| out.next_continuation_token().map(str::to_owned))
                .flatten(),
        })
    }

    async fn get_object(
        &self,
        region: &str,
        bucket: &str,
        key: &str,
    ) -> LiveResult<Option<Vec<u8>>> {
        let out = match self
            .s3(region)
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if code(&e) == Some("NoSuchKey") => return Ok(None),
            Err(e) => return Err(map(ops::S3_GET_OBJECT, region, e)),
        };
        let mut bytes = Vec::with_capacity(
            out.content_length()
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(0)
                .min(crate::live::services::MAX_OBJECT_BYTES),
        );
        let mut body = out.body;
        loop {
            match body.try_next().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > crate::live::services::MAX_OBJECT_BYTES {
                        return Err(crate::live::LiveError::new(
                            ops::S3_GET_OBJECT,
                            Some(region),
                            crate::live::ErrorKind::Service("ObjectTooLarge".to_owned()),
                            format!(
                                "larger than {} MiB: not a CloudTrail log file",
                                crate::live::services::MAX_OBJECT_BYTES >> 20
                            ),
                        ));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(Some(bytes)),
                Err(e) => {
                    return Err(crate::live::LiveError::new(
                        ops::S3_GET_OBJECT,
                        Some(region),
                        crate::live::ErrorKind::ConnectionLost,
                        format!(
                            "the object's body broke off: {}",
                            crate::live::aws::error::causes(&e)
                        ),
                    ));
                }
            }
        }
    }
}
