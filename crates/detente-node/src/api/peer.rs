//! The peer API (docs/protocol.md, "The peer API"): other nodes deliver sealed
//! envelopes, fetch our card and push theirs. Mutual TLS with a pinned
//! certificate is required for delivery and pushes; the card is public.

use std::sync::Arc;

use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::api::read_body;
use crate::error::NodeError;
use crate::node::Node;
use crate::server::PeerIdentity;

fn json_bytes(bytes: Vec<u8>) -> Response {
    let mut response = bytes.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// `POST /peer/v1/envelopes`: a sealed envelope in, a signed receipt out.
pub async fn post_envelope(
    State(node): State<Arc<Node>>,
    Extension(PeerIdentity(peer)): Extension<PeerIdentity>,
    body: axum::body::Body,
) -> Result<Response, NodeError> {
    let bytes = read_body(body, node.config().limits.max_sealed_bytes()).await?;
    let receipt = node.receive(peer, bytes).await?;
    Ok(json_bytes(receipt))
}

/// `POST /peer/v1/card`: a pinned peer's card chain in, the card now held out.
pub async fn post_card(
    State(node): State<Arc<Node>>,
    Extension(PeerIdentity(peer)): Extension<PeerIdentity>,
    body: axum::body::Body,
) -> Result<Response, NodeError> {
    let bytes = read_body(body, crate::card_push::MAX_PUSH_BYTES).await?;
    let held = node.accept_card_chain(peer, bytes).await?;
    Ok(json_bytes(held))
}

/// `GET /peer/v1/card`: this party's signed card.
pub async fn get_card(State(node): State<Arc<Node>>) -> Response {
    json_bytes(node.card().bytes().to_vec())
}
