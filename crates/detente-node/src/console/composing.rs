//! The compose page (`/console/compose`): a new message, or a reply to
//! one. Choosing the party and the kind is a plain GET form; the message
//! itself is a `multipart/form-data` POST (it may carry a STIX 2.1 file),
//! with this session's CSRF token, sent through [`Node::compose_written`],
//! the officer API's own compose. Only what [`compose::offer`] allows is
//! offered; what is refused anyway comes back next to its field, worded by
//! [`refusal::explain`].

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Multipart, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use detente_proto::ProtoError;
use detente_proto::ids::{MessageId, PartyCode, Tier};
use detente_proto::kind::{MessageKind, Precedence, Tlp};
use serde::Deserialize;

use super::compose::{self, Field, Offer, Shape, Written};
use super::i18n::{Lang, Tr};
use super::pages::{Addressed, Addressing, Choice, Chrome, peer_parties};
use super::refusal::{self, Explained};
use super::sign_in::Session;
use super::web::{OnDuty, html, posting_session};
use crate::api::params;
use crate::compose::{Address, ComposeRequest};
use crate::error::{Mistake, NodeError};
use crate::node::Node;

/// The most a compose form (its texts and STIX file) may be.
pub const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// The message a reply answers, as the compose page names it.
#[derive(Debug, Clone)]
pub struct Answering {
    /// Its id.
    pub id: String,
    /// Its headline, as written.
    pub headline: String,
}

/// The form for one party and kind.
#[derive(Debug, Clone)]
pub struct MessageForm {
    /// The receiving party.
    pub to: String,
    /// The kind's wire name.
    pub kind: String,
    /// What is written to whom, as the form's heading.
    pub heading: String,
    /// The message answered, if a reply.
    pub in_reply_to: Option<Answering>,
    /// Tiers, precedence, TLP, exercise.
    pub addressing: Addressing,
    /// Reply stages.
    pub stages: Vec<Choice>,
    /// The kind's fields.
    pub shape: Shape,
    /// The main text's label.
    pub text_label: String,
    /// The second text's label.
    pub extra_label: String,
    /// What was written, kept after a refusal.
    pub written: Written,
    /// Refusals, by field name.
    pub errors: BTreeMap<&'static str, Explained>,
}

impl MessageForm {
    /// The refusal concerning `field`, if any.
    pub fn error(&self, field: &str) -> Option<&Explained> {
        self.errors.get(field)
    }
}

/// The compose page.
#[derive(Debug, Template)]
#[template(path = "console/compose.html")]
pub struct ComposePage {
    /// Around it.
    pub chrome: Chrome,
    /// Parties to write to.
    pub parties: Vec<Choice>,
    /// Kinds to write.
    pub kinds: Vec<Choice>,
    /// The form, once a party and a kind are chosen.
    pub form: Option<MessageForm>,
    /// Why there is nothing to compose (no peer, no kind allowed).
    pub notice: Option<String>,
    /// Whether the party and the kind may be chosen (not for a reply).
    pub choosing: bool,
}

/// The field's name in the form (and in [`MessageForm::errors`]).
pub(super) fn field_name(field: Field) -> &'static str {
    match field {
        Field::To => "to",
        Field::FromTier => "from_tier",
        Field::ToTier => "to_tier",
        Field::Kind => "kind",
        Field::Exercise => "exercise",
        Field::Subject => "subject",
        Field::Text => "text",
        Field::Extra => "extra",
        Field::Stage => "stage",
        Field::Stix => "stix",
        Field::Form => "form",
    }
}

/// `GET /console/compose` query.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ComposeQuery {
    to: Option<String>,
    kind: Option<String>,
    in_reply_to: Option<String>,
}

/// What the officer chose or sent, before it is judged.
#[derive(Debug, Clone, Default)]
struct Chosen {
    to: Option<PartyCode>,
    kind: Option<MessageKind>,
    in_reply_to: Option<MessageId>,
    from_tier: Option<Tier>,
    to_tier: Option<Tier>,
    precedence: Option<Precedence>,
    tlp: Option<Tlp>,
    exercise: bool,
    written: Written,
}

