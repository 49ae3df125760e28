//! Checking the log proof a receipt carries (see
//! [`detente_proto::receipt::LogPosition`]): the recipient's log holds a
//! "received" entry for exactly the envelope sent, included (RFC 9162
//! §2.1.3.2) in a checkpoint the recipient signed (C2SP tlog-proof
//! §"Verifying a tlog proof").

use detente_log::checkpoint::Checkpoint;
use detente_log::merkle::leaf_hash;
use detente_log::policy::Policy;
use detente_log::proof::TlogProof;
use detente_proto::envelope::SignedEnvelope;
use detente_proto::log_entry::{EntryDirection, LogEntry};
use detente_proto::receipt::Receipt;
use detente_proto::signing::PartyVerifyingKey;

use crate::naming::{log_verifier, origin};

/// Where a verified receipt says the envelope was logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvenInclusion {
    /// Leaf index in the recipient's log.
    pub index: u64,
    /// Size of the checkpoint it is proven in.
    pub checkpoint_size: u64,
    /// That checkpoint, signed by the recipient.
    pub checkpoint: Checkpoint,
}

/// Checks `receipt.log` against the envelope `sent` and the recipient's key.
/// The receipt's own signature is the caller's business.
pub fn verify_receipt_log(
    receipt: &Receipt,
    sent: &SignedEnvelope,
    recipient_key: &PartyVerifyingKey,
) -> Result<ProvenInclusion, String> {
    let position = receipt
        .log
        .as_ref()
        .ok_or("the receipt carries no proof that the recipient logged the envelope")?;
    let origin = origin(&receipt.to);
    if position.origin != origin {
        return Err(format!(
            "receipt.log.origin is {:?}, expected {origin:?}",
            position.origin
        ));
    }
    let entry = LogEntry::parse(position.entry.as_bytes())
        .map_err(|e| format!("receipt.log.entry: {e}"))?;
    let envelope = sent.envelope();
    let matches = entry.direction == EntryDirection::Received
        && entry.counterparty == envelope.from.party
        && entry.id == envelope.id.to_string()
        && entry.sha256 == sent.hash();
    if !matches {
        return Err("receipt.log.entry does not record the receipt of this envelope".into());
    }
    let proof = TlogProof::parse(position.tlog_proof.as_bytes())
        .map_err(|e| format!("receipt.log.tlog_proof: {e}"))?;
    if proof.index() != position.leaf_index {
        return Err(format!(
            "receipt.log.tlog_proof is for index {}, the receipt says {}",
            proof.index(),
            position.leaf_index
        ));
    }
    let verifier = log_verifier(&receipt.to, recipient_key)?;
    let policy = Policy::parse(format!("log {}\nquorum none\n", verifier.to_vkey()).as_bytes())
        .map_err(|e| format!("policy for {origin}: {e}"))?;
    let verified = proof
        .verify(&leaf_hash(position.entry.as_bytes()), &policy)
        .map_err(|e| format!("receipt.log.tlog_proof does not verify: {e}"))?;
    Ok(ProvenInclusion {
        index: verified.index,
        checkpoint_size: verified.witnessed.checkpoint.size(),
        checkpoint: verified.witnessed.checkpoint,
    })
}
