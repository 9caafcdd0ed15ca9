//! An event's leaf values at the paths some pattern names, read in one pass over the JSON text.
//! Everything no pattern names is skipped without being decoded. Each value keeps the array
//! elements it sits in, so that conditions on one array of objects are held to one element.
//! Reading stops early once every value that can still decide a match is known (`Gate`): the
//! rest is checked as a skipped value is (brackets paired, strings delimited) and passed over.

use std::borrow::Cow;

use super::matcher::Scalar;
use super::names::Name;
use super::number::comparable;
use super::paths::Paths;
use super::pick::{Picked, Picks};
use super::scan::{EventError, Key, MAX_DEPTH, Scanner, Text};

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

/// What a pick found (see `pick::Picked`), by position.
#[derive(Debug, Clone, Copy)]
enum Found {
    Leaf(Kind),
    Object,
    Array,
}

/// The last value a field holds outside any array (a member written twice keeps its last
/// value, as in a parsed `Value`): what a reader takes as a record's own member.
#[derive(Debug, Clone, PartialEq)]
pub enum Top<'t> {
    /// Borrowed from the text, or decoded when it has escapes.
    Str(Cow<'t, str>),
    Bool(bool),
    /// A number or `null`.
    Other,
}

/// When reading an event can stop: once the fields the patterns' anchors are on are known, the
/// anchors' values say which branches can match (`needs`), and once those branches' fields are
/// known too, nothing left can change a match; and the rest of an object none of whose awaited
/// fields is left to read is passed over. A field is known once the member holding it (it, or an object above
/// it) has been read outside any array; a member written twice, or again
/// under a dotted key, after that point is not read (an event made from a parsed value has no
/// such member). Fields are bits (field `k` is bit `k`): only for paths of at most 64 fields.
pub struct Gate<'r> {
    /// The fields the anchors are on.
    pub anchors: u64,
    /// The fields of the branches that the anchors' values (read into `Values`) leave.
    pub needs: &'r dyn Fn(&Values) -> u64,
}

/// What the gate waits for, while reading.
#[derive(Debug, Default, Clone, Copy)]
enum Watch {
    /// Everything is read.
    #[default]
    Off,
    /// The fields known so far, and those awaited: the anchors' (`deciding`), then the
    /// branches' they leave.
    On {
        known: u64,
        awaited: u64,
        deciding: bool,
    },
    /// Reading stopped and the rest was passed over: every open object returns.
    Stopped,
}

/// What is left to read of an event once a member has been (`Values::settle`).
enum Left {
    All,
    /// The awaited fields of the object the member is in are known: the rest of it is passed
    /// over.
    Outside,
    /// Nothing left can change a match.
    Nothing,
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
    /// For each pick slot, what it found.
    picked: Vec<Option<Found>>,
    watch: Watch,
}

/// Where a value is read from, in the paths and in the picks.
#[derive(Clone, Copy)]
struct At<'p> {
    node: Option<usize>,
    pick: Option<(&'p Picks, usize)>,
}

impl Values {
    fn reset(&mut self, paths: &Paths, picks: usize, gate: Option<&Gate<'_>>) {
        self.watch = match gate {
            Some(g) if paths.count() <= 64 => Watch::On {
                known: 0,
                awaited: g.anchors,
                deciding: true,
            },
            _ => Watch::Off,
        };
        self.leaves.clear();
        self.positions.clear();
        self.decoded.clear();
        self.stack.clear();
        self.next_array = 0;
        self.by_field.resize_with(paths.count(), Vec::new);
        for f in &mut self.by_field {
            f.clear();
        }
        self.picked.clear();
        self.picked.resize(picks, None);
    }

    /// Reads `text` (one JSON object) for the paths in `paths`; with a `gate`, until nothing
    /// left can change a match.
    pub fn read(
        &mut self,
        text: &str,
        paths: &Paths,
        gate: Option<&Gate<'_>>,
    ) -> Result<(), EventError> {
        self.reset(paths, 0, gate);
        let mut s = Scanner {
            b: text.as_bytes(),
            i: 0,
            brackets: std::mem::take(&mut self.brackets),
        };
        let read = self.scan(&mut s, paths, gate);
        self.brackets = s.brackets;
        read
    }

    /// Reads the object at byte `start` of `text` as the value of the member `member` of an
    /// event (at depth 1) whose other members are given afterwards (`add_str`), for the paths
    /// in `paths`, and picks `picks` in it; returns where the object ends.
    pub fn read_member(
        &mut self,
        text: &str,
        start: usize,
        member: &str,
        paths: &Paths,
        picks: &Picks,
    ) -> Result<usize, EventError> {
        self.reset(paths, picks.count(), None);
        let mut s = Scanner {
            b: text.as_bytes(),
            i: start,
            brackets: std::mem::take(&mut self.brackets),
        };
        let read = if s.peek() == Some(b'{') {
            let at = At {
                node: paths.step(0, &Name::of(member.as_bytes()), member.as_bytes()),
                pick: picks.root().map(|p| (picks, p)),
            };
            self.value(&mut s, paths, None, at, 1)
        } else {
            Err(s.error("expected an object"))
        };
        self.brackets = s.brackets;
        read.map(|()| s.i)
    }

