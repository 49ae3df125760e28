//! Checks of the directory: peers and officers.

use detente_proto::ids::Tier;

use crate::{OfficerRecord, PeerRecord, Store, StoreError};

use super::data::*;

fn peer_record(code: &str, salt: u8, added: i64) -> PeerRecord {
    PeerRecord {
        party: party(code),
        card: format!("card of {code}, version {salt}").into_bytes(),
        fingerprint: format!("SHA256:{}", hex32(salt))
            .parse()
            .expect("fingerprint"),
        tls_spki_sha256: [salt; 32],
        added_at: at(added),
    }
}

/// 64 hex digits.
fn hex32(salt: u8) -> String {
    format!("{salt:02x}").repeat(32)
}

/// Peers are added, replaced by a new card, and listed by party code.
pub fn peers_upsert_lookup_and_list(store: &dyn Store) {
    assert_eq!(store.peer(&party("RU")).expect("peer"), None);
    assert_eq!(store.peers().expect("peers"), vec![]);
    let (us, ru) = (peer_record("US", 1, 0), peer_record("RU", 2, 1_000));
    store.upsert_peer(&us).expect("upsert US");
    store.upsert_peer(&ru).expect("upsert RU");
    assert_eq!(store.peer(&party("RU")).expect("peer"), Some(ru));
    assert_eq!(
        store.peers().expect("peers"),
        vec![peer_record("RU", 2, 1_000), us.clone()],
        "by party code"
    );

    let renewed = peer_record("RU", 3, 9_000);
    store.upsert_peer(&renewed).expect("upsert RU again");
    assert_eq!(
        store.peer(&party("RU")).expect("peer"),
        Some(renewed.clone()),
        "card replaced"
    );
    assert_eq!(
        store.peers().expect("peers"),
        vec![renewed, us],
        "still two peers"
    );
}

fn officer_record(name: &str, tiers: &[Tier], salt: u8) -> OfficerRecord {
    OfficerRecord {
        name: officer(name),
        tiers: tiers.to_vec(),
        token_sha256: [salt; 32],
        created_at: at(i64::from(salt) * 1000),
    }
}

/// Officers are added once per name, found by token hash, listed by name, removed.
pub fn officers_add_lookup_and_remove(store: &dyn Store) {
    let bob = officer_record("bob", &[Tier::Policy], 2);
    let alice = officer_record("alice", &[Tier::Operational, Tier::Technical], 1);
    let nobody = officer_record("carol", &[], 3);
    for record in [&bob, &alice, &nobody] {
        store.add_officer(record).expect("add_officer");
    }

    let twin = officer_record("alice", &[Tier::Leadership], 9);
    let result = store.add_officer(&twin);
    assert!(
        matches!(result, Err(StoreError::Duplicate { .. })),
        "a taken name must be Duplicate, got {result:?}"
    );
    assert!(
        store
            .add_officer(&officer_record("dave", &[Tier::Leadership], 2))
            .is_err(),
        "a token hash already held by another officer is refused"
    );

    let by_token = |salt: u8| {
        store
            .officer_by_token_hash(&[salt; 32])
            .expect("officer_by_token_hash")
    };
    assert_eq!(by_token(1), Some(alice.clone()), "tiers keep their order");
    assert_eq!(
        by_token(3),
        Some(nobody.clone()),
        "an officer may have no tiers"
    );
    assert_eq!(by_token(9), None, "the refused duplicate was not written");
    assert_eq!(
        store.officers().expect("officers"),
        vec![alice.clone(), bob.clone(), nobody.clone()],
        "by name"
    );

    assert!(
        store.remove_officer(&alice.name).expect("remove_officer"),
        "alice existed"
    );
    assert!(
        !store.remove_officer(&alice.name).expect("remove_officer"),
        "alice is gone"
    );
    assert_eq!(
        by_token(1),
        None,
        "a removed officer's token no longer works"
    );
    assert_eq!(store.officers().expect("officers"), vec![bob, nobody]);
}
