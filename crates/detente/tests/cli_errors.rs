//! The `detente` command refuses what it must, says why on stderr, exits
//! non-zero, and leaves nothing behind.

mod common;

use std::path::Path;

use common::{
    Background, Run, detente, fingerprint_of, free_port, peer_add_command, run, run_ok,
    send_command, token_of, wait_until_serving,
};
use serde_json::Value;

/// `detente init` for `party` into `cwd/dir`, listening on `port`; returns the fingerprint.
fn init(cwd: &Path, party: &str, dir: &str, port: u16) -> String {
    let mut init = detente(cwd);
    init.args(["init", "--party", party, "--dir", dir])
        .args(["--listen", &format!("127.0.0.1:{port}")]);
    fingerprint_of(&run_ok(init))
}

/// `detente officer add`; returns the token (the line after "Token").
fn add_officer(cwd: &Path, dir: &str, name: &str, tiers: &str) -> String {
    let mut add = detente(cwd);
    add.args([
        "officer", "add", "--dir", dir, "--name", name, "--tiers", tiers,
    ]);
    token_of(&run_ok(add))
}

/// The entries of a directory, by name, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// Asserts a refusal: non-zero exit, and stderr containing every one of `words`.
fn assert_refused(result: &Run, words: &[&str]) {
    assert!(
        result.code.is_some() && !result.ok(),
        "expected a refusal (non-zero exit): {result}"
    );
    for word in words {
        assert!(
            result.stderr.contains(word),
            "stderr does not mention {word:?}: {result}"
        );
    }
}

/// A RU node with US as its trusted peer, an officer cleared for `tiers`,
/// serving in the background. Returns the guard and the officer's token.
fn serving_ru_node(cwd: &Path, tiers: &str) -> (Background, String) {
    let us_fingerprint = init(cwd, "US", "./us", free_port());
    init(cwd, "RU", "./ru", free_port());
    let mut add = peer_add_command(cwd, "./us/card.json", "./ru");
    add.args(["--fingerprint", &us_fingerprint]);
    run_ok(add);
    let token = add_officer(cwd, "./ru", "Petrov", tiers);
    let mut serve = detente(cwd);
    serve.args(["serve", "--dir", "./ru"]);
    let mut node = Background::spawn(serve, &cwd.join("ru.log"));
    wait_until_serving(cwd, "./ru", &token, &mut node);
    (node, token)
}

/// The RU node's outbox, through `detente inbox --box outbox --json`.
fn outbox(cwd: &Path, token: &str) -> Vec<Value> {
    let mut inbox = detente(cwd);
    inbox
        .args(["inbox", "--dir", "./ru", "--box", "outbox", "--json"])
        .env("DETENTE_TOKEN", token);
    let stdout = run_ok(inbox);
    let list: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("inbox --json printed no JSON ({e}):\n{stdout}"));
    list["messages"]
        .as_array()
        .unwrap_or_else(|| panic!("no messages array in {list:#}"))
        .clone()
}

fn peer_list(cwd: &Path, dir: &str) -> String {
    let mut list = detente(cwd);
    list.args(["peer", "list", "--dir", dir]);
    run_ok(list)
}

#[test]
fn peer_add_with_a_wrong_fingerprint_is_refused() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let cwd = tmp.path();
    let ru_fingerprint = init(cwd, "RU", "./ru", free_port());
    let us_fingerprint = init(cwd, "US", "./us", free_port());

    // Well-formed, but not US's: RU's own fingerprint.
    let mut add = peer_add_command(cwd, "./us/card.json", "./ru");
    add.args(["--fingerprint", &ru_fingerprint]);
    let result = run(add);
    assert_refused(
        &result,
        &[
            "the card of US",
            "fingerprint",
            &ru_fingerprint,
            "you confirmed",
            "not added",
        ],
    );
    assert!(!result.stdout.contains("Added"), "{result}");
    // The card's real fingerprint is not shown: copying it from the error
    // would defeat the out-of-band check.
    assert!(
        !result.stdout.contains(&us_fingerprint) && !result.stderr.contains(&us_fingerprint),
        "the refusal shows the card's own fingerprint: {result}"
    );
    let peers = peer_list(cwd, "./ru");
    assert!(peers.contains("No peers yet"), "{peers}");
    assert!(!peers.contains("US"), "{peers}");

    // Not even a fingerprint.
    let mut add = peer_add_command(cwd, "./us/card.json", "./ru");
    add.args(["--fingerprint", "SHA256:abc"]);
    let result = run(add);
    assert_refused(&result, &["--fingerprint", "not a fingerprint"]);
    let peers = peer_list(cwd, "./ru");
    assert!(peers.contains("No peers yet"), "{peers}");
}

