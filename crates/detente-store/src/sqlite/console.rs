//! The console's records in SQLite (docs/storage.md, "Console"; the tables
//! are in `migrations/0009_console.sql`): officers' passwords and
//! languages, sign-in sessions, failed sign-ins.
//!
//! Each call is one statement (or one `IMMEDIATE` transaction), so two
//! browsers, or a browser and the CLI, never interleave halfway: a failure
//! is counted exactly once however many arrive at one instant.

use detente_proto::ids::OfficerName;
use detente_proto::time::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

use super::rows::{self, db_error};
use super::{optional_row, write_transaction};
use crate::{ConsoleSession, SignInFailures, StoreError};

/// Whether officer `name` is stored.
fn officer_exists(conn: &Connection, name: &OfficerName) -> Result<bool, StoreError> {
    let found: Option<(String,)> = optional_row(
        conn,
        "SELECT name FROM officers WHERE name = ?1",
        [name.as_str()],
    )?;
    Ok(found.is_some())
}

/// [`crate::Store::set_officer_password`].
pub(super) fn set_password(
    conn: &mut Connection,
    name: &OfficerName,
    phc: &str,
    at: Timestamp,
) -> Result<bool, StoreError> {
    if !phc.starts_with("$argon2id$") {
        return Err(StoreError::Misuse {
            operation: "set_officer_password",
            why: "the password is not an argon2id PHC string; hash it first".to_owned(),
        });
    }
    upsert_for_officer(
        conn,
        name,
        "INSERT INTO officer_passwords (officer, phc, set_at_ms) VALUES (?1, ?2, ?3)
         ON CONFLICT (officer) DO UPDATE SET phc = excluded.phc, set_at_ms = excluded.set_at_ms",
        params![name.as_str(), phc, at.unix_millis()],
    )
}

/// Runs `upsert` for officer `name` in one transaction, if the officer
/// exists; returns whether they do.
fn upsert_for_officer(
    conn: &mut Connection,
    name: &OfficerName,
    upsert: &str,
    values: impl rusqlite::Params,
) -> Result<bool, StoreError> {
    let tx = write_transaction(conn)?;
    if !officer_exists(&tx, name)? {
        return Ok(false);
    }
    tx.prepare_cached(upsert)
        .map_err(db_error)?
        .execute(values)
        .map_err(db_error)?;
    tx.commit().map_err(db_error)?;
    Ok(true)
}

/// [`crate::Store::officer_password`].
pub(super) fn password(
    conn: &Connection,
    name: &OfficerName,
) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> = optional_row(
        conn,
        "SELECT phc FROM officer_passwords WHERE officer = ?1",
        [name.as_str()],
    )?;
    Ok(row.map(|(phc,)| phc))
}

/// [`crate::Store::set_officer_language`].
pub(super) fn set_language(
    conn: &mut Connection,
    name: &OfficerName,
    language: &str,
) -> Result<bool, StoreError> {
    if !(2..=35).contains(&language.len()) {
        return Err(StoreError::Misuse {
            operation: "set_officer_language",
            why: format!("{language:?} is not a language tag of 2 to 35 characters"),
        });
    }
    upsert_for_officer(
        conn,
        name,
        "INSERT INTO officer_languages (officer, language) VALUES (?1, ?2)
         ON CONFLICT (officer) DO UPDATE SET language = excluded.language",
        params![name.as_str(), language],
    )
}

/// [`crate::Store::officer_language`].
pub(super) fn language(
    conn: &Connection,
    name: &OfficerName,
) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> = optional_row(
        conn,
        "SELECT language FROM officer_languages WHERE officer = ?1",
        [name.as_str()],
    )?;
    Ok(row.map(|(language,)| language))
}

