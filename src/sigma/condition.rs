//! A Sigma rule's detection and condition as one boolean formula over field conditions, and that
//! formula as a disjunction of conjunctions (each conjunction one EventBridge pattern branch).

use rsigma_parser::{ConditionExpr, Detection, Detections, Quantifier, SelectorPattern};

use crate::sigma::Refusal;
use crate::sigma::matcher::{self, Cond};

/// Conjunctions at most, while expanding: beyond this a rule is refused, as EventBridge allows
/// 1,000 combinations in a pattern's `$or`.
const MAX_BRANCHES: usize = 4096;

#[derive(Debug, Clone)]
enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Cond(Cond),
}

/// A field condition that must hold (`positive`) or must not.
#[derive(Debug, Clone, PartialEq)]
pub struct Lit {
    pub cond: Cond,
    pub positive: bool,
}

/// The rule's detection as conjunctions of literals, any of which matches.
pub fn branches(d: &Detections, notes: &mut Vec<String>) -> Result<Vec<Vec<Lit>>, Refusal> {
    if d.timeframe.is_some() {
        return Err(Refusal::new(
            "`timeframe` counts events over time (an aggregation); an EventBridge rule sees one event at a time",
        ));
    }
    let mut alternatives = Vec::new();
    for c in &d.conditions {
        alternatives.push(condition(c, d, notes)?);
    }
    let expr = if alternatives.len() == 1 {
        alternatives.remove(0)
    } else {
        Expr::Or(alternatives)
    };
    dnf(&expr, true)
}

fn condition(c: &ConditionExpr, d: &Detections, notes: &mut Vec<String>) -> Result<Expr, Refusal> {
    Ok(match c {
        ConditionExpr::And(xs) => Expr::And(
            xs.iter()
                .map(|x| condition(x, d, notes))
                .collect::<Result<_, _>>()?,
        ),
        ConditionExpr::Or(xs) => Expr::Or(
            xs.iter()
                .map(|x| condition(x, d, notes))
                .collect::<Result<_, _>>()?,
        ),
        ConditionExpr::Not(x) => Expr::Not(Box::new(condition(x, d, notes)?)),
        ConditionExpr::Identifier(name) => named(name, d, notes)?,
        ConditionExpr::Selector {
            quantifier,
            pattern,
        } => {
            let mut names: Vec<&String> = d
                .named
                .keys()
                .filter(|n| match pattern {
                    SelectorPattern::Them => !n.starts_with('_'),
                    SelectorPattern::Pattern(p) => rsigma_parser::detection_name_matches(p, n),
                })
                .collect();
            names.sort();
            if names.is_empty() {
                return Err(Refusal::new(format!(
                    "`{quantifier} of {pattern}` names no detection"
                )));
            }
            let exprs = names
                .into_iter()
                .map(|n| named(n, d, notes))
                .collect::<Result<Vec<_>, _>>()?;
            match quantifier {
                Quantifier::Any | Quantifier::Count(1) => Expr::Or(exprs),
                Quantifier::All => Expr::And(exprs),
                Quantifier::Count(n) => {
                    return Err(Refusal::new(format!(
                        "`{n} of {pattern}` counts matching detections; trailctl says `1 of` and `all of`"
                    )));
                }
            }
        }
    })
}

fn named(name: &str, d: &Detections, notes: &mut Vec<String>) -> Result<Expr, Refusal> {
    let det = d.named.get(name).ok_or_else(|| {
        Refusal::new(format!(
            "the condition names `{name}`, which the detection does not define"
        ))
    })?;
    detection(det, notes)
}

fn detection(det: &Detection, notes: &mut Vec<String>) -> Result<Expr, Refusal> {
    Ok(match det {
        Detection::AllOf(items) => {
            let mut all = Vec::new();
            for i in items {
                all.extend(matcher::item(i, notes)?.into_iter().map(Expr::Cond));
            }
            Expr::And(all)
        }
        Detection::AnyOf(ds) => Expr::Or(
            ds.iter()
                .map(|x| detection(x, notes))
                .collect::<Result<_, _>>()?,
        ),
        Detection::And(ds) => Expr::And(
            ds.iter()
                .map(|x| detection(x, notes))
                .collect::<Result<_, _>>()?,
        ),
        Detection::Keywords(_) => {
            return Err(Refusal::new(
                "a keyword search (values without a field) looks at the whole record; an EventBridge pattern names fields",
            ));
        }
        Detection::ArrayMatch { field, .. } => {
            return Err(Refusal::new(format!(
                "{field}[any] and [all] (array member scopes) are a proposed Sigma extension trailctl does not say"
            )));
        }
        Detection::Conditional { .. } => {
            return Err(Refusal::new(
                "array member scopes with their own condition are a proposed Sigma extension trailctl does not say",
            ));
        }
    })
}

/// The formula (negated when `!positive`) as conjunctions.
fn dnf(e: &Expr, positive: bool) -> Result<Vec<Vec<Lit>>, Refusal> {
    match (e, positive) {
        (Expr::Cond(c), p) => Ok(vec![vec![Lit {
            cond: c.clone(),
            positive: p,
        }]]),
        (Expr::Not(x), p) => dnf(x, !p),
        (Expr::Or(xs), true) | (Expr::And(xs), false) => {
            let mut out = Vec::new();
            for x in xs {
                out.extend(dnf(x, positive)?);
                cap(out.len())?;
            }
            Ok(out)
        }
        (Expr::And(xs), true) | (Expr::Or(xs), false) => {
            let mut out: Vec<Vec<Lit>> = vec![Vec::new()];
            for x in xs {
                let part = dnf(x, positive)?;
                cap(out.len() * part.len())?;
                out = out
                    .iter()
                    .flat_map(|a| {
                        part.iter().map(move |b| {
                            let mut c = a.clone();
                            c.extend(b.iter().cloned());
                            c
                        })
                    })
                    .collect();
            }
            Ok(out)
        }
    }
}

fn cap(n: usize) -> Result<(), Refusal> {
    if n > MAX_BRANCHES {
        return Err(Refusal::new(format!(
            "the condition expands to more than {MAX_BRANCHES} alternatives"
        )));
    }
    Ok(())
}
