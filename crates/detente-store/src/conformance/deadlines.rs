//! Checks of deadline timers: the deadlines a sent message's delivery
//! starts, kept so that the agreement engine's clocks survive a restart.
//! They are written with the delivery or not at all; a rung fired is a
//! compare-and-swap; the first answer that meets a deadline stays.

use detente_proto::body::DeadlineKind::{self, Acknowledge, Check, Reply};
use detente_proto::ids::MessageId;

use crate::{DeadlineQuery, DeadlineTimer, MessageState, Store, StoreError};

use super::data::*;

/// An open timer of message `n`, started at its delivery (`T0` + 1 s),
/// due at `due` and next looked at `next` (ms after `T0`), no rung fired.
fn timer(n: u64, kind: DeadlineKind, due: i64, next: Option<i64>) -> DeadlineTimer {
    DeadlineTimer {
        message_id: id(n),
        kind,
        started_at: at(1_000),
        due_at: at(due),
        next_at: next.map(at),
        rungs_fired: 0,
        met_at: None,
        met_by: None,
    }
}

/// `timer` as `meet_deadline` leaves it: met at `met` by message `by`.
fn met(timer: &DeadlineTimer, met: i64, by: u64) -> DeadlineTimer {
    DeadlineTimer {
        next_at: None,
        met_at: Some(at(met)),
        met_by: Some(id(by)),
        ..timer.clone()
    }
}

/// Queues message `n` and records its delivery, starting `timers`.
fn deliver(store: &dyn Store, n: u64, timers: &[DeadlineTimer]) {
    enqueue(store, &sent(n), at(500));
    store
        .record_delivery(&id(n), b"peer receipt", at(1_000), timers)
        .unwrap_or_else(|e| panic!("record_delivery({}) failed: {e}", id(n)));
}

fn timers_of(store: &dyn Store, n: u64) -> Vec<DeadlineTimer> {
    store
        .deadlines_of(&id(n))
        .unwrap_or_else(|e| panic!("deadlines_of({}) failed: {e}", id(n)))
}

fn due(store: &dyn Store, now: i64, limit: usize) -> Vec<DeadlineTimer> {
    store
        .due_deadlines(at(now), limit)
        .unwrap_or_else(|e| panic!("due_deadlines(+{now} ms, {limit}) failed: {e}"))
}

/// `next_deadline_at`, in ms after `T0`, so a failure prints small numbers.
fn next(store: &dyn Store) -> Option<i64> {
    store
        .next_deadline_at()
        .expect("next_deadline_at failed")
        .map(|at| at.unix_millis() - T0)
}

fn listed(store: &dyn Store, open_only: bool, limit: usize) -> Vec<DeadlineTimer> {
    let query = DeadlineQuery { open_only, limit };
    store
        .deadlines(&query)
        .unwrap_or_else(|e| panic!("deadlines({query:?}) failed: {e}"))
}

fn advance(
    store: &dyn Store,
    n: u64,
    kind: DeadlineKind,
    expected_rungs: u32,
    rungs_fired: u32,
    next_at: Option<i64>,
) -> bool {
    store
        .advance_deadline(&id(n), kind, expected_rungs, rungs_fired, next_at.map(at))
        .unwrap_or_else(|e| {
            panic!(
                "advance_deadline({}, {kind:?}, {expected_rungs}) failed: {e}",
                id(n)
            )
        })
}

fn meet(store: &dyn Store, n: u64, kind: DeadlineKind, met_at: i64, by: u64) -> bool {
    store
        .meet_deadline(&id(n), kind, at(met_at), &id(by))
        .unwrap_or_else(|e| panic!("meet_deadline({}, {kind:?}) failed: {e}", id(n)))
}

