//! The officer API: bearer tokens scoped to tiers, problem+json errors,
//! validation that names the field, acknowledgements, and the OpenAPI document.

mod common;

use common::{Net, eventually, officer_send, pinned_http, send_notification, show, stored};
use detente_node::admin::{OfficerSpec, add_officer};
use detente_node::officer_client::{ApiCallError, OfficerClient};
use detente_proto::clock::SystemClock;
use detente_proto::ids::Tier;
use serde_json::{Value, json};

async fn world() -> Net {
    let mut net = Net::new(&["RU", "US"]);
    net.start("RU").await;
    net.start("US").await;
    net
}

/// An officer of `code` cleared only for `tiers`.
fn officer(net: &Net, code: &str, name: &str, tiers: Vec<Tier>) -> OfficerClient {
    let spec = OfficerSpec {
        name: name.parse().expect("name"),
        tiers,
    };
    let token = add_officer(&**net.node(code).store(), &SystemClock, &spec)
        .expect("add officer")
        .credential;
    OfficerClient::for_node_dir(&net.get(code).dir, &net.url(code), &token).expect("client")
}

fn problem(result: Result<Value, ApiCallError>) -> (u16, Value) {
    match result {
        Err(ApiCallError::Problem(p)) => (p.status.as_u16(), p.problem),
        other => panic!("expected a problem, got {other:?}"),
    }
}

#[tokio::test]
async fn no_or_bad_token_is_401_and_shows_nothing() {
    let net = world().await;
    let anonymous =
        OfficerClient::for_node_dir(&net.get("RU").dir, &net.url("RU"), "").expect("client");
    let (status, body) = problem(anonymous.get("/api/v1/messages").await);
    assert_eq!(status, 401);
    assert_eq!(body["type"], "urn:detente:problem:unauthenticated");
    let wrong = OfficerClient::for_node_dir(&net.get("RU").dir, &net.url("RU"), "dtn_not-a-token")
        .expect("client");
    let (status, body) = problem(wrong.get("/api/v1/messages").await);
    assert_eq!(status, 401);
    assert!(body["reason"] == "unknown-token", "{body}");
    // Another node's token does not work here either.
    let us_token_at_ru =
        OfficerClient::for_node_dir(&net.get("RU").dir, &net.url("RU"), &net.get("US").token)
            .expect("client");
    assert_eq!(problem(us_token_at_ru.get("/api/v1/messages").await).0, 401);
}

#[tokio::test]
async fn officer_cannot_send_for_a_tier_they_are_not_cleared_for() {
    let net = world().await;
    let technician = officer(&net, "RU", "Petrov", vec![Tier::Technical]);
    let (status, body) = problem(
        technician
            .post(
                "/api/v1/messages",
                &json!({"to": {"party": "US", "tier": "operational"}, "from_tier": "operational",
                "kind": "notification", "body": {"subject": "s", "summary": "s"}}),
            )
            .await,
    );
    assert_eq!(status, 403);
    assert_eq!(body["type"], "urn:detente:problem:not-cleared");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or("")
            .contains("cleared for [technical], not operational"),
        "{body}"
    );
    assert!(stored(&net.node("RU")).is_empty(), "nothing stored");
    assert!(stored(&net.node("US")).is_empty(), "nothing sent");
}

#[tokio::test]
async fn officers_see_only_their_tiers() {
    let net = world().await;
    let operational: Value = net
        .client("RU")
        .post(
            "/api/v1/messages",
            &json!({"to": {"party": "US", "tier": "operational"}, "from_tier": "operational",
            "kind": "goodwill", "body": {"text": "Season's greetings"}}),
        )
        .await
        .expect("queued");
    let id = operational["id"].as_str().expect("id");
    let technician = officer(&net, "RU", "Petrov", vec![Tier::Technical]);
    let listed: Value = technician
        .get("/api/v1/messages?box=all")
        .await
        .expect("list");
    assert_eq!(listed["messages"].as_array().map(Vec::len), Some(0));
    let (status, _) = problem(technician.get(&format!("/api/v1/messages/{id}")).await);
    assert_eq!(
        status, 404,
        "an operational message is invisible to a technical-only officer"
    );
    let listed: Value = net
        .client("RU")
        .get("/api/v1/messages?box=outbox")
        .await
        .expect("list");
    assert_eq!(listed["messages"][0]["id"], id);
}

