//! Reading tree nodes out of tiles: a [`HashReader`] over any tile store.

use super::{Tile, TileError, decode_hash_tile, tile_for_node};
use crate::merkle::{Hash, HashReader, NodeId, node_hash};

/// A store of tile bodies (a directory, a database, an HTTP cache).
pub trait TileSource {
    /// The store's failure.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Returns the body of `tile` at exactly its width. Implementations that
    /// only have the full tile may return it when asked for a partial one:
    /// [`TileHashReader`] accepts a body with more hashes than asked.
    fn read_tile(&self, tile: &Tile) -> Result<Vec<u8>, Self::Error>;
}

/// Why a node could not be read from tiles.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TileReadError<E: std::error::Error + 'static> {
    /// The tile store failed.
    #[error("tile store: {0}")]
    Source(#[source] E),
    /// The node or the tile body is invalid.
    #[error("{0}")]
    Tile(#[from] TileError),
}

/// Reads complete-subtree hashes of the tree of `tree_size` leaves from tiles,
/// fetching each tile once per call.
#[derive(Debug, Clone)]
pub struct TileHashReader<S> {
    source: S,
    tree_size: u64,
}

impl<S: TileSource> TileHashReader<S> {
    /// A reader of the tree of `tree_size` leaves (the size of a verified
    /// checkpoint: tiles of other sizes may not exist).
    pub fn new(source: S, tree_size: u64) -> Self {
        Self { source, tree_size }
    }

    /// The tree size read.
    pub fn tree_size(&self) -> u64 {
        self.tree_size
    }

    fn load(&self, tile: &Tile) -> Result<Vec<Hash>, TileReadError<S::Error>> {
        let body = self.source.read_tile(tile).map_err(TileReadError::Source)?;
        // Accept a wider (e.g. full) tile in place of a partial one.
        let width =
            (body.len() / crate::merkle::HASH_SIZE).clamp(1, usize::from(super::FULL_WIDTH));
        let hashes = decode_hash_tile(&body, width as u16)?;
        if hashes.len() < usize::from(tile.width()) {
            return Err(TileError::HashTileLength {
                len: body.len(),
                want: usize::from(tile.width()) * crate::merkle::HASH_SIZE,
                width: tile.width(),
            }
            .into());
        }
        Ok(hashes)
    }
}

impl<S: TileSource> HashReader for TileHashReader<S> {
    type Error = TileReadError<S::Error>;

    fn read_hashes(&self, nodes: &[NodeId]) -> Result<Vec<Hash>, Self::Error> {
        let mut cache: Vec<(Tile, Vec<Hash>)> = Vec::new();
        let mut out = Vec::with_capacity(nodes.len());
        for &node in nodes {
            let (tile, position, count) = tile_for_node(node, self.tree_size)?;
            let cached = match cache.iter().position(|(t, _)| *t == tile) {
                Some(i) => i,
                None => {
                    cache.push((tile, self.load(&tile)?));
                    cache.len() - 1
                }
            };
            out.push(subtree_root(&cache[cached].1[position..position + count]));
        }
        Ok(out)
    }
}

/// The root of a perfect subtree given its 2^r bottom hashes.
fn subtree_root(hashes: &[Hash]) -> Hash {
    let mut layer = hashes.to_vec();
    while layer.len() > 1 {
        layer = layer
            .chunks_exact(2)
            .map(|pair| node_hash(&pair[0], &pair[1]))
            .collect();
    }
    layer.first().copied().unwrap_or(crate::merkle::EMPTY_ROOT)
}
