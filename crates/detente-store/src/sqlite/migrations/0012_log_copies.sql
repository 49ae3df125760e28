-- detente SQLite schema, version 12: copies of the peers' logs
-- (docs/protocol.md, "Cross-checking peers' logs" and "Recovering a
-- restored log"; docs/storage.md, "Copies of the peers' logs").
--
-- Applied once, in one transaction, by `SqliteStore::open`, after
-- 0011_cards.sql (databases of versions 1 to 11 are migrated in place).
-- Never edit this file after it has shipped (docs/storage.md, "Migrations").
--
-- `log_copies`: the entries of each peer's log that this node's
-- cross-check read and verified against the peer's signed root, at
-- indices 0, 1, … of that log, keyed by the log's origin. Only appended,
-- never changed: a peer whose database was restored from a backup
-- recovers its lost entries from here (`GET /log/copy`).
CREATE TABLE log_copies (
    origin     TEXT    NOT NULL,
    log_index  INTEGER NOT NULL CHECK (log_index >= 0),
    entry      BLOB    NOT NULL,
    PRIMARY KEY (origin, log_index)
) STRICT, WITHOUT ROWID;
