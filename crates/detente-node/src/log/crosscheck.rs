//! Cross-checking peers' logs (docs/protocol.md, "Cross-checking peers'
//! logs"): a `received` leaf in one log must match a `sent` leaf in the other.
//!
//! Periodically, for each peer: fetch its signed checkpoint and verify it
//! with the log key from its card; extend our copy of its tree from its
//! entry bundles (C2SP tlog-tiles) and check that the tree hashes to the
//! checkpoint's root and still contains what we saw before (a shrunk log or
//! a different root for a size already seen is a fork). Then match the
//! entries that concern us against our own store, both ways:
//!
//! - their "received" entry must be a message we sent, with the same hash;
//! - their "sent" entry must be a message we received, with the same hash;
//! - a message we received from them must have their "sent" entry;
//!
//! allowing [`crate::config::LogConfig::crosscheck_grace`] for deliveries
//! still being retried. Anything else is an alarm, kept with its evidence.
//! The size seen becomes the `peer_size` of our next entries about them.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use detente_log::checkpoint::SignedCheckpoint;
use detente_log::merkle::MemoryTree;
use detente_log::tiles::decode_entry_bundle;
use detente_proto::ids::PartyCode;
use detente_proto::log_entry::{EntryDirection, LogEntry};
use detente_store::{Alarm, Direction, Mailbox, MessageQuery};
use tokio::sync::watch;

use crate::node::Node;
use crate::peers::Peer;

/// The cross-check subsystem's own state: what it has read of each peer's
/// log, and the lock that keeps its rounds one at a time.
#[derive(Debug, Default)]
pub struct PeerLogs {
    logs: std::sync::Mutex<HashMap<PartyCode, PeerLog>>,
    round: tokio::sync::Mutex<()>,
}

