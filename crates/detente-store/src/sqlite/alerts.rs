//! Alerts and their notices in SQLite (the tables are in
//! `migrations/0010_alerts.sql`).
//!
//! An alert is inserted with `ON CONFLICT (cause_key) DO NOTHING`, so one
//! event raises one alert whoever sees it first. A rota step moves by one
//! conditional `UPDATE` (`WHERE next_step = from AND acknowledged_at_ms IS
//! NULL`) inside the `IMMEDIATE` transaction that inserts the step's
//! notice, so a step and its notice are one commit and of two dispatchers
//! only one writes it. An acknowledgement clears the next step and cancels
//! the pending notices in one transaction: nothing is sent after it.

use detente_proto::time::Timestamp;
use rusqlite::{Connection, params};

use super::rows::{self, db_error};
use super::{all_rows, optional_row, write_transaction};
use crate::{
    AckOutcome, AlertAck, AlertNotice, AlertQuery, AlertRecord, NewAlert, NewNotice, NoticeState,
    StoreError,
};

/// The alerts table, as errors about its values name it.
const A: &str = "alerts";
/// The notices table, likewise.
const N: &str = "alert_notices";

/// The columns every alert read selects, in [`AlertRow`] order.
macro_rules! select_alerts {
    () => {
        "SELECT id, cause_key, cause, precedence, rota, message_id, counterparty, tier,
                summary, detail, raised_at_ms, next_step, next_at_ms,
                acknowledged_at_ms, acknowledged_by, acknowledged_via
         FROM alerts"
    };
}

/// The columns every notice read selects, in [`NoticeRow`] order.
macro_rules! select_notices {
    () => {
        "SELECT alert_id, step, contact, channel, address, state, attempts, created_at_ms,
                next_attempt_at_ms, last_error, sent_at_ms
         FROM alert_notices"
    };
}

type AlertRow = (
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

type NoticeRow = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<i64>,
    Option<String>,
    Option<i64>,
);

/// A count or step as stored: never negative, at most `u32::MAX`.
fn count(table: &str, column: &str, key: &str, value: i64) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| {
        StoreError::Corrupt(format!(
            "{table}.{column} of {key:?}: {value} is not a count (0 to {})",
            u32::MAX
        ))
    })
}

/// A stored alert number: positive.
fn alert_number(table: &str, column: &str, value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| {
        StoreError::Corrupt(format!("{table}.{column}: {value} is not an alert number"))
    })
}

/// An alert number as SQLite binds it; numbers past `i64::MAX` are never
/// given, so such a number finds nothing.
fn bind(id: u64) -> i64 {
    i64::try_from(id).unwrap_or(-1)
}

fn alert(row: AlertRow) -> Result<AlertRecord, StoreError> {
    let (
        id,
        cause_key,
        cause,
        precedence,
        rota,
        message_id,
        counterparty,
        tier,
        summary,
        detail,
        raised_ms,
        next_step,
        next_ms,
        ack_ms,
        ack_by,
        ack_via,
    ) = row;
    let key = id.to_string();
    let key = key.as_str();
    let time = |column: &str, ms: i64| rows::timestamp(A, column, key, ms);
    let acknowledged = match (ack_ms, ack_by, ack_via) {
        (None, None, None) => None,
        (Some(ms), Some(by), Some(via)) => Some(AlertAck {
            at: time("acknowledged_at_ms", ms)?,
            by,
            via: rows::parse(A, "acknowledged_via", key, &via)?,
        }),
        _ => {
            return Err(StoreError::Corrupt(format!(
                "{A}.acknowledged_* of {key:?}: acknowledged in part"
            )));
        }
    };
    Ok(AlertRecord {
        id: alert_number(A, "id", id)?,
        alert: NewAlert {
            cause_key,
            cause: rows::parse(A, "cause", key, &cause)?,
            precedence: rows::parse(A, "precedence", key, &precedence)?,
            rota,
            message_id: message_id
                .map(|text| rows::parse(A, "message_id", key, &text))
                .transpose()?,
            counterparty: counterparty
                .map(|text| rows::parse(A, "counterparty", key, &text))
                .transpose()?,
            tier: tier
                .map(|text| rows::parse(A, "tier", key, &text))
                .transpose()?,
            summary,
            detail,
            raised_at: time("raised_at_ms", raised_ms)?,
        },
        next_step: count(A, "next_step", key, next_step)?,
        next_at: next_ms.map(|ms| time("next_at_ms", ms)).transpose()?,
        acknowledged,
    })
}

