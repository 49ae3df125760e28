//! The agreements a bundle carries (docs/evidence.md, "Agreements"): each
//! party's signature verified with the key on its card, and the agreement
//! in force only when every party it names signed the same bytes
//! ([`Signatures::complete`], the rule the nodes apply).

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use detente_proto::agreement::{
    Agreement, AgreementError, MAX_SIGNED_AGREEMENT_BYTES, Signatures, SignedAgreement,
};
use detente_proto::envelope::AgreementRef;
use detente_proto::limits::Limits;
use detente_proto::signing::{Domain, SignedParts};

use super::claim;
use super::keyring::Keyring;
use crate::bundle::BundledAgreement;
use crate::report::{Claim, Verdict};

/// What the bundle proves of one agreement.
#[derive(Debug)]
pub(crate) enum Standing {
    /// Every party signed the same bytes.
    InForce(Box<Agreement>),
    /// Nothing false, but a signature is missing or cannot be checked.
    Unproven,
    /// Something about it is false or altered.
    Broken,
}

/// The bundle's agreements, by reference.
#[derive(Debug, Default)]
pub(crate) struct Agreements {
    by_reference: BTreeMap<String, Standing>,
}

impl Agreements {
    /// The agreement `reference` names, if the bundle proves it in force.
    pub(crate) fn in_force(&self, reference: &AgreementRef) -> Option<&Agreement> {
        match self.by_reference.get(&reference.to_string()) {
            Some(Standing::InForce(agreement)) => Some(agreement),
            _ => None,
        }
    }

    /// What the bundle proves of `reference`; `None`: it does not carry it.
    pub(crate) fn standing(&self, reference: &AgreementRef) -> Option<&Standing> {
        self.by_reference.get(&reference.to_string())
    }
}

/// Judges every bundled agreement: one `in-force` claim each.
pub(crate) fn check(
    bundled: &[BundledAgreement],
    keyring: &Keyring,
    claims: &mut Vec<Claim>,
) -> Agreements {
    let mut agreements = Agreements::default();
    for (i, entry) in bundled.iter().enumerate() {
        let reference = match entry.reference.parse::<AgreementRef>() {
            Ok(reference) => reference,
            Err(e) => {
                claims.push(claim(
                    format!("agreement #{}", i + 1),
                    "in-force",
                    Verdict::Broken,
                    e,
                ));
                continue;
            }
        };
        let subject = format!("agreement {reference}");
        match agreements.by_reference.entry(reference.to_string()) {
            Entry::Occupied(mut seen) => {
                claims.push(claim(
                    subject,
                    "in-force",
                    Verdict::Broken,
                    format!("the bundle carries agreement {reference} twice; a bundle carries each agreement once, with all its signatures"),
                ));
                seen.insert(Standing::Broken);
            }
            Entry::Vacant(slot) => {
                let (verdict, detail, standing) = judge(&reference, entry, keyring);
                claims.push(claim(subject, "in-force", verdict, detail));
                slot.insert(standing);
            }
        }
    }
    agreements
}

fn judge(
    reference: &AgreementRef,
    entry: &BundledAgreement,
    keyring: &Keyring,
) -> (Verdict, String, Standing) {
    let broken = |detail: String| (Verdict::Broken, detail, Standing::Broken);
    let limits = Limits {
        max_envelope_bytes: MAX_SIGNED_AGREEMENT_BYTES,
        ..Limits::default()
    };
    let mut gathered: Option<Signatures> = None;
    let mut unchecked = Vec::new();
    for (i, text) in entry.signatures.iter().enumerate() {
        let n = i + 1;
        let bytes = text.as_bytes();
        let parts = match SignedParts::parse(Domain::Agreement, bytes, &limits) {
            Ok(parts) => parts,
            Err(e) => return broken(format!("signature #{n}: {e}")),
        };
        let Some((party, keys)) = keyring.by_key_id(&parts.key_id) else {
            unchecked.push(format!(
                "signature #{n} is by key {}, and no card in the bundle has that key",
                parts.key_id
            ));
            continue;
        };
        let signed = match SignedAgreement::verify(bytes, party, &keys.card.keys().signing) {
            Ok(signed) => signed,
            Err(e @ AgreementError::NotAParty { .. }) => {
                return broken(format!("signature #{n}: {e}"));
            }
            Err(e) => {
                return broken(format!(
                    "{party}'s signature (#{n}) does not verify with its key {}: {e}",
                    keys.card.fingerprint()
                ));
            }
        };
        let signed_for = signed.agreement().reference();
        if &signed_for != reference {
            return broken(format!(
                "{party}'s signature (#{n}) is on agreement {signed_for}, not {reference}"
            ));
        }
        match &mut gathered {
            None => gathered = Some(Signatures::proposed(signed)),
            Some(signatures) => {
                let first = signatures
                    .signatures()
                    .next()
                    .map(|s| (s.signer().clone(), s.document_sha256()));
                let found = signed.document_sha256();
                if let Err(e) = signatures.add(signed) {
                    return broken(match (e, first) {
                        (AgreementError::DifferentBytes { .. }, Some((other, theirs))) => format!(
                            "{party}'s signature (#{n}) is over another text of the agreement than {other}'s (SHA-256 {}, {other} signed {}): the parties did not sign the same agreement",
                            BASE64.encode(found),
                            BASE64.encode(theirs)
                        ),
                        (e, _) => format!("{party}'s signature (#{n}): {e}"),
                    });
                }
            }
        }
    }
    let Some(signatures) = gathered else {
        let why = if unchecked.is_empty() {
            "the bundle carries no signature on it".to_owned()
        } else {
            unchecked.join("; ")
        };
        return (Verdict::Unproven, why, Standing::Unproven);
    };
    let signers: Vec<String> = signatures
        .signatures()
        .map(|s| {
            let fingerprint = keyring
                .get(s.signer())
                .map(|keys| keys.card.fingerprint().to_string())
                .unwrap_or_default();
            format!("{} (key {fingerprint})", s.signer())
        })
        .collect();
    let agreement = signatures.agreement();
    let missing = signatures.missing();
    if !missing.is_empty() {
        let mut detail = format!(
            "not signed by {} (signed by {}): an agreement is in force only when every party has signed it",
            join(missing.iter().map(ToString::to_string)),
            signers.join(", ")
        );
        for why in &unchecked {
            detail.push_str("; ");
            detail.push_str(why);
        }
        return (Verdict::Unproven, detail, Standing::Unproven);
    }
    if !unchecked.is_empty() {
        return (
            Verdict::Unproven,
            format!(
                "signed by every party, {}, but {}",
                signers.join(", "),
                unchecked.join("; ")
            ),
            Standing::Unproven,
        );
    }
    let sha256 = signatures
        .signatures()
        .next()
        .map(|s| BASE64.encode(s.document_sha256()))
        .unwrap_or_default();
    (
        Verdict::Proven,
        format!(
            "{:?}, signed by every party over the same text (SHA-256 {sha256}): {}",
            agreement.title,
            signers.join(", ")
        ),
        Standing::InForce(Box::new(agreement.clone())),
    )
}

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn join(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().collect();
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}
