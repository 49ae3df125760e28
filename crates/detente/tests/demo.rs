//! `detente demo`: the scripted exchange between RU, US and UN, and
//! `detente demo --serve`, whose state file lets scripts drive the nodes.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{Background, detente, run, run_for};
use serde_json::Value;

#[test]
fn demo_plays_the_script_and_exits() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut demo = detente(tmp.path());
    demo.args(["demo", "--evidence", "bundle.json"]);
    let result = run_for(demo, Duration::from_secs(60));
    assert!(
        result.code.is_some(),
        "detente demo did not exit within 60 s: {result}"
    );
    assert!(result.ok(), "detente demo failed: {result}");
    let out = &result.stdout;
    for party in ["RU", "US", "UN"] {
        assert!(out.contains(party), "no {party} in the demo: {result}");
    }
    assert!(out.contains("DELIVERED"), "{result}");
    assert!(out.contains("VERIFIED"), "{result}");
    let refusal = out
        .lines()
        .find(|line| line.contains("refused it (403 Forbidden)"))
        .unwrap_or_else(|| panic!("no 403 clearance refusal line: {result}"));
    assert!(
        refusal.contains("cleared for [technical, operational], not leadership"),
        "{refusal}"
    );
    assert!(out.contains("acknowledged  by"), "{result}");
    assert!(
        out.contains("RU  ru-us-ict-incidents@1 IN FORCE: both parties signed the same bytes"),
        "{result}"
    );
    // The acknowledgement misses its hour: the engine escalates, both
    // sides hold the escalation, and the late answer is recorded as late.
    assert!(out.contains("DEADLINE MISSED"), "{result}");
    assert!(
        out.contains("RU  signed + stored   escalation")
            && out.contains("US  verified + stored escalation"),
        "{result}"
    );
    assert!(out.contains("MISSED  escalated to operational"), "{result}");
    assert!(out.contains("acknowledge deadline, by"), "{result}");
    assert!(out.contains(": LATE by 1m"), "{result}");
    // It ends by verifying the evidence of the RU–US exchange offline, the
    // figures `detente stats` showed included.
    assert!(
        out.contains("PROVEN    ack-deadline     LATE by 1m"),
        "{result}"
    );
    assert!(out.contains("MATCH: the "), "{result}");
    // A reciprocal guarantee, binding nobody until both signed; a pledge
    // hosted by UN and signed by both through the peer API.
    assert!(
        out.contains("ru-us-non-interference: proposed; awaiting the signature of US"),
        "{result}"
    );
    assert!(
        out.contains("RU  ru-us-non-interference: in force since"),
        "{result}"
    );
    for party in ["RU", "US"] {
        assert!(
            out.contains(&format!("UN  UN/no-first-use: signed by {party} at")),
            "{result}"
        );
    }
    assert!(
        out.contains("broken, 0 unproven — every claim holds."),
        "{result}"
    );
    // Nothing written in the current directory but the bundle asked for.
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("read dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(
        left,
        ["bundle.json"],
        "demo left {left:?} in the current directory"
    );
    verify_the_kept_bundle(tmp.path());
}

