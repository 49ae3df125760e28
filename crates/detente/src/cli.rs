//! Command-line arguments (clap) and dispatch.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand};
use detente_proto::agreement::responsiveness::Period;
use detente_proto::ids::{Tier, is_document_id, is_draft_id};
use detente_proto::kind::{Precedence, Tlp};
use detente_proto::pledge::PledgeRef;
use detente_proto::time::Timestamp;

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
    /// TAXII 2.1: the accounts of this party's SOC tools, and pulling a SOC
    /// collection into a draft notification.
    #[command(
        subcommand,
        after_help = "Examples:\n  detente taxii account add soc-misp --dir ./ru --read US/received-from,US/sent-to \\\n      --write US/drafts --clearance AMBER\n  detente taxii account list --dir ./ru\n  detente taxii pull https://misp.example/taxii2/api1/ indicators --to US --dir ./ru --user hotline\n\nSee docs/taxii.md."
    )]
    Taxii(TaxiiCommand),
    /// Draft notifications: STIX objects from SOC tools, waiting for an
    /// officer to send or discard them (through the running node's officer API).
    #[command(
        after_help = "Examples:\n  export DETENTE_TOKEN=dtn_…\n  detente drafts --dir ./ru                    # the open drafts\n  detente drafts show 0193a1b2-… --dir ./ru\n  detente drafts send 0193a1b2-… --dir ./ru --from-tier technical \\\n      --subject \"C2 addresses seen in AS64500\" --summary \"Indicators from our SOC\"\n  detente drafts discard 0193a1b2-… --dir ./ru\n\nNothing a SOC tool posts is sent until an officer sends it."
    )]
    Drafts(DraftsArgs),
    /// Alerts: what must reach a person, who was told, and acknowledging
    /// them (through the running node's officer API).
    #[command(
        subcommand,
        after_help = "Examples:\n  export DETENTE_TOKEN=dtn_…\n  detente alerts list --dir ./us           # open alerts\n  detente alerts list --dir ./us --all\n  detente alerts show 3 --dir ./us\n  detente alerts ack 3 --dir ./us\n\nAcknowledging an alert stops its on-call rota. It does not acknowledge the\nmessage: do that with `detente ack`. See docs/operations.md, \"Alerting\"."
    )]
    Alerts(AlertsCommand),
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
    /// Export the evidence bundle of a thread, of everything exchanged with
    /// a party (with a period: also the responsiveness figures of that
    /// period), of a guarantee or of a pledge.
    #[command(
        after_help = "Examples:\n  detente evidence --dir ./ru 0193a1b2-… -o thread.json\n  detente evidence --dir ./ru --with US -o ru-us.json\n  detente evidence --dir ./ru --with US --period 2026-Q4 -o ru-us-q4.json\n  detente evidence --dir ./us --guarantee ru-us-elections-2026 -o elections.json\n  detente evidence --dir ./ru --pledge UN/no-first-use -o no-first-use.json\n\nThen anyone can check it offline, figures included: detente verify ru-us-q4.json"
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
    /// a bundle), 4 when nothing is broken but something is signed by a
    /// key its party revoked (SUSPECT), 3 when nothing is broken or
    /// suspect but something is unproven.
    #[command(
        after_help = "Examples:\n  detente verify thread.json\n  detente verify old-thread.json --ack-within 1h   # a bundle without its agreement\n  detente verify elections.json --at 2026-12-01    # was the guarantee in force then?\n  detente verify thread.json --policy auditor.policy --json\n\nNo network is used. Confirm the printed key fingerprints out of band."
    )]
    Verify(VerifyArgs),
    /// Agreements: the co-signed rules of a channel.
    #[command(
        subcommand,
        after_help = "Example:\n  detente agreement propose agreement.toml --to US --dir ./ru\n  detente agreement sign ru-us-ict-incidents@1 --dir ./us\n  detente agreement list --dir ./ru"
    )]
    Agreement(AgreementCommand),
    /// Guarantees: signed statements by one party to another, e.g. of
    /// non-interference in its elections.
    #[command(
        subcommand,
        after_help = "Example:\n  detente guarantee propose elections.toml --dir ./ru\n  detente guarantee show ru-us-elections-2026 --dir ./us --at 2026-12-01\n  detente guarantee list --dir ./us"
    )]
    Guarantee(GuaranteeCommand),
    /// Pledges: multilateral commitments open for signature, whose
    /// signatory list their host keeps.
    #[command(
        subcommand,
        after_help = "Example:\n  detente pledge create no-first-use.toml --dir ./un\n  detente pledge sign UN/no-first-use --dir ./ru\n  detente pledge show UN/no-first-use --dir ./us"
    )]
    Pledge(PledgeCommand),
    /// This node's transparency log: checkpoint, witnesses, alarms.
    #[command(subcommand, after_help = "Example:\n  detente log status --dir ./ru")]
    Log(LogCommand),
    /// This party's card: show it and its chain, or renew it (same keys,
    /// new validity). Works on a stopped node's directory.
    #[command(
        subcommand,
        after_help = "Examples:\n  detente card show --dir ./ru\n  systemctl stop detente && detente card renew --dir ./ru --valid-for 365d && systemctl start detente\n\nSee docs/operations.md, \"Renewing the card and rotating keys\"."
    )]
    Card(CardCommand),
    /// Copy the database, online and consistent (the node may be running),
    /// to a new file, with a manifest of the log's size and root.
    #[command(
        after_help = "Example:\n  umask 077; detente backup --dir ./ru --to /backup/ru-$(date +%F).db\n\nThe keys are not in it: back up keys/, detente.toml and card.json separately. See docs/operations.md, \"Backups\"."
    )]
    Backup(BackupArgs),
    /// Put a backup in place as this node's database (the node stopped).
    /// The database it replaces is kept beside it; the restored node signs
    /// nothing until its witnesses confirm which checkpoint of its log
    /// they hold.
    #[command(
        after_help = "Example:\n  systemctl stop detente\n  detente restore /backup/ru-2026-12-01.db --dir /var/lib/detente\n  systemctl start detente && detente log status --dir /var/lib/detente\n\nSee docs/operations.md, \"Restoring a backup\"."
    )]
    Restore(RestoreArgs),
    /// Check the database: recompute the log from its entries and check the
    /// stored checkpoint, every receipt this node signed and every
    /// cosignature against it. Writes nothing. Exit code: 0 when nothing is
    /// wrong, 1 when it cannot run, else the sum of 2 damaged entries, 4
    /// missing entries, 8 the checkpoint, 16 receipts, 32 cosignatures, 64
    /// messages.
    #[command(
        after_help = "Examples:\n  detente fsck --dir ./ru\n  detente fsck --dir ./ru --json\n\nSee docs/operations.md, \"Checking the database: detente fsck\"."
    )]
    Fsck(FsckArgs),
    /// This party's keys: rotate them (new keys, a new card linked by the
    /// old key), or revoke a compromised signing key (linked by the
    /// recovery key). Works on a stopped node's directory.
    #[command(
        subcommand,
        after_help = "Examples:\n  systemctl stop detente && detente keys rotate --dir ./ru && systemctl start detente\n  detente keys rotate --dir ./ru --encryption      # only the encryption key\n\nSee docs/operations.md, \"Renewing the card and rotating keys\"."
    )]
    Keys(KeysCommand),
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
    /// Write the offline recovery key to this new file (e.g. on removable
    /// media) instead of printing it. Either way it is stored nowhere in
    /// the node directory.
    #[arg(long, value_name = "FILE")]
    pub recovery_key_to: Option<PathBuf>,
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
    /// Set an officer's console password (asked twice; never echoed); their
    /// console sessions end. The token keeps working.
    #[command(
        after_help = "Examples:\n  detente officer passwd --dir ./ru --name \"Ivanova\"\n  printf '%s\\n' \"$NEW_PASSWORD\" | detente officer passwd --dir ./ru --name \"Ivanova\" --password-stdin\n\nA password has 12 to 256 characters, in any script."
    )]
    Passwd(OfficerPasswdArgs),
}

