//! The node's trusted peers: their verified, fingerprint-confirmed cards,
//! cached in memory and looked up by party code or by TLS SPKI pin.
//!
//! Peers may be added while the node runs (`detente peer add` writes the
//! store directly); a lookup that misses the cache re-reads the store once.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use detente_proto::card::SignedCard;
use detente_proto::ids::PartyCode;
use detente_store::{PeerRecord, Store};

use crate::error::{NodeError, NodeResult};
use crate::tls::ClientPins;

/// A known peer.
#[derive(Debug)]
pub struct Peer {
    /// Its verified card.
    pub card: SignedCard,
    /// The stored record.
    pub record: PeerRecord,
}

impl Peer {
    /// The peer's party code.
    pub fn party(&self) -> &PartyCode {
        &self.record.party
    }
}

/// Every known peer.
#[derive(Debug)]
pub struct PeerDirectory {
    store: Arc<dyn Store>,
    cache: RwLock<HashMap<PartyCode, Arc<Peer>>>,
}

impl PeerDirectory {
    /// Loads every peer from the store.
    pub fn load(store: Arc<dyn Store>) -> NodeResult<Self> {
        let directory = Self {
            store,
            cache: RwLock::new(HashMap::new()),
        };
        directory.refresh()?;
        Ok(directory)
    }

    /// Re-reads the peers from the store.
    pub fn refresh(&self) -> NodeResult<()> {
        let mut peers = HashMap::new();
        for record in self.store.peers()? {
            let card = SignedCard::parse(&record.card).map_err(|e| {
                NodeError::Store(detente_store::StoreError::Corrupt(format!(
                    "stored card of {}: {e}",
                    record.party
                )))
            })?;
            peers.insert(record.party.clone(), Arc::new(Peer { card, record }));
        }
        *self.cache.write().unwrap_or_else(|p| p.into_inner()) = peers;
        Ok(())
    }

    fn cached<T>(&self, find: impl Fn(&HashMap<PartyCode, Arc<Peer>>) -> Option<T>) -> Option<T> {
        if let Some(found) = find(&self.cache.read().unwrap_or_else(|p| p.into_inner())) {
            return Some(found);
        }
        if let Err(error) = self.refresh() {
            tracing::error!(%error, "cannot re-read peers from the store");
            return None;
        }
        find(&self.cache.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// The peer with this party code.
    pub fn get(&self, party: &PartyCode) -> Option<Arc<Peer>> {
        self.cached(|peers| peers.get(party).cloned())
    }

    /// The peer whose TLS certificate has this SPKI hash.
    pub fn by_spki(&self, spki_sha256: &[u8; 32]) -> Option<Arc<Peer>> {
        self.cached(|peers| {
            peers
                .values()
                .find(|peer| &peer.record.tls_spki_sha256 == spki_sha256)
                .cloned()
        })
    }

    /// Every peer, by party code.
    pub fn all(&self) -> Vec<Arc<Peer>> {
        let mut peers: Vec<_> = self
            .cache
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect();
        peers.sort_by(|a, b| a.party().cmp(b.party()));
        peers
    }
}

impl ClientPins for PeerDirectory {
    fn is_pinned(&self, spki_sha256: &[u8; 32]) -> bool {
        self.by_spki(spki_sha256).is_some()
    }
}

/// Verifies a peer's card and, if its fingerprint is the one confirmed out
/// of band, stores it as a trusted peer. Returns the verified card.
pub fn add_peer(
    store: &dyn Store,
    own_party: &PartyCode,
    card_bytes: &[u8],
    confirmed: &detente_proto::ids::Fingerprint,
    now: detente_proto::time::Timestamp,
) -> NodeResult<SignedCard> {
    let card = SignedCard::parse(card_bytes)?;
    if &card.card().party == own_party {
        return Err(NodeError::Unprocessable(format!(
            "this is {own_party}'s own card; add the cards of other parties"
        )));
    }
    if &card.fingerprint() != confirmed {
        return Err(NodeError::Forbidden(format!(
            "the card of {} has fingerprint {}, not the {} you confirmed; do not add it, and check with {} out of band",
            card.card().party,
            card.fingerprint(),
            confirmed,
            card.card().party
        )));
    }
    store.upsert_peer(&PeerRecord {
        party: card.card().party.clone(),
        card: card.bytes().to_vec(),
        fingerprint: card.fingerprint(),
        tls_spki_sha256: card.keys().tls_spki_sha256,
        added_at: now,
    })?;
    Ok(card)
}
