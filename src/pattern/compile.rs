//! Pattern text → `Pattern`, validated with the service's rules; every error says what is wrong
//! and where in the pattern (`detail.eventName[0].prefix`).

use std::fmt;

use super::caseless::Caseless;
use super::cidr::IpRange;
use super::complexity::{MAX_WILDCARD_COMPLEXITY, Term, complexity};
use super::json::{self, Json};
use super::matcher::{AnythingBut, Matcher, Range};
use super::number::{comparable, equality_value};
use super::wildcard::Wildcard;

/// EventBridge's default quota on the size of an event pattern (adjustable up to 4096).
pub const MAX_PATTERN_CHARS: usize = 2048;
/// At most this many combinations of `$or` branches in one pattern.
pub const MAX_OR_COMBINATIONS: usize = 1000;

/// Field names that are match operators and so cannot be field names inside `$or`.
const OPERATORS: [&str; 10] = [
    "prefix",
    "suffix",
    "anything-but",
    "numeric",
    "exists",
    "cidr",
    "equals-ignore-case",
    "wildcard",
    "exactly",
    "$or",
];

/// A validated event pattern: alternatives (from `$or`), each a conjunction of field conditions.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub branches: Vec<Branch>,
}

/// Conditions that must all hold: for each field (a dotted path), one of its matchers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Branch {
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The dotted path of the field (`detail.eventName`).
    pub path: String,
    pub matchers: Vec<Matcher>,
}

/// One step into a pattern: a member or a list item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// Why a pattern is invalid, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pub message: String,
    /// Where in the pattern (`detail`, `eventName`, 0, `prefix`); empty for the whole pattern.
    pub path: Vec<Step>,
    /// The 1-based line and column of a JSON syntax error in pattern text.
    pub position: Option<(usize, usize)>,
}

impl PatternError {
    /// The location as text: `detail.eventName[0].prefix`.
    pub fn at(&self) -> String {
        let mut out = String::new();
        for step in &self.path {
            match step {
                Step::Key(k) if out.is_empty() => out.push_str(k),
                Step::Key(k) => {
                    out.push('.');
                    out.push_str(k);
                }
                Step::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, column)) => write!(f, "{} (at line {line}, column {column})", self.message),
            None if self.path.is_empty() => f.write_str(&self.message),
            None => write!(f, "{} (at {})", self.message, self.at()),
        }
    }
}

impl std::error::Error for PatternError {}

impl Pattern {
    /// Parses and validates pattern text, with the default size quota.
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        Pattern::parse_with_limit(text, MAX_PATTERN_CHARS)
    }

    /// Parses and validates pattern text of at most `max_chars` characters.
    pub fn parse_with_limit(text: &str, max_chars: usize) -> Result<Pattern, PatternError> {
        let chars = text.chars().count();
        if chars > max_chars {
            return Err(err(
                &[],
                format!("the pattern is {chars} characters; EventBridge allows {max_chars}"),
            ));
        }
        let json = json::parse(text).map_err(|e| PatternError {
            message: format!("not valid JSON: {}", e.message),
            path: Vec::new(),
            position: Some((e.line, e.column)),
        })?;
        Pattern::from_json(&json)
    }

    /// Validates an already parsed pattern (no size quota: the caller knows the text); the
    /// first problem found.
    pub fn from_json(json: &Json) -> Result<Pattern, PatternError> {
        Pattern::compile(json).map_err(|mut all| all.swap_remove(0))
    }

    /// Validates an already parsed pattern, with every problem found (at least one on error).
    pub fn compile(json: &Json) -> Result<Pattern, Vec<PatternError>> {
        let Json::Object(members) = json else {
            return Err(vec![err(
                &[],
                format!("a pattern is a JSON object, not {}", json.kind()),
            )]);
        };
        let mut errors = Vec::new();
        let branches = object(members, "", &[], vec![Vec::new()], false, &mut errors);
        if errors.is_empty() {
            errors = too_complex(&branches);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Pattern {
            branches: branches
                .into_iter()
                .map(|fields| Branch { fields })
                .collect(),
        })
    }
}

