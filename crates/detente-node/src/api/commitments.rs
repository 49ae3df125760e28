//! The officer API for guarantees and pledges (docs/protocol.md, "Guarantees and
//! pledges"):
//!
//! - `POST /api/v1/guarantees` `{"guarantee": "<TOML>", "from_tier"?}`,
//!   `GET /api/v1/guarantees`, `GET /api/v1/guarantees/{id}[?at=…]`,
//!   `POST /api/v1/guarantees/{id}/sign`, `POST /api/v1/guarantees/{id}/withdraw`
//!   `{"reason", "from_tier"?}`;
//! - `POST /api/v1/pledges` `{"pledge": "<TOML>"}` (at the host),
//!   `GET /api/v1/pledges`, `GET /api/v1/pledges/{host}/{id}[?at=…]`,
//!   `POST /api/v1/pledges/{host}/{id}/sign`, `POST …/withdraw` `{"reason"}`;
//! - the peer API's `GET /peer/v1/pledges/{id}`: a host's registry.
//!
//! Each status is computed at `at` (RFC 3339; default now) from the signed
//! records alone.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use detente_proto::ids::Tier;
use detente_proto::pledge::PledgeRef;
use detente_proto::time::Timestamp;
use detente_store::{DocumentRecord, RecordRole};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::auth::Authenticated;
use crate::api::params;
use crate::api::problem::{Problem, decode_json, decode_optional_json};
use crate::api::read_body;
use crate::error::{Mistake, NodeError};
use crate::guarantees::{GuaranteeState, signers};
use crate::node::Node;
use crate::officers::Officer;
use crate::pledges::{PledgeState, Registry};

const MAX_REQUEST_BYTES: usize = 512 * 1024;

/// One signed step of a guarantee's or pledge's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepView {
    /// `publish`, `sign` or `withdraw`.
    pub role: &'static str,
    /// Who.
    pub party: String,
    /// When, by the signed message that carried it.
    pub at: String,
    /// That message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl StepView {
    fn of(record: &DocumentRecord) -> Self {
        Self {
            role: record.role.as_str(),
            party: record.party.to_string(),
            at: record.at.to_string(),
            message: record.message_id.map(|id| id.to_string()),
        }
    }
}

/// A guarantee and its status.
#[derive(Debug, Serialize, ToSchema)]
pub struct GuaranteeView {
    /// Its id.
    pub id: String,
    /// `proposed`, `concluded`, `in-force`, `withdrawal-notified` or `lapsed`, at `at`.
    pub state: &'static str,
    /// The status in words.
    pub status: String,
    /// When the status is computed for.
    pub at: String,
    /// Which of its signers have signed the same bytes.
    pub signed_by: BTreeMap<String, bool>,
    /// Base64 SHA-256 of the guarantee's canonical bytes (what is signed).
    pub document_sha256: String,
    /// The guarantee document, as signed.
    #[schema(value_type = Object)]
    pub document: serde_json::Value,
    /// Its signed steps, oldest first.
    pub history: Vec<StepView>,
}

impl GuaranteeView {
    pub(crate) fn of(state: &GuaranteeState, at: Timestamp) -> Self {
        let status = state.status_at(at);
        Self {
            id: state.guarantee().id.to_string(),
            state: status.state(),
            status: status.to_string(),
            at: at.to_string(),
            signed_by: signers(state, at),
            document_sha256: BASE64.encode(state.document_sha256()),
            document: serde_json::to_value(state.guarantee()).unwrap_or_default(),
            history: state.records.iter().map(StepView::of).collect(),
        }
    }
}

/// A pledge and its signatories.
#[derive(Debug, Serialize, ToSchema)]
pub struct PledgeView {
    /// `<host>/<id>`.
    pub reference: String,
    /// Its title.
    pub title: String,
    /// Whether it is open for signature at `at`.
    pub open: bool,
    /// When the list is computed for.
    pub at: String,
    /// Who had signed and not withdrawn at `at`, with when they signed.
    pub signatories: Vec<SignatoryView>,
    /// Base64 SHA-256 of the pledge's canonical bytes (what is signed).
    pub document_sha256: String,
    /// The pledge document, as published.
    #[schema(value_type = Object)]
    pub document: serde_json::Value,
    /// Its signed steps, oldest first.
    pub history: Vec<StepView>,
}

/// One signatory.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignatoryView {
    /// The party.
    pub party: String,
    /// When it signed.
    pub signed_at: String,
}

impl PledgeView {
    pub(crate) fn of(state: &PledgeState, at: Timestamp) -> Self {
        let pledge = state.pledge();
        Self {
            reference: pledge.reference().to_string(),
            title: pledge.title.clone(),
            open: pledge.open_from <= at && at < pledge.open_until,
            at: at.to_string(),
            signatories: state
                .signatories_at(at)
                .into_iter()
                .map(|(party, signed_at)| SignatoryView {
                    party: party.to_string(),
                    signed_at: signed_at.to_string(),
                })
                .collect(),
            document_sha256: BASE64.encode(state.published.document_sha256()),
            document: serde_json::to_value(pledge).unwrap_or_default(),
            history: state
                .records
                .iter()
                .filter(|r| r.role != RecordRole::Publish || r.message_id.is_some())
                .map(StepView::of)
                .collect(),
        }
    }
}

