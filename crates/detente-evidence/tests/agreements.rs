//! Agreements, deadlines and responsiveness figures in evidence bundles:
//! bundles built by hand (tests/common) exactly as a node builds them,
//! checked offline.

mod common;

use chrono::TimeDelta;
use common::{Msg, World, agreement, at, bundled, party};
use detente_evidence::{Bundle, Options, Report, Verdict, figures_table, verify};
use detente_proto::agreement::responsiveness::{self, Direction, Period, Stats};
use detente_proto::ids::MessageId;
use detente_proto::kind::MessageKind;
use detente_proto::time::Timestamp;

fn check(bundle: &Bundle) -> Report {
    verify(bundle, &Options::default())
}

fn verdict(report: &Report, subject: &str, claim: &str) -> (Verdict, String) {
    report
        .claims
        .iter()
        .find(|c| c.subject == subject && c.claim == claim)
        .map(|c| (c.verdict, c.detail.clone()))
        .unwrap_or_else(|| panic!("no {claim} claim for {subject}:\n{report}"))
}

fn message(id: &MessageId) -> String {
    format!("message {id}")
}

const IN_FORCE: &str = "agreement ru-us-test@1";

struct Exchange {
    world: World,
    /// RU's flash notification: acknowledged in time, replied to late.
    n1: MessageId,
    ack1: MessageId,
    /// RU's flash notification nobody answered.
    n2: MessageId,
    /// RU's ping, answered in time.
    ping: MessageId,
    /// US's flash notification, acknowledged late by RU.
    n3: MessageId,
}

/// Three days of traffic under the agreement (minutes from 10:00 on 2 Nov).
fn exchange() -> Exchange {
    let a = agreement();
    let mut world = World::new(&["RU", "US"]);
    let n1 = world.send(
        Msg::flash("RU", "US", at(0))
            .under(&a)
            .delivered(Some(at(1))),
    );
    let ack1 = world.send(
        Msg::ack("US", "RU", n1, at(20))
            .under(&a)
            .delivered(Some(at(21))),
    );
    world.send(
        Msg::reply("US", "RU", n1, at(30 * 60))
            .under(&a)
            .delivered(Some(at(30 * 60 + 1))),
    );
    let n2 = world.send(Msg::flash("RU", "US", at(120)).under(&a));
    let ping = world.send(Msg::ping("RU", "US", at(240)).under(&a));
    world.send(
        Msg::pong("US", "RU", ping, at(270))
            .under(&a)
            .delivered(Some(at(271))),
    );
    let n3 = world.send(
        Msg::flash("US", "RU", at(300))
            .under(&a)
            .delivered(Some(at(301))),
    );
    world.send(Msg::ack("RU", "US", n3, at(420)).under(&a));
    world.send(Msg::reply("RU", "US", n3, at(480)).under(&a));
    Exchange {
        world,
        n1,
        ack1,
        n2,
        ping,
        n3,
    }
}

/// The bundle of the exchange, exported three days on, with the agreement
/// signed by both parties.
fn bundle_of(x: &Exchange) -> Bundle {
    let a = agreement();
    let mut bundle = x.world.bundle(at(3 * 24 * 60));
    bundle.agreements = vec![bundled(
        "ru-us-test@1",
        vec![x.world.sign("RU", &a), x.world.sign("US", &a)],
    )];
    bundle
}

/// RU's figures for 2026-Q4 as its node computes them.
fn ru_figures(x: &Exchange, as_of: Timestamp) -> Stats {
    let a = agreement();
    responsiveness::stats(
        &party("RU"),
        &x.world.facts(),
        |r| (r == &a.reference()).then_some(&a),
        "2026-Q4".parse::<Period>().expect("period"),
        as_of,
    )
}

