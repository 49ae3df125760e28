//! Checks of signatures on agreements (docs/storage.md, "Agreement signatures": an
//! agreement is in force once every party has signed the SAME bytes). The
//! node verifies each signature; the store keeps them consistent: every
//! signature on one version is over one document, one per signer.

use detente_proto::ids::DocumentId;

use crate::{AgreementSignature, AgreementSignatureConflict, Store, StoreError};

use super::data::{at, party};

const INCIDENTS: &str = "ru-us-ict-incidents";
const HOTLINE: &str = "ru-us-hotline";

/// The SHA-256 of agreement document `n` (a stand-in: the store never hashes it).
fn document(n: u8) -> [u8; 32] {
    let mut hash = [0xd0; 32];
    hash[0] = n;
    hash
}

/// `signer`'s signature on `id@version` over document `n`, recorded `ms`
/// after the suite's epoch. The wrapper is not valid UTF-8, so a text
/// encoding would break it.
fn signature(id: &str, version: u32, signer: &str, n: u8, ms: i64) -> AgreementSignature {
    let mut signed = format!(
        r#"{{"agreement":{{"id":"{id}","version":{version},"document":{n}}},"key_id":"{signer}-key","signature":""#
    )
    .into_bytes();
    signed.extend_from_slice(&[0, 0xfe, 0xff, b'"', b'}']);
    AgreementSignature {
        agreement_id: doc(id),
        version,
        signer: party(signer),
        document_sha256: document(n),
        signed,
        recorded_at: at(ms),
    }
}

fn put(store: &dyn Store, signature: &AgreementSignature) -> bool {
    store
        .put_agreement_signature(signature)
        .unwrap_or_else(|e| {
            panic!(
                "put_agreement_signature({}@{} by {}) failed: {e}",
                signature.agreement_id, signature.version, signature.signer
            )
        })
}

/// The agreement id `id`.
fn doc(id: &str) -> DocumentId {
    id.parse().expect("a document id")
}

fn stored(store: &dyn Store, id: &str, version: u32) -> Vec<AgreementSignature> {
    store
        .agreement_signatures(&doc(id), version)
        .unwrap_or_else(|e| panic!("agreement_signatures({id:?}, {version}) failed: {e}"))
}

fn versions(store: &dyn Store) -> Vec<(String, u32)> {
    store
        .agreement_versions()
        .expect("agreement_versions failed")
        .into_iter()
        .map(|(id, version)| (id.to_string(), version))
        .collect()
}

/// Asserts that `result` is a conflict naming the agreement, version and
/// both signers and hashes.
fn assert_conflict(
    result: Result<bool, StoreError>,
    refused: &AgreementSignature,
    stored_signer: &str,
    stored_sha256: [u8; 32],
) {
    match result {
        Err(StoreError::AgreementSignatureConflict(conflict)) => assert_eq!(
            *conflict,
            AgreementSignatureConflict {
                agreement_id: refused.agreement_id.clone(),
                version: refused.version,
                signer: refused.signer.to_string(),
                offered_sha256: refused.document_sha256,
                stored_signer: stored_signer.to_owned(),
                stored_sha256,
            },
            "the conflict names the agreement, version, signers and documents"
        ),
        other => panic!(
            "expected AgreementSignatureConflict for {}@{} by {}, got {other:?}",
            refused.agreement_id, refused.version, refused.signer
        ),
    }
}

/// Two parties' signatures on one version read back exactly, by signer
/// (byte order of the code), whatever order they were stored in; other
/// versions and ids are separate.
pub fn agreement_signatures_round_trip_by_signer(store: &dyn Store) {
    assert_eq!(stored(store, INCIDENTS, 1), vec![], "none at first");
    assert_eq!(versions(store), vec![], "no signed versions at first");

    let us = signature(INCIDENTS, 1, "US", 1, 1_000);
    let ru = signature(INCIDENTS, 1, "RU", 1, 2_000);
    assert!(put(store, &us), "the first signature is recorded");
    assert!(put(store, &ru), "the countersignature is recorded");
    assert_eq!(
        stored(store, INCIDENTS, 1),
        vec![ru.clone(), us.clone()],
        "every field, by signer"
    );

    // Byte order: "OSCE-1" before "RU", and "RU" before "RU-2", which it begins.
    let osce = signature(INCIDENTS, 1, "OSCE-1", 1, 3_000);
    let ru2 = signature(INCIDENTS, 1, "RU-2", 1, 500);
    assert!(put(store, &ru2));
    assert!(put(store, &osce));
    assert_eq!(
        stored(store, INCIDENTS, 1),
        vec![osce, ru, ru2, us],
        "by signer code in byte order, not by time recorded"
    );
    assert_eq!(stored(store, INCIDENTS, 2), vec![], "another version");
    assert_eq!(stored(store, HOTLINE, 1), vec![], "another agreement");
    assert_eq!(
        stored(store, "ru-us-ict-incident", 1),
        vec![],
        "ids match exactly"
    );
}

/// The same signature stored again returns false and writes nothing; so does
/// the signer's signature over the same document in other signed bytes (a
/// new key, say): the first one stays.
pub fn the_same_agreement_signature_again_records_nothing(store: &dyn Store) {
    let first = signature(INCIDENTS, 1, "US", 1, 1_000);
    assert!(put(store, &first), "the first time");
    assert!(!put(store, &first), "the same signature again");
    let later = AgreementSignature {
        recorded_at: at(60_000),
        ..first.clone()
    };
    assert!(!put(store, &later), "the same signature, later");
    let rewrapped = AgreementSignature {
        signed: b"{\"agreement\":{},\"key_id\":\"US-key-2\",\"signature\":\"x\"}".to_vec(),
        ..later.clone()
    };
    assert!(
        !put(store, &rewrapped),
        "the same document in other signed bytes"
    );
    assert_eq!(
        stored(store, INCIDENTS, 1),
        vec![first],
        "one row, as first stored"
    );
    assert_eq!(versions(store), vec![(INCIDENTS.to_owned(), 1)]);
}

