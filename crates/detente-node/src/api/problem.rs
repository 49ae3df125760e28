//! RFC 9457 problem details (`application/problem+json`) for every error.
//!
//! `type` is a URN naming the problem (`urn:detente:problem:<slug>`), so
//! clients can branch on it; `detail` says what was wrong and what to do;
//! `field` (an extension member) names the offending input, when there is one;
//! `reason` (another) names precisely what went wrong, in kebab-case, one
//! value per error variant (`not-cleared`'s reason is `not-cleared`, a
//! refused citation's is `lapsed`, `expired`…): what scripts and the
//! console's translations branch on, where one slug covers several causes.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use detente_proto::ProtoError;
use detente_proto::admission::Refusal;
use detente_proto::keyring::NoKey;
use detente_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{
    DocumentError, Forbidden, NodeError, PeerRejection, StepRefusal, Unauthenticated,
};

/// A problem details document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// `urn:detente:problem:<slug>`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short summary of the problem type.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What was wrong and what to do.
    pub detail: String,
    /// The offending input field, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Precisely what went wrong (kebab-case, one value per cause); absent
    /// on internal errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
}

impl Problem {
    fn new(
        status: StatusCode,
        slug: &str,
        title: &str,
        detail: String,
        field: Option<String>,
    ) -> Self {
        Self {
            problem_type: format!("urn:detente:problem:{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            field,
            reason: None,
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(self)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

fn proto_problem(error: &ProtoError) -> Problem {
    let detail = error.to_string();
    match error {
        ProtoError::TooLarge { .. } => Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            "Too large",
            detail,
            None,
        ),
        ProtoError::MalformedJson { .. } => Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            "Malformed JSON",
            detail,
            None,
        ),
        ProtoError::NotCanonical { .. } => Problem::new(
            StatusCode::BAD_REQUEST,
            "not-canonical",
            "Not canonical JSON",
            detail,
            None,
        ),
        ProtoError::OutOfBounds { path, .. } => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "out-of-bounds",
            "Input out of bounds",
            detail,
            Some(path.clone()),
        ),
        ProtoError::InvalidField { field, .. } => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-field",
            "Invalid field",
            detail,
            Some(field.clone()),
        ),
        ProtoError::UnknownKind(_) => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown-kind",
            "Unknown message kind",
            detail,
            Some("kind".into()),
        ),
        ProtoError::Signature(_) => Problem::new(
            StatusCode::FORBIDDEN,
            "bad-signature",
            "Signature does not verify",
            detail,
            None,
        ),
        ProtoError::Seal(_) => Problem::new(
            StatusCode::BAD_REQUEST,
            "cannot-open",
            "Sealed envelope cannot be opened",
            detail,
            None,
        ),
        _ => Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid",
            "Invalid input",
            detail,
            None,
        ),
    }
}

fn peer_problem(rejection: &PeerRejection) -> Problem {
    let detail = rejection.to_string();
    let (status, slug, title) = match rejection {
        PeerRejection::NotAPeer => (StatusCode::UNAUTHORIZED, "not-a-peer", "Not a peer"),
        PeerRejection::SenderMismatch { .. } => {
            (StatusCode::FORBIDDEN, "sender-mismatch", "Sender mismatch")
        }
        PeerRejection::HeaderMismatch { .. } => {
            (StatusCode::FORBIDDEN, "header-mismatch", "Header mismatch")
        }
        PeerRejection::Misaddressed { .. } => (
            StatusCode::MISDIRECTED_REQUEST,
            "misaddressed",
            "Addressed to another party",
        ),
        PeerRejection::UnknownParty(_) => (
            StatusCode::FORBIDDEN,
            "unknown-sender",
            "Unknown sending party",
        ),
        PeerRejection::CardExpired { .. } => (
            StatusCode::FORBIDDEN,
            "card-expired",
            "Sender's card expired",
        ),
        PeerRejection::CompromisedKey { .. } => (
            StatusCode::FORBIDDEN,
            "compromised-key",
            "Signed by a revoked key",
        ),
        PeerRejection::Replay(_) => (StatusCode::CONFLICT, "replay", "Replayed message id"),
        PeerRejection::Skew { .. } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "clock-skew",
            "Timestamp outside the allowed skew",
        ),
        PeerRejection::Refused(Refusal::ChannelSuspended { .. }) => (
            StatusCode::CONFLICT,
            "channel-suspended",
            "The channel is suspended",
        ),
        PeerRejection::Refused(Refusal::Agreement(_)) => (
            StatusCode::FORBIDDEN,
            "agreement-refuses",
            "Refused under the agreement",
        ),
        PeerRejection::Refused(Refusal::Citation(_)) => (
            StatusCode::FORBIDDEN,
            "document-refused",
            "The guarantee or pledge cited does not hold",
        ),
        PeerRejection::Refused(_) => (StatusCode::FORBIDDEN, "refused", "Refused"),
        PeerRejection::Step(
            StepRefusal::AgreementNotOurs { .. }
            | StepRefusal::Invalid(DocumentError::Agreement(_)),
        ) => (
            StatusCode::FORBIDDEN,
            "agreement-refuses",
            "Refused under the agreement",
        ),
        PeerRejection::Step(_) => (
            StatusCode::FORBIDDEN,
            "document-refused",
            "The guarantee or pledge step does not hold",
        ),
        PeerRejection::CardChain(_) => (
            StatusCode::FORBIDDEN,
            "card-chain",
            "The new card does not follow the card held",
        ),
    };
    Problem::new(status, slug, title, detail, None)
}

