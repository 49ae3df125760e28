use super::*;

/// The example of C2SP signed-note §Verifier keys / Example.
const SPEC_VKEY: &str = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
const SPEC_NOTE: &str = "This is an example message.\n\
    \n\
    \u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

/// The example of golang.org/x/mod/sumdb/note's documentation (data only):
/// Ed25519 is deterministic, so signing must reproduce it byte for byte.
const GO_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const GO_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const GO_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
    then you don't know what your problem is.\n";
const GO_SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

fn spec_verifier() -> Ed25519Verifier {
    Ed25519Verifier::from_vkey(&VerifierKey::parse(SPEC_VKEY).unwrap()).unwrap()
}

fn signer(name: &str, byte: u8) -> Ed25519Signer {
    Ed25519Signer::from_seed(name, &[byte; 32]).unwrap()
}

#[test]
fn spec_example_verifies_with_its_published_key() {
    let vkey = VerifierKey::parse(SPEC_VKEY).unwrap();
    assert_eq!(vkey.name(), "example.com/foo");
    assert_eq!(vkey.key_id(), 0x530d_903a);
    assert_eq!(vkey.signature_type(), SIGNATURE_TYPE_ED25519);
    assert_eq!(vkey.to_string(), SPEC_VKEY);

    let note = Note::parse(SPEC_NOTE.as_bytes()).unwrap();
    assert_eq!(note.text(), "This is an example message.\n");
    let verifier = spec_verifier();
    let verified = note.verify(&[&verifier]).unwrap();
    assert_eq!(verified.len(), 1);
    assert_eq!(verified[0].name(), "example.com/foo");
    assert_eq!(note.to_bytes(), SPEC_NOTE.as_bytes());
}

#[test]
fn go_reference_key_signs_byte_for_byte() {
    let skey = SignerKey::parse(GO_SKEY).unwrap();
    assert_eq!(skey.key_id(), 0xc74f_20a3);
    assert_eq!(skey.verifier_key().to_string(), GO_VKEY);
    assert_eq!(skey.to_private_string().as_str(), GO_SKEY);

    let signer = Ed25519Signer::from_signer_key(&skey).unwrap();
    let mut note = Note::new(GO_TEXT).unwrap();
    note.sign(&signer);
    let want = format!("{GO_TEXT}\n{GO_SIG}");
    assert_eq!(String::from_utf8(note.to_bytes()).unwrap(), want);

    let vkey = VerifierKey::parse(GO_VKEY).unwrap();
    let verifier = Ed25519Verifier::from_vkey(&vkey).unwrap();
    Note::parse(want.as_bytes())
        .unwrap()
        .verify(&[&verifier])
        .unwrap();
}

#[test]
fn signer_key_debug_output_hides_the_seed() {
    let skey = SignerKey::parse(GO_SKEY).unwrap();
    let debug = format!("{skey:?}");
    assert!(debug.contains("PeterNeumann"));
    assert!(!debug.contains("AYEKFALV"));
    assert!(!format!("{:?}", signer("a", 1)).contains("seed"));
}

#[test]
fn several_signatures_and_unknown_ones_are_ignored() {
    let (a, b, c) = (
        signer("a.example", 1),
        signer("b.example", 2),
        signer("c.example", 3),
    );
    let mut note = Note::new("hello\n\nworld\n").unwrap();
    note.sign(&a);
    note.sign(&b);
    note.sign(&c);
    let parsed = Note::parse(&note.to_bytes()).unwrap();
    assert_eq!(parsed, note);
    assert_eq!(
        parsed.text(),
        "hello\n\nworld\n",
        "empty lines stay in the text"
    );

    // Only b is known: a and c are ignored.
    let vb = b.verifier();
    let verified = parsed.verify(&[&vb]).unwrap();
    assert_eq!(verified.len(), 1);
    assert_eq!(verified[0].name(), "b.example");

    // a and c known: both verify, in note order.
    let (va, vc) = (a.verifier(), c.verifier());
    let names: Vec<&str> = parsed
        .verify(&[&vc, &va])
        .unwrap()
        .iter()
        .map(|s| s.name())
        .collect();
    assert_eq!(names, ["a.example", "c.example"]);
}

#[test]
fn same_name_different_key_is_ignored_not_rejected() {
    // A signature by a key sharing the name (but not the ID) of a trusted key.
    let trusted = signer("log.example", 1);
    let impostor = signer("log.example", 2);
    let mut note = Note::new("text\n").unwrap();
    note.sign(&impostor);
    note.sign(&trusted);
    let v = trusted.verifier();
    assert_eq!(note.verify(&[&v]).unwrap().len(), 1);

    let mut only_impostor = Note::new("text\n").unwrap();
    only_impostor.sign(&impostor);
    assert!(matches!(
        only_impostor.verify(&[&v]),
        Err(NoteError::NoTrustedSignature { .. })
    ));
}

#[test]
fn a_bad_signature_from_a_known_key_rejects_the_note() {
    let bytes = SPEC_NOTE.replace("message", "massage");
    let note = Note::parse(bytes.as_bytes()).unwrap();
    let v = spec_verifier();
    assert!(matches!(
        note.verify(&[&v]),
        Err(NoteError::InvalidSignature {
            key_id: 0x530d_903a,
            ..
        })
    ));
}

#[test]
fn a_known_key_signing_twice_is_rejected() {
    let a = signer("a", 1);
    let mut note = Note::new("x\n").unwrap();
    note.sign(&a);
    note.sign(&a);
    let v = a.verifier();
    assert!(matches!(
        note.verify(&[&v]),
        Err(NoteError::DuplicateSignature { .. })
    ));
}

