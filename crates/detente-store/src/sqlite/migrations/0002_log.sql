-- detente SQLite schema, version 2: the transparency log (docs/storage.md).
--
-- Applied once, in one transaction, by `SqliteStore::open`, after
-- 0001_initial.sql (a version-1 database is migrated in place). Never edit
-- this file after it has shipped (docs/storage.md, "Migrations").
--
-- The log's entries, its latest checkpoint and the log index of each logged
-- message are written together by one sequencer batch, in one transaction,
-- so the checkpoint's size is always the number of stored entries.

-- The entries of this node's log: the exact leaf bytes, at indices 0, 1, ….
-- (`log_index` rather than `index`, which is an SQL keyword.)
CREATE TABLE log_entries (
    log_index  INTEGER NOT NULL PRIMARY KEY CHECK (log_index >= 0),
    entry      BLOB    NOT NULL
) STRICT;

-- The latest signed checkpoint (a C2SP signed note) and the size it covers.
-- At most one row: `singleton` can only be 1.
CREATE TABLE log_checkpoint (
    singleton  INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1),
    size       INTEGER NOT NULL CHECK (size >= 0),
    note       TEXT    NOT NULL
) STRICT;

-- The index of a message's entry in the log; NULL for messages stored
-- before the log existed, or not logged.
ALTER TABLE messages ADD COLUMN log_index INTEGER CHECK (log_index >= 0);

-- An entry records at most one message, whichever its direction.
CREATE UNIQUE INDEX messages_by_log_index ON messages (log_index)
    WHERE log_index IS NOT NULL;