/// `detente verify` on the demo's bundle: exit 0; then each kind of damage
/// gets its exit code and a message naming what broke.
fn verify_the_kept_bundle(dir: &Path) {
    let verify = |file: &str, extra: &[&str]| {
        let mut command = detente(dir);
        command.args(["verify", file]).args(extra);
        run(command)
    };
    let good = verify("bundle.json", &[]);
    assert!(good.ok(), "{good}");
    // The agreement travels in the bundle, and with it the deadlines: the
    // notification was acknowledged late (the demo's hour passed), replied
    // to in time, and the figures the node claimed are the ones recomputed.
    for expected in [
        "PROVEN    in-force",
        "PROVEN    ack-deadline     LATE by",
        "PROVEN    reply-deadline   IN TIME",
        "PROVEN    figures          the figures",
    ] {
        assert!(good.stdout.contains(expected), "{expected}: {good}");
    }
    let json = verify("bundle.json", &["--json"]);
    let report: Value = serde_json::from_str(&json.stdout).expect("--json prints JSON");
    assert!(
        report["claims"].as_array().is_some_and(|c| c.len() > 10),
        "{json}"
    );

    let text = std::fs::read_to_string(dir.join("bundle.json")).expect("bundle");
    let mut bundle: Value = serde_json::from_str(&text).expect("json");
    // The notification: the message whose envelope names its subject.
    let n = bundle["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .position(|m| {
            m["envelope"]
                .as_str()
                .is_some_and(|e| e.contains("Scanning"))
        })
        .expect("the notification is in the bundle");
    let envelope = bundle["messages"][n]["envelope"]
        .as_str()
        .expect("envelope")
        .to_owned();
    let at = envelope
        .find("Scanning")
        .expect("the notification's subject");
    let mut bytes = envelope.into_bytes();
    bytes[at] ^= 0x20; // 'S' -> 's'
    bundle["messages"][n]["envelope"] = Value::String(String::from_utf8(bytes).expect("utf-8"));
    std::fs::write(dir.join("tampered.json"), bundle.to_string()).expect("write");
    let tampered = verify("tampered.json", &[]);
    assert_eq!(tampered.code, Some(1), "{tampered}");
    assert!(tampered.stdout.contains("BROKEN"), "{tampered}");
    assert!(
        tampered
            .stderr
            .contains("— sent: the envelope's signature does not verify with RU's key"),
        "{tampered}"
    );

    let mut original: Value = serde_json::from_str(&text).expect("json");
    original["messages"][n]
        .as_object_mut()
        .expect("message")
        .remove("sender_log");
    std::fs::write(dir.join("incomplete.json"), original.to_string()).expect("write");
    let incomplete = verify("incomplete.json", &[]);
    assert_eq!(incomplete.code, Some(3), "{incomplete}");
    assert!(incomplete.stdout.contains("UNPROVEN"), "{incomplete}");

    std::fs::write(dir.join("garbage.json"), b"{\"format\": 1}").expect("write");
    let garbage = verify("garbage.json", &[]);
    assert_eq!(garbage.code, Some(1), "{garbage}");
    assert!(garbage.stderr.contains("is not a bundle"), "{garbage}");
    let missing = verify("missing.json", &[]);
    assert_eq!(missing.code, Some(1), "{missing}");
    assert!(
        missing
            .stderr
            .contains("cannot read the bundle missing.json"),
        "{missing}"
    );
}

