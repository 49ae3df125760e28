//! The deadlines page (`/console/deadlines`): every deadline that is not
//! met in time, on both sides of every channel the officer may see:
//! missed and escalated first, then late, then the open ones, soonest due
//! first. The deadlines are [`Node::deadline_views`], as the message page
//! and the officer API show them.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use detente_store::{Mailbox, MessageQuery};

use super::i18n::Tr;
use super::pages::{Chrome, DeadlineWords, InboxRow};
use super::web::{OnDuty, html};
use crate::api::params;
use crate::node::Node;

/// One deadline of one message.
#[derive(Debug, Clone)]
pub struct DeadlineRow {
    /// The message, as the inbox shows it.
    pub message: InboxRow,
    /// The deadline, in words.
    pub deadline: DeadlineWords,
}

impl DeadlineRow {
    /// Its place on the page: missed (escalated or not), late, open.
    fn rank(&self) -> u8 {
        match self.deadline.state_wire {
            "missed" => 0,
            "late" => 1,
            _ => 2,
        }
    }
}

/// The deadlines page.
#[derive(Debug, Template)]
#[template(path = "console/deadlines.html")]
pub struct DeadlinesPage {
    /// Around it.
    pub chrome: Chrome,
    /// The deadlines not met in time.
    pub rows: Vec<DeadlineRow>,
}

pub(super) async fn page(
    State(node): State<Arc<Node>>,
    OnDuty { session, lang, .. }: OnDuty,
) -> Response {
    let t = Tr { lang };
    let query = MessageQuery {
        mailbox: Mailbox::All,
        state: None,
        tiers: Vec::new(),
        counterparty: None,
        kind: None,
        limit: params::MAX_LIMIT,
    };
    let overviews = match node
        .visible_message_overviews(&session.officer, query)
        .await
    {
        Ok(overviews) => overviews,
        Err(error) => return error.into_response(),
    };
    let mut rows: Vec<DeadlineRow> = overviews
        .iter()
        .flat_map(|(view, deadlines)| {
            let message = InboxRow::of(view, deadlines, &t);
            deadlines
                .iter()
                .filter(|deadline| deadline.state != "in-time")
                .map(move |deadline| DeadlineRow {
                    message: message.clone(),
                    deadline: DeadlineWords::of(deadline, &t),
                })
        })
        .collect();
    rows.sort_by(|a, b| (a.rank(), &a.deadline.due_at).cmp(&(b.rank(), &b.deadline.due_at)));
    let page = DeadlinesPage {
        chrome: Chrome::new(lang, &node, Some(&session), "/console/deadlines"),
        rows,
    };
    html(StatusCode::OK, &page)
}
