//! `detente backup`: an online, consistent copy of the node's database
//! with a manifest (docs/operations.md, "Backups").
//!
//! The copy is made with SQLite's backup API
//! ([`detente_store::SqliteStore::backup_to`]) while the node runs. Its
//! manifest records what the copy holds of the log — its size and root,
//! and the checkpoint this node had signed for it — so that whoever
//! restores it knows how far the log went back, and the node restoring
//! it can tell how much of what it signed since is missing.

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
