//! An event's leaf values at the paths some pattern names, read in one pass over the JSON text.
//! Everything no pattern names is skipped without being decoded. Each value keeps the array
//! elements it sits in, so that conditions on one array of objects are held to one element.

use super::matcher::Scalar;
use super::number::comparable;
use super::scan::{EventError, Key, MAX_DEPTH, Scanner, Text};

/// The dotted field paths of a rule set as a tree of key segments.
#[derive(Debug, Clone, Default)]
pub struct Paths {
    nodes: Vec<Node>,
    fields: usize,
}

#[derive(Debug, Clone, Default)]
struct Node {
    children: Vec<(Box<[u8]>, u32)>,
    field: Option<u32>,
}

impl Paths {
    pub fn new() -> Paths {
        Paths {
            nodes: vec![Node::default()],
            fields: 0,
        }
    }

    /// The id of a dotted path, added when new.
    pub fn intern(&mut self, path: &str) -> u32 {
        let mut at = 0usize;
        for seg in path.split('.') {
            at = match self.child(at, seg.as_bytes()) {
                Some(c) => c,
                None => {
                    let id = self.nodes.len() as u32;
                    self.nodes.push(Node::default());
                    self.nodes[at].children.push((seg.as_bytes().into(), id));
                    id as usize
                }
            };
        }
        *self.nodes[at].field.get_or_insert_with(|| {
            self.fields += 1;
            (self.fields - 1) as u32
        })
    }

    /// How many distinct paths there are.
    pub fn count(&self) -> usize {
        self.fields
    }

    fn child(&self, at: usize, seg: &[u8]) -> Option<usize> {
        // Most keys are not wanted: reject on length and last byte before comparing.
        let last = seg.last().copied();
        self.nodes[at]
            .children
            .iter()
            .find(|(k, _)| k.len() == seg.len() && k.last().copied() == last && **k == *seg)
            .map(|(_, c)| *c as usize)
    }

    /// The node an object key leads to from `at` (a dotted key walks one step per segment;
    /// segments never hold a dot, so a key found whole has none).
    fn step(&self, at: usize, key: &[u8]) -> Option<usize> {
        if self.nodes[at].children.is_empty() {
            return None;
        }
        self.child(at, key).or_else(|| {
            key.contains(&b'.').then(|| {
                key.split(|b| *b == b'.')
                    .try_fold(at, |n, seg| self.child(n, seg))
            })?
        })
    }
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Str(Text),
    Num(u32, u32),
    Bool(bool),
    Null,
}

/// One leaf value and the (array, element) pairs it sits in.
#[derive(Debug, Clone, Copy)]
pub struct Leaf {
    kind: Kind,
    num: Option<f64>,
    arrays: (u32, u32),
}

/// The values of one event, by field id; reused from event to event to avoid allocation.
#[derive(Debug, Default)]
pub struct Values {
    leaves: Vec<Leaf>,
    /// For each field id, the indices of its leaves.
    by_field: Vec<Vec<u32>>,
    positions: Vec<(u32, u32)>,
    decoded: String,
    stack: Vec<(u32, u32)>,
    next_array: u32,
    brackets: Vec<u64>,
}

impl Values {
    /// Reads `text` (one JSON object) for the paths in `paths`.
    pub fn read(&mut self, text: &str, paths: &Paths) -> Result<(), EventError> {
        self.leaves.clear();
        self.positions.clear();
        self.decoded.clear();
        self.stack.clear();
        self.next_array = 0;
        self.by_field.resize_with(paths.count(), Vec::new);
        for f in &mut self.by_field {
            f.clear();
        }
        let mut s = Scanner {
            b: text.as_bytes(),
            i: 0,
            brackets: std::mem::take(&mut self.brackets),
        };
        let read = self.scan(&mut s, paths);
        self.brackets = s.brackets;
        read
    }

    fn scan(&mut self, s: &mut Scanner<'_>, paths: &Paths) -> Result<(), EventError> {
        s.ws();
        if s.peek() != Some(b'{') {
            return Err(s.error("an event is a JSON object"));
        }
        self.value(s, paths, Some(0), 0)?;
        s.ws();
        if s.i < s.b.len() {
            return Err(s.error("unexpected text after the event"));
        }
        Ok(())
    }

