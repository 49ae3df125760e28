//! Live updates of an open inbox (`GET /console/events`): server-sent
//! events (the WHATWG HTML standard, "Server-sent events"). Each event the
//! node emits about a message the officer may see becomes an `event:
//! message` whose data is JSON: the message's inbox row, rendered on the
//! server as the inbox renders it, and whether it is an arrival that must
//! alert the officer (FLASH or IMMEDIATE, received). An answer also
//! refreshes the row of the message it answers. `console.js` puts the row
//! in place, and plays the sound and raises the notification.
//!
//! The stream ends when the session does: each event is sent only after
//! the session is checked again.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use detente_proto::ids::MessageId;
use detente_proto::kind::Precedence;
use detente_store::StoredMessage;
use futures_util::Stream;
use serde::Serialize;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use super::i18n::Tr;
use super::pages::{InboxRow, InboxRowFragment};
use super::web::OnDuty;
use crate::events::{EventKind, NodeEvent};
use crate::node::Node;
use crate::officers::Officer;

/// What one live event carries.
#[derive(Debug, Serialize)]
struct RowUpdate {
    /// The message.
    id: String,
    /// Its inbox row (`<tr>…</tr>`).
    html: String,
    /// Whether it just arrived at FLASH or IMMEDIATE.
    alert: bool,
    /// What arrived, in the officer's language (for the notification and
    /// the live region).
    notice: String,
}

/// The message an event concerns, and whether it is an arrival.
fn concerned(event: &NodeEvent) -> (MessageId, bool) {
    match &event.what {
        EventKind::Received { id, .. } => (*id, true),
        EventKind::Queued { id, .. }
        | EventKind::Delivered { id, .. }
        | EventKind::DeliveryFailed { id, .. }
        | EventKind::DeadlineMissed { id, .. }
        | EventKind::DeadlineMet { id, .. } => (*id, false),
    }
}

pub(super) async fn events(
    State(node): State<Arc<Node>>,
    OnDuty {
        session,
        lang,
        secret,
    }: OnDuty,
) -> Response {
    let stream = updates(Watch {
        secret,
        receiver: node.subscribe(),
        node,
        officer: session.officer,
        t: Tr { lang },
        ready: VecDeque::new(),
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

/// What the stream of one open inbox holds between events.
struct Watch {
    node: Arc<Node>,
    officer: Officer,
    secret: Option<String>,
    receiver: broadcast::Receiver<NodeEvent>,
    t: Tr,
    ready: VecDeque<Event>,
}

fn updates(watch: Watch) -> impl Stream<Item = Result<Event, Infallible>> {
    futures_util::stream::unfold(watch, |mut watch| async move {
        loop {
            if let Some(event) = watch.ready.pop_front() {
                return Some((Ok(event), watch));
            }
            let event = match watch.receiver.recv().await {
                Ok(event) => event,
                // Missed some: the officer reloads for them; go on.
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return None,
            };
            let (id, arrival) = concerned(&event);
            if watch
                .node
                .console_session(watch.secret.as_deref())
                .await
                .is_err()
            {
                return None;
            }
            let Ok(stored) = watch.node.visible_message(&watch.officer, id).await else {
                continue;
            };
            let answered = match stored.message.in_reply_to {
                Some(answered) => watch
                    .node
                    .visible_message(&watch.officer, answered)
                    .await
                    .ok(),
                None => None,
            };
            let mut rows = vec![(stored, arrival)];
            rows.extend(answered.map(|answered| (answered, false)));
            for (stored, arrival) in rows {
                let update = row_update(&watch.node, stored, arrival, &watch.t).await;
                if let Some(data) = update.and_then(|u| serde_json::to_string(&u).ok()) {
                    watch
                        .ready
                        .push_back(Event::default().event("message").data(data));
                }
            }
        }
    })
}

/// The row update of `stored` (a message the officer may see).
async fn row_update(
    node: &Arc<Node>,
    stored: StoredMessage,
    arrival: bool,
    t: &Tr,
) -> Option<RowUpdate> {
    let (view, deadlines) = node.overviews_of(vec![stored]).await.ok()?.pop()?;
    let row = InboxRow::of(&view, &deadlines, t);
    let precedence = view.precedence.parse::<Precedence>().ok();
    let alert = arrival
        && view.direction == "received"
        && matches!(precedence, Some(Precedence::Flash | Precedence::Immediate));
    let notice = t.ta(
        "live-arrived",
        &[
            ("kind", &row.kind),
            ("party", &row.counterparty),
            ("precedence", &row.precedence_word),
        ],
    );
    let html = InboxRowFragment { t: *t, row }.render().ok()?;
    Some(RowUpdate {
        id: view.id,
        html,
        alert,
        notice,
    })
}
