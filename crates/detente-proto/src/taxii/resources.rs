//! The TAXII 2.1 resources, as JSON (TAXII 2.1 §3.6.1, §3.7, §4.1.1,
//! §4.2.1, §4.3.1, §5.1.1, §5.2.1, §5.3.1, §5.8.1).
//!
//! Property names are the specification's (§3.8). Optional properties are
//! left out when absent, and lists when empty: TAXII forbids empty lists
//! (§2 `list`) and an empty resource is `{}` (§5.1.1, §5.3.1, §5.8.1). A
//! `more` of `false` is left out too (§3.7: its absence means `false`).
//! Timestamps are kept as the strings they travel as
//! ([`super::time::format_micros`] writes them). Custom properties (§7.1)
//! of a resource read from another server are ignored, as §7.1.1 lets a
//! client do.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `serde` helper: leaves `more: false` out.
fn is_false(value: &bool) -> bool {
    !*value
}

/// The discovery resource (§4.1.1): what `GET /taxii2/` returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discovery {
    /// A human-readable name of the server.
    pub title: String,
    /// A human-readable description of the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Contact information for the server or its administrator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// The API root a client may use by default; one of `api_roots`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// The API roots advertised (HTTPS absolute URLs, or relative URLs
    /// starting with one `/`); optional in §4.1.1.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub api_roots: Vec<String>,
}

/// The API root resource (§4.2.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiRoot {
    /// A human-readable name of the API root.
    pub title: String,
    /// A human-readable description of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The TAXII versions it speaks, as media types with their version
    /// parameter; [`super::TAXII_MEDIA_TYPE`] among them.
    pub versions: Vec<String>,
    /// The largest request body it takes, in bytes (positive).
    pub max_content_length: u64,
}

/// Whether the request a [`Status`] follows is done (§4.3.1 `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestStatus {
    /// Done: the status will not change again.
    Complete,
    /// Still being processed: the status may change.
    Pending,
}

/// The status resource (§4.3.1): the outcome of a POST to add objects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// The status's identifier (a UUID), as in its URL.
    pub id: String,
    /// Whether processing is complete.
    pub status: RequestStatus,
    /// When the request was made (a TAXII timestamp).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_timestamp: Option<String>,
    /// Objects in the request.
    pub total_count: u64,
    /// Objects added.
    pub success_count: u64,
    /// The objects added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub successes: Vec<StatusDetails>,
    /// Objects not added.
    pub failure_count: u64,
    /// The objects not added, each with why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<StatusDetails>,
    /// Objects not yet processed.
    pub pending_count: u64,
    /// The objects not yet processed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pendings: Vec<StatusDetails>,
}

/// One object of a [`Status`] (§4.3.1 `status-details`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusDetails {
    /// The object's id.
    pub id: String,
    /// The object's version: `modified`, else `created`, else a value of
    /// the server's choosing (§4.3.1).
    pub version: String,
    /// More about the object's fate, e.g. why it was not added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The collection resource (§5.2.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collection {
    /// The collection's identifier (a UUID).
    pub id: String,
    /// A human-readable name.
    pub title: String,
    /// A human-readable description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A name that may stand for `id` in URLs, unique in its API root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// Whether the requester may get objects, manifests and versions.
    pub can_read: bool,
    /// Whether the requester may add objects.
    pub can_write: bool,
    /// The media types of its objects; absent means
    /// `application/stix+json` (§5.2.1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media_types: Vec<String>,
}

/// The collections resource (§5.1.1): `{}` when there are none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collections {
    /// The collections, in a consistent order (§3.3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collections: Vec<Collection>,
}

/// One version of one object in a [`Manifest`] (§5.3.1 `manifest-record`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestRecord {
    /// The object's id.
    pub id: String,
    /// When this version was added to the collection (a TAXII timestamp).
    pub date_added: String,
    /// The version: `modified`, else `created`, else a value of the
    /// server's choosing (§5.3.1).
    pub version: String,
    /// The media type this version can be had in; one of the collection's
    /// `media_types`. Optional in §5.3.1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

/// The manifest resource (§5.3.1): `{}` when nothing matched.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Whether more records match than were sent.
    #[serde(default, skip_serializing_if = "is_false")]
    pub more: bool,
    /// The records, in `date_added` order (§3.3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<ManifestRecord>,
}

/// The versions resource (§5.8.1): `{}` when there are none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Versions {
    /// Whether more versions match than were sent.
    #[serde(default, skip_serializing_if = "is_false")]
    pub more: bool,
    /// The versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
}

/// The envelope (§3.7) that carries STIX objects both ways: `{}` when
/// empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// Whether more objects match than were sent.
    #[serde(default, skip_serializing_if = "is_false")]
    pub more: bool,
    /// The `next` value that fetches the following page (only with `more`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// The STIX objects, each as its JSON object.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<Value>,
}

/// The error message (§3.6.1) in the body of an error response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorResource {
    /// A human-readable title.
    pub title: String,
    /// A human-readable description of what went wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// An identifier of this occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
    /// A server-specific code for this kind of error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The response's HTTP status code, as a string (e.g. `"400"`);
    /// it must match the status line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<String>,
    /// A URL with more about the error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_details: Option<String>,
    /// Server-specific structured details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Map<String, Value>>,
}

impl ErrorResource {
    /// An error message for a response of HTTP status `http_status`, with
    /// its `title` and `description`.
    pub fn new(http_status: u16, title: impl Into<String>, description: impl Into<String>) -> Self {
        ErrorResource {
            title: title.into(),
            description: Some(description.into()),
            http_status: Some(http_status.to_string()),
            ..ErrorResource::default()
        }
    }
}

#[cfg(test)]
mod tests;
