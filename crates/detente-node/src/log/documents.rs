//! Documents in the log (docs/protocol.md, "Log entries"): cards are
//! logged as document leaves, this party's card and every peer card it
//! trusts, each logged once per exact card bytes, so a replaced card is
//! logged again.

use detente_proto::log_entry::{EntryDirection, LogEntry};
use sha2::{Digest, Sha256};

use crate::error::NodeResult;
use crate::node::Node;

impl Node {
    /// Logs our card and our peers' cards that are not in the log yet.
    /// Returns how many were logged now.
    pub async fn log_cards(&self) -> NodeResult<usize> {
        let mut cards = vec![self.card.clone()];
        cards.extend(self.peers.all().iter().map(|peer| peer.card.clone()));
        let mut logged = 0;
        for card in cards {
            let party = card.card().party.clone();
            let entry = LogEntry {
                direction: EntryDirection::Document,
                id: format!("card/{party}/{}", card.key_id()),
                counterparty: party,
                sha256: Sha256::digest(card.bytes()).into(),
                time: self.now(),
                peer_size: None,
            };
            if self.log.log_document_once(entry).await?.is_some() {
                logged += 1;
            }
        }
        Ok(logged)
    }
}
