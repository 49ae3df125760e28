//! The log's read surface (C2SP tlog-tiles §"Serving"): `GET /log/checkpoint`
//! and `GET /log/tile/…` (hash tiles and entry bundles).
//!
//! Readable by authenticated peers (mutual TLS) and by this node's officers
//! (bearer token); nobody else. Tiles are computed from the in-memory tree
//! and served only up to the last committed checkpoint.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use detente_log::tiles::{Tile, TilePath, encode_entry_bundle};

use crate::api::auth::Authenticated;
use crate::error::{Bug, Mistake, NodeError};
use crate::node::Node;
use crate::server::PeerIdentity;

/// A caller allowed to read the log: a pinned peer or an officer.
#[derive(Debug, Clone)]
pub struct LogReader;

impl FromRequestParts<Arc<Node>> for LogReader {
    type Rejection = NodeError;

    async fn from_request_parts(
        parts: &mut Parts,
        node: &Arc<Node>,
    ) -> Result<Self, Self::Rejection> {
        if matches!(
            parts.extensions.get::<PeerIdentity>(),
            Some(PeerIdentity(Some(_)))
        ) {
            return Ok(Self);
        }
        Authenticated::from_request_parts(parts, node)
            .await
            .map(|_| Self)
    }
}

fn body(content_type: &'static str, bytes: Vec<u8>, immutable: bool) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-store"
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// `GET /log/checkpoint`: the latest signed checkpoint, with the
/// cosignatures of the witnesses that have cosigned exactly that size.
pub async fn checkpoint(
    State(node): State<Arc<Node>>,
    _reader: LogReader,
) -> Result<Response, NodeError> {
    let checkpoint = node.log().checkpoint().ok_or_else(|| NodeError::NotFound {
        what: "checkpoint of",
        id: format!("{} (the log is empty)", crate::log::origin(node.party())),
    })?;
    let cosignatures = node.with_store(|s| Ok(s.cosignatures()?)).await?;
    let note = checkpoint.cosigned(&cosignatures);
    Ok(body("text/plain; charset=utf-8", note.into_bytes(), false))
}

/// `GET /log/witnessed`: the checkpoint of the calling peer's log this
/// node holds as its witness (pinned peers only; `log/confirm.rs`).
pub async fn witnessed(
    State(node): State<Arc<Node>>,
    axum::Extension(PeerIdentity(peer)): axum::Extension<PeerIdentity>,
) -> Result<Response, NodeError> {
    let note = node.witnessed_for(peer).await?;
    Ok(body("text/plain; charset=utf-8", note, false))
}

/// `GET /log/copy/tile/entries/…`: entries of the calling peer's log from
/// this node's copy, as a C2SP tlog-tiles entry bundle (pinned peers only;
/// `log/recovery.rs`).
pub async fn copy(
    State(node): State<Arc<Node>>,
    axum::Extension(PeerIdentity(peer)): axum::Extension<PeerIdentity>,
    Path(rest): Path<String>,
) -> Result<Response, NodeError> {
    let path = format!("tile/{rest}");
    let Ok(TilePath::Entries(tile)) = TilePath::parse(&path) else {
        return Err(Mistake::Parameter {
            parameter: "copy path",
            problem: path,
            expected: "tile/entries/<N>[.p/<W>], as C2SP tlog-tiles names entry bundles",
        }
        .into());
    };
    let start = tile.index() * 256;
    let end = start + u64::from(tile.width());
    let bundle = node.log_copy_for(peer, start, end).await?;
    Ok(body("application/octet-stream", bundle, !tile.is_partial()))
}

/// `POST /log/add-checkpoint` (C2SP tlog-witness): this node witnesses its
/// peers' logs. Pinned peers only.
pub async fn add_checkpoint(
    State(node): State<Arc<Node>>,
    axum::Extension(PeerIdentity(peer)): axum::Extension<PeerIdentity>,
    request: axum::body::Body,
) -> Result<Response, NodeError> {
    let Some(peer) = peer else {
        return Err(crate::error::PeerRejection::NotAPeer.into());
    };
    let bytes = crate::api::read_body(request, 1024 * 1024).await?;
    let answer = node
        .off_runtime(move |node| node.add_checkpoint_blocking(&peer, &bytes))
        .await??;
    let status = axum::http::StatusCode::from_u16(answer.status)
        .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, answer.body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(answer.content_type),
    );
    Ok(response)
}

/// `GET /log/tile/…`: a hash tile or an entry bundle.
pub async fn tile(
    State(node): State<Arc<Node>>,
    _reader: LogReader,
    Path(rest): Path<String>,
) -> Result<Response, NodeError> {
    let path = format!("tile/{rest}");
    let not_found = || NodeError::NotFound {
        what: "tile",
        id: path.clone(),
    };
    let parsed = TilePath::parse(&path).map_err(|e| Mistake::Parameter {
        parameter: "tile path",
        problem: format!("{path}: {e}"),
        expected: "see C2SP tlog-tiles for tile paths",
    })?;
    let size = node.log().checkpoint().map(|c| c.size).unwrap_or(0);
    let wanted = parsed.tile();
    // The tile must exist in the committed tree at least as wide as asked.
    let available = Tile::in_tree(wanted.level(), wanted.index(), size).ok_or_else(not_found)?;
    if wanted.width() > available.width() {
        return Err(not_found());
    }
    let immutable = !wanted.is_partial();
    match parsed {
        TilePath::Hashes(tile) => {
            let bytes = node
                .log()
                .read(|view| tile.encode_from(&view.tree))
                .map_err(Bug::construction("hash tile"))?;
            Ok(body("application/octet-stream", bytes, immutable))
        }
        TilePath::Entries(tile) => {
            let start = tile.index() * 256;
            let end = start + u64::from(tile.width());
            let entries = node
                .with_store(move |s| Ok(s.log_entries(start, end)?))
                .await?;
            if entries.len() as u64 != end - start {
                return Err(not_found());
            }
            let bytes = encode_entry_bundle(&entries).map_err(Bug::construction("entry bundle"))?;
            Ok(body("application/octet-stream", bytes, immutable))
        }
    }
}

pub use crate::log::{AlarmView, CosignatureView, HeldView, LogStatus, WitnessedLogView};

/// The state of this node's log, its witnesses, and alarms.
#[utoipa::path(get, path = "/api/v1/log/status",
    responses(
        (status = 200, body = LogStatus),
        (status = 401, body = crate::api::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), tag = "log")]
pub async fn status(
    State(node): State<Arc<Node>>,
    _officer: Authenticated,
) -> Result<axum::Json<LogStatus>, NodeError> {
    Ok(axum::Json(node.log_status().await?))
}
