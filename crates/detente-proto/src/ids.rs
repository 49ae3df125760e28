//! Names and identifiers: parties, tiers, officers, message ids, key ids,
//! fingerprints, document ids, TAXII account names and resource ids. Each
//! is a validated newtype, so a value that exists is valid; each rule is
//! written once, here.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};
use uuid::Uuid;

macro_rules! string_newtype_serde {
    ($name:ident) => {
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = String::deserialize(deserializer)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// A party's code: 2 to 16 characters of `A-Z`, `0-9` and `-`, starting
/// with a letter (ISO 3166 codes such as `RU`, `US`, or `UN`, `OSCE`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartyCode(String);

impl PartyCode {
    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for PartyCode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let valid_len = (2..=16).contains(&s.len());
        let starts_with_letter = s.chars().next().is_some_and(|c| c.is_ascii_uppercase());
        let valid_chars = s
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        if valid_len && starts_with_letter && valid_chars {
            Ok(Self(s.to_owned()))
        } else {
            Err(format!(
                "{s:?} is not a party code; use 2 to 16 upper-case letters, digits or '-', starting with a letter (e.g. RU, US, UN)"
            ))
        }
    }
}
string_newtype_serde!(PartyCode);

/// `RU`, `RU and US`, `RU, US and UN`, with `last` as the final joiner
/// (`" and "`, `" or "`, `", "`); `nobody` for none. For messages that
/// name parties.
pub fn join_parties(parties: &[PartyCode], last: &str) -> String {
    match parties {
        [] => "nobody".to_owned(),
        [one] => one.to_string(),
        [init @ .., tail] => format!(
            "{}{last}{tail}",
            init.iter()
                .map(PartyCode::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Whether `id` is a document id (an agreement's, a guarantee's, a
/// pledge's, a scope tag): 1 to 64 of `a-z`, `0-9` and `-`.
pub fn is_document_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Whether `name` is a TAXII account's name: 1 to 64 of `A-Z`, `a-z`,
/// `0-9`, `.`, `_` and `-`.
pub fn is_account_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Whether `id` is a TAXII draft's (or a status resource's) id: 1 to 64 of
/// `A-Z`, `a-z`, `0-9` and `-`. The node writes UUIDs in their hyphenated
/// form; the rule admits no character that would need escaping in a URL.
pub fn is_draft_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// An identifier that does not keep its rule, for [`DocumentId`],
/// [`AccountName`] and [`ResourceId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not {what}: use {rule}")]
pub struct BadId {
    /// The text given.
    pub value: String,
    /// What it was to be.
    pub what: &'static str,
    /// The rule.
    pub rule: &'static str,
}

macro_rules! rule_newtype {
    ($(#[$doc:meta])* $name:ident, $rule:ident, $what:literal, $text:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = BadId;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                if $rule(s) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(BadId {
                        value: s.to_owned(),
                        what: $what,
                        rule: $text,
                    })
                }
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        string_newtype_serde!($name);
    };
}

rule_newtype!(
    /// A document's id (an agreement's, a guarantee's, a pledge's, a scope
    /// tag), by the rule of [`is_document_id`].
    DocumentId,
    is_document_id,
    "a document id",
    "1 to 64 of a-z, 0-9 and '-'"
);

rule_newtype!(
    /// A TAXII account's name, by the rule of [`is_account_name`].
    AccountName,
    is_account_name,
    "an account name",
    "1 to 64 of A-Z, a-z, 0-9, '.', '_' and '-'"
);

rule_newtype!(
    /// A TAXII draft's or status resource's id, by the rule of
    /// [`is_draft_id`].
    ResourceId,
    is_draft_id,
    "a draft or status id",
    "1 to 64 of A-Z, a-z, 0-9 and '-'"
);

impl From<Uuid> for ResourceId {
    /// A UUID in its hyphenated form, which keeps the rule.
    fn from(uuid: Uuid) -> Self {
        Self(uuid.hyphenated().to_string())
    }
}

/// A level of contact inside a party (docs/protocol.md, "Identifiers and scalar types").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    /// The national CERT.
    Technical,
    /// The 24/7 watch centre.
    Operational,
    /// The ministry.
    Policy,
    /// The highest level.
    Leadership,
}

impl Tier {
    /// Every tier, from the lowest to the highest.
    pub const ALL: [Tier; 4] = [
        Tier::Technical,
        Tier::Operational,
        Tier::Policy,
        Tier::Leadership,
    ];

    /// The tier's name on the wire.
    pub fn as_str(&self) -> &'static str {
        match self {
            Tier::Technical => "technical",
            Tier::Operational => "operational",
            Tier::Policy => "policy",
            Tier::Leadership => "leadership",
        }
    }
}

impl FromStr for Tier {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Tier::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                format!("{s:?} is not a tier; use technical, operational, policy or leadership")
            })
    }
}
string_newtype_serde!(Tier);

