//! What officers write in TOML specs (agreements, guarantees, pledges):
//! durations as people say them and times in RFC 3339, turned into the
//! one form a signed document carries (whole milliseconds, canonical
//! [`Timestamp`]s).

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::time::Timestamp;

/// Why a written duration is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DurationProblem {
    /// Zero or negative.
    NotPositive,
    /// Not a duration at all; the parser's words.
    Unreadable(String),
}

/// A duration as people write it (`90s`, `1h`, `15d`), in whole
/// milliseconds; zero and negative durations are refused.
pub(crate) fn duration_ms(text: &str) -> Result<u64, DurationProblem> {
    let trimmed = text.trim();
    if trimmed.starts_with('-') {
        return Err(DurationProblem::NotPositive);
    }
    let parsed = humantime::parse_duration(trimmed)
        .map_err(|e| DurationProblem::Unreadable(e.to_string()))?;
    let ms = u64::try_from(parsed.as_millis()).unwrap_or(u64::MAX);
    if ms == 0 {
        return Err(DurationProblem::NotPositive);
    }
    Ok(ms)
}

/// A time as written in a spec: a string (`"2026-01-01T00:00:00Z"`), or a
/// TOML offset date-time (`2026-01-01T00:00:00Z`, unquoted).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum WrittenTime {
    /// RFC 3339 text.
    Text(String),
    /// A TOML date-time.
    Toml(toml::value::Datetime),
}

impl WrittenTime {
    /// The instant, in UTC. Any RFC 3339 offset is accepted; a time
    /// without an offset, or finer than a millisecond, is refused.
    pub(crate) fn timestamp(&self) -> Result<Timestamp, String> {
        let text = match self {
            WrittenTime::Text(text) => text.clone(),
            WrittenTime::Toml(datetime) => datetime.to_string(),
        };
        let parsed = DateTime::parse_from_rfc3339(&text).map_err(|e| {
            format!(
                "{text:?} is not an RFC 3339 time with a UTC offset ({e}); write e.g. 2026-01-01T00:00:00Z"
            )
        })?;
        let utc = parsed.with_timezone(&Utc);
        let at = Timestamp::from_datetime(utc);
        if at.as_datetime() != utc {
            return Err(format!(
                "{text:?} is finer than a millisecond; write it to the millisecond at most, e.g. {at}"
            ));
        }
        Ok(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Doc {
        at: WrittenTime,
    }

    fn read(toml_text: &str) -> Result<Timestamp, String> {
        toml::from_str::<Doc>(toml_text)
            .map_err(|e| e.to_string())?
            .at
            .timestamp()
    }

    #[test]
    fn times_as_strings_or_toml_datetimes_with_any_offset() {
        let want: Timestamp = "2026-01-01T00:00:00.000Z".parse().expect("ts");
        assert_eq!(read("at = \"2026-01-01T00:00:00Z\""), Ok(want));
        assert_eq!(read("at = 2026-01-01T00:00:00Z"), Ok(want));
        assert_eq!(read("at = 2026-01-01T03:00:00+03:00"), Ok(want));
        assert_eq!(read("at = \"2026-01-01T03:00:00.000+03:00\""), Ok(want));
    }

    #[test]
    fn times_without_offset_or_finer_than_a_millisecond_are_refused() {
        let err = read("at = 2026-01-01T00:00:00").expect_err("local time");
        assert!(err.contains("with a UTC offset"), "{err}");
        let err = read("at = \"2026-01-01\"").expect_err("a date");
        assert!(err.contains("write e.g. 2026-01-01T00:00:00Z"), "{err}");
        let err = read("at = \"2026-01-01T00:00:00.0001Z\"").expect_err("too fine");
        assert!(err.contains("finer than a millisecond"), "{err}");
    }

    #[test]
    fn durations() {
        assert_eq!(duration_ms("90d"), Ok(90 * 86_400_000));
        assert_eq!(duration_ms(" 1h "), Ok(3_600_000));
        assert_eq!(duration_ms("0s"), Err(DurationProblem::NotPositive));
        assert_eq!(duration_ms("-1h"), Err(DurationProblem::NotPositive));
        assert!(matches!(
            duration_ms("soon"),
            Err(DurationProblem::Unreadable(_))
        ));
    }
}
