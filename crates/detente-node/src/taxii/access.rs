//! TAXII accounts: HTTP Basic authentication (RFC 7617) and what an account
//! may see (docs/taxii.md, "Accounts" and "TLP enforcement").
//!
//! A secret is 32 random bytes, shown once as `dtx_<base64url>` when the
//! account is added; the store keeps only its SHA-256. Like officers'
//! tokens, a high-entropy secret needs no slow hash.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use detente_proto::ids::{AccountName, PartyCode, Tier};
use detente_proto::stix::Tlp2;
use detente_proto::time::Timestamp;
use detente_store::{CollectionKind, TaxiiAccountRecord, TaxiiGrant};

use super::rows::{Audience, lane};

const SECRET_PREFIX: &str = "dtx_";

/// A fresh secret and the hash to store.
pub fn issue_secret() -> (String, [u8; 32]) {
    crate::secrets::issue(SECRET_PREFIX)
}

/// The stored form of a secret.
pub fn hash_secret(secret: &str) -> [u8; 32] {
    crate::secrets::hash(secret)
}

/// `Authorization: Basic …` decoded into a name and a secret.
pub fn parse_basic(header: &str) -> Result<(String, String), String> {
    let (scheme, credentials) = header
        .split_once(' ')
        .ok_or("the Authorization header must be `Basic <base64 of name:secret>`")?;
    // RFC 9110 §11.1: the scheme name is case-insensitive.
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(format!(
            "the Authorization scheme is {scheme:?}; TAXII clients authenticate with Basic (RFC 7617)"
        ));
    }
    let decoded = STANDARD
        .decode(credentials.trim())
        .map_err(|_| "the Basic credentials are not base64 (RFC 7617 §2)".to_owned())?;
    let text = String::from_utf8(decoded)
        .map_err(|_| "the Basic credentials are not UTF-8 (RFC 7617 §2.1)".to_owned())?;
    let (name, secret) = text
        .split_once(':')
        .ok_or("the Basic credentials must be `name:secret` (RFC 7617 §2)")?;
    Ok((name.to_owned(), secret.to_owned()))
}

/// An authenticated TAXII account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Its name.
    pub name: AccountName,
    /// The most restrictive TLP it may read.
    pub clearance: Tlp2,
    /// For RED: the tiers of ours it is a named recipient for.
    pub tiers: Vec<Tier>,
    /// The collections it may read or write.
    pub grants: Vec<TaxiiGrant>,
    /// When it was added: a name removed and added again is another
    /// account, which sees nothing of the first one's RED drafts or statuses.
    pub created_at: Timestamp,
}

impl From<TaxiiAccountRecord> for Account {
    fn from(record: TaxiiAccountRecord) -> Self {
        Self {
            name: record.name,
            clearance: record.clearance.into(),
            tiers: record.tiers,
            grants: record.grants,
            created_at: record.created_at,
        }
    }
}

impl Account {
    /// What names this account as a RED recipient: its name and when it
    /// was added, so that a later account of the same name is not named.
    pub fn red_key(&self) -> String {
        format!("{}@{}", self.name, self.created_at.unix_millis())
    }

    /// The lanes it sees: every level up to its clearance, and if cleared
    /// RED, the RED lanes that name it (its tiers, itself).
    pub fn lanes(&self) -> Vec<String> {
        let mut lanes: Vec<String> = Tlp2::ALL
            .into_iter()
            .filter(|level| *level < Tlp2::Red && *level <= self.clearance)
            .map(|level| lane(level, Audience::Account(self.name.as_str())))
            .collect();
        if self.clearance == Tlp2::Red {
            lanes.extend(
                self.tiers
                    .iter()
                    .map(|tier| lane(Tlp2::Red, Audience::Tier(*tier))),
            );
            lanes.push(lane(Tlp2::Red, Audience::Account(&self.red_key())));
        }
        lanes
    }

    fn grant(&self, counterparty: &PartyCode, collection: CollectionKind) -> Option<&TaxiiGrant> {
        self.grants
            .iter()
            .find(|g| &g.counterparty == counterparty && g.collection == collection)
    }

    /// Whether it may read `collection` of `counterparty`.
    pub fn may_read(&self, counterparty: &PartyCode, collection: CollectionKind) -> bool {
        self.grant(counterparty, collection).is_some_and(|g| g.read)
    }

    /// Whether it may write `collection` of `counterparty`.
    pub fn may_write(&self, counterparty: &PartyCode, collection: CollectionKind) -> bool {
        collection == CollectionKind::Drafts
            && self
                .grant(counterparty, collection)
                .is_some_and(|g| g.write)
    }

    /// Whether it has any grant in the API root of `counterparty`.
    pub fn may_use_root(&self, counterparty: &PartyCode) -> bool {
        self.grants.iter().any(|g| &g.counterparty == counterparty)
    }

