use super::*;
use crate::ids::{PartyCode, Tier};
use crate::kind::{MessageKind, Precedence, Tlp};

/// The example agreement of `testdata/agreement-example.toml`.
const EXAMPLE: &str = include_str!("../../testdata/agreement-example.toml");

fn party(code: &str) -> PartyCode {
    code.parse().expect("party")
}

fn validate(text: &str) -> Result<Agreement, AgreementError> {
    AgreementSpec::parse(text)?.validate()
}

/// The example with `from` replaced by `to` (which must occur once).
fn edited(from: &str, to: &str) -> String {
    assert_eq!(EXAMPLE.matches(from).count(), 1, "{from:?} must occur once");
    EXAMPLE.replace(from, to)
}

#[test]
fn the_example_agreement_is_valid_and_says_what_it_says() {
    let a = validate(EXAMPLE).expect("the example is valid");
    assert_eq!(a.reference().to_string(), "ru-us-ict-incidents@1");
    assert_eq!(a.parties, [party("RU"), party("US")]);
    assert_eq!(a.clock_skew_ms, 300_000);
    assert_eq!(a.default_tlp, Tlp::Amber);
    assert_eq!(a.tiers.len(), 4);
    let flash = a
        .deadlines_for(MessageKind::Notification, Precedence::Flash)
        .expect("flash deadline");
    assert_eq!(flash.acknowledge, chrono::TimeDelta::hours(1));
    assert_eq!(flash.reply, Some(chrono::TimeDelta::hours(24)));
    assert_eq!(
        a.deadlines_for(MessageKind::Goodwill, Precedence::Flash),
        None
    );
    assert_eq!(
        a.ladder_from(Tier::Technical),
        [
            (chrono::TimeDelta::hours(1), Tier::Operational),
            (chrono::TimeDelta::hours(4), Tier::Leadership)
        ]
    );
    assert_eq!(a.ladder_from(Tier::Leadership), []);
    let checks = a.communication_checks.as_ref().expect("checks");
    assert_eq!(checks.every_ms, 30 * 86_400_000);
    assert!(a.exercises.allowed && a.exercises.counted_apart);
}

#[test]
fn the_signed_bytes_are_canonical_and_read_back() {
    let a = validate(EXAMPLE).expect("valid");
    let bytes = a.to_canonical_bytes();
    let value: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    crate::canonical::ensure_canonical("agreement", &bytes).expect("canonical");
    assert_eq!(value["deadlines"][0]["acknowledge_ms"], 3_600_000);
    assert_eq!(Agreement::from_document(value).expect("reads back"), a);
}

#[test]
fn the_rules_allow_and_refuse_naming_the_rule() {
    let a = validate(EXAMPLE).expect("valid");
    let (ru, us, fr) = (party("RU"), party("US"), party("FR"));
    a.allows(
        (&ru, Tier::Technical),
        (&us, Tier::Technical),
        MessageKind::Notification,
        false,
    )
    .expect("a technical notification");
    let refused = a
        .allows(
            (&ru, Tier::Technical),
            (&us, Tier::Technical),
            MessageKind::ConsultationRequest,
            false,
        )
        .expect_err("technical may not request consultations");
    assert!(
        matches!(
            refused,
            Refusal::KindNotAllowed {
                tier: Tier::Technical,
                ..
            }
        ),
        "{refused}"
    );
    assert!(
        refused
            .to_string()
            .contains("tier technical may not send consultation-request")
    );
    let refused = a
        .allows(
            (&fr, Tier::Technical),
            (&us, Tier::Technical),
            MessageKind::Notification,
            false,
        )
        .expect_err("FR is not a party");
    assert!(
        refused
            .to_string()
            .contains("FR is not a party to agreement ru-us-ict-incidents@1")
    );
    let narrow = validate(&edited(
        "[tiers.policy]\nmay_send = [\"consultation-request\", \"reply\", \"acknowledgement\", \"goodwill\", \"guarantee-propose\", \"guarantee-sign\", \"guarantee-withdraw\", \"channel-status\"]\n",
        "",
    ))
    .expect("valid without policy tier");
    let refused = narrow
        .allows(
            (&ru, Tier::Policy),
            (&us, Tier::Policy),
            MessageKind::Reply,
            false,
        )
        .expect_err("policy not in use");
    assert!(matches!(refused, Refusal::TierNotInUse { .. }), "{refused}");
    let no_exercises = validate(&edited("allowed = true", "allowed = false")).expect("valid");
    let refused = no_exercises
        .allows(
            (&ru, Tier::Technical),
            (&us, Tier::Technical),
            MessageKind::Ping,
            true,
        )
        .expect_err("no exercises");
    assert!(matches!(refused, Refusal::ExercisesNotAllowed { .. }));
}