pub(super) async fn page(
    State(node): State<Arc<Node>>,
    OnDuty { session, lang, .. }: OnDuty,
    RawQuery(query): RawQuery,
) -> Response {
    let chosen = params::decode::<ComposeQuery>(query.as_deref(), "use to, kind and in_reply_to")
        .and_then(|query| {
            Ok(Chosen {
                to: params::counterparty(query.to.as_deref())?,
                kind: parsed("kind", query.kind.as_deref(), "use a message kind")?,
                in_reply_to: query
                    .in_reply_to
                    .as_deref()
                    .map(crate::api::messages::parse_id)
                    .transpose()?,
                ..Chosen::default()
            })
        });
    let chosen = match chosen {
        Ok(chosen) => chosen,
        Err(error) => return error.into_response(),
    };
    match build(&node, &session, lang, chosen, BTreeMap::new()).await {
        Ok(page) => html(StatusCode::OK, &page),
        Err(error) => error.into_response(),
    }
}

/// `value` of parameter `name` parsed, if given and not empty (an
/// unchosen `<select>` sends an empty value).
pub(super) fn parsed<T>(
    name: &'static str,
    value: Option<&str>,
    expected: &'static str,
) -> Result<Option<T>, NodeError>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    params::parsed(name, value.filter(|v| !v.is_empty()), expected)
}

/// The compose page for what `chosen` says, with `errors` by field.
async fn build(
    node: &Arc<Node>,
    session: &Session,
    lang: Lang,
    mut chosen: Chosen,
    errors: BTreeMap<&'static str, Explained>,
) -> Result<ComposePage, NodeError> {
    let t = Tr { lang };
    // A reply: to the party it answers, at the tier that wrote it.
    let answering = match chosen.in_reply_to {
        Some(id) => {
            let stored = node.visible_message(&session.officer, id).await?;
            let message = &stored.message;
            chosen.to = Some(message.counterparty.clone());
            chosen.kind = Some(MessageKind::Reply);
            if chosen.to_tier.is_none() {
                chosen.to_tier = Some(message.from_tier);
            }
            if chosen.from_tier.is_none() {
                chosen.from_tier = Some(message.to_tier);
            }
            Some(Answering {
                id: id.to_string(),
                headline: message.headline.clone(),
            })
        }
        None => None,
    };
    let peers = peer_parties(node);
    let to = chosen.to.clone().or_else(|| peers.first().cloned());
    let chrome = Chrome::new(lang, node, Some(session), "/console/compose");
    let Some(to) = to else {
        return Ok(ComposePage {
            chrome,
            parties: Vec::new(),
            kinds: Vec::new(),
            form: None,
            notice: Some(t.t("compose-no-peer")),
            choosing: false,
        });
    };
    let agreement = node.agreement_in_force(&to).await?;
    let offer: Offer = compose::offer(&session.officer.tiers, agreement.as_ref());
    let kinds = match &answering {
        Some(_) => vec![MessageKind::Reply],
        None => offer.kinds.clone(),
    };
    // Only a kind offered: one asked for that is not (a crafted link, an
    // agreement changed since) gives the form of the first that is.
    let kind = chosen
        .kind
        .filter(|kind| kinds.contains(kind))
        .or_else(|| kinds.first().copied());
    let parties = Choice::list(
        peers.iter(),
        Some(&to),
        |p| p.to_string(),
        |p| p.to_string(),
    );
    let kind_choices = Choice::list(
        kinds.iter().copied(),
        kind,
        |k| k.to_string(),
        |k| t.kind(k),
    );
    let Some((kind, shape)) = kind.and_then(|kind| compose::shape(kind).map(|shape| (kind, shape)))
    else {
        return Ok(ComposePage {
            chrome,
            parties,
            kinds: kind_choices,
            form: None,
            notice: Some(t.t1("compose-no-kind", "party", to.as_str())),
            choosing: true,
        });
    };
    let precedence = chosen.precedence.unwrap_or(Precedence::Routine);
    let tlp = chosen
        .tlp
        .or(agreement.as_ref().map(|a| a.default_tlp))
        .unwrap_or(Tlp::Amber);
    let mut written = chosen.written;
    if written.stage.is_empty() {
        written.stage = "final".into();
    }
    let stage = written.stage.clone();
    let form = MessageForm {
        to: to.to_string(),
        kind: kind.to_string(),
        heading: t.ta(
            "compose-heading",
            &[("kind", &t.kind(kind)), ("party", to.as_str())],
        ),
        in_reply_to: answering,
        addressing: Addressing::of(
            &offer,
            Addressed {
                from_tier: chosen.from_tier,
                to_tier: chosen.to_tier,
                precedence,
                tlp,
                exercise: chosen.exercise,
            },
            &t,
        ),
        stages: Choice::list(
            ["interim", "final"],
            Some(stage.as_str()),
            str::to_owned,
            |stage| t.t(&format!("stage-{stage}")),
        ),
        shape,
        text_label: t.t(&format!("compose-text-{}", shape.text)),
        extra_label: shape
            .extra
            .map(|extra| t.t(&format!("compose-text-{extra}")))
            .unwrap_or_default(),
        written,
        errors,
    };
    Ok(ComposePage {
        chrome,
        parties,
        kinds: kind_choices,
        choosing: form.in_reply_to.is_none(),
        form: Some(form),
        notice: None,
    })
}

