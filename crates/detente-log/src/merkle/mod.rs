//! Merkle Tree Hashes and proofs — RFC 6962 §2.1, as restated in RFC 9162 §2.1.
//!
//! * Hashing (RFC 9162 §2.1.1): the leaf hash is `SHA-256(0x00 ‖ d)`, the
//!   interior node hash is `SHA-256(0x01 ‖ left ‖ right)`, and the hash of the
//!   empty tree is `SHA-256("")`. For `n > 1` leaves, with `k` the largest power
//!   of two smaller than `n`, `MTH(D[n]) = node(MTH(D[0:k]), MTH(D[k:n]))`.
//! * Inclusion proofs: generation follows `PATH(m, D[n])` of RFC 9162
//!   §2.1.3.1 ([`inclusion_proof`]); verification is the algorithm of
//!   §2.1.3.2 ([`verify_inclusion`]).
//! * Consistency proofs: generation follows `PROOF(m, D[n])` / `SUBPROOF` of
//!   §2.1.4.1 ([`consistency_proof`]); verification is the algorithm of
//!   §2.1.4.2 ([`verify_consistency`]).
//! * Subtree inclusion (draft-ietf-plants-merkle-tree-certs §4.1, §4.3): an
//!   inclusion proof relative to a valid subtree `[start, end)`
//!   ([`verify_subtree_inclusion`]).
//!
//! Proof generation reads stored hashes through the [`HashReader`] trait, which
//! addresses only *complete* subtrees by `(level, index)` ([`NodeId`]): exactly
//! what a tile store (see [`crate::tiles`]) or an in-memory tree
//! ([`MemoryTree`]) holds. The hashes a proof needs that span an incomplete
//! right edge are recomputed from complete subtrees ([`ProofPlan`]).
//!
//! Verification is pure and takes hashes as byte slices, because a hash
//! received from a peer has not yet been shown to be 32 bytes long; any proof
//! or leaf hash of the wrong length is rejected.

mod error;
mod memory;
mod prove;
mod verify;

pub use error::MerkleError;
pub use memory::{MemoryTree, NodeNotStored};
pub use prove::{
    HashReader, ProofPlan, consistency_plan, consistency_proof, inclusion_plan, inclusion_proof,
    root_hash,
};
pub use verify::{
    root_from_inclusion_proof, verify_consistency, verify_inclusion, verify_subtree_inclusion,
};

use sha2::{Digest, Sha256};

/// Length in bytes of every hash in the tree (SHA-256).
pub const HASH_SIZE: usize = 32;

/// A SHA-256 hash: a leaf hash, an interior node hash or a root.
pub type Hash = [u8; HASH_SIZE];

/// `SHA-256("")`, the Merkle Tree Hash of the empty tree (RFC 9162 §2.1.1).
pub const EMPTY_ROOT: Hash = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// The leaf hash `SHA-256(0x00 ‖ data)` of one log entry.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    h.finalize().into()
}

/// The interior node hash `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The Merkle Tree Hash of a whole list of leaf hashes, by the recursive
/// definition of RFC 9162 §2.1.1. O(n); meant for references and tests —
/// [`MemoryTree`] computes roots in O(log n).
pub fn root_from_leaf_hashes(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => EMPTY_ROOT,
        1 => leaves[0],
        n => {
            let k = largest_power_of_two_below(n as u64) as usize;
            node_hash(
                &root_from_leaf_hashes(&leaves[..k]),
                &root_from_leaf_hashes(&leaves[k..]),
            )
        }
    }
}

/// A complete (perfect) subtree of the log: the `index`-th node at `level`,
/// whose hash is the Merkle Tree Hash of leaves
/// `[index · 2^level, (index + 1) · 2^level)`. Level 0 nodes are leaf hashes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    /// Height of the subtree: it spans `2^level` leaves.
    pub level: u8,
    /// Position of the subtree among the subtrees of this level, from the left.
    pub index: u64,
}

impl NodeId {
    /// The node at `level` and `index`.
    pub const fn new(level: u8, index: u64) -> Self {
        Self { level, index }
    }

    /// The leaf range `[start, end)` this node covers, or `None` if it does not
    /// fit in 64-bit leaf indexes.
    pub fn leaf_range(self) -> Option<(u64, u64)> {
        let width = 1u64.checked_shl(u32::from(self.level))?;
        let start = self.index.checked_mul(width)?;
        Some((start, start.checked_add(width)?))
    }
}

impl std::fmt::Display for NodeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "node (level {}, index {})", self.level, self.index)
    }
}

/// The largest power of two strictly smaller than `n` (`n > 1`), the split
/// point `k` of RFC 9162 §2.1.1.
pub(crate) fn largest_power_of_two_below(n: u64) -> u64 {
    debug_assert!(n > 1);
    1u64 << (63 - (n - 1).leading_zeros())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(EMPTY_ROOT, <[u8; 32]>::from(Sha256::digest(b"")));
        assert_eq!(root_from_leaf_hashes(&[]), EMPTY_ROOT);
    }

    #[test]
    fn rfc6962_reference_roots() {
        // Leaves and roots of the reference tree used throughout RFC 6962
        // test suites (transparency-dev/merkle testonly/constants.go).
        let leaves: [&[u8]; 8] = [
            b"",
            b"\x00",
            b"\x10",
            b"\x20\x21",
            b"\x30\x31",
            b"\x40\x41\x42\x43",
            b"\x50\x51\x52\x53\x54\x55\x56\x57",
            b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
        ];
        let roots = [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ];
        let hashes: Vec<Hash> = leaves.iter().map(|d| leaf_hash(d)).collect();
        for (n, want) in roots.iter().enumerate() {
            let got = root_from_leaf_hashes(&hashes[..=n]);
            let got: String = got.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(&got, want, "root of the first {} leaves", n + 1);
        }
    }

    #[test]
    fn split_point() {
        assert_eq!(largest_power_of_two_below(2), 1);
        assert_eq!(largest_power_of_two_below(3), 2);
        assert_eq!(largest_power_of_two_below(4), 2);
        assert_eq!(largest_power_of_two_below(5), 4);
        assert_eq!(largest_power_of_two_below(u64::MAX), 1 << 63);
    }
}
