//! The console over HTTP, on the node's listener: `/` and `/console/…`.
//!
//! - The session cookie is `__Host-detente-session`: `Secure`, `HttpOnly`,
//!   `SameSite=Strict`, `Path=/`, no `Domain` (RFC 6265bis §4.1.3.2).
//! - Every form posts a CSRF token derived from the session; every POST
//!   must also come from this origin (`Origin`, else `Sec-Fetch-Site`), the
//!   sign-in form included.
//! - Every answer carries a strict Content-Security-Policy (no inline
//!   script or style, nothing from elsewhere), `nosniff`, no framing, and
//!   pages are not cached.
//! - The language is the officer's choice (kept in the store once signed
//!   in), else the `detente-lang` cookie, else `Accept-Language`.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Form, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use detente_evidence::bundle::Scope;
use detente_proto::envelope::UnverifiedEnvelope;
use detente_proto::limits::Limits;
use serde::Deserialize;

use super::i18n::{Lang, Tr};
use super::pages::{Chrome, InboxPage, InboxRow, SignInPage, ThreadPage};
use super::sign_in::Session;
use super::{commitments, composing, deadlines, drafts, live, responsiveness, transparency};
use crate::api::params;
use crate::api::views::MessageView;
use crate::error::{Bug, Forbidden, NodeError, Unauthenticated};
use crate::node::Node;

/// The session cookie.
pub const SESSION_COOKIE: &str = "__Host-detente-session";
/// The language cookie (before sign-in).
pub const LANG_COOKIE: &str = "detente-lang";

/// The Content-Security-Policy of every console answer.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const STYLESHEET: &[u8] = include_bytes!("static/console.css");
const SCRIPT: &[u8] = include_bytes!("static/console.js");

/// The console's routes.
pub fn routes() -> Router<Arc<Node>> {
    Router::new()
        .route("/", get(home))
        .route("/console/sign-in", get(sign_in_page).post(sign_in))
        .route("/console/sign-out", post(sign_out))
        .route("/console/language", post(language))
        .route("/console/inbox", get(inbox))
        .route("/console/events", get(live::events))
        .route("/console/deadlines", get(deadlines::page))
        .route("/console/log", get(transparency::page))
        .route("/console/responsiveness", get(responsiveness::page))
        .route("/console/drafts", get(drafts::list))
        .route("/console/drafts/{id}", get(drafts::show))
        .route("/console/drafts/{id}/send", post(drafts::send))
        .route("/console/drafts/{id}/discard", post(drafts::discard))
        .route(
            "/console/compose",
            get(composing::page)
                .post(composing::send)
                .layer(DefaultBodyLimit::max(composing::MAX_FORM_BYTES + 64 * 1024)),
        )
        .route("/console/messages/{id}", get(thread))
        .route("/console/messages/{id}/ack", post(acknowledge))
        .route("/console/messages/{id}/evidence", get(evidence))
        .route("/console/evidence", get(evidence_of))
        .route("/console/commitments", get(commitments::page))
        .route("/console/static/{file}", get(static_file))
        .route("/console/alerts", get(super::alerts::page))
        .route("/console/alerts/{id}/ack", post(super::alerts::acknowledge))
        .route(
            "/alerts/ack/{token}",
            get(super::alert_link::show).post(super::alert_link::acknowledge),
        )
        .layer(axum::middleware::map_response(secure_headers))
}

/// The security headers of every console answer.
async fn secure_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// A page, as HTML.
pub(super) fn html(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(body) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response(),
        Err(error) => Bug::construction("console page")(error).into_response(),
    }
}

/// The language of a request before sign-in.
pub(super) fn request_lang(jar: &CookieJar, headers: &HeaderMap) -> Lang {
    jar.get(LANG_COOKIE)
        .and_then(|cookie| Lang::from_tag(cookie.value()))
        .unwrap_or_else(|| {
            Lang::negotiate(
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok()),
            )
        })
}

/// The language of a signed-in officer: their choice, else the request's.
pub(super) fn officer_lang(session: &Session, fallback: Lang) -> Lang {
    session
        .language
        .as_deref()
        .and_then(Lang::from_tag)
        .unwrap_or(fallback)
}

