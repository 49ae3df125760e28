//! Checks of alerts and their notices: one alert per event, rota steps by
//! compare-and-swap with their notice, sending and retrying, and nothing
//! sent after an acknowledgement.

use detente_proto::ids::Tier;
use detente_proto::kind::Precedence;

use crate::{
    AckOutcome, AckVia, AlertAck, AlertCause, AlertQuery, NewAlert, NewNotice, NoticeState, Store,
    StoreError,
};

use super::data::{accept, at, id, party, received};

/// Far in the future.
const FAR: i64 = 4_000_000_000_000;

fn new_alert(key: &str, raised: i64) -> NewAlert {
    NewAlert {
        cause_key: key.to_owned(),
        cause: AlertCause::Arrival,
        precedence: Precedence::Flash,
        rota: "technical".to_owned(),
        message_id: None,
        counterparty: Some(party("US")),
        tier: Some(Tier::Technical),
        summary: "a FLASH notification from US is waiting".to_owned(),
        detail: "Сообщение ждёт ответа.".to_owned(),
        raised_at: at(raised),
    }
}

fn notice(contact: &str) -> NewNotice {
    NewNotice {
        contact: contact.to_owned(),
        channel: "mail".to_owned(),
        address: format!("{contact}@example.org"),
    }
}

fn raise(store: &dyn Store, alert: &NewAlert) -> u64 {
    store
        .raise_alert(alert)
        .expect("raise_alert")
        .expect("a new event raises an alert")
}

