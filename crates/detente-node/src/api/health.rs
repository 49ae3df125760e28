//! `GET /healthz` and `GET /readyz` ([`crate::health`]): no credentials,
//! for load balancers and systemd.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::health::Readiness;
use crate::node::Node;

/// The process is up and serving.
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// 200 when every readiness check passes, else 503; the checks as JSON.
pub async fn readyz(State(node): State<Arc<Node>>) -> (StatusCode, Json<Readiness>) {
    let readiness = node.readiness().await;
    let status = if readiness.ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(readiness))
}
