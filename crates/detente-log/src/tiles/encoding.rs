//! Tile and entry bundle bodies (tlog-tiles §Merkle Tree, §Log entries).

use super::{FULL_WIDTH, TileError};
use crate::merkle::{HASH_SIZE, Hash, leaf_hash};

/// A hash tile body: the hashes concatenated (32 bytes each).
pub fn encode_hash_tile(hashes: &[Hash]) -> Vec<u8> {
    hashes.concat()
}

/// Decodes a hash tile body that must hold exactly `width` hashes.
pub fn decode_hash_tile(bytes: &[u8], width: u16) -> Result<Vec<Hash>, TileError> {
    if width == 0 || width > FULL_WIDTH {
        return Err(TileError::WidthOutOfRange(width.into()));
    }
    let want = usize::from(width) * HASH_SIZE;
    if bytes.len() != want {
        return Err(TileError::HashTileLength {
            len: bytes.len(),
            want,
            width,
        });
    }
    Ok(bytes
        .chunks_exact(HASH_SIZE)
        .map(|chunk| {
            let mut hash = [0u8; HASH_SIZE];
            hash.copy_from_slice(chunk);
            hash
        })
        .collect())
}

/// An entry bundle body: each entry as a big-endian `u16` length and its
/// bytes. 1 to 256 entries of at most 65535 bytes each.
pub fn encode_entry_bundle<E: AsRef<[u8]>>(entries: &[E]) -> Result<Vec<u8>, TileError> {
    if entries.is_empty() || entries.len() > usize::from(FULL_WIDTH) {
        return Err(TileError::TooManyItems(entries.len()));
    }
    let total: usize = entries.iter().map(|e| 2 + e.as_ref().len()).sum();
    let mut out = Vec::with_capacity(total);
    for (index, entry) in entries.iter().enumerate() {
        let entry = entry.as_ref();
        let len = u16::try_from(entry.len()).map_err(|_| TileError::EntryTooLong {
            index,
            len: entry.len(),
        })?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(entry);
    }
    Ok(out)
}

/// Decodes an entry bundle body that must hold exactly `width` entries.
pub fn decode_entry_bundle(bytes: &[u8], width: u16) -> Result<Vec<&[u8]>, TileError> {
    if width == 0 || width > FULL_WIDTH {
        return Err(TileError::WidthOutOfRange(width.into()));
    }
    let mut entries = Vec::with_capacity(usize::from(width));
    let mut rest = bytes;
    while !rest.is_empty() {
        if entries.len() == usize::from(width) {
            return Err(TileError::BundleWidth {
                got: entries.len() + 1,
                want: usize::from(width),
            });
        }
        let [hi, lo, tail @ ..] = rest else {
            return Err(TileError::MalformedBundle {
                reason: "truncated length prefix",
                entries: entries.len(),
            });
        };
        let len = usize::from(u16::from_be_bytes([*hi, *lo]));
        if tail.len() < len {
            return Err(TileError::MalformedBundle {
                reason: "entry runs past the end",
                entries: entries.len(),
            });
        }
        let (entry, tail) = tail.split_at(len);
        entries.push(entry);
        rest = tail;
    }
    if entries.len() != usize::from(width) {
        return Err(TileError::BundleWidth {
            got: entries.len(),
            want: usize::from(width),
        });
    }
    Ok(entries)
}

/// The leaf hashes of an entry bundle's entries: the level-0 tile it must
/// match ("each entry in a bundle hashes to the corresponding entry in the
/// corresponding level 0 Merkle Tree tile").
pub fn hash_entry_bundle(entries: &[&[u8]]) -> Vec<Hash> {
    entries.iter().map(|e| leaf_hash(e)).collect()
}
