//! Exporting evidence bundles (docs/evidence.md; the format is
//! [`detente_evidence::bundle`]).
//!
//! A bundle holds the selected messages (one thread, or everything
//! exchanged with one party) as this node stored them — signed envelopes
//! and receipts, exact bytes — and for each message C2SP tlog-proofs of the
//! sender's "sent" entry and the recipient's "received" entry, against the
//! best checkpoint this node has of each log:
//!
//! - its own log: the largest checkpoint that satisfies its witness policy
//!   (re-signed for an older size: Ed25519 signatures are deterministic, so
//!   the note is the one the witnesses cosigned), else the latest;
//! - a peer's log: the latest checkpoint the peer served (with the
//!   cosignatures it carried) merged with the one this node cosigned as its
//!   witness, whichever carries more signatures; proofs come from this
//!   node's copy of the peer's tree, refreshed first.
//!
//! A proof that cannot be made (a peer that was never reachable since this
//! node started) is left out; `detente verify` then reports the claim as
//! unproven rather than the bundle as broken.
//!
//! A guarantee's or a pledge's bundle holds the messages that
//! carried its steps — the `message_id`s of its document records, as
//! stored here — with the same proofs, and for a pledge also its text as
//! its host published it, signed ([`Bundle::documents`]), from which
//! `detente verify` computes its status or signatories at any moment.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use detente_evidence::bundle::{Bundle, BundledAgreement, BundledMessage, FORMAT, LogProof, Scope};
use detente_log::checkpoint::{Checkpoint, SignedCheckpoint};
use detente_log::merkle::MemoryTree;
use detente_log::note::NoteVerifier;
use detente_log::policy::Policy;
use detente_proto::agreement::responsiveness::Period;
use detente_proto::envelope::{AgreementRef, UnverifiedEnvelope};
use detente_proto::ids::PartyCode;
use detente_proto::limits::Limits;
use detente_proto::log_entry::EntryDirection;
use detente_proto::receipt::{Receipt, SignedReceipt};
use detente_store::{Direction, DocumentKind, RecordRole, StoredMessage};

use crate::error::{Bug, NodeError, NodeResult, message_not_found};
use crate::log::{LoggedCheckpoint, log_signer, origin};
use crate::node::Node;
use crate::officers::Officer;

/// What the store holds for an export: our log's entries by index, our
/// witnesses' cosignatures, and our witness records of the peers' logs.
struct StoredLogs {
    entries: HashMap<u64, Vec<u8>>,
    cosignatures: Vec<(String, u64, String)>,
    records: HashMap<String, Vec<u8>>,
}

impl Node {
    /// The evidence bundle of `scope`, with the messages `officer` may see,
    /// every signature on the agreements they were sent under, and, for a
    /// `period`, this party's figures over exactly those messages.
    pub async fn export_evidence(
        self: &Arc<Self>,
        officer: &Officer,
        scope: Scope,
        period: Option<Period>,
    ) -> NodeResult<Bundle> {
        let messages = self.select(officer, &scope).await?;
        let documents = self.documents_of(&scope).await?;
        if messages.is_empty() && documents.is_empty() {
            return Err(nothing_known(&scope));
        }
        let stats = match period {
            Some(period) => Some(self.stats_of(messages.clone(), period).await?),
            None => None,
        };
        let parties: BTreeSet<PartyCode> = messages
            .iter()
            .map(|m| m.message.counterparty.clone())
            .collect();
        for party in &parties {
            if let Some(peer) = self.peers.get(party)
                && let Err(error) = self.crosscheck(&peer).await
            {
                tracing::warn!(%party, %error, "evidence: cannot refresh the peer's log; using what was read before");
            }
        }
        let indices: Vec<u64> = messages
            .iter()
            .filter_map(|m| m.message.log_index)
            .collect();
        let origins: Vec<String> = parties.iter().map(origin).collect();
        let stored = self
            .with_store(move |s| {
                let mut entries = HashMap::new();
                for index in indices {
                    if let Some(bytes) = s.log_entries(index, index + 1)?.pop() {
                        entries.insert(index, bytes);
                    }
                }
                let mut records = HashMap::new();
                for origin in origins {
                    if let Some((_, record)) = s.witness_record(&origin)? {
                        records.insert(origin, record);
                    }
                }
                Ok(StoredLogs {
                    entries,
                    cosignatures: s.cosignatures()?,
                    records,
                })
            })
            .await?;
        let mut bundle = self
            .off_runtime(move |node| node.assemble(scope, messages, &stored))
            .await??;
        bundle.agreements = self.bundled_agreements(&bundle).await?;
        bundle.documents = documents;
        bundle.stats = stats;
        Ok(bundle)
    }

