//! The officer API's message endpoints (docs/operations.md, "The officer API"): compose
//! and send, list, show, acknowledge. Every endpoint needs a bearer token,
//! and an officer sees only the messages of the tiers they are cleared for.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use detente_proto::ids::MessageId;
use detente_store::{Mailbox, MessageQuery, MessageState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::auth::Authenticated;
use crate::api::params;
use crate::api::problem::{Problem, decode_json, decode_optional_json};
use crate::api::read_body;
use crate::api::views::{MessageDetail, MessageView};
use crate::compose::ComposeRequest;
use crate::error::NodeError;
use crate::node::Node;

const MAX_REQUEST_BYTES: usize = 2 * 1024 * 1024;

/// `GET /api/v1/messages` query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// `inbox`, `outbox` or `all` (default).
    #[serde(rename = "box")]
    pub mailbox: Option<String>,
    /// `queued`, `delivered` or `received`.
    pub state: Option<String>,
    /// Only messages exchanged with this party.
    pub counterparty: Option<String>,
    /// At most this many, newest first (default 100, at most 1000).
    pub limit: Option<usize>,
}

/// A list of messages.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageList {
    /// Newest first.
    pub messages: Vec<MessageView>,
}

/// `POST /api/v1/messages/{id}/ack` body.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AckRequest {
    /// An optional remark.
    #[serde(default)]
    pub note: Option<String>,
}

pub(crate) fn parse_id(text: &str) -> Result<MessageId, NodeError> {
    text.parse().map_err(|_| NodeError::NotFound {
        what: "message",
        id: text.to_owned(),
    })
}

/// Compose and send a message.
#[utoipa::path(post, path = "/api/v1/messages", request_body = ComposeRequest,
    responses(
        (status = 202, description = "Signed, stored and queued for delivery", body = MessageView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not cleared for the tier", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field; `field` names it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), tag = "messages")]
pub async fn compose(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<MessageView>), NodeError> {
    let bytes = read_body(body, MAX_REQUEST_BYTES).await?;
    let request: ComposeRequest = decode_json(&bytes)?;
    let stored = node.compose_written(&officer, request).await?;
    let view = node
        .off_runtime(move |node| MessageView::of(node, &stored))
        .await?;
    Ok((StatusCode::ACCEPTED, Json(view)))
}

/// List messages.
#[utoipa::path(get, path = "/api/v1/messages", params(ListParams),
    responses(
        (status = 200, body = MessageList),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), tag = "messages")]
pub async fn list(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    RawQuery(query): RawQuery,
) -> Result<Json<MessageList>, NodeError> {
    let params: ListParams =
        params::decode(query.as_deref(), "use box, state, counterparty and limit")?;
    let mailbox = params::one_of(
        "box",
        params.mailbox.as_deref(),
        &[
            ("all", Mailbox::All),
            ("inbox", Mailbox::Inbox),
            ("outbox", Mailbox::Outbox),
        ],
        "use inbox, outbox or all",
    )?
    .unwrap_or(Mailbox::All);
    let state = params::one_of(
        "state",
        params.state.as_deref(),
        &[
            ("queued", MessageState::Queued),
            ("delivered", MessageState::Delivered),
            ("received", MessageState::Received),
        ],
        "use queued, delivered or received",
    )?;
    let counterparty = params::counterparty(params.counterparty.as_deref())?;
    let messages = node
        .visible_message_views(
            &officer,
            MessageQuery {
                mailbox,
                state,
                tiers: Vec::new(),
                counterparty,
                kind: None,
                limit: params::limit(params.limit),
            },
        )
        .await?;
    Ok(Json(MessageList { messages }))
}

/// Show one message: state, receipt (re-verified), acknowledgement, envelope.
#[utoipa::path(get, path = "/api/v1/messages/{id}", params(("id" = String, Path, description = "Message id")),
    responses(
        (status = 200, body = MessageDetail),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), tag = "messages")]
pub async fn show(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<MessageDetail>, NodeError> {
    let id = parse_id(&id)?;
    let stored = node.visible_message(&officer, id).await?;
    let signed_envelope = serde_json::from_slice(&stored.message.envelope)
        .map_err(NodeError::unreadable("envelope of message", id))?;
    let (message, deadlines) = node
        .off_runtime(move |node| {
            let deadlines = node.deadline_views(&stored)?;
            Ok::<_, NodeError>((MessageView::of(node, &stored), deadlines))
        })
        .await??;
    Ok(Json(MessageDetail {
        message,
        signed_envelope,
        deadlines,
    }))
}

/// Acknowledge a received message.
#[utoipa::path(post, path = "/api/v1/messages/{id}/ack", params(("id" = String, Path, description = "Message id")),
    request_body(content = AckRequest, description = "Optional; an empty body is fine"),
    responses(
        (status = 202, description = "The acknowledgement, queued", body = MessageView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), tag = "messages")]
pub async fn acknowledge(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    Path(id): Path<String>,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<MessageView>), NodeError> {
    let id = parse_id(&id)?;
    let bytes = read_body(body, MAX_REQUEST_BYTES).await?;
    let request: AckRequest = decode_optional_json(&bytes)?;
    let stored = node.acknowledge(&officer, id, request.note).await?;
    let view = node
        .off_runtime(move |node| MessageView::of(node, &stored))
        .await?;
    Ok((StatusCode::ACCEPTED, Json(view)))
}
