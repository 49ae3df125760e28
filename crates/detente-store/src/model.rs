//! What the store keeps, as plain data.

use detente_proto::body::DeadlineKind;
use detente_proto::ids::{
    AccountName, DocumentId, Fingerprint, MessageId, OfficerName, PartyCode, ResourceId, Tier,
};
use detente_proto::kind::{MessageKind, Precedence, Tlp};
use detente_proto::time::Timestamp;

/// Whether this node sent or received a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Composed here and sent to the counterparty.
    Sent,
    /// Received from the counterparty.
    Received,
}

impl Direction {
    /// `sent` or `received`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Direction::Sent => "sent",
            Direction::Received => "received",
        }
    }
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageState {
    /// Sent side: stored and waiting in the outbox; no verified receipt yet.
    Queued,
    /// Sent side: the recipient's signed receipt was verified and stored.
    Delivered,
    /// Received side: accepted and receipted.
    Received,
}

impl MessageState {
    /// `queued`, `delivered` or `received`.
    pub fn as_str(&self) -> &'static str {
        match self {
            MessageState::Queued => "queued",
            MessageState::Delivered => "delivered",
            MessageState::Received => "received",
        }
    }
}

/// A message to store: the exact signed envelope bytes plus the columns
/// that queries need (all derived from the verified envelope).
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    /// Envelope id.
    pub id: MessageId,
    /// Sent or received.
    pub direction: Direction,
    /// The other party.
    pub counterparty: PartyCode,
    /// Kind.
    pub kind: MessageKind,
    /// Precedence.
    pub precedence: Precedence,
    /// Sender's tier.
    pub from_tier: Tier,
    /// Recipient's tier.
    pub to_tier: Tier,
    /// The authoring officer.
    pub officer: OfficerName,
    /// The message this answers.
    pub in_reply_to: Option<MessageId>,
    /// Envelope `created_at`.
    pub created_at: Timestamp,
    /// Exercise flag.
    pub exercise: bool,
    /// TLP marking.
    pub tlp: Tlp,
    /// One line for lists.
    pub headline: String,
    /// The exact signed envelope bytes.
    pub envelope: Vec<u8>,
    /// SHA-256 of `envelope`.
    pub envelope_sha256: [u8; 32],
    /// When this node queued (sent) or accepted (received) it.
    pub recorded_at: Timestamp,
    /// The index of its entry in this node's transparency log, when logged.
    pub log_index: Option<u64>,
}

/// A stored message and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMessage {
    /// What was stored.
    pub message: NewMessage,
    /// Queued, delivered or received.
    pub state: MessageState,
    /// The signed receipt: the peer's (sent) or ours (received).
    pub receipt: Option<Vec<u8>>,
    /// When the receipt was verified (sent side).
    pub delivered_at: Option<Timestamp>,
    /// Delivery attempts so far (sent side, while queued).
    pub attempts: u32,
    /// The last delivery error (sent side, while queued).
    pub last_error: Option<String>,
    /// When the next attempt is due (sent side, while queued).
    pub next_attempt_at: Option<Timestamp>,
    /// The earliest acknowledgement (by `created_at`) that answers this message
    /// from the other side — received for a sent message, sent for a received
    /// one — with its `created_at`.
    pub acknowledged_by: Option<(MessageId, Timestamp)>,
}

/// One group commit of the log sequencer: new log entries, the messages
/// they record and the checkpoint that covers them, written in ONE
/// transaction — or not at all.
#[derive(Debug, Clone, PartialEq)]
pub struct LogBatch {
    /// The log size this batch extends. The stored checkpoint must have
    /// exactly this size (0 with no checkpoint yet): a compare-and-swap, so
    /// two sequencers can never fork the log.
    pub old_size: u64,
    /// The new entries' bytes, at indices `old_size`, `old_size + 1`, ….
    pub entries: Vec<Vec<u8>>,
    /// The new checkpoint's size: `old_size + entries.len()`.
    pub new_size: u64,
    /// The signed checkpoint (a C2SP signed note) for `new_size`.
    pub checkpoint: String,
    /// Messages this node composed, each with `log_index` set, queued for
    /// delivery at their `recorded_at`.
    pub sent: Vec<NewMessage>,
    /// Messages received, each with `log_index` set, and the receipt this
    /// node signed for each.
    pub received: Vec<(NewMessage, Vec<u8>)>,
    /// Signed records that received messages carry (a guarantee or pledge
    /// step, an agreement signature), stored with their messages so a crash
    /// can never keep a message and lose its record. Their document entries
    /// are among `entries`. An exact repeat of a stored record is no
    /// change; a conflicting one fails the batch.
    pub records: Vec<CarriedRecord>,
}

