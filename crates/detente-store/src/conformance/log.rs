//! Checks of the transparency log: sequencer batches, the checkpoint's
//! compare-and-swap, and reading entries back (docs/storage.md, "The
//! transparency log").

use detente_proto::ids::Tier;
use detente_proto::kind::MessageKind;

use crate::{
    AgreementSignature, CarriedRecord, Direction, DocumentKind, DocumentRecord, LogBatch, Mailbox,
    MessageState, NewMessage, OutboxEntry, RecordRole, Store, StoreError, StoredMessage,
};

use super::data::*;

/// Message `n`, recorded by log entry `index`.
fn logged(n: u64, direction: Direction, index: u64) -> NewMessage {
    NewMessage {
        log_index: Some(index),
        ..message(n, direction)
    }
}

/// Leaf bytes for entry `index`; not valid UTF-8, so a text encoding would break them.
fn entry(index: u64) -> Vec<u8> {
    let mut bytes = format!("{{\"entry\":{index}}}").into_bytes();
    bytes.extend_from_slice(&[0, 0xff]);
    bytes
}

/// A checkpoint note for `size`.
fn note(size: u64) -> String {
    format!("detente.RU/log/v1\n{size}\nroot{size}=\n\n— detente.RU/log/v1 sig{size}=\n")
}

/// A batch extending `old_size` by `count` entries, recording the messages given.
fn batch(
    old_size: u64,
    count: u64,
    sent: Vec<NewMessage>,
    received: Vec<(NewMessage, Vec<u8>)>,
) -> LogBatch {
    LogBatch {
        old_size,
        entries: (old_size..old_size + count).map(entry).collect(),
        new_size: old_size + count,
        checkpoint: note(old_size + count),
        sent,
        received,
        records: Vec::new(),
    }
}

fn commit(store: &dyn Store, batch: &LogBatch) {
    store.commit_log_batch(batch).unwrap_or_else(|e| {
        panic!(
            "commit_log_batch({}..{}) failed: {e}",
            batch.old_size, batch.new_size
        )
    });
}

fn checkpoint(store: &dyn Store) -> Option<(u64, String)> {
    store.log_checkpoint().expect("log_checkpoint failed")
}

fn entries(store: &dyn Store, start: u64, end: u64) -> Vec<Vec<u8>> {
    store
        .log_entries(start, end)
        .unwrap_or_else(|e| panic!("log_entries({start}, {end}) failed: {e}"))
}

/// Everything a refused batch could have touched.
#[derive(Debug, PartialEq)]
struct Snapshot {
    checkpoint: Option<(u64, String)>,
    entries: Vec<Vec<u8>>,
    messages: Vec<StoredMessage>,
    due: Vec<OutboxEntry>,
}

fn snapshot(store: &dyn Store) -> Snapshot {
    Snapshot {
        checkpoint: checkpoint(store),
        entries: entries(store, 0, u64::MAX),
        messages: store
            .messages(&query(Mailbox::All, &Tier::ALL))
            .expect("messages"),
        due: all_due(store),
    }
}

/// Asserts that `batch` fails as `expected` says and leaves the store as it was.
fn refused(store: &dyn Store, batch: &LogBatch, expected: impl Fn(&StoreError) -> bool, why: &str) {
    let before = snapshot(store);
    let result = store.commit_log_batch(batch);
    assert!(
        result.as_ref().is_err_and(expected),
        "{why}: unexpected result {result:?}"
    );
    assert_eq!(
        snapshot(store),
        before,
        "{why}: a refused batch writes nothing"
    );
}

/// An empty log has no checkpoint and no entries.
pub fn empty_log_has_no_checkpoint_and_no_entries(store: &dyn Store) {
    assert_eq!(
        checkpoint(store),
        None,
        "no checkpoint before the first batch"
    );
    assert_eq!(entries(store, 0, 10), Vec::<Vec<u8>>::new());
    assert_eq!(entries(store, 0, u64::MAX), Vec::<Vec<u8>>::new());
}

