//! Every way a hostile or broken peer can send a bad envelope is refused
//! with a typed problem, nothing is stored, and the node keeps serving.

mod common;

use base64::Engine as _;
use chrono::TimeDelta;
use common::{Net, RawPeer, init, notification, pinned_http, stored};
use detente_proto::canonical::to_canonical_bytes;
use detente_proto::clock::{Clock, SystemClock};
use detente_proto::signing::{Domain, PartySigningKey};
use serde_json::{Value, json};

async fn world() -> Net {
    let mut net = Net::new(&["RU", "US", "UN"]);
    net.start("RU").await;
    net
}

/// The refusal is the expected problem, RU stored nothing, and RU still
/// accepts a good envelope from US afterwards.
async fn assert_refused(net: &Net, answer: (u16, Value, Vec<u8>), status: u16, problem: &str) {
    let (got_status, body, _) = answer;
    assert_eq!(got_status, status, "status; problem: {body}");
    assert_eq!(
        body["type"],
        format!("urn:detente:problem:{problem}"),
        "problem: {body}"
    );
    assert!(
        !body["detail"].as_str().unwrap_or("").is_empty(),
        "a detail says what was wrong"
    );
    let before = stored(&net.node("RU"));
    assert!(
        before.iter().all(|m| m.message.headline == "still serving"),
        "nothing but the good envelopes is stored after a refusal"
    );
    let (ok, receipt, _) = RawPeer::new(net, "US", "RU")
        .send(notification("US", "RU", "still serving"))
        .await;
    assert_eq!(ok, 200, "the node keeps serving: {receipt}");
    assert_eq!(stored(&net.node("RU")).len(), before.len() + 1);
}

#[tokio::test]
async fn forged_signature_is_refused() {
    let net = world().await;
    let us = RawPeer::new(&net, "US", "RU");
    let envelope = notification("US", "RU", "forged");
    let forger = PartySigningKey::generate(&mut rand::thread_rng());
    let signed = envelope.clone().sign(&forger);
    let sealed = us.seal(signed.bytes(), envelope.id, "US", "RU", SystemClock.now());
    let answer = us.post(&sealed).await;
    assert!(
        answer.1["detail"].as_str().unwrap_or("").contains("key_id"),
        "{}",
        answer.1
    );
    assert_refused(&net, answer, 403, "bad-signature").await;
}

#[tokio::test]
async fn forged_signature_with_the_right_key_id_is_refused() {
    let net = world().await;
    let us = RawPeer::new(&net, "US", "RU");
    let envelope = notification("US", "RU", "tampered after signing");
    let signed = envelope.clone().sign(&us.keys.signing);
    // Flip the subject after signing: the signature no longer covers the bytes.
    let tampered = String::from_utf8(signed.bytes().to_vec())
        .expect("utf8")
        .replace("tampered after signing", "tampered AFTER signing");
    let sealed = us.seal(
        tampered.as_bytes(),
        envelope.id,
        "US",
        "RU",
        SystemClock.now(),
    );
    let answer = us.post(&sealed).await;
    assert!(
        answer.1["detail"]
            .as_str()
            .unwrap_or("")
            .contains("does not verify"),
        "{}",
        answer.1
    );
    assert_refused(&net, answer, 403, "bad-signature").await;
}

#[tokio::test]
async fn envelope_claiming_another_sender_is_refused() {
    let net = world().await;
    let us = RawPeer::new(&net, "US", "RU");
    // US signs an envelope that claims to come from UN, and sends it as itself.
    let envelope = notification("UN", "RU", "impersonation");
    let signed = envelope.clone().sign(&us.keys.signing);
    let sealed = us.seal(signed.bytes(), envelope.id, "US", "RU", SystemClock.now());
    assert_refused(&net, us.post(&sealed).await, 403, "header-mismatch").await;
    // Or claims UN in the sealed header too: TLS says it is US.
    let sealed = us.seal(signed.bytes(), envelope.id, "UN", "RU", SystemClock.now());
    assert_refused(&net, us.post(&sealed).await, 403, "sender-mismatch").await;
}

#[tokio::test]
async fn envelope_signed_by_one_party_relayed_as_another_fails_verification() {
    let net = world().await;
    // UN relays an envelope that says it is from UN but was signed with US's key.
    let un = RawPeer::new(&net, "UN", "RU");
    let us_keys = detente_node::keys::NodeKeys::load(&net.get("US").dir).expect("US keys");
    let envelope = notification("UN", "RU", "signed by US");
    let signed = envelope.clone().sign(&us_keys.signing);
    let sealed = un.seal(signed.bytes(), envelope.id, "UN", "RU", SystemClock.now());
    assert_refused(&net, un.post(&sealed).await, 403, "bad-signature").await;
}

