//! Administrator commands: init, serve, peer, officer, taxii account.
//! These work on the node directory directly (they need its keys or
//! database).

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

use anyhow::{Context, bail};
use detente_node::admin::{self, AccountSpec, Issued, OfficerSpec};
use detente_node::config::NodeConfig;
use detente_node::init::{InitOptions, init_node};
use detente_node::node::open_store;
use detente_node::officers::parse_tiers;
use detente_node::peers::add_peer;
use detente_node::taxii::access::parse_grants;
use detente_node::{Node, RunningNode};
use detente_proto::body::TierContact;
use detente_proto::card::SignedCard;
use detente_proto::clock::{Clock, SystemClock};
use detente_proto::ids::{Fingerprint, OfficerName, Tier};
use detente_store::TaxiiGrant;
use zeroize::Zeroizing;

use crate::cli::{
    DirArg, InitArgs, OfficerAddArgs, OfficerPasswdArgs, OfficerRemoveArgs, PeerAddArgs,
    TaxiiAccountAddArgs, TaxiiAccountListArgs, TaxiiAccountRemoveArgs,
};

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
    // A file for the recovery key must be new; checked before the node is made.
    if let Some(path) = args.recovery_key_to.as_ref().filter(|p| p.exists()) {
        anyhow::bail!(
            "--recovery-key-to {}: the file exists; name a new file (a recovery key is never overwritten)",
            path.display()
        );
    }
    let report = init_node(&args.dir, options, SystemClock.now())?;
    if let Some(path) = &args.recovery_key_to
        && let Err(e) = crate::maintenance::save_recovery_key(path, &report.recovery)
    {
        // Without its recovery key the new node is not kept: nothing has
        // used it yet.
        let _ = std::fs::remove_dir_all(&report.dir);
        return Err(e.context(format!(
            "cannot write the recovery key to {}; nothing was created",
            path.display()
        )));
    }
    println!("Created node directory {}", report.dir.display());
    println!("  card:        {}", report.card_path.display());
    println!("  fingerprint: {}", report.fingerprint);
    crate::maintenance::show_recovery_key(&report.recovery, args.recovery_key_to.as_deref());
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
    // Held until the process ends: no key rotation while the node runs.
    let _lock = detente_node::rotation::DirLock::take(&args.dir)?;
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
    let name = officer_name(&args.name)?;
    let tiers = parse_tiers(&args.tiers)
        .map_err(anyhow::Error::msg)
        .context("--tiers")?;
    // Asked before anything is written, so a mistyped password adds nobody.
    let password = args
        .password
        .then(|| read_new_password(args.password_stdin))
        .transpose()?;
    let store = open_store(dir, &config)?;
    if let Some(password) = &password {
        // Checked before the officer is added: a refused password adds nobody.
        detente_node::console::check_password(password).context("--password")?;
    }
    let Issued { record, credential } =
        admin::add_officer(&*store, &SystemClock, &OfficerSpec { name, tiers })?;
    if let Some(password) = &password {
        admin::set_officer_password(&*store, &SystemClock, &record.name, password)?;
    }
    println!(
        "Added officer {}, cleared for {}.",
        record.name,
        record
            .tiers
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if password.is_some() {
        println!(
            "Console password set: {} signs in at the node's address.",
            record.name
        );
    }
    println!("Token (shown once; the node keeps only its hash):");
    println!("{credential}");
    Ok(())
}

/// The officer named by `--name`.
fn officer_name(text: &str) -> anyhow::Result<OfficerName> {
    text.parse().map_err(anyhow::Error::msg).context("--name")
}