/// One batch writes its entries in order, its messages (sent: queued, due at
/// `recorded_at`; received: with our receipt), each with its log index, and
/// the checkpoint.
pub fn log_batch_writes_entries_messages_and_checkpoint(store: &dyn Store) {
    let s1 = logged(1, Direction::Sent, 0);
    let r2 = logged(2, Direction::Received, 2);
    // Our acknowledgement of r2, logged in the same batch.
    let s3 = NewMessage {
        kind: MessageKind::Acknowledgement,
        in_reply_to: Some(r2.id),
        ..logged(3, Direction::Sent, 3)
    };
    // Entry 1 records no message (a document, say).
    let b = batch(
        0,
        4,
        vec![s1.clone(), s3.clone()],
        vec![(r2.clone(), b"our receipt 2".to_vec())],
    );
    commit(store, &b);

    assert_eq!(checkpoint(store), Some((4, note(4))));
    assert_eq!(entries(store, 0, 4), b.entries, "entries in index order");
    assert_eq!(
        entries(store, 1, 3),
        b.entries[1..3].to_vec(),
        "a middle range"
    );
    assert_eq!(
        entries(store, 2, 2),
        Vec::<Vec<u8>>::new(),
        "an empty range"
    );
    assert_eq!(
        entries(store, 3, 1),
        Vec::<Vec<u8>>::new(),
        "a reversed range"
    );

    assert_eq!(get(store, &s1.id), Some(queued(&s1, s1.recorded_at)));
    assert_eq!(get(store, &s3.id), Some(queued(&s3, s3.recorded_at)));
    let mut r2_stored = accepted(&r2, b"our receipt 2");
    r2_stored.acknowledged_by = Some((s3.id, s3.created_at));
    assert_eq!(get(store, &r2.id), Some(r2_stored));
    assert_eq!(
        get(store, &r2.id).map(|stored| stored.message.log_index),
        Some(Some(2)),
        "the log index reads back"
    );

    let due = |now| store.due_deliveries(now, 10).expect("due_deliveries");
    assert_eq!(
        due(s1.recorded_at),
        vec![outbox_entry(&s1, 0, s1.recorded_at, None)],
        "a sent message is due at its recorded_at"
    );
    assert_eq!(
        all_due(store),
        vec![
            outbox_entry(&s1, 0, s1.recorded_at, None),
            outbox_entry(&s3, 0, s3.recorded_at, None),
        ],
        "one outbox entry per sent message, none for received ones"
    );
    assert_eq!(
        store.next_delivery_at().expect("next_delivery_at"),
        Some(s1.recorded_at)
    );
    // A logged message is delivered like any other.
    store
        .record_delivery(&s1.id, b"peer receipt", at(9_000), &[])
        .expect("record_delivery");
    let delivered = get(store, &s1.id).expect("stored");
    assert_eq!(
        (delivered.state, delivered.message.log_index),
        (MessageState::Delivered, Some(0))
    );
}

/// `signer`'s `role` record on guarantee `document_id`, over document
/// `n`, carried by message `message`.
fn carried_document(
    document_id: &str,
    role: RecordRole,
    signer: &str,
    n: u8,
    message: u64,
) -> DocumentRecord {
    DocumentRecord {
        kind: DocumentKind::Guarantee,
        document_id: document_id.to_owned(),
        role,
        party: party(signer),
        document_sha256: hash(u64::from(n), 0xd0),
        signed: format!("{{\"guarantee\":\"{document_id}\",\"n\":{n}}}").into_bytes(),
        message_id: Some(id(message)),
        at: at(1_000),
        recorded_at: at(2_000),
    }
}

