//! The console's pages: askama templates (`templates/console/`), filled
//! from the same views the officer API answers with.

use askama::Template;
use detente_proto::ids::{PartyCode, Tier};
use detente_proto::kind::{MessageKind, Precedence, Tlp};

use super::compose::Offer;
use super::i18n::{Lang, Tr};
use super::sign_in::Session;
use crate::api::views::MessageView;
use crate::node::Node;
use crate::responsiveness::DeadlineView;

/// What every page shows around its content: who is signed in, the
/// language switch, the CSRF token for its forms.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// Translations into the page's language.
    pub t: Tr,
    /// This node's party.
    pub party: String,
    /// The node's time when the page was made (RFC 3339): countdowns
    /// count on the node's clock, not the browser's.
    pub now: String,
    /// The officer signed in, if any.
    pub officer: Option<OfficerChrome>,
    /// The CSRF token for the page's forms (empty before sign-in).
    pub csrf: String,
    /// This page's path, to come back to after switching language.
    pub back: String,
    /// The languages offered.
    pub languages: Vec<LanguageOption>,
    /// The console's sections, for its navigation.
    pub sections: Vec<Section>,
}

/// One section of the console, in its navigation.
#[derive(Debug, Clone)]
pub struct Section {
    /// Where it is.
    pub href: &'static str,
    /// Its name, in the page's language.
    pub label: String,
    /// Whether the page is in it.
    pub current: bool,
}

/// The console's sections: path and the key of its name.
pub const SECTIONS: [(&str, &str); 8] = [
    ("/console/inbox", "nav-inbox"),
    ("/console/alerts", "nav-alerts"),
    ("/console/compose", "nav-compose"),
    ("/console/deadlines", "nav-deadlines"),
    ("/console/commitments", "nav-commitments"),
    ("/console/log", "nav-log"),
    ("/console/responsiveness", "nav-responsiveness"),
    ("/console/drafts", "nav-drafts"),
];

/// The officer, as the header names them.
#[derive(Debug, Clone)]
pub struct OfficerChrome {
    /// Their name.
    pub name: String,
    /// Their tiers, in the page's language.
    pub tiers: String,
}

/// One language of the switch.
#[derive(Debug, Clone)]
pub struct LanguageOption {
    /// Its tag.
    pub tag: &'static str,
    /// Its name, in itself.
    pub name: String,
    /// Whether it is the page's.
    pub selected: bool,
}

impl Chrome {
    /// The chrome of a page of `node` at `back` in `lang`, for `session`'s
    /// officer if signed in.
    pub fn new(lang: Lang, node: &Node, session: Option<&Session>, back: &str) -> Self {
        let t = Tr { lang };
        Self {
            t,
            party: node.party().to_string(),
            now: node.now().to_string(),
            officer: session.map(|session| OfficerChrome {
                name: session.officer.name.to_string(),
                tiers: t.tiers(&session.officer.tiers),
            }),
            csrf: session.map(|s| s.csrf.clone()).unwrap_or_default(),
            sections: SECTIONS
                .into_iter()
                .map(|(href, key)| Section {
                    href,
                    label: t.t(key),
                    current: back.starts_with(href),
                })
                .collect(),
            back: back.to_owned(),
            languages: Lang::ALL
                .into_iter()
                .map(|option| LanguageOption {
                    tag: option.tag(),
                    name: t.t(&format!("language-{}", option.tag())),
                    selected: option == lang,
                })
                .collect(),
        }
    }
}

/// This node's peers, in order: the parties a page may write to or show.
pub fn peer_parties(node: &Node) -> Vec<PartyCode> {
    let mut peers: Vec<PartyCode> = node
        .peers()
        .all()
        .iter()
        .map(|p| p.party().clone())
        .collect();
    peers.sort();
    peers
}

/// One option of a `<select>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// Its value.
    pub value: String,
    /// Its label, in the page's language.
    pub label: String,
    /// Whether it is selected.
    pub selected: bool,
}

impl Choice {
    /// The options `values` labelled by `label`, with `chosen` selected.
    pub fn list<T: PartialEq + Copy>(
        values: impl IntoIterator<Item = T>,
        chosen: Option<T>,
        value: impl Fn(T) -> String,
        label: impl Fn(T) -> String,
    ) -> Vec<Choice> {
        values
            .into_iter()
            .map(|item| Choice {
                value: value(item),
                label: label(item),
                selected: Some(item) == chosen,
            })
            .collect()
    }
}

