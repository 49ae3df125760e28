use super::*;
use crate::cosignature::Cosigner;
use crate::note::Ed25519Signer;

const ORIGIN: &str = "detente.us/log/v1";

fn log() -> Ed25519Signer {
    Ed25519Signer::from_seed(ORIGIN, &[1; 32]).unwrap()
}

fn witness(i: u8) -> Cosigner {
    Cosigner::from_seed(&format!("w{i}.example"), &[10 + i; 32]).unwrap()
}

fn wkey(i: u8) -> String {
    witness(i).verifier().to_vkey().to_string()
}

/// The example policy of tlog-policy §Example policy, with real keys.
fn example_policy() -> String {
    format!(
        "log {log}\n\
         \n\
         witness X1 {x1}\n\
         witness X2 {x2}\n\
         witness X3 {x3}\n\
         group X-witnesses 2 X1 X2 X3\n\
         \n\
         witness Y1 {y1}\n\
         witness Y2 {y2}\n\
         witness Y3 {y3}\n\
         group Y-witnesses any Y1 Y2 Y3\n\
         \n\
         group X-and-Y all X-witnesses Y-witnesses\n\
         quorum X-and-Y\n",
        log = log().verifier().to_vkey(),
        x1 = wkey(1),
        x2 = wkey(2),
        x3 = wkey(3),
        y1 = wkey(4),
        y2 = wkey(5),
        y3 = wkey(6),
    )
}

fn signed_by(witnesses: &[u8]) -> SignedCheckpoint {
    let c = Checkpoint::new(ORIGIN, 42, [7; 32]).unwrap();
    let mut signed = SignedCheckpoint::sign(c, &log()).unwrap();
    for &i in witnesses {
        let line = witness(i)
            .cosign(signed.checkpoint(), 1000 + u64::from(i))
            .unwrap();
        signed.push_signature(line);
    }
    signed
}

#[test]
fn spec_example_quorum() {
    let policy = Policy::parse(example_policy().as_bytes()).unwrap();
    assert_eq!(policy.logs().len(), 1);
    assert_eq!(policy.witnesses().len(), 6);
    // Witness order: X1 X2 X3 Y1 Y2 Y3.
    let met = |set: [bool; 6]| policy.quorum_met(&set);
    assert!(met([true, true, false, true, false, false]));
    assert!(met([false, true, true, false, false, true]));
    assert!(!met([true, false, false, true, true, true]), "only one X");
    assert!(!met([true, true, true, false, false, false]), "no Y");
    assert!(!met([false; 6]));

    let ok = policy.verify_checkpoint(&signed_by(&[1, 3, 5])).unwrap();
    let names: Vec<&str> = ok.cosigned_by.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["X1", "X3", "Y2"]);
    assert_eq!(ok.cosigned_by[0].1, 1001);

    let err = policy
        .verify_checkpoint(&signed_by(&[1, 4, 5]))
        .unwrap_err();
    assert!(matches!(err, PolicyError::QuorumNotMet { .. }), "{err}");
}

#[test]
fn quorum_none_needs_only_the_log() {
    let text = format!(
        "# detente\nlog {}\nquorum none\n",
        log().verifier().to_vkey()
    );
    let policy = Policy::parse(text.as_bytes()).unwrap();
    assert!(policy.requires_no_witnesses());
    policy.verify_checkpoint(&signed_by(&[])).unwrap();
}

#[test]
fn checkpoint_failures_say_what_broke() {
    let policy = Policy::parse(example_policy().as_bytes()).unwrap();

    let other = Ed25519Signer::from_seed("other/log", &[1; 32]).unwrap();
    let c = Checkpoint::new("other/log", 1, [0; 32]).unwrap();
    let foreign = SignedCheckpoint::sign(c, &other).unwrap();
    assert!(matches!(
        policy.verify_checkpoint(&foreign),
        Err(PolicyError::UnknownLog { .. })
    ));

    // Cosigned by witnesses but signed by a different key under the log's name.
    let impostor = Ed25519Signer::from_seed(ORIGIN, &[2; 32]).unwrap();
    let mut forged =
        SignedCheckpoint::sign(signed_by(&[]).checkpoint().clone(), &impostor).unwrap();
    for i in [1, 2, 4] {
        forged.push_signature(witness(i).cosign(forged.checkpoint(), 5).unwrap());
    }
    assert!(matches!(
        policy.verify_checkpoint(&forged),
        Err(PolicyError::NoLogSignature { .. })
    ));

    // A cosignature from a known witness that does not verify.
    let good = signed_by(&[1, 2, 4]);
    let mut bytes = good.to_bytes();
    let last = bytes.len() - 3; // inside the last cosignature's base64
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    let tampered = SignedCheckpoint::parse(&bytes).unwrap();
    assert!(matches!(
        policy.verify_checkpoint(&tampered),
        Err(PolicyError::Signature(_))
    ));
}