    /// The stored messages that carried the steps of a guarantee or pledge
    /// (its document records' `message_id`s, each once, oldest record
    /// first); a record whose message is not stored here is passed over.
    async fn steps_of(&self, kind: DocumentKind, id: String) -> NodeResult<Vec<StoredMessage>> {
        self.with_store(move |s| {
            let mut seen = BTreeSet::new();
            let mut messages = Vec::new();
            for record in s.document_records(kind, &id)? {
                let Some(message_id) = record.message_id else {
                    continue;
                };
                if seen.insert(message_id.to_string())
                    && let Some(message) = s.message(&message_id)?
                {
                    messages.push(message);
                }
            }
            Ok(messages)
        })
        .await
    }

    /// The signed documents a bundle of `scope` carries besides its
    /// messages: for a pledge, its text as its host published it, signed.
    async fn documents_of(&self, scope: &Scope) -> NodeResult<Vec<String>> {
        let Scope::Pledge(reference) = scope else {
            return Ok(Vec::new());
        };
        let id = reference.to_string();
        self.with_store(move |s| {
            s.document_records(DocumentKind::Pledge, &id)?
                .into_iter()
                .filter(|r| r.role == RecordRole::Publish)
                .take(1)
                .map(|r| {
                    String::from_utf8(r.signed)
                        .map_err(NodeError::unreadable("published text of pledge", &id))
                })
                .collect()
        })
        .await
    }

    /// Every signature this node holds on each agreement the bundle's
    /// messages name, exact bytes.
    async fn bundled_agreements(&self, bundle: &Bundle) -> NodeResult<Vec<BundledAgreement>> {
        let mut refs: Vec<AgreementRef> = Vec::new();
        for m in &bundle.messages {
            let Ok(envelope) =
                UnverifiedEnvelope::parse(m.envelope.as_bytes(), &Limits::unbounded())
            else {
                continue;
            };
            if let Some(r) = &envelope.claimed().agreement
                && !refs.contains(r)
            {
                refs.push(r.clone());
            }
        }
        self.with_store(move |s| {
            let mut bundled = Vec::new();
            for reference in refs {
                let mut signatures = s.agreement_signatures(&reference.id, reference.version)?;
                signatures.sort_by_key(|sig| sig.recorded_at);
                bundled.push(BundledAgreement {
                    reference: reference.to_string(),
                    signatures: signatures
                        .into_iter()
                        .map(|sig| {
                            String::from_utf8(sig.signed)
                                .map_err(NodeError::unreadable("signature on", &reference))
                        })
                        .collect::<NodeResult<_>>()?,
                });
            }
            Ok(bundled)
        })
        .await
    }

    /// The messages of `scope` that `officer` may see, oldest first: what
    /// its evidence bundle carries (and the console shows as a thread).
    pub(crate) async fn select(
        &self,
        officer: &Officer,
        scope: &Scope,
    ) -> NodeResult<Vec<StoredMessage>> {
        let mut messages = match scope.clone() {
            Scope::Thread(id) => {
                self.with_store(move |s| {
                    // Up the in_reply_to chain to the first stored message,
                    // each message read once.
                    let mut root = id;
                    let mut current = s.message(&id)?;
                    for _ in 0..detente_store::MAX_THREAD_DEPTH {
                        let Some(parent) = current.as_ref().and_then(|m| m.message.in_reply_to)
                        else {
                            break;
                        };
                        current = s.message(&parent)?;
                        if current.is_none() {
                            break;
                        }
                        root = parent;
                    }
                    Ok(s.thread(&root)?)
                })
                .await?
            }
            Scope::Counterparty(party) => self.every_visible_message(officer, Some(party)).await?,
            Scope::Guarantee(id) => self.steps_of(DocumentKind::Guarantee, id).await?,
            Scope::Pledge(reference) => {
                self.steps_of(DocumentKind::Pledge, reference.to_string())
                    .await?
            }
        };
        messages.retain(|m| officer.may_see(m));
        if let Scope::Thread(id) = scope
            && !messages.iter().any(|m| &m.message.id == id)
        {
            // The thread was named by a message this officer may not see.
            return Err(message_not_found(id));
        }
        messages.sort_by(|a, b| {
            (a.message.created_at, a.message.id.to_string())
                .cmp(&(b.message.created_at, b.message.id.to_string()))
        });
        // A pledge's published text proves something alone: its export
        // is refused only when that is missing too.
        if messages.is_empty() && !matches!(scope, Scope::Pledge(_)) {
            return Err(nothing_known(scope));
        }
        Ok(messages)
    }

