//! Signatures on agreements in SQLite (docs/storage.md, "Agreement signatures"; the
//! table is in `migrations/0005_agreements.sql`).
//!
//! The node verifies each signature; the store keeps them consistent: all
//! signatures on one version are over one document, one per signer. The
//! checks read what is stored and the insert depends on them, so they run
//! in one `IMMEDIATE` transaction: the write lock is held from the first
//! read, and no other connection or process can store a signature between
//! the checks and the insert.

use detente_proto::ids::DocumentId;
use rusqlite::{Connection, params};

use super::rows::{self, db_error};
use super::{all_rows, optional_row, write_transaction};
use crate::{AgreementSignature, AgreementSignatureConflict, StoreError};

/// The table, as errors about its values name it.
const T: &str = "agreement_signatures";

/// Refuses what no agreement can be: version 0 (the id is a
/// [`DocumentId`] by its type). A `u32` version always fits the database's
/// signed 64-bit integer.
fn check_reference(
    agreement_id: &DocumentId,
    version: u32,
    operation: &'static str,
) -> Result<(), StoreError> {
    if version == 0 {
        return Err(StoreError::Misuse {
            operation,
            why: format!("agreement {agreement_id:?} has version 0; versions start at 1"),
        });
    }
    Ok(())
}

/// [`crate::Store::put_agreement_signature`]: the checks and the insert in
/// one `IMMEDIATE` transaction.
pub(super) fn put_signature(
    conn: &mut Connection,
    signature: &AgreementSignature,
) -> Result<bool, StoreError> {
    let tx = write_transaction(conn)?;
    let inserted = insert_signature(&tx, signature)?;
    tx.commit().map_err(db_error)?;
    Ok(inserted)
}

/// The checks and the insert of [`put_signature`], inside the caller's
/// write transaction (which also commits a log batch's records with it).
pub(super) fn insert_signature(
    tx: &Connection,
    signature: &AgreementSignature,
) -> Result<bool, StoreError> {
    let AgreementSignature {
        agreement_id,
        version,
        signer,
        document_sha256,
        signed,
        recorded_at,
    } = signature;
    check_reference(agreement_id, *version, "put_agreement_signature")?;
    let key = format!("{agreement_id}@{version}");
    let conflict = |stored_signer: String, stored_sha256: [u8; 32]| {
        Err(StoreError::AgreementSignatureConflict(Box::new(
            AgreementSignatureConflict {
                agreement_id: agreement_id.clone(),
                version: *version,
                signer: signer.to_string(),
                offered_sha256: *document_sha256,
                stored_signer,
                stored_sha256,
            },
        )))
    };
    // The signer's own signature first: the same document again is a
    // repeat (the first stays), another document is a second signature.
    let own: Option<(Vec<u8>,)> = optional_row(
        tx,
        "SELECT document_sha256 FROM agreement_signatures
         WHERE agreement_id = ?1 AND version = ?2 AND signer = ?3",
        params![agreement_id.as_str(), version, signer.as_str()],
    )?;
    if let Some((stored,)) = own {
        let stored = rows::hash(T, "document_sha256", &key, stored)?;
        if stored == *document_sha256 {
            return Ok(false);
        }
        return conflict(signer.to_string(), stored);
    }
    // Every stored signature on the version is over one document, so the
    // first one stored stands for them all.
    let first: Option<(String, Vec<u8>)> = optional_row(
        tx,
        "SELECT signer, document_sha256 FROM agreement_signatures
         WHERE agreement_id = ?1 AND version = ?2
         ORDER BY rowid LIMIT 1",
        params![agreement_id.as_str(), version],
    )?;
    if let Some((first_signer, stored)) = first {
        let stored = rows::hash(T, "document_sha256", &key, stored)?;
        if stored != *document_sha256 {
            return conflict(first_signer, stored);
        }
    }
    tx.prepare_cached(
        "INSERT INTO agreement_signatures
             (agreement_id, version, signer, document_sha256, signed, recorded_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .map_err(db_error)?
    .execute(params![
        agreement_id.as_str(),
        version,
        signer.as_str(),
        document_sha256,
        signed,
        recorded_at.unix_millis(),
    ])
    .map_err(db_error)?;
    Ok(true)
}

/// Columns of a signature: `signer, document_sha256, signed, recorded_at_ms`.
type SignatureRow = (String, Vec<u8>, Vec<u8>, i64);

/// [`crate::Store::agreement_signatures`]: by signer, in byte order
/// (SQLite's `BINARY` collation, as Rust's `str` orders).
pub(super) fn signatures(
    conn: &Connection,
    agreement_id: &DocumentId,
    version: u32,
) -> Result<Vec<AgreementSignature>, StoreError> {
    check_reference(agreement_id, version, "agreement_signatures")?;
    all_rows(
        conn,
        "SELECT signer, document_sha256, signed, recorded_at_ms FROM agreement_signatures
         WHERE agreement_id = ?1 AND version = ?2
         ORDER BY signer",
        params![agreement_id.as_str(), version],
        |(signer, document_sha256, signed, recorded_at_ms): SignatureRow| {
            let key = format!("{agreement_id}@{version} by {signer}");
            Ok(AgreementSignature {
                agreement_id: agreement_id.clone(),
                version,
                signer: rows::parse(T, "signer", &key, &signer)?,
                document_sha256: rows::hash(T, "document_sha256", &key, document_sha256)?,
                signed,
                recorded_at: rows::timestamp(T, "recorded_at_ms", &key, recorded_at_ms)?,
            })
        },
    )
}

/// [`crate::Store::agreement_versions`]: by id, then newest version first.
pub(super) fn versions(conn: &Connection) -> Result<Vec<(DocumentId, u32)>, StoreError> {
    all_rows(
        conn,
        "SELECT DISTINCT agreement_id, version FROM agreement_signatures
         ORDER BY agreement_id, version DESC",
        [],
        |(agreement_id, version): (String, i64)| {
            let version = u32::try_from(version)
                .ok()
                .filter(|v| *v > 0)
                .ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "{T}.version of {agreement_id:?}: {version} is not a version (1 to {})",
                        u32::MAX
                    ))
                })?;
            let agreement_id = rows::parse(T, "agreement_id", &agreement_id, &agreement_id)?;
            Ok((agreement_id, version))
        },
    )
}
