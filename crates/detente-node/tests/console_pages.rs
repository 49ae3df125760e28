//! The console over real HTTPS on a real node: signing in and out with the
//! session cookie, CSRF and origin checks, the security headers, the
//! inbox in the officer's language (Russian, then Arabic, right to left),
//! and texts shown as written.

mod common;

use detente_node::admin::set_officer_password;
use detente_node::console::web::{CSP, SESSION_COOKIE};
use detente_proto::clock::SystemClock;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Client, StatusCode, redirect};
use serde_json::json;

use common::{Net, card_of, eventually, officer_send};

const PASSWORD: &str = "дежурство до утра";

/// A browser-like client for RU: no client certificate, RU's certificate
/// pinned, redirects not followed (so that each can be checked).
fn browser(net: &Net) -> (Client, String) {
    let pin = card_of(&net.get("RU").dir).keys().tls_spki_sha256;
    let tls = detente_node::tls::officer_client_config(pin).expect("tls");
    let http = Client::builder()
        .use_preconfigured_tls(tls)
        .redirect(redirect::Policy::none())
        .build()
        .expect("client");
    (http, net.url("RU"))
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
    let (http, base) = browser(&net);

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
