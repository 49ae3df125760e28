//! The node's trusted peers: their verified, fingerprint-confirmed cards,
//! cached in memory and looked up by party code or by TLS SPKI pin.
//!
//! Peers may be added or their cards replaced while the node runs
//! (`detente peer add` writes the store directly): a serving node re-reads
//! the peers every [`REFRESH_EVERY`], and a lookup that misses the cache
//! re-reads them at once — at most once per [`MISS_REFRESH_MIN`], so a
//! stream of strangers' handshakes cannot turn into a stream of reads.
//!
//! The keyring holds every card ever held (`Store::cards`), this party's
//! and the peers', so a record is verified against the card that spoke
//! when it was made. After a peer's TLS key is rotated, its replaced
//! certificate stays pinned for [`crate::config::KeysConfig::overlap`]
//! from the new card's `issued_at` ([`Peer::pins`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use detente_proto::card::SignedCard;
use detente_proto::card_chain::SignedCardLink;
use detente_proto::clock::Clock;
use detente_proto::ids::PartyCode;
use detente_proto::keyring::{Keyring, valid_at};
use detente_proto::time::Timestamp;
use detente_store::{PeerRecord, Store};

use crate::error::{Forbidden, Mistake, NodeError, NodeResult};
use crate::tls::ClientPins;

/// A known peer.
#[derive(Debug)]
pub struct Peer {
    /// Its verified card.
    pub card: SignedCard,
    /// The card its current card replaced, if any.
    pub previous: Option<SignedCard>,
    /// The stored record.
    pub record: PeerRecord,
}

impl Peer {
    /// The peer's party code.
    pub fn party(&self) -> &PartyCode {
        &self.record.party
    }

    /// The TLS SPKI hashes pinned for the peer at `now`: its current
    /// card's, and its previous card's until `overlap` after the current
    /// one was issued.
    pub fn pins(&self, now: Timestamp, overlap: Duration) -> Vec<[u8; 32]> {
        let mut pins = vec![self.record.tls_spki_sha256];
        let overlap = chrono::TimeDelta::from_std(overlap).unwrap_or(chrono::TimeDelta::MAX);
        if let Some(previous) = self
            .previous
            .as_ref()
            .filter(|_| now.since(self.card.card().issued_at) < overlap)
        {
            let pin = previous.keys().tls_spki_sha256;
            if !pins.contains(&pin) {
                pins.push(pin);
            }
        }
        pins
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
    clock: Arc<dyn Clock>,
    overlap: Duration,
    own: SignedCard,
    cache: RwLock<HashMap<PartyCode, Arc<Peer>>>,
    keyring: RwLock<Arc<Keyring>>,
    last_miss_refresh: Mutex<Option<Instant>>,
}

impl PeerDirectory {
    /// Loads every peer from the store; `own` is this party's card, and
    /// a replaced TLS certificate stays pinned for `overlap` on `clock`.
    pub fn load(
        store: Arc<dyn Store>,
        own: SignedCard,
        clock: Arc<dyn Clock>,
        overlap: Duration,
    ) -> NodeResult<Self> {
        let directory = Self {
            store,
            clock,
            overlap,
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
        let records = self.store.peers()?;
        let mut current = HashMap::new();
        current.insert(self.own.card().party.clone(), self.own.card().issued_at);
        let mut cards = Vec::new();
        for record in &records {
            let card = SignedCard::parse(&record.card).map_err(|e| corrupt(&record.party, &e))?;
            current.insert(record.party.clone(), card.card().issued_at);
            cards.push(card);
        }
        let mut held = HashMap::new();
        let mut links = Vec::new();
        for record in self.store.cards()? {
            let card = SignedCard::parse(&record.card).map_err(|e| corrupt(&record.party, &e))?;
            // A card issued after the party's current one was replaced
            // out of band (`detente peer add`): it no longer speaks.
            if current
                .get(&record.party)
                .is_some_and(|issued| card.card().issued_at > *issued)
            {
                continue;
            }
            keyring
                .add(card.clone())
                .map_err(|e| corrupt(&record.party, &e))?;
            if let Some(link) = &record.link {
                links.push(SignedCardLink::parse(link).map_err(|e| corrupt(&record.party, &e))?);
            }
            held.insert(record.sha256, card);
        }
        // Revocations (checked when the card came in) mark the replaced
        // signing keys compromised.
        for link in &links {
            if let Some(previous) = held.get(&link.previous()) {
                keyring.revoke(previous, link);
            }
        }
        for (record, card) in records.into_iter().zip(cards) {
            keyring
                .add(card.clone())
                .map_err(|e| corrupt(&record.party, &e))?;
            let previous = card.previous().and_then(|sha| held.get(&sha).cloned());
            peers.insert(
                record.party.clone(),
                Arc::new(Peer {
                    card,
                    previous,
                    record,
                }),
            );
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

    /// The peer whose TLS certificate has this SPKI hash (its current
    /// one, or the one it replaced, during the overlap).
    pub fn by_spki(&self, spki_sha256: &[u8; 32]) -> Option<Arc<Peer>> {
        let now = self.clock.now();
        self.cached(|peers| {
            peers
                .values()
                .find(|peer| peer.pins(now, self.overlap).contains(spki_sha256))
                .cloned()
        })
    }

    /// How long a replaced TLS certificate stays pinned.
    pub fn overlap(&self) -> Duration {
        self.overlap
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
