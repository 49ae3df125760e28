//! Why the query of a TAXII request was refused (answered 400, TAXII 2.1
//! §3.4: "If any of the URL query parameters are malformed, the TAXII
//! Server MUST return an HTTP 400 (Bad Request)").

/// Longest part of a client's value echoed back in an error message.
const ECHO_LIMIT: usize = 200;

/// A query a client sent that this server does not take. Each message
/// names the parameter and the value at fault and says what to send.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// A parameter the endpoint does not take.
    #[error(
        "The query parameter {parameter:?} is not taken by the {endpoint} endpoint (TAXII 2.1 {section}), which takes {supported}; leave it out."
    )]
    Unsupported {
        /// The parameter's name, decoded.
        parameter: String,
        /// The endpoint, e.g. "Get Objects".
        endpoint: &'static str,
        /// The section that defines the endpoint, e.g. "§5.4".
        section: &'static str,
        /// The parameters it takes, listed.
        supported: &'static str,
    },
    /// A parameter given more than once.
    #[error(
        "The query parameter {parameter:?} is given more than once, and TAXII 2.1 §3.4 allows each once; give one {parameter}, several values separated by commas where it takes a list (e.g. match[type]=indicator,malware)."
    )]
    Repeated {
        /// The parameter's name, decoded.
        parameter: String,
    },
    /// A parameter, or an entry of its list, left empty.
    #[error(
        "The query parameter {parameter:?} has an empty value where {expected} belongs; give one, or leave the parameter out."
    )]
    Empty {
        /// The parameter's name, decoded.
        parameter: String,
        /// What it takes, with an example.
        expected: &'static str,
    },
    /// A value that is not what the parameter takes.
    #[error("The query parameter {parameter:?} has the value {value:?}, which is not {expected}.")]
    Malformed {
        /// The parameter's name, decoded.
        parameter: String,
        /// The value at fault (the list entry, for lists), decoded.
        value: String,
        /// What it takes, with an example.
        expected: &'static str,
    },
    /// A list with more entries than a query may hold.
    #[error(
        "The query parameter {parameter:?} lists more than {max} values; ask for at most {max} in one request (or none, to match every value)."
    )]
    TooMany {
        /// The parameter's name, decoded.
        parameter: String,
        /// The most it takes.
        max: usize,
    },
    /// A query string that is not valid percent-encoded UTF-8.
    #[error(
        "The query string is not valid URL encoding: {problem}; percent-encode it as UTF-8 (RFC 3986 §2.1), e.g. match%5Btype%5D=indicator."
    )]
    Encoding {
        /// What is wrong, and where.
        problem: String,
    },
    /// A timestamp that is not one.
    #[error(
        "{value:?} is not a TAXII timestamp; write UTC with a Z suffix, e.g. 2026-11-29T08:30:00.123456Z (TAXII 2.1 §2)."
    )]
    Timestamp {
        /// The text at fault.
        value: String,
    },
    /// A `next` value this server did not issue.
    #[error(
        "The next value {value:?} is not one this server issued; start again without next, or page on with added_after set to the X-TAXII-Date-Added-Last of the page you have (TAXII 2.1 §3.5)."
    )]
    Cursor {
        /// The value at fault.
        value: String,
    },
}

/// `text` cut to [`ECHO_LIMIT`] characters for an error message.
pub(super) fn echo(text: &str) -> String {
    match text.char_indices().nth(ECHO_LIMIT) {
        Some((at, _)) => format!("{}…", text.get(..at).unwrap_or_default()),
        None => text.to_owned(),
    }
}
