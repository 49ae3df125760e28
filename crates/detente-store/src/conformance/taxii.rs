//! Checks of adding STIX objects to the TAXII collections (docs/taxii.md)
//! and of the indexer that fills them from the stored messages: each
//! version stored once per lane, `added_us` unique and increasing across
//! the store, `latest` and `first` (as each reader sees them) right
//! whatever order versions arrive in, malformed objects refused, messages
//! listed in the order stored, and a watermark that only a
//! compare-and-swap moves. Queries are checked in
//! `taxii_queries`; the helpers here build the data of both.

use detente_proto::time::Timestamp;

use crate::CollectionKind::{self, Drafts, ReceivedFrom, SentTo};
use crate::{
    NewStixObject, StixQuery, StixSource, Store, StoreError, StoredStixObject, VersionFilter,
};

use super::data::{T0, accept, at, enqueue, get, id, party, received, sent};

/// The id of STIX object `n`, of type `kind`.
pub(super) fn object_id(kind: &str, n: u64) -> String {
    format!("{kind}--0193a0c4-7d1e-4000-8000-{n:012x}")
}

/// The `modified` of version `v` (seconds after 10:00), as written, and
/// its key (fixed width, microseconds).
pub(super) fn version(v: u32) -> (String, String) {
    let (minutes, seconds) = (v / 60, v % 60);
    (
        format!("2026-11-28T10:{minutes:02}:{seconds:02}.000Z"),
        format!("2026-11-28T10:{minutes:02}:{seconds:02}.000000Z"),
    )
}

/// Version `v` (`None`: no version, as a cyber-observable has) of indicator
/// `n`, in the lane `lane` of the collection received from US, from
/// message 1. Its JSON holds text that is not ASCII.
pub(super) fn stix(n: u64, v: Option<u32>, lane: &str) -> NewStixObject {
    let object_id = object_id("indicator", n);
    let (version, version_key) = v.map(version).unzip();
    let json = format!(
        r#"{{"type":"indicator","spec_version":"2.1","id":"{object_id}","modified":{},"name":"Фишинг — تصيد","lane":"{lane}"}}"#,
        version
            .as_deref()
            .map_or("null".to_owned(), |v| format!("\"{v}\""))
    );
    NewStixObject {
        counterparty: party("US"),
        collection: ReceivedFrom,
        object_id,
        object_type: "indicator".to_owned(),
        spec_version: "2.1".to_owned(),
        version,
        version_key,
        lane: lane.to_owned(),
        source: StixSource::Message(id(1)),
        json: json.into_bytes(),
    }
}

/// [`stix`] in another collection (or of another counterparty).
fn stix_in(
    counterparty: &str,
    collection: CollectionKind,
    n: u64,
    v: Option<u32>,
) -> NewStixObject {
    NewStixObject {
        counterparty: party(counterparty),
        collection,
        ..stix(n, v, "green")
    }
}

/// `now` in microseconds, as `added_us` counts.
fn us(ms: i64) -> i64 {
    (T0 + ms) * 1000
}

pub(super) fn add(store: &dyn Store, objects: &[NewStixObject], now: Timestamp) -> usize {
    store
        .add_stix_objects(objects, now)
        .unwrap_or_else(|e| panic!("add_stix_objects({} objects) failed: {e}", objects.len()))
}

/// Every version in `lanes` of the collection received from US.
pub(super) fn every_version(lanes: &[&str]) -> StixQuery {
    StixQuery {
        counterparty: party("US"),
        collection: ReceivedFrom,
        lanes: lanes.iter().map(|lane| (*lane).to_owned()).collect(),
        after_us: None,
        ids: Vec::new(),
        types: Vec::new(),
        versions: VersionFilter {
            all: true,
            ..VersionFilter::default()
        },
        spec_versions: Vec::new(),
        limit: 1000,
    }
}

pub(super) fn found(store: &dyn Store, query: &StixQuery) -> Vec<StoredStixObject> {
    store
        .stix_objects(query)
        .unwrap_or_else(|e| panic!("stix_objects({query:?}) failed: {e}"))
}

/// What a query finds, as (object id, version, latest, first), in order.
pub(super) fn seen(
    store: &dyn Store,
    query: &StixQuery,
) -> Vec<(String, Option<String>, bool, bool)> {
    found(store, query)
        .into_iter()
        .map(|row| {
            (
                row.object.object_id,
                row.object.version,
                row.latest,
                row.first,
            )
        })
        .collect()
}