/// A signed record a received message carries, committed in its
/// message's [`LogBatch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CarriedRecord {
    /// A guarantee or pledge step (as [`crate::Store::put_document_record`]).
    Document(DocumentRecord),
    /// A party's signature on an agreement (as
    /// [`crate::Store::put_agreement_signature`]).
    AgreementSignature(AgreementSignature),
}

/// Something a node must not stay silent about: a log that forked
/// (equivocation), a consistency proof that failed, a missing or mismatched
/// cross-log entry. Kept as evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alarm {
    /// When it was raised.
    pub at: Timestamp,
    /// A short kebab-case kind, e.g. `equivocation`, `inconsistent-proof`.
    pub kind: String,
    /// The log (origin) or party concerned.
    pub subject: String,
    /// What was found, for people.
    pub detail: String,
    /// The evidence, verbatim (e.g. both signed checkpoints).
    pub evidence: Vec<u8>,
}

/// The result of accepting an incoming message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcceptOutcome {
    /// Newly stored.
    Accepted,
    /// Already stored with the same bytes; here is the receipt given then.
    AlreadyAccepted {
        /// The receipt bytes stored the first time.
        receipt: Vec<u8>,
    },
}

/// Which messages to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mailbox {
    /// Received messages.
    Inbox,
    /// Sent messages.
    Outbox,
    /// Both.
    All,
}

/// A message listing query.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageQuery {
    /// Inbox, outbox or both.
    pub mailbox: Mailbox,
    /// Only messages in this state.
    pub state: Option<MessageState>,
    /// Only messages this officer may see: sent from, or addressed to, one of these tiers.
    pub tiers: Vec<Tier>,
    /// Only messages with this counterparty.
    pub counterparty: Option<PartyCode>,
    /// Only messages of this kind.
    pub kind: Option<MessageKind>,
    /// At most this many (newest first).
    pub limit: usize,
}

/// A pending delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// The message.
    pub id: MessageId,
    /// Its recipient.
    pub counterparty: PartyCode,
    /// The exact signed envelope bytes to seal and deliver.
    pub envelope: Vec<u8>,
    /// Attempts so far.
    pub attempts: u32,
    /// When it is due.
    pub next_attempt_at: Timestamp,
    /// The last error, if an attempt failed.
    pub last_error: Option<String>,
}

/// A trusted peer: its verified, fingerprint-confirmed card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerRecord {
    /// The peer's party code.
    pub party: PartyCode,
    /// The exact signed card bytes.
    pub card: Vec<u8>,
    /// The confirmed fingerprint of its signing key.
    pub fingerprint: Fingerprint,
    /// The pinned SHA-256 of its TLS SubjectPublicKeyInfo.
    pub tls_spki_sha256: [u8; 32],
    /// When it was added or last updated.
    pub added_at: Timestamp,
}

/// A card this node holds or held, its own or a peer's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardRecord {
    /// SHA-256 of the exact signed card bytes (the key).
    pub sha256: [u8; 32],
    /// The party whose card it is.
    pub party: PartyCode,
    /// The exact signed card bytes.
    pub card: Vec<u8>,
    /// The signed link from the party's previous card; `None` for a
    /// party's first card.
    pub link: Option<Vec<u8>>,
    /// When this node first held it.
    pub recorded_at: Timestamp,
}

/// An officer of this node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerRecord {
    /// Unique name.
    pub name: OfficerName,
    /// Tiers the officer is cleared for.
    pub tiers: Vec<Tier>,
    /// SHA-256 of the bearer token (the token itself is never stored).
    pub token_sha256: [u8; 32],
    /// When the officer was added.
    pub created_at: Timestamp,
}

/// A signed-in console session ([`crate::Store::add_console_session`]).
/// Only hashes of its secrets are kept: the session secret is the
/// browser's cookie, the CSRF secret goes in its forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleSession {
    /// SHA-256 of the session secret.
    pub secret_sha256: [u8; 32],
    /// Whose session it is.
    pub officer: OfficerName,
    /// SHA-256 of the CSRF secret.
    pub csrf_sha256: [u8; 32],
    /// When it was opened.
    pub created_at: Timestamp,
    /// When it was last used.
    pub seen_at: Timestamp,
    /// When it ends, however often it is used.
    pub expires_at: Timestamp,
}

