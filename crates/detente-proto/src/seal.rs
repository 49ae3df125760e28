//! Sealing a signed envelope to its recipient: HPKE (RFC 9180) base mode
//! (§5.1.1), suite DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 /
//! ChaCha20-Poly1305 (KEM 0x0020, KDF 0x0001, AEAD 0x0003), single-shot
//! (§6.1), `info = "detente/v1/seal"`.
//!
//! What a relay sees is [`SealedEnvelope`]: `{v, id, from, to, sent_at,
//! enc, ciphertext}`. The header is bound to the ciphertext as associated
//! data (`"detente/v1/sealed\n" ‖ id ‖ "\n" ‖ from ‖ "\n" ‖ to ‖ "\n" ‖
//! sent_at`), so a relay cannot re-address or re-date a sealed envelope
//! without opening failing.
//!
//! `sent_at` is set afresh at every delivery attempt (the envelope inside is
//! sealed anew each time, its bytes unchanged). The recipient applies the
//! agreed clock skew to `sent_at`, so a message retried after a long outage
//! is still accepted, while a stale transmission is not (docs/protocol.md).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem as _, OpModeR, OpModeS, Serializable};
use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::ids::{MessageId, PartyCode};
use crate::limits::Limits;
use crate::signing::decode_fixed;
use crate::time::Timestamp;
use crate::{ProtoError, SealError};

type Kem = X25519HkdfSha256;

/// The HPKE `info` string of RFC 9180 §5.1.
pub const SEAL_INFO: &[u8] = b"detente/v1/seal";

/// A party's X25519 private key for opening sealed envelopes.
pub struct EncryptionSecret(<Kem as hpke::Kem>::PrivateKey);

impl std::fmt::Debug for EncryptionSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EncryptionSecret(..)")
    }
}

impl EncryptionSecret {
    /// A fresh random key pair's secret half.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let (secret, _) = Kem::gen_keypair(rng);
        Self(secret)
    }

    /// From the 32 bytes stored in the key file.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, SealError> {
        <Kem as hpke::Kem>::PrivateKey::from_bytes(bytes)
            .map(Self)
            .map_err(|_| SealError::BadPublicKey("encryption secret"))
    }

    /// The 32 bytes, for the key file only.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.0.to_bytes().to_vec())
    }

    /// The public half, published in the party card.
    pub fn public_key(&self) -> EncryptionKey {
        EncryptionKey(Kem::sk_to_pk(&self.0))
    }
}

/// A party's X25519 public key, from its card.
#[derive(Clone)]
pub struct EncryptionKey(<Kem as hpke::Kem>::PublicKey);

impl std::fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EncryptionKey({})", self.to_base64())
    }
}

impl PartialEq for EncryptionKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bytes() == other.0.to_bytes()
    }
}
impl Eq for EncryptionKey {}

impl EncryptionKey {
    /// From base64 of 32 bytes; `field` names it in errors.
    pub fn from_base64(field: &'static str, text: &str) -> Result<Self, ProtoError> {
        let bytes = decode_fixed::<32>(field, text)?;
        <Kem as hpke::Kem>::PublicKey::from_bytes(&bytes)
            .map(Self)
            .map_err(|_| SealError::BadPublicKey(field).into())
    }

    /// Base64 of the 32 bytes.
    pub fn to_base64(&self) -> String {
        BASE64.encode(self.0.to_bytes())
    }
}

/// A sealed envelope, as a relay or the network sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedEnvelope {
    /// Format version: 1.
    pub v: u8,
    /// The message id (also inside the envelope, and checked to match).
    pub id: MessageId,
    /// The sending party.
    pub from: PartyCode,
    /// The receiving party.
    pub to: PartyCode,
    /// When this delivery attempt was sealed.
    pub sent_at: Timestamp,
    /// Base64 of the 32-byte HPKE encapsulated key.
    pub enc: String,
    /// Base64 of the ChaCha20-Poly1305 ciphertext of the signed envelope bytes.
    pub ciphertext: String,
}

fn associated_data(
    id: &MessageId,
    from: &PartyCode,
    to: &PartyCode,
    sent_at: &Timestamp,
) -> Vec<u8> {
    format!("detente/v1/sealed\n{id}\n{from}\n{to}\n{sent_at}").into_bytes()
}

