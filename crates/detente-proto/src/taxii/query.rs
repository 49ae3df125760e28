//! The query of a TAXII request: filtering and paging (TAXII 2.1 §3.4,
//! §3.4.1, §3.5) as each endpoint takes them.
//!
//! | endpoint | § | parameters |
//! |---|---|---|
//! | Get Object Manifests | 5.3 | `added_after`, `limit`, `next`, `match[id]`, `match[type]`, `match[version]`, `match[spec_version]` |
//! | Get Objects | 5.4 | the same |
//! | Get an Object | 5.6 | `added_after`, `limit`, `next`, `match[version]`, `match[spec_version]` |
//! | Get Object Versions | 5.8 | `added_after`, `limit`, `next`, `match[spec_version]` |
//!
//! (§5.6's prose says "the only valid match parameter is version"; its
//! normative parameter table, followed here, lists `match[spec_version]`
//! too.)
//!
//! Refused, with a message naming the parameter and the value (the node
//! answers 400):
//!
//! - a parameter the endpoint does not take, `match[<field>]` for a field
//!   this server does not filter on included (§3.4 lets a server ignore
//!   such fields; this one says so instead, since a filter silently
//!   ignored would widen what a client receives);
//! - a parameter given twice (§3.4: each at most once), or empty;
//! - a malformed value: `added_after` a timestamp (§2), `limit` a positive
//!   integer (larger than [`MAX_PAGE`] is served as [`MAX_PAGE`], §3.4
//!   lets the server limit), `next` a value this server issued
//!   ([`Cursor`]), and `match[…]` comma-separated lists (§3.4, an OR) of
//!   STIX identifiers, STIX type names, `first`/`last`/`all`/STIX
//!   timestamps (no entry twice, `all` alone: §3.4.1) and specification
//!   versions such as `2.1`.
//!
//! `match[version]` defaults to `last` (§3.4.1) where the endpoint takes
//! it; Get Object Versions lists every version (§5.8).

use super::cursor::Cursor;
use super::error::{QueryError, echo};
use super::time::parse_micros;
use super::urlencoded::pairs;
use crate::stix::{is_type_name, version_key};

/// Rows on a page when the client gives no `limit`.
pub const DEFAULT_PAGE: usize = 100;

/// Most rows on a page, whatever `limit` the client gives.
pub const MAX_PAGE: usize = 1000;

/// The TAXII endpoints that take a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// Get Objects (§5.4), `GET …/collections/{id}/objects/`.
    Objects,
    /// Get Object Manifests (§5.3), `GET …/collections/{id}/manifest/`.
    Manifest,
    /// Get an Object (§5.6), `GET …/collections/{id}/objects/{object-id}/`.
    Object,
    /// Get Object Versions (§5.8),
    /// `GET …/collections/{id}/objects/{object-id}/versions/`.
    Versions,
}

impl Endpoint {
    /// The endpoint's name in TAXII 2.1.
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Objects => "Get Objects",
            Endpoint::Manifest => "Get Object Manifests",
            Endpoint::Object => "Get an Object",
            Endpoint::Versions => "Get Object Versions",
        }
    }

    /// The section of TAXII 2.1 that defines it.
    pub fn section(self) -> &'static str {
        match self {
            Endpoint::Objects => "§5.4",
            Endpoint::Manifest => "§5.3",
            Endpoint::Object => "§5.6",
            Endpoint::Versions => "§5.8",
        }
    }

    /// The query parameters it takes, as a sentence lists them.
    fn supported(self) -> &'static str {
        match self {
            Endpoint::Objects | Endpoint::Manifest => {
                "added_after, limit, next, match[id], match[type], match[version] and match[spec_version]"
            }
            Endpoint::Object => "added_after, limit, next, match[version] and match[spec_version]",
            Endpoint::Versions => "added_after, limit, next and match[spec_version]",
        }
    }

    /// Whether it takes `parameter`.
    fn takes(self, parameter: Parameter) -> bool {
        match parameter {
            Parameter::AddedAfter | Parameter::Limit | Parameter::Next | Parameter::SpecVersion => {
                true
            }
            Parameter::Id | Parameter::Type => {
                matches!(self, Endpoint::Objects | Endpoint::Manifest)
            }
            Parameter::Version => self != Endpoint::Versions,
        }
    }
}

/// Which versions of each object are asked for (§3.4.1 `match[version]`):
/// the union of what is set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionFilter {
    /// The earliest version of each object.
    pub first: bool,
    /// The latest version of each object.
    pub last: bool,
    /// Every version (set alone).
    pub all: bool,
    /// Versions at these instants, as [`version_key`]s.
    pub at: Vec<String>,
}

impl VersionFilter {
    /// The latest version only: the default of §3.4.1.
    pub fn last() -> Self {
        VersionFilter {
            last: true,
            ..VersionFilter::default()
        }
    }

