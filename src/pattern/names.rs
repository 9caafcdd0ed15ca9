//! Member name → node, for the members of one object of the paths the patterns name. Every
//! member of a record is looked up, and most are named by no pattern, so a lookup must be cheap
//! both ways: a name is keyed by its length and its first and last eight bytes (`Name`), which
//! for the names of up to sixteen bytes that CloudTrail mostly has *is* the name. A lookup is
//! then a hash of three words, one probe and three word compares, with no call to `memcmp`;
//! only longer names that key alike have their bytes compared. Most misses end sooner, at one
//! bit of a 64-bit filter of the object's names.

/// A member name as three words: for names of up to sixteen bytes, the name itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Name {
    len: u64,
    head: u64,
    tail: u64,
}

const DOTS: u64 = 0x2e2e_2e2e_2e2e_2e2e;
const LOW: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

impl Name {
    #[inline]
    pub(super) fn of(k: &[u8]) -> Name {
        let len = k.len();
        let (head, tail) = match (k.first_chunk::<8>(), k.last_chunk::<8>()) {
            (Some(h), Some(t)) => (u64::from_le_bytes(*h), u64::from_le_bytes(*t)),
            _ => match (k.first_chunk::<4>(), k.last_chunk::<4>()) {
                // Four to seven bytes: two overlapping halves hold every byte.
                (Some(h), Some(t)) => (
                    u64::from(u32::from_le_bytes(*h)) | u64::from(u32::from_le_bytes(*t)) << 32,
                    0,
                ),
                // Up to three bytes: first, middle and last are every byte.
                _ => match (k.first(), k.get(len / 2), k.last()) {
                    (Some(&a), Some(&m), Some(&z)) => {
                        (u64::from(a) | u64::from(m) << 8 | u64::from(z) << 16, 0)
                    }
                    _ => (0, 0),
                },
            },
        };
        Name {
            len: len as u64,
            head,
            tail,
        }
    }

    /// Whether the name holds a `.` (a dotted key, as `"a.b"`, that may walk several steps).
    #[inline]
    pub(super) fn has_dot(&self, k: &[u8]) -> bool {
        let zero_byte = |w: u64| {
            let x = w ^ DOTS;
            x.wrapping_sub(LOW) & !x & HIGH != 0
        };
        match self.len {
            // Built from the bytes alone (no padding): a byte of `.` in a word is a dot.
            4..=7 => zero_byte(self.head),
            8..=16 => zero_byte(self.head) || zero_byte(self.tail),
            // Short names and long ones: a plain loop beats `contains` (a `memchr` call).
            _ => {
                for b in k {
                    if *b == b'.' {
                        return true;
                    }
                }
                false
            }
        }
    }

    /// One of 64 bits for the name, from its length and first bytes: the name's bit in a
    /// `Names::filter`. By measurement a miss turned away by it skips the table's load and
    /// compare that most members of a record paid (bench-pattern: 50 rules 0.70x -> 0.72x).
    #[inline]
    fn bloom(&self) -> u64 {
        self.head
            .wrapping_add(self.len)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            >> 58
    }

    #[inline]
    fn hash(&self, seed: u64) -> u64 {
        (self.head ^ self.tail.rotate_left(23) ^ self.len ^ seed)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }

    /// A name no member has (names are far shorter): what an empty slot holds.
    const NONE: Name = Name {
        len: u64::MAX,
        head: 0,
        tail: 0,
    };
}

/// Member name → node id. Up to `PERFECT` names, a perfect hash: a seed and size chosen when
/// the names are added so that each has a slot of its own, and a lookup is one hash, one slot
/// and one compare of three words, with no probing loop; whether a member is named is the only
/// branch (measured: a probing table spent 6% of a backtest in mispredicted probe branches).
/// Wider objects, or names no seed separates, are probed linearly in a table half full.
#[derive(Debug, Clone)]
pub(super) struct Names {
    slots: Vec<Slot>,
    /// log2 of the table's length, as a shift of the hash.
    shift: u32,
    seed: u64,
    /// The table is probed (not a perfect hash).
    probed: bool,
    /// Every name and its node, in the order added.
    keys: Vec<(Box<[u8]>, u32)>,
    /// One bit per name (`Name::bloom`): most members of a record are named by no pattern,
    /// and most of those are turned away here, before the table is read.
    filter: u64,
}

