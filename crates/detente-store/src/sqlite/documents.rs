//! The signed records of guarantees and pledges in SQLite (the table is in
//! `migrations/0007_documents.sql`).
//!
//! The node verifies each record; the store keeps them consistent: one
//! record per party and role on a document, every publish and sign record
//! about one document, a withdrawal naming it. The checks read what is
//! stored and the insert depends on them, so they run in one `IMMEDIATE`
//! transaction, as for agreement signatures: the write lock is held from
//! the first read, and no other connection or process can store a record
//! between the checks and the insert.
//!
//! Kinds and roles are stored as their names ([`DocumentKind::as_str`],
//! [`RecordRole::as_str`]); the role names sort in the roles' order
//! (`publish` < `sign` < `withdraw`), so a listing orders by the stored name.

use detente_proto::ids::MessageId;
use rusqlite::{Connection, params};

use super::rows::{self, db_error};
use super::{all_rows, optional_row, write_transaction};
use crate::{
    DocumentConflict, DocumentConflictReason, DocumentKind, DocumentRecord, RecordRole, StoreError,
};

/// The table, as errors about its values name it.
const T: &str = "document_records";

/// The longest document id: a pledge's `HOST/id` with room for both parts.
const MAX_ID_LEN: usize = 96;

const ROLES: [RecordRole; 3] = [RecordRole::Publish, RecordRole::Sign, RecordRole::Withdraw];

/// Refuses what no guarantee or pledge id can be: anything but 1 to 96 of
/// `a-z`, `A-Z`, `0-9`, `-`, `/`.
fn check_document_id(document_id: &str, operation: &'static str) -> Result<(), StoreError> {
    let misuse = |why: String| Err(StoreError::Misuse { operation, why });
    if document_id.is_empty() || document_id.len() > MAX_ID_LEN {
        return misuse(format!(
            "document id {document_id:?} has {} bytes; an id has 1 to {MAX_ID_LEN}",
            document_id.len()
        ));
    }
    if let Some(bad) = document_id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '/'))
    {
        return misuse(format!(
            "document id {document_id:?} contains {bad:?}; an id is made of a-z, A-Z, 0-9, '-' and '/'"
        ));
    }
    Ok(())
}

/// Columns of the party's own record: `document_sha256, signed, message_id`.
type OwnRow = (Vec<u8>, Vec<u8>, Option<String>);

/// [`crate::Store::put_document_record`]: the checks and the insert in one
/// `IMMEDIATE` transaction.
pub(super) fn put_record(
    conn: &mut Connection,
    record: &DocumentRecord,
) -> Result<bool, StoreError> {
    let tx = write_transaction(conn)?;
    let inserted = insert_record(&tx, record)?;
    tx.commit().map_err(db_error)?;
    Ok(inserted)
}

