//! Renewing this party's card and rotating its keys, in a node directory
//! no process is using (docs/operations.md, "Renewing the card and
//! rotating keys"; docs/protocol.md, "Card chains").
//!
//! A renewal keeps the keys and issues a new card with a new validity; a
//! rotation replaces the signing, encryption and/or TLS keys and issues a
//! new card for them. Either way the new card names the current one
//! (`previous`), is self-signed by its own key, and is joined to the
//! current card by a link signed with the *current* signing key
//! ([`detente_proto::card_chain`]). The running node pushes the chain to
//! every peer when it next starts (`card_push.rs`).
//!
//! The change is journaled, so a crash at any point leaves either the old
//! node or the new one, never a mix:
//!
//! 1. everything new is written into `keys/next/` (key files, `card.json`,
//!    `card-link.json`) with copies of the replaced key files in
//!    `keys/next/retired/`, each file synced;
//! 2. `keys/next/COMMIT` is written and synced: from here the change is
//!    decided;
//! 3. [`complete_pending`] moves `keys/next/retired` to
//!    `keys/retired/<unix ms>/`, each new file over the current one, records
//!    the new card with its link in the store, and removes `keys/next/`.
//!
//! Every step of 3 can be repeated; [`complete_pending`] runs at every
//! [`crate::node::Node::open`], so a node stopped half-way through step 3
//! finishes it when it starts. A `keys/next/` without `COMMIT` is an
//! interrupted step 1, and is removed: nothing changed.

use std::fs::File;
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

use detente_proto::card::{PartyCard, SignedCard};
use detente_proto::card_chain::SignedCardLink;
use detente_proto::envelope::hash_to_base64;
use detente_proto::time::Timestamp;
use detente_store::{CardRecord, Store};

use crate::config::{CONFIG_FILE, NodeConfig};
use crate::error::{ConfigProblem, NodeError, NodeResult};
use crate::keys::{KEY_FILES, NodeKeys, RETIRED_DIR, keys_dir};
use crate::node::{CARD_FILE, open_store, read_card};
use crate::recovery_key::RecoveryKey;
use crate::tls::TlsIdentity;

/// The file whose lock a process holds while it uses a node directory.
pub const LOCK_FILE: &str = "node.lock";

const NEXT_DIR: &str = "next";
const COMMIT_FILE: &str = "COMMIT";
const LINK_FILE: &str = "card-link.json";

/// Which keys a rotation replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Replace {
    /// The Ed25519 signing key (and so the fingerprint peers confirmed).
    pub signing: bool,
    /// The X25519 encryption key.
    pub encryption: bool,
    /// The TLS key and certificate.
    pub tls: bool,
}

impl Replace {
    /// Every key.
    pub const ALL: Self = Self {
        signing: true,
        encryption: true,
        tls: true,
    };

    /// Whether nothing is replaced (a renewal).
    pub fn nothing(&self) -> bool {
        !(self.signing || self.encryption || self.tls)
    }
}

/// What a renewal or rotation made.
#[derive(Debug, Clone)]
pub struct CardChange {
    /// The card replaced.
    pub previous: SignedCard,
    /// The new card.
    pub card: SignedCard,
    /// What was replaced.
    pub replaced: Replace,
    /// For a revocation, since when the replaced signing key is
    /// compromised.
    pub revoked_since: Option<Timestamp>,
}

/// An exclusive hold on a node directory: one `detente serve`, or one
/// card change, at a time (an advisory `flock` on [`LOCK_FILE`], released
/// when dropped or when the process ends, however it ends).
#[derive(Debug)]
pub struct DirLock {
    _file: File,
}

impl DirLock {
    /// Takes the lock of the node in `dir`, or says who holds it.
    pub fn take(dir: &Path) -> NodeResult<Self> {
        let path = dir.join(LOCK_FILE);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| NodeError::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(NodeError::Config {
                path,
                problem: ConfigProblem::InUse,
            }),
            Err(std::fs::TryLockError::Error(e)) => Err(NodeError::io(&path, e)),
        }
    }
}

