//! Checks of the outbox: due entries, failures and recorded deliveries.

use crate::{Direction, MessageState, NewMessage, Store, StoreError, StoredMessage};

use super::data::*;

/// A receipt marks the message delivered and removes its outbox entry, once.
pub fn delivery_marks_delivered_and_clears_outbox(store: &dyn Store) {
    let m = sent(1);
    enqueue(store, &m, at(5_000));
    store
        .record_delivery(&m.id, b"peer receipt", at(7_000), &[])
        .expect("record_delivery");
    let delivered = StoredMessage {
        message: m.clone(),
        state: MessageState::Delivered,
        receipt: Some(b"peer receipt".to_vec()),
        delivered_at: Some(at(7_000)),
        attempts: 0,
        last_error: None,
        next_attempt_at: None,
        acknowledged_by: None,
    };
    assert_eq!(get(store, &m.id), Some(delivered.clone()));
    assert_eq!(
        all_due(store),
        vec![],
        "a delivered message leaves the outbox"
    );
    assert_eq!(store.next_delivery_at().expect("next_delivery_at"), None);

    store
        .record_delivery(&m.id, b"another receipt", at(9_000), &[])
        .expect("recording a delivery twice is a no-op, not an error");
    assert_eq!(
        get(store, &m.id),
        Some(delivered),
        "the first receipt stays"
    );
}

/// Only a stored, sent message can be delivered.
pub fn delivery_of_unknown_message_is_not_found(store: &dyn Store) {
    let result = store.record_delivery(&id(1), b"receipt", at(0), &[]);
    assert!(
        matches!(result, Err(StoreError::NotFound { .. })),
        "record_delivery of an unknown id must be NotFound, got {result:?}"
    );
    assert_eq!(get(store, &id(1)), None);

    let r = received(2);
    accept(store, &r, b"our receipt");
    assert!(
        store
            .record_delivery(&r.id, b"receipt", at(0), &[])
            .is_err(),
        "a received message is not delivered"
    );
    assert_eq!(
        get(store, &r.id),
        Some(accepted(&r, b"our receipt")),
        "nothing changed"
    );

    let result = store.record_delivery_failure(&id(3), 1, at(0), "refused");
    assert!(
        matches!(result, Err(StoreError::NotFound { .. })),
        "record_delivery_failure of an unknown id must be NotFound, got {result:?}"
    );
}

/// Due entries come oldest first, at most `limit`, and only once due.
pub fn due_deliveries_are_oldest_first_and_bounded(store: &dyn Store) {
    let (m1, m2, m4) = (sent(1), sent(2), sent(4));
    let m3 = NewMessage {
        counterparty: party("RU"),
        ..sent(3)
    };
    enqueue(store, &m1, at(30_000));
    enqueue(store, &m2, at(10_000));
    enqueue(store, &m3, at(20_000));
    enqueue(store, &m4, at(100_000));
    let entry = |m: &NewMessage, due: i64| outbox_entry(m, 0, at(due), None);

    let due = |now: i64, limit: usize| {
        store
            .due_deliveries(at(now), limit)
            .expect("due_deliveries")
    };
    assert_eq!(due(5_000, 10), vec![], "nothing due before the first entry");
    assert_eq!(
        due(10_000, 10),
        vec![entry(&m2, 10_000)],
        "an entry is due at its time"
    );
    assert_eq!(
        due(30_000, 10),
        vec![entry(&m2, 10_000), entry(&m3, 20_000), entry(&m1, 30_000)],
        "oldest first, later ones left out"
    );
    assert_eq!(
        due(30_000, 2),
        vec![entry(&m2, 10_000), entry(&m3, 20_000)],
        "at most limit"
    );
    assert_eq!(due(30_000, 0), vec![], "limit 0");
    assert_eq!(
        store.next_delivery_at().expect("next_delivery_at"),
        Some(at(10_000))
    );

    store
        .record_delivery(&m2.id, b"receipt", at(11_000), &[])
        .expect("record_delivery");
    assert_eq!(
        store.next_delivery_at().expect("next_delivery_at"),
        Some(at(20_000))
    );
}

/// A failed attempt is recorded and the entry rescheduled.
pub fn delivery_failure_reschedules(store: &dyn Store) {
    let m = sent(1);
    enqueue(store, &m, at(10_000));
    store
        .record_delivery_failure(&m.id, 1, at(70_000), "connection refused")
        .expect("record_delivery_failure");
    let due = |now: i64| store.due_deliveries(at(now), 10).expect("due_deliveries");
    assert_eq!(due(10_000), vec![], "no longer due at the old time");
    assert_eq!(
        due(70_000),
        vec![outbox_entry(&m, 1, at(70_000), Some("connection refused"))]
    );
    assert_eq!(
        store.next_delivery_at().expect("next_delivery_at"),
        Some(at(70_000))
    );
    let stored = get(store, &m.id).expect("stored");
    assert_eq!(
        (
            stored.state,
            stored.attempts,
            stored.last_error.as_deref(),
            stored.next_attempt_at
        ),
        (
            MessageState::Queued,
            1,
            Some("connection refused"),
            Some(at(70_000))
        ),
        "the message shows the failed attempt"
    );

    // A failure reported after the receipt was recorded does not undo the delivery.
    store
        .record_delivery(&m.id, b"receipt", at(80_000), &[])
        .expect("record_delivery");
    let _ = store.record_delivery_failure(&m.id, 2, at(90_000), "late report");
    let stored = get(store, &m.id).expect("stored");
    assert_eq!(stored.state, MessageState::Delivered, "still delivered");
    assert_eq!(all_due(store), vec![], "no outbox entry comes back");
}

/// Counts per kind, direction and state, and the queue per peer with its
/// oldest message, follow enqueueing and delivery; a store can take a
/// write, and checking writes nothing.
pub fn counts_follow_the_queue_and_deliveries(store: &dyn Store) {
    use crate::{MessageCount, QueuedForPeer};
    use detente_proto::kind::MessageKind;
    store.check_writable().expect("writable");
    assert!(store.message_counts().expect("counts").is_empty());
    assert!(store.queued_by_peer().expect("queued").is_empty());
    let (first, second) = (sent(1), sent(2));
    enqueue(store, &first, at(0));
    enqueue(store, &second, at(0));
    accept(store, &received(3), b"receipt");
    store
        .record_delivery(&first.id, b"their receipt", at(5), &[])
        .expect("delivery");
    store.check_writable().expect("writable");
    let count = |direction, state, count| MessageCount {
        kind: MessageKind::Notification,
        direction,
        state,
        count,
    };
    assert_eq!(
        store.message_counts().expect("counts"),
        vec![
            count(Direction::Received, MessageState::Received, 1),
            count(Direction::Sent, MessageState::Delivered, 1),
            count(Direction::Sent, MessageState::Queued, 1),
        ]
    );
    assert_eq!(
        store.queued_by_peer().expect("queued"),
        vec![QueuedForPeer {
            peer: second.counterparty.clone(),
            count: 1,
            oldest_recorded_at: second.recorded_at,
        }]
    );
}
