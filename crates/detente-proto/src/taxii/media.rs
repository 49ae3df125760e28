//! Content negotiation (TAXII 2.1 §1.6.8, §3.1; RFC 9110 §8.3, §12.5.1).
//!
//! Every TAXII response of this server is `application/taxii+json;version=2.1`
//! (envelopes included, §3.7: STIX objects travel inside the TAXII
//! envelope). A request may ask for it by that name, without the version
//! parameter (the latest TAXII we speak, §1.6.8.2), or through
//! `application/*` or `*/*`. [`check_accept`] reads the `Accept` header as
//! RFC 9110 does: a comma-separated list of media ranges, type, subtype and
//! parameter names compared without case, parameter values as tokens or
//! quoted strings, each range weighted by `q`. The most specific range that
//! matches decides, so `application/*, application/taxii+json;q=0` refuses.
//! Parameters other than `version` (a `charset`, say) do not change what
//! matches: a TAXII body is UTF-8 JSON whatever they say.
//!
//! [`check_content_type`] reads the media type of a POSTed body (§5.5),
//! which must be a TAXII envelope: `application/taxii+json`, with no
//! version or version 2.1.

use super::error::echo;

/// The media type of every TAXII 2.1 resource this server sends and of the
/// envelopes it takes (TAXII 2.1 §1.6.8).
pub const TAXII_MEDIA_TYPE: &str = "application/taxii+json;version=2.1";

/// The media type of STIX 2.1 objects, as a collection lists it in
/// `media_types` and a manifest record in `media_type` (TAXII 2.1 §5.2.1,
/// §5.3.1).
pub const STIX_MEDIA_TYPE: &str = "application/stix+json;version=2.1";

/// The TAXII version this server speaks, as the `version` parameter writes it.
const VERSION: &str = "2.1";

/// A request whose media types this server cannot meet.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    /// The `Accept` header admits nothing this server sends (answered 406).
    #[error(
        "The Accept header asks for {accept:?}, and this server sends only {TAXII_MEDIA_TYPE} (TAXII 2.1 §1.6.8); ask again with Accept: {TAXII_MEDIA_TYPE}."
    )]
    NotAcceptable {
        /// The header as sent (cut short if long).
        accept: String,
    },
    /// A POST without a `Content-Type` (answered 415).
    #[error(
        "The request body has no Content-Type; objects are added as a TAXII envelope (TAXII 2.1 §5.5): send Content-Type: {TAXII_MEDIA_TYPE}."
    )]
    MissingContentType,
    /// A POST whose body is not a TAXII 2.1 envelope (answered 415).
    #[error(
        "The request body is {content_type:?}, and this server takes only TAXII 2.1 envelopes (TAXII 2.1 §5.5): send Content-Type: {TAXII_MEDIA_TYPE}."
    )]
    UnsupportedContentType {
        /// The header as sent (cut short if long).
        content_type: String,
    },
}

/// Checks that the `Accept` header of a request admits
/// [`TAXII_MEDIA_TYPE`]. A missing or blank header admits anything (RFC
/// 9110 §12.5.1). Ranges that are not well formed are passed over.
pub fn check_accept(accept: Option<&str>) -> Result<(), MediaError> {
    let Some(header) = accept.filter(|header| !header.trim().is_empty()) else {
        return Ok(());
    };
    let mut best: Option<(u8, u16)> = None;
    for element in split_outside_quotes(header, b',') {
        let Some(range) = MediaRange::parse(element, true) else {
            continue;
        };
        let Some(specificity) = range.specificity() else {
            continue;
        };
        best = match best {
            Some((held, _)) if held > specificity => best,
            Some((held, quality)) if held == specificity => {
                Some((held, quality.max(range.quality)))
            }
            _ => Some((specificity, range.quality)),
        };
    }
    match best {
        Some((_, quality)) if quality > 0 => Ok(()),
        _ => Err(MediaError::NotAcceptable {
            accept: echo(header),
        }),
    }
}

