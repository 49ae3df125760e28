-- detente SQLite schema, version 7: the signed records of guarantees and
-- pledges (each one's publication, the parties' signatures, withdrawals).
--
-- Applied once, in one transaction, by `SqliteStore::open`, after
-- 0006_deadlines.sql (databases of versions 1 to 6 are migrated in place).
-- Never edit this file after it has shipped (docs/storage.md, "Migrations").
--
-- One row per signed step in a document's history, as the exact signed
-- bytes, which the node verified before storing them. A party has one
-- record per role on a document (the primary key); the publish and sign
-- records of a document are about one document (one `document_sha256`),
-- and a withdrawal names it: the store checks that in the same IMMEDIATE
-- transaction as the insert. Rows are never updated or deleted.
-- `message_id` names the message that carried the record, which need not
-- be stored (the record may be written before the message's log batch, or
-- come from elsewhere), so it has no foreign key.
CREATE TABLE document_records (
    kind             TEXT    NOT NULL CHECK (kind IN ('guarantee', 'pledge')),
    document_id      TEXT    NOT NULL
        CHECK (length(document_id) BETWEEN 1 AND 96
               AND document_id NOT GLOB '*[^-/a-zA-Z0-9]*'),
    role             TEXT    NOT NULL CHECK (role IN ('publish', 'sign', 'withdraw')),
    party            TEXT    NOT NULL,
    document_sha256  BLOB    NOT NULL CHECK (length(document_sha256) = 32),
    signed           BLOB    NOT NULL,
    message_id       TEXT,
    at_ms            INTEGER NOT NULL,
    recorded_at_ms   INTEGER NOT NULL,
    PRIMARY KEY (kind, document_id, role, party)
) STRICT;

-- A document's records in the order `document_records` lists them (by
-- `at_ms`; ties, few, sorted by role and party). The primary key's
-- (kind, document_id) prefix serves both checks of a new record and
-- `document_ids`.
CREATE INDEX document_records_by_at ON document_records (kind, document_id, at_ms);