/// The timers a delivery starts are stored with it, every field as given
/// (a met one too), listed by kind name; recording the delivery again
/// stores none, and a delivery without timers has none.
pub fn deadlines_are_written_with_the_delivery_once(store: &dyn Store) {
    let m = sent(1);
    enqueue(store, &m, at(500));
    assert_eq!(timers_of(store, 1), vec![], "no timer before the delivery");

    let acknowledge = DeadlineTimer {
        rungs_fired: 2,
        ..timer(1, Acknowledge, 60_000, Some(45_000))
    };
    let reply = timer(1, Reply, 3_600_000, None);
    // Answered before its receipt was verified: already met when stored.
    let check = met(&timer(1, Check, 30_000, None), 900, 7);
    store
        .record_delivery(
            &m.id,
            b"peer receipt",
            at(1_000),
            &[reply.clone(), acknowledge.clone(), check.clone()],
        )
        .expect("record_delivery with deadlines");
    let stored = vec![acknowledge.clone(), check, reply];
    assert_eq!(
        timers_of(store, 1),
        stored,
        "every timer as given, by kind name: acknowledge, check, reply"
    );
    let delivered = get(store, &m.id).expect("stored");
    assert_eq!(
        (delivered.state, delivered.receipt.as_deref()),
        (MessageState::Delivered, Some(&b"peer receipt"[..])),
        "the delivery itself is recorded"
    );

    store
        .record_delivery(
            &m.id,
            b"another receipt",
            at(2_000),
            &[
                timer(1, Acknowledge, 1, Some(1)),
                timer(1, Reply, 2, Some(2)),
            ],
        )
        .expect("recording a delivery twice is a no-op, not an error");
    assert_eq!(
        timers_of(store, 1),
        stored,
        "a repeated delivery neither adds nor replaces timers"
    );
    assert_eq!(due(store, 1_000_000_000, 100), vec![acknowledge]);

    deliver(store, 2, &[]);
    assert_eq!(timers_of(store, 2), vec![], "a delivery without deadlines");
}

/// Timers `record_delivery` must refuse — another message's, two of one
/// kind, one met in part — are `Misuse`, whatever is stored, and nothing
/// is written: no timer, and not the delivery either.
pub fn deadline_misuse_is_refused_and_writes_nothing(store: &dyn Store) {
    let m = sent(1);
    enqueue(store, &m, at(500));
    let good = timer(1, Acknowledge, 60_000, Some(60_000));
    let misuses = [
        (
            vec![good.clone(), timer(2, Reply, 60_000, Some(60_000))],
            "a timer of another message",
        ),
        (
            vec![good.clone(), timer(1, Acknowledge, 90_000, None)],
            "two timers of one kind",
        ),
        (
            vec![DeadlineTimer {
                met_at: Some(at(2_000)),
                next_at: None,
                ..good.clone()
            }],
            "met_at without met_by",
        ),
        (
            vec![DeadlineTimer {
                met_by: Some(id(7)),
                next_at: None,
                ..good.clone()
            }],
            "met_by without met_at",
        ),
        (
            vec![DeadlineTimer {
                next_at: Some(at(60_000)),
                ..met(&good, 2_000, 7)
            }],
            "a met timer with a next_at",
        ),
    ];
    for (timers, why) in misuses {
        let result = store.record_delivery(&m.id, b"peer receipt", at(1_000), &timers);
        assert!(
            matches!(result, Err(StoreError::Misuse { .. })),
            "{why}: expected Misuse, got {result:?}"
        );
        assert_eq!(
            get(store, &m.id),
            Some(queued(&m, at(500))),
            "{why}: the delivery is not recorded (no receipt, the outbox entry stays)"
        );
        assert_eq!(all_due(store).len(), 1, "{why}: still in the outbox");
        assert_eq!(timers_of(store, 1), vec![], "{why}: no timer stored");
        assert_eq!(timers_of(store, 2), vec![], "{why}: no timer stored");
        assert_eq!(next(store), None, "{why}: nothing due");
    }

    // Checked before anything stored is read: an unstored message too.
    let result = store.record_delivery(
        &id(3),
        b"receipt",
        at(1_000),
        &[timer(4, Reply, 60_000, None)],
    );
    assert!(
        matches!(result, Err(StoreError::Misuse { .. })),
        "another message's timer, for an unstored message: expected Misuse, got {result:?}"
    );

    store
        .record_delivery(
            &m.id,
            b"peer receipt",
            at(1_000),
            std::slice::from_ref(&good),
        )
        .expect("the same delivery with a valid timer");
    assert_eq!(timers_of(store, 1), vec![good]);
}

