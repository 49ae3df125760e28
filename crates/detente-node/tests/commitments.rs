//! Guarantees and pledges between real nodes on a simulated clock (issue
//! 5): each lifecycle path, each refusal, and citations of a breach.

mod common;

use std::sync::Arc;

use chrono::TimeDelta;
use common::{Net, RawPeer, eventually, notification, officer_call};
use detente_proto::body::{Body, GuaranteeSignature, PledgeSign};
use detente_proto::clock::{Clock, ManualClock, SystemClock};
use detente_proto::guarantee::GuaranteeSpec;
use detente_proto::kind::MessageKind;
use detente_proto::time::Timestamp;
use detente_store::DocumentKind;
use serde_json::{Value, json};

/// RU, US and UN on one manual clock; no agreement, so channels are open.
async fn three_nodes() -> (Net, Arc<ManualClock>) {
    let mut net = Net::new(&["RU", "US", "UN"]);
    let clock = Arc::new(ManualClock::new(SystemClock.now()));
    for code in ["RU", "US", "UN"] {
        net.configure(code, |c| c.engine.run = false);
        net.start_with_clock(code, clock.clone()).await;
    }
    (net, clock)
}

fn guarantee_toml(
    id: &str,
    reciprocal: bool,
    effective: Timestamp,
    expires: Option<Timestamp>,
) -> String {
    let expires = expires.map_or(String::new(), |e| format!("expires = \"{e}\"\n"));
    format!(
        r#"id = "{id}"
reciprocal = {reciprocal}
issuer = "RU"
beneficiary = "US"
scope = ["elections", "internal-affairs"]
effective_from = "{effective}"
{expires}notice = "30d"

[text]
en = "Neither party will interfere in the other's elections by means of ICT."
ru = "Ни одна из сторон не будет вмешиваться в выборы другой стороны с помощью ИКТ."
ar = "لن يتدخل أي من الطرفين في انتخابات الطرف الآخر بواسطة تكنولوجيا المعلومات والاتصالات."
"#
    )
}

async fn call(
    net: &Net,
    code: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    officer_call(net, code, method, path, body).await
}

