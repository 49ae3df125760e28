//! Checking a log entry's proof (C2SP tlog-proof §"Verifying a tlog
//! proof"; RFC 9162 §2.1.3.2 inclusion, §2.1.4.2 consistency) and what the
//! entry says against the envelope it should record.

use detente_log::checkpoint::Checkpoint;
use detente_log::merkle::{leaf_hash, verify_consistency, verify_inclusion};
use detente_log::policy::Policy;
use detente_log::proof::TlogProof;
use detente_proto::envelope::SignedEnvelope;
use detente_proto::ids::PartyCode;
use detente_proto::log_entry::{EntryDirection, LogEntry};

use super::keyring::Keyring;
use crate::bundle::LogProof;
use crate::naming::origin;

/// An entry proven in a checkpoint of its log.
#[derive(Debug)]
pub(crate) struct ProvenEntry {
    pub(crate) index: u64,
    pub(crate) checkpoint: Checkpoint,
    /// The witnesses that cosigned, or why the checkpoint is not witnessed.
    pub(crate) witnessed: Result<Vec<String>, String>,
}

/// Which entry a proof must be for.
pub(crate) struct Expected<'a> {
    /// The log's owner.
    pub(crate) owner: &'a PartyCode,
    /// The envelope the entry records.
    pub(crate) envelope: &'a SignedEnvelope,
    /// `sent` in the sender's log, `received` in the recipient's.
    pub(crate) direction: EntryDirection,
}

/// Checks `proof`: the entry records `expected`, is included in the
/// checkpoint, and the checkpoint's signatures verify; then whether the
/// witness policy (the caller's, or the bundle's default) is met.
/// `Err` means something is false or altered.
pub(crate) fn check(
    proof: &LogProof,
    expected: &Expected<'_>,
    keyring: &Keyring,
    policy: Option<&Policy>,
) -> Result<ProvenEntry, String> {
    let entry = LogEntry::parse(proof.entry.as_bytes()).map_err(|e| format!("entry: {e}"))?;
    let envelope = expected.envelope.envelope();
    let counterparty = match expected.direction {
        EntryDirection::Sent => &envelope.to.party,
        _ => &envelope.from.party,
    };
    if entry.direction != expected.direction
        || &entry.counterparty != counterparty
        || entry.id != envelope.id.to_string()
    {
        return Err(format!(
            "the entry records {} {} with {}, not this message",
            direction_word(entry.direction),
            entry.id,
            entry.counterparty
        ));
    }
    if entry.sha256 != expected.envelope.hash() {
        return Err(
            "the entry's sha256 is not the hash of this envelope: one of them was altered".into(),
        );
    }
    let tlog = TlogProof::parse(proof.tlog_proof.as_bytes()).map_err(|e| format!("{e}"))?;
    let signed = tlog.checkpoint();
    let checkpoint = signed.checkpoint().clone();
    let want = origin(expected.owner);
    if checkpoint.origin() != want {
        return Err(format!(
            "the proof's checkpoint is of {:?}, expected {want:?}",
            checkpoint.origin()
        ));
    }
    keyring
        .check_signatures(expected.owner, signed, policy)
        .map_err(|e| format!("checkpoint {}: {e}", checkpoint.size()))?;
    verify_inclusion(
        tlog.index(),
        checkpoint.size(),
        &leaf_hash(proof.entry.as_bytes()),
        tlog.inclusion(),
        checkpoint.root(),
    )
    .map_err(|e| {
        format!(
            "the inclusion proof of entry {} does not lead to the root of checkpoint {}: {e}",
            tlog.index(),
            checkpoint.size()
        )
    })?;
    let default;
    let policy = match policy {
        Some(policy) => Some(policy),
        None => {
            default = keyring.default_policy(expected.owner, signed)?;
            default.as_ref()
        }
    };
    let witnessed = match policy {
        None => Err("the bundle has no other party's card to witness it".to_owned()),
        Some(policy) => policy
            .verify_checkpoint(signed)
            .map(|w| {
                w.cosigned_by
                    .iter()
                    .map(|(name, _)| keyring.witness_label(name))
                    .collect()
            })
            .map_err(|e| e.to_string()),
    };
    Ok(ProvenEntry {
        index: tlog.index(),
        checkpoint,
        witnessed,
    })
}

/// Checks that `a` and `b`, two checkpoints of one log, are one history
/// (RFC 9162 §2.1.4.2), with `proof` from the smaller to the larger.
pub(crate) fn check_consistency(
    a: &Checkpoint,
    b: &Checkpoint,
    proof: &[detente_log::merkle::Hash],
) -> Result<(), String> {
    let (small, large) = if a.size() <= b.size() { (a, b) } else { (b, a) };
    if small.size() == large.size() {
        return if small.root() == large.root() {
            Ok(())
        } else {
            Err(format!(
                "two checkpoints of size {} with different roots: the log forked",
                small.size()
            ))
        };
    }
    verify_consistency(
        small.size(),
        large.size(),
        proof,
        small.root(),
        large.root(),
    )
    .map_err(|e| {
        format!(
            "checkpoint {} is not a prefix of checkpoint {}: {e}",
            small.size(),
            large.size()
        )
    })
}

fn direction_word(direction: EntryDirection) -> &'static str {
    match direction {
        EntryDirection::Sent => "sending",
        EntryDirection::Received => "receiving",
        EntryDirection::Document => "document",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use detente_log::merkle::MemoryTree;

    fn tree(n: u8, salt: u8) -> MemoryTree {
        let mut tree = MemoryTree::new();
        for i in 0..n {
            tree.append(&[i, salt]);
        }
        tree
    }

    fn checkpoint(tree: &MemoryTree, size: u64) -> Checkpoint {
        Checkpoint::new("detente.US/log/v1", size, tree.root_at(size).expect("root"))
            .expect("checkpoint")
    }

    #[test]
    fn consistency_holds_either_way_round_and_forks_are_named() {
        let t = tree(9, 0);
        let (small, large) = (checkpoint(&t, 4), checkpoint(&t, 9));
        let proof = t.consistency_proof(4, 9).expect("proof");
        check_consistency(&small, &large, &proof).expect("small to large");
        check_consistency(&large, &small, &proof).expect("given the other way round");
        check_consistency(&large, &large, &[]).expect("one checkpoint");

        let other = tree(9, 1);
        let error = check_consistency(&large, &checkpoint(&other, 9), &[]).expect_err("fork");
        assert!(error.contains("the log forked"), "{error}");
        let error =
            check_consistency(&small, &checkpoint(&other, 9), &proof).expect_err("other history");
        assert!(error.contains("is not a prefix of"), "{error}");
    }
}
