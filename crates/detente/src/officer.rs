//! Officer commands: send, inbox, show, ack, evidence, stats, agreements,
//! guarantees, pledges, drafts and `taxii pull` — all through the running
//! node's officer API, exactly as any other client would use it.

mod alerts;
mod commitments;
mod drafts;

pub use alerts::alerts;
pub use commitments::{guarantee, pledge};
pub use drafts::{drafts, taxii_pull};

use anyhow::Context;
use detente_node::config::NodeConfig;
use detente_node::officer_client::OfficerClient;
use detente_proto::agreement::responsiveness::{Period, Stats};
use detente_proto::ids::PartyCode;
use serde_json::{Value, json};

use crate::cli::{AckArgs, Connection, InboxArgs, PeriodArgs, SendArgs, ShowArgs, StatsArgs};
use crate::output;

fn connect(connection: &Connection) -> anyhow::Result<OfficerClient> {
    let base_url = match &connection.node {
        Some(url) => url.clone(),
        None => {
            let config = NodeConfig::load(&connection.dir)?;
            let mut addr = config.listen;
            if addr.ip().is_unspecified() {
                addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
            }
            format!("https://{addr}")
        }
    };
    Ok(OfficerClient::for_node_dir(
        &connection.dir,
        &base_url,
        &connection.token,
    )?)
}

fn print(connection: &Connection, value: &Value, text: impl FnOnce(&Value) -> String) {
    if connection.json {
        println!(
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_default()
        );
    } else {
        print!("{}", text(value));
    }
}

pub async fn send(args: SendArgs) -> anyhow::Result<()> {
    let client = connect(&args.connection)?;
    let body_text = match args.body.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("--body @{path}: cannot read the file"))?,
        None => args.body.clone(),
    };
    let body: Value = serde_json::from_str(&body_text).context("--body is not valid JSON")?;
    let request = json!({
        "to": {"party": args.to, "tier": args.to_tier.as_deref().unwrap_or(&args.from_tier)},
        "from_tier": args.from_tier,
        "kind": args.kind,
        "precedence": args.precedence,
        "tlp": args.tlp,
        "exercise": args.exercise,
        "in_reply_to": args.in_reply_to,
        "body": body,
    });
    let message: Value = client.post("/api/v1/messages", &request).await?;
    print(&args.connection, &message, |m| {
        format!(
            "{} {} {} to {} — {}\n  follow it with: detente show {}\n",
            output::str(m, "/state"),
            output::str(m, "/kind"),
            output::str(m, "/id"),
            output::str(m, "/counterparty"),
            "signed and stored with its outbox entry; it is delivered once the recipient's receipt verifies",
            output::str(m, "/id"),
        )
    });
    Ok(())
}

pub async fn inbox(args: InboxArgs) -> anyhow::Result<()> {
    let client = connect(&args.connection)?;
    let mut path = format!("/api/v1/messages?box={}&limit={}", args.mailbox, args.limit);
    if let Some(state) = &args.state {
        path.push_str(&format!("&state={state}"));
    }
    let list: Value = client.get(&path).await?;
    print(&args.connection, &list, output::message_table);
    Ok(())
}

pub async fn show(args: ShowArgs) -> anyhow::Result<()> {
    let client = connect(&args.connection)?;
    let message: Value = client.get(&format!("/api/v1/messages/{}", args.id)).await?;
    print(&args.connection, &message, output::message_detail);
    Ok(())
}

pub async fn ack(args: AckArgs) -> anyhow::Result<()> {
    let client = connect(&args.connection)?;
    let message: Value = client
        .post(
            &format!("/api/v1/messages/{}/ack", args.id),
            &json!({"note": args.note}),
        )
        .await?;
    print(&args.connection, &message, |m| {
        format!(
            "acknowledgement {} queued to {}\n",
            output::str(m, "/id"),
            output::str(m, "/counterparty")
        )
    });
    Ok(())
}

pub async fn log_status(args: crate::cli::LogStatusArgs) -> anyhow::Result<()> {
    let client = connect(&args.connection)?;
    let status: Value = client.get("/api/v1/log/status").await?;
    print(&args.connection, &status, output::log_status);
    if status["alarms"]
        .as_array()
        .is_some_and(|alarms| !alarms.is_empty())
    {
        // A distinct exit code, so monitoring can tell "alarm" from "error".
        std::process::exit(3);
    }
    Ok(())
}

/// `--with PARTY`, checked here so that what goes into the URL is a code.
fn party_of(with: &str) -> anyhow::Result<PartyCode> {
    with.parse()
        .map_err(|e| anyhow::anyhow!("--with {with:?}: {e}"))
}

/// The period the flags name, checked here so that a mistake is named by
/// its flag before anything is asked of the node; `None` when no flag was
/// given (the node then takes its current quarter).
fn period_of(args: &PeriodArgs) -> anyhow::Result<Option<Period>> {
    match (&args.period, &args.from, &args.to) {
        (Some(period), _, _) => Ok(Some(*period)),
        (None, Some(from), Some(to)) => Period::between(from, to)
            .map(Some)
            .map_err(|e| anyhow::anyhow!("--from {from} --to {to}: {e}")),
        // clap makes --from and --to go together.
        _ => Ok(None),
    }
}

/// A period as query parameters: exact instants, so that the node counts
/// precisely the period checked here.
fn period_query(period: &Period) -> String {
    format!("from={}&to={}", period.from, period.to)
}

/// Fetches a bundle and checks it is one this detente can read.
async fn fetch_bundle(
    client: &OfficerClient,
    path: &str,
) -> anyhow::Result<detente_evidence::Bundle> {
    let bundle: detente_evidence::Bundle = client.get(path).await?;
    anyhow::ensure!(
        bundle.format == detente_evidence::FORMAT,
        "the node answered a bundle of format {:?}; this detente reads {:?}",
        bundle.format,
        detente_evidence::FORMAT
    );
    Ok(bundle)
}

