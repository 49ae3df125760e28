//! Every node witnesses its peers' logs (C2SP tlog-witness) and collects
//! cosignatures for its own; a witness refuses rollbacks, and a fork is
//! refused and raised as an alarm with its evidence.

mod common;

use common::{Net, RawPeer, eventually, officer_send, pinned_http};
use detente_log::checkpoint::{Checkpoint, SignedCheckpoint};
use detente_log::policy::Policy;
use detente_log::witness::AddCheckpointRequest;
use detente_node::keys::NodeKeys;
use serde_json::json;

async fn world() -> Net {
    let mut net = Net::new(&["RU", "US", "UN"]);
    for code in ["RU", "US", "UN"] {
        net.start(code).await;
    }
    net
}

/// RU's current checkpoint as its officers read it (with cosignatures).
async fn ru_checkpoint(net: &Net) -> String {
    let response = pinned_http(net, "RU")
        .get(format!("{}/log/checkpoint", net.url("RU")))
        .bearer_auth(&net.get("RU").token)
        .send()
        .await
        .expect("answer");
    response.text().await.expect("text")
}

async fn post_add_checkpoint(net: &Net, from: &str, to: &str, body: Vec<u8>) -> (u16, String) {
    let peer = RawPeer::new(net, from, to);
    let response = peer
        .http
        .post(format!("{}/log/add-checkpoint", net.url(to)))
        .body(body)
        .send()
        .await
        .expect("answer");
    (
        response.status().as_u16(),
        response.text().await.unwrap_or_default(),
    )
}

/// UN's witness record of RU's log (size and record), if it has one.
fn un_record_of_ru(net: &Net) -> Option<(u64, Vec<u8>)> {
    net.node("UN")
        .store()
        .witness_record("detente.RU/log/v1")
        .expect("read")
}

/// RU signs a checkpoint of its origin with its own log key.
fn ru_signs(net: &Net, size: u64, root: [u8; 32]) -> SignedCheckpoint {
    let keys = NodeKeys::load(&net.get("RU").dir).expect("keys");
    let signer =
        detente_node::log::log_signer(&"RU".parse().expect("RU"), &keys.signing).expect("signer");
    SignedCheckpoint::sign(
        Checkpoint::new("detente.RU/log/v1", size, root).expect("checkpoint"),
        &signer,
    )
    .expect("sign")
}