impl PeerLogs {
    /// What has been read of each peer's log.
    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PartyCode, PeerLog>> {
        self.logs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Held for the whole of a round (the background task, an evidence
    /// export, a test): two rounds extending one copy of a peer's tree
    /// would append its entries twice and see a false `inconsistent-log`.
    async fn one_round(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.round.lock().await
    }
}

/// What we know of one peer's log.
#[derive(Debug, Default)]
pub struct PeerLog {
    pub(crate) tree: MemoryTree,
    /// Entries that concern us, by message id.
    pub(crate) ours: HashMap<String, TheirEntry>,
    /// Its latest signed checkpoint whose root our copy of the tree matched,
    /// as served (with the cosignatures it carried).
    pub(crate) checkpoint: Option<SignedCheckpoint>,
    /// Ids already raised, so an alarm is raised once.
    raised: HashSet<String>,
}

/// How many entries of a stored copy are read at once.
const COPY_CHUNK: u64 = 4096;

impl PeerLog {
    /// Appends `entries` to the copy of the tree, keeping those that
    /// concern `us`.
    fn extend(&mut self, entries: impl IntoIterator<Item = Vec<u8>>, us: &PartyCode) {
        for entry in entries {
            let index = self.tree.append(&entry);
            if let Ok(parsed) = LogEntry::parse(&entry)
                && parsed.counterparty == *us
            {
                self.ours.insert(
                    parsed.id.clone(),
                    TheirEntry {
                        direction: parsed.direction,
                        sha256: parsed.sha256,
                        index,
                        bytes: entry,
                    },
                );
            }
        }
    }
}

/// One entry of a peer's log that concerns us.
#[derive(Debug, Clone)]
pub struct TheirEntry {
    /// Sent or received (by them).
    pub direction: EntryDirection,
    /// The envelope hash it records.
    pub sha256: [u8; 32],
    /// Its index in their log.
    pub index: u64,
    /// Its exact bytes.
    pub bytes: Vec<u8>,
}

/// Runs until `shutdown` turns true.
pub(crate) async fn run_crosscheck(node: Arc<Node>, mut shutdown: watch::Receiver<bool>) {
    loop {
        for peer in node.peers.all() {
            if let Err(error) = node.crosscheck(&peer).await {
                tracing::warn!(peer = %peer.party(), %error, "cannot cross-check the peer's log");
            }
        }
        tokio::select! {
            () = tokio::time::sleep(node.config.log.crosscheck_every) => {}
            _ = shutdown.changed() => return,
        }
    }
}

impl Node {
    /// GET `path` from `peer`, reading at most `max` bytes of the answer
    /// (a hostile peer cannot make us buffer more).
    pub(crate) async fn fetch_capped(
        &self,
        peer: &Peer,
        path: &str,
        max: usize,
    ) -> Result<Vec<u8>, String> {
        let client = self
            .clients
            .for_peer(self, peer)
            .map_err(|e| e.to_string())?;
        let url = format!("{}{path}", peer.card.card().endpoint.trim_end_matches('/'));
        let mut response = client
            .get(&url)
            .send()
            .await
            .map_err(|e| format!("cannot reach {url}: {}", crate::outbox::error_chain(&e)))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("{url} answered {status}"));
        }
        let too_large = || format!("{url} answered more than {max} bytes");
        if response.content_length().is_some_and(|n| n > max as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
            if body.len() + chunk.len() > max {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// The largest answer read from a peer's log API (a tile or an entry
    /// bundle is far smaller).
    const MAX_LOG_READ: usize = 64 * 1024 * 1024;

    async fn fetch(&self, peer: &Peer, path: &str) -> Result<Vec<u8>, String> {
        self.fetch_capped(peer, path, Self::MAX_LOG_READ).await
    }

    /// One cross-check of `peer`'s log. Returns the alarms raised.
    pub async fn crosscheck(&self, peer: &Peer) -> Result<usize, String> {
        let _round = self.peer_logs.one_round().await;
        let party = peer.party().clone();
        let origin = super::origin(&party);
        let note = self.fetch(peer, "/log/checkpoint").await?;
        let signed =
            SignedCheckpoint::parse(&note).map_err(|e| format!("{origin} checkpoint: {e}"))?;
        let verifier =
            super::log_verifier(&party, &peer.card.keys().signing).map_err(|e| e.to_string())?;
        signed
            .verify(&[&verifier])
            .map_err(|e| format!("{origin} checkpoint is not signed by {party}'s key: {e}"))?;
        let checkpoint = signed.checkpoint().clone();
        if checkpoint.origin() != origin {
            return Err(format!(
                "{party} serves a checkpoint of {:?}",
                checkpoint.origin()
            ));
        }
        self.read_stored_copy(&party, &origin).await?;
        let known = self.peer_log_size(&party);
        let mut alarms = Vec::new();
        if checkpoint.size() < known {
            alarms.push(alarm(
                self.now(),
                "rollback",
                &origin,
                format!(
                    "{party}'s log shrank from {known} to {} entries",
                    checkpoint.size()
                ),
                note.clone(),
            ));
        } else {
            // Fetch the new entries, bundle by bundle.
            let mut fresh = Vec::new();
            let mut next = known;
            while next < checkpoint.size() {
                let bundle = next / 256;
                let end = ((bundle + 1) * 256).min(checkpoint.size());
                let width = end - bundle * 256;
                let path = super::recovery::bundle_path("/log", bundle, width);
                let bytes = self.fetch(peer, &path).await?;
                let entries = decode_entry_bundle(&bytes, width as u16)
                    .map_err(|e| format!("{path}: {e}"))?;
                let skip = usize::try_from(next - bundle * 256).unwrap_or(usize::MAX);
                fresh.extend(entries.iter().skip(skip).map(|e| e.to_vec()));
                next = end;
            }
            let root_ok = {
                let mut logs = self.peer_logs.lock();
                let log = logs.entry(party.clone()).or_default();
                log.extend(fresh.iter().cloned(), &self.config.party);
                let ok = &log.tree.root() == checkpoint.root();
                if ok {
                    log.checkpoint = Some(signed.clone());
                }
                ok
            };
            if root_ok && !fresh.is_empty() {
                // Kept, so that the peer can recover them if it loses its
                // own (`GET /log/copy`), and so that a restart reads them
                // here rather than from the peer again.
                let copy = origin.clone();
                if let Err(error) = self
                    .with_store(move |s| Ok(s.append_log_copy(&copy, known, &fresh)?))
                    .await
                {
                    // The next round reads the stored copy back and fetches
                    // the rest again, so the copy has no gap.
                    tracing::warn!(%party, %error, "cannot keep the copy of the peer's log");
                    self.peer_logs.lock().remove(&party);
                }
            }
            if !root_ok {
                // Our copy plus their tiles do not give their signed root:
                // their tiles and checkpoint disagree, or they rewrote history.
                alarms.push(alarm(
                    self.now(),
                    "inconsistent-log",
                    &origin,
                    format!(
                        "{party}'s entries do not hash to the root of its signed checkpoint at size {}; it rewrote its log or serves tiles of another tree",
                        checkpoint.size()
                    ),
                    note.clone(),
                ));
                self.peer_logs.lock().remove(&party);
            } else {
                self.log.saw_peer_size(&party, checkpoint.size());
                alarms.extend(self.match_entries(&party, &origin).await?);
            }
        }
        // The store keeps each alarm once (same kind, subject and evidence),
        // across rounds and restarts; only new ones are logged and counted.
        let mut raised = 0;
        for alarm in alarms {
            let (kind, subject, detail) = (
                alarm.kind.clone(),
                alarm.subject.clone(),
                alarm.detail.clone(),
            );
            let new = self
                .with_store(move |s| Ok(s.raise_alarm(&alarm)?))
                .await
                .map_err(|e| e.to_string())?;
            if new {
                tracing::error!(%kind, %subject, %detail, "ALARM");
                raised += 1;
            }
        }
        Ok(raised)
    }

    /// Before the first round for `party` since start: reads the copy of
    /// its log kept by earlier rounds (every entry was verified against
    /// its signed root then; the next root check covers them again).
    async fn read_stored_copy(&self, party: &PartyCode, origin: &str) -> Result<(), String> {
        if self.peer_logs.lock().contains_key(party) {
            return Ok(());
        }
        let mut log = PeerLog::default();
        loop {
            let (copy, start) = (origin.to_owned(), log.tree.size());
            let entries = self
                .with_store(move |s| Ok(s.log_copy(&copy, start, start + COPY_CHUNK)?))
                .await
                .map_err(|e| e.to_string())?;
            if entries.is_empty() {
                break;
            }
            log.extend(entries, &self.config.party);
        }
        self.peer_logs.lock().entry(party.clone()).or_insert(log);
        Ok(())
    }

    fn peer_log_size(&self, party: &PartyCode) -> u64 {
        self.peer_logs
            .lock()
            .get(party)
            .map_or(0, |log| log.tree.size())
    }

    async fn match_entries(&self, party: &PartyCode, origin: &str) -> Result<Vec<Alarm>, String> {
        // A held log may be missing entries it will recover: what we hold
        // is not yet the measure of what the peer logged.
        if matches!(self.log.standing(), super::guard::Standing::Held(_)) {
            return Ok(Vec::new());
        }
        let query = MessageQuery {
            mailbox: Mailbox::All,
            state: None,
            tiers: detente_proto::ids::Tier::ALL.to_vec(),
            counterparty: Some(party.clone()),
            kind: None,
            limit: usize::MAX / 2,
        };
        let ours = self
            .with_store(move |s| Ok(s.messages(&query)?))
            .await
            .map_err(|e| e.to_string())?;
        let now = self.now();
        let grace = chrono::TimeDelta::from_std(self.config.log.crosscheck_grace)
            .unwrap_or(chrono::TimeDelta::MAX);
        let by_id: HashMap<String, _> =
            ours.iter().map(|m| (m.message.id.to_string(), m)).collect();
        // Their "received" entries for messages we hold no record of: our
        // own log may still say we sent them (records lost with a restored
        // database, entries recovered since), which explains them.
        let unexplained: HashSet<String> = {
            let logs = self.peer_logs.lock();
            logs.get(party)
                .map(|log| {
                    log.ours
                        .iter()
                        .filter(|(id, e)| {
                            e.direction == EntryDirection::Received
                                && !by_id.contains_key(*id)
                                && !log.raised.contains(&format!("unknown-entry:{id}"))
                                && !log.raised.contains(&format!("{EXPLAINED}:{id}"))
                        })
                        .map(|(id, _)| id.clone())
                        .collect()
                })
                .unwrap_or_default()
        };
        let logged_by_us = self.own_sent_entries(party, unexplained).await?;
        let mut logs = self.peer_logs.lock();
        let Some(log) = logs.get_mut(party) else {
            return Ok(Vec::new());
        };
        let mut alarms = Vec::new();
        let mut raise = |log: &mut PeerLog, id: &str, kind: &str, detail: String| {
            if log.raised.insert(format!("{kind}:{id}")) {
                alarms.push(alarm(now, kind, origin, detail, id.as_bytes().to_vec()));
            }
        };
        let theirs: Vec<_> = log
            .ours
            .iter()
            .map(|(id, e)| (id.clone(), e.direction, e.sha256))
            .collect();
        for (id, direction, sha256) in theirs {
            // Their "received" must be our "sent", and the other way round.
            let (counterpart, verb, ours) = match direction {
                EntryDirection::Received => (Direction::Sent, "receiving", "sent"),
                EntryDirection::Sent => (Direction::Received, "sending", "received"),
                EntryDirection::Document => continue,
            };
            match by_id
                .get(&id)
                .filter(|m| m.message.direction == counterpart)
            {
                Some(m) if m.message.envelope_sha256 != sha256 => raise(
                    log,
                    &id,
                    "mismatched-entry",
                    format!("{party} logged {verb} {id} with another hash than we {ours}"),
                ),
                Some(_) => {}
                None if direction == EntryDirection::Received
                    && (logged_by_us.get(&id) == Some(&sha256)
                        || log.raised.contains(&format!("{EXPLAINED}:{id}"))) =>
                {
                    log.raised.insert(format!("{EXPLAINED}:{id}"));
                }
                None if direction == EntryDirection::Received => raise(
                    log,
                    &id,
                    "unknown-entry",
                    format!("{party} logged receiving {id} from us, but we never sent it"),
                ),
                // Their "sent" without our "received": maybe still being delivered.
                None => {}
            }
        }
        for m in ours
            .iter()
            .filter(|m| m.message.direction == Direction::Received)
        {
            let id = m.message.id.to_string();
            let logged = log
                .ours
                .get(&id)
                .is_some_and(|e| e.direction == EntryDirection::Sent);
            if !logged && now.since(m.message.recorded_at) > grace {
                raise(
                    log,
                    &id,
                    "unlogged-sent",
                    format!(
                        "we received {id} from {party} at {}, but {party}'s log has no entry for sending it",
                        m.message.recorded_at
                    ),
                );
            }
        }
        Ok(alarms)
    }
}

/// The key, in [`PeerLog`]'s raised set, of an entry our own log explains.
const EXPLAINED: &str = "logged-by-us";

impl Node {
    /// Of `ids`, those our own log has a "sent to `party`" entry for, with
    /// the hash it records. Reads the whole log, so only for the rare ids
    /// we hold no message for.
    async fn own_sent_entries(
        &self,
        party: &PartyCode,
        ids: HashSet<String>,
    ) -> Result<HashMap<String, [u8; 32]>, String> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let size = self.log.checkpoint().map_or(0, |c| c.size);
        let party = party.clone();
        self.with_store(move |s| {
            let mut found = HashMap::new();
            let mut start = 0;
            while start < size {
                let end = (start + COPY_CHUNK).min(size);
                for entry in s.log_entries(start, end)? {
                    if let Ok(e) = LogEntry::parse(&entry)
                        && e.direction == EntryDirection::Sent
                        && e.counterparty == party
                        && ids.contains(&e.id)
                    {
                        found.insert(e.id, e.sha256);
                    }
                }
                start = end;
            }
            Ok(found)
        })
        .await
        .map_err(|e| e.to_string())
    }
}

fn alarm(
    at: detente_proto::time::Timestamp,
    kind: &str,
    subject: &str,
    detail: String,
    evidence: Vec<u8>,
) -> Alarm {
    Alarm {
        at,
        kind: kind.into(),
        subject: subject.into(),
        detail,
        evidence,
    }
}
