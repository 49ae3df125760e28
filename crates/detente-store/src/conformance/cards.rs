//! Checks of the history of cards: a peer's first card, successors
//! joining it by compare-and-swap, this party's own cards.

use sha2::{Digest, Sha256};

use crate::{CardRecord, PeerRecord, Store, StoreError};

use super::data::*;

fn card(code: &str, n: u8) -> Vec<u8> {
    format!("{{\"card\":\"{code} card {n}\"}}").into_bytes()
}

fn record(code: &str, n: u8, link: bool, ms: i64) -> CardRecord {
    let card = card(code, n);
    CardRecord {
        sha256: Sha256::digest(&card).into(),
        party: party(code),
        card,
        link: link.then(|| format!("link into {code} card {n}").into_bytes()),
        recorded_at: at(ms),
    }
}

fn peer(code: &str, n: u8, ms: i64) -> PeerRecord {
    PeerRecord {
        party: party(code),
        card: card(code, n),
        fingerprint: format!("SHA256:{}", format!("{n:02x}").repeat(32))
            .parse()
            .expect("fingerprint"),
        tls_spki_sha256: [n; 32],
        added_at: at(ms),
    }
}

/// Adding a peer records its card as a first card; adding the same card
/// again records nothing more; own cards are recorded once.
pub fn a_peers_card_joins_the_history_once(store: &dyn Store) {
    assert_eq!(store.cards().expect("cards"), vec![]);
    store.upsert_peer(&peer("US", 1, 0)).expect("peer");
    store.upsert_peer(&peer("US", 1, 5_000)).expect("again");
    assert_eq!(
        store.cards().expect("cards"),
        vec![record("US", 1, false, 0)]
    );
    let own = record("RU", 7, false, 100);
    assert!(store.add_card(&own).expect("own"));
    assert!(!store.add_card(&own).expect("own again"), "held already");
    let rotated = record("RU", 8, true, 200);
    assert!(store.add_card(&rotated).expect("rotated"));
    assert_eq!(
        store.cards().expect("cards"),
        vec![own, rotated, record("US", 1, false, 0)],
        "by party, then in the order first held"
    );
}

/// A successor chain replaces the card it was checked against, and joins
/// the history with its links; against a card no longer held it is
/// refused and writes nothing.
pub fn advancing_a_peer_card_is_a_compare_and_swap(store: &dyn Store) {
    store.upsert_peer(&peer("US", 1, 0)).expect("peer");
    let first = Sha256::digest(card("US", 1)).into();
    let steps = [record("US", 2, true, 1_000), record("US", 3, true, 1_000)];
    store
        .advance_peer_card(&peer("US", 3, 1_000), &first, &steps)
        .expect("advance");
    assert_eq!(
        store.peer(&party("US")).expect("peer"),
        Some(peer("US", 3, 1_000))
    );
    let mut held = vec![record("US", 1, false, 0)];
    held.extend(steps.iter().cloned());
    assert_eq!(store.cards().expect("cards"), held);

    // Checked against card 1, which is no longer held.
    let late = store.advance_peer_card(
        &peer("US", 4, 2_000),
        &first,
        &[record("US", 4, true, 2_000)],
    );
    assert!(
        matches!(late, Err(StoreError::PeerCardMoved { ref party }) if party.as_str() == "US"),
        "{late:?}"
    );
    let unknown = store.advance_peer_card(
        &peer("CN", 2, 2_000),
        &first,
        &[record("CN", 2, true, 2_000)],
    );
    assert!(
        matches!(unknown, Err(StoreError::PeerCardMoved { .. })),
        "{unknown:?}"
    );
    assert_eq!(store.cards().expect("cards"), held, "nothing written");
    assert_eq!(
        store.peer(&party("US")).expect("peer"),
        Some(peer("US", 3, 1_000))
    );
}

/// No step, steps of another party, a last step that is not the new card
/// or a wrong hash: refused as misuse, nothing written.
pub fn card_misuse_is_refused_and_writes_nothing(store: &dyn Store) {
    store.upsert_peer(&peer("US", 1, 0)).expect("peer");
    let first: [u8; 32] = Sha256::digest(card("US", 1)).into();
    let misuse = |result: Result<(), StoreError>| {
        assert!(
            matches!(result, Err(StoreError::Misuse { .. })),
            "{result:?}"
        );
    };
    misuse(store.advance_peer_card(&peer("US", 2, 1), &first, &[]));
    misuse(store.advance_peer_card(&peer("US", 2, 1), &first, &[record("RU", 2, true, 1)]));
    misuse(store.advance_peer_card(&peer("US", 2, 1), &first, &[record("US", 3, true, 1)]));
    let mut wrong = record("RU", 1, false, 1);
    wrong.sha256 = [0; 32];
    assert!(matches!(
        store.add_card(&wrong),
        Err(StoreError::Misuse { .. })
    ));
    assert_eq!(
        store.cards().expect("cards"),
        vec![record("US", 1, false, 0)]
    );
    assert_eq!(
        store.peer(&party("US")).expect("peer"),
        Some(peer("US", 1, 0))
    );
}