/// EventBridge's "Rule is too complex": the fields whose wildcard machine lets one value match
/// more wildcard prefixes at once than the service accepts. event-ruler builds one machine per field for
/// each distinct run of conditions on the fields before it (fields in lexical order), so `$or`
/// branches that agree on those share it.
fn too_complex(branches: &[Vec<Field>]) -> Vec<PatternError> {
    type Group<'a> = (&'a str, Vec<&'a Field>, Vec<Term<'a>>);
    let mut groups: Vec<Group<'_>> = Vec::new();
    for fields in branches {
        let mut sorted: Vec<&Field> = fields.iter().collect();
        sorted.sort_by(|a, b| a.path.cmp(&b.path));
        for (i, f) in sorted.iter().enumerate() {
            // A wildcard is one pattern; an `anything-but` wildcard list is one pattern too.
            let terms: Vec<Term<'_>> = f
                .matchers
                .iter()
                .filter_map(|m| match m {
                    Matcher::Wildcard(w) => Some(vec![w]),
                    Matcher::AnythingBut(AnythingBut::Wildcard(ws)) => Some(ws.iter().collect()),
                    _ => None,
                })
                .collect();
            if terms.is_empty() {
                continue;
            }
            let before = &sorted[..i];
            let at = match groups
                .iter()
                .position(|(path, prior, _)| *path == f.path && prior.as_slice() == before)
            {
                Some(at) => at,
                None => {
                    groups.push((&f.path, before.to_vec(), Vec::new()));
                    groups.len() - 1
                }
            };
            let known = &mut groups[at].2;
            for t in terms {
                if !known.contains(&t) {
                    known.push(t);
                }
            }
        }
    }
    let mut errors: Vec<PatternError> = Vec::new();
    for (path, _, terms) in groups {
        let held = complexity(&terms);
        let at: Vec<Step> = path.split('.').map(|k| Step::Key(k.to_owned())).collect();
        if held > MAX_WILDCARD_COMPLEXITY && !errors.iter().any(|e| e.path == at) {
            errors.push(err(
                &at,
                format!(
                    "Rule is too complex: one value can match {held} or more wildcard prefixes of `{path}` at once; \
                     EventBridge accepts {MAX_WILDCARD_COMPLEXITY}. Use fewer wildcard characters, or fewer repeated \
                     characters after a star"
                ),
            ));
        }
    }
    errors
}

fn err(at: &[Step], message: impl Into<String>) -> PatternError {
    PatternError {
        message: message.into(),
        path: at.to_vec(),
        position: None,
    }
}

/// `at` and one more step.
fn then(at: &[Step], step: Step) -> Vec<Step> {
    let mut v = at.to_vec();
    v.push(step);
    v
}

fn key(at: &[Step], k: &str) -> Vec<Step> {
    then(at, Step::Key(k.to_owned()))
}

fn index(at: &[Step], i: usize) -> Vec<Step> {
    then(at, Step::Index(i))
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

type Fields = Vec<Field>;

/// Applies an object's members to every branch built so far; `$or` multiplies the branches.
/// Every problem is pushed to `errors`, and the walk goes on past it.
fn object(
    members: &[(String, Json)],
    prefix: &str,
    loc: &[Step],
    mut branches: Vec<Fields>,
    in_or: bool,
    errors: &mut Vec<PatternError>,
) -> Vec<Fields> {
    if members.is_empty() {
        errors.push(err(loc, "an empty object matches nothing; name a field"));
    }
    for (name, value) in members {
        let path = join(prefix, name);
        let here = key(loc, name);
        if name == "$or" {
            branches = or(value, prefix, &here, branches, errors);
            continue;
        }
        if in_or && OPERATORS.contains(&name.as_str()) {
            errors.push(err(
                &here,
                format!("{name:?} is a match operator and cannot be a field name inside $or"),
            ));
            continue;
        }
        match value {
            Json::Object(inner) => {
                branches = object(inner, &path, &here, branches, in_or, errors);
            }
            Json::Array(items) => match list(items, &here) {
                Ok(matchers) => {
                    for fields in &mut branches {
                        // Duplicate keys and dotted spellings of one path: the last one wins.
                        fields.retain(|f| f.path != path);
                        fields.push(Field {
                            path: path.clone(),
                            matchers: matchers.clone(),
                        });
                    }
                }
                Err(e) => errors.push(e),
            },
            other => errors.push(err(
                &here,
                format!(
                    "a field takes an object or a list of values, not {}",
                    other.kind()
                ),
            )),
        }
    }
    branches
}

fn or(
    value: &Json,
    prefix: &str,
    path: &[Step],
    branches: Vec<Fields>,
    errors: &mut Vec<PatternError>,
) -> Vec<Fields> {
    let alternatives = match value {
        Json::Array(a) if a.len() >= 2 => a,
        _ => {
            errors.push(err(path, "$or takes a list of at least two objects"));
            return branches;
        }
    };
    let mut out = Vec::new();
    for (i, alt) in alternatives.iter().enumerate() {
        let at = index(path, i);
        let Json::Object(members) = alt else {
            errors.push(err(
                &at,
                format!("a $or alternative is an object, not {}", alt.kind()),
            ));
            continue;
        };
        out.extend(object(members, prefix, &at, branches.clone(), true, errors));
        if out.len() > MAX_OR_COMBINATIONS {
            errors.push(err(
                path,
                format!("$or makes more than {MAX_OR_COMBINATIONS} combinations"),
            ));
            return branches;
        }
    }
    out
}

/// A field's list of accepted values.
fn list(items: &[Json], path: &[Step]) -> Result<Vec<Matcher>, PatternError> {
    if items.is_empty() {
        return Err(err(
            path,
            "an empty list matches nothing; give at least one value",
        ));
    }
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = index(path, i);
        match item {
            Json::String(s) => out.push(match IpRange::address(s) {
                Some(ip) => Matcher::Cidr(ip),
                None => Matcher::String(s.clone()),
            }),
            Json::Number(raw) => {
                if let Some(v) = equality_value(raw) {
                    out.push(Matcher::Number(v));
                }
                out.push(Matcher::Literal(raw.clone()));
            }
            Json::Bool(b) => out.push(Matcher::Literal(b.to_string())),
            Json::Null => out.push(Matcher::Literal("null".into())),
            Json::Object(members) => out.push(operator(members, &at)?),
            Json::Array(_) => {
                return Err(err(
                    &at,
                    "a value is a string, number, boolean, null or an operator object, not a list",
                ));
            }
        }
    }
    Ok(out)
}

