//! Offline verification of a bundle (docs/evidence.md, "Verifying").
//!
//! Nothing here touches the network or a clock. Every claim gets a
//! [`Verdict`]: PROVEN, BROKEN (something is false or altered; the detail
//! says exactly what) or UNPROVEN (nothing false, but the bundle lacks the
//! proof). The checks, per message:
//!
//! 1. `sent` — the envelope parses (canonical JSON, RFC 8785) and its
//!    Ed25519 signature verifies with the sender's card key.
//! 2. `logged-sent` — the sender's log holds a "sent" entry with the
//!    envelope's SHA-256: C2SP tlog-proof (RFC 9162 §2.1.3.2 inclusion) in a
//!    checkpoint signed by the sender's log key, and witnessed.
//! 3. `delivered` — the recipient's receipt verifies with its card key,
//!    names this envelope's hash, and proves the recipient's "received"
//!    entry in a checkpoint the recipient signed.
//! 4. `logged-received` — that entry proven in a witnessed checkpoint of the
//!    recipient's log, consistent (RFC 9162 §2.1.4.2) with the receipt's.
//! 5. `ack-deadline`, `reply-deadline`, `check-deadline` — for a message
//!    sent under an agreement the bundle proves in force (`in-force`, one
//!    claim per bundled agreement), each deadline it started, judged by the
//!    rules every node applies
//!    ([`detente_proto::agreement::responsiveness`]): in time, late, missed
//!    or pending as of the export. Otherwise `acknowledged` / `answered` —
//!    for kinds that call for it, the other side's acknowledgement (pong
//!    for a ping) in the bundle, how long it took and, with the auditor's
//!    deadline, whether it came in time.
//! 6. `figures` — the responsiveness figures the bundle claims, recomputed
//!    with [`detente_proto::agreement::responsiveness::stats`] from the
//!    messages it proves.
//!
//! For a bundle exported for a guarantee or a pledge, one more claim:
//! `status` (a guarantee) or `signatories` (a pledge) at [`Options::at`],
//! computed from the steps whose messages hold ([`commitments`]).
//!
//! "Witnessed" means: by default, cosigned (C2SP cosignature/v1) by at
//! least one party other than the log's owner whose card is in the bundle;
//! [`Options::policy`] replaces that with the auditor's own tlog-policy.
//! Every signature on a checkpoint must be by a known key and verify.

mod agreements;
mod answers;
mod commitments;
mod entries;
mod figures;
mod guarantee;
mod keyring;
mod pledge;

use std::collections::BTreeMap;

use chrono::TimeDelta;
use detente_log::checkpoint::Checkpoint;
use detente_log::policy::Policy;
use detente_proto::agreement::responsiveness::Fact;
use detente_proto::card::SignedCard;
use detente_proto::card_chain::{SignedCardLink, check_chain};
use detente_proto::envelope::{Envelope, UnverifiedEnvelope};
use detente_proto::keyring::{NoKey, Suspect};
use detente_proto::limits::Limits;
use detente_proto::log_entry::EntryDirection;
use detente_proto::receipt::SignedReceipt;
use detente_proto::time::Timestamp;

use crate::bundle::{Bundle, BundledMessage};
use crate::naming::origin;
use crate::receipt_log::verify_receipt_log;
use crate::report::{Claim, Party, Report, Verdict};
use entries::{Expected, ProvenEntry};
use keyring::Keyring;

/// How to judge a bundle.
#[derive(Debug, Default)]
pub struct Options {
    /// The auditor's witness policy (C2SP tlog-policy) for every log,
    /// instead of "at least one other party in the bundle".
    pub policy: Option<Policy>,
    /// The acknowledgement deadline for messages no agreement in the
    /// bundle judges, measured from the message's delivery (its receipt's
    /// `received_at`) to the answer's (likewise). An agreement the bundle
    /// proves in force sets its own deadlines instead.
    pub ack_within: Option<TimeDelta>,
    /// The moment a guarantee's status or a pledge's signatories are
    /// judged at (a bundle exported for one). Default: the bundle's
    /// judging moment, as for deadlines — its `exported_at`, or the latest
    /// time signed in it (a `created_at`, or a receipt's `received_at`, of
    /// a message whose signature verified) if that is later.
    pub at: Option<Timestamp>,
}

