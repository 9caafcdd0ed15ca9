//! Many patterns against many events: each event is read once for the paths the patterns name,
//! and only the patterns whose most selective exact-string field (its anchor) has a value the
//! event carries are tried (the rest, with no such field, are always tried). Reading an event
//! stops once nothing left in it can change which rules match (`Gate`).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use foldhash::fast::FixedState;

use super::compile::{Pattern, Step};
use super::event::{Gate, Leaf, Top, Values};
use super::matcher::{Matcher, Scalar};
use super::paths::Paths;
use super::pick::{Picked, Picks};
use super::scan::EventError;

/// A set of named patterns, indexed for matching.
#[derive(Debug, Clone)]
pub struct RuleSet {
    names: Vec<String>,
    paths: Paths,
    branches: Vec<Branch>,
    /// For each field id: exact string value → the branches anchored on it.
    index: Vec<HashMap<Box<str>, Vec<u32>, FixedState>>,
    /// Field ids that anchor at least one branch.
    anchors: Vec<u32>,
    /// Branches with no exact-string field, tried on every event.
    always: Vec<u32>,
    /// Whether reading an event stops once nothing left can change a match (`Gate`): not when
    /// values are read for other uses (`read_also`, `pick`).
    gated: bool,
    /// The fields anchors are on, as bits.
    anchored: u64,
    /// Each branch's fields, as bits.
    masks: Vec<u64>,
    /// What is picked by position as the events are read (`pick`).
    picks: Picks,
}

#[derive(Debug, Clone)]
struct Branch {
    rule: u32,
    fields: Vec<Field>,
    /// The field (its index in `fields`) that the branch is indexed by (`RuleSet::index`).
    anchor: Option<u32>,
}

#[derive(Debug, Clone)]
struct Field {
    id: u32,
    /// The matchers that accept a value (everything but `exists: false`).
    matchers: Vec<Matcher>,
    /// `exists: false` is one of the field's alternatives.
    may_be_absent: bool,
    /// When the field lists many exact strings (a CIS rule names up to 30 event names): them
    /// as a set, one hash instead of a compare each, and its other matchers.
    strings: Option<Strings>,
}

/// A field's exact strings as a set, and its other matchers.
#[derive(Debug, Clone)]
struct Strings {
    set: HashSet<Box<str>, FixedState>,
    rest: Vec<Matcher>,
}

/// From this many exact strings on, a field tests a value against them as a set.
const STRING_SET: usize = 4;

impl Field {
    fn new(id: u32, matchers: Vec<Matcher>) -> Field {
        let may_be_absent = matchers.contains(&Matcher::Exists(false));
        let matchers: Vec<Matcher> = matchers
            .into_iter()
            .filter(|m| *m != Matcher::Exists(false))
            .collect();
        let (exact, rest): (Vec<&Matcher>, Vec<&Matcher>) =
            matchers.iter().partition(|m| m.exact_string().is_some());
        let strings = (exact.len() >= STRING_SET).then(|| Strings {
            set: exact
                .iter()
                .filter_map(|m| m.exact_string())
                .map(Box::from)
                .collect(),
            rest: rest.into_iter().cloned().collect(),
        });
        Field {
            id,
            matchers,
            may_be_absent,
            strings,
        }
    }

    /// Whether a value of the field is accepted by one of its matchers.
    fn accepts(&self, v: &Scalar<'_>) -> bool {
        match (&self.strings, v) {
            (Some(s), Scalar::Str(x)) if s.set.contains(*x) => true,
            (Some(s), _) => s.rest.iter().any(|m| m.matches(v)),
            (None, _) => self.matchers.iter().any(|m| m.matches(v)),
        }
    }
}

impl Pattern {
    /// Whether this one pattern matches the event `text` (a JSON object). For many patterns or
    /// many events, build a `RuleSet` once instead.
    pub fn matches(&self, text: &str) -> Result<bool, EventError> {
        let rules = RuleSet::new(vec![(String::new(), self.clone())]);
        let mut scratch = Scratch::default();
        Ok(!rules.matches(text, &mut scratch)?.is_empty())
    }
}

/// Per-thread working memory for `RuleSet::matches`, reused from event to event.
#[derive(Debug, Default)]
pub struct Scratch {
    values: Values,
    stamp: Vec<u32>,
    rule_stamp: Vec<u32>,
    generation: u32,
    candidates: Vec<u32>,
    matched: Vec<usize>,
}