/// The records received messages carry are written with their batch: a
/// document step and an agreement signature read back as given, and the
/// same again in a later batch (a repeat) records nothing new.
pub fn log_batch_stores_the_records_its_messages_carry(store: &dyn Store) {
    let r1 = logged(1, Direction::Received, 0);
    let step = carried_document("elections-2027", RecordRole::Publish, "US", 1, 1);
    let signature = AgreementSignature {
        agreement_id: "bilateral".parse().expect("a document id"),
        version: 1,
        signer: party("US"),
        document_sha256: hash(7, 0xa0),
        signed: b"{\"agreement\":\"bilateral@1\"}".to_vec(),
        recorded_at: at(3_000),
    };
    let b = LogBatch {
        records: vec![
            CarriedRecord::Document(step.clone()),
            CarriedRecord::AgreementSignature(signature.clone()),
        ],
        ..batch(0, 3, vec![], vec![(r1.clone(), b"receipt 1".to_vec())])
    };
    commit(store, &b);
    assert_eq!(get(store, &r1.id), Some(accepted(&r1, b"receipt 1")));
    let steps = || {
        store
            .document_records(DocumentKind::Guarantee, "elections-2027")
            .expect("document_records")
    };
    let signatures = || {
        store
            .agreement_signatures(&"bilateral".parse().expect("a document id"), 1)
            .expect("agreement_signatures")
    };
    assert_eq!(steps(), vec![step.clone()], "the carried step is stored");
    assert_eq!(
        signatures(),
        vec![signature.clone()],
        "the carried signature is stored"
    );
    // The same records carried again are repeats, not conflicts.
    let r2 = logged(2, Direction::Received, 3);
    let again = LogBatch {
        records: vec![
            CarriedRecord::Document(step.clone()),
            CarriedRecord::AgreementSignature(signature.clone()),
        ],
        ..batch(3, 1, vec![], vec![(r2.clone(), b"receipt 2".to_vec())])
    };
    commit(store, &again);
    assert_eq!(steps(), vec![step], "a repeated step is stored once");
    assert_eq!(
        signatures(),
        vec![signature],
        "a repeated signature is stored once"
    );
}

/// A batch whose carried record conflicts with a stored one fails whole:
/// not its message, its entries, its checkpoint or its other records.
pub fn log_batch_with_a_conflicting_record_fails_whole_and_writes_nothing(store: &dyn Store) {
    let first = carried_document("elections-2027", RecordRole::Publish, "US", 1, 1);
    commit(
        store,
        &LogBatch {
            records: vec![CarriedRecord::Document(first.clone())],
            ..batch(
                0,
                2,
                vec![],
                vec![(logged(1, Direction::Received, 0), b"r1".to_vec())],
            )
        },
    );
    let other = carried_document("other-guarantee", RecordRole::Publish, "US", 3, 2);
    let conflicting = carried_document("elections-2027", RecordRole::Publish, "US", 2, 2);
    let b = LogBatch {
        records: vec![
            CarriedRecord::Document(other),
            CarriedRecord::Document(conflicting),
        ],
        ..batch(
            2,
            2,
            vec![],
            vec![(logged(2, Direction::Received, 2), b"r2".to_vec())],
        )
    };
    refused(
        store,
        &b,
        |e| matches!(e, StoreError::DocumentConflict(_)),
        "a second publication by US on one guarantee",
    );
    assert_eq!(
        store
            .document_records(DocumentKind::Guarantee, "other-guarantee")
            .expect("document_records"),
        vec![],
        "the refused batch's other record is not written"
    );
    assert_eq!(
        store
            .document_records(DocumentKind::Guarantee, "elections-2027")
            .expect("document_records"),
        vec![first],
        "the stored record stays"
    );
}

/// A batch that extends another size than the stored checkpoint's is a
/// conflict, and writes nothing: not its entries, messages or checkpoint.
pub fn log_batch_with_a_stale_size_is_a_conflict_and_writes_nothing(store: &dyn Store) {
    let conflict = |expected: u64, found: u64| move |e: &StoreError| matches!(e, StoreError::LogConflict { expected: x, found: f } if (*x, *f) == (expected, found));
    let ahead = batch(1, 2, vec![logged(1, Direction::Sent, 1)], vec![]);
    refused(
        store,
        &ahead,
        conflict(1, 0),
        "extending size 1 of an empty log",
    );
    assert_eq!(get(store, &id(1)), None);

    commit(store, &batch(0, 2, vec![], vec![]));
    let behind = batch(0, 1, vec![logged(2, Direction::Sent, 0)], vec![]);
    refused(
        store,
        &behind,
        conflict(0, 2),
        "a second sequencer at size 0",
    );
    let beyond = batch(
        3,
        1,
        vec![],
        vec![(logged(3, Direction::Received, 3), b"r3".to_vec())],
    );
    refused(
        store,
        &beyond,
        conflict(3, 2),
        "a sequencer ahead of the log",
    );
    assert_eq!(get(store, &id(2)), None, "no message of a refused batch");
    assert_eq!(get(store, &id(3)), None, "no message of a refused batch");
    assert_eq!(
        checkpoint(store),
        Some((2, note(2))),
        "checkpoint unchanged"
    );
    assert_eq!(all_due(store), vec![], "no outbox row");
}

