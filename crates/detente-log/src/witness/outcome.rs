//! The answer of a witness to `add-checkpoint`, one variant per status code
//! of tlog-witness §add-checkpoint, with the evidence of log misbehaviour.

use super::request::{AddCheckpointResponse, CONTENT_TYPE_TLOG_SIZE, format_size_body};
use super::{WitnessError, WitnessRecord};
use crate::checkpoint::SignedCheckpoint;
use crate::merkle::{Hash, MerkleError};
use crate::note::{NoteError, NoteVerifier};

const TEXT_PLAIN: &str = "text/plain; charset=utf-8";

/// What a witness answers to an `add-checkpoint` request.
///
/// | variant | status |
/// |---|---|
/// | [`Cosigned`](Self::Cosigned) | 200 |
/// | [`BadRequest`](Self::BadRequest) | 400 |
/// | [`Forbidden`](Self::Forbidden) | 403 |
/// | [`UnknownOrigin`](Self::UnknownOrigin) | 404 |
/// | [`Conflict`](Self::Conflict) | 409, `text/x.tlog.size` |
/// | [`Equivocation`](Self::Equivocation), [`InconsistentProof`](Self::InconsistentProof), [`Unprocessable`](Self::Unprocessable) | 422 |
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum AddCheckpointOutcome {
    /// All checks passed: store [`Cosigned::update`] by compare-and-swap, and
    /// only once it has committed answer with [`Cosigned::response`].
    Cosigned(Box<Cosigned>),
    /// The body is malformed, or the old size exceeds the checkpoint size
    /// (which is how a rollback with the right old size is refused).
    BadRequest(WitnessError),
    /// No signature from a key trusted for the origin, or such a signature
    /// fails to verify.
    Forbidden(NoteError),
    /// The witness does not know the checkpoint's origin.
    UnknownOrigin {
        /// The origin of the submitted checkpoint.
        origin: String,
    },
    /// The old size is not the size of the latest checkpoint the witness
    /// cosigned (0 if none); the body tells the client that size.
    Conflict {
        /// The size of the witness's latest cosigned checkpoint.
        known_size: u64,
        /// Set when the submitted checkpoint has the witness's size but a
        /// different root: a signed fork, whatever old size was sent.
        equivocation: Option<Box<Equivocation>>,
    },
    /// Same origin, same size, different root: the log signed two trees of
    /// one size.
    Equivocation(Box<Equivocation>),
    /// The consistency proof from the witness's checkpoint to the submitted
    /// one does not verify.
    InconsistentProof(Box<InconsistentProof>),
    /// Another consistency rule failed.
    Unprocessable(Unprocessable),
}

impl AddCheckpointOutcome {
    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        match self {
            Self::Cosigned(_) => 200,
            Self::BadRequest(_) => 400,
            Self::Forbidden(_) => 403,
            Self::UnknownOrigin { .. } => 404,
            Self::Conflict { .. } => 409,
            Self::Equivocation(_) | Self::InconsistentProof(_) | Self::Unprocessable(_) => 422,
        }
    }

    /// The `Content-Type` of [`body`](Self::body).
    pub fn content_type(&self) -> &'static str {
        match self {
            Self::Conflict { .. } => CONTENT_TYPE_TLOG_SIZE,
            _ => TEXT_PLAIN,
        }
    }

    /// The response body: cosignature lines (200), the known size (409), or a
    /// one-line explanation.
    pub fn body(&self) -> Vec<u8> {
        match self {
            Self::Cosigned(c) => c.response.to_bytes(),
            Self::Conflict { known_size, .. } => format_size_body(*known_size),
            other => format!("{}\n", other.explanation()).into_bytes(),
        }
    }

    /// A human explanation of a refusal.
    pub fn explanation(&self) -> String {
        match self {
            Self::Cosigned(c) => format!(
                "cosigned {} at size {}",
                c.update.record.origin(),
                c.update.record.size()
            ),
            Self::BadRequest(e) => format!("bad request: {e}"),
            Self::Forbidden(e) => format!("checkpoint signature not accepted: {e}"),
            Self::UnknownOrigin { origin } => format!("unknown log origin {origin:?}"),
            Self::Conflict { known_size, .. } => {
                format!(
                    "old size does not match the witness's size {known_size}; retry with old {known_size}"
                )
            }
            Self::Equivocation(e) => format!(
                "equivocation: the log signed two different roots for size {} of {}",
                e.size, e.origin
            ),
            Self::InconsistentProof(p) => format!(
                "consistency proof from size {} to {} does not verify: {}",
                p.stored.checkpoint().size(),
                p.submitted.checkpoint().size(),
                p.reason
            ),
            Self::Unprocessable(u) => u.to_string(),
        }
    }

    /// The evidence of a fork, if this answer carries one.
    pub fn equivocation(&self) -> Option<&Equivocation> {
        match self {
            Self::Equivocation(e) => Some(e),
            Self::Conflict {
                equivocation: Some(e),
                ..
            } => Some(e),
            _ => None,
        }
    }
}

