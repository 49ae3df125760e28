//! The console over real HTTPS on a real node: signing in and out with the
//! session cookie, CSRF and origin checks, the security headers, the
//! inbox in the officer's language (Russian, then Arabic, right to left),
//! and texts shown as written.

mod common;

use detente_node::admin::set_officer_password;
use detente_node::console::web::{CSP, SESSION_COOKIE};
use detente_proto::clock::{Clock, SystemClock};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Client, StatusCode, redirect};
use serde_json::json;

use common::{Net, card_of, eventually, officer_send};

const PASSWORD: &str = "дежурство до утра";

/// A browser-like client for `code`'s node: no client certificate, its
/// certificate pinned, redirects not followed (so that each can be checked).
fn browser(net: &Net, code: &str) -> (Client, String) {
    let pin = card_of(&net.get(code).dir).keys().tls_spki_sha256;
    let tls = detente_node::tls::officer_client_config(pin).expect("tls");
    let http = Client::builder()
        .use_preconfigured_tls(tls)
        .redirect(redirect::Policy::none())
        .build()
        .expect("client");
    (http, net.url(code))
}

/// The `name=value` of the cookie `name` in a response's `Set-Cookie`s,
/// and the whole header.
fn set_cookie(headers: &HeaderMap, name: &str) -> Option<(String, String)> {
    headers
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| {
            (
                v.split(';').next().unwrap_or_default().to_owned(),
                v.to_owned(),
            )
        })
}