/// A batch holding an id already stored — by any operation, or twice in the
/// batch itself — fails whole with `ConflictingId` and writes nothing.
pub fn log_batch_with_a_stored_id_fails_whole_and_writes_nothing(store: &dyn Store) {
    let is_conflicting_id = |e: &StoreError| matches!(e, StoreError::ConflictingId { .. });
    let queued_earlier = sent(1);
    enqueue(store, &queued_earlier, at(5_000));
    let accepted_earlier = received(2);
    accept(store, &accepted_earlier, b"r2");
    commit(
        store,
        &batch(0, 1, vec![logged(3, Direction::Sent, 0)], vec![]),
    );

    // Each batch is otherwise well formed and extends the right size.
    let fresh = || logged(10, Direction::Sent, 1);
    let cases: Vec<(&str, LogBatch)> = vec![
        (
            "a sent id enqueued before",
            batch(1, 2, vec![fresh(), logged(1, Direction::Sent, 2)], vec![]),
        ),
        (
            "the same received envelope again (idempotent for accept_incoming, not in a batch)",
            batch(
                1,
                2,
                vec![fresh()],
                vec![(
                    NewMessage {
                        log_index: Some(2),
                        ..accepted_earlier.clone()
                    },
                    b"r2 again".to_vec(),
                )],
            ),
        ),
        (
            "an id logged by an earlier batch",
            batch(
                1,
                2,
                vec![fresh()],
                vec![(logged(3, Direction::Received, 2), b"r3".to_vec())],
            ),
        ),
        (
            "one id twice in the batch",
            batch(
                1,
                2,
                vec![fresh()],
                vec![(logged(10, Direction::Received, 2), b"r10".to_vec())],
            ),
        ),
    ];
    for (why, b) in &cases {
        refused(store, b, is_conflicting_id, why);
        assert_eq!(
            get(store, &id(10)),
            None,
            "{why}: the batch's other message"
        );
    }
    assert_eq!(
        get(store, &queued_earlier.id),
        Some(queued(&queued_earlier, at(5_000))),
        "the stored messages are untouched"
    );
    assert_eq!(
        get(store, &accepted_earlier.id),
        Some(accepted(&accepted_earlier, b"r2"))
    );
    assert_eq!(checkpoint(store), Some((1, note(1))));
}

/// Successive batches extend the log; a range past the end returns what exists.
pub fn log_batches_extend_the_log(store: &dyn Store) {
    commit(
        store,
        &batch(0, 3, vec![logged(1, Direction::Sent, 1)], vec![]),
    );
    let second = batch(
        3,
        2,
        vec![],
        vec![(logged(2, Direction::Received, 4), b"r2".to_vec())],
    );
    commit(store, &second);
    assert_eq!(checkpoint(store), Some((5, note(5))));
    let all: Vec<Vec<u8>> = (0..5).map(entry).collect();
    assert_eq!(entries(store, 0, 5), all, "both batches, in order");
    assert_eq!(entries(store, 0, 100), all, "a range past the end: fewer");
    assert_eq!(
        entries(store, 2, 100),
        all[2..].to_vec(),
        "across the batches"
    );
    assert_eq!(entries(store, 4, u64::MAX), all[4..].to_vec());
    assert_eq!(entries(store, 5, 10), Vec::<Vec<u8>>::new(), "from the end");
    assert_eq!(
        entries(store, 50, 60),
        Vec::<Vec<u8>>::new(),
        "beyond the end"
    );
    assert_eq!(
        entries(store, u64::MAX - 1, u64::MAX),
        Vec::<Vec<u8>>::new(),
        "at the end of u64"
    );

    // A batch without entries only replaces the checkpoint (say, re-signed).
    let resigned = LogBatch {
        checkpoint: "re-signed\n".to_owned(),
        ..batch(5, 0, vec![], vec![])
    };
    commit(store, &resigned);
    assert_eq!(checkpoint(store), Some((5, "re-signed\n".to_owned())));
    assert_eq!(entries(store, 0, 100), all);
}

