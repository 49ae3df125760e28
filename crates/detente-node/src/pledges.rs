//! Pledges (docs/protocol.md, "Pledges"): a multilateral commitment published, signed, by its
//! host (say the `UN` node), open for signature in a window. Any party
//! signs it through the peer API: its node fetches the pledge from the host
//! (`GET /peer/v1/pledges/{id}`), signs the same bytes and sends them in a
//! `pledge-sign` message to the host, which checks the signature and the
//! window before storing anything, records it and logs it as the document
//! leaf `pledge/<HOST>/<id>/sign/<party>`. A `pledge-withdraw` takes a
//! signatory off the list, likewise. The host's registry lists the
//! signatories with what proves them: each signer's signed pledge and the
//! signed envelope that carried it (its `created_at` is when it was signed),
//! so another node that reads the registry checks every entry itself.

use std::sync::Arc;

use detente_proto::body::Body;
use detente_proto::envelope::{Envelope, SignedEnvelope, UnverifiedEnvelope};
use detente_proto::ids::{PartyCode, Tier};
use detente_proto::keyring::Keyring;
use detente_proto::kind::MessageKind;
use detente_proto::pledge::{
    Pledge, PledgeError, PledgeEvent, PledgeRef, PledgeSpec, SignedPledge, check_signature_time,
    check_withdrawal, signatories_at,
};
use detente_proto::time::Timestamp;
use detente_store::{DocumentKind, DocumentRecord, RecordRole, Store, StoredMessage};
use serde::{Deserialize, Serialize};

use crate::error::{
    Bug, Conflict, DocumentError, Mistake, NodeError, NodeResult, PeerRejection, RegistryProblem,
    RegistryRecordProblem, StepRefusal,
};
use crate::node::Node;
use crate::officers::Officer;

/// The largest registry a node reads from a host.
pub const MAX_REGISTRY_BYTES: usize = 16 * 1024 * 1024;

/// A pledge as this node knows it.
#[derive(Debug, Clone)]
pub struct PledgeState {
    /// The host's signed pledge.
    pub published: SignedPledge,
    /// Signed and withdrawn, with the signed times of their messages.
    pub events: Vec<PledgeEvent>,
    /// The stored records, oldest first.
    pub records: Vec<DocumentRecord>,
}

impl PledgeState {
    /// The pledge.
    pub fn pledge(&self) -> &Pledge {
        self.published.document()
    }

    /// Who had signed and not withdrawn at `t`, with when they signed.
    pub fn signatories_at(&self, t: Timestamp) -> Vec<(PartyCode, Timestamp)> {
        signatories_at(self.pledge(), &self.events, t)
    }
}

/// The registry a host serves: its signed pledge and every signed step.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registry {
    /// The host's signed pledge, exact bytes.
    pub pledge: String,
    /// Every signature and withdrawal, oldest first.
    pub records: Vec<RegistryRecord>,
}

/// One step in a registry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryRecord {
    /// `sign` or `withdraw`.
    pub role: String,
    /// Who.
    pub party: PartyCode,
    /// The signed envelope that carried it, exact bytes.
    pub envelope: String,
}

fn not_found(reference: &PledgeRef) -> NodeError {
    NodeError::NotFound {
        what: "pledge",
        id: reference.to_string(),
    }
}

/// The state of pledge `reference` from the store; `None` without its
/// published text.
pub fn pledge_state(
    store: &dyn Store,
    keys: &Keyring,
    reference: &PledgeRef,
) -> NodeResult<Option<PledgeState>> {
    let records = store.document_records(DocumentKind::Pledge, &reference.to_string())?;
    let Some(publish) = records.iter().find(|r| r.role == RecordRole::Publish) else {
        return Ok(None);
    };
    let host_key = &keys.card_at(&reference.host, publish.at)?.keys().signing;
    let published = SignedPledge::verify(&publish.signed, &reference.host, host_key)
        .map_err(NodeError::unreadable("pledge", reference))?;
    let events = records
        .iter()
        .filter_map(|r| match r.role {
            RecordRole::Sign => Some(PledgeEvent::Signed {
                by: r.party.clone(),
                at: r.at,
            }),
            RecordRole::Withdraw => Some(PledgeEvent::Withdrawn {
                by: r.party.clone(),
                at: r.at,
            }),
            RecordRole::Publish => None,
        })
        .collect();
    Ok(Some(PledgeState {
        published,
        events,
        records,
    }))
}

