//! What raises an alert: each pass reads what the store holds and raises
//! an alert for every event `[alerts]` names that has none yet. An event is
//! named by its cause key, so seeing it again (the next pass, a restart, a
//! second replica) raises nothing new — the store keeps one alert per key.
//! Reading the state rather than listening to events means a crash
//! between an event and its alert loses no alert.
//!
//! | cause | key | when |
//! |---|---|---|
//! | `arrival` | `arrival/<message>` | a received message a person must answer (a kind that expects an acknowledgement), at a precedence in `on_arrival`, or for a tier with nobody signed in |
//! | `escalation` | `escalation/<message>` | an escalation received |
//! | `deadline-share` | `deadline-share/<message>/<deadline>/<share>` | the highest share in `deadline_shares` a pending deadline has passed (either side) |
//! | `deadline-missed` | `deadline-missed/<message>/<deadline>` | a deadline due and unmet (either side) |
//! | `log-alarm` | `log-alarm/<kind>/<subject>/<evidence sha256>` | an alarm of the log |
//! | `peer-unreachable` | `peer-unreachable/<peer>/<oldest queued ms>` | a message queued longer than `unreachable_after` (`health::unreachable`) |
//! | `card-expiry` | `card-expiry/<party>/<card>` (the first 8 bytes of the card's SHA-256, hex: a renewed card with the same key is another card) | a card within `card_expiry_within` of its `valid_until` |
//! | `witness-policy` | `witness-policy/<date>` | the latest checkpoint does not meet the witness policy (once a day while so) |
//!
//! Only events within `lookback` of now raise alerts, so a first start on
//! an old database pages nobody about last year. Messages are read newest
//! first, at most [`SCAN_MESSAGES`] per pass.

use std::collections::HashSet;

use chrono::TimeDelta;
use detente_proto::agreement::responsiveness::Outcome;
use detente_proto::ids::Tier;
use detente_proto::kind::MessageKind;
use detente_proto::time::Timestamp;
use detente_store::{AlertCause, Direction, Mailbox, MessageQuery, NewAlert, StoredMessage};
use sha2::{Digest, Sha256};

use super::text::{self, AlertText};
use crate::error::NodeResult;
use crate::node::Node;

/// The most messages one pass looks at (newest first).
pub const SCAN_MESSAGES: usize = 1000;

fn chrono(duration: std::time::Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}

/// The deadline's wire name.
fn deadline_name(kind: detente_proto::body::DeadlineKind) -> &'static str {
    use detente_proto::body::DeadlineKind;
    match kind {
        DeadlineKind::Acknowledge => "acknowledge",
        DeadlineKind::Reply => "reply",
        DeadlineKind::Check => "check",
    }
}

impl Node {
    /// An alert of `cause` about `stored`, on the rota of the message's
    /// tier on this side.
    fn message_alert(
        &self,
        key: String,
        cause: AlertCause,
        stored: &StoredMessage,
        text: AlertText,
        now: Timestamp,
    ) -> NewAlert {
        let message = &stored.message;
        let tier = match message.direction {
            Direction::Received => message.to_tier,
            Direction::Sent => message.from_tier,
        };
        NewAlert {
            cause_key: key,
            cause,
            precedence: message.precedence,
            rota: self.rota_name(Some(tier)),
            message_id: Some(message.id),
            counterparty: Some(message.counterparty.clone()),
            tier: Some(tier),
            summary: text.summary,
            detail: text.detail,
            raised_at: now,
        }
    }

    /// An alert of the node's own (no message).
    pub(super) fn node_alert(
        &self,
        key: String,
        cause: AlertCause,
        counterparty: Option<detente_proto::ids::PartyCode>,
        text: AlertText,
        now: Timestamp,
    ) -> NewAlert {
        NewAlert {
            cause_key: key,
            cause,
            precedence: text::node_precedence(cause),
            rota: self.rota_name(None),
            message_id: None,
            counterparty,
            tier: None,
            summary: text.summary,
            detail: text.detail,
            raised_at: now,
        }
    }

    /// The name of the rota alerts of `tier` go down ("" if none).
    pub(super) fn rota_name(&self, tier: Option<Tier>) -> String {
        self.config
            .alerts
            .rota_for(tier)
            .map(|rota| rota.name.clone())
            .unwrap_or_default()
    }

    /// The tiers with an officer signed in to the console now.
    fn attended_tiers(&self, now: Timestamp) -> NodeResult<HashSet<Tier>> {
        let idle_before = now.plus(-chrono(self.config.console.session_idle));
        let names: HashSet<_> = self
            .store
            .signed_in_officers(now, idle_before)?
            .into_iter()
            .collect();
        Ok(self
            .store
            .officers()?
            .into_iter()
            .filter(|officer| names.contains(&officer.name))
            .flat_map(|officer| officer.tiers)
            .collect())
    }