/// Due timers: not met, `next_at` at or before `now`; by `next_at`, then
/// message id, then kind name; at most `limit`. A timer with no `next_at`,
/// or a met one, is never due.
pub fn due_deadlines_are_by_next_at_then_message_then_kind_and_bounded(store: &dyn Store) {
    let m1_acknowledge = timer(1, Acknowledge, 60_000, Some(10_000));
    let m1_reply = timer(1, Reply, 90_000, Some(30_000));
    let m2_acknowledge = timer(2, Acknowledge, 60_000, Some(10_000));
    let m2_check = timer(2, Check, 60_000, Some(10_000));
    let m3_acknowledge = timer(3, Acknowledge, 60_000, Some(20_000));
    let m3_reply = timer(3, Reply, 60_000, None);
    // Stored in another order than they are due.
    deliver(store, 2, &[m2_check.clone(), m2_acknowledge.clone()]);
    deliver(store, 3, &[m3_reply, m3_acknowledge.clone()]);
    deliver(store, 1, &[m1_reply.clone(), m1_acknowledge.clone()]);

    assert_eq!(due(store, 9_999, 10), vec![], "nothing due before 10 s");
    assert_eq!(
        due(store, 10_000, 10),
        vec![
            m1_acknowledge.clone(),
            m2_acknowledge.clone(),
            m2_check.clone()
        ],
        "due at its next_at; ties by message id, then kind name"
    );
    let all = vec![
        m1_acknowledge.clone(),
        m2_acknowledge.clone(),
        m2_check.clone(),
        m3_acknowledge,
        m1_reply,
    ];
    assert_eq!(due(store, 30_000, 10), all, "by next_at");
    assert_eq!(
        due(store, 1_000_000_000, 100),
        all,
        "a timer with no next_at is never due"
    );
    assert_eq!(due(store, 30_000, 2), all[..2].to_vec(), "at most limit");
    assert_eq!(due(store, 30_000, 0), vec![], "limit 0");

    assert!(meet(store, 2, Acknowledge, 9_000, 20));
    assert_eq!(
        due(store, 10_000, 10),
        vec![m1_acknowledge, m2_check],
        "a met timer is not due"
    );
}

/// `next_deadline_at` is the earliest `next_at` of the timers not met; met
/// timers and timers with nothing left to fire do not count.
pub fn next_deadline_at_ignores_met_and_finished_timers(store: &dyn Store) {
    assert_eq!(next(store), None, "no timers");
    deliver(store, 1, &[timer(1, Reply, 90_000, None)]);
    assert_eq!(next(store), None, "an open timer with nothing left to fire");

    deliver(
        store,
        2,
        &[
            timer(2, Acknowledge, 60_000, Some(10_000)),
            timer(2, Reply, 90_000, Some(40_000)),
        ],
    );
    deliver(store, 3, &[timer(3, Check, 60_000, Some(20_000))]);
    assert_eq!(next(store), Some(10_000));
    assert!(meet(store, 2, Acknowledge, 5_000, 20));
    assert_eq!(next(store), Some(20_000), "a met timer does not count");
    assert!(advance(store, 3, Check, 0, 1, None));
    assert_eq!(
        next(store),
        Some(40_000),
        "a timer advanced to no next_at does not count"
    );
    assert!(meet(store, 2, Reply, 6_000, 21));
    assert_eq!(next(store), None, "every timer met or finished");
}

