//! Token pagination, written once for the list calls the SDK has no paginator for (EventBridge
//! `ListRules`, `ListTargetsByRule`) and used by the others alike.

use crate::live::error::{ErrorKind, LiveError, LiveResult};

/// Guards against a service that keeps handing back a next token.
const MAX_PAGES: usize = 10_000;

/// Calls `fetch` with each page's token (`None` first) until a page comes back without a next
/// token, and returns every item in order.
pub async fn all_pages<T, F, Fut>(
    operation: &'static str,
    region: &str,
    mut fetch: F,
) -> LiveResult<Vec<T>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = LiveResult<(Vec<T>, Option<String>)>>,
{
    let mut out = Vec::new();
    let mut token = None;
    for _ in 0..MAX_PAGES {
        let (items, next) = fetch(token.take()).await?;
        out.extend(items);
        match next.filter(|t| !t.is_empty()) {
            Some(t) => token = Some(t),
            None => return Ok(out),
        }
    }
    Err(LiveError::new(
        operation,
        Some(region),
        ErrorKind::Service("TooManyPages".to_owned()),
        format!("more than {MAX_PAGES} pages"),
    ))
}
