//! `detente backup` on a running node: a consistent copy with a manifest
//! of its log, that opens, passes `fsck`, and never overwrites a file.

mod common;

use std::sync::Arc;

use common::{Net, all_delivered, eventually, send_notification, stored};
use detente_node::backup::{MANIFEST_FORMAT, backup, read_manifest};
use detente_node::error::Mistake;
use detente_proto::clock::{Clock, SystemClock};
use detente_store::{SqliteStore, Store};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_of_a_running_node_is_consistent_and_carries_its_log() {
    let mut net = Net::new(&["RU", "US"]);
    net.start("RU").await;
    net.start("US").await;
    let mut sent = Vec::new();
    for _ in 0..3 {
        sent.push(("US", send_notification(&net, "US", "RU").await));
    }
    eventually(20, "delivered", || all_delivered(&net, &sent)).await;
    let ids: Vec<String> = sent.into_iter().map(|(_, id)| id).collect();
    let dir = net.get("RU").dir.clone();
    let file = net.root.path().join("ru-backup.db");
    // Taken while RU runs.
    let manifest = backup(&dir, &file, SystemClock.now()).expect("backup");
    send_notification(&net, "US", "RU").await;
    assert_eq!(manifest.format, MANIFEST_FORMAT);
    assert_eq!(manifest.party.as_str(), "RU");
    assert_eq!(manifest.schema_version, SqliteStore::SCHEMA_VERSION);
    assert_eq!(read_manifest(&file).expect("read"), Some(manifest.clone()));
    assert!(
        manifest.log_size >= 4,
        "cards and three messages: {}",
        manifest.log_size
    );
    assert!(manifest.log_root.is_some() && manifest.checkpoint.is_some());
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&file).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "as private as the database");

    // The copy opens as a store, holds what its manifest says, and passes fsck.
    let copy = Arc::new(SqliteStore::open(&file).expect("open the copy"));
    let (size, _) = copy.log_checkpoint().expect("checkpoint").expect("some");
    assert_eq!(size, manifest.log_size);
    let held = copy
        .messages_after(0, 100)
        .expect("messages")
        .into_iter()
        .filter(|(_, m)| ids.contains(&m.message.id.to_string()))
        .count();
    assert_eq!(held, 3, "every message delivered before the backup");
    let keyring = detente_node::fsck::keyring_for(copy.clone(), &dir).expect("keyring");
    let report = detente_node::fsck::fsck(copy.as_ref(), &"RU".parse().expect("RU"), &keyring)
        .expect("fsck");
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert_eq!(report.size, manifest.log_size);

    // Never over a file; nothing left behind when it cannot be made.
    let before = std::fs::read(&file).expect("read");
    let again = backup(&dir, &file, SystemClock.now());
    assert!(
        matches!(
            again,
            Err(detente_node::NodeError::Mistake(
                Mistake::BackupExists { .. }
            ))
        ),
        "{again:?}"
    );
    assert_eq!(std::fs::read(&file).expect("read"), before);
    let nowhere = net.root.path().join("no-such-dir/ru.db");
    assert!(backup(&dir, &nowhere, SystemClock.now()).is_err());
    assert!(!nowhere.exists());
    let strays: Vec<_> = std::fs::read_dir(net.root.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".detente-backup-")
        })
        .collect();
    assert!(strays.is_empty(), "{strays:?}");
    // The running node is untouched and goes on.
    assert!(stored(&net.node("RU")).len() >= 4);
}
