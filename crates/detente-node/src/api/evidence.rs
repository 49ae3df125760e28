//! Evidence export (docs/evidence.md): `GET /api/v1/threads/{id}/evidence`
//! (one thread; `{id}` may be any message of it) and
//! `GET /api/v1/evidence?counterparty=XX` (everything exchanged with one
//! party; with `period=2026-Q4`, or `from` and `to`, also the responsiveness
//! figures of that period, which `detente verify` recomputes);
//! `GET /api/v1/guarantees/{id}/evidence` and
//! `GET /api/v1/pledges/{host}/{id}/evidence` (every signed step of one
//! guarantee or pledge, for `detente verify` to judge its status or
//! signatories at any moment). The officer gets the messages of the tiers
//! they are cleared for.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use detente_evidence::bundle::Scope;
use detente_proto::ids::{MessageId, PartyCode};
use detente_proto::pledge::PledgeRef;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::auth::Authenticated;
use crate::api::params;
use crate::api::problem::Problem;
use crate::api::stats::PeriodParams;
use crate::error::NodeError;
use crate::node::Node;

pub(crate) fn bundle_response(bundle: &detente_evidence::Bundle) -> Response {
    let mut response = bundle.to_json().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Export the evidence bundle of a thread.
#[utoipa::path(get, path = "/api/v1/threads/{id}/evidence",
    params(("id" = String, Path, description = "Any message of the thread")),
    responses(
        (status = 200, description = "The evidence bundle (detente-evidence/v1, docs/evidence.md); check it with `detente verify`", body = Object, content_type = "application/json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), tag = "evidence")]
pub async fn thread(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, NodeError> {
    let id: MessageId = id.parse().map_err(|_| NodeError::NotFound {
        what: "message",
        id: id.clone(),
    })?;
    let bundle = node
        .export_evidence(&officer, Scope::Thread(id), None)
        .await?;
    Ok(bundle_response(&bundle))
}

/// `GET /api/v1/evidence` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExchangeParams {
    /// The party whose exchange with this node to export.
    pub counterparty: String,
    /// With figures: a year (`2026`), quarter (`2026-Q4`) or month (`2026-11`).
    pub period: Option<String>,
    /// With figures: the first day (or RFC 3339 instant) of the period.
    pub from: Option<String>,
    /// With figures: the last day (inclusive), or the instant that ends it.
    pub to: Option<String>,
}

/// Export the evidence bundle of everything exchanged with one party.
#[utoipa::path(get, path = "/api/v1/evidence", params(ExchangeParams),
    responses(
        (status = 200, description = "The evidence bundle (detente-evidence/v1, docs/evidence.md); check it with `detente verify`", body = Object, content_type = "application/json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), tag = "evidence")]
pub async fn exchange(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    RawQuery(query): RawQuery,
) -> Result<Response, NodeError> {
    let params: ExchangeParams =
        params::decode(query.as_deref(), "give ?counterparty=XX (a party code)")?;
    let party: PartyCode =
        params::parse("counterparty", &params.counterparty, "give a party code")?;
    let figures = PeriodParams {
        period: params.period,
        from: params.from,
        to: params.to,
    };
    let period = if figures.period.is_none() && figures.from.is_none() && figures.to.is_none() {
        None
    } else {
        Some(figures.period(node.now())?)
    };
    let bundle = node
        .export_evidence(&officer, Scope::Counterparty(party), period)
        .await?;
    Ok(bundle_response(&bundle))
}

/// Export the evidence bundle of a guarantee: every message that proposed,
/// signed or withdrew it.
#[utoipa::path(get, path = "/api/v1/guarantees/{id}/evidence",
    params(("id" = String, Path, description = "The guarantee's id, e.g. ru-us-elections-2026")),
    responses(
        (status = 200, description = "The evidence bundle (detente-evidence/v1, docs/evidence.md); `detente verify --at <time>` judges the guarantee's status at that moment", body = Object, content_type = "application/json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), tag = "evidence")]
pub async fn guarantee(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, NodeError> {
    if !detente_proto::ids::is_document_id(&id) {
        return Err(NodeError::NotFound {
            what: "guarantee",
            id,
        });
    }
    let bundle = node
        .export_evidence(&officer, Scope::Guarantee(id), None)
        .await?;
    Ok(bundle_response(&bundle))
}

/// Export the evidence bundle of a pledge: its text as its host published
/// it, and every message that signed it or withdrew from it.
#[utoipa::path(get, path = "/api/v1/pledges/{host}/{id}/evidence",
    params(("host" = String, Path, description = "The pledge's host, e.g. UN"),
        ("id" = String, Path, description = "Its id at the host, e.g. no-first-use")),
    responses(
        (status = 200, description = "The evidence bundle (detente-evidence/v1, docs/evidence.md); `detente verify --at <time>` judges the pledge's signatories at that moment", body = Object, content_type = "application/json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), tag = "evidence")]
pub async fn pledge(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    Path((host, id)): Path<(String, String)>,
) -> Result<Response, NodeError> {
    let named = format!("{host}/{id}");
    let reference: PledgeRef = named.parse().map_err(|_| NodeError::NotFound {
        what: "pledge",
        id: named.clone(),
    })?;
    let bundle = node
        .export_evidence(&officer, Scope::Pledge(reference), None)
        .await?;
    Ok(bundle_response(&bundle))
}
