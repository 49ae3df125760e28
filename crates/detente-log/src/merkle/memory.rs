//! [`MemoryTree`]: an append-only Merkle tree held in memory, storing every
//! complete subtree hash so that roots and proofs for any past size cost
//! O(log n) hash lookups.

use super::{
    EMPTY_ROOT, Hash, HashReader, MerkleError, NodeId, consistency_proof, inclusion_proof,
    leaf_hash, node_hash,
};

/// An in-memory append-only Merkle tree (RFC 9162 §2.1).
///
/// `levels[l][i]` is the hash of the complete subtree [`NodeId`] `(l, i)`.
/// Appending a leaf adds one hash at level 0 and, when it completes a pair,
/// one at each level above: amortised two hash computations per leaf. Memory
/// is about 64 bytes per leaf.
#[derive(Clone, Debug, Default)]
pub struct MemoryTree {
    levels: Vec<Vec<Hash>>,
}

impl MemoryTree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty tree with room for `leaves` leaves before reallocating.
    pub fn with_capacity(leaves: usize) -> Self {
        let mut levels = Vec::new();
        let mut n = leaves;
        while n > 0 {
            levels.push(Vec::with_capacity(n));
            n /= 2;
        }
        Self { levels }
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// Forgets every leaf from `size` on, as if they had never been appended
    /// (a sequencer undoing a batch its store refused). No-op if `size` is
    /// not smaller than the tree.
    pub fn truncate(&mut self, size: u64) {
        for (level, row) in self.levels.iter_mut().enumerate() {
            let keep = usize::try_from(size >> level).unwrap_or(usize::MAX);
            row.truncate(keep);
        }
        while self.levels.last().is_some_and(Vec::is_empty) {
            self.levels.pop();
        }
    }

    /// Appends one entry (hashing it as a leaf) and returns its index.
    pub fn append(&mut self, entry: &[u8]) -> u64 {
        self.append_leaf_hash(leaf_hash(entry))
    }

    /// Appends a leaf by its leaf hash and returns its index.
    pub fn append_leaf_hash(&mut self, hash: Hash) -> u64 {
        let index = self.size();
        let mut level = 0;
        let mut hash = hash;
        loop {
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            let row = &mut self.levels[level];
            row.push(hash);
            let n = row.len();
            // An even count means this node completed a pair: its parent is new.
            if n % 2 == 1 {
                break;
            }
            hash = node_hash(&row[n - 2], &row[n - 1]);
            level += 1;
        }
        index
    }

    /// Appends several entries (a batch) and returns the index of the first.
    pub fn append_batch<'a, I>(&mut self, entries: I) -> u64
    where
        I: IntoIterator<Item = &'a [u8]>,
    {
        let first = self.size();
        for entry in entries {
            self.append(entry);
        }
        first
    }

    /// The hash of a complete subtree, if the tree holds it.
    pub fn node(&self, node: NodeId) -> Option<Hash> {
        let row = self.levels.get(usize::from(node.level))?;
        row.get(usize::try_from(node.index).ok()?).copied()
    }

    /// The leaf hash at `index`, if present.
    pub fn leaf_hash(&self, index: u64) -> Option<Hash> {
        self.node(NodeId::new(0, index))
    }

    /// The root at the current size.
    pub fn root(&self) -> Hash {
        self.root_at(self.size()).unwrap_or(EMPTY_ROOT)
    }

    /// The root the tree had when it held `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Hash, MerkleError> {
        self.check_size(size)?;
        // Walk the set bits of `size` from the smallest subtree (rightmost) up.
        let mut acc: Option<Hash> = None;
        let mut pos = size;
        let mut level = 0u8;
        while pos > 0 {
            if size & (1u64 << level) != 0 {
                pos -= 1u64 << level;
                let id = NodeId::new(level, pos >> level);
                let hash = self.node(id).ok_or(MerkleError::NodeMissing(id))?;
                acc = Some(match acc {
                    None => hash,
                    Some(right) => node_hash(&hash, &right),
                });
            }
            level += 1;
        }
        Ok(acc.unwrap_or(EMPTY_ROOT))
    }

    /// The inclusion proof of leaf `index` in the tree of `size` leaves.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, MerkleError> {
        self.check_size(size)?;
        inclusion_proof(self, index, size)
    }

    /// The consistency proof from the tree of `size1` leaves to `size2` leaves.
    pub fn consistency_proof(&self, size1: u64, size2: u64) -> Result<Vec<Hash>, MerkleError> {
        self.check_size(size2)?;
        consistency_proof(self, size1, size2)
    }

    fn check_size(&self, size: u64) -> Result<(), MerkleError> {
        let available = self.size();
        if size > available {
            return Err(MerkleError::SizeBeyondTree { size, available });
        }
        Ok(())
    }
}

