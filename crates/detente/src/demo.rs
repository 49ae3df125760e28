//! `detente demo`: three nodes (RU, US and the neutral UN) in one process,
//! on loopback, with temporary SQLite databases. Every step goes through
//! the real officer API over pinned TLS and the real peer API over mutual
//! TLS, and the timeline printed is the nodes' own event stream.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use detente_evidence::Bundle;
use detente_node::admin::{self, AccountSpec, OfficerSpec};
use detente_node::alerts::config::{ChannelConfig, ContactConfig, RotaConfig, RotaTimes, SmtpTls};
use detente_node::alerts::sink::MailSink;
use detente_node::config::NodeConfig;
use detente_node::events::{EventKind, NodeEvent};
use detente_node::init::{InitOptions, init_node};
use detente_node::officer_client::{ApiCallError, OfficerClient};
use detente_node::peers::add_peer;
use detente_node::taxii::access::parse_grants;
use detente_node::{Node, RunningNode};
use detente_proto::agreement::responsiveness::{Period, Stats};
use detente_proto::body::TierContact;
use detente_proto::clock::{Clock, OffsetClock};
use detente_proto::ids::{Fingerprint, OfficerName, Tier};
use detente_proto::kind::Tlp;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use crate::admin::init_logging;
use crate::cli::DemoArgs;
use crate::output;

struct DemoParty {
    code: &'static str,
    name: &'static str,
    /// The duty officer (technical, operational).
    officer: &'static str,
    /// The foreign-ministry officer (policy, leadership).
    minister: &'static str,
}

/// The agreement RU proposes and US countersigns (the same text as
/// detente-proto's `testdata/agreement-example.toml`).
const DEMO_AGREEMENT: &str = include_str!("../assets/demo-agreement.toml");

const PARTIES: [DemoParty; 3] = [
    DemoParty {
        code: "RU",
        name: "Russian Federation",
        officer: "Ivanova",
        minister: "Sokolov",
    },
    DemoParty {
        code: "US",
        name: "United States of America",
        officer: "Miller",
        minister: "Harper",
    },
    DemoParty {
        code: "UN",
        name: "United Nations (neutral hub)",
        officer: "Okafor",
        minister: "Lindqvist",
    },
];

struct DemoNode {
    code: &'static str,
    dir: PathBuf,
    running: RunningNode,
    base_url: String,
    token: String,
    fingerprint: Fingerprint,
    client: OfficerClient,
    /// The foreign-ministry officer's token and client (policy, leadership).
    ministry_token: String,
    ministry: OfficerClient,
    /// The secret of the TAXII account `soc` (docs/taxii.md).
    taxii_secret: String,
    /// The duty officer's name and console password.
    officer: &'static str,
    password: String,
    /// The ministry officer's name and console password.
    minister: &'static str,
    ministry_password: String,
    /// The bearer token of `GET /metrics`.
    metrics_token: String,
}

/// US's on-call rota in the demo: two duty officers by email, through
/// the local SMTP sink.
fn demo_alerts(config: &mut NodeConfig, sink: std::net::SocketAddr) {
    config.alerts.tick = Duration::from_secs(1);
    config.alerts.channels = std::collections::BTreeMap::from([(
        "mail".to_owned(),
        ChannelConfig::Smtp {
            host: sink.ip().to_string(),
            port: Some(sink.port()),
            tls: SmtpTls::None,
            from: "hotline-us@cert.us.example".to_owned(),
            username: None,
            password_file: None,
            ca_file: None,
        },
    )]);
    let contact = |name: &str| ContactConfig {
        name: name.to_owned(),
        channel: "mail".to_owned(),
        to: Some(format!("{name}@cert.us.example")),
    };
    config.alerts.rota = vec![RotaConfig {
        name: "technical".to_owned(),
        tiers: vec![Tier::Technical],
        after: RotaTimes::default(),
        rounds: 1,
        contacts: vec![contact("duty-1"), contact("duty-2")],
    }];
}

/// The demo's TAXII account on every node: a SOC tool cleared up to
/// AMBER+STRICT, reading every collection of every other party and
/// posting drafts for them.
const TAXII_ACCOUNT: &str = "soc";

