//! The SQLite backend against the store conformance suite, in memory and
//! on disk, plus what only SQLite has: connection settings, durability
//! across reopen, refusing a database from a newer detente, damaged
//! values, two connections on one file (two sequencers, two witnesses
//! racing, two nodes raising one alarm, two nodes storing signatures over
//! two documents on one agreement version, two nodes firing or meeting one
//! deadline, two nodes storing two signatures by one party on one
//! guarantee, two indexers from one watermark, two connections adding STIX
//! objects at one instant, two officers deciding one draft), an alarm
//! raised again after a restart, deadline timers and guarantee and pledge
//! records kept across a restart, and the cost of a large log batch and of
//! ingesting many STIX objects.

use std::cell::Cell;
use std::path::{Path, PathBuf};

use detente_proto::body::DeadlineKind;
use detente_proto::ids::{MessageId, OfficerName, PartyCode, Tier};
use detente_proto::kind::{MessageKind, Precedence, Tlp};
use detente_proto::time::Timestamp;
use detente_store::conformance::run_all;
use detente_store::{
    AgreementSignature, Alarm, CollectionKind, DeadlineQuery, DeadlineTimer, Direction,
    DocumentConflictReason, DocumentKind, DocumentRecord, DraftState, LogBatch, MessageState,
    NewDraft, NewMessage, NewStixObject, OfficerRecord, RecordRole, SqliteStore, StixQuery,
    StixSource, Store, StoreError, TaxiiAccountRecord, TaxiiGrant, VersionFilter,
};
use tempfile::TempDir;

fn at(text: &str) -> Timestamp {
    text.parse().expect("test timestamp")
}

fn open(path: &Path) -> SqliteStore {
    SqliteStore::open(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()))
}

fn setting(store: &SqliteStore, name: &str) -> String {
    store
        .settings()
        .expect("settings")
        .into_iter()
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .unwrap_or_else(|| panic!("no setting {name}"))
}

fn sample_message() -> NewMessage {
    NewMessage {
        id: "01937b2e-8f00-7000-8000-00000000abcd".parse().expect("id"),
        direction: Direction::Sent,
        counterparty: "RU".parse().expect("party"),
        kind: MessageKind::Ping,
        precedence: Precedence::Routine,
        from_tier: Tier::Operational,
        to_tier: Tier::Operational,
        officer: "watch officer".parse().expect("officer"),
        in_reply_to: None,
        created_at: at("2026-11-28T10:00:00.000Z"),
        exercise: true,
        tlp: Tlp::Green,
        headline: "communication check".to_owned(),
        envelope: b"{\"signed\":\"envelope\"}".to_vec(),
        envelope_sha256: [7; 32],
        recorded_at: at("2026-11-28T10:00:00.005Z"),
        log_index: None,
    }
}

#[test]
fn in_memory_store_conforms() {
    run_all(&|| Box::new(SqliteStore::open_in_memory().expect("open_in_memory")));
}

#[test]
fn file_store_conforms() {
    let dir = TempDir::new().expect("temp dir");
    let next = Cell::new(0u32);
    run_all(&|| {
        next.set(next.get() + 1);
        let path: PathBuf = dir.path().join(format!("check-{}.sqlite", next.get()));
        Box::new(open(&path))
    });
}

#[test]
fn file_store_runs_in_wal_with_full_sync() {
    let dir = TempDir::new().expect("temp dir");
    let store = open(&dir.path().join("node.sqlite"));
    assert_eq!(setting(&store, "journal_mode"), "wal");
    assert_eq!(setting(&store, "synchronous"), "2", "2 is FULL");
    assert_eq!(setting(&store, "foreign_keys"), "1");
    assert_eq!(setting(&store, "busy_timeout"), "5000");
    assert_eq!(
        setting(&store, "user_version"),
        SqliteStore::SCHEMA_VERSION.to_string()
    );
}

#[test]
fn data_survives_close_and_reopen() {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("node.sqlite");
    let message = sample_message();
    let officer = OfficerRecord {
        name: "Жанна".parse::<OfficerName>().expect("name"),
        tiers: vec![Tier::Policy, Tier::Leadership],
        token_sha256: [9; 32],
        created_at: at("2026-11-28T09:00:00.000Z"),
    };
    {
        let store = open(&path);
        store
            .enqueue_outgoing(&message, at("2026-11-28T10:00:01.000Z"))
            .expect("enqueue");
        store
            .record_delivery(&message.id, b"receipt", at("2026-11-28T10:00:02.000Z"), &[])
            .expect("record_delivery");
        store.add_officer(&officer).expect("add_officer");
    }
    let store = open(&path);
    let stored = store
        .message(&message.id)
        .expect("message")
        .expect("still stored");
    assert_eq!(stored.message, message);
    assert_eq!(stored.state, MessageState::Delivered);
    assert_eq!(stored.receipt.as_deref(), Some(&b"receipt"[..]));
    assert_eq!(stored.delivered_at, Some(at("2026-11-28T10:00:02.000Z")));
    assert_eq!(store.officers().expect("officers"), vec![officer]);
    assert_eq!(store.next_delivery_at().expect("next_delivery_at"), None);
}

#[test]
fn a_database_from_a_newer_detente_is_refused() {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("node.sqlite");
    drop(open(&path));
    let newer = SqliteStore::SCHEMA_VERSION + 1;
    rusqlite::Connection::open(&path)
        .expect("open raw")
        .pragma_update(None, "user_version", newer)
        .expect("set user_version");
    match SqliteStore::open(&path) {
        Err(StoreError::TooNew { found, supported }) => {
            assert_eq!((found, supported), (newer, SqliteStore::SCHEMA_VERSION));
        }
        other => panic!("expected TooNew, got {other:?}"),
    }
    // Refusing must not have touched it.
    let version: i64 = rusqlite::Connection::open(&path)
        .expect("open raw")
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .expect("user_version");
    assert_eq!(version, newer);
}

