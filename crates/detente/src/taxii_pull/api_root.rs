//! A SOC's TAXII 2.1 API root, as `detente taxii pull` reads it (OASIS
//! TAXII 2.1 §4.2 API root, §5.2 collection, §5.4 objects; §3.6 error
//! messages). reqwest does HTTP; this module checks that what comes back
//! is TAXII 2.1 before anything is read from it.
//!
//! - Every request sends `Accept: application/taxii+json;version=2.1`
//!   (§1.6.8) and, with `--user`, HTTP Basic (RFC 7617).
//! - HTTPS only, redirects included: TAXII runs over HTTPS, and Basic
//!   credentials must not travel in clear.
//! - Every body is read up to a bound, whatever `Content-Length` says.
//! - An answer that is not TAXII 2.1 (another status, another media type,
//!   a discovery resource where an API root was expected) is refused with
//!   the status, the server's error message (title, description) if it
//!   sent one, and what to check.

use std::time::Duration;

use anyhow::{Context, bail};
use detente_proto::taxii::{
    ApiRoot, Collection, Collections, ErrorResource, STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE,
    check_content_type,
};
use reqwest::Url;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::paging::{Page, PageRequest};

/// The most a resource other than a page of objects may weigh.
const MAX_RESOURCE_BYTES: usize = 1024 * 1024;

/// The most one page of objects may weigh.
pub const MAX_PAGE_BYTES: usize = 16 * 1024 * 1024;

/// How much of an error answer is read to explain it.
const MAX_ERROR_BYTES: usize = 64 * 1024;

/// The header a TAXII server names the last object of a page with (§3.4.3).
const DATE_ADDED_LAST: &str = "x-taxii-date-added-last";

/// An account at the SOC's TAXII server.
#[derive(Clone)]
pub struct Credentials {
    /// The user name.
    pub user: String,
    /// The password.
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, password hidden)", self.user)
    }
}

/// One API root of a TAXII 2.1 server.
#[derive(Debug)]
pub struct RemoteApiRoot {
    http: reqwest::Client,
    url: Url,
    credentials: Option<Credentials>,
}