#[test]
fn an_agreement_signed_by_every_party_is_in_force_and_judges_every_deadline() {
    let x = exchange();
    let report = check(&bundle_of(&x));
    assert_eq!(report.exit_code(), 0, "{report}");

    let (v, detail) = verdict(&report, IN_FORCE, "in-force");
    assert_eq!(v, Verdict::Proven, "{detail}");
    let fingerprints: Vec<String> = ["RU", "US"]
        .iter()
        .map(|code| {
            let card = &x.world.party(code).card;
            format!("{code} (key {})", card.fingerprint())
        })
        .collect();
    for named in &fingerprints {
        assert!(detail.contains(named), "{detail}");
    }
    assert!(
        detail.contains("signed by every party over the same text"),
        "{detail}"
    );

    let (v, detail) = verdict(&report, &message(&x.n1), "ack-deadline");
    assert_eq!(v, Verdict::Proven);
    assert!(
        detail.starts_with("IN TIME: US acknowledged it with acknowledgement"),
        "{detail}"
    );
    assert!(detail.contains(&x.ack1.to_string()), "{detail}");
    assert!(
        detail.contains("20m 0s after US received it at 2026-11-02T10:01:00.000Z"),
        "{detail}"
    );
    assert!(
        detail.contains("deadline 1h 0m, due at 2026-11-02T11:01:00.000Z, agreement ru-us-test@1"),
        "{detail}"
    );
    // No `acknowledged` claim: the agreement's deadlines replace it.
    assert!(
        !report
            .claims
            .iter()
            .any(|c| c.subject == message(&x.n1) && c.claim == "acknowledged"),
        "{report}"
    );

    let (v, detail) = verdict(&report, &message(&x.n1), "reply-deadline");
    assert_eq!(v, Verdict::Proven);
    assert!(
        detail.starts_with("LATE by 6h 0m: US replied to it with reply"),
        "{detail}"
    );

    for deadline in ["ack-deadline", "reply-deadline"] {
        let (v, detail) = verdict(&report, &message(&x.n2), deadline);
        assert_eq!(v, Verdict::Proven, "a missed deadline is proven missed");
        assert!(detail.starts_with("MISSED: no "), "{detail}");
        assert!(
            detail.contains(
                "from US had reached RU when the bundle was exported at 2026-11-05T10:00:00.000Z"
            ),
            "{detail}"
        );
    }

    let (v, detail) = verdict(&report, &message(&x.ping), "check-deadline");
    assert_eq!(v, Verdict::Proven);
    assert!(
        detail.starts_with("IN TIME: US answered it with pong"),
        "{detail}"
    );
    assert!(detail.contains("deadline 2h 0m"), "{detail}");

    let (_, detail) = verdict(&report, &message(&x.n3), "ack-deadline");
    assert!(
        detail.starts_with("LATE by 59m 0s: RU acknowledged it"),
        "{detail}"
    );
    let (_, detail) = verdict(&report, &message(&x.n3), "reply-deadline");
    assert!(detail.starts_with("IN TIME: RU replied to it"), "{detail}");
}

#[test]
fn deadlines_not_yet_due_are_pending_and_undelivered_messages_start_none() {
    let a = agreement();
    let mut world = World::new(&["RU", "US"]);
    let due_later = world.send(Msg::flash("RU", "US", at(0)).under(&a));
    let lost = world.send(Msg::flash("RU", "US", at(5)).under(&a).delivered(None));
    let mut bundle = world.bundle(at(30));
    bundle.agreements = vec![bundled(
        "ru-us-test@1",
        vec![world.sign("RU", &a), world.sign("US", &a)],
    )];
    let report = check(&bundle);
    let (v, detail) = verdict(&report, &message(&due_later), "ack-deadline");
    assert_eq!(v, Verdict::Proven, "{detail}");
    assert!(
        detail.starts_with("PENDING: due at 2026-11-02T11:00:00.000Z, and no acknowledgement or reply from US had reached RU"),
        "{detail}"
    );
    let (v, detail) = verdict(&report, &message(&lost), "ack-deadline");
    assert_eq!(v, Verdict::Unproven, "{detail}");
    assert!(
        detail.starts_with("not started: agreement ru-us-test@1 sets 1h 0m from delivery, and the bundle has no verified receipt showing that US received it"),
        "{detail}"
    );
    assert_eq!(report.exit_code(), 3, "{report}");
}

#[test]
fn an_answer_that_never_reached_the_asker_does_not_count() {
    let a = agreement();
    let mut world = World::new(&["RU", "US"]);
    let asked = world.send(Msg::flash("RU", "US", at(0)).under(&a));
    let ack = world.send(
        Msg::ack("US", "RU", asked, at(10))
            .under(&a)
            .delivered(None),
    );
    let mut bundle = world.bundle(at(120));
    bundle.agreements = vec![bundled(
        "ru-us-test@1",
        vec![world.sign("RU", &a), world.sign("US", &a)],
    )];
    let (v, detail) = verdict(&check(&bundle), &message(&asked), "ack-deadline");
    assert_eq!(v, Verdict::Proven);
    assert!(detail.starts_with("MISSED"), "{detail}");
    assert!(
        detail.contains(&format!(
            "acknowledgement {ack} was written at 2026-11-02T10:10:00.000Z, but the bundle has no receipt showing it reached RU"
        )),
        "{detail}"
    );
}

