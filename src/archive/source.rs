//! The archives a command reads: sources as given (a path, or `s3://BUCKET/PREFIX`), the log
//! objects they hold, and the bytes of one.

use crate::archive::layout::{Day, Filter};
use crate::archive::listing::{self, Found, Location, Log};
use crate::live::aws::AwsAccount;
use crate::live::services::Objects;

/// A source as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Path(std::path::PathBuf),
    S3 { bucket: String, prefix: String },
}

impl Source {
    pub fn parse(text: &str) -> Result<Source, String> {
        if let Some(rest) = text.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(format!(
                    "{text}: no bucket named (write s3://BUCKET/PREFIX)"
                ));
            }
            return Ok(Source::S3 {
                bucket: bucket.to_owned(),
                prefix: prefix.to_owned(),
            });
        }
        let path = std::path::PathBuf::from(text);
        if !path.exists() {
            return Err(format!("{text}: no such file or directory"));
        }
        Ok(Source::Path(path))
    }
}

/// A source as the report shows it.
pub fn show(s: &Source) -> String {
    match s {
        Source::Path(p) => p.display().to_string(),
        Source::S3 { bucket, prefix } => format!("s3://{bucket}/{prefix}"),
    }
}

/// The log objects of every source.
pub async fn find(
    sources: &[Source],
    filter: &Filter,
    account: Option<&AwsAccount>,
) -> Result<Found, String> {
    let mut found = Found::default();
    for s in sources {
        match (s, account) {
            (Source::Path(p), _) => found.merge(
                listing::walk(p, filter)
                    .map_err(|e| format!("cannot read {}: {e}", p.display()))?,
            ),
            (Source::S3 { bucket, prefix }, Some(acc)) => {
                let region = acc
                    .bucket_region(bucket)
                    .await
                    .map_err(|e| format!("s3://{bucket}: {e}"))?
                    .ok_or_else(|| format!("s3://{bucket}: no such bucket"))?;
                tracing::info!(bucket, region, "reading the archive in the bucket's Region");
                found.merge(
                    listing::list_s3(acc, bucket, &region, prefix, filter, Day::today())
                        .await
                        .map_err(|e| format!("listing s3://{bucket}/{prefix}: {e}"))?,
                );
            }
            (Source::S3 { bucket, .. }, None) => {
                return Err(format!("s3://{bucket}: no AWS connection"));
            }
        }
    }
    Ok(found)
}

/// The bytes of one log object, from disk or S3.
pub async fn read<O: Objects>(account: Option<&O>, log: &Log) -> Result<Vec<u8>, String> {
    match (&log.location, account) {
        (Location::File(path), _) => std::fs::read(path).map_err(|e| format!("cannot read: {e}")),
        (
            Location::S3 {
                bucket,
                region,
                key,
            },
            Some(account),
        ) => match account.get_object(region, bucket, key).await {
            Ok(Some(b)) => Ok(b),
            Ok(None) => Err(
                "gone: the object was deleted between listing and reading (NoSuchKey)".to_owned(),
            ),
            Err(e) => Err(e.to_string()),
        },
        (Location::S3 { .. }, None) => Err("no AWS connection".to_owned()),
    }
}
