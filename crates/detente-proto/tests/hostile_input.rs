//! A hostile peer's bytes never panic the parser, and no change to a signed
//! envelope — one byte anywhere — ever verifies.

use detente_proto::body::{Body, Notification};
use detente_proto::card::SignedCard;
use detente_proto::envelope::{Envelope, Recipient, Sender, UnverifiedEnvelope};
use detente_proto::ids::{MessageId, Tier};
use detente_proto::kind::{Precedence, Tlp};
use detente_proto::limits::Limits;
use detente_proto::seal::SealedEnvelope;
use detente_proto::signing::PartySigningKey;
use detente_proto::time::Timestamp;
use proptest::prelude::*;

fn signed_sample(key: &PartySigningKey) -> Vec<u8> {
    let created_at: Timestamp = "2026-11-28T10:00:00.000Z".parse().expect("ts");
    Envelope {
        id: MessageId::new_v7(created_at),
        from: Sender {
            party: "RU".parse().expect("RU"),
            tier: Tier::Technical,
            officer: "Иванова".parse().expect("officer"),
        },
        to: Recipient {
            party: "US".parse().expect("US"),
            tier: Tier::Operational,
        },
        precedence: Precedence::Immediate,
        in_reply_to: None,
        agreement: None,
        created_at,
        exercise: true,
        tlp: Tlp::Green,
        nonce: [3; 32],
        body: Body::Notification(Notification {
            subject: "Тест — اختبار — test".into(),
            summary: "multi-script text survives canonicalisation".into(),
            detected_at: Some(created_at),
            stix: None,
            alleged_breach: None,
        }),
    }
    .sign(key)
    .bytes()
    .to_vec()
}

/// Replays every file of the fuzz seed corpus (../../fuzz/corpus/*/*) through
/// the parsers, so the corpus stays a regression suite on stable Rust.
#[test]
fn fuzz_seed_corpus_never_panics() {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let mut files = 0;
    for target in std::fs::read_dir(&corpus).expect("fuzz/corpus exists") {
        for entry in std::fs::read_dir(target.expect("entry").path()).expect("target dir") {
            let bytes = std::fs::read(entry.expect("entry").path()).expect("seed");
            let limits = Limits::default();
            let _ = UnverifiedEnvelope::parse(&bytes, &limits);
            let _ = SealedEnvelope::parse(&bytes, &limits);
            let _ = SignedCard::parse(&bytes);
            files += 1;
        }
    }
    assert!(files >= 3, "the seed corpus has {files} files");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let limits = Limits::default();
        let _ = UnverifiedEnvelope::parse(&bytes, &limits);
        let _ = SealedEnvelope::parse(&bytes, &limits);
        let _ = SignedCard::parse(&bytes);
    }

    #[test]
    fn no_single_byte_change_verifies(position in any::<prop::sample::Index>(), replacement in any::<u8>()) {
        let key = PartySigningKey::from_seed(&[42; 32]);
        let original = signed_sample(&key);
        let mut mutated = original.clone();
        let at = position.index(mutated.len());
        prop_assume!(mutated[at] != replacement);
        mutated[at] = replacement;
        let verified = UnverifiedEnvelope::parse(&mutated, &Limits::default())
            .and_then(|unverified| unverified.verify(&key.verifying_key()));
        prop_assert!(verified.is_err(), "byte {} changed to {:#04x} still verified", at, replacement);
    }
}

#[test]
fn the_original_verifies() {
    let key = PartySigningKey::from_seed(&[42; 32]);
    let bytes = signed_sample(&key);
    let verified = UnverifiedEnvelope::parse(&bytes, &Limits::default())
        .and_then(|u| u.verify(&key.verifying_key()))
        .expect("verifies");
    assert_eq!(verified.bytes(), bytes.as_slice());
}
