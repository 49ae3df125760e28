//! `detente fsck`: recomputes this node's log from the stored entries and
//! checks everything that was signed over it (docs/operations.md,
//! "Checking the database: detente fsck").
//!
//! - every entry from 0 to the stored checkpoint's size is there and
//!   parses ([`Finding::MissingEntry`], [`Finding::DamagedEntry`]);
//! - the stored checkpoint is signed by a key of one of this party's cards,
//!   names this log and its size, and its root is the RFC 9162 §2.1.1 root
//!   of the stored entries;
//! - every message that names a log index finds its own entry there;
//! - every receipt this node signed verifies with the key it held then,
//!   proves its entry (C2SP tlog-proof), and its checkpoint's root is the
//!   root the stored entries have at that size: a checkpoint this node
//!   signed that the entries no longer produce, or a size beyond them, is
//!   a log that was rewound or forked (a restored backup);
//! - every cosignature a witness gave is over the root the stored entries
//!   have at its size.
//!
//! Nothing is written. Each finding belongs to a [`Class`]; the exit code
//! is the bitwise OR of the classes found, 0 when nothing is (1, as for
//! every command, when fsck cannot run at all).

use std::collections::HashMap;

use detente_evidence::receipt_log::verify_receipt_log;
use detente_log::checkpoint::{Checkpoint, SignedCheckpoint};
use detente_log::merkle::{MemoryTree, leaf_hash};
use detente_log::note::NoteVerifier;
use detente_proto::ProtoError;
use detente_proto::envelope::SignedEnvelope;
use detente_proto::ids::{MessageId, PartyCode};
use detente_proto::keyring::Keyring;
use detente_proto::log_entry::LogEntry;
use detente_proto::receipt::SignedReceipt;
use detente_store::{Direction, Store, StoreError};
use serde::Serialize;

use crate::error::NodeResult;

/// Entries read at once.
const CHUNK: u64 = 4096;

/// Messages read at once.
const MESSAGE_PAGE: usize = 1000;

/// What kind of damage a finding is; each is one bit of the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// An entry does not parse (2).
    DamagedEntries = 2,
    /// An entry is missing (4).
    MissingEntries = 4,
    /// The stored checkpoint does not hold (8).
    Checkpoint = 8,
    /// A receipt does not hold against the entries (16).
    Receipts = 16,
    /// A cosignature does not hold against the entries (32).
    Cosignatures = 32,
    /// A message and its log entry disagree (64).
    Messages = 64,
}

/// One thing `fsck` found wrong.
#[non_exhaustive]
#[derive(Debug, Clone, thiserror::Error, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum Finding {
    /// No entry is stored at an index below the checkpoint's size.
    #[error("log entry {index} is missing")]
    MissingEntry {
        /// Its index.
        index: u64,
    },
    /// An entry's bytes are not a log entry.
    #[error("log entry {index} is damaged: {cause}")]
    DamagedEntry {
        /// Its index.
        index: u64,
        /// Why it does not parse.
        cause: ProtoError,
    },
    /// The stored checkpoint is not a signed checkpoint of this log.
    #[error("the stored checkpoint does not parse: {cause}")]
    CheckpointUnreadable {
        /// Why.
        cause: detente_log::checkpoint::CheckpointError,
    },
    /// No key of this party's cards signed the stored checkpoint.
    #[error("the stored checkpoint is not signed by a key of any of this party's cards")]
    CheckpointUnsigned,
    /// The checkpoint names another log or size than the table.
    #[error(
        "the stored checkpoint is of {origin} at size {size}, but the database holds it as {expected_origin} at size {stored_size}"
    )]
    CheckpointMismatch {
        /// The origin it names.
        origin: String,
        /// The size it names.
        size: u64,
        /// This log's origin.
        expected_origin: String,
        /// The size the table holds.
        stored_size: u64,
    },
    /// The entries do not hash to the checkpoint's root.
    #[error(
        "the stored entries do not hash to the root of the stored checkpoint at size {size} (the checkpoint says {signed}, the entries give {computed})"
    )]
    CheckpointRoot {
        /// The size.
        size: u64,
        /// The root signed, base64.
        signed: String,
        /// The root recomputed, base64.
        computed: String,
    },
    /// A message names a log entry that does not record it.
    #[error("message {id} names log entry {index}, which does not record it")]
    MessageNotLogged {
        /// The message.
        id: MessageId,
        /// The index it names.
        index: u64,
    },
    /// A receipt this node signed does not verify.
    #[error("the receipt of message {id} does not verify: {cause}")]
    ReceiptUnverified {
        /// The message.
        id: MessageId,
        /// Why, as the receipt checks say.
        cause: String,
    },
    /// A receipt proves a checkpoint whose root the entries do not give.
    #[error(
        "the receipt of message {id} carries a checkpoint of size {size} that this node signed, whose root the stored entries do not give: the log was rewound or forked since"
    )]
    ReceiptRoot {
        /// The message.
        id: MessageId,
        /// The checkpoint's size.
        size: u64,
    },
    /// A receipt proves a size beyond the stored log.
    #[error(
        "the receipt of message {id} carries a checkpoint of size {size}, beyond the stored log ({log_size} entries): entries were lost since (a restored backup?)"
    )]
    ReceiptBeyondLog {
        /// The message.
        id: MessageId,
        /// The checkpoint's size.
        size: u64,
        /// The entries stored.
        log_size: u64,
    },
    /// A witness's cosignature does not verify over the entries' root.
    #[error(
        "the cosignature of {witness} on size {size} does not verify over the root the stored entries have at that size"
    )]
    Cosignature {
        /// The witness.
        witness: String,
        /// The size cosigned.
        size: u64,
    },
}

