//! Evidence bundles: exported by real nodes over the officer API, checked
//! offline with `detente-evidence`; every signed byte counts.

mod common;

use common::{Net, eventually, officer_send, pinned_http, show};
use detente_evidence::{Bundle, BundledMessage, Options, Report, Verdict, verify};
use serde_json::{Value, json};

struct Exchange {
    net: Net,
    notification: String,
    ack: String,
    ping: String,
}

/// RU notifies US, US acknowledges, RU pings US (another thread); every
/// log is then cosigned by both of its witnesses.
async fn exchange() -> Exchange {
    let mut net = Net::new(&["RU", "US", "UN"]);
    for code in ["RU", "US", "UN"] {
        net.start(code).await;
    }
    let notification = officer_send(
        &net,
        "RU",
        "US",
        "notification",
        json!({"subject": "Scanning of grid SCADA", "summary": "From 203.0.113.0/24"}),
    )
    .await;
    delivered(&net, "RU", &notification).await;
    let ack: Value = net
        .client("US")
        .post(
            &format!("/api/v1/messages/{notification}/ack"),
            &json!({"note": "Looking into it"}),
        )
        .await
        .expect("ack queued");
    let ack = ack["id"].as_str().expect("id").to_owned();
    delivered(&net, "US", &ack).await;
    let ping = officer_send(&net, "RU", "US", "ping", json!({})).await;
    delivered(&net, "RU", &ping).await;
    for code in ["RU", "US"] {
        eventually(
            30,
            "both witnesses cosign the latest checkpoint",
            || async {
                let status: Value = net
                    .client(code)
                    .get("/api/v1/log/status")
                    .await
                    .expect("status");
                status["cosignatures"]
                    .as_array()
                    .is_some_and(|c| c.iter().filter(|c| c["size"] == status["size"]).count() == 2)
            },
        )
        .await;
    }
    Exchange {
        net,
        notification,
        ack,
        ping,
    }
}

async fn delivered(net: &Net, code: &str, id: &str) {
    eventually(30, "delivered", || async {
        show(net, code, id).await["state"] == "delivered"
    })
    .await;
}

async fn get(net: &Net, code: &str, path: &str, token: Option<&str>) -> (u16, Vec<u8>) {
    let mut request = pinned_http(net, code).get(format!("{}{path}", net.url(code)));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("answer");
    let status = response.status().as_u16();
    (status, response.bytes().await.expect("body").to_vec())
}

async fn export(net: &Net, code: &str, path: &str) -> Bundle {
    let (status, body) = get(net, code, path, Some(&net.get(code).token)).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    Bundle::parse(&body).expect("a bundle")
}

fn check(bundle: &Bundle) -> Report {
    verify(
        bundle,
        &Options {
            policy: None,
            ack_within: Some(chrono::TimeDelta::hours(1)),
            ..Options::default()
        },
    )
}

