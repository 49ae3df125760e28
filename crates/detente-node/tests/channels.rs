//! Channel status: a signed `channel-status` suspends a channel for both
//! sides until the party that suspended it resumes it.

mod common;

use common::{Net, RawPeer, eventually, notification, officer_call, show};
use serde_json::{Value, json};

fn message(to: &str, kind: &str, body: Value) -> Value {
    json!({"to": {"party": to, "tier": "operational"}, "from_tier": "operational", "kind": kind, "body": body})
}

async fn send(net: &Net, from: &str, to: &str, kind: &str, body: Value) -> (u16, Value) {
    officer_call(
        net,
        from,
        "POST",
        "/api/v1/messages",
        Some(message(to, kind, body)),
    )
    .await
}

async fn delivered(net: &Net, code: &str, id: &str) {
    eventually(30, "delivered", || async {
        show(net, code, id).await["state"] == "delivered"
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suspended_channel_refuses_everything_but_channel_status_on_both_sides() {
    let mut net = Net::new(&["RU", "US"]);
    net.start("RU").await;
    net.start("US").await;
    let notice = json!({"subject": "s", "summary": "s"});

    let (status, suspended) = send(
        &net,
        "RU",
        "US",
        "channel-status",
        json!({"status": "suspended", "reason": "Investigating a compromise of our gateway"}),
    )
    .await;
    assert_eq!(status, 202, "{suspended}");
    let id = suspended["id"].as_str().expect("id").to_owned();
    delivered(&net, "RU", &id).await;

    // Both sides see it.
    for (code, peer) in [("RU", "US"), ("US", "RU")] {
        let (_, channels) = officer_call(&net, code, "GET", "/api/v1/channels", None).await;
        let channel = &channels["channels"][0];
        assert_eq!(channel["party"], peer, "{channels}");
        assert_eq!(channel["status"], "suspended", "{channels}");
        assert_eq!(channel["suspended_by"][0]["by"], "RU");
        assert_eq!(channel["suspended_by"][0]["message"], id.as_str());
    }
    // Neither side may send on it, at compose …
    for (from, to) in [("RU", "US"), ("US", "RU")] {
        let (status, problem) = send(&net, from, to, "notification", notice.clone()).await;
        assert_eq!(status, 409, "{problem}");
        assert_eq!(problem["type"], "urn:detente:problem:channel-suspended");
        let detail = problem["detail"].as_str().expect("detail");
        assert!(
            detail.contains(&format!("the channel with {to} is suspended by RU")),
            "{detail}"
        );
        assert!(detail.contains("Investigating a compromise"), "{detail}");
    }
    // … nor does RU accept one from US.
    let us = RawPeer::new(&net, "US", "RU");
    let (status, problem, _) = us.send(notification("US", "RU", "during suspension")).await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["type"], "urn:detente:problem:channel-suspended");

    // RU resumes; the channel carries messages again.
    let (status, resumed) = send(
        &net,
        "RU",
        "US",
        "channel-status",
        json!({"status": "active", "reason": "Gateway restored"}),
    )
    .await;
    assert_eq!(status, 202, "{resumed}");
    delivered(&net, "RU", resumed["id"].as_str().expect("id")).await;
    let (status, sent) = send(&net, "US", "RU", "notification", notice).await;
    assert_eq!(status, 202, "{sent}");
    let (_, channels) = officer_call(&net, "US", "GET", "/api/v1/channels", None).await;
    assert_eq!(channels["channels"][0]["status"], "active", "{channels}");
}