#[derive(Debug, Args)]
pub struct OfficerAddArgs {
    /// The officer's name.
    #[arg(long)]
    pub name: String,
    /// Tiers the officer is cleared for, comma-separated.
    #[arg(long, default_value = "technical")]
    pub tiers: String,
    /// Also set a console password (asked twice at the terminal, or read
    /// from standard input with --password-stdin).
    #[arg(long)]
    pub password: bool,
    /// With --password: read the password from the first line of standard
    /// input instead of asking.
    #[arg(long, requires = "password")]
    pub password_stdin: bool,
    #[command(flatten)]
    pub dir: DirArg,
}

#[derive(Debug, Args)]
pub struct OfficerPasswdArgs {
    /// The officer's name.
    #[arg(long)]
    pub name: String,
    /// Read the password from the first line of standard input instead of
    /// asking.
    #[arg(long)]
    pub password_stdin: bool,
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

#[derive(Debug, Subcommand)]
pub enum GuaranteeCommand {
    /// Sign a guarantee (TOML) this party gives, and send it to its
    /// beneficiary.
    #[command(
        after_help = "Example:\n  detente guarantee propose elections.toml --dir ./ru\n\nThe file, e.g.:\n  id = \"ru-us-elections-2026\"\n  reciprocal = false\n  issuer = \"RU\"\n  beneficiary = \"US\"\n  scope = [\"elections\"]\n  effective_from = \"2026-01-01T00:00:00Z\"\n  notice = \"90d\"\n  [text]\n  en = \"RU will not interfere in the elections of US.\"\n\nA one-way guarantee binds once the issuer has signed and effective_from\nis past; a reciprocal one once the beneficiary has countersigned too."
    )]
    Propose(GuaranteeProposeArgs),
    /// Countersign a reciprocal guarantee proposed to this party.
    #[command(after_help = "Example:\n  detente guarantee sign ru-us-elections-2026 --dir ./us")]
    Sign(GuaranteeSignArgs),
    /// Give notice of withdrawal: the guarantee still binds for its notice
    /// period, then lapses.
    #[command(
        after_help = "Example:\n  detente guarantee withdraw ru-us-elections-2026 --dir ./ru --reason \"Superseded by the 2027 guarantee\""
    )]
    Withdraw(GuaranteeWithdrawArgs),
    /// Every guarantee this node knows, with its status now.
    #[command(after_help = "Example:\n  detente guarantee list --dir ./us")]
    List(CommitmentListArgs),
    /// One guarantee: its status (now, or at --at), its text and its history.
    #[command(
        after_help = "Example:\n  detente guarantee show ru-us-elections-2026 --dir ./us\n  detente guarantee show ru-us-elections-2026 --dir ./us --at 2026-12-01"
    )]
    Show(GuaranteeShowArgs),
}

