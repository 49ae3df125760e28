use super::*;
use crate::cosigned::CosignedDocument;
use crate::ids::PartyCode;
use crate::signing::PartySigningKey;
use crate::time::Timestamp;

const EXAMPLE: &str = "id = \"no-first-use\"
host = \"UN\"
title = \"Pledge of no first use of ICT against each other\"
open_from = \"2026-01-01T00:00:00Z\"
open_until = \"2027-01-01T00:00:00Z\"

[text]
en = \"Each signatory pledges not to be the first to use ICT against another signatory.\"
ru = \"Каждая сторона обязуется не применять первои\u{306} ИКТ против другой.\"
ar = \"يتعهد كل طرف بألا يكون البادئ باستخدام تكنولوجيا المعلومات ضد ا\u{653}خر.\"
";

fn party(code: &str) -> PartyCode {
    code.parse().expect("party")
}

fn at(text: &str) -> Timestamp {
    text.parse().expect("timestamp")
}

fn validate(text: &str) -> Result<Pledge, PledgeError> {
    PledgeSpec::parse(text)?.validate()
}

fn edited(from: &str, to: &str) -> String {
    assert_eq!(EXAMPLE.matches(from).count(), 1, "{from:?} must occur once");
    EXAMPLE.replace(from, to)
}

fn pledge() -> Pledge {
    validate(EXAMPLE).expect("the example is valid")
}

fn signed(by: &str, when: &str) -> PledgeEvent {
    PledgeEvent::Signed {
        by: party(by),
        at: at(when),
    }
}

fn withdrawn(by: &str, when: &str) -> PledgeEvent {
    PledgeEvent::Withdrawn {
        by: party(by),
        at: at(when),
    }
}

