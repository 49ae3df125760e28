//! `GET /metrics` (docs/operations.md, "Health and metrics"): OpenMetrics
//! text (which Prometheus scrapes), made with `prometheus-client`. The
//! figures are read from the store at each scrape (counts by `GROUP BY`),
//! so they are the figures the officer API shows; only the request
//! latency histogram lives in memory, per route.
//!
//! Served behind its own bearer token on the node's listener
//! (`[metrics] token_file`), and/or without a token on a separate plain
//! HTTP listener (`[metrics] listen`, loopback only); off otherwise.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{NodeError, NodeResult, Unauthenticated};
use crate::node::Node;

/// `[metrics]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// A file holding the bearer token `GET /metrics` on the node's
    /// listener needs (relative to the node directory).
    pub token_file: Option<PathBuf>,
    /// A loopback address to serve `GET /metrics` on, plain HTTP, without
    /// a token.
    pub listen: Option<SocketAddr>,
}

/// What is wrong with `[metrics]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetricsProblem {
    /// The token file cannot be read, or is empty.
    #[error("metrics.token_file {}: {cause}; put a long random token in it (e.g. `openssl rand -hex 32`)", path.display())]
    Token {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        cause: String,
    },
    /// `listen` is not a loopback address.
    #[error(
        "metrics.listen {addr} must be a loopback address (it serves without TLS or a token); use token_file to scrape from elsewhere"
    )]
    NotLoopback {
        /// The address.
        addr: SocketAddr,
    },
}

/// The labels of one request's latency.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: String,
    status: String,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 33 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// The metrics state: the token's hash and the latency histograms.
#[derive(Debug)]
pub struct Metrics {
    token_sha256: Option<[u8; 32]>,
    requests: Family<RouteLabels, Histogram, fn() -> Histogram>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            token_sha256: None,
            requests: Family::new_with_constructor(latency_histogram),
        }
    }
}

impl Metrics {
    /// Sets up `[metrics]` for the node in `dir`.
    pub fn load(config: &MetricsConfig, dir: &Path) -> Result<Self, MetricsProblem> {
        if let Some(addr) = config.listen
            && !addr.ip().is_loopback()
        {
            return Err(MetricsProblem::NotLoopback { addr });
        }
        let token_sha256 = match &config.token_file {
            None => None,
            Some(file) => {
                let path = dir.join(file);
                let text = std::fs::read_to_string(&path).map_err(|e| MetricsProblem::Token {
                    path: path.clone(),
                    cause: e.to_string(),
                })?;
                let token = text.trim();
                if token.len() < 16 {
                    return Err(MetricsProblem::Token {
                        path,
                        cause: "it holds fewer than 16 characters".to_owned(),
                    });
                }
                Some(Sha256::digest(token.as_bytes()).into())
            }
        };
        Ok(Self {
            token_sha256,
            ..Self::default()
        })
    }
}

