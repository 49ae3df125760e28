//! The witness protocol — C2SP `tlog-witness`, §add-checkpoint and
//! §Monitor Retrieval Mechanism, as a pure state machine.
//!
//! [`Witness::add_checkpoint`] applies the checks of §add-checkpoint in the
//! order the specification lists them, each with its status code:
//!
//! 1. the body is malformed → **400** ([`AddCheckpointRequest::parse`]);
//! 2. the checkpoint origin is unknown → **404**;
//! 3. no signature from a key trusted for the origin, or such a signature
//!    fails to verify → **403**;
//! 4. the old size exceeds the checkpoint size → **400**;
//! 5. the old size is not the size of the latest cosigned checkpoint (0 if
//!    none) → **409** with a `text/x.tlog.size` body;
//! 6. a checkpoint of size 0 without the empty-tree root → **422**;
//! 7. proof lines with old size 0, or a consistency proof (RFC 6962 §2.1.2)
//!    that does not verify → **422**;
//! 8. old size equal to the checkpoint size with a different root → **422**,
//!    reported as [`Equivocation`];
//! 9. otherwise → **200** with one `cosignature/v1` line per witness key,
//!    timestamped with the caller's clock (never 0).
//!
//! Rollback is refused by steps 4 and 5: a smaller checkpoint either claims
//! the witness's size as old size (400) or claims a smaller one (409).
//!
//! "Checking the old size against the latest checkpoint and persisting the new
//! checkpoint must be performed atomically": the function does not store
//! anything. It takes the stored record for the origin and, on success,
//! returns a [`RecordUpdate`] that the caller applies as one compare-and-swap;
//! the cosignature must not be released unless the swap succeeds.
//!
//! Not implemented: `sign-subtree` (OPTIONAL; it needs ML-DSA-44 subtree
//! cosignatures, and this crate implements only the Ed25519 type).

mod outcome;
mod request;

pub use outcome::{
    AddCheckpointOutcome, Cosigned, Equivocation, InconsistentProof, RecordUpdate, Unprocessable,
};
pub use request::{
    AddCheckpointRequest, AddCheckpointResponse, CONTENT_TYPE_TLOG_SIZE, MAX_PROOF_LINES,
    MAX_REQUEST_LEN, format_size_body, parse_size_body,
};

use sha2::{Digest, Sha256};

use crate::checkpoint::{CheckpointError, SignedCheckpoint};
use crate::cosignature::{CosignatureError, CosignatureVerifier, Cosigner, MAX_TIMESTAMP};
use crate::merkle::{EMPTY_ROOT, Hash, verify_consistency};
use crate::note::{Ed25519Verifier, Note, NoteError, NoteSignature, NoteVerifier};

