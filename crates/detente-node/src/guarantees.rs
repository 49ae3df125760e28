//! Guarantees (docs/protocol.md, "Guarantees"): a party's signed guarantee to another — one-way,
//! or reciprocal and then binding nobody before both signed the same bytes
//! — proposed, countersigned and withdrawn by signed messages, each step
//! stored as a document record and logged as a document leaf
//! `guarantee/<id>/<role>/<party>`. Its status at any time is computed from
//! those records alone ([`detente_proto::guarantee::status_at`]), the time
//! of each step being the signed `created_at` of the message that carried it.
//!
//! Kinds: `guarantee-propose` and `guarantee-sign` carry the signer's
//! signed guarantee (exact bytes); `guarantee-withdraw` names the guarantee
//! and the SHA-256 of its document. On receipt each is checked before
//! anything is stored: the signature is the sender's and the sender signs
//! it; the bytes are those already held; a withdrawal comes from a party
//! the guarantee binds (never from the beneficiary of a one-way one).

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use detente_proto::body::Body;
use detente_proto::envelope::{Envelope, SignedEnvelope};
use detente_proto::guarantee::{
    Guarantee, GuaranteeError, GuaranteeEvent, GuaranteeSignatures, GuaranteeSpec, GuaranteeStatus,
    SignedGuarantee, check_withdrawal, status_at,
};
use detente_proto::ids::{MessageId, PartyCode, Tier};
use detente_proto::keyring::Keyring;
use detente_proto::kind::{MessageKind, Precedence, Tlp};
use detente_proto::log_entry::{EntryDirection, LogEntry};
use detente_proto::time::Timestamp;
use detente_store::{DocumentKind, DocumentRecord, RecordRole, Store, StoredMessage};
use sha2::{Digest, Sha256};

use crate::compose::{Address, ComposeRequest};
use crate::error::{
    Bug, Conflict, DocumentError, Mistake, NodeError, NodeResult, PeerRejection, StepRefusal,
};
use crate::node::Node;
use crate::officers::Officer;

/// A guarantee as this node knows it: every signature verified again, and
/// the signed steps of its history.
#[derive(Debug, Clone)]
pub struct GuaranteeState {
    /// The signatures over the proposed bytes, proposal first.
    pub signatures: GuaranteeSignatures,
    /// Signed and withdrawn, with the signed times of their messages.
    pub events: Vec<GuaranteeEvent>,
    /// The stored records, oldest first.
    pub records: Vec<DocumentRecord>,
}

impl GuaranteeState {
    /// The guarantee.
    pub fn guarantee(&self) -> &Guarantee {
        self.signatures.document()
    }

    /// Its status at `t`.
    pub fn status_at(&self, t: Timestamp) -> GuaranteeStatus {
        status_at(self.guarantee(), &self.events, t)
    }

    /// SHA-256 of the guarantee's canonical bytes.
    pub fn document_sha256(&self) -> [u8; 32] {
        self.signatures.proposal().document_sha256()
    }
}

/// The state of guarantee `id` from the store; `None` if nothing is stored.
pub fn guarantee_state(
    store: &dyn Store,
    keys: &Keyring,
    id: &str,
) -> NodeResult<Option<GuaranteeState>> {
    if !detente_proto::ids::is_document_id(id) {
        return Ok(None);
    }
    let records = store.document_records(DocumentKind::Guarantee, id)?;
    let mut signatures: Option<GuaranteeSignatures> = None;
    let mut events = Vec::new();
    for record in &records {
        match record.role {
            RecordRole::Sign | RecordRole::Publish => {
                let key = &keys.card_at(&record.party, record.at)?.keys().signing;
                let signed = SignedGuarantee::verify(&record.signed, &record.party, key)
                    .map_err(NodeError::unreadable("guarantee signature", id))?;
                match &mut signatures {
                    None => signatures = Some(GuaranteeSignatures::proposed(signed)),
                    Some(s) => s
                        .add(signed)
                        .map_err(NodeError::unreadable("guarantee signature", id))?,
                }
                events.push(GuaranteeEvent::Signed {
                    by: record.party.clone(),
                    at: record.at,
                });
            }
            RecordRole::Withdraw => events.push(GuaranteeEvent::Withdrawn {
                by: record.party.clone(),
                at: record.at,
            }),
        }
    }
    Ok(signatures.map(|signatures| GuaranteeState {
        signatures,
        events,
        records,
    }))
}