/// `POST /api/v1/guarantees` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposeGuarantee {
    /// The guarantee, as TOML text (this party its issuer).
    pub guarantee: String,
    /// The tier proposing (default: the officer's highest).
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "policy")]
    pub from_tier: Option<Tier>,
}

/// `POST /api/v1/pledges` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePledge {
    /// The pledge, as TOML text (this party its host).
    pub pledge: String,
    /// The tier publishing (default: the officer's highest).
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "policy")]
    pub from_tier: Option<Tier>,
}

/// `POST …/sign` body (optional).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignStep {
    /// The tier signing (default: the officer's highest).
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "policy")]
    pub from_tier: Option<Tier>,
}

/// `POST …/withdraw` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawStep {
    /// Why; required, not empty.
    pub reason: String,
    /// The tier withdrawing (default: the officer's highest).
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "policy")]
    pub from_tier: Option<Tier>,
}

/// `?at=` for a status.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AtParams {
    /// The moment to compute the status for (RFC 3339, e.g.
    /// `2026-12-01T00:00:00Z`, or a date `2026-12-01` for its first
    /// instant, UTC); default now.
    pub at: Option<String>,
}

/// Guarantees known here.
#[derive(Debug, Serialize, ToSchema)]
pub struct GuaranteeList {
    /// By id.
    pub guarantees: Vec<GuaranteeView>,
}

/// Pledges known here.
#[derive(Debug, Serialize, ToSchema)]
pub struct PledgeList {
    /// By reference.
    pub pledges: Vec<PledgeView>,
}

fn tier(officer: &Officer, asked: Option<Tier>) -> Tier {
    crate::api::agreements::highest(officer, asked)
}

pub(crate) fn at_of(node: &Node, query: Option<&str>) -> Result<Timestamp, NodeError> {
    let params: AtParams = params::decode(query, "the only parameter is at")?;
    match params.at {
        None => Ok(node.now()),
        Some(text) => detente_proto::agreement::responsiveness::parse_instant(&text, "at").map_err(
            |problem| {
                Mistake::Parameter {
                    parameter: "at",
                    problem,
                    expected: "give a date (2026-12-01) or an RFC 3339 time",
                }
                .into()
            },
        ),
    }
}

fn pledge_ref(host: &str, id: &str) -> Result<PledgeRef, NodeError> {
    format!("{host}/{id}")
        .parse()
        .map_err(|_| NodeError::NotFound {
            what: "pledge",
            id: format!("{host}/{id}"),
        })
}

fn check_reason(reason: &str) -> Result<(), NodeError> {
    if reason.trim().is_empty() {
        return Err(Mistake::NoReason.into());
    }
    Ok(())
}

/// Propose a guarantee (TOML); this party is its issuer.
#[utoipa::path(post, path = "/api/v1/guarantees", request_body = ProposeGuarantee,
    responses(
        (status = 202, description = "Signed, sent to the beneficiary, recorded and logged", body = GuaranteeView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), tag = "commitments")]
pub async fn propose_guarantee(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<GuaranteeView>), NodeError> {
    let request: ProposeGuarantee = decode_json(&read_body(body, MAX_REQUEST_BYTES).await?)?;
    let from = tier(&officer, request.from_tier);
    let (state, _) = node
        .propose_guarantee(&officer, &request.guarantee, from)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(GuaranteeView::of(&state, node.now())),
    ))
}

/// Countersign a proposed guarantee.
#[utoipa::path(post, path = "/api/v1/guarantees/{id}/sign", params(("id" = String, Path)),
    request_body(content = SignStep, description = "Optional"),
    responses(
        (status = 202, body = GuaranteeView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), tag = "commitments")]
pub async fn sign_guarantee(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    Path(id): Path<String>,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<GuaranteeView>), NodeError> {
    let request: SignStep = decode_optional_json(&read_body(body, MAX_REQUEST_BYTES).await?)?;
    let from = tier(&officer, request.from_tier);
    let (state, _) = node.sign_guarantee(&officer, &id, from).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(GuaranteeView::of(&state, node.now())),
    ))
}

/// Notify withdrawal from a guarantee (it lapses after its notice period).
#[utoipa::path(post, path = "/api/v1/guarantees/{id}/withdraw", params(("id" = String, Path)),
    request_body = WithdrawStep,
    responses(
        (status = 202, body = GuaranteeView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), tag = "commitments")]
pub async fn withdraw_guarantee(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    Path(id): Path<String>,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<GuaranteeView>), NodeError> {
    let request: WithdrawStep = decode_json(&read_body(body, MAX_REQUEST_BYTES).await?)?;
    check_reason(&request.reason)?;
    let from = tier(&officer, request.from_tier);
    let (state, _) = node
        .withdraw_guarantee(&officer, &id, request.reason, from)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(GuaranteeView::of(&state, node.now())),
    ))
}