impl Finding {
    /// Its class.
    pub fn class(&self) -> Class {
        match self {
            Finding::MissingEntry { .. } => Class::MissingEntries,
            Finding::DamagedEntry { .. } => Class::DamagedEntries,
            Finding::CheckpointUnreadable { .. }
            | Finding::CheckpointUnsigned
            | Finding::CheckpointMismatch { .. }
            | Finding::CheckpointRoot { .. } => Class::Checkpoint,
            Finding::MessageNotLogged { .. } => Class::Messages,
            Finding::ReceiptUnverified { .. }
            | Finding::ReceiptRoot { .. }
            | Finding::ReceiptBeyondLog { .. } => Class::Receipts,
            Finding::Cosignature { .. } => Class::Cosignatures,
        }
    }

    /// Its kebab-case name, e.g. `missing-entry`.
    pub fn kind(&self) -> &'static str {
        self.into()
    }
}

/// What `fsck` checked and found.
#[derive(Debug, Clone)]
pub struct FsckReport {
    /// The stored checkpoint's size (0 without one).
    pub size: u64,
    /// Entries read.
    pub entries: u64,
    /// Messages checked against their entries.
    pub messages: u64,
    /// Receipts checked.
    pub receipts: u64,
    /// Cosignatures checked.
    pub cosignatures: u64,
    /// What is wrong, in the order found.
    pub findings: Vec<Finding>,
}

impl FsckReport {
    /// The exit code: the OR of the classes found, 0 when none.
    pub fn exit_code(&self) -> u8 {
        self.findings
            .iter()
            .fold(0, |code, f| code | f.class() as u8)
    }
}

/// The keyring `fsck` needs, for the node in `dir` whose database is
/// `store` (its own, or a backup's): every card held there, and the
/// directory's card.
pub fn keyring_for(
    store: std::sync::Arc<dyn Store>,
    dir: &std::path::Path,
) -> NodeResult<std::sync::Arc<Keyring>> {
    let config = crate::config::NodeConfig::load(dir)?;
    let card = crate::node::read_card(&dir.join(crate::node::CARD_FILE))?;
    let peers = crate::peers::PeerDirectory::load(
        store,
        card,
        std::sync::Arc::new(detente_proto::clock::SystemClock),
        config.keys.overlap,
    )?;
    Ok(peers.keyring())
}

