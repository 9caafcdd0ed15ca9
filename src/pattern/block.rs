//! JSON text 64 bytes at a time, as bit masks (one bit per byte): where the quotes, backslashes
//! and brackets are, and which bytes sit inside strings. What skipping a value no rule names
//! costs is then a few vector compares per block and a step per bracket, not a step per byte.
//! The string and escape tracking is simdjson's (Langdale and Lemire, "Parsing Gigabytes of
//! JSON per Second", 2019), carried from block to block.

use wide::u8x16;

/// The bytes of one block that matter to pairing brackets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Block {
    /// `{` or `[` outside strings.
    pub opens: u64,
    /// `}` or `]` outside strings.
    pub closes: u64,
}

/// The string state carried from one block to the next.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Carry {
    /// All ones when the previous block ended inside a string.
    in_string: u64,
    /// 1 when the previous block ended on a backslash that escapes the next byte.
    escape: u64,
}

impl Carry {
    /// Whether the text read so far ends inside a string.
    pub fn in_string(&self) -> bool {
        self.in_string != 0
    }
}

const EVEN: u64 = 0x5555_5555_5555_5555;

/// Classifies the 64 bytes at `at` (bytes past the end of `b` read as spaces).
pub(super) fn block(b: &[u8], at: usize, carry: &mut Carry) -> Block {
    let m = match b.get(at..).and_then(<[u8]>::first_chunk::<64>) {
        Some(full) => masks(full),
        None => {
            let mut buf = [b' '; 64];
            let rest = b.get(at..).unwrap_or_default();
            buf[..rest.len()].copy_from_slice(rest);
            masks(&buf)
        }
    };
    // Most blocks have no backslash: nothing in them is escaped.
    let escaped = if m.backslash | carry.escape == 0 {
        0
    } else {
        escaped(m.backslash, &mut carry.escape)
    };
    let quotes = m.quote & !escaped;
    // Inside a string: from an opening quote (included) to its closing quote (excluded).
    let inside = prefix_xor(quotes) ^ carry.in_string;
    carry.in_string = ((inside as i64) >> 63) as u64;
    Block {
        opens: m.open & !inside,
        closes: m.close & !inside,
    }
}

struct Masks {
    quote: u64,
    backslash: u64,
    open: u64,
    close: u64,
}

/// One bit per byte of `bytes` for each class, by 16-byte vector compares (SSE2 on x86_64,
/// NEON on aarch64, through `wide`).
fn masks(bytes: &[u8; 64]) -> Masks {
    let quote = u8x16::splat(b'"');
    let backslash = u8x16::splat(b'\\');
    // `{` and `[` differ from each other in the 0x20 bit only, as do `}` and `]`.
    let open = u8x16::splat(b'{');
    let close = u8x16::splat(b'}');
    let fold = u8x16::splat(0x20);
    let mut m = Masks {
        quote: 0,
        backslash: 0,
        open: 0,
        close: 0,
    };
    for (k, chunk) in bytes.chunks_exact(16).enumerate() {
        let mut lane = [0u8; 16];
        lane.copy_from_slice(chunk);
        let v = u8x16::new(lane);
        let folded = v | fold;
        let shift = 16 * k;
        let bits = |x: u8x16| u64::from(x.to_bitmask() as u16) << shift;
        m.quote |= bits(v.simd_eq(quote));
        m.backslash |= bits(v.simd_eq(backslash));
        m.open |= bits(folded.simd_eq(open));
        m.close |= bits(folded.simd_eq(close));
    }
    m
}

/// The offset in `chunk` (16 bytes) of the first `"` or `\\` (with `CONTROL`, also control
/// character), by vector compares.
#[inline]
pub(super) fn special16<const CONTROL: bool>(chunk: &[u8]) -> Option<usize> {
    let mut lane = [0u8; 16];
    lane.copy_from_slice(chunk.get(..16)?);
    let v = u8x16::new(lane);
    let mut hit = v.simd_eq(u8x16::splat(b'"')) | v.simd_eq(u8x16::splat(b'\\'));
    if CONTROL {
        // Below 0x20: the top three bits clear.
        hit |= (v & u8x16::splat(0xE0)).simd_eq(u8x16::splat(0));
    }
    let bits = hit.to_bitmask() as u16;
    (bits != 0).then(|| bits.trailing_zeros() as usize)
}

/// The bytes escaped by a backslash: the byte after each odd-length run of backslashes counted
/// from its start. `carry` is 1 when the previous block's last backslash escapes this block's
/// first byte, and is set for the next block.
fn escaped(backslash: u64, carry: &mut u64) -> u64 {
    let backslash = backslash & !*carry;
    let follows_escape = (backslash << 1) | *carry;
    let odd_starts = backslash & !EVEN & !follows_escape;
    let (even_sequences, overflow) = odd_starts.overflowing_add(backslash);
    *carry = u64::from(overflow);
    let invert = even_sequences << 1;
    (EVEN ^ invert) & follows_escape
}

/// Each bit the XOR of itself and every lower bit: a quote mask becomes an inside-strings mask.
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Byte by byte: which bytes are escaped, and which are inside strings.
    fn reference(b: &[u8]) -> (Vec<bool>, Vec<bool>) {
        let (mut escaped, mut inside) = (vec![false; b.len()], vec![false; b.len()]);
        let (mut in_string, mut k) = (false, 0);
        while k < b.len() {
            inside[k] = in_string;
            match b[k] {
                b'\\' if k + 1 < b.len() => {
                    escaped[k + 1] = true;
                    inside[k + 1] = in_string;
                    k += 1;
                }
                b'"' => {
                    in_string = !in_string;
                    // The opening quote counts as inside, the closing one does not.
                    inside[k] = in_string;
                }
                _ => {}
            }
            k += 1;
        }
        (escaped, inside)
    }

    #[test]
    fn escapes_and_strings_agree_with_a_byte_by_byte_reader_across_blocks() {
        let pieces: [&[u8]; 8] = [b"\\", b"\\\\", b"\\\"", b"\"", b"x", b"{", b"]", b"\\\\\\"];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..3000 {
            let mut text = Vec::new();
            while text.len() < 200 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.extend_from_slice(pieces[(seed % 8) as usize]);
            }
            let (want_escaped, want_inside) = reference(&text);
            let mut carry = Carry::default();
            let mut esc_carry = 0u64;
            for (n, at) in (0..text.len()).step_by(64).enumerate() {
                let mut bytes = [b' '; 64];
                let end = (at + 64).min(text.len());
                bytes[..end - at].copy_from_slice(&text[at..end]);
                let m = masks(&bytes);
                let e = escaped(m.backslash, &mut esc_carry);
                let got = block(&text, at, &mut carry);
                for k in 0..end - at {
                    let i = at + k;
                    assert_eq!(
                        e >> k & 1 == 1,
                        want_escaped[i],
                        "escape at {i} (block {n})"
                    );
                    let bracket = matches!(text[i], b'{' | b'[' | b'}' | b']');
                    if bracket {
                        let seen = (got.opens | got.closes) >> k & 1 == 1;
                        assert_eq!(seen, !want_inside[i], "bracket at {i} of {text:?}");
                    }
                }
            }
        }
    }
}
