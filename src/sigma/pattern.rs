//! Conjunctions of field conditions as EventBridge patterns: each field's conditions said as one
//! list (or found contradictory, or refused), equal branches merged, shared fields hoisted out of
//! `$or`, and the branches split over several patterns where one would pass EventBridge's limits.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json, json};

use crate::model::event_sources::is_read_only;
use crate::pattern::Pattern;
use crate::sigma::Refusal;
use crate::sigma::condition::Lit;
use crate::sigma::eventbridge;
use crate::sigma::matcher::{Known, Test};

/// A branch: each CloudTrail field it constrains, with EventBridge's list of matchers.
pub type Branch = BTreeMap<String, Json>;

/// One conjunction as a branch, or `None` when it can never hold.
pub fn resolve(lits: &[Lit], notes: &mut Vec<String>) -> Result<Option<Branch>, Refusal> {
    let mut fields: BTreeMap<&str, (Vec<Vec<Test>>, Vec<Test>)> = BTreeMap::new();
    for l in lits {
        let (pos, neg) = fields.entry(l.cond.field.as_str()).or_default();
        if l.positive {
            pos.push(l.cond.alts.clone());
            continue;
        }
        for t in &l.cond.alts {
            match t {
                Test::Exists(b) => pos.push(vec![Test::Exists(!b)]),
                t => neg.push(t.clone()),
            }
        }
    }
    let mut branch = Branch::new();
    for (field, (pos, neg)) in fields {
        match one_field(field, pos, &neg, notes)? {
            Some(list) => {
                branch.insert(field.to_owned(), list);
            }
            None => return Ok(None),
        }
    }
    Ok(Some(branch))
}

/// What EventBridge lists for one field, given the alternatives that must each hold and the
/// tests none of which may hold; `None` when nothing can satisfy them.
fn one_field(
    field: &str,
    mut pos: Vec<Vec<Test>>,
    neg: &[Test],
    notes: &mut Vec<String>,
) -> Result<Option<Json>, Refusal> {
    let absent = vec![Test::Exists(false)];
    let present = vec![Test::Exists(true)];
    if pos.contains(&absent) {
        // Absent: every other requirement must allow absence; what must not hold cannot.
        let ok = pos.iter().all(|p| p.contains(&Test::Exists(false)));
        return Ok(ok.then(|| json!([{"exists": false}])));
    }
    let must_exist = pos.contains(&present);
    pos.retain(|p| *p != present);
    // A finite set of values: decide the rest on each of them.
    if let Some(i) = pos
        .iter()
        .position(|p| p.iter().all(|t| t.known().is_some()))
    {
        let base = pos.remove(i);
        let mut keep = Vec::new();
        for t in base {
            let Some(k) = t.known() else { continue };
            let mut ok = true;
            for p in &pos {
                ok &= any_holds(field, p, &k)?;
            }
            for n in neg {
                ok &= !any_holds(field, std::slice::from_ref(n), &k)?;
            }
            if ok {
                keep.push(t.positive(field, notes));
            }
        }
        keep.dedup();
        return Ok((!keep.is_empty()).then_some(Json::Array(keep)));
    }
    match (pos.len(), neg.is_empty()) {
        (0, true) => Ok(Some(json!([{"exists": true}]))),
        (1, true) => Ok(Some(Json::Array(
            pos[0].iter().map(|t| t.positive(field, notes)).collect(),
        ))),
        (0, false) => {
            let mut list = eventbridge::negative(field, neg, notes)?;
            if must_exist && let Some(items) = list.as_array_mut() {
                items.retain(|m| *m != json!({"exists": false}));
            }
            Ok(Some(list))
        }
        _ => Err(Refusal::new(format!(
            "{field}: EventBridge lists one field's conditions as alternatives, so it cannot ask two of them at once (here {} that must hold and {} that must not)",
            pos.len(),
            neg.len()
        ))),
    }
}

fn any_holds(field: &str, tests: &[Test], k: &Known) -> Result<bool, Refusal> {
    let mut any = false;
    for t in tests {
        match t.holds(k) {
            Some(b) => any |= b,
            None => {
                return Err(Refusal::new(format!(
                    "{field}: a case-insensitive value meets a case-sensitive condition, which holds for some spellings only"
                )));
            }
        }
    }
    Ok(any)
}

