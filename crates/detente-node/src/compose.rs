//! Composing and sending (docs/architecture.md, "The path of one message"):
//! check the officer's clearance and the body, build and sign the envelope,
//! and store it with its outbox entry in one transaction. Only then is the
//! officer told "queued".

use std::sync::Arc;

use detente_proto::body::{Acknowledgement, Body};
use detente_proto::envelope::{Envelope, Recipient, Sender, UnverifiedEnvelope};
use detente_proto::ids::{MessageId, Tier};
use detente_proto::kind::{Composer, MessageKind, Precedence, Tlp};
use detente_store::{Direction, MessageState, StoredMessage};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::{Bug, Mistake, NodeError, NodeResult, message_not_found};
use crate::events::EventKind;
use crate::node::{Node, new_message};
use crate::officers::Officer;

/// Where a composed message goes.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// The receiving party, e.g. `US`.
    #[schema(value_type = String, example = "US")]
    pub party: detente_proto::ids::PartyCode,
    /// The tier addressed.
    #[schema(value_type = String, example = "technical")]
    pub tier: Tier,
}

/// `POST /api/v1/messages`: what an officer composes.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComposeRequest {
    /// Recipient.
    pub to: Address,
    /// The tier the officer speaks for; they must be cleared for it.
    #[schema(value_type = String, example = "technical")]
    pub from_tier: Tier,
    /// The message kind.
    #[schema(value_type = String, example = "notification")]
    pub kind: String,
    /// Urgency; `routine` if omitted.
    #[serde(default = "routine")]
    #[schema(value_type = String, example = "flash")]
    pub precedence: Precedence,
    /// The message this answers.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub in_reply_to: Option<MessageId>,
    /// Exercise traffic; `false` if omitted.
    #[serde(default)]
    pub exercise: bool,
    /// TLP 2.0 marking; `AMBER` if omitted.
    #[serde(default = "amber")]
    #[schema(value_type = String, example = "AMBER")]
    pub tlp: Tlp,
    /// The kind's body, e.g. `{"subject": …, "summary": …}` for a notification.
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
}

fn routine() -> Precedence {
    Precedence::Routine
}

fn amber() -> Tlp {
    Tlp::Amber
}

impl Node {
    /// Composes what an officer wrote (the officer API's and the console's
    /// compose): [`Node::compose`], for the kinds an officer writes. The
    /// others are written by their own operations, without which the step
    /// would be neither recorded nor logged.
    pub async fn compose_written(
        self: &Arc<Self>,
        officer: &Officer,
        request: ComposeRequest,
    ) -> NodeResult<StoredMessage> {
        if let Ok(kind) = request.kind.parse::<MessageKind>()
            && kind.composer() != Composer::Officer
        {
            return Err(Mistake::ComposedElsewhere { kind }.into());
        }
        self.compose(officer, request).await
    }

    /// Composes, signs, stores and queues a message. Returns it as stored.
    pub async fn compose(
        self: &Arc<Self>,
        officer: &Officer,
        request: ComposeRequest,
    ) -> NodeResult<StoredMessage> {
        self.compose_with_id(officer, request, MessageId::new_v7(self.now()))
            .await
    }