#[tokio::test]
async fn envelope_from_an_unknown_party_is_refused() {
    let net = world().await;
    let ru = net.node("RU");
    // A party RU never added. (Over the network its TLS certificate is already
    // refused; this checks the envelope layer holds on its own.)
    let stranger = init(net.root.path(), "CN");
    let cn = RawPeer::from_dir(&stranger.dir, "CN", &net.get("RU").dir, &net.url("RU"));
    let envelope = notification("CN", "RU", "from nowhere");
    let signed = envelope.clone().sign(&cn.keys.signing);
    let sealed = cn.seal(signed.bytes(), envelope.id, "CN", "RU", SystemClock.now());
    let body = serde_json::to_vec(&sealed).expect("json");
    let error = ru
        .receive(Some("CN".parse().expect("party")), body)
        .await
        .expect_err("unknown party refused");
    assert_eq!(error.to_string(), "CN is not a known party of this node");
    assert!(stored(&ru).is_empty());
}

#[tokio::test]
async fn envelope_addressed_to_another_party_is_refused() {
    let net = world().await;
    let us = RawPeer::new(&net, "US", "RU");
    let envelope = notification("US", "UN", "meant for UN");
    let signed = envelope.clone().sign(&us.keys.signing);
    // Header says UN: refused before opening.
    let sealed = us.seal(signed.bytes(), envelope.id, "US", "UN", SystemClock.now());
    assert_refused(&net, us.post(&sealed).await, 421, "misaddressed").await;
    // Header says RU, envelope inside says UN.
    let sealed = us.seal(signed.bytes(), envelope.id, "US", "RU", SystemClock.now());
    assert_refused(&net, us.post(&sealed).await, 421, "misaddressed").await;
}

#[tokio::test]
async fn replayed_id_is_refused_but_a_retransmission_gets_the_same_receipt() {
    let net = world().await;
    let us = RawPeer::new(&net, "US", "RU");
    let original = notification("US", "RU", "original");
    let signed = original.clone().sign(&us.keys.signing);
    let first = us
        .post(&us.seal(signed.bytes(), original.id, "US", "RU", SystemClock.now()))
        .await;
    assert_eq!(first.0, 200);
    // The same envelope again (a lost answer, say): same receipt, nothing new stored.
    let again = us
        .post(&us.seal(signed.bytes(), original.id, "US", "RU", SystemClock.now()))
        .await;
    assert_eq!(again.0, 200);
    assert_eq!(again.2, first.2, "the original receipt bytes");
    assert_eq!(stored(&net.node("RU")).len(), 1);
    // Other content under the used id: a replay.
    let mut replay = notification("US", "RU", "different content");
    replay.id = original.id;
    let answer = us.send(replay).await;
    assert_eq!(answer.0, 409, "{}", answer.1);
    assert_eq!(answer.1["type"], "urn:detente:problem:replay");
    let kept = stored(&net.node("RU"));
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].message.headline, "original");
}

#[tokio::test]
async fn timestamps_outside_the_skew_are_refused() {
    let net = world().await;
    let us = RawPeer::new(&net, "US", "RU");
    let envelope = notification("US", "RU", "late");
    let signed = envelope.clone().sign(&us.keys.signing);
    let three_hours_ahead = SystemClock.now().plus(TimeDelta::hours(3));
    let sealed = us.seal(signed.bytes(), envelope.id, "US", "RU", three_hours_ahead);
    let answer = us.post(&sealed).await;
    let detail = answer.1["detail"].as_str().unwrap_or("").to_owned();
    assert!(
        detail.contains("sealed.sent_at") && detail.contains("in the future"),
        "{detail}"
    );
    assert_refused(&net, answer, 422, "clock-skew").await;

    let stale = SystemClock.now().plus(TimeDelta::hours(-1));
    let sealed = us.seal(signed.bytes(), envelope.id, "US", "RU", stale);
    assert_refused(&net, us.post(&sealed).await, 422, "clock-skew").await;

    let mut future = notification("US", "RU", "from the future");
    future.created_at = three_hours_ahead;
    let answer = us.send(future).await;
    assert!(
        answer.1["detail"]
            .as_str()
            .unwrap_or("")
            .contains("envelope.created_at"),
        "{}",
        answer.1
    );
    assert_eq!(answer.0, 422);
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let net = world().await;
    let us = RawPeer::new(&net, "US", "RU");
    // Transport body over the sealed limit.
    let answer = us.post_raw(vec![b'x'; 3 * 1024 * 1024]).await;
    assert_refused(&net, answer, 413, "too-large").await;
    // A sealed body within the transport limit, whose envelope is over 1 MiB.
    let mut big = notification("US", "RU", "big");
    if let detente_proto::body::Body::Notification(n) = &mut big.body {
        n.summary = "x".repeat(1024 * 1024 + 500);
    }
    let answer = us.send(big).await;
    assert!(
        answer.1["detail"]
            .as_str()
            .unwrap_or("")
            .contains("1048576"),
        "{}",
        answer.1
    );
    assert_refused(&net, answer, 413, "too-large").await;
}

