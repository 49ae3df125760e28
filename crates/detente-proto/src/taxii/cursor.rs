//! The `next` value of a page (TAXII 2.1 §3.4, §3.5, §3.7).
//!
//! A page is the rows after a `date_added` in `date_added` order, and
//! `date_added` is unique across the store, so the last one served is all
//! a client needs to carry to the next page. The value is that instant,
//! versioned and encoded (base64url of `dtc1:<microseconds>`): opaque to
//! clients as §3.7 asks, and stateless, so it holds across restarts and
//! costs the server nothing to issue. §3.4 leaves `next` to the server;
//! Appendix B asks that it never be trusted: a cursor only bounds a query
//! the client's own filters and grants still govern, and anything but a
//! value this server would issue is refused.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::error::{QueryError, echo};

/// The prefix of a cursor's decoded text: the format's name and version.
const PREFIX: &str = "dtc1:";

/// Longest encoded cursor: `dtc1:` and an `i64` with its sign, in base64.
const MAX_ENCODED: usize = 40;

/// Where the next page starts: after the row added at `after_micros`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cursor {
    /// The `date_added` (microseconds since the Unix epoch) of the last row
    /// served; the next page starts strictly after it.
    pub after_micros: i64,
}

impl Cursor {
    /// The cursor as a `next` value: URL-safe, no padding.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{PREFIX}{}", self.after_micros))
    }

    /// Reads a `next` value. Only what [`Cursor::encode`] writes is taken,
    /// byte for byte.
    pub fn decode(text: &str) -> Result<Cursor, QueryError> {
        let refused = || QueryError::Cursor { value: echo(text) };
        if text.len() > MAX_ENCODED {
            return Err(refused());
        }
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| refused())?;
        let decoded = std::str::from_utf8(&bytes).map_err(|_| refused())?;
        let digits = decoded.strip_prefix(PREFIX).ok_or_else(refused)?;
        let cursor = Cursor {
            after_micros: digits.parse().map_err(|_| refused())?,
        };
        // One spelling only: no `+`, no leading zeros, no other base64 of it.
        if cursor.encode() != text {
            return Err(refused());
        }
        Ok(cursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_is_base64url_of_a_versioned_instant() {
        let cursor = Cursor {
            after_micros: 1_795_941_000_123_456,
        };
        assert_eq!(cursor.encode(), "ZHRjMToxNzk1OTQxMDAwMTIzNDU2");
        assert_eq!(Cursor::decode(&cursor.encode()), Ok(cursor));
        for extreme in [i64::MIN, -1, 0, i64::MAX] {
            let cursor = Cursor {
                after_micros: extreme,
            };
            assert!(cursor.encode().len() <= MAX_ENCODED);
            assert_eq!(Cursor::decode(&cursor.encode()), Ok(cursor));
        }
    }

    #[test]
    fn anything_not_issued_here_is_refused() {
        let spell = |text: &str| URL_SAFE_NO_PAD.encode(text);
        for bad in [
            String::new(),
            "1795941000123456".to_owned(),
            "ZHRjMToxNzk1OTQxMDAwMTIzNDU2==".to_owned(),
            "ZHRjMToxNzk1OTQxMDAwMTIzNDU2\n".to_owned(),
            "!!!!".to_owned(),
            spell("dtc1:"),
            spell("dtc1:+5"),
            spell("dtc1:05"),
            spell("dtc1: 5"),
            spell("dtc1:5x"),
            spell("dtc2:5"),
            spell("dtc1:99999999999999999999"),
            "A".repeat(10_000),
        ] {
            let refused = Cursor::decode(&bad);
            assert!(matches!(refused, Err(QueryError::Cursor { .. })), "{bad:?}");
        }
        let message = Cursor::decode("bogus").map_err(|e| e.to_string());
        assert!(message.is_err_and(|m| m.contains("start again without next")));
    }

    proptest::proptest! {
        #[test]
        fn every_cursor_reads_back(after_micros: i64) {
            let cursor = Cursor { after_micros };
            proptest::prop_assert_eq!(Cursor::decode(&cursor.encode()), Ok(cursor));
        }

        #[test]
        fn garbage_never_panics(text in ".{0,48}") {
            let _ = Cursor::decode(&text);
        }
    }
}
