//! Query parameters: each read one way, with one error for all of them
//! ([`Mistake::Parameter`], `422 unprocessable`, naming the parameter and
//! what it takes).

use std::fmt::Display;
use std::str::FromStr;

use detente_proto::ids::PartyCode;
use serde::de::DeserializeOwned;

use crate::error::{Mistake, NodeResult};

/// How many rows a list answers when no `limit` is given.
pub const DEFAULT_LIMIT: usize = 100;
/// The most rows a list answers, whatever `limit` asks.
pub const MAX_LIMIT: usize = 1000;

/// The query string as `T`; `expected` says which parameters there are.
pub fn decode<T: DeserializeOwned>(query: Option<&str>, expected: &'static str) -> NodeResult<T> {
    serde_urlencoded::from_str(query.unwrap_or("")).map_err(|e| {
        Mistake::Parameter {
            parameter: "query",
            problem: e.to_string(),
            expected,
        }
        .into()
    })
}

/// The value of `parameter` read as `T`.
pub fn parse<T>(parameter: &'static str, text: &str, expected: &'static str) -> NodeResult<T>
where
    T: FromStr,
    T::Err: Display,
{
    text.parse().map_err(|e: T::Err| {
        Mistake::Parameter {
            parameter,
            problem: e.to_string(),
            expected,
        }
        .into()
    })
}

/// The value of `parameter`, if given, read as `T`.
pub fn parsed<T>(
    parameter: &'static str,
    value: Option<&str>,
    expected: &'static str,
) -> NodeResult<Option<T>>
where
    T: FromStr,
    T::Err: Display,
{
    value
        .map(|text| parse(parameter, text, expected))
        .transpose()
}

/// An optional `counterparty`.
pub fn counterparty(value: Option<&str>) -> NodeResult<Option<PartyCode>> {
    parsed("counterparty", value, "give a party code")
}

/// A `limit`, from 1 to [`MAX_LIMIT`], [`DEFAULT_LIMIT`] if none.
pub fn limit(value: Option<usize>) -> usize {
    value.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
}

/// The value of `parameter`, if given: one of `choices` by its name.
pub fn one_of<T: Copy>(
    parameter: &'static str,
    value: Option<&str>,
    choices: &[(&str, T)],
    expected: &'static str,
) -> NodeResult<Option<T>> {
    value
        .map(|text| {
            choices
                .iter()
                .find(|(name, _)| *name == text)
                .map(|(_, choice)| *choice)
                .ok_or_else(|| {
                    Mistake::UnknownValue {
                        parameter,
                        value: text.to_owned(),
                        expected,
                    }
                    .into()
                })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::NodeError;

    #[test]
    fn each_parameter_names_itself_when_it_does_not_read() {
        let bad = counterparty(Some("ru")).expect_err("lower case");
        assert!(
            matches!(
                bad,
                NodeError::Mistake(Mistake::Parameter {
                    parameter: "counterparty",
                    ..
                })
            ),
            "{bad:?}"
        );
        assert_eq!(
            counterparty(None).expect("none"),
            None,
            "absent is not an error"
        );
        let unknown = one_of(
            "box",
            Some("trash"),
            &[("inbox", 1), ("outbox", 2)],
            "use inbox",
        )
        .expect_err("not a box");
        assert!(
            matches!(&unknown, NodeError::Mistake(Mistake::UnknownValue { parameter: "box", value, .. }) if value == "trash"),
            "{unknown:?}"
        );
        assert_eq!(
            one_of("box", Some("outbox"), &[("inbox", 1), ("outbox", 2)], "").expect("known"),
            Some(2)
        );
        assert_eq!(
            (limit(None), limit(Some(0)), limit(Some(5000))),
            (100, 1, 1000)
        );
    }
}