#[test]
fn a_countersignature_over_other_bytes_is_broken_and_the_agreement_not_applied() {
    let x = exchange();
    let a = agreement();
    let mut other = agreement();
    other.title = "Another text under the same name".into();
    let mut bundle = bundle_of(&x);
    bundle.agreements = vec![bundled(
        "ru-us-test@1",
        vec![x.world.sign("RU", &a), x.world.sign("US", &other)],
    )];
    let report = check(&bundle);
    let (v, detail) = verdict(&report, IN_FORCE, "in-force");
    assert_eq!(v, Verdict::Broken, "{detail}");
    assert!(
        detail.contains("US's signature (#2) is over another text of the agreement than RU's"),
        "{detail}"
    );
    assert!(
        detail.contains("the parties did not sign the same agreement"),
        "{detail}"
    );
    // Its deadlines are not applied: the message falls back to `acknowledged`.
    let (v, detail) = verdict(&report, &message(&x.n1), "acknowledged");
    assert_eq!(v, Verdict::Proven);
    assert!(
        detail.ends_with(
            "agreement ru-us-test@1 in the bundle is BROKEN, so its deadlines are not applied"
        ),
        "{detail}"
    );
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn a_missing_signature_leaves_the_agreement_unproven_naming_who() {
    let x = exchange();
    let mut bundle = bundle_of(&x);
    bundle.agreements[0].signatures.truncate(1);
    let report = check(&bundle);
    let (v, detail) = verdict(&report, IN_FORCE, "in-force");
    assert_eq!(v, Verdict::Unproven, "{detail}");
    assert!(
        detail.starts_with("not signed by US (signed by RU (key SHA256:"),
        "{detail}"
    );
    let (_, detail) = verdict(&report, &message(&x.n1), "acknowledged");
    assert!(
        detail.contains("the bundle does not prove agreement ru-us-test@1 in force"),
        "{detail}"
    );
}

#[test]
fn bad_signatures_are_broken_and_name_what_is_wrong() {
    let x = exchange();
    let a = agreement();
    let with_un = World::new(&["RU", "US", "UN"]);
    let ru = with_un.sign("RU", &a);
    let us = with_un.sign("US", &a);
    let un = with_un.sign_anyway("UN", &a);
    let flipped = {
        let at = us.find("\"signature\":\"").expect("signature") + 15;
        let mut chars: Vec<char> = us.chars().collect();
        chars[at] = if chars[at] == 'A' { 'B' } else { 'A' };
        chars.into_iter().collect::<String>()
    };
    let cases = [
        (
            "a non-party's signature",
            bundled("ru-us-test@1", vec![ru.clone(), us.clone(), un]),
            "UN is not a party to agreement ru-us-test@1",
        ),
        (
            "a flipped signature byte",
            bundled("ru-us-test@1", vec![ru.clone(), flipped]),
            "US's signature (#2) does not verify with its key SHA256:",
        ),
        (
            "another reference",
            bundled("ru-us-test@2", vec![ru.clone(), us.clone()]),
            "RU's signature (#1) is on agreement ru-us-test@1, not ru-us-test@2",
        ),
        (
            "not a signed agreement",
            bundled("ru-us-test@1", vec!["{}".into()]),
            "signature #1:",
        ),
    ];
    for (what, entry, says) in cases {
        let mut bundle = with_un.bundle(at(60));
        let subject = format!("agreement {}", entry.reference);
        bundle.agreements = vec![entry];
        let report = check(&bundle);
        let (v, detail) = verdict(&report, &subject, "in-force");
        assert_eq!(v, Verdict::Broken, "{what}: {detail}");
        assert!(detail.contains(says), "{what}: {detail}");
    }

    // Twice the same agreement, or a reference that is not one.
    let mut bundle = bundle_of(&x);
    bundle.agreements.push(bundle.agreements[0].clone());
    bundle.agreements.push(bundled("Not A Reference", vec![]));
    let report = check(&bundle);
    let twice: Vec<_> = report
        .claims
        .iter()
        .filter(|c| c.subject == IN_FORCE)
        .map(|c| c.verdict)
        .collect();
    assert_eq!(twice, [Verdict::Proven, Verdict::Broken], "{report}");
    let (v, detail) = verdict(&report, "agreement #3", "in-force");
    assert_eq!(v, Verdict::Broken);
    assert!(detail.contains("is not an agreement reference"), "{detail}");
    // The duplicate makes its standing BROKEN: no deadline is judged by it.
    assert!(
        !report.claims.iter().any(|c| c.claim == "ack-deadline"),
        "{report}"
    );
}

#[test]
fn a_signature_by_a_key_without_a_card_is_unproven() {
    let x = exchange();
    let a = agreement();
    let stranger = World::new(&["AA", "BB", "US"]); // another key for US
    let mut bundle = bundle_of(&x);
    bundle.agreements = vec![bundled(
        "ru-us-test@1",
        vec![x.world.sign("RU", &a), stranger.sign("US", &a)],
    )];
    let (v, detail) = verdict(&check(&bundle), IN_FORCE, "in-force");
    assert_eq!(v, Verdict::Unproven, "{detail}");
    assert!(
        detail.contains("signature #2 is by key")
            && detail.contains("no card in the bundle has that key"),
        "{detail}"
    );
}

#[test]
fn claimed_figures_are_recomputed_and_proven_when_they_match() {
    let x = exchange();
    let mut bundle = bundle_of(&x);
    let claimed = ru_figures(&x, bundle.exported_at);
    bundle.stats = Some(claimed.clone());
    let report = check(&bundle);
    assert_eq!(report.exit_code(), 0, "{report}");
    let subject = format!("figures RU {}", claimed.period);
    let (v, detail) = verdict(&report, &subject, "figures");
    assert_eq!(v, Verdict::Proven, "{detail}");
    assert!(
        detail.starts_with("the figures (8 rows) match those recomputed from the bundle as of 2026-11-05T10:00:00.000Z"),
        "{detail}"
    );
    assert!(
        detail.contains("sent 5, 3 with a deadline: 2 in time, 0 late, 1 unanswered, 0 pending; received 4, 1 with a deadline: 0 in time, 1 late"),
        "{detail}"
    );
    assert_eq!(report.figures.as_ref(), Some(&claimed));
    let notifications = claimed
        .rows
        .iter()
        .find(|r| r.key.direction == Direction::Sent && r.key.kind == MessageKind::Notification)
        .expect("row");
    assert_eq!(
        (
            notifications.figures.in_time,
            notifications.figures.unanswered
        ),
        (1, 1)
    );
    let json = serde_json::to_value(&report).expect("json");
    assert_eq!(json["figures"]["rows"].as_array().map(Vec::len), Some(8));

    let table = figures_table(&claimed);
    assert!(table.starts_with("Figures of RU, 2026-10-01T00:00:00.000Z to 2027-01-01T00:00:00.000Z, as of 2026-11-05T10:00:00.000Z\n"), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == [
                    "US",
                    "sent",
                    "technical",
                    "notification",
                    "2",
                    "2",
                    "1",
                    "0",
                    "1",
                    "0"
                ]),
        "{table}"
    );
}