#[test]
fn peer_add_without_fingerprint_off_a_terminal_is_refused() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let cwd = tmp.path();
    init(cwd, "RU", "./ru", free_port());
    let us_fingerprint = init(cwd, "US", "./us", free_port());

    // `detente()` gives the command a null stdin: not a terminal.
    let add = peer_add_command(cwd, "./us/card.json", "./ru");
    let result = run(add);
    assert_refused(&result, &["not adding US", "--fingerprint", "terminal"]);
    // It names the card, but does not offer its fingerprint to copy.
    assert!(result.stdout.contains("Card of US"), "{result}");
    assert!(
        !result.stdout.contains(&us_fingerprint) && !result.stderr.contains(&us_fingerprint),
        "the card's own fingerprint is shown: {result}"
    );
    let peers = peer_list(cwd, "./ru");
    assert!(peers.contains("No peers yet"), "{peers}");
}

#[test]
fn init_into_a_non_empty_directory_is_refused_and_leaves_it_untouched() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let cwd = tmp.path();
    let dir = cwd.join("ru");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::write(dir.join("keep.txt"), "precious\n").expect("write");

    let mut init = detente(cwd);
    init.args(["init", "--party", "RU", "--dir", "./ru"])
        .args(["--listen", &format!("127.0.0.1:{}", free_port())]);
    let result = run(init);
    assert_refused(&result, &["ru", "not empty", "never overwrites"]);
    assert_eq!(entries(&dir), ["keep.txt"]);
    assert_eq!(
        std::fs::read_to_string(dir.join("keep.txt")).expect("read"),
        "precious\n"
    );
    // No staging directory left next to it either.
    assert_eq!(entries(cwd), ["ru"]);
}

#[test]
fn init_with_a_bad_party_code_is_refused_and_creates_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let cwd = tmp.path();
    let mut init = detente(cwd);
    init.args(["init", "--party", "ru", "--dir", "./ru"])
        .args(["--listen", &format!("127.0.0.1:{}", free_port())]);
    let result = run(init);
    assert_refused(&result, &["--party", "\"ru\"", "not a party code", "RU"]);
    assert!(!cwd.join("ru").exists());
    assert!(entries(cwd).is_empty(), "left behind: {:?}", entries(cwd));
}

#[test]
fn officer_add_with_an_unknown_tier_is_refused() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let cwd = tmp.path();
    init(cwd, "RU", "./ru", free_port());

    let mut add = detente(cwd);
    add.args(["officer", "add", "--dir", "./ru", "--name", "Ivanova"])
        .args(["--tiers", "technical,bogus"]);
    let result = run(add);
    assert_refused(
        &result,
        &["--tiers", "\"bogus\"", "not a tier", "technical"],
    );
    assert!(!result.stdout.contains("Token"), "{result}");

    let mut list = detente(cwd);
    list.args(["officer", "list", "--dir", "./ru"]);
    let officers = run_ok(list);
    assert!(
        officers.trim().is_empty(),
        "officers left behind: {officers}"
    );
}

#[test]
fn send_above_the_officers_clearance_is_refused_by_the_node() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let cwd = tmp.path();
    let (mut node, token) = serving_ru_node(cwd, "technical");

    let mut send = send_command(cwd, "./ru", "US", "notification");
    send.args(["--from-tier", "leadership", "--body"])
        .arg(r#"{"subject":"Above my clearance","summary":"Should not go out"}"#)
        .env("DETENTE_TOKEN", &token);
    let result = run(send);
    assert_refused(
        &result,
        &["403", "Petrov", "cleared for [technical]", "not leadership"],
    );
    assert!(outbox(cwd, &token).is_empty(), "the outbox is not empty");
    node.assert_running();
}

