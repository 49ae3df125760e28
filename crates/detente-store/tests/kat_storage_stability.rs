//! Known-answer test pinning the on-disk format.
//!
//! `tests/fixtures/storage-v{N}.sqlite` was written by the schema-version-N
//! code and is committed:
//! - v1: a queued, a delivered and a received message, a peer, an officer;
//! - v2: the same, plus one log batch (three entries, a checkpoint, a sent
//!   and a received message that carry their log index).
//!
//! Every later version must open each fixture (migrating it if the schema
//! has moved on) and read back exactly the records below. If this test
//! fails, an upgrade would silently lose or misread stored data: fix the
//! code or add a migration, never a fixture.
//!
//! When a new schema version ships, add a fixture for it with
//! [`regenerate_fixture`] (it writes `storage-v{SCHEMA_VERSION}.sqlite`),
//! and a test like [`schema_v2_fixture_reads_back_exactly`] for it; keep
//! the old ones.

use std::path::{Path, PathBuf};

use detente_proto::ids::{MessageId, Tier};
use detente_proto::kind::{MessageKind, Precedence, Tlp};
use detente_proto::time::Timestamp;
use detente_store::{
    AcceptOutcome, Direction, LogBatch, Mailbox, MessageQuery, MessageState, NewMessage,
    OfficerRecord, PeerRecord, SqliteStore, Store, StoredMessage,
};
use tempfile::TempDir;

const SENT_QUEUED: &str = "01937b2e-8f00-7000-8000-000000000001";
const SENT_DELIVERED: &str = "01937b2e-8f00-7000-8000-000000000002";
const RECEIVED_ACK: &str = "01937b2e-8f00-7000-8000-000000000003";
const SENT_LOGGED: &str = "01937b2e-8f00-7000-8000-000000000004";
const RECEIVED_LOGGED: &str = "01937b2e-8f00-7000-8000-000000000005";

fn at(text: &str) -> Timestamp {
    text.parse().expect("fixture timestamp")
}

