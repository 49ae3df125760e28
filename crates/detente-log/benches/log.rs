//! Log benchmarks: batch append to a `MemoryTree`, and inclusion-proof
//! generation and verification in a tree of 1 000 000 leaves.
//!
//! Run: `cargo bench -p detente-log -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use detente_log::merkle::{Hash, MemoryTree, leaf_hash, verify_inclusion};

const BATCH: usize = 10_000;
const BIG_TREE: u64 = 1_000_000;
/// About the size of a detente leaf record (direction, counterparty,
/// message id, envelope hash, time, peer checkpoint size).
const ENTRY_LEN: usize = 128;

fn entry(i: u64) -> Vec<u8> {
    let mut e = vec![0u8; ENTRY_LEN];
    e[..8].copy_from_slice(&i.to_be_bytes());
    e
}

fn append(c: &mut Criterion) {
    let entries: Vec<Vec<u8>> = (0..BATCH as u64).map(entry).collect();
    let mut group = c.benchmark_group("append");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("batch_10000_leaves", |b| {
        b.iter_batched(
            || MemoryTree::with_capacity(BATCH),
            |mut tree| {
                tree.append_batch(entries.iter().map(Vec::as_slice));
                black_box(tree.root())
            },
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

fn proofs(c: &mut Criterion) {
    let mut tree = MemoryTree::with_capacity(BIG_TREE as usize);
    for i in 0..BIG_TREE {
        tree.append(&entry(i));
    }
    let root = tree.root();
    // A fixed spread of indexes, so runs are comparable.
    let indexes: Vec<u64> = (0..1024u64)
        .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) % BIG_TREE)
        .collect();

    let mut group = c.benchmark_group("inclusion_1M");
    group.throughput(Throughput::Elements(1));
    let mut next = 0usize;
    group.bench_function("generate", |b| {
        b.iter(|| {
            next = (next + 1) % indexes.len();
            black_box(tree.inclusion_proof(indexes[next], BIG_TREE))
        });
    });

    let cases: Vec<(u64, Hash, Vec<Hash>)> = indexes
        .iter()
        .map(|&i| {
            let proof = tree
                .inclusion_proof(i, BIG_TREE)
                .expect("index is in the tree");
            (i, leaf_hash(&entry(i)), proof)
        })
        .collect();
    let mut next = 0usize;
    group.bench_function("verify", |b| {
        b.iter(|| {
            next = (next + 1) % cases.len();
            let (index, leaf, proof) = &cases[next];
            black_box(verify_inclusion(*index, BIG_TREE, leaf, proof, &root))
        });
    });
    group.finish();
}

criterion_group!(benches, append, proofs);
criterion_main!(benches);
