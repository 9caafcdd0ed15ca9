//! Where each spec path starts in the source text.
//!
//! yaml_serde reports positions only for syntax and type errors; the checks that run after
//! decoding need `file:line:col` too. This walks the parser events of the same text (saphyr's
//! YAML 1.2 event parser, which keeps a span on every event) and records, for every node, the
//! position of its key and of its value under its spec path.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::model::diagnostic::{Anchor, Location, SpecPath};

#[derive(Debug, Clone, Copy)]
struct Entry {
    key: Option<Location>,
    value: Location,
}

/// Positions of every node of a document, by spec path.
#[derive(Debug, Default)]
pub struct Marks {
    entries: HashMap<SpecPath, Entry>,
    /// The first key seen twice in one mapping, where its second occurrence is.
    duplicate: Option<(SpecPath, Location)>,
    /// Per mapping, where its first key that is not a string is.
    non_string_keys: HashMap<SpecPath, Location>,
}

enum Frame {
    Map {
        path: SpecPath,
        /// `Some` while a key was read and its value is awaited.
        key: Option<(Option<String>, Location)>,
    },
    Seq {
        path: SpecPath,
        next: usize,
    },
}

fn location(span: &Span) -> Location {
    // saphyr: line is 1-based, column 0-based (in characters).
    Location {
        line: span.start.line(),
        column: span.start.col() + 1,
    }
}

impl Marks {
    /// Index `text`. A document the event parser cannot read yields what was read before the
    /// error: positions are best effort, the spec's meaning never depends on them.
    pub fn index(text: &str) -> Self {
        let mut marks = Marks::default();
        marks.walk(text, false);
        marks
    }

    /// Records every node; with `stop_at_duplicate`, stops at the first repeated key.
    fn walk(&mut self, text: &str, stop_at_duplicate: bool) {
        let marks = self;
        let mut stack: Vec<Frame> = Vec::new();
        for item in Parser::new_from_str(text) {
            let Ok((event, span)) = item else { break };
            let here = location(&span);
            let is_node = matches!(
                event,
                Event::Scalar(..)
                    | Event::SequenceStart(..)
                    | Event::MappingStart(..)
                    | Event::Alias(_)
            );
            if is_node {
                // A node is either a mapping key, or a value under the path its parent gives it.
                let node_path = match stack.last_mut() {
                    None => Some((SpecPath::root(), None)),
                    Some(Frame::Seq { path, next }) => {
                        *next += 1;
                        Some((path.index(*next - 1), None))
                    }
                    Some(Frame::Map { path, key }) => match key.take() {
                        None => {
                            let name = match &event {
                                Event::Scalar(v, ..) => Some(v.to_string()),
                                _ => None,
                            };
                            let string = match &event {
                                Event::Scalar(v, ScalarStyle::Plain, _, None) => {
                                    !plain_is_not_a_string(v)
                                }
                                Event::Scalar(..) => true,
                                _ => false,
                            };
                            if !string {
                                marks.non_string_keys.entry(path.clone()).or_insert(here);
                            }
                            *key = Some((name, here));
                            None
                        }
                        Some((Some(name), key_at)) => {
                            let p = path.key(&name);
                            if marks.entries.contains_key(&p) && marks.duplicate.is_none() {
                                marks.duplicate = Some((p.clone(), key_at));
                                if stop_at_duplicate {
                                    return;
                                }
                            }
                            Some((p, Some(key_at)))
                        }
                        // The value of a complex (non-scalar) key: not addressable by a spec path.
                        Some((None, _)) => Some((path.key("\u{0}"), None)),
                    },
                };
                let path_for_children = match node_path {
                    Some((path, key_at)) => {
                        marks.entries.entry(path.clone()).or_insert(Entry {
                            key: key_at,
                            value: here,
                        });
                        path
                    }
                    // A complex key's own children: park them under an unreachable path.
                    None => SpecPath::root().key("\u{0}"),
                };
                match event {
                    Event::MappingStart(..) => stack.push(Frame::Map {
                        path: path_for_children,
                        key: None,
                    }),
                    Event::SequenceStart(..) => stack.push(Frame::Seq {
                        path: path_for_children,
                        next: 0,
                    }),
                    _ => {}
                }
            } else if matches!(event, Event::MappingEnd | Event::SequenceEnd) {
                stack.pop();
            }
        }
    }

