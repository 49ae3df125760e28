//! Scenarios of the witness state machine, one per rule of tlog-witness
//! §add-checkpoint.

use super::*;
use crate::checkpoint::Checkpoint;
use crate::merkle::MemoryTree;
use crate::note::Ed25519Signer;

const ORIGIN: &str = "detente.ru/log/v1";
const NOW: u64 = 1_700_000_000;

/// A log with a tree and a key, and a witness that trusts it.
struct World {
    tree: MemoryTree,
    log: Ed25519Signer,
    witness: Witness,
    stored: Option<WitnessRecord>,
}

impl World {
    fn new() -> Self {
        let log = Ed25519Signer::from_seed(ORIGIN, &[1; 32]).unwrap();
        let mut witness = Witness::new(vec![
            Cosigner::from_seed("un.example/witness", &[2; 32]).unwrap(),
            Cosigner::from_seed("un.example/witness-backup", &[3; 32]).unwrap(),
        ])
        .unwrap();
        witness.add_log(ORIGIN, vec![log.verifier()]).unwrap();
        Self {
            tree: MemoryTree::new(),
            log,
            witness,
            stored: None,
        }
    }

    fn grow(&mut self, n: u64) {
        for i in 0..n {
            self.tree.append(&(self.tree.size() + i).to_be_bytes());
        }
    }

    fn signed(&self, size: u64) -> SignedCheckpoint {
        let c = Checkpoint::new(ORIGIN, size, self.tree.root_at(size).unwrap()).unwrap();
        SignedCheckpoint::sign(c, &self.log).unwrap()
    }

    /// The request an honest log would send to move the witness to `size`.
    fn honest_request(&self, size: u64) -> AddCheckpointRequest {
        let old = self.stored.as_ref().map_or(0, WitnessRecord::size);
        let proof = self.tree.consistency_proof(old, size).unwrap();
        AddCheckpointRequest::new(old, proof, self.signed(size)).unwrap()
    }

    fn submit(&self, request: &AddCheckpointRequest) -> AddCheckpointOutcome {
        // Always go through the wire format, as a server would.
        let parsed = AddCheckpointRequest::parse(&request.to_bytes()).unwrap();
        self.witness
            .add_checkpoint(&parsed, self.stored.as_ref(), NOW)
            .unwrap()
    }

    /// Submits and, on success, performs the compare-and-swap.
    fn submit_and_store(&mut self, request: &AddCheckpointRequest) -> AddCheckpointOutcome {
        let outcome = self.submit(request);
        if let AddCheckpointOutcome::Cosigned(c) = &outcome {
            assert_eq!(
                c.update.previous, self.stored,
                "swap condition is the old state"
            );
            self.stored = Some(c.update.record.clone());
        }
        outcome
    }
}

#[test]
fn first_checkpoint_then_a_consistent_one_are_cosigned() {
    let mut w = World::new();
    w.grow(10);
    let out = w.submit_and_store(&w.honest_request(10));
    assert_eq!(out.status(), 200, "{}", out.explanation());
    let AddCheckpointOutcome::Cosigned(c) = &out else {
        unreachable!()
    };
    assert_eq!(c.update.expected_size(), None);
    assert_eq!(c.response.cosignatures().len(), 2);

    // The client merges the response into its checkpoint.
    let mut mine = w.signed(10);
    let response = AddCheckpointResponse::parse(&out.body()).unwrap();
    assert_eq!(
        response
            .merge_into(&mut mine, &w.witness.verifiers())
            .unwrap(),
        2
    );
    assert_eq!(mine.note().signatures().len(), 3);

    // The stored record carries the log signature and both cosignatures.
    let record = w.stored.clone().unwrap();
    assert_eq!(record.checkpoint().note().signatures().len(), 3);
    assert_eq!(
        WitnessRecord::from_bytes(&record.to_bytes()).unwrap(),
        record
    );

    w.grow(37);
    let out = w.submit_and_store(&w.honest_request(47));
    assert_eq!(out.status(), 200, "{}", out.explanation());
    assert_eq!(w.stored.as_ref().unwrap().size(), 47);
}