/// The innermost variant of `error`, which names precisely what went wrong.
pub fn reason(error: &NodeError) -> &'static str {
    match error {
        NodeError::Invalid(e) => e.into(),
        NodeError::Refused(r) | NodeError::Peer(PeerRejection::Refused(r)) => refusal_reason(r),
        NodeError::Document(d) | NodeError::Peer(PeerRejection::Step(StepRefusal::Invalid(d))) => {
            document_reason(d)
        }
        NodeError::Peer(PeerRejection::Step(s)) => s.into(),
        NodeError::Peer(PeerRejection::CardChain(c)) => c.into(),
        NodeError::Peer(p) => p.into(),
        NodeError::Mistake(m) => m.into(),
        NodeError::Conflict(c) => c.into(),
        NodeError::Forbidden(f) => f.into(),
        NodeError::Unauthenticated(u) => u.into(),
        NodeError::NoKey(k) => k.into(),
        NodeError::TryAgain(t) => t.into(),
        other => other.into(),
    }
}

fn refusal_reason(refusal: &Refusal) -> &'static str {
    match refusal {
        Refusal::Agreement(a) => a.into(),
        Refusal::Citation(c) => c.into(),
        other => other.into(),
    }
}

fn document_reason(error: &DocumentError) -> &'static str {
    match error {
        DocumentError::Agreement(e) => e.into(),
        DocumentError::Guarantee(e) => e.into(),
        DocumentError::Pledge(e) => e.into(),
    }
}

impl From<&NodeError> for Problem {
    fn from(error: &NodeError) -> Self {
        let mut problem = Self::described(error);
        // Not for our own failures; a 503 the caller should retry says why.
        if problem.status < 500 || matches!(error, NodeError::TryAgain(_)) {
            problem.reason = Some(reason(error));
        }
        problem
    }
}