/// Issues a successor of this party's card: new keys for what `replace`
/// names (none: a renewal), valid until `valid_until` (`None`: no limit).
/// The directory must not be in use; the node pushes the new card to its
/// peers when it next starts.
pub fn change_card(
    dir: &Path,
    replace: Replace,
    valid_until: Option<Timestamp>,
    now: Timestamp,
) -> NodeResult<CardChange> {
    issue(dir, Link::Signed(replace), valid_until, now)
}

/// Revokes this party's signing key, compromised since `since`: every key
/// is replaced, and the new card is linked to the current one by the
/// recovery key the current card names (`recovery`), not by the
/// compromised key. The new card names `next_recovery` as its recovery
/// key (the old one has been typed into this machine). As for
/// [`change_card`], the directory must not be in use.
pub fn revoke_keys(
    dir: &Path,
    recovery: &RecoveryKey,
    since: Timestamp,
    next_recovery: &RecoveryKey,
    valid_until: Option<Timestamp>,
    now: Timestamp,
) -> NodeResult<CardChange> {
    if since > now {
        return Err(NodeError::Config {
            path: dir.join(CARD_FILE),
            problem: ConfigProblem::CompromiseInFuture { since, now },
        });
    }
    let link = Link::Revocation {
        recovery,
        since,
        next_recovery,
    };
    issue(dir, link, valid_until, now)
}

/// How a new card is joined to the current one.
enum Link<'a> {
    /// By the current signing key: a renewal (nothing replaced) or a
    /// rotation.
    Signed(Replace),
    /// By the recovery key: a revocation, replacing every key.
    Revocation {
        recovery: &'a RecoveryKey,
        since: Timestamp,
        next_recovery: &'a RecoveryKey,
    },
}

fn issue(
    dir: &Path,
    how: Link<'_>,
    valid_until: Option<Timestamp>,
    now: Timestamp,
) -> NodeResult<CardChange> {
    let replace = match how {
        Link::Signed(replace) => replace,
        Link::Revocation { .. } => Replace::ALL,
    };
    let _lock = DirLock::take(dir)?;
    let config = NodeConfig::load(dir)?;
    let store = open_store(dir, &config)?;
    complete_pending(dir, store.as_ref(), now)?;
    let keys = NodeKeys::load(dir)?;
    let previous = read_card(&dir.join(CARD_FILE))?;
    // The card replaced stays in the history (a node that never started
    // since its upgrade has not recorded it yet).
    hold_own_card(store.as_ref(), &previous, now)?;
    if let Some(until) = valid_until.filter(|until| *until <= now) {
        return Err(NodeError::Config {
            path: dir.join(CARD_FILE),
            problem: ConfigProblem::ValidityInPast { until, now },
        });
    }
    let mut next_keys = keys.duplicate()?;
    let mut rng = rand::thread_rng();
    if replace.signing {
        next_keys.signing = detente_proto::signing::PartySigningKey::generate(&mut rng);
    }
    if replace.encryption {
        next_keys.encryption = detente_proto::seal::EncryptionSecret::generate(&mut rng);
    }
    if replace.tls {
        next_keys.tls = TlsIdentity::generate(&crate::init::endpoint_host(
            &config.endpoint,
            &dir.join(CONFIG_FILE),
        )?)?;
    }
    // A successor is issued after its predecessor, whatever the clock says.
    let issued_at = now.max(
        previous
            .card()
            .issued_at
            .plus(chrono::TimeDelta::milliseconds(1)),
    );
    // The recovery key carries over, unless a revocation used it.
    let recovery_key = match &how {
        Link::Signed(_) => previous.keys().recovery,
        Link::Revocation { next_recovery, .. } => Some(next_recovery.public()),
    };
    let card = PartyCard {
        name: config.name.clone(),
        tiers: config.contacts.clone(),
        endpoint: config.endpoint.clone(),
        previous: Some(hash_to_base64(&previous.sha256())),
        issued_at,
        valid_until,
        ..crate::init::card_for(&config, &next_keys, recovery_key.as_ref(), issued_at)
    }
    .sign(&next_keys.signing)?;
    let (link, revoked_since) = match how {
        Link::Signed(_) => (
            SignedCardLink::sign(&previous, &card, &keys.signing)
                .map_err(crate::error::Bug::construction("card link"))?,
            None,
        ),
        Link::Revocation {
            recovery, since, ..
        } => (
            SignedCardLink::revoke(&previous, &card, recovery.signing(), since).map_err(|e| {
                NodeError::Config {
                    path: dir.join(CARD_FILE),
                    problem: ConfigProblem::Revocation(Box::new(e)),
                }
            })?,
            Some(since),
        ),
    };

    // 1. Everything new, beside the current files.
    let keys_path = keys_dir(dir);
    let next = keys_path.join(NEXT_DIR);
    next_keys.save_into(&next)?;
    write_synced(&next.join(CARD_FILE), card.bytes())?;
    write_synced(&next.join(LINK_FILE), link.bytes())?;
    let retired = next.join(RETIRED_DIR);
    if !replace.nothing() {
        keys.save_into(&retired)?;
    }
    sync_dir(&next)?;
    // 2. Decided.
    write_synced(&next.join(COMMIT_FILE), issued_at.to_string().as_bytes())?;
    sync_dir(&next)?;
    // 3. Done.
    complete_pending(dir, store.as_ref(), now)?;
    Ok(CardChange {
        previous,
        card,
        replaced: replace,
        revoked_since,
    })
}

