//! The TAXII commands end to end, with real `detente` processes: TAXII
//! accounts added, listed and removed; `detente taxii pull` from a real
//! TAXII 2.1 server (a second detente node's, standing in for a SOC's
//! MISP) into a draft, page by page; and drafts listed, shown, sent and
//! discarded through the officer API.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{
    Background, Run, detente, fingerprint_of, free_port, peer_add_command, run, run_ok, token_of,
    wait_until_serving,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};

const TAXII: &str = "application/taxii+json;version=2.1";

/// `detente init` for `party` into `cwd/dir` on `port`; returns the fingerprint.
fn init(cwd: &Path, party: &str, dir: &str, port: u16) -> String {
    let mut init = detente(cwd);
    init.args(["init", "--party", party, "--dir", dir])
        .args(["--listen", &format!("127.0.0.1:{port}")]);
    fingerprint_of(&run_ok(init))
}

/// `detente officer add`, cleared for technical; returns the token.
fn add_officer(cwd: &Path, dir: &str, name: &str) -> String {
    let mut add = detente(cwd);
    add.args(["officer", "add", "--dir", dir, "--name", name]);
    token_of(&run_ok(add))
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

/// RU and US node directories, each the other's peer, not running.
struct Dirs {
    tmp: tempfile::TempDir,
    ports: [u16; 2],
}

impl Dirs {
    fn new() -> Self {
        let tmp = tempfile::tempdir().expect("temp dir");
        let cwd = tmp.path();
        let ports = [free_port(), free_port()];
        let ru = init(cwd, "RU", "./ru", ports[0]);
        let us = init(cwd, "US", "./us", ports[1]);
        for (card, dir, fingerprint) in [
            ("./us/card.json", "./ru", &us),
            ("./ru/card.json", "./us", &ru),
        ] {
            let mut add = peer_add_command(cwd, card, dir);
            add.args(["--fingerprint", fingerprint]);
            run_ok(add);
        }
        Self { tmp, ports }
    }

    fn cwd(&self) -> &Path {
        self.tmp.path()
    }
}

/// Both nodes serving, each with an officer.
struct World {
    dirs: Dirs,
    ru_token: String,
    us_token: String,
    ru: Background,
    us: Background,
}

impl World {
    fn new() -> Self {
        let dirs = Dirs::new();
        let cwd = dirs.cwd();
        let ru_token = add_officer(cwd, "./ru", "Petrov");
        let us_token = add_officer(cwd, "./us", "Smith");
        let serve = |dir: &str, token: &str| {
            let mut command = detente(cwd);
            command.args(["serve", "--dir", dir]);
            let mut node = Background::spawn(command, &cwd.join(format!("{}.log", &dir[2..])));
            wait_until_serving(cwd, dir, token, &mut node);
            node
        };
        let ru = serve("./ru", &ru_token);
        let us = serve("./us", &us_token);
        Self {
            dirs,
            ru_token,
            us_token,
            ru,
            us,
        }
    }

    fn cwd(&self) -> &Path {
        self.dirs.cwd()
    }

    /// The base URL of RU's (0) or US's (1) node.
    fn url(&self, node: usize) -> String {
        format!("https://127.0.0.1:{}", self.dirs.ports[node])
    }

    /// `detente ARGS --dir ./ru` as RU's officer.
    fn ru(&self, args: &[&str]) -> std::process::Command {
        let mut command = detente(self.cwd());
        command
            .args(args)
            .args(["--dir", "./ru"])
            .env("DETENTE_TOKEN", &self.ru_token);
        command
    }

    /// `detente taxii pull URL COLLECTION --to US --dir ./ru` as RU's
    /// officer, reading US's TAXII server as `user` with `password`.
    fn pull(
        &self,
        url: &str,
        collection: &str,
        user: &str,
        password: &str,
    ) -> std::process::Command {
        let mut pull = self.ru(&["taxii", "pull", url, collection, "--to", "US"]);
        pull.args(["--user", user, "--ca-cert", "./us/keys/tls.crt"])
            .env("DETENTE_TAXII_PASSWORD", password);
        pull
    }

    /// RU's drafts in `state`, through `detente drafts --json`.
    fn drafts(&self, state: &str) -> Vec<Value> {
        let stdout = run_ok(self.ru(&["drafts", "list", "--state", state, "--json"]));
        let list: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("drafts --json printed no JSON ({e}):\n{stdout}"));
        list["drafts"].as_array().cloned().unwrap_or_default()
    }

    /// `detente drafts show ID --json` on RU.
    fn draft(&self, id: &str) -> Value {
        let stdout = run_ok(self.ru(&["drafts", "show", id, "--json"]));
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("no JSON ({e}):\n{stdout}"))
    }
}