enum Line {
    Step(String),
    Note(String),
    Event(NodeEvent),
}

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    init_logging("warn");
    let workdir = tempfile::Builder::new()
        .prefix("detente-demo-")
        .tempdir()
        .context("cannot create a temporary directory for the demo nodes")?;
    // The wall clock, which the script moves an hour ahead to show a
    // missed deadline escalating without waiting for it.
    let clock = Arc::new(OffsetClock::new());
    let started = Instant::now();

    println!(
        "detente demo — three nodes on loopback, temporary SQLite databases in {}",
        workdir.path().display()
    );
    println!();
    // The demo's SMTP sink, where US's alert emails go.
    let mailroom = MailSink::start("127.0.0.1:0".parse()?)
        .await
        .context("cannot start the demo's SMTP sink on loopback")?;
    let nodes = start_nodes(workdir.path(), clock.clone(), mailroom.addr()).await?;
    for n in &nodes {
        println!(
            "  {}  {:<30} {}  fingerprint {}",
            n.code,
            name_of(n.code),
            n.base_url,
            n.fingerprint
        );
        println!(
            "      TAXII 2.1 discovery {}/taxii2/  user {TAXII_ACCOUNT}  password {}",
            n.base_url, n.taxii_secret
        );
        println!(
            "      console {}/  sign in as {} / {}  or {} / {}",
            n.base_url, n.officer, n.password, n.minister, n.ministry_password
        );
        println!(
            "      metrics {}/metrics  (Authorization: Bearer {})",
            n.base_url, n.metrics_token
        );
    }
    println!(
        "  US alerts its on-call rota (duty-1, then duty-2) by email through a local SMTP sink on {}",
        mailroom.addr()
    );
    println!();
    if args.serve {
        write_state_file(&args.state_file, &nodes, "playing")?;
    }

    let (lines, printer) = timeline(started);
    let mut forwarders = tokio::task::JoinSet::new();
    for n in &nodes {
        let mut events = n.running.node().subscribe();
        let lines = lines.clone();
        forwarders.spawn(async move {
            loop {
                match events.recv().await {
                    Ok(event) => {
                        if lines.send(Line::Event(event)).is_err() {
                            return;
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        let _ = lines.send(Line::Note(format!("({missed} events not shown)")));
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        });
    }

    let outcome = play(&nodes, &lines, &clock, &mailroom, args.evidence.as_deref()).await;
    // Let the last events reach the printer, then close the timeline: the
    // forwarders hold senders too, so they must end for the printer to end.
    tokio::time::sleep(Duration::from_millis(100)).await;
    forwarders.shutdown().await;
    drop(lines);
    let _ = printer.await;
    outcome?;

    if args.serve {
        write_state_file(&args.state_file, &nodes, "serving")?;
        println!();
        println!(
            "The nodes keep running (Ctrl-C or SIGTERM stops them). State file: {}",
            args.state_file.display()
        );
        for n in &nodes {
            println!(
                "  {}  officer API {}/api/v1/  (OpenAPI at /api/v1/openapi.json)",
                n.code, n.base_url
            );
            println!(
                "      try: detente inbox --dir {} --token {}",
                n.dir.display(),
                n.token
            );
            println!(
                "      TAXII 2.1 discovery {}/taxii2/  (HTTP Basic: {TAXII_ACCOUNT} / {})",
                n.base_url, n.taxii_secret
            );
            println!(
                "      console {}/  (sign in as {} / {}, or {} / {})",
                n.base_url, n.officer, n.password, n.minister, n.ministry_password
            );
        }
        println!();
        println!(
            "The nodes share the demo's clock. To let a deadline pass without waiting, type a command and Enter: advance 61m"
        );
        clock_commands(clock.clone());
        crate::admin::wait_for_stop_signal().await?;
    } else {
        println!();
        println!(
            "To keep the nodes running and drive them yourself: cargo run --release -- demo --serve"
        );
    }
    for n in nodes {
        n.running.stop().await;
    }
    Ok(())
}

/// Reads commands for the demo's clock from standard input, one a line,
/// on a thread of its own (a blocking read must not hold up the runtime's
/// shutdown): `advance DURATION` moves every node's clock ahead, as if
/// that much time had passed. Anything else is answered with what is
/// understood. Ends at the end of input.
fn clock_commands(clock: Arc<OffsetClock>) {
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { return };
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let advanced = line
                .strip_prefix("advance ")
                .map(|duration| humantime::parse_duration(duration.trim()))
                .map(|parsed| {
                    parsed.map_err(anyhow::Error::from).and_then(|duration| {
                        chrono::TimeDelta::from_std(duration).map_err(anyhow::Error::from)
                    })
                });
            match advanced {
                Some(Ok(delta)) => {
                    clock.advance(delta);
                    println!(
                        "clock advanced by {}: the nodes' time is now {}",
                        line[8..].trim(),
                        clock.now()
                    );
                }
                Some(Err(error)) => println!(
                    "cannot read the duration in {line:?}: {error}; write it as 61m, 2h or 1d"
                ),
                None => println!(
                    "unknown command {line:?}; the one command is: advance DURATION (for example advance 61m)"
                ),
            }
        }
    });
}

