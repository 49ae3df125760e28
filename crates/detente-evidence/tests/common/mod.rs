//! A small world for building evidence bundles without a node: parties
//! with keys from fixed seeds and self-signed cards, messages signed and
//! "delivered" at chosen times, each party's log as an in-memory tree whose
//! checkpoint every other party cosigns, receipts carrying their log proof.
//! Everything a bundle holds is made exactly as a node makes it, so the
//! verifier cannot tell the difference.

#![allow(dead_code)]

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::TimeDelta;
use detente_evidence::naming::{origin, witness_name};
use detente_evidence::{Bundle, BundledAgreement, BundledMessage, FORMAT, LogProof, Scope};
use detente_log::checkpoint::{Checkpoint, SignedCheckpoint};
use detente_log::cosignature::Cosigner;
use detente_log::merkle::MemoryTree;
use detente_log::note::Ed25519Signer;
use detente_log::proof::TlogProof;
use detente_proto::agreement::responsiveness::Fact;
use detente_proto::agreement::{Agreement, CommunicationChecks, Deadline, Exercises, TierRules};
use detente_proto::body::{Acknowledgement, Body, Check, Notification, Reply, ReplyStage};
use detente_proto::card::{PartyCard, SignedCard};
use detente_proto::envelope::{
    AgreementRef, Envelope, Recipient, Sender, SignedEnvelope, hash_to_base64,
};
use detente_proto::ids::{MessageId, PartyCode, Tier};
use detente_proto::kind::{MessageKind, Precedence, Tlp};
use detente_proto::log_entry::{EntryDirection, LogEntry};
use detente_proto::receipt::{LogPosition, Receipt};
use detente_proto::seal::EncryptionSecret;
use detente_proto::signing::{Domain, PartySigningKey};
use detente_proto::time::Timestamp;

/// 2026-11-02T10:00:00.000Z plus `minutes`.
pub fn at(minutes: i64) -> Timestamp {
    let t0: Timestamp = "2026-11-02T10:00:00.000Z".parse().expect("timestamp");
    t0.plus(TimeDelta::minutes(minutes))
}

pub fn party(code: &str) -> PartyCode {
    code.parse().expect("party code")
}

pub struct Party {
    pub code: PartyCode,
    pub key: PartySigningKey,
    seed: [u8; 32],
    pub card: SignedCard,
    /// The log's entries, in order.
    entries: Vec<Vec<u8>>,
}

struct Message {
    envelope: SignedEnvelope,
    delivered_at: Option<Timestamp>,
    sender_index: u64,
    recipient_index: Option<u64>,
}

/// One message to send.
pub struct Msg {
    pub from: &'static str,
    pub to: &'static str,
    pub body: Body,
    pub precedence: Precedence,
    pub in_reply_to: Option<MessageId>,
    pub agreement: Option<AgreementRef>,
    pub created_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
}

impl Msg {
    /// A routine message with `body`, delivered as soon as it is written.
    pub fn new(from: &'static str, to: &'static str, body: Body, created_at: Timestamp) -> Self {
        Msg {
            from,
            to,
            body,
            precedence: Precedence::Routine,
            in_reply_to: None,
            agreement: None,
            created_at,
            delivered_at: Some(created_at),
        }
    }

    /// A flash notification.
    pub fn flash(from: &'static str, to: &'static str, created_at: Timestamp) -> Self {
        let body = Body::Notification(Notification {
            subject: "Scanning of grid SCADA".into(),
            summary: "From 203.0.113.0/24".into(),
            detected_at: None,
            stix: None,
            alleged_breach: None,
        });
        Msg {
            precedence: Precedence::Flash,
            ..Msg::new(from, to, body, created_at)
        }
    }

    pub fn ping(from: &'static str, to: &'static str, created_at: Timestamp) -> Self {
        Msg::new(from, to, Body::Ping(Check::default()), created_at)
    }

    pub fn ack(from: &'static str, to: &'static str, of: MessageId, created_at: Timestamp) -> Self {
        Msg {
            in_reply_to: Some(of),
            ..Msg::new(
                from,
                to,
                Body::Acknowledgement(Acknowledgement::default()),
                created_at,
            )
        }
    }

    pub fn reply(
        from: &'static str,
        to: &'static str,
        of: MessageId,
        created_at: Timestamp,
    ) -> Self {
        let body = Body::Reply(Reply {
            stage: ReplyStage::Final,
            text: "Blocked at the border".into(),
            stix: None,
        });
        Msg {
            in_reply_to: Some(of),
            ..Msg::new(from, to, body, created_at)
        }
    }

    pub fn pong(
        from: &'static str,
        to: &'static str,
        of: MessageId,
        created_at: Timestamp,
    ) -> Self {
        Msg {
            in_reply_to: Some(of),
            ..Msg::new(from, to, Body::Pong(Check::default()), created_at)
        }
    }

    pub fn under(self, agreement: &Agreement) -> Self {
        Msg {
            agreement: Some(agreement.reference()),
            ..self
        }
    }

