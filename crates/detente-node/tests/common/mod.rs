//! Builds the world for integration tests: real nodes in temporary
//! directories, with real SQLite databases, serving real TLS on loopback.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use detente_node::admin::{OfficerSpec, add_officer};
use detente_node::config::NodeConfig;
use detente_node::init::{InitOptions, init_node};
use detente_node::keys::NodeKeys;
use detente_node::officer_client::OfficerClient;
use detente_node::peers::add_peer;
use detente_node::{Node, RunningNode};
use detente_proto::body::{Body, Notification};
use detente_proto::card::SignedCard;
use detente_proto::clock::{Clock, SystemClock};
use detente_proto::envelope::{Envelope, Recipient, Sender};
use detente_proto::ids::{MessageId, PartyCode, Tier};
use detente_proto::kind::{Precedence, Tlp};
use detente_proto::seal::SealedEnvelope;
use detente_proto::time::Timestamp;
use detente_store::{Mailbox, MessageQuery, StoredMessage};
use serde_json::{Value, json};

pub struct TestNode {
    pub code: &'static str,
    pub dir: PathBuf,
    pub addr: SocketAddr,
    pub token: String,
    /// The recovery key `init` made, as its printed line.
    pub recovery: String,
    pub running: Option<RunningNode>,
}

pub struct Net {
    pub root: tempfile::TempDir,
    pub nodes: BTreeMap<&'static str, TestNode>,
}

fn free_addr() -> SocketAddr {
    // Below Linux's ephemeral range (32768–60999 by default), so that no
    // outbound connection (a pooled HTTP client's, say) is given the port
    // while the node that owns it is stopped or not yet listening.
    use std::sync::atomic::{AtomicU16, Ordering};
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let seed = (std::process::id() % 64) as u16 * 190;
    loop {
        let offset = NEXT.fetch_add(1, Ordering::Relaxed) % 12_000;
        let port = 20_000 + (seed + offset) % 12_000;
        if let Ok(listener) = std::net::TcpListener::bind(("127.0.0.1", port)) {
            return listener.local_addr().expect("local addr");
        }
    }
}

/// Initialises a node directory for `code` on a free loopback port, with
/// fast retries, and an officer cleared for technical and operational.
pub fn init(root: &Path, code: &'static str) -> TestNode {
    let addr = free_addr();
    let dir = root.join(code.to_lowercase());
    let report = init_node(
        &dir,
        InitOptions {
            party: code.parse().expect("party"),
            name: format!("Party {code}"),
            listen: addr,
            endpoint: None,
            contacts: vec![],
        },
        SystemClock.now(),
    )
    .expect("init");
    let recovery = report.recovery.to_text().to_string();
    let mut config = NodeConfig::load(&dir).expect("config");
    config.delivery.initial_backoff = Duration::from_millis(50);
    config.delivery.max_backoff = Duration::from_millis(400);
    config.delivery.attempt_timeout = Duration::from_secs(5);
    std::fs::write(dir.join("detente.toml"), config.to_toml()).expect("write config");
    let store = detente_node::node::open_store(&dir, &config).expect("store");
    let token = add_officer(
        &*store,
        &SystemClock,
        &OfficerSpec {
            name: format!("Officer {code}").parse().expect("name"),
            tiers: vec![Tier::Technical, Tier::Operational],
        },
    )
    .expect("officer")
    .credential;
    TestNode {
        code,
        dir,
        addr,
        token,
        recovery,
        running: None,
    }
}

pub fn card_of(dir: &Path) -> SignedCard {
    SignedCard::parse(&std::fs::read(dir.join("card.json")).expect("card")).expect("valid card")
}

/// Makes `a` trust `b`.
pub fn trust(a: &TestNode, b: &TestNode) {
    let config = NodeConfig::load(&a.dir).expect("config");
    let store = detente_node::node::open_store(&a.dir, &config).expect("store");
    let card = card_of(&b.dir);
    add_peer(
        store.as_ref(),
        &config.party,
        card.bytes(),
        &card.fingerprint(),
        SystemClock.now(),
    )
    .expect("add peer");
}

