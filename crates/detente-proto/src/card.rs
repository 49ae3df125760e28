//! The party card (docs/protocol.md, "Party cards").
//!
//! A card publishes what a peer needs to talk to a party: its code and name,
//! tier contacts, endpoint, Ed25519 signing key, X25519 encryption key, and
//! the SHA-256 of its TLS certificate's SubjectPublicKeyInfo (the pin that
//! replaces a CA). It is signed by the party's signing key, so confirming the
//! key's [`Fingerprint`] out of band authenticates everything on the card.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ProtoError;
use crate::body::TierContact;
use crate::ids::{Fingerprint, KeyId, PartyCode};
use crate::seal::EncryptionKey;
use crate::signing::{Domain, PartySigningKey, PartyVerifyingKey, SignedParts, decode_fixed};
use crate::time::Timestamp;

/// What a card says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyCard {
    /// The party's code.
    pub party: PartyCode,
    /// The party's name, in any script.
    pub name: String,
    /// How to reach each tier out of band.
    pub tiers: Vec<TierContact>,
    /// The node's base URL, `https://host:port`.
    pub endpoint: String,
    /// Base64 Ed25519 public key that signs envelopes, receipts and this card.
    pub signing_key: String,
    /// Base64 X25519 public key that envelopes are sealed to.
    pub encryption_key: String,
    /// Base64 SHA-256 of the node's TLS certificate SubjectPublicKeyInfo.
    pub tls_spki_sha256: String,
    /// When the card was issued.
    pub issued_at: Timestamp,
    /// Until when the card may be used, if limited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<Timestamp>,
    /// Base64 SHA-256 of the exact bytes of the party's card this one
    /// succeeds (a renewal or a rotation, `card_chain.rs`); absent on a
    /// party's first card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    /// Base64 Ed25519 public key of the party's offline recovery key
    /// (made at `init`, its secret kept outside the node): the one key
    /// that can link a successor to this card once the card's signing key
    /// is compromised (a revocation, `card_chain.rs`). Absent on a card
    /// made without one; such a party re-establishes trust out of band.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_key: Option<String>,
}

impl PartyCard {
    /// Checks every member and returns the keys it publishes.
    pub fn keys(&self) -> Result<CardKeys, ProtoError> {
        if self.name.trim().is_empty() {
            return Err(ProtoError::field("card.name", "must not be empty"));
        }
        if !(self.endpoint.starts_with("https://") && self.endpoint.len() > "https://".len()) {
            return Err(ProtoError::field(
                "card.endpoint",
                format!("{:?} is not an https:// URL", self.endpoint),
            ));
        }
        if let Some(until) = self.valid_until.filter(|until| *until <= self.issued_at) {
            return Err(ProtoError::field(
                "card.valid_until",
                format!("{until} is not after issued_at {}", self.issued_at),
            ));
        }
        if let Some(previous) = &self.previous {
            decode_fixed::<32>("card.previous", previous)?;
        }
        let signing = PartyVerifyingKey::from_base64("card.signing_key", &self.signing_key)?;
        let recovery = self
            .recovery_key
            .as_deref()
            .map(|text| PartyVerifyingKey::from_base64("card.recovery_key", text))
            .transpose()?;
        if recovery.as_ref() == Some(&signing) {
            return Err(ProtoError::field(
                "card.recovery_key",
                "is the signing key; a recovery key must be a separate key kept off the node",
            ));
        }
        Ok(CardKeys {
            signing,
            encryption: EncryptionKey::from_base64("card.encryption_key", &self.encryption_key)?,
            tls_spki_sha256: decode_fixed::<32>("card.tls_spki_sha256", &self.tls_spki_sha256)?,
            recovery,
        })
    }

    /// Signs the card with the party's key, which must be the one it publishes.
    pub fn sign(self, key: &PartySigningKey) -> Result<SignedCard, ProtoError> {
        let keys = self.keys()?;
        if keys.signing != key.verifying_key() {
            return Err(ProtoError::field(
                "card.signing_key",
                "is not the public half of the key signing the card",
            ));
        }
        let value =
            serde_json::to_value(&self).unwrap_or_else(|e| unreachable!("cards serialise: {e}"));
        let bytes = key.sign_document(Domain::Card, &value);
        Ok(SignedCard {
            bytes,
            card: self,
            keys,
        })
    }
}

