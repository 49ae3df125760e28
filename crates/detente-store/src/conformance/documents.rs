//! Checks of the signed records of guarantees and pledges: each one's
//! publication, the parties' signatures and withdrawals, kept verbatim.
//! The node verifies each record; the store keeps them consistent: one
//! record per party and role on a document, every publish and sign record
//! about one document, a withdrawal naming it.

use crate::DocumentKind::{self, Guarantee, Pledge};
use crate::RecordRole::{self, Publish, Sign, Withdraw};
use crate::{DocumentConflict, DocumentConflictReason, DocumentRecord, Store, StoreError};

use super::data::{at, id, party};

const ELECTIONS: &str = "ru-us-elections-2026";
const NO_FIRST_USE: &str = "UN/no-first-use";

/// The SHA-256 of document `n` (a stand-in: the store never hashes it).
fn document(n: u8) -> [u8; 32] {
    let mut hash = [0xd0; 32];
    hash[0] = n;
    hash
}

/// `party`'s `role` record on `kind` `document_id`, about document `n`,
/// carried by message `message` and dated `ms` after the suite's epoch
/// (recorded a second later). The signed bytes are not valid UTF-8, so a
/// text encoding would break them.
fn record(
    kind: DocumentKind,
    document_id: &str,
    role: RecordRole,
    signer: &str,
    n: u8,
    message: Option<u64>,
    ms: i64,
) -> DocumentRecord {
    let mut signed = format!(
        r#"{{"{}":{{"id":"{document_id}","document":{n}}},"{}":"{signer}","signature":""#,
        kind.as_str(),
        role.as_str()
    )
    .into_bytes();
    signed.extend_from_slice(&[0, 0xfe, 0xff, b'"', b'}']);
    DocumentRecord {
        kind,
        document_id: document_id.to_owned(),
        role,
        party: party(signer),
        document_sha256: document(n),
        signed,
        message_id: message.map(id),
        at: at(ms),
        recorded_at: at(ms + 1_000),
    }
}

fn put(store: &dyn Store, record: &DocumentRecord) -> bool {
    store.put_document_record(record).unwrap_or_else(|e| {
        panic!(
            "put_document_record({} {} {} by {}) failed: {e}",
            record.kind.as_str(),
            record.document_id,
            record.role.as_str(),
            record.party
        )
    })
}

fn stored(store: &dyn Store, kind: DocumentKind, document_id: &str) -> Vec<DocumentRecord> {
    store
        .document_records(kind, document_id)
        .unwrap_or_else(|e| panic!("document_records({kind:?}, {document_id:?}) failed: {e}"))
}

fn ids(store: &dyn Store, kind: DocumentKind) -> Vec<String> {
    store
        .document_ids(kind)
        .unwrap_or_else(|e| panic!("document_ids({kind:?}) failed: {e}"))
}

/// Asserts that storing `refused` is a conflict naming its document, role,
/// party and `reason`, and that its message says so.
fn assert_conflict(store: &dyn Store, refused: &DocumentRecord, reason: DocumentConflictReason) {
    match store.put_document_record(refused) {
        Err(StoreError::DocumentConflict(conflict)) => {
            assert_eq!(
                *conflict,
                DocumentConflict {
                    kind: refused.kind,
                    document_id: refused.document_id.clone(),
                    role: refused.role,
                    party: refused.party.clone(),
                    reason,
                },
                "the conflict names the document, the record and what differs"
            );
            let message = StoreError::DocumentConflict(conflict).to_string();
            for part in [
                refused.kind.as_str(),
                &refused.document_id,
                refused.role.as_str(),
            ] {
                assert!(message.contains(part), "{message:?} names {part:?}");
            }
            assert!(message.contains("nothing was stored"), "{message:?}");
        }
        other => panic!(
            "expected DocumentConflict for {} {} {} by {}, got {other:?}",
            refused.kind.as_str(),
            refused.document_id,
            refused.role.as_str(),
            refused.party
        ),
    }
}