/// Finishes a decided card change left in `keys/next/`, or removes an
/// undecided one (see the module's steps). Does nothing when there is none.
pub fn complete_pending(dir: &Path, store: &dyn Store, now: Timestamp) -> NodeResult<()> {
    let keys_path = keys_dir(dir);
    let next = keys_path.join(NEXT_DIR);
    if !next.exists() {
        return Ok(());
    }
    let commit = next.join(COMMIT_FILE);
    if !commit.exists() {
        tracing::warn!(dir = %next.display(), "removing an interrupted card change: nothing was changed");
        return std::fs::remove_dir_all(&next).map_err(|e| NodeError::io(&next, e));
    }
    let card = read_card(&next.join(CARD_FILE)).or_else(|_| read_card(&dir.join(CARD_FILE)))?;
    let retired = next.join(RETIRED_DIR);
    if retired.exists() {
        let parent = keys_path.join(RETIRED_DIR);
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&parent)
            .map_err(|e| NodeError::io(&parent, e))?;
        let into = parent.join(card.card().issued_at.unix_millis().to_string());
        std::fs::rename(&retired, &into).map_err(|e| NodeError::io(&into, e))?;
        sync_dir(&parent)?;
    }
    let link_path = next.join(LINK_FILE);
    let link = std::fs::read(&link_path).map_err(|e| NodeError::io(&link_path, e))?;
    for name in KEY_FILES {
        move_over(&next.join(name), &keys_path.join(name))?;
    }
    sync_dir(&keys_path)?;
    // The link is recorded with the card before card.json changes: a node
    // opening the new card.json finds its link in the store.
    store.add_card(&CardRecord {
        sha256: card.sha256(),
        party: card.card().party.clone(),
        card: card.bytes().to_vec(),
        link: Some(link),
        recorded_at: now,
    })?;
    move_over(&next.join(CARD_FILE), &dir.join(CARD_FILE))?;
    sync_dir(dir)?;
    std::fs::remove_dir_all(&next).map_err(|e| NodeError::io(&next, e))
}

/// Records this party's `card` in the history as a first card, unless it
/// is held already (a card a change issued is recorded with its link).
pub(crate) fn hold_own_card(
    store: &dyn Store,
    card: &SignedCard,
    now: Timestamp,
) -> NodeResult<()> {
    store.add_card(&CardRecord {
        sha256: card.sha256(),
        party: card.card().party.clone(),
        card: card.bytes().to_vec(),
        link: None,
        recorded_at: now,
    })?;
    Ok(())
}

/// Renames `from` over `to`; a `from` already moved is skipped.
fn move_over(from: &Path, to: &Path) -> NodeResult<()> {
    match std::fs::rename(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(NodeError::io(to, e)),
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> NodeResult<()> {
    use std::io::Write as _;
    let mut file = File::create(path).map_err(|e| NodeError::io(path, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| NodeError::io(path, e))
}

fn sync_dir(dir: &Path) -> NodeResult<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| NodeError::io(dir, e))
}
