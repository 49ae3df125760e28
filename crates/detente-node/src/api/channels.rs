//! `GET /api/v1/channels`: each peer's channel, open or suspended (by
//! whom, when, why). Suspending and resuming are `channel-status` messages
//! (`POST /api/v1/messages`, kind `channel-status`).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::auth::Authenticated;
use crate::api::problem::Problem;
use crate::error::NodeError;
use crate::node::Node;

/// One standing suspension.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuspensionView {
    /// The party that suspended the channel.
    pub by: String,
    /// When.
    pub at: String,
    /// Why.
    pub reason: String,
    /// Its `channel-status` message.
    pub message: String,
}

/// One channel.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelView {
    /// The peer.
    pub party: String,
    /// `active` or `suspended`.
    pub status: &'static str,
    /// The standing suspensions (empty when active).
    pub suspended_by: Vec<SuspensionView>,
}

/// Every channel.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelList {
    /// By party.
    pub channels: Vec<ChannelView>,
}

/// List the channels with every peer and whether each is suspended.
#[utoipa::path(get, path = "/api/v1/channels",
    responses(
        (status = 200, body = ChannelList),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), tag = "messages")]
pub async fn list(
    State(node): State<Arc<Node>>,
    Authenticated(_officer): Authenticated,
) -> Result<Json<ChannelList>, NodeError> {
    let mut channels = Vec::new();
    for peer in node.peers().all() {
        let suspended = node.channel_suspensions(peer.party()).await?;
        channels.push(ChannelView {
            party: peer.party().to_string(),
            status: if suspended.is_empty() {
                "active"
            } else {
                "suspended"
            },
            suspended_by: suspended
                .into_iter()
                .map(|s| SuspensionView {
                    by: s.by.to_string(),
                    at: s.at.to_string(),
                    reason: s.reason,
                    message: s.message.to_string(),
                })
                .collect(),
        });
    }
    Ok(Json(ChannelList { channels }))
}
