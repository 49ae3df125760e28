//! Health for load balancers and systemd (docs/operations.md, "Health and
//! metrics"): `GET /healthz` answers while the process serves; `GET
//! /readyz` answers 200 only when the node can do its work — the store
//! takes a write, the log sequencer is running and not held (it signs
//! nothing until sure its log is whole: `log/guard.rs`), and no peer has had
//! messages waiting longer than `[alerts] unreachable_after` — and 503
//! otherwise, naming each check.

use chrono::TimeDelta;
use detente_proto::time::Timestamp;
use detente_store::QueuedForPeer;
use serde::Serialize;

use crate::node::Node;

/// The peers whose oldest queued message has waited longer than `after`
/// at `now`: the one rule of "unreachable", for readiness, metrics and
/// alerts.
pub fn unreachable(
    queued: &[QueuedForPeer],
    now: Timestamp,
    after: TimeDelta,
) -> Vec<&QueuedForPeer> {
    queued
        .iter()
        .filter(|q| now.since(q.oldest_recorded_at) > after)
        .collect()
}

/// Where a card with `valid_until` stands at `now`, warned of `within`
/// before: the one rule of a card "close to expiry".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// It expires within the window.
    Soon,
    /// It has expired.
    Expired,
}

/// [`Expiry`] of a card valid until `until`, at `now`; `None` while it is
/// further than `within` from expiring.
pub fn expiry(until: Timestamp, now: Timestamp, within: std::time::Duration) -> Option<Expiry> {
    let within = TimeDelta::from_std(within).unwrap_or(TimeDelta::MAX);
    if until <= now {
        Some(Expiry::Expired)
    } else if until.since(now) <= within {
        Some(Expiry::Soon)
    } else {
        None
    }
}

/// A card, ours or a peer's, that expires within the warning window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ExpiringCard {
    /// Whose card.
    pub party: String,
    /// Whether it is this party's own.
    pub ours: bool,
    /// Its `valid_until`.
    pub valid_until: String,
    /// Whether it has expired already.
    pub expired: bool,
    /// The first 8 bytes of its SHA-256, hex: which card this is (a
    /// renewed card keeps its key id, not this).
    #[serde(skip)]
    pub(crate) card: String,
    #[serde(skip)]
    pub(crate) code: detente_proto::ids::PartyCode,
    #[serde(skip)]
    pub(crate) until: Timestamp,
}

impl Node {
    /// This party's card and the peers' current cards that expire within
    /// `[alerts] card_expiry_within` of `now` (or have expired): the one
    /// rule, for `detente log status`, the API, `detente card show` and
    /// the `card-expiry` alert.
    pub fn expiring_cards(&self, now: Timestamp) -> Vec<ExpiringCard> {
        let within = self.config.alerts.card_expiry_within;
        let own = std::iter::once((self.card.clone(), true));
        let peers = self
            .peers
            .all()
            .into_iter()
            .map(|p| (p.card.clone(), false));
        own.chain(peers)
            .filter_map(|(card, ours)| {
                let until = card.card().valid_until?;
                let expiry = expiry(until, now, within)?;
                Some(ExpiringCard {
                    party: card.card().party.to_string(),
                    ours,
                    valid_until: until.to_string(),
                    expired: expiry == Expiry::Expired,
                    card: hex::encode(&card.sha256()[..8]),
                    code: card.card().party.clone(),
                    until,
                })
            })
            .collect()
    }
}

/// One readiness check.
#[derive(Debug, Clone, Serialize)]
pub struct ReadyCheck {
    /// `store`, `sequencer` or `peers`.
    pub check: &'static str,
    /// Whether it passed.
    pub ok: bool,
    /// What was found.
    pub detail: String,
}

/// `GET /readyz`.
#[derive(Debug, Clone, Serialize)]
pub struct Readiness {
    /// Every check passed.
    pub ready: bool,
    /// Each check.
    pub checks: Vec<ReadyCheck>,
}

impl Node {
    /// The readiness checks, now.
    pub async fn readiness(&self) -> Readiness {
        let store = match self.with_store(|s| Ok(s.check_writable()?)).await {
            Ok(()) => ReadyCheck {
                check: "store",
                ok: true,
                detail: "writable".to_owned(),
            },
            Err(error) => ReadyCheck {
                check: "store",
                ok: false,
                detail: error.to_string(),
            },
        };
        let running = self.log.subscribe().has_changed().is_ok();
        let standing = self.log.standing();
        let sequencer = ReadyCheck {
            check: "sequencer",
            ok: running && standing == crate::log::guard::Standing::Open,
            detail: match (running, standing) {
                (false, _) => "stopped: restart the node".to_owned(),
                (true, crate::log::guard::Standing::Held(hold)) => format!("held: {hold}"),
                (true, crate::log::guard::Standing::Open) => {
                    format!("running, log size {}", self.log.read(|v| v.tree.size()))
                }
            },
        };
        let after =
            TimeDelta::from_std(self.config.alerts.unreachable_after).unwrap_or(TimeDelta::MAX);
        let now = self.now();
        let peers = match self.with_store(|s| Ok(s.queued_by_peer()?)).await {
            Ok(queued) => {
                let late = unreachable(&queued, now, after);
                ReadyCheck {
                    check: "peers",
                    ok: late.is_empty(),
                    detail: if late.is_empty() {
                        "every peer reachable".to_owned()
                    } else {
                        late.iter()
                            .map(|q| {
                                format!(
                                    "{}: {} message(s) waiting since {}",
                                    q.peer, q.count, q.oldest_recorded_at
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("; ")
                    },
                }
            }
            Err(error) => ReadyCheck {
                check: "peers",
                ok: false,
                detail: error.to_string(),
            },
        };
        let checks = vec![store, sequencer, peers];
        Readiness {
            ready: checks.iter().all(|c| c.ok),
            checks,
        }
    }
}

#[cfg(test)]
mod expiry_tests {
    use super::*;

    #[test]
    fn a_card_is_expiring_within_the_window_and_expired_at_its_end() {
        let at = |t: &str| t.parse::<Timestamp>().expect("time");
        let until = at("2027-01-31T00:00:00.000Z");
        let month = std::time::Duration::from_secs(30 * 24 * 3600);
        assert_eq!(expiry(until, at("2026-12-01T00:00:00.000Z"), month), None);
        assert_eq!(
            expiry(until, at("2027-01-01T00:00:00.000Z"), month),
            Some(Expiry::Soon),
            "exactly 30 days before"
        );
        assert_eq!(expiry(until, until, month), Some(Expiry::Expired));
        assert_eq!(
            expiry(until, at("2027-02-01T00:00:00.000Z"), month),
            Some(Expiry::Expired)
        );
    }
}
