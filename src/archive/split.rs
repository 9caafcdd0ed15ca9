//! A CloudTrail log file (`{"Records": [ … ]}`) split into its records in one pass, without
//! building a JSON tree: strings are found with `memchr` and brackets paired. Each record is
//! handed to a reader that reads it in place and says where it ends (`read`); one it cannot
//! read is passed over here, as `records` passes over every record.

use memchr::memchr2;

/// One record: its position in `Records`, and its text.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    pub index: usize,
    pub text: &'a str,
}

/// Why a file is not a CloudTrail log file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    #[error("not JSON: {message} at byte {offset}")]
    Syntax {
        message: &'static str,
        offset: usize,
    },
    #[error("not a CloudTrail log file: it has no \"Records\" array")]
    NoRecords,
    #[error("not a CloudTrail log file: Records[{0}] is not an object")]
    NotAnObject(usize),
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
    stack: Vec<u8>,
}

impl<'a> Cursor<'a> {
    fn fail(&self, message: &'static str) -> SplitError {
        SplitError::Syntax {
            message,
            offset: self.i,
        }
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8, message: &'static str) -> Result<(), SplitError> {
        self.ws();
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.fail(message))
        }
    }

    /// The string at the cursor (on its opening quote): its content's range and whether it has
    /// escapes; the cursor ends past the closing quote.
    fn string(&mut self) -> Result<(usize, usize, bool), SplitError> {
        let start = self.i + 1;
        let mut j = start;
        let mut escaped = false;
        loop {
            match memchr2(b'"', b'\\', &self.b[j.min(self.b.len())..]) {
                Some(k) if self.b[j + k] == b'"' => {
                    self.i = j + k + 1;
                    return Ok((start, j + k, escaped));
                }
                Some(k) => {
                    escaped = true;
                    j += k + 2;
                }
                None => return Err(self.fail("unterminated string")),
            }
        }
    }

    /// A member's name and its `:`; the cursor ends on the value.
    fn key<'t>(&mut self, text: &'t str) -> Result<&'t str, SplitError> {
        self.ws();
        if self.peek() != Some(b'"') {
            return Err(self.fail("expected a member name"));
        }
        let (start, end, _) = self.string()?;
        self.eat(b':', "expected ':'")?;
        self.ws();
        Ok(&text[start..end])
    }

    /// Skips the value at the cursor. Brackets must pair; scalars are delimited, not checked
    /// (the pattern engine checks what it reads).
    fn skip(&mut self) -> Result<(), SplitError> {
        self.ws();
        match self.peek() {
            Some(b'"') => self.string().map(|_| ()),
            Some(b'{' | b'[') => {
                self.stack.clear();
                loop {
                    match self.peek() {
                        None => return Err(self.fail("unexpected end")),
                        Some(b'"') => {
                            self.string()?;
                            continue;
                        }
                        Some(c @ (b'{' | b'[')) => self.stack.push(c),
                        Some(c @ (b'}' | b']')) => {
                            let open = self.stack.pop();
                            if open != Some(if c == b'}' { b'{' } else { b'[' }) {
                                return Err(self.fail("mismatched bracket"));
                            }
                            if self.stack.is_empty() {
                                self.i += 1;
                                return Ok(());
                            }
                        }
                        Some(_) => {}
                    }
                    self.i += 1;
                }
            }
            Some(_) => {
                let start = self.i;
                while let Some(c) = self.peek() {
                    if matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                        break;
                    }
                    self.i += 1;
                }
                if self.i == start {
                    Err(self.fail("expected a value"))
                } else {
                    Ok(())
                }
            }
            None => Err(self.fail("unexpected end")),
        }
    }

    /// After a member or element: `,` (true) or the closing bracket `close` (false).
    fn more(&mut self, close: u8) -> Result<bool, SplitError> {
        self.ws();
        match self.peek() {
            Some(b',') => {
                self.i += 1;
                Ok(true)
            }
            Some(c) if c == close => {
                self.i += 1;
                Ok(false)
            }
            _ => Err(self.fail("expected ',' or a closing bracket")),
        }
    }
}

/// Calls `each` with every record of the log file `text`, in order; returns how many there were.
/// A file that is not a CloudTrail log file is an error before any record is given.
pub fn records<'a>(text: &'a str, mut each: impl FnMut(Record<'a>)) -> Result<usize, SplitError> {
    read(text, |index, start| {
        let mut c = Cursor {
            b: text.as_bytes(),
            i: start,
            stack: Vec::new(),
        };
        c.skip().ok()?;
        each(Record {
            index,
            text: &text[start..c.i],
        });
        Some(c.i)
    })
}

