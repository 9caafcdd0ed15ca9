//! Standard output as commands see it: every write goes through, and the first one that fails
//! is remembered, so that `run` can turn it into the exit code once, for every command alike
//! (a command may stop at the failed write or write on; either way the failure is not lost).
//! After a failure, writes fail at once: a command writing on does not block or spin.

use std::io::{self, Write};

pub struct Output<'a> {
    inner: &'a mut dyn Write,
    failed: Option<io::Error>,
}

impl<'a> Output<'a> {
    pub fn new(inner: &'a mut dyn Write) -> Output<'a> {
        Output {
            inner,
            failed: None,
        }
    }

    /// The first write or flush that failed.
    pub fn failure(&self) -> Option<&io::Error> {
        self.failed.as_ref()
    }

    fn track<T>(&mut self, r: io::Result<T>) -> io::Result<T> {
        match r {
            Err(e) if e.kind() != io::ErrorKind::Interrupted => {
                let copy = io::Error::new(e.kind(), e.to_string());
                self.failed.get_or_insert(copy);
                Err(e)
            }
            other => other,
        }
    }

    fn refuse(&self) -> Option<io::Error> {
        self.failed
            .as_ref()
            .map(|e| io::Error::new(e.kind(), e.to_string()))
    }
}

impl Write for Output<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(e) = self.refuse() {
            return Err(e);
        }
        let r = self.inner.write(buf);
        self.track(r)
    }

    fn flush(&mut self) -> io::Result<()> {
        if let Some(e) = self.refuse() {
            return Err(e);
        }
        let r = self.inner.flush();
        self.track(r)
    }
}

/// Writes a new file; an existing one is never overwritten.
pub fn write_new(path: &std::path::Path, text: &str) -> Result<(), crate::cli::error::CliError> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| crate::cli::error::CliError::write_to(path, e))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| crate::cli::error::CliError::write_to(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Full;

    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::new(io::ErrorKind::StorageFull, "no space left"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_first_failure_is_kept_and_later_writes_fail_at_once() {
        let mut ok = Vec::new();
        let mut out = Output::new(&mut ok);
        writeln!(out, "fine").unwrap();
        assert!(out.failure().is_none());
        let mut full = Full;
        let mut out = Output::new(&mut full);
        assert!(writeln!(out, "lost").is_err());
        assert!(out.flush().is_err());
        assert_eq!(
            out.failure().map(io::Error::kind),
            Some(io::ErrorKind::StorageFull)
        );
    }
}
