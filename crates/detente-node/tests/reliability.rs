//! Delivery survives crashes on either side, is exactly-once by id, and
//! nothing is ever "delivered" without a verified receipt.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::Router;
use axum::routing::post;
use common::{Net, eventually, officer_send, send_notification, show, stored};
use detente_node::keys::NodeKeys;
use detente_node::tls::ClientPins;
use detente_proto::clock::{Clock, SystemClock};
use detente_proto::ids::MessageId;
use detente_proto::receipt::Receipt;
use detente_proto::signing::PartySigningKey;
use detente_store::{Direction, MessageState};
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::json;
use tower::Service;

fn ids(net: &Net, code: &str, direction: Direction) -> BTreeSet<MessageId> {
    stored(&net.node(code))
        .into_iter()
        .filter(|m| m.message.direction == direction)
        .map(|m| m.message.id)
        .collect()
}

fn delivered_count(net: &Net, code: &str) -> usize {
    stored(&net.node(code))
        .iter()
        .filter(|m| m.state == MessageState::Delivered)
        .count()
}

async fn send_many(net: &Net, n: usize, tag: &str) -> Vec<String> {
    let mut sent = Vec::new();
    for i in 0..n {
        let body = json!({"subject": format!("{tag} #{i}"), "summary": "reliability test"});
        sent.push(officer_send(net, "RU", "US", "notification", body).await);
    }
    sent
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receiver_killed_while_messages_are_queued_gets_each_exactly_once() {
    let mut net = Net::new(&["RU", "US"]);
    net.start("RU").await;
    net.start("US").await;
    send_many(&net, 5, "before").await;
    eventually(20, "the first 5 delivered", || async {
        delivered_count(&net, "RU") == 5
    })
    .await;

    net.kill("US").await;
    let queued = send_many(&net, 20, "while down").await;
    // They fail and are scheduled for retry, not lost and not "delivered".
    let first = queued[0].clone();
    eventually(20, "a failed attempt recorded", || {
        let (net, first) = (&net, first.clone());
        async move {
            show(net, "RU", &first).await["delivery"]["attempts"]
                .as_u64()
                .unwrap_or(0)
                >= 1
        }
    })
    .await;
    assert_eq!(
        delivered_count(&net, "RU"),
        5,
        "nothing is delivered while the receiver is down"
    );
    let shown = show(&net, "RU", &first).await;
    assert_eq!(shown["state"], "queued");
    assert!(shown.get("receipt").is_none());
    assert!(
        shown["delivery"]["last_error"]
            .as_str()
            .unwrap_or("")
            .contains("cannot reach"),
        "{shown}"
    );

    // Crash the receiver again in the middle of a burst, then bring it back.
    net.start("US").await;
    send_many(&net, 15, "burst").await;
    net.kill("US").await;
    net.start("US").await;

    eventually(60, "all 40 delivered", || async {
        delivered_count(&net, "RU") == 40
    })
    .await;
    let sent = ids(&net, "RU", Direction::Sent);
    let received = ids(&net, "US", Direction::Received);
    assert_eq!(sent.len(), 40);
    assert_eq!(received, sent, "every message arrived, each exactly once");
    assert_eq!(stored(&net.node("US")).len(), 40, "no duplicates");
    for id in &queued {
        let shown = show(&net, "RU", id).await;
        assert_eq!(shown["state"], "delivered");
        assert_eq!(shown["receipt"]["verified"], true, "{shown}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sender_stopped_between_queued_and_delivery_resumes_after_restart() {
    let mut net = Net::new(&["RU", "US"]);
    net.start("RU").await;
    let queued = send_many(&net, 10, "queued then crashed").await;
    net.kill("RU").await;
    net.start("US").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        stored(&net.node("US")).is_empty(),
        "nothing arrives while the sender is down"
    );

    net.start("RU").await;
    eventually(30, "delivery resumed after the restart", || async {
        delivered_count(&net, "RU") == 10
    })
    .await;
    let expected: BTreeSet<MessageId> = queued.iter().map(|id| id.parse().expect("id")).collect();
    assert_eq!(ids(&net, "US", Direction::Received), expected);
}

/// Accepts any client certificate: the fake peer below does not care who calls.
#[derive(Debug)]
struct AnyClient;

impl ClientPins for AnyClient {
    fn is_pinned(&self, _: &[u8; 32]) -> bool {
        true
    }
}

/// Serves `router` with `identity`'s certificate on `addr` until dropped.
async fn fake_peer(
    identity_dir: &std::path::Path,
    addr: std::net::SocketAddr,
    router: Router,
) -> tokio::task::JoinHandle<()> {
    let keys = NodeKeys::load(identity_dir).expect("keys");
    let tls = keys.tls.server_config(Arc::new(AnyClient)).expect("tls");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
    tokio::spawn(async move {
        // Connections end with this task, so aborting it really takes the fake down.
        let mut connections = tokio::task::JoinSet::new();
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let (acceptor, router) = (acceptor.clone(), router.clone());
            connections.spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service =
                    hyper::service::service_fn(move |request| router.clone().call(request));
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_is_never_delivered_without_a_verified_receipt() {
    let mut net = Net::new(&["RU", "US"]);
    net.start("RU").await;
    let us = net.get("US");
    let us_keys = NodeKeys::load(&us.dir).expect("US keys");

    // A fake US with US's TLS identity that answers 200 with three kinds of bad receipt in turn.
    let forger = Arc::new(PartySigningKey::generate(&mut rand::thread_rng()));
    let real_key = Arc::new(us_keys.signing);
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let router = {
        let (forger, real_key, calls) = (forger.clone(), real_key.clone(), calls.clone());
        Router::new().route(
            "/peer/v1/envelopes",
            post(move |body: axum::body::Bytes| {
                let (forger, real_key, calls) = (forger.clone(), real_key.clone(), calls.clone());
                async move {
                    let sealed: serde_json::Value =
                        serde_json::from_slice(&body).unwrap_or_default();
                    let receipt = |hash: &str| Receipt {
                        message_id: sealed["id"]
                            .as_str()
                            .unwrap_or_default()
                            .parse()
                            .expect("id"),
                        envelope_sha256: hash.into(),
                        from: "RU".parse().expect("RU"),
                        to: "US".parse().expect("US"),
                        received_at: SystemClock.now(),
                        log: None,
                    };
                    match calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) % 3 {
                        // Signed by someone else.
                        0 => receipt("AAAA").sign(&forger).bytes().to_vec(),
                        // Signed by US, but for other bytes than those sent.
                        1 => receipt("c29tZXRoaW5nIGVsc2U=")
                            .sign(&real_key)
                            .bytes()
                            .to_vec(),
                        // Not a receipt at all.
                        _ => b"{\"ok\":true}".to_vec(),
                    }
                }
            }),
        )
    };
    let fake = fake_peer(&us.dir, us.addr, router).await;

    let id = send_notification(&net, "RU", "US").await;
    eventually(20, "three bad receipts refused", || async {
        calls.load(std::sync::atomic::Ordering::SeqCst) >= 4
    })
    .await;
    let shown = show(&net, "RU", &id).await;
    assert_eq!(shown["state"], "queued", "{shown}");
    assert!(shown.get("receipt").is_none() && shown.get("delivered_at").is_none());
    let error = shown["delivery"]["last_error"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    assert!(error.contains("receipt"), "{error}");
    assert_eq!(delivered_count(&net, "RU"), 0);

    // The real US comes back: now the receipt verifies and only now it is delivered.
    fake.abort();
    let _ = fake.await;
    net.start("US").await;
    eventually(30, "delivered by the real US", || async {
        delivered_count(&net, "RU") == 1
    })
    .await;
    let shown = show(&net, "RU", &id).await;
    assert_eq!(shown["state"], "delivered");
    assert_eq!(shown["receipt"]["verified"], true);
    assert_eq!(shown["receipt"]["signed_by"], "US");
}