/// The name of an officer at a node: 1 to 64 printable characters, no
/// leading or trailing space. Any script is allowed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OfficerName(String);

impl OfficerName {
    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for OfficerName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let chars = s.chars().count();
        if chars == 0 || chars > 64 {
            return Err(format!(
                "officer name must be 1 to 64 characters, not {chars}"
            ));
        }
        if s.trim() != s || s.chars().any(char::is_control) {
            return Err(format!(
                "officer name {s:?} has control characters or leading/trailing spaces"
            ));
        }
        Ok(Self(s.to_owned()))
    }
}
string_newtype_serde!(OfficerName);

/// A message id: a UUIDv7 (RFC 9562 §5.7), so ids sort by creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MessageId(Uuid);

impl MessageId {
    /// A fresh UUIDv7 for `at`.
    pub fn new_v7(at: crate::time::Timestamp) -> Self {
        let millis = u64::try_from(at.unix_millis()).unwrap_or(0);
        let ts = uuid::Timestamp::from_unix(
            uuid::NoContext,
            millis / 1000,
            u32::try_from(millis % 1000).unwrap_or(0) * 1_000_000,
        );
        Self(Uuid::new_v7(ts))
    }

    /// The underlying UUID.
    pub fn as_uuid(&self) -> &Uuid {
        &self.0
    }

    fn as_str_owned(&self) -> String {
        self.0.hyphenated().to_string()
    }

    /// The last 8 hex digits (random, unlike the leading timestamp), for
    /// timelines and tables.
    pub fn short(&self) -> String {
        let text = self.as_str_owned();
        text[text.len() - 8..].to_owned()
    }
}

impl FromStr for MessageId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let uuid = Uuid::try_parse(s).map_err(|e| format!("{s:?} is not a UUID ({e})"))?;
        if uuid.get_version_num() != 7 {
            return Err(format!("{s:?} is not a UUIDv7"));
        }
        if uuid.hyphenated().to_string() != s {
            return Err(format!(
                "{s:?} is not in canonical form; write it lower-case and hyphenated"
            ));
        }
        Ok(Self(uuid))
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

impl Serialize for MessageId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for MessageId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Names one Ed25519 public key: the first 8 bytes of
/// `SHA-256("detente/v1/key-id\n" ‖ public key)`, as 16 lower-case hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(String);

impl KeyId {
    /// The key id of a 32-byte Ed25519 public key.
    pub fn of(public_key: &[u8; 32]) -> Self {
        let digest = Sha256::new()
            .chain_update(b"detente/v1/key-id\n")
            .chain_update(public_key)
            .finalize();
        Self(hex::encode(&digest[..8]))
    }

    /// The key id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for KeyId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() == 16
            && s.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        {
            Ok(Self(s.to_owned()))
        } else {
            Err(format!("{s:?} is not a key id (16 lower-case hex digits)"))
        }
    }
}
string_newtype_serde!(KeyId);

/// The fingerprint of a party's signing key, confirmed out of band before a
/// peer is trusted: SHA-256 of the 32-byte Ed25519 public key, shown as
/// `SHA256:` and 16 groups of 4 hex digits separated by `:`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    /// The fingerprint of a signing key.
    pub fn of(public_key: &[u8; 32]) -> Self {
        Self(Sha256::digest(public_key).into())
    }

    fn as_str_owned(&self) -> String {
        let hex = hex::encode(self.0);
        let groups: Vec<&str> = (0..16).map(|i| &hex[i * 4..i * 4 + 4]).collect();
        format!("SHA256:{}", groups.join(":"))
    }
}

