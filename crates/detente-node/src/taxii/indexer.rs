//! The indexer: adds the STIX objects of every stored message to its TAXII
//! collection (docs/taxii.md, "Collections").
//!
//! It follows the store's messages in the store's own order from a
//! watermark kept in the store, and writes a batch's rows and the new
//! watermark in one transaction, by compare-and-swap: a crash loses
//! nothing and doubles nothing, two indexers (replicas) never add a batch
//! twice, and messages stored before this feature existed are indexed at
//! the first start. Exercise traffic is not indexed: a SOC feed must not
//! mix drills with real incidents.

use std::sync::Arc;
use std::time::Duration;

use detente_proto::envelope::UnverifiedEnvelope;
use detente_proto::limits::Limits;
use detente_store::{
    CollectionKind, Direction, NewStixObject, StixSource, Store, StoreError, StoredMessage,
};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;

use super::rows::{Audience, Placement, rows_of};
use crate::error::NodeResult;
use crate::events::EventKind;
use crate::node::Node;

/// Messages read per pass: one write transaction holds at most this many
/// envelopes' objects (each envelope at most 1 MiB).
const BATCH: usize = 32;

/// How often the indexer looks when nothing woke it.
const TICK: Duration = Duration::from_secs(1);

/// The rows of one stored message: none unless it carries a STIX bundle
/// and is not an exercise.
fn rows_of_message(stored: &StoredMessage) -> Vec<NewStixObject> {
    let m = &stored.message;
    if m.exercise {
        return Vec::new();
    }
    let Ok(envelope) = UnverifiedEnvelope::parse(&m.envelope, &Limits::unbounded()) else {
        return Vec::new();
    };
    let Some(bundle) = envelope.claimed().body.stix_bundle() else {
        return Vec::new();
    };
    let (collection, our_tier) = match m.direction {
        Direction::Sent => (CollectionKind::SentTo, m.from_tier),
        Direction::Received => (CollectionKind::ReceivedFrom, m.to_tier),
    };
    rows_of(
        &bundle,
        &Placement {
            counterparty: &m.counterparty,
            collection,
            unmarked: m.tlp.into(),
            audience: Audience::Tier(our_tier),
            source: StixSource::Message(m.id),
        },
    )
}

/// One pass: indexes up to [`BATCH`] messages past the watermark. Returns
/// how many messages it covered (0 when caught up).
///
/// If the store refuses the batch's rows as misuse (an object it cannot
/// hold, which validation should have kept out), the messages are indexed
/// one by one and the objects of the one refused are left out, with a
/// warning: one bad message must not stop the indexer for good.
pub fn index_batch(store: &dyn Store, now: detente_proto::time::Timestamp) -> NodeResult<usize> {
    let from = store.stix_watermark()?;
    let batch = store.messages_after(from, BATCH)?;
    let Some((to, _)) = batch.last() else {
        return Ok(0);
    };
    let rows: Vec<NewStixObject> = batch.iter().flat_map(|(_, m)| rows_of_message(m)).collect();
    // `false`: another indexer covered these first; go on from its mark.
    match store.index_stix(from, *to, &rows, now) {
        Ok(_) => return Ok(batch.len()),
        Err(StoreError::Misuse { .. }) => {}
        Err(error) => return Err(error.into()),
    }
    let mut mark = from;
    for (position, message) in &batch {
        let rows = rows_of_message(message);
        match store.index_stix(mark, *position, &rows, now) {
            Ok(true) => {}
            Ok(false) => return Ok(batch.len()),
            Err(problem @ StoreError::Misuse { .. }) => {
                tracing::warn!(message = %message.message.id, %problem, "the STIX objects of this message cannot be indexed for TAXII; leaving them out");
                if !store.index_stix(mark, *position, &[], now)? {
                    return Ok(batch.len());
                }
            }
            Err(error) => return Err(error.into()),
        }
        mark = *position;
    }
    Ok(batch.len())
}

impl Node {
    /// Indexes every stored message not indexed yet; returns how many.
    pub async fn index_stix_once(&self) -> NodeResult<usize> {
        let mut total = 0;
        loop {
            let now = self.now();
            let covered = self.with_store(move |s| index_batch(s, now)).await?;
            if covered == 0 {
                return Ok(total);
            }
            total += covered;
        }
    }
}

/// Runs the indexer until shutdown: a pass whenever the node's event
/// stream says a message was stored (queued to send, or received), when it
/// lost track of the stream (lagged), and every [`TICK`]. The core knows
/// nothing of TAXII: the indexer only listens.
pub async fn run_indexer(node: Arc<Node>, mut shutdown: watch::Receiver<bool>) {
    // Subscribed before the first pass, so that nothing stored after the
    // pass began goes unnoticed.
    let mut events = node.subscribe();
    loop {
        if let Err(error) = node.index_stix_once().await {
            tracing::warn!(%error, "indexing STIX objects for TAXII failed; retrying");
        }
        let tick = tokio::time::sleep(TICK);
        tokio::pin!(tick);
        loop {
            tokio::select! {
                _ = shutdown.changed() => return,
                () = &mut tick => break,
                event = events.recv() => match event {
                    Ok(event) if stores_a_message(&event.what) => break,
                    Ok(_) => {}
                    Err(RecvError::Lagged(_)) => break,
                    Err(RecvError::Closed) => return,
                },
            }
        }
    }
}

/// Whether an event means a message was stored, and so may have objects
/// to index.
fn stores_a_message(what: &EventKind) -> bool {
    matches!(what, EventKind::Queued { .. } | EventKind::Received { .. })
}
