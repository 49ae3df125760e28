//! `fsck` on a real node's database after real traffic: clean, then each
//! kind of damage — a flipped byte in an entry, a missing entry, a
//! checkpoint that does not match, a log rewound behind its receipts —
//! found, named and given its exit-code bit.

mod common;

use std::path::Path;

use common::{Net, all_delivered, eventually, send_notification};
use detente_log::checkpoint::{Checkpoint, SignedCheckpoint};
use detente_node::config::NodeConfig;
use detente_node::fsck::{Class, Finding, FsckReport, fsck};
use detente_node::keys::NodeKeys;

/// `fsck` of the (stopped) node in `dir`.
fn check(dir: &Path) -> FsckReport {
    let config = NodeConfig::load(dir).expect("config");
    let store = detente_node::node::open_store(dir, &config).expect("store");
    let keyring = detente_node::fsck::keyring_for(store.clone(), dir).expect("keyring");
    fsck(store.as_ref(), &config.party, &keyring).expect("fsck runs")
}

/// A copy of `dir` (a stopped node's), to damage.
fn copy_of(dir: &Path, root: &Path, name: &str) -> std::path::PathBuf {
    let to = root.join(name);
    std::fs::create_dir_all(&to).expect("mkdir");
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
    let keys = to.join("keys");
    std::fs::create_dir_all(&keys).expect("mkdir keys");
    for entry in std::fs::read_dir(dir.join("keys")).expect("keys") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_file() {
            std::fs::copy(entry.path(), keys.join(entry.file_name())).expect("copy key");
        }
    }
    to
}

fn sql(dir: &Path, statement: &str) {
    let conn = rusqlite::Connection::open(dir.join("detente.db")).expect("open db");
    conn.execute_batch(statement).expect("damage");
}

fn has(report: &FsckReport, class: Class) -> bool {
    report.exit_code() & class as u8 != 0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fsck_passes_a_sound_database_and_names_each_kind_of_damage() {
    let mut net = Net::new(&["RU", "US"]);
    net.start("RU").await;
    net.start("US").await;
    let mut sent = Vec::new();
    for _ in 0..3 {
        sent.push(("US", send_notification(&net, "US", "RU").await));
        sent.push(("RU", send_notification(&net, "RU", "US").await));
    }
    eventually(20, "delivered, and RU's log cosigned by US", || async {
        all_delivered(&net, &sent).await
            && !net
                .node("RU")
                .store()
                .cosignatures()
                .expect("cosignatures")
                .is_empty()
    })
    .await;
    net.kill("RU").await;
    net.kill("US").await;
    let ru = net.get("RU").dir.clone();
    let root = net.root.path().to_owned();

    let sound = check(&ru);
    assert!(sound.findings.is_empty(), "{:#?}", sound.findings);
    assert_eq!(sound.exit_code(), 0);
    assert!(sound.size >= 8, "cards and six messages: {}", sound.size);
    assert_eq!(sound.entries, sound.size);
    assert_eq!(sound.receipts, 3, "the receipts RU signed");
    assert_eq!(sound.messages, 6);
    assert!(sound.cosignatures >= 1);

    // A flipped byte in a stored entry (still JSON): the entries no longer
    // give the checkpoint's root, nor the receipts' roots.
    let flipped = copy_of(&ru, &root, "flipped");
    sql(
        &flipped,
        "UPDATE log_entries SET entry = CAST(replace(CAST(entry AS TEXT), '\"received\"', '\"receivee\"') AS BLOB)
         WHERE log_index = (SELECT MAX(log_index) FROM log_entries WHERE CAST(entry AS TEXT) LIKE '%\"received\"%')",
    );
    let report = check(&flipped);
    assert!(
        report
            .findings
            .iter()
            .any(|f| matches!(f, Finding::CheckpointRoot { .. })),
        "{:#?}",
        report.findings
    );
    assert!(has(&report, Class::Checkpoint) && has(&report, Class::DamagedEntries));
    assert!(
        report
            .findings
            .iter()
            .any(|f| matches!(f, Finding::DamagedEntry { .. })),
        "`receivee` is no direction: {:#?}",
        report.findings
    );

    // A missing entry.
    let missing = copy_of(&ru, &root, "missing");
    sql(&missing, "DELETE FROM log_entries WHERE log_index = 2");
    let report = check(&missing);
    assert!(
        report
            .findings
            .iter()
            .any(|f| matches!(f, Finding::MissingEntry { index: 2 })),
        "{:#?}",
        report.findings
    );
    assert!(has(&report, Class::MissingEntries));
    assert_eq!(report.findings[0].kind(), "missing-entry");

    // A checkpoint that does not match: signed by RU's own key, over
    // another root.
    let forged = copy_of(&ru, &root, "forged");
    let keys = NodeKeys::load(&forged).expect("keys");
    let signer =
        detente_node::log::log_signer(&"RU".parse().expect("RU"), &keys.signing).expect("signer");
    let note = SignedCheckpoint::sign(
        Checkpoint::new("detente.RU/log/v1", sound.size, [7; 32]).expect("checkpoint"),
        &signer,
    )
    .expect("signed");
    let note = String::from_utf8(note.to_bytes()).expect("utf-8");
    sql(
        &forged,
        &format!("UPDATE log_checkpoint SET note = '{note}'"),
    );
    let report = check(&forged);
    assert_eq!(
        report.exit_code(),
        Class::Checkpoint as u8,
        "{:#?}",
        report.findings
    );
    assert!(matches!(
        report.findings[..],
        [Finding::CheckpointRoot { .. }]
    ));

    // A log rewound behind what it signed (a restored backup): the
    // receipts carry checkpoints beyond it.
    let rewound = copy_of(&ru, &root, "rewound");
    let keep = 3u64;
    let note = {
        let config = NodeConfig::load(&rewound).expect("config");
        let store = detente_node::node::open_store(&rewound, &config).expect("store");
        let entries = store.log_entries(0, keep).expect("entries");
        let mut tree = detente_log::merkle::MemoryTree::new();
        for e in &entries {
            tree.append(e);
        }
        let signed = SignedCheckpoint::sign(
            Checkpoint::new("detente.RU/log/v1", keep, tree.root()).expect("checkpoint"),
            &signer,
        )
        .expect("signed");
        String::from_utf8(signed.to_bytes()).expect("utf-8")
    };
    sql(
        &rewound,
        &format!(
            "DELETE FROM log_entries WHERE log_index >= {keep};
             UPDATE log_checkpoint SET size = {keep}, note = '{note}';"
        ),
    );
    let report = check(&rewound);
    assert!(
        report
            .findings
            .iter()
            .any(|f| matches!(f, Finding::ReceiptBeyondLog { log_size: 3, .. })),
        "{:#?}",
        report.findings
    );
    assert!(has(&report, Class::Receipts) && !has(&report, Class::Checkpoint));
}
