//! Values picked by exact position, as a CloudWatch Logs metric filter's selector picks them
//! (`$.a.b[0].c`: a member by its name, a list item by its index, and never every item of a
//! list, unlike a pattern's path): read in the same pass over an event as the pattern paths.

use super::compile::Step;
use super::names::{Name, Names};

/// The selectors to pick, as a tree of steps; each distinct selector has a slot.
#[derive(Debug, Clone)]
pub struct Picks {
    nodes: Vec<Node>,
    slots: usize,
}

#[derive(Debug, Clone, Default)]
struct Node {
    keys: Names,
    items: Vec<(usize, u32)>,
    slot: Option<u32>,
    /// The slots of this node and every node below it: what a repeated member name replaces.
    below: Vec<u32>,
}

impl Default for Picks {
    fn default() -> Picks {
        Picks {
            nodes: vec![Node::default()],
            slots: 0,
        }
    }
}

impl Picks {
    /// The slot of a selector, added when new.
    pub fn add(&mut self, steps: &[Step]) -> u32 {
        let mut path = vec![0usize];
        for step in steps {
            let at = path[path.len() - 1];
            let found = match step {
                Step::Key(k) => self.key(at, &Name::of(k.as_bytes()), k.as_bytes()),
                Step::Index(i) => self.item(at, *i),
            };
            let next = match found {
                Some(n) => n,
                None => {
                    let id = self.nodes.len();
                    self.nodes.push(Node::default());
                    let node = &mut self.nodes[at];
                    match step {
                        Step::Key(k) => node.keys.insert(k.as_bytes(), id as u32),
                        Step::Index(i) => node.items.push((*i, id as u32)),
                    }
                    id
                }
            };
            path.push(next);
        }
        let end = path[path.len() - 1];
        if let Some(slot) = self.nodes[end].slot {
            return slot;
        }
        let slot = self.slots as u32;
        self.slots += 1;
        self.nodes[end].slot = Some(slot);
        for n in path {
            self.nodes[n].below.push(slot);
        }
        slot
    }

    /// How many slots there are.
    pub fn count(&self) -> usize {
        self.slots
    }

    /// Whether nothing is picked.
    pub fn is_empty(&self) -> bool {
        self.slots == 0
    }

    /// The root node, where picking starts.
    pub(super) fn root(&self) -> Option<usize> {
        (!self.is_empty()).then_some(0)
    }

    /// The node a member name (`name`, of `key`) leads to.
    pub(super) fn key(&self, at: usize, name: &Name, key: &[u8]) -> Option<usize> {
        self.nodes[at].keys.get(name, key).map(|n| n as usize)
    }

    /// The node a list item leads to.
    pub(super) fn item(&self, at: usize, index: usize) -> Option<usize> {
        self.nodes[at]
            .items
            .iter()
            .find(|(i, _)| *i == index)
            .map(|(_, n)| *n as usize)
    }

    pub(super) fn slot(&self, at: usize) -> Option<u32> {
        self.nodes[at].slot
    }

    pub(super) fn below(&self, at: usize) -> &[u32] {
        &self.nodes[at].below
    }
}

/// What a selector found: a value node as written, or the kind of a container.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Picked<'a> {
    Str(&'a str),
    /// A number as written.
    Num(&'a str),
    Bool(bool),
    Null,
    Object,
    Array,
}
