//! TAXII 2.1 between real nodes (docs/taxii.md): TLP enforcement on every
//! endpoint, the protocol's errors, SOC posts that become drafts an officer
//! sends, and stateless cursors that survive a restart.

mod common;

use std::collections::BTreeSet;

use common::{Net, eventually, officer_call, pinned_http};
use detente_node::admin::{AccountSpec, OfficerSpec, add_officer, add_taxii_account};
use detente_proto::ids::Tier;
use detente_proto::kind::Tlp;
use detente_proto::stix::Tlp2;
use detente_store::{CollectionKind, TaxiiGrant};
use serde_json::{Value, json};

const TAXII: &str = "application/taxii+json;version=2.1";

/// A TAXII account on `code`'s node with `clearance`, reading every
/// collection of `counterparty` and writing its drafts; returns the secret.
fn account(
    net: &Net,
    code: &str,
    name: &str,
    clearance: Tlp,
    tiers: Vec<Tier>,
    counterparty: &str,
) -> String {
    let grants = CollectionKind::ALL
        .into_iter()
        .map(|collection| TaxiiGrant {
            counterparty: counterparty.parse().expect("party"),
            collection,
            read: true,
            write: collection == CollectionKind::Drafts,
        })
        .collect();
    let node = net.node(code);
    let spec = AccountSpec {
        name: name.parse().expect("account name"),
        clearance,
        tiers,
        grants,
    };
    add_taxii_account(&**node.store(), node.clock(), &spec)
        .expect("account")
        .credential
}

struct Taxii {
    http: reqwest::Client,
    base: String,
    name: String,
    secret: String,
}

impl Taxii {
    fn new(net: &Net, code: &str, name: &str, secret: &str) -> Self {
        Self {
            http: pinned_http(net, code),
            base: format!("{}/taxii2", net.url(code)),
            name: name.into(),
            secret: secret.into(),
        }
    }

    async fn get(&self, path: &str) -> (u16, reqwest::header::HeaderMap, Value) {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .basic_auth(&self.name, Some(&self.secret))
            .header("Accept", TAXII)
            .send()
            .await
            .expect("answer");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (
            status,
            headers,
            response.json().await.unwrap_or(Value::Null),
        )
    }

    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .basic_auth(&self.name, Some(&self.secret))
            .header("Accept", TAXII)
            .header("Content-Type", TAXII)
            .body(serde_json::to_vec(body).expect("json"))
            .send()
            .await
            .expect("answer");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Every object id served by `path` (objects or manifest), paging with
    /// `next` (objects) or added_after (manifest) at `limit` a page.
    async fn all_ids(&self, path: &str, limit: usize) -> Vec<String> {
        let mut ids = Vec::new();
        let mut next: Option<String> = None;
        let mut after: Option<String> = None;
        loop {
            let separator = if path.contains('?') { '&' } else { '?' };
            let mut url = format!("{path}{separator}limit={limit}");
            if let Some(n) = &next {
                url.push_str(&format!("&next={n}"));
            }
            if let Some(a) = &after {
                url.push_str(&format!("&added_after={a}"));
            }
            let (status, headers, page) = self.get(&url).await;
            assert_eq!(status, 200, "{url}: {page}");
            for object in page["objects"].as_array().into_iter().flatten() {
                ids.push(object["id"].as_str().expect("id").to_owned());
            }
            if page["more"] != true {
                return ids;
            }
            next = page["next"].as_str().map(str::to_owned);
            if next.is_none() {
                after = headers
                    .get("x-taxii-date-added-last")
                    .map(|v| v.to_str().expect("ascii").to_owned());
                assert!(
                    after.is_some(),
                    "more without next or X-TAXII-Date-Added-Last"
                );
            }
        }
    }
}

fn marked(mut object: Value, tlp: Option<Tlp2>) -> Value {
    if let Some(tlp) = tlp {
        object["object_marking_refs"] = json!([tlp.marking_definition_id()]);
    }
    object
}

