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

/// EventBridge's range for numbers compared by value for equality: event-ruler's
/// `ComparableNumber`, the engine of the documented numeric limits, holds -5.0e9 to +5.0e9.
const EQUALITY_LIMIT: f64 = 5.0e9;
/// … with at most this many digits after the point.
const EQUALITY_DECIMALS: i64 = 6;

/// The value a number in a pattern's value list is equal by, when EventBridge compares it by
/// value; `None` when it is only equal to the same text (an account number of 12 digits, say).
pub fn equality_value(raw: &str) -> Option<f64> {
    comparable(raw).filter(|v| v.abs() <= EQUALITY_LIMIT && within_decimals(raw))
}

/// Whether the literal has at most six significant digits after the point (`1.50e1` has none:
/// it is 15; `1e-7` has seven).
pub fn within_decimals(raw: &str) -> bool {
    let raw = raw.trim_start_matches(['-', '+']);
    let (mantissa, exponent) = match raw.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i64>().unwrap_or(0)),
        None => (raw, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    let trailing = digits.len() - digits.trim_end_matches('0').len();
    if digits.bytes().all(|b| b == b'0') {
        return true;
    }
    let scale = frac.len() as i64 - exponent - trailing as i64;
    scale <= EQUALITY_DECIMALS
}

#[cfg(test)]
mod tests {
    use super::{comparable, equality_value};

    #[test]
    fn equal_by_value_within_the_service_range() {
        assert_eq!(equality_value("300"), Some(300.0));
        assert_eq!(equality_value("3.0e2"), Some(300.0));
        assert_eq!(equality_value("5000000000"), Some(5.0e9));
        assert_eq!(equality_value("-5e9"), Some(-5.0e9));
        assert_eq!(equality_value("0.000001"), Some(1e-6));
        assert_eq!(equality_value("1.5000000"), Some(1.5));
        assert_eq!(equality_value("0.0000000"), Some(0.0));
        assert_eq!(equality_value("5000000001"), None);
        assert_eq!(equality_value("123456789012"), None);
        assert_eq!(equality_value("0.0000001"), None);
        assert_eq!(equality_value("1e-7"), None);
        assert_eq!(equality_value("1.0000000000000001"), None);
    }

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
