//! Reading rows back into the store's types.
//!
//! Two steps, so that SQLite failures and bad stored values stay apart:
//! a row is first copied into plain values ([`MessageRow`]; only rusqlite can
//! fail here), then parsed into domain types, where a value that no longer
//! parses (an unknown kind, a malformed party code, an out-of-range time) is
//! [`StoreError::Corrupt`] naming the column and the row. Nothing here
//! panics on stored data.

use std::fmt::Display;
use std::str::FromStr;

use detente_proto::ids::{MessageId, Tier};
use detente_proto::time::Timestamp;
use rusqlite::{ErrorCode, Row};

use crate::{
    Direction, MessageState, NewMessage, OfficerRecord, OutboxEntry, PeerRecord, StoreError,
    StoredMessage,
};

/// Maps a rusqlite error: unreadable values and damaged files are
/// [`StoreError::Corrupt`], everything else [`StoreError::Backend`].
pub(super) fn db_error(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::InvalidColumnType(..)
        | rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::IntegralValueOutOfRange(..)
        | rusqlite::Error::Utf8Error(..) => StoreError::Corrupt(e.to_string()),
        rusqlite::Error::SqliteFailure(failure, _)
            if matches!(
                failure.code,
                ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase
            ) =>
        {
            StoreError::Corrupt(e.to_string())
        }
        _ => StoreError::Backend(e.to_string()),
    }
}

fn corrupt(table: &str, column: &str, key: &str, why: impl Display) -> StoreError {
    StoreError::Corrupt(format!("{table}.{column} of {key:?}: {why}"))
}

/// A stored value's text parsed, or [`StoreError::Corrupt`] naming the column and row.
pub(super) fn parse<T>(table: &str, column: &str, key: &str, text: &str) -> Result<T, StoreError>
where
    T: FromStr,
    T::Err: Display,
{
    text.parse().map_err(|e| corrupt(table, column, key, e))
}

/// A stored time in milliseconds since the epoch.
pub(super) fn timestamp(
    table: &str,
    column: &str,
    key: &str,
    millis: i64,
) -> Result<Timestamp, StoreError> {
    Timestamp::from_unix_millis(millis)
        .ok_or_else(|| corrupt(table, column, key, format!("{millis} ms is out of range")))
}

/// A stored SHA-256 (32 bytes).
pub(super) fn hash(
    table: &str,
    column: &str,
    key: &str,
    bytes: Vec<u8>,
) -> Result<[u8; 32], StoreError> {
    let len = bytes.len();
    bytes
        .try_into()
        .map_err(|_| corrupt(table, column, key, format!("{len} bytes, expected 32")))
}

/// A stored log index or size: never negative.
pub(super) fn log_index(
    table: &str,
    column: &str,
    key: &str,
    value: i64,
) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| corrupt(table, column, key, format!("{value} is negative")))
}

fn attempts(table: &str, key: &str, attempts: i64) -> Result<u32, StoreError> {
    u32::try_from(attempts).map_err(|_| corrupt(table, "attempts", key, attempts))
}

/// The columns every message read selects, from `messages m`, its outbox
/// row `o` (only while queued) and its first acknowledgement `ack`; last,
/// the message's position in the order stored (its rowid).
macro_rules! select_messages {
    () => {
        "SELECT m.id, m.direction, m.counterparty, m.kind, m.precedence, m.from_tier,
                m.to_tier, m.officer, m.in_reply_to, m.created_at_ms, m.exercise, m.tlp,
                m.headline, m.envelope, m.envelope_sha256, m.recorded_at_ms, m.state,
                m.delivered_at_ms, m.receipt, m.log_index,
                o.attempts, o.next_attempt_at_ms, o.last_error,
                ack.id, ack.created_at_ms, m.rowid
         FROM messages m
         LEFT JOIN outbox o ON o.message_id = m.id AND m.state = 'queued'
         LEFT JOIN messages ack ON ack.id = (
             SELECT a.id FROM messages a
             WHERE a.in_reply_to = m.id AND a.kind = 'acknowledgement'
               AND a.direction <> m.direction AND a.counterparty = m.counterparty
             ORDER BY a.created_at_ms, a.id
             LIMIT 1)"
    };
}
pub(super) use select_messages;

