//! The agreement as officers write it: TOML, durations like `1h`, `15d`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::AgreementError;
use super::document::{
    Agreement, CommunicationChecks, Deadline, EscalationStep, Exercises, TierRules,
};
use crate::ids::{BadId, PartyCode, Tier};
use crate::kind::{MessageKind, Precedence, Tlp};
use crate::written::{DurationProblem, duration_ms};

/// An agreement as written in TOML (see `testdata/agreement-example.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgreementSpec {
    id: String,
    version: u32,
    title: String,
    parties: Vec<String>,
    #[serde(default)]
    languages: Vec<String>,
    clock_skew: String,
    default_tlp: String,
    tiers: BTreeMap<String, TierSpec>,
    #[serde(default)]
    deadlines: Vec<DeadlineSpec>,
    #[serde(default)]
    escalation: Vec<StepSpec>,
    communication_checks: Option<ChecksSpec>,
    exercises: Option<ExercisesSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TierSpec {
    may_send: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeadlineSpec {
    kind: String,
    precedence: String,
    acknowledge: String,
    reply: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepSpec {
    after: String,
    from: String,
    to: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChecksSpec {
    every: String,
    answer_within: String,
    tiers: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExercisesSpec {
    allowed: bool,
    counted_apart: bool,
}

/// The longest agreement file read.
pub const MAX_SPEC_BYTES: usize = 256 * 1024;

impl AgreementSpec {
    /// Reads the TOML text.
    pub fn parse(text: &str) -> Result<Self, AgreementError> {
        if text.len() > MAX_SPEC_BYTES {
            return Err(AgreementError::Syntax(format!(
                "the file is {} bytes; an agreement is at most {MAX_SPEC_BYTES}",
                text.len()
            )));
        }
        toml::from_str(text).map_err(|e| AgreementError::Syntax(e.to_string()))
    }

    /// Checks every rule and gives the agreement to sign.
    pub fn validate(self) -> Result<Agreement, AgreementError> {
        let parties = self
            .parties
            .iter()
            .enumerate()
            .map(|(i, p)| {
                p.parse::<PartyCode>()
                    .map_err(|e| AgreementError::field(format!("parties[{i}]"), e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut tiers = BTreeMap::new();
        for (name, spec) in &self.tiers {
            let tier = tier(&format!("tiers.{name}"), name)?;
            let may_send = spec
                .may_send
                .iter()
                .enumerate()
                .map(|(i, k)| kind(&format!("tiers.{name}.may_send[{i}]"), k))
                .collect::<Result<Vec<_>, _>>()?;
            tiers.insert(tier, TierRules { may_send });
        }
        let deadlines = self
            .deadlines
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let at = |m: &str| format!("deadlines[{i}].{m}");
                Ok(Deadline {
                    kind: kind(&at("kind"), &d.kind)?,
                    precedence: d
                        .precedence
                        .parse::<Precedence>()
                        .map_err(|e| AgreementError::field(at("precedence"), e))?,
                    acknowledge_ms: duration(&at("acknowledge"), &d.acknowledge)?,
                    reply_ms: d
                        .reply
                        .as_deref()
                        .map(|r| duration(&at("reply"), r))
                        .transpose()?,
                })
            })
            .collect::<Result<Vec<_>, AgreementError>>()?;
        let escalation = self
            .escalation
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let at = |m: &str| format!("escalation[{i}].{m}");
                Ok(EscalationStep {
                    after_ms: duration(&at("after"), &s.after)?,
                    from: tier(&at("from"), &s.from)?,
                    to: tier(&at("to"), &s.to)?,
                })
            })
            .collect::<Result<Vec<_>, AgreementError>>()?;
        let communication_checks = self
            .communication_checks
            .as_ref()
            .map(|c| {
                Ok::<_, AgreementError>(CommunicationChecks {
                    every_ms: duration("communication_checks.every", &c.every)?,
                    answer_within_ms: duration(
                        "communication_checks.answer_within",
                        &c.answer_within,
                    )?,
                    tiers: c
                        .tiers
                        .iter()
                        .enumerate()
                        .map(|(i, t)| tier(&format!("communication_checks.tiers[{i}]"), t))
                        .collect::<Result<Vec<_>, _>>()?,
                })
            })
            .transpose()?;
        let id = self
            .id
            .parse()
            .map_err(|e: BadId| AgreementError::field("id", e.to_string()))?;
        let agreement = Agreement {
            v: 1,
            id,
            version: self.version,
            title: self.title,
            parties,
            languages: self.languages,
            clock_skew_ms: duration("clock_skew", &self.clock_skew)?,
            default_tlp: self
                .default_tlp
                .parse::<Tlp>()
                .map_err(|e| AgreementError::field("default_tlp", e))?,
            tiers,
            deadlines,
            escalation,
            communication_checks,
            exercises: self.exercises.map_or(
                Exercises {
                    allowed: false,
                    counted_apart: true,
                },
                |e| Exercises {
                    allowed: e.allowed,
                    counted_apart: e.counted_apart,
                },
            ),
        };
        agreement.check()?;
        Ok(agreement)
    }
}

fn tier(field: &str, name: &str) -> Result<Tier, AgreementError> {
    name.parse().map_err(|_| AgreementError::UnknownTier {
        field: field.to_owned(),
        name: name.to_owned(),
    })
}

fn kind(field: &str, name: &str) -> Result<MessageKind, AgreementError> {
    name.parse()
        .map_err(|e: String| AgreementError::field(field, e))
}

/// A duration as people write it (`90s`, `1h`, `15d`), in whole
/// milliseconds; zero and negative durations are refused.
fn duration(field: &str, text: &str) -> Result<u64, AgreementError> {
    duration_ms(text).map_err(|problem| match problem {
        DurationProblem::NotPositive => AgreementError::NotPositive {
            field: field.to_owned(),
            value: text.to_owned(),
        },
        DurationProblem::Unreadable(e) => AgreementError::field(
            field,
            format!("{text:?} is not a duration ({e}); write e.g. 30m, 4h, 15d"),
        ),
    })
}
