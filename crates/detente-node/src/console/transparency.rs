//! The log and witnesses page (`/console/log`): this node's latest signed
//! checkpoint, the witness policy and whether the checkpoint meets it, each
//! witness's latest cosignature, the peers' logs this node witnesses, and
//! every alarm with its evidence: [`Node::log_status`], as the officer API
//! answers it.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::i18n::Tr;
use super::pages::{Chrome, readable_time};
use super::web::{OnDuty, html};
use crate::log::LogStatus;
use crate::node::Node;

/// One witness's cosignature.
#[derive(Debug, Clone)]
pub struct CosignatureRow {
    /// The witness.
    pub witness: String,
    /// The size it cosigned.
    pub size: u64,
    /// Whether that is the latest checkpoint.
    pub latest: bool,
}

/// One alarm.
#[derive(Debug, Clone)]
pub struct AlarmRow {
    /// When (RFC 3339).
    pub at: String,
    /// When, for people.
    pub at_text: String,
    /// What kind, in words.
    pub kind: String,
    /// The log or party concerned.
    pub subject: String,
    /// What was found (the node's own words, in English).
    pub detail: String,
    /// The evidence, verbatim.
    pub evidence: String,
}

/// The log and witnesses page.
#[derive(Debug, Template)]
#[template(path = "console/log.html")]
pub struct LogPage {
    /// Around it.
    pub chrome: Chrome,
    /// The log's state.
    pub status: LogStatus,
    /// Its cosignatures.
    pub cosignatures: Vec<CosignatureRow>,
    /// Its alarms, newest first.
    pub alarms: Vec<AlarmRow>,
    /// Why the log signs nothing, if it is held: the translated heading,
    /// the node's own words (English), and why the missing entries could
    /// not be recovered, if they could not (English).
    pub held: Option<(String, String, Option<String>)>,
    /// The cards that expire soon or have expired, one translated line each.
    pub expiring: Vec<String>,
}

pub(super) async fn page(
    State(node): State<Arc<Node>>,
    OnDuty { session, lang, .. }: OnDuty,
) -> Response {
    let status = match node.log_status().await {
        Ok(status) => status,
        Err(error) => return error.into_response(),
    };
    let t = Tr { lang };
    let cosignatures = status
        .cosignatures
        .iter()
        .map(|c| CosignatureRow {
            witness: c.witness.clone(),
            size: c.size,
            latest: c.size == status.size,
        })
        .collect();
    let alarms = status
        .alarms
        .iter()
        .rev()
        .map(|alarm| AlarmRow {
            at: alarm.at.clone(),
            at_text: readable_time(&alarm.at),
            kind: t
                .try_t(&format!("alarm-{}", alarm.kind))
                .unwrap_or_else(|| alarm.kind.clone()),
            subject: alarm.subject.clone(),
            detail: alarm.detail.clone(),
            evidence: alarm.evidence.clone(),
        })
        .collect();
    let held = status.held.as_ref().map(|held| {
        (
            t.t(&format!("log-held-{}", held.reason)),
            held.detail.clone(),
            held.recovery.clone(),
        )
    });
    let expiring = status
        .expiring_cards
        .iter()
        .map(|card| {
            let key = match (card.ours, card.expired) {
                (true, false) => "log-card-expiring-ours",
                (true, true) => "log-card-expired-ours",
                (false, false) => "log-card-expiring-peer",
                (false, true) => "log-card-expired-peer",
            };
            t.ta(
                key,
                &[
                    ("party", card.party.as_str()),
                    ("until", &readable_time(&card.valid_until)),
                ],
            )
        })
        .collect();
    let page = LogPage {
        chrome: Chrome::new(lang, &node, Some(&session), "/console/log"),
        status,
        cosignatures,
        alarms,
        held,
        expiring,
    };
    html(StatusCode::OK, &page)
}
