//! A compromised signing key: RU revokes it with its offline recovery key.
//! US takes the new card, linked by the recovery key alone. From the
//! moment named, envelopes the old key signed are refused on receipt, and
//! `verify` marks what it signed as SUSPECT. What it signed before stands.

mod common;

use chrono::TimeDelta;
use common::{
    Net, RawPeer, card_of, eventually, notification, officer_send, sent_delivered, stored,
};
use detente_evidence::{Bundle, Options, Verdict, verify};
use detente_node::error::ConfigProblem;
use detente_node::recovery_key::RecoveryKey;
use detente_node::rotation::revoke_keys;
use detente_proto::card_chain::ChainError;
use detente_proto::clock::{Clock, SystemClock};
use detente_proto::ids::PartyCode;
use serde_json::json;

fn ru() -> PartyCode {
    "RU".parse().expect("RU")
}

async fn send(net: &Net, subject: &str) -> String {
    let body = json!({"subject": subject, "summary": "test"});
    officer_send(net, "RU", "US", "notification", body).await
}

fn verdict_of(report: &detente_evidence::Report, id: &str, what: &str) -> (Verdict, String) {
    let found: Vec<_> = report
        .claims
        .iter()
        .filter(|c| c.subject == format!("message {id}") && c.claim == what)
        .collect();
    assert_eq!(found.len(), 1, "one {what} claim for {id}");
    (found[0].verdict, found[0].detail.clone())
}