impl Scratch {
    /// What reading an event and `RuleSet::collect` work on, borrowed apart: the values, the
    /// stamps, the candidates, and this event's generation.
    fn parts(&mut self) -> (&mut Values, &mut [u32], &mut Vec<u32>, u32) {
        (
            &mut self.values,
            &mut self.stamp,
            &mut self.candidates,
            self.generation,
        )
    }

    /// Starts on a new event for `rules`: no branch is a candidate and no rule has matched.
    fn begin(&mut self, rules: &RuleSet) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.rule_stamp.iter_mut().for_each(|s| *s = 0);
            self.generation = 1;
        }
        self.stamp.resize(rules.branches.len(), 0);
        self.rule_stamp.resize(rules.names.len(), 0);
        self.candidates.clear();
        self.matched.clear();
    }

    /// The last value outside any array of the field `field` (from `RuleSet::read_also`) in
    /// the event read last from `text`.
    pub fn top<'t>(&self, text: &'t str, field: u32) -> Option<Top<'t>> {
        self.values.top(text, field)
    }

    /// What the pick `slot` (from `RuleSet::pick`) found in the member read last from `text`.
    pub fn picked<'a>(&'a self, text: &'a str, slot: u32) -> Option<Picked<'a>> {
        self.values.picked(text, slot)
    }
}

impl RuleSet {
    /// Builds the index over `(name, pattern)` pairs.
    pub fn new(rules: Vec<(String, Pattern)>) -> RuleSet {
        let mut paths = Paths::new();
        let mut names = Vec::new();
        let mut branches = Vec::new();
        for (rule, (name, pattern)) in rules.into_iter().enumerate() {
            names.push(name);
            for b in pattern.branches {
                let fields = b
                    .fields
                    .into_iter()
                    .map(|f| Field::new(paths.intern(&f.path), f.matchers))
                    .collect();
                branches.push(Branch {
                    rule: rule as u32,
                    fields,
                    anchor: None,
                });
            }
        }
        let mut freq: HashMap<(u32, &str), usize> = HashMap::new();
        for b in &branches {
            for f in &b.fields {
                for v in exact(f).into_iter().flatten() {
                    *freq.entry((f.id, v)).or_default() += 1;
                }
            }
        }
        // How many distinct exact values each field has across the rule set: a field with many
        // (an event name) is likely to have rare values in events too; one with few (`source`,
        // `detail-type`) is likely to have common ones.
        let mut distinct = vec![0usize; paths.count()];
        for (id, _) in freq.keys() {
            distinct[*id as usize] += 1;
        }
        let mut index: Vec<HashMap<Box<str>, Vec<u32>, FixedState>> =
            vec![HashMap::default(); paths.count()];
        let mut anchors = Vec::new();
        let mut always = Vec::new();
        let mut anchor_of = Vec::with_capacity(branches.len());
        for (i, b) in branches.iter().enumerate() {
            // The anchor: the field whose values other branches share least, on average (a
            // branch listing 30 event names no other lists is as selective as one listing one);
            // of those, the field with the most distinct values in the rule set.
            let best = b
                .fields
                .iter()
                .enumerate()
                .filter_map(|(k, f)| exact(f).map(|vs| (k, f.id, vs)))
                .min_by(|(_, a, va), (_, b, vb)| {
                    let shared = |id: u32, vs: &[&str]| {
                        vs.iter().map(|v| freq[&(id, *v)]).sum::<usize>() as f64 / vs.len() as f64
                    };
                    shared(*a, va)
                        .total_cmp(&shared(*b, vb))
                        .then(distinct[*b as usize].cmp(&distinct[*a as usize]))
                });
            match best {
                Some((k, id, values)) => {
                    anchor_of.push(Some(k as u32));
                    for v in values {
                        let list = index[id as usize].entry(v.into()).or_default();
                        if list.last() != Some(&(i as u32)) {
                            list.push(i as u32);
                        }
                    }
                    if !anchors.contains(&id) {
                        anchors.push(id);
                    }
                }
                None => {
                    anchor_of.push(None);
                    always.push(i as u32);
                }
            }
        }
        for (b, anchor) in branches.iter_mut().zip(anchor_of) {
            b.anchor = anchor;
        }
        // Field `k` is bit `k` (`Gate`); with more than 64 fields, reading never stops early
        // and the bits are unused.
        let bits = |ids: &mut dyn Iterator<Item = u32>| {
            ids.fold(0u64, |m, id| m | 1u64.checked_shl(id).unwrap_or(0))
        };
        let masks: Vec<u64> = branches
            .iter()
            .map(|b| bits(&mut b.fields.iter().map(|f| f.id)))
            .collect();
        RuleSet {
            anchored: bits(&mut anchors.iter().copied()),
            masks,
            gated: true,
            names,
            paths,
            branches,
            index,
            anchors,
            always,
            picks: Picks::default(),
        }
    }