/// The moment a bundle is judged at when the auditor names none: when it
/// says it was exported, or the latest time signed in it (a `created_at`
/// or a receipt's `received_at` of a message whose signature verified) if
/// that is later — so that nothing the bundle holds is left out by an
/// `exported_at` set too early (it is unauthenticated).
pub(crate) fn judging_moment(exported_at: Timestamp, facts: &[Fact]) -> Timestamp {
    facts
        .iter()
        .flat_map(|f| [Some(f.created_at), f.delivered_at])
        .flatten()
        .max()
        .map_or(exported_at, |t| t.max(exported_at))
}

/// One claim per party with more than one card: its chain holds — each
/// card after the first is joined to the one before by a link signed with
/// the earlier card's key, or by its recovery key for a revocation
/// ([`check_chain`]) — or it is BROKEN (cut, or a link that does not
/// hold). The revocations of a chain that holds mark their keys
/// compromised in `keyring`.
fn chains(bundle: &Bundle, keyring: &mut Keyring, claims: &mut Vec<Claim>) {
    let mut links = Vec::new();
    for (i, text) in bundle.card_links.iter().enumerate() {
        match SignedCardLink::parse(text.as_bytes()) {
            Ok(link) => links.push(link),
            Err(e) => claims.push(claim(
                format!("card link #{}", i + 1),
                "signed",
                Verdict::Broken,
                e.to_string(),
            )),
        }
    }
    let parties: Vec<_> = keyring.parties().map(|(party, _)| party.clone()).collect();
    for party in parties {
        let cards: Vec<SignedCard> = keyring.cards_of(&party).cloned().collect();
        if cards.len() < 2 {
            continue;
        }
        let (verdict, detail) = match check_chain(&cards, &links) {
            Ok(joined) => {
                let mut revoked = Vec::new();
                for (previous, link) in cards.iter().zip(joined) {
                    if let Some(since) = link.compromised_since() {
                        keyring.revoke(previous, link);
                        revoked.push(format!(
                            "; key {} revoked by the recovery key as compromised since {since}",
                            previous.key_id()
                        ));
                    }
                }
                (
                    Verdict::Proven,
                    format!(
                        "{} cards, each linked by the key of the one before: {}{}",
                        cards.len(),
                        cards
                            .iter()
                            .map(|c| c.fingerprint().to_string())
                            .collect::<Vec<_>>()
                            .join(" → "),
                        revoked.concat()
                    ),
                )
            }
            Err(e) => (Verdict::Broken, e.to_string()),
        };
        claims.push(claim(format!("cards {party}"), "chained", verdict, detail));
    }
}

/// Verifies `bundle` offline.
pub fn verify(bundle: &Bundle, options: &Options) -> Report {
    let mut claims = Vec::new();
    let mut keyring = Keyring::default();
    for (i, text) in bundle.cards.iter().enumerate() {
        let added = SignedCard::parse(text.as_bytes())
            .map_err(|e| e.to_string())
            .and_then(|card| {
                let party = card.card().party.clone();
                let detail = format!(
                    "self-signed card of {}, signing key {}",
                    card.card().name,
                    card.fingerprint()
                );
                keyring.add(card).map(|()| (party, detail))
            });
        claims.push(match added {
            Ok((party, detail)) => {
                claim(format!("card {party}"), "signed", Verdict::Proven, detail)
            }
            Err(e) => claim(format!("card #{}", i + 1), "signed", Verdict::Broken, e),
        });
    }
    chains(bundle, &mut keyring, &mut claims);
    let agreements = agreements::check(&bundle.agreements, &keyring, &mut claims);
    let mut checker = Checker {
        keyring: &keyring,
        policy: options.policy.as_ref(),
        checkpoints: BTreeMap::new(),
        facts: Vec::new(),
        counted: Vec::new(),
        gaps: figures::Gaps::default(),
        checked: Vec::new(),
    };
    for (i, message) in bundle.messages.iter().enumerate() {
        checker.message(i, message, &mut claims);
    }
    if bundle.messages.is_empty() {
        claims.push(claim(
            "bundle".to_owned(),
            "messages",
            Verdict::Unproven,
            "the bundle holds no messages: it proves nothing".to_owned(),
        ));
    }
    claims.extend(answers::claims(
        &checker.facts,
        &agreements,
        options.ack_within,
        bundle.exported_at,
    ));
    let at = options
        .at
        .unwrap_or_else(|| judging_moment(bundle.exported_at, &checker.facts));
    let commitment = commitments::check(bundle, &checker.checked, &keyring, at, &mut claims);
    let figures = bundle.stats.as_ref().map(|claimed| {
        let counted: Vec<Fact> = checker
            .facts
            .iter()
            .zip(&checker.counted)
            .filter(|(_, counts)| **counts)
            .map(|(f, _)| f.clone())
            .collect();
        let (claim, recomputed) = figures::check(claimed, &counted, &agreements, &checker.gaps);
        claims.push(claim);
        recomputed
    });
    claims.extend(checker.forks());
    group_by_subject(&mut claims);
    Report {
        exported: format!(
            "{} — exported by {} at {}; {}; {} messages, {} cards",
            bundle.format,
            bundle.exported_by,
            bundle.exported_at,
            bundle.scope,
            bundle.messages.len(),
            bundle.cards.len()
        ),
        parties: keyring
            .parties()
            .map(|(code, keys)| Party {
                party: code.to_string(),
                name: keys.card.card().name.clone(),
                fingerprint: keys.card.fingerprint().to_string(),
            })
            .collect(),
        claims,
        figures,
        commitment,
    }
}