fn id(text: &str) -> MessageId {
    text.parse().expect("fixture id")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A sent notification, still queued after one failed attempt.
fn sent_queued() -> NewMessage {
    NewMessage {
        id: id(SENT_QUEUED),
        direction: Direction::Sent,
        counterparty: "US".parse().expect("party"),
        kind: MessageKind::Notification,
        precedence: Precedence::Immediate,
        from_tier: Tier::Technical,
        to_tier: Tier::Operational,
        officer: "Анна Петрова".parse().expect("officer"),
        in_reply_to: None,
        created_at: at("2026-11-28T10:00:00.000Z"),
        exercise: true,
        tlp: Tlp::AmberStrict,
        headline: "Intrusion at a grid operator, \"Sector 7\" ✓".to_owned(),
        envelope: b"{\"v\":1,\"id\":\"01937b2e-8f00-7000-8000-000000000001\"}\x00\xff".to_vec(),
        envelope_sha256: [0x11; 32],
        recorded_at: at("2026-11-28T10:00:00.123Z"),
        log_index: None,
    }
}

/// A sent request, delivered with the peer's receipt.
fn sent_delivered() -> NewMessage {
    NewMessage {
        id: id(SENT_DELIVERED),
        direction: Direction::Sent,
        counterparty: "US".parse().expect("party"),
        kind: MessageKind::RequestInformation,
        precedence: Precedence::Routine,
        from_tier: Tier::Policy,
        to_tier: Tier::Policy,
        officer: "desk".parse().expect("officer"),
        in_reply_to: None,
        created_at: at("2026-11-28T10:01:00.000Z"),
        exercise: false,
        tlp: Tlp::Clear,
        headline: "Request for indicators".to_owned(),
        envelope: b"envelope 2".to_vec(),
        envelope_sha256: [0x22; 32],
        recorded_at: at("2026-11-28T10:01:00.001Z"),
        log_index: None,
    }
}

/// The peer's acknowledgement of the queued notification.
fn received_ack() -> NewMessage {
    NewMessage {
        id: id(RECEIVED_ACK),
        direction: Direction::Received,
        counterparty: "US".parse().expect("party"),
        kind: MessageKind::Acknowledgement,
        precedence: Precedence::Immediate,
        from_tier: Tier::Operational,
        to_tier: Tier::Technical,
        officer: "watch officer".parse().expect("officer"),
        in_reply_to: Some(id(SENT_QUEUED)),
        created_at: at("2026-11-28T10:02:00.000Z"),
        exercise: true,
        tlp: Tlp::Red,
        headline: "Received, looking into it".to_owned(),
        envelope: b"envelope 3".to_vec(),
        envelope_sha256: [0x33; 32],
        recorded_at: at("2026-11-28T10:02:00.500Z"),
        log_index: None,
    }
}

/// A sent request, logged at index 0 and still queued (v2).
fn sent_logged() -> NewMessage {
    NewMessage {
        id: id(SENT_LOGGED),
        direction: Direction::Sent,
        counterparty: "US".parse().expect("party"),
        kind: MessageKind::RequestAssistance,
        precedence: Precedence::Flash,
        from_tier: Tier::Leadership,
        to_tier: Tier::Leadership,
        officer: "Жанна".parse().expect("officer"),
        in_reply_to: None,
        created_at: at("2026-11-28T10:03:00.000Z"),
        exercise: false,
        tlp: Tlp::Green,
        headline: "Assistance requested: «grid»".to_owned(),
        envelope: b"envelope 4\x00\x01".to_vec(),
        envelope_sha256: [0x66; 32],
        recorded_at: at("2026-11-28T10:03:00.007Z"),
        log_index: Some(0),
    }
}

/// The peer's acknowledgement of it, logged at index 1 (v2).
fn received_logged() -> NewMessage {
    NewMessage {
        id: id(RECEIVED_LOGGED),
        direction: Direction::Received,
        counterparty: "US".parse().expect("party"),
        kind: MessageKind::Acknowledgement,
        precedence: Precedence::Flash,
        from_tier: Tier::Leadership,
        to_tier: Tier::Leadership,
        officer: "duty officer".parse().expect("officer"),
        in_reply_to: Some(id(SENT_LOGGED)),
        created_at: at("2026-11-28T10:04:00.000Z"),
        exercise: false,
        tlp: Tlp::Green,
        headline: "Acknowledged".to_owned(),
        envelope: b"envelope 5".to_vec(),
        envelope_sha256: [0x77; 32],
        recorded_at: at("2026-11-28T10:04:00.250Z"),
        log_index: Some(1),
    }
}

/// The log batch of v2: entries for both messages and a document (a card).
fn log_batch() -> LogBatch {
    let entries: [&[u8]; 3] = [
        br#"{"counterparty":"US","direction":"sent","id":"01937b2e-8f00-7000-8000-000000000004","sha256":"ZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmY=","time":"2026-11-28T10:03:00.007Z","v":1}"#,
        br#"{"counterparty":"US","direction":"received","id":"01937b2e-8f00-7000-8000-000000000005","peer_size":7,"sha256":"d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3c=","time":"2026-11-28T10:04:00.250Z","v":1}"#,
        br#"{"counterparty":"US","direction":"document","id":"card-US-2","sha256":"iIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIg=","time":"2026-11-28T10:04:01.000Z","v":1}"#,
    ];
    LogBatch {
        old_size: 0,
        entries: entries.iter().map(|entry| entry.to_vec()).collect(),
        new_size: 3,
        checkpoint: CHECKPOINT.to_owned(),
        sent: vec![sent_logged()],
        received: vec![(received_logged(), b"our receipt 5".to_vec())],
    }
}

/// The signed checkpoint for size 3 (a C2SP signed note).
const CHECKPOINT: &str = "detente.RU/log/v1\n3\nmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZk=\n\n\u{2014} detente.RU/log/v1 WtEhPqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqo=\n";

fn peer() -> PeerRecord {
    PeerRecord {
        party: "US".parse().expect("party"),
        card: b"{\"party\":\"US\",\"card\":\"signed\"}".to_vec(),
        fingerprint: format!("SHA256:{}", "0123456789abcdef".repeat(4))
            .parse()
            .expect("fingerprint"),
        tls_spki_sha256: [0x44; 32],
        added_at: at("2026-11-27T08:00:00.000Z"),
    }
}

fn officer() -> OfficerRecord {
    OfficerRecord {
        name: "Анна Петрова".parse().expect("officer"),
        tiers: vec![Tier::Technical, Tier::Operational],
        token_sha256: [0x55; 32],
        created_at: at("2026-11-27T08:30:00.000Z"),
    }
}

/// Writes the records through the store, as a node would.
fn write_fixture_records(store: &dyn Store) {
    store
        .enqueue_outgoing(&sent_queued(), at("2026-11-28T10:00:00.200Z"))
        .expect("enqueue queued");
    store
        .record_delivery_failure(
            &id(SENT_QUEUED),
            1,
            at("2026-11-28T10:00:30.200Z"),
            "connection refused",
        )
        .expect("failure");
    store
        .enqueue_outgoing(&sent_delivered(), at("2026-11-28T10:01:00.002Z"))
        .expect("enqueue delivered");
    store
        .record_delivery(
            &id(SENT_DELIVERED),
            b"receipt from US",
            at("2026-11-28T10:01:01.000Z"),
        )
        .expect("delivery");
    let outcome = store
        .accept_incoming(&received_ack(), b"our receipt")
        .expect("accept");
    assert_eq!(outcome, AcceptOutcome::Accepted);
    store.upsert_peer(&peer()).expect("peer");
    store.add_officer(&officer()).expect("officer");
    store.commit_log_batch(&log_batch()).expect("log batch");
}

/// Opens a copy of a committed fixture, so the test never touches the original.
fn open_copy(name: &str) -> (TempDir, SqliteStore) {
    let dir = TempDir::new().expect("temp dir");
    let copy = dir.path().join(name);
    std::fs::copy(fixtures().join(name), &copy)
        .unwrap_or_else(|e| panic!("copy fixture {name}: {e}"));
    let store = SqliteStore::open(&copy).unwrap_or_else(|e| panic!("open fixture {name}: {e}"));
    (dir, store)
}

fn every_tier(limit: usize) -> MessageQuery {
    MessageQuery {
        mailbox: Mailbox::All,
        state: None,
        tiers: Tier::ALL.to_vec(),
        counterparty: None,
        limit,
    }
}

/// The records every fixture holds (v1 wrote them; later versions too),
/// exactly as stored; returned newest first, as a listing returns them.
fn assert_v1_records(store: &SqliteStore) -> Vec<StoredMessage> {
    let read = |text: &str| store.message(&id(text)).expect("read").expect("stored");
    let queued = read(SENT_QUEUED);
    assert_eq!(
        queued,
        StoredMessage {
            message: sent_queued(),
            state: MessageState::Queued,
            receipt: None,
            delivered_at: None,
            attempts: 1,
            last_error: Some("connection refused".to_owned()),
            next_attempt_at: Some(at("2026-11-28T10:00:30.200Z")),
            acknowledged_by: Some((id(RECEIVED_ACK), at("2026-11-28T10:02:00.000Z"))),
        }
    );
    let delivered = read(SENT_DELIVERED);
    assert_eq!(
        delivered,
        StoredMessage {
            message: sent_delivered(),
            state: MessageState::Delivered,
            receipt: Some(b"receipt from US".to_vec()),
            delivered_at: Some(at("2026-11-28T10:01:01.000Z")),
            attempts: 0,
            last_error: None,
            next_attempt_at: None,
            acknowledged_by: None,
        }
    );
    let ack = read(RECEIVED_ACK);
    assert_eq!(
        ack,
        StoredMessage {
            message: received_ack(),
            state: MessageState::Received,
            receipt: Some(b"our receipt".to_vec()),
            delivered_at: None,
            attempts: 0,
            last_error: None,
            next_attempt_at: None,
            acknowledged_by: None,
        }
    );
    assert_eq!(store.peers().expect("peers"), vec![peer()]);
    assert_eq!(store.officers().expect("officers"), vec![officer()]);
    assert_eq!(
        store.officer_by_token_hash(&[0x55; 32]).expect("by token"),
        Some(officer())
    );
    vec![ack, delivered, queued]
}

/// The due deliveries, as `(id, attempts, envelope)`.
fn due(store: &SqliteStore) -> Vec<(MessageId, u32, Vec<u8>)> {
    store
        .due_deliveries(at("2026-11-28T12:00:00.000Z"), 10)
        .expect("due")
        .into_iter()
        .map(|entry| (entry.id, entry.attempts, entry.envelope))
        .collect()
}

fn user_version(store: &SqliteStore) -> Option<String> {
    store
        .settings()
        .expect("settings")
        .into_iter()
        .find(|(name, _)| *name == "user_version")
        .map(|(_, value)| value)
}

#[test]
fn schema_v1_fixture_reads_back_exactly() {
    let (_dir, store) = open_copy("storage-v1.sqlite");
    let v1 = assert_v1_records(&store);
    assert_eq!(
        store.messages(&every_tier(10)).expect("list"),
        v1,
        "listing, newest first"
    );
    assert_eq!(
        due(&store),
        vec![(id(SENT_QUEUED), 1, sent_queued().envelope)]
    );
    assert_eq!(
        store.next_delivery_at().expect("next"),
        Some(at("2026-11-28T10:00:30.200Z"))
    );
}

#[test]
fn schema_v1_fixture_is_upgraded_to_the_current_version() {
    let (dir, store) = open_copy("storage-v1.sqlite");
    assert_eq!(
        user_version(&store),
        Some("2".to_owned()),
        "v1 is migrated to v2"
    );
    assert_eq!(
        user_version(&store),
        Some(SqliteStore::SCHEMA_VERSION.to_string())
    );

    // The same tables and indexes as a database created by today's code.
    let fresh = dir.path().join("fresh.sqlite");
    drop(SqliteStore::open(&fresh).expect("open fresh"));
    assert_eq!(
        schema(&dir.path().join("storage-v1.sqlite")),
        schema(&fresh),
        "a migrated v1 database has today's schema"
    );

    // Messages stored before the log have no log index; the log starts empty
    // and the first batch extends size 0.
    for stored in store.messages(&every_tier(10)).expect("list") {
        assert_eq!(stored.message.log_index, None, "{}", stored.message.id);
    }
    assert_eq!(store.log_checkpoint().expect("checkpoint"), None);
    assert_eq!(
        store.log_entries(0, 10).expect("entries"),
        Vec::<Vec<u8>>::new()
    );
    store
        .commit_log_batch(&log_batch())
        .expect("first batch on a migrated v1");
    assert_eq!(
        store.log_checkpoint().expect("checkpoint"),
        Some((3, CHECKPOINT.to_owned()))
    );
    assert_v1_records(&store);
}

#[test]
fn schema_v2_fixture_reads_back_exactly() {
    let (_dir, store) = open_copy("storage-v2.sqlite");
    let v1 = assert_v1_records(&store);

    let read = |text: &str| store.message(&id(text)).expect("read").expect("stored");
    let sent = read(SENT_LOGGED);
    assert_eq!(
        sent,
        StoredMessage {
            message: sent_logged(),
            state: MessageState::Queued,
            receipt: None,
            delivered_at: None,
            attempts: 0,
            last_error: None,
            next_attempt_at: Some(at("2026-11-28T10:03:00.007Z")),
            acknowledged_by: Some((id(RECEIVED_LOGGED), at("2026-11-28T10:04:00.000Z"))),
        }
    );
    let received = read(RECEIVED_LOGGED);
    assert_eq!(
        received,
        StoredMessage {
            message: received_logged(),
            state: MessageState::Received,
            receipt: Some(b"our receipt 5".to_vec()),
            delivered_at: None,
            attempts: 0,
            last_error: None,
            next_attempt_at: None,
            acknowledged_by: None,
        }
    );
    let mut all = vec![received, sent];
    all.extend(v1);
    assert_eq!(
        store.messages(&every_tier(10)).expect("list"),
        all,
        "listing, newest first"
    );
    assert_eq!(
        due(&store),
        vec![
            (id(SENT_QUEUED), 1, sent_queued().envelope),
            (id(SENT_LOGGED), 0, sent_logged().envelope),
        ]
    );

    assert_eq!(
        store.log_checkpoint().expect("checkpoint"),
        Some((3, CHECKPOINT.to_owned()))
    );
    assert_eq!(
        store.log_entries(0, 3).expect("entries"),
        log_batch().entries
    );
    assert_eq!(
        store.log_entries(0, 100).expect("entries"),
        log_batch().entries
    );
    assert_eq!(
        store.log_entries(2, 3).expect("entries"),
        log_batch().entries[2..].to_vec()
    );
}

/// Writes `tests/fixtures/storage-v{SCHEMA_VERSION}.sqlite` from the records above.
///
/// Run only when a new schema version ships, never to "fix" a failing KAT:
///
/// ```text
/// cargo test -p detente-store --test kat_storage_stability -- --ignored regenerate_fixture
/// ```
///
/// It refuses to overwrite an existing fixture; delete the file first if you
/// really mean to replace it (only before that version was released).
#[test]
#[ignore = "writes a committed fixture; run by hand when adding a schema version"]
fn regenerate_fixture() {
    let name = format!("storage-v{}.sqlite", SqliteStore::SCHEMA_VERSION);
    let path = fixtures().join(&name);
    assert!(
        !path.exists(),
        "{} exists; fixtures of released versions are never rewritten",
        path.display()
    );
    std::fs::create_dir_all(fixtures()).expect("create fixtures dir");
    {
        let store = SqliteStore::open(&path).expect("create fixture");
        write_fixture_records(&store);
    }
    // Compact it and leave no -wal/-shm beside it.
    let raw = rusqlite::Connection::open(&path).expect("reopen fixture");
    raw.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); VACUUM;")
        .expect("compact fixture");
    drop(raw);
    eprintln!("wrote {}", path.display());
}

