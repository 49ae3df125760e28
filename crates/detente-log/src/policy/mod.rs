//! Trust policies — C2SP `tlog-policy`: which logs are accepted and which
//! witness cosignatures make a checkpoint valid.
//!
//! §Policy file syntax and structure, as implemented:
//!
//! * Line based; items separated by runs of ASCII space and tab; leading and
//!   trailing whitespace allowed; empty lines and lines whose first item
//!   starts with `#` are ignored. Only octets 0x09, 0x0A, 0x20–0x7E and
//!   0x80–0xFF are allowed (§Character set); names are opaque octet strings.
//! * `log <vkey> [<url>]`: an accepted log. Its key name MUST correspond to
//!   the checkpoint origin; keys are Ed25519 note keys (type `0x01`).
//! * `witness <name> <vkey> [<url>]`: a witness, with a `cosignature/v1` key
//!   (type `0x04`).
//! * `group <name> all|any|<k> <name>...`: satisfied when at least `k` of its
//!   `n ≥ 1` members are (`any` = 1, `all` = n, `1 ≤ k ≤ n`). Members are
//!   witnesses or groups defined on *preceding* lines.
//! * `quorum <name>`: exactly one, naming an earlier witness or group, or the
//!   predefined `none` (no cosignatures required).
//! * Witnesses and groups share one namespace; `none` is reserved and is not
//!   a valid member. Two log lines (or two witness lines) wrapping the same
//!   public key are duplicates and rejected.
//! * "Each defined name can be listed as a group member at most once": taken
//!   literally, across the whole file, so that each witness contributes to
//!   the quorum in only one way.
//!
//! Limits: [`MAX_ENTRIES`] logs, witnesses and groups each (the spec
//! recommends supporting at least 32).
//!
//! [`Policy::verify_checkpoint`] checks a checkpoint the way tlog-proof
//! §Verifying describes: the origin is accepted and signed by one of its log
//! keys, every cosignature from a known witness verifies, and the quorum is met.

mod parse;

use crate::checkpoint::{Checkpoint, SignedCheckpoint};
use crate::cosignature::{CosignatureVerifier, TimestampedSignature};
use crate::note::{Ed25519Verifier, NoteError, NoteVerifier};

/// Most logs, witnesses and groups (each) in one policy.
pub const MAX_ENTRIES: usize = 256;