/// [`MemoryTree`] was asked for a node it does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not stored in the in-memory tree")]
pub struct NodeNotStored(pub NodeId);

impl HashReader for MemoryTree {
    type Error = NodeNotStored;

    fn read_hashes(&self, nodes: &[NodeId]) -> Result<Vec<Hash>, Self::Error> {
        nodes
            .iter()
            .map(|&id| self.node(id).ok_or(NodeNotStored(id)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{root_from_leaf_hashes, root_hash, verify_consistency, verify_inclusion};

    fn tree(n: u64) -> (MemoryTree, Vec<Hash>) {
        let mut t = MemoryTree::new();
        let mut leaves = Vec::new();
        for i in 0..n {
            let data = i.to_be_bytes();
            leaves.push(leaf_hash(&data));
            assert_eq!(t.append(&data), i);
        }
        (t, leaves)
    }

    #[test]
    fn roots_match_the_recursive_definition_at_every_size() {
        let (t, leaves) = tree(70);
        for size in 0..=70u64 {
            let want = root_from_leaf_hashes(&leaves[..size as usize]);
            assert_eq!(t.root_at(size).unwrap(), want, "size {size}");
            assert_eq!(root_hash(&t, size).unwrap(), want, "size {size}");
        }
        assert!(t.root_at(71).is_err());
    }

    #[test]
    fn every_proof_in_small_trees_verifies() {
        let (t, leaves) = tree(33);
        for size in 1..=33u64 {
            let root = t.root_at(size).unwrap();
            for index in 0..size {
                let proof = t.inclusion_proof(index, size).unwrap();
                verify_inclusion(index, size, &leaves[index as usize], &proof, &root)
                    .unwrap_or_else(|e| panic!("leaf {index} of {size}: {e}"));
            }
            for size1 in 1..=size {
                let proof = t.consistency_proof(size1, size).unwrap();
                let root1 = t.root_at(size1).unwrap();
                verify_consistency(size1, size, &proof, &root1, &root)
                    .unwrap_or_else(|e| panic!("{size1} -> {size}: {e}"));
            }
        }
    }

    #[test]
    fn proofs_beyond_the_tree_are_refused() {
        let (t, _) = tree(5);
        assert!(matches!(
            t.inclusion_proof(5, 5),
            Err(MerkleError::IndexOutOfRange { .. })
        ));
        assert!(matches!(
            t.inclusion_proof(0, 6),
            Err(MerkleError::SizeBeyondTree { .. })
        ));
        assert!(matches!(
            t.consistency_proof(4, 3),
            Err(MerkleError::SizesOutOfOrder { .. })
        ));
    }
}

#[cfg(test)]
mod truncate_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn truncating_then_reappending_gives_the_same_tree(total in 1u64..300, cut in 0u64..300) {
            let cut = cut.min(total);
            let leaf = |i: u64| i.to_be_bytes();
            let mut tree = MemoryTree::new();
            for i in 0..total { tree.append(&leaf(i)); }
            let full_root = tree.root();
            tree.truncate(cut);
            prop_assert_eq!(tree.size(), cut);
            let mut fresh = MemoryTree::new();
            for i in 0..cut { fresh.append(&leaf(i)); }
            prop_assert_eq!(tree.root(), fresh.root());
            for i in cut..total { tree.append(&leaf(i)); }
            prop_assert_eq!(tree.root(), full_root);
        }
    }
}