/// `detente taxii account add NAME --dir DIR ARGS…`; returns the secret
/// (the line after "Secret") and everything printed.
fn account_add(cwd: &Path, dir: &str, name: &str, args: &[&str]) -> (String, String) {
    let mut add = detente(cwd);
    add.args(["taxii", "account", "add", name, "--dir", dir])
        .args(args);
    let stdout = run_ok(add);
    let mut lines = stdout.lines();
    lines
        .by_ref()
        .find(|l| l.starts_with("Secret"))
        .unwrap_or_else(|| panic!("no Secret line in:\n{stdout}"));
    let secret = lines.next().expect("the secret").trim().to_owned();
    assert!(secret.starts_with("dtx_"), "{stdout}");
    (secret, stdout)
}

fn account_list_json(cwd: &Path, dir: &str) -> (String, Value) {
    let mut list = detente(cwd);
    list.args(["taxii", "account", "list", "--dir", dir, "--json"]);
    let stdout = run_ok(list);
    let value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("no JSON ({e}):\n{stdout}"));
    (stdout, value)
}

/// A TAXII client of one node, as a SOC tool would be: HTTP Basic, and the
/// node's certificate pinned.
struct TaxiiClient {
    runtime: tokio::runtime::Runtime,
    http: reqwest::Client,
    base: String,
    user: String,
    secret: String,
}

/// A page of objects, each kept as the bytes the server sent.
#[derive(Deserialize)]
struct RawEnvelope {
    #[serde(default)]
    more: bool,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    objects: Vec<Box<RawValue>>,
}

impl TaxiiClient {
    fn new(cwd: &Path, dir: &str, base: &str, user: &str, secret: &str) -> Self {
        let cert = std::fs::read_to_string(cwd.join(dir).join("keys/tls.crt")).expect("cert");
        let pin = detente_node::tls::TlsIdentity::spki_of_pem(&cert).expect("pin");
        let tls = detente_node::tls::officer_client_config(pin).expect("tls");
        Self {
            runtime: tokio::runtime::Runtime::new().expect("runtime"),
            http: reqwest::Client::builder()
                .use_preconfigured_tls(tls)
                .build()
                .expect("client"),
            base: format!("{base}/taxii2"),
            user: user.into(),
            secret: secret.into(),
        }
    }

    /// Posts `objects` as one envelope; returns the status resource.
    fn post(&self, path: &str, objects: &[Value]) -> Value {
        self.runtime.block_on(async {
            let response = self
                .http
                .post(format!("{}{path}", self.base))
                .basic_auth(&self.user, Some(&self.secret))
                .header("Accept", TAXII)
                .header("Content-Type", TAXII)
                .body(serde_json::to_vec(&json!({"objects": objects})).expect("json"))
                .send()
                .await
                .expect("answer");
            let status = response.status();
            let body: Value = response.json().await.expect("json");
            assert_eq!(status.as_u16(), 202, "{body:#}");
            assert_eq!(body["failure_count"], 0, "{body:#}");
            body
        })
    }