#[derive(Debug, Args)]
pub struct GuaranteeProposeArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// The guarantee, as TOML (see docs/protocol.md, "Guarantees").
    pub file: PathBuf,
    /// The tier proposing (default: your highest).
    #[arg(long, value_name = "TIER", value_parser = parse_tier)]
    pub from_tier: Option<Tier>,
}

#[derive(Debug, Args)]
pub struct GuaranteeSignArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// The guarantee's id, e.g. ru-us-elections-2026.
    #[arg(value_parser = parse_document_id)]
    pub id: String,
    /// The tier signing (default: your highest).
    #[arg(long, value_name = "TIER", value_parser = parse_tier)]
    pub from_tier: Option<Tier>,
}

#[derive(Debug, Args)]
pub struct GuaranteeWithdrawArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// The guarantee's id.
    #[arg(value_parser = parse_document_id)]
    pub id: String,
    /// Why; signed into the withdrawal, so the other party reads it.
    #[arg(long, value_name = "TEXT", value_parser = parse_reason)]
    pub reason: String,
    /// The tier withdrawing (default: your highest).
    #[arg(long, value_name = "TIER", value_parser = parse_tier)]
    pub from_tier: Option<Tier>,
}

#[derive(Debug, Args)]
pub struct GuaranteeShowArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// The guarantee's id.
    #[arg(value_parser = parse_document_id)]
    pub id: String,
    /// The status at this moment instead of now: a date (2026-12-01, its
    /// first instant, UTC) or an RFC 3339 time.
    #[arg(long, value_name = "DATE|TIME", value_parser = parse_at)]
    pub at: Option<Timestamp>,
}

#[derive(Debug, Args)]
pub struct CommitmentListArgs {
    #[command(flatten)]
    pub connection: Connection,
}

#[derive(Debug, Subcommand)]
pub enum PledgeCommand {
    /// Publish a pledge (TOML) this party hosts, open for signature.
    #[command(
        after_help = "Example:\n  detente pledge create no-first-use.toml --dir ./un\n\nThe file, e.g.:\n  id = \"no-first-use\"\n  host = \"UN\"\n  title = \"Pledge of no first use of ICT against each other\"\n  open_from = \"2026-01-01T00:00:00Z\"\n  open_until = \"2027-01-01T00:00:00Z\"\n  [text]\n  en = \"Each signatory pledges not to be the first to use ICT against another signatory.\""
    )]
    Create(PledgeCreateArgs),
    /// Sign a pledge, at its host.
    #[command(after_help = "Example:\n  detente pledge sign UN/no-first-use --dir ./ru")]
    Sign(PledgeSignArgs),
    /// Withdraw this party's signature from a pledge.
    #[command(
        after_help = "Example:\n  detente pledge withdraw UN/no-first-use --dir ./ru --reason \"Replaced by a treaty\""
    )]
    Withdraw(PledgeWithdrawArgs),
    /// Every pledge this node knows, with its signatories now.
    #[command(after_help = "Example:\n  detente pledge list --dir ./ru")]
    List(CommitmentListArgs),
    /// One pledge: its signatories (now, or at --at), its text and history.
    #[command(
        after_help = "Example:\n  detente pledge show UN/no-first-use --dir ./ru\n  detente pledge show UN/no-first-use --dir ./ru --at 2026-12-01T12:00:00Z"
    )]
    Show(PledgeShowArgs),
}

#[derive(Debug, Args)]
pub struct PledgeCreateArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// The pledge, as TOML (see docs/protocol.md, "Pledges").
    pub file: PathBuf,
    /// The tier publishing (default: your highest).
    #[arg(long, value_name = "TIER", value_parser = parse_tier)]
    pub from_tier: Option<Tier>,
}

#[derive(Debug, Args)]
pub struct PledgeSignArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// `<host>/<id>`, e.g. UN/no-first-use.
    #[arg(value_name = "HOST/ID", value_parser = parse_pledge_ref)]
    pub reference: PledgeRef,
    /// The tier signing (default: your highest).
    #[arg(long, value_name = "TIER", value_parser = parse_tier)]
    pub from_tier: Option<Tier>,
}

#[derive(Debug, Args)]
pub struct PledgeWithdrawArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// `<host>/<id>`.
    #[arg(value_name = "HOST/ID", value_parser = parse_pledge_ref)]
    pub reference: PledgeRef,
    /// Why; signed into the withdrawal, so the host and every signatory read it.
    #[arg(long, value_name = "TEXT", value_parser = parse_reason)]
    pub reason: String,
    /// The tier withdrawing (default: your highest).
    #[arg(long, value_name = "TIER", value_parser = parse_tier)]
    pub from_tier: Option<Tier>,
}

#[derive(Debug, Args)]
pub struct PledgeShowArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// `<host>/<id>`.
    #[arg(value_name = "HOST/ID", value_parser = parse_pledge_ref)]
    pub reference: PledgeRef,
    /// The signatories at this moment instead of now: a date (2026-12-01,
    /// its first instant, UTC) or an RFC 3339 time.
    #[arg(long, value_name = "DATE|TIME", value_parser = parse_at)]
    pub at: Option<Timestamp>,
}

/// A guarantee id, checked here because it goes into the URL.
fn parse_document_id(text: &str) -> Result<String, String> {
    if is_document_id(text) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "{text:?} is not a guarantee id; ids are 1 to 64 of a-z, 0-9 and '-', e.g. ru-us-elections-2026 (see: detente guarantee list)"
        ))
    }
}

fn parse_tier(text: &str) -> Result<Tier, String> {
    text.parse()
}

