//! The agreement engine (docs/protocol.md, "Deadlines
//! and escalation"): deadline timers, escalation up the ladder, and
//! scheduled communication checks. The rules are
//! [`detente_proto::agreement::responsiveness`]; this module applies them
//! to the store on the node's clock.
//!
//! - **Timers.** When a sent message's receipt is recorded, the deadlines
//!   its agreement sets for it become rows in the store, written in the
//!   same transaction as the delivery ([`Node::timers_for`]). They survive
//!   restarts; a timer that fell due while the node was down fires on the
//!   first pass after it starts.
//! - **Answers.** An answer that arrives closes its timers at once, with
//!   how late it was ([`Node::meet_deadlines_blocking`]). Before firing, a
//!   pass looks again at the thread, so an answer stored just before a crash
//!   still closes its timer.
//! - **Escalation.** A missed deadline climbs the ladder from the tier that
//!   missed it: at each rung an `escalation` message, signed by this node as
//!   [`ENGINE_OFFICER`], goes from our tier of that rung to the other
//!   party's, in reply to the missed message. Both parties log it. A rung
//!   whose escalation is already in the thread (sent before a crash) is not
//!   sent again. An exercise message escalates as exercise traffic.
//! - **Communication checks.** For each tier the agreement lists, a `ping`
//!   goes to the other party every `every`, counted from the last ping our
//!   tier sent there, or from when the agreement came into force here. Its
//!   answer window is a `check` deadline like any other: answered in time,
//!   late, or missed and escalated. The results are the timers' rows and the
//!   figures of `GET /api/v1/stats`.
//!
//! One pass at a time ([`Node::run_agreement_engine_once`]); the server runs
//! one every `engine.tick` of the configuration (1 s), and tests drive
//! passes themselves on a manual clock (`engine.run = false`).

use std::sync::Arc;

use chrono::TimeDelta;
use detente_proto::agreement::Agreement;
use detente_proto::agreement::responsiveness::{self, Due, Fact, Outcome};
use detente_proto::body::{Check, DeadlineKind, Escalation};
use detente_proto::envelope::UnverifiedEnvelope;
use detente_proto::ids::{MessageId, OfficerName, PartyCode, Tier};
use detente_proto::kind::MessageKind;
use detente_proto::limits::Limits;
use detente_proto::time::Timestamp;
use detente_store::{DeadlineTimer, Direction, Mailbox, MessageQuery, Store, StoredMessage};
use tokio::sync::watch;

use crate::compose::{Address, ComposeRequest};
use crate::config::EngineConfig;
use crate::error::{Bug, NodeResult};
use crate::events::EventKind;
use crate::node::Node;
use crate::officers::Officer;

/// The officer name the engine signs escalations and scheduled checks with.
pub const ENGINE_OFFICER: &str = "agreement-engine";

/// How long after a failed escalation the engine tries again.
const RETRY_AFTER: TimeDelta = TimeDelta::seconds(60);

/// At most this many due timers per pass; the rest wait for the next.
const TIMERS_PER_PASS: usize = 256;

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnginePass {
    /// Escalation messages sent.
    pub escalations: Vec<MessageId>,
    /// Deadlines found missed for the first time, as (message, deadline).
    pub missed: Vec<(MessageId, DeadlineKind)>,
    /// Timers closed by answers found in the store.
    pub met: Vec<(MessageId, DeadlineKind)>,
    /// Scheduled communication checks sent.
    pub checks: Vec<MessageId>,
}

/// What to do about one due timer.
enum Plan {
    /// An answer is stored: close the timer.
    Met { at: Timestamp, by: MessageId },
    /// Not due after all (the clock went back): look again then.
    Wait(Timestamp),
    /// Missed: send these rungs (tier, already sent?), then look again at
    /// `next` (`None`: the ladder is climbed).
    Escalate {
        asked: Box<Fact>,
        tlp: detente_proto::kind::Tlp,
        due: Due,
        rungs: Vec<(Tier, bool)>,
        fired_after: u32,
        next: Option<Timestamp>,
    },
    /// The message or its agreement is gone: nothing more will fire.
    Drop(String),
}

/// Runs a pass every `engine.tick` (configuration) until `shutdown`
/// changes; nothing if `engine.run` is off.
pub async fn run_agreement_engine(node: Arc<Node>, mut shutdown: watch::Receiver<bool>) {
    let EngineConfig { tick, run } = node.config.engine;
    if !run {
        return;
    }
    loop {
        if let Err(error) = node.run_agreement_engine_once().await {
            tracing::warn!(%error, "agreement engine pass failed; trying again");
        }
        tokio::select! {
            () = tokio::time::sleep(tick) => {}
            _ = shutdown.changed() => break,
        }
    }
}

