//! Hot-path cryptography of one 1 KiB message: sign, verify, seal, open.
//! Run with `cargo bench -p detente-proto`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use detente_proto::body::{Body, Notification};
use detente_proto::envelope::{Envelope, Recipient, Sender, UnverifiedEnvelope};
use detente_proto::ids::{MessageId, Tier};
use detente_proto::kind::{Precedence, Tlp};
use detente_proto::limits::Limits;
use detente_proto::seal::{EncryptionSecret, SealedEnvelope};
use detente_proto::signing::PartySigningKey;
use detente_proto::time::Timestamp;

fn one_kib_envelope() -> Envelope {
    let created_at: Timestamp = "2026-11-28T10:00:00.000Z".parse().expect("timestamp");
    let mut envelope = Envelope {
        id: MessageId::new_v7(created_at),
        from: Sender {
            party: "RU".parse().expect("party"),
            tier: Tier::Technical,
            officer: "Duty officer".parse().expect("officer"),
        },
        to: Recipient {
            party: "US".parse().expect("party"),
            tier: Tier::Technical,
        },
        precedence: Precedence::Flash,
        in_reply_to: None,
        agreement: None,
        created_at,
        exercise: false,
        tlp: Tlp::Amber,
        nonce: [9; 32],
        body: Body::Notification(Notification {
            subject: "Benchmark".into(),
            summary: String::new(),
            detected_at: None,
            stix: None,
            alleged_breach: None,
        }),
    };
    // Pad the summary so the signed envelope is 1 KiB.
    let key = PartySigningKey::from_seed(&[1; 32]);
    let base = envelope.clone().sign(&key).bytes().len();
    if let Body::Notification(n) = &mut envelope.body {
        n.summary = "x".repeat(1024usize.saturating_sub(base).max(1));
    }
    envelope
}

fn bench(c: &mut Criterion) {
    let mut rng = rand::thread_rng();
    let key = PartySigningKey::generate(&mut rng);
    let envelope = one_kib_envelope();
    let signed = envelope.clone().sign(&key);
    let secret = EncryptionSecret::generate(&mut rng);
    let recipient = secret.public_key();
    let e = signed.envelope();
    let sealed = SealedEnvelope::seal(
        signed.bytes(),
        e.id,
        e.from.party.clone(),
        e.to.party.clone(),
        e.created_at,
        &recipient,
        &mut rng,
    )
    .expect("seal");
    let limits = Limits::default();

    let mut group = c.benchmark_group("envelope-1KiB");
    group.throughput(Throughput::Elements(1));
    group.bench_function("sign", |b| b.iter(|| envelope.clone().sign(&key)));
    group.bench_function("verify", |b| {
        b.iter(|| {
            UnverifiedEnvelope::parse(signed.bytes(), &limits)
                .and_then(|u| u.verify(&key.verifying_key()))
                .expect("verifies")
        })
    });
    group.bench_function("seal", |b| {
        b.iter(|| {
            SealedEnvelope::seal(
                signed.bytes(),
                e.id,
                e.from.party.clone(),
                e.to.party.clone(),
                e.created_at,
                &recipient,
                &mut rng,
            )
            .expect("seal")
        })
    });
    group.bench_function("open", |b| b.iter(|| sealed.open(&secret).expect("open")));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
