//! One detection item of a Sigma rule (a field, its modifiers, its values): what it asks of the
//! field's value in Sigma's meaning, and how to decide it on a known value. How EventBridge says
//! it is `sigma::eventbridge`'s.

use std::net::IpAddr;

use rsigma_parser::{DetectionItem, Modifier, SigmaString, SigmaValue, SpecialChar, StringPart};
use serde_json::Number;

use crate::sigma::Refusal;

/// A piece of a Sigma string pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Lit(String),
    /// `*`: any characters.
    Star,
    /// `?`: one character.
    One,
}

/// A numeric comparison (`gt`, `gte`, `lt`, `lte`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cmp {
    Gt,
    Gte,
    Lt,
    Lte,
}

impl Cmp {
    pub(super) fn op(self) -> &'static str {
        match self {
            Cmp::Gt => ">",
            Cmp::Gte => ">=",
            Cmp::Lt => "<",
            Cmp::Lte => "<=",
        }
    }
}

/// What one value of a detection item asks of a field's value, as Sigma means it.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// The value's text matches the whole pattern; unless `cased`, in any letter case.
    Glob {
        toks: Vec<Tok>,
        cased: bool,
    },
    Number(Number),
    Bool(bool),
    /// A JSON `null`.
    Null,
    Compare(Cmp, Number),
    /// An IP address inside the block.
    Cidr(String),
    /// The field is present (`true`) or absent (`false`).
    Exists(bool),
}

/// Top-level CloudTrail members whose value is an object or a list: EventBridge's `exists`
/// tests leaf values, so `exists` on one of them cannot be said.
const OBJECT_FIELDS: &[&str] = &[
    "userIdentity",
    "userIdentity.sessionContext",
    "userIdentity.sessionContext.attributes",
    "userIdentity.sessionContext.sessionIssuer",
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "resources",
    "serviceEventDetails",
    "tlsDetails",
    "insightDetails",
    "edgeDeviceDetails",
];

/// The dash characters the `windash` modifier tries at the start of each word (pySigma's set).
const WINDASH: [char; 5] = ['-', '/', '\u{2013}', '\u{2014}', '\u{2015}'];

/// One field's condition: the value satisfies one of `alts`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cond {
    pub field: String,
    pub alts: Vec<Test>,
}

/// A detection item as conditions, all of which must hold (one unless `|all`), with what the
/// translation could not keep exactly.
pub fn item(item: &DetectionItem, notes: &mut Vec<String>) -> Result<Vec<Cond>, Refusal> {
    let Some(field) = item.field.name.clone() else {
        return Err(Refusal::new(
            "a keyword search (values without a field) looks at the whole record; an EventBridge pattern names fields",
        ));
    };
    let mods = &item.field.modifiers;
    let has = |m: Modifier| mods.contains(&m);
    for m in mods {
        let unsupported = match m {
            Modifier::Contains
            | Modifier::StartsWith
            | Modifier::EndsWith
            | Modifier::All
            | Modifier::Cased
            | Modifier::Exists
            | Modifier::Re
            | Modifier::IgnoreCase
            | Modifier::Multiline
            | Modifier::DotAll
            | Modifier::Cidr
            | Modifier::WindAsh
            | Modifier::Gt
            | Modifier::Gte
            | Modifier::Lt
            | Modifier::Lte => None,
            Modifier::FieldRef => Some(
                "`fieldref` compares two fields of one event, which an EventBridge pattern cannot",
            ),
            Modifier::Expand => {
                Some("`expand` needs placeholder values from a processing pipeline")
            }
            Modifier::Base64
            | Modifier::Base64Offset
            | Modifier::Wide
            | Modifier::Utf16
            | Modifier::Utf16be => Some(
                "encoding modifiers (base64, utf16) are for Windows logs; CloudTrail records are JSON text",
            ),
            Modifier::Neq => Some(
                "`neq` is not in the Sigma specification's modifiers trailctl says; write `not` in the condition",
            ),
            Modifier::Minute
            | Modifier::Hour
            | Modifier::Day
            | Modifier::Week
            | Modifier::Month
            | Modifier::Year => Some("timestamp parts cannot be said in an EventBridge pattern"),
        };
        if let Some(why) = unsupported {
            return Err(Refusal::new(format!("{field}: {why}")));
        }
    }
    let cased = has(Modifier::Cased);
    let mut alts = Vec::new();
    for v in &item.values {
        if has(Modifier::Exists) {
            let SigmaValue::Bool(b) = v else {
                return Err(Refusal::new(format!("{field}|exists takes true or false")));
            };
            if *b && OBJECT_FIELDS.contains(&field.as_str()) {
                return Err(Refusal::new(format!(
                    "{field}|exists: {field} holds an object, and EventBridge's exists tests leaf values"
                )));
            }
            alts.push(Test::Exists(*b));
        } else if has(Modifier::Re) {
            let SigmaValue::String(s) = v else {
                return Err(Refusal::new(format!("{field}|re takes a string")));
            };
            let flags = RegexFlags {
                ignore_case: has(Modifier::IgnoreCase),
                dot_all: has(Modifier::DotAll),
            };
            alts.push(regex(&field, &s.original, flags, notes)?);
        } else if has(Modifier::Cidr) {
            let SigmaValue::String(s) = v else {
                return Err(Refusal::new(format!("{field}|cidr takes a string")));
            };
            cidr_block(&s.original).ok_or_else(|| {
                Refusal::new(format!("{field}|cidr: `{}` is not an IP block", s.original))
            })?;
            alts.push(Test::Cidr(s.original.clone()));
        } else if let Some(cmp) = compare(mods) {
            let n = match v {
                SigmaValue::Integer(i) => Number::from(*i),
                SigmaValue::Float(f) => Number::from_f64(*f)
                    .ok_or_else(|| Refusal::new(format!("{field}: {f} is not a number")))?,
                _ => {
                    return Err(Refusal::new(format!(
                        "{field}|{}: compares numbers only",
                        cmp.op()
                    )));
                }
            };
            alts.push(Test::Compare(cmp, n));
        } else {
            alts.extend(value(&field, v, mods, cased)?);
        }
    }
    if alts.is_empty() {
        return Err(Refusal::new(format!("{field} has no value")));
    }
    Ok(if has(Modifier::All) {
        alts.into_iter()
            .map(|t| Cond {
                field: field.clone(),
                alts: vec![t],
            })
            .collect()
    } else {
        vec![Cond { field, alts }]
    })
}