#[test]
fn resubmitting_the_same_checkpoint_is_cosigned_again() {
    let mut w = World::new();
    w.grow(5);
    w.submit_and_store(&w.honest_request(5));
    let out = w.submit_and_store(&w.honest_request(5));
    assert_eq!(out.status(), 200, "{}", out.explanation());
}

#[test]
fn wrong_old_size_gets_409_with_the_known_size() {
    let mut w = World::new();
    w.grow(8);
    w.submit_and_store(&w.honest_request(8));
    w.grow(4);
    let proof = w.tree.consistency_proof(5, 12).unwrap();
    let out = w.submit(&AddCheckpointRequest::new(5, proof, w.signed(12)).unwrap());
    assert_eq!(out.status(), 409);
    assert_eq!(out.content_type(), "text/x.tlog.size");
    assert_eq!(out.body(), b"8\n");
    assert_eq!(parse_size_body(&out.body()).unwrap(), 8);
    assert!(out.equivocation().is_none());

    // A client without state learns the size by sending old 0.
    let out = w.submit(&AddCheckpointRequest::new(0, vec![], w.signed(12)).unwrap());
    assert_eq!((out.status(), out.body()), (409, b"8\n".to_vec()));
}

#[test]
fn rollback_is_refused() {
    let mut w = World::new();
    w.grow(20);
    w.submit_and_store(&w.honest_request(20));
    // Claiming the witness's size as old size: old > checkpoint size.
    let out = w.submit(&AddCheckpointRequest::new(20, vec![], w.signed(15)).unwrap());
    assert_eq!(out.status(), 400, "{}", out.explanation());
    // Claiming the smaller size as old size.
    let out = w.submit(&AddCheckpointRequest::new(15, vec![], w.signed(15)).unwrap());
    assert_eq!(out.status(), 409);
    assert_eq!(w.stored.as_ref().unwrap().size(), 20);
}

#[test]
fn unknown_origin_gets_404() {
    let w = World::new();
    let other = Ed25519Signer::from_seed("elsewhere/log", &[9; 32]).unwrap();
    let c = Checkpoint::new("elsewhere/log", 0, crate::merkle::EMPTY_ROOT).unwrap();
    let out = w.submit(
        &AddCheckpointRequest::new(0, vec![], SignedCheckpoint::sign(c, &other).unwrap()).unwrap(),
    );
    assert_eq!(out.status(), 404);
}

#[test]
fn untrusted_or_bad_signatures_get_403() {
    let mut w = World::new();
    w.grow(3);
    // Signed by a different key under the log's name.
    let impostor = Ed25519Signer::from_seed(ORIGIN, &[7; 32]).unwrap();
    let c = w.signed(3).checkpoint().clone();
    let forged = SignedCheckpoint::sign(c, &impostor).unwrap();
    let out = w.submit(&AddCheckpointRequest::new(0, vec![], forged).unwrap());
    assert_eq!(out.status(), 403, "{}", out.explanation());

    // The trusted key's signature over a different text.
    let good = w.signed(3).to_bytes();
    let text_end = good.iter().position(|&b| b == b'\n').unwrap();
    let mut tampered = good.clone();
    tampered[text_end - 1] ^= 1; // flip a bit of the origin line
    let body = [b"old 0\n\n".as_slice(), &tampered].concat();
    // The origin changed, so it is unknown: 404. Tamper the size line instead.
    assert_eq!(
        AddCheckpointRequest::parse(&body)
            .map(|r| w.submit(&r).status())
            .unwrap(),
        404
    );
    let mut tampered = good;
    tampered[text_end + 1] = b'4';
    let req = AddCheckpointRequest::parse(&[b"old 0\n\n".as_slice(), &tampered].concat()).unwrap();
    assert_eq!(w.submit(&req).status(), 403);
}

