//! The officer API for agreements (docs/protocol.md, "Agreements"): `GET/POST /api/v1/agreements`,
//! `GET /api/v1/agreements/{ref}`, `POST /api/v1/agreements/{ref}/sign`,
//! where `{ref}` is `<id>@<version>`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use detente_proto::envelope::AgreementRef;
use detente_proto::ids::{PartyCode, Tier};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::agreements::{AgreementState, signers};
use crate::api::auth::Authenticated;
use crate::api::problem::{Problem, decode_json, decode_optional_json};
use crate::api::read_body;
use crate::error::NodeError;
use crate::node::Node;

const MAX_REQUEST_BYTES: usize = 512 * 1024;

/// An agreement version and its signatures.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementView {
    /// `<id>@<version>`.
    pub reference: String,
    /// Its title.
    pub title: String,
    /// Its parties.
    pub parties: Vec<String>,
    /// Which parties have signed the proposed bytes.
    pub signed_by: BTreeMap<String, bool>,
    /// In force: every party signed the same bytes.
    pub in_force: bool,
    /// Base64 SHA-256 of the agreement's canonical bytes (what is signed).
    pub document_sha256: String,
    /// The agreement document, as signed.
    #[schema(value_type = Object)]
    pub document: serde_json::Value,
}

impl AgreementView {
    fn of(state: &AgreementState) -> Self {
        let agreement = state.agreement();
        let sha = state
            .signatures
            .signatures()
            .next()
            .map(|s| BASE64.encode(s.document_sha256()))
            .unwrap_or_default();
        Self {
            reference: agreement.reference().to_string(),
            title: agreement.title.clone(),
            parties: agreement.parties.iter().map(ToString::to_string).collect(),
            signed_by: signers(state),
            in_force: state.in_force(),
            document_sha256: sha,
            document: serde_json::to_value(agreement).unwrap_or_default(),
        }
    }
}

/// `POST /api/v1/agreements` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposeRequest {
    /// The agreement, as TOML text.
    pub agreement: String,
    /// The party to send the proposal to.
    #[schema(value_type = String, example = "US")]
    pub to: PartyCode,
    /// The tier proposing (default: the officer's highest).
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "policy")]
    pub from_tier: Option<Tier>,
}

/// `POST /api/v1/agreements/{ref}/sign` body.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignRequest {
    /// The tier signing (default: the officer's highest).
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "policy")]
    pub from_tier: Option<Tier>,
}

/// Agreements known here.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementList {
    /// Newest version first per id.
    pub agreements: Vec<AgreementView>,
}

/// The tier asked for, or the officer's highest.
pub(crate) fn highest(officer: &crate::officers::Officer, asked: Option<Tier>) -> Tier {
    asked.unwrap_or_else(|| {
        officer
            .tiers
            .iter()
            .copied()
            .max()
            .unwrap_or(Tier::Technical)
    })
}

fn parse_ref(text: &str) -> Result<AgreementRef, NodeError> {
    text.parse().map_err(|_| NodeError::NotFound {
        what: "agreement",
        id: text.to_owned(),
    })
}

/// Propose an agreement (TOML) to a party.
#[utoipa::path(post, path = "/api/v1/agreements", request_body = ProposeRequest,
    responses(
        (status = 202, description = "Signed, stored, logged and sent", body = AgreementView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), tag = "agreements")]
pub async fn propose(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<AgreementView>), NodeError> {
    let request: ProposeRequest = decode_json(&read_body(body, MAX_REQUEST_BYTES).await?)?;
    let tier = highest(&officer, request.from_tier);
    let (state, _) = node
        .propose_agreement(&officer, &request.agreement, request.to, tier)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(AgreementView::of(&state))))
}

/// Countersign a proposed agreement.
#[utoipa::path(post, path = "/api/v1/agreements/{ref}/sign",
    params(("ref" = String, Path, description = "<id>@<version>")),
    request_body(content = SignRequest, description = "Optional"),
    responses(
        (status = 202, description = "Signed, stored, logged and sent to the other parties", body = AgreementView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), tag = "agreements")]
pub async fn sign(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    Path(reference): Path<String>,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<AgreementView>), NodeError> {
    let reference = parse_ref(&reference)?;
    let bytes = read_body(body, MAX_REQUEST_BYTES).await?;
    let request: SignRequest = decode_optional_json(&bytes)?;
    let tier = highest(&officer, request.from_tier);
    let (state, _) = node.sign_agreement(&officer, reference, tier).await?;
    Ok((StatusCode::ACCEPTED, Json(AgreementView::of(&state))))
}

/// List agreements.
#[utoipa::path(get, path = "/api/v1/agreements",
    responses(
        (status = 200, body = AgreementList),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), tag = "agreements")]
pub async fn list(
    State(node): State<Arc<Node>>,
    Authenticated(_officer): Authenticated,
) -> Result<Json<AgreementList>, NodeError> {
    let states = node.agreements().await?;
    Ok(Json(AgreementList {
        agreements: states.iter().map(AgreementView::of).collect(),
    }))
}

/// Show one agreement version.
#[utoipa::path(get, path = "/api/v1/agreements/{ref}",
    params(("ref" = String, Path, description = "<id>@<version>")),
    responses(
        (status = 200, body = AgreementView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), tag = "agreements")]
pub async fn show(
    State(node): State<Arc<Node>>,
    Authenticated(_officer): Authenticated,
    Path(reference): Path<String>,
) -> Result<Json<AgreementView>, NodeError> {
    let state = node.agreement(parse_ref(&reference)?).await?;
    Ok(Json(AgreementView::of(&state)))
}
