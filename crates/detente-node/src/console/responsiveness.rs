//! The responsiveness page (`/console/responsiveness?counterparty=US`):
//! the figures of `detente stats` ([`Node::stats`]) for the last four
//! quarters with one party, as SVG bar charts drawn on the server
//! ([`super::chart`]) and as tables: how the messages each side received
//! were answered (in time, late, unanswered, pending), and how the
//! communication checks were. Exercise traffic is counted apart, as in the
//! figures, and left out of the charts. Each quarter's figures come as an
//! evidence bundle that `detente verify` recomputes.

use std::sync::Arc;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use detente_proto::agreement::responsiveness::{Direction, Figures, Period, Stats};
use detente_proto::ids::PartyCode;
use detente_proto::kind::MessageKind;
use serde::Deserialize;

use super::chart::{self, Bar, Chart};
use super::i18n::Tr;
use super::pages::{Choice, Chrome, peer_parties, readable_time};
use super::web::{OnDuty, html};
use crate::api::params;
use crate::error::NodeResult;
use crate::node::Node;
use crate::officers::Officer;

/// How many quarters the page shows.
pub const QUARTERS: usize = 4;

/// The figures of one quarter, side by side.
#[derive(Debug, Clone, Default)]
pub struct Quarter {
    /// `2026-Q4`.
    pub name: String,
    /// Messages this party received, as this party answered them.
    pub ours: Figures,
    /// Messages this party sent, as the other party answered them.
    pub theirs: Figures,
    /// Communication checks this party received, as it answered them.
    pub checks_ours: Figures,
    /// Communication checks this party sent, as the other answered them.
    pub checks_theirs: Figures,
    /// The detailed rows (as `detente stats` prints them).
    pub rows: Vec<StatsRow>,
}

/// One row of figures, in words.
#[derive(Debug, Clone)]
pub struct StatsRow {
    /// Sent or received, in words.
    pub direction: String,
    /// Our tier, in words.
    pub tier: String,
    /// The kind, in words.
    pub kind: String,
    /// Exercise traffic.
    pub exercise: bool,
    /// The figures.
    pub figures: Figures,
}