impl SealedEnvelope {
    /// Seals `signed_envelope` (the exact signed bytes) to `recipient`.
    pub fn seal<R: RngCore + CryptoRng>(
        signed_envelope: &[u8],
        id: MessageId,
        from: PartyCode,
        to: PartyCode,
        sent_at: Timestamp,
        recipient: &EncryptionKey,
        rng: &mut R,
    ) -> Result<Self, SealError> {
        let aad = associated_data(&id, &from, &to, &sent_at);
        let (enc, ciphertext) = hpke::single_shot_seal::<ChaCha20Poly1305, HkdfSha256, Kem, _>(
            &OpModeS::Base,
            &recipient.0,
            SEAL_INFO,
            signed_envelope,
            &aad,
            rng,
        )
        .map_err(|e| SealError::SealFailed(e.to_string()))?;
        Ok(Self {
            v: 1,
            id,
            from,
            to,
            sent_at,
            enc: BASE64.encode(enc.to_bytes()),
            ciphertext: BASE64.encode(ciphertext),
        })
    }

    /// Parses the transport body, within `limits`.
    pub fn parse(bytes: &[u8], limits: &Limits) -> Result<Self, ProtoError> {
        let limit = limits.max_sealed_bytes();
        if bytes.len() > limit {
            return Err(ProtoError::TooLarge {
                what: "sealed envelope",
                size: bytes.len(),
                limit,
            });
        }
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let sealed: Self = serde_path_to_error::deserialize(&mut de).map_err(|error| {
            ProtoError::field(
                format!("sealed.{}", error.path()),
                error.inner().to_string(),
            )
        })?;
        de.end().map_err(|error| ProtoError::MalformedJson {
            what: "sealed envelope",
            detail: error.to_string(),
        })?;
        if sealed.v != 1 {
            return Err(ProtoError::field(
                "sealed.v",
                format!(
                    "version {} is not supported; this node speaks version 1",
                    sealed.v
                ),
            ));
        }
        Ok(sealed)
    }

    /// Opens with the recipient's secret, returning the signed envelope bytes.
    pub fn open(&self, secret: &EncryptionSecret) -> Result<Vec<u8>, ProtoError> {
        let enc_bytes = decode_fixed::<32>("sealed.enc", &self.enc)?;
        let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(&enc_bytes)
            .map_err(|_| SealError::BadEncapsulatedKey)?;
        let ciphertext = BASE64
            .decode(&self.ciphertext)
            .map_err(|_| ProtoError::field("sealed.ciphertext", "not base64"))?;
        let aad = associated_data(&self.id, &self.from, &self.to, &self.sent_at);
        hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, Kem>(
            &OpModeR::Base,
            &secret.0,
            &enc,
            SEAL_INFO,
            &ciphertext,
            &aad,
        )
        .map_err(|_| SealError::OpenFailed.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> (MessageId, PartyCode, PartyCode) {
        (
            MessageId::new_v7(at()),
            "RU".parse().expect("RU"),
            "US".parse().expect("US"),
        )
    }

    fn at() -> Timestamp {
        "2026-11-28T10:00:00.000Z".parse().expect("ts")
    }

    #[test]
    fn seal_then_open() {
        let mut rng = rand::thread_rng();
        let secret = EncryptionSecret::generate(&mut rng);
        let (id, from, to) = ids();
        let sealed = SealedEnvelope::seal(
            b"signed bytes",
            id,
            from,
            to,
            at(),
            &secret.public_key(),
            &mut rng,
        )
        .expect("seal");
        assert_eq!(sealed.open(&secret).expect("open"), b"signed bytes");
    }

    #[test]
    fn readdressing_breaks_the_seal() {
        let mut rng = rand::thread_rng();
        let secret = EncryptionSecret::generate(&mut rng);
        let (id, from, to) = ids();
        let mut sealed =
            SealedEnvelope::seal(b"x", id, from, to, at(), &secret.public_key(), &mut rng)
                .expect("seal");
        sealed.from = "UN".parse().expect("UN");
        assert_eq!(sealed.open(&secret), Err(SealError::OpenFailed.into()));
        sealed.from = "RU".parse().expect("RU");
        sealed.sent_at = at().plus(chrono::TimeDelta::seconds(1));
        assert_eq!(sealed.open(&secret), Err(SealError::OpenFailed.into()));
    }

    #[test]
    fn wrong_recipient_cannot_open() {
        let mut rng = rand::thread_rng();
        let secret = EncryptionSecret::generate(&mut rng);
        let other = EncryptionSecret::generate(&mut rng);
        let (id, from, to) = ids();
        let sealed = SealedEnvelope::seal(b"x", id, from, to, at(), &secret.public_key(), &mut rng)
            .expect("seal");
        assert_eq!(sealed.open(&other), Err(SealError::OpenFailed.into()));
    }

    #[test]
    fn secret_round_trips_through_its_bytes() {
        let secret = EncryptionSecret::generate(&mut rand::thread_rng());
        let bytes: [u8; 32] = secret.to_bytes().as_slice().try_into().expect("32 bytes");
        let again = EncryptionSecret::from_bytes(&bytes).expect("valid");
        assert_eq!(again.public_key(), secret.public_key());
    }
}