pub fn officer_passwd(args: OfficerPasswdArgs) -> anyhow::Result<()> {
    let dir = &args.dir.dir;
    let config = NodeConfig::load(dir)?;
    let name = officer_name(&args.name)?;
    let store = open_store(dir, &config)?;
    if store.officer(&name)?.is_none() {
        return Err(admin::AdminError::NoSuchOfficer { name }.into());
    }
    let password = read_new_password(args.password_stdin)?;
    admin::set_officer_password(&*store, &SystemClock, &name, &password)?;
    println!("Console password of {name} set; their console sessions have ended.");
    Ok(())
}

/// A new password: the first line of standard input, or asked twice at
/// the terminal without echo.
fn read_new_password(from_stdin: bool) -> anyhow::Result<Zeroizing<String>> {
    if from_stdin {
        let mut line = Zeroizing::new(String::new());
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        let password = line.trim_end_matches(['\r', '\n']).to_owned();
        return Ok(Zeroizing::new(password));
    }
    if !std::io::stdin().is_terminal() {
        bail!("not at a terminal: give the password on standard input with --password-stdin");
    }
    let first = Zeroizing::new(
        rpassword::prompt_password("New console password: ").context("reading the password")?,
    );
    let second = Zeroizing::new(
        rpassword::prompt_password("The same again: ").context("reading the password")?,
    );
    if first != second {
        bail!("the two passwords differ; nothing was changed");
    }
    Ok(first)
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
    let name = officer_name(&args.name)?;
    let store = open_store(dir, &config)?;
    admin::remove_officer(&*store, &name)?;
    println!("Removed officer {name}; their token no longer works.");
    Ok(())
}

/// An account's grants as the command line gives them: `--read`/`--write`
/// as PARTY/COLLECTION lists (docs/taxii.md, "Accounts"). What the grants
/// must be is [`admin::check_account`]'s.
fn account_grants(read: &[String], write: &[String]) -> anyhow::Result<Vec<TaxiiGrant>> {
    let mut grants = Vec::new();
    for text in read {
        grants.extend(
            parse_grants(text, true, false).map_err(|e| anyhow::anyhow!("--read {text:?}: {e}"))?,
        );
    }
    for text in write {
        // parse_grants keeps write to drafts, the only collection TAXII
        // clients add to, and refuses it on the others.
        grants.extend(
            parse_grants(text, false, true)
                .map_err(|e| anyhow::anyhow!("--write {text:?}: {e}"))?,
        );
    }
    Ok(grants)
}