fn compare(mods: &[Modifier]) -> Option<Cmp> {
    mods.iter().find_map(|m| match m {
        Modifier::Gt => Some(Cmp::Gt),
        Modifier::Gte => Some(Cmp::Gte),
        Modifier::Lt => Some(Cmp::Lt),
        Modifier::Lte => Some(Cmp::Lte),
        _ => None,
    })
}

/// A plain value with the string modifiers.
fn value(
    field: &str,
    v: &SigmaValue,
    mods: &[Modifier],
    cased: bool,
) -> Result<Vec<Test>, Refusal> {
    let string_mod = mods.iter().find(|m| {
        matches!(
            m,
            Modifier::Contains | Modifier::StartsWith | Modifier::EndsWith
        )
    });
    let s = match v {
        SigmaValue::String(s) => s,
        SigmaValue::Integer(i) if string_mod.is_none() => {
            return Ok(vec![Test::Number(Number::from(*i))]);
        }
        SigmaValue::Float(f) if string_mod.is_none() => {
            return Number::from_f64(*f)
                .map(|n| vec![Test::Number(n)])
                .ok_or_else(|| Refusal::new(format!("{field}: {f} is not a number")));
        }
        SigmaValue::Bool(b) if string_mod.is_none() => return Ok(vec![Test::Bool(*b)]),
        SigmaValue::Null if string_mod.is_none() => return Ok(vec![Test::Null]),
        _ => {
            return Err(Refusal::new(format!(
                "{field}: contains, startswith and endswith take strings"
            )));
        }
    };
    let variants = if mods.contains(&Modifier::WindAsh) {
        windash(s)
    } else {
        vec![toks(s)]
    };
    Ok(variants
        .into_iter()
        .map(|mut t| {
            match string_mod {
                Some(Modifier::Contains) => {
                    t.insert(0, Tok::Star);
                    t.push(Tok::Star);
                }
                Some(Modifier::StartsWith) => t.push(Tok::Star),
                Some(Modifier::EndsWith) => t.insert(0, Tok::Star),
                _ => {}
            }
            Test::Glob {
                toks: normalise(t),
                cased,
            }
        })
        .collect())
}

fn toks(s: &SigmaString) -> Vec<Tok> {
    s.parts
        .iter()
        .map(|p| match p {
            StringPart::Plain(t) => Tok::Lit(t.clone()),
            StringPart::Special(SpecialChar::WildcardMulti) => Tok::Star,
            StringPart::Special(SpecialChar::WildcardSingle) => Tok::One,
        })
        .collect()
}

