//! A party's chain of cards (docs/protocol.md, "Card chains"): how a
//! party replaces its card — a renewal with the same keys, or a rotation
//! to new ones — so that whoever trusted the old card can trust the new
//! one without meeting again out of band.
//!
//! A successor card names its predecessor (`previous`, the SHA-256 of its
//! exact bytes) and is self-signed by its own key, like every card; a
//! [`CardLink`] names both cards' hashes and is signed by the
//! *predecessor's* key. So the step is signed by the old key and the new
//! one: a thief of only the new key cannot attach it to the party, and the
//! old key alone cannot make the new key sign.
//!
//! A **revocation** is the step a party takes when its signing key is
//! compromised: the old key's signature on a link proves nothing any more
//! (a thief holds it), so the link instead names the moment the key was
//! compromised since (`compromised_since`) and is signed by the offline
//! recovery key the predecessor card publishes (`recovery_key`); the new
//! card, with a new signing key, is self-signed as always. Whoever takes
//! the step marks every signature of the old key made at or after that
//! moment as suspect ([`crate::keyring::Keyring::revoke`]). A card without
//! a recovery key cannot be revoked this way: its party re-establishes
//! trust out of band (`detente peer add`).
//!
//! [`check_successor`] is the one rule for a step, used by the node
//! accepting a pushed card and by the offline verifier walking a bundle's
//! chain ([`check_chain`]). Pure: no clock, no store.

use serde::{Deserialize, Serialize};

use crate::ProtoError;
use crate::SignatureError;
use crate::card::SignedCard;
use crate::envelope::hash_to_base64;
use crate::ids::{KeyId, PartyCode};
use crate::signing::{Domain, PartySigningKey, SignedParts, decode_fixed};
use crate::time::Timestamp;

/// What a link says: `party`'s card `next` succeeds its card `previous`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardLink {
    /// The party whose cards these are.
    pub party: PartyCode,
    /// Base64 SHA-256 of the predecessor card's exact bytes.
    pub previous: String,
    /// Base64 SHA-256 of the successor card's exact bytes.
    pub next: String,
    /// Present on a revocation: since when the predecessor's signing key
    /// is compromised. Such a link is signed by the predecessor's
    /// recovery key, not its signing key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compromised_since: Option<Timestamp>,
}

/// A card link whose form has been checked (its signature is checked
/// against the predecessor by [`check_successor`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCardLink {
    parts: SignedParts,
    link: CardLink,
    previous: [u8; 32],
    next: [u8; 32],
}

impl SignedCardLink {
    /// Signs the link from `previous` to `next` with `previous`'s key,
    /// which must be the one `previous` publishes.
    pub fn sign(
        previous: &SignedCard,
        next: &SignedCard,
        key: &PartySigningKey,
    ) -> Result<Self, ChainError> {
        if key.verifying_key() != previous.keys().signing {
            return Err(ChainError::NotPredecessorKey {
                party: previous.card().party.clone(),
                key_id: key.key_id(),
            });
        }
        Ok(Self::sign_link(previous, next, key, None))
    }

    /// Signs a revocation: `next` succeeds `previous`, whose signing key
    /// is compromised since `since`, signed with `recovery`, which must be
    /// the recovery key `previous` publishes. `next` must have a new
    /// signing key.
    pub fn revoke(
        previous: &SignedCard,
        next: &SignedCard,
        recovery: &PartySigningKey,
        since: Timestamp,
    ) -> Result<Self, ChainError> {
        let party = previous.card().party.clone();
        match &previous.keys().recovery {
            None => return Err(ChainError::NoRecoveryKey { party }),
            Some(key) if *key != recovery.verifying_key() => {
                return Err(ChainError::NotRecoveryKey {
                    party,
                    key_id: recovery.key_id(),
                });
            }
            Some(_) => {}
        }
        revocation_holds(previous, next, since)?;
        Ok(Self::sign_link(previous, next, recovery, Some(since)))
    }

