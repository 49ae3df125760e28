//! Going down the rota and sending notices (I/O). A pass raises what is
//! new ([`super::raise`]), takes every alert whose rota step is due —
//! writing that step's notice and the next step's time in one store
//! transaction, a compare-and-swap on the step — and then sends the
//! notices due, recording each attempt. A notice that fails is retried
//! with capped exponential backoff; one given up after `attempts` raises a
//! `channel-failing` alert, which goes down the rota passing over contacts
//! on that channel. Every time comes from the node's clock.

use std::sync::Arc;

use chrono::TimeDelta;
use detente_proto::time::Timestamp;
use detente_store::{AlertCause, AlertNotice, AlertRecord, NewNotice};
use futures_util::StreamExt;

use super::channels::{AlertPayload, Outgoing, Payload};
use super::rota;
use super::text;
use crate::error::NodeResult;
use crate::node::Node;

/// Alerts whose step is due, and notices due, taken per round.
const BATCH: usize = 64;
/// Notices sent at once.
const SENDING_AT_ONCE: usize = 8;
/// How long the witness policy may stay unmet (checkpoints wait for their
/// cosignatures) before it raises an alert.
const WITNESS_GRACE: TimeDelta = TimeDelta::minutes(5);

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertPass {
    /// Alerts raised.
    pub raised: Vec<u64>,
    /// Rota steps taken.
    pub steps: usize,
    /// Notices sent.
    pub sent: usize,
    /// Attempts that failed.
    pub failed: usize,
}

/// The channel a `channel-failing` alert is about: its key is
/// `channel-failing/<channel>/<alert>/<step>`.
pub(super) fn failing_channel(alert: &AlertRecord) -> Option<&str> {
    match alert.alert.cause {
        AlertCause::ChannelFailing => alert.alert.cause_key.split('/').nth(1),
        _ => None,
    }
}

impl Node {
    /// One pass of alerting: raise, take due rota steps, send due notices.
    /// The server runs it every `[alerts] tick`; tests call it directly.
    pub async fn run_alerts_once(self: &Arc<Self>) -> NodeResult<AlertPass> {
        let _pass = self.alerting.pass.lock().await;
        let now = self.now();
        let mut pass = AlertPass {
            raised: self
                .off_runtime(move |node| node.raise_alerts_blocking(now))
                .await??,
            ..AlertPass::default()
        };
        pass.raised.extend(self.raise_witness_policy(now).await?);
        // A step passed over (a failing channel's contact) is due at once:
        // a few rounds take it in this pass.
        for _ in 0..4 {
            let taken = self.take_due_steps(now).await?;
            pass.steps += taken;
            if taken == 0 {
                break;
            }
        }
        let notices = self
            .with_store(move |s| Ok(s.due_notices(now, BATCH)?))
            .await?;
        let results: Vec<NodeResult<bool>> = futures_util::stream::iter(notices)
            .map(|notice| self.send_notice(notice, now))
            .buffer_unordered(SENDING_AT_ONCE)
            .collect()
            .await;
        for result in results {
            match result? {
                true => pass.sent += 1,
                false => pass.failed += 1,
            }
        }
        Ok(pass)
    }

    /// Raises `witness-policy/<date>` once the latest checkpoint has not
    /// met the witness policy for [`WITNESS_GRACE`].
    async fn raise_witness_policy(self: &Arc<Self>, now: Timestamp) -> NodeResult<Vec<u64>> {
        if !self.config.alerts.on_witness_policy || self.peers.all().is_empty() {
            return Ok(Vec::new());
        }
        let status = self.log_status().await?;
        let unmet_since = {
            let mut unmet = self
                .alerting
                .policy_unmet_since
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if status.witnessed || status.size == 0 {
                *unmet = None;
                return Ok(Vec::new());
            }
            *unmet.get_or_insert(now)
        };
        if now.since(unmet_since) < WITNESS_GRACE {
            return Ok(Vec::new());
        }
        let date = now.as_datetime().format("%Y-%m-%d");
        let alert = self.node_alert(
            format!("witness-policy/{date}"),
            AlertCause::WitnessPolicy,
            None,
            text::witness_policy(&status.policy, status.size),
            now,
        );
        self.with_store(move |s| Ok(s.raise_alert(&alert)?))
            .await
            .map(|raised| raised.into_iter().collect())
    }

    /// Takes every due rota step; returns how many.
    async fn take_due_steps(&self, now: Timestamp) -> NodeResult<usize> {
        let due = self
            .with_store(move |s| Ok(s.due_alerts(now, BATCH)?))
            .await?;
        let mut taken = 0;
        for alert in due {
            let config = &self.config.alerts;
            let step = rota::step(
                config.rota_named(&alert.alert.rota),
                alert.next_step,
                alert.alert.precedence,
                now,
                failing_channel(&alert),
            );
            let notice = step.contact.map(|contact| NewNotice {
                contact: contact.name.clone(),
                channel: contact.channel.clone(),
                address: contact
                    .to
                    .clone()
                    .unwrap_or_else(|| contact.channel.clone()),
            });
            let (id, from) = (alert.id, alert.next_step);
            let next_at = step.next_at;
            let advanced = self
                .with_store(move |s| {
                    Ok(s.advance_alert(id, from, notice.as_ref(), now, next_at)?)
                })
                .await?;
            if advanced {
                taken += 1;
            }
        }
        Ok(taken)
    }

