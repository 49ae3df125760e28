//! Claims on the guarantee or pledge a bundle was exported for
//! (docs/evidence.md, "Guarantees and pledges"): its status, or its
//! signatories, at one moment, computed with the rules every node applies
//! ([`detente_proto::guarantee::status_at`],
//! [`detente_proto::pledge::signatories_at`]) from the signed steps the
//! bundle proves.
//!
//! A step is a message of the bundle that proposes, signs or withdraws the
//! document. It counts only when its envelope's signature verified with
//! the sender's card key and none of its claims is BROKEN: its sender is
//! then who took the step, and its signed `created_at` when. A step that
//! does not count is named in the claim's detail; a BROKEN one makes the
//! claim BROKEN, one that cannot be checked (no card) or whose logging is
//! not proven makes it UNPROVEN.

use detente_proto::envelope::Envelope;
use detente_proto::ids::PartyCode;
use detente_proto::time::Timestamp;

use super::agreements::join;
use super::keyring::Keyring;
use super::{Checked, guarantee, pledge};
use crate::bundle::{Bundle, Scope};
use crate::report::{Claim, Commitment, Verdict};

/// The claim on the bundle's guarantee or pledge, if it was exported for
/// one, judged at `at`; what it found, when the document is known.
pub(crate) fn check(
    bundle: &Bundle,
    checked: &[Checked],
    keyring: &Keyring,
    at: Timestamp,
    claims: &mut Vec<Claim>,
) -> Option<Commitment> {
    let (claim, commitment) = match &bundle.scope {
        Scope::Guarantee(id) => guarantee::check(id, checked, keyring, at),
        Scope::Pledge(reference) => {
            pledge::check(reference, &bundle.documents, checked, keyring, at)
        }
        Scope::Thread(_) | Scope::Counterparty(_) => return None,
    };
    claims.push(claim);
    commitment
}

/// What keeps a claim from being PROVEN, in the order found.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    broken: Vec<String>,
    unproven: Vec<String>,
}

impl Problems {
    /// Something false or altered.
    pub(crate) fn broken(&mut self, why: String) {
        self.broken.push(why);
    }

    /// Something the bundle lacks.
    pub(crate) fn unproven(&mut self, why: String) {
        self.unproven.push(why);
    }

    /// BROKEN if anything is false, else UNPROVEN if anything is missing.
    pub(crate) fn verdict(&self) -> Verdict {
        if !self.broken.is_empty() {
            Verdict::Broken
        } else if !self.unproven.is_empty() {
            Verdict::Unproven
        } else {
            Verdict::Proven
        }
    }

    /// `findings`, then every problem: the claim's detail.
    pub(crate) fn detail(&self, findings: String) -> String {
        let all: Vec<&str> = self
            .broken
            .iter()
            .chain(&self.unproven)
            .map(String::as_str)
            .collect();
        if all.is_empty() {
            findings
        } else {
            format!("{findings} — {}", all.join("; "))
        }
    }
}

/// A step that counts: its message's subject and verified envelope.
pub(crate) struct Step<'a> {
    pub(crate) subject: &'a str,
    pub(crate) envelope: &'a Envelope,
}

impl Step<'_> {
    /// `message <id> (guarantee-sign from US)`.
    pub(crate) fn name(&self) -> String {
        describe(self.subject, self.envelope)
    }
}

fn describe(subject: &str, envelope: &Envelope) -> String {
    format!(
        "{subject} ({} from {})",
        envelope.kind(),
        envelope.from.party
    )
}

/// The steps of the document among `checked` (`is_step` tells them by
/// their envelope), in bundle order: those that count, with every one that
/// does not named in `problems`, and why.
pub(crate) fn steps<'a>(
    checked: &'a [Checked],
    is_step: impl Fn(&Envelope) -> bool,
    what: &str,
    problems: &mut Problems,
) -> Vec<Step<'a>> {
    let mut counted = Vec::new();
    for message in checked {
        let Some(envelope) = &message.envelope else {
            problems.broken(format!(
                "{} does not parse, so whether it is a step of {what} cannot be told",
                message.subject
            ));
            continue;
        };
        if !is_step(envelope) {
            continue;
        }
        let name = describe(&message.subject, envelope);
        if !message.broken.is_empty() {
            problems.broken(format!(
                "{name} is BROKEN ({}) and does not count",
                message.broken.join(", ")
            ));
            continue;
        }
        if !message.verified {
            problems.unproven(format!(
                "{name} cannot be checked: the bundle has no card for {}; it does not count",
                envelope.from.party
            ));
            continue;
        }
        if message.logged_sent != Some(Verdict::Proven) {
            problems.unproven(format!(
                "{name}: that {} logged sending it is not proven (see its logged-sent claim)",
                envelope.from.party
            ));
        }
        counted.push(Step {
            subject: &message.subject,
            envelope,
        });
    }
    counted
}

/// `RU at 2026-…, US at 2026-…` (with `and` before the last).
pub(crate) fn party_times<'a>(
    list: impl IntoIterator<Item = (&'a PartyCode, &'a Timestamp)>,
) -> String {
    join(
        list.into_iter()
            .map(|(party, at)| format!("{party} at {at}")),
    )
}

/// The id a signed document's bytes name (`{"<member>": {"id": …}}`),
/// read without checking anything else; `None` if they name none.
pub(crate) fn claimed_id(member: &str, signed: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(signed).ok()?;
    value.get(member)?.get("id")?.as_str().map(str::to_owned)
}
