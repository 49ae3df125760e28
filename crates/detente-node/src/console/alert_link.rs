//! The page an alert's single-use link opens (`/alerts/ack/{token}`). A
//! GET only shows the alert and offers the button: mail scanners and link
//! previews fetch links, and must not acknowledge anything. The POST
//! acknowledges it as the rota contact the link was sent to; the same link
//! again finds it acknowledged and says by whom. No session is needed: the
//! link itself is the credential, good for that one alert only.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum_extra::extract::CookieJar;
use detente_store::{AckOutcome, AlertAck};

use super::i18n::Tr;
use super::pages::Chrome;
use super::web::{html, request_lang};
use crate::alerts::AlertDetail;
use crate::error::{NodeError, Unauthenticated};
use crate::node::Node;

/// The alert, as the page shows it.
#[derive(Debug, Clone)]
pub struct AlertCard {
    /// Its number.
    pub id: u64,
    /// Its precedence, in words.
    pub precedence: String,
    /// Its wire name, for the colour.
    pub precedence_wire: &'static str,
    /// One line.
    pub summary: String,
    /// More.
    pub detail: String,
}

impl AlertCard {
    /// The card of `detail`.
    pub fn of(detail: &AlertDetail, t: &Tr) -> Self {
        let alert = &detail.record.alert;
        Self {
            id: detail.record.id,
            precedence: t.precedence(alert.precedence),
            precedence_wire: alert.precedence.as_str(),
            summary: alert.summary.clone(),
            detail: alert.detail.clone(),
        }
    }
}

/// The link's page.
#[derive(Debug, Template)]
#[template(path = "console/alert_link.html")]
pub struct AlertLinkPage {
    /// Around it.
    pub chrome: Chrome,
    /// The alert, when the link is good.
    pub alert: Option<AlertCard>,
    /// What happened.
    pub notice: Option<String>,
    /// Whether that is a failure.
    pub failed: bool,
    /// Whether to offer the button.
    pub offer: bool,
    /// The link's token.
    pub token: String,
}

/// `Acknowledged by X at T` in the interface language.
fn acknowledged(t: &Tr, key: &str, ack: &AlertAck) -> String {
    t.ta(key, &[("by", &ack.by), ("at", &ack.at.to_string())])
}

fn page(
    node: &Node,
    t: Tr,
    token: String,
    result: Result<(Option<AckOutcome>, AlertDetail), NodeError>,
) -> Response {
    let chrome = Chrome::new(t.lang, node, None, "/console/alerts");
    let (status, alert, notice, failed, offer) = match result {
        Ok((outcome, detail)) => {
            let notice = match (&outcome, &detail.record.acknowledged) {
                (Some(AckOutcome::Acknowledged), Some(ack)) => {
                    Some(acknowledged(&t, "alert-link-done", ack))
                }
                (_, Some(ack)) => Some(acknowledged(&t, "alert-link-already", ack)),
                (_, None) => None,
            };
            let offer = detail.record.acknowledged.is_none();
            (
                StatusCode::OK,
                Some(AlertCard::of(&detail, &t)),
                notice,
                false,
                offer,
            )
        }
        Err(NodeError::Unauthenticated(Unauthenticated::BadAlertLink)) => (
            StatusCode::NOT_FOUND,
            None,
            Some(t.t("alert-link-invalid")),
            true,
            false,
        ),
        Err(error) => return axum::response::IntoResponse::into_response(error),
    };
    let page = AlertLinkPage {
        chrome,
        alert,
        notice,
        failed,
        offer,
        token,
    };
    html(status, &page)
}

/// What the link's page does: show the alert, or acknowledge it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Show,
    Acknowledge,
}

async fn respond(
    node: &Node,
    jar: &CookieJar,
    headers: &HeaderMap,
    token: String,
    step: Step,
) -> Response {
    let t = Tr {
        lang: request_lang(jar, headers),
    };
    let result = match step {
        Step::Show => node
            .alert_of_link(&token)
            .await
            .map(|(detail, _)| (None, detail)),
        Step::Acknowledge => node
            .acknowledge_alert_by_link(&token)
            .await
            .map(|(outcome, detail)| (Some(outcome), detail)),
    };
    page(node, t, token, result)
}

pub(super) async fn show(
    State(node): State<Arc<Node>>,
    jar: CookieJar,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    respond(&node, &jar, &headers, token, Step::Show).await
}

pub(super) async fn acknowledge(
    State(node): State<Arc<Node>>,
    jar: CookieJar,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    respond(&node, &jar, &headers, token, Step::Acknowledge).await
}