fn indicator(tlp: Option<Tlp2>) -> Value {
    marked(
        json!({"type": "indicator", "spec_version": "2.1",
            "id": format!("indicator--{}", uuid::Uuid::new_v4()),
            "created": "2026-11-28T09:00:00.000Z", "modified": "2026-11-28T09:00:00.000Z",
            "name": "C2 address", "pattern": "[ipv4-addr:value = '203.0.113.7']",
            "pattern_type": "stix", "valid_from": "2026-11-28T09:00:00Z"}),
        tlp,
    )
}

fn note(refs: &[&Value], tlp: Option<Tlp2>) -> Value {
    marked(
        json!({"type": "note", "spec_version": "2.1",
            "id": format!("note--{}", uuid::Uuid::new_v4()),
            "created": "2026-11-28T09:05:00.000Z", "modified": "2026-11-28T09:05:00.000Z",
            "content": "Seen together",
            "object_refs": refs.iter().map(|o| o["id"].clone()).collect::<Vec<_>>()}),
        tlp,
    )
}

fn id_of(object: &Value) -> String {
    object["id"].as_str().expect("id").to_owned()
}

async fn two_nodes() -> Net {
    let mut net = Net::new(&["RU", "US"]);
    net.start("RU").await;
    net.start("US").await;
    net
}

/// RU sends US (technical) one RED notification carrying objects of every
/// level; returns them by name once US has indexed all of them.
async fn mixed_traffic(net: &Net, everything: &Taxii) -> Vec<(&'static str, Value)> {
    let clear = indicator(Some(Tlp2::Clear));
    let green = indicator(Some(Tlp2::Green));
    let amber = indicator(Some(Tlp2::Amber));
    let strict = indicator(Some(Tlp2::AmberStrict));
    let red = indicator(Some(Tlp2::Red));
    let unmarked = indicator(None);
    let green_on_amber = note(&[&amber], Some(Tlp2::Green));
    let green_on_green = note(&[&green], Some(Tlp2::Green));
    let named = vec![
        ("clear", clear),
        ("green", green),
        ("amber", amber),
        ("strict", strict),
        ("red", red),
        ("unmarked", unmarked),
        ("green_on_amber", green_on_amber),
        ("green_on_green", green_on_green),
    ];
    let objects: Vec<Value> = named.iter().map(|(_, o)| o.clone()).collect();
    let (status, view) = officer_call(
        net,
        "RU",
        "POST",
        "/api/v1/messages",
        Some(
            json!({"to": {"party": "US", "tier": "technical"}, "from_tier": "technical",
            "kind": "notification", "tlp": "RED",
            "body": {"subject": "Mixed markings", "summary": "One object per level",
                "stix": {"type": "bundle", "id": format!("bundle--{}", uuid::Uuid::new_v4()),
                    "objects": objects}}}),
        ),
    )
    .await;
    assert_eq!(status, 202, "{view}");
    eventually(30, "US indexes the 8 objects", || async {
        everything
            .get("/ru/collections/received-from/objects/")
            .await
            .2["objects"]
            .as_array()
            .map_or(0, Vec::len)
            == 8
    })
    .await;
    named
}

