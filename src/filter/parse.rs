//! Filter text → `Filter`: a JSON filter pattern (`{ $.a = "x" && ($.b > 3 || $.c NOT EXISTS) }`)
//! parsed with the service's grammar, every error with the column it is at.
//!
//! The grammar, from the CloudWatch Logs User Guide ("Filter and pattern syntax", JSON section):
//! the whole pattern is in braces; a condition is `SELECTOR = STRING` or `!=`, a numeric
//! comparison `SELECTOR OP NUMBER` (`<`, `>`, `<=`, `>=`, `=`, `!=`), `SELECTOR IS NULL`,
//! `SELECTOR NOT EXISTS` or `SELECTOR IS TRUE` / `IS FALSE`; conditions combine with `&&`,
//! `||` and parentheses, "standard order of operations" (parentheses, then `&&`, then `||`).
//! A selector starts at `$` and steps through `.name` (letters, digits, `-`, `_`) and
//! `[NUMBER]`. A string is quoted, or bare when it is made of letters, digits and the
//! punctuation bare values use in AWS's own examples (`123.123.*`, `kms.amazonaws.com`); `*`
//! at its start or end is a wildcard. Regular expressions (`%…%`) are refused: trailctl does
//! not evaluate them offline.

use std::fmt;

/// A selector's step: a member by name, or a list item by index (the pattern library's step).
pub use crate::pattern::Step;

/// CloudWatch Logs' limit on a filter pattern (`PutMetricFilter` `filterPattern`, 1024).
pub const MAX_FILTER_CHARS: usize = 1024;

/// A parsed, valid JSON filter pattern, with the text it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub text: String,
    pub expr: Expr,
}

/// A boolean expression of comparisons.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Cmp(Comparison),
}

/// One condition on one selected value.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub selector: Selector,
    pub test: Test,
}

/// `$.a.b[0].c`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    pub steps: Vec<Step>,
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("$")?;
        for s in &self.steps {
            match s {
                Step::Key(k) => write!(f, ".{k}")?,
                Step::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

/// What a comparison checks.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    Equal(Value),
    NotEqual(Value),
    Less(f64),
    LessOrEqual(f64),
    Greater(f64),
    GreaterOrEqual(f64),
    IsNull,
    NotExists,
    IsTrue,
    IsFalse,
}

/// The right side of `=` / `!=`.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `*` alone: any string or number.
    Any,
    /// Text, with a wildcard at its start and/or end.
    Text {
        text: String,
        any_before: bool,
        any_after: bool,
    },
    /// A bare number: equal by value to a number, or by its text to a string.
    Number { value: f64, text: String },
}

/// Why a filter is invalid, and at which column (1-based, in characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct FilterError {
    pub column: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    And,
    Or,
    Op(&'static str),
    Selector(Selector),
    Quoted(String),
    Bare(String),
    End,
}

impl Filter {
    pub fn parse(text: &str) -> Result<Filter, FilterError> {
        let chars = text.chars().count();
        if chars > MAX_FILTER_CHARS {
            return Err(FilterError {
                column: MAX_FILTER_CHARS + 1,
                message: format!(
                    "{chars} characters; CloudWatch Logs takes at most {MAX_FILTER_CHARS}"
                ),
            });
        }
        let trimmed = text.trim();
        let lead = text.len() - text.trim_start().len();
        let inner = trimmed
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .ok_or_else(|| FilterError {
                column: text[..lead].chars().count() + 1,
                message: "a JSON filter pattern is written in braces: { $.eventName = \"DeleteTable\" } (term and space-delimited patterns do not apply to CloudTrail records)".to_owned(),
            })?;
        // The column of the first character inside the braces.
        let offset = text[..lead].chars().count() + 2;
        let tokens = lex(inner, offset)?;
        let mut p = Parser { tokens, at: 0 };
        let expr = p.or()?;
        match p.peek() {
            (Tok::End, _) => Ok(Filter {
                text: text.to_owned(),
                expr,
            }),
            (_, column) => Err(FilterError {
                column,
                message: "expected && or || between conditions".to_owned(),
            }),
        }
    }
}

