//! Ed25519 checkpoint cosignatures — C2SP `tlog-cosignature`, the
//! `cosignature/v1` type.
//!
//! * §Format: a cosignature is a note signature line on a checkpoint. Its key
//!   ID is `SHA-256(<name> ‖ "\n" ‖ 0x04 ‖ 32-byte Ed25519 public key)[:4]`;
//!   vkeys use signature type `0x04`. The signature is a
//!   `timestamped_signature`: a big-endian `u64` POSIX timestamp (at most
//!   2^63 − 1) followed by the 64-byte Ed25519 signature — so the base64 on
//!   the line carries key ID (4) ‖ timestamp (8) ‖ signature (64) = 76 bytes.
//! * §Ed25519 signed message: `cosignature/v1\n`, then `time <t>\n` with the
//!   timestamp in decimal without leading zeroes, then the whole checkpoint
//!   note body (extension lines included, signature lines excluded).
//!
//! Verifiers MAY reject timestamps in the future: [`CosignatureVerifier::verify`]
//! returns the timestamp so the caller can apply its own clock and policy.
//! The ML-DSA-44 (`0x06`) subtree type is not implemented.

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};

use crate::checkpoint::Checkpoint;
use crate::note::{
    NoteError, NoteSignature, NoteVerifier, SIGNATURE_TYPE_COSIGNATURE_V1, SignerKey, VerifierKey,
};

/// The domain-separation header line, without its newline.
pub const HEADER: &str = "cosignature/v1";

/// Length of a `timestamped_signature` for Ed25519: 8 + 64 bytes.
pub const TIMESTAMPED_SIGNATURE_LEN: usize = 72;

/// Largest timestamp a cosignature may carry (2^63 − 1).
pub const MAX_TIMESTAMP: u64 = i64::MAX as u64;

/// Why a cosignature could not be made or did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CosignatureError {
    /// A key problem (name, type, key ID, key material).
    #[error("cosigner key: {0}")]
    Key(#[from] NoteError),
    /// The timestamp is above 2^63 − 1.
    #[error("cosignature timestamp {0} exceeds 2^63 - 1")]
    TimestampOutOfRange(u64),
    /// The signature bytes after the key ID are not 72 bytes long.
    #[error("cosignature is {0} bytes after the key ID; timestamp and Ed25519 signature are 72")]
    WrongLength(usize),
    /// The signature line is not from this cosigner (name or key ID differ).
    #[error("signature line by {name} ({key_id:08x}) is not from this cosigner")]
    NotThisCosigner {
        /// Name on the line.
        name: String,
        /// Key ID on the line.
        key_id: u32,
    },
    /// The Ed25519 signature does not verify over the cosigned message.
    #[error("cosignature by {name} does not verify over the checkpoint at time {timestamp}")]
    BadSignature {
        /// Cosigner name.
        name: String,
        /// Timestamp the signature claims.
        timestamp: u64,
    },
}

/// The signed message: `cosignature/v1\ntime <t>\n` followed by the
/// checkpoint note text.
pub fn signed_message(checkpoint_text: &str, timestamp: u64) -> Vec<u8> {
    format!("{HEADER}\ntime {timestamp}\n{checkpoint_text}").into_bytes()
}

/// A decoded `timestamped_signature`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimestampedSignature {
    /// POSIX seconds at which the cosignature was made.
    pub timestamp: u64,
    /// The Ed25519 signature over [`signed_message`].
    pub signature: [u8; 64],
}

impl TimestampedSignature {
    /// Decodes the 72 bytes that follow the key ID on the signature line.
    pub fn decode(bytes: &[u8]) -> Result<Self, CosignatureError> {
        let bytes: &[u8; TIMESTAMPED_SIGNATURE_LEN] = bytes
            .try_into()
            .map_err(|_| CosignatureError::WrongLength(bytes.len()))?;
        let (ts, sig) = bytes.split_at(8);
        let mut timestamp = [0u8; 8];
        timestamp.copy_from_slice(ts);
        let timestamp = u64::from_be_bytes(timestamp);
        if timestamp > MAX_TIMESTAMP {
            return Err(CosignatureError::TimestampOutOfRange(timestamp));
        }
        let mut signature = [0u8; 64];
        signature.copy_from_slice(sig);
        Ok(Self {
            timestamp,
            signature,
        })
    }

    /// Encodes timestamp (big endian) ‖ signature.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(TIMESTAMPED_SIGNATURE_LEN);
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out.extend_from_slice(&self.signature);
        out
    }
}

/// A witness's cosigning key.
#[derive(Clone)]
pub struct Cosigner {
    name: String,
    key_id: u32,
    key: SigningKey,
}

impl std::fmt::Debug for Cosigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cosigner")
            .field("name", &self.name)
            .field("key_id", &format_args!("{:08x}", self.key_id))
            .finish_non_exhaustive()
    }
}

