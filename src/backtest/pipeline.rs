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

/// Buffers the readers are done with, for the producer to read the next objects' bytes into.
/// A new buffer per object cost a page fault on each 4 KiB that the kernel first copied a file
/// into (measured: 88% of a one-core backtest's page faults, 2.5% of its time). At most
/// `keep` wait here, none larger than `KEEP_BYTES`, so memory stays bounded by the objects in
/// flight.
pub struct Spares {
    free: Mutex<Vec<Vec<u8>>>,
    keep: usize,
}

/// The largest buffer kept for another object (larger objects are rare: their buffers go).
const KEEP_BYTES: usize = 64 << 20;

impl Spares {
    fn new(keep: usize) -> Spares {
        Spares {
            free: Mutex::new(Vec::new()),
            keep,
        }
    }

    /// An empty buffer: one a reader is done with, when there is one.
    pub fn take(&self) -> Vec<u8> {
        let mut buffer = self
            .free
            .lock()
            .ok()
            .and_then(|mut free| free.pop())
            .unwrap_or_default();
        buffer.clear();
        buffer
    }

    fn give(&self, buffer: Vec<u8>) {
        if buffer.capacity() > KEEP_BYTES {
            return;
        }
        if let Ok(mut free) = self.free.lock()
            && free.len() < self.keep
        {
            free.push(buffer);
        }
    }
}

/// Progress of one object read: its stored bytes and records.
pub type OnObject<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// Runs `produce` on this thread with the sending end of the channel and the buffers the
/// readers are done with, and `jobs` readers beside it; returns the merged tally once
/// `produce` has returned and every object is read.
pub fn run(
    alerts: &Alerts,
    window: Window,
    jobs: usize,
    produce: impl FnOnce(mpsc::Sender<Item>, &Spares),
    on_object: OnObject<'_>,
) -> Tally {
    let jobs = jobs.max(1);
    let (tx, rx) = mpsc::channel::<Item>(jobs);
    let rx = Mutex::new(rx);
    let spares = Spares::new(jobs + 1);
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
                            Ok(b) => {
                                reader.object(&item.name, &b, item.gzip);
                                spares.give(b);
                            }
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
        produce(tx, &spares);
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
            let mut reused = 0;
            let t = run(
                &alerts,
                Window::default(),
                jobs,
                |tx, spares| {
                    for i in 0..50 {
                        let bytes = if i == 7 {
                            Err("gone".to_owned())
                        } else {
                            let mut b = spares.take();
                            reused += usize::from(b.capacity() >= log.len());
                            b.extend_from_slice(log);
                            Ok(b)
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
            // The channel holds `jobs` objects: the buffers of those read come back.
            assert!(reused > 0, "{jobs} readers: no buffer came back");
            assert_eq!(seen.into_inner(), 49);
        }
    }
}
