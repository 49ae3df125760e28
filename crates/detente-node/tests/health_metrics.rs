//! `/healthz`, `/readyz` and `/metrics` on real nodes: the metrics are
//! scraped over HTTPS with their own token (and over the plain loopback
//! listener), parsed by a Prometheus text parser (`prometheus-parse`), and
//! compared with what the officer API says.

mod common;

use std::sync::Arc;

use chrono::TimeDelta;
use common::{Net, eventually, officer_call, pinned_http, send_notification};
use detente_proto::clock::{Clock, ManualClock, SystemClock};
use serde_json::{Value, json};

const TOKEN: &str = "metrics-token-6c1f0a9d2e";

fn free_loopback() -> std::net::SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
}

/// A scrape, parsed.
fn parse(text: &str) -> prometheus_parse::Scrape {
    prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).expect("parses")
}

/// The value of `name` with exactly `labels` (as given), if present.
fn value(scrape: &prometheus_parse::Scrape, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    scrape
        .samples
        .iter()
        .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match s.value {
            prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Untyped(v) => v,
            _ => f64::NAN,
        })
}

async fn scrape(net: &Net, code: &str, token: Option<&str>) -> (u16, String) {
    let http = pinned_http(net, code);
    let mut request = http.get(format!("{}/metrics", net.url(code)));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("answer");
    (
        response.status().as_u16(),
        response.text().await.expect("text"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn metrics_match_the_api_and_readiness_names_an_unreachable_peer() {
    let mut net = Net::new(&["RU", "US"]);
    let plain = free_loopback();
    for code in ["RU", "US"] {
        std::fs::write(
            net.get(code).dir.join("metrics.token"),
            format!("{TOKEN}\n"),
        )
        .expect("token");
        net.configure(code, |c| {
            c.alerts.run = false;
            c.metrics.token_file = Some("metrics.token".into());
        });
    }
    net.configure("US", |c| c.metrics.listen = Some(plain));
    let clock = Arc::new(ManualClock::new(SystemClock.now()));
    net.start_with_clock("RU", clock.clone()).await;
    net.start_with_clock("US", clock.clone()).await;

    // Health and readiness need no credentials.
    let http = pinned_http(&net, "RU");
    let health = http
        .get(format!("{}/healthz", net.url("RU")))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.expect("text"), "ok\n");
    let ready = http
        .get(format!("{}/readyz", net.url("RU")))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 200);
    let ready: Value = ready.json().await.expect("json");
    assert_eq!(ready["ready"], true, "{ready}");
    let checks: Vec<&str> = ready["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| c["check"].as_str().expect("name"))
        .collect();
    assert_eq!(checks, vec!["store", "sequencer", "peers"]);

    // Traffic, and a FLASH; alerts at US (no rota: kept, sent to nobody,
    // so unanswered).
    for _ in 0..2 {
        send_notification(&net, "RU", "US").await;
    }
    let (status, flash) = officer_call(
        &net,
        "RU",
        "POST",
        "/api/v1/messages",
        Some(
            json!({"to": {"party": "US", "tier": "technical"}, "from_tier": "technical",
               "kind": "notification", "precedence": "flash",
               "body": {"subject": "s", "summary": "s"}}),
        ),
    )
    .await;
    assert_eq!(status, 202, "{flash}");
    eventually(30, "RU's three messages delivered", || async {
        let (_, list) = officer_call(
            &net,
            "RU",
            "GET",
            "/api/v1/messages?box=outbox&state=delivered",
            None,
        )
        .await;
        list["messages"].as_array().is_some_and(|m| m.len() == 3)
    })
    .await;
    net.node("US").run_alerts_once().await.expect("pass");

    // The metrics need their token: none, or another, is 401.
    assert_eq!(scrape(&net, "RU", None).await.0, 401);
    assert_eq!(
        scrape(&net, "RU", Some("not-the-token-at-all")).await.0,
        401
    );
    let (status, text) = scrape(&net, "RU", Some(TOKEN)).await;
    assert_eq!(status, 200, "{text}");
    let ru = parse(&text);
    let (_, listed) = officer_call(&net, "RU", "GET", "/api/v1/messages?box=outbox", None).await;
    let delivered = listed["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["state"] == "delivered" && m["kind"] == "notification")
        .count();
    assert_eq!(
        value(
            &ru,
            "detente_messages",
            &[
                ("kind", "notification"),
                ("direction", "sent"),
                ("state", "delivered")
            ]
        ),
        Some(delivered as f64),
        "the figures match the API"
    );
    let (_, status_view) = officer_call(&net, "RU", "GET", "/api/v1/log/status", None).await;
    assert_eq!(
        value(&ru, "detente_log_size", &[]),
        status_view["size"].as_f64(),
        "{status_view}"
    );
    assert!(value(&ru, "detente_log_checkpoint_age_seconds", &[]).is_some());
    let composed = ru
        .samples
        .iter()
        .find(|s| {
            s.metric == "detente_http_request_duration_seconds_count"
                && s.labels.get("route") == Some("/api/v1/messages")
                && s.labels.get("method") == Some("POST")
                && s.labels.get("status") == Some("202")
        })
        .expect("the compose route's latency");
    match composed.value {
        prometheus_parse::Value::Untyped(n) | prometheus_parse::Value::Counter(n) => {
            assert_eq!(n, 3.0, "three messages composed")
        }
        ref other => panic!("count is {other:?}"),
    }

    // US, over its plain loopback listener, without a token: the alerts.
    let _ = Arc::unwrap_or_clone(detente_node::tls::provider()).install_default();
    let plain_text = reqwest::get(format!("http://{plain}/metrics"))
        .await
        .expect("plain scrape")
        .text()
        .await
        .expect("text");
    let us = parse(&plain_text);
    let (_, alerts) = officer_call(&net, "US", "GET", "/api/v1/alerts?state=all", None).await;
    let alerts = alerts["alerts"].as_array().expect("alerts").clone();
    // Nobody is signed in at US: each notification raised an alert, the
    // FLASH among them.
    assert_eq!(alerts.len(), 3);
    assert!(
        alerts.iter().all(|a| a["state"] == "unanswered"),
        "{alerts:?}"
    );
    assert_eq!(
        value(&us, "detente_alerts", &[("state", "unanswered")]),
        Some(3.0)
    );
    assert_eq!(
        value(&us, "detente_alerts", &[("state", "open")]),
        Some(0.0)
    );
    assert_eq!(
        value(
            &us,
            "detente_messages",
            &[
                ("kind", "notification"),
                ("direction", "received"),
                ("state", "received")
            ]
        ),
        Some(3.0)
    );

    // US goes down; RU's next message waits. Past `unreachable_after`, RU
    // is not ready, and says why; the outbox figures show the wait.
    net.kill("US").await;
    send_notification(&net, "RU", "US").await;
    clock.advance(TimeDelta::minutes(16));
    let ready = http
        .get(format!("{}/readyz", net.url("RU")))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 503);
    let ready: Value = ready.json().await.expect("json");
    let peers = &ready["checks"][2];
    assert_eq!(peers["ok"], false, "{ready}");
    assert!(
        peers["detail"]
            .as_str()
            .expect("detail")
            .starts_with("US: 1 message(s) waiting"),
        "{ready}"
    );
    let ru = parse(&scrape(&net, "RU", Some(TOKEN)).await.1);
    assert_eq!(
        value(&ru, "detente_outbox_depth", &[("peer", "US")]),
        Some(1.0)
    );
    assert!(
        value(&ru, "detente_outbox_oldest_age_seconds", &[("peer", "US")])
            .is_some_and(|age| age >= 960.0)
    );
}