fn err<T>(column: usize, message: impl Into<String>) -> Result<T, FilterError> {
    Err(FilterError {
        column,
        message: message.into(),
    })
}

/// Whether a character may be part of a bare (unquoted) value.
fn bare_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '*' | '-' | '_' | '+' | ':' | '/')
}

fn key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_')
}

/// Tokens with their columns; `offset` is the column of the first character of `text`.
fn lex(text: &str, offset: usize) -> Result<Vec<(Tok, usize)>, FilterError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = offset + i;
        let next = chars.get(i + 1).copied();
        match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => out.push((Tok::Open, col)),
            ')' => out.push((Tok::Close, col)),
            '&' if next == Some('&') => {
                out.push((Tok::And, col));
                i += 1;
            }
            '|' if next == Some('|') => {
                out.push((Tok::Or, col));
                i += 1;
            }
            '!' if next == Some('=') => {
                out.push((Tok::Op("!="), col));
                i += 1;
            }
            '<' | '>' if next == Some('=') => {
                out.push((Tok::Op(if c == '<' { "<=" } else { ">=" }), col));
                i += 1;
            }
            '<' => out.push((Tok::Op("<"), col)),
            '>' => out.push((Tok::Op(">"), col)),
            '=' => out.push((Tok::Op("="), col)),
            '$' => {
                let (sel, end) = selector(&chars, i, offset)?;
                out.push((Tok::Selector(sel), col));
                i = end;
                continue;
            }
            '"' => {
                let Some(len) = chars[i + 1..].iter().position(|&c| c == '"') else {
                    return err(col, "a quoted string is not closed");
                };
                let s: String = chars[i + 1..i + 1 + len].iter().collect();
                out.push((Tok::Quoted(s), col));
                i += len + 2;
                continue;
            }
            '%' => {
                return err(
                    col,
                    "regular expressions (%…%) are not evaluated by trailctl; use = with * wildcards",
                );
            }
            c if bare_char(c) => {
                let len = chars[i..].iter().take_while(|&&c| bare_char(c)).count();
                out.push((Tok::Bare(chars[i..i + len].iter().collect()), col));
                i += len;
                continue;
            }
            c => {
                return err(
                    col,
                    format!(
                        "unexpected {c:?}: a value with characters other than letters, digits and . * - _ + : / is written in double quotes"
                    ),
                );
            }
        }
        i += 1;
    }
    out.push((Tok::End, offset + chars.len()));
    Ok(out)
}

/// A selector starting at `chars[start]` (`$`), and where it ends.
fn selector(chars: &[char], start: usize, offset: usize) -> Result<(Selector, usize), FilterError> {
    let mut steps = Vec::new();
    let mut i = start + 1;
    loop {
        match chars.get(i) {
            Some('.') => {
                let len = chars[i + 1..].iter().take_while(|&&c| key_char(c)).count();
                if len == 0 {
                    return err(
                        offset + i + 1,
                        "a property name (letters, digits, - and _) follows the dot",
                    );
                }
                steps.push(Step::Key(chars[i + 1..i + 1 + len].iter().collect()));
                i += len + 1;
            }
            Some('[') => {
                let len = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .count();
                let index: Option<usize> = chars[i + 1..i + 1 + len]
                    .iter()
                    .collect::<String>()
                    .parse()
                    .ok();
                match (index, chars.get(i + 1 + len)) {
                    (Some(n), Some(']')) if !steps.is_empty() => steps.push(Step::Index(n)),
                    (Some(_), Some(']')) => {
                        return err(offset + i, "an array index follows a property");
                    }
                    _ => return err(offset + i, "an array index is written [NUMBER]"),
                }
                i += len + 2;
            }
            _ => break,
        }
    }
    if steps.is_empty() {
        return err(
            offset + start,
            "a selector names a property: $.eventName, $.userIdentity.type, $.resources[0].ARN",
        );
    }
    if chars.get(i).is_some_and(|&c| bare_char(c) || c == '$') {
        return err(
            offset + i,
            format!("unexpected {:?} in the selector", chars[i]),
        );
    }
    Ok((Selector { steps }, i))
}

