//! Drafts, TAXII status resources and TAXII accounts in SQLite
//! (docs/taxii.md; the tables are in `migrations/0008_taxii.sql`).
//!
//! A draft, its objects and its status are written in one `IMMEDIATE`
//! transaction. After that a draft changes only by one conditional
//! `UPDATE` — decided (`WHERE state = 'open'`) or reopened (`WHERE state =
//! 'sent' AND message_id = ?`) — so SQLite's write lock covers the
//! comparison and the write, and of two connections deciding one draft
//! exactly one changes it.
//!
//! An account and its grants (child rows, removed with it by the foreign
//! key's `ON DELETE CASCADE`) are inserted in one transaction, after
//! checking the name is free. Ids and names that no row can hold are
//! refused when writing ([`StoreError::Misuse`]) and simply not found when
//! reading: they come from URLs and HTTP Basic credentials.

use std::collections::HashSet;

use detente_proto::ids::{AccountName, MessageId, PartyCode, ResourceId};
use detente_proto::kind::Tlp;
use detente_proto::time::Timestamp;
use rusqlite::types::ToSql;
use rusqlite::{Connection, params};

use super::rows::{self, db_error, format_tiers};
use super::stix::{check_objects, insert_objects};
use super::{all_rows, optional_row, write_transaction};
use crate::{
    CollectionKind, Draft, DraftState, NewDraft, NewStixObject, StixSource, StoreError,
    TaxiiAccountRecord, TaxiiGrant, TaxiiStatusRecord,
};

/// The columns every draft read selects, in [`DraftRow`] order.
const DRAFT_COLUMNS: &str = "SELECT id, counterparty, created_at_ms, created_by, source, tlp,
        bundle, object_count, state, message_id, decided_by, decided_at_ms
    FROM taxii_drafts";

/// Columns of a draft: `id, counterparty, created_at_ms, created_by,
/// source, tlp, bundle, object_count, state, message_id, decided_by,
/// decided_at_ms`.
type DraftRow = (
    String,
    String,
    i64,
    String,
    String,
    String,
    Vec<u8>,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// Parses a [`DraftRow`]; a value no draft can hold is [`StoreError::Corrupt`].
fn draft(row: DraftRow) -> Result<Draft, StoreError> {
    const T: &str = "taxii_drafts";
    let (id, counterparty, created_ms, created_by, source, tlp, bundle, count) =
        (row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7);
    let (state, message_id, decided_by, decided_ms) = (row.8, row.9, row.10, row.11);
    let key = id.as_str();
    let draft = NewDraft {
        counterparty: rows::parse(T, "counterparty", key, &counterparty)?,
        created_at: rows::timestamp(T, "created_at_ms", key, created_ms)?,
        created_by,
        source,
        tlp: rows::parse::<Tlp>(T, "tlp", key, &tlp)?,
        bundle,
        object_count: u32::try_from(count).map_err(|_| {
            StoreError::Corrupt(format!(
                "{T}.object_count of {key:?}: {count} is not a count"
            ))
        })?,
        id: rows::parse(T, "id", key, &id)?,
    };
    Ok(Draft {
        draft,
        state: rows::parse(T, "state", key, &state)?,
        message_id: message_id
            .map(|text| rows::parse::<MessageId>(T, "message_id", key, &text))
            .transpose()?,
        decided_by,
        decided_at: decided_ms
            .map(|ms| rows::timestamp(T, "decided_at_ms", key, ms))
            .transpose()?,
    })
}

/// Inserts or replaces a status inside the caller's transaction.
fn upsert_status(conn: &Connection, status: &TaxiiStatusRecord) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO taxii_statuses (id, account, counterparty, collection, created_at_ms,
             document)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET account = excluded.account,
             counterparty = excluded.counterparty, collection = excluded.collection,
             created_at_ms = excluded.created_at_ms, document = excluded.document",
    )
    .map_err(db_error)?
    .execute(params![
        status.id.as_str(),
        status.account.as_str(),
        status.counterparty.as_str(),
        status.collection.as_str(),
        status.created_at.unix_millis(),
        status.document,
    ])
    .map_err(db_error)?;
    Ok(())
}