/// The other party of a guarantee, seen from `me`.
fn other_party(guarantee: &Guarantee, me: &PartyCode) -> PartyCode {
    if &guarantee.issuer == me {
        guarantee.beneficiary.clone()
    } else {
        guarantee.issuer.clone()
    }
}

fn not_found(id: &str) -> NodeError {
    NodeError::NotFound {
        what: "guarantee",
        id: id.to_owned(),
    }
}

fn utf8(bytes: &[u8], what: &'static str) -> NodeResult<String> {
    String::from_utf8(bytes.to_vec()).map_err(Bug::construction(what))
}

impl Node {
    /// Every guarantee this node knows, by id.
    pub async fn guarantees(&self) -> NodeResult<Vec<GuaranteeState>> {
        let keys = self.keyring();
        self.with_store(move |s| {
            let mut all = Vec::new();
            for id in s.document_ids(DocumentKind::Guarantee)? {
                if let Some(state) = guarantee_state(s, &keys, &id)? {
                    all.push(state);
                }
            }
            Ok(all)
        })
        .await
    }

    /// One guarantee.
    pub async fn guarantee(&self, id: &str) -> NodeResult<GuaranteeState> {
        let keys = self.keyring();
        let shown = id.to_owned();
        let id = id.to_owned();
        self.with_store(move |s| guarantee_state(s, &keys, &id))
            .await?
            .ok_or_else(|| not_found(&shown))
    }

    /// Proposes the guarantee written in `toml` (this party its issuer) to
    /// its beneficiary: signs it, sends it, and records and logs the step.
    pub async fn propose_guarantee(
        self: &Arc<Self>,
        officer: &Officer,
        toml: &str,
        from_tier: Tier,
    ) -> NodeResult<(GuaranteeState, StoredMessage)> {
        officer.require(from_tier, "propose guarantees for that tier")?;
        let guarantee = GuaranteeSpec::parse(toml)
            .and_then(GuaranteeSpec::validate)
            .map_err(DocumentError::from)?;
        if &guarantee.issuer != self.party() {
            return Err(Mistake::NotTheIssuer {
                guarantee: guarantee.id.to_string(),
                issuer: guarantee.issuer.clone(),
                party: self.party().clone(),
            }
            .into());
        }
        if self.peers.get(&guarantee.beneficiary).is_none() {
            return Err(NodeError::UnknownParty(guarantee.beneficiary.clone()));
        }
        let signed = guarantee
            .sign(self.party(), &self.keys.signing)
            .map_err(DocumentError::from)?;
        self.check_new_signature(&signed).await?;
        self.refuse_repeated_step(
            DocumentKind::Guarantee,
            guarantee.id.as_str(),
            RecordRole::Sign,
        )
        .await?;
        let body = serde_json::json!({"signed": utf8(signed.bytes(), "a signed guarantee")?});
        let message = self
            .send_document_message(
                officer,
                MessageKind::GuaranteePropose,
                body,
                (guarantee.beneficiary.clone(), None),
                from_tier,
            )
            .await?;
        self.record_guarantee_step(
            guarantee.id.as_str(),
            RecordRole::Sign,
            &signed_record(&signed),
            &message,
        )
        .await?;
        Ok((self.guarantee(guarantee.id.as_str()).await?, message))
    }

