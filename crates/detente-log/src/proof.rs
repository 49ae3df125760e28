//! Offline-verifiable inclusion proofs — C2SP `tlog-proof` (`c2sp.org/tlog-proof@v1`).
//!
//! §Format, lines separated by newlines:
//!
//! 1. `c2sp.org/tlog-proof@v1`;
//! 2. optionally `extra <base64>`: opaque, unauthenticated application data;
//! 3. `index <n>`, decimal without leading zeroes;
//! 4. zero or more base64 hashes: the RFC 6962 inclusion proof, from the
//!    leaf's sibling up;
//! 5. an empty line, then the checkpoint verbatim (a signed note carrying the
//!    log signature and any witness cosignatures).
//!
//! §Verifying a tlog proof: (1) the caller computes the leaf hash from data it
//! holds; (2) the origin is accepted and signed by a log key, and (3) the
//! witness cosignatures meet the policy — both by [`Policy::verify_checkpoint`];
//! (4) the inclusion proof binds the leaf hash to the checkpoint's root.
//! Cosignature timestamps are returned, not judged (§Use of timestamps).

use crate::checkpoint::{CheckpointError, SignedCheckpoint};
use crate::merkle::{Hash, MerkleError, verify_inclusion};
use crate::policy::{Policy, PolicyError, WitnessedCheckpoint};
use crate::text::{decode_base64, decode_hash, encode_base64, parse_decimal, quote};

/// The first line of a proof.
pub const HEADER: &str = "c2sp.org/tlog-proof@v1";

/// Most inclusion proof hashes (a tree of 2^64 leaves needs 64).
pub const MAX_PROOF_HASHES: usize = 64;

/// Largest proof accepted by [`TlogProof::parse`], in bytes.
pub const MAX_PROOF_LEN: usize = 2 * crate::note::MAX_NOTE_LEN;

/// Why a tlog-proof was rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlogProofError {
    /// The proof text is not well formed.
    #[error("tlog-proof line {line}: {reason}")]
    Malformed {
        /// 1-based line number.
        line: usize,
        /// What is wrong, with the offending text.
        reason: String,
    },
    /// More than [`MAX_PROOF_HASHES`] inclusion hashes.
    #[error("tlog-proof has {count} inclusion hashes, at most {MAX_PROOF_HASHES} are possible")]
    TooManyHashes {
        /// Hashes given.
        count: usize,
    },
    /// The proof is larger than [`MAX_PROOF_LEN`].
    #[error("tlog-proof is {len} bytes, the limit is {MAX_PROOF_LEN}")]
    TooLarge {
        /// Its length.
        len: usize,
    },
    /// The embedded checkpoint is malformed.
    #[error("tlog-proof checkpoint: {0}")]
    Checkpoint(#[from] CheckpointError),
    /// The checkpoint does not satisfy the policy (log key, witnesses).
    #[error("tlog-proof checkpoint: {0}")]
    Policy(#[from] PolicyError),
    /// The inclusion proof does not bind the leaf to the checkpoint root.
    #[error("tlog-proof inclusion: {0}")]
    Inclusion(#[from] MerkleError),
}

/// A parsed tlog-proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlogProof {
    extra: Option<Vec<u8>>,
    index: u64,
    inclusion: Vec<Hash>,
    checkpoint: SignedCheckpoint,
}

/// A proof that verified: the checkpoint, who cosigned it, and the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedProof {
    /// The entry's index in the log.
    pub index: u64,
    /// The witnessed checkpoint the entry is included in.
    pub witnessed: WitnessedCheckpoint,
}

impl TlogProof {
    /// A proof from its parts.
    pub fn new(
        extra: Option<Vec<u8>>,
        index: u64,
        inclusion: Vec<Hash>,
        checkpoint: SignedCheckpoint,
    ) -> Result<Self, TlogProofError> {
        if inclusion.len() > MAX_PROOF_HASHES {
            return Err(TlogProofError::TooManyHashes {
                count: inclusion.len(),
            });
        }
        Ok(Self {
            extra,
            index,
            inclusion,
            checkpoint,
        })
    }

