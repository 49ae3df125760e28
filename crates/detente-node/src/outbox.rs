//! Delivering (docs/protocol.md, "Delivery and retries").
//!
//! The outbox worker takes due entries from the store, seals each envelope
//! afresh (new `sent_at`, same signed bytes), POSTs it to the peer over
//! pinned mutual TLS, and verifies the signed receipt. Only a receipt that
//! verifies with the peer's card key, and names exactly the bytes sent,
//! marks the message delivered. Failures are retried with capped
//! exponential backoff and jitter ([`crate::backoff`]), forever; the
//! schedule lives in the store, so it survives restarts.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use detente_proto::card::SignedCard;
use detente_proto::envelope::SignedEnvelope;
use detente_proto::ids::MessageId;
use detente_proto::receipt::SignedReceipt;
use detente_proto::seal::SealedEnvelope;
use detente_store::OutboxEntry;
use rand::Rng;
use tokio::sync::{Notify, Semaphore, watch};
use tokio::task::JoinSet;

use crate::backoff::retry_delay;
use crate::events::EventKind;
use crate::log::verify_receipt_log;
use crate::node::Node;

/// The longest the worker sleeps before looking at the outbox again.
const IDLE_POLL: Duration = Duration::from_secs(30);

/// How long a graceful stop waits for deliveries already under way.
const DRAIN: Duration = Duration::from_secs(5);

/// The outbox subsystem's own state: what wakes its worker.
#[derive(Debug, Default)]
pub struct Outbox {
    wake: Notify,
}

impl Outbox {
    /// Wakes the worker: something was queued, or a delivery ended.
    pub(crate) fn wake(&self) {
        self.wake.notify_one();
    }

    /// Resolves when the worker is woken.
    async fn woken(&self) {
        self.wake.notified().await;
    }
}

/// Runs until `shutdown` turns true. Owns its delivery tasks: when this
/// future is dropped (a crash, or `RunningNode::kill`), they end with it.
pub(crate) async fn run_outbox(node: Arc<Node>, mut shutdown: watch::Receiver<bool>) {
    let permits = Arc::new(Semaphore::new(node.config.delivery.concurrency));
    let in_flight: Arc<Mutex<HashSet<MessageId>>> = Arc::default();
    let mut deliveries = JoinSet::new();
    loop {
        if *shutdown.borrow() {
            break;
        }
        let now = node.now();
        let batch = node.config.delivery.concurrency * 4;
        match node
            .with_store(move |s| Ok(s.due_deliveries(now, batch)?))
            .await
        {
            Ok(entries) => {
                for entry in entries {
                    if !in_flight
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(entry.id)
                    {
                        continue;
                    }
                    let Ok(permit) = permits.clone().acquire_owned().await else {
                        return;
                    };
                    let node = node.clone();
                    let in_flight = in_flight.clone();
                    deliveries.spawn(async move {
                        let id = entry.id;
                        node.attempt_delivery(entry).await;
                        in_flight
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .remove(&id);
                        drop(permit);
                        node.outbox.wake();
                    });
                }
            }
            Err(error) => tracing::error!(%error, "cannot read the outbox; retrying"),
        }
        let wait = match node.with_store(|s| Ok(s.next_delivery_at()?)).await {
            Ok(Some(next)) => {
                let until = next.since(node.now()).to_std().unwrap_or(Duration::ZERO);
                // Due already: those are in flight; their completion wakes us.
                if until.is_zero() {
                    Duration::from_secs(1)
                } else {
                    until.min(IDLE_POLL)
                }
            }
            Ok(None) => IDLE_POLL,
            Err(_) => Duration::from_secs(1),
        };
        tokio::select! {
            () = node.outbox.woken() => {}
            () = tokio::time::sleep(wait) => {}
            Some(_) = deliveries.join_next(), if !deliveries.is_empty() => {}
            _ = shutdown.changed() => break,
        }
    }
    // A graceful stop lets attempts under way finish (their results are
    // recorded); anything cut off is retried after the restart.
    let _ = tokio::time::timeout(DRAIN, async {
        while deliveries.join_next().await.is_some() {}
    })
    .await;
}