    /// The same rule set, reading every event whole (what the gate is checked against).
    #[cfg(test)]
    pub(super) fn reading_whole(mut self) -> RuleSet {
        self.gated = false;
        self
    }

    /// Reads the dotted `path` too, for `Scratch::top`, though no pattern names it.
    pub fn read_also(&mut self, path: &str) -> u32 {
        self.gated = false;
        self.paths.intern(path)
    }

    /// Picks the value at `steps` below the member read by `read_member` (`Scratch::picked`).
    pub fn pick(&mut self, steps: &[Step]) -> u32 {
        self.gated = false;
        self.picks.add(steps)
    }

    /// How many picks there are (their slots are `0..picks()`).
    pub fn picks(&self) -> usize {
        self.picks.count()
    }

    /// The rule names, in the order given.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The indices (into `names`) of the rules that match the event `text`, in order.
    pub fn matches<'s>(
        &self,
        text: &str,
        scratch: &'s mut Scratch,
    ) -> Result<&'s [usize], EventError> {
        scratch.begin(self);
        let (values, stamp, candidates, generation) = scratch.parts();
        // The gate finds the candidates once the anchors are read; they are tried as found.
        let found = RefCell::new((false, stamp, candidates));
        let needs = |values: &Values| {
            let mut found = found.borrow_mut();
            let (done, stamp, candidates) = &mut *found;
            *done = true;
            self.collect(values, text, stamp, generation, candidates);
            candidates
                .iter()
                .fold(0, |need, &b| need | self.masks[b as usize])
        };
        let gate = Gate {
            anchors: self.anchored,
            needs: &needs,
        };
        values.read(text, &self.paths, self.gated.then_some(&gate))?;
        if !found.into_inner().0 {
            self.collect_read(text, scratch);
        }
        Ok(self.try_candidates(text, scratch))
    }

    /// `collect` over the event read last into `scratch` (from `text`).
    fn collect_read(&self, text: &str, scratch: &mut Scratch) {
        let (values, stamp, candidates, generation) = scratch.parts();
        self.collect(values, text, stamp, generation, candidates);
    }

    /// Adds to `candidates` each branch anchored on a value that the event read into `values`
    /// (from `text`) holds, and those tried on every event, each once (`stamp` marks those
    /// added for `generation`).
    fn collect(
        &self,
        values: &Values,
        text: &str,
        stamp: &mut [u32],
        generation: u32,
        candidates: &mut Vec<u32>,
    ) {
        for &field in &self.anchors {
            for leaf in values.of(field) {
                if let Scalar::Str(s) = values.scalar(text, leaf)
                    && let Some(list) = self.index[field as usize].get(s)
                {
                    for &b in list {
                        if stamp[b as usize] != generation {
                            stamp[b as usize] = generation;
                            candidates.push(b);
                        }
                    }
                }
            }
        }
        candidates.extend_from_slice(&self.always);
    }

    /// Reads the object at byte `start` of `text` as the event's member `member` (a
    /// CloudTrail record as the `detail` of its event), and picks in it; the event's other
    /// members are added with `add_str`, then `matched` decides. Returns where the object ends.
    pub fn read_member(
        &self,
        text: &str,
        start: usize,
        member: &str,
        scratch: &mut Scratch,
    ) -> Result<usize, EventError> {
        scratch
            .values
            .read_member(text, start, member, &self.paths, &self.picks)
    }

    /// The field of the event's root member `key`, when some pattern names it: what
    /// `add_str` adds to.
    pub fn root_field(&self, key: &str) -> Option<u32> {
        self.paths.root_field(key)
    }

    /// Adds the string value of a root member (its `root_field`), the concatenation of
    /// `pieces`, to the event being read.
    pub fn add_str(&self, scratch: &mut Scratch, field: u32, pieces: &[&str]) {
        scratch.values.add_str(field, pieces);
    }

    /// The indices (into `names`) of the rules that match the event read last from `text`.
    pub fn matched<'s>(&self, text: &str, scratch: &'s mut Scratch) -> &'s [usize] {
        scratch.begin(self);
        self.collect_read(text, scratch);
        self.try_candidates(text, scratch)
    }

    /// The rules (indices into `names`, in order) of which a candidate branch matches.
    fn try_candidates<'s>(&self, text: &str, scratch: &'s mut Scratch) -> &'s [usize] {
        let generation = scratch.generation;
        for &b in &scratch.candidates {
            let branch = &self.branches[b as usize];
            let rule = branch.rule as usize;
            if scratch.rule_stamp[rule] != generation && branch.matches(&scratch.values, text) {
                scratch.rule_stamp[rule] = generation;
                scratch.matched.push(rule);
            }
        }
        scratch.matched.sort_unstable();
        &scratch.matched
    }
}

