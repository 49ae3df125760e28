//! Known-answer tests: every RFC 6962 / RFC 9162 proof case of
//! transparency-dev/merkle (copied into `testdata/merkle/testdata`, see
//! `testdata/merkle/SOURCE.md`) must give its expected verdict. Cases with
//! `wantErr: true` are corrupted proofs that must be rejected.
//!
//! The test fails if the directory is missing or holds no cases, so a
//! misplaced checkout cannot pass silently.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use detente_log::merkle::{verify_consistency, verify_inclusion, verify_subtree_inclusion};
use serde::Deserialize;

fn vectors_dir(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/merkle/testdata")
        .join(kind)
}

/// Every `*.json` file under `dir`, recursively, sorted.
fn cases(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let entries = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("test vectors missing at {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("readable directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    assert!(
        !out.is_empty(),
        "no test vectors found in {}",
        dir.display()
    );
    out
}

fn b64(s: &str) -> Vec<u8> {
    STANDARD.decode(s).expect("vector holds valid base64")
}

fn b64_list(list: &Option<Vec<String>>) -> Vec<Vec<u8>> {
    list.iter().flatten().map(|s| b64(s)).collect()
}

fn load<T: for<'de> Deserialize<'de>>(path: &Path) -> T {
    let text = std::fs::read_to_string(path).expect("readable test vector");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs every case, collecting failures so one run reports them all.
fn check_all<T: for<'de> Deserialize<'de>>(
    kind: &str,
    run: impl Fn(&T) -> (Result<(), String>, bool),
) -> usize {
    let paths = cases(&vectors_dir(kind));
    let mut failures = Vec::new();
    for path in &paths {
        let case: T = load(path);
        let (result, want_err) = run(&case);
        match (result, want_err) {
            (Ok(()), false) | (Err(_), true) => {}
            (Ok(()), true) => failures.push(format!("{}: accepted, must fail", path.display())),
            (Err(e), false) => failures.push(format!("{}: rejected: {e}", path.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    paths.len()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InclusionCase {
    leaf_idx: u64,
    tree_size: u64,
    root: String,
    leaf_hash: String,
    proof: Option<Vec<String>>,
    want_err: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConsistencyCase {
    size1: u64,
    size2: u64,
    root1: String,
    root2: String,
    proof: Option<Vec<String>>,
    want_err: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubtreeInclusionCase {
    leaf_idx: u64,
    start: u64,
    end: u64,
    root: String,
    leaf_hash: String,
    proof: Option<Vec<String>>,
    want_err: bool,
}

#[test]
fn every_inclusion_vector() {
    let n = check_all("inclusion", |c: &InclusionCase| {
        let result = verify_inclusion(
            c.leaf_idx,
            c.tree_size,
            &b64(&c.leaf_hash),
            &b64_list(&c.proof),
            &b64(&c.root),
        );
        (result.map_err(|e| e.to_string()), c.want_err)
    });
    assert!(n >= 90, "only {n} inclusion cases");
}

#[test]
fn every_consistency_vector() {
    let n = check_all("consistency", |c: &ConsistencyCase| {
        let result = verify_consistency(
            c.size1,
            c.size2,
            &b64_list(&c.proof),
            &b64(&c.root1),
            &b64(&c.root2),
        );
        (result.map_err(|e| e.to_string()), c.want_err)
    });
    assert!(n >= 90, "only {n} consistency cases");
}

#[test]
fn every_subtree_inclusion_vector() {
    let n = check_all("subtreeinclusion", |c: &SubtreeInclusionCase| {
        let result = verify_subtree_inclusion(
            c.leaf_idx,
            c.start,
            c.end,
            &b64(&c.leaf_hash),
            &b64_list(&c.proof),
            &b64(&c.root),
        );
        (result.map_err(|e| e.to_string()), c.want_err)
    });
    assert!(n >= 200, "only {n} subtree inclusion cases");
}

#[test]
fn rejections_outnumber_nothing() {
    // Guard against a vector set where every case expects success: the
    // corrupted proofs are the point of the exercise.
    let rejected = cases(&vectors_dir("inclusion"))
        .iter()
        .chain(cases(&vectors_dir("consistency")).iter())
        .filter(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .contains("\"wantErr\": true")
        })
        .count();
    assert!(rejected > 150, "only {rejected} wantErr cases");
}
