//! Recomputing the responsiveness figures a bundle claims
//! (docs/evidence.md, "Figures"): the same function the node's statistics
//! use ([`responsiveness::stats`]), over the messages the bundle proves and
//! the agreements it proves in force, compared row by row.

use std::collections::{BTreeMap, BTreeSet};

use detente_proto::agreement::responsiveness::{
    self, Direction, Fact, Figures, Row, RowKey, Stats,
};

use super::agreements::{Agreements, Standing, join};
use super::claim;
use crate::report::{Claim, Verdict};

/// At most this many differing rows are named in a claim.
const MAX_ROWS_NAMED: usize = 20;

/// What stands in the way of proving figures from the bundle.
#[derive(Debug, Default)]
pub(crate) struct Gaps {
    /// Messages whose envelope or receipt is BROKEN.
    pub(crate) failed: Vec<String>,
    /// Messages whose envelope or receipt cannot be checked (no card).
    pub(crate) unchecked: Vec<String>,
}

/// Judges `claimed` against the figures recomputed from `facts` (messages
/// whose envelope verified, and whose receipt, if any, verified too).
/// Returns the claim and the recomputed figures.
pub(crate) fn check(
    claimed: &Stats,
    facts: &[Fact],
    agreements: &Agreements,
    gaps: &Gaps,
) -> (Claim, Stats) {
    let subject = format!("figures {} {}", claimed.party, claimed.period);
    let recomputed = responsiveness::stats(
        &claimed.party,
        facts,
        |r| agreements.in_force(r),
        claimed.period,
        claimed.as_of,
    );
    if claimed.period.to <= claimed.period.from {
        let detail = format!(
            "the claimed period ends ({}) before it starts ({}): such figures count nothing",
            claimed.period.to, claimed.period.from
        );
        return (
            claim(subject, "figures", Verdict::Broken, detail),
            recomputed,
        );
    }
    let differences = differences(&claimed.rows, &recomputed.rows);
    // Agreements the counted messages name that the bundle does not prove
    // in force: their deadlines could not be recomputed.
    let mut absent = BTreeSet::new();
    let mut broken = BTreeSet::new();
    for fact in facts.iter().filter(|f| counted(claimed, f)) {
        let Some(reference) = &fact.agreement else {
            continue;
        };
        match agreements.standing(reference) {
            Some(Standing::InForce(_)) => {}
            Some(Standing::Broken) => {
                broken.insert(reference.to_string());
            }
            _ => {
                absent.insert(reference.to_string());
            }
        }
    }
    let listed = list(&differences);
    let (verdict, detail) = if !gaps.failed.is_empty() || !broken.is_empty() {
        let mut why = Vec::new();
        if !gaps.failed.is_empty() {
            why.push(format!(
                "{} of the bundle failed verification ({})",
                plural(gaps.failed.len(), "message"),
                first(&gaps.failed)
            ));
        }
        if !broken.is_empty() {
            why.push(format!(
                "agreement {} is BROKEN",
                join(broken.iter().cloned())
            ));
        }
        let mut detail = format!(
            "figures over unverified messages prove nothing: {}",
            why.join("; ")
        );
        if !differences.is_empty() {
            detail.push_str(&format!("; besides, they differ: {listed}"));
        }
        (Verdict::Broken, detail)
    } else if differences.is_empty() {
        (
            Verdict::Proven,
            format!(
                "the figures ({}) match those recomputed from the bundle as of {}: {}",
                plural(recomputed.rows.len(), "row"),
                claimed.as_of,
                summary(&recomputed)
            ),
        )
    } else if !gaps.unchecked.is_empty() || !absent.is_empty() {
        let mut why = Vec::new();
        if !gaps.unchecked.is_empty() {
            why.push(format!(
                "{} cannot be checked ({})",
                plural(gaps.unchecked.len(), "message"),
                first(&gaps.unchecked)
            ));
        }
        if !absent.is_empty() {
            why.push(format!(
                "the bundle does not prove agreement {} in force",
                join(absent.iter().cloned())
            ));
        }
        (
            Verdict::Unproven,
            format!(
                "the claimed figures differ from those recomputed, but the bundle lacks what would settle it: {}; they differ: {listed}",
                why.join("; ")
            ),
        )
    } else {
        (
            Verdict::Broken,
            format!("the claimed figures are not those the bundle proves: {listed}"),
        )
    };
    (claim(subject, "figures", verdict, detail), recomputed)
}