/// [`crate::Store::add_console_session`].
pub(super) fn add_session(
    conn: &mut Connection,
    session: &ConsoleSession,
) -> Result<(), StoreError> {
    if session.seen_at < session.created_at || session.expires_at <= session.created_at {
        return Err(StoreError::Misuse {
            operation: "add_console_session",
            why: format!(
                "created at {}, seen at {}, expires at {}: a session is seen after it opens and expires later",
                session.created_at, session.seen_at, session.expires_at
            ),
        });
    }
    let tx = write_transaction(conn)?;
    if !officer_exists(&tx, &session.officer)? {
        return Err(StoreError::NotFound {
            what: "officer",
            name: session.officer.to_string(),
        });
    }
    let stored: Option<(Vec<u8>,)> = optional_row(
        &tx,
        "SELECT secret_sha256 FROM console_sessions WHERE secret_sha256 = ?1",
        [&session.secret_sha256],
    )?;
    if stored.is_some() {
        return Err(StoreError::Duplicate {
            what: "console session of officer",
            name: session.officer.to_string(),
        });
    }
    tx.prepare_cached(
        "INSERT INTO console_sessions
             (secret_sha256, officer, csrf_sha256, created_at_ms, seen_at_ms, expires_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .map_err(db_error)?
    .execute(params![
        session.secret_sha256,
        session.officer.as_str(),
        session.csrf_sha256,
        session.created_at.unix_millis(),
        session.seen_at.unix_millis(),
        session.expires_at.unix_millis(),
    ])
    .map_err(db_error)?;
    tx.commit().map_err(db_error)
}

/// Columns of a session: `officer, csrf_sha256, created_at_ms, seen_at_ms,
/// expires_at_ms`.
type SessionRow = (String, Vec<u8>, i64, i64, i64);

/// [`crate::Store::console_session`].
pub(super) fn session(
    conn: &Connection,
    secret_sha256: &[u8; 32],
) -> Result<Option<ConsoleSession>, StoreError> {
    const T: &str = "console_sessions";
    let row: Option<SessionRow> = optional_row(
        conn,
        "SELECT officer, csrf_sha256, created_at_ms, seen_at_ms, expires_at_ms
         FROM console_sessions WHERE secret_sha256 = ?1",
        [secret_sha256],
    )?;
    row.map(|(officer, csrf, created_ms, seen_ms, expires_ms)| {
        let key = officer.as_str();
        Ok(ConsoleSession {
            secret_sha256: *secret_sha256,
            officer: rows::parse(T, "officer", key, key)?,
            csrf_sha256: rows::hash(T, "csrf_sha256", key, csrf)?,
            created_at: rows::timestamp(T, "created_at_ms", key, created_ms)?,
            seen_at: rows::timestamp(T, "seen_at_ms", key, seen_ms)?,
            expires_at: rows::timestamp(T, "expires_at_ms", key, expires_ms)?,
        })
    })
    .transpose()
}

/// [`crate::Store::touch_console_session`]: one statement; `seen_at`
/// never moves back.
pub(super) fn touch_session(
    conn: &Connection,
    secret_sha256: &[u8; 32],
    at: Timestamp,
) -> Result<bool, StoreError> {
    let changed = conn
        .prepare_cached(
            "UPDATE console_sessions SET seen_at_ms = max(seen_at_ms, ?2)
             WHERE secret_sha256 = ?1",
        )
        .map_err(db_error)?
        .execute(params![secret_sha256, at.unix_millis()])
        .map_err(db_error)?;
    Ok(changed == 1)
}

/// [`crate::Store::remove_console_session`].
pub(super) fn remove_session(
    conn: &Connection,
    secret_sha256: &[u8; 32],
) -> Result<bool, StoreError> {
    let removed = conn
        .prepare_cached("DELETE FROM console_sessions WHERE secret_sha256 = ?1")
        .map_err(db_error)?
        .execute([secret_sha256])
        .map_err(db_error)?;
    Ok(removed == 1)
}

/// [`crate::Store::remove_console_sessions_of`].
pub(super) fn remove_sessions_of(
    conn: &Connection,
    officer: &OfficerName,
) -> Result<usize, StoreError> {
    conn.prepare_cached("DELETE FROM console_sessions WHERE officer = ?1")
        .map_err(db_error)?
        .execute([officer.as_str()])
        .map_err(db_error)
}

/// [`crate::Store::prune_console_sessions`].
pub(super) fn prune_sessions(
    conn: &Connection,
    now: Timestamp,
    idle_before: Timestamp,
) -> Result<usize, StoreError> {
    conn.prepare_cached(
        "DELETE FROM console_sessions WHERE expires_at_ms <= ?1 OR seen_at_ms <= ?2",
    )
    .map_err(db_error)?
    .execute(params![now.unix_millis(), idle_before.unix_millis()])
    .map_err(db_error)
}

/// [`crate::Store::signed_in_officers`].
pub(super) fn signed_in(
    conn: &Connection,
    now: Timestamp,
    idle_before: Timestamp,
) -> Result<Vec<OfficerName>, StoreError> {
    super::all_rows(
        conn,
        "SELECT DISTINCT officer FROM console_sessions
         WHERE expires_at_ms > ?1 AND seen_at_ms > ?2 ORDER BY officer",
        params![now.unix_millis(), idle_before.unix_millis()],
        |(name,): (String,)| rows::parse("console_sessions", "officer", &name, &name),
    )
}

/// Columns of a failure count: `failures, last_failure_ms, locked_until_ms`.
type FailureRow = (i64, i64, Option<i64>);

/// [`crate::Store::sign_in_failures`].
pub(super) fn failures(
    conn: &Connection,
    name: &OfficerName,
) -> Result<Option<SignInFailures>, StoreError> {
    const T: &str = "sign_in_failures";
    let row: Option<FailureRow> = optional_row(
        conn,
        "SELECT failures, last_failure_ms, locked_until_ms FROM sign_in_failures
         WHERE name = ?1",
        [name.as_str()],
    )?;
    let key = name.as_str();
    row.map(|(failures, last_ms, locked_ms)| {
        Ok(SignInFailures {
            name: name.clone(),
            failures: u32::try_from(failures).map_err(|_| {
                StoreError::Corrupt(format!(
                    "{T}.failures of {key:?}: {failures} is not a count"
                ))
            })?,
            last_failure_at: rows::timestamp(T, "last_failure_ms", key, last_ms)?,
            locked_until: locked_ms
                .map(|ms| rows::timestamp(T, "locked_until_ms", key, ms))
                .transpose()?,
        })
    })
    .transpose()
}

/// [`crate::Store::record_sign_in_failure`]: one upsert, then the row, in
/// one transaction.
pub(super) fn record_failure(
    conn: &mut Connection,
    name: &OfficerName,
    at: Timestamp,
) -> Result<SignInFailures, StoreError> {
    let tx = write_transaction(conn)?;
    tx.prepare_cached(
        "INSERT INTO sign_in_failures (name, failures, last_failure_ms, locked_until_ms)
         VALUES (?1, 1, ?2, NULL)
         ON CONFLICT (name) DO UPDATE SET failures = failures + 1,
             last_failure_ms = max(last_failure_ms, excluded.last_failure_ms)",
    )
    .map_err(db_error)?
    .execute(params![name.as_str(), at.unix_millis()])
    .map_err(db_error)?;
    let counted = failures(&tx, name)?.ok_or_else(|| StoreError::Misuse {
        operation: "record_sign_in_failure",
        why: "the failure just counted cannot be read back".to_owned(),
    })?;
    tx.commit().map_err(db_error)?;
    Ok(counted)
}

/// [`crate::Store::lock_sign_in`].
pub(super) fn lock(
    conn: &Connection,
    name: &OfficerName,
    until: Timestamp,
) -> Result<bool, StoreError> {
    let changed = conn
        .prepare_cached("UPDATE sign_in_failures SET locked_until_ms = ?2 WHERE name = ?1")
        .map_err(db_error)?
        .execute(params![name.as_str(), until.unix_millis()])
        .map_err(db_error)?;
    Ok(changed == 1)
}

/// [`crate::Store::clear_sign_in_failures`].
pub(super) fn clear_failures(conn: &Connection, name: &OfficerName) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM sign_in_failures WHERE name = ?1")
        .map_err(db_error)?
        .execute([name.as_str()])
        .map_err(db_error)?;
    Ok(())
}

/// The officer named `name`, for [`crate::Store::officer`].
pub(super) fn officer(
    conn: &Connection,
    name: &OfficerName,
) -> Result<Option<crate::OfficerRecord>, StoreError> {
    conn.prepare_cached(
        "SELECT name, tiers, token_sha256, created_at_ms FROM officers WHERE name = ?1",
    )
    .map_err(db_error)?
    .query_row([name.as_str()], |row| {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
    })
    .optional()
    .map_err(db_error)?
    .map(rows::officer_record)
    .transpose()
}
