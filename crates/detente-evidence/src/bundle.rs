//! The evidence bundle: what `detente evidence` exports and `detente verify`
//! checks (docs/evidence.md is the format's reference).
//!
//! A bundle is a JSON object. It is NOT signed as a whole: everything in it
//! that proves something is signed inside — envelopes and receipts by the
//! parties' keys, checkpoints by the logs, cosignatures by the witnesses —
//! so a bundle can be assembled by anyone and checked by anyone. Signed
//! objects travel as JSON strings holding their exact bytes, because
//! signatures and hashes are over those bytes (never
//! re-serialise before verifying).
//!
//! Log proofs are C2SP tlog-proofs (c2sp.org/tlog-proof): the entry's
//! index, its RFC 9162 §2.1.3 inclusion path, and the checkpoint with its
//! signatures and cosignatures, so an independent verifier can use any
//! tlog-proof implementation.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use detente_log::checkpoint::SignedCheckpoint;
use detente_log::merkle::{Hash, MemoryTree};
use detente_log::proof::TlogProof;
use detente_proto::agreement::responsiveness::Stats;
use detente_proto::ids::{MessageId, PartyCode};
use detente_proto::pledge::PledgeRef;
use detente_proto::time::Timestamp;
use serde::{Deserialize, Deserializer, Serialize};

/// The value of [`Bundle::format`] this crate writes and reads.
pub const FORMAT: &str = "detente-evidence/v1";

/// The largest bundle [`Bundle::parse`] reads.
pub const MAX_BUNDLE_BYTES: usize = 256 * 1024 * 1024;

/// An evidence bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// Always [`FORMAT`].
    pub format: String,
    /// The party whose node exported it (informative: the bundle proves
    /// itself, whoever assembled it).
    pub exported_by: PartyCode,
    /// When it was exported (informative).
    pub exported_at: Timestamp,
    /// What was selected (informative).
    pub scope: Scope,
    /// The signed party cards (exact bytes) of every party whose key signs
    /// something in the bundle: senders, recipients, witnesses.
    pub cards: Vec<String>,
    /// The signed card links (exact bytes) joining each party's cards, in
    /// the order issued (`detente_proto::card_chain`): a party with more
    /// than one card in the bundle has one link per later card. Left out
    /// when empty (bundles without it read as before).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub card_links: Vec<String>,
    /// The messages, oldest first.
    pub messages: Vec<BundledMessage>,
    /// The agreements the messages were sent under, with every party's
    /// signature: their deadlines are what answers are judged against.
    /// Left out when empty (bundles without it read as before).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agreements: Vec<BundledAgreement>,
    /// Signed documents (exact bytes) that the messages do not carry and
    /// their claims rest on: for a pledge, its text as its host published
    /// it, signed by the host. Left out when empty (bundles without it
    /// read as before).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<String>,
    /// Responsiveness figures the exporter claims; the verifier recomputes
    /// them from the messages. Left out when absent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_stats"
    )]
    pub stats: Option<Stats>,
}

/// One agreement and the parties' signatures on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundledAgreement {
    /// `<id>@<version>`, as envelopes name it.
    pub reference: String,
    /// Each party's signed agreement, exact bytes (`{"agreement", "key_id",
    /// "signature"}`, canonical JSON text).
    pub signatures: Vec<String>,
}

/// Which messages the exporter selected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Scope {
    /// One thread: this message and everything answering it, transitively.
    Thread(MessageId),
    /// Every message exchanged with this party.
    Counterparty(PartyCode),
    /// Every signed step of one guarantee, by its id: the messages that
    /// proposed, signed and withdrew it.
    Guarantee(String),
    /// Every signed step of one pledge (`<host>/<id>`): the messages that
    /// signed it and withdrew from it, with the host's signed text in
    /// [`Bundle::documents`].
    Pledge(PledgeRef),
}

impl std::fmt::Display for Scope {
    /// How a report names it: `thread 0193…`, `everything exchanged with
    /// US`, `guarantee ru-us-elections-2026`, `pledge UN/no-first-use`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scope::Thread(id) => write!(f, "thread {id}"),
            Scope::Counterparty(party) => write!(f, "everything exchanged with {party}"),
            Scope::Guarantee(id) => write!(f, "guarantee {id}"),
            Scope::Pledge(reference) => write!(f, "pledge {reference}"),
        }
    }
}

/// One message with what proves its path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundledMessage {
    /// The signed envelope, exact bytes.
    pub envelope: String,
    /// The recipient's signed receipt, exact bytes; absent while undelivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<String>,
    /// The sender's "sent" entry, proven in the sender's log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_log: Option<LogProof>,
    /// The recipient's "received" entry, proven in the recipient's log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_log: Option<LogProof>,
}

/// A log entry and its proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogProof {
    /// The entry, exactly as logged.
    pub entry: String,
    /// A C2SP tlog-proof of the entry in a (witnessed) checkpoint.
    pub tlog_proof: String,
    /// For a recipient's entry: the RFC 9162 §2.1.4 consistency proof
    /// (base64 hashes) between the checkpoint in the receipt and the one in
    /// `tlog_proof`, smaller size first; empty when they have one size.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consistency: Vec<String>,
}

