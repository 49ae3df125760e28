//! A guarantee's status at any moment, computed from its signed records
//! alone (the rules are in the [module docs](super)).

use std::fmt;

use chrono::TimeDelta;

use super::{Guarantee, GuaranteeError, join};
use crate::ids::PartyCode;
use crate::time::Timestamp;

/// One signed record about a guarantee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuaranteeEvent {
    /// `by` signed the guarantee's exact bytes.
    Signed {
        /// The signer.
        by: PartyCode,
        /// The `created_at` of the message that carried the signature.
        at: Timestamp,
    },
    /// `by` gave notice of withdrawal.
    Withdrawn {
        /// Who withdrew.
        by: PartyCode,
        /// The `created_at` of the `guarantee-withdraw` message.
        at: Timestamp,
    },
}

impl GuaranteeEvent {
    /// When it happened.
    pub fn at(&self) -> Timestamp {
        match self {
            GuaranteeEvent::Signed { at, .. } | GuaranteeEvent::Withdrawn { at, .. } => *at,
        }
    }
}

/// Why a guarantee stopped binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LapseReason {
    /// It reached `expires`.
    Expired,
    /// `by` withdrew it (the notice period has run, or it was never
    /// concluded).
    Withdrawn {
        /// Who withdrew.
        by: PartyCode,
    },
}

/// Where a guarantee stands at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuaranteeStatus {
    /// Not every signer has signed yet.
    Proposed {
        /// Who has yet to sign, in the guarantee's order.
        missing: Vec<PartyCode>,
    },
    /// Every signer has signed, and it takes effect later.
    Concluded {
        /// When it takes effect.
        effective_from: Timestamp,
    },
    /// It binds.
    InForce {
        /// Since when: the later of its conclusion and `effective_from`.
        since: Timestamp,
    },
    /// A bound party gave notice of withdrawal; it still binds (if it took
    /// effect) until `lapses_at`.
    WithdrawalNotified {
        /// Who withdrew.
        by: PartyCode,
        /// When.
        at: Timestamp,
        /// When it stops binding: the end of the notice, or `expires`.
        lapses_at: Timestamp,
    },
    /// It no longer binds (or, withdrawn before conclusion, never did).
    Lapsed {
        /// Since when.
        at: Timestamp,
        /// Why.
        why: LapseReason,
    },
}

impl GuaranteeStatus {
    /// A one-word name for the state, for APIs and tables: `proposed`,
    /// `concluded`, `in-force`, `withdrawal-notified`, `lapsed`.
    pub fn state(&self) -> &'static str {
        match self {
            GuaranteeStatus::Proposed { .. } => "proposed",
            GuaranteeStatus::Concluded { .. } => "concluded",
            GuaranteeStatus::InForce { .. } => "in-force",
            GuaranteeStatus::WithdrawalNotified { .. } => "withdrawal-notified",
            GuaranteeStatus::Lapsed { .. } => "lapsed",
        }
    }
}

impl fmt::Display for GuaranteeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GuaranteeStatus::Proposed { missing } => {
                write!(
                    f,
                    "proposed; awaiting the signature of {}",
                    join(missing, " and ")
                )
            }
            GuaranteeStatus::Concluded { effective_from } => {
                write!(f, "concluded; takes effect at {effective_from}")
            }
            GuaranteeStatus::InForce { since } => write!(f, "in force since {since}"),
            GuaranteeStatus::WithdrawalNotified { by, at, lapses_at } => {
                write!(
                    f,
                    "withdrawal notified by {by} at {at}; lapses at {lapses_at}"
                )
            }
            GuaranteeStatus::Lapsed {
                at,
                why: LapseReason::Expired,
            } => write!(f, "lapsed at {at} (expired)"),
            GuaranteeStatus::Lapsed {
                at,
                why: LapseReason::Withdrawn { by },
            } => write!(f, "lapsed at {at} (withdrawn by {by})"),
        }
    }
}

