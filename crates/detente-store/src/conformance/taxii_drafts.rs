//! Checks of what the TAXII server keeps besides objects (docs/taxii.md):
//! draft notifications (written with their objects and status in one
//! transaction, decided by a compare-and-swap, reopened only for the
//! message they were sent as), status resources, and TAXII accounts.

use detente_proto::ids::{AccountName, ResourceId, Tier};
use detente_proto::kind::Tlp;

use crate::CollectionKind::{Drafts, ReceivedFrom, SentTo};
use crate::{
    Draft, DraftState, NewDraft, NewStixObject, StixQuery, StixSource, Store, StoreError,
    TaxiiAccountRecord, TaxiiGrant, TaxiiStatusRecord,
};

use super::data::{at, id, party};
use super::taxii::{every_version, found, stix};

/// The id of draft (or status) `n`: a UUID in text form.
fn uuid(n: u64) -> ResourceId {
    format!("0193a0c4-7d1e-7000-8000-{n:012x}")
        .parse()
        .expect("a resource id")
}

/// The account called `name`.
fn account_name(name: &str) -> AccountName {
    name.parse().expect("an account name")
}

/// Draft `n` to `counterparty`, made `ms` after the suite's epoch by an
/// account, from a bundle of two objects.
fn new_draft(n: u64, counterparty: &str, ms: i64) -> NewDraft {
    NewDraft {
        id: uuid(n),
        counterparty: party(counterparty),
        created_at: at(ms),
        created_by: "taxii:opencti".to_owned(),
        source: "OpenCTI at soc.example — «Фишинг» campaign".to_owned(),
        tlp: Tlp::AmberStrict,
        bundle: format!(
            r#"{{"type":"bundle","id":"bundle--{}","objects":[]}}"#,
            uuid(n)
        )
        .into_bytes(),
        object_count: 2,
    }
}

/// The objects of `draft`: two indicators numbered from `n`, in its
/// counterparty's drafts collection, from it.
fn draft_objects(draft: &NewDraft, n: u64) -> Vec<NewStixObject> {
    [n, n + 1]
        .into_iter()
        .map(|n| NewStixObject {
            counterparty: draft.counterparty.clone(),
            collection: Drafts,
            source: StixSource::Draft(draft.id.clone()),
            ..stix(n, Some(1), "red:account:opencti")
        })
        .collect()
}

/// The status of the POST that made draft `n`.
fn status(n: u64, counterparty: &str) -> TaxiiStatusRecord {
    TaxiiStatusRecord {
        id: uuid(n + 100),
        account: account_name("opencti"),
        counterparty: party(counterparty),
        collection: Drafts,
        created_at: at(1_000),
        document: format!(
            r#"{{"id":"{}","status":"complete","total_count":2,"success_count":2}}"#,
            uuid(n + 100)
        )
        .into_bytes(),
    }
}

fn open(draft: &NewDraft) -> Draft {
    Draft {
        draft: draft.clone(),
        state: DraftState::Open,
        message_id: None,
        decided_by: None,
        decided_at: None,
    }
}

fn create(store: &dyn Store, draft: &NewDraft, n: u64, with_status: bool) {
    let status = with_status.then(|| status(n, draft.counterparty.as_str()));
    store
        .create_draft(draft, &draft_objects(draft, n), status.as_ref(), at(2_000))
        .unwrap_or_else(|e| panic!("create_draft({}) failed: {e}", draft.id));
}

fn read(store: &dyn Store, id: &ResourceId) -> Option<Draft> {
    store
        .draft(id)
        .unwrap_or_else(|e| panic!("draft({id}) failed: {e}"))
}

/// The drafts collection of `counterparty`, every version in the lane of
/// the drafts' objects.
fn drafts_collection(counterparty: &str) -> StixQuery {
    StixQuery {
        counterparty: party(counterparty),
        collection: Drafts,
        ..every_version(&["red:account:opencti"])
    }
}