pub async fn evidence(args: crate::cli::EvidenceArgs) -> anyhow::Result<()> {
    // Checked here, so that what goes into the URL is an id, a code or a period.
    let period = period_of(&args.period)?;
    // clap lets through one of thread, --with, --guarantee and --pledge.
    let path = match (&args.thread, &args.with, &args.guarantee, &args.pledge) {
        (Some(id), ..) => {
            let id: detente_proto::ids::MessageId = id
                .parse()
                .map_err(|e| anyhow::anyhow!("{id:?} is not a message id: {e}"))?;
            format!("/api/v1/threads/{id}/evidence")
        }
        (None, Some(party), ..) => {
            let party = party_of(party)?;
            match &period {
                Some(period) => format!(
                    "/api/v1/evidence?counterparty={party}&{}",
                    period_query(period)
                ),
                None => format!("/api/v1/evidence?counterparty={party}"),
            }
        }
        (None, None, Some(id), _) => format!("/api/v1/guarantees/{id}/evidence"),
        (None, None, None, Some(reference)) => format!(
            "/api/v1/pledges/{}/{}/evidence",
            reference.host, reference.id
        ),
        (None, None, None, None) => anyhow::bail!(
            "name a thread (any message id of it), --with PARTY, --guarantee ID or --pledge HOST/ID"
        ),
    };
    let client = connect(&args.connection)?;
    let bundle = fetch_bundle(&client, &path).await?;
    let bytes = bundle.to_json();
    match &args.output {
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
        Some(path) => {
            output::write_atomically(path, &bytes, "the bundle")?;
            let figures = bundle
                .stats
                .as_ref()
                .map(|s| format!(", the figures of {} for {}", s.party, s.period))
                .unwrap_or_default();
            eprintln!(
                "wrote {}: {} messages, {} cards{figures}; check it offline with: detente verify {}",
                path.display(),
                bundle.messages.len(),
                bundle.cards.len(),
                path.display()
            );
        }
    }
    Ok(())
}

pub async fn stats(args: StatsArgs) -> anyhow::Result<()> {
    let party = args.with.as_deref().map(party_of).transpose()?;
    let period = period_of(&args.period)?;
    let client = connect(&args.connection)?;
    let query: Vec<String> = party
        .iter()
        .map(|p| format!("counterparty={p}"))
        .chain(period.as_ref().map(period_query))
        .collect();
    let path = if query.is_empty() {
        "/api/v1/stats".to_owned()
    } else {
        format!("/api/v1/stats?{}", query.join("&"))
    };
    let answer: Value = client.get(&path).await?;
    let stats: Stats = serde_json::from_value(answer.clone())
        .context("the node answered figures this detente cannot read; is it the same version?")?;
    print(&args.connection, &answer, |_| output::stats_table(&stats));
    if let (Some(file), Some(party)) = (&args.evidence, &party) {
        // The period the node answered for, so that the bundle's figures
        // cover exactly what was just shown, even when it chose the quarter.
        let bundle = fetch_bundle(
            &client,
            &format!(
                "/api/v1/evidence?counterparty={party}&{}",
                period_query(&stats.period)
            ),
        )
        .await?;
        anyhow::ensure!(
            bundle.stats.is_some(),
            "the node exported the bundle without its figures; is it older than this detente?"
        );
        output::write_atomically(file, &bundle.to_json(), "the evidence bundle")?;
        eprintln!(
            "wrote {}: {} messages; the figures in it are checked by: detente verify {}",
            file.display(),
            bundle.messages.len(),
            file.display()
        );
    }
    Ok(())
}

pub async fn agreement_propose(args: crate::cli::AgreementProposeArgs) -> anyhow::Result<()> {
    let client = connect(&args.connection)?;
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read the agreement {}", args.file.display()))?;
    let view: Value = client
        .post(
            "/api/v1/agreements",
            &json!({"agreement": text, "to": args.to, "from_tier": args.from_tier}),
        )
        .await?;
    print(&args.connection, &view, |v| {
        format!(
            "{}proposed to {}; it is in force once every party has signed the same bytes\n",
            output::agreement_detail(v),
            args.to
        )
    });
    Ok(())
}

pub async fn agreement_sign(args: crate::cli::AgreementSignArgs) -> anyhow::Result<()> {
    let client = connect(&args.connection)?;
    let view: Value = client
        .post(
            &format!("/api/v1/agreements/{}/sign", args.reference),
            &json!({"from_tier": args.from_tier}),
        )
        .await?;
    print(&args.connection, &view, output::agreement_detail);
    Ok(())
}

pub async fn agreement_show(args: crate::cli::AgreementShowArgs) -> anyhow::Result<()> {
    let client = connect(&args.connection)?;
    let view: Value = client
        .get(&format!("/api/v1/agreements/{}", args.reference))
        .await?;
    print(&args.connection, &view, output::agreement_detail);
    Ok(())
}

pub async fn agreement_list(args: crate::cli::AgreementListArgs) -> anyhow::Result<()> {
    let client = connect(&args.connection)?;
    let list: Value = client.get("/api/v1/agreements").await?;
    print(&args.connection, &list, |l| {
        let mut out = String::new();
        for view in l["agreements"].as_array().into_iter().flatten() {
            out.push_str(&output::agreement_line(view));
        }
        if out.is_empty() {
            out.push_str("no agreements yet; propose one with `detente agreement propose`\n");
        }
        out
    });
    Ok(())
}