fn notice(row: NoticeRow) -> Result<AlertNotice, StoreError> {
    let (
        alert_id,
        step,
        contact,
        channel,
        address,
        state,
        attempts,
        created_ms,
        next_ms,
        last_error,
        sent_ms,
    ) = row;
    let key = format!("{alert_id}/{step}");
    let key = key.as_str();
    let time = |column: &str, ms: i64| rows::timestamp(N, column, key, ms);
    Ok(AlertNotice {
        alert_id: alert_number(N, "alert_id", alert_id)?,
        step: count(N, "step", key, step)?,
        notice: NewNotice {
            contact,
            channel,
            address,
        },
        state: rows::parse(N, "state", key, &state)?,
        attempts: count(N, "attempts", key, attempts)?,
        created_at: time("created_at_ms", created_ms)?,
        next_attempt_at: next_ms
            .map(|ms| time("next_attempt_at_ms", ms))
            .transpose()?,
        last_error,
        sent_at: sent_ms.map(|ms| time("sent_at_ms", ms)).transpose()?,
    })
}

/// A listing bound as SQLite takes it; any larger `usize` lists everything.
fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// [`crate::Store::raise_alert`]: one statement.
pub(super) fn raise(conn: &Connection, new: &NewAlert) -> Result<Option<u64>, StoreError> {
    let id: Option<(i64,)> = optional_row(
        conn,
        "INSERT INTO alerts (cause_key, cause, precedence, rota, message_id, counterparty, tier,
             summary, detail, raised_at_ms, next_step, next_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0, ?10)
         ON CONFLICT (cause_key) DO NOTHING
         RETURNING id",
        params![
            new.cause_key,
            new.cause.as_str(),
            new.precedence.as_str(),
            new.rota,
            new.message_id.map(|id| id.to_string()),
            new.counterparty.as_ref().map(|p| p.as_str()),
            new.tier.as_ref().map(|t| t.as_str()),
            new.summary,
            new.detail,
            new.raised_at.unix_millis(),
        ],
    )?;
    id.map(|(id,)| alert_number(A, "id", id)).transpose()
}

/// [`crate::Store::alert`].
pub(super) fn one(conn: &Connection, id: u64) -> Result<Option<AlertRecord>, StoreError> {
    let row: Option<AlertRow> = optional_row(
        conn,
        concat!(select_alerts!(), " WHERE id = ?1"),
        [bind(id)],
    )?;
    row.map(alert).transpose()
}

/// [`crate::Store::alert_by_cause`].
pub(super) fn by_cause(conn: &Connection, key: &str) -> Result<Option<AlertRecord>, StoreError> {
    let row: Option<AlertRow> = optional_row(
        conn,
        concat!(select_alerts!(), " WHERE cause_key = ?1"),
        [key],
    )?;
    row.map(alert).transpose()
}

/// [`crate::Store::alerts`].
pub(super) fn list(conn: &Connection, query: &AlertQuery) -> Result<Vec<AlertRecord>, StoreError> {
    let sql = if query.open_only {
        concat!(
            select_alerts!(),
            " WHERE acknowledged_at_ms IS NULL ORDER BY id DESC LIMIT ?1"
        )
    } else {
        concat!(select_alerts!(), " ORDER BY id DESC LIMIT ?1")
    };
    all_rows(conn, sql, [sql_limit(query.limit)], alert)
}

/// [`crate::Store::due_alerts`]: walks the partial index `alerts_due`.
pub(super) fn due(
    conn: &Connection,
    now: Timestamp,
    limit: usize,
) -> Result<Vec<AlertRecord>, StoreError> {
    all_rows(
        conn,
        concat!(
            select_alerts!(),
            " WHERE next_at_ms IS NOT NULL AND next_at_ms <= ?1 ORDER BY next_at_ms, id LIMIT ?2"
        ),
        params![now.unix_millis(), sql_limit(limit)],
        alert,
    )
}

/// [`crate::Store::advance_alert`]: the step's compare-and-swap and its
/// notice in one transaction.
pub(super) fn advance(
    conn: &mut Connection,
    id: u64,
    from_step: u32,
    new: Option<&NewNotice>,
    at: Timestamp,
    next_at: Option<Timestamp>,
) -> Result<bool, StoreError> {
    let Some(next_step) = from_step.checked_add(1) else {
        return Err(StoreError::Misuse {
            operation: "advance_alert",
            why: format!("step {from_step} is the last step an alert can have"),
        });
    };
    let tx = write_transaction(conn)?;
    let changed = tx
        .prepare_cached(
            "UPDATE alerts SET next_step = ?3, next_at_ms = ?4
             WHERE id = ?1 AND next_step = ?2 AND acknowledged_at_ms IS NULL",
        )
        .map_err(db_error)?
        .execute(params![
            bind(id),
            from_step,
            next_step,
            next_at.map(|t| t.unix_millis())
        ])
        .map_err(db_error)?;
    if changed == 0 {
        return Ok(false);
    }
    if let Some(new) = new {
        tx.prepare_cached(
            "INSERT INTO alert_notices (alert_id, step, contact, channel, address, state,
                 attempts, created_at_ms, next_attempt_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?6, ?6)",
        )
        .map_err(db_error)?
        .execute(params![
            bind(id),
            from_step,
            new.contact,
            new.channel,
            new.address,
            at.unix_millis()
        ])
        .map_err(db_error)?;
    }
    tx.commit().map_err(db_error)?;
    Ok(true)
}

