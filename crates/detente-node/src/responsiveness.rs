//! Responsiveness at this node: the facts of stored messages, and the
//! figures of `GET /api/v1/stats` (docs/protocol.md, "Responsiveness figures"). The rules and the
//! arithmetic are [`detente_proto::agreement::responsiveness`], the same
//! functions `detente verify` runs over a bundle, so the figures this node
//! shows are the figures anyone recomputes from the signed messages.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use detente_proto::agreement::Agreement;
use detente_proto::agreement::responsiveness::{self, Fact, Outcome, Period, Stats};
use detente_proto::envelope::{AgreementRef, UnverifiedEnvelope};
use detente_proto::ids::PartyCode;
use detente_proto::limits::Limits;
use detente_proto::time::{Timestamp, human_duration};
use detente_store::{Mailbox, MessageQuery, StoredMessage};

use crate::error::{NodeError, NodeResult};
use crate::node::Node;
use crate::officers::Officer;

impl Node {
    /// The facts of a stored message: its envelope, delivered when its
    /// stored receipt (the peer's for a sent message, ours for a received
    /// one) verifies. `None` if the stored envelope does not parse.
    pub(crate) fn fact_of(&self, stored: &StoredMessage) -> Option<Fact> {
        let m = &stored.message;
        let envelope = UnverifiedEnvelope::parse(&m.envelope, &Limits::unbounded()).ok()?;
        let delivered_at = stored
            .receipt
            .as_deref()
            .and_then(|bytes| self.receipt_of(m.direction, &m.counterparty, bytes))
            .map(|r| r.received_at);
        Some(Fact::of(envelope.claimed(), delivered_at))
    }

    /// The agreements in force named by `refs`, by reference: those this
    /// node holds every party's signature on, verified.
    pub(crate) fn agreements_named(
        &self,
        store: &dyn detente_store::Store,
        refs: impl IntoIterator<Item = AgreementRef>,
    ) -> NodeResult<HashMap<String, Agreement>> {
        let mut found = HashMap::new();
        let mut seen = BTreeSet::new();
        for reference in refs {
            if !seen.insert(reference.to_string()) {
                continue;
            }
            if let Some((agreement, _)) = self.complete_agreement(store, &reference)? {
                found.insert(reference.to_string(), agreement);
            }
        }
        Ok(found)
    }

    /// The messages `officer` may see, with `counterparty` (or everyone),
    /// oldest first.
    pub(crate) async fn every_visible_message(
        &self,
        officer: &Officer,
        counterparty: Option<PartyCode>,
    ) -> NodeResult<Vec<StoredMessage>> {
        let query = MessageQuery {
            mailbox: Mailbox::All,
            state: None,
            tiers: Vec::new(),
            counterparty,
            kind: None,
            limit: usize::MAX / 2,
        };
        let mut messages = self.visible_messages(officer, query).await?;
        messages.sort_by(|a, b| {
            (a.message.created_at, a.message.id.to_string())
                .cmp(&(b.message.created_at, b.message.id.to_string()))
        });
        Ok(messages)
    }

    /// This party's figures over `messages` for `period`, as of now.
    pub(crate) async fn stats_of(
        self: &Arc<Self>,
        messages: Vec<StoredMessage>,
        period: Period,
    ) -> NodeResult<Stats> {
        let as_of = self.now();
        self.off_runtime(move |node| {
            let facts: Vec<Fact> = messages.iter().filter_map(|m| node.fact_of(m)).collect();
            let agreements = node.agreements_named(
                node.store.as_ref(),
                facts.iter().filter_map(|f| f.agreement.clone()),
            )?;
            Ok::<_, NodeError>(responsiveness::stats(
                node.party(),
                &facts,
                |r| agreements.get(&r.to_string()),
                period,
                as_of,
            ))
        })
        .await?
    }

    /// The figures `officer` may see, with `counterparty` or everyone, for
    /// `period` as of now.
    pub async fn stats(
        self: &Arc<Self>,
        officer: &Officer,
        counterparty: Option<PartyCode>,
        period: Period,
    ) -> NodeResult<Stats> {
        let messages = self.every_visible_message(officer, counterparty).await?;
        self.stats_of(messages, period).await
    }
}