#[tokio::test]
async fn a_reader_sees_only_what_its_clearance_allows_on_every_endpoint() {
    let net = two_nodes().await;
    let cleared = |name: &str, tlp, tiers| {
        let secret = account(&net, "US", name, tlp, tiers, "RU");
        Taxii::new(&net, "US", name, &secret)
    };
    let red_technical = cleared("red-technical", Tlp::Red, vec![Tier::Technical]);
    let red_policy = cleared("red-policy", Tlp::Red, vec![Tier::Policy]);
    let amber = cleared("amber", Tlp::AmberStrict, vec![]);
    let green = cleared("green", Tlp::Green, vec![]);
    let named = mixed_traffic(&net, &red_technical).await;
    let ids = |names: &[&str]| -> BTreeSet<String> {
        named
            .iter()
            .filter(|(n, _)| names.contains(n))
            .map(|(_, o)| id_of(o))
            .collect()
    };
    let everything: Vec<&str> = named.iter().map(|(n, _)| *n).collect();
    // The note that references the AMBER indicator is AMBER; the unmarked
    // indicator counts as the message's RED, whose named recipients are
    // US's technical tier.
    let expected = [
        (&green, ids(&["clear", "green", "green_on_green"])),
        (
            &amber,
            ids(&[
                "clear",
                "green",
                "green_on_green",
                "amber",
                "strict",
                "green_on_amber",
            ]),
        ),
        (
            &red_policy,
            ids(&[
                "clear",
                "green",
                "green_on_green",
                "amber",
                "strict",
                "green_on_amber",
            ]),
        ),
        (&red_technical, ids(&everything)),
    ];
    let collection = "/ru/collections/received-from";
    for (reader, visible) in expected {
        let who = &reader.name;
        let objects: BTreeSet<String> = reader
            .all_ids(&format!("{collection}/objects/"), 1)
            .await
            .into_iter()
            .collect();
        assert_eq!(objects, visible, "{who}: objects, one per page");
        let all_versions: BTreeSet<String> = reader
            .all_ids(&format!("{collection}/objects/?match[version]=all"), 100)
            .await
            .into_iter()
            .collect();
        assert_eq!(all_versions, visible, "{who}: objects, every version");
        let manifest: BTreeSet<String> = reader
            .all_ids(&format!("{collection}/manifest/"), 2)
            .await
            .into_iter()
            .collect();
        assert_eq!(manifest, visible, "{who}: manifest");
        for (name, object) in &named {
            let id = id_of(object);
            let (status, _, envelope) = reader.get(&format!("{collection}/objects/{id}/")).await;
            let (versions_status, _, versions) = reader
                .get(&format!("{collection}/objects/{id}/versions/"))
                .await;
            if visible.contains(&id) {
                assert_eq!(status, 200, "{who} reads {name}");
                assert_eq!(
                    envelope["objects"][0], *object,
                    "{who}: {name} byte for byte"
                );
                assert_eq!(versions_status, 200, "{who}: versions of {name}");
                assert_eq!(
                    versions["versions"],
                    json!([object["modified"]]),
                    "{who}: {name}"
                );
            } else {
                assert_eq!(status, 404, "{who} must not read {name}: {envelope}");
                assert_eq!(
                    versions_status, 404,
                    "{who} must not list versions of {name}"
                );
                assert!(
                    envelope["objects"].is_null(),
                    "{who}: {name} leaked: {envelope}"
                );
            }
        }
    }
}

/// A TAXII error resource with `status`, in the TAXII media type.
async fn refused(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(
        response.headers()["content-type"],
        TAXII,
        "errors are TAXII error resources"
    );
    let body: Value = response.json().await.expect("error resource");
    assert_eq!(body["http_status"], status.to_string(), "{body}");
    assert!(
        body["title"].is_string() && body["description"].is_string(),
        "{body}"
    );
    body
}