/// A document's records read back exactly, by `at`, then role (publish,
/// sign, withdraw), then party in byte order, whatever order they were
/// stored in; records of other documents and kinds are separate.
pub fn document_records_are_by_at_then_role_then_party(store: &dyn Store) {
    let publish = record(Guarantee, ELECTIONS, Publish, "RU", 1, Some(1), 1_000);
    let us = record(Guarantee, ELECTIONS, Sign, "US", 1, Some(2), 2_000);
    // At the same time as US's signature: sign before withdraw, and by
    // party in byte order ("OSCE-1" before "RU", "RU" before "RU-2").
    let osce = record(Guarantee, ELECTIONS, Sign, "OSCE-1", 1, None, 2_000);
    let ru = record(Guarantee, ELECTIONS, Sign, "RU", 1, Some(3), 2_000);
    let ru2 = record(Guarantee, ELECTIONS, Sign, "RU-2", 1, Some(4), 2_000);
    let withdraw = record(Guarantee, ELECTIONS, Withdraw, "OSCE-1", 1, Some(5), 2_000);
    // Dated before the publication it signs: `at` is what the party says.
    let early = record(Guarantee, ELECTIONS, Sign, "UN", 1, Some(6), 500);
    for record in [&withdraw, &us, &ru2, &publish, &ru, &early, &osce] {
        assert!(
            put(store, record),
            "{:?} by {} is stored",
            record.role,
            record.party
        );
    }
    assert_eq!(
        stored(store, Guarantee, ELECTIONS),
        vec![early, publish, osce, ru, ru2, us, withdraw],
        "every field, by at, then role, then party"
    );
    // At one time, the roles' order, not their stored order.
    let publish = record(Pledge, NO_FIRST_USE, Publish, "UN", 2, None, 0);
    let sign = record(Pledge, NO_FIRST_USE, Sign, "UN", 2, Some(7), 0);
    let withdraw = record(Pledge, NO_FIRST_USE, Withdraw, "UN", 2, Some(8), 0);
    for record in [&withdraw, &sign, &publish] {
        assert!(put(store, record));
    }
    assert_eq!(
        stored(store, Pledge, NO_FIRST_USE),
        vec![publish, sign, withdraw],
        "publish, sign, withdraw"
    );
    assert_eq!(stored(store, Pledge, ELECTIONS), vec![], "another kind");
    assert_eq!(
        stored(store, Guarantee, NO_FIRST_USE),
        vec![],
        "another kind"
    );
    assert_eq!(
        stored(store, Guarantee, "ru-us-elections-202"),
        vec![],
        "ids match exactly"
    );
    assert_eq!(
        stored(store, Guarantee, "RU-US-ELECTIONS-2026"),
        vec![],
        "ids are case-sensitive"
    );
}

/// The signed bytes are stored exactly: Arabic and Cyrillic text, bytes
/// that are not UTF-8, and none at all.
pub fn document_signed_bytes_are_stored_exactly(store: &dyn Store) {
    let mut text =
        "{\"title\":\"Гарантии невмешательства в выборы — ضمانات عدم التدخل في الانتخابات\"}"
            .as_bytes()
            .to_vec();
    text.extend_from_slice(&[0xd0, 0x00, 0xd8, 0xff]);
    let publish = DocumentRecord {
        signed: text,
        ..record(Guarantee, ELECTIONS, Publish, "RU", 1, Some(1), 0)
    };
    let empty = DocumentRecord {
        signed: Vec::new(),
        ..record(Guarantee, ELECTIONS, Sign, "US", 1, Some(2), 1)
    };
    assert!(put(store, &publish));
    assert!(put(store, &empty));
    assert_eq!(stored(store, Guarantee, ELECTIONS), vec![publish, empty]);
}