/// Checks that the `Content-Type` of a POSTed body is a TAXII 2.1
/// envelope: `application/taxii+json`, `version` absent or `2.1`.
pub fn check_content_type(content_type: Option<&str>) -> Result<(), MediaError> {
    let Some(header) = content_type.filter(|header| !header.trim().is_empty()) else {
        return Err(MediaError::MissingContentType);
    };
    let refused = || MediaError::UnsupportedContentType {
        content_type: echo(header),
    };
    let range = MediaRange::parse(header, false).ok_or_else(refused)?;
    match range.specificity() {
        Some(TAXII_ANY_VERSION | TAXII_THIS_VERSION) => Ok(()),
        _ => Err(refused()),
    }
}

/// How closely a range names our media type (RFC 9110 §12.5.1: the most
/// specific reference has precedence).
const ANY: u8 = 0;
const APPLICATION_ANY: u8 = 1;
const TAXII_ANY_VERSION: u8 = 2;
const TAXII_THIS_VERSION: u8 = 3;

/// One media range of an `Accept` header, or the media type of a
/// `Content-Type`.
#[derive(Debug)]
struct MediaRange {
    /// Type and subtype, lower-cased.
    kind: String,
    subtype: String,
    /// The `version` parameter's value, if given.
    version: Option<String>,
    /// The weight in thousandths (RFC 9110 §12.4.2), 1000 when absent.
    quality: u16,
}

impl MediaRange {
    /// Parses `type/subtype *(OWS ";" OWS name=value)`; with `weighted`,
    /// a `q` parameter is the weight and ends the media type's parameters
    /// (what follows it is an extension, ignored).
    fn parse(text: &str, weighted: bool) -> Option<Self> {
        let mut parts = split_outside_quotes(text, b';').into_iter();
        let (kind, subtype) = parts.next()?.trim().split_once('/')?;
        if !is_token(kind) || !is_token(subtype) || (kind == "*" && subtype != "*") {
            return None;
        }
        let mut range = MediaRange {
            kind: kind.to_ascii_lowercase(),
            subtype: subtype.to_ascii_lowercase(),
            version: None,
            quality: 1000,
        };
        for parameter in parts {
            let parameter = parameter.trim_matches([' ', '\t']);
            if parameter.is_empty() {
                continue;
            }
            let (name, value) = parameter.split_once('=')?;
            if !is_token(name) {
                return None;
            }
            let value = parameter_value(value)?;
            if weighted && name.eq_ignore_ascii_case("q") {
                range.quality = quality(&value)?;
                break;
            }
            if name.eq_ignore_ascii_case("version") {
                range.version = Some(value);
            }
        }
        Some(range)
    }

    /// How specifically this range admits [`TAXII_MEDIA_TYPE`]; `None` when
    /// it does not.
    fn specificity(&self) -> Option<u8> {
        match (self.kind.as_str(), self.subtype.as_str()) {
            ("*", "*") => Some(ANY),
            ("application", "*") => Some(APPLICATION_ANY),
            ("application", "taxii+json") => match self.version.as_deref() {
                None => Some(TAXII_ANY_VERSION),
                Some(VERSION) => Some(TAXII_THIS_VERSION),
                Some(_) => None,
            },
            _ => None,
        }
    }
}

/// RFC 9110 §5.6.2 `token`.
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// A parameter value: a token, or a quoted string with its escapes
/// removed (RFC 9110 §5.6.4, §5.6.6).
fn parameter_value(text: &str) -> Option<String> {
    let Some(quoted) = text.strip_prefix('"') else {
        return is_token(text).then(|| text.to_owned());
    };
    let mut value = String::new();
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return chars.as_str().is_empty().then_some(value),
            '\\' => value.push(chars.next()?),
            c if c == '\t' || c == ' ' || !c.is_control() => value.push(c),
            _ => return None,
        }
    }
    None
}