/// Malformed witness messages (answered 400) and misuse of the witness API.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WitnessError {
    /// The request body exceeds [`MAX_REQUEST_LEN`].
    #[error("request body is {len} bytes, the limit is {max}")]
    RequestTooLarge {
        /// Body length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The body does not start with a newline-terminated old size line.
    #[error("request must start with an old size line \"old <size>\"")]
    MissingOldSize,
    /// The old size line is not `old <decimal without leading zeroes>`.
    #[error("old size line {0} is not \"old <decimal size>\"")]
    MalformedOldSize(String),
    /// More than [`MAX_PROOF_LINES`] consistency proof lines.
    #[error("{count} consistency proof lines sent; at most 63 are allowed")]
    TooManyProofLines {
        /// Lines counted (stops one past the limit).
        count: usize,
    },
    /// A proof line is not the base64 of a 32-byte hash.
    #[error("line {line} ({text}) is not a base64 SHA-256 hash")]
    MalformedProofLine {
        /// 1-based line number in the body.
        line: usize,
        /// The line, quoted and shortened.
        text: String,
    },
    /// No empty line separates the proof from the checkpoint.
    #[error("no empty line between the consistency proof and the checkpoint")]
    MissingBlankLine,
    /// The checkpoint is malformed.
    #[error("{0}")]
    Checkpoint(#[from] CheckpointError),
    /// The old size is larger than the submitted checkpoint's size.
    #[error("old size {old_size} is larger than the checkpoint size {size}")]
    OldSizeBeyondCheckpoint {
        /// The old size sent.
        old_size: u64,
        /// The checkpoint's size.
        size: u64,
    },
    /// A response without cosignature lines.
    #[error("a witness response carries at least one cosignature line")]
    EmptyResponse,
    /// A response body that is not signature lines.
    #[error("witness response is malformed: {reason}")]
    MalformedResponse {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A response line that is not a note signature line.
    #[error("witness response line: {0}")]
    MalformedCosignatureLine(NoteError),
    /// A cosignature from a trusted witness does not verify.
    #[error("{0}")]
    Cosignature(#[from] CosignatureError),
    /// A `409` body that is not a decimal size and a newline.
    #[error("conflict body {0} is not \"<decimal size>\\n\"")]
    MalformedSizeBody(String),
    /// Evidence that does not show a fork.
    #[error("the two checkpoints do not share origin and size with different roots")]
    NotEquivocation,
    /// Evidence whose signatures do not verify.
    #[error("evidence signature: {0}")]
    EvidenceSignature(NoteError),
    /// Misuse: a witness needs at least one cosigning key.
    #[error("a witness needs at least one cosigner key")]
    NoCosigners,
    /// Misuse: a log must be configured with at least one key.
    #[error("log {origin:?} is configured without keys")]
    LogWithoutKeys {
        /// The origin.
        origin: String,
    },
    /// Misuse: the same origin configured twice.
    #[error("log {origin:?} is configured twice")]
    DuplicateLog {
        /// The origin.
        origin: String,
    },
    /// Misuse: the clock reading is 0 or above 2^63 − 1.
    #[error("timestamp {0} cannot be used for a cosignature (must be 1..=2^63-1); check the clock")]
    InvalidTimestamp(u64),
    /// Misuse: the stored record passed in belongs to another origin.
    #[error("stored record is for {stored:?}, the request is for {requested:?}")]
    RecordForOtherOrigin {
        /// Origin of the stored record.
        stored: String,
        /// Origin of the request.
        requested: String,
    },
}

/// What a witness keeps per log: the latest checkpoint it cosigned, with the
/// log signatures it verified and its own cosignatures (exactly what
/// §Monitor Retrieval serves). Persist it with [`WitnessRecord::to_bytes`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WitnessRecord {
    checkpoint: SignedCheckpoint,
}

impl WitnessRecord {
    /// A record from a stored signed checkpoint (as written by `to_bytes`).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, WitnessError> {
        Ok(Self {
            checkpoint: SignedCheckpoint::parse(bytes)?,
        })
    }

    /// The encoded record: the cosigned checkpoint note.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.checkpoint.to_bytes()
    }

    /// The log origin.
    pub fn origin(&self) -> &str {
        self.checkpoint.checkpoint().origin()
    }

    /// The latest cosigned size.
    pub fn size(&self) -> u64 {
        self.checkpoint.checkpoint().size()
    }

    /// The latest cosigned root.
    pub fn root(&self) -> &Hash {
        self.checkpoint.checkpoint().root()
    }

    /// The cosigned checkpoint, for `GET <prefix>/<origin hash>/checkpoint`.
    pub fn checkpoint(&self) -> &SignedCheckpoint {
        &self.checkpoint
    }
}

/// The path of §Monitor Retrieval Mechanism below the monitoring prefix:
/// `<lowercase hex SHA-256 of the origin>/checkpoint`.
pub fn monitoring_path(origin: &str) -> String {
    let digest = Sha256::digest(origin.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}/checkpoint")
}

#[derive(Clone, Debug)]
struct LogKeys {
    origin: String,
    keys: Vec<Ed25519Verifier>,
}

/// A witness: its cosigning keys and the logs it accepts, by origin.
#[derive(Clone, Debug)]
pub struct Witness {
    cosigners: Vec<Cosigner>,
    logs: Vec<LogKeys>,
}

impl Witness {
    /// A witness cosigning with `cosigners` (at least one).
    pub fn new(cosigners: Vec<Cosigner>) -> Result<Self, WitnessError> {
        if cosigners.is_empty() {
            return Err(WitnessError::NoCosigners);
        }
        Ok(Self {
            cosigners,
            logs: Vec::new(),
        })
    }

    /// Accepts checkpoints of `origin` signed by one of `keys` (Ed25519).
    pub fn add_log(
        &mut self,
        origin: &str,
        keys: Vec<Ed25519Verifier>,
    ) -> Result<(), WitnessError> {
        if keys.is_empty() {
            return Err(WitnessError::LogWithoutKeys {
                origin: origin.to_owned(),
            });
        }
        if self.log_keys(origin).is_some() {
            return Err(WitnessError::DuplicateLog {
                origin: origin.to_owned(),
            });
        }
        self.logs.push(LogKeys {
            origin: origin.to_owned(),
            keys,
        });
        Ok(())
    }

    /// The verifiers of this witness's cosignatures, for clients.
    pub fn verifiers(&self) -> Vec<CosignatureVerifier> {
        self.cosigners.iter().map(Cosigner::verifier).collect()
    }

    fn log_keys(&self, origin: &str) -> Option<&[Ed25519Verifier]> {
        self.logs
            .iter()
            .find(|l| l.origin == origin)
            .map(|l| l.keys.as_slice())
    }

