//! Alerting between real nodes on a manual clock, against real receivers:
//! an SMTP server (the `MailSink`, a real SMTP session over loopback
//! TCP), an HTTP webhook receiver and a command (docs/operations.md,
//! "Alerting"). Each test drives the alerting passes itself
//! (`[alerts] run = false`) and moves the clock.

mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use chrono::TimeDelta;
use common::{Net, eventually, officer_call, pinned_http};
use detente_node::alerts::channels::signature;
use detente_node::alerts::config::{ChannelConfig, ContactConfig, RotaConfig, RotaTimes, SmtpTls};
use detente_node::alerts::sink::{MailSink, ReceivedMail};
use detente_proto::clock::{Clock, ManualClock, SystemClock};
use detente_proto::ids::Tier;
use detente_store::{AlertCause, NoticeState};
use serde_json::{Value, json};

fn contact(name: &str, channel: &str) -> ContactConfig {
    ContactConfig {
        name: name.to_owned(),
        channel: channel.to_owned(),
        to: Some(format!("{name}@cert-us.example")),
    }
}

fn rota(contacts: Vec<ContactConfig>) -> RotaConfig {
    RotaConfig {
        name: "technical".to_owned(),
        tiers: vec![Tier::Technical],
        after: RotaTimes::default(),
        rounds: 1,
        contacts,
    }
}

fn smtp(sink: SocketAddr) -> ChannelConfig {
    ChannelConfig::Smtp {
        host: sink.ip().to_string(),
        port: Some(sink.port()),
        tls: SmtpTls::None,
        from: "hotline-us@cert-us.example".to_owned(),
        username: None,
        password_file: None,
        ca_file: None,
    }
}

/// RU and US on one manual clock; US's alerting is set by `alerts`, its
/// passes driven by the test.
async fn pair(
    alerts: impl FnOnce(&mut detente_node::alerts::AlertsConfig),
) -> (Net, Arc<ManualClock>) {
    let mut net = Net::new(&["RU", "US"]);
    net.configure("US", |c| {
        c.alerts.run = false;
        alerts(&mut c.alerts);
    });
    net.configure("RU", |c| c.alerts.run = false);
    let clock = Arc::new(ManualClock::new(SystemClock.now()));
    net.start_with_clock("RU", clock.clone()).await;
    net.start_with_clock("US", clock.clone()).await;
    (net, clock)
}

/// RU sends a FLASH notification marked `tlp` to US technical; returns its
/// id once US holds it.
async fn flash(net: &Net, tlp: &str, subject: &str, summary: &str) -> String {
    let (status, view) = officer_call(
        net,
        "RU",
        "POST",
        "/api/v1/messages",
        Some(
            json!({"to": {"party": "US", "tier": "technical"}, "from_tier": "technical",
               "kind": "notification", "precedence": "flash", "tlp": tlp,
               "body": {"subject": subject, "summary": summary}}),
        ),
    )
    .await;
    assert_eq!(status, 202, "{view}");
    let id = view["id"].as_str().expect("id").to_owned();
    let us = net.node("US");
    let wanted: detente_proto::ids::MessageId = id.parse().expect("id");
    eventually(30, "US holds the FLASH", || async {
        us.store().message(&wanted).expect("read").is_some()
    })
    .await;
    id
}

/// The subject and the decoded text body of an email.
fn decoded(mail: &ReceivedMail) -> (String, String) {
    let parsed = mailparse::parse_mail(&mail.data).expect("an email");
    let subject = parsed
        .headers
        .iter()
        .find(|h| h.get_key().eq_ignore_ascii_case("subject"))
        .map(|h| h.get_value())
        .expect("a subject");
    (subject, parsed.get_body().expect("a text body"))
}

fn ack_link(body: &str) -> String {
    body.split_whitespace()
        .find(|word| word.contains("/alerts/ack/"))
        .expect("an acknowledgement link")
        .to_owned()
}