impl RemoteApiRoot {
    /// The API root at `url` (see [`api_root_url`]), trusting exactly the
    /// certificates of `ca_pem` (a CA, or the server's own self-signed
    /// certificate) if given, else the system's roots.
    pub fn new(
        url: Url,
        credentials: Option<Credentials>,
        ca_pem: Option<&[u8]>,
    ) -> anyhow::Result<Self> {
        // reqwest builds its own TLS configuration from the process's
        // default provider: the same one the node uses.
        let _ = std::sync::Arc::unwrap_or_clone(detente_node::tls::provider()).install_default();
        let mut builder = reqwest::Client::builder()
            .https_only(true)
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120));
        if let Some(pem) = ca_pem {
            let certificates = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| anyhow::anyhow!("--ca-cert: {e}"))?;
            if certificates.is_empty() {
                bail!(
                    "--ca-cert: no PEM certificate in the file; give the SOC server's certificate or its CA's, as PEM"
                );
            }
            builder = builder.tls_certs_only(certificates);
        }
        let http = builder
            .build()
            .context("cannot set up HTTPS for the TAXII server")?;
        Ok(Self {
            http,
            url,
            credentials,
        })
    }

    /// The API root's URL, ending in `/`.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// `GET` the API root (§4.2): checks that it is one, and speaks TAXII 2.1.
    pub async fn check(&self) -> anyhow::Result<ApiRoot> {
        let url = self.url.clone();
        let body = self.get(&url, MAX_RESOURCE_BYTES).await?.1;
        parse_api_root(&url, &body).map_err(anyhow::Error::msg)
    }

    /// `GET` the collections (§5.1).
    pub async fn collections(&self) -> anyhow::Result<Collections> {
        let url = self.join("collections/")?;
        let body = self.get(&url, MAX_RESOURCE_BYTES).await?.1;
        serde_json::from_slice(&body).map_err(|e| {
            anyhow::anyhow!("GET {url}: not a TAXII collections resource (§5.1.1): {e}")
        })
    }

    /// `GET` one collection (§5.2), by id or alias. When the server does
    /// not know it, the error lists the collections it has.
    pub async fn collection(&self, collection: &str) -> anyhow::Result<Collection> {
        let url = self.join(&format!("collections/{collection}/"))?;
        let body = match self.get(&url, MAX_RESOURCE_BYTES).await {
            Ok((_, body)) => body,
            Err(error) if error.downcast_ref::<NotFound>().is_some() => {
                let known = match self.collections().await {
                    Ok(list) if list.collections.is_empty() => {
                        "this account sees no collections there".to_owned()
                    }
                    Ok(list) => format!(
                        "this account sees: {}",
                        list.collections
                            .iter()
                            .map(describe_collection)
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                    Err(_) => "and its collections cannot be listed".to_owned(),
                };
                bail!("{error:#}; {known}");
            }
            Err(error) => return Err(error),
        };
        let found: Collection = serde_json::from_slice(&body).map_err(|e| {
            anyhow::anyhow!("GET {url}: not a TAXII collection resource (§5.2.1): {e}")
        })?;
        if !found.can_read {
            bail!(
                "the TAXII server says this account may not read collection {} (can_read is false); ask its administrator for read access, or pull another collection",
                describe_collection(&found)
            );
        }
        if !found.media_types.is_empty()
            && !found.media_types.iter().any(|m| {
                same_media_type(m, STIX_MEDIA_TYPE) || same_media_type(m, "application/stix+json")
            })
        {
            bail!(
                "collection {} holds {}, not STIX 2.1 ({STIX_MEDIA_TYPE}); pull a STIX 2.1 collection",
                describe_collection(&found),
                found.media_types.join(", ")
            );
        }
        Ok(found)
    }

    /// `GET` one page of the objects of `collection` (§5.4).
    pub async fn objects(
        &self,
        collection: &str,
        types: &[String],
        request: &PageRequest,
    ) -> anyhow::Result<Page> {
        let mut url = self.join(&format!("collections/{collection}/objects/"))?;
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("limit", &request.limit.to_string());
            if let Some(after) = &request.added_after {
                query.append_pair("added_after", after);
            }
            if !types.is_empty() {
                query.append_pair("match[type]", &types.join(","));
            }
            if let Some(next) = &request.next {
                query.append_pair("next", next);
            }
        }
        let (headers, body) = self.get(&url, MAX_PAGE_BYTES).await?;
        let envelope = parse_envelope(&body).map_err(|e| anyhow::anyhow!("GET {url}: {e}"))?;
        Ok(Page {
            more: envelope.more,
            next: envelope.next,
            objects: envelope.objects,
            date_added_last: headers
                .get(DATE_ADDED_LAST)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        })
    }

    fn join(&self, path: &str) -> anyhow::Result<Url> {
        self.url
            .join(path)
            .with_context(|| format!("cannot make a URL of {} and {path:?}", self.url))
    }

    /// `GET url`: a success with a TAXII 2.1 body of at most `max` bytes.
    async fn get(&self, url: &Url, max: usize) -> anyhow::Result<(HeaderMap, Vec<u8>)> {
        let mut request = self.http.get(url.clone()).header(ACCEPT, TAXII_MEDIA_TYPE);
        if let Some(credentials) = &self.credentials {
            request = request.basic_auth(&credentials.user, Some(&credentials.password));
        }
        let response = request.send().await.map_err(|e| {
            // reqwest's own words repeat the URL; its causes say what failed.
            let cause = std::error::Error::source(&e).map_or_else(|| e.to_string(), error_chain);
            anyhow::anyhow!(
                "cannot reach the TAXII server at {url}: {cause}; check the URL, and with a self-signed or private-CA certificate give --ca-cert"
            )
        })?;
        let status = response.status();
        let headers = response.headers().clone();
        let content_type = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if !status.is_success() {
            let body = read_bounded(response, MAX_ERROR_BYTES, true)
                .await
                .unwrap_or_default();
            let message = refusal(url, status, content_type.as_deref(), &body);
            return Err(if status == reqwest::StatusCode::NOT_FOUND {
                anyhow::Error::new(NotFound(message))
            } else {
                anyhow::Error::msg(message)
            });
        }
        if check_content_type(content_type.as_deref()).is_err() {
            bail!(
                "GET {url} answered {status} with Content-Type {}, not TAXII 2.1 ({TAXII_MEDIA_TYPE}); is {} the API root of a TAXII 2.1 server, such as https://misp.example/taxii2/api1/?",
                content_type
                    .as_deref()
                    .map_or("(none)".to_owned(), |c| format!("{:?}", shorten(c))),
                self.url
            );
        }
        let body = read_bounded(response, max, false)
            .await
            .with_context(|| format!("GET {url}"))?;
        Ok((headers, body))
    }
}

