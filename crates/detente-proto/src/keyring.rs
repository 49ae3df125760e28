//! Which key a party held for a purpose at a given time: the one answer to
//! that question, for the node and for the offline verifier alike
//! (docs/protocol.md, "Party cards").
//!
//! A [`Keyring`] is fed verified party cards. A card speaks for its party
//!
//! - from its `issued_at` until the `issued_at` of the party's next card
//!   in the keyring, if there is one, and never at or after its own
//!   `valid_until`;
//! - and, being the party's first card, for any time before its
//!   `issued_at` too: a node issues its card before it says anything, so
//!   the earliest card is the one that was in use (and a message a few
//!   seconds older than a card, within the agreed clock skew, is not
//!   orphaned).
//!
//! A party's signing key may also be declared compromised since a moment
//! (a revocation, [`crate::card_chain`]): [`Keyring::suspect`] then names
//! every signature of that key made at or after it. The key still
//! verifies — what it signed before the compromise stands — but nothing
//! it signed since is proof.
//!
//! Today a node holds one card per party; when keys rotate, a party's new
//! card joins the keyring and takes over from its `issued_at`, and every
//! question asked "at" a time before that still finds the old key. Pure: the
//! caller says what time it asks about.

use std::collections::BTreeMap;

use crate::card::SignedCard;
use crate::card_chain::SignedCardLink;
use crate::ids::{KeyId, PartyCode};
use crate::seal::EncryptionKey;
use crate::signing::PartyVerifyingKey;
use crate::time::Timestamp;

/// What a key is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Signing envelopes, receipts, checkpoints, cosignatures, documents
    /// and the card itself (Ed25519).
    Signing,
    /// Opening sealed envelopes (X25519, HPKE).
    Encryption,
    /// The node's TLS certificate, pinned by the SHA-256 of its
    /// SubjectPublicKeyInfo.
    Tls,
}

/// A key a card publishes, for one [`Purpose`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key<'a> {
    /// The Ed25519 signing key.
    Signing(&'a PartyVerifyingKey),
    /// The X25519 encryption key.
    Encryption(&'a EncryptionKey),
    /// The TLS SPKI pin.
    Tls(&'a [u8; 32]),
}

/// Why no key of a party speaks for a time.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum NoKey {
    /// No card of the party is held.
    #[error(
        "no card of {party} is held; add it (detente peer add) after confirming its fingerprint"
    )]
    NoCard {
        /// The party.
        party: PartyCode,
    },
    /// The card that would speak for the time had expired by then.
    #[error(
        "the card of {party} expired at {until}, before {at}; nothing signed or sealed after that can use it until {party}'s new card is added"
    )]
    Expired {
        /// The party.
        party: PartyCode,
        /// The card's `valid_until`.
        until: Timestamp,
        /// The time asked about.
        at: Timestamp,
    },
}

/// Why a card was not added.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    /// Another card of the party was issued at the same instant, so which
    /// of the two speaks from then on is undecidable.
    #[error(
        "two different cards of {party} are issued at {issued_at}; a party's cards must have distinct issued_at times"
    )]
    SameIssueTime {
        /// The party.
        party: PartyCode,
        /// The `issued_at` both have.
        issued_at: Timestamp,
    },
}

/// Refuses `card` at `at` if it had expired by then: its `valid_until` is
/// at or before `at`.
pub fn valid_at(card: &SignedCard, at: Timestamp) -> Result<(), NoKey> {
    match card.card().valid_until {
        Some(until) if until <= at => Err(NoKey::Expired {
            party: card.card().party.clone(),
            until,
            at,
        }),
        _ => Ok(()),
    }
}

/// Verified cards, per party, in the order they were issued, and the
/// signing keys revoked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keyring {
    cards: BTreeMap<PartyCode, Vec<SignedCard>>,
    /// Since when each revoked signing key is compromised.
    revoked: BTreeMap<KeyId, Timestamp>,
}

/// A signature made by a key at or after the moment it was compromised
/// since: not proof of anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspect {
    /// The party whose key it is.
    pub party: PartyCode,
    /// The compromised key.
    pub key_id: KeyId,
    /// Since when it is compromised.
    pub since: Timestamp,
}

impl Keyring {
    /// An empty keyring.
    pub fn new() -> Self {
        Self::default()
    }