/// An object of the checks as (object number, version).
pub(super) fn versions_seen_one(object: &NewStixObject) -> (u64, Option<u32>) {
    let n = (0..1000)
        .find(|n| object_id("indicator", *n) == object.object_id)
        .expect("an object of the check");
    let v = object.version.as_ref().map(|text| {
        (0..3600)
            .find(|v| version(*v).0 == *text)
            .expect("a version of the check")
    });
    (n, v)
}

/// What a query finds, as (object number, version), in order.
pub(super) fn versions_seen(store: &dyn Store, query: &StixQuery) -> Vec<(u64, Option<u32>)> {
    found(store, query)
        .iter()
        .map(|row| versions_seen_one(&row.object))
        .collect()
}

/// `added_us` is the clock in microseconds, or one more than the greatest
/// stored if that is later: unique and increasing across the store, in
/// insertion order, even when the clock steps back; every field reads
/// back exactly.
pub fn stix_objects_get_unique_increasing_added_us(store: &dyn Store) {
    let (a, b) = (stix(1, Some(5), "green"), stix(2, None, "green"));
    let c = stix_in("US", SentTo, 3, Some(5));
    assert_eq!(add(store, &[a.clone(), b.clone(), c.clone()], at(5_000)), 3);
    let stored = |object: &NewStixObject, added_us| StoredStixObject {
        object: object.clone(),
        added_us,
        latest: true,
        first: true,
    };
    assert_eq!(
        found(store, &every_version(&["green"])),
        vec![stored(&a, us(5_000)), stored(&b, us(5_000) + 1)],
        "every field, the first at the clock, the next one later"
    );
    let sent_to = StixQuery {
        collection: SentTo,
        ..every_version(&["green"])
    };
    assert_eq!(
        found(store, &sent_to),
        vec![stored(&c, us(5_000) + 2)],
        "unique across collections"
    );

    // The clock steps back, then stands still: later anyway.
    let (d, e) = (
        stix(4, Some(1), "green"),
        stix_in("RU", ReceivedFrom, 5, None),
    );
    assert_eq!(add(store, std::slice::from_ref(&d), at(1_000)), 1);
    assert_eq!(add(store, std::slice::from_ref(&e), at(5_000)), 1);
    // Then jumps ahead: the clock again.
    let f = stix(6, Some(1), "green");
    assert_eq!(add(store, std::slice::from_ref(&f), at(9_000)), 1);
    let added: Vec<i64> = found(store, &every_version(&["green"]))
        .iter()
        .map(|row| row.added_us)
        .collect();
    assert_eq!(
        added,
        vec![us(5_000), us(5_000) + 1, us(5_000) + 3, us(9_000)],
        "after the clock stepped back, one more than the greatest stored"
    );
    let ru = StixQuery {
        counterparty: party("RU"),
        ..every_version(&["green"])
    };
    assert_eq!(found(store, &ru), vec![stored(&e, us(5_000) + 4)]);
    assert_eq!(
        add(store, &[], at(10_000)),
        0,
        "an empty batch adds nothing"
    );
}

/// The objects a query finds, in order.
fn objects(store: &dyn Store, query: &StixQuery) -> Vec<NewStixObject> {
    found(store, query)
        .into_iter()
        .map(|row| row.object)
        .collect()
}

