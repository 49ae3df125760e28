//! Administrator commands: init, serve, peer, officer. These work on the
//! node directory directly (they need its keys or database).

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

use anyhow::{Context, bail};
use detente_node::config::NodeConfig;
use detente_node::init::{InitOptions, init_node};
use detente_node::node::open_store;
use detente_node::officers::{issue_token, parse_tiers};
use detente_node::peers::add_peer;
use detente_node::{Node, RunningNode};
use detente_proto::body::TierContact;
use detente_proto::card::SignedCard;
use detente_proto::clock::{Clock, SystemClock};
use detente_proto::ids::{Fingerprint, OfficerName};
use detente_store::OfficerRecord;

use crate::cli::{DirArg, InitArgs, OfficerAddArgs, OfficerRemoveArgs, PeerAddArgs};

pub fn init(args: InitArgs) -> anyhow::Result<()> {
    let party = args
        .party
        .parse()
        .map_err(anyhow::Error::msg)
        .context("--party")?;
    let contacts = args
        .contacts
        .iter()
        .map(|c| {
            let (tier, text) = c.split_once('=').ok_or_else(|| {
                anyhow::anyhow!(
                    "--contact {c:?}: write TIER=TEXT, e.g. technical=\"+7 495 000 00 00\""
                )
            })?;
            Ok(TierContact {
                tier: tier.parse().map_err(anyhow::Error::msg)?,
                contact: text.to_owned(),
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let options = InitOptions {
        name: args.name.unwrap_or_else(|| args.party.clone()),
        party,
        listen: args.listen,
        endpoint: args.endpoint,
        contacts,
    };
    let report = init_node(&args.dir, options, SystemClock.now())?;
    println!("Created node directory {}", report.dir.display());
    println!("  card:        {}", report.card_path.display());
    println!("  fingerprint: {}", report.fingerprint);
    println!();
    println!("Next:");
    println!(
        "  1. Give {} to each peer, and read them the fingerprint over a separate channel.",
        report.card_path.display()
    );
    println!(
        "  2. Add their cards:   detente peer add THEIR-card.json --dir {} --fingerprint THEIR-FINGERPRINT",
        report.dir.display()
    );
    println!(
        "  3. Add an officer:    detente officer add --dir {} --name NAME --tiers technical",
        report.dir.display()
    );
    println!(
        "  4. Start the node:    detente serve --dir {}",
        report.dir.display()
    );
    Ok(())
}

pub async fn serve(args: DirArg) -> anyhow::Result<()> {
    init_logging("info");
    let node = Node::open(&args.dir, Arc::new(SystemClock))?;
    let listen = node.config().listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}; is another node running there? change `listen` in detente.toml"))?;
    let running = RunningNode::start(node.clone(), listener)?;
    println!(
        "{} serving on https://{} (peer API, officer API); fingerprint {}; Ctrl-C or SIGTERM stops",
        node.party(),
        running.addr(),
        node.card().fingerprint()
    );
    wait_for_stop_signal().await?;
    println!("stopping…");
    running.stop().await;
    Ok(())
}

/// Waits for Ctrl-C (SIGINT) or SIGTERM, as sent by service managers.
pub async fn wait_for_stop_signal() -> anyhow::Result<()> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot listen for SIGTERM")?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result.context("waiting for Ctrl-C")?,
        _ = terminate.recv() => {}
    }
    Ok(())
}

/// Structured logs on stderr: `RUST_LOG` sets the level (else `default`),
/// `DETENTE_LOG_FORMAT=json` switches to one JSON object per line.
pub fn init_logging(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = if std::env::var("DETENTE_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

pub fn peer_add(args: PeerAddArgs) -> anyhow::Result<()> {
    let dir = &args.dir.dir;
    let config = NodeConfig::load(dir)?;
    let bytes = std::fs::read(&args.card)
        .with_context(|| format!("cannot read {}", args.card.display()))?;
    let card = SignedCard::parse(&bytes)
        .with_context(|| format!("{} is not a valid signed party card", args.card.display()))?;
    let confirmed: Fingerprint = match args.fingerprint {
        Some(text) => text
            .parse()
            .map_err(anyhow::Error::msg)
            .context("--fingerprint")?,
        None => confirm_interactively(&card)?,
    };
    let store = open_store(dir, &config)?;
    let card = add_peer(
        store.as_ref(),
        &config.party,
        &bytes,
        &confirmed,
        SystemClock.now(),
    )?;
    println!(
        "Added {} ({}) at {} — fingerprint {} confirmed.",
        card.card().party,
        card.card().name,
        card.card().endpoint,
        card.fingerprint()
    );
    println!("A running node uses it within a few seconds; no restart is needed.");
    Ok(())
}

fn confirm_interactively(card: &SignedCard) -> anyhow::Result<Fingerprint> {
    let c = card.card();
    // The card's own fingerprint is not shown: the point is that the person
    // types what the other party read to them, not what the file says.
    println!("Card of {} ({}), endpoint {}", c.party, c.name, c.endpoint);
    if !std::io::stdin().is_terminal() {
        bail!(
            "not adding {}: confirm the fingerprint with --fingerprint when not at a terminal",
            c.party
        );
    }
    print!(
        "Type the fingerprint {} read to you out of band (SHA256:…): ",
        c.party
    );
    std::io::stdout().flush().ok();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading your answer")?;
    line.trim()
        .parse()
        .map_err(|e: String| anyhow::anyhow!("{e}; {} was not added", c.party))
}

pub fn peer_list(args: DirArg) -> anyhow::Result<()> {
    let config = NodeConfig::load(&args.dir)?;
    let store = open_store(&args.dir, &config)?;
    let peers = store.peers()?;
    if peers.is_empty() {
        println!("No peers yet. Add one with `detente peer add CARD --fingerprint …`.");
    }
    for peer in peers {
        let card = SignedCard::parse(&peer.card)?;
        println!(
            "{:<6} {:<30} {:<28} {}",
            peer.party,
            card.card().name,
            card.card().endpoint,
            peer.fingerprint
        );
    }
    Ok(())
}

pub fn officer_add(args: OfficerAddArgs) -> anyhow::Result<()> {
    let dir = &args.dir.dir;
    let config = NodeConfig::load(dir)?;
    let name: OfficerName = args
        .name
        .parse()
        .map_err(anyhow::Error::msg)
        .context("--name")?;
    let tiers = parse_tiers(&args.tiers)
        .map_err(anyhow::Error::msg)
        .context("--tiers")?;
    let (token, token_sha256) = issue_token();
    let store = open_store(dir, &config)?;
    store.add_officer(&OfficerRecord {
        name: name.clone(),
        tiers: tiers.clone(),
        token_sha256,
        created_at: SystemClock.now(),
    })?;
    println!(
        "Added officer {name}, cleared for {}.",
        tiers
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("Token (shown once; the node keeps only its hash):");
    println!("{token}");
    Ok(())
}

pub fn officer_list(args: DirArg) -> anyhow::Result<()> {
    let config = NodeConfig::load(&args.dir)?;
    let store = open_store(&args.dir, &config)?;
    for officer in store.officers()? {
        println!(
            "{:<24} {:<40} since {}",
            officer.name.as_str(),
            officer
                .tiers
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(","),
            officer.created_at
        );
    }
    Ok(())
}

pub fn officer_remove(args: OfficerRemoveArgs) -> anyhow::Result<()> {
    let dir = &args.dir.dir;
    let config = NodeConfig::load(dir)?;
    let name: OfficerName = args
        .name
        .parse()
        .map_err(anyhow::Error::msg)
        .context("--name")?;
    let store = open_store(dir, &config)?;
    if store.remove_officer(&name)? {
        println!("Removed officer {name}; their token no longer works.");
        Ok(())
    } else {
        bail!("no officer named {name}; see `detente officer list`")
    }
}

pub async fn bench_log(args: crate::cli::BenchLogArgs) -> anyhow::Result<()> {
    let parent = args.dir.unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::Builder::new()
        .prefix("detente-bench-")
        .tempdir_in(&parent)
        .with_context(|| {
            format!(
                "cannot create a temporary directory in {}",
                parent.display()
            )
        })?;
    println!(
        "Sequencing {} log entries from {} concurrent submitters into SQLite (WAL, synchronous=FULL) in {} …",
        args.entries,
        args.concurrency,
        dir.path().display()
    );
    let report = detente_node::bench::log(dir.path(), args.entries, args.concurrency).await?;
    println!(
        "{} entries in {:.3} s: {:.0} entries/s sustained, durable; {} batches (mean {:.0} entries per commit)",
        report.entries,
        report.elapsed.as_secs_f64(),
        report.entries_per_second(),
        report.batches,
        report.entries as f64 / report.batches.max(1) as f64
    );
    Ok(())
}