    /// The path and position of the first key that repeats a key of the same mapping.
    pub fn first_duplicate_key(text: &str) -> Option<(SpecPath, Location)> {
        let mut m = Marks::default();
        m.walk(text, true);
        m.duplicate
    }

    /// Where the second document of a multi-document stream starts.
    pub fn second_document(text: &str) -> Option<Location> {
        Parser::new_from_str(text)
            .map_while(Result::ok)
            .filter(|(e, _)| matches!(e, Event::DocumentStart(_)))
            .nth(1)
            .map(|(_, span)| location(&span))
    }

    /// Where the first alias (`*name`) of `text` is: the culprit of an alias bomb.
    pub fn first_alias(text: &str) -> Option<Location> {
        Parser::new_from_str(text)
            .map_while(Result::ok)
            .find(|(e, _)| matches!(e, Event::Alias(_)))
            .map(|(_, span)| location(&span))
    }

    /// The position for a diagnostic at `path`: the key or the value it anchors to, else the
    /// nearest ancestor that has a position.
    pub fn locate(&self, path: &SpecPath, anchor: Anchor) -> Option<Location> {
        if anchor == Anchor::NonStringKey
            && let Some(at) = self.non_string_keys.get(path)
        {
            return Some(*at);
        }
        let mut p = path.clone();
        let mut first = true;
        loop {
            if let Some(e) = self.entries.get(&p) {
                return match (first, anchor, e.key) {
                    (true, Anchor::Key, Some(k)) => Some(k),
                    _ => Some(e.value),
                };
            }
            if p.is_root() {
                return None;
            }
            first = false;
            p = p.parent();
        }
    }
}

/// Whether a plain scalar resolves to something other than a string in YAML 1.2's core schema
/// (null, a boolean, a number), as yaml_serde reads it.
fn plain_is_not_a_string(v: &str) -> bool {
    matches!(
        v,
        "" | "~"
            | "null"
            | "Null"
            | "NULL"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | ".inf"
            | "-.inf"
            | "+.inf"
            | ".Inf"
            | ".INF"
            | ".nan"
            | ".NaN"
            | ".NAN"
    ) || v.parse::<f64>().is_ok()
        || v.strip_prefix("0x")
            .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
        || v.strip_prefix("0o")
            .is_some_and(|o| !o.is_empty() && o.chars().all(|c| ('0'..='7').contains(&c)))
}

/// The spec path written as `a.b[0]` (as diagnostics print it).
pub(crate) fn parse_path(s: &str) -> SpecPath {
    use crate::model::diagnostic::Segment;
    let mut segs = Vec::new();
    for part in s.split('.') {
        let (name, rest) = part.split_once('[').unwrap_or((part, ""));
        if !name.is_empty() {
            segs.push(Segment::Key(name.to_owned()));
        }
        for idx in rest.split('[') {
            if let Ok(n) = idx.trim_end_matches(']').parse() {
                segs.push(Segment::Index(n));
            }
        }
    }
    SpecPath(segs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "version: 1\ntrails:\n  - name: a\n    tags: {x: y}\n  - name: b\n    insights: [api_call_rate, api_error_rate]\n";

    fn at(m: &Marks, p: &str, anchor: Anchor) -> (usize, usize) {
        let l = m.locate(&parse_path(p), anchor).unwrap();
        (l.line, l.column)
    }

    #[test]
    fn block_and_flow_nodes_have_positions() {
        let m = Marks::index(DOC);
        assert_eq!(at(&m, "version", Anchor::Key), (1, 1));
        assert_eq!(at(&m, "version", Anchor::Value), (1, 10));
        assert_eq!(at(&m, "trails[0]", Anchor::Value), (3, 5));
        assert_eq!(at(&m, "trails[0].tags.x", Anchor::Value), (4, 15));
        assert_eq!(at(&m, "trails[1].name", Anchor::Value), (5, 11));
        assert_eq!(at(&m, "trails[1].insights[1]", Anchor::Value), (6, 31));
    }

    #[test]
    fn missing_paths_fall_back_to_the_nearest_ancestor() {
        let m = Marks::index(DOC);
        assert_eq!(at(&m, "trails[1].bucket", Anchor::Key), (5, 5));
        assert!(
            Marks::index("")
                .locate(&parse_path("x"), Anchor::Value)
                .is_none()
        );
    }
}
