//! Tiled logs — C2SP `tlog-tiles`, §Merkle Tree, §Partial Tiles and §Log
//! entries.
//!
//! * A tile at level `L`, index `N` holds up to 256 consecutive hashes of
//!   tree level `8·L`: `MTH(D[(N·256 + i)·256^L : (N·256 + i + 1)·256^L])`.
//!   Level 0 tiles hold leaf hashes; each hash of a level `L + 1` tile is the
//!   root of a *full* level `L` tile.
//! * Paths: `tile/<L>/<N>[.p/<W>]` with `L` in 0..=63 and `W` in 1..=255,
//!   both without leading zeroes, and `N` in zero-padded 3-digit path
//!   elements, all but the last prefixed with `x` (`1234067` →
//!   `x001/x234/067`). Entry bundles are `tile/entries/<N>[.p/<W>]`.
//! * The partial tile at level `L` of a tree of size `s` has
//!   `floor(s / 256^L) mod 256` hashes; empty tiles do not exist.
//! * Entry bundles are sequences of big-endian `u16` length-prefixed entries
//!   ([`encode_entry_bundle`], [`decode_entry_bundle`]).
//!
//! Tiles only store complete subtrees, so any [`NodeId`] of a tree of size
//! `s` lies inside one tile available at that size ([`tile_for_node`]);
//! [`TileHashReader`] turns any [`TileSource`] into a [`HashReader`], so
//! proofs are generated from tiles with the same code as from memory.
//!
//! Paths are relative to the log prefix and never start with `/`.

mod encoding;
mod reader;

pub use encoding::{
    decode_entry_bundle, decode_hash_tile, encode_entry_bundle, encode_hash_tile, hash_entry_bundle,
};
pub use reader::{TileHashReader, TileReadError, TileSource};

use crate::merkle::{HashReader, NodeId};
use crate::text::quote;

/// Tree levels per tile: a tile is a subtree of height 8.
pub const TILE_HEIGHT: u8 = 8;

/// Hashes in a full tile (2^8), and entries in a full bundle.
pub const FULL_WIDTH: u16 = 256;

/// Largest tile level allowed in a path.
pub const MAX_LEVEL: u8 = 63;

/// Why a tile path, tile or entry bundle was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TileError {
    /// A path that is not `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`.
    #[error("tile path {path} is malformed: {reason}")]
    MalformedPath {
        /// The path, quoted and shortened.
        path: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A tile level above 63.
    #[error("tile level {0} is above 63")]
    LevelOutOfRange(u32),
    /// A tile width outside 1..=256.
    #[error("tile width {0} is outside 1..=256")]
    WidthOutOfRange(u32),
    /// A hash tile whose length is not `32 × width`.
    #[error("hash tile is {len} bytes, expected {want} (width {width})")]
    HashTileLength {
        /// Bytes received.
        len: usize,
        /// Bytes expected.
        want: usize,
        /// The tile width.
        width: u16,
    },
    /// An entry bundle that is truncated or has extra bytes.
    #[error("entry bundle is malformed: {reason} (after {entries} entries)")]
    MalformedBundle {
        /// What is wrong with it.
        reason: &'static str,
        /// Entries decoded before the problem.
        entries: usize,
    },
    /// An entry bundle with a different number of entries than expected.
    #[error("entry bundle holds {got} entries, expected {want}")]
    BundleWidth {
        /// Entries in the bundle.
        got: usize,
        /// Entries expected.
        want: usize,
    },
    /// An entry longer than a `u16` length prefix allows.
    #[error("entry {index} is {len} bytes; entries are at most 65535 bytes")]
    EntryTooLong {
        /// Position in the bundle.
        index: usize,
        /// Its length.
        len: usize,
    },
    /// A bundle or tile with more than 256 items, or none.
    #[error("{0} items do not fit in a tile (1 to 256)")]
    TooManyItems(usize),
    /// A node that is not a complete subtree of the tree of that size.
    #[error("{node} is not a complete subtree of a tree of size {tree_size}")]
    NodeNotInTree {
        /// The node.
        node: NodeId,
        /// The tree size.
        tree_size: u64,
    },
}

/// A hash tile (or, through [`Tile::entries_path`], the matching entry
/// bundle): level, index, and width (1..=256; 256 is a full tile).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tile {
    level: u8,
    index: u64,
    width: u16,
}

impl Tile {
    /// A tile; `level ≤ 63` and `1 ≤ width ≤ 256`.
    pub fn new(level: u8, index: u64, width: u16) -> Result<Self, TileError> {
        if level > MAX_LEVEL {
            return Err(TileError::LevelOutOfRange(level.into()));
        }
        if width == 0 || width > FULL_WIDTH {
            return Err(TileError::WidthOutOfRange(width.into()));
        }
        Ok(Self {
            level,
            index,
            width,
        })
    }