/// `windash`: every combination of dash characters where a word starts with `-` or `/`.
fn windash(s: &SigmaString) -> Vec<Vec<Tok>> {
    let mut out: Vec<Vec<Tok>> = vec![Vec::new()];
    for part in toks(s) {
        let Tok::Lit(text) = part else {
            for o in &mut out {
                o.push(part.clone());
            }
            continue;
        };
        // Split the literal at word-start dashes; each becomes a choice.
        let mut pieces: Vec<Vec<String>> = vec![vec![String::new()]];
        let mut prev: Option<char> = None;
        for c in text.chars() {
            let word_start = prev.is_none_or(char::is_whitespace);
            if word_start && (c == '-' || c == '/') {
                pieces.push(WINDASH.iter().map(|d| d.to_string()).collect());
                pieces.push(vec![String::new()]);
            } else if let Some(last) = pieces.last_mut().and_then(|p| p.first_mut()) {
                last.push(c);
            }
            prev = Some(c);
        }
        let mut next = Vec::new();
        for o in &out {
            let mut texts = vec![String::new()];
            for choice in &pieces {
                texts = texts
                    .iter()
                    .flat_map(|t| choice.iter().map(move |c| format!("{t}{c}")))
                    .collect();
            }
            for t in texts {
                let mut o = o.clone();
                o.push(Tok::Lit(t));
                next.push(o);
            }
        }
        out = next;
    }
    out.into_iter().map(normalise).collect()
}

/// Adjacent literals joined, empty ones dropped, runs of stars made one.
pub(super) fn normalise(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::new();
    for t in toks {
        match (out.last_mut(), t) {
            (_, Tok::Lit(s)) if s.is_empty() => {}
            (Some(Tok::Lit(prev)), Tok::Lit(s)) => prev.push_str(&s),
            (Some(Tok::Star), Tok::Star) => {}
            (_, t) => out.push(t),
        }
    }
    out
}

#[derive(Debug, Clone, Copy)]
struct RegexFlags {
    ignore_case: bool,
    dot_all: bool,
}

/// A regular expression as a pattern, where it is one: literal characters, `.*`, and the
/// anchors `^` and `$`. Unanchored ends search anywhere in the value.
fn regex(
    field: &str,
    re: &str,
    mut flags: RegexFlags,
    notes: &mut Vec<String>,
) -> Result<Test, Refusal> {
    let refuse = |why: &str| Refusal::new(format!("{field}|re: `{re}` {why}"));
    let mut rest = re;
    // Inline flags at the start: (?i), (?s), (?is).
    if let Some(after) = rest.strip_prefix("(?") {
        let end = after
            .find(')')
            .ok_or_else(|| refuse("has an unclosed group"))?;
        for f in after[..end].chars() {
            match f {
                'i' => flags.ignore_case = true,
                's' => flags.dot_all = true,
                'm' => {}
                _ => return Err(refuse("has inline flags EventBridge cannot say")),
            }
        }
        rest = &after[end + 1..];
    }
    let anchored_start = rest.starts_with('^');
    if anchored_start {
        rest = &rest[1..];
    }
    let mut toks = Vec::new();
    if !anchored_start {
        toks.push(Tok::Star);
    }
    let mut lit = String::new();
    let mut chars = rest.chars().peekable();
    let mut anchored_end = false;
    let mut dot_star = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    return Err(refuse("ends in a backslash"));
                };
                if e.is_ascii_alphanumeric() {
                    return Err(refuse(&format!(
                        "uses the class `\\{e}`, which EventBridge cannot say"
                    )));
                }
                lit.push(e);
            }
            '.' if chars.peek() == Some(&'*') => {
                chars.next();
                if !lit.is_empty() {
                    toks.push(Tok::Lit(std::mem::take(&mut lit)));
                }
                toks.push(Tok::Star);
                dot_star = true;
            }
            '$' if chars.peek().is_none() => anchored_end = true,
            '.' | '^' | '$' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|' => {
                return Err(refuse(&format!(
                    "uses `{c}`; EventBridge says literal text, `.*` and the anchors `^` and `$` only"
                )));
            }
            c => lit.push(c),
        }
    }
    if !lit.is_empty() {
        toks.push(Tok::Lit(lit));
    }
    if !anchored_end {
        toks.push(Tok::Star);
    }
    if dot_star && !flags.dot_all {
        notes.push(format!(
            "{field}|re: `.` does not match a line break and the pattern's `*` does; a value with a line break may match the alert and not the rule"
        ));
    }
    Ok(Test::Glob {
        toks: normalise(toks),
        cased: !flags.ignore_case,
    })
}