    pub fn delivered(self, at: Option<Timestamp>) -> Self {
        Msg {
            delivered_at: at,
            ..self
        }
    }
}

pub struct World {
    pub parties: Vec<Party>,
    messages: Vec<Message>,
}

impl World {
    /// Parties with keys from fixed seeds (`seed` = position + 1).
    pub fn new(codes: &[&str]) -> Self {
        let parties = codes
            .iter()
            .enumerate()
            .map(|(i, code)| {
                let seed = [u8::try_from(i + 1).expect("few parties"); 32];
                let key = PartySigningKey::from_seed(&seed);
                let encryption =
                    EncryptionSecret::from_bytes(&[u8::try_from(i + 100).expect("few"); 32])
                        .expect("encryption key")
                        .public_key();
                let card = PartyCard {
                    party: party(code),
                    name: format!("Party {code}"),
                    tiers: Vec::new(),
                    endpoint: format!("https://{}.example", code.to_lowercase()),
                    signing_key: key.verifying_key().to_base64(),
                    encryption_key: encryption.to_base64(),
                    tls_spki_sha256: BASE64.encode([7u8; 32]),
                    issued_at: at(-60 * 24 * 30),
                    valid_until: None,
                    previous: None,
                    recovery_key: None,
                }
                .sign(&key)
                .expect("card");
                Party {
                    code: party(code),
                    key,
                    seed,
                    card,
                    entries: Vec::new(),
                }
            })
            .collect();
        World {
            parties,
            messages: Vec::new(),
        }
    }

    pub fn party(&self, code: &str) -> &Party {
        self.parties
            .iter()
            .find(|p| p.code.as_str() == code)
            .unwrap_or_else(|| panic!("no party {code}"))
    }

    fn index(&self, code: &str) -> usize {
        self.parties
            .iter()
            .position(|p| p.code.as_str() == code)
            .unwrap_or_else(|| panic!("no party {code}"))
    }

    /// Signs and logs `m`, and logs its receipt when it is delivered.
    pub fn send(&mut self, m: Msg) -> MessageId {
        let nonce = [u8::try_from(self.messages.len() % 256).expect("byte"); 32];
        let (from, to) = (self.index(m.from), self.index(m.to));
        let envelope = Envelope {
            id: MessageId::new_v7(m.created_at),
            from: Sender {
                party: party(m.from),
                tier: Tier::Technical,
                officer: "Ivanova".parse().expect("officer"),
            },
            to: Recipient {
                party: party(m.to),
                tier: Tier::Technical,
            },
            precedence: m.precedence,
            in_reply_to: m.in_reply_to,
            agreement: m.agreement,
            created_at: m.created_at,
            exercise: false,
            tlp: Tlp::Amber,
            nonce,
            body: m.body,
        }
        .sign(&self.parties[from].key);
        let entry = |direction, counterparty: &str, time| {
            LogEntry {
                direction,
                counterparty: party(counterparty),
                id: envelope.envelope().id.to_string(),
                sha256: envelope.hash(),
                time,
                peer_size: None,
            }
            .to_bytes()
        };
        let sent = entry(EntryDirection::Sent, m.to, m.created_at);
        let sender_index = self.parties[from].entries.len() as u64;
        self.parties[from].entries.push(sent);
        let recipient_index = m.delivered_at.map(|time| {
            let received = entry(EntryDirection::Received, m.from, time);
            let index = self.parties[to].entries.len() as u64;
            self.parties[to].entries.push(received);
            index
        });
        let id = envelope.envelope().id;
        self.messages.push(Message {
            envelope,
            delivered_at: m.delivered_at,
            sender_index,
            recipient_index,
        });
        id
    }

    /// What the rules know of every message, as a node would (its own
    /// receipts' `received_at`).
    pub fn facts(&self) -> Vec<Fact> {
        self.messages
            .iter()
            .map(|m| Fact::of(m.envelope.envelope(), m.delivered_at))
            .collect()
    }

    /// `code`'s signature on `agreement`, exact bytes.
    pub fn sign(&self, code: &str, agreement: &Agreement) -> String {
        let signed = agreement
            .sign(&party(code), &self.party(code).key)
            .expect("a party signs");
        String::from_utf8(signed.bytes().to_vec()).expect("UTF-8")
    }

    /// `code`'s signature on `agreement` even if it is not a party.
    pub fn sign_anyway(&self, code: &str, agreement: &Agreement) -> String {
        let value = serde_json::to_value(agreement).expect("agreement JSON");
        let bytes = self
            .party(code)
            .key
            .sign_document(Domain::Agreement, &value);
        String::from_utf8(bytes).expect("UTF-8")
    }

