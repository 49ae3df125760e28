//! Proof verification: RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2
//! (consistency), followed step by step, with the edge cases of RFC 9162
//! §2.1.4 (proofs exist only for `0 < size1 ≤ size2`) made explicit.

use super::{Hash, MerkleError, node_hash};

/// Checks a hash received from outside is 32 bytes long.
fn as_hash(bytes: &[u8], what: impl FnOnce() -> String) -> Result<&Hash, MerkleError> {
    bytes.try_into().map_err(|_| MerkleError::HashLength {
        what: what(),
        len: bytes.len(),
    })
}

fn proof_hashes<H: AsRef<[u8]>>(proof: &[H]) -> Result<Vec<&Hash>, MerkleError> {
    proof
        .iter()
        .enumerate()
        .map(|(i, h)| as_hash(h.as_ref(), || format!("proof hash {i}")))
        .collect()
}

/// Recomputes the root of a tree of `size` leaves from the leaf at `index` and
/// its inclusion proof (`PATH`), by RFC 9162 §2.1.3.2 steps 1–5.
///
/// Fails if `index ≥ size`, if a hash is not 32 bytes, or if the proof has
/// too few or too many hashes for the tree shape.
pub fn root_from_inclusion_proof<H: AsRef<[u8]>>(
    index: u64,
    size: u64,
    leaf_hash: &[u8],
    proof: &[H],
) -> Result<Hash, MerkleError> {
    // Step 1.
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    let leaf = as_hash(leaf_hash, || "leaf hash".to_owned())?;
    let proof = proof_hashes(proof)?;
    let want = inclusion_proof_len(index, size);
    if proof.len() != want {
        return Err(MerkleError::ProofLength {
            got: proof.len(),
            want,
            context: format!("leaf {index} in a tree of size {size}"),
        });
    }
    // Steps 2–4.
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        // Step 4a; unreachable after the length check, kept as the spec's guard.
        if sn == 0 {
            return Err(MerkleError::ProofLength {
                got: want + 1,
                want,
                context: format!("leaf {index} in a tree of size {size}"),
            });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    // Step 5, first half: sn must have reached 0.
    if sn != 0 {
        return Err(MerkleError::ProofLength {
            got: want,
            want: want + 1,
            context: format!("leaf {index} in a tree of size {size}"),
        });
    }
    Ok(r)
}

/// Verifies that the leaf with `leaf_hash` sits at `index` in the tree of
/// `size` leaves whose root is `root` (RFC 9162 §2.1.3.2).
pub fn verify_inclusion<H: AsRef<[u8]>>(
    index: u64,
    size: u64,
    leaf_hash: &[u8],
    proof: &[H],
    root: &[u8],
) -> Result<(), MerkleError> {
    let computed = root_from_inclusion_proof(index, size, leaf_hash, proof)?;
    if computed.as_slice() != root {
        return Err(MerkleError::InclusionRootMismatch { index, size });
    }
    Ok(())
}

/// Verifies an inclusion proof relative to the subtree `[start, end)` whose
/// hash is `subtree_root` (draft-ietf-plants-merkle-tree-certs §4.3: the proof
/// is the inclusion proof of `index - start` in the tree of the subtree's
/// `end - start` leaves).
pub fn verify_subtree_inclusion<H: AsRef<[u8]>>(
    index: u64,
    start: u64,
    end: u64,
    leaf_hash: &[u8],
    proof: &[H],
    subtree_root: &[u8],
) -> Result<(), MerkleError> {
    if !is_valid_subtree(start, end) {
        return Err(MerkleError::InvalidSubtree { start, end });
    }
    if index < start || index >= end {
        return Err(MerkleError::IndexOutsideSubtree { index, start, end });
    }
    verify_inclusion(index - start, end - start, leaf_hash, proof, subtree_root)
}

/// `[start, end)` is a valid subtree (draft-ietf-plants-merkle-tree-certs
/// §4.1): non-empty, and `start` is a multiple of `BIT_CEIL(end - start)`.
pub(crate) fn is_valid_subtree(start: u64, end: u64) -> bool {
    if start >= end {
        return false;
    }
    // u128 so that BIT_CEIL of a width above 2^63 does not overflow.
    let width = u128::from(end - start).next_power_of_two();
    u128::from(start) % width == 0
}

/// Verifies that the tree of `size2` leaves with root `root2` extends the tree
/// of `size1` leaves with root `root1` (RFC 9162 §2.1.4.2).
///
/// Edge cases, from RFC 9162 §2.1.4 (proofs are defined for `0 < m ≤ n`):
/// `size1 > size2` and `size1 = 0` are rejected; `size1 = size2` needs an
/// empty proof and identical roots.
pub fn verify_consistency<H: AsRef<[u8]>>(
    size1: u64,
    size2: u64,
    proof: &[H],
    root1: &[u8],
    root2: &[u8],
) -> Result<(), MerkleError> {
    if size1 > size2 {
        return Err(MerkleError::SizesOutOfOrder { size1, size2 });
    }
    if size1 == 0 {
        return Err(MerkleError::EmptyTreeConsistency { size2 });
    }
    if size1 == size2 {
        if !proof.is_empty() {
            return Err(MerkleError::ProofLength {
                got: proof.len(),
                want: 0,
                context: format!("trees of equal size {size1}"),
            });
        }
        if root1 != root2 {
            return Err(MerkleError::SameSizeRootMismatch { size: size1 });
        }
        return Ok(());
    }
    let first_hash = as_hash(root1, || format!("root of size {size1}"))?;
    let proof = proof_hashes(proof)?;
    let want = consistency_proof_len(size1, size2);
    let context = || format!("consistency from size {size1} to {size2}");
    // Step 1.
    if proof.len() != want {
        return Err(MerkleError::ProofLength {
            got: proof.len(),
            want,
            context: context(),
        });
    }
    // Step 2: if size1 is a power of two, its root is the first node.
    let mut path: Vec<&Hash> = Vec::with_capacity(proof.len() + 1);
    if size1.is_power_of_two() {
        path.push(first_hash);
    }
    path.extend(proof);
    // Step 3.
    let (mut fn_, mut sn) = (size1 - 1, size2 - 1);
    // Step 4.
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    // Step 5. `path` is never empty: either size1 is a power of two or the
    // proof has at least one hash (its length was checked above).
    let Some((first, rest)) = path.split_first() else {
        return Err(MerkleError::ProofLength {
            got: 0,
            want,
            context: context(),
        });
    };
    let (mut fr, mut sr) = (**first, **first);
    // Step 6.
    for c in rest {
        if sn == 0 {
            return Err(MerkleError::ProofLength {
                got: want + 1,
                want,
                context: context(),
            });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    // Step 7.
    if sn != 0 {
        return Err(MerkleError::ProofLength {
            got: want,
            want: want + 1,
            context: context(),
        });
    }
    if &fr != first_hash {
        return Err(MerkleError::ConsistencyOldRootMismatch { size1, size2 });
    }
    if sr.as_slice() != root2 {
        return Err(MerkleError::ConsistencyNewRootMismatch { size1, size2 });
    }
    Ok(())
}

/// Number of hashes in an inclusion proof for `index < size`: one per level
/// below the point where the paths to `index` and `size - 1` diverge, plus one
/// per left sibling above it.
pub(crate) fn inclusion_proof_len(index: u64, size: u64) -> usize {
    let inner = 64 - (index ^ (size - 1)).leading_zeros();
    let border = (index >> inner).count_ones();
    (inner + border) as usize
}

/// Number of hashes in a consistency proof for `0 < size1 < size2`.
pub(crate) fn consistency_proof_len(size1: u64, size2: u64) -> usize {
    // The proof is the inclusion proof of leaf size1 - 1 in the tree of
    // size2, minus the levels below the largest perfect subtree ending at
    // size1, plus that subtree's root unless it is the whole old tree.
    let shift = size1.trailing_zeros();
    let index = (size1 - 1) >> shift;
    let size = ((size2 - 1) >> shift) + 1;
    let base = if size == 1 {
        0
    } else {
        inclusion_proof_len(index, size)
    };
    let seed = usize::from(!size1.is_power_of_two());
    base + seed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtree_validity() {
        assert!(is_valid_subtree(0, 1));
        assert!(is_valid_subtree(4, 8));
        assert!(is_valid_subtree(8, 13));
        assert!(!is_valid_subtree(3, 5));
        assert!(!is_valid_subtree(2, 2));
        assert!(!is_valid_subtree(1, 9_223_372_036_854_775_810));
        assert!(is_valid_subtree(0, u64::MAX));
    }
}