    /// Every object of the objects endpoint `path`, as the bytes served.
    fn raw_objects(&self, path: &str) -> Vec<String> {
        self.runtime.block_on(async {
            let mut objects = Vec::new();
            let mut next: Option<String> = None;
            loop {
                // The node's cursors are URL-safe base64: nothing to escape.
                let url = match &next {
                    Some(next) => format!("{}{path}?next={next}", self.base),
                    None => format!("{}{path}", self.base),
                };
                let request = self
                    .http
                    .get(url)
                    .basic_auth(&self.user, Some(&self.secret))
                    .header("Accept", TAXII);
                let response = request.send().await.expect("answer");
                assert_eq!(response.status().as_u16(), 200);
                let page: RawEnvelope =
                    serde_json::from_slice(&response.bytes().await.expect("body"))
                        .expect("envelope");
                objects.extend(page.objects.iter().map(|o| o.get().to_owned()));
                if !page.more {
                    return objects;
                }
                next = page.next;
            }
        })
    }
}

/// An indicator with a custom property whose spelling canonical JSON
/// would have to keep (unicode, key order, a fraction).
fn indicator(name: &str, marking: Option<&str>) -> Value {
    let mut object = json!({"type": "indicator", "spec_version": "2.1",
        "id": format!("indicator--{}", uuid::Uuid::new_v4()),
        "created": "2026-11-28T09:00:00.000Z", "modified": "2026-11-28T09:00:00.000Z",
        "name": name, "pattern": "[ipv4-addr:value = '203.0.113.7']",
        "pattern_type": "stix", "valid_from": "2026-11-28T09:00:00Z",
        "x_soc_context": {"zeta": "Größe ✓", "alpha": [2.5, 10, "a\"b"]}});
    if let Some(marking) = marking {
        object["object_marking_refs"] = json!([marking]);
    }
    object
}

const GREEN: &str = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
const AMBER: &str = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";

/// Seven objects of mixed markings, a note referencing two of them.
fn soc_objects() -> Vec<Value> {
    let mut objects: Vec<Value> = (0..6)
        .map(|i| {
            indicator(
                &format!("C2 address {i}"),
                [Some(GREEN), Some(AMBER), None][i % 3],
            )
        })
        .collect();
    objects.push(json!({"type": "note", "spec_version": "2.1",
        "id": format!("note--{}", uuid::Uuid::new_v4()),
        "created": "2026-11-28T09:05:00.000Z", "modified": "2026-11-28T09:05:00.000Z",
        "content": "Seen together", "object_marking_refs": [GREEN],
        "object_refs": [objects[0]["id"].clone(), objects[1]["id"].clone()]}));
    objects
}

/// The SOC: an account on US's TAXII server that reads and writes RU's
/// drafts collection, holding `objects`. Returns its secret.
fn soc_with(world: &World, objects: &[Value]) -> String {
    let (secret, _) = account_add(
        world.cwd(),
        "./us",
        "soc",
        &[
            "--read",
            "RU/drafts",
            "--write",
            "RU/drafts",
            "--clearance",
            "AMBER",
        ],
    );
    let soc = TaxiiClient::new(world.cwd(), "./us", &world.url(1), "soc", &secret);
    soc.post("/ru/collections/drafts/objects/", objects);
    secret
}

/// The draft id in `Draft <id> for US: …`, as `taxii pull` prints it.
fn pulled_draft_id(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("Draft "))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no `Draft <id>` in:\n{stdout}"))
        .to_owned()
}

fn ids(objects: &[Value]) -> Vec<String> {
    objects
        .iter()
        .map(|o| o["id"].as_str().expect("id").to_owned())
        .collect()
}

