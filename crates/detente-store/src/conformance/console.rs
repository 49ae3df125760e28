//! Checks of the console's records: officers' passwords and languages,
//! sign-in sessions and failed sign-ins.

use detente_proto::ids::Tier;

use crate::{ConsoleSession, OfficerRecord, SignInFailures, Store, StoreError};

use super::data::{at, officer};

const PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";

fn add(store: &dyn Store, name: &str, salt: u8) {
    store
        .add_officer(&OfficerRecord {
            name: officer(name),
            tiers: vec![Tier::Technical],
            token_sha256: [salt; 32],
            created_at: at(0),
        })
        .expect("add_officer");
}

fn session(name: &str, salt: u8, created: i64, expires: i64) -> ConsoleSession {
    ConsoleSession {
        secret_sha256: [salt; 32],
        officer: officer(name),
        csrf_sha256: [salt.wrapping_add(100); 32],
        created_at: at(created),
        seen_at: at(created),
        expires_at: at(expires),
    }
}

/// A password and a language are kept per officer, replaced when set
/// again, and go with the officer; an unknown officer has none and gets
/// none; a password that is not an argon2id PHC string is `Misuse`.
pub fn officer_passwords_and_languages_are_kept_and_go_with_the_officer(store: &dyn Store) {
    add(store, "Иванова", 1);
    let name = officer("Иванова");
    assert_eq!(store.officer_password(&name).expect("read"), None);
    assert!(store.set_officer_password(&name, PHC, at(1)).expect("set"));
    assert_eq!(
        store.officer_password(&name).expect("read").as_deref(),
        Some(PHC)
    );
    let other = PHC.replace("c2FsdHNhbHQ", "b3RoZXJzYWx0");
    assert!(
        store
            .set_officer_password(&name, &other, at(2))
            .expect("set")
    );
    assert_eq!(
        store.officer_password(&name).expect("read"),
        Some(other),
        "replaced"
    );
    let nobody = officer("nobody");
    assert!(
        !store
            .set_officer_password(&nobody, PHC, at(1))
            .expect("set")
    );
    assert_eq!(store.officer_password(&nobody).expect("read"), None);
    match store.set_officer_password(&name, "hunter2", at(3)) {
        Err(StoreError::Misuse { .. }) => {}
        other => panic!("a plain password: expected Misuse, got {other:?}"),
    }
    assert_eq!(store.officer_language(&name).expect("read"), None);
    assert!(store.set_officer_language(&name, "ru").expect("set"));
    assert!(store.set_officer_language(&name, "ar").expect("set again"));
    assert_eq!(
        store.officer_language(&name).expect("read").as_deref(),
        Some("ar")
    );
    assert!(!store.set_officer_language(&nobody, "en").expect("set"));
    assert_eq!(
        store.officer(&name).expect("officer").map(|o| o.name),
        Some(name.clone())
    );
    assert_eq!(store.officer(&nobody).expect("officer"), None);
    assert!(store.remove_officer(&name).expect("remove"));
    add(store, "Иванова", 2);
    assert_eq!(
        (
            store.officer_password(&name).expect("read"),
            store.officer_language(&name).expect("read")
        ),
        (None, None),
        "a new officer of the same name has neither"
    );
}