    fn assemble(
        &self,
        scope: Scope,
        messages: Vec<StoredMessage>,
        stored_logs: &StoredLogs,
    ) -> NodeResult<Bundle> {
        let StoredLogs {
            entries: own_entries,
            cosignatures,
            records,
        } = stored_logs;
        let needed = messages
            .iter()
            .filter_map(|m| m.message.log_index)
            .max()
            .map_or(0, |i| i + 1);
        let known = self.known_verifiers()?;
        let mut own = self.own_checkpoint(needed, cosignatures)?;
        if let Some(own) = &mut own {
            keep_verified(own, &known);
        }
        let peer_logs = self.peer_logs.lock();
        let mut peers: HashMap<PartyCode, Option<(&MemoryTree, SignedCheckpoint)>> = HashMap::new();
        let mut signers: BTreeSet<String> = BTreeSet::new();
        if let Some(own) = &own {
            signers.extend(own.note().signatures().iter().map(|s| s.name().to_owned()));
        }
        // The receipts' log positions, and how far into each peer's log
        // the entries we need go.
        let receipt_logs: Vec<_> = messages
            .iter()
            .map(|stored| {
                let m = &stored.message;
                stored
                    .receipt
                    .as_deref()
                    .and_then(|bytes| self.receipt_of(m.direction, &m.counterparty, bytes))
                    .and_then(|r| r.log)
            })
            .collect();
        let mut peer_needed: HashMap<&PartyCode, u64> = HashMap::new();
        for (stored, receipt_log) in messages.iter().zip(&receipt_logs) {
            let m = &stored.message;
            let index = match m.direction {
                Direction::Sent => receipt_log.as_ref().map(|p| p.leaf_index),
                Direction::Received => peer_logs
                    .get(&m.counterparty)
                    .and_then(|log| log.ours.get(&m.id.to_string()))
                    .map(|e| e.index),
            };
            if let Some(index) = index {
                let needed = peer_needed.entry(&m.counterparty).or_default();
                *needed = (*needed).max(index + 1);
            }
        }
        let mut bundled = Vec::with_capacity(messages.len());
        for (stored, receipt_log) in messages.iter().zip(receipt_logs) {
            let m = &stored.message;
            let party = &m.counterparty;
            let peer = peers.entry(party.clone()).or_insert_with(|| {
                let log = peer_logs.get(party)?;
                let record = records.get(&origin(party)).cloned();
                let needed = peer_needed.get(party).copied().unwrap_or(0);
                let mut checkpoint =
                    best_peer_checkpoint(&log.tree, log.checkpoint.as_ref(), record, needed)?;
                keep_verified(&mut checkpoint, &known);
                signers.extend(
                    checkpoint
                        .note()
                        .signatures()
                        .iter()
                        .map(|s| s.name().to_owned()),
                );
                Some((&log.tree, checkpoint))
            });
            let receipt = stored
                .receipt
                .as_ref()
                .map(|bytes| String::from_utf8(bytes.clone()))
                .transpose()
                .map_err(NodeError::unreadable("receipt of message", m.id))?;
            let own_proof = |since: Option<u64>| -> Option<LogProof> {
                let (index, own) = (m.log_index?, own.as_ref()?);
                let entry = own_entries.get(&index)?;
                self.log
                    .read(|view| LogProof::build(&view.tree, index, entry, own, since))
                    .map_err(|e| tracing::warn!(id = %m.id, %e, "evidence: no proof in our log"))
                    .ok()
            };
            let (sender_log, recipient_log) = match m.direction {
                Direction::Sent => {
                    let theirs = peer.as_ref().zip(receipt_log.as_ref()).and_then(
                        |((tree, checkpoint), position)| {
                            let since = tlog_size(&position.tlog_proof)?;
                            LogProof::build(
                                tree,
                                position.leaf_index,
                                position.entry.as_bytes(),
                                checkpoint,
                                Some(since),
                            )
                            .ok()
                        },
                    );
                    (own_proof(None), theirs)
                }
                Direction::Received => {
                    let theirs = peer.as_ref().and_then(|(tree, checkpoint)| {
                        let log = peer_logs.get(party)?;
                        let entry = log
                            .ours
                            .get(&m.id.to_string())
                            .filter(|e| e.direction == EntryDirection::Sent)?;
                        LogProof::build(tree, entry.index, &entry.bytes, checkpoint, None).ok()
                    });
                    let since = receipt_log.as_ref().and_then(|p| tlog_size(&p.tlog_proof));
                    (theirs, own_proof(since))
                }
            };
            bundled.push(BundledMessage {
                envelope: String::from_utf8(m.envelope.clone())
                    .map_err(NodeError::unreadable("envelope of message", m.id))?,
                receipt,
                sender_log,
                recipient_log,
            });
        }
        drop(peer_logs);
        let mut parties = vec![self.party().clone()];
        for peer in self.peers.all() {
            let party = peer.party();
            let involved = messages.iter().any(|m| &m.message.counterparty == party)
                || signers.contains(&crate::log::witness::witness_name(party))
                || matches!(&scope, Scope::Pledge(r) if &r.host == party);
            if involved {
                parties.push(party.clone());
            }
        }
        let (cards, card_links) = self.card_chains(&parties)?;
        Ok(Bundle {
            format: FORMAT.to_owned(),
            exported_by: self.party().clone(),
            exported_at: self.now(),
            scope,
            cards,
            card_links,
            messages: bundled,
            agreements: Vec::new(),
            documents: Vec::new(),
            stats: None,
        })
    }

