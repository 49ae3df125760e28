//! Drafts from SOC tools (`/console/drafts`, docs/taxii.md): the STIX
//! objects a SOC posted over TAXII, or an officer pulled from one, waiting
//! for an officer. The officer reviews the objects, writes the
//! notification around them (tiers, subject, text, precedence, TLP) and
//! sends it, or discards the draft. Listing, sending and discarding are
//! the officer API's own ([`Node::visible_drafts`], [`Node::send_draft`],
//! [`Node::discard_draft`]); what is refused comes back next to its field.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use detente_proto::kind::{MessageKind, Precedence, Tlp};
use detente_store::Draft;

use super::compose::{self, Field};
use super::composing::{Errors, parsed, refused_by_officer};
use super::i18n::{Lang, Tr};
use super::pages::{Addressed, Addressing, Chrome, readable_time};
use super::refusal::Explained;
use super::sign_in::Session;
use super::web::{ConsoleForm, OnDuty, html, posting_session};
use crate::api::params;
use crate::error::NodeError;
use crate::node::Node;
use crate::taxii::drafts::SendDraft;

/// One draft in the list.
#[derive(Debug, Clone)]
pub struct DraftRow {
    /// Its id.
    pub id: String,
    /// The party it is for.
    pub counterparty: String,
    /// `open`, `sent` or `discarded`.
    pub state_wire: String,
    /// The same, in words.
    pub state: String,
    /// Where its objects came from, as the SOC said.
    pub source: String,
    /// Who made it (`taxii:<account>`, `officer:<name>`).
    pub created_by: String,
    /// When (RFC 3339).
    pub created_at: String,
    /// When, for people.
    pub created_text: String,
    /// How many STIX objects.
    pub objects: u32,
    /// Its TLP.
    pub tlp: String,
}

impl DraftRow {
    fn of(draft: &Draft, t: &Tr) -> Self {
        let state = draft.state.to_string();
        Self {
            id: draft.draft.id.to_string(),
            counterparty: draft.draft.counterparty.to_string(),
            state: t.t(&format!("draft-state-{state}")),
            state_wire: state,
            source: draft.draft.source.clone(),
            created_by: draft.draft.created_by.clone(),
            created_at: draft.draft.created_at.to_string(),
            created_text: readable_time(&draft.draft.created_at.to_string()),
            objects: draft.draft.object_count,
            tlp: draft.draft.tlp.to_string(),
        }
    }
}

/// The drafts list.
#[derive(Debug, Template)]
#[template(path = "console/drafts.html")]
pub struct DraftsPage {
    /// Around it.
    pub chrome: Chrome,
    /// Open drafts first, then the others; newest first in each.
    pub rows: Vec<DraftRow>,
}

/// One STIX object of a draft, as the review lists it.
#[derive(Debug, Clone)]
pub struct StixObject {
    /// Its type.
    pub kind: String,
    /// Its name, if it has one.
    pub name: String,
    /// Its id.
    pub id: String,
}

/// What the send form holds.
#[derive(Debug, Clone, Default)]
pub struct SendForm {
    /// Tiers, precedence, TLP, exercise.
    pub addressing: Addressing,
    /// The subject written.
    pub subject: String,
    /// The text written.
    pub text: String,
    /// Refusals, by field name.
    pub errors: BTreeMap<&'static str, Explained>,
}

impl SendForm {
    /// The refusal concerning `field`, if any.
    pub fn error(&self, field: &str) -> Option<&Explained> {
        self.errors.get(field)
    }
}

/// One draft: review, and send or discard.
#[derive(Debug, Template)]
#[template(path = "console/draft.html")]
pub struct DraftPage {
    /// Around it.
    pub chrome: Chrome,
    /// The draft.
    pub row: DraftRow,
    /// Its STIX objects.
    pub objects: Vec<StixObject>,
    /// Its bundle, pretty-printed.
    pub bundle: String,
    /// The message it was sent as.
    pub message_id: Option<String>,
    /// Who decided, and when, in words.
    pub decided: Option<String>,
    /// The send form, while the draft is open.
    pub form: Option<SendForm>,
    /// Why discarding was refused.
    pub refused: Option<Explained>,
}