/// Up to this many names a perfect hash is sought, in at most `PERFECT_GROWTH` × twice their
/// count slots (a 64-name table of 32-byte slots stays within 64 KiB).
const PERFECT: usize = 64;
const PERFECT_GROWTH: usize = 16;
const SEEDS: u64 = 32;

#[derive(Debug, Clone, Copy)]
struct Slot {
    name: Name,
    node: u32,
    /// For a name longer than sixteen bytes (its `Name` is not the whole name), 1 + its index
    /// in `keys`; 0 otherwise.
    long: u32,
}

const EMPTY: Slot = Slot {
    name: Name::NONE,
    node: 0,
    long: 0,
};

impl Default for Names {
    fn default() -> Names {
        Names {
            slots: vec![EMPTY],
            shift: 63,
            seed: 0,
            probed: false,
            keys: Vec::new(),
            filter: 0,
        }
    }
}

impl Names {
    pub(super) fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The node of the member `key` (its `Name` is `name`).
    #[inline(always)]
    pub(super) fn get(&self, name: &Name, key: &[u8]) -> Option<u32> {
        if self.filter >> name.bloom() & 1 == 0 {
            return None;
        }
        let mut at = (name.hash(self.seed) >> self.shift) as usize;
        loop {
            let slot = self.slots.get(at)?;
            if slot.name == *name {
                return self.resolve(slot, key);
            }
            if !self.probed || slot.name == Name::NONE {
                return None;
            }
            at = (at + 1) % self.slots.len();
        }
    }

    /// The node of a slot whose `Name` is the member's: a long name's bytes decide. Long names
    /// may share a `Name`; the slot holds the first, the others are found by their bytes.
    #[inline]
    fn resolve(&self, slot: &Slot, key: &[u8]) -> Option<u32> {
        match slot.long.checked_sub(1) {
            None => Some(slot.node),
            Some(i) => match self.keys.get(i as usize) {
                Some((k, node)) if **k == *key => Some(*node),
                _ => self
                    .keys
                    .iter()
                    .find(|(k, _)| **k == *key)
                    .map(|(_, node)| *node),
            },
        }
    }

    /// Adds a name and lays the table out again.
    pub(super) fn insert(&mut self, key: &[u8], node: u32) {
        self.keys.push((key.into(), node));
        self.filter |= 1 << Name::of(key).bloom();
        // One slot per distinct `Name`: long names that share one share its slot.
        let mut names: Vec<(Name, usize)> = Vec::with_capacity(self.keys.len());
        for (i, (k, _)) in self.keys.iter().enumerate() {
            let name = Name::of(k);
            if !names.iter().any(|(n, _)| *n == name) {
                names.push((name, i));
            }
        }
        let least = (names.len() * 2).next_power_of_two().max(2);
        let perfect = (names.len() <= PERFECT)
            .then(|| perfect(&names, least))
            .flatten();
        let (len, seed) = perfect.unwrap_or((least, 0));
        self.probed = perfect.is_none();
        self.seed = seed;
        self.shift = 64 - len.trailing_zeros();
        self.slots = vec![EMPTY; len];
        for (name, i) in names {
            let mut at = (name.hash(seed) >> self.shift) as usize;
            while self.slots[at].name != Name::NONE {
                at = (at + 1) % len;
            }
            let node = self.keys.get(i).map_or(0, |(_, n)| *n);
            let long = if name.len > 16 { i as u32 + 1 } else { 0 };
            self.slots[at] = Slot { name, node, long };
        }
    }
}

