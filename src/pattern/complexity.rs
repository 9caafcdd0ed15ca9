//! Wildcard complexity as EventBridge decides "Rule is too complex": the most wildcard-pattern
//! prefixes one value can match at once.
//!
//! event-ruler (`MachineComplexityEvaluator` over `ByteMachine`) compiles a field's wildcard
//! patterns into one byte machine, each value between its quotes. A star is a state of its own
//! (`A -*-> B`, `B` looping on every byte), and the byte after a star is reachable from both
//! `A` and `B`, so that the star can match nothing. States are shared up to and including a
//! pattern's first star; after it every pattern keeps its own states; each pattern ends in one
//! match state. The complexity of a set of states is the sum, over the states and the star
//! states they reach without a byte, of the patterns reachable from each; the machine's is the
//! largest over every set one value can reach. An `anything-but` wildcard list is one pattern.
//! The service refuses a rule above [`MAX_WILDCARD_COMPLEXITY`] (see
//! tests/conformance/eventbridge/SERVICE-DIFFERENCES.md).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::wildcard::Wildcard;

/// The most wildcard prefixes EventBridge accepts one value to match at once.
pub const MAX_WILDCARD_COMPLEXITY: usize = 10;

/// Sets of states explored before giving up on finding a worse one (machines this large are
/// refused long before: every explored set stays within the limit).
const MAX_SETS: usize = 100_000;

/// One pattern of a field: a wildcard, or an `anything-but` wildcard list (several strings,
/// one pattern).
pub type Term<'a> = Vec<&'a Wildcard>;

#[derive(Default)]
struct State {
    /// Literal transitions: byte → states.
    literal: BTreeMap<u8, Vec<usize>>,
    /// The star state this state reaches on any byte (a star state: itself).
    any: Vec<usize>,
    /// The patterns (terms) through this state.
    weight: BTreeSet<usize>,
    /// Shared successors while no star has been seen: byte → state.
    prefix: BTreeMap<u8, usize>,
    /// The shared star state leaving this state, while no star has been seen.
    star: Option<usize>,
}

#[derive(Clone, Copy, PartialEq)]
enum Token {
    Byte(u8),
    Star,
}

fn tokens(w: &Wildcard) -> Vec<Token> {
    let mut out = vec![Token::Byte(b'"')];
    for (i, piece) in w.pieces().iter().enumerate() {
        if i > 0 {
            out.push(Token::Star);
        }
        out.extend(piece.bytes().map(Token::Byte));
    }
    out.push(Token::Byte(b'"'));
    out
}

