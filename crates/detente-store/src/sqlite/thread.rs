//! A message's thread in SQLite: the message and every stored message that
//! answers it, at any depth ([`crate::Store::thread`]).
//!
//! One recursive CTE walks `in_reply_to` downwards from the root, each step
//! an index search (`messages_by_reply`, whose `in_reply_to IS NOT NULL`
//! condition the join's equality implies). Stored replies can form a cycle
//! (a peer may sign a message answering one it sends later, or itself), so
//! the walk never steps back onto the root: every message has at most one
//! `in_reply_to`, hence one path up to the root, and without re-entering
//! the root each member is reached exactly once. `UNION` (not `UNION ALL`)
//! and the depth bound [`crate::MAX_THREAD_DEPTH`] are second guards.
//! Members are read with [`select_messages!`], as [`crate::Store::message`]
//! reads one.

use rusqlite::{Connection, named_params};

use super::all_rows;
use super::rows::{MessageRow, select_messages};
use crate::{MAX_THREAD_DEPTH, StoreError, StoredMessage};

/// [`crate::Store::thread`]: by `created_at`, then id.
pub(super) fn thread(conn: &Connection, root: &str) -> Result<Vec<StoredMessage>, StoreError> {
    all_rows(
        conn,
        concat!(
            "WITH RECURSIVE thread (id, depth) AS (
                 SELECT id, 0 FROM messages WHERE id = :root
                 UNION
                 SELECT r.id, t.depth + 1
                 FROM thread t JOIN messages r ON r.in_reply_to = t.id
                 WHERE r.id <> :root AND t.depth < :max_depth
             ) ",
            select_messages!(),
            " WHERE m.id IN (SELECT id FROM thread)
             ORDER BY m.created_at_ms, m.id"
        ),
        named_params! { ":root": root, ":max_depth": MAX_THREAD_DEPTH },
        MessageRow::into_stored,
    )
}