fn cidr_block(s: &str) -> Option<(IpAddr, u8)> {
    let (ip, bits) = s.split_once('/')?;
    let ip: IpAddr = ip.parse().ok()?;
    let bits: u8 = bits.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (bits <= max).then_some((ip, bits))
}

fn in_block(addr: &str, block: &str) -> bool {
    let (Ok(ip), Some((net, bits))) = (addr.parse::<IpAddr>(), cidr_block(block)) else {
        return false;
    };
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// Whether `s` has letters whose case can change.
fn has_case(s: &str) -> bool {
    s.chars().any(|c| c.to_lowercase().ne(c.to_uppercase()))
}

pub(super) fn lits_have_case(toks: &[Tok]) -> bool {
    toks.iter().any(|t| matches!(t, Tok::Lit(s) if has_case(s)))
}

/// A known value a finite test stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum Known {
    /// A string; `cased: false` stands for every spelling of it in any case.
    Text {
        text: String,
        cased: bool,
    },
    Number(Number),
    Bool(bool),
    Null,
}

impl Test {
    /// The one value this test accepts (in any case, for an uncased string), if it is one.
    pub fn known(&self) -> Option<Known> {
        match self {
            Test::Glob { toks, cased } => match toks.as_slice() {
                [] => Some(Known::Text {
                    text: String::new(),
                    cased: true,
                }),
                [Tok::Lit(s)] => Some(Known::Text {
                    text: s.clone(),
                    cased: *cased || !has_case(s),
                }),
                _ => None,
            },
            Test::Number(n) => Some(Known::Number(n.clone())),
            Test::Bool(b) => Some(Known::Bool(*b)),
            Test::Null => Some(Known::Null),
            _ => None,
        }
    }

    /// Whether this test holds on every value `k` stands for (`Some(true)`), on none
    /// (`Some(false)`), or on some and not others (`None`).
    pub fn holds(&self, k: &Known) -> Option<bool> {
        match (self, k) {
            (Test::Exists(b), _) => Some(*b),
            (Test::Glob { toks, cased }, Known::Text { text, cased: kc }) => {
                if *kc {
                    Some(glob(toks, text, *cased))
                } else if !*cased || !lits_have_case(toks) {
                    // An uncased test on an uncased value: one answer for every spelling.
                    Some(glob(toks, &text.to_lowercase(), false))
                } else {
                    None
                }
            }
            (Test::Glob { toks, cased }, Known::Number(n)) => {
                Some(glob(toks, &n.to_string(), *cased))
            }
            (Test::Glob { toks, cased }, Known::Bool(b)) => {
                Some(glob(toks, &b.to_string(), *cased))
            }
            (Test::Glob { .. }, Known::Null) => Some(false),
            (Test::Number(a), Known::Number(b)) => Some(a.as_f64() == b.as_f64()),
            (Test::Bool(a), Known::Bool(b)) => Some(a == b),
            (Test::Null, Known::Null) => Some(true),
            (Test::Compare(cmp, a), Known::Number(b)) => {
                let (Some(a), Some(b)) = (a.as_f64(), b.as_f64()) else {
                    return None;
                };
                Some(match cmp {
                    Cmp::Gt => b > a,
                    Cmp::Gte => b >= a,
                    Cmp::Lt => b < a,
                    Cmp::Lte => b <= a,
                })
            }
            (Test::Cidr(block), Known::Text { text, .. }) => Some(in_block(text, block)),
            _ => Some(false),
        }
    }
}

/// Whether `text` matches the whole glob.
pub fn glob(toks: &[Tok], text: &str, cased: bool) -> bool {
    let (lower, toks) = if cased {
        (text.to_owned(), toks.to_vec())
    } else {
        (
            text.to_lowercase(),
            toks.iter()
                .map(|t| match t {
                    Tok::Lit(s) => Tok::Lit(s.to_lowercase()),
                    t => t.clone(),
                })
                .collect(),
        )
    };
    let chars: Vec<char> = lower.chars().collect();
    glob_at(&toks, &chars)
}

fn glob_at(toks: &[Tok], text: &[char]) -> bool {
    match toks.split_first() {
        None => text.is_empty(),
        Some((Tok::Lit(s), rest)) => {
            let lit: Vec<char> = s.chars().collect();
            text.starts_with(&lit) && glob_at(rest, &text[lit.len()..])
        }
        Some((Tok::One, rest)) => !text.is_empty() && glob_at(rest, &text[1..]),
        Some((Tok::Star, rest)) => (0..=text.len()).any(|i| glob_at(rest, &text[i..])),
    }
}