fn parse_pledge_ref(text: &str) -> Result<PledgeRef, String> {
    text.parse()
}

/// A reason must say something: the other side reads it.
fn parse_reason(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        Err(
            "the reason must not be empty; say why, e.g. --reason \"Superseded by a new text\""
                .into(),
        )
    } else {
        Ok(text.to_owned())
    }
}

/// `--at`: an RFC 3339 time, or a date for its first instant (UTC).
pub fn parse_at(text: &str) -> Result<Timestamp, String> {
    use chrono::TimeZone;
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(Timestamp::from_datetime(at.with_timezone(&chrono::Utc)));
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|midnight| Timestamp::from_datetime(chrono::Utc.from_utc_datetime(&midnight)))
        .ok_or_else(|| {
            format!(
                "{text:?} is neither a date (2026-12-01) nor an RFC 3339 time (2026-12-01T12:00:00Z)"
            )
        })
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
        required_unless_present_any = ["with", "figures", "guarantee", "pledge"],
        conflicts_with_all = ["with", "figures", "guarantee", "pledge"]
    )]
    pub thread: Option<String>,
    /// Export everything exchanged with this party instead of one thread.
    #[arg(long, value_name = "PARTY", conflicts_with_all = ["guarantee", "pledge"])]
    pub with: Option<String>,
    /// Export a guarantee: its signed steps, the messages that carried them
    /// and their proofs.
    #[arg(long, value_name = "ID", value_parser = parse_document_id, conflicts_with_all = ["figures", "pledge"])]
    pub guarantee: Option<String>,
    /// Export a pledge: its host's registry, the messages that carried each
    /// signature and withdrawal, and their proofs.
    #[arg(long, value_name = "HOST/ID", value_parser = parse_pledge_ref, conflicts_with = "figures")]
    pub pledge: Option<PledgeRef>,
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
    /// Judge a guarantee's status or a pledge's signatories (in a bundle
    /// exported for one) at this moment instead of when the bundle was
    /// exported: a date (2026-12-01, its first instant, UTC) or an RFC 3339
    /// time.
    #[arg(long, value_name = "DATE|TIME", value_parser = parse_at)]
    pub at: Option<Timestamp>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup file to create (never overwritten).
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,
    #[command(flatten)]
    pub dir: DirArg,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file (made by `detente backup`).
    pub file: PathBuf,
    #[command(flatten)]
    pub dir: DirArg,
}

#[derive(Debug, Args)]
pub struct FsckArgs {
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub dir: DirArg,
}

#[derive(Debug, Subcommand)]
pub enum CardCommand {
    /// Show this party's card, the cards it replaced, and when it expires.
    #[command(after_help = "Example:\n  detente card show --dir ./ru")]
    Show(DirArg),
    /// Issue a new card with the same keys and a new validity, linked to
    /// the current one; the node gives it to its peers when it next starts.
    #[command(
        after_help = "Examples:\n  detente card renew --dir ./ru                       # valid for 365 days\n  detente card renew --dir ./ru --valid-until 2028-01-01\n  detente card renew --dir ./ru --no-expiry"
    )]
    Renew(RenewArgs),
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("validity").args(["valid_for", "valid_until", "no_expiry"])))]
pub struct Validity {
    /// How long the new card is valid, from now, e.g. 365d, 2years.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub valid_for: Option<std::time::Duration>,
    /// Until when the new card is valid: a date (2028-01-01) or an RFC
    /// 3339 time.
    #[arg(long, value_name = "DATE|TIME", value_parser = parse_at)]
    pub valid_until: Option<Timestamp>,
    /// The new card does not expire.
    #[arg(long)]
    pub no_expiry: bool,
}