impl FromStr for Fingerprint {
    type Err = String;

    /// Lenient on input: case, the `SHA256:` prefix and separators (`:`,
    /// spaces, `-`) do not matter, since people read these over the phone.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let body = s
            .trim()
            .strip_prefix("SHA256:")
            .or_else(|| s.trim().strip_prefix("sha256:"))
            .unwrap_or(s.trim());
        let hex: String = body
            .chars()
            .filter(|c| !matches!(c, ':' | ' ' | '-'))
            .collect::<String>()
            .to_ascii_lowercase();
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(&hex, &mut bytes).map_err(|_| {
            format!(
                "{s:?} is not a fingerprint; expected SHA256: followed by 64 hex digits, as `detente init` printed it"
            )
        })?;
        Ok(Self(bytes))
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str_owned())
    }
}

impl Serialize for Fingerprint {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Fingerprint {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn document_ids_account_names_and_resource_ids_keep_their_rules() {
        for good in ["g-1", "no-first-use", &"a".repeat(64)] {
            assert_eq!(
                good.parse::<DocumentId>().map(|id| id.to_string()),
                Ok(good.to_owned())
            );
        }
        for bad in ["", "G-1", "a b", "a_b", "é", &"a".repeat(65)] {
            let err = bad.parse::<DocumentId>().expect_err(bad);
            assert_eq!((err.value.as_str(), err.what), (bad, "a document id"));
        }
        for good in ["opencti", "misp.soc-1", "A_b.C-d", &"a".repeat(64)] {
            assert!(good.parse::<AccountName>().is_ok(), "{good:?}");
        }
        for bad in ["", "a b", "a/b", "é", "a:b", &"a".repeat(65)] {
            assert!(bad.parse::<AccountName>().is_err(), "{bad:?}");
        }
        for good in ["0193a0c4-7d1e-7000-8000-000000000001", "a", &"A".repeat(64)] {
            assert!(good.parse::<ResourceId>().is_ok(), "{good:?}");
        }
        for bad in ["", "a b", "a_b", "é", "{uuid}", &"a".repeat(65)] {
            assert!(bad.parse::<ResourceId>().is_err(), "{bad:?}");
        }
        let fresh = ResourceId::from(Uuid::new_v4());
        assert_eq!(fresh.as_str().parse::<ResourceId>(), Ok(fresh));
        let json = serde_json::to_string(&"g-1".parse::<DocumentId>().expect("id")).expect("json");
        assert_eq!(json, "\"g-1\"");
        assert!(serde_json::from_str::<DocumentId>("\"G\"").is_err());
    }

    #[test]
    fn party_codes() {
        assert!("RU".parse::<PartyCode>().is_ok());
        assert!("OSCE-1".parse::<PartyCode>().is_ok());
        for bad in ["", "R", "ru", "1A", "TOO-LONG-A-CODE-XX", "R U"] {
            assert!(bad.parse::<PartyCode>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn message_ids_are_canonical_v7() {
        let id = MessageId::new_v7("2026-11-28T10:00:00.000Z".parse().expect("ts"));
        assert_eq!(id.to_string().parse::<MessageId>(), Ok(id));
        assert!(id.to_string().to_uppercase().parse::<MessageId>().is_err());
        assert!(
            "67e55044-10b1-426f-9247-bb680e5fe0c8"
                .parse::<MessageId>()
                .is_err(),
            "v4 accepted"
        );
    }

    proptest! {
        #[test]
        fn fingerprints_round_trip_through_any_spelling(key in any::<[u8; 32]>()) {
            let fp = Fingerprint::of(&key);
            let text = fp.to_string();
            prop_assert_eq!(text.parse::<Fingerprint>(), Ok(fp.clone()));
            let spoken = text.trim_start_matches("SHA256:").replace(':', " ").to_uppercase();
            prop_assert_eq!(spoken.parse::<Fingerprint>(), Ok(fp));
        }
    }
}