    /// The tile `(level, index)` as it exists in a tree of `tree_size`
    /// leaves: full, partial, or `None` if it does not exist yet.
    pub fn in_tree(level: u8, index: u64, tree_size: u64) -> Option<Self> {
        let count = hashes_at_level(level, tree_size);
        let full_tiles = count / u64::from(FULL_WIDTH);
        let width = if index < full_tiles {
            FULL_WIDTH
        } else if index == full_tiles && !count.is_multiple_of(u64::from(FULL_WIDTH)) {
            (count % u64::from(FULL_WIDTH)) as u16
        } else {
            return None;
        };
        Self::new(level, index, width).ok()
    }

    /// The tile level.
    pub fn level(&self) -> u8 {
        self.level
    }

    /// The tile index within its level.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The number of hashes (or entries) in the tile.
    pub fn width(&self) -> u16 {
        self.width
    }

    /// Whether the tile is partial (fewer than 256 hashes).
    pub fn is_partial(&self) -> bool {
        self.width < FULL_WIDTH
    }

    /// The tree nodes whose hashes the tile holds, in order.
    pub fn nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        let level = self.level * TILE_HEIGHT;
        let first = self.index.saturating_mul(u64::from(FULL_WIDTH));
        (0..u64::from(self.width)).map(move |i| NodeId::new(level, first.saturating_add(i)))
    }

    /// `tile/<L>/<N>[.p/<W>]`.
    pub fn path(&self) -> String {
        format!(
            "tile/{}/{}{}",
            self.level,
            encode_index(self.index),
            self.width_suffix()
        )
    }

    /// `tile/entries/<N>[.p/<W>]`: the entry bundle of a level-0 tile.
    pub fn entries_path(&self) -> String {
        format!(
            "tile/entries/{}{}",
            encode_index(self.index),
            self.width_suffix()
        )
    }

    fn width_suffix(&self) -> String {
        if self.is_partial() {
            format!(".p/{}", self.width)
        } else {
            String::new()
        }
    }

    /// Reads the tile's hashes from a hash store (e.g. to publish tiles from
    /// a [`crate::merkle::MemoryTree`]) and encodes them.
    pub fn encode_from<R: HashReader + ?Sized>(&self, reader: &R) -> Result<Vec<u8>, R::Error> {
        let nodes: Vec<NodeId> = self.nodes().collect();
        Ok(encode_hash_tile(&reader.read_hashes(&nodes)?))
    }
}

/// Number of hashes stored at tree level `8·level` for `tree_size` leaves.
fn hashes_at_level(level: u8, tree_size: u64) -> u64 {
    tree_size
        .checked_shr(u32::from(level) * u32::from(TILE_HEIGHT))
        .unwrap_or(0)
}

/// A parsed tile path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TilePath {
    /// `tile/<L>/<N>[.p/<W>]`.
    Hashes(Tile),
    /// `tile/entries/<N>[.p/<W>]`; the tile is the matching level-0 tile.
    Entries(Tile),
}

impl TilePath {
    /// Parses a path relative to the log prefix, strictly: the encoding of a
    /// tile is unique, and any other spelling is rejected.
    pub fn parse(path: &str) -> Result<Self, TileError> {
        let bad = |reason| TileError::MalformedPath {
            path: quote(path),
            reason,
        };
        let rest = path
            .strip_prefix("tile/")
            .ok_or(bad("does not start with tile/"))?;
        let (level, rest) = rest.split_once('/').ok_or(bad("missing tile index"))?;
        let (index, width) = match rest.split_once(".p/") {
            Some((index, width)) => {
                let width = parse_small(width).ok_or(bad("width is not a decimal"))?;
                if width == 0 || width >= u32::from(FULL_WIDTH) {
                    return Err(TileError::WidthOutOfRange(width));
                }
                (index, width as u16)
            }
            None => (rest, FULL_WIDTH),
        };
        let index = parse_index(index).ok_or(bad("index is not x-prefixed 3-digit groups"))?;
        if level == "entries" {
            return Ok(Self::Entries(Tile::new(0, index, width)?));
        }
        let level = parse_small(level).ok_or(bad("level is not a decimal or \"entries\""))?;
        if level > u32::from(MAX_LEVEL) {
            return Err(TileError::LevelOutOfRange(level));
        }
        Ok(Self::Hashes(Tile::new(level as u8, index, width)?))
    }

