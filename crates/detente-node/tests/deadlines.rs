//! Deadlines on a simulated clock, between real nodes: on time, late,
//! unanswered and escalated twice, expired while the node was down, and
//! communication checks with their answer window (docs/protocol.md, "Deadlines and escalation").
//!
//! The agreement is the example one: a flash notification must be
//! acknowledged within 1 h and answered within 24 h; a miss goes from
//! technical to operational after 1 h and to leadership after 4 h
//! (counted from delivery); checks every 30 days, answered within 2 h, at
//! the technical and operational tiers.

mod common;

use std::sync::Arc;

use chrono::TimeDelta;
use common::{Net, eventually, in_force_on_both, stored};
use detente_node::Node;
use detente_node::engine::ENGINE_OFFICER;
use detente_proto::body::{Body, DeadlineKind};
use detente_proto::clock::{Clock, ManualClock, SystemClock};
use detente_proto::envelope::UnverifiedEnvelope;
use detente_proto::ids::{MessageId, Tier};
use detente_proto::kind::MessageKind;
use detente_proto::limits::Limits;
use detente_store::{DeadlineTimer, Direction, StoredMessage};
use serde_json::{Value, json};

const EXAMPLE: &str = include_str!("../testdata/agreement-example.toml");
const REFERENCE: &str = "ru-us-ict-incidents@1";

/// RU and US on one manual clock, the agreement in force. With `engine`
/// off, the test drives every pass itself.
async fn on_manual_clock(engine: bool) -> (Net, Arc<ManualClock>) {
    let mut net = Net::new(&["RU", "US"]);
    for code in ["RU", "US"] {
        net.configure(code, |c| c.engine.run = engine);
    }
    let clock = Arc::new(ManualClock::new(SystemClock.now()));
    net.start_with_clock("RU", clock.clone()).await;
    net.start_with_clock("US", clock.clone()).await;
    in_force_on_both(&net, EXAMPLE, REFERENCE).await;
    (net, clock)
}

async fn post(net: &Net, code: &str, path: &str, body: Value) -> Value {
    let (status, view) = common::officer_call(net, code, "POST", path, Some(body)).await;
    assert!(status == 202 || status == 200, "{path}: {status} {view}");
    view
}

/// RU sends a flash notification to US technical; returns its id once RU
/// holds its receipt and the timers it started.
async fn flash(net: &Net) -> MessageId {
    let view = post(
        net,
        "RU",
        "/api/v1/messages",
        json!({"to": {"party": "US", "tier": "technical"}, "from_tier": "technical",
               "kind": "notification", "precedence": "flash",
               "body": {"subject": "Scanning of SCADA", "summary": "From 203.0.113.0/24"}}),
    )
    .await;
    let id: MessageId = view["id"].as_str().expect("id").parse().expect("id");
    let ru = net.node("RU");
    eventually(30, "RU holds the receipt and the timers", || async {
        timers(&ru, id).len() == 2
    })
    .await;
    id
}

fn timers(node: &Node, id: MessageId) -> Vec<DeadlineTimer> {
    node.store().deadlines_of(&id).expect("timers")
}

fn timer(node: &Node, id: MessageId, kind: DeadlineKind) -> DeadlineTimer {
    timers(node, id)
        .into_iter()
        .find(|t| t.kind == kind)
        .expect("timer")
}

/// The escalations of `id` a node holds, as (direction, deadline, from
/// tier, to tier), oldest first.
fn escalations(node: &Node, id: MessageId) -> Vec<(Direction, DeadlineKind, Tier, Tier)> {
    let mut found: Vec<&StoredMessage> = Vec::new();
    let all = stored(node);
    found.extend(all.iter().filter(|m| {
        m.message.kind == MessageKind::Escalation && m.message.in_reply_to == Some(id)
    }));
    // Rungs fired in one pass share a millisecond: then lower tier first.
    found.sort_by_key(|m| (m.message.created_at, m.message.to_tier));
    found
        .into_iter()
        .map(|m| {
            let e = UnverifiedEnvelope::parse(&m.message.envelope, &Limits::unbounded())
                .expect("envelope");
            let envelope = e.claimed();
            assert_eq!(envelope.from.officer.as_str(), ENGINE_OFFICER);
            assert_eq!(envelope.from.tier, envelope.to.tier, "tier to tier");
            match &envelope.body {
                Body::Escalation(b) => {
                    assert_eq!(b.message, id);
                    assert_eq!(envelope.to.tier, b.to_tier);
                    (m.message.direction, b.missed, b.from_tier, b.to_tier)
                }
                other => panic!("not an escalation: {other:?}"),
            }
        })
        .collect()
}