/// A draft is stored open, with its objects in the drafts collection (as
/// `add_stix_objects` adds them) and the status, and reads back exactly.
pub fn a_draft_is_stored_with_its_objects_and_status(store: &dyn Store) {
    let draft = new_draft(1, "US", 1_000);
    create(store, &draft, 1, true);
    assert_eq!(read(store, &draft.id), Some(open(&draft)));
    let objects: Vec<NewStixObject> = found(store, &drafts_collection("US"))
        .into_iter()
        .map(|row| row.object)
        .collect();
    assert_eq!(
        objects,
        draft_objects(&draft, 1),
        "its objects, in its collection"
    );
    assert_eq!(
        store.taxii_status(&uuid(101)).expect("taxii_status"),
        Some(status(1, "US"))
    );
    let without = new_draft(2, "US", 1_500);
    create(store, &without, 1, false);
    assert_eq!(read(store, &without.id), Some(open(&without)));
    assert_eq!(
        found(store, &drafts_collection("US")).len(),
        2,
        "a copy of a stored version is not added again"
    );
    assert_eq!(read(store, &uuid(3)), None, "an unknown draft");
}

/// A stored draft id is `Duplicate`, and nothing of the refused draft is
/// written: not its objects, not its status. Objects that are not the
/// draft's, or an id no draft can have, are `Misuse`, likewise.
pub fn a_duplicate_or_malformed_draft_writes_nothing(store: &dyn Store) {
    let draft = new_draft(1, "US", 1_000);
    create(store, &draft, 1, false);
    let again = NewDraft {
        source: "another source".to_owned(),
        ..new_draft(1, "RU", 5_000)
    };
    match store.create_draft(
        &again,
        &draft_objects(&again, 5),
        Some(&status(5, "RU")),
        at(0),
    ) {
        Err(StoreError::Duplicate { what, name }) => {
            assert_eq!((what, name.as_str()), ("draft", draft.id.as_str()));
        }
        other => panic!("expected Duplicate, got {other:?}"),
    }
    assert_eq!(
        read(store, &draft.id),
        Some(open(&draft)),
        "the first stays"
    );
    assert_eq!(found(store, &drafts_collection("RU")), vec![], "no objects");
    assert_eq!(store.taxii_status(&uuid(105)).expect("taxii_status"), None);

    let other = new_draft(2, "US", 2_000);
    let mut strays = Vec::new();
    for (what, change) in [
        ("another counterparty's", ("RU", Drafts, uuid(2))),
        ("another collection's", ("US", ReceivedFrom, uuid(2))),
        ("another draft's", ("US", Drafts, uuid(1))),
    ] {
        let (counterparty, collection, source) = change;
        let mut objects = draft_objects(&other, 7);
        objects[1] = NewStixObject {
            counterparty: party(counterparty),
            collection,
            source: StixSource::Draft(source),
            ..objects[1].clone()
        };
        strays.push((what, other.clone(), objects));
    }
    let mut from_message = draft_objects(&other, 7);
    from_message[0].source = StixSource::Message(id(1));
    strays.push(("a message's", other.clone(), from_message));
    for (what, draft, objects) in strays {
        match store.create_draft(&draft, &objects, Some(&status(2, "US")), at(0)) {
            Err(StoreError::Misuse { .. }) => {}
            other => panic!("{what} objects: expected Misuse, got {other:?}"),
        }
    }
    assert_eq!(read(store, &other.id), None, "no draft");
    assert_eq!(store.taxii_status(&uuid(102)).expect("taxii_status"), None);
    assert_eq!(
        found(store, &drafts_collection("US")).len(),
        2,
        "the first draft's only"
    );
    let elsewhere = StixQuery {
        collection: ReceivedFrom,
        ..drafts_collection("US")
    };
    assert_eq!(found(store, &elsewhere), vec![]);
}

