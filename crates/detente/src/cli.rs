//! Command-line arguments (clap) and dispatch.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand};
use detente_proto::agreement::responsiveness::Period;

use crate::{admin, demo, officer, verify};

/// detente: a verifiable hotline for state-to-state ICT-security dialogue.
#[derive(Debug, Parser)]
#[command(name = "detente", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a node directory: keys, signed party card, config, database.
    #[command(
        after_help = "Example:\n  detente init --party RU --name \"Russian Federation\" --dir ./ru --listen 127.0.0.1:7443\n\nThen hand ./ru/card.json to your peers and read them the fingerprint it prints."
    )]
    Init(InitArgs),
    /// Run the node: peer API, officer API and delivery, until Ctrl-C or SIGTERM.
    #[command(
        after_help = "Example:\n  detente serve --dir ./ru\n\nLogs go to stderr: RUST_LOG=debug for more, DETENTE_LOG_FORMAT=json for one JSON object per line."
    )]
    Serve(DirArg),
    /// Manage trusted peers.
    #[command(
        subcommand,
        after_help = "Example:\n  detente peer add us-card.json --dir ./ru --fingerprint SHA256:3f2a:…\n  detente peer list --dir ./ru"
    )]
    Peer(PeerCommand),
    /// Manage officers and their tokens.
    #[command(
        subcommand,
        after_help = "Example:\n  detente officer add --dir ./ru --name Ivanova --tiers technical,operational\n  detente officer list --dir ./ru"
    )]
    Officer(OfficerCommand),
    /// Compose and send a message (through the running node's officer API).
    #[command(
        after_help = "Example:\n  export DETENTE_TOKEN=dtn_…\n  detente send --dir ./ru --to US --kind notification --precedence flash \\\n      --body '{\"subject\":\"Scanning of grid SCADA\",\"summary\":\"From AS64500 since 09:00 UTC\"}'"
    )]
    Send(SendArgs),
    /// List received (and sent) messages.
    #[command(
        after_help = "Example:\n  detente inbox --dir ./us            # received messages\n  detente inbox --dir ./ru --box outbox --state queued"
    )]
    Inbox(InboxArgs),
    /// Show one message: state, receipt (re-verified), acknowledgement.
    #[command(after_help = "Example:\n  detente show --dir ./ru 0193a1b2-…")]
    Show(ShowArgs),
    /// Acknowledge a received message.
    #[command(
        after_help = "Example:\n  detente ack --dir ./us 0193a1b2-… --note \"Received, looking into it\""
    )]
    Ack(AckArgs),
    /// Export the evidence bundle of a thread, or of everything exchanged with
    /// a party (with a period: also the responsiveness figures of that period).
    #[command(
        after_help = "Examples:\n  detente evidence --dir ./ru 0193a1b2-… -o thread.json\n  detente evidence --dir ./ru --with US -o ru-us.json\n  detente evidence --dir ./ru --with US --period 2026-Q4 -o ru-us-q4.json\n\nThen anyone can check it offline, figures included: detente verify ru-us-q4.json"
    )]
    Evidence(EvidenceArgs),
    /// Responsiveness figures: per counterparty, what was sent and received,
    /// and how much of it was answered in time, late or not at all.
    #[command(
        after_help = "Examples:\n  detente stats --dir ./ru                           # this quarter, every counterparty\n  detente stats --dir ./ru --with US --period 2026-Q4\n  detente stats --dir ./ru --with US --from 2026-10-01 --to 2026-11-15 --json\n  detente stats --dir ./ru --with US --period 2026-11 --evidence ru-us-nov.json\n\nThe deadline of a row is the acknowledgement's; for ping, the communication\ncheck's answer window. Exercise traffic is counted apart. With --evidence,\nanyone can recompute the figures offline: detente verify ru-us-nov.json"
    )]
    Stats(StatsArgs),
    /// Check an evidence bundle offline: a verdict per claim. Exits 0 when
    /// every claim is proven, 1 when anything is broken (or the file is not
    /// a bundle), 3 when nothing is broken but something is unproven.
    #[command(
        after_help = "Examples:\n  detente verify thread.json\n  detente verify old-thread.json --ack-within 1h   # a bundle without its agreement\n  detente verify thread.json --policy auditor.policy --json\n\nNo network is used. Confirm the printed key fingerprints out of band."
    )]
    Verify(VerifyArgs),
    /// Agreements: the co-signed rules of a channel.
    #[command(
        subcommand,
        after_help = "Example:\n  detente agreement propose agreement.toml --to US --dir ./ru\n  detente agreement sign ru-us-ict-incidents@1 --dir ./us\n  detente agreement list --dir ./ru"
    )]
    Agreement(AgreementCommand),
    /// This node's transparency log: checkpoint, witnesses, alarms.
    #[command(subcommand, after_help = "Example:\n  detente log status --dir ./ru")]
    Log(LogCommand),
    /// Measure throughput on this machine with real storage.
    #[command(subcommand, after_help = "Example:\n  detente bench log")]
    Bench(BenchCommand),
    /// Run RU, US and UN nodes on loopback and play an exchange between them.
    #[command(
        after_help = "Example:\n  detente demo                 # play the script, print the timeline, exit\n  detente demo --serve         # keep the nodes running; see detente-demo.json\n  detente demo --evidence ru-us.json && detente verify ru-us.json"
    )]
    Demo(DemoArgs),
}

