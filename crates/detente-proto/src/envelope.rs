//! The envelope (docs/protocol.md, "The envelope").
//!
//! An [`Envelope`] is serialised with RFC 8785 and signed by the sending
//! party's key over `"detente/v1/envelope\n" ‖ jcs_bytes`. The resulting
//! [`SignedEnvelope`] — `{"envelope", "key_id", "signature"}`, canonical —
//! is what is stored, logged, delivered and exported. Its SHA-256 is the
//! envelope hash that receipts and logs name.
//!
//! Receiving is two steps, so that nothing is trusted before it is checked:
//! [`UnverifiedEnvelope::parse`] bounds and decodes the bytes, and
//! [`UnverifiedEnvelope::verify`] checks the signature with the key of the
//! party the envelope claims to come from.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::ProtoError;
use crate::body::Body;
use crate::ids::{DocumentId, KeyId, MessageId, OfficerName, PartyCode, Tier};
use crate::kind::{MessageKind, Precedence, Tlp};
use crate::limits::Limits;
use crate::signing::{Domain, PartySigningKey, PartyVerifyingKey, SignedParts, decode_fixed};
use crate::time::Timestamp;

/// Who sent a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sender {
    /// The sending party.
    pub party: PartyCode,
    /// The tier it speaks for.
    pub tier: Tier,
    /// The officer who composed it.
    pub officer: OfficerName,
}

/// To whom a message goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// The receiving party.
    pub party: PartyCode,
    /// The tier addressed.
    pub tier: Tier,
}

/// Names an agreement version: `<id>@<version>`, e.g. `ru-us-ict-incidents@1`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AgreementRef {
    /// The agreement's id.
    pub id: DocumentId,
    /// Its version, from 1.
    pub version: u32,
}

impl FromStr for AgreementRef {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            format!(
                "{s:?} is not an agreement reference; write <id>@<version>, e.g. ru-us-ict-incidents@1"
            )
        };
        let (id, version) = s.split_once('@').ok_or_else(bad)?;
        let id: DocumentId = id.parse().map_err(|_| bad())?;
        let version: u32 = version.parse().map_err(|_| bad())?;
        if version == 0 || version.to_string().len() != s.len() - id.as_str().len() - 1 {
            return Err(bad());
        }
        Ok(Self { id, version })
    }
}

impl fmt::Display for AgreementRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.id, self.version)
    }
}

impl Serialize for AgreementRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for AgreementRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// A message, before signing or after verification.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// UUIDv7.
    pub id: MessageId,
    /// Sender.
    pub from: Sender,
    /// Recipient.
    pub to: Recipient,
    /// Urgency.
    pub precedence: Precedence,
    /// The message this answers.
    pub in_reply_to: Option<MessageId>,
    /// The agreement in force, when there is one.
    pub agreement: Option<AgreementRef>,
    /// When it was composed.
    pub created_at: Timestamp,
    /// Exercise traffic is never counted or shown as real.
    pub exercise: bool,
    /// TLP 2.0 marking.
    pub tlp: Tlp,
    /// 32 random bytes, so that the envelope hash hides the content.
    pub nonce: [u8; 32],
    /// The typed body; its kind is the envelope's kind.
    pub body: Body,
}

/// The JSON form of an envelope, member for member.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvelopeWire {
    id: MessageId,
    from: Sender,
    to: Recipient,
    kind: String,
    precedence: Precedence,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    in_reply_to: Option<MessageId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    agreement: Option<AgreementRef>,
    created_at: Timestamp,
    exercise: bool,
    tlp: Tlp,
    nonce: String,
    body: Value,
}

impl Envelope {
    /// The kind, taken from the body.
    pub fn kind(&self) -> MessageKind {
        self.body.kind()
    }

    /// A fresh random nonce.
    pub fn random_nonce<R: RngCore + CryptoRng>(rng: &mut R) -> [u8; 32] {
        let mut nonce = [0u8; 32];
        rng.fill_bytes(&mut nonce);
        nonce
    }

