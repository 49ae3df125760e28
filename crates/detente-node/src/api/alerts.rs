//! Alerts in the officer API (docs/operations.md, "Alerting"): list, show
//! and acknowledge. An officer sees the alerts of their tiers and the
//! node's own. Acknowledging an alert stops its rota; it does not
//! acknowledge the message, and the view shows both.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use detente_store::{AckOutcome, AckVia, AlertNotice, AlertQuery};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::alerts::AlertDetail;
use crate::api::auth::Authenticated;
use crate::api::params;
use crate::api::problem::Problem;
use crate::error::NodeError;
use crate::node::Node;

/// `GET /api/v1/alerts` query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AlertParams {
    /// `open` (not acknowledged, the default) or `all`.
    pub state: Option<String>,
    /// At most this many, newest first (default 100, at most 1000).
    pub limit: Option<usize>,
}

/// One notice of an alert: a rota step.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeView {
    /// The rota step (0: the first contact).
    pub step: u32,
    /// The contact.
    pub contact: String,
    /// The channel.
    pub channel: String,
    /// `pending`, `sent`, `failed` or `cancelled`.
    pub state: &'static str,
    /// Attempts made.
    pub attempts: u32,
    /// When the step was taken.
    pub created_at: String,
    /// When it was sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<String>,
    /// When the next attempt is due.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<String>,
    /// Why the last attempt failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

impl NoticeView {
    fn of(notice: &AlertNotice) -> Self {
        Self {
            step: notice.step,
            contact: notice.notice.contact.clone(),
            channel: notice.notice.channel.clone(),
            state: notice.state.into(),
            attempts: notice.attempts,
            created_at: notice.created_at.to_string(),
            sent_at: notice.sent_at.map(|t| t.to_string()),
            next_attempt_at: notice.next_attempt_at.map(|t| t.to_string()),
            last_error: notice.last_error.clone(),
        }
    }
}

/// An alert as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertView {
    /// Its number.
    pub id: u64,
    /// What raised it: `arrival`, `deadline-share`, `deadline-missed`,
    /// `escalation`, `log-alarm`, `peer-unreachable`, `card-expiry`,
    /// `witness-policy` or `channel-failing`.
    pub cause: &'static str,
    /// The event it is the one alert of.
    pub cause_key: String,
    /// `flash`, `immediate`, `priority` or `routine`.
    pub precedence: &'static str,
    /// `open`, `unanswered` (the rota is done) or `acknowledged`.
    pub state: &'static str,
    /// One line (as notices carry it: cut to what TLP allows).
    pub summary: String,
    /// More.
    pub detail: String,
    /// The rota it goes down ("" if none is configured).
    pub rota: String,
    /// When it was raised.
    pub raised_at: String,
    /// When the next rota step is due.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step_at: Option<String>,
    /// The message it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The party it concerns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counterparty: Option<String>,
    /// The tier it concerns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Who acknowledged the alert.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged_by: Option<String>,
    /// When.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged_at: Option<String>,
    /// How: `link`, `api` or `console`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged_via: Option<&'static str>,
    /// For an alert about a message: whether the message itself is
    /// acknowledged (a different thing from the alert).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_acknowledged: Option<bool>,
    /// The rota steps taken.
    pub notices: Vec<NoticeView>,
}

impl AlertView {
    /// The view of `detail`.
    pub fn of(detail: &AlertDetail) -> Self {
        let record = &detail.record;
        let alert = &record.alert;
        let ack = record.acknowledged.as_ref();
        Self {
            id: record.id,
            cause: alert.cause.as_str(),
            cause_key: alert.cause_key.clone(),
            precedence: alert.precedence.as_str(),
            state: record.state(),
            summary: alert.summary.clone(),
            detail: alert.detail.clone(),
            rota: alert.rota.clone(),
            raised_at: alert.raised_at.to_string(),
            next_step_at: record.next_at.map(|t| t.to_string()),
            message_id: alert.message_id.map(|id| id.to_string()),
            counterparty: alert.counterparty.as_ref().map(ToString::to_string),
            tier: alert.tier.map(|t| t.as_str().to_owned()),
            acknowledged_by: ack.map(|a| a.by.clone()),
            acknowledged_at: ack.map(|a| a.at.to_string()),
            acknowledged_via: ack.map(|a| a.via.into()),
            message_acknowledged: detail.message_acknowledged,
            notices: detail.notices.iter().map(NoticeView::of).collect(),
        }
    }
}

/// A list of alerts.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertList {
    /// Newest first.
    pub alerts: Vec<AlertView>,
}

/// What acknowledging did.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertAcknowledged {
    /// `false` if it had been acknowledged already (the first
    /// acknowledgement is kept, and shown).
    pub acknowledged_now: bool,
    /// The alert.
    pub alert: AlertView,
}

/// An alert number from a path (the API's and the console's).
pub(crate) fn number(id: &str) -> Result<u64, NodeError> {
    params::parse("id", id, "an alert number, e.g. 3")
}

/// List alerts.
#[utoipa::path(get, path = "/api/v1/alerts", params(AlertParams),
    responses((status = 200, body = AlertList),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])), tag = "alerts")]
pub async fn list(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    RawQuery(query): RawQuery,
) -> Result<Json<AlertList>, NodeError> {
    let params: AlertParams = params::decode(query.as_deref(), "use state and limit")?;
    let open_only = params::one_of(
        "state",
        params.state.as_deref(),
        &[("open", true), ("all", false)],
        "use open or all",
    )?
    .unwrap_or(true);
    let query = AlertQuery {
        open_only,
        limit: params::limit(params.limit),
    };
    let alerts = node.alerts_for(&officer, query).await?;
    Ok(Json(AlertList {
        alerts: alerts.iter().map(AlertView::of).collect(),
    }))
}

/// One alert, with its notices.
#[utoipa::path(get, path = "/api/v1/alerts/{id}", params(("id" = u64, Path)),
    responses((status = 200, body = AlertView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])), tag = "alerts")]
pub async fn show(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<AlertView>, NodeError> {
    let detail = node.alert_for(&officer, number(&id)?).await?;
    Ok(Json(AlertView::of(&detail)))
}

/// Acknowledge an alert: its rota stops. The message it is about is not
/// acknowledged by this.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/ack", params(("id" = u64, Path)),
    responses((status = 200, body = AlertAcknowledged),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])), tag = "alerts")]
pub async fn acknowledge(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<AlertAcknowledged>, NodeError> {
    let (outcome, detail) = node
        .acknowledge_alert_as(&officer, number(&id)?, AckVia::Api)
        .await?;
    Ok(Json(AlertAcknowledged {
        acknowledged_now: outcome == AckOutcome::Acknowledged,
        alert: AlertView::of(&detail),
    }))
}