fn name_of(code: &str) -> &'static str {
    PARTIES
        .iter()
        .find(|p| p.code == code)
        .map(|p| p.name)
        .unwrap_or("")
}

async fn start_nodes(
    root: &Path,
    clock: Arc<dyn Clock>,
    sink: std::net::SocketAddr,
) -> anyhow::Result<Vec<DemoNode>> {
    let mut opened = Vec::new();
    for party in &PARTIES {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("cannot bind a loopback port")?;
        let addr = listener.local_addr()?;
        let dir = root.join(party.code.to_lowercase());
        let options = InitOptions {
            party: party.code.parse().map_err(anyhow::Error::msg)?,
            name: party.name.into(),
            listen: addr,
            endpoint: None,
            contacts: vec![TierContact {
                tier: Tier::Technical,
                contact: format!("{} duty desk (demo)", party.code),
            }],
        };
        let report = init_node(&dir, options, clock.now())?;
        // Metrics behind a token; US alerts a rota by email.
        let metrics_token = admin::generate_password();
        output::write_atomically(
            &dir.join("metrics.token"),
            metrics_token.as_bytes(),
            "the metrics token",
        )?;
        let mut config = NodeConfig::load(&dir)?;
        config.metrics.token_file = Some("metrics.token".into());
        if party.code == "US" {
            demo_alerts(&mut config, sink);
        }
        std::fs::write(
            dir.join(detente_node::config::CONFIG_FILE),
            config.to_toml(),
        )
        .context("cannot write the demo node's detente.toml")?;
        let node = Node::open(&dir, clock.clone())?;
        opened.push((
            party,
            dir,
            listener,
            node,
            report.fingerprint,
            metrics_token,
        ));
    }
    // Every node trusts every other, after "confirming" fingerprints (here: read from the cards).
    for (_, _, _, node, _, _) in &opened {
        for (_, _, _, other, fingerprint, _) in &opened {
            if node.party() != other.party() {
                add_peer(
                    node.store().as_ref(),
                    node.party(),
                    other.card().bytes(),
                    fingerprint,
                    clock.now(),
                )?;
            }
        }
        node.peers().refresh()?;
    }
    let mut nodes = Vec::new();
    for (party, dir, listener, node, fingerprint, metrics_token) in opened {
        // Each officer gets a token (for the CLI) and a console password.
        let officer = |name: &str, tiers: Vec<Tier>| -> anyhow::Result<(String, String)> {
            let name: OfficerName = name.parse().map_err(anyhow::Error::msg)?;
            let spec = OfficerSpec {
                name: name.clone(),
                tiers,
            };
            let token = admin::add_officer(&**node.store(), &*clock, &spec)?.credential;
            let password = admin::generate_password();
            admin::set_officer_password(&**node.store(), &*clock, &name, &password)?;
            Ok((token, password))
        };
        let (token, password) = officer(party.officer, vec![Tier::Technical, Tier::Operational])?;
        let (ministry_token, ministry_password) =
            officer(party.minister, vec![Tier::Policy, Tier::Leadership])?;
        let grants = PARTIES
            .iter()
            .filter(|other| other.code != party.code)
            .map(|other| {
                parse_grants(&format!("{}/*", other.code), true, false).and_then(|read| {
                    parse_grants(&format!("{}/drafts", other.code), false, true)
                        .map(|write| read.into_iter().chain(write))
                })
            })
            .collect::<Result<Vec<_>, String>>()
            .map_err(anyhow::Error::msg)?;
        let account = AccountSpec {
            name: admin::account_name(TAXII_ACCOUNT)?,
            clearance: Tlp::AmberStrict,
            tiers: Vec::new(),
            grants: grants.into_iter().flatten().collect(),
        };
        let taxii_secret = admin::add_taxii_account(&**node.store(), &*clock, &account)?.credential;
        let running = RunningNode::start(node, listener)?;
        let base_url = format!("https://{}", running.addr());
        let client = OfficerClient::for_node_dir(&dir, &base_url, &token)?;
        let ministry = OfficerClient::for_node_dir(&dir, &base_url, &ministry_token)?;
        nodes.push(DemoNode {
            code: party.code,
            dir,
            running,
            base_url,
            token,
            fingerprint,
            client,
            ministry_token,
            ministry,
            taxii_secret,
            officer: party.officer,
            password,
            minister: party.minister,
            ministry_password,
            metrics_token,
        });
    }
    Ok(nodes)
}