    /// The counterparties of the API roots it may use, each once, sorted.
    pub fn roots(&self) -> Vec<PartyCode> {
        let mut roots: Vec<PartyCode> =
            self.grants.iter().map(|g| g.counterparty.clone()).collect();
        roots.sort();
        roots.dedup();
        roots
    }
}

/// Parses grants such as `US/received-from,US/sent-to` (`read` or `write`
/// as `access`); `US/*` names all three collections of US.
pub fn parse_grants(text: &str, read: bool, write: bool) -> Result<Vec<TaxiiGrant>, String> {
    let mut grants = Vec::new();
    for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (party, collection) = item.split_once('/').ok_or_else(|| {
            format!("{item:?} is not PARTY/COLLECTION, e.g. US/received-from or US/*")
        })?;
        let party: PartyCode = party.parse().map_err(|e| format!("{item:?}: {e}"))?;
        let kinds = if collection == "*" {
            CollectionKind::ALL.to_vec()
        } else {
            vec![
                collection
                    .parse::<CollectionKind>()
                    .map_err(|e| format!("{item:?}: {e}"))?,
            ]
        };
        if write && collection != "*" && kinds != [CollectionKind::Drafts] {
            return Err(format!(
                "{item:?}: {collection} is read-only, the record of what the hotline carried; write is granted on drafts only, e.g. {party}/drafts"
            ));
        }
        for collection in kinds {
            // Write is for drafts only, which is all `PARTY/*` grants it on.
            let write = write && collection == CollectionKind::Drafts;
            if !read && !write {
                continue;
            }
            grants.push(TaxiiGrant {
                counterparty: party.clone(),
                collection,
                read,
                write,
            });
        }
    }
    Ok(grants)
}

/// Merges grant lists: one grant per collection, the union of its rights.
pub fn merge_grants(lists: impl IntoIterator<Item = TaxiiGrant>) -> Vec<TaxiiGrant> {
    let mut merged: Vec<TaxiiGrant> = Vec::new();
    for grant in lists {
        match merged
            .iter_mut()
            .find(|g| g.counterparty == grant.counterparty && g.collection == grant.collection)
        {
            Some(held) => {
                held.read |= grant.read;
                held.write |= grant.write;
            }
            None => merged.push(grant),
        }
    }
    merged.sort_by(|a, b| (&a.counterparty, a.collection).cmp(&(&b.counterparty, b.collection)));
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(clearance: Tlp2, tiers: Vec<Tier>) -> Account {
        Account {
            name: "soc".parse().expect("account name"),
            clearance,
            tiers,
            grants: Vec::new(),
            created_at: Timestamp::from_unix_millis(1_000).expect("time"),
        }
    }

    #[test]
    fn a_green_reader_has_only_clear_and_green() {
        assert_eq!(
            account(Tlp2::Green, vec![Tier::Technical]).lanes(),
            ["clear", "green"]
        );
    }

    #[test]
    fn red_lanes_name_the_recipients() {
        let lanes = account(Tlp2::Red, vec![Tier::Technical]).lanes();
        assert_eq!(
            lanes,
            [
                "clear",
                "green",
                "amber",
                "amber+strict",
                "red:tier:technical",
                "red:account:soc@1000"
            ]
        );
        assert!(!lanes.contains(&"red:tier:policy".to_owned()));
    }

    #[test]
    fn basic_credentials_decode() {
        let header = format!("Basic {}", STANDARD.encode("soc:dtx_abc:def"));
        assert_eq!(
            parse_basic(&header),
            Ok(("soc".into(), "dtx_abc:def".into()))
        );
        assert!(parse_basic("Bearer x").unwrap_err().contains("Basic"));
        assert!(parse_basic("Basic !!!").unwrap_err().contains("base64"));
    }

    #[test]
    fn grants_parse_and_merge() {
        let read = parse_grants("US/*", true, false).expect("read");
        let write = parse_grants("US/drafts", false, true).expect("write");
        let merged = merge_grants(read.into_iter().chain(write));
        assert_eq!(merged.len(), 3);
        let drafts = merged
            .iter()
            .find(|g| g.collection == CollectionKind::Drafts)
            .expect("drafts");
        assert!(drafts.read && drafts.write);
        assert!(
            parse_grants("US", true, false)
                .unwrap_err()
                .contains("PARTY/COLLECTION")
        );
        assert!(parse_grants("US/inbox", true, false).is_err());
        assert!(
            parse_grants("US/sent-to", false, true)
                .unwrap_err()
                .contains("read-only")
        );
        let star = parse_grants("US/*", false, true).expect("write on all");
        assert_eq!(star.len(), 1, "only drafts is writable: {star:?}");
    }
}