#[tokio::test]
async fn protocol_errors_are_taxii_error_resources() {
    let net = two_nodes().await;
    let secret = account(&net, "US", "soc", Tlp::Amber, vec![], "RU");
    let soc = Taxii::new(&net, "US", "soc", &secret);
    let url = |path: &str| format!("{}{path}", soc.base);
    let objects = url("/ru/collections/drafts/objects/");

    // No credentials, wrong secret: 401 with a Basic challenge.
    let response = soc
        .http
        .get(url("/"))
        .header("Accept", TAXII)
        .send()
        .await
        .expect("answer");
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .expect("ascii")
            .starts_with("Basic")
    );
    refused(response, 401).await;
    let response = soc
        .http
        .get(url("/"))
        .basic_auth("soc", Some("dtx_wrong"))
        .send()
        .await
        .expect("answer");
    refused(response, 401).await;

    // Discovery lists the one API root; its collections are the three.
    let (status, _, discovery) = soc.get("/").await;
    assert_eq!(status, 200);
    assert_eq!(
        discovery["api_roots"],
        json!([format!("{}/ru/", soc.base)]),
        "{discovery}"
    );
    let (_, _, collections) = soc.get("/ru/collections/").await;
    let aliases: Vec<&str> = collections["collections"]
        .as_array()
        .expect("collections")
        .iter()
        .map(|c| c["alias"].as_str().expect("alias"))
        .collect();
    assert_eq!(aliases, ["received-from", "sent-to", "drafts"]);
    let (status, _, _) = soc.get("/gb/").await;
    assert_eq!(status, 404, "no grant, no API root");

    // 406: an Accept we cannot serve.
    let response = soc
        .http
        .get(url("/ru/"))
        .basic_auth("soc", Some(&secret))
        .header("Accept", "text/html")
        .send()
        .await
        .expect("answer");
    refused(response, 406).await;

    // 415: a body in another media type.
    let response = soc
        .http
        .post(objects.clone())
        .basic_auth("soc", Some(&secret))
        .header("Accept", TAXII)
        .header("Content-Type", "application/json")
        .body(r#"{"objects": []}"#)
        .send()
        .await
        .expect("answer");
    let body = refused(response, 415).await;
    assert!(
        body["description"]
            .as_str()
            .expect("text")
            .contains("application/taxii+json"),
        "{body}"
    );

    // 413: over max_content_length, which the API root announces.
    let (_, _, root) = soc.get("/ru/").await;
    let max = root["max_content_length"].as_u64().expect("max") as usize;
    let response = soc
        .http
        .post(objects.clone())
        .basic_auth("soc", Some(&secret))
        .header("Accept", TAXII)
        .header("Content-Type", TAXII)
        .body(vec![b' '; max + 1])
        .send()
        .await
        .expect("answer");
    refused(response, 413).await;

    // 400: a malformed filter, naming the parameter.
    let (status, _, body) = soc
        .get("/ru/collections/received-from/objects/?limit=zero")
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["description"]
            .as_str()
            .expect("text")
            .contains("limit"),
        "{body}"
    );
    let (status, _, _) = soc
        .get("/ru/collections/received-from/objects/?next=forged")
        .await;
    assert_eq!(status, 400);

    // 403: the record of what was carried is read-only; 405: nothing is deleted.
    let (status, body) = soc
        .post(
            "/ru/collections/received-from/objects/",
            &json!({"objects": [indicator(None)]}),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    let response = soc
        .http
        .delete(url(&format!(
            "/ru/collections/drafts/objects/{}/",
            id_of(&indicator(None))
        )))
        .basic_auth("soc", Some(&secret))
        .header("Accept", TAXII)
        .send()
        .await
        .expect("answer");
    refused(response, 405).await;
    let (status, _, _) = soc.get("/ru/collections/inbox/").await;
    assert_eq!(status, 404);
    assert_eq!(
        net.node("US")
            .store()
            .drafts(None, None, 10)
            .expect("drafts")
            .len(),
        0,
        "nothing refused left a draft behind"
    );
}

