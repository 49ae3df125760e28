//! The agreement as signed: RFC 8785 canonical JSON of [`Agreement`].

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::AgreementError;
use crate::canonical::to_canonical_bytes;
use crate::envelope::AgreementRef;
use crate::ids::{DocumentId, PartyCode, Tier};
use crate::kind::{MessageKind, Precedence, Tlp};
use crate::language::{is_language_tag, not_a_language_tag};

/// The longest clock skew an agreement may allow: one day.
pub const MAX_CLOCK_SKEW_MS: u64 = 24 * 3_600_000;

/// The longest deadline or interval: ten years, so sums stay far from overflow.
pub const MAX_DURATION_MS: u64 = 10 * 366 * 24 * 3_600_000;

/// The co-signed rules of a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agreement {
    /// Format version, 1.
    pub v: u8,
    /// `a-z`, `0-9`, `-`; 1 to 64 characters.
    pub id: DocumentId,
    /// From 1; an amendment is a new version.
    pub version: u32,
    /// Its title, in any script.
    pub title: String,
    /// The parties it binds (at least two, distinct).
    pub parties: Vec<PartyCode>,
    /// BCP 47 tags of the languages its messages may use.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    /// The clock skew allowed between the parties' nodes.
    pub clock_skew_ms: u64,
    /// The TLP of a message that names none.
    pub default_tlp: Tlp,
    /// The tiers in use, and what each may send.
    pub tiers: BTreeMap<Tier, TierRules>,
    /// Deadlines per kind × precedence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deadlines: Vec<Deadline>,
    /// Who hears about a missed deadline, and when.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalation: Vec<EscalationStep>,
    /// How often the line is tested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub communication_checks: Option<CommunicationChecks>,
    /// Whether exercise traffic is allowed, and counted apart.
    pub exercises: Exercises,
}

/// What one tier may send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierRules {
    /// The kinds it may send.
    pub may_send: Vec<MessageKind>,
}

/// How fast one kind × precedence must be answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    /// The kind.
    pub kind: MessageKind,
    /// The precedence.
    pub precedence: Precedence,
    /// Acknowledge within, from delivery.
    pub acknowledge_ms: u64,
    /// Reply within, from delivery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_ms: Option<u64>,
}

/// One rung of the escalation ladder: a missed deadline of a message
/// addressed to tier `from` reaches tier `to` `after_ms` after the message
/// was delivered (and not before the deadline itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationStep {
    /// Measured from the original message.
    pub after_ms: u64,
    /// The tier the message was at.
    pub from: Tier,
    /// The tier that hears about it.
    pub to: Tier,
}

/// The communication-check schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommunicationChecks {
    /// How often each tier is pinged.
    pub every_ms: u64,
    /// How soon the pong must come.
    pub answer_within_ms: u64,
    /// The tiers checked.
    pub tiers: Vec<Tier>,
}

/// Exercise rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercises {
    /// Whether messages flagged `exercise` may be sent at all.
    pub allowed: bool,
    /// Whether statistics count them apart from real traffic.
    pub counted_apart: bool,
}

impl Agreement {
    /// `<id>@<version>`, as envelopes name it.
    pub fn reference(&self) -> AgreementRef {
        AgreementRef {
            id: self.id.clone(),
            version: self.version,
        }
    }

    /// The bytes the parties sign: RFC 8785 canonical JSON.
    pub fn to_canonical_bytes(&self) -> Vec<u8> {
        to_canonical_bytes(self)
    }

    /// Reads a signed agreement's document and checks every rule.
    pub fn from_document(value: serde_json::Value) -> Result<Self, AgreementError> {
        let agreement: Agreement = serde_path_to_error::deserialize(value).map_err(|e| {
            AgreementError::Document(format!("agreement.{}: {}", e.path(), e.inner()))
        })?;
        agreement.check()?;
        Ok(agreement)
    }

    /// Checks every rule an agreement must keep to be in force.
    pub fn check(&self) -> Result<(), AgreementError> {
        if self.v != 1 {
            return Err(AgreementError::field(
                "v",
                format!("is {}; this detente reads version 1", self.v),
            ));
        }
        format!("{}@{}", self.id, self.version)
            .parse::<AgreementRef>()
            .map_err(|e| AgreementError::field("id, version", e))?;
        let title = self.title.trim();
        if title.is_empty() || self.title.chars().count() > 256 {
            return Err(AgreementError::field(
                "title",
                "must be 1 to 256 characters",
            ));
        }
        self.check_parties()?;
        for (i, tag) in self.languages.iter().enumerate() {
            if !is_language_tag(tag) {
                return Err(AgreementError::field(
                    format!("languages[{i}]"),
                    not_a_language_tag(tag),
                ));
            }
        }
        positive("clock_skew", self.clock_skew_ms)?;
        if self.clock_skew_ms > MAX_CLOCK_SKEW_MS {
            return Err(AgreementError::field("clock_skew", "may be at most 24h"));
        }
        self.check_tiers()?;
        self.check_deadlines()?;
        self.check_ladder()?;
        self.check_communication_checks()
    }

