//! Checks of witnessing, cosignatures and alarms (docs/storage.md, "Witnessing,
//! cosignatures and alarms": every node witnesses its counterparties' logs; the
//! witness's check-and-update is one atomic compare-and-swap, as C2SP
//! tlog-witness requires; equivocation is kept as evidence).

use crate::{Alarm, Store, StoreError};

use super::data::at;

const US_LOG: &str = "detente.US/log/v1";
const UN_LOG: &str = "detente.UN/log/v1";

/// A cosigned checkpoint of `origin` at `size`; not valid UTF-8, so a text
/// encoding would break it.
fn record(origin: &str, size: u64, tag: &str) -> Vec<u8> {
    let mut bytes =
        format!("{origin}\n{size}\nroot{size}{tag}=\n\n\u{2014} {origin} sig=\n").into_bytes();
    bytes.extend_from_slice(&[0, 0xfe, 0xff]);
    bytes
}

fn stored(store: &dyn Store, origin: &str) -> Option<(u64, Vec<u8>)> {
    store
        .witness_record(origin)
        .unwrap_or_else(|e| panic!("witness_record({origin:?}) failed: {e}"))
}

fn swap(
    store: &dyn Store,
    origin: &str,
    expected_size: Option<u64>,
    size: u64,
    record: &[u8],
) -> bool {
    store
        .swap_witness_record(origin, expected_size, size, record)
        .unwrap_or_else(|e| {
            panic!("swap_witness_record({origin:?}, {expected_size:?}, {size}) failed: {e}")
        })
}

/// A witness record is written only by a compare-and-swap on its size:
/// `None` inserts when there is none; a size swaps only if it is the one
/// stored; a refused swap changes nothing; a successful one stores exactly
/// the size and record given. Each origin has its own record.
pub fn witness_record_is_a_compare_and_swap_on_its_size(store: &dyn Store) {
    assert_eq!(
        stored(store, US_LOG),
        None,
        "no record before the first swap"
    );
    assert!(
        !swap(store, US_LOG, Some(0), 3, &record(US_LOG, 3, "a")),
        "expecting a size when there is no record"
    );
    assert_eq!(
        stored(store, US_LOG),
        None,
        "a refused swap inserts nothing"
    );

    let first = record(US_LOG, 3, "a");
    assert!(swap(store, US_LOG, None, 3, &first), "insert when absent");
    assert_eq!(stored(store, US_LOG), Some((3, first.clone())));

    let refusals = [
        (None, "expecting no record when there is one"),
        (Some(2), "expecting a smaller size"),
        (Some(4), "expecting a larger size"),
        (Some(0), "expecting size 0"),
    ];
    for (expected, why) in refusals {
        assert!(
            !swap(store, US_LOG, expected, 9, &record(US_LOG, 9, "x")),
            "{why}: swapped"
        );
        assert_eq!(
            stored(store, US_LOG),
            Some((3, first.clone())),
            "{why}: a refused swap changes nothing"
        );
    }

    let second = record(US_LOG, 7, "b");
    assert!(swap(store, US_LOG, Some(3), 7, &second), "the right size");
    assert_eq!(stored(store, US_LOG), Some((7, second.clone())));
    assert!(
        !swap(store, US_LOG, Some(3), 8, &record(US_LOG, 8, "c")),
        "the size swapped away"
    );

    // The same size again (say, a re-cosigned checkpoint) swaps too.
    let resigned = record(US_LOG, 7, "re-signed");
    assert!(swap(store, US_LOG, Some(7), 7, &resigned), "same size");
    assert_eq!(stored(store, US_LOG), Some((7, resigned.clone())));

    // Another log is independent, and an empty record is a record.
    assert_eq!(stored(store, UN_LOG), None, "another origin has no record");
    assert!(
        swap(store, UN_LOG, None, 0, b""),
        "an empty log, empty record"
    );
    assert_eq!(stored(store, UN_LOG), Some((0, Vec::new())));
    assert_eq!(stored(store, US_LOG), Some((7, resigned)), "untouched");
    assert_eq!(
        stored(store, "detente.US/log/v2"),
        None,
        "origins match exactly"
    );
}

