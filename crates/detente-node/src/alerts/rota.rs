//! Going down an on-call rota (pure): which contact a step alerts and when
//! the next step is due. Step `s` alerts contact `s mod n` of the rota's
//! `n` contacts, for `rounds × n` steps; each step gives the contact the
//! rota's time for the alert's precedence to acknowledge before the next
//! step. The last contact has that time too; then one more step, with no
//! contact, leaves the alert unanswered, and nothing more is sent.

use chrono::TimeDelta;
use detente_proto::kind::Precedence;
use detente_proto::time::Timestamp;

use super::config::{ContactConfig, RotaConfig};

/// What one step does. A step past the rota's end has no contact and no
/// next step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step<'a> {
    /// The contact to alert now, if any.
    pub contact: Option<&'a ContactConfig>,
    /// When the next step is due; `None`: this is the last.
    pub next_at: Option<Timestamp>,
}

/// Step `step` of `rota` for an alert of `precedence`, taken at `now`.
/// Contacts on channel `skip` (a failing channel, for the alert that
/// reports it) are passed over at once.
pub fn step<'a>(
    rota: Option<&'a RotaConfig>,
    step: u32,
    precedence: Precedence,
    now: Timestamp,
    skip: Option<&str>,
) -> Step<'a> {
    let done = Step {
        contact: None,
        next_at: None,
    };
    let Some(rota) = rota else {
        return done;
    };
    let n = u32::try_from(rota.contacts.len()).unwrap_or(u32::MAX);
    let total = n.saturating_mul(rota.rounds);
    if n == 0 || step >= total {
        return done;
    }
    let contact = &rota.contacts[(step % n) as usize];
    if skip == Some(contact.channel.as_str()) {
        return Step {
            contact: None,
            next_at: Some(now),
        };
    }
    let wait = TimeDelta::from_std(rota.after.of(precedence)).unwrap_or(TimeDelta::MAX);
    Step {
        contact: Some(contact),
        next_at: Some(now.plus(wait)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::config::RotaTimes;

    fn rota(rounds: u32) -> RotaConfig {
        let contact = |name: &str, channel: &str| ContactConfig {
            name: name.to_owned(),
            channel: channel.to_owned(),
            to: Some(format!("{name}@cert.example")),
        };
        RotaConfig {
            name: "technical".to_owned(),
            tiers: Vec::new(),
            after: RotaTimes::default(),
            rounds,
            contacts: vec![contact("duty-1", "mail"), contact("duty-2", "hook")],
        }
    }

    fn at(minutes: i64) -> Timestamp {
        Timestamp::from_unix_millis(1_780_000_000_000 + minutes * 60_000).expect("time")
    }

    #[test]
    fn a_flash_alert_moves_to_the_next_contact_after_five_minutes() {
        let rota = rota(1);
        let first = step(Some(&rota), 0, Precedence::Flash, at(0), None);
        assert_eq!(first.contact.map(|c| c.name.as_str()), Some("duty-1"));
        assert_eq!(first.next_at, Some(at(5)));
        let second = step(Some(&rota), 1, Precedence::Flash, at(5), None);
        assert_eq!(second.contact.map(|c| c.name.as_str()), Some("duty-2"));
        assert_eq!(
            second.next_at,
            Some(at(10)),
            "the last contact has their time too"
        );
        let past = step(Some(&rota), 2, Precedence::Flash, at(10), None);
        assert_eq!((past.contact, past.next_at), (None, None));
        let routine = step(Some(&rota), 0, Precedence::Routine, at(0), None);
        assert_eq!(routine.next_at, Some(at(60)));
    }

    #[test]
    fn rounds_repeat_the_list_and_a_failing_channel_is_passed_over() {
        let rota = rota(2);
        let third = step(Some(&rota), 2, Precedence::Flash, at(10), None);
        assert_eq!(third.contact.map(|c| c.name.as_str()), Some("duty-1"));
        let skipped = step(Some(&rota), 1, Precedence::Flash, at(5), Some("hook"));
        assert_eq!((skipped.contact, skipped.next_at), (None, Some(at(5))));
        assert_eq!(
            step(None, 0, Precedence::Flash, at(0), None),
            Step {
                contact: None,
                next_at: None
            },
            "no rota: kept, sent to nobody"
        );
    }
}