    /// Every card held of each of `parties`, in the order issued, and the
    /// links joining each to the next: what a verifier needs to check a
    /// record against the key that made it (docs/evidence.md, "Cards").
    fn card_chains(&self, parties: &[PartyCode]) -> NodeResult<(Vec<String>, Vec<String>)> {
        let text = |what: &'static str, bytes: Vec<u8>| {
            String::from_utf8(bytes).map_err(NodeError::unreadable(what, "held"))
        };
        let keyring = self.keyring();
        let mut cards = Vec::new();
        for party in parties {
            for card in keyring.cards().filter(|c| &c.card().party == party) {
                cards.push(text("card", card.bytes().to_vec())?);
            }
        }
        let mut links = Vec::new();
        for record in self.store.cards()? {
            if let Some(link) = record.link.filter(|_| parties.contains(&record.party)) {
                links.push(text("card link", link)?);
            }
        }
        Ok((cards, links))
    }

    /// The note verifiers of this party's and its peers' logs and witnesses:
    /// a bundle carries no signature its reader could not check.
    fn known_verifiers(&self) -> NodeResult<Vec<Box<dyn NoteVerifier>>> {
        let mut verifiers: Vec<Box<dyn NoteVerifier>> = Vec::new();
        for card in self.keyring().cards() {
            let (party, key) = (&card.card().party, &card.keys().signing);
            verifiers.push(Box::new(crate::log::log_verifier(party, key)?));
            verifiers.push(Box::new(crate::log::witness::cosignature_verifier(
                party, key,
            )?));
        }
        Ok(verifiers)
    }

    /// Parses a stored receipt: ours for a received message, the peer's
    /// for a sent one. Stored receipts were verified when stored; this
    /// verifies again, with the key its signer held when it signed it, and
    /// a receipt that does not verify yields `None`.
    pub(crate) fn receipt_of(
        &self,
        direction: Direction,
        party: &PartyCode,
        bytes: &[u8],
    ) -> Option<Receipt> {
        let signer = match direction {
            Direction::Received => self.party(),
            Direction::Sent => party,
        };
        SignedReceipt::parse_and_verify_in(bytes, signer, &self.keyring())
            .ok()
            .map(|(r, _)| r.receipt().clone())
    }

    /// Our checkpoint to prove entries against: the largest of at least
    /// `needed` entries that our witness policy accepts, else the latest.
    fn own_checkpoint(
        &self,
        needed: u64,
        cosignatures: &[(String, u64, String)],
    ) -> NodeResult<Option<SignedCheckpoint>> {
        let Some(latest) = self.log.checkpoint() else {
            return Ok(None);
        };
        let policy = Policy::parse(self.witness_policy()?.as_bytes())
            .map_err(Bug::construction("witness policy"))?;
        let mut sizes: Vec<u64> = cosignatures
            .iter()
            .map(|(_, size, _)| *size)
            .filter(|size| (needed..=latest.size).contains(size))
            .collect();
        sizes.sort_unstable();
        sizes.dedup();
        for size in sizes.into_iter().rev() {
            let note = if size == latest.size {
                latest.note.clone()
            } else {
                self.resign(size)?
            };
            let candidate = LoggedCheckpoint { size, note }.cosigned(cosignatures);
            let signed = parse_checkpoint(&candidate)?;
            if policy.verify_checkpoint(&signed).is_ok() {
                return Ok(Some(signed));
            }
        }
        Ok(Some(parse_checkpoint(&latest.cosigned(cosignatures))?))
    }

    /// Our checkpoint note of an earlier `size`, signed again: the same
    /// bytes as when it was first signed, as Ed25519 is deterministic.
    fn resign(&self, size: u64) -> NodeResult<String> {
        let root = self
            .log
            .read(|view| view.tree.root_at(size))
            .map_err(Bug::construction("root of our log"))?;
        let checkpoint = Checkpoint::new(&origin(self.party()), size, root)
            .map_err(Bug::construction("checkpoint"))?;
        let signed =
            SignedCheckpoint::sign(checkpoint, &log_signer(self.party(), &self.keys.signing)?)
                .map_err(Bug::construction("checkpoint signature"))?;
        String::from_utf8(signed.to_bytes()).map_err(Bug::construction("checkpoint note"))
    }
}

