//! Renewing a card and rotating every key while messages flow both ways:
//! nothing is lost, the peer takes the new card from the old key's link
//! alone, envelopes sealed to the replaced key still open during the
//! overlap, old records verify against the key that made them, and an
//! evidence bundle spanning the rotation verifies — unless its chain of
//! cards is cut.

mod common;

use common::{
    Net, RawPeer, card_of, eventually, notification, officer_send, sent_delivered, show, stored,
};
use detente_evidence::{Bundle, Options, Verdict, verify};
use detente_node::rotation::{DirLock, Replace, change_card};
use detente_proto::card::PartyCard;
use detente_proto::card_chain::{ChainStep, SignedCardLink};
use detente_proto::clock::{Clock, SystemClock};
use detente_proto::envelope::hash_to_base64;
use detente_proto::signing::PartySigningKey;
use detente_store::Direction;
use serde_json::{Value, json};

async fn send(net: &Net, from: &str, to: &str, subject: &str) -> String {
    let body = json!({"subject": subject, "summary": "Сводка — ملخص"});
    officer_send(net, from, to, "notification", body).await
}

fn received(net: &Net, code: &str) -> usize {
    stored(&net.node(code))
        .iter()
        .filter(|m| m.message.direction == Direction::Received)
        .count()
}

async fn exchange_bundle(net: &Net, code: &str, with: &str) -> Bundle {
    let http = common::pinned_http(net, code);
    let response = http
        .get(format!(
            "{}/api/v1/evidence?counterparty={with}",
            net.url(code)
        ))
        .bearer_auth(&net.get(code).token)
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 200);
    Bundle::parse(&response.bytes().await.expect("body")).expect("a bundle")
}