/// Whether `stats` counts `fact` at all (before looking at deadlines).
fn counted(stats: &Stats, fact: &Fact) -> bool {
    stats.period.contains(fact.created_at)
        && fact.created_at <= stats.as_of
        && (fact.from.0 == stats.party || fact.to.0 == stats.party)
}

/// One line per differing row, by key.
fn differences(claimed: &[Row], recomputed: &[Row]) -> Vec<String> {
    let mut claims: BTreeMap<&RowKey, &Figures> = BTreeMap::new();
    let mut out = Vec::new();
    for row in claimed {
        if claims.insert(&row.key, &row.figures).is_some() {
            out.push(format!("{}: claimed twice", row_name(&row.key)));
        }
    }
    let recomputed: BTreeMap<&RowKey, &Figures> =
        recomputed.iter().map(|r| (&r.key, &r.figures)).collect();
    let keys: BTreeSet<&RowKey> = claims.keys().chain(recomputed.keys()).copied().collect();
    for key in keys {
        match (claims.get(key), recomputed.get(key)) {
            (Some(c), Some(r)) if c != r => {
                let fields: Vec<String> = fields(c)
                    .into_iter()
                    .zip(fields(r))
                    .filter(|((_, a), (_, b))| a != b)
                    .map(|((name, a), (_, b))| format!("{name} claimed {a}, recomputed {b}"))
                    .collect();
                out.push(format!("{}: {}", row_name(key), fields.join(", ")));
            }
            (Some(c), None) => out.push(format!(
                "{}: claimed ({}), but the bundle proves no such message",
                row_name(key),
                compact(c)
            )),
            (None, Some(r)) => out.push(format!(
                "{}: not claimed, recomputed ({})",
                row_name(key),
                compact(r)
            )),
            _ => {}
        }
    }
    out
}

fn fields(f: &Figures) -> [(&'static str, u64); 6] {
    [
        ("messages", f.messages),
        ("with_deadline", f.with_deadline),
        ("in_time", f.in_time),
        ("late", f.late),
        ("unanswered", f.unanswered),
        ("pending", f.pending),
    ]
}

fn compact(f: &Figures) -> String {
    fields(f)
        .iter()
        .map(|(name, n)| format!("{name} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `sent to US from technical, notification` or `received from US at
/// operational, ping (exercise)`.
pub(crate) fn row_name(key: &RowKey) -> String {
    let (way, at) = match key.direction {
        Direction::Sent => ("sent to", "from"),
        Direction::Received => ("received from", "at"),
    };
    format!(
        "{way} {} {at} {}, {}{}",
        key.counterparty,
        key.tier,
        key.kind,
        if key.exercise { " (exercise)" } else { "" }
    )
}

fn list(differences: &[String]) -> String {
    let mut text = differences
        .iter()
        .take(MAX_ROWS_NAMED)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if differences.len() > MAX_ROWS_NAMED {
        text.push_str(&format!(
            "; and {} more",
            plural(differences.len() - MAX_ROWS_NAMED, "row")
        ));
    }
    text
}

/// Totals by direction, real traffic and exercises apart.
fn summary(stats: &Stats) -> String {
    let mut totals: BTreeMap<(Direction, bool), Figures> = BTreeMap::new();
    for row in &stats.rows {
        let t = totals
            .entry((row.key.direction, row.key.exercise))
            .or_default();
        t.messages += row.figures.messages;
        t.with_deadline += row.figures.with_deadline;
        t.in_time += row.figures.in_time;
        t.late += row.figures.late;
        t.unanswered += row.figures.unanswered;
        t.pending += row.figures.pending;
    }
    if totals.is_empty() {
        return "no messages in the period".to_owned();
    }
    totals
        .iter()
        .map(|((direction, exercise), t)| {
            format!(
                "{} {}{}, {} with a deadline: {} in time, {} late, {} unanswered, {} pending",
                match direction {
                    Direction::Sent => "sent",
                    Direction::Received => "received",
                },
                t.messages,
                if *exercise { " (exercise)" } else { "" },
                t.with_deadline,
                t.in_time,
                t.late,
                t.unanswered,
                t.pending
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn first(items: &[String]) -> String {
    let mut text = items.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > 5 {
        text.push_str(&format!(", and {} more", items.len() - 5));
    }
    text
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