/// The one member of an operator object.
fn single<'a>(
    members: &'a [(String, Json)],
    at: &[Step],
) -> Result<(&'a str, &'a Json), PatternError> {
    match members {
        [(k, v)] => Ok((k, v)),
        [] => Err(err(
            at,
            "an operator object needs an operator, e.g. {\"prefix\": \"x\"}",
        )),
        _ => Err(err(at, "only one key is allowed in a match expression")),
    }
}

fn string<'a>(v: &'a Json, at: &[Step], what: &str) -> Result<&'a str, PatternError> {
    match v {
        Json::String(s) => Ok(s),
        other => Err(err(
            at,
            format!("{what} takes a string, not {}", other.kind()),
        )),
    }
}

fn operator(members: &[(String, Json)], at: &[Step]) -> Result<Matcher, PatternError> {
    let (op, v) = single(members, at)?;
    let at = &key(at, op);
    Ok(match op {
        "exactly" => Matcher::String(string(v, at, "exactly")?.to_owned()),
        "prefix" | "suffix" => {
            let ignore_case = match v {
                Json::Object(inner) => {
                    let (inner_op, inner_v) = single(inner, at)?;
                    if inner_op != "equals-ignore-case" {
                        return Err(err(at, format!("unsupported {op} pattern: {inner_op}")));
                    }
                    Some(Caseless::new(string(
                        inner_v,
                        &key(at, inner_op),
                        inner_op,
                    )?))
                }
                _ => None,
            };
            match (op, ignore_case) {
                ("prefix", Some(s)) => Matcher::PrefixIgnoreCase(s),
                ("suffix", Some(s)) => Matcher::SuffixIgnoreCase(s),
                ("prefix", None) => Matcher::Prefix(string(v, at, op)?.to_owned()),
                _ => Matcher::Suffix(string(v, at, op)?.to_owned()),
            }
        }
        "equals-ignore-case" => Matcher::EqualsIgnoreCase(Caseless::new(string(v, at, op)?)),
        "wildcard" => {
            Matcher::Wildcard(Wildcard::parse(string(v, at, op)?).map_err(|m| err(at, m))?)
        }
        "cidr" => Matcher::Cidr(IpRange::cidr(string(v, at, op)?).map_err(|m| err(at, m))?),
        "exists" => match v {
            Json::Bool(b) => Matcher::Exists(*b),
            other => {
                return Err(err(
                    at,
                    format!("exists takes true or false, not {}", other.kind()),
                ));
            }
        },
        "numeric" => Matcher::Range(numeric(v, at)?),
        "anything-but" => Matcher::AnythingBut(anything_but(v, at)?),
        other => return Err(err(at, format!("unrecognized match type {other:?}"))),
    })
}

fn number(v: Option<&Json>, at: &[Step], op: &str) -> Result<f64, PatternError> {
    match v {
        Some(Json::Number(raw)) => comparable(raw)
            .ok_or_else(|| err(at, format!("cannot compare number {raw}: out of range"))),
        _ => Err(err(at, format!("the value of {op} must be a number"))),
    }
}