#[tokio::test]
async fn compose_validation_names_the_field_and_stores_nothing() {
    let net = world().await;
    let ru = net.client("RU");
    let cases = [
        (
            json!({"to": {"party": "XX", "tier": "technical"}, "from_tier": "technical", "kind": "ping", "body": {}}),
            422,
            "unknown-party",
            Some("to.party"),
        ),
        (
            json!({"to": {"party": "US", "tier": "technical"}, "from_tier": "technical", "kind": "gossip", "body": {}}),
            422,
            "unknown-kind",
            Some("kind"),
        ),
        (
            json!({"to": {"party": "US", "tier": "technical"}, "from_tier": "technical", "kind": "notification", "body": {"subject": "s"}}),
            422,
            "invalid-field",
            Some("envelope.body"),
        ),
        (
            json!({"to": {"party": "US", "tier": "navy"}, "from_tier": "technical", "kind": "ping", "body": {}}),
            422,
            "invalid-field",
            Some("to.tier"),
        ),
        (
            json!({"to": {"party": "US", "tier": "technical"}, "from_tier": "technical", "kind": "ping", "body": {}, "priority": 1}),
            422,
            "invalid-field",
            None,
        ),
        (
            json!({"to": {"party": "US", "tier": "technical"}, "from_tier": "technical", "kind": "reply",
            "body": {"stage": "final", "text": "x"}}),
            422,
            "invalid-field",
            Some("envelope.in_reply_to"),
        ),
        (
            json!({"to": {"party": "US", "tier": "technical"}, "from_tier": "technical", "kind": "reply",
            "in_reply_to": "01937b2e-8f00-7000-8000-000000000001", "body": {"stage": "final", "text": "x"}}),
            404,
            "not-found",
            None,
        ),
    ];
    for (request, status, kind, field) in cases {
        let (got, body) = problem(ru.post("/api/v1/messages", &request).await);
        assert_eq!(got, status, "{request} → {body}");
        assert_eq!(
            body["type"],
            format!("urn:detente:problem:{kind}"),
            "{body}"
        );
        if let Some(field) = field {
            assert!(
                body["field"].as_str().unwrap_or("").starts_with(field),
                "{request} → {body}"
            );
        }
    }
    assert!(stored(&net.node("RU")).is_empty(), "nothing stored");
}

#[tokio::test]
async fn out_of_bounds_bodies_are_refused_at_compose_not_queued() {
    let net = world().await;
    // A STIX bundle nested deeper than the 64 levels a peer accepts.
    let mut deep = json!("leaf");
    for _ in 0..70 {
        deep = json!({"x": deep});
    }
    let bundle = json!({"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
        "objects": [{"type": "note", "spec_version": "2.1",
            "id": "note--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "created": "2026-11-28T09:30:00.000Z", "modified": "2026-11-28T09:30:00.000Z",
            "content": "Deep custom property follows",
            "object_refs": ["indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"],
            "x_deep": deep}]});
    let (status, body) = problem(
        net.client("RU")
            .post(
                "/api/v1/messages",
                &json!({"to": {"party": "US", "tier": "technical"}, "from_tier": "technical",
                "kind": "notification", "body": {"subject": "s", "summary": "s", "stix": bundle}}),
            )
            .await,
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["type"], "urn:detente:problem:out-of-bounds");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or("")
            .contains("nested deeper than 64"),
        "{body}"
    );
    assert!(stored(&net.node("RU")).is_empty(), "nothing queued");
}