    fn check_parties(&self) -> Result<(), AgreementError> {
        if self.parties.len() < 2 {
            return Err(AgreementError::field(
                "parties",
                "an agreement binds at least two parties",
            ));
        }
        let mut seen = BTreeSet::new();
        for party in &self.parties {
            if !seen.insert(party) {
                return Err(AgreementError::Duplicate {
                    field: "parties".into(),
                    what: format!("party {party}"),
                });
            }
        }
        Ok(())
    }

    fn check_tiers(&self) -> Result<(), AgreementError> {
        if self.tiers.is_empty() {
            return Err(AgreementError::field(
                "tiers",
                "put at least one tier in use, e.g. [tiers.technical] may_send = [\"notification\", …]",
            ));
        }
        for (tier, rules) in &self.tiers {
            let mut seen = BTreeSet::new();
            for kind in &rules.may_send {
                if !seen.insert(kind.as_str()) {
                    return Err(AgreementError::Duplicate {
                        field: format!("tiers.{tier}.may_send"),
                        what: format!("kind {kind}"),
                    });
                }
            }
        }
        Ok(())
    }

    fn check_deadlines(&self) -> Result<(), AgreementError> {
        let mut seen = BTreeSet::new();
        for (i, d) in self.deadlines.iter().enumerate() {
            let at = |member: &str| format!("deadlines[{i}].{member}");
            positive(&at("acknowledge"), d.acknowledge_ms)?;
            if let Some(reply) = d.reply_ms {
                positive(&at("reply"), reply)?;
            }
            if !self.tiers.values().any(|t| t.may_send.contains(&d.kind)) {
                return Err(AgreementError::field(
                    at("kind"),
                    format!(
                        "no tier may send {}; allow it in some tier's may_send",
                        d.kind
                    ),
                ));
            }
            if !seen.insert((d.kind.as_str(), d.precedence.as_str())) {
                return Err(AgreementError::Duplicate {
                    field: "deadlines".into(),
                    what: format!("a deadline for {} at precedence {}", d.kind, d.precedence),
                });
            }
        }
        Ok(())
    }

    fn check_ladder(&self) -> Result<(), AgreementError> {
        let mut next: BTreeMap<Tier, &EscalationStep> = BTreeMap::new();
        for (i, step) in self.escalation.iter().enumerate() {
            let at = |member: &str| format!("escalation[{i}].{member}");
            positive(&at("after"), step.after_ms)?;
            for (member, tier) in [("from", step.from), ("to", step.to)] {
                if !self.tiers.contains_key(&tier) {
                    return Err(AgreementError::TierNotInUse {
                        field: at(member),
                        tier: tier.to_string(),
                    });
                }
            }
            if step.from == step.to {
                return Err(AgreementError::LadderLoops {
                    path: format!("{} → {}", step.from, step.to),
                });
            }
            if next.insert(step.from, step).is_some() {
                return Err(AgreementError::Duplicate {
                    field: "escalation".into(),
                    what: format!("a step from {}", step.from),
                });
            }
        }
        // Each tier has at most one step up: follow each chain; a tier seen
        // twice is a loop; times must grow along the chain (they are all
        // measured from the original message).
        for start in next.keys() {
            let mut path = vec![*start];
            let mut tier = *start;
            let mut after = 0;
            while let Some(step) = next.get(&tier) {
                if step.after_ms <= after {
                    return Err(AgreementError::field(
                        "escalation",
                        format!(
                            "the step from {} comes after {} ms, not later than the step before it ({after} ms); times are measured from the original message and must grow up the ladder",
                            step.from, step.after_ms
                        ),
                    ));
                }
                after = step.after_ms;
                tier = step.to;
                if path.contains(&tier) {
                    path.push(tier);
                    return Err(AgreementError::LadderLoops {
                        path: path
                            .iter()
                            .map(Tier::as_str)
                            .collect::<Vec<_>>()
                            .join(" → "),
                    });
                }
                path.push(tier);
            }
        }
        Ok(())
    }

    fn check_communication_checks(&self) -> Result<(), AgreementError> {
        let Some(checks) = &self.communication_checks else {
            return Ok(());
        };
        positive("communication_checks.every", checks.every_ms)?;
        positive(
            "communication_checks.answer_within",
            checks.answer_within_ms,
        )?;
        if checks.answer_within_ms >= checks.every_ms {
            return Err(AgreementError::field(
                "communication_checks.answer_within",
                "must be shorter than communication_checks.every",
            ));
        }
        if checks.tiers.is_empty() {
            return Err(AgreementError::field(
                "communication_checks.tiers",
                "name the tiers whose lines are checked",
            ));
        }
        for (i, tier) in checks.tiers.iter().enumerate() {
            let field = format!("communication_checks.tiers[{i}]");
            let Some(rules) = self.tiers.get(tier) else {
                return Err(AgreementError::TierNotInUse {
                    field,
                    tier: tier.to_string(),
                });
            };
            for kind in [MessageKind::Ping, MessageKind::Pong] {
                if !rules.may_send.contains(&kind) {
                    return Err(AgreementError::field(
                        field,
                        format!(
                            "tier {tier} is checked but may not send {kind}; allow ping and pong"
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

fn positive(field: &str, ms: u64) -> Result<(), AgreementError> {
    if ms == 0 {
        return Err(AgreementError::NotPositive {
            field: field.to_owned(),
            value: "0".to_owned(),
        });
    }
    if ms > MAX_DURATION_MS {
        return Err(AgreementError::field(field, "may be at most ten years"));
    }
    Ok(())
}