/// Sending or discarding is a compare-and-swap from open: the first
/// decision stays, a second changes nothing. Sent needs a message id,
/// discarded has none, and open is no decision (`Misuse`).
pub fn deciding_a_draft_is_a_compare_and_swap(store: &dyn Store) {
    let (one, two) = (new_draft(1, "US", 1_000), new_draft(2, "US", 2_000));
    create(store, &one, 1, false);
    create(store, &two, 3, false);
    let decide = |draft: &ResourceId, to, message: Option<u64>, by: &str, ms| {
        store
            .decide_draft(draft, to, message.map(id).as_ref(), by, at(ms))
            .unwrap_or_else(|e| panic!("decide_draft({draft}, {to}) failed: {e}"))
    };
    assert!(decide(
        &one.id,
        DraftState::Sent,
        Some(9),
        "officer:Анна",
        3_000
    ));
    let sent = Draft {
        state: DraftState::Sent,
        message_id: Some(id(9)),
        decided_by: Some("officer:Анна".to_owned()),
        decided_at: Some(at(3_000)),
        ..open(&one)
    };
    assert_eq!(read(store, &one.id), Some(sent.clone()));
    assert!(
        !decide(&one.id, DraftState::Discarded, None, "officer:desk", 4_000),
        "already sent: the first decision stays"
    );
    assert!(!decide(
        &one.id,
        DraftState::Sent,
        Some(10),
        "officer:desk",
        4_000
    ));
    assert_eq!(read(store, &one.id), Some(sent));

    assert!(decide(
        &two.id,
        DraftState::Discarded,
        None,
        "officer:desk",
        5_000
    ));
    let discarded = Draft {
        state: DraftState::Discarded,
        decided_by: Some("officer:desk".to_owned()),
        decided_at: Some(at(5_000)),
        ..open(&two)
    };
    assert_eq!(read(store, &two.id), Some(discarded.clone()));
    assert!(!decide(
        &two.id,
        DraftState::Sent,
        Some(11),
        "officer:desk",
        6_000
    ));
    assert!(
        !decide(&uuid(3), DraftState::Sent, Some(11), "officer:desk", 6_000),
        "unknown"
    );
    assert!(!decide(
        &uuid(4),
        DraftState::Discarded,
        None,
        "officer:desk",
        6_000
    ));

    let three = new_draft(3, "US", 3_000);
    create(store, &three, 5, false);
    for (to, message) in [
        (DraftState::Open, None),
        (DraftState::Open, Some(id(12))),
        (DraftState::Sent, None),
        (DraftState::Discarded, Some(id(12))),
    ] {
        match store.decide_draft(&three.id, to, message.as_ref(), "officer:desk", at(7_000)) {
            Err(StoreError::Misuse { .. }) => {}
            other => panic!("{to} with {message:?}: expected Misuse, got {other:?}"),
        }
    }
    assert_eq!(read(store, &three.id), Some(open(&three)), "still open");
    assert_eq!(read(store, &two.id), Some(discarded));
}

/// A sent draft goes back to open (its decision cleared) only for the
/// message it was sent as; an open or discarded one does not move.
pub fn a_sent_draft_reopens_only_for_its_message(store: &dyn Store) {
    let (one, two) = (new_draft(1, "US", 1_000), new_draft(2, "US", 2_000));
    create(store, &one, 1, false);
    create(store, &two, 3, false);
    let reopen = |draft: &ResourceId, message: u64| {
        store
            .reopen_draft(draft, &id(message))
            .unwrap_or_else(|e| panic!("reopen_draft({draft}) failed: {e}"))
    };
    assert!(!reopen(&one.id, 9), "open: nothing to reopen");
    assert!(
        store
            .decide_draft(
                &one.id,
                DraftState::Sent,
                Some(&id(9)),
                "officer:desk",
                at(3_000)
            )
            .expect("send")
    );
    assert!(!reopen(&one.id, 10), "sent as another message");
    assert_eq!(
        read(store, &one.id).map(|d| d.state),
        Some(DraftState::Sent)
    );
    assert!(reopen(&one.id, 9));
    assert_eq!(
        read(store, &one.id),
        Some(open(&one)),
        "open, decision cleared"
    );
    assert!(!reopen(&one.id, 9), "once");
    assert!(
        store
            .decide_draft(
                &one.id,
                DraftState::Sent,
                Some(&id(10)),
                "officer:desk",
                at(4_000)
            )
            .expect("send again"),
        "reopened, it can be sent again"
    );
    assert!(
        store
            .decide_draft(
                &two.id,
                DraftState::Discarded,
                None,
                "officer:desk",
                at(4_000)
            )
            .expect("discard")
    );
    assert!(!reopen(&two.id, 9), "discarded stays discarded");
    assert!(!reopen(&uuid(3), 9), "unknown");
}

