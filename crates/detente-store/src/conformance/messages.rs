//! Checks of storing messages: enqueue (sent) and accept (received).

use detente_proto::ids::Tier;
use detente_proto::kind::{MessageKind, Precedence, Tlp};

use crate::{AcceptOutcome, Direction, NewMessage, Store, StoreError};

use super::data::*;

/// A queued message reads back exactly, with its outbox entry.
pub fn enqueue_stores_message_and_outbox_entry(store: &dyn Store) {
    assert_eq!(get(store, &id(1)), None, "an empty store has no messages");
    let mut m = sent(1);
    // Values that a careless encoding would mangle.
    m.kind = MessageKind::RequestAssistance;
    m.precedence = Precedence::Flash;
    m.from_tier = Tier::Leadership;
    m.to_tier = Tier::Policy;
    m.officer = officer("Анна Петрова");
    m.in_reply_to = Some(id(99));
    m.exercise = true;
    m.tlp = Tlp::AmberStrict;
    m.headline = "Écoute: \"quotes\", commas, 'apostrophes' ✓".to_owned();
    m.envelope = vec![0, 1, 2, 0xff, 0, b'{', b'}'];
    let first = at(5_000);
    enqueue(store, &m, first);

    assert_eq!(
        get(store, &m.id),
        Some(queued(&m, first)),
        "queued message reads back exactly"
    );
    assert_eq!(
        all_due(store),
        vec![outbox_entry(&m, 0, first, None)],
        "one outbox entry"
    );
    assert_eq!(
        store.next_delivery_at().expect("next_delivery_at"),
        Some(first)
    );
}

/// A used id is refused, and the refused enqueue leaves no trace.
pub fn enqueue_refuses_a_used_id_and_writes_nothing(store: &dyn Store) {
    let first = sent(1);
    enqueue(store, &first, at(5_000));

    let mut other = sent(1);
    other.envelope = b"another envelope".to_vec();
    other.envelope_sha256 = hash(1, 1);
    for attempt in [&first, &other] {
        let result = store.enqueue_outgoing(attempt, at(1_000));
        assert!(
            matches!(result, Err(StoreError::ConflictingId { .. })),
            "enqueue under a used id must be ConflictingId, got {result:?}"
        );
    }
    assert_eq!(
        get(store, &first.id),
        Some(queued(&first, at(5_000))),
        "the first message is untouched"
    );

    // An id taken by a received message: the refused enqueue must not leave
    // an outbox row that would deliver the received envelope back.
    let taken = received(2);
    accept(store, &taken, b"our receipt 2");
    let mut clash = sent(2);
    clash.envelope = b"our own envelope".to_vec();
    let result = store.enqueue_outgoing(&clash, at(1_000));
    assert!(
        matches!(result, Err(StoreError::ConflictingId { .. })),
        "enqueue under a received id must be ConflictingId, got {result:?}"
    );
    assert_eq!(
        get(store, &taken.id),
        Some(accepted(&taken, b"our receipt 2"))
    );
    assert_eq!(
        all_due(store),
        vec![outbox_entry(&first, 0, at(5_000), None)],
        "a refused enqueue writes no outbox row"
    );
}

/// `enqueue_outgoing` takes sent messages and `accept_incoming` received
/// ones; anything else is the caller's bug ([`StoreError::Misuse`]).
pub fn direction_mismatch_is_refused(store: &dyn Store) {
    let result = store.enqueue_outgoing(&received(1), at(0));
    assert!(
        matches!(result, Err(StoreError::Misuse { .. })),
        "enqueue of a received message must be Misuse, got {result:?}"
    );
    let result = store.accept_incoming(&sent(2), b"receipt");
    assert!(
        matches!(result, Err(StoreError::Misuse { .. })),
        "accept of a sent message must be Misuse, got {result:?}"
    );
    assert_eq!(get(store, &id(1)), None, "nothing written");
    assert_eq!(get(store, &id(2)), None, "nothing written");
    assert_eq!(all_due(store), vec![], "no outbox row");
}

/// An accepted message reads back exactly, with our receipt, and is not in the outbox.
pub fn accept_stores_message_with_receipt(store: &dyn Store) {
    let mut r = received(1);
    r.kind = MessageKind::Ping;
    r.tlp = Tlp::Clear;
    accept(store, &r, b"our receipt");
    assert_eq!(get(store, &r.id), Some(accepted(&r, b"our receipt")));
    assert_eq!(
        all_due(store),
        vec![],
        "received messages are never delivered"
    );
    assert_eq!(store.next_delivery_at().expect("next_delivery_at"), None);
}

/// Delivery is idempotent: the same envelope again gets the first receipt and changes nothing.
pub fn accept_twice_returns_the_first_receipt(store: &dyn Store) {
    let r = received(1);
    accept(store, &r, b"first receipt");
    let mut again = r.clone();
    again.recorded_at = at(60_000);
    let outcome = store.accept_incoming(&again, b"second receipt");
    assert_eq!(
        outcome.expect("a repeated accept succeeds"),
        AcceptOutcome::AlreadyAccepted {
            receipt: b"first receipt".to_vec()
        }
    );
    assert_eq!(
        get(store, &r.id),
        Some(accepted(&r, b"first receipt")),
        "nothing rewritten"
    );
}

/// Another envelope under a stored id (received or sent) is refused and changes nothing.
pub fn accept_refuses_another_envelope_under_a_used_id(store: &dyn Store) {
    let r = received(1);
    accept(store, &r, b"receipt 1");
    let mut forged = received(1);
    forged.headline = "a different message".to_owned();
    forged.envelope = b"a different envelope".to_vec();
    forged.envelope_sha256 = hash(1, 1);
    let result = store.accept_incoming(&forged, b"receipt for forged");
    assert!(
        matches!(result, Err(StoreError::ConflictingId { .. })),
        "accept of another envelope under a used id must be ConflictingId, got {result:?}"
    );
    assert_eq!(
        get(store, &r.id),
        Some(accepted(&r, b"receipt 1")),
        "the first message is untouched"
    );

    // Our own sent message echoed back is not "already accepted".
    let ours = sent(2);
    enqueue(store, &ours, at(5_000));
    let echoed = NewMessage {
        direction: Direction::Received,
        ..ours.clone()
    };
    let result = store.accept_incoming(&echoed, b"receipt for echo");
    assert!(
        matches!(result, Err(StoreError::ConflictingId { .. })),
        "accept under an id we sent must be ConflictingId, got {result:?}"
    );
    assert_eq!(
        get(store, &ours.id),
        Some(queued(&ours, at(5_000))),
        "our message is untouched"
    );
}