#[tokio::test]
async fn a_soc_post_becomes_a_draft_that_only_an_officer_sends() {
    let net = two_nodes().await;
    let secret = account(&net, "US", "soc", Tlp::Amber, vec![], "RU");
    let soc = Taxii::new(&net, "US", "soc", &secret);
    let other_secret = account(&net, "US", "other", Tlp::Amber, vec![], "RU");
    let other = Taxii::new(&net, "US", "other", &other_secret);
    let first = indicator(Some(Tlp2::Green));
    let second = note(&[&first], None);
    let mut broken = indicator(None);
    broken["pattern_type"] = json!(42);
    let (status, status_resource) = soc
        .post(
            "/ru/collections/drafts/objects/",
            &json!({"objects": [first, second, broken]}),
        )
        .await;
    assert_eq!(status, 202, "{status_resource}");
    assert_eq!(status_resource["status"], "complete");
    assert_eq!(status_resource["total_count"], 3);
    assert_eq!(status_resource["success_count"], 2);
    assert_eq!(status_resource["failure_count"], 1);
    let failure = status_resource["failures"][0]["message"]
        .as_str()
        .expect("message");
    assert!(
        failure.contains("pattern_type"),
        "the failure names the property: {failure}"
    );

    // The status is the poster's.
    let status_path = format!(
        "/ru/status/{}/",
        status_resource["id"].as_str().expect("id")
    );
    let (code, _, again) = soc.get(&status_path).await;
    assert_eq!((code, &again), (200, &status_resource));
    assert_eq!(other.get(&status_path).await.0, 404);

    // The objects are in the drafts collection; nothing was sent.
    let drafted: BTreeSet<String> = soc
        .all_ids("/ru/collections/drafts/objects/", 10)
        .await
        .into_iter()
        .collect();
    assert_eq!(drafted, BTreeSet::from([id_of(&first), id_of(&second)]));
    let us = net.node("US");
    assert!(common::stored(&us).is_empty(), "a TAXII post sends nothing");
    let (code, list) = officer_call(&net, "US", "GET", "/api/v1/drafts?state=open", None).await;
    assert_eq!(code, 200, "{list}");
    let draft = &list["drafts"][0];
    assert_eq!(draft["objects"], 2);
    assert_eq!(draft["created_by"], "taxii:soc");
    assert_eq!(
        draft["tlp"], "AMBER",
        "unmarked objects count as AMBER without an agreement"
    );
    let id = draft["id"].as_str().expect("id").to_owned();

    // An officer sends it; RU receives the objects; a second send is refused.
    let send = json!({"from_tier": "technical", "to_tier": "technical",
        "subject": "Indicators from our SOC", "summary": "Two objects"});
    let (code, message) = officer_call(
        &net,
        "US",
        "POST",
        &format!("/api/v1/drafts/{id}/send"),
        Some(send.clone()),
    )
    .await;
    assert_eq!(code, 202, "{message}");
    assert_eq!(message["kind"], "notification");
    let (code, again) = officer_call(
        &net,
        "US",
        "POST",
        &format!("/api/v1/drafts/{id}/send"),
        Some(send),
    )
    .await;
    assert_eq!(code, 409, "{again}");
    let (_, shown) = officer_call(&net, "US", "GET", &format!("/api/v1/drafts/{id}"), None).await;
    assert_eq!(shown["state"], "sent");
    assert_eq!(shown["message_id"], message["id"]);
    let secret_ru = account(&net, "RU", "soc", Tlp::Amber, vec![], "US");
    let soc_ru = Taxii::new(&net, "RU", "soc", &secret_ru);
    eventually(
        30,
        "RU's received-from collection holds the objects",
        || async {
            let ids: BTreeSet<String> = soc_ru
                .all_ids("/us/collections/received-from/objects/", 10)
                .await
                .into_iter()
                .collect();
            ids == drafted
        },
    )
    .await;
    eventually(30, "US's sent-to collection holds them too", || async {
        let ids: BTreeSet<String> = soc
            .all_ids("/ru/collections/sent-to/objects/", 10)
            .await
            .into_iter()
            .collect();
        ids == drafted
    })
    .await;
}

