//! The keys a bundle relies on: the parties' self-signed cards, held in
//! the protocol's [`detente_proto::keyring::Keyring`] (which card spoke for
//! a party when), and the log and witness keys derived from each of them
//! (crate::naming). A party may have several cards, joined by card links
//! ([`detente_proto::card_chain`]); a checkpoint is checked against the
//! log key of whichever of its owner's cards signed it.

use std::collections::BTreeMap;

use detente_log::checkpoint::SignedCheckpoint;
use detente_log::cosignature::CosignatureVerifier;
use detente_log::note::Ed25519Verifier;
use detente_log::note::NoteVerifier;
use detente_log::policy::{Policy, PolicyError};
use detente_proto::card::SignedCard;
use detente_proto::card_chain::SignedCardLink;
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
}

/// Every party whose card verified, by code.
#[derive(Debug, Default)]
pub(crate) struct Keyring {
    cards: Cards,
    /// By the signing key of the card they are derived from.
    derived: BTreeMap<KeyId, Derived>,
}

impl Keyring {
    /// Adds a verified card; refuses two cards of a party issued at one
    /// instant.
    pub(crate) fn add(&mut self, card: SignedCard) -> Result<(), String> {
        let party = card.card().party.clone();
        let keys = &card.keys().signing;
        let log = log_verifier(&party, keys)?;
        let witness = cosignature_verifier(&party, keys)?;
        let key_id = card.key_id();
        self.cards.add(card).map_err(|e| e.to_string())?;
        self.derived.insert(key_id, Derived { log, witness });
        Ok(())
    }

    /// Takes a revocation from a chain that holds
    /// ([`Cards::revoke`]).
    pub(crate) fn revoke(&mut self, previous: &SignedCard, link: &SignedCardLink) {
        self.cards.revoke(previous, link);
    }

    /// The party's latest card and its derived keys.
    pub(crate) fn get(&self, party: &PartyCode) -> Option<PartyKeys<'_>> {
        self.keys_of(self.cards.latest(party)?)
    }

    fn keys_of<'a>(&'a self, card: &'a SignedCard) -> Option<PartyKeys<'a>> {
        let derived = self.derived.get(&card.key_id())?;
        Some(PartyKeys {
            card,
            log: &derived.log,
        })
    }

    /// The cards, as the protocol's keyring holds them.
    pub(crate) fn cards(&self) -> &Cards {
        &self.cards
    }

    /// Every card of `party`, in the order issued.
    pub(crate) fn cards_of<'a>(
        &'a self,
        party: &'a PartyCode,
    ) -> impl Iterator<Item = &'a SignedCard> + 'a {
        self.cards.cards().filter(move |c| &c.card().party == party)
    }

    /// The keys of `owner`'s card whose log key signed `signed`, else of
    /// its latest card.
    fn log_keys_for<'a>(
        &'a self,
        owner: &'a PartyCode,
        signed: &SignedCheckpoint,
    ) -> Option<PartyKeys<'a>> {
        self.cards_of(owner)
            .filter_map(|card| self.keys_of(card))
            .find(|keys| {
                signed
                    .note()
                    .signatures()
                    .iter()
                    .any(|s| s.name() == keys.log.name() && s.key_id() == keys.log.key_id())
            })
            .or_else(|| self.get(owner))
    }

    /// The card that spoke for `party` at `at`.
    pub(crate) fn card_at(&self, party: &PartyCode, at: Timestamp) -> Result<&SignedCard, NoKey> {
        self.cards.card_at(party, at)
    }

    /// The party whose card key has id `key_id`, with that card's keys.
    pub(crate) fn by_key_id(&self, key_id: &KeyId) -> Option<(&PartyCode, PartyKeys<'_>)> {
        let card = self.cards.by_key_id(key_id)?;
        Some((&card.card().party, self.keys_of(card)?))
    }

    pub(crate) fn has(&self, party: &PartyCode) -> bool {
        self.cards.has(party)
    }

    pub(crate) fn parties(&self) -> impl Iterator<Item = (&PartyCode, PartyKeys<'_>)> {
        self.cards
            .parties()
            .filter_map(|party| Some((party, self.get(party)?)))
    }

    /// The default witness policy for `owner`'s log, as it applies to
    /// `signed`: the log key that signed it, and at least one cosignature
    /// from any OTHER party with a card in the bundle, by any of its card
    /// keys (a log cannot witness itself). `None` when there is no other
    /// party.
    pub(crate) fn default_policy(
        &self,
        owner: &PartyCode,
        signed: &SignedCheckpoint,
    ) -> Result<Option<Policy>, String> {
        let keys = self
            .log_keys_for(owner, signed)
            .ok_or_else(|| format!("no card for {owner}"))?;
        let mut text = format!("log {}\n", keys.log.to_vkey());
        let mut names = Vec::new();
        for party in self.cards.parties().filter(|p| *p != owner) {
            // One witness per distinct key of the party (a renewal keeps
            // the key), named PARTY, then PARTY@1, PARTY@2, …
            let mut members = Vec::new();
            let mut seen = Vec::new();
            for card in self.cards_of(party) {
                let key_id = card.key_id();
                let Some(other) = self
                    .derived
                    .get(&key_id)
                    .filter(|_| !seen.contains(&key_id))
                else {
                    continue;
                };
                let name = match members.len() {
                    0 => party.to_string(),
                    n => format!("{party}@{n}"),
                };
                text.push_str(&format!("witness {name} {}\n", other.witness.to_vkey()));
                members.push(name);
                seen.push(key_id);
            }
            if members.len() > 1 {
                text.push_str(&format!("group {party}@any any {}\n", members.join(" ")));
                names.push(format!("{party}@any"));
            } else {
                names.push(party.to_string());
            }
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
            .log_keys_for(owner, signed)
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
        for (key_id, p) in &self.derived {
            text.push_str(&format!("witness {key_id} {}\n", p.witness.to_vkey()));
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

    /// The witness name of `party`, for reports: the party of a default
    /// policy's `PARTY@n` (a party's later key) too.
    pub(crate) fn witness_label(&self, name: &str) -> String {
        if let Some((party, _)) = name
            .split_once('@')
            .filter(|(party, _)| self.cards.parties().any(|p| p.as_str() == *party))
        {
            return party.to_owned();
        }
        name.strip_prefix("detente.")
            .and_then(|rest| rest.strip_suffix("/witness"))
            .map_or_else(|| name.to_owned(), str::to_owned)
    }
}