/// [`crate::Store::due_notices`]: walks the partial index `alert_notices_due`.
pub(super) fn due_notices(
    conn: &Connection,
    now: Timestamp,
    limit: usize,
) -> Result<Vec<AlertNotice>, StoreError> {
    all_rows(
        conn,
        concat!(
            select_notices!(),
            " WHERE state = 'pending' AND next_attempt_at_ms <= ?1
              ORDER BY next_attempt_at_ms, alert_id, step LIMIT ?2"
        ),
        params![now.unix_millis(), sql_limit(limit)],
        notice,
    )
}

/// [`crate::Store::alert_notices`].
pub(super) fn notices_of(conn: &Connection, id: u64) -> Result<Vec<AlertNotice>, StoreError> {
    all_rows(
        conn,
        concat!(select_notices!(), " WHERE alert_id = ?1 ORDER BY step"),
        [bind(id)],
        notice,
    )
}

/// [`crate::Store::record_notice_sent`]: one statement.
pub(super) fn sent(
    conn: &Connection,
    id: u64,
    step: u32,
    at: Timestamp,
) -> Result<bool, StoreError> {
    let changed = conn
        .prepare_cached(
            "UPDATE alert_notices
             SET state = 'sent', attempts = attempts + 1, sent_at_ms = ?3,
                 next_attempt_at_ms = NULL
             WHERE alert_id = ?1 AND step = ?2 AND state = 'pending'",
        )
        .map_err(db_error)?
        .execute(params![bind(id), step, at.unix_millis()])
        .map_err(db_error)?;
    Ok(changed == 1)
}

/// [`crate::Store::record_notice_failure`]: one statement.
pub(super) fn failed(
    conn: &Connection,
    id: u64,
    step: u32,
    error: &str,
    retry_at: Option<Timestamp>,
) -> Result<bool, StoreError> {
    let state = match retry_at {
        Some(_) => NoticeState::Pending,
        None => NoticeState::Failed,
    };
    let state: &'static str = state.into();
    let changed = conn
        .prepare_cached(
            "UPDATE alert_notices
             SET state = ?3, attempts = attempts + 1, last_error = ?4, next_attempt_at_ms = ?5
             WHERE alert_id = ?1 AND step = ?2 AND state = 'pending'",
        )
        .map_err(db_error)?
        .execute(params![
            bind(id),
            step,
            state,
            error,
            retry_at.map(|t| t.unix_millis())
        ])
        .map_err(db_error)?;
    Ok(changed == 1)
}

/// [`crate::Store::acknowledge_alert`]: one transaction.
pub(super) fn acknowledge(
    conn: &mut Connection,
    id: u64,
    ack: &AlertAck,
) -> Result<AckOutcome, StoreError> {
    let tx = write_transaction(conn)?;
    let Some(found) = one(&tx, id)? else {
        return Err(StoreError::NotFound {
            what: "alert",
            name: id.to_string(),
        });
    };
    if let Some(first) = found.acknowledged {
        return Ok(AckOutcome::Already(first));
    }
    let via: &'static str = ack.via.into();
    tx.prepare_cached(
        "UPDATE alerts SET acknowledged_at_ms = ?2, acknowledged_by = ?3, acknowledged_via = ?4,
             next_at_ms = NULL
         WHERE id = ?1",
    )
    .map_err(db_error)?
    .execute(params![bind(id), ack.at.unix_millis(), ack.by, via])
    .map_err(db_error)?;
    tx.prepare_cached(
        "UPDATE alert_notices SET state = 'cancelled', next_attempt_at_ms = NULL
         WHERE alert_id = ?1 AND state = 'pending'",
    )
    .map_err(db_error)?
    .execute([bind(id)])
    .map_err(db_error)?;
    tx.commit().map_err(db_error)?;
    Ok(AckOutcome::Acknowledged)
}