    /// Countersigns the proposed guarantee `id` and sends the signature to
    /// the other party.
    pub async fn sign_guarantee(
        self: &Arc<Self>,
        officer: &Officer,
        id: &str,
        from_tier: Tier,
    ) -> NodeResult<(GuaranteeState, StoredMessage)> {
        officer.require(from_tier, "sign guarantees for that tier")?;
        let state = self.guarantee(id).await?;
        let guarantee = state.guarantee().clone();
        if state.signatures.signed_by().any(|p| p == self.party()) {
            return Err(Mistake::AlreadySigned {
                document: format!("guarantee {id}"),
                party: self.party().clone(),
            }
            .into());
        }
        let now = self.now();
        if !matches!(state.status_at(now), GuaranteeStatus::Proposed { .. }) {
            return Err(Mistake::NotOpenForSignature {
                guarantee: id.to_owned(),
                status: state.status_at(now),
            }
            .into());
        }
        let signed = guarantee
            .sign(self.party(), &self.keys.signing)
            .map_err(DocumentError::from)?;
        let body = serde_json::json!({"signed": utf8(signed.bytes(), "a signed guarantee")?});
        let to = other_party(&guarantee, self.party());
        // A countersignature answers the proposal.
        let proposal = state
            .records
            .iter()
            .find(|r| r.role == RecordRole::Sign && r.party == guarantee.issuer)
            .and_then(|r| r.message_id);
        let message = self
            .send_document_message(
                officer,
                MessageKind::GuaranteeSign,
                body,
                (to, proposal),
                from_tier,
            )
            .await?;
        self.record_guarantee_step(id, RecordRole::Sign, &signed_record(&signed), &message)
            .await?;
        Ok((self.guarantee(id).await?, message))
    }

    /// Notifies withdrawal from guarantee `id`: it still binds for its
    /// notice period, then lapses.
    pub async fn withdraw_guarantee(
        self: &Arc<Self>,
        officer: &Officer,
        id: &str,
        reason: String,
        from_tier: Tier,
    ) -> NodeResult<(GuaranteeState, StoredMessage)> {
        officer.require(from_tier, "withdraw guarantees for that tier")?;
        let state = self.guarantee(id).await?;
        let guarantee = state.guarantee().clone();
        check_withdrawal(&guarantee, self.party()).map_err(DocumentError::from)?;
        if state
            .events
            .iter()
            .any(|e| matches!(e, GuaranteeEvent::Withdrawn { by, .. } if by == self.party()))
        {
            return Err(Mistake::AlreadyWithdrawn {
                guarantee: id.to_owned(),
                party: self.party().clone(),
            }
            .into());
        }
        let body = serde_json::json!({
            "guarantee": id,
            "document_sha256": BASE64.encode(state.document_sha256()),
            "reason": reason,
        });
        let to = other_party(&guarantee, self.party());
        let message = self
            .send_document_message(
                officer,
                MessageKind::GuaranteeWithdraw,
                body,
                (to, None),
                from_tier,
            )
            .await?;
        let step = (state.document_sha256(), message.message.envelope.clone());
        self.record_guarantee_step(id, RecordRole::Withdraw, &step, &message)
            .await?;
        Ok((self.guarantee(id).await?, message))
    }

    /// Refuses a signature over other bytes than those already held.
    async fn check_new_signature(&self, signed: &SignedGuarantee) -> NodeResult<()> {
        let id = signed.document().id.to_string();
        let keys = self.keyring();
        let held = self
            .with_store(move |s| guarantee_state(s, &keys, &id))
            .await?;
        if let Some(held) = held
            && held.document_sha256() != signed.document_sha256()
        {
            return Err(Conflict::GuaranteeText {
                guarantee: signed.document().id.to_string(),
                held: BASE64.encode(held.document_sha256()),
            }
            .into());
        }
        Ok(())
    }

    /// Composes a guarantee or pledge message: priority, TLP:GREEN, tier to tier.
    pub(crate) async fn send_document_message(
        self: &std::sync::Arc<Self>,
        officer: &Officer,
        kind: MessageKind,
        body: serde_json::Value,
        (to, in_reply_to): (PartyCode, Option<MessageId>),
        from_tier: Tier,
    ) -> NodeResult<StoredMessage> {
        let request = ComposeRequest {
            to: Address {
                party: to,
                tier: from_tier,
            },
            from_tier,
            kind: kind.as_str().to_owned(),
            precedence: Precedence::Priority,
            in_reply_to,
            exercise: false,
            tlp: Tlp::Green,
            body,
        };
        self.compose(officer, request).await
    }

