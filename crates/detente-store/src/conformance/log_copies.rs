//! Checks of the copies of the peers' logs (docs/storage.md, "Copies of the
//! peers' logs"): a copy grows from its end, without gaps, keeping what
//! it holds; each log's copy is its own.

use crate::{Store, StoreError};

const US_LOG: &str = "detente.US/log/v1";
const UN_LOG: &str = "detente.UN/log/v1";

/// Entry `i` of a log, in its own bytes (not valid UTF-8).
fn entry(origin: &str, i: u64) -> Vec<u8> {
    let mut bytes = format!("{origin} entry {i}").into_bytes();
    bytes.extend_from_slice(&[0xfe, 0xff]);
    bytes
}

fn entries(origin: &str, range: std::ops::Range<u64>) -> Vec<Vec<u8>> {
    range.map(|i| entry(origin, i)).collect()
}

/// Appending extends a copy, read back in order, fewer past its end; an
/// append overlapping what is held adds only what is new and keeps the
/// bytes held; each origin's copy is apart.
pub fn a_log_copy_grows_from_its_end_keeping_what_it_holds(store: &dyn Store) {
    assert_eq!(store.log_copy_size(US_LOG).expect("size"), 0);
    assert_eq!(
        store.log_copy(US_LOG, 0, 10).expect("empty"),
        Vec::<Vec<u8>>::new()
    );
    store
        .append_log_copy(US_LOG, 0, &entries(US_LOG, 0..3))
        .expect("first");
    // Overlapping: 1 and 2 are held (other bytes here are ignored), 3 and 4 are new.
    let mut overlapping = vec![b"other".to_vec(), b"other".to_vec()];
    overlapping.extend(entries(US_LOG, 3..5));
    store
        .append_log_copy(US_LOG, 1, &overlapping)
        .expect("overlapping");
    store.append_log_copy(US_LOG, 5, &[]).expect("nothing");
    assert_eq!(store.log_copy_size(US_LOG).expect("size"), 5);
    assert_eq!(
        store.log_copy(US_LOG, 0, 5).expect("all"),
        entries(US_LOG, 0..5),
        "the first bytes held are kept"
    );
    assert_eq!(
        store.log_copy(US_LOG, 3, 100).expect("past the end"),
        entries(US_LOG, 3..5)
    );
    assert_eq!(
        store.log_copy(US_LOG, 4, 4).expect("empty range"),
        Vec::<Vec<u8>>::new()
    );
    assert_eq!(
        store.log_copy_size(UN_LOG).expect("other"),
        0,
        "copies are apart"
    );
    store
        .append_log_copy(UN_LOG, 0, &entries(UN_LOG, 0..1))
        .expect("other");
    assert_eq!(
        store.log_copy(UN_LOG, 0, 9).expect("other"),
        entries(UN_LOG, 0..1)
    );
    assert_eq!(store.log_copy_size(US_LOG).expect("size"), 5);
}

/// An append past a copy's end (which would leave a gap) is `Misuse` and
/// writes nothing.
pub fn a_log_copy_with_a_gap_is_misuse_and_writes_nothing(store: &dyn Store) {
    store
        .append_log_copy(US_LOG, 0, &entries(US_LOG, 0..2))
        .expect("first");
    match store.append_log_copy(US_LOG, 3, &entries(US_LOG, 3..5)) {
        Err(StoreError::Misuse { operation, .. }) => assert_eq!(operation, "append_log_copy"),
        other => panic!("a gap must be Misuse, got {other:?}"),
    }
    match store.append_log_copy(UN_LOG, 1, &entries(UN_LOG, 1..2)) {
        Err(StoreError::Misuse { .. }) => {}
        other => panic!("a gap in an empty copy must be Misuse, got {other:?}"),
    }
    assert_eq!(store.log_copy_size(US_LOG).expect("size"), 2);
    assert_eq!(store.log_copy_size(UN_LOG).expect("size"), 0);
}
