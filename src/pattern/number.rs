//! Numbers as EventBridge compares them: a finite double. A literal that a double cannot hold
//! (`1E309`, or `1E-325`, which would silently become 0) is not comparable.

/// The value of a JSON number literal, or `None` when a double cannot represent it.
pub fn comparable(raw: &str) -> Option<f64> {
    let v: f64 = raw.parse().ok()?;
    if !v.is_finite() {
        return None;
    }
    if v == 0.0 {
        // Underflow: a zero value from a literal whose digits are not all zero.
        let mantissa = raw.split(['e', 'E']).next().unwrap_or(raw);
        if mantissa.bytes().any(|b| matches!(b, b'1'..=b'9')) {
            return None;
        }
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::comparable;

    #[test]
    fn finite_doubles_only() {
        assert_eq!(comparable("300"), Some(300.0));
        assert_eq!(comparable("3.0e2"), Some(300.0));
        assert_eq!(comparable("-0.0"), Some(0.0));
        assert_eq!(comparable("0e10"), Some(0.0));
        assert_eq!(comparable("1E309"), None);
        assert_eq!(comparable("1E-325"), None);
        assert_eq!(comparable("2.0e422"), None);
    }
}
