//! TAXII responses: resources as `application/taxii+json;version=2.1`, and
//! every error as a TAXII error resource (TAXII 2.1 §3.6), never as
//! problem+json, so TAXII clients can read it.

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use detente_proto::taxii::QueryError;
use detente_proto::taxii::media::{MediaError, TAXII_MEDIA_TYPE};
use detente_proto::taxii::resources::ErrorResource;
use serde::Serialize;

use crate::api::problem::Problem;
use crate::error::NodeError;

/// `X-TAXII-Date-Added-First` (TAXII 2.1 §3.4.3).
pub const DATE_ADDED_FIRST: HeaderName = HeaderName::from_static("x-taxii-date-added-first");
/// `X-TAXII-Date-Added-Last` (TAXII 2.1 §3.4.3).
pub const DATE_ADDED_LAST: HeaderName = HeaderName::from_static("x-taxii-date-added-last");

/// The realm of the Basic challenge.
const REALM: &str = "Basic realm=\"detente TAXII 2.1\", charset=\"UTF-8\"";

/// A refused TAXII request: its status and what to tell the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxiiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A short title.
    pub title: String,
    /// What was wrong and what to do.
    pub description: String,
}

impl TaxiiError {
    /// A refusal with this status.
    pub fn new(status: StatusCode, title: &str, description: impl Into<String>) -> Self {
        Self {
            status,
            title: title.to_owned(),
            description: description.into(),
        }
    }

    /// 400.
    pub fn bad_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Bad request", description)
    }

    /// 401, with a Basic challenge.
    pub fn unauthorized(description: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Unauthorized", description)
    }

    /// 403.
    pub fn forbidden(description: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "Forbidden", description)
    }

    /// 404.
    pub fn not_found(description: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "Not found", description)
    }
}

impl From<QueryError> for TaxiiError {
    fn from(error: QueryError) -> Self {
        Self::bad_request(error.to_string())
    }
}

impl From<NodeError> for TaxiiError {
    fn from(error: NodeError) -> Self {
        let problem = Problem::from(&error);
        let status =
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Self::new(status, &problem.title, problem.detail)
    }
}

/// 406 for an Accept header we cannot satisfy.
pub fn not_acceptable(error: MediaError) -> TaxiiError {
    TaxiiError::new(
        StatusCode::NOT_ACCEPTABLE,
        "Not acceptable",
        error.to_string(),
    )
}

/// 415 for a body in another media type.
pub fn unsupported_media_type(error: MediaError) -> TaxiiError {
    TaxiiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "Unsupported media type",
        error.to_string(),
    )
}

impl IntoResponse for TaxiiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::warn!(status = self.status.as_u16(), description = %self.description, "TAXII request failed");
        } else {
            tracing::info!(status = self.status.as_u16(), description = %self.description, "TAXII request refused");
        }
        let resource = ErrorResource {
            title: self.title,
            description: Some(self.description),
            error_id: None,
            error_code: None,
            http_status: Some(self.status.as_u16().to_string()),
            external_details: None,
            details: None,
        };
        let mut response = json(self.status, &resource);
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(REALM));
        }
        response
    }
}

/// A TAXII resource as the response body.
pub fn json<T: Serialize>(status: StatusCode, resource: &T) -> Response {
    json_with(status, resource, HeaderMap::new())
}

/// A TAXII resource as the response body, with extra headers.
pub fn json_with<T: Serialize>(status: StatusCode, resource: &T, headers: HeaderMap) -> Response {
    match serde_json::to_vec(resource) {
        Ok(bytes) => raw(status, bytes, headers),
        Err(error) => TaxiiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal error",
            format!("could not serialise the response: {error}"),
        )
        .into_response(),
    }
}

/// Bytes already in TAXII JSON as the response body, with extra headers.
pub fn raw(status: StatusCode, body: Vec<u8>, mut headers: HeaderMap) -> Response {
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(TAXII_MEDIA_TYPE),
    );
    (status, headers, body).into_response()
}