fn engine_officer() -> Officer {
    Officer {
        name: ENGINE_OFFICER
            .parse::<OfficerName>()
            .unwrap_or_else(|e| unreachable!("the engine's name is valid: {e}")),
        tiers: Tier::ALL.to_vec(),
    }
}

/// The engine's own state: the lock that keeps its passes one at a time
/// (the background task and a test's explicit pass must not both fire a
/// timer).
#[derive(Debug, Default)]
pub struct Engine {
    pass: tokio::sync::Mutex<()>,
}

impl Engine {
    /// Held for the whole of a pass.
    async fn one_pass(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.pass.lock().await
    }
}

impl Node {
    /// The timers a sent message starts, now that its recipient's receipt
    /// says it arrived at `received_at`: the deadlines its agreement (if in
    /// force here) sets for it. For blocking threads.
    pub(crate) fn timers_for(
        &self,
        store: &dyn Store,
        envelope: &[u8],
        received_at: Timestamp,
    ) -> NodeResult<Vec<DeadlineTimer>> {
        let envelope = UnverifiedEnvelope::parse(envelope, &Limits::unbounded())?;
        let fact = Fact::of(envelope.claimed(), Some(received_at));
        let Some(reference) = fact.agreement.clone() else {
            return Ok(Vec::new());
        };
        let agreements = self.agreements_named(store, [reference.clone()])?;
        let Some(agreement) = agreements.get(&reference.to_string()) else {
            return Ok(Vec::new());
        };
        Ok(responsiveness::deadlines(agreement, &fact)
            .into_iter()
            .map(|due| DeadlineTimer {
                message_id: due.message,
                kind: due.kind,
                started_at: due.started_at,
                due_at: due.due_at,
                next_at: Some(due.due_at),
                rungs_fired: 0,
                met_at: None,
                met_by: None,
            })
            .collect())
    }

    /// Closes the timers a just-received `answer` meets, recording when it
    /// arrived. Best effort: the receipt is already given, and a pass finds
    /// the answer in the thread anyway. For blocking threads.
    pub(crate) fn meet_deadlines_blocking(&self, answer: &Fact, at: Timestamp) {
        let Some(asked_id) = answer.in_reply_to else {
            return;
        };
        if !answer.kind.answers_deadlines() {
            return;
        }
        let met = || -> NodeResult<()> {
            let timers = self.store.deadlines_of(&asked_id)?;
            if timers.iter().all(|t| t.met_at.is_some()) {
                return Ok(());
            }
            let Some(asked) = self
                .store
                .message(&asked_id)?
                .filter(|m| m.message.direction == Direction::Sent)
                .and_then(|m| self.fact_of(&m))
            else {
                return Ok(());
            };
            for timer in timers.iter().filter(|t| t.met_at.is_none()) {
                if responsiveness::meets(timer.kind, &asked, answer)
                    && self
                        .store
                        .meet_deadline(&asked_id, timer.kind, at, &answer.id)?
                {
                    self.emit_answered(&asked_id, timer, &answer.id, at);
                }
            }
            Ok(())
        };
        if let Err(error) = met() {
            tracing::warn!(message = %asked_id, %error, "answer stored, but its deadline not closed; the next engine pass will");
        }
    }

    fn emit_answered(
        &self,
        asked: &MessageId,
        timer: &DeadlineTimer,
        by: &MessageId,
        at: Timestamp,
    ) {
        let late = at.since(timer.due_at);
        self.emit(EventKind::DeadlineMet {
            id: *asked,
            deadline: timer.kind,
            by: *by,
            late_by: (late > TimeDelta::zero()).then_some(late),
        });
    }

    /// One pass of the engine at the clock's now: every due timer, then
    /// the communication checks.
    pub async fn run_agreement_engine_once(self: &Arc<Self>) -> NodeResult<EnginePass> {
        let _one_at_a_time = self.engine.one_pass().await;
        let now = self.now();
        let mut pass = EnginePass::default();
        let due = self
            .with_store(move |s| Ok(s.due_deadlines(now, TIMERS_PER_PASS)?))
            .await?;
        for timer in due {
            let (id, kind) = (timer.message_id, timer.kind);
            if let Err(error) = self.fire(timer, now, &mut pass).await {
                tracing::warn!(message = %id, deadline = ?kind, %error, "deadline timer not handled; trying again");
            }
        }
        self.scheduled_checks(now, &mut pass).await?;
        Ok(pass)
    }