#[test]
fn another_applications_database_is_refused() {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("other.sqlite");
    let raw = rusqlite::Connection::open(&path).expect("open raw");
    raw.pragma_update(None, "application_id", 0x1234_5678)
        .expect("set application_id");
    raw.execute_batch("CREATE TABLE notes (body TEXT);")
        .expect("create");
    drop(raw);
    let result = SqliteStore::open(&path);
    assert!(
        matches!(result, Err(StoreError::Corrupt(_))),
        "got {result:?}"
    );
}

#[test]
fn a_damaged_value_is_corrupt_not_a_panic() {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("node.sqlite");
    let message = sample_message();
    open(&path)
        .enqueue_outgoing(&message, at("2026-11-28T10:00:01.000Z"))
        .expect("enqueue");
    rusqlite::Connection::open(&path)
        .expect("open raw")
        .execute("UPDATE messages SET counterparty = 'not a party'", [])
        .expect("damage");
    let store = open(&path);
    let result = store.message(&message.id);
    assert!(
        matches!(result, Err(StoreError::Corrupt(ref why)) if why.contains("counterparty")),
        "got {result:?}"
    );
    let result = store.due_deliveries(at("2026-11-28T11:00:00.000Z"), 10);
    assert!(
        matches!(result, Err(StoreError::Corrupt(_))),
        "got {result:?}"
    );
}

#[test]
fn two_connections_to_one_file_see_each_others_writes() {
    // The CLI and a running node open the same file.
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("node.sqlite");
    let node = open(&path);
    let cli = open(&path);
    let message = sample_message();
    node.enqueue_outgoing(&message, at("2026-11-28T10:00:01.000Z"))
        .expect("enqueue");
    let seen: Option<MessageId> = cli
        .message(&message.id)
        .expect("message")
        .map(|stored| stored.message.id);
    assert_eq!(seen, Some(message.id));
    let party: PartyCode = "RU".parse().expect("party");
    assert_eq!(
        cli.due_deliveries(at("2026-11-28T10:00:01.000Z"), 10)
            .expect("due")[0]
            .counterparty,
        party
    );
}

/// A batch of `count` entries from `old_size`, every other one recording a
/// sent or a received message.
fn large_batch(old_size: u64, count: u64) -> LogBatch {
    let mut batch = LogBatch {
        old_size,
        entries: Vec::new(),
        new_size: old_size + count,
        checkpoint: format!("detente.RU/log/v1\n{}\nroot=\n", old_size + count),
        sent: Vec::new(),
        received: Vec::new(),
        records: Vec::new(),
    };
    for index in old_size..old_size + count {
        batch.entries.push(format!("entry {index}").into_bytes());
        let message = NewMessage {
            id: format!("01937b2e-8f00-7000-8000-{index:012x}")
                .parse()
                .expect("id"),
            log_index: Some(index),
            ..sample_message()
        };
        match index % 4 {
            0 => batch.sent.push(message),
            2 => batch.received.push((
                NewMessage {
                    direction: Direction::Received,
                    ..message
                },
                format!("receipt {index}").into_bytes(),
            )),
            _ => {}
        }
    }
    batch
}

#[test]
fn a_batch_of_ten_thousand_entries_is_one_commit() {
    // One transaction for the whole batch (speed is measured by `detente
    // bench log`, never asserted here).
    let dir = TempDir::new().expect("temp dir");
    let store = open(&dir.path().join("node.sqlite"));
    let batch = large_batch(0, 10_000);
    store.commit_log_batch(&batch).expect("commit_log_batch");
    assert_eq!(
        store
            .log_checkpoint()
            .expect("checkpoint")
            .map(|(size, _)| size),
        Some(10_000)
    );
    assert_eq!(
        store.log_entries(0, 20_000).expect("entries"),
        batch.entries
    );
    assert_eq!(
        store
            .due_deliveries(at("2026-11-28T10:00:00.005Z"), 10_000)
            .expect("due")
            .len(),
        2_500,
        "every sent message has its outbox row"
    );
}

#[test]
fn two_sequencers_on_one_file_cannot_fork_the_log() {
    // Two node processes on one database, both at size 0: the first batch
    // wins, the second is refused whole.
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("node.sqlite");
    let (first, second) = (open(&path), open(&path));
    let mine = large_batch(0, 4);
    let theirs = LogBatch {
        entries: vec![b"a forked entry".to_vec(); 4],
        checkpoint: "a forked checkpoint\n".to_owned(),
        sent: Vec::new(),
        received: Vec::new(),
        records: Vec::new(),
        ..large_batch(0, 4)
    };
    first.commit_log_batch(&mine).expect("first sequencer");
    match second.commit_log_batch(&theirs) {
        Err(StoreError::LogConflict { expected, found }) => assert_eq!((expected, found), (0, 4)),
        other => panic!("expected LogConflict, got {other:?}"),
    }
    for store in [&first, &second] {
        assert_eq!(store.log_entries(0, 10).expect("entries"), mine.entries);
        assert_eq!(
            store.log_checkpoint().expect("checkpoint"),
            Some((4, mine.checkpoint.clone()))
        );
    }
}