/// Why a bundle cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// Larger than [`MAX_BUNDLE_BYTES`].
    #[error("the bundle is {size} bytes; at most {MAX_BUNDLE_BYTES} are read")]
    TooLarge {
        /// Its size.
        size: usize,
    },
    /// Not JSON of the bundle's shape.
    #[error("the bundle is not a detente evidence bundle: {path}: {reason}")]
    Malformed {
        /// Where (JSON path, or line:column).
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// Another format or version.
    #[error("the bundle's format is {found:?}; this verifier reads {FORMAT:?}")]
    Format {
        /// What it says.
        found: String,
    },
}

impl Bundle {
    /// Reads a bundle. Checks its shape only; [`crate::verify()`] checks the rest.
    pub fn parse(bytes: &[u8]) -> Result<Self, BundleError> {
        if bytes.len() > MAX_BUNDLE_BYTES {
            return Err(BundleError::TooLarge { size: bytes.len() });
        }
        let mut json = serde_json::Deserializer::from_slice(bytes);
        let bundle: Bundle = serde_path_to_error::deserialize(&mut json).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            BundleError::Malformed {
                path: if path == "." {
                    format!("line {} column {}", inner.line(), inner.column())
                } else {
                    path
                },
                reason: inner.to_string(),
            }
        })?;
        if bundle.format != FORMAT {
            return Err(BundleError::Format {
                found: bundle.format,
            });
        }
        Ok(bundle)
    }

    /// The bundle as pretty-printed JSON, newline-terminated.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self)
            .unwrap_or_else(|e| unreachable!("bundles serialise: {e}"));
        out.push(b'\n');
        out
    }
}

/// Reads `stats` strictly: the figures' types accept unknown members (their
/// rows are flattened), so the value read is written back and must be the
/// value given; anything left over is an unknown member.
fn strict_stats<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Stats>, D::Error> {
    use serde::de::Error;
    let Some(given) = Option::<serde_json::Value>::deserialize(deserializer)? else {
        return Ok(None);
    };
    let stats = Stats::deserialize(&given).map_err(D::Error::custom)?;
    let written = serde_json::to_value(&stats).map_err(D::Error::custom)?;
    match leftover(&given, &written, String::new()) {
        None => Ok(Some(stats)),
        Some(path) => Err(D::Error::custom(format!(
            "stats{path}: unknown member, or a value not in its one form"
        ))),
    }
}

/// Where `given` has what `written` lacks (or differs from it), as a path.
fn leftover(
    given: &serde_json::Value,
    written: &serde_json::Value,
    path: String,
) -> Option<String> {
    use serde_json::Value;
    match (given, written) {
        (Value::Object(g), Value::Object(w)) => g.iter().find_map(|(name, value)| {
            let at = format!("{path}.{name}");
            match w.get(name) {
                None => Some(at),
                Some(known) => leftover(value, known, at),
            }
        }),
        (Value::Array(g), Value::Array(w)) if g.len() == w.len() => g
            .iter()
            .zip(w)
            .enumerate()
            .find_map(|(i, (g, w))| leftover(g, w, format!("{path}[{i}]"))),
        (g, w) => (g != w).then_some(path),
    }
}

impl LogProof {
    /// The proof of the entry at `index` of `tree` in `checkpoint` (whose
    /// size the tree must have reached), with a consistency proof from the
    /// checkpoint of size `since` when given (a receipt's).
    pub fn build(
        tree: &MemoryTree,
        index: u64,
        entry: &[u8],
        checkpoint: &SignedCheckpoint,
        since: Option<u64>,
    ) -> Result<Self, String> {
        let size = checkpoint.checkpoint().size();
        let inclusion = tree
            .inclusion_proof(index, size)
            .map_err(|e| format!("no inclusion proof for entry {index} in size {size}: {e}"))?;
        let proof = TlogProof::new(None, index, inclusion, checkpoint.clone())
            .map_err(|e| e.to_string())?;
        let consistency = match since {
            Some(other) if other != size => {
                let (small, large) = (other.min(size), other.max(size));
                tree.consistency_proof(small, large)
                    .map_err(|e| format!("no consistency proof from {small} to {large}: {e}"))?
            }
            _ => Vec::new(),
        };
        Ok(Self {
            entry: String::from_utf8(entry.to_vec())
                .map_err(|_| format!("entry {index} is not UTF-8"))?,
            tlog_proof: String::from_utf8(proof.to_bytes())
                .map_err(|_| "a tlog-proof is not UTF-8".to_owned())?,
            consistency: consistency.iter().map(|h| BASE64.encode(h)).collect(),
        })
    }