    /// [`Node::compose`] with the message id chosen by the caller (a draft
    /// records the id it is sent as before the message is composed).
    pub async fn compose_with_id(
        self: &Arc<Self>,
        officer: &Officer,
        request: ComposeRequest,
        id: MessageId,
    ) -> NodeResult<StoredMessage> {
        officer.require(request.from_tier, "send for that tier")?;
        let kind: MessageKind = request
            .kind
            .parse()
            .map_err(|_| detente_proto::ProtoError::UnknownKind(request.kind.clone()))?;
        let body = Body::from_value(kind, request.body)?;
        let Some(recipient) = self.peers.get(&request.to.party) else {
            return Err(NodeError::UnknownParty(request.to.party));
        };
        self.keyring().card_at(recipient.party(), self.now())?;
        if let Some(answered) = request.in_reply_to {
            let original = self.with_store(move |s| Ok(s.message(&answered)?)).await?;
            match original {
                Some(m)
                    if kind.answers_only_received()
                        && m.message.direction != Direction::Received =>
                {
                    return Err(Mistake::AnswersOwnMessage {
                        answered,
                        kind,
                        to: request.to.party,
                    }
                    .into());
                }
                Some(m) if m.message.counterparty == request.to.party => {}
                Some(m) => {
                    return Err(Mistake::AnswersOtherChannel {
                        answered,
                        exchanged_with: m.message.counterparty,
                        to: request.to.party,
                    }
                    .into());
                }
                None => return Err(message_not_found(&answered)),
            }
        }
        // The agreement this message is judged by names itself in the envelope.
        let in_force = if kind.judged_by_agreement() {
            self.agreement_in_force(&request.to.party).await?
        } else {
            None
        };
        let now = self.now();
        let envelope = Envelope {
            id,
            from: Sender {
                party: self.config.party.clone(),
                tier: request.from_tier,
                officer: officer.name.clone(),
            },
            to: Recipient {
                party: request.to.party,
                tier: request.to.tier,
            },
            precedence: request.precedence,
            in_reply_to: request.in_reply_to,
            agreement: in_force.as_ref().map(|a| a.reference()),
            created_at: now,
            exercise: request.exercise,
            tlp: request.tlp,
            nonce: Envelope::random_nonce(&mut rand::thread_rng()),
            body,
        };
        // A pledge cited is judged by its host's registry, read first.
        if let Some(detente_proto::body::Citation::Pledge(reference)) =
            envelope.body.alleged_breach()
            && &reference.host != self.party()
            && let Err(error) = self.sync_pledge(reference).await
        {
            tracing::warn!(pledge = %reference, %error, "cannot read the host's registry; judging the citation by what is held here");
        }
        // Channel, agreement and citation, as the recipient will judge them.
        let (envelope, verdict) = self
            .off_runtime(move |node| {
                let verdict = node.admit_blocking(
                    node.store.as_ref(),
                    &envelope,
                    &envelope.to.party,
                    in_force.as_ref(),
                );
                (envelope, verdict)
            })
            .await?;
        verdict?.map_err(NodeError::Refused)?;
        let signed = envelope.sign(&self.keys.signing);
        // Check our own output exactly as a peer will (size, depth, counts,
        // rules), so we never queue what a peer must refuse.
        UnverifiedEnvelope::parse(signed.bytes(), &self.config.limits)?;
        let row = new_message(&signed, Direction::Sent, now);
        let id = row.id;
        // Durable (message, outbox entry, log entry, checkpoint) before we answer.
        self.log.log_sent(row).await?;
        let stored = self
            .with_store(move |s| {
                s.message(&id)?.ok_or_else(|| {
                    NodeError::from(Bug::Vanished {
                        what: "queued message",
                        id: id.to_string(),
                    })
                })
            })
            .await?;
        self.outbox.wake();
        self.emit(EventKind::Queued {
            id,
            kind: stored.message.kind,
            to: stored.message.counterparty.clone(),
            headline: stored.message.headline.clone(),
        });
        tracing::info!(%id, kind = %stored.message.kind, to = %stored.message.counterparty, "queued");
        Ok(stored)
    }

    /// Acknowledges a received message: an `acknowledgement` from the tier
    /// it was addressed to, back to the tier that sent it.
    pub async fn acknowledge(
        self: &Arc<Self>,
        officer: &Officer,
        id: MessageId,
        note: Option<String>,
    ) -> NodeResult<StoredMessage> {
        let original = self.visible_message(officer, id).await?;
        if original.state != MessageState::Received {
            return Err(Mistake::AcknowledgesSent { id }.into());
        }
        if original.message.kind == MessageKind::Acknowledgement {
            return Err(Mistake::AcknowledgesAcknowledgement { id }.into());
        }
        let body = serde_json::to_value(Acknowledgement { note })
            .map_err(Bug::construction("acknowledgement body"))?;
        let request = ComposeRequest {
            to: Address {
                party: original.message.counterparty.clone(),
                tier: original.message.from_tier,
            },
            from_tier: original.message.to_tier,
            kind: MessageKind::Acknowledgement.as_str().into(),
            precedence: original.message.precedence,
            in_reply_to: Some(id),
            exercise: original.message.exercise,
            tlp: original.message.tlp,
            body,
        };
        self.compose(officer, request).await
    }
}