#[test]
fn demo_serve_writes_a_state_file_that_drives_the_nodes() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let cwd = tmp.path();
    let state_file = cwd.join("state.json");
    let mut command = detente(cwd);
    command
        .args(["demo", "--serve", "--state-file"])
        .arg(&state_file);
    let mut demo = Background::spawn(command, &cwd.join("demo.log"));

    let deadline = Instant::now() + Duration::from_secs(60);
    let state: Value = loop {
        demo.assert_running();
        // Written when the nodes start ("playing"), then again when the
        // script has ended ("serving").
        if let Ok(text) = std::fs::read_to_string(&state_file)
            && let Ok(state) = serde_json::from_str::<Value>(&text)
            && state["phase"] == "serving"
        {
            break state;
        }
        assert!(
            Instant::now() < deadline,
            "no serving state file within 60 s; demo output:\n{}",
            demo.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    };

    for party in ["RU", "US", "UN"] {
        let p = &state["parties"][party];
        assert!(p.is_object(), "no party {party} in {state:#}");
        let base_url = p["base_url"].as_str().unwrap_or_default();
        assert!(base_url.starts_with("https://127.0.0.1:"), "{state:#}");
        assert!(
            p["officer_token"].as_str().is_some_and(|t| !t.is_empty()),
            "{state:#}"
        );
        assert!(
            p["fingerprint"]
                .as_str()
                .is_some_and(|f| f.starts_with("SHA256:")),
            "{state:#}"
        );
        let taxii = &p["taxii"];
        assert_eq!(
            taxii["discovery"].as_str(),
            Some(format!("{base_url}/taxii2/").as_str()),
            "{state:#}"
        );
        assert_eq!(taxii["user"], "soc", "{state:#}");
        assert!(
            taxii["password"]
                .as_str()
                .is_some_and(|s| s.starts_with("dtx_")),
            "{state:#}"
        );
        let console = &p["console"];
        assert_eq!(
            console["url"].as_str(),
            Some(format!("{base_url}/").as_str()),
            "{state:#}"
        );
        for who in ["officer", "ministry"] {
            assert!(
                console[who]["password"]
                    .as_str()
                    .is_some_and(|s| s.chars().count() >= 12),
                "{who}: {state:#}"
            );
            let line = format!(
                "console {base_url}/  (sign in as {} / {}",
                console["officer"]["name"].as_str().unwrap_or_default(),
                console["officer"]["password"].as_str().unwrap_or_default()
            );
            assert!(
                demo.log().contains(&line),
                "{line:?} not printed:\n{}",
                demo.log()
            );
        }
        let certificate = p["tls_certificate"].as_str().unwrap_or_default();
        assert!(
            Path::new(certificate).is_file(),
            "{party}'s tls_certificate {certificate:?} is not a file"
        );
    }

    // Drive the running US node with the CLI, as the state file invites.
    let us = &state["parties"]["US"];
    let node_dir = us["node_dir"].as_str().expect("US node_dir");
    let mut inbox = detente(cwd);
    inbox.args([
        "inbox",
        "--node",
        us["base_url"].as_str().expect("base_url"),
        "--dir",
        node_dir,
        "--token",
        us["officer_token"].as_str().expect("officer_token"),
        "--json",
    ]);
    let result = run(inbox);
    assert!(result.ok(), "inbox against the demo's US node: {result}");
    let list: Value = serde_json::from_str(&result.stdout)
        .unwrap_or_else(|e| panic!("inbox --json printed no JSON ({e}): {result}"));
    let messages = list["messages"].as_array().expect("messages array");
    assert!(!messages.is_empty(), "US received nothing: {list:#}");
    assert!(
        messages
            .iter()
            .all(|m| m["direction"] == "received" && m["to"]["party"] == "US"),
        "{list:#}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m["kind"] == "notification" && m["counterparty"] == "RU"),
        "US does not list RU's notification: {list:#}"
    );

    // The alerts, from the terminal: the FLASH's, acknowledged from its
    // email's link, and acknowledging one that is still waiting.
    let alerts_cli = |args: &[&str]| {
        let mut command = detente(cwd);
        command.arg("alerts").args(args).args([
            "--node",
            us["base_url"].as_str().expect("base_url"),
            "--dir",
            node_dir,
            "--token",
            us["officer_token"].as_str().expect("officer_token"),
        ]);
        run(command)
    };
    let listed = alerts_cli(&["list", "--all"]);
    assert!(listed.ok(), "alerts list: {listed}");
    assert!(
        listed.stdout.starts_with("    N  PRECEDENC  STATE"),
        "{listed}"
    );
    let flash_row = listed
        .stdout
        .lines()
        .find(|l| l.contains("FLASH notification from RU"))
        .unwrap_or_else(|| panic!("no FLASH alert listed: {listed}"));
    assert!(
        flash_row.contains("acknowledged") && flash_row.contains("duty-1"),
        "{flash_row}"
    );
    let id = flash_row.split_whitespace().next().expect("a number");
    let shown = alerts_cli(&["show", id]);
    assert!(shown.ok(), "alerts show: {shown}");
    assert!(
        shown.stdout.contains("ACKNOWLEDGED by duty-1 (link)"),
        "{shown}"
    );
    assert!(
        shown
            .stdout
            .contains("step 1       duty-1 by mail: sent at"),
        "{shown}"
    );
    let again = alerts_cli(&["ack", id]);
    assert!(again.ok(), "alerts ack: {again}");
    assert!(
        again
            .stdout
            .contains("was already acknowledged by duty-1 (link)"),
        "{again}"
    );
    let missing = alerts_cli(&["show", "999999"]);
    assert!(!missing.ok(), "an unknown alert is refused: {missing}");
    demo.assert_running();
}