/// Checks `party`'s log in `store` against everything signed over it;
/// `keyring` holds every card the node holds (its own and its peers').
/// Fails only when the store itself cannot be read.
pub fn fsck(store: &dyn Store, party: &PartyCode, keyring: &Keyring) -> NodeResult<FsckReport> {
    let origin = crate::log::origin(party);
    let mut findings = Vec::new();
    let stored = store.log_checkpoint()?;
    let size = stored.as_ref().map_or(0, |(size, _)| *size);

    // The entries, with a placeholder leaf for a missing one so later
    // indices keep their place.
    let mut tree = MemoryTree::with_capacity(usize::try_from(size).unwrap_or(0));
    let mut logged: HashMap<u64, LogEntry> = HashMap::new();
    let mut start = 0;
    while start < size {
        let end = (start + CHUNK).min(size);
        for (index, entry) in read_chunk(store, start, end)? {
            match entry {
                None => {
                    findings.push(Finding::MissingEntry { index });
                    tree.append_leaf_hash([0; 32]);
                }
                Some(bytes) => {
                    tree.append(&bytes);
                    match LogEntry::parse(&bytes) {
                        Ok(entry) => {
                            logged.insert(index, entry);
                        }
                        Err(cause) => findings.push(Finding::DamagedEntry { index, cause }),
                    }
                }
            }
        }
        start = end;
    }

    if let Some((stored_size, note)) = &stored {
        check_checkpoint(
            &mut findings,
            &tree,
            &origin,
            *stored_size,
            note,
            party,
            keyring,
        );
    }

    let (messages, receipts) =
        check_messages(store, &mut findings, &tree, &logged, party, keyring)?;

    let mut cosignatures = 0;
    let verifiers = cosignature_verifiers(keyring);
    for (witness, cosigned_size, line) in store.cosignatures()? {
        cosignatures += 1;
        let holds = tree
            .root_at(cosigned_size)
            .ok()
            .and_then(|root| Checkpoint::new(&origin, cosigned_size, root).ok())
            .and_then(|c| {
                SignedCheckpoint::parse(format!("{}\n{line}\n", c.to_text()).as_bytes()).ok()
            })
            .is_some_and(|signed| {
                let known: Vec<&dyn NoteVerifier> =
                    verifiers.iter().map(|v| v as &dyn NoteVerifier).collect();
                signed.note().verify(&known).is_ok()
            });
        if !holds {
            findings.push(Finding::Cosignature {
                witness,
                size: cosigned_size,
            });
        }
    }

    Ok(FsckReport {
        size,
        entries: tree.size(),
        messages,
        receipts,
        cosignatures,
        findings,
    })
}

/// The entries `start..end`, each `None` where it is missing.
fn read_chunk(store: &dyn Store, start: u64, end: u64) -> NodeResult<Vec<(u64, Option<Vec<u8>>)>> {
    match store.log_entries(start, end) {
        Ok(entries) if entries.len() as u64 == end - start => {
            Ok((start..).zip(entries.into_iter().map(Some)).collect())
        }
        // A gap (or the log ends early): one index at a time.
        Ok(_) | Err(StoreError::Corrupt(_)) => (start..end)
            .map(|index| {
                let mut one = store.log_entries(index, index + 1)?;
                Ok((index, one.pop()))
            })
            .collect(),
        Err(other) => Err(other.into()),
    }
}

fn check_checkpoint(
    findings: &mut Vec<Finding>,
    tree: &MemoryTree,
    origin: &str,
    stored_size: u64,
    note: &str,
    party: &PartyCode,
    keyring: &Keyring,
) {
    let signed = match SignedCheckpoint::parse(note.as_bytes()) {
        Ok(signed) => signed,
        Err(cause) => {
            findings.push(Finding::CheckpointUnreadable { cause });
            return;
        }
    };
    let verifiers: Vec<_> = keyring
        .cards()
        .filter(|c| &c.card().party == party)
        .filter_map(|c| crate::log::log_verifier(party, &c.keys().signing).ok())
        .collect();
    let known: Vec<&dyn NoteVerifier> = verifiers.iter().map(|v| v as &dyn NoteVerifier).collect();
    if signed.verify(&known).is_err() {
        findings.push(Finding::CheckpointUnsigned);
    }
    let checkpoint = signed.checkpoint();
    if checkpoint.origin() != origin || checkpoint.size() != stored_size {
        findings.push(Finding::CheckpointMismatch {
            origin: checkpoint.origin().to_owned(),
            size: checkpoint.size(),
            expected_origin: origin.to_owned(),
            stored_size,
        });
        return;
    }
    let computed = tree.root_at(stored_size).unwrap_or_else(|_| tree.root());
    if &computed != checkpoint.root() {
        let b64 = |h: &[u8; 32]| detente_proto::envelope::hash_to_base64(h);
        findings.push(Finding::CheckpointRoot {
            size: stored_size,
            signed: b64(checkpoint.root()),
            computed: b64(&computed),
        });
    }
}