fn timeline(started: Instant) -> (mpsc::UnboundedSender<Line>, tokio::task::JoinHandle<()>) {
    let (sender, mut receiver) = mpsc::unbounded_channel::<Line>();
    let printer = tokio::spawn(async move {
        while let Some(line) = receiver.recv().await {
            let t = started.elapsed().as_secs_f64();
            match line {
                Line::Step(text) => println!("\n── {text}"),
                Line::Note(text) => println!("{t:>8.3}s        {text}"),
                Line::Event(event) => println!("{t:>8.3}s  {}  {}", event.party, describe(&event)),
            }
        }
    });
    (sender, printer)
}

fn describe(event: &NodeEvent) -> String {
    match &event.what {
        EventKind::Queued {
            id,
            kind,
            to,
            headline,
        } => {
            format!(
                "signed + stored   {kind:<16} {} → {to}  {headline}",
                id.short()
            )
        }
        EventKind::Received {
            id,
            kind,
            from,
            envelope_sha256,
        } => format!(
            "verified + stored {kind:<16} {} ← {from}  sha256:{}…  receipt signed",
            id.short(),
            &envelope_sha256[..12]
        ),
        EventKind::Delivered {
            id,
            to,
            received_at,
            receipt_key_id,
        } => format!(
            "DELIVERED         {} → {to}  receipt verified (key {receipt_key_id}, received {received_at})",
            id.short()
        ),
        EventKind::DeliveryFailed {
            id,
            attempts,
            error,
            next_attempt_at,
        } => format!(
            "delivery failed   {} attempt {attempts}: {error}; retry at {next_attempt_at}",
            id.short()
        ),
        EventKind::DeadlineMissed {
            id,
            deadline,
            due_at,
            to,
        } => format!(
            "DEADLINE MISSED   {} {} deadline, due {due_at}: no answer from {to}",
            id.short(),
            deadline_word(*deadline)
        ),
        EventKind::DeadlineMet {
            id,
            deadline,
            by,
            late_by,
        } => format!(
            "deadline met      {} {} deadline, by {}: {}",
            id.short(),
            deadline_word(*deadline),
            by.short(),
            late_by.map_or("in time".to_owned(), |late| format!(
                "LATE by {}",
                detente_proto::time::human_duration(late)
            ))
        ),
        _ => format!("{:?}", event.what),
    }
}

fn deadline_word(kind: detente_proto::body::DeadlineKind) -> &'static str {
    match kind {
        detente_proto::body::DeadlineKind::Acknowledge => "acknowledge",
        detente_proto::body::DeadlineKind::Reply => "reply",
        detente_proto::body::DeadlineKind::Check => "check",
    }
}

fn node<'a>(nodes: &'a [DemoNode], code: &str) -> anyhow::Result<&'a DemoNode> {
    nodes
        .iter()
        .find(|n| n.code == code)
        .with_context(|| format!("no demo node {code}"))
}

async fn send(from: &DemoNode, request: Value) -> anyhow::Result<String> {
    let message: Value = from.client.post("/api/v1/messages", &request).await?;
    Ok(output::str(&message, "/id").to_owned())
}