/// `US/received-from read, US/drafts read+write`.
fn grants_text(grants: &[TaxiiGrant]) -> String {
    grants
        .iter()
        .map(|g| {
            let rights = match (g.read, g.write) {
                (true, true) => "read+write",
                (true, false) => "read",
                (false, true) => "write",
                (false, false) => "none",
            };
            format!("{}/{} {rights}", g.counterparty, g.collection)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn tiers_text(tiers: &[Tier]) -> String {
    if tiers.is_empty() {
        return "-".into();
    }
    tiers
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn taxii_account_add(args: TaxiiAccountAddArgs) -> anyhow::Result<()> {
    let dir = &args.dir.dir;
    let grants = account_grants(&args.read, &args.write)?;
    let tiers = match args.tiers.as_deref() {
        Some(text) => parse_tiers(text)
            .map_err(anyhow::Error::msg)
            .context("--tiers")?,
        None => Vec::new(),
    };
    let config = NodeConfig::load(dir)?;
    let store = open_store(dir, &config)?;
    let spec = AccountSpec {
        name: admin::account_name(&args.name)?,
        clearance: args.clearance,
        tiers,
        grants,
    };
    let Issued { record, credential } = admin::add_taxii_account(&*store, &SystemClock, &spec)?;
    let (grants, tiers, secret) = (record.grants, record.tiers, credential);
    let red = if tiers.is_empty() {
        String::new()
    } else {
        format!(" (RED of {})", tiers_text(&tiers))
    };
    println!(
        "Added TAXII account {}: clearance {}{red}; {}.",
        args.name,
        args.clearance,
        grants_text(&grants)
    );
    println!("Secret (shown once; the node keeps only its hash):");
    println!("{secret}");
    println!();
    let base = config.endpoint.trim_end_matches('/');
    println!("A TAXII 2.1 client connects with HTTP Basic:");
    println!("  discovery    {base}/taxii2/");
    let mut roots: Vec<_> = grants.iter().map(|g| &g.counterparty).collect();
    roots.dedup();
    for party in roots {
        println!(
            "  API root     {base}/taxii2/{}/   (with {party}: collections {})",
            party.as_str().to_ascii_lowercase(),
            grants
                .iter()
                .filter(|g| &g.counterparty == party)
                .map(|g| g.collection.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    println!("  user         {}", args.name);
    println!("  password     the secret above");
    println!(
        "  certificate  {} (the node's own, self-signed: trust exactly this one)",
        dir.join("keys").join("tls.crt").display()
    );
    Ok(())
}

pub fn taxii_account_list(args: TaxiiAccountListArgs) -> anyhow::Result<()> {
    let config = NodeConfig::load(&args.dir.dir)?;
    let store = open_store(&args.dir.dir, &config)?;
    let accounts = store.taxii_accounts()?;
    if args.json {
        let list: Vec<serde_json::Value> = accounts
            .iter()
            .map(|a| {
                serde_json::json!({
                    "name": a.name,
                    "clearance": a.clearance,
                    "tiers": a.tiers.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
                    "grants": a.grants.iter().map(|g| serde_json::json!({
                        "counterparty": g.counterparty.as_str(),
                        "collection": g.collection.as_str(),
                        "read": g.read,
                        "write": g.write,
                    })).collect::<Vec<_>>(),
                    "created_at": a.created_at.to_string(),
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "accounts": list }))?
        );
        return Ok(());
    }
    if accounts.is_empty() {
        println!(
            "No TAXII accounts yet. Add one with `detente taxii account add NAME --read 'US/*' --write US/drafts --clearance AMBER`."
        );
        return Ok(());
    }
    println!(
        "{:<24} {:<13} {:<24} {:<24} GRANTS",
        "NAME", "CLEARANCE", "TIERS", "SINCE"
    );
    for account in accounts {
        println!(
            "{:<24} {:<13} {:<24} {:<24} {}",
            account.name,
            account.clearance.as_str(),
            tiers_text(&account.tiers),
            account.created_at,
            grants_text(&account.grants)
        );
    }
    Ok(())
}

pub fn taxii_account_remove(args: TaxiiAccountRemoveArgs) -> anyhow::Result<()> {
    let config = NodeConfig::load(&args.dir.dir)?;
    let store = open_store(&args.dir.dir, &config)?;
    admin::remove_taxii_account(&*store, &admin::account_name(&args.name)?)?;
    println!(
        "Removed TAXII account {}; its secret no longer works.",
        args.name
    );
    Ok(())
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

pub async fn bench_taxii(args: crate::cli::BenchTaxiiArgs) -> anyhow::Result<()> {
    use crate::bench_taxii::{Progress, TaxiiBenchOptions, noise_band};
    use std::sync::atomic::{AtomicU64, Ordering};
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
    let options = TaxiiBenchOptions {
        objects: args.objects,
        batch: args.batch,
        posters: args.posters,
        samples: args.samples,
        breakdown: args.breakdown,
        http1: args.http1,
        ..TaxiiBenchOptions::default()
    };
    let (objects, batch, posters, path) = (
        options.objects,
        options.batch,
        options.posters,
        dir.path().display().to_string(),
    );
    let http = if options.http1 {
        "HTTP/1.1"
    } else {
        "h2 (ALPN)"
    };
    let tenths = AtomicU64::new(0);
    let progress = Arc::new(move |step: Progress| match step {
        Progress::Serving(addr) => println!(
            "A fresh node serves TAXII 2.1 on https://{addr} (SQLite in {path}); posting {objects} STIX indicators, {batch} a POST, from {posters} posters over {http} …"
        ),
        Progress::Ingested { done, total } => {
            let tenth = done * 10 / total.max(1);
            if tenths.fetch_max(tenth, Ordering::Relaxed) < tenth {
                println!("  {done} / {total} objects in");
            }
        }
        Progress::Probing(present) => {
            println!("  first-page latency with {present} objects in …")
        }
        Progress::Reading => println!("  reading every page …"),
        Progress::Breakdown => println!("  the same objects in process, without HTTP …"),
    });
    let report = crate::bench_taxii::taxii(dir.path(), options, progress).await?;
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!(
        "Ingest: {} objects in {:.3} s over {} POSTs: {:.0} objects/s (every status complete, all added)",
        report.ingest.objects,
        report.ingest.elapsed.as_secs_f64(),
        report.posts,
        report.ingest.per_second()
    );
    println!(
        "Read:   {} objects in {:.3} s over {} pages (limit=1000, following next): {:.0} objects/s",
        report.read.objects,
        report.read.elapsed.as_secs_f64(),
        report.pages,
        report.read.per_second()
    );
    println!(
        "First page (limit=100), {} requests each:",
        report.latency_early.samples
    );
    for (present, latency) in [
        (report.options.early, report.latency_early),
        (report.options.objects, report.latency_full),
    ] {
        println!(
            "  at {present:>9} objects: median {:.3} ms, p95 {:.3} ms (min {:.3}, max {:.3})",
            ms(latency.median),
            ms(latency.p95),
            ms(latency.min),
            ms(latency.max)
        );
    }
    println!(
        "  {}: the medians differ by {:.3} ms; the noise band is {:.3} ms",
        if report.latency_flat() {
            "within noise"
        } else {
            "NOT within noise"
        },
        ms(report
            .latency_early
            .median
            .abs_diff(report.latency_full.median)),
        ms(noise_band(&report.latency_early, &report.latency_full))
    );
    println!(
        "  of which the store's query (Store::stix_objects, in process): median {:.3} ms at {}, {:.3} ms at {} objects ({})",
        ms(report.store_page_early.median),
        report.options.early,
        ms(report.store_page_full.median),
        report.options.objects,
        if report.store_page_flat() {
            "within noise"
        } else {
            "NOT within noise"
        }
    );
    if let (Some(node), Some(store)) = (report.node_path, report.store_path) {
        println!(
            "In process, {} objects each: Node::taxii_post (validate + store, no HTTP) {:.0} objects/s; Store::create_draft alone {:.0} objects/s",
            node.objects,
            node.per_second(),
            store.per_second()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use detente_node::taxii::access::merge_grants;

    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn reading_everything_and_writing_drafts_is_three_grants() {
        let grants = account_grants(&strings(&["US/*"]), &strings(&["US/drafts"])).expect("fine");
        assert_eq!(
            grants_text(&merge_grants(grants)),
            "US/received-from read, US/sent-to read, US/drafts read+write"
        );
    }

    #[test]
    fn only_drafts_can_be_written() {
        let grants = account_grants(&[], &strings(&["US/*"])).expect("drafts");
        assert_eq!(grants_text(&grants), "US/drafts write");
        let error = account_grants(&[], &strings(&["US/received-from"]))
            .expect_err("read only")
            .to_string();
        assert!(
            error.starts_with("--write \"US/received-from\": ") && error.contains("US/drafts"),
            "{error}"
        );
    }

    #[test]
    fn a_grant_names_a_party_and_a_collection() {
        let error = account_grants(&strings(&["US/inbox"]), &[])
            .expect_err("bad collection")
            .to_string();
        assert!(
            error.starts_with("--read \"US/inbox\": ")
                && error.contains("received-from, sent-to, drafts"),
            "{error}"
        );
        assert!(account_grants(&strings(&["US"]), &[]).is_err());
    }
}