/// One row of [`select_messages!`], as SQLite returned it.
pub(super) struct MessageRow {
    id: String,
    direction: String,
    counterparty: String,
    kind: String,
    precedence: String,
    from_tier: String,
    to_tier: String,
    officer: String,
    in_reply_to: Option<String>,
    created_at_ms: i64,
    exercise: bool,
    tlp: String,
    headline: String,
    envelope: Vec<u8>,
    envelope_sha256: Vec<u8>,
    recorded_at_ms: i64,
    state: String,
    delivered_at_ms: Option<i64>,
    receipt: Option<Vec<u8>>,
    log_index: Option<i64>,
    attempts: Option<i64>,
    next_attempt_at_ms: Option<i64>,
    last_error: Option<String>,
    ack_id: Option<String>,
    ack_created_at_ms: Option<i64>,
    position: i64,
}

/// So that listings can read message rows with `all_rows`.
impl<'r> TryFrom<&'r Row<'r>> for MessageRow {
    type Error = rusqlite::Error;

    fn try_from(row: &'r Row<'r>) -> rusqlite::Result<Self> {
        Self::read(row)
    }
}

impl MessageRow {
    /// Copies a row of [`select_messages!`].
    pub(super) fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            direction: row.get(1)?,
            counterparty: row.get(2)?,
            kind: row.get(3)?,
            precedence: row.get(4)?,
            from_tier: row.get(5)?,
            to_tier: row.get(6)?,
            officer: row.get(7)?,
            in_reply_to: row.get(8)?,
            created_at_ms: row.get(9)?,
            exercise: row.get(10)?,
            tlp: row.get(11)?,
            headline: row.get(12)?,
            envelope: row.get(13)?,
            envelope_sha256: row.get(14)?,
            recorded_at_ms: row.get(15)?,
            state: row.get(16)?,
            delivered_at_ms: row.get(17)?,
            receipt: row.get(18)?,
            log_index: row.get(19)?,
            attempts: row.get(20)?,
            next_attempt_at_ms: row.get(21)?,
            last_error: row.get(22)?,
            ack_id: row.get(23)?,
            ack_created_at_ms: row.get(24)?,
            position: row.get(25)?,
        })
    }

    /// The message's position in the order stored ([`crate::Store::messages_after`]).
    pub(super) fn position(&self) -> Result<u64, StoreError> {
        log_index("messages", "rowid", &self.id, self.position)
    }

    /// Parses the row into a [`StoredMessage`].
    pub(super) fn into_stored(self) -> Result<StoredMessage, StoreError> {
        const T: &str = "messages";
        let key = self.id.as_str();
        let direction = parse_direction(&self.direction).ok_or_else(|| {
            corrupt(
                T,
                "direction",
                key,
                format!("unknown value {:?}", self.direction),
            )
        })?;
        let state = parse_state(&self.state)
            .ok_or_else(|| corrupt(T, "state", key, format!("unknown value {:?}", self.state)))?;
        let message = NewMessage {
            id: parse(T, "id", key, key)?,
            direction,
            counterparty: parse(T, "counterparty", key, &self.counterparty)?,
            kind: parse(T, "kind", key, &self.kind)?,
            precedence: parse(T, "precedence", key, &self.precedence)?,
            from_tier: parse(T, "from_tier", key, &self.from_tier)?,
            to_tier: parse(T, "to_tier", key, &self.to_tier)?,
            officer: parse(T, "officer", key, &self.officer)?,
            in_reply_to: self
                .in_reply_to
                .as_deref()
                .map(|text| parse(T, "in_reply_to", key, text))
                .transpose()?,
            created_at: timestamp(T, "created_at_ms", key, self.created_at_ms)?,
            exercise: self.exercise,
            tlp: parse(T, "tlp", key, &self.tlp)?,
            headline: self.headline,
            envelope: self.envelope,
            envelope_sha256: hash(T, "envelope_sha256", key, self.envelope_sha256)?,
            recorded_at: timestamp(T, "recorded_at_ms", key, self.recorded_at_ms)?,
            log_index: self
                .log_index
                .map(|index| log_index(T, "log_index", key, index))
                .transpose()?,
        };
        // The outbox columns describe a pending delivery, so only a queued message has them.
        let (attempts, last_error, next_attempt_at) = match state {
            MessageState::Queued => (
                self.attempts
                    .map(|n| attempts("outbox", key, n))
                    .transpose()?
                    .unwrap_or(0),
                self.last_error,
                self.next_attempt_at_ms
                    .map(|ms| timestamp("outbox", "next_attempt_at_ms", key, ms))
                    .transpose()?,
            ),
            MessageState::Delivered | MessageState::Received => (0, None, None),
        };
        let acknowledged_by = match (self.ack_id, self.ack_created_at_ms) {
            (Some(ack), Some(ms)) => Some((
                parse::<MessageId>(T, "id", &ack, &ack)?,
                timestamp(T, "created_at_ms", &ack, ms)?,
            )),
            _ => None,
        };
        Ok(StoredMessage {
            message,
            state,
            receipt: self.receipt,
            delivered_at: self
                .delivered_at_ms
                .map(|ms| timestamp(T, "delivered_at_ms", key, ms))
                .transpose()?,
            attempts,
            last_error,
            next_attempt_at,
            acknowledged_by,
        })
    }
}

