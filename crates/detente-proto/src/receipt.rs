//! The delivery receipt (docs/protocol.md, "The receipt").
//!
//! A receipt is machine-level proof of delivery: the recipient node signs
//! `{message_id, envelope_sha256, from, to, received_at, log}` with its party
//! key over `"detente/v1/receipt\n" ‖ jcs_bytes`. Only a receipt that the
//! sender has verified makes a message "delivered".
//!
//! `log` proves where the recipient's transparency log recorded the
//! envelope: the log's origin, the leaf index, the exact entry text, and a
//! C2SP tlog-proof (that index, the RFC 9162 inclusion path, and the signed
//! checkpoint). With it a receipt alone shows, offline, that the recipient's
//! log holds a "received" entry for exactly these envelope bytes.

use serde::{Deserialize, Serialize};

use crate::ProtoError;
use crate::envelope::{SignedEnvelope, hash_to_base64};
use crate::ids::{KeyId, MessageId, PartyCode};
use crate::keyring::Keyring;
use crate::signing::{Domain, PartySigningKey, PartyVerifyingKey, SignedParts};
use crate::time::Timestamp;

/// Where the recipient's log recorded the envelope, with proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogPosition {
    /// The log's origin line, e.g. `detente.US/log/v1`.
    pub origin: String,
    /// The leaf index of the "received" entry.
    pub leaf_index: u64,
    /// The entry, exactly as logged (a [`crate::log_entry::LogEntry`]).
    pub entry: String,
    /// C2SP tlog-proof of the entry's inclusion in a signed checkpoint.
    pub tlog_proof: String,
}

/// What a receipt says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// The delivered message.
    pub message_id: MessageId,
    /// Base64 SHA-256 of the exact signed envelope bytes received.
    pub envelope_sha256: String,
    /// The sending party.
    pub from: PartyCode,
    /// The receiving party, which signs the receipt.
    pub to: PartyCode,
    /// When the recipient accepted it.
    pub received_at: Timestamp,
    /// Where the recipient's log recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<LogPosition>,
}

impl Receipt {
    /// Signs the receipt with the recipient's key.
    pub fn sign(self, key: &PartySigningKey) -> SignedReceipt {
        let value =
            serde_json::to_value(&self).unwrap_or_else(|e| unreachable!("receipts serialise: {e}"));
        SignedReceipt {
            bytes: key.sign_document(Domain::Receipt, &value),
            receipt: self,
            key_id: key.key_id(),
        }
    }
}

/// A receipt whose signature was made or verified by us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedReceipt {
    bytes: Vec<u8>,
    receipt: Receipt,
    key_id: KeyId,
}

/// Why a receipt does not prove delivery of a given envelope.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptMismatch {
    /// The receipt is for another message.
    #[error("receipt.message_id is {found}, expected {expected}")]
    MessageId {
        /// What the receipt names.
        found: MessageId,
        /// The message sent.
        expected: MessageId,
    },
    /// The receipt names other bytes than those sent.
    #[error("receipt.envelope_sha256 is {found}, but the envelope sent hashes to {expected}")]
    Hash {
        /// What the receipt names.
        found: String,
        /// The hash of what was sent.
        expected: String,
    },
    /// The receipt names other parties.
    #[error(
        "receipt names {found_from} -> {found_to}, but the envelope went {expected_from} -> {expected_to}"
    )]
    Parties {
        /// Sender named.
        found_from: PartyCode,
        /// Recipient named.
        found_to: PartyCode,
        /// Actual sender.
        expected_from: PartyCode,
        /// Actual recipient.
        expected_to: PartyCode,
    },
}

impl SignedReceipt {
    /// Parses a receipt and verifies it with the recipient's key.
    pub fn parse_and_verify(
        bytes: &[u8],
        recipient_key: &PartyVerifyingKey,
        recipient: &PartyCode,
    ) -> Result<Self, ProtoError> {
        let (parts, receipt) = Self::parse_unverified(bytes, recipient)?;
        parts.verify(recipient_key, recipient)?;
        Ok(Self {
            bytes: bytes.to_vec(),
            receipt,
            key_id: parts.key_id,
        })
    }

    /// Parses a receipt and verifies it with the key the recipient held
    /// when it signed it (at its `received_at`), as `keyring` knows it;
    /// returns that key too.
    pub fn parse_and_verify_in(
        bytes: &[u8],
        recipient: &PartyCode,
        keyring: &Keyring,
    ) -> Result<(Self, PartyVerifyingKey), ProtoError> {
        let (parts, receipt) = Self::parse_unverified(bytes, recipient)?;
        let key = keyring
            .card_at(recipient, receipt.received_at)
            .map_err(|no_key| ProtoError::field("receipt.received_at", no_key.to_string()))?
            .keys()
            .signing;
        parts.verify(&key, recipient)?;
        Ok((
            Self {
                bytes: bytes.to_vec(),
                receipt,
                key_id: parts.key_id,
            },
            key,
        ))
    }

    fn parse_unverified(
        bytes: &[u8],
        recipient: &PartyCode,
    ) -> Result<(SignedParts, Receipt), ProtoError> {
        let (parts, receipt): (_, Receipt) =
            SignedParts::parse_as(Domain::Receipt, bytes, 64 * 1024)?;
        if &receipt.to != recipient {
            return Err(ProtoError::field(
                "receipt.to",
                format!("is {}, but the receipt came from {recipient}", receipt.to),
            ));
        }
        Ok((parts, receipt))
    }

    /// Checks that this receipt acknowledges exactly `sent`.
    pub fn matches(&self, sent: &SignedEnvelope) -> Result<(), ReceiptMismatch> {
        let envelope = sent.envelope();
        if self.receipt.message_id != envelope.id {
            return Err(ReceiptMismatch::MessageId {
                found: self.receipt.message_id,
                expected: envelope.id,
            });
        }
        let expected = hash_to_base64(&sent.hash());
        if self.receipt.envelope_sha256 != expected {
            return Err(ReceiptMismatch::Hash {
                found: self.receipt.envelope_sha256.clone(),
                expected,
            });
        }
        if self.receipt.from != envelope.from.party || self.receipt.to != envelope.to.party {
            return Err(ReceiptMismatch::Parties {
                found_from: self.receipt.from.clone(),
                found_to: self.receipt.to.clone(),
                expected_from: envelope.from.party.clone(),
                expected_to: envelope.to.party.clone(),
            });
        }
        Ok(())
    }

    /// The exact signed bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The receipt.
    pub fn receipt(&self) -> &Receipt {
        &self.receipt
    }

    /// The signing key's id.
    pub fn key_id(&self) -> &KeyId {
        &self.key_id
    }
}