fn location(response: &reqwest::Response) -> &str {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The `value` of the hidden `csrf` input of a page.
fn csrf_of(page: &str) -> String {
    let start = page.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    page[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_signs_in_reads_the_inbox_in_their_language_and_signs_out() {
    let mut net = Net::new(&["RU", "US"]);
    net.start("RU").await;
    net.start("US").await;
    let ru = net.node("RU");
    set_officer_password(
        &**ru.store(),
        &SystemClock,
        &"Officer RU".parse().expect("name"),
        PASSWORD,
    )
    .expect("password");
    officer_send(
        &net,
        "US",
        "RU",
        "notification",
        json!({"subject": "Фишинг: «срочно» — حملة تصيد", "summary": "s"}),
    )
    .await;
    eventually(20, "the notification reaches RU", || async {
        !common::stored(&ru).is_empty()
    })
    .await;
    let (http, base) = browser(&net, "RU");

    // Not signed in: to the sign-in page, which speaks the browser's language.
    let home = http.get(format!("{base}/")).send().await.expect("home");
    assert_eq!(home.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&home), "/console/inbox");
    let inbox = http
        .get(format!("{base}/console/inbox"))
        .send()
        .await
        .expect("inbox");
    assert_eq!(location(&inbox), "/console/sign-in");
    let page = http
        .get(format!("{base}/console/sign-in"))
        .header("accept-language", "ru-RU,ru;q=0.9,en;q=0.5")
        .send()
        .await
        .expect("sign-in page");
    assert_eq!(page.status(), StatusCode::OK);
    let headers = page.headers().clone();
    assert_eq!(headers["content-security-policy"], CSP);
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["cache-control"], "no-store");
    let body = page.text().await.expect("html");
    assert!(
        body.contains(r#"<html lang="ru" dir="ltr" data-now="#),
        "{body}"
    );
    assert!(
        body.contains("Имя офицера") && body.contains("Пароль"),
        "{body}"
    );
    assert!(
        !body.contains("<script>") && !body.contains("style="),
        "no inline script or style"
    );

    // A wrong password: the page again, in Russian, with the name kept.
    let wrong = http
        .post(format!("{base}/console/sign-in"))
        .header("accept-language", "ru")
        .form(&[("name", "Officer RU"), ("password", "не тот пароль")])
        .send()
        .await
        .expect("sign in");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookie(wrong.headers(), SESSION_COOKIE).is_none());
    let body = wrong.text().await.expect("html");
    assert!(body.contains("Неверное имя или пароль"), "{body}");
    assert!(body.contains(r#"value="Officer RU""#), "{body}");

    // A sign-in form posted from another site is refused.
    let forged = http
        .post(format!("{base}/console/sign-in"))
        .header("origin", "https://evil.example")
        .form(&[("name", "Officer RU"), ("password", PASSWORD)])
        .send()
        .await
        .expect("forged sign in");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(forged.headers(), SESSION_COOKIE).is_none());

    // The right password: a session cookie with every protection.
    let signed_in = http
        .post(format!("{base}/console/sign-in"))
        .header("origin", base.as_str())
        .form(&[("name", "Officer RU"), ("password", PASSWORD)])
        .send()
        .await
        .expect("sign in");
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&signed_in), "/console/inbox");
    let (cookie, header) = set_cookie(signed_in.headers(), SESSION_COOKIE).expect("cookie");
    for attribute in [
        "Secure",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
        "Max-Age=",
    ] {
        assert!(header.contains(attribute), "{attribute}: {header}");
    }
    assert!(!header.contains("Domain"), "{header}");
    let cookie = HeaderValue::from_str(&cookie).expect("cookie");

    // The inbox, in the browser's language: the message as written.
    let inbox = http
        .get(format!("{base}/console/inbox"))
        .header("cookie", cookie.clone())
        .header("accept-language", "ru")
        .send()
        .await
        .expect("inbox");
    assert_eq!(inbox.status(), StatusCode::OK);
    let body = inbox.text().await.expect("html");
    assert!(body.contains(r#"lang="ru""#), "{body}");
    assert!(
        body.contains(r#"dir="auto">Фишинг: «срочно» — حملة تصيد</a>"#),
        "the subject as written: {body}"
    );
    assert!(body.contains("Уведомление об инциденте"), "{body}");
    assert!(
        body.contains(r#"class="precedence routine">ОБЫЧНО<"#),
        "{body}"
    );
    assert!(body.contains("Получено от"), "{body}");
    let csrf = csrf_of(&body);
    assert!(csrf.starts_with("dtc_"), "{csrf}");

    // The message: its state and proof in words; acknowledged from here.
    let start = body
        .find("href=\"/console/messages/")
        .expect("a link to the message")
        + 6;
    let link = body[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned();
    let thread = http
        .get(format!("{base}{link}"))
        .header("cookie", cookie.clone())
        .header("accept-language", "ru")
        .send()
        .await
        .expect("thread");
    assert_eq!(thread.status(), StatusCode::OK);
    let page = thread.text().await.expect("html");
    assert!(page.contains("Доказательства"), "{page}");
    assert!(
        page.contains("Квитанция подписана RU: проверена."),
        "{page}"
    );
    assert!(
        page.contains("журнала этого узла."),
        "our log entry: {page}"
    );
    assert!(
        page.contains(r#"<p class="text" dir="auto">s</p>"#),
        "the text as written: {page}"
    );
    assert!(
        page.contains("action=\"/console/messages/"),
        "an acknowledge form: {page}"
    );
    let forged = http
        .post(format!("{base}{link}/ack"))
        .header("cookie", cookie.clone())
        .form(&[("note", "seen")])
        .send()
        .await
        .expect("ack");
    assert_eq!(
        forged.status(),
        StatusCode::FORBIDDEN,
        "no CSRF token, no acknowledgement"
    );
    let acked = http
        .post(format!("{base}{link}/ack"))
        .header("cookie", cookie.clone())
        .form(&[("note", "Принято, разбираемся"), ("csrf", csrf.as_str())])
        .send()
        .await
        .expect("ack");
    assert_eq!(acked.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&acked), link);
    let page = http
        .get(format!("{base}{link}"))
        .header("cookie", cookie.clone())
        .header("accept-language", "ru")
        .send()
        .await
        .expect("thread")
        .text()
        .await
        .expect("html");
    assert!(page.contains("Подтверждено сообщением"), "{page}");
    assert!(
        !page.contains("action=\"/console/messages/"),
        "no second acknowledgement: {page}"
    );
    let bundle = http
        .get(format!("{base}{link}/evidence"))
        .header("cookie", cookie.clone())
        .send()
        .await
        .expect("evidence");
    assert_eq!(bundle.status(), StatusCode::OK);
    assert!(
        bundle.headers()["content-disposition"]
            .to_str()
            .unwrap_or_default()
            .starts_with("attachment; filename=\"detente-evidence-"),
        "{:?}",
        bundle.headers()
    );
    let bytes = bundle.bytes().await.expect("bundle");
    let parsed = detente_evidence::Bundle::parse(&bytes).expect("an evidence bundle");
    assert!(
        parsed.messages.len() >= 2,
        "the message and its acknowledgement"
    );

    // Switching language without this session's token is refused…
    let forged = http
        .post(format!("{base}/console/language"))
        .header("cookie", cookie.clone())
        .form(&[("lang", "ar"), ("back", "/console/inbox")])
        .send()
        .await
        .expect("language");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    // …and with it, Arabic is remembered for the officer: right to left.
    let switched = http
        .post(format!("{base}/console/language"))
        .header("cookie", cookie.clone())
        .form(&[("lang", "ar"), ("back", "/console/inbox"), ("csrf", &csrf)])
        .send()
        .await
        .expect("language");
    assert_eq!(switched.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&switched), "/console/inbox");
    let inbox = http
        .get(format!("{base}/console/inbox"))
        .header("cookie", cookie.clone())
        .header("accept-language", "en")
        .send()
        .await
        .expect("inbox");
    let body = inbox.text().await.expect("html");
    assert!(
        body.contains(r#"<html lang="ar" dir="rtl" data-now="#),
        "{body}"
    );
    assert!(body.contains("إشعار بحادثة"), "{body}");
    assert!(
        body.contains(r#"dir="auto">Фишинг: «срочно» — حملة تصيد</a>"#),
        "the subject unchanged in any interface language"
    );
    assert_eq!(
        ru.store()
            .officer_language(&"Officer RU".parse().expect("name"))
            .expect("language")
            .as_deref(),
        Some("ar")
    );
    // Never sent back to another site.
    let away = http
        .post(format!("{base}/console/language"))
        .header("cookie", cookie.clone())
        .form(&[
            ("lang", "en"),
            ("back", "//evil.example/x"),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .expect("language");
    assert_eq!(location(&away), "/console/inbox");

    // Sign-out needs the token; then the cookie no longer works.
    let refused = http
        .post(format!("{base}/console/sign-out"))
        .header("cookie", cookie.clone())
        .form(&[("csrf", "dtc_forged")])
        .send()
        .await
        .expect("sign out");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let out = http
        .post(format!("{base}/console/sign-out"))
        .header("cookie", cookie.clone())
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("sign out");
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&out), "/console/sign-in?why=signed-out");
    let (cleared, header) = set_cookie(out.headers(), SESSION_COOKIE).expect("cleared");
    assert_eq!(cleared, format!("{SESSION_COOKIE}="), "{header}");
    assert!(header.contains("Max-Age=0"), "{header}");
    let after = http
        .get(format!("{base}/console/inbox"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("inbox");
    assert_eq!(location(&after), "/console/sign-in?why=ended");

    // The stylesheet is served from the binary, under the same policy.
    let css = http
        .get(format!("{base}/console/static/console.css"))
        .send()
        .await
        .expect("css");
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(css.headers()["content-security-policy"], CSP);
    let missing = http
        .get(format!("{base}/console/static/other.js"))
        .send()
        .await
        .expect("missing");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

/// Signs `code`'s officer in with `PASSWORD` (set here); the session
/// cookie, and the CSRF token of the inbox's forms.
async fn signed_in(net: &Net, http: &Client, base: &str, code: &str) -> (HeaderValue, String) {
    let node = net.node(code);
    set_officer_password(
        &**node.store(),
        &SystemClock,
        &format!("Officer {code}").parse().expect("name"),
        PASSWORD,
    )
    .expect("password");
    let signed_in = http
        .post(format!("{base}/console/sign-in"))
        .header("origin", base)
        .form(&[
            ("name", format!("Officer {code}").as_str()),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("sign in");
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let (cookie, _) = set_cookie(signed_in.headers(), SESSION_COOKIE).expect("cookie");
    let cookie = HeaderValue::from_str(&cookie).expect("cookie");
    let inbox = http
        .get(format!("{base}/console/inbox"))
        .header("cookie", cookie.clone())
        .send()
        .await
        .expect("inbox");
    let csrf = csrf_of(&inbox.text().await.expect("html"));
    (cookie, csrf)
}

/// A `multipart/form-data` body of `fields` and an optional STIX file, as
/// a browser posts the compose form: its content type and bytes.
fn multipart(fields: &[(&str, &str)], stix: Option<&[u8]>) -> (String, Vec<u8>) {
    const BOUNDARY: &str = "----detente-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some(file) = stix {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"stix\"; filename=\"bundle.json\"\r\nContent-Type: application/json\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

const EXAMPLE: &str = include_str!("../testdata/agreement-example.toml");

const STIX: &str = r#"{"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
  "objects": [{"type": "indicator", "spec_version": "2.1",
    "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
    "created": "2026-12-07T03:00:00.000Z", "modified": "2026-12-07T03:00:00.000Z",
    "name": "C2 server", "pattern": "[ipv4-addr:value = '198.51.100.7']",
    "pattern_type": "stix", "valid_from": "2026-12-07T03:00:00Z"}]}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn composing_offers_what_the_agreement_and_clearance_allow_and_refuses_at_the_field() {
    let mut net = Net::new(&["RU", "US"]);
    net.start("RU").await;
    net.start("US").await;
    common::in_force_on_both(&net, EXAMPLE, "ru-us-ict-incidents@1").await;
    let (http, base) = browser(&net, "RU");
    let (cookie, csrf) = signed_in(&net, &http, &base, "RU").await;

    // The form offers the officer's tiers, and the kinds they may send.
    let page = http
        .get(format!("{base}/console/compose?to=US&kind=notification"))
        .header("cookie", cookie.clone())
        .header("accept-language", "ru")
        .send()
        .await
        .expect("compose");
    assert_eq!(page.status(), StatusCode::OK);
    let body = page.text().await.expect("html");
    for offered in [
        r#"value="technical""#,
        r#"value="operational""#,
        r#"value="consultation-request""#,
    ] {
        assert!(body.contains(offered), "{offered}: {body}");
    }
    let speaking_for = body
        .split(r#"id="from_tier""#)
        .nth(1)
        .and_then(|rest| rest.split("</select>").next())
        .expect("the from_tier select");
    assert!(
        speaking_for.contains(r#"value="operational""#),
        "{speaking_for}"
    );
    assert!(
        !speaking_for.contains(r#"value="policy""#),
        "{speaking_for}"
    );
    assert!(body.contains(r#"enctype="multipart/form-data""#), "{body}");

    let post = |fields: Vec<(&'static str, String)>,
                stix: Option<&'static [u8]>,
                token: Option<String>| {
        let http = http.clone();
        let (base, cookie) = (base.clone(), cookie.clone());
        async move {
            let mut all: Vec<(&str, String)> = fields;
            if let Some(token) = token {
                all.push(("csrf", token));
            }
            let borrowed: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (content_type, bytes) = multipart(&borrowed, stix);
            http.post(format!("{base}/console/compose"))
                .header("cookie", cookie)
                .header("origin", base.as_str())
                .header("accept-language", "ru")
                .header("content-type", content_type)
                .body(bytes)
                .send()
                .await
                .expect("post")
        }
    };
    let notification = |from_tier: &str, kind: &str| {
        vec![
            ("to", "US".to_owned()),
            ("kind", kind.to_owned()),
            ("from_tier", from_tier.to_owned()),
            ("to_tier", "technical".to_owned()),
            ("precedence", "flash".to_owned()),
            ("tlp", "AMBER".to_owned()),
            ("subject", "Сканирование портов".to_owned()),
            ("text", "Просим проверить источник.".to_owned()),
        ]
    };

    // Speaking for a tier the officer is not cleared for: refused at that
    // field, in Russian, and nothing is queued.
    let before = common::stored(&net.node("RU")).len();
    let refused = post(
        notification("policy", "notification"),
        None,
        Some(csrf.clone()),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.text().await.expect("html");
    assert!(body.contains(r#"id="error-from_tier""#), "{body}");
    assert!(body.contains("У вас нет допуска"), "{body}");
    assert!(
        body.contains(r#"value="Сканирование портов""#),
        "what was written is kept: {body}"
    );
    // A kind the technical tier may not send under the agreement.
    let refused = post(
        notification("technical", "goodwill"),
        None,
        Some(csrf.clone()),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.text().await.expect("html");
    assert!(body.contains(r#"id="error-kind""#), "{body}");
    assert!(body.contains("ru-us-ict-incidents@1"), "{body}");
    // A STIX file that is not JSON, and one that is not a STIX bundle.
    for file in [
        b"not json".as_slice(),
        br#"{"type": "bundle", "id": "x", "objects": []}"#.as_slice(),
    ] {
        let refused = post(
            notification("technical", "notification"),
            Some(file),
            Some(csrf.clone()),
        )
        .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = refused.text().await.expect("html");
        assert!(body.contains(r#"id="error-stix""#), "{body}");
    }
    // Not a multipart form at all: a problem document, not plain text.
    let not_a_form = http
        .post(format!("{base}/console/compose"))
        .header("cookie", cookie.clone())
        .header("origin", base.as_str())
        .header("content-type", "application/x-www-form-urlencoded")
        .body("to=US")
        .send()
        .await
        .expect("post");
    assert_eq!(not_a_form.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        not_a_form.headers()["content-type"],
        "application/problem+json"
    );
    let problem: serde_json::Value = not_a_form.json().await.expect("problem");
    assert_eq!(problem["reason"], "parameter", "{problem}");
    // Without the session's CSRF token.
    let forged = post(notification("technical", "notification"), None, None).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        common::stored(&net.node("RU")).len(),
        before,
        "nothing refused was queued"
    );

    // Sent, with the STIX bundle: the message page, and US holds it.
    let sent = post(
        notification("technical", "notification"),
        Some(STIX.as_bytes()),
        Some(csrf),
    )
    .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let id = location(&sent)
        .strip_prefix("/console/messages/")
        .expect("to the message page")
        .to_owned();
    let us = net.node("US");
    eventually(30, "US holds it", || async {
        common::stored(&us)
            .iter()
            .any(|m| m.message.id.to_string() == id)
    })
    .await;
    let held = common::show(&net, "US", &id).await;
    assert_eq!(held["precedence"], "flash", "{held}");
    assert_eq!(
        held["signed_envelope"]["envelope"]["body"]["stix"]["objects"][0]["type"], "indicator",
        "{held}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_inbox_receives_a_flash_arrival_as_a_server_sent_event() {
    let mut net = Net::new(&["RU", "US"]);
    net.start("RU").await;
    net.start("US").await;
    let (http, base) = browser(&net, "US");
    let (cookie, _) = signed_in(&net, &http, &base, "US").await;
    let mut events = http
        .get(format!("{base}/console/events"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("events");
    assert_eq!(events.status(), StatusCode::OK);
    assert_eq!(events.headers()["content-type"], "text/event-stream");
    let view: serde_json::Value = net
        .client("RU")
        .post(
            "/api/v1/messages",
            &json!({"to": {"party": "US", "tier": "technical"}, "from_tier": "technical",
                    "kind": "notification", "precedence": "flash",
                    "body": {"subject": "Сканирование", "summary": "s"}}),
        )
        .await
        .expect("queued");
    let id = view["id"].as_str().expect("id").to_owned();
    let mut seen = String::new();
    let found = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while let Some(chunk) = events.chunk().await.expect("chunk") {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains(&format!(r#""id":"{id}""#)) && seen.contains("\n\n") {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(found, Ok(true), "{seen}");
    let event = seen
        .split("\n\n")
        .find(|e| e.contains(&id))
        .expect("the event");
    assert!(event.starts_with("event: message\ndata: "), "{event}");
    let data: serde_json::Value =
        serde_json::from_str(event.trim_start_matches("event: message\ndata: ")).expect("json");
    assert_eq!(data["alert"], true, "a FLASH arrival alerts: {data}");
    let row = data["html"].as_str().expect("row");
    assert!(
        row.starts_with(&format!(r#"<tr class="state-received" id="m-{id}""#)),
        "{row}"
    );
    assert!(row.contains(r#"dir="auto">Сканирование</a>"#), "{row}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_page_says_when_the_log_is_held_and_a_card_expires() {
    let mut net = Net::new(&["RU", "US"]);
    let dir = net.get("RU").dir.clone();
    // A card valid for ten more days, and a high-water mark beyond the
    // stored log (as a database copied back over a newer one leaves).
    let now = SystemClock.now();
    detente_node::rotation::change_card(
        &dir,
        detente_node::rotation::Replace::default(),
        Some(now.plus(chrono::TimeDelta::days(10))),
        now,
    )
    .expect("renew");
    let mark = detente_node::log::guard::HighWater {
        size: 999,
        root: [9; 32],
    };
    mark.write(&dir.join(detente_node::log::guard::HIGH_WATER_FILE))
        .expect("mark");
    net.start("RU").await;
    let (http, base) = browser(&net, "RU");
    let (cookie, _) = signed_in(&net, &http, &base, "RU").await;
    let log_page = || async {
        http.get(format!("{base}/console/log"))
            .header("cookie", cookie.clone())
            .send()
            .await
            .expect("log page")
            .text()
            .await
            .expect("html")
    };
    let page = log_page().await;
    assert!(
        page.contains("This node signs nothing: its stored log is behind what it signed"),
        "{page}"
    );
    assert!(
        page.contains("the high-water mark holds a checkpoint of size 999"),
        "{page}"
    );
    assert!(
        page.contains("Our card expires at") && page.contains("detente card renew"),
        "{page}"
    );
    // US is down, so no peer's copy holds what is missing, and the page
    // says so in the node's words.
    common::eventually(20, "the page says the entries were not found", || async {
        let page = log_page().await;
        page.contains("no peer holds entries") && page.contains("to 998 of this log (asked: US)")
    })
    .await;
}
