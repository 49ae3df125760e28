//! The node's trusted peers: their verified, fingerprint-confirmed cards,
//! cached in memory and looked up by party code or by TLS SPKI pin.
//!
//! Peers may be added or their cards replaced while the node runs
//! (`detente peer add` writes the store directly): a serving node re-reads
//! the peers every [`REFRESH_EVERY`], and a lookup that misses the cache
//! re-reads them at once — at most once per [`MISS_REFRESH_MIN`], so a
//! stream of strangers' handshakes cannot turn into a stream of reads.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use detente_proto::card::SignedCard;
use detente_proto::ids::PartyCode;
use detente_proto::keyring::{Keyring, valid_at};
use detente_store::{PeerRecord, Store};

use crate::error::{Forbidden, Mistake, NodeError, NodeResult};
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

/// How often a serving node re-reads its peers.
pub const REFRESH_EVERY: Duration = Duration::from_secs(5);

/// The least time between two re-reads caused by cache misses.
pub const MISS_REFRESH_MIN: Duration = Duration::from_secs(1);

/// Every known peer, and the keyring of their cards and this party's.
#[derive(Debug)]
pub struct PeerDirectory {
    store: Arc<dyn Store>,
    own: SignedCard,
    cache: RwLock<HashMap<PartyCode, Arc<Peer>>>,
    keyring: RwLock<Arc<Keyring>>,
    last_miss_refresh: Mutex<Option<Instant>>,
}

impl PeerDirectory {
    /// Loads every peer from the store; `own` is this party's card.
    pub fn load(store: Arc<dyn Store>, own: SignedCard) -> NodeResult<Self> {
        let directory = Self {
            store,
            keyring: RwLock::new(Arc::new(Keyring::new())),
            own,
            cache: RwLock::new(HashMap::new()),
            last_miss_refresh: Mutex::new(None),
        };
        directory.refresh()?;
        Ok(directory)
    }

    /// Re-reads the peers from the store.
    pub fn refresh(&self) -> NodeResult<()> {
        let corrupt = |party: &PartyCode, e: &dyn std::fmt::Display| {
            NodeError::Store(detente_store::StoreError::Corrupt(format!(
                "stored card of {party}: {e}"
            )))
        };
        let mut peers = HashMap::new();
        let mut keyring = Keyring::new();
        keyring
            .add(self.own.clone())
            .map_err(|e| corrupt(&self.own.card().party, &e))?;
        for record in self.store.peers()? {
            let card = SignedCard::parse(&record.card).map_err(|e| corrupt(&record.party, &e))?;
            keyring
                .add(card.clone())
                .map_err(|e| corrupt(&record.party, &e))?;
            peers.insert(record.party.clone(), Arc::new(Peer { card, record }));
        }
        *self.cache.write().unwrap_or_else(|p| p.into_inner()) = peers;
        *self.keyring.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(keyring);
        Ok(())
    }

    /// The cards of this party and of every peer, as last read.
    pub fn keyring(&self) -> Arc<Keyring> {
        self.keyring
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn cached<T>(&self, find: impl Fn(&HashMap<PartyCode, Arc<Peer>>) -> Option<T>) -> Option<T> {
        if let Some(found) = find(&self.cache.read().unwrap_or_else(|p| p.into_inner())) {
            return Some(found);
        }
        {
            let mut last = self
                .last_miss_refresh
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if last.is_some_and(|at| at.elapsed() < MISS_REFRESH_MIN) {
                return None;
            }
            *last = Some(Instant::now());
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
        return Err(Mistake::OwnCard {
            party: own_party.clone(),
        }
        .into());
    }
    if &card.fingerprint() != confirmed {
        return Err(Forbidden::FingerprintMismatch {
            party: card.card().party.clone(),
            confirmed: confirmed.clone(),
        }
        .into());
    }
    valid_at(&card, now)?;
    store.upsert_peer(&PeerRecord {
        party: card.card().party.clone(),
        card: card.bytes().to_vec(),
        fingerprint: card.fingerprint(),
        tls_spki_sha256: card.keys().tls_spki_sha256,
        added_at: now,
    })?;
    Ok(card)
}