/// RFC 9110 §12.4.2 `qvalue`, in thousandths.
fn quality(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths: u16 = format!("{fraction:0<3}").parse().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// Splits `text` at every `separator` that is not inside a quoted string.
fn split_outside_quotes(text: &str, separator: u8) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    for (at, byte) in text.bytes().enumerate() {
        match byte {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            b if b == separator && !quoted => {
                parts.push(text.get(start..at).unwrap_or_default());
                start = at + 1;
            }
            _ => {}
        }
    }
    parts.push(text.get(start..).unwrap_or_default());
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_taxii_clients_send_is_accepted() {
        for accept in [
            "application/taxii+json;version=2.1",
            "application/taxii+json",
            "Application/TAXII+JSON; Version=2.1",
            "application/taxii+json; version=\"2.1\"",
            "application/taxii+json;version=2.1,application/stix+json;version=2.1",
            "application/stix+json;version=2.1, application/taxii+json;q=0.5",
            "application/taxii+json;version=2.0, application/taxii+json;version=2.1",
            "application/*",
            "*/*",
            "text/html, */*;q=0.1",
            "application/taxii+json;charset=utf-8",
            "application/taxii+json;version=2.1;q=1.000",
            "application/taxii+json;q=0.001",
            "application/taxii+json;version=2.1;q=1;ext=\"a,b\"",
            "application/taxii+json; version=2.1 ,",
            "",
            "   ",
        ] {
            assert_eq!(check_accept(Some(accept)), Ok(()), "{accept}");
        }
        assert_eq!(check_accept(None), Ok(()));
    }

    #[test]
    fn what_asks_for_something_else_is_refused() {
        for accept in [
            "application/taxii+json;version=2.0",
            "application/stix+json;version=2.1",
            "application/json",
            "text/html",
            "application/taxii+json;q=0",
            "application/taxii+json;version=2.1;q=0.000",
            "application/*, application/taxii+json;q=0",
            "*/*, application/taxii+json;version=2.1;q=0",
            "application/taxii+json;q=2",
            "application/taxii+json;q=0.5000",
            "application/taxii+json;version=\"2.1",
            "*/json",
            "application",
            "application/taxii+json;version",
            ";;;,,,",
            "application/taxii+json\u{0}",
        ] {
            let refused = check_accept(Some(accept));
            assert!(
                matches!(refused, Err(MediaError::NotAcceptable { .. })),
                "{accept}"
            );
        }
        let message = check_accept(Some("text/html")).map_err(|e| e.to_string());
        assert_eq!(
            message,
            Err("The Accept header asks for \"text/html\", and this server sends only application/taxii+json;version=2.1 (TAXII 2.1 §1.6.8); ask again with Accept: application/taxii+json;version=2.1.".to_owned())
        );
        let long = "x".repeat(10_000);
        let message = check_accept(Some(&long)).map_err(|e| e.to_string());
        assert!(message.is_err_and(|m| m.len() < 500));
    }

    #[test]
    fn a_posted_body_is_a_taxii_envelope() {
        for content_type in [
            "application/taxii+json;version=2.1",
            "application/taxii+json",
            "application/taxii+json; charset=utf-8; version=\"2.1\"",
            "APPLICATION/TAXII+JSON;VERSION=2.1",
        ] {
            assert_eq!(
                check_content_type(Some(content_type)),
                Ok(()),
                "{content_type}"
            );
        }
        assert_eq!(
            check_content_type(None),
            Err(MediaError::MissingContentType)
        );
        assert_eq!(
            check_content_type(Some(" ")),
            Err(MediaError::MissingContentType)
        );
        for content_type in [
            "application/taxii+json;version=2.0",
            "application/stix+json;version=2.1",
            "application/json",
            "application/*",
            "*/*",
            "application/taxii+json, application/json",
            "application/taxii+json;version=",
        ] {
            assert!(
                matches!(
                    check_content_type(Some(content_type)),
                    Err(MediaError::UnsupportedContentType { .. })
                ),
                "{content_type}"
            );
        }
        let message = MediaError::MissingContentType.to_string();
        assert!(message.ends_with("send Content-Type: application/taxii+json;version=2.1."));
    }
}