impl Node {
    /// Every pledge this node knows.
    pub async fn pledges(&self) -> NodeResult<Vec<PledgeState>> {
        let keys = self.keyring();
        self.with_store(move |s| {
            let mut all = Vec::new();
            for id in s.document_ids(DocumentKind::Pledge)? {
                let Ok(reference) = id.parse::<PledgeRef>() else {
                    continue;
                };
                if let Some(state) = pledge_state(s, &keys, &reference)? {
                    all.push(state);
                }
            }
            Ok(all)
        })
        .await
    }

    /// One pledge; from a peer host, its registry is read again first when
    /// the host can be reached.
    pub async fn pledge(&self, reference: &PledgeRef) -> NodeResult<PledgeState> {
        if &reference.host != self.party()
            && let Err(error) = self.sync_pledge(reference).await
        {
            tracing::warn!(pledge = %reference, %error, "cannot read the host's registry; showing what is held here");
        }
        self.held_pledge(reference).await
    }

    async fn held_pledge(&self, reference: &PledgeRef) -> NodeResult<PledgeState> {
        let keys = self.keyring();
        let looked_up = reference.clone();
        self.with_store(move |s| pledge_state(s, &keys, &looked_up))
            .await?
            .ok_or_else(|| not_found(reference))
    }

    /// As host: publishes the pledge written in `toml`, signed.
    pub async fn create_pledge(
        self: &Arc<Self>,
        officer: &Officer,
        toml: &str,
        from_tier: Tier,
    ) -> NodeResult<PledgeState> {
        officer.require(from_tier, "publish pledges for that tier")?;
        let pledge = PledgeSpec::parse(toml)
            .and_then(PledgeSpec::validate)
            .map_err(DocumentError::from)?;
        if &pledge.host != self.party() {
            return Err(Mistake::NotTheHost {
                pledge: pledge.id.to_string(),
                host: pledge.host.clone(),
                party: self.party().clone(),
            }
            .into());
        }
        let signed = pledge
            .sign(self.party(), &self.keys.signing)
            .map_err(DocumentError::from)?;
        let reference = pledge.reference();
        let record = DocumentRecord {
            kind: DocumentKind::Pledge,
            document_id: reference.to_string(),
            role: RecordRole::Publish,
            party: self.party().clone(),
            document_sha256: signed.document_sha256(),
            signed: signed.bytes().to_vec(),
            message_id: None,
            at: self.now(),
            recorded_at: self.now(),
        };
        self.store_document_record(record)
            .await
            .map_err(|e| match e {
                NodeError::Store(detente_store::StoreError::DocumentConflict(_)) => {
                    Conflict::PledgeText {
                        reference: reference.clone(),
                    }
                    .into()
                }
                other => other,
            })?;
        self.held_pledge(&reference).await
    }

