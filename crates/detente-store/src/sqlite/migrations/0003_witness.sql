-- detente SQLite schema, version 3: witnessing, cosignatures and alarms
-- (docs/storage.md, "Witnessing, cosignatures and alarms").
--
-- Applied once, in one transaction, by `SqliteStore::open`, after
-- 0002_log.sql (version-1 and version-2 databases are migrated in place).
-- Never edit this file after it has shipped (docs/storage.md, "Migrations").

-- As a witness: the latest cosigned checkpoint this node holds for each
-- log it witnesses, and its size. Replaced only by a compare-and-swap on
-- `size` (one conditional statement), so two requests for one log cannot
-- both advance it from the same size.
CREATE TABLE witness_records (
    origin  TEXT    NOT NULL PRIMARY KEY,
    size    INTEGER NOT NULL CHECK (size >= 0),
    record  BLOB    NOT NULL
) STRICT;

-- As a log: each witness's latest cosignature of this node's checkpoint
-- (the signed-note signature line, verbatim) and the size it covers.
CREATE TABLE log_cosignatures (
    witness  TEXT    NOT NULL PRIMARY KEY,
    size     INTEGER NOT NULL CHECK (size >= 0),
    line     TEXT    NOT NULL
) STRICT;

-- Alarms raised (equivocation, a failed consistency proof, a missing
-- cross-log entry), with their evidence verbatim. Never updated or
-- deleted, so `id` (the rowid) grows in insertion order.
CREATE TABLE alarms (
    id        INTEGER NOT NULL PRIMARY KEY,
    at_ms     INTEGER NOT NULL,
    kind      TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    detail    TEXT    NOT NULL,
    evidence  BLOB    NOT NULL
) STRICT;