    /// The envelope as JSON.
    pub fn to_value(&self) -> Value {
        let wire = EnvelopeWire {
            id: self.id,
            from: self.from.clone(),
            to: self.to.clone(),
            kind: self.kind().as_str().to_owned(),
            precedence: self.precedence,
            in_reply_to: self.in_reply_to,
            agreement: self.agreement.clone(),
            created_at: self.created_at,
            exercise: self.exercise,
            tlp: self.tlp,
            nonce: BASE64.encode(self.nonce),
            body: self.body.to_value(),
        };
        serde_json::to_value(wire).unwrap_or_else(|e| unreachable!("envelopes serialise: {e}"))
    }

    /// Decodes and validates an envelope from JSON.
    pub fn from_value(value: Value) -> Result<Self, ProtoError> {
        let wire: EnvelopeWire = serde_path_to_error::deserialize(value).map_err(|error| {
            let inner = error.inner().to_string();
            ProtoError::field(crate::error::field_path("envelope", error.path()), inner)
        })?;
        let kind: MessageKind = wire
            .kind
            .parse()
            .map_err(|_| ProtoError::UnknownKind(wire.kind.clone()))?;
        let body = Body::from_value(kind, wire.body)?;
        let nonce = decode_fixed::<32>("envelope.nonce", &wire.nonce)?;
        let envelope = Self {
            id: wire.id,
            from: wire.from,
            to: wire.to,
            precedence: wire.precedence,
            in_reply_to: wire.in_reply_to,
            agreement: wire.agreement,
            created_at: wire.created_at,
            exercise: wire.exercise,
            tlp: wire.tlp,
            nonce,
            body,
        };
        envelope.check_rules()?;
        Ok(envelope)
    }