/// The direction stored for `text`, if it names one.
pub(super) fn parse_direction(text: &str) -> Option<Direction> {
    [Direction::Sent, Direction::Received]
        .into_iter()
        .find(|direction| direction.as_str() == text)
}

/// The state stored for `text`, if it names one.
pub(super) fn parse_state(text: &str) -> Option<MessageState> {
    [
        MessageState::Queued,
        MessageState::Delivered,
        MessageState::Received,
    ]
    .into_iter()
    .find(|state| state.as_str() == text)
}

/// Columns of an outbox entry: `o.message_id, m.counterparty, m.envelope,
/// o.attempts, o.next_attempt_at_ms, o.last_error`.
pub(super) type OutboxRow = (String, String, Vec<u8>, i64, i64, Option<String>);

/// Parses an [`OutboxRow`].
pub(super) fn outbox_entry(row: OutboxRow) -> Result<OutboxEntry, StoreError> {
    let (id, counterparty, envelope, attempts_so_far, next_ms, last_error) = row;
    let key = id.as_str();
    Ok(OutboxEntry {
        id: parse("outbox", "message_id", key, key)?,
        counterparty: parse("messages", "counterparty", key, &counterparty)?,
        envelope,
        attempts: attempts("outbox", key, attempts_so_far)?,
        next_attempt_at: timestamp("outbox", "next_attempt_at_ms", key, next_ms)?,
        last_error,
    })
}

/// Columns of a peer: `party, card, fingerprint, tls_spki_sha256, added_at_ms`.
pub(super) type PeerRow = (String, Vec<u8>, String, Vec<u8>, i64);

/// Parses a [`PeerRow`].
pub(super) fn peer_record(row: PeerRow) -> Result<PeerRecord, StoreError> {
    const T: &str = "peers";
    let (party, card, fingerprint, spki, added_ms) = row;
    let key = party.as_str();
    Ok(PeerRecord {
        party: parse(T, "party", key, key)?,
        card,
        fingerprint: parse(T, "fingerprint", key, &fingerprint)?,
        tls_spki_sha256: hash(T, "tls_spki_sha256", key, spki)?,
        added_at: timestamp(T, "added_at_ms", key, added_ms)?,
    })
}

/// Columns of an officer: `name, tiers, token_sha256, created_at_ms`.
pub(super) type OfficerRow = (String, String, Vec<u8>, i64);

/// Parses an [`OfficerRow`].
pub(super) fn officer_record(row: OfficerRow) -> Result<OfficerRecord, StoreError> {
    const T: &str = "officers";
    let (name, tiers, token, created_ms) = row;
    let key = name.as_str();
    Ok(OfficerRecord {
        name: parse(T, "name", key, key)?,
        tiers: parse_tiers(&tiers).map_err(|e| corrupt(T, "tiers", key, e))?,
        token_sha256: hash(T, "token_sha256", key, token)?,
        created_at: timestamp(T, "created_at_ms", key, created_ms)?,
    })
}

/// The stored form of an officer's tiers: wire names, comma-separated, in order.
pub(super) fn format_tiers(tiers: &[Tier]) -> String {
    tiers.iter().map(Tier::as_str).collect::<Vec<_>>().join(",")
}

pub(super) fn parse_tiers(text: &str) -> Result<Vec<Tier>, String> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(',').map(str::parse).collect()
}