/// Wrong passwords given for one officer name since the last good sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInFailures {
    /// The name, as typed (it need not be an officer's).
    pub name: OfficerName,
    /// How many, from 1.
    pub failures: u32,
    /// When the last one was.
    pub last_failure_at: Timestamp,
    /// Until when the name is locked out, if it is.
    pub locked_until: Option<Timestamp>,
}

/// One party's signature on one version of an agreement: the exact signed
/// bytes (a `{"agreement", "key_id", "signature"}` wrapper), verified by the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementSignature {
    /// The agreement's id.
    pub agreement_id: DocumentId,
    /// Its version, from 1.
    pub version: u32,
    /// The signing party.
    pub signer: PartyCode,
    /// SHA-256 of the agreement document's canonical bytes (what was signed).
    pub document_sha256: [u8; 32],
    /// The exact signed bytes.
    pub signed: Vec<u8>,
    /// When this node recorded it.
    pub recorded_at: Timestamp,
}

/// One deadline a sent message started: the agreement engine's timer,
/// kept so that it survives a restart. One per message and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineTimer {
    /// The sent message whose delivery started the clock.
    pub message_id: MessageId,
    /// Which deadline: acknowledge, reply or (a communication check) check.
    pub kind: DeadlineKind,
    /// When the clock started.
    pub started_at: Timestamp,
    /// When the answer is due.
    pub due_at: Timestamp,
    /// When the engine must look at it next (the next escalation rung);
    /// `None`: nothing left to fire. Always `None` once met.
    pub next_at: Option<Timestamp>,
    /// How many escalation rungs have fired so far.
    pub rungs_fired: u32,
    /// When an answer met it; `None` while open.
    pub met_at: Option<Timestamp>,
    /// The answering message; set exactly when `met_at` is.
    pub met_by: Option<MessageId>,
}

/// A deadline listing query ([`crate::Store::deadlines`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlineQuery {
    /// Only deadlines no answer has met yet.
    pub open_only: bool,
    /// At most this many (earliest due first).
    pub limit: usize,
}

/// Which register a [`DocumentRecord`] belongs to: guarantees or pledges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocumentKind {
    /// A guarantee, named by its id (`ru-us-elections-2026`).
    Guarantee,
    /// A pledge, named `HOST/id` (`UN/no-first-use`).
    Pledge,
}

impl DocumentKind {
    /// `guarantee` or `pledge`.
    pub fn as_str(&self) -> &'static str {
        match self {
            DocumentKind::Guarantee => "guarantee",
            DocumentKind::Pledge => "pledge",
        }
    }
}

/// What a [`DocumentRecord`] says. Ordered as a document's history is:
/// published, signed, withdrawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordRole {
    /// The document as published (by a guarantee's proposer, a pledge's host).
    Publish,
    /// A party's signature on the document.
    Sign,
    /// A party's withdrawal from the document.
    Withdraw,
}

impl RecordRole {
    /// `publish`, `sign` or `withdraw`.
    pub fn as_str(&self) -> &'static str {
        match self {
            RecordRole::Publish => "publish",
            RecordRole::Sign => "sign",
            RecordRole::Withdraw => "withdraw",
        }
    }
}

/// One signed step in the history of a guarantee or pledge, verified by the
/// node and kept verbatim ([`crate::Store::put_document_record`]). At most
/// one per kind, document, role and party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRecord {
    /// The register.
    pub kind: DocumentKind,
    /// A guarantee's id (`ru-us-elections-2026`) or a pledge's `HOST/id`
    /// (`UN/no-first-use`): 1 to 96 of `a-z`, `A-Z`, `0-9`, `-`, `/`.
    pub document_id: String,
    /// Publish, sign or withdraw.
    pub role: RecordRole,
    /// The signer, the withdrawing party, or the publishing host.
    pub party: PartyCode,
    /// SHA-256 of the canonical bytes of the document the record is about.
    pub document_sha256: [u8; 32],
    /// The exact signed bytes: the signed document (publish, sign) or the
    /// signed withdrawal message envelope (withdraw).
    pub signed: Vec<u8>,
    /// The message that carried it, if any (it need not be stored).
    pub message_id: Option<MessageId>,
    /// When the party says it happened: the carrying message's `created_at`.
    pub at: Timestamp,
    /// When this node stored it.
    pub recorded_at: Timestamp,
}

