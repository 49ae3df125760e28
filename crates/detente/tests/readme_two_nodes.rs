//! End to end: the README's "Running a real pair of nodes", with real
//! `detente` processes — init, peer add, officer add, serve, send, inbox,
//! ack, show, evidence, verify, a one-way guarantee given and withdrawn
//! (guarantee propose/show/list/withdraw, evidence --guarantee, verify
//! --at), agreement propose/sign/list, then traffic
//! under the agreement: deadlines in show, stats, evidence with figures —
//! on free loopback ports in a temporary directory.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{
    Background, detente, fingerprint_of, free_port, peer_add_command, run_ok, run_with_input,
    send_command, token_of, wait_until_serving,
};
use serde_json::Value;

/// `detente show --dir DIR ID --json`, parsed.
fn show_json(cwd: &Path, dir: &str, token: &str, id: &str) -> Value {
    let mut show = detente(cwd);
    show.args(["show", "--dir", dir, id, "--json"])
        .env("DETENTE_TOKEN", token);
    let stdout = run_ok(show);
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("show --json printed no JSON ({e}):\n{stdout}"))
}

/// The id in `queued <kind> <id> to <to>`, as `detente send` prints it.
fn queued_id(sent: &str, kind: &str, to: &str) -> String {
    sent.lines()
        .find_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["queued", k, id, "to", t, ..] if *k == kind && *t == to => Some((*id).to_owned()),
                _ => None,
            }
        })
        .unwrap_or_else(|| panic!("no `queued {kind} <id> to {to}` in:\n{sent}"))
}

/// The current quarter as `--period` takes it, e.g. `2026-Q4`.
fn current_quarter() -> String {
    use chrono::Datelike;
    let now = chrono::Utc::now();
    format!("{}-Q{}", now.year(), (now.month() - 1) / 3 + 1)
}