#[test]
fn each_bad_agreement_is_refused_naming_what_is_wrong() {
    let cases: Vec<(String, &str)> = vec![
        (
            edited("[tiers.policy]", "[tiers.ministry]"),
            "tiers.ministry: \"ministry\" is not a tier",
        ),
        (
            edited("acknowledge = \"1h\"", "acknowledge = \"0s\""),
            "deadlines[0].acknowledge: a deadline must be longer than zero",
        ),
        (
            edited("acknowledge = \"1h\"", "acknowledge = \"-1h\""),
            "deadlines[0].acknowledge: a deadline must be longer than zero",
        ),
        (
            edited("acknowledge = \"4h\"", "acknowledge = \"soon\""),
            "deadlines[2].acknowledge: \"soon\" is not a duration",
        ),
        (
            edited(
                "after = \"4h\"\nfrom = \"operational\"\nto = \"leadership\"",
                "after = \"4h\"\nfrom = \"operational\"\nto = \"technical\"",
            ),
            "escalation: the ladder loops (technical → operational → technical)",
        ),
        (
            edited(
                "from = \"operational\"\nto = \"leadership\"",
                "from = \"operational\"\nto = \"operational\"",
            ),
            "the ladder loops (operational → operational)",
        ),
        (
            edited("to = \"leadership\"", "to = \"director\""),
            "escalation[1].to: \"director\" is not a tier",
        ),
        (
            edited(
                "[tiers.leadership]\nmay_send = [\"consultation-request\", \"reply\", \"acknowledgement\", \"goodwill\", \"guarantee-propose\", \"guarantee-sign\", \"guarantee-withdraw\", \"channel-status\"]\n",
                "",
            ),
            "escalation[1].to: tier leadership is not in use in this agreement",
        ),
        (
            edited("after = \"4h\"", "after = \"30m\""),
            "must grow up the ladder",
        ),
        (
            edited("parties = [\"RU\", \"US\"]", "parties = [\"RU\", \"RU\"]"),
            "parties: party RU is given twice",
        ),
        (
            edited("parties = [\"RU\", \"US\"]", "parties = [\"RU\"]"),
            "at least two parties",
        ),
        (
            edited("default_tlp = \"AMBER\"", "default_tlp = \"BROWN\""),
            "default_tlp:",
        ),
        (edited("version = 1", "version = 0"), "id, version:"),
        (
            edited("answer_within = \"2h\"", "answer_within = \"31d\""),
            "must be shorter than communication_checks.every",
        ),
        (
            edited("languages = [\"ru\", \"en\"]", "languages = [\"russian!\"]"),
            "languages[0]: \"russian!\" is not a BCP 47 language tag",
        ),
        (
            edited("clock_skew = \"5m\"", "clock_skew = \"5m\"\nsurprise = 1"),
            "unknown field `surprise`",
        ),
        (
            edited("kind = \"consultation-request\"", "kind = \"pledge-sign\""),
            "deadlines[3].kind: no tier may send pledge-sign",
        ),
    ];
    for (text, says) in cases {
        let error = validate(&text).expect_err(says);
        assert!(
            error.to_string().contains(says),
            "wanted {says:?}, got: {error}"
        );
    }
}

#[test]
fn a_document_with_a_loop_is_refused_even_when_built_by_hand() {
    let mut a = validate(EXAMPLE).expect("valid");
    a.escalation.push(EscalationStep {
        after_ms: 5 * 3_600_000,
        from: Tier::Leadership,
        to: Tier::Technical,
    });
    let error =
        Agreement::from_document(serde_json::to_value(&a).expect("json")).expect_err("loop");
    assert!(
        matches!(error, AgreementError::LadderLoops { .. }),
        "{error}"
    );
}

#[test]
fn in_force_only_when_every_party_signed_the_same_bytes() {
    use crate::signing::PartySigningKey;
    let (ru_key, us_key, fr_key) = (
        PartySigningKey::from_seed(&[1; 32]),
        PartySigningKey::from_seed(&[2; 32]),
        PartySigningKey::from_seed(&[3; 32]),
    );
    let a = validate(EXAMPLE).expect("valid");
    let proposal = a.sign(&party("RU"), &ru_key).expect("RU signs");
    let mut signatures = Signatures::proposed(proposal.clone());
    assert!(!signatures.complete());
    assert_eq!(signatures.missing(), [&party("US")]);

    // A countersignature over an amended text is refused; nothing changes.
    let mut amended = a.clone();
    amended.title.push('!');
    let other = amended
        .sign(&party("US"), &us_key)
        .expect("US signs its own text");
    let error = signatures.add(other).expect_err("different bytes");
    assert!(
        matches!(error, AgreementError::DifferentBytes { .. }),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains("US's signature is over another text"),
        "{error}"
    );
    assert!(!signatures.complete());

    // The same bytes: in force.
    let countersigned = a.sign(&party("US"), &us_key).expect("US signs");
    assert_eq!(countersigned.document_sha256(), proposal.document_sha256());
    signatures.add(countersigned.clone()).expect("same bytes");
    assert!(signatures.complete());

    // Signed bytes verify with the signer's key only, and only for a party.
    SignedAgreement::verify(countersigned.bytes(), &party("US"), &us_key.verifying_key())
        .expect("verifies");
    let error =
        SignedAgreement::verify(countersigned.bytes(), &party("US"), &ru_key.verifying_key())
            .expect_err("RU's key");
    assert!(matches!(error, AgreementError::Signature(_)), "{error}");
    let error = a.sign(&party("FR"), &fr_key).expect_err("FR is no party");
    assert!(matches!(error, AgreementError::NotAParty { .. }), "{error}");
    let mut flipped = countersigned.bytes().to_vec();
    let at = flipped.windows(5).position(|w| w == b"ru-us").expect("id");
    flipped[at] = b'x';
    assert!(SignedAgreement::verify(&flipped, &party("US"), &us_key.verifying_key()).is_err());
}

#[test]
fn a_signed_agreement_has_one_byte_form() {
    use crate::signing::{Domain, PartySigningKey};
    let key = PartySigningKey::from_seed(&[1; 32]);
    let a = validate(EXAMPLE).expect("valid");
    let mut value = serde_json::to_value(&a).expect("json");
    // The same agreement with a member the canonical form leaves out.
    value["communication_checks"]["tiers"] = serde_json::json!(["technical", "operational"]);
    value["languages"] = serde_json::json!([]);
    let bytes = key.sign_document(Domain::Agreement, &value);
    let error = SignedAgreement::verify(&bytes, &party("RU"), &key.verifying_key())
        .expect_err("not the one form");
    assert!(error.to_string().contains("one canonical form"), "{error}");
}