#[test]
fn empty_tree_rules_get_422() {
    let mut w = World::new();
    let c = Checkpoint::new(ORIGIN, 0, [1; 32]).unwrap();
    let bad_root = SignedCheckpoint::sign(c, &w.log).unwrap();
    let out = w.submit(&AddCheckpointRequest::new(0, vec![], bad_root).unwrap());
    assert_eq!(out.status(), 422);
    assert!(matches!(
        out,
        AddCheckpointOutcome::Unprocessable(Unprocessable::EmptyTreeRoot)
    ));

    w.grow(4);
    let out = w.submit(&AddCheckpointRequest::new(0, vec![[0; 32]], w.signed(4)).unwrap());
    assert!(matches!(
        out,
        AddCheckpointOutcome::Unprocessable(Unprocessable::ProofFromEmptyTree { lines: 1 })
    ));
    let out = w.submit(&w.honest_request(0));
    assert_eq!(out.status(), 200, "the empty tree itself is fine");
}

#[test]
fn a_bad_consistency_proof_gets_422() {
    let mut w = World::new();
    w.grow(6);
    w.submit_and_store(&w.honest_request(6));
    w.grow(5);
    let mut proof = w.tree.consistency_proof(6, 11).unwrap();
    proof[0][0] ^= 1;
    let out = w.submit(&AddCheckpointRequest::new(6, proof, w.signed(11)).unwrap());
    assert_eq!(out.status(), 422);
    let AddCheckpointOutcome::InconsistentProof(evidence) = out else {
        panic!("expected InconsistentProof")
    };
    assert_eq!(evidence.stored.checkpoint().size(), 6);
    assert_eq!(evidence.submitted.checkpoint().size(), 11);
}

#[test]
fn a_fork_of_the_same_size_is_equivocation() {
    let mut w = World::new();
    w.grow(9);
    w.submit_and_store(&w.honest_request(9));
    // The log signs a second tree of size 9 with different content.
    let mut fork = MemoryTree::new();
    for i in 0..9u64 {
        fork.append(&(1000 + i).to_be_bytes());
    }
    let c = Checkpoint::new(ORIGIN, 9, fork.root()).unwrap();
    let forked = SignedCheckpoint::sign(c, &w.log).unwrap();

    let out = w.submit(&AddCheckpointRequest::new(9, vec![], forked.clone()).unwrap());
    assert_eq!(out.status(), 422);
    let evidence = out.equivocation().expect("equivocation evidence");
    assert_eq!(evidence.size, 9);
    let log_key = w.log.verifier();
    evidence.check(&[&log_key]).unwrap();

    // Sending a wrong old size does not hide the fork.
    let out = w.submit(&AddCheckpointRequest::new(0, vec![], forked).unwrap());
    assert_eq!(out.status(), 409);
    assert!(out.equivocation().is_some());
    assert_eq!(
        w.stored.as_ref().unwrap().root(),
        &w.tree.root_at(9).unwrap()
    );
}

#[test]
fn concurrent_requests_resolve_by_compare_and_swap() {
    let mut w = World::new();
    w.grow(4);
    w.submit_and_store(&w.honest_request(4));
    w.grow(4);
    let (a, b) = (w.honest_request(6), w.honest_request(8));
    // Both are checked against the same stored state...
    let (AddCheckpointOutcome::Cosigned(ca), AddCheckpointOutcome::Cosigned(cb)) =
        (w.submit(&a), w.submit(&b))
    else {
        panic!("both are consistent with the stored state");
    };
    assert_eq!(
        (ca.update.expected_size(), cb.update.expected_size()),
        (Some(4), Some(4))
    );
    // ...B's swap commits first; A's swap then fails (stored size is now 8),
    // so A is processed again and refused instead of rolling back.
    w.stored = Some(cb.update.record.clone());
    assert_ne!(
        w.stored.as_ref().map(WitnessRecord::size),
        ca.update.expected_size()
    );
    assert_eq!(w.submit(&a).status(), 409);
}

