//! Online, consistent backups of the SQLite database (SQLite's backup API,
//! <https://sqlite.org/backup.html>), each carrying a manifest.
//!
//! The whole database is copied in one backup step, inside one read
//! transaction of the source: a copy is the database as of one commit,
//! whatever the node writes meanwhile (WAL readers do not block the
//! writer). The copy is made in a temporary file beside the destination
//! (mode 0600), its manifest is stored in it as the one row of
//! `backup_manifest`, it is synced and renamed into place: a failed backup
//! leaves nothing behind, and an existing file is never overwritten.

use std::path::Path;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OptionalExtension};

use super::rows::db_error;
use crate::StoreError;

/// How often a copy step that found the database locked is retried.
const BUSY_RETRIES: u32 = 50;

/// Copies the database behind `source` to the new file `dest`, storing
/// in the copy the manifest `manifest` makes from the copy's log
/// checkpoint `(size, note)`.
pub(super) fn backup_to(
    source: &Connection,
    dest: &Path,
    manifest: impl FnOnce(Option<(u64, String)>) -> String,
) -> Result<(), StoreError> {
    if dest.exists() {
        return Err(StoreError::Backend(format!(
            "{} exists; a backup never overwrites a file: choose a new name",
            dest.display()
        )));
    }
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => std::path::PathBuf::from("."),
    };
    let temp = tempfile::Builder::new()
        .prefix(".detente-backup-")
        .tempfile_in(&dir)
        .map_err(|e| {
            StoreError::Backend(format!("cannot create a file in {}: {e}", dir.display()))
        })?;
    std::fs::set_permissions(
        temp.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .map_err(|e| StoreError::Backend(format!("{}: {e}", temp.path().display())))?;
    {
        let mut copy = Connection::open(temp.path()).map_err(db_error)?;
        {
            let backup = Backup::new(source, &mut copy).map_err(db_error)?;
            let mut tries = 0;
            loop {
                match backup.step(-1).map_err(db_error)? {
                    StepResult::Done => break,
                    StepResult::Busy | StepResult::Locked if tries < BUSY_RETRIES => {
                        tries += 1;
                        std::thread::sleep(std::time::Duration::from_millis(100));
                    }
                    _ => {
                        return Err(StoreError::Backend(
                            "the database stayed locked; try the backup again".into(),
                        ));
                    }
                }
            }
        }
        let checkpoint: Option<(i64, String)> = copy
            .query_row("SELECT size, note FROM log_checkpoint", [], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .optional()
            .map_err(db_error)?;
        let checkpoint = checkpoint.map(|(size, note)| (u64::try_from(size).unwrap_or(0), note));
        copy.execute_batch(
            "CREATE TABLE backup_manifest (
                 singleton INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1),
                 manifest  TEXT    NOT NULL
             ) STRICT;",
        )
        .map_err(db_error)?;
        copy.execute(
            "INSERT INTO backup_manifest (singleton, manifest) VALUES (1, ?1)",
            [manifest(checkpoint)],
        )
        .map_err(db_error)?;
        // One file: the copy's WAL folded back in.
        copy.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .map_err(db_error)?;
    }
    temp.as_file()
        .sync_all()
        .map_err(|e| StoreError::Backend(format!("{}: {e}", temp.path().display())))?;
    temp.persist_noclobber(dest).map_err(|e| {
        StoreError::Backend(format!(
            "cannot put the backup at {}: {}",
            dest.display(),
            e.error
        ))
    })?;
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The manifest stored in the backup file at `path`, if it is one.
pub(super) fn manifest_of(path: &Path) -> Result<Option<String>, StoreError> {
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| StoreError::Backend(format!("cannot open {}: {e}", path.display())))?;
    let has_table: bool = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name = 'backup_manifest'",
            [],
            |row| row.get::<_, i64>(0),
        )
        .map(|n| n == 1)
        .map_err(|e| {
            StoreError::Backend(format!("{} is not a detente database: {e}", path.display()))
        })?;
    if !has_table {
        return Ok(None);
    }
    conn.query_row("SELECT manifest FROM backup_manifest", [], |row| row.get(0))
        .optional()
        .map_err(db_error)
}

/// Makes the backup file at `path` a node's database again: its manifest
/// table dropped, its WAL folded in.
pub(super) fn strip_manifest(path: &Path) -> Result<(), StoreError> {
    let conn = Connection::open(path)
        .map_err(|e| StoreError::Backend(format!("cannot open {}: {e}", path.display())))?;
    conn.execute_batch("DROP TABLE IF EXISTS backup_manifest; PRAGMA wal_checkpoint(TRUNCATE);")
        .map_err(db_error)
}