/// How a message a form writes is addressed and marked: the tiers to
/// speak for and to address (as the offer allows), the precedence, the TLP
/// and exercise traffic. The compose form and a draft's send form share it
/// (`templates/console/addressing.html`).
#[derive(Debug, Clone, Default)]
pub struct Addressing {
    /// Tiers to speak for.
    pub from_tiers: Vec<Choice>,
    /// Tiers to address.
    pub to_tiers: Vec<Choice>,
    /// Precedences.
    pub precedences: Vec<Choice>,
    /// TLP markings.
    pub tlps: Vec<Choice>,
    /// Whether exercise traffic may be sent.
    pub exercises: bool,
    /// Whether the exercise box is ticked.
    pub exercise: bool,
}

/// What was chosen for an [`Addressing`].
#[derive(Debug, Clone, Copy)]
pub struct Addressed {
    /// The tier spoken for.
    pub from_tier: Option<Tier>,
    /// The tier addressed.
    pub to_tier: Option<Tier>,
    /// The precedence.
    pub precedence: Precedence,
    /// The TLP.
    pub tlp: Tlp,
    /// Exercise traffic.
    pub exercise: bool,
}

impl Addressing {
    /// The choices `offer` allows, with `chosen` selected, in `t`'s language.
    pub fn of(offer: &Offer, chosen: Addressed, t: &Tr) -> Self {
        Self {
            from_tiers: Choice::list(
                offer.from_tiers.iter().copied(),
                chosen.from_tier,
                |tier| tier.to_string(),
                |tier| t.tier(tier),
            ),
            to_tiers: Choice::list(
                offer.to_tiers.iter().copied(),
                chosen.to_tier,
                |tier| tier.to_string(),
                |tier| t.tier(tier),
            ),
            precedences: Choice::list(
                Precedence::ALL.iter().copied(),
                Some(chosen.precedence),
                |p| p.to_string(),
                |p| t.precedence(p),
            ),
            tlps: Choice::list(
                Tlp::ALL.iter().copied(),
                Some(chosen.tlp),
                |tlp| tlp.to_string(),
                |tlp| format!("TLP:{tlp}"),
            ),
            exercises: offer.exercises,
            exercise: chosen.exercise,
        }
    }
}

/// The sign-in page.
#[derive(Debug, Template)]
#[template(path = "console/sign_in.html")]
pub struct SignInPage {
    /// Around it.
    pub chrome: Chrome,
    /// A notice: why the officer is here, or what went wrong.
    pub notice: Option<String>,
    /// Whether the notice is an error.
    pub alert: bool,
    /// The name typed, kept after a wrong password.
    pub name: String,
}

/// One message in the inbox.
#[derive(Debug, Clone)]
pub struct InboxRow {
    /// Its id.
    pub id: String,
    /// Its precedence's wire name (the colour's class).
    pub precedence: &'static str,
    /// Its precedence, in words.
    pub precedence_word: String,
    /// Sent to, or received from.
    pub direction: String,
    /// The other party.
    pub counterparty: String,
    /// Its kind's wire name (for `data-kind`).
    pub kind_wire: String,
    /// Its kind, in words.
    pub kind: String,
    /// Its headline, as written.
    pub headline: String,
    /// Where it stands, in words.
    pub state: String,
    /// The same, as a class name (`overdue`, `escalated`…).
    pub state_wire: &'static str,
    /// Its TLP.
    pub tlp: String,
    /// When it was composed (RFC 3339, for `datetime`).
    pub when: String,
    /// The same, for people: `2026-12-07 03:12:48 UTC`.
    pub when_text: String,
    /// Exercise traffic.
    pub exercise: bool,
    /// Its soonest open deadline.
    pub due: Option<Due>,
}

impl InboxRow {
    /// The row of `view` with its `deadlines`, in the language of `t`.
    pub fn of(view: &MessageView, deadlines: &[DeadlineView], t: &Tr) -> Self {
        let precedence = view.precedence.parse::<Precedence>().ok();
        let escalated = deadlines.iter().any(|d| !d.escalated_to.is_empty());
        let missed = deadlines.iter().any(|d| d.state == "missed");
        let state_key = match (view.state.as_str(), view.acknowledged_by.is_some()) {
            (_, true) => "state-acknowledged",
            _ if escalated => "state-escalated",
            _ if missed => "state-overdue",
            ("queued", _) => "state-queued",
            ("delivered", _) => "state-delivered",
            _ => "state-received",
        };
        let due = deadlines
            .iter()
            .filter(|d| d.state == "pending")
            .min_by(|a, b| a.due_at.cmp(&b.due_at))
            .map(|d| Due {
                at: d.due_at.clone(),
                at_text: readable_time(&d.due_at),
                what: t.t(&format!("deadline-{}", d.deadline)),
            });
        Self {
            id: view.id.clone(),
            precedence: precedence.map_or("routine", |p| p.as_str()),
            precedence_word: precedence
                .map_or_else(|| view.precedence.clone(), |p| t.precedence(p)),
            direction: t.t(if view.direction == "sent" {
                "direction-sent"
            } else {
                "direction-received"
            }),
            counterparty: view.counterparty.clone(),
            kind_wire: view.kind.clone(),
            kind: view
                .kind
                .parse::<MessageKind>()
                .map_or_else(|_| view.kind.clone(), |kind| t.kind(kind)),
            headline: view.headline.clone(),
            state: t.t(state_key),
            state_wire: state_key.trim_start_matches("state-"),
            tlp: view.tlp.clone(),
            when: view.created_at.clone(),
            when_text: readable_time(&view.created_at),
            exercise: view.exercise,
            due,
        }
    }

