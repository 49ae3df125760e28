//! Who has signed a pledge at any moment, computed from its signed
//! records alone (the rules are in the [module docs](super)).

use std::collections::BTreeMap;

use super::{Pledge, PledgeError};
use crate::ids::PartyCode;
use crate::time::Timestamp;

/// One signed record about a pledge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PledgeEvent {
    /// `by` signed the pledge's exact bytes.
    Signed {
        /// The signatory.
        by: PartyCode,
        /// The `created_at` of the `pledge-sign` message.
        at: Timestamp,
    },
    /// `by` withdrew from it.
    Withdrawn {
        /// Who withdrew.
        by: PartyCode,
        /// The `created_at` of the `pledge-withdraw` message.
        at: Timestamp,
    },
}

impl PledgeEvent {
    /// When it happened.
    pub fn at(&self) -> Timestamp {
        match self {
            PledgeEvent::Signed { at, .. } | PledgeEvent::Withdrawn { at, .. } => *at,
        }
    }
}

/// Whether a signature made at `at` falls in the pledge's window:
/// `open_from` inclusive, `open_until` exclusive.
pub fn check_signature_time(pledge: &Pledge, at: Timestamp) -> Result<(), PledgeError> {
    if at < pledge.open_from {
        return Err(PledgeError::NotYetOpen {
            pledge: pledge.reference().to_string(),
            open_from: pledge.open_from.to_string(),
            at: at.to_string(),
        });
    }
    if at >= pledge.open_until {
        return Err(PledgeError::Closed {
            pledge: pledge.reference().to_string(),
            open_until: pledge.open_until.to_string(),
            at: at.to_string(),
        });
    }
    Ok(())
}

/// The signatories of `pledge` at `t`, each with the time of the signature
/// that made it one, in the order they signed (then by party code).
pub fn signatories_at(
    pledge: &Pledge,
    events: &[PledgeEvent],
    t: Timestamp,
) -> Vec<(PartyCode, Timestamp)> {
    let mut timeline: Vec<&PledgeEvent> = events.iter().filter(|e| e.at() <= t).collect();
    // Stable: events of the same time keep the caller's order.
    timeline.sort_by_key(|e| e.at());
    let mut current: BTreeMap<&PartyCode, Timestamp> = BTreeMap::new();
    for event in timeline {
        match event {
            PledgeEvent::Signed { by, at } if check_signature_time(pledge, *at).is_ok() => {
                // Signing again while a signatory changes nothing: it has
                // been one since its first signature.
                current.entry(by).or_insert(*at);
            }
            PledgeEvent::Withdrawn { by, .. } => {
                current.remove(by);
            }
            PledgeEvent::Signed { .. } => {}
        }
    }
    let mut list: Vec<(PartyCode, Timestamp)> = current
        .into_iter()
        .map(|(party, at)| (party.clone(), at))
        .collect();
    list.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    list
}

/// Whether `by` may withdraw from `pledge` at `at`: only a current signatory.
pub fn check_withdrawal(
    pledge: &Pledge,
    events: &[PledgeEvent],
    by: &PartyCode,
    at: Timestamp,
) -> Result<(), PledgeError> {
    if signatories_at(pledge, events, at)
        .iter()
        .any(|(party, _)| party == by)
    {
        return Ok(());
    }
    Err(PledgeError::NotASignatory {
        pledge: pledge.reference().to_string(),
        party: by.to_string(),
        at: at.to_string(),
    })
}
