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
        let ip = address(addr)
            .ok_or_else(|| format!("malformed CIDR {text:?}: {addr:?} is not an IP address"))?;
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