/// One deadline of a message as it stands now (`GET /api/v1/messages/{id}`).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DeadlineView {
    /// `acknowledge`, `reply` or `check`.
    pub deadline: String,
    /// When the clock started (the message's delivery).
    pub started_at: String,
    /// When it falls (fell) due.
    pub due_at: String,
    /// `pending`, `in-time`, `late` or `missed`.
    pub state: &'static str,
    /// The answer that met it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_by: Option<String>,
    /// When that answer arrived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<String>,
    /// How late it was, e.g. `10m`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub late_by: Option<String>,
    /// The tiers an escalation of this deadline went to, in order.
    pub escalated_to: Vec<String>,
}

impl Node {
    /// The deadlines `stored` started under its agreement and how each
    /// stands now, from either side of the exchange. For blocking threads.
    pub fn deadline_views(&self, stored: &StoredMessage) -> NodeResult<Vec<DeadlineView>> {
        let (judged, escalations) = self.deadline_outcomes(stored, self.now())?;
        Ok(judged
            .into_iter()
            .map(|(due, outcome)| {
                let (answered_by, answered_at) = match &outcome {
                    Outcome::InTime { answer, at } | Outcome::Late { answer, at } => {
                        (Some(answer.to_string()), Some(*at))
                    }
                    _ => (None, None),
                };
                DeadlineView {
                    deadline: serde_json::to_value(due.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    started_at: due.started_at.to_string(),
                    due_at: due.due_at.to_string(),
                    state: outcome.word(),
                    late_by: answered_at
                        .filter(|at| *at > due.due_at)
                        .map(|at| human_duration(at.since(due.due_at))),
                    answered_by,
                    answered_at: answered_at.map(|t| t.to_string()),
                    escalated_to: escalations
                        .iter()
                        .filter(|e| e.missed == due.kind)
                        .map(|e| e.to_tier.to_string())
                        .collect(),
                }
            })
            .collect())
    }

    /// The deadlines `stored` started under its agreement, each with how
    /// it stands at `now`, and the escalations of its missed deadlines
    /// (by when written), from either side of the exchange: what
    /// [`Node::deadline_views`] shows and alerts watch. For blocking threads.
    pub(crate) fn deadline_outcomes(
        &self,
        stored: &StoredMessage,
        now: Timestamp,
    ) -> NodeResult<(Vec<Judged>, Vec<Escalated>)> {
        let none = || Ok((Vec::new(), Vec::new()));
        let Some(fact) = self.fact_of(stored) else {
            return none();
        };
        let Some(reference) = fact.agreement.clone() else {
            return none();
        };
        let store = self.store.as_ref();
        let agreements = self.agreements_named(store, [reference.clone()])?;
        let Some(agreement) = agreements.get(&reference.to_string()) else {
            return none();
        };
        let dues = responsiveness::deadlines(agreement, &fact);
        if dues.is_empty() {
            return none();
        }
        let thread = store.thread(&fact.id)?;
        let answers: Vec<Fact> = thread
            .iter()
            .filter(|m| m.message.in_reply_to == Some(fact.id))
            .filter_map(|m| self.fact_of(m))
            .collect();
        let mut escalations = escalations_in(&thread, fact.id);
        escalations.sort_by_key(|e| e.at);
        let judged = dues
            .into_iter()
            .map(|due| {
                let outcome = responsiveness::outcome(&due, &fact, &answers, now);
                (due, outcome)
            })
            .collect();
        Ok((judged, escalations))
    }
}

/// One deadline and how it stands.
pub(crate) type Judged = (responsiveness::Due, Outcome);

/// One escalation found in a thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Escalated {
    /// Sent by this node, or received.
    pub direction: detente_store::Direction,
    /// The deadline missed.
    pub missed: detente_proto::body::DeadlineKind,
    /// The tier it went to.
    pub to_tier: detente_proto::ids::Tier,
    /// When it was written.
    pub at: Timestamp,
}

/// The escalations in `thread` of the missed deadlines of message `id`.
pub(crate) fn escalations_in(
    thread: &[StoredMessage],
    id: detente_proto::ids::MessageId,
) -> Vec<Escalated> {
    thread
        .iter()
        .filter(|m| m.message.kind == detente_proto::kind::MessageKind::Escalation)
        .filter_map(|m| {
            let e = UnverifiedEnvelope::parse(&m.message.envelope, &Limits::unbounded()).ok()?;
            let envelope = e.claimed();
            let (message, missed, to_tier) = responsiveness::escalated(&envelope.body)?;
            (*message == id).then_some(Escalated {
                direction: m.message.direction,
                missed,
                to_tier,
                at: envelope.created_at,
            })
        })
        .collect()
}