/// US acknowledges `id`; returns once RU has received the acknowledgement.
async fn us_acknowledges(net: &Net, id: MessageId) -> MessageId {
    let view = post(
        net,
        "US",
        &format!("/api/v1/messages/{id}/ack"),
        json!({"note": "Looking"}),
    )
    .await;
    let ack: MessageId = view["id"].as_str().expect("id").parse().expect("id");
    let ru = net.node("RU");
    // The acknowledgement is stored, then the timer it answers is closed
    // (after the receipt is committed): wait for both.
    eventually(
        30,
        "RU receives the acknowledgement and closes its timer",
        || async {
            ru.store().message(&ack).expect("read").is_some()
                && timer(&ru, id, DeadlineKind::Acknowledge).met_by == Some(ack)
        },
    )
    .await;
    ack
}

/// Waits until both nodes hold the same escalations of `id`, sent by RU
/// and received by US.
async fn both_hold(net: &Net, id: MessageId, expected: &[(DeadlineKind, Tier, Tier)]) {
    let (ru, us) = (net.node("RU"), net.node("US"));
    eventually(30, "US receives every escalation", || async {
        escalations(&us, id).len() == expected.len()
    })
    .await;
    let strip = |e: Vec<(Direction, DeadlineKind, Tier, Tier)>, d: Direction| {
        assert!(e.iter().all(|x| x.0 == d), "{e:?}");
        e.into_iter()
            .map(|(_, k, f, t)| (k, f, t))
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(escalations(&ru, id), Direction::Sent), expected);
    assert_eq!(strip(escalations(&us, id), Direction::Received), expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acknowledgement_in_time_closes_the_timer_and_nothing_escalates() {
    let (net, clock) = on_manual_clock(false).await;
    let ru = net.node("RU");
    let id = flash(&net).await;
    let ack = timer(&ru, id, DeadlineKind::Acknowledge);
    assert_eq!(ack.due_at.since(ack.started_at), TimeDelta::hours(1));
    assert_eq!(ack.next_at, Some(ack.due_at));
    let reply = timer(&ru, id, DeadlineKind::Reply);
    assert_eq!(reply.due_at.since(reply.started_at), TimeDelta::hours(24));

    clock.advance(TimeDelta::minutes(30));
    let by = us_acknowledges(&net, id).await;
    let met = timer(&ru, id, DeadlineKind::Acknowledge);
    assert_eq!(met.met_by, Some(by));
    assert!(met.met_at.expect("met") <= met.due_at, "{met:?}");
    assert_eq!(met.next_at, None);

    clock.advance(TimeDelta::hours(5));
    let pass = ru.run_agreement_engine_once().await.expect("pass");
    assert!(pass.escalations.is_empty(), "{pass:?}");
    assert!(escalations(&ru, id).is_empty());
    // The reply deadline is still open, and not due.
    assert!(timer(&ru, id, DeadlineKind::Reply).met_at.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_acknowledgement_is_escalated_then_closes_the_timer_with_its_lateness() {
    let (net, clock) = on_manual_clock(false).await;
    let ru = net.node("RU");
    let id = flash(&net).await;

    // Not yet due: nothing happens.
    clock.advance(TimeDelta::minutes(59));
    let pass = ru.run_agreement_engine_once().await.expect("pass");
    assert!(
        pass.escalations.is_empty() && pass.missed.is_empty(),
        "{pass:?}"
    );

    clock.advance(TimeDelta::minutes(2));
    let pass = ru.run_agreement_engine_once().await.expect("pass");
    assert_eq!(pass.missed, vec![(id, DeadlineKind::Acknowledge)]);
    assert_eq!(pass.escalations.len(), 1, "{pass:?}");
    both_hold(
        &net,
        id,
        &[(
            DeadlineKind::Acknowledge,
            Tier::Technical,
            Tier::Operational,
        )],
    )
    .await;
    // A second pass at the same moment sends nothing again.
    let again = ru.run_agreement_engine_once().await.expect("pass");
    assert!(again.escalations.is_empty(), "{again:?}");

    clock.advance(TimeDelta::minutes(9));
    let by = us_acknowledges(&net, id).await;
    let met = timer(&ru, id, DeadlineKind::Acknowledge);
    assert_eq!(met.met_by, Some(by));
    let late = met.met_at.expect("met").since(met.due_at);
    assert_eq!(late, TimeDelta::minutes(10), "{met:?}");
    assert_eq!(met.rungs_fired, 1);
    assert_eq!(met.next_at, None);
    // Both sides show it the same way, once US holds RU's receipt for the
    // acknowledgement (an answer counts from when it reached the asker).
    eventually(
        30,
        "US holds the receipt of its acknowledgement",
        || async { common::show(&net, "US", &by.to_string()).await["state"] == "delivered" },
    )
    .await;
    for code in ["RU", "US"] {
        let shown = common::show(&net, code, &id.to_string()).await;
        let ack = &shown["deadlines"][0];
        assert_eq!(ack["deadline"], "acknowledge", "{code}: {shown}");
        assert_eq!(ack["state"], "late", "{code}: {ack}");
        assert_eq!(ack["late_by"], "10m 0s", "{code}: {ack}");
        assert_eq!(ack["answered_by"], by.to_string(), "{code}: {ack}");
        assert_eq!(ack["escalated_to"], json!(["operational"]), "{code}: {ack}");
        assert_eq!(shown["deadlines"][1]["state"], "pending", "{code}: {shown}");
    }

    // The ladder stops with the answer: nothing more at 4 h.
    clock.advance(TimeDelta::hours(4));
    let pass = ru.run_agreement_engine_once().await.expect("pass");
    assert!(pass.escalations.is_empty(), "{pass:?}");
    assert_eq!(escalations(&ru, id).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_notification_is_escalated_twice_then_again_for_its_reply() {
    let (net, clock) = on_manual_clock(false).await;
    let ru = net.node("RU");
    let id = flash(&net).await;

    clock.advance(TimeDelta::minutes(61));
    ru.run_agreement_engine_once().await.expect("pass");
    both_hold(
        &net,
        id,
        &[(
            DeadlineKind::Acknowledge,
            Tier::Technical,
            Tier::Operational,
        )],
    )
    .await;
    let t = timer(&ru, id, DeadlineKind::Acknowledge);
    assert_eq!(t.rungs_fired, 1);
    assert_eq!(
        t.next_at.map(|n| n.since(t.started_at)),
        Some(TimeDelta::hours(4))
    );

    clock.advance(TimeDelta::hours(3));
    ru.run_agreement_engine_once().await.expect("pass");
    both_hold(
        &net,
        id,
        &[
            (
                DeadlineKind::Acknowledge,
                Tier::Technical,
                Tier::Operational,
            ),
            (DeadlineKind::Acknowledge, Tier::Technical, Tier::Leadership),
        ],
    )
    .await;
    let t = timer(&ru, id, DeadlineKind::Acknowledge);
    assert_eq!((t.rungs_fired, t.next_at, t.met_at), (2, None, None));

    // At 24 h the reply deadline is missed too: both rungs are past, so
    // both tiers hear of it at once.
    clock.advance(TimeDelta::hours(21));
    let pass = ru.run_agreement_engine_once().await.expect("pass");
    assert_eq!(pass.missed, vec![(id, DeadlineKind::Reply)]);
    both_hold(
        &net,
        id,
        &[
            (
                DeadlineKind::Acknowledge,
                Tier::Technical,
                Tier::Operational,
            ),
            (DeadlineKind::Acknowledge, Tier::Technical, Tier::Leadership),
            (DeadlineKind::Reply, Tier::Technical, Tier::Operational),
            (DeadlineKind::Reply, Tier::Technical, Tier::Leadership),
        ],
    )
    .await;

    // The figures: one flash notification sent, unanswered.
    let (status, stats) = common::officer_call(
        &net,
        "RU",
        "GET",
        "/api/v1/stats?counterparty=US&from=2000-01-01&to=2100-01-01",
        None,
    )
    .await;
    assert_eq!(status, 200, "{stats}");
    let row = stats["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["kind"] == "notification" && r["direction"] == "sent")
        .expect("notification row")
        .clone();
    assert_eq!(
        (
            &row["messages"],
            &row["with_deadline"],
            &row["unanswered"],
            &row["in_time"]
        ),
        (&json!(1), &json!(1), &json!(1), &json!(0)),
        "{row}"
    );
    // US sees it from the other side: received, and unanswered by US.
    let (_, theirs) = common::officer_call(
        &net,
        "US",
        "GET",
        "/api/v1/stats?counterparty=RU&from=2000-01-01&to=2100-01-01",
        None,
    )
    .await;
    assert!(
        theirs["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .any(|r| r["kind"] == "notification"
                && r["direction"] == "received"
                && r["unanswered"] == 1),
        "{theirs}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timer_that_expired_while_the_node_was_down_fires_on_start() {
    // The engine runs by itself here, as in production.
    let (mut net, clock) = on_manual_clock(true).await;
    let id = flash(&net).await;
    net.kill("RU").await;
    clock.advance(TimeDelta::minutes(90));
    net.start_with_clock("RU", clock.clone()).await;
    both_hold(
        &net,
        id,
        &[(
            DeadlineKind::Acknowledge,
            Tier::Technical,
            Tier::Operational,
        )],
    )
    .await;
    let ru = net.node("RU");
    let t = timer(&ru, id, DeadlineKind::Acknowledge);
    assert_eq!(t.rungs_fired, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn communication_checks_go_out_on_schedule_and_their_window_is_enforced() {
    let (net, clock) = on_manual_clock(false).await;
    let ru = net.node("RU");
    let pass = ru.run_agreement_engine_once().await.expect("pass");
    assert!(pass.checks.is_empty(), "no check before 30 days: {pass:?}");

    clock.advance(TimeDelta::days(30) + TimeDelta::seconds(1));
    let pass = ru.run_agreement_engine_once().await.expect("pass");
    assert_eq!(pass.checks.len(), 2, "technical and operational: {pass:?}");
    let again = ru.run_agreement_engine_once().await.expect("pass");
    assert!(
        again.checks.is_empty(),
        "one check per tier per period: {again:?}"
    );
    let pings: Vec<StoredMessage> = stored(&ru)
        .into_iter()
        .filter(|m| pass.checks.contains(&m.message.id))
        .collect();
    let technical = pings
        .iter()
        .find(|m| m.message.to_tier == Tier::Technical)
        .expect("technical");
    let operational = pings
        .iter()
        .find(|m| m.message.to_tier == Tier::Operational)
        .expect("operational");
    for ping in [technical, operational] {
        let id = ping.message.id;
        eventually(
            30,
            "the check is delivered and its window opens",
            || async {
                timers(&ru, id)
                    .iter()
                    .any(|t| t.kind == DeadlineKind::Check)
            },
        )
        .await;
        let window = timer(&ru, id, DeadlineKind::Check);
        assert_eq!(window.due_at.since(window.started_at), TimeDelta::hours(2));
    }

    // US answers the technical check within the window, and not the other.
    clock.advance(TimeDelta::minutes(20));
    let pong = post(
        &net,
        "US",
        "/api/v1/messages",
        json!({"to": {"party": "RU", "tier": "technical"}, "from_tier": "technical",
               "kind": "pong", "in_reply_to": technical.message.id.to_string(), "body": {"note": "Loud and clear"}}),
    )
    .await;
    let pong: MessageId = pong["id"].as_str().expect("id").parse().expect("id");
    eventually(30, "RU records the answer", || async {
        timer(&ru, technical.message.id, DeadlineKind::Check).met_by == Some(pong)
    })
    .await;

    clock.advance(TimeDelta::minutes(101));
    let pass = ru.run_agreement_engine_once().await.expect("pass");
    assert_eq!(
        pass.missed,
        vec![(operational.message.id, DeadlineKind::Check)]
    );
    // Missed at 2 h; the operational tier's ladder rung is at 4 h.
    assert!(pass.escalations.is_empty(), "{pass:?}");
    clock.advance(TimeDelta::hours(2));
    ru.run_agreement_engine_once().await.expect("pass");
    both_hold(
        &net,
        operational.message.id,
        &[(DeadlineKind::Check, Tier::Operational, Tier::Leadership)],
    )
    .await;

    // An exercise check is counted apart.
    post(
        &net,
        "RU",
        "/api/v1/messages",
        json!({"to": {"party": "US", "tier": "technical"}, "from_tier": "technical",
               "kind": "ping", "exercise": true, "body": {"note": "Exercise check"}}),
    )
    .await;
    let (_, stats) = common::officer_call(
        &net,
        "RU",
        "GET",
        "/api/v1/stats?counterparty=US&from=2000-01-01&to=2100-01-01",
        None,
    )
    .await;
    let rows = stats["rows"].as_array().expect("rows");
    let ping_row = |tier: &str, exercise: bool| {
        rows.iter()
            .find(|r| {
                r["kind"] == "ping"
                    && r["direction"] == "sent"
                    && r["tier"] == tier
                    && r["exercise"] == exercise
            })
            .unwrap_or_else(|| panic!("no {tier} ping row (exercise {exercise}) in {stats}"))
            .clone()
    };
    let t = ping_row("technical", false);
    assert_eq!(
        (&t["messages"], &t["in_time"], &t["unanswered"]),
        (&json!(1), &json!(1), &json!(0)),
        "{t}"
    );
    let o = ping_row("operational", false);
    assert_eq!(
        (&o["messages"], &o["in_time"], &o["unanswered"]),
        (&json!(1), &json!(0), &json!(1)),
        "{o}"
    );
    let x = ping_row("technical", true);
    assert_eq!(x["messages"], 1, "{x}");
    // The next checks are due 30 days after these.
    clock.advance(TimeDelta::days(29));
    let pass = ru.run_agreement_engine_once().await.expect("pass");
    assert!(pass.checks.is_empty(), "{pass:?}");
    clock.advance(TimeDelta::days(1));
    let pass = ru.run_agreement_engine_once().await.expect("pass");
    assert_eq!(pass.checks.len(), 2, "{pass:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officers_cannot_compose_escalations() {
    let (net, _clock) = on_manual_clock(false).await;
    let (status, problem) = common::officer_call(
        &net,
        "RU",
        "POST",
        "/api/v1/messages",
        Some(
            json!({"to": {"party": "US", "tier": "operational"}, "from_tier": "operational",
               "kind": "escalation", "body": {"message": "0193a1b2-0000-7000-8000-000000000000",
               "missed": "acknowledge", "due_at": "2026-11-29T00:00:00.000Z",
               "from_tier": "technical", "to_tier": "operational"}}),
        ),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("agreement engine"),
        "{problem}"
    );
    assert!(
        stored(&net.node("RU"))
            .iter()
            .all(|m| m.message.kind != MessageKind::Escalation)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exercise_traffic_escalates_as_exercise_and_is_counted_apart() {
    let (net, clock) = on_manual_clock(false).await;
    let ru = net.node("RU");
    let view = post(
        &net,
        "RU",
        "/api/v1/messages",
        json!({"to": {"party": "US", "tier": "technical"}, "from_tier": "technical",
               "kind": "notification", "precedence": "flash", "exercise": true,
               "body": {"subject": "EXERCISE: scanning", "summary": "Drill"}}),
    )
    .await;
    let id: MessageId = view["id"].as_str().expect("id").parse().expect("id");
    eventually(30, "RU holds the timers", || async {
        timers(&ru, id).len() == 2
    })
    .await;
    clock.advance(TimeDelta::minutes(61));
    let pass = ru.run_agreement_engine_once().await.expect("pass");
    assert_eq!(pass.escalations.len(), 1, "{pass:?}");
    let escalation = stored(&ru)
        .into_iter()
        .find(|m| m.message.id == pass.escalations[0])
        .expect("stored");
    assert!(
        escalation.message.exercise,
        "an exercise escalates as an exercise"
    );
    let (_, stats) = common::officer_call(
        &net,
        "RU",
        "GET",
        "/api/v1/stats?counterparty=US&from=2000-01-01&to=2100-01-01",
        None,
    )
    .await;
    let rows = stats["rows"].as_array().expect("rows");
    assert!(
        rows.iter()
            .all(|r| r["exercise"] == true || r["kind"] != "notification"),
        "no real notification row: {stats}"
    );
    let drill = rows
        .iter()
        .find(|r| r["kind"] == "notification" && r["exercise"] == true)
        .expect("the exercise row");
    assert_eq!(
        (&drill["messages"], &drill["unanswered"]),
        (&json!(1), &json!(1)),
        "{drill}"
    );
    assert!(
        rows.iter()
            .any(|r| r["kind"] == "escalation" && r["exercise"] == true),
        "{stats}"
    );
}
