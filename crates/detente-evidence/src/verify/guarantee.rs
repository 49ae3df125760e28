//! The `status` claim on a guarantee-scoped bundle (docs/evidence.md,
//! "Guarantees and pledges"): the guarantee rebuilt from the signed bytes
//! its `guarantee-propose` and `guarantee-sign` messages carry, each
//! verified as its sender's signature over one and the same text, its
//! withdrawals from `guarantee-withdraw` messages naming that text, and its
//! status at the moment judged by [`detente_proto::guarantee::status_at`].

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use detente_proto::body::Body;
use detente_proto::envelope::Envelope;
use detente_proto::guarantee::{
    Guarantee, GuaranteeEvent, GuaranteeSignatures, GuaranteeStatus, SignedGuarantee,
    check_withdrawal, in_force_at, status_at,
};
use detente_proto::ids::PartyCode;
use detente_proto::time::Timestamp;

use super::commitments::{Problems, claimed_id, party_times, steps};
use super::keyring::Keyring;
use super::{Checked, claim};
use crate::report::{Claim, Commitment, Signatory, Verdict};

/// Whether `envelope` is a step of guarantee `id`. A signature whose bytes
/// name no id at all is taken as one, to be judged (and found BROKEN).
fn is_step(envelope: &Envelope, id: &str) -> bool {
    match &envelope.body {
        Body::GuaranteePropose(b) | Body::GuaranteeSign(b) => {
            claimed_id("guarantee", &b.signed).is_none_or(|named| named == id)
        }
        Body::GuaranteeWithdraw(b) => b.guarantee == id,
        _ => false,
    }
}

