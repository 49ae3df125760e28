//! Administration: adding and removing officers and TAXII accounts, with
//! the rules each must meet (docs/operations.md, "Officers" and "SOC tools:
//! TAXII 2.1 accounts and drafts"). The CLI, the demo and the tests come
//! here rather than build an officer's or an account's record by hand, and
//! a console or an admin API will find the same rules. (`detente bench
//! taxii` alone stores its account directly: it grants a party it has no
//! card for, which no administrator may.)
//!
//! The checks are pure ([`check_officer`], [`check_account`]); the rest
//! reads and writes the store. A refused request writes nothing. A token or
//! secret is issued here, returned once in [`Issued`], and only its hash is
//! stored.

use detente_proto::clock::Clock;
use detente_proto::ids::{AccountName, OfficerName, PartyCode, Tier, is_account_name};
use detente_proto::kind::Tlp;
use detente_store::{OfficerRecord, Store, StoreError, TaxiiAccountRecord, TaxiiGrant};

use crate::console::{PasswordProblem, check_password, hash_password};
use crate::officers::issue_token;
use crate::taxii::access::{issue_secret, merge_grants};

/// What was added, with the credential that goes with it. The credential
/// is shown once: the store keeps only its SHA-256.
#[derive(Debug, Clone)]
pub struct Issued<R> {
    /// The record stored.
    pub record: R,
    /// The officer's bearer token, or the account's secret.
    pub credential: String,
}

/// An officer to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerSpec {
    /// Their name (unique on this node).
    pub name: OfficerName,
    /// The tiers they are cleared for: at least one.
    pub tiers: Vec<Tier>,
}

/// A TAXII account to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSpec {
    /// Its name, the Basic user name ([`account_name`] reads one).
    pub name: AccountName,
    /// The most restrictive TLP it reads.
    pub clearance: Tlp,
    /// With a RED clearance, the tiers of ours whose RED objects it reads;
    /// empty otherwise.
    pub tiers: Vec<Tier>,
    /// What it may read and write, per counterparty and collection; grants
    /// for one collection are merged.
    pub grants: Vec<TaxiiGrant>,
}