#[tokio::test]
async fn a_party_cannot_acknowledge_its_own_message() {
    let net = world().await;
    let id = send_notification(&net, "RU", "US").await;
    let (status, body) = problem(
        net.client("RU")
            .post(
                "/api/v1/messages",
                &json!({"to": {"party": "US", "tier": "technical"}, "from_tier": "technical",
                "kind": "acknowledgement", "in_reply_to": id, "body": {}}),
            )
            .await,
    );
    assert_eq!(status, 422, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or("")
            .contains("was sent by this node"),
        "{body}"
    );
    assert!(show(&net, "RU", &id).await.get("acknowledged_by").is_none());
    assert_eq!(stored(&net.node("RU")).len(), 1, "only the notification");
}

#[tokio::test]
async fn malformed_json_and_unknown_paths_are_problems() {
    let net = world().await;
    let n = net.get("RU");
    let http = pinned_http(&net, "RU");
    let response = http
        .post(format!("{}/api/v1/messages", net.url("RU")))
        .bearer_auth(&n.token)
        .body("{\"to\":")
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["type"], "urn:detente:problem:malformed-json");
    let response = http
        .get(format!("{}/nowhere", net.url("RU")))
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let (status, body) = problem(net.client("RU").get("/api/v1/messages?box=trash").await);
    assert_eq!(
        (status, &body["reason"]),
        (422, &json!("unknown-value")),
        "{body}"
    );
}

#[tokio::test]
async fn acknowledgement_round_trip() {
    let net = world().await;
    let id = officer_send(
        &net,
        "RU",
        "US",
        "notification",
        json!({"subject": "Incident", "summary": "details"}),
    )
    .await;
    eventually(20, "US received it", || async {
        !stored(&net.node("US")).is_empty()
    })
    .await;
    let inbox: Value = net
        .client("US")
        .get("/api/v1/messages?box=inbox")
        .await
        .expect("inbox");
    assert_eq!(inbox["messages"][0]["id"], id.as_str());
    assert_eq!(inbox["messages"][0]["state"], "received");
    assert_eq!(
        inbox["messages"][0]["receipt"]["verified"], true,
        "our own receipt verifies"
    );

    let ack: Value = net
        .client("US")
        .post(
            &format!("/api/v1/messages/{id}/ack"),
            &json!({"note": "looking into it"}),
        )
        .await
        .expect("ack queued");
    assert_eq!(ack["kind"], "acknowledgement");
    assert_eq!(ack["in_reply_to"], id.as_str());
    assert_eq!(ack["to"]["party"], "RU");
    eventually(20, "RU sees the acknowledgement", || async {
        show(&net, "RU", &id).await.get("acknowledged_by").is_some()
    })
    .await;
    let shown = show(&net, "RU", &id).await;
    assert_eq!(shown["acknowledged_by"]["id"], ack["id"]);
    assert_eq!(shown["state"], "delivered");

    // Only received messages, and not acknowledgements, can be acknowledged.
    let (status, _) = problem(
        net.client("RU")
            .post(&format!("/api/v1/messages/{id}/ack"), &json!({}))
            .await,
    );
    assert_eq!(status, 422);
    let ack_id = ack["id"].as_str().expect("id");
    eventually(20, "ack delivered", || async {
        show(&net, "RU", ack_id).await["state"] == "received"
    })
    .await;
    let (status, _) = problem(
        net.client("RU")
            .post(&format!("/api/v1/messages/{ack_id}/ack"), &json!({}))
            .await,
    );
    assert_eq!(status, 422);
}

#[tokio::test]
async fn openapi_document_describes_the_contract() {
    let net = world().await;
    let document: Value = net
        .client("RU")
        .get("/api/v1/openapi.json")
        .await
        .expect("openapi");
    assert!(
        document["openapi"].as_str().unwrap_or("").starts_with("3."),
        "{document}"
    );
    for path in [
        "/api/v1/messages",
        "/api/v1/messages/{id}",
        "/api/v1/messages/{id}/ack",
    ] {
        assert!(document["paths"].get(path).is_some(), "{path} missing");
    }
    assert!(document["components"]["securitySchemes"]["bearer"].is_object());
    assert!(document["components"]["schemas"]["ComposeRequest"].is_object());
}