#[test]
fn taxii_accounts_are_added_listed_and_removed_and_the_secret_is_shown_once() {
    let dirs = Dirs::new();
    let cwd = dirs.cwd();

    let (secret, printed) = account_add(
        cwd,
        "./ru",
        "soc-misp",
        &[
            "--read",
            "US/received-from,US/sent-to",
            "--write",
            "US/drafts",
            "--clearance",
            "AMBER",
        ],
    );
    assert_eq!(printed.matches(&secret).count(), 1, "{printed}");
    assert!(
        printed.contains("US/received-from read, US/sent-to read, US/drafts write"),
        "{printed}"
    );
    let base = format!("https://127.0.0.1:{}", dirs.ports[0]);
    assert!(
        printed.contains(&format!("discovery    {base}/taxii2/\n")),
        "{printed}"
    );
    assert!(
        printed.contains(&format!("API root     {base}/taxii2/us/")),
        "{printed}"
    );
    assert!(printed.contains("user         soc-misp\n"), "{printed}");
    // The secret printed is the one the node checks: its hash is stored.
    let config = detente_node::config::NodeConfig::load(&cwd.join("ru")).expect("config");
    let store = detente_node::node::open_store(&cwd.join("ru"), &config).expect("store");
    let stored = store
        .taxii_account(&"soc-misp".parse().expect("account name"))
        .expect("read")
        .expect("stored");
    assert_eq!(
        stored.secret_sha256,
        detente_node::taxii::access::hash_secret(&secret)
    );
    drop(store);

    let (_, printed) = account_add(
        cwd,
        "./ru",
        "cert-red",
        &[
            "--read",
            "US/*",
            "--clearance",
            "RED",
            "--tiers",
            "technical",
        ],
    );
    assert!(
        printed.contains("clearance RED (RED of technical); US/received-from read, US/sent-to read, US/drafts read."),
        "{printed}"
    );

    let mut list = detente(cwd);
    list.args(["taxii", "account", "list", "--dir", "./ru"]);
    let text = run_ok(list);
    assert!(!text.contains("dtx_"), "the list shows a secret:\n{text}");
    let line = text
        .lines()
        .find(|l| l.starts_with("soc-misp "))
        .expect(&text);
    assert!(
        line.contains(" AMBER ") && line.contains("US/drafts write"),
        "{text}"
    );
    let line = text
        .lines()
        .find(|l| l.starts_with("cert-red "))
        .expect(&text);
    assert!(
        line.contains(" RED ") && line.contains(" technical "),
        "{text}"
    );

    let (raw, list) = account_list_json(cwd, "./ru");
    assert!(!raw.contains("dtx_") && !raw.contains("secret"), "{raw}");
    let accounts = list["accounts"].as_array().expect("accounts");
    assert_eq!(accounts.len(), 2);
    assert_eq!(accounts[1]["name"], "soc-misp");
    assert_eq!(accounts[1]["clearance"], "AMBER");
    assert_eq!(
        accounts[1]["grants"],
        json!([
            {"counterparty": "US", "collection": "received-from", "read": true, "write": false},
            {"counterparty": "US", "collection": "sent-to", "read": true, "write": false},
            {"counterparty": "US", "collection": "drafts", "read": false, "write": true},
        ])
    );
    assert_eq!(accounts[0]["tiers"], json!(["technical"]));

    let mut remove = detente(cwd);
    remove.args(["taxii", "account", "remove", "soc-misp", "--dir", "./ru"]);
    assert!(run_ok(remove).contains("Removed TAXII account soc-misp; its secret no longer works."));
    let (_, list) = account_list_json(cwd, "./ru");
    assert_eq!(ids_of_accounts(&list), ["cert-red"]);
    let mut remove = detente(cwd);
    remove.args(["taxii", "account", "remove", "soc-misp", "--dir", "./ru"]);
    assert_refused(
        &run(remove),
        &[
            "no TAXII account named \"soc-misp\"",
            "detente taxii account list",
        ],
    );
}