/// The same record stored again returns false and writes nothing, also
/// when dated or recorded later: the first stays.
pub fn the_same_document_record_again_records_nothing(store: &dyn Store) {
    let first = record(Pledge, NO_FIRST_USE, Sign, "RU", 1, Some(1), 1_000);
    assert!(put(store, &first), "the first time");
    assert!(!put(store, &first), "the same record again");
    let later = DocumentRecord {
        at: at(50_000),
        recorded_at: at(60_000),
        ..first.clone()
    };
    assert!(
        !put(store, &later),
        "the same record, dated and recorded later"
    );
    let unsent = record(Pledge, NO_FIRST_USE, Publish, "UN", 1, None, 0);
    assert!(put(store, &unsent), "a record that came with no message");
    assert!(!put(store, &unsent), "and again");
    assert_eq!(
        stored(store, Pledge, NO_FIRST_USE),
        vec![unsent, first],
        "one row each, as first stored"
    );
    assert_eq!(ids(store, Pledge), vec![NO_FIRST_USE.to_owned()]);
}

/// A party's second record in one role on one document, with another
/// document, other signed bytes or another message, is a conflict naming
/// the first that differs, and changes nothing. Another role by the same
/// party is another record.
pub fn a_second_document_record_by_one_party_and_role_is_a_conflict(store: &dyn Store) {
    let first = record(Guarantee, ELECTIONS, Sign, "US", 1, Some(1), 1_000);
    assert!(put(store, &first));

    let other_document = record(Guarantee, ELECTIONS, Sign, "US", 2, Some(1), 1_000);
    assert_conflict(
        store,
        &other_document,
        DocumentConflictReason::OtherDocument {
            stored_sha256: document(1),
            offered_sha256: document(2),
        },
    );
    let other_bytes = DocumentRecord {
        signed: b"signed again, with a new key".to_vec(),
        message_id: Some(id(9)),
        ..first.clone()
    };
    assert_conflict(
        store,
        &other_bytes,
        DocumentConflictReason::OtherSignedBytes,
    );
    for (offered, stored_message) in [(Some(9), Some(1)), (None, Some(1))] {
        let other_message = DocumentRecord {
            message_id: offered.map(id),
            ..first.clone()
        };
        assert_conflict(
            store,
            &other_message,
            DocumentConflictReason::OtherMessage {
                stored: stored_message.map(id),
                offered: offered.map(id),
            },
        );
    }
    let unsent = record(Guarantee, ELECTIONS, Publish, "US", 1, None, 0);
    assert!(put(store, &unsent), "US's publication: another role");
    let carried = DocumentRecord {
        message_id: Some(id(2)),
        ..unsent.clone()
    };
    assert_conflict(
        store,
        &carried,
        DocumentConflictReason::OtherMessage {
            stored: None,
            offered: Some(id(2)),
        },
    );
    assert_eq!(
        stored(store, Guarantee, ELECTIONS),
        vec![unsent, first],
        "nothing changed"
    );
}

