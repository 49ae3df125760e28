//! The TAXII 2.1 endpoints (TAXII 2.1 §4 and §5; docs/taxii.md, "Layout").
//!
//! Every endpoint authenticates the account (HTTP Basic), checks `Accept`
//! (406), and answers with TAXII resources or TAXII error resources. Every
//! read goes through [`read_page`], which asks the store only for the lanes
//! the account may see: an object outside them is absent from every
//! endpoint.

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use detente_proto::ids::{AccountName, PartyCode, ResourceId};
use detente_proto::taxii::cursor::Cursor;
use detente_proto::taxii::media::{
    STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE, check_accept, check_content_type,
};
use detente_proto::taxii::query::{Endpoint, Query};
use detente_proto::taxii::resources::{
    ApiRoot, Collections, Discovery, Manifest, ManifestRecord, Versions,
};
use detente_proto::taxii::time::format_micros;
use detente_store::{CollectionKind, StixQuery, StoredStixObject};

use super::access::{Account, hash_secret, parse_basic};
use super::collections::{parse_root, resolve, resource, root_segment, visible};
use super::response::{
    DATE_ADDED_FIRST, DATE_ADDED_LAST, TaxiiError, json, not_acceptable, raw,
    unsupported_media_type,
};
use crate::node::Node;

/// The TAXII routes, under `/taxii2/`.
pub fn routes() -> Router<Arc<Node>> {
    Router::new()
        .route("/taxii2/", get(discovery))
        .route("/taxii2/{root}/", get(api_root))
        .route("/taxii2/{root}/status/{status}/", get(status))
        .route("/taxii2/{root}/collections/", get(collections))
        .route("/taxii2/{root}/collections/{collection}/", get(collection))
        .route(
            "/taxii2/{root}/collections/{collection}/manifest/",
            get(manifest),
        )
        .route(
            "/taxii2/{root}/collections/{collection}/objects/",
            get(objects).post(add_objects),
        )
        .route(
            "/taxii2/{root}/collections/{collection}/objects/{object}/",
            get(object).delete(delete_object),
        )
        .route(
            "/taxii2/{root}/collections/{collection}/objects/{object}/versions/",
            get(versions),
        )
}

/// The account of a request, authenticated by HTTP Basic.
#[derive(Debug, Clone)]
pub struct TaxiiAccount(pub Account);

impl FromRequestParts<Arc<Node>> for TaxiiAccount {
    type Rejection = TaxiiError;

    async fn from_request_parts(
        parts: &mut Parts,
        node: &Arc<Node>,
    ) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(header::AUTHORIZATION).ok_or_else(|| {
            TaxiiError::unauthorized(
                "no Authorization header; TAXII clients send `Authorization: Basic` with the account name and the secret from `detente taxii account add`",
            )
        })?;
        let text = header
            .to_str()
            .map_err(|_| TaxiiError::unauthorized("the Authorization header is not ASCII"))?;
        let (name, secret) = parse_basic(text).map_err(TaxiiError::unauthorized)?;
        let refused = || {
            TaxiiError::unauthorized(
                "the account name or secret is not valid at this node (removed, mistyped, or for another node)",
            )
        };
        let lookup: AccountName = name.parse().map_err(|_| refused())?;
        let record = node
            .with_store(move |s| Ok(s.taxii_account(&lookup)?))
            .await?
            .ok_or_else(refused)?;
        if record.secret_sha256 != hash_secret(&secret) {
            return Err(refused());
        }
        Ok(Self(record.into()))
    }
}

fn accept(headers: &HeaderMap) -> Result<(), TaxiiError> {
    let value = headers
        .get(header::ACCEPT)
        .map(|v| v.to_str().unwrap_or("\u{fffd}"));
    check_accept(value).map_err(not_acceptable)
}

/// The counterparty of the API root `segment`, if the account may use it.
fn api_root_of(account: &Account, segment: &str) -> Result<PartyCode, TaxiiError> {
    parse_root(segment)
        .filter(|party| account.may_use_root(party))
        .ok_or_else(|| {
            TaxiiError::not_found(format!(
                "there is no API root /taxii2/{segment}/ for account {}; the discovery resource /taxii2/ lists yours",
                account.name
            ))
        })
}

/// What a handler needs of a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    Read,
    Write,
    /// Either: the collection resource itself.
    Either,
}