#[tokio::test]
async fn malformed_json_is_refused() {
    let net = world().await;
    let us = RawPeer::new(&net, "US", "RU");
    assert_refused(
        &net,
        us.post_raw(b"{\"v\":1,".to_vec()).await,
        422,
        "invalid-field",
    )
    .await;
    // Valid sealing around bytes that are not JSON.
    let envelope = notification("US", "RU", "x");
    let sealed = us.seal(
        b"not json at all",
        envelope.id,
        "US",
        "RU",
        SystemClock.now(),
    );
    assert_refused(&net, us.post(&sealed).await, 400, "malformed-json").await;
}

#[tokio::test]
async fn non_canonical_json_is_refused_even_when_signed() {
    let net = world().await;
    let us = RawPeer::new(&net, "US", "RU");
    let envelope = notification("US", "RU", "pretty printed");
    // Sign the pretty-printed (non-canonical) bytes: the signature is valid
    // over them, but detente signs and verifies only RFC 8785 bytes.
    let pretty = serde_json::to_vec_pretty(&envelope.to_value()).expect("json");
    let signature = us.keys.signing.sign(Domain::Envelope, &pretty);
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut wrapper = Vec::new();
    wrapper.extend_from_slice(b"{\"envelope\":");
    wrapper.extend_from_slice(&pretty);
    wrapper.extend_from_slice(
        format!(
            ",\"key_id\":\"{}\",\"signature\":\"{}\"}}",
            us.keys.signing.key_id(),
            b64.encode(signature)
        )
        .as_bytes(),
    );
    let sealed = us.seal(&wrapper, envelope.id, "US", "RU", SystemClock.now());
    let answer = us.post(&sealed).await;
    assert!(
        answer.1["detail"]
            .as_str()
            .unwrap_or("")
            .contains("RFC 8785"),
        "{}",
        answer.1
    );
    assert_refused(&net, answer, 400, "not-canonical").await;
}

#[tokio::test]
async fn unknown_kind_is_refused() {
    let net = world().await;
    let us = RawPeer::new(&net, "US", "RU");
    let envelope = notification("US", "RU", "gossip");
    let mut value = envelope.to_value();
    value["kind"] = json!("gossip");
    let bytes = us.keys.signing.sign_document(Domain::Envelope, &value);
    assert_eq!(
        bytes,
        to_canonical_bytes(&serde_json::from_slice::<Value>(&bytes).expect("json"))
    );
    let sealed = us.seal(&bytes, envelope.id, "US", "RU", SystemClock.now());
    let answer = us.post(&sealed).await;
    assert!(
        answer.1["detail"]
            .as_str()
            .unwrap_or("")
            .contains("unknown message kind \"gossip\""),
        "{}",
        answer.1
    );
    assert_refused(&net, answer, 422, "unknown-kind").await;
}

#[tokio::test]
async fn unknown_body_member_is_refused_with_its_path() {
    let net = world().await;
    let us = RawPeer::new(&net, "US", "RU");
    let envelope = notification("US", "RU", "extra");
    let mut value = envelope.to_value();
    value["body"]["exploit"] = json!("payload");
    let bytes = us.keys.signing.sign_document(Domain::Envelope, &value);
    let sealed = us.seal(&bytes, envelope.id, "US", "RU", SystemClock.now());
    let answer = us.post(&sealed).await;
    assert_eq!(answer.1["field"], "envelope.body.exploit", "{}", answer.1);
    assert_refused(&net, answer, 422, "invalid-field").await;
}

#[tokio::test]
async fn unpinned_tls_client_certificate_is_refused_at_the_handshake() {
    let net = world().await;
    let stranger = init(net.root.path(), "CN");
    let cn = RawPeer::from_dir(&stranger.dir, "CN", &net.get("RU").dir, &net.url("RU"));
    let result = cn.http.post(&cn.url).body("{}").send().await;
    assert!(
        result.is_err(),
        "an unpinned certificate must not get an HTTP answer"
    );
    assert!(stored(&net.node("RU")).is_empty());
    let (ok, _, _) = RawPeer::new(&net, "US", "RU")
        .send(notification("US", "RU", "after"))
        .await;
    assert_eq!(ok, 200, "the node keeps serving");
}

#[tokio::test]
async fn peer_api_without_a_client_certificate_is_refused() {
    let net = world().await;
    let ru_card = common::card_of(&net.get("RU").dir);
    let anonymous = pinned_http(&net, "RU");
    let response = anonymous
        .post(format!("{}/peer/v1/envelopes", net.url("RU")))
        .body("{}")
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.expect("problem");
    assert_eq!(body["type"], "urn:detente:problem:not-a-peer");
    // The card is public.
    let card = anonymous
        .get(format!("{}/peer/v1/card", net.url("RU")))
        .send()
        .await
        .expect("answer")
        .bytes()
        .await
        .expect("card");
    assert_eq!(card.as_ref(), ru_card.bytes());
}
