//! Proof generation: `PATH(m, D[n])` (RFC 9162 §2.1.3.1) and
//! `PROOF(m, D[n])` / `SUBPROOF(m, D[n], b)` (RFC 9162 §2.1.4.1), computed
//! against any store of complete subtree hashes.
//!
//! Generation is split in two so that a remote or tiled store can fetch
//! everything in one batch: [`inclusion_plan`] / [`consistency_plan`] list the
//! complete nodes a proof needs ([`ProofPlan::nodes`]), and
//! [`ProofPlan::assemble`] turns their hashes into the proof. At most one
//! proof element spans the incomplete right edge of the tree; it is rebuilt by
//! hashing the complete subtrees that tile that range, right to left.

use std::ops::Range;

use super::{EMPTY_ROOT, Hash, MerkleError, NodeId, largest_power_of_two_below, node_hash};

/// A store of complete subtree hashes: an in-memory tree, a database of tiles,
/// a cache in front of a remote log.
pub trait HashReader {
    /// The store's failure (I/O, a missing tile, corrupt data).
    type Error: std::error::Error + Send + Sync + 'static;

    /// Returns the hashes of `nodes`, in the same order. Every node asked for
    /// is a complete subtree of the tree the caller is proving against.
    fn read_hashes(&self, nodes: &[NodeId]) -> Result<Vec<Hash>, Self::Error>;
}

/// The stored nodes a proof needs, and how to combine them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProofPlan {
    nodes: Vec<NodeId>,
    /// `nodes[ephemeral]` fold into a single proof hash (the one incomplete
    /// subtree on the right edge); empty when every element is one node.
    ephemeral: Range<usize>,
}

impl ProofPlan {
    /// The complete nodes to read, in proof order.
    pub fn nodes(&self) -> &[NodeId] {
        &self.nodes
    }

    /// Builds the proof from the hashes of [`ProofPlan::nodes`], in order.
    pub fn assemble(&self, hashes: &[Hash]) -> Result<Vec<Hash>, MerkleError> {
        if hashes.len() != self.nodes.len() {
            return Err(MerkleError::StorageShortRead {
                got: hashes.len(),
                want: self.nodes.len(),
            });
        }
        if self.ephemeral.len() <= 1 {
            return Ok(hashes.to_vec());
        }
        let mut proof = Vec::with_capacity(hashes.len() - self.ephemeral.len() + 1);
        proof.extend_from_slice(&hashes[..self.ephemeral.start]);
        let folded = hashes[self.ephemeral.clone()]
            .iter()
            .rev()
            .copied()
            .reduce(|right, left| node_hash(&left, &right));
        proof.extend(folded);
        proof.extend_from_slice(&hashes[self.ephemeral.end..]);
        Ok(proof)
    }
}

/// Leaf ranges emitted by the recursive definitions, at most one per level.
struct Ranges {
    items: [(u64, u64); 64],
    len: usize,
}

impl Ranges {
    fn new() -> Self {
        Self {
            items: [(0, 0); 64],
            len: 0,
        }
    }

    fn push(&mut self, lo: u64, hi: u64) {
        // The recursion descends one level per step: at most 64 steps.
        if let Some(slot) = self.items.get_mut(self.len) {
            *slot = (lo, hi);
            self.len += 1;
        }
    }

    /// The recursions append each range *after* the recursive call, so the
    /// proof lists them deepest first: the reverse of the order found.
    fn into_plan(self) -> ProofPlan {
        let mut nodes = Vec::with_capacity(self.len + 8);
        let mut ephemeral = 0..0;
        for &(lo, hi) in self.items[..self.len].iter().rev() {
            let start = nodes.len();
            push_subtrees(&mut nodes, lo, hi);
            if nodes.len() - start > 1 {
                ephemeral = start..nodes.len();
            }
        }
        ProofPlan { nodes, ephemeral }
    }
}

/// Splits `[lo, hi)` into complete subtrees, largest (leftmost) first. Every
/// range the recursions emit starts at a multiple of a power of two at least
/// as large as the range, so each piece is aligned.
fn push_subtrees(nodes: &mut Vec<NodeId>, lo: u64, hi: u64) {
    let mut pos = lo;
    while pos < hi {
        let level = 63 - (hi - pos).leading_zeros();
        debug_assert_eq!(pos % (1u64 << level), 0, "unaligned subtree");
        nodes.push(NodeId::new(level as u8, pos >> level));
        pos += 1u64 << level;
    }
}

/// The nodes of `PATH(index, D[size])`, RFC 9162 §2.1.3.1: for `n > 1` and
/// `k` the largest power of two below `n`, `PATH(m, D[n]) = PATH(m, D[0:k]) :
/// MTH(D[k:n])` if `m < k`, else `PATH(m - k, D[k:n]) : MTH(D[0:k])`.
pub fn inclusion_plan(index: u64, size: u64) -> Result<ProofPlan, MerkleError> {
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    let mut ranges = Ranges::new();
    let (mut lo, mut hi) = (0u64, size);
    while hi - lo > 1 {
        let k = largest_power_of_two_below(hi - lo);
        if index - lo < k {
            ranges.push(lo + k, hi);
            hi = lo + k;
        } else {
            ranges.push(lo, lo + k);
            lo += k;
        }
    }
    Ok(ranges.into_plan())
}