fn collection_of(
    node: &Node,
    account: &Account,
    party: &PartyCode,
    text: &str,
    need: Need,
) -> Result<CollectionKind, TaxiiError> {
    let kind = resolve(node.party(), party, text)
        .filter(|kind| account.may_read(party, *kind) || account.may_write(party, *kind))
        .ok_or_else(|| {
            TaxiiError::not_found(format!(
                "there is no collection {text} in /taxii2/{}/ for account {}; /taxii2/{}/collections/ lists yours",
                root_segment(party),
                account.name,
                root_segment(party)
            ))
        })?;
    match need {
        Need::Read if !account.may_read(party, kind) => Err(TaxiiError::forbidden(format!(
            "account {} may add to {kind} but not read it; ask the node administrator for read access",
            account.name
        ))),
        Need::Write if !account.may_write(party, kind) => {
            Err(TaxiiError::forbidden(if kind == CollectionKind::Drafts {
                format!(
                    "account {} may read {kind} but not add to it; ask the node administrator for write access",
                    account.name
                )
            } else {
                format!(
                    "{kind} is read-only: it holds what the hotline carried; post objects to the drafts collection, which an officer reviews and sends"
                )
            }))
        }
        _ => Ok(kind),
    }
}

/// The base URL of this node's TAXII service, as peers reach it.
fn base_url(node: &Node) -> String {
    format!("{}/taxii2", node.config().endpoint.trim_end_matches('/'))
}

/// `GET /taxii2/` (§4.1).
async fn discovery(
    State(node): State<Arc<Node>>,
    TaxiiAccount(account): TaxiiAccount,
    headers: HeaderMap,
) -> Result<Response, TaxiiError> {
    accept(&headers)?;
    let base = base_url(&node);
    let roots: Vec<String> = account
        .roots()
        .iter()
        .map(|party| format!("{base}/{}/", root_segment(party)))
        .collect();
    let resource = Discovery {
        title: format!("detente hotline node of {}", node.party()),
        description: Some(format!(
            "STIX 2.1 objects carried over the hotline of {} ({}): one API root per counterparty, each with the objects received from it, those sent to it, and drafts for officers to review.",
            node.party(),
            node.config().name
        )),
        contact: None,
        default: roots.first().cloned(),
        api_roots: roots,
    };
    Ok(json(StatusCode::OK, &resource))
}

/// `GET /taxii2/{root}/` (§4.2).
async fn api_root(
    State(node): State<Arc<Node>>,
    TaxiiAccount(account): TaxiiAccount,
    Path(root): Path<String>,
    headers: HeaderMap,
) -> Result<Response, TaxiiError> {
    accept(&headers)?;
    let party = api_root_of(&account, &root)?;
    let resource = ApiRoot {
        title: format!("{} and {party}", node.party()),
        description: Some(format!(
            "What {} and {party} exchanged over the hotline, and drafts for {party}.",
            node.party()
        )),
        versions: vec![TAXII_MEDIA_TYPE.to_owned()],
        max_content_length: node.taxii_max_content_length() as u64,
    };
    Ok(json(StatusCode::OK, &resource))
}