    /// Every version.
    pub fn all() -> Self {
        VersionFilter {
            all: true,
            ..VersionFilter::default()
        }
    }
}

/// A parsed, checked query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Only rows added after this instant (microseconds since the Unix
    /// epoch, floored), from `added_after`.
    pub added_after: Option<i64>,
    /// Rows on the page: `limit` (at most [`MAX_PAGE`]), else
    /// [`DEFAULT_PAGE`].
    pub limit: usize,
    /// Where the page starts, from `next`.
    pub next: Option<Cursor>,
    /// `match[id]`: objects with one of these ids; empty for any.
    pub ids: Vec<String>,
    /// `match[type]`: objects of one of these types; empty for any.
    pub types: Vec<String>,
    /// `match[version]`, or the endpoint's default.
    pub versions: VersionFilter,
    /// `match[spec_version]`: objects of one of these STIX versions; empty
    /// for the latest this server has of each (§3.4.1).
    pub spec_versions: Vec<String>,
}

impl Query {
    /// Parses the query component of a request URL (`None` or empty for
    /// none) for `endpoint`.
    pub fn parse(raw_query: Option<&str>, endpoint: Endpoint) -> Result<Query, QueryError> {
        let mut query = Query {
            added_after: None,
            limit: DEFAULT_PAGE,
            next: None,
            ids: Vec::new(),
            types: Vec::new(),
            versions: match endpoint {
                Endpoint::Versions => VersionFilter::all(),
                _ => VersionFilter::last(),
            },
            spec_versions: Vec::new(),
        };
        let mut seen = Vec::new();
        for (name, value) in pairs(raw_query.unwrap_or_default())? {
            let Some(parameter) = Parameter::named(&name).filter(|p| endpoint.takes(*p)) else {
                return Err(QueryError::Unsupported {
                    parameter: echo(&name),
                    endpoint: endpoint.name(),
                    section: endpoint.section(),
                    supported: endpoint.supported(),
                });
            };
            if seen.contains(&parameter) {
                return Err(QueryError::Repeated { parameter: name });
            }
            seen.push(parameter);
            if value.is_empty() {
                return Err(QueryError::Empty {
                    parameter: name,
                    expected: parameter.expected(),
                });
            }
            let malformed = |value: &str| QueryError::Malformed {
                parameter: name.clone(),
                value: echo(value),
                expected: parameter.expected(),
            };
            match parameter {
                Parameter::AddedAfter => {
                    query.added_after = Some(parse_micros(&value).map_err(|_| malformed(&value))?);
                }
                Parameter::Limit => query.limit = limit(&value).ok_or_else(|| malformed(&value))?,
                Parameter::Next => query.next = Some(Cursor::decode(&value)?),
                Parameter::Id => query.ids = list(&name, &value, parameter, is_identifier)?,
                Parameter::Type => query.types = list(&name, &value, parameter, is_type_name)?,
                Parameter::Version => {
                    // Not deduplicated: §3.4.1 forbids a version twice.
                    let entries = entries(&name, &value, parameter, |entry| {
                        matches!(entry, "first" | "last" | "all") || version_key(entry).is_some()
                    })?;
                    query.versions = version_filter(&entries).ok_or_else(|| malformed(&value))?;
                }
                Parameter::SpecVersion => {
                    query.spec_versions = list(&name, &value, parameter, is_spec_version)?;
                }
            }
        }
        Ok(query)
    }

    /// The lower bound of the page: after both `added_after` and `next`,
    /// whichever is later; `None` to start at the oldest row (§3.4).
    pub fn after_micros(&self) -> Option<i64> {
        let next = self.next.map(|cursor| cursor.after_micros);
        self.added_after.max(next)
    }
}

/// The query parameters this server knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Parameter {
    AddedAfter,
    Limit,
    Next,
    Id,
    Type,
    Version,
    SpecVersion,
}

impl Parameter {
    /// The parameter with this (decoded, case-sensitive, §3.8) name.
    fn named(name: &str) -> Option<Self> {
        Some(match name {
            "added_after" => Parameter::AddedAfter,
            "limit" => Parameter::Limit,
            "next" => Parameter::Next,
            "match[id]" => Parameter::Id,
            "match[type]" => Parameter::Type,
            "match[version]" => Parameter::Version,
            "match[spec_version]" => Parameter::SpecVersion,
            _ => return None,
        })
    }