    /// The leaves of a field.
    pub fn of(&self, field: u32) -> impl Iterator<Item = &Leaf> + '_ {
        self.by_field
            .get(field as usize)
            .into_iter()
            .flatten()
            .map(|i| &self.leaves[*i as usize])
    }

    /// Whether a field has any leaf.
    pub fn has(&self, field: u32) -> bool {
        self.by_field
            .get(field as usize)
            .is_some_and(|l| !l.is_empty())
    }

    /// A leaf's value; `text` is the event the leaves were read from.
    pub fn scalar<'a>(&'a self, text: &'a str, leaf: &Leaf) -> Scalar<'a> {
        let slice = |src: &'a str, a: u32, b: u32| src.get(a as usize..b as usize).unwrap_or("");
        match leaf.kind {
            Kind::Str(Text::Event(a, b)) => Scalar::Str(slice(text, a, b)),
            Kind::Str(Text::Decoded(a, b)) => Scalar::Str(slice(&self.decoded, a, b)),
            Kind::Num(a, b) => Scalar::Num(slice(text, a, b), leaf.num),
            Kind::Bool(v) => Scalar::Bool(v),
            Kind::Null => Scalar::Null,
        }
    }

    /// Whether two leaves can come from one element of every array they share.
    pub fn compatible(&self, a: &Leaf, b: &Leaf) -> bool {
        let pa = &self.positions[a.arrays.0 as usize..(a.arrays.0 + a.arrays.1) as usize];
        let pb = &self.positions[b.arrays.0 as usize..(b.arrays.0 + b.arrays.1) as usize];
        pa.iter()
            .all(|(arr, el)| pb.iter().all(|(arr2, el2)| arr != arr2 || el == el2))
    }

    /// Whether the leaf sits in no array.
    pub fn outside_arrays(leaf: &Leaf) -> bool {
        leaf.arrays.1 == 0
    }

    fn push(&mut self, field: Option<u32>, kind: Kind, num: Option<f64>) {
        let Some(field) = field else { return };
        let start = self.positions.len() as u32;
        self.positions.extend_from_slice(&self.stack);
        self.by_field[field as usize].push(self.leaves.len() as u32);
        self.leaves.push(Leaf {
            kind,
            num,
            arrays: (start, self.stack.len() as u32),
        });
    }

    fn value(
        &mut self,
        s: &mut Scanner<'_>,
        paths: &Paths,
        node: Option<usize>,
        depth: usize,
    ) -> Result<(), EventError> {
        if depth > MAX_DEPTH {
            return Err(s.error("nested too deeply"));
        }
        let Some(at) = node else {
            return s.skip(depth);
        };
        let field = paths.nodes[at].field;
        match s.peek() {
            Some(b'{') => {
                s.i += 1;
                s.ws();
                if s.peek() == Some(b'}') {
                    s.i += 1;
                    return Ok(());
                }
                loop {
                    s.ws();
                    let key = s.key(&mut self.decoded)?;
                    let next = match key {
                        Key::Raw(a, b) => paths.step(at, &s.b[a..b]),
                        Key::Decoded(a) => {
                            let n = paths.step(at, &self.decoded.as_bytes()[a..]);
                            self.decoded.truncate(a);
                            n
                        }
                    };
                    s.ws();
                    s.eat(b':')?;
                    s.ws();
                    self.value(s, paths, next, depth + 1)?;
                    s.ws();
                    match s.next() {
                        Some(b',') => {}
                        Some(b'}') => return Ok(()),
                        _ => return Err(s.back("expected ',' or '}'")),
                    }
                }
            }
            Some(b'[') => {
                s.i += 1;
                let id = self.next_array;
                self.next_array += 1;
                s.ws();
                if s.peek() == Some(b']') {
                    s.i += 1;
                    return Ok(());
                }
                let mut index = 0u32;
                loop {
                    s.ws();
                    self.stack.push((id, index));
                    let r = self.value(s, paths, node, depth + 1);
                    self.stack.pop();
                    r?;
                    s.ws();
                    match s.next() {
                        Some(b',') => index += 1,
                        Some(b']') => return Ok(()),
                        _ => return Err(s.back("expected ',' or ']'")),
                    }
                }
            }
            Some(b'"') => {
                let text = s.string(&mut self.decoded)?;
                self.push(field, Kind::Str(text), None);
                Ok(())
            }
            Some(b't') => {
                s.word(b"true")?;
                self.push(field, Kind::Bool(true), None);
                Ok(())
            }
            Some(b'f') => {
                s.word(b"false")?;
                self.push(field, Kind::Bool(false), None);
                Ok(())
            }
            Some(b'n') => {
                s.word(b"null")?;
                self.push(field, Kind::Null, None);
                Ok(())
            }
            Some(b'-' | b'0'..=b'9') => {
                let (a, b) = s.number()?;
                let raw = std::str::from_utf8(&s.b[a..b]).unwrap_or("");
                self.push(field, Kind::Num(a as u32, b as u32), comparable(raw));
                Ok(())
            }
            _ => Err(s.error("expected a value")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(paths: &[&str], text: &str) -> Result<Vec<Vec<String>>, EventError> {
        let mut p = Paths::new();
        let ids: Vec<u32> = paths.iter().map(|x| p.intern(x)).collect();
        let mut v = Values::default();
        v.read(text, &p)?;
        Ok(ids
            .iter()
            .map(|id| {
                v.of(*id)
                    .map(|l| format!("{:?}", v.scalar(text, l)))
                    .collect()
            })
            .collect())
    }

    #[test]
    fn reads_named_paths_through_arrays_escapes_and_dotted_keys() {
        let got = read(
            &["a.b", "x", "q\"k"],
            r#"{"skip": {"deep": [1, {"b": "no"}, "]}\"["]}, "a": [{"b": "one"}, {"b": 2.5e1}], "a.b": true, "x": "tab\there", "q\"k": null}"#,
        )
        .unwrap();
        assert_eq!(
            got,
            vec![
                vec![
                    "Str(\"one\")".to_owned(),
                    "Num(\"2.5e1\", Some(25.0))".into(),
                    "Bool(true)".into()
                ],
                vec!["Str(\"tab\\there\")".into()],
                vec!["Null".into()],
            ]
        );
    }

    #[test]
    fn malformed_events_are_errors_also_in_skipped_parts() {
        for bad in [
            "",
            "[]",
            r#"{"a": 1"#,
            r#"{"skip": {"x": [1, 2}}"#,
            r#"{"skip": "unterminated}"#,
            "{\"a\": \"control\u{1}char\"}",
            r#"{"skip": [[[]]}"#,
            r#"{"a": 1} x"#,
            r#"{"a": tru}"#,
        ] {
            assert!(read(&["a"], bad).is_err(), "{bad:?}");
        }
        let deep = format!("{{\"skip\": {}{}}}", "[".repeat(2000), "]".repeat(2000));
        assert!(read(&["a"], &deep).is_err());
    }
}
