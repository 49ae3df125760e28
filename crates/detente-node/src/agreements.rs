//! Agreements between parties (docs/protocol.md, "Agreements"): proposing,
//! countersigning, and which agreement is in force on a channel.
//!
//! An agreement travels as messages: `agreement-propose` carries the
//! proposer's signed agreement, `agreement-sign` a party's signature on the
//! same bytes ([`detente_proto::agreement`]). Every signature, sent or
//! received, is verified, stored ([`detente_store::AgreementSignature`]) and
//! logged as a document leaf `agreement/<id>@<version>/<signer>`. A version
//! is in force once every party it names has signed the same bytes; on a
//! channel, the in-force agreement naming both parties that was completed
//! last governs.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use detente_proto::agreement::{
    Agreement, AgreementError, AgreementSpec, Signatures, SignedAgreement,
};
use detente_proto::body::{AgreementSignature as SignatureBody, Body};
use detente_proto::envelope::AgreementRef;
use detente_proto::ids::{DocumentId, PartyCode, Tier};
use detente_proto::keyring::Keyring;
use detente_proto::kind::MessageKind;
use detente_proto::log_entry::{EntryDirection, LogEntry};
use detente_proto::time::Timestamp;
use detente_store::{AgreementSignature, Store, StoredMessage};
use sha2::{Digest, Sha256};

use crate::compose::{Address, ComposeRequest};
use crate::error::{
    Bug, DocumentError, Mistake, NodeError, NodeResult, PeerRejection, StepRefusal,
};
use crate::node::Node;
use crate::officers::Officer;

/// One agreement version as this node knows it.
#[derive(Debug, Clone)]
pub struct AgreementState {
    /// The verified signatures, proposal first.
    pub signatures: Signatures,
    /// When the last signature was recorded here.
    pub last_signed_at: Timestamp,
    /// When each signer's signature was recorded here.
    pub signed_at: BTreeMap<PartyCode, Timestamp>,
}

impl AgreementState {
    /// The agreement.
    pub fn agreement(&self) -> &Agreement {
        self.signatures.agreement()
    }

    /// Whether every party has signed the same bytes.
    pub fn in_force(&self) -> bool {
        self.signatures.complete()
    }
}

/// The agreements subsystem's own state: what is in force on each channel,
/// and which versions are complete, as last computed. An answer holds while
/// no agreement signature has been stored since (`generation`) and the
/// parties' cards are the same, so that compose and receive do not verify
/// every stored signature again for every message.
#[derive(Debug, Default)]
pub struct InForce {
    cache: Mutex<Cached>,
}

#[derive(Debug, Default)]
struct Cached {
    generation: u64,
    keys: Arc<Keyring>,
    by_party: HashMap<PartyCode, Option<Agreement>>,
    /// Versions by reference: the agreement and when it came into force
    /// here, if every party has signed it (for deadlines and checks).
    by_reference: HashMap<String, Option<(Agreement, Timestamp)>>,
}

impl InForce {
    fn lock(&self) -> std::sync::MutexGuard<'_, Cached> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The answer `pick` finds, if it was computed under `keys`; else the
    /// generation to compute it under.
    fn cached<T>(&self, keys: &Keyring, pick: impl FnOnce(&Cached) -> Option<T>) -> Result<T, u64> {
        let cache = self.lock();
        match pick(&cache) {
            Some(answer) if *cache.keys == *keys => Ok(answer),
            _ => Err(cache.generation),
        }
    }

    /// Keeps an answer (`put` writes it) computed under `generation` and
    /// `keys`, unless a signature was stored meanwhile; answers computed
    /// under other keys are dropped.
    fn keep(&self, generation: u64, keys: Arc<Keyring>, put: impl FnOnce(&mut Cached)) {
        let mut cache = self.lock();
        if cache.generation != generation {
            return;
        }
        if cache.keys != keys {
            cache.keys = keys;
            cache.by_party.clear();
            cache.by_reference.clear();
        }
        put(&mut cache);
    }

    /// Forgets every answer: a signature was stored.
    pub(crate) fn forget(&self) {
        let mut cache = self.lock();
        cache.generation += 1;
        cache.by_party.clear();
        cache.by_reference.clear();
    }
}

/// The state of `id@version` from the store, every signature verified
/// again with `keys`; `None` if nothing is stored.
pub fn agreement_state(
    store: &dyn Store,
    keys: &Keyring,
    reference: &AgreementRef,
) -> NodeResult<Option<AgreementState>> {
    agreement_state_at(store, keys, reference, None)
}