    /// Parses a proof. Does not verify it.
    pub fn parse(bytes: &[u8]) -> Result<Self, TlogProofError> {
        if bytes.len() > MAX_PROOF_LEN {
            return Err(TlogProofError::TooLarge { len: bytes.len() });
        }
        let text = std::str::from_utf8(bytes).map_err(|e| TlogProofError::Malformed {
            line: 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count(),
            reason: "not valid UTF-8".to_owned(),
        })?;
        let mut rest = text;
        let mut line_no = 0;
        let mut next = |rest: &mut &str| -> Result<(usize, String), TlogProofError> {
            line_no += 1;
            let (line, tail) = rest.split_once('\n').ok_or(TlogProofError::Malformed {
                line: line_no,
                reason: "unexpected end: missing the empty line and checkpoint".to_owned(),
            })?;
            *rest = tail;
            Ok((line_no, line.to_owned()))
        };
        let bad = |line, reason: String| TlogProofError::Malformed { line, reason };

        let (n, header) = next(&mut rest)?;
        if header != HEADER {
            return Err(bad(
                n,
                format!("expected {HEADER:?}, found {}", quote(&header)),
            ));
        }
        let (mut n, mut line) = next(&mut rest)?;
        let mut extra = None;
        if let Some(b64) = line.strip_prefix("extra ") {
            extra = Some(
                decode_base64(b64)
                    .ok_or_else(|| bad(n, format!("extra data {} is not base64", quote(b64))))?,
            );
            (n, line) = next(&mut rest)?;
        }
        let index = line
            .strip_prefix("index ")
            .and_then(parse_decimal)
            .ok_or_else(|| bad(n, format!("expected \"index <n>\", found {}", quote(&line))))?;
        let mut inclusion = Vec::new();
        loop {
            let (n, line) = next(&mut rest)?;
            if line.is_empty() {
                break;
            }
            if inclusion.len() == MAX_PROOF_HASHES {
                return Err(TlogProofError::TooManyHashes {
                    count: MAX_PROOF_HASHES + 1,
                });
            }
            inclusion.push(
                decode_hash(&line).ok_or_else(|| {
                    bad(n, format!("{} is not a base64 SHA-256 hash", quote(&line)))
                })?,
            );
        }
        let checkpoint = SignedCheckpoint::parse(rest.as_bytes())?;
        Ok(Self {
            extra,
            index,
            inclusion,
            checkpoint,
        })
    }