/// Two requests that read the same record race to swap it: the first wins,
/// the second is refused (its expected size is gone) and changes nothing.
/// This holds for the very first record as for later ones.
pub fn racing_witness_swaps_from_one_size_only_the_first_wins(store: &dyn Store) {
    let first = record(US_LOG, 5, "first");
    let second = record(US_LOG, 5, "second (a fork)");
    assert!(swap(store, US_LOG, None, 5, &first), "first insert");
    assert!(!swap(store, US_LOG, None, 5, &second), "second insert");
    assert_eq!(stored(store, US_LOG), Some((5, first)));

    let winner = record(US_LOG, 8, "winner");
    let loser = record(US_LOG, 9, "loser");
    assert!(
        swap(store, US_LOG, Some(5), 8, &winner),
        "first from size 5"
    );
    assert!(
        !swap(store, US_LOG, Some(5), 9, &loser),
        "second from size 5"
    );
    assert_eq!(
        stored(store, US_LOG),
        Some((8, winner)),
        "the first's record"
    );
}

fn is_misuse<T>(result: &Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::Misuse { .. }))
}

/// Sizes are stored as signed 64-bit integers: a larger size, expected
/// size or cosignature size is the caller's bug, and writes nothing.
pub fn witness_sizes_beyond_i64_are_misuse(store: &dyn Store) {
    let too_big = u64::try_from(i64::MAX).expect("i64::MAX fits u64") + 1;
    let result = store.swap_witness_record(US_LOG, None, too_big, b"r");
    assert!(is_misuse(&result), "a size past i64::MAX: {result:?}");
    assert_eq!(stored(store, US_LOG), None, "nothing written");

    assert!(swap(store, US_LOG, None, 1, b"r1"));
    let result = store.swap_witness_record(US_LOG, Some(1), u64::MAX, b"r");
    assert!(is_misuse(&result), "a size of u64::MAX: {result:?}");
    let result = store.swap_witness_record(US_LOG, Some(too_big), 2, b"r");
    assert!(
        is_misuse(&result),
        "an expected size past i64::MAX: {result:?}"
    );
    assert_eq!(
        stored(store, US_LOG),
        Some((1, b"r1".to_vec())),
        "unchanged"
    );

    let result = store.put_cosignature("detente.UN", too_big, "\u{2014} detente.UN x=");
    assert!(
        is_misuse(&result),
        "a cosignature past i64::MAX: {result:?}"
    );
    assert_eq!(store.cosignatures().expect("cosignatures"), vec![]);

    let largest = too_big - 1;
    assert!(
        swap(store, US_LOG, Some(1), largest, b"r max"),
        "i64::MAX fits"
    );
    assert_eq!(stored(store, US_LOG), Some((largest, b"r max".to_vec())));
}

fn put(store: &dyn Store, witness: &str, size: u64, line: &str) {
    store
        .put_cosignature(witness, size, line)
        .unwrap_or_else(|e| panic!("put_cosignature({witness:?}, {size}) failed: {e}"));
}

fn line(witness: &str, size: u64) -> String {
    format!("\u{2014} {witness} cosig{size}=")
}

/// The log keeps each witness's latest cosignature: a larger size replaces
/// it, the same size replaces it (the newer line wins), a smaller one is
/// ignored. They are listed by witness name (byte order).
pub fn cosignatures_keep_the_latest_per_witness_by_witness(store: &dyn Store) {
    let list = || store.cosignatures().expect("cosignatures failed");
    assert_eq!(list(), vec![], "no cosignatures at first");
    let entry = |witness: &str, size: u64, line: String| (witness.to_owned(), size, line);

    put(store, "detente.US", 3, &line("detente.US", 3));
    put(store, "detente.UN", 5, &line("detente.UN", 5));
    put(store, "Witness Z", 1, &line("Witness Z", 1));
    put(store, "detente.US", 5, &line("detente.US", 5));
    put(store, "detente.UN", 4, &line("detente.UN", 4));
    assert_eq!(
        list(),
        vec![
            entry("Witness Z", 1, line("Witness Z", 1)),
            entry("detente.UN", 5, line("detente.UN", 5)),
            entry("detente.US", 5, line("detente.US", 5)),
        ],
        "latest per witness (an older one ignored), by witness"
    );

    put(store, "detente.UN", 5, "\u{2014} detente.UN again=");
    put(store, "detente.US", 0, &line("detente.US", 0));
    assert_eq!(
        list(),
        vec![
            entry("Witness Z", 1, line("Witness Z", 1)),
            entry("detente.UN", 5, "\u{2014} detente.UN again=".to_owned()),
            entry("detente.US", 5, line("detente.US", 5)),
        ],
        "the same size replaces; size 0 does not replace size 5"
    );
}