/// A node's TAXII collection with one counterparty (docs/taxii.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CollectionKind {
    /// Every object of every message received from the counterparty.
    ReceivedFrom,
    /// Every object of every message sent to the counterparty.
    SentTo,
    /// Every object of every draft notification to the counterparty.
    Drafts,
}

impl CollectionKind {
    /// Every collection, in the order an API root lists them.
    pub const ALL: [CollectionKind; 3] = [
        CollectionKind::ReceivedFrom,
        CollectionKind::SentTo,
        CollectionKind::Drafts,
    ];

    /// The collection's alias: `received-from`, `sent-to` or `drafts`.
    pub fn as_str(self) -> &'static str {
        match self {
            CollectionKind::ReceivedFrom => "received-from",
            CollectionKind::SentTo => "sent-to",
            CollectionKind::Drafts => "drafts",
        }
    }
}

impl std::str::FromStr for CollectionKind {
    type Err = String;

    /// Accepts exactly an alias, as [`CollectionKind::as_str`] writes it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "{s:?} is not a TAXII collection; use one of: received-from, sent-to, drafts"
                )
            })
    }
}

impl std::fmt::Display for CollectionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a stored STIX object came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StixSource {
    /// A message's STIX bundle (it need not be stored).
    Message(MessageId),
    /// A draft's bundle, by draft id.
    Draft(ResourceId),
}

/// A STIX object to add to a collection ([`crate::Store::add_stix_objects`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NewStixObject {
    /// The API root: the counterparty the collection is with.
    pub counterparty: PartyCode,
    /// Which of its collections.
    pub collection: CollectionKind,
    /// The object's `id`, `<type>--<uuid>`: 1 to 300 characters.
    pub object_id: String,
    /// The object's `type`.
    pub object_type: String,
    /// The object's `spec_version`.
    pub spec_version: String,
    /// The object's own `modified`, else its `created`, as written; `None`
    /// if it has neither (e.g. a cyber-observable object).
    pub version: Option<String>,
    /// `version` normalised: fixed width, so that byte order is time order;
    /// `None` exactly when `version` is. Never empty.
    pub version_key: Option<String>,
    /// The visibility lane, fixed when stored, e.g. `green`,
    /// `red:tier:technical` (docs/taxii.md, "TLP enforcement"): 1 to 200
    /// characters.
    pub lane: String,
    /// The message or draft it came in.
    pub source: StixSource,
    /// The object's exact JSON bytes.
    pub json: Vec<u8>,
}

/// A stored STIX object ([`crate::Store::stix_objects`]).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredStixObject {
    /// What was stored.
    pub object: NewStixObject,
    /// `date_added`: microseconds since the Unix epoch, unique and strictly
    /// increasing across the whole store in insertion order.
    pub added_us: i64,
    /// Whether this is the latest version (greatest `version_key`) of its
    /// `object_id` in its (counterparty, collection) as the reader sees it:
    /// over the lanes of the query that returned it, not over every lane.
    pub latest: bool,
    /// Whether this is the first version (least `version_key`), as the
    /// reader sees it (over the query's lanes).
    pub first: bool,
}

/// Which versions of each object a [`StixQuery`] matches: the parsed
/// `match[version]` of TAXII 2.1, the one type the protocol layer and the
/// store share.
///
/// A row matches if `all`, or `first` and it is its object's first
/// version, or `last` and it is the latest, or its `version_key` is one of
/// `at`. All false and `at` empty: nothing matches. First and latest are
/// over the query's lanes only (per reader), and each version is matched
/// at most once: if it is in several of the query's lanes, the copy with
/// the least `added_us`.
pub use detente_proto::taxii::VersionFilter;

/// A query of one collection's objects ([`crate::Store::stix_objects`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StixQuery {
    /// The API root: the counterparty the collection is with.
    pub counterparty: PartyCode,
    /// Which of its collections.
    pub collection: CollectionKind,
    /// Only objects in these lanes; none: nothing.
    pub lanes: Vec<String>,
    /// Only objects added after this (`added_us` greater); `None`: from the start.
    pub after_us: Option<i64>,
    /// Only these object ids; empty: any.
    pub ids: Vec<String>,
    /// Only these object types; empty: any.
    pub types: Vec<String>,
    /// Which versions of each object.
    pub versions: VersionFilter,
    /// Only these spec versions; empty: any.
    pub spec_versions: Vec<String>,
    /// At most this many (earliest added first).
    pub limit: usize,
}

