-- detente SQLite schema, version 10: alerts (docs/operations.md,
-- "Alerting"): what must reach a person, and each notice sent about it
-- down the on-call rota.
--
-- Applied once, in one transaction, by `SqliteStore::open`, after
-- 0009_console.sql (databases of versions 1 to 9 are migrated in place).
-- Never edit this file after it has shipped (docs/storage.md, "Migrations").
--
-- `alerts`: one row per event that must reach a person, numbered 1, 2, …
-- (a rowid; alerts are never deleted, so a number is never reused, and a
-- refused insert uses none). `cause_key` names
-- the event (`arrival/<message id>`, `deadline-missed/<message id>/ack`, …)
-- and is UNIQUE, so one event raises one alert however often it is seen.
-- `summary` and `detail` are the texts the notices carry, already cut to
-- what the message's TLP lets leave the hotline. `next_step` is the rota
-- step (0 = the first contact) that is notified at `next_at_ms`; it moves
-- only by a compare-and-swap, in the transaction that writes that step's
-- notice. An acknowledged alert has no `next_at_ms`: nothing more is sent.
CREATE TABLE alerts (
    id                  INTEGER PRIMARY KEY,
    cause_key           TEXT    NOT NULL UNIQUE CHECK (length(cause_key) BETWEEN 1 AND 200),
    cause               TEXT    NOT NULL,
    precedence          TEXT    NOT NULL,
    rota                TEXT    NOT NULL,
    message_id          TEXT,
    counterparty        TEXT,
    tier                TEXT,
    summary             TEXT    NOT NULL,
    detail              TEXT    NOT NULL,
    raised_at_ms        INTEGER NOT NULL,
    next_step           INTEGER NOT NULL CHECK (next_step >= 0),
    next_at_ms          INTEGER,
    acknowledged_at_ms  INTEGER,
    acknowledged_by     TEXT,
    acknowledged_via    TEXT CHECK (acknowledged_via IN ('link', 'api', 'console')),
    -- Acknowledged wholly or not at all; an acknowledged alert is done.
    CHECK ((acknowledged_at_ms IS NULL) = (acknowledged_by IS NULL)),
    CHECK ((acknowledged_at_ms IS NULL) = (acknowledged_via IS NULL)),
    CHECK (acknowledged_at_ms IS NULL OR next_at_ms IS NULL)
) STRICT;

-- The dispatcher's question: which alerts have a rota step due?
CREATE INDEX alerts_due ON alerts (next_at_ms, id) WHERE next_at_ms IS NOT NULL;

-- `alert_notices`: one row per rota step of an alert: the contact it went
-- to, over which channel, and how sending it stands. A step is written
-- once (its primary key), so a contact is never sent one step twice.
-- `pending` notices are sent at `next_attempt_at_ms` and retried with
-- backoff; `sent` and `failed` are final; `cancelled` is a pending notice
-- whose alert was acknowledged before it went out.
CREATE TABLE alert_notices (
    alert_id            INTEGER NOT NULL REFERENCES alerts (id),
    step                INTEGER NOT NULL CHECK (step >= 0),
    contact             TEXT    NOT NULL,
    channel             TEXT    NOT NULL,
    address             TEXT    NOT NULL,
    state               TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'cancelled')),
    attempts            INTEGER NOT NULL CHECK (attempts >= 0),
    created_at_ms       INTEGER NOT NULL,
    next_attempt_at_ms  INTEGER,
    last_error          TEXT,
    sent_at_ms          INTEGER,
    PRIMARY KEY (alert_id, step),
    CHECK ((state = 'pending') = (next_attempt_at_ms IS NOT NULL)),
    CHECK ((state = 'sent') = (sent_at_ms IS NOT NULL))
) STRICT;

-- The sender's question: which notices are due?
CREATE INDEX alert_notices_due ON alert_notices (next_attempt_at_ms, alert_id, step)
    WHERE state = 'pending';
