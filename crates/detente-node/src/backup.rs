//! `detente backup`: an online, consistent copy of the node's database
//! with a manifest (docs/operations.md, "Backups").
//!
//! The copy is made with SQLite's backup API
//! ([`detente_store::SqliteStore::backup_to`]) while the node runs. Its
//! manifest records what the copy holds of the log — its size and root,
//! and the checkpoint this node had signed for it — so that whoever
//! restores it knows how far the log went back, and the node restoring
//! it can tell how much of what it signed since is missing.
//!
//! `detente restore` puts a backup in place as the node's database, in a
//! directory no process is using. The database it replaces is kept beside
//! it (`detente.db.before-restore-<unix ms>`, with its `-wal` and
//! `-shm`), never deleted. The log's high-water mark is removed: a
//! restored node signs nothing until each of its witnesses has said which
//! checkpoint of its log it holds (`log/guard.rs`).

use std::path::Path;

use detente_log::checkpoint::SignedCheckpoint;
use detente_proto::envelope::hash_to_base64;
use detente_proto::ids::PartyCode;
use detente_proto::time::Timestamp;
use detente_store::SqliteStore;
use serde::{Deserialize, Serialize};

use crate::config::NodeConfig;
use crate::error::{Bug, Mistake, NodeError, NodeResult};

/// The manifest format.
pub const MANIFEST_FORMAT: &str = "detente-backup/v1";

/// What a backup holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupManifest {
    /// Always [`MANIFEST_FORMAT`].
    pub format: String,
    /// The party whose database it is.
    pub party: PartyCode,
    /// When the copy was made (the node's clock).
    pub taken_at: Timestamp,
    /// The database's schema version.
    pub schema_version: i64,
    /// The log's size in the copy.
    pub log_size: u64,
    /// The log's root at that size, base64 (absent for an empty log).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_root: Option<String>,
    /// The checkpoint the node had signed for that size (a C2SP note).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<String>,
}

/// Copies the database of the node in `dir` to the new file `to`.
pub fn backup(dir: &Path, to: &Path, now: Timestamp) -> NodeResult<BackupManifest> {
    if to.exists() {
        return Err(Mistake::BackupExists {
            path: to.to_owned(),
        }
        .into());
    }
    let config = NodeConfig::load(dir)?;
    let store = SqliteStore::open(&config.database_path(dir))?;
    let mut made = None;
    store.backup_to(to, |checkpoint| {
        let (log_size, log_root, checkpoint) = match checkpoint {
            None => (0, None, None),
            Some((size, note)) => {
                let root = SignedCheckpoint::parse(note.as_bytes())
                    .ok()
                    .map(|signed| hash_to_base64(signed.checkpoint().root()));
                (size, root, Some(note))
            }
        };
        let manifest = BackupManifest {
            format: MANIFEST_FORMAT.to_owned(),
            party: config.party.clone(),
            taken_at: now,
            schema_version: SqliteStore::SCHEMA_VERSION,
            log_size,
            log_root,
            checkpoint,
        };
        let text = serde_json::to_string(&manifest).unwrap_or_default();
        made = Some(manifest);
        text
    })?;
    made.ok_or_else(|| Bug::Construction {
        what: "backup manifest",
        cause: "the backup did not ask for its manifest".into(),
    })
    .map_err(NodeError::from)
}

/// The manifest of the backup file at `path`.
pub fn read_manifest(path: &Path) -> NodeResult<Option<BackupManifest>> {
    let Some(text) = SqliteStore::backup_manifest(path)? else {
        return Ok(None);
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(NodeError::unreadable("backup manifest", path.display()))
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct Restored {
    /// The backup's manifest.
    pub manifest: BackupManifest,
    /// Where the database it replaced was kept, if there was one.
    pub kept: Option<std::path::PathBuf>,
}

/// Restores the backup `file` into the (stopped) node in `dir`.
pub fn restore(dir: &Path, file: &Path, now: Timestamp) -> NodeResult<Restored> {
    let _lock = crate::rotation::DirLock::take(dir)?;
    let config = NodeConfig::load(dir)?;
    let manifest = read_manifest(file)?.ok_or_else(|| Mistake::NotABackup {
        path: file.to_owned(),
    })?;
    if manifest.party != config.party {
        return Err(Mistake::BackupOfOtherParty {
            path: file.to_owned(),
            party: manifest.party,
            ours: config.party,
        }
        .into());
    }
    let database = config.database_path(dir);
    let staged = database.with_extension("db.restoring");
    let _ = std::fs::remove_file(&staged);
    std::fs::copy(file, &staged).map_err(|e| NodeError::io(&staged, e))?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&staged, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| NodeError::io(&staged, e))?;
    }
    SqliteStore::strip_backup_manifest(&staged)?;
    // It opens (migrating it if this detente is newer), or nothing changes.
    if let Err(error) = SqliteStore::open(&staged) {
        let _ = std::fs::remove_file(&staged);
        return Err(error.into());
    }
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", staged.display()));
    }
    let kept = if database.exists() {
        let kept = database.with_extension(format!("db.before-restore-{}", now.unix_millis()));
        for suffix in ["", "-wal", "-shm"] {
            let from = std::path::PathBuf::from(format!("{}{suffix}", database.display()));
            if from.exists() {
                let to = std::path::PathBuf::from(format!("{}{suffix}", kept.display()));
                std::fs::rename(&from, &to).map_err(|e| NodeError::io(&to, e))?;
            }
        }
        Some(kept)
    } else {
        None
    };
    std::fs::rename(&staged, &database).map_err(|e| NodeError::io(&database, e))?;
    let mark = dir.join(crate::log::guard::HIGH_WATER_FILE);
    match std::fs::remove_file(&mark) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(NodeError::io(&mark, e)),
    }
    Ok(Restored { manifest, kept })
}