/// `404`: nothing of `scope` is stored here that the officer may see.
fn nothing_known(scope: &Scope) -> NodeError {
    match scope {
        Scope::Thread(id) => message_not_found(id),
        Scope::Counterparty(party) => NodeError::NotFound {
            what: "exchange with",
            id: party.to_string(),
        },
        Scope::Guarantee(id) => NodeError::NotFound {
            what: "guarantee",
            id: id.clone(),
        },
        Scope::Pledge(reference) => NodeError::NotFound {
            what: "pledge",
            id: reference.to_string(),
        },
    }
}

fn parse_checkpoint(note: &str) -> NodeResult<SignedCheckpoint> {
    SignedCheckpoint::parse(note.as_bytes()).map_err(Bug::construction("our own checkpoint"))
}

/// Of the peer's served checkpoint and our witness record of its log
/// (merged when they are the same tree), among those our copy of its tree
/// reaches: one that covers the `needed` entries if any does, then the one
/// with more signatures, then the larger.
fn best_peer_checkpoint(
    tree: &MemoryTree,
    served: Option<&SignedCheckpoint>,
    record: Option<Vec<u8>>,
    needed: u64,
) -> Option<SignedCheckpoint> {
    let record = record.and_then(|r| SignedCheckpoint::parse(&r).ok());
    let mut candidates: Vec<SignedCheckpoint> = Vec::new();
    if let Some(served) = served {
        let mut merged = served.clone();
        if let Some(record) = &record
            && record.checkpoint() == served.checkpoint()
        {
            for signature in record.note().signatures() {
                let present = merged
                    .note()
                    .signatures()
                    .iter()
                    .any(|s| s.name() == signature.name() && s.key_id() == signature.key_id());
                if !present {
                    merged.push_signature(signature.clone());
                }
            }
        }
        candidates.push(merged);
    }
    candidates.extend(record);
    candidates
        .into_iter()
        .filter(|c| c.checkpoint().size() <= tree.size())
        .filter(|c| {
            tree.root_at(c.checkpoint().size())
                .is_ok_and(|root| &root == c.checkpoint().root())
        })
        .max_by_key(|c| {
            let size = c.checkpoint().size();
            (size >= needed, c.note().signatures().len(), size)
        })
}

/// Keeps the signature lines that a known key made and that verify, one
/// per key: a peer may serve a checkpoint with junk or forged cosignature
/// lines, which would make an honest bundle fail verification.
fn keep_verified(checkpoint: &mut SignedCheckpoint, verifiers: &[Box<dyn NoteVerifier>]) {
    let text = checkpoint.note().text().to_owned();
    let mut used = std::collections::HashSet::new();
    checkpoint.retain_signatures(|s| {
        verifiers
            .iter()
            .position(|v| {
                v.name() == s.name() && v.key_id() == s.key_id() && v.verify(&text, s.signature())
            })
            .is_some_and(|i| used.insert(i))
    });
}

/// The checkpoint size inside a tlog-proof.
fn tlog_size(tlog_proof: &str) -> Option<u64> {
    detente_log::proof::TlogProof::parse(tlog_proof.as_bytes())
        .ok()
        .map(|p| p.checkpoint().checkpoint().size())
}
