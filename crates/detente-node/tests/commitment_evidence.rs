//! Evidence of guarantees and pledges: real nodes take every step over the
//! officer API, export the bundle of one guarantee or pledge, and
//! `detente-evidence` judges its status or signatories offline.

mod common;

use common::{Net, eventually, officer_call, pinned_http, show};
use detente_evidence::{Bundle, Options, Report, Verdict, verify};
use detente_proto::clock::{Clock, SystemClock};
use detente_proto::time::Timestamp;
use serde_json::{Value, json};

const GUARANTEE: &str = r#"id = "ru-us-elections-2026"
reciprocal = true
issuer = "RU"
beneficiary = "US"
scope = ["elections", "internal-affairs"]
effective_from = "2025-01-01T00:00:00Z"
notice = "90d"

[text]
en = "Neither party will interfere in the other's elections."
"#;

const PLEDGE: &str = r#"id = "no-first-use"
host = "UN"
title = "No first use of ICT against each other"
open_from = "2025-01-01T00:00:00Z"
open_until = "2099-01-01T00:00:00Z"

[text]
en = "Each signatory pledges not to be the first to use ICT against another signatory."
"#;

/// The message ids of a view's history steps by `party` in `role`.
fn steps(view: &Value, role: &str, party: &str) -> Vec<String> {
    view["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter(|s| s["role"] == role && s["party"] == party)
        .filter_map(|s| s["message"].as_str().map(str::to_owned))
        .collect()
}

async fn delivered(net: &Net, code: &str, id: &str) {
    eventually(30, "delivered", || async {
        show(net, code, id).await["state"] == "delivered"
    })
    .await;
}

/// Until the latest checkpoint of each of `codes`' logs is cosigned by
/// every other node.
async fn witnessed(net: &Net, codes: &[&str]) {
    let others = net.nodes.len() - 1;
    for code in codes {
        eventually(
            30,
            "every witness cosigns the latest checkpoint",
            || async {
                let status: Value = net
                    .client(code)
                    .get("/api/v1/log/status")
                    .await
                    .expect("status");
                status["cosignatures"].as_array().is_some_and(|c| {
                    c.iter().filter(|c| c["size"] == status["size"]).count() == others
                })
            },
        )
        .await;
    }
}

async fn export(net: &Net, code: &str, path: &str) -> Bundle {
    let response = pinned_http(net, code)
        .get(format!("{}{path}", net.url(code)))
        .bearer_auth(&net.get(code).token)
        .send()
        .await
        .expect("answer");
    let status = response.status().as_u16();
    let body = response.bytes().await.expect("body");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    Bundle::parse(&body).expect("a bundle")
}

fn check_at(bundle: &Bundle, at: Timestamp) -> Report {
    verify(
        bundle,
        &Options {
            at: Some(at),
            ..Options::default()
        },
    )
}

fn verdict(report: &Report, subject: &str, claim: &str) -> (Verdict, String) {
    report
        .claims
        .iter()
        .find(|c| c.subject == subject && c.claim == claim)
        .map(|c| (c.verdict, c.detail.clone()))
        .unwrap_or_else(|| panic!("no {claim} claim for {subject}: {report}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guarantee_signed_by_both_is_proven_in_force_offline() {
    let mut net = Net::new(&["RU", "US"]);
    for code in ["RU", "US"] {
        net.start(code).await;
    }
    let id = "ru-us-elections-2026";
    let (status, proposed) = officer_call(
        &net,
        "RU",
        "POST",
        "/api/v1/guarantees",
        Some(json!({"guarantee": GUARANTEE})),
    )
    .await;
    assert_eq!(status, 202, "{proposed}");
    assert_eq!(proposed["state"], "proposed", "{proposed}");
    eventually(30, "US holds the proposal", || async {
        officer_call(&net, "US", "GET", &format!("/api/v1/guarantees/{id}"), None)
            .await
            .0
            == 200
    })
    .await;
    let (status, signed) = officer_call(
        &net,
        "US",
        "POST",
        &format!("/api/v1/guarantees/{id}/sign"),
        None,
    )
    .await;
    assert_eq!(status, 202, "{signed}");
    assert_eq!(signed["state"], "in-force", "{signed}");
    let [proposal] = steps(&signed, "sign", "RU")
        .try_into()
        .expect("one proposal");
    let [countersignature] = steps(&signed, "sign", "US")
        .try_into()
        .expect("one signature");
    delivered(&net, "RU", &proposal).await;
    delivered(&net, "US", &countersignature).await;
    eventually(30, "RU sees it in force", || async {
        officer_call(&net, "RU", "GET", &format!("/api/v1/guarantees/{id}"), None)
            .await
            .1["state"]
            == "in-force"
    })
    .await;
    witnessed(&net, &["RU", "US"]).await;
    let after_both = SystemClock.now();

    let bundle = export(&net, "RU", &format!("/api/v1/guarantees/{id}/evidence")).await;
    assert_eq!(bundle.messages.len(), 2);
    assert!(bundle.documents.is_empty());
    let report = check_at(&bundle, after_both);
    assert_eq!(report.exit_code(), 0, "{report}");
    let subject = format!("guarantee {id}");
    let (v, detail) = verdict(&report, &subject, "status");
    assert_eq!(v, Verdict::Proven, "{detail}");
    assert!(
        detail.starts_with(&format!("in force at {after_both} (since ")),
        "{detail}"
    );
    assert!(detail.contains("signed by RU at "), "{detail}");
    let found = report.commitment.as_ref().expect("the status");
    assert_eq!((found.state, found.in_force), ("in-force", Some(true)));
    let signatories: Vec<&str> = found.signatories.iter().map(|s| s.party.as_str()).collect();
    assert_eq!(signatories, ["RU", "US"]);

    // One flipped byte in the countersigning envelope: that step no
    // longer counts, and the bundle does not hold up.
    let mut tampered = bundle.clone();
    let message = tampered
        .messages
        .iter_mut()
        .find(|m| m.envelope.contains("\"kind\":\"guarantee-sign\""))
        .expect("the countersignature");
    let at = message.envelope.find("elections.").expect("the text");
    message.envelope.replace_range(at..=at, "E");
    let report = check_at(&tampered, after_both);
    assert_eq!(report.exit_code(), 1, "{report}");
    let (v, detail) = verdict(&report, &subject, "status");
    assert_eq!(v, Verdict::Broken, "{detail}");
    assert!(detail.starts_with("not in force at"), "{detail}");
    assert!(
        detail.contains("(guarantee-sign from US) is BROKEN (sent) and does not count"),
        "{detail}"
    );

    // Nothing known, nothing exported.
    let (status, problem) = officer_call(
        &net,
        "RU",
        "GET",
        "/api/v1/guarantees/no-such-guarantee/evidence",
        None,
    )
    .await;
    assert_eq!(status, 404, "{problem}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pledge_signed_by_two_parties_proves_both_signatories_offline() {
    let mut net = Net::new(&["RU", "US", "UN"]);
    for code in ["RU", "US", "UN"] {
        net.start(code).await;
    }
    let (status, created) = officer_call(
        &net,
        "UN",
        "POST",
        "/api/v1/pledges",
        Some(json!({"pledge": PLEDGE})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    // Published, signed by nobody yet: the host's text alone.
    let unsigned = export(&net, "UN", "/api/v1/pledges/UN/no-first-use/evidence").await;
    assert!(unsigned.messages.is_empty());
    let (v, detail) = verdict(
        &check_at(&unsigned, SystemClock.now()),
        "pledge UN/no-first-use",
        "signatories",
    );
    assert_eq!(v, Verdict::Proven, "{detail}");
    assert!(detail.contains(": no signatories;"), "{detail}");

    let mut signatures = Vec::new();
    for code in ["RU", "US"] {
        let (status, view) = officer_call(
            &net,
            code,
            "POST",
            "/api/v1/pledges/UN/no-first-use/sign",
            None,
        )
        .await;
        assert_eq!(status, 202, "{code}: {view}");
        let [message] = steps(&view, "sign", code)
            .try_into()
            .expect("one signature");
        signatures.push((code, message));
    }
    for (code, message) in &signatures {
        delivered(&net, code, message).await;
    }
    eventually(30, "UN lists both signatories", || async {
        officer_call(&net, "UN", "GET", "/api/v1/pledges/UN/no-first-use", None)
            .await
            .1["signatories"]
            .as_array()
            .is_some_and(|s| s.len() == 2)
    })
    .await;
    witnessed(&net, &["RU", "US", "UN"]).await;
    let after_both = SystemClock.now();

    let bundle = export(&net, "UN", "/api/v1/pledges/UN/no-first-use/evidence").await;
    assert_eq!(bundle.messages.len(), 2);
    assert_eq!(bundle.documents.len(), 1, "the host's signed text");
    let report = check_at(&bundle, after_both);
    assert_eq!(report.exit_code(), 0, "{report}");
    let (v, detail) = verdict(&report, "pledge UN/no-first-use", "signatories");
    assert_eq!(v, Verdict::Proven, "{detail}");
    assert!(
        detail.starts_with(&format!("at {after_both}: RU (signed at ")),
        "{detail}"
    );
    assert!(detail.contains("), US (signed at "), "{detail}");
    let found = report.commitment.as_ref().expect("the signatories");
    assert_eq!(found.state, "open");
    let signatories: Vec<&str> = found.signatories.iter().map(|s| s.party.as_str()).collect();
    assert_eq!(signatories, ["RU", "US"]);
}
