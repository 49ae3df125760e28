//! A backup restored after the log moved on: the node signs nothing, names
//! the missing entries, and no witness ever sees two roots for one size.

mod common;

use common::{
    Net, RawPeer, all_delivered, eventually, officer_call, pinned_http, send_notification, show,
    stored,
};
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

/// What a test restores: the backup, where it is, and the log size signed
/// after it.
struct Restorable {
    manifest: detente_node::backup::BackupManifest,
    file: std::path::PathBuf,
    signed: u64,
}

/// A backup of RU, then 50 more messages both ways, all delivered and
/// witnessed by US.
async fn backup_then_fifty_messages(net: &Net) -> Restorable {
    let first = send_notification(net, "US", "RU").await;
    eventually(20, "delivered and witnessed", || async {
        show(net, "US", &first).await["state"] == "delivered" && us_holds_of_ru(net) == ru_size(net)
    })
    .await;
    let dir = net.get("RU").dir.clone();
    let file = net.root.path().join("ru.db");
    let manifest = backup(&dir, &file, SystemClock.now()).expect("backup");
    for i in 0..50 {
        let (from, to) = if i % 2 == 0 {
            ("US", "RU")
        } else {
            ("RU", "US")
        };
        send_notification(net, from, to).await;
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
        delivered("US") == 26 && delivered("RU") == 25 && us_holds_of_ru(net) == ru_size(net)
    })
    .await;
    let signed = ru_size(net);
    assert!(
        signed >= manifest.log_size + 50,
        "{signed} vs {}",
        manifest.log_size
    );
    Restorable {
        manifest,
        file,
        signed,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_node_signs_nothing_and_names_what_is_missing() {
    let mut net = Net::new(&["RU", "US"]);
    // US reads RU's log once, at start: its copy never holds what RU
    // signs after the backup, so there is nothing to recover from.
    net.configure("US", |c| {
        c.log.crosscheck_every = std::time::Duration::from_secs(3600);
    });
    net.start("RU").await;
    net.start("US").await;
    let Restorable {
        manifest,
        file,
        signed,
    } = backup_then_fifty_messages(&net).await;
    let dir = net.get("RU").dir.clone();
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
    // Held from the start (US, asked at once, may already have said the
    // same); the mark's own alarm is raised before anything is asked.
    match net.node("RU").log().standing() {
        Standing::Held(Hold::Behind {
            signed: s, stored, ..
        }) => assert_eq!((s, stored), (signed, manifest.log_size)),
        other => panic!("{other:?}"),
    }
    let by_the_mark = format!("the high-water mark holds a checkpoint of size {signed}");
    assert!(
        net.node("RU")
            .store()
            .alarms()
            .expect("alarms")
            .iter()
            .any(|a| a.kind == "log-behind" && a.detail.contains(&by_the_mark)),
        "the mark held the log"
    );
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
    // It looked for the missing entries, and says where.
    let missing = format!(
        "no peer holds entries {} to {} of this log (asked: US)",
        manifest.log_size,
        signed - 1
    );
    eventually(20, "RU says it could not recover", || async {
        let (_, log) = officer_call(&net, "RU", "GET", "/api/v1/log/status", None).await;
        log["held"]["recovery"]
            .as_str()
            .is_some_and(|r| r.contains(&missing))
    })
    .await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_node_recovers_its_missing_entries_from_its_peers_copy() {
    let mut net = Net::new(&["RU", "US"]);
    net.start("RU").await;
    net.start("US").await;
    let Restorable {
        manifest,
        file,
        signed,
    } = backup_then_fifty_messages(&net).await;
    let ru: detente_proto::ids::PartyCode = "RU".parse().expect("RU");
    let us: detente_proto::ids::PartyCode = "US".parse().expect("US");

    // US's cross-check copies RU's log as it reads it.
    let peer = net.node("US").peers().get(&ru).expect("RU");
    net.node("US").crosscheck(&peer).await.expect("cross-check");
    assert_eq!(
        net.node("US")
            .store()
            .log_copy_size("detente.RU/log/v1")
            .expect("copy"),
        signed
    );
    let entries = net
        .node("RU")
        .store()
        .log_entries(0, signed)
        .expect("entries");

    // US serves RU the copy of RU's own log as entry bundles (C2SP
    // tlog-tiles), to pinned peers only, and only what it holds.
    let raw = RawPeer::new(&net, "RU", "US");
    let get = |path: String| {
        let http = raw.http.clone();
        let url = format!("{}{path}", net.url("US"));
        async move {
            let response = http.get(url).send().await.expect("answer");
            let status = response.status().as_u16();
            (status, response.bytes().await.expect("body").to_vec())
        }
    };
    let (status, bundle) = get(format!("/log/copy/tile/entries/000.p/{signed}")).await;
    assert_eq!(status, 200);
    let served: Vec<Vec<u8>> =
        detente_log::tiles::decode_entry_bundle(&bundle, u16::try_from(signed).expect("width"))
            .expect("an entry bundle")
            .into_iter()
            .map(<[u8]>::to_vec)
            .collect();
    assert_eq!(served, entries);
    let (status, problem) = get(format!("/log/copy/tile/entries/000.p/{}", signed + 1)).await;
    assert_eq!(status, 404, "{}", String::from_utf8_lossy(&problem));
    let (status, problem) = get("/log/copy/tile/0/000".into()).await;
    assert_eq!(status, 422, "{}", String::from_utf8_lossy(&problem));
    let anonymous = pinned_http(&net, "US")
        .get(format!("{}/log/copy/tile/entries/000.p/1", net.url("US")))
        .send()
        .await
        .expect("answer");
    assert_eq!(anonymous.status(), 401, "no client certificate, no copy");
    let problem: serde_json::Value = anonymous.json().await.expect("problem");
    assert_eq!(problem["type"], "urn:detente:problem:not-a-peer");
    let root = net
        .node("RU")
        .log()
        .read(|view| view.tree.root_at(signed))
        .expect("root");
    let dir = net.get("RU").dir.clone();
    net.kill("RU").await;

    let restored = restore(&dir, &file, SystemClock.now()).expect("restore");
    assert_eq!(
        restored.manifest.log_size, manifest.log_size,
        "the backup's log"
    );
    assert!(manifest.log_size < signed);
    net.start("RU").await;

    // 3. RU finds the missing entries in US's copy, checks them against
    //    the root it signed, and signs again: nothing lost.
    eventually(30, "RU recovered and signs again", || async {
        net.node("RU").log().standing() == Standing::Open
    })
    .await;
    assert_eq!(ru_size(&net), signed);
    assert_eq!(
        net.node("RU")
            .store()
            .log_entries(0, signed)
            .expect("entries"),
        entries,
        "every entry back, byte for byte"
    );
    assert_eq!(
        net.node("RU")
            .log()
            .read(|view| view.tree.root_at(signed))
            .expect("root"),
        root
    );
    let (_, log) = officer_call(&net, "RU", "GET", "/api/v1/log/status", None).await;
    assert!(log["held"].is_null(), "{log}");
    assert_eq!(
        detente_node::log::guard::HighWater::read(&dir)
            .expect("mark")
            .map(|m| m.size),
        Some(signed),
        "the high-water mark is back"
    );

    // The log moves on from there, both ways, witnessed by US.
    let after = vec![
        ("US", send_notification(&net, "US", "RU").await),
        ("RU", send_notification(&net, "RU", "US").await),
    ];
    eventually(
        30,
        "delivered after the recovery, and witnessed",
        || async { all_delivered(&net, &after).await && us_holds_of_ru(&net) == ru_size(&net) },
    )
    .await;
    assert!(ru_size(&net) > signed);

    // Reading each other's logs finds nothing amiss on RU: what US logged
    // receiving from RU after the backup is in RU's recovered log.
    let us_peer = net.node("RU").peers().get(&us).expect("US");
    assert_eq!(
        net.node("RU")
            .crosscheck(&us_peer)
            .await
            .expect("cross-check"),
        0,
        "{:#?}",
        net.node("RU").store().alarms()
    );
    net.node("US").crosscheck(&peer).await.expect("cross-check");

    // No witness ever saw two roots for one size.
    no_equivocation(&net, "US");
    no_equivocation(&net, "RU");
    let kinds: Vec<String> = net
        .node("RU")
        .store()
        .alarms()
        .expect("alarms")
        .into_iter()
        .map(|a| a.kind)
        .collect();
    assert!(
        kinds.iter().all(|k| k == "log-behind"),
        "only the restore's own alarm: {kinds:?}"
    );
}
