//! Connection settings and schema migrations for the SQLite backend.
//!
//! Settings (per connection, applied at every open):
//! - `busy_timeout` 5 s: the CLI and a running node may open the same file;
//!   a writer waits for the other instead of failing at once;
//! - `journal_mode=WAL`: readers never block the writer (persistent in the
//!   file; a file database that cannot switch to WAL is refused);
//! - `synchronous=FULL`: a committed transaction survives power loss;
//! - `foreign_keys=ON`: an outbox row always names a stored message.
//!
//! Migrations are an ordered list of SQL scripts; the database's
//! `PRAGMA user_version` is how many have been applied. Opening applies the
//! missing ones in one transaction, so a crash mid-upgrade leaves the old
//! schema intact. A database at a higher version than this build knows is
//! refused ([`StoreError::TooNew`]) rather than written with an old idea of
//! the schema. Shipped scripts are never edited; `kat_storage_stability`
//! pins what each version stores, and that older files still read back.
//!
//! Versions: 1, messages, outbox, peers, officers (`0001_initial.sql`);
//! 2, the transparency log: entries, checkpoint and `messages.log_index`
//! (`0002_log.sql`); 3, witness records, the log's cosignatures and alarms
//! (`0003_witness.sql`); 4, an alarm is recorded once: `alarms` gains
//! `evidence_sha256` and a unique index on (kind, subject, evidence_sha256),
//! and older duplicates are dropped, the earliest kept (`0004_alarm_dedup.sql`);
//! 5, the parties' signatures on agreement versions (`0005_agreements.sql`);
//! 6, deadline timers, started with a sent message's delivery
//! (`0006_deadlines.sql`); 7, the signed records of guarantees and pledges
//! (`0007_documents.sql`); 8, the TAXII server: the STIX objects of each
//! counterparty's collections, the indexer's watermark, drafts, status
//! resources and TAXII accounts (`0008_taxii.sql`); 9, the console:
//! officers' passwords and languages, sessions and failed sign-ins
//! (`0009_console.sql`); 10, alerts and their notices down the on-call
//! rota (`0010_alerts.sql`); 11, every card held, own and peers', with
//! the links that chain them (`0011_cards.sql`); 12, the copies of the
//! peers' logs the cross-check verified (`0012_log_copies.sql`).
//!
//! SQLite has no SHA-256, so every connection gets a `sha256(blob)` SQL
//! function computed in Rust ([`super::witness::evidence_sha256`], the hash
//! `raise_alarm` stores); migration 0004 backfills existing alarms with it.

use std::time::Duration;

use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, TransactionBehavior};

use super::rows::db_error;
use super::witness::evidence_sha256;
use crate::StoreError;

/// The migrations, in order; entry `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_log.sql"),
    include_str!("migrations/0003_witness.sql"),
    include_str!("migrations/0004_alarm_dedup.sql"),
    include_str!("migrations/0005_agreements.sql"),
    include_str!("migrations/0006_deadlines.sql"),
    include_str!("migrations/0007_documents.sql"),
    include_str!("migrations/0008_taxii.sql"),
    include_str!("migrations/0009_console.sql"),
    include_str!("migrations/0010_alerts.sql"),
    include_str!("migrations/0011_cards.sql"),
    include_str!("migrations/0012_log_copies.sql"),
];

/// The schema version this build writes: the number of migrations.
pub(super) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Marks a file as a detente database (`PRAGMA application_id`, "DTNT").
pub(super) const APPLICATION_ID: i64 = 0x4454_4E54;

/// How long a writer waits for another connection's write lock.
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Applies the connection settings, refuses foreign or too-new databases,
/// and brings the schema up to [`SCHEMA_VERSION`].
pub(super) fn prepare(conn: &mut Connection, on_disk: bool) -> Result<(), StoreError> {
    conn.busy_timeout(BUSY_TIMEOUT).map_err(db_error)?;
    // Checked before anything is written, so a newer or foreign file is left untouched.
    check_identity(conn)?;
    if on_disk {
        let mode = switch_to_wal(conn)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Backend(format!(
                "could not switch the database to WAL journal mode (it stays in {mode:?}); \
                 put the node directory on a local file system"
            )));
        }
    }
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(db_error)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(db_error)?;
    register_sha256(conn)?;
    migrate(conn)
}

/// Switches to WAL and returns the journal mode in force. Switching takes
/// an exclusive lock and SQLite answers "busy" at once instead of waiting
/// out the busy timeout (two processes opening a new file together), so it
/// is retried until [`BUSY_TIMEOUT`] has passed.
fn switch_to_wal(conn: &Connection) -> Result<String, StoreError> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0)) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            other => return other.map_err(db_error),
        }
    }
}

/// Registers `sha256(blob)`, with which migration 0004 hashes stored
/// evidence. Registered on every open, before migrating; the schema itself
/// never refers to it, so other tools can still read the file.
fn register_sha256(conn: &Connection) -> Result<(), StoreError> {
    // One argument: SQLite refuses any other arity before calling us.
    conn.create_scalar_function(
        "sha256",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| Ok(evidence_sha256(&ctx.get::<Vec<u8>>(0)?)),
    )
    .map_err(db_error)
}

fn user_version(conn: &Connection) -> Result<i64, StoreError> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(db_error)
}

fn check_identity(conn: &Connection) -> Result<(), StoreError> {
    let application_id: i64 = conn
        .pragma_query_value(None, "application_id", |row| row.get(0))
        .map_err(db_error)?;
    if application_id != 0 && application_id != APPLICATION_ID {
        return Err(StoreError::Corrupt(format!(
            "the file is an SQLite database of another application (application_id {application_id:#x})"
        )));
    }
    let found = user_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    if found < 0 {
        return Err(StoreError::Corrupt(format!(
            "schema version {found} is negative"
        )));
    }
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    // IMMEDIATE: two processes opening a fresh file at once must not both migrate it.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db_error)?;
    let found = user_version(&tx)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    if found == SCHEMA_VERSION {
        return Ok(());
    }
    let start = usize::try_from(found)
        .map_err(|_| StoreError::Corrupt(format!("schema version {found} is negative")))?;
    for (index, script) in MIGRATIONS.iter().enumerate().skip(start) {
        tx.execute_batch(script)
            .map_err(|e| StoreError::Backend(format!("migration {} failed: {e}", index + 1)))?;
        tracing::info!(version = index + 1, "applied database migration");
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)
        .map_err(db_error)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(db_error)?;
    tx.commit().map_err(db_error)
}

/// The settings the store relies on, as SQLite reports them on this connection.
pub(super) fn settings(conn: &Connection) -> Result<Vec<(&'static str, String)>, StoreError> {
    let mut report = Vec::new();
    for name in [
        "journal_mode",
        "synchronous",
        "foreign_keys",
        "busy_timeout",
        "user_version",
        "application_id",
    ] {
        let value: rusqlite::types::Value = conn
            .pragma_query_value(None, name, |row| row.get(0))
            .map_err(db_error)?;
        let text = match value {
            rusqlite::types::Value::Integer(i) => i.to_string(),
            rusqlite::types::Value::Text(t) => t,
            other => format!("{other:?}"),
        };
        report.push((name, text));
    }
    Ok(report)
}