    /// A keyring of `cards`.
    pub fn of(cards: impl IntoIterator<Item = SignedCard>) -> Result<Self, KeyringError> {
        let mut keyring = Self::new();
        for card in cards {
            keyring.add(card)?;
        }
        Ok(keyring)
    }

    /// Adds a verified card. The same card again changes nothing.
    pub fn add(&mut self, card: SignedCard) -> Result<(), KeyringError> {
        let party = card.card().party.clone();
        let issued_at = card.card().issued_at;
        let held = self.cards.entry(party.clone()).or_default();
        match held.binary_search_by_key(&issued_at, |c| c.card().issued_at) {
            Ok(i) if held[i] == card => Ok(()),
            Ok(_) => Err(KeyringError::SameIssueTime { party, issued_at }),
            Err(i) => {
                held.insert(i, card);
                Ok(())
            }
        }
    }

    /// Takes a revocation: when `link` (checked by
    /// [`crate::card_chain::check_successor`] to join `previous` to its
    /// successor) is one, `previous`'s signing key is compromised from its
    /// `compromised_since` on. The earliest moment named for a key holds.
    pub fn revoke(&mut self, previous: &SignedCard, link: &SignedCardLink) {
        let Some(since) = link.compromised_since() else {
            return;
        };
        self.revoked
            .entry(previous.key_id())
            .and_modify(|held| *held = (*held).min(since))
            .or_insert(since);
    }

    /// Whether `card`'s signing key, signing at `at`, is suspect: revoked
    /// since `at` or earlier.
    pub fn suspect(&self, card: &SignedCard, at: Timestamp) -> Option<Suspect> {
        let key_id = card.key_id();
        let since = *self.revoked.get(&key_id)?;
        (at >= since).then(|| Suspect {
            party: card.card().party.clone(),
            key_id,
            since,
        })
    }

    /// Whether what `party` signed at `at` is suspect: the card that spoke
    /// for it then has a signing key revoked since `at` or earlier.
    pub fn suspect_at(&self, party: &PartyCode, at: Timestamp) -> Option<Suspect> {
        self.suspect(self.card_at(party, at).ok()?, at)
    }

    /// The card that speaks for `party` at `at` (see the module's rule).
    pub fn card_at(&self, party: &PartyCode, at: Timestamp) -> Result<&SignedCard, NoKey> {
        // A party's list is never empty: it is made by its first card.
        let held = self.cards.get(party).ok_or_else(|| NoKey::NoCard {
            party: party.clone(),
        })?;
        // The last card issued at or before `at`; the first for earlier times.
        let later = held.partition_point(|c| c.card().issued_at <= at);
        let card = &held[later.saturating_sub(1)];
        valid_at(card, at)?;
        Ok(card)
    }