/// Where a draft notification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DraftState {
    /// Waiting for an officer.
    Open,
    /// An officer sent it, as a message.
    Sent,
    /// An officer discarded it.
    Discarded,
}

impl DraftState {
    /// Every state, in the order a draft can be in them.
    pub const ALL: [DraftState; 3] = [DraftState::Open, DraftState::Sent, DraftState::Discarded];

    /// `open`, `sent` or `discarded`.
    pub fn as_str(self) -> &'static str {
        match self {
            DraftState::Open => "open",
            DraftState::Sent => "sent",
            DraftState::Discarded => "discarded",
        }
    }
}

impl std::str::FromStr for DraftState {
    type Err = String;

    /// Accepts exactly a name, as [`DraftState::as_str`] writes it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| format!("{s:?} is not a draft state; use one of: open, sent, discarded"))
    }
}

impl std::fmt::Display for DraftState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A draft notification to store ([`crate::Store::create_draft`]): STIX
/// objects a SOC tool posted, waiting for an officer to send or discard them.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDraft {
    /// Its id (the node makes a random UUID).
    pub id: ResourceId,
    /// Whom it would be sent to.
    pub counterparty: PartyCode,
    /// When it was made.
    pub created_at: Timestamp,
    /// Who made it: `taxii:<account>` or `officer:<name>`.
    pub created_by: String,
    /// One line for people: where the objects came from.
    pub source: String,
    /// The draft's TLP.
    pub tlp: Tlp,
    /// The draft's STIX bundle, JSON bytes.
    pub bundle: Vec<u8>,
    /// How many objects the bundle holds.
    pub object_count: u32,
}

/// A stored draft and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// What was stored.
    pub draft: NewDraft,
    /// Open, sent or discarded.
    pub state: DraftState,
    /// The message it was sent as; set exactly when sent.
    pub message_id: Option<MessageId>,
    /// Who sent or discarded it; `None` while open.
    pub decided_by: Option<String>,
    /// When; set exactly when `decided_by` is.
    pub decided_at: Option<Timestamp>,
}

/// A TAXII status resource (TAXII 2.1 §4.3), kept for the account that posted.
#[derive(Debug, Clone, PartialEq)]
pub struct TaxiiStatusRecord {
    /// The status id.
    pub id: ResourceId,
    /// The account that posted: only it may read the status.
    pub account: AccountName,
    /// The API root posted to.
    pub counterparty: PartyCode,
    /// The collection posted to.
    pub collection: CollectionKind,
    /// When it was made.
    pub created_at: Timestamp,
    /// The status resource's JSON.
    pub document: Vec<u8>,
}

/// What a TAXII account may do with one collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxiiGrant {
    /// The API root.
    pub counterparty: PartyCode,
    /// The collection.
    pub collection: CollectionKind,
    /// May read (GET) it.
    pub read: bool,
    /// May add (POST) to it.
    pub write: bool,
}

/// A TAXII client's account (docs/taxii.md, "Accounts").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxiiAccountRecord {
    /// Unique name.
    pub name: AccountName,
    /// SHA-256 of the secret (the secret itself is never stored).
    pub secret_sha256: [u8; 32],
    /// The most restrictive TLP it may read.
    pub clearance: Tlp,
    /// For RED: the tiers of ours it is a named recipient for.
    pub tiers: Vec<Tier>,
    /// The collections it may read or write, one grant per collection, in
    /// the order given.
    pub grants: Vec<TaxiiGrant>,
    /// When it was added.
    pub created_at: Timestamp,
}

/// How many messages of one kind, direction and state are stored
/// ([`crate::Store::message_counts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageCount {
    /// The kind.
    pub kind: MessageKind,
    /// Sent or received.
    pub direction: Direction,
    /// Queued, delivered or received.
    pub state: MessageState,
    /// How many.
    pub count: u64,
}

/// The messages queued for one peer ([`crate::Store::queued_by_peer`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedForPeer {
    /// The peer.
    pub peer: PartyCode,
    /// How many are queued.
    pub count: u64,
    /// When the oldest of them was recorded.
    pub oldest_recorded_at: Timestamp,
}

/// Counts by state name, in the order the counting method documents
/// ([`crate::Store::alert_counts`], [`crate::Store::deadline_counts`]).
pub type StateCounts = Vec<(&'static str, u64)>;
