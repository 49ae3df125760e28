//! Helpers shared by the `detente` command's integration tests: running the
//! binary with a deadline and a clean environment, background processes
//! that stop when dropped, free ports, and reading what the commands print.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `detente` command run in `cwd`, with no DETENTE_* or RUST_LOG
/// variables inherited from the environment and stdin not a terminal.
pub fn detente(cwd: &Path) -> Command {
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

/// `detente peer add CARD --dir DIR` run in `cwd`; the caller adds
/// `--fingerprint` (or leaves it out).
pub fn peer_add_command(cwd: &Path, card: &str, dir: &str) -> Command {
    let mut add = detente(cwd);
    add.args(["peer", "add", card, "--dir", dir]);
    add
}

/// `detente send --dir DIR --to TO --kind KIND` run in `cwd`; the caller
/// adds the rest (body, tiers, token).
pub fn send_command(cwd: &Path, dir: &str, to: &str, kind: &str) -> Command {
    let mut send = detente(cwd);
    send.args(["send", "--dir", dir, "--to", to, "--kind", kind]);
    send
}

/// What a finished (or timed-out) command printed.
#[derive(Debug)]
pub struct Run {
    /// `None` when the command was killed at the deadline.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(&self) -> bool {
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
pub fn run_for(command: Command, limit: Duration) -> Run {
    run_fed(command, limit, None)
}

/// Runs a quick command with `input` on its standard input.
pub fn run_with_input(command: Command, input: &str) -> Run {
    run_fed(command, Duration::from_secs(30), Some(input))
}

fn run_fed(mut command: Command, limit: Duration, input: Option<&str>) -> Run {
    let mut child = command
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn detente");
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        use std::io::Write as _;
        stdin.write_all(input.as_bytes()).expect("write stdin");
    }
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
pub fn run(command: Command) -> Run {
    run_for(command, Duration::from_secs(30))
}

/// Runs a command that must succeed; returns its stdout.
pub fn run_ok(command: Command) -> String {
    let what = format!("{command:?}");
    let result = run(command);
    assert!(result.ok(), "{what} failed: {result}");
    result.stdout
}

/// A background `detente` process (a node, or the demo), interrupted like
/// Ctrl-C when dropped — even when the test fails — and killed if it has
/// not stopped 10 s later. Its stdout and stderr go to a log file.
pub struct Background {
    child: Child,
    log: PathBuf,
}

impl Background {
    pub fn spawn(mut command: Command, log: &Path) -> Self {
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

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Panics (with the log) if the process has already exited.
    pub fn assert_running(&mut self) {
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
pub fn free_port() -> u16 {
    // Below Linux's ephemeral range (32768–60999 by default), so that no
    // outbound connection (a pooled HTTP client's, say) is given the port
    // while the node that owns it is stopped or not yet listening.
    use std::sync::atomic::{AtomicU16, Ordering};
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let seed = (std::process::id() % 64) as u16 * 190;
    loop {
        let offset = NEXT.fetch_add(1, Ordering::Relaxed) % 12_000;
        let port = 20_000 + (seed + offset) % 12_000;
        if let Ok(listener) = std::net::TcpListener::bind(("127.0.0.1", port)) {
            return listener.local_addr().expect("local addr").port();
        }
    }
}

/// The fingerprint `detente init` printed.
pub fn fingerprint_of(init_stdout: &str) -> String {
    init_stdout
        .lines()
        .find_map(|line| line.trim().strip_prefix("fingerprint:"))
        .map(|f| f.trim().to_owned())
        .unwrap_or_else(|| panic!("no fingerprint in the output of init:\n{init_stdout}"))
}

/// The token `detente officer add` printed: the line after "Token".
pub fn token_of(officer_add_stdout: &str) -> String {
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
pub fn wait_until_serving(cwd: &Path, dir: &str, token: &str, node: &mut Background) {
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
