//! The `signatories` claim on a pledge-scoped bundle (docs/evidence.md,
//! "Guarantees and pledges"): the pledge as its host published it (signed
//! by the host, in the bundle's `documents`), each `pledge-sign` message's
//! signature by its sender over those same bytes and made while the pledge
//! was open for signature, the `pledge-withdraw` messages, and the
//! signatory list at the moment judged by
//! [`detente_proto::pledge::signatories_at`].

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use detente_proto::body::Body;
use detente_proto::envelope::Envelope;
use detente_proto::pledge::{
    PledgeEvent, PledgeRef, SignedPledge, check_signature_time, check_withdrawal, signatories_at,
};
use detente_proto::time::Timestamp;

use super::commitments::{Problems, Step, party_times, steps};
use super::keyring::Keyring;
use super::{Checked, claim};
use crate::report::{Claim, Commitment, Signatory, Verdict};

fn is_step(envelope: &Envelope, reference: &PledgeRef) -> bool {
    match &envelope.body {
        Body::PledgeSign(b) => &b.pledge == reference,
        Body::PledgeWithdraw(b) => &b.pledge == reference,
        _ => false,
    }
}

/// The `signatories` claim on pledge `reference` at `at`.
pub(crate) fn check(
    reference: &PledgeRef,
    documents: &[String],
    checked: &[Checked],
    keyring: &Keyring,
    at: Timestamp,
) -> (Claim, Option<Commitment>) {
    let subject = format!("pledge {reference}");
    let host = &reference.host;
    let mut problems = Problems::default();
    let published = published(reference, documents, keyring, &mut problems);
    let mut steps = steps(
        checked,
        |e| is_step(e, reference),
        &format!("pledge {reference}"),
        &mut problems,
    );
    let Some(published) = published else {
        let verdict = match problems.verdict() {
            Verdict::Broken => Verdict::Broken,
            _ => Verdict::Unproven,
        };
        let detail = problems.detail(format!(
            "without the text its host {host} published, nobody's signature on pledge {reference} can be checked"
        ));
        return (claim(subject, "signatories", verdict, detail), None);
    };
    let pledge = published.document();

    // In time order: a withdrawal ends the signature before it.
    steps.sort_by_key(|step| step.envelope.created_at);
    let mut events: Vec<PledgeEvent> = Vec::new();
    for step in &steps {
        let e = step.envelope;
        let sender = &e.from.party;
        if &e.to.party != host {
            problems.unproven(format!(
                "{}: it is addressed to {}, not to the pledge's host {host}, which keeps the list; it does not count",
                step.name(),
                e.to.party
            ));
            continue;
        }
        match &e.body {
            Body::PledgeSign(b) => {
                if let Err(why) = signature(step, &b.signed, &published, keyring) {
                    problems.broken(format!("{}: {why}; it does not count", step.name()));
                    continue;
                }
                events.push(PledgeEvent::Signed {
                    by: sender.clone(),
                    at: e.created_at,
                });
            }
            Body::PledgeWithdraw(_) => {
                if let Err(why) = check_withdrawal(pledge, &events, sender, e.created_at) {
                    problems.unproven(format!(
                        "{}: {why}; the bundle holds no signature for it to end, so it does not count",
                        step.name()
                    ));
                    continue;
                }
                events.push(PledgeEvent::Withdrawn {
                    by: sender.clone(),
                    at: e.created_at,
                });
            }
            _ => {}
        }
    }

    let list = signatories_at(pledge, &events, at);
    let mut findings = if list.is_empty() {
        format!("at {at}: no signatories")
    } else {
        format!(
            "at {at}: {}",
            list.iter()
                .map(|(party, signed_at)| format!("{party} (signed at {signed_at})"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let withdrawn: Vec<_> = events
        .iter()
        .filter_map(|event| match event {
            PledgeEvent::Withdrawn { by, at: when } if *when <= at => Some((by, when)),
            _ => None,
        })
        .collect();
    if !withdrawn.is_empty() {
        findings.push_str(&format!("; withdrawn: {}", party_times(withdrawn)));
    }
    let later: Vec<_> = events
        .iter()
        .filter_map(|event| match event {
            PledgeEvent::Signed { by, at: when } if *when > at => Some((by, when)),
            _ => None,
        })
        .collect();
    if !later.is_empty() {
        findings.push_str(&format!("; signed after {at}: {}", party_times(later)));
    }
    let document_sha256 = BASE64.encode(published.document_sha256());
    findings.push_str(&format!(
        "; {:?} as published by {host} (text SHA-256 {document_sha256}), open for signature from {} until {}",
        pledge.title, pledge.open_from, pledge.open_until
    ));
    let verdict = problems.verdict();
    let detail = problems.detail(findings);
    let state = if at < pledge.open_from {
        "not-yet-open"
    } else if at < pledge.open_until {
        "open"
    } else {
        "closed"
    };
    let commitment = Commitment {
        subject: subject.clone(),
        at,
        state,
        in_force: None,
        signatories: list
            .into_iter()
            .map(|(party, signed_at)| Signatory { party, signed_at })
            .collect(),
        document_sha256,
        status: detail.clone(),
        verdict,
    };
    (
        claim(subject, "signatories", verdict, detail),
        Some(commitment),
    )
}

/// A `pledge-sign` step's signature: by its sender, over exactly the
/// published bytes, made (by its message's `created_at`) while the pledge
/// was open for signature. `Err` says why not.
fn signature(
    step: &Step<'_>,
    signed: &str,
    published: &SignedPledge,
    keyring: &Keyring,
) -> Result<(), String> {
    let sender = &step.envelope.from.party;
    let keys = keyring
        .get(sender)
        .ok_or_else(|| format!("the bundle has no card for {sender}"))?;
    let signature = SignedPledge::verify(signed.as_bytes(), sender, &keys.card.keys().signing)
        .map_err(|e| {
            format!(
                "the signed pledge it carries is not a valid signature by {sender} (key {}): {e}",
                keys.card.fingerprint()
            )
        })?;
    if signature.document_sha256() != published.document_sha256() {
        return Err(format!(
            "{sender} signed another text (SHA-256 {}) than the one its host published (SHA-256 {})",
            BASE64.encode(signature.document_sha256()),
            BASE64.encode(published.document_sha256())
        ));
    }
    // A host refuses such a signature: no node ever shows it as counting.
    check_signature_time(published.document(), step.envelope.created_at).map_err(|e| e.to_string())
}

/// The host's signed pledge among `documents`: verified with the host's
/// card key, of this reference. Documents about other pledges are passed
/// over; two texts of this one, or one that does not verify, are BROKEN.
fn published(
    reference: &PledgeRef,
    documents: &[String],
    keyring: &Keyring,
    problems: &mut Problems,
) -> Option<SignedPledge> {
    let host = &reference.host;
    let Some(keys) = keyring.get(host) else {
        problems.unproven(format!(
            "the bundle has no card for the pledge's host {host}, so the text it published cannot be checked"
        ));
        return None;
    };
    let mut found: Option<SignedPledge> = None;
    for (i, text) in documents.iter().enumerate() {
        let n = i + 1;
        if claimed_reference(text).is_some_and(|named| &named != reference) {
            continue;
        }
        match SignedPledge::verify(text.as_bytes(), host, &keys.card.keys().signing) {
            Err(e) => problems.broken(format!(
                "document #{n} is not pledge {reference} signed by its host {host} (key {}): {e}",
                keys.card.fingerprint()
            )),
            Ok(signed) if &signed.document().reference() != reference => {}
            Ok(signed) => match &found {
                None => found = Some(signed),
                Some(first) if first.document_sha256() == signed.document_sha256() => {}
                Some(first) => problems.broken(format!(
                    "document #{n}: {host} published two texts of pledge {reference} (SHA-256 {} and {}), so which one was signed cannot be told",
                    BASE64.encode(first.document_sha256()),
                    BASE64.encode(signed.document_sha256())
                )),
            },
        }
    }
    if found.is_none() && problems.verdict() != Verdict::Broken {
        problems.unproven(format!(
            "the bundle does not carry pledge {reference} as its host {host} published it (a signed pledge in documents)"
        ));
    }
    found
}

/// The pledge a signed pledge's bytes name, read without checking anything
/// else.
fn claimed_reference(signed: &str) -> Option<PledgeRef> {
    let value: serde_json::Value = serde_json::from_str(signed).ok()?;
    let pledge = value.get("pledge")?;
    format!(
        "{}/{}",
        pledge.get("host")?.as_str()?,
        pledge.get("id")?.as_str()?
    )
    .parse()
    .ok()
}
