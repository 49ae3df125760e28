//! # detente-log — what was said, provably
//!
//! The transparency-log building blocks of detente, as one pure crate: no I/O,
//! no async, no HTTP, no clock. Every function is a function of its inputs, so
//! an auditor can use this crate alone to check a claim offline.
//!
//! One module per specification, each citing the section it implements:
//!
//! | module | specification |
//! |---|---|
//! | [`merkle`] | RFC 6962 §2.1 / RFC 9162 §2.1: hashing, inclusion and consistency proofs |
//! | [`note`] | C2SP `signed-note` v1.0.0: notes, signature lines, key IDs, vkeys |
//! | [`checkpoint`] | C2SP `tlog-checkpoint` v1.0.0 |
//! | [`cosignature`] | C2SP `tlog-cosignature`: the Ed25519 `cosignature/v1` type |
//! | [`witness`] | C2SP `tlog-witness`: `add-checkpoint` request, response and witness state machine |
//! | [`tiles`] | C2SP `tlog-tiles`: tile paths, hash tiles, entry bundles, tile-backed proofs |
//! | [`proof`] | C2SP `tlog-proof` v1: offline-verifiable inclusion proofs |
//! | [`policy`] | C2SP `tlog-policy`: which logs and witness quorums are trusted |
//!
//! ## From entry to offline proof
//!
//! ```
//! use detente_log::checkpoint::{Checkpoint, SignedCheckpoint};
//! use detente_log::cosignature::Cosigner;
//! use detente_log::merkle::{MemoryTree, leaf_hash};
//! use detente_log::note::Ed25519Signer;
//! use detente_log::policy::Policy;
//! use detente_log::proof::TlogProof;
//! use detente_log::witness::{AddCheckpointOutcome, AddCheckpointRequest, Witness};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let origin = "detente.ru/log/v1";
//! // In real use the seeds come from a CSPRNG and live in key files.
//! let log_key = Ed25519Signer::from_seed(origin, &[1; 32])?;
//! let witness_key = Cosigner::from_seed("un.example/witness", &[2; 32])?;
//!
//! // The log integrates a batch of entries and signs a checkpoint.
//! let mut tree = MemoryTree::new();
//! let index = tree.append_batch([&b"sent|US|msg-1"[..], b"received|US|msg-2"]);
//! let checkpoint = Checkpoint::new(origin, tree.size(), tree.root())?;
//! let mut signed = SignedCheckpoint::sign(checkpoint, &log_key)?;
//!
//! // A witness checks it and cosigns; the caller stores
//! // `cosigned.update` by compare-and-swap before answering.
//! let mut witness = Witness::new(vec![witness_key.clone()])?;
//! witness.add_log(origin, vec![log_key.verifier()])?;
//! let request = AddCheckpointRequest::new(0, vec![], signed.clone())?;
//! let AddCheckpointOutcome::Cosigned(cosigned) =
//!     witness.add_checkpoint(&request, None, 1_700_000_000)?
//! else {
//!     panic!("refused");
//! };
//! cosigned.response.merge_into(&mut signed, &witness.verifiers())?;
//!
//! // Anyone holding the entry and the policy can check it offline.
//! let policy = Policy::parse(
//!     format!(
//!         "log {}\nwitness un {}\nquorum un\n",
//!         log_key.verifier().to_vkey(),
//!         witness_key.verifier().to_vkey(),
//!     )
//!     .as_bytes(),
//! )?;
//! let proof = TlogProof::new(None, index, tree.inclusion_proof(index, tree.size())?, signed)?;
//! let received = TlogProof::parse(&proof.to_bytes())?;
//! let verified = received.verify(&leaf_hash(b"sent|US|msg-1"), &policy)?;
//! assert_eq!(verified.witnessed.cosigned_by[0].0, "un");
//! # Ok(())
//! # }
//! ```
//!
//! ## Error philosophy
//!
//! Each module family has one `#[non_exhaustive]` error enum whose messages say
//! what was wrong and where. Bad input from a peer is always an `Err`, never a
//! panic: no `unwrap`/`expect` touches input. The witness state machine goes
//! one step further and answers with a typed outcome carrying the HTTP status
//! code the specification assigns.
//!
//! ## Transport-agnostic
//!
//! Storage appears only as small traits at the seams
//! ([`merkle::HashReader`], [`tiles::TileSource`]); the witness returns the
//! record to store as a compare-and-swap for the caller to perform.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod checkpoint;
pub mod cosignature;
pub mod merkle;
pub mod note;
pub mod policy;
pub mod proof;
pub mod tiles;
pub mod witness;

mod text;

pub use checkpoint::{Checkpoint, SignedCheckpoint};
pub use merkle::{Hash, MemoryTree};
pub use note::{Note, NoteSignature, VerifierKey};