impl Cosigner {
    /// A cosigner named `name` from a 32-byte Ed25519 seed (from a CSPRNG).
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, CosignatureError> {
        Self::from_signer_key(&SignerKey::from_seed(
            name,
            SIGNATURE_TYPE_COSIGNATURE_V1,
            seed,
        )?)
    }

    /// A cosigner from a signer key of type `0x04`.
    pub fn from_signer_key(key: &SignerKey) -> Result<Self, CosignatureError> {
        if key.signature_type() != SIGNATURE_TYPE_COSIGNATURE_V1 {
            return Err(NoteError::WrongSignatureType {
                name: key.name().to_owned(),
                found: key.signature_type(),
                expected: "0x04 (cosignature/v1)",
            }
            .into());
        }
        Ok(Self {
            name: key.name().to_owned(),
            key_id: key.key_id(),
            key: key.signing_key(),
        })
    }

    /// The cosigner name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The matching verifier.
    pub fn verifier(&self) -> CosignatureVerifier {
        CosignatureVerifier {
            name: self.name.clone(),
            key_id: self.key_id,
            key: self.key.verifying_key(),
        }
    }

    /// Cosigns a checkpoint at `timestamp` (POSIX seconds, ≤ 2^63 − 1).
    pub fn cosign(
        &self,
        checkpoint: &Checkpoint,
        timestamp: u64,
    ) -> Result<NoteSignature, CosignatureError> {
        self.cosign_text(&checkpoint.to_text(), timestamp)
    }

    /// Cosigns a checkpoint note text already encoded.
    pub(crate) fn cosign_text(
        &self,
        text: &str,
        timestamp: u64,
    ) -> Result<NoteSignature, CosignatureError> {
        if timestamp > MAX_TIMESTAMP {
            return Err(CosignatureError::TimestampOutOfRange(timestamp));
        }
        let signature = self.key.sign(&signed_message(text, timestamp)).to_bytes();
        let value = TimestampedSignature {
            timestamp,
            signature,
        };
        Ok(NoteSignature::from_parts(
            &self.name,
            self.key_id,
            value.encode(),
        ))
    }
}

/// Verifies `cosignature/v1` cosignatures of one cosigner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CosignatureVerifier {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl CosignatureVerifier {
    /// A verifier for cosigner `name` with an Ed25519 public key.
    pub fn new(name: &str, key: VerifyingKey) -> Result<Self, CosignatureError> {
        let vkey = VerifierKey::new(name, SIGNATURE_TYPE_COSIGNATURE_V1, key.as_bytes())?;
        Ok(Self {
            name: name.to_owned(),
            key_id: vkey.key_id(),
            key,
        })
    }

    /// A verifier from a vkey of type `0x04`.
    pub fn from_vkey(vkey: &VerifierKey) -> Result<Self, CosignatureError> {
        Ok(Self::from_vkey_checked(vkey)?)
    }

    /// [`CosignatureVerifier::from_vkey`], with the key error itself.
    pub(crate) fn from_vkey_checked(vkey: &VerifierKey) -> Result<Self, NoteError> {
        let key = vkey.ed25519_key(SIGNATURE_TYPE_COSIGNATURE_V1, "0x04 (cosignature/v1)")?;
        Ok(Self {
            name: vkey.name().to_owned(),
            key_id: vkey.key_id(),
            key,
        })
    }

    /// The cosigner name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The vkey of this verifier.
    pub fn to_vkey(&self) -> VerifierKey {
        VerifierKey::from_checked_parts(
            &self.name,
            self.key_id,
            SIGNATURE_TYPE_COSIGNATURE_V1,
            self.key.as_bytes(),
        )
    }

    /// The Ed25519 public key.
    pub fn public_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// Verifies a cosignature line over a checkpoint note text and returns
    /// its timestamp.
    pub fn verify(
        &self,
        checkpoint_text: &str,
        line: &NoteSignature,
    ) -> Result<u64, CosignatureError> {
        if line.name() != self.name || line.key_id() != self.key_id {
            return Err(CosignatureError::NotThisCosigner {
                name: line.name().to_owned(),
                key_id: line.key_id(),
            });
        }
        let value = TimestampedSignature::decode(line.signature())?;
        let message = signed_message(checkpoint_text, value.timestamp);
        let signature = Signature::from_bytes(&value.signature);
        self.key.verify_strict(&message, &signature).map_err(|_| {
            CosignatureError::BadSignature {
                name: self.name.clone(),
                timestamp: value.timestamp,
            }
        })?;
        Ok(value.timestamp)
    }
}

impl NoteVerifier for CosignatureVerifier {
    fn name(&self) -> &str {
        &self.name
    }

    fn key_id(&self) -> u32 {
        self.key_id
    }