    async fn fire(
        self: &Arc<Self>,
        timer: DeadlineTimer,
        now: Timestamp,
        pass: &mut EnginePass,
    ) -> NodeResult<()> {
        let looked_at = timer.clone();
        let plan = self
            .off_runtime(move |node| node.plan(&looked_at, now))
            .await??;
        let (id, kind, rungs_fired) = (timer.message_id, timer.kind, timer.rungs_fired);
        match plan {
            Plan::Met { at, by } => {
                if self
                    .with_store(move |s| Ok(s.meet_deadline(&id, kind, at, &by)?))
                    .await?
                {
                    self.emit_answered(&id, &timer, &by, at);
                    pass.met.push((id, kind));
                }
            }
            Plan::Wait(at) => {
                self.advance(id, kind, rungs_fired, rungs_fired, Some(at))
                    .await?;
            }
            Plan::Drop(why) => {
                tracing::warn!(message = %id, deadline = ?kind, "{why}; the timer is closed without escalation");
                self.advance(id, kind, rungs_fired, rungs_fired, None)
                    .await?;
            }
            Plan::Escalate {
                asked,
                tlp,
                due,
                rungs,
                fired_after,
                next,
            } => {
                if rungs_fired == 0 {
                    pass.missed.push((id, kind));
                    self.emit(EventKind::DeadlineMissed {
                        id,
                        deadline: kind,
                        due_at: due.due_at,
                        to: asked.to.0.clone(),
                    });
                }
                for (tier, already_sent) in rungs {
                    if already_sent {
                        continue;
                    }
                    match self.escalate(&asked, tlp, &due, tier).await {
                        Ok(sent) => pass.escalations.push(sent),
                        Err(error) => {
                            tracing::warn!(message = %id, %tier, %error, "escalation not sent; trying again later");
                            self.advance(
                                id,
                                kind,
                                rungs_fired,
                                rungs_fired,
                                Some(now.plus(RETRY_AFTER)),
                            )
                            .await?;
                            return Ok(());
                        }
                    }
                }
                self.advance(id, kind, rungs_fired, fired_after, next)
                    .await?;
            }
        }
        Ok(())
    }

    async fn advance(
        &self,
        id: MessageId,
        kind: DeadlineKind,
        expected: u32,
        fired: u32,
        next: Option<Timestamp>,
    ) -> NodeResult<()> {
        self.with_store(move |s| Ok(s.advance_deadline(&id, kind, expected, fired, next)?))
            .await?;
        Ok(())
    }