/// A session reads back exactly; using it moves `seen_at` forward only;
/// sign-out ends it; an officer's sessions end together and with the
/// officer; pruning ends the expired and the idle ones only. A session of
/// an unknown officer is `NotFound`, a stored secret `Duplicate`, times
/// out of order `Misuse`.
pub fn console_sessions_open_touch_end_and_prune(store: &dyn Store) {
    add(store, "alice", 1);
    add(store, "bob", 2);
    let first = session("alice", 1, 0, 10_000);
    store.add_console_session(&first).expect("add");
    assert_eq!(
        store.console_session(&first.secret_sha256).expect("read"),
        Some(first.clone())
    );
    assert!(
        store
            .touch_console_session(&first.secret_sha256, at(500))
            .expect("touch")
    );
    assert!(
        store
            .touch_console_session(&first.secret_sha256, at(200))
            .expect("touch back")
    );
    assert_eq!(
        store
            .console_session(&first.secret_sha256)
            .expect("read")
            .map(|s| s.seen_at),
        Some(at(500)),
        "seen_at never moves back"
    );
    assert!(
        !store
            .touch_console_session(&[9; 32], at(1))
            .expect("touch unknown")
    );
    match store.add_console_session(&first) {
        Err(StoreError::Duplicate { .. }) => {}
        other => panic!("the same secret: expected Duplicate, got {other:?}"),
    }
    match store.add_console_session(&session("nobody", 3, 0, 10)) {
        Err(StoreError::NotFound { .. }) => {}
        other => panic!("an unknown officer: expected NotFound, got {other:?}"),
    }
    match store.add_console_session(&session("alice", 4, 10, 10)) {
        Err(StoreError::Misuse { .. }) => {}
        other => panic!("expiring as it opens: expected Misuse, got {other:?}"),
    }
    let second = session("alice", 5, 100, 20_000);
    let bobs = session("bob", 6, 100, 20_000);
    store.add_console_session(&second).expect("add");
    store.add_console_session(&bobs).expect("add");
    assert!(
        store
            .remove_console_session(&second.secret_sha256)
            .expect("sign out")
    );
    assert!(
        !store
            .remove_console_session(&second.secret_sha256)
            .expect("again")
    );
    let again = session("alice", 7, 200, 20_000);
    store.add_console_session(&again).expect("add");
    assert_eq!(
        store
            .remove_console_sessions_of(&officer("alice"))
            .expect("end all"),
        2
    );
    assert_eq!(
        store.console_session(&first.secret_sha256).expect("read"),
        None
    );
    assert!(
        store
            .console_session(&bobs.secret_sha256)
            .expect("read")
            .is_some(),
        "another officer's stays"
    );
    assert!(store.remove_officer(&officer("bob")).expect("remove bob"));
    assert_eq!(
        store.console_session(&bobs.secret_sha256).expect("read"),
        None,
        "gone with the officer"
    );

    let expired = session("alice", 10, 0, 1_000);
    let idle = session("alice", 11, 0, 50_000);
    let fresh = session("alice", 12, 0, 50_000);
    for s in [&expired, &idle, &fresh] {
        store.add_console_session(s).expect("add");
    }
    store
        .touch_console_session(&fresh.secret_sha256, at(4_000))
        .expect("touch");
    add(store, "carol", 3);
    store
        .add_console_session(&session("carol", 13, 0, 50_000))
        .expect("add");
    store
        .add_console_session(&session("carol", 14, 0, 50_000))
        .expect("add");
    assert_eq!(
        store
            .signed_in_officers(at(2_000), at(1_000))
            .expect("signed in"),
        vec![officer("alice")],
        "only live sessions count (the fresh one): carol's are idle"
    );
    assert_eq!(
        store
            .signed_in_officers(at(500), at(-1))
            .expect("signed in"),
        vec![officer("alice"), officer("carol")],
        "each officer once, by name"
    );
    assert!(
        store
            .remove_officer(&officer("carol"))
            .expect("remove carol")
    );
    assert_eq!(
        store
            .prune_console_sessions(at(2_000), at(1_000))
            .expect("prune"),
        2,
        "the expired one and the idle one"
    );
    assert!(
        store
            .console_session(&fresh.secret_sha256)
            .expect("read")
            .is_some()
    );
}

/// Failures count up by one per call, for any name (an officer's or
/// not); a lockout is kept as failures go on; a good sign-in clears them.
pub fn sign_in_failures_count_lock_and_clear(store: &dyn Store) {
    let name = officer("guess");
    assert_eq!(store.sign_in_failures(&name).expect("read"), None);
    assert!(!store.lock_sign_in(&name, at(9)).expect("lock nothing"));
    let first = store.record_sign_in_failure(&name, at(10)).expect("count");
    assert_eq!(
        first,
        SignInFailures {
            name: name.clone(),
            failures: 1,
            last_failure_at: at(10),
            locked_until: None,
        }
    );
    store.record_sign_in_failure(&name, at(20)).expect("count");
    assert!(store.lock_sign_in(&name, at(60_000)).expect("lock"));
    let third = store.record_sign_in_failure(&name, at(15)).expect("count");
    assert_eq!(
        (third.failures, third.last_failure_at, third.locked_until),
        (3, at(20), Some(at(60_000))),
        "counted, the latest time kept, still locked"
    );
    assert_eq!(store.sign_in_failures(&name).expect("read"), Some(third));
    let other = officer("other");
    assert_eq!(
        store
            .record_sign_in_failure(&other, at(30))
            .expect("count")
            .failures,
        1,
        "each name on its own"
    );
    store.clear_sign_in_failures(&name).expect("clear");
    assert_eq!(store.sign_in_failures(&name).expect("read"), None);
    assert!(store.sign_in_failures(&other).expect("read").is_some());
}
