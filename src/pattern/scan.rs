//! A byte-level reader of JSON event text: strings found eight bytes at a time, values that no
//! pattern names skipped by pairing brackets, the rest read token by token for `Values`.

use super::block::{Block, Carry, block, special16};
use super::json::unescape;

/// Deeper nesting than this is refused (EventBridge itself stops at 1100 levels).
pub(super) const MAX_DEPTH: usize = 1100;

/// Where a string value's text is: in the event, or decoded into the scratch buffer.
#[derive(Debug, Clone, Copy)]
pub(super) enum Text {
    Event(u32, u32),
    Decoded(u32, u32),
}

/// The event text is not valid JSON (or not an object).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventError {
    pub message: String,
    pub offset: usize,
}

impl std::fmt::Display for EventError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.message, self.offset)
    }
}

impl std::error::Error for EventError {}

pub(super) enum Key {
    Raw(usize, usize),
    Decoded(usize),
}

pub(super) struct Scanner<'a> {
    pub(super) b: &'a [u8],
    pub(super) i: usize,
    /// The brackets open while skipping, as bits (reused, so skipping never allocates).
    pub(super) brackets: Vec<u64>,
}

impl Scanner<'_> {
    #[cold]
    pub(super) fn error(&self, message: &str) -> EventError {
        EventError {
            message: message.to_owned(),
            offset: self.i,
        }
    }

    #[cold]
    pub(super) fn back(&self, message: &str) -> EventError {
        EventError {
            message: message.to_owned(),
            offset: self.i.saturating_sub(1),
        }
    }

    #[inline]
    pub(super) fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    #[inline]
    pub(super) fn next(&mut self) -> Option<u8> {
        let c = self.peek();
        self.i += 1;
        c
    }

    #[inline]
    pub(super) fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    #[inline]
    pub(super) fn eat(&mut self, c: u8) -> Result<(), EventError> {
        if self.next() == Some(c) {
            Ok(())
        } else {
            Err(self.expected(c))
        }
    }

    #[cold]
    fn expected(&self, c: u8) -> EventError {
        self.back(&format!("expected '{}'", c as char))
    }

    pub(super) fn word(&mut self, w: &[u8]) -> Result<(), EventError> {
        if self.b[self.i..].starts_with(w) {
            self.i += w.len();
            Ok(())
        } else {
            Err(self.error("expected a value"))
        }
    }

    pub(super) fn number(&mut self) -> Result<(usize, usize), EventError> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let digits = |s: &mut Self| {
            let from = s.i;
            while let Some(b'0'..=b'9') = s.peek() {
                s.i += 1;
            }
            s.i > from
        };
        let int = self.i;
        if !digits(self) || (self.i - int > 1 && self.b[int] == b'0') {
            return Err(self.error("invalid number"));
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !digits(self) {
                return Err(self.error("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if !digits(self) {
                return Err(self.error("invalid number"));
            }
        }
        Ok((start, self.i))
    }

    /// The end of the string starting at the opening quote, and whether it has escapes.
    /// `CONTROL`: whether a control character is an error. Strings that no rule reads (skipped
    /// values, member names) are only delimited, which is what most of an event costs.
    #[inline(always)]
    pub(super) fn string_end<const CONTROL: bool>(&self) -> Result<(usize, bool), EventError> {
        let mut i = self.i + 1;
        let mut escaped = false;
        loop {
            i = special::<CONTROL>(self.b, i);
            match self.b.get(i) {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => return Ok((i, escaped)),
                Some(b'\\') => {
                    escaped = true;
                    i += 2;
                }
                Some(_) => return Err(self.error("control character in a string")),
            }
        }
    }

    /// Passes over the string at the cursor, only delimited.
    #[inline(always)]
    pub(super) fn skip_string(&mut self) -> Result<(), EventError> {
        let (end, _) = self.string_end::<false>()?;
        self.i = end + 1;
        Ok(())
    }

    /// Decodes the string at the cursor into `out` when it has escapes. Always inlined: by
    /// measurement, returning its result through memory from a call cost more than finding
    /// the string's end.
    #[inline(always)]
    pub(super) fn string(&mut self, out: &mut String) -> Result<Text, EventError> {
        let (end, escaped) = self.string_end::<true>()?;
        let start = self.i + 1;
        self.i = end + 1;
        if !escaped {
            return Ok(Text::Event(start as u32, end as u32));
        }
        self.decoded(start, end, out)
    }

    /// The string from `start` to `end` decoded into `out` (the rare string with escapes).
    #[cold]
    #[inline(never)]
    fn decoded(&self, start: usize, end: usize, out: &mut String) -> Result<Text, EventError> {
        let from = out.len();
        self.decode(start, end, out)?;
        Ok(Text::Decoded(from as u32, out.len() as u32))
    }

    #[inline]
    pub(super) fn key(&mut self, out: &mut String) -> Result<Key, EventError> {
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a quoted member name"));
        }
        let (end, escaped) = self.string_end::<false>()?;
        let start = self.i + 1;
        if !escaped {
            self.i = end + 1;
            return Ok(Key::Raw(start, end));
        }
        let from = out.len();
        self.decode(start, end, out)?;
        self.i = end + 1;
        Ok(Key::Decoded(from))
    }

    pub(super) fn decode(
        &self,
        start: usize,
        end: usize,
        out: &mut String,
    ) -> Result<(), EventError> {
        let mut i = start;
        while i < end {
            let run = i;
            while i < end && self.b[i] != b'\\' {
                i += 1;
            }
            out.push_str(std::str::from_utf8(&self.b[run..i]).unwrap_or(""));
            if i < end {
                let (c, used) = unescape(&self.b[i..]).ok_or_else(|| EventError {
                    message: "invalid escape in a string".into(),
                    offset: i,
                })?;
                out.push(c);
                i += used;
            }
        }
        Ok(())
    }

    /// Skips one value without recording it. Strings are delimited (not checked) and brackets must
    /// pair up; the tokens between them are passed over without being checked (a rule never
    /// looks at them), which keeps the cost of an event close to that of finding its quotes.
    #[inline]
    pub(super) fn skip(&mut self, depth: usize) -> Result<(), EventError> {
        match self.peek() {
            Some(b'{' | b'[') => {}
            Some(b'"') => return self.skip_string(),
            Some(b't') => return self.word(b"true"),
            Some(b'f') => return self.word(b"false"),
            Some(b'n') => return self.word(b"null"),
            Some(b'-' | b'0'..=b'9') => return self.number().map(|_| ()),
            _ => return Err(self.error("expected a value")),
        }
        // The array or object at the cursor.
        self.pair_brackets(depth, 0)
    }

    /// Passes over the rest of the `open` objects the cursor is inside (between members, the
    /// innermost at `depth`), to just after the outermost one's `}`: what is left of an event
    /// once reading it can stop (`Values`).
    pub(super) fn close_objects(&mut self, open: usize, depth: usize) -> Result<(), EventError> {
        self.pair_brackets((depth + 1).saturating_sub(open), open)
    }

    /// Pairs brackets from the cursor, 64 bytes at a time (`block`): only the brackets outside
    /// strings are visited, until none is open. `open` objects (the outermost at `depth`) are
    /// open already. The open brackets are kept as bits (`brackets`, reused so that skipping
    /// never allocates), innermost highest: 1 for '{', 0 for '['.
    fn pair_brackets(&mut self, depth: usize, open: usize) -> Result<(), EventError> {
        let mut stack = std::mem::take(&mut self.brackets);
        stack.clear();
        for from in (0..open).step_by(64) {
            let n = (open - from).min(64);
            stack.push(if n == 64 { u64::MAX } else { (1 << n) - 1 });
        }
        let paired = self.pair(depth, open, &mut stack);
        self.brackets = stack;
        paired
    }

    fn pair(
        &mut self,
        depth: usize,
        mut open: usize,
        stack: &mut Vec<u64>,
    ) -> Result<(), EventError> {
        let mut carry = Carry::default();
        let mut at = self.i;
        while at < self.b.len() {
            let Block { opens, closes } = block(self.b, at, &mut carry);
            let mut brackets = opens | closes;
            while brackets != 0 {
                let k = brackets.trailing_zeros() as usize;
                brackets &= brackets - 1;
                let here = at + k;
                let is_open = opens >> k & 1 == 1;
                // `{` and `}` have the 0x20 bit that `[` and `]` lack.
                let brace = self.b.get(here).is_some_and(|c| c & 0x20 != 0);
                if is_open {
                    if depth + open >= MAX_DEPTH {
                        self.i = here;
                        return Err(self.error("nested too deeply"));
                    }
                    if open.is_multiple_of(64) {
                        stack.push(0);
                    }
                    if let Some(word) = stack.last_mut() {
                        *word |= u64::from(brace) << (open % 64);
                    }
                    open += 1;
                    continue;
                }
                self.i = here;
                open = open
                    .checked_sub(1)
                    .ok_or_else(|| self.error("unbalanced bracket"))?;
                let was_brace = stack.last().is_some_and(|w| w >> (open % 64) & 1 == 1);
                if was_brace != brace {
                    return Err(self.error("mismatched bracket"));
                }
                if let Some(word) = stack.last_mut() {
                    *word &= !(1 << (open % 64));
                }
                if open.is_multiple_of(64) {
                    stack.pop();
                }
                if open == 0 {
                    self.i = here + 1;
                    return Ok(());
                }
            }
            at += 64;
        }
        self.i = self.b.len();
        Err(self.error(if carry.in_string() {
            "unterminated string"
        } else {
            "unexpected end of the event"
        }))
    }
}

