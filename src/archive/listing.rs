//! Which log objects a backtest reads, found before any is read: a local directory walked, or
//! an S3 prefix listed level by level (`AWSLogs/`, organization, account, Region, day) so that
//! only the folders that can hold the filter's accounts, Regions and days are listed.

use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use futures_util::stream;

use crate::archive::layout::{self, Day, Filter, Kind, LogName};
use crate::live::error::LiveResult;
use crate::live::services::Objects;

/// List calls in flight at once over the leaf folders.
const LIST_CONCURRENCY: usize = 8;

/// Where a log object is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    File(PathBuf),
    S3 {
        bucket: String,
        region: String,
        key: String,
    },
}

/// A log object to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Log {
    /// The key (`s3://bucket/key`) or path, as problems name it.
    pub name: String,
    pub location: Location,
    pub size: u64,
    pub log: LogName,
}

/// What a source holds, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    pub logs: Vec<Log>,
    /// Log files outside the filter (accounts, Regions, days).
    pub filtered: u64,
    pub digests: u64,
    /// Objects or files that are not CloudTrail log files.
    pub others: u64,
    /// `ListObjectsV2` calls made.
    pub list_calls: u64,
}

impl Found {
    fn take(&mut self, name: String, location: Location, size: u64, filter: &Filter) {
        match layout::classify(&name) {
            Kind::Log(log) if filter.admits(&log) => self.logs.push(Log {
                name,
                location,
                size,
                log,
            }),
            Kind::Log(_) => self.filtered += 1,
            Kind::Digest => self.digests += 1,
            Kind::Other => self.others += 1,
        }
    }

    pub fn merge(&mut self, o: Found) {
        self.logs.extend(o.logs);
        self.filtered += o.filtered;
        self.digests += o.digests;
        self.others += o.others;
        self.list_calls += o.list_calls;
    }
}

/// Every file under `path` (a file or a directory, walked recursively; links followed).
pub fn walk(path: &Path, filter: &Filter) -> std::io::Result<Found> {
    let mut found = Found::default();
    let mut stack = vec![path.to_owned()];
    while let Some(p) = stack.pop() {
        let meta = std::fs::metadata(&p)?;
        if meta.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(&p)?
                .map(|e| e.map(|e| e.path()))
                .collect::<Result<_, _>>()?;
            entries.sort();
            stack.extend(entries.into_iter().rev());
        } else {
            let name = p.display().to_string();
            found.take(name, Location::File(p), meta.len(), filter);
        }
    }
    Ok(found)
}

/// The log objects under `s3://bucket/prefix` that the filter admits. `prefix` is where the
/// trail writes (its `S3KeyPrefix`, or empty): below it, `AWSLogs/` is listed one level at a
/// time. A prefix that reaches into `AWSLogs/` already is listed whole.
pub async fn list_s3<O: Objects>(
    store: &O,
    bucket: &str,
    region: &str,
    prefix: &str,
    filter: &Filter,
    today: Day,
) -> LiveResult<Found> {
    let mut lister = Lister {
        store,
        bucket,
        region,
        found: Found::default(),
    };
    let base = match prefix.trim_start_matches('/') {
        "" => String::new(),
        p if p.ends_with('/') => p.to_owned(),
        p => format!("{p}/"),
    };
    if base.starts_with("AWSLogs/") || base.contains("/AWSLogs/") {
        lister.leaves(vec![base], filter).await?;
        return Ok(lister.found);
    }
    let root = format!("{base}AWSLogs/");
    let (owners, loose) = lister.level(&root).await?;
    lister.found.others += loose;
    let mut accounts = Vec::new();
    for p in owners {
        let segment = p[root.len()..].trim_end_matches('/');
        if segment.starts_with("o-") {
            let (inner, loose) = lister.level(&p).await?;
            lister.found.others += loose;
            accounts.extend(
                inner
                    .into_iter()
                    .filter(|a| layout::is_account(a[p.len()..].trim_end_matches('/'))),
            );
        } else if layout::is_account(segment) {
            accounts.push(p);
        }
    }
    let mut leaves = Vec::new();
    for account in accounts {
        let id = account
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default();
        if !filter.accounts.is_empty() && !filter.accounts.iter().any(|a| a == id) {
            continue;
        }
        let (kinds, loose) = lister.level(&account).await?;
        lister.found.others += loose;
        for kind in kinds {
            match &kind[account.len()..] {
                "CloudTrail/" | "CloudTrail-Insight/" => {}
                // Digests (and any other folder) are not events: not listed.
                _ => continue,
            }
            let regions = if filter.regions.is_empty() {
                let (regions, loose) = lister.level(&kind).await?;
                lister.found.others += loose;
                regions
            } else {
                filter
                    .regions
                    .iter()
                    .map(|r| format!("{kind}{r}/"))
                    .collect()
            };
            for region in regions {
                match filter.window.file_days(today) {
                    Some(days) => {
                        leaves.extend(days.iter().map(|d| format!("{region}{}", d.key_segment())))
                    }
                    None => leaves.push(region),
                }
            }
        }
    }
    lister.leaves(leaves, filter).await?;
    Ok(lister.found)
}

