//! Claims about answers (docs/evidence.md, "Answers and deadlines").
//!
//! A message sent under an agreement the bundle proves in force is judged
//! by that agreement, with the rules every node applies
//! ([`detente_proto::agreement::responsiveness`]): one claim per deadline it
//! started (`ack-deadline`, `reply-deadline`, `check-deadline`), the clock
//! starting at the recipient's receipt and an answer counting from the
//! asker's receipt for it, as the bundle stood when exported.
//!
//! Any other message that calls for an answer gets the claim it always had
//! (`acknowledged`, `answered`): whether the answer is in the bundle, and,
//! with the auditor's `--ack-within`, whether it came in time — by the same
//! rules of delivery.

use std::collections::HashMap;

use chrono::TimeDelta;
use detente_proto::agreement::Agreement;
use detente_proto::agreement::responsiveness::{Due, Fact, Outcome, deadlines, meets, outcome};
use detente_proto::body::DeadlineKind;
use detente_proto::envelope::AgreementRef;
use detente_proto::ids::MessageId;
use detente_proto::time::{Timestamp, human_duration};

use super::agreements::{Agreements, Standing};
use super::claim;
use crate::report::{Claim, Verdict};

/// The claim name and what meets a deadline of `kind`.
fn deadline_words(kind: DeadlineKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        DeadlineKind::Acknowledge => ("ack-deadline", "acknowledged", "acknowledgement or reply"),
        DeadlineKind::Reply => ("reply-deadline", "replied to", "reply"),
        DeadlineKind::Check => ("check-deadline", "answered", "pong"),
    }
}

/// The moment deadlines are judged at: when the bundle says it was
/// exported, or the latest time signed in it if that is later — so that no
/// answer the bundle holds is left out by an `exported_at` set too early
/// (it is unauthenticated).
struct AsOf {
    at: Timestamp,
    exported_at: Timestamp,
}

impl AsOf {
    fn new(exported_at: Timestamp, facts: &[Fact]) -> Self {
        AsOf {
            at: super::judging_moment(exported_at, facts),
            exported_at,
        }
    }

    fn words(&self) -> String {
        if self.at == self.exported_at {
            format!("when the bundle was exported at {}", self.at)
        } else {
            format!(
                "by {}, the latest time signed in the bundle (which says it was exported at {})",
                self.at, self.exported_at
            )
        }
    }
}

