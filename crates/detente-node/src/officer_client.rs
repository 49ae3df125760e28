//! A client of a node's officer API, for the CLI, the demo and tests. It
//! pins the node's TLS certificate (no CA) and sends the officer's token.

use std::path::Path;

use reqwest::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{NodeError, NodeResult, TlsError};
use crate::tls::{TlsIdentity, officer_client_config};

/// An officer's connection to a node.
#[derive(Debug, Clone)]
pub struct OfficerClient {
    base_url: String,
    token: String,
    http: reqwest::Client,
}

/// An error answer from the node: its status and problem document.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{status}: {detail}")]
pub struct ApiProblem {
    /// HTTP status.
    pub status: StatusCode,
    /// The problem's `detail`, or the body.
    pub detail: String,
    /// The whole problem document.
    pub problem: Value,
}

impl OfficerClient {
    /// A client for the node at `base_url` whose certificate has this SPKI hash.
    pub fn new(base_url: &str, server_spki_sha256: [u8; 32], token: &str) -> NodeResult<Self> {
        let tls = officer_client_config(server_spki_sha256)?;
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(TlsError::setup("build the officer API client"))?;
        Ok(Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            http,
        })
    }

    /// A client pinned to the certificate in the node directory `dir`.
    pub fn for_node_dir(dir: &Path, base_url: &str, token: &str) -> NodeResult<Self> {
        let cert_path = dir.join("keys").join("tls.crt");
        let cert = std::fs::read_to_string(&cert_path).map_err(|e| NodeError::io(&cert_path, e))?;
        let spki = TlsIdentity::spki_of_pem(&cert).map_err(|problem| NodeError::Key {
            path: cert_path,
            problem: problem.into(),
        })?;
        Self::new(base_url, spki, token)
    }

    /// `GET` a path, decoding the JSON answer.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiCallError> {
        let request = self
            .http
            .get(format!("{}{path}", self.base_url))
            .bearer_auth(&self.token);
        Self::finish(request).await
    }

    /// `POST` JSON to a path, decoding the JSON answer.
    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiCallError> {
        let request = self
            .http
            .post(format!("{}{path}", self.base_url))
            .bearer_auth(&self.token)
            .json(body);
        Self::finish(request).await
    }

    async fn finish<T: DeserializeOwned>(
        request: reqwest::RequestBuilder,
    ) -> Result<T, ApiCallError> {
        let response = request
            .send()
            .await
            .map_err(|e| ApiCallError::Unreachable(crate::outbox::error_chain(&e)))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| ApiCallError::Unreachable(e.to_string()))?;
        if !status.is_success() {
            let problem: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let detail = problem
                .get("detail")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
            return Err(ApiCallError::Problem(ApiProblem {
                status,
                detail,
                problem,
            }));
        }
        serde_json::from_slice(&body).map_err(|e| {
            ApiCallError::Unreachable(format!("the node's answer is not the expected JSON: {e}"))
        })
    }
}

/// Why an officer API call failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiCallError {
    /// The node could not be reached, or answered gibberish.
    #[error("cannot talk to the node: {0}; is `detente serve` running, and is --node right?")]
    Unreachable(String),
    /// The node refused the request.
    #[error("the node refused: {0}")]
    Problem(ApiProblem),
}