    /// Signs pledge `reference` at its host: reads it there, checks its
    /// window, signs the same bytes and sends them.
    pub async fn sign_pledge(
        self: &Arc<Self>,
        officer: &Officer,
        reference: &PledgeRef,
        from_tier: Tier,
    ) -> NodeResult<(PledgeState, StoredMessage)> {
        officer.require(from_tier, "sign pledges for that tier")?;
        if &reference.host == self.party() {
            return Err(Mistake::HostSigns {
                reference: reference.clone(),
                host: self.party().clone(),
            }
            .into());
        }
        self.sync_pledge(reference).await?;
        let state = self.held_pledge(reference).await?;
        let pledge = state.pledge().clone();
        check_signature_time(&pledge, self.now()).map_err(DocumentError::from)?;
        if state
            .signatories_at(self.now())
            .iter()
            .any(|(p, _)| p == self.party())
        {
            return Err(Mistake::AlreadySigned {
                document: format!("pledge {reference}"),
                party: self.party().clone(),
            }
            .into());
        }
        self.refuse_repeated_step(
            DocumentKind::Pledge,
            &reference.to_string(),
            RecordRole::Sign,
        )
        .await?;
        let signed = pledge
            .sign(self.party(), &self.keys.signing)
            .map_err(DocumentError::from)?;
        let body = serde_json::json!({
            "pledge": reference.to_string(),
            "signed": String::from_utf8(signed.bytes().to_vec())
                .map_err(Bug::construction("pledge signature text"))?,
        });
        let message = self
            .send_document_message(
                officer,
                MessageKind::PledgeSign,
                body,
                (reference.host.clone(), None),
                from_tier,
            )
            .await?;
        self.store_document_record(DocumentRecord {
            kind: DocumentKind::Pledge,
            document_id: reference.to_string(),
            role: RecordRole::Sign,
            party: self.party().clone(),
            document_sha256: signed.document_sha256(),
            signed: signed.bytes().to_vec(),
            message_id: Some(message.message.id),
            at: message.message.created_at,
            recorded_at: self.now(),
        })
        .await?;
        Ok((self.held_pledge(reference).await?, message))
    }

    /// Withdraws this party's signature from pledge `reference`.
    pub async fn withdraw_pledge(
        self: &Arc<Self>,
        officer: &Officer,
        reference: &PledgeRef,
        reason: String,
        from_tier: Tier,
    ) -> NodeResult<(PledgeState, StoredMessage)> {
        officer.require(from_tier, "withdraw from pledges for that tier")?;
        let state = self.held_pledge(reference).await?;
        check_withdrawal(state.pledge(), &state.events, self.party(), self.now())
            .map_err(DocumentError::from)?;
        self.refuse_repeated_step(
            DocumentKind::Pledge,
            &reference.to_string(),
            RecordRole::Withdraw,
        )
        .await?;
        let body = serde_json::json!({"pledge": reference.to_string(), "reason": reason});
        let message = self
            .send_document_message(
                officer,
                MessageKind::PledgeWithdraw,
                body,
                (reference.host.clone(), None),
                from_tier,
            )
            .await?;
        self.store_document_record(DocumentRecord {
            kind: DocumentKind::Pledge,
            document_id: reference.to_string(),
            role: RecordRole::Withdraw,
            party: self.party().clone(),
            document_sha256: state.published.document_sha256(),
            signed: message.message.envelope.clone(),
            message_id: Some(message.message.id),
            at: message.message.created_at,
            recorded_at: self.now(),
        })
        .await?;
        Ok((self.held_pledge(reference).await?, message))
    }

    /// As host: the registry of pledge `id` (`GET /peer/v1/pledges/{id}`).
    pub async fn registry(&self, id: &str) -> NodeResult<Registry> {
        let reference = PledgeRef {
            host: self.party().clone(),
            id: id.parse().map_err(|_| NodeError::NotFound {
                what: "pledge",
                id: format!("{}/{id}", self.party()),
            })?,
        };
        let state = self.held_pledge(&reference).await?;
        let text = |bytes: &[u8]| {
            String::from_utf8(bytes.to_vec())
                .map_err(NodeError::unreadable("record of pledge", &reference))
        };
        let mut records = Vec::new();
        for record in &state.records {
            let Some(id) = record.message_id else {
                continue;
            };
            let role = match record.role {
                RecordRole::Sign => "sign",
                RecordRole::Withdraw => "withdraw",
                RecordRole::Publish => continue,
            };
            let Some(message) = self.with_store(move |s| Ok(s.message(&id)?)).await? else {
                continue;
            };
            records.push(RegistryRecord {
                role: role.to_owned(),
                party: record.party.clone(),
                envelope: text(&message.message.envelope)?,
            });
        }
        Ok(Registry {
            pledge: text(state.published.bytes())?,
            records,
        })
    }

