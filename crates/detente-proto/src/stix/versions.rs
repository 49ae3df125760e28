//! Object versions (STIX 2.1 §3.6): which timestamp is an object's version,
//! and a form of it whose byte order is its time order.
//!
//! A version is the object's `modified` timestamp, or `created` for an
//! object that is not versioned (TAXII 2.1 §3.4.1, §5.3.1). Timestamps
//! (§2.16) may carry any number of fraction digits, so
//! `2016-01-20T12:31:12.1Z` and `2016-01-20T12:31:12.100Z` are one instant
//! and `…12.1Z` sorts after `…12.09Z` only by accident of length. A
//! [`version_key`] writes every timestamp with exactly nine fraction digits:
//! equal instants give equal keys and comparing keys as bytes compares the
//! instants, so a store can index and range-scan versions as plain text.

use chrono::NaiveDateTime;
use serde_json::{Map, Value};

/// The `YYYY-MM-DDTHH:mm:ss` part of a timestamp.
const SECONDS_SHAPE: &[u8; 19] = b"dddd-dd-ddTdd:dd:dd";

/// Fraction digits in a [`version_key`]: nanoseconds.
const KEY_FRACTION_DIGITS: usize = 9;

/// The version of a STIX object: its `modified` timestamp, else its
/// `created` one, else `None` (SCOs, for instance, have neither). The
/// string is returned as the object carries it; see [`version_key`] to
/// compare versions.
pub fn version_of(object: &Map<String, Value>) -> Option<&str> {
    object
        .get("modified")
        .and_then(Value::as_str)
        .or_else(|| object.get("created").and_then(Value::as_str))
}

/// A STIX 2.1 timestamp (§2.16: `YYYY-MM-DDTHH:mm:ss[.s+]Z`, UTC, any
/// number of fraction digits) in the fixed-width form
/// `YYYY-MM-DDTHH:mm:ss.nnnnnnnnnZ`: exactly nine fraction digits, padded
/// with zeros, digits beyond the ninth dropped. Byte order of keys is time
/// order, and two spellings of one instant give one key.
///
/// `None` when `timestamp` is not of that form or not a real date and time
/// (`2016-02-30T00:00:00Z`, `25:00:00`).
pub fn version_key(timestamp: &str) -> Option<String> {
    let (_, fraction) = split_timestamp(timestamp)?;
    let mut key = String::with_capacity(SECONDS_SHAPE.len() + KEY_FRACTION_DIGITS + 2);
    key.push_str(timestamp.get(..SECONDS_SHAPE.len())?);
    key.push('.');
    let kept = fraction.get(..KEY_FRACTION_DIGITS).unwrap_or(fraction);
    key.push_str(kept);
    key.extend(std::iter::repeat_n('0', KEY_FRACTION_DIGITS - kept.len()));
    key.push('Z');
    Some(key)
}

