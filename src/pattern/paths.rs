//! The dotted field paths a rule set reads, as a tree of member names: where each member of an
//! event leads (`step`), and which fields a member holds.

use super::names::{Name, Names};

/// The dotted field paths of a rule set as a tree of key segments.
#[derive(Debug, Clone, Default)]
pub struct Paths {
    nodes: Vec<Node>,
    fields: usize,
}

#[derive(Debug, Clone, Default)]
struct Node {
    children: Names,
    field: Option<u32>,
    /// The fields at or below this node, as bits (field `k` is bit `k`; fields from 64 on
    /// are left out): what reading the member at this node makes known (`Gate`).
    below: u64,
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
        let mut chain = vec![0usize];
        for seg in path.split('.') {
            at = match self.child(at, seg.as_bytes()) {
                Some(c) => c,
                None => {
                    let id = self.nodes.len() as u32;
                    self.nodes.push(Node::default());
                    self.nodes[at].children.insert(seg.as_bytes(), id);
                    id as usize
                }
            };
            chain.push(at);
        }
        let field = *self.nodes[at].field.get_or_insert_with(|| {
            self.fields += 1;
            (self.fields - 1) as u32
        });
        if field < 64 {
            for n in chain {
                self.nodes[n].below |= 1 << field;
            }
        }
        field
    }

    /// How many distinct paths there are.
    pub fn count(&self) -> usize {
        self.fields
    }

    /// The field whose path ends at `node`, if one does.
    #[inline]
    pub(super) fn field(&self, node: usize) -> Option<u32> {
        self.nodes[node].field
    }

    /// The fields at or below `node`, as bits (field `k` is bit `k`; fields from 64 on are
    /// left out): what reading the member at `node` makes known (`Gate`).
    #[inline]
    pub(super) fn below(&self, node: usize) -> u64 {
        self.nodes[node].below
    }

    fn child(&self, at: usize, seg: &[u8]) -> Option<usize> {
        self.nodes[at]
            .children
            .get(&Name::of(seg), seg)
            .map(|c| c as usize)
    }

    /// The node an object key leads to from `at` (a dotted key walks one step per segment;
    /// segments never hold a dot, so a key found whole has none). Inlined into the reading of
    /// every member; the rare dotted key is walked out of line.
    #[inline]
    pub(super) fn step(&self, at: usize, name: &Name, key: &[u8]) -> Option<usize> {
        let children = &self.nodes[at].children;
        if let Some(c) = children.get(name, key) {
            return Some(c as usize);
        }
        if children.is_empty() || !name.has_dot(key) {
            return None;
        }
        self.dotted(at, key)
    }

    /// The node a dotted key (`"a.b"`) leads to from `at`, one segment at a time.
    #[cold]
    #[inline(never)]
    fn dotted(&self, at: usize, key: &[u8]) -> Option<usize> {
        key.split(|b| *b == b'.')
            .try_fold(at, |n, seg| self.child(n, seg))
    }

    /// The field of the root member `key`, when some path names it.
    pub fn root_field(&self, key: &str) -> Option<u32> {
        let key = key.as_bytes();
        self.step(0, &Name::of(key), key)
            .and_then(|n| self.nodes[n].field)
    }
}