    /// The bundle of every message, with every party's card and both logs'
    /// proofs against checkpoints every other party cosigned.
    pub fn bundle(&self, exported_at: Timestamp) -> Bundle {
        let logs: Vec<(MemoryTree, SignedCheckpoint, SignedCheckpoint)> = self
            .parties
            .iter()
            .map(|p| {
                let mut tree = MemoryTree::new();
                for entry in &p.entries {
                    tree.append(entry);
                }
                let origin = origin(&p.code);
                let checkpoint =
                    Checkpoint::new(&origin, tree.size(), tree.root()).expect("checkpoint");
                let signer = Ed25519Signer::from_seed(&origin, &p.seed).expect("log key");
                let signed = SignedCheckpoint::sign(checkpoint.clone(), &signer).expect("signed");
                let mut cosigned = signed.clone();
                for other in self.parties.iter().filter(|o| o.code != p.code) {
                    let cosigner = Cosigner::from_seed(&witness_name(&other.code), &other.seed)
                        .expect("witness");
                    let timestamp = u64::try_from(exported_at.unix_millis() / 1000).expect("time");
                    cosigned
                        .push_signature(cosigner.cosign(&checkpoint, timestamp).expect("cosign"));
                }
                (tree, signed, cosigned)
            })
            .collect();
        let messages = self
            .messages
            .iter()
            .map(|m| {
                let e = m.envelope.envelope();
                let (from, to) = (
                    self.index(e.from.party.as_str()),
                    self.index(e.to.party.as_str()),
                );
                let (tree, _, cosigned) = &logs[from];
                let sent = &self.parties[from].entries[m.sender_index as usize];
                let sender_log =
                    LogProof::build(tree, m.sender_index, sent, cosigned, None).expect("proof");
                let (receipt, recipient_log) = match (m.delivered_at, m.recipient_index) {
                    (Some(received_at), Some(index)) => {
                        let (tree, signed, cosigned) = &logs[to];
                        let entry = &self.parties[to].entries[index as usize];
                        let inclusion = tree.inclusion_proof(index, tree.size()).expect("path");
                        let proof =
                            TlogProof::new(None, index, inclusion, signed.clone()).expect("proof");
                        let receipt = Receipt {
                            message_id: e.id,
                            envelope_sha256: hash_to_base64(&m.envelope.hash()),
                            from: e.from.party.clone(),
                            to: e.to.party.clone(),
                            received_at,
                            log: Some(LogPosition {
                                origin: origin(&e.to.party),
                                leaf_index: index,
                                entry: String::from_utf8(entry.clone()).expect("UTF-8"),
                                tlog_proof: String::from_utf8(proof.to_bytes()).expect("UTF-8"),
                            }),
                        }
                        .sign(&self.parties[to].key);
                        let recipient_log =
                            LogProof::build(tree, index, entry, cosigned, Some(tree.size()))
                                .expect("proof");
                        (
                            Some(String::from_utf8(receipt.bytes().to_vec()).expect("UTF-8")),
                            Some(recipient_log),
                        )
                    }
                    _ => (None, None),
                };
                BundledMessage {
                    envelope: String::from_utf8(m.envelope.bytes().to_vec()).expect("UTF-8"),
                    receipt,
                    sender_log: Some(sender_log),
                    recipient_log,
                }
            })
            .collect();
        Bundle {
            format: FORMAT.to_owned(),
            exported_by: self.parties[0].code.clone(),
            exported_at,
            scope: Scope::Counterparty(self.parties[1].code.clone()),
            cards: self
                .parties
                .iter()
                .map(|p| String::from_utf8(p.card.bytes().to_vec()).expect("UTF-8"))
                .collect(),
            card_links: Vec::new(),
            messages,
            agreements: Vec::new(),
            documents: Vec::new(),
            stats: None,
        }
    }
}

/// An agreement between RU and US: a flash notification is acknowledged
/// within 1h and answered within 24h, a ping answered within 2h.
pub fn agreement() -> Agreement {
    use MessageKind::*;
    let technical = TierRules {
        may_send: vec![Notification, Acknowledgement, Reply, Ping, Pong],
    };
    Agreement {
        v: 1,
        id: "ru-us-test".parse().expect("document id"),
        version: 1,
        title: "Test agreement".into(),
        parties: vec![party("RU"), party("US")],
        languages: Vec::new(),
        clock_skew_ms: 300_000,
        default_tlp: Tlp::Amber,
        tiers: [(Tier::Technical, technical)].into_iter().collect(),
        deadlines: vec![Deadline {
            kind: Notification,
            precedence: Precedence::Flash,
            acknowledge_ms: 3_600_000,
            reply_ms: Some(24 * 3_600_000),
        }],
        escalation: Vec::new(),
        communication_checks: Some(CommunicationChecks {
            every_ms: 30 * 24 * 3_600_000,
            answer_within_ms: 2 * 3_600_000,
            tiers: vec![Tier::Technical],
        }),
        exercises: Exercises {
            allowed: true,
            counted_apart: true,
        },
    }
}

/// `signatures` as a bundled agreement named `reference`.
pub fn bundled(reference: &str, signatures: Vec<String>) -> BundledAgreement {
    BundledAgreement {
        reference: reference.to_owned(),
        signatures,
    }
}