    fn sign_link(
        previous: &SignedCard,
        next: &SignedCard,
        key: &PartySigningKey,
        compromised_since: Option<Timestamp>,
    ) -> Self {
        let link = CardLink {
            party: previous.card().party.clone(),
            previous: hash_to_base64(&previous.sha256()),
            next: hash_to_base64(&next.sha256()),
            compromised_since,
        };
        let value =
            serde_json::to_value(&link).unwrap_or_else(|e| unreachable!("links serialise: {e}"));
        let bytes = key.sign_document(Domain::CardLink, &value);
        Self::parse(&bytes).unwrap_or_else(|e| unreachable!("a link just signed parses: {e}"))
    }

    /// Reads a link's bytes: canonical form, members, hashes. Does not
    /// verify the signature (that needs the predecessor card).
    pub fn parse(bytes: &[u8]) -> Result<Self, ProtoError> {
        let (parts, link): (_, CardLink) =
            SignedParts::parse_as(Domain::CardLink, bytes, 4 * 1024)?;
        let previous = decode_fixed::<32>("card_link.previous", &link.previous)?;
        let next = decode_fixed::<32>("card_link.next", &link.next)?;
        Ok(Self {
            parts,
            link,
            previous,
            next,
        })
    }

    /// The exact signed bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.parts.bytes
    }

    /// What the link says.
    pub fn link(&self) -> &CardLink {
        &self.link
    }

    /// The predecessor's hash.
    pub fn previous(&self) -> [u8; 32] {
        self.previous
    }

    /// The successor's hash.
    pub fn next(&self) -> [u8; 32] {
        self.next
    }

    /// On a revocation, since when the predecessor's signing key is
    /// compromised.
    pub fn compromised_since(&self) -> Option<Timestamp> {
        self.link.compromised_since
    }
}

/// One step of a chain as it travels (a peer push, a bundle): the
/// successor card and its link, each as its exact JSON text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainStep {
    /// The successor card, exact bytes as text.
    pub card: String,
    /// The link from its predecessor, exact bytes as text.
    pub link: String,
}

/// A parsed [`ChainStep`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Successor {
    /// The successor card.
    pub card: SignedCard,
    /// The link from its predecessor.
    pub link: SignedCardLink,
}

impl Successor {
    /// Parses a step: both documents, each in its signed form.
    pub fn parse(step: &ChainStep) -> Result<Self, ProtoError> {
        Ok(Self {
            card: SignedCard::parse(step.card.as_bytes())?,
            link: SignedCardLink::parse(step.link.as_bytes())?,
        })
    }

    /// The step as it travels.
    pub fn to_step(&self) -> ChainStep {
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        ChainStep {
            card: text(self.card.bytes()),
            link: text(self.link.bytes()),
        }
    }
}