    /// Decides an `add-checkpoint` request against `stored`, the record for
    /// the request's origin (`None` if the witness never cosigned it), at
    /// `now` (POSIX seconds). See the module documentation for the checks.
    ///
    /// `Err` only for misuse (a bad clock, a record of another origin); every
    /// answer to the client is an [`AddCheckpointOutcome`].
    pub fn add_checkpoint(
        &self,
        request: &AddCheckpointRequest,
        stored: Option<&WitnessRecord>,
        now: u64,
    ) -> Result<AddCheckpointOutcome, WitnessError> {
        use AddCheckpointOutcome as Out;
        let submitted = request.checkpoint();
        let checkpoint = submitted.checkpoint();
        let origin = checkpoint.origin();
        if let Some(record) = stored
            && record.origin() != origin
        {
            return Err(WitnessError::RecordForOtherOrigin {
                stored: record.origin().to_owned(),
                requested: origin.to_owned(),
            });
        }
        if now == 0 || now > MAX_TIMESTAMP {
            return Err(WitnessError::InvalidTimestamp(now));
        }

        let Some(keys) = self.log_keys(origin) else {
            return Ok(Out::UnknownOrigin {
                origin: origin.to_owned(),
            });
        };
        let verifiers: Vec<&dyn NoteVerifier> =
            keys.iter().map(|k| k as &dyn NoteVerifier).collect();
        let log_signatures: Vec<_> = match submitted.verify(&verifiers) {
            Ok(verified) => verified.into_iter().cloned().collect(),
            Err(CheckpointError::Note(e)) => return Ok(Out::Forbidden(e)),
            Err(e) => return Ok(Out::BadRequest(e.into())),
        };

        let (old_size, size) = (request.old_size(), checkpoint.size());
        if old_size > size {
            return Ok(Out::BadRequest(WitnessError::OldSizeBeyondCheckpoint {
                old_size,
                size,
            }));
        }
        let known_size = stored.map_or(0, WitnessRecord::size);
        let fork = stored
            .filter(|r| r.size() == size && r.root() != checkpoint.root())
            .map(|r| {
                Box::new(Equivocation {
                    origin: origin.to_owned(),
                    size,
                    stored: r.checkpoint.clone(),
                    submitted: submitted.clone(),
                })
            });
        if old_size != known_size {
            return Ok(Out::Conflict {
                known_size,
                equivocation: fork,
            });
        }
        if size == 0 && checkpoint.root() != &EMPTY_ROOT {
            return Ok(Out::Unprocessable(Unprocessable::EmptyTreeRoot));
        }
        let proof = request.proof();
        if old_size == 0 {
            // The empty tree is consistent with every tree: no proof allowed.
            if !proof.is_empty() {
                return Ok(Out::Unprocessable(Unprocessable::ProofFromEmptyTree {
                    lines: proof.len(),
                }));
            }
        } else if let Some(record) = stored {
            // old_size == known_size > 0, so a record is stored.
            if let Some(fork) = fork {
                return Ok(Out::Equivocation(fork));
            }
            if let Err(e) =
                verify_consistency(old_size, size, proof, record.root(), checkpoint.root())
            {
                return Ok(Out::InconsistentProof(Box::new(InconsistentProof::new(
                    &record.checkpoint,
                    submitted,
                    proof,
                    &e,
                ))));
            }
        }

        self.cosign(origin, submitted, log_signatures, stored, now)
    }

    fn cosign(
        &self,
        origin: &str,
        submitted: &SignedCheckpoint,
        log_signatures: Vec<NoteSignature>,
        stored: Option<&WitnessRecord>,
        now: u64,
    ) -> Result<AddCheckpointOutcome, WitnessError> {
        let text = submitted.note().text();
        let cosignatures = self
            .cosigners
            .iter()
            .map(|c| c.cosign_text(text, now))
            .collect::<Result<Vec<_>, _>>()?;
        let mut note =
            Note::new(text).map_err(|e| WitnessError::Checkpoint(CheckpointError::Note(e)))?;
        for signature in log_signatures
            .into_iter()
            .chain(cosignatures.iter().cloned())
        {
            note.push_signature(signature);
        }
        let record = WitnessRecord {
            checkpoint: SignedCheckpoint::from_parts(submitted.checkpoint().clone(), note),
        };
        Ok(AddCheckpointOutcome::Cosigned(Box::new(Cosigned {
            response: AddCheckpointResponse::new(cosignatures)?,
            update: RecordUpdate {
                origin: origin.to_owned(),
                previous: stored.cloned(),
                record,
            },
        })))
    }
}

#[cfg(test)]
mod tests;
