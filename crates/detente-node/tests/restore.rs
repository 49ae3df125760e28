//! A backup restored after the log moved on: the node signs nothing, names
//! the missing entries, and no witness ever sees two roots for one size.

mod common;

use common::{Net, eventually, officer_call, send_notification, show, stored};
use detente_node::backup::{backup, restore};
use detente_node::log::guard::{Hold, Standing};
use detente_proto::clock::{Clock, SystemClock};
use detente_store::{Direction, MessageState};

fn ru_size(net: &Net) -> u64 {
    net.node("RU").log().checkpoint().map_or(0, |c| c.size)
}

fn us_holds_of_ru(net: &Net) -> u64 {
    net.node("US")
        .store()
        .witness_record("detente.RU/log/v1")
        .expect("record")
        .map_or(0, |(size, _)| size)
}

fn no_equivocation(net: &Net, code: &str) {
    let alarms = net.node(code).store().alarms().expect("alarms");
    assert!(
        alarms
            .iter()
            .all(|a| a.kind != "equivocation" && a.kind != "inconsistent-proof"),
        "{code}: {alarms:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_node_signs_nothing_and_names_what_is_missing() {
    let mut net = Net::new(&["RU", "US"]);
    net.start("RU").await;
    net.start("US").await;
    let first = send_notification(&net, "US", "RU").await;
    eventually(20, "delivered and witnessed", || async {
        show(&net, "US", &first).await["state"] == "delivered"
            && us_holds_of_ru(&net) == ru_size(&net)
    })
    .await;
    let dir = net.get("RU").dir.clone();
    let file = net.root.path().join("ru.db");
    let manifest = backup(&dir, &file, SystemClock.now()).expect("backup");

    // 50 more messages, both ways, all witnessed.
    let mut later = Vec::new();
    for i in 0..50 {
        let (from, to) = if i % 2 == 0 {
            ("US", "RU")
        } else {
            ("RU", "US")
        };
        later.push((from, send_notification(&net, from, to).await));
    }
    eventually(60, "the 50 delivered and witnessed", || async {
        let delivered = |code: &str| {
            stored(&net.node(code))
                .iter()
                .filter(|m| {
                    m.message.direction == Direction::Sent && m.state == MessageState::Delivered
                })
                .count()
        };
        delivered("US") == 26 && delivered("RU") == 25 && us_holds_of_ru(&net) == ru_size(&net)
    })
    .await;
    let signed = ru_size(&net);
    assert!(
        signed >= manifest.log_size + 50,
        "{signed} vs {}",
        manifest.log_size
    );
    net.kill("RU").await;

    // 1. The backup copied over the database by hand: the high-water mark
    //    holds the log at once, before any witness is asked.
    //    (A new file renamed over it: the killed node's connection may
    //    still write to the one it had open.)
    let by_hand = dir.join("by-hand.db");
    std::fs::copy(&file, &by_hand).expect("copy");
    std::fs::rename(&by_hand, dir.join("detente.db")).expect("over");
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.join(format!("detente.db{suffix}")));
    }
    net.start("RU").await;
    match net.node("RU").log().standing() {
        Standing::Held(Hold::Behind {
            by,
            signed: s,
            stored,
            ..
        }) => {
            assert_eq!(
                (by.as_str(), s, stored),
                ("the high-water mark", signed, manifest.log_size)
            );
        }
        other => panic!("{other:?}"),
    }
    net.kill("RU").await;

    // 2. Restored properly: no mark, so RU waits for US, which holds more.
    let restored = restore(&dir, &file, SystemClock.now()).expect("restore");
    assert_eq!(restored.manifest, manifest);
    assert!(restored.kept.is_some(), "the replaced database is kept");
    assert!(!dir.join("log.signed").exists());
    net.start("RU").await;
    eventually(20, "US says RU's log is behind", || async {
        matches!(
            net.node("RU").log().standing(),
            Standing::Held(Hold::Behind { .. })
        )
    })
    .await;
    let (status, log) = officer_call(&net, "RU", "GET", "/api/v1/log/status", None).await;
    assert_eq!(status, 200);
    assert_eq!(log["held"]["reason"], "behind", "{log}");
    let detail = log["held"]["detail"].as_str().expect("detail");
    assert!(
        detail.contains(&format!(
            "US holds a checkpoint of size {signed} that this node signed: entries {} to {} are missing",
            manifest.log_size,
            signed - 1
        )),
        "{detail}"
    );
    assert!(
        log["alarms"]
            .as_array()
            .expect("alarms")
            .iter()
            .any(|a| a["kind"] == "log-behind"),
        "{log}"
    );
    let (status, ready) = officer_call(&net, "RU", "GET", "/readyz", None).await;
    assert_eq!(status, 503, "{ready}");

    // It signs nothing: an officer's message is refused (try again), and
    // a peer's delivery waits in the peer's queue.
    let (status, problem) = officer_call(
        &net,
        "RU",
        "POST",
        "/api/v1/messages",
        Some(
            serde_json::json!({"to": {"party": "US", "tier": "technical"}, "from_tier": "technical",
            "kind": "notification", "body": {"subject": "s", "summary": "s"}}),
        ),
    )
    .await;
    assert_eq!(status, 503, "{problem}");
    assert_eq!(problem["reason"], "log-held", "{problem}");
    let waiting = send_notification(&net, "US", "RU").await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(show(&net, "US", &waiting).await["state"], "queued");
    assert_eq!(
        ru_size(&net),
        manifest.log_size,
        "nothing signed since the restore"
    );

    // No witness ever saw two roots for one size.
    no_equivocation(&net, "US");
    no_equivocation(&net, "RU");
}