/// Every table's and index's name and definition, as SQLite holds them.
fn schema(path: &Path) -> Vec<(String, String)> {
    raw_dump(path)
        .into_iter()
        .map(|(name, sql, _)| (name, sql))
        .collect()
}

/// Every table's definition and rows, as SQLite holds them.
fn raw_dump(path: &Path) -> Vec<(String, String, Vec<Vec<rusqlite::types::Value>>)> {
    let conn = rusqlite::Connection::open(path).expect("open raw");
    let mut tables = conn
        .prepare(
            "SELECT name, sql FROM sqlite_schema WHERE type IN ('table', 'index') ORDER BY name",
        )
        .expect("prepare");
    let tables: Vec<(String, Option<String>)> = tables
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("schema");
    tables
        .into_iter()
        .map(|(name, sql)| {
            let is_table = sql
                .as_deref()
                .is_some_and(|s| s.starts_with("CREATE TABLE"));
            let rows = if is_table {
                let mut select = conn
                    .prepare(&format!("SELECT * FROM \"{name}\" ORDER BY 1"))
                    .expect("prepare select");
                let width = select.column_count();
                select
                    .query_map([], |row| (0..width).map(|i| row.get(i)).collect())
                    .expect("select")
                    .collect::<Result<_, _>>()
                    .expect("rows")
            } else {
                Vec::new()
            };
            (name, sql.unwrap_or_default(), rows)
        })
        .collect()
}

/// Today's code writes, byte for byte, what the current version's fixture
/// holds: the same tables and indexes, the same encoding of every value.
#[test]
fn current_writer_matches_the_current_fixture() {
    let name = format!("storage-v{}.sqlite", SqliteStore::SCHEMA_VERSION);
    let dir = TempDir::new().expect("temp dir");
    let fresh = dir.path().join("fresh.sqlite");
    {
        let store = SqliteStore::open(&fresh).expect("open fresh");
        write_fixture_records(&store);
    }
    // A copy, since even reading a WAL database creates files beside it.
    let committed = dir.path().join(&name);
    std::fs::copy(fixtures().join(&name), &committed).expect("copy fixture");
    assert_eq!(
        raw_dump(&fresh),
        raw_dump(&committed),
        "{name} and a fresh write differ"
    );
}
