//! What an agreement in force decides for one message (docs/protocol.md,
//! "Agreements" and "Deadlines and escalation"): whether it may be sent, which
//! deadlines it starts, and who hears about a miss and when. Pure.

use chrono::TimeDelta;
use thiserror::Error;

use super::document::Agreement;
use crate::ids::{PartyCode, Tier};
use crate::kind::{MessageKind, Precedence};

/// Why the agreement does not allow a message. Each names the rule.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum Refusal {
    /// The sender or recipient is not a party to the agreement.
    #[error("{party} is not a party to agreement {agreement} (parties: {parties})")]
    NotAParty {
        /// `<id>@<version>`.
        agreement: String,
        /// The party.
        party: PartyCode,
        /// Who is.
        parties: String,
    },
    /// A tier the agreement does not put in use.
    #[error("agreement {agreement} does not use tier {tier} (tiers in use: {in_use})")]
    TierNotInUse {
        /// `<id>@<version>`.
        agreement: String,
        /// The tier.
        tier: Tier,
        /// The tiers in use.
        in_use: String,
    },
    /// The sending tier may not send this kind.
    #[error("agreement {agreement}: tier {tier} may not send {kind} (it may send: {allowed})")]
    KindNotAllowed {
        /// `<id>@<version>`.
        agreement: String,
        /// The sending tier.
        tier: Tier,
        /// The kind.
        kind: MessageKind,
        /// What it may send.
        allowed: String,
    },
    /// Exercise traffic when the agreement allows none.
    #[error("agreement {agreement} does not allow exercise traffic")]
    ExercisesNotAllowed {
        /// `<id>@<version>`.
        agreement: String,
    },
}

/// The deadlines a message starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// Acknowledge within.
    pub acknowledge: TimeDelta,
    /// Reply within, if set.
    pub reply: Option<TimeDelta>,
}

fn millis(ms: u64) -> TimeDelta {
    TimeDelta::milliseconds(i64::try_from(ms).unwrap_or(i64::MAX))
}

impl Agreement {
    /// Whether a message from `from` at `from_tier` to `to` at `to_tier`,
    /// of `kind`, is allowed.
    pub fn allows(
        &self,
        from: (&PartyCode, Tier),
        to: (&PartyCode, Tier),
        kind: MessageKind,
        exercise: bool,
    ) -> Result<(), Refusal> {
        let agreement = self.reference().to_string();
        for party in [from.0, to.0] {
            if !self.parties.contains(party) {
                return Err(Refusal::NotAParty {
                    agreement,
                    party: party.clone(),
                    parties: join(self.parties.iter()),
                });
            }
        }
        for tier in [from.1, to.1] {
            if !self.tiers.contains_key(&tier) {
                return Err(Refusal::TierNotInUse {
                    agreement,
                    tier,
                    in_use: join(self.tiers.keys()),
                });
            }
        }
        let rules = &self.tiers[&from.1];
        if kind.needs_tier_permission() && !rules.may_send.contains(&kind) {
            return Err(Refusal::KindNotAllowed {
                agreement,
                tier: from.1,
                kind,
                allowed: join(rules.may_send.iter()),
            });
        }
        if exercise && !self.exercises.allowed {
            return Err(Refusal::ExercisesNotAllowed { agreement });
        }
        Ok(())
    }

    /// The deadlines a message of `kind` at `precedence` starts, if any.
    pub fn deadlines_for(&self, kind: MessageKind, precedence: Precedence) -> Option<Deadlines> {
        self.deadlines
            .iter()
            .find(|d| d.kind == kind && d.precedence == precedence)
            .map(|d| Deadlines {
                acknowledge: millis(d.acknowledge_ms),
                reply: d.reply_ms.map(millis),
            })
    }

    /// The escalation ladder from `tier` up: for each rung, how long after
    /// the original message (its delivery; see
    /// [`super::responsiveness::rungs`]) it fires, and the tier that hears
    /// of it.
    pub fn ladder_from(&self, tier: Tier) -> Vec<(TimeDelta, Tier)> {
        let mut rungs = Vec::new();
        let mut at = tier;
        // check() guarantees no loop; the bound is for unchecked values.
        while let Some(step) = self.escalation.iter().find(|s| s.from == at) {
            if rungs.len() > self.escalation.len() {
                break;
            }
            rungs.push((millis(step.after_ms), step.to));
            at = step.to;
        }
        rungs
    }
}

fn join<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    items.map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
}