/// [`agreement_state`] as it stood at `at` (with only the signatures
/// recorded by then), or now if `None`.
pub fn agreement_state_at(
    store: &dyn Store,
    keys: &Keyring,
    reference: &AgreementRef,
    at: Option<Timestamp>,
) -> NodeResult<Option<AgreementState>> {
    let mut stored = store.agreement_signatures(&reference.id, reference.version)?;
    stored.retain(|s| at.is_none_or(|at| s.recorded_at <= at));
    stored.sort_by_key(|s| s.recorded_at);
    let mut state: Option<AgreementState> = None;
    for record in stored {
        let key = &keys
            .card_at(&record.signer, record.recorded_at)?
            .keys()
            .signing;
        let signed = SignedAgreement::verify(&record.signed, &record.signer, key)
            .map_err(NodeError::unreadable("agreement signature", reference))?;
        match &mut state {
            None => {
                state = Some(AgreementState {
                    signatures: Signatures::proposed(signed),
                    last_signed_at: record.recorded_at,
                    signed_at: BTreeMap::from([(record.signer.clone(), record.recorded_at)]),
                });
            }
            Some(state) => {
                state
                    .signatures
                    .add(signed)
                    .map_err(NodeError::unreadable("agreement signature", reference))?;
                state.last_signed_at = record.recorded_at;
                state
                    .signed_at
                    .insert(record.signer.clone(), record.recorded_at);
            }
        }
    }
    Ok(state)
}

/// The agreement in force between `me` and `with`, if any: of the
/// complete versions naming both, the one completed last.
pub fn agreement_in_force(
    store: &dyn Store,
    keys: &Keyring,
    me: &PartyCode,
    with: &PartyCode,
) -> NodeResult<Option<Agreement>> {
    agreement_in_force_at(store, keys, me, with, None)
}

/// [`agreement_in_force`] as it stood at `at` (by the signatures recorded
/// by then), or now if `None`.
pub fn agreement_in_force_at(
    store: &dyn Store,
    keys: &Keyring,
    me: &PartyCode,
    with: &PartyCode,
    at: Option<Timestamp>,
) -> NodeResult<Option<Agreement>> {
    let mut best: Option<AgreementState> = None;
    let mut settled: Option<DocumentId> = None;
    // Newest version first per id: the highest complete version of an id
    // supersedes its lower ones (an amendment), whenever they were signed.
    for (id, version) in store.agreement_versions()? {
        if settled.as_ref() == Some(&id) {
            continue;
        }
        let reference = AgreementRef { id, version };
        let state = match agreement_state_at(store, keys, &reference, at) {
            Ok(Some(state)) => state,
            Ok(None) => continue,
            // A signer's card replaced since: that version no longer
            // proves itself, so it is not in force; other channels go on.
            Err(error) => {
                tracing::warn!(agreement = %reference, %error, "agreement signatures no longer verify; not in force");
                continue;
            }
        };
        let parties = &state.agreement().parties;
        if !(parties.contains(me) && parties.contains(with) && state.in_force()) {
            continue;
        }
        settled = Some(reference.id.clone());
        if best
            .as_ref()
            .is_none_or(|b| state.last_signed_at > b.last_signed_at)
        {
            best = Some(state);
        }
    }
    Ok(best.map(|s| s.agreement().clone()))
}

impl Node {
    /// The agreement in force with `with`, if any.
    pub async fn agreement_in_force(&self, with: &PartyCode) -> NodeResult<Option<Agreement>> {
        let keys = self.keyring();
        let generation = match self
            .in_force
            .cached(&keys, |c| c.by_party.get(with).cloned())
        {
            Ok(hit) => return Ok(hit),
            Err(generation) => generation,
        };
        let (me, party, lookup) = (self.party().clone(), with.clone(), keys.clone());
        let found = self
            .with_store(move |s| agreement_in_force(s, &lookup, &me, &party))
            .await?;
        self.in_force.keep(generation, keys, |c| {
            c.by_party.insert(with.clone(), found.clone());
        });
        Ok(found)
    }

    /// The version `reference` if it is complete (every party signed the
    /// same bytes), with when it came into force here; computed once per
    /// signature stored or key changed. For blocking threads.
    pub(crate) fn complete_agreement(
        &self,
        store: &dyn Store,
        reference: &AgreementRef,
    ) -> NodeResult<Option<(Agreement, Timestamp)>> {
        let keys = self.keyring();
        let name = reference.to_string();
        let generation = match self
            .in_force
            .cached(&keys, |c| c.by_reference.get(&name).cloned())
        {
            Ok(hit) => return Ok(hit),
            Err(generation) => generation,
        };
        let found = match agreement_state(store, &keys, reference) {
            Ok(Some(state)) if state.in_force() => {
                Some((state.agreement().clone(), state.last_signed_at))
            }
            Ok(_) => None,
            Err(error) => {
                tracing::warn!(agreement = %reference, %error, "agreement does not verify; its deadlines are not applied");
                None
            }
        };
        self.in_force.keep(generation, keys, |c| {
            c.by_reference.insert(name, found.clone());
        });
        Ok(found)
    }