/// The status of `guarantee` at `t`, from `events` (see the module's rules).
pub fn status_at(
    guarantee: &Guarantee,
    events: &[GuaranteeEvent],
    t: Timestamp,
) -> GuaranteeStatus {
    let signers = guarantee.signers();
    let mut timeline: Vec<&GuaranteeEvent> = events.iter().filter(|e| e.at() <= t).collect();
    // Stable: events of the same time keep the caller's order.
    timeline.sort_by_key(|e| e.at());

    let mut signed: Vec<&PartyCode> = Vec::new();
    let mut concluded_at = None;
    let mut withdrawal = None;
    for event in timeline {
        match event {
            GuaranteeEvent::Signed { by, at } if concluded_at.is_none() && signers.contains(by) => {
                if !signed.contains(&by) {
                    signed.push(by);
                }
                if signers.iter().all(|s| signed.contains(&s)) {
                    concluded_at = Some(*at);
                }
            }
            GuaranteeEvent::Withdrawn { by, at } if signers.contains(by) => {
                withdrawal = Some((by.clone(), *at));
                break;
            }
            _ => {}
        }
    }
    let expired = guarantee.expires.filter(|expires| *expires <= t);
    let expired_status = |at| GuaranteeStatus::Lapsed {
        at,
        why: LapseReason::Expired,
    };

    let Some(concluded_at) = concluded_at else {
        return match (withdrawal, expired) {
            (Some((by, at)), expires) if expires.is_none_or(|e| at < e) => {
                GuaranteeStatus::Lapsed {
                    at,
                    why: LapseReason::Withdrawn { by },
                }
            }
            (_, Some(expires)) => expired_status(expires),
            _ => GuaranteeStatus::Proposed {
                missing: signers
                    .iter()
                    .filter(|s| !signed.contains(s))
                    .cloned()
                    .collect(),
            },
        };
    };

    if let Some((by, at)) = withdrawal {
        let notice_ends = at.plus(
            TimeDelta::try_milliseconds(i64::try_from(guarantee.notice_ms).unwrap_or(i64::MAX))
                .unwrap_or(TimeDelta::MAX),
        );
        return match guarantee.expires {
            Some(expires) if expires <= notice_ends && expires <= t => expired_status(expires),
            Some(expires) if expires <= notice_ends => GuaranteeStatus::WithdrawalNotified {
                by,
                at,
                lapses_at: expires,
            },
            _ if notice_ends <= t => GuaranteeStatus::Lapsed {
                at: notice_ends,
                why: LapseReason::Withdrawn { by },
            },
            _ => GuaranteeStatus::WithdrawalNotified {
                by,
                at,
                lapses_at: notice_ends,
            },
        };
    }
    if let Some(expires) = expired {
        return expired_status(expires);
    }
    if t < guarantee.effective_from {
        return GuaranteeStatus::Concluded {
            effective_from: guarantee.effective_from,
        };
    }
    GuaranteeStatus::InForce {
        since: concluded_at.max(guarantee.effective_from),
    }
}

/// Whether `guarantee` binds at `t`: in force, or withdrawn but within its
/// notice period after it took effect.
pub fn in_force_at(guarantee: &Guarantee, events: &[GuaranteeEvent], t: Timestamp) -> bool {
    match status_at(guarantee, events, t) {
        GuaranteeStatus::InForce { .. } => true,
        GuaranteeStatus::WithdrawalNotified { .. } => t >= guarantee.effective_from,
        _ => false,
    }
}

/// Whether `by` may withdraw `guarantee`: only a party it binds (the
/// issuer; for a reciprocal guarantee either party).
pub fn check_withdrawal(guarantee: &Guarantee, by: &PartyCode) -> Result<(), GuaranteeError> {
    let bound = guarantee.bound_parties();
    if bound.contains(by) {
        return Ok(());
    }
    let why = if *by == guarantee.beneficiary {
        format!(
            "it is the beneficiary of a one-way guarantee, which binds only its issuer {}",
            guarantee.issuer
        )
    } else {
        "it is not a party to it".to_owned()
    };
    Err(GuaranteeError::MayNotWithdraw {
        guarantee: guarantee.id.to_string(),
        by: by.to_string(),
        why,
        may: join(&bound, " or "),
    })
}
