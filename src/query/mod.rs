//! SQL over a trail's archive in Athena: run a query in the trail's workgroup (start, poll with
//! backoff until it ends, read every page), and the SQL trailctl writes itself (`sql`).

pub mod filter_sql;
pub mod pattern_sql;
pub mod sql;

use std::time::Duration;

use crate::live::error::LiveError;
use crate::live::services::{Athena, QueryState, ResultPage};

/// The first wait between polls; each next one is twice as long, up to `MAX_POLL`.
const FIRST_POLL: Duration = Duration::from_millis(200);
const MAX_POLL: Duration = Duration::from_secs(5);

/// A finished query's rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    pub id: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
    pub bytes_scanned: Option<u64>,
    pub millis: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("{0}")]
    Live(#[from] LiveError),
    #[error("query {id} failed: {reason}")]
    Failed { id: String, reason: String },
    #[error("query {id} was cancelled: {reason}")]
    Cancelled { id: String, reason: String },
    #[error("query {id} did not finish within {} s (it may still be running in Athena)", .after.as_secs())]
    TimedOut { id: String, after: Duration },
}

/// Where to run: the trail's workgroup and database, in the home Region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub region: String,
    pub workgroup: String,
    pub database: String,
}

/// Runs `sql` and reads all its rows.
pub async fn run<A: Athena>(
    account: &A,
    at: &Target,
    sql: &str,
    timeout: Duration,
) -> Result<Answer, QueryError> {
    let id = account
        .start_query(&at.region, &at.workgroup, &at.database, sql)
        .await?;
    let started = tokio::time::Instant::now();
    let mut wait = FIRST_POLL;
    let status = loop {
        let s = account.query_status(&at.region, &id).await?;
        match s.state {
            QueryState::Succeeded => break s,
            QueryState::Failed => {
                return Err(QueryError::Failed {
                    id,
                    reason: s.reason.unwrap_or_else(|| "no reason given".to_owned()),
                });
            }
            QueryState::Cancelled => {
                return Err(QueryError::Cancelled {
                    id,
                    reason: s.reason.unwrap_or_else(|| "no reason given".to_owned()),
                });
            }
            QueryState::Queued | QueryState::Running => {}
        }
        if started.elapsed() + wait > timeout {
            return Err(QueryError::TimedOut { id, after: timeout });
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(MAX_POLL);
    };
    let mut answer = Answer {
        id: id.clone(),
        bytes_scanned: status.bytes_scanned,
        millis: status.millis,
        ..Answer::default()
    };
    let mut token = None;
    let mut first = true;
    loop {
        let ResultPage {
            columns,
            mut rows,
            next,
        } = account.query_page(&at.region, &id, token).await?;
        if first {
            // Athena repeats a SELECT's column names as its first row.
            let header: Vec<Option<String>> = columns.iter().cloned().map(Some).collect();
            if rows.first() == Some(&header) {
                rows.remove(0);
            }
            answer.columns = columns;
            first = false;
        }
        answer.rows.extend(rows);
        match next.filter(|t| !t.is_empty()) {
            Some(t) => token = Some(t),
            None => return Ok(answer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::fake::Fake;
    use crate::live::services::QueryStatus;

    fn target() -> Target {
        Target {
            region: "us-east-1".into(),
            workgroup: "wg".into(),
            database: "db".into(),
        }
    }

    fn page(rows: &[&[&str]], next: bool) -> ResultPage {
        ResultPage {
            columns: vec!["day".into(), "n".into()],
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| Some((*c).to_owned())).collect())
                .collect(),
            next: next.then(String::new),
        }
    }

    fn run_on(f: &Fake, timeout: Duration) -> Result<Answer, QueryError> {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(run(f, &target(), "SELECT 1", timeout))
    }

    #[test]
    fn a_query_is_polled_until_it_ends_and_every_page_is_read() {
        let f = Fake::new("1");
        {
            let mut s = f.state.borrow_mut();
            s.query_polls = 2;
            s.query_pages = vec![
                page(&[&["day", "n"], &["2026/11/29", "4"]], true),
                page(&[&["2026/11/30", "7"]], false),
            ];
        }
        let a = run_on(&f, Duration::from_secs(60)).unwrap();
        assert_eq!(a.columns, ["day", "n"]);
        assert_eq!(a.rows.len(), 2, "the header row is dropped: {:?}", a.rows);
        assert_eq!(f.calls("Athena:GetQueryExecution"), 3);
        assert_eq!(f.calls("Athena:GetQueryResults"), 2);
        assert_eq!(f.state.borrow().queries[0].0, "wg");
    }

    #[test]
    fn a_failed_or_slow_query_says_so() {
        let f = Fake::new("1");
        f.state.borrow_mut().query_end = Some(QueryStatus {
            state: QueryState::Failed,
            reason: Some("Query exhausted resources".into()),
            bytes_scanned: None,
            millis: None,
        });
        let e = run_on(&f, Duration::from_secs(60)).unwrap_err();
        assert!(e.to_string().contains("Query exhausted resources"), "{e}");
        let slow = Fake::new("1");
        slow.state.borrow_mut().query_polls = 1000;
        let e = run_on(&slow, Duration::from_millis(500)).unwrap_err();
        assert!(matches!(e, QueryError::TimedOut { .. }), "{e}");
    }
}
