//! `detente taxii pull`: reads the objects of one collection of a SOC's
//! TAXII 2.1 server (OASIS TAXII 2.1 §5.4), for the officer to make a
//! draft notification of them (docs/taxii.md, "Drafts").
//!
//! - [`api_root`]: the SOC's API root over HTTPS (reqwest), every answer
//!   checked to be TAXII 2.1 and bounded in size;
//! - [`paging`]: which page to ask for next, without I/O.
//!
//! Nothing here talks to the node or sends anything: the command in
//! `officer::drafts` hands what was pulled to the node as a draft.

pub mod api_root;
pub mod paging;

use anyhow::bail;
use detente_proto::stix::is_type_name;
use detente_proto::taxii::{Collection, format_micros, parse_micros};

use api_root::{Credentials, RemoteApiRoot};
use paging::{Paging, Pulled};

/// The most the objects of one pull may weigh together: far more than
/// one draft holds, so only a runaway server reaches it.
const MAX_PULL_BYTES: usize = 64 * 1024 * 1024;

/// What to pull.
#[derive(Debug)]
pub struct PullRequest {
    /// The API root.
    pub api_root: RemoteApiRoot,
    /// The collection's id or alias (checked by [`api_root::check_collection`]).
    pub collection: String,
    /// `added_after`, a TAXII timestamp.
    pub added_after: Option<String>,
    /// `match[type]`; empty for any.
    pub types: Vec<String>,
    /// At most this many objects.
    pub max_objects: usize,
    /// At most this many a page.
    pub page_size: usize,
}

/// Reads the objects of the collection, page by page, until the server
/// has no more or `max_objects` are read. Returns the collection as the
/// server describes it, and the objects.
pub async fn pull(request: &PullRequest) -> anyhow::Result<(Collection, Pulled)> {
    request.api_root.check().await?;
    let collection = request.api_root.collection(&request.collection).await?;
    let mut paging = Paging::new(
        request.added_after.clone(),
        request.max_objects,
        request.page_size,
    );
    let mut bytes = 0usize;
    while let Some(asked) = paging.request().cloned() {
        let page = request
            .api_root
            .objects(&request.collection, &request.types, &asked)
            .await?;
        bytes = page
            .objects
            .iter()
            .fold(bytes, |sum, object| sum.saturating_add(object.get().len()));
        if bytes > MAX_PULL_BYTES {
            bail!(
                "the objects read so far weigh over {MAX_PULL_BYTES} bytes, far more than one draft holds; pull fewer with --type, --added-after or --max-objects"
            );
        }
        paging.take(page).map_err(|problem| {
            anyhow::anyhow!(
                "the TAXII server at {} broke the protocol: {problem}; no draft was made",
                request.api_root.url()
            )
        })?;
    }
    Ok((collection, paging.finish()))
}

/// `--user` and the password from the environment variable `variable`.
pub fn credentials(user: Option<&str>, variable: &str) -> anyhow::Result<Option<Credentials>> {
    let Some(user) = user else {
        return Ok(None);
    };
    match std::env::var(variable) {
        Ok(password) if !password.is_empty() => Ok(Some(Credentials {
            user: user.to_owned(),
            password,
        })),
        _ => bail!(
            "no password for {user}: set {variable} to the password of the TAXII account (or name another variable with --password-env)"
        ),
    }
}

/// `--added-after`: a TAXII or STIX timestamp (kept to the microsecond,
/// as `X-TAXII-Date-Added-Last` writes it), an RFC 3339 time, or a date
/// (its first instant, UTC); as the TAXII timestamp sent.
pub fn parse_added_after(text: &str) -> Result<String, String> {
    if let Some(exact) = parse_micros(text).ok().and_then(format_micros) {
        return Ok(exact);
    }
    let at = crate::cli::parse_at(text)?;
    format_micros(at.unix_millis().saturating_mul(1000))
        .ok_or_else(|| format!("{text:?} is outside the years 0000 to 9999"))
}

/// `--type`: STIX type names, comma-separated (STIX 2.1 §3.1: 3 to 250
/// of `a-z`, `0-9` and `-`).
pub fn parse_types(text: &str) -> Result<Vec<String>, String> {
    let types: Vec<String> = text
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    if types.is_empty() {
        return Err("name at least one STIX type, e.g. --type indicator,sighting".into());
    }
    if let Some(bad) = types.iter().find(|t| !is_type_name(t)) {
        return Err(format!(
            "{bad:?} is not a STIX type name (3 to 250 of a-z, 0-9 and single hyphens, starting with a letter), e.g. indicator"
        ));
    }
    Ok(types)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_after_is_kept_to_the_microsecond_or_read_as_a_date() {
        assert_eq!(
            parse_added_after("2026-11-28T09:00:00.123456Z").as_deref(),
            Ok("2026-11-28T09:00:00.123456Z")
        );
        assert_eq!(
            parse_added_after("2026-11-28").as_deref(),
            Ok("2026-11-28T00:00:00.000000Z")
        );
        assert_eq!(
            parse_added_after("2026-11-28T12:00:00+03:00").as_deref(),
            Ok("2026-11-28T09:00:00.000000Z")
        );
        assert!(parse_added_after("yesterday").is_err());
    }

    #[test]
    fn types_are_stix_type_names() {
        assert_eq!(
            parse_types("indicator, sighting"),
            Ok(vec!["indicator".to_owned(), "sighting".to_owned()])
        );
        for bad in ["", ",", "Indicator", "ip", "a&b=c"] {
            assert!(parse_types(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_user_without_a_password_is_told_where_to_put_it() {
        assert!(credentials(None, "DETENTE_TEST_UNSET_VARIABLE").is_ok_and(|c| c.is_none()));
        let error =
            credentials(Some("hotline"), "DETENTE_TEST_UNSET_VARIABLE").expect_err("no password");
        assert!(
            error
                .to_string()
                .contains("set DETENTE_TEST_UNSET_VARIABLE to the password"),
            "{error}"
        );
    }
}
