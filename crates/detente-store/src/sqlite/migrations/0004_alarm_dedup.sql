-- detente SQLite schema, version 4: an alarm is recorded once.
--
-- Applied once, in one transaction, by `SqliteStore::open`, after
-- 0003_witness.sql (databases of versions 1 to 3 are migrated in place).
-- Never edit this file after it has shipped (docs/storage.md, "Migrations").
--
-- A node that finds the same fault again (every cross-check round, after
-- every restart) raises the same alarm again. It is the same alarm if its
-- kind, subject and evidence bytes are the same; the store keeps the first
-- and ignores the repeats. Evidence can be long (two signed checkpoints),
-- so the unique index holds its SHA-256, not the bytes.
--
-- `sha256(blob)` is not built into SQLite: the store registers it on each
-- connection, computed in Rust (src/sqlite/schema.rs), the same function
-- that `raise_alarm` hashes new evidence with.
--
-- SQLite cannot add a NOT NULL column with a CHECK to a table with rows,
-- so the table is rebuilt: renamed, created anew, filled, dropped.

ALTER TABLE alarms RENAME TO alarms_v3;

-- As in version 3, plus the SHA-256 of `evidence`. Rows are never updated;
-- the only deletions are those of duplicates below, so `id` (the rowid)
-- still grows in the order alarms were raised.
CREATE TABLE alarms (
    id               INTEGER NOT NULL PRIMARY KEY,
    at_ms            INTEGER NOT NULL,
    kind             TEXT    NOT NULL,
    subject          TEXT    NOT NULL,
    detail           TEXT    NOT NULL,
    evidence         BLOB    NOT NULL,
    evidence_sha256  BLOB    NOT NULL CHECK (length(evidence_sha256) = 32)
) STRICT;

-- Older databases may hold the same alarm many times: keep the earliest of
-- each (by `at_ms`, then the order raised) with its id, drop the repeats.
INSERT INTO alarms (id, at_ms, kind, subject, detail, evidence, evidence_sha256)
SELECT id, at_ms, kind, subject, detail, evidence, evidence_sha256
FROM (
    SELECT id, at_ms, kind, subject, detail, evidence, evidence_sha256,
           row_number() OVER (PARTITION BY kind, subject, evidence_sha256
                              ORDER BY at_ms, id) AS nth
    FROM (SELECT *, sha256(evidence) AS evidence_sha256 FROM alarms_v3)
)
WHERE nth = 1;

DROP TABLE alarms_v3;

-- One alarm per kind, subject and evidence: `raise_alarm` inserts with
-- ON CONFLICT DO NOTHING, so a repeat writes nothing, atomically across
-- connections.
CREATE UNIQUE INDEX alarms_by_evidence ON alarms (kind, subject, evidence_sha256);

-- A message's thread (`Store::thread`) walks `in_reply_to` downwards; the
-- partial index `messages_by_reply` of version 1 (in_reply_to, kind,
-- created_at_ms) already serves that walk, so no index is added here.