    /// [`Self::agreement_in_force`], for blocking threads.
    pub(crate) fn agreement_in_force_blocking(
        &self,
        store: &dyn Store,
        with: &PartyCode,
    ) -> NodeResult<Option<Agreement>> {
        let keys = self.keyring();
        let generation = match self
            .in_force
            .cached(&keys, |c| c.by_party.get(with).cloned())
        {
            Ok(hit) => return Ok(hit),
            Err(generation) => generation,
        };
        let found = agreement_in_force(store, &keys, self.party(), with)?;
        self.in_force.keep(generation, keys, |c| {
            c.by_party.insert(with.clone(), found.clone());
        });
        Ok(found)
    }

    /// Every agreement version this node knows, newest version first per id.
    pub async fn agreements(self: &std::sync::Arc<Self>) -> NodeResult<Vec<AgreementState>> {
        let keys = self.keyring();
        self.with_store(move |store| {
            let mut states = Vec::new();
            for (id, version) in store.agreement_versions()? {
                let reference = AgreementRef { id, version };
                if let Some(state) = agreement_state(store, &keys, &reference)? {
                    states.push(state);
                }
            }
            Ok(states)
        })
        .await
    }

    /// Every agreement version this node knows as it stood at `at`, newest
    /// version first per id, each with the parties it was in force with
    /// then ([`agreement_in_force_at`]).
    pub async fn agreements_at(
        self: &std::sync::Arc<Self>,
        at: Timestamp,
    ) -> NodeResult<Vec<(AgreementState, Vec<PartyCode>)>> {
        let keys = self.keyring();
        let me = self.party().clone();
        self.with_store(move |store| {
            let mut states = Vec::new();
            for (id, version) in store.agreement_versions()? {
                let reference = AgreementRef { id, version };
                let Some(state) = agreement_state_at(store, &keys, &reference, Some(at))? else {
                    continue;
                };
                let mut with = Vec::new();
                for party in state.agreement().parties.iter().filter(|p| **p != me) {
                    let in_force = agreement_in_force_at(store, &keys, &me, party, Some(at))?;
                    if in_force.is_some_and(|a| a.reference() == reference) {
                        with.push(party.clone());
                    }
                }
                states.push((state, with));
            }
            Ok(states)
        })
        .await
    }

    /// One agreement version.
    pub async fn agreement(
        self: &std::sync::Arc<Self>,
        reference: AgreementRef,
    ) -> NodeResult<AgreementState> {
        let shown = reference.to_string();
        let keys = self.keyring();
        self.with_store(move |s| agreement_state(s, &keys, &reference))
            .await?
            .ok_or(NodeError::NotFound {
                what: "agreement",
                id: shown,
            })
    }

    /// Proposes the agreement written in `toml` to `to`: validates it,
    /// signs it, stores and logs the signature, and sends it.
    pub async fn propose_agreement(
        self: &std::sync::Arc<Self>,
        officer: &Officer,
        toml: &str,
        to: PartyCode,
        from_tier: Tier,
    ) -> NodeResult<(AgreementState, StoredMessage)> {
        officer.require(from_tier, "propose agreements for that tier")?;
        let agreement = AgreementSpec::parse(toml)
            .and_then(AgreementSpec::validate)
            .map_err(DocumentError::from)?;
        for party in [self.party(), &to] {
            if !agreement.parties.contains(party) {
                return Err(Mistake::NotNamed {
                    agreement: agreement.reference().to_string(),
                    party: party.clone(),
                    parties: agreement.parties.clone(),
                }
                .into());
            }
        }
        let signed = agreement
            .sign(self.party(), &self.keys.signing)
            .map_err(DocumentError::from)?;
        self.record_signature(&signed).await?;
        let message = self
            .send_signature(
                officer,
                MessageKind::AgreementPropose,
                &signed,
                to,
                from_tier,
            )
            .await?;
        let state = self.agreement(agreement.reference()).await?;
        Ok((state, message))
    }

    /// Countersigns the proposed `reference` and sends the signature to
    /// every other party.
    pub async fn sign_agreement(
        self: &std::sync::Arc<Self>,
        officer: &Officer,
        reference: AgreementRef,
        from_tier: Tier,
    ) -> NodeResult<(AgreementState, Vec<StoredMessage>)> {
        officer.require(from_tier, "sign agreements for that tier")?;
        let state = self.agreement(reference.clone()).await?;
        let agreement = state.agreement().clone();
        let signed = agreement
            .sign(self.party(), &self.keys.signing)
            .map_err(DocumentError::from)?;
        self.record_signature(&signed).await?;
        let mut sent = Vec::new();
        for party in agreement.parties.iter().filter(|p| *p != self.party()) {
            sent.push(
                self.send_signature(
                    officer,
                    MessageKind::AgreementSign,
                    &signed,
                    party.clone(),
                    from_tier,
                )
                .await?,
            );
        }
        Ok((self.agreement(reference).await?, sent))
    }

