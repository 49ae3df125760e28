//! Alerting: a person is told, and answers (docs/operations.md,
//! "Alerting").
//!
//! A receipt proves that the other party's node received a message; an
//! alert makes sure a person on this side sees what needs them in time.
//! What raises an alert is in [`raise`] (read from the store's state, one
//! alert per event), who is told when in [`rota`] (pure), what the notice
//! says — and what TLP keeps out of it — in [`text`] (pure), how it goes
//! out in [`channels`] (SMTP, webhook, command), the pass that ties them
//! together in [`dispatch`], and the single-use acknowledgement link in
//! [`token`]. Alerts and notices are rows in the store
//! (`detente_store::alert`), so they survive restarts and are never sent
//! twice for one event.
//!
//! Acknowledging an alert (its link, `detente alerts ack`, the console)
//! stops its rota. It is not acknowledging the message: both are shown.

pub mod channels;
pub mod config;
mod dispatch;
mod raise;
pub mod rota;
pub mod sink;
pub mod text;
pub mod token;

use std::path::Path;
use std::sync::{Arc, Mutex};

use detente_proto::time::Timestamp;
use detente_store::{AckOutcome, AckVia, AlertAck, AlertNotice, AlertQuery, AlertRecord};
use tokio::sync::watch;

pub use config::{AlertsConfig, AlertsProblem};
pub use dispatch::AlertPass;
pub use raise::SCAN_MESSAGES;

use crate::error::{NodeError, NodeResult, Unauthenticated};
use crate::node::Node;
use crate::officers::Officer;

/// The node's alerting state: its channels, the link key, one pass at a
/// time.
#[derive(Debug)]
pub struct Alerting {
    pub(crate) channels: channels::Channels,
    pub(crate) key: token::AckKey,
    pass: tokio::sync::Mutex<()>,
    policy_unmet_since: Mutex<Option<Timestamp>>,
}

impl Alerting {
    /// Sets up `[alerts]` for the node in `dir` whose signing key's secret
    /// is `signing_secret`.
    pub fn load(
        config: &AlertsConfig,
        dir: &Path,
        signing_secret: &[u8; 32],
    ) -> Result<Self, AlertsProblem> {
        Ok(Self {
            channels: channels::Channels::load(config, dir)?,
            key: token::AckKey::derive(signing_secret),
            pass: tokio::sync::Mutex::new(()),
            policy_unmet_since: Mutex::new(None),
        })
    }
}

/// The background task: a pass every `[alerts] tick`, until shutdown.
pub async fn run_alerts(node: Arc<Node>, mut shutdown: watch::Receiver<bool>) {
    if !node.config.alerts.run {
        return;
    }
    let tick = node.config.alerts.tick;
    loop {
        if let Err(error) = node.run_alerts_once().await {
            tracing::error!("alerting pass failed: {error}");
        }
        tokio::select! {
            _ = tokio::time::sleep(tick) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// An alert with its notices and the state of the message it is about.
#[derive(Debug, Clone)]
pub struct AlertDetail {
    /// The alert.
    pub record: AlertRecord,
    /// Its notices, by step.
    pub notices: Vec<AlertNotice>,
    /// For an alert about a stored message: whether the message is
    /// acknowledged (received: by us; sent: by the peer).
    pub message_acknowledged: Option<bool>,
}

fn alert_not_found(id: u64) -> NodeError {
    NodeError::NotFound {
        what: "alert",
        id: id.to_string(),
    }
}

impl Node {
    /// Whether `officer` may see `record`: a tier's alerts by officers of
    /// that tier, the node's own by every officer.
    pub(crate) fn may_see_alert(officer: &Officer, record: &AlertRecord) -> bool {
        record
            .alert
            .tier
            .is_none_or(|tier| officer.tiers.contains(&tier))
    }

    /// The alerts `officer` may see, newest first.
    pub async fn alerts_for(
        &self,
        officer: &Officer,
        query: AlertQuery,
    ) -> NodeResult<Vec<AlertDetail>> {
        let records = self.with_store(move |s| Ok(s.alerts(&query)?)).await?;
        let mut out = Vec::new();
        for record in records
            .into_iter()
            .filter(|r| Self::may_see_alert(officer, r))
        {
            out.push(self.alert_detail(record).await?);
        }
        Ok(out)
    }

    /// Alert `id`, if `officer` may see it.
    pub async fn alert_for(&self, officer: &Officer, id: u64) -> NodeResult<AlertDetail> {
        let record = self
            .with_store(move |s| Ok(s.alert(id)?))
            .await?
            .filter(|r| Self::may_see_alert(officer, r))
            .ok_or_else(|| alert_not_found(id))?;
        self.alert_detail(record).await
    }

    async fn alert_detail(&self, record: AlertRecord) -> NodeResult<AlertDetail> {
        let id = record.id;
        let message = record.alert.message_id;
        let (notices, stored) = self
            .with_store(move |s| {
                let notices = s.alert_notices(id)?;
                let stored = message.map(|m| s.message(&m)).transpose()?.flatten();
                Ok((notices, stored))
            })
            .await?;
        Ok(AlertDetail {
            record,
            notices,
            message_acknowledged: stored.map(|m| m.acknowledged_by.is_some()),
        })
    }

    /// Acknowledges alert `id` as `officer` (the API or the console).
    pub async fn acknowledge_alert_as(
        &self,
        officer: &Officer,
        id: u64,
        via: AckVia,
    ) -> NodeResult<(AckOutcome, AlertDetail)> {
        self.alert_for(officer, id).await?;
        let ack = AlertAck {
            at: self.now(),
            by: officer.name.to_string(),
            via,
        };
        self.record_alert_ack(id, ack).await
    }

    /// What the link `token` names: the alert and the contact it went to.
    pub async fn alert_of_link(&self, token: &str) -> NodeResult<(AlertDetail, String)> {
        let (id, step) = self
            .alerting
            .key
            .open(token)
            .map_err(|_| Unauthenticated::BadAlertLink)?;
        let record = self
            .with_store(move |s| Ok(s.alert(id)?))
            .await?
            .ok_or(Unauthenticated::BadAlertLink)?;
        let detail = self.alert_detail(record).await?;
        let contact = detail
            .notices
            .iter()
            .find(|n| n.step == step)
            .map(|n| n.notice.contact.clone())
            .ok_or(Unauthenticated::BadAlertLink)?;
        Ok((detail, contact))
    }

    /// Acknowledges the alert the link `token` names, as the contact it
    /// went to.
    pub async fn acknowledge_alert_by_link(
        &self,
        token: &str,
    ) -> NodeResult<(AckOutcome, AlertDetail)> {
        let (detail, contact) = self.alert_of_link(token).await?;
        let ack = AlertAck {
            at: self.now(),
            by: contact,
            via: AckVia::Link,
        };
        self.record_alert_ack(detail.record.id, ack).await
    }

    async fn record_alert_ack(
        &self,
        id: u64,
        ack: AlertAck,
    ) -> NodeResult<(AckOutcome, AlertDetail)> {
        let by = ack.by.clone();
        let via = ack.via;
        let outcome = self
            .with_store(move |s| Ok(s.acknowledge_alert(id, &ack)?))
            .await?;
        if outcome == AckOutcome::Acknowledged {
            tracing::info!(alert = id, by = %by, via = %via, "alert acknowledged");
        }
        let record = self
            .with_store(move |s| Ok(s.alert(id)?))
            .await?
            .ok_or_else(|| alert_not_found(id))?;
        Ok((outcome, self.alert_detail(record).await?))
    }
}
