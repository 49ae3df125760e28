//! Guarantees and pledges in evidence bundles: their status, or their
//! signatories, at a moment, judged offline from the signed steps a bundle
//! carries (bundles built by hand in tests/common, exactly as a node
//! builds them).

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::{Msg, World, at, party};
use detente_evidence::{Bundle, Options, Report, Scope, Signatory, Verdict, verify};
use detente_proto::body::{
    Body, GuaranteeSignature, GuaranteeWithdraw, PledgeSign, PledgeWithdraw,
};
use detente_proto::guarantee::Guarantee;
use detente_proto::ids::MessageId;
use detente_proto::pledge::{Pledge, PledgeRef};
use detente_proto::time::Timestamp;

const ID: &str = "ru-us-elections-2026";
const STATUS: &str = "guarantee ru-us-elections-2026";

fn check_at(bundle: &Bundle, moment: Timestamp) -> Report {
    verify(
        bundle,
        &Options {
            at: Some(moment),
            ..Options::default()
        },
    )
}

fn verdict(report: &Report, subject: &str, claim: &str) -> (Verdict, String) {
    report
        .claims
        .iter()
        .find(|c| c.subject == subject && c.claim == claim)
        .map(|c| (c.verdict, c.detail.clone()))
        .unwrap_or_else(|| panic!("no {claim} claim for {subject}:\n{report}"))
}

/// A reciprocal guarantee between RU and US, in effect from a day before
/// the first message, with `notice_ms` of notice.
fn guarantee(notice_ms: u64) -> Guarantee {
    Guarantee {
        v: 1,
        id: ID.parse().expect("document id"),
        reciprocal: true,
        issuer: party("RU"),
        beneficiary: party("US"),
        text: [(
            "en".to_owned(),
            "Neither party will interfere in the other's elections.".to_owned(),
        )]
        .into_iter()
        .collect(),
        scope: vec!["elections".into()],
        effective_from: at(-24 * 60),
        expires: None,
        notice_ms,
    }
}

/// `code`'s signature on `g`, exact bytes.
fn signed(world: &World, code: &str, g: &Guarantee) -> String {
    let signed = g.sign(&party(code), &world.party(code).key).expect("signs");
    String::from_utf8(signed.bytes().to_vec()).expect("UTF-8")
}

fn propose(signed: String) -> Body {
    Body::GuaranteePropose(GuaranteeSignature { signed })
}

fn countersign(signed: String) -> Body {
    Body::GuaranteeSign(GuaranteeSignature { signed })
}

/// A withdrawal of `g`, naming its text by its SHA-256.
fn withdraw(world: &World, g: &Guarantee) -> Body {
    let sha = g
        .sign(&party("RU"), &world.party("RU").key)
        .expect("signs")
        .document_sha256();
    Body::GuaranteeWithdraw(GuaranteeWithdraw {
        guarantee: ID.into(),
        document_sha256: BASE64.encode(sha),
        reason: "Interference observed".into(),
    })
}

/// `from`'s countersignature, answering the proposal `proposal`.
fn countersigning(
    from: &'static str,
    to: &'static str,
    signed: String,
    proposal: MessageId,
    created_at: Timestamp,
) -> Msg {
    Msg {
        in_reply_to: Some(proposal),
        ..Msg::new(from, to, countersign(signed), created_at)
    }
}

/// RU proposes at 10:00, US countersigns at 11:00.
fn signed_by_both(g: &Guarantee) -> World {
    let mut world = World::new(&["RU", "US"]);
    let ru = signed(&world, "RU", g);
    let us = signed(&world, "US", g);
    let proposal = world.send(Msg::new("RU", "US", propose(ru), at(0)));
    world.send(countersigning("US", "RU", us, proposal, at(60)));
    world
}

fn guarantee_bundle(world: &World, exported_at: Timestamp) -> Bundle {
    Bundle {
        scope: Scope::Guarantee(ID.into()),
        ..world.bundle(exported_at)
    }
}

