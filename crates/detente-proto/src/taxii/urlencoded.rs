//! The query component of a request URL as `application/x-www-form-urlencoded`
//! pairs (WHATWG URL §5.1): `&`-separated `name=value`, `+` for a space,
//! `%XX` for a byte, the bytes UTF-8. Unlike the WHATWG parser, which keeps
//! a stray `%` and replaces bad UTF-8, a malformed query is refused: a
//! filter a client misspelled must not silently match something else.

use super::error::{QueryError, echo};

/// The decoded `(name, value)` pairs of `query`, in order; empty segments
/// (`a=1&&b=2`, a trailing `&`) are skipped, a name without `=` has an
/// empty value.
pub(super) fn pairs(query: &str) -> Result<Vec<(String, String)>, QueryError> {
    query
        .split('&')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            let (name, value) = segment.split_once('=').unwrap_or((segment, ""));
            Ok((decode(name)?, decode(value)?))
        })
        .collect()
}

/// Percent-decodes one name or value.
fn decode(text: &str) -> Result<String, QueryError> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'+' => decoded.push(b' '),
            b'%' => {
                let escaped = bytes
                    .get(at + 1..at + 3)
                    .and_then(|hex| std::str::from_utf8(hex).ok())
                    .filter(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok());
                let Some(escaped) = escaped else {
                    return Err(QueryError::Encoding {
                        problem: format!(
                            "{:?} has a % not followed by two hexadecimal digits",
                            echo(text)
                        ),
                    });
                };
                decoded.push(escaped);
                at += 2;
            }
            other => decoded.push(other),
        }
        at += 1;
    }
    String::from_utf8(decoded).map_err(|_| QueryError::Encoding {
        problem: format!("{:?} does not decode to UTF-8", echo(text)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn names_and_values_are_percent_decoded() {
        assert_eq!(
            pairs("match%5Btype%5D=indicator%2Cmalware&limit=5"),
            Ok(owned(&[
                ("match[type]", "indicator,malware"),
                ("limit", "5")
            ]))
        );
        assert_eq!(
            pairs("match[type]=indicator&&next=&flag&a=b=c&c=%e2%82%ac+x"),
            Ok(owned(&[
                ("match[type]", "indicator"),
                ("next", ""),
                ("flag", ""),
                ("a", "b=c"),
                ("c", "€ x"),
            ]))
        );
        assert_eq!(pairs(""), Ok(Vec::new()));
    }

    #[test]
    fn malformed_escapes_and_bad_utf8_are_refused() {
        for bad in ["a=%", "a=%4", "a=%zz", "a%=1", "a=%ff", "a=%c3%28", "a=%+1"] {
            assert!(
                matches!(pairs(bad), Err(QueryError::Encoding { .. })),
                "{bad}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn garbage_never_panics(query in "[a-z%+&=\\[\\]0-9A-F\u{e9}]{0,40}") {
            let _ = pairs(&query);
        }
    }
}