#[test]
fn the_example_pledge_is_valid_and_canonical() {
    let p = pledge();
    assert_eq!(p.reference().to_string(), "UN/no-first-use");
    assert_eq!(CosignedDocument::reference(&p), "UN/no-first-use");
    assert_eq!(p.required_signers(), [party("UN")]);
    assert!(p.may_sign(&party("RU")) && p.may_sign(&party("FR")));
    let bytes = p.to_canonical_bytes();
    let text = String::from_utf8(bytes.clone()).expect("utf8");
    assert!(
        text.starts_with(r#"{"host":"UN","id":"no-first-use","open_from":"2026-01-01T00:00:00.000Z","open_until":"2027-01-01T00:00:00.000Z","text":{"ar":""#),
        "{text}"
    );
    assert!(
        text.ends_with(r#","title":"Pledge of no first use of ICT against each other","v":1}"#)
    );
    let value = serde_json::from_slice(&bytes).expect("json");
    assert_eq!(Pledge::from_document(value).expect("reads back"), p);
}

#[test]
fn each_bad_pledge_is_refused_naming_what_is_wrong() {
    let cases: Vec<(String, &str)> = vec![
        (
            edited("id = \"no-first-use\"", "id = \"No First Use\""),
            "id: \"No First Use\" is not a pledge id; use 1 to 64 of a-z, 0-9 and '-', e.g. no-first-use",
        ),
        (
            edited("host = \"UN\"", "host = \"un\""),
            "host: \"un\" is not a party code",
        ),
        (
            edited(
                "title = \"Pledge of no first use of ICT against each other\"",
                "title = \"  \"",
            ),
            "title: must be 1 to 256 characters",
        ),
        (
            edited(
                "title = \"Pledge of no first use of ICT against each other\"",
                &format!("title = \"{}\"", "я".repeat(257)),
            ),
            "title: must be 1 to 256 characters",
        ),
        (
            edited("en = \"Each", "\"english\" = \"x\"\nen = \"Each"),
            "text: \"english\" is not a BCP 47 language tag, e.g. ru, en, ar, zh-Hans",
        ),
        (
            edited("en = \"Each", "en = \"\"\nzz = \"Each"),
            "text.en: must not be empty; write the text in this language, or leave the language out",
        ),
        (
            edited(
                "open_until = \"2027-01-01T00:00:00Z\"",
                "open_until = \"2026-01-01T00:00:00Z\"",
            ),
            "open_until: 2026-01-01T00:00:00.000Z is not after open_from 2026-01-01T00:00:00.000Z: the pledge would close before it opens; set open_until later than open_from",
        ),
        (
            edited(
                "open_from = \"2026-01-01T00:00:00Z\"",
                "open_from = \"2026-01-01\"",
            ),
            "open_from: \"2026-01-01\" is not an RFC 3339 time with a UTC offset",
        ),
        (
            edited("host = \"UN\"", "host = \"UN\"\nsignatories = []"),
            "unknown field `signatories`",
        ),
    ];
    for (text, says) in cases {
        let error = validate(&text).expect_err(says);
        assert!(
            error.to_string().starts_with(says) || error.to_string().contains(says),
            "wanted {says:?}, got: {error}"
        );
    }
    let mut document = serde_json::to_value(pledge()).expect("json");
    document["v"] = 0.into();
    assert_eq!(
        Pledge::from_document(document).expect_err("v").to_string(),
        "v: is 0; this detente reads version 1"
    );
}

#[test]
fn anyone_signs_the_bytes_the_host_published_and_nothing_else() {
    let (un_key, ru_key, us_key) = (
        PartySigningKey::from_seed(&[9; 32]),
        PartySigningKey::from_seed(&[1; 32]),
        PartySigningKey::from_seed(&[2; 32]),
    );
    let p = pledge();
    let published = p.sign(&party("UN"), &un_key).expect("the host publishes");
    assert!(published.bytes().starts_with(b"{\"key_id\":"));
    let mut signatures = PledgeSignatures::proposed(published.clone());
    assert!(signatures.complete(), "the host's signature publishes it");
    let ru = p.sign(&party("RU"), &ru_key).expect("RU signs");
    assert_eq!(ru.document_sha256(), published.document_sha256());
    signatures.add(ru.clone()).expect("same bytes");
    let read =
        SignedPledge::verify(ru.bytes(), &party("RU"), &ru_key.verifying_key()).expect("verifies");
    assert_eq!(read.document().text, p.text, "texts byte for byte");

    let mut amended = p.clone();
    amended.title.push('!');
    let other = amended
        .sign(&party("US"), &us_key)
        .expect("US signs its text");
    let error = signatures.add(other).expect_err("different bytes");
    assert!(
        error.to_string().starts_with(
            "US's signature is over another text of pledge UN/no-first-use than the one its host published (SHA-256 "
        ),
        "{error}"
    );
    assert_eq!(
        signatures.signed_by().collect::<Vec<_>>(),
        [&party("RU"), &party("UN")]
    );
}

#[test]
fn the_window_is_open_from_inclusive_until_exclusive() {
    let p = pledge();
    check_signature_time(&p, at("2026-01-01T00:00:00.000Z")).expect("opens");
    check_signature_time(&p, at("2026-12-31T23:59:59.999Z")).expect("still open");
    assert_eq!(
        check_signature_time(&p, at("2025-12-31T23:59:59.999Z"))
            .expect_err("not yet")
            .to_string(),
        "the pledge UN/no-first-use opens for signature at 2026-01-01T00:00:00.000Z; a signature made at 2025-12-31T23:59:59.999Z is refused: sign it from then on"
    );
    assert_eq!(
        check_signature_time(&p, at("2027-01-01T00:00:00.000Z"))
            .expect_err("closed")
            .to_string(),
        "the pledge UN/no-first-use closed for signature at 2027-01-01T00:00:00.000Z; a signature made at 2027-01-01T00:00:00.000Z is refused"
    );
}

#[test]
fn signatories_with_withdrawals_and_signatures_again() {
    let p = pledge();
    let events = [
        signed("US", "2026-02-01T00:00:00.000Z"),
        signed("RU", "2026-01-01T00:00:00.000Z"),
        // Before the window and after it: ignored.
        signed("FR", "2025-12-01T00:00:00.000Z"),
        signed("CN", "2027-01-01T00:00:00.000Z"),
        // Signing again changes nothing.
        signed("RU", "2026-03-01T00:00:00.000Z"),
        withdrawn("US", "2026-04-01T00:00:00.000Z"),
        signed("US", "2026-05-01T00:00:00.000Z"),
        // A withdrawal after the window closed still counts.
        withdrawn("RU", "2027-02-01T00:00:00.000Z"),
        // Not a signatory: ignored.
        withdrawn("FR", "2026-06-01T00:00:00.000Z"),
    ];
    let ru = (party("RU"), at("2026-01-01T00:00:00.000Z"));
    let us_first = (party("US"), at("2026-02-01T00:00:00.000Z"));
    let us_again = (party("US"), at("2026-05-01T00:00:00.000Z"));
    let table: &[(&str, Vec<(PartyCode, Timestamp)>)] = &[
        ("2025-12-31T00:00:00.000Z", vec![]),
        ("2026-01-01T00:00:00.000Z", vec![ru.clone()]),
        ("2026-03-15T00:00:00.000Z", vec![ru.clone(), us_first]),
        ("2026-04-01T00:00:00.000Z", vec![ru.clone()]),
        (
            "2026-05-01T00:00:00.000Z",
            vec![ru.clone(), us_again.clone()],
        ),
        ("2027-01-15T00:00:00.000Z", vec![ru, us_again.clone()]),
        ("2027-02-01T00:00:00.000Z", vec![us_again]),
    ];
    for (t, want) in table {
        assert_eq!(&signatories_at(&p, &events, at(t)), want, "at {t}");
    }

    check_withdrawal(&p, &events, &party("RU"), at("2026-06-01T00:00:00.000Z"))
        .expect("RU is a signatory");
    assert_eq!(
        check_withdrawal(&p, &events, &party("US"), at("2026-04-15T00:00:00.000Z"))
            .expect_err("US had withdrawn")
            .to_string(),
        "US is not a signatory of pledge UN/no-first-use at 2026-04-15T00:00:00.000Z; only a current signatory may withdraw"
    );
    assert!(check_withdrawal(&p, &events, &party("FR"), at("2026-06-01T00:00:00.000Z")).is_err());
}

#[test]
fn pledge_references() {
    let r: PledgeRef = "UN/no-first-use".parse().expect("valid");
    assert_eq!((r.host.as_str(), r.id.as_str()), ("UN", "no-first-use"));
    assert_eq!(r.to_string(), "UN/no-first-use");
    assert_eq!(
        serde_json::to_string(&r).expect("json"),
        "\"UN/no-first-use\""
    );
    assert_eq!(
        serde_json::from_str::<PledgeRef>("\"UN/no-first-use\"").expect("json"),
        r
    );
    let cases = [
        (
            "no-first-use",
            "\"no-first-use\" is not a pledge reference; write <host>/<id>, e.g. UN/no-first-use",
        ),
        (
            "un/no-first-use",
            "\"un/no-first-use\" is not a pledge reference: its host \"un\" is not a party code",
        ),
        (
            "UN/No First Use",
            "\"UN/No First Use\" is not a pledge reference: its id \"No First Use\" must be 1 to 64 of a-z, 0-9 and '-', e.g. UN/no-first-use",
        ),
        (
            "UN/",
            "\"UN/\" is not a pledge reference: its id \"\" must be 1 to 64",
        ),
        (
            "UN/a/b",
            "\"UN/a/b\" is not a pledge reference: its id \"a/b\" must be",
        ),
    ];
    for (text, says) in cases {
        let error = text.parse::<PledgeRef>().expect_err(text);
        assert!(error.starts_with(says), "wanted {says:?}, got: {error}");
    }
    let error = serde_json::from_str::<PledgeRef>("\"UN\"").expect_err("no id");
    assert!(error.to_string().contains("write <host>/<id>"), "{error}");
}
