//! Receiving (docs/protocol.md, "Receiving").
//!
//! In order, and before anything is stored: the TLS client must be a pinned
//! peer; the sealed header must name that peer as sender and this node as
//! recipient; `sealed.sent_at` must be within the allowed skew; the
//! envelope must open and be within bounds; its inner header must match
//! the sealed one; the sender's card must be current; `envelope.created_at`
//! must not be in the future beyond the skew; the envelope must be
//! canonical and signed by the key of the sender's card that spoke when it
//! was written; then the admission rules, and any agreement signature or
//! document step it carries, must hold. Then the sequencer
//! logs a "received" entry, signs the receipt naming its leaf index and
//! checkpoint, and stores message, receipt and log entry in one transaction,
//! with the record the message carries (a guarantee or pledge step, an
//! agreement signature) and the document entry that logs it.
//!
//! Delivery is idempotent by id: the same envelope again gets the same
//! receipt and stores nothing; a different envelope under a used id is a
//! replay and is refused.

use std::sync::Arc;

use chrono::TimeDelta;
use detente_proto::envelope::{UnverifiedEnvelope, hash_to_base64};
use detente_proto::ids::PartyCode;
use detente_proto::keyring::NoKey;
use detente_proto::receipt::Receipt;
use detente_proto::seal::SealedEnvelope;
use detente_proto::time::{Timestamp, human_duration};
use detente_store::{CarriedRecord, Direction};

use crate::error::{Bug, NodeError, NodeResult, PeerRejection};
use crate::events::EventKind;
use crate::log::Carried;
use crate::node::{Node, new_message};

/// Refuses `at` if it is more than `skew` away from `now` (or, with
/// `past_ok`, only if it is more than `skew` in the future).
pub fn check_skew(
    field: &'static str,
    at: Timestamp,
    now: Timestamp,
    skew: TimeDelta,
    past_ok: bool,
) -> Result<(), PeerRejection> {
    let ahead = at.since(now);
    let off = if ahead > skew {
        format!("{} in the future", human_duration(ahead))
    } else if !past_ok && -ahead > skew {
        format!("{} in the past", human_duration(-ahead))
    } else {
        return Ok(());
    };
    Err(PeerRejection::Skew {
        field,
        at: at.to_string(),
        now: now.to_string(),
        off,
        skew: human_duration(skew),
    })
}

impl Node {
    /// Handles `POST /peer/v1/envelopes`: returns the signed receipt bytes.
    pub async fn receive(
        self: &Arc<Self>,
        tls_peer: Option<PartyCode>,
        body: Vec<u8>,
    ) -> NodeResult<Vec<u8>> {
        let node = self.clone();
        tokio::task::spawn_blocking(move || node.receive_blocking(tls_peer, &body))
            .await
            .map_err(Bug::task("receive"))?
    }

