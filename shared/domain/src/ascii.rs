//! The rule of the ASCII tokens the shop keeps (ids, codes, provider tokens, keys): a length
//! in bytes and a set of allowed bytes, so they are safe in keys, URLs and logs.

use std::ops::RangeInclusive;

/// `raw` is `len` bytes long and every byte is `allowed`.
pub(crate) fn token(raw: &str, len: RangeInclusive<usize>, allowed: fn(u8) -> bool) -> bool {
    len.contains(&raw.len()) && raw.bytes().all(allowed)
}

/// A visible ASCII character: no space, no control character.
pub(crate) fn visible(b: u8) -> bool {
    b.is_ascii_graphic()
}

/// A letter, a digit, `-` or `_`: what ids and provider tokens are made of.
pub(crate) fn slug(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}
