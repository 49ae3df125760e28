//! How a pledge is named: `<host>/<id>`, e.g. `UN/no-first-use`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ids::{DocumentId, PartyCode};

/// A pledge's name: its host and its id at the host, written
/// `UN/no-first-use` (in JSON, as that string).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PledgeRef {
    /// The party that hosts it (publishes it, signed).
    pub host: PartyCode,
    /// Its id at the host.
    pub id: DocumentId,
}

impl FromStr for PledgeRef {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (host, id) = s.split_once('/').ok_or_else(|| {
            format!("{s:?} is not a pledge reference; write <host>/<id>, e.g. UN/no-first-use")
        })?;
        let host = host
            .parse::<PartyCode>()
            .map_err(|e| format!("{s:?} is not a pledge reference: its host {e}"))?;
        let id = id.parse::<DocumentId>().map_err(|_| {
            format!(
                "{s:?} is not a pledge reference: its id {id:?} must be 1 to 64 of a-z, 0-9 and '-', e.g. UN/no-first-use"
            )
        })?;
        Ok(Self { host, id })
    }
}

impl fmt::Display for PledgeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.host, self.id)
    }
}

impl Serialize for PledgeRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PledgeRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}