/// A version of an object is stored once per collection and lane: a
/// second copy in the same lane (in a later batch or the same one) is not
/// added and the first stays, whatever its source or bytes; objects with no
/// version count as one version. A copy in another lane is its own row, so
/// whoever posts an object someone else holds in a lane they cannot see
/// still reads their own copy back (the store is no existence oracle). A
/// reader of both lanes gets each version once: the copy added first. The
/// same version in another collection is another row.
pub fn a_stix_version_is_stored_once_per_lane(store: &dyn Store) {
    let first = stix(1, Some(5), "green");
    assert_eq!(add(store, std::slice::from_ref(&first), at(0)), 1);
    let copy = NewStixObject {
        source: StixSource::Message(id(2)),
        json: b"{\"another\":\"copy\"}".to_vec(),
        ..first.clone()
    };
    let observable = stix(2, None, "green");
    let observable_again = NewStixObject {
        json: b"{\"the same observable\":\"again\"}".to_vec(),
        ..observable.clone()
    };
    let batch = [copy, observable.clone(), observable_again, first.clone()];
    assert_eq!(
        add(store, &batch, at(1_000)),
        1,
        "only the observable, once: copies in the lane, in the batch or stored, are not added"
    );
    let green = every_version(&["green"]);
    assert_eq!(
        objects(store, &green),
        vec![first.clone(), observable.clone()],
        "the first copies stay"
    );

    // Another account posts the same object and observable, in its own
    // RED lane, which the first copies are not in.
    let lane = "red:account:opencti";
    let theirs = NewStixObject {
        lane: lane.to_owned(),
        source: StixSource::Draft("d1".parse().expect("a resource id")),
        json: b"{\"their\":\"copy\"}".to_vec(),
        ..first.clone()
    };
    let their_observable = NewStixObject {
        lane: lane.to_owned(),
        ..observable.clone()
    };
    assert_eq!(
        add(
            store,
            &[theirs.clone(), their_observable.clone(), theirs.clone()],
            at(1_500)
        ),
        2,
        "another lane: its own copies, each once"
    );
    assert_eq!(
        objects(store, &every_version(&[lane])),
        vec![theirs.clone(), their_observable.clone()],
        "the poster reads their own copies back"
    );
    assert_eq!(
        objects(store, &green),
        vec![first.clone(), observable.clone()],
        "and the first reader theirs, unchanged"
    );
    for versions in [
        VersionFilter {
            all: true,
            ..VersionFilter::default()
        },
        VersionFilter {
            last: true,
            ..VersionFilter::default()
        },
        VersionFilter {
            first: true,
            ..VersionFilter::default()
        },
        VersionFilter {
            at: vec![version(5).1],
            last: true,
            first: true,
            ..VersionFilter::default()
        },
    ] {
        assert_eq!(
            objects(
                store,
                &StixQuery {
                    versions: versions.clone(),
                    ..every_version(&[lane, "green"])
                }
            ),
            vec![first.clone(), observable.clone()],
            "{versions:?}: a reader of both lanes gets each version once, the copy added first"
        );
    }

    let elsewhere = [
        stix_in("US", SentTo, 1, Some(5)),
        stix_in("US", Drafts, 1, Some(5)),
        stix_in("RU", ReceivedFrom, 1, Some(5)),
        stix(1, Some(6), "green"),
    ];
    assert_eq!(
        add(store, &elsewhere, at(2_000)),
        4,
        "the same version in other collections, and another version"
    );
    for (counterparty, collection) in [("US", SentTo), ("US", Drafts), ("RU", ReceivedFrom)] {
        let query = StixQuery {
            counterparty: party(counterparty),
            collection,
            ..every_version(&["green"])
        };
        assert_eq!(
            versions_seen(store, &query),
            vec![(1, Some(5))],
            "{counterparty}/{collection}"
        );
    }
}

