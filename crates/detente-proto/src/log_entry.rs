//! The entries of a party's transparency log (docs/protocol.md, "Log entries").
//!
//! Each entry is a small fixed record — never a message body, so a log
//! carries no content and stays far below the tlog-tiles 64 KiB entry
//! limit. It is serialised as RFC 8785 canonical JSON, e.g.
//!
//! ```text
//! {"counterparty":"US","direction":"sent","id":"0193…","peer_size":12,
//!  "sha256":"<base64>","time":"2026-11-28T10:00:00.000Z","v":1}
//! ```
//!
//! - `direction`: `sent` or `received` (an envelope), or `document` (a card,
//!   an agreement signature, a guarantee or pledge step);
//! - `counterparty`: the other party (for a document: the party it concerns);
//! - `id`: the message id, or the document's id;
//! - `sha256`: SHA-256 of the exact signed envelope (or document) bytes —
//!   the envelope's random nonce makes it reveal nothing about the content;
//! - `time`: when this node recorded it;
//! - `peer_size`: the size of the counterparty's log this node last saw
//!   (absent when none), which ties the two logs together. Like every
//!   number in RFC 8785 JSON it is an IEEE-754 double (§3.2.2.3), so it is
//!   at most 2^53 − 1 ([`MAX_SAFE_INTEGER`]); larger values cannot be
//!   written canonically and are refused when read.
//!
//! A "received" entry in one log must match a "sent" entry (same id and
//! hash) in the counterparty's log: the logs cross-check each other.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};

use crate::ProtoError;
use crate::canonical::{ensure_canonical, to_canonical_bytes};
use crate::ids::PartyCode;
use crate::signing::decode_fixed;
use crate::time::Timestamp;

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryDirection {
    /// An envelope this party signed and sent.
    Sent,
    /// An envelope this party received and receipted.
    Received,
    /// A document: a card, an agreement, a guarantee.
    Document,
}

/// One log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// What it records.
    pub direction: EntryDirection,
    /// The other party.
    pub counterparty: PartyCode,
    /// Message id or document id.
    pub id: String,
    /// SHA-256 of the exact signed bytes.
    pub sha256: [u8; 32],
    /// When it was recorded.
    pub time: Timestamp,
    /// The counterparty's log size last seen, if any.
    pub peer_size: Option<u64>,
}

/// Members are declared in RFC 8785 order (sorted by UTF-16 code units)
/// and are only strings and unsigned integers, so `serde_json`'s compact
/// output of this struct IS the canonical form (see the property test).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryWire {
    counterparty: PartyCode,
    direction: EntryDirection,
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    peer_size: Option<u64>,
    sha256: String,
    time: Timestamp,
    v: u8,
}

/// The largest integer RFC 8785 (I-JSON, RFC 7493 §2.2) represents exactly.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The longest id an entry may carry.
const MAX_ID_BYTES: usize = 128;

impl LogEntry {
    /// The entry's bytes: canonical JSON. On the sequencing hot path, so it
    /// avoids the generic canonicaliser's detour through a JSON tree.
    pub fn to_bytes(&self) -> Vec<u8> {
        let wire = EntryWire {
            counterparty: self.counterparty.clone(),
            direction: self.direction,
            id: self.id.clone(),
            peer_size: self.peer_size,
            sha256: BASE64.encode(self.sha256),
            time: self.time,
            v: 1,
        };
        serde_json::to_vec(&wire).unwrap_or_else(|_| to_canonical_bytes(&wire))
    }

