//! What the officer API returns about a message: its state, its delivery,
//! and its receipt — re-verified at every view, so "delivered" is never
//! shown on the word of the database alone.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use detente_proto::envelope::SignedEnvelope;
use detente_proto::receipt::SignedReceipt;
use detente_store::{Direction, MessageState, StoredMessage};
use serde::Serialize;
use utoipa::ToSchema;

use crate::log::verify_receipt_log;
use crate::node::Node;

/// A party and tier (and officer, for the sender).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EndpointView {
    /// Party code.
    pub party: String,
    /// Tier.
    pub tier: String,
    /// Authoring officer (sender only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub officer: Option<String>,
}

/// Delivery progress of a queued message.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryView {
    /// Attempts so far.
    pub attempts: u32,
    /// The last error.
    pub last_error: Option<String>,
    /// When the next attempt is due.
    pub next_attempt_at: Option<String>,
}

/// A receipt and whether it verifies now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReceiptView {
    /// Whether the signature verifies with the signer's card key and the
    /// receipt names exactly this envelope.
    pub verified: bool,
    /// Why not, when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// The party that signed it.
    pub signed_by: String,
    /// When the recipient received the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received_at: Option<String>,
    /// Where the signer's log recorded it, proven by the receipt's tlog-proof.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logged_at: Option<LoggedAtView>,
    /// The signed receipt document, as signed.
    #[schema(value_type = Object)]
    pub document: serde_json::Value,
}

/// An entry proven to be in a party's log.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LoggedAtView {
    /// The log's origin.
    pub origin: String,
    /// The entry's index.
    pub index: u64,
    /// The size of the signed checkpoint the inclusion proof is against.
    pub checkpoint_size: u64,
}

/// The first acknowledgement of a message.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AcknowledgementView {
    /// The acknowledgement's id.
    pub id: String,
    /// When it was composed.
    pub at: String,
}

/// A message as an officer sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageView {
    /// Message id (UUIDv7).
    pub id: String,
    /// `sent` or `received`.
    pub direction: String,
    /// `queued`, `delivered` or `received`.
    pub state: String,
    /// The other party.
    pub counterparty: String,
    /// Message kind.
    pub kind: String,
    /// Precedence.
    pub precedence: String,
    /// Sender.
    pub from: EndpointView,
    /// Recipient.
    pub to: EndpointView,
    /// The message this answers.
    pub in_reply_to: Option<String>,
    /// When composed.
    pub created_at: String,
    /// When queued here (sent) or received here.
    pub recorded_at: String,
    /// Exercise traffic.
    pub exercise: bool,
    /// TLP marking.
    pub tlp: String,
    /// One line about it.
    pub headline: String,
    /// Base64 SHA-256 of the signed envelope.
    pub envelope_sha256: String,
    /// The index of its entry in this node's transparency log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_index: Option<u64>,
    /// Delivery progress, while queued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliveryView>,
    /// When the verified receipt was stored (sent side).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<String>,
    /// The receipt: the recipient's (sent) or ours (received).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt: Option<ReceiptView>,
    /// The first acknowledgement, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged_by: Option<AcknowledgementView>,
}

/// A message with its signed envelope.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageDetail {
    /// The message.
    #[serde(flatten)]
    pub message: MessageView,
    /// The signed envelope `{envelope, key_id, signature}`, as stored.
    #[schema(value_type = Object)]
    pub signed_envelope: serde_json::Value,
    /// The deadlines it started under its agreement, and how each stands.
    pub deadlines: Vec<crate::responsiveness::DeadlineView>,
}

impl MessageView {
    /// The view of a stored message, with its receipt checked by `node`.
    pub fn of(node: &Node, stored: &StoredMessage) -> Self {
        let m = &stored.message;
        let (sender, recipient) = match m.direction {
            Direction::Sent => (node.party().to_string(), m.counterparty.to_string()),
            Direction::Received => (m.counterparty.to_string(), node.party().to_string()),
        };
        let delivery = (stored.state == MessageState::Queued).then(|| DeliveryView {
            attempts: stored.attempts,
            last_error: stored.last_error.clone(),
            next_attempt_at: stored.next_attempt_at.map(|t| t.to_string()),
        });
        Self {
            id: m.id.to_string(),
            direction: m.direction.as_str().into(),
            state: stored.state.as_str().into(),
            counterparty: m.counterparty.to_string(),
            kind: m.kind.to_string(),
            precedence: m.precedence.to_string(),
            from: EndpointView {
                party: sender,
                tier: m.from_tier.to_string(),
                officer: Some(m.officer.to_string()),
            },
            to: EndpointView {
                party: recipient,
                tier: m.to_tier.to_string(),
                officer: None,
            },
            in_reply_to: m.in_reply_to.map(|id| id.to_string()),
            created_at: m.created_at.to_string(),
            recorded_at: m.recorded_at.to_string(),
            exercise: m.exercise,
            tlp: m.tlp.to_string(),
            headline: m.headline.clone(),
            envelope_sha256: BASE64.encode(m.envelope_sha256),
            log_index: m.log_index,
            delivery,
            delivered_at: stored.delivered_at.map(|t| t.to_string()),
            receipt: stored
                .receipt
                .as_deref()
                .map(|bytes| receipt_view(node, stored, bytes)),
            acknowledged_by: stored.acknowledged_by.map(|(id, at)| AcknowledgementView {
                id: id.to_string(),
                at: at.to_string(),
            }),
        }
    }
}

fn receipt_view(node: &Node, stored: &StoredMessage, bytes: &[u8]) -> ReceiptView {
    let m = &stored.message;
    let document = serde_json::from_slice(bytes).unwrap_or(serde_json::Value::Null);
    // The receipt's signer is the recipient, with the key it held when it
    // signed the receipt; the envelope's, the key its sender held when it
    // was written.
    let (signer, sender) = match m.direction {
        Direction::Sent => (&m.counterparty, node.party()),
        Direction::Received => (node.party(), &m.counterparty),
    };
    let keyring = node.keyring();
    let checked = (|| {
        let (receipt, signer_key) = SignedReceipt::parse_and_verify_in(bytes, signer, &keyring)
            .map_err(|e| e.to_string())?;
        let sender_key = keyring
            .card_at(sender, m.created_at)
            .map(|card| card.keys().signing)
            .map_err(|e| e.to_string())?;
        let signed = SignedEnvelope::from_trusted_bytes(&m.envelope, &sender_key)
            .map_err(|e| e.to_string())?;
        receipt.matches(&signed).map_err(|e| e.to_string())?;
        let inclusion = verify_receipt_log(receipt.receipt(), &signed, &signer_key)?;
        Ok((receipt, inclusion))
    })();
    match checked {
        Ok((receipt, inclusion)) => ReceiptView {
            verified: true,
            problem: None,
            signed_by: signer.to_string(),
            received_at: Some(receipt.receipt().received_at.to_string()),
            logged_at: Some(LoggedAtView {
                origin: crate::log::origin(signer),
                index: inclusion.index,
                checkpoint_size: inclusion.checkpoint_size,
            }),
            document,
        },
        Err(problem) => ReceiptView {
            verified: false,
            problem: Some(problem),
            signed_by: signer.to_string(),
            received_at: None,
            logged_at: None,
            document,
        },
    }
}