struct Parser {
    tokens: Vec<(Tok, usize)>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> (Tok, usize) {
        self.tokens
            .get(self.at)
            .cloned()
            .unwrap_or((Tok::End, self.tokens.last().map_or(1, |t| t.1)))
    }

    fn next(&mut self) -> (Tok, usize) {
        let t = self.peek();
        self.at += 1;
        t
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        let mut parts = vec![self.and()?];
        while self.peek().0 == Tok::Or {
            self.next();
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        let mut parts = vec![self.term()?];
        while self.peek().0 == Tok::And {
            self.next();
            parts.push(self.term()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::And(parts)
        })
    }

    fn term(&mut self) -> Result<Expr, FilterError> {
        match self.next() {
            (Tok::Open, col) => {
                let e = self.or()?;
                match self.next() {
                    (Tok::Close, _) => Ok(e),
                    (_, c) => err(c, format!("the parenthesis at column {col} is not closed")),
                }
            }
            (Tok::Selector(selector), _) => {
                let test = self.test()?;
                Ok(Expr::Cmp(Comparison { selector, test }))
            }
            (Tok::End, col) => err(col, "a condition is missing"),
            (_, col) => err(
                col,
                "expected a condition: a selector ($.eventName) or a parenthesis",
            ),
        }
    }

    fn test(&mut self) -> Result<Test, FilterError> {
        let (tok, col) = self.next();
        match tok {
            Tok::Op(op) => {
                let (value, vcol) = self.next();
                comparison(op, value, vcol)
            }
            Tok::Bare(w) if w == "IS" => match self.next() {
                (Tok::Bare(k), _) if k == "NULL" => Ok(Test::IsNull),
                (Tok::Bare(k), _) if k == "TRUE" => Ok(Test::IsTrue),
                (Tok::Bare(k), _) if k == "FALSE" => Ok(Test::IsFalse),
                (_, c) => err(c, "IS is followed by NULL, TRUE or FALSE"),
            },
            Tok::Bare(w) if w == "NOT" => match self.next() {
                (Tok::Bare(k), _) if k == "EXISTS" => Ok(Test::NotExists),
                (_, c) => err(c, "NOT is followed by EXISTS"),
            },
            _ => err(
                col,
                "expected an operator (= != < > <= >=), IS NULL, IS TRUE, IS FALSE or NOT EXISTS",
            ),
        }
    }
}

/// The number grammar of the guide: an optional sign, digits with an optional fraction, and an
/// optional exponent.
fn number(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (body, None),
    };
    let digits = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((a, b)) => digits(a) && digits(b),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    (mantissa_ok && exponent_ok)
        .then(|| s.parse::<f64>().ok())
        .flatten()
}

fn text_value(s: &str) -> Value {
    if s == "*" {
        return Value::Any;
    }
    let any_before = s.starts_with('*');
    let any_after = s.len() > 1 && s.ends_with('*');
    let start = usize::from(any_before);
    let end = s.len() - usize::from(any_after);
    Value::Text {
        text: s[start..end].to_owned(),
        any_before,
        any_after,
    }
}

fn comparison(op: &'static str, value: Tok, col: usize) -> Result<Test, FilterError> {
    let numeric = |v: &Tok| match v {
        Tok::Bare(s) => number(s),
        _ => None,
    };
    match op {
        "=" | "!=" => {
            let v = match value {
                Tok::Bare(s) => match number(&s) {
                    Some(n) => Value::Number { value: n, text: s },
                    None => text_value(&s),
                },
                Tok::Quoted(s) => text_value(&s),
                _ => return err(col, format!("a value follows {op}")),
            };
            Ok(if op == "=" {
                Test::Equal(v)
            } else {
                Test::NotEqual(v)
            })
        }
        _ => {
            let Some(n) = numeric(&value) else {
                return err(col, format!("{op} compares numbers: a number follows it"));
            };
            Ok(match op {
                "<" => Test::Less(n),
                "<=" => Test::LessOrEqual(n),
                ">" => Test::Greater(n),
                _ => Test::GreaterOrEqual(n),
            })
        }
    }
}