/// `latest` and `first` mark each object's greatest and least version (no
/// version lowest) in its collection as the reader sees it (over the
/// query's lanes), whatever order versions arrive in.
pub fn stix_latest_and_first_follow_versions_arriving_out_of_order(store: &dyn Store) {
    let (one, two, three) = (version(1).0, version(2).0, version(3).0);
    let flags = |store: &dyn Store| seen(store, &every_version(&["green", "red"]));
    let x = object_id("indicator", 1);
    let y = object_id("indicator", 2);
    let row = |id: &str, version: Option<&String>, latest, first| {
        (id.to_owned(), version.cloned(), latest, first)
    };

    add(store, &[stix(1, Some(2), "green")], at(0));
    assert_eq!(flags(store), vec![row(&x, Some(&two), true, true)]);
    add(store, &[stix(1, Some(1), "red")], at(0));
    assert_eq!(
        flags(store),
        vec![
            row(&x, Some(&two), true, false),
            row(&x, Some(&one), false, true)
        ],
        "an older version arrives: first, not latest; over the lanes read"
    );
    add(
        store,
        &[stix(1, Some(3), "green"), stix(2, Some(1), "green")],
        at(0),
    );
    assert_eq!(
        flags(store),
        vec![
            row(&x, Some(&two), false, false),
            row(&x, Some(&one), false, true),
            row(&x, Some(&three), true, false),
            row(&y, Some(&one), true, true),
        ],
        "a newer version arrives: latest; another object is on its own"
    );
    add(store, &[stix(1, None, "green")], at(0));
    assert_eq!(
        add(
            store,
            &[stix(1, Some(1), "green"), stix(1, Some(3), "red")],
            at(0),
        ),
        2,
        "copies in other lanes are their own rows"
    );
    assert_eq!(
        flags(store),
        vec![
            row(&x, Some(&two), false, false),
            row(&x, Some(&one), false, false),
            row(&x, Some(&three), true, false),
            row(&y, Some(&one), true, true),
            row(&x, None, false, true),
        ],
        "no version sorts lowest; to a reader of both lanes, copies change nothing"
    );
    assert_eq!(
        seen(store, &every_version(&["green"])),
        vec![
            row(&x, Some(&two), false, false),
            row(&x, Some(&three), true, false),
            row(&y, Some(&one), true, true),
            row(&x, None, false, true),
            row(&x, Some(&one), false, false),
        ],
        "a reader of green alone: its own copy of version 1"
    );
    assert_eq!(
        seen(store, &every_version(&["red"])),
        vec![
            row(&x, Some(&one), false, true),
            row(&x, Some(&three), true, false),
        ],
        "a reader of red alone: its two versions, first and latest"
    );
    // The same object in another collection has its own versions.
    add(store, &[stix_in("US", SentTo, 1, Some(1))], at(0));
    let sent_to = StixQuery {
        collection: SentTo,
        ..every_version(&["green"])
    };
    assert_eq!(seen(store, &sent_to), vec![row(&x, Some(&one), true, true)]);
    assert_eq!(flags(store).len(), 5, "unchanged by the other collection");
}

/// A batch holding an object no collection can hold is refused whole
/// (`Misuse`), checked before the database is touched: nothing is added.
pub fn stix_object_misuse_is_refused_and_writes_nothing(store: &dyn Store) {
    let good = stix(1, Some(1), "green");
    let refused = [
        (
            "an empty object id",
            NewStixObject {
                object_id: String::new(),
                ..stix(2, Some(1), "green")
            },
        ),
        (
            "a long object id",
            NewStixObject {
                object_id: "x".repeat(301),
                ..stix(2, Some(1), "green")
            },
        ),
        ("an empty lane", stix(2, Some(1), "")),
        ("a long lane", stix(2, Some(1), &"l".repeat(201))),
        (
            "a version with no key",
            NewStixObject {
                version_key: None,
                ..stix(2, Some(1), "green")
            },
        ),
        (
            "a key with no version",
            NewStixObject {
                version: None,
                ..stix(2, Some(1), "green")
            },
        ),
        (
            "an empty key",
            NewStixObject {
                version_key: Some(String::new()),
                ..stix(2, Some(1), "green")
            },
        ),
    ];
    for (what, bad) in refused {
        let batch = [good.clone(), bad];
        match store.add_stix_objects(&batch, at(0)) {
            Err(StoreError::Misuse { .. }) => {}
            other => panic!("{what}: expected Misuse, got {other:?}"),
        }
        match store.index_stix(0, 1, &batch, at(0)) {
            Err(StoreError::Misuse { .. }) => {}
            other => panic!("{what}: expected Misuse from index_stix, got {other:?}"),
        }
    }
    assert_eq!(
        found(store, &every_version(&["green", ""])),
        vec![],
        "nothing added"
    );
    assert_eq!(
        store.stix_watermark().expect("stix_watermark"),
        0,
        "not moved"
    );
    let longest = NewStixObject {
        object_id: "x".repeat(300),
        ..stix(2, Some(1), &"l".repeat(200))
    };
    assert_eq!(
        add(store, &[good, longest], at(0)),
        2,
        "the longest allowed"
    );
}