/// Branches with equal fields but one merged (their lists joined), and branches another implies
/// dropped, until none changes.
pub fn simplify(mut branches: Vec<Branch>) -> Vec<Branch> {
    loop {
        let mut changed = false;
        // A branch whose every condition another branch also has is implied by it: drop the
        // stricter one.
        let mut i = 0;
        while i < branches.len() {
            let implied = (0..branches.len()).any(|j| {
                j != i
                    && branches[j]
                        .iter()
                        .all(|(k, v)| branches[i].get(k) == Some(v))
                    && (branches[j].len() < branches[i].len() || j < i)
            });
            if implied {
                branches.remove(i);
                changed = true;
            } else {
                i += 1;
            }
        }
        'merge: for i in 0..branches.len() {
            for j in i + 1..branches.len() {
                if branches[i].len() != branches[j].len() {
                    continue;
                }
                let differ: Vec<&String> = branches[i]
                    .iter()
                    .filter(|(k, v)| branches[j].get(*k) != Some(v))
                    .map(|(k, _)| k)
                    .collect();
                if differ.len() != 1 || !branches[j].contains_key(differ[0]) {
                    continue;
                }
                let key = differ[0].clone();
                let other = branches.remove(j);
                if let (Some(Json::Array(a)), Some(Json::Array(b))) =
                    (branches[i].get_mut(&key), other.get(&key))
                {
                    for m in b {
                        if !a.contains(m) {
                            a.push(m.clone());
                        }
                    }
                }
                changed = true;
                break 'merge;
            }
        }
        if !changed {
            return branches;
        }
    }
}

/// Whether a branch may match read-only management events: unless every event name it lists
/// is a known change.
pub fn reads(branch: &Branch) -> bool {
    let Some(Json::Array(names)) = branch.get("eventName") else {
        return true;
    };
    names.iter().any(|n| match n {
        Json::String(s) => is_read_only(s),
        Json::Object(m) => m
            .get("equals-ignore-case")
            .and_then(Json::as_str)
            .is_none_or(is_read_only),
        _ => true,
    })
}

/// The branches as EventBridge patterns: one where it fits, several where one pattern would
/// be longer than EventBridge allows or have too many combinations.
pub fn patterns(branches: &[Branch]) -> Result<Vec<Json>, Refusal> {
    let p = pattern(branches)?;
    match Pattern::parse(&p.to_string()) {
        Ok(_) => Ok(vec![p]),
        Err(e) if branches.len() < 2 => Err(Refusal::new(format!(
            "the pattern is not one EventBridge accepts: {e}"
        ))),
        Err(_) => {
            let (a, b) = branches.split_at(branches.len() / 2);
            let mut out = patterns(a)?;
            out.extend(patterns(b)?);
            Ok(out)
        }
    }
}

fn pattern(branches: &[Branch]) -> Result<Json, Refusal> {
    let mut common = Branch::new();
    if let Some(first) = branches.first() {
        for (k, v) in first {
            if branches.iter().all(|b| b.get(k) == Some(v)) {
                common.insert(k.clone(), v.clone());
            }
        }
    }
    let mut detail = nest(&common)?;
    let rest: Vec<Branch> = branches
        .iter()
        .map(|b| {
            b.iter()
                .filter(|(k, _)| !common.contains_key(*k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .collect();
    if rest.len() > 1 {
        let ors = rest
            .iter()
            .map(|b| nest(b).map(Json::Object))
            .collect::<Result<Vec<_>, _>>()?;
        detail.insert("$or".to_owned(), Json::Array(ors));
    }
    Ok(json!({
        "detail-type": [{"suffix": " via CloudTrail"}],
        "detail": detail,
    }))
}

/// Dotted CloudTrail paths as nested members.
fn nest(b: &Branch) -> Result<Map<String, Json>, Refusal> {
    let mut root = Map::new();
    for (path, list) in b {
        let mut at = &mut root;
        let parts: Vec<&str> = path.split('.').collect();
        for (i, part) in parts.iter().enumerate() {
            if i + 1 == parts.len() {
                if at.contains_key(*part) {
                    return Err(clash(path));
                }
                at.insert((*part).to_owned(), list.clone());
            } else {
                let next = at
                    .entry((*part).to_owned())
                    .or_insert_with(|| Json::Object(Map::new()));
                at = next.as_object_mut().ok_or_else(|| clash(path))?;
            }
        }
    }
    Ok(root)
}

fn clash(path: &str) -> Refusal {
    Refusal::new(format!(
        "{path} and a field inside it are both tested; a pattern tests leaf values only"
    ))
}
