//! This node's transparency log (docs/protocol.md, "The transparency log").
//!
//! One append-only RFC 9162 Merkle log per party, origin
//! `detente.<party>/log/v1`, whose entries are the fixed records of
//! [`detente_proto::log_entry`]. Checkpoints follow C2SP tlog-checkpoint and
//! are signed as C2SP signed-notes by the party's Ed25519 key under the
//! origin as key name. (The same key signs envelopes, receipts and cards;
//! the signed messages cannot collide: notes begin with the origin,
//! `detente.<party>/…`, the others with `detente/v1/…`, cosignatures with
//! `cosignature/v1`.)
//!
//! The [`Sequencer`] integrates entries in batches (group commit) and is the
//! log's only writer in this process; the store's compare-and-swap on the
//! checkpoint keeps any second writer from forking it.

pub(crate) mod confirm;
mod crosscheck;
mod documents;
pub mod guard;
pub mod recovery;
mod sequencer;
mod status;
pub mod witness;
pub(crate) mod witnessing;

pub(crate) use crosscheck::run_crosscheck;
pub use crosscheck::{PeerLog, PeerLogs};
pub use detente_evidence::naming::origin;
pub use detente_evidence::receipt_log::{ProvenInclusion, verify_receipt_log};
pub use sequencer::{Carried, LoggedCheckpoint, Sequencer};
pub use status::{AlarmView, CosignatureView, HeldView, LogStatus, WitnessedLogView};

use detente_log::note::{Ed25519Signer, Ed25519Verifier};
use detente_proto::ids::PartyCode;
use detente_proto::signing::{PartySigningKey, PartyVerifyingKey};

use crate::error::{Bug, NodeResult};

/// The note signer of `party`'s log.
pub fn log_signer(party: &PartyCode, key: &PartySigningKey) -> NodeResult<Ed25519Signer> {
    Ed25519Signer::from_seed(&origin(party), &key.to_seed())
        .map_err(Bug::construction("log signer"))
}

/// The note verifier of `party`'s log, from the signing key on its card.
pub fn log_verifier(party: &PartyCode, key: &PartyVerifyingKey) -> NodeResult<Ed25519Verifier> {
    detente_evidence::naming::log_verifier(party, key).map_err(Bug::construction("log verifier"))
}