    /// The key `party` held for `purpose` at `at`, if a card speaks for it.
    pub fn key_of(&self, party: &PartyCode, purpose: Purpose, at: Timestamp) -> Option<Key<'_>> {
        let keys = self.card_at(party, at).ok()?.keys();
        Some(match purpose {
            Purpose::Signing => Key::Signing(&keys.signing),
            Purpose::Encryption => Key::Encryption(&keys.encryption),
            Purpose::Tls => Key::Tls(&keys.tls_spki_sha256),
        })
    }

    /// The signing key `party` held at `at` ([`Self::key_of`] for
    /// [`Purpose::Signing`]).
    pub fn signing_key(&self, party: &PartyCode, at: Timestamp) -> Option<&PartyVerifyingKey> {
        match self.key_of(party, Purpose::Signing, at) {
            Some(Key::Signing(key)) => Some(key),
            _ => None,
        }
    }

    /// The card whose signing key has id `key_id`, of whichever party.
    pub fn by_key_id(&self, key_id: &KeyId) -> Option<&SignedCard> {
        self.cards().find(|card| &card.key_id() == key_id)
    }

    /// The party's most recently issued card.
    pub fn latest(&self, party: &PartyCode) -> Option<&SignedCard> {
        self.cards.get(party).and_then(|held| held.last())
    }

    /// Every card held, by party and then in the order issued.
    pub fn cards(&self) -> impl Iterator<Item = &SignedCard> {
        self.cards.values().flatten()
    }

    /// Whether a card of `party` is held.
    pub fn has(&self, party: &PartyCode) -> bool {
        self.cards.contains_key(party)
    }

    /// The parties with a card here, in code order.
    pub fn parties(&self) -> impl Iterator<Item = &PartyCode> {
        self.cards.keys()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::PartyCard;
    use crate::signing::PartySigningKey;

    fn at(text: &str) -> Timestamp {
        text.parse().expect("timestamp")
    }

    fn party(code: &str) -> PartyCode {
        code.parse().expect("party")
    }

    /// A card of `code` with a fresh key, issued at `issued`.
    fn card(code: &str, issued: &str, until: Option<&str>) -> SignedCard {
        let key = PartySigningKey::generate(&mut rand::thread_rng());
        PartyCard {
            party: party(code),
            issued_at: at(issued),
            valid_until: until.map(at),
            ..crate::card::tests::card(&key)
        }
        .sign(&key)
        .expect("signed")
    }

    #[test]
    fn a_partys_first_card_speaks_until_it_expires() {
        let us = card(
            "US",
            "2026-01-01T00:00:00.000Z",
            Some("2027-01-01T00:00:00.000Z"),
        );
        let keyring = Keyring::of([us.clone()]).expect("keyring");
        for time in [
            "2025-12-31T23:59:59.000Z",
            "2026-06-01T00:00:00.000Z",
            "2026-12-31T23:59:59.999Z",
        ] {
            assert_eq!(keyring.card_at(&party("US"), at(time)), Ok(&us), "{time}");
            assert_eq!(
                keyring.signing_key(&party("US"), at(time)),
                Some(&us.keys().signing)
            );
        }
        assert_eq!(
            keyring.card_at(&party("US"), at("2027-01-01T00:00:00.000Z")),
            Err(NoKey::Expired {
                party: party("US"),
                until: at("2027-01-01T00:00:00.000Z"),
                at: at("2027-01-01T00:00:00.000Z"),
            })
        );
        assert_eq!(
            keyring.key_of(&party("US"), Purpose::Tls, at("2027-02-01T00:00:00.000Z")),
            None
        );
        assert_eq!(
            keyring.card_at(&party("RU"), at("2026-06-01T00:00:00.000Z")),
            Err(NoKey::NoCard { party: party("RU") })
        );
    }

    #[test]
    fn a_new_card_takes_over_from_its_issue_time_and_the_old_answers_for_before() {
        let old = card("US", "2026-01-01T00:00:00.000Z", None);
        let new = card("US", "2026-07-01T00:00:00.000Z", None);
        // Added in either order, the answer is the same.
        for cards in [[old.clone(), new.clone()], [new.clone(), old.clone()]] {
            let keyring = Keyring::of(cards).expect("keyring");
            let key_at = |time| keyring.signing_key(&party("US"), at(time));
            assert_eq!(
                key_at("2026-06-30T23:59:59.999Z"),
                Some(&old.keys().signing)
            );
            assert_eq!(
                key_at("2026-07-01T00:00:00.000Z"),
                Some(&new.keys().signing)
            );
            assert_eq!(keyring.latest(&party("US")), Some(&new));
            assert_eq!(keyring.by_key_id(&old.key_id()), Some(&old));
            assert_eq!(
                keyring.key_of(
                    &party("US"),
                    Purpose::Encryption,
                    at("2026-03-01T00:00:00.000Z")
                ),
                Some(Key::Encryption(&old.keys().encryption))
            );
        }
    }

    #[test]
    fn two_cards_issued_at_one_instant_are_refused_but_the_same_card_is_not() {
        let first = card("US", "2026-01-01T00:00:00.000Z", None);
        let mut keyring = Keyring::of([first.clone()]).expect("keyring");
        assert_eq!(keyring.add(first.clone()), Ok(()), "the same card again");
        assert_eq!(
            keyring.add(card("US", "2026-01-01T00:00:00.000Z", None)),
            Err(KeyringError::SameIssueTime {
                party: party("US"),
                issued_at: at("2026-01-01T00:00:00.000Z"),
            })
        );
        assert_eq!(
            keyring.latest(&party("US")),
            Some(&first),
            "nothing changed"
        );
        assert!(keyring.has(&party("US")) && !keyring.has(&party("RU")));
        assert_eq!(keyring.parties().collect::<Vec<_>>(), [&party("US")]);
    }
}