/// Records each request's latency by its route (the pattern, not the
/// path, so ids do not make new series).
pub async fn measure(State(node): State<Arc<Node>>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    node.metrics
        .requests
        .get_or_create(&RouteLabels {
            route,
            method,
            status: response.status().as_u16().to_string(),
        })
        .observe(started.elapsed().as_secs_f64());
    response
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MessageLabels {
    kind: String,
    direction: String,
    state: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PeerLabels {
    peer: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WitnessLabels {
    witness: String,
}

type FloatGauge = Gauge<f64, std::sync::atomic::AtomicU64>;

impl Node {
    /// The metrics, as OpenMetrics text.
    pub async fn metrics_text(&self) -> NodeResult<String> {
        let now = self.now();
        let (counts, queued, deadline_counts, alert_counts, cosignatures) = self
            .with_store(move |s| {
                Ok((
                    s.message_counts()?,
                    s.queued_by_peer()?,
                    s.deadline_counts(now)?,
                    s.alert_counts()?,
                    s.cosignatures()?,
                ))
            })
            .await?;
        let mut registry = Registry::default();

        let messages = Family::<MessageLabels, Gauge>::default();
        for count in &counts {
            messages
                .get_or_create(&MessageLabels {
                    kind: count.kind.as_str().to_owned(),
                    direction: count.direction.as_str().to_owned(),
                    state: count.state.as_str().to_owned(),
                })
                .set(i64::try_from(count.count).unwrap_or(i64::MAX));
        }
        registry.register(
            "detente_messages",
            "Messages stored, by kind, direction and state",
            messages,
        );

        let depth = Family::<PeerLabels, Gauge>::default();
        let oldest = Family::<PeerLabels, FloatGauge>::default();
        for q in &queued {
            let labels = PeerLabels {
                peer: q.peer.to_string(),
            };
            depth
                .get_or_create(&labels)
                .set(i64::try_from(q.count).unwrap_or(i64::MAX));
            oldest
                .get_or_create(&labels)
                .set(seconds(now.since(q.oldest_recorded_at)));
        }
        registry.register(
            "detente_outbox_depth",
            "Messages queued for delivery, per peer",
            depth,
        );
        registry.register(
            "detente_outbox_oldest_age_seconds",
            "Age of the oldest message queued for each peer",
            oldest,
        );

        registry.register(
            "detente_deadlines",
            "Deadlines the peers' answers to our messages are held to, by state",
            by_state(&deadline_counts),
        );
        registry.register(
            "detente_alerts",
            "Alerts, by state",
            by_state(&alert_counts),
        );

        let (size, signed_at) = self.log.read(|v| (v.tree.size(), v.signed_at));
        let log_size = Gauge::<i64>::default();
        log_size.set(i64::try_from(size).unwrap_or(i64::MAX));
        registry.register("detente_log_size", "Entries in this node's log", log_size);
        if let Some(at) = signed_at {
            let age = FloatGauge::default();
            age.set(seconds(now.since(at)));
            registry.register(
                "detente_log_checkpoint_age_seconds",
                "Time since this node's latest checkpoint was signed",
                age,
            );
        }

        let cosigned = Family::<WitnessLabels, Gauge>::default();
        for (witness, size, _) in &cosignatures {
            cosigned
                .get_or_create(&WitnessLabels {
                    witness: witness.clone(),
                })
                .set(i64::try_from(*size).unwrap_or(i64::MAX));
        }
        registry.register(
            "detente_witness_cosigned_size",
            "The log size each witness last cosigned",
            cosigned,
        );
        let current = Gauge::<i64>::default();
        current.set(
            i64::try_from(cosignatures.iter().filter(|(_, s, _)| *s == size).count()).unwrap_or(0),
        );
        registry.register(
            "detente_witness_cosignatures",
            "Witnesses that cosigned the latest checkpoint",
            current,
        );

        registry.register(
            "detente_http_request_duration_seconds",
            "Time to answer a request, by route, method and status",
            self.metrics.requests.clone(),
        );

        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &registry)
            .map_err(crate::error::Bug::construction("metrics text"))?;
        Ok(text)
    }
}

/// A gauge per state, from the store's counts.
fn by_state(counts: &[(&'static str, u64)]) -> Family<StateLabels, Gauge> {
    let family = Family::<StateLabels, Gauge>::default();
    for (state, count) in counts {
        family
            .get_or_create(&StateLabels {
                state: (*state).to_owned(),
            })
            .set(i64::try_from(*count).unwrap_or(i64::MAX));
    }
    family
}

fn seconds(delta: chrono::TimeDelta) -> f64 {
    delta.num_milliseconds().max(0) as f64 / 1000.0
}

fn openmetrics(text: String) -> Response {
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// `GET /metrics` on the node's listener: the token of `[metrics]
/// token_file` as a bearer token.
pub async fn scrape(State(node): State<Arc<Node>>, headers: HeaderMap) -> Response {
    let Some(expected) = node.metrics.token_sha256 else {
        return NodeError::NotFound {
            what: "endpoint",
            id: "/metrics (set [metrics] token_file or listen)".to_owned(),
        }
        .into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| Sha256::digest(token.trim().as_bytes()));
    // Hashes of equal length: comparing them leaks nothing of the token.
    if given.map(|g| g.as_slice() == expected.as_slice()) != Some(true) {
        return NodeError::Unauthenticated(Unauthenticated::UnknownToken).into_response();
    }
    match node.metrics_text().await {
        Ok(text) => openmetrics(text),
        Err(error) => error.into_response(),
    }
}

/// `GET /metrics` on the separate `[metrics] listen` address.
async fn scrape_open(State(node): State<Arc<Node>>) -> Response {
    match node.metrics_text().await {
        Ok(text) => openmetrics(text),
        Err(error) => error.into_response(),
    }
}

/// The router of the separate metrics listener.
pub fn open_router(node: Arc<Node>) -> axum::Router {
    axum::Router::new()
        .route("/metrics", axum::routing::get(scrape_open))
        .with_state(node)
}