    /// Inbox order: open deadlines first, the soonest due first; then the
    /// rest as listed (newest first).
    pub fn sort(rows: &mut [InboxRow]) {
        rows.sort_by(|a, b| match (&a.due, &b.due) {
            (Some(a), Some(b)) => a.at.cmp(&b.at),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
    }
}

/// An open deadline, as the inbox counts it down.
#[derive(Debug, Clone)]
pub struct Due {
    /// When it falls due (RFC 3339, for `datetime` and the countdown).
    pub at: String,
    /// The same, for people.
    pub at_text: String,
    /// What is due, in words.
    pub what: String,
}

/// One message, its proof, deadlines, and what the officer can do with it.
#[derive(Debug, Template)]
#[template(path = "console/thread.html")]
pub struct ThreadPage {
    /// Around it.
    pub chrome: Chrome,
    /// The message, as the inbox shows it.
    pub row: InboxRow,
    /// Its sender: party and tier.
    pub from: String,
    /// Its recipient: party and tier.
    pub to: String,
    /// Its text (the body's `summary`), as written.
    pub summary: Option<String>,
    /// The proof behind its state, one line each.
    pub proof: Vec<String>,
    /// Its deadlines, one line each.
    pub deadlines: Vec<String>,
    /// Whether the officer can acknowledge it here.
    pub can_acknowledge: bool,
    /// Whether the officer can answer it with a reply.
    pub can_reply: bool,
    /// Its acknowledgement, in words.
    pub acknowledged: Option<String>,
    /// Why an acknowledgement just asked for was refused.
    pub refused: Option<String>,
    /// The whole thread, oldest first, this message among them.
    pub thread: Vec<InboxRow>,
}

impl ThreadPage {
    /// The page of `view` (with `deadlines` and the body's `summary`).
    pub fn of(
        chrome: Chrome,
        view: &MessageView,
        deadlines: &[DeadlineView],
        summary: Option<String>,
        witnesses: &[String],
        thread: &[(MessageView, Vec<DeadlineView>)],
    ) -> Self {
        let t = chrome.t;
        let endpoint = |party: &str, tier: &str| {
            let tier = tier
                .parse()
                .map_or_else(|_| tier.to_owned(), |tier| t.tier(tier));
            t.ta("tier-of-party", &[("party", party), ("tier", &tier)])
        };
        let mut proof = Vec::new();
        match &view.receipt {
            Some(receipt) if receipt.verified => {
                proof.push(t.ta("proof-receipt-verified", &[("party", &receipt.signed_by)]))
            }
            Some(receipt) => proof.push(t.ta(
                "proof-receipt-unverified",
                &[
                    ("party", &receipt.signed_by),
                    ("problem", receipt.problem.as_deref().unwrap_or("")),
                ],
            )),
            None => proof.push(t.t("proof-no-receipt")),
        }
        if let Some(receipt) = &view.receipt {
            if let Some(at) = &receipt.received_at {
                proof.push(t.ta("proof-received-at", &[("at", &readable_time(at))]));
            }
            if let Some(logged) = &receipt.logged_at {
                proof.push(t.ta(
                    "proof-logged",
                    &[
                        ("index", &logged.index.to_string()),
                        ("origin", &logged.origin),
                        ("size", &logged.checkpoint_size.to_string()),
                    ],
                ));
            }
        }
        if let Some(index) = view.log_index {
            proof.push(t.ta("proof-our-log", &[("index", &index.to_string())]));
            proof.push(if witnesses.is_empty() {
                t.t("proof-not-witnessed")
            } else {
                t.t1("proof-witnessed", "witnesses", &witnesses.join(", "))
            });
        }
        if let Some(delivery) = &view.delivery {
            proof.push(t.ta(
                "proof-delivery",
                &[
                    ("attempts", &delivery.attempts.to_string()),
                    ("error", delivery.last_error.as_deref().unwrap_or("—")),
                ],
            ));
        }
        let row = InboxRow::of(view, deadlines, &t);
        let deadlines = deadlines
            .iter()
            .map(|deadline| DeadlineWords::of(deadline, &t).line())
            .collect();
        let acknowledged = view.acknowledged_by.as_ref().map(|ack| {
            t.ta(
                "ack-done",
                &[("id", &ack.id), ("at", &readable_time(&ack.at))],
            )
        });
        Self {
            row,
            from: endpoint(&view.from.party, &view.from.tier),
            to: endpoint(&view.to.party, &view.to.tier),
            summary,
            proof,
            deadlines,
            can_acknowledge: view.direction == "received"
                && view.acknowledged_by.is_none()
                && view.kind != MessageKind::Acknowledgement.as_str(),
            can_reply: view.direction == "received",
            acknowledged,
            refused: None,
            thread: thread
                .iter()
                .map(|(view, deadlines)| InboxRow::of(view, deadlines, &t))
                .collect(),
            chrome,
        }
    }
}

/// One deadline, in words.
#[derive(Debug, Clone)]
pub struct DeadlineWords {
    /// What is due.
    pub what: String,
    /// When: `due 2026-12-07 04:12:48 UTC`.
    pub due: String,
    /// When, as RFC 3339 (for `datetime`).
    pub due_at: String,
    /// How it stands.
    pub state: String,
    /// `pending`, `in-time`, `late` or `missed` (a class name).
    pub state_wire: &'static str,
    /// The tiers it was escalated to, if any.
    pub escalated: Option<String>,
}

impl DeadlineWords {
    /// `deadline`, in the language of `t`.
    pub fn of(deadline: &DeadlineView, t: &Tr) -> Self {
        let state = match deadline.state {
            "late" => {
                let late = match (
                    instant(&deadline.due_at),
                    deadline.answered_at.as_deref().and_then(instant),
                ) {
                    (Some(due), Some(answered)) => t.duration(answered - due),
                    _ => deadline.late_by.clone().unwrap_or_default(),
                };
                t.t1("deadline-late", "by", &late)
            }
            other => t.t(&format!("deadline-{other}")),
        };
        let escalated = (!deadline.escalated_to.is_empty()).then(|| {
            let tiers: Vec<String> = deadline
                .escalated_to
                .iter()
                .map(|tier| {
                    tier.parse()
                        .map_or_else(|_| tier.clone(), |tier| t.tier(tier))
                })
                .collect();
            t.ta("deadline-escalated", &[("tiers", &tiers.join(", "))])
        });
        Self {
            what: t.t(&format!("deadline-{}", deadline.deadline)),
            due: t.ta("deadline-due", &[("at", &readable_time(&deadline.due_at))]),
            due_at: deadline.due_at.clone(),
            state,
            state_wire: deadline.state,
            escalated,
        }
    }

    /// All of it, in one line.
    pub fn line(&self) -> String {
        let mut line = format!("{}, {}: {}", self.what, self.due, self.state);
        if let Some(escalated) = &self.escalated {
            line.push_str("; ");
            line.push_str(escalated);
        }
        line
    }
}

/// An RFC 3339 time.
fn instant(rfc3339: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::parse_from_rfc3339(rfc3339).ok()
}

/// An RFC 3339 UTC time (`2026-12-07T03:12:48.125Z`) as people read it
/// (`2026-12-07 03:12:48 UTC`); anything else as given.
pub(super) fn readable_time(rfc3339: &str) -> String {
    match rfc3339.split_once('T') {
        Some((date, time)) if time.ends_with('Z') => {
            let time = time.trim_end_matches('Z');
            let seconds = time.split('.').next().unwrap_or(time);
            format!("{date} {seconds} UTC")
        }
        _ => rfc3339.to_owned(),
    }
}

/// One inbox row alone, as it is sent live to an open inbox.
#[derive(Debug, Template)]
#[template(path = "console/inbox_row.html")]
pub struct InboxRowFragment {
    /// Translations.
    pub t: Tr,
    /// The row.
    pub row: InboxRow,
}

/// The inbox.
#[derive(Debug, Template)]
#[template(path = "console/inbox.html")]
pub struct InboxPage {
    /// Around it.
    pub chrome: Chrome,
    /// The messages, newest first.
    pub rows: Vec<InboxRow>,
    /// Whether any of them is exercise traffic.
    pub any_exercise: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_people_write_them() {
        assert_eq!(
            readable_time("2026-12-07T03:12:48.125Z"),
            "2026-12-07 03:12:48 UTC"
        );
        assert_eq!(
            readable_time("2026-12-07T03:12:48Z"),
            "2026-12-07 03:12:48 UTC"
        );
        assert_eq!(readable_time("yesterday"), "yesterday");
    }
}