    /// The consistency proof's hashes; `None` names the first bad one.
    pub(crate) fn consistency_hashes(&self) -> Result<Vec<Hash>, usize> {
        self.consistency
            .iter()
            .enumerate()
            .map(|(i, text)| {
                BASE64
                    .decode(text)
                    .ok()
                    .and_then(|bytes| Hash::try_from(bytes.as_slice()).ok())
                    .ok_or(i)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> serde_json::Value {
        serde_json::json!({
            "format": FORMAT,
            "exported_by": "RU",
            "exported_at": "2026-11-29T10:00:00.000Z",
            "scope": {"counterparty": "US"},
            "cards": [],
            "messages": [{"envelope": "{}"}],
        })
    }

    #[test]
    fn a_bundle_round_trips_through_its_json() {
        let bundle = Bundle::parse(minimal().to_string().as_bytes()).expect("parses");
        assert_eq!(bundle.scope, Scope::Counterparty("US".parse().expect("US")));
        assert_eq!(bundle.messages[0].receipt, None);
        assert_eq!(Bundle::parse(&bundle.to_json()).expect("again"), bundle);
    }

    #[test]
    fn commitment_scopes_and_documents_read_and_write_in_one_form() {
        let mut value = minimal();
        value["scope"] = serde_json::json!({"guarantee": "ru-us-elections-2026"});
        let bundle = Bundle::parse(value.to_string().as_bytes()).expect("guarantee scope");
        assert_eq!(
            bundle.scope,
            Scope::Guarantee("ru-us-elections-2026".into())
        );
        assert_eq!(bundle.scope.to_string(), "guarantee ru-us-elections-2026");
        // No documents: the member is left out, as in bundles written before it.
        let written: serde_json::Value = serde_json::from_slice(&bundle.to_json()).expect("json");
        assert!(written.get("documents").is_none(), "{written}");

        value["scope"] = serde_json::json!({"pledge": "UN/no-first-use"});
        value["documents"] = serde_json::json!(["{}"]);
        let bundle = Bundle::parse(value.to_string().as_bytes()).expect("pledge scope");
        assert_eq!(
            bundle.scope,
            Scope::Pledge("UN/no-first-use".parse().expect("reference"))
        );
        assert_eq!(bundle.documents, ["{}"]);
        assert_eq!(Bundle::parse(&bundle.to_json()).expect("again"), bundle);

        value["scope"] = serde_json::json!({"pledge": "no-first-use"});
        let error = Bundle::parse(value.to_string().as_bytes()).expect_err("not a reference");
        assert!(error.to_string().contains("scope"), "{error}");
    }

    #[test]
    fn bad_bundles_are_refused_naming_where() {
        let mut wrong = minimal();
        wrong["format"] = "detente-evidence/v2".into();
        assert!(matches!(
            Bundle::parse(wrong.to_string().as_bytes()),
            Err(BundleError::Format { found }) if found == "detente-evidence/v2"
        ));
        let mut extra = minimal();
        extra["messages"][0]["surprise"] = 1.into();
        let error = Bundle::parse(extra.to_string().as_bytes()).expect_err("unknown member");
        assert!(error.to_string().contains("messages[0]"), "{error}");
        let error = Bundle::parse(b"{\"format\": ").expect_err("truncated");
        assert!(error.to_string().contains("line 1 column"), "{error}");
        let huge = vec![b' '; MAX_BUNDLE_BYTES + 1];
        assert!(matches!(
            Bundle::parse(&huge),
            Err(BundleError::TooLarge { .. })
        ));
    }

    #[test]
    fn log_proofs_carry_inclusion_and_consistency() {
        let mut tree = MemoryTree::new();
        for i in 0..10u8 {
            tree.append(&[i]);
        }
        let signer = detente_log::note::Ed25519Signer::from_seed("detente.RU/log/v1", &[7; 32])
            .expect("key");
        let checkpoint = SignedCheckpoint::sign(
            detente_log::checkpoint::Checkpoint::new("detente.RU/log/v1", 10, tree.root())
                .expect("checkpoint"),
            &signer,
        )
        .expect("signed");
        let proof = LogProof::build(&tree, 3, b"\x03", &checkpoint, Some(6)).expect("proof");
        let parsed = TlogProof::parse(proof.tlog_proof.as_bytes()).expect("tlog-proof");
        assert_eq!(parsed.index(), 3);
        detente_log::merkle::verify_inclusion(
            3,
            10,
            &detente_log::merkle::leaf_hash(b"\x03"),
            parsed.inclusion(),
            &tree.root(),
        )
        .expect("inclusion verifies");
        let consistency = proof.consistency_hashes().expect("hashes");
        detente_log::merkle::verify_consistency(
            6,
            10,
            &consistency,
            &tree.root_at(6).expect("root"),
            &tree.root(),
        )
        .expect("consistency verifies");
        let same = LogProof::build(&tree, 3, b"\x03", &checkpoint, Some(10)).expect("proof");
        assert!(same.consistency.is_empty());
        assert!(LogProof::build(&tree, 3, b"\x03", &checkpoint, Some(11)).is_err());
    }
}