#[test]
fn send_with_a_malformed_body_is_refused_before_contacting_the_node() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let cwd = tmp.path();
    // Hold the node's port ourselves, to see whether anyone connects.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    listener.set_nonblocking(true).expect("nonblocking");
    init(cwd, "RU", "./ru", port);
    let token = add_officer(cwd, "./ru", "Petrov", "technical");

    let mut send = send_command(cwd, "./ru", "US", "notification");
    send.args(["--body", r#"{"subject":"#])
        .env("DETENTE_TOKEN", &token);
    let result = run(send);
    assert_refused(&result, &["--body", "not valid JSON"]);
    assert!(!result.stderr.contains("cannot talk"), "{result}");
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        Ok((_, peer)) => panic!("send connected to the node ({peer}) despite the bad body"),
        Err(e) => panic!("accept: {e}"),
    }

    // @FILE that does not exist: also refused up front.
    let mut send = send_command(cwd, "./ru", "US", "notification");
    send.args(["--body", "@missing.json"])
        .env("DETENTE_TOKEN", &token);
    let result = run(send);
    assert_refused(&result, &["--body @missing.json", "cannot read"]);
    assert!(matches!(
        listener.accept(),
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock
    ));
}

/// Asserts that nobody connected to `listener` (the node's port, held by
/// the test) since it was bound.
fn assert_not_contacted(listener: &std::net::TcpListener, what: &str) {
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        Ok((_, peer)) => panic!("{what} connected to the node ({peer})"),
        Err(e) => panic!("accept: {e}"),
    }
}

#[test]
fn guarantee_and_pledge_mistakes_are_refused_before_contacting_the_node() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let cwd = tmp.path();
    // Hold the node's port ourselves, to see whether anyone connects.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    listener.set_nonblocking(true).expect("nonblocking");
    init(cwd, "RU", "./ru", port);
    let token = add_officer(cwd, "./ru", "Petrov", "technical,policy");
    let officer = |args: &[&str]| {
        let mut command = detente(cwd);
        command
            .args(args)
            .args(["--dir", "./ru"])
            .env("DETENTE_TOKEN", &token);
        run(command)
    };

    // A moment that is neither a date nor an RFC 3339 time.
    let result = officer(&[
        "guarantee",
        "show",
        "ru-us-elections-2026",
        "--at",
        "2026-13-01",
    ]);
    assert_refused(
        &result,
        &["--at", "\"2026-13-01\"", "neither a date", "RFC 3339"],
    );
    assert_not_contacted(&listener, "guarantee show --at 2026-13-01");
    let result = officer(&["pledge", "show", "UN/no-first-use", "--at", "next week"]);
    assert_refused(&result, &["--at", "\"next week\"", "neither a date"]);
    assert_not_contacted(&listener, "pledge show --at 'next week'");

    // A pledge named without its host, or with a host that is no party code.
    let result = officer(&["pledge", "sign", "no-first-use"]);
    assert_refused(
        &result,
        &["HOST/ID", "not a pledge reference", "UN/no-first-use"],
    );
    let result = officer(&[
        "pledge",
        "withdraw",
        "un/no-first-use",
        "--reason",
        "Replaced",
    ]);
    assert_refused(&result, &["HOST/ID", "not a pledge reference", "host"]);
    assert_not_contacted(&listener, "pledge sign no-first-use");

    // A withdrawal must say why.
    for reason in ["", "   "] {
        let result = officer(&[
            "guarantee",
            "withdraw",
            "ru-us-elections-2026",
            "--reason",
            reason,
        ]);
        assert_refused(&result, &["--reason", "must not be empty", "say why"]);
        let result = officer(&["pledge", "withdraw", "UN/no-first-use", "--reason", reason]);
        assert_refused(&result, &["--reason", "must not be empty"]);
    }
    assert_not_contacted(&listener, "withdraw --reason ''");

    // A guarantee id that could not be one (and would go into a URL).
    let result = officer(&["guarantee", "sign", "../messages"]);
    assert_refused(&result, &["\"../messages\"", "not a guarantee id"]);

    // A file that is not there, or not a guarantee.
    let result = officer(&["guarantee", "propose", "missing.toml"]);
    assert_refused(&result, &["cannot read the guarantee missing.toml"]);
    let result = officer(&["pledge", "create", "missing.toml"]);
    assert_refused(&result, &["cannot read the pledge missing.toml"]);
    std::fs::write(
        cwd.join("guarantee.toml"),
        "id = \"ru-us-elections-2026\"\nreciprocal = false\nissuer = \"RU\"\nbeneficiary = \"US\"\n\
         scope = [\"elections\"]\neffective_from = \"2026-01-01T00:00:00Z\"\nnotice = \"soon\"\n\
         [text]\nen = \"RU will not interfere in the elections of US.\"\n",
    )
    .expect("write guarantee.toml");
    let result = officer(&["guarantee", "propose", "guarantee.toml"]);
    assert_refused(
        &result,
        &["guarantee.toml", "notice", "\"soon\"", "not a duration"],
    );
    assert!(!result.stderr.contains("cannot talk"), "{result}");
    assert_not_contacted(&listener, "guarantee propose of a bad file");

    // An evidence export names one subject.
    let result = officer(&[
        "evidence",
        "--guarantee",
        "ru-us-elections-2026",
        "--pledge",
        "UN/no-first-use",
    ]);
    assert_refused(&result, &["--guarantee", "--pledge", "cannot be used with"]);
    let result = officer(&["evidence", "--pledge", "no-first-use"]);
    assert_refused(&result, &["--pledge", "not a pledge reference"]);
    assert_not_contacted(&listener, "evidence with two subjects");

    // verify --at, offline: refused before the bundle is read.
    let mut verify = detente(cwd);
    verify.args(["verify", "bundle.json", "--at", "2026-12-32"]);
    let result = run(verify);
    assert_refused(&result, &["--at", "\"2026-12-32\"", "neither a date"]);
}