impl Net {
    /// Nodes for `codes`, all trusting each other, none started.
    pub fn new(codes: &[&'static str]) -> Self {
        let root = tempfile::tempdir().expect("tempdir");
        let nodes: BTreeMap<_, _> = codes
            .iter()
            .map(|code| (*code, init(root.path(), code)))
            .collect();
        for a in nodes.values() {
            for b in nodes.values() {
                if a.code != b.code {
                    trust(a, b);
                }
            }
        }
        Self { root, nodes }
    }

    pub fn get(&self, code: &str) -> &TestNode {
        self.nodes.get(code).expect("known node")
    }

    /// Opens and starts a node on its port.
    pub async fn start(&mut self, code: &str) {
        self.start_with_clock(code, Arc::new(SystemClock)).await;
    }

    /// Changes a (stopped) node's configuration file.
    pub fn configure(&self, code: &str, change: impl FnOnce(&mut NodeConfig)) {
        let dir = &self.get(code).dir;
        let mut config = NodeConfig::load(dir).expect("config");
        change(&mut config);
        std::fs::write(dir.join("detente.toml"), config.to_toml()).expect("write config");
    }

    /// Opens and starts a node on its port, on `clock`.
    pub async fn start_with_clock(&mut self, code: &str, clock: Arc<dyn Clock>) {
        let test_node = self.nodes.get_mut(code).expect("known node");
        assert!(test_node.running.is_none(), "{code} already running");
        let node = Node::open(&test_node.dir, clock).expect("open node");
        let deadline = Instant::now() + Duration::from_secs(10);
        let listener = loop {
            match tokio::net::TcpListener::bind(test_node.addr).await {
                Ok(listener) => break listener,
                Err(error) if Instant::now() < deadline => {
                    let _ = error;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(error) => panic!("cannot bind {}: {error}", test_node.addr),
            }
        };
        test_node.running = Some(RunningNode::start(node, listener).expect("start"));
    }

    /// Crashes a node: everything stops at once.
    pub async fn kill(&mut self, code: &str) {
        let running = self
            .nodes
            .get_mut(code)
            .and_then(|n| n.running.take())
            .expect("running node");
        running.kill().await;
    }

    pub fn node(&self, code: &str) -> Arc<Node> {
        self.get(code)
            .running
            .as_ref()
            .expect("running")
            .node()
            .clone()
    }

    pub fn client(&self, code: &str) -> OfficerClient {
        let n = self.get(code);
        OfficerClient::for_node_dir(&n.dir, &format!("https://{}", n.addr), &n.token)
            .expect("client")
    }

    pub fn url(&self, code: &str) -> String {
        format!("https://{}", self.get(code).addr)
    }
}

/// Every message a node's store holds, whatever the tier.
pub fn stored(node: &Node) -> Vec<StoredMessage> {
    node.store()
        .messages(&MessageQuery {
            mailbox: Mailbox::All,
            state: None,
            tiers: Tier::ALL.to_vec(),
            counterparty: None,
            kind: None,
            limit: 100_000,
        })
        .expect("list")
}

/// A notification from `from` to `to`, created now.
pub fn notification(from: &str, to: &str, subject: &str) -> Envelope {
    let now = SystemClock.now();
    Envelope {
        id: MessageId::new_v7(now),
        from: Sender {
            party: from.parse().expect("party"),
            tier: Tier::Technical,
            officer: "Test officer".parse().expect("officer"),
        },
        to: Recipient {
            party: to.parse().expect("party"),
            tier: Tier::Technical,
        },
        precedence: Precedence::Routine,
        in_reply_to: None,
        agreement: None,
        created_at: now,
        exercise: false,
        tlp: Tlp::Amber,
        nonce: Envelope::random_nonce(&mut rand::thread_rng()),
        body: Body::Notification(Notification {
            subject: subject.into(),
            summary: "test".into(),
            detected_at: None,
            stix: None,
            alleged_breach: None,
        }),
    }
}

/// An HTTP client for `code`'s node as an officer sees it: no client
/// certificate, the server's TLS certificate pinned from its card.
pub fn pinned_http(net: &Net, code: &str) -> reqwest::Client {
    let pin = card_of(&net.get(code).dir).keys().tls_spki_sha256;
    let tls = detente_node::tls::officer_client_config(pin).expect("tls");
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .build()
        .expect("client")
}

/// A raw peer connection: `from`'s TLS identity, pinned to `to`'s certificate.
pub struct RawPeer {
    pub keys: NodeKeys,
    pub party: PartyCode,
    pub http: reqwest::Client,
    pub url: String,
    pub recipient: SignedCard,
}

impl RawPeer {
    pub fn new(net: &Net, from: &str, to: &str) -> Self {
        Self::from_dir(&net.get(from).dir, from, &net.get(to).dir, &net.url(to))
    }

    pub fn from_dir(from_dir: &Path, from: &str, to_dir: &Path, to_url: &str) -> Self {
        let keys = NodeKeys::load(from_dir).expect("keys");
        let recipient = card_of(to_dir);
        let tls = keys
            .tls
            .peer_client_config(&[recipient.keys().tls_spki_sha256])
            .expect("tls config");
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .timeout(Duration::from_secs(10))
            .build()
            .expect("client");
        Self {
            keys,
            party: from.parse().expect("party"),
            http,
            url: format!("{to_url}/peer/v1/envelopes"),
            recipient,
        }
    }

    /// Seals `signed_bytes` with the given header and posts it.
    pub fn seal(
        &self,
        signed_bytes: &[u8],
        id: MessageId,
        from: &str,
        to: &str,
        sent_at: Timestamp,
    ) -> SealedEnvelope {
        SealedEnvelope::seal(
            signed_bytes,
            id,
            from.parse().expect("party"),
            to.parse().expect("party"),
            sent_at,
            &self.recipient.keys().encryption,
            &mut rand::thread_rng(),
        )
        .expect("seal")
    }

    pub async fn post_raw(&self, body: Vec<u8>) -> (u16, Value, Vec<u8>) {
        let response = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("the node answers");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let bytes = response.bytes().await.expect("body").to_vec();
        if status >= 400 {
            assert_eq!(
                content_type, "application/problem+json",
                "errors are problem+json"
            );
        }
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            bytes,
        )
    }

    pub async fn post(&self, sealed: &SealedEnvelope) -> (u16, Value, Vec<u8>) {
        self.post_raw(serde_json::to_vec(sealed).expect("json"))
            .await
    }

    /// Signs `envelope` with this peer's key, seals it honestly and posts it.
    pub async fn send(&self, envelope: Envelope) -> (u16, Value, Vec<u8>) {
        let (id, from, to) = (
            envelope.id,
            envelope.from.party.to_string(),
            envelope.to.party.to_string(),
        );
        let signed = envelope.sign(&self.keys.signing);
        let sealed = self.seal(signed.bytes(), id, &from, &to, SystemClock.now());
        self.post(&sealed).await
    }
}

/// How many of the messages `code` sent are delivered.
pub fn sent_delivered(net: &Net, code: &str) -> usize {
    stored(&net.node(code))
        .iter()
        .filter(|m| {
            m.message.direction == detente_store::Direction::Sent
                && m.state == detente_store::MessageState::Delivered
        })
        .count()
}

/// Waits until `check` is true, or fails after `secs` seconds.
pub async fn eventually<F, Fut>(secs: u64, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !check().await {
        assert!(
            Instant::now() < deadline,
            "timed out after {secs} s waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Composes through the officer API; returns the message id.
pub async fn officer_send(net: &Net, from: &str, to: &str, kind: &str, body: Value) -> String {
    let message: Value = net
        .client(from)
        .post(
            "/api/v1/messages",
            &json!({"to": {"party": to, "tier": "technical"}, "from_tier": "technical", "kind": kind, "body": body}),
        )
        .await
        .expect("queued");
    assert_eq!(message["state"], "queued");
    message["id"].as_str().expect("id").to_owned()
}

/// A technical notification with placeholder text ("s"), composed through
/// the officer API; returns the message id.
pub async fn send_notification(net: &Net, from: &str, to: &str) -> String {
    officer_send(
        net,
        from,
        to,
        "notification",
        json!({"subject": "s", "summary": "s"}),
    )
    .await
}

/// Whether each `(sender, id)` shows as delivered on its sender's node.
pub async fn all_delivered(net: &Net, sent: &[(&str, String)]) -> bool {
    for (from, id) in sent {
        if show(net, from, id).await["state"] != "delivered" {
            return false;
        }
    }
    true
}

pub async fn show(net: &Net, code: &str, id: &str) -> Value {
    net.client(code)
        .get(&format!("/api/v1/messages/{id}"))
        .await
        .expect("show")
}

/// An officer API call on `code`'s node with its officer token: status
/// and JSON body (`null` when the body is not JSON).
pub async fn officer_call(
    net: &Net,
    code: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let url = format!("{}{path}", net.url(code));
    let http = pinned_http(net, code);
    let mut request = match method {
        "POST" => http.post(url),
        _ => http.get(url),
    }
    .bearer_auth(&net.get(code).token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("answer");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// RU proposes `agreement` (TOML) to US, US countersigns; returns once
/// both see `reference` in force.
pub async fn in_force_on_both(net: &Net, agreement: &str, reference: &str) {
    let (status, view) = officer_call(
        net,
        "RU",
        "POST",
        "/api/v1/agreements",
        Some(json!({"agreement": agreement, "to": "US"})),
    )
    .await;
    assert_eq!(status, 202, "{view}");
    assert_eq!(view["in_force"], false, "{view}");
    assert_eq!(view["signed_by"], json!({"RU": true, "US": false}));
    eventually(30, "US holds the proposal", || async {
        officer_call(
            net,
            "US",
            "GET",
            &format!("/api/v1/agreements/{reference}"),
            None,
        )
        .await
        .0 == 200
    })
    .await;
    let (status, view) = officer_call(
        net,
        "US",
        "POST",
        &format!("/api/v1/agreements/{reference}/sign"),
        None,
    )
    .await;
    assert_eq!(status, 202, "{view}");
    assert_eq!(view["in_force"], true, "{view}");
    eventually(30, "RU sees it in force", || async {
        officer_call(
            net,
            "RU",
            "GET",
            &format!("/api/v1/agreements/{reference}"),
            None,
        )
        .await
        .1["in_force"]
            == true
    })
    .await;
}
