//! The keys a bundle relies on: the parties' self-signed cards, held in
//! the protocol's [`detente_proto::keyring::Keyring`] (which card spoke for
//! a party when), and the log and witness keys derived from them
//! (crate::naming).

use std::collections::BTreeMap;

use detente_log::checkpoint::SignedCheckpoint;
use detente_log::cosignature::CosignatureVerifier;
use detente_log::note::Ed25519Verifier;
use detente_log::note::NoteVerifier;
use detente_log::policy::{Policy, PolicyError};
use detente_proto::card::SignedCard;
use detente_proto::ids::{KeyId, PartyCode};
use detente_proto::keyring::{Keyring as Cards, NoKey};
use detente_proto::time::Timestamp;

use crate::naming::{cosignature_verifier, log_verifier, origin};

/// The keys derived from one party's card.
#[derive(Debug)]
struct Derived {
    log: Ed25519Verifier,
    witness: CosignatureVerifier,
}

/// One party's verified card and derived keys.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PartyKeys<'a> {
    pub(crate) card: &'a SignedCard,
    log: &'a Ed25519Verifier,
    witness: &'a CosignatureVerifier,
}

/// Every party whose card verified, by code.
#[derive(Debug, Default)]
pub(crate) struct Keyring {
    cards: Cards,
    derived: BTreeMap<PartyCode, Derived>,
}

impl Keyring {
    /// Adds a verified card; refuses a second card for one party.
    pub(crate) fn add(&mut self, card: SignedCard) -> Result<(), String> {
        let party = card.card().party.clone();
        if self.cards.has(&party) {
            return Err(format!(
                "a second card for {party}: a bundle carries one card per party"
            ));
        }
        let keys = &card.keys().signing;
        let log = log_verifier(&party, keys)?;
        let witness = cosignature_verifier(&party, keys)?;
        self.cards.add(card).map_err(|e| e.to_string())?;
        self.derived.insert(party, Derived { log, witness });
        Ok(())
    }

    pub(crate) fn get(&self, party: &PartyCode) -> Option<PartyKeys<'_>> {
        let card = self.cards.latest(party)?;
        let derived = self.derived.get(party)?;
        Some(PartyKeys {
            card,
            log: &derived.log,
            witness: &derived.witness,
        })
    }

    /// The card that spoke for `party` at `at`.
    pub(crate) fn card_at(&self, party: &PartyCode, at: Timestamp) -> Result<&SignedCard, NoKey> {
        self.cards.card_at(party, at)
    }

    /// The party whose card key has id `key_id`.
    pub(crate) fn by_key_id(&self, key_id: &KeyId) -> Option<(&PartyCode, PartyKeys<'_>)> {
        let party = &self.cards.by_key_id(key_id)?.card().party;
        Some((party, self.get(party)?))
    }

    pub(crate) fn has(&self, party: &PartyCode) -> bool {
        self.cards.has(party)
    }

    pub(crate) fn parties(&self) -> impl Iterator<Item = (&PartyCode, PartyKeys<'_>)> {
        self.cards
            .parties()
            .filter_map(|party| Some((party, self.get(party)?)))
    }

    /// The default witness policy for `owner`'s log: its log key, and at
    /// least one cosignature from any OTHER party with a card in the bundle
    /// (a log cannot witness itself). `None` when there is no other party.
    pub(crate) fn default_policy(&self, owner: &PartyCode) -> Result<Option<Policy>, String> {
        let keys = self
            .get(owner)
            .ok_or_else(|| format!("no card for {owner}"))?;
        let mut text = format!("log {}\n", keys.log.to_vkey());
        let mut names = Vec::new();
        for (party, other) in self.parties().filter(|(p, _)| *p != owner) {
            text.push_str(&format!("witness {party} {}\n", other.witness.to_vkey()));
            names.push(party.to_string());
        }
        if names.is_empty() {
            return Ok(None);
        }
        text.push_str(&format!(
            "group others any {}\nquorum others\n",
            names.join(" ")
        ));
        Policy::parse(text.as_bytes())
            .map(Some)
            .map_err(|e| format!("default policy for {}: {e}", origin(owner)))
    }

    /// Checks every signature on `owner`'s checkpoint, strictly: each must
    /// be by `owner`'s log key or by a witness key of the bundle, and
    /// verify. (C2SP signed-note lets verifiers ignore unknown signatures;
    /// evidence may not carry anything unverifiable, so a bundle does not.)
    ///
    /// The witnesses of `policy` (the auditor's) count as known too; their
    /// cosignatures are checked when the policy is applied.
    pub(crate) fn check_signatures(
        &self,
        owner: &PartyCode,
        signed: &SignedCheckpoint,
        policy: Option<&Policy>,
    ) -> Result<(), String> {
        let keys = self
            .get(owner)
            .ok_or_else(|| format!("no card for {owner}, whose log this is"))?;
        for signature in signed.note().signatures() {
            let known = signature.name() == keys.log.name()
                && signature.key_id() == keys.log.key_id()
                || self.derived.values().any(|p| {
                    signature.name() == p.witness.name() && signature.key_id() == p.witness.key_id()
                })
                || policy.is_some_and(|policy| {
                    policy.witnesses().iter().any(|w| {
                        signature.name() == w.verifier.name()
                            && signature.key_id() == w.verifier.key_id()
                    })
                });
            if !known {
                return Err(format!(
                    "the checkpoint carries a signature by an unknown key ({} {:08x}): it was altered, or its signer's card is missing",
                    signature.name(),
                    signature.key_id()
                ));
            }
        }
        let mut text = format!("log {}\n", keys.log.to_vkey());
        for (party, p) in &self.derived {
            text.push_str(&format!("witness {party} {}\n", p.witness.to_vkey()));
        }
        text.push_str("quorum none\n");
        let all = Policy::parse(text.as_bytes()).map_err(|e| e.to_string())?;
        all.verify_checkpoint(signed)
            .map(|_| ())
            .map_err(|e| match e {
                PolicyError::NoLogSignature { .. } => {
                    format!("the checkpoint is not signed by {owner}'s log key")
                }
                other => format!("{other}"),
            })
    }

    /// The witness name of `party`, for reports.
    pub(crate) fn witness_label(name: &str) -> String {
        name.strip_prefix("detente.")
            .and_then(|rest| rest.strip_suffix("/witness"))
            .map_or_else(|| name.to_owned(), str::to_owned)
    }
}