/// Every publish and sign record of a document is about one document: a
/// publication or signature over another than the first stored is a
/// conflict naming it and both hashes, and writes nothing. The same
/// document under another id or kind is no conflict.
pub fn a_document_record_over_another_document_is_a_conflict(store: &dyn Store) {
    let publish = record(Guarantee, ELECTIONS, Publish, "RU", 1, Some(1), 1_000);
    assert!(put(store, &publish));
    let us = record(Guarantee, ELECTIONS, Sign, "US", 2, Some(2), 2_000);
    let not_the_document =
        |stored_role, stored_party: &str, offered: u8| DocumentConflictReason::NotTheDocument {
            stored_role,
            stored_party: party(stored_party),
            stored_sha256: document(1),
            offered_sha256: document(offered),
        };
    assert_conflict(store, &us, not_the_document(Publish, "RU", 2));
    let us = record(Guarantee, ELECTIONS, Sign, "US", 1, Some(2), 2_000);
    assert!(put(store, &us), "a signature over the published document");
    let un = record(Guarantee, ELECTIONS, Sign, "UN", 3, Some(3), 3_000);
    assert_conflict(store, &un, not_the_document(Publish, "RU", 3));
    assert_eq!(
        stored(store, Guarantee, ELECTIONS),
        vec![publish, us],
        "nothing changed"
    );

    // With no publication, the first signature fixes the document, for a
    // publication stored after it too.
    let ru = record(Pledge, NO_FIRST_USE, Sign, "RU", 1, Some(4), 1_000);
    assert!(put(store, &ru));
    let us = record(Pledge, NO_FIRST_USE, Sign, "US", 2, Some(5), 2_000);
    assert_conflict(store, &us, not_the_document(Sign, "RU", 2));
    let publish = record(Pledge, NO_FIRST_USE, Publish, "UN", 3, None, 0);
    assert_conflict(store, &publish, not_the_document(Sign, "RU", 3));
    assert_eq!(stored(store, Pledge, NO_FIRST_USE), vec![ru], "unchanged");

    // Each document id and each kind has its own document.
    let other_id = record(Guarantee, "ru-us-elections-2028", Sign, "US", 2, None, 0);
    let other_kind = record(Pledge, ELECTIONS, Sign, "US", 2, None, 0);
    assert!(put(store, &other_id), "another id, another document");
    assert!(put(store, &other_kind), "another kind, another document");
}

/// A withdrawal names the document the publish and sign records are about;
/// naming another is a conflict and writes nothing. With none of those
/// stored, a withdrawal is checked against nothing and fixes nothing.
pub fn a_document_withdrawal_naming_another_document_is_a_conflict(store: &dyn Store) {
    let sign = record(Guarantee, ELECTIONS, Sign, "US", 1, Some(1), 1_000);
    assert!(put(store, &sign));
    let withdraw = record(Guarantee, ELECTIONS, Withdraw, "US", 2, Some(2), 2_000);
    assert_conflict(
        store,
        &withdraw,
        DocumentConflictReason::NotTheDocument {
            stored_role: Sign,
            stored_party: party("US"),
            stored_sha256: document(1),
            offered_sha256: document(2),
        },
    );
    let withdraw = record(Guarantee, ELECTIONS, Withdraw, "US", 1, Some(2), 2_000);
    assert!(put(store, &withdraw), "a withdrawal naming the document");
    assert_eq!(stored(store, Guarantee, ELECTIONS), vec![sign, withdraw]);

    // A node may hear of a withdrawal before it sees the document.
    let first = record(Pledge, NO_FIRST_USE, Withdraw, "RU", 7, Some(3), 1_000);
    let second = record(Pledge, NO_FIRST_USE, Withdraw, "US", 8, Some(4), 2_000);
    assert!(
        put(store, &first),
        "a withdrawal with nothing to check against"
    );
    assert!(put(store, &second), "another, naming another document");
    let publish = record(Pledge, NO_FIRST_USE, Publish, "UN", 9, None, 3_000);
    assert!(put(store, &publish), "the withdrawals fix no document");
    let late = record(Pledge, NO_FIRST_USE, Withdraw, "OSCE", 7, Some(5), 4_000);
    assert_conflict(
        store,
        &late,
        DocumentConflictReason::NotTheDocument {
            stored_role: Publish,
            stored_party: party("UN"),
            stored_sha256: document(9),
            offered_sha256: document(7),
        },
    );
    assert_eq!(
        stored(store, Pledge, NO_FIRST_USE),
        vec![first, second, publish],
        "the refused withdrawal is not stored"
    );
}

