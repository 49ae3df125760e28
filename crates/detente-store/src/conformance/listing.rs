//! Checks of listing messages: filters, order, tier visibility, acknowledgements.

use detente_proto::ids::Tier;
use detente_proto::kind::MessageKind;

use crate::{Direction, Mailbox, MessageQuery, MessageState, NewMessage, Store, StoredMessage};

use super::data::*;

/// An officer sees what was sent from, or received for, their tiers.
pub fn tier_visibility_filters_listings(store: &dyn Store) {
    let tiers = |n: u64, direction: Direction, from: Tier, to: Tier| NewMessage {
        from_tier: from,
        to_tier: to,
        ..message(n, direction)
    };
    let s1 = tiers(1, Direction::Sent, Tier::Technical, Tier::Policy);
    let s2 = tiers(2, Direction::Sent, Tier::Policy, Tier::Technical);
    let r3 = tiers(3, Direction::Received, Tier::Leadership, Tier::Operational);
    let r4 = tiers(4, Direction::Received, Tier::Technical, Tier::Policy);
    enqueue(store, &s1, at(0));
    enqueue(store, &s2, at(0));
    accept(store, &r3, b"receipt 3");
    accept(store, &r4, b"receipt 4");

    let see = |tiers: &[Tier]| listed(store, &query(Mailbox::All, tiers));
    assert_eq!(
        see(&[Tier::Technical]),
        vec![s1.id],
        "technical: sent from technical only"
    );
    assert_eq!(
        see(&[Tier::Policy]),
        vec![r4.id, s2.id],
        "policy: sent from or received for policy"
    );
    assert_eq!(see(&[Tier::Operational]), vec![r3.id]);
    assert_eq!(
        see(&[Tier::Leadership]),
        vec![],
        "leadership: nothing sent from or for it"
    );
    assert_eq!(
        see(&Tier::ALL),
        vec![r4.id, r3.id, s2.id, s1.id],
        "every tier: everything, newest first"
    );
    for mailbox in [Mailbox::All, Mailbox::Inbox, Mailbox::Outbox] {
        assert_eq!(
            listed(store, &query(mailbox, &[])),
            vec![],
            "no tiers, no messages ({mailbox:?})"
        );
    }
}

/// Mailbox, state, counterparty and limit narrow a listing; order is newest first, then id.
pub fn mailbox_state_and_counterparty_filters(store: &dyn Store) {
    let q1 = sent(1);
    let d2 = NewMessage {
        counterparty: party("RU"),
        ..sent(2)
    };
    let r3 = received(3);
    let r4 = NewMessage {
        counterparty: party("RU"),
        ..received(4)
    };
    // Recorded at the same instant as r4: ties go to the higher id.
    let r5 = NewMessage {
        recorded_at: r4.recorded_at,
        ..received(5)
    };
    enqueue(store, &q1, at(0));
    enqueue(store, &d2, at(0));
    store
        .record_delivery(&d2.id, b"receipt 2", at(1), &[])
        .expect("record_delivery");
    accept(store, &r3, b"receipt 3");
    accept(store, &r4, b"receipt 4");
    accept(store, &r5, b"receipt 5");

    let technical = [Tier::Technical];
    let list = |mailbox, state, counterparty: Option<&str>, limit| {
        listed(
            store,
            &MessageQuery {
                mailbox,
                state,
                tiers: technical.to_vec(),
                counterparty: counterparty.map(party),
                kind: None,
                limit,
            },
        )
    };
    use Mailbox::{All, Inbox, Outbox};
    use MessageState::{Delivered, Queued, Received};
    assert_eq!(
        list(All, None, None, 100),
        vec![r5.id, r4.id, r3.id, d2.id, q1.id],
        "all, newest first"
    );
    assert_eq!(
        list(Inbox, None, None, 100),
        vec![r5.id, r4.id, r3.id],
        "inbox: received"
    );
    assert_eq!(
        list(Outbox, None, None, 100),
        vec![d2.id, q1.id],
        "outbox: sent"
    );
    assert_eq!(list(Outbox, Some(Queued), None, 100), vec![q1.id]);
    assert_eq!(list(Outbox, Some(Delivered), None, 100), vec![d2.id]);
    assert_eq!(
        list(Inbox, Some(Queued), None, 100),
        vec![],
        "nothing received is queued"
    );
    assert_eq!(
        list(All, Some(Received), None, 100),
        vec![r5.id, r4.id, r3.id]
    );
    assert_eq!(
        list(All, None, Some("RU"), 100),
        vec![r4.id, d2.id],
        "counterparty RU"
    );
    assert_eq!(list(Outbox, None, Some("US"), 100), vec![q1.id]);
    assert_eq!(
        list(All, None, Some("UN"), 100),
        vec![],
        "no messages with UN"
    );
    assert_eq!(list(All, None, None, 2), vec![r5.id, r4.id], "limit");
    assert_eq!(list(All, None, None, 0), vec![], "limit 0");

    let listing = store
        .messages(&query(Mailbox::Outbox, &technical))
        .expect("messages");
    let by_id: Vec<StoredMessage> = [d2.id, q1.id]
        .iter()
        .filter_map(|id| get(store, id))
        .collect();
    assert_eq!(
        listing, by_id,
        "a listing returns the same records as message()"
    );
}