/// Why a policy was rejected, or a checkpoint did not satisfy it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// An octet the policy character set forbids.
    #[error(
        "policy line {line}: byte 0x{byte:02x} is not allowed (only tab, newline, printable ASCII and non-ASCII octets)"
    )]
    InvalidCharacter {
        /// 1-based line number.
        line: usize,
        /// The octet.
        byte: u8,
    },
    /// A line starting with an unknown keyword.
    #[error(
        "policy line {line}: unknown keyword {keyword}; expected log, witness, group or quorum"
    )]
    UnknownKeyword {
        /// 1-based line number.
        line: usize,
        /// The keyword.
        keyword: String,
    },
    /// A line with too few or too many items.
    #[error("policy line {line}: expected {expected}")]
    WrongArguments {
        /// 1-based line number.
        line: usize,
        /// The expected form.
        expected: &'static str,
    },
    /// A vkey that is malformed or of the wrong signature type.
    #[error("policy line {line}: {error}")]
    InvalidKey {
        /// 1-based line number.
        line: usize,
        /// The key problem.
        error: NoteError,
    },
    /// A log or witness whose public key is already listed.
    #[error("policy line {line}: the {what} key is already listed")]
    DuplicateKey {
        /// 1-based line number.
        line: usize,
        /// "log" or "witness".
        what: &'static str,
    },
    /// A witness or group name that is already defined.
    #[error("policy line {line}: name {name} is already defined")]
    DuplicateName {
        /// 1-based line number.
        line: usize,
        /// The name.
        name: String,
    },
    /// Defining, or using as a member, the reserved name `none`.
    #[error("policy line {line}: the name none is reserved for \"quorum none\"")]
    ReservedName {
        /// 1-based line number.
        line: usize,
    },
    /// A reference to a name not defined on a preceding line.
    #[error("policy line {line}: name {name} is not defined on an earlier line")]
    UndefinedName {
        /// 1-based line number.
        line: usize,
        /// The name.
        name: String,
    },
    /// A name listed as a group member a second time.
    #[error(
        "policy line {line}: {name} is already a member of a group; each name may be listed once"
    )]
    MemberListedTwice {
        /// 1-based line number.
        line: usize,
        /// The name.
        name: String,
    },
    /// A group threshold that is not `all`, `any` or `1 ≤ k ≤ n`.
    #[error(
        "policy line {line}: threshold {threshold} is not all, any, or a number from 1 to {members}"
    )]
    InvalidThreshold {
        /// 1-based line number.
        line: usize,
        /// The threshold as written.
        threshold: String,
        /// Number of members.
        members: usize,
    },
    /// More than [`MAX_ENTRIES`] logs, witnesses or groups.
    #[error("policy line {line}: more than {MAX_ENTRIES} {what}")]
    TooManyEntries {
        /// 1-based line number.
        line: usize,
        /// "logs", "witnesses", "groups" or "group members".
        what: &'static str,
    },
    /// No quorum line.
    #[error("policy has no quorum line; add \"quorum <name>\" or \"quorum none\"")]
    MissingQuorum,
    /// A second quorum line.
    #[error("policy line {line}: a policy has exactly one quorum line")]
    DuplicateQuorum {
        /// 1-based line number.
        line: usize,
    },
    /// The checkpoint's origin has no log key in the policy.
    #[error("no log in the policy has origin {origin:?}")]
    UnknownLog {
        /// The checkpoint origin.
        origin: String,
    },
    /// A signature by a known log or witness key does not verify (or the
    /// note is otherwise unacceptable).
    #[error("checkpoint signatures: {0}")]
    Signature(NoteError),
    /// No valid signature by the log's key.
    #[error(
        "checkpoint of {origin:?} is not signed by a log key in the policy (signed by: {signed_by})"
    )]
    NoLogSignature {
        /// The checkpoint origin.
        origin: String,
        /// Who did sign.
        signed_by: String,
    },
    /// The valid cosignatures do not meet the quorum.
    #[error(
        "witness quorum not met: valid cosignatures from [{cosigned_by}] do not satisfy quorum {quorum}"
    )]
    QuorumNotMet {
        /// Names of the witnesses whose cosignatures verified.
        cosigned_by: String,
        /// The quorum name.
        quorum: String,
    },
}

/// A log accepted by the policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyLog {
    /// Verifies the log's checkpoint signatures; its name is the origin.
    pub verifier: Ed25519Verifier,
    /// The optional URL, as written.
    pub url: Option<Vec<u8>>,
}

/// A witness known to the policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyWitness {
    /// The policy-local name (opaque octets).
    pub name: Vec<u8>,
    /// Verifies its cosignatures.
    pub verifier: CosignatureVerifier,
    /// The optional URL (a tlog-witness submission prefix), as written.
    pub url: Option<Vec<u8>>,
}

/// A group member or quorum: a witness or a group, by position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Member {
    Witness(usize),
    Group(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Group {
    name: Vec<u8>,
    threshold: usize,
    members: Vec<Member>,
}

/// A parsed trust policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    logs: Vec<PolicyLog>,
    witnesses: Vec<PolicyWitness>,
    groups: Vec<Group>,
    /// `None` is `quorum none`.
    quorum: Option<Member>,
}

/// A checkpoint that satisfied a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WitnessedCheckpoint {
    /// The checkpoint.
    pub checkpoint: Checkpoint,
    /// Witnesses whose cosignatures verified, with their timestamps.
    pub cosigned_by: Vec<(String, u64)>,
}

impl Policy {
    /// Parses a policy file.
    pub fn parse(policy: &[u8]) -> Result<Self, PolicyError> {
        parse::parse(policy)
    }