/// Why a card does not succeed another.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum ChainError {
    /// The two cards are of different parties.
    #[error("a card of {next} cannot succeed a card of {previous}")]
    OtherParty {
        /// The predecessor's party.
        previous: PartyCode,
        /// The successor's party.
        next: PartyCode,
    },
    /// The successor is not issued after its predecessor.
    #[error(
        "the new card of {party} is issued at {next}, not after the card it replaces ({previous})"
    )]
    NotLater {
        /// The party.
        party: PartyCode,
        /// The predecessor's `issued_at`.
        previous: Timestamp,
        /// The successor's `issued_at`.
        next: Timestamp,
    },
    /// The successor card does not name this predecessor.
    #[error(
        "the new card of {party} does not name the card it replaces (its `previous` is {named}, the card held is {held})"
    )]
    NotNamed {
        /// The party.
        party: PartyCode,
        /// What the card names, base64, or "nothing".
        named: String,
        /// The held card's hash, base64.
        held: String,
    },
    /// The link names other cards, or another party.
    #[error("the card link of {party} does not join these two cards: it names {previous} → {next}")]
    LinkMismatch {
        /// The party the link names.
        party: PartyCode,
        /// The predecessor it names, base64.
        previous: String,
        /// The successor it names, base64.
        next: String,
    },
    /// The link is not signed by the predecessor's key.
    #[error(
        "the card link of {party} is not signed by the key of the card it replaces: {cause}; a new card must be linked by the key already trusted"
    )]
    LinkSignature {
        /// The party.
        party: PartyCode,
        /// Why the signature did not verify.
        cause: SignatureError,
    },
    /// A link was to be signed with a key the predecessor does not publish.
    #[error(
        "key {key_id} is not the signing key of {party}'s current card, so it cannot link a new card to it"
    )]
    NotPredecessorKey {
        /// The party.
        party: PartyCode,
        /// The key offered.
        key_id: KeyId,
    },
    /// A revocation of a card that names no recovery key.
    #[error(
        "the card of {party} names no recovery key, so no revocation can succeed it; {party} must re-establish trust out of band (its peers run detente peer add with its new card and fingerprint)"
    )]
    NoRecoveryKey {
        /// The party.
        party: PartyCode,
    },
    /// A revocation was to be signed with a key other than the
    /// predecessor's recovery key.
    #[error(
        "key {key_id} is not the recovery key named on {party}'s current card; give the recovery key printed when the node was set up"
    )]
    NotRecoveryKey {
        /// The party.
        party: PartyCode,
        /// The key offered.
        key_id: KeyId,
    },
    /// A revocation's link is not signed by the predecessor's recovery key.
    #[error(
        "the revocation of {party}'s card is not signed by the recovery key that card names: {cause}"
    )]
    RecoverySignature {
        /// The party.
        party: PartyCode,
        /// Why the signature did not verify.
        cause: SignatureError,
    },
    /// A revocation whose new card keeps the compromised signing key.
    #[error(
        "the revocation of {party}'s card keeps its compromised signing key {key_id}; a revocation must bring a new signing key"
    )]
    CompromisedKeyKept {
        /// The party.
        party: PartyCode,
        /// The key kept.
        key_id: KeyId,
    },
    /// A revocation dated after the new card it introduces.
    #[error(
        "the revocation of {party}'s card says its key was compromised since {since}, after the new card's issue time {issued_at}"
    )]
    CompromiseAfterIssue {
        /// The party.
        party: PartyCode,
        /// The `compromised_since` named.
        since: Timestamp,
        /// The new card's `issued_at`.
        issued_at: Timestamp,
    },
    /// No link joins two consecutive cards of a chain.
    #[error(
        "no link joins {party}'s card issued at {previous} to its next, issued at {next}: the chain of cards is cut"
    )]
    Cut {
        /// The party.
        party: PartyCode,
        /// The earlier card's `issued_at`.
        previous: Timestamp,
        /// The later card's `issued_at`.
        next: Timestamp,
    },
}

/// The one rule of a step: `next` succeeds `previous` when both are the
/// same party's, `next` is issued later and names `previous`, and `link`
/// joins exactly these two cards and verifies with `previous`'s signing
/// key — or, for a revocation, with `previous`'s recovery key, `next`
/// having a new signing key and being issued no earlier than the
/// compromise.
pub fn check_successor(
    previous: &SignedCard,
    next: &SignedCard,
    link: &SignedCardLink,
) -> Result<(), ChainError> {
    let (old, new) = (previous.card(), next.card());
    if old.party != new.party {
        return Err(ChainError::OtherParty {
            previous: old.party.clone(),
            next: new.party.clone(),
        });
    }
    let party = &old.party;
    if new.issued_at <= old.issued_at {
        return Err(ChainError::NotLater {
            party: party.clone(),
            previous: old.issued_at,
            next: new.issued_at,
        });
    }
    if next.previous() != Some(previous.sha256()) {
        return Err(ChainError::NotNamed {
            party: party.clone(),
            named: new.previous.clone().unwrap_or_else(|| "nothing".into()),
            held: hash_to_base64(&previous.sha256()),
        });
    }
    if &link.link.party != party || link.previous != previous.sha256() || link.next != next.sha256()
    {
        return Err(ChainError::LinkMismatch {
            party: link.link.party.clone(),
            previous: link.link.previous.clone(),
            next: link.link.next.clone(),
        });
    }
    let Some(since) = link.compromised_since() else {
        return link
            .parts
            .verify(&previous.keys().signing, party)
            .map_err(|cause| ChainError::LinkSignature {
                party: party.clone(),
                cause,
            });
    };
    let recovery = previous
        .keys()
        .recovery
        .as_ref()
        .ok_or_else(|| ChainError::NoRecoveryKey {
            party: party.clone(),
        })?;
    link.parts
        .verify(recovery, party)
        .map_err(|cause| ChainError::RecoverySignature {
            party: party.clone(),
            cause,
        })?;
    revocation_holds(previous, next, since)
}

