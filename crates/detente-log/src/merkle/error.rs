//! The error family of [`crate::merkle`].

use super::NodeId;

/// Why a Merkle proof was rejected, could not be generated, or a tree query
/// was out of range.
///
/// Rejections of peer input (a proof that does not verify) and misuse of the
/// API (asking for a proof beyond the tree) are distinct variants; a failing
/// hash store is [`MerkleError::Storage`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MerkleError {
    /// A leaf index is not inside the tree (`index ≥ size`).
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange {
        /// The leaf index asked for.
        index: u64,
        /// The size of the tree.
        size: u64,
    },
    /// A leaf index outside the subtree an inclusion proof is relative to.
    #[error("leaf index {index} is outside the subtree [{start}, {end})")]
    IndexOutsideSubtree {
        /// The leaf index.
        index: u64,
        /// First leaf of the subtree.
        start: u64,
        /// One past the last leaf of the subtree.
        end: u64,
    },
    /// A tree size larger than the tree that is stored.
    #[error("tree size {size} is larger than the {available} leaves available")]
    SizeBeyondTree {
        /// The size asked for.
        size: u64,
        /// How many leaves the tree holds.
        available: u64,
    },
    /// A consistency proof was asked for or presented from a larger tree to a
    /// smaller one.
    #[error("consistency proof from size {size1} to smaller size {size2}")]
    SizesOutOfOrder {
        /// The first (older) tree size.
        size1: u64,
        /// The second (newer) tree size.
        size2: u64,
    },
    /// A consistency proof from the empty tree: RFC 9162 §2.1.4 defines proofs
    /// only for `0 < size1`, because the empty tree is consistent with every
    /// tree and there is nothing to verify.
    #[error(
        "consistency proof from the empty tree (size1 = 0) to size {size2} is meaningless; \
         the empty tree is consistent with every tree"
    )]
    EmptyTreeConsistency {
        /// The second tree size.
        size2: u64,
    },
    /// A hash (leaf hash or proof element) that is not 32 bytes long.
    #[error("{what} is {len} bytes long, a SHA-256 hash is 32")]
    HashLength {
        /// Which hash: "leaf hash", "proof hash 3", ...
        what: String,
        /// Its actual length.
        len: usize,
    },
    /// A proof with the wrong number of hashes for its index and sizes.
    #[error("proof has {got} hashes, {want} are needed for {context}")]
    ProofLength {
        /// Hashes in the proof.
        got: usize,
        /// Hashes required by the tree shape.
        want: usize,
        /// The index and sizes the proof is for.
        context: String,
    },
    /// The root recomputed from an inclusion proof differs from the expected root.
    #[error(
        "inclusion proof for leaf {index} in a tree of size {size} does not lead to the expected root"
    )]
    InclusionRootMismatch {
        /// The leaf index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// The old root recomputed from a consistency proof differs from the given old root.
    #[error(
        "consistency proof from size {size1} to {size2} does not match the root of size {size1}"
    )]
    ConsistencyOldRootMismatch {
        /// The first tree size.
        size1: u64,
        /// The second tree size.
        size2: u64,
    },
    /// The new root recomputed from a consistency proof differs from the given new root.
    #[error(
        "consistency proof from size {size1} to {size2} does not match the root of size {size2}"
    )]
    ConsistencyNewRootMismatch {
        /// The first tree size.
        size1: u64,
        /// The second tree size.
        size2: u64,
    },
    /// Two trees of the same size were given different roots.
    #[error("two trees of size {size} have different roots")]
    SameSizeRootMismatch {
        /// The common size.
        size: u64,
    },
    /// A subtree `[start, end)` that is not valid per
    /// draft-ietf-plants-merkle-tree-certs §4.1 (`start < end` and `start` a
    /// multiple of the smallest power of two `≥ end - start`).
    #[error("[{start}, {end}) is not a valid subtree")]
    InvalidSubtree {
        /// First leaf of the subtree.
        start: u64,
        /// One past the last leaf of the subtree.
        end: u64,
    },
    /// The hash store answered with a different number of hashes than asked.
    #[error("hash store returned {got} hashes for {want} requested nodes")]
    StorageShortRead {
        /// Hashes returned.
        got: usize,
        /// Nodes requested.
        want: usize,
    },
    /// A node needed for a proof is not in the tree.
    #[error("{0} is not a complete subtree of the stored tree")]
    NodeMissing(NodeId),
    /// The hash store failed.
    #[error("hash store failed: {0}")]
    Storage(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
}