    /// The notice as it goes out.
    pub(super) fn outgoing(&self, alert: &AlertRecord, notice: &AlertNotice) -> Outgoing {
        let party = &self.config.party;
        let base = self.alert_link_base();
        let token = self.alerting.key.token(alert.id, notice.step);
        let ack_url = format!("{base}/alerts/ack/{token}");
        let a = &alert.alert;
        let precedence = a.precedence.as_str().to_uppercase();
        let text = format!(
            "{summary}\n\n{detail}\n\n\
             Acknowledge this alert (this does not acknowledge the message):\n{ack_url}\n\n\
             Console: {base}/console/alerts\n\n\
             -- \ndetente {party}: alert #{id}, rota {rota}, step {step}, to {contact}\n",
            summary = a.summary,
            detail = a.detail,
            id = alert.id,
            rota = a.rota,
            step = notice.step + 1,
            contact = notice.notice.contact,
        );
        Outgoing {
            subject: format!("[detente {party}] {precedence}: {}", a.summary),
            to: Some(notice.notice.address.clone()),
            message_id: format!("<alert-{}.{}@detente.{party}>", alert.id, notice.step),
            payload: Payload {
                text,
                detente: AlertPayload {
                    version: 1,
                    party: party.to_string(),
                    alert: alert.id,
                    step: notice.step,
                    delivery: format!("{}/{}", alert.id, notice.step),
                    cause: a.cause.as_str(),
                    precedence: a.precedence.as_str(),
                    summary: a.summary.clone(),
                    detail: a.detail.clone(),
                    raised_at: a.raised_at.to_string(),
                    message_id: a.message_id.map(|id| id.to_string()),
                    counterparty: a.counterparty.as_ref().map(ToString::to_string),
                    rota: a.rota.clone(),
                    contact: notice.notice.contact.clone(),
                    ack_url,
                },
            },
        }
    }

    /// Where acknowledgement links and the console are reached.
    pub(crate) fn alert_link_base(&self) -> String {
        self.config
            .alerts
            .link_base
            .as_deref()
            .unwrap_or(&self.config.endpoint)
            .trim_end_matches('/')
            .to_owned()
    }

    /// One attempt at `notice`; returns whether it went out.
    async fn send_notice(
        self: &Arc<Self>,
        notice: AlertNotice,
        now: Timestamp,
    ) -> NodeResult<bool> {
        let id = notice.alert_id;
        let Some(alert) = self.with_store(move |s| Ok(s.alert(id)?)).await? else {
            return Ok(false);
        };
        let outgoing = self.outgoing(&alert, &notice);
        let step = notice.step;
        match self
            .alerting
            .channels
            .send(&notice.notice.channel, &outgoing)
            .await
        {
            Ok(()) => {
                let at = self.now();
                self.with_store(move |s| Ok(s.record_notice_sent(id, step, at)?))
                    .await?;
                tracing::info!(
                    alert = id,
                    step,
                    contact = %notice.notice.contact,
                    channel = %notice.notice.channel,
                    "alert notice sent"
                );
                Ok(true)
            }
            Err(error) => {
                let config = &self.config.alerts;
                let attempts = notice.attempts + 1;
                let retry_at = (attempts < config.attempts).then(|| {
                    let delay = crate::backoff::retry_delay(
                        attempts,
                        config.retry_initial,
                        config.retry_max,
                        rand::random::<f64>(),
                    );
                    now.plus(TimeDelta::from_std(delay).unwrap_or(TimeDelta::MAX))
                });
                let text = error.to_string();
                let recorded = text.clone();
                self.with_store(move |s| {
                    Ok(s.record_notice_failure(id, step, &recorded, retry_at)?)
                })
                .await?;
                tracing::warn!(
                    alert = id,
                    step,
                    attempts,
                    channel = %notice.notice.channel,
                    retry_at = ?retry_at.map(|t| t.to_string()),
                    "alert notice failed: {text}"
                );
                if retry_at.is_none() && alert.alert.cause != AlertCause::ChannelFailing {
                    let failing = self.node_alert(
                        format!("channel-failing/{}/{id}/{step}", notice.notice.channel),
                        AlertCause::ChannelFailing,
                        None,
                        text::channel_failing(
                            &notice.notice.channel,
                            id,
                            &notice.notice.contact,
                            attempts,
                            Some(&text),
                        ),
                        now,
                    );
                    self.with_store(move |s| Ok(s.raise_alert(&failing)?))
                        .await?;
                }
                Ok(false)
            }
        }
    }
}