/// `advance_deadline` sets the rungs and `next_at` only if the timer exists,
/// is not met, and has fired exactly the rungs expected; a refused advance
/// changes nothing.
pub fn advancing_a_deadline_is_a_compare_and_swap(store: &dyn Store) {
    let start = timer(1, Acknowledge, 60_000, Some(10_000));
    deliver(store, 1, std::slice::from_ref(&start));

    let refusals = [
        (1, Acknowledge, 1, "expecting a rung not fired"),
        (1, Reply, 0, "a kind the message has no timer of"),
        (2, Acknowledge, 0, "an unstored message"),
    ];
    for (n, kind, expected, why) in refusals {
        assert!(
            !advance(store, n, kind, expected, expected + 1, Some(50_000)),
            "{why}: advanced"
        );
        assert_eq!(timers_of(store, 1), vec![start.clone()], "{why}: changed");
        assert_eq!(timers_of(store, 2), vec![], "{why}: created a timer");
    }

    assert!(advance(store, 1, Acknowledge, 0, 1, Some(20_000)));
    let first_rung = DeadlineTimer {
        rungs_fired: 1,
        next_at: Some(at(20_000)),
        ..start.clone()
    };
    assert_eq!(timers_of(store, 1), vec![first_rung.clone()]);
    assert_eq!(
        due(store, 10_000, 10),
        vec![],
        "no longer due at the old time"
    );
    assert_eq!(due(store, 20_000, 10), vec![first_rung.clone()]);

    assert!(
        !advance(store, 1, Acknowledge, 0, 1, Some(30_000)),
        "a second advance from the same rungs"
    );
    assert_eq!(timers_of(store, 1), vec![first_rung], "the first stays");

    assert!(advance(store, 1, Acknowledge, 1, 2, None));
    let last_rung = DeadlineTimer {
        rungs_fired: 2,
        next_at: None,
        ..start
    };
    assert_eq!(timers_of(store, 1), vec![last_rung.clone()]);
    assert_eq!(next(store), None, "nothing left to fire");

    assert!(meet(store, 1, Acknowledge, 70_000, 10));
    let answered = met(&last_rung, 70_000, 10);
    assert!(
        !advance(store, 1, Acknowledge, 2, 3, Some(80_000)),
        "a met timer does not advance"
    );
    assert_eq!(timers_of(store, 1), vec![answered], "a met timer stays met");
}

/// `meet_deadline` meets an open timer once: it records the answer, keeps
/// the rungs fired and clears `next_at`; a second answer, or one for a
/// timer that does not exist, changes nothing.
pub fn a_deadline_is_met_once(store: &dyn Store) {
    let acknowledge = timer(1, Acknowledge, 60_000, Some(10_000));
    let reply = timer(1, Reply, 3_600_000, Some(3_600_000));
    deliver(store, 1, &[acknowledge.clone(), reply.clone()]);
    assert!(advance(store, 1, Acknowledge, 0, 1, Some(70_000)));

    assert!(meet(store, 1, Acknowledge, 65_000, 10), "the first answer");
    let answered = met(
        &DeadlineTimer {
            rungs_fired: 1,
            ..acknowledge
        },
        65_000,
        10,
    );
    assert_eq!(
        timers_of(store, 1),
        vec![answered.clone(), reply.clone()],
        "met_at and met_by set, next_at cleared, rungs kept; the other kind untouched"
    );

    assert!(
        !meet(store, 1, Acknowledge, 66_000, 11),
        "a second answer meets nothing"
    );
    assert!(!meet(store, 1, Check, 66_000, 11), "no check timer");
    assert!(!meet(store, 2, Acknowledge, 66_000, 11), "no such message");
    assert_eq!(
        timers_of(store, 1),
        vec![answered.clone(), reply.clone()],
        "the first answer stays; no timer created"
    );
    assert_eq!(timers_of(store, 2), vec![]);
    assert_eq!(listed(store, true, 10), vec![reply.clone()], "open ones");
    assert_eq!(listed(store, false, 10), vec![answered, reply], "all");
}