/// A 404, told apart so that a missing collection can be explained.
#[derive(Debug)]
struct NotFound(String);

impl std::fmt::Display for NotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotFound {}

/// Reads a body, at most `max` bytes; with `truncate`, what is past `max`
/// is dropped instead of refused.
async fn read_bounded(
    mut response: reqwest::Response,
    max: usize,
    truncate: bool,
) -> anyhow::Result<Vec<u8>> {
    let too_large = || {
        anyhow::anyhow!(
            "the answer is over {max} bytes, more than this command reads; ask for smaller pages with --page-size"
        )
    };
    if !truncate
        && response
            .content_length()
            .is_some_and(|length| length > max as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| anyhow::anyhow!("the answer broke off: {}", error_chain(&e)))?
    {
        if body.len() + chunk.len() > max {
            if truncate {
                body.extend_from_slice(&chunk[..max - body.len()]);
                return Ok(body);
            }
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// An error and its causes, `a: b: c`.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

/// The URL of an API root as given on the command line: HTTPS, no user
/// name or password in it (they go in --user and the environment), no
/// query or fragment, ending in `/` (§4.2 URLs end in `/`).
pub fn api_root_url(text: &str) -> Result<Url, String> {
    let mut url = Url::parse(text).map_err(|e| {
        format!(
            "{text:?} is not a URL ({e}); give the API root, e.g. https://misp.example/taxii2/api1/"
        )
    })?;
    if url.scheme() != "https" {
        return Err(format!(
            "{text:?} is not an https:// URL; TAXII 2.1 runs over HTTPS, and the password must not travel in clear"
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "the URL carries a user name or password; give the user with --user and the password in the environment (--password-env)"
                .into(),
        );
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "{text:?} has a query or fragment; give the API root alone, e.g. https://misp.example/taxii2/api1/"
        ));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// Checks a collection id or alias before it goes into a URL: 1 to 128 of
/// letters, digits, `-`, `_`, `.` and `~` (a UUID or an alias).
pub fn check_collection(text: &str) -> Result<(), String> {
    let fine = (1..=128).contains(&text.len())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'))
        && text != "."
        && text != "..";
    if fine {
        Ok(())
    } else {
        Err(format!(
            "{:?} is not a collection id or alias; give the collection's id (a UUID) or alias, as the server's collections list shows them",
            shorten(text)
        ))
    }
}

/// The envelope of a page of objects (§3.7); other members are ignored,
/// as §7.1.1 lets a client do.
#[derive(Debug, Deserialize)]
pub struct WireEnvelope {
    /// `more`, false when absent.
    #[serde(default)]
    pub more: bool,
    /// `next`.
    #[serde(default)]
    pub next: Option<String>,
    /// The objects, as sent.
    #[serde(default)]
    pub objects: Vec<Box<RawValue>>,
}

/// Reads an envelope; every object must be a JSON object.
pub fn parse_envelope(body: &[u8]) -> Result<WireEnvelope, String> {
    let envelope: WireEnvelope =
        serde_json::from_slice(body).map_err(|e| format!("not a TAXII envelope (§3.7): {e}"))?;
    if let Some(index) = envelope
        .objects
        .iter()
        .position(|o| !o.get().starts_with('{'))
    {
        return Err(format!(
            "objects[{index}] of the envelope is not a STIX object (a JSON object)"
        ));
    }
    Ok(envelope)
}

/// Reads an API root resource (§4.2.1), telling a discovery resource
/// (§4.1.1, what `/taxii2/` answers) apart, and checks that it speaks
/// TAXII 2.1.
pub fn parse_api_root(url: &Url, body: &[u8]) -> Result<ApiRoot, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        format!(
            "GET {url}: the answer is not JSON ({e}); is it the API root of a TAXII 2.1 server?"
        )
    })?;
    if value.get("versions").is_none() && value.get("api_roots").is_some() {
        let roots: Vec<String> = value["api_roots"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter_map(|root| url.join(root).ok())
            .map(|root| root.to_string())
            .collect();
        return Err(if roots.is_empty() {
            format!(
                "{url} is the server's discovery resource, not an API root, and it lists no API roots this account may use"
            )
        } else {
            format!(
                "{url} is the server's discovery resource, not an API root; give one of its API roots: {}",
                roots.join(", ")
            )
        });
    }
    let root: ApiRoot = serde_json::from_value(value).map_err(|e| {
        format!("GET {url}: not a TAXII API root resource (§4.2.1): {e}; is the URL an API root, such as https://misp.example/taxii2/api1/?")
    })?;
    if !root
        .versions
        .iter()
        .any(|v| same_media_type(v, TAXII_MEDIA_TYPE))
    {
        return Err(format!(
            "the API root {url} speaks {}, not TAXII 2.1 ({TAXII_MEDIA_TYPE})",
            root.versions.join(", ")
        ));
    }
    Ok(root)
}

/// The error for a response that is not a success: the status, the TAXII
/// error message's title and description if there is one (§3.6.1), else
/// the start of the body, and what to check.
pub fn refusal(
    url: &Url,
    status: reqwest::StatusCode,
    content_type: Option<&str>,
    body: &[u8],
) -> String {
    let explained = check_content_type(content_type)
        .ok()
        .and_then(|()| serde_json::from_slice::<ErrorResource>(body).ok());
    let said = match explained {
        Some(error) => match error.description {
            Some(description) => format!("{}: {}", shorten(&error.title), shorten(&description)),
            None => shorten(&error.title),
        },
        None => {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            format!(
                "not a TAXII error message (Content-Type {}){}",
                content_type.map_or("none".to_owned(), |c| format!("{:?}", shorten(c))),
                if text.is_empty() {
                    String::new()
                } else {
                    format!(": {}", shorten(text))
                }
            )
        }
    };
    let next = match status.as_u16() {
        401 => "check --user and the password in the environment (--password-env)",
        403 => "the account is not allowed this; ask the TAXII server's administrator",
        404 => "check the API root URL and the collection id or alias",
        406 | 415 => "the server does not speak TAXII 2.1 there",
        429 | 503 => "the server is busy; try again later",
        _ => "check the URL; is it the API root of a TAXII 2.1 server?",
    };
    format!("GET {url} answered {status}: {said}; {next}")
}

/// `id (alias) "title"` of a collection, for messages.
fn describe_collection(collection: &Collection) -> String {
    let alias = collection
        .alias
        .as_deref()
        .map(|a| format!(" (alias {})", shorten(a)))
        .unwrap_or_default();
    format!(
        "{}{alias} {:?}",
        shorten(&collection.id),
        shorten(&collection.title)
    )
}

/// Whether two media types are the same, spaces and case aside.
fn same_media_type(a: &str, b: &str) -> bool {
    let squeeze = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase()
    };
    squeeze(a) == squeeze(b)
}

/// Text from the server, made safe to print: control characters escaped,
/// cut at 300 characters.
pub fn shorten(text: &str) -> String {
    let mut out = String::new();
    for (count, c) in text.chars().enumerate() {
        if count == 300 {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).expect("url")
    }

    #[test]
    fn api_root_urls_are_https_and_end_in_a_slash() {
        assert_eq!(
            api_root_url("https://misp.example/taxii2/api1").map(String::from),
            Ok("https://misp.example/taxii2/api1/".to_owned())
        );
        assert_eq!(
            api_root_url("https://misp.example:8443/taxii2/api1/").map(String::from),
            Ok("https://misp.example:8443/taxii2/api1/".to_owned())
        );
        for (bad, word) in [
            ("http://misp.example/taxii2/api1/", "https://"),
            ("https://soc:pw@misp.example/taxii2/api1/", "--user"),
            ("https://misp.example/taxii2/api1/?x=1", "query"),
            ("misp.example/taxii2", "not a URL"),
        ] {
            let error = api_root_url(bad).expect_err(bad);
            assert!(error.contains(word), "{bad}: {error}");
        }
    }

    #[test]
    fn collections_are_ids_or_aliases() {
        for fine in [
            "drafts",
            "91a7b528-80eb-42ed-a74d-c6fbd5a26116",
            "high_value.v2",
        ] {
            assert_eq!(check_collection(fine), Ok(()), "{fine}");
        }
        for bad in ["", "..", "a/b", "a?b", "a b", "%2e%2e", &"x".repeat(129)] {
            assert!(check_collection(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_taxii_error_message_is_quoted_with_what_to_check() {
        let body = br#"{"title": "Unauthorized", "description": "no such account\u001b[2J", "http_status": "401"}"#;
        let message = refusal(
            &url("https://soc.example/taxii2/api1/"),
            reqwest::StatusCode::UNAUTHORIZED,
            Some("application/taxii+json;version=2.1"),
            body,
        );
        assert_eq!(
            message,
            "GET https://soc.example/taxii2/api1/ answered 401 Unauthorized: Unauthorized: no such account\\u{1b}[2J; check --user and the password in the environment (--password-env)"
        );
    }

    #[test]
    fn a_non_taxii_refusal_says_so() {
        let message = refusal(
            &url("https://soc.example/"),
            reqwest::StatusCode::NOT_FOUND,
            Some("text/html"),
            b"<html>Not here</html>",
        );
        assert!(message.contains("404 Not Found: not a TAXII error message (Content-Type \"text/html\"): <html>Not here</html>; check the API root URL"), "{message}");
        let long = refusal(
            &url("https://soc.example/"),
            reqwest::StatusCode::BAD_GATEWAY,
            None,
            "x".repeat(10_000).as_bytes(),
        );
        assert!(long.len() < 600, "{long}");
    }

    #[test]
    fn a_discovery_resource_names_its_api_roots() {
        let body = br#"{"title": "SOC", "default": "/taxii2/api1/", "api_roots": ["/taxii2/api1/", "https://other.example/taxii2/b/"]}"#;
        let error =
            parse_api_root(&url("https://soc.example/taxii2/"), body).expect_err("discovery");
        assert!(
            error.ends_with("give one of its API roots: https://soc.example/taxii2/api1/, https://other.example/taxii2/b/"),
            "{error}"
        );
        let old = br#"{"title": "Old", "versions": ["application/taxii+json;version=2.0"], "max_content_length": 1000}"#;
        assert!(
            parse_api_root(&url("https://soc.example/r/"), old)
                .is_err_and(|e| e.contains("not TAXII 2.1"))
        );
        let fine = br#"{"title": "R", "versions": ["application/taxii+json; version=2.1"], "max_content_length": 1000, "x_custom": 1}"#;
        assert_eq!(
            parse_api_root(&url("https://soc.example/r/"), fine).map(|r| r.title),
            Ok("R".to_owned())
        );
    }

    #[test]
    fn envelopes_keep_objects_as_sent() {
        let body = br#"{"more": true, "next": "abc", "objects": [{"id": "a",  "x": 1.50}], "x_other": {}}"#;
        let envelope = parse_envelope(body).expect("envelope");
        assert!(envelope.more);
        assert_eq!(envelope.next.as_deref(), Some("abc"));
        assert_eq!(envelope.objects[0].get(), r#"{"id": "a",  "x": 1.50}"#);
        let empty = parse_envelope(b"{}").expect("empty");
        assert!(!empty.more && empty.objects.is_empty());
        assert!(parse_envelope(br#"{"objects": [1]}"#).is_err_and(|e| e.contains("objects[0]")));
        assert!(parse_envelope(b"<html>").is_err_and(|e| e.contains("not a TAXII envelope")));
    }
}
