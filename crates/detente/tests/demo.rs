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
    demo.arg("demo");
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
    // Nothing written in the current directory without --serve.
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("read dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert!(
        left.is_empty(),
        "demo left {left:?} in the current directory"
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
        if let Ok(text) = std::fs::read_to_string(&state_file)
            && let Ok(state) = serde_json::from_str::<Value>(&text)
        {
            break state;
        }
        assert!(
            Instant::now() < deadline,
            "no state file within 60 s; demo output:\n{}",
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
    demo.assert_running();
}