/// Puts each subject's claims together, subjects in order of first
/// appearance (answers are found after all messages are checked).
fn group_by_subject(claims: &mut [Claim]) {
    let mut first = std::collections::HashMap::new();
    for (i, claim) in claims.iter().enumerate() {
        first.entry(claim.subject.clone()).or_insert(i);
    }
    // A stable sort: each subject's claims keep their order.
    claims.sort_by_key(|claim| first[&claim.subject]);
}

/// PROVEN with `detail` — unless the signature is by a revoked key
/// ([`detente_proto::keyring::Keyring::suspect`]): then SUSPECT, saying so.
fn suspected(suspect: Option<Suspect>, detail: String) -> (Verdict, String) {
    match suspect {
        None => (Verdict::Proven, detail),
        Some(s) => (
            Verdict::Suspect,
            format!(
                "{detail} — but signed by {}'s key {}, which {} revoked as compromised since {}: whoever held the stolen key could have signed it",
                s.party, s.key_id, s.party, s.since
            ),
        ),
    }
}

fn claim(subject: String, what: &'static str, verdict: Verdict, detail: String) -> Claim {
    Claim {
        subject,
        claim: what,
        verdict,
        detail,
    }
}

struct Checker<'a> {
    keyring: &'a Keyring,
    policy: Option<&'a Policy>,
    /// Every checkpoint seen, by origin and size, with where it was seen.
    checkpoints: BTreeMap<(String, u64), Vec<(Checkpoint, String)>>,
    /// Each message whose signature verified, delivered when its receipt
    /// verified.
    facts: Vec<Fact>,
    /// For each of `facts`, whether it counts in figures: its receipt, if
    /// any, verified.
    counted: Vec<bool>,
    /// Messages that figures cannot rest on.
    gaps: figures::Gaps,
    /// How each message of the bundle stood, in bundle order.
    checked: Vec<Checked>,
}

/// How one message of the bundle stood once judged: what the claims on
/// guarantees and pledges rest on.
#[derive(Debug)]
pub(crate) struct Checked {
    /// `message <id>`, or `message #<n>` when the envelope does not parse.
    pub(crate) subject: String,
    /// The envelope as it claims to be; `None` when it does not parse.
    pub(crate) envelope: Option<Envelope>,
    /// Whether its signature verified with the sender's card key (`sent`
    /// PROVEN): only then is `envelope` the sender's word.
    pub(crate) verified: bool,
    /// Its claims judged BROKEN (`sent`, `delivered`, …).
    pub(crate) broken: Vec<&'static str>,
    /// The verdict on `logged-sent`, once the signature verified.
    pub(crate) logged_sent: Option<Verdict>,
}