/// List guarantees, with their status now.
#[utoipa::path(get, path = "/api/v1/guarantees",
    responses((status = 200, body = GuaranteeList),
        (status = 401, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])), tag = "commitments")]
pub async fn list_guarantees(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
) -> Result<Json<GuaranteeList>, NodeError> {
    let now = node.now();
    let mut guarantees = Vec::new();
    for state in node.guarantees().await? {
        if node.may_see_document(&officer, &state.records).await? {
            guarantees.push(GuaranteeView::of(&state, now));
        }
    }
    Ok(Json(GuaranteeList { guarantees }))
}

/// One guarantee, its status at `at` (default now) and its history.
#[utoipa::path(get, path = "/api/v1/guarantees/{id}", params(("id" = String, Path), AtParams),
    responses((status = 200, body = GuaranteeView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])), tag = "commitments")]
pub async fn show_guarantee(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<GuaranteeView>, NodeError> {
    let at = at_of(&node, query.as_deref())?;
    let state = node.guarantee(&id).await?;
    if !node.may_see_document(&officer, &state.records).await? {
        return Err(NodeError::NotFound {
            what: "guarantee",
            id,
        });
    }
    Ok(Json(GuaranteeView::of(&state, at)))
}

/// Publish a pledge (TOML); this party is its host.
#[utoipa::path(post, path = "/api/v1/pledges", request_body = CreatePledge,
    responses((status = 201, body = PledgeView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])), tag = "commitments")]
pub async fn create_pledge(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<PledgeView>), NodeError> {
    let request: CreatePledge = decode_json(&read_body(body, MAX_REQUEST_BYTES).await?)?;
    let from = tier(&officer, request.from_tier);
    let state = node.create_pledge(&officer, &request.pledge, from).await?;
    Ok((
        StatusCode::CREATED,
        Json(PledgeView::of(&state, node.now())),
    ))
}

/// Sign a pledge at its host.
#[utoipa::path(post, path = "/api/v1/pledges/{host}/{id}/sign",
    params(("host" = String, Path), ("id" = String, Path)),
    request_body(content = SignStep, description = "Optional"),
    responses((status = 202, body = PledgeView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])), tag = "commitments")]
pub async fn sign_pledge(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    Path((host, id)): Path<(String, String)>,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<PledgeView>), NodeError> {
    let reference = pledge_ref(&host, &id)?;
    let request: SignStep = decode_optional_json(&read_body(body, MAX_REQUEST_BYTES).await?)?;
    let from = tier(&officer, request.from_tier);
    let (state, _) = node.sign_pledge(&officer, &reference, from).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(PledgeView::of(&state, node.now())),
    ))
}

/// Withdraw this party's signature from a pledge.
#[utoipa::path(post, path = "/api/v1/pledges/{host}/{id}/withdraw",
    params(("host" = String, Path), ("id" = String, Path)), request_body = WithdrawStep,
    responses((status = 202, body = PledgeView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])), tag = "commitments")]
pub async fn withdraw_pledge(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    Path((host, id)): Path<(String, String)>,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<PledgeView>), NodeError> {
    let reference = pledge_ref(&host, &id)?;
    let request: WithdrawStep = decode_json(&read_body(body, MAX_REQUEST_BYTES).await?)?;
    check_reason(&request.reason)?;
    let from = tier(&officer, request.from_tier);
    let (state, _) = node
        .withdraw_pledge(&officer, &reference, request.reason, from)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(PledgeView::of(&state, node.now())),
    ))
}

/// List pledges known here, with their signatories now.
#[utoipa::path(get, path = "/api/v1/pledges",
    responses((status = 200, body = PledgeList),
        (status = 401, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])), tag = "commitments")]
pub async fn list_pledges(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
) -> Result<Json<PledgeList>, NodeError> {
    let now = node.now();
    let mut pledges = Vec::new();
    for state in node.pledges().await? {
        if node.may_see_document(&officer, &state.records).await? {
            pledges.push(PledgeView::of(&state, now));
        }
    }
    Ok(Json(PledgeList { pledges }))
}

/// One pledge and its signatories at `at` (default now); a peer host's
/// registry is read again first.
#[utoipa::path(get, path = "/api/v1/pledges/{host}/{id}",
    params(("host" = String, Path), ("id" = String, Path), AtParams),
    responses((status = 200, body = PledgeView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])), tag = "commitments")]
pub async fn show_pledge(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    Path((host, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Json<PledgeView>, NodeError> {
    let at = at_of(&node, query.as_deref())?;
    let reference = pledge_ref(&host, &id)?;
    let state = node.pledge(&reference).await?;
    if !node.may_see_document(&officer, &state.records).await? {
        return Err(NodeError::NotFound {
            what: "pledge",
            id: reference.to_string(),
        });
    }
    Ok(Json(PledgeView::of(&state, at)))
}

/// `GET /peer/v1/pledges/{id}`: this host's registry of a pledge, for
/// pinned peers (mutual TLS) and officers.
pub async fn registry(
    State(node): State<Arc<Node>>,
    _reader: crate::api::log::LogReader,
    Path(id): Path<String>,
) -> Result<Json<Registry>, NodeError> {
    Ok(Json(node.registry(&id).await?))
}