fn ids(bundle: &Bundle) -> Vec<String> {
    bundle
        .messages
        .iter()
        .map(|m| {
            let envelope: Value = serde_json::from_str(&m.envelope).expect("json");
            envelope["envelope"]["id"].as_str().expect("id").to_owned()
        })
        .collect()
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
async fn a_thread_bundle_proves_every_claim_offline_from_either_side() {
    let x = exchange().await;
    // Any message of the thread names it: the acknowledgement gives the whole thread.
    for (code, via) in [("RU", &x.ack), ("US", &x.notification)] {
        let bundle = export(&x.net, code, &format!("/api/v1/threads/{via}/evidence")).await;
        assert_eq!(ids(&bundle), [x.notification.clone(), x.ack.clone()]);
        let report = check(&bundle);
        assert_eq!(report.exit_code(), 0, "{code}'s bundle: {report}");
        let subject = format!("message {}", x.notification);
        for claim in ["sent", "logged-sent", "delivered", "logged-received"] {
            assert_eq!(verdict(&report, &subject, claim).0, Verdict::Proven);
        }
        let (v, detail) = verdict(&report, &subject, "acknowledged");
        assert_eq!(v, Verdict::Proven);
        assert!(detail.contains("IN TIME"), "{detail}");
        assert!(detail.contains(&x.ack), "{detail}");
        // Logs are proven against checkpoints the other two parties cosigned.
        let (_, logged) = verdict(&report, &subject, "logged-sent");
        assert!(logged.contains("cosigned by UN, US"), "{logged}");
        let fingerprints: Vec<_> = report.parties.iter().map(|p| p.party.as_str()).collect();
        assert_eq!(fingerprints, ["RU", "UN", "US"]);
    }
    // With a deadline nobody could meet, the same bundle shows it late.
    let bundle = export(&x.net, "RU", &format!("/api/v1/threads/{}/evidence", x.ack)).await;
    let strict = verify(
        &bundle,
        &Options {
            policy: None,
            ack_within: Some(chrono::TimeDelta::zero()),
            ..Options::default()
        },
    );
    let (_, detail) = verdict(
        &strict,
        &format!("message {}", x.notification),
        "acknowledged",
    );
    assert!(detail.contains("LATE by"), "{detail}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_exchange_with_a_party_holds_every_thread() {
    let x = exchange().await;
    let bundle = export(&x.net, "US", "/api/v1/evidence?counterparty=RU").await;
    assert_eq!(
        ids(&bundle),
        [x.notification.clone(), x.ack.clone(), x.ping.clone()]
    );
    let report = check(&bundle);
    // No pong was sent: that one claim is unproven, everything else holds.
    let (v, detail) = verdict(&report, &format!("message {}", x.ping), "answered");
    assert_eq!(v, Verdict::Unproven, "{detail}");
    assert!(detail.contains("no pong from US in the bundle"), "{detail}");
    let others: Vec<_> = report
        .claims
        .iter()
        .filter(|c| c.verdict != Verdict::Proven)
        .collect();
    assert_eq!(others.len(), 1, "{report}");
    assert_eq!(report.exit_code(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_errors_are_clear() {
    let x = exchange().await;
    let net = &x.net;
    let token = net.get("RU").token.clone();
    let cases = [
        (
            "/api/v1/threads/not-an-id/evidence",
            Some(token.as_str()),
            404,
        ),
        (
            "/api/v1/threads/01900000-0000-7000-8000-000000000000/evidence",
            Some(token.as_str()),
            404,
        ),
        (
            "/api/v1/evidence?counterparty=r%20u",
            Some(token.as_str()),
            422,
        ),
        ("/api/v1/evidence", Some(token.as_str()), 422),
        (
            "/api/v1/evidence?counterparty=XX",
            Some(token.as_str()),
            404,
        ),
        (
            &format!("/api/v1/threads/{}/evidence", x.notification),
            None,
            401,
        ),
    ];
    for (path, token, want) in cases {
        let (status, body) = get(net, "RU", path, token).await;
        let body = String::from_utf8_lossy(&body);
        assert_eq!(status, want, "{path}: {body}");
        assert!(
            body.contains("\"detail\""),
            "{path}: not problem+json: {body}"
        );
    }
}

/// Replaces the `nth` base64 character of the line of `text` that starts
/// with `prefix` (after the prefix) with another base64 character.
fn flip_base64_in_line(text: &str, prefix: &str, nth: usize) -> String {
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix:?} in {text}"))
        + prefix.len();
    flip_at(text, start + nth, other_base64)
}

fn other_base64(c: char) -> char {
    if c == 'A' { 'B' } else { 'A' }
}

fn flip_at(text: &str, at: usize, flip: impl Fn(char) -> char) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let before = chars[at];
    chars[at] = flip(before);
    assert_ne!(chars[at], before);
    chars.into_iter().collect()
}

/// The first inclusion-proof hash line of a tlog-proof (the line after `index N`).
fn first_hash_line(tlog_proof: &str) -> String {
    let lines: Vec<&str> = tlog_proof.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("index "))
        .expect("index line");
    assert!(!lines[at + 1].is_empty(), "the proof has no hashes");
    format!("{}\n", lines[at + 1])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flipped_byte_anywhere_signed_breaks_the_bundle_and_is_named() {
    let x = exchange().await;
    let bundle = export(
        &x.net,
        "RU",
        &format!("/api/v1/threads/{}/evidence", x.notification),
    )
    .await;
    assert_eq!(check(&bundle).exit_code(), 0);
    let subject = format!("message {}", x.notification);
    type Tamper = Box<dyn Fn(&mut BundledMessage)>;
    let cases: Vec<(&str, Tamper, &str, &str)> = vec![
        (
            "a byte of the envelope",
            Box::new(|m| {
                let at = m.envelope.find("Scanning").expect("subject");
                m.envelope = flip_at(&m.envelope, at, |c| c.to_ascii_lowercase());
            }),
            "sent",
            "signature does not verify",
        ),
        (
            "a byte of the envelope's signature",
            Box::new(|m| m.envelope = flip_base64_in_line(&m.envelope, "\"signature\":\"", 5)),
            "sent",
            "signature does not verify",
        ),
        (
            "a byte of the receipt",
            Box::new(|m| {
                let receipt = m.receipt.as_mut().expect("receipt");
                let at = receipt.find("\"received_at\":\"").expect("received_at") + 16;
                *receipt = flip_at(receipt, at, |c| if c == '1' { '2' } else { '1' });
            }),
            "delivered",
            "does not verify",
        ),
        (
            "a hash of the inclusion proof",
            Box::new(|m| {
                let log = m.sender_log.as_mut().expect("sender log");
                let line = first_hash_line(&log.tlog_proof);
                log.tlog_proof =
                    log.tlog_proof
                        .replacen(&line, &flip_at(&line, 0, other_base64), 1);
            }),
            "logged-sent",
            "inclusion proof",
        ),
        (
            "a byte of the checkpoint",
            Box::new(|m| {
                let log = m.sender_log.as_mut().expect("sender log");
                // The checkpoint's root hash: the line after its size line.
                let lines: Vec<&str> = log.tlog_proof.lines().collect();
                let origin = lines
                    .iter()
                    .position(|l| *l == "detente.RU/log/v1")
                    .expect("origin line");
                let root = format!("{}\n", lines[origin + 2]);
                log.tlog_proof =
                    log.tlog_proof
                        .replacen(&root, &flip_at(&root, 3, other_base64), 1);
            }),
            "logged-sent",
            "checkpoint",
        ),
        (
            "a byte of a cosignature",
            Box::new(|m| {
                let log = m.sender_log.as_mut().expect("sender log");
                log.tlog_proof = flip_base64_in_line(&log.tlog_proof, "— detente.UN/witness ", 30);
            }),
            "logged-sent",
            "checkpoint",
        ),
    ];
    for (what, tamper, claim, says) in cases {
        let mut tampered = bundle.clone();
        tamper(&mut tampered.messages[0]);
        assert_ne!(tampered, bundle, "{what}: nothing changed");
        let report = check(&tampered);
        assert_eq!(report.exit_code(), 1, "{what} went unnoticed: {report}");
        let (v, detail) = verdict(&report, &subject, claim);
        assert_eq!(v, Verdict::Broken, "{what}: {claim} is {v:?}: {detail}");
        assert!(detail.contains(says), "{what}: {detail}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_proof_is_unproven_not_broken() {
    let x = exchange().await;
    let mut bundle = export(
        &x.net,
        "RU",
        &format!("/api/v1/threads/{}/evidence", x.notification),
    )
    .await;
    bundle.messages[0].sender_log = None;
    let report = check(&bundle);
    assert_eq!(report.exit_code(), 3, "{report}");
    let (v, detail) = verdict(
        &report,
        &format!("message {}", x.notification),
        "logged-sent",
    );
    assert_eq!(v, Verdict::Unproven);
    assert!(
        detail.contains("no proof that RU logged sending it"),
        "{detail}"
    );
}