impl Problem {
    fn described(error: &NodeError) -> Self {
        let detail = error.to_string();
        match error {
            NodeError::Invalid(proto) => proto_problem(proto),
            NodeError::Peer(rejection) => peer_problem(rejection),
            NodeError::Unauthenticated(Unauthenticated::LockedOut { .. }) => Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "locked-out",
                "Locked out for a while",
                detail,
                None,
            ),
            NodeError::Forbidden(Forbidden::Csrf) => Problem::new(
                StatusCode::FORBIDDEN,
                "csrf",
                "Not from this console session",
                detail,
                None,
            ),
            NodeError::Unauthenticated(_) => Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Unauthenticated",
                detail,
                None,
            ),
            NodeError::Forbidden(Forbidden::FingerprintMismatch { .. }) => Problem::new(
                StatusCode::FORBIDDEN,
                "fingerprint-mismatch",
                "Not the fingerprint confirmed",
                detail,
                None,
            ),
            NodeError::Forbidden(_) => Problem::new(
                StatusCode::FORBIDDEN,
                "not-cleared",
                "Not cleared",
                detail,
                None,
            ),
            NodeError::NotFound { .. } => Problem::new(
                StatusCode::NOT_FOUND,
                "not-found",
                "Not found",
                detail,
                None,
            ),
            NodeError::Mistake(_) | NodeError::Document(_) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unprocessable",
                "Cannot do that",
                detail,
                None,
            ),
            NodeError::Conflict(_) => {
                Problem::new(StatusCode::CONFLICT, "conflict", "Conflict", detail, None)
            }
            NodeError::Store(StoreError::DocumentConflict(_)) => Problem::new(
                StatusCode::CONFLICT,
                "document-conflict",
                "Another text or step of this guarantee or pledge is already held",
                detail,
                None,
            ),
            NodeError::Refused(Refusal::ChannelSuspended { .. }) => Problem::new(
                StatusCode::CONFLICT,
                "channel-suspended",
                "The channel is suspended",
                detail,
                None,
            ),
            NodeError::Refused(Refusal::Agreement(_)) => Problem::new(
                StatusCode::FORBIDDEN,
                "agreement-refuses",
                "The agreement in force does not allow this",
                detail,
                None,
            ),
            NodeError::Refused(Refusal::Citation(_)) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unprocessable",
                "The guarantee or pledge cited does not hold",
                detail,
                Some("body.alleged_breach".into()),
            ),
            NodeError::Refused(_) => {
                Problem::new(StatusCode::FORBIDDEN, "refused", "Refused", detail, None)
            }
            NodeError::NoKey(NoKey::Expired { .. }) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "card-expired",
                "The party's card has expired",
                detail,
                None,
            ),
            NodeError::NoKey(_) => Problem::new(
                StatusCode::CONFLICT,
                "no-card",
                "No card of the party is held",
                detail,
                None,
            ),
            NodeError::TryAgain(_) => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "try-again",
                "Not done this time; try again",
                detail,
                None,
            ),
            NodeError::UnknownParty(_) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown-party",
                "Unknown party",
                detail,
                Some("to.party".into()),
            ),
            NodeError::BodyTooLarge { .. } => Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "Too large",
                detail,
                None,
            ),
            NodeError::Store(StoreError::ConflictingId { .. }) => {
                Problem::new(StatusCode::CONFLICT, "conflict", "Conflict", detail, None)
            }
            NodeError::Store(StoreError::Duplicate { .. }) => {
                Problem::new(StatusCode::CONFLICT, "conflict", "Conflict", detail, None)
            }
            NodeError::Store(StoreError::PeerCardMoved { .. }) => Problem::new(
                StatusCode::CONFLICT,
                "card-moved",
                "The card held changed meanwhile; push again",
                detail,
                None,
            ),
            NodeError::Store(StoreError::AgreementSignatureConflict(_)) => Problem::new(
                StatusCode::CONFLICT,
                "agreement-conflict",
                "Another text of this agreement version is already signed",
                detail,
                None,
            ),
            NodeError::Store(StoreError::NotFound { .. }) => Problem::new(
                StatusCode::NOT_FOUND,
                "not-found",
                "Not found",
                detail,
                None,
            ),
            _ => {
                tracing::error!(error = %detail, "internal error");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Internal error",
                    "the node failed to handle this request; the node's log has the details".into(),
                    None,
                )
            }
        }
    }
}

impl IntoResponse for NodeError {
    fn into_response(self) -> Response {
        let problem = Problem::from(&self);
        if problem.status < 500 {
            tracing::info!(status = problem.status, detail = %problem.detail, "request refused");
        }
        problem.into_response()
    }
}

/// A path that is served, asked with a method it does not take.
pub async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> Response {
    if is_taxii(&uri) {
        return crate::taxii::response::TaxiiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Method not allowed",
            format!(
                "{} does not take {method} (OASIS TAXII 2.1 §4, §5 list each endpoint's methods)",
                uri.path()
            ),
        )
        .into_response();
    }
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method not allowed",
        format!(
            "{} does not take {method}; the officer API is described at /api/v1/openapi.json",
            uri.path()
        ),
        None,
    )
    .into_response()
}

/// Whether `uri` is under the TAXII service, whose errors are TAXII error
/// resources.
fn is_taxii(uri: &axum::http::Uri) -> bool {
    uri.path() == "/taxii2" || uri.path().starts_with("/taxii2/")
}