/// Refuses a POST that did not come from this origin. The host is the
/// `Host` header (HTTP/1.1) or the request's authority (HTTP/2).
pub(super) fn same_origin(uri: &Uri, headers: &HeaderMap) -> Result<(), NodeError> {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()));
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let origin_host = origin.strip_prefix("https://");
        return if origin_host.is_some() && origin_host == host {
            Ok(())
        } else {
            Err(Forbidden::Csrf.into())
        };
    }
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some("same-origin" | "none") | None => Ok(()),
        Some(_) => Err(Forbidden::Csrf.into()),
    }
}

/// A console form's fields (`application/x-www-form-urlencoded`). A body
/// that is not one is refused as a problem document, like any other bad
/// request, not with the framework's plain text.
pub(super) struct ConsoleForm<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S>
    for ConsoleForm<T>
{
    type Rejection = Response;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Response> {
        match Form::<T>::from_request(request, state).await {
            Ok(Form(fields)) => Ok(Self(fields)),
            Err(rejection) => Err(NodeError::from(crate::error::Mistake::Parameter {
                parameter: "form",
                problem: rejection.body_text(),
                expected: "send the form as the console's page makes it",
            })
            .into_response()),
        }
    }
}

/// The signed-in session of a request, or where to send the browser.
pub(super) async fn session_or_sign_in(node: &Node, jar: &CookieJar) -> Result<Session, Response> {
    let secret = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned());
    match node.console_session(secret.as_deref()).await {
        Ok(session) => Ok(session),
        Err(NodeError::Unauthenticated(Unauthenticated::SessionEnded)) => {
            Err(Redirect::to("/console/sign-in?why=ended").into_response())
        }
        Err(NodeError::Unauthenticated(_)) => Err(Redirect::to("/console/sign-in").into_response()),
        Err(error) => Err(error.into_response()),
    }
}

/// A page's signed-in officer: the session and the language of its
/// pages. Without a good session the browser is sent to sign in.
pub(super) struct OnDuty {
    /// The session.
    pub session: Session,
    /// The language of the officer's pages.
    pub lang: Lang,
    /// The session's secret, as the cookie holds it.
    pub secret: Option<String>,
}

impl axum::extract::FromRequestParts<Arc<Node>> for OnDuty {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        node: &Arc<Node>,
    ) -> Result<Self, Response> {
        let jar = CookieJar::from_headers(&parts.headers);
        let (session, lang) = signed_in(node, &jar, &parts.headers).await?;
        let secret = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned());
        Ok(Self {
            session,
            lang,
            secret,
        })
    }
}

/// The signed-in session of a request and the language of its pages, or
/// where to send the browser.
pub(super) async fn signed_in(
    node: &Node,
    jar: &CookieJar,
    headers: &HeaderMap,
) -> Result<(Session, Lang), Response> {
    let session = session_or_sign_in(node, jar).await?;
    let lang = officer_lang(&session, request_lang(jar, headers));
    Ok((session, lang))
}

/// The session of a console form's POST: signed in, from this origin, and
/// carrying this session's CSRF token; or the answer to give instead.
pub(super) async fn posting_session(
    node: &Node,
    jar: &CookieJar,
    uri: &Uri,
    headers: &HeaderMap,
    csrf: Option<&str>,
) -> Result<Session, Response> {
    let session = session_or_sign_in(node, jar).await?;
    same_origin(uri, headers)
        .and_then(|()| session.check_csrf(csrf))
        .map_err(IntoResponse::into_response)?;
    Ok(session)
}

async fn home() -> Redirect {
    Redirect::to("/console/inbox")
}

#[derive(Debug, Deserialize)]
struct SignInQuery {
    why: Option<String>,
}

async fn sign_in_page(
    State(node): State<Arc<Node>>,
    jar: CookieJar,
    headers: HeaderMap,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    let lang = request_lang(&jar, &headers);
    let t = Tr { lang };
    let why: SignInQuery = params::decode(query.as_deref(), "the only parameter is why")
        .unwrap_or(SignInQuery { why: None });
    let notice = match why.why.as_deref() {
        Some("ended") => Some(t.t("sign-in-ended")),
        Some("signed-out") => Some(t.t("sign-in-signed-out")),
        _ => None,
    };
    let page = SignInPage {
        chrome: Chrome::new(lang, &node, None, "/console/sign-in"),
        notice,
        alert: false,
        name: String::new(),
    };
    html(StatusCode::OK, &page)
}