    /// What the parameter takes, with an example.
    fn expected(self) -> &'static str {
        match self {
            Parameter::AddedAfter => {
                "a TAXII timestamp in UTC with a Z suffix, e.g. added_after=2026-11-29T08:30:00.123456Z (TAXII 2.1 §2, §3.4)"
            }
            Parameter::Limit => {
                "a positive whole number of objects, e.g. limit=100 (TAXII 2.1 §3.4; this server sends at most 1000 a page)"
            }
            Parameter::Next => "the next value of the page before (TAXII 2.1 §3.4)",
            Parameter::Id => {
                "a comma-separated list of STIX identifiers <type>--<UUID>, e.g. match[id]=indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f (TAXII 2.1 §3.4.1)"
            }
            Parameter::Type => {
                "a comma-separated list of STIX type names (3 to 250 of a-z, 0-9 and -), e.g. match[type]=indicator,sighting (TAXII 2.1 §3.4.1)"
            }
            Parameter::Version => {
                "a comma-separated list of first, last and STIX timestamps, each at most once, or all alone, e.g. match[version]=first,2016-01-01T01:01:01.000Z (TAXII 2.1 §3.4.1)"
            }
            Parameter::SpecVersion => {
                "a comma-separated list of STIX specification versions, e.g. match[spec_version]=2.1 (TAXII 2.1 §3.4.1)"
            }
        }
    }
}

/// A comma-separated list (§3.4) whose every entry passes `valid`, with
/// repeated entries dropped (the list is an OR).
fn list(
    name: &str,
    value: &str,
    parameter: Parameter,
    valid: impl Fn(&str) -> bool,
) -> Result<Vec<String>, QueryError> {
    let mut seen = std::collections::BTreeSet::new();
    let mut unique: Vec<String> = Vec::new();
    for entry in entries(name, value, parameter, valid)? {
        if seen.insert(entry.clone()) {
            unique.push(entry);
        }
    }
    Ok(unique)
}

/// The most values one `match[…]` list may hold: each is a filter the
/// store applies, so a request's cost stays bounded.
pub const MAX_MATCH_VALUES: usize = 100;

/// The entries of a comma-separated list (§3.4), each passing `valid`.
fn entries(
    name: &str,
    value: &str,
    parameter: Parameter,
    valid: impl Fn(&str) -> bool,
) -> Result<Vec<String>, QueryError> {
    let mut entries: Vec<String> = Vec::new();
    if value.split(',').nth(MAX_MATCH_VALUES).is_some() {
        return Err(QueryError::TooMany {
            parameter: name.to_owned(),
            max: MAX_MATCH_VALUES,
        });
    }
    for entry in value.split(',') {
        if entry.is_empty() {
            return Err(QueryError::Empty {
                parameter: name.to_owned(),
                expected: parameter.expected(),
            });
        }
        if !valid(entry) {
            return Err(QueryError::Malformed {
                parameter: name.to_owned(),
                value: echo(entry),
                expected: parameter.expected(),
            });
        }
        entries.push(entry.to_owned());
    }
    Ok(entries)
}

/// `match[version]` entries (each already `first`, `last`, `all` or a
/// timestamp) as a filter; `None` when one repeats (`last,last`, or one
/// instant written twice) or `all` is not alone (§3.4.1).
fn version_filter(entries: &[String]) -> Option<VersionFilter> {
    let mut filter = VersionFilter::default();
    for entry in entries {
        let fresh = match entry.as_str() {
            "first" => !std::mem::replace(&mut filter.first, true),
            "last" => !std::mem::replace(&mut filter.last, true),
            "all" => !std::mem::replace(&mut filter.all, true),
            timestamp => {
                let key = version_key(timestamp)?;
                let fresh = !filter.at.contains(&key);
                filter.at.push(key);
                fresh
            }
        };
        if !fresh {
            return None;
        }
    }
    if filter.all && entries.len() > 1 {
        return None;
    }
    Some(filter)
}

/// `limit`: a positive integer, served as at most [`MAX_PAGE`].
fn limit(value: &str) -> Option<usize> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match value.parse::<usize>() {
        Ok(0) => None,
        Ok(limit) => Some(limit.min(MAX_PAGE)),
        // Only digits, so too large for usize: the most we serve.
        Err(_) => Some(MAX_PAGE),
    }
}

/// A STIX identifier (§2.9) by its shape: a type name, `--` and a UUID in
/// its hyphenated form. Version and variant are not checked: an id this
/// server cannot hold simply matches nothing.
fn is_identifier(id: &str) -> bool {
    let Some(split) = id.len().checked_sub(36) else {
        return false;
    };
    let (Some(head), Some(uuid)) = (id.get(..split), id.get(split..)) else {
        return false;
    };
    head.strip_suffix("--").is_some_and(is_type_name) && uuid::Uuid::try_parse(uuid).is_ok()
}

/// A specification version: `n.m`, both unsigned integers (as TAXII 2.1
/// §1.6.8.2 writes versions), e.g. `2.1`.
fn is_spec_version(version: &str) -> bool {
    let number =
        |part: &str| (1..=4).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
    version
        .split_once('.')
        .is_some_and(|(major, minor)| number(major) && number(minor))
}

#[cfg(test)]
mod tests;
