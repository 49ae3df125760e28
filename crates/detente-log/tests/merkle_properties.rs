//! Property tests: proofs generated for random trees verify, and any single
//! mutation of a proof or of the statement it proves makes verification fail.

use detente_log::merkle::{
    Hash, MemoryTree, leaf_hash, root_from_leaf_hashes, verify_consistency, verify_inclusion,
};
use proptest::prelude::*;
use proptest::sample::Index;

/// A tree of `n` leaves with distinct contents.
fn tree(n: u64) -> MemoryTree {
    let mut t = MemoryTree::with_capacity(n as usize);
    for i in 0..n {
        t.append(format!("leaf {i}").as_bytes());
    }
    t
}

/// One change to an inclusion proof or to the statement it proves.
#[derive(Clone, Debug)]
enum InclusionMutation {
    FlipProofBit {
        hash: Index,
        bit: u8,
    },
    DropHash(Index),
    InsertHash {
        at: Index,
        hash: Hash,
    },
    OtherIndex(Index),
    /// Another tree size, checked against that size's true root.
    OtherSize(Index),
    FlipRootBit(u8),
    FlipLeafBit(u8),
}

fn inclusion_mutation() -> impl Strategy<Value = InclusionMutation> {
    prop_oneof![
        (any::<Index>(), any::<u8>())
            .prop_map(|(hash, bit)| InclusionMutation::FlipProofBit { hash, bit }),
        any::<Index>().prop_map(InclusionMutation::DropHash),
        (any::<Index>(), any::<[u8; 32]>())
            .prop_map(|(at, hash)| InclusionMutation::InsertHash { at, hash }),
        any::<Index>().prop_map(InclusionMutation::OtherIndex),
        any::<Index>().prop_map(InclusionMutation::OtherSize),
        any::<u8>().prop_map(InclusionMutation::FlipRootBit),
        any::<u8>().prop_map(InclusionMutation::FlipLeafBit),
    ]
}

/// One change to a consistency proof or to the statement it proves.
#[derive(Clone, Debug)]
enum ConsistencyMutation {
    FlipProofBit {
        hash: Index,
        bit: u8,
    },
    DropHash(Index),
    InsertHash {
        at: Index,
        hash: Hash,
    },
    /// Another old size, checked against that size's true root.
    OtherSize1(Index),
    /// Another new size, checked against that size's true root.
    OtherSize2(Index),
    FlipRoot1Bit(u8),
    FlipRoot2Bit(u8),
}

fn consistency_mutation() -> impl Strategy<Value = ConsistencyMutation> {
    prop_oneof![
        (any::<Index>(), any::<u8>())
            .prop_map(|(hash, bit)| ConsistencyMutation::FlipProofBit { hash, bit }),
        any::<Index>().prop_map(ConsistencyMutation::DropHash),
        (any::<Index>(), any::<[u8; 32]>())
            .prop_map(|(at, hash)| ConsistencyMutation::InsertHash { at, hash }),
        any::<Index>().prop_map(ConsistencyMutation::OtherSize1),
        any::<Index>().prop_map(ConsistencyMutation::OtherSize2),
        any::<u8>().prop_map(ConsistencyMutation::FlipRoot1Bit),
        any::<u8>().prop_map(ConsistencyMutation::FlipRoot2Bit),
    ]
}

fn flip(hash: &mut Hash, bit: u8) {
    hash[usize::from(bit / 8)] ^= 1 << (bit % 8);
}

