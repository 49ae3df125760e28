//! Text rendering of officer API answers for people.

mod alerts;
mod commitments;
mod drafts;

pub use alerts::{alert_detail, alert_table};
pub use commitments::{guarantee_detail, guarantee_list, pledge_detail, pledge_list};
pub use drafts::{draft_detail, draft_table};

use std::collections::BTreeMap;

use chrono::Timelike;
use detente_proto::agreement::responsiveness::{Direction, Figures, Row, Stats};
use detente_proto::kind::MessageKind;
use detente_proto::time::Timestamp;
use serde_json::Value;

/// The string at a JSON pointer, or "-".
pub fn str<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or("-")
}

/// A table of messages, one per line.
pub fn message_table(list: &Value) -> String {
    let messages = list["messages"].as_array().cloned().unwrap_or_default();
    if messages.is_empty() {
        return "No messages.\n".into();
    }
    let mut out = format!(
        "{:<36}  {:<9}  {:<4}  {:<20}  {:<9}  {:<12}  {}\n",
        "ID", "STATE", "WITH", "KIND", "PRECED.", "TLP", "SUBJECT"
    );
    for m in &messages {
        let state = match (str(m, "/state"), m.pointer("/acknowledged_by").is_some()) {
            (state, true) => format!("{state}+ack"),
            (state, false) => state.to_owned(),
        };
        out.push_str(&format!(
            "{:<36}  {:<9}  {:<4}  {:<20}  {:<9}  {:<12}  {}{}\n",
            str(m, "/id"),
            state,
            str(m, "/counterparty"),
            str(m, "/kind"),
            str(m, "/precedence"),
            str(m, "/tlp"),
            if m["exercise"].as_bool() == Some(true) {
                "[EXERCISE] "
            } else {
                ""
            },
            str(m, "/headline"),
        ));
    }
    out
}

/// One message in detail.
pub fn message_detail(m: &Value) -> String {
    let mut out = String::new();
    let line =
        |out: &mut String, label: &str, text: String| out.push_str(&format!("{label:<14}{text}\n"));
    line(&mut out, "id", str(m, "/id").into());
    line(
        &mut out,
        "kind",
        format!(
            "{} ({}, TLP:{})",
            str(m, "/kind"),
            str(m, "/precedence"),
            str(m, "/tlp")
        ),
    );
    line(
        &mut out,
        "from",
        format!(
            "{} {} ({})",
            str(m, "/from/party"),
            str(m, "/from/tier"),
            str(m, "/from/officer")
        ),
    );
    line(
        &mut out,
        "to",
        format!("{} {}", str(m, "/to/party"), str(m, "/to/tier")),
    );
    if let Some(reply) = m["in_reply_to"].as_str() {
        line(&mut out, "in reply to", reply.into());
    }
    line(&mut out, "created", str(m, "/created_at").into());
    line(&mut out, "subject", str(m, "/headline").into());
    if m["exercise"].as_bool() == Some(true) {
        line(&mut out, "exercise", "yes — not real traffic".into());
    }
    line(
        &mut out,
        "envelope hash",
        format!("sha256:{}", str(m, "/envelope_sha256")),
    );
    if let Some(index) = m["log_index"].as_u64() {
        line(&mut out, "our log", format!("entry {index}"));
    }
    let state = str(m, "/state");
    match state {
        "queued" => line(
            &mut out,
            "state",
            format!(
                "QUEUED — not delivered: no verified receipt yet ({} attempts; last error: {}; next attempt {})",
                m.pointer("/delivery/attempts")
                    .and_then(Value::as_u64)
                    .unwrap_or(0),
                str(m, "/delivery/last_error"),
                str(m, "/delivery/next_attempt_at"),
            ),
        ),
        "delivered" => line(
            &mut out,
            "state",
            format!("DELIVERED at {}", str(m, "/receipt/received_at")),
        ),
        other => line(&mut out, "state", other.to_uppercase()),
    }
    if let Some(receipt) = m.get("receipt") {
        let verdict = if receipt["verified"].as_bool() == Some(true) {
            format!(
                "signed by {}, signature, envelope hash and log proof VERIFIED",
                str(receipt, "/signed_by")
            )
        } else {
            format!("DOES NOT VERIFY: {}", str(receipt, "/problem"))
        };
        line(&mut out, "receipt", verdict);
        if let Some(logged) = receipt.get("logged_at") {
            line(
                &mut out,
                "logged",
                format!(
                    "entry {} of {}, inclusion proven in its signed checkpoint of size {}",
                    logged["index"],
                    str(logged, "/origin"),
                    logged["checkpoint_size"]
                ),
            );
        }
    }
    match m.get("acknowledged_by") {
        Some(ack) => line(
            &mut out,
            "acknowledged",
            format!("by {} at {}", str(ack, "/id"), str(ack, "/at")),
        ),
        None => line(&mut out, "acknowledged", "not yet".into()),
    }
    for (i, text) in deadline_lines(m).lines().enumerate() {
        line(
            &mut out,
            if i == 0 { "deadlines" } else { "" },
            text.to_owned(),
        );
    }
    out
}