/// The `status` claim on guarantee `id` at `at`.
pub(crate) fn check(
    id: &str,
    checked: &[Checked],
    keyring: &Keyring,
    at: Timestamp,
) -> (Claim, Option<Commitment>) {
    let subject = format!("guarantee {id}");
    let mut problems = Problems::default();
    let steps = steps(
        checked,
        |e| is_step(e, id),
        &format!("guarantee {id}"),
        &mut problems,
    );

    // Signatures first: they fix the text, which withdrawals name by hash.
    let mut gathered: Option<(GuaranteeSignatures, String)> = None;
    let mut events = Vec::new();
    for step in &steps {
        let (Body::GuaranteePropose(b) | Body::GuaranteeSign(b)) = &step.envelope.body else {
            continue;
        };
        let sender = &step.envelope.from.party;
        // The card that spoke when the step was written (its envelope
        // verified with it, so there is one).
        let Ok(card) = keyring.card_at(sender, step.envelope.created_at) else {
            continue;
        };
        let signed = match SignedGuarantee::verify(
            b.signed.as_bytes(),
            sender,
            &card.keys().signing,
        ) {
            Ok(signed) => signed,
            Err(e) => {
                problems.broken(format!(
                    "{}: the signed guarantee it carries is not a valid signature by {sender} (key {}): {e}; it does not count",
                    step.name(),
                    card.fingerprint()
                ));
                continue;
            }
        };
        if signed.document().id.as_str() != id {
            continue;
        }
        match &mut gathered {
            None => gathered = Some((GuaranteeSignatures::proposed(signed), step.name())),
            Some((signatures, first)) => {
                let (found, proposed) = (
                    signed.document_sha256(),
                    signatures.proposal().document_sha256(),
                );
                if signatures.add(signed).is_err() {
                    problems.broken(format!(
                        "{}: {sender} signed another text of guarantee {id} (SHA-256 {}) than the one signed in {first} (SHA-256 {}): they did not sign the same guarantee; it does not count",
                        step.name(),
                        BASE64.encode(found),
                        BASE64.encode(proposed)
                    ));
                    continue;
                }
            }
        }
        events.push(GuaranteeEvent::Signed {
            by: sender.clone(),
            at: step.envelope.created_at,
        });
    }

    for step in &steps {
        let Body::GuaranteeWithdraw(b) = &step.envelope.body else {
            continue;
        };
        let sender = &step.envelope.from.party;
        let Some((signatures, _)) = &gathered else {
            problems.unproven(format!(
                "{}: the withdrawal cannot be judged without a verified signature on the guarantee",
                step.name()
            ));
            continue;
        };
        if let Err(e) = check_withdrawal(signatures.document(), sender) {
            problems.broken(format!("{}: {e}; it does not count", step.name()));
            continue;
        }
        let signed_text = BASE64.encode(signatures.proposal().document_sha256());
        if b.document_sha256 != signed_text {
            problems.broken(format!(
                "{}: it withdraws the text with SHA-256 {}, but the guarantee signed is the text with SHA-256 {signed_text}; it does not count",
                step.name(),
                b.document_sha256
            ));
            continue;
        }
        events.push(GuaranteeEvent::Withdrawn {
            by: sender.clone(),
            at: step.envelope.created_at,
        });
    }

    let Some((signatures, _)) = gathered else {
        let verdict = match problems.verdict() {
            Verdict::Broken => Verdict::Broken,
            _ => Verdict::Unproven,
        };
        let detail = problems.detail(format!(
            "the bundle holds no verified signature on guarantee {id}, so its status at {at} cannot be told"
        ));
        return (claim(subject, "status", verdict, detail), None);
    };
    let guarantee = signatures.document();
    let status = status_at(guarantee, &events, at);
    let in_force = in_force_at(guarantee, &events, at);
    let signed = first_signatures(&events);
    let (by_then, later): (Vec<_>, Vec<_>) = signed.iter().partition(|(_, t)| *t <= at);

    let mut findings = match (&status, in_force) {
        (GuaranteeStatus::InForce { since }, _) => format!("in force at {at} (since {since})"),
        (_, true) => format!("in force at {at}: {status}"),
        (_, false) => format!("not in force at {at}: {status}"),
    };
    if by_then.is_empty() {
        findings.push_str(&format!("; nobody had signed it by {at}"));
    } else {
        findings.push_str(&format!(
            "; signed by {}",
            party_times(by_then.iter().map(|(p, t)| (p, t)))
        ));
    }
    if !later.is_empty() {
        findings.push_str(&format!(
            "; signed after {at}: {}",
            party_times(later.iter().map(|(p, t)| (p, t)))
        ));
    }
    let document_sha256 = BASE64.encode(signatures.proposal().document_sha256());
    findings.push_str(&format!(
        "; {}, text SHA-256 {document_sha256}",
        kind(guarantee)
    ));
    let verdict = problems.verdict();
    let detail = problems.detail(findings);
    let commitment = Commitment {
        subject: subject.clone(),
        at,
        state: status.state(),
        in_force: Some(in_force),
        signatories: by_then
            .into_iter()
            .map(|(party, signed_at)| Signatory {
                party: party.clone(),
                signed_at: *signed_at,
            })
            .collect(),
        document_sha256,
        status: detail.clone(),
        verdict,
    };
    (claim(subject, "status", verdict, detail), Some(commitment))
}

/// Each signer's first signature, in time order (as `status_at` reads them).
fn first_signatures(events: &[GuaranteeEvent]) -> Vec<(PartyCode, Timestamp)> {
    let mut signed: Vec<(PartyCode, Timestamp)> = Vec::new();
    for event in events {
        if let GuaranteeEvent::Signed { by, at } = event {
            match signed.iter_mut().find(|(party, _)| party == by) {
                Some((_, first)) => *first = (*first).min(*at),
                None => signed.push((by.clone(), *at)),
            }
        }
    }
    signed.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    signed
}

/// `reciprocal guarantee between RU and US`, `guarantee by RU to US`.
fn kind(guarantee: &Guarantee) -> String {
    if guarantee.reciprocal {
        format!(
            "reciprocal guarantee between {} and {}",
            guarantee.issuer, guarantee.beneficiary
        )
    } else {
        format!(
            "guarantee by {} to {}",
            guarantee.issuer, guarantee.beneficiary
        )
    }
}
