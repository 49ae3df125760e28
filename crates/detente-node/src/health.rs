//! Health for load balancers and systemd (docs/operations.md, "Health and
//! metrics"): `GET /healthz` answers while the process serves; `GET
//! /readyz` answers 200 only when the node can do its work — the store
//! takes a write, the log sequencer is running, and no peer has had
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
        let sequencer = ReadyCheck {
            check: "sequencer",
            ok: running,
            detail: if running {
                format!("running, log size {}", self.log.read(|v| v.tree.size()))
            } else {
                "stopped: restart the node".to_owned()
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
