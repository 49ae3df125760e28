//! RFC 8785 JSON Canonicalization Scheme (JCS).
//!
//! Everything detente signs is serialised with JCS, through the maintained
//! `serde_json_canonicalizer` crate (RFC 8785 §3.2: sorted member names by
//! UTF-16 code units, ECMAScript number serialisation, minimal string
//! escaping, no whitespace).
//!
//! Received documents must already be canonical: [`ensure_canonical`]
//! refuses anything else, so that the bytes we hash and verify are exactly
//! the bytes that were signed and will be exported (never
//! re-serialise before verifying).

use serde::Serialize;

use crate::ProtoError;

/// Serialises a value as RFC 8785 canonical JSON.
pub fn to_canonical_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    // Our own types always serialise: maps have string keys and numbers are finite.
    serde_json_canonicalizer::to_vec(value)
        .unwrap_or_else(|error| unreachable!("detente types always serialise to JSON: {error}"))
}

/// Checks that `bytes` are valid JSON in RFC 8785 canonical form, and
/// returns the parsed value.
pub fn ensure_canonical(what: &'static str, bytes: &[u8]) -> Result<serde_json::Value, ProtoError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|error| ProtoError::MalformedJson {
            what,
            detail: error.to_string(),
        })?;
    let canonical =
        serde_json_canonicalizer::to_vec(&value).map_err(|error| ProtoError::MalformedJson {
            what,
            detail: error.to_string(),
        })?;
    if canonical != bytes {
        let offset = canonical
            .iter()
            .zip(bytes)
            .position(|(a, b)| a != b)
            .unwrap_or(canonical.len().min(bytes.len()));
        return Err(ProtoError::NotCanonical { what, offset });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_members_and_strips_whitespace() {
        let bytes = to_canonical_bytes(&json!({"b": 1, "a": [true, null, "x"]}));
        assert_eq!(bytes, br#"{"a":[true,null,"x"],"b":1}"#);
    }

    #[test]
    fn rfc8785_number_serialisation() {
        // RFC 8785 §3.2.2.3: ECMAScript number formatting.
        let bytes = to_canonical_bytes(&json!([1.0, 1e21, 0.000001, 1e-7, -0.0]));
        assert_eq!(bytes, b"[1,1e+21,0.000001,1e-7,0]");
    }

    #[test]
    fn rfc8785_sorts_by_utf16_code_units() {
        // From RFC 8785 §3.2.3: "\u{20ac}" (U+20AC) sorts before "\u{1f600}" (surrogates D83D).
        let bytes = to_canonical_bytes(&json!({"\u{1f600}": 1, "\u{20ac}": 2, "\r": 3}));
        assert_eq!(
            bytes,
            "{\"\\r\":3,\"\u{20ac}\":2,\"\u{1f600}\":1}".as_bytes()
        );
    }

    #[test]
    fn canonical_input_is_accepted() {
        let value = ensure_canonical("doc", br#"{"a":1,"b":"x"}"#).expect("canonical");
        assert_eq!(value, json!({"a": 1, "b": "x"}));
    }

    #[test]
    fn whitespace_and_member_order_are_refused() {
        let err = ensure_canonical("doc", br#"{"b":1, "a":2}"#).unwrap_err();
        assert_eq!(
            err,
            ProtoError::NotCanonical {
                what: "doc",
                offset: 2
            }
        );
        assert!(matches!(
            ensure_canonical("doc", br#"{"a":1,"b":2} "#),
            Err(ProtoError::NotCanonical { .. })
        ));
    }

    #[test]
    fn malformed_json_is_refused() {
        assert!(matches!(
            ensure_canonical("doc", b"{\"a\":"),
            Err(ProtoError::MalformedJson { what: "doc", .. })
        ));
    }
}
