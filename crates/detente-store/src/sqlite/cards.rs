//! Peers and the history of cards in SQLite (`peers` is in
//! `migrations/0001_initial.sql`, `cards` in `migrations/0011_cards.sql`).
//!
//! A peer's current card is in `peers`; every card ever held, current
//! ones included, is in `cards`. Both change together, in one
//! transaction: adding a peer records its card as a first card, and
//! advancing a peer to a successor chain is a compare-and-swap on the card
//! it replaces.

use rusqlite::{Connection, Transaction, params};
use sha2::{Digest, Sha256};

use super::rows::{self, db_error};
use super::{all_rows, optional_row, write_transaction};
use crate::{CardRecord, PeerRecord, StoreError};

const T: &str = "cards";

/// Adds a peer or replaces its card, and records the card as held.
pub(super) fn upsert_peer(conn: &mut Connection, peer: &PeerRecord) -> Result<(), StoreError> {
    let tx = write_transaction(conn)?;
    write_peer(&tx, peer)?;
    insert_card(
        &tx,
        &CardRecord {
            sha256: Sha256::digest(&peer.card).into(),
            party: peer.party.clone(),
            card: peer.card.clone(),
            link: None,
            recorded_at: peer.added_at,
        },
    )?;
    tx.commit().map_err(db_error)
}

/// Replaces the peer's card `held` with the last of `steps`, recording them all.
pub(super) fn advance_peer_card(
    conn: &mut Connection,
    peer: &PeerRecord,
    held: &[u8; 32],
    steps: &[CardRecord],
) -> Result<(), StoreError> {
    let last = steps.last().ok_or_else(|| StoreError::Misuse {
        operation: "advance_peer_card",
        why: "no step: a chain to advance to has at least one card".into(),
    })?;
    if last.card != peer.card || steps.iter().any(|s| s.party != peer.party) {
        return Err(StoreError::Misuse {
            operation: "advance_peer_card",
            why: format!(
                "the steps must all be {}'s and end with the peer's new card",
                peer.party
            ),
        });
    }
    let tx = write_transaction(conn)?;
    let current: Option<(Vec<u8>,)> = optional_row(
        &tx,
        "SELECT card FROM peers WHERE party = ?1",
        [peer.party.as_str()],
    )?;
    let moved = || StoreError::PeerCardMoved {
        party: peer.party.clone(),
    };
    let (card,) = current.ok_or_else(moved)?;
    if <[u8; 32]>::from(Sha256::digest(&card)) != *held {
        return Err(moved());
    }
    for step in steps {
        insert_card(&tx, step)?;
    }
    write_peer(&tx, peer)?;
    tx.commit().map_err(db_error)
}

/// Records a card as held; returns whether it was new.
pub(super) fn add_card(conn: &mut Connection, card: &CardRecord) -> Result<bool, StoreError> {
    let tx = write_transaction(conn)?;
    let added = insert_card(&tx, card)?;
    tx.commit().map_err(db_error)?;
    Ok(added)
}

/// Every card held, by party, then in the order first held.
pub(super) fn cards(conn: &Connection) -> Result<Vec<CardRecord>, StoreError> {
    all_rows(
        conn,
        "SELECT sha256, party, card, link, recorded_at_ms FROM cards
         ORDER BY party, rowid",
        [],
        |(sha256, party, card, link, recorded_ms): (
            Vec<u8>,
            String,
            Vec<u8>,
            Option<Vec<u8>>,
            i64,
        )| {
            let key = hex::encode(&sha256);
            Ok(CardRecord {
                sha256: rows::hash(T, "sha256", &key, sha256)?,
                party: rows::parse(T, "party", &key, &party)?,
                card,
                link,
                recorded_at: rows::timestamp(T, "recorded_at_ms", &key, recorded_ms)?,
            })
        },
    )
}

fn write_peer(tx: &Transaction<'_>, peer: &PeerRecord) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO peers (party, card, fingerprint, tls_spki_sha256, added_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (party) DO UPDATE SET card = excluded.card,
             fingerprint = excluded.fingerprint,
             tls_spki_sha256 = excluded.tls_spki_sha256,
             added_at_ms = excluded.added_at_ms",
    )
    .map_err(db_error)?
    .execute(params![
        peer.party.as_str(),
        peer.card,
        peer.fingerprint.to_string(),
        peer.tls_spki_sha256,
        peer.added_at.unix_millis(),
    ])
    .map_err(db_error)?;
    Ok(())
}

fn insert_card(tx: &Transaction<'_>, card: &CardRecord) -> Result<bool, StoreError> {
    if <[u8; 32]>::from(Sha256::digest(&card.card)) != card.sha256 {
        return Err(StoreError::Misuse {
            operation: "add_card",
            why: "sha256 is not the SHA-256 of the card's bytes".into(),
        });
    }
    let inserted = tx
        .prepare_cached(
            "INSERT INTO cards (sha256, party, card, link, recorded_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (sha256) DO NOTHING",
        )
        .map_err(db_error)?
        .execute(params![
            card.sha256,
            card.party.as_str(),
            card.card,
            card.link,
            card.recorded_at.unix_millis(),
        ])
        .map_err(db_error)?;
    Ok(inserted == 1)
}