fn recovery_file(net: &Net, name: &str, text: &str) -> std::path::PathBuf {
    let path = net.root.path().join(name);
    std::fs::write(&path, format!("{text}\n")).expect("write");
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_keys_later_signatures_are_refused_on_receipt_and_suspect_in_verify() {
    let mut net = Net::new(&["RU", "US"]);
    net.start("RU").await;
    net.start("US").await;
    let before = send(&net, "before the compromise").await;
    eventually(20, "the first delivered", || async {
        sent_delivered(&net, "RU") == 1
    })
    .await;
    let after = send(&net, "after the compromise, before the revocation").await;
    eventually(20, "the second delivered", || async {
        sent_delivered(&net, "RU") == 2
    })
    .await;
    let created = |id: &str| {
        stored(&net.node("RU"))
            .into_iter()
            .find(|m| m.message.id.to_string() == id)
            .expect("stored")
            .message
            .created_at
    };
    // The key was stolen between the two messages.
    let since = created(&after);
    assert!(created(&before) < since);
    let old_card = card_of(&net.get("RU").dir);
    assert!(
        old_card.keys().recovery.is_some(),
        "init names a recovery key"
    );
    // The thief's view: RU's old signing key and TLS identity.
    let thief = RawPeer::new(&net, "RU", "US");
    net.kill("RU").await;

    let dir = net.get("RU").dir.clone();
    let recovery = RecoveryKey::read(
        &recovery_file(&net, "ru-recovery.txt", &net.get("RU").recovery),
        &ru(),
    )
    .expect("the printed line reads back");
    let next_recovery = RecoveryKey::generate(&ru());
    let now = SystemClock.now();
    // Refused, changing nothing: another recovery key; a moment to come.
    let wrong = RecoveryKey::generate(&ru());
    let refused = revoke_keys(&dir, &wrong, since, &next_recovery, None, now);
    assert!(
        matches!(
            &refused,
            Err(detente_node::NodeError::Config {
                problem: ConfigProblem::Revocation(e),
                ..
            }) if matches!(**e, ChainError::NotRecoveryKey { .. })
        ),
        "{refused:?}"
    );
    let future = now.plus(TimeDelta::hours(1));
    let refused = revoke_keys(&dir, &recovery, future, &next_recovery, None, now);
    assert!(
        matches!(
            refused,
            Err(detente_node::NodeError::Config {
                problem: ConfigProblem::CompromiseInFuture { .. },
                ..
            })
        ),
        "{refused:?}"
    );
    assert_eq!(
        card_of(&dir),
        old_card,
        "a refused revocation changes nothing"
    );

    let change = revoke_keys(
        &dir,
        &recovery,
        since,
        &next_recovery,
        None,
        SystemClock.now(),
    )
    .expect("revoke");
    assert_eq!(change.revoked_since, Some(since));
    let new_card = card_of(&dir);
    assert_ne!(new_card.fingerprint(), old_card.fingerprint());
    assert_eq!(
        new_card.keys().recovery,
        Some(next_recovery.public()),
        "the new card names the new recovery key"
    );

    net.start("RU").await;
    eventually(20, "US takes RU's revocation", || async {
        net.node("US")
            .peers()
            .get(&ru())
            .is_some_and(|p| p.card == new_card)
    })
    .await;
    let keyring = net.node("US").keyring();
    assert!(keyring.suspect(&old_card, since).is_some());

    // The thief signs with the old key, dated after the compromise but
    // while the old card still spoke: refused, nothing stored.
    let mut forged = notification("RU", "US", "forged with the stolen key");
    forged.created_at = new_card.card().issued_at.plus(TimeDelta::milliseconds(-1));
    let forged_id = forged.id;
    let (status, answer, _) = thief.send(forged).await;
    assert_eq!(status, 403, "{answer}");
    assert_eq!(answer["type"], "urn:detente:problem:compromised-key");
    let us_stored = stored(&net.node("US"));
    assert!(!us_stored.iter().any(|m| m.message.id == forged_id));
    // Dated before the compromise, the old key still speaks.
    let mut older = notification("RU", "US", "signed before the compromise");
    older.created_at = since.plus(TimeDelta::milliseconds(-1));
    let (status, answer, _) = thief.send(older).await;
    assert_eq!(status, 200, "{answer}");

    // RU's new key works.
    let renewed = send(&net, "after the revocation").await;
    eventually(20, "the third delivered", || async {
        sent_delivered(&net, "RU") == 3
    })
    .await;

    // The evidence: the chain holds, through the recovery key; what the
    // old key signed since the compromise is SUSPECT, the rest PROVEN.
    let http = common::pinned_http(&net, "RU");
    let response = http
        .get(format!("{}/api/v1/evidence?counterparty=US", net.url("RU")))
        .bearer_auth(&net.get("RU").token)
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 200);
    let bundle = Bundle::parse(&response.bytes().await.expect("body")).expect("a bundle");
    let report = verify(&bundle, &Options::default());
    let chained: Vec<_> = report
        .claims
        .iter()
        .filter(|c| c.subject == "cards RU" && c.claim == "chained")
        .collect();
    assert_eq!(chained.len(), 1);
    assert_eq!(chained[0].verdict, Verdict::Proven, "{}", chained[0].detail);
    assert!(
        chained[0].detail.contains("revoked"),
        "{}",
        chained[0].detail
    );
    assert_eq!(verdict_of(&report, &before, "sent").0, Verdict::Proven);
    let (verdict, detail) = verdict_of(&report, &after, "sent");
    assert_eq!(verdict, Verdict::Suspect, "{detail}");
    assert!(detail.contains(&since.to_string()), "{detail}");
    assert_eq!(verdict_of(&report, &renewed, "sent").0, Verdict::Proven);
    // US's key was never revoked: its receipts stand.
    for id in [&before, &after, &renewed] {
        assert_eq!(verdict_of(&report, id, "delivered").0, Verdict::Proven);
    }
    assert_eq!(report.count(Verdict::Broken), 0, "{report}");
    assert_eq!(report.exit_code(), 4, "SUSPECT, nothing broken");
    assert!(report.to_string().contains("1 suspect"), "{report}");

    // Cut the revocation out: the chain is BROKEN, not silently trusted.
    let mut cut = bundle.clone();
    cut.card_links.clear();
    let report = verify(&cut, &Options::default());
    assert_eq!(report.exit_code(), 1);
}
