-- detente SQLite schema, version 5: signatures on agreements (docs/protocol.md,
-- "Agreements").
--
-- Applied once, in one transaction, by `SqliteStore::open`, after
-- 0004_alarm_dedup.sql (databases of versions 1 to 4 are migrated in place).
-- Never edit this file after it has shipped (docs/storage.md, "Migrations").
--
-- Each party's signature on each agreement version, as the exact signed
-- bytes, which the node verified before storing them. Every signature on
-- one version is over one document (one `document_sha256`): the store
-- checks that, and that a party signs a version once, in the same
-- IMMEDIATE transaction as the insert. Rows are never updated or deleted.
CREATE TABLE agreement_signatures (
    agreement_id     TEXT    NOT NULL
        CHECK (length(agreement_id) BETWEEN 1 AND 64
               AND agreement_id NOT GLOB '*[^-a-z0-9]*'),
    version          INTEGER NOT NULL CHECK (version BETWEEN 1 AND 4294967295),
    signer           TEXT    NOT NULL,
    document_sha256  BLOB    NOT NULL CHECK (length(document_sha256) = 32),
    signed           BLOB    NOT NULL,
    recorded_at_ms   INTEGER NOT NULL,
    PRIMARY KEY (agreement_id, version, signer)
) STRICT;

-- No other index: the primary key's (agreement_id, version) prefix finds a
-- signer's signature and a version's signatures (both checks of a new
-- signature, and `agreement_signatures`, in signer order), and walking it
-- lists the signed versions by id (`agreement_versions`).