#[test]
fn a_tampered_figure_is_broken_naming_the_row() {
    let x = exchange();
    let mut bundle = bundle_of(&x);
    let mut claimed = ru_figures(&x, bundle.exported_at);
    let row = claimed
        .rows
        .iter_mut()
        .find(|r| r.key.direction == Direction::Sent && r.key.kind == MessageKind::Notification)
        .expect("row");
    row.figures.in_time += 1;
    bundle.stats = Some(claimed.clone());
    let report = check(&bundle);
    let (v, detail) = verdict(
        &report,
        &format!("figures RU {}", claimed.period),
        "figures",
    );
    assert_eq!(v, Verdict::Broken, "{detail}");
    assert_eq!(
        detail,
        "the claimed figures are not those the bundle proves: sent to US from technical, notification: in_time claimed 2, recomputed 1"
    );
    // The report carries the recomputed figures, not the claimed ones.
    assert_eq!(report.figures, Some(ru_figures(&x, bundle.exported_at)));

    // A row the bundle has no message for, and one left out.
    let mut claimed = ru_figures(&x, bundle.exported_at);
    let mut invented = claimed.rows[0].clone();
    invented.key.exercise = true;
    claimed.rows.push(invented);
    claimed.rows.retain(|r| r.key.kind != MessageKind::Ping);
    bundle.stats = Some(claimed);
    let (v, detail) = verdict(
        &check(&bundle),
        &format!(
            "figures RU {}",
            "2026-10-01T00:00:00.000Z to 2027-01-01T00:00:00.000Z"
        ),
        "figures",
    );
    assert_eq!(v, Verdict::Broken);
    assert!(
        detail.contains("notification (exercise): claimed (messages 2"),
        "{detail}"
    );
    assert!(
        detail.contains("but the bundle proves no such message"),
        "{detail}"
    );
    assert!(
        detail.contains("sent to US from technical, ping: not claimed, recomputed (messages 1, with_deadline 1, in_time 1"),
        "{detail}"
    );
}