/// The page.
#[derive(Debug, Template)]
#[template(path = "console/responsiveness.html")]
pub struct ResponsivenessPage {
    /// Around it.
    pub chrome: Chrome,
    /// Parties to choose from.
    pub parties: Vec<Choice>,
    /// The party chosen.
    pub counterparty: String,
    /// The quarters, oldest first.
    pub quarters: Vec<Quarter>,
    /// Answers to messages, drawn.
    pub answers: Chart,
    /// Answers to communication checks, drawn.
    pub checks: Chart,
    /// When the figures stand (for people).
    pub as_of: String,
    /// The charts' width.
    pub width: u32,
    /// A bar's height.
    pub bar_height: u32,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Query {
    counterparty: Option<String>,
}

/// `2026-Q4` for the quarter starting at `period.from`.
fn quarter_name(period: &Period) -> String {
    let from = period.from.as_datetime();
    format!("{}-Q{}", from.year(), (from.month() - 1) / 3 + 1)
}

/// The last [`QUARTERS`] quarters up to the one holding now, oldest first.
fn last_quarters(node: &Node) -> Vec<Period> {
    let mut quarters = vec![Period::quarter_of(node.now())];
    while quarters.len() < QUARTERS {
        let before = quarters[0].from.plus(chrono::TimeDelta::milliseconds(-1));
        quarters.insert(0, Period::quarter_of(before));
    }
    quarters
}

fn add(sum: &mut Figures, figures: &Figures) {
    sum.messages += figures.messages;
    sum.with_deadline += figures.with_deadline;
    sum.in_time += figures.in_time;
    sum.late += figures.late;
    sum.unanswered += figures.unanswered;
    sum.pending += figures.pending;
}

/// One quarter's figures, summed by side, with its rows in words.
fn quarter(name: String, stats: &Stats, t: &Tr) -> Quarter {
    let mut quarter = Quarter {
        name,
        ..Quarter::default()
    };
    for row in &stats.rows {
        let key = &row.key;
        if !key.exercise {
            let ping = key.kind == MessageKind::Ping;
            let sum = match (key.direction, ping) {
                (Direction::Received, false) => &mut quarter.ours,
                (Direction::Sent, false) => &mut quarter.theirs,
                (Direction::Received, true) => &mut quarter.checks_ours,
                (Direction::Sent, true) => &mut quarter.checks_theirs,
            };
            add(sum, &row.figures);
        }
        quarter.rows.push(StatsRow {
            direction: t.t(match key.direction {
                Direction::Sent => "direction-sent",
                Direction::Received => "direction-received",
            }),
            tier: t.tier(key.tier),
            kind: t.kind(key.kind),
            exercise: key.exercise,
            figures: row.figures.clone(),
        });
    }
    quarter
}

/// The parts of a bar: answered in time, late, unanswered, pending.
fn parts(figures: &Figures) -> chart::Parts {
    vec![
        ("in-time", figures.in_time),
        ("late", figures.late),
        ("unanswered", figures.unanswered),
        ("pending", figures.pending),
    ]
}

/// A chart of each quarter's two sides, picked by `sides`.
fn sides_chart(quarters: &[Quarter], t: &Tr, sides: impl Fn(&Quarter) -> [&Figures; 2]) -> Chart {
    let bars: Vec<Bar> = quarters
        .iter()
        .flat_map(|q| {
            let [ours, theirs] = sides(q);
            [
                Bar {
                    label: t.t1("chart-ours", "quarter", &q.name),
                    parts: parts(ours),
                },
                Bar {
                    label: t.t1("chart-theirs", "quarter", &q.name),
                    parts: parts(theirs),
                },
            ]
        })
        .collect();
    chart::draw(&bars)
}

async fn quarters(
    node: &Arc<Node>,
    officer: &Officer,
    counterparty: &PartyCode,
    t: &Tr,
) -> NodeResult<Vec<Quarter>> {
    let mut quarters = Vec::new();
    for period in last_quarters(node) {
        let stats = node
            .stats(officer, Some(counterparty.clone()), period)
            .await?;
        quarters.push(quarter(quarter_name(&period), &stats, t));
    }
    Ok(quarters)
}

pub(super) async fn page(
    State(node): State<Arc<Node>>,
    OnDuty { session, lang, .. }: OnDuty,
    RawQuery(query): RawQuery,
) -> Response {
    let t = Tr { lang };
    let chosen = params::decode::<Query>(query.as_deref(), "the only parameter is counterparty")
        .and_then(|q| params::counterparty(q.counterparty.as_deref()));
    let chosen = match chosen {
        Ok(chosen) => chosen,
        Err(error) => return error.into_response(),
    };
    let peers = peer_parties(&node);
    let Some(counterparty) = chosen.or_else(|| peers.first().cloned()) else {
        return crate::error::NodeError::NotFound {
            what: "peer",
            id: "(none: add one with detente peer add)".into(),
        }
        .into_response();
    };
    let quarters = match quarters(&node, &session.officer, &counterparty, &t).await {
        Ok(quarters) => quarters,
        Err(error) => return error.into_response(),
    };
    let page = ResponsivenessPage {
        chrome: Chrome::new(lang, &node, Some(&session), "/console/responsiveness"),
        parties: Choice::list(
            peers.iter(),
            Some(&counterparty),
            |p| p.to_string(),
            |p| p.to_string(),
        ),
        counterparty: counterparty.to_string(),
        answers: sides_chart(&quarters, &t, |q| [&q.ours, &q.theirs]),
        checks: sides_chart(&quarters, &t, |q| [&q.checks_ours, &q.checks_theirs]),
        quarters,
        as_of: readable_time(&node.now().to_string()),
        width: chart::WIDTH,
        bar_height: chart::BAR,
    };
    html(StatusCode::OK, &page)
}