/// Refuses objects that are not the draft's own (in its counterparty's drafts collection, with it as their source).
fn check_draft(draft: &NewDraft, objects: &[NewStixObject]) -> Result<(), StoreError> {
    let misuse = |why: String| {
        Err(StoreError::Misuse {
            operation: "create_draft",
            why,
        })
    };
    check_objects(objects, "create_draft")?;
    let own_source = StixSource::Draft(draft.id.clone());
    if let Some(stray) = objects.iter().find(|object| {
        object.counterparty != draft.counterparty
            || object.collection != CollectionKind::Drafts
            || object.source != own_source
    }) {
        return misuse(format!(
            "object {} is in {}/{} from {:?}, but draft {} holds objects in {}/drafts from itself",
            stray.object_id,
            stray.counterparty,
            stray.collection,
            stray.source,
            draft.id,
            draft.counterparty
        ));
    }
    Ok(())
}

/// [`crate::Store::create_draft`]: the checks, then one transaction.
pub(super) fn create_draft(
    conn: &mut Connection,
    draft: &NewDraft,
    objects: &[NewStixObject],
    status: Option<&TaxiiStatusRecord>,
    now: Timestamp,
) -> Result<(), StoreError> {
    check_draft(draft, objects)?;
    let tx = write_transaction(conn)?;
    let stored: Option<(String,)> = optional_row(
        &tx,
        "SELECT id FROM taxii_drafts WHERE id = ?1",
        [draft.id.as_str()],
    )?;
    if stored.is_some() {
        return Err(StoreError::Duplicate {
            what: "draft",
            name: draft.id.to_string(),
        });
    }
    tx.prepare_cached(
        "INSERT INTO taxii_drafts (id, counterparty, created_at_ms, created_by, source, tlp,
             bundle, object_count, state, message_id, decided_by, decided_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', NULL, NULL, NULL)",
    )
    .map_err(db_error)?
    .execute(params![
        draft.id.as_str(),
        draft.counterparty.as_str(),
        draft.created_at.unix_millis(),
        draft.created_by,
        draft.source,
        draft.tlp.as_str(),
        draft.bundle,
        draft.object_count,
    ])
    .map_err(db_error)?;
    insert_objects(&tx, objects, now)?;
    if let Some(status) = status {
        upsert_status(&tx, status)?;
    }
    tx.commit().map_err(db_error)
}

/// [`crate::Store::draft`].
pub(super) fn read_draft(conn: &Connection, id: &ResourceId) -> Result<Option<Draft>, StoreError> {
    let row: Option<DraftRow> = optional_row(
        conn,
        &format!("{DRAFT_COLUMNS} WHERE id = ?1"),
        [id.as_str()],
    )?;
    row.map(draft).transpose()
}

/// [`crate::Store::drafts`]: along `taxii_drafts_by_created`, newest first.
pub(super) fn drafts(
    conn: &Connection,
    state: Option<DraftState>,
    counterparty: Option<&PartyCode>,
    limit: usize,
) -> Result<Vec<Draft>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let state = state.map(DraftState::as_str);
    let counterparty = counterparty.map(PartyCode::as_str);
    let mut sql = format!("{DRAFT_COLUMNS} WHERE 1");
    let mut bound: Vec<(&str, &dyn ToSql)> = vec![(":limit", &limit)];
    if let Some(state) = &state {
        sql.push_str(" AND state = :state");
        bound.push((":state", state));
    }
    if let Some(counterparty) = &counterparty {
        sql.push_str(" AND counterparty = :counterparty");
        bound.push((":counterparty", counterparty));
    }
    sql.push_str(" ORDER BY created_at_ms DESC, id DESC LIMIT :limit");
    all_rows(conn, &sql, bound.as_slice(), draft)
}

/// [`crate::Store::decide_draft`]: one statement, hence atomic.
pub(super) fn decide_draft(
    conn: &Connection,
    id: &ResourceId,
    to: DraftState,
    message_id: Option<&MessageId>,
    by: &str,
    at: Timestamp,
) -> Result<bool, StoreError> {
    let why = match (to, message_id) {
        (DraftState::Sent, Some(_)) | (DraftState::Discarded, None) => None,
        (DraftState::Open, _) => Some(format!(
            "draft {id}: a draft is decided by sending or discarding it, not by opening it; \
             reopen_draft undoes a send"
        )),
        (DraftState::Sent, None) => Some(format!(
            "draft {id}: sent without a message id; name the message it was sent as"
        )),
        (DraftState::Discarded, Some(message)) => Some(format!(
            "draft {id}: discarded with message id {message}; a discarded draft has no message"
        )),
    };
    if let Some(why) = why {
        return Err(StoreError::Misuse {
            operation: "decide_draft",
            why,
        });
    }
    let changed = conn
        .prepare_cached(
            "UPDATE taxii_drafts SET state = ?2, message_id = ?3, decided_by = ?4,
                 decided_at_ms = ?5
             WHERE id = ?1 AND state = 'open'",
        )
        .map_err(db_error)?
        .execute(params![
            id.as_str(),
            to.as_str(),
            message_id.map(|message| message.to_string()),
            by,
            at.unix_millis(),
        ])
        .map_err(db_error)?;
    Ok(changed == 1)
}

