//! Officers and their bearer tokens.
//!
//! A token is 32 random bytes, shown once as `dtn_<base64url>` when the
//! officer is added; the store keeps only its SHA-256. High-entropy tokens
//! need no slow hash: guessing one is as hard as guessing a key.

use detente_proto::ids::{OfficerName, Tier};
use detente_store::{OfficerRecord, StoredMessage};

use crate::error::{Forbidden, NodeError};

const TOKEN_PREFIX: &str = "dtn_";

/// A fresh token and the hash to store.
pub fn issue_token() -> (String, [u8; 32]) {
    crate::secrets::issue(TOKEN_PREFIX)
}

/// The stored form of a token.
pub fn hash_token(token: &str) -> [u8; 32] {
    crate::secrets::hash(token)
}

/// An authenticated officer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Officer {
    /// Name.
    pub name: OfficerName,
    /// Tiers cleared for.
    pub tiers: Vec<Tier>,
}

impl From<OfficerRecord> for Officer {
    fn from(record: OfficerRecord) -> Self {
        Self {
            name: record.name,
            tiers: record.tiers,
        }
    }
}

impl Officer {
    /// Refuses unless the officer is cleared for `tier`.
    pub fn require(&self, tier: Tier, action: &'static str) -> Result<(), NodeError> {
        if self.tiers.contains(&tier) {
            Ok(())
        } else {
            Err(Forbidden::NotCleared {
                officer: self.name.clone(),
                cleared: self.tiers.clone(),
                tier,
                action,
            }
            .into())
        }
    }

    /// Whether the officer may see a stored message: one sent from, or
    /// addressed to, a tier they are cleared for.
    pub fn may_see(&self, message: &StoredMessage) -> bool {
        let tier = match message.message.direction {
            detente_store::Direction::Sent => message.message.from_tier,
            detente_store::Direction::Received => message.message.to_tier,
        };
        self.tiers.contains(&tier)
    }
}

/// Parses a comma-separated tier list such as `technical,operational`.
pub fn parse_tiers(text: &str) -> Result<Vec<Tier>, String> {
    let mut tiers = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let tier: Tier = part.parse()?;
        if !tiers.contains(&tier) {
            tiers.push(tier);
        }
    }
    if tiers.is_empty() {
        return Err("name at least one tier, e.g. technical,operational".into());
    }
    tiers.sort();
    Ok(tiers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_hash_stably() {
        let (a, hash_a) = issue_token();
        let (b, _) = issue_token();
        assert_ne!(a, b);
        assert!(a.starts_with("dtn_") && a.len() == 4 + 43, "{a}");
        assert_eq!(hash_token(&a), hash_a);
    }

    #[test]
    fn clearance_error_names_the_tiers() {
        let officer = Officer {
            name: "Smith".parse().expect("name"),
            tiers: vec![Tier::Technical],
        };
        officer.require(Tier::Technical, "send").expect("cleared");
        let err = officer.require(Tier::Leadership, "send").unwrap_err();
        assert!(
            matches!(
                &err,
                NodeError::Forbidden(Forbidden::NotCleared { cleared, tier: Tier::Leadership, action: "send", .. })
                    if cleared == &[Tier::Technical]
            ),
            "{err:?}"
        );
    }

    #[test]
    fn tier_lists() {
        assert_eq!(
            parse_tiers("operational, technical,technical"),
            Ok(vec![Tier::Technical, Tier::Operational])
        );
        assert!(parse_tiers("").is_err());
        assert!(parse_tiers("technical,navy").is_err());
    }
}