/// Replaces the `nth` character after `marker` in `text` with another
/// base64 character.
fn flip_after(text: &str, marker: &str, nth: usize) -> String {
    let start = text.find(marker).expect("marker") + marker.len() + nth;
    let mut chars: Vec<char> = text.chars().collect();
    chars[start] = if chars[start] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

#[test]
fn a_reciprocal_guarantee_signed_by_both_is_in_force_after_the_second_signature() {
    let g = guarantee(90 * 24 * 3_600_000);
    let bundle = guarantee_bundle(&signed_by_both(&g), at(180));
    let report = check_at(&bundle, at(120));
    assert_eq!(report.exit_code(), 0, "{report}");
    let (v, detail) = verdict(&report, STATUS, "status");
    assert_eq!(v, Verdict::Proven);
    assert!(
        detail.starts_with(
            "in force at 2026-11-02T12:00:00.000Z (since 2026-11-02T11:00:00.000Z); signed by RU at 2026-11-02T10:00:00.000Z and US at 2026-11-02T11:00:00.000Z; reciprocal guarantee between RU and US, text SHA-256 "
        ),
        "{detail}"
    );

    let found = report.commitment.as_ref().expect("the status, for tools");
    assert_eq!(found.subject, STATUS);
    assert_eq!(found.state, "in-force");
    assert_eq!(found.in_force, Some(true));
    assert_eq!(found.at, at(120));
    assert_eq!(found.verdict, Verdict::Proven);
    assert_eq!(
        found.signatories,
        [
            Signatory {
                party: party("RU"),
                signed_at: at(0)
            },
            Signatory {
                party: party("US"),
                signed_at: at(60)
            }
        ]
    );
    let json = serde_json::to_value(&report).expect("json");
    assert_eq!(json["commitment"]["state"], "in-force");
    assert_eq!(json["commitment"]["at"], "2026-11-02T12:00:00.000Z");
    assert_eq!(json["commitment"]["signatories"][1]["party"], "US");
    assert!(
        report
            .exported
            .contains("; guarantee ru-us-elections-2026;")
    );

    // Without a moment, the bundle's own: its export, here after both.
    let (v, detail) = verdict(&verify(&bundle, &Options::default()), STATUS, "status");
    assert_eq!(v, Verdict::Proven);
    assert!(
        detail.starts_with("in force at 2026-11-02T13:00:00.000Z"),
        "{detail}"
    );
}

#[test]
fn before_the_second_signature_it_is_only_proposed_and_at_excludes_later_signatures() {
    let g = guarantee(90 * 24 * 3_600_000);
    let bundle = guarantee_bundle(&signed_by_both(&g), at(180));
    let report = check_at(&bundle, at(30));
    assert_eq!(report.exit_code(), 0, "{report}");
    let (v, detail) = verdict(&report, STATUS, "status");
    assert_eq!(v, Verdict::Proven);
    assert!(
        detail.starts_with(
            "not in force at 2026-11-02T10:30:00.000Z: proposed; awaiting the signature of US; signed by RU at 2026-11-02T10:00:00.000Z; signed after 2026-11-02T10:30:00.000Z: US at 2026-11-02T11:00:00.000Z;"
        ),
        "{detail}"
    );
    let found = report.commitment.expect("status");
    assert_eq!((found.state, found.in_force), ("proposed", Some(false)));
    assert_eq!(found.signatories.len(), 1);

    let (_, detail) = verdict(&check_at(&bundle, at(-1)), STATUS, "status");
    assert!(
        detail.contains("awaiting the signature of RU and US; nobody had signed it by"),
        "{detail}"
    );
}

#[test]
fn after_a_withdrawal_it_binds_for_its_notice_then_lapses() {
    let g = guarantee(24 * 3_600_000);
    let mut world = signed_by_both(&g);
    let body = withdraw(&world, &g);
    world.send(Msg::new("US", "RU", body, at(120)));
    let bundle = guarantee_bundle(&world, at(180));

    let report = check_at(&bundle, at(180));
    assert_eq!(report.exit_code(), 0, "{report}");
    let (v, detail) = verdict(&report, STATUS, "status");
    assert_eq!(v, Verdict::Proven);
    assert!(
        detail.starts_with(
            "in force at 2026-11-02T13:00:00.000Z: withdrawal notified by US at 2026-11-02T12:00:00.000Z; lapses at 2026-11-03T12:00:00.000Z;"
        ),
        "{detail}"
    );
    let found = report.commitment.expect("status");
    assert_eq!(
        (found.state, found.in_force),
        ("withdrawal-notified", Some(true))
    );

    let later = at(120 + 24 * 60 + 1);
    let report = check_at(&bundle, later);
    let (v, detail) = verdict(&report, STATUS, "status");
    assert_eq!(v, Verdict::Proven);
    assert!(
        detail.starts_with(
            "not in force at 2026-11-03T12:01:00.000Z: lapsed at 2026-11-03T12:00:00.000Z (withdrawn by US);"
        ),
        "{detail}"
    );
    let found = report.commitment.expect("status");
    assert_eq!((found.state, found.in_force), ("lapsed", Some(false)));
}

#[test]
fn a_tampered_signed_guarantee_is_broken_and_does_not_count() {
    let g = guarantee(90 * 24 * 3_600_000);
    let mut world = World::new(&["RU", "US"]);
    let ru = signed(&world, "RU", &g);
    // US's node signs an envelope carrying a signed guarantee with one
    // byte of its signature flipped.
    let us = flip_after(&signed(&world, "US", &g), "\"signature\":\"", 5);
    let proposal = world.send(Msg::new("RU", "US", propose(ru), at(0)));
    let sign = world.send(countersigning("US", "RU", us, proposal, at(60)));
    let report = check_at(&guarantee_bundle(&world, at(180)), at(120));
    assert_eq!(report.exit_code(), 1, "{report}");
    // The message itself is US's word…
    assert_eq!(
        verdict(&report, &format!("message {sign}"), "sent").0,
        Verdict::Proven
    );
    // …but the signature it carries is not.
    let (v, detail) = verdict(&report, STATUS, "status");
    assert_eq!(v, Verdict::Broken);
    assert!(
        detail.starts_with(
            "not in force at 2026-11-02T12:00:00.000Z: proposed; awaiting the signature of US"
        ),
        "{detail}"
    );
    assert!(
        detail.contains(&format!(
            "message {sign} (guarantee-sign from US): the signed guarantee it carries is not a valid signature by US"
        )),
        "{detail}"
    );
    assert_eq!(report.commitment.expect("status").verdict, Verdict::Broken);
}

#[test]
fn a_flipped_byte_in_a_signing_envelope_leaves_that_step_out_and_breaks_the_status() {
    let g = guarantee(90 * 24 * 3_600_000);
    let world = signed_by_both(&g);
    let mut bundle = guarantee_bundle(&world, at(180));
    let envelope = &mut bundle.messages[1].envelope;
    let at_text = envelope.find("elections.").expect("the text");
    *envelope = format!("{}E{}", &envelope[..at_text], &envelope[at_text + 1..]);
    let report = check_at(&bundle, at(120));
    assert_eq!(report.exit_code(), 1, "{report}");
    let (v, detail) = verdict(&report, STATUS, "status");
    assert_eq!(v, Verdict::Broken);
    assert!(
        detail.starts_with("not in force at 2026-11-02T12:00:00.000Z: proposed;"),
        "{detail}"
    );
    assert!(
        detail.contains("(guarantee-sign from US) is BROKEN (sent) and does not count"),
        "{detail}"
    );
}

#[test]
fn signatures_over_other_texts_and_withdrawals_of_other_texts_are_broken() {
    let g = guarantee(90 * 24 * 3_600_000);
    let mut other = g.clone();
    other
        .text
        .insert("en".into(), "Neither party will interfere, mostly.".into());
    let mut world = World::new(&["RU", "US"]);
    let ru = signed(&world, "RU", &g);
    let us = signed(&world, "US", &other);
    let proposal = world.send(Msg::new("RU", "US", propose(ru), at(0)));
    world.send(countersigning("US", "RU", us, proposal, at(60)));
    let body = withdraw(&world, &other);
    world.send(Msg::new("US", "RU", body, at(90)));
    let report = check_at(&guarantee_bundle(&world, at(180)), at(120));
    let (v, detail) = verdict(&report, STATUS, "status");
    assert_eq!(v, Verdict::Broken, "{detail}");
    assert!(
        detail.contains("US signed another text of guarantee ru-us-elections-2026"),
        "{detail}"
    );
    assert!(
        detail.contains("it withdraws the text with SHA-256"),
        "{detail}"
    );
    assert!(detail.starts_with("not in force"), "{detail}");
}

#[test]
fn a_bundle_without_a_verified_signature_cannot_tell_the_status() {
    let g = guarantee(90 * 24 * 3_600_000);
    let mut world = World::new(&["RU", "US"]);
    let body = withdraw(&world, &g);
    world.send(Msg::new("US", "RU", body, at(90)));
    let report = check_at(&guarantee_bundle(&world, at(180)), at(120));
    let (v, detail) = verdict(&report, STATUS, "status");
    assert_eq!(v, Verdict::Unproven, "{detail}");
    assert!(
        detail.starts_with("the bundle holds no verified signature on guarantee"),
        "{detail}"
    );
    assert_eq!(report.commitment, None);
    assert_eq!(report.exit_code(), 3);
}

// Pledges.

const PLEDGE: &str = "pledge UN/no-first-use";

fn reference() -> PledgeRef {
    "UN/no-first-use".parse().expect("reference")
}

/// UN's pledge, open for signature from 09:00 until `until`.
fn pledge(until: Timestamp) -> Pledge {
    Pledge {
        v: 1,
        id: "no-first-use".parse().expect("document id"),
        host: party("UN"),
        title: "No first use of ICT".into(),
        text: [(
            "en".to_owned(),
            "Each signatory pledges not to be the first to use ICT against another.".to_owned(),
        )]
        .into_iter()
        .collect(),
        open_from: at(-60),
        open_until: until,
    }
}

fn pledge_signed(world: &World, code: &str, p: &Pledge) -> String {
    let signed = p.sign(&party(code), &world.party(code).key).expect("signs");
    String::from_utf8(signed.bytes().to_vec()).expect("UTF-8")
}

fn pledge_sign(world: &World, code: &str, p: &Pledge) -> Body {
    Body::PledgeSign(PledgeSign {
        pledge: reference(),
        signed: pledge_signed(world, code, p),
    })
}

fn pledge_bundle(world: &World, p: &Pledge, exported_at: Timestamp) -> Bundle {
    Bundle {
        scope: Scope::Pledge(reference()),
        documents: vec![pledge_signed(world, "UN", p)],
        ..world.bundle(exported_at)
    }
}

#[test]
fn a_pledge_bundle_proves_its_signatories_and_at_excludes_later_ones() {
    let p = pledge(at(24 * 60));
    let mut world = World::new(&["UN", "RU", "US"]);
    let ru = pledge_sign(&world, "RU", &p);
    let us = pledge_sign(&world, "US", &p);
    world.send(Msg::new("RU", "UN", ru, at(10)));
    world.send(Msg::new("US", "UN", us, at(25)));
    let bundle = pledge_bundle(&world, &p, at(60));

    let report = check_at(&bundle, at(30));
    assert_eq!(report.exit_code(), 0, "{report}");
    let (v, detail) = verdict(&report, PLEDGE, "signatories");
    assert_eq!(v, Verdict::Proven);
    assert!(
        detail.starts_with(
            "at 2026-11-02T10:30:00.000Z: RU (signed at 2026-11-02T10:10:00.000Z), US (signed at 2026-11-02T10:25:00.000Z); \"No first use of ICT\" as published by UN (text SHA-256 "
        ),
        "{detail}"
    );
    let found = report.commitment.expect("signatories");
    assert_eq!((found.state, found.in_force), ("open", None));
    assert_eq!(found.signatories.len(), 2);

    let (v, detail) = verdict(&check_at(&bundle, at(20)), PLEDGE, "signatories");
    assert_eq!(v, Verdict::Proven);
    assert!(
        detail.starts_with(
            "at 2026-11-02T10:20:00.000Z: RU (signed at 2026-11-02T10:10:00.000Z); signed after 2026-11-02T10:20:00.000Z: US at 2026-11-02T10:25:00.000Z;"
        ),
        "{detail}"
    );
}

#[test]
fn a_signature_after_the_window_is_broken_and_does_not_count() {
    let p = pledge(at(30));
    let mut world = World::new(&["UN", "RU", "US"]);
    let ru = pledge_sign(&world, "RU", &p);
    let us = pledge_sign(&world, "US", &p);
    world.send(Msg::new("RU", "UN", ru, at(10)));
    let late = world.send(Msg::new("US", "UN", us, at(45)));
    let report = check_at(&pledge_bundle(&world, &p, at(60)), at(60));
    assert_eq!(report.exit_code(), 1, "{report}");
    let (v, detail) = verdict(&report, PLEDGE, "signatories");
    assert_eq!(v, Verdict::Broken);
    assert!(
        detail.starts_with("at 2026-11-02T11:00:00.000Z: RU (signed at 2026-11-02T10:10:00.000Z);"),
        "{detail}"
    );
    assert!(
        detail.contains(&format!(
            "message {late} (pledge-sign from US): the pledge UN/no-first-use closed for signature at 2026-11-02T10:30:00.000Z"
        )),
        "{detail}"
    );
    let found = report.commitment.expect("signatories");
    assert_eq!(found.state, "closed");
    assert_eq!(found.signatories.len(), 1);
}

#[test]
fn a_withdrawal_ends_a_signatory() {
    let p = pledge(at(24 * 60));
    let mut world = World::new(&["UN", "RU", "US"]);
    let ru = pledge_sign(&world, "RU", &p);
    let us = pledge_sign(&world, "US", &p);
    world.send(Msg::new("RU", "UN", ru, at(10)));
    world.send(Msg::new("US", "UN", us, at(25)));
    world.send(Msg::new(
        "RU",
        "UN",
        Body::PledgeWithdraw(PledgeWithdraw {
            pledge: reference(),
            reason: "Reconsidered".into(),
        }),
        at(40),
    ));
    let report = check_at(&pledge_bundle(&world, &p, at(60)), at(50));
    assert_eq!(report.exit_code(), 0, "{report}");
    let (_, detail) = verdict(&report, PLEDGE, "signatories");
    assert!(
        detail.starts_with(
            "at 2026-11-02T10:50:00.000Z: US (signed at 2026-11-02T10:25:00.000Z); withdrawn: RU at 2026-11-02T10:40:00.000Z;"
        ),
        "{detail}"
    );
}

#[test]
fn without_the_hosts_text_or_with_an_altered_one_nothing_is_proven() {
    let p = pledge(at(24 * 60));
    let mut world = World::new(&["UN", "RU", "US"]);
    let ru = pledge_sign(&world, "RU", &p);
    world.send(Msg::new("RU", "UN", ru, at(10)));
    let mut bundle = pledge_bundle(&world, &p, at(60));

    let text = bundle.documents[0].clone();
    bundle.documents.clear();
    let report = check_at(&bundle, at(30));
    let (v, detail) = verdict(&report, PLEDGE, "signatories");
    assert_eq!(v, Verdict::Unproven, "{detail}");
    assert!(
        detail.contains("does not carry pledge UN/no-first-use as its host UN published it"),
        "{detail}"
    );
    assert_eq!(report.exit_code(), 3);

    bundle.documents = vec![flip_after(&text, "\"signature\":\"", 7)];
    let report = check_at(&bundle, at(30));
    let (v, detail) = verdict(&report, PLEDGE, "signatories");
    assert_eq!(v, Verdict::Broken, "{detail}");
    assert!(
        detail.contains("document #1 is not pledge UN/no-first-use signed by its host UN"),
        "{detail}"
    );
    assert_eq!(report.exit_code(), 1);
}
