//! The agreements, guarantees and pledges page (`/console/commitments`),
//! as they stood on any date (`?at=2026-12-01`, default now): each
//! agreement version with who had signed it by then and the parties it was
//! in force with ([`Node::agreements_at`]); each guarantee's status then
//! and its signers; each pledge's signatories then. Guarantees and pledges
//! are shown to an officer who may see them
//! ([`Node::may_see_document`]), as in the officer API, and each comes
//! with its evidence bundle.

use std::sync::Arc;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use detente_proto::time::Timestamp;

use super::i18n::{Lang, Tr};
use super::pages::{Chrome, readable_time};
use super::refusal::{self, Explained};
use super::web::{OnDuty, html};
use crate::api::commitments::{GuaranteeView, PledgeView, at_of};
use crate::error::NodeResult;
use crate::node::Node;
use crate::officers::Officer;

/// One party's signature, in words.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The party.
    pub party: String,
    /// When it signed (for people), or that it had not.
    pub when: String,
    /// Whether it had signed.
    pub signed: bool,
}

/// One agreement version.
#[derive(Debug, Clone)]
pub struct AgreementRow {
    /// `<id>@<version>`.
    pub reference: String,
    /// Its title, as written.
    pub title: String,
    /// Each party's signature.
    pub signatures: Vec<Signed>,
    /// In force with these parties, in words; or not in force.
    pub in_force: String,
    /// Whether it was in force with anyone.
    pub active: bool,
}

/// One guarantee.
#[derive(Debug, Clone)]
pub struct GuaranteeRow {
    /// Its id.
    pub id: String,
    /// Its text, in the interface language where it has one.
    pub text: String,
    /// The language of `text`.
    pub text_lang: String,
    /// Issuer and beneficiary, in words.
    pub parties: String,
    /// Its status, in words.
    pub state: String,
    /// `in-force`, `lapsed`… (a class name).
    pub state_wire: &'static str,
    /// The node's own account of the status (English).
    pub status: String,
    /// Who had signed.
    pub signatures: Vec<Signed>,
}

/// One pledge.
#[derive(Debug, Clone)]
pub struct PledgeRow {
    /// `<host>/<id>`.
    pub reference: String,
    /// Its title, as written.
    pub title: String,
    /// Whether it was open for signature.
    pub open: String,
    /// Its signatories then.
    pub signatories: Vec<Signed>,
}

/// The page.
#[derive(Debug, Template)]
#[template(path = "console/commitments.html")]
pub struct CommitmentsPage {
    /// Around it.
    pub chrome: Chrome,
    /// The date asked for, as typed (for the date field).
    pub at_field: String,
    /// The moment shown, for people.
    pub at_text: String,
    /// Why the date asked for was refused.
    pub at_refused: Option<Explained>,
    /// Agreement versions.
    pub agreements: Vec<AgreementRow>,
    /// Guarantees.
    pub guarantees: Vec<GuaranteeRow>,
    /// Pledges.
    pub pledges: Vec<PledgeRow>,
}

pub(super) async fn page(
    State(node): State<Arc<Node>>,
    OnDuty { session, lang, .. }: OnDuty,
    RawQuery(query): RawQuery,
) -> Response {
    let t = Tr { lang };
    let (at, at_refused) = match at_of(&node, query.as_deref()) {
        Ok(at) => (at, None),
        Err(error) => (node.now(), Some(refusal::explain(&t, &error))),
    };
    let chrome = Chrome::new(lang, &node, Some(&session), "/console/commitments");
    match rows(&node, &session.officer, at, &t).await {
        Ok((agreements, guarantees, pledges)) => html(
            if at_refused.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            },
            &CommitmentsPage {
                chrome,
                at_field: at.to_string().chars().take(10).collect(),
                at_text: readable_time(&at.to_string()),
                at_refused,
                agreements,
                guarantees,
                pledges,
            },
        ),
        Err(error) => error.into_response(),
    }
}

type Rows = (Vec<AgreementRow>, Vec<GuaranteeRow>, Vec<PledgeRow>);

async fn rows(node: &Arc<Node>, officer: &Officer, at: Timestamp, t: &Tr) -> NodeResult<Rows> {
    let signed = |party: String, when: Option<Timestamp>| Signed {
        party,
        signed: when.is_some(),
        when: when.map_or_else(
            || t.t("signature-not-yet"),
            |at| t.t1("signature-at", "at", &readable_time(&at.to_string())),
        ),
    };
    let agreements = node
        .agreements_at(at)
        .await?
        .into_iter()
        .map(|(state, with)| {
            let agreement = state.agreement();
            let names: Vec<String> = with.iter().map(ToString::to_string).collect();
            AgreementRow {
                reference: agreement.reference().to_string(),
                title: agreement.title.clone(),
                signatures: agreement
                    .parties
                    .iter()
                    .map(|party| signed(party.to_string(), state.signed_at.get(party).copied()))
                    .collect(),
                active: !with.is_empty(),
                in_force: if with.is_empty() {
                    t.t("agreement-not-in-force")
                } else {
                    t.t1("agreement-in-force-with", "parties", &names.join(", "))
                },
            }
        })
        .collect();
    let mut guarantees = Vec::new();
    for state in node.guarantees().await? {
        if !node.may_see_document(officer, &state.records).await? {
            continue;
        }
        let view = GuaranteeView::of(&state, at);
        let guarantee = state.guarantee();
        let (text_lang, text) = text_in(&guarantee.text, t.lang);
        guarantees.push(GuaranteeRow {
            id: view.id.clone(),
            text,
            text_lang,
            parties: t.ta(
                "guarantee-parties",
                &[
                    ("issuer", guarantee.issuer.as_str()),
                    ("beneficiary", guarantee.beneficiary.as_str()),
                ],
            ),
            state: t.t(&format!("guarantee-state-{}", view.state)),
            state_wire: view.state,
            status: view.status.clone(),
            signatures: view
                .signed_by
                .iter()
                .map(|(party, done)| Signed {
                    party: party.clone(),
                    signed: *done,
                    when: t.t(if *done {
                        "signature-done"
                    } else {
                        "signature-not-yet"
                    }),
                })
                .collect(),
        });
    }
    let mut pledges = Vec::new();
    for state in node.pledges().await? {
        if !node.may_see_document(officer, &state.records).await? {
            continue;
        }
        let view = PledgeView::of(&state, at);
        pledges.push(PledgeRow {
            reference: view.reference.clone(),
            title: view.title.clone(),
            open: t.t(if view.open {
                "pledge-open"
            } else {
                "pledge-closed"
            }),
            signatories: view
                .signatories
                .iter()
                .map(|s| Signed {
                    party: s.party.clone(),
                    signed: true,
                    when: t.t1("signature-at", "at", &readable_time(&s.signed_at)),
                })
                .collect(),
        });
    }
    Ok((agreements, guarantees, pledges))
}

/// A guarantee's text in `lang` if it has one, else in its first
/// language: the language's tag and the text.
fn text_in(texts: &std::collections::BTreeMap<String, String>, lang: Lang) -> (String, String) {
    texts
        .iter()
        .find(|(tag, _)| tag.as_str() == lang.tag() || tag.starts_with(&format!("{}-", lang.tag())))
        .or_else(|| texts.iter().next())
        .map(|(tag, text)| (tag.clone(), text.clone()))
        .unwrap_or_default()
}
