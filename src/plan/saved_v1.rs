//! What reading a plan file of format 1 takes: its changes as they were digested (compact JSON in
//! the order written), and its reductions, carried as English text, as data.

use serde_json::Value;

/// JSON text without the whitespace between its tokens (what `to_string` writes of what
/// `to_string_pretty` wrote).
pub(super) fn compact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

/// A format-1 file's reductions (each change's `destructive`, as English text) as the data
/// format 3 carries.
pub(super) fn reductions_from_text(value: &mut Value) -> Result<(), String> {
    let Some(Value::Array(changes)) = value.get_mut("changes") else {
        return Ok(());
    };
    for c in changes {
        let Some(Value::Array(reasons)) = c.get_mut("destructive") else {
            continue;
        };
        for r in reasons.iter_mut() {
            let text = r.as_str().unwrap_or_default();
            let reduction = crate::plan::safety::Reduction::parse(text)
                .ok_or_else(|| format!("not a reduction trailctl names: {text:?}"))?;
            *r = serde_json::to_value(reduction).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}