/// An alert reads back with every field and its first step due when it
/// was raised; the same event again records nothing and keeps the first;
/// listings are newest first, open only or all, bounded.
pub fn one_event_raises_one_alert_read_back_whole(store: &dyn Store) {
    let message = received(1);
    accept(store, &message, b"receipt");
    let mut first = new_alert("arrival/1", 1_000);
    first.message_id = Some(id(1));
    let one = raise(store, &first);
    let again = NewAlert {
        summary: "another text".to_owned(),
        ..first.clone()
    };
    assert_eq!(store.raise_alert(&again).expect("raise again"), None);
    let stored = store.alert(one).expect("alert").expect("stored");
    assert_eq!(
        stored.alert, first,
        "every field round-trips, the first kept"
    );
    assert_eq!(stored.next_step, 0);
    assert_eq!(
        stored.next_at,
        Some(at(1_000)),
        "the first contact is due at once"
    );
    assert_eq!(stored.acknowledged, None);
    assert_eq!(
        store
            .alert_by_cause("arrival/1")
            .expect("by cause")
            .map(|a| a.id),
        Some(one)
    );
    assert_eq!(store.alert_by_cause("arrival/2").expect("by cause"), None);
    assert_eq!(store.alert(one + 100).expect("alert"), None);

    let two = raise(store, &new_alert("alarm/x", 2_000));
    let three = raise(store, &new_alert("alarm/y", 3_000));
    assert!(one < two && two < three, "numbers grow");
    let ack = AlertAck {
        at: at(4_000),
        by: "duty-1".to_owned(),
        via: AckVia::Api,
    };
    store.acknowledge_alert(two, &ack).expect("ack");
    let ids = |open_only, limit| {
        store
            .alerts(&AlertQuery { open_only, limit })
            .expect("alerts")
            .iter()
            .map(|a| a.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(false, 10), vec![three, two, one], "newest first");
    assert_eq!(ids(true, 10), vec![three, one], "open only");
    assert_eq!(ids(false, 2), vec![three, two], "bounded");
}

/// Due alerts are those not acknowledged whose step is due, earliest
/// first; a step moves only from the step stored and writes its notice with
/// it; a stale or repeated advance writes nothing.
pub fn rota_steps_move_by_compare_and_swap_with_their_notice(store: &dyn Store) {
    let one = raise(store, &new_alert("a", 5_000));
    let two = raise(store, &new_alert("b", 1_000));
    let due = |now| {
        store
            .due_alerts(at(now), 10)
            .expect("due")
            .iter()
            .map(|a| a.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(due(999), Vec::<u64>::new());
    assert_eq!(due(5_000), vec![two, one], "earliest due first");
    assert_eq!(
        store.due_alerts(at(5_000), 1).expect("due").len(),
        1,
        "bounded"
    );

    let first = notice("duty-1");
    assert!(
        store
            .advance_alert(two, 0, Some(&first), at(1_000), Some(at(301_000)))
            .expect("advance")
    );
    assert!(
        !store
            .advance_alert(two, 0, Some(&notice("duty-2")), at(1_000), Some(at(2_000)))
            .expect("stale advance"),
        "a second dispatcher from the same step writes nothing"
    );
    let stored = store.alert(two).expect("alert").expect("stored");
    assert_eq!((stored.next_step, stored.next_at), (1, Some(at(301_000))));
    let notices = store.alert_notices(two).expect("notices");
    assert_eq!(notices.len(), 1, "one notice per step");
    assert_eq!(notices[0].notice, first);
    assert_eq!(notices[0].state, NoticeState::Pending);
    assert_eq!(notices[0].attempts, 0);
    assert_eq!(notices[0].created_at, at(1_000));
    assert_eq!(notices[0].next_attempt_at, Some(at(1_000)));
    assert_eq!(due(5_000), vec![one], "the next step is not due yet");

    assert!(
        store
            .advance_alert(two, 1, None, at(301_000), None)
            .expect("advance without a notice")
    );
    let stored = store.alert(two).expect("alert").expect("stored");
    assert_eq!(
        (stored.next_step, stored.next_at),
        (2, None),
        "the rota is done"
    );
    assert_eq!(store.alert_notices(two).expect("notices").len(), 1);
    assert_eq!(due(FAR), vec![one]);
}

/// A pending notice is due at its attempt time; a failure counts an
/// attempt and reschedules it or gives it up; a sent one is final; neither
/// changes a notice that is no longer pending.
pub fn notices_are_sent_retried_and_given_up(store: &dyn Store) {
    let one = raise(store, &new_alert("a", 0));
    store
        .advance_alert(one, 0, Some(&notice("duty-1")), at(0), Some(at(10_000)))
        .expect("step 0");
    store
        .advance_alert(
            one,
            1,
            Some(&notice("duty-2")),
            at(10_000),
            Some(at(20_000)),
        )
        .expect("step 1");
    let due = |now| {
        store
            .due_notices(at(now), 10)
            .expect("due notices")
            .iter()
            .map(|n| n.step)
            .collect::<Vec<_>>()
    };
    assert_eq!(due(9_999), vec![0]);
    assert_eq!(due(10_000), vec![0, 1], "earliest first");
    assert_eq!(
        store.due_notices(at(10_000), 1).expect("due").len(),
        1,
        "bounded"
    );

    assert!(
        store
            .record_notice_failure(one, 0, "HTTP 500", Some(at(12_000)))
            .expect("fail")
    );
    assert_eq!(due(11_000), vec![1], "the failed one waits for its retry");
    let notices = store.alert_notices(one).expect("notices");
    assert_eq!(notices[0].attempts, 1);
    assert_eq!(notices[0].last_error.as_deref(), Some("HTTP 500"));
    assert_eq!(notices[0].next_attempt_at, Some(at(12_000)));
    assert!(store.record_notice_sent(one, 0, at(12_000)).expect("sent"));
    assert!(
        !store
            .record_notice_sent(one, 0, at(13_000))
            .expect("sent again"),
        "a sent notice is final"
    );
    assert!(
        !store
            .record_notice_failure(one, 0, "late", Some(at(14_000)))
            .expect("fail after sent"),
    );
    let notices = store.alert_notices(one).expect("notices");
    assert_eq!(notices[0].state, NoticeState::Sent);
    assert_eq!(notices[0].attempts, 2);
    assert_eq!(notices[0].sent_at, Some(at(12_000)));
    assert_eq!(notices[0].next_attempt_at, None);

    assert!(
        store
            .record_notice_failure(one, 1, "connection refused", None)
            .expect("give up")
    );
    let notices = store.alert_notices(one).expect("notices");
    assert_eq!(notices[1].state, NoticeState::Failed);
    assert_eq!(notices[1].next_attempt_at, None);
    assert_eq!(due(FAR), Vec::<u32>::new());
}

/// An acknowledgement ends the rota and cancels pending notices in one
/// step; a second keeps the first; an unknown alert is `NotFound`.
pub fn an_acknowledgement_stops_everything_and_is_kept_once(store: &dyn Store) {
    let one = raise(store, &new_alert("a", 0));
    store
        .advance_alert(one, 0, Some(&notice("duty-1")), at(0), Some(at(10_000)))
        .expect("step 0");
    store
        .advance_alert(
            one,
            1,
            Some(&notice("duty-2")),
            at(10_000),
            Some(at(20_000)),
        )
        .expect("step 1");
    assert!(store.record_notice_sent(one, 0, at(1)).expect("sent"));
    let first = AlertAck {
        at: at(15_000),
        by: "duty-2".to_owned(),
        via: AckVia::Link,
    };
    assert_eq!(
        store.acknowledge_alert(one, &first).expect("ack"),
        AckOutcome::Acknowledged
    );
    let second = AlertAck {
        at: at(16_000),
        by: "Иванова".to_owned(),
        via: AckVia::Console,
    };
    assert_eq!(
        store.acknowledge_alert(one, &second).expect("ack again"),
        AckOutcome::Already(first.clone())
    );
    let stored = store.alert(one).expect("alert").expect("stored");
    assert_eq!(stored.acknowledged, Some(first));
    assert_eq!(stored.next_at, None, "nothing more is due");
    assert!(store.due_alerts(at(FAR), 10).expect("due").is_empty());
    assert!(
        !store
            .advance_alert(one, 2, Some(&notice("duty-3")), at(20_000), None)
            .expect("advance after ack"),
        "no step after an acknowledgement"
    );
    let states: Vec<NoticeState> = store
        .alert_notices(one)
        .expect("notices")
        .iter()
        .map(|n| n.state)
        .collect();
    assert_eq!(states, vec![NoticeState::Sent, NoticeState::Cancelled]);
    assert!(store.due_notices(at(FAR), 10).expect("due").is_empty());
    assert!(matches!(
        store.acknowledge_alert(one + 1, &second),
        Err(StoreError::NotFound { what: "alert", .. })
    ));

    // Counted by state: one acknowledged, one open, one whose rota is done.
    let open = raise(store, &new_alert("b", 0));
    let done = raise(store, &new_alert("c", 0));
    store
        .advance_alert(done, 0, None, at(0), None)
        .expect("rota done");
    assert!(open < done);
    assert_eq!(
        store.alert_counts().expect("counts"),
        vec![("open", 1), ("unanswered", 1), ("acknowledged", 1)]
    );
}