/// A successful `add-checkpoint`: the response and the state change.
#[derive(Clone, Debug)]
pub struct Cosigned {
    /// The 200 body.
    pub response: AddCheckpointResponse,
    /// The record to store, conditional on the previous one.
    pub update: RecordUpdate,
}

/// The witness's new state for one origin, to be stored by compare-and-swap:
/// *if the stored record for `origin` is still `previous`, replace it with
/// `record`*. Because the witness never stores two roots for one size,
/// comparing sizes ([`RecordUpdate::expected_size`]) is an equivalent
/// condition. If the swap fails another request won the race: reload and
/// process this request again (it will then usually get a 409).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordUpdate {
    /// The log origin.
    pub origin: String,
    /// What the caller passed in as the stored record (`None`: no record yet).
    pub previous: Option<WitnessRecord>,
    /// The new record.
    pub record: WitnessRecord,
}

impl RecordUpdate {
    /// The stored size the swap is conditional on (`None`: insert only if absent).
    pub fn expected_size(&self) -> Option<u64> {
        self.previous.as_ref().map(WitnessRecord::size)
    }
}

/// Two checkpoints of one log with the same size and different roots, both
/// validly signed by the log: proof that the log forked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Equivocation {
    /// The log origin.
    pub origin: String,
    /// The common tree size.
    pub size: u64,
    /// The checkpoint the witness had cosigned.
    pub stored: SignedCheckpoint,
    /// The conflicting checkpoint just submitted.
    pub submitted: SignedCheckpoint,
}

impl Equivocation {
    /// Re-checks the evidence offline: both checkpoints verify under the
    /// log's keys, share origin and size, and differ in root.
    pub fn check(&self, log_keys: &[&dyn NoteVerifier]) -> Result<(), WitnessError> {
        let (a, b) = (self.stored.checkpoint(), self.submitted.checkpoint());
        if a.origin() != b.origin() || a.size() != b.size() || a.root() == b.root() {
            return Err(WitnessError::NotEquivocation);
        }
        for checkpoint in [&self.stored, &self.submitted] {
            checkpoint
                .note()
                .verify(log_keys)
                .map_err(WitnessError::EvidenceSignature)?;
        }
        Ok(())
    }
}

/// A consistency proof that failed between the witness's checkpoint and a
/// validly signed new one. Either the log forked or the client sent a bad
/// proof: keep it, and confirm with a correct proof before raising a fork.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InconsistentProof {
    /// The checkpoint the witness had cosigned.
    pub stored: SignedCheckpoint,
    /// The checkpoint just submitted.
    pub submitted: SignedCheckpoint,
    /// The proof sent.
    pub proof: Vec<Hash>,
    /// Why verification failed.
    pub reason: String,
}

impl InconsistentProof {
    pub(crate) fn new(
        stored: &SignedCheckpoint,
        submitted: &SignedCheckpoint,
        proof: &[Hash],
        reason: &MerkleError,
    ) -> Self {
        Self {
            stored: stored.clone(),
            submitted: submitted.clone(),
            proof: proof.to_vec(),
            reason: reason.to_string(),
        }
    }
}

/// The other `422 Unprocessable Entity` cases of tlog-witness.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unprocessable {
    /// A checkpoint of size 0 whose root is not `SHA-256("")`.
    #[error("a checkpoint of size 0 must have the empty-tree root SHA-256(\"\")")]
    EmptyTreeRoot,
    /// Proof lines were sent with old size 0, where the proof must be empty.
    #[error("old size is 0, so the consistency proof must be empty, but {lines} lines were sent")]
    ProofFromEmptyTree {
        /// Proof lines sent.
        lines: usize,
    },
}