impl Node {
    async fn attempt_delivery(self: &Arc<Self>, entry: OutboxEntry) {
        let id = entry.id;
        match self.deliver(&entry).await {
            Ok(receipt) => {
                let at = self.now();
                let bytes = receipt.bytes().to_vec();
                let envelope = entry.envelope.clone();
                let received_at = receipt.receipt().received_at;
                // The deadlines it starts are written with the delivery.
                match self
                    .off_runtime(move |node| {
                        let store = node.store.as_ref();
                        let timers = node.timers_for(store, &envelope, received_at)?;
                        Ok::<_, crate::error::NodeError>(
                            store.record_delivery(&id, &bytes, at, &timers)?,
                        )
                    })
                    .await
                    .and_then(|r| r)
                {
                    Ok(()) => {
                        tracing::info!(%id, to = %entry.counterparty, "delivered; receipt verified");
                        self.emit(EventKind::Delivered {
                            id,
                            to: entry.counterparty.clone(),
                            received_at: receipt.receipt().received_at,
                            receipt_key_id: receipt.key_id().to_string(),
                        });
                    }
                    Err(error) => {
                        tracing::error!(%id, %error, "receipt verified but not stored; will deliver again")
                    }
                }
            }
            Err(error) => {
                let attempts = entry.attempts.saturating_add(1);
                let delivery = &self.config.delivery;
                let jitter = rand::thread_rng().r#gen::<f64>();
                let delay = retry_delay(
                    attempts,
                    delivery.initial_backoff,
                    delivery.max_backoff,
                    jitter,
                );
                let next = self
                    .now()
                    .plus(chrono::TimeDelta::from_std(delay).unwrap_or(chrono::TimeDelta::MAX));
                let message = error.clone();
                let result = self
                    .with_store(move |s| {
                        Ok(s.record_delivery_failure(&id, attempts, next, &message)?)
                    })
                    .await;
                if let Err(store_error) = result {
                    tracing::error!(%id, %store_error, "cannot record the failed attempt");
                }
                tracing::warn!(%id, to = %entry.counterparty, attempts, %error, retry_in = ?delay, "delivery failed");
                self.emit(EventKind::DeliveryFailed {
                    id,
                    attempts,
                    error,
                    next_attempt_at: next,
                });
            }
        }
    }

    /// One delivery attempt: seal, POST, verify the receipt.
    async fn deliver(self: &Arc<Self>, entry: &OutboxEntry) -> Result<SignedReceipt, String> {
        let peer = self
            .peers
            .get(&entry.counterparty)
            .ok_or_else(|| format!("{} is no longer a peer of this node", entry.counterparty))?;
        // The card that speaks for the peer now: sealed to its key, the
        // receipt verified with it.
        let card = self
            .keyring()
            .card_at(&entry.counterparty, self.now())
            .map_err(|e| e.to_string())?
            .clone();
        let (signed, sealed) = {
            let node = self.clone();
            let bytes = entry.envelope.clone();
            let card = card.clone();
            tokio::task::spawn_blocking(move || node.seal_for(&bytes, &card))
                .await
                .map_err(|e| e.to_string())??
        };
        // A peer that may not hold our current card gets it first: what
        // we sign now verifies only with it.
        self.ensure_card_pushed(&peer).await?;
        let client = self
            .clients
            .for_peer(self, &peer)
            .map_err(|e| e.to_string())?;
        let url = format!(
            "{}/peer/v1/envelopes",
            peer.card.card().endpoint.trim_end_matches('/')
        );
        let response = client
            .post(&url)
            .json(&sealed)
            .send()
            .await
            .map_err(|e| format!("cannot reach {url}: {}", error_chain(&e)))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| format!("reading the answer of {url}: {e}"))?;
        if !status.is_success() {
            let detail = problem_detail(&body);
            return Err(format!("{} refused it ({status}): {detail}", peer.party()));
        }
        let receipt = SignedReceipt::parse_and_verify(&body, &card.keys().signing, peer.party())
            .map_err(|e| {
                format!(
                    "{} answered with a receipt that does not verify: {e}",
                    peer.party()
                )
            })?;
        receipt.matches(&signed).map_err(|e| {
            format!(
                "{} answered with a receipt for something else: {e}",
                peer.party()
            )
        })?;
        verify_receipt_log(receipt.receipt(), &signed, &card.keys().signing).map_err(|e| {
            format!(
                "{} answered with a receipt whose log proof fails: {e}",
                peer.party()
            )
        })?;
        Ok(receipt)
    }

    fn seal_for(
        &self,
        bytes: &[u8],
        card: &SignedCard,
    ) -> Result<(SignedEnvelope, SealedEnvelope), String> {
        let signed = SignedEnvelope::from_trusted_bytes(bytes, &self.keys.signing.verifying_key())
            .map_err(|e| format!("stored envelope does not verify with our own key: {e}"))?;
        let envelope = signed.envelope();
        let sealed = SealedEnvelope::seal(
            signed.bytes(),
            envelope.id,
            envelope.from.party.clone(),
            envelope.to.party.clone(),
            self.now(),
            &card.keys().encryption,
            &mut rand::thread_rng(),
        )
        .map_err(|e| e.to_string())?;
        Ok((signed, sealed))
    }
}

/// An error and its causes on one line ("connection refused" is usually a cause).
/// What a peer's refusal says: its problem document's `detail`, else the
/// start of the body.
pub(crate) fn problem_detail(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("detail").and_then(|d| d.as_str()).map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(body).chars().take(300).collect())
}

pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