#[derive(Debug, Args)]
pub struct DirArg {
    /// The node directory.
    #[arg(long, default_value = ".", env = "DETENTE_DIR")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Party code, e.g. RU, US, UN.
    #[arg(long)]
    pub party: String,
    /// The party's name as its card shows it (defaults to the code).
    #[arg(long)]
    pub name: Option<String>,
    /// The node directory to create (must not exist, or be empty).
    #[arg(long)]
    pub dir: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:7443")]
    pub listen: SocketAddr,
    /// Public base URL peers use (default https://<listen>).
    #[arg(long)]
    pub endpoint: Option<String>,
    /// A tier contact for the card, as TIER=TEXT (repeatable).
    #[arg(long = "contact", value_name = "TIER=TEXT")]
    pub contacts: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum PeerCommand {
    /// Trust a peer: verify its card and confirm its fingerprint.
    #[command(
        after_help = "Example:\n  detente peer add us-card.json --dir ./ru --fingerprint SHA256:3f2a:…\n\nWithout --fingerprint (at a terminal), you are asked to type the fingerprint the peer read to you."
    )]
    Add(PeerAddArgs),
    /// List trusted peers.
    #[command(after_help = "Example:\n  detente peer list --dir ./ru")]
    List(DirArg),
}

#[derive(Debug, Args)]
pub struct PeerAddArgs {
    /// The peer's card file (its card.json).
    pub card: PathBuf,
    /// The fingerprint the peer read to you out of band.
    #[arg(long)]
    pub fingerprint: Option<String>,
    #[command(flatten)]
    pub dir: DirArg,
}

#[derive(Debug, Subcommand)]
pub enum OfficerCommand {
    /// Add an officer and print their token (shown once).
    #[command(
        after_help = "Example:\n  detente officer add --dir ./ru --name \"Ivanova\" --tiers technical,operational"
    )]
    Add(OfficerAddArgs),
    /// List officers.
    #[command(after_help = "Example:\n  detente officer list --dir ./ru")]
    List(DirArg),
    /// Remove an officer; their token stops working.
    #[command(after_help = "Example:\n  detente officer remove --dir ./ru --name \"Ivanova\"")]
    Remove(OfficerRemoveArgs),
}

#[derive(Debug, Args)]
pub struct OfficerAddArgs {
    /// The officer's name.
    #[arg(long)]
    pub name: String,
    /// Tiers the officer is cleared for, comma-separated.
    #[arg(long, default_value = "technical")]
    pub tiers: String,
    #[command(flatten)]
    pub dir: DirArg,
}

#[derive(Debug, Args)]
pub struct OfficerRemoveArgs {
    /// The officer's name.
    #[arg(long)]
    pub name: String,
    #[command(flatten)]
    pub dir: DirArg,
}

