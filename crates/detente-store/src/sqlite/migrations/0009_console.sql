-- detente SQLite schema, version 9: the duty officers' console
-- (docs/console.md): officers' passwords and languages, sign-in sessions,
-- and failed sign-ins.
--
-- Applied once, in one transaction, by `SqliteStore::open`, after
-- 0008_taxii.sql (databases of versions 1 to 8 are migrated in place).
-- Never edit this file after it has shipped (docs/storage.md, "Migrations").
--
-- `officer_passwords`: an officer's password as an argon2id PHC string
-- (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`); the password itself is never
-- stored. An officer without a row signs in with a token only. The row
-- goes with the officer (`ON DELETE CASCADE`).
CREATE TABLE officer_passwords (
    officer        TEXT    NOT NULL PRIMARY KEY
        REFERENCES officers (name) ON DELETE CASCADE,
    phc            TEXT    NOT NULL CHECK (phc LIKE '$argon2id$%'),
    set_at_ms      INTEGER NOT NULL
) STRICT;

-- `officer_languages`: the interface language an officer chose (a BCP 47
-- tag the console offers: en, ru, ar), remembered across sessions.
CREATE TABLE officer_languages (
    officer        TEXT    NOT NULL PRIMARY KEY
        REFERENCES officers (name) ON DELETE CASCADE,
    language       TEXT    NOT NULL CHECK (length(language) BETWEEN 2 AND 35)
) STRICT;

-- `console_sessions`: one row per signed-in browser. Only the SHA-256 of
-- the session secret (the cookie's value) is kept, and the SHA-256 of the
-- CSRF secret its forms carry. A session ends at `expires_at_ms` (the
-- absolute limit), or when unused for longer than the idle limit after
-- `seen_at_ms`; sign-out and the officer's removal delete it.
CREATE TABLE console_sessions (
    secret_sha256  BLOB    NOT NULL PRIMARY KEY CHECK (length(secret_sha256) = 32),
    officer        TEXT    NOT NULL REFERENCES officers (name) ON DELETE CASCADE,
    csrf_sha256    BLOB    NOT NULL CHECK (length(csrf_sha256) = 32),
    created_at_ms  INTEGER NOT NULL,
    seen_at_ms     INTEGER NOT NULL CHECK (seen_at_ms >= created_at_ms),
    expires_at_ms  INTEGER NOT NULL CHECK (expires_at_ms > created_at_ms)
) STRICT;
CREATE INDEX console_sessions_by_officer ON console_sessions (officer);

-- `sign_in_failures`: wrong passwords since the last good sign-in, per
-- officer name as typed (a name no officer has is counted too, so that a
-- guess learns nothing from the answer). `locked_until_ms` is set while
-- the name is locked out.
CREATE TABLE sign_in_failures (
    name             TEXT    NOT NULL PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),
    failures         INTEGER NOT NULL CHECK (failures >= 1),
    last_failure_ms  INTEGER NOT NULL,
    locked_until_ms  INTEGER
) STRICT;
