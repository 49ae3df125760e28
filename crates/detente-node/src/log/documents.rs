//! Documents in the log (docs/protocol.md, "Log entries"): cards are
//! logged as document leaves, every card of this party and of its peers
//! the node holds (a renewed or rotated card too), each logged once per
//! exact card bytes.

use detente_proto::log_entry::{EntryDirection, LogEntry};

use crate::error::NodeResult;
use crate::node::Node;

impl Node {
    /// Logs our card and our peers' cards that are not in the log yet.
    /// Returns how many were logged now.
    pub async fn log_cards(&self) -> NodeResult<usize> {
        let keyring = self.keyring();
        // Ours first, then the peers' by party code.
        let (ours, theirs): (Vec<_>, Vec<_>) = keyring
            .cards()
            .partition(|card| card.card().party == *self.party());
        let mut logged = 0;
        for card in ours.into_iter().chain(theirs) {
            let party = card.card().party.clone();
            let entry = LogEntry {
                direction: EntryDirection::Document,
                id: format!("card/{party}/{}", card.key_id()),
                counterparty: party,
                sha256: card.sha256(),
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