/// Runs `race` on two threads, each with its own connection to the file at
/// `path` (created first: two connections creating one file at once can
/// be refused with "database is locked" while switching it to WAL), and
/// returns what each round gave each thread.
///
/// `race` must not panic, nor stop early, while the other thread may wait
/// for it at a barrier: it returns each round's error instead, and the
/// test fails here once both threads are done.
fn race_two_connections<T: Send>(
    path: &Path,
    race: impl Fn(SqliteStore, &str) -> Vec<Result<T, String>> + Sync,
) -> (Vec<T>, Vec<T>) {
    drop(open(path));
    let (a, b) = (open(path), open(path));
    let (a, b) = std::thread::scope(|scope| {
        let a = scope.spawn(|| race(a, "a"));
        let b = scope.spawn(|| race(b, "b"));
        (a.join().expect("thread a"), b.join().expect("thread b"))
    });
    let all = |rounds: Vec<Result<T, String>>| {
        rounds
            .into_iter()
            .collect::<Result<Vec<T>, String>>()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    (all(a), all(b))
}

#[test]
fn two_witnesses_on_one_file_swap_each_size_once() {
    // Two node processes (two connections) answer add-checkpoint for one
    // log at once, round after round, both from the size they read: the
    // compare-and-swap lets exactly one of them advance it each time.
    const ROUNDS: u64 = 100;
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("node.sqlite");
    let origin = "detente.US/log/v1";
    let barrier = std::sync::Barrier::new(2);
    let race = |store: SqliteStore, name: &str| {
        (0..ROUNDS)
            .map(|round| {
                barrier.wait();
                let expected = (round > 0).then_some(round);
                store
                    .swap_witness_record(origin, expected, round + 1, name.as_bytes())
                    .map_err(|e| format!("{name}, round {round}: {e}"))
            })
            .collect()
    };
    let (a, b) = race_two_connections(&path, race);
    for (round, (a, b)) in a.iter().zip(&b).enumerate() {
        assert!(a ^ b, "round {round}: a swapped {a}, b swapped {b}");
    }
    let last_winner: &[u8] = if a[a.len() - 1] { b"a" } else { b"b" };
    assert_eq!(
        open(&path).witness_record(origin).expect("witness_record"),
        Some((ROUNDS, last_winner.to_vec()))
    );
}

fn sample_alarm() -> Alarm {
    Alarm {
        at: at("2026-11-28T10:00:00.000Z"),
        kind: "equivocation".to_owned(),
        subject: "detente.US/log/v1".to_owned(),
        detail: "two roots for size 3".to_owned(),
        evidence: b"both notes".to_vec(),
    }
}

#[test]
fn an_alarm_raised_again_after_a_restart_is_not_recorded_again() {
    // A node re-checks what it checked before it stopped, and finds the
    // same fault: the alarm raised before the restart is the one kept.
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("node.sqlite");
    let first = sample_alarm();
    assert!(open(&path).raise_alarm(&first).expect("raise_alarm"));
    let store = open(&path);
    let again = Alarm {
        at: at("2026-11-28T10:00:30.000Z"),
        ..sample_alarm()
    };
    assert!(!store.raise_alarm(&again).expect("raise_alarm again"));
    assert_eq!(store.alarms().expect("alarms"), vec![first]);
}

#[test]
fn two_connections_raising_one_alarm_record_it_once() {
    // Two node processes on one database find the same fault at once, round
    // after round: of each pair of identical raises, exactly one records.
    const ROUNDS: u8 = 50;
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("node.sqlite");
    let barrier = std::sync::Barrier::new(2);
    let alarm = |round: u8| Alarm {
        evidence: vec![round],
        ..sample_alarm()
    };
    let race = |store: SqliteStore, name: &str| {
        (0..ROUNDS)
            .map(|round| {
                barrier.wait();
                store
                    .raise_alarm(&alarm(round))
                    .map_err(|e| format!("{name}, round {round}: {e}"))
            })
            .collect()
    };
    let (a, b) = race_two_connections(&path, race);
    for (round, (a, b)) in a.iter().zip(&b).enumerate() {
        assert!(a ^ b, "round {round}: a recorded {a}, b recorded {b}");
    }
    assert_eq!(
        open(&path).alarms().expect("alarms"),
        (0..ROUNDS).map(alarm).collect::<Vec<_>>()
    );
}

#[test]
fn damaged_witness_values_are_corrupt_not_a_panic() {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("node.sqlite");
    {
        let store = open(&path);
        store
            .swap_witness_record("detente.US/log/v1", None, 3, b"record")
            .expect("swap");
        let recorded = store.raise_alarm(&sample_alarm()).expect("raise_alarm");
        assert!(recorded, "the first alarm");
    }
    // Damage that the table's CHECKs would refuse, written past them.
    let raw = rusqlite::Connection::open(&path).expect("open raw");
    raw.execute_batch(
        "PRAGMA ignore_check_constraints = ON;
         UPDATE witness_records SET size = -1;
         UPDATE alarms SET at_ms = 9223372036854775807;",
    )
    .expect("damage");
    drop(raw);
    let store = open(&path);
    let result = store.witness_record("detente.US/log/v1");
    assert!(
        matches!(result, Err(StoreError::Corrupt(ref why)) if why.contains("witness_records.size")),
        "got {result:?}"
    );
    let result = store.alarms();
    assert!(
        matches!(result, Err(StoreError::Corrupt(ref why)) if why.contains("alarms.at_ms")),
        "got {result:?}"
    );
}

fn sample_signature(version: u32, signer: &str, document: u8) -> AgreementSignature {
    AgreementSignature {
        agreement_id: "ru-us-ict-incidents".parse().expect("document id"),
        version,
        signer: signer.parse().expect("party"),
        document_sha256: [document; 32],
        signed: format!("{signer} signs document {document}").into_bytes(),
        recorded_at: at("2026-11-28T10:00:00.000Z"),
    }
}

#[test]
fn two_connections_signing_one_version_over_two_documents_store_one() {
    // Two node processes on one database store signatures on a new version
    // at once, each over another document, round after round: the checks
    // and the insert are one transaction, so exactly one is stored and the
    // other is a conflict, and the version keeps one document.
    const ROUNDS: u32 = 50;
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("node.sqlite");
    let barrier = std::sync::Barrier::new(2);
    let race = |store: SqliteStore, name: &str| {
        let (signer, document) = if name == "a" {
            ("RU", 0xaa)
        } else {
            ("US", 0xbb)
        };
        (1..=ROUNDS)
            .map(|version| {
                barrier.wait();
                match store.put_agreement_signature(&sample_signature(version, signer, document)) {
                    Ok(stored) => Ok(stored),
                    Err(StoreError::AgreementSignatureConflict(_)) => Ok(false),
                    Err(e) => Err(format!("{name}, version {version}: {e}")),
                }
            })
            .collect()
    };
    let (a, b) = race_two_connections(&path, race);
    let store = open(&path);
    for (version, (a, b)) in (1..).zip(a.iter().zip(&b)) {
        assert!(a ^ b, "version {version}: a stored {a}, b stored {b}");
        let winner = if *a {
            sample_signature(version, "RU", 0xaa)
        } else {
            sample_signature(version, "US", 0xbb)
        };
        assert_eq!(
            store
                .agreement_signatures(
                    &"ru-us-ict-incidents".parse().expect("document id"),
                    version
                )
                .expect("agreement_signatures"),
            vec![winner],
            "version {version}: one signature, one document"
        );
    }
    assert_eq!(
        store
            .agreement_versions()
            .expect("agreement_versions")
            .len(),
        usize::try_from(ROUNDS).expect("fits")
    );
}

#[test]
fn damaged_agreement_values_are_corrupt_not_a_panic() {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("node.sqlite");
    {
        let store = open(&path);
        for version in 1..=3 {
            let signature = sample_signature(version, "RU", 1);
            assert!(store.put_agreement_signature(&signature).expect("put"));
        }
    }
    // Damage that the table's CHECKs would refuse, written past them.
    let raw = rusqlite::Connection::open(&path).expect("open raw");
    raw.execute_batch(
        "PRAGMA ignore_check_constraints = ON;
         UPDATE agreement_signatures SET signer = 'not a party' WHERE version = 1;
         UPDATE agreement_signatures SET version = 0 WHERE version = 2;
         UPDATE agreement_signatures SET document_sha256 = x'00' WHERE version = 3;",
    )
    .expect("damage");
    drop(raw);
    let store = open(&path);
    let result =
        store.agreement_signatures(&"ru-us-ict-incidents".parse().expect("document id"), 1);
    assert!(
        matches!(result, Err(StoreError::Corrupt(ref why)) if why.contains("agreement_signatures.signer")),
        "got {result:?}"
    );
    let result = store.agreement_versions();
    assert!(
        matches!(result, Err(StoreError::Corrupt(ref why)) if why.contains("agreement_signatures.version")),
        "got {result:?}"
    );
    // A new signature is checked against the stored hash, and finds it damaged.
    let result = store.put_agreement_signature(&sample_signature(3, "US", 1));
    assert!(
        matches!(result, Err(StoreError::Corrupt(ref why)) if why.contains("agreement_signatures.document_sha256")),
        "got {result:?}"
    );
}

/// The deadlines the delivery of [`sample_message`] starts: acknowledge
/// within 15 minutes, reply within 2 hours.
fn sample_deadlines() -> Vec<DeadlineTimer> {
    let timer = |kind, due: &str| DeadlineTimer {
        message_id: sample_message().id,
        kind,
        started_at: at("2026-11-28T10:00:02.000Z"),
        due_at: at(due),
        next_at: Some(at(due)),
        rungs_fired: 0,
        met_at: None,
        met_by: None,
    };
    vec![
        timer(DeadlineKind::Acknowledge, "2026-11-28T10:15:02.000Z"),
        timer(DeadlineKind::Reply, "2026-11-28T12:00:02.000Z"),
    ]
}

/// Stores [`sample_message`] in a new database at `path` and records its
/// delivery with [`sample_deadlines`].
fn deliver_with_deadlines(path: &Path) {
    let store = open(path);
    let message = sample_message();
    store
        .enqueue_outgoing(&message, at("2026-11-28T10:00:01.000Z"))
        .expect("enqueue");
    store
        .record_delivery(
            &message.id,
            b"receipt",
            at("2026-11-28T10:00:02.000Z"),
            &sample_deadlines(),
        )
        .expect("record_delivery");
}

#[test]
fn deadline_timers_survive_close_and_reopen() {
    // The engine's clocks outlive the process: a rung fired and an answer
    // recorded before a restart are there after it, and still due on time.
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("node.sqlite");
    let id = sample_message().id;
    let answer: MessageId = "01937b2e-8f00-7000-8000-00000000abce".parse().expect("id");
    deliver_with_deadlines(&path);
    {
        let store = open(&path);
        let advanced = store
            .advance_deadline(
                &id,
                DeadlineKind::Reply,
                0,
                1,
                Some(at("2026-11-28T13:00:02.000Z")),
            )
            .expect("advance_deadline");
        assert!(advanced);
        let met = store
            .meet_deadline(
                &id,
                DeadlineKind::Acknowledge,
                at("2026-11-28T10:05:00.000Z"),
                &answer,
            )
            .expect("meet_deadline");
        assert!(met);
    }
    let [acknowledge, reply] = <[DeadlineTimer; 2]>::try_from(sample_deadlines()).expect("two");
    let acknowledge = DeadlineTimer {
        next_at: None,
        met_at: Some(at("2026-11-28T10:05:00.000Z")),
        met_by: Some(answer),
        ..acknowledge
    };
    let reply = DeadlineTimer {
        rungs_fired: 1,
        next_at: Some(at("2026-11-28T13:00:02.000Z")),
        ..reply
    };
    let store = open(&path);
    assert_eq!(
        store.deadlines_of(&id).expect("deadlines_of"),
        vec![acknowledge.clone(), reply.clone()]
    );
    assert_eq!(
        store
            .deadlines(&DeadlineQuery {
                open_only: false,
                limit: 10,
            })
            .expect("deadlines"),
        vec![acknowledge, reply.clone()]
    );
    assert_eq!(
        store.next_deadline_at().expect("next_deadline_at"),
        Some(at("2026-11-28T13:00:02.000Z"))
    );
    assert_eq!(
        store
            .due_deadlines(at("2026-11-28T13:00:02.000Z"), 10)
            .expect("due_deadlines"),
        vec![reply]
    );
    let again = store
        .meet_deadline(
            &id,
            DeadlineKind::Acknowledge,
            at("2026-11-28T10:06:00.000Z"),
            &sample_message().id,
        )
        .expect("meet_deadline");
    assert!(!again, "met before the restart, met once");
}

#[test]
fn two_connections_firing_one_deadline_fire_each_rung_once() {
    // Two node processes on one database run the engine over the same
    // timer, round after round, both from the rungs they read: the
    // compare-and-swap lets exactly one fire each rung.
    const ROUNDS: u32 = 50;
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("node.sqlite");
    deliver_with_deadlines(&path);
    let id = sample_message().id;
    let barrier = std::sync::Barrier::new(2);
    let race = |store: SqliteStore, name: &str| {
        (0..ROUNDS)
            .map(|round| {
                barrier.wait();
                store
                    .advance_deadline(&id, DeadlineKind::Acknowledge, round, round + 1, None)
                    .map_err(|e| format!("{name}, round {round}: {e}"))
            })
            .collect()
    };
    let (a, b) = race_two_connections(&path, race);
    for (round, (a, b)) in a.iter().zip(&b).enumerate() {
        assert!(a ^ b, "round {round}: a fired {a}, b fired {b}");
    }
    let stored = open(&path).deadlines_of(&id).expect("deadlines_of");
    assert_eq!(stored[0].rungs_fired, ROUNDS);
}

#[test]
fn two_connections_meeting_one_deadline_meet_it_once() {
    // Two node processes accept two answers to one message at once: the
    // first to meet the deadline is the one kept, whichever it is.
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("node.sqlite");
    deliver_with_deadlines(&path);
    let id = sample_message().id;
    let answer = |name: &str| -> MessageId {
        let n = if name == "a" { 0xa } else { 0xb };
        format!("01937b2e-8f00-7000-8000-{n:012x}")
            .parse()
            .expect("id")
    };
    let barrier = std::sync::Barrier::new(2);
    let race = |store: SqliteStore, name: &str| {
        barrier.wait();
        vec![
            store
                .meet_deadline(
                    &id,
                    DeadlineKind::Reply,
                    at("2026-11-28T11:00:00.000Z"),
                    &answer(name),
                )
                .map_err(|e| format!("{name}: {e}")),
        ]
    };
    let (a, b) = race_two_connections(&path, race);
    assert!(a[0] ^ b[0], "a met {}, b met {}", a[0], b[0]);
    let winner = answer(if a[0] { "a" } else { "b" });
    let stored = open(&path).deadlines_of(&id).expect("deadlines_of");
    assert_eq!(stored[1].met_by, Some(winner));
}

#[test]
fn damaged_deadline_values_are_corrupt_not_a_panic() {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("node.sqlite");
    deliver_with_deadlines(&path);
    // Damage that the table's CHECKs would refuse, written past them.
    let raw = rusqlite::Connection::open(&path).expect("open raw");
    raw.execute_batch(
        "PRAGMA ignore_check_constraints = ON;
         UPDATE deadline_timers SET kind = 'answer' WHERE kind = 'reply';
         UPDATE deadline_timers SET rungs_fired = -1 WHERE kind = 'acknowledge';",
    )
    .expect("damage");
    drop(raw);
    let store = open(&path);
    let result = store.deadlines_of(&sample_message().id);
    assert!(
        matches!(result, Err(StoreError::Corrupt(ref why)) if why.contains("deadline_timers.rungs_fired")),
        "got {result:?}"
    );
    let result = store.due_deadlines(at("2026-11-28T13:00:00.000Z"), 10);
    assert!(
        matches!(result, Err(StoreError::Corrupt(ref why)) if why.contains("deadline_timers.")),
        "got {result:?}"
    );
    let raw = rusqlite::Connection::open(&path).expect("open raw");
    raw.execute_batch(
        "PRAGMA ignore_check_constraints = ON;
         UPDATE deadline_timers SET rungs_fired = 0;",
    )
    .expect("repair one");
    drop(raw);
    let result = store.deadlines(&DeadlineQuery {
        open_only: true,
        limit: 10,
    });
    assert!(
        matches!(result, Err(StoreError::Corrupt(ref why)) if why.contains("deadline_timers.kind")),
        "got {result:?}"
    );
}

/// `party`'s `role` record on guarantee `id`, about document `document`,
/// carried by [`sample_message`].
fn sample_record(id: &str, role: RecordRole, party: &str, document: u8) -> DocumentRecord {
    DocumentRecord {
        kind: DocumentKind::Guarantee,
        document_id: id.to_owned(),
        role,
        party: party.parse().expect("party"),
        document_sha256: [document; 32],
        signed: format!("{party} {} document {document}: «гарантия»", role.as_str()).into_bytes(),
        message_id: Some(sample_message().id),
        at: at("2026-11-28T10:00:00.000Z"),
        recorded_at: at("2026-11-28T10:00:00.250Z"),
    }
}

#[test]
fn document_records_survive_close_and_reopen() {
    // A restarted node still holds each guarantee's and pledge's history,
    // and still holds new records to it: a repeat records nothing, a
    // signature over another document is refused.
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("node.sqlite");
    let id = "ru-us-elections-2026";
    let publish = sample_record(id, RecordRole::Publish, "RU", 1);
    let sign = DocumentRecord {
        at: at("2026-11-28T10:05:00.000Z"),
        message_id: None,
        ..sample_record(id, RecordRole::Sign, "US", 1)
    };
    let pledge = DocumentRecord {
        kind: DocumentKind::Pledge,
        ..sample_record("UN/no-first-use", RecordRole::Sign, "RU", 2)
    };
    {
        let store = open(&path);
        for record in [&sign, &publish, &pledge] {
            assert!(store.put_document_record(record).expect("put"));
        }
    }
    let store = open(&path);
    assert_eq!(
        store
            .document_records(DocumentKind::Guarantee, id)
            .expect("document_records"),
        vec![publish.clone(), sign.clone()]
    );
    assert_eq!(
        store
            .document_records(DocumentKind::Pledge, "UN/no-first-use")
            .expect("document_records"),
        vec![pledge]
    );
    assert_eq!(
        store
            .document_ids(DocumentKind::Guarantee)
            .expect("document_ids"),
        vec![id.to_owned()]
    );
    assert!(!store.put_document_record(&sign).expect("the same again"));
    let result = store.put_document_record(&sample_record(id, RecordRole::Sign, "UN", 3));
    assert!(
        matches!(result, Err(StoreError::DocumentConflict(ref conflict))
            if matches!(conflict.reason, DocumentConflictReason::NotTheDocument { .. })),
        "got {result:?}"
    );
}

#[test]
fn two_connections_storing_two_signatures_by_one_party_store_one() {
    // Two node processes on one database store one party's signature on a
    // new guarantee at once, each over another document, round after
    // round: the checks and the insert are one transaction, so exactly
    // one is stored and the other is a conflict.
    const ROUNDS: u32 = 50;
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("node.sqlite");
    let barrier = std::sync::Barrier::new(2);
    let signature = |round: u32, name: &str| {
        let document = if name == "a" { 0xaa } else { 0xbb };
        sample_record(
            &format!("guarantee-{round}"),
            RecordRole::Sign,
            "US",
            document,
        )
    };
    let race = |store: SqliteStore, name: &str| {
        (0..ROUNDS)
            .map(|round| {
                barrier.wait();
                match store.put_document_record(&signature(round, name)) {
                    Ok(stored) => Ok(Some(stored)),
                    Err(StoreError::DocumentConflict(conflict)) => match conflict.reason {
                        DocumentConflictReason::OtherDocument { .. } => Ok(None),
                        other => Err(format!("{name}, round {round}: refused for {other:?}")),
                    },
                    Err(e) => Err(format!("{name}, round {round}: {e}")),
                }
            })
            .collect()
    };
    let (a, b) = race_two_connections(&path, race);
    let store = open(&path);
    for (round, (a, b)) in (0..).zip(a.iter().zip(&b)) {
        let winner = match (a, b) {
            (Some(true), None) => "a",
            (None, Some(true)) => "b",
            _ => panic!("round {round}: a got {a:?}, b got {b:?}; one stores, one conflicts"),
        };
        assert_eq!(
            store
                .document_records(DocumentKind::Guarantee, &format!("guarantee-{round}"))
                .expect("document_records"),
            vec![signature(round, winner)],
            "round {round}: one signature, the winner's"
        );
    }
    assert_eq!(
        store
            .document_ids(DocumentKind::Guarantee)
            .expect("document_ids")
            .len(),
        usize::try_from(ROUNDS).expect("fits")
    );
}

#[test]
fn damaged_document_values_are_corrupt_not_a_panic() {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("node.sqlite");
    {
        let store = open(&path);
        for id in ["g-1", "g-2", "g-3"] {
            let record = sample_record(id, RecordRole::Publish, "RU", 1);
            assert!(store.put_document_record(&record).expect("put"));
        }
    }
    // Damage that the table's CHECKs would refuse, written past them.
    let raw = rusqlite::Connection::open(&path).expect("open raw");
    raw.execute_batch(
        "PRAGMA ignore_check_constraints = ON;
         UPDATE document_records SET party = 'not a party' WHERE document_id = 'g-1';
         UPDATE document_records SET role = 'sign-off' WHERE document_id = 'g-2';
         UPDATE document_records SET document_sha256 = x'00' WHERE document_id = 'g-3';",
    )
    .expect("damage");
    drop(raw);
    let store = open(&path);
    for (id, column) in [
        ("g-1", "party"),
        ("g-2", "role"),
        ("g-3", "document_sha256"),
    ] {
        let result = store.document_records(DocumentKind::Guarantee, id);
        assert!(
            matches!(result, Err(StoreError::Corrupt(ref why))
                if why.contains(&format!("document_records.{column}"))),
            "{id}: got {result:?}"
        );
    }
    // A new signature is checked against the stored hash, and finds it damaged.
    let result = store.put_document_record(&sample_record("g-3", RecordRole::Sign, "US", 1));
    assert!(
        matches!(result, Err(StoreError::Corrupt(ref why)) if why.contains("document_records.document_sha256")),
        "got {result:?}"
    );
}

/// Version `version` of indicator `n` in the `green` lane of the
/// collection received from US.
fn sample_stix(n: u64, version: &str) -> NewStixObject {
    let object_id = format!("indicator--0193a0c4-7d1e-4000-8000-{n:012x}");
    NewStixObject {
        counterparty: "US".parse().expect("party"),
        collection: CollectionKind::ReceivedFrom,
        json: format!(r#"{{"type":"indicator","id":"{object_id}","modified":"{version}"}}"#)
            .into_bytes(),
        object_id,
        object_type: "indicator".to_owned(),
        spec_version: "2.1".to_owned(),
        version: Some(version.to_owned()),
        version_key: Some(version.to_owned()),
        lane: "green".to_owned(),
        source: StixSource::Message(sample_message().id),
    }
}

/// Every version of every object in the `green` lane received from US.
fn every_green_version(limit: usize) -> StixQuery {
    StixQuery {
        counterparty: "US".parse().expect("party"),
        collection: CollectionKind::ReceivedFrom,
        lanes: vec!["green".to_owned()],
        after_us: None,
        ids: Vec::new(),
        types: Vec::new(),
        versions: VersionFilter {
            all: true,
            ..VersionFilter::default()
        },
        spec_versions: Vec::new(),
        limit,
    }
}

#[test]
fn two_indexers_from_one_watermark_add_each_message_once() {
    // Two node processes on one database index the same messages at once,
    // round after round, both from the watermark they read: the
    // compare-and-swap lets exactly one add each round's objects.
    const ROUNDS: u64 = 50;
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("node.sqlite");
    let barrier = std::sync::Barrier::new(2);
    // Each indexer's object of a round has a version of its own, so a
    // double add would show as two rows.
    let object = |round: u64, name: &str| sample_stix(round, name);
    let now = at("2026-11-28T10:00:00.000Z");
    let race = |store: SqliteStore, name: &str| {
        (0..ROUNDS)
            .map(|round| {
                barrier.wait();
                store
                    .index_stix(round, round + 1, &[object(round, name)], now)
                    .map_err(|e| format!("{name}, round {round}: {e}"))
            })
            .collect()
    };
    let (a, b) = race_two_connections(&path, race);
    let store = open(&path);
    let rows = store
        .stix_objects(&every_green_version(1000))
        .expect("stix_objects");
    let winners: Vec<&str> = a
        .iter()
        .zip(&b)
        .enumerate()
        .map(|(round, (a, b))| {
            assert!(a ^ b, "round {round}: a indexed {a}, b indexed {b}");
            if *a { "a" } else { "b" }
        })
        .collect();
    let added: Vec<NewStixObject> = rows.into_iter().map(|row| row.object).collect();
    let expected: Vec<NewStixObject> = (0..ROUNDS)
        .zip(&winners)
        .map(|(round, winner)| object(round, winner))
        .collect();
    assert_eq!(added, expected, "each round's objects once, the winner's");
    assert_eq!(store.stix_watermark().expect("stix_watermark"), ROUNDS);
}

#[test]
fn two_connections_adding_objects_at_one_instant_get_unique_added_us() {
    // Two node processes add objects at the same clock reading, round after
    // round: each takes one more than the greatest stored, under the write
    // lock, so no two rows share a date_added and none is lost.
    const ROUNDS: u64 = 50;
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("node.sqlite");
    let barrier = std::sync::Barrier::new(2);
    let now = at("2026-11-28T10:00:00.000Z");
    let race = |store: SqliteStore, name: &str| {
        let offset = if name == "a" { 0 } else { 1000 };
        (0..ROUNDS)
            .map(|round| {
                barrier.wait();
                let batch = [
                    sample_stix(offset + 2 * round, "v1"),
                    sample_stix(offset + 2 * round + 1, "v1"),
                ];
                store
                    .add_stix_objects(&batch, now)
                    .map_err(|e| format!("{name}, round {round}: {e}"))
            })
            .collect()
    };
    let (a, b) = race_two_connections(&path, race);
    assert!(
        a.iter().chain(&b).all(|added| *added == 2),
        "every object added"
    );
    let rows = open(&path)
        .stix_objects(&every_green_version(1000))
        .expect("stix_objects");
    let expected = usize::try_from(4 * ROUNDS).expect("small");
    assert_eq!(rows.len(), expected);
    let first = now.unix_millis() * 1000;
    let added: Vec<i64> = rows.iter().map(|row| row.added_us).collect();
    let dense: Vec<i64> = (first..).take(expected).collect();
    assert_eq!(added, dense, "unique, from the clock on, one apart");
}

fn sample_draft(n: u64) -> NewDraft {
    NewDraft {
        id: format!("0193a0c4-7d1e-7000-8000-{n:012x}")
            .parse()
            .expect("draft id"),
        counterparty: "US".parse().expect("party"),
        created_at: at("2026-11-28T10:00:00.000Z"),
        created_by: "taxii:opencti".to_owned(),
        source: "OpenCTI".to_owned(),
        tlp: Tlp::Amber,
        bundle: b"{\"type\":\"bundle\"}".to_vec(),
        object_count: 0,
    }
}

#[test]
fn two_officers_deciding_one_draft_decide_it_once() {
    // Two officers (two node processes) send and discard the same draft at
    // once, round after round: the compare-and-swap lets one decide it.
    const ROUNDS: u64 = 50;
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("node.sqlite");
    {
        let store = open(&path);
        for round in 0..ROUNDS {
            store
                .create_draft(
                    &sample_draft(round),
                    &[],
                    None,
                    at("2026-11-28T10:00:00.000Z"),
                )
                .expect("create_draft");
        }
    }
    let barrier = std::sync::Barrier::new(2);
    let message = sample_message().id;
    let race = |store: SqliteStore, name: &str| {
        (0..ROUNDS)
            .map(|round| {
                barrier.wait();
                let (to, message) = if name == "a" {
                    (DraftState::Sent, Some(&message))
                } else {
                    (DraftState::Discarded, None)
                };
                let id = sample_draft(round).id;
                let by = format!("officer:{name}");
                store
                    .decide_draft(&id, to, message, &by, at("2026-11-28T10:01:00.000Z"))
                    .map_err(|e| format!("{name}, round {round}: {e}"))
            })
            .collect()
    };
    let (a, b) = race_two_connections(&path, race);
    let store = open(&path);
    for (round, (a, b)) in (0..).zip(a.iter().zip(&b)) {
        assert!(a ^ b, "round {round}: a decided {a}, b decided {b}");
        let draft = store
            .draft(&sample_draft(round).id)
            .expect("draft")
            .expect("stored");
        let (state, by) = if *a {
            (DraftState::Sent, "officer:a")
        } else {
            (DraftState::Discarded, "officer:b")
        };
        assert_eq!(
            (draft.state, draft.decided_by.as_deref()),
            (state, Some(by)),
            "round {round}: the winner's decision"
        );
    }
}

#[test]
fn many_stix_objects_in_batches_keep_their_latest_versions() {
    // As the node's bench: 100 000 objects in batches of 1 000, every tenth
    // a second version of an earlier one. Speed is measured by `detente
    // bench taxii`, never asserted here; the plans are checked in
    // `sqlite::stix`.
    const BATCHES: u64 = 100;
    let dir = TempDir::new().expect("temp dir");
    let store = open(&dir.path().join("node.sqlite"));
    let now = at("2026-11-28T10:00:00.000Z");
    for batch in 0..BATCHES {
        let objects: Vec<NewStixObject> = (0..1000)
            .map(|i| {
                let n = batch * 1000 + i;
                if i % 10 == 9 {
                    sample_stix(n - 1, "v2")
                } else {
                    sample_stix(n, "v1")
                }
            })
            .collect();
        assert_eq!(
            store
                .add_stix_objects(&objects, now)
                .expect("add_stix_objects"),
            1000
        );
    }
    let last = StixQuery {
        versions: VersionFilter {
            last: true,
            ..VersionFilter::default()
        },
        ..every_green_version(100)
    };
    let page = store.stix_objects(&last).expect("stix_objects");
    assert_eq!(page.len(), 100);
    assert!(
        page.iter().all(|row| row.latest),
        "the latest versions only"
    );
}

#[test]
fn taxii_records_survive_close_and_reopen() {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("node.sqlite");
    let account = TaxiiAccountRecord {
        name: "opencti".parse().expect("account name"),
        secret_sha256: [4; 32],
        clearance: Tlp::Red,
        tiers: vec![Tier::Technical],
        grants: vec![TaxiiGrant {
            counterparty: "US".parse().expect("party"),
            collection: CollectionKind::Drafts,
            read: true,
            write: true,
        }],
        created_at: at("2026-11-28T09:00:00.000Z"),
    };
    let now = at("2026-11-28T10:00:00.000Z");
    {
        let store = open(&path);
        assert!(
            store
                .index_stix(0, 4, &[sample_stix(1, "v1")], now)
                .expect("index")
        );
        store
            .create_draft(&sample_draft(1), &[], None, now)
            .expect("create_draft");
        store
            .add_taxii_account(&account)
            .expect("add_taxii_account");
    }
    let store = open(&path);
    assert_eq!(store.stix_watermark().expect("stix_watermark"), 4);
    let rows = store
        .stix_objects(&every_green_version(10))
        .expect("stix_objects");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].object, sample_stix(1, "v1"));
    // The clock stepped back across the restart: still later.
    store
        .add_stix_objects(&[sample_stix(2, "v1")], at("2026-11-28T09:00:00.000Z"))
        .expect("add");
    let rows = store
        .stix_objects(&every_green_version(10))
        .expect("stix_objects");
    assert_eq!(rows[1].added_us, rows[0].added_us + 1);
    assert!(store.draft(&sample_draft(1).id).expect("draft").is_some());
    assert_eq!(
        store
            .taxii_account(&"opencti".parse().expect("account name"))
            .expect("account"),
        Some(account)
    );
}