async fn alerts_of(net: &Net, code: &str) -> Vec<Value> {
    let (status, list) = officer_call(net, code, "GET", "/api/v1/alerts?state=all", None).await;
    assert_eq!(status, 200, "{list}");
    list["alerts"].as_array().expect("alerts").clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_flash_goes_down_the_rota_by_email_until_the_link_acknowledges_it() {
    let sink = MailSink::start("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("sink");
    let (mut net, clock) = pair(|alerts| {
        alerts.channels = BTreeMap::from([("mail".to_owned(), smtp(sink.addr()))]);
        alerts.rota = vec![rota(vec![
            contact("duty-1", "mail"),
            contact("duty-2", "mail"),
        ])];
    })
    .await;
    let message = flash(&net, "GREEN", "Wiper on the grid", "Seen at 03:10").await;
    let us = net.node("US");

    // 1. The FLASH arrives: the first contact gets an email.
    let pass = us.run_alerts_once().await.expect("pass");
    assert_eq!(pass.raised.len(), 1, "{pass:?}");
    assert_eq!((pass.steps, pass.sent, pass.failed), (1, 1, 0), "{pass:?}");
    let mails = sink.received();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, vec!["duty-1@cert-us.example".to_owned()]);
    let (subject, body) = decoded(&mails[0]);
    assert_eq!(
        subject,
        "[detente US] FLASH: FLASH notification from RU: Wiper on the grid"
    );
    assert!(body.contains(&message), "the message id: {body}");
    assert!(body.contains("does not acknowledge the message"), "{body}");
    assert!(!body.contains("Seen at 03:10"), "never the body: {body}");

    // Seen again, and 4 minutes on: nothing more.
    clock.advance(TimeDelta::minutes(4));
    let pass = us.run_alerts_once().await.expect("pass");
    assert_eq!((pass.raised.len(), pass.steps, pass.sent), (0, 0, 0));

    // 4. A crash and a restart in the middle of the cycle: no duplicate.
    net.kill("US").await;
    net.start_with_clock("US", clock.clone()).await;
    let us = net.node("US");
    let pass = us.run_alerts_once().await.expect("pass");
    assert_eq!((pass.raised.len(), pass.steps, pass.sent), (0, 0, 0));
    assert_eq!(sink.received().len(), 1, "no duplicate after the restart");

    // 2. Nobody acknowledges: after the rota's 5 minutes, the second
    // contact gets it (and no alert was lost to the restart).
    clock.advance(TimeDelta::seconds(61));
    let pass = us.run_alerts_once().await.expect("pass");
    assert_eq!((pass.steps, pass.sent), (1, 1), "{pass:?}");
    let mails = sink.received();
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[1].to, vec!["duty-2@cert-us.example".to_owned()]);
    let (_, body) = decoded(&mails[1]);
    let link = ack_link(&body);
    assert!(link.starts_with(&net.url("US")), "{link}");

    // 3. That contact acknowledges through the email's link. Opening it
    // only offers the button (link scanners fetch links).
    let http = pinned_http(&net, "US");
    let page = http.get(&link).send().await.expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.expect("html");
    assert!(page.contains("Acknowledge the alert"), "{page}");
    assert_eq!(alerts_of(&net, "US").await[0]["state"], "open");
    let done = http.post(&link).send().await.expect("ack");
    assert_eq!(done.status(), StatusCode::OK);
    let done = done.text().await.expect("html");
    assert!(done.contains("Alert acknowledged by duty-2"), "{done}");
    let again = http.post(&link).send().await.expect("ack again");
    let again = again.text().await.expect("html");
    assert!(again.contains("already acknowledged by duty-2"), "{again}");
    let forged = http
        .post(format!("{}x", link.trim_end_matches(|c: char| c != '.')))
        .send()
        .await
        .expect("forged");
    assert_eq!(forged.status(), StatusCode::NOT_FOUND);

    // Nothing more is sent, however long nobody else answers.
    clock.advance(TimeDelta::hours(2));
    let pass = us.run_alerts_once().await.expect("pass");
    assert_eq!((pass.raised.len(), pass.steps, pass.sent), (0, 0, 0));
    assert_eq!(sink.received().len(), 2);

    // Both acknowledgements are shown, and they differ: the alert is
    // acknowledged, the message is not.
    let alerts = alerts_of(&net, "US").await;
    assert_eq!(alerts.len(), 1);
    let alert = &alerts[0];
    assert_eq!(alert["cause"], "arrival");
    assert_eq!(alert["state"], "acknowledged");
    assert_eq!(alert["acknowledged_by"], "duty-2");
    assert_eq!(alert["acknowledged_via"], "link");
    assert_eq!(alert["message_id"], message.as_str());
    assert_eq!(alert["message_acknowledged"], false);
    let notices: Vec<(&str, &str)> = alert["notices"]
        .as_array()
        .expect("notices")
        .iter()
        .map(|n| {
            (
                n["contact"].as_str().expect("c"),
                n["state"].as_str().expect("s"),
            )
        })
        .collect();
    assert_eq!(notices, vec![("duty-1", "sent"), ("duty-2", "sent")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_tlp_red_alert_carries_no_part_of_the_subject_or_body() {
    let sink = MailSink::start("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("sink");
    let (net, _clock) = pair(|alerts| {
        alerts.channels = BTreeMap::from([("mail".to_owned(), smtp(sink.addr()))]);
        alerts.rota = vec![rota(vec![contact("duty-1", "mail")])];
    })
    .await;
    let subject = "Вайпер в энергосистеме";
    let summary = "Заражены подстанции Калуга-7";
    flash(&net, "RED", subject, summary).await;
    let pass = net.node("US").run_alerts_once().await.expect("pass");
    assert_eq!(pass.sent, 1, "{pass:?}");
    let mails = sink.received();
    let (mail_subject, body) = decoded(&mails[0]);
    assert_eq!(
        mail_subject,
        "[detente US] FLASH: a FLASH notification from RU is waiting"
    );
    let raw = String::from_utf8_lossy(&mails[0].data).into_owned();
    for word in subject.split(' ').chain(summary.split(' ')) {
        for text in [&mail_subject, &body, &raw] {
            assert!(!text.contains(word), "{word:?} leaked into {text}");
        }
    }
    assert!(body.contains("TLP:RED (subject withheld"), "{body}");
    let alerts = alerts_of(&net, "US").await;
    assert_eq!(
        alerts[0]["summary"],
        "a FLASH notification from RU is waiting"
    );
}

/// What the webhook receiver saw: each request's headers and body, and
/// the status it answered.
type Seen = Arc<Mutex<Vec<(HeaderMap, Vec<u8>, u16)>>>;

/// An HTTP receiver on loopback that answers 500 `failures` times, then 200.
async fn webhook_receiver(failures: usize) -> (SocketAddr, Seen) {
    let seen: Seen = Arc::default();
    let state = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let state = state.clone();
            async move {
                let mut seen = state.lock().expect("lock");
                let status = if seen.len() < failures { 500 } else { 200 };
                seen.push((headers, body.to_vec(), status));
                StatusCode::from_u16(status).expect("status")
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_webhook_failing_five_times_gets_the_alert_exactly_once_signed() {
    let (addr, seen) = webhook_receiver(5).await;
    let secret = b"webhook shared secret 9f2c";
    let net_dir = tempfile::tempdir().expect("dir");
    let secret_file = net_dir.path().join("webhook.secret");
    std::fs::write(&secret_file, [secret.as_slice(), b"\n"].concat()).expect("secret");
    let (net, clock) = pair(|alerts| {
        alerts.retry_initial = std::time::Duration::from_secs(2);
        alerts.retry_max = std::time::Duration::from_secs(2);
        alerts.channels = BTreeMap::from([(
            "ops".to_owned(),
            ChannelConfig::Webhook {
                url: format!("http://{addr}/hook"),
                secret_file: secret_file.clone(),
                ca_file: None,
            },
        )]);
        alerts.rota = vec![rota(vec![ContactConfig {
            name: "ops-room".to_owned(),
            channel: "ops".to_owned(),
            to: None,
        }])];
    })
    .await;
    flash(&net, "AMBER", "Scanning of SCADA", "From 203.0.113.0/24").await;
    let us = net.node("US");
    let mut sent = 0;
    for _ in 0..10 {
        let pass = us.run_alerts_once().await.expect("pass");
        sent += pass.sent;
        clock.advance(TimeDelta::seconds(2));
    }
    assert_eq!(sent, 1, "sent once");
    let seen = seen.lock().expect("lock").clone();
    let statuses: Vec<u16> = seen.iter().map(|(_, _, status)| *status).collect();
    assert_eq!(
        statuses,
        vec![500, 500, 500, 500, 500, 200],
        "exactly once delivered"
    );
    for (headers, body, _) in &seen {
        assert_eq!(
            headers["x-detente-signature"].to_str().expect("ascii"),
            signature(secret, body),
            "the HMAC verifies"
        );
        assert_eq!(
            headers["x-detente-delivery"], "1/0",
            "the same on every attempt"
        );
        assert_eq!(headers["content-type"], "application/json");
    }
    let payload: Value = serde_json::from_slice(&seen[5].1).expect("json");
    let text = payload["text"].as_str().expect("Slack/Mattermost text");
    assert!(
        text.starts_with("FLASH notification from RU: Scanning of SCADA"),
        "{text}"
    );
    assert_eq!(payload["detente"]["alert"], 1);
    assert_eq!(payload["detente"]["cause"], "arrival");
    assert_eq!(payload["detente"]["contact"], "ops-room");
    let notices = us.store().alert_notices(1).expect("notices");
    assert_eq!(
        (notices[0].state, notices[0].attempts),
        (NoticeState::Sent, 6)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_channel_that_keeps_failing_raises_its_own_alert_on_the_others() {
    let (addr, seen) = webhook_receiver(usize::MAX).await;
    let dir = tempfile::tempdir().expect("dir");
    let secret_file = dir.path().join("webhook.secret");
    std::fs::write(&secret_file, b"s3cret").expect("secret");
    let out = dir.path().join("paged.jsonl");
    let (net, clock) = pair(|alerts| {
        alerts.attempts = 2;
        alerts.retry_initial = std::time::Duration::from_secs(1);
        alerts.retry_max = std::time::Duration::from_secs(1);
        alerts.channels = BTreeMap::from([
            (
                "ops".to_owned(),
                ChannelConfig::Webhook {
                    url: format!("http://{addr}/hook"),
                    secret_file: secret_file.clone(),
                    ca_file: None,
                },
            ),
            (
                "pager".to_owned(),
                ChannelConfig::Command {
                    program: "/bin/sh".into(),
                    args: vec![
                        "-c".to_owned(),
                        format!("cat >> '{}'; echo >> '{}'", out.display(), out.display()),
                    ],
                },
            ),
        ]);
        alerts.rota = vec![RotaConfig {
            tiers: Vec::new(),
            ..rota(vec![
                ContactConfig {
                    name: "ops-room".to_owned(),
                    channel: "ops".to_owned(),
                    to: None,
                },
                ContactConfig {
                    name: "pager-1".to_owned(),
                    channel: "pager".to_owned(),
                    to: None,
                },
            ])
        }];
    })
    .await;
    flash(&net, "AMBER", "Scanning", "Details").await;
    let us = net.node("US");
    for _ in 0..4 {
        us.run_alerts_once().await.expect("pass");
        clock.advance(TimeDelta::seconds(1));
    }
    assert_eq!(
        seen.lock().expect("lock").len(),
        2,
        "two attempts, then given up"
    );
    let alerts = us
        .store()
        .alerts(&detente_store::AlertQuery {
            open_only: true,
            limit: 10,
        })
        .expect("alerts");
    let failing = alerts
        .iter()
        .find(|a| a.alert.cause == AlertCause::ChannelFailing)
        .expect("a channel-failing alert");
    assert_eq!(failing.alert.cause_key, "channel-failing/ops/1/0");
    let paged = std::fs::read_to_string(&out).expect("the command ran");
    let lines: Vec<Value> = paged
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("json on stdin"))
        .collect();
    assert_eq!(lines.len(), 1, "{paged}");
    assert_eq!(lines[0]["detente"]["cause"], "channel-failing");
    assert_eq!(lines[0]["detente"]["contact"], "pager-1");
    assert!(
        lines[0]["text"]
            .as_str()
            .expect("text")
            .contains("alert channel \"ops\" is failing"),
        "{paged}"
    );
    assert_eq!(
        seen.lock().expect("lock").len(),
        2,
        "the failing channel is passed over for its own alert"
    );
}

/// The Python that has `aiosmtpd` (PyPI), from `DETENTE_AIOSMTPD_PYTHON`;
/// `.ci/run` sets it. Without it the interop tests below say loudly that
/// they did not run.
fn aiosmtpd_python(test: &str) -> Option<String> {
    let python = std::env::var("DETENTE_AIOSMTPD_PYTHON").ok();
    if python.is_none() {
        eprintln!(
            "SKIPPED {test}: DETENTE_AIOSMTPD_PYTHON is not set (a Python with aiosmtpd from PyPI; .ci/run sets it)"
        );
    }
    python
}

/// Runs aiosmtpd on a free loopback port with TLS (`--tlscert` for
/// STARTTLS, `--smtpscert` for implicit TLS) for `localhost`, delivering
/// into a maildir; returns the server, its port, the CA file and the
/// maildir.
async fn aiosmtpd(
    python: &str,
    dir: &std::path::Path,
    tls_flag: &str,
) -> (
    tokio::process::Child,
    u16,
    std::path::PathBuf,
    std::path::PathBuf,
) {
    let identity = detente_node::tls::TlsIdentity::generate("localhost").expect("certificate");
    let (cert, key) = (dir.join("smtp.crt"), dir.join("smtp.key"));
    std::fs::write(&cert, identity.cert_pem()).expect("cert");
    std::fs::write(&key, identity.key_pem()).expect("key");
    let maildir = dir.join("maildir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let key_flag = tls_flag.replace("cert", "key");
    let child = tokio::process::Command::new(python)
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
        .arg(tls_flag)
        .arg(&cert)
        .arg(key_flag)
        .arg(&key)
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir)
        .kill_on_drop(true)
        .spawn()
        .expect("aiosmtpd starts");
    eventually(30, "aiosmtpd listens", || async {
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
    })
    .await;
    (child, port, cert, maildir)
}

/// The emails aiosmtpd delivered into `maildir`.
fn delivered(maildir: &std::path::Path) -> Vec<Vec<u8>> {
    std::fs::read_dir(maildir.join("new"))
        .map(|entries| {
            entries
                .map(|e| std::fs::read(e.expect("entry").path()).expect("read"))
                .collect()
        })
        .unwrap_or_default()
}

async fn alert_over_tls(tls: SmtpTls, flag: &str, test: &str) {
    let Some(python) = aiosmtpd_python(test) else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let (_server, port, ca, maildir) = aiosmtpd(&python, dir.path(), flag).await;
    let (net, _clock) = pair(|alerts| {
        alerts.channels = BTreeMap::from([(
            "mail".to_owned(),
            ChannelConfig::Smtp {
                host: "localhost".to_owned(),
                port: Some(port),
                tls,
                from: "hotline-us@cert-us.example".to_owned(),
                username: None,
                password_file: None,
                ca_file: Some(ca.clone()),
            },
        )]);
        alerts.rota = vec![rota(vec![contact("duty-1", "mail")])];
    })
    .await;
    flash(
        &net,
        "CLEAR",
        "Outage of the hotline's backup link",
        "Fixed",
    )
    .await;
    let pass = net.node("US").run_alerts_once().await.expect("pass");
    assert_eq!((pass.sent, pass.failed), (1, 0), "{pass:?}");
    let mails = delivered(&maildir);
    assert_eq!(mails.len(), 1, "aiosmtpd holds the email");
    let parsed = mailparse::parse_mail(&mails[0]).expect("email");
    let subject = parsed
        .headers
        .iter()
        .find(|h| h.get_key().eq_ignore_ascii_case("subject"))
        .map(|h| h.get_value());
    assert_eq!(
        subject.as_deref(),
        Some("[detente US] FLASH: FLASH notification from RU: Outage of the hotline's backup link")
    );
    let body = parsed.get_body().expect("body");
    assert!(body.contains("/alerts/ack/"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn aiosmtpd_receives_an_alert_over_starttls() {
    alert_over_tls(
        SmtpTls::Starttls,
        "--tlscert",
        "aiosmtpd_receives_an_alert_over_starttls",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn aiosmtpd_receives_an_alert_over_implicit_tls() {
    alert_over_tls(
        SmtpTls::Implicit,
        "--smtpscert",
        "aiosmtpd_receives_an_alert_over_implicit_tls",
    )
    .await;
}