    /// Stores one step of our own and logs it.
    async fn record_guarantee_step(
        &self,
        id: &str,
        role: RecordRole,
        (document_sha256, signed): &([u8; 32], Vec<u8>),
        message: &StoredMessage,
    ) -> NodeResult<()> {
        let record = DocumentRecord {
            kind: DocumentKind::Guarantee,
            document_id: id.to_owned(),
            role,
            party: self.party().clone(),
            document_sha256: *document_sha256,
            signed: signed.clone(),
            message_id: Some(message.message.id),
            at: message.message.created_at,
            recorded_at: self.now(),
        };
        self.store_document_record(record).await
    }

    /// Stores one step and logs it as a document leaf.
    pub(crate) async fn store_document_record(&self, record: DocumentRecord) -> NodeResult<()> {
        let entry = self.document_leaf(&record);
        self.with_store(move |s| Ok(s.put_document_record(&record)?))
            .await?;
        self.log.log_document_once(entry).await?;
        Ok(())
    }

    /// The document leaf of a record: `guarantee/<id>/<role>/<party>` or
    /// `pledge/<HOST>/<id>/<role>/<party>`, with the SHA-256 of its bytes.
    pub(crate) fn document_leaf(&self, record: &DocumentRecord) -> LogEntry {
        LogEntry {
            direction: EntryDirection::Document,
            id: format!(
                "{}/{}/{}/{}",
                record.kind.as_str(),
                record.document_id,
                record.role.as_str(),
                record.party
            ),
            counterparty: record.party.clone(),
            sha256: Sha256::digest(&record.signed).into(),
            time: record.at,
            peer_size: None,
        }
    }

    /// On receipt, before anything is stored: what a guarantee message
    /// says must hold. Returns the record to keep once it is accepted.
    pub(crate) fn check_received_guarantee(
        &self,
        signed: &SignedEnvelope,
    ) -> NodeResult<Option<DocumentRecord>> {
        let envelope = signed.envelope();
        let invalid = |e: GuaranteeError| NodeError::from(StepRefusal::Invalid(e.into()));
        let sender = &envelope.from.party;
        let keys = self.keyring();
        let record = |id: &str, role, document_sha256, bytes: Vec<u8>| DocumentRecord {
            kind: DocumentKind::Guarantee,
            document_id: id.to_owned(),
            role,
            party: sender.clone(),
            document_sha256,
            signed: bytes,
            message_id: Some(envelope.id),
            at: envelope.created_at,
            recorded_at: self.now(),
        };
        match &envelope.body {
            Body::GuaranteePropose(b) | Body::GuaranteeSign(b) => {
                let key = keys
                    .signing_key(sender, envelope.created_at)
                    .ok_or_else(|| PeerRejection::UnknownParty(sender.clone()))?;
                let guarantee_signed =
                    SignedGuarantee::verify(b.signed.as_bytes(), sender, key).map_err(invalid)?;
                let guarantee = guarantee_signed.document();
                if &guarantee.issuer != self.party() && &guarantee.beneficiary != self.party() {
                    return Err(NodeError::from(StepRefusal::GuaranteeNotOurs {
                        guarantee: guarantee.id.to_string(),
                        issuer: guarantee.issuer.clone(),
                        beneficiary: guarantee.beneficiary.clone(),
                        us: self.party().clone(),
                    }));
                }
                if let Some(mut held) =
                    guarantee_state(self.store.as_ref(), &keys, guarantee.id.as_str())?
                {
                    held.signatures
                        .add(guarantee_signed.clone())
                        .map_err(invalid)?;
                }
                let step = record(
                    guarantee.id.as_str(),
                    RecordRole::Sign,
                    guarantee_signed.document_sha256(),
                    guarantee_signed.bytes().to_vec(),
                );
                Ok((!self.check_step(&step, envelope)?).then_some(step))
            }
            Body::GuaranteeWithdraw(b) => {
                let held = guarantee_state(self.store.as_ref(), &keys, &b.guarantee)?.ok_or_else(
                    || {
                        NodeError::from(StepRefusal::UnknownGuarantee {
                            guarantee: b.guarantee.clone(),
                        })
                    },
                )?;
                check_withdrawal(held.guarantee(), sender).map_err(invalid)?;
                let sha = BASE64.encode(held.document_sha256());
                if b.document_sha256 != sha {
                    return Err(NodeError::from(StepRefusal::OtherHash {
                        guarantee: b.guarantee.clone(),
                        named: b.document_sha256.clone(),
                        held: sha,
                    }));
                }
                let step = record(
                    &b.guarantee,
                    RecordRole::Withdraw,
                    held.document_sha256(),
                    signed.bytes().to_vec(),
                );
                Ok((!self.check_step(&step, envelope)?).then_some(step))
            }
            _ => Ok(None),
        }
    }