fn ids_of_accounts(list: &Value) -> Vec<String> {
    list["accounts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| a["name"].as_str().expect("name").to_owned())
        .collect()
}

#[test]
fn a_bad_taxii_account_is_refused_and_nothing_is_written() {
    let dirs = Dirs::new();
    let cwd = dirs.cwd();
    let refusals: &[(&[&str], &[&str])] = &[
        (
            &["soc", "--read", "US/inbox", "--clearance", "AMBER"],
            &[
                "--read \"US/inbox\"",
                "not a TAXII collection",
                "received-from, sent-to, drafts",
            ],
        ),
        (
            &["soc", "--read", "US", "--clearance", "AMBER"],
            &["PARTY/COLLECTION", "US/*"],
        ),
        (
            &["soc", "--write", "US/sent-to", "--clearance", "AMBER"],
            &["--write \"US/sent-to\"", "read-only", "US/drafts"],
        ),
        (
            &["soc", "--read", "GB/*", "--clearance", "AMBER"],
            &["GB is not a peer", "detente peer add"],
        ),
        (
            &["soc", "--clearance", "AMBER"],
            &["no access", "--read 'US/*'"],
        ),
        (
            &["soc", "--read", "US/*", "--clearance", "RED"],
            &["--clearance RED needs --tiers", "--tiers technical"],
        ),
        (
            &[
                "soc",
                "--read",
                "US/*",
                "--clearance",
                "GREEN",
                "--tiers",
                "technical",
            ],
            &["means nothing with --clearance GREEN"],
        ),
        (
            &["soc", "--read", "US/*", "--clearance", "amber"],
            &["--clearance", "AMBER+STRICT"],
        ),
        (
            &["soc misp", "--read", "US/*", "--clearance", "AMBER"],
            &["' '", "letters, digits"],
        ),
    ];
    for (args, words) in refusals {
        let mut add = detente(cwd);
        add.args(["taxii", "account", "add", "--dir", "./ru"])
            .args(*args);
        let result = run(add);
        assert_refused(&result, words);
        assert!(!result.stdout.contains("dtx_"), "{result}");
        assert!(
            account_list_json(cwd, "./ru").1["accounts"] == json!([]),
            "{args:?} wrote an account"
        );
    }
    // A name taken keeps its secret.
    let (secret, _) = account_add(
        cwd,
        "./ru",
        "soc",
        &["--read", "US/*", "--clearance", "AMBER"],
    );
    let mut again = detente(cwd);
    again
        .args(["taxii", "account", "add", "soc", "--dir", "./ru"])
        .args([
            "--read",
            "US/*",
            "--clearance",
            "RED",
            "--tiers",
            "technical",
        ]);
    assert_refused(
        &run(again),
        &["named soc exists", "detente taxii account remove soc"],
    );
    let (_, list) = account_list_json(cwd, "./ru");
    assert_eq!(list["accounts"][0]["clearance"], "AMBER");
    let config = detente_node::config::NodeConfig::load(&cwd.join("ru")).expect("config");
    let store = detente_node::node::open_store(&cwd.join("ru"), &config).expect("store");
    assert_eq!(
        store
            .taxii_account(&"soc".parse().expect("account name"))
            .expect("read")
            .expect("kept")
            .secret_sha256,
        detente_node::taxii::access::hash_secret(&secret)
    );
}

#[test]
fn a_pull_brings_every_page_of_a_soc_collection_into_one_draft_byte_for_byte() {
    let world = World::new();
    let objects = soc_objects();
    let secret = soc_with(&world, &objects);
    let root = format!("{}/taxii2/ru/", world.url(1));

    let mut pull = world.pull(&root, "drafts", "soc", &secret);
    pull.args(["--page-size", "3"]);
    let result = run(pull);
    assert!(result.ok(), "{result}\n{}", world.us.log());
    let id = pulled_draft_id(&result.stdout);
    assert!(
        result.stdout.starts_with(&format!(
            "Draft {id} for US: 7 objects, TLP:AMBER, from collection \"Drafts for RU\" ("
        )),
        "{result}"
    );
    assert!(
        result.stdout.contains(&format!(") of {root}, 3 pages.\n")),
        "{result}"
    );
    assert!(
        result
            .stdout
            .contains("Nothing is sent until an officer sends it"),
        "{result}"
    );
    assert!(
        result
            .stdout
            .contains(&format!("send:    detente drafts send {id} ")),
        "{result}"
    );
    assert!(result.stderr.is_empty(), "{result}");

    // The draft holds the SOC's objects, in the order served.
    let draft = world.draft(&id);
    assert_eq!(draft["state"], "open");
    assert_eq!(draft["counterparty"], "US");
    assert_eq!(draft["created_by"], "officer:Petrov");
    assert_eq!(draft["objects"], 7);
    let source = draft["source"].as_str().expect("source");
    assert!(
        source.starts_with(&format!(
            "pulled over TAXII from {root}collections/drafts/ as soc"
        )),
        "{source}"
    );
    assert_eq!(draft["bundle"]["objects"], Value::Array(objects.clone()));

    // Byte for byte: RU's own TAXII server serves exactly the bytes the SOC's served.
    let soc = TaxiiClient::new(world.cwd(), "./us", &world.url(1), "soc", &secret);
    let served = soc.raw_objects("/ru/collections/drafts/objects/");
    assert_eq!(served.len(), 7);
    let (reader_secret, _) = account_add(
        world.cwd(),
        "./ru",
        "reader",
        &["--read", "US/drafts", "--clearance", "AMBER"],
    );
    let reader = TaxiiClient::new(world.cwd(), "./ru", &world.url(0), "reader", &reader_secret);
    assert_eq!(
        reader.raw_objects("/us/collections/drafts/objects/"),
        served
    );

    // Nothing was sent.
    let mut outbox = world.ru(&["inbox", "--box", "outbox", "--json"]);
    outbox.current_dir(world.cwd());
    let outbox: Value = serde_json::from_str(&run_ok(outbox)).expect("json");
    assert_eq!(outbox["messages"], json!([]));
}

#[test]
fn a_pull_stops_at_max_objects_and_says_where_the_rest_starts() {
    let world = World::new();
    let objects = soc_objects();
    let secret = soc_with(&world, &objects);
    let root = format!("{}/taxii2/ru/", world.url(1));

    let mut first = world.pull(&root, "drafts", "soc", &secret);
    first.args(["--max-objects", "5", "--page-size", "2", "--json"]);
    let result = run(first);
    assert!(result.ok(), "{result}");
    let view: Value = serde_json::from_str(&result.stdout).expect("json");
    assert_eq!(view["objects"], 5);
    assert_eq!(view["pulled"]["pages"], 3);
    assert_eq!(view["pulled"]["complete"], false);
    assert!(view.get("bundle").is_none(), "{view:#}");
    let resume = view["pulled"]["resume_added_after"]
        .as_str()
        .expect("where the rest starts")
        .to_owned();
    assert!(
        result.stderr.contains(&format!(
            "stopped at --max-objects 5; the collection has more. Pull the rest into another draft with --added-after {resume}"
        )),
        "{result}"
    );

    let mut rest = world.pull(&root, "drafts", "soc", &secret);
    rest.args(["--added-after", &resume, "--page-size", "2"]);
    let result = run(rest);
    assert!(result.ok(), "{result}");
    assert!(result.stdout.contains(": 2 objects, "), "{result}");
    assert!(result.stderr.is_empty(), "{result}");

    let first = world.draft(view["id"].as_str().expect("id"));
    let second = world.draft(&pulled_draft_id(&result.stdout));
    let mut pulled = ids(first["bundle"]["objects"].as_array().expect("objects"));
    pulled.extend(ids(second["bundle"]["objects"]
        .as_array()
        .expect("objects")));
    assert_eq!(pulled, ids(&objects), "every object once, in order");

    // Filters are the server's: only notes.
    let mut notes = world.pull(&root, "drafts", "soc", &secret);
    notes.args(["--type", "note"]);
    let result = run(notes);
    assert!(result.ok(), "{result}");
    let notes = world.draft(&pulled_draft_id(&result.stdout));
    assert_eq!(
        ids(notes["bundle"]["objects"].as_array().expect("objects")),
        ids(&objects[6..])
    );
    assert_eq!(world.drafts("open").len(), 3);
}

#[test]
fn a_pull_refuses_what_is_not_a_taxii_api_root_and_makes_no_draft() {
    let world = World::new();
    let secret = soc_with(&world, &soc_objects());
    let us = world.url(1);
    let root = format!("{us}/taxii2/ru/");

    // Wrong password: the server's TAXII error message, and what to check.
    let result = run(world.pull(&root, "drafts", "soc", "dtx_wrong"));
    assert_refused(
        &result,
        &[
            "answered 401 Unauthorized",
            "not valid at this node",
            "check --user and the password",
        ],
    );
    // No password at all.
    let mut nopass = world.pull(&root, "drafts", "soc", "");
    nopass.env_remove("DETENTE_TAXII_PASSWORD");
    assert_refused(
        &run(nopass),
        &["no password for soc", "set DETENTE_TAXII_PASSWORD"],
    );
    // The discovery URL instead of an API root.
    let result = run(world.pull(&format!("{us}/taxii2/"), "drafts", "soc", &secret));
    assert_refused(
        &result,
        &[
            "discovery resource, not an API root",
            &format!("give one of its API roots: {root}"),
        ],
    );
    // Not TAXII at all: the officer API.
    let result = run(world.pull(&format!("{us}/api/v1/"), "drafts", "soc", &secret));
    assert_refused(
        &result,
        &[
            "answered 404 Not Found: not a TAXII error message (Content-Type \"application/problem+json\")",
            "check the API root URL",
        ],
    );
    // A collection the server does not have: the ones it has are named.
    let result = run(world.pull(&root, "indicators", "soc", &secret));
    assert_refused(&result, &["404", "this account sees:", "(alias drafts)"]);
    // Without --ca-cert, the node's self-signed certificate is not trusted.
    let mut untrusting = world.ru(&[
        "taxii", "pull", &root, "drafts", "--to", "US", "--user", "soc",
    ]);
    untrusting.env("DETENTE_TAXII_PASSWORD", &secret);
    assert_refused(&run(untrusting), &["--ca-cert"]);
    // Plain HTTP is refused before anything is asked.
    let result = run(world.pull(
        &format!("http://127.0.0.1:{}/taxii2/ru/", world.dirs.ports[1]),
        "drafts",
        "soc",
        &secret,
    ));
    assert_refused(&result, &["not an https:// URL"]);

    // More than one message carries: the node refuses the draft, and says
    // how to pull less. (US took them in two posts, each within its limit.)
    let big: Vec<Value> = (0..6)
        .map(|i| {
            json!({"type": "note", "spec_version": "2.1",
                "id": format!("note--{}", uuid::Uuid::new_v4()),
                "created": "2026-11-28T09:05:00.000Z", "modified": "2026-11-28T09:05:00.000Z",
                "content": format!("{i} {}", "x".repeat(200_000)),
                "object_refs": [format!("indicator--{}", uuid::Uuid::new_v4())]})
        })
        .collect();
    let soc = TaxiiClient::new(world.cwd(), "./us", &us, "soc", &secret);
    soc.post("/ru/collections/drafts/objects/", &big[..3]);
    soc.post("/ru/collections/drafts/objects/", &big[3..]);
    let result = run(world.pull(&root, "drafts", "soc", &secret));
    assert_refused(
        &result,
        &[
            "the node refused the draft: 13 objects make a bundle of about",
            "more than one message carries",
            "pull fewer with --type, --added-after or --max-objects",
        ],
    );
    // Narrowed, it fits.
    let mut narrowed = world.pull(&root, "drafts", "soc", &secret);
    narrowed.args(["--type", "indicator"]);
    let result = run(narrowed);
    assert!(result.stdout.contains(": 6 objects, "), "{result}");
    let draft = pulled_draft_id(&result.stdout);
    assert_eq!(ids(&world.drafts("all")), [draft.as_str()]);
    run_ok(world.ru(&["drafts", "discard", &draft]));

    // A draft is for a peer: GB is not one, and the SOC is not even asked.
    let mut stranger = world.ru(&["taxii", "pull", &root, "drafts", "--to", "GB"]);
    stranger.args(["--user", "soc", "--ca-cert", "./us/keys/tls.crt"]);
    stranger.env("DETENTE_TAXII_PASSWORD", "dtx_never_used");
    assert_refused(
        &run(stranger),
        &["--to GB: GB is not a peer of this node", "peers: US"],
    );

    assert_eq!(world.drafts("open"), Vec::<Value>::new());
}

#[test]
fn drafts_are_listed_shown_sent_and_discarded_by_an_officer() {
    let world = World::new();
    let cwd = world.cwd();
    // A SOC tool posts to RU's own TAXII server: two posts, two drafts.
    let (secret, _) = account_add(
        cwd,
        "./ru",
        "misp",
        &[
            "--read",
            "US/drafts",
            "--write",
            "US/drafts",
            "--clearance",
            "AMBER",
        ],
    );
    let misp = TaxiiClient::new(cwd, "./ru", &world.url(0), "misp", &secret);
    let objects = soc_objects();
    misp.post("/us/collections/drafts/objects/", &objects[..3]);
    misp.post("/us/collections/drafts/objects/", &objects[3..]);

    let open = world.drafts("open");
    assert_eq!(open.len(), 2);
    // Newest first.
    let (to_discard, to_send) = (
        open[0]["id"].as_str().expect("id").to_owned(),
        open[1]["id"].as_str().expect("id").to_owned(),
    );
    assert_eq!(open[1]["created_by"], "taxii:misp");
    let table = run_ok(world.ru(&["drafts"]));
    assert!(table.starts_with("ID "), "{table}");
    for id in [&to_send, &to_discard] {
        let line = table
            .lines()
            .find(|l| l.starts_with(id.as_str()))
            .expect(&table);
        assert!(
            line.contains(" open ") && line.contains(" US ") && line.contains("taxii:misp"),
            "{table}"
        );
    }
    let with_gb = run(world.ru(&["drafts", "--with", "gb"]));
    assert_refused(&with_gb, &["--with \"gb\""]);

    let shown = run_ok(world.ru(&["drafts", "show", &to_send]));
    assert!(shown.contains("state     OPEN"), "{shown}");
    assert!(shown.contains(" by taxii:misp\n"), "{shown}");
    for object in &objects[..3] {
        let id = object["id"].as_str().expect("id");
        let line = shown
            .lines()
            .find(|l| l.contains(id))
            .unwrap_or_else(|| panic!("{id} not in:\n{shown}"));
        assert!(line.trim_start().starts_with("indicator "), "{shown}");
        assert!(
            line.contains(object["name"].as_str().expect("name")),
            "{shown}"
        );
    }
    assert!(
        shown.contains(" GREEN ") && shown.contains(" AMBER* "),
        "{shown}"
    );

    let sent = run_ok(world.ru(&[
        "drafts",
        "send",
        &to_send,
        "--subject",
        "C2 addresses seen in AS64500",
        "--summary",
        "Indicators from our SOC",
        "--precedence",
        "priority",
    ]));
    let words: Vec<&str> = sent.split_whitespace().collect();
    assert_eq!(words[..2], ["queued", "notification"], "{sent}");
    let message = words[2].to_owned();
    assert!(
        sent.contains(&format!("to US — draft {to_send} sent")),
        "{sent}"
    );
    assert!(
        sent.contains(&format!("follow it with: detente show {message}")),
        "{sent}"
    );

    let shown = run_ok(world.ru(&["drafts", "show", &to_send]));
    assert!(
        shown.contains(&format!("SENT as message {message} by officer:Petrov")),
        "{shown}"
    );
    let again = run(world.ru(&[
        "drafts",
        "send",
        &to_send,
        "--subject",
        "Again",
        "--summary",
        "Again",
    ]));
    assert_refused(&again, &["409", &format!("was sent as message {message}")]);

    let discarded = run_ok(world.ru(&["drafts", "discard", &to_discard]));
    assert!(
        discarded.contains(&format!("discarded draft {to_discard} (4 objects for US)")),
        "{discarded}"
    );
    assert_refused(
        &run(world.ru(&["drafts", "discard", &to_discard])),
        &["409", "was discarded by officer:Petrov"],
    );
    assert!(run_ok(world.ru(&["drafts"])).contains("No open drafts."));
    assert_eq!(ids(&world.drafts("sent")), [to_send.as_str()]);
    assert_eq!(ids(&world.drafts("discarded")), [to_discard.as_str()]);

    // The notification reaches US with the draft's objects.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut show = detente(cwd);
        show.args(["show", "--dir", "./us", &message, "--json"])
            .env("DETENTE_TOKEN", &world.us_token);
        let result = run(show);
        if result.ok() {
            let received: Value = serde_json::from_str(&result.stdout).expect("json");
            assert_eq!(received["headline"], "C2 addresses seen in AS64500");
            assert_eq!(received["precedence"], "priority");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "US never received {message}: {result}\n{}\n{}",
            world.ru.log(),
            world.us.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