struct Lister<'a, O> {
    store: &'a O,
    bucket: &'a str,
    region: &'a str,
    found: Found,
}

impl<O: Objects> Lister<'_, O> {
    /// Every page under `prefix`: the objects and the common prefixes; counts the calls.
    async fn pages(
        &self,
        prefix: &str,
        delimiter: bool,
    ) -> LiveResult<(Vec<(String, u64)>, Vec<String>, u64)> {
        let (mut objects, mut prefixes, mut calls) = (Vec::new(), Vec::new(), 0);
        let mut token = None;
        loop {
            let page = self
                .store
                .list_page(self.region, self.bucket, prefix, delimiter, token.take())
                .await?;
            calls += 1;
            objects.extend(page.objects);
            prefixes.extend(page.prefixes);
            match page.next.filter(|t| !t.is_empty()) {
                Some(t) => token = Some(t),
                None => return Ok((objects, prefixes, calls)),
            }
        }
    }

    /// The folders one level below `prefix`, and how many objects lie loose at that level.
    async fn level(&mut self, prefix: &str) -> LiveResult<(Vec<String>, u64)> {
        let (objects, prefixes, calls) = self.pages(prefix, true).await?;
        self.found.list_calls += calls;
        Ok((prefixes, objects.len() as u64))
    }

    /// Every object under each of `prefixes`, listed a few at a time.
    async fn leaves(&mut self, prefixes: Vec<String>, filter: &Filter) -> LiveResult<()> {
        let this = &*self;
        let listed: Vec<_> = stream::iter(prefixes)
            .map(|p| async move { this.pages(&p, false).await })
            .buffered(LIST_CONCURRENCY)
            .collect()
            .await;
        for result in listed {
            let (objects, _, calls) = result?;
            self.found.list_calls += calls;
            for (key, size) in objects {
                let location = Location::S3 {
                    bucket: self.bucket.to_owned(),
                    region: self.region.to_owned(),
                    key: key.clone(),
                };
                self.found.take(
                    format!("s3://{}/{key}", self.bucket),
                    location,
                    size,
                    filter,
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    use super::*;
    use crate::archive::layout::Window;
    use crate::live::services::ObjectPage;

    /// A bucket in memory that records every list call's prefix.
    #[derive(Default)]
    struct Bucket {
        keys: BTreeMap<String, u64>,
        calls: RefCell<Vec<String>>,
        page: usize,
    }

    impl Objects for Bucket {
        async fn bucket_region(&self, _: &str) -> LiveResult<Option<String>> {
            Ok(Some("us-east-1".into()))
        }
        async fn list_page(
            &self,
            _: &str,
            _: &str,
            prefix: &str,
            delimiter: bool,
            token: Option<String>,
        ) -> LiveResult<ObjectPage> {
            self.calls.borrow_mut().push(prefix.to_owned());
            let mut entries: Vec<(String, Option<u64>)> = Vec::new();
            for (k, size) in self.keys.range(prefix.to_owned()..) {
                let Some(rest) = k.strip_prefix(prefix) else {
                    break;
                };
                match rest.find('/').filter(|_| delimiter) {
                    Some(at) => {
                        let p = format!("{prefix}{}", &rest[..=at]);
                        if entries.last().is_none_or(|(l, _)| *l != p) {
                            entries.push((p, None));
                        }
                    }
                    None => entries.push((k.clone(), Some(*size))),
                }
            }
            let from: usize = token.and_then(|t| t.parse().ok()).unwrap_or(0);
            let to = (from + self.page).min(entries.len());
            let mut page = ObjectPage::default();
            for (k, size) in &entries[from..to] {
                match size {
                    Some(s) => page.objects.push((k.clone(), *s)),
                    None => page.prefixes.push(k.clone()),
                }
            }
            page.next = (to < entries.len()).then(|| to.to_string());
            Ok(page)
        }
        async fn get_object(&self, _: &str, _: &str, _: &str) -> LiveResult<Option<Vec<u8>>> {
            Ok(None)
        }
    }

    fn key(org: bool, account: &str, region: &str, day: &str) -> String {
        let d = day.replace('-', "");
        let folder = day.replace('-', "/");
        format!(
            "trails/AWSLogs/{}{account}/CloudTrail/{region}/{folder}/{account}_CloudTrail_{region}_{d}T0005Z_x.json.gz",
            if org { "o-abcdefghij/" } else { "" }
        )
    }

    fn bucket() -> Bucket {
        let mut b = Bucket {
            page: 2,
            ..Bucket::default()
        };
        for region in ["us-east-1", "eu-west-1"] {
            for day in 1..=28 {
                let day = format!("2026-10-{day:02}");
                b.keys.insert(key(false, "111122223333", region, &day), 10);
                b.keys.insert(key(true, "444455556666", region, &day), 10);
            }
        }
        b.keys.insert(
            "trails/AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/10/01/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20261001T000000Z.json.gz".into(),
            1,
        );
        b.keys.insert("trails/AWSLogs/README".into(), 1);
        b
    }

    fn run(b: &Bucket, prefix: &str, filter: &Filter) -> Found {
        let today = Day::parse("2026-11-30").unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(list_s3(b, "logs", "us-east-1", prefix, filter, today))
            .unwrap()
    }

    #[test]
    fn everything_without_a_filter() {
        let b = bucket();
        let found = run(&b, "trails", &Filter::default());
        assert_eq!(found.logs.len(), 2 * 28 * 2);
        assert_eq!((found.digests, found.others), (0, 1));
        assert_eq!(found.list_calls, b.calls.borrow().len() as u64);
        assert!(found.logs.iter().any(|l| l.name.contains("/o-abcdefghij/")));
    }

    #[test]
    fn a_window_of_one_region_lists_only_its_days() {
        let b = bucket();
        let filter = Filter {
            accounts: vec!["111122223333".into()],
            regions: vec!["eu-west-1".into()],
            window: Window {
                since: Day::parse("2026-10-10"),
                until: Day::parse("2026-10-12"),
            },
        };
        let found = run(&b, "trails/", &filter);
        // Files of the 10th to the 13th (the day after `until` may hold its last events).
        assert_eq!(found.logs.len(), 4);
        assert!(
            found
                .logs
                .iter()
                .all(|l| l.log.region == "eu-west-1" && l.log.account == "111122223333")
        );
        let calls = b.calls.borrow().clone();
        // AWSLogs/ (2 pages: the README and two owners), the organization's folder (its
        // accounts are not known otherwise), the account, then one call a day.
        assert_eq!(
            calls[..4],
            [
                "trails/AWSLogs/",
                "trails/AWSLogs/",
                "trails/AWSLogs/o-abcdefghij/",
                "trails/AWSLogs/111122223333/"
            ]
        );
        assert_eq!(
            calls[4..],
            [
                "trails/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/10/",
                "trails/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/11/",
                "trails/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/12/",
                "trails/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/13/",
            ]
        );
        assert_eq!(found.list_calls, calls.len() as u64);
    }

    #[test]
    fn a_prefix_inside_the_layout_is_listed_whole_and_filtered() {
        let b = bucket();
        let filter = Filter {
            window: Window {
                since: Day::parse("2026-10-27"),
                until: None,
            },
            ..Filter::default()
        };
        let found = run(
            &b,
            "trails/AWSLogs/o-abcdefghij/444455556666/CloudTrail/us-east-1/",
            &filter,
        );
        assert_eq!(found.logs.len(), 2);
        assert_eq!(found.filtered, 26);
    }
}