/// Each stored message against its entry, and each receipt this node
/// signed against the entries. Returns how many of each were checked.
fn check_messages(
    store: &dyn Store,
    findings: &mut Vec<Finding>,
    tree: &MemoryTree,
    logged: &HashMap<u64, LogEntry>,
    party: &PartyCode,
    keyring: &Keyring,
) -> NodeResult<(u64, u64)> {
    let (mut messages, mut receipts) = (0, 0);
    let mut after = 0;
    loop {
        let page = store.messages_after(after, MESSAGE_PAGE)?;
        let Some((last, _)) = page.last() else {
            break;
        };
        after = *last;
        for (_, stored) in page {
            let m = &stored.message;
            if let Some(index) = m.log_index {
                messages += 1;
                let records = logged
                    .get(&index)
                    .is_some_and(|e| e.id == m.id.to_string() && e.sha256 == m.envelope_sha256);
                // A missing or damaged entry inside the log is reported
                // as such already; one beyond it is the message's finding.
                let reported = index < tree.size() && !logged.contains_key(&index);
                if !records && !reported {
                    findings.push(Finding::MessageNotLogged { id: m.id, index });
                }
            }
            let (Direction::Received, Some(bytes)) = (m.direction, stored.receipt.as_ref()) else {
                continue;
            };
            receipts += 1;
            if let Some(finding) = check_receipt(m, bytes, tree, party, keyring) {
                findings.push(finding);
            }
        }
    }
    Ok((messages, receipts))
}

/// A receipt this node signed for a received message, against the entries.
fn check_receipt(
    m: &detente_store::NewMessage,
    bytes: &[u8],
    tree: &MemoryTree,
    party: &PartyCode,
    keyring: &Keyring,
) -> Option<Finding> {
    let unverified = |cause: String| Finding::ReceiptUnverified { id: m.id, cause };
    let (receipt, key) = match SignedReceipt::parse_and_verify_in(bytes, party, keyring) {
        Ok(checked) => checked,
        Err(e) => return Some(unverified(e.to_string())),
    };
    let sender_key = match keyring.card_at(&m.counterparty, m.created_at) {
        Ok(card) => card.keys().signing,
        Err(e) => return Some(unverified(e.to_string())),
    };
    let envelope = match SignedEnvelope::from_trusted_bytes(&m.envelope, &sender_key) {
        Ok(envelope) => envelope,
        Err(e) => return Some(unverified(e.to_string())),
    };
    let inclusion = match verify_receipt_log(receipt.receipt(), &envelope, &key) {
        Ok(inclusion) => inclusion,
        Err(cause) => return Some(unverified(cause)),
    };
    let size = inclusion.checkpoint_size;
    if size > tree.size() {
        return Some(Finding::ReceiptBeyondLog {
            id: m.id,
            size,
            log_size: tree.size(),
        });
    }
    let entry_holds =
        receipt.receipt().log.as_ref().is_some_and(|p| {
            tree.leaf_hash(inclusion.index) == Some(leaf_hash(p.entry.as_bytes()))
        });
    match tree.root_at(size) {
        Ok(root) if &root == inclusion.checkpoint.root() && entry_holds => None,
        _ => Some(Finding::ReceiptRoot { id: m.id, size }),
    }
}

fn cosignature_verifiers(keyring: &Keyring) -> Vec<detente_log::cosignature::CosignatureVerifier> {
    keyring
        .cards()
        .filter_map(|c| {
            crate::log::witness::cosignature_verifier(&c.card().party, &c.keys().signing).ok()
        })
        .collect()
}