#[test]
fn damaged_taxii_values_are_corrupt_not_a_panic() {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("node.sqlite");
    let now = at("2026-11-28T10:00:00.000Z");
    {
        let store = open(&path);
        let objects: Vec<NewStixObject> = (1..=3).map(|n| sample_stix(n, "v1")).collect();
        store.add_stix_objects(&objects, now).expect("add");
        for n in 1..=2 {
            store
                .create_draft(&sample_draft(n), &[], None, now)
                .expect("create_draft");
        }
        for name in ["a", "b"] {
            let account = TaxiiAccountRecord {
                name: name.parse().expect("account name"),
                secret_sha256: [1; 32],
                clearance: Tlp::Green,
                tiers: Vec::new(),
                grants: vec![TaxiiGrant {
                    counterparty: "US".parse().expect("party"),
                    collection: CollectionKind::SentTo,
                    read: true,
                    write: false,
                }],
                created_at: now,
            };
            store
                .add_taxii_account(&account)
                .expect("add_taxii_account");
        }
    }
    // Damage that the tables' CHECKs would refuse, written past them.
    let raw = rusqlite::Connection::open(&path).expect("open raw");
    raw.execute_batch(
        "PRAGMA ignore_check_constraints = ON;
         UPDATE stix_objects SET version_key = '' WHERE object_id LIKE '%1';
         UPDATE stix_objects SET message_id = 'not an id' WHERE object_id LIKE '%2';
         UPDATE stix_objects SET message_id = NULL WHERE object_id LIKE '%3';
         UPDATE taxii_drafts SET state = 'closed' WHERE id LIKE '%1';
         UPDATE taxii_drafts SET tlp = 'amber' WHERE id LIKE '%2';
         UPDATE taxii_accounts SET clearance = 'TOP SECRET' WHERE name = 'a';
         UPDATE taxii_grants SET collection = 'outbox' WHERE account = 'b';",
    )
    .expect("damage");
    drop(raw);
    let store = open(&path);
    for (n, column) in [(1, "version_key"), (2, "message_id"), (3, "message_id")] {
        let one = StixQuery {
            ids: vec![sample_stix(n, "v1").object_id],
            ..every_green_version(10)
        };
        let result = store.stix_objects(&one);
        assert!(
            matches!(result, Err(StoreError::Corrupt(ref why))
                if why.contains(&format!("stix_objects.{column}"))),
            "object {n}: got {result:?}"
        );
    }
    for (n, column) in [(1, "state"), (2, "tlp")] {
        let result = store.draft(&sample_draft(n).id);
        assert!(
            matches!(result, Err(StoreError::Corrupt(ref why))
                if why.contains(&format!("taxii_drafts.{column}"))),
            "draft {n}: got {result:?}"
        );
    }
    for (name, column) in [
        ("a", "taxii_accounts.clearance"),
        ("b", "taxii_grants.collection"),
    ] {
        let result = store.taxii_account(&name.parse().expect("account name"));
        assert!(
            matches!(result, Err(StoreError::Corrupt(ref why)) if why.contains(column)),
            "account {name}: got {result:?}"
        );
    }
    let result = store.taxii_accounts();
    assert!(
        matches!(result, Err(StoreError::Corrupt(_))),
        "got {result:?}"
    );
}