#[test]
fn ambiguous_verifiers_are_refused() {
    let a = signer("a", 1);
    let mut note = Note::new("x\n").unwrap();
    note.sign(&a);
    let (v1, v2) = (a.verifier(), a.verifier());
    assert!(matches!(
        note.verify(&[&v1, &v2]),
        Err(NoteError::AmbiguousVerifier { .. })
    ));
}

#[test]
fn malformed_notes_are_rejected() {
    let sig = GO_SIG;
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "empty"),
        (GO_TEXT.to_owned(), "no signatures"),
        (format!("{GO_TEXT}\n"), "blank line but no signatures"),
        (format!("{GO_TEXT}{sig}"), "no blank line"),
        (format!("{GO_TEXT}\n{}", sig.trim_end()), "unterminated"),
        (format!("{GO_TEXT}\n{sig}\n"), "blank line after signatures"),
        (format!("{GO_TEXT}\n{sig}trailing\n"), "garbage line"),
        (
            format!("{GO_TEXT}\n{}", sig.replace('\u{2014}', "-")),
            "hyphen",
        ),
        (
            format!("{GO_TEXT}\n{}", sig.replace("\u{2014} ", "\u{2014}")),
            "no space",
        ),
        (
            format!("{GO_TEXT}\n{}", sig.replace(" x08go", "  x08go")),
            "two spaces",
        ),
        (
            format!("{GO_TEXT}\n{}", sig.replace("AM=", "AM")),
            "bad base64",
        ),
        (
            format!("{GO_TEXT}\n\u{2014} PeterNeumann AAAA\n"),
            "short signature",
        ),
        (format!("{GO_TEXT}\n\u{2014}  AAAAAAA=\n"), "empty name"),
        (
            format!("{GO_TEXT}\n\u{2014} a+b AAAAAAA=\n"),
            "plus in name",
        ),
        (format!("tab\there\n\n{sig}"), "control character"),
        (format!("cr\r\n\n{sig}"), "carriage return"),
    ];
    for (note, why) in cases {
        assert!(Note::parse(note.as_bytes()).is_err(), "accepted: {why}");
    }
    let mut not_utf8 = format!("{GO_TEXT}\n{sig}").into_bytes();
    not_utf8[3] = 0xff;
    assert!(matches!(
        Note::parse(&not_utf8),
        Err(NoteError::NotUtf8 { valid_up_to: 3 })
    ));
}

#[test]
fn signature_count_is_bounded() {
    let a = signer("a", 1);
    let line = a.sign("x\n").to_line();
    let ok = format!("x\n\n{}", line.repeat(MAX_SIGNATURES));
    assert!(Note::parse(ok.as_bytes()).is_ok());
    let too_many = format!("x\n\n{}", line.repeat(MAX_SIGNATURES + 1));
    assert!(matches!(
        Note::parse(too_many.as_bytes()),
        Err(NoteError::TooManySignatures { .. })
    ));
}

#[test]
fn note_text_rules() {
    assert!(Note::new("no newline").is_err());
    assert!(Note::new("bell\u{7}\n").is_err());
    assert!(Note::new("\n").is_ok());
    // A text ending in an empty line still round-trips: the separator is the last one.
    let mut n = Note::new("a\n\n").unwrap();
    n.sign(&signer("k", 9));
    assert_eq!(Note::parse(&n.to_bytes()).unwrap().text(), "a\n\n");
}

#[test]
fn malformed_keys_are_rejected() {
    let cases = [
        ("", "empty"),
        ("example.com/foo+530d903a", "two parts"),
        (
            "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k+x",
            "four parts",
        ),
        (
            "+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
            "empty name",
        ),
        (
            "example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
            "upper hex",
        ),
        (
            "example.com/foo+530d903+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
            "short id",
        ),
        (
            "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
            "wrong id",
        ),
        (
            "example.com/bar+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
            "wrong name",
        ),
        (
            "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2",
            "bad base64",
        ),
        ("example.com/foo+530d903a+", "no key"),
        (
            "exa mple+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
            "space",
        ),
    ];
    for (vkey, why) in cases {
        assert!(VerifierKey::parse(vkey).is_err(), "accepted: {why}");
    }
    // A well-formed key of another role is refused by the Ed25519 verifier.
    let cosigner = SignerKey::from_seed("w", SIGNATURE_TYPE_COSIGNATURE_V1, &[5; 32]).unwrap();
    assert!(matches!(
        Ed25519Verifier::from_vkey(&cosigner.verifier_key()),
        Err(NoteError::WrongSignatureType { found: 0x04, .. })
    ));
    // A 31-byte Ed25519 key.
    let short = VerifierKey::new("k", SIGNATURE_TYPE_ED25519, &[1; 31]).unwrap();
    assert!(matches!(
        Ed25519Verifier::from_vkey(&short),
        Err(NoteError::InvalidKeyMaterial { .. })
    ));
    // An unknown type parses as data, with its ID taken as written.
    let other = VerifierKey::new("k", 0xff, b"opaque").unwrap();
    assert_eq!(VerifierKey::parse(&other.to_string()).unwrap(), other);

    for skey in [
        "PRIVATE+KEY+PeterNeumann+c74f20a3",
        "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        "PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDF",
    ] {
        let err = SignerKey::parse(skey).unwrap_err();
        assert!(
            !err.to_string().contains("AYEKFALV"),
            "error echoes the key: {err}"
        );
    }
}