#[derive(Debug, Deserialize)]
struct SignInForm {
    name: String,
    password: String,
}

async fn sign_in(
    State(node): State<Arc<Node>>,
    jar: CookieJar,
    uri: Uri,
    headers: HeaderMap,
    ConsoleForm(form): ConsoleForm<SignInForm>,
) -> Response {
    let lang = request_lang(&jar, &headers);
    let t = Tr { lang };
    let refused = |status: StatusCode, notice: String| {
        html(
            status,
            &SignInPage {
                chrome: Chrome::new(lang, &node, None, "/console/sign-in"),
                notice: Some(notice),
                alert: true,
                name: form.name.clone(),
            },
        )
    };
    if same_origin(&uri, &headers).is_err() {
        return refused(StatusCode::FORBIDDEN, t.t("sign-in-csrf"));
    }
    match node.sign_in(&form.name, &form.password).await {
        Ok(signed_in) => {
            let max_age = signed_in.expires_at.unix_millis() - node.now().unix_millis();
            let cookie = session_cookie(signed_in.session_secret, max_age);
            (jar.add(cookie), Redirect::to("/console/inbox")).into_response()
        }
        Err(NodeError::Unauthenticated(Unauthenticated::LockedOut { until })) => refused(
            StatusCode::TOO_MANY_REQUESTS,
            t.t1("sign-in-locked", "until", &until.to_string()),
        ),
        Err(NodeError::Unauthenticated(_)) => {
            refused(StatusCode::UNAUTHORIZED, t.t("sign-in-wrong"))
        }
        Err(error) => error.into_response(),
    }
}

/// The session cookie holding `secret` for `max_age_ms` (see the module
/// doc for its attributes).
fn session_cookie(secret: String, max_age_ms: i64) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, secret))
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .max_age(time_of(max_age_ms))
        .build()
}

/// A cookie's `Max-Age` of `ms` milliseconds.
fn time_of(ms: i64) -> cookie::time::Duration {
    cookie::time::Duration::milliseconds(ms.max(0))
}

#[derive(Debug, Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