    /// The accepted logs.
    pub fn logs(&self) -> &[PolicyLog] {
        &self.logs
    }

    /// The known witnesses.
    pub fn witnesses(&self) -> &[PolicyWitness] {
        &self.witnesses
    }

    /// Whether the policy requires no cosignatures (`quorum none`).
    pub fn requires_no_witnesses(&self) -> bool {
        self.quorum.is_none()
    }

    /// The quorum rule applied to the set of witnesses that cosigned
    /// (`cosigned[i]` for [`Policy::witnesses`]`()[i]`).
    pub fn quorum_met(&self, cosigned: &[bool]) -> bool {
        let mut groups = Vec::with_capacity(self.groups.len());
        let value = |m: Member, groups: &[bool]| match m {
            Member::Witness(i) => cosigned.get(i).copied().unwrap_or(false),
            Member::Group(g) => groups.get(g).copied().unwrap_or(false),
        };
        // Groups only reference earlier definitions: one pass in order.
        for group in &self.groups {
            let count = group.members.iter().filter(|&&m| value(m, &groups)).count();
            groups.push(count >= group.threshold);
        }
        self.quorum.is_none_or(|q| value(q, &groups))
    }

    fn quorum_name(&self) -> String {
        match self.quorum {
            None => "none".to_owned(),
            Some(Member::Witness(i)) => lossy(&self.witnesses[i].name),
            Some(Member::Group(g)) => lossy(&self.groups[g].name),
        }
    }

    /// Verifies a signed checkpoint against the policy: an accepted origin
    /// signed by one of its log keys, valid cosignatures from known
    /// witnesses (unknown signatures ignored, a bad one from a known key
    /// rejected), and the quorum met.
    pub fn verify_checkpoint(
        &self,
        signed: &SignedCheckpoint,
    ) -> Result<WitnessedCheckpoint, PolicyError> {
        let checkpoint = signed.checkpoint();
        let origin = checkpoint.origin();
        let logs: Vec<&Ed25519Verifier> = self
            .logs
            .iter()
            .map(|l| &l.verifier)
            .filter(|v| NoteVerifier::name(*v) == origin)
            .collect();
        if logs.is_empty() {
            return Err(PolicyError::UnknownLog {
                origin: origin.to_owned(),
            });
        }
        let mut verifiers: Vec<&dyn NoteVerifier> =
            logs.iter().map(|v| *v as &dyn NoteVerifier).collect();
        verifiers.extend(
            self.witnesses
                .iter()
                .map(|w| &w.verifier as &dyn NoteVerifier),
        );
        let verified = signed
            .note()
            .check_signatures(&verifiers)
            .map_err(PolicyError::Signature)?;
        if !verified.iter().any(|&(_, v)| v < logs.len()) {
            return Err(PolicyError::NoLogSignature {
                origin: origin.to_owned(),
                signed_by: signed.note().signed_by(),
            });
        }
        let mut cosigned = vec![false; self.witnesses.len()];
        let mut cosigned_by = Vec::new();
        for &(si, vi) in &verified {
            let Some(w) = vi.checked_sub(logs.len()) else {
                continue;
            };
            cosigned[w] = true;
            let signature = &signed.note().signatures()[si];
            let timestamp =
                TimestampedSignature::decode(signature.signature()).map_or(0, |t| t.timestamp);
            cosigned_by.push((lossy(&self.witnesses[w].name), timestamp));
        }
        if !self.quorum_met(&cosigned) {
            let names: Vec<&str> = cosigned_by.iter().map(|(n, _)| n.as_str()).collect();
            return Err(PolicyError::QuorumNotMet {
                cosigned_by: names.join(", "),
                quorum: self.quorum_name(),
            });
        }
        Ok(WitnessedCheckpoint {
            checkpoint: checkpoint.clone(),
            cosigned_by,
        })
    }
}

/// Names and URLs are opaque octets; show them lossily in messages.
fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests;