    /// Reads pledge `reference`'s registry from its host and keeps every
    /// entry that proves itself: the host's signature on the pledge, and for
    /// each step the party's signed envelope (and signed pledge).
    pub async fn sync_pledge(&self, reference: &PledgeRef) -> NodeResult<usize> {
        let host = self
            .peers
            .get(&reference.host)
            .ok_or_else(|| NodeError::UnknownParty(reference.host.clone()))?;
        let bytes = self
            .fetch_capped(
                &host,
                &format!("/peer/v1/pledges/{}", reference.id),
                MAX_REGISTRY_BYTES,
            )
            .await
            .map_err(|e| Mistake::HostUnreachable {
                reference: reference.clone(),
                problem: e.to_string(),
            })?;
        let registry: Registry =
            serde_json::from_slice(&bytes).map_err(|e| Mistake::HostRegistry {
                reference: reference.clone(),
                problem: Box::new(RegistryProblem::Malformed {
                    cause: e.to_string(),
                }),
            })?;
        let records = self.verify_registry(reference, &registry)?;
        let count = records.len();
        for record in records {
            self.store_document_record(record).await?;
        }
        Ok(count)
    }

    fn verify_registry(
        &self,
        reference: &PledgeRef,
        registry: &Registry,
    ) -> NodeResult<Vec<DocumentRecord>> {
        let keys = self.keyring();
        let bad = |problem: RegistryProblem| {
            NodeError::from(Mistake::HostRegistry {
                reference: reference.clone(),
                problem: Box::new(problem),
            })
        };
        let bad_record = |index: usize| {
            move |problem: RegistryRecordProblem| bad(RegistryProblem::Record { index, problem })
        };
        // The host's card as held now (the registry names no time to ask at).
        let host_key = &keys
            .latest(&reference.host)
            .ok_or_else(|| NodeError::UnknownParty(reference.host.clone()))?
            .keys()
            .signing;
        let published = SignedPledge::verify(registry.pledge.as_bytes(), &reference.host, host_key)
            .map_err(|e| bad(RegistryProblem::Pledge(e)))?;
        if &published.document().reference() != reference {
            return Err(bad(RegistryProblem::OtherPledge {
                served: published.document().reference(),
            }));
        }
        let now = self.now();
        let record =
            |role, party: &PartyCode, signed: Vec<u8>, envelope: &Envelope| DocumentRecord {
                kind: DocumentKind::Pledge,
                document_id: reference.to_string(),
                role,
                party: party.clone(),
                document_sha256: published.document_sha256(),
                signed,
                message_id: Some(envelope.id),
                at: envelope.created_at,
                recorded_at: now,
            };
        let mut records = vec![DocumentRecord {
            kind: DocumentKind::Pledge,
            document_id: reference.to_string(),
            role: RecordRole::Publish,
            party: reference.host.clone(),
            document_sha256: published.document_sha256(),
            signed: published.bytes().to_vec(),
            message_id: None,
            at: now,
            recorded_at: now,
        }];
        for (i, entry) in registry.records.iter().enumerate() {
            let unverified =
                UnverifiedEnvelope::parse(entry.envelope.as_bytes(), &self.config.limits)
                    .map_err(|e| bad_record(i)(RegistryRecordProblem::Envelope(e)))?;
            // An entry by a party no card held here speaks for (when it
            // was written) cannot be checked here: left out.
            let Some(key) = keys.signing_key(&entry.party, unverified.claimed().created_at) else {
                continue;
            };
            let signed = unverified
                .verify(key)
                .map_err(|e| bad_record(i)(RegistryRecordProblem::Envelope(e)))?;
            let envelope = signed.envelope();
            if envelope.from.party != entry.party || envelope.to.party != reference.host {
                return Err(bad_record(i)(RegistryRecordProblem::Route {
                    from: envelope.from.party.clone(),
                    to: envelope.to.party.clone(),
                }));
            }
            match (&envelope.body, entry.role.as_str()) {
                (Body::PledgeSign(b), "sign") if &b.pledge == reference => {
                    let pledge_signed =
                        SignedPledge::verify(b.signed.as_bytes(), &entry.party, key)
                            .map_err(|e| bad_record(i)(RegistryRecordProblem::Pledge(e)))?;
                    if pledge_signed.document_sha256() != published.document_sha256() {
                        return Err(bad_record(i)(RegistryRecordProblem::OtherText));
                    }
                    records.push(record(
                        RecordRole::Sign,
                        &entry.party,
                        pledge_signed.bytes().to_vec(),
                        envelope,
                    ));
                }
                (Body::PledgeWithdraw(b), "withdraw") if &b.pledge == reference => {
                    records.push(record(
                        RecordRole::Withdraw,
                        &entry.party,
                        signed.bytes().to_vec(),
                        envelope,
                    ));
                }
                _ => {
                    return Err(bad_record(i)(RegistryRecordProblem::NotTheStep {
                        kind: envelope.kind(),
                        role: entry.role.clone(),
                    }));
                }
            }
        }
        Ok(records)
    }

