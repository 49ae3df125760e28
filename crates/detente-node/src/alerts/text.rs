//! What an alert says (pure). A notice leaves the hotline — it goes to a
//! mail server, a chat room, an SMS gateway — so it carries a message's
//! subject (its headline) only where the message's TLP 2.0 marking lets it
//! go beyond the recipient's own systems, and never its body:
//! [`subject_may_leave`] is that one rule. A TLP:RED or TLP:AMBER+STRICT
//! message raises an alert that says only, e.g., "a FLASH notification
//! from US is waiting".

use chrono::TimeDelta;
use detente_proto::body::DeadlineKind;
use detente_proto::ids::PartyCode;
use detente_proto::kind::{Precedence, Tlp};
use detente_proto::time::{Timestamp, human_duration};
use detente_store::{Direction, NewMessage};

/// Whether a notice may carry the subject of a message marked `tlp`
/// (FIRST TLP 2.0: CLEAR and GREEN may be shared beyond the organisation,
/// AMBER within it and with its clients, which on-call paging is; AMBER+STRICT
/// stays inside the organisation's own systems and RED with the named
/// recipients).
pub fn subject_may_leave(tlp: Tlp) -> bool {
    match tlp {
        Tlp::Clear | Tlp::Green | Tlp::Amber => true,
        Tlp::AmberStrict | Tlp::Red => false,
    }
}

/// The two texts of an alert: one line and the lines under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertText {
    /// One line: the email's subject, the chat message's first line.
    pub summary: String,
    /// The rest.
    pub detail: String,
}

/// `FLASH notification from US` / `FLASH notification to US`, with
/// `EXERCISE` first for exercise traffic.
fn naming(message: &NewMessage) -> String {
    let exercise = if message.exercise { "EXERCISE " } else { "" };
    let precedence = message.precedence.as_str().to_uppercase();
    let way = match message.direction {
        Direction::Received => "from",
        Direction::Sent => "to",
    };
    format!(
        "{exercise}{precedence} {} {way} {}",
        message.kind, message.counterparty
    )
}

/// `: <headline>` where the marking allows it, else nothing.
fn subject(message: &NewMessage) -> String {
    if subject_may_leave(message.tlp) {
        format!(": {}", one_line(&message.headline))
    } else {
        String::new()
    }
}

/// Control characters (a peer's headline could hold any) become spaces,
/// so a subject cannot add mail headers or lines.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The lines every alert about a message carries.
fn about(message: &NewMessage) -> String {
    let (tier_word, tier) = match message.direction {
        Direction::Received => ("for tier", message.to_tier),
        Direction::Sent => ("from tier", message.from_tier),
    };
    let withheld = if subject_may_leave(message.tlp) {
        ""
    } else {
        " (subject withheld: TLP marking)"
    };
    format!(
        "Message {id}, TLP:{tlp}{withheld}, {tier_word} {tier}, recorded {at}.",
        id = message.id,
        tlp = message.tlp,
        tier = tier.as_str(),
        at = message.recorded_at,
    )
}

/// An arrival: `a FLASH notification from US is waiting` (or with its
/// subject), saying why it alerts.
pub fn arrival(message: &NewMessage, loud: bool, unattended: bool) -> AlertText {
    let naming = naming(message);
    let summary = match subject(message).as_str() {
        "" => format!("a {naming} is waiting"),
        subject => format!("{naming}{subject}"),
    };
    let mut detail = about(message);
    if loud {
        detail.push_str(&format!(
            "\nIt arrived at precedence {}.",
            message.precedence.as_str().to_uppercase()
        ));
    }
    if unattended {
        detail.push_str(&format!(
            "\nNobody on tier {} is signed in to the console.",
            message.to_tier.as_str()
        ));
    }
    AlertText { summary, detail }
}

/// The words for a deadline from our side: what we must do, or what the
/// peer has not done.
fn duty(message: &NewMessage, deadline: DeadlineKind) -> String {
    let verb = match deadline {
        DeadlineKind::Acknowledge => "acknowledge",
        DeadlineKind::Reply => "reply to",
        DeadlineKind::Check => "answer",
    };
    match message.direction {
        Direction::Received => format!("we must {verb} the {}", naming(message)),
        Direction::Sent => format!(
            "{} must {verb} our {}",
            message.counterparty,
            naming(message)
        ),
    }
}

/// A deadline `share` percent gone, unanswered.
pub fn deadline_share(
    message: &NewMessage,
    deadline: DeadlineKind,
    share: u8,
    due_at: Timestamp,
    now: Timestamp,
) -> AlertText {
    AlertText {
        summary: format!(
            "{share}% of the time gone: {}{}",
            duty(message, deadline),
            subject(message)
        ),
        detail: format!(
            "Due at {due_at} (in {}).\n{}",
            human_duration(due_at.since(now)),
            about(message)
        ),
    }
}

/// A deadline missed.
pub fn deadline_missed(
    message: &NewMessage,
    deadline: DeadlineKind,
    due_at: Timestamp,
    now: Timestamp,
) -> AlertText {
    AlertText {
        summary: format!(
            "DEADLINE MISSED: {}{}",
            duty(message, deadline),
            subject(message)
        ),
        detail: format!(
            "It was due at {due_at} ({} ago).\n{}",
            human_duration(now.since(due_at)),
            about(message)
        ),
    }
}

