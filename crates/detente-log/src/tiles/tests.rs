use std::collections::HashMap;

use super::*;
use crate::merkle::{MemoryTree, consistency_proof, inclusion_plan, inclusion_proof, root_hash};

#[test]
fn index_encoding_matches_the_spec() {
    assert_eq!(encode_index(1_234_067), "x001/x234/067");
    assert_eq!(encode_index(0), "000");
    assert_eq!(encode_index(999), "999");
    assert_eq!(encode_index(1000), "x001/000");
    assert_eq!(encode_index(u64::MAX), "x018/x446/x744/x073/x709/x551/615");
    for n in [0, 7, 999, 1000, 1_234_067, u64::MAX] {
        assert_eq!(parse_index(&encode_index(n)), Some(n));
    }
    for bad in [
        "",
        "1",
        "0001",
        "x001",
        "001/002",
        "x000/005",
        "x001/x002",
        "x1/000",
        "x019/x446/x744/x073/x709/x551/615",
    ] {
        assert_eq!(parse_index(bad), None, "{bad:?}");
    }
}

#[test]
fn paths_round_trip_and_are_strict() {
    let good = [
        "tile/0/000",
        "tile/0/x001/x234/067",
        "tile/1/x001/x234/067.p/17",
        "tile/63/000.p/255",
        "tile/entries/000",
        "tile/entries/x001/000.p/5",
    ];
    for path in good {
        assert_eq!(TilePath::parse(path).unwrap().to_string(), path);
    }
    let p = TilePath::parse("tile/1/x001/x234/067.p/17").unwrap();
    assert_eq!(p, TilePath::Hashes(Tile::new(1, 1_234_067, 17).unwrap()));
    assert!(p.tile().is_partial());

    let bad = [
        "/tile/0/000",
        "tile/00/000",
        "tile/64/000",
        "tile/-1/000",
        "tile/0/0",
        "tile/0/x000/005",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/010",
        "tile/0/000.p/",
        "tile/0/000.p/1/",
        "tile/0/000/",
        "tile/data/000",
        "tile/entries/000.p/300",
        "tiles/0/000",
    ];
    for path in bad {
        assert!(TilePath::parse(path).is_err(), "accepted {path:?}");
    }
}

#[test]
fn tree_of_70000_has_the_tiles_the_spec_lists() {
    // "a tree of size 70,000 will be represented by 273 full level 0 tiles,
    // one partial level 0 tile of width 112, one full level 1 tile, one
    // partial level 1 tile of width 17, and one partial level 2 tile of width 1."
    let tiles = new_tiles(0, 70_000);
    let count = |level, partial: bool| {
        tiles
            .iter()
            .filter(|t| t.level() == level && t.is_partial() == partial)
            .count()
    };
    assert_eq!((count(0, false), count(0, true)), (273, 1));
    assert_eq!((count(1, false), count(1, true)), (1, 1));
    assert_eq!((count(2, false), count(2, true)), (0, 1));
    assert_eq!(tiles.len(), 277);
    assert_eq!(Tile::in_tree(0, 273, 70_000).unwrap().width(), 112);
    assert_eq!(Tile::in_tree(1, 1, 70_000).unwrap().width(), 17);
    assert_eq!(Tile::in_tree(2, 0, 70_000).unwrap().width(), 1);
    assert_eq!(Tile::in_tree(3, 0, 70_000), None);

    // "a tree of size 256 will be represented by a full level 0 tile and a
    // partial level 1 tile of width 1."
    let tiles = new_tiles(0, 256);
    assert_eq!(
        tiles,
        [Tile::new(0, 0, 256).unwrap(), Tile::new(1, 0, 1).unwrap()]
    );

    // Growing publishes only the changed tiles.
    assert_eq!(new_tiles(256, 300), [Tile::new(0, 1, 44).unwrap()]);
    assert_eq!(
        new_tiles(300, 600),
        [
            Tile::new(0, 1, 256).unwrap(),
            Tile::new(0, 2, 88).unwrap(),
            Tile::new(1, 0, 2).unwrap()
        ]
    );
    assert!(new_tiles(300, 300).is_empty());
}

#[test]
fn nodes_map_into_tiles() {
    // Level 3 node 5 covers level-0 hashes 40..48 of tile 0.
    let (tile, pos, count) = tile_for_node(NodeId::new(3, 5), 1000).unwrap();
    assert_eq!((tile, pos, count), (Tile::new(0, 0, 256).unwrap(), 40, 8));
    // Level 9 node 1: level-1 hashes 2..4 of tile (1, 0), partial in a tree of 1100.
    let (tile, pos, count) = tile_for_node(NodeId::new(9, 1), 1100).unwrap();
    assert_eq!((tile, pos, count), (Tile::new(1, 0, 4).unwrap(), 2, 2));
    assert!(
        tile_for_node(NodeId::new(9, 2), 1100).is_err(),
        "incomplete node"
    );
    assert!(tile_for_node(NodeId::new(0, 1100), 1100).is_err());
    assert!(tile_for_node(NodeId::new(63, u64::MAX), u64::MAX).is_err());
}

