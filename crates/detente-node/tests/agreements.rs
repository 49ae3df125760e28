//! Agreements between real nodes: proposed by one party, countersigned by
//! the other, in force only then, and enforced at compose and on receipt.

mod common;

use common::{Net, RawPeer, in_force_on_both, notification, officer_call};
use detente_proto::agreement::AgreementSpec;
use detente_proto::body::{AgreementSignature, Body, ConsultationRequest};
use detente_proto::kind::MessageKind;
use detente_proto::log_entry::LogEntry;
use serde_json::{Value, json};

const EXAMPLE: &str = include_str!("../testdata/agreement-example.toml");
const REFERENCE: &str = "ru-us-ict-incidents@1";

async fn two_nodes() -> Net {
    let mut net = Net::new(&["RU", "US"]);
    net.start("RU").await;
    net.start("US").await;
    net
}

fn compose(kind: &str, body: Value) -> Value {
    json!({"to": {"party": "US", "tier": "technical"}, "from_tier": "technical", "kind": kind, "body": body})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agreement_binds_once_both_sign_and_is_then_enforced_on_both_sides() {
    let net = two_nodes().await;
    let consultation = compose(
        "consultation-request",
        json!({"subject": "s", "agenda": "a"}),
    );
    // No agreement yet: the channel is open.
    let (status, _) = officer_call(
        &net,
        "RU",
        "POST",
        "/api/v1/messages",
        Some(consultation.clone()),
    )
    .await;
    assert_eq!(status, 202);

    in_force_on_both(&net, EXAMPLE, REFERENCE).await;

    // At compose: technical may not request consultations.
    let (status, problem) =
        officer_call(&net, "RU", "POST", "/api/v1/messages", Some(consultation)).await;
    assert_eq!(status, 403, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("tier technical may not send consultation-request")),
        "{problem}"
    );
    // Allowed kinds carry the agreement's reference.
    let (status, message) = officer_call(
        &net,
        "RU",
        "POST",
        "/api/v1/messages",
        Some(compose(
            "notification",
            json!({"subject": "s", "summary": "s"}),
        )),
    )
    .await;
    assert_eq!(status, 202, "{message}");
    let id = message["id"].as_str().expect("id");
    let (_, shown) = officer_call(&net, "RU", "GET", &format!("/api/v1/messages/{id}"), None).await;
    assert_eq!(shown["signed_envelope"]["envelope"]["agreement"], REFERENCE);

    // On receipt: a peer sending what the agreement refuses is refused.
    let us = RawPeer::new(&net, "US", "RU");
    let mut refused = notification("US", "RU", "s");
    refused.body = Body::ConsultationRequest(ConsultationRequest {
        subject: "s".into(),
        agenda: "a".into(),
        proposed_times: Vec::new(),
        alleged_breach: None,
    });
    let (status, problem, _) = us.send(refused).await;
    assert_eq!(status, 403, "{problem}");
    assert_eq!(
        problem["type"], "urn:detente:problem:agreement-refuses",
        "{problem}"
    );

    // Both signatures are document leaves in both logs.
    for code in ["RU", "US"] {
        let node = net.node(code);
        let size = node.log().checkpoint().expect("checkpoint").size;
        let ids: Vec<String> = node
            .store()
            .log_entries(0, size)
            .expect("entries")
            .iter()
            .filter_map(|e| LogEntry::parse(e).ok())
            .map(|e| e.id)
            .collect();
        for signer in ["RU", "US"] {
            let want = format!("agreement/{REFERENCE}/{signer}");
            assert!(ids.contains(&want), "{code}'s log lacks {want}: {ids:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_agreements_and_signatures_are_refused_and_change_nothing() {
    let net = two_nodes().await;
    // An unknown tier.
    let bad = EXAMPLE.replace("[tiers.policy]", "[tiers.ministry]");
    let (status, problem) = officer_call(
        &net,
        "RU",
        "POST",
        "/api/v1/agreements",
        Some(json!({"agreement": bad, "to": "US"})),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("\"ministry\" is not a tier")),
        "{problem}"
    );
    // An agreement between others.
    let others = EXAMPLE.replace("parties = [\"RU\", \"US\"]", "parties = [\"US\", \"FR\"]");
    let (status, problem) = officer_call(
        &net,
        "RU",
        "POST",
        "/api/v1/agreements",
        Some(json!({"agreement": others, "to": "US"})),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    // Agreement kinds do not go through the generic compose.
    let (status, problem) = officer_call(
        &net,
        "RU",
        "POST",
        "/api/v1/messages",
        Some(compose("agreement-propose", json!({"signed": "{}"}))),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    let (_, list) = officer_call(&net, "RU", "GET", "/api/v1/agreements", None).await;
    assert_eq!(list["agreements"], json!([]), "nothing stored");

    // RU proposes; US (raw) countersigns an amended text: refused.
    let (status, _) = officer_call(
        &net,
        "RU",
        "POST",
        "/api/v1/agreements",
        Some(json!({"agreement": EXAMPLE, "to": "US"})),
    )
    .await;
    assert_eq!(status, 202);
    let us = RawPeer::new(&net, "US", "RU");
    let mut amended = AgreementSpec::parse(EXAMPLE)
        .and_then(AgreementSpec::validate)
        .expect("valid");
    amended.title.push_str(" (amended)");
    let other_bytes = amended
        .sign(&"US".parse().expect("US"), &us.keys.signing)
        .expect("signs");
    let mut envelope = notification("US", "RU", "s");
    envelope.body = Body::AgreementSign(AgreementSignature {
        signed: String::from_utf8(other_bytes.bytes().to_vec()).expect("utf-8"),
    });
    assert_eq!(envelope.kind(), MessageKind::AgreementSign);
    let (status, problem, _) = us.send(envelope).await;
    assert_eq!(status, 403, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("over another text")),
        "{problem}"
    );
    let (_, view) = officer_call(
        &net,
        "RU",
        "GET",
        &format!("/api/v1/agreements/{REFERENCE}"),
        None,
    )
    .await;
    assert_eq!(
        view["signed_by"],
        json!({"RU": true, "US": false}),
        "{view}"
    );
    assert_eq!(view["in_force"], false);
    // A sign of an unknown agreement version.
    let (status, _) =
        officer_call(&net, "RU", "POST", "/api/v1/agreements/nope@9/sign", None).await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_text_under_a_signed_version_is_a_conflict_an_amendment_is_a_new_version() {
    let net = two_nodes().await;
    let propose = |text: String| {
        let net = &net;
        async move {
            officer_call(
                net,
                "RU",
                "POST",
                "/api/v1/agreements",
                Some(json!({"agreement": text, "to": "US"})),
            )
            .await
        }
    };
    assert_eq!(propose(EXAMPLE.to_owned()).await.0, 202);
    // The same text again changes nothing.
    assert_eq!(propose(EXAMPLE.to_owned()).await.0, 202);
    let changed = EXAMPLE.replace("clock_skew = \"5m\"", "clock_skew = \"10m\"");
    let (status, problem) = propose(changed.clone()).await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["type"], "urn:detente:problem:agreement-conflict");
    // As version 2 it is an amendment.
    let amendment = changed.replace("version = 1", "version = 2");
    let (status, view) = propose(amendment).await;
    assert_eq!(status, 202, "{view}");
    let (_, list) = officer_call(&net, "RU", "GET", "/api/v1/agreements", None).await;
    let references: Vec<&str> = list["agreements"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|a| a["reference"].as_str())
        .collect();
    assert_eq!(references, ["ru-us-ict-incidents@2", REFERENCE]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_amendment_proposed_by_a_non_party_is_refused_and_changes_nothing() {
    let mut net = Net::new(&["RU", "US", "UN"]);
    for code in ["RU", "US", "UN"] {
        net.start(code).await;
    }
    in_force_on_both(&net, EXAMPLE, REFERENCE).await;
    // UN, a peer of both but no party, proposes version 2 of their agreement.
    let un = RawPeer::new(&net, "UN", "US");
    let mut amendment = AgreementSpec::parse(EXAMPLE)
        .and_then(AgreementSpec::validate)
        .expect("valid");
    amendment.version = 2;
    amendment.exercises.allowed = false;
    let err = amendment
        .sign(&"UN".parse().expect("UN"), &un.keys.signing)
        .expect_err("a non-party cannot even sign it");
    assert!(err.to_string().contains("UN"), "{err}");
    // Signed anyway, as a hostile node would, with the signing wrapper
    // of a party's document: US refuses it before storing anything.
    let forged = amendment
        .sign(&"US".parse().expect("US"), &un.keys.signing)
        .expect("signs as if it were US");
    let mut envelope = notification("UN", "US", "s");
    envelope.body = Body::AgreementPropose(AgreementSignature {
        signed: String::from_utf8(forged.bytes().to_vec()).expect("utf-8"),
    });
    let (status, problem, _) = un.send(envelope).await;
    assert_eq!(status, 403, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("UN") && d.contains("not a party")),
        "{problem}"
    );
    let (_, list) = officer_call(&net, "US", "GET", "/api/v1/agreements", None).await;
    let references: Vec<&str> = list["agreements"]
        .as_array()
        .expect("agreements")
        .iter()
        .filter_map(|a| a["reference"].as_str())
        .collect();
    assert_eq!(references, [REFERENCE], "{list}");
}