fn claim<'a>(
    report: &'a detente_evidence::Report,
    subject: &str,
    what: &str,
) -> Vec<&'a detente_evidence::Claim> {
    report
        .claims
        .iter()
        .filter(|c| c.subject.starts_with(subject) && c.claim == what)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_key_of_ru_rotates_while_messages_flow_and_nothing_is_lost() {
    let mut net = Net::new(&["RU", "US"]);
    net.start("RU").await;
    net.start("US").await;
    let before_ru = send(&net, "RU", "US", "before the rotation, from RU").await;
    let before_us = send(&net, "US", "RU", "before the rotation, from US").await;
    eventually(20, "both delivered", || async {
        sent_delivered(&net, "RU") == 1 && sent_delivered(&net, "US") == 1
    })
    .await;
    let old_card = card_of(&net.get("RU").dir);

    // RU stops; US goes on sending, into its queue.
    net.kill("RU").await;
    let mut queued = Vec::new();
    for i in 0..3 {
        queued.push(send(&net, "US", "RU", &format!("while RU rotates #{i}")).await);
    }
    // No second process may change the directory of a running node.
    {
        let _serving = DirLock::take(&net.get("RU").dir).expect("lock");
        let refused = change_card(&net.get("RU").dir, Replace::ALL, None, SystemClock.now());
        assert!(
            matches!(
                refused,
                Err(detente_node::NodeError::Config {
                    problem: detente_node::error::ConfigProblem::InUse,
                    ..
                })
            ),
            "{refused:?}"
        );
    }
    let change =
        change_card(&net.get("RU").dir, Replace::ALL, None, SystemClock.now()).expect("rotate");
    let new_card = card_of(&net.get("RU").dir);
    assert_eq!(change.card, new_card);
    assert_ne!(new_card.fingerprint(), old_card.fingerprint());
    assert_ne!(new_card.keys().encryption, old_card.keys().encryption);
    assert_ne!(
        new_card.keys().tls_spki_sha256,
        old_card.keys().tls_spki_sha256
    );
    assert_eq!(new_card.previous(), Some(old_card.sha256()));

    // An envelope US sealed to RU's replaced encryption key (as a peer that
    // has not taken the new card would) still opens during the overlap.
    net.start("RU").await;
    let sealed_to_old = notification("US", "RU", "sealed to the replaced key");
    let sealed_id = sealed_to_old.id;
    // RU serves its new certificate: pinned once US holds the new card.
    let mut raw = RawPeer::new(&net, "US", "RU");
    raw.recipient = old_card.clone();
    eventually(20, "US takes RU's new card", || async {
        net.node("US")
            .peers()
            .get(&"RU".parse().expect("RU"))
            .is_some_and(|p| p.card == new_card)
    })
    .await;
    let (status, answer, _) = raw.send(sealed_to_old).await;
    assert_eq!(status, 200, "{answer}");

    // Both ways after the rotation.
    let after_ru = send(&net, "RU", "US", "after the rotation, from RU").await;
    let after_us = send(&net, "US", "RU", "after the rotation, from US").await;
    eventually(30, "everything delivered both ways", || async {
        sent_delivered(&net, "RU") == 2 && sent_delivered(&net, "US") == 5
    })
    .await;
    assert_eq!(
        received(&net, "RU"),
        6,
        "1 before, 3 queued, 1 raw, 1 after"
    );
    assert_eq!(received(&net, "US"), 2);
    assert!(
        stored(&net.node("RU"))
            .iter()
            .any(|m| m.message.id == sealed_id)
    );

    // US holds both of RU's cards; its peer record is the new one.
    let us = net.node("US");
    let ru_peer = us.peers().get(&"RU".parse().expect("RU")).expect("peer");
    assert_eq!(ru_peer.record.fingerprint, new_card.fingerprint());
    assert_eq!(ru_peer.previous.as_ref(), Some(&old_card));

    // Records made before the rotation verify against the old keys, those
    // after against the new: every receipt, on both sides.
    for (code, id) in [
        ("RU", &before_ru),
        ("RU", &before_us),
        ("US", &before_ru),
        ("US", &before_us),
        ("RU", &queued[0]),
        ("US", &queued[2]),
        ("RU", &after_ru),
        ("US", &after_us),
    ] {
        let shown = show(&net, code, id).await;
        assert_eq!(shown["receipt"]["verified"], true, "{code} {id}: {shown}");
    }

    // The exchange's evidence spans the rotation and proves it.
    let bundle = exchange_bundle(&net, "RU", "US").await;
    assert_eq!(bundle.card_links.len(), 1, "one link joins RU's two cards");
    let report = verify(&bundle, &Options::default());
    let chained = claim(&report, "cards RU", "chained");
    assert_eq!(chained.len(), 1);
    assert_eq!(chained[0].verdict, Verdict::Proven, "{}", chained[0].detail);
    let not_proven: Vec<_> = report
        .claims
        .iter()
        .filter(|c| c.verdict == Verdict::Broken)
        .map(|c| format!("{} {}: {}", c.subject, c.claim, c.detail))
        .collect();
    assert!(not_proven.is_empty(), "{not_proven:#?}");
    for id in [&before_ru, &before_us, &after_ru] {
        let delivered = claim(&report, &format!("message {id}"), "delivered");
        assert_eq!(delivered.len(), 1, "{id}");
        assert_eq!(
            delivered[0].verdict,
            Verdict::Proven,
            "{}",
            delivered[0].detail
        );
    }

    // Cut the chain: the bundle is BROKEN.
    let mut cut = bundle.clone();
    cut.card_links.clear();
    let report = verify(&cut, &Options::default());
    let chained = claim(&report, "cards RU", "chained");
    assert_eq!(chained[0].verdict, Verdict::Broken);
    assert!(chained[0].detail.contains("cut"), "{}", chained[0].detail);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewal_is_taken_and_a_chain_not_linked_by_the_pinned_key_is_refused() {
    let mut net = Net::new(&["RU", "US"]);
    let old_card = card_of(&net.get("RU").dir);
    let until = SystemClock.now().plus(chrono::TimeDelta::days(30));
    change_card(
        &net.get("RU").dir,
        Replace::default(),
        Some(until),
        SystemClock.now(),
    )
    .expect("renew");
    let renewed = card_of(&net.get("RU").dir);
    assert_eq!(renewed.fingerprint(), old_card.fingerprint(), "same keys");
    assert_eq!(renewed.card().valid_until, Some(until));
    net.start("US").await;
    net.start("RU").await;
    eventually(20, "US takes RU's renewed card", || async {
        net.node("US")
            .peers()
            .get(&"RU".parse().expect("RU"))
            .is_some_and(|p| p.card == renewed)
    })
    .await;
    // RU hears US's answer just after US stores the card.
    eventually(20, "RU knows US holds its renewed card", || async {
        net.node("RU")
            .peer_holds_our_card(&"US".parse().expect("US"))
    })
    .await;

    // A thief's card for RU, linked by the thief's own key: refused, and
    // US keeps RU's card.
    let thief = PartySigningKey::generate(&mut rand::thread_rng());
    let forged = PartyCard {
        signing_key: thief.verifying_key().to_base64(),
        issued_at: SystemClock.now(),
        previous: Some(hash_to_base64(&renewed.sha256())),
        ..renewed.card().clone()
    }
    .sign(&thief)
    .expect("signed");
    let value = serde_json::to_value(detente_proto::card_chain::CardLink {
        party: "RU".parse().expect("RU"),
        previous: hash_to_base64(&renewed.sha256()),
        next: hash_to_base64(&forged.sha256()),
        compromised_since: None,
    })
    .expect("json");
    let link = thief.sign_document(detente_proto::signing::Domain::CardLink, &value);
    let link = SignedCardLink::parse(&link).expect("well formed");
    let chain = json!({"chain": [ChainStep {
        card: String::from_utf8(forged.bytes().to_vec()).expect("utf-8"),
        link: String::from_utf8(link.bytes().to_vec()).expect("utf-8"),
    }]});
    let mut raw = RawPeer::new(&net, "RU", "US");
    raw.url = format!("{}/peer/v1/card", net.url("US"));
    let (status, problem, _) = raw
        .post_raw(serde_json::to_vec(&chain).expect("json"))
        .await;
    assert_eq!(status, 403, "{problem}");
    assert_eq!(problem["reason"], "link-signature", "{problem}");
    // Garbage is a clear 400, not a panic.
    let (status, problem, _) = raw.post_raw(b"{\"chain\": 5}".to_vec()).await;
    assert_eq!(status, 400, "{problem}");
    // A card of another party, pushed by RU: refused.
    let us_card = card_of(&net.get("US").dir);
    let other = json!({"chain": [{"card": String::from_utf8(us_card.bytes().to_vec()).expect("utf-8"), "link": String::from_utf8(link.bytes().to_vec()).expect("utf-8")}]});
    let (status, problem, _) = raw
        .post_raw(serde_json::to_vec(&other).expect("json"))
        .await;
    assert_eq!(
        (status, problem["reason"].clone()),
        (403, Value::from("sender-mismatch"))
    );
    let held = net
        .node("US")
        .peers()
        .get(&"RU".parse().expect("RU"))
        .expect("peer");
    assert_eq!(held.card, renewed, "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_card_change_leaves_the_old_card() {
    let net = Net::new(&["RU", "US"]);
    let dir = &net.get("RU").dir;
    let before = card_of(dir);
    // Step 1 was interrupted: keys/next/ without COMMIT.
    std::fs::create_dir_all(dir.join("keys/next")).expect("mkdir");
    std::fs::write(dir.join("keys/next/signing.key"), b"half written").expect("write");
    let node = detente_node::Node::open(dir, std::sync::Arc::new(SystemClock)).expect("open");
    assert_eq!(node.card(), &before);
    assert!(
        !dir.join("keys/next").exists(),
        "the interrupted change is removed"
    );
}