    fn verify(&self, text: &str, signature: &[u8]) -> bool {
        let line = NoteSignature::from_parts(&self.name, self.key_id, signature.to_vec());
        CosignatureVerifier::verify(self, text, &line).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::SignedCheckpoint;
    use crate::note::{Ed25519Signer, Note};

    fn checkpoint() -> Checkpoint {
        Checkpoint::new("example.com/behind-the-sofa", 20_852_163, [3; 32]).unwrap()
    }

    #[test]
    fn signed_message_matches_the_spec_layout() {
        let text =
            "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        assert_eq!(
            String::from_utf8(signed_message(text, 1_679_315_147)).unwrap(),
            "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        );
    }

    #[test]
    fn spec_example_line_has_the_documented_layout() {
        // tlog-cosignature §Format example, signed at the time of its
        // signed-message example: key ID (4) ‖ timestamp (8) ‖ signature (64).
        let line = NoteSignature::parse_line(
            "\u{2014} witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==",
        )
        .unwrap();
        assert_eq!(line.key_id(), 0x8d66_cf3f);
        let value = TimestampedSignature::decode(line.signature()).unwrap();
        assert_eq!(value.timestamp, 1_679_315_147);
        assert_eq!(value.encode(), line.signature());
    }

    #[test]
    fn cosign_and_verify_and_the_line_is_76_bytes() {
        let w = Cosigner::from_seed("witness.example/w1", &[4; 32]).unwrap();
        let c = checkpoint();
        let line = w.cosign(&c, 1_679_315_147).unwrap();
        assert_eq!(line.signature().len(), 72);
        let encoded = line.to_string();
        let b64 = encoded.rsplit(' ').next().unwrap();
        assert_eq!(crate::text::decode_base64(b64).unwrap().len(), 76);
        let v = w.verifier();
        assert_eq!(v.verify(&c.to_text(), &line).unwrap(), 1_679_315_147);

        // The key ID uses type 0x04, so it differs from an Ed25519 note key.
        let vkey = v.to_vkey();
        assert_eq!(vkey.signature_type(), 0x04);
        assert_eq!(
            CosignatureVerifier::from_vkey(&VerifierKey::parse(&vkey.to_string()).unwrap())
                .unwrap(),
            v
        );
        let note_key = Ed25519Signer::from_seed("witness.example/w1", &[4; 32]).unwrap();
        assert_ne!(note_key.key_id(), w.key_id());
    }

    #[test]
    fn cosignatures_ride_along_on_a_signed_checkpoint() {
        let log = Ed25519Signer::from_seed("example.com/behind-the-sofa", &[1; 32]).unwrap();
        let w = Cosigner::from_seed("witness.example/w1", &[4; 32]).unwrap();
        let mut signed = SignedCheckpoint::sign(checkpoint(), &log).unwrap();
        signed.push_signature(w.cosign(signed.checkpoint(), 5).unwrap());
        let note = Note::parse(&signed.to_bytes()).unwrap();
        let (lv, wv) = (log.verifier(), w.verifier());
        assert_eq!(
            note.verify(&[&lv]).unwrap().len(),
            1,
            "log verifier ignores the cosignature"
        );
        assert_eq!(
            note.verify(&[&wv]).unwrap().len(),
            1,
            "witness verifier ignores the log signature"
        );
        assert_eq!(note.verify(&[&lv, &wv]).unwrap().len(), 2);
    }

    #[test]
    fn tampering_is_detected() {
        let w = Cosigner::from_seed("w", &[4; 32]).unwrap();
        let v = w.verifier();
        let c = checkpoint();
        let line = w.cosign(&c, 100).unwrap();

        let other = Checkpoint::new("example.com/behind-the-sofa", 20_852_164, [3; 32]).unwrap();
        assert!(matches!(
            v.verify(&other.to_text(), &line),
            Err(CosignatureError::BadSignature { .. })
        ));

        let mut bytes = line.signature().to_vec();
        bytes[7] ^= 1; // the timestamp is signed too
        let changed_time = NoteSignature::from_parts("w", w.key_id(), bytes);
        assert!(v.verify(&c.to_text(), &changed_time).is_err());

        let short = NoteSignature::from_parts("w", w.key_id(), line.signature()[..71].to_vec());
        assert_eq!(
            v.verify(&c.to_text(), &short),
            Err(CosignatureError::WrongLength(71))
        );

        let mut huge = line.signature().to_vec();
        huge[0] = 0x80;
        let huge = NoteSignature::from_parts("w", w.key_id(), huge);
        assert!(matches!(
            v.verify(&c.to_text(), &huge),
            Err(CosignatureError::TimestampOutOfRange(_))
        ));

        assert!(w.cosign(&c, MAX_TIMESTAMP + 1).is_err());
        let renamed = NoteSignature::from_parts("x", w.key_id(), line.signature().to_vec());
        assert!(matches!(
            v.verify(&c.to_text(), &renamed),
            Err(CosignatureError::NotThisCosigner { .. })
        ));
    }
}
