//! Every node keeps a transparency log: receipts prove the recipient's
//! entry, checkpoints and tiles are served to peers and officers only, the
//! log survives restarts, and two sequencers can never fork it.

mod common;

use std::sync::Arc;

use common::{
    Net, RawPeer, card_of, eventually, officer_send, pinned_http, send_notification, show,
};
use detente_log::checkpoint::SignedCheckpoint;
use detente_log::merkle::{MemoryTree, verify_consistency};
use detente_log::tiles::decode_entry_bundle;
use detente_node::Node;
use detente_node::officer_client::{ApiCallError, OfficerClient};
use detente_proto::clock::{Clock, SystemClock};
use detente_proto::log_entry::{EntryDirection, LogEntry};
use serde_json::{Value, json};

async fn get_bytes(net: &Net, code: &str, path: &str, token: Option<&str>) -> (u16, Vec<u8>) {
    let mut request = pinned_http(net, code).get(format!("{}{path}", net.url(code)));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("answer");
    (
        response.status().as_u16(),
        response.bytes().await.expect("body").to_vec(),
    )
}

/// The whole log of `code`, read through its own tiles, and its checkpoint.
async fn read_log(net: &Net, code: &str) -> (SignedCheckpoint, Vec<Vec<u8>>) {
    let token = net.get(code).token.clone();
    let (status, note) = get_bytes(net, code, "/log/checkpoint", Some(&token)).await;
    assert_eq!(status, 200);
    let checkpoint = SignedCheckpoint::parse(&note).expect("checkpoint parses");
    let size = checkpoint.checkpoint().size();
    assert!(size < 256, "the test reads one entry bundle");
    let path = if size == 256 {
        "/log/tile/entries/000".to_owned()
    } else {
        format!("/log/tile/entries/000.p/{size}")
    };
    let (status, bundle) = get_bytes(net, code, &path, Some(&token)).await;
    assert_eq!(status, 200, "{path}");
    let entries = decode_entry_bundle(&bundle, size as u16)
        .expect("bundle")
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect();
    (checkpoint, entries)
}

fn tree_of(entries: &[Vec<u8>]) -> MemoryTree {
    let mut tree = MemoryTree::new();
    for entry in entries {
        tree.append(entry);
    }
    tree
}

#[tokio::test]
async fn receipts_prove_the_recipients_log_entry() {
    let mut net = Net::new(&["RU", "US"]);
    net.start("RU").await;
    net.start("US").await;
    let id = send_notification(&net, "RU", "US").await;
    eventually(20, "delivered", || async {
        show(&net, "RU", &id).await["state"] == "delivered"
    })
    .await;
    let at_ru = show(&net, "RU", &id).await;
    let at_us = show(&net, "US", &id).await;
    assert_eq!(
        at_ru["log_index"], 2,
        "RU's log starts with RU's and US's cards, then the message"
    );
    assert_eq!(at_ru["receipt"]["verified"], true, "{at_ru}");
    let logged = &at_ru["receipt"]["logged_at"];
    assert_eq!(logged["origin"], "detente.US/log/v1");
    assert_eq!(logged["index"], at_us["log_index"]);

    // Independently: US's log, read through its tiles, holds that entry and
    // hashes to the root US signed.
    let (checkpoint, entries) = read_log(&net, "US").await;
    let us_key = card_of(&net.get("US").dir).keys().signing;
    let verifier =
        detente_node::log::log_verifier(&"US".parse().expect("US"), &us_key).expect("verifier");
    checkpoint.verify(&[&verifier]).expect("signed by US's key");
    assert_eq!(&tree_of(&entries).root(), checkpoint.checkpoint().root());
    let index = logged["index"].as_u64().expect("index") as usize;
    let entry = LogEntry::parse(&entries[index]).expect("entry");
    assert_eq!(entry.direction, EntryDirection::Received);
    assert_eq!(entry.id, id);
    assert_eq!(entry.counterparty.as_str(), "RU");
}

