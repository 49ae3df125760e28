//! Deadlines, escalation times and responsiveness figures (docs/protocol.md,
//! "Deadlines and escalation" and "Responsiveness figures"). Pure: the
//! node's agreement engine, its statistics and the offline verifier all
//! call these same functions, so a figure a node shows is the figure a
//! third party recomputes from the signed messages and receipts.
//!
//! The rules, in one place:
//! - a message starts the deadlines its agreement sets for its kind ×
//!   precedence ([`Agreement::deadlines_for`]); a `ping` under an agreement
//!   with communication checks starts a `check` deadline (its answer
//!   window);
//! - the clock starts when the message reached its recipient: the
//!   `received_at` of the recipient's signed receipt. An undelivered message
//!   has started no deadline: nobody can be late answering what they never
//!   received;
//! - an `acknowledgement` or a `reply`, from the recipient's party to the
//!   sender's, with `in_reply_to` naming the message, meets the acknowledge deadline; a
//!   `reply` (interim or final) meets the reply deadline; a `pong` meets a
//!   check. It counts from when it reached the asker (the asker's receipt
//!   for it), and only once it has;
//! - a missed deadline climbs the ladder from the tier that missed it (the
//!   tier the message was addressed to): each rung fires at the later of
//!   the deadline and "rung's `after`, counted from the start";
//! - exercise traffic is figured apart from real traffic, always.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, TimeDelta, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::document::Agreement;
use crate::body::{Body, DeadlineKind};
use crate::envelope::{AgreementRef, Envelope};
use crate::ids::{MessageId, PartyCode, Tier};
use crate::kind::{MessageKind, Precedence};
use crate::time::Timestamp;

/// What these rules need to know of one signed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// Its id.
    pub id: MessageId,
    /// Sending party and tier.
    pub from: (PartyCode, Tier),
    /// Receiving party and tier.
    pub to: (PartyCode, Tier),
    /// Its kind.
    pub kind: MessageKind,
    /// Its precedence.
    pub precedence: Precedence,
    /// Exercise traffic?
    pub exercise: bool,
    /// The message it answers.
    pub in_reply_to: Option<MessageId>,
    /// The agreement it was sent under.
    pub agreement: Option<AgreementRef>,
    /// When its sender signed it.
    pub created_at: Timestamp,
    /// When it reached its recipient, by the recipient's signed receipt.
    pub delivered_at: Option<Timestamp>,
}

impl Fact {
    /// The facts of `envelope`, delivered at `delivered_at` (the receipt's
    /// `received_at`).
    pub fn of(envelope: &Envelope, delivered_at: Option<Timestamp>) -> Self {
        Fact {
            id: envelope.id,
            from: (envelope.from.party.clone(), envelope.from.tier),
            to: (envelope.to.party.clone(), envelope.to.tier),
            kind: envelope.kind(),
            precedence: envelope.precedence,
            exercise: envelope.exercise,
            in_reply_to: envelope.in_reply_to,
            agreement: envelope.agreement.clone(),
            created_at: envelope.created_at,
            delivered_at,
        }
    }
}

/// One deadline a message started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// The message.
    pub message: MessageId,
    /// Which deadline.
    pub kind: DeadlineKind,
    /// When the clock started (the message's delivery).
    pub started_at: Timestamp,
    /// When it falls due.
    pub due_at: Timestamp,
}

/// The deadlines `fact` started under `agreement`: none until it was delivered.
pub fn deadlines(agreement: &Agreement, fact: &Fact) -> Vec<Due> {
    let Some(started_at) = fact.delivered_at else {
        return Vec::new();
    };
    let due = |kind, within: TimeDelta| Due {
        message: fact.id,
        kind,
        started_at,
        due_at: started_at.plus(within),
    };
    let mut dues = Vec::new();
    if let Some(d) = agreement.deadlines_for(fact.kind, fact.precedence) {
        dues.push(due(DeadlineKind::Acknowledge, d.acknowledge));
        if let Some(reply) = d.reply {
            dues.push(due(DeadlineKind::Reply, reply));
        }
    }
    if fact.kind.starts_check()
        && let Some(checks) = &agreement.communication_checks
    {
        let within =
            TimeDelta::milliseconds(i64::try_from(checks.answer_within_ms).unwrap_or(i64::MAX));
        dues.push(due(DeadlineKind::Check, within));
    }
    dues
}

/// Whether `answer` answers `asked` in the sense of deadline `kind`
/// (delivered or not).
pub fn meets(kind: DeadlineKind, asked: &Fact, answer: &Fact) -> bool {
    answer.from.0 == asked.to.0
        && answer.to.0 == asked.from.0
        && answer.in_reply_to.as_ref() == Some(&asked.id)
        && answer.kind.meets(kind)
}

/// How a deadline stood at some moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Not due yet, not met yet.
    Pending,
    /// Met in time, by `answer`, `after` the start.
    InTime {
        /// The answering message.
        answer: MessageId,
        /// When it reached the asker.
        at: Timestamp,
    },
    /// Met after it fell due.
    Late {
        /// The answering message.
        answer: MessageId,
        /// When it reached the asker.
        at: Timestamp,
    },
    /// Due, and not met.
    Missed,
}

impl Outcome {
    /// A short word for tables: `pending`, `in-time`, `late`, `missed`.
    pub fn word(&self) -> &'static str {
        match self {
            Outcome::Pending => "pending",
            Outcome::InTime { .. } => "in-time",
            Outcome::Late { .. } => "late",
            Outcome::Missed => "missed",
        }
    }
}