/// Polls `show --json` (at most 30 s) until `done` holds for the message.
fn poll_show(
    cwd: &Path,
    dir: &str,
    token: &str,
    id: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
    nodes: [&Background; 2],
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let message = show_json(cwd, dir, token, id);
        if done(&message) {
            return message;
        }
        assert!(
            Instant::now() < deadline,
            "{id} is not {what} within 30 s; last seen:\n{message:#}\nlogs:\n{}\n{}",
            nodes[0].log(),
            nodes[1].log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Runs `detente ARGS --dir DIR` with `token` until its stdout satisfies
/// `done` (at most 30 s); returns that stdout.
fn poll_command(
    cwd: &Path,
    args: &[&str],
    dir: &str,
    token: &str,
    done: impl Fn(&str) -> bool,
    nodes: [&Background; 2],
) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut command = detente(cwd);
        command
            .args(args)
            .args(["--dir", dir])
            .env("DETENTE_TOKEN", token);
        let result = common::run(command);
        if result.ok() && done(&result.stdout) {
            return result.stdout;
        }
        assert!(
            Instant::now() < deadline,
            "detente {} --dir {dir} never printed what was awaited; last:\n{result}\nlogs:\n{}\n{}",
            args.join(" "),
            nodes[0].log(),
            nodes[1].log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The README's guarantee: RU gives US a one-way guarantee that took
/// effect in the past, so RU's signature alone puts it in force; US lists
/// it once delivered; RU withdraws it, and both see the notice running;
/// US's evidence of it verifies offline, now and at an earlier moment.
fn guarantee_given_shown_listed_and_withdrawn(
    cwd: &Path,
    ru_token: &str,
    us_token: &str,
    nodes: [&Background; 2],
) {
    const GUARANTEE: &str = r#"id = "ru-us-elections-2026"
reciprocal = false
issuer = "RU"
beneficiary = "US"
scope = ["elections", "internal-affairs"]
effective_from = "2026-01-01T00:00:00Z"
notice = "90d"

[text]
en = "The Russian Federation will not interfere in the elections of the United States."
ru = "Российская Федерация не будет вмешиваться в выборы в Соединённых Штатах."
"#;
    std::fs::write(cwd.join("guarantee.toml"), GUARANTEE).expect("write guarantee");
    let mut propose = detente(cwd);
    propose
        .args(["guarantee", "propose", "guarantee.toml", "--dir", "./ru"])
        .env("DETENTE_TOKEN", ru_token);
    let proposed = run_ok(propose);
    assert!(
        proposed.starts_with("ru-us-elections-2026  IN FORCE since ")
            && proposed
                .lines()
                .next()
                .is_some_and(|l| l.ends_with("  RU✓")),
        "{proposed}"
    );
    assert!(proposed.contains("sent to US"), "{proposed}");

    let mut show = detente(cwd);
    show.args(["guarantee", "show", "ru-us-elections-2026", "--dir", "./ru"])
        .env("DETENTE_TOKEN", ru_token);
    let shown = run_ok(show);
    assert!(
        shown.starts_with("ru-us-elections-2026  IN FORCE since "),
        "{shown}"
    );
    for expected in [
        "  given            by RU to US; one-way: binds RU alone, once it has signed\n",
        "  scope            elections, internal-affairs\n",
        "  effective        from 2026-01-01T00:00:00.000Z, open-ended\n",
        "  notice           90d: ",
        "  text (en)\n    The Russian Federation will not interfere in the elections of the United States.\n",
        "  text (ru)\n    Российская Федерация не будет вмешиваться в выборы в Соединённых Штатах.\n",
        "  history          ",
    ] {
        assert!(shown.contains(expected), "no {expected:?} in:\n{shown}");
    }
    // Before RU signed, it bound nobody.
    let mut show = detente(cwd);
    show.args(["guarantee", "show", "ru-us-elections-2026", "--dir", "./ru"])
        .args(["--at", "2026-06-01"])
        .env("DETENTE_TOKEN", ru_token);
    let earlier = run_ok(show);
    assert!(
        earlier.starts_with("ru-us-elections-2026  PROPOSED; awaiting the signature of RU  RU…\n"),
        "{earlier}"
    );
    assert!(
        earlier.contains("  status at        2026-06-01T00:00:00.000Z\n"),
        "{earlier}"
    );

    // US holds it once the proposal is delivered.
    let listed = poll_command(
        cwd,
        &["guarantee", "list"],
        "./us",
        us_token,
        |out| out.contains("ru-us-elections-2026  IN FORCE since "),
        nodes,
    );
    assert!(listed.contains("  RU✓"), "{listed}");

    // RU gives notice; it binds for 90 days more.
    let mut withdraw = detente(cwd);
    withdraw
        .args([
            "guarantee",
            "withdraw",
            "ru-us-elections-2026",
            "--dir",
            "./ru",
        ])
        .args(["--reason", "Superseded by the 2027 guarantee"])
        .env("DETENTE_TOKEN", ru_token);
    let withdrawn = run_ok(withdraw);
    assert!(
        withdrawn.starts_with("ru-us-elections-2026  WITHDRAWAL NOTIFIED by RU at "),
        "{withdrawn}"
    );
    assert!(withdrawn.contains("; lapses at "), "{withdrawn}");
    assert!(withdrawn.contains(" RU notified withdrawal"), "{withdrawn}");
    let shown = poll_command(
        cwd,
        &["guarantee", "show", "ru-us-elections-2026"],
        "./us",
        us_token,
        |out| out.starts_with("ru-us-elections-2026  WITHDRAWAL NOTIFIED by RU at "),
        nodes,
    );
    assert!(shown.contains(" RU notified withdrawal"), "{shown}");
    let mut show = detente(cwd);
    show.args(["guarantee", "show", "ru-us-elections-2026", "--dir", "./us"])
        .arg("--json")
        .env("DETENTE_TOKEN", us_token);
    let view: Value = serde_json::from_str(&run_ok(show)).expect("guarantee show --json is JSON");
    assert_eq!(view["state"], "withdrawal-notified", "{view:#}");
    assert_eq!(view["signed_by"]["RU"], true, "{view:#}");

    // US keeps the evidence; anyone checks it offline, now or at a moment
    // before RU signed. The witnesses cosign within moments: retried.
    let deadline = Instant::now() + Duration::from_secs(30);
    let verified = loop {
        let mut evidence = detente(cwd);
        evidence
            .args([
                "evidence",
                "--dir",
                "./us",
                "--guarantee",
                "ru-us-elections-2026",
            ])
            .args(["-o", "guarantee.json"])
            .env("DETENTE_TOKEN", us_token);
        let exported = common::run(evidence);
        assert!(exported.ok(), "{exported}");
        assert!(
            exported.stderr.contains("wrote guarantee.json: 2 messages"),
            "{exported}"
        );
        let mut verify = detente(cwd);
        verify.args(["verify", "guarantee.json"]);
        let verified = common::run(verify);
        if verified.ok() || Instant::now() > deadline {
            break verified;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(verified.ok(), "{verified}");
    assert!(
        verified
            .stdout
            .contains("\nguarantee ru-us-elections-2026\n  PROVEN    status ")
            && verified.stdout.contains(": withdrawal notified by RU at "),
        "{verified}"
    );
    let mut verify = detente(cwd);
    verify.args(["verify", "guarantee.json", "--at", "2026-06-01"]);
    let earlier = common::run(verify);
    assert!(earlier.ok(), "{earlier}");
    assert!(
        earlier.stdout.contains(
            "  PROVEN    status           not in force at 2026-06-01T00:00:00.000Z: proposed"
        ),
        "{earlier}"
    );
}

#[test]
fn readme_two_nodes_notify_deliver_verify_acknowledge() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let cwd = tmp.path();
    let (ru_port, us_port) = (free_port(), free_port());

    // 1. Each party creates its node and reads out its fingerprint.
    let mut init = detente(cwd);
    init.args(["init", "--party", "RU", "--name", "Russian Federation"])
        .args(["--dir", "./ru", "--listen", &format!("127.0.0.1:{ru_port}")]);
    let ru_fingerprint = fingerprint_of(&run_ok(init));
    let mut init = detente(cwd);
    init.args([
        "init",
        "--party",
        "US",
        "--name",
        "United States of America",
    ])
    .args(["--dir", "./us", "--listen", &format!("127.0.0.1:{us_port}")]);
    let us_fingerprint = fingerprint_of(&run_ok(init));
    assert!(ru_fingerprint.starts_with("SHA256:"), "{ru_fingerprint}");
    assert!(us_fingerprint.starts_with("SHA256:"), "{us_fingerprint}");
    assert_ne!(ru_fingerprint, us_fingerprint);
    assert!(cwd.join("ru/card.json").is_file());
    assert!(cwd.join("us/card.json").is_file());

    // 2. Each adds the other's card, confirming the fingerprint it was told.
    let mut add = peer_add_command(cwd, "./us/card.json", "./ru");
    add.args(["--fingerprint", &us_fingerprint]);
    let added = run_ok(add);
    assert!(added.contains("Added US"), "{added}");
    let mut add = peer_add_command(cwd, "./ru/card.json", "./us");
    add.args(["--fingerprint", &ru_fingerprint]);
    let added = run_ok(add);
    assert!(added.contains("Added RU"), "{added}");
    let mut list = detente(cwd);
    list.args(["peer", "list", "--dir", "./ru"]);
    let peers = run_ok(list);
    assert!(
        peers.contains("US") && peers.contains(&us_fingerprint),
        "{peers}"
    );

    // 3. Each adds an officer, with a console password (typed at a
    // terminal in the README; on standard input here); the token is shown
    // once.
    let mut officer = detente(cwd);
    officer
        .args(["officer", "add", "--dir", "./ru", "--name", "Ivanova"])
        .args([
            "--tiers",
            "technical,operational",
            "--password",
            "--password-stdin",
        ]);
    let added = run_with_input(officer, "Ivanova's long password\n");
    assert!(added.ok(), "{added}");
    let ru_token = token_of(&added.stdout);
    let mut officer = detente(cwd);
    officer
        .args(["officer", "add", "--dir", "./us", "--name", "Miller"])
        .args([
            "--tiers",
            "technical,operational",
            "--password",
            "--password-stdin",
        ]);
    let added = run_with_input(officer, "Miller's long password\n");
    assert!(added.ok(), "{added}");
    let us_token = token_of(&added.stdout);
    assert_ne!(ru_token, us_token);

    // 4. Each serves. The guards interrupt them when the test ends, however it ends.
    let mut serve = detente(cwd);
    serve.args(["serve", "--dir", "./ru"]);
    let mut ru_node = Background::spawn(serve, &cwd.join("ru.log"));
    let mut serve = detente(cwd);
    serve.args(["serve", "--dir", "./us"]);
    let mut us_node = Background::spawn(serve, &cwd.join("us.log"));
    wait_until_serving(cwd, "./ru", &ru_token, &mut ru_node);
    wait_until_serving(cwd, "./us", &us_token, &mut us_node);

    // 5. RU sends a flash notification.
    let mut send = send_command(cwd, "./ru", "US", "notification");
    send.args(["--precedence", "flash", "--body"])
    .arg(r#"{"subject":"Scanning of grid SCADA","summary":"From 203.0.113.0/24 since 09:00 UTC"}"#)
    .env("DETENTE_TOKEN", &ru_token);
    let sent = run_ok(send);
    // → queued notification <id> to US
    let id = queued_id(&sent, "notification", "US");

    let delivered = poll_show(
        cwd,
        "./ru",
        &ru_token,
        &id,
        "delivered",
        |m| m["state"] == "delivered",
        [&ru_node, &us_node],
    );
    assert_eq!(delivered["id"], id.as_str());
    assert_eq!(delivered["receipt"]["verified"], true, "{delivered:#}");
    assert_eq!(delivered["receipt"]["signed_by"], "US", "{delivered:#}");
    assert_eq!(delivered["precedence"], "flash");

    // US reads its inbox and finds the notification.
    let mut inbox = detente(cwd);
    inbox
        .args(["inbox", "--dir", "./us", "--json"])
        .env("DETENTE_TOKEN", &us_token);
    let inbox: Value = serde_json::from_str(&run_ok(inbox)).expect("inbox --json is JSON");
    let listed = inbox["messages"]
        .as_array()
        .expect("inbox has a messages array");
    assert!(
        listed.iter().any(|m| m["id"] == id.as_str()),
        "US inbox does not list {id}:\n{inbox:#}"
    );
    // …also in the human table.
    let mut inbox = detente(cwd);
    inbox
        .args(["inbox", "--dir", "./us"])
        .env("DETENTE_TOKEN", &us_token);
    let table = run_ok(inbox);
    assert!(table.contains(&id), "{table}");

    // US acknowledges.
    let mut ack = detente(cwd);
    ack.args([
        "ack",
        "--dir",
        "./us",
        &id,
        "--note",
        "Received, investigating",
    ])
    .env("DETENTE_TOKEN", &us_token);
    let acked = run_ok(ack);
    assert!(acked.contains("acknowledgement"), "{acked}");

    // RU sees the acknowledgement.
    let acknowledged = poll_show(
        cwd,
        "./ru",
        &ru_token,
        &id,
        "acknowledged",
        |m| m.get("acknowledged_by").is_some_and(|a| !a.is_null()),
        [&ru_node, &us_node],
    );
    assert!(
        acknowledged["acknowledged_by"]["id"].is_string(),
        "{acknowledged:#}"
    );

    // And the human `show` says so.
    let mut show = detente(cwd);
    show.args(["show", "--dir", "./ru", &id])
        .env("DETENTE_TOKEN", &ru_token);
    let shown = run_ok(show);
    assert!(shown.contains("DELIVERED"), "{shown}");
    assert!(shown.contains("VERIFIED"), "{shown}");
    assert!(shown.contains("signed by US"), "{shown}");
    let ack_id = acknowledged["acknowledged_by"]["id"]
        .as_str()
        .expect("ack id");
    assert!(shown.contains(ack_id), "{shown}");

    // RU exports the thread's evidence; anyone verifies it offline. The
    // witnesses cosign within moments, so this is retried briefly.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let verified = loop {
        let mut evidence = detente(cwd);
        evidence
            .args(["evidence", "--dir", "./ru", ack_id, "-o", "thread.json"])
            .env("DETENTE_TOKEN", &ru_token);
        let exported = common::run(evidence);
        assert!(exported.ok(), "{exported}");
        assert!(
            exported
                .stderr
                .contains("wrote thread.json: 2 messages, 2 cards"),
            "{exported}"
        );
        let mut verify = detente(cwd);
        verify.args(["verify", "thread.json"]);
        let verified = common::run(verify);
        if verified.ok() || std::time::Instant::now() > deadline {
            break verified;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert!(verified.ok(), "{verified}");
    assert!(
        verified.stdout.contains("PROVEN    acknowledged"),
        "{verified}"
    );

    // A one-way guarantee, RU to US. Before the agreement: once it is in
    // force, guarantees are policy's and leadership's, and these officers
    // are cleared for technical and operational only.
    guarantee_given_shown_listed_and_withdrawn(cwd, &ru_token, &us_token, [&ru_node, &us_node]);

    // The agreement: RU proposes, US countersigns, both see it in force.
    std::fs::write(
        cwd.join("agreement.toml"),
        include_str!("../assets/demo-agreement.toml"),
    )
    .expect("write agreement");
    let mut propose = detente(cwd);
    propose
        .args([
            "agreement",
            "propose",
            "agreement.toml",
            "--to",
            "US",
            "--dir",
            "./ru",
        ])
        .env("DETENTE_TOKEN", &ru_token);
    let proposed = run_ok(propose);
    assert!(proposed.contains("ru-us-ict-incidents@1"), "{proposed}");
    assert!(proposed.contains("PROPOSED"), "{proposed}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let mut show = detente(cwd);
        show.args([
            "agreement",
            "show",
            "ru-us-ict-incidents@1",
            "--dir",
            "./us",
        ])
        .env("DETENTE_TOKEN", &us_token);
        if common::run(show).ok() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "US never received the proposal"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let mut sign = detente(cwd);
    sign.args([
        "agreement",
        "sign",
        "ru-us-ict-incidents@1",
        "--dir",
        "./us",
    ])
    .env("DETENTE_TOKEN", &us_token);
    let signed = run_ok(sign);
    assert!(signed.contains("IN FORCE"), "{signed}");
    assert!(signed.contains("RU✓ US✓"), "{signed}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let mut list = detente(cwd);
        list.args(["agreement", "list", "--dir", "./ru"])
            .env("DETENTE_TOKEN", &ru_token);
        let listed = run_ok(list);
        if listed.contains("IN FORCE") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "RU: {listed}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    // Under the agreement: RU checks the line (a ping), US answers (a pong).
    let mut send = send_command(cwd, "./ru", "US", "ping");
    send.args(["--body", r#"{"note":"Communication check"}"#])
        .env("DETENTE_TOKEN", &ru_token);
    let ping = queued_id(&run_ok(send), "ping", "US");
    poll_show(
        cwd,
        "./ru",
        &ru_token,
        &ping,
        "delivered",
        |m| m["state"] == "delivered",
        [&ru_node, &us_node],
    );
    let mut send = send_command(cwd, "./us", "RU", "pong");
    send.args(["--in-reply-to", &ping])
        .args(["--body", r#"{"note":"Loud and clear"}"#])
        .env("DETENTE_TOKEN", &us_token);
    queued_id(&run_ok(send), "pong", "RU");
    let checked = poll_show(
        cwd,
        "./ru",
        &ru_token,
        &ping,
        "answered in time",
        |m| m["deadlines"][0]["state"] == "in-time",
        [&ru_node, &us_node],
    );
    assert_eq!(checked["deadlines"][0]["deadline"], "check", "{checked:#}");

    // A flash notification under the agreement starts its deadlines on
    // delivery, and `show` lists them; an exercise one is figured apart.
    let mut send = send_command(cwd, "./ru", "US", "notification");
    send.args(["--precedence", "flash", "--body"])
        .arg(r#"{"subject":"Second wave of scanning","summary":"Same source, new targets"}"#)
        .env("DETENTE_TOKEN", &ru_token);
    let flash = queued_id(&run_ok(send), "notification", "US");
    let mut send = send_command(cwd, "./ru", "US", "notification");
    send.args(["--exercise", "--body"])
        .arg(r#"{"subject":"Exercise: ransomware at a port","summary":"Not real"}"#)
        .env("DETENTE_TOKEN", &ru_token);
    let drill = queued_id(&run_ok(send), "notification", "US");
    for id in [&flash, &drill] {
        poll_show(
            cwd,
            "./ru",
            &ru_token,
            id,
            "delivered with its deadlines",
            |m| {
                m["state"] == "delivered"
                    && m["deadlines"].as_array().is_some_and(|d| !d.is_empty())
            },
            [&ru_node, &us_node],
        );
    }
    let mut show = detente(cwd);
    show.args(["show", "--dir", "./ru", &flash])
        .env("DETENTE_TOKEN", &ru_token);
    let shown = run_ok(show);
    let acknowledge = shown
        .lines()
        .find(|l| l.starts_with("deadlines"))
        .unwrap_or_else(|| panic!("no deadlines in:\n{shown}"));
    assert!(
        acknowledge.contains("acknowledge  due ") && acknowledge.ends_with("pending"),
        "{shown}"
    );
    assert!(
        shown
            .lines()
            .any(|l| l.trim_start().starts_with("reply        due ")),
        "{shown}"
    );

    // RU's figures with US for this quarter.
    let quarter = current_quarter();
    let mut stats = detente(cwd);
    stats
        .args([
            "stats", "--dir", "./ru", "--with", "US", "--period", &quarter,
        ])
        .env("DETENTE_TOKEN", &ru_token);
    let table = run_ok(stats);
    assert!(table.starts_with("Figures of RU, "), "{table}");
    assert!(table.contains("\nWith US "), "{table}");
    let sent = table.find("\n  sent\n").expect("a sent section");
    let received = table.find("\n  received\n").expect("a received section");
    let exercise = table
        .find("\n  sent, exercise (counted apart)\n")
        .unwrap_or_else(|| panic!("no exercise section in:\n{table}"));
    let sent_rows = &table[sent..received];
    for kind in ["notification", "ping"] {
        assert!(
            sent_rows.contains(&format!("    technical    {kind} ")),
            "no sent {kind} line in:\n{table}"
        );
    }
    assert!(
        table[exercise..].contains("technical    notification"),
        "{table}"
    );
    assert!(
        table.contains(
            "communication checks answered in time: 1 of 1 (100%), RU's checks answered by US"
        ),
        "{table}"
    );

    // …as JSON, the node's own answer.
    let mut stats = detente(cwd);
    stats
        .args([
            "stats", "--dir", "./ru", "--with", "US", "--period", &quarter,
        ])
        .arg("--json")
        .env("DETENTE_TOKEN", &ru_token);
    let figures: Value = serde_json::from_str(&run_ok(stats)).expect("stats --json is JSON");
    assert_eq!(figures["party"], "RU", "{figures:#}");
    let rows = figures["rows"].as_array().expect("rows");
    let ping_row = rows
        .iter()
        .find(|r| r["direction"] == "sent" && r["kind"] == "ping" && r["exercise"] == false)
        .unwrap_or_else(|| panic!("no sent ping row in:\n{figures:#}"));
    assert_eq!(
        (&ping_row["with_deadline"], &ping_row["in_time"]),
        (&Value::from(1), &Value::from(1)),
        "{figures:#}"
    );
    assert!(
        rows.iter().all(|r| r["counterparty"] == "US"),
        "{figures:#}"
    );

    // A period that does not exist is refused before the node is asked.
    let mut stats = detente(cwd);
    stats
        .args([
            "stats", "--dir", "./ru", "--with", "US", "--period", "2026-Q5",
        ])
        .env("DETENTE_TOKEN", &ru_token);
    let refused = common::run(stats);
    assert!(refused.code.is_some() && !refused.ok(), "{refused}");
    assert!(
        refused.stderr.contains("--period") && refused.stderr.contains("2026-Q5"),
        "{refused}"
    );

    // The same figures in an evidence bundle, which anyone recomputes offline.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let verified = loop {
        let mut stats = detente(cwd);
        stats
            .args([
                "stats", "--dir", "./ru", "--with", "US", "--period", &quarter,
            ])
            .args(["--evidence", "figures.json"])
            .env("DETENTE_TOKEN", &ru_token);
        let exported = common::run(stats);
        assert!(exported.ok(), "{exported}");
        assert!(
            exported.stderr.contains("wrote figures.json: ")
                && exported
                    .stderr
                    .contains("the figures in it are checked by: detente verify figures.json"),
            "{exported}"
        );
        let mut verify = detente(cwd);
        verify.args(["verify", "figures.json"]);
        let verified = common::run(verify);
        if verified.ok() || std::time::Instant::now() > deadline {
            break verified;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert!(verified.ok(), "{verified}");
    // The figures are a claim of their own: "figures RU <period>", proven.
    assert!(verified.stdout.contains("\nfigures RU "), "{verified}");
    assert!(
        verified.stdout.contains("\n  PROVEN    figures "),
        "{verified}"
    );

    // `detente evidence --with … --period …` carries the figures too.
    let mut evidence = detente(cwd);
    evidence
        .args([
            "evidence", "--dir", "./ru", "--with", "US", "--period", &quarter,
        ])
        .args(["-o", "exchange.json"])
        .env("DETENTE_TOKEN", &ru_token);
    let exported = common::run(evidence);
    assert!(exported.ok(), "{exported}");
    assert!(
        exported.stderr.contains("wrote exchange.json: ")
            && exported.stderr.contains("the figures of RU for "),
        "{exported}"
    );
    let bundle: Value = serde_json::from_slice(
        &std::fs::read(cwd.join("exchange.json")).expect("read exchange.json"),
    )
    .expect("the bundle is JSON");
    assert_eq!(bundle["stats"]["party"], "RU", "{bundle:#}");

    ru_node.assert_running();
    us_node.assert_running();
}