/// An escalation received.
pub fn escalation(message: &NewMessage) -> AlertText {
    AlertText {
        summary: format!(
            "escalation from {} to tier {}{}",
            message.counterparty,
            message.to_tier.as_str(),
            subject(message)
        ),
        detail: about(message),
    }
}

/// A log alarm.
pub fn log_alarm(kind: &str, subject: &str, detail: &str, at: Timestamp) -> AlertText {
    AlertText {
        summary: format!("log alarm: {kind} concerning {}", one_line(subject)),
        detail: format!(
            "Raised at {at}: {}\nRun `detente log status` for the evidence.",
            one_line(detail)
        ),
    }
}

/// A peer unreachable with messages waiting.
pub fn peer_unreachable(
    peer: &PartyCode,
    waiting: u64,
    since: Timestamp,
    now: Timestamp,
) -> AlertText {
    AlertText {
        summary: format!(
            "{peer} unreachable for {}; {waiting} message(s) waiting",
            human_duration(now.since(since))
        ),
        detail: format!(
            "The oldest message waiting for {peer} was queued at {since}.\n\
             Check the link, and `detente inbox --box outbox --state queued` (each message shows its last error)."
        ),
    }
}

/// A party card close to its expiry.
pub fn card_expiry(
    party: &PartyCode,
    ours: bool,
    valid_until: Timestamp,
    now: Timestamp,
) -> AlertText {
    let whose = if ours {
        format!("our own card ({party})")
    } else {
        format!("the card of {party}")
    };
    let left = valid_until.since(now);
    let when = if left <= TimeDelta::zero() {
        "has expired".to_owned()
    } else {
        format!("expires in {}", human_duration(left))
    };
    AlertText {
        summary: format!("{whose} {when}"),
        detail: format!(
            "It is valid until {valid_until}. After that no message can be sealed to or \
             verified from it; renew it and hand the new card to every peer."
        ),
    }
}

/// The witness policy not met.
pub fn witness_policy(policy: &str, size: u64) -> AlertText {
    AlertText {
        summary: format!("the witness policy is not met at log size {size}"),
        detail: format!(
            "The latest checkpoint does not carry the cosignatures the policy asks for:\n{policy}\n\
             Run `detente log status`."
        ),
    }
}

/// A notice given up: its channel is failing.
pub fn channel_failing(
    channel: &str,
    alert: u64,
    contact: &str,
    attempts: u32,
    error: Option<&str>,
) -> AlertText {
    AlertText {
        summary: format!("alert channel {channel:?} is failing"),
        detail: format!(
            "The notice of alert #{alert} to {contact} was given up after {attempts} attempt(s): {}.\n\
             Check the channel's settings under [alerts.channels.{channel}].",
            one_line(error.unwrap_or("no answer"))
        ),
    }
}

/// The precedence of an alert that is not about a message.
pub fn node_precedence(cause: detente_store::AlertCause) -> Precedence {
    use detente_store::AlertCause;
    match cause {
        AlertCause::LogAlarm => Precedence::Flash,
        AlertCause::PeerUnreachable | AlertCause::ChannelFailing => Precedence::Immediate,
        AlertCause::WitnessPolicy => Precedence::Priority,
        AlertCause::CardExpiry => Precedence::Routine,
        AlertCause::Arrival
        | AlertCause::DeadlineShare
        | AlertCause::DeadlineMissed
        | AlertCause::Escalation => Precedence::Immediate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(tlp: Tlp) -> NewMessage {
        let at = Timestamp::from_unix_millis(1_780_000_000_000).expect("time");
        NewMessage {
            id: detente_proto::ids::MessageId::new_v7(at),
            direction: Direction::Received,
            counterparty: "US".parse().expect("party"),
            kind: detente_proto::kind::MessageKind::Notification,
            precedence: Precedence::Flash,
            from_tier: detente_proto::ids::Tier::Technical,
            to_tier: detente_proto::ids::Tier::Technical,
            officer: "duty".parse().expect("officer"),
            in_reply_to: None,
            created_at: at,
            exercise: false,
            tlp,
            headline: "Wiper on grid\r\nBcc: x@evil".to_owned(),
            envelope: Vec::new(),
            envelope_sha256: [0; 32],
            recorded_at: at,
            log_index: None,
        }
    }

    #[test]
    fn red_and_amber_strict_alerts_name_no_subject() {
        for tlp in [Tlp::Red, Tlp::AmberStrict] {
            let text = arrival(&message(tlp), true, false);
            assert_eq!(text.summary, "a FLASH notification from US is waiting");
            assert!(!text.detail.contains("Wiper"), "{}", text.detail);
            let share = deadline_share(
                &message(tlp),
                DeadlineKind::Acknowledge,
                50,
                message(tlp).recorded_at,
                message(tlp).recorded_at,
            );
            assert!(!share.summary.contains("Wiper"), "{}", share.summary);
        }
    }

    #[test]
    fn clear_green_and_amber_alerts_carry_the_subject_on_one_line() {
        for tlp in [Tlp::Clear, Tlp::Green, Tlp::Amber] {
            let text = arrival(&message(tlp), true, true);
            assert_eq!(
                text.summary,
                "FLASH notification from US: Wiper on grid  Bcc: x@evil"
            );
            assert!(text.detail.contains("Nobody on tier technical"));
        }
    }
}
