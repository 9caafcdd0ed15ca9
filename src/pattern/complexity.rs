//! Wildcard complexity as EventBridge decides "Rule is too complex": the most wildcard states
//! one value can hold at once.
//!
//! event-ruler (`MachineComplexityEvaluator`) compiles a field's wildcard patterns into one
//! byte machine per field and name state, the value's quotes included; a star is a loop on the
//! state it stands at. A pattern's complexity is the largest number of states past a star (the
//! final match excluded) that any value keeps active at once: `a*aa` holds 3 on `aaa`, `*` holds
//! 1, a star-free prefix shares its states and holds none. The service refuses a rule above
//! [`MAX_WILDCARD_COMPLEXITY`] (see tests/conformance/eventbridge/SERVICE-DIFFERENCES.md).

use std::collections::HashSet;

use super::wildcard::Wildcard;

/// The most wildcard states EventBridge accepts one value to hold at once.
pub const MAX_WILDCARD_COMPLEXITY: usize = 10;

/// Subsets explored before giving up on finding a worse one (patterns this large are refused
/// long before: every explored subset stays within the limit).
const MAX_SUBSETS: usize = 100_000;

/// One wildcard pattern as a byte machine: its bytes between quotes, the states with a loop.
struct Machine {
    bytes: Vec<u8>,
    loops: Vec<bool>,
    first_star: usize,
}

impl Machine {
    fn new(w: &Wildcard) -> Machine {
        // State `s` is the machine after `s` bytes: the opening quote leads to state 1.
        let mut bytes = vec![b'"'];
        let mut loops = vec![false, false];
        for (i, piece) in w.pieces().iter().enumerate() {
            if i > 0
                && let Some(l) = loops.last_mut()
            {
                *l = true;
            }
            for b in piece.bytes() {
                bytes.push(b);
                loops.push(false);
            }
        }
        bytes.push(b'"');
        loops.push(false);
        let first_star = loops.iter().position(|l| *l).unwrap_or(loops.len());
        Machine {
            bytes,
            loops,
            first_star,
        }
    }

    /// Whether state `s` counts: past a star, and not the final match.
    fn counts(&self, s: u32) -> bool {
        let s = s as usize;
        s >= self.first_star && s < self.bytes.len()
    }
}

/// The most states past a star that one value holds at once in the machine of `wildcards`
/// (stops counting once above [`MAX_WILDCARD_COMPLEXITY`]).
pub fn complexity(wildcards: &[&Wildcard]) -> usize {
    let machines: Vec<Machine> = wildcards.iter().map(|w| Machine::new(w)).collect();
    // Every byte a pattern names, and one it does not (`None`).
    let mut alphabet: Vec<Option<u8>> = machines
        .iter()
        .flat_map(|m| m.bytes.iter().copied().map(Some))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    alphabet.push(None);
    let start: Vec<(u32, u32)> = (0..machines.len() as u32).map(|p| (p, 0)).collect();
    let mut seen: HashSet<Vec<(u32, u32)>> = HashSet::from([start.clone()]);
    let mut pending = vec![start];
    let mut worst = 0;
    while let Some(active) = pending.pop() {
        for b in &alphabet {
            let mut next: Vec<(u32, u32)> = Vec::new();
            for &(p, s) in &active {
                let m = &machines[p as usize];
                if m.loops[s as usize] {
                    next.push((p, s));
                }
                if b.is_some() && m.bytes.get(s as usize).copied() == *b {
                    next.push((p, s + 1));
                }
            }
            if next.is_empty() {
                continue;
            }
            next.sort_unstable();
            next.dedup();
            let held = next
                .iter()
                .filter(|(p, s)| machines[*p as usize].counts(*s))
                .count();
            worst = worst.max(held);
            if worst > MAX_WILDCARD_COMPLEXITY {
                return worst;
            }
            if seen.len() < MAX_SUBSETS && seen.insert(next.clone()) {
                pending.push(next);
            }
        }
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::{Wildcard, complexity};

    fn of(patterns: &[&str]) -> usize {
        let ws: Vec<Wildcard> = patterns
            .iter()
            .map(|p| Wildcard::parse(p).unwrap())
            .collect();
        complexity(&ws.iter().collect::<Vec<_>>())
    }

    /// The figures event-ruler's own tests give (MachineComplexityEvaluatorTest,
    /// GenericMachineTest#testEvaluateComplexity).
    #[test]
    fn as_event_ruler_counts() {
        assert_eq!(of(&["*"]), 1);
        assert_eq!(of(&["xyz*"]), 1);
        assert_eq!(of(&["a*bc"]), 2);
        assert_eq!(of(&["a*aa"]), 3);
        assert_eq!(of(&["abc"]), 0);
    }

    #[test]
    fn grows_with_stars_and_patterns() {
        // Distinct literals: one state per star stays active.
        assert_eq!(of(&["*a*b*c*d*e*"]), 6);
        assert_eq!(of(&["*a*a*a*a*a*a*"]), 7);
        // Repeated characters after a star: every state can be active at once.
        assert_eq!(of(&["*aaaaaaaaa"]), 10);
        assert!(of(&["*aaaaaaaaaa"]) > 10);
        // Leading-star patterns of one field add up, each holding its own state.
        let eleven: Vec<String> = (0..11).map(|i| format!("*x{i}")).collect();
        let eleven: Vec<&str> = eleven.iter().map(String::as_str).collect();
        assert!(of(&eleven) > 10);
        assert!(of(&eleven[..5]) <= 10);
    }
}
