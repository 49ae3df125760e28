//! The node's HTTP surfaces (docs/protocol.md and docs/operations.md):
//!
//! - [`peer`]: `POST /peer/v1/envelopes`, `GET /peer/v1/card` (mutual TLS);
//! - [`messages`]: the officer API under `/api/v1/` (bearer tokens scoped
//!   to tiers), with its OpenAPI document at `/api/v1/openapi.json`;
//! - [`problem`]: RFC 9457 problem+json for every error.

pub mod agreements;
pub mod alerts;
pub mod auth;
pub mod channels;
pub mod commitments;
pub mod drafts;
pub mod evidence;
pub mod health;
pub mod log;
pub mod messages;
pub mod openapi;
pub mod params;
pub mod peer;
pub mod problem;
pub mod stats;
pub mod views;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use crate::node::Node;

/// Every route of the node.
pub fn router(node: Arc<Node>) -> Router {
    Router::new()
        .route("/peer/v1/envelopes", post(peer::post_envelope))
        .route("/peer/v1/card", get(peer::get_card).post(peer::post_card))
        .route(
            "/api/v1/messages",
            post(messages::compose).get(messages::list),
        )
        .route("/api/v1/messages/{id}", get(messages::show))
        .route("/api/v1/messages/{id}/ack", post(messages::acknowledge))
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/api/v1/log/status", get(log::status))
        .route("/api/v1/threads/{id}/evidence", get(evidence::thread))
        .route("/api/v1/evidence", get(evidence::exchange))
        .route("/api/v1/guarantees/{id}/evidence", get(evidence::guarantee))
        .route(
            "/api/v1/pledges/{host}/{id}/evidence",
            get(evidence::pledge),
        )
        .route("/api/v1/channels", get(channels::list))
        .route("/api/v1/stats", get(stats::stats))
        .route(
            "/api/v1/guarantees",
            get(commitments::list_guarantees).post(commitments::propose_guarantee),
        )
        .route("/api/v1/guarantees/{id}", get(commitments::show_guarantee))
        .route(
            "/api/v1/guarantees/{id}/sign",
            post(commitments::sign_guarantee),
        )
        .route(
            "/api/v1/guarantees/{id}/withdraw",
            post(commitments::withdraw_guarantee),
        )
        .route(
            "/api/v1/pledges",
            get(commitments::list_pledges).post(commitments::create_pledge),
        )
        .route("/api/v1/pledges/{host}/{id}", get(commitments::show_pledge))
        .route(
            "/api/v1/pledges/{host}/{id}/sign",
            post(commitments::sign_pledge),
        )
        .route(
            "/api/v1/pledges/{host}/{id}/withdraw",
            post(commitments::withdraw_pledge),
        )
        .route("/peer/v1/pledges/{id}", get(commitments::registry))
        .route(
            "/api/v1/agreements",
            get(agreements::list).post(agreements::propose),
        )
        .route("/api/v1/agreements/{reference}", get(agreements::show))
        .route(
            "/api/v1/agreements/{reference}/sign",
            post(agreements::sign),
        )
        .route("/api/v1/alerts", get(alerts::list))
        .route("/api/v1/alerts/{id}", get(alerts::show))
        .route("/api/v1/alerts/{id}/ack", post(alerts::acknowledge))
        .route("/api/v1/drafts", get(drafts::list).post(drafts::create))
        .route("/api/v1/drafts/{id}", get(drafts::show))
        .route("/api/v1/drafts/{id}/send", post(drafts::send))
        .route("/api/v1/drafts/{id}/discard", post(drafts::discard))
        .merge(crate::taxii::routes::routes())
        .merge(crate::console::web::routes())
        .route("/log/checkpoint", get(log::checkpoint))
        .route("/log/add-checkpoint", post(log::add_checkpoint))
        .route("/log/witnessed", get(log::witnessed))
        .route("/log/copy/tile/{*rest}", get(log::copy))
        .route("/log/tile/{*rest}", get(log::tile))
        .route("/metrics", get(crate::metrics::scrape))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .fallback(problem::not_found)
        .method_not_allowed_fallback(problem::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            node.clone(),
            crate::metrics::measure,
        ))
        .with_state(node)
}

/// Reads a request body up to `limit` bytes.
pub(crate) async fn read_body(
    body: axum::body::Body,
    limit: usize,
) -> Result<Vec<u8>, crate::error::NodeError> {
    axum::body::to_bytes(body, limit)
        .await
        .map(|bytes| bytes.to_vec())
        .map_err(|_| crate::error::NodeError::BodyTooLarge { limit })
}