async fn state_at(net: &Net, code: &str, id: &str, at: Timestamp) -> Value {
    let (status, view) = call(
        net,
        code,
        "GET",
        &format!("/api/v1/guarantees/{id}?at={at}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{view}");
    view
}

/// Waits until `code` knows guarantee `id` with `signers` signed.
async fn known_with(net: &Net, code: &str, id: &str, signers: Value) {
    eventually(30, "the guarantee reaches the other side", || async {
        let (status, view) =
            call(net, code, "GET", &format!("/api/v1/guarantees/{id}"), None).await;
        status == 200 && view["signed_by"] == signers
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reciprocal_guarantee_binds_once_both_sign_and_lapses_after_notice() {
    let (net, clock) = three_nodes().await;
    let t0 = clock.now();
    let (status, view) = call(
        &net,
        "RU",
        "POST",
        "/api/v1/guarantees",
        Some(json!({"guarantee": guarantee_toml("ru-us-elections", true, t0, None)})),
    )
    .await;
    assert_eq!(status, 202, "{view}");
    assert_eq!(
        view["state"], "proposed",
        "nobody is bound before both sign: {view}"
    );
    known_with(
        &net,
        "US",
        "ru-us-elections",
        json!({"RU": true, "US": false}),
    )
    .await;
    // The text arrives exactly as written.
    let (_, at_us) = call(
        &net,
        "US",
        "GET",
        "/api/v1/guarantees/ru-us-elections",
        None,
    )
    .await;
    assert!(
        at_us["document"]["text"]["ar"]
            .as_str()
            .is_some_and(|t| t.starts_with("لن يتدخل")),
        "{at_us}"
    );

    clock.advance(TimeDelta::hours(1));
    let (status, view) = call(
        &net,
        "US",
        "POST",
        "/api/v1/guarantees/ru-us-elections/sign",
        None,
    )
    .await;
    assert_eq!(status, 202, "{view}");
    assert_eq!(view["state"], "in-force", "{view}");
    let signed_at = clock.now();
    known_with(
        &net,
        "RU",
        "ru-us-elections",
        json!({"RU": true, "US": true}),
    )
    .await;
    for code in ["RU", "US"] {
        assert_eq!(
            state_at(&net, code, "ru-us-elections", signed_at).await["state"],
            "in-force"
        );
        // Before US signed, it was only proposed: the status is computed
        // from the signed records for any moment.
        let before = state_at(
            &net,
            code,
            "ru-us-elections",
            t0.plus(TimeDelta::minutes(30)),
        )
        .await;
        assert_eq!(before["state"], "proposed", "{code}: {before}");
    }

    // The beneficiary of a reciprocal guarantee is bound too, and may
    // withdraw; the guarantee binds through its 30-day notice.
    clock.advance(TimeDelta::days(1));
    let (status, view) = call(
        &net,
        "US",
        "POST",
        "/api/v1/guarantees/ru-us-elections/withdraw",
        Some(json!({"reason": "Elections law changed"})),
    )
    .await;
    assert_eq!(status, 202, "{view}");
    assert_eq!(view["state"], "withdrawal-notified", "{view}");
    eventually(30, "RU records the withdrawal", || async {
        call(
            &net,
            "RU",
            "GET",
            "/api/v1/guarantees/ru-us-elections",
            None,
        )
        .await
        .1["state"]
            == "withdrawal-notified"
    })
    .await;
    clock.advance(TimeDelta::days(30));
    for code in ["RU", "US"] {
        let (_, now) = call(
            &net,
            code,
            "GET",
            "/api/v1/guarantees/ru-us-elections",
            None,
        )
        .await;
        assert_eq!(now["state"], "lapsed", "{code}: {now}");
        assert!(
            now["status"]
                .as_str()
                .unwrap_or("")
                .contains("withdrawn by US"),
            "{now}"
        );
        let roles: Vec<&str> = now["history"]
            .as_array()
            .expect("history")
            .iter()
            .filter_map(|h| h["role"].as_str())
            .collect();
        assert_eq!(roles, ["sign", "sign", "withdraw"], "{code}: {now}");
    }
    // Each step is a document leaf in both logs.
    for code in ["RU", "US"] {
        let node = net.node(code);
        let size = node.log().checkpoint().expect("checkpoint").size;
        let leaves: Vec<String> = node
            .store()
            .log_entries(0, size)
            .expect("entries")
            .iter()
            .filter_map(|e| serde_json::from_slice::<Value>(e).ok())
            .filter_map(|e| e["id"].as_str().map(str::to_owned))
            .filter(|id| id.starts_with("guarantee/"))
            .collect();
        for expected in [
            "guarantee/ru-us-elections/sign/RU",
            "guarantee/ru-us-elections/sign/US",
            "guarantee/ru-us-elections/withdraw/US",
        ] {
            assert!(leaves.iter().any(|l| l == expected), "{code}: {leaves:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_way_guarantee_binds_its_issuer_alone_until_it_expires() {
    let (net, clock) = three_nodes().await;
    let t0 = clock.now();
    let effective = t0.plus(TimeDelta::days(1));
    let expires = t0.plus(TimeDelta::days(10));
    let (status, view) = call(
        &net,
        "RU",
        "POST",
        "/api/v1/guarantees",
        Some(json!({"guarantee": guarantee_toml("ru-one-way", false, effective, Some(expires))})),
    )
    .await;
    assert_eq!(status, 202, "{view}");
    assert_eq!(
        view["state"], "concluded",
        "signed, not yet effective: {view}"
    );
    known_with(&net, "US", "ru-one-way", json!({"RU": true})).await;
    assert_eq!(
        state_at(&net, "US", "ru-one-way", effective).await["state"],
        "in-force"
    );
    assert_eq!(
        state_at(&net, "US", "ru-one-way", expires).await["state"],
        "lapsed"
    );

    // The beneficiary may not withdraw it, nor sign it.
    for (path, body) in [
        ("withdraw", json!({"reason": "We do not want it"})),
        ("sign", json!({})),
    ] {
        let (status, problem) = call(
            &net,
            "US",
            "POST",
            &format!("/api/v1/guarantees/ru-one-way/{path}"),
            Some(body),
        )
        .await;
        assert_eq!(status, 422, "{path}: {problem}");
    }
    // Nor does a forged withdrawal from US get past RU's node.
    let us = RawPeer::new(&net, "US", "RU");
    let (_, shown) = call(&net, "RU", "GET", "/api/v1/guarantees/ru-one-way", None).await;
    let mut forged = notification("US", "RU", "s");
    forged.created_at = clock.now();
    forged.body = Body::GuaranteeWithdraw(detente_proto::body::GuaranteeWithdraw {
        guarantee: "ru-one-way".into(),
        document_sha256: shown["document_sha256"].as_str().expect("sha").into(),
        reason: "forged".into(),
    });
    let (status, problem, _) = us.send(forged).await;
    assert_eq!(status, 403, "{problem}");
    assert_eq!(
        problem["type"], "urn:detente:problem:document-refused",
        "{problem}"
    );
    let (_, after) = call(&net, "RU", "GET", "/api/v1/guarantees/ru-one-way", None).await;
    assert_eq!(
        after["history"].as_array().map(Vec::len),
        Some(1),
        "nothing recorded: {after}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_guarantees_and_signatures_over_other_bytes_are_refused_and_change_nothing() {
    let (net, clock) = three_nodes().await;
    let t0 = clock.now();
    let good = guarantee_toml("g-bad-input", true, t0, None);
    for (why, text, expect) in [
        (
            "expires before it takes effect",
            guarantee_toml("g-expired", true, t0, Some(t0.plus(TimeDelta::days(-1)))),
            "expires",
        ),
        (
            "malformed language tag",
            good.replace("\nar = ", "\nar_EG! = "),
            "ar_EG!",
        ),
        (
            "empty text",
            good.replace("by means of ICT.", "").replace(
                "en = \"Neither party will interfere in the other's elections \"",
                "en = \"   \"",
            ),
            "text",
        ),
        (
            "not this party's guarantee",
            good.replace("issuer = \"RU\"", "issuer = \"UN\""),
            "issuer",
        ),
    ] {
        let (status, problem) = call(
            &net,
            "RU",
            "POST",
            "/api/v1/guarantees",
            Some(json!({"guarantee": text})),
        )
        .await;
        assert_eq!(status, 422, "{why}: {problem}");
        assert!(
            problem["detail"].as_str().unwrap_or("").contains(expect),
            "{why}: {problem}"
        );
    }
    let (_, list) = call(&net, "RU", "GET", "/api/v1/guarantees", None).await;
    assert_eq!(list["guarantees"], json!([]), "nothing stored");

    // RU proposes; US countersigns other bytes (raw): refused.
    let (status, _) = call(
        &net,
        "RU",
        "POST",
        "/api/v1/guarantees",
        Some(json!({"guarantee": good})),
    )
    .await;
    assert_eq!(status, 202);
    known_with(&net, "US", "g-bad-input", json!({"RU": true, "US": false})).await;
    let us = RawPeer::new(&net, "US", "RU");
    let mut amended = GuaranteeSpec::parse(&good)
        .and_then(GuaranteeSpec::validate)
        .expect("valid");
    amended.scope.push("critical-infrastructure".into());
    let other = amended
        .sign(&"US".parse().expect("US"), &us.keys.signing)
        .expect("signs");
    let (_, proposed) = call(&net, "US", "GET", "/api/v1/guarantees/g-bad-input", None).await;
    let mut envelope = notification("US", "RU", "s");
    envelope.in_reply_to = proposed["history"][0]["message"]
        .as_str()
        .and_then(|m| m.parse().ok());
    envelope.body = Body::GuaranteeSign(GuaranteeSignature {
        signed: String::from_utf8(other.bytes().to_vec()).expect("utf-8"),
    });
    let (status, problem, _) = us.send(envelope).await;
    assert_eq!(status, 403, "{problem}");
    let (_, view) = call(&net, "RU", "GET", "/api/v1/guarantees/g-bad-input", None).await;
    assert_eq!(
        view["signed_by"],
        json!({"RU": true, "US": false}),
        "{view}"
    );
    assert_eq!(view["state"], "proposed");
}

fn pledge_toml(open_from: Timestamp, open_until: Timestamp) -> String {
    format!(
        r#"id = "no-first-use"
host = "UN"
title = "Pledge of no first use of ICT against each other"
open_from = "{open_from}"
open_until = "{open_until}"

[text]
en = "Each signatory pledges not to be the first to use ICT against another signatory."
ru = "Каждый подписавший обязуется не применять первым ИКТ против другого подписавшего."
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pledge_hosted_by_un_is_signed_through_the_peer_api_until_its_window_closes() {
    let (net, clock) = three_nodes().await;
    let t0 = clock.now();
    let (status, view) = call(
        &net,
        "UN",
        "POST",
        "/api/v1/pledges",
        Some(json!({"pledge": pledge_toml(t0, t0.plus(TimeDelta::days(7)))})),
    )
    .await;
    assert_eq!(status, 201, "{view}");
    assert_eq!(view["reference"], "UN/no-first-use");
    // A pledge is published by its host only.
    let (status, _) = call(
        &net,
        "RU",
        "POST",
        "/api/v1/pledges",
        Some(json!({"pledge": pledge_toml(t0, t0.plus(TimeDelta::days(7)))})),
    )
    .await;
    assert_eq!(status, 422);

    for (signed, code) in ["RU", "US"].into_iter().enumerate() {
        clock.advance(TimeDelta::hours(1));
        let (status, view) = call(
            &net,
            code,
            "POST",
            "/api/v1/pledges/UN/no-first-use/sign",
            None,
        )
        .await;
        assert_eq!(status, 202, "{code}: {view}");
        // Delivered before the shared clock moves on: a delivery still in
        // flight when it jumps an hour arrives outside the allowed skew.
        eventually(30, "UN records the signature", || async {
            let (_, view) = call(&net, "UN", "GET", "/api/v1/pledges/UN/no-first-use", None).await;
            view["signatories"].as_array().map(Vec::len) == Some(signed + 1)
        })
        .await;
    }
    // RU reads the registry from UN, every entry checked.
    let (_, at_ru) = call(&net, "RU", "GET", "/api/v1/pledges/UN/no-first-use", None).await;
    let parties: Vec<&str> = at_ru["signatories"]
        .as_array()
        .expect("signatories")
        .iter()
        .filter_map(|s| s["party"].as_str())
        .collect();
    assert_eq!(parties, ["RU", "US"], "{at_ru}");

    // US withdraws; at a moment before, it was a signatory; after, not.
    clock.advance(TimeDelta::hours(1));
    let before = clock.now();
    clock.advance(TimeDelta::minutes(1));
    let (status, view) = call(
        &net,
        "US",
        "POST",
        "/api/v1/pledges/UN/no-first-use/withdraw",
        Some(json!({"reason": "Review"})),
    )
    .await;
    assert_eq!(status, 202, "{view}");
    eventually(30, "UN records the withdrawal", || async {
        let (_, view) = call(&net, "UN", "GET", "/api/v1/pledges/UN/no-first-use", None).await;
        view["signatories"].as_array().map(Vec::len) == Some(1)
    })
    .await;
    let (_, then) = call(
        &net,
        "UN",
        "GET",
        &format!("/api/v1/pledges/UN/no-first-use?at={before}"),
        None,
    )
    .await;
    assert_eq!(
        then["signatories"].as_array().map(Vec::len),
        Some(2),
        "{then}"
    );

    // After the window closes, a signature is refused by the signer's node
    // and, sent anyway, by the host.
    clock.advance(TimeDelta::days(8));
    let (status, problem) = call(
        &net,
        "US",
        "POST",
        "/api/v1/pledges/UN/no-first-use/sign",
        None,
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem["reason"] == "closed", "{problem}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_host_refuses_a_pledge_signature_after_the_window_or_over_other_bytes() {
    let (net, clock) = three_nodes().await;
    let t0 = clock.now();
    // A window that closed a minute ago, by the host's clock.
    let (status, view) = call(
        &net,
        "UN",
        "POST",
        "/api/v1/pledges",
        Some(json!({"pledge": pledge_toml(t0.plus(TimeDelta::days(-7)), t0.plus(TimeDelta::minutes(-1)))})),
    )
    .await;
    assert_eq!(status, 201, "{view}");
    let (_, registry) = call(&net, "UN", "GET", "/peer/v1/pledges/no-first-use", None).await;
    let published = registry["pledge"].as_str().expect("pledge").to_owned();
    let document: Value = serde_json::from_str(&published).expect("json");
    let pledge: detente_proto::pledge::Pledge =
        serde_json::from_value(document["pledge"].clone()).expect("pledge document");
    let ru = RawPeer::new(&net, "RU", "UN");
    let signed = pledge
        .sign(&"RU".parse().expect("RU"), &ru.keys.signing)
        .expect("signs");
    let mut envelope = notification("RU", "UN", "s");
    envelope.body = Body::PledgeSign(PledgeSign {
        pledge: "UN/no-first-use".parse().expect("ref"),
        signed: String::from_utf8(signed.bytes().to_vec()).expect("utf-8"),
    });
    let (status, problem, _) = ru.send(envelope).await;
    assert_eq!(status, 403, "{problem}");
    assert!(problem["reason"] == "closed", "{problem}");
    // A signature over another text than the one published.
    let mut other = pledge.clone();
    other.title.push_str(" (amended)");
    let signed = other
        .sign(&"RU".parse().expect("RU"), &ru.keys.signing)
        .expect("signs");
    let mut envelope = notification("RU", "UN", "s");
    envelope.body = Body::PledgeSign(PledgeSign {
        pledge: "UN/no-first-use".parse().expect("ref"),
        signed: String::from_utf8(signed.bytes().to_vec()).expect("utf-8"),
    });
    let (status, problem, _) = ru.send(envelope).await;
    assert_eq!(status, 403, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("another text"),
        "{problem}"
    );
    let (_, view) = call(&net, "UN", "GET", "/api/v1/pledges/UN/no-first-use", None).await;
    assert_eq!(view["signatories"], json!([]), "{view}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_breach_may_cite_only_a_guarantee_in_force() {
    let (net, clock) = three_nodes().await;
    let t0 = clock.now();
    let (status, _) = call(
        &net,
        "RU",
        "POST",
        "/api/v1/guarantees",
        Some(json!({"guarantee": guarantee_toml("g-cited", true, t0, Some(t0.plus(TimeDelta::days(2))))})),
    )
    .await;
    assert_eq!(status, 202);
    known_with(&net, "US", "g-cited", json!({"RU": true, "US": false})).await;
    let notify = |cited: &str| {
        json!({"to": {"party": "US", "tier": "technical"}, "from_tier": "technical",
               "kind": "notification",
               "body": {"subject": "Interference observed", "summary": "Details follow",
                        "alleged_breach": {"guarantee": cited}}})
    };
    // Only proposed: not in force, refused.
    let (status, problem) = call(
        &net,
        "RU",
        "POST",
        "/api/v1/messages",
        Some(notify("g-cited")),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("not in force"),
        "{problem}"
    );
    // Unknown: refused.
    let (status, _) = call(
        &net,
        "RU",
        "POST",
        "/api/v1/messages",
        Some(notify("g-unknown")),
    )
    .await;
    assert_eq!(status, 422);
    // In force: sent, and accepted by US.
    call(&net, "US", "POST", "/api/v1/guarantees/g-cited/sign", None).await;
    known_with(&net, "RU", "g-cited", json!({"RU": true, "US": true})).await;
    let (status, sent) = call(
        &net,
        "RU",
        "POST",
        "/api/v1/messages",
        Some(notify("g-cited")),
    )
    .await;
    assert_eq!(status, 202, "{sent}");
    let id = sent["id"].as_str().expect("id").to_owned();
    eventually(30, "delivered", || async {
        call(&net, "RU", "GET", &format!("/api/v1/messages/{id}"), None)
            .await
            .1["state"]
            == "delivered"
    })
    .await;
    // Lapsed (expired): refused.
    clock.advance(TimeDelta::days(3));
    let (status, problem) = call(
        &net,
        "RU",
        "POST",
        "/api/v1/messages",
        Some(notify("g-cited")),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem["reason"] == "not-in-force", "{problem}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_only_moves_forward_and_each_step_is_taken_once() {
    let (net, clock) = three_nodes().await;
    let t0 = clock.now();
    let text = guarantee_toml("g-history", true, t0, None);
    let (status, _) = call(
        &net,
        "RU",
        "POST",
        "/api/v1/guarantees",
        Some(json!({"guarantee": text})),
    )
    .await;
    assert_eq!(status, 202);
    known_with(&net, "US", "g-history", json!({"RU": true, "US": false})).await;
    // Proposing the same guarantee again sends nothing: the step is taken.
    let (status, problem) = call(
        &net,
        "RU",
        "POST",
        "/api/v1/guarantees",
        Some(json!({"guarantee": text})),
    )
    .await;
    assert_eq!(status, 409, "{problem}");
    let (_, proposed) = call(&net, "RU", "GET", "/api/v1/guarantees/g-history", None).await;
    let proposal: detente_proto::ids::MessageId = proposed["history"][0]["message"]
        .as_str()
        .expect("message")
        .parse()
        .expect("id");
    let us = RawPeer::new(&net, "US", "RU");
    let spec = GuaranteeSpec::parse(&text)
        .and_then(GuaranteeSpec::validate)
        .expect("valid");
    let countersign = |created_at: Timestamp| {
        let signed = spec
            .sign(&"US".parse().expect("US"), &us.keys.signing)
            .expect("signs");
        let mut envelope = notification("US", "RU", "s");
        envelope.created_at = created_at;
        envelope.in_reply_to = Some(proposal);
        envelope.body = Body::GuaranteeSign(GuaranteeSignature {
            signed: String::from_utf8(signed.bytes().to_vec()).expect("utf-8"),
        });
        envelope
    };
    // Dated before the proposal (within the clock skew): refused, so that
    // nobody rewrites when it came into force.
    let (status, problem, _) = us.send(countersign(t0.plus(TimeDelta::minutes(-2)))).await;
    assert_eq!(status, 403, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("before the latest step"),
        "{problem}"
    );
    // Exercise traffic is never a commitment.
    let mut drill = countersign(clock.now());
    drill.exercise = true;
    let (status, problem, _) = us.send(drill).await;
    assert_eq!(status, 403, "{problem}");
    // In order: accepted; the same delivery again gets its receipt; the
    // same step under another message is refused.
    let good = countersign(clock.now());
    let (status, _, first) = us.send(good.clone()).await;
    assert_eq!(status, 200);
    let (status, _, again) = us.send(good).await;
    assert_eq!(
        (status, &again),
        (200, &first),
        "a repeat gets the same receipt"
    );
    let (status, problem, _) = us.send(countersign(clock.now())).await;
    assert_eq!(status, 403, "{problem}");
    assert!(problem["reason"] == "step-taken", "{problem}");
    let (_, view) = call(&net, "RU", "GET", "/api/v1/guarantees/g-history", None).await;
    assert_eq!(view["history"].as_array().map(Vec::len), Some(2), "{view}");
    assert_eq!(view["state"], "in-force", "{view}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_way_guarantee_cannot_be_cited_against_its_beneficiary() {
    let (net, clock) = three_nodes().await;
    let t0 = clock.now();
    let (status, _) = call(
        &net,
        "RU",
        "POST",
        "/api/v1/guarantees",
        Some(json!({"guarantee": guarantee_toml("g-one-way", false, t0, None)})),
    )
    .await;
    assert_eq!(status, 202);
    known_with(&net, "US", "g-one-way", json!({"RU": true})).await;
    let cite = |to: &str| {
        json!({"to": {"party": to, "tier": "technical"}, "from_tier": "technical",
               "kind": "notification",
               "body": {"subject": "s", "summary": "s", "alleged_breach": {"guarantee": "g-one-way"}}})
    };
    // RU gave it: US is not bound by it.
    let (status, problem) = call(&net, "RU", "POST", "/api/v1/messages", Some(cite("US"))).await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("does not bind US"),
        "{problem}"
    );
    // Nor is it between RU and UN.
    let (status, _) = call(&net, "RU", "POST", "/api/v1/messages", Some(cite("UN"))).await;
    assert_eq!(status, 422);
    // A malformed id is simply not found, everywhere.
    for path in ["/api/v1/guarantees/a_b", "/api/v1/guarantees/a_b/evidence"] {
        let (status, problem) = call(&net, "RU", "GET", path, None).await;
        assert_eq!(status, 404, "{path}: {problem}");
    }
    // US, the beneficiary, may cite it against RU, which it binds.
    let (status, sent) = call(&net, "US", "POST", "/api/v1/messages", Some(cite("RU"))).await;
    assert_eq!(status, 202, "{sent}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guarantee_is_shown_only_to_officers_cleared_for_its_tier() {
    let mut net = Net::new(&["RU", "US", "UN"]);
    // A ministry officer at RU, cleared for policy only.
    let dir = net.get("RU").dir.clone();
    let config = detente_node::config::NodeConfig::load(&dir).expect("config");
    let store = detente_node::node::open_store(&dir, &config).expect("store");
    let spec = detente_node::admin::OfficerSpec {
        name: "Minister RU".parse().expect("name"),
        tiers: vec![detente_proto::ids::Tier::Policy],
    };
    let ministry = detente_node::admin::add_officer(&*store, &SystemClock, &spec)
        .expect("officer")
        .credential;
    drop(store);
    for code in ["RU", "US", "UN"] {
        net.start(code).await;
    }
    let http = common::pinned_http(&net, "RU");
    let as_ministry = |method: &str, path: &str, body: Option<Value>| {
        let url = format!("{}{path}", net.url("RU"));
        let request = match method {
            "POST" => http.post(url),
            _ => http.get(url),
        }
        .bearer_auth(&ministry);
        let request = match body {
            Some(b) => request.json(&b),
            None => request,
        };
        async move {
            let response = request.send().await.expect("answer");
            let status = response.status().as_u16();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let text = guarantee_toml("g-policy", false, SystemClock.now(), None);
    let (status, view) = as_ministry(
        "POST",
        "/api/v1/guarantees",
        Some(json!({"guarantee": text, "from_tier": "policy"})),
    )
    .await;
    assert_eq!(status, 202, "{view}");
    let (status, _) = as_ministry("GET", "/api/v1/guarantees/g-policy", None).await;
    assert_eq!(status, 200);
    // The duty officer (technical, operational) sees nothing of it.
    let (status, _) = call(&net, "RU", "GET", "/api/v1/guarantees/g-policy", None).await;
    assert_eq!(status, 404);
    let (_, list) = call(&net, "RU", "GET", "/api/v1/guarantees", None).await;
    assert_eq!(list["guarantees"], json!([]), "{list}");
    let (status, _) = call(
        &net,
        "RU",
        "GET",
        "/api/v1/guarantees/g-policy/evidence",
        None,
    )
    .await;
    assert_eq!(status, 404);
}

/// Runs `sql` on a node's database, beside the running node.
fn on_database(net: &Net, code: &str, sql: &str) {
    let path = net.get(code).dir.join("detente.db");
    let conn = rusqlite::Connection::open(&path).expect("open the node's database");
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .expect("busy timeout");
    conn.execute_batch(sql)
        .expect("run SQL on the node's database");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_received_step_is_never_stored_apart_from_its_message() {
    let mut net = Net::new(&["RU", "US"]);
    for code in ["RU", "US"] {
        net.configure(code, |c| c.engine.run = false);
    }
    // US's database fails every write of a guarantee or pledge record, as a
    // crash right there would stop it.
    on_database(
        &net,
        "US",
        "CREATE TRIGGER crash_at_the_record BEFORE INSERT ON document_records
         BEGIN SELECT RAISE(ABORT, 'simulated crash'); END;",
    );
    net.start("RU").await;
    net.start("US").await;
    let effective = SystemClock.now().plus(TimeDelta::days(1));
    let (status, view) = call(
        &net,
        "RU",
        "POST",
        "/api/v1/guarantees",
        Some(json!({"guarantee": guarantee_toml("ru-crash", false, effective, None)})),
    )
    .await;
    assert_eq!(status, 202, "{view}");
    let ru = net.node("RU");
    let proposal = || {
        common::stored(&ru)
            .into_iter()
            .find(|m| m.message.kind == MessageKind::GuaranteePropose)
            .expect("RU holds its proposal")
    };
    eventually(30, "US refuses the delivery twice", || async {
        proposal().attempts >= 2
    })
    .await;
    // The message went with its record: neither is at US.
    let us = net.node("US");
    let id = proposal().message.id;
    assert_eq!(
        us.store()
            .message(&id)
            .expect("read US's store")
            .map(|m| m.state),
        None,
        "US stored the message without its record"
    );
    let (status, _) = call(&net, "US", "GET", "/api/v1/guarantees/ru-crash", None).await;
    assert_eq!(status, 404, "US knows a guarantee it could not store");

    // Once US can write again, RU's next retry stores both, and the log
    // holds the message and the step.
    on_database(&net, "US", "DROP TRIGGER crash_at_the_record;");
    known_with(&net, "US", "ru-crash", json!({"RU": true})).await;
    let records = us
        .store()
        .document_records(DocumentKind::Guarantee, "ru-crash")
        .expect("records");
    assert_eq!(
        records.iter().map(|r| r.message_id).collect::<Vec<_>>(),
        vec![Some(id)],
        "the proposal's record names its message"
    );
    assert!(
        us.log().read(|view| view
            .documents
            .iter()
            .any(|(entry, _)| entry == "guarantee/ru-crash/sign/RU")),
        "US's log holds the step"
    );
}
