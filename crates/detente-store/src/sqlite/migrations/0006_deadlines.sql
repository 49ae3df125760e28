-- detente SQLite schema, version 6: deadline timers (the agreement
-- engine's deadlines and escalation, kept across restarts).
--
-- Applied once, in one transaction, by `SqliteStore::open`, after
-- 0005_agreements.sql (databases of versions 1 to 5 are migrated in place).
-- Never edit this file after it has shipped (docs/storage.md, "Migrations").
--
-- One row per deadline a sent message started, inserted in the same
-- IMMEDIATE transaction that records the message's delivery (its receipt).
-- A row changes only by one conditional UPDATE: an escalation rung fired
-- (a compare-and-swap on `rungs_fired`, only while not met), or the answer
-- that met it (only while not met; the first answer stays). Rows are never
-- deleted. `kind` is the deadline's wire name (`DeadlineKind` in
-- detente-proto, lowercase); `met_by` names the answering message, which
-- need not be stored, so it has no foreign key.
CREATE TABLE deadline_timers (
    message_id     TEXT    NOT NULL REFERENCES messages (id),
    kind           TEXT    NOT NULL CHECK (kind IN ('acknowledge', 'reply', 'check')),
    started_at_ms  INTEGER NOT NULL,
    due_at_ms      INTEGER NOT NULL,
    next_at_ms     INTEGER,
    rungs_fired    INTEGER NOT NULL CHECK (rungs_fired BETWEEN 0 AND 4294967295),
    met_at_ms      INTEGER,
    met_by         TEXT,
    PRIMARY KEY (message_id, kind),
    -- Met wholly or not at all, and a met deadline has nothing left to fire.
    CHECK ((met_at_ms IS NULL) = (met_by IS NULL)),
    CHECK (met_at_ms IS NULL OR next_at_ms IS NULL)
) STRICT;

-- The timers the engine must look at, in the order it looks at them
-- (`due_deadlines`, `next_deadline_at`): only open ones with a rung left
-- to fire, so the index stays as small as the work outstanding.
CREATE INDEX deadline_timers_due ON deadline_timers (next_at_ms, message_id, kind)
    WHERE met_at_ms IS NULL AND next_at_ms IS NOT NULL;

-- Open deadlines by when they are due (`deadlines` with `open_only`, the
-- "open" and "overdue" lists). A listing of every deadline, met ones too,
-- sorts the table; the primary key serves `deadlines_of`.
CREATE INDEX deadline_timers_open ON deadline_timers (due_at_ms, message_id, kind)
    WHERE met_at_ms IS NULL;