#[test]
fn syntax_details() {
    let text = format!(
        "  # indented comment\n\
         \tlog\t{log}\thttps://log.example/ \n\
         witness  W1   {w1}  https://w1.example/\n\
         group G any W1\n\
         quorum G",
        log = log().verifier().to_vkey(),
        w1 = wkey(1),
    );
    let policy = Policy::parse(text.as_bytes()).unwrap();
    assert_eq!(
        policy.logs()[0].url.as_deref(),
        Some(&b"https://log.example/"[..])
    );
    assert_eq!(policy.witnesses()[0].name, b"W1");
    // Names are opaque octets: non-ASCII is fine.
    let text = format!("witness T\u{e9}moin {}\nquorum T\u{e9}moin\n", wkey(1));
    assert!(Policy::parse(text.as_bytes()).is_ok());
    let mut latin1 = b"witness T\xe9 ".to_vec();
    latin1.extend_from_slice(wkey(1).as_bytes());
    latin1.extend_from_slice(b"\nquorum T\xe9\n");
    assert!(Policy::parse(&latin1).is_ok());
}

#[test]
fn malformed_policies_are_rejected() {
    let l = log().verifier().to_vkey().to_string();
    let (w1, w2) = (wkey(1), wkey(2));
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "no quorum"),
        (format!("log {l}\n"), "no quorum"),
        ("quorum none\nquorum none\n".to_owned(), "two quorums"),
        ("quorum W1\n".to_owned(), "undefined quorum"),
        (
            format!("quorum W1\nwitness W1 {w1}\n"),
            "quorum before definition",
        ),
        (format!("logs {l}\nquorum none\n"), "unknown keyword"),
        (
            format!("log {l} url extra\nquorum none\n"),
            "too many log items",
        ),
        (format!("log {l}\nlog {l}\nquorum none\n"), "duplicate log"),
        (
            format!("witness W1 {w1}\nwitness W2 {w1}\nquorum none\n"),
            "same key twice",
        ),
        (
            format!("witness W1 {w1}\nwitness W1 {w2}\nquorum none\n"),
            "same name twice",
        ),
        (format!("witness none {w1}\nquorum none\n"), "reserved name"),
        (
            format!("witness W1 {l}\nquorum none\n"),
            "log key as witness",
        ),
        (format!("log {w1}\nquorum none\n"), "witness key as log"),
        (
            format!("witness W1 {}\nquorum none\n", &w1[..w1.len() - 2]),
            "bad vkey",
        ),
        (
            format!("witness W1 {w1}\ngroup G 0 W1\nquorum G\n"),
            "k = 0",
        ),
        (
            format!("witness W1 {w1}\ngroup G 2 W1\nquorum G\n"),
            "k > n",
        ),
        (
            format!("witness W1 {w1}\ngroup G 01 W1\nquorum G\n"),
            "leading zero",
        ),
        (
            format!("witness W1 {w1}\ngroup G some W1\nquorum G\n"),
            "bad threshold",
        ),
        (
            format!("witness W1 {w1}\ngroup G any\nquorum G\n"),
            "no members",
        ),
        (
            format!("witness W1 {w1}\ngroup G any W1 W1\nquorum G\n"),
            "member twice",
        ),
        (
            format!(
                "witness W1 {w1}\nwitness W2 {w2}\ngroup A any W1\ngroup B any W1 W2\nquorum B\n"
            ),
            "member of two groups",
        ),
        (
            format!("witness W1 {w1}\ngroup G any W1 none\nquorum G\n"),
            "none as member",
        ),
        (
            format!("witness W1 {w1}\ngroup G any W2\nquorum G\n"),
            "undefined member",
        ),
        (
            format!("witness W1 {w1}\ngroup W1 any W1\nquorum W1\n"),
            "group reuses a name",
        ),
        (format!("log {l}\r\nquorum none\n"), "carriage return"),
        (format!("log {l}\nquorum none\x7f\n"), "DEL"),
    ];
    for (text, why) in cases {
        assert!(Policy::parse(text.as_bytes()).is_err(), "accepted: {why}");
    }
}