/// `GET /taxii2/{root}/status/{status}/` (§4.3): only to the account that posted.
async fn status(
    State(node): State<Arc<Node>>,
    TaxiiAccount(account): TaxiiAccount,
    Path((root, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, TaxiiError> {
    accept(&headers)?;
    let party = api_root_of(&account, &root)?;
    let lookup: Option<ResourceId> = id.parse().ok();
    let record = node
        .with_store(move |s| match lookup {
            Some(id) => Ok(s.taxii_status(&id)?),
            None => Ok(None),
        })
        .await?
        .filter(|r| {
            // A status made before this account was added is a former
            // account's of the same name.
            r.account == account.name && r.counterparty == party && r.created_at >= account.created_at
        })
        .ok_or_else(|| {
            TaxiiError::not_found(format!(
                "there is no status {id} in this API root for account {}; a status is kept for the account that posted",
                account.name
            ))
        })?;
    Ok(raw(StatusCode::OK, record.document, HeaderMap::new()))
}

/// `GET /taxii2/{root}/collections/` (§5.1).
async fn collections(
    State(node): State<Arc<Node>>,
    TaxiiAccount(account): TaxiiAccount,
    Path(root): Path<String>,
    headers: HeaderMap,
) -> Result<Response, TaxiiError> {
    accept(&headers)?;
    let party = api_root_of(&account, &root)?;
    let resource = Collections {
        collections: visible(node.party(), &party, &account),
    };
    Ok(json(StatusCode::OK, &resource))
}

/// `GET /taxii2/{root}/collections/{id}/` (§5.2).
async fn collection(
    State(node): State<Arc<Node>>,
    TaxiiAccount(account): TaxiiAccount,
    Path((root, collection)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, TaxiiError> {
    accept(&headers)?;
    let party = api_root_of(&account, &root)?;
    let kind = collection_of(&node, &account, &party, &collection, Need::Either)?;
    Ok(json(
        StatusCode::OK,
        &resource(node.party(), &party, kind, &account),
    ))
}

/// One page of what the account may see.
struct Page {
    rows: Vec<StoredStixObject>,
    more: bool,
}

impl Page {
    /// `next` for the envelope: where the following page starts.
    fn next(&self) -> Option<String> {
        let last = self.rows.last()?;
        self.more.then(|| {
            Cursor {
                after_micros: last.added_us,
            }
            .encode()
        })
    }

    /// The `X-TAXII-Date-Added-First` and `-Last` headers (§3.4.3).
    fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let bounds = [
            (DATE_ADDED_FIRST, self.rows.first()),
            (DATE_ADDED_LAST, self.rows.last()),
        ];
        for (name, row) in bounds {
            if let Some(value) = row
                .and_then(|r| format_micros(r.added_us))
                .and_then(|text| HeaderValue::from_str(&text).ok())
            {
                headers.insert(name, value);
            }
        }
        headers
    }
}

/// The version of a row as TAXII shows it: the object's `modified` or
/// `created`, else its `date_added`.
fn version_text(row: &StoredStixObject) -> String {
    row.object
        .version
        .clone()
        .or_else(|| format_micros(row.added_us))
        .unwrap_or_default()
}

/// Reads one page: per visible lane one range scan from the cursor,
/// merged by the store. `ids` narrows to one object (the object and
/// versions endpoints).
async fn read_page(
    node: &Node,
    account: &Account,
    party: &PartyCode,
    kind: CollectionKind,
    query: Query,
    ids: Option<Vec<String>>,
) -> Result<Page, TaxiiError> {
    let limit = query.limit;
    let after_us = query.after_micros();
    let stix_query = StixQuery {
        counterparty: party.clone(),
        collection: kind,
        lanes: account.lanes(),
        after_us,
        ids: ids.unwrap_or(query.ids),
        types: query.types,
        versions: query.versions,
        spec_versions: query.spec_versions,
        limit: limit.saturating_add(1),
    };
    let mut rows = node
        .with_store(move |s| Ok(s.stix_objects(&stix_query)?))
        .await?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    Ok(Page { rows, more })
}

/// An envelope (§3.7) of the page's objects, their stored bytes as they are.
fn envelope(page: &Page) -> Vec<u8> {
    let size: usize = page.rows.iter().map(|r| r.object.json.len() + 1).sum();
    let mut body = Vec::with_capacity(size + 128);
    body.extend_from_slice(b"{\"more\":");
    body.extend_from_slice(if page.more { b"true" } else { b"false" });
    if let Some(next) = page.next() {
        body.extend_from_slice(b",\"next\":");
        // The cursor is URL-safe base64: nothing to escape.
        body.push(b'"');
        body.extend_from_slice(next.as_bytes());
        body.push(b'"');
    }
    if !page.rows.is_empty() {
        body.extend_from_slice(b",\"objects\":[");
        for (index, row) in page.rows.iter().enumerate() {
            if index > 0 {
                body.push(b',');
            }
            body.extend_from_slice(&row.object.json);
        }
        body.push(b']');
    }
    body.push(b'}');
    body
}

/// `GET …/objects/` (§5.4).
async fn objects(
    State(node): State<Arc<Node>>,
    TaxiiAccount(account): TaxiiAccount,
    Path((root, collection)): Path<(String, String)>,
    RawQuery(raw_query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, TaxiiError> {
    accept(&headers)?;
    let party = api_root_of(&account, &root)?;
    let kind = collection_of(&node, &account, &party, &collection, Need::Read)?;
    let query = Query::parse(raw_query.as_deref(), Endpoint::Objects)?;
    let page = read_page(&node, &account, &party, kind, query, None).await?;
    Ok(raw(StatusCode::OK, envelope(&page), page.headers()))
}

/// `GET …/objects/{id}/` (§5.6): the object's versions the account may see.
async fn object(
    State(node): State<Arc<Node>>,
    TaxiiAccount(account): TaxiiAccount,
    Path(path): Path<(String, String, String)>,
    RawQuery(raw_query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, TaxiiError> {
    accept(&headers)?;
    let page = one_object(&node, &account, path, raw_query, Endpoint::Object).await?;
    Ok(raw(StatusCode::OK, envelope(&page), page.headers()))
}

/// The page of one object (the object and versions endpoints): 404 when
/// the account may see no version of it, unless a later page was asked for.
async fn one_object(
    node: &Node,
    account: &Account,
    (root, collection, object): (String, String, String),
    raw_query: Option<String>,
    endpoint: Endpoint,
) -> Result<Page, TaxiiError> {
    let party = api_root_of(account, &root)?;
    let kind = collection_of(node, account, &party, &collection, Need::Read)?;
    let query = Query::parse(raw_query.as_deref(), endpoint)?;
    let first_page = query.next.is_none() && query.added_after.is_none();
    let page = read_page(
        node,
        account,
        &party,
        kind,
        query,
        Some(vec![object.clone()]),
    )
    .await?;
    if page.rows.is_empty() && first_page {
        return Err(absent(&object, account));
    }
    Ok(page)
}

fn absent(object: &str, account: &Account) -> TaxiiError {
    TaxiiError::not_found(format!(
        "no object {object} that account {} may see is in this collection (or none matches the filters)",
        account.name
    ))
}

/// `DELETE …/objects/{id}/` (§5.7): never; the record is append-only.
async fn delete_object(TaxiiAccount(_account): TaxiiAccount) -> Result<Response, TaxiiError> {
    Err(TaxiiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method not allowed",
        "objects are never deleted here: a collection is the record of what the hotline carried, and drafts are discarded by an officer (detente drafts discard)",
    ))
}

/// `GET …/objects/{id}/versions/` (§5.8).
async fn versions(
    State(node): State<Arc<Node>>,
    TaxiiAccount(account): TaxiiAccount,
    Path(path): Path<(String, String, String)>,
    RawQuery(raw_query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, TaxiiError> {
    accept(&headers)?;
    let page = one_object(&node, &account, path, raw_query, Endpoint::Versions).await?;
    let resource = Versions {
        more: page.more,
        versions: page.rows.iter().map(version_text).collect(),
    };
    Ok(super::response::json_with(
        StatusCode::OK,
        &resource,
        page.headers(),
    ))
}

/// `GET …/manifest/` (§5.3).
async fn manifest(
    State(node): State<Arc<Node>>,
    TaxiiAccount(account): TaxiiAccount,
    Path((root, collection)): Path<(String, String)>,
    RawQuery(raw_query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, TaxiiError> {
    accept(&headers)?;
    let party = api_root_of(&account, &root)?;
    let kind = collection_of(&node, &account, &party, &collection, Need::Read)?;
    let query = Query::parse(raw_query.as_deref(), Endpoint::Manifest)?;
    let page = read_page(&node, &account, &party, kind, query, None).await?;
    let resource = Manifest {
        more: page.more,
        objects: page
            .rows
            .iter()
            .map(|row| ManifestRecord {
                id: row.object.object_id.clone(),
                date_added: format_micros(row.added_us).unwrap_or_default(),
                version: version_text(row),
                media_type: Some(STIX_MEDIA_TYPE.to_owned()),
            })
            .collect(),
    };
    Ok(super::response::json_with(
        StatusCode::OK,
        &resource,
        page.headers(),
    ))
}

/// `POST …/objects/` (§5.5): objects for a draft notification.
async fn add_objects(
    State(node): State<Arc<Node>>,
    TaxiiAccount(account): TaxiiAccount,
    Path((root, collection)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, TaxiiError> {
    accept(&headers)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("\u{fffd}"));
    check_content_type(content_type).map_err(unsupported_media_type)?;
    let party = api_root_of(&account, &root)?;
    collection_of(&node, &account, &party, &collection, Need::Write)?;
    let limit = node.taxii_max_content_length();
    let bytes = crate::api::read_body(body, limit).await.map_err(|_| {
        TaxiiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Too large",
            format!(
                "the request body is over this API root's max_content_length of {limit} bytes, which keeps a draft within what one message carries; post the objects in several requests"
            ),
        )
    })?;
    let status = node.taxii_post(&account, &party, bytes).await?;
    Ok(json(StatusCode::ACCEPTED, &status))
}