/// Any path the node does not serve.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    if is_taxii(&uri) {
        let hint = if uri.path().ends_with('/') {
            "the discovery resource /taxii2/ lists the API roots"
        } else {
            "TAXII 2.1 URLs end with '/'"
        };
        return crate::taxii::response::TaxiiError::not_found(format!(
            "{} is not a TAXII endpoint here; {hint}",
            uri.path()
        ))
        .into_response();
    }
    Problem::new(
        StatusCode::NOT_FOUND,
        "no-such-path",
        "No such path",
        format!(
            "{} is not served here; the officer API is described at /api/v1/openapi.json",
            uri.path()
        ),
        None,
    )
    .into_response()
}

/// Decodes a JSON request body, naming the offending field on failure.
pub fn decode_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, NodeError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|error| {
        let path = match error.path().to_string() {
            root if root == "." => "request body".to_owned(),
            path => path,
        };
        let inner = error.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            NodeError::Invalid(ProtoError::MalformedJson {
                what: "request body",
                detail: inner.to_string(),
            })
        } else {
            NodeError::Invalid(ProtoError::field(path, inner.to_string()))
        }
    })?;
    de.end().map_err(|e| {
        NodeError::Invalid(ProtoError::MalformedJson {
            what: "request body",
            detail: e.to_string(),
        })
    })?;
    Ok(value)
}

/// Decodes an optional JSON request body: an empty (or all-whitespace)
/// body is `T::default()`, anything else as [`decode_json`].
pub fn decode_optional_json<T: serde::de::DeserializeOwned + Default>(
    bytes: &[u8],
) -> Result<T, NodeError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        decode_json(bytes)
    }
}

#[cfg(test)]
mod tests {
    use detente_proto::keyring::NoKey;

    use super::*;
    use crate::error::{Bug, TryAgain};

    fn slug(error: NodeError) -> (u16, String) {
        let problem = Problem::from(&error);
        (problem.status, problem.problem_type)
    }

    #[test]
    fn reason_names_the_innermost_variant_and_is_absent_on_internal_errors() {
        let step = NodeError::from(StepRefusal::StepTaken {
            document: "guarantee g-1".into(),
            party: "US".parse().expect("party"),
            role: detente_store::RecordRole::Sign,
            message: None,
        });
        assert_eq!(Problem::from(&step).reason, Some("step-taken"));
        let token = NodeError::from(crate::error::Unauthenticated::UnknownToken);
        assert_eq!(Problem::from(&token).reason, Some("unknown-token"));
        let stopped = NodeError::from(Bug::SequencerStopped);
        let problem = Problem::from(&stopped);
        assert_eq!((problem.status, problem.reason), (500, None));
        let json = serde_json::to_value(&problem).expect("json");
        assert!(json.get("reason").is_none(), "{json}");
    }

    #[test]
    fn each_error_family_has_its_status_and_slug() {
        let party: detente_proto::ids::PartyCode = "US".parse().expect("party");
        let at: detente_proto::time::Timestamp =
            "2026-06-01T00:00:00.000Z".parse().expect("timestamp");
        let cases = [
            (
                NodeError::NoKey(NoKey::Expired {
                    party: party.clone(),
                    until: at,
                    at,
                }),
                422,
                "card-expired",
            ),
            (
                NodeError::NoKey(NoKey::NoCard {
                    party: party.clone(),
                }),
                409,
                "no-card",
            ),
            (
                TryAgain::WitnessRecordContended {
                    origin: "detente.US/log/v1".into(),
                }
                .into(),
                503,
                "try-again",
            ),
            (Bug::SequencerStopped.into(), 500, "internal"),
            (
                NodeError::Unreadable {
                    what: "card",
                    id: "US".into(),
                    cause: "not UTF-8".into(),
                },
                500,
                "internal",
            ),
        ];
        for (error, status, expected) in cases {
            assert_eq!(
                slug(error),
                (status, format!("urn:detente:problem:{expected}"))
            );
        }
    }

    #[test]
    fn a_bug_is_not_shown_to_the_caller() {
        let problem = Problem::from(&NodeError::from(Bug::Construction {
            what: "checkpoint",
            cause: "secret detail".into(),
        }));
        assert!(
            !problem.detail.contains("secret detail"),
            "{}",
            problem.detail
        );
    }
}
