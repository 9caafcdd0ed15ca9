//! Wildcard patterns: `*` matches any run of characters (none included), `\*` a star and `\\` a
//! backslash; two stars in a row and any other escape are invalid.

/// A wildcard pattern split into literal pieces between stars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wildcard {
    /// The literal pieces; a star stands between each two.
    pieces: Vec<String>,
    /// As written in the pattern.
    text: String,
}

impl std::fmt::Display for Wildcard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl Wildcard {
    pub fn parse(text: &str) -> Result<Wildcard, String> {
        let mut pieces = vec![String::new()];
        let mut chars = text.chars().enumerate().peekable();
        let mut last_star = false;
        while let Some((pos, c)) = chars.next() {
            match c {
                '*' if last_star => {
                    return Err(format!("consecutive wildcard characters at position {pos}"));
                }
                '*' => {
                    pieces.push(String::new());
                    last_star = true;
                    continue;
                }
                '\\' => match chars.next() {
                    Some((_, e @ ('*' | '\\'))) => push(&mut pieces, e),
                    Some((_, e)) => {
                        return Err(format!("unrecognized escape '\\{e}' at position {pos}"));
                    }
                    None => {
                        return Err(format!(
                            "a backslash must escape '*' or '\\' (position {pos})"
                        ));
                    }
                },
                c => push(&mut pieces, c),
            }
            last_star = false;
        }
        Ok(Wildcard {
            pieces,
            text: text.to_owned(),
        })
    }

    /// The literal pieces; a star stands between each two.
    pub fn pieces(&self) -> &[String] {
        &self.pieces
    }

    pub fn matches(&self, s: &str) -> bool {
        let (first, rest) = match self.pieces.split_first() {
            Some(p) => p,
            None => return s.is_empty(),
        };
        let Some(mut s) = s.strip_prefix(first.as_str()) else {
            return false;
        };
        let Some((last, middle)) = rest.split_last() else {
            return s.is_empty();
        };
        // Greedy leftmost placement of each middle piece is optimal for star-separated literals.
        for piece in middle {
            match s.find(piece.as_str()) {
                Some(at) => s = &s[at + piece.len()..],
                None => return false,
            }
        }
        s.ends_with(last.as_str())
    }
}

fn push(pieces: &mut [String], c: char) {
    if let Some(p) = pieces.last_mut() {
        p.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::Wildcard;

    fn m(p: &str, s: &str) -> bool {
        Wildcard::parse(p).unwrap().matches(s)
    }

    #[test]
    fn matching() {
        assert!(m("*", "") && m("*", "abc") && m("a*", "a") && m("*c", "abc"));
        assert!(m("a*b*c", "aXbYc") && m("a*b*c", "abc") && !m("a*b*c", "acb"));
        assert!(m("ab*ab", "abab") && !m("ab*ab", "aba"));
        assert!(m(r"a\*b", "a*b") && !m(r"a\*b", "axb") && m(r"a\\b", r"a\b"));
        assert!(m("abc", "abc") && !m("abc", "abcd"));
    }

    #[test]
    fn invalid() {
        assert!(Wildcard::parse("a**b").is_err());
        assert!(Wildcard::parse(r"a\db").is_err());
        assert!(Wildcard::parse("a\\").is_err());
        assert_eq!(Wildcard::parse("a*b*").unwrap().pieces(), ["a", "b", ""]);
    }
}