#[derive(Debug, Args)]
pub struct RenewArgs {
    #[command(flatten)]
    pub validity: Validity,
    #[command(flatten)]
    pub dir: DirArg,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Replace keys and issue a new card for them, signed by the new key
    /// and linked by the old one; without --signing, --encryption or
    /// --tls, every key is replaced.
    #[command(
        after_help = "Examples:\n  detente keys rotate --dir ./ru\n  detente keys rotate --dir ./ru --tls --valid-for 365d\n\nThe replaced keys are kept in keys/retired/ and still work for the overlap ([keys] overlap, 7 days by default)."
    )]
    Rotate(RotateArgs),
    /// The signing key is compromised: replace every key and issue a new
    /// card linked by the offline recovery key, so peers take it and treat
    /// everything the old key signed since --compromised-since as suspect.
    #[command(
        after_help = "Example:\n  systemctl stop detente\n  detente keys revoke --dir ./ru --compromised-since 2026-12-01T00:00:00Z --recovery-key /media/usb/ru-recovery.txt\n  systemctl start detente\n\nA new recovery key is printed (or written with --new-recovery-key-to): keep it offline.\nSee docs/operations.md, \"A compromised key\"."
    )]
    Revoke(RevokeArgs),
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The earliest moment the signing key may have been in other hands:
    /// a date (2026-12-01) or an RFC 3339 time. Everything it signed from
    /// then on becomes suspect.
    #[arg(long, value_name = "DATE|TIME", value_parser = parse_at)]
    pub compromised_since: Timestamp,
    /// The file holding the recovery key `detente init` printed (one line,
    /// `detente-recovery-key <PARTY> <base64>`); `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub recovery_key: PathBuf,
    /// Write the new recovery key to this new file instead of printing it.
    #[arg(long, value_name = "FILE")]
    pub new_recovery_key_to: Option<PathBuf>,
    /// The new card's validity; by default, as long as the current card's
    /// (none if it has none).
    #[command(flatten)]
    pub validity: Validity,
    #[command(flatten)]
    pub dir: DirArg,
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    /// Replace the Ed25519 signing key (the fingerprint peers confirmed).
    #[arg(long)]
    pub signing: bool,
    /// Replace the X25519 encryption key.
    #[arg(long)]
    pub encryption: bool,
    /// Replace the TLS key and certificate.
    #[arg(long)]
    pub tls: bool,
    /// The new card's validity; by default, as long as the current card's
    /// (none if it has none).
    #[command(flatten)]
    pub validity: Validity,
    #[command(flatten)]
    pub dir: DirArg,
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
pub enum TaxiiCommand {
    /// TAXII accounts: who may read this node's collections or add drafts
    /// (works on the node directory; the node need not be running).
    #[command(
        subcommand,
        after_help = "Example:\n  detente taxii account add soc-misp --dir ./ru --read 'US/*' --write US/drafts --clearance AMBER\n  detente taxii account list --dir ./ru\n  detente taxii account remove soc-misp --dir ./ru"
    )]
    Account(TaxiiAccountCommand),
    /// Read a collection of a SOC's TAXII 2.1 server and make a draft
    /// notification of its objects (nothing is sent).
    #[command(
        after_help = "Example:\n  export DETENTE_TOKEN=dtn_…                   # your officer token\n  export DETENTE_TAXII_PASSWORD=…              # the SOC account's password\n  detente taxii pull https://misp.example/taxii2/api1/ 91a7b528-80eb-42ed-a74d-c6fbd5a26116 \\\n      --to US --dir ./ru --user hotline --type indicator,sighting --added-after 2026-11-28\n\nWith a self-signed or private-CA server certificate, add --ca-cert soc.pem\n(trusted alone, instead of the system's roots). The objects become one draft\nnotification to US, as the server sent them; review it with\n`detente drafts show ID` and send it with `detente drafts send ID …`."
    )]
    Pull(TaxiiPullArgs),
}

#[derive(Debug, Subcommand)]
pub enum TaxiiAccountCommand {
    /// Add a TAXII account and print its secret (shown once).
    #[command(
        after_help = "Examples:\n  detente taxii account add soc-misp --dir ./ru --read US/received-from,US/sent-to \\\n      --write US/drafts --clearance AMBER\n  detente taxii account add cert-red --dir ./ru --read 'US/*' --clearance RED --tiers technical\n\nCollections: received-from and sent-to (read only), drafts (read and write);\nUS/* reads all three. --tiers names the tiers of ours whose RED objects the\naccount reads, and goes with --clearance RED only."
    )]
    Add(TaxiiAccountAddArgs),
    /// List TAXII accounts: name, clearance, tiers, grants (never secrets).
    #[command(
        after_help = "Example:\n  detente taxii account list --dir ./ru\n  detente taxii account list --dir ./ru --json"
    )]
    List(TaxiiAccountListArgs),
    /// Remove a TAXII account; its secret stops working at once.
    #[command(after_help = "Example:\n  detente taxii account remove soc-misp --dir ./ru")]
    Remove(TaxiiAccountRemoveArgs),
}

#[derive(Debug, Args)]
pub struct TaxiiAccountAddArgs {
    /// The account's name, the user name its TAXII client sends: 1 to 64
    /// of letters, digits, '.', '_' and '-'.
    pub name: String,
    /// Collections it may read, as PARTY/COLLECTION, comma-separated (or
    /// repeated); PARTY/* is all three.
    #[arg(long, value_name = "PARTY/COLLECTION,…")]
    pub read: Vec<String>,
    /// Collections it may add objects to: PARTY/drafts, comma-separated
    /// (or repeated).
    #[arg(long, value_name = "PARTY/drafts,…")]
    pub write: Vec<String>,
    /// The most restrictive TLP it may read: CLEAR, GREEN, AMBER,
    /// AMBER+STRICT or RED.
    #[arg(long, value_name = "TLP", value_parser = parse_tlp)]
    pub clearance: Tlp,
    /// With --clearance RED: the tiers of ours whose RED objects it reads
    /// (it is a named recipient for them), comma-separated.
    #[arg(long, value_name = "TIER,…")]
    pub tiers: Option<String>,
    #[command(flatten)]
    pub dir: DirArg,
}

#[derive(Debug, Args)]
pub struct TaxiiAccountListArgs {
    #[command(flatten)]
    pub dir: DirArg,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TaxiiAccountRemoveArgs {
    /// The account's name.
    pub name: String,
    #[command(flatten)]
    pub dir: DirArg,
}

#[derive(Debug, Args)]
pub struct TaxiiPullArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// The SOC's TAXII 2.1 API root, e.g. https://misp.example/taxii2/api1/.
    #[arg(value_name = "API-ROOT-URL")]
    pub url: String,
    /// The collection to read: its id or alias.
    pub collection: String,
    /// The party the draft notification is for.
    #[arg(long, value_name = "PARTY")]
    pub to: String,
    /// The user name at the TAXII server (HTTP Basic); none: anonymous.
    #[arg(long)]
    pub user: Option<String>,
    /// The environment variable that holds the password of --user.
    #[arg(long, value_name = "VAR", default_value = "DETENTE_TAXII_PASSWORD")]
    pub password_env: String,
    /// Trust exactly these PEM certificates (the server's self-signed one,
    /// or its CA's) instead of the system's roots.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Only objects added after this: a date (2026-11-28), an RFC 3339
    /// time, or a TAXII timestamp (as a partial pull prints it).
    #[arg(long, value_name = "TIME", value_parser = crate::taxii_pull::parse_added_after)]
    pub added_after: Option<String>,
    /// Only objects of these STIX types, comma-separated.
    #[arg(long = "type", value_name = "TYPE,…", value_parser = parse_stix_types)]
    pub types: Option<StixTypes>,
    /// Read at most this many objects.
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_objects: u32,
    /// Ask for at most this many objects a page (servers may send fewer).
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    pub page_size: u32,
}