/// The decoded keys of a card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardKeys {
    /// Signing key.
    pub signing: PartyVerifyingKey,
    /// Encryption key.
    pub encryption: EncryptionKey,
    /// TLS SPKI pin.
    pub tls_spki_sha256: [u8; 32],
    /// The offline recovery key, if the card names one.
    pub recovery: Option<PartyVerifyingKey>,
}

/// A self-signed party card whose signature has been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCard {
    bytes: Vec<u8>,
    card: PartyCard,
    keys: CardKeys,
}

impl SignedCard {
    /// Reads a card file or response and checks its self-signature.
    pub fn parse(bytes: &[u8]) -> Result<Self, ProtoError> {
        let (parts, card): (_, PartyCard) = SignedParts::parse_as(Domain::Card, bytes, 64 * 1024)?;
        let keys = card.keys()?;
        parts.verify(&keys.signing, &card.party)?;
        Ok(Self {
            bytes: bytes.to_vec(),
            card,
            keys,
        })
    }

    /// The exact signed bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The card.
    pub fn card(&self) -> &PartyCard {
        &self.card
    }

    /// Its keys.
    pub fn keys(&self) -> &CardKeys {
        &self.keys
    }

    /// The fingerprint to confirm out of band.
    pub fn fingerprint(&self) -> Fingerprint {
        self.keys.signing.fingerprint()
    }

    /// The signing key's id.
    pub fn key_id(&self) -> KeyId {
        self.keys.signing.key_id()
    }

    /// The SHA-256 of the exact signed bytes: how a successor names it.
    pub fn sha256(&self) -> [u8; 32] {
        Sha256::digest(&self.bytes).into()
    }

    /// The SHA-256 of the card this one succeeds, if it names one.
    pub fn previous(&self) -> Option<[u8; 32]> {
        // Checked to be 32 bytes of base64 when the card was parsed.
        self.card
            .previous
            .as_deref()
            .and_then(|text| decode_fixed::<32>("card.previous", text).ok())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ids::Tier;
    use crate::seal::EncryptionSecret;
    use base64::Engine as _;

    /// US's card for `key` (also the keyring's tests' card).
    pub(crate) fn card(key: &PartySigningKey) -> PartyCard {
        let b64 = base64::engine::general_purpose::STANDARD;
        PartyCard {
            party: "US".parse().expect("US"),
            name: "United States".into(),
            tiers: vec![TierContact {
                tier: Tier::Technical,
                contact: "CISA watch floor".into(),
            }],
            endpoint: "https://127.0.0.1:7444".into(),
            signing_key: key.verifying_key().to_base64(),
            encryption_key: EncryptionSecret::generate(&mut rand::thread_rng())
                .public_key()
                .to_base64(),
            tls_spki_sha256: b64.encode([1u8; 32]),
            issued_at: "2026-11-28T10:00:00.000Z".parse().expect("ts"),
            valid_until: None,
            previous: None,
            recovery_key: None,
        }
    }

    #[test]
    fn signed_card_parses_and_names_its_fingerprint() {
        let key = PartySigningKey::generate(&mut rand::thread_rng());
        let signed = card(&key).sign(&key).expect("sign");
        let parsed = SignedCard::parse(signed.bytes()).expect("parse");
        assert_eq!(parsed.fingerprint(), key.verifying_key().fingerprint());
        assert_eq!(parsed.card().party.as_str(), "US");
    }

    #[test]
    fn card_signed_by_another_key_is_refused() {
        let key = PartySigningKey::generate(&mut rand::thread_rng());
        let other = PartySigningKey::generate(&mut rand::thread_rng());
        assert!(card(&key).sign(&other).is_err());
        // Forge: publish `key` but sign with `other`.
        let value = serde_json::to_value(card(&key)).expect("json");
        let forged = other.sign_document(Domain::Card, &value);
        assert!(matches!(
            SignedCard::parse(&forged),
            Err(ProtoError::Signature(_))
        ));
    }

    #[test]
    fn non_https_endpoint_is_refused() {
        let key = PartySigningKey::generate(&mut rand::thread_rng());
        let mut c = card(&key);
        c.endpoint = "http://127.0.0.1:1".into();
        let err = c.sign(&key).unwrap_err();
        assert!(err.to_string().starts_with("card.endpoint"), "{err}");
    }
}