#[tokio::test]
async fn cursors_and_date_added_survive_a_restart() {
    let mut net = two_nodes().await;
    let secret = account(&net, "US", "soc", Tlp::Amber, vec![], "RU");
    let soc = Taxii::new(&net, "US", "soc", &secret);
    let objects: Vec<Value> = (0..30).map(|_| indicator(Some(Tlp2::Green))).collect();
    let (status, body) = soc
        .post(
            "/ru/collections/drafts/objects/",
            &json!({"objects": objects}),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let path = "/ru/collections/drafts/objects/";
    let (_, headers, page) = soc.get(&format!("{path}?limit=10")).await;
    assert_eq!(page["more"], true);
    let first: Vec<Value> = page["objects"].as_array().expect("page").clone();
    assert_eq!(first, objects[..10], "in the order added");
    let next = page["next"].as_str().expect("next").to_owned();
    let last_added = headers["x-taxii-date-added-last"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(headers.contains_key("x-taxii-date-added-first"));

    net.kill("US").await;
    net.start("US").await;
    let soc = Taxii::new(&net, "US", "soc", &secret);
    let (status, _, page) = soc.get(&format!("{path}?limit=10&next={next}")).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        page["objects"].as_array().expect("page")[..],
        objects[10..20]
    );
    let (_, _, page) = soc
        .get(&format!("{path}?limit=100&added_after={last_added}"))
        .await;
    assert_eq!(
        page["objects"].as_array().expect("page")[..],
        objects[10..],
        "added_after is the same bound"
    );
    assert_eq!(page["more"], false);
    let (_, _, page) = soc.get(&format!("{path}?match[type]=note")).await;
    assert!(page["objects"].is_null(), "no notes: {page}");
    let one = id_of(&objects[3]);
    let (_, _, page) = soc.get(&format!("{path}?match[id]={one}")).await;
    assert_eq!(page["objects"], json!([objects[3]]));
}

#[tokio::test]
async fn a_name_reused_or_another_tier_sees_nothing_of_a_red_draft() {
    let net = two_nodes().await;
    let us = net.node("US");
    let secret = account(&net, "US", "soc", Tlp::Red, vec![Tier::Technical], "RU");
    let soc = Taxii::new(&net, "US", "soc", &secret);
    let red = indicator(Some(Tlp2::Red));
    let (status, posted) = soc
        .post(
            "/ru/collections/drafts/objects/",
            &json!({"objects": [red]}),
        )
        .await;
    assert_eq!(status, 202, "{posted}");
    let status_path = format!("/ru/status/{}/", posted["id"].as_str().expect("id"));
    let drafts = "/ru/collections/drafts/objects/";
    assert_eq!(
        soc.all_ids(drafts, 10).await,
        [id_of(&red)],
        "its poster, cleared RED, is named"
    );

    // The account is removed and another one added under the same name.
    assert!(
        us.store()
            .remove_taxii_account(&"soc".parse().expect("account name"))
            .expect("remove")
    );
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let secret = account(&net, "US", "soc", Tlp::Red, vec![Tier::Technical], "RU");
    let successor = Taxii::new(&net, "US", "soc", &secret);
    assert!(successor.all_ids(drafts, 10).await.is_empty(), "not named");
    assert_eq!(successor.get(&status_path).await.0, 404, "nor its statuses");

    // A write grant is for drafts only.
    let grants = detente_node::taxii::access::parse_grants("RU/received-from", false, true);
    assert!(grants.unwrap_err().contains("read-only"));

    // The draft, sent at the technical tier, is hidden from an officer
    // cleared only for policy, as the message is.
    let (_, list) = officer_call(&net, "US", "GET", "/api/v1/drafts", None).await;
    let id = list["drafts"][0]["id"].as_str().expect("draft").to_owned();
    assert_eq!(list["drafts"][0]["tlp"], "RED");
    let lower = json!({"from_tier": "technical", "to_tier": "technical", "subject": "s",
        "summary": "s", "tlp": "AMBER"});
    let (code, refused) = officer_call(
        &net,
        "US",
        "POST",
        &format!("/api/v1/drafts/{id}/send"),
        Some(lower),
    )
    .await;
    assert_eq!(code, 422, "a draft's TLP is only raised: {refused}");
    let send =
        json!({"from_tier": "technical", "to_tier": "technical", "subject": "s", "summary": "s"});
    let (code, sent) = officer_call(
        &net,
        "US",
        "POST",
        &format!("/api/v1/drafts/{id}/send"),
        Some(send),
    )
    .await;
    assert_eq!(code, 202, "{sent}");
    let spec = OfficerSpec {
        name: "Minister".parse().expect("name"),
        tiers: vec![Tier::Policy],
    };
    let token = add_officer(&**us.store(), us.clock(), &spec)
        .expect("officer")
        .credential;
    let http = pinned_http(&net, "US");
    let shown = http
        .get(format!("{}/api/v1/drafts/{id}", net.url("US")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("answer");
    assert_eq!(shown.status().as_u16(), 404);
    let listed: Value = http
        .get(format!("{}/api/v1/drafts", net.url("US")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("list");
    assert_eq!(listed["drafts"], json!([]), "{listed}");
}