/// The bytes of an add-checkpoint request (old size 0, no proof) for a
/// size-1 checkpoint of `origin`, signed under that origin's name with the
/// signing key of `keys`.
fn add_checkpoint_signed_by(keys: &NodeKeys, origin: &str) -> Vec<u8> {
    let signer = detente_log::note::Ed25519Signer::from_seed(origin, &keys.signing.to_seed())
        .expect("signer");
    let checkpoint =
        SignedCheckpoint::sign(Checkpoint::new(origin, 1, [1; 32]).expect("cp"), &signer)
            .expect("sign");
    AddCheckpointRequest::new(0, vec![], checkpoint)
        .expect("request")
        .to_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peers_and_the_neutral_witness_cosign_each_checkpoint() {
    let net = world().await;
    officer_send(&net, "RU", "US", "ping", json!({})).await;
    eventually(30, "US and UN cosign RU's checkpoint", || async {
        let note = ru_checkpoint(&net).await;
        note.contains("— detente.UN/witness ") && note.contains("— detente.US/witness ")
    })
    .await;
    let note = ru_checkpoint(&net).await;
    let signed = SignedCheckpoint::parse(note.as_bytes()).expect("parses");
    // RU's own policy (2 of 2 would also hold here; the default is any 1).
    let policy =
        Policy::parse(net.node("RU").witness_policy().expect("policy").as_bytes()).expect("policy");
    let witnessed = policy.verify_checkpoint(&signed).expect("witnessed");
    let mut by: Vec<_> = witnessed
        .cosigned_by
        .iter()
        .map(|(name, _)| name.clone())
        .collect();
    by.sort();
    assert_eq!(by, ["UN", "US"]);
    // UN keeps RU's cosigned checkpoint as its witness record.
    let (size, _) = un_record_of_ru(&net).expect("record");
    assert_eq!(size, signed.checkpoint().size());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_witness_refuses_to_roll_back() {
    let net = world().await;
    for _ in 0..3 {
        officer_send(&net, "RU", "US", "ping", json!({})).await;
    }
    // RU's log: the three cards (RU, US, UN), then three pings.
    eventually(30, "UN cosigned size 6", || async {
        un_record_of_ru(&net).is_some_and(|(size, _)| size == 6)
    })
    .await;
    let current =
        SignedCheckpoint::parse(ru_checkpoint(&net).await.as_bytes()).expect("checkpoint");
    // An older, smaller checkpoint, claiming the witness knows nothing yet.
    let tree = net
        .node("RU")
        .log()
        .read(|view| view.tree.root_at(2).expect("root at 2"));
    let older = ru_signs(&net, 2, tree);
    let request = AddCheckpointRequest::new(0, vec![], older.clone()).expect("request");
    let (status, body) = post_add_checkpoint(&net, "US", "UN", request.to_bytes()).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body.trim(), "6", "the witness says the size it knows");
    // Claiming the right old size, but going backwards.
    let request = AddCheckpointRequest::new(6, vec![], older).expect("request");
    let (status, _) = post_add_checkpoint(&net, "US", "UN", request.to_bytes()).await;
    assert_eq!(status, 400);
    let (size, _) = un_record_of_ru(&net).expect("record");
    assert_eq!(size, current.checkpoint().size(), "nothing rolled back");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fork_is_refused_and_raised_as_an_alarm() {
    let net = world().await;
    officer_send(&net, "RU", "US", "ping", json!({})).await;
    // RU's log: the three cards, then the ping.
    eventually(30, "UN cosigned size 4", || async {
        un_record_of_ru(&net).is_some_and(|(size, _)| size == 4)
    })
    .await;
    // RU (or someone with its key) signs a second tree of the same size.
    let forked = ru_signs(&net, 4, [9; 32]);
    let request = AddCheckpointRequest::new(4, vec![], forked).expect("request");
    let (status, body) = post_add_checkpoint(&net, "US", "UN", request.to_bytes()).await;
    assert!(
        status == 409 || status == 422,
        "a fork is refused: {status} {body}"
    );
    let alarms = net.node("UN").store().alarms().expect("alarms");
    let alarm = alarms
        .iter()
        .find(|a| a.kind == "equivocation")
        .expect("equivocation alarm");
    assert_eq!(alarm.subject, "detente.RU/log/v1");
    let evidence = String::from_utf8_lossy(&alarm.evidence);
    assert_eq!(
        evidence.matches("detente.RU/log/v1\n4\n").count(),
        2,
        "both checkpoints kept: {evidence}"
    );
    let (size, record) = un_record_of_ru(&net).expect("record");
    assert_eq!(size, 4);
    assert!(
        !String::from_utf8_lossy(&record).contains(&base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            [9u8; 32]
        )),
        "the fork was not stored"
    );
    // The officers of UN see it.
    let status: serde_json::Value = net
        .client("UN")
        .get("/api/v1/log/status")
        .await
        .expect("status");
    assert_eq!(status["alarms"][0]["kind"], "equivocation", "{status}");
    assert_eq!(status["witnessing"][0]["origin"], "detente.RU/log/v1");
    // The same fork pushed again is refused again, but kept once.
    let (status, _) = post_add_checkpoint(&net, "US", "UN", request.to_bytes()).await;
    assert!(status == 409 || status == 422);
    let again = net.node("UN").store().alarms().expect("alarms");
    assert_eq!(again.len(), alarms.len(), "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_unknown_add_checkpoint_requests_get_the_spec_statuses() {
    let net = world().await;
    let (status, _) = post_add_checkpoint(&net, "US", "UN", b"not a request".to_vec()).await;
    assert_eq!(status, 400);
    let (status, _) =
        post_add_checkpoint(&net, "US", "UN", b"old 1\n\ndetente.XX/log/v1\n".to_vec()).await;
    assert_eq!(status, 400);
    // A well-formed checkpoint of a log UN does not know.
    let keys = NodeKeys::load(&net.get("US").dir).expect("keys");
    let request = add_checkpoint_signed_by(&keys, "detente.XX/log/v1");
    let (status, _) = post_add_checkpoint(&net, "US", "UN", request).await;
    assert_eq!(status, 404);
    // RU's origin signed by someone else's key.
    let request = add_checkpoint_signed_by(&keys, "detente.RU/log/v1");
    let (status, _) = post_add_checkpoint(&net, "US", "UN", request).await;
    assert_eq!(status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_proof_is_an_alarm_only_when_the_log_itself_sent_it() {
    let net = world().await;
    officer_send(&net, "RU", "US", "ping", json!({})).await;
    eventually(30, "UN cosigned size 4", || async {
        un_record_of_ru(&net).is_some_and(|(size, _)| size == 4)
    })
    .await;
    // A checkpoint RU signed, with a consistency proof that does not hold.
    let larger = ru_signs(&net, 7, [7; 32]);
    let request = AddCheckpointRequest::new(4, vec![[1; 32]], larger)
        .expect("request")
        .to_bytes();
    // Sent by US, it proves nothing against RU: refused, no alarm.
    let (status, _) = post_add_checkpoint(&net, "US", "UN", request.clone()).await;
    assert_eq!(status, 422);
    assert!(net.node("UN").store().alarms().expect("alarms").is_empty());
    // Sent by RU itself: refused, and kept with the proof as evidence.
    let (status, _) = post_add_checkpoint(&net, "RU", "UN", request.clone()).await;
    assert_eq!(status, 422);
    let alarms = net.node("UN").store().alarms().expect("alarms");
    assert_eq!(alarms.len(), 1, "{alarms:?}");
    assert_eq!(alarms[0].kind, "inconsistent-proof");
    assert!(
        alarms[0].evidence.ends_with(&request),
        "the request, proof included, is kept"
    );
    let (size, _) = un_record_of_ru(&net).expect("record");
    assert_eq!(size, 4, "nothing changed");
}
