//! Collecting cosignatures for this node's own log: after each new
//! checkpoint (and periodically), push it to every witness with a
//! consistency proof from the size that witness last cosigned (C2SP
//! tlog-witness, client side), verify the cosignatures that come back, and
//! store them. A 409 answer names the witness's size; we resend from there.

use std::sync::Arc;
use std::time::Duration;

use detente_log::checkpoint::SignedCheckpoint;
use detente_log::witness::{AddCheckpointRequest, AddCheckpointResponse, parse_size_body};
use detente_proto::ids::PartyCode;
use tokio::sync::watch;

use super::witness::cosignature_verifier;
use crate::node::Node;

/// How often witnesses are retried when nothing new happened.
const RETRY_EVERY: Duration = Duration::from_secs(30);

/// Runs until `shutdown` turns true.
pub(crate) async fn run_witnessing(node: Arc<Node>, mut shutdown: watch::Receiver<bool>) {
    let mut checkpoints = node.log.subscribe();
    loop {
        for party in node.witness_parties() {
            if let Err(error) = push_to(&node, &party).await {
                tracing::warn!(witness = %party, %error, "witness did not cosign");
            }
        }
        tokio::select! {
            _ = checkpoints.changed() => {}
            () = tokio::time::sleep(RETRY_EVERY) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Brings `party`'s cosignature up to our latest checkpoint.
async fn push_to(node: &Arc<Node>, party: &PartyCode) -> Result<(), String> {
    let Some(current) = node.log.checkpoint() else {
        return Ok(());
    };
    let peer = node
        .peers
        .get(party)
        .ok_or_else(|| format!("{party} is not a peer"))?;
    let name = party.to_string();
    let known = {
        let name = name.clone();
        node.with_store(move |s| Ok(s.cosignatures()?))
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|(witness, _, _)| *witness == name)
            .map_or(0, |(_, size, _)| size)
    };
    if known >= current.size {
        return Ok(());
    }
    let signed = SignedCheckpoint::parse(current.note.as_bytes()).map_err(|e| e.to_string())?;
    let verifier =
        cosignature_verifier(party, &peer.card.keys().signing).map_err(|e| e.to_string())?;
    let client = node
        .clients
        .for_peer(node, &peer)
        .map_err(|e| e.to_string())?;
    let url = format!(
        "{}/log/add-checkpoint",
        peer.card.card().endpoint.trim_end_matches('/')
    );
    let mut old = known;
    for _ in 0..2 {
        let proof = if old == 0 {
            Vec::new()
        } else {
            node.log
                .read(|view| view.tree.consistency_proof(old, current.size))
                .map_err(|e| format!("consistency proof {old} → {}: {e}", current.size))?
        };
        let request =
            AddCheckpointRequest::new(old, proof, signed.clone()).map_err(|e| e.to_string())?;
        let response = client
            .post(&url)
            .body(request.to_bytes())
            .send()
            .await
            .map_err(|e| format!("cannot reach {url}: {}", crate::outbox::error_chain(&e)))?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        match status {
            200 => {
                let answer = AddCheckpointResponse::parse(&body).map_err(|e| e.to_string())?;
                let mut cosigned = signed.clone();
                let added = answer
                    .merge_into(&mut cosigned, std::slice::from_ref(&verifier))
                    .map_err(|e| e.to_string())?;
                let line = answer
                    .cosignatures()
                    .iter()
                    .find(|line| {
                        line.name() == verifier.name() && line.key_id() == verifier.key_id()
                    })
                    .filter(|_| added > 0)
                    .ok_or_else(|| {
                        format!("{party} answered without a cosignature by its witness key")
                    })?
                    .to_string();
                let size = current.size;
                node.with_store(move |s| Ok(s.put_cosignature(&name, size, &line)?))
                    .await
                    .map_err(|e| e.to_string())?;
                tracing::info!(witness = %party, size, "checkpoint cosigned");
                return Ok(());
            }
            409 => {
                old = parse_size_body(&body).map_err(|e| e.to_string())?;
                if old > current.size {
                    return Err(format!(
                        "{party} says it cosigned size {old} of our log, beyond our {}; investigate",
                        current.size
                    ));
                }
            }
            _ => {
                return Err(format!(
                    "{party} answered {status}: {}",
                    String::from_utf8_lossy(&body).trim()
                ));
            }
        }
    }
    Err(format!("{party} keeps answering 409"))
}
