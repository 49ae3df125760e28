//! `GET /api/v1/stats`: this party's responsiveness figures (docs/protocol.md,
//! "Responsiveness figures") per counterparty, direction, tier, kind and exercise flag, for a
//! period: `?period=2026-Q4` (a year, quarter or month), or
//! `?from=2026-10-01&to=2026-12-31` (dates or RFC 3339 times), or the
//! current quarter. Optional `counterparty=US`. The officer sees the
//! figures of the messages of the tiers they are cleared for.

use std::sync::Arc;

use axum::Json;
use axum::extract::{RawQuery, State};
use detente_proto::agreement::responsiveness::{Period, Stats};
use detente_proto::time::Timestamp;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::auth::Authenticated;
use crate::api::params;
use crate::api::problem::Problem;
use crate::error::{Mistake, NodeError};
use crate::node::Node;

/// Which period: `period`, or `from` and `to`; neither means the current
/// quarter.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PeriodParams {
    /// A year (`2026`), quarter (`2026-Q4`) or month (`2026-11`), UTC.
    pub period: Option<String>,
    /// The first day (or RFC 3339 instant) of the period.
    pub from: Option<String>,
    /// The last day (inclusive), or the RFC 3339 instant that ends the period.
    pub to: Option<String>,
}

impl PeriodParams {
    /// The period asked for; the quarter of `now` if none.
    pub fn period(&self, now: Timestamp) -> Result<Period, NodeError> {
        let bad = |problem: String| {
            NodeError::from(Mistake::Parameter {
                parameter: "period",
                problem,
                expected: "give period (e.g. 2026-Q4), or from and to",
            })
        };
        match (&self.period, &self.from, &self.to) {
            (Some(p), None, None) => p.parse().map_err(bad),
            (None, Some(from), Some(to)) => Period::between(from, to).map_err(bad),
            (None, None, None) => Ok(Period::quarter_of(now)),
            (Some(_), _, _) => Err(bad("give either period or from and to, not both".into())),
            _ => Err(bad("from and to go together: give both, or period".into())),
        }
    }
}

/// `GET /api/v1/stats` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StatsParams {
    /// Only the figures with this party.
    pub counterparty: Option<String>,
    /// A year (`2026`), quarter (`2026-Q4`) or month (`2026-11`), UTC.
    pub period: Option<String>,
    /// The first day (or RFC 3339 instant) of the period.
    pub from: Option<String>,
    /// The last day (inclusive), or the RFC 3339 instant that ends the period.
    pub to: Option<String>,
}

/// Responsiveness figures.
#[utoipa::path(get, path = "/api/v1/stats", params(StatsParams),
    responses(
        (status = 200, description = "The figures: party, period, as_of and rows (counterparty, direction, tier, kind, exercise; messages, with_deadline, in_time, late, unanswered, pending)", body = Object),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), tag = "evidence")]
pub async fn stats(
    State(node): State<Arc<Node>>,
    Authenticated(officer): Authenticated,
    RawQuery(query): RawQuery,
) -> Result<Json<Stats>, NodeError> {
    let params: StatsParams = params::decode(
        query.as_deref(),
        "use counterparty, period (e.g. 2026-Q4), or from and to",
    )?;
    let period = PeriodParams {
        period: params.period,
        from: params.from,
        to: params.to,
    }
    .period(node.now())?;
    let counterparty = params::counterparty(params.counterparty.as_deref())?;
    Ok(Json(node.stats(&officer, counterparty, period).await?))
}