/// How `due` (a deadline of `asked`) stood at `as_of`, given the messages
/// `answers` (any messages: those that do not meet it are skipped; those
/// that reached the asker after `as_of` do not count yet).
pub fn outcome<'a>(
    due: &Due,
    asked: &Fact,
    answers: impl IntoIterator<Item = &'a Fact>,
    as_of: Timestamp,
) -> Outcome {
    let first = answers
        .into_iter()
        .filter(|a| meets(due.kind, asked, a))
        .filter_map(|a| a.delivered_at.map(|at| (at, a)))
        .filter(|(at, _)| *at <= as_of)
        .min_by(|(x, a), (y, b)| x.cmp(y).then_with(|| a.id.cmp(&b.id)));
    match first {
        Some((at, a)) if at <= due.due_at => Outcome::InTime { answer: a.id, at },
        Some((at, a)) => Outcome::Late { answer: a.id, at },
        None if as_of > due.due_at => Outcome::Missed,
        None => Outcome::Pending,
    }
}

/// The escalation ladder for a missed `due` of a message addressed to
/// `tier`: each rung's firing time and the tier that hears of it, lowest
/// first.
pub fn rungs(agreement: &Agreement, due: &Due, tier: Tier) -> Vec<(Timestamp, Tier)> {
    agreement
        .ladder_from(tier)
        .into_iter()
        .map(|(after, to)| (due.due_at.max(due.started_at.plus(after)), to))
        .collect()
}

/// A period of time: from (inclusive) to (exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// The first instant in it.
    pub from: Timestamp,
    /// The first instant after it.
    pub to: Timestamp,
}

impl Period {
    /// A period from `from` to `to`; `to` must be later.
    pub fn new(from: Timestamp, to: Timestamp) -> Result<Self, String> {
        if to <= from {
            return Err(format!(
                "the period ends ({to}) before it starts ({from}); give --to a later time than --from"
            ));
        }
        Ok(Period { from, to })
    }

    /// Whether `at` is in the period.
    pub fn contains(&self, at: Timestamp) -> bool {
        self.from <= at && at < self.to
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} to {}", self.from, self.to)
    }
}

impl FromStr for Period {
    type Err = String;

    /// `2026` (a year), `2026-Q4` (a quarter) or `2026-11` (a month), in UTC.
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "{s:?} is not a period; write a year (2026), a quarter (2026-Q4) or a month (2026-11), or give --from and --to"
            )
        };
        let start = |y: i32, m: u32| {
            NaiveDate::from_ymd_opt(y, m, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| Timestamp::from_datetime(Utc.from_utc_datetime(&d)))
        };
        let span = |y: i32, m: u32, months: u32| -> Option<Period> {
            let from = start(y, m)?;
            let end = m - 1 + months;
            let to = start(y + i32::try_from(end / 12).ok()?, end % 12 + 1)?;
            Some(Period { from, to })
        };
        let year = |t: &str| -> Option<i32> {
            (t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| t.parse().ok())
                .flatten()
        };
        let parsed = match s.split_once('-') {
            None => year(s).and_then(|y| span(y, 1, 12)),
            Some((y, q)) if q.len() == 2 && (q.starts_with('Q') || q.starts_with('q')) => {
                let quarter = q[1..].parse::<u32>().ok().filter(|q| (1..=4).contains(q));
                quarter.and_then(|q| year(y).and_then(|y| span(y, (q - 1) * 3 + 1, 3)))
            }
            Some((y, m)) if m.len() == 2 && m.bytes().all(|b| b.is_ascii_digit()) => {
                let month = m.parse::<u32>().ok().filter(|m| (1..=12).contains(m));
                month.and_then(|m| year(y).and_then(|y| span(y, m, 1)))
            }
            Some(_) => None,
        };
        parsed.ok_or_else(bad)
    }
}

impl Period {
    /// A period from `--from` to `--to` as people write them: an RFC 3339
    /// time, or a date (UTC). A date as `from` means its first instant; as
    /// `to`, the end of that day, so `2026-10-01` to `2026-12-31` is the
    /// whole quarter.
    pub fn between(from: &str, to: &str) -> Result<Self, String> {
        Period::new(instant(from, false, "from")?, instant(to, true, "to")?)
    }

    /// The quarter `at` falls in.
    pub fn quarter_of(at: Timestamp) -> Self {
        let d = at.as_datetime();
        let q = (d.month() - 1) / 3 + 1;
        format!("{}-Q{q}", d.year())
            .parse()
            .unwrap_or_else(|e| unreachable!("a quarter always parses: {e}"))
    }
}

/// A moment as people write it: an RFC 3339 time, or a date (UTC) for its
/// first instant. `what` names the input in errors (e.g. `--at`).
pub fn parse_instant(s: &str, what: &str) -> Result<Timestamp, String> {
    instant(s, false, what)
}

fn instant(s: &str, end_of_day: bool, what: &str) -> Result<Timestamp, String> {
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(Timestamp::from_datetime(at.with_timezone(&Utc)));
    }
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        format!(
            "{what} {s:?} is neither a date (2026-10-01) nor an RFC 3339 time (2026-10-01T00:00:00Z)"
        )
    })?;
    let date = if end_of_day {
        date.succ_opt()
            .ok_or_else(|| format!("{what} {s:?} is out of range"))?
    } else {
        date
    };
    let midnight = date
        .and_hms_opt(0, 0, 0)
        .ok_or_else(|| format!("{what} {s:?} is out of range"))?;
    Ok(Timestamp::from_datetime(Utc.from_utc_datetime(&midnight)))
}

