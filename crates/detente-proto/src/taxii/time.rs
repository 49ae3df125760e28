//! TAXII timestamps (TAXII 2.1 §2: `YYYY-MM-DDTHH:MM:SS.ssssssZ`, UTC,
//! microsecond precision), as the store keeps them: microseconds since the
//! Unix epoch.
//!
//! The server writes exactly six fraction digits ([`format_micros`]); it
//! reads what clients send more leniently ([`parse_micros`]): STIX-style
//! timestamps with any number of fraction digits (§3.4 `added_after`,
//! which reference clients write with as many digits as are not zero),
//! floored to the microsecond so that a bound never moves past an instant
//! it names.

use chrono::DateTime;

use super::error::QueryError;
use crate::stix::split_timestamp;

/// `micros` (since the Unix epoch) as a TAXII timestamp, e.g.
/// `2026-11-29T08:30:00.123456Z`: UTC, six fraction digits. `None` outside
/// the years 0000–9999, which RFC 3339 cannot write.
pub fn format_micros(micros: i64) -> Option<String> {
    let at = DateTime::from_timestamp_micros(micros)?;
    let year = chrono::Datelike::year(&at);
    (0..=9999)
        .contains(&year)
        .then(|| at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string())
}

/// Reads a TAXII or STIX timestamp (`YYYY-MM-DDTHH:MM:SS[.s+]Z`: `Z`
/// required, any number of fraction digits) as microseconds since the Unix
/// epoch, digits past the sixth dropped (the instant floored to the
/// microsecond).
pub fn parse_micros(text: &str) -> Result<i64, QueryError> {
    let refused = || QueryError::Timestamp {
        value: super::error::echo(text),
    };
    let (seconds, fraction) = split_timestamp(text).ok_or_else(refused)?;
    let kept = fraction.get(..6).unwrap_or(fraction);
    let micros: i64 = if kept.is_empty() {
        0
    } else {
        format!("{kept:0<6}").parse().map_err(|_| refused())?
    };
    seconds
        .and_utc()
        .timestamp_micros()
        .checked_add(micros)
        .ok_or_else(refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_fraction_digits_in_utc() {
        assert_eq!(
            format_micros(1_795_941_000_123_456).as_deref(),
            Some("2026-11-29T08:30:00.123456Z")
        );
        assert_eq!(
            format_micros(0).as_deref(),
            Some("1970-01-01T00:00:00.000000Z")
        );
        assert_eq!(
            format_micros(-1).as_deref(),
            Some("1969-12-31T23:59:59.999999Z")
        );
        assert_eq!(format_micros(i64::MAX), None);
        assert_eq!(format_micros(i64::MIN), None);
    }

    #[test]
    fn any_fraction_is_read_and_floored_to_the_microsecond() {
        let at = 1_795_941_000_000_000;
        for (text, micros) in [
            ("2026-11-29T08:30:00Z", at),
            ("2026-11-29T08:30:00.1Z", at + 100_000),
            ("2026-11-29T08:30:00.123Z", at + 123_000),
            ("2026-11-29T08:30:00.123456Z", at + 123_456),
            ("2026-11-29T08:30:00.1234569Z", at + 123_456),
            ("2026-11-29T08:30:00.999999999999Z", at + 999_999),
            ("1969-12-31T23:59:59.5Z", -500_000),
        ] {
            assert_eq!(parse_micros(text), Ok(micros), "{text}");
        }
    }

    #[test]
    fn anything_else_is_refused_with_an_example() {
        for bad in [
            "",
            "now",
            "1795941000",
            "2026-11-29T08:30:00",
            "2026-11-29T08:30:00+00:00",
            "2026-11-29T08:30:00.Z",
            "2026-02-30T08:30:00Z",
            "2026-11-29 08:30:00Z",
        ] {
            let refused = parse_micros(bad);
            assert!(
                matches!(refused, Err(QueryError::Timestamp { .. })),
                "{bad}"
            );
        }
        let message = parse_micros("now").map_err(|e| e.to_string());
        assert!(message.is_err_and(|m| m.contains("2026-11-29T08:30:00.123456Z")));
    }

    proptest::proptest! {
        #[test]
        fn what_is_written_reads_back(micros in -62_167_219_200_000_000i64..253_402_300_800_000_000) {
            let text = format_micros(micros);
            proptest::prop_assert!(text.is_some());
            let text = text.unwrap_or_default();
            proptest::prop_assert_eq!(text.len(), 27);
            proptest::prop_assert_eq!(parse_micros(&text), Ok(micros));
        }
    }
}
