//! This node as a witness of its peers' logs (C2SP tlog-witness,
//! `add-checkpoint`), and the policy that says when this node's own
//! checkpoints count as witnessed (C2SP tlog-policy).
//!
//! Every node witnesses every peer's log: the log keys come from the peers'
//! cards. The decision is [`detente_log::witness::Witness::add_checkpoint`];
//! the node stores its result by compare-and-swap before answering, and
//! keeps equivocation and failed consistency proofs as alarms with their
//! evidence.

use detente_log::cosignature::{CosignatureVerifier, Cosigner};
use detente_log::policy::Policy;
use detente_log::witness::{AddCheckpointOutcome, AddCheckpointRequest, Witness, WitnessRecord};
use detente_proto::ids::PartyCode;
use detente_proto::signing::{PartySigningKey, PartyVerifyingKey};
use detente_store::Alarm;

use crate::error::{Bug, NodeError, NodeResult, TryAgain};
use crate::node::Node;

pub use detente_evidence::naming::witness_name;

/// `party`'s witness cosigner (its party key, under the witness name).
pub fn cosigner(party: &PartyCode, key: &PartySigningKey) -> NodeResult<Cosigner> {
    Cosigner::from_seed(&witness_name(party), &key.to_seed())
        .map_err(Bug::construction("witness cosigner"))
}

/// The verifier of `party`'s cosignatures, from the signing key on its card.
pub fn cosignature_verifier(
    party: &PartyCode,
    key: &PartyVerifyingKey,
) -> NodeResult<CosignatureVerifier> {
    detente_evidence::naming::cosignature_verifier(party, key)
        .map_err(Bug::construction("cosignature verifier"))
}

/// An answer to `add-checkpoint`: status, content type, body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessAnswer {
    /// HTTP status.
    pub status: u16,
    /// Content-Type.
    pub content_type: &'static str,
    /// Body.
    pub body: Vec<u8>,
}

/// How often a lost compare-and-swap race is retried.
const CAS_ATTEMPTS: usize = 3;

impl Node {
    /// The witness this node is: its cosigner, accepting every peer's log.
    fn witness(&self) -> NodeResult<Witness> {
        let mut witness = Witness::new(vec![cosigner(self.party(), &self.keys.signing)?])
            .map_err(Bug::construction("witness"))?;
        for peer in self.peers.all() {
            let verifier = super::log_verifier(peer.party(), &peer.card.keys().signing)?;
            witness
                .add_log(&super::origin(peer.party()), vec![verifier])
                .map_err(Bug::construction("witness's list of logs"))?;
        }
        Ok(witness)
    }

    /// Handles `POST /log/add-checkpoint` from the pinned peer `submitter`.
    /// For blocking threads.
    ///
    /// Any pinned peer may submit any peer's checkpoint (so a fork can be
    /// reported by whoever holds its second half). Two signed checkpoints
    /// of one size are self-proving, whoever sends them: an `equivocation`
    /// alarm. A consistency proof is not signed, so a failed one is an
    /// `inconsistent-proof` alarm only when the log's owner sent it;
    /// otherwise any peer could frame an honest third party with a bogus
    /// proof.
    pub fn add_checkpoint_blocking(
        &self,
        submitter: &PartyCode,
        body: &[u8],
    ) -> NodeResult<WitnessAnswer> {
        let request = match AddCheckpointRequest::parse(body) {
            Ok(request) => request,
            Err(error) => {
                return Ok(WitnessAnswer {
                    status: 400,
                    content_type: "text/plain; charset=utf-8",
                    body: format!("{error}\n").into_bytes(),
                });
            }
        };
        let origin = request.checkpoint().checkpoint().origin().to_owned();
        let witness = self.witness()?;
        for _ in 0..CAS_ATTEMPTS {
            let stored = match self.store.witness_record(&origin)? {
                Some((_, bytes)) => Some(WitnessRecord::from_bytes(&bytes).map_err(|e| {
                    NodeError::Store(detente_store::StoreError::Corrupt(format!(
                        "witness record of {origin}: {e}"
                    )))
                })?),
                None => None,
            };
            let now = u64::try_from(self.now().unix_millis() / 1000).unwrap_or(0);
            let outcome = witness
                .add_checkpoint(&request, stored.as_ref(), now)
                .map_err(Bug::construction("witness's decision"))?;
            if let AddCheckpointOutcome::Cosigned(cosigned) = &outcome {
                let update = &cosigned.update;
                let swapped = self.store.swap_witness_record(
                    &origin,
                    update.expected_size(),
                    update.record.size(),
                    &update.record.to_bytes(),
                )?;
                if !swapped {
                    continue; // Another request won the race: decide again.
                }
                tracing::info!(%origin, size = update.record.size(), "cosigned a peer's checkpoint");
            } else if outcome.equivocation().is_some() || origin == super::origin(submitter) {
                self.raise_witness_alarm(&origin, &outcome, body)?;
            } else if let AddCheckpointOutcome::InconsistentProof(_) = &outcome {
                tracing::warn!(%origin, %submitter, "a peer sent another log's checkpoint with a consistency proof that fails; not an alarm against the log");
            }
            return Ok(WitnessAnswer {
                status: outcome.status(),
                content_type: outcome.content_type(),
                body: outcome.body(),
            });
        }
        Err(TryAgain::WitnessRecordContended { origin }.into())
    }