/// How the officer commands reach the node.
#[derive(Debug, Args)]
pub struct Connection {
    /// The node directory (for its address and TLS certificate pin).
    #[arg(long, default_value = ".", env = "DETENTE_DIR")]
    pub dir: PathBuf,
    /// The node's base URL (default: from the node's listen address).
    #[arg(long, env = "DETENTE_NODE")]
    pub node: Option<String>,
    /// The officer's bearer token.
    #[arg(long, env = "DETENTE_TOKEN", hide_env_values = true)]
    pub token: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SendArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// The receiving party.
    #[arg(long)]
    pub to: String,
    /// The tier addressed (default: same as --from-tier).
    #[arg(long)]
    pub to_tier: Option<String>,
    /// The tier you speak for.
    #[arg(long, default_value = "technical")]
    pub from_tier: String,
    /// Message kind: notification, request-information, ping, …
    #[arg(long)]
    pub kind: String,
    /// routine, priority, immediate or flash.
    #[arg(long, default_value = "routine")]
    pub precedence: String,
    /// TLP 2.0 marking: CLEAR, GREEN, AMBER, AMBER+STRICT, RED.
    #[arg(long, default_value = "AMBER")]
    pub tlp: String,
    /// The message this answers.
    #[arg(long)]
    pub in_reply_to: Option<String>,
    /// Mark as exercise traffic.
    #[arg(long)]
    pub exercise: bool,
    /// The body as JSON, or @FILE to read it from a file.
    #[arg(long, default_value = "{}")]
    pub body: String,
}

#[derive(Debug, Args)]
pub struct InboxArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// inbox, outbox or all.
    #[arg(long = "box", default_value = "inbox")]
    pub mailbox: String,
    /// Only messages in this state: queued, delivered, received.
    #[arg(long)]
    pub state: Option<String>,
    /// At most this many.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// The message id.
    pub id: String,
}

#[derive(Debug, Args)]
pub struct AckArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// The message id.
    pub id: String,
    /// An optional remark.
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AgreementCommand {
    /// Sign an agreement (TOML) and propose it to a party.
    Propose(AgreementProposeArgs),
    /// Countersign a proposed agreement: it is in force once every party signed.
    Sign(AgreementSignArgs),
    /// One agreement version: its rules and who signed.
    Show(AgreementShowArgs),
    /// Every agreement version this node knows.
    List(AgreementListArgs),
}

#[derive(Debug, Args)]
pub struct AgreementProposeArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// The agreement, as TOML (see docs/protocol.md, "Agreements").
    pub file: PathBuf,
    /// The party to propose it to.
    #[arg(long)]
    pub to: String,
    /// The tier proposing (default: your highest).
    #[arg(long)]
    pub from_tier: Option<String>,
}

#[derive(Debug, Args)]
pub struct AgreementSignArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// `<id>@<version>`, e.g. ru-us-ict-incidents@1.
    pub reference: String,
    /// The tier signing (default: your highest).
    #[arg(long)]
    pub from_tier: Option<String>,
}

#[derive(Debug, Args)]
pub struct AgreementShowArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// `<id>@<version>`.
    pub reference: String,
}

#[derive(Debug, Args)]
pub struct AgreementListArgs {
    #[command(flatten)]
    pub connection: Connection,
}

#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("figures").args(["period", "from", "to"]).multiple(true).requires("with")
))]
pub struct EvidenceArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// Any message of the thread to export.
    #[arg(
        required_unless_present_any = ["with", "figures"],
        conflicts_with_all = ["with", "figures"]
    )]
    pub thread: Option<String>,
    /// Export everything exchanged with this party instead of one thread.
    #[arg(long, value_name = "PARTY")]
    pub with: Option<String>,
    /// Also put the figures of this period in the bundle (with --with).
    #[command(flatten)]
    pub period: PeriodArgs,
    /// Where to write the bundle (default: standard output). Written
    /// atomically: a failed export leaves no file behind.
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
}

/// Which period figures cover: --period, or --from and --to.
#[derive(Debug, Args)]
pub struct PeriodArgs {
    /// A year (2026), a quarter (2026-Q4) or a month (2026-11), in UTC.
    #[arg(long, value_name = "PERIOD", value_parser = parse_period, conflicts_with_all = ["from", "to"])]
    pub period: Option<Period>,
    /// The first day of the period (2026-10-01), or an RFC 3339 instant.
    #[arg(long, value_name = "DATE", requires = "to")]
    pub from: Option<String>,
    /// The last day of the period, included (2026-12-31), or the RFC 3339
    /// instant that ends it.
    #[arg(long, value_name = "DATE", requires = "from")]
    pub to: Option<String>,
}