    /// The alerts the stored messages call for at `now`.
    fn message_alerts(&self, now: Timestamp, out: &mut Vec<NewAlert>) -> NodeResult<()> {
        let config = &self.config.alerts;
        let since = now.plus(-chrono(config.lookback));
        let messages = self.store.messages(&MessageQuery {
            mailbox: Mailbox::All,
            state: None,
            tiers: Tier::ALL.to_vec(),
            counterparty: None,
            kind: None,
            limit: SCAN_MESSAGES,
        })?;
        let recent: Vec<&StoredMessage> = messages
            .iter()
            .filter(|m| m.message.recorded_at >= since)
            .collect();
        let attended = self.attended_tiers(now)?;
        for stored in &recent {
            let message = &stored.message;
            let id = message.id;
            if message.direction == Direction::Received {
                match message.kind {
                    MessageKind::Escalation => out.push(self.message_alert(
                        format!("escalation/{id}"),
                        AlertCause::Escalation,
                        stored,
                        text::escalation(message),
                        now,
                    )),
                    kind if kind.expects_acknowledgement() => {
                        let loud = config.on_arrival.contains(&message.precedence);
                        let unattended =
                            config.on_unattended && !attended.contains(&message.to_tier);
                        if loud || unattended {
                            out.push(self.message_alert(
                                format!("arrival/{id}"),
                                AlertCause::Arrival,
                                stored,
                                text::arrival(message, loud, unattended),
                                now,
                            ));
                        }
                    }
                    _ => {}
                }
            }
            let (judged, _) = self.deadline_outcomes(stored, now)?;
            for (due, outcome) in judged {
                let name = deadline_name(due.kind);
                match outcome {
                    Outcome::Missed => out.push(self.message_alert(
                        format!("deadline-missed/{id}/{name}"),
                        AlertCause::DeadlineMissed,
                        stored,
                        text::deadline_missed(message, due.kind, due.due_at, now),
                        now,
                    )),
                    Outcome::Pending => {
                        let span = due.due_at.since(due.started_at).num_milliseconds();
                        let gone = now.since(due.started_at).num_milliseconds();
                        let passed = config
                            .deadline_shares
                            .iter()
                            .filter(|share| span > 0 && gone * 100 >= span * i64::from(**share))
                            .max();
                        if let Some(share) = passed {
                            out.push(self.message_alert(
                                format!("deadline-share/{id}/{name}/{share}"),
                                AlertCause::DeadlineShare,
                                stored,
                                text::deadline_share(message, due.kind, *share, due.due_at, now),
                                now,
                            ));
                        }
                    }
                    Outcome::InTime { .. } | Outcome::Late { .. } => {}
                }
            }
        }
        Ok(())
    }

    /// The alerts the outbox, the log's alarms and the cards call for at
    /// `now`.
    fn node_alerts(&self, now: Timestamp, out: &mut Vec<NewAlert>) -> NodeResult<()> {
        let config = &self.config.alerts;
        let queued = self.store.queued_by_peer()?;
        for late in crate::health::unreachable(&queued, now, chrono(config.unreachable_after)) {
            out.push(self.node_alert(
                format!(
                    "peer-unreachable/{}/{}",
                    late.peer,
                    late.oldest_recorded_at.unix_millis()
                ),
                AlertCause::PeerUnreachable,
                Some(late.peer.clone()),
                text::peer_unreachable(&late.peer, late.count, late.oldest_recorded_at, now),
                now,
            ));
        }
        let since = now.plus(-chrono(config.lookback));
        for alarm in self.store.alarms()? {
            if alarm.at < since {
                continue;
            }
            let evidence = hex::encode(Sha256::digest(&alarm.evidence));
            out.push(self.node_alert(
                format!("log-alarm/{}/{}/{evidence}", alarm.kind, alarm.subject),
                AlertCause::LogAlarm,
                None,
                text::log_alarm(&alarm.kind, &alarm.subject, &alarm.detail, alarm.at),
                now,
            ));
        }
        for card in self.expiring_cards(now) {
            let party = card.code.clone();
            out.push(self.node_alert(
                format!("card-expiry/{party}/{}", card.card),
                AlertCause::CardExpiry,
                (!card.ours).then(|| party.clone()),
                text::card_expiry(&party, card.ours, card.until, now),
                now,
            ));
        }
        Ok(())
    }

    /// Raises every alert the store's state calls for at `now` and returns
    /// the numbers of the new ones. For blocking threads.
    pub(crate) fn raise_alerts_blocking(&self, now: Timestamp) -> NodeResult<Vec<u64>> {
        let mut candidates = Vec::new();
        self.message_alerts(now, &mut candidates)?;
        self.node_alerts(now, &mut candidates)?;
        self.raise_all(&candidates)
    }

    /// Raises each of `candidates` the store has no alert for yet.
    pub(super) fn raise_all(&self, candidates: &[NewAlert]) -> NodeResult<Vec<u64>> {
        let mut raised = Vec::new();
        for candidate in candidates {
            if let Some(id) = self.store.raise_alert(candidate)? {
                tracing::info!(
                    alert = id,
                    cause = candidate.cause.as_str(),
                    rota = %candidate.rota,
                    "alert raised: {}",
                    candidate.summary
                );
                raised.push(id);
            }
        }
        Ok(raised)
    }
}