/// Why an administrative request was refused. Nothing was written.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// An officer must be cleared for some tier.
    #[error(
        "officer {name} would be cleared for no tier; name at least one, e.g. technical,operational"
    )]
    NoTiers {
        /// The officer.
        name: OfficerName,
    },
    /// The officer's name is taken.
    #[error(
        "an officer named {name} exists; choose another name, or remove that officer first (detente officer remove --name {name})"
    )]
    OfficerExists {
        /// The name.
        name: OfficerName,
    },
    /// No officer has that name.
    #[error("no officer named {name}; see `detente officer list`")]
    NoSuchOfficer {
        /// The name.
        name: OfficerName,
    },
    /// Not a name a TAXII account can have.
    #[error(
        "{name:?} is not a TAXII account name ({}): a TAXII account name is 1 to 64 letters, digits, '.', '_' and '-', e.g. opencti-soc",
        why_not_a_name(name)
    )]
    AccountName {
        /// The name given.
        name: String,
    },
    /// The account would have no grant.
    #[error(
        "the account would have no access; grant it reads (--read PARTY/COLLECTION) and/or writes to drafts (--write PARTY/drafts), e.g. --read 'US/*' --write US/drafts"
    )]
    NoAccess,
    /// A RED clearance without the tiers it reads RED for.
    #[error(
        "--clearance RED needs --tiers: RED objects are for named recipients, so name the tiers of ours whose RED objects the account reads, e.g. --tiers technical"
    )]
    RedWithoutTiers,
    /// Tiers without a RED clearance, where they mean nothing.
    #[error(
        "--tiers names the recipients of RED objects and means nothing with --clearance {clearance}; leave --tiers out, or give --clearance RED"
    )]
    TiersWithoutRed {
        /// The clearance given.
        clearance: Tlp,
    },
    /// A grant names a party this node has no channel with.
    #[error(
        "{party} is not a peer of this node, so it has no TAXII API root; add its card first (detente peer add), or check the party code (detente peer list)"
    )]
    NotAPeer {
        /// The party granted.
        party: PartyCode,
    },
    /// The account's name is taken.
    #[error(
        "a TAXII account named {name} exists; to give it a new secret, remove it (detente taxii account remove {name}) and add it again"
    )]
    AccountExists {
        /// The name.
        name: String,
    },
    /// No account has that name.
    #[error("no TAXII account named \"{name}\"; see `detente taxii account list`")]
    NoSuchAccount {
        /// The name.
        name: AccountName,
    },
    /// A password that breaks the rules.
    #[error(transparent)]
    Password(PasswordProblem),
    /// The password could not be hashed (the system's random source failed).
    #[error("cannot hash the password: {cause}")]
    Hash {
        /// Why, as the hashing library says.
        cause: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

/// What breaks the rule of names ([`is_account_name`]) in `name`, for
/// [`AdminError::AccountName`]: a character no name may hold, else its length.
fn why_not_a_name(name: &str) -> String {
    match name
        .chars()
        .find(|c| !is_account_name(c.encode_utf8(&mut [0; 4])))
    {
        Some(bad) => format!("it has {bad:?}"),
        None => format!("it has {} bytes", name.len()),
    }
}

/// Reads a TAXII account's name as an administrator typed it, saying what
/// breaks the rule of names if it does not keep it.
pub fn account_name(name: &str) -> Result<AccountName, AdminError> {
    name.parse().map_err(|_| AdminError::AccountName {
        name: name.to_owned(),
    })
}

/// Refuses an officer no node may have: one cleared for no tier. Returns
/// the tiers in order, each once.
pub fn check_officer(spec: &OfficerSpec) -> Result<Vec<Tier>, AdminError> {
    let mut tiers = spec.tiers.clone();
    tiers.sort();
    tiers.dedup();
    if tiers.is_empty() {
        return Err(AdminError::NoTiers {
            name: spec.name.clone(),
        });
    }
    Ok(tiers)
}

/// Refuses an account no node may have, given the parties it has peers
/// for: no grant, tiers exactly when the clearance is RED, and
/// every grant for a peer. Returns the grants merged (one per collection)
/// and the tiers in order.
pub fn check_account(
    spec: &AccountSpec,
    peers: &[PartyCode],
) -> Result<(Vec<TaxiiGrant>, Vec<Tier>), AdminError> {
    let grants = merge_grants(spec.grants.iter().filter(|g| g.read || g.write).cloned());
    if grants.is_empty() {
        return Err(AdminError::NoAccess);
    }
    let mut tiers = spec.tiers.clone();
    tiers.sort();
    tiers.dedup();
    match (spec.clearance, tiers.is_empty()) {
        (Tlp::Red, true) => return Err(AdminError::RedWithoutTiers),
        (Tlp::Red, false) | (_, true) => {}
        (clearance, false) => return Err(AdminError::TiersWithoutRed { clearance }),
    }
    if let Some(unknown) = grants.iter().find(|g| !peers.contains(&g.counterparty)) {
        return Err(AdminError::NotAPeer {
            party: unknown.counterparty.clone(),
        });
    }
    Ok((grants, tiers))
}

/// Adds an officer and issues their bearer token.
pub fn add_officer(
    store: &dyn Store,
    clock: &dyn Clock,
    spec: &OfficerSpec,
) -> Result<Issued<OfficerRecord>, AdminError> {
    let tiers = check_officer(spec)?;
    let (token, token_sha256) = issue_token();
    let record = OfficerRecord {
        name: spec.name.clone(),
        tiers,
        token_sha256,
        created_at: clock.now(),
    };
    match store.add_officer(&record) {
        Ok(()) => Ok(Issued {
            record,
            credential: token,
        }),
        Err(StoreError::Duplicate { .. }) => Err(AdminError::OfficerExists {
            name: spec.name.clone(),
        }),
        Err(e) => Err(AdminError::Store(e)),
    }
}

/// Sets an officer's console password (argon2id), replacing any, and
/// ends their console sessions, so that a password taken from them stops
/// working at once. The token is untouched.
pub fn set_officer_password(
    store: &dyn Store,
    clock: &dyn Clock,
    name: &OfficerName,
    password: &str,
) -> Result<(), AdminError> {
    check_password(password).map_err(AdminError::Password)?;
    let phc = hash_password(password).map_err(|e| AdminError::Hash {
        cause: e.to_string(),
    })?;
    if !store
        .set_officer_password(name, &phc, clock.now())
        .map_err(AdminError::Store)?
    {
        return Err(AdminError::NoSuchOfficer { name: name.clone() });
    }
    let ended = store
        .remove_console_sessions_of(name)
        .map_err(AdminError::Store)?;
    tracing::info!(officer = %name, sessions_ended = ended, "console password set");
    Ok(())
}

/// A random console password for a person to be handed (24 characters of
/// base64url: 144 bits), which keeps the password rules.
pub fn generate_password() -> String {
    let (text, _) = crate::secrets::issue("");
    text.chars().take(24).collect()
}

/// Removes an officer; their token stops working at once.
pub fn remove_officer(store: &dyn Store, name: &OfficerName) -> Result<(), AdminError> {
    if store.remove_officer(name).map_err(AdminError::Store)? {
        Ok(())
    } else {
        Err(AdminError::NoSuchOfficer { name: name.clone() })
    }
}

/// Adds a TAXII account and issues its secret.
pub fn add_taxii_account(
    store: &dyn Store,
    clock: &dyn Clock,
    spec: &AccountSpec,
) -> Result<Issued<TaxiiAccountRecord>, AdminError> {
    let peers: Vec<PartyCode> = store
        .peers()
        .map_err(AdminError::Store)?
        .into_iter()
        .map(|p| p.party)
        .collect();
    let (grants, tiers) = check_account(spec, &peers)?;
    let (secret, secret_sha256) = issue_secret();
    let record = TaxiiAccountRecord {
        name: spec.name.clone(),
        secret_sha256,
        clearance: spec.clearance,
        tiers,
        grants,
        created_at: clock.now(),
    };
    match store.add_taxii_account(&record) {
        Ok(()) => Ok(Issued {
            record,
            credential: secret,
        }),
        Err(StoreError::TaxiiAccountExists { name }) => Err(AdminError::AccountExists { name }),
        Err(e) => Err(AdminError::Store(e)),
    }
}

/// Removes a TAXII account; its secret stops working at once.
pub fn remove_taxii_account(store: &dyn Store, name: &AccountName) -> Result<(), AdminError> {
    if store
        .remove_taxii_account(name)
        .map_err(AdminError::Store)?
    {
        Ok(())
    } else {
        Err(AdminError::NoSuchAccount { name: name.clone() })
    }
}

#[cfg(test)]
mod tests {
    use detente_store::CollectionKind;

    use super::*;

    fn party(code: &str) -> PartyCode {
        code.parse().expect("party")
    }

    fn grant(
        counterparty: &str,
        collection: CollectionKind,
        read: bool,
        write: bool,
    ) -> TaxiiGrant {
        TaxiiGrant {
            counterparty: party(counterparty),
            collection,
            read,
            write,
        }
    }

    fn account(name: &str, clearance: Tlp, tiers: Vec<Tier>) -> AccountSpec {
        AccountSpec {
            name: name.parse().expect("account name"),
            clearance,
            tiers,
            grants: vec![
                grant("US", CollectionKind::Drafts, true, false),
                grant("US", CollectionKind::Drafts, false, true),
            ],
        }
    }

    #[test]
    fn an_officer_is_cleared_for_some_tier_each_once_in_order() {
        let name: OfficerName = "Petrov".parse().expect("name");
        let spec = OfficerSpec {
            name: name.clone(),
            tiers: vec![Tier::Operational, Tier::Technical, Tier::Operational],
        };
        assert_eq!(
            check_officer(&spec).expect("fine"),
            [Tier::Technical, Tier::Operational]
        );
        let none = OfficerSpec {
            name: name.clone(),
            tiers: vec![],
        };
        assert!(matches!(check_officer(&none), Err(AdminError::NoTiers { name: n }) if n == name));
    }

    #[test]
    fn an_account_name_follows_the_rule_of_names() {
        for good in ["opencti", "misp.soc-1", "A_b.C-d", &"a".repeat(64)] {
            assert_eq!(account_name(good).expect(good).as_str(), good);
        }
        for (bad, why) in [
            ("", "it has 0 bytes"),
            ("a b", "it has ' '"),
            ("a/b", "it has '/'"),
            ("é", "it has 'é'"),
            (&"a".repeat(65), "it has 65 bytes"),
        ] {
            let error = account_name(bad).expect_err(bad);
            assert!(
                matches!(&error, AdminError::AccountName { name } if name == bad),
                "{error:?}"
            );
            assert_eq!(why_not_a_name(bad), why);
        }
    }

    #[test]
    fn grants_are_merged_and_must_name_peers() {
        let (grants, tiers) =
            check_account(&account("soc", Tlp::Amber, vec![]), &[party("US")]).expect("fine");
        assert_eq!(
            grants,
            [grant("US", CollectionKind::Drafts, true, true)],
            "one grant per collection"
        );
        assert!(tiers.is_empty());
        let refused = check_account(&account("soc", Tlp::Amber, vec![]), &[party("RU")]);
        assert!(
            matches!(&refused, Err(AdminError::NotAPeer { party: p }) if *p == party("US")),
            "{refused:?}"
        );
        let mut nothing = account("soc", Tlp::Amber, vec![]);
        nothing.grants = vec![grant("US", CollectionKind::Drafts, false, false)];
        assert!(matches!(
            check_account(&nothing, &[party("US")]),
            Err(AdminError::NoAccess)
        ));
    }

    #[test]
    fn tiers_go_with_a_red_clearance_and_only_with_it() {
        let peers = [party("US")];
        assert!(matches!(
            check_account(&account("soc", Tlp::Red, vec![]), &peers),
            Err(AdminError::RedWithoutTiers)
        ));
        assert!(matches!(
            check_account(&account("soc", Tlp::Amber, vec![Tier::Technical]), &peers),
            Err(AdminError::TiersWithoutRed {
                clearance: Tlp::Amber
            })
        ));
        let (_, tiers) = check_account(
            &account("soc", Tlp::Red, vec![Tier::Policy, Tier::Technical]),
            &peers,
        )
        .expect("fine");
        assert_eq!(tiers, [Tier::Technical, Tier::Policy]);
    }
}