/// Picks a value in `0..n` different from `not`, if there is one.
fn other(pick: Index, n: u64, not: u64) -> Option<u64> {
    if n < 2 {
        return None;
    }
    let j = pick.index(n as usize - 1) as u64;
    Some(if j >= not { j + 1 } else { j })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn generated_inclusion_proofs_verify(n in 1u64..700, pick in any::<Index>()) {
        let t = tree(n);
        let index = pick.index(n as usize) as u64;
        let root = t.root();
        let leaves: Vec<Hash> = (0..n).map(|i| t.leaf_hash(i).unwrap()).collect();
        prop_assert_eq!(root, root_from_leaf_hashes(&leaves));
        let proof = t.inclusion_proof(index, n).unwrap();
        prop_assert!(verify_inclusion(index, n, &leaves[index as usize], &proof, &root).is_ok());
    }

    #[test]
    fn mutated_inclusion_proofs_fail(
        n in 1u64..400,
        pick in any::<Index>(),
        mutation in inclusion_mutation(),
    ) {
        let t = tree(n);
        let index = pick.index(n as usize) as u64;
        let mut proof = t.inclusion_proof(index, n).unwrap();
        let mut leaf = leaf_hash(format!("leaf {index}").as_bytes());
        let (mut at_index, mut size, mut root) = (index, n, t.root());
        match mutation.clone() {
            InclusionMutation::FlipProofBit { hash, bit } => {
                prop_assume!(!proof.is_empty());
                let k = hash.index(proof.len());
                flip(&mut proof[k], bit);
            }
            InclusionMutation::DropHash(k) => {
                prop_assume!(!proof.is_empty());
                proof.remove(k.index(proof.len()));
            }
            InclusionMutation::InsertHash { at, hash } => {
                proof.insert(at.index(proof.len() + 1), hash);
            }
            InclusionMutation::OtherIndex(j) => {
                let Some(j) = other(j, n, index) else { return Ok(()) };
                at_index = j;
            }
            InclusionMutation::OtherSize(m) => {
                // Sizes that still contain the leaf: index+1 ..= n+64.
                let span = n + 64 - index;
                let Some(m) = other(m, span, n - index - 1) else { return Ok(()) };
                size = index + 1 + m;
                let bigger = tree(size);
                root = bigger.root();
            }
            InclusionMutation::FlipRootBit(bit) => flip(&mut root, bit),
            InclusionMutation::FlipLeafBit(bit) => flip(&mut leaf, bit),
        }
        prop_assert!(
            verify_inclusion(at_index, size, &leaf, &proof, &root).is_err(),
            "{:?} of leaf {} in {} still verifies", mutation, index, n
        );
    }

    #[test]
    fn generated_consistency_proofs_verify(n in 1u64..700, pick in any::<Index>()) {
        let t = tree(n);
        let m = pick.index(n as usize) as u64 + 1;
        let proof = t.consistency_proof(m, n).unwrap();
        let (root1, root2) = (t.root_at(m).unwrap(), t.root());
        prop_assert!(verify_consistency(m, n, &proof, &root1, &root2).is_ok());
    }

    #[test]
    fn mutated_consistency_proofs_fail(
        n in 2u64..400,
        pick in any::<Index>(),
        mutation in consistency_mutation(),
    ) {
        let t = tree(n + 64);
        let m = pick.index(n as usize - 1) as u64 + 1; // 1 ..= n-1: a non-empty proof
        let mut proof = t.consistency_proof(m, n).unwrap();
        let (mut size1, mut size2) = (m, n);
        let (mut root1, mut root2) = (t.root_at(m).unwrap(), t.root_at(n).unwrap());
        match mutation.clone() {
            ConsistencyMutation::FlipProofBit { hash, bit } => {
                let k = hash.index(proof.len());
                flip(&mut proof[k], bit);
            }
            ConsistencyMutation::DropHash(k) => {
                proof.remove(k.index(proof.len()));
            }
            ConsistencyMutation::InsertHash { at, hash } => {
                proof.insert(at.index(proof.len() + 1), hash);
            }
            ConsistencyMutation::OtherSize1(j) => {
                let Some(j) = other(j, n, m - 1) else { return Ok(()) };
                size1 = j + 1;
                root1 = t.root_at(size1).unwrap();
            }
            ConsistencyMutation::OtherSize2(j) => {
                // New sizes above the old one: m+1 ..= n+64.
                let Some(j) = other(j, n + 64 - m, n - m - 1) else { return Ok(()) };
                size2 = m + 1 + j;
                root2 = t.root_at(size2).unwrap();
            }
            ConsistencyMutation::FlipRoot1Bit(bit) => flip(&mut root1, bit),
            ConsistencyMutation::FlipRoot2Bit(bit) => flip(&mut root2, bit),
        }
        prop_assert!(
            verify_consistency(size1, size2, &proof, &root1, &root2).is_err(),
            "{:?} of {} -> {} still verifies", mutation, m, n
        );
    }
}
