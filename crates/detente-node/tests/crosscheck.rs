//! Cross-checking: a node reads its peers' logs and matches them against
//! what it sent and received; a missing or mismatched entry is an alarm.

mod common;

use common::{Net, RawPeer, eventually, notification, officer_send, show};
use detente_proto::clock::{Clock, SystemClock};
use detente_proto::log_entry::{EntryDirection, LogEntry};
use serde_json::json;

async fn world() -> Net {
    let mut net = Net::new(&["RU", "US"]);
    net.start("RU").await;
    net.start("US").await;
    net
}

async fn crosscheck(net: &Net, at: &str, peer: &str) -> usize {
    let node = net.node(at);
    let peer = node
        .peers()
        .get(&peer.parse().expect("party"))
        .expect("peer");
    node.crosscheck(&peer).await.expect("cross-check ran")
}

fn alarm_kinds(net: &Net, at: &str) -> Vec<String> {
    net.node(at)
        .store()
        .alarms()
        .expect("alarms")
        .into_iter()
        .map(|a| a.kind)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn honest_logs_match_and_raise_nothing() {
    let net = world().await;
    let a = officer_send(
        &net,
        "RU",
        "US",
        "notification",
        json!({"subject": "s", "summary": "s"}),
    )
    .await;
    let b = officer_send(&net, "US", "RU", "ping", json!({})).await;
    eventually(20, "both delivered", || async {
        show(&net, "RU", &a).await["state"] == "delivered"
            && show(&net, "US", &b).await["state"] == "delivered"
    })
    .await;
    assert_eq!(crosscheck(&net, "RU", "US").await, 0);
    assert_eq!(crosscheck(&net, "US", "RU").await, 0);
    assert!(alarm_kinds(&net, "RU").is_empty() && alarm_kinds(&net, "US").is_empty());
    // What RU saw of US's log is recorded in RU's next entry about US.
    let seen = net
        .node("US")
        .log()
        .checkpoint()
        .expect("US checkpoint")
        .size;
    let c = officer_send(&net, "RU", "US", "ping", json!({})).await;
    let index = show(&net, "RU", &c).await["log_index"]
        .as_u64()
        .expect("index");
    let entry = net
        .node("RU")
        .store()
        .log_entries(index, index + 1)
        .expect("entry");
    assert_eq!(
        LogEntry::parse(&entry[0]).expect("entry").peer_size,
        Some(seen)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fabricated_receipt_entry_raises_an_alarm() {
    let net = world().await;
    // US logs that it received from RU a message RU never sent.
    let forged = LogEntry {
        direction: EntryDirection::Received,
        counterparty: "RU".parse().expect("RU"),
        id: "01937b2e-8f00-7000-8000-00000000abcd".into(),
        sha256: [5; 32],
        time: SystemClock.now(),
        peer_size: None,
    };
    net.node("US")
        .log()
        .log_document(forged)
        .await
        .expect("logged");
    // The node's own background round may have read US's log first and
    // raised the alarm itself; either way it is raised exactly once.
    let raised_here = crosscheck(&net, "RU", "US").await;
    assert!(raised_here <= 1, "{raised_here} alarms for one entry");
    assert_eq!(alarm_kinds(&net, "RU"), ["unknown-entry"]);
    // Raised once, not at every round.
    assert_eq!(crosscheck(&net, "RU", "US").await, 0);
    let status: serde_json::Value = net
        .client("RU")
        .get("/api/v1/log/status")
        .await
        .expect("status");
    assert_eq!(status["alarms"][0]["subject"], "detente.US/log/v1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_the_sender_never_logged_raises_an_alarm() {
    let mut net = Net::new(&["RU", "US"]);
    // No grace: RU expects US's "sent" entry as soon as it has the message.
    let dir = net.get("RU").dir.clone();
    let mut config = detente_node::config::NodeConfig::load(&dir).expect("config");
    config.log.crosscheck_grace = std::time::Duration::ZERO;
    std::fs::write(dir.join("detente.toml"), config.to_toml()).expect("config");
    net.start("RU").await;
    net.start("US").await;
    // US's key signs an envelope that bypasses US's node, and so its log.
    let (status, _, _) = RawPeer::new(&net, "US", "RU")
        .send(notification("US", "RU", "off the record"))
        .await;
    assert_eq!(status, 200);
    officer_send(&net, "US", "RU", "ping", json!({})).await; // US's log is not empty.
    // A round (this test's, or the background task's at start) raises it,
    // once: no round raises more than one.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while alarm_kinds(&net, "RU").is_empty() {
        assert!(crosscheck(&net, "RU", "US").await <= 1);
        assert!(std::time::Instant::now() < deadline, "no alarm within 30 s");
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(alarm_kinds(&net, "RU"), ["unlogged-sent"]);
    assert_eq!(crosscheck(&net, "RU", "US").await, 0, "raised once");
}