/// Drafts are listed newest first (ties by id, descending), by state and
/// counterparty, at most `limit`.
pub fn drafts_are_listed_newest_first_by_state_and_counterparty(store: &dyn Store) {
    let drafts = [
        new_draft(1, "US", 1_000),
        new_draft(2, "RU", 3_000),
        new_draft(3, "US", 2_000),
        new_draft(4, "US", 3_000),
        new_draft(5, "US", 500),
    ];
    for (n, draft) in (1..).zip(&drafts) {
        create(store, draft, 10 * n, false);
    }
    assert!(
        store
            .decide_draft(
                &uuid(3),
                DraftState::Discarded,
                None,
                "officer:desk",
                at(4_000)
            )
            .expect("discard")
    );
    let list = |state, counterparty: Option<&str>, limit| {
        store
            .drafts(state, counterparty.map(party).as_ref(), limit)
            .expect("drafts")
            .into_iter()
            .map(|draft| draft.draft.id)
            .collect::<Vec<_>>()
    };
    let ids = |ns: &[u64]| ns.iter().map(|n| uuid(*n)).collect::<Vec<_>>();
    assert_eq!(
        list(None, None, 10),
        ids(&[4, 2, 3, 1, 5]),
        "newest first, ties by id"
    );
    assert_eq!(list(None, None, 2), ids(&[4, 2]), "at most limit");
    assert_eq!(list(None, None, 0), ids(&[]));
    assert_eq!(list(Some(DraftState::Open), None, 10), ids(&[4, 2, 1, 5]));
    assert_eq!(list(Some(DraftState::Discarded), None, 10), ids(&[3]));
    assert_eq!(list(Some(DraftState::Sent), None, 10), ids(&[]));
    assert_eq!(list(None, Some("RU"), 10), ids(&[2]));
    assert_eq!(
        list(Some(DraftState::Open), Some("US"), 10),
        ids(&[4, 1, 5])
    );
    assert_eq!(list(None, Some("UN"), 10), ids(&[]));
    let listed = store.drafts(None, None, 1).expect("drafts");
    assert_eq!(listed, vec![open(&drafts[3])], "each as draft() reads it");
}

/// A status reads back exactly; putting one under a stored id replaces
/// it; an unknown id has none.
pub fn taxii_statuses_round_trip(store: &dyn Store) {
    let first = status(1, "US");
    store.put_taxii_status(&first).expect("put_taxii_status");
    assert_eq!(
        store.taxii_status(&first.id).expect("read"),
        Some(first.clone())
    );
    let replaced = TaxiiStatusRecord {
        account: account_name("misp"),
        collection: SentTo,
        document: b"{\"status\":\"complete\",\"failures\":[]}".to_vec(),
        ..first.clone()
    };
    store.put_taxii_status(&replaced).expect("put again");
    assert_eq!(store.taxii_status(&first.id).expect("read"), Some(replaced));
    assert_eq!(store.taxii_status(&uuid(7)).expect("read"), None);
}

fn account(name: &str, secret: u8) -> TaxiiAccountRecord {
    let grant = |counterparty: &str, collection, read, write| TaxiiGrant {
        counterparty: party(counterparty),
        collection,
        read,
        write,
    };
    TaxiiAccountRecord {
        name: account_name(name),
        secret_sha256: [secret; 32],
        clearance: Tlp::Amber,
        tiers: vec![Tier::Operational, Tier::Technical],
        // Not in any sorted order: read back as given.
        grants: vec![
            grant("US", SentTo, true, false),
            grant("US", Drafts, true, true),
            grant("RU", ReceivedFrom, true, false),
            grant("US", ReceivedFrom, false, true),
        ],
        created_at: at(1_000),
    }
}