fn numeric(v: &Json, at: &[Step]) -> Result<Range, PatternError> {
    let Json::Array(terms) = v else {
        return Err(err(at, "numeric takes a list like [\">\", 0, \"<=\", 5]"));
    };
    let op = |i: usize| match terms.get(i) {
        Some(Json::String(s)) => Ok(s.as_str()),
        Some(other) => Err(err(
            at,
            format!("expected an operator, found {}", other.kind()),
        )),
        None => Err(err(at, "numeric takes a list like [\">\", 0, \"<=\", 5]")),
    };
    let all = Range {
        low: f64::NEG_INFINITY,
        low_open: true,
        high: f64::INFINITY,
        high_open: true,
    };
    let first = op(0)?;
    let value = number(terms.get(1), at, first)?;
    let range = match first {
        "=" => Range {
            low: value,
            low_open: false,
            high: value,
            high_open: false,
        },
        "<" | "<=" => Range {
            high: value,
            high_open: first == "<",
            ..all
        },
        ">" | ">=" => {
            let low = Range {
                low: value,
                low_open: first == ">",
                ..all
            };
            if terms.len() == 2 {
                return Ok(low);
            }
            let second = op(2)?;
            if second != "<" && second != "<=" {
                return Err(err(
                    at,
                    format!("a range's upper bound is < or <=, not {second:?}"),
                ));
            }
            let high = number(terms.get(3), at, second)?;
            if terms.len() > 4 {
                return Err(err(at, "too many terms in the numeric range"));
            }
            if high <= value {
                return Err(err(
                    at,
                    "the range's lower bound must be below its upper bound",
                ));
            }
            return Ok(Range {
                high,
                high_open: second == "<",
                ..low
            });
        }
        other => return Err(err(at, format!("unrecognized numeric operator {other:?}"))),
    };
    if terms.len() > 2 {
        return Err(err(at, "too many terms in the numeric expression"));
    }
    Ok(range)
}

fn anything_but(v: &Json, at: &[Step]) -> Result<AnythingBut, PatternError> {
    match v {
        Json::String(s) => Ok(AnythingBut::Strings(vec![s.clone()])),
        Json::Number(raw) => Ok(AnythingBut::Numbers(vec![number(Some(v), at, raw)?])),
        Json::Array(items) => {
            if items.iter().all(|i| matches!(i, Json::String(_))) && !items.is_empty() {
                Ok(AnythingBut::Strings(strings(items, at, "anything-but")?))
            } else if items.iter().all(|i| matches!(i, Json::Number(_))) && !items.is_empty() {
                let nums = items
                    .iter()
                    .map(|i| number(Some(i), at, "anything-but"))
                    .collect::<Result<_, _>>()?;
                Ok(AnythingBut::Numbers(nums))
            } else {
                Err(err(
                    at,
                    "an anything-but list holds only strings or only numbers",
                ))
            }
        }
        Json::Object(members) => {
            let (op, inner) = single(members, at)?;
            let at = key(at, op);
            let texts = match inner {
                Json::Array(items) => strings(items, &at, op)?,
                other => vec![string(other, &at, op)?.to_owned()],
            };
            match op {
                "prefix" | "suffix" => {
                    if texts.iter().any(String::is_empty) {
                        return Err(err(&at, format!("an empty {op} is not allowed")));
                    }
                    Ok(if op == "prefix" {
                        AnythingBut::Prefix(texts)
                    } else {
                        AnythingBut::Suffix(texts)
                    })
                }
                "equals-ignore-case" => Ok(AnythingBut::IgnoreCase(
                    texts.iter().map(|s| Caseless::new(s)).collect(),
                )),
                "wildcard" => Ok(AnythingBut::Wildcard(
                    texts
                        .iter()
                        .map(|t| Wildcard::parse(t).map_err(|m| err(&at, m)))
                        .collect::<Result<_, _>>()?,
                )),
                other => Err(err(
                    &at,
                    format!("unsupported anything-but pattern: {other}"),
                )),
            }
        }
        other => Err(err(
            at,
            format!(
                "anything-but takes a string, a number, a list or an object, not {}",
                other.kind()
            ),
        )),
    }
}

fn strings(items: &[Json], at: &[Step], op: &str) -> Result<Vec<String>, PatternError> {
    if items.is_empty() {
        return Err(err(at, format!("{op} needs at least one value")));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, v)| string(v, &index(at, i), op).map(str::to_owned))
        .collect()
}