    /// As host, on receipt, before anything is stored: a pledge message
    /// must hold. Returns the record to keep once it is accepted.
    pub(crate) fn check_received_pledge(
        &self,
        signed: &SignedEnvelope,
    ) -> NodeResult<Option<DocumentRecord>> {
        let envelope = signed.envelope();
        let invalid = |e: PledgeError| NodeError::from(StepRefusal::Invalid(e.into()));
        let (reference, role) = match &envelope.body {
            Body::PledgeSign(b) => (&b.pledge, RecordRole::Sign),
            Body::PledgeWithdraw(b) => (&b.pledge, RecordRole::Withdraw),
            _ => return Ok(None),
        };
        if &reference.host != self.party() {
            return Err(NodeError::from(StepRefusal::NotTheHost {
                reference: reference.clone(),
                us: self.party().clone(),
            }));
        }
        let sender = &envelope.from.party;
        let keys = self.keyring();
        let state = pledge_state(self.store.as_ref(), &keys, reference)?.ok_or_else(|| {
            NodeError::from(StepRefusal::UnknownPledge {
                reference: reference.clone(),
            })
        })?;
        let bytes = match &envelope.body {
            Body::PledgeSign(b) => {
                let key = keys
                    .signing_key(sender, envelope.created_at)
                    .ok_or_else(|| PeerRejection::UnknownParty(sender.clone()))?;
                let pledge_signed =
                    SignedPledge::verify(b.signed.as_bytes(), sender, key).map_err(invalid)?;
                if pledge_signed.document_sha256() != state.published.document_sha256() {
                    return Err(NodeError::from(StepRefusal::OtherText {
                        reference: reference.clone(),
                        signer: sender.clone(),
                    }));
                }
                // Judged when it was written and, within the clock skew,
                // when it arrived: a signature dated inside the window but
                // sent after it closed is refused.
                let arrived = self.now().plus(-self.config.skew());
                check_signature_time(state.pledge(), envelope.created_at.max(arrived))
                    .map_err(invalid)?;
                pledge_signed.bytes().to_vec()
            }
            _ => {
                check_withdrawal(state.pledge(), &state.events, sender, envelope.created_at)
                    .map_err(invalid)?;
                signed.bytes().to_vec()
            }
        };
        let step = DocumentRecord {
            kind: DocumentKind::Pledge,
            document_id: reference.to_string(),
            role,
            party: sender.clone(),
            document_sha256: state.published.document_sha256(),
            signed: bytes,
            message_id: Some(envelope.id),
            at: envelope.created_at,
            recorded_at: self.now(),
        };
        Ok((!self.check_step(&step, envelope)?).then_some(step))
    }
}
