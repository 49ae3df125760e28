//! Draft notifications in the officer API (docs/taxii.md, "Drafts"): the
//! STIX objects a SOC posted over TAXII, or an officer pulled from one,
//! waiting for an officer to send them as a notification or discard them.
//!
//! Every officer sees open and discarded drafts (what the SOC offers, for
//! whoever is on duty to review); a sent draft only by an officer who may
//! see the message it became, as for any message.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use detente_store::DraftState;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::auth::Authenticated;
use crate::api::params;
use crate::api::problem::{Problem, decode_json};
use crate::api::read_body;
use crate::api::views::MessageView;
use crate::error::NodeError;
use crate::node::Node;
use crate::taxii::drafts::{DraftView, NewDraftRequest, SendDraft};

const MAX_REQUEST_BYTES: usize = 2 * 1024 * 1024;

/// `GET /api/v1/drafts` query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DraftParams {
    /// `open`, `sent` or `discarded`; all if omitted.
    pub state: Option<String>,
    /// Only drafts for this party.
    pub counterparty: Option<String>,
    /// At most this many, newest first (default 100, at most 1000).
    pub limit: Option<usize>,
}

/// A list of drafts.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftList {
    /// Newest first.
    pub drafts: Vec<DraftView>,
}

/// List drafts.
#[utoipa::path(get, path = "/api/v1/drafts", params(DraftParams),
    responses((status = 200, body = DraftList),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])), tag = "drafts")]
pub async fn list(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    RawQuery(query): RawQuery,
) -> Result<Json<DraftList>, NodeError> {
    let params: DraftParams =
        params::decode(query.as_deref(), "use state, counterparty and limit")?;
    let state: Option<DraftState> = params::parsed(
        "state",
        params.state.as_deref(),
        "use open, sent or discarded",
    )?;
    let counterparty = params::counterparty(params.counterparty.as_deref())?;
    let limit = params::limit(params.limit);
    let drafts = node
        .visible_drafts(&officer, state, counterparty, limit)
        .await?;
    Ok(Json(DraftList {
        drafts: drafts.iter().map(|d| DraftView::of(d, false)).collect(),
    }))
}

/// Make a draft notification from a STIX bundle (e.g. pulled from a SOC's TAXII server).
#[utoipa::path(post, path = "/api/v1/drafts", request_body = NewDraftRequest,
    responses((status = 201, body = DraftView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid bundle; the detail names the object and property", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])), tag = "drafts")]
pub async fn create(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<DraftView>), NodeError> {
    let bytes = read_body(body, MAX_REQUEST_BYTES).await?;
    let request: NewDraftRequest = decode_json(&bytes)?;
    let draft = node.create_draft(&officer, request).await?;
    Ok((StatusCode::CREATED, Json(DraftView::of(&draft, true))))
}

/// One draft, with its bundle.
#[utoipa::path(get, path = "/api/v1/drafts/{id}", params(("id" = String, Path)),
    responses((status = 200, body = DraftView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])), tag = "drafts")]
pub async fn show(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<DraftView>, NodeError> {
    let draft = node.visible_draft(&officer, &id).await?;
    Ok(Json(DraftView::of(&draft, true)))
}

/// Send a draft as a notification (the officer must be cleared for `from_tier`).
#[utoipa::path(post, path = "/api/v1/drafts/{id}/send", params(("id" = String, Path)),
    request_body = SendDraft,
    responses((status = 202, description = "Signed, stored and queued", body = MessageView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already sent or discarded", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])), tag = "drafts")]
pub async fn send(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    Path(id): Path<String>,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<MessageView>), NodeError> {
    let bytes = read_body(body, MAX_REQUEST_BYTES).await?;
    let request: SendDraft = decode_json(&bytes)?;
    let stored = node.send_draft(&officer, &id, request).await?;
    Ok((StatusCode::ACCEPTED, Json(MessageView::of(&node, &stored))))
}

/// Discard a draft: it stays on record, marked discarded, and is never sent.
#[utoipa::path(post, path = "/api/v1/drafts/{id}/discard", params(("id" = String, Path)),
    responses((status = 200, body = DraftView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already sent or discarded", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])), tag = "drafts")]
pub async fn discard(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<DraftView>, NodeError> {
    let draft = node.discard_draft(&officer, &id).await?;
    Ok(Json(DraftView::of(&draft, false)))
}