/// The checks and the insert of [`put_record`], inside the caller's write
/// transaction (which also commits a log batch's records with it).
pub(super) fn insert_record(tx: &Connection, record: &DocumentRecord) -> Result<bool, StoreError> {
    let DocumentRecord {
        kind,
        document_id,
        role,
        party,
        document_sha256,
        signed,
        message_id,
        at,
        recorded_at,
    } = record;
    check_document_id(document_id, "put_document_record")?;
    let conflict = |reason: DocumentConflictReason| {
        Err(StoreError::DocumentConflict(Box::new(DocumentConflict {
            kind: *kind,
            document_id: document_id.clone(),
            role: *role,
            party: party.clone(),
            reason,
        })))
    };
    let (kind_name, role_name) = (kind.as_str(), role.as_str());
    // The party's own record in this role first: the same again is a
    // repeat (the first stays), anything else a second record.
    let own: Option<OwnRow> = optional_row(
        tx,
        "SELECT document_sha256, signed, message_id FROM document_records
         WHERE kind = ?1 AND document_id = ?2 AND role = ?3 AND party = ?4",
        params![kind_name, document_id, role_name, party.as_str()],
    )?;
    if let Some((stored_sha256, stored_signed, stored_message)) = own {
        let key = format!("{kind_name} {document_id} {role_name} by {party}");
        let stored_sha256 = rows::hash(T, "document_sha256", &key, stored_sha256)?;
        let stored_message = stored_message
            .map(|text| rows::parse::<MessageId>(T, "message_id", &key, &text))
            .transpose()?;
        if stored_sha256 != *document_sha256 {
            return conflict(DocumentConflictReason::OtherDocument {
                stored_sha256,
                offered_sha256: *document_sha256,
            });
        }
        if stored_signed != *signed {
            return conflict(DocumentConflictReason::OtherSignedBytes);
        }
        if stored_message != *message_id {
            return conflict(DocumentConflictReason::OtherMessage {
                stored: stored_message,
                offered: *message_id,
            });
        }
        return Ok(false);
    }
    // Every stored publish and sign record is about one document, so the
    // first one stored stands for them all, for a withdrawal too.
    let first: Option<(String, String, Vec<u8>)> = optional_row(
        tx,
        "SELECT role, party, document_sha256 FROM document_records
         WHERE kind = ?1 AND document_id = ?2 AND role IN ('publish', 'sign')
         ORDER BY rowid LIMIT 1",
        params![kind_name, document_id],
    )?;
    if let Some((stored_role, stored_party, stored_sha256)) = first {
        let key = format!("{kind_name} {document_id} {stored_role} by {stored_party}");
        let stored_sha256 = rows::hash(T, "document_sha256", &key, stored_sha256)?;
        if stored_sha256 != *document_sha256 {
            return conflict(DocumentConflictReason::NotTheDocument {
                stored_role: parse_role(&key, &stored_role)?,
                stored_party: rows::parse(T, "party", &key, &stored_party)?,
                stored_sha256,
                offered_sha256: *document_sha256,
            });
        }
    }
    tx.prepare_cached(
        "INSERT INTO document_records (kind, document_id, role, party, document_sha256,
             signed, message_id, at_ms, recorded_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .map_err(db_error)?
    .execute(params![
        kind_name,
        document_id,
        role_name,
        party.as_str(),
        document_sha256,
        signed,
        message_id.map(|id| id.to_string()),
        at.unix_millis(),
        recorded_at.unix_millis(),
    ])
    .map_err(db_error)?;
    Ok(true)
}

fn parse_role(key: &str, text: &str) -> Result<RecordRole, StoreError> {
    ROLES
        .into_iter()
        .find(|role| role.as_str() == text)
        .ok_or_else(|| StoreError::Corrupt(format!("{T}.role of {key:?}: unknown value {text:?}")))
}

/// Columns of a record: `role, party, document_sha256, signed, message_id,
/// at_ms, recorded_at_ms`.
type RecordRow = (String, String, Vec<u8>, Vec<u8>, Option<String>, i64, i64);

/// [`crate::Store::document_records`]: along `document_records_by_at`,
/// ties by the role's stored name (in the roles' order), then party in
/// byte order (SQLite's `BINARY` collation, as Rust's `str` orders).
pub(super) fn records(
    conn: &Connection,
    kind: DocumentKind,
    document_id: &str,
) -> Result<Vec<DocumentRecord>, StoreError> {
    check_document_id(document_id, "document_records")?;
    let kind_name = kind.as_str();
    all_rows(
        conn,
        "SELECT role, party, document_sha256, signed, message_id, at_ms, recorded_at_ms
         FROM document_records
         WHERE kind = ?1 AND document_id = ?2
         ORDER BY at_ms, role, party",
        params![kind_name, document_id],
        |(role, party, document_sha256, signed, message_id, at_ms, recorded_at_ms): RecordRow| {
            let key = format!("{kind_name} {document_id} {role} by {party}");
            let key = key.as_str();
            Ok(DocumentRecord {
                kind,
                document_id: document_id.to_owned(),
                role: parse_role(key, &role)?,
                party: rows::parse(T, "party", key, &party)?,
                document_sha256: rows::hash(T, "document_sha256", key, document_sha256)?,
                signed,
                message_id: message_id
                    .map(|text| rows::parse::<MessageId>(T, "message_id", key, &text))
                    .transpose()?,
                at: rows::timestamp(T, "at_ms", key, at_ms)?,
                recorded_at: rows::timestamp(T, "recorded_at_ms", key, recorded_at_ms)?,
            })
        },
    )
}

/// [`crate::Store::document_ids`]: walks the primary key's (kind,
/// document_id) prefix, in byte order.
pub(super) fn ids(conn: &Connection, kind: DocumentKind) -> Result<Vec<String>, StoreError> {
    all_rows(
        conn,
        "SELECT DISTINCT document_id FROM document_records WHERE kind = ?1 ORDER BY document_id",
        [kind.as_str()],
        |(document_id,): (String,)| Ok(document_id),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_sort_in_the_roles_order() {
        // `records` orders ties by the stored name; that must be the roles' order.
        let mut by_name = ROLES;
        by_name.sort_by_key(|role| role.as_str());
        assert_eq!(by_name, ROLES);
        let mut by_role = ROLES;
        by_role.sort();
        assert_eq!(by_role, ROLES);
    }

    #[test]
    fn kinds_and_roles_are_stored_by_distinct_names() {
        let kinds = [DocumentKind::Guarantee, DocumentKind::Pledge];
        let kinds: Vec<&str> = kinds.iter().map(DocumentKind::as_str).collect();
        assert_eq!(kinds, ["guarantee", "pledge"]);
        let roles: Vec<&str> = ROLES.iter().map(RecordRole::as_str).collect();
        assert_eq!(roles, ["publish", "sign", "withdraw"]);
    }

    #[test]
    fn document_ids_are_checked_by_the_rule_of_the_table() {
        for good in [
            "ru-us-elections-2026",
            "UN/no-first-use",
            "-",
            "/",
            &"a".repeat(96),
        ] {
            assert!(check_document_id(good, "test").is_ok(), "{good:?}");
        }
        for bad in ["", "a b", "a_b", "é", "UN\\x", "a.b", &"a".repeat(97)] {
            assert!(
                matches!(
                    check_document_id(bad, "test"),
                    Err(StoreError::Misuse { .. })
                ),
                "{bad:?}"
            );
        }
    }
}