/// `acknowledged_by` is the earliest stored acknowledgement answering the
/// message from the other side of the exchange.
pub fn acknowledged_by_is_the_earliest_acknowledgement(store: &dyn Store) {
    let answer =
        |n: u64, direction: Direction, kind: MessageKind, to: &NewMessage, created: i64| {
            NewMessage {
                kind,
                in_reply_to: Some(to.id),
                created_at: at(created),
                ..message(n, direction)
            }
        };
    let ours = sent(1);
    enqueue(store, &ours, at(0));
    let acked = |m: &NewMessage| get(store, &m.id).expect("stored").acknowledged_by;
    assert_eq!(acked(&ours), None, "no answer yet");

    accept(
        store,
        &answer(2, Direction::Received, MessageKind::Reply, &ours, 30_000),
        b"r2",
    );
    assert_eq!(acked(&ours), None, "a reply is not an acknowledgement");

    accept(
        store,
        &answer(
            3,
            Direction::Received,
            MessageKind::Acknowledgement,
            &ours,
            50_000,
        ),
        b"r3",
    );
    assert_eq!(acked(&ours), Some((id(3), at(50_000))));
    // Stored later but created earlier: it is the first acknowledgement.
    accept(
        store,
        &answer(
            4,
            Direction::Received,
            MessageKind::Acknowledgement,
            &ours,
            40_000,
        ),
        b"r4",
    );
    assert_eq!(
        acked(&ours),
        Some((id(4), at(40_000))),
        "the earliest by created_at"
    );

    let listing = store
        .messages(&query(Mailbox::Outbox, &Tier::ALL))
        .expect("messages");
    assert_eq!(listing.len(), 1);
    assert_eq!(
        listing[0].acknowledged_by,
        Some((id(4), at(40_000))),
        "listings carry it too"
    );

    // Our acknowledgement of a received message counts the same way.
    let theirs = received(5);
    accept(store, &theirs, b"r5");
    enqueue(
        store,
        &answer(
            6,
            Direction::Sent,
            MessageKind::Acknowledgement,
            &theirs,
            60_000,
        ),
        at(0),
    );
    assert_eq!(acked(&theirs), Some((id(6), at(60_000))));
    assert_eq!(
        acked(&ours),
        Some((id(4), at(40_000))),
        "answers do not cross threads"
    );

    // An acknowledgement from the same side does not count: a party cannot
    // acknowledge its own message, whichever way it claims to.
    let unanswered = sent(7);
    enqueue(store, &unanswered, at(0));
    enqueue(
        store,
        &answer(
            8,
            Direction::Sent,
            MessageKind::Acknowledgement,
            &unanswered,
            70_000,
        ),
        at(0),
    );
    assert_eq!(
        acked(&unanswered),
        None,
        "our own acknowledgement of our own message"
    );
    let their_own = received(9);
    accept(store, &their_own, b"r9");
    accept(
        store,
        &answer(
            10,
            Direction::Received,
            MessageKind::Acknowledgement,
            &their_own,
            80_000,
        ),
        b"r10",
    );
    assert_eq!(
        acked(&their_own),
        None,
        "the peer acknowledging its own message"
    );
}

/// `kind` lists only messages of that kind, with the other filters.
pub fn kind_filter_lists_only_that_kind(store: &dyn Store) {
    let status = |n, direction| NewMessage {
        kind: MessageKind::ChannelStatus,
        ..message(n, direction)
    };
    enqueue(store, &sent(1), at(0));
    enqueue(store, &status(2, Direction::Sent), at(0));
    accept(store, &status(3, Direction::Received), b"r3");
    accept(store, &received(4), b"r4");
    let mut q = query(Mailbox::All, &Tier::ALL);
    q.kind = Some(MessageKind::ChannelStatus);
    assert_eq!(
        listed(store, &q),
        [id(3), id(2)],
        "newest first, that kind only"
    );
    q.mailbox = Mailbox::Inbox;
    assert_eq!(listed(store, &q), [id(3)], "with the mailbox filter");
    q.kind = Some(MessageKind::Escalation);
    assert_eq!(
        listed(store, &q),
        Vec::<detente_proto::ids::MessageId>::new()
    );
}