/// Which way a message went, seen from the party whose figures these are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// We sent it.
    Sent,
    /// We received it.
    Received,
}

/// What one row of figures counts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RowKey {
    /// The other party.
    pub counterparty: PartyCode,
    /// Sent or received.
    pub direction: Direction,
    /// Our tier: the sending tier of what we sent, the addressed tier of
    /// what we received.
    pub tier: Tier,
    /// The message kind.
    pub kind: MessageKind,
    /// Exercise traffic (always counted apart from real traffic).
    pub exercise: bool,
}

/// The figures of one row. For a `ping`, the deadline is the communication
/// check's answer window (a `pong`); for other kinds, the acknowledge
/// deadline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    /// Messages created in the period.
    pub messages: u64,
    /// Of those, how many started a deadline (delivered, and the agreement
    /// sets one).
    pub with_deadline: u64,
    /// Answered in time.
    pub in_time: u64,
    /// Answered after the deadline.
    pub late: u64,
    /// Deadline passed, no answer.
    pub unanswered: u64,
    /// Deadline not passed yet, no answer yet.
    pub pending: u64,
}

/// One row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// What it counts.
    #[serde(flatten)]
    pub key: RowKey,
    /// The figures.
    #[serde(flatten)]
    pub figures: Figures,
}

/// A party's responsiveness figures for a period, as they stood at `as_of`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Whose figures: the party that sent or received each message.
    pub party: PartyCode,
    /// The period (by the messages' `created_at`).
    pub period: Period,
    /// The moment the figures describe: answers that arrived later, and
    /// messages written later, do not count.
    pub as_of: Timestamp,
    /// The rows, ordered by key.
    pub rows: Vec<Row>,
}

/// Computes `party`'s figures over `facts` for `period` as of `as_of`.
/// `agreement` gives the agreement a message names (`None`: it starts no
/// deadline). Messages not to or from `party` are ignored; so are messages
/// created after `as_of`.
pub fn stats<'a>(
    party: &PartyCode,
    facts: &[Fact],
    agreement: impl Fn(&AgreementRef) -> Option<&'a Agreement>,
    period: Period,
    as_of: Timestamp,
) -> Stats {
    let mut answers: HashMap<&MessageId, Vec<&Fact>> = HashMap::new();
    for f in facts {
        if let Some(asked) = &f.in_reply_to {
            answers.entry(asked).or_default().push(f);
        }
    }
    let mut rows: BTreeMap<RowKey, Figures> = BTreeMap::new();
    for f in facts {
        if !period.contains(f.created_at) || f.created_at > as_of {
            continue;
        }
        let (direction, counterparty, tier) = if &f.from.0 == party {
            (Direction::Sent, f.to.0.clone(), f.from.1)
        } else if &f.to.0 == party {
            (Direction::Received, f.from.0.clone(), f.to.1)
        } else {
            continue;
        };
        let figures = rows
            .entry(RowKey {
                counterparty,
                direction,
                tier,
                kind: f.kind,
                exercise: f.exercise,
            })
            .or_default();
        figures.messages += 1;
        let wanted = if f.kind.starts_check() {
            DeadlineKind::Check
        } else {
            DeadlineKind::Acknowledge
        };
        // A message delivered after `as_of` had started nothing by then.
        let started = Fact {
            delivered_at: f.delivered_at.filter(|at| *at <= as_of),
            ..f.clone()
        };
        let Some(due) = f
            .agreement
            .as_ref()
            .and_then(&agreement)
            .into_iter()
            .flat_map(|a| deadlines(a, &started))
            .find(|d| d.kind == wanted)
        else {
            continue;
        };
        figures.with_deadline += 1;
        let replies = answers.get(&f.id).into_iter().flatten().copied();
        match outcome(&due, f, replies, as_of) {
            Outcome::Pending => figures.pending += 1,
            Outcome::InTime { .. } => figures.in_time += 1,
            Outcome::Late { .. } => figures.late += 1,
            Outcome::Missed => figures.unanswered += 1,
        }
    }
    Stats {
        party: party.clone(),
        period,
        as_of,
        rows: rows
            .into_iter()
            .map(|(key, figures)| Row { key, figures })
            .collect(),
    }
}

