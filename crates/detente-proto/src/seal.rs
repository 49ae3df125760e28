//! Sealing a signed envelope to its recipient: HPKE (RFC 9180) base mode
//! (§5.1.1), suite DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 /
//! ChaCha20-Poly1305 (KEM 0x0020, KDF 0x0001, AEAD 0x0003), single-shot
//! (§6.1), `info = "detente/v1/seal"`. Pinned to the RFC's Appendix A.2.1
//! vector in the tests below.
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
        let (enc, ciphertext) = seal_base(recipient, SEAL_INFO, &aad, signed_envelope, rng)?;
        Ok(Self {
            v: 1,
            id,
            from,
            to,
            sent_at,
            enc: BASE64.encode(enc),
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
                crate::error::field_path("sealed", error.path()),
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
        let enc = decode_fixed::<32>("sealed.enc", &self.enc)?;
        let ciphertext = BASE64
            .decode(&self.ciphertext)
            .map_err(|_| ProtoError::field("sealed.ciphertext", "not base64"))?;
        let aad = associated_data(&self.id, &self.from, &self.to, &self.sent_at);
        Ok(open_base(secret, &enc, SEAL_INFO, &aad, &ciphertext)?)
    }
}

/// RFC 9180 §6.1 single-shot `Seal` in base mode with our suite: returns
/// the encapsulated key and the ciphertext.
fn seal_base<R: RngCore + CryptoRng>(
    recipient: &EncryptionKey,
    info: &[u8],
    aad: &[u8],
    plaintext: &[u8],
    rng: &mut R,
) -> Result<([u8; 32], Vec<u8>), SealError> {
    let (enc, ciphertext) = hpke::single_shot_seal::<ChaCha20Poly1305, HkdfSha256, Kem, _>(
        &OpModeS::Base,
        &recipient.0,
        info,
        plaintext,
        aad,
        rng,
    )
    .map_err(|e| SealError::SealFailed(e.to_string()))?;
    let enc: [u8; 32] = enc
        .to_bytes()
        .as_slice()
        .try_into()
        .map_err(|_| SealError::SealFailed("encapsulated key is not 32 bytes".into()))?;
    Ok((enc, ciphertext))
}

/// RFC 9180 §6.1 single-shot `Open` in base mode with our suite.
fn open_base(
    secret: &EncryptionSecret,
    enc: &[u8; 32],
    info: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
) -> Result<Vec<u8>, SealError> {
    let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(enc)
        .map_err(|_| SealError::BadEncapsulatedKey)?;
    hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, Kem>(
        &OpModeR::Base,
        &secret.0,
        &enc,
        info,
        ciphertext,
        aad,
    )
    .map_err(|_| SealError::OpenFailed)
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

    /// RFC 9180 Appendix A.2.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
    /// ChaCha20Poly1305, base mode, encryption sequence number 0.
    mod rfc9180_a_2_1 {
        use super::super::*;

        const INFO: &str = "4f6465206f6e2061204772656369616e2055726e";
        const IKM_E: &str = "909a9b35d3dc4713a5e72a4da274b55d3d3821a37e5d099e74a647db583a904b";
        const PK_RM: &str = "4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a";
        const SK_RM: &str = "8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb";
        const ENC: &str = "1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a";
        const PT: &str = "4265617574792069732074727574682c20747275746820626561757479";
        const AAD: &str = "436f756e742d30";
        const CT: &str = "1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28";

        fn bytes(text: &str) -> Vec<u8> {
            hex::decode(text).expect("hex")
        }

        /// Yields the vector's ikmE: RFC 9180 §7.1.3 GenerateKeyPair draws it and DeriveKeyPair follows.
        struct VectorEphemeral(Vec<u8>);

        impl RngCore for VectorEphemeral {
            fn next_u32(&mut self) -> u32 {
                unreachable!("only fill_bytes is used")
            }
            fn next_u64(&mut self) -> u64 {
                unreachable!("only fill_bytes is used")
            }
            fn fill_bytes(&mut self, dest: &mut [u8]) {
                let n = dest.len();
                dest.copy_from_slice(&self.0[..n]);
                self.0.drain(..n);
            }
            fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
                self.fill_bytes(dest);
                Ok(())
            }
        }
        impl CryptoRng for VectorEphemeral {}

        #[test]
        fn seal_reproduces_the_vector() {
            let recipient =
                EncryptionKey::from_base64("pkRm", &BASE64.encode(bytes(PK_RM))).expect("pkRm");
            let (enc, ciphertext) = seal_base(
                &recipient,
                &bytes(INFO),
                &bytes(AAD),
                &bytes(PT),
                &mut VectorEphemeral(bytes(IKM_E)),
            )
            .expect("seal");
            assert_eq!(hex::encode(enc), ENC);
            assert_eq!(hex::encode(ciphertext), CT);
        }

        #[test]
        fn open_reproduces_the_vector() {
            let secret =
                EncryptionSecret::from_bytes(&bytes(SK_RM).try_into().expect("32")).expect("skRm");
            assert_eq!(hex::encode(secret.public_key().0.to_bytes()), PK_RM);
            let enc: [u8; 32] = bytes(ENC).try_into().expect("32");
            let plaintext =
                open_base(&secret, &enc, &bytes(INFO), &bytes(AAD), &bytes(CT)).expect("open");
            assert_eq!(plaintext, bytes(PT));
            let mut tampered = bytes(CT);
            tampered[0] ^= 1;
            assert_eq!(
                open_base(&secret, &enc, &bytes(INFO), &bytes(AAD), &tampered),
                Err(SealError::OpenFailed)
            );
        }
    }

    #[test]
    fn secret_round_trips_through_its_bytes() {
        let secret = EncryptionSecret::generate(&mut rand::thread_rng());
        let bytes: [u8; 32] = secret.to_bytes().as_slice().try_into().expect("32 bytes");
        let again = EncryptionSecret::from_bytes(&bytes).expect("valid");
        assert_eq!(again.public_key(), secret.public_key());
    }
}