/// Calls `read` with the index and start (its `{`) of every record of the log file `text`, in
/// order; `read` reads the record and returns where it ends, or `None` when it could not read
/// it, and the record is then passed over. Returns how many records there were. A file that is
/// not a CloudTrail log file is an error (after the records before the fault were given).
pub fn read(
    text: &str,
    mut read: impl FnMut(usize, usize) -> Option<usize>,
) -> Result<usize, SplitError> {
    let mut c = Cursor {
        b: text.as_bytes(),
        i: 0,
        stack: Vec::new(),
    };
    c.eat(b'{', "a CloudTrail log file is a JSON object")?;
    c.ws();
    let mut count = None;
    if c.peek() == Some(b'}') {
        c.i += 1;
    } else {
        loop {
            let key = c.key(text)?;
            if key == "Records" && c.peek() == Some(b'[') && count.is_none() {
                count = Some(records_array(&mut c, &mut read)?);
            } else {
                c.skip()?;
            }
            if !c.more(b'}')? {
                break;
            }
        }
    }
    c.ws();
    if c.i != c.b.len() {
        return Err(c.fail("data after the log file's object"));
    }
    count.ok_or(SplitError::NoRecords)
}

fn records_array(
    c: &mut Cursor<'_>,
    read: &mut impl FnMut(usize, usize) -> Option<usize>,
) -> Result<usize, SplitError> {
    c.i += 1;
    c.ws();
    if c.peek() == Some(b']') {
        c.i += 1;
        return Ok(0);
    }
    let mut index = 0;
    loop {
        c.ws();
        match c.peek() {
            Some(b'{') => {}
            None => return Err(c.fail("unexpected end")),
            Some(_) => return Err(SplitError::NotAnObject(index)),
        }
        match read(index, c.i) {
            Some(end) if end > c.i && end <= c.b.len() => c.i = end,
            _ => c.skip()?,
        }
        index += 1;
        if !c.more(b']')? {
            return Ok(index);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn split(text: &str) -> Result<Vec<String>, SplitError> {
        let mut out = Vec::new();
        records(text, |r| out.push(r.text.to_owned()))?;
        Ok(out)
    }

    #[test]
    fn splits_records() {
        let text = r#" {"Records": [
            {"eventVersion":"1.08","eventID":"a","recipientAccountId":"1","readOnly":true,
             "requestParameters":{"x":["}",{"eventID":"nested"}]},"eventName":"GetObject"},
            {"eventID":"b\"q","recipientAccountId":"1"},
            {"eventID":"c"}
        ]} "#;
        let got = split(text).unwrap();
        assert_eq!(got.len(), 3);
        // Each record's text is the record, exactly.
        for t in &got {
            assert!(serde_json::from_str::<Value>(t).unwrap().is_object());
        }
        assert!(got[1].contains(r#""b\"q""#));
        assert_eq!(split(r#"{"Records":[]}"#).unwrap().len(), 0);
    }

    #[test]
    fn a_record_the_reader_cannot_read_is_passed_over() {
        let text = r#"{"Records": [{"a": 1}, {"b": [2]}, {"c": 3}]}"#;
        let mut seen = Vec::new();
        let n = read(text, |index, start| {
            seen.push((index, &text[start..start + 5]));
            // The reader reads the first record only, and says so.
            (index == 0).then(|| start + text[start..].find('}').unwrap_or(0) + 1)
        })
        .unwrap();
        assert_eq!(n, 3);
        assert_eq!(
            seen,
            vec![(0, r#"{"a":"#), (1, r#"{"b":"#), (2, r#"{"c":"#)]
        );
        // An end that is not past the start is no end: the record is passed over.
        assert_eq!(read(text, |_, start| Some(start)).unwrap(), 3);
    }

    #[test]
    fn what_is_not_a_log_file() {
        assert_eq!(split(r#"{"digest":1}"#), Err(SplitError::NoRecords));
        assert_eq!(split(r#"{"Records":[1]}"#), Err(SplitError::NotAnObject(0)));
        assert_eq!(
            split(r#"{"Records":[{"a":1},]}"#),
            Err(SplitError::NotAnObject(1))
        );
        for bad in [
            "",
            "[]",
            r#"{"Records":[{"a":"b"}"#,
            r#"{"Records":[{"a":"b}]}"#,
            r#"{"Records":[{"a":[}]}"#,
            r#"{"Records":[{"a":1}]} x"#,
        ] {
            assert!(
                matches!(split(bad), Err(SplitError::Syntax { .. })),
                "{bad}: {:?}",
                split(bad)
            );
        }
    }

    #[test]
    fn agrees_with_serde_on_the_stratus_records() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/cloudtrail/stratus-red-team");
        let mut n = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let list: Vec<Value> =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let text = serde_json::json!({ "Records": list }).to_string();
            let mut i = 0;
            records(&text, |r| {
                assert_eq!(serde_json::from_str::<Value>(r.text).unwrap(), list[i]);
                i += 1;
            })
            .unwrap();
            n += i;
        }
        assert!(n > 100, "{n}");
    }
}