/// Splits a STIX timestamp into its date and time to the second (checked
/// to be real by chrono) and its fraction digits (possibly none, possibly
/// more than nine). `None` when `text` is not `YYYY-MM-DDTHH:mm:ss[.s+]Z`.
pub(crate) fn split_timestamp(text: &str) -> Option<(NaiveDateTime, &str)> {
    let bytes = text.as_bytes();
    if bytes.len() <= SECONDS_SHAPE.len() || bytes.last() != Some(&b'Z') {
        return None;
    }
    let shaped = bytes
        .iter()
        .zip(SECONDS_SHAPE)
        .all(|(byte, want)| match want {
            b'd' => byte.is_ascii_digit(),
            other => byte == other,
        });
    if !shaped {
        return None;
    }
    let fraction = match text.get(SECONDS_SHAPE.len()..text.len() - 1)? {
        "" => "",
        rest => {
            let digits = rest.strip_prefix('.')?;
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            digits
        }
    };
    let seconds = text.get(..SECONDS_SHAPE.len())?;
    let parsed = NaiveDateTime::parse_from_str(seconds, "%Y-%m-%dT%H:%M:%S").ok()?;
    Some((parsed, fraction))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn the_version_is_modified_then_created() {
        let both = object(
            json!({"created": "2016-01-20T12:31:12.123Z", "modified": "2017-01-20T12:31:12.123Z"}),
        );
        assert_eq!(version_of(&both), Some("2017-01-20T12:31:12.123Z"));
        let created = object(json!({"created": "2016-01-20T12:31:12.123Z"}));
        assert_eq!(version_of(&created), Some("2016-01-20T12:31:12.123Z"));
        let neither = object(json!({"type": "ipv4-addr", "value": "198.51.100.3"}));
        assert_eq!(version_of(&neither), None);
    }

    #[test]
    fn keys_have_nine_fraction_digits() {
        for (text, key) in [
            ("2016-01-20T12:31:12Z", "2016-01-20T12:31:12.000000000Z"),
            ("2016-01-20T12:31:12.1Z", "2016-01-20T12:31:12.100000000Z"),
            ("2016-01-20T12:31:12.123Z", "2016-01-20T12:31:12.123000000Z"),
            (
                "2016-01-20T12:31:12.123456789Z",
                "2016-01-20T12:31:12.123456789Z",
            ),
            (
                "2016-01-20T12:31:12.1234567891234Z",
                "2016-01-20T12:31:12.123456789Z",
            ),
        ] {
            assert_eq!(version_key(text).as_deref(), Some(key), "{text}");
        }
        assert_eq!(
            version_key("2016-01-20T12:31:12.1Z"),
            version_key("2016-01-20T12:31:12.100Z")
        );
    }

    #[test]
    fn anything_else_has_no_key() {
        for bad in [
            "",
            "Z",
            "yesterday",
            "2016-01-20",
            "2016-01-20T12:31:12",
            "2016-01-20T12:31:12+00:00",
            "2016-01-20T12:31:12.Z",
            "2016-01-20T12:31:12.1.2Z",
            "2016-01-20t12:31:12z",
            "2016-01-20 12:31:12Z",
            "2016-02-30T12:31:12Z",
            "2016-01-20T25:31:12Z",
            "2016-01-20T12:61:12Z",
            "2016-13-20T12:31:12Z",
            "2016-01-20T12:31:12.1ZZ",
            "2016-01-20T12:31:12.١Z",
            "２016-01-20T12:31:12Z",
        ] {
            assert_eq!(version_key(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn byte_order_of_keys_is_time_order(
            a in 0i64..253_402_300_799,
            b in 0i64..253_402_300_799,
            a_nanos in 0u32..1_000_000_000,
            b_nanos in 0u32..1_000_000_000,
            a_digits in 0usize..12,
            b_digits in 0usize..12,
        ) {
            let write = |seconds: i64, nanos: u32, digits: usize| -> Option<(String, i128)> {
                let at = chrono::DateTime::from_timestamp(seconds, nanos)?;
                let nine = format!("{:09}", nanos);
                let shown = nine.get(..digits.min(9)).unwrap_or(&nine);
                let padding = "7".repeat(digits.saturating_sub(9));
                let text = if digits == 0 {
                    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
                } else {
                    format!("{}.{shown}{padding}Z", at.format("%Y-%m-%dT%H:%M:%S"))
                };
                // The instant the text names, to the nanosecond.
                let kept: u32 = if digits == 0 { 0 } else {
                    format!("{shown:0<9}").parse().ok()?
                };
                Some((text, i128::from(seconds) * 1_000_000_000 + i128::from(kept)))
            };
            let (Some((a_text, a_at)), Some((b_text, b_at))) =
                (write(a, a_nanos, a_digits), write(b, b_nanos, b_digits))
            else {
                return Ok(());
            };
            let a_key = version_key(&a_text);
            let b_key = version_key(&b_text);
            proptest::prop_assert!(a_key.is_some() && b_key.is_some(), "{a_text} {b_text}");
            proptest::prop_assert_eq!(a_key.cmp(&b_key), a_at.cmp(&b_at), "{} {}", a_text, b_text);
        }
    }
}
