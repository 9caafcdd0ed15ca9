//! Reading objects on several threads: a producer (the caller: files read from disk, or S3
//! objects fetched a few at a time) hands each object's bytes over a bounded channel to `jobs`
//! reader threads, each with its own tally; the tallies merge at the end. At most
//! `jobs` objects wait in the channel and `jobs` are being read, so memory is bounded by a
//! small multiple of the largest object, whatever the archive's size.

use std::sync::Mutex;

use tokio::sync::mpsc;

use crate::archive::layout::Window;
use crate::backtest::scan::Reader;
use crate::backtest::tally::Tally;
use crate::verdict::Alerts;

/// One object for the readers: its name, whether it is gzip, and its bytes or why there are
/// none (gone, refused).
pub struct Item {
    pub name: String,
    pub gzip: bool,
    pub bytes: Result<Vec<u8>, String>,
}

/// Progress of one object read: its stored bytes and records.
pub type OnObject<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// Runs `produce` on this thread with the sending end of the channel, and `jobs` readers
/// beside it; returns the merged tally once `produce` has returned and every object is read.
pub fn run(
    alerts: &Alerts,
    window: Window,
    jobs: usize,
    produce: impl FnOnce(mpsc::Sender<Item>),
    on_object: OnObject<'_>,
) -> Tally {
    let jobs = jobs.max(1);
    let (tx, rx) = mpsc::channel::<Item>(jobs);
    let rx = Mutex::new(rx);
    std::thread::scope(|s| {
        let readers: Vec<_> = (0..jobs)
            .map(|_| {
                s.spawn(|| {
                    let mut reader = Reader::new(alerts, window);
                    loop {
                        let item = match rx.lock() {
                            Ok(mut rx) => rx.blocking_recv(),
                            Err(_) => None,
                        };
                        let Some(item) = item else {
                            break;
                        };
                        let (bytes, records) = (reader.tally.bytes_stored, reader.tally.records);
                        match item.bytes {
                            Ok(b) => reader.object(&item.name, &b, item.gzip),
                            Err(message) => reader.tally.problem(item.name, message),
                        }
                        on_object(
                            reader.tally.bytes_stored - bytes,
                            reader.tally.records - records,
                        );
                    }
                    reader.tally
                })
            })
            .collect();
        produce(tx);
        let mut total = Tally::new(alerts.names().len());
        for r in readers {
            match r.join() {
                Ok(t) => total.merge(t),
                Err(_) => total.problem(
                    "(reader)".to_owned(),
                    "a reader thread stopped: its objects are not counted".to_owned(),
                ),
            }
        }
        total
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_object_is_read_once_whatever_the_thread_count() {
        let alerts = Alerts::new(vec![]);
        let log = br#"{"Records":[{"eventVersion":"1","eventType":"AwsApiCall","eventSource":"s3.amazonaws.com","eventTime":"2026-10-01T00:00:00Z","awsRegion":"us-east-1","recipientAccountId":"1"}]}"#;
        for jobs in [1, 2, 5] {
            let seen = std::sync::atomic::AtomicU64::new(0);
            let on = |_: u64, r: u64| {
                seen.fetch_add(r, std::sync::atomic::Ordering::Relaxed);
            };
            let t = run(
                &alerts,
                Window::default(),
                jobs,
                |tx| {
                    for i in 0..50 {
                        let bytes = if i == 7 {
                            Err("gone".to_owned())
                        } else {
                            Ok(log.to_vec())
                        };
                        let item = Item {
                            name: format!("o{i}"),
                            gzip: false,
                            bytes,
                        };
                        if tx.blocking_send(item).is_err() {
                            break;
                        }
                    }
                },
                &on,
            );
            assert_eq!((t.objects, t.records, t.problem_count), (49, 49, 1));
            assert_eq!(seen.into_inner(), 49);
        }
    }
}
