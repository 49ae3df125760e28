use proptest::prelude::*;

use super::*;
use crate::cosigned::CosignedDocument;
use crate::ids::PartyCode;
use crate::signing::{Domain, PartySigningKey};
use crate::time::Timestamp;

/// A reciprocal guarantee as an officer writes it. The Russian `й` is
/// written decomposed (`и` + U+0306 COMBINING BREVE) and the Arabic `آ`
/// decomposed (`ا` + U+0653 ARABIC MADDAH ABOVE): NFC would compose both,
/// and neither may be changed.
const EXAMPLE: &str = "id = \"ru-us-elections-2026\"
reciprocal = true
issuer = \"RU\"
beneficiary = \"US\"
scope = [\"elections\", \"internal-affairs\"]
effective_from = \"2026-01-01T00:00:00Z\"
expires = \"2027-01-01T00:00:00Z\"
notice = \"90d\"

[text]
en = \"Neither party will interfere in the other's elections.\"
ru = \"Ни одна из сторон не будет вмешиваться в выборы другои\u{306}.\"
ar = \"لن يتدخل أي من الطرفين في انتخابات الطرف ا\u{653}خر.\"
";

fn party(code: &str) -> PartyCode {
    code.parse().expect("party")
}

fn at(text: &str) -> Timestamp {
    text.parse().expect("timestamp")
}

fn validate(text: &str) -> Result<Guarantee, GuaranteeError> {
    GuaranteeSpec::parse(text)?.validate()
}

/// The example with `from` replaced by `to` (which must occur once).
fn edited(from: &str, to: &str) -> String {
    assert_eq!(EXAMPLE.matches(from).count(), 1, "{from:?} must occur once");
    EXAMPLE.replace(from, to)
}

fn reciprocal() -> Guarantee {
    validate(EXAMPLE).expect("the example is valid")
}

fn one_way() -> Guarantee {
    validate(&edited("reciprocal = true", "reciprocal = false")).expect("valid")
}

fn keys() -> (PartySigningKey, PartySigningKey, PartySigningKey) {
    (
        PartySigningKey::from_seed(&[1; 32]),
        PartySigningKey::from_seed(&[2; 32]),
        PartySigningKey::from_seed(&[3; 32]),
    )
}

#[test]
fn the_example_guarantee_is_valid_and_says_what_it_says() {
    let g = reciprocal();
    assert_eq!(g.id.as_str(), "ru-us-elections-2026");
    assert_eq!((g.issuer.as_str(), g.beneficiary.as_str()), ("RU", "US"));
    assert_eq!(g.scope, ["elections", "internal-affairs"]);
    assert_eq!(g.effective_from, at("2026-01-01T00:00:00.000Z"));
    assert_eq!(g.expires, Some(at("2027-01-01T00:00:00.000Z")));
    assert_eq!(g.notice_ms, 90 * 86_400_000);
    assert_eq!(g.signers(), [party("RU"), party("US")]);
    assert_eq!(g.bound_parties(), [party("RU"), party("US")]);
    assert_eq!(g.reference(), "ru-us-elections-2026");
    let one = one_way();
    assert_eq!(one.signers(), [party("RU")]);
    assert_eq!(one.required_signers(), [party("RU")]);
    assert!(one.may_sign(&party("RU")) && !one.may_sign(&party("US")));
    assert!(g.may_sign(&party("US")) && !g.may_sign(&party("FR")));
}

#[test]
fn the_signed_bytes_are_the_one_canonical_form() {
    let g = validate(
        "id = \"g\"\nreciprocal = false\nissuer = \"RU\"\nbeneficiary = \"US\"\nscope = [\"elections\"]\n\
         effective_from = 2026-01-01T03:00:00+03:00\nnotice = \"1h\"\n[text]\nen = \"x\"\n",
    )
    .expect("valid");
    assert_eq!(
        String::from_utf8(g.to_canonical_bytes()).expect("utf8"),
        r#"{"beneficiary":"US","effective_from":"2026-01-01T00:00:00.000Z","id":"g","issuer":"RU","notice_ms":3600000,"reciprocal":false,"scope":["elections"],"text":{"en":"x"},"v":1}"#
    );
    let value = serde_json::from_slice(&g.to_canonical_bytes()).expect("json");
    assert_eq!(Guarantee::from_document(value).expect("reads back"), g);
}

#[test]
fn each_bad_guarantee_is_refused_naming_what_is_wrong() {
    let cases: Vec<(String, &str)> = vec![
        (
            edited("id = \"ru-us-elections-2026\"", "id = \"RU_US\""),
            "id: \"RU_US\" is not a guarantee id; use 1 to 64 of a-z, 0-9 and '-', e.g. ru-us-elections-2026",
        ),
        (
            edited("beneficiary = \"US\"", "beneficiary = \"RU\""),
            "beneficiary: is the issuer, RU; a guarantee is given by one party to another",
        ),
        (
            edited("issuer = \"RU\"", "issuer = \"ru\""),
            "issuer: \"ru\" is not a party code; use 2 to 16 upper-case letters, digits or '-', starting with a letter (e.g. RU, US, UN)",
        ),
        (
            edited("en = \"Neither", "\"russian!\" = \"x\"\nen = \"Neither"),
            "text: \"russian!\" is not a BCP 47 language tag, e.g. ru, en, ar, zh-Hans",
        ),
        (
            edited("en = \"Neither", "EN = \"x\"\nen = \"Neither"),
            "text: \"EN\" and \"en\" are the same language (tags are case-insensitive); give each language once",
        ),
        (
            edited("ru = \"Ни одна", "ru = \" \\n\"\nxx = \"Ни одна"),
            "text.ru: must not be empty; write the text in this language, or leave the language out",
        ),
        (
            EXAMPLE[..EXAMPLE.find("en = ").expect("en")].to_owned(),
            "text: give the text in at least one language, e.g. [text] en = \"…\" (in JSON {\"en\": \"…\"})",
        ),
        (
            edited(
                "scope = [\"elections\", \"internal-affairs\"]",
                "scope = []",
            ),
            "scope: name at least one subject it covers, e.g. [\"elections\", \"internal-affairs\"]",
        ),
        (
            edited("\"internal-affairs\"]", "\"Internal Affairs\"]"),
            "scope[1]: \"Internal Affairs\" is not a scope tag; use 1 to 64 of a-z, 0-9 and '-', e.g. elections",
        ),
        (
            edited("\"internal-affairs\"]", "\"elections\"]"),
            "scope[1]: \"elections\" is given twice; name each subject once",
        ),
        (
            edited(
                "expires = \"2027-01-01T00:00:00Z\"",
                "expires = \"2025-12-31T00:00:00Z\"",
            ),
            "expires: 2025-12-31T00:00:00.000Z is not after effective_from 2026-01-01T00:00:00.000Z: the guarantee expires before it takes effect; set expires later, or leave it out for an open-ended guarantee",
        ),
        (
            edited(
                "expires = \"2027-01-01T00:00:00Z\"",
                "expires = \"2026-01-01T00:00:00Z\"",
            ),
            "the guarantee expires before it takes effect",
        ),
        (
            edited(
                "effective_from = \"2026-01-01T00:00:00Z\"",
                "effective_from = \"soon\"",
            ),
            "effective_from: \"soon\" is not an RFC 3339 time with a UTC offset",
        ),
        (
            edited("notice = \"90d\"", "notice = \"0d\""),
            "notice: \"0d\" is not longer than zero: give the notice period a withdrawal takes, e.g. 90d",
        ),
        (
            edited("notice = \"90d\"", "notice = \"soon\""),
            "notice: \"soon\" is not a duration",
        ),
        (
            edited("notice = \"90d\"", "notice = \"11years\""),
            "notice: may be at most ten years",
        ),
        (
            edited("notice = \"90d\"", "notice = \"90d\"\nsurprise = 1"),
            "unknown field `surprise`",
        ),
        (
            edited("reciprocal = true\n", ""),
            "missing field `reciprocal`",
        ),
    ];
    for (text, says) in cases {
        let error = validate(&text).expect_err(says);
        assert!(
            error.to_string().starts_with(says) || error.to_string().contains(says),
            "wanted {says:?}, got: {error}"
        );
    }
}

#[test]
fn a_document_breaking_a_rule_is_refused_even_when_built_by_hand() {
    let g = reciprocal();
    let with = |member: &str, value: serde_json::Value| {
        let mut document = serde_json::to_value(&g).expect("json");
        document[member] = value;
        Guarantee::from_document(document).expect_err(member)
    };
    assert_eq!(
        with("v", 2.into()).to_string(),
        "v: is 2; this detente reads version 1"
    );
    assert_eq!(
        with("notice_ms", 0.into()).to_string(),
        "notice: must be longer than zero: give the notice period a withdrawal takes, e.g. 90d"
    );
    assert_eq!(
        with("scope", serde_json::json!([])).to_string(),
        "scope: name at least one subject it covers, e.g. [\"elections\", \"internal-affairs\"]"
    );
    let unknown = with("surprise", 1.into());
    assert!(matches!(unknown, GuaranteeError::Document(_)), "{unknown}");
    assert!(
        unknown.to_string().starts_with(
            "the guarantee document is not valid: guarantee.surprise: unknown field `surprise`"
        ),
        "{unknown}"
    );
    let typed = with("issuer", "ru".into());
    assert!(
        typed.to_string().starts_with(
            "the guarantee document is not valid: guarantee.issuer: \"ru\" is not a party code"
        ),
        "{typed}"
    );
}

#[test]
fn only_the_signers_sign_and_every_signature_is_checked() {
    let (ru_key, us_key, fr_key) = keys();
    let one = one_way();
    let error = one
        .sign(&party("US"), &us_key)
        .expect_err("the beneficiary of a one-way guarantee does not sign it");
    assert_eq!(
        error.to_string(),
        "US may not sign guarantee ru-us-elections-2026; it is signed by RU only"
    );
    let error = reciprocal()
        .sign(&party("FR"), &fr_key)
        .expect_err("FR is no party");
    assert_eq!(
        error.to_string(),
        "FR may not sign guarantee ru-us-elections-2026; it is signed by RU and US only"
    );
    // Signed by hand, a beneficiary's signature on a one-way guarantee is
    // refused when read, too.
    let value = serde_json::to_value(&one).expect("json");
    let bytes = us_key.sign_document(Domain::Guarantee, &value);
    let error = SignedGuarantee::verify(&bytes, &party("US"), &us_key.verifying_key())
        .expect_err("not a signer");
    assert!(
        matches!(error, GuaranteeError::NotASigner { .. }),
        "{error}"
    );

    let signed = one.sign(&party("RU"), &ru_key).expect("the issuer signs");
    assert!(signed.bytes().starts_with(b"{\"guarantee\":{"));
    let read = SignedGuarantee::verify(signed.bytes(), &party("RU"), &ru_key.verifying_key())
        .expect("verifies");
    assert_eq!(read.document(), &one);
    let error = SignedGuarantee::verify(signed.bytes(), &party("RU"), &us_key.verifying_key())
        .expect_err("another key");
    assert!(matches!(error, GuaranteeError::Signature(_)), "{error}");
    // A guarantee's signature is no agreement's, nor a pledge's.
    let relabelled = String::from_utf8(signed.bytes().to_vec())
        .expect("utf8")
        .replacen("{\"guarantee\":", "{\"pledge\":", 1);
    let error = crate::pledge::SignedPledge::verify(
        relabelled.as_bytes(),
        &party("RU"),
        &ru_key.verifying_key(),
    )
    .expect_err("another domain");
    assert!(
        matches!(error, crate::pledge::PledgeError::Document(_)),
        "{error}"
    );
}

#[test]
fn a_signed_guarantee_has_one_byte_form() {
    let (ru_key, ..) = keys();
    let mut value = serde_json::to_value(one_way()).expect("json");
    value["expires"] = serde_json::Value::Null;
    let bytes = ru_key.sign_document(Domain::Guarantee, &value);
    let error = SignedGuarantee::verify(&bytes, &party("RU"), &ru_key.verifying_key())
        .expect_err("not the one form");
    assert_eq!(
        error.to_string(),
        "the guarantee document is not valid: the guarantee is not in its one canonical form (empty lists and nulls are left out); sign the document detente writes"
    );
}

#[test]
fn a_reciprocal_guarantee_is_concluded_only_when_both_signed_the_same_bytes() {
    let (ru_key, us_key, _) = keys();
    let g = reciprocal();
    let proposal = g.sign(&party("RU"), &ru_key).expect("RU proposes");
    let mut signatures = GuaranteeSignatures::proposed(proposal.clone());
    assert!(!signatures.complete());
    assert_eq!(signatures.missing(), [&party("US")]);
    let one_signature = [GuaranteeEvent::Signed {
        by: party("RU"),
        at: at("2025-11-01T00:00:00.000Z"),
    }];
    let later = at("2026-06-01T00:00:00.000Z");
    assert_eq!(
        status_at(&g, &one_signature, later),
        GuaranteeStatus::Proposed {
            missing: vec![party("US")]
        }
    );
    assert!(!in_force_at(&g, &one_signature, later));

    // A countersignature over an amended text is refused; nothing changes.
    let mut amended = g.clone();
    amended.scope.pop();
    let other = amended
        .sign(&party("US"), &us_key)
        .expect("US signs its text");
    let error = signatures.add(other).expect_err("different bytes");
    assert!(
        matches!(error, GuaranteeError::DifferentBytes { .. }),
        "{error}"
    );
    assert!(
        error.to_string().starts_with(
            "US's signature is over another text of guarantee ru-us-elections-2026 than the one proposed (SHA-256 "
        ),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .ends_with("; sign exactly the proposed bytes")
    );
    assert!(!signatures.complete());

    let countersigned = g.sign(&party("US"), &us_key).expect("US signs");
    assert_eq!(countersigned.document_sha256(), proposal.document_sha256());
    signatures.add(countersigned).expect("same bytes");
    assert!(signatures.complete());
    assert_eq!(
        signatures.signed_by().collect::<Vec<_>>(),
        [&party("RU"), &party("US")]
    );
}

#[test]
fn arabic_russian_and_english_texts_come_back_byte_for_byte() {
    let (ru_key, us_key, _) = keys();
    let g = reciprocal();
    let ru = &g.text["ru"];
    let ar = &g.text["ar"];
    // As written, not NFC: the combining marks are still there.
    assert!(ru.contains("и\u{306}") && !ru.contains('\u{439}'));
    assert!(ar.contains("ا\u{653}") && !ar.contains('\u{622}'));
    let signed = g.sign(&party("RU"), &ru_key).expect("signs");
    for text in g.text.values() {
        let found = signed
            .bytes()
            .windows(text.len())
            .any(|w| w == text.as_bytes());
        assert!(found, "{text:?} is not in the signed bytes as written");
    }
    let read = SignedGuarantee::verify(signed.bytes(), &party("RU"), &ru_key.verifying_key())
        .expect("verifies");
    assert_eq!(read.document().text, g.text);
    for (tag, text) in &g.text {
        assert_eq!(
            read.document().text[tag].as_bytes(),
            text.as_bytes(),
            "{tag}"
        );
    }
    // The countersignature made from what was read signs the same bytes.
    let countersigned = read
        .document()
        .sign(&party("US"), &us_key)
        .expect("US signs");
    assert_eq!(countersigned.document_sha256(), signed.document_sha256());
}

#[test]
fn withdrawal_is_for_the_bound_parties_only() {
    let one = one_way();
    check_withdrawal(&one, &party("RU")).expect("the issuer may");
    assert_eq!(
        check_withdrawal(&one, &party("US"))
            .expect_err("the beneficiary may not")
            .to_string(),
        "US may not withdraw guarantee ru-us-elections-2026: it is the beneficiary of a one-way guarantee, which binds only its issuer RU; only RU may withdraw it"
    );
    let g = reciprocal();
    check_withdrawal(&g, &party("US")).expect("either party of a reciprocal one");
    assert_eq!(
        check_withdrawal(&g, &party("FR"))
            .expect_err("FR is no party")
            .to_string(),
        "FR may not withdraw guarantee ru-us-elections-2026: it is not a party to it; only RU or US may withdraw it"
    );
}

fn signed(by: &str, when: &str) -> GuaranteeEvent {
    GuaranteeEvent::Signed {
        by: party(by),
        at: at(when),
    }
}

fn withdrawn(by: &str, when: &str) -> GuaranteeEvent {
    GuaranteeEvent::Withdrawn {
        by: party(by),
        at: at(when),
    }
}

fn lapsed(when: &str, why: LapseReason) -> GuaranteeStatus {
    GuaranteeStatus::Lapsed { at: at(when), why }
}

fn withdrawn_by(by: &str) -> LapseReason {
    LapseReason::Withdrawn { by: party(by) }
}

#[test]
fn the_lifecycle_from_proposal_to_lapse() {
    let g = reciprocal();
    // Given out of order: the time decides.
    let mut events = vec![
        signed("US", "2025-12-01T00:00:00.000Z"),
        signed("RU", "2025-11-01T00:00:00.000Z"),
        withdrawn("US", "2026-03-01T00:00:00.000Z"),
    ];
    let expected: &[(&str, GuaranteeStatus, bool)] = &[
        (
            "2025-10-01T00:00:00.000Z",
            GuaranteeStatus::Proposed {
                missing: vec![party("RU"), party("US")],
            },
            false,
        ),
        (
            "2025-11-01T00:00:00.000Z",
            GuaranteeStatus::Proposed {
                missing: vec![party("US")],
            },
            false,
        ),
        (
            "2025-12-01T00:00:00.000Z",
            GuaranteeStatus::Concluded {
                effective_from: at("2026-01-01T00:00:00.000Z"),
            },
            false,
        ),
        (
            "2026-01-01T00:00:00.000Z",
            GuaranteeStatus::InForce {
                since: at("2026-01-01T00:00:00.000Z"),
            },
            true,
        ),
        (
            "2026-03-01T00:00:00.000Z",
            GuaranteeStatus::WithdrawalNotified {
                by: party("US"),
                at: at("2026-03-01T00:00:00.000Z"),
                lapses_at: at("2026-05-30T00:00:00.000Z"),
            },
            true,
        ),
        (
            "2026-05-29T23:59:59.999Z",
            GuaranteeStatus::WithdrawalNotified {
                by: party("US"),
                at: at("2026-03-01T00:00:00.000Z"),
                lapses_at: at("2026-05-30T00:00:00.000Z"),
            },
            true,
        ),
        (
            "2026-05-30T00:00:00.000Z",
            lapsed("2026-05-30T00:00:00.000Z", withdrawn_by("US")),
            false,
        ),
        (
            "2030-01-01T00:00:00.000Z",
            lapsed("2026-05-30T00:00:00.000Z", withdrawn_by("US")),
            false,
        ),
    ];
    for (t, status, in_force) in expected {
        assert_eq!(&status_at(&g, &events, at(t)), status, "at {t}");
        assert_eq!(in_force_at(&g, &events, at(t)), *in_force, "at {t}");
    }

    // Without the withdrawal it runs to its expiry.
    events.pop();
    assert_eq!(
        status_at(&g, &events, at("2026-12-31T23:59:59.999Z")),
        GuaranteeStatus::InForce {
            since: at("2026-01-01T00:00:00.000Z")
        }
    );
    for t in ["2027-01-01T00:00:00.000Z", "2028-01-01T00:00:00.000Z"] {
        assert_eq!(
            status_at(&g, &events, at(t)),
            lapsed("2027-01-01T00:00:00.000Z", LapseReason::Expired),
            "at {t}"
        );
        assert!(!in_force_at(&g, &events, at(t)));
    }
}

#[test]
fn in_force_from_the_later_of_conclusion_and_effective_from() {
    let g = reciprocal();
    let events = [
        signed("RU", "2025-11-01T00:00:00.000Z"),
        signed("US", "2026-02-01T00:00:00.000Z"),
    ];
    assert_eq!(
        status_at(&g, &events, at("2026-01-15T00:00:00.000Z")),
        GuaranteeStatus::Proposed {
            missing: vec![party("US")]
        }
    );
    assert_eq!(
        status_at(&g, &events, at("2026-02-01T00:00:00.000Z")),
        GuaranteeStatus::InForce {
            since: at("2026-02-01T00:00:00.000Z")
        }
    );
}

#[test]
fn a_withdrawal_near_expiry_lapses_at_expiry() {
    let g = reciprocal();
    let events = [
        signed("RU", "2025-11-01T00:00:00.000Z"),
        signed("US", "2025-12-01T00:00:00.000Z"),
        withdrawn("RU", "2026-12-01T00:00:00.000Z"),
    ];
    assert_eq!(
        status_at(&g, &events, at("2026-12-15T00:00:00.000Z")),
        GuaranteeStatus::WithdrawalNotified {
            by: party("RU"),
            at: at("2026-12-01T00:00:00.000Z"),
            lapses_at: at("2027-01-01T00:00:00.000Z"),
        }
    );
    assert_eq!(
        status_at(&g, &events, at("2027-01-01T00:00:00.000Z")),
        lapsed("2027-01-01T00:00:00.000Z", LapseReason::Expired)
    );
}

#[test]
fn a_withdrawal_before_conclusion_ends_the_proposal() {
    let g = reciprocal();
    let events = [
        signed("RU", "2025-11-01T00:00:00.000Z"),
        withdrawn("US", "2025-11-10T00:00:00.000Z"),
        // Too late: the proposal has ended.
        signed("US", "2025-11-20T00:00:00.000Z"),
    ];
    for t in ["2025-11-10T00:00:00.000Z", "2026-06-01T00:00:00.000Z"] {
        assert_eq!(
            status_at(&g, &events, at(t)),
            lapsed("2025-11-10T00:00:00.000Z", withdrawn_by("US")),
            "at {t}"
        );
    }
    // A proposal nobody concluded lapses at its expiry.
    let unsigned = [signed("RU", "2025-11-01T00:00:00.000Z")];
    assert_eq!(
        status_at(&g, &unsigned, at("2027-02-01T00:00:00.000Z")),
        lapsed("2027-01-01T00:00:00.000Z", LapseReason::Expired)
    );
}

#[test]
fn a_withdrawal_before_it_takes_effect_keeps_it_out_of_force() {
    let g = reciprocal();
    let events = [
        signed("RU", "2025-11-01T00:00:00.000Z"),
        signed("US", "2025-11-02T00:00:00.000Z"),
        withdrawn("RU", "2025-12-01T00:00:00.000Z"),
    ];
    let during_notice = at("2025-12-15T00:00:00.000Z");
    assert_eq!(
        status_at(&g, &events, during_notice),
        GuaranteeStatus::WithdrawalNotified {
            by: party("RU"),
            at: at("2025-12-01T00:00:00.000Z"),
            lapses_at: at("2026-03-01T00:00:00.000Z"),
        }
    );
    assert!(!in_force_at(&g, &events, during_notice));
    assert!(in_force_at(&g, &events, at("2026-02-01T00:00:00.000Z")));
}

#[test]
fn records_the_rules_do_not_count_are_ignored() {
    let one = one_way();
    let events = [
        // Not a signer of a one-way guarantee, nor bound by it.
        signed("US", "2025-10-01T00:00:00.000Z"),
        signed("FR", "2025-10-01T00:00:00.000Z"),
        withdrawn("US", "2025-10-02T00:00:00.000Z"),
        signed("RU", "2025-11-01T00:00:00.000Z"),
        // Signing again changes nothing; the first withdrawal counts.
        signed("RU", "2026-02-01T00:00:00.000Z"),
        withdrawn("RU", "2026-03-01T00:00:00.000Z"),
        withdrawn("RU", "2026-04-01T00:00:00.000Z"),
    ];
    assert_eq!(
        status_at(&one, &events, at("2025-12-01T00:00:00.000Z")),
        GuaranteeStatus::Concluded {
            effective_from: at("2026-01-01T00:00:00.000Z")
        }
    );
    assert_eq!(
        status_at(&one, &events, at("2026-02-15T00:00:00.000Z")),
        GuaranteeStatus::InForce {
            since: at("2026-01-01T00:00:00.000Z")
        }
    );
    assert_eq!(
        status_at(&one, &events, at("2026-04-15T00:00:00.000Z")),
        GuaranteeStatus::WithdrawalNotified {
            by: party("RU"),
            at: at("2026-03-01T00:00:00.000Z"),
            lapses_at: at("2026-05-30T00:00:00.000Z"),
        }
    );
    // An open-ended guarantee never expires.
    let mut open = one.clone();
    open.expires = None;
    assert_eq!(
        status_at(&open, &events[..5], at("2100-01-01T00:00:00.000Z")),
        GuaranteeStatus::InForce {
            since: at("2026-01-01T00:00:00.000Z")
        }
    );
}

#[test]
fn statuses_read_as_one_line() {
    let cases = [
        (
            GuaranteeStatus::Proposed {
                missing: vec![party("US")],
            },
            "proposed; awaiting the signature of US",
        ),
        (
            GuaranteeStatus::Proposed {
                missing: vec![party("RU"), party("US")],
            },
            "proposed; awaiting the signature of RU and US",
        ),
        (
            GuaranteeStatus::Concluded {
                effective_from: at("2026-01-01T00:00:00.000Z"),
            },
            "concluded; takes effect at 2026-01-01T00:00:00.000Z",
        ),
        (
            GuaranteeStatus::InForce {
                since: at("2026-01-01T00:00:00.000Z"),
            },
            "in force since 2026-01-01T00:00:00.000Z",
        ),
        (
            GuaranteeStatus::WithdrawalNotified {
                by: party("RU"),
                at: at("2026-03-01T00:00:00.000Z"),
                lapses_at: at("2026-05-30T00:00:00.000Z"),
            },
            "withdrawal notified by RU at 2026-03-01T00:00:00.000Z; lapses at 2026-05-30T00:00:00.000Z",
        ),
        (
            lapsed("2027-01-01T00:00:00.000Z", LapseReason::Expired),
            "lapsed at 2027-01-01T00:00:00.000Z (expired)",
        ),
        (
            lapsed("2026-05-30T00:00:00.000Z", withdrawn_by("US")),
            "lapsed at 2026-05-30T00:00:00.000Z (withdrawn by US)",
        ),
    ];
    for (status, line) in cases {
        assert_eq!(status.to_string(), line);
    }
    assert_eq!(
        GuaranteeStatus::InForce {
            since: at("2026-01-01T00:00:00.000Z")
        }
        .state(),
        "in-force"
    );
}

fn any_event() -> impl Strategy<Value = GuaranteeEvent> {
    let start = at("2025-10-01T00:00:00.000Z");
    (
        prop::bool::ANY,
        prop::sample::select(vec!["RU", "US", "FR"]),
        0i64..600,
    )
        .prop_map(move |(signs, by, days)| {
            let at = start.plus(chrono::TimeDelta::days(days));
            if signs {
                GuaranteeEvent::Signed { by: party(by), at }
            } else {
                GuaranteeEvent::Withdrawn { by: party(by), at }
            }
        })
}

proptest! {
    /// Once lapsed, a guarantee stays lapsed the same way; in force only
    /// after both signers signed, at or before that time.
    #[test]
    fn lapse_is_final_and_force_needs_every_signature(
        events in prop::collection::vec(any_event(), 0..8),
        t1 in 0i64..700,
        later in 0i64..700,
    ) {
        let g = reciprocal();
        let start = at("2025-10-01T00:00:00.000Z");
        let t1 = start.plus(chrono::TimeDelta::days(t1));
        let t2 = t1.plus(chrono::TimeDelta::days(later));
        let first = status_at(&g, &events, t1);
        if let GuaranteeStatus::Lapsed { .. } = first {
            prop_assert_eq!(status_at(&g, &events, t2), first);
        }
        if in_force_at(&g, &events, t1) {
            for signer in ["RU", "US"] {
                let has_signed = events.iter().any(|e| matches!(
                    e,
                    GuaranteeEvent::Signed { by, at } if by.as_str() == signer && *at <= t1
                ));
                prop_assert!(has_signed, "in force at {} without {}'s signature", t1, signer);
            }
        }
    }
}

#[test]
fn a_signed_guarantee_travels_in_a_body_as_its_exact_bytes() {
    use crate::body::{Body, GuaranteeSignature};
    use crate::kind::MessageKind;
    let (ru_key, ..) = keys();
    let signed = reciprocal().sign(&party("RU"), &ru_key).expect("signs");
    let body = Body::GuaranteePropose(GuaranteeSignature {
        signed: String::from_utf8(signed.bytes().to_vec()).expect("utf8"),
    });
    let received =
        Body::from_value(MessageKind::GuaranteePropose, body.to_value()).expect("a valid body");
    let Body::GuaranteePropose(b) = received else {
        unreachable!("a proposal")
    };
    let read = SignedGuarantee::verify(b.signed.as_bytes(), &party("RU"), &ru_key.verifying_key())
        .expect("verifies");
    assert_eq!(read.bytes(), signed.bytes());
    assert_eq!(
        Body::GuaranteePropose(b).headline(),
        "guarantee ru-us-elections-2026 proposed"
    );
}
