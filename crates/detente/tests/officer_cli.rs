//! `detente officer add --password` and `detente officer passwd`, with
//! real processes: a refused password adds or changes nothing, a set one
//! signs in (checked through the node library on the same directory).

mod common;

use std::path::Path;
use std::sync::Arc;

use common::{Run, detente, free_port, run, run_ok, run_with_input};
use detente_node::{Node, NodeError, Unauthenticated};
use detente_proto::clock::SystemClock;

fn init(cwd: &Path) {
    let mut init = detente(cwd);
    init.args(["init", "--party", "RU", "--dir", "ru"])
        .args(["--listen", &format!("127.0.0.1:{}", free_port())]);
    run_ok(init);
}

fn officers(cwd: &Path) -> String {
    let mut list = detente(cwd);
    list.args(["officer", "list", "--dir", "ru"]);
    run_ok(list)
}

fn refused(result: &Run, words: &[&str]) {
    assert!(
        result.code.is_some() && !result.ok(),
        "expected a refusal: {result}"
    );
    for word in words {
        assert!(
            result.stderr.contains(word),
            "stderr lacks {word:?}: {result}"
        );
    }
}

async fn sign_in(cwd: &Path, name: &str, password: &str) -> Result<(), NodeError> {
    let node = Node::open(&cwd.join("ru"), Arc::new(SystemClock)).expect("open node");
    node.sign_in(name, password).await.map(|_| ())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwords_are_set_with_the_officer_or_later_and_refused_ones_change_nothing() {
    let root = tempfile::tempdir().expect("tempdir");
    let cwd = root.path();
    init(cwd);

    let mut add = detente(cwd);
    add.args(["officer", "add", "--dir", "ru", "--name", "Анна"])
        .args(["--password", "--password-stdin"]);
    refused(
        &run_with_input(add, "short\n"),
        &["--password", "at least 12"],
    );
    assert!(
        !officers(cwd).contains("Анна"),
        "a refused password adds nobody"
    );

    let mut add = detente(cwd);
    add.args(["officer", "add", "--dir", "ru", "--name", "Анна"])
        .args(["--password", "--password-stdin"]);
    let added = run_with_input(add, "пароль для вахты\n");
    assert!(added.ok(), "{added}");
    assert!(added.stdout.contains("Console password set"), "{added}");
    assert!(
        added.stdout.contains("dtn_"),
        "the token is still shown: {added}"
    );
    sign_in(cwd, "Анна", "пароль для вахты")
        .await
        .expect("signs in with it");

    let mut passwd = detente(cwd);
    passwd.args(["officer", "passwd", "--dir", "ru", "--name", "Анна"]);
    refused(&run(passwd), &["not at a terminal", "--password-stdin"]);

    let mut passwd = detente(cwd);
    passwd
        .args(["officer", "passwd", "--dir", "ru", "--name", "Nobody"])
        .arg("--password-stdin");
    refused(
        &run_with_input(passwd, "a long enough one\n"),
        &["no officer named Nobody"],
    );

    let mut passwd = detente(cwd);
    passwd
        .args(["officer", "passwd", "--dir", "ru", "--name", "Анна"])
        .arg("--password-stdin");
    refused(&run_with_input(passwd, "   \n"), &["white space"]);
    sign_in(cwd, "Анна", "пароль для вахты")
        .await
        .expect("a refused change leaves the old password");

    let mut passwd = detente(cwd);
    passwd
        .args(["officer", "passwd", "--dir", "ru", "--name", "Анна"])
        .arg("--password-stdin");
    let changed = run_with_input(passwd, "новый пароль вахты\r\n");
    assert!(changed.ok(), "{changed}");
    assert!(changed.stdout.contains("sessions have ended"), "{changed}");
    assert!(matches!(
        sign_in(cwd, "Анна", "пароль для вахты").await,
        Err(NodeError::Unauthenticated(Unauthenticated::WrongPassword))
    ));
    sign_in(cwd, "Анна", "новый пароль вахты")
        .await
        .expect("the new one, without its line ending");
}