#[test]
fn figures_over_a_bundle_with_a_broken_message_prove_nothing() {
    let x = exchange();
    let mut bundle = bundle_of(&x);
    bundle.stats = Some(ru_figures(&x, bundle.exported_at));
    let m = &mut bundle.messages[1];
    m.envelope = m
        .envelope
        .replacen("\"officer\":\"Ivanova\"", "\"officer\":\"Ivanovb\"", 1);
    let report = check(&bundle);
    let subject = report
        .claims
        .iter()
        .find(|c| c.claim == "figures")
        .map(|c| c.subject.clone())
        .expect("figures claim");
    let (v, detail) = verdict(&report, &subject, "figures");
    assert_eq!(v, Verdict::Broken);
    assert!(
        detail.starts_with(&format!(
            "figures over unverified messages prove nothing: 1 message of the bundle failed verification (message {})",
            x.ack1
        )),
        "{detail}"
    );
    // The acknowledgement no longer counts: the figures differ too.
    assert!(detail.contains("besides, they differ"), "{detail}");
}

#[test]
fn figures_that_need_an_agreement_the_bundle_lacks_are_unproven() {
    let x = exchange();
    let mut bundle = bundle_of(&x);
    bundle.stats = Some(ru_figures(&x, bundle.exported_at));
    bundle.agreements.clear();
    let report = check(&bundle);
    let claim = report
        .claims
        .iter()
        .find(|c| c.claim == "figures")
        .expect("figures claim");
    assert_eq!(claim.verdict, Verdict::Unproven, "{}", claim.detail);
    assert!(
        claim
            .detail
            .contains("the bundle does not prove agreement ru-us-test@1 in force"),
        "{}",
        claim.detail
    );
}

#[test]
fn an_empty_claimed_period_is_broken() {
    let x = exchange();
    let mut bundle = bundle_of(&x);
    let mut claimed = ru_figures(&x, bundle.exported_at);
    claimed.period = Period {
        from: claimed.period.to,
        to: claimed.period.from,
    };
    bundle.stats = Some(claimed);
    let claim = check(&bundle)
        .claims
        .into_iter()
        .find(|c| c.claim == "figures")
        .expect("figures claim");
    assert_eq!(claim.verdict, Verdict::Broken);
    assert!(
        claim
            .detail
            .contains("ends (2026-10-01T00:00:00.000Z) before it starts"),
        "{}",
        claim.detail
    );
}

#[test]
fn the_new_members_round_trip_and_unknown_members_inside_them_are_refused() {
    let x = exchange();
    let mut bundle = bundle_of(&x);
    bundle.stats = Some(ru_figures(&x, bundle.exported_at));
    let json = bundle.to_json();
    assert_eq!(Bundle::parse(&json).expect("parses"), bundle);

    let mut value: serde_json::Value = serde_json::from_slice(&json).expect("json");
    value["stats"]["rows"][0]["surprise"] = 1.into();
    let error = Bundle::parse(value.to_string().as_bytes()).expect_err("unknown member");
    assert!(
        error
            .to_string()
            .contains("stats.rows[0].surprise: unknown member"),
        "{error}"
    );

    let mut value: serde_json::Value = serde_json::from_slice(&json).expect("json");
    value["agreements"][0]["surprise"] = 1.into();
    let error = Bundle::parse(value.to_string().as_bytes()).expect_err("unknown member");
    assert!(error.to_string().contains("agreements[0]"), "{error}");
}