/// A message nobody delivered, or delivered without deadlines, has no
/// timers; nothing is due and nothing is listed.
pub fn deadlines_of_an_unknown_message_are_empty(store: &dyn Store) {
    let unknown: MessageId = id(99);
    assert_eq!(store.deadlines_of(&unknown).expect("deadlines_of"), vec![]);
    enqueue(store, &sent(1), at(500));
    assert_eq!(timers_of(store, 1), vec![], "a queued message");
    accept(store, &received(2), b"our receipt");
    assert_eq!(timers_of(store, 2), vec![], "a received message");
    assert_eq!(due(store, 1_000_000_000, 100), vec![]);
    assert_eq!(next(store), None);
    assert_eq!(listed(store, false, 100), vec![]);
    assert!(!advance(store, 99, Reply, 0, 1, None));
    assert!(!meet(store, 99, Reply, 1_000, 1));
    assert_eq!(store.deadlines_of(&unknown).expect("deadlines_of"), vec![]);
}

/// The listing: by `due_at` (not `next_at`), then message id, then kind
/// name; `open_only` leaves met timers out; at most `limit`.
pub fn deadline_listing_is_by_due_at_open_only_and_bounded(store: &dyn Store) {
    // next_at runs against due_at, so a listing by next_at would be reversed.
    let open = |n: u64, kind: DeadlineKind, due: i64| timer(n, kind, due, Some(1_000_000 - due));
    let m1_acknowledge = open(1, Acknowledge, 60_000);
    let m1_reply = open(1, Reply, 600_000);
    let m2_acknowledge = open(2, Acknowledge, 30_000);
    let m2_check = open(2, Check, 60_000);
    let m3_check = open(3, Check, 60_000);
    let m3_reply = open(3, Reply, 60_000);
    deliver(store, 3, &[m3_reply.clone(), m3_check.clone()]);
    deliver(store, 2, &[m2_check.clone(), m2_acknowledge.clone()]);
    deliver(store, 1, &[m1_reply.clone(), m1_acknowledge.clone()]);

    let all = vec![
        m2_acknowledge.clone(),
        m1_acknowledge.clone(),
        m2_check.clone(),
        m3_check.clone(),
        m3_reply.clone(),
        m1_reply.clone(),
    ];
    assert_eq!(
        listed(store, false, 100),
        all,
        "by due_at, then message id, then kind name (check before reply)"
    );
    assert_eq!(listed(store, true, 100), all, "all open");
    assert_eq!(listed(store, false, 2), all[..2].to_vec(), "at most limit");
    assert_eq!(listed(store, true, 0), vec![], "limit 0");

    assert!(meet(store, 1, Acknowledge, 50_000, 10));
    assert!(meet(store, 3, Reply, 50_000, 11));
    let answered_1 = met(&m1_acknowledge, 50_000, 10);
    let answered_3 = met(&m3_reply, 50_000, 11);
    assert_eq!(
        listed(store, true, 100),
        vec![
            m2_acknowledge.clone(),
            m2_check.clone(),
            m3_check.clone(),
            m1_reply.clone()
        ],
        "open only: the met ones left out"
    );
    assert_eq!(
        listed(store, true, 2),
        vec![m2_acknowledge.clone(), m2_check.clone()],
        "open only, at most limit"
    );
    assert_eq!(
        listed(store, false, 100),
        vec![
            m2_acknowledge,
            answered_1,
            m2_check,
            m3_check,
            answered_3,
            m1_reply
        ],
        "all, met ones as met"
    );

    // Counted by state at a moment: a deadline met after it fell due is
    // late, an unmet one due by then missed, else open.
    assert!(meet(store, 2, Check, 70_000, 12));
    let counts = |now| store.deadline_counts(at(now)).expect("counts");
    assert_eq!(
        counts(100_000),
        vec![("open", 1), ("met", 2), ("late", 1), ("missed", 2)]
    );
    assert_eq!(
        counts(10_000),
        vec![("open", 3), ("met", 2), ("late", 1), ("missed", 0)]
    );
}