    fn receive_blocking(&self, tls_peer: Option<PartyCode>, body: &[u8]) -> NodeResult<Vec<u8>> {
        let authenticated = tls_peer.ok_or(PeerRejection::NotAPeer)?;
        let sealed = SealedEnvelope::parse(body, &self.config.limits)?;
        if sealed.from != authenticated {
            return Err(PeerRejection::SenderMismatch {
                claimed: sealed.from,
                authenticated,
            }
            .into());
        }
        if sealed.to != self.config.party {
            return Err(PeerRejection::Misaddressed {
                to: sealed.to,
                us: self.config.party.clone(),
            }
            .into());
        }
        let now = self.now();
        check_skew(
            "sealed.sent_at",
            sealed.sent_at,
            now,
            self.config.skew(),
            false,
        )?;
        // Sealed to our current key or, for the overlap after a rotation,
        // to the key it replaced (a peer that had not yet taken our card).
        let plaintext = self.open_sealed(&sealed, now)?;
        let unverified = UnverifiedEnvelope::parse(&plaintext, &self.config.limits)?;
        let claimed = unverified.claimed();
        let mismatch = |field: &'static str, inner: String, outer: String| {
            NodeError::from(PeerRejection::HeaderMismatch {
                field,
                inner,
                outer,
            })
        };
        if claimed.id != sealed.id {
            return Err(mismatch(
                "envelope.id",
                claimed.id.to_string(),
                sealed.id.to_string(),
            ));
        }
        if claimed.to.party != self.config.party {
            return Err(PeerRejection::Misaddressed {
                to: claimed.to.party.clone(),
                us: self.config.party.clone(),
            }
            .into());
        }
        if claimed.from.party != sealed.from {
            return Err(mismatch(
                "envelope.from.party",
                claimed.from.party.to_string(),
                sealed.from.to_string(),
            ));
        }
        // The sender's card must be current, and the one that spoke when
        // the envelope was written verifies it.
        let keyring = self.keyring();
        let refuse = |no_key: NoKey| match no_key {
            NoKey::Expired { party, until, .. } => PeerRejection::CardExpired { party, at: until },
            _ => PeerRejection::UnknownParty(claimed.from.party.clone()),
        };
        keyring.card_at(&claimed.from.party, now).map_err(refuse)?;
        check_skew(
            "envelope.created_at",
            claimed.created_at,
            now,
            self.config.skew(),
            true,
        )?;
        let sender_card = keyring
            .card_at(&claimed.from.party, claimed.created_at)
            .map_err(refuse)?;
        let signed = unverified.verify(&sender_card.keys().signing)?;
        let envelope = signed.envelope();
        // Signed by the key that spoke then — but one its party revoked.
        if let Some(suspect) = keyring.suspect(sender_card, envelope.created_at) {
            return Err(PeerRejection::CompromisedKey {
                party: suspect.party,
                key_id: suspect.key_id,
                since: suspect.since,
                created_at: envelope.created_at,
            }
            .into());
        }
        // Admitted (channel, agreement in force, citation), and any
        // agreement signature or document step valid, before anything is
        // stored. A repeated delivery of what was accepted before is
        // answered with its receipt, whatever has come into force since.
        let repeat = self
            .store
            .message(&envelope.id)?
            .is_some_and(|m| m.message.envelope_sha256 == signed.hash());
        if !repeat {
            let with = &envelope.from.party;
            let store = self.store.as_ref();
            let agreement = self.judging_agreement_blocking(store, envelope, with)?;
            self.admit_blocking(store, envelope, with, agreement.as_ref())?
                .map_err(PeerRejection::Refused)?;
        }
        let agreement_signature = self.check_received_signature(
            &envelope.from.party,
            envelope.created_at,
            &envelope.body,
        )?;
        // A repeated delivery of an accepted step is answered with its
        // receipt: its record is held already.
        let document = if repeat {
            None
        } else {
            match self.check_received_guarantee(&signed)? {
                Some(record) => Some(record),
                None => self.check_received_pledge(&signed)?,
            }
        };
        let receipt = Receipt {
            message_id: envelope.id,
            envelope_sha256: hash_to_base64(&signed.hash()),
            from: envelope.from.party.clone(),
            to: self.config.party.clone(),
            received_at: now,
            // The sequencer fills in the leaf index and checkpoint, and signs.
            log: None,
        };
        let envelope_sha256 = receipt.envelope_sha256.clone();
        let row = new_message(&signed, Direction::Received, now);
        // What the message carries is stored and logged in its own batch,
        // so no crash can keep the message and lose the record.
        let mut carried = Vec::new();
        if let Some(signed) = &agreement_signature {
            let (record, entry) = self.signature_records(signed);
            carried.push(Carried {
                record: CarriedRecord::AgreementSignature(record),
                entry,
            });
        }
        if let Some(record) = document {
            let entry = self.document_leaf(&record);
            carried.push(Carried {
                record: CarriedRecord::Document(record),
                entry,
            });
        }
        let accepted = self.log.log_received_blocking(row, receipt, carried)?;
        if let Some(signed) = &agreement_signature {
            if accepted.fresh {
                self.in_force.forget();
            } else {
                // Stores nothing if the first delivery stored it; heals a
                // database written before signatures went in the batch.
                self.record_received_signature(signed)?;
            }
        }
        if accepted.fresh {
            self.meet_deadlines_blocking(
                &detente_proto::agreement::responsiveness::Fact::of(envelope, Some(now)),
                now,
            );
            tracing::info!(id = %envelope.id, kind = %envelope.kind(), from = %envelope.from.party, "received");
            self.emit(EventKind::Received {
                id: envelope.id,
                kind: envelope.kind(),
                from: envelope.from.party.clone(),
                envelope_sha256,
            });
        } else {
            tracing::info!(id = %envelope.id, "duplicate delivery; returning the original receipt");
        }
        Ok(accepted.receipt)
    }
}

impl Node {
    /// Opens a sealed envelope with our current encryption key or, for the
    /// overlap after a rotation, a key it replaced; the current key's
    /// error if none opens it.
    fn open_sealed(&self, sealed: &SealedEnvelope, now: Timestamp) -> NodeResult<Vec<u8>> {
        let current = sealed.open(&self.keys.encryption);
        if current.is_err() {
            for retired in self.keys.in_overlap(now, self.config.keys.overlap) {
                if let Ok(plaintext) = sealed.open(&retired.encryption) {
                    return Ok(plaintext);
                }
            }
        }
        Ok(current?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    #[test]
    fn skew_in_both_directions() {
        let now = ts("2026-11-28T10:00:00.000Z");
        let skew = TimeDelta::minutes(5);
        assert!(check_skew("f", ts("2026-11-28T10:04:59.999Z"), now, skew, false).is_ok());
        assert!(check_skew("f", ts("2026-11-28T09:55:00.000Z"), now, skew, false).is_ok());
        let err = check_skew("f", ts("2026-11-28T13:00:00.000Z"), now, skew, false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "f 2026-11-28T13:00:00.000Z is 3h 0m in the future from this node's clock 2026-11-28T10:00:00.000Z; the allowed skew is 5m 0s"
        );
        let err = check_skew("f", ts("2026-11-28T09:00:00.000Z"), now, skew, false).unwrap_err();
        assert!(err.to_string().contains("1h 0m in the past"), "{err}");
    }

    #[test]
    fn past_is_fine_when_allowed() {
        let now = ts("2026-11-28T10:00:00.000Z");
        let skew = TimeDelta::minutes(5);
        assert!(check_skew("f", ts("2026-11-01T00:00:00.000Z"), now, skew, true).is_ok());
        assert!(check_skew("f", ts("2026-11-28T10:06:00.000Z"), now, skew, true).is_err());
    }
}