impl Checker<'_> {
    /// Judges one message, and remembers how it stood.
    fn message(&mut self, i: usize, message: &BundledMessage, claims: &mut Vec<Claim>) {
        let start = claims.len();
        let (envelope, verified) = self.judge(i, message, claims);
        let judged = &claims[start..];
        self.checked.push(Checked {
            subject: judged
                .first()
                .map_or_else(|| format!("message #{}", i + 1), |c| c.subject.clone()),
            envelope,
            verified,
            broken: judged
                .iter()
                .filter(|c| c.verdict == Verdict::Broken)
                .map(|c| c.claim)
                .collect(),
            logged_sent: judged
                .iter()
                .find(|c| c.claim == "logged-sent")
                .map(|c| c.verdict),
        });
    }

    /// The claims on one message; gives the envelope as it claims to be
    /// (`None`: it does not parse) and whether its signature verified.
    fn judge(
        &mut self,
        i: usize,
        message: &BundledMessage,
        claims: &mut Vec<Claim>,
    ) -> (Option<Envelope>, bool) {
        let unverified =
            match UnverifiedEnvelope::parse(message.envelope.as_bytes(), &Limits::unbounded()) {
                Ok(u) => u,
                Err(e) => {
                    let subject = format!("message #{}", i + 1);
                    self.gaps.failed.push(subject.clone());
                    claims.push(claim(
                        subject,
                        "sent",
                        Verdict::Broken,
                        format!("envelope: {e}"),
                    ));
                    return (None, false);
                }
            };
        let claimed = unverified.claimed().clone();
        let subject = format!("message {}", claimed.id);
        let mut push = |what, verdict, detail: String| {
            claims.push(claim(subject.clone(), what, verdict, detail));
        };
        let (from, to) = (&claimed.from.party, &claimed.to.party);
        // The card that spoke for the sender when the envelope was written.
        let sender = match self.keyring.card_at(from, claimed.created_at) {
            Ok(card) => card,
            Err(NoKey::NoCard { .. }) => {
                self.gaps.unchecked.push(subject.clone());
                push(
                    "sent",
                    Verdict::Unproven,
                    format!(
                        "the bundle has no card for the sender {from}, so its signature cannot be checked"
                    ),
                );
                return (Some(claimed), false);
            }
            Err(no_key) => {
                self.gaps.failed.push(subject.clone());
                push("sent", Verdict::Broken, no_key.to_string());
                return (Some(claimed), false);
            }
        };
        let signed = match unverified.verify(&sender.keys().signing) {
            Ok(signed) => signed,
            Err(e) => {
                self.gaps.failed.push(subject.clone());
                push(
                    "sent",
                    Verdict::Broken,
                    format!(
                        "the envelope's signature does not verify with {from}'s key {}: {e}",
                        sender.fingerprint()
                    ),
                );
                return (Some(claimed), false);
            }
        };
        let e = signed.envelope();
        let (verdict, detail) = suspected(
            self.keyring.cards().suspect(sender, e.created_at),
            format!(
                "{from}/{} ({}) sent {} [{}, TLP:{}{}] to {to}/{} at {}: {:?}",
                e.from.tier,
                e.from.officer,
                e.kind(),
                e.precedence,
                e.tlp,
                if e.exercise { ", EXERCISE" } else { "" },
                e.to.tier,
                e.created_at,
                e.body.headline()
            ),
        );
        push("sent", verdict, detail);

        match &message.sender_log {
            None => push(
                "logged-sent",
                Verdict::Unproven,
                format!("no proof that {from} logged sending it"),
            ),
            Some(proof) => {
                let expected = Expected {
                    owner: from,
                    envelope: &signed,
                    direction: EntryDirection::Sent,
                };
                let (verdict, detail) =
                    match entries::check(proof, &expected, self.keyring, self.policy) {
                        Ok(p) => self.logged(from, &p, &subject),
                        Err(why) => (Verdict::Broken, format!("{}: {why}", origin(from))),
                    };
                push("logged-sent", verdict, detail);
            }
        }

        let mut delivered_at = None;
        let mut counts = true;
        let mut receipt_checkpoint = None;
        let mut receipt_entry = None;
        match (&message.receipt, self.keyring.get(to)) {
            (None, _) => push(
                "delivered",
                Verdict::Unproven,
                "no receipt in the bundle (not delivered when exported, or left out)".to_owned(),
            ),
            (Some(_), None) => {
                counts = false;
                self.gaps.unchecked.push(subject.clone());
                push(
                    "delivered",
                    Verdict::Unproven,
                    format!(
                        "the bundle has no card for the recipient {to}, so its receipt cannot be checked"
                    ),
                );
            }
            (Some(bytes), Some(_)) => {
                // With the key the recipient held when it signed it.
                let checked =
                    SignedReceipt::parse_and_verify_in(bytes.as_bytes(), to, self.keyring.cards())
                        .map_err(|e| format!("the receipt does not verify with {to}'s key: {e}"))
                        .and_then(|(r, key)| {
                            r.matches(&signed).map_err(|e| e.to_string())?;
                            let inclusion = verify_receipt_log(r.receipt(), &signed, &key)?;
                            Ok((r, inclusion))
                        });
                match checked {
                    Ok((receipt, inclusion)) => {
                        let r = receipt.receipt();
                        let (verdict, detail) = suspected(
                            self.keyring.cards().suspect_at(to, r.received_at),
                            format!(
                                "{to} received it at {} (receipt signed by {to}; entry {} of its log, checkpoint {} signed by {to})",
                                r.received_at, inclusion.index, inclusion.checkpoint_size
                            ),
                        );
                        push("delivered", verdict, detail);
                        delivered_at = Some(r.received_at);
                        self.saw(&inclusion.checkpoint, format!("{subject} receipt"));
                        receipt_entry = r.log.as_ref().map(|l| (l.entry.clone(), inclusion.index));
                        receipt_checkpoint = Some(inclusion.checkpoint);
                    }
                    Err(why) => {
                        counts = false;
                        self.gaps.failed.push(subject.clone());
                        push("delivered", Verdict::Broken, why);
                    }
                }
            }
        }

        match &message.recipient_log {
            None if message.receipt.is_some() => push(
                "logged-received",
                Verdict::Unproven,
                format!("no proof of {to}'s entry against a witnessed checkpoint of its log"),
            ),
            None => {}
            Some(_) if !self.keyring.has(to) => push(
                "logged-received",
                Verdict::Unproven,
                format!(
                    "the bundle has no card for {to}, so its log's checkpoint cannot be checked"
                ),
            ),
            Some(proof) => {
                let expected = Expected {
                    owner: to,
                    envelope: &signed,
                    direction: EntryDirection::Received,
                };
                let (verdict, detail) = match entries::check(proof, &expected, self.keyring, self.policy)
                    .and_then(|p| {
                        if let Some((entry, index)) = &receipt_entry
                            && (entry != &proof.entry || *index != p.index)
                        {
                            return Err(format!(
                                "the proof is for entry {} and the receipt names entry {index}, or their texts differ",
                                p.index
                            ));
                        }
                        if let Some(cp) = &receipt_checkpoint {
                            let hashes = proof.consistency_hashes().map_err(|n| {
                                format!("consistency proof hash #{} is not base64 SHA-256", n + 1)
                            })?;
                            entries::check_consistency(cp, &p.checkpoint, &hashes).map_err(|e| {
                                format!("the receipt's checkpoint and the proof's: {e}")
                            })?;
                        }
                        Ok(p)
                    }) {
                    Ok(p) => {
                        let (verdict, mut detail) = self.logged(to, &p, &subject);
                        if let Some(cp) = &receipt_checkpoint {
                            detail.push_str(&format!(
                                "; the receipt's checkpoint {} is consistent with it",
                                cp.size()
                            ));
                        }
                        (verdict, detail)
                    }
                    Err(why) => (Verdict::Broken, format!("{}: {why}", origin(to))),
                };
                push("logged-received", verdict, detail);
            }
        }
        self.facts.push(Fact::of(signed.envelope(), delivered_at));
        self.counted.push(counts);
        (Some(signed.envelope().clone()), true)
    }

    /// The verdict on an entry proven in `owner`'s log.
    fn logged(
        &mut self,
        owner: &detente_proto::ids::PartyCode,
        p: &ProvenEntry,
        seen_in: &str,
    ) -> (Verdict, String) {
        self.saw(&p.checkpoint, seen_in.to_owned());
        let place = format!(
            "entry {} of {}, in checkpoint {}",
            p.index,
            origin(owner),
            p.checkpoint.size()
        );
        match &p.witnessed {
            Ok(names) if names.is_empty() => (
                Verdict::Proven,
                format!("{place} (the policy requires no witnesses)"),
            ),
            Ok(names) => (
                Verdict::Proven,
                format!("{place} cosigned by {}", names.join(", ")),
            ),
            Err(why) => (
                Verdict::Unproven,
                format!("{place} signed by {owner}, but not witnessed: {why}"),
            ),
        }
    }

    fn saw(&mut self, checkpoint: &Checkpoint, seen_in: String) {
        self.checkpoints
            .entry((checkpoint.origin().to_owned(), checkpoint.size()))
            .or_default()
            .push((checkpoint.clone(), seen_in));
    }

    /// Two checkpoints of one log and size with different roots: a fork,
    /// proven by the log's own signatures on both.
    fn forks(&self) -> Vec<Claim> {
        let mut claims = Vec::new();
        for ((origin, size), seen) in &self.checkpoints {
            let (first, where_first) = &seen[0];
            if let Some((_, where_other)) = seen.iter().find(|(c, _)| c.root() != first.root()) {
                claims.push(claim(
                    format!("log {origin}"),
                    "consistent",
                    Verdict::Broken,
                    format!(
                        "two checkpoints of size {size} with different roots (in {where_first} and in {where_other}): the log forked"
                    ),
                ));
            }
        }
        claims
    }
}