/// [`crate::Store::reopen_draft`]: one statement, hence atomic.
pub(super) fn reopen_draft(
    conn: &Connection,
    id: &ResourceId,
    message_id: &MessageId,
) -> Result<bool, StoreError> {
    let changed = conn
        .prepare_cached(
            "UPDATE taxii_drafts
             SET state = 'open', message_id = NULL, decided_by = NULL, decided_at_ms = NULL
             WHERE id = ?1 AND state = 'sent' AND message_id = ?2",
        )
        .map_err(db_error)?
        .execute(params![id.as_str(), message_id.to_string()])
        .map_err(db_error)?;
    Ok(changed == 1)
}

/// [`crate::Store::put_taxii_status`]: one statement.
pub(super) fn put_status(conn: &Connection, status: &TaxiiStatusRecord) -> Result<(), StoreError> {
    upsert_status(conn, status)
}

/// [`crate::Store::taxii_status`].
pub(super) fn status(
    conn: &Connection,
    id: &ResourceId,
) -> Result<Option<TaxiiStatusRecord>, StoreError> {
    const T: &str = "taxii_statuses";
    let key = id.as_str();
    let row: Option<(String, String, String, i64, Vec<u8>)> = optional_row(
        conn,
        "SELECT account, counterparty, collection, created_at_ms, document
         FROM taxii_statuses WHERE id = ?1",
        [key],
    )?;
    row.map(
        |(account, counterparty, collection, created_ms, document)| {
            Ok(TaxiiStatusRecord {
                id: id.clone(),
                account: rows::parse(T, "account", key, &account)?,
                counterparty: rows::parse(T, "counterparty", key, &counterparty)?,
                collection: rows::parse(T, "collection", key, &collection)?,
                created_at: rows::timestamp(T, "created_at_ms", key, created_ms)?,
                document,
            })
        },
    )
    .transpose()
}

/// Refuses an account no row can hold: two grants for one collection, a
/// grant of nothing.
fn check_account(account: &TaxiiAccountRecord) -> Result<(), StoreError> {
    let misuse = |why: String| {
        Err(StoreError::Misuse {
            operation: "add_taxii_account",
            why,
        })
    };
    let name = &account.name;
    let mut collections = HashSet::new();
    for grant in &account.grants {
        let collection = format!("{}/{}", grant.counterparty, grant.collection);
        if !(grant.read || grant.write) {
            return misuse(format!(
                "account {name}: the grant on {collection} is neither read nor write; leave it out"
            ));
        }
        if !collections.insert((&grant.counterparty, grant.collection)) {
            return misuse(format!(
                "account {name}: two grants on {collection}; give one per collection, \
                 with read and write as needed"
            ));
        }
    }
    Ok(())
}

