//! Text compared without case, as EventBridge's engine does it.
//!
//! event-ruler (`EqualsIgnoreCaseParser`) turns each UTF-16 unit of the pattern into "its lower
//! case or its upper case" (Java, `Locale.ROOT`) and matches the event's bytes against that:
//! the event's text is never folded. So `ß` matches `ß` and `SS` but not `ss`; the Kelvin sign
//! matches itself and `k` but not `K`; `Σ` never matches a final `ς`. A character outside the
//! Basic Multilingual Plane is two lone surrogates, which Java writes as `?` each: it matches
//! `??`, never itself (`validate` says so).

use std::fmt;

/// A case-insensitive pattern text: for each of its characters, the texts it accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct Caseless {
    /// As written in the pattern.
    text: String,
    /// Per pattern unit, its accepted texts (one or two).
    units: Vec<Vec<String>>,
}

impl fmt::Display for Caseless {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Caseless {
    pub fn new(text: &str) -> Caseless {
        let mut units = Vec::new();
        for c in text.chars() {
            if c.len_utf16() == 2 {
                units.push(vec!["?".to_owned()]);
                units.push(vec!["?".to_owned()]);
                continue;
            }
            let lower: String = c.to_lowercase().collect();
            let upper: String = c.to_uppercase().collect();
            units.push(if lower == upper {
                vec![lower]
            } else {
                vec![lower, upper]
            });
        }
        Caseless {
            text: text.to_owned(),
            units,
        }
    }

    /// Whether the pattern has a character EventBridge cannot match (outside the BMP).
    pub fn has_unmatchable(&self) -> bool {
        self.text.chars().any(|c| c.len_utf16() == 2)
    }

    /// Whether `x` is the pattern, unit by unit.
    pub fn equals(&self, x: &str) -> bool {
        self.ends_from_start(x).contains(&x.len())
    }

    /// Whether `x` begins with the pattern.
    pub fn prefix_of(&self, x: &str) -> bool {
        !self.ends_from_start(x).is_empty()
    }

    /// Whether `x` ends with the pattern.
    pub fn suffix_of(&self, x: &str) -> bool {
        let mut starts = vec![x.len()];
        for alts in self.units.iter().rev() {
            let mut next = Vec::new();
            for &end in &starts {
                for a in alts {
                    if x[..end].ends_with(a.as_str()) && !next.contains(&(end - a.len())) {
                        next.push(end - a.len());
                    }
                }
            }
            if next.is_empty() {
                return false;
            }
            starts = next;
        }
        true
    }

    /// The byte offsets of `x` at which a reading of the whole pattern from its start can end.
    fn ends_from_start(&self, x: &str) -> Vec<usize> {
        let mut ends = vec![0];
        for alts in &self.units {
            let mut next = Vec::new();
            for &at in &ends {
                for a in alts {
                    if x[at..].starts_with(a.as_str()) && !next.contains(&(at + a.len())) {
                        next.push(at + a.len());
                    }
                }
            }
            if next.is_empty() {
                return next;
            }
            ends = next;
        }
        ends
    }
}

#[cfg(test)]
mod tests {
    use super::Caseless;

    #[test]
    fn ascii_either_case() {
        let c = Caseless::new("EventB");
        assert!(c.equals("eventb") && c.equals("EVENTB") && c.equals("eVeNtB"));
        assert!(!c.equals("eventbx") && c.prefix_of("EVENTBridge") && !c.prefix_of("Event"));
        assert!(
            Caseless::new(".PNG").suffix_of("photo.png") && !Caseless::new(".png").suffix_of("png")
        );
    }

    #[test]
    fn beyond_ascii_per_character() {
        let sharp = Caseless::new("ß");
        assert!(sharp.equals("ß") && sharp.equals("SS") && !sharp.equals("ss"));
        let kelvin = Caseless::new("\u{212A}");
        assert!(kelvin.equals("k") && kelvin.equals("\u{212A}") && !kelvin.equals("K"));
        assert!(!Caseless::new("k").equals("\u{212A}"));
        let sigma = Caseless::new("ΟΔΟΣ");
        assert!(sigma.equals("οδοσ") && !sigma.equals("οδος"));
        assert!(Caseless::new("Straße").prefix_of("STRASSE 1"));
        assert!(Caseless::new("é").equals("É"));
    }

    #[test]
    fn outside_the_bmp_is_two_question_marks() {
        let c = Caseless::new("a😀");
        assert!(c.has_unmatchable() && c.equals("A??") && !c.equals("a😀"));
    }
}
