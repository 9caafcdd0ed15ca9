//! Which change must be finished before which: the one place the order of an apply is decided.
//! The planner lists a plan's changes in an order that respects it; apply runs every change
//! whose prerequisites are done, concurrently, and skips what depends on a change that failed.

use crate::plan::Change;

/// Whether `first` must be finished before `then` starts: `then`'s kind says
/// ([`crate::plan::change::Kind::waits_for`], next to each kind's planner). What the kinds say:
///
/// - A trail is deleted before any bucket changes (its bucket's policy may stop admitting it).
/// - A bucket is written before the trails that deliver to it (CloudTrail checks the bucket
///   policy when a trail is created or pointed at it), and before the buckets whose access logs
///   go to it (its policy must let S3 write them first).
/// - A topic is written before a trail that notifies it of log deliveries.
/// - The forwarding role and the topics are written before the alerts' rules, whose targets
///   name them; a role or topic is deleted only after the rules that targeted it.
/// - A Glue database is written before its tables, and deleted only after them; a workgroup is
///   written after the bucket its results go to.
/// - A log group and the log-delivery role are written before the trails (CloudTrail checks
///   them when a trail is pointed at them), and deleted only after every trail change; a log
///   group is written before its metric filters and deleted after them; a topic is written
///   before the alarms that notify it and deleted after them.
pub fn precedes(first: &Change, then: &Change) -> bool {
    then.waits_for(first)
}

/// For each change, the indices of the changes that must be finished before it.
pub fn prerequisites(changes: &[&Change]) -> Vec<Vec<usize>> {
    changes
        .iter()
        .map(|then| {
            changes
                .iter()
                .enumerate()
                .filter(|(_, first)| precedes(first, then))
                .map(|(i, _)| i)
                .collect()
        })
        .collect()
}

/// `changes` in an order apply could take: each after its prerequisites, otherwise as given.
pub fn sorted(changes: Vec<Change>) -> Vec<Change> {
    let refs: Vec<&Change> = changes.iter().collect();
    let needs = prerequisites(&refs);
    let mut placed = vec![false; changes.len()];
    let mut order = Vec::with_capacity(changes.len());
    while order.len() < changes.len() {
        // The first change not yet placed whose prerequisites all are (the relation has no
        // cycle; should one appear, the rest keep their order rather than being lost).
        let next = (0..changes.len())
            .find(|&i| !placed[i] && needs[i].iter().all(|&j| placed[j]))
            .or_else(|| (0..changes.len()).find(|&i| !placed[i]));
        let Some(i) = next else { break };
        placed[i] = true;
        order.push(i);
    }
    let mut slots: Vec<Option<Change>> = changes.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::ownership::change;
    use crate::plan::{Action, Address};

    fn c(address: Address, action: Action) -> Change {
        change(address, action, None, None)
    }

    #[test]
    fn prerequisites_and_order() {
        let changes = vec![
            c(Address::Alert("a".into()), Action::Create),
            c(Address::Topic("old".into()), Action::Delete),
            c(Address::Alert("gone".into()), Action::Delete),
            c(Address::Topic("t".into()), Action::Create),
            c(Address::Role("r".into()), Action::Update),
            c(Address::Trail("x".into()), Action::Delete),
            c(Address::Bucket("b".into()), Action::Update),
        ];
        let refs: Vec<&Change> = changes.iter().collect();
        let needs = prerequisites(&refs);
        // The new alert waits for the topic and the role; the old topic for both alerts.
        assert_eq!(needs[0], vec![3, 4]);
        assert_eq!(needs[1], vec![0, 2]);
        // A deleted trail goes before bucket changes; nothing else waits.
        assert_eq!(needs[6], vec![5]);
        assert!(needs[3].is_empty() && needs[4].is_empty() && needs[5].is_empty());
        let order: Vec<String> = sorted(changes)
            .iter()
            .map(|c| c.address.to_string())
            .collect();
        assert_eq!(
            order,
            [
                "alert.gone",
                "topic.t",
                "role.r",
                "alert.a",
                "topic.old",
                "trail.x",
                "bucket.b"
            ]
        );
    }
}