    /// Reads an entry; it must be canonical and version 1.
    pub fn parse(bytes: &[u8]) -> Result<Self, ProtoError> {
        if bytes.len() > 1024 {
            return Err(ProtoError::TooLarge {
                what: "log entry",
                size: bytes.len(),
                limit: 1024,
            });
        }
        let value = ensure_canonical("log entry", bytes)?;
        // One entry, one encoding: an absent peer_size is absent, not null.
        if value
            .get("peer_size")
            .is_some_and(serde_json::Value::is_null)
        {
            return Err(ProtoError::field(
                "entry.peer_size",
                "must be a number, or absent",
            ));
        }
        let wire: EntryWire = serde_path_to_error::deserialize(value).map_err(|e| {
            ProtoError::field(
                crate::error::field_path("entry", e.path()),
                e.inner().to_string(),
            )
        })?;
        if wire.v != 1 {
            return Err(ProtoError::field(
                "entry.v",
                format!("version {} is not supported", wire.v),
            ));
        }
        if wire.id.is_empty()
            || wire.id.len() > MAX_ID_BYTES
            || wire.id.chars().any(char::is_control)
        {
            return Err(ProtoError::field(
                "entry.id",
                "must be 1 to 128 bytes without control characters",
            ));
        }
        Ok(Self {
            direction: wire.direction,
            counterparty: wire.counterparty,
            id: wire.id,
            sha256: decode_fixed::<32>("entry.sha256", &wire.sha256)?,
            time: wire.time,
            peer_size: wire.peer_size,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> LogEntry {
        LogEntry {
            direction: EntryDirection::Received,
            counterparty: "US".parse().expect("US"),
            id: "01937b2e-8f00-7000-8000-000000000001".into(),
            sha256: [7; 32],
            time: "2026-11-28T10:00:00.000Z".parse().expect("ts"),
            peer_size: Some(12),
        }
    }

    #[test]
    fn known_bytes() {
        // Pinned: changing this format breaks every existing log.
        assert_eq!(
            String::from_utf8(sample().to_bytes()).expect("utf8"),
            r#"{"counterparty":"US","direction":"received","id":"01937b2e-8f00-7000-8000-000000000001","peer_size":12,"sha256":"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=","time":"2026-11-28T10:00:00.000Z","v":1}"#
        );
    }

    proptest::proptest! {
        #[test]
        fn fast_encoding_is_rfc8785(id in "\\PC{1,40}", size in proptest::option::of(0..=MAX_SAFE_INTEGER), hash in proptest::prelude::any::<[u8; 32]>()) {
            let entry = LogEntry { id, peer_size: size, sha256: hash, ..sample() };
            let bytes = entry.to_bytes();
            let value: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
            proptest::prop_assert_eq!(&bytes, &to_canonical_bytes(&value));
        }
    }

    #[test]
    fn null_is_not_a_second_spelling_of_absent() {
        let entry = LogEntry {
            peer_size: None,
            ..sample()
        };
        let with_null = String::from_utf8(entry.to_bytes())
            .expect("utf8")
            .replace("\"sha256\"", "\"peer_size\":null,\"sha256\"");
        assert!(LogEntry::parse(with_null.as_bytes()).is_err());
    }

    #[test]
    fn sizes_beyond_2_pow_53_are_refused() {
        let entry = LogEntry {
            peer_size: Some(MAX_SAFE_INTEGER + 2),
            ..sample()
        };
        assert!(LogEntry::parse(&entry.to_bytes()).is_err());
        let entry = LogEntry {
            peer_size: Some(MAX_SAFE_INTEGER),
            ..sample()
        };
        assert_eq!(LogEntry::parse(&entry.to_bytes()), Ok(entry));
    }

    #[test]
    fn round_trip_and_strictness() {
        let entry = sample();
        assert_eq!(LogEntry::parse(&entry.to_bytes()), Ok(entry.clone()));
        let spaced = String::from_utf8(entry.to_bytes())
            .expect("utf8")
            .replace(",", ", ");
        assert!(matches!(
            LogEntry::parse(spaced.as_bytes()),
            Err(ProtoError::NotCanonical { .. })
        ));
        let v2 = String::from_utf8(entry.to_bytes())
            .expect("utf8")
            .replace("\"v\":1", "\"v\":2");
        assert!(LogEntry::parse(v2.as_bytes()).is_err());
    }
}