/// The nodes of `PROOF(size1, D[size2])`, RFC 9162 §2.1.4.1:
/// `SUBPROOF(m, D[m], true) = {}`, `SUBPROOF(m, D[m], false) = {MTH(D[m])}`,
/// and for `m < n`: `SUBPROOF(m, D[0:k], b) : MTH(D[k:n])` if `m ≤ k`, else
/// `SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])`.
///
/// `size1 = size2` gives the empty proof, and so does `size1 = 0`: the empty
/// tree is consistent with every tree (tlog-witness sends no proof lines from
/// old size 0), although [`super::verify_consistency`] rejects that case.
pub fn consistency_plan(size1: u64, size2: u64) -> Result<ProofPlan, MerkleError> {
    if size1 > size2 {
        return Err(MerkleError::SizesOutOfOrder { size1, size2 });
    }
    let mut ranges = Ranges::new();
    if size1 > 0 {
        let (mut lo, mut hi, mut whole_old_tree) = (0u64, size2, true);
        while size1 != hi {
            let k = largest_power_of_two_below(hi - lo);
            if size1 - lo <= k {
                ranges.push(lo + k, hi);
                hi = lo + k;
            } else {
                ranges.push(lo, lo + k);
                lo += k;
                whole_old_tree = false;
            }
        }
        if !whole_old_tree {
            ranges.push(lo, hi);
        }
    }
    Ok(ranges.into_plan())
}

fn read<R: HashReader + ?Sized>(reader: &R, nodes: &[NodeId]) -> Result<Vec<Hash>, MerkleError> {
    reader
        .read_hashes(nodes)
        .map_err(|e| MerkleError::Storage(Box::new(e)))
}

/// Generates the inclusion proof of leaf `index` in the tree of `size`
/// leaves, reading complete subtree hashes from `reader`.
pub fn inclusion_proof<R: HashReader + ?Sized>(
    reader: &R,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, MerkleError> {
    let plan = inclusion_plan(index, size)?;
    plan.assemble(&read(reader, plan.nodes())?)
}

/// Generates the consistency proof from the tree of `size1` leaves to the
/// tree of `size2` leaves, reading complete subtree hashes from `reader`.
pub fn consistency_proof<R: HashReader + ?Sized>(
    reader: &R,
    size1: u64,
    size2: u64,
) -> Result<Vec<Hash>, MerkleError> {
    let plan = consistency_plan(size1, size2)?;
    plan.assemble(&read(reader, plan.nodes())?)
}

/// The Merkle Tree Hash of the first `size` leaves, from the complete subtrees
/// that tile `[0, size)` (at most one per set bit of `size`).
pub fn root_hash<R: HashReader + ?Sized>(reader: &R, size: u64) -> Result<Hash, MerkleError> {
    if size == 0 {
        return Ok(EMPTY_ROOT);
    }
    let mut nodes = Vec::with_capacity(size.count_ones() as usize);
    push_subtrees(&mut nodes, 0, size);
    let hashes = read(reader, &nodes)?;
    if hashes.len() != nodes.len() {
        return Err(MerkleError::StorageShortRead {
            got: hashes.len(),
            want: nodes.len(),
        });
    }
    Ok(fold_right(&hashes).unwrap_or(EMPTY_ROOT))
}

/// Folds the roots of consecutive complete subtrees (largest first) into the
/// hash of their union: `node(h0, node(h1, … node(h_{n-2}, h_{n-1})))`.
pub(crate) fn fold_right(hashes: &[Hash]) -> Option<Hash> {
    hashes
        .iter()
        .rev()
        .copied()
        .reduce(|right, left| node_hash(&left, &right))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inclusion_plan_for_rfc_example() {
        // RFC 9162 §2.1.5: the path for leaf d0 (a) in the 7-leaf tree is
        // [b, h, l]: leaf 1, node (1, 1), and the right edge [4, 7).
        let plan = inclusion_plan(0, 7).unwrap();
        assert_eq!(
            plan.nodes(),
            &[
                NodeId::new(0, 1),
                NodeId::new(1, 1),
                NodeId::new(1, 2),
                NodeId::new(0, 6),
            ]
        );
        assert_eq!(plan.ephemeral, 2..4);
    }

    #[test]
    fn consistency_plan_for_rfc_examples() {
        // RFC 9162 §2.1.5: PROOF(3, D[7]) = [c, d, g, l].
        let plan = consistency_plan(3, 7).unwrap();
        assert_eq!(
            plan.nodes(),
            &[
                NodeId::new(0, 2),
                NodeId::new(0, 3),
                NodeId::new(1, 0),
                NodeId::new(1, 2),
                NodeId::new(0, 6),
            ]
        );
        // PROOF(4, D[7]) = [l]; PROOF(6, D[7]) = [i, j, k].
        assert_eq!(consistency_plan(4, 7).unwrap().nodes().len(), 2);
        assert_eq!(
            consistency_plan(6, 7).unwrap().nodes(),
            &[NodeId::new(1, 2), NodeId::new(0, 6), NodeId::new(2, 0)]
        );
        assert!(consistency_plan(7, 7).unwrap().nodes().is_empty());
        assert!(consistency_plan(0, 7).unwrap().nodes().is_empty());
        assert!(consistency_plan(8, 7).is_err());
    }
}