/// The fields of a compose POST, as sent.
#[derive(Debug, Default)]
struct Posted {
    csrf: Option<String>,
    fields: BTreeMap<String, String>,
    stix: Option<Vec<u8>>,
}

/// Reads a compose POST's fields and its STIX file (at most
/// [`MAX_FORM_BYTES`] in all).
async fn read_posted(mut multipart: Multipart) -> Result<Posted, NodeError> {
    let mut posted = Posted::default();
    let mut total = 0usize;
    let too_large = || NodeError::BodyTooLarge {
        limit: MAX_FORM_BYTES,
    };
    let unreadable = |error: axum::extract::multipart::MultipartError| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            Mistake::Parameter {
                parameter: "form",
                problem: error.body_text(),
                expected: "send the compose form as its page makes it (multipart/form-data)",
            }
            .into()
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        let is_file = field.file_name().is_some();
        let bytes = field.bytes().await.map_err(unreadable)?;
        total += bytes.len();
        if total > MAX_FORM_BYTES {
            return Err(too_large());
        }
        match (name.as_str(), is_file) {
            ("stix", true) => posted.stix = Some(bytes.to_vec()).filter(|b| !b.is_empty()),
            _ => {
                let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
                    NodeError::from(ProtoError::field(name.clone(), "is not UTF-8 text"))
                })?;
                if name == "csrf" {
                    posted.csrf = Some(text);
                } else {
                    posted.fields.insert(name, text);
                }
            }
        }
    }
    Ok(posted)
}