/// A signer's second signature on a version, over another document, is a
/// conflict and changes nothing, even when it is the only signature stored.
pub fn a_second_agreement_signature_over_other_bytes_is_a_conflict(store: &dyn Store) {
    let us = signature(INCIDENTS, 1, "US", 1, 1_000);
    assert!(put(store, &us));
    let other = signature(INCIDENTS, 1, "US", 2, 2_000);
    assert_conflict(
        store.put_agreement_signature(&other),
        &other,
        "US",
        document(1),
    );
    assert_eq!(stored(store, INCIDENTS, 1), vec![us.clone()], "unchanged");

    let ru = signature(INCIDENTS, 1, "RU", 1, 3_000);
    assert!(
        put(store, &ru),
        "the countersignature over the same document"
    );
    let other = signature(INCIDENTS, 1, "RU", 3, 4_000);
    assert_conflict(
        store.put_agreement_signature(&other),
        &other,
        "RU",
        document(1),
    );
    assert_eq!(stored(store, INCIDENTS, 1), vec![ru, us], "nothing changed");
    assert_eq!(versions(store), vec![(INCIDENTS.to_owned(), 1)]);
}

/// Every signature on a version is over one document: another signer's
/// signature over another document than the first stored is a conflict
/// naming the first signer, and writes nothing; the same document on
/// another version or agreement is no conflict.
pub fn an_agreement_signature_over_another_document_is_a_conflict(store: &dyn Store) {
    let us = signature(INCIDENTS, 2, "US", 1, 1_000);
    assert!(put(store, &us));
    let ru = signature(INCIDENTS, 2, "RU", 2, 2_000);
    assert_conflict(store.put_agreement_signature(&ru), &ru, "US", document(1));
    assert_eq!(stored(store, INCIDENTS, 2), vec![us.clone()], "unchanged");

    // Signed over the version's document, the countersignature is stored;
    // a third party over yet another document still conflicts with the first.
    let ru = signature(INCIDENTS, 2, "RU", 1, 3_000);
    assert!(put(store, &ru));
    let un = signature(INCIDENTS, 2, "UN", 3, 4_000);
    assert_conflict(store.put_agreement_signature(&un), &un, "US", document(1));
    assert_eq!(stored(store, INCIDENTS, 2), vec![ru, us], "nothing changed");

    // Each version and each agreement has its own document.
    let v3 = signature(INCIDENTS, 3, "RU", 2, 5_000);
    let hotline = signature(HOTLINE, 2, "RU", 3, 6_000);
    assert!(put(store, &v3), "another version, another document");
    assert!(put(store, &hotline), "another agreement, another document");
    assert_eq!(stored(store, INCIDENTS, 3), vec![v3]);
    assert_eq!(stored(store, HOTLINE, 2), vec![hotline]);
}

/// The signed versions are listed once each, by id (byte order), newest
/// version of each id first, whatever order they were signed in.
pub fn agreement_versions_by_id_newest_first(store: &dyn Store) {
    let signed = [
        (INCIDENTS, 2, "US"),
        (HOTLINE, 1, "RU"),
        (INCIDENTS, 1, "US"),
        (INCIDENTS, 10, "RU"),
        (HOTLINE, 3, "US"),
        (INCIDENTS, 2, "RU"),
        (INCIDENTS, 1, "RU"),
        (HOTLINE, 2, "US"),
        ("a", u32::MAX, "UN"),
    ];
    for (n, (id, version, signer)) in (0_i64..).zip(signed) {
        let document = u8::try_from(version % 200).expect("below 200");
        assert!(put(store, &signature(id, version, signer, document, n)));
    }
    let expected: Vec<(String, u32)> = [
        ("a", u32::MAX),
        (HOTLINE, 3),
        (HOTLINE, 2),
        (HOTLINE, 1),
        (INCIDENTS, 10),
        (INCIDENTS, 2),
        (INCIDENTS, 1),
    ]
    .into_iter()
    .map(|(id, version)| (id.to_owned(), version))
    .collect();
    assert_eq!(
        versions(store),
        expected,
        "by id, newest version first (10 after 2: numbers, not text), each once"
    );
    assert_eq!(stored(store, "a", u32::MAX).len(), 1, "the largest version");
}

fn is_misuse<T>(result: &Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::Misuse { .. }))
}

/// Version 0 is the caller's bug: `Misuse`, to store or to read, and
/// nothing is written. (An id is a `DocumentId`, which keeps its rule by
/// its type: the longest and the shortest are stored.)
pub fn agreement_signature_misuse_is_refused_and_writes_nothing(store: &dyn Store) {
    let longest = "x".repeat(64);
    let result = store.put_agreement_signature(&signature(INCIDENTS, 0, "US", 1, 0));
    assert!(is_misuse(&result), "storing version 0: {result:?}");
    let result = store.agreement_signatures(&doc(INCIDENTS), 0);
    assert!(is_misuse(&result), "reading version 0: {result:?}");
    assert_eq!(versions(store), vec![], "nothing written");

    let edge = signature(&longest, 1, "US", 1, 0);
    assert!(put(store, &edge), "an id of 64 characters");
    assert!(put(store, &signature("-", 1, "US", 1, 0)), "an id of '-'");
    assert_eq!(stored(store, &longest, 1), vec![edge]);
    assert_eq!(
        versions(store),
        vec![("-".to_owned(), 1), (longest, 1)],
        "only the valid ones"
    );
}