    /// Adds the string value (`pieces` one after the other) of the field `field`
    /// (`Paths::root_field`: a root member), as though it were in the text.
    pub fn add_str(&mut self, field: u32, pieces: &[&str]) {
        let from = self.decoded.len() as u32;
        for piece in pieces {
            self.decoded.push_str(piece);
        }
        let text = Text::Decoded(from, self.decoded.len() as u32);
        self.push(Some(field), Kind::Str(text), None);
    }

    fn scan(
        &mut self,
        s: &mut Scanner<'_>,
        paths: &Paths,
        gate: Option<&Gate<'_>>,
    ) -> Result<(), EventError> {
        s.ws();
        if s.peek() != Some(b'{') {
            return Err(s.error("an event is a JSON object"));
        }
        let at = At {
            node: Some(0),
            pick: None,
        };
        self.value(s, paths, gate, at, 0)?;
        s.ws();
        if s.i < s.b.len() {
            return Err(s.error("unexpected text after the event"));
        }
        Ok(())
    }

    /// The leaves of a field.
    pub fn of(&self, field: u32) -> impl DoubleEndedIterator<Item = &Leaf> + '_ {
        self.by_field
            .get(field as usize)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|i| &self.leaves[*i as usize])
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

    /// The last value of `field` outside any array; `text` is the one read.
    pub fn top<'t>(&self, text: &'t str, field: u32) -> Option<Top<'t>> {
        let leaf = self.of(field).rev().find(|l| Values::outside_arrays(l))?;
        let range = |a: u32, b: u32| a as usize..b as usize;
        Some(match leaf.kind {
            Kind::Str(Text::Event(a, b)) => {
                Top::Str(Cow::Borrowed(text.get(range(a, b)).unwrap_or("")))
            }
            Kind::Str(Text::Decoded(a, b)) => Top::Str(Cow::Owned(
                self.decoded.get(range(a, b)).unwrap_or("").to_owned(),
            )),
            Kind::Bool(v) => Top::Bool(v),
            Kind::Num(..) | Kind::Null => Top::Other,
        })
    }

    /// What the pick in `slot` found; `text` is the one read.
    pub fn picked<'a>(&'a self, text: &'a str, slot: u32) -> Option<Picked<'a>> {
        let found = (*self.picked.get(slot as usize)?)?;
        let slice = |src: &'a str, a: u32, b: u32| src.get(a as usize..b as usize).unwrap_or("");
        Some(match found {
            Found::Object => Picked::Object,
            Found::Array => Picked::Array,
            Found::Leaf(Kind::Str(Text::Event(a, b))) => Picked::Str(slice(text, a, b)),
            Found::Leaf(Kind::Str(Text::Decoded(a, b))) => Picked::Str(slice(&self.decoded, a, b)),
            Found::Leaf(Kind::Num(a, b)) => Picked::Num(slice(text, a, b)),
            Found::Leaf(Kind::Bool(v)) => Picked::Bool(v),
            Found::Leaf(Kind::Null) => Picked::Null,
        })
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

    #[inline]
    fn push(&mut self, field: Option<u32>, kind: Kind, num: Option<f64>) {
        let Some(field) = field else { return };
        let start = self.positions.len() as u32;
        if !self.stack.is_empty() {
            self.positions.extend_from_slice(&self.stack);
        }
        self.by_field[field as usize].push(self.leaves.len() as u32);
        self.leaves.push(Leaf {
            kind,
            num,
            arrays: (start, self.stack.len() as u32),
        });
    }

    /// The string at the cursor, a leaf at `at` (inlined into the member loop, as `string`).
    #[inline(always)]
    fn string(&mut self, s: &mut Scanner<'_>, paths: &Paths, at: At<'_>) -> Result<(), EventError> {
        let text = s.string(&mut self.decoded)?;
        self.leaf(paths, at, Kind::Str(text), None);
        Ok(())
    }

    /// A leaf at `at`: for its path's field, and for its pick.
    #[inline]
    fn leaf(&mut self, paths: &Paths, at: At<'_>, kind: Kind, num: Option<f64>) {
        if let Some(node) = at.node {
            self.push(paths.field(node), kind, num);
        }
        self.pick(at, Found::Leaf(kind));
    }

    /// The member at `node` of the object at `object` has been read (outside any array): its
    /// fields are known. Once the awaited ones are, the anchors' values say which are awaited
    /// next. Says what is left to read.
    fn settle(
        &mut self,
        paths: &Paths,
        gate: Option<&Gate<'_>>,
        object: Option<usize>,
        node: usize,
    ) -> Left {
        let (
            Watch::On {
                known,
                awaited,
                deciding,
            },
            Some(gate),
        ) = (self.watch, gate)
        else {
            return Left::All;
        };
        let known = known | paths.below(node);
        let mut next = (awaited, deciding);
        if awaited & !known == 0 {
            next = if deciding {
                ((gate.needs)(self), false)
            } else {
                (0, false)
            };
            if next.0 & !known == 0 {
                return Left::Nothing;
            }
        }
        self.watch = Watch::On {
            known,
            awaited: next.0,
            deciding: next.1,
        };
        // Once the anchors decided, an object none of whose awaited fields is left to read.
        match object {
            Some(o) if !next.1 && paths.below(o) & next.0 & !known == 0 => Left::Outside,
            _ => Left::All,
        }
    }

    /// Stops reading, in the object at `depth`: passes over the rest of every open object, the
    /// event's own at depth 0 (only `read` is gated); the objects outside return as they see
    /// `Watch::Stopped`.
    #[cold]
    #[inline(never)]
    fn stop(&mut self, s: &mut Scanner<'_>, depth: usize) -> Result<(), EventError> {
        self.watch = Watch::Stopped;
        s.close_objects(depth + 1, depth)
    }

    /// Records what the pick at `at` found, replacing what a member of the same name found
    /// before (and everything found below it).
    fn pick(&mut self, at: At<'_>, found: Found) {
        let Some((picks, p)) = at.pick else { return };
        for &slot in picks.below(p) {
            self.picked[slot as usize] = None;
        }
        if let Some(slot) = picks.slot(p) {
            self.picked[slot as usize] = Some(found);
        }
    }

    fn value(
        &mut self,
        s: &mut Scanner<'_>,
        paths: &Paths,
        gate: Option<&Gate<'_>>,
        at: At<'_>,
        depth: usize,
    ) -> Result<(), EventError> {
        if depth > MAX_DEPTH {
            return Err(s.error("nested too deeply"));
        }
        if at.node.is_none() && at.pick.is_none() {
            return s.skip(depth);
        }
        match s.peek() {
            Some(b'{') => {
                self.pick(at, Found::Object);
                s.i += 1;
                s.ws();
                if s.peek() == Some(b'}') {
                    s.i += 1;
                    return Ok(());
                }
                loop {
                    s.ws();
                    let key = s.key(&mut self.decoded)?;
                    let next = {
                        let (bytes, decoded_at) = match key {
                            Key::Raw(a, b) => (&s.b[a..b], None),
                            Key::Decoded(a) => (&self.decoded.as_bytes()[a..], Some(a)),
                        };
                        let name = Name::of(bytes);
                        let next = At {
                            node: at.node.and_then(|n| paths.step(n, &name, bytes)),
                            pick: at
                                .pick
                                .and_then(|(picks, p)| Some((picks, picks.key(p, &name, bytes)?))),
                        };
                        if let Some(a) = decoded_at {
                            self.decoded.truncate(a);
                        }
                        next
                    };
                    s.ws();
                    s.eat(b':')?;
                    s.ws();
                    let wanted = next.node.is_some() || next.pick.is_some();
                    if s.peek() == Some(b'"') && depth < MAX_DEPTH {
                        // Most members hold a string: read or passed over here, without a call.
                        if wanted {
                            self.string(s, paths, next)?;
                        } else {
                            s.skip_string()?;
                        }
                    } else if wanted {
                        self.value(s, paths, gate, next, depth + 1)?;
                    } else if depth < MAX_DEPTH {
                        // Most members: named by nothing, skipped here without a call.
                        s.skip(depth + 1)?;
                    } else {
                        return Err(s.error("nested too deeply"));
                    }
                    if let (Watch::On { .. }, Some(node), true) =
                        (self.watch, next.node, self.stack.is_empty())
                    {
                        match self.settle(paths, gate, at.node, node) {
                            Left::All => {}
                            Left::Outside => return s.close_objects(1, depth),
                            Left::Nothing => return self.stop(s, depth),
                        }
                    } else if let Watch::Stopped = self.watch {
                        return Ok(());
                    }
                    s.ws();
                    match s.next() {
                        Some(b',') => {}
                        Some(b'}') => return Ok(()),
                        _ => return Err(s.back("expected ',' or '}'")),
                    }
                }
            }
            Some(b'[') => {
                self.pick(at, Found::Array);
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
                    let item = At {
                        node: at.node,
                        pick: at
                            .pick
                            .and_then(|(picks, p)| Some((picks, picks.item(p, index as usize)?))),
                    };
                    // The gate never stops reading inside an array (fields are known only
                    // outside any).
                    let r = self.value(s, paths, gate, item, depth + 1);
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
            Some(b'"') => self.string(s, paths, at),
            Some(b't') => {
                s.word(b"true")?;
                self.leaf(paths, at, Kind::Bool(true), None);
                Ok(())
            }
            Some(b'f') => {
                s.word(b"false")?;
                self.leaf(paths, at, Kind::Bool(false), None);
                Ok(())
            }
            Some(b'n') => {
                s.word(b"null")?;
                self.leaf(paths, at, Kind::Null, None);
                Ok(())
            }
            Some(b'-' | b'0'..=b'9') => {
                let (a, b) = s.number()?;
                let wanted = at.node.is_some_and(|n| paths.field(n).is_some());
                let num = if wanted {
                    comparable(std::str::from_utf8(&s.b[a..b]).unwrap_or(""))
                } else {
                    None
                };
                self.leaf(paths, at, Kind::Num(a as u32, b as u32), num);
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
        v.read(text, &p, None)?;
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

    /// Reads `text` for `paths` with a gate on the first path whose branches need the fields
    /// `needs` gives for the anchor's value; returns the values read of each path.
    fn gated(paths: &[&str], needs: &dyn Fn(&str) -> u64, text: &str) -> Vec<Vec<String>> {
        let mut p = Paths::new();
        let ids: Vec<u32> = paths.iter().map(|x| p.intern(x)).collect();
        let anchor = ids[0];
        let needs = |v: &Values| {
            v.of(anchor)
                .map(|l| match v.scalar(text, l) {
                    Scalar::Str(s) => needs(s),
                    _ => 0,
                })
                .fold(0, |a, b| a | b)
        };
        let mut v = Values::default();
        let gate = Gate {
            anchors: 1 << anchor,
            needs: &needs,
        };
        v.read(text, &p, Some(&gate)).unwrap();
        ids.iter()
            .map(|id| {
                v.of(*id)
                    .map(|l| format!("{:?}", v.scalar(text, l)))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_gate_stops_reading_once_the_awaited_fields_are_known() {
        let text = r#"{"d": {"name": "Run", "ip": "10.0.0.1", "err": "X"}, "late": 1}"#;
        let paths = ["d.name", "d.ip", "d.err", "late"];
        let read = |needs: &dyn Fn(&str) -> u64| -> Vec<usize> {
            gated(&paths, needs, text).iter().map(Vec::len).collect()
        };
        assert_eq!(read(&|_| 0), [1, 0, 0, 0], "no branch: stop at the anchor");
        assert_eq!(read(&|_| 0b11), [1, 1, 0, 0], "stop once d.ip is known");
        assert_eq!(read(&|_| 0b1000), [1, 0, 0, 1], "the rest of d passed over");
        assert_eq!(read(&|_| 0b1110), [1, 1, 1, 1], "read to the end");
        // Once the anchors decided, an object whose awaited fields are known is passed over (a
        // member written again after that point is not read), and reading goes on after it.
        let object = r#"{"d": {"name": "Run"}, "u": {"t": "x", "t": "y", "z": "q"}, "late": 2}"#;
        let lens: Vec<usize> = gated(&["d.name", "u.t", "u.z", "late"], &|_| 0b1011, object)
            .iter()
            .map(Vec::len)
            .collect();
        assert_eq!(lens, [1, 1, 0, 1]);
        // A field is known once its member is read outside any array; an absent one once the
        // object that would hold it is.
        let arrays = r#"{"d": [{"name": "Run"}], "e": {"f": 1}, "x": 2, "late": 3}"#;
        let got = gated(&["d.name", "e.g", "x", "late"], &|_| 0b10, arrays);
        let lens: Vec<usize> = got.iter().map(Vec::len).collect();
        assert_eq!(lens, [1, 0, 0, 0]);
    }

    #[test]
    fn text_after_the_gate_stops_is_still_checked() {
        let mut p = Paths::new();
        let id = p.intern("a");
        let none = |_: &Values| 0;
        let gate = Gate {
            anchors: 1 << id,
            needs: &none,
        };
        let mut v = Values::default();
        for bad in [
            r#"{"a": "x", "b": [1, 2}"#,
            r#"{"a": "x", "b": {"c": 1}"#,
            r#"{"a": "x", "b": "open}"#,
            r#"{"a": "x"} trailing"#,
        ] {
            assert!(v.read(bad, &p, Some(&gate)).is_err(), "{bad}");
        }
        assert!(
            v.read(r#"{"a": "x", "b": {"c": [1, "]}"]}}"#, &p, Some(&gate))
                .is_ok()
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