    /// Before a received step is stored. Refused: exercise traffic (a
    /// commitment is never a drill); a second step of the same role by the
    /// same party under another message (a party signs, and withdraws, a
    /// document once); a step dated before the latest step held (history
    /// only moves forward, so nobody rewrites what was in force when).
    /// `Ok(true)`: this very step is held already, nothing to record.
    /// For blocking threads.
    pub(crate) fn check_step(
        &self,
        record: &DocumentRecord,
        envelope: &Envelope,
    ) -> NodeResult<bool> {
        let document = || format!("{} {}", record.kind.as_str(), record.document_id);
        if envelope.exercise {
            return Err(NodeError::from(StepRefusal::Exercise {
                document: document(),
            }));
        }
        let held = self
            .store
            .document_records(record.kind, &record.document_id)?;
        if let Some(same) = held
            .iter()
            .find(|r| r.role == record.role && r.party == record.party)
        {
            if same.message_id == record.message_id {
                return Ok(true);
            }
            return Err(NodeError::from(StepRefusal::StepTaken {
                document: document(),
                party: record.party.clone(),
                role: record.role,
                message: same.message_id,
            }));
        }
        if let Some(latest) = held.iter().map(|r| r.at).max()
            && record.at < latest
        {
            return Err(NodeError::from(StepRefusal::OutOfOrder {
                document: document(),
                at: record.at,
                latest,
            }));
        }
        Ok(false)
    }

    /// Refuses an own step this party has already taken (before anything
    /// is sent).
    pub(crate) async fn refuse_repeated_step(
        &self,
        kind: DocumentKind,
        id: &str,
        role: RecordRole,
    ) -> NodeResult<()> {
        let document_id = id.to_owned();
        let me = self.party().clone();
        let held = self
            .with_store(move |s| Ok(s.document_records(kind, &document_id)?))
            .await?;
        if held.iter().any(|r| r.role == role && r.party == me) {
            return Err(Conflict::StepTaken {
                kind,
                id: id.to_owned(),
                party: me,
                role,
            }
            .into());
        }
        Ok(())
    }
}

/// The (document hash, exact bytes) of a signature.
fn signed_record(signed: &SignedGuarantee) -> ([u8; 32], Vec<u8>) {
    (signed.document_sha256(), signed.bytes().to_vec())
}

/// Which of its signers had signed by `at`, for views.
pub fn signers(state: &GuaranteeState, at: Timestamp) -> std::collections::BTreeMap<String, bool> {
    let signed: Vec<&PartyCode> = state
        .events
        .iter()
        .filter_map(|e| match e {
            GuaranteeEvent::Signed { by, at: when } if *when <= at => Some(by),
            _ => None,
        })
        .collect();
    state
        .guarantee()
        .signers()
        .into_iter()
        .map(|p| (p.to_string(), signed.contains(&&p)))
        .collect()
}