/// The claims on answers over `facts` (the messages whose signature
/// verified), as the bundle stood when exported.
pub(crate) fn claims(
    facts: &[Fact],
    agreements: &Agreements,
    ack_within: Option<TimeDelta>,
    exported_at: Timestamp,
) -> Vec<Claim> {
    let as_of = AsOf::new(exported_at, facts);
    let mut answers: HashMap<&MessageId, Vec<&Fact>> = HashMap::new();
    for fact in facts {
        if let Some(asked) = &fact.in_reply_to {
            answers.entry(asked).or_default().push(fact);
        }
    }
    let mut claims = Vec::new();
    for asked in facts {
        let replies = answers
            .get(&asked.id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let subject = format!("message {}", asked.id);
        let Some(reference) = &asked.agreement else {
            claims.extend(acknowledged(&subject, asked, replies, ack_within, None));
            continue;
        };
        let Some(agreement) = agreements.in_force(reference) else {
            let note = match agreements.standing(reference) {
                None => format!("agreement {reference} is not in the bundle"),
                Some(Standing::Broken) => format!("agreement {reference} in the bundle is BROKEN"),
                Some(_) => format!("the bundle does not prove agreement {reference} in force"),
            };
            claims.extend(acknowledged(
                &subject,
                asked,
                replies,
                ack_within,
                Some(format!("{note}, so its deadlines are not applied")),
            ));
            continue;
        };
        let judged = judge(agreement, reference, asked, replies, &as_of);
        if judged.is_empty() {
            let note = format!(
                "agreement {reference} sets no deadline for a {} {}",
                asked.precedence, asked.kind
            );
            // Nothing is owed: an answer is reported, its absence is no gap.
            claims.extend(
                acknowledged(&subject, asked, replies, None, Some(note))
                    .filter(|c| c.verdict != Verdict::Unproven),
            );
        }
        claims.extend(
            judged
                .into_iter()
                .map(|(what, verdict, detail)| claim(subject.clone(), what, verdict, detail)),
        );
    }
    claims
}

/// One verdict per deadline `agreement` sets `asked`.
fn judge(
    agreement: &Agreement,
    reference: &AgreementRef,
    asked: &Fact,
    replies: &[&Fact],
    as_of: &AsOf,
) -> Vec<(&'static str, Verdict, String)> {
    let (asker, answerer) = (&asked.from.0, &asked.to.0);
    if asked.delivered_at.is_none() {
        // Which deadlines it would have started: none has, undelivered.
        let assumed = Fact {
            delivered_at: Some(asked.created_at),
            ..asked.clone()
        };
        return deadlines(agreement, &assumed)
            .into_iter()
            .map(|due| {
                let (what, _, _) = deadline_words(due.kind);
                let detail = format!(
                    "not started: agreement {reference} sets {} from delivery, and the bundle has no verified receipt showing that {answerer} received it",
                    human_duration(due.due_at.since(due.started_at))
                );
                (what, Verdict::Unproven, detail)
            })
            .collect();
    }
    deadlines(agreement, asked)
        .into_iter()
        .map(|due| {
            let (what, verb, expected) = deadline_words(due.kind);
            let terms = format!(
                "deadline {}, due at {}, agreement {reference}",
                human_duration(due.due_at.since(due.started_at)),
                due.due_at
            );
            let found = |id: &MessageId| replies.iter().find(|r| &r.id == id).map(|r| r.kind);
            let answered = |answer: &MessageId, at: Timestamp| {
                format!(
                    "{answerer} {verb} it with {} {answer}, which reached {asker} at {at}, {} after {answerer} received it at {}",
                    found(answer).map_or("a message".to_owned(), |k| k.to_string()),
                    human_duration(at.since(due.started_at)),
                    due.started_at
                )
            };
            match outcome(&due, asked, replies.iter().copied(), as_of.at) {
                Outcome::InTime { answer, at } => (
                    what,
                    Verdict::Proven,
                    format!("IN TIME: {} ({terms})", answered(&answer, at)),
                ),
                Outcome::Late { answer, at } => (
                    what,
                    Verdict::Proven,
                    format!(
                        "LATE by {}: {} ({terms})",
                        human_duration(at.since(due.due_at)),
                        answered(&answer, at)
                    ),
                ),
                Outcome::Missed => (
                    what,
                    Verdict::Proven,
                    format!(
                        "MISSED: no {expected} from {answerer} had reached {asker} {} ({terms}; {answerer} received it at {}){}",
                        as_of.words(),
                        due.started_at,
                        unreached(&due, asked, replies)
                    ),
                ),
                // The state of the deadline is what is proven: still open.
                Outcome::Pending => (
                    what,
                    Verdict::Proven,
                    format!(
                        "PENDING: due at {}, and no {expected} from {answerer} had reached {asker} {} ({terms}){}",
                        due.due_at,
                        as_of.words(),
                        unreached(&due, asked, replies)
                    ),
                ),
            }
        })
        .collect()
}

/// Answers in the bundle that would meet `due` but do not count, not having
/// been delivered (the judging moment is after every delivery it holds).
fn unreached(due: &Due, asked: &Fact, replies: &[&Fact]) -> String {
    replies
        .iter()
        .filter(|r| meets(due.kind, asked, r) && r.delivered_at.is_none())
        .map(|r| {
            format!(
                "; {} {} was written at {}, but the bundle has no receipt showing it reached {}",
                r.kind, r.id, r.created_at, asked.from.0
            )
        })
        .collect()
}

/// The `acknowledged` / `answered` claim of a message no agreement in the
/// bundle judges: the earliest answer and, with `ack_within`, whether it
/// came in time — from `asked`'s delivery to the answer's, as agreements
/// count it. `note` says why no agreement applies.
fn acknowledged(
    subject: &str,
    asked: &Fact,
    replies: &[&Fact],
    ack_within: Option<TimeDelta>,
    note: Option<String>,
) -> Option<Claim> {
    let (what, kind, expected) = if asked.kind.starts_check() {
        ("answered", DeadlineKind::Check, "pong")
    } else if asked.kind.expects_acknowledgement() {
        (
            "acknowledged",
            DeadlineKind::Acknowledge,
            "acknowledgement or reply",
        )
    } else {
        return None;
    };
    let answerer = &asked.to.0;
    let candidates = replies.iter().filter(|r| meets(kind, asked, r));
    let delivered = candidates
        .clone()
        .filter_map(|r| r.delivered_at.map(|at| (at, *r)))
        .min_by(|(x, a), (y, b)| x.cmp(y).then_with(|| a.id.cmp(&b.id)));
    let written = candidates.min_by(|a, b| {
        a.created_at
            .cmp(&b.created_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    let suffix = note.map(|n| format!("; {n}")).unwrap_or_default();
    let (answer, at, how) = match (delivered, written) {
        (Some((at, answer)), _) => (answer, at, "delivered"),
        (None, Some(answer)) => (*answer, answer.created_at, "written (not yet delivered)"),
        (None, None) => {
            return Some(claim(
                subject.to_owned(),
                what,
                Verdict::Unproven,
                format!("no {expected} from {answerer} in the bundle{suffix}"),
            ));
        }
    };
    let (start, from_what) = match asked.delivered_at {
        Some(delivered) => (delivered, "delivered"),
        None => (asked.created_at, "sent"),
    };
    let delay = at.since(start);
    let mut detail = format!(
        "{answerer} {what} it: {} {} {how} at {at}, {} after it was {from_what}",
        answer.kind,
        answer.id,
        human_duration(delay)
    );
    match ack_within {
        // Only a delivered answer to a delivered question is judged: the
        // clock starts when the question reached its recipient, and stops
        // when the answer reached the asker.
        Some(limit) if asked.delivered_at.is_none() => detail.push_str(&format!(
            "; not judged against the deadline ({}): it runs from delivery, and the bundle has no verified receipt showing that {answerer} received it",
            human_duration(limit)
        )),
        Some(limit) if answer.delivered_at.is_none() => detail.push_str(&format!(
            "; not judged against the deadline ({}): only an answer that reached {} counts",
            human_duration(limit),
            asked.from.0
        )),
        Some(limit) if delay <= limit => {
            detail.push_str(&format!("; IN TIME (deadline {})", human_duration(limit)));
        }
        Some(limit) => detail.push_str(&format!(
            "; LATE by {} (deadline {})",
            delay
                .checked_sub(&limit)
                .map_or_else(|| "too long to say".to_owned(), human_duration),
            human_duration(limit)
        )),
        None if suffix.is_empty() => detail.push_str("; no deadline given to judge it against"),
        None => {}
    }
    detail.push_str(&suffix);
    Some(claim(subject.to_owned(), what, Verdict::Proven, detail))
}