pub(super) async fn send(
    State(node): State<Arc<Node>>,
    jar: CookieJar,
    uri: Uri,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let multipart = match multipart {
        Ok(multipart) => multipart,
        Err(rejection) => {
            return NodeError::from(Mistake::Parameter {
                parameter: "form",
                problem: rejection.body_text(),
                expected: "send the compose form as its page makes it (multipart/form-data)",
            })
            .into_response();
        }
    };
    let posted = match read_posted(multipart).await {
        Ok(posted) => posted,
        Err(error) => return error.into_response(),
    };
    let session = match posting_session(&node, &jar, &uri, &headers, posted.csrf.as_deref()).await {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    let lang = super::web::officer_lang(&session, super::web::request_lang(&jar, &headers));
    let t = Tr { lang };
    let field = |name: &str| posted.fields.get(name).map(String::as_str);
    let mut errors = Errors {
        t,
        by_field: BTreeMap::new(),
    };
    let stix = match posted.stix.as_deref().map(serde_json::from_slice) {
        Some(Ok(bundle)) => Some(bundle),
        Some(Err(error)) => {
            errors.refuse(
                Field::Stix,
                &ProtoError::MalformedJson {
                    what: "the STIX file",
                    detail: error.to_string(),
                }
                .into(),
            );
            None
        }
        None => None,
    };
    let chosen = Chosen {
        to: errors.take(Field::To, params::counterparty(field("to"))),
        kind: errors.take(
            Field::Kind,
            parsed("kind", field("kind"), "use a message kind"),
        ),
        in_reply_to: errors.take(
            Field::Form,
            field("in_reply_to")
                .filter(|v| !v.is_empty())
                .map(crate::api::messages::parse_id)
                .transpose(),
        ),
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
        written: Written {
            subject: field("subject").unwrap_or_default().to_owned(),
            text: field("text").unwrap_or_default().to_owned(),
            extra: field("extra").unwrap_or_default().to_owned(),
            stage: field("stage").unwrap_or_default().to_owned(),
            stix,
        },
    };
    if errors.by_field.is_empty() {
        match compose_chosen(&node, &session, chosen.clone()).await {
            Ok(id) => {
                return Redirect::to(&format!("/console/messages/{id}")).into_response();
            }
            Err((field, error)) if refused_by_officer(&error) => errors.refuse(field, &error),
            Err((_, error)) => return error.into_response(),
        }
    }
    match build(&node, &session, lang, chosen, errors.by_field).await {
        Ok(page) => html(StatusCode::UNPROCESSABLE_ENTITY, &page),
        Err(error) => error.into_response(),
    }
}

/// The refusals of one form, worded, by field.
pub(super) struct Errors {
    pub(super) t: Tr,
    pub(super) by_field: BTreeMap<&'static str, Explained>,
}

impl Errors {
    /// No refusal yet, worded in `t`'s language.
    pub(super) fn new(t: Tr) -> Self {
        Self {
            t,
            by_field: BTreeMap::new(),
        }
    }

    /// Records `error` at `field`.
    pub(super) fn refuse(&mut self, field: Field, error: &NodeError) {
        self.by_field
            .insert(field_name(field), refusal::explain(&self.t, error));
    }

    /// The value read for `field`, or `None` with its refusal recorded.
    pub(super) fn take<T>(
        &mut self,
        field: Field,
        value: Result<Option<T>, NodeError>,
    ) -> Option<T> {
        value.unwrap_or_else(|error| {
            self.refuse(field, &error);
            None
        })
    }
}

/// Whether `error` refuses what the officer asked (shown at its field),
/// rather than failing the node (answered as a problem).
pub(super) fn refused_by_officer(error: &NodeError) -> bool {
    matches!(
        error,
        NodeError::Invalid(_)
            | NodeError::Forbidden(_)
            | NodeError::Mistake(_)
            | NodeError::Refused(_)
            | NodeError::UnknownParty(_)
            | NodeError::NoKey(_)
            | NodeError::NotFound { .. }
            | NodeError::Conflict(_)
            | NodeError::Document(_)
    )
}

/// Sends what `chosen` holds, complete: its id, or the refusal and the
/// field it concerns.
async fn compose_chosen(
    node: &Arc<Node>,
    session: &Session,
    chosen: Chosen,
) -> Result<MessageId, (Field, NodeError)> {
    let missing = |field: Field, name: &'static str| {
        (
            field,
            NodeError::from(ProtoError::field(name, "must be chosen")),
        )
    };
    let to = chosen.to.ok_or_else(|| missing(Field::To, "to"))?;
    let kind = chosen.kind.ok_or_else(|| missing(Field::Kind, "kind"))?;
    let from_tier = chosen
        .from_tier
        .ok_or_else(|| missing(Field::FromTier, "from_tier"))?;
    let to_tier = chosen
        .to_tier
        .ok_or_else(|| missing(Field::ToTier, "to_tier"))?;
    let Some(shape) = compose::shape(kind) else {
        return Err((
            Field::Kind,
            Mistake::UnknownValue {
                parameter: "kind",
                value: kind.to_string(),
                expected: "use a kind the compose page offers",
            }
            .into(),
        ));
    };
    let request = ComposeRequest {
        to: Address {
            party: to,
            tier: to_tier,
        },
        from_tier,
        kind: kind.to_string(),
        precedence: chosen.precedence.unwrap_or(Precedence::Routine),
        in_reply_to: chosen.in_reply_to,
        exercise: chosen.exercise,
        tlp: chosen.tlp.unwrap_or(Tlp::Amber),
        body: compose::body(shape, chosen.written),
    };
    node.compose_written(&session.officer, request)
        .await
        .map(|stored| stored.message.id)
        .map_err(|error| (compose::field_of(&error, shape, from_tier), error))
}