/// The escalation a body reports, if it is one: (message, deadline, tier it
/// went to).
pub fn escalated(body: &Body) -> Option<(&MessageId, DeadlineKind, Tier)> {
    match body {
        Body::Escalation(e) => Some((&e.message, e.missed, e.to_tier)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::agreement::AgreementSpec;

    /// The example agreement of `testdata/agreement-example.toml`.
    const EXAMPLE: &str = include_str!("../../testdata/agreement-example.toml");

    const CHECKS: &str = "[communication_checks]\nevery = \"30d\"\nanswer_within = \"2h\"\ntiers = [\"technical\", \"operational\"]\n";

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn example() -> Agreement {
        AgreementSpec::parse(EXAMPLE)
            .and_then(AgreementSpec::validate)
            .expect("the example is valid")
    }

    fn example_without_checks() -> Agreement {
        assert_eq!(EXAMPLE.matches(CHECKS).count(), 1, "the example has checks");
        AgreementSpec::parse(&EXAMPLE.replace(CHECKS, ""))
            .and_then(AgreementSpec::validate)
            .expect("valid without checks")
    }

    fn party(code: &str) -> PartyCode {
        code.parse().expect("party")
    }

    fn minutes(m: i64) -> TimeDelta {
        TimeDelta::minutes(m)
    }

    fn hours(h: i64) -> TimeDelta {
        TimeDelta::hours(h)
    }

    /// A flash notification from RU's technical tier to US's, under the
    /// example agreement.
    fn notification(created_at: Timestamp, delivered_at: Option<Timestamp>) -> Fact {
        Fact {
            id: MessageId::new_v7(created_at),
            from: (party("RU"), Tier::Technical),
            to: (party("US"), Tier::Technical),
            kind: MessageKind::Notification,
            precedence: Precedence::Flash,
            exercise: false,
            in_reply_to: None,
            agreement: Some(example().reference()),
            created_at,
            delivered_at,
        }
    }

    /// A `kind` answering `asked` from its recipient, written a minute
    /// before it was delivered (or when `asked` was, if never delivered).
    fn answer(asked: &Fact, kind: MessageKind, delivered_at: Option<Timestamp>) -> Fact {
        let created_at = delivered_at.map_or(asked.created_at, |d| d.plus(minutes(-1)));
        Fact {
            id: MessageId::new_v7(created_at),
            from: asked.to.clone(),
            to: asked.from.clone(),
            kind,
            precedence: Precedence::Routine,
            exercise: asked.exercise,
            in_reply_to: Some(asked.id),
            agreement: asked.agreement.clone(),
            created_at,
            delivered_at,
        }
    }

    /// The acknowledge deadline of `asked` under the example.
    fn acknowledge_due(asked: &Fact) -> Due {
        let due = deadlines(&example(), asked).remove(0);
        assert_eq!(due.kind, DeadlineKind::Acknowledge);
        due
    }

    #[test]
    fn periods_parse_as_people_write_them() {
        let q4: Period = "2026-Q4".parse().unwrap();
        assert_eq!(q4.from, at("2026-10-01T00:00:00.000Z"));
        assert_eq!(q4.to, at("2027-01-01T00:00:00.000Z"));
        let nov: Period = "2026-11".parse().unwrap();
        assert_eq!(
            (nov.from, nov.to),
            (
                at("2026-11-01T00:00:00.000Z"),
                at("2026-12-01T00:00:00.000Z")
            )
        );
        let year: Period = "2026".parse().unwrap();
        assert_eq!(
            (year.from, year.to),
            (
                at("2026-01-01T00:00:00.000Z"),
                at("2027-01-01T00:00:00.000Z")
            )
        );
        let between = Period::between("2026-10-01", "2026-12-31").unwrap();
        assert_eq!(between, q4);
        let exact = Period::between("2026-10-01T06:00:00Z", "2026-10-01T07:00:00Z").unwrap();
        assert!(exact.contains(at("2026-10-01T06:59:59.000Z")));
        assert!(!exact.contains(at("2026-10-01T07:00:00.000Z")));
        assert_eq!(Period::quarter_of(at("2026-11-29T05:00:00.000Z")), q4);
        for bad in [
            "2026-Q5",
            "2026-Q0",
            "2026-13",
            "26-Q4",
            "Q4",
            "2026-11-01",
            "",
        ] {
            let err = bad.parse::<Period>().unwrap_err();
            assert!(err.contains("is not a period"), "{bad}: {err}");
        }
        let err = Period::between("2026-12-31", "2026-10-01").unwrap_err();
        assert!(err.contains("before it starts"), "{err}");
        let err = Period::between("yesterday", "2026-10-01").unwrap_err();
        assert!(err.contains("from \"yesterday\""), "{err}");
    }

    #[test]
    fn an_undelivered_message_has_started_no_deadline() {
        let a = example();
        let created = at("2026-11-10T08:00:00.000Z");
        assert_eq!(deadlines(&a, &notification(created, None)), []);
        let ping = Fact {
            kind: MessageKind::Ping,
            ..notification(created, None)
        };
        assert_eq!(deadlines(&a, &ping), []);
    }

    #[test]
    fn a_flash_notification_starts_both_deadlines_from_its_delivery() {
        let created = at("2026-11-10T08:00:00.000Z");
        let delivered = at("2026-11-10T08:05:00.000Z");
        let fact = notification(created, Some(delivered));
        assert_eq!(
            deadlines(&example(), &fact),
            [
                Due {
                    message: fact.id,
                    kind: DeadlineKind::Acknowledge,
                    started_at: delivered,
                    due_at: at("2026-11-10T09:05:00.000Z"),
                },
                Due {
                    message: fact.id,
                    kind: DeadlineKind::Reply,
                    started_at: delivered,
                    due_at: at("2026-11-11T08:05:00.000Z"),
                },
            ]
        );
        // The precedence picks the row: routine is 24h / 15d.
        let routine = Fact {
            precedence: Precedence::Routine,
            ..fact
        };
        let dues = deadlines(&example(), &routine);
        let due_ats: Vec<_> = dues.iter().map(|d| (d.kind, d.due_at)).collect();
        assert_eq!(
            due_ats,
            [
                (DeadlineKind::Acknowledge, delivered.plus(hours(24))),
                (DeadlineKind::Reply, delivered.plus(hours(15 * 24))),
            ]
        );
    }

    #[test]
    fn a_ping_starts_a_check_only_under_communication_checks() {
        let delivered = at("2026-11-10T08:00:00.000Z");
        let ping = Fact {
            kind: MessageKind::Ping,
            precedence: Precedence::Routine,
            ..notification(delivered.plus(minutes(-1)), Some(delivered))
        };
        assert_eq!(
            deadlines(&example(), &ping),
            [Due {
                message: ping.id,
                kind: DeadlineKind::Check,
                started_at: delivered,
                due_at: delivered.plus(hours(2)),
            }]
        );
        assert_eq!(deadlines(&example_without_checks(), &ping), []);
        // Only a ping starts a check.
        let pong = Fact {
            kind: MessageKind::Pong,
            ..ping
        };
        assert_eq!(deadlines(&example(), &pong), []);
    }

    #[test]
    fn a_kind_or_precedence_without_a_row_starts_nothing() {
        let a = example();
        let delivered = at("2026-11-10T08:00:00.000Z");
        let flash = notification(delivered, Some(delivered));
        let priority = Fact {
            precedence: Precedence::Priority,
            ..flash.clone()
        };
        assert_eq!(deadlines(&a, &priority), []);
        let goodwill = Fact {
            kind: MessageKind::Goodwill,
            ..flash
        };
        assert_eq!(deadlines(&a, &goodwill), []);
    }

    #[test]
    fn each_deadline_is_met_by_its_own_kinds_of_answer() {
        let created = at("2026-11-10T08:00:00.000Z");
        let asked = notification(created, Some(created));
        let cases = [
            (MessageKind::Acknowledgement, [true, false, false]),
            (MessageKind::Reply, [true, true, false]),
            (MessageKind::Pong, [false, false, true]),
            (MessageKind::Notification, [false, false, false]),
            (MessageKind::Goodwill, [false, false, false]),
        ];
        for (kind, expected) in cases {
            let answer = answer(&asked, kind, None);
            let met = [
                DeadlineKind::Acknowledge,
                DeadlineKind::Reply,
                DeadlineKind::Check,
            ]
            .map(|deadline| meets(deadline, &asked, &answer));
            assert_eq!(met, expected, "{kind}");
        }
        // Any tier of the recipient's party may answer.
        let from_operational = Fact {
            from: (party("US"), Tier::Operational),
            ..answer(&asked, MessageKind::Reply, None)
        };
        assert!(meets(DeadlineKind::Reply, &asked, &from_operational));
    }

    #[test]
    fn an_answer_from_another_party_or_to_another_message_meets_nothing() {
        let created = at("2026-11-10T08:00:00.000Z");
        let asked = notification(created, Some(created));
        let kinds = [
            DeadlineKind::Acknowledge,
            DeadlineKind::Reply,
            DeadlineKind::Check,
        ];
        for kind in [
            MessageKind::Acknowledgement,
            MessageKind::Reply,
            MessageKind::Pong,
        ] {
            let right = answer(&asked, kind, None);
            assert!(kinds.iter().any(|d| meets(*d, &asked, &right)), "{kind}");
            let wrong = [
                // The asker answering itself.
                Fact {
                    from: asked.from.clone(),
                    ..right.clone()
                },
                // A third party.
                Fact {
                    from: (party("FR"), Tier::Technical),
                    ..right.clone()
                },
                // In reply to another message.
                Fact {
                    in_reply_to: Some(MessageId::new_v7(created)),
                    ..right.clone()
                },
                // In reply to nothing.
                Fact {
                    in_reply_to: None,
                    ..right.clone()
                },
                // Sent to a third party, not to the asker.
                Fact {
                    to: (party("FR"), Tier::Technical),
                    ..right.clone()
                },
            ];
            for w in &wrong {
                for d in kinds {
                    assert!(!meets(d, &asked, w), "{kind} {w:?} meets {d:?}");
                }
            }
        }
    }

    #[test]
    fn an_answer_exactly_at_the_deadline_is_in_time_and_a_millisecond_later_is_late() {
        let created = at("2026-11-10T08:00:00.000Z");
        let asked = notification(created, Some(created.plus(minutes(1))));
        let due = acknowledge_due(&asked);
        assert_eq!(due.due_at, at("2026-11-10T09:01:00.000Z"));
        let later = due.due_at.plus(hours(1));

        let on_time = answer(&asked, MessageKind::Acknowledgement, Some(due.due_at));
        assert_eq!(
            outcome(&due, &asked, [&on_time], later),
            Outcome::InTime {
                answer: on_time.id,
                at: due.due_at
            }
        );
        // Counted from the moment it arrived, even with as_of at that moment.
        assert_eq!(
            outcome(&due, &asked, [&on_time], due.due_at).word(),
            "in-time"
        );

        let one_ms = due.due_at.plus(TimeDelta::milliseconds(1));
        let late = answer(&asked, MessageKind::Reply, Some(one_ms));
        assert_eq!(
            outcome(&due, &asked, [&late], later),
            Outcome::Late {
                answer: late.id,
                at: one_ms
            }
        );
    }

    #[test]
    fn without_an_answer_a_deadline_is_pending_up_to_its_due_time_then_missed() {
        let created = at("2026-11-10T08:00:00.000Z");
        let asked = notification(created, Some(created));
        let due = acknowledge_due(&asked);
        let none: [&Fact; 0] = [];
        assert_eq!(outcome(&due, &asked, none, created), Outcome::Pending);
        assert_eq!(outcome(&due, &asked, none, due.due_at), Outcome::Pending);
        let one_ms = due.due_at.plus(TimeDelta::milliseconds(1));
        assert_eq!(outcome(&due, &asked, none, one_ms), Outcome::Missed);
        // Messages that do not meet it change nothing.
        let pong = answer(&asked, MessageKind::Pong, Some(created.plus(minutes(5))));
        let unrelated = notification(created, Some(created.plus(minutes(5))));
        assert_eq!(
            outcome(&due, &asked, [&pong, &unrelated], one_ms),
            Outcome::Missed
        );
    }

    #[test]
    fn an_answer_counts_only_once_it_has_reached_the_asker() {
        let created = at("2026-11-10T08:00:00.000Z");
        let asked = notification(created, Some(created));
        let due = acknowledge_due(&asked);

        // Arrives in time, but after as_of: not yet.
        let arrives = due.due_at.plus(minutes(-10));
        let ack = answer(&asked, MessageKind::Acknowledgement, Some(arrives));
        let before = arrives.plus(TimeDelta::milliseconds(-1));
        assert_eq!(outcome(&due, &asked, [&ack], before), Outcome::Pending);
        assert_eq!(outcome(&due, &asked, [&ack], arrives).word(), "in-time");

        // Arrives late, after as_of: missed as of then, late afterwards.
        let arrives = due.due_at.plus(hours(1));
        let ack = answer(&asked, MessageKind::Acknowledgement, Some(arrives));
        let between = due.due_at.plus(minutes(1));
        assert_eq!(outcome(&due, &asked, [&ack], between), Outcome::Missed);
        assert_eq!(outcome(&due, &asked, [&ack], arrives).word(), "late");

        // Never delivered: never counts.
        let lost = answer(&asked, MessageKind::Acknowledgement, None);
        assert_eq!(outcome(&due, &asked, [&lost], due.due_at), Outcome::Pending);
        let much_later = due.due_at.plus(hours(24 * 365));
        assert_eq!(outcome(&due, &asked, [&lost], much_later), Outcome::Missed);
    }

    #[test]
    fn of_several_answers_the_first_to_arrive_counts() {
        let created = at("2026-11-10T08:00:00.000Z");
        let asked = notification(created, Some(created));
        let due = acknowledge_due(&asked);
        let as_of = due.due_at.plus(hours(24));
        // Written in the opposite order to their arrival, so neither the
        // order given nor the ids (UUIDv7, by creation) pick the winner.
        let written = due.due_at.plus(minutes(-30));
        let slow = Fact {
            created_at: written,
            id: MessageId::new_v7(written),
            ..answer(
                &asked,
                MessageKind::Reply,
                Some(due.due_at.plus(minutes(30))),
            )
        };
        let written = due.due_at.plus(minutes(-20));
        let fast = Fact {
            created_at: written,
            id: MessageId::new_v7(written),
            ..answer(
                &asked,
                MessageKind::Acknowledgement,
                Some(due.due_at.plus(minutes(-5))),
            )
        };
        assert!(slow.id < fast.id);
        let expected = Outcome::InTime {
            answer: fast.id,
            at: due.due_at.plus(minutes(-5)),
        };
        assert_eq!(outcome(&due, &asked, [&slow, &fast], as_of), expected);
        assert_eq!(outcome(&due, &asked, [&fast, &slow], as_of), expected);

        // Both late: still the first.
        let later = Fact {
            delivered_at: Some(due.due_at.plus(hours(2))),
            ..fast.clone()
        };
        assert_eq!(
            outcome(&due, &asked, [&later, &slow], as_of),
            Outcome::Late {
                answer: slow.id,
                at: due.due_at.plus(minutes(30))
            }
        );
    }

    #[test]
    fn a_miss_climbs_the_ladder_from_the_addressed_tier() {
        let a = example();
        let created = at("2026-11-10T08:00:00.000Z");
        let start = created.plus(minutes(30));
        let asked = notification(created, Some(start));
        let [acknowledge, reply] = <[Due; 2]>::try_from(deadlines(&a, &asked)).unwrap();

        // Acknowledge within 1h: the rungs' own times (1h, 4h from delivery) rule.
        assert_eq!(acknowledge.due_at, start.plus(hours(1)));
        assert_eq!(
            rungs(&a, &acknowledge, Tier::Technical),
            [
                (start.plus(hours(1)), Tier::Operational),
                (start.plus(hours(4)), Tier::Leadership),
            ]
        );
        assert_eq!(
            rungs(&a, &acknowledge, Tier::Operational),
            [(start.plus(hours(4)), Tier::Leadership)]
        );
        assert_eq!(rungs(&a, &acknowledge, Tier::Leadership), []);
        assert_eq!(rungs(&a, &acknowledge, Tier::Policy), []);

        // Reply within 24h: nothing fires before the deadline itself.
        assert_eq!(reply.due_at, start.plus(hours(24)));
        assert_eq!(
            rungs(&a, &reply, Tier::Technical),
            [
                (reply.due_at, Tier::Operational),
                (reply.due_at, Tier::Leadership),
            ]
        );
    }

    #[test]
    fn a_rung_fires_at_the_later_of_the_deadline_and_its_own_time() {
        let a = example();
        let start = at("2026-11-10T08:00:00.000Z");
        let ping = Fact {
            kind: MessageKind::Ping,
            precedence: Precedence::Routine,
            ..notification(start, Some(start))
        };
        let [check] = <[Due; 1]>::try_from(deadlines(&a, &ping)).unwrap();
        // Answer within 2h: after the first rung's 1h, before the second's 4h.
        assert_eq!(
            rungs(&a, &check, Tier::Technical),
            [
                (start.plus(hours(2)), Tier::Operational),
                (start.plus(hours(4)), Tier::Leadership),
            ]
        );
    }

    /// A small month of traffic between RU and US, seen from both sides.
    struct Exchange {
        facts: Vec<Fact>,
        period: Period,
        as_of: Timestamp,
    }

    fn exchange() -> Exchange {
        let t = at("2026-11-10T08:00:00.000Z");
        let as_of = at("2026-11-10T20:00:00.000Z");
        let ack = MessageKind::Acknowledgement;
        let mut facts = Vec::new();

        // RU technical → US technical, flash notifications (acknowledge 1h).
        let m1 = notification(t, Some(t.plus(minutes(1))));
        facts.push(answer(&m1, ack, Some(t.plus(minutes(30))))); // in time
        let m2 = notification(t.plus(hours(1)), Some(t.plus(hours(1) + minutes(1))));
        facts.push(answer(&m2, ack, Some(t.plus(hours(3))))); // late
        let m3 = notification(t.plus(hours(2)), Some(t.plus(hours(2) + minutes(1)))); // unanswered
        let m4 = notification(as_of.plus(minutes(-30)), Some(as_of.plus(minutes(-29))));
        // Written before as_of, arrives after it: m4 is still pending.
        let a4 = Fact {
            created_at: as_of.plus(minutes(-1)),
            ..answer(&m4, ack, Some(as_of.plus(minutes(1))))
        };
        facts.push(a4);
        let m5 = notification(t.plus(hours(4)), None); // never delivered
        facts.extend([m1, m2, m3, m4, m5]);

        // The same, as an exercise: counted apart.
        facts.push(Fact {
            exercise: true,
            ..notification(t, Some(t.plus(minutes(1))))
        });

        // US operational asks RU technical for assistance (acknowledge 4h);
        // RU replies in 3h. Each side's row is under its own tier.
        let r1 = Fact {
            from: (party("US"), Tier::Operational),
            to: (party("RU"), Tier::Technical),
            kind: MessageKind::RequestAssistance,
            precedence: Precedence::Immediate,
            ..notification(t, Some(t.plus(minutes(2))))
        };
        facts.push(answer(&r1, MessageKind::Reply, Some(t.plus(hours(3)))));
        facts.push(r1);

        // A communication check answered 3h after delivery (window 2h).
        let p1 = Fact {
            kind: MessageKind::Ping,
            precedence: Precedence::Routine,
            ..notification(t.plus(hours(5)), Some(t.plus(hours(5) + minutes(1))))
        };
        facts.push(answer(
            &p1,
            MessageKind::Pong,
            Some(t.plus(hours(8) + minutes(1))),
        ));
        facts.push(p1);

        // Flash notifications that would have deadlines, but under no
        // agreement, or under one the lookup does not know.
        let operational = |agreement: Option<AgreementRef>| Fact {
            from: (party("RU"), Tier::Operational),
            to: (party("US"), Tier::Operational),
            agreement,
            ..notification(t, Some(t.plus(minutes(1))))
        };
        facts.push(operational(None));
        facts.push(operational(Some("other-agreement@1".parse().unwrap())));

        // RU to another party.
        facts.push(Fact {
            to: (party("FR"), Tier::Technical),
            agreement: None,
            ..notification(t, Some(t.plus(minutes(1))))
        });

        // Ignored: before the period, written after as_of, between others.
        let october = at("2026-10-31T23:59:59.999Z");
        facts.push(notification(october, Some(t)));
        facts.push(notification(as_of.plus(TimeDelta::milliseconds(1)), None));
        facts.push(Fact {
            from: (party("FR"), Tier::Technical),
            ..notification(t, Some(t.plus(minutes(1))))
        });

        Exchange {
            facts,
            period: "2026-11".parse().unwrap(),
            as_of,
        }
    }

    fn row(
        counterparty: &str,
        direction: Direction,
        tier: Tier,
        kind: MessageKind,
        exercise: bool,
        figures: Figures,
    ) -> Row {
        Row {
            key: RowKey {
                counterparty: party(counterparty),
                direction,
                tier,
                kind,
                exercise,
            },
            figures,
        }
    }

    fn messages(n: u64) -> Figures {
        Figures {
            messages: n,
            ..Figures::default()
        }
    }

    fn stats_of(party_code: &str, exchange: &Exchange) -> Stats {
        let a = example();
        let known = a.reference();
        stats(
            &party(party_code),
            &exchange.facts,
            |r| (*r == known).then_some(&a),
            exchange.period,
            exchange.as_of,
        )
    }

    #[test]
    fn stats_count_each_row_of_a_party_traffic() {
        use Direction::{Received, Sent};
        use MessageKind as K;
        use Tier::{Operational, Technical};
        let exchange = exchange();
        let ru = stats_of("RU", &exchange);
        assert_eq!(ru.party, party("RU"));
        assert_eq!(ru.period, exchange.period);
        assert_eq!(ru.as_of, exchange.as_of);
        let expected = [
            row("FR", Sent, Technical, K::Notification, false, messages(1)),
            row(
                "US",
                Sent,
                Technical,
                K::Notification,
                false,
                Figures {
                    messages: 5,
                    with_deadline: 4,
                    in_time: 1,
                    late: 1,
                    unanswered: 1,
                    pending: 1,
                },
            ),
            row(
                "US",
                Sent,
                Technical,
                K::Notification,
                true,
                Figures {
                    messages: 1,
                    with_deadline: 1,
                    unanswered: 1,
                    ..Figures::default()
                },
            ),
            row("US", Sent, Technical, K::Reply, false, messages(1)),
            row(
                "US",
                Sent,
                Technical,
                K::Ping,
                false,
                Figures {
                    messages: 1,
                    with_deadline: 1,
                    late: 1,
                    ..Figures::default()
                },
            ),
            row("US", Sent, Operational, K::Notification, false, messages(2)),
            row(
                "US",
                Received,
                Technical,
                K::RequestAssistance,
                false,
                Figures {
                    messages: 1,
                    with_deadline: 1,
                    in_time: 1,
                    ..Figures::default()
                },
            ),
            row(
                "US",
                Received,
                Technical,
                K::Acknowledgement,
                false,
                messages(3),
            ),
            row("US", Received, Technical, K::Pong, false, messages(1)),
        ];
        assert_eq!(ru.rows, expected);
        assert!(ru.rows.windows(2).all(|w| w[0].key < w[1].key));

        // The order of the facts changes nothing.
        let mut reversed = exchange;
        reversed.facts.reverse();
        assert_eq!(stats_of("RU", &reversed), ru);
    }

    #[test]
    fn stats_seen_from_the_other_side_mirror_direction_and_tier() {
        let exchange = exchange();
        let us = stats_of("US", &exchange);
        let find = |direction, tier, kind, exercise| {
            us.rows
                .iter()
                .find(|r| {
                    r.key
                        == RowKey {
                            counterparty: party("RU"),
                            direction,
                            tier,
                            kind,
                            exercise,
                        }
                })
                .map(|r| r.figures.clone())
        };
        assert_eq!(
            find(
                Direction::Received,
                Tier::Technical,
                MessageKind::Notification,
                false
            ),
            Some(Figures {
                messages: 5,
                with_deadline: 4,
                in_time: 1,
                late: 1,
                unanswered: 1,
                pending: 1,
            })
        );
        assert_eq!(
            find(
                Direction::Sent,
                Tier::Operational,
                MessageKind::RequestAssistance,
                false
            ),
            Some(Figures {
                messages: 1,
                with_deadline: 1,
                in_time: 1,
                ..Figures::default()
            })
        );
        // FR's traffic with RU is not US's; FR's with US is.
        assert!(
            us.rows.iter().all(
                |r| r.key.counterparty != party("FR") || r.key.direction == Direction::Received
            )
        );
        assert!(us.rows.iter().any(|r| r.key.counterparty == party("FR")));
    }

    #[test]
    fn stats_read_back_from_json_with_flat_rows() {
        let ru = stats_of("RU", &exchange());
        let json = serde_json::to_value(&ru).unwrap();
        assert_eq!(serde_json::from_value::<Stats>(json.clone()).unwrap(), ru);
        assert_eq!(json["party"], "RU");
        assert_eq!(json["period"]["from"], "2026-11-01T00:00:00.000Z");
        assert_eq!(json["as_of"], "2026-11-10T20:00:00.000Z");
        let first = json["rows"][1].as_object().expect("a row is an object");
        let fields: Vec<&str> = first.keys().map(String::as_str).collect();
        let mut expected = [
            "counterparty",
            "direction",
            "tier",
            "kind",
            "exercise",
            "messages",
            "with_deadline",
            "in_time",
            "late",
            "unanswered",
            "pending",
        ];
        expected.sort_unstable();
        let mut fields = fields;
        fields.sort_unstable();
        assert_eq!(fields, expected);
        assert_eq!(
            json["rows"][1],
            serde_json::json!({
                "counterparty": "US",
                "direction": "sent",
                "tier": "technical",
                "kind": "notification",
                "exercise": false,
                "messages": 5,
                "with_deadline": 4,
                "in_time": 1,
                "late": 1,
                "unanswered": 1,
                "pending": 1,
            })
        );
    }

    proptest! {
        /// Once answered, a deadline stays answered the same way; a rung
        /// never fires before the deadline it escalates.
        #[test]
        fn outcomes_settle_and_rungs_wait_for_the_deadline(
            delivered_after_ms in 0i64..10 * 3_600_000,
            as_of_ms in 0i64..10 * 3_600_000,
            later_ms in 0i64..10 * 3_600_000,
        ) {
            let a = example();
            let start = at("2026-11-10T08:00:00.000Z");
            let asked = notification(start, Some(start));
            let due = acknowledge_due(&asked);
            let reply = answer(
                &asked,
                MessageKind::Reply,
                Some(start.plus(TimeDelta::milliseconds(delivered_after_ms))),
            );
            let as_of = start.plus(TimeDelta::milliseconds(as_of_ms));
            let then = outcome(&due, &asked, [&reply], as_of);
            let after = outcome(&due, &asked, [&reply], as_of.plus(TimeDelta::milliseconds(later_ms)));
            if matches!(then, Outcome::InTime { .. } | Outcome::Late { .. }) {
                prop_assert_eq!(&after, &then);
            }
            if then == Outcome::Missed {
                let settled = matches!(after, Outcome::Missed | Outcome::Late { .. });
                prop_assert!(settled, "missed, then {:?}", after);
            }
            for d in deadlines(&a, &asked) {
                for tier in Tier::ALL {
                    for (fires, _) in rungs(&a, &d, tier) {
                        prop_assert!(fires >= d.due_at);
                    }
                }
            }
        }
    }

    #[test]
    fn a_message_delivered_after_as_of_has_started_no_deadline_by_then() {
        let a = example();
        let created = at("2026-11-10T08:00:00.000Z");
        let delivered = at("2026-11-10T08:05:00.000Z");
        let facts = [notification(created, Some(delivered))];
        let period = Period::between("2026-11-01", "2026-11-30").unwrap();
        let figures = |as_of| {
            stats(&party("RU"), &facts, |_| Some(&a), period, as_of).rows[0]
                .figures
                .clone()
        };
        let before = figures(at("2026-11-10T08:01:00.000Z"));
        assert_eq!(
            (before.messages, before.with_deadline, before.pending),
            (1, 0, 0)
        );
        let after = figures(at("2026-11-10T08:06:00.000Z"));
        assert_eq!(
            (after.messages, after.with_deadline, after.pending),
            (1, 1, 1)
        );
    }
}