#[tokio::test]
async fn the_log_is_served_to_peers_and_officers_only() {
    let mut net = Net::new(&["RU", "US"]);
    net.start("RU").await;
    officer_send(&net, "RU", "US", "ping", json!({})).await;
    let (status, _) = get_bytes(&net, "RU", "/log/checkpoint", None).await;
    assert_eq!(status, 401, "anonymous readers are refused");
    let (status, _) = get_bytes(&net, "RU", "/log/tile/0/000.p/1", None).await;
    assert_eq!(status, 401);
    let token = net.get("RU").token.clone();
    let (status, body) = get_bytes(&net, "RU", "/log/checkpoint", Some(&token)).await;
    assert_eq!(status, 200);
    assert!(
        String::from_utf8_lossy(&body).starts_with("detente.RU/log/v1\n3\n"), /* two cards, one ping */
        "{}",
        String::from_utf8_lossy(&body)
    );
    // A pinned peer may read it too.
    let us = RawPeer::new(&net, "US", "RU");
    let response = us
        .http
        .get(format!("{}/log/checkpoint", net.url("RU")))
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 200);
    // Tiles beyond the log, or malformed paths, are refused.
    let (status, _) = get_bytes(&net, "RU", "/log/tile/0/000.p/4", Some(&token)).await;
    assert_eq!(status, 404);
    let (status, _) = get_bytes(&net, "RU", "/log/tile/0/0", Some(&token)).await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn the_log_survives_restarts_and_stays_consistent() {
    let mut net = Net::new(&["RU", "US"]);
    net.start("RU").await;
    for _ in 0..3 {
        officer_send(&net, "RU", "US", "ping", json!({})).await;
    }
    let (before, old_entries) = read_log(&net, "RU").await;
    assert_eq!(before.checkpoint().size(), 5, "two cards, three pings");
    let mut cards: Vec<String> = old_entries[..2]
        .iter()
        .map(|bytes| LogEntry::parse(bytes).expect("entry"))
        .inspect(|entry| assert_eq!(entry.direction, EntryDirection::Document))
        .map(|entry| entry.id.split('/').take(2).collect::<Vec<_>>().join("/"))
        .collect();
    cards.sort();
    assert_eq!(
        cards,
        ["card/RU", "card/US"],
        "each card is logged as a document"
    );
    net.kill("RU").await;
    net.start("RU").await;
    let id = officer_send(&net, "RU", "US", "ping", json!({})).await;
    assert_eq!(
        show(&net, "RU", &id).await["log_index"],
        5,
        "the log continues where it was, without logging the cards again"
    );
    let (after, entries) = read_log(&net, "RU").await;
    assert_eq!(after.checkpoint().size(), 6);
    assert_eq!(&entries[..5], &old_entries[..], "nothing was rewritten");
    let proof = tree_of(&entries).consistency_proof(5, 6).expect("proof");
    verify_consistency(
        5,
        6,
        &proof,
        before.checkpoint().root(),
        after.checkpoint().root(),
    )
    .expect("consistent");
}

#[tokio::test]
async fn concurrent_messages_get_contiguous_indices() {
    let mut net = Net::new(&["RU", "US"]);
    net.start("RU").await;
    let client: OfficerClient = net.client("RU");
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..40 {
        let client = client.clone();
        tasks.spawn(async move {
            let message: Result<Value, ApiCallError> = client
                .post(
                    "/api/v1/messages",
                    &json!({"to": {"party": "US", "tier": "technical"}, "from_tier": "technical",
                    "kind": "goodwill", "body": {"text": format!("#{i}")}}),
                )
                .await;
            message.expect("queued")["log_index"]
                .as_u64()
                .expect("log index")
        });
    }
    let mut indices = Vec::new();
    while let Some(index) = tasks.join_next().await {
        indices.push(index.expect("task"));
    }
    indices.sort_unstable();
    assert_eq!(
        indices,
        (2..42).collect::<Vec<u64>>(),
        "after the two cards"
    );
}

#[tokio::test]
async fn two_sequencers_on_one_database_never_fork_the_log() {
    let net = Net::new(&["RU", "US"]);
    let dir = &net.get("RU").dir;
    let first = Node::open(dir, Arc::new(SystemClock)).expect("first");
    let second = Node::open(dir, Arc::new(SystemClock)).expect("second");
    let entry = |id: &str| LogEntry {
        direction: EntryDirection::Document,
        counterparty: "RU".parse().expect("RU"),
        id: id.into(),
        sha256: [1; 32],
        time: SystemClock.now(),
        peer_size: None,
    };
    assert_eq!(
        first
            .log()
            .log_document(entry("a"))
            .await
            .expect("first writes"),
        0
    );
    let refused = second.log().log_document(entry("b")).await;
    assert!(
        refused.is_err(),
        "the second sequencer's stale batch is refused"
    );
    // Having reloaded, the second continues the same log instead of forking it.
    assert_eq!(
        second
            .log()
            .log_document(entry("c"))
            .await
            .expect("after reload"),
        1
    );
    let stored = first.store().log_entries(0, 10).expect("entries");
    assert_eq!(stored.len(), 2);
    assert_eq!(LogEntry::parse(&stored[1]).expect("entry").id, "c");
}