/// The machine of one field's terms.
fn build(terms: &[Term<'_>]) -> Vec<State> {
    let mut states = vec![State::default()];
    let mut matches: BTreeMap<usize, usize> = BTreeMap::new();
    for (id, term) in terms.iter().enumerate() {
        for w in term {
            let tokens = tokens(w);
            let (mut current, mut previous) = (0, None::<usize>);
            let mut determinate = true;
            for (i, &token) in tokens.iter().enumerate() {
                let terminal = i + 1 == tokens.len();
                let shared = if terminal {
                    matches.get(&id).copied()
                } else {
                    match token {
                        Token::Star if determinate => states[current].star,
                        Token::Byte(b) if determinate => states[current].prefix.get(&b).copied(),
                        _ => None,
                    }
                };
                let created = shared.is_none();
                let next = shared.unwrap_or(states.len());
                if created {
                    states.push(State::default());
                    if terminal {
                        matches.insert(id, next);
                    } else if determinate {
                        match token {
                            Token::Star => states[current].star = Some(next),
                            Token::Byte(b) => {
                                states[current].prefix.insert(b, next);
                            }
                        }
                    }
                }
                match token {
                    Token::Star => {
                        determinate = false;
                        if states[next].any.is_empty() {
                            states[current].any.push(next);
                            states[next].any.push(next);
                        }
                    }
                    Token::Byte(b) if terminal || created => {
                        states[current].literal.entry(b).or_default().push(next);
                        if let Some(p) = previous
                            && tokens[i - 1] == Token::Star
                        {
                            states[p].literal.entry(b).or_default().push(next);
                        }
                    }
                    Token::Byte(_) => {}
                }
                states[next].weight.insert(id);
                previous = Some(current);
                current = next;
            }
        }
    }
    states
}

/// The most wildcard prefixes one value matches at once in the machine of one field's distinct
/// `terms` (stops counting once above [`MAX_WILDCARD_COMPLEXITY`]).
pub fn complexity(terms: &[Term<'_>]) -> usize {
    capped(terms, MAX_WILDCARD_COMPLEXITY)
}

/// As [`complexity`], counting until above `cap`.
fn capped(terms: &[Term<'_>], cap: usize) -> usize {
    let states = build(terms);
    if states.len() == 1 {
        return 0;
    }
    // Every byte a transition names, and one that none does (`None`).
    let mut alphabet: Vec<Option<u8>> = states
        .iter()
        .flat_map(|s| s.literal.keys().copied().map(Some))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    alphabet.push(None);
    let mut seen: HashSet<Vec<usize>> = HashSet::new();
    let mut pending = vec![vec![0usize]];
    let mut worst = 0;
    while let Some(active) = pending.pop() {
        for b in &alphabet {
            let mut next: BTreeSet<usize> = BTreeSet::new();
            for &s in &active {
                next.extend(states[s].any.iter().copied());
                if let Some(b) = b
                    && let Some(to) = states[s].literal.get(b)
                {
                    next.extend(to.iter().copied());
                }
            }
            if next.is_empty() {
                continue;
            }
            let held: usize = next
                .iter()
                .map(|&s| {
                    states[s].weight.len()
                        + states[s]
                            .any
                            .iter()
                            .filter(|w| !next.contains(w))
                            .map(|&w| states[w].weight.len())
                            .sum::<usize>()
                })
                .sum();
            worst = worst.max(held);
            if worst > cap {
                return worst;
            }
            let next: Vec<usize> = next.into_iter().collect();
            if seen.len() < MAX_SETS && seen.insert(next.clone()) {
                pending.push(next);
            }
        }
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::{Wildcard, capped};

    /// Above every figure here: the true complexity.
    const UNCAPPED: usize = 1_000;

    fn parse(patterns: &[&str]) -> Vec<Wildcard> {
        patterns
            .iter()
            .map(|p| Wildcard::parse(p).unwrap())
            .collect()
    }

    /// Each pattern its own term.
    fn of(patterns: &[&str]) -> usize {
        let ws = parse(patterns);
        let terms: Vec<Vec<&Wildcard>> = ws.iter().map(|w| vec![w]).collect();
        capped(&terms, UNCAPPED)
    }

    /// One `anything-but` list: one term.
    fn one_term(patterns: &[&str]) -> usize {
        let ws = parse(patterns);
        capped(&[ws.iter().collect()], UNCAPPED)
    }

    /// The figures of event-ruler's MachineComplexityEvaluatorCorpus, which builds its machines
    /// from rules (quotes included), as the service does.
    #[test]
    fn as_event_ruler_counts_rules() {
        let leading = [
            "*kiwi*",
            "*BASE_QuxB*",
            "*Delta*",
            "*a/example-lake-abc98765432*",
        ];
        assert_eq!(of(&leading), 12);
        assert_eq!(one_term(&leading), 7);
        let multi = |n: usize| format!("{}*", "*a".repeat(n));
        assert_eq!(of(&[&multi(4)]), 9);
        assert_eq!(of(&[&multi(50)]), 101);
        let set = |m: usize| -> Vec<String> {
            (0..m)
                .map(|i| format!("*{}{}*", (b'a' + i as u8) as char, 'a'))
                .collect()
        };
        let three = set(3);
        assert_eq!(of(&three.iter().map(String::as_str).collect::<Vec<_>>()), 9);
        let four = set(4);
        assert_eq!(of(&four.iter().map(String::as_str).collect::<Vec<_>>()), 12);
    }

    /// What the service was seen to do: `*:*:*:*:*:event-bus/*` refused (11),
    /// `/Users/*/dir/dir/dir/dir/dir/doc.txt` accepted (7), three `*:stack/NAME/*` accepted and
    /// four refused (github.com/vals-ai/Valkyrie pull 278).
    #[test]
    fn as_the_service_decides() {
        assert_eq!(of(&["*:*:*:*:*:event-bus/*"]), 11);
        assert_eq!(of(&["/Users/*/dir/dir/dir/dir/dir/doc.txt"]), 7);
        assert_eq!(
            of(&["*:stack/Shared/*", "*:stack/Data/*", "*:stack/Api/*"]),
            9
        );
        assert_eq!(
            of(&[
                "*:stack/Shared/*",
                "*:stack/Data/*",
                "*:stack/Api/*",
                "*:stack/Monitoring/*"
            ]),
            12
        );
    }

    #[test]
    fn shapes() {
        assert_eq!(of(&["abc"]), 1);
        assert_eq!(of(&["*"]), 2);
        assert_eq!(of(&["a*aa"]), 3);
        // One star per distinct letter: n stars hold n + 1.
        assert_eq!(of(&["*a*b*c*d*e*f*g*h*i*"]), 11);
        assert_eq!(of(&["*a*b*c*d*e*f*g*h*"]), 10);
        // Repeated characters after a star keep every position live.
        assert_eq!(of(&["*aaaaaaaaa"]), 10);
        assert_eq!(of(&["*aaaaaaaaaa"]), 11);
        // Leading-star patterns of one field add up: two each.
        assert_eq!(of(&["*x0", "*x1", "*x2", "*x3", "*x4"]), 10);
    }
}
