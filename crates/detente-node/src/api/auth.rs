//! Officer authentication: `Authorization: Bearer <token>`, looked up by the
//! token's SHA-256. No endpoint that shows messages answers without it.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use crate::error::{NodeError, Unauthenticated};
use crate::node::Node;
use crate::officers::{Officer, hash_token};

/// The authenticated officer of a request.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Officer);

impl FromRequestParts<Arc<Node>> for Authenticated {
    type Rejection = NodeError;

    async fn from_request_parts(
        parts: &mut Parts,
        node: &Arc<Node>,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or(Unauthenticated::NoCredentials)?;
        let token = header
            .to_str()
            .ok()
            // RFC 9110 §11.1: the scheme name is case-insensitive.
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token)
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or(Unauthenticated::NotBearer)?;
        let hash = hash_token(token);
        let officer = node
            .with_store(move |s| Ok(s.officer_by_token_hash(&hash)?))
            .await?
            .ok_or(Unauthenticated::UnknownToken)?;
        Ok(Self(officer.into()))
    }
}
