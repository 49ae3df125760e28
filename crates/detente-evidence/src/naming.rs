//! How detente names its logs and witnesses in C2SP terms, and the note
//! keys that go with them (docs/protocol.md, "The transparency log").
//!
//! - A party's log has origin `detente.<party>/log/v1`; its checkpoints are
//!   C2SP signed notes (Ed25519, signature type 0x01) under that origin as
//!   key name, made with the party's signing key (the key on its card).
//! - A party's witness cosigns under the name `detente.<party>/witness`
//!   (C2SP cosignature/v1, type 0x04), with the same key.
//!
//! The key is shared with envelopes, receipts and cards; the signed
//! messages cannot collide: notes begin with the origin (`detente.<party>/…`),
//! the others with `detente/v1/…`, cosignatures with `cosignature/v1`.

use detente_log::cosignature::CosignatureVerifier;
use detente_log::note::Ed25519Verifier;
use detente_proto::ids::PartyCode;
use detente_proto::signing::PartyVerifyingKey;

/// The origin line of `party`'s log.
pub fn origin(party: &PartyCode) -> String {
    format!("detente.{party}/log/v1")
}

/// The cosigner name of `party`'s witness.
pub fn witness_name(party: &PartyCode) -> String {
    format!("detente.{party}/witness")
}

/// The note verifier of `party`'s log, from the signing key on its card.
pub fn log_verifier(party: &PartyCode, key: &PartyVerifyingKey) -> Result<Ed25519Verifier, String> {
    Ed25519Verifier::new(&origin(party), dalek(key)?)
        .map_err(|e| format!("cannot make the log verifier of {party}: {e}"))
}

/// The verifier of `party`'s cosignatures, from the signing key on its card.
pub fn cosignature_verifier(
    party: &PartyCode,
    key: &PartyVerifyingKey,
) -> Result<CosignatureVerifier, String> {
    CosignatureVerifier::new(&witness_name(party), dalek(key)?)
        .map_err(|e| format!("cannot make the cosignature verifier of {party}: {e}"))
}

fn dalek(key: &PartyVerifyingKey) -> Result<ed25519_dalek::VerifyingKey, String> {
    ed25519_dalek::VerifyingKey::from_bytes(&key.to_bytes())
        .map_err(|e| format!("card key is not Ed25519: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_design() {
        let ru: PartyCode = "RU".parse().expect("RU");
        assert_eq!(origin(&ru), "detente.RU/log/v1");
        assert_eq!(witness_name(&ru), "detente.RU/witness");
    }
}