#[test]
fn send_of_an_unknown_kind_is_refused_by_the_node() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let cwd = tmp.path();
    let (mut node, token) = serving_ru_node(cwd, "technical");

    let mut send = send_command(cwd, "./ru", "US", "gossip");
    send.args(["--body", r#"{"subject":"Hearsay","summary":"None"}"#])
        .env("DETENTE_TOKEN", &token);
    let result = run(send);
    assert_refused(
        &result,
        &[
            "the node refused",
            "unknown message kind",
            "\"gossip\"",
            "known kinds",
            "notification",
            "request-information",
            "ping",
        ],
    );
    assert!(outbox(cwd, &token).is_empty(), "the outbox is not empty");
    node.assert_running();
}

/// Every command that does something.
const COMMANDS: &[&[&str]] = &[
    &["init"],
    &["serve"],
    &["peer", "add"],
    &["peer", "list"],
    &["officer", "add"],
    &["officer", "list"],
    &["officer", "remove"],
    &["send"],
    &["inbox"],
    &["show"],
    &["ack"],
    &["demo"],
    &["guarantee", "propose"],
    &["guarantee", "sign"],
    &["guarantee", "withdraw"],
    &["guarantee", "list"],
    &["guarantee", "show"],
    &["pledge", "create"],
    &["pledge", "sign"],
    &["pledge", "withdraw"],
    &["pledge", "list"],
    &["pledge", "show"],
    &["taxii", "account", "add"],
    &["taxii", "account", "list"],
    &["taxii", "account", "remove"],
    &["taxii", "pull"],
    &["drafts"],
    &["drafts", "list"],
    &["drafts", "show"],
    &["drafts", "send"],
    &["drafts", "discard"],
];

fn help(command: &[&str]) -> Run {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut help = detente(tmp.path());
    help.args(command).arg("--help");
    run(help)
}

/// `detente COMMAND --help` succeeds and shows an example; returns what it printed.
fn assert_help_has_an_example(command: &[&str]) -> Run {
    let result = help(command);
    assert!(
        result.ok(),
        "detente {} --help: {result}",
        command.join(" ")
    );
    assert!(
        result.stdout.contains("Example"),
        "detente {} --help has no example: {result}",
        command.join(" ")
    );
    result
}

#[test]
fn every_command_has_help_with_an_example() {
    for command in COMMANDS {
        let result = assert_help_has_an_example(command);
        assert!(
            result
                .stdout
                .contains(&format!("detente {}", command.join(" "))),
            "the example of detente {} does not show the command: {result}",
            command.join(" ")
        );
    }
}

/// The README: "Every command has `--help` with an example" — the groups too.
#[test]
fn command_groups_have_help_with_an_example() {
    for command in [
        &["peer"][..],
        &["officer"][..],
        &["guarantee"][..],
        &["pledge"][..],
        &["taxii"][..],
        &["taxii", "account"][..],
    ] {
        assert_help_has_an_example(command);
    }
}
