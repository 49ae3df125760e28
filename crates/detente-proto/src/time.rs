//! Timestamps: RFC 3339, UTC, millisecond precision, `Z` suffix.
//!
//! One textual form only (e.g. `2026-11-28T10:00:00.000Z`), so that
//! canonical JSON of a document never depends on how a clock printed it.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A UTC instant with millisecond precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// Truncates to whole milliseconds.
    pub fn from_datetime(at: DateTime<Utc>) -> Self {
        let millis = at.timestamp_millis();
        Self(DateTime::from_timestamp_millis(millis).unwrap_or(at))
    }

    /// From milliseconds since the Unix epoch; `None` when out of range.
    pub fn from_unix_millis(millis: i64) -> Option<Self> {
        DateTime::from_timestamp_millis(millis).map(Self)
    }

    /// Milliseconds since the Unix epoch.
    pub fn unix_millis(&self) -> i64 {
        self.0.timestamp_millis()
    }

    /// The underlying chrono value.
    pub fn as_datetime(&self) -> DateTime<Utc> {
        self.0
    }

    /// `self + delta`, saturating at the representable range.
    pub fn plus(&self, delta: TimeDelta) -> Self {
        Self(self.0.checked_add_signed(delta).unwrap_or(self.0))
    }

    /// Signed distance `self - earlier`.
    pub fn since(&self, earlier: Timestamp) -> TimeDelta {
        self.0.signed_duration_since(earlier.0)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Millis, true))
    }
}

impl FromStr for Timestamp {
    type Err = String;

    /// Accepts only the one canonical form: `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parsed = DateTime::parse_from_rfc3339(s)
            .map_err(|e| format!("{s:?} is not an RFC 3339 timestamp ({e})"))?;
        let ts = Self::from_datetime(parsed.with_timezone(&Utc));
        if ts.to_string() != s {
            return Err(format!(
                "{s:?} is not in canonical form; write UTC with milliseconds and a Z suffix, e.g. {ts}"
            ));
        }
        Ok(ts)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Formats a duration for people: `3h 12m`, `45s`, `250ms`.
pub fn human_duration(delta: TimeDelta) -> String {
    let sign = if delta < TimeDelta::zero() { "-" } else { "" };
    let ms = delta.num_milliseconds().unsigned_abs();
    let (d, h, m, s) = (
        ms / 86_400_000,
        ms / 3_600_000 % 24,
        ms / 60_000 % 60,
        ms / 1000 % 60,
    );
    let text = if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m {s}s")
    } else if s > 0 {
        format!("{s}s")
    } else {
        format!("{ms}ms")
    };
    format!("{sign}{text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_and_parses_the_canonical_form() {
        let ts: Timestamp = "2026-11-28T10:00:00.123Z".parse().expect("canonical");
        assert_eq!(ts.to_string(), "2026-11-28T10:00:00.123Z");
        assert_eq!(ts.unix_millis(), 1_795_860_000_123);
    }

    #[test]
    fn refuses_other_forms_with_the_canonical_one_suggested() {
        let err = "2026-11-28T13:00:00+03:00"
            .parse::<Timestamp>()
            .unwrap_err();
        assert!(err.contains("2026-11-28T10:00:00.000Z"), "{err}");
        assert!("2026-11-28T10:00:00Z".parse::<Timestamp>().is_err());
        assert!("yesterday".parse::<Timestamp>().is_err());
    }

    #[test]
    fn human_durations() {
        assert_eq!(human_duration(TimeDelta::milliseconds(250)), "250ms");
        assert_eq!(
            human_duration(TimeDelta::seconds(3 * 3600 + 12 * 60)),
            "3h 12m"
        );
        assert_eq!(human_duration(TimeDelta::seconds(-90)), "-1m 30s");
    }
}