#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// List alerts, newest first: open ones (the default) or all.
    #[command(after_help = "Example:\n  detente alerts list --dir ./us --all --json")]
    List(AlertListArgs),
    /// One alert: what raised it, each contact alerted and how that went,
    /// and whether the message is acknowledged.
    #[command(after_help = "Example:\n  detente alerts show 3 --dir ./us")]
    Show(AlertIdArgs),
    /// Acknowledge an alert as yourself: nobody else on the rota is alerted.
    #[command(after_help = "Example:\n  detente alerts ack 3 --dir ./us")]
    Ack(AlertIdArgs),
}

#[derive(Debug, Args)]
pub struct AlertListArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// Acknowledged alerts too.
    #[arg(long)]
    pub all: bool,
    /// At most this many.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub limit: u32,
}

#[derive(Debug, Args)]
pub struct AlertIdArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// The alert's number, as `detente alerts list` shows it.
    #[arg(value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub id: u64,
}

/// `detente drafts`: a subcommand, or `list` when none is given (its
/// arguments then follow `drafts` directly).
#[derive(Debug)]
pub struct DraftsArgs {
    pub command: DraftsCommand,
}

// By hand, because derive would read the list's required --token from the
// parent even when a subcommand carries its own.
impl clap::FromArgMatches for DraftsArgs {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let command = match matches.subcommand() {
            Some(_) => DraftsCommand::from_arg_matches(matches)?,
            None => DraftsCommand::List(DraftListArgs::from_arg_matches(matches)?),
        };
        Ok(Self { command })
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Args for DraftsArgs {
    fn augment_args(command: clap::Command) -> clap::Command {
        DraftsCommand::augment_subcommands(DraftListArgs::augment_args(command))
            .args_conflicts_with_subcommands(true)
            .subcommand_negates_reqs(true)
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        Self::augment_args(command)
    }
}

#[derive(Debug, Subcommand)]
pub enum DraftsCommand {
    /// List drafts, newest first (the default).
    #[command(
        after_help = "Example:\n  detente drafts list --dir ./ru\n  detente drafts list --dir ./ru --state all --with US --json"
    )]
    List(DraftListArgs),
    /// One draft: where it came from, its TLP, and each object's type, id,
    /// name and TLP.
    #[command(after_help = "Example:\n  detente drafts show 0193a1b2-… --dir ./ru")]
    Show(DraftShowArgs),
    /// Send a draft as a notification to its party.
    #[command(
        after_help = "Example:\n  detente drafts send 0193a1b2-… --dir ./ru --from-tier technical --to-tier technical \\\n      --subject \"C2 addresses seen in AS64500\" --summary \"Indicators from our SOC\" \\\n      --precedence priority\n\nThe TLP is the draft's unless --tlp says otherwise, and never lower than the\nmarkings it carries."
    )]
    Send(DraftSendArgs),
    /// Discard a draft: it stays on record, marked discarded, and is never sent.
    #[command(after_help = "Example:\n  detente drafts discard 0193a1b2-… --dir ./ru")]
    Discard(DraftShowArgs),
}

#[derive(Debug, Args)]
pub struct DraftListArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// open, sent, discarded or all.
    #[arg(long, default_value = "open", value_parser = ["open", "sent", "discarded", "all"])]
    pub state: String,
    /// Only drafts for this party.
    #[arg(long, value_name = "PARTY")]
    pub with: Option<String>,
    /// At most this many.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub limit: u32,
}

#[derive(Debug, Args)]
pub struct DraftShowArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// The draft's id.
    #[arg(value_name = "ID", value_parser = parse_draft_id)]
    pub id: String,
}

#[derive(Debug, Args)]
pub struct DraftSendArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// The draft's id.
    #[arg(value_name = "ID", value_parser = parse_draft_id)]
    pub id: String,
    /// The tier you speak for.
    #[arg(long, value_name = "TIER", default_value = "technical", value_parser = parse_tier)]
    pub from_tier: Tier,
    /// The tier addressed (default: same as --from-tier).
    #[arg(long, value_name = "TIER", value_parser = parse_tier)]
    pub to_tier: Option<Tier>,
    /// One line that says what happened.
    #[arg(long, value_name = "TEXT", value_parser = parse_text)]
    pub subject: String,
    /// What is known so far.
    #[arg(long, value_name = "TEXT", value_parser = parse_text)]
    pub summary: String,
    /// routine, priority, immediate or flash (default routine).
    #[arg(long, value_parser = parse_precedence)]
    pub precedence: Option<Precedence>,
    /// TLP 2.0 marking (default: the draft's): CLEAR, GREEN, AMBER,
    /// AMBER+STRICT, RED.
    #[arg(long, value_parser = parse_tlp)]
    pub tlp: Option<Tlp>,
    /// Mark as exercise traffic.
    #[arg(long)]
    pub exercise: bool,
}

