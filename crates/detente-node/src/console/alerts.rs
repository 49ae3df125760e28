//! The alerts page (`/console/alerts`): the alerts the officer may see,
//! newest first, each with who was alerted and how that went, whether the
//! message it is about is acknowledged, and a button that acknowledges the
//! alert (not the message).

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use detente_store::{AckVia, AlertQuery, NoticeState};
use serde::Deserialize;

use super::alert_link::AlertCard;
use super::i18n::Tr;
use super::pages::{Chrome, readable_time};
use super::web::{ConsoleForm, OnDuty, html, posting_session};
use crate::alerts::AlertDetail;
use crate::api::params;
use crate::node::Node;

/// One alert on the page.
#[derive(Debug, Clone)]
pub struct AlertRow {
    /// What it says.
    pub card: AlertCard,
    /// `open`, `unanswered` or `acknowledged`, for the style.
    pub state_wire: &'static str,
    /// Its state, in words.
    pub state: String,
    /// When it was raised.
    pub raised_at: String,
    /// The same, for people.
    pub raised_text: String,
    /// Each notice, in words.
    pub notices: Vec<String>,
    /// The message it is about.
    pub message_id: Option<String>,
    /// Whether that message is acknowledged, in words.
    pub message_state: Option<String>,
    /// Whether it may still be acknowledged.
    pub open: bool,
}

impl AlertRow {
    fn of(detail: &AlertDetail, t: &Tr) -> Self {
        let record = &detail.record;
        let state_wire = record.state();
        let state = match &record.acknowledged {
            Some(ack) => {
                let via = t.t(&format!("alerts-via-{}", ack.via));
                t.ta(
                    "alerts-state-acknowledged",
                    &[
                        ("by", &ack.by),
                        ("via", &via),
                        ("at", &readable_time(&ack.at.to_string())),
                    ],
                )
            }
            None => t.t(&format!("alerts-state-{state_wire}")),
        };
        let notices = detail
            .notices
            .iter()
            .map(|notice| {
                let word = match notice.state {
                    NoticeState::Pending => "alerts-notice-pending",
                    NoticeState::Sent => "alerts-notice-sent",
                    NoticeState::Failed => "alerts-notice-failed",
                    NoticeState::Cancelled => "alerts-notice-cancelled",
                };
                t.ta(
                    "alerts-notice",
                    &[
                        ("contact", &notice.notice.contact),
                        ("channel", &notice.notice.channel),
                        ("state", &t.t(word)),
                    ],
                )
            })
            .collect();
        Self {
            card: AlertCard::of(detail, t),
            state_wire,
            state,
            raised_at: record.alert.raised_at.to_string(),
            raised_text: readable_time(&record.alert.raised_at.to_string()),
            notices,
            message_id: record.alert.message_id.map(|id| id.to_string()),
            message_state: detail.message_acknowledged.map(|acknowledged| {
                t.t(if acknowledged {
                    "alerts-message-acknowledged"
                } else {
                    "alerts-message-open"
                })
            }),
            open: record.acknowledged.is_none(),
        }
    }
}

/// The alerts page.
#[derive(Debug, Template)]
#[template(path = "console/alerts.html")]
pub struct AlertsPage {
    /// Around it.
    pub chrome: Chrome,
    /// The alerts.
    pub rows: Vec<AlertRow>,
    /// What the last action did.
    pub notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertsQuery {
    acknowledged: Option<u64>,
}

pub(super) async fn page(
    State(node): State<Arc<Node>>,
    OnDuty { session, lang, .. }: OnDuty,
    RawQuery(query): RawQuery,
) -> Response {
    let t = Tr { lang };
    let query: AlertsQuery =
        params::decode(query.as_deref(), "the only parameter is acknowledged").unwrap_or_default();
    let listing = AlertQuery {
        open_only: false,
        limit: params::DEFAULT_LIMIT,
    };
    let alerts = match node.alerts_for(&session.officer, listing).await {
        Ok(alerts) => alerts,
        Err(error) => return error.into_response(),
    };
    let page = AlertsPage {
        chrome: Chrome::new(lang, &node, Some(&session), "/console/alerts"),
        rows: alerts.iter().map(|a| AlertRow::of(a, &t)).collect(),
        notice: query
            .acknowledged
            .map(|id| t.t1("alerts-acknowledged-now", "id", &id.to_string())),
    };
    html(StatusCode::OK, &page)
}

#[derive(Debug, Deserialize)]
pub(super) struct AckForm {
    csrf: Option<String>,
}

pub(super) async fn acknowledge(
    State(node): State<Arc<Node>>,
    Path(id): Path<String>,
    jar: CookieJar,
    uri: Uri,
    headers: HeaderMap,
    ConsoleForm(form): ConsoleForm<AckForm>,
) -> Response {
    let session = match posting_session(&node, &jar, &uri, &headers, form.csrf.as_deref()).await {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    let id = match crate::api::alerts::number(&id) {
        Ok(id) => id,
        Err(error) => return error.into_response(),
    };
    match node
        .acknowledge_alert_as(&session.officer, id, AckVia::Console)
        .await
    {
        Ok(_) => Redirect::to(&format!("/console/alerts?acknowledged={id}#a-{id}")).into_response(),
        Err(error) => error.into_response(),
    }
}
