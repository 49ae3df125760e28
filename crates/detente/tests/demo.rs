//! `detente demo`: the scripted exchange between RU, US and UN, and
//! `detente demo --serve`, whose state file lets scripts drive the nodes.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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
// ---- helpers (each test file is its own crate, so they are repeated) ----

/// A `detente` command run in `cwd`, with no DETENTE_* or RUST_LOG
/// variables inherited from the environment and stdin not a terminal.
fn detente(cwd: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_detente"));
    command
        .current_dir(cwd)
        .env_remove("DETENTE_TOKEN")
        .env_remove("DETENTE_DIR")
        .env_remove("DETENTE_NODE")
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    command
}

/// What a finished (or timed-out) command printed.
#[derive(Debug)]
struct Run {
    /// `None` when the command was killed at the deadline.
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn ok(&self) -> bool {
        self.code == Some(0)
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs a command to completion, killing it if it takes longer than `limit`.
fn run_for(mut command: Command, limit: Duration) -> Run {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn detente");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = out.read_to_string(&mut text);
        text
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = err.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + limit;
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait for detente") {
            break status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code,
        stdout: out_reader.join().expect("stdout reader"),
        stderr: err_reader.join().expect("stderr reader"),
    }
}

/// Runs a command that should be quick (30 s at most, even in debug builds).
fn run(command: Command) -> Run {
    run_for(command, Duration::from_secs(30))
}

/// A background `detente` process (a node, or the demo), interrupted like
/// Ctrl-C when dropped — even when the test fails — and killed if it has
/// not stopped 10 s later. Its stdout and stderr go to a log file.
struct Background {
    child: Child,
    log: PathBuf,
}

impl Background {
    fn spawn(mut command: Command, log: &Path) -> Self {
        let file = std::fs::File::create(log).expect("create log file");
        let file2 = file.try_clone().expect("clone log file");
        let child = command
            .stdout(file)
            .stderr(file2)
            .spawn()
            .expect("spawn detente");
        Self {
            child,
            log: log.to_owned(),
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Panics (with the log) if the process has already exited.
    fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("detente exited early ({status}); its log:\n{}", self.log());
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            #[cfg(unix)]
            {
                let _ = Command::new("kill")
                    .arg("-INT")
                    .arg(self.child.id().to_string())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
                let deadline = Instant::now() + Duration::from_secs(10);
                while Instant::now() < deadline {
                    if !matches!(self.child.try_wait(), Ok(None)) {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}
