-- detente SQLite schema, version 8: the TAXII 2.1 server (docs/taxii.md):
-- the STIX objects of each counterparty's collections, the indexer's
-- watermark, draft notifications, status resources and TAXII accounts.
--
-- Applied once, in one transaction, by `SqliteStore::open`, after
-- 0007_documents.sql (databases of versions 1 to 7 are migrated in place).
-- Never edit this file after it has shipped (docs/storage.md, "Migrations").
--
-- `stix_objects`: one row per version of a STIX object in one collection
-- (counterparty, collection alias) and visibility lane, its JSON verbatim.
-- `added_us` (the TAXII `date_added`, microseconds since the Unix epoch) is
-- the rowid: set by the store, unique and strictly increasing in insertion
-- order, even if the clock steps back. `lane` is the visibility lane fixed
-- at storing (e.g. `green`, `red:tier:technical`). A version is stored
-- once per lane: the unique index `stix_objects_by_object` on
-- (counterparty, collection, object_id, version_key, lane), where an
-- object with no version (`version` NULL) has `version_key` '' (so it too
-- is stored once per lane, and sorts lowest). The lane is part of the key
-- so that a copy in a lane the writer cannot see never stops the writer's
-- own copy (no existence oracle). Which version is an object's latest or
-- first is not stored: it depends on the lanes a reader may see, and is
-- decided per query. The source is a message or a draft (exactly one of
-- `message_id`, `draft_id`); neither need be stored, so neither has a
-- foreign key. Rows never change and are never deleted.
CREATE TABLE stix_objects (
    added_us      INTEGER PRIMARY KEY,
    counterparty  TEXT    NOT NULL,
    collection    TEXT    NOT NULL
        CHECK (collection IN ('received-from', 'sent-to', 'drafts')),
    object_id     TEXT    NOT NULL CHECK (length(object_id) BETWEEN 1 AND 300),
    object_type   TEXT    NOT NULL,
    spec_version  TEXT    NOT NULL,
    version       TEXT,
    version_key   TEXT    NOT NULL,
    lane          TEXT    NOT NULL CHECK (length(lane) BETWEEN 1 AND 200),
    message_id    TEXT,
    draft_id      TEXT,
    json          BLOB    NOT NULL,
    CHECK ((version IS NULL) = (version_key = '')),
    CHECK ((message_id IS NULL) <> (draft_id IS NULL))
) STRICT;

-- One row per object version and lane (the dedup of `add_stix_objects`);
-- the probes of a query (is there a visible greater, lesser, or earlier
-- copy of this version?); the objects of given ids.
CREATE UNIQUE INDEX stix_objects_by_object
    ON stix_objects (counterparty, collection, object_id, version_key, lane);

-- A page of one lane in `date_added` order, for every version filter: one
-- range scan that stops at the page's end.
CREATE INDEX stix_objects_by_lane
    ON stix_objects (counterparty, collection, lane, added_us);

-- The indexer's watermark: the position (`messages.rowid`) of the last
-- message whose objects are in `stix_objects`; at most one row, none: 0.
-- Changed only in the transaction that adds the objects it covers, by a
-- compare-and-swap on its value.
CREATE TABLE stix_watermark (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    position   INTEGER NOT NULL CHECK (position >= 0)
) STRICT;

-- Draft notifications: objects a SOC tool posted (or an officer pulled),
-- waiting for an officer to send or discard them. A draft leaves `open`
-- only by a compare-and-swap on its state; a sent draft goes back to open
-- only if composing its message failed. `message_id` (the message it was
-- sent as) is set exactly when sent; `decided_by` and `decided_at_ms`
-- exactly when not open.
CREATE TABLE taxii_drafts (
    id             TEXT    NOT NULL PRIMARY KEY
        CHECK (length(id) BETWEEN 1 AND 64 AND id NOT GLOB '*[^-a-zA-Z0-9]*'),
    counterparty   TEXT    NOT NULL,
    created_at_ms  INTEGER NOT NULL,
    created_by     TEXT    NOT NULL,
    source         TEXT    NOT NULL,
    tlp            TEXT    NOT NULL
        CHECK (tlp IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
    bundle         BLOB    NOT NULL,
    object_count   INTEGER NOT NULL CHECK (object_count BETWEEN 0 AND 4294967295),
    state          TEXT    NOT NULL CHECK (state IN ('open', 'sent', 'discarded')),
    message_id     TEXT,
    decided_by     TEXT,
    decided_at_ms  INTEGER,
    CHECK ((state = 'sent') = (message_id IS NOT NULL)),
    CHECK ((state = 'open') = (decided_by IS NULL)),
    CHECK ((decided_by IS NULL) = (decided_at_ms IS NULL))
) STRICT;

-- Drafts newest first (`drafts`), filtered by state and counterparty:
-- drafts are made by people, so there are few to walk.
CREATE INDEX taxii_drafts_by_created ON taxii_drafts (created_at_ms, id);

-- TAXII status resources (TAXII 2.1 §4.3), the JSON verbatim; only the
-- account that posted may read one.
CREATE TABLE taxii_statuses (
    id             TEXT    NOT NULL PRIMARY KEY
        CHECK (length(id) BETWEEN 1 AND 64 AND id NOT GLOB '*[^-a-zA-Z0-9]*'),
    account        TEXT    NOT NULL,
    counterparty   TEXT    NOT NULL,
    collection     TEXT    NOT NULL
        CHECK (collection IN ('received-from', 'sent-to', 'drafts')),
    created_at_ms  INTEGER NOT NULL,
    document       BLOB    NOT NULL
) STRICT;

-- TAXII clients' accounts. The secret itself is never stored, only its
-- SHA-256. `tiers` are wire names, comma-separated, in the order given
-- (empty for none), as for officers.
CREATE TABLE taxii_accounts (
    name           TEXT    NOT NULL PRIMARY KEY
        CHECK (length(name) BETWEEN 1 AND 64 AND name NOT GLOB '*[^-._a-zA-Z0-9]*'),
    secret_sha256  BLOB    NOT NULL CHECK (length(secret_sha256) = 32),
    clearance      TEXT    NOT NULL
        CHECK (clearance IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
    tiers          TEXT    NOT NULL,
    created_at_ms  INTEGER NOT NULL
) STRICT;

-- What each account may do with each collection: one row per account and
-- collection, read back in the order given (`position`), removed with the
-- account. A grant grants something (read, write or both).
CREATE TABLE taxii_grants (
    account       TEXT    NOT NULL REFERENCES taxii_accounts (name) ON DELETE CASCADE,
    position      INTEGER NOT NULL CHECK (position >= 0),
    counterparty  TEXT    NOT NULL,
    collection    TEXT    NOT NULL
        CHECK (collection IN ('received-from', 'sent-to', 'drafts')),
    can_read      INTEGER NOT NULL CHECK (can_read IN (0, 1)),
    can_write     INTEGER NOT NULL CHECK (can_write IN (0, 1)),
    PRIMARY KEY (account, counterparty, collection),
    UNIQUE (account, position),
    CHECK (can_read = 1 OR can_write = 1)
) STRICT;