/// The index of the first `"` or `\\` (with `CONTROL`, also control character) at or after `i`
/// (or `b.len()`), sixteen bytes at a time (`block::special16`): most member names and values
/// end within the first sixteen.
#[inline]
fn special<const CONTROL: bool>(b: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = b.get(i..i + 16) {
        if let Some(k) = special16::<CONTROL>(chunk) {
            return i + k;
        }
        i += 16;
    }
    while let Some(&c) = b.get(i) {
        if c == b'"' || c == b'\\' || (CONTROL && c < 0x20) {
            return i;
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where a byte-by-byte reader says the container at 0 ends (`None`: not well formed).
    fn reference_end(b: &[u8]) -> Option<usize> {
        let (mut stack, mut in_string, mut k) = (Vec::new(), false, 0);
        while k < b.len() {
            let c = b[k];
            if in_string {
                match c {
                    b'"' => in_string = false,
                    b'\\' => k += 1,
                    c if c < 0x20 => return None,
                    _ => {}
                }
            } else {
                match c {
                    b'"' => in_string = true,
                    b'{' | b'[' => stack.push(c),
                    b'}' | b']' => {
                        let open = stack.pop()?;
                        if (open == b'{') != (c == b'}') {
                            return None;
                        }
                        if stack.is_empty() {
                            return Some(k + 1);
                        }
                    }
                    _ => {}
                }
            }
            k += 1;
        }
        None
    }

    fn skipped_end(text: &[u8]) -> Option<usize> {
        let mut s = Scanner {
            b: text,
            i: 0,
            brackets: Vec::new(),
        };
        s.skip(0).ok().map(|_| s.i)
    }

    #[test]
    fn skipping_agrees_with_a_byte_by_byte_reader_across_block_edges() {
        let pieces = [
            r#""a{b[c""#,
            r#""q\"uo\\te""#,
            r#""\\""#,
            "[1,2]",
            r#"{"k":{}}"#,
            r#""]}""#,
            "true",
            r#""é€😀""#,
        ];
        let mut cases = 0;
        for pad in 0..70 {
            for (i, p) in pieces.iter().enumerate() {
                for q in &pieces[i..] {
                    let filler = format!("\"{}\"", "x".repeat(pad));
                    let text = format!("{{\"a\":[{filler},{p},{{\"b\":{q}}}],\"z\":{filler}}},9");
                    let b = text.as_bytes();
                    assert_eq!(skipped_end(b), reference_end(b), "{text}");
                    // Cut short, and with a bracket that does not pair.
                    let cut = &b[..b.len() - 3];
                    assert_eq!(skipped_end(cut), None, "{text}");
                    let bad = text.replacen("],", "},", 1);
                    assert_eq!(skipped_end(bad.as_bytes()), None, "{bad}");
                    cases += 1;
                }
            }
        }
        assert!(cases > 2000);
        // Skipped strings are only delimited: a raw control character there is passed over.
        let control = "[\"ab\u{1}\"]";
        assert_eq!(skipped_end(control.as_bytes()), Some(control.len()));
    }

    #[test]
    fn closing_open_objects_agrees_with_skipping_them_whole() {
        // From after each member value of the innermost object, at every padding: the end is
        // where skipping the whole text from its start ends.
        for pad in 0..70 {
            let filler = "x".repeat(pad);
            let text = format!(
                r#"{{"a":{{"b":{{"c":"{filler}","d":[1,{{"}}":"]"}}],"e":"{filler}"}},"f":2}},"g":"{filler}"}}"#
            );
            let b = text.as_bytes();
            let whole = skipped_end(b);
            assert_eq!(whole, Some(b.len()));
            // After `"c":"…"` (depth 2, three objects open) and after `"f":2` (depth 1, two).
            for (after, open, depth) in [
                (format!(r#""c":"{filler}""#), 3, 2),
                ("\"f\":2".into(), 2, 1),
            ] {
                let i = text.find(&after).unwrap() + after.len();
                let mut s = Scanner {
                    b,
                    i,
                    brackets: Vec::new(),
                };
                assert_eq!(
                    s.close_objects(open, depth).ok().map(|_| s.i),
                    whole,
                    "{text}"
                );
                let cut = &b[..b.len() - 2];
                let mut s = Scanner {
                    b: cut,
                    i,
                    brackets: Vec::new(),
                };
                assert!(s.close_objects(open, depth).is_err());
            }
        }
        // More than 64 objects open: the bits span words.
        let close = |text: &str, open: usize| {
            let mut s = Scanner {
                b: text.as_bytes(),
                i: 0,
                brackets: Vec::new(),
            };
            s.close_objects(open, open - 1).ok().map(|_| s.i)
        };
        assert_eq!(close(&"}".repeat(70), 70), Some(70));
        assert_eq!(close(&format!("{}]", "}".repeat(69)), 70), None);
        assert_eq!(close(&"}".repeat(69), 70), None);
    }

    #[test]
    fn special_finds_the_first_quote_backslash_or_control_byte() {
        for (text, at) in [
            ("abcdefgh\"", 8),
            ("abc\\defghij\"", 3),
            ("abcdefghijklmno\n", 15),
            ("é\"", 2),
            ("none", 4),
        ] {
            assert_eq!(special::<true>(text.as_bytes(), 0), at, "{text:?}");
        }
    }
}