    /// Decides about one due timer from the store. For blocking threads.
    fn plan(&self, timer: &DeadlineTimer, now: Timestamp) -> NodeResult<Plan> {
        let store = self.store.as_ref();
        let Some(stored) = store.message(&timer.message_id)? else {
            return Ok(Plan::Drop(format!(
                "message {} is not stored",
                timer.message_id
            )));
        };
        let Some(mut asked) = self.fact_of(&stored) else {
            return Ok(Plan::Drop(format!(
                "the stored envelope of {} does not parse",
                timer.message_id
            )));
        };
        asked.delivered_at = Some(timer.started_at);
        let Some(reference) = asked.agreement.clone() else {
            return Ok(Plan::Drop(format!(
                "{} names no agreement",
                timer.message_id
            )));
        };
        let agreements = self.agreements_named(store, [reference.clone()])?;
        let Some(agreement) = agreements.get(&reference.to_string()) else {
            return Ok(Plan::Drop(format!(
                "agreement {reference} is not in force here"
            )));
        };
        let due = Due {
            message: timer.message_id,
            kind: timer.kind,
            started_at: timer.started_at,
            due_at: timer.due_at,
        };
        let thread: Vec<StoredMessage> = store
            .thread(&timer.message_id)?
            .into_iter()
            .filter(|m| m.message.in_reply_to == Some(timer.message_id))
            .collect();
        let facts: Vec<Fact> = thread.iter().filter_map(|m| self.fact_of(m)).collect();
        match responsiveness::outcome(&due, &asked, &facts, now) {
            Outcome::InTime { answer, at } | Outcome::Late { answer, at } => {
                Ok(Plan::Met { at, by: answer })
            }
            Outcome::Pending => Ok(Plan::Wait(timer.due_at)),
            Outcome::Missed => {
                Ok(self.escalation_plan(agreement, asked, &stored, due, &thread, timer, now))
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn escalation_plan(
        &self,
        agreement: &Agreement,
        asked: Fact,
        stored: &StoredMessage,
        due: Due,
        thread: &[StoredMessage],
        timer: &DeadlineTimer,
        now: Timestamp,
    ) -> Plan {
        let ladder = responsiveness::rungs(agreement, &due, asked.to.1);
        let sent: Vec<Tier> = crate::responsiveness::escalations_in(thread, due.message)
            .into_iter()
            .filter(|e| e.direction == Direction::Sent && e.missed == due.kind)
            .map(|e| e.to_tier)
            .collect();
        let start = usize::try_from(timer.rungs_fired).unwrap_or(usize::MAX);
        let firing: Vec<(Tier, bool)> = ladder
            .iter()
            .skip(start)
            .take_while(|(at, _)| *at <= now)
            .map(|(_, tier)| (*tier, sent.contains(tier)))
            .collect();
        let fired = start.saturating_add(firing.len());
        Plan::Escalate {
            next: ladder.get(fired).map(|(at, _)| *at),
            fired_after: u32::try_from(fired).unwrap_or(u32::MAX),
            asked: Box::new(asked),
            tlp: stored.message.tlp,
            due,
            rungs: firing,
        }
    }

    /// Sends the `escalation` of a missed `due` to `tier` of the party that
    /// missed it, from our own `tier`.
    async fn escalate(
        self: &std::sync::Arc<Self>,
        asked: &Fact,
        tlp: detente_proto::kind::Tlp,
        due: &Due,
        tier: Tier,
    ) -> NodeResult<MessageId> {
        let body = Escalation {
            message: due.message,
            missed: due.kind,
            due_at: due.due_at,
            from_tier: asked.to.1,
            to_tier: tier,
        };
        let request = ComposeRequest {
            to: Address {
                party: asked.to.0.clone(),
                tier,
            },
            from_tier: tier,
            kind: MessageKind::Escalation.as_str().into(),
            precedence: asked.precedence,
            in_reply_to: Some(due.message),
            exercise: asked.exercise,
            tlp,
            body: serde_json::to_value(body).map_err(Bug::construction("escalation body"))?,
        };
        let sent = self.compose(&engine_officer(), request).await?;
        tracing::info!(message = %due.message, deadline = ?due.kind, %tier, escalation = %sent.message.id, "deadline missed; escalated");
        Ok(sent.message.id)
    }

    /// Sends the communication checks that are due.
    async fn scheduled_checks(
        self: &Arc<Self>,
        now: Timestamp,
        pass: &mut EnginePass,
    ) -> NodeResult<()> {
        let due = self.off_runtime(move |node| node.checks_due(now)).await??;
        for (party, tier, note) in due {
            let request = ComposeRequest {
                to: Address {
                    party: party.clone(),
                    tier,
                },
                from_tier: tier,
                kind: MessageKind::Ping.as_str().into(),
                precedence: detente_proto::kind::Precedence::Routine,
                in_reply_to: None,
                exercise: false,
                tlp: detente_proto::kind::Tlp::Green,
                body: serde_json::to_value(Check { note: Some(note) })
                    .map_err(Bug::construction("ping body"))?,
            };
            match self.compose(&engine_officer(), request).await {
                Ok(sent) => pass.checks.push(sent.message.id),
                Err(error) => {
                    tracing::warn!(%party, %tier, %error, "scheduled communication check not sent; trying again");
                }
            }
        }
        Ok(())
    }

    /// The checks due at `now`: (party, tier, note). For blocking threads.
    fn checks_due(&self, now: Timestamp) -> NodeResult<Vec<(PartyCode, Tier, String)>> {
        let store = self.store.as_ref();
        let mut due = Vec::new();
        for peer in self.peers.all() {
            let party = peer.party().clone();
            let Some(agreement) = self.agreement_in_force_blocking(store, &party)? else {
                continue;
            };
            let Some(checks) = &agreement.communication_checks else {
                continue;
            };
            let reference = agreement.reference();
            let Some((_, in_force_since)) = self.complete_agreement(store, &reference)? else {
                continue;
            };
            let every = TimeDelta::milliseconds(i64::try_from(checks.every_ms).unwrap_or(i64::MAX));
            let within =
                TimeDelta::milliseconds(i64::try_from(checks.answer_within_ms).unwrap_or(i64::MAX));
            for tier in &checks.tiers {
                let query = MessageQuery {
                    mailbox: Mailbox::Outbox,
                    state: None,
                    tiers: vec![*tier],
                    counterparty: Some(party.clone()),
                    kind: Some(MessageKind::Ping),
                    limit: 64,
                };
                let last = store
                    .messages(&query)?
                    .into_iter()
                    .filter(|m| {
                        m.message.from_tier == *tier
                            && m.message.to_tier == *tier
                            && !m.message.exercise
                    })
                    .map(|m| m.message.created_at)
                    .max();
                let since = last.map_or(in_force_since, |l| l.max(in_force_since));
                if since.plus(every) <= now {
                    due.push((
                        party.clone(),
                        *tier,
                        format!(
                            "Scheduled communication check under {reference}: please answer with a pong within {}",
                            detente_proto::time::human_duration(within)
                        ),
                    ));
                }
            }
        }
        Ok(due)
    }
}
