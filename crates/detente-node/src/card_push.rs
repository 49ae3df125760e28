//! Card chains over the peer API (docs/protocol.md, "Card chains"):
//! pushing this party's chain to its peers after a renewal or rotation,
//! and taking a peer's.
//!
//! `POST /peer/v1/card` (mutual TLS, from a pinned peer) carries
//! `{"chain": [{"card", "link"}, …]}`: every card of the sender after its
//! first, in the order issued, each with the link from its predecessor.
//! The receiver skips what it holds, checks each new card against the one
//! before it with [`check_successor`] — starting from the card it pins, so
//! only the key it already trusts can introduce a new one — and answers
//! `{"held": "<base64 SHA-256>"}`, the sender's card it now holds.
//!
//! The sender pushes before its first delivery to a peer (and every
//! [`PUSH_EVERY`] to peers that have not taken it), presenting, until the
//! peer holds the new card, the TLS certificate the peer pins: its
//! replaced one, during the overlap.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use detente_proto::ProtoError;
use detente_proto::card::SignedCard;
use detente_proto::card_chain::{ChainStep, Successor, check_successor};
use detente_proto::envelope::hash_to_base64;
use detente_proto::ids::PartyCode;
use detente_proto::keyring::{NoKey, valid_at};
use detente_store::{CardRecord, PeerRecord};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::error::{Bug, NodeError, NodeResult, PeerRejection};
use crate::node::Node;
use crate::peers::Peer;
use crate::tls::TlsIdentity;

/// How often peers that have not taken this party's current card are
/// pushed it again.
pub const PUSH_EVERY: Duration = Duration::from_secs(30);

/// The most steps a pushed chain may have.
pub const MAX_CHAIN_STEPS: usize = 64;

/// The largest push body.
pub const MAX_PUSH_BYTES: usize = 512 * 1024;

/// The body of `POST /peer/v1/card`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainPush {
    /// Every card of the sender after its first, oldest first.
    pub chain: Vec<ChainStep>,
}

/// The answer: the sender's card the receiver now holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainHeld {
    /// Base64 SHA-256 of its exact bytes.
    pub held: String,
}

/// Which of this party's cards each peer has been seen to hold.
#[derive(Debug, Default)]
pub struct CardPushes {
    held: Mutex<HashMap<PartyCode, [u8; 32]>>,
}

impl CardPushes {
    fn holds(&self, peer: &PartyCode, card: &[u8; 32]) -> bool {
        self.held
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(peer)
            == Some(card)
    }

    fn record(&self, peer: &PartyCode, card: [u8; 32]) {
        self.held
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(peer.clone(), card);
    }
}

impl Node {
    /// Whether `peer` is known to hold this party's current card.
    pub fn peer_holds_our_card(&self, peer: &PartyCode) -> bool {
        self.card_push.holds(peer, &self.card.sha256())
    }

    /// The TLS identity to present to `peer`: ours, or — while it may
    /// still pin only the certificate a rotation replaced — that one.
    pub(crate) fn tls_identity_for(&self, peer: &PartyCode) -> &TlsIdentity {
        if self.peer_holds_our_card(peer) {
            return &self.keys.tls;
        }
        self.keys
            .in_overlap(self.now(), self.config.keys.overlap)
            .next()
            .map_or(&self.keys.tls, |retired| &retired.tls)
    }