/// A tile store in memory, keyed by path.
#[derive(Default)]
struct Tiles(HashMap<String, Vec<u8>>);

#[derive(Debug, thiserror::Error)]
#[error("no tile at {0}")]
struct Missing(String);

impl TileSource for Tiles {
    type Error = Missing;
    fn read_tile(&self, tile: &Tile) -> Result<Vec<u8>, Missing> {
        self.0
            .get(&tile.path())
            .cloned()
            .ok_or_else(|| Missing(tile.path()))
    }
}

fn publish(tree: &MemoryTree, store: &mut Tiles, old: u64, new: u64) {
    for tile in new_tiles(old, new) {
        store.0.insert(tile.path(), tile.encode_from(tree).unwrap());
    }
}

#[test]
fn proofs_from_tiles_equal_proofs_from_memory() {
    let mut tree = MemoryTree::new();
    let mut store = Tiles::default();
    let mut published = 0;
    for checkpoint in [1u64, 255, 256, 1000, 66_000, 70_000] {
        while tree.size() < checkpoint {
            tree.append(&tree.size().to_le_bytes());
        }
        publish(&tree, &mut store, published, checkpoint);
        published = checkpoint;
    }
    for size in [1u64, 255, 256, 1000, 66_000, 70_000] {
        let tiles = TileHashReader::new(&store, size);
        assert_eq!(
            root_hash(&tiles, size).unwrap(),
            tree.root_at(size).unwrap(),
            "root {size}"
        );
        for index in [0, size / 3, size - 1] {
            assert_eq!(
                inclusion_proof(&tiles, index, size).unwrap(),
                tree.inclusion_proof(index, size).unwrap(),
                "inclusion {index} in {size}"
            );
        }
    }
    let tiles = TileHashReader::new(&store, 70_000);
    assert_eq!(
        consistency_proof(&tiles, 1000, 70_000).unwrap(),
        tree.consistency_proof(1000, 70_000).unwrap()
    );
    // A proof needs few tiles, and says which.
    let plan = inclusion_plan(12_345, 70_000).unwrap();
    let needed = tiles_for_nodes(plan.nodes(), 70_000).unwrap();
    assert!(needed.len() <= 6, "{needed:?}");
    // A missing tile is a storage error, not a panic.
    let empty = Tiles::default();
    assert!(inclusion_proof(&TileHashReader::new(&empty, 10), 3, 10).is_err());
}

impl TileSource for &Tiles {
    type Error = Missing;
    fn read_tile(&self, tile: &Tile) -> Result<Vec<u8>, Missing> {
        (*self).read_tile(tile)
    }
}

#[test]
fn hash_tiles_round_trip() {
    let hashes: Vec<[u8; 32]> = (0..17u8).map(|i| [i; 32]).collect();
    let body = encode_hash_tile(&hashes);
    assert_eq!(body.len(), 17 * 32);
    assert_eq!(decode_hash_tile(&body, 17).unwrap(), hashes);
    assert!(decode_hash_tile(&body, 16).is_err());
    assert!(decode_hash_tile(&body[..body.len() - 1], 17).is_err());
    assert!(decode_hash_tile(&[], 0).is_err());
}

#[test]
fn entry_bundles_round_trip_and_are_strict() {
    let entries: Vec<&[u8]> = vec![b"", b"a", &[7u8; 300]];
    let body = encode_entry_bundle(&entries).unwrap();
    assert_eq!(&body[..5], &[0, 0, 0, 1, b'a']);
    assert_eq!(decode_entry_bundle(&body, 3).unwrap(), entries);
    assert_eq!(
        hash_entry_bundle(&entries)[1],
        crate::merkle::leaf_hash(b"a")
    );

    assert!(matches!(
        decode_entry_bundle(&body, 2),
        Err(TileError::BundleWidth { .. })
    ));
    assert!(matches!(
        decode_entry_bundle(&body, 4),
        Err(TileError::BundleWidth { .. })
    ));
    assert!(decode_entry_bundle(&body[..body.len() - 1], 3).is_err());
    assert!(decode_entry_bundle(&[0], 1).is_err());
    let too_long = vec![0u8; 65_536];
    assert!(matches!(
        encode_entry_bundle(&[too_long.as_slice()]),
        Err(TileError::EntryTooLong { len: 65_536, .. })
    ));
    let max = vec![0u8; 65_535];
    assert_eq!(
        decode_entry_bundle(&encode_entry_bundle(&[&max]).unwrap(), 1).unwrap()[0].len(),
        65_535
    );
    assert!(encode_entry_bundle::<&[u8]>(&[]).is_err());
}
