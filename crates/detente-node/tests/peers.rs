//! Trusting peers: fingerprint confirmation, card expiry, and HTTP details
//! of the surfaces peers and officers meet first.

mod common;

use chrono::TimeDelta;
use common::{Net, RawPeer, card_of, notification, pinned_http, stored};
use detente_node::config::NodeConfig;
use detente_node::keys::NodeKeys;
use detente_node::peers::add_peer;
use detente_proto::card::PartyCard;
use detente_proto::clock::{Clock, SystemClock};
use detente_store::PeerRecord;

/// US's card, re-issued with a validity that ended an hour ago.
fn expired_us_card(net: &Net) -> detente_proto::card::SignedCard {
    let us = net.get("US");
    let keys = NodeKeys::load(&us.dir).expect("keys");
    let now = SystemClock.now();
    let card = PartyCard {
        issued_at: now.plus(TimeDelta::hours(-2)),
        valid_until: Some(now.plus(TimeDelta::hours(-1))),
        ..card_of(&us.dir).card().clone()
    };
    card.sign(&keys.signing).expect("sign")
}

#[tokio::test]
async fn a_wrong_fingerprint_is_refused_without_revealing_the_right_one() {
    let net = Net::new(&["RU", "US", "UN"]);
    let ru = net.get("RU");
    let config = NodeConfig::load(&ru.dir).expect("config");
    let store = detente_node::node::open_store(&ru.dir, &config).expect("store");
    let un_card = card_of(&net.get("UN").dir);
    let us_card = card_of(&net.get("US").dir);
    let error = add_peer(
        store.as_ref(),
        &config.party,
        un_card.bytes(),
        &us_card.fingerprint(),
        SystemClock.now(),
    )
    .expect_err("mismatch");
    let text = error.to_string();
    assert!(text.contains("does not have the fingerprint"), "{text}");
    assert!(
        !text.contains(&un_card.fingerprint().to_string()),
        "the real fingerprint must not be shown: {text}"
    );
}

#[tokio::test]
async fn an_expired_card_is_not_added() {
    let net = Net::new(&["RU", "US"]);
    let ru = net.get("RU");
    let config = NodeConfig::load(&ru.dir).expect("config");
    let store = detente_node::node::open_store(&ru.dir, &config).expect("store");
    let card = expired_us_card(&net);
    let error = add_peer(
        store.as_ref(),
        &config.party,
        card.bytes(),
        &card.fingerprint(),
        SystemClock.now(),
    )
    .expect_err("expired");
    assert!(error.to_string().contains("expired"), "{error}");
}

#[tokio::test]
async fn envelopes_from_a_party_whose_card_expired_are_refused() {
    let mut net = Net::new(&["RU", "US"]);
    // RU holds an expired card for US (e.g. it ran out since it was added).
    let ru = net.get("RU");
    let config = NodeConfig::load(&ru.dir).expect("config");
    let store = detente_node::node::open_store(&ru.dir, &config).expect("store");
    let card = expired_us_card(&net);
    store
        .upsert_peer(&PeerRecord {
            party: "US".parse().expect("US"),
            card: card.bytes().to_vec(),
            fingerprint: card.fingerprint(),
            tls_spki_sha256: card.keys().tls_spki_sha256,
            added_at: SystemClock.now(),
        })
        .expect("store card");
    drop(store);
    net.start("RU").await;
    let (status, body, _) = RawPeer::new(&net, "US", "RU")
        .send(notification("US", "RU", "late card"))
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["type"], "urn:detente:problem:card-expired");
    assert!(stored(&net.node("RU")).is_empty());
}

#[tokio::test]
async fn wrong_methods_get_a_problem_and_the_bearer_scheme_is_case_insensitive() {
    let mut net = Net::new(&["RU", "US"]);
    net.start("RU").await;
    let n = net.get("RU");
    let http = pinned_http(&net, "RU");
    let response = http
        .delete(format!("{}/api/v1/messages", net.url("RU")))
        .bearer_auth(&n.token)
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 405);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let response = http
        .get(format!("{}/api/v1/messages", net.url("RU")))
        .header("authorization", format!("bearer {}", n.token))
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 200);
}

#[test]
fn init_makes_the_node_directory_private() {
    use std::os::unix::fs::PermissionsExt;
    let net = Net::new(&["RU"]);
    let dir = &net.get("RU").dir;
    let mode = |path: std::path::PathBuf| {
        std::fs::metadata(&path)
            .expect("exists")
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(dir.clone()), 0o700);
    assert_eq!(mode(dir.join("keys")), 0o700);
    assert_eq!(mode(dir.join("detente.db")), 0o600);
    for key in ["signing.key", "encryption.key", "tls.key", "tls.crt"] {
        assert_eq!(mode(dir.join("keys").join(key)), 0o600, "{key}");
    }
}