/// The ids of one kind with at least one record, each once, in byte order;
/// a guarantee's id is not listed under pledges, nor the other way round.
pub fn document_ids_are_per_kind_in_byte_order(store: &dyn Store) {
    assert_eq!(ids(store, Guarantee), Vec::<String>::new(), "none at first");
    assert_eq!(ids(store, Pledge), Vec::<String>::new(), "none at first");
    let records = [
        record(Guarantee, ELECTIONS, Publish, "RU", 1, None, 0),
        record(Guarantee, ELECTIONS, Sign, "US", 1, None, 0),
        record(Guarantee, "a", Sign, "US", 2, None, 0),
        record(Guarantee, "Z", Sign, "US", 3, None, 0),
        record(Pledge, NO_FIRST_USE, Publish, "UN", 4, None, 0),
        record(Pledge, "UN/cyber-norms", Withdraw, "RU", 5, None, 0),
        record(Pledge, "UN-x", Sign, "RU", 6, None, 0),
        record(Pledge, "OSCE/cbm-3", Sign, "RU", 7, None, 0),
    ];
    for record in &records {
        assert!(put(store, record));
    }
    assert_eq!(
        ids(store, Guarantee),
        ["Z", "a", ELECTIONS].map(str::to_owned).to_vec(),
        "upper case before lower case, each once"
    );
    assert_eq!(
        ids(store, Pledge),
        ["OSCE/cbm-3", "UN-x", "UN/cyber-norms", NO_FIRST_USE]
            .map(str::to_owned)
            .to_vec(),
        "byte order: '-' before '/'"
    );
}

/// A document no record names has no records, under either kind.
pub fn document_records_of_an_unknown_document_are_empty(store: &dyn Store) {
    assert_eq!(stored(store, Guarantee, ELECTIONS), vec![]);
    assert!(put(
        store,
        &record(Pledge, NO_FIRST_USE, Publish, "UN", 1, None, 0)
    ));
    assert_eq!(stored(store, Guarantee, ELECTIONS), vec![]);
    assert_eq!(stored(store, Guarantee, NO_FIRST_USE), vec![]);
    assert_eq!(stored(store, Pledge, "UN/no-first-use-2"), vec![]);
    assert_eq!(ids(store, Guarantee), Vec::<String>::new());
}

fn is_misuse<T>(result: &Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::Misuse { .. }))
}

/// A document id that is not 1 to 96 of `a-z`, `A-Z`, `0-9`, `-`, `/` is
/// the caller's bug: `Misuse`, to store or to read, and nothing is written.
pub fn document_record_misuse_is_refused_and_writes_nothing(store: &dyn Store) {
    let refused = [
        (String::new(), "an empty id"),
        ("x".repeat(97), "an id of 97 characters"),
        ("ru us".to_owned(), "an id with a space"),
        ("UN/no_first_use".to_owned(), "an id with '_'"),
        ("UN\\no-first-use".to_owned(), "an id with '\\'"),
        ("ru-us@1".to_owned(), "an id with '@'"),
        ("выборы".to_owned(), "a non-ASCII id"),
    ];
    for kind in [Guarantee, Pledge] {
        for (document_id, why) in &refused {
            let result =
                store.put_document_record(&record(kind, document_id, Sign, "US", 1, None, 0));
            assert!(is_misuse(&result), "storing {why}: {result:?}");
            let result = store.document_records(kind, document_id);
            assert!(is_misuse(&result), "reading {why}: {result:?}");
        }
        assert_eq!(ids(store, kind), Vec::<String>::new(), "nothing written");
    }

    let longest = "x/".repeat(48);
    let edge = record(Pledge, &longest, Sign, "US", 1, None, 0);
    assert!(put(store, &edge), "an id of 96 characters");
    assert!(
        put(store, &record(Guarantee, "-", Sign, "US", 1, None, 0)),
        "an id of '-'"
    );
    assert!(
        put(store, &record(Pledge, "/", Sign, "US", 1, None, 0)),
        "an id of '/'"
    );
    assert_eq!(stored(store, Pledge, &longest), vec![edge]);
    assert_eq!(ids(store, Guarantee), vec!["-".to_owned()]);
    assert_eq!(
        ids(store, Pledge),
        vec!["/".to_owned(), longest],
        "only the valid ones"
    );
}