fn parse_period(text: &str) -> Result<Period, String> {
    text.parse()
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// Only the figures with this party.
    #[arg(long, value_name = "PARTY")]
    pub with: Option<String>,
    /// The period (default: the node's current quarter).
    #[command(flatten)]
    pub period: PeriodArgs,
    /// Also export the evidence bundle of the exchange with --with, carrying
    /// these figures, to this file (written atomically).
    #[arg(long, value_name = "PATH", requires = "with")]
    pub evidence: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The bundle file (`-` for standard input).
    pub bundle: PathBuf,
    /// Your witness policy (C2SP tlog-policy) for every log, instead of "at
    /// least one other party in the bundle cosigned".
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Judge acknowledgements (and pongs) of messages that no agreement in
    /// the bundle governs against this deadline, from the message's
    /// delivery to the answer's (each by its receipt), e.g. 1h, 30m.
    /// Messages under an agreement the bundle proves in force are judged by
    /// its own deadlines.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub ack_within: Option<std::time::Duration>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// The log's checkpoint, who cosigned it, the peers' logs this node
    /// witnesses, and any alarm (a fork, a failed consistency proof).
    #[command(
        after_help = "Example:\n  DETENTE_TOKEN=dtn_… detente log status --dir ./ru\n\nExits 3 when an alarm is raised, so monitoring can page someone."
    )]
    Status(LogStatusArgs),
}

#[derive(Debug, Args)]
pub struct LogStatusArgs {
    #[command(flatten)]
    pub connection: Connection,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Sustained log sequencing: entries/s, each durable before it is answered.
    #[command(
        after_help = "Example:\n  detente bench log                       # 200 000 entries, 4 096 submitters\n  detente bench log --entries 1000000 --concurrency 8192"
    )]
    Log(BenchLogArgs),
}

#[derive(Debug, Args)]
pub struct BenchLogArgs {
    /// Entries to sequence.
    #[arg(long, default_value_t = 200_000)]
    pub entries: u64,
    /// Concurrent submitters, each waiting for its entry to be durable.
    #[arg(long, default_value_t = 4096)]
    pub concurrency: usize,
    /// Where to put the temporary database (default: the system temp dir).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the nodes running after the script, until Ctrl-C or SIGTERM.
    #[arg(long)]
    pub serve: bool,
    /// Where to write the JSON state file (URLs, tokens, fingerprints).
    #[arg(long, default_value = "./detente-demo.json")]
    pub state_file: PathBuf,
    /// Keep the evidence bundle of the demo's RU–US exchange in this file.
    #[arg(long, value_name = "PATH")]
    pub evidence: Option<PathBuf>,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Init(args) => admin::init(args),
        Command::Serve(args) => admin::serve(args).await,
        Command::Peer(PeerCommand::Add(args)) => admin::peer_add(args),
        Command::Peer(PeerCommand::List(args)) => admin::peer_list(args),
        Command::Officer(OfficerCommand::Add(args)) => admin::officer_add(args),
        Command::Officer(OfficerCommand::List(args)) => admin::officer_list(args),
        Command::Officer(OfficerCommand::Remove(args)) => admin::officer_remove(args),
        Command::Send(args) => officer::send(args).await,
        Command::Inbox(args) => officer::inbox(args).await,
        Command::Show(args) => officer::show(args).await,
        Command::Ack(args) => officer::ack(args).await,
        Command::Demo(args) => demo::run(args).await,
        Command::Bench(BenchCommand::Log(args)) => admin::bench_log(args).await,
        Command::Log(LogCommand::Status(args)) => officer::log_status(args).await,
        Command::Evidence(args) => officer::evidence(args).await,
        Command::Stats(args) => officer::stats(args).await,
        Command::Agreement(AgreementCommand::Propose(args)) => {
            officer::agreement_propose(args).await
        }
        Command::Agreement(AgreementCommand::Sign(args)) => officer::agreement_sign(args).await,
        Command::Agreement(AgreementCommand::Show(args)) => officer::agreement_show(args).await,
        Command::Agreement(AgreementCommand::List(args)) => officer::agreement_list(args).await,
        Command::Verify(args) => verify::run(args),
    }
}