/// Accounts are added with their grants (in the order given), found by
/// name, listed by name, and removed with their grants; a stored name is
/// `TaxiiAccountExists` and writes nothing.
pub fn taxii_accounts_add_list_and_remove(store: &dyn Store) {
    let get = |name: &str| {
        store
            .taxii_account(&account_name(name))
            .expect("taxii_account")
    };
    let list = || store.taxii_accounts().expect("taxii_accounts");
    assert_eq!(list(), vec![]);
    let opencti = account("opencti", 1);
    let misp = TaxiiAccountRecord {
        clearance: Tlp::Red,
        tiers: Vec::new(),
        grants: Vec::new(),
        ..account("misp.soc-1", 2)
    };
    let upper = account("MISP_2", 3);
    for account in [&opencti, &misp, &upper] {
        store.add_taxii_account(account).expect("add_taxii_account");
    }
    assert_eq!(
        get("opencti"),
        Some(opencti.clone()),
        "every field, grants as given"
    );
    assert_eq!(get("misp.soc-1"), Some(misp.clone()), "no tiers, no grants");
    assert_eq!(get("OpenCTI"), None, "names are case-sensitive");
    assert_eq!(
        list(),
        vec![upper.clone(), misp.clone(), opencti.clone()],
        "by name, in byte order"
    );

    let again = TaxiiAccountRecord {
        secret_sha256: [9; 32],
        grants: Vec::new(),
        ..opencti.clone()
    };
    match store.add_taxii_account(&again) {
        Err(e @ StoreError::TaxiiAccountExists { .. }) => {
            let message = e.to_string();
            assert!(message.contains("\"opencti\""), "{message}");
            assert!(message.contains("remove it first"), "{message}");
        }
        other => panic!("expected TaxiiAccountExists, got {other:?}"),
    }
    assert_eq!(get("opencti"), Some(opencti.clone()), "the first stays");

    let opencti_name = account_name("opencti");
    assert!(store.remove_taxii_account(&opencti_name).expect("remove"));
    assert!(
        !store
            .remove_taxii_account(&opencti_name)
            .expect("remove again")
    );
    assert_eq!(get("opencti"), None);
    assert_eq!(list(), vec![upper, misp]);
    let readded = TaxiiAccountRecord {
        grants: opencti.grants[..1].to_vec(),
        ..opencti
    };
    store
        .add_taxii_account(&readded)
        .expect("the name is free again; the old grants went with the account");
    assert_eq!(get("opencti"), Some(readded));
}

/// An account no row can hold is `Misuse` and writes nothing: two grants
/// on one collection, a grant of neither read nor write. (Its name is an
/// `AccountName`, which keeps its rule by its type.)
pub fn taxii_account_misuse_is_refused_and_writes_nothing(store: &dyn Store) {
    let base = account("opencti", 1);
    let mut twice = base.clone();
    twice.grants.push(TaxiiGrant {
        read: false,
        write: true,
        ..base.grants[1].clone()
    });
    let mut nothing = base.clone();
    nothing.grants[2].read = false;
    for (what, account) in [
        ("two grants on one collection", twice),
        ("a grant of nothing", nothing),
    ] {
        match store.add_taxii_account(&account) {
            Err(StoreError::Misuse { .. }) => {}
            other => panic!("{what}: expected Misuse, got {other:?}"),
        }
    }
    assert_eq!(store.taxii_accounts().expect("taxii_accounts"), vec![]);
    let longest = TaxiiAccountRecord {
        name: account_name(&"a".repeat(64)),
        ..base
    };
    store.add_taxii_account(&longest).expect("the longest name");
    assert_eq!(
        store.taxii_accounts().expect("taxii_accounts"),
        vec![longest]
    );
}