    /// The encoded proof.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("{HEADER}\n");
        if let Some(extra) = &self.extra {
            out.push_str(&format!("extra {}\n", encode_base64(extra)));
        }
        out.push_str(&format!("index {}\n", self.index));
        for hash in &self.inclusion {
            out.push_str(&encode_base64(hash));
            out.push('\n');
        }
        out.push('\n');
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.checkpoint.to_bytes());
        bytes
    }

    /// The unauthenticated extra data: never trust it implicitly.
    pub fn extra(&self) -> Option<&[u8]> {
        self.extra.as_deref()
    }

    /// The entry's index.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The inclusion proof hashes.
    pub fn inclusion(&self) -> &[Hash] {
        &self.inclusion
    }

    /// The checkpoint.
    pub fn checkpoint(&self) -> &SignedCheckpoint {
        &self.checkpoint
    }

    /// Verifies the proof for the entry whose leaf hash the caller computed
    /// (§Verifying a tlog proof, steps 2–4).
    pub fn verify(
        &self,
        leaf_hash: &Hash,
        policy: &Policy,
    ) -> Result<VerifiedProof, TlogProofError> {
        let witnessed = policy.verify_checkpoint(&self.checkpoint)?;
        let c = &witnessed.checkpoint;
        verify_inclusion(self.index, c.size(), leaf_hash, &self.inclusion, c.root())?;
        Ok(VerifiedProof {
            index: self.index,
            witnessed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::Checkpoint;
    use crate::cosignature::Cosigner;
    use crate::merkle::{MemoryTree, leaf_hash};
    use crate::note::Ed25519Signer;

    struct World {
        tree: MemoryTree,
        log: Ed25519Signer,
        witness: Cosigner,
        policy: Policy,
    }

    fn world() -> World {
        let log = Ed25519Signer::from_seed("example.com/fancylog", &[1; 32]).unwrap();
        let witness = Cosigner::from_seed("witness1.example", &[2; 32]).unwrap();
        let policy = format!(
            "log {}\nwitness w1 {}\nquorum w1\n",
            log.verifier().to_vkey(),
            witness.verifier().to_vkey()
        );
        let mut tree = MemoryTree::new();
        for i in 0..100u32 {
            tree.append(format!("entry {i}").as_bytes());
        }
        World {
            tree,
            log,
            witness,
            policy: Policy::parse(policy.as_bytes()).unwrap(),
        }
    }

    fn proof_for(w: &World, index: u64, extra: Option<Vec<u8>>) -> TlogProof {
        let size = w.tree.size();
        let c = Checkpoint::new("example.com/fancylog", size, w.tree.root()).unwrap();
        let mut signed = SignedCheckpoint::sign(c, &w.log).unwrap();
        signed.push_signature(
            w.witness
                .cosign(signed.checkpoint(), 1_700_000_000)
                .unwrap(),
        );
        TlogProof::new(
            extra,
            index,
            w.tree.inclusion_proof(index, size).unwrap(),
            signed,
        )
        .unwrap()
    }

    #[test]
    fn round_trip_and_verify() {
        let w = world();
        let proof = proof_for(&w, 73, Some(b"age-v1.2.1".to_vec()));
        let bytes = proof.to_bytes();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with("c2sp.org/tlog-proof@v1\nextra YWdlLXYxLjIuMQ==\nindex 73\n"));
        let parsed = TlogProof::parse(&bytes).unwrap();
        assert_eq!(parsed, proof);
        let verified = parsed.verify(&leaf_hash(b"entry 73"), &w.policy).unwrap();
        assert_eq!(verified.index, 73);
        assert_eq!(
            verified.witnessed.cosigned_by,
            [("w1".to_owned(), 1_700_000_000)]
        );

        let no_extra = proof_for(&w, 0, None);
        assert_eq!(
            TlogProof::parse(&no_extra.to_bytes()).unwrap().extra(),
            None
        );
    }

    #[test]
    fn wrong_leaf_or_tampered_parts_fail() {
        let w = world();
        let proof = proof_for(&w, 5, None);
        assert!(matches!(
            proof.verify(&leaf_hash(b"entry 6"), &w.policy),
            Err(TlogProofError::Inclusion(_))
        ));
        let mut hashes = proof.inclusion().to_vec();
        hashes[2][31] ^= 1;
        let tampered = TlogProof::new(None, 5, hashes, proof.checkpoint().clone()).unwrap();
        assert!(matches!(
            tampered.verify(&leaf_hash(b"entry 5"), &w.policy),
            Err(TlogProofError::Inclusion(_))
        ));
        // Without the witness cosignature the quorum fails.
        let mut bare = proof.checkpoint().clone();
        let mut note = bare.note().clone();
        note.retain_signatures(|s| s.name() == "example.com/fancylog");
        bare = SignedCheckpoint::parse(&note.to_bytes()).unwrap();
        let unwitnessed = TlogProof::new(None, 5, proof.inclusion().to_vec(), bare).unwrap();
        assert!(matches!(
            unwitnessed.verify(&leaf_hash(b"entry 5"), &w.policy),
            Err(TlogProofError::Policy(PolicyError::QuorumNotMet { .. }))
        ));
    }

    #[test]
    fn malformed_proofs_are_rejected() {
        let w = world();
        let good = String::from_utf8(proof_for(&w, 5, None).to_bytes()).unwrap();
        let checkpoint = good.split_once("\n\n").unwrap().1;
        let hash = "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=";
        let cases = [
            (
                format!("c2sp.org/tlog-proof@v2\nindex 5\n\n{checkpoint}"),
                "version",
            ),
            (format!("index 5\n\n{checkpoint}"), "no header"),
            (
                format!("{HEADER}\nindex 05\n\n{checkpoint}"),
                "leading zero",
            ),
            (
                format!("{HEADER}\nindex five\n\n{checkpoint}"),
                "not a number",
            ),
            (
                format!("{HEADER}\nextra !!\nindex 5\n\n{checkpoint}"),
                "bad extra",
            ),
            (
                format!("{HEADER}\nindex 5\nextra AA==\n\n{checkpoint}"),
                "extra after index",
            ),
            (
                format!("{HEADER}\nindex 5\nAAAA\n\n{checkpoint}"),
                "short hash",
            ),
            (
                format!("{HEADER}\nindex 5\n{hash}\n{checkpoint}"),
                "no empty line",
            ),
            (
                format!(
                    "{HEADER}\nindex 5\n{}\n{checkpoint}",
                    format!("{hash}\n").repeat(65)
                ),
                "65 hashes",
            ),
            (format!("{HEADER}\nindex 5\n\n"), "no checkpoint"),
            (format!("{HEADER}\nindex 5"), "truncated"),
        ];
        for (text, why) in cases {
            assert!(
                TlogProof::parse(text.as_bytes()).is_err(),
                "accepted: {why}"
            );
        }
    }
}