fn alarm(ms: i64, kind: &str, n: u8) -> Alarm {
    Alarm {
        at: at(ms),
        kind: kind.to_owned(),
        subject: format!("{US_LOG} #{n}"),
        detail: format!("two checkpoints of size {n} with different roots «{n}»"),
        evidence: vec![n, 0, 0xff, b'\n', n],
    }
}

fn raise(store: &dyn Store, alarm: &Alarm) -> bool {
    store
        .raise_alarm(alarm)
        .unwrap_or_else(|e| panic!("raise_alarm({alarm:?}) failed: {e}"))
}

/// Alarms read back with every field, evidence byte for byte, oldest
/// first; alarms raised at the same time in the order they were raised.
pub fn alarms_round_trip_oldest_first(store: &dyn Store) {
    assert_eq!(
        store.alarms().expect("alarms"),
        vec![],
        "no alarms at first"
    );
    let later = alarm(5_000, "equivocation", 1);
    let earlier = alarm(1_000, "inconsistent-proof", 2);
    let tie_first = alarm(3_000, "missing-cross-log-entry", 3);
    let tie_second = Alarm {
        evidence: Vec::new(),
        ..alarm(3_000, "equivocation", 4)
    };
    for raised in [&later, &earlier, &tie_first, &tie_second] {
        assert!(raise(store, raised), "a new alarm is recorded: {raised:?}");
    }
    assert_eq!(
        store.alarms().expect("alarms"),
        vec![earlier, tie_first, tie_second, later],
        "oldest first, ties in the order raised"
    );
}

/// Raising an alarm with the kind, subject and evidence of a stored one
/// records nothing and says so; the first stays, with its time and detail.
pub fn raising_the_same_alarm_again_records_nothing(store: &dyn Store) {
    let first = alarm(1_000, "equivocation", 1);
    assert!(raise(store, &first), "the first time");
    assert!(!raise(store, &first), "the same alarm again");
    let repeat = Alarm {
        at: at(31_000),
        detail: "found again, worded differently".to_owned(),
        ..first.clone()
    };
    assert!(!raise(store, &repeat), "the same alarm, later");
    let earlier = Alarm {
        at: at(0),
        ..first.clone()
    };
    assert!(!raise(store, &earlier), "the same alarm, dated earlier");
    assert_eq!(
        store.alarms().expect("alarms"),
        vec![first],
        "listed once, as first raised"
    );
}

/// Alarms that differ in any one of kind, subject or evidence (a byte
/// more, a byte changed, none at all) are different alarms.
pub fn alarms_differing_in_kind_subject_or_evidence_are_distinct(store: &dyn Store) {
    let base = alarm(1_000, "equivocation", 1);
    let mut longer = base.evidence.clone();
    longer.push(0);
    let mut changed = base.evidence.clone();
    changed[0] ^= 1;
    let variants = [
        Alarm {
            kind: "inconsistent-proof".to_owned(),
            ..base.clone()
        },
        Alarm {
            subject: UN_LOG.to_owned(),
            ..base.clone()
        },
        Alarm {
            evidence: longer,
            ..base.clone()
        },
        Alarm {
            evidence: changed,
            ..base.clone()
        },
        Alarm {
            evidence: Vec::new(),
            ..base.clone()
        },
    ];
    assert!(raise(store, &base), "the base alarm");
    for variant in &variants {
        assert!(raise(store, variant), "a different alarm: {variant:?}");
    }
    let mut expected = vec![base];
    expected.extend(variants);
    assert_eq!(
        store.alarms().expect("alarms"),
        expected,
        "each recorded, in the order raised"
    );
}