/// The smallest table (from `least` slots) and its seed that give every name a slot of its
/// own, if one is found within `PERFECT_GROWTH` × `least` slots and `SEEDS` seeds each.
fn perfect(names: &[(Name, usize)], least: usize) -> Option<(usize, u64)> {
    let mut len = least;
    while len <= least * PERFECT_GROWTH {
        let shift = 64 - len.trailing_zeros();
        for seed in 0..SEEDS {
            let mut taken = vec![false; len];
            let fits = names.iter().all(|(n, _)| {
                let at = (n.hash(seed) >> shift) as usize;
                !std::mem::replace(&mut taken[at], true)
            });
            if fits {
                return Some((len, seed));
            }
        }
        len *= 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_found_and_no_other() {
        let names: Vec<String> = [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "abcde",
            "eventName",
            "eventSource",
            "errorCode",
            "a.b",
            "userIdentity",
            "requestParameters",
            "requestParametersX",
            "requestXarameters",
            "sourceIPAddress",
            "recipientAccountId",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain((0..40).map(|i| format!("k{i}")))
        .collect();
        let mut table = Names::default();
        for (i, n) in names.iter().enumerate() {
            table.insert(n.as_bytes(), i as u32);
        }
        for (i, n) in names.iter().enumerate() {
            let k = n.as_bytes();
            assert_eq!(table.get(&Name::of(k), k), Some(i as u32), "{n}");
        }
        for other in [
            "ba",
            "abd",
            "acbd",
            "eventname",
            "eventNam",
            "requestParametersY",
            "k40",
        ] {
            let k = other.as_bytes();
            assert_eq!(table.get(&Name::of(k), k), None, "{other}");
        }
        assert_eq!(Names::default().get(&Name::of(b"a"), b"a"), None);
    }

    #[test]
    fn long_names_that_share_first_and_last_bytes_and_wide_nodes() {
        let mut table = Names::default();
        let long = [
            "abcdefghXijklmnop",
            "abcdefghYijklmnop",
            "abcdefghZijklmnop",
        ];
        for (i, k) in long.iter().enumerate() {
            table.insert(k.as_bytes(), i as u32);
        }
        for (i, k) in long.iter().enumerate() {
            assert_eq!(
                table.get(&Name::of(k.as_bytes()), k.as_bytes()),
                Some(i as u32)
            );
        }
        let other = b"abcdefghWijklmnop";
        assert_eq!(table.get(&Name::of(other), other), None);
        let mut wide = Names::default();
        for i in 0..300u32 {
            wide.insert(format!("member{i}").as_bytes(), i);
        }
        for i in 0..300u32 {
            let k = format!("member{i}");
            assert_eq!(wide.get(&Name::of(k.as_bytes()), k.as_bytes()), Some(i));
        }
        assert!(
            wide.probed && wide.slots.len() == 1024,
            "{}",
            wide.slots.len()
        );
        for miss in ["member300", "membe", "x"] {
            assert_eq!(wide.get(&Name::of(miss.as_bytes()), miss.as_bytes()), None);
        }
        // Names no seed separates (the same hash for every seed: `x` and `!x` of eight bytes)
        // are probed.
        let (a, b) = (0x0102_0304_0506_0708u64, !0x0102_0304_0506_0708u64);
        let mut same = Names::default();
        same.insert(&a.to_le_bytes(), 1);
        same.insert(&b.to_le_bytes(), 2);
        assert!(same.probed);
        assert_eq!(
            same.get(&Name::of(&a.to_le_bytes()), &a.to_le_bytes()),
            Some(1)
        );
        assert_eq!(
            same.get(&Name::of(&b.to_le_bytes()), &b.to_le_bytes()),
            Some(2)
        );
    }

    #[test]
    fn dots_are_found_at_every_length() {
        for len in 1..40 {
            for at in 0..len {
                let mut k = vec![b'x'; len];
                assert!(!Name::of(&k).has_dot(&k));
                k[at] = b'.';
                assert!(Name::of(&k).has_dot(&k), "{len} {at}");
            }
        }
    }
}