/// `messages_after` lists the messages in the order stored (not by time),
/// after a position, at most `limit`, each as `message()` reads it;
/// positions only grow.
pub fn messages_after_lists_messages_in_the_order_stored(store: &dyn Store) {
    assert_eq!(store.messages_after(0, 10).expect("messages_after"), vec![]);
    // Stored out of time order: 3 (recorded last) first.
    enqueue(store, &sent(3), at(3_500));
    accept(store, &received(1), b"receipt 1");
    enqueue(store, &sent(2), at(2_500));
    store
        .record_delivery(&id(3), b"receipt from US", at(4_000), &[])
        .expect("record_delivery");
    let listed = store.messages_after(0, 10).expect("messages_after");
    let ids: Vec<_> = listed.iter().map(|(_, stored)| stored.message.id).collect();
    assert_eq!(ids, vec![id(3), id(1), id(2)], "the order stored");
    for (_, stored) in &listed {
        assert_eq!(
            Some(stored),
            get(store, &stored.message.id).as_ref(),
            "as message() reads it (delivered since)"
        );
    }
    let positions: Vec<u64> = listed.iter().map(|(position, _)| *position).collect();
    assert!(positions[0] > 0, "positions start after 0");
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "{positions:?} grow"
    );
    let after_first = store
        .messages_after(positions[0], 1)
        .expect("messages_after");
    assert_eq!(after_first, listed[1..2], "after a position, at most limit");
    assert_eq!(
        store.messages_after(positions[2], 10).expect("after"),
        vec![]
    );
    assert_eq!(store.messages_after(0, 0).expect("limit 0"), vec![]);
    assert_eq!(store.messages_after(u64::MAX, 10).expect("far"), vec![]);
    enqueue(store, &sent(0), at(0));
    let newest = store
        .messages_after(positions[2], 10)
        .expect("messages_after");
    assert_eq!(newest.len(), 1, "a message stored later comes later");
    assert_eq!(newest[0].1.message.id, id(0));
    assert!(newest[0].0 > positions[2]);
}

/// The indexer's watermark starts at 0 and moves only by a compare-and-
/// swap: from the stored value, the objects are added (as
/// `add_stix_objects` adds them) and it moves, in one transaction; from a
/// stale one, nothing is written. Backwards, or past `i64::MAX`, is `Misuse`.
pub fn the_stix_watermark_is_a_compare_and_swap(store: &dyn Store) {
    let watermark = |store: &dyn Store| store.stix_watermark().expect("stix_watermark");
    let index = |from, to, objects: &[NewStixObject]| {
        store
            .index_stix(from, to, objects, at(0))
            .unwrap_or_else(|e| panic!("index_stix({from}, {to}) failed: {e}"))
    };
    assert_eq!(watermark(store), 0);
    assert!(index(
        0,
        3,
        &[stix(1, Some(1), "green"), stix(2, None, "green")]
    ));
    assert_eq!(watermark(store), 3);
    assert!(
        !index(0, 5, &[stix(3, Some(1), "green")]),
        "a stale watermark: another indexer got there first"
    );
    assert!(
        !index(2, 5, &[stix(3, Some(1), "green")]),
        "another stale one"
    );
    assert_eq!(watermark(store), 3, "not moved");
    assert_eq!(
        versions_seen(store, &every_version(&["green"])),
        vec![(1, Some(1)), (2, None)],
        "nothing of the refused swaps added"
    );
    assert!(
        index(
            3,
            7,
            &[stix(1, Some(1), "green"), stix(1, Some(2), "green")]
        ),
        "from the stored watermark"
    );
    assert_eq!(watermark(store), 7);
    assert_eq!(
        seen(store, &every_version(&["green"]))
            .into_iter()
            .map(|(_, version, latest, first)| (version, latest, first))
            .collect::<Vec<_>>(),
        vec![
            (version(1).0.into(), false, true),
            (None, true, true),
            (version(2).0.into(), true, false),
        ],
        "as add_stix_objects adds: the copy not again, the flags kept"
    );
    assert!(index(7, 7, &[]), "no objects, the same position");
    assert!(index(7, 9, &[]), "messages with no objects");
    assert_eq!(watermark(store), 9);
    for (from, to) in [(9, 8), (9, u64::MAX), (u64::MAX, u64::MAX)] {
        match store.index_stix(from, to, &[stix(4, Some(1), "green")], at(0)) {
            Err(StoreError::Misuse { .. }) => {}
            other => panic!("{from} -> {to}: expected Misuse, got {other:?}"),
        }
    }
    assert_eq!(watermark(store), 9);
    assert_eq!(found(store, &every_version(&["green"])).len(), 3);
}
