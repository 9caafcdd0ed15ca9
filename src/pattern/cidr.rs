//! IP addresses and CIDR blocks, IPv4 and IPv6, as closed ranges of integers.

use std::net::IpAddr;

/// The addresses of one CIDR block (or one address), within one family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpRange {
    v6: bool,
    low: u128,
    high: u128,
    /// As written in the pattern.
    text: String,
}

impl std::fmt::Display for IpRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl IpRange {
    /// `a.b.c.d/n` or `x:y::z/n`; the message says what is wrong.
    pub fn cidr(text: &str) -> Result<IpRange, String> {
        let mut parts = text.split('/');
        let (Some(addr), Some(bits), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("malformed CIDR {text:?}: one '/' is required"));
        };
        let ip = address(addr).ok_or_else(|| match ambiguous_ipv4(addr) {
            Some(decimal) => format!(
                "malformed CIDR {text:?}: {addr:?} has an octet with a leading zero, which is octal to some \
                 readers and decimal to others; EventBridge refuses it. Write \"{decimal}/{bits}\""
            ),
            None => format!("malformed CIDR {text:?}: {addr:?} is not an IP address"),
        })?;
        let (v6, value, width) = ip;
        let bits: u32 = bits
            .parse()
            .ok()
            .filter(|b| *b < width && !bits.starts_with('+'))
            .ok_or_else(|| {
                // As event-ruler: a block of one address is written as the address itself.
                format!(
                    "malformed CIDR {text:?}: the prefix length must be 0 to {}",
                    width - 1
                )
            })?;
        let host = if bits == 0 {
            if width == 128 {
                u128::MAX
            } else {
                u128::from(u32::MAX)
            }
        } else {
            (1u128 << (width - bits)) - 1
        };
        Ok(IpRange {
            v6,
            low: value & !host,
            high: value | host,
            text: text.to_owned(),
        })
    }

    /// One address as a range of one, when `text` is an IP address.
    pub fn address(text: &str) -> Option<IpRange> {
        let (v6, value, _) = address(text)?;
        Some(IpRange {
            v6,
            low: value,
            high: value,
            text: text.to_owned(),
        })
    }

    /// Whether `text` is an address inside the range.
    pub fn contains(&self, text: &str) -> bool {
        matches!(address(text), Some((v6, value, _)) if v6 == self.v6 && (self.low..=self.high).contains(&value))
    }
}

/// The decimal reading of an IPv4 literal with a leading zero in an octet (`010.0.0.1` →
/// `10.0.0.1`). Such a literal is ambiguous (octal to C's `inet_aton`, decimal to older Java),
/// and EventBridge's engine, which reads addresses with Java's `InetAddress`, does not take it as
/// an address: current JDKs refuse ambiguous literals unless
/// `jdk.net.allowAmbiguousIPAddressLiterals` is set. So a `cidr` with one is refused, and an
/// exact value with one is plain text that never equals the address.
pub fn ambiguous_ipv4(text: &str) -> Option<String> {
    let octets: Vec<&str> = text.split('.').collect();
    let decimal = octets.len() == 4
        && octets
            .iter()
            .all(|o| !o.is_empty() && o.len() <= 3 && o.bytes().all(|b| b.is_ascii_digit()));
    let leading_zero = octets.iter().any(|o| o.len() > 1 && o.starts_with('0'));
    if !decimal || !leading_zero {
        return None;
    }
    let values: Vec<u16> = octets.iter().filter_map(|o| o.parse().ok()).collect();
    values.iter().all(|v| *v <= 255).then(|| {
        values
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(".")
    })
}

/// (is IPv6, value, bit width) of an address.
fn address(text: &str) -> Option<(bool, u128, u32)> {
    match text.parse::<IpAddr>().ok()? {
        IpAddr::V4(a) => Some((false, u128::from(u32::from(a)), 32)),
        IpAddr::V6(a) => Some((true, u128::from(a), 128)),
    }
}

#[cfg(test)]
mod tests {
    use super::IpRange;

    #[test]
    fn ranges() {
        let r = IpRange::cidr("10.0.0.0/24").unwrap();
        assert!(r.contains("10.0.0.255") && !r.contains("10.0.1.0") && !r.contains("foo"));
        let all = IpRange::cidr("0.0.0.0/0").unwrap();
        assert!(all.contains("255.255.255.255") && !all.contains("::1"));
        let v6 = IpRange::cidr("2001:db8::/32").unwrap();
        assert!(v6.contains("2001:0db8:ffff::1") && !v6.contains("2001:db9::"));
        assert!(
            IpRange::address("2001:db8::1")
                .unwrap()
                .contains("2001:0DB8:0:0:0:0:0:1")
        );
        assert!(IpRange::address("010.0.0.1").is_none());
        assert!(!r.contains("010.0.0.1"));
        let e = IpRange::cidr("010.0.0.0/24").unwrap_err();
        assert!(
            e.contains("leading zero") && e.contains("\"10.0.0.0/24\""),
            "{e}"
        );
        assert_eq!(
            super::ambiguous_ipv4("10.0.0.01").as_deref(),
            Some("10.0.0.1")
        );
        assert_eq!(super::ambiguous_ipv4("10.0.0.1"), None);
        assert_eq!(super::ambiguous_ipv4("0.0.0.0"), None);
        assert_eq!(super::ambiguous_ipv4("0300.0.0.1"), None);
        for bad in [
            "foo",
            "10.0.0.0",
            "10.0.0.0/32",
            "10.0.0.0/8/8",
            "10.0.0/8",
            "::/129",
        ] {
            assert!(IpRange::cidr(bad).is_err(), "{bad}");
        }
    }
}