/// A draft id, checked here because it goes into the URL.
fn parse_draft_id(text: &str) -> Result<String, String> {
    if is_draft_id(text) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "{text:?} is not a draft id; ids look like 0193a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b (see: detente drafts)"
        ))
    }
}

/// STIX type names for `match[type]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StixTypes(pub Vec<String>);

fn parse_stix_types(text: &str) -> Result<StixTypes, String> {
    crate::taxii_pull::parse_types(text).map(StixTypes)
}

fn parse_tlp(text: &str) -> Result<Tlp, String> {
    text.parse()
}

fn parse_precedence(text: &str) -> Result<Precedence, String> {
    text.parse()
}

/// A subject or summary must say something: the other side reads it.
fn parse_text(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        Err("must not be empty; the other party reads it".into())
    } else {
        Ok(text.to_owned())
    }
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Sustained log sequencing: entries/s, each durable before it is answered.
    #[command(
        after_help = "Example:\n  detente bench log                       # 200 000 entries, 4 096 submitters\n  detente bench log --entries 1000000 --concurrency 8192"
    )]
    Log(BenchLogArgs),
    /// TAXII 2.1 over real HTTPS: ingest and read objects/s, first-page latency.
    #[command(
        after_help = "Example:\n  detente bench taxii                     # 100 000 indicators, 1 000 a POST\n  detente bench taxii --objects 1000000 --batch 500"
    )]
    Taxii(BenchTaxiiArgs),
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
pub struct BenchTaxiiArgs {
    /// STIX objects to ingest over HTTPS.
    #[arg(long, default_value_t = 100_000)]
    pub objects: u64,
    /// Objects per POST.
    #[arg(long, default_value_t = 1000)]
    pub batch: usize,
    /// Concurrent posters.
    #[arg(long, default_value_t = 2)]
    pub posters: usize,
    /// Measured first-page requests at each collection size.
    #[arg(long, default_value_t = 50)]
    pub samples: usize,
    /// Objects also sent in process (no HTTP), and to the store alone, to
    /// show where the time goes; 0 to skip.
    #[arg(long, default_value_t = 20_000)]
    pub breakdown: u64,
    /// Speak HTTP/1.1 (as most TAXII clients do) instead of offering h2.
    #[arg(long)]
    pub http1: bool,
    /// Where to put the temporary node (default: the system temp dir).
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
        Command::Card(CardCommand::Show(args)) => crate::maintenance::card_show(args),
        Command::Card(CardCommand::Renew(args)) => crate::maintenance::card_renew(args),
        Command::Keys(KeysCommand::Rotate(args)) => crate::maintenance::keys_rotate(args),
        Command::Keys(KeysCommand::Revoke(args)) => crate::maintenance::keys_revoke(args),
        Command::Fsck(args) => crate::maintenance::fsck(args),
        Command::Backup(args) => crate::maintenance::backup(args),
        Command::Restore(args) => crate::maintenance::restore(args),
        Command::Officer(OfficerCommand::Add(args)) => admin::officer_add(args),
        Command::Officer(OfficerCommand::List(args)) => admin::officer_list(args),
        Command::Officer(OfficerCommand::Remove(args)) => admin::officer_remove(args),
        Command::Officer(OfficerCommand::Passwd(args)) => admin::officer_passwd(args),
        Command::Taxii(TaxiiCommand::Account(TaxiiAccountCommand::Add(args))) => {
            admin::taxii_account_add(args)
        }
        Command::Taxii(TaxiiCommand::Account(TaxiiAccountCommand::List(args))) => {
            admin::taxii_account_list(args)
        }
        Command::Taxii(TaxiiCommand::Account(TaxiiAccountCommand::Remove(args))) => {
            admin::taxii_account_remove(args)
        }
        Command::Taxii(TaxiiCommand::Pull(args)) => officer::taxii_pull(args).await,
        Command::Drafts(args) => officer::drafts(args).await,
        Command::Alerts(command) => officer::alerts(command).await,
        Command::Send(args) => officer::send(args).await,
        Command::Inbox(args) => officer::inbox(args).await,
        Command::Show(args) => officer::show(args).await,
        Command::Ack(args) => officer::ack(args).await,
        Command::Demo(args) => demo::run(args).await,
        Command::Bench(BenchCommand::Log(args)) => admin::bench_log(args).await,
        Command::Bench(BenchCommand::Taxii(args)) => admin::bench_taxii(args).await,
        Command::Log(LogCommand::Status(args)) => officer::log_status(args).await,
        Command::Evidence(args) => officer::evidence(args).await,
        Command::Stats(args) => officer::stats(args).await,
        Command::Agreement(AgreementCommand::Propose(args)) => {
            officer::agreement_propose(args).await
        }
        Command::Agreement(AgreementCommand::Sign(args)) => officer::agreement_sign(args).await,
        Command::Agreement(AgreementCommand::Show(args)) => officer::agreement_show(args).await,
        Command::Agreement(AgreementCommand::List(args)) => officer::agreement_list(args).await,
        Command::Guarantee(command) => officer::guarantee(command).await,
        Command::Pledge(command) => officer::pledge(command).await,
        Command::Verify(args) => verify::run(args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_is_a_date_or_an_rfc3339_time() {
        let at = |text: &str| parse_at(text).map(|t| t.to_string());
        assert_eq!(at("2026-12-01").as_deref(), Ok("2026-12-01T00:00:00.000Z"));
        assert_eq!(
            at("2026-12-01T12:30:00+03:00").as_deref(),
            Ok("2026-12-01T09:30:00.000Z")
        );
        for bad in ["2026-13-01", "2026-12-01 12:00", "yesterday", ""] {
            let error = parse_at(bad).expect_err(bad);
            assert!(
                error.contains(&format!("{bad:?}")) && error.contains("RFC 3339"),
                "{error}"
            );
        }
    }

    #[test]
    fn guarantee_ids_and_reasons_are_checked_before_the_node_is_asked() {
        assert_eq!(
            parse_document_id("ru-us-elections-2026").as_deref(),
            Ok("ru-us-elections-2026")
        );
        for bad in ["", "RU-US", "a/b", "../x", &"a".repeat(65)] {
            assert!(parse_document_id(bad).is_err(), "{bad:?}");
        }
        assert!(parse_reason(" \t").is_err());
        assert_eq!(parse_reason(" Superseded ").as_deref(), Ok(" Superseded "));
    }

    #[test]
    fn drafts_lists_without_a_subcommand() {
        let parse = |args: &[&str]| {
            Cli::try_parse_from(["detente", "drafts"].iter().chain(args)).map(|cli| {
                match cli.command {
                    Command::Drafts(drafts) => drafts,
                    other => panic!("not drafts: {other:?}"),
                }
            })
        };
        let DraftsCommand::List(list) = parse(&["--token", "dtn_x", "--with", "US"])
            .expect("list")
            .command
        else {
            panic!("not a list");
        };
        assert_eq!(list.state, "open");
        assert_eq!(list.with.as_deref(), Some("US"));
        assert!(matches!(
            parse(&["list", "--token", "dtn_x", "--state", "all"]).map(|d| d.command),
            Ok(DraftsCommand::List(ref a)) if a.state == "all"
        ));
        let shown = parse(&[
            "show",
            "0193a1b2-0000-7000-8000-000000000001",
            "--token",
            "dtn_x",
        ])
        .expect("show");
        assert!(matches!(shown.command, DraftsCommand::Show(ref a) if a.id.starts_with("0193")));
        let sent = parse(&[
            "send",
            "0193a1b2-0000-7000-8000-000000000001",
            "--token",
            "dtn_x",
            "--subject",
            "S",
            "--summary",
            "T",
            "--precedence",
            "flash",
            "--tlp",
            "AMBER+STRICT",
        ])
        .expect("send");
        let DraftsCommand::Send(send) = sent.command else {
            panic!("not send");
        };
        assert_eq!((send.from_tier, send.to_tier), (Tier::Technical, None));
        assert_eq!(send.precedence, Some(Precedence::Flash));
        assert_eq!(send.tlp, Some(Tlp::AmberStrict));
        for bad in [
            &["--state", "all", "show", "x", "--token", "t"][..],
            &["show", "../messages", "--token", "t"],
            &[
                "send",
                "d",
                "--token",
                "t",
                "--subject",
                " ",
                "--summary",
                "T",
            ],
            &["--state", "closed", "--token", "t"],
            &[],
        ] {
            assert!(parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn taxii_pull_checks_its_flags() {
        let parse = |args: &[&str]| {
            Cli::try_parse_from(
                [
                    "detente",
                    "taxii",
                    "pull",
                    "https://soc.example/taxii2/api1/",
                    "drafts",
                    "--to",
                    "US",
                    "--token",
                    "t",
                ]
                .iter()
                .chain(args),
            )
        };
        let Ok(Cli {
            command: Command::Taxii(TaxiiCommand::Pull(pull)),
        }) = parse(&[
            "--type",
            "indicator,sighting",
            "--added-after",
            "2026-11-28",
        ])
        else {
            panic!("a pull");
        };
        assert_eq!(pull.max_objects, 10_000);
        assert_eq!(pull.password_env, "DETENTE_TAXII_PASSWORD");
        assert_eq!(
            pull.types,
            Some(StixTypes(vec!["indicator".into(), "sighting".into()]))
        );
        assert_eq!(
            pull.added_after.as_deref(),
            Some("2026-11-28T00:00:00.000000Z")
        );
        for bad in [
            &["--max-objects", "0"][..],
            &["--page-size", "0"],
            &["--type", "Indicator"],
            &["--added-after", "last week"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn evidence_names_exactly_one_subject() {
        let parse = |args: &[&str]| {
            Cli::try_parse_from(
                ["detente", "evidence", "--token", "dtn_x"]
                    .iter()
                    .chain(args),
            )
        };
        let Ok(Cli {
            command: Command::Evidence(args),
        }) = parse(&["--pledge", "UN/no-first-use"])
        else {
            panic!("--pledge alone is an export");
        };
        assert_eq!(
            args.pledge.map(|p| p.to_string()).as_deref(),
            Some("UN/no-first-use")
        );
        assert!(parse(&["--guarantee", "ru-us-elections-2026"]).is_ok());
        for conflicting in [
            &["--guarantee", "g", "--pledge", "UN/p"][..],
            &["--guarantee", "g", "--with", "US"],
            &["--pledge", "UN/p", "--with", "US"],
            &["0193a1b2-0000-7000-8000-000000000001", "--guarantee", "g"],
            &["--guarantee", "g", "--period", "2026-Q4"],
            &[
                "--pledge",
                "UN/p",
                "--from",
                "2026-10-01",
                "--to",
                "2026-10-31",
            ],
        ] {
            assert!(parse(conflicting).is_err(), "{conflicting:?} was accepted");
        }
        assert!(parse(&[]).is_err(), "no subject was accepted");
    }
}
