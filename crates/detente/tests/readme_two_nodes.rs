//! End to end: the README's "Running a real pair of nodes", with real
//! `detente` processes — init, peer add, officer add, serve, send, inbox,
//! ack, show — on free loopback ports in a temporary directory.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The fingerprint `detente init` printed.
fn fingerprint_of(init_stdout: &str) -> String {
    init_stdout
        .lines()
        .find_map(|line| line.trim().strip_prefix("fingerprint:"))
        .map(|f| f.trim().to_owned())
        .unwrap_or_else(|| panic!("no fingerprint in the output of init:\n{init_stdout}"))
}

/// The token `detente officer add` printed: the line after "Token".
fn token_of(officer_add_stdout: &str) -> String {
    let mut lines = officer_add_stdout.lines();
    lines
        .by_ref()
        .find(|line| line.starts_with("Token"))
        .unwrap_or_else(|| panic!("no Token line in:\n{officer_add_stdout}"));
    let token = lines
        .next()
        .unwrap_or_else(|| panic!("nothing after the Token line in:\n{officer_add_stdout}"))
        .trim()
        .to_owned();
    assert!(!token.is_empty(), "empty token in:\n{officer_add_stdout}");
    token
}

/// Waits (at most 20 s) until the node in `dir` answers `detente inbox`.
fn wait_until_serving(cwd: &Path, dir: &str, token: &str, node: &mut Background) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        node.assert_running();
        let mut inbox = detente(cwd);
        inbox
            .args(["inbox", "--dir", dir])
            .env("DETENTE_TOKEN", token);
        let result = run(inbox);
        if result.ok() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the node in {dir} did not answer within 20 s; last try: {result}\nnode log:\n{}",
            node.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `detente show --dir DIR ID --json`, parsed.
fn show_json(cwd: &Path, dir: &str, token: &str, id: &str) -> Value {
    let mut show = detente(cwd);
    show.args(["show", "--dir", dir, id, "--json"])
        .env("DETENTE_TOKEN", token);
    let stdout = run_ok(show);
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("show --json printed no JSON ({e}):\n{stdout}"))
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
    let mut add = detente(cwd);
    add.args(["peer", "add", "./us/card.json", "--dir", "./ru"])
        .args(["--fingerprint", &us_fingerprint]);
    let added = run_ok(add);
    assert!(added.contains("Added US"), "{added}");
    let mut add = detente(cwd);
    add.args(["peer", "add", "./ru/card.json", "--dir", "./us"])
        .args(["--fingerprint", &ru_fingerprint]);
    let added = run_ok(add);
    assert!(added.contains("Added RU"), "{added}");
    let mut list = detente(cwd);
    list.args(["peer", "list", "--dir", "./ru"]);
    let peers = run_ok(list);
    assert!(
        peers.contains("US") && peers.contains(&us_fingerprint),
        "{peers}"
    );

    // 3. Each adds an officer; the token is shown once.
    let mut officer = detente(cwd);
    officer
        .args(["officer", "add", "--dir", "./ru", "--name", "Ivanova"])
        .args(["--tiers", "technical,operational"]);
    let ru_token = token_of(&run_ok(officer));
    let mut officer = detente(cwd);
    officer
        .args(["officer", "add", "--dir", "./us", "--name", "Miller"])
        .args(["--tiers", "technical,operational"]);
    let us_token = token_of(&run_ok(officer));
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
    let mut send = detente(cwd);
    send.args([
        "send",
        "--dir",
        "./ru",
        "--to",
        "US",
        "--kind",
        "notification",
    ])
    .args(["--precedence", "flash", "--body"])
    .arg(r#"{"subject":"Scanning of grid SCADA","summary":"From 203.0.113.0/24 since 09:00 UTC"}"#)
    .env("DETENTE_TOKEN", &ru_token);
    let sent = run_ok(send);
    // → queued notification <id> to US
    let id = sent
        .lines()
        .find_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["queued", "notification", id, "to", "US", ..] => Some((*id).to_owned()),
                _ => None,
            }
        })
        .unwrap_or_else(|| panic!("no `queued notification <id> to US` in:\n{sent}"));

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

    ru_node.assert_running();
    us_node.assert_running();
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

/// Runs a command that must succeed; returns its stdout.
fn run_ok(command: Command) -> String {
    let what = format!("{command:?}");
    let result = run(command);
    assert!(result.ok(), "{what} failed: {result}");
    result.stdout
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

/// A loopback port nobody listens on right now.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}
