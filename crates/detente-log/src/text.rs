//! Small text codecs shared by the C2SP formats: decimal integers with no
//! leading zeroes, and RFC 4648 §4 standard base64 (padded, canonical).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::merkle::{HASH_SIZE, Hash};

/// Parses an ASCII decimal with no leading zeroes (`0` itself is allowed), as
/// every C2SP format requires for sizes, indexes and timestamps.
pub(crate) fn parse_decimal(s: &str) -> Option<u64> {
    let bytes = s.as_bytes();
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if bytes.len() > 1 && bytes[0] == b'0' {
        return None;
    }
    s.parse().ok()
}

/// Decodes standard, padded, canonical base64 (trailing bits must be zero).
pub(crate) fn decode_base64(s: &str) -> Option<Vec<u8>> {
    STANDARD.decode(s).ok()
}

/// Encodes standard, padded base64.
pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes a base64 SHA-256 hash: exactly 32 bytes.
pub(crate) fn decode_hash(s: &str) -> Option<Hash> {
    let bytes = decode_base64(s)?;
    if bytes.len() != HASH_SIZE {
        return None;
    }
    let mut hash = [0u8; HASH_SIZE];
    hash.copy_from_slice(&bytes);
    Some(hash)
}

/// Describes `s` for an error message: quoted, and cut short if long.
pub(crate) fn quote(s: &str) -> String {
    const MAX: usize = 64;
    if s.chars().count() <= MAX {
        format!("{s:?}")
    } else {
        let cut: String = s.chars().take(MAX).collect();
        format!("{cut:?}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_have_no_leading_zeroes() {
        assert_eq!(parse_decimal("0"), Some(0));
        assert_eq!(parse_decimal("10"), Some(10));
        assert_eq!(parse_decimal("18446744073709551615"), Some(u64::MAX));
        for bad in [
            "",
            "00",
            "01",
            "+1",
            "-1",
            " 1",
            "1 ",
            "1e3",
            "18446744073709551616",
            "١",
        ] {
            assert_eq!(parse_decimal(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn base64_is_strict() {
        assert_eq!(decode_base64("AA=="), Some(vec![0]));
        assert_eq!(decode_base64("AA"), None, "padding is required");
        assert_eq!(decode_base64("AB=="), None, "trailing bits must be zero");
        assert_eq!(decode_base64("A-=="), None, "URL alphabet is not allowed");
        assert!(decode_hash("AA==").is_none());
    }
}