/// The exact strings a field accepts, when it accepts nothing else (so it can anchor a branch).
fn exact(f: &Field) -> Option<Vec<&str>> {
    if f.may_be_absent || f.matchers.is_empty() {
        return None;
    }
    f.matchers.iter().map(Matcher::exact_string).collect()
}

impl Branch {
    /// Whether the branch matches the event read into `values` (from `text`). It is a
    /// candidate (`RuleSet::collect`): its anchor, if it has one, holds one of its values.
    fn matches(&self, values: &Values, text: &str) -> bool {
        for (k, f) in self.fields.iter().enumerate() {
            let mut leaves = values.of(f.id).peekable();
            if leaves.peek().is_none() {
                // A field that must have a value and has none (an `errorCode` most records
                // lack) decides before any value is compared.
                if f.may_be_absent {
                    continue;
                }
                return false;
            }
            if !values.of(f.id).all(Values::outside_arrays) {
                return self.matches_in_arrays(values, text);
            }
            // Outside arrays, any value will do: the anchor's is the one the branch was found by.
            if self.anchor != Some(k as u32) && !leaves.any(|l| f.accepts(&values.scalar(text, l)))
            {
                return false;
            }
        }
        true
    }

    /// `matches` when values sit in arrays: one value per field, all from the same array
    /// elements.
    fn matches_in_arrays(&self, values: &Values, text: &str) -> bool {
        let mut options: Vec<(usize, Vec<&Leaf>)> = Vec::with_capacity(self.fields.len());
        for (i, f) in self.fields.iter().enumerate() {
            let fitting: Vec<&Leaf> = values
                .of(f.id)
                .filter(|l| f.accepts(&values.scalar(text, l)))
                .collect();
            if fitting.is_empty() && !f.may_be_absent {
                return false;
            }
            options.push((i, fitting));
        }
        // Fewest choices first.
        options.sort_by_key(|(_, o)| o.len());
        let mut chosen: Vec<&Leaf> = Vec::with_capacity(options.len());
        self.search(values, &options, 0, &mut chosen, &mut Vec::new())
    }

    /// Depth-first choice of one value (or, where allowed, absence) per field.
    fn search<'v>(
        &self,
        values: &'v Values,
        options: &[(usize, Vec<&'v Leaf>)],
        depth: usize,
        chosen: &mut Vec<&'v Leaf>,
        absent: &mut Vec<u32>,
    ) -> bool {
        let Some((field, leaves)) = options.get(depth) else {
            // Every field absent by choice must have no value in the chosen elements.
            return absent.iter().all(|&id| {
                !values
                    .of(id)
                    .any(|l| chosen.iter().all(|c| values.compatible(c, l)))
            });
        };
        for &leaf in leaves {
            if chosen.iter().all(|c| values.compatible(c, leaf)) {
                chosen.push(leaf);
                let found = self.search(values, options, depth + 1, chosen, absent);
                chosen.pop();
                if found {
                    return true;
                }
            }
        }
        let f = &self.fields[*field];
        if f.may_be_absent {
            absent.push(f.id);
            let found = self.search(values, options, depth + 1, chosen, absent);
            absent.pop();
            return found;
        }
        false
    }
}