    fn raise_witness_alarm(
        &self,
        origin: &str,
        outcome: &AddCheckpointOutcome,
        request: &[u8],
    ) -> NodeResult<()> {
        // Evidence: both signed checkpoints, the stored one first, blank-line
        // separated; for a failed proof, then the whole request (the proof).
        let pair = |a: &detente_log::checkpoint::SignedCheckpoint,
                    b: &detente_log::checkpoint::SignedCheckpoint| {
            [a.to_bytes(), b"\n".to_vec(), b.to_bytes()].concat()
        };
        let (kind, evidence) = match (outcome, outcome.equivocation()) {
            (_, Some(e)) => ("equivocation", pair(&e.stored, &e.submitted)),
            (AddCheckpointOutcome::InconsistentProof(p), None) => (
                "inconsistent-proof",
                [
                    pair(&p.stored, &p.submitted),
                    b"\n".to_vec(),
                    request.to_vec(),
                ]
                .concat(),
            ),
            _ => return Ok(()),
        };
        let detail = match outcome.equivocation() {
            Some(e) => format!(
                "{origin} signed two different trees of size {}: the log forked; both checkpoints are the evidence",
                e.size
            ),
            None => outcome.explanation(),
        };
        let new = self.store.raise_alarm(&Alarm {
            at: self.now(),
            kind: kind.into(),
            subject: origin.to_owned(),
            detail: detail.clone(),
            evidence,
        })?;
        // The same fork pushed again (e.g. every round) is kept once.
        if new {
            tracing::error!(%origin, kind, %detail, "ALARM");
        }
        Ok(())
    }

    /// The parties that witness this node's log: `[log] witnesses`, or every peer.
    pub fn witness_parties(&self) -> Vec<PartyCode> {
        if self.config.log.witnesses.is_empty() {
            self.peers.all().iter().map(|p| p.party().clone()).collect()
        } else {
            // validate() refuses duplicates in the file; a peer that is
            // also our own party is not a witness of ours.
            let mut parties = self.config.log.witnesses.clone();
            parties.retain(|p| p != self.party());
            parties
        }
    }

    /// This node's witness policy in C2SP tlog-policy syntax: its own log
    /// key, its witnesses' cosignature keys, and `quorum` of them.
    pub fn witness_policy(&self) -> NodeResult<String> {
        let log = super::log_verifier(self.party(), &self.keys.signing.verifying_key())?;
        let mut text = format!("log {}\n", log.to_vkey());
        let mut names = Vec::new();
        for party in self.witness_parties() {
            let Some(peer) = self.peers.get(&party) else {
                continue;
            };
            let verifier = cosignature_verifier(&party, &peer.card.keys().signing)?;
            text.push_str(&format!("witness {party} {}\n", verifier.to_vkey()));
            names.push(party.to_string());
        }
        if names.is_empty() {
            text.push_str("quorum none\n");
        } else {
            let k = self.config.log.quorum.clamp(1, names.len());
            text.push_str(&format!(
                "group witnesses {k} {}\nquorum witnesses\n",
                names.join(" ")
            ));
        }
        Policy::parse(text.as_bytes()).map_err(Bug::construction("witness policy"))?;
        Ok(text)
    }
}