async fn wait_delivered(from: &DemoNode, id: &str) -> anyhow::Result<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let message: Value = from.client.get(&format!("/api/v1/messages/{id}")).await?;
        if message["state"] == "delivered" && message["receipt"]["verified"] == true {
            return Ok(message);
        }
        if Instant::now() > deadline {
            bail!(
                "{id} from {} was not delivered within 30 s (last error: {})",
                from.code,
                output::str(&message, "/delivery/last_error")
            );
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn play(
    nodes: &[DemoNode],
    lines: &mpsc::UnboundedSender<Line>,
    clock: &OffsetClock,
    mailroom: &MailSink,
    evidence: Option<&Path>,
) -> anyhow::Result<()> {
    let (ru, us, un) = (node(nodes, "RU")?, node(nodes, "US")?, node(nodes, "UN")?);
    let step = |text: &str| {
        let _ = lines.send(Line::Step(text.to_owned()));
    };
    let note = |text: String| {
        let _ = lines.send(Line::Note(text));
    };

    step("0. The agreement: RU proposes the rules of the channel, US countersigns the same bytes");
    let proposed: Value = ru
        .client
        .post(
            "/api/v1/agreements",
            &json!({"agreement": DEMO_AGREEMENT, "to": "US"}),
        )
        .await?;
    let reference = output::str(&proposed, "/reference").to_owned();
    let deadline = Instant::now() + Duration::from_secs(30);
    while us
        .client
        .get::<Value>(&format!("/api/v1/agreements/{reference}"))
        .await
        .is_err()
    {
        if Instant::now() > deadline {
            bail!("US did not receive the proposed agreement {reference} within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let signed: Value = us
        .client
        .post(&format!("/api/v1/agreements/{reference}/sign"), &json!({}))
        .await?;
    if signed["in_force"] != true {
        bail!("the agreement is not in force after US signed: {signed}");
    }
    for text in output::agreement_detail(&signed).lines() {
        note(format!("US  {text}"));
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let seen: Value = ru
            .client
            .get(&format!("/api/v1/agreements/{reference}"))
            .await?;
        if seen["in_force"] == true {
            note(format!(
                "RU  {reference} IN FORCE: both parties signed the same bytes"
            ));
            break;
        }
        if Instant::now() > deadline {
            bail!("RU does not see {reference} in force within 30 s: {seen}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    step("1. Communication check: RU pings US, US answers");
    let ping = send(
        ru,
        json!({"to": {"party": "US", "tier": "technical"}, "from_tier": "technical",
        "kind": "ping", "body": {"note": "Communication check"}}),
    )
    .await?;
    wait_delivered(ru, &ping).await?;
    let pong = send(
        us,
        json!({"to": {"party": "RU", "tier": "technical"}, "from_tier": "technical",
        "kind": "pong", "in_reply_to": ping, "body": {"note": "Loud and clear"}}),
    )
    .await?;
    wait_delivered(us, &pong).await?;

    step("2. Incident notification: RU → US, FLASH, TLP:AMBER, with a STIX 2.1 bundle");
    let notification = send(ru, json!({
        "to": {"party": "US", "tier": "technical"}, "from_tier": "technical",
        "kind": "notification", "precedence": "flash", "tlp": "AMBER",
        "body": {
            "subject": "Scanning of power-grid SCADA from a US-registered network",
            "summary": "Since 09:00 UTC, sustained Modbus/TCP scanning of substation controllers from 203.0.113.0/24. Requesting investigation.",
            "stix": {"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects": [{
                "type": "indicator", "spec_version": "2.1",
                "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
                "created": "2026-11-28T09:30:00.000Z", "modified": "2026-11-28T09:30:00.000Z",
                "name": "Modbus scanning source",
                "description": "Source range of sustained Modbus/TCP scanning of substation controllers",
                "pattern_type": "stix",
                "pattern": "[ipv4-addr:value ISSUBSET '203.0.113.0/24']",
                "valid_from": "2026-11-28T09:00:00Z"}]}
        }})).await?;
    wait_delivered(ru, &notification).await?;

    step(
        "2a. A person is alerted: US's first duty officer gets an email (local SMTP sink) and acknowledges the alert from its link",
    );
    alerted_and_acknowledged(us, mailroom, &notification, &note).await?;

    step(
        "3. Clearance is enforced: US officer (technical, operational) tries to write at leadership tier",
    );
    let refused = us
        .client
        .post::<_, Value>(
            "/api/v1/messages",
            &json!({"to": {"party": "RU", "tier": "leadership"},
            "from_tier": "leadership", "kind": "goodwill", "body": {"text": "Greetings"}}),
        )
        .await;
    match refused {
        Err(ApiCallError::Problem(problem)) => note(format!(
            "US refused it ({}): {}",
            problem.status, problem.detail
        )),
        Err(other) => return Err(other.into()),
        Ok(_) => bail!("the node accepted a message above the officer's clearance"),
    }

    step(
        "4. No acknowledgement within the agreed hour (the demo's clock jumps 61 minutes): RU's agreement engine escalates to US's operational tier",
    );
    clock.advance(chrono::TimeDelta::minutes(61));
    let escalated = wait_for(us, &notification, "US's view of the escalation", |m| {
        m["deadlines"][0]["escalated_to"] == json!(["operational"])
    })
    .await?;
    for text in output::deadline_lines(&escalated).lines() {
        note(format!("US  {text}"));
    }

    step("5. US acknowledges the notification — late, and the record says by how much");
    let ack: Value = us
        .client
        .post(
            &format!("/api/v1/messages/{notification}/ack"),
            &json!({"note": "Received. CERT investigating the source network."}),
        )
        .await?;
    wait_delivered(us, output::str(&ack, "/id")).await?;
    let acknowledged = wait_for(
        ru,
        &notification,
        "RU's record of the late acknowledgement",
        |m| m["deadlines"][0]["state"] == "late",
    )
    .await?;
    for text in output::deadline_lines(&acknowledged).lines() {
        note(format!("RU  {text}"));
    }

    step("6. US replies with its findings (final reply, within the 24-hour reply deadline)");
    let reply = send(us, json!({
        "to": {"party": "RU", "tier": "technical"}, "from_tier": "technical",
        "kind": "reply", "in_reply_to": notification, "tlp": "AMBER",
        "body": {"stage": "final", "text": "The scanning came from a compromised university host; it has been isolated and the owner notified."}
    })).await?;
    wait_delivered(us, &reply).await?;

    step(
        "7. A reciprocal guarantee of non-interference, elections included: RU's ministry proposes it, US's countersigns the same bytes",
    );
    let proposed: Value = ru
        .ministry
        .post(
            "/api/v1/guarantees",
            &json!({"guarantee": demo_guarantee(clock.now()), "from_tier": "policy"}),
        )
        .await?;
    let guarantee = output::str(&proposed, "/id").to_owned();
    note(format!(
        "RU  {guarantee}: {} — nobody is bound before both have signed",
        output::str(&proposed, "/status")
    ));
    poll(
        &us.ministry,
        &format!("/api/v1/guarantees/{guarantee}"),
        "US holds the proposed guarantee",
        |_| true,
    )
    .await?;
    let signed: Value = us
        .ministry
        .post(
            &format!("/api/v1/guarantees/{guarantee}/sign"),
            &json!({"from_tier": "policy"}),
        )
        .await?;
    note(format!(
        "US  {guarantee}: {}",
        output::str(&signed, "/status")
    ));
    let seen = poll(
        &ru.ministry,
        &format!("/api/v1/guarantees/{guarantee}"),
        "RU sees the guarantee in force",
        |g| g["state"] == "in-force",
    )
    .await?;
    note(format!(
        "RU  {guarantee}: {}",
        output::str(&seen, "/status")
    ));

    step(
        "8. A no-first-use pledge hosted by the neutral UN node: RU and US sign it through the peer API",
    );
    let pledge: Value = un
        .ministry
        .post(
            "/api/v1/pledges",
            &json!({"pledge": demo_pledge(clock.now())}),
        )
        .await?;
    let reference = output::str(&pledge, "/reference").to_owned();
    note(format!(
        "UN  published {reference}: {}",
        output::str(&pledge, "/title")
    ));
    for n in [ru, us] {
        n.ministry
            .post::<_, Value>(
                &format!("/api/v1/pledges/{reference}/sign"),
                &json!({"from_tier": "policy"}),
            )
            .await?;
    }
    let registry = poll(
        &un.ministry,
        &format!("/api/v1/pledges/{reference}"),
        "UN records both signatures",
        |p| p["signatories"].as_array().is_some_and(|s| s.len() == 2),
    )
    .await?;
    for s in registry["signatories"].as_array().into_iter().flatten() {
        note(format!(
            "UN  {reference}: signed by {} at {}",
            output::str(s, "/party"),
            output::str(s, "/signed_at")
        ));
    }

    step("9. The neutral UN node checks both lines");
    for to in ["RU", "US"] {
        let id = send(
            un,
            json!({"to": {"party": to, "tier": "technical"}, "from_tier": "technical",
            "kind": "ping", "body": {"note": "Hub communication check"}}),
        )
        .await?;
        wait_delivered(un, &id).await?;
    }

    step("10. What RU can show about its notification (detente show)");
    let shown: Value = ru
        .client
        .get(&format!("/api/v1/messages/{notification}"))
        .await?;
    if shown["acknowledged_by"].is_null() {
        bail!("RU does not see the acknowledgement of {notification}");
    }
    for text in output::message_detail(&shown).lines() {
        note(text.to_owned());
    }

    step("11. Witnesses: US and the neutral UN cosign each party's log (detente log status)");
    for n in [ru, us] {
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            let status: Value = n.client.get("/api/v1/log/status").await?;
            let cosigners = status["cosignatures"].as_array().map_or(0, |c| {
                c.iter().filter(|c| c["size"] == status["size"]).count()
            });
            if status["witnessed"] == true && cosigners == 2 {
                break status;
            }
            if Instant::now() > deadline {
                bail!(
                    "{}'s log was not cosigned by both witnesses within 30 s: {status}",
                    n.code
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        for text in output::log_status(&status).lines() {
            note(format!("{}  {text}", n.code));
        }
    }

    step(
        "12. Responsiveness: RU's figures with US for this quarter (detente stats --with US --period …)",
    );
    let period = Period::quarter_of(clock.now());
    let query = format!("counterparty=US&from={}&to={}", period.from, period.to);
    let stats: Stats = ru.client.get(&format!("/api/v1/stats?{query}")).await?;
    for text in output::stats_table(&stats).lines() {
        note(format!("RU  {text}"));
    }

    step(
        "13. Evidence: RU exports its whole exchange with US, with those figures; anyone can verify it offline (detente evidence, detente verify)",
    );
    let bundle: Bundle = ru.client.get(&format!("/api/v1/evidence?{query}")).await?;
    if let Some(path) = evidence {
        output::write_atomically(path, &bundle.to_json(), "the evidence bundle")?;
        note(format!(
            "bundle kept in {} — check it yourself: detente verify {}",
            path.display(),
            path.display()
        ));
    }
    let report = detente_evidence::verify(&bundle, &detente_evidence::Options::default());
    for text in report.to_string().lines() {
        note(text.to_owned());
    }
    if report.exit_code() != 0 {
        bail!("the demo's own evidence bundle does not verify:\n{report}");
    }
    let claimed = bundle
        .stats
        .as_ref()
        .context("the node exported the bundle without its figures")?;
    let recomputed = report
        .figures
        .as_ref()
        .context("the verifier did not recompute the figures")?;
    if claimed.rows != stats.rows || recomputed.rows != stats.rows {
        bail!(
            "the figures differ: detente stats showed {:?}, the bundle claims {:?}, verify recomputed {:?}",
            stats.rows,
            claimed.rows,
            recomputed.rows
        );
    }
    note(format!(
        "MATCH: the {} rows of figures detente stats showed (step 12) are the ones detente verify recomputed from the signed messages and receipts",
        stats.rows.len()
    ));
    Ok(())
}

/// The reciprocal guarantee RU proposes: in force from now, open-ended,
/// withdrawable with 90 days' notice.
fn demo_guarantee(now: detente_proto::time::Timestamp) -> String {
    format!(
        r#"id = "ru-us-non-interference"
reciprocal = true
issuer = "RU"
beneficiary = "US"
scope = ["internal-affairs", "elections"]
effective_from = "{now}"
notice = "90d"

[text]
en = "Each party guarantees that it will not interfere, by means of ICT, in the internal affairs of the other, its electoral processes included."
ru = "Каждая сторона гарантирует невмешательство с использованием ИКТ во внутренние дела другой стороны, включая избирательные процессы."
"#
    )
}

/// The pledge UN hosts: open for signature for a year.
fn demo_pledge(now: detente_proto::time::Timestamp) -> String {
    format!(
        r#"id = "no-first-use"
host = "UN"
title = "Pledge of no first use of ICT against each other"
open_from = "{now}"
open_until = "{until}"

[text]
en = "Each signatory pledges not to be the first to use ICT against another signatory."
ru = "Каждый подписавший обязуется не применять первым ИКТ против другого подписавшего."
ar = "يتعهد كل موقّع بألا يكون البادئ باستخدام تكنولوجيا المعلومات والاتصالات ضد أي موقّع آخر."
"#,
        until = now.plus(chrono::TimeDelta::days(365))
    )
}

/// Polls `path` at `at`'s node until `ready` holds; returns the answer.
async fn poll(
    client: &OfficerClient,
    path: &str,
    what: &str,
    ready: impl Fn(&Value) -> bool,
) -> anyhow::Result<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(answer) = client.get::<Value>(path).await
            && ready(&answer)
        {
            return Ok(answer);
        }
        if Instant::now() > deadline {
            bail!("{what}: not so within 30 s ({path})");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Polls message `id` at `at`'s node until `ready` holds; returns its view.
async fn wait_for(
    at: &DemoNode,
    id: &str,
    what: &str,
    ready: impl Fn(&Value) -> bool,
) -> anyhow::Result<Value> {
    poll(&at.client, &format!("/api/v1/messages/{id}"), what, ready).await
}

/// Waits for US's alert email about `notification`, shows it, and
/// acknowledges the alert through the link it carries, as its recipient
/// would.
async fn alerted_and_acknowledged(
    us: &DemoNode,
    mailroom: &MailSink,
    notification: &str,
    note: &impl Fn(String),
) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mail = loop {
        let found = mailroom
            .received()
            .into_iter()
            .find(|mail| String::from_utf8_lossy(&mail.data).contains(notification));
        if let Some(mail) = found {
            break mail;
        }
        if Instant::now() > deadline {
            bail!("no alert email about {notification} reached the SMTP sink within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let parsed = mailparse::parse_mail(&mail.data).context("the alert email does not parse")?;
    let subject = parsed
        .headers
        .iter()
        .find(|h| h.get_key().eq_ignore_ascii_case("subject"))
        .map(|h| h.get_value())
        .unwrap_or_default();
    let text = parsed
        .get_body()
        .context("the alert email has no readable text")?;
    note(format!(
        "US  ALERT EMAIL to {}: {subject}",
        mail.to.join(", ")
    ));
    let link = text
        .split_whitespace()
        .find(|word| word.contains("/alerts/ack/"))
        .context("the alert email carries no acknowledgement link")?;
    let pin = us.running.node().card().keys().tls_spki_sha256;
    let http = reqwest::Client::builder()
        .use_preconfigured_tls(detente_node::tls::officer_client_config(pin)?)
        .build()
        .context("cannot set up HTTPS to US's node")?;
    let answer = http
        .post(link)
        .send()
        .await
        .context("cannot open the acknowledgement link")?;
    if !answer.status().is_success() {
        bail!("the acknowledgement link answered {}", answer.status());
    }
    let alerts: Value = us.client.get("/api/v1/alerts?state=all").await?;
    let alert = alerts["alerts"]
        .as_array()
        .and_then(|list| {
            list.iter()
                .find(|a| a["message_id"] == notification && a["cause"] == "arrival")
        })
        .context("US lists no alert for the notification")?;
    note(format!(
        "US  alert #{} ACKNOWLEDGED by {} via {}: nobody else on the rota is alerted; the message itself is {}",
        alert["id"],
        output::str(alert, "/acknowledged_by"),
        output::str(alert, "/acknowledged_via"),
        if alert["message_acknowledged"] == true {
            "acknowledged"
        } else {
            "NOT acknowledged yet (that is the officer's answer to RU)"
        }
    ));
    Ok(())
}

/// Writes the state file: how to reach each node. `phase` is `playing`
/// while the script runs and `serving` once it has ended.
fn write_state_file(path: &Path, nodes: &[DemoNode], phase: &str) -> anyhow::Result<()> {
    let mut parties = serde_json::Map::new();
    for n in nodes {
        parties.insert(
            n.code.into(),
            json!({
                "base_url": n.base_url,
                "officer_token": n.token,
                "ministry_token": n.ministry_token,
                "fingerprint": n.fingerprint.to_string(),
                "node_dir": n.dir,
                "tls_certificate": n.dir.join("keys").join("tls.crt"),
                "openapi": format!("{}/api/v1/openapi.json", n.base_url),
                "metrics": {"url": format!("{}/metrics", n.base_url), "token": n.metrics_token},
                "console": {
                    "url": format!("{}/", n.base_url),
                    "officer": {"name": n.officer, "password": n.password},
                    "ministry": {"name": n.minister, "password": n.ministry_password},
                },
                "taxii": {
                    "discovery": format!("{}/taxii2/", n.base_url),
                    "user": TAXII_ACCOUNT,
                    "password": n.taxii_secret,
                    "clearance": "AMBER+STRICT",
                },
            }),
        );
    }
    let state = json!({"phase": phase, "parties": parties});
    let text = serde_json::to_string_pretty(&state)?;
    output::write_atomically(path, text.as_bytes(), "the state file")
}