/// The deadlines a message started (its `deadlines`), one line each, e.g.
/// `acknowledge  due 2026-11-29T07:05:10.447Z  LATE by 10m 0s (answered by
/// 0193…)  escalated to operational`. Empty when it started none.
pub fn deadline_lines(m: &Value) -> String {
    let mut out = String::new();
    for d in m["deadlines"].as_array().into_iter().flatten() {
        let state = match str(d, "/state") {
            "pending" => "pending".to_owned(),
            "in-time" => format!("in time (answered by {})", str(d, "/answered_by")),
            "late" => format!(
                "LATE by {} (answered by {})",
                str(d, "/late_by"),
                str(d, "/answered_by")
            ),
            "missed" => "MISSED".to_owned(),
            other => other.to_uppercase(),
        };
        let tiers: Vec<&str> = d["escalated_to"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let escalated = if tiers.is_empty() {
            String::new()
        } else {
            format!("  escalated to {}", tiers.join(", "))
        };
        out.push_str(&format!(
            "{:<11}  due {}  {state}{escalated}\n",
            str(d, "/deadline"),
            str(d, "/due_at")
        ));
    }
    out
}

/// Width of the label columns of [`stats_table`]: indent, tier, kind.
const STATS_LABEL: usize = 37;

/// Responsiveness figures for people: per counterparty, the rows sent and
/// received, exercise traffic apart, totals, and the share of
/// communication checks answered in time each way.
pub fn stats_table(stats: &Stats) -> String {
    let mut out = format!(
        "Figures of {}, {} to {}, as of {}\n",
        stats.party,
        day_or_instant(stats.period.from),
        day_or_instant(stats.period.to),
        stats.as_of
    );
    if stats.rows.is_empty() {
        out.push_str("No messages in this period.\n");
        return out;
    }
    out.push_str(
        "Deadline of a row: the acknowledgement's; for ping, the communication check's answer (pong).\n",
    );
    let mut by_counterparty: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for row in &stats.rows {
        by_counterparty
            .entry(row.key.counterparty.as_str())
            .or_default()
            .push(row);
    }
    for (counterparty, rows) in by_counterparty {
        out.push('\n');
        out.push_str(&format!(
            "{:<STATS_LABEL$}{:>8}  {:>13}  {:>7}  {:>4}  {:>10}  {:>7}\n",
            format!("With {counterparty}"),
            "messages",
            "with deadline",
            "in time",
            "late",
            "unanswered",
            "pending"
        ));
        let section = |direction: Direction, exercise: bool| -> Vec<&Row> {
            rows.iter()
                .copied()
                .filter(|r| r.key.direction == direction && r.key.exercise == exercise)
                .collect()
        };
        let mut totals = String::new();
        for exercise in [false, true] {
            for direction in [Direction::Sent, Direction::Received] {
                let section = section(direction, exercise);
                let name = match (direction, exercise) {
                    (Direction::Sent, false) => "sent",
                    (Direction::Received, false) => "received",
                    (Direction::Sent, true) => "sent, exercise (counted apart)",
                    (Direction::Received, true) => "received, exercise (counted apart)",
                };
                // Real traffic always has its totals, zero or not; exercise
                // traffic only when there is some.
                if exercise && section.is_empty() {
                    continue;
                }
                let total = section
                    .iter()
                    .fold(Figures::default(), |total, row| sum(&total, &row.figures));
                let label = match (direction, exercise) {
                    (Direction::Sent, false) => "total sent",
                    (Direction::Received, false) => "total received",
                    (Direction::Sent, true) => "total sent, exercise",
                    (Direction::Received, true) => "total received, exercise",
                };
                totals.push_str(&format!(
                    "{:<STATS_LABEL$}{}\n",
                    format!("  {label}"),
                    figure_columns(&total)
                ));
                if section.is_empty() {
                    continue;
                }
                out.push_str(&format!("  {name}\n"));
                for row in section {
                    out.push_str(&format!(
                        "    {:<12} {:<20}{}\n",
                        row.key.tier.as_str(),
                        row.key.kind.as_str(),
                        figure_columns(&row.figures)
                    ));
                }
            }
        }
        out.push_str(&totals);
        for (direction, asker, answerer) in [
            (Direction::Sent, stats.party.as_str(), counterparty),
            (Direction::Received, counterparty, stats.party.as_str()),
        ] {
            let checks = section(direction, false)
                .into_iter()
                .filter(|r| r.key.kind == MessageKind::Ping)
                .fold(Figures::default(), |total, row| sum(&total, &row.figures));
            out.push_str(&format!(
                "  communication checks answered in time: {}, {asker}'s checks answered by {answerer}\n",
                share(checks.in_time, checks.with_deadline, checks.pending)
            ));
        }
    }
    out
}

/// `X of Y (Z%)`, the percentage rounded down (never flattering), with the
/// checks still pending named; `0 of 0 (none due)` when there is nothing
/// to divide by.
fn share(in_time: u64, with_deadline: u64, pending: u64) -> String {
    if with_deadline == 0 {
        return "0 of 0 (none due)".to_owned();
    }
    let percent = u128::from(in_time) * 100 / u128::from(with_deadline);
    let pending = match pending {
        0 => String::new(),
        n => format!(", {n} pending"),
    };
    format!("{in_time} of {with_deadline} ({percent}%{pending})")
}

fn figure_columns(f: &Figures) -> String {
    format!(
        "{:>8}  {:>13}  {:>7}  {:>4}  {:>10}  {:>7}",
        f.messages, f.with_deadline, f.in_time, f.late, f.unanswered, f.pending
    )
}

fn sum(a: &Figures, b: &Figures) -> Figures {
    Figures {
        messages: a.messages.saturating_add(b.messages),
        with_deadline: a.with_deadline.saturating_add(b.with_deadline),
        in_time: a.in_time.saturating_add(b.in_time),
        late: a.late.saturating_add(b.late),
        unanswered: a.unanswered.saturating_add(b.unanswered),
        pending: a.pending.saturating_add(b.pending),
    }
}

/// `2026-10-01` for a midnight, the full timestamp otherwise.
fn day_or_instant(at: Timestamp) -> String {
    let d = at.as_datetime();
    if d.num_seconds_from_midnight() == 0 && d.nanosecond() == 0 {
        d.format("%Y-%m-%d").to_string()
    } else {
        at.to_string()
    }
}

/// The log status for people.
pub fn log_status(s: &Value) -> String {
    let mut out = format!(
        "log          {}  size {}  {}\n",
        str(s, "/origin"),
        s["size"],
        if s["witnessed"] == true {
            "WITNESSED (policy met)"
        } else {
            "not yet witnessed"
        }
    );
    let cosignatures = s["cosignatures"].as_array().cloned().unwrap_or_default();
    if cosignatures.is_empty() {
        out.push_str("cosigned by  nobody yet\n");
    }
    for c in &cosignatures {
        out.push_str(&format!(
            "cosigned by  {} at size {}\n",
            str(c, "/witness"),
            c["size"]
        ));
    }
    for w in s["witnessing"].as_array().cloned().unwrap_or_default() {
        out.push_str(&format!(
            "witnessing   {} at size {}\n",
            str(&w, "/origin"),
            w["size"]
        ));
    }
    if s["held"].is_object() {
        out.push_str(&format!(
            "HELD         {}: {}\n",
            str(s, "/held/reason").to_uppercase(),
            str(s, "/held/detail")
        ));
        if let Some(recovery) = s["held"]["recovery"].as_str() {
            out.push_str(&format!("RECOVERY     {recovery}\n"));
        }
    }
    for c in s["expiring_cards"].as_array().cloned().unwrap_or_default() {
        let whose = if c["ours"] == true {
            "our card — renew it: detente card renew"
        } else {
            "ask the peer for its new card"
        };
        out.push_str(&format!(
            "CARD {}  {} valid until {} ({whose})\n",
            if c["expired"] == true {
                "EXPIRED "
            } else {
                "EXPIRES "
            },
            str(&c, "/party"),
            str(&c, "/valid_until"),
        ));
    }
    let alarms = s["alarms"].as_array().cloned().unwrap_or_default();
    if alarms.is_empty() {
        out.push_str("alarms       none\n");
    }
    for a in &alarms {
        out.push_str(&format!(
            "ALARM        {} {} at {}: {}\n",
            str(a, "/kind").to_uppercase(),
            str(a, "/subject"),
            str(a, "/at"),
            str(a, "/detail")
        ));
    }
    out
}

/// Writes `bytes` to `path` all or nothing: staged in a temporary file in
/// the same directory, then renamed over `path`.
pub fn write_atomically(path: &std::path::Path, bytes: &[u8], what: &str) -> anyhow::Result<()> {
    use anyhow::Context;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => std::path::PathBuf::from("."),
    };
    let mut staged = tempfile::NamedTempFile::new_in(&parent)
        .with_context(|| format!("cannot write {what} in {}", parent.display()))?;
    std::io::Write::write_all(&mut staged, bytes)
        .with_context(|| format!("cannot write {what} in {}", parent.display()))?;
    staged
        .persist(path)
        .with_context(|| format!("cannot write {what} {}", path.display()))?;
    Ok(())
}

