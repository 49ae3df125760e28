-- detente SQLite schema, version 11: the history of every party's cards
-- (docs/protocol.md, "Card chains"; docs/storage.md, "Cards").
--
-- Applied once, in one transaction, by `SqliteStore::open`, after
-- 0010_alerts.sql (databases of versions 1 to 10 are migrated in place).
-- Never edit this file after it has shipped (docs/storage.md, "Migrations").
--
-- `cards`: every card this node has held, its own and its peers', the
-- current ones included, keyed by the SHA-256 of the exact signed bytes.
-- `link` is the signed card link joining the party's previous card to this
-- one (signed by the previous card's key); NULL for a party's first card.
-- Rows are listed in the order they were first held (the rowid), and
-- are never deleted or changed: receipts, messages and checkpoints are
-- verified against the card that spoke when they were made. `peers.card`
-- stays the peer's current card, pinned for TLS and sealing.
CREATE TABLE cards (
    sha256          BLOB PRIMARY KEY CHECK (length(sha256) = 32),
    party           TEXT NOT NULL,
    card            BLOB NOT NULL,
    link            BLOB,
    recorded_at_ms  INTEGER NOT NULL
) STRICT;

-- The peers' cards held before version 11 are their first known cards.
INSERT INTO cards (sha256, party, card, link, recorded_at_ms)
SELECT sha256(card), party, card, NULL, added_at_ms FROM peers;