async fn sign_out(
    State(node): State<Arc<Node>>,
    jar: CookieJar,
    uri: Uri,
    headers: HeaderMap,
    ConsoleForm(form): ConsoleForm<CsrfForm>,
) -> Response {
    let session = match posting_session(&node, &jar, &uri, &headers, form.csrf.as_deref()).await {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    if let Err(error) = node.sign_out(&session).await {
        return error.into_response();
    }
    (
        jar.remove(session_cookie(String::new(), 0)),
        Redirect::to("/console/sign-in?why=signed-out"),
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
struct LanguageForm {
    lang: String,
    csrf: Option<String>,
    back: Option<String>,
}

async fn language(
    State(node): State<Arc<Node>>,
    jar: CookieJar,
    uri: Uri,
    headers: HeaderMap,
    ConsoleForm(form): ConsoleForm<LanguageForm>,
) -> Response {
    if let Err(error) = same_origin(&uri, &headers) {
        return error.into_response();
    }
    let Some(lang) = Lang::from_tag(&form.lang) else {
        return NodeError::from(crate::error::Mistake::UnknownValue {
            parameter: "lang",
            value: form.lang.clone(),
            expected: "use en, ru or ar",
        })
        .into_response();
    };
    // Signed in: the choice is the officer's, kept in the store (and the
    // form must be this session's).
    let secret = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned());
    if let Ok(session) = node.console_session(secret.as_deref()).await {
        if let Err(error) = session.check_csrf(form.csrf.as_deref()) {
            return error.into_response();
        }
        let name = session.officer.name.clone();
        let stored = node
            .with_store(move |s| Ok(s.set_officer_language(&name, lang.tag())?))
            .await;
        if let Err(error) = stored {
            return error.into_response();
        }
    }
    let cookie = Cookie::build((LANG_COOKIE, lang.tag()))
        .secure(true)
        .same_site(SameSite::Strict)
        .path("/")
        .max_age(time_of(365 * 24 * 3600 * 1000))
        .build();
    // Back to a page of the console only: never to another site.
    let back = form
        .back
        .filter(|b| b.starts_with("/console/") && !b.contains("//") && !b.contains('\\'))
        .unwrap_or_else(|| "/console/inbox".to_owned());
    (jar.add(cookie), Redirect::to(&back)).into_response()
}

async fn inbox(State(node): State<Arc<Node>>, OnDuty { session, lang, .. }: OnDuty) -> Response {
    let t = Tr { lang };
    let query = detente_store::MessageQuery {
        mailbox: detente_store::Mailbox::All,
        state: None,
        tiers: Vec::new(),
        counterparty: None,
        kind: None,
        limit: params::DEFAULT_LIMIT,
    };
    let overviews = match node
        .visible_message_overviews(&session.officer, query)
        .await
    {
        Ok(overviews) => overviews,
        Err(error) => return error.into_response(),
    };
    let mut rows: Vec<InboxRow> = overviews
        .iter()
        .map(|(view, deadlines)| InboxRow::of(view, deadlines, &t))
        .collect();
    InboxRow::sort(&mut rows);
    let page = InboxPage {
        chrome: Chrome::new(lang, &node, Some(&session), "/console/inbox"),
        any_exercise: rows.iter().any(|row| row.exercise),
        rows,
    };
    html(StatusCode::OK, &page)
}

/// The thread page of message `id` for `session`, with `refused` (why an
/// acknowledgement was just refused) if any.
async fn thread_page(
    node: &Arc<Node>,
    session: &Session,
    lang: Lang,
    id: &str,
    refused: Option<String>,
) -> Result<ThreadPage, NodeError> {
    let id = crate::api::messages::parse_id(id)?;
    let stored = node.visible_message(&session.officer, id).await?;
    let thread = node.select(&session.officer, &Scope::Thread(id)).await?;
    let thread = node.overviews_of(thread).await?;
    let (view, deadlines, text, witnesses) = node
        .off_runtime(move |node| {
            let deadlines = node.deadline_views(&stored)?;
            let text = UnverifiedEnvelope::parse(&stored.message.envelope, &Limits::unbounded())
                .ok()
                .and_then(|envelope| envelope.claimed().body.text());
            // The witnesses whose latest cosigned checkpoint includes it.
            let witnesses: Vec<String> = match stored.message.log_index {
                Some(index) => node
                    .store()
                    .cosignatures()?
                    .into_iter()
                    .filter(|(_, size, _)| *size > index)
                    .map(|(witness, _, _)| witness)
                    .collect(),
                None => Vec::new(),
            };
            Ok::<_, NodeError>((MessageView::of(node, &stored), deadlines, text, witnesses))
        })
        .await??;
    let back = format!("/console/messages/{id}");
    let chrome = Chrome::new(lang, node, Some(session), &back);
    let mut page = ThreadPage::of(chrome, &view, &deadlines, text, &witnesses, &thread);
    page.refused = refused;
    Ok(page)
}

async fn thread(
    State(node): State<Arc<Node>>,
    Path(id): Path<String>,
    OnDuty { session, lang, .. }: OnDuty,
) -> Response {
    match thread_page(&node, &session, lang, &id, None).await {
        Ok(page) => html(StatusCode::OK, &page),
        Err(error) => error.into_response(),
    }
}

#[derive(Debug, Deserialize)]
struct AckForm {
    csrf: Option<String>,
    note: Option<String>,
}

async fn acknowledge(
    State(node): State<Arc<Node>>,
    Path(id): Path<String>,
    jar: CookieJar,
    uri: Uri,
    headers: HeaderMap,
    ConsoleForm(form): ConsoleForm<AckForm>,
) -> Response {
    let session = match posting_session(&node, &jar, &uri, &headers, form.csrf.as_deref()).await {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    let message = match crate::api::messages::parse_id(&id) {
        Ok(message) => message,
        Err(error) => return error.into_response(),
    };
    let note = form.note.filter(|note| !note.trim().is_empty());
    match node.acknowledge(&session.officer, message, note).await {
        Ok(_) => Redirect::to(&format!("/console/messages/{message}")).into_response(),
        // Refused as the officer API refuses it: the page again, saying why.
        Err(error @ (NodeError::Mistake(_) | NodeError::Forbidden(_) | NodeError::Refused(_))) => {
            let lang = officer_lang(&session, request_lang(&jar, &headers));
            let why = Tr { lang }.t1("ack-refused", "why", &error.to_string());
            match thread_page(&node, &session, lang, &id, Some(why)).await {
                Ok(page) => html(StatusCode::UNPROCESSABLE_ENTITY, &page),
                Err(error) => error.into_response(),
            }
        }
        Err(error) => error.into_response(),
    }
}

async fn evidence(
    State(node): State<Arc<Node>>,
    Path(id): Path<String>,
    jar: CookieJar,
) -> Response {
    let session = match session_or_sign_in(&node, &jar).await {
        Ok(session) => session,
        Err(redirect) => return redirect,
    };
    match crate::api::messages::parse_id(&id) {
        Ok(message) => download(&node, &session, Scope::Thread(message), None).await,
        Err(error) => error.into_response(),
    }
}

/// `GET /console/evidence` query: one of `guarantee`, `pledge`, or
/// `counterparty` (with a `period`, e.g. `2026-Q4`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EvidenceQuery {
    guarantee: Option<String>,
    pledge: Option<String>,
    counterparty: Option<String>,
    period: Option<String>,
}

async fn evidence_of(
    State(node): State<Arc<Node>>,
    jar: CookieJar,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    let session = match session_or_sign_in(&node, &jar).await {
        Ok(session) => session,
        Err(redirect) => return redirect,
    };
    let asked = params::decode::<EvidenceQuery>(
        query.as_deref(),
        "use guarantee, pledge, or counterparty and period",
    )
    .and_then(|query| {
        let not_found = |what: &'static str, id: &str| NodeError::NotFound {
            what,
            id: id.to_owned(),
        };
        match (&query.guarantee, &query.pledge, &query.counterparty) {
            (Some(id), None, None) if detente_proto::ids::is_document_id(id) => {
                Ok((Scope::Guarantee(id.clone()), None))
            }
            (Some(id), None, None) => Err(not_found("guarantee", id)),
            (None, Some(reference), None) => reference
                .parse()
                .map(|reference| (Scope::Pledge(reference), None))
                .map_err(|_| not_found("pledge", reference)),
            (None, None, Some(party)) => {
                let party = params::parse("counterparty", party, "give a party code")?;
                let period = crate::api::stats::PeriodParams {
                    period: query.period.clone(),
                    from: None,
                    to: None,
                }
                .period(node.now())?;
                Ok((Scope::Counterparty(party), Some(period)))
            }
            _ => Err(crate::error::Mistake::UnknownValue {
                parameter: "scope",
                value: query.guarantee.or(query.pledge).unwrap_or_default(),
                expected: "give one of guarantee, pledge or counterparty",
            }
            .into()),
        }
    });
    match asked {
        Ok((scope, period)) => download(&node, &session, scope, period).await,
        Err(error) => error.into_response(),
    }
}

/// The evidence bundle of `scope` (in `period`) as a download, exported
/// for `session`'s officer as the officer API exports it.
async fn download(
    node: &Arc<Node>,
    session: &Session,
    scope: Scope,
    period: Option<detente_proto::agreement::responsiveness::Period>,
) -> Response {
    let name: String = format!("detente-evidence-{scope}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    match node.export_evidence(&session.officer, scope, period).await {
        Ok(bundle) => {
            let mut response = crate::api::evidence::bundle_response(&bundle);
            if let Ok(disposition) =
                HeaderValue::from_str(&format!("attachment; filename=\"{name}.json\""))
            {
                response
                    .headers_mut()
                    .insert(header::CONTENT_DISPOSITION, disposition);
            }
            response
        }
        Err(error) => error.into_response(),
    }
}

async fn static_file(Path(file): Path<String>) -> Response {
    let (body, content_type) = match file.as_str() {
        "console.css" => (STYLESHEET, "text/css; charset=utf-8"),
        "console.js" => (SCRIPT, "text/javascript; charset=utf-8"),
        _ => {
            return NodeError::NotFound {
                what: "console file",
                id: file,
            }
            .into_response();
        }
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}