    /// This party's cards after its first, each with its link, oldest first.
    fn own_chain(&self) -> NodeResult<Vec<ChainStep>> {
        let text = |what: &'static str, bytes: Vec<u8>| {
            String::from_utf8(bytes).map_err(NodeError::unreadable(what, "of this party"))
        };
        self.store
            .cards()?
            .into_iter()
            .filter(|record| record.party == *self.party())
            .filter_map(|record| Some((record.card, record.link?)))
            .map(|(card, link)| {
                Ok(ChainStep {
                    card: text("card", card)?,
                    link: text("card link", link)?,
                })
            })
            .collect()
    }

    /// Makes sure `peer` holds this party's current card, pushing the
    /// chain if it may not. The error says why the push failed.
    pub(crate) async fn ensure_card_pushed(self: &Arc<Self>, peer: &Peer) -> Result<(), String> {
        let current = self.card.sha256();
        if self.card_push.holds(peer.party(), &current) {
            return Ok(());
        }
        let chain = {
            let node = self.clone();
            tokio::task::spawn_blocking(move || node.own_chain())
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?
        };
        if chain.is_empty() {
            // A first card: the peer took it out of band.
            self.card_push.record(peer.party(), current);
            return Ok(());
        }
        let client = self
            .clients
            .for_peer(self, peer)
            .map_err(|e| e.to_string())?;
        let url = format!(
            "{}/peer/v1/card",
            peer.card.card().endpoint.trim_end_matches('/')
        );
        let response = client
            .post(&url)
            .json(&ChainPush { chain })
            .send()
            .await
            .map_err(|e| {
                format!(
                    "cannot reach {url} to give it our new card: {}",
                    crate::outbox::error_chain(&e)
                )
            })?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!(
                "{} refused our new card ({status}): {}",
                peer.party(),
                crate::outbox::problem_detail(&body)
            ));
        }
        let held: ChainHeld = serde_json::from_slice(&body)
            .map_err(|e| format!("{}'s answer to our new card is not JSON: {e}", peer.party()))?;
        if held.held != hash_to_base64(&current) {
            return Err(format!(
                "{} holds another card of ours ({}) than our current one ({})",
                peer.party(),
                held.held,
                hash_to_base64(&current)
            ));
        }
        tracing::info!(peer = %peer.party(), "the peer holds our current card");
        self.card_push.record(peer.party(), current);
        Ok(())
    }

    /// Pushes this party's current card to every peer not known to hold
    /// it. Returns how many took it now.
    pub async fn push_card_once(self: &Arc<Self>) -> usize {
        let mut taken = 0;
        for peer in self.peers.all() {
            if self.peer_holds_our_card(peer.party()) {
                continue;
            }
            match self.ensure_card_pushed(&peer).await {
                Ok(()) => taken += 1,
                Err(error) => {
                    tracing::warn!(peer = %peer.party(), %error, "our new card is not yet with the peer")
                }
            }
        }
        taken
    }

    /// `POST /peer/v1/card`: takes a pinned peer's card chain. Answers
    /// with the JSON of [`ChainHeld`].
    pub async fn accept_card_chain(
        self: &Arc<Self>,
        tls_peer: Option<PartyCode>,
        body: Vec<u8>,
    ) -> NodeResult<Vec<u8>> {
        let node = self.clone();
        let (held, advanced) =
            tokio::task::spawn_blocking(move || node.accept_card_chain_blocking(tls_peer, &body))
                .await
                .map_err(Bug::task("card chain"))??;
        // The card is held now; it is logged now or, if the log cannot
        // take it yet, by the next peer refresh (every 5 s).
        if advanced && let Err(error) = self.log_cards().await {
            tracing::warn!(%error, "the peer's new card is held but not logged yet");
        }
        serde_json::to_vec(&ChainHeld {
            held: hash_to_base64(&held),
        })
        .map_err(Bug::construction("chain answer"))
    }

    /// Checks and stores a pushed chain; returns the card now held and
    /// whether it changed.
    fn accept_card_chain_blocking(
        &self,
        tls_peer: Option<PartyCode>,
        body: &[u8],
    ) -> NodeResult<([u8; 32], bool)> {
        let authenticated = tls_peer.ok_or(PeerRejection::NotAPeer)?;
        let peer = self
            .peers
            .get(&authenticated)
            .ok_or(PeerRejection::NotAPeer)?;
        let push: ChainPush =
            serde_json::from_slice(body).map_err(|e| ProtoError::MalformedJson {
                what: "card chain",
                detail: e.to_string(),
            })?;
        if push.chain.len() > MAX_CHAIN_STEPS {
            return Err(ProtoError::field(
                "chain",
                format!("has {} steps; at most {MAX_CHAIN_STEPS}", push.chain.len()),
            )
            .into());
        }
        let steps = push
            .chain
            .iter()
            .map(Successor::parse)
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(other) = steps.iter().find(|s| s.card.card().party != authenticated) {
            return Err(PeerRejection::SenderMismatch {
                claimed: other.card.card().party.clone(),
                authenticated,
            }
            .into());
        }
        // What follows the card held is new; the rest is held already.
        let current = peer.card.sha256();
        let start = steps
            .iter()
            .position(|s| s.card.sha256() == current)
            .map_or(0, |i| i + 1);
        let new = &steps[start..];
        let Some(last) = new.last() else {
            return Ok((current, false));
        };
        let mut previous: &SignedCard = &peer.card;
        for step in new {
            check_successor(previous, &step.card, &step.link).map_err(PeerRejection::CardChain)?;
            previous = &step.card;
        }
        let now = self.now();
        valid_at(&last.card, now).map_err(|no_key| match no_key {
            NoKey::Expired { party, until, .. } => PeerRejection::CardExpired { party, at: until },
            _ => PeerRejection::UnknownParty(authenticated.clone()),
        })?;
        let records: Vec<CardRecord> = new
            .iter()
            .map(|step| CardRecord {
                sha256: step.card.sha256(),
                party: authenticated.clone(),
                card: step.card.bytes().to_vec(),
                link: Some(step.link.bytes().to_vec()),
                recorded_at: now,
            })
            .collect();
        self.store.advance_peer_card(
            &PeerRecord {
                party: authenticated.clone(),
                card: last.card.bytes().to_vec(),
                fingerprint: last.card.fingerprint(),
                tls_spki_sha256: last.card.keys().tls_spki_sha256,
                added_at: now,
            },
            &current,
            &records,
        )?;
        self.peers.refresh()?;
        tracing::info!(
            peer = %authenticated,
            key_id = %last.card.key_id(),
            fingerprint = %last.card.fingerprint(),
            steps = new.len(),
            "took the peer's new card"
        );
        Ok((last.card.sha256(), true))
    }
}

/// Pushes this party's current card to peers that may not hold it, every
/// [`PUSH_EVERY`], until shutdown.
pub(crate) async fn run_card_pushes(node: Arc<Node>, mut shutdown: watch::Receiver<bool>) {
    loop {
        node.push_card_once().await;
        tokio::select! {
            () = tokio::time::sleep(PUSH_EVERY) => {}
            _ = shutdown.changed() => return,
        }
    }
}