#[test]
fn a_bundle_without_agreements_or_figures_reads_and_verifies_as_before() {
    let mut world = World::new(&["RU", "US"]);
    let asked = world.send(Msg::flash("RU", "US", at(0)).delivered(Some(at(1))));
    let ack = world.send(Msg::ack("US", "RU", asked, at(20)).delivered(Some(at(21))));
    let ping = world.send(Msg::ping("RU", "US", at(30)));
    let bundle = world.bundle(at(60));
    let json = bundle.to_json();
    let text = String::from_utf8(json.clone()).expect("UTF-8");
    assert!(
        !text.contains("\"agreements\"") && !text.contains("\"stats\""),
        "{text}"
    );
    assert_eq!(Bundle::parse(&json).expect("parses"), bundle);

    let report = verify(
        &bundle,
        &Options {
            policy: None,
            ack_within: Some(TimeDelta::hours(1)),
            ..Options::default()
        },
    );
    let (v, detail) = verdict(&report, &message(&asked), "acknowledged");
    assert_eq!(v, Verdict::Proven);
    assert_eq!(
        detail,
        format!(
            "US acknowledged it: acknowledgement {ack} delivered at 2026-11-02T10:21:00.000Z, 20m 0s after it was delivered; IN TIME (deadline 1h 0m)"
        )
    );
    let (v, detail) = verdict(&report, &message(&ping), "answered");
    assert_eq!(v, Verdict::Unproven);
    assert_eq!(detail, "no pong from US in the bundle");
    assert_eq!(report.figures, None);
    let json = serde_json::to_value(&report).expect("json");
    assert!(json.get("figures").is_none());
    // Every other claim holds.
    assert_eq!(
        report
            .claims
            .iter()
            .filter(|c| c.verdict != Verdict::Proven)
            .count(),
        1,
        "{report}"
    );

    let strict = verify(
        &bundle,
        &Options {
            policy: None,
            ack_within: Some(TimeDelta::minutes(5)),
            ..Options::default()
        },
    );
    let (_, detail) = verdict(&strict, &message(&asked), "acknowledged");
    assert!(
        detail.ends_with("; LATE by 15m 0s (deadline 5m 0s)"),
        "{detail}"
    );
}

#[test]
fn a_message_naming_an_agreement_not_in_the_bundle_is_judged_as_before_and_says_so() {
    let a = agreement();
    let mut world = World::new(&["RU", "US"]);
    let asked = world.send(
        Msg::flash("RU", "US", at(0))
            .under(&a)
            .delivered(Some(at(1))),
    );
    world.send(
        Msg::ack("US", "RU", asked, at(90))
            .under(&a)
            .delivered(None),
    );
    let report = verify(
        &world.bundle(at(120)),
        &Options {
            policy: None,
            ack_within: Some(TimeDelta::hours(1)),
            ..Options::default()
        },
    );
    let (v, detail) = verdict(&report, &message(&asked), "acknowledged");
    assert_eq!(v, Verdict::Proven);
    assert!(
        detail.contains("written (not yet delivered) at 2026-11-02T11:30:00.000Z"),
        "{detail}"
    );
    assert!(
        detail.ends_with("; not judged against the deadline (1h 0m): only an answer that reached RU counts; agreement ru-us-test@1 is not in the bundle, so its deadlines are not applied"),
        "{detail}"
    );
}

#[test]
fn an_export_time_set_too_early_cannot_hide_an_answer_the_bundle_holds() {
    let x = exchange();
    let mut bundle = bundle_of(&x);
    // Before US's acknowledgement reached RU; `exported_at` is unauthenticated.
    bundle.exported_at = at(10);
    let report = check(&bundle);
    let (_, detail) = verdict(&report, &message(&x.n1), "ack-deadline");
    assert!(detail.starts_with("IN TIME"), "{detail}");
    let (v, detail) = verdict(&report, &message(&x.n2), "ack-deadline");
    assert_eq!(v, Verdict::Proven);
    assert!(
        detail.contains("had reached RU by 2026-11-03T16:01:00.000Z, the latest time signed in the bundle (which says it was exported at 2026-11-02T10:10:00.000Z)"),
        "{detail}"
    );
}
