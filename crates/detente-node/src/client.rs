//! HTTPS clients towards peers: one per peer, presenting our certificate
//! (or, while the peer may pin only the one a rotation replaced, that one)
//! and pinning theirs, cached until either changes.

use std::collections::HashMap;
use std::sync::Mutex;

use detente_proto::ids::PartyCode;

use crate::error::{NodeResult, TlsError};
use crate::node::Node;
use crate::peers::Peer;

/// What a cached client was built for: the peer's pins and the
/// certificate we present.
type ClientKey = (Vec<[u8; 32]>, [u8; 32]);

/// Cached clients, by peer.
#[derive(Debug, Default)]
pub struct PeerClients {
    clients: Mutex<HashMap<PartyCode, (ClientKey, reqwest::Client)>>,
}

impl PeerClients {
    /// The client for `peer`, built on first use.
    pub fn for_peer(&self, node: &Node, peer: &Peer) -> NodeResult<reqwest::Client> {
        let pins = peer.pins(node.now(), node.config.keys.overlap);
        let identity = node.tls_identity_for(peer.party());
        let key = (pins, identity.spki_sha256());
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, client)) = clients
            .get(peer.party())
            .filter(|(cached, _)| *cached == key)
        {
            return Ok(client.clone());
        }
        let tls = identity.peer_client_config(&key.0)?;
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .timeout(node.config.delivery.attempt_timeout)
            .connect_timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(TlsError::setup("build the client for a peer"))?;
        clients.insert(peer.party().clone(), (key, client.clone()));
        Ok(client)
    }
}
