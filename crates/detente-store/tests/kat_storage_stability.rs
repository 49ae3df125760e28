//! Known-answer test pinning the on-disk format.
//!
//! `tests/fixtures/storage-v1.sqlite` was written by the schema-version-1
//! code and is committed. Every later version must open it (migrating it if
//! the schema has moved on) and read back exactly the records below. If this
//! test fails, an upgrade would silently lose or misread stored messages:
//! fix the code or add a migration, never the fixture.
//!
//! When a new schema version ships, add a fixture for it with
//! [`regenerate_fixture`] (it writes `storage-v{SCHEMA_VERSION}.sqlite`),
//! and a test like [`schema_v1_fixture_reads_back_exactly`] for it; keep
//! the old ones.

use std::path::{Path, PathBuf};

use detente_proto::ids::{MessageId, Tier};
use detente_proto::kind::{MessageKind, Precedence, Tlp};
use detente_proto::time::Timestamp;
use detente_store::{
    AcceptOutcome, Direction, Mailbox, MessageQuery, MessageState, NewMessage, OfficerRecord,
    PeerRecord, SqliteStore, Store, StoredMessage,
};
use tempfile::TempDir;

const SENT_QUEUED: &str = "01937b2e-8f00-7000-8000-000000000001";
const SENT_DELIVERED: &str = "01937b2e-8f00-7000-8000-000000000002";
const RECEIVED_ACK: &str = "01937b2e-8f00-7000-8000-000000000003";

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
    }
}

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

#[test]
fn schema_v1_fixture_reads_back_exactly() {
    let (_dir, store) = open_copy("storage-v1.sqlite");

    let queued = store
        .message(&id(SENT_QUEUED))
        .expect("read")
        .expect("stored");
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
    let delivered = store
        .message(&id(SENT_DELIVERED))
        .expect("read")
        .expect("stored");
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
    let ack = store
        .message(&id(RECEIVED_ACK))
        .expect("read")
        .expect("stored");
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

    let all = store
        .messages(&MessageQuery {
            mailbox: Mailbox::All,
            state: None,
            tiers: Tier::ALL.to_vec(),
            counterparty: None,
            limit: 10,
        })
        .expect("list");
    assert_eq!(
        all,
        vec![ack, delivered, queued.clone()],
        "listing, newest first"
    );

    let due = store
        .due_deliveries(at("2026-11-28T12:00:00.000Z"), 10)
        .expect("due");
    assert_eq!(due.len(), 1);
    assert_eq!(
        (due[0].id, due[0].attempts, due[0].envelope.clone()),
        (id(SENT_QUEUED), 1, sent_queued().envelope)
    );
    assert_eq!(
        store.next_delivery_at().expect("next"),
        Some(at("2026-11-28T10:00:30.200Z"))
    );

    assert_eq!(store.peers().expect("peers"), vec![peer()]);
    assert_eq!(store.officers().expect("officers"), vec![officer()]);
    assert_eq!(
        store.officer_by_token_hash(&[0x55; 32]).expect("by token"),
        Some(officer())
    );
}

#[test]
fn schema_v1_fixture_is_upgraded_to_the_current_version() {
    let (_dir, store) = open_copy("storage-v1.sqlite");
    let version = store
        .settings()
        .expect("settings")
        .into_iter()
        .find(|(name, _)| *name == "user_version")
        .map(|(_, value)| value);
    assert_eq!(version, Some(SqliteStore::SCHEMA_VERSION.to_string()));
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