    async fn send_signature(
        self: &std::sync::Arc<Self>,
        officer: &Officer,
        kind: MessageKind,
        signed: &SignedAgreement,
        to: PartyCode,
        from_tier: Tier,
    ) -> NodeResult<StoredMessage> {
        let body = SignatureBody {
            signed: String::from_utf8(signed.bytes().to_vec())
                .map_err(Bug::construction("agreement signature text"))?,
        };
        let request = ComposeRequest {
            to: Address {
                party: to,
                tier: from_tier,
            },
            from_tier,
            kind: kind.as_str().to_owned(),
            precedence: detente_proto::kind::Precedence::Priority,
            in_reply_to: None,
            exercise: false,
            tlp: detente_proto::kind::Tlp::Green,
            body: serde_json::json!({"signed": body.signed}),
        };
        self.compose(officer, request).await
    }

    /// Stores and logs a verified signature (ours or a peer's): refused
    /// when it is over other bytes than the version's first signature.
    async fn record_signature(&self, signed: &SignedAgreement) -> NodeResult<()> {
        let (record, entry) = self.signature_records(signed);
        self.with_store(move |s| Ok(s.put_agreement_signature(&record)?))
            .await?;
        self.in_force.forget();
        self.log.log_document_once(entry).await?;
        Ok(())
    }

    /// The store record and the document leaf of a signature.
    pub(crate) fn signature_records(
        &self,
        signed: &SignedAgreement,
    ) -> (AgreementSignature, LogEntry) {
        let reference = signed.agreement().reference();
        let record = AgreementSignature {
            agreement_id: reference.id.clone(),
            version: reference.version,
            signer: signed.signer().clone(),
            document_sha256: signed.document_sha256(),
            signed: signed.bytes().to_vec(),
            recorded_at: self.now(),
        };
        let entry = LogEntry {
            direction: EntryDirection::Document,
            id: format!("agreement/{reference}/{}", signed.signer()),
            counterparty: signed.signer().clone(),
            sha256: Sha256::digest(signed.bytes()).into(),
            time: self.now(),
            peer_size: None,
        };
        (record, entry)
    }

    /// On receipt, before anything is stored: a signature message must
    /// carry `sender`'s valid signature (by the key that spoke for them
    /// when they wrote it, `at`) on an agreement naming this node, over
    /// the same bytes as any signature already held for that version.
    pub(crate) fn check_received_signature(
        &self,
        sender: &PartyCode,
        at: Timestamp,
        body: &Body,
    ) -> NodeResult<Option<SignedAgreement>> {
        let (Body::AgreementPropose(b) | Body::AgreementSign(b)) = body else {
            return Ok(None);
        };
        let invalid = |e: AgreementError| NodeError::from(StepRefusal::Invalid(e.into()));
        let keys = self.keyring();
        let key = keys
            .signing_key(sender, at)
            .ok_or_else(|| PeerRejection::UnknownParty(sender.clone()))?;
        let signed = SignedAgreement::verify(b.signed.as_bytes(), sender, key).map_err(invalid)?;
        if !signed.agreement().parties.contains(self.party()) {
            return Err(NodeError::from(StepRefusal::AgreementNotOurs {
                agreement: signed.agreement().reference().to_string(),
                us: self.party().clone(),
            }));
        }
        let reference = signed.agreement().reference();
        if let Some(mut state) = agreement_state(self.store.as_ref(), &keys, &reference)? {
            state.signatures.add(signed.clone()).map_err(invalid)?;
        }
        Ok(Some(signed))
    }

    /// On a repeated delivery of a signature message: store and log the
    /// signature, in case a database from before signatures were committed
    /// with their message's batch lost it. Both steps are idempotent. For
    /// blocking threads.
    pub(crate) fn record_received_signature(&self, signed: &SignedAgreement) -> NodeResult<()> {
        let (record, entry) = self.signature_records(signed);
        self.store.put_agreement_signature(&record)?;
        self.in_force.forget();
        self.log.log_document_once_blocking(entry)?;
        Ok(())
    }
}

/// Signers of each state, for views.
pub fn signers(state: &AgreementState) -> BTreeMap<String, bool> {
    state
        .agreement()
        .parties
        .iter()
        .map(|p| (p.to_string(), state.signatures.signed_by().any(|s| s == p)))
        .collect()
}