pub(super) async fn list(
    State(node): State<Arc<Node>>,
    OnDuty { session, lang, .. }: OnDuty,
) -> Response {
    let t = Tr { lang };
    let drafts = match node
        .visible_drafts(&session.officer, None, None, params::MAX_LIMIT)
        .await
    {
        Ok(drafts) => drafts,
        Err(error) => return error.into_response(),
    };
    let mut rows: Vec<DraftRow> = drafts.iter().map(|d| DraftRow::of(d, &t)).collect();
    rows.sort_by_key(|row| row.state_wire != "open");
    let page = DraftsPage {
        chrome: Chrome::new(lang, &node, Some(&session), "/console/drafts"),
        rows,
    };
    html(StatusCode::OK, &page)
}

/// What was written in the send form, before it is judged.
#[derive(Debug, Clone, Default)]
struct Written {
    from_tier: Option<detente_proto::ids::Tier>,
    to_tier: Option<detente_proto::ids::Tier>,
    precedence: Option<Precedence>,
    tlp: Option<Tlp>,
    exercise: bool,
    subject: String,
    text: String,
}

/// The page of draft `id` for `session`, with what was `written` and
/// `errors` by field.
async fn draft_page(
    node: &Arc<Node>,
    session: &Session,
    lang: Lang,
    id: &str,
    written: Written,
    errors: BTreeMap<&'static str, Explained>,
    refused: Option<Explained>,
) -> Result<DraftPage, NodeError> {
    let t = Tr { lang };
    let draft = node.visible_draft(&session.officer, id).await?;
    let row = DraftRow::of(&draft, &t);
    let bundle: serde_json::Value =
        serde_json::from_slice(&draft.draft.bundle).unwrap_or(serde_json::Value::Null);
    let objects = bundle["objects"]
        .as_array()
        .map(|objects| {
            objects
                .iter()
                .map(|o| StixObject {
                    kind: o["type"].as_str().unwrap_or_default().to_owned(),
                    name: o["name"].as_str().unwrap_or_default().to_owned(),
                    id: o["id"].as_str().unwrap_or_default().to_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    let form = if row.state_wire == "open" {
        let agreement = node.agreement_in_force(&draft.draft.counterparty).await?;
        let offer = compose::offer(&session.officer.tiers, agreement.as_ref());
        let tlp = written.tlp.unwrap_or(draft.draft.tlp);
        Some(SendForm {
            addressing: Addressing::of(
                &offer,
                Addressed {
                    from_tier: written.from_tier,
                    to_tier: written.to_tier,
                    precedence: written.precedence.unwrap_or(Precedence::Routine),
                    tlp,
                    exercise: written.exercise,
                },
                &t,
            ),
            subject: written.subject,
            text: written.text,
            errors,
        })
    } else {
        None
    };
    let decided = match (&draft.decided_by, draft.decided_at) {
        (Some(by), Some(at)) => Some(t.ta(
            "draft-decided",
            &[("by", by), ("at", &readable_time(&at.to_string()))],
        )),
        _ => None,
    };
    Ok(DraftPage {
        chrome: Chrome::new(lang, node, Some(session), &format!("/console/drafts/{id}")),
        row,
        objects,
        bundle: serde_json::to_string_pretty(&bundle).unwrap_or_default(),
        message_id: draft.message_id.map(|id| id.to_string()),
        decided,
        form,
        refused,
    })
}

pub(super) async fn show(
    State(node): State<Arc<Node>>,
    Path(id): Path<String>,
    OnDuty { session, lang, .. }: OnDuty,
) -> Response {
    match draft_page(
        &node,
        &session,
        lang,
        &id,
        Written::default(),
        BTreeMap::new(),
        None,
    )
    .await
    {
        Ok(page) => html(StatusCode::OK, &page),
        Err(error) => error.into_response(),
    }
}

pub(super) async fn send(
    State(node): State<Arc<Node>>,
    Path(id): Path<String>,
    jar: CookieJar,
    uri: Uri,
    headers: HeaderMap,
    ConsoleForm(fields): ConsoleForm<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| field_of(&fields, name);
    let session = match posting_session(&node, &jar, &uri, &headers, field("csrf")).await {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    let lang = super::web::officer_lang(&session, super::web::request_lang(&jar, &headers));
    let mut errors = Errors::new(Tr { lang });
    let written = Written {
        from_tier: errors.take(
            Field::FromTier,
            parsed("from_tier", field("from_tier"), "use a tier"),
        ),
        to_tier: errors.take(
            Field::ToTier,
            parsed("to_tier", field("to_tier"), "use a tier"),
        ),
        precedence: errors.take(
            Field::Form,
            parsed("precedence", field("precedence"), "use a precedence"),
        ),
        tlp: errors.take(
            Field::Form,
            parsed("tlp", field("tlp"), "use a TLP marking"),
        ),
        exercise: field("exercise").is_some(),
        subject: field("subject").unwrap_or_default().to_owned(),
        text: field("text").unwrap_or_default().to_owned(),
    };
    if errors.by_field.is_empty() {
        let missing = |field: Field, name: &'static str| {
            (
                field,
                NodeError::from(detente_proto::ProtoError::field(name, "must be chosen")),
            )
        };
        let request = match (written.from_tier, written.to_tier) {
            (Some(from_tier), Some(to_tier)) => Ok(SendDraft {
                from_tier,
                to_tier,
                subject: written.subject.clone(),
                summary: written.text.clone(),
                precedence: written.precedence,
                tlp: written.tlp,
                exercise: written.exercise,
            }),
            (None, _) => Err(missing(Field::FromTier, "from_tier")),
            (_, None) => Err(missing(Field::ToTier, "to_tier")),
        };
        let sent = match request {
            Ok(request) => node
                .send_draft(&session.officer, &id, request)
                .await
                .map_err(|error| {
                    let shape = compose::shape(MessageKind::Notification);
                    let field = match (shape, written.from_tier) {
                        (Some(shape), Some(tier)) => compose::field_of(&error, shape, tier),
                        _ => Field::Form,
                    };
                    (field, error)
                }),
            Err(missing) => Err(missing),
        };
        match sent {
            Ok(stored) => {
                return Redirect::to(&format!("/console/messages/{}", stored.message.id))
                    .into_response();
            }
            Err((field, error)) if refused_by_officer(&error) => errors.refuse(field, &error),
            Err((_, error)) => return error.into_response(),
        }
    }
    match draft_page(&node, &session, lang, &id, written, errors.by_field, None).await {
        Ok(page) => html(StatusCode::UNPROCESSABLE_ENTITY, &page),
        Err(error) => error.into_response(),
    }
}

pub(super) async fn discard(
    State(node): State<Arc<Node>>,
    Path(id): Path<String>,
    jar: CookieJar,
    uri: Uri,
    headers: HeaderMap,
    ConsoleForm(fields): ConsoleForm<Vec<(String, String)>>,
) -> Response {
    let csrf = field_of(&fields, "csrf");
    let session = match posting_session(&node, &jar, &uri, &headers, csrf).await {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    match node.discard_draft(&session.officer, &id).await {
        Ok(_) => Redirect::to(&format!("/console/drafts/{id}")).into_response(),
        Err(error) if refused_by_officer(&error) => {
            let lang = super::web::officer_lang(&session, super::web::request_lang(&jar, &headers));
            let refused = super::refusal::explain(&Tr { lang }, &error);
            match draft_page(
                &node,
                &session,
                lang,
                &id,
                Written::default(),
                BTreeMap::new(),
                Some(refused),
            )
            .await
            {
                Ok(page) => html(StatusCode::CONFLICT, &page),
                Err(error) => error.into_response(),
            }
        }
        Err(error) => error.into_response(),
    }
}

/// The value of the form field `name`, if sent.
fn field_of<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}