/// One line per agreement version: reference, state, signers, title.
pub fn agreement_line(view: &Value) -> String {
    let state = if view["in_force"] == true {
        "IN FORCE"
    } else {
        "PROPOSED"
    };
    format!(
        "{:<32} {:<9} {}  {}\n",
        str(view, "/reference"),
        state,
        signers(view),
        str(view, "/title")
    )
}

fn signers(view: &Value) -> String {
    view["signed_by"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(party, signed)| format!("{party}{}", if signed == true { "✓" } else { "…" }))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

/// An agreement version: its state, signers and main rules.
pub fn agreement_detail(view: &Value) -> String {
    let mut out = agreement_line(view);
    out.push_str(&format!(
        "  document SHA-256 {}\n",
        str(view, "/document_sha256")
    ));
    let doc = &view["document"];
    for (tier, rules) in doc["tiers"].as_object().into_iter().flatten() {
        let kinds: Vec<&str> = rules["may_send"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        out.push_str(&format!("  {tier:<12} may send {}\n", kinds.join(", ")));
    }
    for d in doc["deadlines"].as_array().into_iter().flatten() {
        let ms = |v: &Value| {
            v.as_i64()
                .map(|ms| detente_proto::time::human_duration(chrono::TimeDelta::milliseconds(ms)))
                .unwrap_or_else(|| "—".into())
        };
        out.push_str(&format!(
            "  deadline     {} {}: acknowledge within {}, reply within {}\n",
            str(d, "/kind"),
            str(d, "/precedence"),
            ms(&d["acknowledge_ms"]),
            ms(&d["reply_ms"])
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use detente_proto::agreement::responsiveness::{Period, RowKey};
    use serde_json::json;

    use super::*;

    #[test]
    fn a_held_log_says_why_and_what_recovery_found() {
        let status = json!({
            "origin": "detente.RU/log/v1", "size": 3, "witnessed": false,
            "cosignatures": [], "witnessing": [], "alarms": [], "expiring_cards": [],
            "held": {
                "reason": "behind",
                "detail": "the stored log has 3 entries, but US holds a checkpoint of size 53",
                "recovery": "no peer holds entries 3 to 52 of this log (asked: US)"
            }
        });
        let text = log_status(&status);
        assert!(
            text.contains("HELD         BEHIND: the stored log has 3 entries"),
            "{text}"
        );
        assert!(
            text.contains("RECOVERY     no peer holds entries 3 to 52 of this log (asked: US)\n"),
            "{text}"
        );
        let mut open = status.clone();
        open["held"] = serde_json::Value::Null;
        let text = log_status(&open);
        assert!(
            !text.contains("HELD") && !text.contains("RECOVERY"),
            "{text}"
        );
    }

    fn row(direction: Direction, kind: &str, exercise: bool, figures: [u64; 6]) -> Row {
        let [messages, with_deadline, in_time, late, unanswered, pending] = figures;
        Row {
            key: RowKey {
                counterparty: "US".parse().unwrap(),
                direction,
                tier: "technical".parse().unwrap(),
                kind: kind.parse().unwrap(),
                exercise,
            },
            figures: Figures {
                messages,
                with_deadline,
                in_time,
                late,
                unanswered,
                pending,
            },
        }
    }

    fn stats(rows: Vec<Row>) -> Stats {
        Stats {
            party: "RU".parse().unwrap(),
            period: "2026-Q4".parse().unwrap(),
            as_of: "2026-11-29T07:05:10.447Z".parse().unwrap(),
            rows,
        }
    }

    /// The line of `table` that starts (after indentation) with `label`.
    fn line_of<'a>(table: &'a str, label: &str) -> &'a str {
        table
            .lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no line {label:?} in:\n{table}"))
    }

    /// The six figures at the end of a line.
    fn figures_of(line: &str) -> Vec<u64> {
        let words: Vec<&str> = line.split_whitespace().collect();
        words[words.len() - 6..]
            .iter()
            .map(|w| w.parse().unwrap())
            .collect()
    }

    #[test]
    fn stats_table_counts_exercise_apart_and_gives_the_checks_share() {
        let table = stats_table(&stats(vec![
            row(Direction::Sent, "notification", false, [3, 2, 1, 1, 0, 0]),
            row(Direction::Sent, "ping", false, [3, 3, 2, 0, 0, 1]),
            row(Direction::Sent, "notification", true, [5, 5, 0, 0, 5, 0]),
            row(Direction::Sent, "ping", true, [4, 4, 0, 0, 4, 0]),
            row(
                Direction::Received,
                "acknowledgement",
                false,
                [2, 0, 0, 0, 0, 0],
            ),
        ]));
        assert!(
            table.starts_with(
                "Figures of RU, 2026-10-01 to 2027-01-01, as of 2026-11-29T07:05:10.447Z\n"
            ),
            "{table}"
        );
        assert!(table.contains("\nWith US "), "{table}");
        // The exercise rows have their own section, after the real ones…
        let sent = table.find("\n  sent\n").expect("a sent section");
        let received = table.find("\n  received\n").expect("a received section");
        let exercise = table
            .find("\n  sent, exercise (counted apart)\n")
            .expect("an exercise section");
        assert!(sent < received && received < exercise, "{table}");
        let real = &table[sent..exercise];
        assert_eq!(real.matches("notification").count(), 1, "{table}");
        assert_eq!(table.matches("notification").count(), 2, "{table}");
        // …and their own totals; the real totals leave them out.
        assert_eq!(
            figures_of(line_of(&table, "total sent ")),
            [6, 5, 3, 1, 0, 1]
        );
        assert_eq!(
            figures_of(line_of(&table, "total sent, exercise")),
            [9, 9, 0, 0, 9, 0]
        );
        assert_eq!(
            figures_of(line_of(&table, "total received ")),
            [2, 0, 0, 0, 0, 0]
        );
        assert!(!table.contains("received, exercise"), "{table}");
        assert_eq!(
            figures_of(line_of(&table, "technical    ping")),
            [3, 3, 2, 0, 0, 1]
        );
        // The checks: real pings only, 2 in time of 3 started, rounded down.
        assert!(
            table.contains(
                "communication checks answered in time: 2 of 3 (66%, 1 pending), RU's checks answered by US\n"
            ),
            "{table}"
        );
        assert!(
            table.contains(
                "communication checks answered in time: 0 of 0 (none due), US's checks answered by RU\n"
            ),
            "{table}"
        );
    }

    #[test]
    fn stats_table_without_checks_or_messages_divides_by_nothing() {
        let table = stats_table(&stats(vec![row(
            Direction::Received,
            "notification",
            false,
            [1, 1, 0, 0, 1, 0],
        )]));
        assert_eq!(
            table
                .matches("communication checks answered in time: 0 of 0 (none due)")
                .count(),
            2,
            "{table}"
        );
        assert_eq!(
            figures_of(line_of(&table, "total sent ")),
            [0, 0, 0, 0, 0, 0]
        );
        let empty = stats_table(&stats(Vec::new()));
        assert!(empty.ends_with("No messages in this period.\n"), "{empty}");
    }

    #[test]
    fn stats_table_prints_exact_instants_that_are_not_midnight() {
        let mut s = stats(Vec::new());
        s.period = Period::between("2026-10-01T06:30:00Z", "2026-10-02").unwrap();
        let table = stats_table(&s);
        assert!(
            table.starts_with("Figures of RU, 2026-10-01T06:30:00.000Z to 2026-10-03, "),
            "{table}"
        );
    }

    #[test]
    fn deadlines_one_line_each_in_show() {
        let message = json!({
            "id": "0193a1b2-0000-7000-8000-000000000001",
            "deadlines": [
                {"deadline": "acknowledge", "started_at": "2026-11-29T06:05:10.447Z",
                 "due_at": "2026-11-29T07:05:10.447Z", "state": "late",
                 "answered_by": "0193a1b2-0000-7000-8000-000000000002",
                 "answered_at": "2026-11-29T07:15:10.447Z", "late_by": "10m 0s",
                 "escalated_to": ["operational"]},
                {"deadline": "reply", "started_at": "2026-11-29T06:05:10.447Z",
                 "due_at": "2026-11-30T06:05:10.447Z", "state": "pending", "escalated_to": []},
                {"deadline": "check", "started_at": "2026-11-29T06:05:10.447Z",
                 "due_at": "2026-11-29T08:05:10.447Z", "state": "missed",
                 "escalated_to": ["operational", "leadership"]},
            ]
        });
        let lines = deadline_lines(&message);
        assert_eq!(
            lines,
            "acknowledge  due 2026-11-29T07:05:10.447Z  LATE by 10m 0s (answered by 0193a1b2-0000-7000-8000-000000000002)  escalated to operational\n\
             reply        due 2026-11-30T06:05:10.447Z  pending\n\
             check        due 2026-11-29T08:05:10.447Z  MISSED  escalated to operational, leadership\n"
        );
        let detail = message_detail(&message);
        assert!(
            detail.contains("\ndeadlines     acknowledge  due "),
            "{detail}"
        );
        assert!(
            detail.contains("\n              reply        due "),
            "{detail}"
        );
        assert!(!message_detail(&json!({"deadlines": []})).contains("deadlines"));
    }
}