    /// The tile (for entries, the level-0 tile with the same index and width).
    pub fn tile(&self) -> Tile {
        match self {
            Self::Hashes(t) | Self::Entries(t) => *t,
        }
    }
}

impl std::fmt::Display for TilePath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Hashes(t) => f.write_str(&t.path()),
            Self::Entries(t) => f.write_str(&t.entries_path()),
        }
    }
}

/// A decimal without leading zeroes, at most three digits (levels, widths).
fn parse_small(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if s.len() > 1 && s.starts_with('0') {
        return None;
    }
    s.parse().ok()
}

/// Encodes a tile index as 3-digit groups, `x`-prefixed except the last.
pub fn encode_index(index: u64) -> String {
    let mut groups = Vec::new();
    let mut n = index;
    loop {
        groups.push(n % 1000);
        n /= 1000;
        if n == 0 {
            break;
        }
    }
    let mut out = String::with_capacity(groups.len() * 5);
    for (i, group) in groups.iter().rev().enumerate() {
        if i + 1 < groups.len() {
            out.push_str(&format!("x{group:03}/"));
        } else {
            out.push_str(&format!("{group:03}"));
        }
    }
    out
}

/// Parses an encoded tile index; non-canonical spellings (`x000/005` for
/// `005`) are rejected so each tile has exactly one path.
pub fn parse_index(s: &str) -> Option<u64> {
    let groups: Vec<&str> = s.split('/').collect();
    let (last, leading) = groups.split_last()?;
    let mut n: u64 = 0;
    for (i, group) in leading.iter().enumerate() {
        let digits = group.strip_prefix('x')?;
        let value = three_digits(digits)?;
        if i == 0 && value == 0 {
            return None;
        }
        n = n.checked_mul(1000)?.checked_add(value)?;
    }
    n.checked_mul(1000)?.checked_add(three_digits(last)?)
}

fn three_digits(s: &str) -> Option<u64> {
    if s.len() != 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The tile that holds `node` in a tree of `tree_size` leaves, and the
/// position and count of the tile hashes that make up the node (a node at
/// level `8·L + r` is the root of `2^r` consecutive hashes of a level-`L`
/// tile).
pub fn tile_for_node(node: NodeId, tree_size: u64) -> Result<(Tile, usize, usize), TileError> {
    let not_in_tree = TileError::NodeNotInTree { node, tree_size };
    let end = node.leaf_range().ok_or(not_in_tree.clone())?.1;
    if end > tree_size {
        return Err(not_in_tree);
    }
    let level = node.level / TILE_HEIGHT;
    let r = u32::from(node.level % TILE_HEIGHT);
    // Position of the node's first hash at tree level 8·L.
    let first = node.index.checked_shl(r).ok_or(not_in_tree.clone())?;
    let tile_index = first / u64::from(FULL_WIDTH);
    let position = (first % u64::from(FULL_WIDTH)) as usize;
    let count = 1usize << r;
    let tile = Tile::in_tree(level, tile_index, tree_size).ok_or(not_in_tree.clone())?;
    if position + count > usize::from(tile.width) {
        return Err(not_in_tree);
    }
    Ok((tile, position, count))
}

/// The distinct tiles needed to read `nodes` (e.g. a
/// [`crate::merkle::ProofPlan`]) at `tree_size`, in first-use order.
pub fn tiles_for_nodes(nodes: &[NodeId], tree_size: u64) -> Result<Vec<Tile>, TileError> {
    let mut tiles: Vec<Tile> = Vec::new();
    for &node in nodes {
        let (tile, _, _) = tile_for_node(node, tree_size)?;
        if !tiles.contains(&tile) {
            tiles.push(tile);
        }
    }
    Ok(tiles)
}

/// The tiles that appear or grow when the tree grows from `old_size` to
/// `new_size`: what a log must publish for the new checkpoint. For level 0
/// the same coordinates name the new entry bundles.
pub fn new_tiles(old_size: u64, new_size: u64) -> Vec<Tile> {
    let mut tiles = Vec::new();
    if new_size <= old_size {
        return tiles;
    }
    for level in 0..=MAX_LEVEL {
        let (old_count, new_count) = (
            hashes_at_level(level, old_size),
            hashes_at_level(level, new_size),
        );
        if new_count == old_count {
            break; // every higher level is unchanged too
        }
        let first = old_count / u64::from(FULL_WIDTH);
        let last = (new_count - 1) / u64::from(FULL_WIDTH);
        tiles.extend((first..=last).filter_map(|n| Tile::in_tree(level, n, new_size)));
    }
    tiles
}

#[cfg(test)]
mod tests;