/// A malformed batch is the caller's bug (`Misuse`) and writes nothing.
pub fn log_batch_misuse_is_refused_and_writes_nothing(store: &dyn Store) {
    commit(store, &batch(0, 1, vec![], vec![]));
    let is_misuse = |e: &StoreError| matches!(e, StoreError::Misuse { .. });
    let good = || {
        batch(
            1,
            2,
            vec![logged(1, Direction::Sent, 1)],
            vec![(logged(2, Direction::Received, 2), b"r2".to_vec())],
        )
    };
    let mut cases: Vec<(&str, LogBatch)> = Vec::new();
    cases.push((
        "new_size is not old_size plus the entries",
        LogBatch {
            new_size: 4,
            ..good()
        },
    ));
    let mut b = good();
    b.sent[0].log_index = None;
    cases.push(("a sent message without a log index", b));
    let mut b = good();
    b.received[0].0.log_index = Some(3);
    cases.push(("a log index past the batch", b));
    let mut b = good();
    b.sent[0].log_index = Some(0);
    cases.push(("a log index before the batch", b));
    let mut b = good();
    b.received[0].0.log_index = Some(1);
    cases.push(("two messages on one entry", b));
    let mut b = good();
    b.sent[0].direction = Direction::Received;
    cases.push(("a received message among the sent", b));
    let mut b = good();
    b.received[0].0.direction = Direction::Sent;
    cases.push(("a sent message among the received", b));
    for (why, b) in &cases {
        refused(store, b, is_misuse, why);
    }
    // A malformed batch is refused as such even when its size is stale.
    refused(
        store,
        &LogBatch {
            old_size: 0,
            new_size: 7,
            ..good()
        },
        is_misuse,
        "malformed and stale",
    );
    commit(store, &good());
}

/// `enqueue_outgoing` and `accept_incoming` store `log_index` as given.
pub fn enqueue_and_accept_store_the_log_index_given(store: &dyn Store) {
    let unlogged = sent(1);
    let logged_sent = logged(2, Direction::Sent, 7);
    let logged_received = logged(3, Direction::Received, 8);
    enqueue(store, &unlogged, at(0));
    enqueue(store, &logged_sent, at(0));
    accept(store, &logged_received, b"r3");
    let index = |n: u64| get(store, &id(n)).expect("stored").message.log_index;
    assert_eq!(
        (index(1), index(2), index(3)),
        (None, Some(7), Some(8)),
        "log_index reads back as stored"
    );
    assert_eq!(checkpoint(store), None, "storing messages writes no log");
}

/// Large batches (thousands of entries, as the sequencer commits them)
/// keep every entry at its index, across any internal chunking.
pub fn large_log_batches_keep_every_entry_in_order(store: &dyn Store) {
    for (old_size, count) in [(0, 1000), (1000, 257), (1257, 256), (1513, 1)] {
        commit(store, &batch(old_size, count, vec![], vec![]));
    }
    let all: Vec<Vec<u8>> = (0..1514).map(entry).collect();
    assert_eq!(checkpoint(store), Some((1514, note(1514))));
    assert_eq!(entries(store, 0, u64::MAX), all, "every entry, in order");
    assert_eq!(
        entries(store, 255, 258),
        all[255..258].to_vec(),
        "across a chunk edge"
    );
}