#[test]
fn malformed_bodies_get_400_and_misuse_is_an_error() {
    let err = AddCheckpointRequest::parse(b"old x\n\n").unwrap_err();
    let out = AddCheckpointOutcome::BadRequest(err);
    assert_eq!(out.status(), 400);
    assert!(
        String::from_utf8(out.body())
            .unwrap()
            .contains("old size line")
    );

    let mut w = World::new();
    w.grow(1);
    let req = w.honest_request(1);
    assert!(matches!(
        w.witness.add_checkpoint(&req, None, 0),
        Err(WitnessError::InvalidTimestamp(0))
    ));
    let elsewhere = WitnessRecord {
        checkpoint: SignedCheckpoint::sign(
            Checkpoint::new("other", 0, crate::merkle::EMPTY_ROOT).unwrap(),
            &w.log,
        )
        .unwrap(),
    };
    assert!(matches!(
        w.witness.add_checkpoint(&req, Some(&elsewhere), NOW),
        Err(WitnessError::RecordForOtherOrigin { .. })
    ));
    assert!(Witness::new(vec![]).is_err());
}

#[test]
fn monitoring_path_is_the_hex_origin_hash() {
    assert_eq!(
        monitoring_path("example.com/behind-the-sofa"),
        format!("{}/checkpoint", {
            let d = Sha256::digest(b"example.com/behind-the-sofa");
            d.iter().map(|b| format!("{b:02x}")).collect::<String>()
        })
    );
    assert_eq!(monitoring_path("").len(), 64 + "/checkpoint".len());
}

/// Known answer: the persisted witness record (and so the cosignature/v1
/// wire format) for fixed keys, tree and clock. If this changes, stored
/// records and issued cosignatures no longer match: bump a format version.
#[test]
fn kat_witness_record_stability() {
    let log = Ed25519Signer::from_seed(ORIGIN, &[1; 32]).unwrap();
    let cosigner = Cosigner::from_seed("un.example/witness", &[2; 32]).unwrap();
    let mut witness = Witness::new(vec![cosigner]).unwrap();
    witness.add_log(ORIGIN, vec![log.verifier()]).unwrap();
    let mut tree = MemoryTree::new();
    tree.append_batch([&b"a"[..], b"b", b"c"]);
    let c = Checkpoint::new(ORIGIN, 3, tree.root()).unwrap();
    let request =
        AddCheckpointRequest::new(0, vec![], SignedCheckpoint::sign(c, &log).unwrap()).unwrap();
    let AddCheckpointOutcome::Cosigned(cosigned) =
        witness.add_checkpoint(&request, None, NOW).unwrap()
    else {
        panic!("refused")
    };
    // Cross-checked with an independent Ed25519 implementation (Python
    // `cryptography`): root, key IDs, both signatures and the 76-byte layout.
    let want = "detente.ru/log/v1\n\
        3\n\
        NmQuc8JUCrEh46a/lUWwokmCzYMOsT080Z3jzmwCHsE=\n\
        \n\
        \u{2014} detente.ru/log/v1 eJlHmdnst8EbwTZAAKv9JGH8InOb7H1j8dPuzozZj3yAKtk/GEYKcSWZbjb6VUZy/tuLS3MZf68PYItz3GmgDMv0/AI=\n\
        \u{2014} un.example/witness WwRL/AAAAABlU/EAKqRK2QjfOJrAeIlc6X++l6jUGEf1lYwOv0L21964XwL2oFMUIMai7Y2DVxKzedoo7nuwoCjoHhFf+TgLLFs/BQ==\n";
    assert_eq!(
        String::from_utf8(cosigned.update.record.to_bytes()).unwrap(),
        want
    );
    assert_eq!(
        WitnessRecord::from_bytes(want.as_bytes()).unwrap(),
        cosigned.update.record
    );
}
