//! HTTPS clients towards peers: one per peer, presenting our certificate
//! and pinning theirs, cached until the peer's pin changes.

use std::collections::HashMap;
use std::sync::Mutex;

use detente_proto::ids::PartyCode;

use crate::error::{NodeResult, TlsError};
use crate::node::Node;
use crate::peers::Peer;

/// Cached clients, by peer.
#[derive(Debug, Default)]
pub struct PeerClients {
    clients: Mutex<HashMap<PartyCode, ([u8; 32], reqwest::Client)>>,
}

impl PeerClients {
    /// The client for `peer`, built on first use.
    pub fn for_peer(&self, node: &Node, peer: &Peer) -> NodeResult<reqwest::Client> {
        let pin = peer.record.tls_spki_sha256;
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, client)) = clients
            .get(peer.party())
            .filter(|(cached, _)| *cached == pin)
        {
            return Ok(client.clone());
        }
        let tls = node.keys.tls.peer_client_config(pin)?;
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .timeout(node.config.delivery.attempt_timeout)
            .connect_timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(TlsError::setup("build the client for a peer"))?;
        clients.insert(peer.party().clone(), (pin, client.clone()));
        Ok(client)
    }
}
