-- detente SQLite schema, version 1.
--
-- Applied once, in one transaction, by `SqliteStore::open`. Never edit this
-- file after it has shipped: change the schema with a new numbered file
-- (docs/storage.md, "Migrations"). Tables are STRICT so that a value of the
-- wrong type is refused on write instead of read back as something else.
-- Times are milliseconds since the Unix epoch (UTC); hashes are raw 32-byte
-- BLOBs; ids, party codes, tiers and kinds are their wire names.

-- Every message this node sent or received, with the exact signed envelope.
CREATE TABLE messages (
    id               TEXT    NOT NULL PRIMARY KEY,
    direction        TEXT    NOT NULL CHECK (direction IN ('sent', 'received')),
    counterparty     TEXT    NOT NULL,
    kind             TEXT    NOT NULL,
    precedence       TEXT    NOT NULL,
    from_tier        TEXT    NOT NULL,
    to_tier          TEXT    NOT NULL,
    officer          TEXT    NOT NULL,
    in_reply_to      TEXT,
    created_at_ms    INTEGER NOT NULL,
    exercise         INTEGER NOT NULL CHECK (exercise IN (0, 1)),
    tlp              TEXT    NOT NULL,
    headline         TEXT    NOT NULL,
    envelope         BLOB    NOT NULL,
    envelope_sha256  BLOB    NOT NULL CHECK (length(envelope_sha256) = 32),
    recorded_at_ms   INTEGER NOT NULL,
    state            TEXT    NOT NULL CHECK (state IN ('queued', 'delivered', 'received')),
    delivered_at_ms  INTEGER,
    receipt          BLOB,
    -- Sent messages are queued or delivered; received ones are received.
    CHECK ((direction = 'sent' AND state IN ('queued', 'delivered'))
        OR (direction = 'received' AND state = 'received')),
    -- Delivered and received messages always carry their receipt; only a
    -- delivered message has a delivery time.
    CHECK (state = 'queued' OR receipt IS NOT NULL),
    CHECK ((state = 'delivered') = (delivered_at_ms IS NOT NULL))
) STRICT;

-- Listing a mailbox, newest first.
CREATE INDEX messages_by_direction ON messages (direction, recorded_at_ms, id);
-- Listing both mailboxes, newest first.
CREATE INDEX messages_by_recorded ON messages (recorded_at_ms, id);
-- Finding the acknowledgements (and other answers) of a message.
CREATE INDEX messages_by_reply ON messages (in_reply_to, kind, created_at_ms)
    WHERE in_reply_to IS NOT NULL;

-- Sent messages still waiting for a verified receipt. A row exists exactly
-- while its message is queued.
CREATE TABLE outbox (
    message_id          TEXT    NOT NULL PRIMARY KEY REFERENCES messages (id),
    attempts            INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at_ms  INTEGER NOT NULL,
    last_error          TEXT
) STRICT;

-- The delivery worker's question: what is due next?
CREATE INDEX outbox_by_due ON outbox (next_attempt_at_ms, message_id);

-- Trusted peers: verified, fingerprint-confirmed cards.
CREATE TABLE peers (
    party            TEXT    NOT NULL PRIMARY KEY,
    card             BLOB    NOT NULL,
    fingerprint      TEXT    NOT NULL,
    tls_spki_sha256  BLOB    NOT NULL CHECK (length(tls_spki_sha256) = 32),
    added_at_ms      INTEGER NOT NULL
) STRICT;

-- Officers of this node. `tiers` is the comma-separated wire names of the
-- tiers they are cleared for, in the order given (empty: none). Only the
-- SHA-256 of the bearer token is kept.
CREATE TABLE officers (
    name           TEXT    NOT NULL PRIMARY KEY,
    tiers          TEXT    NOT NULL,
    token_sha256   BLOB    NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    created_at_ms  INTEGER NOT NULL
) STRICT;