    /// Rules that hold for every envelope, whatever the agreement.
    fn check_rules(&self) -> Result<(), ProtoError> {
        if self.from.party == self.to.party {
            return Err(ProtoError::field(
                "envelope.to.party",
                format!("{} cannot send a message to itself", self.from.party),
            ));
        }
        if self.kind().requires_in_reply_to() && self.in_reply_to.is_none() {
            return Err(ProtoError::field(
                "envelope.in_reply_to",
                format!(
                    "a message of kind {} must name the message it answers",
                    self.kind()
                ),
            ));
        }
        if self.in_reply_to == Some(self.id) {
            return Err(ProtoError::field(
                "envelope.in_reply_to",
                "a message cannot answer itself",
            ));
        }
        // The message's marking covers what it carries: never less
        // restrictive than the most restrictive STIX marking inside
        // (TLP 2.0; unmarked objects take the message's own marking).
        if let Some(bundle) = self.body.stix_bundle() {
            let own = crate::stix::Tlp2::from(self.tlp);
            if let Some(inside) = crate::stix::bundle_tlp(&bundle, Some(own))
                && inside > own
            {
                return Err(ProtoError::field(
                    "envelope.tlp",
                    format!(
                        "is {}, but the STIX bundle holds objects marked {}; mark the message at least {} (TLP 2.0: a message never lowers the marking of what it carries)",
                        self.tlp,
                        inside.name(),
                        crate::kind::Tlp::from(inside)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Signs the envelope with the sending party's key.
    pub fn sign(self, key: &PartySigningKey) -> SignedEnvelope {
        let bytes = key.sign_document(Domain::Envelope, &self.to_value());
        SignedEnvelope::assemble(bytes, self, key.key_id())
    }
}

/// A signed envelope whose signature has been made or verified by us.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedEnvelope {
    bytes: Vec<u8>,
    hash: [u8; 32],
    envelope: Envelope,
    key_id: KeyId,
}

impl SignedEnvelope {
    fn assemble(bytes: Vec<u8>, envelope: Envelope, key_id: KeyId) -> Self {
        let hash = Sha256::digest(&bytes).into();
        Self {
            bytes,
            hash,
            envelope,
            key_id,
        }
    }

    /// The exact bytes that are stored, logged, delivered and exported.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// SHA-256 of [`Self::bytes`].
    pub fn hash(&self) -> [u8; 32] {
        self.hash
    }

    /// The envelope.
    pub fn envelope(&self) -> &Envelope {
        &self.envelope
    }

    /// The signing key's id.
    pub fn key_id(&self) -> &KeyId {
        &self.key_id
    }

    /// Re-reads bytes that this node stored itself after verifying them
    /// once. Still parses and verifies fully (stored data is not trusted
    /// blindly), but without the bounds for outside input: those were
    /// applied when the envelope was accepted, under the limits of the day.
    pub fn from_trusted_bytes(bytes: &[u8], key: &PartyVerifyingKey) -> Result<Self, ProtoError> {
        let unverified = UnverifiedEnvelope::parse(bytes, &Limits::unbounded())?;
        unverified.verify(key)
    }
}

/// A signed envelope as received, decoded but not yet verified.
#[derive(Debug, Clone)]
pub struct UnverifiedEnvelope {
    parts: SignedParts,
    envelope: Envelope,
}

impl UnverifiedEnvelope {
    /// Checks size, canonical form, bounds and structure. Every error names
    /// the field at fault.
    pub fn parse(bytes: &[u8], limits: &Limits) -> Result<Self, ProtoError> {
        let parts = SignedParts::parse(Domain::Envelope, bytes, limits)?;
        let envelope = Envelope::from_value(parts.document.clone())?;
        Ok(Self { parts, envelope })
    }

    /// What the envelope claims (not yet proven).
    pub fn claimed(&self) -> &Envelope {
        &self.envelope
    }

    /// SHA-256 of the exact received bytes.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(&self.parts.bytes).into()
    }

    /// Verifies the signature with the key of the party named in
    /// `envelope.from.party`.
    pub fn verify(self, sender_key: &PartyVerifyingKey) -> Result<SignedEnvelope, ProtoError> {
        self.parts.verify(sender_key, &self.envelope.from.party)?;
        Ok(SignedEnvelope::assemble(
            self.parts.bytes,
            self.envelope,
            self.parts.key_id,
        ))
    }
}

/// Base64 of a 32-byte hash, as it appears in receipts and exports.
pub fn hash_to_base64(hash: &[u8; 32]) -> String {
    BASE64.encode(hash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::{Acknowledgement, Check, Notification};

    pub(crate) fn sample(at: &str) -> Envelope {
        let created_at: Timestamp = at.parse().expect("ts");
        Envelope {
            id: MessageId::new_v7(created_at),
            from: Sender {
                party: "RU".parse().expect("RU"),
                tier: Tier::Technical,
                officer: "Ivanova".parse().expect("name"),
            },
            to: Recipient {
                party: "US".parse().expect("US"),
                tier: Tier::Technical,
            },
            precedence: Precedence::Flash,
            in_reply_to: None,
            agreement: Some("ru-us-ict-incidents@1".parse().expect("ref")),
            created_at,
            exercise: false,
            tlp: Tlp::Amber,
            nonce: [7u8; 32],
            body: Body::Notification(Notification {
                subject: "Scanning of power-grid SCADA".into(),
                summary: "From AS64500 since 09:00 UTC".into(),
                detected_at: None,
                stix: None,
                alleged_breach: None,
            }),
        }
    }

    #[test]
    fn sign_parse_verify_round_trip() {
        let key = PartySigningKey::generate(&mut rand::thread_rng());
        let signed = sample("2026-11-28T10:00:00.000Z").sign(&key);
        let unverified =
            UnverifiedEnvelope::parse(signed.bytes(), &Limits::default()).expect("parse");
        assert_eq!(unverified.hash(), signed.hash());
        let verified = unverified.verify(&key.verifying_key()).expect("verify");
        assert_eq!(verified, signed);
    }

    #[test]
    fn envelope_json_has_the_design_members() {
        let value = sample("2026-11-28T10:00:00.000Z").to_value();
        let mut members: Vec<&str> = value
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        members.sort_unstable();
        assert_eq!(
            members,
            [
                "agreement",
                "body",
                "created_at",
                "exercise",
                "from",
                "id",
                "kind",
                "nonce",
                "precedence",
                "tlp",
                "to"
            ]
        );
        assert_eq!(value["kind"], "notification");
        assert_eq!(value["from"]["officer"], "Ivanova");
    }

    #[test]
    fn a_flipped_byte_fails_verification() {
        let key = PartySigningKey::generate(&mut rand::thread_rng());
        let signed = sample("2026-11-28T10:00:00.000Z").sign(&key);
        let tampered = String::from_utf8(signed.bytes().to_vec())
            .expect("utf8")
            .replace("AS64500", "AS64501");
        let unverified =
            UnverifiedEnvelope::parse(tampered.as_bytes(), &Limits::default()).expect("parse");
        let err = unverified.verify(&key.verifying_key()).unwrap_err();
        assert!(matches!(err, ProtoError::Signature(_)), "{err}");
    }

    #[test]
    fn unknown_kind_is_refused() {
        let key = PartySigningKey::generate(&mut rand::thread_rng());
        let mut value = sample("2026-11-28T10:00:00.000Z").to_value();
        value["kind"] = "gossip".into();
        let bytes = key.sign_document(Domain::Envelope, &value);
        let err = UnverifiedEnvelope::parse(&bytes, &Limits::default()).unwrap_err();
        assert_eq!(err, ProtoError::UnknownKind("gossip".into()));
    }

    #[test]
    fn replies_must_name_what_they_answer() {
        let mut envelope = sample("2026-11-28T10:00:00.000Z");
        envelope.body = Body::Acknowledgement(Acknowledgement::default());
        let err = Envelope::from_value(envelope.to_value()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "envelope.in_reply_to: a message of kind acknowledgement must name the message it answers"
        );
        envelope.body = Body::Ping(Check::default());
        Envelope::from_value(envelope.to_value()).expect("a ping needs no in_reply_to");
    }

    #[test]
    fn a_message_never_lowers_the_marking_of_the_stix_it_carries() {
        let indicator = |marking: &str| {
            serde_json::json!({"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
                "objects": [{"type": "indicator", "spec_version": "2.1",
                    "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
                    "created": "2026-11-28T09:30:00.000Z", "modified": "2026-11-28T09:30:00.000Z",
                    "pattern_type": "stix", "pattern": "[ipv4-addr:value = '203.0.113.5']",
                    "valid_from": "2026-11-28T09:00:00Z",
                    "object_marking_refs": [marking]}]})
        };
        let red = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
        let green = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
        let mut envelope = sample("2026-11-28T10:00:00.000Z");
        envelope.tlp = Tlp::Amber;
        let Body::Notification(notification) = &mut envelope.body else {
            panic!("the sample is a notification");
        };
        notification.stix = Some(indicator(red));
        let err = Envelope::from_value(envelope.to_value()).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "envelope.tlp: is AMBER, but the STIX bundle holds objects marked TLP:RED"
            ),
            "{err}"
        );
        envelope.tlp = Tlp::Red;
        Envelope::from_value(envelope.to_value()).expect("RED carries RED");
        // A more restrictive message than its content is fine.
        let Body::Notification(notification) = &mut envelope.body else {
            panic!("the sample is a notification");
        };
        notification.stix = Some(indicator(green));
        Envelope::from_value(envelope.to_value()).expect("RED carries GREEN");
    }

    #[test]
    fn wrong_field_type_is_named() {
        let mut value = sample("2026-11-28T10:00:00.000Z").to_value();
        value["created_at"] = "2026-11-28T10:00:00Z".into();
        let err = Envelope::from_value(value).unwrap_err();
        assert!(err.to_string().starts_with("envelope.created_at:"), "{err}");
    }

    #[test]
    fn agreement_refs() {
        let r: AgreementRef = "ru-us-ict-incidents@12".parse().expect("valid");
        assert_eq!((r.id.as_str(), r.version), ("ru-us-ict-incidents", 12));
        for bad in ["x", "x@0", "X@1", "x@01", "@1", "x@-1"] {
            assert!(bad.parse::<AgreementRef>().is_err(), "{bad} accepted");
        }
    }
}