/// [`crate::Store::add_taxii_account`]: the account and its grants in one transaction.
pub(super) fn add_account(
    conn: &mut Connection,
    account: &TaxiiAccountRecord,
) -> Result<(), StoreError> {
    check_account(account)?;
    let tx = write_transaction(conn)?;
    let stored: Option<(String,)> = optional_row(
        &tx,
        "SELECT name FROM taxii_accounts WHERE name = ?1",
        [account.name.as_str()],
    )?;
    if stored.is_some() {
        return Err(StoreError::TaxiiAccountExists {
            name: account.name.to_string(),
        });
    }
    tx.prepare_cached(
        "INSERT INTO taxii_accounts (name, secret_sha256, clearance, tiers, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .map_err(db_error)?
    .execute(params![
        account.name.as_str(),
        account.secret_sha256,
        account.clearance.as_str(),
        format_tiers(&account.tiers),
        account.created_at.unix_millis(),
    ])
    .map_err(db_error)?;
    let mut insert = tx
        .prepare_cached(
            "INSERT INTO taxii_grants (account, position, counterparty, collection, can_read,
                 can_write)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .map_err(db_error)?;
    for (position, grant) in (0_i64..).zip(&account.grants) {
        insert
            .execute(params![
                account.name.as_str(),
                position,
                grant.counterparty.as_str(),
                grant.collection.as_str(),
                grant.read,
                grant.write,
            ])
            .map_err(db_error)?;
    }
    drop(insert);
    tx.commit().map_err(db_error)
}

/// Columns of an account: `name, secret_sha256, clearance, tiers, created_at_ms`.
type AccountRow = (String, Vec<u8>, String, String, i64);

/// Parses an [`AccountRow`] and reads its grants, in the order given.
fn account(conn: &Connection, row: AccountRow) -> Result<TaxiiAccountRecord, StoreError> {
    const T: &str = "taxii_accounts";
    let (name, secret, clearance, tiers, created_ms) = row;
    let key = name.as_str();
    let grants = all_rows(
        conn,
        "SELECT counterparty, collection, can_read, can_write FROM taxii_grants
         WHERE account = ?1 ORDER BY position",
        [key],
        |(counterparty, collection, read, write): (String, String, bool, bool)| {
            let grant_key = format!("{key} {counterparty}/{collection}");
            Ok(TaxiiGrant {
                counterparty: rows::parse(
                    "taxii_grants",
                    "counterparty",
                    &grant_key,
                    &counterparty,
                )?,
                collection: rows::parse("taxii_grants", "collection", &grant_key, &collection)?,
                read,
                write,
            })
        },
    )?;
    Ok(TaxiiAccountRecord {
        secret_sha256: rows::hash(T, "secret_sha256", key, secret)?,
        clearance: rows::parse(T, "clearance", key, &clearance)?,
        tiers: rows::parse_tiers(&tiers)
            .map_err(|e| StoreError::Corrupt(format!("{T}.tiers of {key:?}: {e}")))?,
        grants,
        created_at: rows::timestamp(T, "created_at_ms", key, created_ms)?,
        name: rows::parse(T, "name", key, &name)?,
    })
}

/// [`crate::Store::taxii_account`].
pub(super) fn read_account(
    conn: &Connection,
    name: &AccountName,
) -> Result<Option<TaxiiAccountRecord>, StoreError> {
    let row: Option<AccountRow> = optional_row(
        conn,
        "SELECT name, secret_sha256, clearance, tiers, created_at_ms
         FROM taxii_accounts WHERE name = ?1",
        [name.as_str()],
    )?;
    row.map(|row| account(conn, row)).transpose()
}

/// [`crate::Store::taxii_accounts`]: by name, in byte order.
pub(super) fn accounts(conn: &Connection) -> Result<Vec<TaxiiAccountRecord>, StoreError> {
    all_rows(
        conn,
        "SELECT name, secret_sha256, clearance, tiers, created_at_ms
         FROM taxii_accounts ORDER BY name",
        [],
        |row: AccountRow| account(conn, row),
    )
}

/// [`crate::Store::remove_taxii_account`]: one statement; the grants go
/// with the account (`ON DELETE CASCADE`).
pub(super) fn remove_account(conn: &Connection, name: &AccountName) -> Result<bool, StoreError> {
    let removed = conn
        .prepare_cached("DELETE FROM taxii_accounts WHERE name = ?1")
        .map_err(db_error)?
        .execute([name.as_str()])
        .map_err(db_error)?;
    Ok(removed > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_and_collections_are_stored_by_their_names() {
        let states: Vec<&str> = DraftState::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(states, ["open", "sent", "discarded"]);
        for state in DraftState::ALL {
            assert_eq!(state.as_str().parse::<DraftState>(), Ok(state));
            assert_eq!(state.to_string(), state.as_str());
        }
        let collections: Vec<&str> = CollectionKind::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(collections, ["received-from", "sent-to", "drafts"]);
        for collection in CollectionKind::ALL {
            assert_eq!(
                collection.as_str().parse::<CollectionKind>(),
                Ok(collection)
            );
            assert_eq!(collection.to_string(), collection.as_str());
        }
        let refused = "Drafts"
            .parse::<CollectionKind>()
            .expect_err("case matters");
        for alias in ["received-from", "sent-to", "drafts"] {
            assert!(refused.contains(alias), "{refused}");
        }
        assert!("closed".parse::<DraftState>().is_err());
    }
}