/// What a revocation's cards must say: a new signing key, issued no
/// earlier than the compromise.
fn revocation_holds(
    previous: &SignedCard,
    next: &SignedCard,
    since: Timestamp,
) -> Result<(), ChainError> {
    let party = &previous.card().party;
    if next.keys().signing == previous.keys().signing {
        return Err(ChainError::CompromisedKeyKept {
            party: party.clone(),
            key_id: previous.key_id(),
        });
    }
    if since > next.card().issued_at {
        return Err(ChainError::CompromiseAfterIssue {
            party: party.clone(),
            since,
            issued_at: next.card().issued_at,
        });
    }
    Ok(())
}

/// Checks a party's whole chain: `cards` in the order issued (all of one
/// party), each after the first joined to its predecessor by one of
/// `links` under [`check_successor`]. Returns the link of each step, in
/// order (one fewer than `cards`).
pub fn check_chain<'a>(
    cards: &[SignedCard],
    links: &'a [SignedCardLink],
) -> Result<Vec<&'a SignedCardLink>, ChainError> {
    let mut joined = Vec::new();
    for pair in cards.windows(2) {
        let [previous, next] = pair else {
            continue;
        };
        let link = links
            .iter()
            .find(|l| l.previous == previous.sha256() && l.next == next.sha256())
            .ok_or_else(|| ChainError::Cut {
                party: previous.card().party.clone(),
                previous: previous.card().issued_at,
                next: next.card().issued_at,
            })?;
        check_successor(previous, next, link)?;
        joined.push(link);
    }
    Ok(joined)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::PartyCard;

    fn key() -> PartySigningKey {
        PartySigningKey::generate(&mut rand::thread_rng())
    }

    fn first(key: &PartySigningKey) -> SignedCard {
        crate::card::tests::card(key).sign(key).expect("signed")
    }

    /// The successor of `previous`, signed by `new_key`, issued an hour later.
    fn successor(previous: &SignedCard, new_key: &PartySigningKey) -> SignedCard {
        PartyCard {
            signing_key: new_key.verifying_key().to_base64(),
            issued_at: previous.card().issued_at.plus(chrono::TimeDelta::hours(1)),
            previous: Some(hash_to_base64(&previous.sha256())),
            ..previous.card().clone()
        }
        .sign(new_key)
        .expect("signed")
    }

    #[test]
    fn a_rotation_is_joined_by_the_old_key_and_a_renewal_by_the_same_one() {
        let (old_key, new_key) = (key(), key());
        let one = first(&old_key);
        let two = successor(&one, &new_key);
        let link = SignedCardLink::sign(&one, &two, &old_key).expect("link");
        assert_eq!(check_successor(&one, &two, &link), Ok(()));
        let reparsed = SignedCardLink::parse(link.bytes()).expect("parse");
        assert_eq!(reparsed, link);
        // A renewal: the same key links and signs.
        let three = successor(&two, &new_key);
        let renewal = SignedCardLink::sign(&two, &three, &new_key).expect("link");
        let links = [renewal, link];
        assert_eq!(
            check_chain(&[one.clone(), two.clone(), three.clone()], &links),
            Ok(vec![&links[1], &links[0]]),
            "each step's link, in order"
        );
        // The step round-trips as it travels.
        let step = Successor {
            card: three.clone(),
            link: SignedCardLink::sign(&two, &three, &new_key).expect("link"),
        };
        assert_eq!(Successor::parse(&step.to_step()).expect("parse"), step);
    }

    #[test]
    fn a_link_by_the_new_key_alone_is_refused() {
        let (old_key, new_key) = (key(), key());
        let one = first(&old_key);
        let two = successor(&one, &new_key);
        assert!(matches!(
            SignedCardLink::sign(&one, &two, &new_key),
            Err(ChainError::NotPredecessorKey { .. })
        ));
        // Forged by hand: the new key signs the link document.
        let value = serde_json::to_value(CardLink {
            party: one.card().party.clone(),
            previous: hash_to_base64(&one.sha256()),
            next: hash_to_base64(&two.sha256()),
            compromised_since: None,
        })
        .expect("json");
        let forged = SignedCardLink::parse(&new_key.sign_document(Domain::CardLink, &value))
            .expect("well formed");
        assert!(matches!(
            check_successor(&one, &two, &forged),
            Err(ChainError::LinkSignature { .. })
        ));
    }

    #[test]
    fn a_card_not_naming_its_predecessor_or_not_later_is_refused() {
        let (old_key, new_key) = (key(), key());
        let one = first(&old_key);
        let unnamed = PartyCard {
            signing_key: new_key.verifying_key().to_base64(),
            issued_at: one.card().issued_at.plus(chrono::TimeDelta::hours(1)),
            ..one.card().clone()
        }
        .sign(&new_key)
        .expect("signed");
        let link = SignedCardLink::sign(&one, &unnamed, &old_key).expect("link");
        assert!(matches!(
            check_successor(&one, &unnamed, &link),
            Err(ChainError::NotNamed { .. })
        ));
        let earlier = PartyCard {
            issued_at: one.card().issued_at,
            previous: Some(hash_to_base64(&one.sha256())),
            ..one.card().clone()
        }
        .sign(&old_key)
        .expect("signed");
        let link = SignedCardLink::sign(&one, &earlier, &old_key).expect("link");
        assert!(matches!(
            check_successor(&one, &earlier, &link),
            Err(ChainError::NotLater { .. })
        ));
    }

    #[test]
    fn a_chain_without_a_link_is_cut_and_a_link_for_other_cards_does_not_join() {
        let (k1, k2, k3) = (key(), key(), key());
        let one = first(&k1);
        let two = successor(&one, &k2);
        let three = successor(&two, &k3);
        let first_link = SignedCardLink::sign(&one, &two, &k1).expect("link");
        let second_link = SignedCardLink::sign(&two, &three, &k2).expect("link");
        assert!(matches!(
            check_chain(
                &[one.clone(), two.clone(), three.clone()],
                std::slice::from_ref(&first_link)
            ),
            Err(ChainError::Cut { .. })
        ));
        // Skipping a card: no link joins one to three.
        assert!(matches!(
            check_chain(
                &[one.clone(), three.clone()],
                &[first_link.clone(), second_link.clone()]
            ),
            Err(ChainError::Cut { .. })
        ));
        assert!(matches!(
            check_successor(&one, &two, &second_link),
            Err(ChainError::LinkMismatch { .. })
        ));
        let other_party = PartyCard {
            party: "RU".parse().expect("RU"),
            ..successor(&one, &k2).card().clone()
        }
        .sign(&k2)
        .expect("signed");
        assert!(matches!(
            check_successor(&one, &other_party, &first_link),
            Err(ChainError::OtherParty { .. })
        ));
    }

    /// A first card naming a recovery key, revoked half an hour after its
    /// issue by a successor with a new key.
    struct Revoked {
        old_key: PartySigningKey,
        new_key: PartySigningKey,
        recovery: PartySigningKey,
        one: SignedCard,
        two: SignedCard,
        since: Timestamp,
        revocation: SignedCardLink,
    }

    fn revoked() -> Revoked {
        let (old_key, new_key, recovery) = (key(), key(), key());
        let one = PartyCard {
            recovery_key: Some(recovery.verifying_key().to_base64()),
            ..first(&old_key).card().clone()
        }
        .sign(&old_key)
        .expect("signed");
        let two = successor(&one, &new_key);
        let since = one.card().issued_at.plus(chrono::TimeDelta::minutes(30));
        let revocation = SignedCardLink::revoke(&one, &two, &recovery, since).expect("revoke");
        Revoked {
            old_key,
            new_key,
            recovery,
            one,
            two,
            since,
            revocation,
        }
    }

    #[test]
    fn a_revocation_is_signed_by_the_recovery_key_and_the_compromised_key_cannot_make_one() {
        let Revoked {
            old_key,
            new_key,
            recovery,
            one,
            two,
            since,
            revocation,
        } = revoked();
        assert_eq!(revocation.compromised_since(), Some(since));
        assert_eq!(check_successor(&one, &two, &revocation), Ok(()));
        assert_eq!(
            SignedCardLink::parse(revocation.bytes()).expect("parse"),
            revocation
        );
        // The thief holds the old signing key: a revocation it signs with it
        // does not hold, and neither does one by any other key.
        assert!(matches!(
            SignedCardLink::revoke(&one, &two, &old_key, since),
            Err(ChainError::NotRecoveryKey { .. })
        ));
        for forger in [&old_key, &new_key] {
            let value = serde_json::to_value(CardLink {
                party: one.card().party.clone(),
                previous: hash_to_base64(&one.sha256()),
                next: hash_to_base64(&two.sha256()),
                compromised_since: Some(since),
            })
            .expect("json");
            let forged = SignedCardLink::parse(&forger.sign_document(Domain::CardLink, &value))
                .expect("well formed");
            assert!(matches!(
                check_successor(&one, &two, &forged),
                Err(ChainError::RecoverySignature { .. })
            ));
        }
        // Keeping the compromised key, or a compromise after the new card.
        let kept = successor(&one, &old_key);
        assert!(matches!(
            SignedCardLink::revoke(&one, &kept, &recovery, since),
            Err(ChainError::CompromisedKeyKept { .. })
        ));
        let late = two
            .card()
            .issued_at
            .plus(chrono::TimeDelta::milliseconds(1));
        assert!(matches!(
            SignedCardLink::revoke(&one, &two, &recovery, late),
            Err(ChainError::CompromiseAfterIssue { .. })
        ));
        // A card without a recovery key cannot be revoked.
        let bare = first(&old_key);
        let after_bare = successor(&bare, &new_key);
        assert!(matches!(
            SignedCardLink::revoke(&bare, &after_bare, &recovery, since),
            Err(ChainError::NoRecoveryKey { .. })
        ));
    }

    #[test]
    fn a_revocation_makes_the_old_keys_later_signatures_suspect() {
        let Revoked {
            old_key,
            one,
            two,
            since,
            revocation,
            ..
        } = revoked();
        let mut keyring = crate::keyring::Keyring::of([one.clone(), two.clone()]).expect("keyring");
        let before = since.plus(chrono::TimeDelta::milliseconds(-1));
        assert_eq!(keyring.suspect(&one, since), None, "not yet revoked");
        keyring.revoke(&one, &revocation);
        assert_eq!(keyring.suspect(&one, before), None);
        let suspect = keyring.suspect(&one, since).expect("suspect");
        assert_eq!((suspect.key_id, suspect.since), (one.key_id(), since));
        assert_eq!(keyring.suspect(&two, since), None, "the new key is sound");
        // A plain link revokes nothing.
        let mut plain = crate::keyring::Keyring::of([one.clone(), two.clone()]).expect("keyring");
        plain.revoke(
            &one,
            &SignedCardLink::sign(&one, &two, &old_key).expect("link"),
        );
        assert_eq!(plain.suspect(&one, since), None);
    }
}
